/*
 * sens.h - sensitivity (SPEC §11): which inputs drive each outcome, from
 * one run of draws.
 *
 * Every input of the model (ds_model_is_input: a dist that can take more
 * than one value, named by its path) is binned by its own CDF at its drawn
 * value, u = F(x): a continuous input into DS_SENS_BINS equiprobable bins,
 * bin = min(floor(20 u), 19); a discrete input one bin per value of
 * nonzero weight, in increasing order.  A ds_sens accumulates, per
 * (strategy, outcome, input, bin), the number of draws and the sum of the
 * outcome, and per (strategy, outcome) the sum and the sum of squares.
 * Like ds_stats (stats.h), sums are plain doubles within a block of draws
 * and are folded into exact superaccumulators at the block's end, so the
 * totals, and everything computed from them, do not depend on how draws
 * were split into threads (or processes) nor on the order of the merges.
 * Memory does not grow with draws.
 *
 * From the totals: the bias-corrected first-order index of every (strategy,
 * outcome, input) (a one-way analysis of variance of the outcome over the
 * input's bins), and the tornado's low, high and swing.
 */
#ifndef DEALSIM_SENS_H
#define DEALSIM_SENS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dealsim/engine.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/output.h"
#include "dealsim/run.h"

/* Bins of a continuous input (SPEC §11). */
#define DS_SENS_BINS 20

/* The outcomes of SPEC §11, in output order. */
typedef enum ds_sens_outcome {
    DS_SENS_DEAL,         /* 1 with a deal, else 0 */
    DS_SENS_BENEFIT,      /* bn/yr */
    DS_SENS_DEFICIT,      /* year 1, bn/yr */
    DS_SENS_DEFICIT_END,  /* year H, bn/yr */
    DS_SENS_N_OUTCOMES
} ds_sens_outcome;

/* The outcome's name in outputs: "deal", "benefit", "deficit",
 * "deficit_end". */
const char *ds_sens_outcome_name(ds_sens_outcome o);

typedef struct ds_sens ds_sens;

/* An empty accumulator for model m (which must outlive it), with its own
 * binning of m's inputs.  NULL on no memory. */
ds_sens *ds_sens_new(const ds_model *m);

/* An empty accumulator that shares s's binning (s must outlive it): what
 * each worker of a run adds to.  NULL on no memory. */
ds_sens *ds_sens_new_like(const ds_sens *s);

/* Free.  s may be NULL.  Can't fail. */
void ds_sens_free(ds_sens *s);

/* Add one draw: out[0..n_strategies-1] as computed by e (ds_engine_draw),
 * whose input values are that draw's.  No allocation.  Can't fail. */
void ds_sens_add(ds_sens *s, const ds_engine *e, const ds_outcome *out);

/* End the current block: fold its partial sums into the exact totals.
 * Call after the last draw of every block.  Can't fail. */
void ds_sens_flush(ds_sens *s);

/* dst += src (both flushed, made for the same model).  Exact: any order of
 * merges gives the same bits.  DS_OK, or DS_EINVAL when their shapes
 * differ. */
int ds_sens_merge(ds_sens *dst, const ds_sens *src);

/* s's totals as bytes, for another process of the same run (SPEC §14):
 * returns the bytes they take, and writes them to buf when cap is at least
 * that (buf NULL: only the size).  s must be flushed.  Can't fail. */
size_t ds_sens_pack(ds_sens *s, void *buf, size_t cap);

/* dst += the totals packed by ds_sens_pack from an accumulator of the same
 * model (the same bytes as ds_sens_merge of it).  DS_OK, DS_EINVAL when
 * the bytes are not such totals, or DS_ENOMEM. */
int ds_sens_merge_packed(ds_sens *dst, const void *buf, size_t len);

/* Number of draws added. */
uint64_t ds_sens_draws(const ds_sens *s);

/* A run hook (run.h) that adds every draw of a run to `total` through one
 * ds_sens_new_like accumulator per worker (h->ctx = total). */
void ds_sens_hook(ds_sens *total, ds_run_hook *h);

/* Number of inputs, and the number of bins of input j (DS_SENS_BINS for a
 * continuous one, its values of nonzero weight for a discrete one). */
size_t ds_sens_n_inputs(const ds_sens *s);
size_t ds_sens_input_bins(const ds_sens *s, size_t j);

/* The bin of value x of input j: min(floor(20 F(x)), 19) with F =
 * ds_dist_cdf of the input's dist (exactly: computed from precomputed
 * bin edges, with the CDF itself near an edge), or the index of x among a
 * discrete input's values of nonzero weight in increasing order (the
 * nearest value below x for a value it cannot take). */
size_t ds_sens_bin(const ds_sens *s, size_t j, double x);

/* One result row (SPEC §11): NaN marks an empty figure. */
typedef struct ds_sens_row {
    size_t strategy;          /* index in the model */
    ds_sens_outcome outcome;
    size_t input;             /* index among the inputs (ds_engine_input) */
    double index;             /* bias-corrected first-order index, or NaN
                                 when the outcome did not vary (or there
                                 were no more draws than bins) */
    double low, high, swing;  /* mean outcome over the lowest and highest
                                 tenth of the input (NaN without draws
                                 there), high - low */
    size_t rank;              /* 1-based, by |swing| descending */
} ds_sens_row;

/* The rows of every (strategy, outcome, input), in SPEC §11's order:
 * strategies in model order, outcomes in ds_sens_outcome order, inputs by
 * |swing| descending (NaN last; ties in input order).  *rows (caller frees
 * with free()) gets n_strategies * DS_SENS_N_OUTCOMES * n_inputs rows, *n
 * their number.  s must be flushed.  DS_OK or DS_ENOMEM. */
int ds_sens_rows(const ds_sens *s, ds_sens_row **rows, size_t *n);

/* Mean of outcome o of strategy k over all draws (NaN without draws). */
double ds_sens_mean(const ds_sens *s, size_t k, ds_sens_outcome o);

/* ---- writers (DS_OK, or DS_EIO with errno from the failed write) ------- */

/* The CSV: header "strategy,outcome,input,index,low,high,swing,rank" and
 * the rows of ds_sens_rows (numbers as every dealsim CSV, empty when NaN);
 * then fflush.  DS_ENOMEM too. */
int ds_sens_csv(const ds_model *m, const ds_sens *s, FILE *f);

/* The JSON: run metadata, the inputs (path, kind, bins) and per strategy
 * and outcome the mean and the rows in rank order; then fflush.  DS_ENOMEM
 * too. */
int ds_sens_json(const ds_model *m, const ds_sens *s, const ds_run_meta *meta,
                 FILE *f);

/* The terminal tornado (SPEC §11): per strategy (only strategy `only`
 * when it is < n_strategies), the top `top` inputs of deal and of benefit,
 * no line wider than DS_OUTPUT_TABLE_WIDTH characters, with a note on how
 * to read it; then fflush.  DS_ENOMEM too. */
int ds_sens_table(const ds_model *m, const ds_sens *s, const ds_run_meta *meta,
                  size_t only, size_t top, FILE *f);

#endif /* DEALSIM_SENS_H */
