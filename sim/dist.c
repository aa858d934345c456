/*
 * dist.c - the uncertain values of SPEC §2: parameter checks, support, the
 * analytic mean, sampling through GSL's samplers, and quantile functions and
 * CDFs (for correlated dists, §5.1, and for binning inputs, §11).  A leaf
 * module: the scenario loader fills and checks dists, the world draws them
 * (§5.1).
 *
 * Random-number consumption: a dist that is constant (ds_dist_is_constant:
 * fixed, sd 0, sigma 0, min == max, one distinct drawable discrete value)
 * consumes NO random numbers; every other dist consumes a count that depends
 * only on its parameters and on the words of the stream it is given (the
 * rejection steps of GSL's ziggurat and beta samplers, and of the truncated
 * normal's proposals below, take a variable number).  So whether a dist
 * draws at all is a function of its parameters only.
 */
#include "dealsim/dist.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>

#include "dealsim/error.h"
#include "dealsim/rng.h"

/* ---- truncated normal: methods and tuning constants ------------------- */

/* How a prepared normal is sampled (stored in k[0]). */
enum {
    TN_PLAIN = 0, /* no bounds: mean + sd * ziggurat */
    TN_CONST,     /* k[1]: the value (sd 0, min == max, or a window so far
                     out that the standardized bound overflows) */
    TN_INV_UPPER, /* window [a, b], a >= 0 after reflection: inverse CDF on
                     the Q side.  k[1] sign, k[2] Q(a), k[3] Q(b) */
    TN_INV_SPLIT, /* window straddles the mean: inverse CDF on the P side
                     below, the Q side above.  k[1] P(a), k[2] Q(b),
                     k[3] mass of [a, 0), k[4] mass of [0, b] */
    TN_EXP,       /* exponential proposal (Robert 1995).  k[1] sign,
                     k[2] lambda = a, k[3] w = width in sd units,
                     k[4] expm1(-lambda w), k[5] the starting bound */
    TN_UNIF,      /* narrow window straddling the mean: uniform proposal
                     (Robert 1995); uses the parameters only */
    TN_FLAT       /* a window so narrow that the density is constant across
                     it to double precision: uniform on [min, max] */
};

/* Beyond this many sd from the mean, the normal tail mass Q(a) is below
 * 5e-198 and inverse-CDF sampling would approach the underflow of doubles
 * (DBL_MIN ~ 2.2e-308, reached near a = 37.5); from here on the
 * exponential proposal is used, whose acceptance rate for [a, inf) is
 * a * Q(a) / phi(a) = 1 - 1/a^2 + 3/a^4 - ... > 0.9988 at a = 30 (the
 * asymptotic series of Mills' ratio). */
#define TN_TAIL_Z 30.0

/* Windows at most this wide (in sd units) are sampled by proposals rather
 * than by inverse CDF, whose CDF differences would cancel.  The acceptance
 * rate is then >= exp(-w^2 / 2) = 0.969: the target-to-proposal density
 * ratio is exp(-E^2 / 2) for the exponential proposal and exp(-z^2 / 2)
 * for the uniform one, with E, |z| <= w. */
#define TN_NARROW_W 0.25

/* Iteration cap of the proposal loops.  With acceptance >= 0.969 the cap is
 * reached with probability < 0.031^64 < 1e-96; the documented fallback is
 * then the last proposal, which lies inside the window. */
#define TN_MAX_TRIES 64

/* Below this product lambda * w the truncated exponential proposal is
 * uniform to double precision (exp(-lambda w) == 1 within 1e-290) and
 * expm1/log1p would work in the subnormal range. */
#define TN_EXP_TINY 1e-290

/* Windows [a, b] with 0 <= a and (b - a) b below this get their mean by
 * Gauss-Legendre quadrature instead of the closed form, which would cancel;
 * the density, exp(-(z^2 - a^2)/2) relative to phi(a), varies by less than
 * 1% across them, so 8 nodes are exact to rounding. */
#define TN_MEAN_NARROW 0.01

/* A window [a, b] of width w (sd units) with w (max(|a|, |b|) + w) below
 * this has exp(-(z^2 - c^2)/2) within 1e-16 of 1 across it (c the point
 * nearest 0): the truncated normal is uniform there to double precision
 * (2^-53 = 1.1e-16), and in sd units the window may even round to a point. */
#define TN_FLAT_EPS 1e-16

/* 1/sqrt(2*pi), the standard normal density at 0. */
#define DS_PHI0 0.39894228040143267794

/* ---- number formatting for messages ----------------------------------- */

/* Write x in the shortest of %.15g, %.16g, %.17g that reads back as x
 * ("inf", "-inf", "nan" for non-finite values). */
static void fmt_num(char *buf, size_t n, double x)
{
    if (isnan(x)) {
        snprintf(buf, n, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, n, x > 0 ? "inf" : "-inf");
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* ---- constructors and ownership -------------------------------------- */

ds_dist ds_dist_fixed(double v)
{
    ds_dist d;
    memset(&d, 0, sizeof d);
    d.kind = DS_DIST_FIXED;
    d.u.fixed.value = v;
    d.table = NULL;
    return d;
}

void ds_dist_free(ds_dist *d)
{
    if (!d)
        return;
    if (d->kind == DS_DIST_DISCRETE) {
        free(d->u.discrete.values);
        free(d->u.discrete.weights);
    }
    if (d->table)
        gsl_ran_discrete_free(d->table);
    *d = ds_dist_fixed(0.0);
}

int ds_dist_copy(ds_dist *dst, const ds_dist *src)
{
    ds_dist c = *src;
    c.table = NULL;
    if (src->kind == DS_DIST_DISCRETE) {
        size_t n = src->u.discrete.n;
        c.u.discrete.values = NULL;
        c.u.discrete.weights = NULL;
        if (n > 0) {
            c.u.discrete.values = malloc(n * sizeof(double));
            c.u.discrete.weights = malloc(n * sizeof(double));
            if (!c.u.discrete.values || !c.u.discrete.weights)
                goto fail;
            memcpy(c.u.discrete.values, src->u.discrete.values, n * sizeof(double));
            memcpy(c.u.discrete.weights, src->u.discrete.weights, n * sizeof(double));
        }
        /* Rebuild the table only if the source had one (was prepared). */
        if (src->table && ds_dist_prepare(&c) != DS_OK)
            goto fail;
    }
    *dst = c;
    return DS_OK;
fail:
    free(c.u.discrete.values);
    free(c.u.discrete.weights);
    if (c.table)
        gsl_ran_discrete_free(c.table);
    return DS_ENOMEM;
}

/* ---- checks (SPEC §2) ------------------------------------------------- */

/* Helpers that fill field/msg and return DS_EINVAL. */
static int bad(const char **field, const char *name, char *msg, size_t msgsz,
               const char *what, double got)
{
    char g[32];
    fmt_num(g, sizeof g, got);
    if (field)
        *field = name;
    if (msg && msgsz)
        snprintf(msg, msgsz, "%s, got %s", what, g);
    return DS_EINVAL;
}

static int bad_vs(const char **field, const char *name, char *msg,
                  size_t msgsz, const char *rel, const char *other,
                  double ov, double got)
{
    char o[32], g[32];
    fmt_num(o, sizeof o, ov);
    fmt_num(g, sizeof g, got);
    if (field)
        *field = name;
    if (msg && msgsz)
        snprintf(msg, msgsz, "must be %s %s (%s), got %s", rel, other, o, g);
    return DS_EINVAL;
}

#define CHECK_FINITE(x, name)                                                  \
    do {                                                                       \
        if (!isfinite(x))                                                      \
            return bad(field, name, msg, msgsz, "must be a finite number", x); \
    } while (0)

/* min <= max and max - min representable (so min + (max - min) U is finite). */
static int check_range(double min, double max, const char **field, char *msg,
                       size_t msgsz)
{
    if (!(min <= max))
        return bad_vs(field, "max", msg, msgsz, ">=", "min", min, max);
    if (!isfinite(max - min))
        return bad(field, "max", msg, msgsz, "max - min must be a finite number", max - min);
    return DS_OK;
}

int ds_dist_check(const ds_dist *d, const char **field, char *msg, size_t msgsz)
{
    int rc;
    if (field)
        *field = "";
    if (msg && msgsz)
        msg[0] = '\0';
    switch (d->kind) {
    case DS_DIST_FIXED:
        CHECK_FINITE(d->u.fixed.value, "value");
        return DS_OK;
    case DS_DIST_UNIFORM:
        CHECK_FINITE(d->u.uniform.min, "min");
        CHECK_FINITE(d->u.uniform.max, "max");
        return check_range(d->u.uniform.min, d->u.uniform.max, field, msg, msgsz);
    case DS_DIST_NORMAL: {
        double mu = d->u.normal.mean, sd = d->u.normal.sd;
        double lo = d->u.normal.min, hi = d->u.normal.max;
        CHECK_FINITE(mu, "mean");
        CHECK_FINITE(sd, "sd");
        if (!(sd >= 0))
            return bad(field, "sd", msg, msgsz, "must be >= 0", sd);
        /* An absent bound is -inf (min) or +inf (max). */
        if (isnan(lo) || lo == INFINITY)
            return bad(field, "min", msg, msgsz, "must be a finite number", lo);
        if (isnan(hi) || hi == -INFINITY)
            return bad(field, "max", msg, msgsz, "must be a finite number", hi);
        if (!(lo <= hi))
            return bad_vs(field, "max", msg, msgsz, ">=", "min", lo, hi);
        if (sd == 0 && !(lo <= mu && mu <= hi)) {
            char a[32], b[32], g[32];
            fmt_num(a, sizeof a, lo);
            fmt_num(b, sizeof b, hi);
            fmt_num(g, sizeof g, mu);
            if (field)
                *field = "mean";
            if (msg && msgsz)
                snprintf(msg, msgsz,
                         "must lie within [min, max] = [%s, %s] when sd is 0, got %s",
                         a, b, g);
            return DS_EINVAL;
        }
        return DS_OK;
    }
    case DS_DIST_LOGNORMAL:
        CHECK_FINITE(d->u.lognormal.median, "median");
        CHECK_FINITE(d->u.lognormal.sigma, "sigma");
        if (!(d->u.lognormal.median > 0))
            return bad(field, "median", msg, msgsz, "must be > 0", d->u.lognormal.median);
        if (!(d->u.lognormal.sigma >= 0))
            return bad(field, "sigma", msg, msgsz, "must be >= 0", d->u.lognormal.sigma);
        return DS_OK;
    case DS_DIST_TRIANGULAR:
    case DS_DIST_PERT:
        CHECK_FINITE(d->u.tri.min, "min");
        CHECK_FINITE(d->u.tri.mode, "mode");
        CHECK_FINITE(d->u.tri.max, "max");
        if ((rc = check_range(d->u.tri.min, d->u.tri.max, field, msg, msgsz)))
            return rc;
        if (!(d->u.tri.mode >= d->u.tri.min))
            return bad_vs(field, "mode", msg, msgsz, ">=", "min", d->u.tri.min, d->u.tri.mode);
        if (!(d->u.tri.mode <= d->u.tri.max))
            return bad_vs(field, "mode", msg, msgsz, "<=", "max", d->u.tri.max, d->u.tri.mode);
        return DS_OK;
    case DS_DIST_BETA:
        CHECK_FINITE(d->u.beta.a, "a");
        CHECK_FINITE(d->u.beta.b, "b");
        CHECK_FINITE(d->u.beta.min, "min");
        CHECK_FINITE(d->u.beta.max, "max");
        if (!(d->u.beta.a > 0))
            return bad(field, "a", msg, msgsz, "must be > 0", d->u.beta.a);
        if (!(d->u.beta.b > 0))
            return bad(field, "b", msg, msgsz, "must be > 0", d->u.beta.b);
        return check_range(d->u.beta.min, d->u.beta.max, field, msg, msgsz);
    case DS_DIST_DISCRETE: {
        size_t n = d->u.discrete.n;
        const double *v = d->u.discrete.values, *w = d->u.discrete.weights;
        int any = 0;
        if (n == 0 || !v || !w) {
            if (field)
                *field = n == 0 || !v ? "values" : "weights";
            if (msg && msgsz)
                snprintf(msg, msgsz, "must have at least 1 element");
            return DS_EINVAL;
        }
        for (size_t i = 0; i < n; i++) {
            char what[64];
            snprintf(what, sizeof what, "element %zu must be a finite number", i);
            if (!isfinite(v[i]))
                return bad(field, "values", msg, msgsz, what, v[i]);
            if (!isfinite(w[i]))
                return bad(field, "weights", msg, msgsz, what, w[i]);
            if (!(w[i] >= 0)) {
                snprintf(what, sizeof what, "element %zu must be >= 0", i);
                return bad(field, "weights", msg, msgsz, what, w[i]);
            }
            any |= w[i] > 0;
        }
        if (!any) {
            if (field)
                *field = "weights";
            if (msg && msgsz)
                snprintf(msg, msgsz, "must not be all 0");
            return DS_EINVAL;
        }
        return DS_OK;
    }
    }
    if (field)
        *field = "";
    if (msg && msgsz)
        snprintf(msg, msgsz, "unknown dist kind %d", (int)d->kind);
    return DS_EINVAL;
}

/* ---- support and constancy (SPEC §2) ---------------------------------- */

int ds_dist_is_constant(const ds_dist *d, double *v)
{
    double x = 0;
    int c = 0;
    switch (d->kind) {
    case DS_DIST_FIXED:
        x = d->u.fixed.value, c = 1;
        break;
    case DS_DIST_UNIFORM:
        x = d->u.uniform.min, c = d->u.uniform.min == d->u.uniform.max;
        break;
    case DS_DIST_NORMAL:
        if (d->u.normal.sd == 0)
            x = d->u.normal.mean, c = 1;
        else
            x = d->u.normal.min, c = d->u.normal.min == d->u.normal.max;
        break;
    case DS_DIST_LOGNORMAL:
        x = d->u.lognormal.median, c = d->u.lognormal.sigma == 0;
        break;
    case DS_DIST_TRIANGULAR:
    case DS_DIST_PERT:
        x = d->u.tri.min, c = d->u.tri.min == d->u.tri.max;
        break;
    case DS_DIST_BETA:
        x = d->u.beta.min, c = d->u.beta.min == d->u.beta.max;
        break;
    case DS_DIST_DISCRETE: {
        /* Constant when every value with weight > 0 is the same number. */
        int seen = 0;
        c = 1;
        for (size_t i = 0; i < d->u.discrete.n; i++) {
            if (!(d->u.discrete.weights[i] > 0))
                continue;
            if (!seen)
                x = d->u.discrete.values[i], seen = 1;
            else if (d->u.discrete.values[i] != x)
                c = 0;
        }
        c = c && seen;
        break;
    }
    }
    if (c && v)
        *v = x;
    return c;
}

void ds_dist_support(const ds_dist *d, double *lo, double *hi)
{
    double l = -INFINITY, h = INFINITY, v;
    if (ds_dist_is_constant(d, &v)) {
        *lo = *hi = v;
        return;
    }
    switch (d->kind) {
    case DS_DIST_FIXED: /* constant, handled above  GCOVR_EXCL_LINE */
        break;          /* GCOVR_EXCL_LINE */
    case DS_DIST_UNIFORM:
        l = d->u.uniform.min, h = d->u.uniform.max;
        break;
    case DS_DIST_NORMAL: /* absent bounds are +-inf already */
        l = d->u.normal.min, h = d->u.normal.max;
        break;
    case DS_DIST_LOGNORMAL: /* (0, inf): 0 is the infimum */
        l = 0, h = INFINITY;
        break;
    case DS_DIST_TRIANGULAR:
    case DS_DIST_PERT:
        l = d->u.tri.min, h = d->u.tri.max;
        break;
    case DS_DIST_BETA:
        l = d->u.beta.min, h = d->u.beta.max;
        break;
    case DS_DIST_DISCRETE: /* values of weight 0 are never drawn */
        l = INFINITY, h = -INFINITY;
        for (size_t i = 0; i < d->u.discrete.n; i++) {
            if (d->u.discrete.weights[i] > 0) {
                l = fmin(l, d->u.discrete.values[i]);
                h = fmax(h, d->u.discrete.values[i]);
            }
        }
        break;
    }
    *lo = l;
    *hi = h;
}

/* ---- the truncated standard normal: mean ------------------------------ */

/* 1 if the standardized window [a, b] of width w is flat (TN_FLAT_EPS). */
static int tn_flat(double a, double b, double w)
{
    return w * (fmax(fabs(a), fabs(b)) + w) < TN_FLAT_EPS;
}

/* 8-point Gauss-Legendre nodes and weights on [-1, 1] (Abramowitz & Stegun,
 * Table 25.4), positive half; the rule is symmetric. */
static const double gl8_x[4] = {0.18343464249564980494, 0.52553240991632898582,
                                0.79666647741362673959, 0.96028985649753623168};
static const double gl8_w[4] = {0.36268378337836198297, 0.31370664587788728734,
                                0.22238103445337447054, 0.10122853629037625915};

/* E[Z | a <= Z <= a + w] for a narrow window with 0 <= a: the density
 * relative to its value at a is exp(-a t - t^2/2) on t in [0, w]. */
static double tn_mean_quad(double a, double w)
{
    double num = 0, den = 0;
    for (int i = 0; i < 4; i++) {
        for (int s = -1; s <= 1; s += 2) {
            double t = 0.5 * w * (1 + s * gl8_x[i]);
            double g = gl8_w[i] * exp(-a * t - 0.5 * t * t);
            num += t * g;
            den += g;
        }
    }
    return a + num / den;
}

/* E[Z | a <= Z <= b] for Z standard normal, a < b (SPEC §2:
 * (phi(a) - phi(b)) / (Phi(b) - Phi(a))), computed without underflow or
 * cancellation: a window below 0 is reflected; a window in the upper tail
 * uses the normal hazard h(x) = phi(x)/Q(x) (gsl_sf_hazard), so that
 * m = (1 - E) / (1/h(a) - E/h(b)) with E = phi(b)/phi(a); a window across 0
 * uses erf for the mass (no cancellation: the two halves add). */
static double tn_std_mean(double a, double b)
{
    if (!(a < b)) /* rounded to a point: see TN_FLAT_EPS */
        return 0.5 * a + 0.5 * b;
    if (b <= 0)
        return -tn_std_mean(-b, -a);
    if (a < 0) { /* straddles 0 */
        double mass = 0.5 * (erf(b / M_SQRT2) - erf(a / M_SQRT2));
        double ea = isinf(a) ? -1.0 : expm1(-0.5 * a * a);
        double eb = isinf(b) ? -1.0 : expm1(-0.5 * b * b);
        if (!(mass > 0))
            return 0.5 * (a + b);
        return DS_PHI0 * (ea - eb) / mass;
    }
    if (isinf(b))
        return gsl_sf_hazard(a);
    double w = b - a;
    if (w * b < TN_MEAN_NARROW)
        return tn_mean_quad(a, w);
    double e = exp(-0.5 * w * (a + b));
    return -expm1(-0.5 * w * (a + b)) / (1 / gsl_sf_hazard(a) - e / gsl_sf_hazard(b));
}

double ds_dist_mean(const ds_dist *d)
{
    double v;
    if (ds_dist_is_constant(d, &v))
        return v;
    switch (d->kind) {
    case DS_DIST_FIXED: /* constant: returned above  GCOVR_EXCL_LINE */
        return d->u.fixed.value; /* GCOVR_EXCL_LINE */
    case DS_DIST_UNIFORM:
        return 0.5 * d->u.uniform.min + 0.5 * d->u.uniform.max;
    case DS_DIST_NORMAL: {
        double mu = d->u.normal.mean, sd = d->u.normal.sd;
        double lo = d->u.normal.min, hi = d->u.normal.max;
        if (isinf(lo) && isinf(hi))
            return mu;
        double a = (lo - mu) / sd, b = (hi - mu) / sd;
        /* A finite bound so far out that it overflows in sd units: all the
         * mass sits at the bound nearest the mean. */
        if (a >= 0 && isinf(a))
            return lo;
        if (b <= 0 && isinf(b))
            return hi;
        if (tn_flat(a, b, (hi - lo) / sd))
            return 0.5 * lo + 0.5 * hi;
        double m = mu + sd * tn_std_mean(a, b);
        return fmin(fmax(m, lo), hi);
    }
    case DS_DIST_LOGNORMAL: /* median * exp(sigma^2 / 2) */
        return d->u.lognormal.median * exp(0.5 * d->u.lognormal.sigma * d->u.lognormal.sigma);
    case DS_DIST_TRIANGULAR:
        return (d->u.tri.min + d->u.tri.mode + d->u.tri.max) / 3;
    case DS_DIST_PERT: /* SPEC §2 */
        return (d->u.tri.min + 4 * d->u.tri.mode + d->u.tri.max) / 6;
    case DS_DIST_BETA:
        return d->u.beta.min +
               (d->u.beta.max - d->u.beta.min) * d->u.beta.a / (d->u.beta.a + d->u.beta.b);
    case DS_DIST_DISCRETE: {
        /* Weights scaled by their maximum so the sums cannot overflow. */
        double wmax = 0, sw = 0, swv = 0;
        for (size_t i = 0; i < d->u.discrete.n; i++)
            wmax = fmax(wmax, d->u.discrete.weights[i]);
        for (size_t i = 0; i < d->u.discrete.n; i++) {
            double w = d->u.discrete.weights[i] / wmax;
            if (w > 0) {
                sw += w;
                swv += w * d->u.discrete.values[i];
            }
        }
        return swv / sw;
    }
    }
    return NAN;
}

/* ---- prepare ---------------------------------------------------------- */

/* Choose the sampling method of a normal and its constants (see TN_*). */
static void prepare_normal(ds_dist *d)
{
    double mu = d->u.normal.mean, sd = d->u.normal.sd;
    double lo = d->u.normal.min, hi = d->u.normal.max;
    double *k = d->k;
    if (sd == 0 || lo == hi) {
        k[0] = TN_CONST, k[1] = sd == 0 ? mu : lo;
        return;
    }
    if (isinf(lo) && isinf(hi)) {
        k[0] = TN_PLAIN;
        return;
    }
    double a = (lo - mu) / sd, b = (hi - mu) / sd;
    if (a >= 0 && isinf(a)) { /* see ds_dist_mean */
        k[0] = TN_CONST, k[1] = lo;
        return;
    }
    if (b <= 0 && isinf(b)) {
        k[0] = TN_CONST, k[1] = hi;
        return;
    }
    double w = (hi - lo) / sd; /* width in sd units, without cancellation */
    if (tn_flat(a, b, w)) {
        k[0] = TN_FLAT;
        return;
    }
    if (a < 0 && b > 0) {      /* straddles the mean */
        if (w <= TN_NARROW_W) {
            k[0] = TN_UNIF;
            return;
        }
        k[0] = TN_INV_SPLIT;
        k[1] = isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a);
        k[2] = isinf(b) ? 0.0 : gsl_cdf_ugaussian_Q(b);
        k[3] = 0.5 * erf(-a / M_SQRT2);
        k[4] = 0.5 * erf(b / M_SQRT2);
        return;
    }
    /* One-sided: reflect a window below the mean to [-b, -a]. */
    double sign = 1, za = a, zb = b, start = lo;
    if (b <= 0)
        sign = -1, za = -b, zb = -a, start = hi;
    if (za >= TN_TAIL_Z || w <= TN_NARROW_W) {
        k[0] = TN_EXP;
        k[1] = sign;
        k[2] = za;
        k[3] = w;
        k[4] = isinf(w) ? -1.0 : expm1(-za * w);
        k[5] = start;
        return;
    }
    k[0] = TN_INV_UPPER;
    k[1] = sign;
    k[2] = gsl_cdf_ugaussian_Q(za);
    k[3] = isinf(zb) ? 0.0 : gsl_cdf_ugaussian_Q(zb);
}

/* The alias table of a checked discrete dist.  GSL divides the weights by
 * their sum, which must be finite: weights whose sum overflows are first
 * divided by their maximum (their ratios stay, their sum is then at most n).
 * Other weights are passed as they are, so that their table, and every draw
 * from it, stays what it always was. */
static int discrete_table(ds_dist *d)
{
    size_t n = d->u.discrete.n;
    const double *w = d->u.discrete.weights;
    double sum = 0, wmax = 0, *scaled = NULL;
    for (size_t i = 0; i < n; i++) {
        sum += w[i];
        wmax = fmax(wmax, w[i]);
    }
    if (isinf(sum)) {
        if (!(scaled = malloc(n * sizeof *scaled)))
            return DS_ENOMEM;
        for (size_t i = 0; i < n; i++)
            scaled[i] = w[i] / wmax;
        w = scaled;
    }
    d->table = gsl_ran_discrete_preproc(n, w);
    free(scaled);
    return d->table ? DS_OK : DS_ENOMEM;
}

int ds_dist_prepare(ds_dist *d)
{
    double span;
    ds_rng_gaussian_init(); /* the inline ziggurat's tables, once */
    memset(d->k, 0, sizeof d->k);
    memset(d->gam, 0, sizeof d->gam);
    if (d->table) {
        gsl_ran_discrete_free(d->table);
        d->table = NULL;
    }
    switch (d->kind) {
    case DS_DIST_NORMAL:
        prepare_normal(d);
        break;
    case DS_DIST_TRIANGULAR: /* the CDF at the mode and its complement */
        span = d->u.tri.max - d->u.tri.min;
        if (span > 0) {
            d->k[0] = (d->u.tri.mode - d->u.tri.min) / span;
            d->k[1] = (d->u.tri.max - d->u.tri.mode) / span;
        }
        break;
    case DS_DIST_PERT:
        /* SPEC §2: alpha = 1 + 4 (mode - min)/(max - min), beta likewise
         * (divided first: times 4 is exact, but could overflow first). */
        span = d->u.tri.max - d->u.tri.min;
        if (span > 0) {
            d->k[0] = 1 + 4 * ((d->u.tri.mode - d->u.tri.min) / span);
            d->k[1] = 1 + 4 * ((d->u.tri.max - d->u.tri.mode) / span);
            ds_gamma_init(&d->gam[0], d->k[0]);
            ds_gamma_init(&d->gam[1], d->k[1]);
        }
        break;
    case DS_DIST_BETA:
        if (d->u.beta.a > 0 && d->u.beta.b > 0) {
            ds_gamma_init(&d->gam[0], d->u.beta.a);
            ds_gamma_init(&d->gam[1], d->u.beta.b);
        }
        break;
    case DS_DIST_DISCRETE:
        /* GSL signals (through its error handler) an empty or negative
         * weight list: never pass it one. */
        if (ds_dist_check(d, NULL, NULL, 0) != DS_OK)
            return DS_EINVAL;
        if (ds_dist_is_constant(d, &d->k[0]))
            break; /* sampled without a table, as k[0] */
        return discrete_table(d);
    default:
        break;
    }
    return DS_OK;
}

/* ---- sampling (SPEC §2) ----------------------------------------------- */

/* Uniform on (0, 1): 53 bits and no loop on a ds_rng, GSL's otherwise. */
static double unif_open(gsl_rng *r)
{
    if (r->type == ds_rng_type)
        return ds_rng_uniform_pos((ds_rng *)r->state);
    return gsl_rng_uniform_pos(r);
}

/* Exponential proposal, rate lambda = a, truncated to [0, w] (inverse CDF:
 * E = -log1p(U expm1(-lambda w)) / lambda); accepted with probability
 * exp(-E^2/2), since phi(a + E) / phi(a) = exp(-a E) exp(-E^2 / 2).
 * Robert, C.P. (1995) "Simulation of truncated normal variables",
 * Statistics and Computing 5:121-125 (translated exponential proposal,
 * here with the rate a, near Robert's optimum (a + sqrt(a^2 + 4))/2 in the
 * far tail, and truncated to the window so no proposal is wasted).  Returns E
 * in sd units; after TN_MAX_TRIES rejections, the last proposal. */
static double tn_exp(const double *k, gsl_rng *r)
{
    double lambda = k[2], w = k[3], em = k[4], e = 0;
    for (int i = 0; i < TN_MAX_TRIES; i++) {
        double u = gsl_rng_uniform(r), v = gsl_rng_uniform(r);
        if (lambda * w < TN_EXP_TINY)
            e = u * w;
        else
            e = -log1p(u * em) / lambda;
        if (e > w) /* rounding; keep inside the window */
            e = w;
        if (v < exp(-0.5 * e * e))
            break;
    }
    return e;
}

/* Uniform proposal on [min, max] (which contains the mean), accepted with
 * probability phi(z)/phi(0) (Robert 1995, two-sided case).  Only for windows of at
 * most TN_NARROW_W sd, so the acceptance rate is >= 0.969.  After
 * TN_MAX_TRIES rejections, the last proposal. */
static double tn_unif(const ds_dist *d, gsl_rng *r)
{
    double mu = d->u.normal.mean, sd = d->u.normal.sd;
    double lo = d->u.normal.min, hi = d->u.normal.max, x = lo;
    for (int i = 0; i < TN_MAX_TRIES; i++) {
        double u = gsl_rng_uniform(r), v = gsl_rng_uniform(r);
        double z;
        x = lo + (hi - lo) * u;
        z = (x - mu) / sd;
        if (v < exp(-0.5 * z * z))
            break;
    }
    return x;
}

/* gsl_ran_gaussian_ziggurat(r, sigma), its common case inline on a dealsim
 * stream (ds_rng_gaussian: the same words and bits). */
static inline double gauss(gsl_rng *r, double sigma)
{
    return r->type == ds_rng_type ? ds_rng_gaussian((ds_rng *)r->state, sigma)
                                  : gsl_ran_gaussian_ziggurat(r, sigma);
}

/* A normal sampled by inverse CDF (TN_INV_UPPER, TN_INV_SPLIT) at uniform
 * u in (0, 1), clamped to its window. */
static double tn_inverse(const ds_dist *d, double u)
{
    const double *k = d->k;
    double mu = d->u.normal.mean, sd = d->u.normal.sd, x;
    if ((int)k[0] == TN_INV_UPPER) {
        /* Q-side inverse CDF: q uniform on (Q(b), Q(a)], exact in the far
         * end of the window where Q is small. */
        double q = k[3] + u * (k[2] - k[3]);
        x = mu + k[1] * sd * gsl_cdf_ugaussian_Qinv(q);
    } else {
        /* Mass t in (0, mL + mU): below the mean P(a) + t on the P side,
         * above it Q(b) + (mL + mU - t) on the Q side, so each half is
         * inverted where its CDF keeps full precision. */
        double m = k[3] + k[4], t = u * m;
        if (t < k[3])
            x = mu + sd * gsl_cdf_ugaussian_Pinv(k[1] + t);
        else
            x = mu + sd * gsl_cdf_ugaussian_Qinv(k[2] + (m - t));
    }
    return fmin(fmax(x, d->u.normal.min), d->u.normal.max);
}

static double sample_normal(const ds_dist *d, gsl_rng *r)
{
    const double *k = d->k;
    double mu = d->u.normal.mean, sd = d->u.normal.sd, x;
    switch ((int)k[0]) {
    case TN_PLAIN:
        return mu + gauss(r, sd);
    case TN_CONST:
        return k[1];
    case TN_INV_UPPER:
    case TN_INV_SPLIT:
        return tn_inverse(d, unif_open(r));
    case TN_EXP:
        /* From the bound nearest the mean, inward, in original units. */
        x = k[5] + k[1] * sd * tn_exp(k, r);
        break;
    case TN_UNIF:
        x = tn_unif(d, r);
        break;
    case TN_FLAT:
        x = d->u.normal.min + (d->u.normal.max - d->u.normal.min) * gsl_rng_uniform(r);
        break;
    default:
        return NAN;
    }
    return fmin(fmax(x, d->u.normal.min), d->u.normal.max);
}

/* A uniform on [0, 1) from r: inline when r is a dealsim stream (the usual
 * case, on the hot path of every draw), else through GSL's interface.  Both
 * give the same number: ds_rng_type's get_double is ds_rng_uniform. */
static inline double unif(gsl_rng *r)
{
    return r->type == ds_rng_type ? ds_rng_uniform((ds_rng *)r->state)
                                  : gsl_rng_uniform(r);
}

void ds_gamma_init(ds_gamma *g, double a)
{
    /* GSL: for a < 1, the variate of 1 + a times u^(1/a). */
    const double s = a < 1 ? 1.0 + a : a;
    g->boost = a < 1;
    g->inv_a = 1.0 / a;
    g->d = s - 1.0 / 3.0;
    g->c = (1.0 / 3.0) / sqrt(g->d);
}

double ds_gamma_draw_rest(ds_rng *r, const ds_gamma *g, double boost)
{
    double x, v, u, dv;
    const double d = g->d, c = g->c;
    for (;;) {
        /* The common try from three buffered words at once (the
         * ziggurat's first try, ds_rng_gaussian's inline path, its
         * sign * 1.0 * x being +-x exactly); a try not taken from them,
         * from the same position, as GSL does. */
        if (r->avail - r->used >= 3) {
            const uint32_t *w = r->buf + r->used;
            int taken, accepted;
            dv = ds_gamma_try(d, c, w[0], w[1], w[2], &taken, &accepted);
            if (taken) {
                r->used += 3;
                if (accepted)
                    break;
                continue;
            }
        }
        do {
            x = ds_rng_gaussian(r, 1.0);
            v = 1.0 + c * x;
        } while (v <= 0);
        v = v * v * v;
        u = ds_gsl_uniform_pos(r);
        dv = 1.0 * d * v;
        if (u < 1 - 0.0331 * x * x * x * x)
            break;
        if (log(u) < 0.5 * x * x + d * (1 - v + log(v)))
            break;
    }
    /* GSL's scale b * d * v, b = 1; then its boost (times 1 without). */
    return g->boost ? dv * boost : dv;
}

double ds_dist_gamma(ds_rng *r, double a)
{
    ds_gamma g;
    ds_gamma_init(&g, a);
    return ds_gamma_draw(r, &g);
}

/* gsl_ran_beta(r, a, b): for a > 1 or b > 1 the ratio of two gamma
 * variates x1 / (x1 + x2), drawn in that order (ds_dist_gamma on a
 * dealsim stream); else Johnk's method, GSL's own. */
static double beta(gsl_rng *r, double a, double b, const ds_gamma gam[2])
{
    if ((a <= 1.0 && b <= 1.0) || r->type != ds_rng_type)
        return gsl_ran_beta(r, a, b);
    double x1 = ds_gamma_draw((ds_rng *)r->state, &gam[0]);
    double x2 = ds_gamma_draw((ds_rng *)r->state, &gam[1]);
    return x1 / (x1 + x2);
}

/* x clamped to [lo, hi] (lo <= hi; x not NaN), guarding rounding at the ends. */
static inline double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

int ds_dist_is_one_uniform(const ds_dist *d)
{
    return (d->kind == DS_DIST_UNIFORM && d->u.uniform.min != d->u.uniform.max) ||
           (d->kind == DS_DIST_TRIANGULAR && d->u.tri.min != d->u.tri.max);
}

int ds_dist_is_one_open_uniform(const ds_dist *d)
{
    return d->kind == DS_DIST_NORMAL &&
           ((int)d->k[0] == TN_INV_UPPER || (int)d->k[0] == TN_INV_SPLIT);
}

double ds_dist_from_open_uniform(const ds_dist *d, double u)
{
    return tn_inverse(d, u);
}

int ds_dist_is_two_gammas(const ds_dist *d, double *lo, double *hi)
{
    double a, b;
    if (d->kind == DS_DIST_PERT) {
        a = d->k[0];
        b = d->k[1];
        *lo = d->u.tri.min;
        *hi = d->u.tri.max;
    } else if (d->kind == DS_DIST_BETA) {
        a = d->u.beta.a;
        b = d->u.beta.b;
        *lo = d->u.beta.min;
        *hi = d->u.beta.max;
    } else {
        return 0;
    }
    /* ds_dist_sample's beta: gsl_ran_beta when both shapes are <= 1. */
    return *lo != *hi && !(a <= 1.0 && b <= 1.0) && !d->gam[0].boost && !d->gam[1].boost;
}

int ds_dist_is_one_gaussian(const ds_dist *d, double *loc, double *scale, int *lognormal)
{
    if (d->kind == DS_DIST_NORMAL && (int)d->k[0] == TN_PLAIN && d->u.normal.sd != 0
        && isinf(d->u.normal.min) && isinf(d->u.normal.max)) {
        *loc = d->u.normal.mean; /* sample_normal's TN_PLAIN */
        *scale = d->u.normal.sd;
        *lognormal = 0;
        return 1;
    }
    if (d->kind == DS_DIST_LOGNORMAL && d->u.lognormal.sigma != 0) {
        *loc = d->u.lognormal.median;
        *scale = d->u.lognormal.sigma;
        *lognormal = 1;
        return 1;
    }
    return 0;
}

int ds_dist_one_uniform_params(const ds_dist *d, double *min, double *max, double *p,
                               double *q)
{
    if (d->kind == DS_DIST_UNIFORM) {
        *min = d->u.uniform.min;
        *max = d->u.uniform.max;
        *p = *q = 0.0;
        return 0;
    }
    *min = d->u.tri.min;
    *max = d->u.tri.max;
    *p = d->k[0];
    *q = d->k[1];
    return 1;
}

double ds_dist_from_uniform(const ds_dist *d, double u)
{
    if (d->kind == DS_DIST_UNIFORM) /* min + (max - min) U */
        return d->u.uniform.min + (d->u.uniform.max - d->u.uniform.min) * u;
    /* Triangular by inverse CDF: F(x) = (x-min)^2 / ((max-min)(mode-min))
     * below the mode, 1 - (max-x)^2 / ((max-min)(max-mode)) above it; with
     * p = k[0] = (mode-min)/(max-min) and q = k[1] = (max-mode)/(max-min)
     * that is x = min + (max-min) sqrt(U p) for U < p, else
     * x = max - (max-min) sqrt((1-U) q), which cannot overflow. */
    double lo = d->u.tri.min, hi = d->u.tri.max, span = hi - lo, x;
    if (u < d->k[0])
        x = lo + span * sqrt(u * d->k[0]);
    else
        x = hi - span * sqrt((1 - u) * d->k[1]);
    return clamp(x, lo, hi);
}

double ds_dist_sample(const ds_dist *d, gsl_rng *r)
{
    /* Each degenerate case returns before drawing (see the file comment). */
    switch (d->kind) {
    case DS_DIST_FIXED:
        return d->u.fixed.value;
    case DS_DIST_UNIFORM:
    case DS_DIST_TRIANGULAR:
        if (!ds_dist_is_one_uniform(d))
            return d->kind == DS_DIST_UNIFORM ? d->u.uniform.min : d->u.tri.min;
        return ds_dist_from_uniform(d, unif(r));
    case DS_DIST_NORMAL:
        return sample_normal(d, r);
    case DS_DIST_LOGNORMAL: /* SPEC §2: median exp(sigma Z) */
        if (d->u.lognormal.sigma == 0)
            return d->u.lognormal.median;
        return d->u.lognormal.median * exp(gauss(r, d->u.lognormal.sigma));
    case DS_DIST_PERT: { /* SPEC §2, lambda = 4 */
        if (d->u.tri.min == d->u.tri.max)
            return d->u.tri.min;
        double x = d->u.tri.min + (d->u.tri.max - d->u.tri.min) * beta(r, d->k[0], d->k[1], d->gam);
        return clamp(x, d->u.tri.min, d->u.tri.max);
    }
    case DS_DIST_BETA: { /* SPEC §2: min + (max - min) Beta(a, b) */
        if (d->u.beta.min == d->u.beta.max)
            return d->u.beta.min;
        double x = d->u.beta.min + (d->u.beta.max - d->u.beta.min) * beta(r, d->u.beta.a, d->u.beta.b, d->gam);
        return clamp(x, d->u.beta.min, d->u.beta.max);
    }
    case DS_DIST_DISCRETE: /* Walker's alias table; weight 0 never drawn */
        if (!d->table) /* one drawable value, kept in k[0] by prepare */
            return d->k[0];
        return d->u.discrete.values[gsl_ran_discrete(r, d->table)];
    }
    return NAN;
}

/* ---- quantile functions and CDFs (SPEC §5.1, §11) --------------------- */

/* Newton steps at most in the inversions below.  Each converges in a few
 * steps for any valid dist (the truncated normal's tail monotonically, the
 * beta's safeguarded by a bracket that at least halves per step in the
 * worst case); the cap only bounds the work. */
#define INV_MAX_STEPS 200

/* log Q(a + t) - log Q(a) for a >= 0, t >= 0 (Q the standard normal upper
 * tail), without forming Q (which underflows beyond 37.5 sd).  With
 * h(x) = phi(x)/Q(x) the normal hazard (gsl_sf_hazard, accurate far out),
 * log Q(x) = log phi(x) - log h(x), so the difference is
 * -t (a + t/2) - log(h(a + t) / h(a)).  For a narrow step (t (a + t) below
 * TN_MEAN_NARROW) the hazards' ratio is too close to 1 for its logarithm
 * to keep relative precision; there the difference is log1p(-h(a) I) with
 * I = the integral of exp(-a s - s^2/2) over [0, t], Q(a) - Q(a + t) =
 * phi(a) I, by the 8-point Gauss-Legendre rule (exact to rounding: the
 * integrand varies by less than 1% across the step).  -inf for t = inf. */
static double tn_log_ratio(double a, double t)
{
    if (isinf(t))
        return -INFINITY;
    if (t * (a + t) < TN_MEAN_NARROW) {
        double in = 0;
        for (int i = 0; i < 4; i++)
            for (int s = -1; s <= 1; s += 2) {
                double u = 0.5 * t * (1 + s * gl8_x[i]);
                in += gl8_w[i] * exp(-a * u - 0.5 * u * u);
            }
        return log1p(-gsl_sf_hazard(a) * 0.5 * t * in);
    }
    return -t * (a + 0.5 * t) - log(gsl_sf_hazard(a + t) / gsl_sf_hazard(a));
}

/* The quantile of the standard normal truncated to [a, a + w], a >= 0, at
 * mass p from a (q = 1 - p), as the offset t in [0, w]: the root of
 * log Q(a + t) - log Q(a) = log(q + p R(w)), R(w) = Q(a + w)/Q(a).  The
 * left side is decreasing and concave (the hazard grows), so Newton's method
 * converges monotonically after its first step; it starts from t0 (a guess
 * in [0, w], or NaN for the exponential approximation of the tail, Robert
 * 1995) and stays in [0, w].  Full relative precision in t, so also near
 * the bound and where Q(a) underflows. */
static double tn_tail_quantile(double a, double w, double p, double q, double t0)
{
    double dw = tn_log_ratio(a, w);
    /* log(q + p R(w)), without cancellation on either side of p = 1/2 */
    double target = p <= 0.5 ? log1p(p * expm1(dw)) : log(q + p * exp(dw));
    double t = t0, lo = 0.0, hi = w;
    if (!(target < 0))
        return 0.0;
    if (isinf(target))
        return w;
    if (!(t >= 0 && t <= w))
        t = a > 0 ? -target / a : isinf(w) ? 1.0 : p * w;
    if (!(t < w))
        t = 0.5 * w;
    for (int i = 0; i < INV_MAX_STEPS; i++) {
        double f = tn_log_ratio(a, t) - target; /* decreasing in t */
        if (f > 0)
            lo = t;
        else if (f < 0)
            hi = t;
        else
            break;
        double nt = t + f / gsl_sf_hazard(a + t);
        if (fabs(nt - t) <= 4 * DBL_EPSILON * nt) { /* converged */
            t = clamp(nt, lo, hi);
            break;
        }
        if (!(nt > lo && nt < hi))
            nt = isinf(hi) ? 2 * t + 1 : 0.5 * (lo + hi);
        if (hi - lo <= 4 * DBL_EPSILON * hi) {
            t = nt;
            break;
        }
        t = nt;
    }
    return t;
}

/* The masses of a window [a, b] straddling 0 (a < 0 < b) of the standard
 * normal: P(a), Q(b), and the halves below and above 0, each computed
 * without cancellation (SPEC §2). */
static void tn_split(double a, double b, double *pa, double *qb, double *ml, double *mu)
{
    *pa = isinf(a) ? 0.0 : gsl_cdf_ugaussian_P(a);
    *qb = isinf(b) ? 0.0 : gsl_cdf_ugaussian_Q(b);
    *ml = 0.5 * erf(-a / M_SQRT2);
    *mu = 0.5 * erf(b / M_SQRT2);
}

/* The quantile of a prepared normal at p (q = 1 - p, both exact), on the
 * side where the relevant normal CDF keeps full precision: within its
 * bounds for a truncated one. */
static double normal_quantile(const ds_dist *d, double p, double q)
{
    const double *k = d->k;
    double mu = d->u.normal.mean, sd = d->u.normal.sd;
    double lo = d->u.normal.min, hi = d->u.normal.max, x;
    switch ((int)k[0]) {
    case TN_PLAIN:
        return mu + sd * (p <= q ? gsl_cdf_ugaussian_Pinv(p) : gsl_cdf_ugaussian_Qinv(q));
    case TN_CONST:
        return k[1];
    }
    if (p == 0)
        return lo; /* the ends of the window, exactly */
    if (q == 0)
        return hi;
    switch ((int)k[0]) {
    case TN_FLAT:
        x = p <= q ? lo + (hi - lo) * p : hi - (hi - lo) * q;
        break;
    case TN_INV_UPPER: {
        /* Reflected so the window [a', b'] is above the mean, with mass p1
         * from a', the bound nearest the mean: Q(x') = Q(b') + q1 (Q(a') -
         * Q(b')), then Newton's steps on the tail (which keep full relative
         * precision near a', where the difference of Q's cancels). */
        double p1 = k[1] > 0 ? p : q, q1 = k[1] > 0 ? q : p;
        double za = k[1] > 0 ? (lo - mu) / sd : (mu - hi) / sd;
        double zb = k[1] > 0 ? (hi - mu) / sd : (mu - lo) / sd;
        double t0 = gsl_cdf_ugaussian_Qinv(k[3] + q1 * (k[2] - k[3])) - za;
        x = (k[1] > 0 ? lo : hi) + k[1] * sd * tn_tail_quantile(za, zb - za, p1, q1, t0);
        break;
    }
    case TN_EXP: {
        double p1 = k[1] > 0 ? p : q, q1 = k[1] > 0 ? q : p;
        x = k[5] + k[1] * sd * tn_tail_quantile(k[2], k[3], p1, q1, NAN);
        break;
    }
    case TN_INV_SPLIT:
    case TN_UNIF: {
        double pa, qb, ml, mh;
        tn_split((lo - mu) / sd, (hi - mu) / sd, &pa, &qb, &ml, &mh);
        double m = ml + mh;
        if (p * m < ml)
            x = mu + sd * gsl_cdf_ugaussian_Pinv(pa + p * m);
        else
            x = mu + sd * gsl_cdf_ugaussian_Qinv(qb + q * m);
        break;
    }
    default:
        return NAN;
    }
    return clamp(x, lo, hi);
}

/* The CDF of a prepared normal at x. */
static double normal_cdf(const ds_dist *d, double x)
{
    const double *k = d->k;
    double mu = d->u.normal.mean, sd = d->u.normal.sd;
    double lo = d->u.normal.min, hi = d->u.normal.max, f;
    if ((int)k[0] == TN_CONST)
        return x >= k[1] ? 1.0 : 0.0;
    if ((int)k[0] == TN_PLAIN)
        return gsl_cdf_ugaussian_P((x - mu) / sd);
    if (x <= lo)
        return 0.0;
    if (x >= hi)
        return 1.0;
    switch ((int)k[0]) {
    case TN_FLAT:
        return (x - lo) / (hi - lo);
    case TN_INV_UPPER:
    case TN_EXP: {
        /* Reflected so the window [a', a' + w] is above the mean, with
         * R(t) = Q(a' + t)/Q(a'): the mass from a' to a' + t relative to
         * the window's is (1 - R(t)) / (1 - R(w)), and from a' + t to the
         * far end R(t) (1 - R(w)/R(t)) / (1 - R(w)); whichever is F is
         * computed as it stands, so neither near end cancels and nothing
         * underflows far out. */
        double za = k[1] > 0 ? (lo - mu) / sd : (mu - hi) / sd;
        double w = (hi - lo) / sd;
        double t = k[1] > 0 ? (x - lo) / sd : (hi - x) / sd;
        double all = -expm1(tn_log_ratio(za, w));
        if (k[1] > 0)
            return clamp(-expm1(tn_log_ratio(za, t)) / all, 0.0, 1.0);
        f = exp(tn_log_ratio(za, t)) * -expm1(tn_log_ratio(za + t, w - t)) / all;
        return clamp(f, 0.0, 1.0);
    }
    default: { /* a window across the mean */
        double pa, qb, ml, mh, z = (x - mu) / sd;
        tn_split((lo - mu) / sd, (hi - mu) / sd, &pa, &qb, &ml, &mh);
        return z < 0 ? (gsl_cdf_ugaussian_P(z) - pa) / (ml + mh)
                     : 1.0 - (gsl_cdf_ugaussian_Q(z) - qb) / (ml + mh);
    }
    }
    return clamp(f, 0.0, 1.0);
}

/* log B(a, b) + log of the density of Beta(a, b) at x in (0, 1). */
static double beta_log_pdf(double x, double a, double b, double lnb)
{
    return (a - 1) * log(x) + (b - 1) * log1p(-x) - lnb;
}

/* The x in [0, 1] with I_x(a, b) = p: Newton's method on
 * gsl_cdf_beta_P, kept inside a bracket [lo, hi] of the root that every
 * step narrows (a step that would leave it bisects instead, geometrically
 * while the bracket spans orders of magnitude, so a root near 0 is reached
 * in few steps), from the small-x approximation I_x ~ x^a / (a B(a, b)).
 * Not gsl_cdf_beta_Pinv: its failure to converge is reported through GSL's
 * error handler, which dealsim must never reach (error.h).  NaN when the
 * CDF cannot be computed (parameters beyond its continued fraction). */
static double beta_p_inverse(double p, double a, double b)
{
    double lnb = gsl_sf_lnbeta(a, b), mean = a / (a + b);
    double lo = 0.0, hi = 1.0, x;
    if (p <= 0)
        return 0.0;
    x = exp((log(a) + lnb + log(p)) / a);
    if (!(x > 0 && x < mean))
        x = mean;
    for (int i = 0; i < INV_MAX_STEPS; i++) {
        double f = gsl_cdf_beta_P(x, a, b) - p;
        if (isnan(f))
            return NAN;
        if (f < 0)
            lo = x;
        else if (f > 0)
            hi = x;
        else
            break;
        double nx = x - f / exp(beta_log_pdf(x, a, b, lnb));
        if (fabs(nx - x) <= 2 * DBL_EPSILON * nx) { /* converged */
            x = clamp(nx, lo, hi);
            break;
        }
        if (!(nx > lo && nx < hi))
            nx = lo > 0 && hi > 4 * lo ? sqrt(lo * hi) : lo == 0 ? 0.0625 * hi : 0.5 * (lo + hi);
        if (hi - lo <= 2 * DBL_EPSILON * hi) {
            x = nx;
            break;
        }
        x = nx;
    }
    return x;
}

/* Beta shapes below this are the two-point limit of the beta (mass
 * b/(a+b) at 0, a/(a+b) at 1): I_x(a, b) then differs from that limit by
 * less than 1e-297 for every x the doubles hold away from 0 and 1, and
 * GSL's incomplete beta overflows (through its error handler) for shapes
 * below about 1e-308. */
#define BETA_TINY_SHAPE 1e-300

/* The mean and standard deviation of Beta(a, b), computed without
 * overflow or underflow for any positive finite shapes (the sd is 0 when
 * it is below the doubles' range). */
static void beta_moments(double a, double b, double *m, double *sd)
{
    *m = 1.0 / (1.0 + b / a);
    *sd = sqrt(*m * (1.0 - *m)) / sqrt(a + b + 1.0);
}

/* min + (max - min) y for y = the quantile of Beta(a, b) at p (q = 1 - p):
 * solved for y when the root lies in [0, 1/2] (p <= I_{1/2}(a, b)), else
 * for 1 - y from I_{1-y}(b, a) = q and placed from max, so a root near
 * either end keeps the resolution of the doubles there.  If the CDF cannot
 * be computed, the normal approximation with the same mean and variance. */
static double beta_quantile(double a, double b, double min, double max, double p, double q)
{
    double span = max - min, x;
    if (!(fmin(a, b) >= BETA_TINY_SHAPE))
        return p <= b / (a + b) ? min : max;
    if (p <= gsl_cdf_beta_P(0.5, a, b)) {
        double y = beta_p_inverse(p, a, b);
        x = min + span * y;
    } else {
        double y = beta_p_inverse(q, b, a);
        x = max - span * y;
    }
    if (isnan(x)) {
        double m, sd, z = p <= q ? gsl_cdf_ugaussian_Pinv(p) : gsl_cdf_ugaussian_Qinv(q);
        beta_moments(a, b, &m, &sd);
        x = min + span * (sd > 0 ? clamp(m + sd * z, 0.0, 1.0) : m);
    }
    return clamp(x, min, max);
}

/* The CDF of min + (max - min) Beta(a, b) at x strictly inside [min, max]:
 * from the nearer end, I_y(a, b) with y = (x - min)/(max - min), or
 * 1 - I_{y'}(b, a) with y' = (max - x)/(max - min) (as gsl_cdf_beta_Q, which
 * avoids the cancellation), so x's resolution near max is kept.  The
 * normal approximation when the continued fraction cannot compute it. */
static double beta_cdf(double a, double b, double min, double max, double x)
{
    double span = max - min, y = (x - min) / span, f;
    if (!(fmin(a, b) >= BETA_TINY_SHAPE))
        return b / (a + b);
    if (y <= 0.5)
        f = gsl_cdf_beta_P(y, a, b);
    else
        f = gsl_cdf_beta_Q((max - x) / span, b, a);
    if (isnan(f)) {
        double m, sd;
        beta_moments(a, b, &m, &sd);
        f = sd > 0 ? gsl_cdf_ugaussian_P((y - m) / sd) : y >= m ? 1.0 : 0.0;
    }
    return clamp(f, 0.0, 1.0);
}

/* Weights of a discrete dist scaled by their maximum, so sums cannot
 * overflow: their total, and the scale. */
static double discrete_total(const ds_dist *d, double *wmax)
{
    double m = 0, s = 0;
    for (size_t i = 0; i < d->u.discrete.n; i++)
        m = fmax(m, d->u.discrete.weights[i]);
    for (size_t i = 0; i < d->u.discrete.n; i++)
        s += d->u.discrete.weights[i] / m;
    *wmax = m;
    return s;
}

/* The quantile of d at p, given also q = 1 - p (exact): the tail that
 * matters is used for every kind (SPEC §5.1). */
static double quantile_pq(const ds_dist *d, double p, double q)
{
    double v;
    if (ds_dist_is_constant(d, &v))
        return v;
    switch (d->kind) {
    case DS_DIST_FIXED:
        return d->u.fixed.value;
    case DS_DIST_UNIFORM: {
        double lo = d->u.uniform.min, hi = d->u.uniform.max;
        return clamp(p <= q ? lo + (hi - lo) * p : hi - (hi - lo) * q, lo, hi);
    }
    case DS_DIST_NORMAL:
        return normal_quantile(d, p, q);
    case DS_DIST_LOGNORMAL:
        return d->u.lognormal.median *
               exp(d->u.lognormal.sigma *
                   (p <= q ? gsl_cdf_ugaussian_Pinv(p) : gsl_cdf_ugaussian_Qinv(q)));
    case DS_DIST_TRIANGULAR: {
        /* The inverse of ds_dist_from_uniform's CDF, from the upper end
         * with q above the mode. */
        double lo = d->u.tri.min, hi = d->u.tri.max, span = hi - lo;
        double x = p < d->k[0] ? lo + span * sqrt(p * d->k[0]) : hi - span * sqrt(q * d->k[1]);
        return clamp(x, lo, hi);
    }
    case DS_DIST_PERT:
        return beta_quantile(d->k[0], d->k[1], d->u.tri.min, d->u.tri.max, p, q);
    case DS_DIST_BETA:
        return beta_quantile(d->u.beta.a, d->u.beta.b, d->u.beta.min, d->u.beta.max, p, q);
    case DS_DIST_DISCRETE: {
        /* The first value in file order whose cumulative weight share
         * reaches p; values of weight 0 are never taken.  The running sum
         * ends at exactly the total, so p = 1 takes the last drawable one. */
        double wmax, tot = discrete_total(d, &wmax), cum = 0, target = p * tot;
        size_t last = 0;
        for (size_t i = 0; i < d->u.discrete.n; i++) {
            double w = d->u.discrete.weights[i] / wmax;
            if (!(w > 0))
                continue;
            cum += w;
            last = i;
            if (cum >= target)
                return d->u.discrete.values[i];
        }
        return d->u.discrete.values[last];
    }
    }
    return NAN;
}

double ds_dist_quantile(const ds_dist *d, double u)
{
    if (isnan(u))
        return NAN;
    u = clamp(u, 0.0, 1.0);
    return quantile_pq(d, u, 1.0 - u);
}

double ds_dist_from_normal(const ds_dist *d, double z)
{
    double v;
    if (ds_dist_is_constant(d, &v))
        return v;
    /* Exact forms first: F^-1(Phi(z)) is affine in z for a normal without
     * bounds and exponential for a lognormal. */
    if (d->kind == DS_DIST_NORMAL && (int)d->k[0] == TN_PLAIN)
        return d->u.normal.mean + d->u.normal.sd * z;
    if (d->kind == DS_DIST_LOGNORMAL)
        return d->u.lognormal.median * exp(d->u.lognormal.sigma * z);
    return quantile_pq(d, gsl_cdf_ugaussian_P(z), gsl_cdf_ugaussian_Q(z));
}

double ds_dist_cdf(const ds_dist *d, double x)
{
    double v, lo, hi;
    if (isnan(x))
        return NAN;
    if (ds_dist_is_constant(d, &v))
        return x >= v ? 1.0 : 0.0;
    switch (d->kind) {
    case DS_DIST_FIXED:
        return x >= d->u.fixed.value ? 1.0 : 0.0;
    case DS_DIST_UNIFORM:
        lo = d->u.uniform.min, hi = d->u.uniform.max;
        return x <= lo ? 0.0 : x >= hi ? 1.0 : clamp((x - lo) / (hi - lo), 0.0, 1.0);
    case DS_DIST_NORMAL:
        return normal_cdf(d, x);
    case DS_DIST_LOGNORMAL:
        if (!(x > 0))
            return 0.0;
        return gsl_cdf_ugaussian_P(log(x / d->u.lognormal.median) / d->u.lognormal.sigma);
    case DS_DIST_TRIANGULAR: {
        double mode = d->u.tri.mode, span;
        lo = d->u.tri.min, hi = d->u.tri.max, span = hi - lo;
        if (x <= lo)
            return 0.0;
        if (x >= hi)
            return 1.0;
        if (x < mode)
            return clamp((x - lo) / span * ((x - lo) / (mode - lo)), 0.0, 1.0);
        return clamp(1.0 - (hi - x) / span * ((hi - x) / (hi - mode)), 0.0, 1.0);
    }
    case DS_DIST_PERT:
        lo = d->u.tri.min, hi = d->u.tri.max;
        if (x <= lo)
            return 0.0;
        if (x >= hi)
            return 1.0;
        return beta_cdf(d->k[0], d->k[1], lo, hi, x);
    case DS_DIST_BETA:
        lo = d->u.beta.min, hi = d->u.beta.max;
        if (x <= lo)
            return 0.0;
        if (x >= hi)
            return 1.0;
        return beta_cdf(d->u.beta.a, d->u.beta.b, lo, hi, x);
    case DS_DIST_DISCRETE: {
        double wmax, tot = discrete_total(d, &wmax), below = 0;
        for (size_t i = 0; i < d->u.discrete.n; i++)
            if (d->u.discrete.values[i] <= x)
                below += d->u.discrete.weights[i] / wmax;
        return clamp(below / tot, 0.0, 1.0);
    }
    }
    return NAN;
}
