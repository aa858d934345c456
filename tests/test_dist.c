/*
 * test_dist.c - the dists of SPEC §2 (sim/dist.c): sample moments against
 * closed forms or numerical integration (within 4 standard errors at
 * n = 200000, fixed seeds), truncated normals deep in the tails, the
 * analytic mean, the support, the parameter checks, ownership.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "dealsim/dist.h"
#include "dealsim/error.h"
#include "dealsim/rng.h"

enum { N = 200000 };          /* samples per statistical test */
#define SEED UINT64_C(20261128) /* fixed seed of every test */
#define NSE 4.0                 /* tolerance in standard errors */

/* ---- constructors ----------------------------------------------------- */

static ds_dist mk_uniform(double lo, double hi)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_UNIFORM;
    d.u.uniform.min = lo, d.u.uniform.max = hi;
    return d;
}

static ds_dist mk_normal(double mu, double sd, double lo, double hi)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_NORMAL;
    d.u.normal.mean = mu, d.u.normal.sd = sd;
    d.u.normal.min = lo, d.u.normal.max = hi;
    return d;
}

static ds_dist mk_lognormal(double median, double sigma)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_LOGNORMAL;
    d.u.lognormal.median = median, d.u.lognormal.sigma = sigma;
    return d;
}

static ds_dist mk_tri(ds_dist_kind kind, double lo, double mode, double hi)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = kind;
    d.u.tri.min = lo, d.u.tri.mode = mode, d.u.tri.max = hi;
    return d;
}

static ds_dist mk_beta(double a, double b, double lo, double hi)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_BETA;
    d.u.beta.a = a, d.u.beta.b = b, d.u.beta.min = lo, d.u.beta.max = hi;
    return d;
}

/* A discrete dist owning copies of v and w. */
static ds_dist mk_discrete(size_t n, const double *v, const double *w)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_DISCRETE;
    d.u.discrete.n = n;
    d.u.discrete.values = malloc(n * sizeof(double) + 1);
    d.u.discrete.weights = malloc(n * sizeof(double) + 1);
    cr_assert(d.u.discrete.values && d.u.discrete.weights);
    memcpy(d.u.discrete.values, v, n * sizeof(double));
    memcpy(d.u.discrete.weights, w, n * sizeof(double));
    return d;
}

static void ready(ds_dist *d)
{
    const char *field = NULL;
    char msg[256];
    cr_assert_eq(ds_dist_check(d, &field, msg, sizeof msg), DS_OK, "%s: %s", field, msg);
    cr_assert_eq(ds_dist_prepare(d), DS_OK);
}

/* ---- sample statistics ------------------------------------------------ */

typedef struct {
    double mean, var, m4, lo, hi; /* m4: fourth central moment */
} stats;

/* n samples of d from stream (SEED, draw, DS_STREAM_WORLD). */
static stats sample(const ds_dist *d, uint64_t draw)
{
    static double x[N];
    ds_rng r;
    stats s = {0, 0, 0, INFINITY, -INFINITY};
    ds_rng_open(&r, SEED, draw, DS_STREAM_WORLD);
    for (int i = 0; i < N; i++) {
        x[i] = ds_dist_sample(d, ds_rng_gsl(&r));
        s.mean += x[i];
        s.lo = fmin(s.lo, x[i]);
        s.hi = fmax(s.hi, x[i]);
    }
    s.mean /= N;
    for (int i = 0; i < N; i++) {
        double e = (x[i] - s.mean) * (x[i] - s.mean);
        s.var += e;
        s.m4 += e * e;
    }
    s.var /= N - 1;
    s.m4 /= N;
    return s;
}

/* Sample mean within NSE se of mean, sample variance within NSE se of var
 * (se of the variance from the sample's own fourth moment). */
static void expect_moments(const stats *s, double mean, double var, const char *what)
{
    double se_m = sqrt(var / N), se_v = sqrt(fmax(s->m4 - s->var * s->var, 0) / N);
    cr_expect(fabs(s->mean - mean) <= NSE * se_m, "%s: mean %.10g, want %.10g (se %.3g)",
              what, s->mean, mean, se_m);
    cr_expect(fabs(s->var - var) <= NSE * se_v, "%s: var %.10g, want %.10g (se %.3g)", what,
              s->var, var, se_v);
}

/* ---- truncated standard normal by numerical integration --------------- */

/* Mean and variance of Z | a <= Z <= b by composite Simpson over
 * t = z - c, c the point of the window nearest 0, with the density
 * relative to phi(c), exp(-t (2c + t) / 2); infinite ends cut 40 sd out.
 * Independent of the closed forms in dist.c. */
static void tn_numeric(double a, double b, double *mean, double *var)
{
    double c = fmin(fmax(0.0, a), b);
    double lo = isinf(a) ? -40 : a - c, hi = isinf(b) ? 40 : b - c;
    enum { M = 200000 }; /* even */
    double h = (hi - lo) / M, s0 = 0, s1 = 0, s2 = 0;
    for (int i = 0; i <= M; i++) {
        double t = lo + i * h, g = exp(-0.5 * t * (2 * c + t));
        double wgt = (i == 0 || i == M) ? 1 : (i % 2 ? 4 : 2);
        s0 += wgt * g;
        s1 += wgt * g * t;
        s2 += wgt * g * t * t;
    }
    double m = s1 / s0;
    *mean = c + m;
    *var = s2 / s0 - m * m;
}

/* ---- uniform, normal, lognormal --------------------------------------- */

Test(dist, uniform_moments)
{
    ds_dist d = mk_uniform(-1.5, 4.25);
    ready(&d);
    stats s = sample(&d, 1);
    expect_moments(&s, 1.375, 5.75 * 5.75 / 12, "uniform");
    cr_assert(s.lo >= -1.5 && s.hi < 4.25);
    cr_assert_float_eq(ds_dist_mean(&d), 1.375, 1e-15);
}

Test(dist, normal_untruncated_moments)
{
    ds_dist d = mk_normal(3.25, 1.75, -INFINITY, INFINITY);
    ready(&d);
    stats s = sample(&d, 2);
    expect_moments(&s, 3.25, 1.75 * 1.75, "normal");
    cr_assert_eq(ds_dist_mean(&d), 3.25);
}

Test(dist, lognormal_moments)
{
    double med = 2.5, sg = 0.4;
    ds_dist d = mk_lognormal(med, sg);
    ready(&d);
    stats s = sample(&d, 3);
    double mean = med * exp(sg * sg / 2);
    double var = (exp(sg * sg) - 1) * med * med * exp(sg * sg);
    expect_moments(&s, mean, var, "lognormal");
    cr_assert(s.lo > 0);
    cr_assert_float_eq(ds_dist_mean(&d), mean, 1e-14);
}

/* ---- truncated normals ------------------------------------------------ */

typedef struct {
    double mu, sd, lo, hi;
    const char *what;
} tn_case;

/* Every method of dist.c: split and one-sided inverse CDF, reflection,
 * narrow windows (uniform and exponential proposals) and far tails
 * beyond the CDF's underflow (exponential proposal). */
static const tn_case tn_cases[] = {
    {0, 1, -1, 2, "two-sided across the mean"},
    {0, 1, -1, INFINITY, "min only, below the mean"},
    {0, 1, 1, INFINITY, "min only, above the mean"},
    {0, 1, -INFINITY, -0.5, "max only, below the mean"},
    {5, 2, 9, 17, "two-sided upper tail, scaled"},
    {-3, 0.5, -8, -4.2, "two-sided lower tail, scaled"},
    {0, 1, 3, 6, "upper tail [3, 6]"},
    {0, 1, 25, INFINITY, "one-sided at 25 sd (inverse Q)"},
    {0, 1, 35, INFINITY, "one-sided at 35 sd (exponential)"},
    {0, 1, 40, 40.001, "far-tail window [40, 40.001]"},
    {0, 1, -1e3, -999, "far-tail window [-1000, -999]"},
    {0, 1, 10, 10.1, "narrow window at 10 sd"},
    {0, 1, -0.1, 0.05, "narrow window across the mean"},
    {0, 1, 0, 0.2, "narrow window starting at the mean"},
    {100, 10, 100, INFINITY, "half-normal"},
};

Test(dist, truncated_normal_samples_and_mean)
{
    for (size_t i = 0; i < sizeof tn_cases / sizeof tn_cases[0]; i++) {
        const tn_case *c = &tn_cases[i];
        ds_dist d = mk_normal(c->mu, c->sd, c->lo, c->hi);
        ready(&d);
        double zm, zv;
        tn_numeric((c->lo - c->mu) / c->sd, (c->hi - c->mu) / c->sd, &zm, &zv);
        double mean = c->mu + c->sd * zm, var = c->sd * c->sd * zv;
        stats s = sample(&d, 100 + i);
        if (c->lo < c->mu && c->mu < c->hi) {
            /* P(X <= mean) = (P(0) - P(a)) / (P(b) - P(a)), via GSL's CDF */
            double pa = gsl_cdf_ugaussian_P((c->lo - c->mu) / c->sd);
            double p = (0.5 - pa) / (gsl_cdf_ugaussian_P((c->hi - c->mu) / c->sd) - pa);
            ds_rng r;
            long below = 0;
            ds_rng_open(&r, SEED, 200 + i, DS_STREAM_WORLD);
            for (int j = 0; j < N; j++)
                below += ds_dist_sample(&d, ds_rng_gsl(&r)) <= c->mu;
            cr_expect(fabs(below - N * p) <= NSE * sqrt(N * p * (1 - p)),
                      "%s: %ld below the mean, want %.1f", c->what, below, N * p);
        }
        cr_expect(s.lo >= c->lo && s.hi <= c->hi, "%s: samples in [%.17g, %.17g]", c->what,
                  s.lo, s.hi);
        expect_moments(&s, mean, var, c->what);
        /* The analytic mean against the integral: far closer than the
         * sampling error, 1e-9 sd (Simpson at h <= 4e-4 is ~1e-13). */
        cr_expect(fabs(ds_dist_mean(&d) - mean) <= 1e-9 * c->sd + 1e-15 * fabs(mean),
                  "%s: ds_dist_mean %.17g, integral %.17g", c->what, ds_dist_mean(&d), mean);
    }
}

/* Far in a tail the truncated mean is just inside the bound: for [a, inf)
 * it is the normal hazard, a + 1/a - 2/a^3 + ... (Mills' ratio series). */
Test(dist, truncated_normal_mean_far_tail_closed_form)
{
    double a = 200;
    ds_dist d = mk_normal(0, 1, a, INFINITY);
    ready(&d);
    double want = a + 1 / a - 2 / (a * a * a) + 10 / pow(a, 5);
    cr_assert(fabs(ds_dist_mean(&d) - want) < 1e-12 * a, "%.17g vs %.17g", ds_dist_mean(&d), want);
    ds_dist e = mk_normal(0, 1, -INFINITY, -a);
    ready(&e);
    cr_assert(fabs(ds_dist_mean(&e) + want) < 1e-12 * a);
    /* beyond anything a CDF can hold, samples still land in the window */
    ds_dist f = mk_normal(0, 1, 1e6, 1e6 + 1);
    ready(&f);
    ds_rng r;
    ds_rng_open(&r, SEED, 9, DS_STREAM_WORLD);
    for (int i = 0; i < 1000; i++) {
        double x = ds_dist_sample(&f, ds_rng_gsl(&r));
        cr_assert(x >= 1e6 && x <= 1e6 + 1e-5, "%.17g", x);
    }
    cr_assert(ds_dist_mean(&f) > 1e6 && ds_dist_mean(&f) < 1e6 + 2e-6);
}

/* A symmetric window has mean mu; P(X <= mu) is 1/2 (quantile check). */
Test(dist, truncated_normal_symmetric_median)
{
    ds_dist d = mk_normal(1.5, 0.75, 0, 3);
    ready(&d);
    cr_assert(fabs(ds_dist_mean(&d) - 1.5) < 1e-15);
    ds_rng r;
    ds_rng_open(&r, SEED, 10, DS_STREAM_WORLD);
    long below = 0;
    for (int i = 0; i < N; i++)
        below += ds_dist_sample(&d, ds_rng_gsl(&r)) <= 1.5;
    cr_assert(fabs(below - N / 2.0) < NSE * sqrt(N / 4.0), "%ld", below);
}

/* A window so far out that (min - mean)/sd overflows: the bound itself. */
Test(dist, truncated_normal_overflowing_window)
{
    ds_dist d = mk_normal(0, 1e-300, 1, 2);
    ready(&d);
    ds_rng r;
    ds_rng_open(&r, SEED, 11, DS_STREAM_WORLD);
    cr_assert_eq(ds_dist_sample(&d, ds_rng_gsl(&r)), 1.0);
    cr_assert_eq(ds_dist_mean(&d), 1.0);
    ds_dist e = mk_normal(0, 1e-300, -2, -1);
    ready(&e);
    cr_assert_eq(ds_dist_sample(&e, ds_rng_gsl(&r)), -1.0);
    cr_assert_eq(ds_dist_mean(&e), -1.0);
}

/* A generator whose every number is 1 - 1e-6: every proposal of the
 * rejection samplers is rejected, so the sampler must stop at its cap and
 * still return a value inside the window. */
static unsigned long stuck_calls;
static void stuck_set(void *s, unsigned long seed) { (void)s, (void)seed; }
static unsigned long stuck_get(void *s) { (void)s; stuck_calls++; return 0xffffefff; }
static double stuck_get_double(void *s) { (void)s; stuck_calls++; return 1 - 1e-6; }
static const gsl_rng_type stuck_type = {"stuck", 0xffffffff, 0, 1, stuck_set, stuck_get,
                                        stuck_get_double};

Test(dist, truncated_normal_rejection_is_capped)
{
    const double win[][2] = {{40, 41}, {-0.2, 0.05}, {2, 2.25}};
    gsl_rng *g = gsl_rng_alloc(&stuck_type);
    cr_assert_not_null(g);
    for (int i = 0; i < 3; i++) {
        ds_dist d = mk_normal(0, 1, win[i][0], win[i][1]);
        ready(&d);
        stuck_calls = 0;
        double x = ds_dist_sample(&d, g);
        cr_assert(x >= win[i][0] && x <= win[i][1], "window %d: %.17g", i, x);
        cr_assert(stuck_calls > 2 && stuck_calls <= 1000, "window %d: %lu calls", i,
                  stuck_calls);
    }
    gsl_rng_free(g);
}

/* A window far narrower than the sd, even one that rounds to a point in
 * sd units: uniform on [min, max] to double precision (mean the midpoint,
 * and the sample mean of (x - mid)/half within 4 se of 0). */
Test(dist, truncated_normal_flat_window)
{
    const double cases[][4] = {
        {0, 1e300, -1e-300, 1e-300}, /* (min - mean)/sd underflows to -0 */
        {0, 1e300, 1, 3},            /* one-sided, flat */
        {0, 1, 1e-20, 3e-20},        /* 2e-20 sd wide, near the mean */
    };
    for (int i = 0; i < 3; i++) {
        const double *c = cases[i];
        ds_dist d = mk_normal(c[0], c[1], c[2], c[3]);
        ready(&d);
        double mid = 0.5 * c[2] + 0.5 * c[3], half = 0.5 * (c[3] - c[2]);
        cr_assert(fabs(ds_dist_mean(&d) - mid) <= 1e-15 * fabs(mid) + 1e-3 * half,
                  "case %d: mean %.17g", i, ds_dist_mean(&d));
        ds_rng r;
        ds_rng_open(&r, SEED, 12, DS_STREAM_WORLD);
        double s = 0;
        enum { M = 20000 };
        for (int j = 0; j < M; j++) {
            double x = ds_dist_sample(&d, ds_rng_gsl(&r));
            cr_assert(x >= c[2] && x <= c[3], "case %d: %.17g", i, x);
            s += (x - mid) / half; /* uniform on [-1, 1]: sd 1/sqrt(3) */
        }
        cr_assert(fabs(s / M) < NSE / sqrt(3.0 * M), "case %d: %g", i, s / M);
    }
}

/* ---- triangular, PERT, beta ------------------------------------------- */

Test(dist, triangular_moments_and_quantile)
{
    double a = -2, c = 0.5, b = 6;
    ds_dist d = mk_tri(DS_DIST_TRIANGULAR, a, c, b);
    ready(&d);
    stats s = sample(&d, 20);
    double var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    expect_moments(&s, (a + b + c) / 3, var, "triangular");
    cr_assert(s.lo >= a && s.hi <= b);
    cr_assert_float_eq(ds_dist_mean(&d), (a + b + c) / 3, 1e-15);
    /* P(X <= mode) = (mode - min)/(max - min) */
    ds_rng r;
    ds_rng_open(&r, SEED, 21, DS_STREAM_WORLD);
    long below = 0;
    double p = (c - a) / (b - a);
    for (int i = 0; i < N; i++)
        below += ds_dist_sample(&d, ds_rng_gsl(&r)) <= c;
    cr_assert(fabs(below - N * p) < NSE * sqrt(N * p * (1 - p)), "%ld", below);
}

/* Huge but finite ranges: no overflow inside the inverse CDF. */
Test(dist, triangular_huge_range)
{
    ds_dist d = mk_tri(DS_DIST_TRIANGULAR, -8e307, 1e307, 8e307);
    ready(&d);
    ds_rng r;
    ds_rng_open(&r, SEED, 24, DS_STREAM_WORLD);
    double s = 0;
    for (int i = 0; i < 10000; i++) {
        double x = ds_dist_sample(&d, ds_rng_gsl(&r));
        cr_assert(isfinite(x) && x >= -8e307 && x <= 8e307, "%g", x);
        s += x / 10000;
    }
    /* mean 1e307 / 3, sd ~ 3.3e307: 4 se over 10000 samples is 1.3e306 */
    cr_assert(fabs(s - 1e307 / 3) < 1.4e306, "%g", s);
}

Test(dist, triangular_mode_at_an_end)
{
    ds_dist d = mk_tri(DS_DIST_TRIANGULAR, 1, 1, 4);
    ready(&d);
    stats s = sample(&d, 22);
    expect_moments(&s, 2, (1 + 16 + 1 - 4 - 1 - 4) / 18.0, "triangular mode = min");
    ds_dist e = mk_tri(DS_DIST_TRIANGULAR, 1, 4, 4);
    ready(&e);
    s = sample(&e, 23);
    expect_moments(&s, 3, (1 + 16 + 16 - 4 - 4 - 16) / 18.0, "triangular mode = max");
}

/* Beta(alpha, beta) variance alpha beta / ((alpha+beta)^2 (alpha+beta+1)). */
static double beta_var(double al, double be)
{
    return al * be / ((al + be) * (al + be) * (al + be + 1));
}

Test(dist, pert_moments)
{
    double a = 10, m = 13, b = 22; /* alpha = 2, beta = 4 */
    ds_dist d = mk_tri(DS_DIST_PERT, a, m, b);
    ready(&d);
    stats s = sample(&d, 30);
    double mean = (a + 4 * m + b) / 6;
    expect_moments(&s, mean, (b - a) * (b - a) * beta_var(2, 4), "pert");
    cr_assert(s.lo >= a && s.hi <= b);
    cr_assert_float_eq(ds_dist_mean(&d), mean, 1e-14);
}

Test(dist, beta_with_bounds_moments)
{
    double al = 0.7, be = 2.3, lo = -3, hi = 5;
    ds_dist d = mk_beta(al, be, lo, hi);
    ready(&d);
    stats s = sample(&d, 31);
    double mean = lo + (hi - lo) * al / (al + be);
    expect_moments(&s, mean, (hi - lo) * (hi - lo) * beta_var(al, be), "beta");
    cr_assert(s.lo >= lo && s.hi <= hi);
    cr_assert_float_eq(ds_dist_mean(&d), mean, 1e-14);
    ds_dist_support(&d, &mean, &hi);
    cr_assert_eq(mean, -3.0);
    cr_assert_eq(hi, 5.0);
}

/* ---- discrete --------------------------------------------------------- */

Test(dist, discrete_frequencies)
{
    const double v[] = {-1, 2.5, 7, 100};
    const double w[] = {1, 3, 0, 0.5}; /* 100 has p = 1/9; 7 never */
    ds_dist d = mk_discrete(4, v, w);
    ready(&d);
    ds_rng r;
    ds_rng_open(&r, SEED, 40, DS_STREAM_WORLD);
    long cnt[4] = {0};
    for (int i = 0; i < N; i++) {
        double x = ds_dist_sample(&d, ds_rng_gsl(&r));
        int k = x == -1 ? 0 : x == 2.5 ? 1 : x == 7 ? 2 : x == 100 ? 3 : -1;
        cr_assert(k >= 0, "drew %g", x);
        cnt[k]++;
    }
    cr_assert_eq(cnt[2], 0, "a value of weight 0 was drawn");
    for (int k = 0; k < 4; k++) {
        double p = w[k] / 4.5;
        cr_expect(fabs(cnt[k] - N * p) <= NSE * sqrt(N * p * (1 - p)) + 1e-9, "value %d: %ld",
                  k, cnt[k]);
    }
    cr_assert_float_eq(ds_dist_mean(&d), (-1 + 3 * 2.5 + 50) / 4.5, 1e-13);
    double lo, hi;
    ds_dist_support(&d, &lo, &hi);
    cr_assert_eq(lo, -1.0);
    cr_assert_eq(hi, 100.0);
    ds_dist_free(&d);
}

/* Weight 0 at the extremes: support excludes them; huge weights don't
 * overflow the mean. */
Test(dist, discrete_support_and_mean_edges)
{
    const double v[] = {-50, 1, 3, 50};
    const double w[] = {0, 1e308, 1e308, 0};
    ds_dist d = mk_discrete(4, v, w);
    ready(&d);
    double lo, hi;
    ds_dist_support(&d, &lo, &hi);
    cr_assert_eq(lo, 1.0);
    cr_assert_eq(hi, 3.0);
    cr_assert_float_eq(ds_dist_mean(&d), 2.0, 1e-15);
    cr_assert_eq(ds_dist_is_constant(&d, NULL), 0);
    ds_dist_free(&d);
}

/* ---- degenerate dists: the value, and no random numbers consumed ------ */

/* Sample d from stream (SEED, 50, WORLD); the next word must still be the
 * stream's first. */
static void expect_constant(ds_dist *d, double v, const char *what)
{
    ready(d);
    ds_rng r, fresh;
    ds_rng_open(&r, SEED, 50, DS_STREAM_WORLD);
    ds_rng_open(&fresh, SEED, 50, DS_STREAM_WORLD);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(ds_dist_sample(d, ds_rng_gsl(&r)), v, "%s: sample", what);
    cr_expect_eq(ds_rng_u32(&r), ds_rng_u32(&fresh), "%s consumed random numbers", what);
    double c = NAN, lo, hi;
    cr_expect_eq(ds_dist_is_constant(d, &c), 1, "%s: is_constant", what);
    cr_expect_eq(c, v, "%s: constant value", what);
    cr_expect_eq(ds_dist_mean(d), v, "%s: mean", what);
    ds_dist_support(d, &lo, &hi);
    cr_expect(lo == v && hi == v, "%s: support [%g, %g]", what, lo, hi);
    ds_dist_free(d);
}

Test(dist, degenerate_cases)
{
    ds_dist d = ds_dist_fixed(-0.375);
    expect_constant(&d, -0.375, "fixed");
    d = mk_uniform(2.5, 2.5);
    expect_constant(&d, 2.5, "uniform min = max");
    d = mk_normal(4, 0, -INFINITY, INFINITY);
    expect_constant(&d, 4, "normal sd 0");
    d = mk_normal(4, 0, 3, 5);
    expect_constant(&d, 4, "normal sd 0 with bounds");
    d = mk_normal(4, 0, 4, 4);
    expect_constant(&d, 4, "normal sd 0, min = max = mean");
    d = mk_normal(4, 2, 1.25, 1.25);
    expect_constant(&d, 1.25, "normal min = max");
    d = mk_lognormal(3.5, 0);
    expect_constant(&d, 3.5, "lognormal sigma 0");
    d = mk_tri(DS_DIST_TRIANGULAR, 7, 7, 7);
    expect_constant(&d, 7, "triangular min = max");
    d = mk_tri(DS_DIST_PERT, -7, -7, -7);
    expect_constant(&d, -7, "pert min = max");
    d = mk_beta(2, 3, 0.5, 0.5);
    expect_constant(&d, 0.5, "beta min = max");
    const double v1[] = {9}, w1[] = {2};
    d = mk_discrete(1, v1, w1);
    expect_constant(&d, 9, "discrete of one value");
    const double v2[] = {1, 9, 2, 9}, w2[] = {0, 2, 0, 5};
    d = mk_discrete(4, v2, w2);
    expect_constant(&d, 9, "discrete of one drawable value");
}

/* A non-degenerate dist does consume: the check above can fail. */
Test(dist, non_degenerate_consumes)
{
    ds_dist d = mk_uniform(0, 1);
    ready(&d);
    ds_rng r, fresh;
    ds_rng_open(&r, SEED, 50, DS_STREAM_WORLD);
    ds_rng_open(&fresh, SEED, 50, DS_STREAM_WORLD);
    (void)ds_dist_sample(&d, ds_rng_gsl(&r));
    cr_assert_neq(ds_rng_u32(&r), ds_rng_u32(&fresh));
}

/* Same stream, same draws (determinism through GSL's samplers). */
Test(dist, sampling_is_deterministic)
{
    ds_dist ds[] = {mk_normal(0, 1, -INFINITY, INFINITY), mk_normal(0, 1, 2, 3),
                    mk_lognormal(1, 1), mk_tri(DS_DIST_PERT, 0, 1, 5), mk_beta(0.5, 0.5, 0, 1)};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        ready(&ds[i]);
        ds_rng a, b;
        ds_rng_open(&a, SEED, 60, DS_STREAM_ROUNDS);
        ds_rng_open(&b, SEED, 60, DS_STREAM_ROUNDS);
        for (int j = 0; j < 100; j++)
            cr_assert_eq(ds_dist_sample(&ds[i], ds_rng_gsl(&a)),
                         ds_dist_sample(&ds[i], ds_rng_gsl(&b)));
    }
}

/* Any gsl_rng works, not only ds_rng streams. */
Test(dist, works_with_other_gsl_generators)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5);
    ds_dist d = mk_normal(0, 1, -1, 2);
    ready(&d);
    double zm, zv, s = 0;
    tn_numeric(-1, 2, &zm, &zv);
    for (int i = 0; i < N; i++) {
        double x = ds_dist_sample(&d, g);
        cr_assert(x >= -1 && x <= 2);
        s += x;
    }
    cr_assert(fabs(s / N - zm) < NSE * sqrt(zv / N));
    gsl_rng_free(g);
}

/* ---- support ---------------------------------------------------------- */

static void expect_support(ds_dist d, double lo, double hi, const char *what)
{
    double l, h;
    ready(&d);
    ds_dist_support(&d, &l, &h);
    cr_expect(l == lo && h == hi, "%s: [%g, %g], want [%g, %g]", what, l, h, lo, hi);
    ds_dist_free(&d);
}

Test(dist, support_of_every_kind)
{
    expect_support(ds_dist_fixed(2), 2, 2, "fixed");
    expect_support(mk_uniform(-1, 3), -1, 3, "uniform");
    expect_support(mk_normal(1, 2, -INFINITY, INFINITY), -INFINITY, INFINITY, "normal");
    expect_support(mk_normal(1, 2, 0, INFINITY), 0, INFINITY, "normal, min only");
    expect_support(mk_normal(1, 2, -INFINITY, 5), -INFINITY, 5, "normal, max only");
    expect_support(mk_normal(1, 2, 0, 5), 0, 5, "normal, both");
    expect_support(mk_normal(1, 0, -INFINITY, INFINITY), 1, 1, "normal, sd 0");
    expect_support(mk_lognormal(3, 0.5), 0, INFINITY, "lognormal");
    expect_support(mk_lognormal(3, 0), 3, 3, "lognormal, sigma 0");
    expect_support(mk_tri(DS_DIST_TRIANGULAR, 1, 2, 4), 1, 4, "triangular");
    expect_support(mk_tri(DS_DIST_PERT, 1, 1, 4), 1, 4, "pert");
    expect_support(mk_beta(1, 2, 0, 1), 0, 1, "beta, default bounds");
    expect_support(mk_beta(1, 2, -5, -4), -5, -4, "beta");
    const double v[] = {3, -2, 8}, w[] = {1, 1, 0};
    expect_support(mk_discrete(3, v, w), -2, 3, "discrete");
}

/* ---- ds_dist_check: every rule, with field and message ----------------- */

static void expect_bad(ds_dist d, const char *field, const char *msg)
{
    const char *f = "unset";
    char m[256] = "unset";
    cr_expect_eq(ds_dist_check(&d, &f, m, sizeof m), DS_EINVAL, "want error %s: %s", field, msg);
    cr_expect_str_eq(f, field);
    cr_expect_str_eq(m, msg);
    ds_dist_free(&d);
}

static void expect_ok(ds_dist d)
{
    const char *f = NULL;
    char m[256] = "";
    cr_expect_eq(ds_dist_check(&d, &f, m, sizeof m), DS_OK, "unexpected %s: %s", f, m);
    ds_dist_free(&d);
}

Test(dist, check_numbers_are_finite)
{
    expect_bad(ds_dist_fixed(NAN), "value", "must be a finite number, got nan");
    expect_bad(ds_dist_fixed(INFINITY), "value", "must be a finite number, got inf");
    expect_bad(mk_uniform(-INFINITY, 1), "min", "must be a finite number, got -inf");
    expect_bad(mk_normal(NAN, 1, -INFINITY, INFINITY), "mean", "must be a finite number, got nan");
    expect_bad(mk_normal(0, INFINITY, -INFINITY, INFINITY), "sd", "must be a finite number, got inf");
    expect_bad(mk_normal(0, 1, INFINITY, INFINITY), "min", "must be a finite number, got inf");
    expect_bad(mk_normal(0, 1, NAN, INFINITY), "min", "must be a finite number, got nan");
    expect_bad(mk_normal(0, 1, -INFINITY, -INFINITY), "max", "must be a finite number, got -inf");
    expect_bad(mk_lognormal(NAN, 1), "median", "must be a finite number, got nan");
    expect_bad(mk_lognormal(1, INFINITY), "sigma", "must be a finite number, got inf");
    expect_bad(mk_tri(DS_DIST_TRIANGULAR, 0, NAN, 1), "mode", "must be a finite number, got nan");
    expect_bad(mk_tri(DS_DIST_PERT, 0, 1, INFINITY), "max", "must be a finite number, got inf");
    expect_bad(mk_beta(INFINITY, 1, 0, 1), "a", "must be a finite number, got inf");
    expect_bad(mk_beta(1, NAN, 0, 1), "b", "must be a finite number, got nan");
    expect_bad(mk_beta(1, 1, NAN, 1), "min", "must be a finite number, got nan");
    const double v[] = {1, NAN}, w[] = {1, 1};
    expect_bad(mk_discrete(2, v, w), "values", "element 1 must be a finite number, got nan");
    const double v2[] = {1, 2}, w2[] = {INFINITY, 1};
    expect_bad(mk_discrete(2, v2, w2), "weights", "element 0 must be a finite number, got inf");
}

Test(dist, check_kind_rules)
{
    /* uniform / triangular / pert / beta: min <= max */
    expect_bad(mk_uniform(3, 2), "max", "must be >= min (3), got 2");
    expect_bad(mk_uniform(-1e308, 1e308), "max",
               "max - min must be a finite number, got inf");
    expect_ok(mk_uniform(2, 2));
    /* normal */
    expect_bad(mk_normal(0, -1, -INFINITY, INFINITY), "sd", "must be >= 0, got -1");
    expect_bad(mk_normal(0, 1, 2, 1), "max", "must be >= min (2), got 1");
    expect_bad(mk_normal(0.1, 0, 1, 2), "mean",
               "must lie within [min, max] = [1, 2] when sd is 0, got 0.1");
    expect_bad(mk_normal(3, 0, -INFINITY, 2.5), "mean",
               "must lie within [min, max] = [-inf, 2.5] when sd is 0, got 3");
    expect_ok(mk_normal(2, 0, 1, 2));
    expect_ok(mk_normal(0, 1, 40, 40.001)); /* far out, still valid */
    /* lognormal */
    expect_bad(mk_lognormal(0, 1), "median", "must be > 0, got 0");
    expect_bad(mk_lognormal(-2.5, 1), "median", "must be > 0, got -2.5");
    expect_bad(mk_lognormal(1, -0.25), "sigma", "must be >= 0, got -0.25");
    expect_ok(mk_lognormal(1, 0));
    /* triangular and pert */
    expect_bad(mk_tri(DS_DIST_TRIANGULAR, 1, 2, 0), "max", "must be >= min (1), got 0");
    expect_bad(mk_tri(DS_DIST_TRIANGULAR, 1, 0.5, 2), "mode", "must be >= min (1), got 0.5");
    expect_bad(mk_tri(DS_DIST_PERT, 1, 3, 2), "mode", "must be <= max (2), got 3");
    expect_ok(mk_tri(DS_DIST_PERT, 1, 1, 1));
    /* beta */
    expect_bad(mk_beta(0, 1, 0, 1), "a", "must be > 0, got 0");
    expect_bad(mk_beta(1, -3, 0, 1), "b", "must be > 0, got -3");
    expect_bad(mk_beta(1, 1, 1, 0.1), "max", "must be >= min (1), got 0.1");
    expect_ok(mk_beta(1, 1, 0.5, 0.5));
    /* discrete */
    const double v[] = {1, 2, 3}, w[] = {1, -1, 0}, z[] = {0, 0, 0}, ok[] = {0, 0, 1e-300};
    expect_bad(mk_discrete(3, v, w), "weights", "element 1 must be >= 0, got -1");
    expect_bad(mk_discrete(3, v, z), "weights", "must not be all 0");
    expect_ok(mk_discrete(3, v, ok));
    ds_dist e = ds_dist_fixed(0);
    e.kind = DS_DIST_DISCRETE; /* n = 0, no arrays */
    expect_bad(e, "values", "must have at least 1 element");
    /* an unknown kind */
    ds_dist u = ds_dist_fixed(0);
    u.kind = (ds_dist_kind)99;
    expect_bad(u, "", "unknown dist kind 99");
}

/* Numbers in messages are the shortest that read back. */
Test(dist, check_message_numbers_round_trip)
{
    expect_bad(mk_normal(0, -0.1, -INFINITY, INFINITY), "sd", "must be >= 0, got -0.1");
    expect_bad(mk_normal(0, -1.0 / 3, -INFINITY, INFINITY), "sd",
               "must be >= 0, got -0.3333333333333333");
    expect_bad(mk_normal(0, -(0.1 + 0.2), -INFINITY, INFINITY), "sd",
               "must be >= 0, got -0.30000000000000004");
    expect_bad(mk_normal(0, -1e-300, -INFINITY, INFINITY), "sd", "must be >= 0, got -1e-300");
    /* a small buffer truncates, never overflows */
    ds_dist d = mk_normal(0, -1, -INFINITY, INFINITY);
    char m[8];
    const char *f;
    cr_assert_eq(ds_dist_check(&d, &f, m, sizeof m), DS_EINVAL);
    cr_assert_str_eq(m, "must be");
    cr_assert_eq(ds_dist_check(&d, NULL, NULL, 0), DS_EINVAL);
}

/* ---- ownership -------------------------------------------------------- */

Test(dist, copy_and_free)
{
    const double v[] = {1, 2, 3}, w[] = {1, 0, 1};
    ds_dist d = mk_discrete(3, v, w), c;
    ready(&d);
    cr_assert_eq(ds_dist_copy(&c, &d), DS_OK);
    cr_assert_neq(c.u.discrete.values, d.u.discrete.values);
    cr_assert_neq(c.u.discrete.weights, d.u.discrete.weights);
    cr_assert_not_null(c.table);
    cr_assert_neq(c.table, d.table);
    ds_rng a, b;
    ds_rng_open(&a, SEED, 70, DS_STREAM_WORLD);
    ds_rng_open(&b, SEED, 70, DS_STREAM_WORLD);
    double x[50];
    for (int i = 0; i < 50; i++)
        x[i] = ds_dist_sample(&d, ds_rng_gsl(&a));
    ds_dist_free(&d);
    cr_assert_eq(d.kind, DS_DIST_FIXED);
    cr_assert_eq(d.u.fixed.value, 0.0);
    cr_assert_null(d.table);
    for (int i = 0; i < 50; i++)
        cr_assert_eq(ds_dist_sample(&c, ds_rng_gsl(&b)), x[i]);
    /* a copy of a non-discrete dist keeps its prepared constants */
    ds_dist n = mk_normal(0, 1, 3, 6), m;
    ready(&n);
    cr_assert_eq(ds_dist_copy(&m, &n), DS_OK);
    ds_rng_open(&a, SEED, 71, DS_STREAM_WORLD);
    ds_rng_open(&b, SEED, 71, DS_STREAM_WORLD);
    cr_assert_eq(ds_dist_sample(&m, ds_rng_gsl(&a)), ds_dist_sample(&n, ds_rng_gsl(&b)));
    ds_dist_free(&c);
    ds_dist_free(&m);
    ds_dist_free(&n);
    ds_dist_free(NULL);
}

/* Preparing twice frees the first table (ASan would see a leak). */
Test(dist, prepare_twice)
{
    const double v[] = {1, 2}, w[] = {1, 1};
    ds_dist d = mk_discrete(2, v, w);
    ready(&d);
    cr_assert_eq(ds_dist_prepare(&d), DS_OK);
    ds_dist_free(&d);
}

Test(dist, fixed_constructor)
{
    ds_dist d = ds_dist_fixed(1.25);
    cr_assert_eq(d.kind, DS_DIST_FIXED);
    cr_assert_null(d.table);
    ds_rng r;
    ds_rng_open(&r, SEED, 80, DS_STREAM_WORLD);
    cr_assert_eq(ds_dist_sample(&d, ds_rng_gsl(&r)), 1.25); /* no prepare needed */
}

/* The one-uniform shortcut the engine takes for uniform and triangular dists
 * gives exactly what sampling through the stream gives; other kinds, and
 * constant ones, do not claim it. */
Test(dist, one_uniform_shortcut_is_exact)
{
    ds_dist u = mk_uniform(-2.5, 7.25), t = mk_uniform(0, 1), n = mk_normal(0, 1, -INFINITY, INFINITY);
    t.kind = DS_DIST_TRIANGULAR;
    t.u.tri.min = 1.0;
    t.u.tri.mode = 1.75;
    t.u.tri.max = 4.0;
    cr_assert_eq(ds_dist_prepare(&u), 0);
    cr_assert_eq(ds_dist_prepare(&t), 0);
    cr_assert_eq(ds_dist_prepare(&n), 0);
    cr_assert(ds_dist_is_one_uniform(&u) && ds_dist_is_one_uniform(&t));
    cr_assert(!ds_dist_is_one_uniform(&n));
    ds_dist c = mk_uniform(3, 3);
    cr_assert(!ds_dist_is_one_uniform(&c), "a constant draws nothing");
    for (uint64_t d = 0; d < 2000; d++) {
        const ds_dist *dd = d % 2 ? &u : &t;
        ds_rng a, b;
        ds_rng_open(&a, 77, d, 5);
        ds_rng_open(&b, 77, d, 5);
        double x = ds_dist_sample(dd, ds_rng_gsl(&a));
        double y = ds_dist_from_uniform(dd, ds_rng_uniform(&b));
        cr_assert(memcmp(&x, &y, sizeof x) == 0, "draw %llu: %a vs %a",
                  (unsigned long long)d, x, y);
    }
}
