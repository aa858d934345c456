/*
 * test_alloc.c - running out of memory anywhere fails cleanly.
 *
 * For each command line below, run it through ds_cli_main (in-process, so
 * the command line's own cleanup is tested with the library's) once to
 * count its allocation points, then once for every k = 1, 2, ... with
 * point k failing (alloc_inject.h), until a k that the command no longer
 * reaches.  Each run is a forked child in an empty directory.  A run in
 * which point k failed must exit with status 1, say "out of memory" on
 * stderr ("cannot start a worker thread" for a thread), free every block
 * it allocated (tracked here, and by LeakSanitizer in a sanitizer build),
 * trip no sanitizer, and leave no file behind, neither the outputs nor a
 * temporary.  A run may instead absorb the failure (a fallback) only by
 * succeeding with exactly the output of the run without failures.
 *
 * Small draws (-n) keep the loops short; -j 1 and -j 2 both run, so the
 * allocations of starting workers and of their workspaces fail too.
 *
 * Command lines whose input is bad (exit status 2) run the same loop: the
 * allocations of the messages fail too, and such a run must still exit 1
 * with "out of memory" (the problems it could not list are counted), or
 * absorb the failure with exactly the messages of the run without it.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc_inject.h"
#include "cli.h"
#include "cli_util.h"

#define FULL DS_TEST_DIR "/data/good/full.json"
#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"
#define CORRELATED DS_TEST_DIR "/data/good/correlated.json"
#define CMP DS_TEST_DIR "/data/compare/"

/* A child that runs longer than this is stuck (a lost wake-up on an error
 * path, say): SIGALRM ends it and the run fails. */
#define CHILD_SECONDS 60

/* Problems listed per command line before the rest are only counted
 * (the environment's DS_ALLOC_SHOW, when set, changes how many). */
#define MAX_SHOWN 12

/* LeakSanitizer's check, when the program has it (a sanitizer build). */
extern void __lsan_do_leak_check(void) __attribute__((weak));

/* A coverage build (tools/coverage.sh defines DS_GCOV) writes a child's
 * counts before _exit(), which skips the write that exit() would do; without
 * it the failure paths the children run would count as never run. */
#ifdef DS_GCOV
void __gcov_dump(void);
#endif

/* What a child tells its parent through a shared page. */
typedef struct child_report {
    int returned;      /* ds_cli_main returned */
    long points;       /* allocation points it reached */
    long failed;       /* the point that failed (0: none) */
    char what[32];     /* the function called there */
    long live;         /* tracked blocks still allocated; -1 unknown */
    long live_point;   /* the first of them: its point and size */
    size_t live_size;
} child_report;

typedef struct file_copy {
    char name[256];
    char *data;
    size_t len;
} file_copy;

/* One run of a command line. */
typedef struct outcome {
    int status;        /* exit status, or 128 + signal */
    char *out, *err;   /* stdout, stderr */
    size_t out_len;
    file_copy files[8]; /* what it left in its directory */
    size_t n_files;
    child_report rep;
} outcome;

static char *work, *cap;    /* the child's directory; where stdout/err go */
static char *in;            /* inputs written by the tests */
static child_report *shared;

static void setup(void)
{
    work = cli_tmpdir();
    cap = cli_tmpdir();
    in = cli_tmpdir();
    shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert(work && cap && in && shared != MAP_FAILED);
    /* cJSON's hooks are per process; the children inherit them. */
    alloc_inject_cjson();
}

static void teardown(void)
{
    cli_rmdir(work);
    cli_rmdir(cap);
    cli_rmdir(in);
    munmap(shared, sizeof *shared);
}

TestSuite(alloc, .init = setup, .fini = teardown, .timeout = 1200);

static void write_input(const char *name, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", in, name);
    f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

/* Move what the child left in `work` into o->files, emptying `work`. */
static void collect_files(outcome *o)
{
    DIR *d = opendir(work);
    struct dirent *e;
    cr_assert(d);
    while ((e = readdir(d))) {
        char path[1024];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", work, e->d_name);
        if (o->n_files < sizeof o->files / sizeof o->files[0]) {
            file_copy *fc = &o->files[o->n_files++];
            snprintf(fc->name, sizeof fc->name, "%s", e->d_name);
            fc->data = cli_read_file(path, &fc->len);
        }
        cr_assert_eq(unlink(path), 0, "%s: %s", path, strerror(errno));
    }
    closedir(d);
}

static void outcome_free(outcome *o)
{
    free(o->out);
    free(o->err);
    for (size_t i = 0; i < o->n_files; i++)
        free(o->files[i].data);
    memset(o, 0, sizeof *o);
}

/* Run argv (argv[0] = "dealsim") with point k failing (0: none). */
static outcome run_k(char **argv, long k)
{
    int argc = 0, st = 0;
    char o_path[1024], e_path[1024];
    outcome o;
    pid_t pid;

    while (argv[argc])
        argc++;
    snprintf(o_path, sizeof o_path, "%s/stdout", cap);
    snprintf(e_path, sizeof e_path, "%s/stderr", cap);
    memset(shared, 0, sizeof *shared);
    fflush(NULL);
    pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fo = open(o_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        if (fo < 0 || fe < 0 || fi < 0 || chdir(work) != 0)
            _exit(126);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        alarm(CHILD_SECONDS);
        alloc_inject_record(shared->what, sizeof shared->what);
        alloc_inject_arm(k);
        st = ds_cli_main(argc, argv);
        alloc_inject_disarm();
        shared->returned = 1;
        shared->points = alloc_inject_points();
        shared->failed = alloc_inject_failed();
        shared->live = alloc_inject_live(&shared->live_point, &shared->live_size);
        fflush(stdout);
        fflush(stderr);
        if (__lsan_do_leak_check)
            __lsan_do_leak_check(); /* reports on stderr and exits non-zero */
#ifdef DS_GCOV
        __gcov_dump();
#endif
        _exit(st);
    }
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    memset(&o, 0, sizeof o);
    o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    o.rep = *shared;
    o.out = cli_read_file(o_path, &o.out_len);
    o.err = cli_read_file(e_path, NULL);
    if (!o.out)
        o.out = calloc(1, 1);
    if (!o.err)
        o.err = calloc(1, 1);
    collect_files(&o);
    return o;
}

/* The first line of s, for messages. */
static const char *first_line(const char *s, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s", (int)strcspn(s, "\n"), s);
    return buf;
}

static int sanitizer_report(const char *err)
{
    return strstr(err, "Sanitizer") || strstr(err, "runtime error:");
}

/* Why run o (point k failed) is not a clean failure; NULL when it is. */
static const char *unclean_failure(const outcome *o, char *why, size_t n)
{
    char line[200];
    if (!o->rep.returned)
        snprintf(why, n, "did not return (status %d): %s", o->status,
                 first_line(o->err, line, sizeof line));
    else if (sanitizer_report(o->err))
        snprintf(why, n, "sanitizer report: %s", o->err);
    else if (o->rep.live != 0)
        snprintf(why, n, "%ld blocks still allocated, the first at point %ld (%zu bytes)",
                 o->rep.live, o->rep.live_point, o->rep.live_size);
    else if (o->status != 1)
        snprintf(why, n, "exit status %d, not 1: %s", o->status,
                 first_line(o->err, line, sizeof line));
    else if (!strstr(o->err, "out of memory") &&
             !(strcmp(o->rep.what, "pthread_create") == 0 &&
               strstr(o->err, "cannot start a worker thread")))
        snprintf(why, n, "no \"out of memory\" on stderr: %s",
                 first_line(o->err, line, sizeof line));
    else if (o->n_files)
        snprintf(why, n, "left %zu file(s) behind, the first %s", o->n_files,
                 o->files[0].name);
    else
        return NULL;
    return why;
}

/* 1 if a sanitizer's runtime wrote line s ("==PID==..."), not dealsim. */
static int sanitizer_line(const char *s)
{
    size_t n = 2;
    if (s[0] != '=' || s[1] != '=')
        return 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n > 2 && s[n] == '=' && s[n + 1] == '=';
}

/* 1 if a and b hold the same lines, apart from a sanitizer runtime's
 * notes (LeakSanitizer's, in a child forked from a threaded process, name
 * its pid). */
static int same_messages(const char *a, const char *b)
{
    for (;;) {
        while (*a && sanitizer_line(a))
            a += strcspn(a, "\n") + (a[strcspn(a, "\n")] != 0);
        while (*b && sanitizer_line(b))
            b += strcspn(b, "\n") + (b[strcspn(b, "\n")] != 0);
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0 || a[la] != b[lb])
            return 0;
        if (!a[la])
            return 1;
        a += la + 1;
        b += lb + 1;
    }
}

/* Whether o (a run that absorbed its failure, or that reached no failing
 * point) did exactly what the reference run did.  A run that fails on its
 * input (status 2) must also give the same messages. */
static const char *differs(const outcome *o, const outcome *ref, char *why, size_t n)
{
    char line[200];
    if (!o->rep.returned || o->status != ref->status)
        snprintf(why, n, "exit status %d, the run without failures %d: %s", o->status,
                 ref->status, first_line(o->err, line, sizeof line));
    else if (sanitizer_report(o->err))
        snprintf(why, n, "sanitizer report: %s", o->err);
    else if (ref->status != 0 && !same_messages(o->err, ref->err))
        snprintf(why, n, "stderr differs from the run without failures: %s",
                 first_line(o->err, line, sizeof line));
    else if (o->rep.live != 0)
        snprintf(why, n, "%ld blocks still allocated, the first at point %ld (%zu bytes)",
                 o->rep.live, o->rep.live_point, o->rep.live_size);
    else if (o->out_len != ref->out_len || memcmp(o->out, ref->out, o->out_len) != 0)
        snprintf(why, n, "stdout differs from the run without failures");
    else if (o->n_files != ref->n_files)
        snprintf(why, n, "%zu files, the run without failures %zu", o->n_files,
                 ref->n_files);
    else {
        for (size_t i = 0; i < o->n_files; i++) {
            const file_copy *a = &o->files[i], *b = NULL;
            for (size_t j = 0; j < ref->n_files; j++)
                if (strcmp(ref->files[j].name, a->name) == 0)
                    b = &ref->files[j];
            if (!b || !a->data || !b->data || a->len != b->len ||
                memcmp(a->data, b->data, a->len) != 0) {
                snprintf(why, n, "file %s differs from the run without failures",
                         a->name);
                return why;
            }
        }
        return NULL;
    }
    return why;
}

/*
 * The loop over k for one command line (NULL-terminated, after "dealsim").
 * The run without failures must exit with `status`.
 */
static void loop(int status, ...)
{
    char *argv[64], shown[1024] = "dealsim", why[1200];
    long k, clean = 0, absorbed = 0, problems = 0, max_shown = MAX_SHOWN;
    outcome ref, o;
    va_list ap;
    int n = 0;

    argv[n++] = "dealsim";
    va_start(ap, status);
    for (char *a; n < 63 && (a = va_arg(ap, char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    if (getenv("DS_ALLOC_SHOW"))
        max_shown = atol(getenv("DS_ALLOC_SHOW"));
    for (int i = 1; i < n; i++) {
        const char *a = argv[i];
        size_t l = strlen(shown);
        if (strncmp(a, DS_SOURCE_DIR "/", strlen(DS_SOURCE_DIR) + 1) == 0)
            a += strlen(DS_SOURCE_DIR) + 1;
        else if (strncmp(a, in, strlen(in)) == 0)
            a += strlen(in) + 1;
        snprintf(shown + l, sizeof shown - l, " %s", a);
    }

    ref = run_k(argv, 0);
    cr_assert(ref.rep.returned && ref.status == status && ref.rep.live == 0 &&
                  !sanitizer_report(ref.err),
              "%s: without failures: exit status %d (expected %d), %ld blocks left:\n%s",
              shown, ref.status, status, ref.rep.live, ref.err);
    cr_assert_gt(ref.rep.points, 0, "%s: no allocation point counted", shown);

    for (k = 1;; k++) {
        const char *bad;
        o = run_k(argv, k);
        if (o.rep.returned && o.rep.failed == 0) {
            /* k is past the last point: the run is the reference run. */
            bad = differs(&o, &ref, why, sizeof why);
            if (bad && problems++ < max_shown)
                cr_log_error("%s: no point failed at k = %ld: %s", shown, k, bad);
            outcome_free(&o);
            break;
        }
        if (o.rep.returned && o.status == status && status != 1) {
            absorbed++;
            bad = differs(&o, &ref, why, sizeof why);
        } else {
            bad = unclean_failure(&o, why, sizeof why);
            clean += !bad;
        }
        if (bad && problems++ < max_shown)
            cr_log_error("%s: point %ld (%s) failed: %s", shown, k, o.rep.what, bad);
        outcome_free(&o);
    }
    fprintf(stderr, "alloc: %s: %ld points; k = 1..%ld: %ld failed cleanly, "
                    "%ld absorbed, %ld not clean\n",
            shown, ref.rep.points, k - 1, clean, absorbed, problems);
    outcome_free(&ref);
    cr_expect_eq(problems, 0, "%s: %ld of %ld failing points were not handled cleanly",
                 shown, problems, k - 1);
}

Test(alloc, validate)
{
    loop(0, "validate", FULL, NULL);
}

/* load -> validate -> run -> every output, with the scenario that uses
 * every feature of the format. */
Test(alloc, run_every_output_one_thread)
{
    loop(0, "run", FULL, "-n", "300", "-j", "1", "-s", "3", "-o", "out.csv",
         "--draws-out", "draws.csv", "--json", "out.json", "-q", NULL);
}

/* More than one block of draws (DS_RUN_BLOCK), so both workers start. */
Test(alloc, run_every_output_two_threads)
{
    loop(0, "run", MINIMAL, "-n", "5000", "-j", "2", "-s", "3", "-o", "out.csv",
         "--draws-out", "draws.csv", "--inputs-out", "inputs.csv", "--json", "out.json",
         "-q", NULL);
}

/* Correlations (validation, factor, copula) and the inputs per draw. */
Test(alloc, run_correlated_inputs)
{
    loop(0, "run", CORRELATED, "-n", "300", "-j", "1", "-s", "3", "-o", "out.csv",
         "--inputs-out", "inputs.csv", "-q", NULL);
}

Test(alloc, run_table_to_stdout_with_set)
{
    loop(0, "run", MINIMAL, "-n", "5000", "-j", "2", "--format", "table",
         "--set", "protocol.rounds=2", "--set", "name=\"changed\"", NULL);
}

/* optimize: arguments, chunk models, the run of each chunk, the front,
 * the CSV; and (optimize_table_in_chunks) the table of the front to
 * stdout, on two threads, in chunks of one candidate. */
Test(alloc, optimize)
{
    loop(0, "optimize", FULL, "-n", "300", "-j", "1", "--terms", "autos=0.1,0.2",
         "--max-retaliation", "china=0.5", "--max-cost", "10", "--min-deal", "0.01",
         "-o", "opt.csv", "-q", NULL);
}

Test(alloc, optimize_table_in_chunks)
{
    /* Two candidates in two runs of one, each of two blocks of draws. */
    setenv("DEALSIM_OPTIMIZE_CHUNK", "1", 1);
    loop(0, "optimize", DS_SOURCE_DIR "/scenarios/tutorial.json", "-n", "4100", "-j", "2",
         "--item", "gas=0", "--format", "table", "--objective", "deficit", NULL);
    unsetenv("DEALSIM_OPTIMIZE_CHUNK");
}

/* Sensitivity: its accumulators (one per worker, two blocks, and the
 * total), the run hook, the JSON and the table; a scenario with every
 * kind of input.  (The CSV's allocations are the JSON's.) */
Test(alloc, sensitivity)
{
    loop(0, "sensitivity", CORRELATED, "-n", "4097", "-j", "2", "-s", "3", "--json",
         "s.json", "--format", "table", "--top", "2", NULL);
}

Test(alloc, sweep_grid)
{
    loop(0, "sweep", MINIMAL, "--vary", "actors.trump.threshold=0.1,0.3", "-n", "100",
         "-j", "1", "-o", "sweep.csv", "-q", NULL);
    loop(0, "sweep", MINIMAL, "--vary", "protocol.rounds=1,2", "--vary",
         "protocol.disconnect=0:0.2:2", "-n", "100", "-j", "2", "--vary-seed", NULL);
}

Test(alloc, sweep_lhs_sobol_and_design_file)
{
    char design[1024];
    loop(0, "sweep", MINIMAL, "--design", "lhs", "--samples", "2", "--vary",
         "protocol.rounds=1:4", "--vary", "protocol.disconnect=0:0.3", "-n", "100",
         "-j", "2", "-o", "sweep.csv", "-q", NULL);
    loop(0, "sweep", MINIMAL, "--design", "sobol", "--samples", "2", "--vary",
         "protocol.disconnect=0:0.3", "-n", "100", "-j", "1", "-q", NULL);
    write_input("design.csv", "protocol.rounds,actors.trump.threshold\n1,0.1\n\"2\",2e-1\n");
    snprintf(design, sizeof design, "%s/design.csv", in);
    loop(0, "sweep", MINIMAL, "--design-file", design, "-n", "100", "-j", "2", "-o",
         "sweep.csv", "-q", NULL);
}

Test(alloc, compare)
{
    loop(0, "compare", CMP "summary_a.csv", CMP "summary_b.csv", "-o", "cmp.csv", NULL);
    loop(0, "compare", CMP "sweep_a.csv", CMP "sweep_b.csv", "--format", "table",
         "--only-significant", NULL);
}

/* Bad inputs: the report's own allocations fail too. */
Test(alloc, problems_reported)
{
    char bad[1024];
    write_input("bad.json",
                "{\"dealsim\": 1, \"name\": \"bad\", \"baseline_deficit\": -5,\n"
                " \"home\": {\"tariff_burden\": 2, \"margn\": 0.2},\n"
                " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,\n"
                "   \"no_deal\": 0.25, \"deal\": 0.15, \"elasticity\": \"high\"}],\n"
                " \"packages\": [{\"id\": \"p\", \"items\": {\"ghost\": 1}}],\n"
                " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\",\n"
                "   \"weights\": {\"deficit\": 1}, \"threshold\": 0.1}],\n"
                " \"protocol\": {\"rounds\": 0}}\n");
    snprintf(bad, sizeof bad, "%s/bad.json", in);
    loop(2, "validate", bad, NULL);
    loop(2, "run", MINIMAL, "--set", "protocol.roundz=3", "--set", "lines.autos.deal=-1",
         NULL);
    loop(2, "sweep", MINIMAL, "--vary", "actors.trump.threshold=\"x\"", "-n", "10", "-j",
         "1", NULL);
}

/* The report: the run, every chart of the page, an optimize file's front,
 * a sweep's curves (a grid of two paths: small multiples); and a bad
 * input. */
Test(alloc, report)
{
    char bad[1024];
    loop(0, "report", FULL, "-n", "300", "-j", "2", "--no-timestamp", "-o", "r.html",
         "--optimize", DS_TEST_DIR "/data/report/optimize.csv", "-q", NULL);
    write_input("sweep2.csv",
                "point,a,b,strategy,draws,p_deal,p_deal_se,deficit_mean,deficit_se,"
                "benefit_mean,benefit_se\n"
                "1,1,1,s,10,0.5,0.1,60,1,2,0.5\n2,1,2,s,10,0.5,0.1,60,1,2,0.5\n"
                "3,2,1,s,10,0.5,0.1,60,1,2,0.5\n4,2,2,s,10,0.5,0.1,60,1,2,0.5\n");
    snprintf(bad, sizeof bad, "%s/sweep2.csv", in);
    loop(0, "report", MINIMAL, "-n", "100", "-j", "1", "--no-timestamp", "-o", "r.html",
         "--sweep", bad, "-q", NULL);
    write_input("bad.csv", "candidate,p_deal,benefit_mean,feasible,front\n1,2,0,1,1\n");
    snprintf(bad, sizeof bad, "%s/bad.csv", in);
    loop(2, "report", MINIMAL, "-o", "r.html", "--optimize", bad, NULL);
}

Test(alloc, scenario_and_help)
{
    loop(0, "scenario", "-o", "s.json", NULL);
    loop(0, "help", "sweep", NULL);
    loop(0, "schema", NULL);
}

/* Warnings (SPEC §3.1) are kept for printing, and counted once per line in
 * a sweep: running out of memory there is a failure, not fewer warnings.
 * An invalid point whose problems cannot all be kept is a failure of
 * memory too (exit 1, not 2). */
Test(alloc, warnings)
{
    loop(0, "validate", DS_TEST_DIR "/data/warn/several.json", NULL);
    loop(0, "sweep", MINIMAL, "--vary", "lines.autos.no_deal=0.2,25", "--set",
         "lines.autos.exports=700", "-n", "10", "-j", "1", "-q", NULL);
    loop(2, "sweep", MINIMAL, "--vary", "lines.autos.no_deal=0.2,25", "-n", "10", "-j", "1",
         "--strict", NULL);
}
