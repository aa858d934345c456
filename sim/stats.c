/*
 * stats.c - the §6 summary, accumulated exactly and mergeably (SPEC §6, §7).
 *
 * Per draw, ds_stats_add adds to plain double partial sums (in draw order),
 * exact integer counts and two quantile histograms per strategy.  At the end
 * of each block ds_stats_flush folds the partials into exact superaccumulator
 * totals (xsum.h), so totals do not depend on which thread or process ran a
 * block, nor on merge order.  Memory is fixed at ds_stats_new.
 */
#include "dealsim/stats.h"
#include "dealsim/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    SUM_RETCOST        /* first of n_third retaliation costs */
};

/* Integer counts per strategy, then n_third retaliations, then n_actors
 * evaluations, then n_actors approvals. */
enum {
    CNT_DEALS,         /* draws with a deal */
    CNT_ROUNDS,        /* sum of the deal round over those draws */
    CNT_RET            /* first of the retaliation counts */
};

/* Histograms per strategy. */
enum { HIST_DEFICIT, HIST_BENEFIT, N_HIST };

struct ds_stats {
    const ds_model *m;
    size_t ns, nq, na;     /* strategies, third parties, actors */
    size_t nsum, ncnt;     /* doubles and counts per strategy */
    double shift;          /* D-bar, SPEC §5.2 */
    uint64_t draws;        /* all draws added */
    uint64_t pending;      /* draws added since the last flush */
    double *part;          /* [ns * nsum] block partial sums */
    ds_xsum *tot;          /* [ns * nsum] exact totals of flushed blocks */
    uint64_t *cnt;         /* [ns * ncnt] */
    ds_qhist *hist;        /* [ns * N_HIST] */
};

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
    s->ncnt = CNT_RET + s->nq + 2 * s->na;
    s->shift = m->baseline_mean;
    cells = s->ns * s->nsum;
    /* + 1: calloc(0) may return NULL, and a model has >= 1 strategy anyway. */
    s->part = calloc(cells + 1, sizeof *s->part);
    s->tot = calloc(cells + 1, sizeof *s->tot);
    s->cnt = calloc(s->ns * s->ncnt + 1, sizeof *s->cnt);
    s->hist = calloc(s->ns * N_HIST + 1, sizeof *s->hist);
    if (!s->part || !s->tot || !s->cnt || !s->hist)
        goto fail;
    for (size_t i = 0; i < cells; i++)
        ds_xsum_init(&s->tot[i]);
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        ds_qhist_init(&s->hist[i]);
    return s;
fail:
    ds_stats_free(s);
    return NULL;
}

void ds_stats_free(ds_stats *s)
{
    if (!s)
        return;
    free(s->part);
    free(s->tot);
    free(s->cnt);
    free(s->hist);
    free(s);
}

void ds_stats_reset(ds_stats *s)
{
    size_t cells = s->ns * s->nsum;

    memset(s->part, 0, cells * sizeof *s->part);
    for (size_t i = 0; i < cells; i++)
        ds_xsum_init(&s->tot[i]);
    memset(s->cnt, 0, s->ns * s->ncnt * sizeof *s->cnt);
    for (size_t i = 0; i < s->ns * N_HIST; i++)
        ds_qhist_reset(&s->hist[i]);
    s->draws = 0;
    s->pending = 0;
}

int ds_stats_rebind(ds_stats *s, const ds_model *m)
{
    if (m->n_strategies != s->ns || m->n_third != s->nq || m->n_actors != s->na)
        return DS_EINVAL;
    ds_stats_reset(s);
    s->m = m;
    s->shift = m->baseline_mean;
    return DS_OK;
}

/* The hot path: once per draw with every strategy.  No allocation, no
 * division, no indirect call. */
void ds_stats_add(ds_stats *s, const ds_outcome *out)
{
    const size_t nq = s->nq, na = s->na;
    const double c = s->shift;

    for (size_t k = 0; k < s->ns; k++) {
        const ds_outcome *o = &out[k];
        double *p = s->part + k * s->nsum;
        uint64_t *n = s->cnt + k * s->ncnt;
        uint64_t *ev = n + CNT_RET + nq, *ap = ev + na;
        ds_qhist *h = s->hist + k * N_HIST;
        double dc = o->deficit - c, b = o->benefit;

        p[SUM_TARIFF] += o->tariff;
        p[SUM_DEFICIT] += o->deficit;
        p[SUM_DEF1] += dc;
        p[SUM_DEF2] += dc * dc;
        p[SUM_DCHANGE] += o->deficit_change;
        p[SUM_BENEFIT] += b;
        p[SUM_BEN2] += b * b;
        p[SUM_CONCESSION] += o->concession_cost;
        if (o->deal) {
            n[CNT_DEALS]++;
            n[CNT_ROUNDS] += (uint64_t)o->round;
        }
        for (size_t q = 0; q < nq; q++) {
            n[CNT_RET + q] += o->retaliates[q] != 0;
            p[SUM_RETCOST + q] += o->retaliation_cost[q];
        }
        for (size_t a = 0; a < na; a++) {
            ev[a] += o->evaluations[a];
            ap[a] += o->approvals[a];
        }
        ds_qhist_add(&h[HIST_DEFICIT], o->deficit);
        ds_qhist_add(&h[HIST_BENEFIT], b);
    }
    s->draws++;
    s->pending++;
}

void ds_stats_flush(ds_stats *s)
{
    size_t cells = s->ns * s->nsum;

    if (!s->pending)
        return;
    for (size_t i = 0; i < cells; i++) {
        ds_xsum_add(&s->tot[i], s->part[i]);
        s->part[i] = 0.0;
    }
    s->pending = 0;
}

/* Both must be flushed (unflushed partial sums would be lost or, folded
 * here, would make the totals depend on merge order): DS_EINVAL otherwise,
 * as for different shapes; dst is then unchanged. */
int ds_stats_merge(ds_stats *dst, const ds_stats *src)
{
    if (dst->ns != src->ns || dst->nq != src->nq || dst->na != src->na ||
        dst->shift != src->shift || dst->pending || src->pending)
        return DS_EINVAL;
    for (size_t i = 0; i < dst->ns * dst->nsum; i++)
        ds_xsum_merge(&dst->tot[i], &src->tot[i]);
    for (size_t i = 0; i < dst->ns * dst->ncnt; i++)
        dst->cnt[i] += src->cnt[i];
    for (size_t i = 0; i < dst->ns * N_HIST; i++)
        ds_qhist_merge(&dst->hist[i], &src->hist[i]);
    dst->draws += src->draws;
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

/* Quantile probabilities of the §6 columns _p05, _p50, _p95. */
#define P05 0.05
#define P50 0.50
#define P95 0.95

void ds_stats_summary(const ds_stats *s, size_t k, ds_summary *row)
{
    const ds_xsum *t = s->tot + k * s->nsum;
    const uint64_t *c = s->cnt + k * s->ncnt;
    const uint64_t *ev = c + CNT_RET + s->nq, *ap = ev + s->na;
    const ds_qhist *hd = s->hist + k * N_HIST + HIST_DEFICIT;
    const ds_qhist *hb = s->hist + k * N_HIST + HIST_BENEFIT;
    const uint64_t n = s->draws;
    double p;

    row->draws = n;
    /* SPEC §6: p_deal_se = sqrt(p (1 - p) / n), 0 when n = 1. */
    p = ratio(c[CNT_DEALS], n);
    row->p_deal = p;
    row->p_deal_se = n == 0 ? NAN : n == 1 ? 0.0 : sqrt(p * (1.0 - p) / (double)n);
    row->round_mean = ratio(c[CNT_ROUNDS], c[CNT_DEALS]);
    row->tariff_mean = mean_of(&t[SUM_TARIFF], n);
    row->deficit_mean = mean_of(&t[SUM_DEFICIT], n);
    row->deficit_se = mean_se(&t[SUM_DEF1], &t[SUM_DEF2], n);
    row->deficit_p05 = ds_qhist_quantile(hd, P05);
    row->deficit_p50 = ds_qhist_quantile(hd, P50);
    row->deficit_p95 = ds_qhist_quantile(hd, P95);
    row->deficit_change_mean = mean_of(&t[SUM_DCHANGE], n);
    row->benefit_mean = mean_of(&t[SUM_BENEFIT], n);
    row->benefit_se = mean_se(&t[SUM_BENEFIT], &t[SUM_BEN2], n);
    row->benefit_p05 = ds_qhist_quantile(hb, P05);
    row->benefit_p50 = ds_qhist_quantile(hb, P50);
    row->benefit_p95 = ds_qhist_quantile(hb, P95);
    row->concession_cost_mean = mean_of(&t[SUM_CONCESSION], n);
    for (size_t q = 0; q < s->nq; q++) {
        row->p_retaliation[q] = ratio(c[CNT_RET + q], n);
        row->retaliation_cost_mean[q] = mean_of(&t[SUM_RETCOST + q], n);
    }
    for (size_t a = 0; a < s->na; a++)
        row->approve[a] = ratio(ap[a], ev[a]);
}
