/*
 * test_qhist_view.c - ds_qhist_view: the quantiles of a histogram that keeps
 * its values exactly, with a batch of values not yet added, are bit for bit
 * the quantiles of the histogram after adding the batch, over batches that
 * take every path: few distinct values (kept), exactly DS_QHIST_DISTINCT
 * and one more with the histogram's, continuous values in bins, ranges
 * across zero, huge and tiny magnitudes, subnormals, products with the
 * bins' scale that underflow, bins at the index limit, a range of a few
 * ulps, values crowded into one bin, infinities, NaN and -0.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "qhist.h"

#define N DS_QHIST_VIEW_MAX

/* One value of kind `kind` (see draw_set). */
static double value(int kind, gsl_rng *r, size_t i)
{
    static const double special[] = { NAN, INFINITY, -INFINITY, -0.0, 0.0 };
    double u = gsl_rng_uniform(r);
    switch (kind) {
    case 0:  return 10.0 + gsl_ran_gaussian(r, 3.0);
    case 1:  return gsl_ran_flat(r, -1.0, 1.0);
    case 2:  return u < 0.6 ? 0.0 : 0.37 * (double)gsl_rng_uniform_int(r, 9);
    case 3:  return 3.25 * (double)gsl_rng_uniform_int(r, DS_QHIST_DISTINCT / 2);
    case 4:  return u < 0.9 ? 0.0 : gsl_ran_gaussian(r, 2.0);
    case 5:  return (u < 0.5 ? -1.0 : 1.0) * pow(10.0, gsl_ran_flat(r, -300.0, 300.0));
    case 6:  return gsl_ran_flat(r, 1e307, DBL_MAX);
    case 7:  return u < 0.1 ? 0.0 : u < 0.2 ? -DBL_MIN
                                 : ldexp(gsl_rng_uniform(r), -1022 - (int)gsl_rng_uniform_int(r, 40)) *
                                       (u < 0.6 ? -1.0 : 1.0);
    case 8:  return 0x1p61 + 512.0 * (double)gsl_rng_uniform_int(r, 3000);
    case 9:  return 1000.0 + (double)gsl_rng_uniform_int(r, 200) * 0x1p-43;
    case 10: return u < 0.1 ? special[gsl_rng_uniform_int(r, 5)] : gsl_ran_gaussian(r, 1.0);
    case 11: return special[gsl_rng_uniform_int(r, 5)];
    case 12: /* crowded: almost all within 1e-9 of 5, one far value */
        return i == 0 ? 1e6 : 5.0 + 1e-9 * gsl_rng_uniform(r);
    case 13: /* 3.25 k for k < 33: the histogram's 32 and these meet 64/65 */
        return 3.25 * (double)(DS_QHIST_DISTINCT / 2 + gsl_rng_uniform_int(r, 33));
    case 14: /* wide and counted by bin, with values so small next to the
              * bins that a product with the scale underflows (a negative
              * one to -0, still in the bin below 0) */
        return u < 0.15 ? (u < 0.1 ? -1.0 : 1.0) * ldexp(1.0 + u, -1000)
                        : gsl_ran_flat(r, -1.0, 1.0) * 0x1p1020;
    default: /* zeros of both signs, infinities, no NaN */
        return u < 0.3 ? -0.0 : u < 0.6 ? 0.0 : u < 0.7 ? INFINITY : u < 0.8 ? -INFINITY : 1.5;
    }
}
#define N_KINDS 16

/* Probabilities asked: the ends, the output's, and random ones. */
static size_t probs(double *p, gsl_rng *r)
{
    static const double fixed[] = { 0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95,
                                    0.99, 1.0 };
    size_t n = 0;
    for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
        p[n++] = fixed[j];
    for (size_t j = 0; j < 20; j++)
        p[n++] = gsl_rng_uniform(r);
    return n;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

Test(qhist_view, same_quantiles_as_adding_the_batch)
{
    static double x[N];
    static ds_qhist_view v;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double p[64];
    size_t checked = 0, binned = 0, kept = 0, counted = 0, sorted_binned = 0;

    cr_assert_not_null(r);
    gsl_rng_set(r, 20261129);
    for (int trial = 0; trial < 600; trial++) {
        int hk = trial % N_KINDS, bk = (trial / N_KINDS) % N_KINDS;
        size_t n0 = gsl_rng_uniform_int(r, 4) == 0 ? 0 : gsl_rng_uniform_int(r, 300);
        size_t m = trial % 7 == 0 ? N : gsl_rng_uniform_int(r, N + 1);
        size_t np = probs(p, r);
        /* copies of 0 besides: none, a few, or as many as in a run */
        uint64_t zeros = trial % 3 == 0 ? 0 : trial % 3 == 1 ? gsl_rng_uniform_int(r, 5)
                                                            : 1000000 + gsl_rng_uniform_int(r, 9);
        ds_qhist h, all;

        ds_qhist_init(&h);
        ds_qhist_init(&all);
        for (size_t i = 0; i < n0; i++) {
            double y = value(hk == 13 ? 3 : hk, r, i);
            ds_qhist_add(&h, y);
            ds_qhist_add(&all, y);
        }
        for (size_t i = 0; i < m; i++)
            x[i] = value(bk, r, i);
        if (h.binned) {
            cr_assert_eq(ds_qhist_view_make(&v, &h, x, m, zeros), -1);
        } else {
            ds_qhist_cursor c = { 0, 0 };
            cr_assert_eq(ds_qhist_view_make(&v, &h, x, m, zeros), 0, "trial %d", trial);
            ds_qhist_add_many(&all, x, m);
            ds_qhist_add_count(&all, 0.0, zeros);
            binned += all.binned;
            kept += !all.binned;
            counted += v.counted != 0;
            sorted_binned += !v.counted && all.binned;
            cr_assert_eq(v.n, all.n);
            cr_assert_eq(v.n_nan, all.n_nan);
            cr_assert_eq(v.n_pinf, all.n_pinf);
            cr_assert_eq(v.n_ninf, all.n_ninf);
            for (size_t j = 0; j < np; j++) {
                double want = ds_qhist_quantile(&all, p[j]);
                double got = ds_qhist_view_quantile(&v, p[j], &c);
                cr_assert(same_double(want, got),
                          "trial %d (kinds %d, %d; %zu + %zu values): p = %.17g: "
                          "view %.17g, histogram %.17g",
                          trial, hk, bk, n0, m, p[j], got, want);
                checked++;
            }
        }
        ds_qhist_free(&h);
        ds_qhist_free(&all);
    }
    cr_assert_gt(checked, 10000);
    cr_assert_gt(binned, 100, "too few batches reached the bins: %zu", binned);
    cr_assert_gt(kept, 50, "too few batches stayed kept: %zu", kept);
    cr_assert_gt(counted, 100, "too few views counted by bin: %zu", counted);
    cr_assert_gt(sorted_binned, 20, "too few views sorted into bins: %zu", sorted_binned);
    gsl_rng_free(r);
}

/* The histogram's d0 distinct values and the batch's d1 new ones, at and
 * around DS_QHIST_DISTINCT in all (kept, then in bins), each several times,
 * with the histogram empty or not. */
Test(qhist_view, at_the_distinct_limit)
{
    static double x[N];
    static ds_qhist_view v;
    double p[64];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t np;

    cr_assert_not_null(r);
    gsl_rng_set(r, 64);
    np = probs(p, r);
    for (size_t d0 = 0; d0 <= DS_QHIST_DISTINCT; d0 += DS_QHIST_DISTINCT / 2)
        for (size_t d = DS_QHIST_DISTINCT - 2; d <= DS_QHIST_DISTINCT + 2; d++) {
            ds_qhist h, all;
            ds_qhist_cursor c = { 0, 0 };
            size_t m = 0;
            if (d < d0)
                continue;
            ds_qhist_init(&h);
            ds_qhist_init(&all);
            for (size_t k = 0; k < d0; k++)
                for (size_t t = 0; t < 3; t++) {
                    ds_qhist_add(&h, -7.0 + 0.5 * (double)k);
                    ds_qhist_add(&all, -7.0 + 0.5 * (double)k);
                }
            for (size_t k = d0; k < d; k++)
                for (size_t t = 0; t <= k % 4; t++)
                    x[m++] = k == 14 && t % 2 ? -0.0 : -7.0 + 0.5 * (double)k;
            if (m > 1)
                gsl_ran_shuffle(r, x, m, sizeof *x);
            cr_assert(!h.binned);
            cr_assert_eq(ds_qhist_view_make(&v, &h, x, m, 0), 0);
            ds_qhist_add_many(&all, x, m);
            cr_assert_eq(all.binned, d > DS_QHIST_DISTINCT);
            for (size_t j = 0; j < np; j++) {
                double want = ds_qhist_quantile(&all, p[j]);
                double got = ds_qhist_view_quantile(&v, p[j], &c);
                cr_assert(same_double(want, got), "%zu + %zu distinct: p = %.17g: %.17g, %.17g",
                          d0, d - d0, p[j], got, want);
            }
            ds_qhist_free(&h);
            ds_qhist_free(&all);
        }
    gsl_rng_free(r);
}

/* A view is refused for a histogram in bins and for too large a batch. */
Test(qhist_view, refused)
{
    static double x[N + 1];
    static ds_qhist_view v;
    ds_qhist h;

    ds_qhist_init(&h);
    for (size_t i = 0; i <= N; i++)
        x[i] = (double)i;
    cr_assert_eq(ds_qhist_view_make(&v, &h, x, N + 1, 0), -1);
    cr_assert_eq(ds_qhist_view_make(&v, &h, x, N, 0), 0);
    cr_assert_eq(v.n, N);
    for (size_t i = 0; i < 2 * DS_QHIST_DISTINCT; i++)
        ds_qhist_add(&h, (double)i);
    cr_assert(h.binned);
    cr_assert_eq(ds_qhist_view_make(&v, &h, x, 1, 0), -1);
    ds_qhist_free(&h);
}

/* The view of an empty histogram and an empty or all-NaN batch. */
Test(qhist_view, empty)
{
    static ds_qhist_view v;
    ds_qhist_cursor c = { 0, 0 };
    double nan = NAN;
    ds_qhist h;

    ds_qhist_init(&h);
    cr_assert_eq(ds_qhist_view_make(&v, &h, NULL, 0, 0), 0);
    cr_assert(isnan(ds_qhist_view_quantile(&v, 0.5, &c)));
    cr_assert_eq(ds_qhist_view_make(&v, &h, &nan, 1, 0), 0);
    cr_assert_eq(v.n_nan, 1);
    cr_assert(isnan(ds_qhist_view_quantile(&v, 0.5, &c)));
}

/* Bins reserved (untouched) and then used give the same histogram as bins
 * made when first needed, also after a reset, and for a histogram that
 * already has them reserving changes nothing. */
Test(qhist_view, reserved_bins)
{
    ds_qhist a, b;
    double x[3000];

    for (size_t i = 0; i < 3000; i++)
        x[i] = -50.0 + 0.037 * (double)((i * 7919) % 3000);
    ds_qhist_init(&a);
    ds_qhist_init(&b);
    cr_assert_eq(ds_qhist_reserve(&a), 0);
    cr_assert_not_null(a.bin);
    cr_assert(!a.binned);
    ds_qhist_add_many(&a, x, 3000);
    ds_qhist_add_many(&b, x, 3000);
    cr_assert(ds_qhist_same(&a, &b));
    ds_qhist_reset(&a);
    cr_assert_eq(ds_qhist_reserve(&a), 0);
    for (size_t i = 0; i < 1000; i++)
        ds_qhist_add(&a, x[2999 - i] * 3.0);
    ds_qhist_free(&b);
    for (size_t i = 0; i < 1000; i++)
        ds_qhist_add(&b, x[2999 - i] * 3.0);
    cr_assert(ds_qhist_same(&a, &b));
    ds_qhist_free(&a);
    ds_qhist_free(&b);
}
