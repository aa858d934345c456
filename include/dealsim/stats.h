/*
 * stats.h - exact, mergeable, constant-memory summaries of many draws (SPEC §6).
 *
 * Draws are added in fixed blocks (the run module decides the block
 * boundaries from the draw index alone, never from threads).  Within a block,
 * sums are plain doubles in draw order; ds_stats_flush folds them into exact
 * (fixed-point superaccumulator) totals, so adding blocks in any order, on any
 * thread or process, and merging the partial accumulators in any order gives
 * bit-identical totals.  Each value's minimum and maximum are kept too
 * (exact, so order-free): they make the figures of a constant exact.  Quantiles come from a mergeable histogram with exact
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

/* Most bytes the accumulators of one strategy of m take, for sizing runs
 * of many strategies: with bins = 1, once every quantile histogram has its
 * bins (any run of many draws of a varied scenario); with bins = 0, as made
 * by ds_stats_new (and while the values stay few).  Can't fail. */
size_t ds_stats_strategy_bytes(const ds_model *m, int bins);

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
 * be called after the last draw of every block (and before merge/summary).
 * Returns DS_OK, or DS_ERANGE when some value of the block was not finite or
 * beyond +-DS_OUTCOME_MAX (engine.h): a runtime failure, to be reported by
 * draw with ds_engine_check; the block is folded in all the same.  The
 * check costs nothing per draw: NaN and infinities reach the block's sums,
 * and every value's block min and max are kept anyway (see ds_stats_value).
 * Returns DS_ENOMEM when a quantile histogram needed its bins in the block
 * and could not have them (each allocates them once, when its values first
 * take more than a few distinct values): the statistics are then wrong and
 * the run must fail. */
int ds_stats_flush(ds_stats *s);

/* dst += src (both flushed, same model).  Exact: merging in any order gives
 * the same bits.  Returns DS_OK, DS_EINVAL when the shapes differ, or
 * DS_ENOMEM when dst's histograms needed bins and could not have them
 * (dst is then wrong). */
int ds_stats_merge(ds_stats *dst, const ds_stats *src);

/* The statistics s (flushed) as bytes, for another process of the same
 * run (SPEC §14): returns the bytes they take, and writes them to buf when
 * cap is at least that (buf NULL: only the size).  Can't fail. */
size_t ds_stats_pack(const ds_stats *s, void *buf, size_t cap);

/* Make s (made for a model of the same shape as the packed statistics')
 * the statistics packed at buf[0..len), as ds_stats_pack wrote them, so
 * that merging s gives the bytes merging the originals would.  Returns
 * DS_OK, DS_EINVAL (s reset) when buf does not hold such statistics, or
 * DS_ENOMEM (s reset) when a histogram's bins cannot be allocated. */
int ds_stats_unpack(ds_stats *s, const void *buf, size_t len);

/* Number of draws added. */
uint64_t ds_stats_draws(const ds_stats *s);

/*
 * What a figure of SPEC §6 is computed from.  The output columns (output.h)
 * are rows of one table, each naming its figure as a ds_stat, so that the
 * CSV, JSON, table and compare writers never compute anything themselves.
 */
typedef enum ds_quantity {    /* per-draw values of one strategy (engine.h) */
    DS_Q_TARIFF,              /* tariff, a fraction */
    DS_Q_DEFICIT,             /* deficit, bn/yr */
    DS_Q_DEFICIT_CHANGE,      /* deficit - baseline_deficit, bn/yr */
    DS_Q_BENEFIT,             /* benefit, bn/yr (0 without a deal) */
    DS_Q_CONCESSION_COST,     /* concession cost, bn/yr (0 without a deal) */
    DS_Q_DEFICIT_END,         /* deficit_end (year H), bn/yr */
    DS_Q_DEFICIT_END_CHANGE,  /* deficit_end - baseline_deficit, bn/yr */
    DS_Q_BENEFIT_GIVEN_DEAL,  /* benefit over the draws with a deal only:
                                 its mean and quantiles are over those */
    DS_Q_RETALIATION_COST,    /* per third party: retaliation cost, bn/yr
                                 (the last: values are numbered by it) */
    DS_N_QUANTITIES
} ds_quantity;

typedef enum ds_count {       /* integer counts of one strategy */
    DS_C_DEALS,               /* draws with a deal */
    DS_C_ROUNDS,              /* sum of the deal round over those draws */
    DS_C_DEALS_IN_EXTENSION,  /* draws with a deal after round
                                 protocol.rounds (SPEC §5.6 extension) */
    DS_C_LOSSES,              /* draws with a deal and benefit < 0 */
    DS_C_RETALIATIONS,        /* per third party: draws it retaliated in */
    DS_C_EVALUATIONS,         /* per actor: evaluations (SPEC §5.6) */
    DS_C_APPROVALS,           /* per actor: approvals */
    DS_N_COUNTS
} ds_count;

typedef enum ds_stat_kind {
    DS_STAT_DRAWS,            /* n, the number of draws */
    DS_STAT_MEAN,             /* mean of quantity q over all draws */
    DS_STAT_SE,               /* its standard error: sd (n - 1) / sqrt(n) */
    DS_STAT_QUANTILE,         /* Hyndman-Fan type 7 quantile p of quantity q */
    DS_STAT_SHARE,            /* count c / n, a probability */
    DS_STAT_SHARE_SE,         /* sqrt(p (1 - p) / n) of that share */
    DS_STAT_RATIO             /* count c / count per (per: the same party
                                 or actor as c, or one count of the
                                 strategy, such as DS_C_DEALS) */
} ds_stat_kind;

typedef struct ds_stat {
    ds_stat_kind kind;
    ds_quantity q;            /* MEAN, SE, QUANTILE */
    ds_count c;               /* SHARE, SHARE_SE, RATIO (numerator) */
    ds_count per;             /* RATIO: denominator */
    double p;                 /* QUANTILE: order in [0, 1] */
} ds_stat;

/* 1 if the statistics keep what figure st needs (a standard error exists
 * for the deficit and the benefit, quantiles for the deficit, deficit_end,
 * benefit and benefit given a deal), else 0. */
int ds_stats_supports(const ds_stat *st);

/* 1 if quantity q or count c has one value per third party (index = party)
 * or per actor (index = actor); they are the only ones with an index. */
int ds_quantity_per_third(ds_quantity q);
int ds_count_per_third(ds_count c);
int ds_count_per_actor(ds_count c);

/*
 * Figure st of strategy k (s flushed); `index` is the third party or actor
 * of a per-party or per-actor quantity or count, else ignored.  NaN marks
 * a figure with no value (a ratio over a zero count: round_mean without a
 * deal, approve_a without an evaluation; anything of zero draws), or one
 * that st does not support.  The mean of a quantity that took one value v
 * in every draw is exactly v, and its standard error exactly 0 (exact block
 * minima and maxima show it); other means are the exact total of the
 * blocks' partial sums over n.  The figures of SPEC §6 are listed once,
 * as the rows of the output column table (output.h).
 */
double ds_stats_value(const ds_stats *s, size_t k, const ds_stat *st, size_t index);

/* Draws of strategy k whose deal came in round r (1-based); 0 for a round
 * beyond DS_MAX_ROUNDS, which bounds every deal round (SPEC §3.1: rounds +
 * extension.rounds <= 1000). */
uint64_t ds_stats_round_count(const ds_stats *s, size_t k, int r);

/* The last round in which some strategy made a deal, 0 if none did. */
int ds_stats_last_round(const ds_stats *s);

/* Most bins of a plotting histogram (SPEC §6 v2). */
#define DS_STATS_HIST_BINS 64

/*
 * The plotting histogram of quantity q of strategy k (SPEC §6 v2; q one
 * with quantiles, see ds_stats_supports): equal-width bins of width 2^w
 * aligned at multiples of 2^w, for the smallest w that needs at most
 * DS_STATS_HIST_BINS bins from the minimum to the maximum (and keeps every
 * edge an exact double).  They are groups of adjacent bins of the quantile
 * histogram (of width 2^e, aligned likewise, so a group of 2^(w - e) of
 * them is one such bin), so the counts are exact and, like everything
 * here, independent of how the draws were split and merged.
 * edges[0..nb] and counts[0..nb-1] get the edges (bn/yr) and counts (bin
 * j holds the values in [edges[j], edges[j + 1])); the return is nb, 0
 * when q has no value (no draw, or no deal for the benefit given a deal)
 * or has no histogram.  A quantity that took one value v in every draw
 * has one bin with both edges v.
 */
size_t ds_stats_histogram(const ds_stats *s, size_t k, ds_quantity q,
                          double edges[DS_STATS_HIST_BINS + 1],
                          uint64_t counts[DS_STATS_HIST_BINS]);

#endif /* DEALSIM_STATS_H */
