/*
 * run.c - threads, blocks, points and ordered output (see run.h).
 *
 * A job is npoints runs of `draws` draws each; its tasks are the (point,
 * block) pairs in order, claimed from an atomic counter by the workers.  The
 * points in flight live in a small ring of slots (a window ahead of the
 * oldest unfinished point), so memory is bounded however many points and
 * draws there are.  The first worker to reach a point builds its model; each
 * worker keeps an engine and scratch statistics for the point it is on and
 * merges its scratch into the point's total when it moves to another point
 * or ends (exact sums and an order-free histogram, so neither the order of
 * merges nor which blocks were summed together changes a bit).  When a
 * point's last block is merged, finished points are handed to job->done in
 * point order.  A single
 * run is a job of one point, plus per-draw rows (per strategy, and of the
 * inputs): workers have the output module format them per block into a
 * second ring, written in block order; and an optional per-draw hook
 * (run.h): an accumulator per worker, flushed per block and merged with the
 * worker's statistics.
 *
 * Nothing is formatted or written, and no callback runs, under the lock:
 * the first worker to find the next point (or block of rows) finished takes
 * a token, and delivers it, and every one after it that is ready, with the
 * lock released; others only mark theirs ready.
 *
 * A block whose statistics hold a value that is not finite (or too large)
 * stops the run.  To name the same draw for any number of threads, the
 * smallest such task wins: tasks are claimed in order, so every task before
 * it is finished (or found bad itself) before the run reports.
 */
#include "dealsim/run.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dealsim/engine.h"
#include "dealsim/output.h"

/* Slots per thread, for points in flight and for blocks of per-draw rows:
 * enough that a worker rarely waits for a slower neighbour, few enough to
 * bound memory. */
#define SLOTS_PER_THREAD 2

/* Points per thread from which a task is a whole point (see run()). */
#define POINTS_PER_THREAD 16

enum { POINT_EMPTY, POINT_BUILDING, POINT_READY };

typedef struct point_slot {
    int state;
    size_t point;
    ds_model *model;      /* owned when built by job->model */
    const ds_model *use;  /* the model to simulate */
    ds_stats *total;
    uint64_t seed;
    uint64_t blocks_done;
} point_slot;

/* Formatted rows of one output. */
typedef struct row_buf {
    char *buf;
    size_t len, cap;
} row_buf;

/* The rows of one block of draws: [ROWS_DRAWS] per (draw, strategy),
 * [ROWS_INPUTS] the inputs per draw. */
enum { ROWS_DRAWS, ROWS_INPUTS, N_ROWS };
typedef struct row_slot {
    uint64_t block;       /* block whose rows are in out[], when ready */
    int ready;
    row_buf out[N_ROWS];
} row_slot;

typedef struct shared {
    const ds_job *job;
    const ds_model *single;          /* ds_run's model, or NULL */
    const ds_run_opts *o;
    ds_output_draws *dw;             /* per-draw rows' writer, or NULL */
    ds_output_inputs *iw;            /* inputs' writer, or NULL */
    uint64_t nb;                     /* blocks per point */
    uint64_t tb;                     /* blocks per task: 1, or nb (whole
                                        points) when there are many points */
    uint64_t ntasks;                 /* npoints * nb / tb */
    atomic_uint_fast64_t next_task;
    atomic_uint_fast64_t done;       /* draws completed, all points */
    atomic_uint_fast64_t bad_task;   /* first task with a bad value, or
                                        UINT64_MAX (set under mu) */
    pthread_mutex_t mu;              /* guards everything below */
    pthread_cond_t cv;
    point_slot *points;
    size_t npslots;
    size_t next_done;                /* oldest unfinished point */
    int delivering;                  /* a worker is handing points to done */
    row_slot *rows;
    size_t nrslots;
    uint64_t next_write;             /* next block whose rows go out */
    int writing;                     /* a worker is writing rows */
    int running;                     /* workers not yet finished */
    int failed;                      /* first failure's code, or DS_OK */
    ds_error err;
    ds_error bad_err;                /* what is wrong in task bad_task */
} shared;

typedef struct worker {
    shared *sh;
    pthread_t tid;
    size_t row_max[N_ROWS]; /* bytes one draw's rows can take, per output */
} worker;

static int stopped(const shared *sh)
{
    return (sh->o->stop && *sh->o->stop) || sh->failed;
}

/* Task t need not be finished: the run stops, or an earlier task was bad. */
static int abandoned(const shared *sh, uint64_t t)
{
    return stopped(sh) || t > atomic_load(&sh->bad_task);
}

/* Record the first failure and wake everyone.  Call with sh->mu held. */
static void fail_locked(shared *sh, int code, const ds_error *e, const char *what)
{
    if (!sh->failed) {
        sh->failed = code;
        if (e)
            sh->err = *e;
        else
            ds_error_set(&sh->err, code, "%s", what);
    }
    pthread_cond_broadcast(&sh->cv);
}

static void fail(shared *sh, int code, const ds_error *e, const char *what)
{
    pthread_mutex_lock(&sh->mu);
    fail_locked(sh, code, e, what);
    pthread_mutex_unlock(&sh->mu);
}

/* ---- per-draw rows ---------------------------------------------------- */

int ds_run_draws_header(const ds_model *m, FILE *f)
{
    return ds_output_draws_columns(m, f);
}

int ds_run_inputs_header(const ds_model *m, FILE *f)
{
    return ds_output_inputs_columns(m, f);
}

/* Wait until block b's (task t's) row slot is free.  NULL when the task is
 * abandoned. */
static row_slot *claim_rows(shared *sh, uint64_t b, uint64_t t)
{
    row_slot *sl = NULL;
    pthread_mutex_lock(&sh->mu);
    while (!abandoned(sh, t) && b >= sh->next_write + sh->nrslots)
        pthread_cond_wait(&sh->cv, &sh->mu);
    if (!abandoned(sh, t))
        sl = &sh->rows[b % sh->nrslots];
    pthread_mutex_unlock(&sh->mu);
    return sl;
}

/* Block b's rows are in sl.  Unless another worker is writing (it will
 * take these too), write every block that is now next in order, with the
 * lock released: the slot of block next_write is touched by no one else
 * until next_write moves past it. */
static void publish_rows(shared *sh, row_slot *sl, uint64_t b)
{
    pthread_mutex_lock(&sh->mu);
    sl->block = b;
    sl->ready = 1;
    if (!sh->writing) {
        sh->writing = 1;
        for (;;) {
            row_slot *w = &sh->rows[sh->next_write % sh->nrslots];
            if (!w->ready || w->block != sh->next_write)
                break;
            for (int k = 0; k < N_ROWS; k++) {
                row_buf *rb = &w->out[k];
                if (!sh->failed && rb->len) {
                    ds_error e;
                    int rc;
                    pthread_mutex_unlock(&sh->mu);
                    rc = k == ROWS_DRAWS ? ds_output_draws_write(sh->dw, rb->buf, rb->len, &e)
                                         : ds_output_inputs_write(sh->iw, rb->buf, rb->len, &e);
                    pthread_mutex_lock(&sh->mu);
                    if (rc != DS_OK)
                        fail_locked(sh, rc, &e, NULL);
                }
                rb->len = 0;
            }
            w->ready = 0;
            sh->next_write++;
            pthread_cond_broadcast(&sh->cv);
        }
        sh->writing = 0;
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

static int reserve(row_buf *sl, size_t need)
{
    if (sl->cap - sl->len >= need)
        return DS_OK;
    size_t cap = sl->cap ? sl->cap : 1 << 16;
    while (cap - sl->len < need)
        cap *= 2;
    char *p = realloc(sl->buf, cap);
    if (!p)
        return DS_ENOMEM;
    sl->buf = p;
    sl->cap = cap;
    return DS_OK;
}

/* ---- points ------------------------------------------------------------ */

/* Get point p's slot (for task t), building its model if this worker is
 * the first to reach it.  NULL when the task is abandoned. */
static point_slot *enter_point(shared *sh, size_t p, uint64_t t)
{
    point_slot *ps;
    pthread_mutex_lock(&sh->mu);
    while (!abandoned(sh, t) && p >= sh->next_done + sh->npslots)
        pthread_cond_wait(&sh->cv, &sh->mu);
    ps = &sh->points[p % sh->npslots];
    if (!abandoned(sh, t) && ps->state == POINT_EMPTY) {
        ds_error e;
        int rc = DS_OK;
        ps->state = POINT_BUILDING;
        ps->point = p;
        pthread_mutex_unlock(&sh->mu);
        ds_error_clear(&e);
        if (sh->single) {
            ps->use = sh->single;
        } else {
            rc = sh->job->model(sh->job->ctx, p, &ps->model, &e);
            ps->use = ps->model;
        }
        if (rc == DS_OK) {
            /* A slot keeps the statistics of its previous point for reuse. */
            if (ps->total && ds_stats_rebind(ps->total, ps->use) != DS_OK) {
                ds_stats_free(ps->total);
                ps->total = NULL;
            }
            if (!ps->total && !(ps->total = ds_stats_new(ps->use)))
                rc = ds_error_set(&e, DS_ENOMEM, "out of memory for statistics");
        }
        if (rc == DS_OK)
            ps->seed = sh->single ? sh->o->seed
                                  : sh->job->seed(sh->job->ctx, p, ps->use);
        pthread_mutex_lock(&sh->mu);
        ps->state = POINT_READY;
        if (rc != DS_OK)
            fail_locked(sh, rc, &e, NULL);
        pthread_cond_broadcast(&sh->cv);
    }
    while (!abandoned(sh, t) && ps->state == POINT_BUILDING)
        pthread_cond_wait(&sh->cv, &sh->mu);
    if (abandoned(sh, t))
        ps = NULL;
    pthread_mutex_unlock(&sh->mu);
    return ps;
}

/* Merge a worker's statistics of `blocks` finished blocks into their point;
 * hand every point that is now complete, in order, to job->done (unless
 * another worker is doing so: it will take these too).  done runs with the
 * lock released: a complete point's slot is touched by no one else until
 * next_done moves past it. */
static void merge_blocks(shared *sh, point_slot *ps, ds_stats **scratch,
                         uint64_t blocks, void *acc)
{
    const ds_run_hook *hk = sh->o->hook;
    pthread_mutex_lock(&sh->mu);
    if (acc && !sh->failed) {
        int rc = hk->merge(hk->ctx, acc);
        if (rc != DS_OK)
            fail_locked(sh, rc, NULL, "cannot merge per-draw accumulators");
    }
    if (ds_stats_draws(ps->total) == 0) {
        /* Merging into an empty total would copy: swap the objects, and the
         * worker goes on with the empty one (a point run by one worker, as
         * in a sweep of many points, is never copied). */
        ds_stats *t = ps->total;
        ps->total = *scratch;
        *scratch = t;
    } else {
        int rc = ds_stats_merge(ps->total, *scratch);
        if (rc == DS_ENOMEM)    /* the total's histograms need bins */
            fail_locked(sh, DS_ENOMEM, NULL, "out of memory for statistics");
        else if (rc != DS_OK)   /* one model, flushed  GCOVR_EXCL_LINE */
            fail_locked(sh, DS_EINVAL, NULL, "statistics of different shapes"); /* GCOVR_EXCL_LINE */
    }
    ps->blocks_done += blocks;
    if (!sh->delivering) {
        sh->delivering = 1;
        for (;;) {
            point_slot *d = &sh->points[sh->next_done % sh->npslots];
            if (sh->next_done >= sh->job->npoints || d->state != POINT_READY ||
                d->point != sh->next_done || d->blocks_done < sh->nb)
                break;
            if (!sh->failed) {
                ds_error e;
                int rc;
                ds_error_clear(&e);
                pthread_mutex_unlock(&sh->mu);
                rc = sh->job->done(sh->job->ctx, d->point, d->use, d->total, &e);
                pthread_mutex_lock(&sh->mu);
                if (rc != DS_OK)
                    fail_locked(sh, rc, &e, NULL);
            }
            {
                ds_stats *keep = d->total;   /* reused by the slot's next point */
                ds_model_free(d->model);
                memset(d, 0, sizeof *d);
                d->total = keep;
            }
            sh->next_done++;
            pthread_cond_broadcast(&sh->cv);
        }
        sh->delivering = 0;
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

/* Task t (point p, draws [first, last) of engine e) holds a value that is
 * not finite or too large: find the draw, and keep the message if t is the
 * first such task so far. */
static void bad_block(shared *sh, ds_engine *e, uint64_t seed, size_t p, uint64_t t,
                      uint64_t first, uint64_t last)
{
    ds_error found, msg;
    /* The check draws again what the flush saw (draws are deterministic).
     * GCOVR_EXCL_START */
    if (ds_engine_check(e, seed, first, last, &found) == DS_OK)
        ds_error_set(&found, DS_ERANGE, "draws %llu to %llu: a value is not finite",
                     (unsigned long long)first, (unsigned long long)(last - 1));
    /* GCOVR_EXCL_STOP */
    if (sh->single)
        msg = found;
    else
        ds_error_set(&msg, DS_ERANGE, "point %zu: %s", p + 1, found.msg);
    pthread_mutex_lock(&sh->mu);
    if (t < atomic_load(&sh->bad_task)) {
        atomic_store(&sh->bad_task, t);
        sh->bad_err = msg;
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    const ds_run_opts *o = sh->o;
    ds_engine *e = NULL;
    ds_stats *scratch = NULL;
    const ds_model *cur = NULL;   /* the model e and scratch were made for */
    size_t cur_point = (size_t)-1;
    point_slot *cps = NULL;       /* its slot */
    uint64_t held = 0;            /* blocks in scratch, not yet merged */
    const ds_run_hook *hk = sh->single ? o->hook : NULL;
    void *acc = NULL;             /* the hook's accumulator (single runs) */

    for (;;) {
        uint64_t t, b, first, last;
        size_t p;
        int frc;
        point_slot *ps;
        row_slot *rs = NULL;

        if (stopped(sh))
            break;
        t = atomic_fetch_add(&sh->next_task, 1);
        if (t >= sh->ntasks || abandoned(sh, t))
            break;
        p = (size_t)(t / (sh->nb / sh->tb));
        b = t % (sh->nb / sh->tb) * sh->tb;
        /* Statistics are merged into their point only when the worker moves
         * on (or ends): a single run merges once per thread.  Merge before
         * anything that may wait, since finishing the point waited for may
         * need them. */
        if (p != cur_point && held) { /* a job: no hook */
            merge_blocks(sh, cps, &scratch, held, NULL);
            held = 0;
            ds_stats_reset(scratch);
        }
        if (!(ps = enter_point(sh, p, t)))
            break;
        if (p != cur_point) {
            /* The previous point's model may be gone: drop what was made
             * for it before anything else. */
            ds_engine_free(e);
            cur = ps->use;
            cur_point = p;
            cps = ps;
            e = ds_engine_new(cur);
            if (scratch && ds_stats_rebind(scratch, cur) != DS_OK) {
                ds_stats_free(scratch);
                scratch = NULL;
            }
            if (!scratch)
                scratch = ds_stats_new(cur);
            if (hk && !acc)
                acc = hk->acc_new(hk->ctx);
            if (!e || !scratch || (hk && !acc)) {
                ds_error se;
                if (!e && ds_engine_check_streams(cur, &se) == DS_EINVAL)
                    fail(sh, DS_EINVAL, &se, NULL);
                else
                    fail(sh, DS_ENOMEM, NULL, "out of memory for an engine workspace");
                break;
            }
        }
        for (uint64_t bend = b + sh->tb; b < bend; b++) {
            first = b * DS_RUN_BLOCK;
            last = first + DS_RUN_BLOCK;
            if (last > o->draws || last < first)
                last = o->draws;
            if (sh->rows && !(rs = claim_rows(sh, b, t)))
                goto done;
            for (uint64_t d = first; d < last; d++) {
                const ds_outcome *out = ds_engine_draw(e, ps->seed, d);
                ds_stats_add(scratch, out);
                if (acc)
                    hk->add(acc, e, out);
                if (rs) {
                    row_buf *rd = &rs->out[ROWS_DRAWS], *ri = &rs->out[ROWS_INPUTS];
                    if ((sh->dw && reserve(rd, w->row_max[ROWS_DRAWS]) != DS_OK) ||
                        (sh->iw && reserve(ri, w->row_max[ROWS_INPUTS]) != DS_OK)) {
                        fail(sh, DS_ENOMEM, NULL, "out of memory for per-draw rows");
                        goto done;
                    }
                    if (sh->dw)
                        rd->len += ds_output_draws_format(sh->dw, rd->buf + rd->len, d, out);
                    if (sh->iw)
                        ri->len += ds_output_inputs_format(sh->iw, ri->buf + ri->len, d, e);
                }
            }
            if ((frc = ds_stats_flush(scratch)) != DS_OK) {
                if (frc == DS_ENOMEM)   /* a histogram's bins */
                    fail(sh, DS_ENOMEM, NULL, "out of memory for statistics");
                else
                    bad_block(sh, e, ps->seed, p, t, first, last);
                held = 0;      /* the run fails: nothing of it is merged */
                goto done;
            }
            if (acc)
                hk->flush(acc);
            held++;
            atomic_fetch_add(&sh->done, last - first);
            if (rs)
                publish_rows(sh, rs, b);
            if (abandoned(sh, t))
                goto done;
        }
    }
done:
    if (held && !stopped(sh))
        merge_blocks(sh, cps, &scratch, held, acc);
    if (acc)
        hk->acc_free(acc);
    ds_engine_free(e);
    ds_stats_free(scratch);
    pthread_mutex_lock(&sh->mu);
    sh->running--;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

static void deadline_in(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Run the job (or, with `single`, one run of that model). */
static int run(const ds_job *job, const ds_model *single, const ds_run_opts *o,
               ds_error *err)
{
    shared sh;
    worker *ws = NULL;
    int nthreads = o->threads < 1 ? 1 : o->threads, started, rc;
    uint64_t total_draws;

    memset(&sh, 0, sizeof sh);
    sh.job = job;
    sh.single = single;
    sh.o = o;
    sh.nb = o->draws / DS_RUN_BLOCK + (o->draws % DS_RUN_BLOCK != 0);
    if (o->draws == 0 || job->npoints == 0)
        return ds_error_set(err, DS_EINVAL, "nothing to run");
    if (sh.nb > UINT64_MAX / job->npoints)
        return ds_error_set(err, DS_EINVAL, "too many draws times points");
    /* Whole points per task when there are enough of them that the last
     * ones cannot leave a thread idle for long (at most about 1/16 of the
     * run): each point is then run, and merged, by one worker. */
    sh.tb = !single && job->npoints >= (size_t)POINTS_PER_THREAD * (size_t)nthreads
                ? sh.nb : 1;
    sh.ntasks = sh.nb / sh.tb * job->npoints;
    total_draws = o->draws * job->npoints;
    if ((uint64_t)nthreads > sh.ntasks)
        nthreads = (int)sh.ntasks;
    atomic_init(&sh.next_task, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.bad_task, UINT64_MAX);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);

    sh.npslots = (size_t)nthreads * SLOTS_PER_THREAD;
    if (!(sh.points = calloc(sh.npslots, sizeof *sh.points)))
        goto nomem;
    if (single && (o->draws_out || o->inputs_out)) {
        sh.nrslots = (size_t)nthreads * SLOTS_PER_THREAD;
        if (!(sh.rows = calloc(sh.nrslots, sizeof *sh.rows)) ||
            (o->draws_out &&
             !(sh.dw = ds_output_draws_new(single, o->draws_out, o->draws_out_name))) ||
            (o->inputs_out &&
             !(sh.iw = ds_output_inputs_new(single, o->inputs_out, o->inputs_out_name))))
            goto nomem;
    }
    if (!(ws = calloc((size_t)nthreads, sizeof *ws)))
        goto nomem;
    for (int i = 0; i < nthreads; i++) {
        ws[i].sh = &sh;
        ws[i].row_max[ROWS_DRAWS] = sh.dw ? ds_output_draws_max(sh.dw) : 0;
        ws[i].row_max[ROWS_INPUTS] = sh.iw ? ds_output_inputs_max(sh.iw) : 0;
    }

    sh.running = nthreads;
    for (started = 0; started < nthreads; started++) {
        if (pthread_create(&ws[started].tid, NULL, work, &ws[started]) != 0) {
            pthread_mutex_lock(&sh.mu);
            sh.running -= nthreads - started;
            fail_locked(&sh, DS_ENOMEM, NULL, "cannot start a worker thread");
            pthread_mutex_unlock(&sh.mu);
            break;
        }
    }

    /* Monitor: report progress and pass a stop request on to waiting workers. */
    pthread_mutex_lock(&sh.mu);
    while (sh.running > 0) {
        struct timespec ts;
        deadline_in(&ts, DS_RUN_TICK_MS);
        pthread_cond_timedwait(&sh.cv, &sh.mu, &ts);
        if (o->stop && *o->stop)
            pthread_cond_broadcast(&sh.cv);
        if (o->progress && sh.running > 0) {
            uint64_t done = atomic_load(&sh.done);
            pthread_mutex_unlock(&sh.mu);
            o->progress(o->progress_ctx, done, total_draws);
            pthread_mutex_lock(&sh.mu);
        }
    }
    pthread_mutex_unlock(&sh.mu);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);

    if (sh.failed) {
        rc = sh.failed;
        if (err)
            *err = sh.err;
    } else if (atomic_load(&sh.bad_task) != UINT64_MAX) {
        rc = sh.bad_err.code;
        if (err)
            *err = sh.bad_err;
    } else if (o->stop && *o->stop) {
        rc = ds_error_set(err, DS_EINTR, "interrupted");
    } else {
        rc = DS_OK;
    }
    goto done;

nomem:
    rc = ds_error_set(err, DS_ENOMEM, "out of memory");
done:
    free(ws);
    if (sh.points)
        for (size_t i = 0; i < sh.npslots; i++) {
            ds_stats_free(sh.points[i].total);
            ds_model_free(sh.points[i].model);
        }
    free(sh.points);
    if (sh.rows)
        for (size_t i = 0; i < sh.nrslots; i++)
            for (int k = 0; k < N_ROWS; k++)
                free(sh.rows[i].out[k].buf);
    free(sh.rows);
    ds_output_draws_free(sh.dw);
    ds_output_inputs_free(sh.iw);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    return rc;
}

int ds_run_job(const ds_job *job, const ds_run_opts *o, ds_error *err)
{
    if (o->draws_out || o->inputs_out || o->hook)
        return ds_error_set(err, DS_EINVAL, "per-draw rows need a single run");
    return run(job, NULL, o, err);
}

/* ds_run as a job of one point: `done` keeps a copy of its statistics. */
static int keep_stats(void *ctx, size_t p, const ds_model *m, const ds_stats *s,
                      ds_error *err)
{
    ds_stats **out = ctx;
    (void)p;
    if (!(*out = ds_stats_new(m)) || ds_stats_merge(*out, s) != DS_OK)
        return ds_error_set(err, DS_ENOMEM, "out of memory for statistics");
    return DS_OK;
}

int ds_run(const ds_model *m, const ds_run_opts *o, ds_stats **out,
           ds_error *err)
{
    ds_job job;
    int rc;

    memset(&job, 0, sizeof job);
    job.npoints = 1;
    job.done = keep_stats;
    job.ctx = out;
    *out = NULL;
    rc = run(&job, m, o, err);
    if (rc != DS_OK) {
        ds_stats_free(*out);
        *out = NULL;
    } else if (o->progress) {
        o->progress(o->progress_ctx, o->draws, o->draws);
    }
    return rc;
}
