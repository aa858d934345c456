/*
 * csv.h - a small RFC 4180 CSV reader and the field/number writers every
 * CSV output of dealsim uses (SPEC §6: `,` separator, `\n` line ends,
 * locale-independent numbers that round-trip).  The reader serves the design
 * files of `dealsim sweep` and the inputs of `dealsim compare` (SPEC §9).
 */
#ifndef DEALSIM_CSV_H
#define DEALSIM_CSV_H

#include <stddef.h>
#include <stdio.h>
#include "dealsim/error.h"

/* Largest CSV file the reader accepts (a whole file is held in memory; a
 * design or summary file is a few MB at most, so 256 MiB is generous). */
#define DS_CSV_MAX_BYTES ((size_t)256 << 20)

/* Buffer size that ds_csv_format_double always fits: "%.17g" of a double
 * needs at most 24 characters plus the NUL. */
#define DS_CSV_NUM_MAX 32

/*
 * A parsed CSV table: a header row of n_cols names and n_rows data rows of
 * exactly n_cols cells each.  Cells are NUL-terminated UTF-8 with quotes
 * removed and "" unescaped; an empty cell is "".  The table owns every
 * string; ds_csv_free releases them.
 */
typedef struct ds_csv ds_csv;

/* Parse len bytes of CSV text.  `file` names the input in messages (the
 * table keeps a copy).  Accepted: quoted fields with "" escapes and embedded
 * commas and line ends, `\n` or `\r\n` line ends, a missing final line end,
 * a UTF-8 byte-order mark at the start.  Blank lines (nothing at all
 * between two line ends) are skipped.  Problems stop the parse, set err to
 * DS_EINVAL with "FILE:LINE: error: MESSAGE" (LINE 1-based, the line where
 * the row or quoted field starts): a row whose field count differs from the
 * header's, an unterminated quoted field, a quote inside an unquoted field
 * or text after a closing quote, a NUL byte, an empty input (no header).
 * Returns DS_OK and stores the new table in *out (caller frees with
 * ds_csv_free), or an error code with *out NULL (DS_ENOMEM on no memory). */
int ds_csv_parse(const char *file, const char *text, size_t len,
                 ds_csv **out, ds_error *err);

/* Read the file `path` (at most DS_CSV_MAX_BYTES) and parse it as above.
 * A file that cannot be read gives DS_EIO and "FILE: error: cannot read:
 * REASON". */
int ds_csv_read(const char *path, ds_csv **out, ds_error *err);

/* Free the table and every string in it.  c may be NULL.  Can't fail. */
void ds_csv_free(ds_csv *c);

/* The file name given at parse time (owned by the table). */
const char *ds_csv_file(const ds_csv *c);

/* Number of columns (header fields) and of data rows. */
size_t ds_csv_cols(const ds_csv *c);
size_t ds_csv_rows(const ds_csv *c);

/* Header name of column j < ds_csv_cols(c) (owned by the table). */
const char *ds_csv_name(const ds_csv *c, size_t j);

/* Index of the first column named `name`, or -1 when there is none. */
long ds_csv_find(const ds_csv *c, const char *name);

/* Cell (row i < ds_csv_rows(c), column j), owned by the table. */
const char *ds_csv_cell(const ds_csv *c, size_t i, size_t j);

/* 1-based line of the file where data row i starts (the header is on
 * ds_csv_header_line(c), normally 1). */
size_t ds_csv_line(const ds_csv *c, size_t i);
size_t ds_csv_header_line(const ds_csv *c);

/* Write one field to f, quoted (with "" escapes) only when it contains a
 * comma, a quote, a CR or an LF, or starts or ends with a space or tab.
 * Writes no separator.  Returns DS_OK or DS_EIO when the write fails. */
int ds_csv_write_field(FILE *f, const char *s);

/* Write the shortest decimal text of x that reads back (strtod) to the same
 * bits: the first of "%.15g", "%.16g", "%.17g" that round-trips.  NaN is
 * written as the empty string (SPEC §6: an empty cell has no value), +-inf as
 * "inf" / "-inf".  buf must hold DS_CSV_NUM_MAX bytes.  Assumes the "C"
 * LC_NUMERIC locale (never calls setlocale).  Returns buf.  Can't fail. */
char *ds_csv_format_double(char buf[DS_CSV_NUM_MAX], double x);

/* ds_csv_format_double then ds_csv_write_field.  DS_OK or DS_EIO. */
int ds_csv_write_double(FILE *f, double x);

/* Parse a whole cell as a number: optional surrounding spaces/tabs, then a
 * strtod number ("inf"/"nan" included), nothing else.  Returns 1 and stores
 * the value in *x, or 0 when s is empty or not entirely a number. */
int ds_csv_parse_double(const char *s, double *x);

#endif /* DEALSIM_CSV_H */
