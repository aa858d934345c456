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
#include "procs.h"

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
    size_t builder;       /* the worker that built it, which frees it */
    const ds_model *use;  /* the model to simulate */
    ds_stats *total;
    size_t owner1;        /* 1 + the worker whose scratch total was (see
                             stash), or 0 */
    uint64_t seed;
    uint64_t blocks_done;
    void *prep;           /* what job->ready made of it, for job->done */
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
    pthread_cond_t cv;               /* the workers wait on it */
    pthread_cond_t mon;              /* the main thread waits on it (and
                                        wakes at least every tick): only
                                        what it acts on signals it, so the
                                        many wake-ups of the workers do
                                        not wake it too */
    point_slot *points;
    size_t npslots;
    /* The models of delivered points, to be freed by the workers that
     * built them: worker w's are dead[w * npslots ..], ndead[w] of them.
     * A thread freeing memory another thread allocated contends for that
     * thread's malloc arena, which a sweep of small points would do at
     * every point. */
    ds_model **dead;
    size_t *ndead;
    /* Empty statistics for worker w's next points: stash[w * stash_cap ..],
     * nstash[w] of them.  A point's total is the scratch of the worker
     * that ran it (merge_blocks swaps them); once the point is delivered
     * it goes back to that worker, whose cache holds it, rather than to
     * whichever worker next uses the slot: with small points, moving
     * every point's statistics between cores cost a sweep with -j 2 about
     * a tenth of its time. */
    ds_stats **stash;
    size_t *nstash, stash_cap;
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

    /* Processes (SPEC §14, procs.h).  Task t is run by process t mod
     * nranks; rank 0 also receives, as tasks of its own, every other
     * process's statistics of each point, and their per-draw rows.  With
     * one process everything below is idle. */
    int rank, nranks;
    size_t cur_p;                    /* nranks > 1: the next task to claim: */
    uint64_t cur_k, cur_j;           /* point, own task in it, receive */
    uint64_t next_local;             /* this process's blocks of rows
                                        written (rank 0) or sent */
    atomic_uint_fast64_t limit;      /* tasks after it are not needed:
                                        another process found a bad value */
    int stop_asked;                  /* rank 0 said stop */
    int others_stopped;              /* rank 0: another process was
                                        interrupted */
    int n_ended;                     /* rank 0: the others whose end came */
    int told_stop;                   /* rank 0: the others were told */
    uint64_t told_limit;
    void *rbuf, *sbuf;               /* rows received (rank 0's writer) or
                                        sent (another's) */
    size_t rcap, scap;
} shared;

typedef struct worker {
    shared *sh;
    pthread_t tid;
    size_t id;              /* index among the workers */
    ds_model **freeing;     /* [npslots]: its dead models, being freed */
    size_t row_max[N_ROWS]; /* bytes one draw's rows can take, per output */
} worker;

static int interrupted(const shared *sh)
{
    return (sh->o->stop && *sh->o->stop) || sh->stop_asked || sh->others_stopped;
}

static int stopped(const shared *sh)
{
    return interrupted(sh) || sh->failed;
}

/* Task t need not be finished: the run stops, or an earlier task was bad
 * (here, or in another process). */
static int abandoned(const shared *sh, uint64_t t)
{
    return stopped(sh) || t > atomic_load(&sh->bad_task) || t > atomic_load(&sh->limit);
}

/* Rank 0 waits for nothing more from the others: the run stops, or fails
 * with a bad value somewhere. */
static int give_up(void *ctx)
{
    const shared *sh = ctx;
    return stopped(sh) || atomic_load(&sh->bad_task) != UINT64_MAX;
}

/* ---- tasks over processes ----------------------------------------------- */

/* Point p's tasks are [p tpp, (p + 1) tpp) (tpp tasks per point); process r
 * runs those equal to r mod nranks: the first such and how many. */
static uint64_t own_tasks(const shared *sh, size_t p, int r, uint64_t *count)
{
    uint64_t tpp = sh->nb / sh->tb, lo = (uint64_t)p * tpp, hi = lo + tpp;
    uint64_t K = (uint64_t)sh->nranks;
    uint64_t first = lo + ((uint64_t)r + K - lo % K) % K;
    *count = first < hi ? (hi - first - 1) / K + 1 : 0;
    return first;
}

/* The processes with tasks of point p are (p tpp + j) mod nranks for j <
 * min(tpp, nranks), each once. */
static uint64_t ranks_of(const shared *sh, size_t p)
{
    uint64_t tpp = sh->nb / sh->tb;
    return tpp < (uint64_t)sh->nranks ? tpp : (uint64_t)sh->nranks;
}

/* What completes point p here: its blocks run here, and on rank 0 one
 * receive of each other process with tasks of it. */
static uint64_t need_of(const shared *sh, size_t p)
{
    uint64_t own;
    own_tasks(sh, p, sh->rank, &own);
    if (sh->rank == 0 && sh->nranks > 1)
        return own * sh->tb + ranks_of(sh, p) - (own > 0);
    return own * sh->tb;
}

/* Move next_done past the points this process has no part in.  Call with
 * sh->mu held. */
static void skip_idle(shared *sh)
{
    while (sh->next_done < sh->job->npoints && need_of(sh, sh->next_done) == 0)
        sh->next_done++;
}

typedef struct task {
    uint64_t t;    /* the task (its point's first, for a receive) */
    size_t p;      /* its point */
    uint64_t b;    /* its first block */
    int src;       /* >= 0: receive process src's statistics of p */
} task;

/* The next task of this process, in order.  0 when there is none left. */
static int claim(shared *sh, task *k)
{
    uint64_t tpp = sh->nb / sh->tb;

    if (sh->nranks == 1) {
        uint64_t t = atomic_fetch_add(&sh->next_task, 1);
        if (t >= sh->ntasks)
            return 0;
        k->t = t;
        k->p = (size_t)(t / tpp);
        k->b = t % tpp * sh->tb;
        k->src = -1;
        return 1;
    }
    pthread_mutex_lock(&sh->mu);
    for (; sh->cur_p < sh->job->npoints; sh->cur_p++, sh->cur_k = sh->cur_j = 0) {
        size_t p = sh->cur_p;
        uint64_t own, first = own_tasks(sh, p, sh->rank, &own);
        if (sh->cur_k < own) {
            k->t = first + sh->cur_k++ * (uint64_t)sh->nranks;
            k->p = p;
            k->b = k->t % tpp * sh->tb;
            k->src = -1;
            pthread_mutex_unlock(&sh->mu);
            return 1;
        }
        while (sh->rank == 0 && sh->cur_j < ranks_of(sh, p)) {
            int r = (int)(((uint64_t)p * tpp + sh->cur_j++) % (uint64_t)sh->nranks);
            if (r == 0)
                continue;
            k->t = (uint64_t)p * tpp;
            k->p = p;
            k->b = 0;
            k->src = r;
            pthread_mutex_unlock(&sh->mu);
            return 1;
        }
    }
    pthread_mutex_unlock(&sh->mu);
    return 0;
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
    pthread_cond_signal(&sh->mon);
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

/* Process rank's blocks of rows are b = rank + i nranks; i is the block's
 * number here, and its slot is i mod nrslots. */
static uint64_t local_block(const shared *sh, uint64_t b)
{
    return b / (uint64_t)sh->nranks;
}

/* Wait until block b's (task t's) row slot is free.  NULL when the task is
 * abandoned. */
static row_slot *claim_rows(shared *sh, uint64_t b, uint64_t t)
{
    row_slot *sl = NULL;
    uint64_t i = local_block(sh, b);
    pthread_mutex_lock(&sh->mu);
    while (!abandoned(sh, t) && i >= sh->next_local + sh->nrslots)
        pthread_cond_wait(&sh->cv, &sh->mu);
    if (!abandoned(sh, t))
        sl = &sh->rows[i % sh->nrslots];
    pthread_mutex_unlock(&sh->mu);
    return sl;
}

/* Write one block's rows of each output (`len` bytes at `buf` each), with
 * the lock released.  Call with sh->mu held. */
static void write_rows_locked(shared *sh, char *const *buf, const size_t *len)
{
    for (int k = 0; k < N_ROWS; k++) {
        if (!sh->failed && len[k]) {
            ds_error e;
            int rc;
            pthread_mutex_unlock(&sh->mu);
            rc = k == ROWS_DRAWS ? ds_output_draws_write(sh->dw, buf[k], len[k], &e)
                                 : ds_output_inputs_write(sh->iw, buf[k], len[k], &e);
            pthread_mutex_lock(&sh->mu);
            if (rc != DS_OK)
                fail_locked(sh, rc, &e, NULL);
        }
    }
}

/* A message of rows: the bytes of each output, then the rows. */
typedef struct rows_head {
    uint64_t len[N_ROWS];
} rows_head;

/* Rank 0: write every block that is now next in order, its own from their
 * slots, the others' as they come.  Call with sh->mu held and `writing`
 * taken. */
static void write_in_order(shared *sh)
{
    for (;;) {
        uint64_t b = sh->next_write;
        char *buf[N_ROWS];
        size_t len[N_ROWS];
        if (b >= sh->nb)
            break;
        if (b % (uint64_t)sh->nranks == 0) {
            row_slot *w = &sh->rows[local_block(sh, b) % sh->nrslots];
            if (!w->ready || w->block != b)
                break;
            for (int k = 0; k < N_ROWS; k++) {
                buf[k] = w->out[k].buf;
                len[k] = w->out[k].len;
            }
            write_rows_locked(sh, buf, len);
            for (int k = 0; k < N_ROWS; k++)
                w->out[k].len = 0;
            w->ready = 0;
            sh->next_local++;
        } else {
            size_t got = 0;
            rows_head h;
            int rc;
            if (give_up(sh))
                break;
            pthread_mutex_unlock(&sh->mu);
            rc = ds_mpi_recv((int)(b % (uint64_t)sh->nranks), DS_MPI_TAG_ROWS, &sh->rbuf,
                             &sh->rcap, &got, NULL, NULL, 1, give_up, sh);
            pthread_mutex_lock(&sh->mu);
            if (rc == DS_EINTR)
                break;
            memcpy(&h, sh->rbuf, sizeof h < got ? sizeof h : got);
            if (rc != DS_OK || got < sizeof h || h.len[0] > got - sizeof h ||
                h.len[1] != got - sizeof h - h.len[0]) {
                fail_locked(sh, rc == DS_ENOMEM ? DS_ENOMEM : DS_EINVAL, NULL,
                            rc == DS_ENOMEM ? "out of memory for per-draw rows"
                                            : "per-draw rows of another process are damaged");
                break;
            }
            buf[0] = (char *)sh->rbuf + sizeof h;
            buf[1] = buf[0] + h.len[0];
            len[0] = h.len[0];
            len[1] = h.len[1];
            write_rows_locked(sh, buf, len);
        }
        sh->next_write++;
        pthread_cond_broadcast(&sh->cv);
    }
}

/* Another process: send every block that is now next in order to rank 0.
 * Call with sh->mu held and `writing` taken. */
static void send_in_order(shared *sh)
{
    for (;;) {
        uint64_t i = sh->next_local, b = i * (uint64_t)sh->nranks + (uint64_t)sh->rank;
        row_slot *w = &sh->rows[i % sh->nrslots];
        if (b >= sh->nb || !w->ready || w->block != b)
            break;
        if (!stopped(sh) && atomic_load(&sh->limit) == UINT64_MAX) {
            rows_head h;
            size_t n = sizeof h + w->out[0].len + w->out[1].len;
            int rc = DS_OK;
            if (n > sh->scap) {
                void *q = realloc(sh->sbuf, n);
                if (!q) {
                    fail_locked(sh, DS_ENOMEM, NULL, "out of memory for per-draw rows");
                    break;
                }
                sh->sbuf = q;
                sh->scap = n;
            }
            h.len[0] = w->out[0].len;
            h.len[1] = w->out[1].len;
            memcpy(sh->sbuf, &h, sizeof h);
            memcpy((char *)sh->sbuf + sizeof h, w->out[0].buf, h.len[0]);
            memcpy((char *)sh->sbuf + sizeof h + h.len[0], w->out[1].buf, h.len[1]);
            pthread_mutex_unlock(&sh->mu);
            rc = ds_mpi_send(0, DS_MPI_TAG_ROWS, sh->sbuf, n);
            pthread_mutex_lock(&sh->mu);
            if (rc != DS_OK)
                fail_locked(sh, rc, NULL, "per-draw rows of a block are too many for a message");
        }
        for (int k = 0; k < N_ROWS; k++)
            w->out[k].len = 0;
        w->ready = 0;
        sh->next_local++;
        pthread_cond_broadcast(&sh->cv);
    }
}

/* Block b's rows are in sl.  Unless another worker is writing (it will
 * take these too), write every block that is now next in order, with the
 * lock released: the slot of the block next in order is touched by no one
 * else until it is written. */
static void publish_rows(shared *sh, row_slot *sl, uint64_t b)
{
    pthread_mutex_lock(&sh->mu);
    sl->block = b;
    sl->ready = 1;
    if (!sh->writing) {
        sh->writing = 1;
        if (sh->rank == 0)
            write_in_order(sh);
        else
            send_in_order(sh);
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

/* Take worker w's dead models (under the run's lock): they are freed by
 * free_taken, with the lock released. */
static size_t take_dead(shared *sh, worker *w)
{
    size_t n = sh->ndead[w->id];
    memcpy(w->freeing, sh->dead + w->id * sh->npslots, n * sizeof *w->freeing);
    sh->ndead[w->id] = 0;
    return n;
}

static void free_taken(worker *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ds_model_free(w->freeing[i]);
}

/* Get point p's slot (for task t), building its model if worker w is the
 * first to reach it; frees w's dead models on the way.  NULL when the task
 * is abandoned. */
static point_slot *enter_point(shared *sh, worker *w, size_t p, uint64_t t)
{
    point_slot *ps;
    size_t ndead;
    pthread_mutex_lock(&sh->mu);
    ndead = take_dead(sh, w);
    while (!abandoned(sh, t) && p >= sh->next_done + sh->npslots)
        pthread_cond_wait(&sh->cv, &sh->mu);
    ps = &sh->points[p % sh->npslots];
    if (!abandoned(sh, t) && ps->state == POINT_EMPTY) {
        ds_error e;
        int rc = DS_OK;
        ps->state = POINT_BUILDING;
        ps->point = p;
        ps->builder = w->id;
        if (!ps->total && sh->nstash && sh->nstash[w->id])
            ps->total = sh->stash[w->id * sh->stash_cap + --sh->nstash[w->id]];
        pthread_mutex_unlock(&sh->mu);
        free_taken(w, ndead);
        ndead = 0;
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
    free_taken(w, ndead);
    return ps;
}

/* A point's statistics from another process: their bytes, then the run
 * hook's total's (single runs with a hook). */
typedef struct point_head {
    uint64_t stats, hook;
} point_head;

static int point_tag(size_t p)
{
    return DS_MPI_TAG_POINT + (int)(p % DS_MPI_POINT_TAGS);
}

/* Another process: send this process's statistics of point p (and the
 * hook's total) to rank 0. */
static int send_point(shared *sh, size_t p, const ds_stats *s, ds_error *err)
{
    const ds_run_hook *hk = sh->single ? sh->o->hook : NULL;
    point_head h;
    char *buf;
    int rc;

    h.stats = ds_stats_pack(s, NULL, 0);
    h.hook = hk ? hk->pack(hk->ctx, NULL, 0) : 0;
    if (!(buf = malloc(sizeof h + h.stats + h.hook)))
        return ds_error_set(err, DS_ENOMEM, "out of memory for statistics");
    memcpy(buf, &h, sizeof h);
    ds_stats_pack(s, buf + sizeof h, h.stats);
    if (hk)
        hk->pack(hk->ctx, buf + sizeof h + h.stats, h.hook);
    rc = ds_mpi_send(0, point_tag(p), buf, sizeof h + h.stats + h.hook);
    free(buf);
    if (rc != DS_OK)
        return ds_error_set(err, rc, "the statistics of a point are too large for a message");
    return DS_OK;
}

/* Merge a worker's statistics of `blocks` finished blocks into their point
 * (owner1: 1 + that worker's id, or 0 for statistics of another process);
 * hand every point that is now complete, in order, to job->done (unless
 * another worker is doing so: it will take these too).  done runs with the
 * lock released: a complete point's slot is touched by no one else until
 * next_done moves past it. */
static void merge_blocks(shared *sh, point_slot *ps, ds_stats **scratch, size_t owner1,
                         uint64_t blocks, void *acc, const void *hbytes, size_t hlen)
{
    const ds_run_hook *hk = sh->o->hook;
    pthread_mutex_lock(&sh->mu);
    if (acc && !sh->failed) {
        int rc = hk->merge(hk->ctx, acc);
        if (rc != DS_OK)
            fail_locked(sh, rc, NULL, "cannot merge per-draw accumulators");
    }
    if (hbytes && !sh->failed) {
        int rc = hk->merge_packed(hk->ctx, hbytes, hlen);
        if (rc != DS_OK)
            fail_locked(sh, rc, NULL, rc == DS_ENOMEM
                                          ? "out of memory for per-draw accumulators"
                                          : "per-draw accumulators of another process "
                                            "are damaged");
    }
    if (ds_stats_draws(ps->total) == 0) {
        /* Merging into an empty total would copy: swap the objects, and the
         * worker goes on with the empty one (a point run by one worker, as
         * in a sweep of many points, is never copied). */
        ds_stats *t = ps->total;
        ps->total = *scratch;
        ps->owner1 = owner1;
        *scratch = t;
    } else {
        int rc = ds_stats_merge(ps->total, *scratch);
        if (rc == DS_ENOMEM)    /* the total's histograms need bins */
            fail_locked(sh, DS_ENOMEM, NULL, "out of memory for statistics");
        else if (rc != DS_OK)   /* one model, flushed  GCOVR_EXCL_LINE */
            fail_locked(sh, DS_EINVAL, NULL, "statistics of different shapes"); /* GCOVR_EXCL_LINE */
    }
    if (sh->job->ready && !sh->failed &&
        ps->blocks_done + blocks == need_of(sh, ps->point)) {
        /* The point's statistics are complete: ready reads them here, with
         * the lock released.  They count as done only after it, so no one
         * delivers the point meanwhile. */
        ds_error e;
        int rc;
        ds_error_clear(&e);
        pthread_mutex_unlock(&sh->mu);
        rc = sh->job->ready(sh->job->ctx, ps->point, ps->use, ps->total, &ps->prep, &e);
        pthread_mutex_lock(&sh->mu);
        if (rc != DS_OK)
            fail_locked(sh, rc, &e, NULL);
    }
    ps->blocks_done += blocks;
    if (!sh->delivering) {
        sh->delivering = 1;
        for (;;) {
            point_slot *d = &sh->points[sh->next_done % sh->npslots];
            if (sh->next_done >= sh->job->npoints || d->state != POINT_READY ||
                d->point != sh->next_done || d->blocks_done < need_of(sh, d->point))
                break;
            if (!sh->failed) {
                ds_error e;
                int rc = DS_OK;
                ds_error_clear(&e);
                pthread_mutex_unlock(&sh->mu);
                if (sh->rank != 0)
                    rc = send_point(sh, d->point, d->total, &e);
                if (rc == DS_OK) {
                    rc = sh->job->done(sh->job->ctx, d->point, d->use, d->total, d->prep, &e);
                    d->prep = NULL;             /* done's now */
                }
                pthread_mutex_lock(&sh->mu);
                if (rc != DS_OK)
                    fail_locked(sh, rc, &e, NULL);
            }
            {
                ds_stats *keep = d->total;   /* reused by its owner, or the slot's next point */
                const size_t back = d->owner1;
                ds_model *dead = d->model;   /* no one else refers to it now */
                size_t *nd = &sh->ndead[d->builder];
                if (dead && *nd < sh->npslots) {
                    sh->dead[d->builder * sh->npslots + (*nd)++] = dead;
                    dead = NULL;             /* its builder frees it */
                }
                if (d->prep)                 /* not handed to done */
                    sh->job->discard(sh->job->ctx, d->prep);
                memset(d, 0, sizeof *d);
                if (keep && back && sh->nstash && sh->nstash[back - 1] < sh->stash_cap) {
                    sh->stash[(back - 1) * sh->stash_cap + sh->nstash[back - 1]++] = keep;
                    keep = NULL;
                }
                d->total = keep;
                sh->next_done++;
                skip_idle(sh);
                pthread_cond_broadcast(&sh->cv);
                if (dead) {
                    pthread_mutex_unlock(&sh->mu);
                    ds_model_free(dead);
                    pthread_mutex_lock(&sh->mu);
                }
            }
        }
        sh->delivering = 0;
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

/* Rank 0: receive process src's statistics of point ps (and the hook's
 * total) and merge them, as one of the point's tasks.  DS_OK, or an error
 * (the run fails) or DS_EINTR (it stops, or fails elsewhere). */
static int receive_point(shared *sh, point_slot *ps, int src, ds_stats **recv,
                         const ds_model **rmodel, void **buf, size_t *cap)
{
    const ds_run_hook *hk = sh->single ? sh->o->hook : NULL;
    size_t got = 0;
    point_head h;
    int rc = ds_mpi_recv(src, point_tag(ps->point), buf, cap, &got, NULL, NULL, 1, give_up, sh);

    if (rc == DS_EINTR)
        return rc;
    if (rc == DS_OK && *rmodel != ps->use) {
        if (*recv && ds_stats_rebind(*recv, ps->use) != DS_OK) {
            ds_stats_free(*recv);
            *recv = NULL;
        }
        if (!*recv && !(*recv = ds_stats_new(ps->use)))
            rc = DS_ENOMEM;
        *rmodel = *recv ? ps->use : NULL;
    }
    if (rc == DS_OK) {
        memcpy(&h, *buf, sizeof h < got ? sizeof h : got);
        if (got < sizeof h || h.stats > got - sizeof h || h.hook != got - sizeof h - h.stats ||
            (h.hook && !hk))
            rc = DS_EINVAL;
        else
            rc = ds_stats_unpack(*recv, (char *)*buf + sizeof h, h.stats);
    }
    if (rc != DS_OK) {
        fail(sh, rc, NULL, rc == DS_ENOMEM ? "out of memory for statistics"
                                           : "statistics of another process are damaged");
        return rc;
    }
    merge_blocks(sh, ps, recv, 0, 1, NULL, h.hook ? (char *)*buf + sizeof h + h.stats : NULL,
                 h.hook);
    return DS_OK;
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
    pthread_cond_signal(&sh->mon);
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
    ds_stats *recv = NULL;        /* rank 0: statistics received */
    const ds_model *rmodel = NULL;/* the model recv was made for */
    void *rbuf = NULL;            /* their bytes */
    size_t rcap = 0;

    for (;;) {
        uint64_t t, b, first, last;
        size_t p;
        int frc;
        point_slot *ps;
        row_slot *rs = NULL;
        task k;

        if (stopped(sh) || !claim(sh, &k))
            break;
        t = k.t;
        p = k.p;
        b = k.b;
        if (abandoned(sh, t))
            break;
        /* Statistics are merged into their point only when the worker moves
         * on (or ends): a single run merges once per thread.  Merge before
         * anything that may wait, since finishing the point waited for may
         * need them. */
        if (p != cur_point && held && !hk) {
            merge_blocks(sh, cps, &scratch, w->id + 1, held, NULL, NULL, 0);
            held = 0;
            ds_stats_reset(scratch);
        }
        if (k.src >= 0) {
            /* Rank 0: another process's statistics of point p. */
            if (!(ps = enter_point(sh, w, p, t)) ||
                receive_point(sh, ps, k.src, &recv, &rmodel, &rbuf, &rcap) != DS_OK)
                break;
            continue;
        }
        if (!(ps = enter_point(sh, w, p, t)))
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
        merge_blocks(sh, cps, &scratch, w->id + 1, held, acc, NULL, 0);
    if (acc)
        hk->acc_free(acc);
    ds_engine_free(e);
    ds_stats_free(scratch);
    ds_stats_free(recv);
    free(rbuf);
    pthread_mutex_lock(&sh->mu);
    sh->running--;
    pthread_cond_broadcast(&sh->cv);
    if (sh->running == 0)
        pthread_cond_signal(&sh->mon);
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

/* ---- the end of a run over processes ------------------------------------- */

/* How often the main thread of a run over processes looks for messages. */
#define MPI_TICK_MS 5

/* Rank 0: process `from` says its part of the run is over. */
static void handle_end(shared *sh, int from, const void *buf, size_t len)
{
    ds_mpi_end e;
    memset(&e, 0, sizeof e);
    memcpy(&e, buf, len < sizeof e ? len : sizeof e);
    e.msg[sizeof e.msg - 1] = '\0';
    pthread_mutex_lock(&sh->mu);
    (void)from;
    sh->n_ended++;
    if (e.kind == DS_MPI_END_FAILED || e.kind == DS_MPI_END_BAD) {
        ds_error x;
        x.code = e.code != DS_OK ? e.code : DS_EINVAL;
        snprintf(x.msg, sizeof x.msg, "%s", e.msg);
        if (e.kind == DS_MPI_END_FAILED) {
            fail_locked(sh, x.code, &x, NULL);
        } else if (e.task < atomic_load(&sh->bad_task)) {
            atomic_store(&sh->bad_task, e.task);
            sh->bad_err = x;
        }
    } else if (e.kind == DS_MPI_END_STOPPED && !sh->told_stop) {
        sh->others_stopped = 1;   /* interrupted there: stop here too */
    }
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

/* Rank 0: tell the others what they must know: stop, or no task after a
 * bad one is needed.  (Control messages are a few bytes: they go out
 * without waiting for the receiver.) */
static void tell(shared *sh)
{
    ds_mpi_ctrl c;
    int stop;
    uint64_t lim;

    memset(&c, 0, sizeof c);
    pthread_mutex_lock(&sh->mu);
    stop = stopped(sh) && !sh->told_stop;
    lim = atomic_load(&sh->bad_task);
    if (stop)
        sh->told_stop = 1;
    else if (!sh->told_stop && lim < sh->told_limit)
        sh->told_limit = lim;
    else
        lim = UINT64_MAX;
    pthread_mutex_unlock(&sh->mu);
    if (!stop && lim == UINT64_MAX)
        return;
    c.what = stop ? DS_MPI_CTRL_STOP : DS_MPI_CTRL_LIMIT;
    c.task = lim;
    for (int r = 1; r < sh->nranks; r++)
        ds_mpi_post(r, DS_MPI_TAG_CTRL, &c, sizeof c);
}

/* Another process: what rank 0 said. */
static void heed(shared *sh, const void *buf, size_t len)
{
    ds_mpi_ctrl c;
    memset(&c, 0, sizeof c);
    memcpy(&c, buf, len < sizeof c ? len : sizeof c);
    pthread_mutex_lock(&sh->mu);
    if (c.what == DS_MPI_CTRL_STOP)
        sh->stop_asked = 1;
    else if (c.what == DS_MPI_CTRL_LIMIT && c.task < atomic_load(&sh->limit))
        atomic_store(&sh->limit, c.task);
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

/* The main thread, while the workers run: read what has come. */
static void hear(shared *sh, void **buf, size_t *cap)
{
    size_t len;
    int from;
    if (sh->rank == 0) {
        while (ds_mpi_recv(DS_MPI_ANY, DS_MPI_TAG_END, buf, cap, &len, &from, NULL, 0, NULL,
                           NULL) == DS_OK)
            handle_end(sh, from, *buf, len);
        tell(sh);
    } else {
        while (ds_mpi_recv(0, DS_MPI_TAG_CTRL, buf, cap, &len, NULL, NULL, 0, NULL, NULL) ==
               DS_OK)
            heed(sh, *buf, len);
    }
}

/* The workers are done.  Rank 0: take what the others still send (unused
 * when the run failed) up to each one's end, then say the run is over.
 * Another process: say how its part ended, and wait until rank 0 has
 * heard every process. */
static void conclude(shared *sh, void **buf, size_t *cap)
{
    size_t len;
    int tag;

    if (sh->rank == 0) {
        ds_mpi_ctrl c;
        int from;
        while (sh->n_ended < sh->nranks - 1) {
            if (ds_mpi_recv(DS_MPI_ANY, DS_MPI_ANY, buf, cap, &len, &from, &tag, 1, NULL,
                            NULL) == DS_OK &&
                tag == DS_MPI_TAG_END)
                handle_end(sh, from, *buf, len);
            tell(sh);
        }
        memset(&c, 0, sizeof c);
        c.what = DS_MPI_CTRL_DONE;
        for (int r = 1; r < sh->nranks; r++)
            ds_mpi_post(r, DS_MPI_TAG_CTRL, &c, sizeof c);
    } else {
        ds_mpi_end e;
        memset(&e, 0, sizeof e);
        pthread_mutex_lock(&sh->mu);
        if (sh->failed) {
            e.kind = DS_MPI_END_FAILED;
            e.code = sh->failed;
            snprintf(e.msg, sizeof e.msg, "%s", sh->err.msg);
        } else if (atomic_load(&sh->bad_task) != UINT64_MAX) {
            e.kind = DS_MPI_END_BAD;
            e.code = sh->bad_err.code;
            e.task = atomic_load(&sh->bad_task);
            snprintf(e.msg, sizeof e.msg, "%s", sh->bad_err.msg);
        } else if (interrupted(sh)) {
            e.kind = DS_MPI_END_STOPPED;
        }
        pthread_mutex_unlock(&sh->mu);
        ds_mpi_send(0, DS_MPI_TAG_END, &e, sizeof e);
        for (;;) {
            ds_mpi_ctrl c;
            if (ds_mpi_recv(0, DS_MPI_TAG_CTRL, buf, cap, &len, NULL, NULL, 1, NULL, NULL) !=
                DS_OK)
                continue;   /* out of memory for 16 bytes: try again  GCOVR_EXCL_LINE */
            memset(&c, 0, sizeof c);
            memcpy(&c, *buf, len < sizeof c ? len : sizeof c);
            if (c.what == DS_MPI_CTRL_DONE)
                break;
        }
    }
}

/* Run the job (or, with `single`, one run of that model). */
static int run(const ds_job *job, const ds_model *single, const ds_run_opts *o,
               ds_error *err)
{
    shared sh;
    worker *ws = NULL;
    int nthreads = o->threads < 1 ? 1 : o->threads, started = 0, nws = 0, rc;
    uint64_t total_draws;
    void *mbuf = NULL;      /* the main thread's messages */
    size_t mcap = 0;
    struct timespec last;

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
    sh.nranks = 1;
    atomic_init(&sh.limit, UINT64_MAX);
    sh.told_limit = UINT64_MAX;
    /* Over processes (unless a hook cannot send its totals): rank 0's
     * task size is everyone's, and the others check that they run what
     * rank 0 runs. */
    if (ds_mpi_size() > 1 && (!o->hook || o->hook->pack)) {
        uint64_t w[5] = {job->npoints, o->draws, o->seed, sh.tb, single != NULL};
        sh.nranks = ds_mpi_size();
        sh.rank = ds_mpi_rank();
        ds_mpi_go(w, 5);
        if (w[0] != job->npoints || w[1] != o->draws || w[2] != o->seed ||
            w[4] != (single != NULL) || (w[3] != 1 && w[3] != sh.nb)) {
            ds_error_set(&sh.err, DS_EINVAL,
                         "process %d was given another run than process 0: every process "
                         "must be given the same command and files", sh.rank);
            sh.failed = DS_EINVAL;
        } else {
            sh.tb = w[3];
        }
    }
    sh.ntasks = sh.nb / sh.tb * job->npoints;
    total_draws = o->draws * job->npoints;
    if ((uint64_t)nthreads > sh.ntasks)
        nthreads = (int)sh.ntasks;
    atomic_init(&sh.next_task, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.bad_task, UINT64_MAX);
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    pthread_cond_init(&sh.mon, NULL);
    skip_idle(&sh);

    sh.npslots = (size_t)nthreads * SLOTS_PER_THREAD;
    if (sh.failed)
        nthreads = 0;
    else if (!(sh.points = calloc(sh.npslots, sizeof *sh.points)))
        goto nomem;
    if (nthreads && single && (o->draws_out || o->inputs_out)) {
        sh.nrslots = (size_t)nthreads * SLOTS_PER_THREAD;
        if (!(sh.rows = calloc(sh.nrslots, sizeof *sh.rows)) ||
            (o->draws_out &&
             !(sh.dw = ds_output_draws_new(single, o->draws_out, o->draws_out_name))) ||
            (o->inputs_out &&
             !(sh.iw = ds_output_inputs_new(single, o->inputs_out, o->inputs_out_name))))
            goto nomem;
    }
    if (nthreads && (!(ws = calloc((size_t)nthreads, sizeof *ws)) ||
                     !(sh.dead = calloc((size_t)nthreads * sh.npslots, sizeof *sh.dead)) ||
                     !(sh.ndead = calloc((size_t)nthreads, sizeof *sh.ndead)) ||
                     !(sh.stash = calloc((size_t)nthreads * (sh.npslots + (size_t)nthreads),
                                         sizeof *sh.stash)) ||
                     !(sh.nstash = calloc((size_t)nthreads, sizeof *sh.nstash))))
        goto nomem;
    sh.stash_cap = sh.npslots + (size_t)nthreads;
    nws = ws ? nthreads : 0;
    for (int i = 0; i < nws; i++)
        if (!(ws[i].freeing = calloc(sh.npslots, sizeof *ws[i].freeing)))
            goto nomem;
    for (int i = 0; i < nthreads; i++) {
        ws[i].sh = &sh;
        ws[i].id = (size_t)i;
        ws[i].row_max[ROWS_DRAWS] = sh.dw ? ds_output_draws_max(sh.dw) : 0;
        ws[i].row_max[ROWS_INPUTS] = sh.iw ? ds_output_inputs_max(sh.iw) : 0;
    }
    if (0) {
nomem:
        /* Alone, say so now; over processes, at the end like any failure. */
        if (sh.nranks == 1) {
            rc = ds_error_set(err, DS_ENOMEM, "out of memory");
            goto done;
        }
        ds_error_set(&sh.err, DS_ENOMEM, "out of memory");
        sh.failed = DS_ENOMEM;
        nthreads = 0;
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

    /* Monitor: report progress, pass a stop request on to waiting workers,
     * and (over processes) read and pass on what the others say. */
    clock_gettime(CLOCK_MONOTONIC, &last);
    pthread_mutex_lock(&sh.mu);
    while (sh.running > 0) {
        struct timespec ts, now;
        deadline_in(&ts, sh.nranks > 1 ? MPI_TICK_MS : DS_RUN_TICK_MS);
        pthread_cond_timedwait(&sh.mon, &sh.mu, &ts);
        if (o->stop && *o->stop)
            pthread_cond_broadcast(&sh.cv);
        if (sh.nranks > 1) {
            pthread_mutex_unlock(&sh.mu);
            hear(&sh, &mbuf, &mcap);
            pthread_mutex_lock(&sh.mu);
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (o->progress && sh.running > 0 && sh.rank == 0 &&
            (now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >=
                DS_RUN_TICK_MS) {
            /* This process's draws, as a share of the whole. */
            uint64_t done = atomic_load(&sh.done) * (uint64_t)sh.nranks;
            last = now;
            pthread_mutex_unlock(&sh.mu);
            o->progress(o->progress_ctx, done < total_draws ? done : total_draws, total_draws);
            pthread_mutex_lock(&sh.mu);
        }
    }
    pthread_mutex_unlock(&sh.mu);
    for (int i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    if (sh.nranks > 1)
        conclude(&sh, &mbuf, &mcap);

    if (sh.failed) {
        rc = sh.failed;
        if (err)
            *err = sh.err;
    } else if (atomic_load(&sh.bad_task) != UINT64_MAX) {
        rc = sh.bad_err.code;
        if (err)
            *err = sh.bad_err;
    } else if (interrupted(&sh)) {
        rc = ds_error_set(err, DS_EINTR, "interrupted");
    } else {
        rc = DS_OK;
    }

done:
    for (int i = 0; i < nws; i++) {
        free(ws[i].freeing);
        for (size_t j = 0; sh.ndead && j < sh.ndead[i]; j++)
            ds_model_free(sh.dead[(size_t)i * sh.npslots + j]);
    }
    for (int i = 0; i < nws; i++)
        for (size_t j = 0; sh.nstash && j < sh.nstash[i]; j++)
            ds_stats_free(sh.stash[(size_t)i * sh.stash_cap + j]);
    free(sh.dead);
    free(sh.ndead);
    free(sh.stash);
    free(sh.nstash);
    free(ws);
    free(mbuf);
    free(sh.rbuf);
    free(sh.sbuf);
    if (sh.points)
        for (size_t i = 0; i < sh.npslots; i++) {
            ds_stats_free(sh.points[i].total);
            ds_model_free(sh.points[i].model);
            if (sh.points[i].prep)
                job->discard(job->ctx, sh.points[i].prep);
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
    pthread_cond_destroy(&sh.mon);
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
                      void *prep, ds_error *err)
{
    ds_stats **out = ctx;
    (void)p;
    (void)prep;
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
    /* A process of a run over processes that ran none of its blocks. */
    if (rc == DS_OK && !*out && !(*out = ds_stats_new(m)))
        rc = ds_error_set(err, DS_ENOMEM, "out of memory for statistics");
    if (rc != DS_OK) {
        ds_stats_free(*out);
        *out = NULL;
    } else if (o->progress) {
        o->progress(o->progress_ctx, o->draws, o->draws);
    }
    return rc;
}
