/*
 * cli_optimize.c - `dealsim optimize` (SPEC §12): the command line of the
 * package search of optimize.h.  Flow: outputs checked -> scenario loaded
 * (--set, warnings) -> arguments checked and the first chunk built (bad
 * ones: exit 2, before any run) -> outputs opened -> the chunks run -> the
 * CSV, or the table of the front, written and committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_outfile.h"
#include "dealsim/optimize.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"

/* A testing aid: this environment variable, when set to a positive
 * integer, fixes the candidates per chunk (the results do not depend on
 * it; tests use it to show that). */
#define CHUNK_ENV "DEALSIM_OPTIMIZE_CHUNK"

static void print_lines(const ds_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        fprintf(stderr, "%s\n", r->msg[i]);
    if (r->dropped)
        fprintf(stderr, "... and %zu more\n", r->dropped);
}

int ds_cli_optimize(ds_cli_args *a)
{
    const char *file = a->n_operands ? a->operands[0] : NULL, *env;
    int status, rc, table;
    ds_outfiles os;
    ds_outfile *out;
    ds_scenario *base = NULL;
    ds_model *m = NULL;
    ds_optimize *opt = NULL;
    ds_optimize_spec sp;
    ds_report rep, warn;
    ds_error err = {0};
    ds_run_opts ro;
    uint64_t draws;

    ds_report_init(&rep);
    ds_report_init(&warn);
    ds_outfiles_init(&os, "optimize");
    ds_outfiles_input(&os, "scenario", file);
    out = ds_outfiles_add(&os, a->output ? "-o" : NULL, a->output ? a->output : "-");
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return ds_cli_check_status(status);
    ds_outfiles_catch_signals(&os);

    if ((status = ds_cli_load(file, a, NULL, &base, &m)) != DS_OK) {
        status = ds_cli_load_status(status);
        goto done;
    }
    memset(&sp, 0, sizeof sp);
    sp.items = a->opt_items.v;
    sp.n_items = a->opt_items.n;
    sp.terms = a->opt_terms.v;
    sp.n_terms = a->opt_terms.n;
    sp.max_cost = a->max_cost;
    sp.max_ret = a->max_ret.v;
    sp.n_max_ret = a->max_ret.n;
    sp.min_deal = a->min_deal;
    sp.objective = a->objective ? (ds_opt_objective)(a->objective - 1) : DS_OPT_BENEFIT;
    sp.front_only = a->front_only;
    sp.threads = ds_cli_threads(a);
    if ((env = getenv(CHUNK_ENV)) && *env) {
        uint64_t c;
        if (ds_cli_parse_uint(env, 1, DS_MAX_STRATEGIES, &c) != 0) {
            fprintf(stderr, "dealsim optimize: %s must be an integer in 1 ... %d, got '%s'\n",
                    CHUNK_ENV, DS_MAX_STRATEGIES, env);
            status = DS_EXIT_USAGE;
            goto done;
        }
        sp.chunk = (size_t)c;
    }
    rc = ds_optimize_new(base, m, &sp, a->strict, &opt, &warn, &rep, &err);
    print_lines(&rep);
    print_lines(&warn);
    if (rc != DS_OK) {
        fprintf(stderr, "dealsim optimize: %s\n", err.msg);
        if (rc == DS_EINVAL)
            fprintf(stderr, "Try 'dealsim help optimize'.\n");
        status = rc == DS_ENOMEM ? DS_EXIT_RUNTIME : DS_EXIT_USAGE;
        goto done;
    }
    draws = a->draws.text ? a->draws.v : m->draws;
    if (ds_outfiles_open(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!a->quiet && ds_optimize_chunks(opt) > 1)
        fprintf(stderr, "dealsim optimize: %zu candidates in %zu runs of %zu\n",
                ds_optimize_candidates(opt), ds_optimize_chunks(opt),
                ds_optimize_chunk_size(opt));
    ds_cli_progress_start(a, draws, ds_optimize_chunks(opt));
    memset(&ro, 0, sizeof ro);
    ro.draws = draws;
    ro.seed = a->seed.text ? a->seed.v : m->seed;
    ro.threads = ds_cli_threads(a);
    ro.progress = ds_cli_progress;
    ro.stop = &ds_outfiles_stop;
    ds_outfiles_cooperate(1);
    rc = ds_optimize_run(opt, &ro, &err);
    ds_outfiles_cooperate(0);
    ds_cli_progress_clear();
    if (rc != DS_OK || ds_outfiles_stop) {
        status = ds_cli_run_failed("optimize", &os, NULL, rc, &err);
        goto done;
    }
    /* -o is the CSV; standard output a table on a terminal (as run). */
    table = !a->output && (a->format ? a->format == 1 : isatty(STDOUT_FILENO));
    rc = table ? ds_optimize_table(opt, out->f, out->name, &err)
               : ds_optimize_csv(opt, out->f, out->name, &err);
    if (rc == DS_EIO && out->f && ferror(out->f)) {
        ds_outfiles_write_failed(&os, out);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (rc != DS_OK) {
        fprintf(stderr, "dealsim optimize: %s\n", err.msg);
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    ds_outfiles_finished(out);
    if (ds_outfiles_commit(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (!a->quiet && a->output && ds_cli_is_regular(a->output))
        fprintf(stderr, "dealsim optimize: wrote %s (%zu candidates)\n", a->output,
                ds_optimize_candidates(opt));
    status = DS_EXIT_OK;
done:
    ds_outfiles_abort(&os);
    ds_optimize_free(opt);
    ds_model_free(m);
    ds_scenario_free(base);
    ds_report_free(&rep);
    ds_report_free(&warn);
    return status;
}
