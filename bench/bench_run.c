/*
 * bench_run.c - draws per second of the engine and of a whole run, against
 * the floor of generating the same random variates alone.
 *
 * usage: bench_run SCENARIO DRAWS THREADS
 * Prints one "name value unit" line per figure; tools/bench.sh runs it and
 * prints the ratios.  Wall-clock timing on a shared machine: every figure is
 * the best of REPEATS passes, the least disturbed one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/engine.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/stats.h"

/* Seed of every figure: any fixed value; the bench measures time only. */
#define BENCH_SEED 1
#define REPEATS 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    ds_report rep;
    ds_scenario *s;
    ds_model *m = NULL;
    ds_engine *e;
    ds_stats *st;
    ds_error err;
    ds_run_opts o = {0};
    unsigned long long draws;
    int threads;
    double t, sink = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_run SCENARIO DRAWS THREADS\n");
        return 2;
    }
    gsl_set_error_handler_off();
    draws = strtoull(argv[2], NULL, 10);
    threads = atoi(argv[3]);
    ds_report_init(&rep);
    s = ds_scenario_load(argv[1], &rep);
    if (!s || ds_scenario_build(s, &m, &rep) != DS_OK) {
        for (size_t i = 0; i < rep.n; i++)
            fprintf(stderr, "%s\n", rep.msg[i]);
        return 2;
    }
    ds_scenario_free(s);
    ds_report_free(&rep);
    e = ds_engine_new(m);
    st = ds_stats_new(m);

    /* Each pass measures every figure once, alternating, so a disturbance
     * hits one figure of one pass; the best of the passes is reported. */
    double best[5] = {0, 0, 0, 0, 0};
    o.draws = draws;
    o.seed = BENCH_SEED;
    for (int pass = 0; pass < REPEATS; pass++) {
        double rate[5];
        /* 1. The floor: the same variates, nothing else. */
        t = now();
        for (unsigned long long d = 0; d < draws; d++)
            sink += ds_engine_draw_variates(e, BENCH_SEED, d);
        rate[0] = draws / (now() - t);

        /* 2. The engine alone, one thread. */
        t = now();
        for (unsigned long long d = 0; d < draws; d++)
            sink += ds_engine_draw(e, BENCH_SEED, d)[0].deficit;
        rate[1] = draws / (now() - t);

        /* 3. Engine + statistics in blocks, one thread (the run's inner loop). */
        ds_stats_reset(st);
        t = now();
        for (unsigned long long d = 0; d < draws; d++) {
            ds_stats_add(st, ds_engine_draw(e, BENCH_SEED, d));
            if ((d + 1) % DS_RUN_BLOCK == 0)
                ds_stats_flush(st);
        }
        ds_stats_flush(st);
        rate[2] = draws / (now() - t);

        /* 4. Whole runs: one thread, then `threads` threads. */
        for (int k = 0; k < 2; k++) {
            ds_stats *rs;
            o.threads = k == 0 ? 1 : threads;
            t = now();
            if (ds_run(m, &o, &rs, &err) != DS_OK) {
                fprintf(stderr, "bench_run: %s\n", err.msg);
                return 1;
            }
            rate[3 + k] = draws / (now() - t);
            ds_stats_free(rs);
        }
        for (int k = 0; k < 5; k++)
            if (rate[k] > best[k])
                best[k] = rate[k];
    }
    printf("variates_1t %.0f draws/s\n", best[0]);
    printf("engine_1t %.0f draws/s\n", best[1]);
    printf("engine_stats_1t %.0f draws/s\n", best[2]);
    printf("run_1t %.0f draws/s\n", best[3]);
    printf("run_%dt %.0f draws/s\n", threads, best[4]);
    ds_stats_free(st);
    ds_engine_free(e);
    fprintf(stderr, "(checksum %g)\n", sink);
    ds_model_free(m);
    return 0;
}
