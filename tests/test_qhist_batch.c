/*
 * test_qhist_batch.c - ds_qhist_add_many: adding a multiset in batches of
 * any sizes gives the bytes that adding its values one at a time with
 * ds_qhist_add gives (qhist.h), over sets that take every path: kept
 * values, exactly DS_QHIST_DISTINCT and one more distinct values, bins that
 * widen, ranges across zero, huge and tiny magnitudes, subnormals, bins at
 * the index limit, infinities, NaN and -0.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "qhist.h"

/* The sets: each fills x[0..n-1] from r and returns n (<= SET_MAX). */
#define SET_MAX 20000

typedef size_t (*make_set)(double *x, gsl_rng *r);

static size_t set_normal(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < SET_MAX; i++)
        x[i] = 10.0 + gsl_ran_gaussian(r, 3.0);
    return SET_MAX;
}

static size_t set_across_zero(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 5000; i++)
        x[i] = gsl_ran_flat(r, -1.0, 1.0);
    return 5000;
}

/* Few distinct values (kept exactly throughout), 0 the most frequent. */
static size_t set_few_distinct(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 3000; i++)
        x[i] = gsl_rng_uniform(r) < 0.6 ? 0.0 : 0.37 * (double)gsl_rng_uniform_int(r, 9);
    return 3000;
}

/* d distinct values (-3.25 (d - 1) / 2 .. in steps of 3.25), each 1 to 6
 * times, in random order. */
static size_t distinct(double *x, gsl_rng *r, size_t d)
{
    size_t n = 0;
    for (size_t k = 0; k < d; k++)
        for (size_t c = 1 + gsl_rng_uniform_int(r, 6); c > 0; c--)
            x[n++] = 3.25 * ((double)k - (double)(d - 1) / 2.0);
    gsl_ran_shuffle(r, x, n, sizeof *x);
    return n;
}

static size_t set_distinct_64(double *x, gsl_rng *r)
{
    return distinct(x, r, DS_QHIST_DISTINCT);
}

static size_t set_distinct_65(double *x, gsl_rng *r)
{
    return distinct(x, r, DS_QHIST_DISTINCT + 1);
}

/* 64 distinct values many times, and the 65th, far out, only last. */
static size_t set_65th_last(double *x, gsl_rng *r)
{
    size_t n = distinct(x, r, DS_QHIST_DISTINCT);
    x[n++] = 1e6;
    return n;
}

/* The benefit of many draws: 0 without a deal, continuous with one. */
static size_t set_mostly_zero(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 8000; i++)
        x[i] = gsl_rng_uniform(r) < 0.9 ? 0.0 : gsl_ran_gaussian(r, 2.0);
    return 8000;
}

/* Signs and magnitudes from 1e-300 to 1e300. */
static size_t set_magnitudes(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 4000; i++)
        x[i] = (gsl_rng_uniform(r) < 0.5 ? -1.0 : 1.0) *
               pow(10.0, gsl_ran_flat(r, -300.0, 300.0));
    return 4000;
}

/* Huge values only, of one sign. */
static size_t set_huge(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 4000; i++)
        x[i] = gsl_ran_flat(r, 1e307, DBL_MAX);
    return 4000;
}

/* Subnormals of both signs, some zeros and the smallest normals. */
static size_t set_subnormals(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 4000; i++) {
        double u = gsl_rng_uniform(r);
        x[i] = u < 0.1   ? 0.0
               : u < 0.2 ? -DBL_MIN
               : ldexp(gsl_rng_uniform(r), -1022 - (int)gsl_rng_uniform_int(r, 40)) *
                     (u < 0.6 ? -1.0 : 1.0);
    }
    return 4000;
}

/* Integers near 2^61 a few apart: the bins' width is set by the index
 * limit (each bin one value). */
static size_t set_index_limit(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 4000; i++)
        x[i] = 0x1p61 + 512.0 * (double)gsl_rng_uniform_int(r, 3000);
    return 4000;
}

/* A range of a few ulps at 1000. */
static size_t set_ulps(double *x, gsl_rng *r)
{
    for (size_t i = 0; i < 4000; i++)
        x[i] = 1000.0 + (double)gsl_rng_uniform_int(r, 200) * 0x1p-43;
    return 4000;
}

/* Continuous values with NaN, +inf, -inf, -0 and +0 among them. */
static size_t set_specials(double *x, gsl_rng *r)
{
    static const double special[] = { NAN, INFINITY, -INFINITY, -0.0, 0.0 };
    for (size_t i = 0; i < 6000; i++)
        x[i] = gsl_rng_uniform(r) < 0.1 ? special[gsl_rng_uniform_int(r, 5)]
                                        : gsl_ran_gaussian(r, 1.0);
    return 6000;
}

/* Only -0, +0 and non-finite values (no finite value but zero). */
static size_t set_zeros_and_non_finite(double *x, gsl_rng *r)
{
    static const double special[] = { NAN, INFINITY, -INFINITY, -0.0, 0.0 };
    for (size_t i = 0; i < 500; i++)
        x[i] = special[gsl_rng_uniform_int(r, 5)];
    return 500;
}

/* Every value a new extreme, alternately low and high (the bins widen at
 * almost every value when they come one at a time). */
static size_t set_widening(double *x, gsl_rng *r)
{
    (void)r;
    for (size_t i = 0; i < 5000; i++)
        x[i] = (i % 2 ? 1.0 : -0.5) * (double)i * (double)i;
    return 5000;
}

static const struct {
    const char *name;
    make_set make;
} sets[] = {
    { "normal", set_normal },
    { "across_zero", set_across_zero },
    { "few_distinct", set_few_distinct },
    { "distinct_64", set_distinct_64 },
    { "distinct_65", set_distinct_65 },
    { "65th_last", set_65th_last },
    { "mostly_zero", set_mostly_zero },
    { "magnitudes", set_magnitudes },
    { "huge", set_huge },
    { "subnormals", set_subnormals },
    { "index_limit", set_index_limit },
    { "ulps", set_ulps },
    { "specials", set_specials },
    { "zeros_and_non_finite", set_zeros_and_non_finite },
    { "widening", set_widening },
};
#define N_SETS (sizeof sets / sizeof sets[0])

/* Largest batch of each way of cutting a set (1: one value per call; the
 * last, one batch of the whole set). */
static const size_t max_batch[] = { 1, 3, 70, 1000, SET_MAX };
#define N_WAYS (sizeof max_batch / sizeof max_batch[0])

/* Add x[0..n-1] to h in batches of random sizes 0..most (the whole set
 * when most is SET_MAX). */
static void add_in_batches(ds_qhist *h, const double *x, size_t n, size_t most,
                           gsl_rng *r)
{
    size_t i = 0;
    if (most >= SET_MAX) {
        ds_qhist_add_many(h, x, n);
        return;
    }
    while (i < n) {
        size_t b = gsl_rng_uniform_int(r, most + 1);
        if (b > n - i)
            b = n - i;
        ds_qhist_add_many(h, x + i, b);
        i += b;
    }
}

Test(qhist_batch, same_bytes_as_one_value_at_a_time)
{
    static double x[SET_MAX];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ds_qhist one, many;

    cr_assert_not_null(r);
    gsl_rng_set(r, 20261129);
    ds_qhist_init(&one);
    ds_qhist_init(&many);
    for (size_t s = 0; s < N_SETS; s++) {
        size_t n = sets[s].make(x, r);
        cr_assert(n <= SET_MAX);
        ds_qhist_free(&one);  /* a new histogram; `many` is reset */
        for (size_t i = 0; i < n; i++)
            ds_qhist_add(&one, x[i]);
        for (size_t w = 0; w < N_WAYS; w++) {
            ds_qhist_reset(&many);
            add_in_batches(&many, x, n, max_batch[w], r);
            cr_assert(ds_qhist_same(&one, &many), "%s, batches up to %zu: other bytes",
                      sets[s].name, max_batch[w]);
            cr_assert(!one.nomem && !many.nomem);
        }
        /* One at a time, then the rest in batches, on a histogram whose
         * values are already in bins (or not, for the few-valued sets). */
        ds_qhist_reset(&many);
        for (size_t i = 0; i < n / 3; i++)
            ds_qhist_add(&many, x[i]);
        add_in_batches(&many, x + n / 3, n - n / 3, 50, r);
        cr_assert(ds_qhist_same(&one, &many), "%s, mixed: other bytes", sets[s].name);
    }
    ds_qhist_free(&one);
    ds_qhist_free(&many);
    gsl_rng_free(r);
}

/* Two sets one after the other: the second's batches meet a histogram
 * holding the first (kept or binned, narrow or wide), in both orders. */
Test(qhist_batch, onto_a_histogram_of_another_set)
{
    static double x[SET_MAX], y[SET_MAX];
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ds_qhist one, many;

    cr_assert_not_null(r);
    gsl_rng_set(r, 7);
    ds_qhist_init(&one);
    ds_qhist_init(&many);
    for (size_t s = 0; s < N_SETS; s++)
        for (size_t t = 0; t < N_SETS; t++) {
            size_t n = sets[s].make(x, r), m = sets[t].make(y, r);
            if (n > 2000)
                n = 2000;
            if (m > 2000)
                m = 2000;
            ds_qhist_free(&one);
            ds_qhist_reset(&many);
            for (size_t i = 0; i < n; i++)
                ds_qhist_add(&one, x[i]);
            for (size_t i = 0; i < m; i++)
                ds_qhist_add(&one, y[i]);
            add_in_batches(&many, x, n, 1 + s * 40, r);
            add_in_batches(&many, y, m, 1 + t * 60, r);
            cr_assert(ds_qhist_same(&one, &many), "%s then %s: other bytes", sets[s].name,
                      sets[t].name);
        }
    ds_qhist_free(&one);
    ds_qhist_free(&many);
    gsl_rng_free(r);
}

/* An empty batch changes nothing, and a batch of one is ds_qhist_add. */
Test(qhist_batch, empty_and_single)
{
    ds_qhist a, b;
    double v[] = { -0.0, 2.5, NAN, INFINITY, -INFINITY, 0x1p-1074 };

    ds_qhist_init(&a);
    ds_qhist_init(&b);
    ds_qhist_add_many(&a, NULL, 0);
    cr_assert(ds_qhist_same(&a, &b));
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ds_qhist_add_many(&a, &v[i], 1);
        ds_qhist_add(&b, v[i]);
        cr_assert(ds_qhist_same(&a, &b), "value %zu", i);
        ds_qhist_add_many(&a, v, 0);
        cr_assert(ds_qhist_same(&a, &b), "value %zu, then nothing", i);
    }
    cr_assert_eq(a.n, 3);
    cr_assert_eq(a.n_nan, 1);
    cr_assert_eq(a.n_pinf, 1);
    cr_assert_eq(a.n_ninf, 1);
    ds_qhist_free(&a);
    ds_qhist_free(&b);
}
