/*
 * compare.h - `dealsim compare A.csv B.csv` (SPEC §9): line up two summary
 * CSVs (SPEC §6) or two sweep CSVs by strategy (and point) and write, per
 * metric, A, B, B - A and a z-score.  Reads files, writes to a FILE* given
 * by the caller, prints nothing else.
 */
#ifndef DEALSIM_COMPARE_H
#define DEALSIM_COMPARE_H

#include <stdio.h>
#include "dealsim/csv.h"
#include "dealsim/error.h"

/* Default |z| threshold of --only-significant: the two-sided 5% point of
 * the standard normal (Phi^-1(0.975) = 1.959964, rounded as usually quoted). */
#define DS_COMPARE_Z_DEFAULT 1.96

typedef struct ds_compare_opts {
    int only_significant; /* keep only rows with a z and |z| >= z_min */
    double z_min;         /* --z; finite and >= 0 */
    int table;            /* 1: a table for a terminal, largest |z| first; 0: CSV */
} ds_compare_opts;

/* Options with their defaults: all rows, z_min = DS_COMPARE_Z_DEFAULT,
 * CSV. */
void ds_compare_opts_init(ds_compare_opts *o);

/* Widest line of the table (SPEC §6: a table fits 100 columns). */
#define DS_COMPARE_TABLE_WIDTH 100

/*
 * Compare the tables a and b (borrowed, not kept) and write the result to
 * out as RFC 4180 CSV with `\n` line ends.
 *
 * Kinds: a sweep CSV has `point` as its first column, then the varied
 * paths, then `strategy` and the summary columns; a summary CSV starts with
 * `strategy`.  Both inputs must be of the same kind, with the same
 * columns.  Metrics are every column after `strategy` (draws and the _se
 * columns included) but `label` (text that describes the row, which may
 * differ), in a's order; rows are keyed by strategy (and point), in a's
 * order.
 * Output header `strategy,metric,a,b,diff,z` (summary) or
 * `strategy,point,metric,a,b,diff,z` (sweep); one row per (row of a,
 * metric).  Numbers are written shortest round-trip (ds_csv_format_double).
 * diff = b - a, empty when either cell is empty.  The standard error of
 * metric M is the column the output column table (output.h) names for it
 * (p_deal -> p_deal_se, deficit_mean -> deficit_se, benefit_mean ->
 * benefit_se); for a column that table does not know (from another
 * version), `M_se` or, for M = `X_mean`, `X_se`.  z = (b - a) /
 * sqrt(se_a^2 + se_b^2) (SPEC §9), empty when there is no such column, a
 * value or standard error is empty, or both errors are 0.  With
 * opts->only_significant, only rows with a z of |z| >= opts->z_min are
 * written.  With opts->table, the same rows are written as an aligned table
 * for a terminal instead (SPEC §10): largest |z| first (rows without a z
 * last, in the order above), at most DS_COMPARE_TABLE_WIDTH characters
 * wide (long names cut, ending in '~'; control characters shown as '?'),
 * numbers to 4 significant digits, z to 2 decimals, and a legend of the
 * metrics' units from the column table.  opts may be NULL (defaults).
 * Time and memory are linear in the number of cells.
 *
 * Returns DS_OK, or on failure (output may then be partly written):
 * DS_EINVAL with a message saying where the files do not line up, e.g.
 * "b.csv: error: strategy 'tariff_cut' (a.csv:3) is missing",
 * "b.csv: error: column 'approve_trump' (in a.csv) is missing",
 * "b.csv: error: point 2, column 'protocol.rounds': 5 here, 4 in a.csv",
 * or what is wrong in one file ("a.csv:4: error: column 'p_deal': not a
 * number: 'x'", a duplicate strategy or point, a missing `strategy`
 * column), or a bad z_min; DS_EIO when writing fails ("error: cannot write
 * the comparison: REASON", the system's reason for the failing call);
 * DS_ENOMEM.
 */
int ds_compare_tables(const ds_csv *a, const ds_csv *b, const ds_compare_opts *opts,
                      FILE *out, ds_error *err);

/* ds_compare_tables, naming the output `out_name` in a write error:
 * "OUT_NAME: error: cannot write: REASON". */
int ds_compare_write(const ds_csv *a, const ds_csv *b, const ds_compare_opts *opts,
                     FILE *out, const char *out_name, ds_error *err);

/* Read both files with ds_csv_read and compare them as above. */
int ds_compare_files(const char *a_path, const char *b_path, const ds_compare_opts *opts,
                     FILE *out, ds_error *err);

#endif /* DEALSIM_COMPARE_H */
