/*
 * stats.h - exact, mergeable, constant-memory summaries of many draws (SPEC §6).
 *
 * Draws are added in fixed blocks (the run module decides the block
 * boundaries from the draw index alone, never from threads).  Within a block,
 * sums are plain doubles in draw order; ds_stats_flush folds them into exact
 * (fixed-point superaccumulator) totals, so adding blocks in any order, on any
 * thread or process, and merging the partial accumulators in any order gives
 * bit-identical totals.  Quantiles come from a mergeable histogram with exact
 * per-bin min/max whose contents depend only on the multiset of values; its
 * error is below 0.1% of the observed range (SPEC §6).  Memory does not grow
 * with the number of draws.
 */
#ifndef DEALSIM_STATS_H
#define DEALSIM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "dealsim/model.h"
#include "dealsim/engine.h"

typedef struct ds_stats ds_stats;

/* Accumulators for every strategy, third party and actor of m (m must
 * outlive it).  NULL on no memory. */
ds_stats *ds_stats_new(const ds_model *m);

/* Free.  s may be NULL.  Can't fail. */
void ds_stats_free(ds_stats *s);

/* Forget every draw added: s becomes as made by ds_stats_new.  Can't fail. */
void ds_stats_reset(ds_stats *s);

/* Reset s and make it the accumulator of model m (which must outlive it),
 * reusing its memory: as ds_stats_new(m), much cheaper.  Returns DS_OK, or
 * DS_EINVAL (s unchanged) when m has other numbers of strategies, third
 * parties or actors than the model s was made for. */
int ds_stats_rebind(ds_stats *s, const ds_model *m);

/* Add one draw: out[0..n_strategies-1] as returned by ds_engine_draw. */
void ds_stats_add(ds_stats *s, const ds_outcome *out);

/* End the current block: fold its partial sums into the exact totals.  Must
 * be called after the last draw of every block (and before merge/summary). */
void ds_stats_flush(ds_stats *s);

/* dst += src (both flushed, same model).  Exact: merging in any order gives
 * the same bits.  Returns DS_OK, or DS_EINVAL when the shapes differ. */
int ds_stats_merge(ds_stats *dst, const ds_stats *src);

/* Number of draws added. */
uint64_t ds_stats_draws(const ds_stats *s);

/* The §6 summary of one strategy.  NaN marks an empty cell (round_mean with
 * no deal, approve_a with no evaluation). */
typedef struct ds_summary {
    uint64_t draws;
    double p_deal, p_deal_se, round_mean, tariff_mean;
    double deficit_mean, deficit_se, deficit_p05, deficit_p50, deficit_p95;
    double deficit_change_mean;
    double benefit_mean, benefit_se, benefit_p05, benefit_p50, benefit_p95;
    double concession_cost_mean;
    double *p_retaliation;        /* [n_third], caller-provided */
    double *retaliation_cost_mean;/* [n_third], caller-provided */
    double *approve;              /* [n_actors], caller-provided */
} ds_summary;

/* Fill *row for strategy k.  row's three arrays must be set by the caller
 * (sizes n_third, n_third, n_actors).  s must be flushed. */
void ds_stats_summary(const ds_stats *s, size_t k, ds_summary *row);

#endif /* DEALSIM_STATS_H */
