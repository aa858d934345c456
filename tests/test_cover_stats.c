/*
 * test_cover_stats.c - the edges of ds_stats beyond test_stats.c: rebinding
 * to a model of another shape, flushing an empty block, merging with
 * another baseline or number of third parties, every figure of zero draws,
 * one draw whose value is not a number, descriptors outside the tables,
 * and per-party figures asked for a party that does not exist.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "dealsim/error.h"
#include "dealsim/stats.h"
#include "stats_util.h"

enum { NS = 2, NT = 2, NA = 3 };

static ds_model model(double baseline)
{
    return stats_shape_model(NS, NT, NA, baseline, 0);
}

/* One draw's outcomes: every strategy deals in round 2 with the given
 * deficit; third party 0 retaliates; actor a approves a of 2 evaluations. */
typedef struct draw {
    ds_outcome out[NS];
    unsigned char ret[NT];
    double rcost[NT];
    uint32_t ev[NA], ap[NA];
} draw;

static const ds_outcome *fill(draw *d, double deficit)
{
    memset(d, 0, sizeof *d);
    d->ret[0] = 1;
    d->rcost[0] = 3.5;
    for (int a = 0; a < NA; a++) {
        d->ev[a] = 2;
        d->ap[a] = (uint32_t)(a < 2 ? a : 2);
    }
    for (int k = 0; k < NS; k++) {
        ds_outcome *o = &d->out[k];
        o->deal = 1;
        o->round = 2;
        o->package = k;
        o->tariff = 0.1;
        o->deficit = deficit;
        o->deficit_change = deficit - 60;
        o->benefit = 4;
        o->concession_cost = 1;
        o->retaliates = d->ret;
        o->retaliation_cost = d->rcost;
        o->evaluations = d->ev;
        o->approvals = d->ap;
    }
    return d->out;
}

#define STAT(...) (&(ds_stat){__VA_ARGS__})

/* Rebinding to a model with other numbers of strategies, third parties or
 * actors is refused and keeps what s holds; the same shape resets it. */
Test(cover_stats, rebind_needs_the_same_shape)
{
    ds_model m = model(60), other[3];
    draw d;
    for (int i = 0; i < 3; i++)
        other[i] = model(60);
    other[0].n_strategies = NS + 1;
    other[1].n_third = NT - 1;
    other[2].n_actors = NA + 1;
    ds_stats *s = ds_stats_new(&m);
    cr_assert_not_null(s);
    ds_stats_add(s, fill(&d, 61));
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(ds_stats_rebind(s, &other[i]), DS_EINVAL, "shape %d", i);
        cr_assert_eq(ds_stats_draws(s), 1);
        cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_MEAN, .q = DS_Q_DEFICIT), 0), 61);
    }
    ds_model same = model(70);
    cr_assert_eq(ds_stats_rebind(s, &same), DS_OK);
    cr_assert_eq(ds_stats_draws(s), 0);
    ds_stats_free(s);
}

/* A flush with nothing added since the last one changes nothing. */
Test(cover_stats, flushing_an_empty_block)
{
    ds_model m = model(60);
    draw d;
    ds_stats *s = ds_stats_new(&m);
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    ds_stats_add(s, fill(&d, 58));
    ds_stats_add(s, fill(&d, 62));
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    cr_assert_eq(ds_stats_draws(s), 2);
    cr_assert_eq(ds_stats_value(s, 1, STAT(.kind = DS_STAT_MEAN, .q = DS_Q_DEFICIT), 0), 60);
    /* sd of {58, 62} is 2 sqrt(2); over sqrt(2): 2 */
    cr_assert_eq(ds_stats_value(s, 1, STAT(.kind = DS_STAT_SE, .q = DS_Q_DEFICIT), 0), 2);
    ds_stats_free(s);
}

/* Accumulators of another baseline (their sums are shifted by it) or of
 * another number of third parties do not merge. */
Test(cover_stats, merge_needs_the_same_baseline_and_parties)
{
    ds_model m = model(60), shifted = model(61), fewer = model(60);
    fewer.n_third = NT - 1;
    ds_stats *a = ds_stats_new(&m), *b = ds_stats_new(&shifted), *c = ds_stats_new(&fewer);
    draw d;
    cr_assert(a && b && c);
    ds_stats_add(b, fill(&d, 61));
    ds_stats_flush(b);
    cr_assert_eq(ds_stats_merge(a, b), DS_EINVAL);
    cr_assert_eq(ds_stats_merge(a, c), DS_EINVAL);
    cr_assert_eq(ds_stats_merge(c, a), DS_EINVAL);
    cr_assert_eq(ds_stats_draws(a), 0);
    ds_stats_add(a, fill(&d, 59));
    cr_assert_eq(ds_stats_merge(a, a), DS_EINVAL); /* not flushed */
    ds_stats_free(a);
    ds_stats_free(b);
    ds_stats_free(c);
}

/* Of zero draws every figure but the count is NaN. */
Test(cover_stats, every_figure_of_zero_draws)
{
    ds_model m = model(60);
    ds_stats *s = ds_stats_new(&m);
    const ds_stat *nan_figs[] = {
        STAT(.kind = DS_STAT_MEAN, .q = DS_Q_TARIFF),
        STAT(.kind = DS_STAT_SE, .q = DS_Q_DEFICIT),
        STAT(.kind = DS_STAT_QUANTILE, .q = DS_Q_BENEFIT, .p = 0.5),
        STAT(.kind = DS_STAT_SHARE, .c = DS_C_DEALS),
        STAT(.kind = DS_STAT_SHARE_SE, .c = DS_C_DEALS),
        STAT(.kind = DS_STAT_RATIO, .c = DS_C_ROUNDS, .per = DS_C_DEALS),
        STAT(.kind = DS_STAT_MEAN, .q = DS_Q_RETALIATION_COST),
    };
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_DRAWS), 0), 0);
    for (size_t i = 0; i < sizeof nan_figs / sizeof nan_figs[0]; i++)
        cr_assert(isnan(ds_stats_value(s, 0, nan_figs[i], 1)), "figure %zu", i);
    ds_stats_free(s);
}

/* One draw whose deficit is NaN: the block cannot be summarised, its mean
 * is NaN, and the standard error of one draw is 0 as always. */
Test(cover_stats, one_draw_that_is_not_a_number)
{
    ds_model m = model(60);
    ds_stats *s = ds_stats_new(&m);
    draw d;
    ds_stats_add(s, fill(&d, NAN));
    cr_assert_eq(ds_stats_flush(s), DS_ERANGE);
    cr_assert(isnan(ds_stats_value(s, 0, STAT(.kind = DS_STAT_MEAN, .q = DS_Q_DEFICIT), 0)));
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_SE, .q = DS_Q_DEFICIT), 0), 0);
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_SHARE_SE, .c = DS_C_DEALS), 0), 0);
    ds_stats_free(s);
}

/* Descriptors outside the tables are not supported and give NaN. */
Test(cover_stats, descriptors_outside_the_tables)
{
    const ds_stat *bad[] = {
        STAT(.kind = (ds_stat_kind)99),
        STAT(.kind = DS_STAT_MEAN, .q = DS_N_QUANTITIES),
        STAT(.kind = DS_STAT_MEAN, .q = (ds_quantity)-1),
        STAT(.kind = DS_STAT_SE, .q = DS_N_QUANTITIES),
        STAT(.kind = DS_STAT_QUANTILE, .q = DS_Q_DEFICIT, .p = -0.1),
        STAT(.kind = DS_STAT_QUANTILE, .q = DS_Q_DEFICIT, .p = NAN),
        STAT(.kind = DS_STAT_QUANTILE, .q = DS_N_QUANTITIES, .p = 0.5),
        STAT(.kind = DS_STAT_SHARE, .c = DS_N_COUNTS),
        STAT(.kind = DS_STAT_SHARE_SE, .c = (ds_count)77),
        STAT(.kind = DS_STAT_RATIO, .c = DS_N_COUNTS, .per = DS_C_DEALS),
        STAT(.kind = DS_STAT_RATIO, .c = DS_C_DEALS, .per = DS_N_COUNTS),
        STAT(.kind = DS_STAT_RATIO, .c = DS_C_DEALS, .per = DS_C_RETALIATIONS),
        STAT(.kind = DS_STAT_RATIO, .c = DS_C_APPROVALS, .per = DS_C_RETALIATIONS),
    };
    ds_model m = model(60);
    ds_stats *s = ds_stats_new(&m);
    draw d;
    ds_stats_add(s, fill(&d, 61));
    ds_stats_flush(s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(ds_stats_supports(bad[i]), 0, "descriptor %zu", i);
        cr_assert(isnan(ds_stats_value(s, 0, bad[i], 0)), "descriptor %zu", i);
    }
    /* and the good ones next to them: a per-party count per deal (a share
     * given a deal) is one; every strategy dealt and party 0 retaliated */
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_RATIO, .c = DS_C_RETALIATIONS,
                                          .per = DS_C_DEALS), 0), 1);
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_RATIO, .c = DS_C_RETALIATIONS,
                                          .per = DS_C_RETALIATIONS), 0), 1);
    cr_assert_eq(ds_stats_value(s, 0, STAT(.kind = DS_STAT_RATIO, .c = DS_C_APPROVALS,
                                          .per = DS_C_EVALUATIONS), 1), 0.5);
    ds_stats_free(s);
}

/* A per-party or per-actor figure of a party or actor that does not exist
 * is NaN; the others are exact. */
Test(cover_stats, figures_of_parties_that_do_not_exist)
{
    ds_model m = model(60);
    ds_stats *s = ds_stats_new(&m);
    draw d;
    ds_stats_add(s, fill(&d, 61));
    ds_stats_add(s, fill(&d, 61));
    ds_stats_flush(s);
    const ds_stat *cost = STAT(.kind = DS_STAT_MEAN, .q = DS_Q_RETALIATION_COST);
    const ds_stat *ret = STAT(.kind = DS_STAT_SHARE, .c = DS_C_RETALIATIONS);
    const ds_stat *ev = STAT(.kind = DS_STAT_SHARE, .c = DS_C_EVALUATIONS);
    cr_assert_eq(ds_stats_value(s, 1, cost, 0), 3.5);
    cr_assert_eq(ds_stats_value(s, 1, cost, 1), 0);
    cr_assert(isnan(ds_stats_value(s, 1, cost, NT)));
    cr_assert_eq(ds_stats_value(s, 1, ret, 0), 1);
    cr_assert(isnan(ds_stats_value(s, 1, ret, NT)));
    cr_assert_eq(ds_stats_value(s, 1, ev, NA - 1), 2);
    cr_assert(isnan(ds_stats_value(s, 1, ev, NA)));
    cr_assert(isnan(ds_stats_value(s, NS, ev, 0)));
    ds_stats_free(s);
}
