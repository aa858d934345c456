/*
 * stats.c - the §6 summary, accumulated exactly and mergeably (SPEC §6, §7).
 *
 * Per draw, ds_stats_add adds to plain double partial sums (in draw order),
 * exact integer counts (the deal round's distribution too), the block's min
 * and max of every value and up to four quantile histograms per strategy
 * (the deficit, deficit_end, the benefit, and the benefit over the draws
 * with a deal).  At the end of each block ds_stats_flush
 * checks the block (finite, within +-DS_OUTCOME_MAX) and folds the partials
 * into exact superaccumulator totals (xsum.h), so totals do not depend on
 * which thread or process ran a block, nor on merge order.  Memory is fixed
 * at ds_stats_new.
 *
 * Held values.  ds_stats_add does not add to the histograms itself: it
 * keeps each histogram's values of the block in a buffer of its own, and
 * ds_stats_flush (or a full buffer) adds them with ds_qhist_add_many, one
 * histogram after the other.  A histogram depends only on its multiset, so
 * the bytes are the same; but the bins of one histogram (tens of KB, and
 * there are three per strategy) stay in the cache while its values go in,
 * where one value per histogram per draw finds them evicted by the other
 * histograms and the engine, and a batch fixes the bins' width once.
 *
 * Why the min and max: a block's partial sum of a constant c is not n c
 * (0.1 added 4096 times is not 409.6), so the exact total of the partials,
 * over n, is c only to within a few ulps, and S2 - S1^2/n of a constant is
 * a rounding residue, not 0.  A value whose exact min equals its exact max
 * took one value in every draw: its mean is that value and its SE is 0.
 */
#include "dealsim/stats.h"
#include "dealsim/error.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "qhist.h"
#include "xsum.h"

/* Double sums per strategy, then one retaliation cost per third party.  The
 * deficit is summed plain (for its mean) and shifted by c = D-bar (for its
 * SE, so that S2 - S1^2/n does not cancel); the benefit's shift is 0. */
enum {
    SUM_TARIFF,        /* tariff */
    SUM_DEFICIT,       /* deficit */
    SUM_DEF1,          /* deficit - D-bar */
    SUM_DEF2,          /* (deficit - D-bar)^2 */
    SUM_DCHANGE,       /* deficit_change */
    SUM_BENEFIT,       /* benefit */
    SUM_BEN2,          /* benefit^2 */
    SUM_CONCESSION,    /* concession_cost */
    SUM_DEND,          /* deficit_end */
    SUM_DENDCHANGE,    /* deficit_end_change */
    SUM_BENDEAL,       /* benefit, over the draws with a deal */
    SUM_RETCOST        /* first of n_third retaliation costs */
};

/* Integer counts per strategy, then n_third retaliations, then n_actors
 * evaluations, then n_actors approvals, then DS_MAX_ROUNDS deals by round
 * (SPEC §3.1 bounds every deal round, extension included, by 1000: a fixed
 * size, so the counts need not know the protocol). */
enum {
    CNT_DEALS,         /* draws with a deal */
    CNT_ROUNDS,        /* sum of the deal round over those draws */
    CNT_EXT,           /* deals after round protocol.rounds */
    CNT_LOSS,          /* deals with benefit < 0 */
    CNT_RET            /* first of the retaliation counts */
};

/* Histograms per strategy.  HIST_DEND is used only once deficit_end has
 * differed from the deficit in some draw (`split`): until then the two
 * multisets are the same, and HIST_DEFICIT stands for both.  With a
 * one-year horizon they never differ, and each draw adds to one histogram
 * fewer (a histogram per strategy is a large part of the cache the hot
 * path uses).  The benefit has no histogram of its own: its multiset is
 * the benefit over the draws with a deal (HIST_BENDEAL) and a 0 for every
 * draw without one (SPEC §5.4), and a histogram depends only on its
 * multiset (qhist.h), so HIST_BENEFIT is made from those when asked
 * (benefit_of): byte for byte what adding every benefit would give, with
 * a quarter less memory and one add fewer per draw. */
enum { HIST_DEFICIT, HIST_DEND, HIST_BENDEAL, N_HIST, HIST_BENEFIT = N_HIST };

/* Values held per histogram before they are added to it (see Held values
 * above): a whole block of a sweep point of up to this many draws goes in
 * as one batch, and a longer block in batches of this many.  Larger
 * batches gain little once the bins stay in the cache through a batch,
 * and the buffers cost N_HIST * 8 KB per strategy. */
#define HELD_MAX 1024

/* Where each quantity is kept: its plain sum, the shifted sums of its SE
 * (-1: none), its histogram (-1: none), and whether it is over the draws
 * with a deal only (its mean is then over their number).  A per-third-party
 * quantity has n_third consecutive sums from `sum`.  Values with a min and
 * max are numbered as the quantities, the per-party ones last (index
 * DS_Q_... + q). */
static const struct {
    int sum, se1, se2, hist, given_deal;
} where[DS_N_QUANTITIES] = {
    [DS_Q_TARIFF] = {SUM_TARIFF, -1, -1, -1, 0},
    [DS_Q_DEFICIT] = {SUM_DEFICIT, SUM_DEF1, SUM_DEF2, HIST_DEFICIT, 0},
    [DS_Q_DEFICIT_CHANGE] = {SUM_DCHANGE, -1, -1, -1, 0},
    [DS_Q_BENEFIT] = {SUM_BENEFIT, SUM_BENEFIT, SUM_BEN2, HIST_BENEFIT, 0},
    [DS_Q_CONCESSION_COST] = {SUM_CONCESSION, -1, -1, -1, 0},
    [DS_Q_DEFICIT_END] = {SUM_DEND, -1, -1, HIST_DEND, 0},
    [DS_Q_DEFICIT_END_CHANGE] = {SUM_DENDCHANGE, -1, -1, -1, 0},
    [DS_Q_BENEFIT_GIVEN_DEAL] = {SUM_BENDEAL, -1, -1, HIST_BENDEAL, 1},
    [DS_Q_RETALIATION_COST] = {SUM_RETCOST, -1, -1, -1, 0},
};

/* The block's partial sums and extremes of strategy k are one row of
 * doubles, blk[k * nblk ...], in an order of their own, so that ds_stats_add
 * takes them two at a time (see pair below): the row's sums (BS_*; the
 * totals keep the SUM_* order, sum_of maps), then the min of each value
 * (BX_*; value_of maps to the DS_Q_* order of the totals' extremes), then
 * the max in the same order.  A pair comes from two fields of the outcome
 * and goes to two adjacent doubles of the row.  The per-party values are
 * last in both, as in the totals, so that they are BS_RETCOST + q and
 * BX_RETCOST + q. */
enum {
    BS_TARIFF, BS_DEFICIT,         /* pair: tariff, deficit */
    BS_DCHANGE, BS_DEND,           /* pair: deficit_change, deficit_end */
    BS_DENDCHANGE, BS_CONCESSION,  /* pair: deficit_end_change, concession_cost */
    BS_DEF1, BS_BENEFIT,           /* pair: deficit - D-bar, benefit - 0 */
    BS_DEF2, BS_BEN2,              /* pair: their squares */
    BS_BENDEAL,                    /* benefit, over the draws with a deal */
    BS_RETCOST                     /* first of n_third retaliation costs */
};
_Static_assert((int)BS_RETCOST == (int)SUM_RETCOST, "the per-party sums come last in both orders");

static const int sum_of[BS_RETCOST] = {
    [BS_TARIFF] = SUM_TARIFF, [BS_DEFICIT] = SUM_DEFICIT, [BS_DCHANGE] = SUM_DCHANGE,
    [BS_DEND] = SUM_DEND, [BS_DENDCHANGE] = SUM_DENDCHANGE,
    [BS_CONCESSION] = SUM_CONCESSION, [BS_DEF1] = SUM_DEF1, [BS_BENEFIT] = SUM_BENEFIT,
    [BS_DEF2] = SUM_DEF2, [BS_BEN2] = SUM_BEN2, [BS_BENDEAL] = SUM_BENDEAL,
};

enum {
    BX_TARIFF, BX_DEFICIT,         /* pair: tariff, deficit */
    BX_DCHANGE, BX_DEND,           /* pair: deficit_change, deficit_end */
    BX_DENDCHANGE, BX_CONCESSION,  /* pair: deficit_end_change, concession_cost */
    BX_BENEFIT, BX_BENDEAL,        /* benefit; benefit over the draws with a deal */
    BX_RETCOST                     /* first of n_third retaliation costs */
};
_Static_assert((int)BX_RETCOST == (int)DS_Q_RETALIATION_COST,
               "the per-party values come last in both orders");

static const int value_of[BX_RETCOST] = {
    [BX_TARIFF] = DS_Q_TARIFF, [BX_DEFICIT] = DS_Q_DEFICIT,
    [BX_DCHANGE] = DS_Q_DEFICIT_CHANGE, [BX_DEND] = DS_Q_DEFICIT_END,
    [BX_DENDCHANGE] = DS_Q_DEFICIT_END_CHANGE, [BX_CONCESSION] = DS_Q_CONCESSION_COST,
    [BX_BENEFIT] = DS_Q_BENEFIT, [BX_BENDEAL] = DS_Q_BENEFIT_GIVEN_DEAL,
};

struct ds_stats {
    const ds_model *m;
    size_t ns, nq, na;     /* strategies, third parties, actors */
    size_t nsum, ncnt;     /* doubles and counts per strategy */
    size_t nval;           /* values with a min and max per strategy */
    size_t nblk;           /* doubles of a strategy's row of blk:
                              nsum + 2 * nval */
    size_t rdist;          /* index of round 1's count in a counts row */
    double shift;          /* D-bar, SPEC §5.2 */
    int rounds;            /* protocol.rounds: later deals are in an
                              extension */
    uint64_t draws;        /* all draws added */
    uint64_t pending;      /* draws added since the last flush */
    int clean;             /* empty since the last reset: nothing but adds
                              (counted in pending) changed it */
    double *blk;           /* [ns * nblk] the block's partial sums, and
                              min and max of each value (+inf, -inf when
                              empty), in the row order above */
    ds_xsum *tot;          /* [ns * nsum] exact totals of flushed blocks */
    double *tlo, *thi;     /* [ns * nval] the min and max of each value
                              over flushed blocks */
    uint64_t *cnt;         /* [ns * ncnt] */
    size_t rhi;            /* rounds 1..rhi are the only ones whose counts
                              (of deals) may be nonzero: what a reset
                              empties and a merge adds */
    ds_qhist *hist;        /* [ns * N_HIST] */
    double *held;          /* [ns * N_HIST * HELD_MAX] values not yet in
                              hist[i] are held[i * HELD_MAX ...] */
    size_t *nheld;         /* [ns * N_HIST] how many */
    unsigned char *split;  /* [ns] deficit_end != deficit in some draw */
    uint64_t version;      /* changes whenever the statistics may have
                              (see benefit_of) */
};

/* Versions of statistics, unique over all objects of the process, so a
 * cached derived histogram is never taken for another's. */
static _Atomic uint64_t versions;

static void touch(ds_stats *s)
{
    s->version = ++versions;
    s->clean = 0;
}

/* Extremes of no value: min +inf, max -inf. */
static void empty_extremes(double *lo, double *hi, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lo[i] = INFINITY;
        hi[i] = -INFINITY;
    }
}

/* Empty the block: every partial sum +0, every min +inf and max -inf. */
static void empty_block(ds_stats *s)
{
    for (size_t k = 0; k < s->ns; k++) {
        double *r = s->blk + k * s->nblk;
        memset(r, 0, s->nsum * sizeof *r);
        empty_extremes(r + s->nsum, r + s->nsum + s->nval, s->nval);
    }
}

ds_stats *ds_stats_new(const ds_model *m)
{
    ds_stats *s = calloc(1, sizeof *s);
    size_t cells;

    if (!s)
        goto fail;
    s->m = m;
    s->ns = m->n_strategies;
    s->nq = m->n_third;
    s->na = m->n_actors;
    s->nsum = SUM_RETCOST + s->nq;
    s->rdist = CNT_RET + s->nq + 2 * s->na;
    s->ncnt = s->rdist + DS_MAX_ROUNDS;
    s->rounds = m->protocol.rounds;
    s->nval = DS_Q_RETALIATION_COST + s->nq;
    s->nblk = s->nsum + 2 * s->nval;
    s->shift = m->baseline_mean;
    cells = s->ns * s->nsum;
    /* + 1: calloc(0) may return NULL, and a model has >= 1 strategy anyway. */
    s->blk = malloc(s->ns * s->nblk * sizeof *s->blk);
    s->tot = calloc(cells + 1, sizeof *s->tot);
    s->cnt = calloc(s->ns * s->ncnt + 1, sizeof *s->cnt);
    s->hist = calloc(s->ns * N_HIST + 1, sizeof *s->hist);
    s->tlo = calloc(2 * s->ns * s->nval + 1, sizeof *s->tlo);
    s->split = calloc(s->ns + 1, 1);
    s->held = malloc(s->ns * N_HIST * HELD_MAX * sizeof *s->held);
    s->nheld = calloc(s->ns * N_HIST, sizeof *s->nheld);
    if (!s->blk || !s->tot || !s->cnt || !s->hist || !s->tlo || !s->split || !s->held ||
        !s->nheld)
        goto fail;
    s->thi = s->tlo + s->ns * s->nval;
    for (size_t i = 0; i < cells; i++)
        ds_xsum_init(&s->tot[i]);
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        ds_qhist_init(&s->hist[i]);
    empty_block(s);
    empty_extremes(s->tlo, s->thi, s->ns * s->nval);
    touch(s);
    return s;
fail:
    ds_stats_free(s);
    return NULL;
}

size_t ds_stats_strategy_bytes(const ds_model *m, int bins)
{
    size_t nsum = SUM_RETCOST + m->n_third;
    size_t ncnt = CNT_RET + m->n_third + 2 * m->n_actors + DS_MAX_ROUNDS;
    size_t nval = DS_Q_RETALIATION_COST + m->n_third;
    size_t hist = sizeof(ds_qhist) +
                  (bins ? DS_QHIST_BINS * (sizeof(ds_qhist_bin) + sizeof(ds_qhist_ends)) : 0);
    size_t held = HELD_MAX * sizeof(double) + sizeof(size_t);
    return nsum * (sizeof(double) + sizeof(ds_xsum)) + ncnt * sizeof(uint64_t) +
           4 * nval * sizeof(double) + N_HIST * (hist + held) + 1;
}

void ds_stats_free(ds_stats *s)
{
    if (!s)
        return;
    free(s->blk);
    free(s->tot);
    free(s->cnt);
    for (size_t i = 0; s->hist && i < s->ns * N_HIST; i++)
        ds_qhist_free(&s->hist[i]);
    free(s->hist);
    free(s->tlo);
    free(s->split);
    free(s->held);
    free(s->nheld);
    free(s);
}

void ds_stats_reset(ds_stats *s)
{
    size_t cells = s->ns * s->nsum;

    if (s->clean && !s->pending) {
        /* Empty already (a run's worker goes on with the empty total of a
         * point it swapped for its statistics, and rebinds statistics it
         * reset): no bytes to clear. */
        touch(s);
        s->clean = 1;
        return;
    }
    empty_block(s);
    for (size_t i = 0; i < cells; i++)
        ds_xsum_init(&s->tot[i]);
    for (size_t k = 0; k < s->ns; k++)
        memset(s->cnt + k * s->ncnt, 0, (s->rdist + s->rhi) * sizeof *s->cnt);
    s->rhi = 0;
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        ds_qhist_reset(&s->hist[i]);
    memset(s->nheld, 0, s->ns * N_HIST * sizeof *s->nheld);
    memset(s->split, 0, s->ns);
    empty_extremes(s->tlo, s->thi, s->ns * s->nval);
    s->draws = 0;
    s->pending = 0;
    touch(s);
    s->clean = 1;
}

int ds_stats_rebind(ds_stats *s, const ds_model *m)
{
    if (m->n_strategies != s->ns || m->n_third != s->nq || m->n_actors != s->na)
        return DS_EINVAL;
    ds_stats_reset(s);        /* a new version; clears nothing when empty */
    s->m = m;
    s->shift = m->baseline_mean;
    s->rounds = m->protocol.rounds;
    return DS_OK;
}

/* Add the held values of histogram i (hist[i]) to it.  The statistics'
 * contents do not change (a held value counts as in its histogram), so this
 * is done for readers of const statistics too, through the pointers: a
 * no-op, with no write, when nothing is held (flushed statistics).  May set
 * the histogram's nomem. */
static void release(const ds_stats *s, size_t i)
{
    if (s->nheld[i]) {
        ds_qhist_add_many(&s->hist[i], s->held + i * HELD_MAX, s->nheld[i]);
        s->nheld[i] = 0;
    }
}

/* At a flush: the held values of a histogram in bins go in; those of a
 * histogram that keeps its values exactly stay held, and the quantile
 * readers see them through a view (quantile_of), so that a small run (a
 * sweep point of up to HELD_MAX draws) never empties or fills a window of
 * bins.  Such a histogram gets the memory of its bins now if the held
 * values may need them (more distinct values than it keeps), so that
 * adding them later, in a reader, cannot run out of memory (hist_status
 * reports it here). */
static void keep_small(ds_stats *s)
{
    for (size_t i = 0; i < s->ns * N_HIST; i++) {
        ds_qhist *h = &s->hist[i];
        if (!s->nheld[i])
            continue;
        if (h->binned)
            release(s, i);
        else if (h->nv + s->nheld[i] > DS_QHIST_DISTINCT)
            (void)ds_qhist_reserve(h);
    }
}

/* Every histogram's held values to it. */
static void release_all(const ds_stats *s)
{
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        release(s, i);
}

/* Hold x for histogram i, adding the held values first when they fill
 * their buffer. */
static inline void hold(ds_stats *s, size_t i, double x)
{
    size_t n = s->nheld[i];
    if (n == HELD_MAX) {
        release(s, i);
        n = 0;
    }
    s->held[i * HELD_MAX + n] = x;
    s->nheld[i] = n + 1;
}

/* Strategy k's deficit_end differs from its deficit for the first time:
 * its histogram starts as a copy of the deficit's (the same multiset so
 * far, held values included).  Can't fail. */
static void split_dend(ds_stats *s, size_t k)
{
    ds_qhist *h = s->hist + k * N_HIST;
    release(s, k * N_HIST + HIST_DEFICIT);
    ds_qhist_copy(&h[HIST_DEND], &h[HIST_DEFICIT]);
    s->split[k] = 1;
}

/* The benefit's histogram of strategy k (see HIST_BENEFIT): made in
 * storage of the calling thread, and kept there while the same
 * statistics, unchanged, are asked again (the quantile columns come one
 * after the other).  Valid until the thread's next call. */
static const ds_qhist *benefit_of(const ds_stats *s, size_t k)
{
    static _Thread_local ds_qhist_bin bin[DS_QHIST_BINS];
    static _Thread_local ds_qhist_ends end[DS_QHIST_BINS];
    static _Thread_local ds_qhist h;
    static _Thread_local uint64_t h_version, h_draws;
    static _Thread_local size_t h_k;
    static _Thread_local int made;
    const uint64_t deals = s->cnt[k * s->ncnt + CNT_DEALS];

    if (made && h_version == s->version && h_draws == s->draws && h_k == k)
        return &h;
    if (!made)
        ds_qhist_init_with(&h, bin, end);
    else
        ds_qhist_reset(&h);
    ds_qhist_copy(&h, &s->hist[k * N_HIST + HIST_BENDEAL]);
    ds_qhist_add_count(&h, 0.0, s->draws - deals);
    made = 1;
    h_version = s->version;
    h_draws = s->draws;
    h_k = k;
    return &h;
}

/* The index in s->hist of the histogram of quantity q of strategy k, or
 * -1 when q has none (HIST_BENEFIT: made by benefit_of). */
static int hist_index(const ds_stats *s, size_t k, ds_quantity q)
{
    int i = where[q].hist;
    if (i == HIST_DEND && !s->split[k])
        i = HIST_DEFICIT;
    return i;
}

/* The histogram of quantity q of strategy k, or NULL when q has none. */
static const ds_qhist *hist_of(const ds_stats *s, size_t k, ds_quantity q)
{
    int i = hist_index(s, k, q);
    if (i < 0)
        return NULL;
    if (i == HIST_BENEFIT) {
        release(s, k * N_HIST + HIST_BENDEAL);
        return benefit_of(s, k);
    }
    release(s, k * N_HIST + (size_t)i);
    return &s->hist[k * N_HIST + (size_t)i];
}

/* Quantile p of histogram i, which keeps its values exactly and holds
 * more (see keep_small), with `zeros` copies of 0 besides (the benefit of
 * the draws without a deal: see HIST_BENEFIT), through a view of them all
 * made in storage of the calling thread, kept while the same statistics,
 * unchanged, are asked again. */
static double held_quantile(const ds_stats *s, size_t i, uint64_t zeros, double p)
{
    static _Thread_local ds_qhist_view v;
    static _Thread_local ds_qhist_cursor c;
    static _Thread_local uint64_t v_version, v_draws, v_zeros;
    static _Thread_local size_t v_i;
    static _Thread_local const ds_stats *v_s;

    if (v_s != s || v_version != s->version || v_draws != s->draws || v_i != i ||
        v_zeros != zeros) {
        (void)ds_qhist_view_make(&v, &s->hist[i], s->held + i * HELD_MAX, s->nheld[i],
                                 zeros);
        c.i = 0;
        c.cum = 0;
        v_s = s;
        v_version = s->version;
        v_draws = s->draws;
        v_i = i;
        v_zeros = zeros;
    }
    return ds_qhist_view_quantile(&v, p, &c);
}

/* Bins summed at a time by the walks below. */
#define WALK_STEP 8

/* The first bin index j >= i (i <= hi_i; cum values before bin i, cum <
 * r <= h->n) whose bin holds finite rank r; *cum becomes the values
 * before it.  Bins are summed WALK_STEP at a time while the rank lies
 * beyond them (the slots are a ring: in runs up to its end). */
static int64_t walk_up(const ds_qhist *h, int64_t i, uint64_t *cum, uint64_t r)
{
    uint64_t c = *cum;
    for (;;) {
        size_t slot = DS_QHIST_SLOT(i);
        int64_t run = (int64_t)(DS_QHIST_BINS - slot), j = 0;
        const ds_qhist_bin *b = h->bin + slot;
        if (run > h->hi_i - i + 1)
            run = h->hi_i - i + 1;
        for (; j + WALK_STEP <= run; j += WALK_STEP) {
            uint64_t t = 0;
            for (int u = 0; u < WALK_STEP; u++)
                t += b[j + u].n;
            if (c + t >= r)
                break;
            c += t;
        }
        for (; j < run; j++) {
            if (c + b[j].n >= r) {
                *cum = c;
                return i + j;
            }
            c += b[j].n;
        }
        i += run;   /* the counts add up to n >= r: not past hi_i */
    }
}

/* The same from the top down: the last bin index j <= hi_i whose bin
 * holds finite rank r (1 <= r <= h->n); *cum becomes the values before
 * it. */
static int64_t walk_down(const ds_qhist *h, uint64_t *cum, uint64_t r)
{
    uint64_t above = 0, want = h->n - r;   /* bin j: above + n_j > want */
    int64_t i = h->hi_i;
    for (;;) {
        size_t slot = DS_QHIST_SLOT(i);
        int64_t run = (int64_t)slot + 1, j = 0;   /* slots slot, slot - 1, ... 0 */
        const ds_qhist_bin *b = h->bin + slot;
        if (run > i - h->lo_i + 1)
            run = i - h->lo_i + 1;
        for (; j + WALK_STEP <= run; j += WALK_STEP) {
            uint64_t t = 0;
            for (int u = 0; u < WALK_STEP; u++)
                t += b[-(j + u)].n;
            if (above + t > want)
                break;
            above += t;
        }
        for (; j < run; j++) {
            uint64_t nb = b[-j].n;
            if (above + nb > want) {
                *cum = h->n - above - nb;
                return i - j;
            }
            above += nb;
        }
        i -= run;
    }
}

/* Move cursor c of histogram h to the bin that holds the order statistic
 * that quantile p needs first, so that ds_qhist_quantile_at finds it
 * there: from c when it lies before it (from the bottom otherwise), or
 * from the top when the rank is nearer the top (the output's p95 after
 * its p50).  A cursor is where a walk stopped: the finite values before
 * bin index c->i number c->cum; these walks sum bins several at a time.
 * The quantile does not depend on the cursor (qhist.h), only its cost
 * does.  Kept values (not binned) are few: left to the plain walk. */
static void place_cursor(const ds_qhist *h, double p, ds_qhist_cursor *c)
{
    uint64_t total = h->n + h->n_pinf + h->n_ninf, k, r;

    if (!h->binned || h->n_nan || total == 0 || !(p >= 0.0 && p <= 1.0))
        return;
    k = (uint64_t)floor((double)(total - 1) * p + 1.0);   /* as ds_qhist_quantile_at */
    if (k <= h->n_ninf || k - h->n_ninf > h->n)
        return;
    r = k - h->n_ninf;        /* the rank among the finite values */
    if (c->cum >= r)
        ds_qhist_cursor_init(c, h);
    if (h->n - r < r - c->cum)
        c->i = walk_down(h, &c->cum, r);
    else
        c->i = walk_up(h, c->i, &c->cum, r);
}

/*
 * The benefit's quantiles without its histogram.  benefit_of copies the
 * histogram of the benefit given a deal, h, and adds the z zeros of the
 * draws without one: they go to bin 0, which merges them as merge_bin
 * does, and the window grows to take bin 0 in.  When h is binned and that
 * window still fits in DS_QHIST_BINS, nothing else changes (the bins'
 * width does: h's values already fit it), so the copy differs from h
 * only in bin 0, the window and n.  A zview is that difference; its
 * order statistics are h's below bin 0, bin 0's with the zeros, and h's
 * above bin 0 shifted by z ranks; the quantile is then computed as
 * ds_qhist_quantile_at computes it.  Bytes as the copy's (test_stats_read
 * compares them in every case).
 */
typedef struct zview {
    const ds_qhist *h;
    uint64_t z;          /* the zeros */
    uint64_t n;          /* finite values, h->n + z */
    uint64_t below;      /* h's values in bins below bin 0 (all < 0) */
    ds_qhist_bin b0;     /* bin 0 with the zeros */
    ds_qhist_ends e0;
} zview;

/* A zview of h and z zeros: 1, or 0 when the copy would differ otherwise
 * (h not binned, or bin 0 not within a window of DS_QHIST_BINS) or z is
 * 0 (h itself is then the benefit's histogram). */
static int zview_make(zview *v, const ds_qhist *h, uint64_t z)
{
    int64_t lo = h->lo_i < 0 ? h->lo_i : 0, hi = h->hi_i > 0 ? h->hi_i : 0;

    if (!h->binned || z == 0 || hi - lo >= DS_QHIST_BINS)
        return 0;
    v->h = h;
    v->z = z;
    v->n = h->n + z;
    v->below = 0;
    if (h->lo_i <= 0 && h->hi_i >= 0) {
        v->b0 = h->bin[DS_QHIST_SLOT(0)];
        v->e0 = h->end[DS_QHIST_SLOT(0)];
    } else {                             /* outside the window: empty */
        v->b0 = (ds_qhist_bin){0, INFINITY, -INFINITY};
        v->e0 = (ds_qhist_ends){0, 0};
    }
    v->b0.n += z;                        /* merge_bin with {z, 0, 0} */
    if (0.0 < v->b0.lo) {
        v->b0.lo = 0.0;
        v->e0.n_lo = z;
    } else if (0.0 == v->b0.lo) {
        v->e0.n_lo += z;
    }
    if (0.0 > v->b0.hi) {
        v->b0.hi = 0.0;
        v->e0.n_hi = z;
    } else if (0.0 == v->b0.hi) {
        v->e0.n_hi += z;
    }
    for (int64_t i = h->lo_i, end = h->hi_i < 0 ? h->hi_i : -1; i <= end;) {
        size_t slot = DS_QHIST_SLOT(i);      /* a run of slots up to the ring's end */
        int64_t run = (int64_t)(DS_QHIST_BINS - slot);
        if (run > end - i + 1)
            run = end - i + 1;
        for (int64_t j = 0; j < run; j++)
            v->below += h->bin[slot + (size_t)j].n;
        i += run;
    }
    return 1;
}

/* The bin of h that holds finite rank r (1 <= r <= h->n), from the
 * nearer end; *cum gets the values before it. */
static int64_t locate(const ds_qhist *h, uint64_t r, uint64_t *cum)
{
    if (h->n - r < r)
        return walk_down(h, cum, r);
    *cum = 0;
    return walk_up(h, h->lo_i, cum, r);
}

/* Where a zview's order statistic lies: its bin and the values before. */
typedef struct zplace {
    const ds_qhist_bin *b;
    const ds_qhist_ends *e;
    uint64_t cum;
} zplace;

/* Order statistic k (1-based, of all values, infinities included) of v,
 * as order_stat (qhist.c) finds it in the copy; *at gets its bin when it
 * is finite.  A rank in the bin of *at (at->b not NULL) is taken there. */
static double zview_order_stat(const zview *v, uint64_t k, zplace *at)
{
    const ds_qhist *h = v->h;
    uint64_t t;

    if (k <= h->n_ninf)
        return -INFINITY;
    k -= h->n_ninf;
    if (k > v->n)
        return INFINITY;
    if (!at->b || k <= at->cum || k > at->cum + at->b->n) {
        if (k <= v->below) {                       /* below bin 0 */
            int64_t j = locate(h, k, &at->cum);
            at->b = &h->bin[DS_QHIST_SLOT(j)];
            at->e = &h->end[DS_QHIST_SLOT(j)];
        } else if (k <= v->below + v->b0.n) {      /* bin 0 */
            at->b = &v->b0;
            at->e = &v->e0;
            at->cum = v->below;
        } else {                                   /* above: z ranks on */
            int64_t j = locate(h, k - v->z, &at->cum);
            at->cum += v->z;
            at->b = &h->bin[DS_QHIST_SLOT(j)];
            at->e = &h->end[DS_QHIST_SLOT(j)];
        }
    }
    t = k - at->cum;
    if (t <= at->e->n_lo)
        return at->b->lo;
    if (t > at->b->n - at->e->n_hi)
        return at->b->hi;
    return at->b->lo + (double)(t - at->e->n_lo) /
                           (double)(at->b->n - at->e->n_lo - at->e->n_hi + 1) *
                           (at->b->hi - at->b->lo);
}

/* Quantile p of v: ds_qhist_quantile_at of the copy. */
static double zview_quantile(const zview *v, double p)
{
    const ds_qhist *h = v->h;
    uint64_t total = v->n + h->n_pinf + h->n_ninf, k;
    zplace at = {NULL, NULL, 0};
    double hh, g, lo, hi, d;

    if (h->n_nan || total == 0 || !(p >= 0.0 && p <= 1.0))
        return NAN;
    hh = (double)(total - 1) * p + 1.0;
    k = (uint64_t)floor(hh);
    g = hh - floor(hh);
    lo = zview_order_stat(v, k, &at);
    if (g == 0.0 || k >= total)
        return lo;
    hi = zview_order_stat(v, k + 1, &at);
    if (lo == hi)
        return lo;
    if (isinf(lo) || isinf(hi))
        return isinf(lo) && isinf(hi) ? NAN : (isinf(lo) ? lo : hi);
    d = hi - lo;
    if (isinf(d))
        return (1.0 - g) * lo + g * hi;
    return lo + g * d;
}

/* Quantile p of quantity q of strategy k.  The output asks for the
 * quantiles of one quantity one after the other, in increasing order: the
 * calling thread keeps where the last walk over the histogram ended, for
 * the same statistics unchanged, so that they walk its bins once (or from
 * the top when that is shorter: place_cursor).  It also keeps the last
 * quantiles of one histogram: deficit_end's are the deficit's while the
 * two are one histogram (HIST_DEND), and are not walked for again.  The
 * benefit's come from a zview of the benefit given a deal when one will
 * do, and from benefit_of's copy otherwise.  A histogram whose values are
 * still kept and held (a small run: keep_small) is read through a view
 * instead, with the benefit's zeros in it (held_quantile). */
static double quantile_of(const ds_stats *s, size_t k, ds_quantity q, double p)
{
    enum { MEMO = 8 };
    static _Thread_local ds_qhist_cursor c;
    static _Thread_local const ds_qhist *c_h;
    static _Thread_local uint64_t c_version, c_draws;
    static _Thread_local size_t c_k;
    static _Thread_local int c_q = -1;
    static _Thread_local const ds_qhist *m_h;
    static _Thread_local uint64_t m_version, m_draws;
    static _Thread_local size_t m_k;
    static _Thread_local double m_p[MEMO], m_v[MEMO];
    static _Thread_local int m_n;
    static _Thread_local uint64_t m_z;
    static _Thread_local zview zv;
    static _Thread_local const ds_qhist *zv_h;
    static _Thread_local uint64_t zv_version, zv_draws;
    static _Thread_local size_t zv_k;
    static _Thread_local int zv_ok;
    const ds_qhist *h;
    uint64_t z = 0;
    int use_zview = 0;
    double v;

    {
        /* A histogram that keeps its values exactly and holds more (a
         * small run): through a view (held_quantile). */
        int i = hist_index(s, k, q);
        if (i >= 0) {
            size_t j = k * N_HIST + (size_t)(i == HIST_BENEFIT ? HIST_BENDEAL : i);
            if (s->nheld[j] && !s->hist[j].binned)
                return held_quantile(s, j,
                                     i == HIST_BENEFIT
                                         ? s->draws - s->cnt[k * s->ncnt + CNT_DEALS] : 0,
                                     p);
        }
    }
    if (where[q].hist == HIST_BENEFIT) {
        /* The benefit given a deal and the zeros of the other draws:
         * without making their histogram when a zview will do (made once
         * for the quantile columns that follow each other), and that
         * histogram itself when every draw had a deal. */
        h = hist_of(s, k, DS_Q_BENEFIT_GIVEN_DEAL);
        z = s->draws - s->cnt[k * s->ncnt + CNT_DEALS];
        if (h != zv_h || zv_version != s->version || zv_draws != s->draws || zv_k != k) {
            zv_ok = z > 0 && zview_make(&zv, h, z);
            zv_h = h;
            zv_version = s->version;
            zv_draws = s->draws;
            zv_k = k;
        }
        if (z > 0 && !(use_zview = zv_ok)) {
            h = hist_of(s, k, q);
            z = 0;
        }
    } else {
        h = hist_of(s, k, q);
    }
    /* (h, z, version, draws, k) name a histogram's contents: the
     * benefit's of benefit_of is in one place for every strategy and
     * statistics, and a zview's is h's with z zeros. */
    if (h != m_h || z != m_z || m_version != s->version || m_draws != s->draws || m_k != k) {
        m_h = h;
        m_z = z;
        m_version = s->version;
        m_draws = s->draws;
        m_k = k;
        m_n = 0;
    }
    for (int i = 0; i < m_n; i++)
        if (m_p[i] == p)
            return m_v[i];
    if (use_zview) {
        v = zview_quantile(&zv, p);
        if (m_n < MEMO) {
            m_p[m_n] = p;
            m_v[m_n++] = v;
        }
        return v;
    }
    if (h != c_h || c_version != s->version || c_draws != s->draws || c_k != k ||
        c_q != (int)q) {
        ds_qhist_cursor_init(&c, h);
        c_h = h;
        c_version = s->version;
        c_draws = s->draws;
        c_k = k;
        c_q = (int)q;
    }
    place_cursor(h, p, &c);
    v = ds_qhist_quantile_at(h, p, &c);
    if (m_n < MEMO) {
        m_p[m_n] = p;
        m_v[m_n++] = v;
    }
    return v;
}

/* DS_ENOMEM if some histogram lost values for want of bins, else DS_OK. */
static int hist_status(const ds_stats *s)
{
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        if (s->hist[i].nomem)
            return DS_ENOMEM;
    return DS_OK;
}

/* Two doubles, operated on lane by lane with the IEEE operations of the
 * scalar code (addpd rounds each lane as addsd does; minpd and maxpd are
 * the comparisons x < m ? x : m and x > m ? x : m, a NaN x leaving m).
 * Without SSE2, two scalars. */
#ifdef __SSE2__
typedef __m128d pair;
static inline pair pair_of(double a, double b) { return _mm_set_pd(b, a); }
static inline pair pair_load(const double *p) { return _mm_loadu_pd(p); }
static inline void pair_store(double *p, pair v) { _mm_storeu_pd(p, v); }
static inline pair pair_add(pair a, pair b) { return _mm_add_pd(a, b); }
static inline pair pair_sub(pair a, pair b) { return _mm_sub_pd(a, b); }
static inline pair pair_mul(pair a, pair b) { return _mm_mul_pd(a, b); }
static inline pair pair_min(pair x, pair m) { return _mm_min_pd(x, m); }
static inline pair pair_max(pair x, pair m) { return _mm_max_pd(x, m); }
#else
typedef struct pair { double a, b; } pair;
static inline pair pair_of(double a, double b) { return (pair){a, b}; }
static inline pair pair_load(const double *p) { return (pair){p[0], p[1]}; }
static inline void pair_store(double *p, pair v) { p[0] = v.a; p[1] = v.b; }
static inline pair pair_add(pair x, pair y) { return (pair){x.a + y.a, x.b + y.b}; }
static inline pair pair_sub(pair x, pair y) { return (pair){x.a - y.a, x.b - y.b}; }
static inline pair pair_mul(pair x, pair y) { return (pair){x.a * y.a, x.b * y.b}; }
static inline pair pair_min(pair x, pair m)
{
    return (pair){x.a < m.a ? x.a : m.a, x.b < m.b ? x.b : m.b};
}
static inline pair pair_max(pair x, pair m)
{
    return (pair){x.a > m.a ? x.a : m.a, x.b > m.b ? x.b : m.b};
}
#endif

/* Row r (the sums, then lo = r + nsum and hi = lo + nval) takes pair v:
 * its sums at r[sum], r[sum + 1], its extremes at lo[val], lo[val + 1]. */
static inline void row_add(double *r, double *lo, double *hi, int sum, int val, pair v)
{
    pair_store(r + sum, pair_add(pair_load(r + sum), v));
    pair_store(lo + val, pair_min(v, pair_load(lo + val)));
    pair_store(hi + val, pair_max(v, pair_load(hi + val)));
}

/* c[0..n-1] += x[0..n-1], two at a time where SSE2 has them. */
static inline void add_counts(uint64_t *c, const uint32_t *x, size_t n)
{
    size_t a = 0;
#ifdef __SSE2__
    for (; a + 2 <= n; a += 2) {
        __m128i v = _mm_unpacklo_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(x + a)),
                                       _mm_setzero_si128());
        __m128i *d = (__m128i *)(void *)(c + a);
        _mm_storeu_si128(d, _mm_add_epi64(_mm_loadu_si128(d), v));
    }
#endif
    for (; a < n; a++)
        c[a] += x[a];
}

/* The hot path: once per draw with every strategy.  No allocation, no
 * division, no indirect call.  The values every draw has go in two at a
 * time (row_add); what only a deal adds stays behind a branch (a fifth of
 * the draws or so: adding it in every draw, masked, costs more
 * instructions than the branch saves). */
void ds_stats_add(ds_stats *s, const ds_outcome *out)
{
    const size_t ns = s->ns, nq = s->nq, na = s->na, nsum = s->nsum, nval = s->nval;
    const size_t nblk = s->nblk, ncnt = s->ncnt, rdist = s->rdist;
    const pair shift = pair_of(s->shift, 0.0);
    const int rounds = s->rounds;
    double *const blk = s->blk;
    uint64_t *const cnt = s->cnt;
    const unsigned char *const split = s->split;
    size_t rhi = s->rhi;

    for (size_t k = 0; k < ns; k++) {
        const ds_outcome *o = &out[k];
        double *r = blk + k * nblk, *lo = r + nsum, *hi = lo + nval;
        uint64_t *n = cnt + k * ncnt;
        uint64_t *ev = n + CNT_RET + nq, *ap = ev + na;
        const double b = o->benefit;
        pair e;

        if (o->deficit_end != o->deficit && !split[k])   /* before this deficit */
            split_dend(s, k);
        row_add(r, lo, hi, BS_TARIFF, BX_TARIFF, pair_of(o->tariff, o->deficit));
        row_add(r, lo, hi, BS_DCHANGE, BX_DCHANGE, pair_of(o->deficit_change, o->deficit_end));
        row_add(r, lo, hi, BS_DENDCHANGE, BX_DENDCHANGE,
                pair_of(o->deficit_end_change, o->concession_cost));
        e = pair_sub(pair_of(o->deficit, b), shift);     /* deficit - D-bar, benefit */
        pair_store(r + BS_DEF1, pair_add(pair_load(r + BS_DEF1), e));
        pair_store(r + BS_DEF2, pair_add(pair_load(r + BS_DEF2), pair_mul(e, e)));
        lo[BX_BENEFIT] = b < lo[BX_BENEFIT] ? b : lo[BX_BENEFIT];
        hi[BX_BENEFIT] = b > hi[BX_BENEFIT] ? b : hi[BX_BENEFIT];
        if (o->deal) {
            n[CNT_DEALS]++;
            n[CNT_ROUNDS] += (uint64_t)o->round;
            n[CNT_EXT] += o->round > rounds;
            n[CNT_LOSS] += b < 0.0;
            if ((unsigned)o->round - 1u < DS_MAX_ROUNDS) {
                n[rdist + (unsigned)o->round - 1u]++;
                rhi = (size_t)o->round > rhi ? (size_t)o->round : rhi;
            }
            r[BS_BENDEAL] += b;
            lo[BX_BENDEAL] = b < lo[BX_BENDEAL] ? b : lo[BX_BENDEAL];
            hi[BX_BENDEAL] = b > hi[BX_BENDEAL] ? b : hi[BX_BENDEAL];
            hold(s, k * N_HIST + HIST_BENDEAL, b);
        }
        for (size_t q = 0; q < nq; q++) {
            const double x = o->retaliation_cost[q];
            n[CNT_RET + q] += o->retaliates[q] != 0;
            r[BS_RETCOST + q] += x;
            lo[BX_RETCOST + q] = x < lo[BX_RETCOST + q] ? x : lo[BX_RETCOST + q];
            hi[BX_RETCOST + q] = x > hi[BX_RETCOST + q] ? x : hi[BX_RETCOST + q];
        }
        add_counts(ev, o->evaluations, na);
        add_counts(ap, o->approvals, na);
        hold(s, k * N_HIST + HIST_DEFICIT, o->deficit);
        if (split[k])
            hold(s, k * N_HIST + HIST_DEND, o->deficit_end);
    }
    s->rhi = rhi;
    s->draws++;
    s->pending++;
}

int ds_stats_flush(ds_stats *s)
{
    int ok = 1;

    if (!s->pending)
        return DS_OK;
    /* A NaN or an infinity makes its sum non-finite; a finite value beyond
     * the bound shows in the extremes (which a NaN does not touch). */
    for (size_t k = 0; k < s->ns; k++) {
        const double *r = s->blk + k * s->nblk, *lo = r + s->nsum, *hi = lo + s->nval;
        ds_xsum *t = s->tot + k * s->nsum;
        double *tlo = s->tlo + k * s->nval, *thi = s->thi + k * s->nval;
        for (size_t j = 0; j < s->nsum; j++) {
            ok &= isfinite(r[j]) != 0;
            ds_xsum_add(&t[j < BS_RETCOST ? (size_t)sum_of[j] : j], r[j]);
        }
        for (size_t j = 0; j < s->nval; j++) {
            size_t v = j < BX_RETCOST ? (size_t)value_of[j] : j;
            ok &= lo[j] >= -DS_OUTCOME_MAX && hi[j] <= DS_OUTCOME_MAX;
            if (lo[j] < tlo[v])
                tlo[v] = lo[j];
            if (hi[j] > thi[v])
                thi[v] = hi[j];
        }
    }
    empty_block(s);
    keep_small(s);
    s->pending = 0;
    touch(s);
    if (hist_status(s) != DS_OK)
        return DS_ENOMEM;
    return ok ? DS_OK : DS_ERANGE;
}

/* Both must be flushed (unflushed partial sums would be lost or, folded
 * here, would make the totals depend on merge order): DS_EINVAL otherwise,
 * as for different shapes; dst is then unchanged. */
int ds_stats_merge(ds_stats *dst, const ds_stats *src)
{
    if (dst->ns != src->ns || dst->nq != src->nq || dst->na != src->na ||
        dst->shift != src->shift || dst->rounds != src->rounds || dst->pending ||
        src->pending)
        return DS_EINVAL;
    release_all(dst);
    release_all(src);
    for (size_t i = 0; i < dst->ns * dst->nsum; i++)
        ds_xsum_merge(&dst->tot[i], &src->tot[i]);
    for (size_t k = 0; k < dst->ns; k++) {
        uint64_t *d = dst->cnt + k * dst->ncnt;
        const uint64_t *c = src->cnt + k * src->ncnt;
        for (size_t i = 0; i < dst->rdist + src->rhi; i++)
            d[i] += c[i];
    }
    dst->rhi = src->rhi > dst->rhi ? src->rhi : dst->rhi;
    /* deficit_end's histograms first: dst's may start as a copy of its
     * deficit histogram, which must not yet hold src's deficits. */
    for (size_t k = 0; k < dst->ns; k++) {
        ds_qhist *d = dst->hist + k * N_HIST;
        const ds_qhist *h = src->hist + k * N_HIST;
        if (src->split[k] && !dst->split[k])
            split_dend(dst, k);
        if (dst->split[k])
            ds_qhist_merge(&d[HIST_DEND], src->split[k] ? &h[HIST_DEND] : &h[HIST_DEFICIT]);
    }
    for (size_t i = 0; i < dst->ns * N_HIST; i++)
        if (i % N_HIST != HIST_DEND)
            ds_qhist_merge(&dst->hist[i], &src->hist[i]);
    for (size_t i = 0; i < dst->ns * dst->nval; i++) {
        if (src->tlo[i] < dst->tlo[i])
            dst->tlo[i] = src->tlo[i];
        if (src->thi[i] > dst->thi[i])
            dst->thi[i] = src->thi[i];
    }
    dst->draws += src->draws;
    touch(dst);
    return hist_status(dst);
}

/* ---- between processes ---------------------------------------------------- */

/* The packed form (SPEC §14): the shape, then the exact totals, counts,
 * extremes and split flags as they are in memory, then every histogram
 * (qhist.h).  Raw bytes of this machine: the processes of one run are the
 * same binary on the same kind of CPU. */
typedef struct stats_pack_head {
    uint64_t ns, nq, na, draws;
    double shift;
    int64_t rounds;
} stats_pack_head;

/* The flat parts of s, in packed order: pointer and bytes. */
static size_t flat_parts(const ds_stats *s, void **ptr, size_t *len)
{
    size_t i = 0;
    ptr[i] = s->tot, len[i++] = s->ns * s->nsum * sizeof *s->tot;
    ptr[i] = s->cnt, len[i++] = s->ns * s->ncnt * sizeof *s->cnt;
    ptr[i] = s->tlo, len[i++] = s->ns * s->nval * sizeof *s->tlo;
    ptr[i] = s->thi, len[i++] = s->ns * s->nval * sizeof *s->thi;
    ptr[i] = s->split, len[i++] = s->ns;
    return i;
}

size_t ds_stats_pack(const ds_stats *s, void *buf, size_t cap)
{
    void *ptr[5];
    size_t len[5], np = flat_parts(s, ptr, len), need = sizeof(stats_pack_head);
    stats_pack_head h;
    char *o = buf;

    for (size_t i = 0; i < np; i++)
        need += len[i];
    release_all(s);           /* nothing when flushed, as it must be */
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        need += ds_qhist_pack(&s->hist[i], NULL, 0);
    if (!buf || cap < need)
        return need;
    memset(&h, 0, sizeof h);
    h.ns = s->ns;
    h.nq = s->nq;
    h.na = s->na;
    h.draws = s->draws;
    h.shift = s->shift;
    h.rounds = s->rounds;
    memcpy(o, &h, sizeof h);
    o += sizeof h;
    for (size_t i = 0; i < np; i++) {
        memcpy(o, ptr[i], len[i]);
        o += len[i];
    }
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        o += ds_qhist_pack(&s->hist[i], o, (size_t)-1);
    return need;
}

int ds_stats_unpack(ds_stats *s, const void *buf, size_t len)
{
    void *ptr[5];
    size_t plen[5], np = flat_parts(s, ptr, plen), need = sizeof(stats_pack_head);
    stats_pack_head h;
    const char *in = buf;

    for (size_t i = 0; i < np; i++)
        need += plen[i];
    if (len < need)
        return DS_EINVAL;
    memcpy(&h, in, sizeof h);
    if (h.ns != s->ns || h.nq != s->nq || h.na != s->na || h.shift != s->shift ||
        h.rounds != s->rounds)
        return DS_EINVAL;
    ds_stats_reset(s);
    in += sizeof h;
    len -= sizeof h;
    for (size_t i = 0; i < np; i++) {
        memcpy(ptr[i], in, plen[i]);
        in += plen[i];
        len -= plen[i];
    }
    s->rhi = DS_MAX_ROUNDS;       /* any round's count may be nonzero */
    for (size_t i = 0; i < s->ns * N_HIST; i++) {
        size_t used = ds_qhist_unpack(&s->hist[i], in, len);
        if (used == 0) {
            int nomem = s->hist[i].nomem;
            ds_stats_reset(s);
            return nomem ? DS_ENOMEM : DS_EINVAL;
        }
        in += used;
        len -= used;
    }
    if (len != 0) {
        ds_stats_reset(s);
        return DS_EINVAL;
    }
    s->draws = h.draws;
    touch(s);
    return DS_OK;
}

uint64_t ds_stats_draws(const ds_stats *s)
{
    return s->draws;
}

/* Standard error of the mean from exact sums of shifted values (SPEC §6:
 * sample sd with n - 1, over sqrt(n)): sqrt((S2 - S1^2/n) / (n - 1)) / sqrt(n).
 * 0 for n = 1; a tiny negative variance from rounding is clamped to 0. */
static double mean_se(const ds_xsum *s1, const ds_xsum *s2, uint64_t n)
{
    long double a, b, ln, var;

    if (n == 0)
        return NAN;
    if (n == 1)
        return 0.0;
    a = ds_xsum_value(s1);
    b = ds_xsum_value(s2);
    ln = (long double)n;
    var = (b - a * a / ln) / (ln - 1.0L);
    if (var < 0.0L)
        var = 0.0L;
    return (double)(sqrtl(var) / sqrtl(ln));
}

/* Sum / n, NaN for n = 0. */
static double mean_of(const ds_xsum *sum, uint64_t n)
{
    return n ? ds_xsum_value(sum) / (double)n : NAN;
}

/* a / b for counts, NaN for b = 0. */
static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
}

int ds_quantity_per_third(ds_quantity q)
{
    return q == DS_Q_RETALIATION_COST;
}

int ds_count_per_third(ds_count c)
{
    return c == DS_C_RETALIATIONS;
}

int ds_count_per_actor(ds_count c)
{
    return c == DS_C_EVALUATIONS || c == DS_C_APPROVALS;
}

int ds_stats_supports(const ds_stat *st)
{
    switch (st->kind) {
    case DS_STAT_DRAWS:
        return 1;
    case DS_STAT_MEAN:
        return (unsigned)st->q < DS_N_QUANTITIES;
    case DS_STAT_SE:
        return (unsigned)st->q < DS_N_QUANTITIES && where[st->q].se1 >= 0;
    case DS_STAT_QUANTILE:
        return (unsigned)st->q < DS_N_QUANTITIES && where[st->q].hist >= 0 &&
               st->p >= 0.0 && st->p <= 1.0;
    case DS_STAT_SHARE:
    case DS_STAT_SHARE_SE:
        return (unsigned)st->c < DS_N_COUNTS;
    case DS_STAT_RATIO:           /* per: c's kind, or one per strategy */
        return (unsigned)st->c < DS_N_COUNTS && (unsigned)st->per < DS_N_COUNTS &&
               ((ds_count_per_third(st->c) == ds_count_per_third(st->per) &&
                 ds_count_per_actor(st->c) == ds_count_per_actor(st->per)) ||
                (!ds_count_per_third(st->per) && !ds_count_per_actor(st->per)));
    }
    return 0;
}

/* Count c (index: its third party or actor) of the counts row n, or NULL
 * when the index is out of range. */
static const uint64_t *count_of(const ds_stats *s, const uint64_t *n, ds_count c,
                                size_t index)
{
    switch (c) {
    case DS_C_DEALS:
        return &n[CNT_DEALS];
    case DS_C_ROUNDS:
        return &n[CNT_ROUNDS];
    case DS_C_DEALS_IN_EXTENSION:
        return &n[CNT_EXT];
    case DS_C_LOSSES:
        return &n[CNT_LOSS];
    case DS_C_RETALIATIONS:
        return index < s->nq ? &n[CNT_RET + index] : NULL;
    case DS_C_EVALUATIONS:
        return index < s->na ? &n[CNT_RET + s->nq + index] : NULL;
    case DS_C_APPROVALS:
        return index < s->na ? &n[CNT_RET + s->nq + s->na + index] : NULL;
    case DS_N_COUNTS: /* not a count: ds_stats_supports refused it  GCOVR_EXCL_LINE */
        break;       /* GCOVR_EXCL_LINE */
    }
    return NULL;     /* GCOVR_EXCL_LINE */
}

double ds_stats_value(const ds_stats *s, size_t k, const ds_stat *st, size_t index)
{
    const ds_xsum *t = s->tot + k * s->nsum;
    const uint64_t *n = s->cnt + k * s->ncnt, draws = s->draws;
    const uint64_t *a, *b;
    size_t off, v;
    double p;

    if (k >= s->ns || !ds_stats_supports(st))
        return NAN;
    switch (st->kind) {
    case DS_STAT_DRAWS:
        return (double)draws;
    case DS_STAT_SHARE:
    case DS_STAT_SHARE_SE:
        if (!(a = count_of(s, n, st->c, index)))
            return NAN;
        p = ratio(*a, draws);
        if (st->kind == DS_STAT_SHARE)
            return p;
        /* SPEC §6: p_deal_se = sqrt(p (1 - p) / n), 0 when n = 1. */
        return draws == 0 ? NAN : draws == 1 ? 0.0 : sqrt(p * (1.0 - p) / (double)draws);
    case DS_STAT_RATIO:
        if (!(a = count_of(s, n, st->c, index)) || !(b = count_of(s, n, st->per, index)))
            return NAN;
        return ratio(*a, *b);
    case DS_STAT_MEAN:
    case DS_STAT_SE:
    case DS_STAT_QUANTILE:
        break;
    }
    off = 0;
    if (ds_quantity_per_third(st->q)) {
        if (index >= s->nq)
            return NAN;
        off = index;
    }
    v = k * s->nval + (size_t)st->q + off;
    if (st->kind == DS_STAT_QUANTILE)
        return quantile_of(s, k, st->q, st->p);
    if (s->tlo[v] == s->thi[v])           /* one value in every draw */
        return st->kind == DS_STAT_MEAN ? s->tlo[v] + 0.0 /* -0 -> 0 */ : 0.0;
    if (st->kind == DS_STAT_MEAN)
        return mean_of(&t[(size_t)where[st->q].sum + off],
                       where[st->q].given_deal ? n[CNT_DEALS] : draws);
    return mean_se(&t[where[st->q].se1], &t[where[st->q].se2], draws);
}

uint64_t ds_stats_round_count(const ds_stats *s, size_t k, int r)
{
    if (k >= s->ns || r < 1 || r > DS_MAX_ROUNDS)
        return 0;
    return s->cnt[k * s->ncnt + s->rdist + (size_t)(r - 1)];
}

int ds_stats_last_round(const ds_stats *s)
{
    int last = 0;
    for (size_t k = 0; k < s->ns; k++)
        for (int r = (int)s->rhi; r > last; r--)     /* none later */
            if (s->cnt[k * s->ncnt + s->rdist + (size_t)(r - 1)]) {
                last = r;
                break;
            }
    return last;
}

size_t ds_stats_histogram(const ds_stats *s, size_t k, ds_quantity q,
                          double edges[DS_STATS_HIST_BINS + 1],
                          uint64_t counts[DS_STATS_HIST_BINS])
{
    if (k >= s->ns || (unsigned)q >= DS_N_QUANTITIES || where[q].hist < 0)
        return 0;
    return ds_qhist_histogram(hist_of(s, k, q), DS_STATS_HIST_BINS, edges, counts);
}
