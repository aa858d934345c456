/*
 * sweep.c - design points -> validated models -> one job of runs -> a long
 * CSV table (see sweep.h).
 */
#include "dealsim/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "dealsim/csv.h"
#include "dealsim/output.h"

struct ds_sweep {
    const ds_scenario *base;
    const ds_design *d;
    uint64_t draws;
    int have_seed, vary_seed;
    uint64_t seed;
    FILE *f;          /* output while running */
    int header_done;
};

int ds_sweep_is_integer(const char *path, void *ctx)
{
    (void)ctx;
    return strcmp(path, "dealsim") == 0 || strcmp(path, "protocol.rounds") == 0 ||
           strcmp(path, "simulation.draws") == 0 ||
           strcmp(path, "simulation.seed") == 0;
}

/* Point i's scenario: a copy of the base with the point's overrides. */
static int point_model(const ds_sweep *s, size_t i, ds_model **out, ds_report *rep)
{
    ds_scenario *sc = ds_scenario_copy(s->base);
    int rc = DS_OK;

    *out = NULL;
    if (!sc)
        return DS_ENOMEM;
    for (size_t j = 0; j < ds_design_paths(s->d) && rc == DS_OK; j++)
        rc = ds_scenario_set(sc, ds_design_path(s->d, j),
                             ds_design_value(s->d, i, j), rep);
    if (rc == DS_OK)
        rc = ds_scenario_build(sc, out, rep);
    ds_scenario_free(sc);
    return rc;
}

/* Same ids in the same order: the output columns and rows line up. */
static int same_shape(const ds_model *a, const ds_model *b)
{
    if (a->n_strategies != b->n_strategies || a->n_third != b->n_third ||
        a->n_actors != b->n_actors)
        return 0;
    for (size_t k = 0; k < a->n_strategies; k++)
        if (strcmp(a->strategies[k].id, b->strategies[k].id) != 0)
            return 0;
    for (size_t q = 0; q < a->n_third; q++)
        if (strcmp(a->third[q].id, b->third[q].id) != 0)
            return 0;
    for (size_t k = 0; k < a->n_actors; k++)
        if (strcmp(a->actors[k].id, b->actors[k].id) != 0)
            return 0;
    return 1;
}

/* "point 3 (a.b=1, c=x)" into buf. */
static void point_name(const ds_design *d, size_t i, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "point %zu (", i + 1);
    for (size_t j = 0; j < ds_design_paths(d) && used < n; j++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", j ? ", " : "",
                                 ds_design_path(d, j), ds_design_value(d, i, j));
    if (used < n)
        snprintf(buf + used, n - used, ")");
}

int ds_sweep_new(const ds_scenario *base, const ds_design *d, uint64_t draws,
                 int have_seed, uint64_t seed, int vary_seed, ds_sweep **out,
                 ds_report *rep)
{
    ds_sweep *s = calloc(1, sizeof *s);
    ds_model *first = NULL;
    char name[512];
    int rc = DS_OK;

    *out = NULL;
    if (!s)
        return DS_ENOMEM;
    s->base = base;
    s->d = d;
    s->have_seed = have_seed;
    s->seed = seed;
    s->vary_seed = vary_seed;
    for (size_t j = 0; j < ds_design_paths(d); j++)
        if (strcmp(ds_design_path(d, j), "simulation.draws") == 0) {
            ds_report_add(rep, "%s: error: --vary simulation.draws: every point of a "
                          "sweep has the same draws; use -n",
                          ds_scenario_file(base));
            rc = DS_EINVAL;
            goto fail;
        }
    for (size_t i = 0; i < ds_design_points(d); i++) {
        ds_model *m = NULL;
        ds_report prep;
        ds_report_init(&prep);
        rc = point_model(s, i, &m, &prep);
        if (rc == DS_OK && first && !same_shape(first, m)) {
            ds_report_add(&prep, "%s: error: the point changes the strategies, "
                          "third parties or actors, so its rows would not line up",
                          ds_scenario_file(base));
            rc = DS_EINVAL;
        }
        if (rc != DS_OK) {
            point_name(d, i, name, sizeof name);
            ds_report_add(rep, "%s: error: %s is invalid:", ds_scenario_file(base), name);
            for (size_t k = 0; k < prep.n; k++)
                ds_report_add(rep, "%s", prep.msg[k]);
            ds_report_free(&prep);
            ds_model_free(m);
            goto fail;
        }
        ds_report_free(&prep);
        if (!first)
            first = m;
        else
            ds_model_free(m);
    }
    s->draws = draws ? draws : first->draws;
    ds_model_free(first);
    *out = s;
    return DS_OK;
fail:
    ds_model_free(first);
    free(s);
    return rc;
}

uint64_t ds_sweep_draws(const ds_sweep *s)
{
    return s->draws;
}

static int job_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    ds_sweep *s = ctx;
    ds_report rep;
    int rc;

    ds_report_init(&rep);
    rc = point_model(s, p, out, &rep);
    if (rc != DS_OK)
        ds_error_set(err, rc, "point %zu: %s", p + 1,
                     rep.n ? rep.msg[0] : "out of memory");
    ds_report_free(&rep);
    return rc;
}

static uint64_t job_seed(void *ctx, size_t p, const ds_model *m)
{
    ds_sweep *s = ctx;
    return (s->have_seed ? s->seed : m->seed) + (s->vary_seed ? (uint64_t)p : 0);
}

static int job_done(void *ctx, size_t p, const ds_model *m, const ds_stats *st,
                    ds_error *err)
{
    ds_sweep *s = ctx;
    FILE *f = s->f;
    size_t np = ds_design_paths(s->d);

    if (!s->header_done) {
        fputs("point", f);
        for (size_t j = 0; j < np; j++) {
            fputc(',', f);
            ds_csv_write_field(f, ds_design_path(s->d, j));
        }
        fputc(',', f);
        ds_output_csv_columns(m, f);
        fputc('\n', f);
        s->header_done = 1;
    }
    for (size_t k = 0; k < m->n_strategies; k++) {
        fprintf(f, "%zu", p + 1);
        for (size_t j = 0; j < np; j++) {
            fputc(',', f);
            ds_csv_write_field(f, ds_design_cell(s->d, p, j));
        }
        fputc(',', f);
        if (ds_output_csv_cells(m, st, k, f) != DS_OK)
            return ds_error_set(err, DS_ENOMEM, "out of memory");
        fputc('\n', f);
    }
    if (ferror(f))
        return ds_error_set(err, DS_EIO, "writing the sweep output failed");
    return DS_OK;
}

int ds_sweep_run(ds_sweep *s, const ds_run_opts *o, FILE *f, ds_error *err)
{
    ds_job job;
    ds_run_opts ro = *o;

    memset(&job, 0, sizeof job);
    job.npoints = ds_design_points(s->d);
    job.model = job_model;
    job.seed = job_seed;
    job.done = job_done;
    job.ctx = s;
    s->f = f;
    s->header_done = 0;
    ro.draws = s->draws;
    ro.draws_out = NULL;
    return ds_run_job(&job, &ro, err);
}

void ds_sweep_free(ds_sweep *s)
{
    free(s);
}
