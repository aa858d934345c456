/*
 * test_inputs.c - the inputs of a draw (SPEC §6 `--inputs-out`, §11): the
 * library's view (ds_engine_n_inputs, _input, _input_value) and the file
 * `dealsim run --inputs-out` writes: its columns and their order, its rows
 * for any number of threads, its values against the engine and the
 * documented streams; and, from its rows, Spearman's rank correlation of
 * two correlated dists against (6/pi) asin(rho/2) (SPEC §5.1).
 */
#include <criterion/criterion.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dealsim/dist.h"
#include "dealsim/engine.h"
#include "dealsim/model.h"
#include "dealsim/rng.h"
#include "model_util.h"

#define CORRELATED DS_TEST_DIR "/data/good/correlated.json"
#define COPULA DS_TEST_DIR "/data/oracle/copula.json"
#define SEED 31415u

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(inputs, .init = setup, .fini = teardown, .timeout = 600);

/* dir/name in buf (an array). */
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", dir, name), buf)

/* The inputs are the dists that vary, in model order, with their paths;
 * constant ones (plain numbers, defaults) are left out. */
Test(inputs, are_the_dists_that_vary_in_model_order)
{
    ds_model *m = test_model_file(CORRELATED);
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    static const char *const want[] = {
        "home.tariff_burden", "baseline_deficit", "elasticity", "lines.autos.no_deal",
        "items.chips.cost", "items.chips.delivery", "items.chips.scores.security",
        "actors.trump.threshold"};
    const size_t n = sizeof want / sizeof want[0];
    cr_assert_eq(ds_engine_n_inputs(e), n);
    size_t k = 0;
    for (size_t i = 0; i < m->n_dists; i++)
        if (ds_model_is_input(m, i)) {
            const ds_model_dist *in = ds_engine_input(e, k);
            cr_expect_str_eq(in->path, want[k]);
            cr_expect_eq(in, &m->dists[i]);
            k++;
        }
    cr_expect_eq(k, n);
    /* A value is the dist's own: inside its support, and the CDF of it is a
     * probability (how sensitivity will bin it). */
    for (uint64_t d = 0; d < 200; d++) {
        (void)ds_engine_draw(e, SEED, d);
        for (size_t j = 0; j < n; j++) {
            const ds_dist *dist = ds_engine_input(e, j)->dist;
            double lo, hi, x = ds_engine_input_value(e, j), u = ds_dist_cdf(dist, x);
            ds_dist_support(dist, &lo, &hi);
            cr_assert(x >= lo && x <= hi, "%s = %g", want[j], x);
            cr_assert(u >= 0 && u <= 1, "%s: F = %g", want[j], u);
        }
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* The values follow the documented streams (sim/engine.c): an uncorrelated
 * dist is one sample from the stream named by its path; a correlated one
 * is F^-1(Phi(z')), z' = L z, z_j the first standard normal of dist j's own
 * stream. */
Test(inputs, values_follow_the_named_streams)
{
    ds_model *m = test_model_file(CORRELATED);
    ds_engine *e = ds_engine_new(m);
    const ds_correlation *chips = &m->corr[1];
    cr_assert(e && chips->k == 2);
    for (uint64_t d = 0; d < 100; d++) {
        ds_rng r;
        (void)ds_engine_draw(e, SEED, d);
        for (size_t j = 0; j < ds_engine_n_inputs(e); j++) {
            const ds_model_dist *in = ds_engine_input(e, j);
            double want;
            ds_rng_open(&r, ds_rng_key(SEED, ds_rng_name_hash(in->path)), d,
                        DS_STREAM(DS_STREAM_WORLD, 0));
            if (in->corr < 0) {
                want = ds_dist_sample(in->dist, ds_rng_gsl(&r));
            } else {
                const ds_correlation *co = &m->corr[in->corr];
                double zp = 0;
                for (size_t p = 0; p <= in->corr_pos; p++) {
                    ds_rng s;
                    ds_rng_open(&s, ds_rng_key(SEED, ds_rng_name_hash(co->paths[p])), d,
                                DS_STREAM(DS_STREAM_WORLD, 0));
                    zp += co->chol[in->corr_pos * co->k + p] *
                          gsl_ran_gaussian_ziggurat(ds_rng_gsl(&s), 1.0);
                }
                want = ds_dist_from_normal(in->dist, zp);
            }
            cr_assert_eq(ds_engine_input_value(e, j), want, "draw %llu, %s",
                         (unsigned long long)d, in->path);
        }
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* Run `dealsim run FILE -n N -s S -j J -o /dev/null --inputs-out OUT`. */
static void run_inputs(const char *file, const char *n, const char *seed, const char *j,
                       const char *out)
{
    cli_result r = cli_run(dir, "run", file, "-n", n, "-s", seed, "-j", j, "-o", "/dev/null",
                           "--inputs-out", out, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
}

/* The file: the header "draw" then the inputs' paths; one row per draw in
 * draw order; the same bytes for 1, 2 and 3 threads; each value the one
 * the engine drew (read back exactly: numbers round-trip). */
Test(inputs, file_rows_for_any_threads)
{
    char a[600], b[600], c[600];
    const uint64_t n = 9000; /* two full blocks and a partial one */
    run_inputs(CORRELATED, "9000", "31415", "1", AT(a, "a.csv"));
    run_inputs(CORRELATED, "9000", "31415", "2", AT(b, "b.csv"));
    run_inputs(CORRELATED, "9000", "31415", "3", AT(c, "c.csv"));
    char *ta = cli_read_file(a, NULL), *tb = cli_read_file(b, NULL), *tc = cli_read_file(c, NULL);
    cr_assert(ta && tb && tc);
    cr_assert_str_eq(tb, ta, "2 threads differ from 1");
    cr_assert_str_eq(tc, ta, "3 threads differ from 1");
    const char *header = "draw,home.tariff_burden,baseline_deficit,elasticity,"
                         "lines.autos.no_deal,items.chips.cost,items.chips.delivery,"
                         "items.chips.scores.security,actors.trump.threshold\n";
    cr_assert(strncmp(ta, header, strlen(header)) == 0, "%.300s", ta);

    ds_model *m = test_model_file(CORRELATED);
    ds_engine *e = ds_engine_new(m);
    const char *p = ta + strlen(header);
    uint64_t rows = 0;
    while (*p) {
        char *end;
        unsigned long long d = strtoull(p, &end, 10);
        cr_assert_eq(d, rows, "row %llu is draw %llu", (unsigned long long)rows, d);
        (void)ds_engine_draw(e, SEED, d);
        p = end;
        for (size_t j = 0; j < ds_engine_n_inputs(e); j++) {
            cr_assert_eq(*p, ',');
            double x = strtod(p + 1, &end);
            cr_assert_eq(x, ds_engine_input_value(e, j), "draw %llu, input %zu", d, j);
            p = end;
        }
        cr_assert_eq(*p, '\n');
        p++;
        rows++;
    }
    cr_assert_eq(rows, n);
    ds_engine_free(e);
    ds_model_free(m);
    free(ta);
    free(tb);
    free(tc);
}

/* Two columns of an inputs file, by name, into x and y (n rows each). */
static size_t read_columns(const char *path, const char *cx, const char *cy, double *x,
                           double *y, size_t max)
{
    char *t = cli_read_file(path, NULL), *line, *save = NULL;
    long ix = -1, iy = -1, col = 0;
    size_t n = 0;
    cr_assert_not_null(t);
    line = strtok_r(t, "\n", &save);
    for (char *c = line, *s2 = NULL, *tok = strtok_r(c, ",", &s2); tok;
         tok = strtok_r(NULL, ",", &s2), col++) {
        if (strcmp(tok, cx) == 0)
            ix = col;
        if (strcmp(tok, cy) == 0)
            iy = col;
    }
    cr_assert(ix > 0 && iy > 0, "columns %s, %s", cx, cy);
    while ((line = strtok_r(NULL, "\n", &save)) && n < max) {
        col = 0;
        for (char *s2 = NULL, *tok = strtok_r(line, ",", &s2); tok;
             tok = strtok_r(NULL, ",", &s2), col++) {
            if (col == ix)
                x[n] = strtod(tok, NULL);
            if (col == iy)
                y[n] = strtod(tok, NULL);
        }
        n++;
    }
    free(t);
    return n;
}

/* Ranks 1..n of v (no ties: continuous values). */
static void ranks(const double *v, size_t n, double *r)
{
    size_t *p = malloc(n * sizeof *p);
    gsl_sort_index(p, v, 1, n);
    for (size_t i = 0; i < n; i++)
        r[p[i]] = (double)i + 1;
    free(p);
}

/* SPEC §5.1: the Gaussian copula's Spearman rank correlation between two
 * continuous dists is (6/pi) asin(rho/2).  From --inputs-out rows of the
 * copula oracle (a uniform and a triangular threshold), at rho = 0.6 and
 * -0.8: Fisher's z of the sample Spearman coefficient within 4 standard
 * errors, its variance 1.06/(n - 3) (Fieller, Hartley & Pearson 1957).
 * Each marginal keeps its median and mean (0 for both). */
Test(inputs, spearman_of_correlated_dists)
{
    enum { N = 40000 };
    static double x[N], y[N], rx[N], ry[N];
    const double rho[] = {0.6, -0.8};
    for (size_t i = 0; i < 2; i++) {
        char out[600], set[128];
        snprintf(set, sizeof set, "correlations.views.matrix=[[1,%g],[%g,1]]", rho[i], rho[i]);
        cli_result r = cli_run(dir, "run", COPULA, "-n", "40000", "-s", "2718", "-j", "2",
                               "-o", "/dev/null", "--set", set, "--inputs-out",
                               AT(out, "copula.csv"), NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cli_free(&r);
        size_t n = read_columns(out, "actors.m1.threshold", "actors.m2.threshold", x, y, N);
        cr_assert_eq(n, (size_t)N);
        ranks(x, n, rx);
        ranks(y, n, ry);
        double rs = gsl_stats_correlation(rx, 1, ry, 1, n);
        double want = 6 / M_PI * asin(rho[i] / 2), se = sqrt(1.06 / (double)(n - 3));
        cr_expect(fabs(atanh(rs) - atanh(want)) <= 4 * se,
                  "rho %g: Spearman %.5f, expected %.5f (z-scale SE %.5f)", rho[i], rs, want, se);
        /* The marginals: uniform(-1, 1) has sd 1/sqrt 3, triangular(-2, 0, 2)
         * sd sqrt(2/3); their means are 0. */
        double mx = gsl_stats_mean(x, 1, n), my = gsl_stats_mean(y, 1, n);
        cr_expect(fabs(mx) <= 4 * sqrt(1.0 / 3 / n), "uniform mean %g", mx);
        cr_expect(fabs(my) <= 4 * sqrt(2.0 / 3 / n), "triangular mean %g", my);
    }
}
