/*
 * test_stats_read.c - the quantile figures of ds_stats_value, read in any
 * order: the reader keeps where its last walk over a histogram stopped,
 * may start a walk from the top instead, and keeps a histogram's last
 * quantiles, so each figure must be what a histogram of the same values,
 * built apart and asked once, gives (ds_qhist_quantile), bit for bit:
 * ascending, descending, shuffled and repeated orders, quantities and
 * strategies interleaved, every kind of histogram (kept values, bins,
 * the benefit made from the benefit given a deal and the draws without
 * one, zeros inside and outside its window), statistics changed between
 * reads.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/stats.h"
#include "qhist.h"

#define NS 6
#define NPROBS 23

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    /* splitmix64 */
    uint64_t x = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

static double unif(void)
{
    return (double)(next_u64() >> 11) * 0x1.0p-53;
}

static double normal(void)
{
    return sqrt(-2.0 * log1p(-unif())) * cos(6.283185307179586 * unif());
}

/* The histograms of one strategy's values, built apart, value by value. */
typedef struct refs {
    ds_qhist deficit, dend, benefit, bgd;
} refs;

static const ds_quantity quantities[4] = {DS_Q_DEFICIT, DS_Q_DEFICIT_END, DS_Q_BENEFIT,
                                          DS_Q_BENEFIT_GIVEN_DEAL};

static ds_qhist *ref_of(refs *r, int j)
{
    return j == 0 ? &r->deficit : j == 1 ? &r->dend : j == 2 ? &r->benefit : &r->bgd;
}

/* Strategy k's outcome of one draw:
 * 0: normal deficit, deals in half the draws, benefit in [-4, 8) (the
 *    zeros of the draws without a deal inside its bins' window);
 * 1: skewed deficit, deficit_end apart from it, deals in 2% of the draws
 *    (a benefit given a deal of few values, kept exactly);
 * 2: deficit of few values, deals in 90%, benefit in [500, 501) (the zeros
 *    far outside its window);
 * 3: bimodal deficit, a deal in every draw, benefit of both signs and
 *    wide range;
 * 4: deals in 30%, benefit of 100 values near 0, 0 in a fifth of the
 *    deals and a few far off (bins wide enough that bin 0 holds exact
 *    zeros and other values);
 * 5: deals in 60%, benefit in (0.001, 1.5) (bin 0 outside the window,
 *    which still takes it in). */
static void outcome(ds_outcome *o, int k)
{
    double u = unif();
    memset(o, 0, sizeof *o);
    switch (k) {
    case 0:
        o->deal = u < 0.5;
        o->deficit = 60.0 + 8.0 * normal();
        o->benefit = o->deal ? 12.0 * unif() - 4.0 : 0.0;
        break;
    case 1:
        o->deal = u < 0.02;
        o->deficit = 40.0 + exp(1.5 * normal());
        o->benefit = o->deal ? 3.0 * unif() : 0.0;
        break;
    case 2:
        o->deal = u < 0.9;
        o->deficit = (double)(next_u64() % 7) * 0.5;
        o->benefit = o->deal ? 500.0 + unif() : 0.0;
        break;
    case 3:
        o->deal = 1;
        o->deficit = (u < 0.3 ? -20.0 : 45.0) + normal();
        o->benefit = (unif() < 0.5 ? -1.0 : 1.0) * exp(6.0 * normal());
        break;
    case 4: {
        double w = unif();
        o->deal = u < 0.3;
        o->deficit = 50.0 + 0.001 * normal();
        o->benefit = !o->deal ? 0.0
                     : w < 0.01 ? 1000.0
                     : w < 0.2 ? 0.0
                     : (double)(next_u64() % 100) / 64.0 - 0.5;
        break;
    }
    default:
        o->deal = u < 0.6;
        o->deficit = 50.0 + normal();
        o->benefit = o->deal ? 0.001 + 1.499 * unif() : 0.0;
        break;
    }
    o->round = o->deal ? 1 : 0;
    o->package = o->deal ? 0 : -1;
    o->deficit_end = k == 1 ? o->deficit + normal() : o->deficit;
}

/* n draws into s (blocks of `block`) and into the reference histograms. */
static void add_draws(ds_stats *s, refs *r, uint64_t n, uint64_t block,
                      unsigned char ret[NS][1], double rcost[NS][1], uint32_t ev[NS][1])
{
    ds_outcome out[NS];
    for (uint64_t d = 0; d < n; d++) {
        for (int k = 0; k < NS; k++) {
            outcome(&out[k], k);
            out[k].retaliates = ret[k];
            out[k].retaliation_cost = rcost[k];
            out[k].evaluations = ev[k];
            out[k].approvals = ev[k];
            ds_qhist_add(&r[k].deficit, out[k].deficit);
            ds_qhist_add(&r[k].dend, out[k].deficit_end);
            ds_qhist_add(&r[k].benefit, out[k].benefit);
            if (out[k].deal)
                ds_qhist_add(&r[k].bgd, out[k].benefit);
        }
        ds_stats_add(s, out);
        if ((d + 1) % block == 0)
            cr_assert_eq(ds_stats_flush(s), DS_OK);
    }
    cr_assert_eq(ds_stats_flush(s), DS_OK);
}

static double figure(const ds_stats *s, size_t k, ds_quantity q, double p)
{
    ds_stat st = {.kind = DS_STAT_QUANTILE, .q = q, .p = p};
    return ds_stats_value(s, k, &st, 0);
}

static void same(double got, double want, size_t k, int j, double p, const char *order)
{
    cr_assert(memcmp(&got, &want, sizeof got) == 0 || (isnan(got) && isnan(want)),
              "%s: strategy %zu, quantity %d, p %g: %.17g, apart %.17g", order, k, j, p,
              got, want);
}

/* Every figure in several orders against the reference histograms. */
static void check_orders(const ds_stats *s, refs *r)
{
    double probs[NPROBS];
    for (int i = 0; i < NPROBS; i++)
        probs[i] = i == 0 ? 0.0 : i == NPROBS - 1 ? 1.0 : (double)i / (NPROBS - 1);
    probs[3] = 0.05;
    probs[11] = 0.5;
    probs[20] = 0.95;
    /* Ascending and descending, one quantity after the other. */
    for (size_t k = 0; k < NS; k++)
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < NPROBS; i++)
                same(figure(s, k, quantities[j], probs[i]),
                     ds_qhist_quantile(ref_of(&r[k], j), probs[i]), k, j, probs[i], "up");
            for (int i = NPROBS - 1; i >= 0; i--)
                same(figure(s, k, quantities[j], probs[i]),
                     ds_qhist_quantile(ref_of(&r[k], j), probs[i]), k, j, probs[i], "down");
        }
    /* The output's order: p05, p50, p95 of each quantity, row by row. */
    for (size_t k = 0; k < NS; k++)
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 3; i++) {
                double p = i == 0 ? 0.05 : i == 1 ? 0.5 : 0.95;
                same(figure(s, k, quantities[j], p), ds_qhist_quantile(ref_of(&r[k], j), p),
                     k, j, p, "output");
            }
    /* Shuffled, with repeats, strategies and quantities interleaved. */
    for (int t = 0; t < 2000; t++) {
        size_t k = (size_t)(next_u64() % NS);
        int j = (int)(next_u64() % 4), runs = 1 + (int)(next_u64() % 4);
        for (int u = 0; u < runs; u++) {
            double p = next_u64() % 2 ? probs[next_u64() % NPROBS] : unif();
            same(figure(s, k, quantities[j], p), ds_qhist_quantile(ref_of(&r[k], j), p), k, j,
                 p, "shuffled");
        }
    }
}

static void run_case(uint64_t seed, uint64_t n, uint64_t block)
{
    ds_model m;
    ds_stats *s, *t;
    refs r[NS];
    static unsigned char ret[NS][1];
    static double rcost[NS][1];
    static uint32_t ev[NS][1];

    rng_state = seed;
    memset(&m, 0, sizeof m);
    m.n_strategies = NS;
    m.n_third = 1;
    m.n_actors = 1;
    m.baseline_mean = 55.0;
    m.protocol.rounds = 3;
    s = ds_stats_new(&m);
    t = ds_stats_new(&m);
    cr_assert(s && t);
    for (int k = 0; k < NS; k++)
        for (int j = 0; j < 4; j++)
            ds_qhist_init(ref_of(&r[k], j));
    add_draws(s, r, n, block, ret, rcost, ev);
    check_orders(s, r);
    /* Other statistics in between, then more draws into s: nothing kept
     * from a read before may be taken for the new contents. */
    add_draws(t, r, 0, block, ret, rcost, ev);
    (void)figure(t, 0, DS_Q_DEFICIT, 0.5);
    (void)figure(s, 0, DS_Q_DEFICIT, 0.0);
    (void)figure(s, 0, DS_Q_DEFICIT, 0.5);
    add_draws(s, r, n / 2 + 1, block, ret, rcost, ev);
    check_orders(s, r);
    /* The same contents by a merge into the empty t. */
    cr_assert_eq(ds_stats_merge(t, s), DS_OK);
    check_orders(t, r);
    for (int k = 0; k < NS; k++)
        for (int j = 0; j < 4; j++)
            ds_qhist_free(ref_of(&r[k], j));
    ds_stats_free(s);
    ds_stats_free(t);
}

Test(stats_read, quantiles_in_any_order_equal_a_histogram_built_apart)
{
    run_case(1, 1, 1);
    run_case(2, 9, 4);
    run_case(3, 200, 64);
    run_case(4, 1000, 1000);
    run_case(5, 5000, 4096);
}
