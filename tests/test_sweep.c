/*
 * test_sweep.c - `dealsim sweep` and `dealsim compare` end to end, and the
 * example scripts in tools/.
 */
#include <criterion/criterion.h>

#include "cli_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(sweep, .init = setup, .fini = teardown, .timeout = 300);
TestSuite(compare, .init = setup, .fini = teardown, .timeout = 300);

/* Lines of s (each ending in '\n'), as pointers into a copy; *n gets the count. */
static char **lines(const char *s, size_t *n)
{
    char *c = strdup(s), **v = calloc(strlen(s) + 2, sizeof *v);
    size_t k = 0;
    for (char *p = c; *p;) {
        char *e = strchr(p, '\n');
        v[k++] = p;
        if (!e)
            break;
        *e = '\0';
        p = e + 1;
    }
    *n = k;
    return v;
}

static void free_lines(char **v)
{
    if (v) {
        free(v[0]);
        free(v);
    }
}

/* The part of a sweep row after its first `skip` cells. */
static const char *after_cells(const char *row, int skip)
{
    while (skip-- > 0)
        row = strchr(row, ',') + 1;
    return row;
}

Test(sweep, grid_rows_in_order)
{
    cli_result r = cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=1,3",
                           "--vary", "protocol.disconnect=0:0.2:3", "-n", "500", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t n, nstrat = 12; /* the strategies of the built-in scenario */
    char **v = lines(r.out, &n);
    cr_assert(strncmp(v[0], "point,protocol.rounds,protocol.disconnect,strategy,draws,", 57) == 0,
              "%s", v[0]);
    cr_assert_eq(n, 1 + 6 * nstrat, "2 x 3 points, one row per strategy");
    /* The first --vary varies slowest. */
    const char *expect[6] = {"1,1,0,", "2,1,0.1,", "3,1,0.2,", "4,3,0,", "5,3,0.1,", "6,3,0.2,"};
    for (size_t p = 0; p < 6; p++)
        for (size_t k = 0; k < nstrat; k++)
            cr_assert(strncmp(v[1 + p * nstrat + k], expect[p], strlen(expect[p])) == 0,
                      "row %zu: %s", 1 + p * nstrat + k, v[1 + p * nstrat + k]);
    free_lines(v);
    cli_free(&r);
}

/* SPEC §9 v2: grid values are rounded to 15 significant digits, so the
 * varied column shows the decimals as typed (0.06, not
 * 0.06000000000000001), and each point runs with that value: the same
 * bytes as a run with --set of the typed decimal. */
Test(sweep, grid_values_as_typed)
{
    const char *want[6] = {"0", "0.02", "0.04", "0.06", "0.08", "0.1"};
    cli_result r = cli_run(dir, "sweep", DS_TEST_DIR "/data/good/minimal.json", "--vary",
                           "protocol.disconnect=0:0.1:6", "-n", "300", NULL);
    cli_result one = cli_run(dir, "run", DS_TEST_DIR "/data/good/minimal.json", "--set",
                             "protocol.disconnect=0.06", "-n", "300", "--format", "csv", NULL);
    size_t n, n1;
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(one.status, 0, "%s", one.err);
    char **v = lines(r.out, &n), **v1 = lines(one.out, &n1);
    cr_assert_eq(n, 7, "%s", r.out);
    cr_assert_eq(n1, 2);
    for (size_t p = 0; p < 6; p++) {
        char head[32];
        snprintf(head, sizeof head, "%zu,%s,", p + 1, want[p]);
        cr_expect(strncmp(v[1 + p], head, strlen(head)) == 0, "row %zu: %s", p + 1, v[1 + p]);
    }
    cr_expect_str_eq(after_cells(v[4], 2), v1[1]);
    free_lines(v);
    free_lines(v1);
    cli_free(&r);
    cli_free(&one);
}

/* A sweep point's summary is, byte for byte, a run with the same --set. */
Test(sweep, point_equals_run_with_set)
{
    cli_result s = cli_run(dir, "sweep", JAPAN, "--vary", "actors.trump.threshold=0.1,0.35",
                           "-n", "6000", "-s", "9", NULL);
    cli_result r = cli_run(dir, "run", JAPAN, "--set", "actors.trump.threshold=0.35",
                           "-n", "6000", "-s", "9", "--format", "csv", NULL);
    cr_assert_eq(s.status, 0, "%s", s.err);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t ns, nr;
    char **vs = lines(s.out, &ns), **vr = lines(r.out, &nr);
    size_t nstrat = nr - 1;
    cr_assert_eq(ns, 1 + 2 * nstrat);
    cr_assert_str_eq(after_cells(vs[0], 2), vr[0], "header after point and path");
    cr_assert(strstr(vs[0], ",approve_trump,label,deficit_end_mean,") &&
              strstr(vs[0], ",p_loss_given_deal,p_retaliation_given_deal_china"),
              "sweep rows carry the v2 columns: %s", vs[0]);
    for (size_t k = 0; k < nstrat; k++)
        cr_assert_str_eq(after_cells(vs[1 + nstrat + k], 2), vr[1 + k]);
    free_lines(vs);
    free_lines(vr);
    cli_free(&s);
    cli_free(&r);
}

/* A sweep keeps the models it validated for the first points (as many as
 * its budget of memory holds: about 1800 of the built-in scenario's) and
 * builds the others again when it runs them.  3000 points in two halves
 * that differ only in the scenario's name: each point's rows equal those
 * of its twin in the other half, kept or built again. */
Test(sweep, kept_and_rebuilt_models_give_the_same_rows)
{
    enum { HALF = 1500 };
    cli_result s = cli_run(dir, "sweep", JAPAN, "--vary", "name=first,second", "--vary",
                           "actors.trump.threshold=0.1:0.4:1500", "-n", "2", "-j", "2",
                           NULL);
    cr_assert_eq(s.status, 0, "%s", s.err);
    size_t n;
    char **v = lines(s.out, &n);
    cr_assert_eq((n - 1) % (2 * HALF), 0, "%zu lines", n);
    size_t nstrat = (n - 1) / (2 * HALF);
    cr_assert_gt(nstrat, 1);
    for (size_t p = 0; p < HALF; p++)
        for (size_t k = 0; k < nstrat; k++) {
            const char *a = v[1 + p * nstrat + k], *b = v[1 + (p + HALF) * nstrat + k];
            cr_assert(strstr(a, ",first,") && strstr(b, ",second,"), "%s\n%s", a, b);
            cr_assert_str_eq(after_cells(a, 2), after_cells(b, 2), "point %zu", p + 1);
        }
    free_lines(v);
    cli_free(&s);
}

/* The sweep's output is the same bytes at -j 1, 2 and 3. */
static void same_for_any_threads(const char *vary, const char *draws)
{
    cli_result r[3];
    const char *j[3] = {"1", "2", "3"};
    for (int k = 0; k < 3; k++) {
        r[k] = cli_run(dir, "sweep", JAPAN, "--vary", vary, "-n", draws, "-j", j[k], NULL);
        cr_assert_eq(r[k].status, 0, "%s", r[k].err);
    }
    cr_assert_str_eq(r[0].out, r[1].out);
    cr_assert_str_eq(r[0].out, r[2].out);
    for (int k = 0; k < 3; k++)
        cli_free(&r[k]);
}

/* Few points, small N: (point, block) tasks spread over the threads. */
Test(sweep, byte_identical_for_any_threads_and_small_n)
{
    same_for_any_threads("protocol.quorum=0.3:0.9:7", "300");
}

/* Many points: a task is then a whole point (one worker per point) for -j 1
 * and -j 2 but not -j 3. */
Test(sweep, byte_identical_whole_point_tasks)
{
    same_for_any_threads("protocol.quorum=0.1:0.9:40", "5000");
}

/* Same seed everywhere by default: two points with the same value give the
 * same rows; --vary-seed gives them different draws. */
Test(sweep, common_random_numbers_and_vary_seed)
{
    for (int vs = 0; vs < 2; vs++) {
        cli_result r = vs ? cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=3,3",
                                    "-n", "2000", "--vary-seed", NULL)
                          : cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=3,3",
                                    "-n", "2000", NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        size_t n;
        char **v = lines(r.out, &n);
        size_t nstrat = (n - 1) / 2;
        int same = 1;
        for (size_t k = 0; k < nstrat; k++)
            same &= strcmp(after_cells(v[1 + k], 2), after_cells(v[1 + nstrat + k], 2)) == 0;
        cr_assert_eq(same, !vs, "%s", vs ? "--vary-seed must change the draws"
                                         : "the same point must give the same rows");
        free_lines(v);
        cli_free(&r);
    }
}

Test(sweep, design_file_order_kept)
{
    char f[600];
    snprintf(f, sizeof f, "%s/design.csv", dir);
    FILE *fp = fopen(f, "w");
    fputs("protocol.rounds,home.discount\n4,0.9\n1,0.5\n2,1\n", fp);
    fclose(fp);
    cli_result r = cli_run(dir, "sweep", JAPAN, "--design-file", f, "-n", "200", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t n;
    char **v = lines(r.out, &n);
    size_t nstrat = (n - 1) / 3;
    cr_assert_eq(n, 1 + 3 * nstrat);
    cr_assert(strncmp(v[1], "1,4,0.9,", 8) == 0, "%s", v[1]);
    cr_assert(strncmp(v[1 + nstrat], "2,1,0.5,", 8) == 0);
    cr_assert(strncmp(v[1 + 2 * nstrat], "3,2,1,", 6) == 0);
    free_lines(v);
    cli_free(&r);
}

Test(sweep, lhs_and_sobol_run)
{
    cli_result r = cli_run(dir, "sweep", JAPAN, "--design", "lhs", "--samples", "5",
                           "--vary", "home.discount=0.5:1", "--vary", "protocol.rounds=1:6",
                           "-n", "200", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "sweep", JAPAN, "--design", "sobol", "--samples", "4",
                "--vary", "home.discount=0.5:1", "-n", "200", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* GSL's first Sobol points in one dimension are 0.5, 0.75, 0.25, 0.375,
     * mapped onto [0.5, 1]. */
    cr_assert(strstr(r.out, "\n1,0.75,"), "%.200s", r.out);
    cr_assert(strstr(r.out, "\n2,0.875,"), "%.200s", r.out);
    cr_assert(strstr(r.out, "\n3,0.625,"), "%.200s", r.out);
    cr_assert(strstr(r.out, "\n4,0.6875,"), "%.200s", r.out);
    cli_free(&r);
}

/* An invalid point stops the sweep before any run, naming point and path,
 * and no output file is left. */
Test(sweep, invalid_point_stops_before_running)
{
    char o[600];
    snprintf(o, sizeof o, "%s/out.csv", dir);
    cli_result r = cli_run(dir, "sweep", JAPAN, "--vary", "protocol.quorum=0.5,1.5,0.7",
                           "-n", "100000000", "-o", o, NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "point 2"), "%s", r.err);
    cr_assert(strstr(r.err, "protocol.quorum"), "%s", r.err);
    cr_assert(!cli_exists(o));
    cli_free(&r);
    r = cli_run(dir, "sweep", JAPAN, "--vary", "actors.nobody.threshold=1", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "nobody"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=1.5", NULL);
    cr_assert_eq(r.status, 2);
    cli_free(&r);
    r = cli_run(dir, "sweep", JAPAN, NULL);
    cr_assert_eq(r.status, 2, "a sweep needs --vary or --design-file");
    cli_free(&r);
}

Test(compare, agree_differ_and_misaligned)
{
    char a[600], b[600], c[600];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    snprintf(b, sizeof b, "%s/b.csv", dir);
    snprintf(c, sizeof c, "%s/c.csv", dir);
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "20000", "-o", a, "-q", NULL);
    cr_assert_eq(r.status, 0);
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "20000", "-o", b, "-q", "--set",
                "actors.trump.threshold=0.1", NULL);
    cr_assert_eq(r.status, 0);
    cli_free(&r);

    /* A file against itself: every z is 0 or empty, nothing significant. */
    r = cli_run(dir, "compare", a, a, "--only-significant", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "strategy,metric,a,b,diff,z\n");
    cli_free(&r);

    /* A lower threshold for the decider: more deals, clearly significant. */
    r = cli_run(dir, "compare", a, b, "--only-significant", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "china_card,p_deal,"), "%s", r.out);
    cli_free(&r);

    /* Files that do not line up: a sweep against a summary. */
    r = cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=2", "-n", "100", "-o", c, NULL);
    cr_assert_eq(r.status, 0);
    cli_free(&r);
    r = cli_run(dir, "compare", a, c, NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strlen(r.err) > 0);
    cli_free(&r);
    r = cli_run(dir, "compare", a, NULL);
    cr_assert_eq(r.status, 2);
    cli_free(&r);
}

/* The README's examples in tools/ run and produce what they say. */
Test(sweep, example_scripts_run)
{
    char cmd[1200], f[700];
    snprintf(cmd, sizeof cmd,
             "DEALSIM=%s bash %s/tools/sweep_threshold.sh %s/ts 1000 >/dev/null", DS_BIN,
             DS_SOURCE_DIR, dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(f, sizeof f, "%s/ts/threshold_0.3.csv", dir);
    cr_assert(cli_exists(f));
    snprintf(f, sizeof f, "%s/ts/compare_0.2_vs_0.4.csv", dir);
    cr_assert(cli_exists(f));
    snprintf(cmd, sizeof cmd, "python3 %s/tools/sweep_table.py --dealsim %s --draws 500 > %s/t.txt",
             DS_SOURCE_DIR, DS_BIN, dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(f, sizeof f, "%s/t.txt", dir);
    char *t = cli_read_file(f, NULL);
    cr_assert(t && strstr(t, "P(deal) by protocol.rounds") && strstr(t, "china_card"), "%s", t);
    free(t);
}
