/*
 * embed.c - dealsim as a library: load a scenario, run it, read a summary.
 *
 *   embed [SCENARIO.json [DRAWS [SEED]]]
 *
 * Without a file it runs the built-in Japan-US 2025 scenario.  It prints the
 * probability of a deal of every strategy, with its standard error: the
 * p_deal and p_deal_se columns of `dealsim run -n DRAWS -s SEED`.  DRAWS
 * defaults to 5000, SEED to the scenario's simulation.seed.
 *
 * Build it against an installed dealsim (PREFIX is the install prefix):
 *   cmake -S examples -B build-embed -DCMAKE_PREFIX_PATH=PREFIX
 *   cmake --build build-embed
 * or
 *   cc -o embed embed.c $(pkg-config --cflags --libs dealsim)
 * (with PKG_CONFIG_PATH=PREFIX/lib/pkgconfig when PREFIX is not a system
 * directory).
 *
 * It uses only the public headers.  It leaves GSL's error handler as it is:
 * dealsim never calls GSL in a way that reaches the handler for a model that
 * ds_scenario_build accepted (see dealsim/error.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <dealsim/error.h>
#include <dealsim/model.h>
#include <dealsim/run.h>
#include <dealsim/scenario.h>
#include <dealsim/stats.h>

#define DEFAULT_DRAWS 5000
#define THREADS 2 /* any count gives the same figures (SPEC §7) */

/* Parse a whole decimal number >= min into *out; 0 if it is not one (or
 * does not fit in 64 bits). */
static int parse_u64(const char *s, uint64_t min, uint64_t *out)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || (uint64_t)v != v)
        return 0;
    *out = (uint64_t)v;
    return 1;
}

int main(int argc, char **argv)
{
    const char *file = argc > 1 ? argv[1] : NULL;
    ds_report rep;
    ds_scenario *sc = NULL;
    ds_model *m = NULL;
    ds_stats *st = NULL;
    ds_run_opts o = {0};
    ds_error err;
    int status = 1;

    if (argc > 4) {
        fprintf(stderr, "usage: embed [SCENARIO.json [DRAWS [SEED]]]\n");
        return 2;
    }
    o.draws = DEFAULT_DRAWS;
    if (argc > 2 && !parse_u64(argv[2], 1, &o.draws)) {
        fprintf(stderr, "embed: DRAWS must be a whole number >= 1, got '%s'\n", argv[2]);
        return 2;
    }

    /* 1. Load and validate: every problem is a line in rep, already in the
     *    form "FILE: error: PATH: MESSAGE". */
    ds_report_init(&rep);
    sc = file ? ds_scenario_load(file, &rep)
              : ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                  ds_builtin_scenario_len, &rep);
    if (sc)
        ds_scenario_build(sc, &m, &rep); /* m stays NULL on any problem */
    if (!m) {
        for (size_t i = 0; i < rep.n; i++)
            fprintf(stderr, "%s\n", rep.msg[i]);
        if (rep.dropped)
            fprintf(stderr, "(and %zu more problems)\n", rep.dropped);
        status = 2;
        goto done;
    }

    o.seed = m->seed;
    if (argc > 3 && !parse_u64(argv[3], 0, &o.seed)) {
        fprintf(stderr, "embed: SEED must be a whole number >= 0, got '%s'\n", argv[3]);
        status = 2;
        goto done;
    }

    /* 2. Run. */
    o.threads = THREADS;
    if (ds_run(m, &o, &st, &err) != DS_OK) {
        fprintf(stderr, "embed: %s\n", err.msg);
        goto done;
    }

    /* 3. Read figures of the summary: each is named by a ds_stat, what it
     *    is computed from (here the share of draws with a deal, and its
     *    standard error). */
    printf("%s: %" PRIu64 " draws, seed %" PRIu64 "\n", m->name, o.draws, o.seed);
    printf("%-24s %9s %9s\n", "strategy", "p_deal", "p_deal_se");
    for (size_t k = 0; k < m->n_strategies; k++) {
        const ds_stat p = {.kind = DS_STAT_SHARE, .c = DS_C_DEALS};
        const ds_stat se = {.kind = DS_STAT_SHARE_SE, .c = DS_C_DEALS};
        printf("%-24s %9.6f %9.6f\n", m->strategies[k].id,
               ds_stats_value(st, k, &p, 0), ds_stats_value(st, k, &se, 0));
    }
    status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
    if (status)
        fprintf(stderr, "embed: writing the output failed\n");

done:
    ds_stats_free(st);
    ds_model_free(m);
    ds_scenario_free(sc);
    ds_report_free(&rep);
    return status;
}
