/*
 * cli_report.c - `dealsim report` (SPEC §13): run the scenario as `run`
 * does and write the HTML page of report.h to -o, through the all-or-none
 * output files of cli_outfile.c.  A sweep or optimize file is read and
 * checked before any draw, so bad input costs nothing.
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

/* What the page says in place of the tornado charts. */
#define NO_TORNADO_ASKED "Left out (--no-sensitivity)."
#define NO_TORNADO_BUILT                                                       \
    "This version of dealsim does not compute the drivers of each outcome; "   \
    "the page shows the rest of the run."

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
    if ((status = ds_cli_load(file, a, sha, &m)) != DS_OK) {
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
    status = ds_cli_run_draws(a, m, &ro, &stats, &err);
    if (status != DS_OK || ds_outfiles_stop) {
        status = ds_cli_run_failed("report", &os, status, &err);
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
    pg.no_tornado = a->no_sensitivity ? NO_TORNADO_ASKED : NO_TORNADO_BUILT;
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
    ds_stats_free(stats);
    ds_model_free(m);
    ds_csv_free(sweep);
    ds_csv_free(opt);
    return status;
}
