/*
 * test_run.c - the run scheduler (run.h): per-draw rows go out in draw
 * order, the same bytes for any number of threads; a draw whose outcome is
 * not finite (or too large to summarise) stops the run with a message that
 * names the draw, the quantity and the input, the same for any number of
 * threads, also inside a job of many points.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/dist.h"
#include "dealsim/engine.h"
#include "dealsim/output.h"
#include "dealsim/run.h"
#include "model_util.h"

static const char *SCENARIO =
    "{\"dealsim\": 1, \"name\": \"run\","
    " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
    " \"baseline_deficit\": {\"dist\": \"normal\", \"mean\": 60, \"sd\": 5}, \"elasticity\": 1,"
    " \"lines\": [{\"id\": \"all\", \"exports\": {\"dist\": \"uniform\", \"min\": 90, \"max\": 110},"
    "             \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.15}],"
    " \"items\": [{\"id\": \"a\", \"deficit_effect\": -3, \"cost\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1},"
    "             \"exposure\": {\"q\": 1}}],"
    " \"packages\": [{\"id\": \"p\", \"items\": {\"a\": 1}}, {\"id\": \"none\", \"items\": {}}],"
    " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 0, \"noise\": 1}],"
    " \"protocol\": {\"rounds\": 2},"
    " \"third_parties\": [{\"id\": \"q\", \"retaliation\": {\"base\": 0, \"slope\": 0}, \"cost_per_exposure\": 1}]}";

static ds_run_opts opts(uint64_t draws, int threads)
{
    ds_run_opts o;
    memset(&o, 0, sizeof o);
    o.draws = draws;
    o.seed = 4242;
    o.threads = threads;
    return o;
}

/* Per-draw rows: byte-identical for 1, 2 and 3 threads, and equal to the
 * engine's draws formatted one by one, in order. */
Test(run, per_draw_rows_in_draw_order)
{
    ds_model *m = test_model_text(SCENARIO);
    const uint64_t n = 3 * DS_RUN_BLOCK + 123;
    char *ref = NULL, *buf;
    size_t ref_len = 0;
    ds_engine *e = ds_engine_new(m);
    ds_output_draws *w;
    FILE *f = open_memstream(&ref, &ref_len);
    cr_assert(e && f);
    w = ds_output_draws_new(m, f, NULL);
    buf = malloc(ds_output_draws_max(w));
    cr_assert(w && buf);
    for (uint64_t d = 0; d < n; d++) {
        size_t len = ds_output_draws_format(w, buf, d, ds_engine_draw(e, 4242, d));
        cr_assert_eq(fwrite(buf, 1, len, f), len);
    }
    fclose(f);
    for (int t = 1; t <= 3; t++) {
        ds_run_opts o = opts(n, t);
        char *got = NULL;
        size_t len = 0;
        ds_stats *s = NULL;
        ds_error err;
        o.draws_out = open_memstream(&got, &len);
        cr_assert_eq(ds_run(m, &o, &s, &err), DS_OK, "%s", err.msg);
        fclose(o.draws_out);
        cr_assert_eq(len, ref_len, "threads %d", t);
        cr_assert(memcmp(got, ref, len) == 0, "threads %d: rows differ", t);
        cr_assert_eq(ds_stats_draws(s), n);
        free(got);
        ds_stats_free(s);
    }
    free(buf);
    free(ref);
    ds_output_draws_free(w);
    ds_engine_free(e);
    ds_model_free(m);
}

/* A model whose line exports are 100, or inf with probability 1/2000 (as
 * exp(sigma Z) of a lognormal with a huge sigma overflows): tariff and
 * deficit then become NaN.  Made in code, so that whatever validation
 * rejects, the run's own check is what is tested. */
static ds_model *overflowing_model(void)
{
    ds_model *m = test_model_text(SCENARIO);
    ds_dist *d = &m->lines[0].exports;
    ds_dist_free(d);
    d->kind = DS_DIST_DISCRETE;
    d->u.discrete.n = 2;
    d->u.discrete.values = malloc(2 * sizeof(double));
    d->u.discrete.weights = malloc(2 * sizeof(double));
    cr_assert(d->u.discrete.values && d->u.discrete.weights);
    d->u.discrete.values[0] = 100;
    d->u.discrete.values[1] = 200;
    d->u.discrete.weights[0] = 1999;
    d->u.discrete.weights[1] = 1;
    cr_assert_eq(ds_dist_prepare(d), DS_OK);
    d->u.discrete.values[1] = INFINITY; /* after the check that refuses it */
    return m;
}

static int out_of_range(double x)
{
    return !(fabs(x) <= DS_OUTCOME_MAX);
}

/* The first draw with an outcome value (any strategy) that is not finite or
 * beyond DS_OUTCOME_MAX. */
static uint64_t first_bad_draw(const ds_model *m, uint64_t seed)
{
    ds_engine *e = ds_engine_new(m);
    uint64_t d;
    cr_assert_not_null(e);
    for (d = 0;; d++) {
        const ds_outcome *o = ds_engine_draw(e, seed, d);
        int bad = 0;
        for (size_t k = 0; k < m->n_strategies; k++) {
            bad |= out_of_range(o[k].tariff) || out_of_range(o[k].deficit) ||
                   out_of_range(o[k].deficit_change) || out_of_range(o[k].benefit) ||
                   out_of_range(o[k].concession_cost);
            for (size_t q = 0; q < m->n_third; q++)
                bad |= out_of_range(o[k].retaliation_cost[q]);
        }
        if (bad)
            break;
    }
    ds_engine_free(e);
    return d;
}

/* A non-finite outcome stops the run (DS_ERANGE: exit 1) and names the first
 * such draw, the quantity and the input, for any number of threads, even
 * when later blocks, run at the same time, have bad draws too.  First bad
 * draws: 5972 for seed 1 (the second block), 835 for seed 3, 3694 for 9. */
Test(run, non_finite_outcome_names_the_draw)
{
    ds_model *m = overflowing_model();
    uint64_t seeds[] = {1, 3, 9};
    for (size_t i = 0; i < 3; i++) {
        uint64_t bad = first_bad_draw(m, seeds[i]);
        char want[256];
        snprintf(want, sizeof want, "draw %llu: tariff is not finite (NaN) for strategy 'p'; "
                 "check lines.all.exports, drawn as inf", (unsigned long long)bad);
        for (int t = 1; t <= 3; t++) {
            ds_run_opts o = opts(8 * DS_RUN_BLOCK, t);
            ds_stats *s = NULL;
            ds_error err;
            o.seed = seeds[i];
            cr_assert_eq(ds_run(m, &o, &s, &err), DS_ERANGE);
            cr_assert_null(s);
            cr_assert_str_eq(err.msg, want, "threads %d: %s\nwant %s", t, err.msg, want);
        }
    }
    ds_model_free(m);
}

/* Finite but beyond DS_OUTCOME_MAX: the run stops too, naming the value. */
Test(run, huge_outcome_names_the_draw)
{
    ds_model *m = test_model_text(SCENARIO);
    ds_run_opts o = opts(1000, 2);
    ds_stats *s = NULL;
    ds_error err;
    ds_dist_free(&m->baseline_deficit);
    m->baseline_deficit = ds_dist_fixed(1e150);
    cr_assert_eq(ds_run(m, &o, &s, &err), DS_ERANGE);
    cr_assert_str_eq(err.msg, "draw 0: deficit is 1e+150, beyond the +-1e+100 that can be "
                              "summarised, for strategy 'p'; check baseline_deficit, drawn "
                              "as 1e+150");
    ds_model_free(m);
}

/* ds_engine_check finds nothing in good draws. */
Test(run, check_of_good_draws)
{
    ds_model *m = test_model_text(SCENARIO);
    ds_engine *e = ds_engine_new(m);
    ds_error err;
    cr_assert_not_null(e);
    cr_assert_eq(ds_engine_check(e, 1, 0, 500, &err), DS_OK);
    ds_engine_free(e);
    ds_model_free(m);
}

/* ---- jobs ------------------------------------------------------------- */

typedef struct job_ctx {
    size_t bad_point;      /* 0-based point whose model overflows */
    size_t done;           /* points handed to done */
} job_ctx;

static int job_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    job_ctx *c = ctx;
    (void)err;
    *out = p == c->bad_point ? overflowing_model() : test_model_text(SCENARIO);
    return DS_OK;
}

static uint64_t job_seed(void *ctx, size_t p, const ds_model *m)
{
    (void)ctx;
    (void)p;
    (void)m;
    return 4242;
}

static int job_done(void *ctx, size_t p, const ds_model *m, const ds_stats *s, void *prep,
                    ds_error *err)
{
    job_ctx *c = ctx;
    (void)m;
    (void)err;
    cr_assert_null(prep, "no ready step, no result");
    cr_assert_eq(p, c->done, "points in order");
    cr_assert_lt(p, c->bad_point, "no point at or after the bad one is done");
    cr_assert_eq(ds_stats_draws(s), 2 * DS_RUN_BLOCK);
    c->done++;
    return DS_OK;
}

/* In a job, the message says which point; the same for any number of
 * threads, with tasks of blocks or of whole points. */
Test(run, job_names_the_point)
{
    size_t npoints[] = {5, 80};
    for (size_t i = 0; i < 2; i++)
        for (int t = 1; t <= 3; t++) {
            job_ctx c = {3, 0};
            ds_job job = {.npoints = npoints[i], .model = job_model, .seed = job_seed,
                          .done = job_done, .ctx = &c};
            ds_run_opts o = opts(2 * DS_RUN_BLOCK, t);
            ds_error err;
            ds_model *bad = overflowing_model();
            char want[256];
            snprintf(want, sizeof want, "point 4: draw %llu: tariff is not finite (NaN) for "
                     "strategy 'p'; check lines.all.exports, drawn as inf",
                     (unsigned long long)first_bad_draw(bad, 4242));
            ds_model_free(bad);
            cr_assert_eq(ds_run_job(&job, &o, &err), DS_ERANGE);
            cr_assert_str_eq(err.msg, want, "threads %d, %zu points: %s", t, npoints[i], err.msg);
            cr_assert_leq(c.done, 3);
        }
}
