/*
 * cli_report.c - `dealsim report` (SPEC §13): run the scenario as `run`
 * does, with its sensitivity (SPEC §11) from the same draws, and write the
 * HTML page of report.h to -o, through the all-or-none output files of
 * cli_outfile.c.  A sweep or optimize file is read and checked before any
 * draw, so bad input costs nothing.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_opts.h"
#include "cli_outfile.h"
#include "dealsim/csv.h"
#include "dealsim/error.h"
#include "dealsim/output.h"
#include "dealsim/report.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/sens.h"

/* What the page says in place of the tornado charts. */
#define NO_TORNADO_ASKED "Left out (--no-sensitivity)."
#define NO_TORNADO_INPUTS                                                      \
    "The scenario has no uncertain inputs: every dist is a fixed value, so "   \
    "nothing drives the outcomes."

/* Inputs per tornado: the top of each ranking, as many as the table of
 * `dealsim sensitivity` shows by default. */
#define TORNADO_TOP 10

/* The tornadoes of `deal` and `benefit` of every strategy, from the
 * sensitivity of the run (SPEC §11), and the arrays they point into. */
typedef struct tornadoes {
    ds_report_tornado *t;  /* [n] */
    size_t n;
    const char **path;     /* [inputs] every input's path (the model's) */
    const char **input;    /* [n * top] */
    double *low, *high;    /* [n * top] */
} tornadoes;

static void tornadoes_free(tornadoes *tt)
{
    free(tt->t);
    free(tt->path);
    free(tt->input);
    free(tt->low);
    free(tt->high);
    memset(tt, 0, sizeof *tt);
}

/* Fill tt from s (flushed): per strategy, `deal` then `benefit`, each with
 * its top inputs by |swing|.  Nothing when the model has no inputs.
 * DS_OK or DS_ENOMEM (tt then empty). */
static int tornadoes_make(const ds_model *m, const ds_sens *s, tornadoes *tt)
{
    static const ds_sens_outcome OUT[2] = {DS_SENS_DEAL, DS_SENS_BENEFIT};
    size_t ni = ds_sens_n_inputs(s), top = ni < TORNADO_TOP ? ni : TORNADO_TOP, nr, j = 0;
    size_t n = 2 * m->n_strategies;
    ds_sens_row *rows = NULL;

    memset(tt, 0, sizeof *tt);
    if (!ni)
        return DS_OK;
    tt->t = calloc(n, sizeof *tt->t);
    tt->path = malloc(ni * sizeof *tt->path);
    tt->input = malloc(n * top * sizeof *tt->input);
    tt->low = malloc(n * top * sizeof *tt->low);
    tt->high = malloc(n * top * sizeof *tt->high);
    if (!tt->t || !tt->path || !tt->input || !tt->low || !tt->high ||
        ds_sens_rows(s, &rows, &nr) != DS_OK) {
        tornadoes_free(tt);
        return DS_ENOMEM;
    }
    for (size_t i = 0; i < m->n_dists && j < ni; i++)
        if (ds_model_is_input(m, i))
            tt->path[j++] = m->dists[i].path;
    for (size_t k = 0; k < m->n_strategies; k++)
        for (size_t o = 0; o < 2; o++) {
            size_t t = 2 * k + o;
            /* The rows of (k, outcome) are together, in rank order. */
            const ds_sens_row *r = rows + (k * DS_SENS_N_OUTCOMES + (size_t)OUT[o]) * ni;
            ds_report_tornado *x = &tt->t[t];
            for (size_t i = 0; i < top; i++) {
                tt->input[t * top + i] = tt->path[r[i].input];
                tt->low[t * top + i] = r[i].low;
                tt->high[t * top + i] = r[i].high;
            }
            x->strategy = k;
            x->outcome = ds_sens_outcome_name(OUT[o]);
            x->unit = OUT[o] == DS_SENS_DEAL ? "fraction" : "bn/yr";
            x->mean = ds_sens_mean(s, k, OUT[o]);
            x->n = top;
            x->input = tt->input + t * top;
            x->low = tt->low + t * top;
            x->high = tt->high + t * top;
        }
    tt->n = n;
    free(rows);
    return DS_OK;
}

/* Read and check an input CSV (`check` is the report's checker): 0, or
 * the exit status after printing the problem. */
static int read_input(const char *path, int (*check)(const ds_csv *, ds_error *),
                      ds_csv **out)
{
    ds_error err = {0};
    *out = NULL;
    if (ds_csv_read(path, out, &err) == DS_OK && check(*out, &err) == DS_OK)
        return DS_EXIT_OK;
    fprintf(stderr, "dealsim report: %s\n", err.msg);
    ds_csv_free(*out);
    *out = NULL;
    return err.code == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
}

int ds_cli_report(ds_cli_args *a)
{
    const char *file = a->n_operands ? a->operands[0] : NULL;
    ds_outfiles os;
    ds_outfile *out;
    ds_csv *sweep = NULL, *opt = NULL;
    ds_model *m = NULL;
    ds_stats *stats = NULL;
    ds_error err = {0};
    ds_run_opts ro;
    ds_run_meta meta;
    ds_report_page pg;
    ds_sens *sens = NULL;
    ds_run_hook hook;
    tornadoes tt = {0};
    char sha[65], when[64];
    int status;

    if (!a->output) {
        fprintf(stderr, "dealsim report: needs -o FILE, the HTML page to write\n"
                        "Try 'dealsim help report'.\n");
        return DS_EXIT_USAGE;
    }
    ds_outfiles_init(&os, "report");
    ds_outfiles_input(&os, "scenario", file);
    ds_outfiles_input(&os, "sweep file", a->report_sweep);
    ds_outfiles_input(&os, "optimize file", a->report_optimize);
    out = ds_outfiles_add(&os, "-o", a->output);
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return ds_cli_check_status(status);
    ds_outfiles_catch_signals(&os);

    if ((a->report_sweep &&
         (status = read_input(a->report_sweep, ds_report_sweep_check, &sweep)) != 0) ||
        (a->report_optimize &&
         (status = read_input(a->report_optimize, ds_report_optimize_check, &opt)) != 0))
        goto done;
    if ((status = ds_cli_load(file, a, sha, NULL, &m)) != DS_OK) {
        status = ds_cli_load_status(status);
        goto done;
    }
    if (ds_outfiles_open(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    memset(&ro, 0, sizeof ro);
    ro.draws = a->draws.text ? a->draws.v : m->draws;
    ro.seed = a->seed.text ? a->seed.v : m->seed;
    /* The sensitivity comes from the same draws, through the run's hook. */
    if (!a->no_sensitivity) {
        if (!(sens = ds_sens_new(m))) {
            fprintf(stderr, "dealsim report: out of memory\n");
            status = DS_EXIT_RUNTIME;
            goto done;
        }
        ds_sens_hook(sens, &hook);
        ro.hook = &hook;
    }
    status = ds_cli_run_draws(a, m, &ro, &stats, &err);
    if (status != DS_OK || ds_outfiles_stop) {
        status = ds_cli_run_failed("report", &os, NULL, status, &err);
        goto done;
    }

    meta.scenario_file = file ? file : DS_BUILTIN_NAME;
    meta.sha256 = sha;
    meta.seed = ro.seed;
    meta.draws = ro.draws;
    memset(&pg, 0, sizeof pg);
    pg.m = m;
    pg.s = stats;
    pg.meta = &meta;
    pg.sweep = sweep;
    pg.optimize = opt;
    if (sens && tornadoes_make(m, sens, &tt) != DS_OK) {
        fprintf(stderr, "dealsim report: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    pg.tornado = tt.t;
    pg.n_tornado = tt.n;
    pg.no_tornado = a->no_sensitivity ? NO_TORNADO_ASKED : NO_TORNADO_INPUTS;
    if (!a->no_timestamp) {
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm) && strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm))
            pg.generated = when;
    }
    status = ds_report_page_write(&pg, out->f, &err);
    if (status == DS_ENOMEM) {
        fprintf(stderr, "dealsim report: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (status != DS_OK) {
        ds_outfiles_write_failed(&os, out);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    ds_outfiles_finished(out);
    if (ds_outfiles_commit(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!a->quiet && ds_cli_is_regular(a->output))
        fprintf(stderr, "dealsim report: wrote %s\n", a->output);
    status = DS_EXIT_OK;
done:
    ds_outfiles_abort(&os);
    tornadoes_free(&tt);
    ds_sens_free(sens);
    ds_stats_free(stats);
    ds_model_free(m);
    ds_csv_free(sweep);
    ds_csv_free(opt);
    return status;
}
