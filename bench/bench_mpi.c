/*
 * bench_mpi.c - the costs behind a run over processes (SPEC §14), for the
 * scaling estimate of docs/cluster.md: the time of one block of draws on
 * one thread, the bytes of one process's statistics (what it sends rank 0
 * per point), the time to pack them, and rank 0's time to unpack and merge
 * one such message.
 *
 * usage: bench_mpi SCENARIO BLOCKS
 * Prints "name value unit" lines.  Wall-clock timing on a shared machine:
 * each figure is the best of REPEATS passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/engine.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/stats.h"

#define BENCH_SEED 1
#define REPEATS 5

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
    ds_stats *st, *total, *u;
    unsigned long blocks;
    double best_block = 1e300, best_pack = 1e300, best_merge = 1e300;
    size_t n;
    char *buf;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_mpi SCENARIO BLOCKS\n");
        return 2;
    }
    gsl_set_error_handler_off();
    blocks = strtoul(argv[2], NULL, 10);
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
    total = ds_stats_new(m);
    u = ds_stats_new(m);
    if (!e || !st || !total || !u || blocks == 0)
        return 1;

    /* One process's statistics of `blocks` blocks: the block time. */
    for (int pass = 0; pass < REPEATS; pass++) {
        double t = now();
        ds_stats_reset(st);
        for (unsigned long b = 0; b < blocks; b++) {
            for (uint64_t d = b * DS_RUN_BLOCK; d < (b + 1) * DS_RUN_BLOCK; d++)
                ds_stats_add(st, ds_engine_draw(e, BENCH_SEED, d));
            ds_stats_flush(st);
        }
        t = (now() - t) / (double)blocks;
        if (t < best_block)
            best_block = t;
    }
    n = ds_stats_pack(st, NULL, 0);
    if (!(buf = malloc(n)))
        return 1;
    /* Packing on the sender, unpacking and merging on rank 0. */
    for (int pass = 0; pass < REPEATS; pass++) {
        double t = now();
        ds_stats_pack(st, buf, n);
        t = now() - t;
        if (t < best_pack)
            best_pack = t;
        t = now();
        if (ds_stats_unpack(u, buf, n) != DS_OK || ds_stats_merge(total, u) != DS_OK)
            return 1;
        t = now() - t;
        if (t < best_merge)
            best_merge = t;
    }
    printf("strategies %zu\n", m->n_strategies);
    printf("block_1t %.6f s (%u draws)\n", best_block, DS_RUN_BLOCK);
    printf("message %zu bytes\n", n);
    printf("pack %.6f s\n", best_pack);
    printf("unpack_merge %.6f s\n", best_merge);
    free(buf);
    ds_stats_free(st);
    ds_stats_free(total);
    ds_stats_free(u);
    ds_engine_free(e);
    ds_model_free(m);
    return 0;
}
