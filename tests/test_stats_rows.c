/*
 * test_stats_rows.c - ds_stats_add keeps each value's block sums and
 * extremes in a row of its own order, two values at a time: every
 * quantity's mean, its constant case (exact value, SE 0), -0, and the
 * DS_ERANGE of a value that is not finite or too large must come out as
 * a reference that adds one value at a time to its own sum gives them.
 * Each quantity takes values unlike every other's, so that two rows
 * mixed up would show.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <string.h>

#include "dealsim/error.h"
#include "dealsim/stats.h"
#include "stats_util.h"
#include "xsum.h"

#define NS 3
#define NT 2
#define NA 3
#define DBAR 70.0
#define BLOCK 700     /* draws per block: not a multiple of anything inside */
#define NBLOCKS 3

/* The quantities with one value per draw (retaliation costs apart). */
static const ds_quantity plain[] = {
    DS_Q_TARIFF, DS_Q_DEFICIT, DS_Q_DEFICIT_CHANGE, DS_Q_BENEFIT,
    DS_Q_CONCESSION_COST, DS_Q_DEFICIT_END, DS_Q_DEFICIT_END_CHANGE,
};
#define NPLAIN (sizeof plain / sizeof plain[0])

typedef struct draw_buf {
    ds_outcome out[NS];
    unsigned char ret[NS][NT];
    double rcost[NS][NT];
    uint32_t ev[NS][NA], ap[NS][NA];
} draw_buf;

static ds_model test_model(void)
{
    return stats_shape_model(NS, NT, NA, DBAR, 4);
}

/* A value in [0, 1) from (d, k, j): a fixed hash. */
static double unif(uint64_t d, uint64_t k, uint64_t j)
{
    uint64_t x = d * UINT64_C(0x9E3779B97F4A7C15) ^ (k + 1) * UINT64_C(0xBF58476D1CE4E5B9) ^
                 (j + 7) * UINT64_C(0x94D049BB133111EB);
    x ^= x >> 31;
    x *= UINT64_C(0xD6E8FEB86659FD39);
    x ^= x >> 32;
    return (double)(x >> 11) * 0x1p-53;
}

/* The address of quantity q's field in o (NULL for the per-party cost). */
static double *field(ds_outcome *o, ds_quantity q)
{
    switch (q) {
    case DS_Q_TARIFF: return &o->tariff;
    case DS_Q_DEFICIT: return &o->deficit;
    case DS_Q_DEFICIT_CHANGE: return &o->deficit_change;
    case DS_Q_BENEFIT: return &o->benefit;
    case DS_Q_CONCESSION_COST: return &o->concession_cost;
    case DS_Q_DEFICIT_END: return &o->deficit_end;
    case DS_Q_DEFICIT_END_CHANGE: return &o->deficit_end_change;
    default: return NULL;
    }
}

/* Draw d: quantity i of strategy k near 10^(i - 3) (i + 1) (k + 1), so no
 * two quantities' means are alike; a deal in about 40% of draws, the
 * benefit 0 without one. */
static void gen_draw(draw_buf *b, uint64_t d)
{
    for (int k = 0; k < NS; k++) {
        ds_outcome *o = &b->out[k];
        memset(o, 0, sizeof *o);
        o->deal = unif(d, (uint64_t)k, 99) < 0.4;
        o->round = o->deal ? 1 + (int)(d % 6) : 0;
        o->package = o->deal ? 0 : -1;
        for (size_t i = 0; i < NPLAIN; i++)
            *field(o, plain[i]) = pow(10.0, (double)i - 3.0) * (double)((i + 1) * (size_t)(k + 1)) *
                                  (1.0 + unif(d, (uint64_t)k, i));
        if (!o->deal)
            o->benefit = 0.0;
        o->retaliates = b->ret[k];
        o->retaliation_cost = b->rcost[k];
        o->evaluations = b->ev[k];
        o->approvals = b->ap[k];
        for (int q = 0; q < NT; q++) {
            b->ret[k][q] = unif(d, (uint64_t)k, 20 + (uint64_t)q) < 0.5;
            b->rcost[k][q] = 1e4 * (q + 1) * (1.0 + unif(d, (uint64_t)k, 30 + (uint64_t)q));
        }
        for (int a = 0; a < NA; a++) {
            b->ev[k][a] = (uint32_t)(d % 3) + (uint32_t)a;
            b->ap[k][a] = (uint32_t)(d % 2);
        }
    }
}

/* The reference: per quantity (NPLAIN plain, then the benefit given a
 * deal, then the NT costs) a block partial sum in draw order, folded
 * exactly at the end of each block, and the draws it is over. */
#define NREF (NPLAIN + 1 + NT)
typedef struct ref {
    double part[NS][NREF];
    ds_xsum tot[NS][NREF];
    uint64_t n[NS][NREF];
} ref;

static void ref_init(ref *r)
{
    memset(r, 0, sizeof *r);
    for (int k = 0; k < NS; k++)
        for (size_t i = 0; i < NREF; i++)
            ds_xsum_init(&r->tot[k][i]);
}

static void ref_add(ref *r, const ds_outcome *out)
{
    for (int k = 0; k < NS; k++) {
        ds_outcome o = out[k];
        for (size_t i = 0; i < NPLAIN; i++) {
            r->part[k][i] += *field(&o, plain[i]);
            r->n[k][i]++;
        }
        if (o.deal) {
            r->part[k][NPLAIN] += o.benefit;
            r->n[k][NPLAIN]++;
        }
        for (int q = 0; q < NT; q++) {
            r->part[k][NPLAIN + 1 + q] += o.retaliation_cost[q];
            r->n[k][NPLAIN + 1 + q]++;
        }
    }
}

static void ref_flush(ref *r)
{
    for (int k = 0; k < NS; k++)
        for (size_t i = 0; i < NREF; i++) {
            ds_xsum_add(&r->tot[k][i], r->part[k][i]);
            r->part[k][i] = 0.0;
        }
}

static double mean_of(const ds_stats *s, size_t k, ds_quantity q, size_t index)
{
    ds_stat st = {.kind = DS_STAT_MEAN, .q = q};
    return ds_stats_value(s, k, &st, index);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Every mean is the reference's exact total over its draws. */
Test(stats_rows, every_mean_is_its_own_sum)
{
    ds_model m = test_model();
    ds_stats *s = ds_stats_new(&m);
    static ref r;
    draw_buf b;

    cr_assert_not_null(s);
    ref_init(&r);
    for (uint64_t blk = 0; blk < NBLOCKS; blk++) {
        for (uint64_t d = blk * BLOCK; d < (blk + 1) * BLOCK; d++) {
            gen_draw(&b, d);
            ds_stats_add(s, b.out);
            ref_add(&r, b.out);
        }
        cr_assert_eq(ds_stats_flush(s), DS_OK);
        ref_flush(&r);
    }
    for (size_t k = 0; k < NS; k++) {
        for (size_t i = 0; i < NPLAIN; i++) {
            double want = ds_xsum_value(&r.tot[k][i]) / (double)r.n[k][i];
            double got = mean_of(s, k, plain[i], 0);
            cr_assert(same_bits(got, want), "strategy %zu, quantity %d: %.17g, want %.17g", k,
                      (int)plain[i], got, want);
        }
        {
            double want = ds_xsum_value(&r.tot[k][NPLAIN]) / (double)r.n[k][NPLAIN];
            double got = mean_of(s, k, DS_Q_BENEFIT_GIVEN_DEAL, 0);
            cr_assert(r.n[k][NPLAIN] > 0 && r.n[k][NPLAIN] < NBLOCKS * BLOCK);
            cr_assert(same_bits(got, want), "strategy %zu, benefit given a deal: %.17g, want %.17g",
                      k, got, want);
        }
        for (size_t q = 0; q < NT; q++) {
            double want = ds_xsum_value(&r.tot[k][NPLAIN + 1 + q]) / (double)(NBLOCKS * BLOCK);
            double got = mean_of(s, k, DS_Q_RETALIATION_COST, q);
            cr_assert(same_bits(got, want), "strategy %zu, cost %zu: %.17g, want %.17g", k, q,
                      got, want);
        }
    }
    ds_stats_free(s);
}

/* One quantity constant (c, or -0), every other varying: its mean is
 * exactly c (+0 for -0), its SE (where it has one) exactly 0, and every
 * other mean stays that of the varying values (not constant). */
Test(stats_rows, one_constant_quantity_at_a_time)
{
    static const double consts[] = { 0.1, -0.0, -3.75 };
    ds_model m = test_model();
    draw_buf b;

    for (size_t c = 0; c < NPLAIN + 1 + NT; c++)
        for (size_t v = 0; v < sizeof consts / sizeof consts[0]; v++) {
            ds_stats *s = ds_stats_new(&m);
            const double x = consts[v];
            cr_assert_not_null(s);
            for (uint64_t blk = 0; blk < 2; blk++) {
                for (uint64_t d = blk * BLOCK; d < (blk + 1) * BLOCK; d++) {
                    gen_draw(&b, d);
                    for (int k = 0; k < NS; k++) {
                        ds_outcome *o = &b.out[k];
                        if (c < NPLAIN)
                            *field(o, plain[c]) = x;
                        else if (c == NPLAIN && o->deal)
                            o->benefit = x;
                        else if (c > NPLAIN)
                            o->retaliation_cost[c - NPLAIN - 1] = x;
                    }
                    ds_stats_add(s, b.out);
                }
                cr_assert_eq(ds_stats_flush(s), DS_OK);
            }
            for (size_t k = 0; k < NS; k++) {
                ds_quantity q = c < NPLAIN ? plain[c]
                                : c == NPLAIN ? DS_Q_BENEFIT_GIVEN_DEAL
                                              : DS_Q_RETALIATION_COST;
                size_t index = c > NPLAIN ? c - NPLAIN - 1 : 0;
                double got = mean_of(s, k, q, index);
                cr_assert(same_bits(got, x + 0.0), "constant %zu = %g, strategy %zu: %.17g", c,
                          x, k, got);
                if (q == DS_Q_DEFICIT || q == DS_Q_BENEFIT) {
                    ds_stat se = {.kind = DS_STAT_SE, .q = q};
                    cr_assert(same_bits(ds_stats_value(s, k, &se, 0), 0.0));
                }
                /* Another quantity still varies: not taken for a constant. */
                for (size_t i = 0; i < NPLAIN; i++) {
                    if (i == c || (c == NPLAIN && plain[i] == DS_Q_BENEFIT))
                        continue;
                    cr_assert(!same_bits(mean_of(s, k, plain[i], 0), x + 0.0));
                }
            }
            ds_stats_free(s);
        }
}

/* A NaN, an infinity or a value beyond DS_OUTCOME_MAX in any one value
 * of one draw (of any strategy) makes that block's flush DS_ERANGE, and
 * only that block's. */
Test(stats_rows, a_bad_value_anywhere_is_out_of_range)
{
    static const double bad[] = { NAN, INFINITY, -INFINITY, 2e100, -2e100 };
    ds_model m = test_model();
    draw_buf b;

    for (size_t c = 0; c < NPLAIN + 1 + NT; c++)
        for (size_t v = 0; v < sizeof bad / sizeof bad[0]; v++)
            for (int k = 0; k < NS; k++) {
                ds_stats *s = ds_stats_new(&m);
                cr_assert_not_null(s);
                for (uint64_t blk = 0; blk < 3; blk++) {
                    for (uint64_t d = blk * 50; d < (blk + 1) * 50; d++) {
                        gen_draw(&b, d);
                        if (blk == 1 && d == 77) {
                            ds_outcome *o = &b.out[k];
                            if (c < NPLAIN) {
                                *field(o, plain[c]) = bad[v];
                            } else if (c == NPLAIN) {
                                o->deal = 1;
                                o->round = 2;
                                o->benefit = bad[v];
                            } else {
                                o->retaliation_cost[c - NPLAIN - 1] = bad[v];
                            }
                        }
                        ds_stats_add(s, b.out);
                    }
                    cr_assert_eq(ds_stats_flush(s), blk == 1 ? DS_ERANGE : DS_OK,
                                 "value %zu = %g of strategy %d, block %d", c, bad[v], k,
                                 (int)blk);
                }
                ds_stats_free(s);
            }
}

/* Evaluations and approvals (counted several at a time) add up per actor,
 * with counts beyond 32 bits in total. */
Test(stats_rows, actor_counts_add_up)
{
    ds_model m = test_model();
    ds_stats *s = ds_stats_new(&m);
    draw_buf b;
    uint64_t want_ev[NS][NA] = {{0}}, want_ap[NS][NA] = {{0}};

    cr_assert_not_null(s);
    for (uint64_t d = 0; d < 600; d++) {
        gen_draw(&b, d);
        for (int k = 0; k < NS; k++)
            for (int a = 0; a < NA; a++) {
                b.ev[k][a] = UINT32_C(4000000000) - (uint32_t)(d * 3 + (uint64_t)(k * NA + a));
                b.ap[k][a] = (uint32_t)(d + (uint64_t)a) % 5u;
                want_ev[k][a] += b.ev[k][a];
                want_ap[k][a] += b.ap[k][a];
            }
        ds_stats_add(s, b.out);
    }
    cr_assert_eq(ds_stats_flush(s), DS_OK);
    for (size_t k = 0; k < NS; k++)
        for (size_t a = 0; a < NA; a++) {
            ds_stat ap = {.kind = DS_STAT_RATIO, .c = DS_C_APPROVALS, .per = DS_C_EVALUATIONS};
            ds_stat ev = {.kind = DS_STAT_SHARE, .c = DS_C_EVALUATIONS};
            double want = (double)want_ap[k][a] / (double)want_ev[k][a];
            cr_assert(same_bits(ds_stats_value(s, k, &ap, a), want), "strategy %zu actor %zu",
                      k, a);
            cr_assert(same_bits(ds_stats_value(s, k, &ev, a), (double)want_ev[k][a] / 600.0));
        }
    ds_stats_free(s);
}
