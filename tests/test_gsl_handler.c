/*
 * test_gsl_handler.c - dealsim as a library never reaches GSL's error
 * handler for input it accepted, and never changes the handler (error.h).
 *
 * GSL's default handler aborts the process.  These tests run with it in
 * place, as a program that embeds dealsim without calling
 * gsl_set_error_handler_off() does (Criterion runs each test in a fresh
 * process, so an abort fails that test), or with a handler that records
 * every call, to name the call that would have aborted.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "dealsim/dist.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/rng.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/stats.h"

#define FULL DS_TEST_DIR "/data/good/full.json"
#define SEED 20250606u
#define DRAWS 3000u /* two full blocks and a partial one */

static int g_calls;
static char g_first[512];

static void record(const char *reason, const char *file, int line, int gsl_errno)
{
    if (g_calls++ == 0)
        snprintf(g_first, sizeof g_first, "%s:%d: %s (GSL error %d)", file, line, reason,
                 gsl_errno);
}

/* full.json with every --set of `sets` applied, built; fails the test with
 * the loader's problems if it is not valid. */
static ds_model *build(const char *const *sets, size_t n)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_load(FULL, &rep);
    cr_assert_not_null(s, "%s", rep.n ? rep.msg[0] : "no report");
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(ds_scenario_set_arg(s, sets[i], &rep), DS_OK, "%s: %s", sets[i],
                     rep.n ? rep.msg[rep.n - 1] : "");
    int rc = ds_scenario_build(s, &m, &rep);
    cr_assert_eq(rc, DS_OK, "%zu problems, first: %s", ds_report_count(&rep),
                 rep.n ? rep.msg[0] : "");
    ds_scenario_free(s);
    ds_report_free(&rep);
    return m;
}

/* Run m and check every strategy's P(deal) is a probability. */
static void run_and_check(const ds_model *m)
{
    ds_run_opts o = {0};
    ds_stats *st = NULL;
    ds_error err;
    const ds_stat p_deal = {.kind = DS_STAT_SHARE, .c = DS_C_DEALS};

    o.draws = DRAWS;
    o.seed = SEED;
    o.threads = 2;
    cr_assert_eq(ds_run(m, &o, &st, &err), DS_OK, "%s", err.msg);
    for (size_t k = 0; k < m->n_strategies; k++) {
        double p = ds_stats_value(st, k, &p_deal, 0);
        cr_expect(p >= 0 && p <= 1, "%s: p_deal %g", m->strategies[k].id, p);
    }
    ds_stats_free(st);
}

/* Extreme but valid values at every place a dist or a GSL sampler is used:
 * truncated normals far in a tail, almost flat and almost point-like;
 * a beta with one tiny and one huge shape; a lognormal with a huge sigma;
 * discrete weights whose sum overflows; Dirichlet weights with tiny and with
 * huge concentrations. */
static const char *const EXTREME[] = {
    "baseline_deficit={\"dist\":\"normal\",\"mean\":60,\"sd\":1e-300,\"min\":40}",
    "elasticity={\"dist\":\"lognormal\",\"median\":1e-300,\"sigma\":30}",
    "home.tariff_burden={\"dist\":\"beta\",\"a\":1e-300,\"b\":1e300}",
    "home.margin={\"dist\":\"pert\",\"min\":0,\"mode\":0,\"max\":1e-300}",
    "lines.autos.exports={\"dist\":\"normal\",\"mean\":0,\"sd\":1,\"min\":38,\"max\":1e12}",
    "lines.autos.deal={\"dist\":\"discrete\",\"values\":[0.1,0.15,0.2],"
    "\"weights\":[1e308,1e308,1e-308]}",
    "items.semis.deficit_effect={\"dist\":\"normal\",\"mean\":-10,\"sd\":1e10}",
    "items.semis.delivery={\"dist\":\"normal\",\"mean\":-1e12,\"sd\":1,\"min\":0,\"max\":1}",
    "items.semis.cost={\"dist\":\"normal\",\"mean\":10,\"sd\":1e-300,\"min\":9,\"max\":11}",
    "actors.lutnick.weight_certainty=1e-300",
    "actors.lutnick.threshold={\"dist\":\"normal\",\"mean\":0,\"sd\":1e12,"
    "\"min\":-1e-300,\"max\":1e-300}",
    "third_parties.china.cost_per_exposure={\"dist\":\"normal\",\"mean\":1e12,"
    "\"sd\":1e12,\"min\":0,\"max\":1e12}",
};

/* With GSL's default handler in place (it aborts): a scenario of extreme
 * values builds and runs, and the library leaves the handler as it was. */
Test(gsl_handler, extreme_scenario_runs_under_the_default_handler)
{
    /* gsl_set_error_handler(NULL) installs the default and returns the
     * handler it replaces: NULL means the default was in place. */
    cr_assert_null(gsl_set_error_handler(NULL), "this test must start with the default handler");
    ds_model *m = build(EXTREME, sizeof EXTREME / sizeof *EXTREME);
    run_and_check(m);
    ds_model_free(m);

    /* Huge Dirichlet concentrations too (the other branch of the sampler). */
    const char *const huge[] = {"actors.lutnick.weight_certainty=1e12"};
    m = build(huge, 1);
    run_and_check(m);
    ds_model_free(m);

    cr_assert_null(gsl_set_error_handler(NULL), "the library changed GSL's error handler");
}

/* Every kind of dist over a grid of extreme valid parameters: preparing,
 * the mean, the support, sampling, the quantile function (also through a
 * normal score) and the CDF never call the handler; the quantiles lie in
 * the support and are not NaN. */
Test(gsl_handler, extreme_dists_never_call_the_handler)
{
    static const double v[] = {0,     5e-324, 1e-308, 1e-300, 1e-10, 0.3,   1,     7,
                               25,    26,     37,     38.5,   40,    1e3,   1e10,  1e154,
                               1e300, 1.7e308};
    const size_t nv = sizeof v / sizeof *v;
    size_t checked = 0;
    gsl_set_error_handler(record);

    for (size_t i = 0; i < nv; i++) {
        for (size_t j = 0; j < nv; j++) {
            ds_dist d[12];
            size_t n = 0;
            double vals[3] = {-v[i], 0, v[j]}, wts[3] = {v[i], v[j], 1.7e308};
            for (int s = 0; s < 4; s++) { /* normals: one bound, then a window */
                double b = s & 1 ? -v[j] : v[j];
                d[n] = ds_dist_fixed(0);
                d[n].kind = DS_DIST_NORMAL;
                d[n].u.normal.mean = 0;
                d[n].u.normal.sd = v[i];
                d[n].u.normal.min = s & 2 ? b : -INFINITY;
                d[n].u.normal.max = s & 2 ? INFINITY : b;
                n++;
                d[n] = d[n - 1];
                d[n].u.normal.mean = s & 1 ? 1e-3 : -1e-3;
                d[n].u.normal.min = fmin(b, s & 2 ? v[i] : -v[i]);
                d[n].u.normal.max = fmax(b, s & 2 ? v[i] : -v[i]);
                n++;
            }
            d[n] = ds_dist_fixed(0);
            d[n].kind = DS_DIST_BETA;
            d[n].u.beta.a = v[i];
            d[n].u.beta.b = v[j];
            d[n].u.beta.max = 1;
            n++;
            d[n] = ds_dist_fixed(0);
            d[n].kind = DS_DIST_LOGNORMAL;
            d[n].u.lognormal.median = v[i];
            d[n].u.lognormal.sigma = v[j];
            n++;
            d[n] = ds_dist_fixed(0);
            d[n].kind = DS_DIST_PERT;
            d[n].u.tri.min = -v[i];
            d[n].u.tri.mode = 0;
            d[n].u.tri.max = v[j];
            n++;
            d[n] = ds_dist_fixed(0);
            d[n].kind = DS_DIST_DISCRETE;
            d[n].u.discrete.n = 3;
            d[n].u.discrete.values = vals;
            d[n].u.discrete.weights = wts;
            n++;
            for (size_t k = 0; k < n; k++) {
                double lo, hi;
                ds_rng r;
                if (ds_dist_check(&d[k], NULL, NULL, 0) != DS_OK)
                    continue; /* not valid input: outside the promise */
                checked++;
                cr_assert_eq(ds_dist_prepare(&d[k]), DS_OK);
                (void)ds_dist_mean(&d[k]);
                ds_dist_support(&d[k], &lo, &hi);
                for (uint64_t draw = 0; draw < 50; draw++) {
                    ds_rng_open(&r, SEED, draw, 7);
                    (void)ds_dist_sample(&d[k], ds_rng_gsl(&r));
                }
                static const double us[] = {0, 5e-324, 1e-300, 1e-12, 0.3, 0.5, 0.9,
                                            1 - 1e-12, 1};
                static const double zs[] = {-40, -8.5, -1, 0, 2, 8.5, 40};
                for (size_t m = 0; m < sizeof us / sizeof *us; m++) {
                    double x = ds_dist_quantile(&d[k], us[m]);
                    cr_assert(x >= lo && x <= hi, "kind %d, parameters %g and %g, u %g: %g",
                              (int)d[k].kind, v[i], v[j], us[m], x);
                    double f = ds_dist_cdf(&d[k], x);
                    cr_assert(f >= 0 && f <= 1, "kind %d, parameters %g and %g: F %g",
                              (int)d[k].kind, v[i], v[j], f);
                }
                for (size_t m = 0; m < sizeof zs / sizeof *zs; m++) {
                    double x = ds_dist_from_normal(&d[k], zs[m]);
                    cr_assert(x >= lo && x <= hi, "kind %d, parameters %g and %g, z %g: %g",
                              (int)d[k].kind, v[i], v[j], zs[m], x);
                }
                (void)ds_dist_cdf(&d[k], lo);
                (void)ds_dist_cdf(&d[k], hi);
                (void)ds_dist_cdf(&d[k], 0);
                cr_assert_eq(g_calls, 0, "kind %d, parameters %g and %g: %s", (int)d[k].kind,
                             v[i], v[j], g_first);
                if (d[k].table)
                    gsl_ran_discrete_free(d[k].table);
            }
        }
    }
    cr_assert_gt(checked, nv * nv * 5, "only %zu valid dists checked", checked);
    gsl_set_error_handler(NULL);
}

/* A discrete dist that fails ds_dist_check is refused by ds_dist_prepare,
 * not passed to GSL (whose default handler would abort here). */
Test(gsl_handler, prepare_refuses_an_unchecked_discrete)
{
    double vals[2] = {1, 2}, neg[2] = {1, -1};
    ds_dist d = ds_dist_fixed(0);
    d.kind = DS_DIST_DISCRETE;
    d.u.discrete.n = 2;
    d.u.discrete.values = vals;
    d.u.discrete.weights = neg;
    cr_assert_eq(ds_dist_prepare(&d), DS_EINVAL);
    cr_assert_null(d.table);
    d.u.discrete.n = 0;
    cr_assert_eq(ds_dist_prepare(&d), DS_EINVAL);
    cr_assert_null(d.table);
}

/* Weights whose sum overflows (each finite, as ds_dist_check requires) are
 * drawn in their ratios: 1e308 : 1e308 : 1 is one half, one half, never.
 * Before the weights were scaled, GSL normalised them by an infinite sum
 * and drew the three values equally often. */
Test(gsl_handler, discrete_weights_whose_sum_overflows)
{
    double vals[3] = {0, 1, 2}, wts[3] = {1e308, 1e308, 1};
    unsigned count[3] = {0};
    const unsigned n = 40000;
    ds_dist d = ds_dist_fixed(0);
    ds_rng r;
    d.kind = DS_DIST_DISCRETE;
    d.u.discrete.n = 3;
    d.u.discrete.values = vals;
    d.u.discrete.weights = wts;
    cr_assert_eq(ds_dist_prepare(&d), DS_OK);
    for (unsigned i = 0; i < n; i++) {
        ds_rng_open(&r, SEED, i, 3);
        double x = ds_dist_sample(&d, ds_rng_gsl(&r));
        cr_assert(x == 0 || x == 1 || x == 2, "drew %g", x);
        count[(int)x]++;
    }
    /* Binomial(n, 1/2): within 5 standard errors (sqrt(n)/2 = 100). */
    double se = sqrt((double)n) / 2;
    cr_expect_eq(count[2], 0u, "a value of weight 1 against 2e308 was drawn %u times", count[2]);
    cr_expect_lt(fabs((double)count[0] - n / 2.0), 5 * se, "value 0 drawn %u of %u", count[0], n);
    cr_expect_lt(fabs((double)count[1] - n / 2.0), 5 * se, "value 1 drawn %u of %u", count[1], n);
    cr_expect_eq(ds_dist_mean(&d), 0.5);
    gsl_ran_discrete_free(d.table);
}

/* A correlation matrix is factorised by GSL only once it is known to be
 * positive definite with a margin: with the default handler in place, a
 * matrix that is not (or is singular to within rounding) is refused with a
 * message, and one just inside the margin builds and runs. */
Test(gsl_handler, correlation_matrices_never_call_the_handler)
{
    static const struct {
        const char *matrix;
        int ok;
    } cases[] = {
        {"[[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]", 0},
        {"[[1, 1, 0], [1, 1, 0], [0, 0, 1]]", 0},                       /* singular */
        {"[[1, 0.99999999999999, 0], [0.99999999999999, 1, 0], [0, 0, 1]]", 0}, /* to rounding */
        {"[[1, 0.9999995, 0], [0.9999995, 1, 0], [0, 0, 1]]", 1},
        {"[[1, -0.5, 0.5], [-0.5, 1, 0.25], [0.5, 0.25, 1]]", 1},
    };
    cr_assert_null(gsl_set_error_handler(NULL), "this test must start with the default handler");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_report rep;
        ds_model *m = NULL;
        char set[256];
        ds_report_init(&rep);
        ds_scenario *s = ds_scenario_load(DS_TEST_DIR "/data/bad/corr_matrix_not_pd.json", &rep);
        cr_assert_not_null(s);
        snprintf(set, sizeof set, "correlations.c.matrix=%s", cases[i].matrix);
        cr_assert_eq(ds_scenario_set_arg(s, set, &rep), DS_OK);
        int rc = ds_scenario_build(s, &m, &rep);
        if (cases[i].ok) {
            cr_assert_eq(rc, DS_OK, "%s: %s", cases[i].matrix, rep.n ? rep.msg[0] : "");
            run_and_check(m);
        } else {
            cr_assert_eq(rc, DS_EINVAL, "%s built", cases[i].matrix);
            cr_assert(rep.n == 1 && strstr(rep.msg[0], "must be positive definite"), "%s: %s",
                      cases[i].matrix, rep.n ? rep.msg[0] : "");
        }
        ds_model_free(m);
        ds_scenario_free(s);
        ds_report_free(&rep);
    }
    cr_assert_null(gsl_set_error_handler(NULL), "the library changed GSL's error handler");
}
