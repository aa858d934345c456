/*
 * test_cover_run.c - the run scheduler's edges beyond test_run.c: runs with
 * nothing to do or too much, per-draw rows asked of a job, errors with no
 * ds_error to fill, and jobs whose points have models of different shapes
 * (the statistics of a slot and of a worker are made again for each): each
 * point's figures are bit for bit those of a single run of its model; and a
 * job's ready step, whose result reaches done or is discarded.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dealsim/dist.h"
#include "dealsim/run.h"
#include "model_util.h"

#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"
#define FULL DS_TEST_DIR "/data/good/full.json"

static ds_run_opts opts(uint64_t draws, int threads)
{
    ds_run_opts o;
    memset(&o, 0, sizeof o);
    o.draws = draws;
    o.seed = 99;
    o.threads = threads;
    return o;
}

static int never_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    (void)ctx, (void)p, (void)out;
    cr_assert_fail("no point may be built");
    return ds_error_set(err, DS_EINVAL, "not reached");
}

Test(cover_run, nothing_to_run_or_too_much)
{
    ds_model *m = test_model_file(MINIMAL);
    ds_run_opts o = opts(0, 2);
    ds_stats *s = (ds_stats *)1;
    ds_error err;
    cr_assert_eq(ds_run(m, &o, &s, &err), DS_EINVAL);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg, "nothing to run");

    ds_job job = {.npoints = 0, .model = never_model};
    o = opts(10, 2);
    cr_assert_eq(ds_run_job(&job, &o, &err), DS_EINVAL);
    cr_assert_str_eq(err.msg, "nothing to run");
    /* 2^64 - 1 draws in blocks of 4096, ten thousand times over */
    job.npoints = 10000;
    o = opts(UINT64_MAX, 2);
    cr_assert_eq(ds_run_job(&job, &o, &err), DS_EINVAL);
    cr_assert_str_eq(err.msg, "too many draws times points");
    /* per-draw rows belong to single runs */
    job.npoints = 2;
    o = opts(10, 1);
    o.draws_out = stdout;
    cr_assert_eq(ds_run_job(&job, &o, &err), DS_EINVAL);
    cr_assert_str_eq(err.msg, "per-draw rows need a single run");
    ds_model_free(m);
}

/* ---- errors without a ds_error -------------------------------------------- */

/* Point 1 cannot be built; the others can (so that, on two threads, the
 * error reported is always point 1's). */
static int failing_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    (void)ctx;
    if (p > 0) {
        *out = test_model_file(MINIMAL);
        return DS_OK;
    }
    *out = NULL;
    return ds_error_set(err, DS_EINVAL, "point %zu cannot be built", p + 1);
}

static uint64_t seed_of(void *ctx, size_t p, const ds_model *m)
{
    (void)ctx, (void)p, (void)m;
    return 99;
}

/* err may be NULL: the status still says what happened. */
Test(cover_run, errors_without_an_error_to_fill)
{
    ds_job job = {.npoints = 3, .model = failing_model, .seed = seed_of};
    ds_run_opts o = opts(100, 2);
    ds_error err;
    cr_assert_eq(ds_run_job(&job, &o, NULL), DS_EINVAL);
    cr_assert_eq(ds_run_job(&job, &o, &err), DS_EINVAL);
    cr_assert_str_eq(err.msg, "point 1 cannot be built");

    /* a draw that cannot be summarised */
    ds_model *m = test_model_file(MINIMAL);
    ds_stats *s = NULL;
    ds_dist_free(&m->baseline_deficit);
    m->baseline_deficit = ds_dist_fixed(1e150);
    cr_assert_eq(ds_run(m, &o, &s, NULL), DS_ERANGE);
    cr_assert_null(s);
    ds_model_free(m);

    /* stopped before it started */
    volatile sig_atomic_t stop = 1;
    m = test_model_file(MINIMAL);
    o.stop = &stop;
    cr_assert_eq(ds_run(m, &o, &s, NULL), DS_EINTR);
    cr_assert_null(s);
    ds_model_free(m);
}

/* ---- points of different shapes ------------------------------------------- */

typedef struct shapes {
    ds_model *ref[2];    /* minimal, full */
    ds_stats *want[2];   /* a single run of each */
    size_t npoints, done;
} shapes;

/* The first half of the points are minimal.json (1 strategy, no third
 * party), the others full.json: a slot (and a worker) that held a point of
 * the first half gets one of the second. */
static int shape_of(const shapes *c, size_t p)
{
    return 2 * p >= c->npoints;
}

static int shape_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    (void)err;
    *out = test_model_file(shape_of(ctx, p) ? FULL : MINIMAL);
    return DS_OK;
}

/* Every figure of every strategy, compared as bits. */
static void same_figures(const ds_model *m, const ds_stats *a, const ds_stats *b, size_t p)
{
    static const ds_stat figs[] = {
        {.kind = DS_STAT_SHARE, .c = DS_C_DEALS},
        {.kind = DS_STAT_RATIO, .c = DS_C_ROUNDS, .per = DS_C_DEALS},
        {.kind = DS_STAT_MEAN, .q = DS_Q_TARIFF},
        {.kind = DS_STAT_MEAN, .q = DS_Q_DEFICIT},
        {.kind = DS_STAT_SE, .q = DS_Q_DEFICIT},
        {.kind = DS_STAT_QUANTILE, .q = DS_Q_DEFICIT, .p = 0.95},
        {.kind = DS_STAT_MEAN, .q = DS_Q_BENEFIT},
        {.kind = DS_STAT_QUANTILE, .q = DS_Q_BENEFIT, .p = 0.05},
        {.kind = DS_STAT_MEAN, .q = DS_Q_RETALIATION_COST},
        {.kind = DS_STAT_RATIO, .c = DS_C_APPROVALS, .per = DS_C_EVALUATIONS},
    };
    cr_assert_eq(ds_stats_draws(a), ds_stats_draws(b));
    for (size_t k = 0; k < m->n_strategies; k++)
        for (size_t f = 0; f < sizeof figs / sizeof figs[0]; f++) {
            double x = ds_stats_value(a, k, &figs[f], 0), y = ds_stats_value(b, k, &figs[f], 0);
            cr_assert(memcmp(&x, &y, sizeof x) == 0 || (isnan(x) && isnan(y)),
                      "point %zu, strategy %zu, figure %zu: %.17g, single run %.17g", p, k,
                      f, x, y);
        }
}

static int shape_done(void *ctx, size_t p, const ds_model *m, const ds_stats *s,
                      void *prep, ds_error *err)
{
    shapes *c = ctx;
    (void)err;
    (void)prep;
    cr_assert_eq(p, c->done++);
    cr_assert_eq(m->n_strategies, c->ref[shape_of(c, p)]->n_strategies, "point %zu", p);
    same_figures(m, s, c->want[shape_of(c, p)], p);
    return DS_OK;
}

Test(cover_run, points_of_different_shapes)
{
    shapes c;
    memset(&c, 0, sizeof c);
    c.ref[0] = test_model_file(MINIMAL);
    c.ref[1] = test_model_file(FULL);
    cr_assert_neq(c.ref[0]->n_strategies, c.ref[1]->n_strategies);
    for (int i = 0; i < 2; i++) {
        ds_run_opts o = opts(2 * DS_RUN_BLOCK + 7, 1);
        ds_error err;
        cr_assert_eq(ds_run(c.ref[i], &o, &c.want[i], &err), DS_OK, "%s", err.msg);
    }
    /* 6 points: tasks of blocks; 200: tasks of whole points */
    size_t npoints[] = {6, 200};
    for (size_t n = 0; n < 2; n++)
        for (int t = 1; t <= 2; t++) {
            ds_job job = {.npoints = npoints[n], .model = shape_model, .seed = seed_of,
                          .done = shape_done, .ctx = &c};
            ds_run_opts o = opts(npoints[n] > 100 ? 100 : 2 * DS_RUN_BLOCK + 7, t);
            ds_error err;
            c.done = 0;
            c.npoints = npoints[n];
            if (npoints[n] > 100) {
                /* fewer draws per point: single runs of as many */
                for (int i = 0; i < 2; i++) {
                    ds_stats_free(c.want[i]);
                    cr_assert_eq(ds_run(c.ref[i], &o, &c.want[i], &err), DS_OK);
                }
            }
            cr_assert_eq(ds_run_job(&job, &o, &err), DS_OK, "%s", err.msg);
            cr_assert_eq(c.done, npoints[n]);
        }
    for (int i = 0; i < 2; i++) {
        ds_stats_free(c.want[i]);
        ds_model_free(c.ref[i]);
    }
}

/* ---- ready: each point's statistics read where they were completed ------- */

typedef struct readies {
    shapes c;
    pthread_mutex_t mu;
    size_t made, handed, discarded;
    size_t fail_model, fail_ready, fail_done; /* the point whose step fails,
                                                 or SIZE_MAX */
    uint64_t draws;                 /* per point */
    unsigned char seen[200];
} readies;

typedef struct prep_of {
    size_t p;
    uint64_t draws;
    double p95;                     /* the deficit's 95th percentile */
} prep_of;

static const ds_stat P95 = {.kind = DS_STAT_QUANTILE, .q = DS_Q_DEFICIT, .p = 0.95};

static int ready_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    readies *r = ctx;
    if (p == r->fail_model) {
        /* late, so that another worker has later points ready, which then
         * are never handed to done */
        nanosleep(&(struct timespec){0, 100000000}, NULL);
        *out = NULL;
        return ds_error_set(err, DS_EIO, "model failed at point %zu", p + 1);
    }
    return shape_model(&r->c, p, out, err);
}

static int ready_step(void *ctx, size_t p, const ds_model *m, const ds_stats *s, void **prep,
                      ds_error *err)
{
    readies *r = ctx;
    prep_of *x = malloc(sizeof *x);
    (void)m;
    cr_assert_not_null(x);
    /* complete statistics, once per point */
    cr_assert_eq(ds_stats_draws(s), r->draws, "point %zu", p);
    pthread_mutex_lock(&r->mu);
    cr_assert_eq(r->seen[p], 0, "point %zu made ready twice", p);
    r->seen[p] = 1;
    r->made++;
    pthread_mutex_unlock(&r->mu);
    *x = (prep_of){p, ds_stats_draws(s), ds_stats_value(s, 0, &P95, 0)};
    *prep = x;
    if (p == r->fail_ready)
        return ds_error_set(err, DS_EIO, "ready failed at point %zu", p + 1);
    return DS_OK;
}

static void ready_discard(void *ctx, void *prep)
{
    readies *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->discarded++;
    pthread_mutex_unlock(&r->mu);
    free(prep);
}

static int ready_done(void *ctx, size_t p, const ds_model *m, const ds_stats *s, void *prep,
                      ds_error *err)
{
    readies *r = ctx;
    prep_of *x = prep;
    double p95 = ds_stats_value(s, 0, &P95, 0);
    cr_assert_not_null(x, "point %zu has no ready result", p);
    cr_assert_eq(x->p, p);
    cr_assert_eq(x->draws, ds_stats_draws(s));
    cr_assert(memcmp(&x->p95, &p95, sizeof p95) == 0, "point %zu", p);
    free(x);
    pthread_mutex_lock(&r->mu);
    r->handed++;
    pthread_mutex_unlock(&r->mu);
    shape_done(&r->c, p, m, s, NULL, err);
    if (p == r->fail_done)
        return ds_error_set(err, DS_EIO, "done failed at point %zu", p + 1);
    return DS_OK;
}

Test(cover_run, ready_results_reach_done_or_are_discarded)
{
    readies r;
    memset(&r, 0, sizeof r);
    pthread_mutex_init(&r.mu, NULL);
    r.c.ref[0] = test_model_file(MINIMAL);
    r.c.ref[1] = test_model_file(FULL);
    /* 6 points of several blocks (merged from both workers), 200 of one */
    size_t npoints[] = {6, 200};
    for (size_t n = 0; n < 2; n++) {
        ds_run_opts o = opts(npoints[n] > 100 ? 100 : 2 * DS_RUN_BLOCK + 7, 1);
        ds_error err;
        for (int i = 0; i < 2; i++)
            cr_assert_eq(ds_run(r.c.ref[i], &o, &r.c.want[i], &err), DS_OK, "%s", err.msg);
        for (int t = 1; t <= 2; t++)
            for (int fail = 0; fail < 4; fail++) {
                ds_job job = {.npoints = npoints[n], .model = ready_model, .seed = seed_of,
                              .ready = ready_step, .discard = ready_discard,
                              .done = ready_done, .ctx = &r};
                o.threads = t;
                r.c.done = 0;
                r.c.npoints = npoints[n];
                r.made = r.handed = r.discarded = 0;
                r.draws = o.draws;
                r.fail_ready = fail == 1 ? 3 : SIZE_MAX;
                r.fail_done = fail == 2 ? 2 : SIZE_MAX;
                r.fail_model = fail == 3 ? 5 : SIZE_MAX;
                memset(r.seen, 0, sizeof r.seen);
                int rc = ds_run_job(&job, &o, &err);
                if (fail == 0) {
                    cr_assert_eq(rc, DS_OK, "%s", err.msg);
                    cr_assert_eq(r.made, npoints[n]);
                    cr_assert_eq(r.handed, npoints[n]);
                    cr_assert_eq(r.discarded, 0);
                } else {
                    cr_assert_eq(rc, DS_EIO);
                    cr_assert_str_eq(err.msg, fail == 1   ? "ready failed at point 4"
                                              : fail == 2 ? "done failed at point 3"
                                                          : "model failed at point 6");
                    /* done saw at most the points before the failure */
                    if (fail == 2)
                        cr_assert_eq(r.handed, 3);
                    else
                        cr_assert_leq(r.handed, fail == 1 ? 3 : 5);
                }
                /* every result was freed once: by done, or discarded */
                cr_assert_eq(r.made, r.handed + r.discarded, "t %d, fail %d: %zu made, "
                             "%zu handed, %zu discarded", t, fail, r.made, r.handed,
                             r.discarded);
            }
        for (int i = 0; i < 2; i++)
            ds_stats_free(r.c.want[i]);
    }
    for (int i = 0; i < 2; i++)
        ds_model_free(r.c.ref[i]);
    pthread_mutex_destroy(&r.mu);
}
