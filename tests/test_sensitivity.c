/*
 * test_sensitivity.c - `dealsim sensitivity` (SPEC §11): the index and the
 * swing on cases with closed forms, the binning against the CDF itself,
 * the run hook, an independent calculation from the per-draw files of the
 * same draws, byte-identical output for any -j, and the command line.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dealsim/csv.h"
#include "dealsim/engine.h"
#include "dealsim/run.h"
#include "dealsim/sens.h"
#include "model_util.h"

#define CORRELATED DS_TEST_DIR "/data/good/correlated.json"
#define FULL DS_TEST_DIR "/data/good/full.json"
#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"

/* ---- helpers ------------------------------------------------------------ */

/* Run n draws of m with seed `seed` on `threads` threads into a new
 * sensitivity accumulator. */
static ds_sens *run_sens(const ds_model *m, uint64_t n, uint64_t seed, int threads)
{
    ds_sens *s = ds_sens_new(m);
    ds_stats *st = NULL;
    ds_run_hook h;
    ds_run_opts o;
    ds_error err = {0};
    cr_assert_not_null(s);
    memset(&o, 0, sizeof o);
    o.draws = n;
    o.seed = seed;
    o.threads = threads;
    ds_sens_hook(s, &h);
    o.hook = &h;
    cr_assert_eq(ds_run(m, &o, &st, &err), DS_OK, "%s", err.msg);
    cr_assert_eq(ds_sens_draws(s), n);
    ds_stats_free(st);
    return s;
}

/* Index of the input named `path` among m's inputs. */
static size_t input_index(const ds_model *m, const char *path)
{
    size_t j = 0;
    for (size_t i = 0; i < m->n_dists; i++) {
        if (!ds_model_is_input(m, i))
            continue;
        if (strcmp(m->dists[i].path, path) == 0)
            return j;
        j++;
    }
    cr_assert_fail("no input %s", path);
    return 0;
}

/* The row of (strategy k, outcome o, input j). */
static ds_sens_row find_row(const ds_sens_row *rows, size_t n, size_t k, ds_sens_outcome o,
                            size_t j)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].strategy == k && rows[i].outcome == o && rows[i].input == j)
            return rows[i];
    cr_assert_fail("no row %zu %d %zu", k, (int)o, j);
    return rows[0];
}

/* A scenario with one decider, one line and one item x, whose baseline
 * deficit, item cost, item effect and decider threshold are given as JSON
 * text, offering package p (item x at intensity 1) in one round. */
static ds_model *decider_model(const char *baseline, const char *effect, const char *cost,
                               const char *threshold)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"dealsim\": 2, \"name\": \"t\", \"baseline_deficit\": %s,\n"
             " \"elasticity\": 1.5, \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n"
             " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,\n"
             "   \"no_deal\": 0.25, \"deal\": 0.15}],\n"
             " \"items\": [{\"id\": \"x\", \"deficit_effect\": %s, \"cost\": %s}],\n"
             " \"packages\": [{\"id\": \"p\", \"items\": {\"x\": 1}}],\n"
             " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\",\n"
             "   \"weights\": {\"deficit\": 1}, \"threshold\": %s}],\n"
             " \"protocol\": {\"rounds\": 1}}\n",
             baseline, effect, cost, threshold);
    return test_model_text(text);
}

/* ---- closed forms ------------------------------------------------------- */

/*
 * The deficit with a random baseline and nothing else random: no deal is
 * ever made (threshold 10, far above any utility), so deficit = baseline
 * + a constant (SPEC §5.4: the tariff terms are fixed).  For X uniform
 * and Y = a + X, the correlation ratio over 20 equiprobable bins of X is
 * Var(E[Y | bin]) / Var(Y) = 1 - (within-bin variance) / Var(X) =
 * 1 - (w^2 / 12) / (20^2 w^2 / 12) = 1 - 1/400 = 0.9975 (bins of width
 * w); its estimate at 10^5 draws is within about 1e-5 of it.  The item's
 * cost enters no outcome (no deal): an input with no effect, |S| < 0.01.
 * Deal and benefit do not vary: their index is empty.
 */
Test(sens, identity_and_no_effect)
{
    ds_model *m = decider_model("{\"dist\": \"uniform\", \"min\": 50, \"max\": 70}", "-10",
                                "{\"dist\": \"uniform\", \"min\": 1, \"max\": 2}", "10");
    ds_sens *s = run_sens(m, 100000, 11, 2);
    ds_sens_row *rows, r;
    size_t n, jb = input_index(m, "baseline_deficit"), jc = input_index(m, "items.x.cost");

    cr_assert_eq(ds_sens_n_inputs(s), 2);
    cr_assert_eq(ds_sens_rows(s, &rows, &n), DS_OK);
    cr_assert_eq(n, 1 * 4 * 2);
    r = find_row(rows, n, 0, DS_SENS_DEFICIT, jb);
    cr_assert(fabs(r.index - 0.9975) < 5e-4, "index %.6f", r.index);
    cr_assert_eq(r.rank, 1);
    /* low and high: the mean baseline over its lowest and highest tenth,
     * 51 and 69 plus the same constant, so swing 18 up to sampling (sd of
     * each mean 2 / sqrt(12 * 10^4), about 0.006). */
    cr_assert(fabs(r.swing - 18) < 0.04, "swing %g", r.swing);
    r = find_row(rows, n, 0, DS_SENS_DEFICIT_END, jb);
    cr_assert(fabs(r.index - 0.9975) < 5e-4, "index %.6f", r.index);
    r = find_row(rows, n, 0, DS_SENS_DEFICIT, jc);
    cr_assert(fabs(r.index) < 0.01, "index %g", r.index);
    cr_assert_eq(r.rank, 2);
    r = find_row(rows, n, 0, DS_SENS_DEAL, jb);
    cr_assert(isnan(r.index), "deal never varies: no index, got %g", r.index);
    cr_assert_eq(r.low, 0);
    cr_assert_eq(r.high, 0);
    cr_assert_eq(r.swing, 0);
    r = find_row(rows, n, 0, DS_SENS_BENEFIT, jc);
    cr_assert(isnan(r.index));
    free(rows);
    ds_sens_free(s);
    ds_model_free(m);
}

/*
 * A deal decided by a uniform threshold against a constant utility.  The
 * decider's utility for package p is S_deficit = -x e / D = 19.8 / 60 =
 * 0.33 (SPEC §5.2; no noise, one round), and theta ~ U(0, 1): deal iff
 * theta <= 0.33, so Y = 1{theta <= c}, c = 0.33, p = P(Y = 1) = c.
 * u = F(theta) = theta; bins b = floor(20 theta).  E[Y | b] is 1 for
 * b = 0..5 (theta < 0.30), (c - 0.30) / 0.05 = 0.6 for b = 6, 0 above.
 * Correlation ratio: Var(E[Y | b]) / Var(Y)
 *   = (sum_b (1/20) E[Y | b]^2 - p^2) / (p (1 - p))
 *   = (6/20 + 0.36/20 - 0.1089) / (0.33 * 0.67) = 0.2091 / 0.2211 = 0.945726...
 * Its estimate's standard error at 10^5 draws is about 8e-4 (the within
 * sum of squares comes from bin 6 alone: ~5000 draws of a Bernoulli(0.6),
 * relative sd ~1.5%, against a total of 0.2211 n); 0.004 is 5 SE.  The
 * swing is exact: every draw with theta < 0.1 deals (low = 1), none with
 * theta >= 0.9 does (high = 0), swing = -1.
 */
Test(sens, threshold_closed_form)
{
    ds_model *m = decider_model("60", "-19.8", "0",
                                "{\"dist\": \"uniform\", \"min\": 0, \"max\": 1}");
    ds_sens *s = run_sens(m, 100000, 5, 2);
    const double eta2 = (6.0 / 20 + 0.36 / 20 - 0.33 * 0.33) / (0.33 * 0.67);
    ds_sens_row *rows, r;
    size_t n, j = input_index(m, "actors.trump.threshold");

    cr_assert_eq(ds_sens_n_inputs(s), 1);
    cr_assert(fabs(ds_sens_mean(s, 0, DS_SENS_DEAL) - 0.33) < 0.006, "P(deal) %g",
              ds_sens_mean(s, 0, DS_SENS_DEAL));
    cr_assert_eq(ds_sens_rows(s, &rows, &n), DS_OK);
    r = find_row(rows, n, 0, DS_SENS_DEAL, j);
    cr_assert(fabs(r.index - eta2) < 0.004, "index %.6f, closed form %.6f", r.index, eta2);
    cr_assert_eq(r.low, 1.0);
    cr_assert_eq(r.high, 0.0);
    cr_assert_eq(r.swing, -1.0);
    free(rows);
    ds_sens_free(s);
    ds_model_free(m);
}

/*
 * A discrete threshold: one bin per value of nonzero weight (0.7 has
 * weight 0), in increasing order whatever the file's order.  Deal iff
 * theta <= 0.33: only at theta = 0.1, so the deal is a function of the
 * bin: the index is exactly 1 (no variance within bins), low (theta = 0.1,
 * the lowest value) 1 and high (0.9) 0.
 */
Test(sens, discrete_one_bin_per_value)
{
    ds_model *m = decider_model("60", "-19.8", "0",
                                "{\"dist\": \"discrete\", \"values\": [0.9, 0.1, 0.5, 0.7],"
                                " \"weights\": [1, 2, 1, 0]}");
    ds_sens *s = run_sens(m, 20000, 3, 3);
    ds_sens_row *rows, r;
    size_t n, j = input_index(m, "actors.trump.threshold");

    cr_assert_eq(ds_sens_input_bins(s, j), 3);
    cr_assert_eq(ds_sens_bin(s, j, 0.1), 0);
    cr_assert_eq(ds_sens_bin(s, j, 0.5), 1);
    cr_assert_eq(ds_sens_bin(s, j, 0.9), 2);
    cr_assert_eq(ds_sens_bin(s, j, 0.0), 0, "below every value: the first bin");
    cr_assert_eq(ds_sens_rows(s, &rows, &n), DS_OK);
    r = find_row(rows, n, 0, DS_SENS_DEAL, j);
    cr_assert(fabs(r.index - 1) < 1e-12, "index %.17g", r.index);
    cr_assert_eq(r.low, 1.0);
    cr_assert_eq(r.high, 0.0);
    cr_assert_eq(r.swing, -1.0);
    free(rows);
    ds_sens_free(s);
    ds_model_free(m);
}

/* ---- binning ------------------------------------------------------------- */

/* The bin from the CDF itself, as SPEC §11 defines it. */
static size_t cdf_bin(const ds_dist *d, double x)
{
    double u = ds_dist_cdf(d, x);
    double b = floor(20 * u);
    return b > 19 ? 19 : b < 0 ? 0 : (size_t)b;
}

/* Every kind of dist (correlated.json, full.json): the bin of values at
 * and around every edge (quantiles at k/20 and a few ulps either side)
 * and of 2000 quantiles spread over (0, 1) is the CDF's. */
static void check_bins(const char *file)
{
    ds_model *m = test_model_file(file);
    ds_engine *e = ds_engine_new(m);
    ds_sens *s = ds_sens_new(m);
    cr_assert(e && s);
    cr_assert_eq(ds_sens_n_inputs(s), ds_engine_n_inputs(e));
    for (size_t j = 0; j < ds_engine_n_inputs(e); j++) {
        const ds_dist *d = ds_engine_input(e, j)->dist;
        if (d->kind == DS_DIST_DISCRETE)
            continue; /* discrete_one_bin_per_value */
        cr_assert_eq(ds_sens_input_bins(s, j), 20);
        for (int k = 0; k <= 2000; k++) {
            double x = ds_dist_quantile(d, k == 0 ? 1e-9 : k == 2000 ? 1 - 1e-9 : k / 2000.0);
            for (int step = -3; step <= 3; step++) {
                double y = x;
                for (int i = 0; i < abs(step); i++)
                    y = nextafter(y, step < 0 ? -INFINITY : INFINITY);
                cr_assert_eq(ds_sens_bin(s, j, y), cdf_bin(d, y), "%s at %.17g",
                             ds_engine_input(e, j)->path, y);
            }
        }
    }
    ds_sens_free(s);
    ds_engine_free(e);
    ds_model_free(m);
}

Test(sens, bins_are_the_cdfs)
{
    check_bins(CORRELATED);
    check_bins(FULL);
}

/* A normal so narrow that its quantiles all round to the mean: the edges
 * cannot be told apart, so the CDF itself bins every value. */
Test(sens, edges_too_close_use_the_cdf)
{
    ds_model *m = decider_model("60", "-19.8", "0",
                                "{\"dist\": \"normal\", \"mean\": 0.5, \"sd\": 1e-18}");
    ds_sens *s = ds_sens_new(m);
    const ds_dist *d = NULL;
    cr_assert_not_null(s);
    for (size_t i = 0; i < m->n_dists; i++)
        if (strcmp(m->dists[i].path, "actors.trump.threshold") == 0)
            d = m->dists[i].dist;
    cr_assert_eq(ds_sens_n_inputs(s), 1);
    for (int step = -40; step <= 40; step++) {
        double x = 0.5 + step * 1e-19;
        cr_assert_eq(ds_sens_bin(s, 0, x), cdf_bin(d, x), "at %.17g", x);
    }
    cr_assert_eq(ds_sens_bin(s, 0, 0.4), 0);
    cr_assert_eq(ds_sens_bin(s, 0, 0.6), 19);
    ds_sens_free(s);
    ds_model_free(m);
}

/* ---- accumulators and the run hook --------------------------------------- */

Test(sens, merge_needs_the_same_shape)
{
    ds_model *a = test_model_file(CORRELATED), *b = test_model_file(FULL);
    ds_sens *sa = ds_sens_new(a), *sb = ds_sens_new(b), *like = ds_sens_new_like(sa);
    cr_assert(sa && sb && like);
    cr_assert_eq(ds_sens_merge(sa, sb), DS_EINVAL);
    cr_assert_eq(ds_sens_merge(sa, like), DS_OK);
    cr_assert_eq(ds_sens_draws(sa), 0);
    ds_sens_free(like);
    ds_sens_free(sa);
    ds_sens_free(sb);
    ds_sens_free(NULL);
    ds_model_free(a);
    ds_model_free(b);
}

/* Totals sent between processes (packed, then merged from the bytes) give
 * the same state as merged directly; bytes of another shape, or cut short,
 * are refused. */
Test(sens, packed_totals_merge_as_the_originals)
{
    ds_model *m = test_model_file(CORRELATED), *other = test_model_file(FULL);
    ds_engine *e = ds_engine_new(m);
    ds_sens *x = ds_sens_new(m), *y, *x2, *y2, *o = ds_sens_new(other);
    size_t n, n2;
    char *buf, *a, *b;
    cr_assert(e && x && o);
    y = ds_sens_new_like(x);
    x2 = ds_sens_new_like(x);
    y2 = ds_sens_new_like(x);
    cr_assert(y && x2 && y2);
    /* Blocks of 100 draws: even ones to x and x2, odd ones to y and y2. */
    for (uint64_t d = 0; d < 3000; d++) {
        const ds_outcome *out = ds_engine_draw(e, 7, d);
        int odd = (d / 100) % 2;
        ds_sens_add(odd ? y : x, e, out);
        ds_sens_add(odd ? y2 : x2, e, out);
        if (d % 100 == 99) {
            ds_sens_flush(odd ? y : x);
            ds_sens_flush(odd ? y2 : x2);
        }
    }
    cr_assert_eq(ds_sens_merge(x, y), DS_OK);
    n = ds_sens_pack(y2, NULL, 0);
    cr_assert_not_null(buf = malloc(n));
    cr_assert_eq(ds_sens_pack(y2, buf, n), n);
    cr_assert_eq(ds_sens_merge_packed(x2, buf, n - 1), DS_EINVAL);
    cr_assert_eq(ds_sens_merge_packed(o, buf, n), DS_EINVAL);
    cr_assert_eq(ds_sens_merge_packed(x2, buf, n), DS_OK);
    cr_assert_eq(ds_sens_draws(x2), 3000);
    n2 = ds_sens_pack(x, NULL, 0);
    cr_assert_eq(n2, ds_sens_pack(x2, NULL, 0));
    a = malloc(n2);
    b = malloc(n2);
    cr_assert(a && b);
    ds_sens_pack(x, a, n2);
    ds_sens_pack(x2, b, n2);
    cr_assert(memcmp(a, b, n2) == 0);
    free(a);
    free(b);
    free(buf);
    ds_sens_free(x);
    ds_sens_free(y);
    ds_sens_free(x2);
    ds_sens_free(y2);
    ds_sens_free(o);
    ds_engine_free(e);
    ds_model_free(m);
    ds_model_free(other);
}

/* No draws and no inputs: every figure empty, the writers still work. */
Test(sens, no_inputs)
{
    ds_model *m = test_model_file(MINIMAL);
    ds_sens *s = run_sens(m, 10, 1, 1);
    ds_sens_row *rows;
    size_t n;
    cr_assert_eq(ds_sens_n_inputs(s), 0);
    cr_assert_eq(ds_sens_rows(s, &rows, &n), DS_OK);
    cr_assert_eq(n, 0);
    free(rows);
    ds_sens_free(s);
    s = ds_sens_new(m);
    cr_assert(isnan(ds_sens_mean(s, 0, DS_SENS_DEAL)));
    ds_sens_free(s);
    ds_model_free(m);
}

static int merges;
static void *bad_new(void *ctx)
{
    (void)ctx;
    return merges < 0 ? NULL : malloc(1);
}
static void bad_add(void *acc, const ds_engine *e, const ds_outcome *out)
{
    (void)acc, (void)e, (void)out;
}
static void bad_flush(void *acc)
{
    (void)acc;
}
static int bad_merge(void *ctx, void *acc)
{
    (void)ctx, (void)acc;
    merges++;
    return DS_EIO;
}

/* A hook whose merge fails fails the run with its code; one whose
 * accumulator cannot be made fails it for want of memory; jobs take no
 * hook. */
Test(sens, hook_failures)
{
    ds_model *m = test_model_file(MINIMAL);
    ds_run_hook h = {.acc_new = bad_new, .add = bad_add, .flush = bad_flush, .merge = bad_merge,
                     .acc_free = free};
    ds_run_opts o;
    ds_stats *st = NULL;
    ds_error err = {0};
    ds_job job;

    memset(&o, 0, sizeof o);
    o.draws = 10000;
    o.seed = 1;
    o.threads = 2;
    o.hook = &h;
    merges = 0;
    cr_assert_eq(ds_run(m, &o, &st, &err), DS_EIO);
    cr_assert_null(st);
    cr_assert_eq(merges, 1, "a failed run merges nothing more");
    cr_assert(strstr(err.msg, "merge"), "%s", err.msg);
    merges = -1;
    cr_assert_eq(ds_run(m, &o, &st, &err), DS_ENOMEM);
    memset(&job, 0, sizeof job);
    job.npoints = 1;
    cr_assert_eq(ds_run_job(&job, &o, &err), DS_EINVAL);
    ds_model_free(m);
}

/* ---- the command line ------------------------------------------------------ */

static char *dir;
static void setup(void)
{
    dir = cli_tmpdir();
    cr_assert(dir);
}
static void teardown(void)
{
    cli_rmdir(dir);
}

static char *path_in(const char *name)
{
    static char b[4][1024];
    static int i;
    i = (i + 1) % 4;
    snprintf(b[i], sizeof b[i], "%s/%s", dir, name);
    return b[i];
}

static char *slurp(const char *name)
{
    char *t = cli_read_file(path_in(name), NULL);
    cr_assert_not_null(t, "%s", name);
    return t;
}

TestSuite(sens_cli, .init = setup, .fini = teardown, .timeout = 600);

/* The same CSV and JSON bytes with 1, 2 and 3 threads (several blocks). */
Test(sens_cli, byte_identical_for_any_threads)
{
    const char *j[] = {"1", "2", "3"};
    char *csv[3], *json[3];
    for (int i = 0; i < 3; i++) {
        cli_result r = cli_run(dir, "sensitivity", CORRELATED, "-n", "13000", "-s", "9", "-j",
                               j[i], "-o", path_in("s.csv"), "--json", path_in("s.json"),
                               "-q", NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cli_free(&r);
        csv[i] = slurp("s.csv");
        json[i] = slurp("s.json");
    }
    for (int i = 1; i < 3; i++) {
        cr_assert_str_eq(csv[i], csv[0], "-j %s", j[i]);
        cr_assert_str_eq(json[i], json[0], "-j %s", j[i]);
    }
    for (int i = 0; i < 3; i++) {
        free(csv[i]);
        free(json[i]);
    }
}

/* One outcome's values per draw, from the per-draw rows. */
typedef struct indep {
    size_t n;           /* draws */
    double *y;          /* [n] */
} indep;

static long col(const ds_csv *c, const char *name)
{
    long k = ds_csv_find(c, name);
    cr_assert_geq(k, 0, "no column %s", name);
    return k;
}

static double cell(const ds_csv *c, size_t i, long k)
{
    double x;
    cr_assert(ds_csv_parse_double(ds_csv_cell(c, i, (size_t)k), &x), "row %zu", i);
    return x;
}

/*
 * The index, low, high and swing of every (strategy, outcome, input),
 * computed here from the rows of `dealsim run --inputs-out --draws-out`
 * (the same draws: same seed and number) with the textbook two-pass
 * formulas, and u from ds_dist_cdf: they agree with `dealsim
 * sensitivity` to 1e-9.  Ranks follow |swing|.
 */
static void check_independent(const char *scenario, const char *n_draws)
{
    ds_model *m = test_model_file(scenario);
    ds_csv *in = NULL, *dr = NULL, *out = NULL;
    ds_error err;
    cli_result r;
    size_t n = (size_t)atol(n_draws), ni, ns = m->n_strategies;
    const char *outcomes[4] = {"deal", "benefit", "deficit", "deficit_end"};
    size_t *bins, *nbins;
    double *y;
    long c_strategy, c_outcome, c_input, c_index, c_low, c_high, c_swing, c_rank;

    r = cli_run(dir, "run", scenario, "-n", n_draws, "-s", "4", "-j", "2", "--inputs-out",
                path_in("in.csv"), "--draws-out", path_in("draws.csv"), "-o",
                path_in("sum.csv"), "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "sensitivity", scenario, "-n", n_draws, "-s", "4", "-o",
                path_in("sens.csv"), "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    cr_assert_eq(ds_csv_read(path_in("in.csv"), &in, &err), DS_OK, "%s", err.msg);
    cr_assert_eq(ds_csv_read(path_in("draws.csv"), &dr, &err), DS_OK, "%s", err.msg);
    cr_assert_eq(ds_csv_read(path_in("sens.csv"), &out, &err), DS_OK, "%s", err.msg);
    ni = ds_csv_cols(in) - 1;
    cr_assert_eq(ds_csv_rows(in), n);
    cr_assert_eq(ds_csv_rows(dr), n * ns);
    cr_assert_eq(ds_csv_rows(out), ns * 4 * ni);

    /* Bins of every (draw, input), from the CDF of the dist of that path. */
    bins = malloc(n * ni * sizeof *bins);
    nbins = calloc(ni, sizeof *nbins);
    y = malloc(n * sizeof *y);
    for (size_t j = 0; j < ni; j++) {
        const ds_dist *d = NULL;
        double vals[64];
        size_t nv = 0;
        for (size_t i = 0; i < m->n_dists; i++)
            if (strcmp(m->dists[i].path, ds_csv_name(in, j + 1)) == 0)
                d = m->dists[i].dist;
        cr_assert_not_null(d);
        if (d->kind == DS_DIST_DISCRETE) {
            /* The distinct values of nonzero weight, increasing. */
            for (size_t v = 0; v < d->u.discrete.n; v++) {
                size_t at = 0;
                if (d->u.discrete.weights[v] <= 0)
                    continue;
                while (at < nv && vals[at] < d->u.discrete.values[v])
                    at++;
                if (at < nv && vals[at] == d->u.discrete.values[v])
                    continue;
                memmove(vals + at + 1, vals + at, (nv - at) * sizeof *vals);
                vals[at] = d->u.discrete.values[v];
                nv++;
            }
            nbins[j] = nv;
        } else {
            nbins[j] = 20;
        }
        for (size_t i = 0; i < n; i++) {
            double x = cell(in, i, (long)j + 1);
            size_t b = 0;
            if (d->kind == DS_DIST_DISCRETE) {
                while (b < nv && vals[b] != x)
                    b++;
                cr_assert_lt(b, nv, "%s: %g is no value", ds_csv_name(in, j + 1), x);
            } else {
                b = cdf_bin(d, x);
            }
            bins[i * ni + j] = b;
        }
    }

    c_strategy = col(out, "strategy"), c_outcome = col(out, "outcome");
    c_input = col(out, "input"), c_index = col(out, "index"), c_low = col(out, "low");
    c_high = col(out, "high"), c_swing = col(out, "swing"), c_rank = col(out, "rank");
    for (size_t k = 0; k < ns; k++) {
        for (int o = 0; o < 4; o++) {
            long yc = col(dr, outcomes[o]);
            long double mean = 0, ss_t = 0;
            double prev_swing = INFINITY;
            for (size_t i = 0; i < n; i++) {
                y[i] = cell(dr, i * ns + k, yc);
                mean += y[i];
            }
            mean /= n;
            for (size_t i = 0; i < n; i++)
                ss_t += (y[i] - mean) * (y[i] - mean);
            for (size_t row = 0; row < ni; row++) {
                size_t at = (k * 4 + (size_t)o) * ni + row, j = 0, groups = 0;
                long double sum[64] = {0}, cnt[64] = {0}, ss_b = 0, lo_s = 0, lo_n = 0,
                            hi_s = 0, hi_n = 0;
                double index = NAN, low, high, got;
                size_t tail;

                cr_assert_str_eq(ds_csv_cell(out, at, c_strategy), m->strategies[k].id);
                cr_assert_str_eq(ds_csv_cell(out, at, c_outcome), outcomes[o]);
                while (strcmp(ds_csv_name(in, j + 1), ds_csv_cell(out, at, c_input)) != 0)
                    j++;
                cr_assert_leq(nbins[j], 64);
                for (size_t i = 0; i < n; i++) {
                    sum[bins[i * ni + j]] += y[i];
                    cnt[bins[i * ni + j]] += 1;
                }
                for (size_t b = 0; b < nbins[j]; b++)
                    if (cnt[b] > 0) {
                        long double d = sum[b] / cnt[b] - mean;
                        ss_b += cnt[b] * d * d;
                        groups++;
                    }
                if (ss_t > 0) {
                    long double ms_w = (ss_t - ss_b) / (long double)(n - groups);
                    long double s = (ss_b - (long double)(groups - 1) * ms_w) / ss_t;
                    index = s > 0 ? (double)s : 0;
                }
                tail = nbins[j] == 20 ? 2 : 1;
                for (size_t b = 0; b < tail; b++) {
                    lo_s += sum[b], lo_n += cnt[b];
                    hi_s += sum[nbins[j] - 1 - b], hi_n += cnt[nbins[j] - 1 - b];
                }
                low = lo_n > 0 ? (double)(lo_s / lo_n) : NAN;
                high = hi_n > 0 ? (double)(hi_s / hi_n) : NAN;

                if (isnan(index))
                    cr_assert_str_eq(ds_csv_cell(out, at, c_index), "");
                else {
                    got = cell(out, at, c_index);
                    cr_assert(fabs(got - index) < 1e-9, "%s %s %s: index %.17g, here %.17g",
                              m->strategies[k].id, outcomes[o], ds_csv_name(in, j + 1), got,
                              index);
                }
                got = cell(out, at, c_low);
                cr_assert(fabs(got - low) <= 1e-9 * fmax(1, fabs(low)), "low %.17g, here %.17g",
                          got, low);
                got = cell(out, at, c_high);
                cr_assert(fabs(got - high) <= 1e-9 * fmax(1, fabs(high)),
                          "high %.17g, here %.17g", got, high);
                got = cell(out, at, c_swing);
                cr_assert(fabs(got - (high - low)) <= 1e-9 * fmax(1, fabs(high - low)),
                          "swing %.17g, here %.17g", got, high - low);
                cr_assert_eq(atol(ds_csv_cell(out, at, c_rank)), (long)row + 1);
                cr_assert_leq(fabs(got), prev_swing * (1 + 1e-12), "by |swing| descending");
                prev_swing = fabs(got);
            }
        }
    }
    free(bins);
    free(nbins);
    free(y);
    ds_csv_free(in);
    ds_csv_free(dr);
    ds_csv_free(out);
    ds_model_free(m);
}

Test(sens_cli, agrees_with_an_independent_calculation)
{
    check_independent(CORRELATED, "20000");
    check_independent(FULL, "9000");
}

/* The table: every line at most 100 characters, how to read it, the one
 * strategy asked for, at most --top inputs per outcome. */
Test(sens_cli, tornado_table)
{
    cli_result r = cli_run(dir, "sensitivity", FULL, "-n", "3000", "--format", "table",
                           "--top", "3", "--strategy", "big_only", NULL);
    size_t bars = 0;
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "How to read it"), "%s", r.out);
    cr_assert(strstr(r.out, "P(deal)") && strstr(r.out, "benefit, bn/yr"), "%s", r.out);
    for (const char *p = r.out; *p;) {
        size_t len = strcspn(p, "\n"), chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)p[i] & 0xC0) != 0x80;
        cr_assert_leq(chars, 100, "line too wide: %.*s", (int)len, p);
        cr_assert(len == 0 || p[len - 1] != ' ', "trailing space: %.*s", (int)len, p);
        /* A bar's line: "  PATH  S  low  high  bar". */
        bars += len > 2 && p[0] == ' ' && p[1] == ' ' && p[2] >= 'a' && p[2] <= 'z' &&
                strncmp(p + 2, "input ", 6) != 0 && !memmem(p, len, ", mean", 6);
        p += len + (p[len] != 0);
    }
    cr_assert_eq(bars, 6, "3 bars for deal and 3 for benefit:\n%s", r.out);
    cli_free(&r);
}

/* --format json is valid JSON with a row per input per outcome. */
Test(sens_cli, json_output)
{
    cli_result r = cli_run(dir, "sensitivity", CORRELATED, "-n", "2000", "--format", "json",
                           NULL);
    cJSON *j, *st, *in;
    cr_assert_eq(r.status, 0, "%s", r.err);
    j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "%s", r.out);
    in = cJSON_GetObjectItem(j, "inputs");
    st = cJSON_GetObjectItem(j, "strategies");
    cr_assert_eq(cJSON_GetArraySize(in), 8);
    cr_assert_geq(cJSON_GetArraySize(st), 1);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(
                     cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(st, 0),
                                                             "outcomes"),
                                         "benefit"),
                     "inputs")),
                 8);
    cJSON_Delete(j);
    cli_free(&r);
}

/* CSV to stdout by default when it is not a terminal; the header.  A
 * scenario without inputs: an empty CSV, JSON and table. */
Test(sens_cli, csv_by_default)
{
    cli_result r = cli_run(dir, "sensitivity", MINIMAL, "-n", "100", "-q", "--json",
                           path_in("m.json"), NULL);
    cJSON *j;
    char *text;
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "strategy,outcome,input,index,low,high,swing,rank\n");
    cli_free(&r);
    text = slurp("m.json");
    cr_assert_not_null(j = cJSON_Parse(text), "%s", text);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "inputs")), 0);
    cJSON_Delete(j);
    free(text);
    r = cli_run(dir, "sensitivity", MINIMAL, "-n", "100", "--format", "table", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "(no inputs"), "%s", r.out);
    cli_free(&r);
}

/* Long labels are cut, control characters shown as '?'; -o without -q
 * says what it wrote; an output that cannot be opened fails before the
 * run (exit 1). */
Test(sens_cli, labels_messages_and_unwritable_outputs)
{
    char scen[1100];
    cli_result r;
    snprintf(scen, sizeof scen, "%s", path_in("s.json"));
    cr_assert_eq(cli_write_file(scen,
        "{\"dealsim\": 2, \"name\": \"tab\\there\", \"baseline_deficit\": 60,\n"
        " \"elasticity\": 1.5, \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n"
        " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,\n"
        "   \"no_deal\": 0.25, \"deal\": 0.15}],\n"
        " \"items\": [{\"id\": \"x\", \"deficit_effect\": -19.8, \"cost\": 0}],\n"
        " \"packages\": [{\"id\": \"p\", \"label\": \"A very long label \u00e9 that is cut "
        "somewhere\", \"items\": {\"x\": 1}}],\n"
        " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\",\n"
        "   \"weights\": {\"deficit\": 1},\n"
        "   \"threshold\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1}}],\n"
        " \"protocol\": {\"rounds\": 1}}\n"), 0);
    r = cli_run(dir, "sensitivity", scen, "-n", "500", "--format", "table", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "Sensitivity: tab?here"), "%s", r.out);
    cr_assert(strstr(r.out, "A very long label \xc3\xa9 that is c\xe2\x80\xa6 (p)"), "%s", r.out);
    cli_free(&r);
    r = cli_run(dir, "sensitivity", scen, "-n", "500", "-o", path_in("out.csv"), NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "wrote"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "sensitivity", scen, "-n", "500", "-o", "/nonexistent/dir/out.csv",
                NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent/dir/out.csv"), "%s", r.err);
    cli_free(&r);
}

/* Bad arguments: a clear message, exit 2, nothing written. */
Test(sens_cli, bad_arguments)
{
    struct {
        const char *a[6];
        const char *msg;
    } cases[] = {
        {{"--strategy", "nope"}, "no strategy 'nope'"},
        {{"--top", "0"}, "--top"},
        {{"--top", "x"}, "--top"},
        {{"--format", "xml"}, "--format"},
        {{"-n", "0"}, "--draws"},
        {{"--draws-out", "x.csv"}, "unknown option"},
        {{"--set", "protocol.rounds=0"}, "protocol.rounds"},
        {{"-o", "same.csv", "--json", "same.csv"}, "same"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[16] = {(char *)DS_BIN, "sensitivity", (char *)FULL, "-n", "100",
                          "-o", path_in("o.csv")};
        int n = 7;
        cli_result r;
        for (int k = 0; k < 6 && cases[i].a[k]; k++)
            argv[n++] = (char *)(strcmp(cases[i].a[k], "same.csv") == 0
                                     ? path_in("same.csv") : cases[i].a[k]);
        argv[n] = NULL;
        r = cli_wait(dir, cli_start(dir, argv));
        cr_assert_eq(r.status, 2, "case %zu: status %d: %s", i, r.status, r.err);
        cr_assert(strstr(r.err, cases[i].msg), "case %zu: %s", i, r.err);
        cr_assert(!cli_exists(path_in("o.csv")) && !cli_exists(path_in("same.csv")),
                  "case %zu wrote a file", i);
        cli_free(&r);
    }
}

/* A write that fails (a full disk) exits 1 and names the output. */
Test(sens_cli, write_failure)
{
    cli_result r = cli_run_to(dir, "/dev/full", "sensitivity", CORRELATED, "-n", "100",
                              "-q", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write"), "%s", r.err);
    cli_free(&r);
}

/* Ctrl-C: exit 130, no file. */
Test(sens_cli, interrupted_leaves_no_file)
{
    char *argv[] = {(char *)DS_BIN, "sensitivity", (char *)CORRELATED, "-n", "1000000000",
                    "-j", "1", "--progress", "-o", path_in("s.csv"), NULL};
    pid_t pid = cli_start(dir, argv);
    cli_result r;
    int timed_out;
    cr_assert(cli_stderr_has(dir, "draws/s", 30), "no progress line");
    kill(pid, SIGINT);
    r = cli_wait_timeout(dir, pid, 30, &timed_out);
    cr_assert(!timed_out);
    cr_assert_eq(r.status, 130, "%s", r.err);
    cr_assert(!cli_exists(path_in("s.csv")));
    cli_free(&r);
}
