/*
 * bench_rows.c - the cost of writing one sweep point's summary rows: what
 * `dealsim sweep` does once per design point after its draws (one CSV row
 * of cells per strategy, ds_output_csv_cells).  The statistics are made
 * once (DRAWS draws of the scenario, one thread), then all their rows are
 * formatted ROUNDS times to /dev/null through stdio, as a sweep writes
 * them to its output file.
 *
 * usage: bench_rows [SCENARIO [DRAWS [ROUNDS [PASSES]]]]
 *        (default: the built-in scenario (also for an empty SCENARIO),
 *        1000 draws, 2000 rounds, 5 passes)
 * The figure is the best of the passes (the least disturbed on a shared
 * machine), in microseconds of process CPU time per point (all the
 * strategies' rows).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/output.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "dealsim/stats.h"

/* Seed of the statistics: any fixed value; the bench measures time only. */
#define BENCH_SEED 1

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, ds_report *rep)
{
    fprintf(stderr, "bench_rows: %s failed\n", what);
    for (size_t i = 0; rep && i < rep->n; i++)
        fprintf(stderr, "%s\n", rep->msg[i]);
    exit(1);
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 && argv[1][0] ? argv[1] : NULL;
    unsigned long long draws = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000;
    size_t rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    int passes = argc > 4 ? atoi(argv[4]) : 5;
    double best = 1e30;
    ds_report rep;
    ds_scenario *sc;
    ds_model *m = NULL;
    ds_stats *st = NULL;
    ds_run_opts o = {0};
    ds_error err;
    FILE *f;

    gsl_set_error_handler_off();
    if (draws == 0 || rounds == 0 || passes < 1) {
        fprintf(stderr, "usage: bench_rows [SCENARIO [DRAWS [ROUNDS [PASSES]]]]\n");
        return 2;
    }
    ds_report_init(&rep);
    sc = file ? ds_scenario_load(file, &rep)
              : ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                  ds_builtin_scenario_len, &rep);
    if (!sc || ds_scenario_build(sc, &m, &rep) != DS_OK)
        die("scenario", &rep);
    o.draws = draws;
    o.seed = BENCH_SEED;
    o.threads = 1;
    if (ds_run(m, &o, &st, &err) != DS_OK)
        die("run", NULL);
    if (!(f = fopen("/dev/null", "w")))
        die("open /dev/null", NULL);
    for (int p = 0; p < passes; p++) {
        double t0 = cpu_s(), t;
        for (size_t r = 0; r < rounds; r++)
            for (size_t k = 0; k < m->n_strategies; k++) {
                if (ds_output_csv_cells(m, st, k, f) != DS_OK)
                    die("write", NULL);
                putc('\n', f);
            }
        t = 1e6 * (cpu_s() - t0) / (double)rounds;
        if (t < best)
            best = t;
    }
    printf("%s: %llu draws, %zu strategies, %zu rounds, best of %d passes\n",
           file ? file : DS_BUILTIN_NAME, draws, m->n_strategies, rounds, passes);
    printf("  rows of one point %8.1f us (CPU)\n", best);
    fclose(f);
    ds_stats_free(st);
    ds_model_free(m);
    ds_scenario_free(sc);
    ds_report_free(&rep);
    return 0;
}
