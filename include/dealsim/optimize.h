/*
 * optimize.h - `dealsim optimize` (SPEC §12): every package that can be
 * built from a scenario's items (and asked tariffs), simulated on the same
 * draws, with the constraints checked and the Pareto front marked.
 *
 * Candidates.  The dimensions are the scenario's items, in file order (the
 * intensities of --item ID=v1,v2,...; default 0,1), then the lines given
 * --terms LINE=t1,t2,..., in file order (the tariff the package asks on
 * that line; a line without --terms asks nothing: its `deal` applies).
 * Candidates are their Cartesian product, numbered from 1 with the first
 * dimension varying slowest and the values in the order given (candidate 1
 * takes the first value of every dimension: with the defaults, the empty
 * package).  Candidate N is the package and strategy "cN": its items with
 * a nonzero intensity (in item order), its terms, offered in every round.
 *
 * Evaluation.  Candidates are run in chunks: each chunk is the scenario
 * with its packages and strategies replaced by the chunk's candidates
 * (built and validated like any scenario), run with the run module.  The
 * engine draws the world and the round shocks once per draw for all of a
 * chunk's strategies, and a strategy's random numbers do not depend on the
 * others (SPEC §7), so every candidate's summary row is byte for byte that
 * of a `dealsim run` of the scenario holding only its package, whatever
 * the chunk size and thread count.  Only each candidate's summary row (in
 * an unnamed temporary file) and the few figures the constraints and the
 * front need (in memory) are kept between chunks.
 */
#ifndef DEALSIM_OPTIMIZE_H
#define DEALSIM_OPTIMIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"

/* Most candidates of one search (SPEC §12). */
#define DS_OPTIMIZE_MAX_CANDIDATES 1000000u

/* Bytes the statistics of one chunk may take, over all threads: chunks are
 * as large as this allows (and at most DS_MAX_STRATEGIES candidates, the
 * limit of a scenario), so the world is drawn as few times as possible,
 * while a search of 10^4 candidates stays below 256 MiB in all (SPEC §12;
 * the rest: the engine, the base model, about 50 bytes per candidate). */
#define DS_OPTIMIZE_STATS_BUDGET (160u * 1024u * 1024u)

/* Most candidates per chunk.  A chunk's statistics are a few hundred KB
 * per candidate and thread, touched at random places every draw: beyond
 * about this many candidates they outgrow the processor's caches, and each
 * candidate costs more than the world draws that larger chunks save.
 * Measured on the built-in scenario (729 candidates, one thread): chunks of
 * 80 to 245 candidates cost least, 365 about 20% more, 729 about 35% more. */
#define DS_OPTIMIZE_CHUNK_CACHE 160u

/* What is ranked and, with DS_OPT_DEFICIT, a third objective of the front. */
typedef enum ds_opt_objective {
    DS_OPT_BENEFIT = 0,   /* benefit_mean, larger is better (default) */
    DS_OPT_DEAL,          /* p_deal, larger is better */
    DS_OPT_DEFICIT        /* deficit_mean, smaller is better */
} ds_opt_objective;

/* The arguments of a search, as typed (borrowed; NULL or 0 when not
 * given). */
typedef struct ds_optimize_spec {
    const char *const *items;    /* "ID=v1,v2,..." */
    size_t n_items;
    const char *const *terms;    /* "LINE=t1,t2,..." */
    size_t n_terms;
    const char *max_cost;        /* X: concession_cost_mean <= X */
    const char *const *max_ret;  /* "Q=P": p_retaliation_Q <= P */
    size_t n_max_ret;
    const char *min_deal;        /* P: p_deal >= P */
    ds_opt_objective objective;
    int front_only;              /* the CSV holds the front only */
    int threads;                 /* >= 1: sizes the chunks */
    size_t chunk;                /* candidates per chunk; 0: from
                                    DS_OPTIMIZE_STATS_BUDGET and threads,
                                    at most DS_OPTIMIZE_CHUNK_CACHE */
} ds_optimize_spec;

typedef struct ds_optimize ds_optimize;

/*
 * Check the arguments against model m (built from base, which must outlive
 * the search) and make the search; build its first chunk, so a scenario
 * whose packages cannot be replaced (a correlation naming a package's
 * terms) fails here, before any run.  Bad arguments give DS_EINVAL with
 * err naming the option and the problem ("--item semi=0,1: unknown item
 * 'semi' (did you mean 'semis'?)"); more than DS_OPTIMIZE_MAX_CANDIDATES
 * candidates too; a chunk that does not build reports its problems to rep
 * and returns DS_EINVAL.  Asked tariffs above 1 are warnings, appended to
 * warn (or, with `strict`, errors).  On success stores the search in
 * *out (free with ds_optimize_free).  DS_ENOMEM when memory runs out.
 */
int ds_optimize_new(const ds_scenario *base, const ds_model *m,
                    const ds_optimize_spec *spec, int strict,
                    ds_optimize **out, ds_report *warn, ds_report *rep,
                    ds_error *err);

/* Number of candidates, and of chunks (runs) they are evaluated in. */
size_t ds_optimize_candidates(const ds_optimize *o);
size_t ds_optimize_chunks(const ds_optimize *o);
size_t ds_optimize_chunk_size(const ds_optimize *o);

/*
 * Run every chunk with ro's draws, seed, threads and stop (per-draw
 * outputs must be NULL); ro's progress is called with the draws done over
 * all chunks, out of draws * chunks.  Then check the constraints and mark
 * the front.  Returns DS_OK, DS_EINTR, DS_ENOMEM, DS_ERANGE (a draw that
 * cannot be summarised: "draw D: ... for strategy 'cN'") or DS_EIO (the
 * temporary file of rows failed), with err filled.  The final sorts use
 * one context for the process: two searches must not finish at the same
 * moment on two threads.
 */
int ds_optimize_run(ds_optimize *o, const ds_run_opts *ro, ds_error *err);

/* The CSV of SPEC §12 (after ds_optimize_run): header, then one row per
 * candidate (or per front member), best first by the objective (benefit
 * and deal descending, deficit ascending), ties by candidate number.
 * DS_OK, or DS_EIO with err filled (a write to f, "NAME: cannot write:
 * REASON", or a read of the temporary file). */
int ds_optimize_csv(const ds_optimize *o, FILE *f, const char *name,
                    ds_error *err);

/* The terminal table of the front, best first, no line wider than
 * DS_OUTPUT_TABLE_WIDTH.  DS_OK or DS_EIO (err filled). */
int ds_optimize_table(const ds_optimize *o, FILE *f, const char *name,
                      ds_error *err);

/* Candidate i's (0-based) figures after the run, for tests and the
 * table: feasible, on the front, p_deal, benefit_mean, deficit_mean. */
int ds_optimize_feasible(const ds_optimize *o, size_t i);
int ds_optimize_on_front(const ds_optimize *o, size_t i);

/* Free.  o may be NULL.  Can't fail. */
void ds_optimize_free(ds_optimize *o);

#endif /* DEALSIM_OPTIMIZE_H */
