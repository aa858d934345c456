/*
 * engine.h - one Monte Carlo draw of the model of SPEC §5.
 *
 * A ds_engine is a per-thread workspace made once from a model; each call of
 * ds_engine_draw simulates draw `draw` of seed `seed` for every strategy (the
 * world of §5.1 and the round shocks of §5.6 are shared by all strategies:
 * common random numbers) and returns one outcome per strategy.  The draw is a
 * pure function of (model, seed, draw): no allocation, no I/O, no globals.
 * Its random numbers come from streams named by what they are for (a dist's
 * path, a third party's id, a round's number; see sim/engine.c and rng.h),
 * so a change to one part of a scenario leaves every other number alone.
 */
#ifndef DEALSIM_ENGINE_H
#define DEALSIM_ENGINE_H

#include <stdint.h>
#include "dealsim/error.h"
#include "dealsim/model.h"

/* The largest magnitude an outcome value may have.  Anything beyond it, or
 * not finite, stops a run with a message naming the draw (ds_engine_check),
 * since its summary could only print inf or NaN (SPEC §6).  1e100 is far
 * above any money figure (world output is about 1e5 bn/yr) and small enough
 * that the sums of squares of 2^64 draws stay finite (2^64 * 1e200 is about
 * 2e219, below DBL_MAX, about 1.8e308). */
#define DS_OUTCOME_MAX 1e100

/* The outcome of one strategy in one draw (SPEC §5.4, §6 per-draw). */
typedef struct ds_outcome {
    int deal;                  /* 1 if a deal was made, else 0 */
    int round;                 /* deal round r* (1-based; > protocol.rounds
                                  for a deal in an extension); 0 without */
    int package;               /* index of p* in model->packages; -1 without */
    double tariff;             /* export-weighted mean tariff (fraction) */
    double deficit;            /* counterpart's deficit in year 1, bn/yr */
    double deficit_change;     /* deficit - this draw's baseline_deficit */
    double deficit_end;        /* counterpart's deficit in year H, bn/yr */
    double deficit_end_change; /* deficit_end - this draw's baseline_deficit */
    double benefit;            /* home's net gain against no deal, bn/yr: a
                                  discounted average per year over the
                                  horizon; 0 without a deal */
    double concession_cost;    /* bn/yr, discounted average per year over
                                  the horizon; 0 without a deal */
    unsigned char *retaliates; /* [n_third] 0/1 */
    double *retaliation_cost;  /* [n_third] bn/yr */
    uint32_t *evaluations;     /* [n_actors] evaluations this draw (§5.6) */
    uint32_t *approvals;       /* [n_actors] approvals this draw */
} ds_outcome;

typedef struct ds_engine ds_engine;

/* Make a workspace for model m (which must outlive it).  NULL on no memory,
 * or when two of m's random streams would coincide (ds_engine_check_streams;
 * practically impossible). */
ds_engine *ds_engine_new(const ds_model *m);

/* Check that no two random streams of model m coincide: two streams of one
 * kind (rng.h) do when their names' 64-bit hashes are equal, which has
 * probability about n^2 / 2^65 for n names.  Returns DS_OK, DS_EINVAL with
 * err (may be NULL) naming the two streams, or DS_ENOMEM. */
int ds_engine_check_streams(const ds_model *m, ds_error *err);

/* Free the workspace.  e may be NULL.  Can't fail. */
void ds_engine_free(ds_engine *e);

/* Simulate draw `draw` with seed `seed`.  Returns model->n_strategies
 * outcomes, in strategy order, owned by e and valid until the next call. */
const ds_outcome *ds_engine_draw(ds_engine *e, uint64_t seed, uint64_t draw);

/*
 * Inputs (SPEC §6 inputs per draw, §11): the dists of the model that are
 * not constant (ds_model_is_input), in model order (ds_model.dists: SPEC
 * §3's key order, list elements in file order), each named by its path.
 * Their values are those of the last draw e computed (ds_engine_draw or
 * ds_engine_draw_variates): read them between two draws, e.g. to bin each
 * by its own CDF (ds_dist_cdf of ds_engine_input(e, j)->dist at the value).
 */

/* Number of inputs. */
size_t ds_engine_n_inputs(const ds_engine *e);

/* Input j (< ds_engine_n_inputs): its path, dist and place in the model
 * (borrowed from the model). */
const ds_model_dist *ds_engine_input(const ds_engine *e, size_t j);

/* Input j's value in the last draw (unspecified before the first). */
double ds_engine_input_value(const ds_engine *e, size_t j);

/* Generate the random variates of draw `draw` that a draw needs at most,
 * from the same streams with the same samplers, and nothing else: the world
 * (§5.1), the third parties' U_q, the shocks of every round 1..R (§5.6)
 * and, with an extension, its flag and, when it is drawn, the shocks of
 * rounds R + 1..R + k.  Returns a number depending on all of them so the
 * work is not optimised away.  ds_engine_draw generates the same world but
 * the round shocks only up to the last round some strategy reaches: all
 * rounds when a strategy ends without a deal or the decider acts at the
 * deadline (then the two counts are equal), fewer when every strategy
 * deals before its deadline.  So this is the bench's floor, the cost of
 * sampling alone, for draws that reach the deadline, and above
 * ds_engine_draw's sampling otherwise. */
double ds_engine_draw_variates(ds_engine *e, uint64_t seed, uint64_t draw);

/* Simulate draws [first, last) of seed again and find the first outcome
 * value (tariff, deficit, deficit_change, deficit_end, deficit_end_change,
 * benefit, concession_cost, retaliation cost) that is not finite or beyond +-DS_OUTCOME_MAX.
 * Returns DS_OK when there is none; else DS_ERANGE with err set to, e.g.,
 * "draw 1234: deficit is not finite (nan) for strategy 'deal15'; check
 * lines.autos.exports, drawn as inf": the first input of the scenario whose
 * value in that draw is itself not finite or beyond the bound, when there
 * is one.  Used after ds_stats_flush reported a bad block. */
int ds_engine_check(ds_engine *e, uint64_t seed, uint64_t first, uint64_t last,
                    ds_error *err);

#endif /* DEALSIM_ENGINE_H */
