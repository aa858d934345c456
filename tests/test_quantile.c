/*
 * test_quantile.c - quantile functions and CDFs of every dist kind
 * (ds_dist_quantile, ds_dist_cdf, ds_dist_from_normal; SPEC §5.1, §11):
 * against closed forms, far in the tails, round trips, the mean as the
 * integral of the quantile function, and the discrete rule of SPEC §5.1.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>

#include "dealsim/dist.h"
#include "dealsim/error.h"

/* ---- constructors ----------------------------------------------------- */

static ds_dist mk(ds_dist_kind kind, double p0, double p1, double p2, double p3)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = kind;
    switch (kind) {
    case DS_DIST_UNIFORM: d.u.uniform.min = p0, d.u.uniform.max = p1; break;
    case DS_DIST_NORMAL:
        d.u.normal.mean = p0, d.u.normal.sd = p1, d.u.normal.min = p2, d.u.normal.max = p3;
        break;
    case DS_DIST_LOGNORMAL: d.u.lognormal.median = p0, d.u.lognormal.sigma = p1; break;
    case DS_DIST_TRIANGULAR:
    case DS_DIST_PERT: d.u.tri.min = p0, d.u.tri.mode = p1, d.u.tri.max = p2; break;
    case DS_DIST_BETA:
        d.u.beta.a = p0, d.u.beta.b = p1, d.u.beta.min = p2, d.u.beta.max = p3;
        break;
    default: d.u.fixed.value = p0; break;
    }
    const char *field = NULL;
    char msg[256];
    cr_assert_eq(ds_dist_check(&d, &field, msg, sizeof msg), DS_OK, "%s: %s", field, msg);
    cr_assert_eq(ds_dist_prepare(&d), DS_OK);
    return d;
}

static ds_dist mk_discrete(size_t n, const double *v, const double *w)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_DISCRETE;
    d.u.discrete.n = n;
    d.u.discrete.values = malloc(n * sizeof(double));
    d.u.discrete.weights = malloc(n * sizeof(double));
    memcpy(d.u.discrete.values, v, n * sizeof(double));
    memcpy(d.u.discrete.weights, w, n * sizeof(double));
    cr_assert_eq(ds_dist_prepare(&d), DS_OK);
    return d;
}

/* Expect |got - want| <= rel |want| + abs; the message names the line and
 * says what was compared (printf-style, after the numbers). */
static void near(int line, double got, double want, double rel, double abs, const char *fmt, ...)
{
    char what[256] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    cr_expect(fabs(got - want) <= rel * fabs(want) + abs, "line %d: got %.17g, want %.17g %s",
              line, got, want, what);
}
#define EXPECT_NEAR(got, want, rel, abs, ...) near(__LINE__, got, want, rel, abs, "" __VA_ARGS__)

/* The standard normal upper tail Q(x) / phi(x) for x >= 30: Mills' ratio
 * by its asymptotic series 1/x (1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 -
 * 945/x^10), whose next term is below 1e-14 there (Abramowitz & Stegun
 * 26.2.12).  An oracle independent of GSL's hazard. */
static double mills(double x)
{
    double y = 1 / (x * x);
    return (1 - y * (1 - y * (3 - y * (15 - y * (105 - 945 * y))))) / x;
}

/* ---- closed forms ----------------------------------------------------- */

Test(quantile, uniform_and_fixed)
{
    ds_dist u = mk(DS_DIST_UNIFORM, -2, 6, 0, 0);
    EXPECT_NEAR(ds_dist_quantile(&u, 0.3), 0.4, 1e-15, 0);
    EXPECT_NEAR(ds_dist_quantile(&u, 0.9), 5.2, 1e-15, 0);
    cr_expect_eq(ds_dist_quantile(&u, 0), -2);
    cr_expect_eq(ds_dist_quantile(&u, 1), 6);
    EXPECT_NEAR(ds_dist_cdf(&u, 0.4), 0.3, 1e-15, 0);
    cr_expect_eq(ds_dist_cdf(&u, -3), 0);
    cr_expect_eq(ds_dist_cdf(&u, 7), 1);
    ds_dist f = ds_dist_fixed(2.5);
    cr_expect_eq(ds_dist_quantile(&f, 0.7), 2.5);
    cr_expect_eq(ds_dist_from_normal(&f, -3), 2.5);
    cr_expect_eq(ds_dist_cdf(&f, 2.4999), 0);
    cr_expect_eq(ds_dist_cdf(&f, 2.5), 1);
    /* Constant dists of other kinds: their value, a step at it. */
    ds_dist c = mk(DS_DIST_NORMAL, 3, 0, -INFINITY, INFINITY);
    cr_expect_eq(ds_dist_quantile(&c, 0.01), 3);
    cr_expect_eq(ds_dist_cdf(&c, 3), 1);
    ds_dist t = mk(DS_DIST_TRIANGULAR, 4, 4, 4, 0);
    cr_expect_eq(ds_dist_quantile(&t, 0.99), 4);
    cr_expect(isnan(ds_dist_quantile(&u, NAN)) && isnan(ds_dist_cdf(&u, NAN)));
}

/* N(10, 2): Phi^-1 at a few probabilities (tabulated values,
 * Abramowitz & Stegun 26.2), and far in both tails through the round trip
 * with the CDF (the upper tail from 1 - u, so 1 - 1e-12 keeps 4 digits). */
Test(quantile, normal_untruncated)
{
    ds_dist d = mk(DS_DIST_NORMAL, 10, 2, -INFINITY, INFINITY);
    EXPECT_NEAR(ds_dist_quantile(&d, 0.975), 10 + 2 * 1.959963984540054, 1e-14, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 0.025), 10 - 2 * 1.959963984540054, 1e-14, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 1e-10), 10 - 2 * 6.361340902404056, 1e-13, 0);
    cr_expect_eq(ds_dist_quantile(&d, 0.5), 10);
    cr_expect_eq(ds_dist_quantile(&d, 0), -INFINITY);
    cr_expect_eq(ds_dist_quantile(&d, 1), INFINITY);
    EXPECT_NEAR(ds_dist_cdf(&d, 10 + 2 * 1.959963984540054), 0.975, 1e-14, 0);
    /* Exact through the normal score. */
    cr_expect_eq(ds_dist_from_normal(&d, 40), 90);
    cr_expect_eq(ds_dist_from_normal(&d, -1.5), 7);
}

/* Half-normal, N(0, 1) truncated to [0, inf): F(x) = erf(x / sqrt 2). */
Test(quantile, truncated_normal_half)
{
    ds_dist d = mk(DS_DIST_NORMAL, 0, 1, 0, INFINITY);
    const double x[] = {1e-12, 1e-8, 0.1, 0.5, 1, 2, 3.5, 6};
    for (size_t i = 0; i < sizeof x / sizeof *x; i++) {
        double F = erf(x[i] / M_SQRT2);
        EXPECT_NEAR(ds_dist_cdf(&d, x[i]), F, 1e-14, 0, "cdf at %g", x[i]);
        /* quantile(F) = x, to full relative precision near the bound;
         * near 1, F keeps only the digits of 1 - F = erfc(x / sqrt 2). */
        EXPECT_NEAR(ds_dist_quantile(&d, F), x[i], x[i] < 5 ? 1e-12 : 1e-6, 0, "at %g", x[i]);
    }
    /* Far in the upper tail only the complement is precise: the normal
     * score z = 9 has Phi(-9) = 1.1e-19, so the value has 2 Q(x) = Q(9). */
    double x9 = ds_dist_from_normal(&d, 9);
    cr_expect(x9 > 9, "%g", x9);
    EXPECT_NEAR(gsl_cdf_ugaussian_Q(x9), 0.5 * gsl_cdf_ugaussian_Q(9), 1e-10, 0);
    cr_expect_eq(ds_dist_quantile(&d, 0), 0);
    cr_expect_eq(ds_dist_quantile(&d, 1), INFINITY);
}

/* Windows across the mean and below it (reflected inside):
 * F(x) = (Phi(z) - Phi(a)) / (Phi(b) - Phi(a)), Phi(z) = erfc(-z/sqrt 2)/2
 * (precise in the lower tail, where these windows reach). */
Test(quantile, truncated_normal_windows)
{
    const double win[][4] = {{1, 2, -2, 5}, {1, 2, -6, -1}, {-3, 0.5, -10, -3.2},
                             {0, 1, -0.1, 0.1}};
    for (size_t w = 0; w < sizeof win / sizeof *win; w++) {
        ds_dist d = mk(DS_DIST_NORMAL, win[w][0], win[w][1], win[w][2], win[w][3]);
        double a = (win[w][2] - win[w][0]) / win[w][1], b = (win[w][3] - win[w][0]) / win[w][1];
        for (int i = 1; i < 10; i++) {
            double x = win[w][2] + (win[w][3] - win[w][2]) * i / 10.0;
            double z = (x - win[w][0]) / win[w][1];
            double F = (erfc(-z / M_SQRT2) - erfc(-a / M_SQRT2)) /
                       (erfc(-b / M_SQRT2) - erfc(-a / M_SQRT2));
            EXPECT_NEAR(ds_dist_cdf(&d, x), F, 1e-12, 1e-15, "window %zu at %g", w, x);
            EXPECT_NEAR(ds_dist_quantile(&d, F), x, 1e-11, 1e-12 * win[w][1], "window %zu", w);
        }
        cr_expect_eq(ds_dist_quantile(&d, 0), win[w][2]);
        cr_expect_eq(ds_dist_quantile(&d, 1), win[w][3]);
        cr_expect_eq(ds_dist_cdf(&d, win[w][2]), 0);
        cr_expect_eq(ds_dist_cdf(&d, win[w][3]), 1);
    }
}

/* Windows where Q(a) underflows (a = 40, 1000 sd): the CDF against the
 * Mills-ratio oracle, F(x) = (1 - R(t)) / (1 - R(w)) with
 * R(t) = Q(a + t)/Q(a) = exp(-t (a + t/2)) m(a + t)/m(a); and round trips.
 * Reflected below the mean too. */
Test(quantile, truncated_normal_far_tail)
{
    const double a_[] = {40, 1000};
    for (size_t i = 0; i < 2; i++) {
        double a = a_[i], w = (a + 1.0 / a) - a; /* most of the tail, as stored */
        ds_dist up = mk(DS_DIST_NORMAL, 0, 1, a, a + w);
        ds_dist dn = mk(DS_DIST_NORMAL, 0, 1, -a - w, -a);
        double Rw = exp(-w * (a + 0.5 * w)) * mills(a + w) / mills(a);
        for (int k = 1; k < 10; k++) {
            /* t as a + t is stored (the difference is exact). */
            double t = (a + w * k / 10.0) - a;
            double R = exp(-t * (a + 0.5 * t)) * mills(a + t) / mills(a);
            double F = (1 - R) / (1 - Rw);
            EXPECT_NEAR(ds_dist_cdf(&up, a + t), F, 1e-12, 0, "a %g, t %g", a, t);
            EXPECT_NEAR(ds_dist_cdf(&dn, -a - t), 1 - F, 1e-12, 0, "a %g, t %g", a, t);
            /* The value to within a unit in the last place of a + t. */
            EXPECT_NEAR(ds_dist_quantile(&up, F), a + t, 4e-16, 0, "a %g, F %g", a, F);
            EXPECT_NEAR(ds_dist_quantile(&dn, 1 - F), -a - t, 4e-16, 0, "a %g, F %g", a, F);
        }
        /* Unbounded above: F = 1 - R(t). */
        ds_dist tail = mk(DS_DIST_NORMAL, 0, 1, a, INFINITY);
        double t = (a + 3 / a) - a, R = exp(-t * (a + 0.5 * t)) * mills(a + t) / mills(a);
        EXPECT_NEAR(ds_dist_cdf(&tail, a + t), 1 - R, 1e-12, 0);
        EXPECT_NEAR(ds_dist_quantile(&tail, 1 - R), a + t, 4e-16, 0);
        cr_expect_eq(ds_dist_quantile(&tail, 1), INFINITY);
    }
}

Test(quantile, lognormal)
{
    ds_dist d = mk(DS_DIST_LOGNORMAL, 3, 0.5, 0, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 0.975), 3 * exp(0.5 * 1.959963984540054), 1e-14, 0);
    EXPECT_NEAR(ds_dist_cdf(&d, 3), 0.5, 1e-15, 0);
    EXPECT_NEAR(ds_dist_cdf(&d, 3 * exp(-0.5 * 1.959963984540054)), 0.025, 1e-13, 0);
    cr_expect_eq(ds_dist_cdf(&d, 0), 0);
    cr_expect_eq(ds_dist_cdf(&d, -1), 0);
    cr_expect_eq(ds_dist_quantile(&d, 0), 0);
    EXPECT_NEAR(ds_dist_from_normal(&d, 30), 3 * exp(15), 1e-15, 0);
}

/* Triangular(0, 1, 3): F(x) = x^2 / 3 below the mode, 1 - (3 - x)^2 / 6 above. */
Test(quantile, triangular)
{
    ds_dist d = mk(DS_DIST_TRIANGULAR, 0, 1, 3, 0);
    EXPECT_NEAR(ds_dist_cdf(&d, 0.5), 0.25 / 3, 1e-15, 0);
    EXPECT_NEAR(ds_dist_cdf(&d, 1), 1.0 / 3, 1e-15, 0);
    EXPECT_NEAR(ds_dist_cdf(&d, 2), 1 - 1.0 / 6, 1e-15, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 1.0 / 3), 1, 1e-15, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 0.9), 3 - sqrt(0.6), 1e-15, 0);
    EXPECT_NEAR(ds_dist_quantile(&d, 1e-12), sqrt(3e-12), 1e-12, 0);
    /* The upper tail from 1 - u: 3 - sqrt(6 * 1e-12), digits kept. */
    EXPECT_NEAR(3 - ds_dist_from_normal(&d, 7.034483825), sqrt(6 * 1e-12), 1e-6, 0);
    /* Mode at an end. */
    ds_dist e = mk(DS_DIST_TRIANGULAR, 0, 0, 2, 0);
    EXPECT_NEAR(ds_dist_quantile(&e, 0.75), 1, 1e-15, 0);
    EXPECT_NEAR(ds_dist_cdf(&e, 1), 0.75, 1e-15, 0);
}

/* PERT(0, 0.5, 1) is Beta(3, 3): I_x(3, 3) = 10x^3 - 15x^4 + 6x^5. */
Test(quantile, pert)
{
    ds_dist d = mk(DS_DIST_PERT, 0, 0.5, 1, 0);
    const double x[] = {1e-6, 0.05, 0.3, 0.5, 0.8, 0.999};
    for (size_t i = 0; i < sizeof x / sizeof *x; i++) {
        double y = x[i], F = y * y * y * (10 - 15 * y + 6 * y * y);
        EXPECT_NEAR(ds_dist_cdf(&d, y), F, 1e-13, 0, "at %g", y);
        EXPECT_NEAR(ds_dist_quantile(&d, F), y, 1e-11, 0, "at %g", y);
    }
    /* PERT(2, 3, 10): scaled to [2, 10], alpha = 1.5, beta = 4.5. */
    ds_dist s = mk(DS_DIST_PERT, 2, 3, 10, 0);
    EXPECT_NEAR(ds_dist_cdf(&s, 4), gsl_cdf_beta_P(0.25, 1.5, 4.5), 1e-14, 0);
    EXPECT_NEAR(ds_dist_quantile(&s, gsl_cdf_beta_P(0.25, 1.5, 4.5)), 4, 1e-12, 0);
}

/* Beta(2, 1) on [1, 3]: F = ((x - 1)/2)^2, F^-1(u) = 1 + 2 sqrt(u); the
 * arcsine law Beta(1/2, 1/2): F = (2/pi) asin(sqrt y), F^-1 = sin^2(pi u/2),
 * whose density is unbounded at both ends. */
Test(quantile, beta)
{
    ds_dist d = mk(DS_DIST_BETA, 2, 1, 1, 3);
    const double u[] = {1e-300, 1e-20, 1e-6, 0.2, 0.5, 0.9, 1 - 1e-9};
    for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
        EXPECT_NEAR(ds_dist_quantile(&d, u[i]), 1 + 2 * sqrt(u[i]), 1e-13, 0, "u %g", u[i]);
        double x = 1 + 2 * sqrt(u[i]);
        EXPECT_NEAR(ds_dist_cdf(&d, x), ((x - 1) / 2) * ((x - 1) / 2), 1e-12, 1e-300, "x %g", x);
    }
    ds_dist as = mk(DS_DIST_BETA, 0.5, 0.5, 0, 1);
    for (int i = 1; i < 20; i++) {
        double uu = i / 20.0, s = sin(M_PI * uu / 2);
        EXPECT_NEAR(ds_dist_quantile(&as, uu), s * s, 1e-12, 1e-15, "u %g", uu);
        EXPECT_NEAR(ds_dist_cdf(&as, s * s), uu, 1e-12, 0, "u %g", uu);
    }
    /* Far in the lower tail: F(y) ~ (2/pi) sqrt(y), so F^-1(1e-10) is
     * about (pi/2 1e-10)^2. */
    EXPECT_NEAR(ds_dist_quantile(&as, 1e-10), pow(sin(M_PI * 1e-10 / 2), 2), 1e-9, 0);
    /* Near 1 from the upper side, from 1 - u: 1 - F^-1(1 - 1e-6) =
     * sin^2(pi 1e-6 / 2), to a unit in the last place of 1. */
    EXPECT_NEAR(1 - ds_dist_from_normal(&as, 4.753424308822899), pow(sin(M_PI * 1e-6 / 2), 2),
                0, 2.3e-16);
}

/* SPEC §5.1: the first value in file order whose cumulative weight share
 * reaches u; weight 0 is never taken.  The CDF is the step function of the
 * values. */
Test(quantile, discrete)
{
    ds_dist d = mk_discrete(4, (double[]){3, 1, 2, 9}, (double[]){1, 0, 3, 0});
    cr_expect_eq(ds_dist_quantile(&d, 0), 3);
    cr_expect_eq(ds_dist_quantile(&d, 0.25), 3);
    cr_expect_eq(ds_dist_quantile(&d, 0.2500001), 2);
    cr_expect_eq(ds_dist_quantile(&d, 1), 2);
    cr_expect_eq(ds_dist_from_normal(&d, -0.7), 3); /* Phi(-0.7) = 0.242 */
    cr_expect_eq(ds_dist_from_normal(&d, -0.6), 2); /* Phi(-0.6) = 0.274 */
    cr_expect_eq(ds_dist_cdf(&d, 0.5), 0);
    cr_expect_eq(ds_dist_cdf(&d, 1), 0);
    cr_expect_eq(ds_dist_cdf(&d, 2), 0.75);
    cr_expect_eq(ds_dist_cdf(&d, 2.5), 0.75);
    cr_expect_eq(ds_dist_cdf(&d, 3), 1);
    cr_expect_eq(ds_dist_cdf(&d, 100), 1);
    /* Weights whose sum overflows keep their ratios. */
    ds_dist h = mk_discrete(3, (double[]){0, 1, 2}, (double[]){1e308, 1e308, 1e308});
    cr_expect_eq(ds_dist_quantile(&h, 0.3), 0);
    cr_expect_eq(ds_dist_quantile(&h, 0.5), 1);
    cr_expect_eq(ds_dist_quantile(&h, 0.7), 2);
    EXPECT_NEAR(ds_dist_cdf(&h, 1), 2.0 / 3, 1e-15, 0);
    ds_dist_free(&d);
    ds_dist_free(&h);
}

/* ---- every kind: round trips and the mean ----------------------------- */

/* Continuous dists of every kind (and a truncated normal of each method). */
static size_t continuous(ds_dist *d)
{
    size_t n = 0;
    d[n++] = mk(DS_DIST_UNIFORM, -1, 4, 0, 0);
    d[n++] = mk(DS_DIST_NORMAL, 2, 3, -INFINITY, INFINITY);
    d[n++] = mk(DS_DIST_NORMAL, 2, 3, 0, INFINITY);      /* across the mean */
    d[n++] = mk(DS_DIST_NORMAL, 2, 3, -INFINITY, -4);    /* below, inverse CDF */
    d[n++] = mk(DS_DIST_NORMAL, 0, 1, 35, INFINITY);     /* far tail */
    d[n++] = mk(DS_DIST_NORMAL, 0, 1, 1.2, 1.3);         /* narrow, one side */
    d[n++] = mk(DS_DIST_NORMAL, 0, 1, -0.05, 0.1);       /* narrow, across */
    d[n++] = mk(DS_DIST_LOGNORMAL, 5, 0.8, 0, 0);
    d[n++] = mk(DS_DIST_TRIANGULAR, 0.76, 2.5, 4, 0);
    d[n++] = mk(DS_DIST_PERT, 0, 0.055, 0.75, 0);
    d[n++] = mk(DS_DIST_BETA, 2, 8, 0, 1);
    d[n++] = mk(DS_DIST_BETA, 0.3, 0.7, -1, 1);
    d[n++] = mk(DS_DIST_BETA, 50, 0.02, 0, 1);
    return n;
}

/* F(F^-1(u)) = u for u across (0, 1), both tails included: u lies within
 * 1e-9 of the smaller of u and 1 - u (plus the CDF's absolute precision
 * near 1) of the CDF's values at x = F^-1(u) and its neighbouring doubles
 * (where the CDF rises steeply, x's last place is all it can resolve). */
Test(quantile, round_trips_every_kind)
{
    ds_dist d[16];
    size_t n = continuous(d);
    const double u[] = {1e-15, 1e-9, 1e-4, 0.01, 0.2, 0.5, 0.73, 0.99, 1 - 1e-6, 1 - 1e-12};
    for (size_t k = 0; k < n; k++) {
        double lo, hi, prev = -INFINITY;
        ds_dist_support(&d[k], &lo, &hi);
        for (size_t i = 0; i < sizeof u / sizeof *u; i++) {
            double x = ds_dist_quantile(&d[k], u[i]);
            cr_expect(x >= lo && x <= hi, "dist %zu, u %g: %g outside [%g, %g]", k, u[i], x, lo, hi);
            cr_expect(x >= prev, "dist %zu: quantile not monotone at u %g", k, u[i]);
            prev = x;
            double tol = 1e-9 * fmin(u[i], 1 - u[i]) + 2e-15;
            double f0 = ds_dist_cdf(&d[k], nextafter(x, -INFINITY));
            double f1 = ds_dist_cdf(&d[k], nextafter(x, INFINITY));
            cr_expect(u[i] >= f0 - tol && u[i] <= f1 + tol,
                      "dist %zu, u %.17g: F(x-) %.17g, F(x) %.17g, F(x+) %.17g", k, u[i], f0,
                      ds_dist_cdf(&d[k], x), f1);
            /* The normal score gives the same value as its Phi. */
            double z = gsl_cdf_ugaussian_Pinv(u[i]);
            if (u[i] <= 0.5)
                EXPECT_NEAR(ds_dist_from_normal(&d[k], z), x, 1e-9, 1e-12 * (hi - lo < 1e9 ? 1 : 0),
                            "dist %zu, z %g", k, z);
        }
    }
}

/* The integral of the quantile function over (0, 1) is the mean: the
 * midpoint rule on 200000 cells against the analytic mean (SPEC §2). */
Test(quantile, integral_is_the_mean)
{
    enum { M = 200000 };
    ds_dist d[16];
    size_t n = continuous(d);
    for (size_t k = 0; k < n; k++) {
        double s = 0, lo, hi;
        for (int i = 0; i < M; i++)
            s += ds_dist_quantile(&d[k], (i + 0.5) / M);
        ds_dist_support(&d[k], &lo, &hi);
        double mean = ds_dist_mean(&d[k]);
        /* The midpoint rule misses at most the two end cells' tails: a few
         * 1e-5 of a standard deviation for the normal's, less elsewhere. */
        double scale = isfinite(hi - lo) ? hi - lo : 10.0;
        if (d[k].kind == DS_DIST_LOGNORMAL)
            scale = 10 * mean;
        EXPECT_NEAR(s / M, mean, 0, 5e-5 * scale, "dist %zu", k);
    }
}
