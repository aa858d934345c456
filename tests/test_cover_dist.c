/*
 * test_cover_dist.c - corners of sim/dist.c beyond test_dist.c: the mean
 * of a truncated normal on a narrow window in the tail (by quadrature)
 * against an independent Simpson integration, checks called without room
 * for a message, discrete dists with missing arrays, a kind the library
 * does not know, copies of empty discrete dists, and one-uniform dists
 * sampled from a GSL generator that is not a dealsim stream.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "dealsim/dist.h"
#include "dealsim/error.h"

static ds_dist mk_normal(double mu, double sd, double lo, double hi)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_NORMAL;
    d.u.normal.mean = mu, d.u.normal.sd = sd;
    d.u.normal.min = lo, d.u.normal.max = hi;
    return d;
}

/* E[X | lo <= X <= hi] for X ~ N(mu, sd^2) by composite Simpson's rule on
 * 2000 intervals: x phi and phi are smooth, so on a window of a few
 * thousandths of an sd the error is far below 1e-15 relative. */
static double simpson_mean(double mu, double sd, double lo, double hi)
{
    enum { M = 2000 };
    double h = (hi - lo) / M, num = 0, den = 0;
    for (int i = 0; i <= M; i++) {
        double x = lo + h * i, z = (x - mu) / sd;
        double w = (i == 0 || i == M) ? 1 : (i % 2 ? 4 : 2);
        double g = exp(-0.5 * z * z);
        num += w * x * g;
        den += w * g;
    }
    return num / den;
}

/* Windows with 0 <= a and (b - a) b < 0.01 (sd units), on either side of
 * the mean: the closed form would cancel, the quadrature does not. */
Test(cover_dist, truncated_normal_mean_on_a_narrow_tail_window)
{
    static const double w[][4] = {
        {0, 1, 1, 1.005},      {0, 1, 0, 0.05},       {10, 2, 12.5, 12.51},
        {10, 2, 7.49, 7.5},    {-3, 0.5, -2, -1.999}, {0, 1, 0.001, 0.0995},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        ds_dist d = mk_normal(w[i][0], w[i][1], w[i][2], w[i][3]);
        cr_assert_eq(ds_dist_check(&d, NULL, NULL, 0), DS_OK);
        cr_assert_eq(ds_dist_prepare(&d), DS_OK);
        double m = ds_dist_mean(&d), ref = simpson_mean(w[i][0], w[i][1], w[i][2], w[i][3]);
        cr_assert(m >= w[i][2] && m <= w[i][3], "window %zu: mean %.17g outside", i, m);
        cr_assert(fabs(m - ref) <= 1e-12 * fabs(ref) + 1e-15,
                  "window %zu: mean %.17g, Simpson %.17g", i, m, ref);
        ds_dist_free(&d);
    }
}

/* field and msg are optional: a bad dist is still refused, and nothing is
 * written where there is no room. */
Test(cover_dist, check_without_field_or_message)
{
    double v[] = {1, 2}, wneg[] = {1, -1}, wzero[] = {0, 0};
    ds_dist bad[12];
    for (size_t i = 0; i < 12; i++)
        bad[i] = ds_dist_fixed(0);
    bad[0].u.fixed.value = NAN;
    bad[1].kind = DS_DIST_UNIFORM, bad[1].u.uniform.min = 2, bad[1].u.uniform.max = 1;
    bad[2].kind = DS_DIST_UNIFORM, bad[2].u.uniform.min = -1e308, bad[2].u.uniform.max = 1e308;
    bad[3] = mk_normal(0, -1, -INFINITY, INFINITY);
    bad[4] = mk_normal(0, 1, NAN, INFINITY);
    bad[5] = mk_normal(0, 1, -INFINITY, -INFINITY);
    bad[6] = mk_normal(0, 1, 2, 1);
    bad[7] = mk_normal(5, 0, 0, 1);
    bad[8].kind = DS_DIST_BETA, bad[8].u.beta.a = 1, bad[8].u.beta.b = 0,
    bad[8].u.beta.max = 1;
    bad[9].kind = DS_DIST_DISCRETE, bad[9].u.discrete.n = 2,
    bad[9].u.discrete.values = v, bad[9].u.discrete.weights = wneg;
    bad[10].kind = DS_DIST_DISCRETE, bad[10].u.discrete.n = 2,
    bad[10].u.discrete.values = v, bad[10].u.discrete.weights = wzero;
    bad[11].kind = DS_DIST_DISCRETE;
    for (size_t i = 0; i < 12; i++) {
        const char *field = "untouched";
        char msg[8] = "keep";
        cr_assert_eq(ds_dist_check(&bad[i], NULL, NULL, 0), DS_EINVAL, "dist %zu", i);
        cr_assert_eq(ds_dist_check(&bad[i], &field, msg, 0), DS_EINVAL, "dist %zu", i);
        cr_assert_str_eq(msg, "keep", "dist %zu wrote into no room", i);
        cr_assert_str_neq(field, "untouched", "dist %zu", i);
        cr_assert_eq(ds_dist_check(&bad[i], NULL, msg, sizeof msg), DS_EINVAL);
        cr_assert_neq(msg[0], '\0', "dist %zu: no message", i);
    }
}

/* A discrete dist whose arrays are missing names the missing one. */
Test(cover_dist, discrete_with_a_missing_array)
{
    double v[] = {1, 2};
    const char *field;
    char msg[100];
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_DISCRETE;
    d.u.discrete.n = 2;
    d.u.discrete.values = v;
    cr_assert_eq(ds_dist_check(&d, &field, msg, sizeof msg), DS_EINVAL);
    cr_assert_str_eq(field, "weights");
    cr_assert_str_eq(msg, "must have at least 1 element");
    d.u.discrete.values = NULL;
    d.u.discrete.weights = v;
    cr_assert_eq(ds_dist_check(&d, &field, msg, sizeof msg), DS_EINVAL);
    cr_assert_str_eq(field, "values");
    cr_assert_eq(ds_dist_prepare(&d), DS_EINVAL);
    cr_assert_null(d.table);
}

/* A kind outside the enum is refused by the check, and the other
 * functions answer without touching memory they do not have: no mean, an
 * unbounded support, not constant, no sample. */
Test(cover_dist, a_kind_the_library_does_not_know)
{
    const char *field;
    char msg[100];
    double lo, hi, v = 7;
    ds_dist d = ds_dist_fixed(3);
    d.kind = (ds_dist_kind)42;
    cr_assert_eq(ds_dist_check(&d, &field, msg, sizeof msg), DS_EINVAL);
    cr_assert_str_eq(field, "");
    cr_assert_str_eq(msg, "unknown dist kind 42");
    cr_assert_eq(ds_dist_prepare(&d), DS_OK);
    cr_assert(isnan(ds_dist_mean(&d)));
    ds_dist_support(&d, &lo, &hi);
    cr_assert(lo == -INFINITY && hi == INFINITY);
    cr_assert_eq(ds_dist_is_constant(&d, &v), 0);
    cr_assert_eq(v, 7);
    cr_assert_eq(ds_dist_is_one_uniform(&d), 0);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert(isnan(ds_dist_sample(&d, g)));
    gsl_rng_free(g);
}

/* A copy of a discrete dist without elements owns no arrays either. */
Test(cover_dist, copy_of_an_empty_discrete)
{
    ds_dist src = ds_dist_fixed(0), dst = ds_dist_fixed(5);
    src.kind = DS_DIST_DISCRETE;
    cr_assert_eq(ds_dist_copy(&dst, &src), DS_OK);
    cr_assert_eq(dst.kind, DS_DIST_DISCRETE);
    cr_assert_eq(dst.u.discrete.n, 0);
    cr_assert_null(dst.u.discrete.values);
    cr_assert_null(dst.u.discrete.weights);
    cr_assert_null(dst.table);
    ds_dist_free(&dst);
}

/* Uniform and triangular dists take one uniform from any GSL generator:
 * the sample is ds_dist_from_uniform of the generator's next uniform. */
Test(cover_dist, one_uniform_dists_on_a_gsl_generator)
{
    ds_dist u = ds_dist_fixed(0), t = ds_dist_fixed(0);
    u.kind = DS_DIST_UNIFORM, u.u.uniform.min = -2, u.u.uniform.max = 3;
    t.kind = DS_DIST_TRIANGULAR, t.u.tri.min = 1, t.u.tri.mode = 1.5, t.u.tri.max = 4;
    cr_assert_eq(ds_dist_prepare(&u), DS_OK);
    cr_assert_eq(ds_dist_prepare(&t), DS_OK);
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937), *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(a, 11);
    gsl_rng_set(b, 11);
    for (int i = 0; i < 1000; i++) {
        const ds_dist *d = i % 2 ? &t : &u;
        double x = ds_dist_sample(d, a), want = ds_dist_from_uniform(d, gsl_rng_uniform(b));
        cr_assert_eq(x, want, "draw %d: %.17g, want %.17g", i, x, want);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
}
