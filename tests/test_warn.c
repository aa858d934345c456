/*
 * test_warn.c - scenario warnings and --strict (SPEC §3.1 "Warnings"): one
 * file per warning in tests/data/warn/ with its whole line checked, in
 * process (ds_scenario_build_warn) and through `dealsim validate`; values
 * at the edge of each warning that must not warn; `FILE: ok (N warnings)`;
 * warnings from --set and from sweep points (once per distinct line);
 * --strict turning them into errors (exit 2, no output written).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "cli_util.h"
#include "dealsim/scenario.h"
#include "dealsim/sweep.h"

#define WARN_DIR DS_TEST_DIR "/data/warn/"
#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"

/* Most warning lines per file. */
#define MAX_LINES 4

/* One file per warning and the lines it must give, in order (after
 * "FILE: warning: "). */
static const struct warn_case {
    const char *name;
    const char *lines[MAX_LINES + 1];
} warn_cases[] = {
    {"tariff_constant",
     {"lines.autos.no_deal: tariff 25 means 2500% (tariffs are fractions: did "
      "you mean 0.25 for 25%?)"}},
    {"tariff_support",
     {"lines.autos.current: the tariff's support reaches 2.5, i.e. 250% "
      "(tariffs are fractions: did you mean 0.025 for 2.5%?)"}},
    {"tariff_unbounded",
     {"lines.autos.no_deal: the tariff's support is unbounded above (mean "
      "0.25), so it can exceed 1, i.e. 100%; give the dist a max"}},
    {"tariff_unbounded_percent",
     {"lines.autos.deal: the tariff's support is unbounded above and its mean "
      "is 25, i.e. 2500% (tariffs are fractions: did you mean 0.25 for 25%? "
      "and give the dist a max)"}},
    {"exports",
     {"lines.autos.exports: mean 650 bn/yr is more than 10 times the baseline "
      "deficit (mean 60 bn/yr): exports are in USD billions per year (was it "
      "given in millions?)"}},
    {"deficit_effect",
     {"items.lng.deficit_effect: mean -75 bn/yr is larger in size than the "
      "whole baseline deficit (mean 60 bn/yr): deficit_effect is a change in "
      "USD billions per year at intensity 1 (was it given in millions?)"}},
    {"several",
     {"lines.autos.no_deal: tariff 25 means 2500% (tariffs are fractions: did "
      "you mean 0.25 for 25%?)",
      "lines.autos.deal: tariff 15 means 1500% (tariffs are fractions: did you "
      "mean 0.15 for 15%?)",
      "lines.autos.exports: mean 50000 bn/yr is more than 10 times the "
      "baseline deficit (mean 60 bn/yr): exports are in USD billions per year "
      "(was it given in millions?)",
      "items.fund.deficit_effect: mean 550 bn/yr is larger in size than the "
      "whole baseline deficit (mean 60 bn/yr): deficit_effect is a change in "
      "USD billions per year at intensity 1 (was it given in millions?)"}},
    {"start_after_horizon",
     {"items.plant.start: year 5 is after the horizon (3 years): the pledge "
      "never arrives, so the item neither delivers nor costs anything"}},
    {"terms_above_no_deal",
     {"packages.ask_more.terms.autos: tariff 0.3 is above the line's no_deal, "
      "0.25: accepting the package would raise the tariff above no deal",
      "packages.ask_more.terms.steel: tariff mean 0.3 is above the line's "
      "no_deal, mean 0.25: accepting the package would raise the tariff above "
      "no deal"}},
    /* A tariff of exactly 1, a discrete tariff whose 25 has weight 0,
     * exports of exactly 10 x D-bar, |deficit_effect| means equal to
     * D-bar, an item starting in the horizon's last year, terms equal to
     * the line's no_deal mean: nothing exceeds, nothing warns. */
    {"boundary", {NULL}},
};
#define N_WARN (sizeof warn_cases / sizeof warn_cases[0])

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(warn, .init = setup, .fini = teardown, .timeout = 300);

static size_t n_lines(const struct warn_case *w)
{
    size_t n = 0;
    while (n < MAX_LINES && w->lines[n])
        n++;
    return n;
}

/* "FILE: KIND: LINE" for warn_cases[i]'s line k (caller frees). */
static char *expected(const char *file, const char *kind, const char *line,
                      const char *suffix)
{
    size_t n = strlen(file) + strlen(kind) + strlen(line) + strlen(suffix) + 8;
    char *s = malloc(n);
    snprintf(s, n, "%s: %s: %s%s", file, kind, line, suffix);
    return s;
}

static ds_scenario *load(const char *path)
{
    ds_report rep;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_load(path, &rep);
    cr_assert_not_null(s, "%s: %s", path, rep.n ? rep.msg[0] : "");
    cr_assert_eq(rep.n, 0);
    ds_report_free(&rep);
    return s;
}

/* -------------------------------------------------------- in process */

Test(warn, files_in_process)
{
    for (size_t i = 0; i < N_WARN; i++) {
        char path[512];
        ds_report rep, warn;
        ds_model *m = NULL;
        size_t n = n_lines(&warn_cases[i]);
        snprintf(path, sizeof path, WARN_DIR "%s.json", warn_cases[i].name);
        ds_scenario *s = load(path);
        ds_report_init(&rep);
        ds_report_init(&warn);
        cr_expect_eq(ds_scenario_build_warn(s, 0, &m, &rep, &warn), DS_OK, "%s",
                     warn_cases[i].name);
        cr_expect_not_null(m, "%s", warn_cases[i].name);
        cr_expect_eq(rep.n, 0, "%s: %s", warn_cases[i].name,
                     rep.n ? rep.msg[0] : "");
        cr_expect_eq(warn.n, n, "%s: %zu warnings, want %zu", warn_cases[i].name,
                     warn.n, n);
        for (size_t k = 0; k < n && k < warn.n; k++) {
            char *want = expected(path, "warning", warn_cases[i].lines[k], "");
            cr_expect_str_eq(warn.msg[k], want);
            free(want);
        }
        ds_model_free(m);
        ds_report_free(&warn);

        /* Strict: the same lines, as errors; no model. */
        m = NULL;
        cr_expect_eq(ds_scenario_build_warn(s, DS_BUILD_STRICT, &m, &rep, &warn),
                     n ? DS_EINVAL : DS_OK, "%s", warn_cases[i].name);
        cr_expect_eq(m == NULL, n > 0, "%s", warn_cases[i].name);
        cr_expect_eq(warn.n, 0);
        cr_expect_eq(rep.n, n, "%s", warn_cases[i].name);
        for (size_t k = 0; k < n && k < rep.n; k++) {
            char *want = expected(path, "error", warn_cases[i].lines[k], " [strict]");
            cr_expect_str_eq(rep.msg[k], want);
            free(want);
        }
        ds_model_free(m);

        /* The plain build neither warns nor fails. */
        m = NULL;
        ds_report_free(&rep);
        cr_expect_eq(ds_scenario_build(s, &m, &rep), DS_OK);
        cr_expect_not_null(m);
        cr_expect_eq(rep.n, 0);
        ds_model_free(m);
        ds_report_free(&rep);
        ds_report_free(&warn);
        ds_scenario_free(s);
    }
}

/* Warnings are checked on a scenario without errors only: with an error,
 * the tariff of 25 beside it is not reported. */
Test(warn, none_beside_an_error)
{
    ds_report rep, warn;
    ds_model *m = NULL;
    ds_scenario *s = load(WARN_DIR "with_error.json");
    ds_report_init(&rep);
    ds_report_init(&warn);
    cr_expect_eq(ds_scenario_build_warn(s, 0, &m, &rep, &warn), DS_EINVAL);
    cr_expect_null(m);
    cr_expect_eq(rep.n, 1);
    cr_expect(strstr(rep.msg[0], "protocol.rounds: must be in [1, 1000], got 0"),
              "%s", rep.msg[0]);
    cr_expect_eq(warn.n, 0);
    ds_report_free(&rep);
    ds_report_free(&warn);
    ds_scenario_free(s);
}

/* --set values are checked like the file's. */
Test(warn, set_in_process)
{
    ds_report rep, warn;
    ds_model *m = NULL;
    ds_scenario *s = load(MINIMAL);
    ds_report_init(&rep);
    ds_report_init(&warn);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.current.max=3", &rep), DS_EINVAL);
    ds_report_free(&rep);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.current={\"dist\":\"uniform\","
                                        "\"min\":0,\"max\":0.5}", &rep), DS_OK);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.current.max=3", &rep), DS_OK);
    cr_assert_eq(ds_scenario_build_warn(s, 0, &m, &rep, &warn), DS_OK);
    cr_assert_eq(warn.n, 1);
    cr_expect_str_eq(warn.msg[0], MINIMAL ": warning: lines.autos.current: the tariff's "
                                  "support reaches 3, i.e. 300% (tariffs are fractions: "
                                  "did you mean 0.03 for 3%?)");
    ds_model_free(m);
    ds_report_free(&rep);
    ds_report_free(&warn);
    ds_scenario_free(s);
}

/* The warnings that read the horizon and the lines follow --set: a longer
 * horizon lets the pledge arrive; a higher no_deal puts the terms below
 * it, and a lower one above. */
Test(warn, set_horizon_and_no_deal)
{
    const char *file[2] = {WARN_DIR "start_after_horizon.json",
                           WARN_DIR "terms_above_no_deal.json"};
    const char *set[2] = {"horizon=5", "lines.autos.no_deal=0.3"};
    const size_t left[2] = {0, 1};
    for (int i = 0; i < 2; i++) {
        ds_report rep, warn;
        ds_model *m = NULL;
        ds_scenario *s = load(file[i]);
        ds_report_init(&rep);
        ds_report_init(&warn);
        cr_assert_eq(ds_scenario_set_arg(s, set[i], &rep), DS_OK, "%s", set[i]);
        cr_assert_eq(ds_scenario_build_warn(s, 0, &m, &rep, &warn), DS_OK);
        cr_expect_eq(warn.n, left[i], "%s: %zu warnings", set[i], warn.n);
        if (warn.n)
            cr_expect(strstr(warn.msg[0], "packages.ask_more.terms.steel:"), "%s",
                      warn.msg[0]);
        ds_model_free(m);
        ds_report_free(&rep);
        ds_report_free(&warn);
        ds_scenario_free(s);
    }
    ds_report rep, warn;
    ds_model *m = NULL;
    ds_scenario *s = load(WARN_DIR "boundary.json");
    ds_report_init(&rep);
    ds_report_init(&warn);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.no_deal=0.2", &rep), DS_OK);
    cr_assert_eq(ds_scenario_set_arg(s, "horizon=2", &rep), DS_OK);
    cr_assert_eq(ds_scenario_build_warn(s, 0, &m, &rep, &warn), DS_OK);
    cr_assert_eq(warn.n, 2);
    cr_expect_str_eq(warn.msg[0], WARN_DIR "boundary.json: warning: items.plant.start: year 3 "
                                  "is after the horizon (2 years): the pledge never "
                                  "arrives, so the item neither delivers nor costs anything");
    cr_expect_str_eq(warn.msg[1], WARN_DIR "boundary.json: warning: packages.same.terms.autos: "
                                  "tariff 0.25 is above the line's no_deal, 0.2: accepting "
                                  "the package would raise the tariff above no deal");
    ds_model_free(m);
    ds_report_free(&rep);
    ds_report_free(&warn);
    ds_scenario_free(s);
}

/* ----------------------------------------------------- the command line */

Test(warn, validate_files)
{
    for (size_t i = 0; i < N_WARN; i++) {
        char path[512], ok[600], *want_err = calloc(1, 1);
        size_t n = n_lines(&warn_cases[i]);
        snprintf(path, sizeof path, WARN_DIR "%s.json", warn_cases[i].name);
        for (size_t k = 0; k < n; k++) {
            char *l = expected(path, "warning", warn_cases[i].lines[k], "\n");
            want_err = realloc(want_err, strlen(want_err) + strlen(l) + 1);
            strcat(want_err, l);
            free(l);
        }
        if (n == 0)
            snprintf(ok, sizeof ok, "%s: ok\n", path);
        else
            snprintf(ok, sizeof ok, "%s: ok (%zu warning%s)\n", path, n, n == 1 ? "" : "s");
        cli_result r = cli_run(dir, "validate", path, NULL);
        cr_expect_eq(r.status, 0, "%s: %s", warn_cases[i].name, r.err);
        cr_expect_str_eq(r.out, ok);
        cr_expect_str_eq(r.err, want_err);
        cli_free(&r);

        /* --strict: each warning an error, exit 2, no "ok". */
        r = cli_run(dir, "validate", "--strict", path, NULL);
        cr_expect_eq(r.status, n ? 2 : 0, "%s: %s", warn_cases[i].name, r.err);
        if (n) {
            cr_expect_str_empty(r.out);
            for (size_t k = 0; k < n; k++) {
                char *l = expected(path, "error", warn_cases[i].lines[k], " [strict]\n");
                cr_expect(strstr(r.err, l), "%s: stderr lacks %s: %s", warn_cases[i].name,
                          l, r.err);
                free(l);
            }
            cr_expect_null(strstr(r.err, "warning:"), "%s", r.err);
        } else {
            cr_expect_str_eq(r.out, ok);
        }
        cli_free(&r);
        free(want_err);
    }
}

/* Several files: each gets its own count, and one with a warning does not
 * change the exit status. */
Test(warn, validate_counts_per_file)
{
    cli_result r = cli_run(dir, "validate", WARN_DIR "several.json", MINIMAL,
                           WARN_DIR "tariff_constant.json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, WARN_DIR "several.json: ok (4 warnings)\n" MINIMAL ": ok\n" WARN_DIR
                            "tariff_constant.json: ok (1 warning)\n");
    cli_free(&r);
    r = cli_run(dir, "validate", "--strict", WARN_DIR "several.json", MINIMAL, NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.out, MINIMAL ": ok\n");
    cli_free(&r);
}

Test(warn, validate_set)
{
    cli_result r = cli_run(dir, "validate", MINIMAL, "--set", "lines.autos.no_deal=25",
                           "--set", "lines.autos.exports=601", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, MINIMAL ": ok (2 warnings)\n");
    cr_expect_str_eq(r.err,
                     MINIMAL ": warning: lines.autos.no_deal: tariff 25 means 2500% (tariffs "
                             "are fractions: did you mean 0.25 for 25%?)\n" MINIMAL
                             ": warning: lines.autos.exports: mean 601 bn/yr is more than 10 "
                             "times the baseline deficit (mean 60 bn/yr): exports are in USD "
                             "billions per year (was it given in millions?)\n");
    cli_free(&r);
}

/* The tariff of 25 meant as 25% on the built-in scenario: it runs (exit 0)
 * and says so; with --strict it stops before anything is written. */
Test(warn, run_built_in_with_percent_tariff)
{
    const char *line = "japan_us_2025.json (built-in): warning: lines.autos.no_deal: "
                       "tariff 25 means 2500% (tariffs are fractions: did you mean 0.25 "
                       "for 25%?)\n";
    char out[1024], json[1024];
    snprintf(out, sizeof out, "%s/out.csv", dir);
    snprintf(json, sizeof json, "%s/out.json", dir);
    cli_result r = cli_run(dir, "run", "--set", "lines.autos.no_deal=25", "-n", "200",
                           "-o", out, "--json", json, "-q", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.err, line); /* also with -q */
    cr_expect(cli_exists(out) && cli_exists(json));
    cli_free(&r);
    unlink(out);
    unlink(json);

    r = cli_run(dir, "run", "--set", "lines.autos.no_deal=25", "-n", "200", "-o", out,
                "--json", json, "--strict", NULL);
    cr_expect_eq(r.status, 2, "%s", r.err);
    cr_expect_str_eq(r.err, "japan_us_2025.json (built-in): error: lines.autos.no_deal: "
                            "tariff 25 means 2500% (tariffs are fractions: did you mean "
                            "0.25 for 25%?) [strict]\n");
    cr_expect_str_empty(r.out);
    cr_expect(!cli_exists(out) && !cli_exists(json), "an output was written");
    cli_free(&r);

    /* The same to stdout: nothing on it. */
    r = cli_run(dir, "run", "--set", "lines.autos.no_deal=25", "-n", "200", "--strict", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_eq(r.out_len, 0);
    cli_free(&r);

    /* Without a warning, --strict changes nothing. */
    r = cli_run(dir, "run", "-n", "200", "-o", out, "--strict", "-q", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_empty(r.err);
    cr_expect(cli_exists(out));
    cli_free(&r);
}

/* A sweep prints each distinct warning line once: a base warning every
 * point has without a suffix, a varied value with the points it came from;
 * the same for any -j. */
Test(warn, sweep_once_per_line)
{
    const char *want =
        MINIMAL ": warning: lines.autos.exports: mean 700 bn/yr is more than 10 times the "
                "baseline deficit (mean 60 bn/yr): exports are in USD billions per year (was it "
                "given in millions?)\n" MINIMAL
        ": warning: lines.autos.deal: tariff 15 means 1500% (tariffs are fractions: did you "
        "mean 0.15 for 15%?) [3 of 9 points, the first point 2]\n" MINIMAL
        ": warning: lines.autos.no_deal: tariff 25 means 2500% (tariffs are fractions: did "
        "you mean 0.25 for 25%?) [3 of 9 points, the first point 4]\n" MINIMAL
        ": warning: lines.autos.no_deal: tariff 30 means 3000% (tariffs are fractions: did "
        "you mean 0.3 for 30%?) [3 of 9 points, the first point 7]\n";
    char out[1024];
    snprintf(out, sizeof out, "%s/sweep.csv", dir);
    for (int j = 1; j <= 2; j++) {
        char jobs[8];
        snprintf(jobs, sizeof jobs, "%d", j);
        cli_result r = cli_run(dir, "sweep", MINIMAL, "--vary", "lines.autos.no_deal=0.25,25,30",
                               "--vary", "lines.autos.deal=0.1,15,0.2", "--set",
                               "lines.autos.exports=700", "-n", "50", "-j", jobs, "-o", out,
                               "-q", NULL);
        cr_expect_eq(r.status, 0, "%s", r.err);
        cr_expect_str_eq(r.err, want, "-j %d", j);
        cr_expect(cli_exists(out));
        unlink(out);
        cli_free(&r);
    }
}

/* A point overriding the value its base warns about does not warn; with
 * --strict, the first point with a warning is invalid and nothing is
 * written. */
Test(warn, sweep_strict)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/sweep.csv", dir);
    cli_result r = cli_run(dir, "sweep", MINIMAL, "--set", "lines.autos.no_deal=25", "--vary",
                           "lines.autos.no_deal=0.2,0.3", "-n", "50", "--strict", "-o", out,
                           "-q", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect_str_empty(r.err);
    cr_expect(cli_exists(out));
    unlink(out);
    cli_free(&r);

    r = cli_run(dir, "sweep", MINIMAL, "--vary", "lines.autos.no_deal=0.2,0.3,25,40", "-n",
                "50", "--strict", "-o", out, NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_str_eq(r.err,
                     MINIMAL ": error: point 3 (lines.autos.no_deal=25) is invalid:\n" MINIMAL
                             ": error: lines.autos.no_deal: tariff 25 means 2500% (tariffs are "
                             "fractions: did you mean 0.25 for 25%?) [strict]\n");
    cr_expect(!cli_exists(out), "the sweep wrote its output");
    cli_free(&r);
}

/* ds_sweep_new_warn in process: the lines, and none for an invalid sweep. */
Test(warn, sweep_in_process)
{
    ds_scenario *s = load(MINIMAL);
    const char *vary[] = {"lines.autos.current=0.5,2"};
    ds_design_args da = {0};
    ds_design *d = NULL;
    ds_error err = {0};
    ds_report rep, warn;
    ds_sweep *sw = NULL;

    ds_report_init(&rep);
    ds_report_init(&warn);
    da.vary = vary;
    da.n_vary = 1;
    cr_assert_eq(ds_design_new(&da, &d, &err), DS_OK, "%s", err.msg);
    cr_assert_eq(ds_sweep_new_warn(s, d, 10, 0, 0, 0, 2, 0, &warn, &sw, &rep), DS_OK);
    cr_assert_eq(warn.n, 1);
    cr_expect_str_eq(warn.msg[0], MINIMAL ": warning: lines.autos.current: tariff 2 means "
                                  "200% (tariffs are fractions: did you mean 0.02 for 2%?) "
                                  "[point 2]");
    ds_sweep_free(sw);
    ds_report_free(&warn);
    cr_assert_eq(ds_sweep_new_warn(s, d, 10, 0, 0, 0, 2, DS_BUILD_STRICT, &warn, &sw, &rep),
                 DS_EINVAL);
    cr_expect_null(sw);
    cr_expect_eq(warn.n, 0);
    cr_expect_eq(rep.n, 2);
    ds_report_free(&rep);
    ds_design_free(d);
    ds_scenario_free(s);
}

/* --strict is an option of the commands that load a scenario, in their
 * help, and of no other. */
Test(warn, strict_option)
{
    const char *cmds[] = {"run", "validate", "sweep"};
    for (size_t i = 0; i < 3; i++) {
        cli_result r = cli_run(dir, "help", cmds[i], NULL);
        cr_expect_eq(r.status, 0);
        cr_expect(strstr(r.out, "--strict"), "%s: %s", cmds[i], r.out);
        cli_free(&r);
    }
    cli_result r = cli_run(dir, "compare", "--strict", "a.csv", "b.csv", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "unknown option '--strict'"), "%s", r.err);
    cli_free(&r);
}
