/*
 * test_cli.c - `dealsim run` end to end: options, exit statuses, output
 * formats, byte-identical outputs for any -j, atomic output files and Ctrl-C.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli_util.h"
#include "dealsim/sha256.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"
/* Small enough to keep the suite quick, several blocks so threads split it. */
#define DRAWS "20000"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 300);

Test(cli, help_and_version)
{
    cli_result r = cli_run(dir, "--help", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "usage: dealsim"));
    cli_free(&r);
    r = cli_run(dir, "--version", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "dealsim " DS_VERSION));
    cli_free(&r);
    r = cli_run(dir, "help", "run", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "--draws-out"));
    cli_free(&r);
    r = cli_run(dir, "run", "--help", NULL);
    cr_assert_eq(r.status, 0);
    cli_free(&r);
    r = cli_run(dir, NULL);
    cr_assert_eq(r.status, 2, "no command is bad usage");
    cli_free(&r);
    r = cli_run(dir, "frobnicate", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "unknown command 'frobnicate'"));
    cli_free(&r);
}

Test(cli, bad_options_exit_2)
{
    static const char *cases[][3] = {
        {"-n", "0", "-n/--draws"},        {"-n", "abc", "-n/--draws"},
        {"-n", "1.5", "-n/--draws"},      {"-s", "-1", "-s/--seed"},
        {"-s", "18446744073709551616", "-s/--seed"},
        {"-j", "0", "-j/--threads"},      {"--format", "xml", "--format"},
        {"--bogus", NULL, "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = cli_run(dir, "run", cases[i][0], cases[i][1], NULL);
        cr_assert_eq(r.status, 2, "%s %s", cases[i][0], cases[i][1]);
        cr_assert(strstr(r.err, cases[i][2]), "%s: %s", cases[i][0], r.err);
        cli_free(&r);
    }
}

Test(cli, seed_accepts_full_64_bits)
{
    cli_result r = cli_run(dir, "run", "-n", "100", "-s", "18446744073709551615",
                           "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
}

Test(cli, missing_and_invalid_scenario_exit_2)
{
    char path[600];
    cli_result r = cli_run(dir, "run", "/nonexistent/x.json", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "/nonexistent/x.json"));
    cli_free(&r);
    snprintf(path, sizeof path, "%s/bad.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"dealsim\": 1,}", f);
    fclose(f);
    r = cli_run(dir, "run", path, NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "bad.json:1:"), "%s", r.err);
    cli_free(&r);
}

/* The summary is byte-identical for any number of threads (SPEC §7), and so
 * are the per-draw rows and the JSON. */
Test(cli, byte_identical_for_any_threads)
{
    char *ref[3] = {0};
    size_t reflen[3] = {0};
    for (int j = 1; j <= 3; j++) {
        char jarg[8], o[600], d[600], js[600];
        snprintf(jarg, sizeof jarg, "%d", j);
        snprintf(o, sizeof o, "%s/s%d.csv", dir, j);
        snprintf(d, sizeof d, "%s/d%d.csv", dir, j);
        snprintf(js, sizeof js, "%s/j%d.json", dir, j);
        cli_result r = cli_run(dir, "run", JAPAN, "-n", DRAWS, "-j", jarg, "-o", o,
                               "--draws-out", d, "--json", js, "-q", NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cli_free(&r);
        const char *names[3] = {o, d, js};
        for (int k = 0; k < 3; k++) {
            size_t n;
            char *b = cli_read_file(names[k], &n);
            cr_assert(b, "%s missing", names[k]);
            if (j == 1) {
                ref[k] = b;
                reflen[k] = n;
            } else {
                cr_assert_eq(n, reflen[k], "%s differs in length from -j 1", names[k]);
                cr_assert(memcmp(b, ref[k], n) == 0, "%s differs from -j 1", names[k]);
                free(b);
            }
        }
    }
    /* Per-draw: a header plus one row per (draw, strategy). */
    size_t lines = 0;
    for (char *p = ref[1]; *p; p++)
        lines += *p == '\n';
    size_t nstrat = 0;
    for (char *p = ref[0]; *p; p++)
        nstrat += *p == '\n';
    nstrat -= 1;
    cr_assert_eq(lines, 1 + 20000 * nstrat);
    cr_assert(strncmp(ref[1], "draw,strategy,deal,round,package,tariff,deficit,"
                              "benefit,concession_cost", 70) == 0);
    for (int k = 0; k < 3; k++)
        free(ref[k]);
}

Test(cli, summary_csv_columns_in_order)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "5000", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    static const char head[] =
        "strategy,draws,p_deal,p_deal_se,round_mean,tariff_mean,"
        "deficit_mean,deficit_se,deficit_p05,deficit_p50,deficit_p95,"
        "deficit_change_mean,benefit_mean,benefit_se,benefit_p05,"
        "benefit_p50,benefit_p95,concession_cost_mean,p_retaliation_china,"
        "retaliation_cost_china_mean,approve_bessent,approve_lutnick,"
        "approve_greer,approve_trump\n";
    cr_assert(strncmp(r.out, head, strlen(head)) == 0, "%.300s", r.out);
    /* Default to CSV when stdout is not a terminal; same bytes as -o -. */
    cli_result r2 = cli_run(dir, "run", JAPAN, "-n", "5000", NULL);
    cli_result r3 = cli_run(dir, "run", JAPAN, "-n", "5000", "-o", "-", NULL);
    cr_assert_str_eq(r.out, r2.out);
    cr_assert_str_eq(r.out, r3.out);
    cli_free(&r);
    cli_free(&r2);
    cli_free(&r3);
}

Test(cli, json_has_metadata)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "3000", "-s", "42",
                           "--format", "json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert(j, "stdout is not JSON: %.200s", r.out);
    cJSON *meta = cJSON_GetObjectItem(j, "dealsim");
    cr_assert_str_eq(cJSON_GetObjectItem(meta, "version")->valuestring, DS_VERSION);
    cr_assert_eq(cJSON_GetObjectItem(meta, "seed")->valuedouble, 42);
    cr_assert_eq(cJSON_GetObjectItem(meta, "draws")->valuedouble, 3000);
    size_t n;
    char *text = cli_read_file(JAPAN, &n), hex[65];
    ds_sha256_hex(text, n, hex);
    free(text);
    cr_assert_str_eq(cJSON_GetObjectItem(meta, "scenario_sha256")->valuestring, hex);
    cr_assert(cJSON_GetArraySize(cJSON_GetObjectItem(j, "strategies")) >= 2);
    cJSON_Delete(j);
    cli_free(&r);
}

Test(cli, builtin_scenario_equals_file)
{
    /* The embedded scenario is the file: same results, same digest. */
    cli_result a = cli_run(dir, "run", "-n", "2000", "--format", "csv", NULL);
    cli_result b = cli_run(dir, "run", JAPAN, "-n", "2000", "--format", "csv", NULL);
    cr_assert_eq(a.status, 0);
    cr_assert_str_eq(a.out, b.out);
    cli_free(&a);
    cli_free(&b);
    a = cli_run(dir, "validate", NULL);
    cr_assert_eq(a.status, 0, "%s", a.err);
    cr_assert(strstr(a.out, ": ok"));
    cli_free(&a);
}

Test(cli, table_is_readable)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "2000", "--format", "table", NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strstr(r.out, "P(deal)"));
    cr_assert(strstr(r.out, "strategy"));
    cli_free(&r);
}

Test(cli, seed_and_draws_change_results)
{
    cli_result a = cli_run(dir, "run", JAPAN, "-n", "2000", "-s", "1", NULL);
    cli_result b = cli_run(dir, "run", JAPAN, "-n", "2000", "-s", "2", NULL);
    cli_result c = cli_run(dir, "run", JAPAN, "-n", "2000", "-s", "1", NULL);
    cr_assert_str_neq(a.out, b.out);
    cr_assert_str_eq(a.out, c.out);
    cli_free(&a);
    cli_free(&b);
    cli_free(&c);
}

Test(cli, dev_null_is_written_not_replaced)
{
    struct stat st;
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "2000", "-o", "/dev/null",
                           "--json", "/dev/null", "--draws-out", "/dev/null", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "/dev/null must still be a device");
    cli_free(&r);
}

Test(cli, unwritable_output_exits_1)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "100", "-o",
                           "/nonexistent-dir/out.csv", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent-dir/out.csv"));
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "100", "-o", dir, NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "is a directory"));
    cli_free(&r);
}

static size_t count_entries(const char *d)
{
    DIR *dp = opendir(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(dp));)
        n += e->d_name[0] != '.' || strstr(e->d_name, ".tmp-") != NULL;
    closedir(dp);
    return n;
}

/* Ctrl-C: exit 130 promptly, nothing under the requested names, no temporary
 * left behind, and an existing file of that name untouched. */
Test(cli, sigint_leaves_no_partial_output)
{
    char o[600], d[600], js[600];
    snprintf(o, sizeof o, "%s/out.csv", dir);
    snprintf(d, sizeof d, "%s/draws.csv", dir);
    snprintf(js, sizeof js, "%s/out.json", dir);
    FILE *f = fopen(js, "w");
    fputs("previous", f);
    fclose(f);
    for (int sig = 0; sig < 2; sig++) {
        char *argv[] = {DS_BIN, "run", JAPAN, "-n", "1000000000", "-o", o,
                        "--draws-out", d, "--json", js, NULL};
        pid_t pid = cli_start(dir, argv);
        struct timespec ts = {0, 600 * 1000000L};
        nanosleep(&ts, NULL);
        kill(pid, sig == 0 ? SIGINT : SIGTERM);
        cli_result r = cli_wait(dir, pid);
        cr_assert_eq(r.status, 130, "status %d: %s", r.status, r.err);
        cli_free(&r);
        cr_assert(!cli_exists(o));
        cr_assert(!cli_exists(d));
        char *prev = cli_read_file(js, NULL);
        cr_assert_str_eq(prev, "previous");
        free(prev);
        cr_assert_eq(count_entries(dir), 1, "a temporary file was left behind");
    }
}

/* The fixed-seed golden summary of the Japan-US scenario; regenerate it only
 * with tools/golden.sh after a deliberate change of the model or scenario. */
Test(cli, golden_summary)
{
    size_t n;
    char *golden = cli_read_file(DS_TEST_DIR "/golden/japan_us_2025.csv", &n);
    cr_assert(golden, "tests/golden/japan_us_2025.csv missing: run tools/golden.sh");
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "20000", "-s", "2025",
                           "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, golden, "summary differs from the golden file");
    free(golden);
    cli_free(&r);
}

/* --progress shows rate and ETA on stderr (here not a terminal, so one line
 * per update) for a run over about a second; --no-progress and -q do not;
 * -q also drops the "wrote FILE" note. */
Test(cli, progress_and_quiet)
{
    char o[600];
    snprintf(o, sizeof o, "%s/out.csv", dir);
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "400000", "-j", "2", "--progress",
                           "-o", o, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "draws/s") && strstr(r.err, "ETA"), "no progress line: %s", r.err);
    cr_assert(strstr(r.err, "wrote"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "20000", "-j", "2", "--no-progress", "-o", o, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(!strstr(r.err, "draws/s"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "20000", "-j", "2", "--progress", "-q", "-o", o, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.err, "", "-q must keep stderr empty");
    cli_free(&r);
}
