/*
 * bench_sens.c - the cost of `dealsim sensitivity` against a plain `run`
 * of the same draws (SPEC §11 target: at most 1.5 times), on one thread.
 *
 * usage: bench_sens [SCENARIO [DRAWS [PASSES]]]
 *        (default: the built-in scenario, 10^6 draws, 3 passes)
 * Each pass times a run (ds_run, then the summary CSV to /dev/null) and a
 * sensitivity (ds_run with the sensitivity hook, then its CSV to
 * /dev/null), one after the other; each figure is the best of the passes,
 * the least disturbed on a shared machine.  Prints both in CPU seconds of
 * the process (one thread: the time the work took, whatever else the
 * machine runs) and wall seconds, and their ratios.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/output.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/sens.h"
#include "dealsim/stats.h"

/* Seed of every pass: any fixed value; the bench measures time only. */
#define BENCH_SEED 1

typedef struct times {
    double cpu, wall;
} times;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One run of m, with sensitivity when `sens` is set; its output written
 * to f.  Exits on failure. */
static times one(const ds_model *m, unsigned long long draws, int sens, FILE *f)
{
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
    ds_run_opts o;
    ds_run_hook h;
    ds_stats *st = NULL;
    ds_sens *s = NULL;
    ds_error err;
    times t;

    memset(&o, 0, sizeof o);
    o.draws = draws;
    o.seed = BENCH_SEED;
    o.threads = 1;
    if (sens) {
        if (!(s = ds_sens_new(m))) {
            fprintf(stderr, "bench_sens: out of memory\n");
            exit(1);
        }
        ds_sens_hook(s, &h);
        o.hook = &h;
    }
    if (ds_run(m, &o, &st, &err) != DS_OK ||
        (sens ? ds_sens_csv(m, s, f) : ds_output_csv(m, st, f)) != DS_OK) {
        fprintf(stderr, "bench_sens: %s\n", err.msg);
        exit(1);
    }
    ds_stats_free(st);
    ds_sens_free(s);
    t.cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    t.wall = clock_s(CLOCK_MONOTONIC) - w0;
    return t;
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : NULL;
    unsigned long long draws = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000ULL;
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    times run = {1e300, 1e300}, sens = {1e300, 1e300};
    ds_report rep;
    ds_scenario *s;
    ds_model *m = NULL;
    FILE *devnull;

    gsl_set_error_handler_off();
    ds_report_init(&rep);
    s = file ? ds_scenario_load(file, &rep)
             : ds_scenario_parse("built-in", ds_builtin_scenario, ds_builtin_scenario_len,
                                 &rep);
    if (!s || ds_scenario_build(s, &m, &rep) != DS_OK || !(devnull = fopen("/dev/null", "w"))) {
        for (size_t i = 0; i < rep.n; i++)
            fprintf(stderr, "%s\n", rep.msg[i]);
        return 2;
    }
    ds_scenario_free(s);
    ds_report_free(&rep);
    for (int p = 0; p < passes; p++) {
        times a = one(m, draws, 0, devnull), b = one(m, draws, 1, devnull);
        if (a.cpu < run.cpu) run.cpu = a.cpu;
        if (a.wall < run.wall) run.wall = a.wall;
        if (b.cpu < sens.cpu) sens.cpu = b.cpu;
        if (b.wall < sens.wall) sens.wall = b.wall;
    }
    printf("scenario: %s; %llu draws, 1 thread, best of %d passes\n",
           file ? file : "built-in", draws, passes);
    printf("run:         %.3f s CPU, %.3f s wall\n", run.cpu, run.wall);
    printf("sensitivity: %.3f s CPU, %.3f s wall\n", sens.cpu, sens.wall);
    printf("ratio sensitivity / run: %.2f CPU, %.2f wall  (target <= 1.5)\n",
           sens.cpu / run.cpu, sens.wall / run.wall);
    fclose(devnull);
    ds_model_free(m);
    return 0;
}
