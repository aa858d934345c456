/*
 * dist.h - the uncertain values of SPEC §2: parameters, sampling, analytic
 * mean, support, quantile function and CDF.
 *
 * A ds_dist is plain data filled by the scenario loader, then finished by
 * ds_dist_prepare (which precomputes sampling constants).  Sampling never
 * allocates and draws only from the generator it is given.
 */
#ifndef DEALSIM_DIST_H
#define DEALSIM_DIST_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include "dealsim/rng.h"

typedef enum ds_dist_kind {
    DS_DIST_FIXED = 0,  /* value */
    DS_DIST_UNIFORM,    /* min, max */
    DS_DIST_NORMAL,     /* mean, sd, min, max (-INFINITY/+INFINITY when absent) */
    DS_DIST_LOGNORMAL,  /* median, sigma */
    DS_DIST_TRIANGULAR, /* min, mode, max */
    DS_DIST_PERT,       /* min, mode, max; lambda = 4 */
    DS_DIST_BETA,       /* a, b, min (default 0), max (default 1) */
    DS_DIST_DISCRETE    /* values[n], weights[n] */
} ds_dist_kind;

/* A gamma variate's constants for shape a > 0 (ds_gamma_init), so that
 * drawing one (ds_gamma_draw) does not compute them again: Marsaglia and
 * Tsang's d = a' - 1/3 and c = (1/3) / sqrt(d) of a' = a, or of a' = 1 + a
 * when a < 1 (`boost`), with 1 / a for GSL's boost u^(1/a). */
typedef struct ds_gamma {
    double d, c, inv_a;
    int boost;
} ds_gamma;

typedef struct ds_dist {
    ds_dist_kind kind;
    union {
        struct { double value; } fixed;
        struct { double min, max; } uniform;
        struct { double mean, sd, min, max; } normal;
        struct { double median, sigma; } lognormal;
        struct { double min, mode, max; } tri;   /* triangular and pert */
        struct { double a, b, min, max; } beta;
        struct {
            size_t n;
            double *values;   /* owned by the dist */
            double *weights;  /* owned by the dist; >= 0, not all 0 */
        } discrete;
    } u;
    /* Filled by ds_dist_prepare; private to dist.c. */
    double k[6];
    ds_gamma gam[2];           /* beta and pert: the gamma variates' */
    gsl_ran_discrete_t *table; /* discrete only; owned by the dist */
} ds_dist;

/* A fixed dist of value v (prepared; owns nothing). */
ds_dist ds_dist_fixed(double v);

/* Precompute sampling constants.  Call once after the parameters are set and
 * validated (ds_dist_check).  Returns DS_OK, DS_ENOMEM (discrete tables), or
 * DS_EINVAL for a discrete dist that fails ds_dist_check (nothing prepared).
 * It never calls GSL's error handler for a checked dist (see error.h). */
int ds_dist_prepare(ds_dist *d);

/* Check the §2 rules of a dist's own parameters (sd >= 0, min <= mode <= max,
 * normal with sd 0 and bounds has its mean inside, discrete lengths and
 * weights, finite numbers, ...).  On a problem, writes a message such as
 * "must be >= 0, got -1" to msg and the offending field name ("sd", or ""
 * for the dist as a whole) to *field, and returns DS_EINVAL. */
int ds_dist_check(const ds_dist *d, const char **field, char *msg, size_t msgsz);

/* One draw from d using r (SPEC §2).  d must be prepared. */
double ds_dist_sample(const ds_dist *d, gsl_rng *r);

/* 1 if ds_dist_sample(d, r) is ds_dist_from_uniform(d, ds_rng_uniform(r)):
 * one uniform on [0, 1), two words of a dealsim stream (uniform and
 * triangular dists that are not constant).  Lets a caller that already holds
 * a stream's first words skip opening it. */
int ds_dist_is_one_uniform(const ds_dist *d);

/* The sample of d for uniform u in [0, 1), when ds_dist_is_one_uniform(d). */
double ds_dist_from_uniform(const ds_dist *d, double u);

/* 1 if ds_dist_sample(d, r) on a dealsim stream is
 * ds_dist_from_open_uniform(d, ds_rng_uniform_pos(r)): one uniform on
 * (0, 1), two words (a normal with bounds drawn by inverse CDF). */
int ds_dist_is_one_open_uniform(const ds_dist *d);

/* The sample of d for uniform u in (0, 1), when
 * ds_dist_is_one_open_uniform(d). */
double ds_dist_from_open_uniform(const ds_dist *d, double u);

/* 1 if ds_dist_sample(d, r) is *loc + gsl_ran_gaussian_ziggurat(r, *scale)
 * (a normal without bounds; *lognormal = 0) or *loc * exp(
 * gsl_ran_gaussian_ziggurat(r, *scale)) (a lognormal; *lognormal = 1), with
 * those very operations, and the dist is not constant.  Lets a caller draw
 * it through ds_rng_gaussian_first. */
int ds_dist_is_one_gaussian(const ds_dist *d, double *loc, double *scale, int *lognormal);

/* 1 if ds_dist_sample(d, r) on a dealsim stream is
 * clamp(*lo + (*hi - *lo) x1 / (x1 + x2)) to [*lo, *hi], with x1 and x2
 * ds_gamma_draw of gam[0] and gam[1] in turn, neither boosted (a beta or
 * pert dist, not constant, with both shapes >= 1 and one > 1).  Lets a
 * caller that holds a stream's first words take both variates' usual tries
 * from them. */
int ds_dist_is_two_gammas(const ds_dist *d, double *lo, double *hi);

/* For a dist with ds_dist_is_one_uniform: its min and max, and for a
 * triangular (then returns 1) p = (mode - min)/(max - min) and q = (max -
 * mode)/(max - min) as prepared, so that ds_dist_from_uniform(d, u) is
 * min + (max - min) sqrt(u p) for u < p, else max - (max - min)
 * sqrt((1 - u) q), clamped to [min, max]; for a uniform (returns 0) it is
 * min + (max - min) u.  Lets a caller transform many uniforms at once with
 * the same operations. */
int ds_dist_one_uniform_params(const ds_dist *d, double *min, double *max, double *p,
                               double *q);

/* gsl_ran_gamma(ds_rng_gsl(r), a, 1.0) for a > 0, reproduced with the same
 * operations in the same order (Marsaglia and Tsang's method, with GSL's
 * boost u^(1/a) for a < 1) over ds_rng_gaussian: the same words consumed
 * and the same bits returned, without GSL's calls through the generator's
 * function pointers. */
double ds_dist_gamma(ds_rng *r, double a);

/* One try of ds_gamma_draw (Marsaglia and Tsang) for a gamma without boost
 * with constants d and c, from the three words w0, w1, w2 that follow in
 * its stream: the ziggurat's first try on w0 gives x, v = (1 + c x)^3, the
 * uniform u is 53 bits of w1 and w2.  *taken is 1 when ds_gamma_draw takes
 * this try from those words (the ziggurat accepts w0 at once, 1 + c x > 0,
 * u != 0), and *accepted is then 1 when the squeeze or else the log test
 * accepts it; the variate is then the value returned, d v.  Everything but
 * the log test (about one try in ten) is computed without a branch. */
static inline double ds_gamma_try(double d, double c, uint32_t w0, uint32_t w1,
                                  uint32_t w2, int *taken, int *accepted)
{
    const uint32_t i = w0 & 0x7fu, j = w0 >> 8;
    const double x = ds_rng_zig_sign(w0) * ((double)j * ds_rng_zig_w[i]);
    const uint64_t w = ds_rng_u53_of(w1, w2);
    const double u = (double)w * DS_RNG_TWO_M53;
    double v = 1.0 + c * x;
    *taken = (j < ds_rng_zig_k[i]) & (v > 0) & (w != 0);
    v = v * v * v;
    *accepted = u < 1 - 0.0331 * x * x * x * x;
    if (*taken & !*accepted)
        *accepted = log(u) < 0.5 * x * x + d * (1 - v + log(v));
    return 1.0 * d * v;
}

/* The same variate, its constants computed once: ds_gamma_draw(r, g) after
 * ds_gamma_init(g, a) is ds_dist_gamma(r, a), bit for bit. */
void ds_gamma_init(ds_gamma *g, double a);

/* The rest of ds_gamma_draw from r's position, its boost (1 without)
 * already drawn.  Use ds_gamma_draw. */
double ds_gamma_draw_rest(ds_rng *r, const ds_gamma *g, double boost);

/* GSL's gsl_rng_uniform_pos on a dealsim stream: uniforms on [0, 1) until
 * one is not 0. */
static inline double ds_gsl_uniform_pos(ds_rng *r)
{
    double u;
    do
        u = ds_rng_uniform(r);
    while (u == 0);
    return u;
}

/* Inline: the boost's uniform (ds_gsl_uniform_pos) and the usual try
 * from the three words r holds, when it is taken and accepted there;
 * ds_gamma_draw_rest from the same position otherwise. */
static inline double ds_gamma_draw(ds_rng *r, const ds_gamma *g)
{
    double boost = 1.0;
    if (g->boost)
        boost = pow(ds_gsl_uniform_pos(r), g->inv_a);   /* drawn first, as GSL does */
    if (r->avail - r->used >= 3) {
        const uint32_t *w = r->buf + r->used;
        int taken, accepted;
        const double dv = ds_gamma_try(g->d, g->c, w[0], w[1], w[2], &taken, &accepted);
        if (taken & accepted) {
            r->used += 3;
            return g->boost ? dv * boost : dv;
        }
    }
    return ds_gamma_draw_rest(r, g, boost);
}

/* The quantile function F^-1(u) of d at u in [0, 1] (SPEC §5.1): the
 * smallest value x with F(x) >= u, accurate in both tails (the upper tail
 * is computed from 1 - u; a truncated normal within its bounds, as far out
 * as its window lies).  u = 0 and u = 1 give the ends of the support
 * (+-INFINITY where it is unbounded).  For `discrete`, SPEC §5.1's rule:
 * the first value in file order whose cumulative weight share reaches u,
 * skipping values of weight 0 (with values listed in increasing order, the
 * inverse of ds_dist_cdf).  A constant dist gives its value.  d must be
 * prepared.  Pure; never allocates; never reaches GSL's error handler. */
double ds_dist_quantile(const ds_dist *d, double u);

/* F^-1(Phi(z)): the value of d at standard-normal score z (the Gaussian
 * copula of SPEC §5.1), from whichever of Phi(z), Phi(-z) is smaller, so
 * a far tail keeps its precision; exact forms for a normal without bounds
 * (mean + sd z) and a lognormal (median exp(sigma z)).  As
 * ds_dist_quantile otherwise. */
double ds_dist_from_normal(const ds_dist *d, double z);

/* The CDF F(x) = P(X <= x) of d, in [0, 1] (SPEC §11: an input's own CDF
 * at its drawn value); a step function for a discrete or constant dist.
 * d must be prepared.  NaN for x NaN. */
double ds_dist_cdf(const ds_dist *d, double x);

/* The analytic mean (SPEC §2; for a truncated normal the truncated mean). */
double ds_dist_mean(const ds_dist *d);

/* Inf and sup of the support: every value d can take lies in [*lo, *hi]
 * (±INFINITY when unbounded). */
void ds_dist_support(const ds_dist *d, double *lo, double *hi);

/* 1 if d always takes the same value (then *v is it), else 0. */
int ds_dist_is_constant(const ds_dist *d, double *v);

/* Release what d owns and make it fixed 0.  d may be NULL.  Can't fail. */
void ds_dist_free(ds_dist *d);

/* Deep copy: dst gets its own arrays and table.  DS_OK or DS_ENOMEM. */
int ds_dist_copy(ds_dist *dst, const ds_dist *src);

#endif /* DEALSIM_DIST_H */
