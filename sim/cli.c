/*
 * cli.c - `dealsim run | validate | help` and the global options.
 *
 * The only place that prints to the terminal or decides an exit status.  It
 * calls the library in flow order: scenario (load, --set, build) -> run ->
 * output, and owns signal handling so Ctrl-C leaves no partial output.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "dealsim/compare.h"
#include "dealsim/csv.h"
#include "dealsim/design.h"
#include "dealsim/error.h"
#include "dealsim/output.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/sha256.h"
#include "dealsim/sweep.h"
#include "outfile.h"

/* Most worker threads -j accepts: far above any machine this runs on, low
 * enough that a typo (-j 1000000) is an error rather than a hang. */
#define MAX_THREADS 1024

/* A run shorter than this shows no progress line (SPEC §8: "takes more than
 * about a second"). */
#define PROGRESS_DELAY_S 1.0

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* ---- help ----------------------------------------------------------- */

static const char HELP_MAIN[] =
"usage: dealsim <command> [arguments]\n"
"\n"
"dealsim simulates trade-deficit bargaining by Monte Carlo: for each\n"
"concession package or escalation strategy in a scenario file, how likely a\n"
"deal is, in which round, at what tariff, what it does to the deficit, what\n"
"the home side gains, who on the other side supports it, and how likely\n"
"third-party retaliation is.\n"
"\n"
"commands:\n"
"  run [SCENARIO]        simulate (default: the built-in Japan-US 2025 scenario)\n"
"  validate SCENARIO...  check scenario files and print every problem\n"
"  sweep [SCENARIO] --vary PATH=SPEC ...\n"
"                        one run per design point, as one long CSV table\n"
"  compare A.csv B.csv   line up two summary or sweep CSVs: A, B, B - A, z\n"
"  help [COMMAND]        show help for a command\n"
"\n"
"options:\n"
"  -h, --help            show this help\n"
"  --version             show the version\n"
"\n"
"exit status: 0 success, 1 runtime failure (I/O, memory), 2 bad usage or\n"
"invalid scenario, 130 interrupted.\n"
"\n"
"Try:  dealsim run            (the built-in scenario, 100000 draws)\n"
"      dealsim help run\n";

static const char HELP_RUN[] =
"usage: dealsim run [SCENARIO] [options]\n"
"\n"
"Simulate every strategy of SCENARIO (a JSON file; default: the built-in\n"
"Japan-US 2025 scenario) over many random draws and print a summary: one\n"
"row per strategy with P(deal), the mean deal round, tariff, deficit,\n"
"benefit to the home side, concession cost, retaliation and approval rates.\n"
"\n"
"options:\n"
"  -n, --draws N         number of draws (default: the scenario's\n"
"                        simulation.draws, else 100000)\n"
"  -s, --seed S          random seed, 0 ... 2^64-1 (default: simulation.seed)\n"
"  -j, --threads N       worker threads (default: all cores); results are\n"
"                        byte-identical for any N\n"
"  -o, --output FILE     write the summary CSV to FILE ('-' = stdout)\n"
"      --draws-out FILE  also write one CSV row per (draw, strategy)\n"
"      --json FILE       also write the summary and run metadata as JSON\n"
"      --format F        what goes to stdout without -o: table, csv or json\n"
"                        (default: table on a terminal, csv otherwise)\n"
"      --set PATH=VALUE  change the scenario before validation, e.g.\n"
"                        --set actors.trump.threshold=0.2 (repeatable)\n"
"      --progress        show a progress line on stderr\n"
"      --no-progress     never show it (default: shown on a terminal for\n"
"                        runs longer than about a second)\n"
"  -q, --quiet           print nothing but results and errors\n"
"  -h, --help            show this help\n"
"\n"
"Output files are written to a temporary name and renamed when complete;\n"
"Ctrl-C stops promptly, leaves no partial file and exits with status 130.\n"
"\n"
"examples:\n"
"  dealsim run\n"
"  dealsim run scenarios/japan_us_2025.json -n 1000000 -o summary.csv\n"
"  dealsim run my.json --set protocol.rounds=5 --format json\n";

static const char HELP_VALIDATE[] =
"usage: dealsim validate [SCENARIO...]\n"
"\n"
"Check each scenario file completely (SPEC sections 2-4: keys, types,\n"
"ranges, ids, references, limits) and print every problem found, one per\n"
"line on stderr:\n"
"  FILE:LINE:COL: error: MESSAGE     (JSON syntax)\n"
"  FILE: error: PATH: MESSAGE        (everything else, PATH by ids)\n"
"A valid file prints 'FILE: ok' on stdout.  Without a file, the built-in\n"
"scenario is checked.  Exit status 0 if every file is valid, else 2.\n"
"\n"
"options:\n"
"      --set PATH=VALUE  apply an override before validation (repeatable)\n"
"  -h, --help            show this help\n";

static const char HELP_SWEEP[] =
"usage: dealsim sweep [SCENARIO] --vary PATH=SPEC ... [options]\n"
"       dealsim sweep [SCENARIO] --design-file FILE.csv [options]\n"
"\n"
"Run one Monte Carlo per design point and write one CSV row per (point,\n"
"strategy): point, one column per varied path, then the summary columns of\n"
"`dealsim run`.  Every point is validated before any is run.  Every point\n"
"uses the same seed and draws (common random numbers, so response curves\n"
"are smooth) unless --vary-seed is given.\n"
"\n"
"SPEC of --vary PATH=SPEC:\n"
"  v1,v2,...             a list of values (grid design)\n"
"  a:b:k                 k evenly spaced values from a to b inclusive (grid)\n"
"  a:b                   a range (lhs and sobol designs)\n"
"\n"
"options:\n"
"      --vary PATH=SPEC  a varied path (repeatable; the first varies slowest)\n"
"      --design D        grid (default: every combination), lhs or sobol\n"
"      --samples N       points of an lhs or sobol design\n"
"      --design-file F   points from a CSV whose header names the paths\n"
"                        (e.g. written by SALib or the EMA Workbench)\n"
"      --vary-seed       point i (0-based) uses seed + i\n"
"  -n, --draws N         draws per point (default: simulation.draws)\n"
"  -s, --seed S          seed (default: simulation.seed); also seeds lhs\n"
"  -j, --threads N       worker threads (default: all cores)\n"
"  -o, --output FILE     write the CSV to FILE (default: stdout)\n"
"      --set PATH=VALUE  change the base scenario first (repeatable)\n"
"      --progress, --no-progress, -q, --quiet   as for `dealsim run`\n"
"\n"
"examples:\n"
"  dealsim sweep --vary actors.trump.threshold=0:0.6:7 -n 20000 -o t.csv\n"
"  dealsim sweep my.json --vary protocol.rounds=1,2,3 \\\n"
"                --vary protocol.disconnect=0:0.4:5\n"
"  dealsim sweep my.json --design lhs --samples 200 \\\n"
"                --vary home.margin=0.1:0.4 --vary elasticity=0.8:4\n";

static const char HELP_COMPARE[] =
"usage: dealsim compare A.csv B.csv [options]\n"
"\n"
"Line up two summary CSVs (from `dealsim run`) or two sweep CSVs by\n"
"strategy (and point) and write, per (strategy [, point], metric): A, B,\n"
"B - A and, where both files have the metric's standard error, the z-score\n"
"(B - A) / sqrt(seA^2 + seB^2).  Under common random numbers (the same seed)\n"
"this z is conservative.  Files that do not line up are an error that says\n"
"where.\n"
"\n"
"options:\n"
"      --only-significant  keep only rows with |z| >= the threshold\n"
"      --z Z             the threshold (default 1.96)\n"
"  -o, --output FILE     write to FILE (default: stdout)\n";

static int help(const char *cmd)
{
    if (!cmd)
        fputs(HELP_MAIN, stdout);
    else if (strcmp(cmd, "run") == 0)
        fputs(HELP_RUN, stdout);
    else if (strcmp(cmd, "validate") == 0)
        fputs(HELP_VALIDATE, stdout);
    else if (strcmp(cmd, "sweep") == 0)
        fputs(HELP_SWEEP, stdout);
    else if (strcmp(cmd, "compare") == 0)
        fputs(HELP_COMPARE, stdout);
    else {
        fprintf(stderr, "dealsim: no help for unknown command '%s'\n", cmd);
        return DS_EXIT_USAGE;
    }
    return DS_EXIT_OK;
}

/* ---- option parsing ----------------------------------------------------- */

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "dealsim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'dealsim help %s'.\n", cmd);
    return DS_EXIT_USAGE;
}

/* Match argv[*i] against a short and a long option that takes a value
 * ("-n 5", "-n5", "--draws 5", "--draws=5").  On a match stores the value in
 * *val (NULL when it is missing) and advances *i past it. */
static int opt_value(int argc, char **argv, int *i, const char *shrt,
                     const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t n;

    *val = NULL;
    if (shrt && strncmp(a, shrt, 2) == 0 && a[1] != '-') {
        if (a[2]) {
            *val = a + 2;
        } else if (*i + 1 < argc) {
            *val = argv[++*i];
        }
        return 1;
    }
    n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
        if (a[n] == '=')
            *val = a + n + 1;
        else if (*i + 1 < argc)
            *val = argv[++*i];
        return 1;
    }
    return 0;
}

/* Parse an unsigned decimal integer in [lo, hi].  Accepts plain digits and,
 * for convenience, an exact integer in scientific form ("1e6"). */
static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    const char *p = s;
    uint64_t v = 0;

    if (!s || !*s)
        return -1;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        p++;
    }
    if (*p) {
        /* 1e6, 2.5e5: exact integers below 2^53 only. */
        char *end;
        double x;
        if (p == s && *p != '.')
            return -1;
        errno = 0;
        x = strtod(s, &end);
        if (*end || errno || !(x >= 0) || x > 9007199254740992.0 || x != floor(x))
            return -1;
        v = (uint64_t)x;
    }
    if (v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* ---- scenario loading ------------------------------------------------- */

static void print_report(const ds_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        fprintf(stderr, "%s\n", rep->msg[i]);
    if (rep->dropped)
        fprintf(stderr, "... and %zu more problems\n", rep->dropped);
}

/* Load `file` (NULL = built-in), apply the --set arguments and build the
 * model into *m (caller frees).  Prints every problem.  Returns DS_OK,
 * DS_EINVAL (problems printed) or DS_ENOMEM. */
static int load_model(const char *file, char **sets, int nsets, ds_model **m)
{
    ds_report rep;
    ds_scenario *s;
    int rc = DS_EINVAL;

    ds_report_init(&rep);
    *m = NULL;
    if (file)
        s = ds_scenario_load(file, &rep);
    else
        s = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                              ds_builtin_scenario_len, &rep);
    if (s) {
        int bad = 0;
        for (int i = 0; i < nsets; i++)
            if (ds_scenario_set_arg(s, sets[i], &rep) != DS_OK)
                bad = 1;
        if (!bad)
            rc = ds_scenario_build(s, m, &rep);
    }
    print_report(&rep);
    if (rc == DS_OK && ds_report_count(&rep) > 0) {
        /* Never run a scenario that had any problem. */
        ds_model_free(*m);
        *m = NULL;
        rc = DS_EINVAL;
    }
    ds_scenario_free(s);
    ds_report_free(&rep);
    return rc;
}

/* Read a whole file for its digest.  NULL on failure. */
static char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *p;
            cap = cap ? 2 * cap : 1 << 16;
            if (cap > (size_t)DS_MAX_FILE_BYTES * 2 || !(p = realloc(buf, cap))) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* 1 if path is a regular file (worth telling the user it was written). */
static int is_regular(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- validate --------------------------------------------------------- */

static int cmd_validate(int argc, char **argv)
{
    char **files = calloc((size_t)argc + 1, sizeof *files);
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int nfiles = 0, nsets = 0, status = DS_EXIT_OK;

    if (!files || !sets) {
        fprintf(stderr, "dealsim: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            status = help("validate");
            goto done;
        } else if (opt_value(argc, argv, &i, NULL, "--set", &v)) {
            if (!v) {
                status = usage_error("validate", "%s needs PATH=VALUE", "--set");
                goto done;
            }
            sets[nsets++] = (char *)v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            status = usage_error("validate", "unknown option '%s'", argv[i]);
            goto done;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        ds_model *m = NULL;
        const char *name = nfiles ? files[i] : NULL;
        int rc = load_model(name, sets, nsets, &m);
        if (rc == DS_OK)
            printf("%s: ok\n", name ? name : DS_BUILTIN_NAME);
        else if (rc == DS_ENOMEM && status == DS_EXIT_OK)
            status = DS_EXIT_RUNTIME;
        else
            status = DS_EXIT_USAGE;
        ds_model_free(m);
    }
done:
    free(files);
    free(sets);
    return status;
}

/* ---- run -------------------------------------------------------------- */

typedef struct progress {
    struct timespec t0;
    int enabled;   /* 1: show after PROGRESS_DELAY_S; 2: --progress */
    int shown;     /* a line is on the terminal */
    int tty;
} progress;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    double el = since(&p->t0), rate, eta;

    if (!p->enabled || el < PROGRESS_DELAY_S || done >= total)
        return;
    rate = done / (el > 0 ? el : 1);
    eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "%s%5.1f%%  %llu/%llu draws  %.3g draws/s  ETA %.0fs   %s",
            p->tty ? "\r" : "", 100.0 * (double)done / (double)total,
            (unsigned long long)done, (unsigned long long)total, rate, eta,
            p->tty ? "" : "\n");
    fflush(stderr);
    p->shown = 1;
}

static void progress_clear(progress *p)
{
    if (p->shown && p->tty)
        fprintf(stderr, "\r%*s\r", 72, "");
    p->shown = 0;
}

/* Options that `run` and `sweep` share. */
typedef struct common_opts {
    const char *file;      /* the scenario, NULL = built-in */
    const char *out_name;  /* -o */
    char **sets;           /* --set arguments, [nsets] (argv's strings) */
    int nsets;
    uint64_t draws, seed, threads; /* 0 threads = all cores */
    int have_draws, have_seed;
    int quiet, prog;       /* prog: -1 default, 0 --no-progress, 1 --progress */
} common_opts;

/* Take argv[*i] (and its value) into co if it is a shared option or the
 * scenario.  Returns 1 when taken, 0 when it is not one, -1 after printing a
 * usage error. */
static int common_option(const char *cmd, int argc, char **argv, int *i,
                         common_opts *co)
{
    const char *a = argv[*i], *v;

    if (opt_value(argc, argv, i, "-n", "--draws", &v)) {
        if (parse_u64(v, 1, UINT64_MAX, &co->draws) != 0)
            return usage_error(cmd, "-n/--draws must be an integer >= 1, got '%s'",
                               v ? v : ""), -1;
        co->have_draws = 1;
    } else if (opt_value(argc, argv, i, "-s", "--seed", &v)) {
        /* Plain digits only: every 64-bit seed must be reachable exactly. */
        if (!v || !*v || strspn(v, "0123456789") != strlen(v) ||
            parse_u64(v, 0, UINT64_MAX, &co->seed) != 0)
            return usage_error(cmd, "-s/--seed must be an integer in 0 ... 2^64-1, got '%s'",
                               v ? v : ""), -1;
        co->have_seed = 1;
    } else if (opt_value(argc, argv, i, "-j", "--threads", &v)) {
        if (parse_u64(v, 1, MAX_THREADS, &co->threads) != 0)
            return usage_error(cmd, "-j/--threads must be an integer in 1 ... 1024, got '%s'",
                               v ? v : ""), -1;
    } else if (opt_value(argc, argv, i, "-o", "--output", &v)) {
        if (!v)
            return usage_error(cmd, "%s needs a value", a), -1;
        co->out_name = v;
    } else if (opt_value(argc, argv, i, NULL, "--set", &v)) {
        if (!v)
            return usage_error(cmd, "%s needs a value", a), -1;
        co->sets[co->nsets++] = (char *)v;
    } else if (strcmp(a, "--progress") == 0) {
        co->prog = 1;
    } else if (strcmp(a, "--no-progress") == 0) {
        co->prog = 0;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
        co->quiet = 1;
    } else if (a[0] != '-' || !a[1]) {
        if (co->file)
            return usage_error(cmd, "more than one scenario given ('%s')", a), -1;
        co->file = a;
    } else {
        return 0;
    }
    return 1;
}

/* All cores, unless -j said otherwise. */
static int thread_count(const common_opts *co)
{
    long n;
    if (co->threads)
        return (int)co->threads;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

enum { FMT_DEFAULT, FMT_TABLE, FMT_CSV, FMT_JSON };

static int cmd_run(int argc, char **argv)
{
    const char *draws_name = NULL, *json_name = NULL, *v;
    int format = FMT_DEFAULT, status;
    common_opts co = {0};
    ds_model *m = NULL;
    ds_stats *stats = NULL;
    ds_outfile out = {0}, dout = {0}, jout = {0};
    ds_error err = {0};
    char *text = NULL;
    size_t len = 0;
    char sha[65];
    progress pr = {0};
    ds_run_opts ro;
    ds_run_meta meta;
    FILE *sink;

    co.prog = -1;
    if (!(co.sets = calloc((size_t)argc + 1, sizeof *co.sets))) {
        fprintf(stderr, "dealsim: out of memory\n");
        return DS_EXIT_RUNTIME;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(co.sets);
            return help("run");
        } else if ((took = common_option("run", argc, argv, &i, &co)) != 0) {
            if (took < 0) {
                free(co.sets);
                return DS_EXIT_USAGE;
            }
        } else if (opt_value(argc, argv, &i, NULL, "--draws-out", &v)) {
            if (!v)
                goto missing;
            draws_name = v;
        } else if (opt_value(argc, argv, &i, NULL, "--json", &v)) {
            if (!v)
                goto missing;
            json_name = v;
        } else if (opt_value(argc, argv, &i, NULL, "--format", &v)) {
            if (v && strcmp(v, "table") == 0)
                format = FMT_TABLE;
            else if (v && strcmp(v, "csv") == 0)
                format = FMT_CSV;
            else if (v && strcmp(v, "json") == 0)
                format = FMT_JSON;
            else {
                free(co.sets);
                return usage_error("run", "--format must be table, csv or json, got '%s'",
                                   v ? v : "");
            }
        } else {
            free(co.sets);
            return usage_error("run", "unknown option '%s'", a);
        }
        continue;
    missing:
        free(co.sets);
        return usage_error("run", "%s needs a value", a);
    }

    status = load_model(co.file, co.sets, co.nsets, &m);
    if (status != DS_OK) {
        status = status == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
        goto done;
    }
    if (!co.have_draws)
        co.draws = m->draws;
    if (!co.have_seed)
        co.seed = m->seed;
    if (co.file) {
        if (!(text = slurp(co.file, &len))) {
            fprintf(stderr, "dealsim run: %s: cannot read: %s\n", co.file,
                    strerror(errno));
            status = DS_EXIT_RUNTIME;
            goto done;
        }
        ds_sha256_hex(text, len, sha);
    } else {
        ds_sha256_hex(ds_builtin_scenario, ds_builtin_scenario_len, sha);
    }

    /* Open every output before the run, so a bad path fails in a second,
     * not after an hour. */
    catch_signals();
    if ((co.out_name && ds_outfile_open(&out, co.out_name, &err) != DS_OK) ||
        (draws_name && ds_outfile_open(&dout, draws_name, &err) != DS_OK) ||
        (json_name && ds_outfile_open(&jout, json_name, &err) != DS_OK)) {
        fprintf(stderr, "dealsim run: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (dout.f)
        ds_run_draws_header(m, dout.f);

    pr.tty = isatty(STDERR_FILENO);
    pr.enabled = co.quiet ? 0 : co.prog == 1 ? 2 : co.prog == 0 ? 0 : pr.tty;
    clock_gettime(CLOCK_MONOTONIC, &pr.t0);
    memset(&ro, 0, sizeof ro);
    ro.draws = co.draws;
    ro.seed = co.seed;
    ro.threads = thread_count(&co);
    ro.draws_out = dout.f;
    ro.progress = on_progress;
    ro.progress_ctx = &pr;
    ro.stop = &g_stop;
    status = ds_run(m, &ro, &stats, &err);
    progress_clear(&pr);
    if (status == DS_EINTR || g_stop) {
        fprintf(stderr, "dealsim run: interrupted; no output written\n");
        status = DS_EXIT_INTERRUPT;
        goto done;
    }
    if (status != DS_OK) {
        fprintf(stderr, "dealsim run: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }

    meta.scenario_file = co.file ? co.file : DS_BUILTIN_NAME;
    meta.sha256 = sha;
    meta.seed = co.seed;
    meta.draws = co.draws;
    if (out.f && ds_output_csv(m, stats, out.f) != DS_OK)
        goto write_failed;
    if (jout.f && ds_output_json(m, stats, &meta, jout.f) != DS_OK)
        goto write_failed;
    if (!co.out_name) {
        if (format == FMT_DEFAULT)
            format = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_CSV;
        sink = stdout;
        if ((format == FMT_TABLE && ds_output_table(m, stats, &meta, sink) != DS_OK) ||
            (format == FMT_CSV && ds_output_csv(m, stats, sink) != DS_OK) ||
            (format == FMT_JSON && ds_output_json(m, stats, &meta, sink) != DS_OK))
            goto write_failed;
        if (fflush(stdout) != 0)
            goto write_failed;
    }
    if (g_stop) {
        fprintf(stderr, "dealsim run: interrupted; no output written\n");
        status = DS_EXIT_INTERRUPT;
        goto done;
    }
    if ((out.f && ds_outfile_commit(&out, &err) != DS_OK) ||
        (dout.f && ds_outfile_commit(&dout, &err) != DS_OK) ||
        (jout.f && ds_outfile_commit(&jout, &err) != DS_OK)) {
        fprintf(stderr, "dealsim run: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!co.quiet && co.out_name && is_regular(co.out_name))
        fprintf(stderr, "dealsim run: wrote %s\n", co.out_name);
    status = DS_EXIT_OK;
    goto done;

write_failed:
    fprintf(stderr, "dealsim run: writing output failed: %s\n", strerror(errno));
    status = DS_EXIT_RUNTIME;
done:
    ds_outfile_abort(&out);
    ds_outfile_abort(&dout);
    ds_outfile_abort(&jout);
    ds_stats_free(stats);
    ds_model_free(m);
    free(text);
    free(co.sets);
    return status;
}

/* ---- sweep ------------------------------------------------------------ */

static int cmd_sweep(int argc, char **argv)
{
    const char *v;
    const char **vary = calloc((size_t)argc + 1, sizeof *vary);
    size_t nvary = 0;
    int vary_seed = 0, status;
    common_opts co = {0};
    ds_design_args da;
    ds_design *design = NULL;
    ds_scenario *base = NULL;
    ds_model *bm = NULL;
    ds_sweep *sw = NULL;
    ds_report rep;
    ds_error err = {0};
    ds_outfile out = {0};
    progress pr = {0};
    ds_run_opts ro;

    ds_report_init(&rep);
    memset(&da, 0, sizeof da);
    co.prog = -1;
    co.sets = calloc((size_t)argc + 1, sizeof *co.sets);
    if (!vary || !co.sets) {
        fprintf(stderr, "dealsim: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            status = help("sweep");
            goto done;
        } else if ((took = common_option("sweep", argc, argv, &i, &co)) != 0) {
            if (took < 0) {
                status = DS_EXIT_USAGE;
                goto done;
            }
        } else if (opt_value(argc, argv, &i, NULL, "--vary", &v)) {
            if (!v)
                goto missing;
            vary[nvary++] = v;
        } else if (opt_value(argc, argv, &i, NULL, "--design-file", &v)) {
            if (!v)
                goto missing;
            da.design_file = v;
        } else if (opt_value(argc, argv, &i, NULL, "--design", &v)) {
            if (!v)
                goto missing;
            da.design = v;
        } else if (opt_value(argc, argv, &i, NULL, "--samples", &v)) {
            if (!v)
                goto missing;
            da.samples = v;
        } else if (strcmp(a, "--vary-seed") == 0) {
            vary_seed = 1;
        } else {
            status = usage_error("sweep", "unknown option '%s'", a);
            goto done;
        }
        continue;
    missing:
        status = usage_error("sweep", "%s needs a value", a);
        goto done;
    }

    /* The base scenario: parsed once, overridden, validated. */
    base = co.file ? ds_scenario_load(co.file, &rep)
                : ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                    ds_builtin_scenario_len, &rep);
    status = base ? DS_OK : DS_EINVAL;
    for (int i = 0; i < co.nsets && status == DS_OK; i++)
        status = ds_scenario_set_arg(base, co.sets[i], &rep);
    if (status == DS_OK)
        status = ds_scenario_build(base, &bm, &rep);
    if (status != DS_OK || ds_report_count(&rep)) {
        print_report(&rep);
        status = status == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
        goto done;
    }

    da.vary = vary;
    da.n_vary = nvary;
    da.seed = co.have_seed ? co.seed : bm->seed;
    da.is_integer = ds_sweep_is_integer;
    if (ds_design_new(&da, &design, &err) != DS_OK) {
        fprintf(stderr, "dealsim sweep: %s\n", err.msg);
        status = err.code == DS_EINVAL ? DS_EXIT_USAGE
                 : err.code == DS_EIO  ? DS_EXIT_USAGE : DS_EXIT_RUNTIME;
        goto done;
    }
    status = ds_sweep_new(base, design, co.draws, co.have_seed, co.seed, vary_seed,
                          thread_count(&co), &sw, &rep);
    if (status != DS_OK) {
        print_report(&rep);
        status = status == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
        goto done;
    }

    catch_signals();
    if (ds_outfile_open(&out, co.out_name ? co.out_name : "-", &err) != DS_OK) {
        fprintf(stderr, "dealsim sweep: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    pr.tty = isatty(STDERR_FILENO);
    pr.enabled = co.quiet ? 0 : co.prog == 1 ? 2 : co.prog == 0 ? 0 : pr.tty;
    clock_gettime(CLOCK_MONOTONIC, &pr.t0);
    memset(&ro, 0, sizeof ro);
    ro.threads = thread_count(&co);
    ro.progress = on_progress;
    ro.progress_ctx = &pr;
    ro.stop = &g_stop;
    status = ds_sweep_run(sw, &ro, out.f, &err);
    progress_clear(&pr);
    if (status == DS_EINTR || g_stop) {
        fprintf(stderr, "dealsim sweep: interrupted; no output written\n");
        status = DS_EXIT_INTERRUPT;
        goto done;
    }
    if (status != DS_OK || ds_outfile_commit(&out, &err) != DS_OK) {
        fprintf(stderr, "dealsim sweep: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!co.quiet && co.out_name && is_regular(co.out_name))
        fprintf(stderr, "dealsim sweep: wrote %s (%zu points)\n", co.out_name,
                ds_design_points(design));
    status = DS_EXIT_OK;
done:
    ds_outfile_abort(&out);
    ds_sweep_free(sw);
    ds_design_free(design);
    ds_model_free(bm);
    ds_scenario_free(base);
    ds_report_free(&rep);
    free(vary);
    free(co.sets);
    return status;
}

/* ---- compare ---------------------------------------------------------- */

static int cmd_compare(int argc, char **argv)
{
    const char *files[2] = {NULL, NULL}, *out_name = NULL, *v;
    int nfiles = 0, status;
    ds_compare_opts co;
    ds_outfile out = {0};
    ds_error err = {0};

    ds_compare_opts_init(&co);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            return help("compare");
        } else if (strcmp(a, "--only-significant") == 0) {
            co.only_significant = 1;
        } else if (opt_value(argc, argv, &i, NULL, "--z", &v)) {
            char *end;
            double z = v ? strtod(v, &end) : NAN;
            if (!v || !*v || *end || !isfinite(z) || z < 0)
                return usage_error("compare", "--z must be a number >= 0, got '%s'",
                                   v ? v : "");
            co.z_min = z;
        } else if (opt_value(argc, argv, &i, "-o", "--output", &v)) {
            if (!v)
                return usage_error("compare", "%s needs a value", a);
            out_name = v;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("compare", "unknown option '%s'", a);
        } else if (nfiles < 2) {
            files[nfiles++] = a;
        } else {
            return usage_error("compare", "more than two files given ('%s')", a);
        }
    }
    if (nfiles != 2)
        return usage_error("compare", "%s", "needs two CSV files, A and B");
    if (ds_outfile_open(&out, out_name ? out_name : "-", &err) != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        return DS_EXIT_RUNTIME;
    }
    /* Read both files before writing anything: a file that cannot be read
     * or parsed is bad input (2); a failed write is a runtime failure (1). */
    ds_csv *ca = NULL, *cb = NULL;
    if (ds_csv_read(files[0], &ca, &err) != DS_OK ||
        ds_csv_read(files[1], &cb, &err) != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        ds_csv_free(ca);
        ds_outfile_abort(&out);
        return err.code == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
    }
    status = ds_compare_tables(ca, cb, &co, out.f, &err);
    ds_csv_free(ca);
    ds_csv_free(cb);
    if (status != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        ds_outfile_abort(&out);
        return status == DS_EINVAL ? DS_EXIT_USAGE : DS_EXIT_RUNTIME;
    }
    if (ds_outfile_commit(&out, &err) != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        return DS_EXIT_RUNTIME;
    }
    return DS_EXIT_OK;
}

/* ---- main ------------------------------------------------------------- */

int ds_cli_main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (!cmd) {
        fputs(HELP_MAIN, stderr);
        return DS_EXIT_USAGE;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
        return help(NULL);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("dealsim %s (scenario format %d)\n", DS_VERSION, DS_FORMAT_VERSION);
        return DS_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0)
        return help(argc > 2 ? argv[2] : NULL);
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    fprintf(stderr, "dealsim: unknown command '%s'\nTry 'dealsim --help'.\n", cmd);
    return DS_EXIT_USAGE;
}
