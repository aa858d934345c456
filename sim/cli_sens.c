/*
 * cli_sens.c - `dealsim sensitivity` (SPEC §11): load the scenario as `run`
 * does, run its draws once with a sensitivity accumulator on the run's
 * per-draw hook, and write the CSV, the JSON and the text tornado.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_opts.h"
#include "cli_outfile.h"
#include "dealsim/error.h"
#include "dealsim/output.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/sens.h"

/* Inputs per outcome in the table without --top (SPEC §11). */
#define DEFAULT_TOP 10

enum { FMT_DEFAULT, FMT_TABLE, FMT_CSV, FMT_JSON }; /* the --format values */

/* The index of strategy `id` of m, or n_strategies. */
static size_t find_strategy(const ds_model *m, const char *id)
{
    size_t k;
    for (k = 0; k < m->n_strategies; k++)
        if (strcmp(m->strategies[k].id, id) == 0)
            break;
    return k;
}

/* "--strategy: no strategy 'x' in SCENARIO; its strategies are a, b, c". */
static void no_strategy(const ds_model *m, const char *id, const char *file)
{
    fprintf(stderr, "dealsim sensitivity: --strategy: no strategy '%s' in %s; "
                    "its strategies are ", id, file ? file : DS_BUILTIN_NAME);
    for (size_t k = 0; k < m->n_strategies; k++)
        fprintf(stderr, "%s%s", k ? ", " : "", m->strategies[k].id);
    fprintf(stderr, "\nTry 'dealsim help sensitivity'.\n");
}

/* Write with `call` to output o; on failure say why.  DS_OK or not. */
static int written(ds_outfiles *os, ds_outfile *o, int rc)
{
    if (rc == DS_ENOMEM)
        fprintf(stderr, "dealsim sensitivity: out of memory\n");
    else if (rc != DS_OK)
        ds_outfiles_write_failed(os, o);
    else
        ds_outfiles_finished(o);
    return rc;
}

int ds_cli_sensitivity(ds_cli_args *a)
{
    const char *file = a->n_operands ? a->operands[0] : NULL;
    int format = a->format, status;
    size_t only = (size_t)-1, top = a->top.text ? (size_t)a->top.v : DEFAULT_TOP;
    ds_model *m = NULL;
    ds_stats *stats = NULL;
    ds_sens *sens = NULL;
    ds_outfiles os;
    ds_outfile *out, *jout, *std;
    ds_error err = {0};
    ds_run_hook hook;
    ds_run_opts ro;
    ds_run_meta meta;
    char sha[65];

    ds_outfiles_init(&os, "sensitivity");
    ds_outfiles_input(&os, "scenario", file);
    out = ds_outfiles_add(&os, "-o", a->output);
    jout = ds_outfiles_add(&os, "--json", a->json);
    std = a->output ? NULL : ds_outfiles_add(&os, NULL, "-");
    if ((status = ds_outfiles_check(&os)) != DS_OK)
        return ds_cli_check_status(status);
    ds_outfiles_catch_signals(&os);

    status = ds_cli_load(file, a, sha, NULL, &m);
    if (status != DS_OK) {
        status = ds_cli_load_status(status);
        goto done;
    }
    if (a->strategy && (only = find_strategy(m, a->strategy)) == m->n_strategies) {
        no_strategy(m, a->strategy, file);
        status = DS_EXIT_USAGE;
        goto done;
    }
    if (!(sens = ds_sens_new(m))) {
        fprintf(stderr, "dealsim sensitivity: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    if (ds_outfiles_open(&os) != DS_OK) {
        status = DS_EXIT_RUNTIME;
        goto done;
    }

    memset(&ro, 0, sizeof ro);
    ro.draws = a->draws.text ? a->draws.v : m->draws;
    ro.seed = a->seed.text ? a->seed.v : m->seed;
    ds_sens_hook(sens, &hook);
    ro.hook = &hook;
    status = ds_cli_run_draws(a, m, &ro, &stats, &err);
    if (status != DS_OK || ds_outfiles_stop) {
        status = ds_cli_run_failed("sensitivity", &os, NULL, status, &err);
        goto done;
    }

    meta.scenario_file = file ? file : DS_BUILTIN_NAME;
    meta.sha256 = sha;
    meta.seed = ro.seed;
    meta.draws = ro.draws;
    status = DS_EXIT_RUNTIME;
    if (out && written(&os, out, ds_sens_csv(m, sens, out->f)) != DS_OK)
        goto done;
    if (jout && written(&os, jout, ds_sens_json(m, sens, &meta, jout->f)) != DS_OK)
        goto done;
    if (std) {
        int rc;
        if (format == FMT_DEFAULT)
            format = isatty(STDOUT_FILENO) ? FMT_TABLE : FMT_CSV;
        rc = format == FMT_TABLE ? ds_sens_table(m, sens, &meta, only, top, std->f)
             : format == FMT_CSV ? ds_sens_csv(m, sens, std->f)
                                 : ds_sens_json(m, sens, &meta, std->f);
        if (written(&os, std, rc) != DS_OK)
            goto done;
    }
    /* Every output written and checked, then all renamed, or none. */
    if (ds_outfiles_commit(&os) != DS_OK)
        goto done;
    if (!a->quiet && a->output && ds_cli_is_regular(a->output))
        fprintf(stderr, "dealsim sensitivity: wrote %s\n", a->output);
    status = DS_EXIT_OK;
done:
    ds_outfiles_abort(&os);
    ds_stats_free(stats);
    ds_sens_free(sens);
    ds_model_free(m);
    return status;
}
