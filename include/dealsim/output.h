/*
 * output.h - the summary outputs of SPEC §6: CSV, JSON and a readable table.
 *
 * All numbers are written locale-independently, shortest round-trip; an
 * empty cell (CSV) or null (JSON) marks a figure with no value (round_mean
 * without deals, approve_<a> without evaluations).  Functions write to a
 * FILE* they do not own and return DS_OK or DS_EIO (ferror after writing).
 */
#ifndef DEALSIM_OUTPUT_H
#define DEALSIM_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include "dealsim/model.h"
#include "dealsim/stats.h"

/* What a run was, for the JSON metadata and the table's heading.  Nothing
 * here may depend on the number of threads (SPEC §7: byte-identical JSON). */
typedef struct ds_run_meta {
    const char *scenario_file; /* as given on the command line, or the built-in name */
    const char *sha256;        /* hex digest of the scenario bytes */
    uint64_t seed;
    uint64_t draws;
} ds_run_meta;

/* The summary header's columns (SPEC §6), comma-separated, no newline. */
void ds_output_csv_columns(const ds_model *m, FILE *f);

/* One strategy's summary cells, comma-separated, no newline.  Returns DS_OK,
 * or DS_ENOMEM (nothing written). */
int ds_output_csv_cells(const ds_model *m, const ds_stats *s, size_t k, FILE *f);

/* Header and one row per strategy, in scenario order. */
int ds_output_csv(const ds_model *m, const ds_stats *s, FILE *f);

/* {"dealsim": {...metadata...}, "strategies": [{...§6 figures...}]} */
int ds_output_json(const ds_model *m, const ds_stats *s,
                   const ds_run_meta *meta, FILE *f);

/* A readable, aligned table of the main figures, with a heading. */
int ds_output_table(const ds_model *m, const ds_stats *s,
                    const ds_run_meta *meta, FILE *f);

#endif /* DEALSIM_OUTPUT_H */
