/*
 * design.h - the design points of `dealsim sweep` (SPEC §9).
 *
 * A design turns the sweep arguments (`--vary PATH=SPEC ...`, `--design`,
 * `--samples`, `--design-file`) into a table of points: for point i and
 * varied path j, the text to hand to the override layer (ds_scenario_set)
 * and the cell to write in the output CSV.  It runs nothing and prints
 * nothing.  Point i (0-based here) is written as `point` = i + 1.
 */
#ifndef DEALSIM_DESIGN_H
#define DEALSIM_DESIGN_H

#include <stddef.h>
#include <stdint.h>
#include "dealsim/error.h"

/* Most points a design may have (grid products, --samples, design-file
 * rows).  Each point is a full Monte Carlo run, so a million is far beyond
 * any useful sweep; the limit catches typos such as `0:1:100000` twice. */
#define DS_DESIGN_MAX_POINTS 1000000u

/* Tells whether `path` is an integer-valued key (SPEC §3.1: dealsim,
 * protocol.rounds, simulation.draws, simulation.seed).  ctx is passed
 * through.  Returns non-zero for an integer key. */
typedef int (*ds_design_is_integer_fn)(const char *path, void *ctx);

/* The sweep arguments, as given on the command line.  The design borrows
 * nothing from it: every string is copied by ds_design_new. */
typedef struct ds_design_args {
    const char *design;          /* "grid", "lhs" or "sobol"; NULL = "grid" */
    const char *const *vary;     /* n_vary "PATH=SPEC" texts, in order */
    size_t n_vary;
    const char *samples;         /* --samples text, NULL when not given */
    uint64_t seed;               /* seed of the lhs design's stream */
    const char *design_file;     /* --design-file, NULL when not given */
    ds_design_is_integer_fn is_integer; /* NULL: no path is an integer key */
    void *ctx;                   /* passed to is_integer */
} ds_design_args;

typedef struct ds_design ds_design;

/*
 * Build the design (SPEC §9).
 *
 * SPEC of `--vary PATH=SPEC`:
 *  - `v1,v2,...` (grid only): a list, split at commas outside JSON strings,
 *    objects and arrays; surrounding spaces of an item are dropped.  Items
 *    are JSON numbers, booleans, strings, objects, arrays or bare words.  A
 *    number is handed to the override layer in its shortest round-trip
 *    spelling (the same double: "0.30" -> "0.3", "4.0" -> "4"), anything
 *    else verbatim.  One item is a list of one; a value holding ',' or ':'
 *    is quoted as a JSON string.
 *  - `a:b:k` (grid only): k evenly spaced numbers from a to b inclusive
 *    (k >= 1; k = 1 gives a; a > b gives a descending list, a = b repeats).
 *    Value i is a + i (b - a)/(k - 1) rounded to 15 significant digits, so
 *    decimals come out as typed (0:0.1:6 gives 0.06, not
 *    0.06000000000000001); when a and b have opposite signs, every value is
 *    rounded at the decimal place of the larger |end|'s 15th digit, so the
 *    values near 0 carry no rounding noise (-0.3:0.1:5 gives 0, not 1e-17).
 *    The ends are exactly a and b, and no value lies beyond them.  For an
 *    integer key with integral ends the values are exact (computed in
 *    integers, also beyond 15 digits).
 *  - `a:b` (lhs and sobol only): the range mapped onto [0, 1] as a + (b - a)u
 *    (a > b is allowed and means the same interval).
 * Designs: grid = Cartesian product, the first --vary varying slowest; lhs =
 * Latin hypercube of --samples N points: every varied range is cut into N
 * equal strata and each stratum holds exactly one point (uniform within it),
 * drawn from the ds_rng stream (seed, draw 0, DS_STREAM(DS_STREAM_DESIGN, 0)):
 * for each path in order, a gsl_ran_shuffle of 0..N-1, then N uniforms;
 * sobol = the first N points of GSL's gsl_qrng_sobol (at most its 40
 * dimensions), in GSL's order.  `--design-file` reads a CSV whose header
 * names the paths and whose rows are points, kept in row order (line ends
 * LF, CRLF or a lone CR, as spreadsheet programs write them); a cell
 * that reads as a finite number (strtod) is handed over in its shortest
 * round-trip spelling, any other cell verbatim (surrounding spaces trimmed).
 * Integer keys (args->is_integer): lhs/sobol values are rounded to the
 * nearest integer (halves away from zero); a list item, grid value or file
 * cell that is not an integral number is an error.
 * Numbers the design computes (grid ranges, lhs, sobol) are written in the
 * shortest text that round-trips (ds_csv_format_double).
 *
 * On success returns DS_OK and stores a new design in *out (caller frees
 * with ds_design_free).  On failure *out is NULL and err holds one complete
 * line: "FILE:LINE: error: MESSAGE" for a problem in the design file, else
 * "error: ARGUMENT: MESSAGE" naming the argument (e.g. "error: --vary
 * protocol.rounds=1:5:2.5: k must be an integer >= 1, got '2.5'").  Errors
 * (DS_EINVAL): bad PATH=SPEC syntax, an empty path or item, a path varied
 * twice, a range kind that does not fit the design, k < 1, a non-finite
 * bound, an unknown design name, lhs/sobol without --samples, --samples not
 * an integer in 1..DS_DESIGN_MAX_POINTS, --samples with grid or a design
 * file, --design-file together with --vary or --design, no --vary and no
 * --design-file, more than DS_DESIGN_MAX_POINTS points, more paths than
 * sobol supports, a design file that cannot be read (DS_EIO), is not valid
 * CSV, has an empty or duplicate column name, no rows, or an empty or
 * non-integral (for an integer key) cell.  DS_ENOMEM on no memory.
 * Column names of a design file that name nothing in the scenario are the
 * caller's to report (ds_scenario_set does).
 */
int ds_design_new(const ds_design_args *args, ds_design **out, ds_error *err);

/* Build a design from the contents of a design file: len bytes of text
 * (need not be NUL-terminated; borrowed, not kept), named `file` in
 * messages.  The same rules and messages as ds_design_new with
 * --design-file, without reading a file; is_integer (may be NULL) and ctx
 * as in ds_design_args.  On success DS_OK and a new design in *out (caller
 * frees with ds_design_free); else *out is NULL and err says why. */
int ds_design_parse(const char *file, const char *text, size_t len,
                    ds_design_is_integer_fn is_integer, void *ctx, ds_design **out,
                    ds_error *err);

/* Free.  d may be NULL.  Can't fail. */
void ds_design_free(ds_design *d);

/* Number of points (>= 1) and of varied paths (>= 1). */
size_t ds_design_points(const ds_design *d);
size_t ds_design_paths(const ds_design *d);

/* Varied path j < ds_design_paths(d), e.g. "protocol.rounds" (owned by d). */
const char *ds_design_path(const ds_design *d, size_t j);

/* For point i < ds_design_points(d) and path j: the value text for
 * ds_scenario_set (JSON or a bare word), owned by d and valid until
 * ds_design_free. */
const char *ds_design_value(const ds_design *d, size_t i, size_t j);

/* The same value as an output CSV cell (unquoted; write it with
 * ds_csv_write_field): identical to the value text except that a JSON
 * string item is given by its contents ("\"x\"" -> "x").  Owned by d. */
const char *ds_design_cell(const ds_design *d, size_t i, size_t j);

/* 1-based line of the design file where point i's row starts, for messages;
 * 0 when the design does not come from a file. */
size_t ds_design_line(const ds_design *d, size_t i);

/* The design file name (owned by d), or NULL when there is none. */
const char *ds_design_file(const ds_design *d);

#endif /* DEALSIM_DESIGN_H */
