/*
 * bench_horizon.c - what following the economics over a horizon of years
 * costs the engine (SPEC §5.4): single-thread draws/s of ds_engine_draw on
 * one scenario at its own horizon and at horizon 1 (`--set horizon=1`),
 * the same draws and seed, measured alternately.
 *
 * usage: bench_horizon SCENARIO DRAWS     (e.g. bench/horizon.json 200000)
 * Prints "engine_h1 RATE draws/s", "engine_hH RATE draws/s" (H the
 * scenario's horizon) and "ratio_hH_h1 R", each the best of REPEATS passes
 * (wall-clock on a shared machine: the least disturbed pass).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/engine.h"
#include "dealsim/scenario.h"

/* Seed of every figure: any fixed value; the bench measures time only. */
#define BENCH_SEED 1
#define REPEATS 5

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The scenario of `file`, with `set` (PATH=VALUE) applied when not NULL.
 * Exits 2 with the loader's messages when it does not build. */
static ds_model *load(const char *file, const char *set)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_load(file, &rep);
    if (s && (!set || ds_scenario_set_arg(s, set, &rep) == DS_OK))
        ds_scenario_build(s, &m, &rep);
    ds_scenario_free(s);
    for (size_t i = 0; i < rep.n; i++)
        fprintf(stderr, "%s\n", rep.msg[i]);
    ds_report_free(&rep);
    if (!m)
        exit(2);
    return m;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_horizon SCENARIO DRAWS\n");
        return 2;
    }
    gsl_set_error_handler_off();
    unsigned long long draws = strtoull(argv[2], NULL, 10);
    ds_model *m[2] = {load(argv[1], "horizon=1"), load(argv[1], NULL)};
    ds_engine *e[2] = {ds_engine_new(m[0]), ds_engine_new(m[1])};
    if (!e[0] || !e[1]) {
        fprintf(stderr, "bench_horizon: out of memory\n");
        return 1;
    }
    double best[2] = {0, 0}, sink = 0;
    for (int pass = 0; pass < REPEATS; pass++)
        for (int k = 0; k < 2; k++) {
            double t = now();
            for (unsigned long long d = 0; d < draws; d++)
                sink += ds_engine_draw(e[k], BENCH_SEED, d)[0].deficit_end;
            double rate = (double)draws / (now() - t);
            if (rate > best[k])
                best[k] = rate;
        }
    printf("engine_h1 %.0f draws/s\n", best[0]);
    printf("engine_h%d %.0f draws/s\n", m[1]->horizon, best[1]);
    printf("ratio_h%d_h1 %.3f\n", m[1]->horizon, best[1] / best[0]);
    fprintf(stderr, "(checksum %g)\n", sink);
    for (int k = 0; k < 2; k++) {
        ds_engine_free(e[k]);
        ds_model_free(m[k]);
    }
    return 0;
}
