/*
 * cli.c - the commands of the command line and the global options.
 *
 * The only place that prints to the terminal or decides an exit status.  The
 * commands and their options are the tables of cli_opts.c, which also parse
 * argv; each command here calls the library in flow order: scenario (load,
 * --set, build) -> run -> output.  Its output files, and the signals that
 * must leave none of them half written, are cli_outfile.c's.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cli_opts.h"
#include "cli_outfile.h"
#include "dealsim/compare.h"
#include "dealsim/csv.h"
#include "dealsim/design.h"
#include "dealsim/error.h"
#include "dealsim/output.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/sha256.h"
#include "dealsim/sweep.h"
#include "dealsim/format.h"

/* A run shorter than this shows no progress line unless asked to (SPEC §8:
 * "takes more than about a second"). */
#define PROGRESS_DELAY_S 1.0

/* Bytes read from a scenario file at a time. */
#define READ_CHUNK 65536

/* ---- output errors ------------------------------------------------------ */

#ifdef DS_HAVE_FORMAT
/* The reason a write to f failed: fflush's errno, else e (the errno the
 * writer left), else EIO.  Never 0, so a message never says "Success".
 * (The commands with output files have the exact reason from
 * cli_outfile.c.) */
static int write_errno(FILE *f, int e)
{
    errno = 0;
    if (f && fflush(f) != 0 && errno)
        return errno;
    return e ? e : EIO;
}
#endif

/* "dealsim CMD: cannot write NAME: REASON"; NULL or "-" is stdout. */
static int write_failed(const char *cmd, const char *name, int e)
{
    if (!name || strcmp(name, "-") == 0)
        name = "standard output";
    fprintf(stderr, "dealsim %s: cannot write %s: %s\n", cmd, name, strerror(e));
    return DS_EXIT_RUNTIME;
}

/* Flush stdout: `status` if all went out, else a message and exit 1. */
static int finish_stdout(const char *cmd, int status)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    return write_failed(cmd, NULL, errno ? errno : EIO);
}

/* ---- scenario loading --------------------------------------------------- */

/* Print every line of rep on stderr; `what` names the lines that did not
 * fit ("problems", "warnings"). */
static void print_lines(const ds_report *rep, const char *what)
{
    for (size_t i = 0; i < rep->n; i++)
        fprintf(stderr, "%s\n", rep->msg[i]);
    if (rep->dropped)
        fprintf(stderr, "... and %zu more %s%s\n", rep->dropped, what,
                rep->nomem ? " (out of memory)" : "");
}

static void print_report(const ds_report *rep)
{
    print_lines(rep, "problems");
}

/* Read `file` (at most DS_MAX_FILE_BYTES + 1 bytes, so the parser can tell
 * a file that is too large) into *text (caller frees) and *len.  The file
 * is read exactly once, so a pipe or FIFO works.  Returns DS_OK, or reports
 * the problem and returns DS_EINVAL or DS_ENOMEM. */
static int read_file(const char *file, char **text, size_t *len, ds_report *rep)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    const size_t max = (size_t)DS_MAX_FILE_BYTES + 1;

    *text = NULL;
    *len = 0;
    if (!f) {
        ds_report_add(rep, "%s: error: cannot read: %s", file, strerror(errno));
        return DS_EINVAL;
    }
    do {
        if (n == cap) {
            size_t ncap = cap + READ_CHUNK > max ? max : cap + READ_CHUNK;
            char *nb;
            if (ncap == cap)
                break;
            /* One spare byte: the text is also a C string. */
            if (!(nb = realloc(buf, ncap + 1))) {
                free(buf);
                fclose(f);
                return ds_report_nomem(rep, file);
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        int e = errno ? errno : EIO;
        free(buf);
        fclose(f);
        ds_report_add(rep, "%s: error: cannot read: %s", file, strerror(e));
        return DS_EINVAL;
    }
    fclose(f);
    if (!buf && !(buf = malloc(1))) /* the loop allocated buf  GCOVR_EXCL_LINE */
        return ds_report_nomem(rep, file); /* GCOVR_EXCL_LINE */
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return DS_OK;
}

/* What load_model does with the scenario's warnings (SPEC §3.1). */
enum {
    LOAD_WARN,  /* print them on stderr; --strict makes them errors */
    LOAD_BASE   /* drop them: a sweep's base, whose points have them */
};

/* Load SCENARIO (NULL: the built-in one), apply a's --set arguments and
 * build the model.  With `sha`, store the SHA-256 of exactly the bytes
 * parsed.  With `sp`, keep the scenario there (caller frees).  Prints every
 * problem and, for LOAD_WARN, every warning, after the problems (a's
 * --strict makes them problems); with n_warn, stores how many warnings
 * there were.  Returns DS_OK with *m set (caller frees), DS_EINVAL
 * (problems printed) or DS_ENOMEM; a scenario with any problem is never
 * returned. */
static int load_model(const char *file, const ds_cli_args *a, int how,
                      char *sha, ds_scenario **sp, ds_model **m,
                      size_t *n_warn)
{
    const ds_cli_list *sets = &a->sets;
    ds_report rep, warn;
    ds_scenario *s = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc;

    ds_report_init(&rep);
    ds_report_init(&warn);
    *m = NULL;
    if (n_warn)
        *n_warn = 0;
    if (sp)
        *sp = NULL;
    if (file) {
        rc = read_file(file, &text, &len, &rep);
        if (rc == DS_OK)
            s = ds_scenario_parse(file, text, len, &rep);
    } else {
        rc = DS_OK;
        text = NULL;
        s = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                              ds_builtin_scenario_len, &rep);
    }
    if (sha && rc == DS_OK) {
        if (file)
            ds_sha256_hex(text, len, sha);
        else
            ds_sha256_hex(ds_builtin_scenario, ds_builtin_scenario_len, sha);
    }
    free(text);
    if (rc == DS_OK && !s)
        rc = DS_EINVAL;
    for (size_t i = 0; rc == DS_OK && i < sets->n; i++)
        rc = ds_scenario_set_arg(s, sets->v[i], &rep);
    if (rc == DS_OK)
        rc = ds_scenario_build_warn(
            s, how == LOAD_WARN && a->strict ? DS_BUILD_STRICT : 0, m, &rep,
            how == LOAD_WARN ? &warn : NULL);
    print_report(&rep);
    print_lines(&warn, "warnings");
    if (n_warn)
        *n_warn = ds_report_count(&warn);
    if (rc == DS_OK && ds_report_count(&rep) > 0) {
        /* Never run a scenario that had any problem. */
        ds_model_free(*m);
        *m = NULL;
        rc = DS_EINVAL;
    }
    /* Problems found while memory ran out may be lost or be its effects:
     * the failure is the memory's, not the file's. */
    if (rc != DS_OK && rep.nomem)
        rc = DS_ENOMEM;
    if (rc == DS_OK && sp)
        *sp = s;
    else
        ds_scenario_free(s);
    ds_report_free(&rep);
    ds_report_free(&warn);
    return rc;
}

static int load_status(int rc)
{
    return rc == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
}

/* 1 if path is a regular file (worth telling the user it was written). */
static int is_regular(const char *path)
{
    struct stat st;
    return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* All cores, unless -j said otherwise. */
static int thread_count(const ds_cli_args *a)
{
    long n;
    if (a->threads.text)
        return (int)a->threads.v;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > DS_CLI_MAX_THREADS ? DS_CLI_MAX_THREADS : (int)n;
}

/* ---- progress ----------------------------------------------------------- */

typedef struct progress {
    struct timespec t0;
    int enabled;        /* 1: show after PROGRESS_DELAY_S; 2: --progress */
    int shown;          /* a line is on the terminal */
    int tty;
    double total;       /* draws of the whole job, counted here: the
                           library's uint64_t total wraps beyond 2^64 */
    uint64_t total_u;   /* the same, when it fits */
    int total_fits;
} progress;

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

static void progress_start(progress *p, const ds_cli_args *a, uint64_t draws, size_t points)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO);
    p->enabled = a->quiet ? 0
                 : a->progress == DS_PROGRESS_ON ? 2
                 : a->progress == DS_PROGRESS_OFF ? 0 : p->tty;
    p->total = (double)draws * (double)points;
    p->total_fits = points == 0 || draws <= UINT64_MAX / points;
    p->total_u = p->total_fits ? draws * (uint64_t)points : UINT64_MAX;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress *p = ctx;
    double el = since(&p->t0), rate, eta;
    char tot[32];

    (void)total;
    if (!p->enabled || el < PROGRESS_DELAY_S || (double)done >= p->total ||
        (p->total_fits && done >= p->total_u))
        return;
    rate = (double)done / (el > 0 ? el : 1);
    eta = rate > 0 ? (p->total - (double)done) / rate : 0;
    if (p->total_fits)
        snprintf(tot, sizeof tot, "%llu", (unsigned long long)p->total_u);
    else
        snprintf(tot, sizeof tot, "%.4g", p->total);
    fprintf(stderr, "%s%5.1f%%  %llu/%s draws  %.3g draws/s  ETA %.0fs   %s",
            p->tty ? "\r" : "", 100.0 * (double)done / p->total,
            (unsigned long long)done, tot, rate, eta, p->tty ? "" : "\n");
    fflush(stderr);
    p->shown = 1;
}

static void progress_clear(progress *p)
{
    if (p->shown && p->tty)
        fprintf(stderr, "\r%*s\r", 72, "");
    p->shown = 0;
}

/* ---- validate ----------------------------------------------------------- */

int ds_cli_validate(ds_cli_args *a)
{
    int status = DS_EXIT_OK;

    for (size_t i = 0; i < (a->n_operands ? a->n_operands : 1); i++) {
        ds_model *m = NULL;
        const char *name = a->n_operands ? a->operands[i] : NULL;
        size_t nw;
        int rc = load_model(name, a, LOAD_WARN, NULL, NULL, &m, &nw);
        if (rc == DS_OK && nw == 0)
            printf("%s: ok\n", name ? name : DS_BUILTIN_NAME);
        else if (rc == DS_OK)
            printf("%s: ok (%zu warning%s)\n", name ? name : DS_BUILTIN_NAME,
                   nw, nw == 1 ? "" : "s");
        else if (rc == DS_ENOMEM && status == DS_EXIT_OK)
            status = DS_EXIT_RUNTIME;
        else
            status = DS_EXIT_USAGE;
        ds_model_free(m);
    }
    return finish_stdout("validate", status);
}

/* ---- run ---------------------------------------------------------------- */

enum { FMT_DEFAULT, FMT_TABLE, FMT_CSV, FMT_JSON }; /* the --format values */

/* Run a writer to output o; on failure report the file and the reason, or
 * that memory ran out. */
#define WRITE_OR_FAIL(call, o)                                          \
    do {                                                               \
        int rc_ = (call);                                              \
        if (rc_ == DS_ENOMEM) /* the table's cells */                  \
            fprintf(stderr, "dealsim run: out of memory\n");           \
        else if (rc_ != DS_OK)                                         \
            ds_outfiles_write_failed(&os, (o));                        \
        if (rc_ != DS_OK) {                                            \
            status = DS_EXIT_RUNTIME;                                  \
            goto done;                                                 \
        }                                                              \
        ds_outfiles_finished(o);                                       \
    } while (0)


/* The exit status of a run or sweep that did not complete (status from
 * ds_run or ds_sweep_run, or a stop request): interrupted, a write to
 * `rows` or `rows2` (the outputs the draws write to, or NULL) that failed
 * (the one whose write failed), or another failure whose message is in
 * err. */
static int run_failed(const char *cmd, ds_outfiles *os, const ds_outfile *rows,
                      const ds_outfile *rows2, int status, const ds_error *err)
{
    if (status == DS_EINTR || ds_outfiles_stop) {
        ds_outfiles_interrupted(os);
        return DS_EXIT_INTERRUPT;
    }
    if (status == DS_EIO) {
        const ds_outfile *o = rows && rows->err     ? rows
                              : rows2 && rows2->err ? rows2
                              : rows                ? rows
                                                    : rows2;
        if (o) {
            ds_outfiles_write_failed(os, o);
            return DS_EXIT_RUNTIME;
        }
    }
    fprintf(stderr, "dealsim %s: %s\n", cmd, err->msg);
    return DS_EXIT_RUNTIME;
}

/* The status of a failed ds_outfiles_check. */
static int check_status(int rc)
{
    return rc == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
}

int ds_cli_run(ds_cli_args *a)
{
    const char *file = a->n_operands ? a->operands[0] : NULL;
    int format = a->format, status;
    uint64_t draws, seed;
    ds_model *m = NULL;
    ds_stats *stats = NULL;
    ds_outfiles os;
    ds_outfile *out, *dout, *iout, *jout, *std;
    ds_error err = {0};
    char sha[65];
    progress pr;
    ds_run_opts ro;
    ds_run_meta meta;

    /* Outputs that collide are bad usage, found before anything is read. */
    ds_outfiles_init(&os, "run");
    ds_outfiles_input(&os, "scenario", file);
    out = ds_outfiles_add(&os, "-o", a->output);
    dout = ds_outfiles_add(&os, "--draws-out", a->draws_out);
    iout = ds_outfiles_add(&os, "--inputs-out", a->inputs_out);
    jout = ds_outfiles_add(&os, "--json", a->json);
    std = a->output ? NULL : ds_outfiles_add(&os, NULL, "-");
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return check_status(status);
    ds_outfiles_catch_signals(&os);

    status = load_model(file, a, LOAD_WARN, sha, NULL, &m, NULL);
    if (status != DS_OK) {
        status = load_status(status);
        goto done;
    }
    draws = a->draws.text ? a->draws.v : m->draws;
    seed = a->seed.text ? a->seed.v : m->seed;

    /* Open every output before the run, so a bad path fails in a second,
     * not after an hour. */
    if (ds_outfiles_open(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (dout)
        ds_run_draws_header(m, dout->f);
    if (iout)
        ds_run_inputs_header(m, iout->f);

    progress_start(&pr, a, draws, 1);
    memset(&ro, 0, sizeof ro);
    ro.draws = draws;
    ro.seed = seed;
    ro.threads = thread_count(a);
    ro.draws_out = dout ? dout->f : NULL;
    ro.inputs_out = iout ? iout->f : NULL;
    ro.progress = on_progress;
    ro.progress_ctx = &pr;
    ro.stop = &ds_outfiles_stop;
    ds_outfiles_cooperate(1);
    status = ds_run(m, &ro, &stats, &err);
    ds_outfiles_cooperate(0);
    progress_clear(&pr);
    if (status != DS_OK || ds_outfiles_stop) {
        status = run_failed("run", &os, dout, iout, status, &err);
        goto done;
    }

    ds_outfiles_finished(dout);
    ds_outfiles_finished(iout);
    meta.scenario_file = file ? file : DS_BUILTIN_NAME;
    meta.sha256 = sha;
    meta.seed = seed;
    meta.draws = draws;
    if (out)
        WRITE_OR_FAIL(ds_output_csv(m, stats, out->f), out);
    if (jout)
        WRITE_OR_FAIL(ds_output_json(m, stats, &meta, jout->f), jout);
    if (std) {
        if (format == FMT_DEFAULT)
            format = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_CSV;
        if (format == FMT_TABLE)
            WRITE_OR_FAIL(ds_output_table(m, stats, &meta, std->f), std);
        else if (format == FMT_CSV)
            WRITE_OR_FAIL(ds_output_csv(m, stats, std->f), std);
        else
            WRITE_OR_FAIL(ds_output_json(m, stats, &meta, std->f), std);
    }
    /* Every output written and checked, then all renamed, or none. */
    if (ds_outfiles_commit(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!a->quiet && a->output && is_regular(a->output))
        fprintf(stderr, "dealsim run: wrote %s\n", a->output);
    status = DS_EXIT_OK;
done:
    ds_outfiles_abort(&os);
    ds_stats_free(stats);
    ds_model_free(m);
    return status;
}

/* ---- sweep -------------------------------------------------------------- */

int ds_cli_sweep(ds_cli_args *a)
{
    const char *file = a->n_operands ? a->operands[0] : NULL;
    int status;
    ds_design_args da;
    ds_design *design = NULL;
    ds_scenario *base = NULL;
    ds_model *bm = NULL;
    ds_sweep *sw = NULL;
    ds_report rep, warn;
    ds_error err = {0};
    ds_outfiles os;
    ds_outfile *out;
    progress pr;
    ds_run_opts ro;

    ds_report_init(&rep);
    ds_report_init(&warn);
    memset(&da, 0, sizeof da);
    ds_outfiles_init(&os, "sweep");
    ds_outfiles_input(&os, "scenario", file);
    ds_outfiles_input(&os, "design file", a->design_file);
    out = ds_outfiles_add(&os, a->output ? "-o" : NULL, a->output ? a->output : "-");
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return check_status(status);
    ds_outfiles_catch_signals(&os);

    /* The base scenario: parsed once, overridden, validated.  Its
     * warnings are the points' (each point is a copy), and a point may
     * override the value warned about: they are reported per point. */
    status = load_model(file, a, LOAD_BASE, NULL, &base, &bm, NULL);
    if (status != DS_OK) {
        status = load_status(status);
        goto done;
    }

    da.vary = a->vary.v;
    da.n_vary = a->vary.n;
    da.design = a->design ? ds_cli_enum_text(DS_CMD_SWEEP, offsetof(ds_cli_args, design), a->design) : NULL;
    da.samples = a->samples.text;
    da.design_file = a->design_file;
    da.seed = a->seed.text ? a->seed.v : bm->seed;
    da.is_integer = ds_sweep_is_integer;
    if (ds_design_new(&da, &design, &err) != DS_OK) {
        fprintf(stderr, "dealsim sweep: %s\n", err.msg);
        status = err.code == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
        goto done;
    }
    status = ds_sweep_new_warn(base, design, a->draws.text ? a->draws.v : 0,
                               a->seed.text != NULL, a->seed.v, a->vary_seed,
                               thread_count(a), a->strict ? DS_BUILD_STRICT : 0,
                               &warn, &sw, &rep);
    if (status != DS_OK) {
        print_report(&rep);
        /* A problem lost to no memory: the failure is the memory's. */
        status = load_status(rep.nomem ? DS_ENOMEM : status);
        goto done;
    }
    print_lines(&warn, "warnings");

    if (ds_outfiles_open(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    progress_start(&pr, a, ds_sweep_draws(sw), ds_design_points(design));
    memset(&ro, 0, sizeof ro);
    ro.threads = thread_count(a);
    ro.progress = on_progress;
    ro.progress_ctx = &pr;
    ro.stop = &ds_outfiles_stop;
    ds_outfiles_cooperate(1);
    status = ds_sweep_run(sw, &ro, out->f, &err);
    ds_outfiles_cooperate(0);
    progress_clear(&pr);
    if (status != DS_OK || ds_outfiles_stop) {
        status = run_failed("sweep", &os, out, NULL, status, &err);
        goto done;
    }
    if (ds_outfiles_commit(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!a->quiet && a->output && is_regular(a->output))
        fprintf(stderr, "dealsim sweep: wrote %s (%zu points)\n", a->output,
                ds_design_points(design));
    status = DS_EXIT_OK;
done:
    ds_outfiles_abort(&os);
    ds_sweep_free(sw);
    ds_design_free(design);
    ds_model_free(bm);
    ds_scenario_free(base);
    ds_report_free(&rep);
    ds_report_free(&warn);
    return status;
}

/* ---- compare ------------------------------------------------------------ */

int ds_cli_compare(ds_cli_args *a)
{
    const char *out_name = a->output ? a->output : "-";
    int status;
    ds_compare_opts co;
    ds_outfiles os;
    ds_outfile *out;
    ds_error err = {0};
    ds_csv *ca = NULL, *cb = NULL;

    ds_compare_opts_init(&co);
    co.only_significant = a->only_significant;
    if (a->z.text)
        co.z_min = a->z.v;
    /* --format: a table on a terminal, else CSV (as `run`). */
    co.table = a->format ? a->format == 1
                         : strcmp(out_name, "-") == 0 && isatty(STDOUT_FILENO);
    ds_outfiles_init(&os, "compare");
    ds_outfiles_input(&os, "input", a->operands[0]);
    ds_outfiles_input(&os, "input", a->operands[1]);
    out = ds_outfiles_add(&os, a->output ? "-o" : NULL, out_name);
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return check_status(status);
    /* The library cannot be stopped midway: a signal removes the temporary
     * and ends dealsim at once. */
    ds_outfiles_catch_signals(&os);
    if (ds_outfiles_open(&os) != DS_OK)
        return DS_EXIT_RUNTIME;
    /* Read both files before writing anything: a file that cannot be read
     * or parsed is bad input (2); a failed write is a runtime failure (1). */
    if (ds_csv_read(a->operands[0], &ca, &err) != DS_OK ||
        ds_csv_read(a->operands[1], &cb, &err) != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        ds_csv_free(ca);
        ds_outfiles_abort(&os);
        return err.code == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
    }
    status = ds_compare_tables(ca, cb, &co, out->f, &err);
    ds_csv_free(ca);
    ds_csv_free(cb);
    if (status == DS_EIO) {
        ds_outfiles_write_failed(&os, out);
        return DS_EXIT_RUNTIME;
    }
    if (status != DS_OK) {
        fprintf(stderr, "dealsim compare: %s\n", err.msg);
        ds_outfiles_abort(&os);
        return status == DS_EINVAL ? DS_EXIT_USAGE : DS_EXIT_RUNTIME;
    }
    return ds_outfiles_commit(&os) == DS_OK ? DS_EXIT_OK : DS_EXIT_RUNTIME;
}

/* ---- scenario, schema --------------------------------------------------- */

int ds_cli_scenario(ds_cli_args *a)
{
    ds_outfiles os;
    ds_outfile *out;
    int status;

    ds_outfiles_init(&os, "scenario");
    out = ds_outfiles_add(&os, a->output ? "-o" : NULL, a->output ? a->output : "-");
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return check_status(status);
    ds_outfiles_catch_signals(&os);
    if (ds_outfiles_open(&os) != DS_OK)
        return DS_EXIT_RUNTIME;
    if (fwrite(ds_builtin_scenario, 1, ds_builtin_scenario_len, out->f) !=
        ds_builtin_scenario_len) {
        ds_outfiles_write_failed(&os, out);
        return DS_EXIT_RUNTIME;
    }
    return ds_outfiles_commit(&os) == DS_OK ? DS_EXIT_OK : DS_EXIT_RUNTIME;
}

int ds_cli_schema(ds_cli_args *a)
{
    (void)a;
    errno = 0;
    if (ds_schema_write(stdout) != DS_OK)
        return write_failed("schema", NULL, errno ? errno : EIO);
    return finish_stdout("schema", DS_EXIT_OK);
}

/* ---- help --------------------------------------------------------------- */

int ds_cli_help(ds_cli_args *a)
{
    const ds_cli_cmd *c = &ds_cli_commands[0];
    const char *topic = a->n_operands ? a->operands[0] : NULL;

    if (a->man + a->commands + (a->completion != 0) > 1) {
        fprintf(stderr, "dealsim help: give one of --man, --completion and --commands\n"
                        "Try 'dealsim help help'.\n");
        return DS_EXIT_USAGE;
    }
    if (topic && (a->commands || a->completion)) {
        fprintf(stderr, "dealsim help: --%s takes no COMMAND, got '%s'\n"
                        "Try 'dealsim help help'.\n",
                a->commands ? "commands" : "completion", topic);
        return DS_EXIT_USAGE;
    }
    /* dealsim-scenario(5): the scenario format, from the format table. */
    if (topic && a->man && strcmp(topic, "format") == 0) {
        errno = 0;
        if (ds_format_man(stdout) != 0)
            return write_failed("help", NULL, errno ? errno : EIO);
        return finish_stdout("help", DS_EXIT_OK);
    }
    if (topic && !(c = ds_cli_find(topic))) {
        ds_cli_unknown_command("dealsim help", topic);
        return DS_EXIT_USAGE;
    }
    errno = 0;
    if (a->commands) {
        for (size_t i = 1; i < ds_cli_n_commands; i++)
            printf("%s\n", ds_cli_commands[i].name);
        return finish_stdout("help", DS_EXIT_OK);
    }
    if ((a->completion == 1 ? ds_cli_write_bash(stdout)
         : a->completion == 2 ? ds_cli_write_zsh(stdout)
         : a->man ? ds_cli_write_man(stdout, c)
         : ds_cli_write_help(stdout, c)) != 0)
        return write_failed("help", NULL, errno ? errno : EIO);
    return DS_EXIT_OK;
}

/* ---- shared with the commands in other files (cli.h) --------------------- */

int ds_cli_load(const char *file, const ds_cli_args *a, char *sha, ds_scenario **sp,
                ds_model **m)
{
    return load_model(file, a, LOAD_WARN, sha, sp, m, NULL);
}

int ds_cli_load_status(int rc)
{
    return load_status(rc);
}

int ds_cli_threads(const ds_cli_args *a)
{
    return thread_count(a);
}

static progress shared_progress;

void ds_cli_progress_start(const ds_cli_args *a, uint64_t draws, size_t points)
{
    progress_start(&shared_progress, a, draws, points);
}

void ds_cli_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    on_progress(&shared_progress, done, total);
}

void ds_cli_progress_clear(void)
{
    progress_clear(&shared_progress);
}

int ds_cli_check_status(int rc)
{
    return check_status(rc);
}

int ds_cli_run_draws(const ds_cli_args *a, const ds_model *m, ds_run_opts *ro,
                     ds_stats **stats, ds_error *err)
{
    progress pr;
    int status;
    progress_start(&pr, a, ro->draws, 1);
    ro->threads = thread_count(a);
    ro->progress = on_progress;
    ro->progress_ctx = &pr;
    ro->stop = &ds_outfiles_stop;
    ds_outfiles_cooperate(1);
    status = ds_run(m, ro, stats, err);
    ds_outfiles_cooperate(0);
    progress_clear(&pr);
    return status;
}

int ds_cli_run_failed(const char *cmd, ds_outfiles *os, const ds_outfile *rows,
                      int status, const ds_error *err)
{
    return run_failed(cmd, os, rows, NULL, status, err);
}

int ds_cli_is_regular(const char *path)
{
    return is_regular(path);
}

/* ---- main --------------------------------------------------------------- */

int ds_cli_main(int argc, char **argv)
{
    const ds_cli_cmd *c = &ds_cli_commands[0];
    ds_cli_args a;
    int status, rc;

    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        ds_cli_write_help(stderr, c);
        return DS_EXIT_USAGE;
    }
    if (argv[1][0] != '-' && !(c = ds_cli_find(argv[1]))) {
        ds_cli_unknown_command("dealsim", argv[1]);
        return DS_EXIT_USAGE;
    }
    /* dealsim's own options take argv as they are; a command its tail. */
    rc = c->name ? ds_cli_parse(c, argc - 1, argv + 1, &a) : ds_cli_parse(c, argc, argv, &a);
    if (rc != 0)
        status = rc == -2 ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
    else if (a.help) {
        errno = 0;
        status = ds_cli_write_help(stdout, c) == 0
                     ? DS_EXIT_OK
                     : write_failed(c->name ? c->name : "--help", NULL, errno ? errno : EIO);
    } else if (a.version) {
        printf("dealsim %s (scenario format %d)\n", DS_VERSION, DS_FORMAT_VERSION);
        status = finish_stdout("--version", DS_EXIT_OK);
    } else if (!c->fn) {
        ds_cli_write_help(stderr, c); /* "dealsim --": no command */
        status = DS_EXIT_USAGE;
    } else {
        status = c->fn(&a);
    }
    ds_cli_args_free(&a);
    return status;
}
