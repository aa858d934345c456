/*
 * run.h - Monte Carlo runs: many draws of the engine on many threads, summed
 * into mergeable statistics, with optional per-draw rows in draw order; and
 * jobs of many such runs (sweep points) sharing the same threads.
 *
 * Draws are processed in fixed blocks of DS_RUN_BLOCK draws (block b holds
 * draws [b*DS_RUN_BLOCK, (b+1)*DS_RUN_BLOCK)), each block on one thread with
 * its own engine workspace; the block partition does not depend on the
 * number of threads, and statistics are exact sums (stats.h), so every output
 * is byte-identical for any thread count (SPEC §7).
 *
 * The run module only schedules: per-draw rows are formatted and written by
 * the output module (output.h), and nothing is formatted or written while the
 * run's lock is held (callbacks such as ds_job.done run outside it too).
 */
#ifndef DEALSIM_RUN_H
#define DEALSIM_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dealsim/engine.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/stats.h"

/* Draws per block: large enough that per-block overhead (flush, merge,
 * scheduling) is negligible, small enough that Ctrl-C is honoured within
 * milliseconds and per-draw output buffers stay small. */
#define DS_RUN_BLOCK 4096u

/* How often the progress callback is called. */
#define DS_RUN_TICK_MS 200

/*
 * A per-draw accumulator beside the statistics (e.g. sensitivity, sens.h).
 * Each worker of a single run makes its own accumulator, adds every draw
 * it simulates, flushes it at the end of every block (after the block's
 * statistics), and, when its work is done, folds it into the caller's
 * total.  For output that is byte-identical for any number of threads the
 * accumulator must be exact, so that neither which blocks a worker ran nor
 * the order of the merges changes a bit (as ds_stats).  A run that fails
 * or is stopped merges nothing.
 */
typedef struct ds_run_hook {
    /* A new, empty accumulator for one worker; NULL on no memory. */
    void *(*acc_new)(void *ctx);
    /* Add one draw: out as from ds_engine_draw by e (whose inputs,
     * ds_engine_input_value, are that draw's).  No allocation, no I/O. */
    void (*add)(void *acc, const ds_engine *e, const ds_outcome *out);
    /* The block ends. */
    void (*flush)(void *acc);
    /* Fold acc into ctx's total.  Called once per worker that ran blocks,
     * one call at a time.  DS_OK, or an error code (the run fails with
     * it). */
    int (*merge)(void *ctx, void *acc);
    /* Free an accumulator of acc_new (NULL: nothing). */
    void (*acc_free)(void *acc);
    /* Runs over several processes (SPEC §14): ctx's total as bytes (the
     * bytes it takes; written to buf only when cap is at least that), and
     * such bytes of another process's total folded into ctx's total
     * (DS_OK or an error code).  NULL when the hook cannot be spread:
     * such a run stays in one process. */
    size_t (*pack)(void *ctx, void *buf, size_t cap);
    int (*merge_packed)(void *ctx, const void *buf, size_t len);
    void *ctx;
} ds_run_hook;

typedef struct ds_run_opts {
    uint64_t draws;        /* >= 1 */
    uint64_t seed;
    int threads;           /* >= 1 */
    FILE *draws_out;       /* per-draw CSV rows (no header), or NULL */
    /* Called on the calling thread about every DS_RUN_TICK_MS while the run
     * goes on, with the draws completed so far; may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* Set (to non-zero) from a signal handler to stop the run early. */
    volatile sig_atomic_t *stop;
    /* The name of draws_out in messages, or NULL ("per-draw rows"). */
    const char *draws_out_name;
    /* Inputs per draw (SPEC §6): one CSV row per draw, no header, in draw
     * order (output.h, ds_output_inputs), or NULL; and its name in
     * messages, or NULL ("inputs per draw"). */
    FILE *inputs_out;
    const char *inputs_out_name;
    /* A per-draw accumulator (single runs only), or NULL. */
    const ds_run_hook *hook;
} ds_run_opts;

/* Run o->draws draws of model m.  On success stores the merged statistics in
 * *out (caller frees with ds_stats_free) and returns DS_OK.  Returns
 * DS_EINTR if *o->stop became non-zero, DS_ENOMEM, DS_EIO with err filled
 * when writing per-draw rows or inputs failed ("NAME: cannot write:
 * REASON"), or
 * DS_ERANGE with err filled when an outcome was not finite or beyond +-DS_OUTCOME_MAX ("draw D: deficit is not
 * finite ..." as ds_engine_check says; always the first such draw, whatever
 * the number of threads); *out is then NULL. */
int ds_run(const ds_model *m, const ds_run_opts *o, ds_stats **out,
           ds_error *err);

/*
 * A job of npoints runs, e.g. the points of a sweep: every point gets the
 * same number of draws; tasks (point, block) are spread over all threads, so
 * a job of many small runs keeps every core busy.  Points are finished, and
 * handed to `done`, in point order.
 */
typedef struct ds_job {
    size_t npoints;
    /* Make point p's model into *out (the job frees it with ds_model_free).
     * Called once per point, from worker threads (concurrently for different
     * points).  Returns DS_OK or an error code with err filled. */
    int (*model)(void *ctx, size_t p, ds_model **out, ds_error *err);
    /* The seed of point p, whose model is m (just built). */
    uint64_t (*seed)(void *ctx, size_t p, const ds_model *m);
    /* Optional: point p's statistics are complete.  Called once per point
     * by the worker that completed them (the one that ran it, when one
     * did), concurrently for different points and in any order, with no
     * lock held, so that the work of reading them is done where they are
     * in the cache.  What it makes (*prep, owned by the job) is handed to
     * done, or to discard when the job ends first.  Returns DS_OK, or an
     * error code (with err filled) that stops the job. */
    int (*ready)(void *ctx, size_t p, const ds_model *m, const ds_stats *s,
                 void **prep, ds_error *err);
    void (*discard)(void *ctx, void *prep);
    /* Point p is complete: its model and statistics (borrowed, valid during
     * the call), and what ready made of them (NULL without ready).  Called
     * in point order, one call at a time, with no lock held.  Returns DS_OK,
     * or an error code (with err filled) that stops the job; prep is the
     * job's to free either way. */
    int (*done)(void *ctx, size_t p, const ds_model *m, const ds_stats *s,
                void *prep, ds_error *err);
    void *ctx;
} ds_job;

/* Run a job with the draws, threads, progress and stop of o (draws_out,
 * inputs_out and hook must be NULL: they belong to single runs).  Progress counts draws over
 * all points.  Returns DS_OK, DS_EINTR, or the first error (err filled); a
 * bad outcome is named as in ds_run, prefixed "point P: " (1-based). */
int ds_run_job(const ds_job *job, const ds_run_opts *o, ds_error *err);

/* The per-draw CSV header (SPEC §6) for model m, with its newline: the
 * same as ds_output_draws_columns.  DS_OK or DS_EIO. */
int ds_run_draws_header(const ds_model *m, FILE *f);

/* The inputs' CSV header (SPEC §6), "draw,PATH,...", with its newline:
 * the same as ds_output_inputs_columns.  DS_OK or DS_EIO. */
int ds_run_inputs_header(const ds_model *m, FILE *f);

#endif /* DEALSIM_RUN_H */
