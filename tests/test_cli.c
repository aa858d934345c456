/*
 * test_cli.c - `dealsim run` end to end: options, exit statuses, output
 * formats, byte-identical outputs for any -j, atomic output files, Ctrl-C,
 * progress, and scenarios read from pipes.
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
        "approve_greer,approve_trump,label,deficit_end_mean,deficit_end_p05,"
        "deficit_end_p50,deficit_end_p95,deficit_end_change_mean,"
        "p_deal_in_extension,benefit_given_deal_mean,benefit_given_deal_p05,"
        "benefit_given_deal_p50,benefit_given_deal_p95,p_loss_given_deal,"
        "p_retaliation_given_deal_china\n";
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

/* A strategy that never deals (tests/data/good/minimal.json): the figures
 * given a deal are empty in the CSV and null in the JSON, its deal rounds
 * all 0, the benefit given a deal has no histogram, and a metric of one
 * value has one bin [v, v]. */
Test(cli, figures_given_a_deal_without_a_deal)
{
    cli_result r = cli_run(dir, "run", DS_TEST_DIR "/data/good/minimal.json", "-n", "3000",
                           "--format", "json", NULL);
    cli_result c = cli_run(dir, "run", DS_TEST_DIR "/data/good/minimal.json", "-n", "3000",
                           "--format", "csv", NULL);
    cJSON *j, *s, *h, *b;
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert(strstr(c.out, ",0,,,,,\n"), "p_deal_in_extension 0, then five empty "
              "cells: %s", c.out);
    j = cJSON_Parse(r.out);
    cr_assert_not_null(j);
    s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "strategies"), 0);
    cr_assert_eq(cJSON_GetObjectItem(s, "p_deal")->valuedouble, 0);
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "benefit_given_deal_mean")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "benefit_given_deal_p50")));
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(s, "p_loss_given_deal")));
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "deal_rounds")), 3);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "deal_rounds"), i)->valuedouble,
                     0);
    h = cJSON_GetObjectItem(s, "histograms");
    cr_assert(cJSON_IsNull(cJSON_GetObjectItem(h, "benefit_given_deal")));
    b = cJSON_GetObjectItem(h, "benefit");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(b, "edges")), 2);
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "edges"), 1)->valuedouble, 0);
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "counts"), 0)->valuedouble, 3000);
    cJSON_Delete(j);
    cli_free(&r);
    cli_free(&c);
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

/* Start argv in `d`, wait (at most a minute, whatever the machine's speed)
 * until stderr shows a progress line, let it run `more_ms` longer, then
 * interrupt it.  Returns the result; *shown tells whether the line came. */
static cli_result interrupt_after_progress(const char *d, char *const argv[], long more_ms,
                                           int *shown)
{
    pid_t pid = cli_start(d, argv);
    *shown = cli_stderr_has(d, "draws/s", 60);
    cli_sleep_ms(more_ms);
    kill(pid, SIGINT);
    return cli_wait(d, pid);
}

/* --progress shows rate and ETA on stderr (here not a terminal, so one line
 * per update) once a run has taken about a second.  The runs are far too
 * long to finish, so the test does not depend on the machine's speed: it
 * waits for the line, then interrupts. */
Test(cli, progress_line_on_a_long_run)
{
    char *argv[] = {DS_BIN, "run", JAPAN, "-n", "1e12", "-j", "2", "--progress",
                    "--format", "csv", NULL};
    int shown;
    cli_result r = interrupt_after_progress(dir, argv, 0, &shown);
    cr_assert(shown, "no progress line within a minute: %s", r.err);
    cr_assert(strstr(r.err, "ETA"), "%s", r.err);
    cr_assert_eq(r.status, 130, "%s", r.err);
    cli_free(&r);
}

/* --no-progress and -q show no line even on a run that --progress shows
 * one for: both run side by side with a --progress run, and are stopped
 * only after that one has shown its line. */
Test(cli, no_progress_and_quiet_show_no_line)
{
    static const char *const silence[2] = {"--no-progress", "-q"};
    for (int k = 0; k < 2; k++) {
        char d2[600];
        snprintf(d2, sizeof d2, "%s/quiet", dir);
        mkdir(d2, 0700);
        char *quiet[] = {DS_BIN, "run", JAPAN, "-n", "1e12", "-j", "1", "--progress",
                         (char *)silence[k], "--format", "csv", NULL};
        char *loud[] = {DS_BIN, "run", JAPAN, "-n", "1e12", "-j", "1", "--progress",
                        "--format", "csv", NULL};
        pid_t q = cli_start(d2, quiet);
        int shown;
        cli_result r = interrupt_after_progress(dir, loud, 500, &shown);
        kill(q, SIGINT);
        cli_result rq = cli_wait(d2, q);
        cr_assert(shown, "%s", r.err);
        cr_assert_eq(rq.status, 130, "%s", rq.err);
        cr_assert(!strstr(rq.err, "draws/s"), "%s shows progress: %s", silence[k], rq.err);
        cli_free(&r);
        cli_free(&rq);
    }
}

/* "wrote FILE" after a run to a file; -q drops it and keeps stderr empty. */
Test(cli, wrote_note_and_quiet)
{
    char o[600];
    snprintf(o, sizeof o, "%s/out.csv", dir);
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "2000", "-o", o, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.err, "wrote"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "2000", "--progress", "-q", "-o", o, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert_str_eq(r.err, "", "-q must keep stderr empty");
    cli_free(&r);
}

/* The progress total counts draws over all points exactly: beyond 2^64 it
 * must not wrap (1e19 draws x 2 points), and a count above 2^53 given in
 * scientific form is the count typed, not a double rounded to even. */
Test(cli, progress_total_is_exact)
{
    char *sweep[] = {DS_BIN, "sweep", JAPAN, "--vary", "protocol.rounds=1,2", "-n",
                     "10000000000000000000", "-j", "1", "--progress", NULL};
    int shown;
    cli_result r = interrupt_after_progress(dir, sweep, 0, &shown);
    cr_assert(shown, "%s", r.err);
    cr_assert(strstr(r.err, "/2e+19 draws"), "the total wrapped: %s", r.err);
    cli_free(&r);
    char *run[] = {DS_BIN, "run", JAPAN, "-n", "9007199254740993.0", "-j", "1",
                   "--progress", "--format", "csv", NULL};
    r = interrupt_after_progress(dir, run, 0, &shown);
    cr_assert(shown, "%s", r.err);
    cr_assert(strstr(r.err, "/9007199254740993 draws"), "%s", r.err);
    cli_free(&r);
}

/* Option values are checked when parsed, before anything runs, and the
 * messages say what is wrong with the value as it was typed. */
Test(cli, option_values_checked_at_parse)
{
    static const char *cases[][4] = {
        /* args..., expected message */
        {"-o", "", NULL, "-o/--output needs a file name, got ''"},
        {"--json", "", NULL, "--json needs a file name, got ''"},
        {"--draws-out=", NULL, NULL, "--draws-out needs a file name"},
        {"-n", "0x10", NULL, "-n/--draws must be an integer in 1 ... 2^64-1, got '0x10'"},
        {"-n", "1e20", NULL, "-n/--draws: '1e20' is out of range: must be an integer in 1 ... 2^64-1"},
        {"-n", NULL, NULL, "-n needs a value"},
        {"-n", "--seed", "5", "-n needs a value"},
        {"--draws", "-q", NULL, "--draws needs a value"},
        {"-j", "9007199254740993", NULL, "'9007199254740993' is out of range"},
        {"-s", "1.5", NULL, "-s/--seed must be an integer in 0 ... 2^64-1, got '1.5'"},
        {"--sed", "5", NULL, "unknown option '--sed' (did you mean '--seed'?)"},
        {"--format", "tabel", NULL, "--format must be table, csv or json, got 'tabel' "
                                    "(did you mean 'table'?)"},
        {"--progress=yes", NULL, NULL, "--progress takes no value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = cli_run(dir, "run", JAPAN, "-n", "2000", cases[i][0],
                               cases[i][1], cases[i][2], NULL);
        cr_assert_eq(r.status, 2, "%s %s: %s", cases[i][0], cases[i][1], r.err);
        cr_assert(strstr(r.err, cases[i][3]), "%s: %s", cases[i][0], r.err);
        cr_assert_str_eq(r.out, "", "nothing may run");
        cli_free(&r);
    }
}

/* Integers in scientific form are exact over all 64 bits. */
Test(cli, scientific_integers_are_exact)
{
    cli_result a = cli_run(dir, "run", "-n", "1e2", "-s", "1.8446744073709551615e19",
                           "--format", "csv", NULL);
    cli_result b = cli_run(dir, "run", "-n", "100", "-s", "18446744073709551615",
                           "--format", "csv", NULL);
    cli_result c = cli_run(dir, "run", "-n", "100", "-s", "18446744073709551614",
                           "--format", "csv", NULL);
    cr_assert_eq(a.status, 0, "%s", a.err);
    cr_assert_str_eq(a.out, b.out);
    cr_assert_str_neq(a.out, c.out);
    cli_free(&a);
    cli_free(&b);
    cli_free(&c);
}

/* A scenario from a pipe or a FIFO is read once: the run finishes and
 * scenario_sha256 is the digest of the bytes that were parsed. */
static void check_digest(const char *json_path)
{
    size_t n;
    char *text = cli_read_file(JAPAN, &n), hex[65];
    ds_sha256_hex(text, n, hex);
    free(text);
    char *js = cli_read_file(json_path, NULL);
    cr_assert(js, "no JSON written");
    cJSON *j = cJSON_Parse(js);
    cr_assert(j);
    cJSON *meta = cJSON_GetObjectItem(j, "dealsim");
    cr_assert_str_eq(cJSON_GetObjectItem(meta, "scenario_sha256")->valuestring, hex);
    cJSON_Delete(j);
    free(js);
}

/* Write the Japan scenario to fd in a child process; returns its pid. */
static pid_t feed(int fd, const char *fifo)
{
    pid_t w = fork();
    if (w == 0) {
        size_t n;
        char *text = cli_read_file(JAPAN, &n);
        if (fifo)
            fd = open(fifo, O_WRONLY);
        _exit(fd >= 0 && write(fd, text, n) == (ssize_t)n ? 0 : 1);
    }
    return w;
}

Test(cli, scenario_from_a_pipe_has_its_digest)
{
    char js[600];
    int fds[2], timed_out, st;
    snprintf(js, sizeof js, "%s/out.json", dir);
    cr_assert_eq(pipe(fds), 0);
    pid_t w = feed(fds[1], NULL);
    close(fds[1]);
    char *argv[] = {DS_BIN, "run", "/dev/stdin", "-n", "200", "--json", js, "-o",
                    "/dev/null", NULL};
    cli_result r = cli_wait_timeout(dir, cli_start_io(dir, fds[0], NULL, argv), 60,
                                    &timed_out);
    close(fds[0]);
    waitpid(w, &st, 0);
    cr_assert(!timed_out, "the run did not finish");
    cr_assert_eq(r.status, 0, "%s", r.err);
    check_digest(js);
    cli_free(&r);
}

Test(cli, scenario_from_a_fifo_is_read_once)
{
    char js[600], fifo[600];
    int timed_out;
    snprintf(js, sizeof js, "%s/out.json", dir);
    snprintf(fifo, sizeof fifo, "%s/scenario.fifo", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    pid_t w = feed(-1, fifo);
    char *argv[] = {DS_BIN, "run", fifo, "-n", "200", "--json", js, "-o", "/dev/null", NULL};
    cli_result r = cli_wait_timeout(dir, cli_start(dir, argv), 60, &timed_out);
    kill(w, SIGKILL);
    waitpid(w, NULL, 0);
    cr_assert(!timed_out, "dealsim run FIFO did not finish: %s", r.err);
    cr_assert_eq(r.status, 0, "%s", r.err);
    check_digest(js);
    cli_free(&r);
}

/* Every write error names the file and the system's reason. */
Test(cli, write_errors_name_the_file)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "100", "-o", "/dev/null", "--json",
                           "/dev/full", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "/dev/full: No space left on device"), "%s", r.err);
    cli_free(&r);
    r = cli_run_to(dir, "/dev/full", "run", JAPAN, "-n", "100", "--format", "csv", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "standard output: No space left on device"), "%s", r.err);
    cli_free(&r);
    r = cli_run_to(dir, "/dev/full", "sweep", JAPAN, "--vary", "protocol.rounds=1,2",
                   "-n", "100", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "standard output: No space left on device"), "%s", r.err);
    cli_free(&r);
}
