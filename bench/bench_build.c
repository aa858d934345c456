/*
 * bench_build.c - the cost of building one sweep point's model: what
 * `dealsim sweep` does once per design point while validating (a shared
 * copy of the parsed scenario, set the varied path, build with warnings),
 * and the parts of it alone (the shared copy, a deep copy for comparison,
 * the build of an unchanged scenario); each copy is freed in the time.
 *
 * usage: bench_build [SCENARIO [BUILDS [PASSES]]]
 *        (default: the built-in scenario, 2000 builds, 5 passes)
 * Each figure is the best of the passes (the least disturbed on a shared
 * machine), in microseconds of process CPU time per build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "dealsim/model.h"
#include "dealsim/scenario.h"

/* The varied path of bench/sweep_overhead.sh, and the ends of its range. */
#define BENCH_PATH "baseline_deficit.mode"
#define BENCH_LO 58.0
#define BENCH_HI 70.0

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void die(const char *what, ds_report *rep)
{
    fprintf(stderr, "bench_build: %s failed\n", what);
    for (size_t i = 0; rep && i < rep->n; i++)
        fprintf(stderr, "%s\n", rep->msg[i]);
    exit(1);
}

/* What: 0 the whole point (shared copy, set, build with warnings), 1 the
 * shared copy alone, 2 the build alone, 3 a deep copy alone.  Returns CPU
 * microseconds per build. */
static double pass(const ds_scenario *base, size_t builds, int what)
{
    double t0 = cpu_s();
    for (size_t i = 0; i < builds; i++) {
        ds_report rep, warn;
        ds_model *m = NULL;
        ds_scenario *sc = NULL;
        char v[32];
        ds_report_init(&rep);
        ds_report_init(&warn);
        if (what == 2) {
            if (ds_scenario_build_warn(base, 0, &m, &rep, &warn) != DS_OK)
                die("build", &rep);
        } else {
            if (!(sc = what == 3 ? ds_scenario_copy(base)
                                 : ds_scenario_copy_shared(base)))
                die("copy", NULL);
            if (what == 0) {
                snprintf(v, sizeof v, "%.17g",
                         BENCH_LO + (BENCH_HI - BENCH_LO) * (double)i /
                                        (double)(builds > 1 ? builds - 1 : 1));
                if (ds_scenario_set(sc, BENCH_PATH, v, &rep) != DS_OK)
                    die("set", &rep);
                if (ds_scenario_build_warn(sc, 0, &m, &rep, &warn) != DS_OK)
                    die("build", &rep);
            }
        }
        ds_model_free(m);
        ds_scenario_free(sc);
        ds_report_free(&rep);
        ds_report_free(&warn);
    }
    return 1e6 * (cpu_s() - t0) / (double)builds;
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : NULL;
    size_t builds = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
    int passes = argc > 3 ? atoi(argv[3]) : 5;
    const char *names[4] = {"point (copy, set, build)", "shared copy", "build",
                            "deep copy"};
    double best[4] = {1e30, 1e30, 1e30, 1e30};
    ds_report rep;
    ds_scenario *base;

    gsl_set_error_handler_off();
    if (builds == 0 || passes < 1) {
        fprintf(stderr, "usage: bench_build [SCENARIO [BUILDS [PASSES]]]\n");
        return 2;
    }
    ds_report_init(&rep);
    base = file ? ds_scenario_load(file, &rep)
                : ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                    ds_builtin_scenario_len, &rep);
    if (!base)
        die("parse", &rep);
    for (int p = 0; p < passes; p++)
        for (int w = 0; w < 4; w++) {
            double t = pass(base, builds, w);
            if (t < best[w])
                best[w] = t;
        }
    printf("%s: %zu builds, best of %d passes (CPU us per build)\n",
           file ? file : DS_BUILTIN_NAME, builds, passes);
    for (int w = 0; w < 4; w++)
        printf("  %-26s %8.1f us\n", names[w], best[w]);
    ds_scenario_free(base);
    ds_report_free(&rep);
    return 0;
}
