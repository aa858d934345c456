/*
 * engine.h - one Monte Carlo draw of the model of SPEC §5.
 *
 * A ds_engine is a per-thread workspace made once from a model; each call of
 * ds_engine_draw simulates draw `draw` of seed `seed` for every strategy (the
 * world of §5.1 and the round shocks of §5.6 are shared by all strategies:
 * common random numbers) and returns one outcome per strategy.  The draw is a
 * pure function of (model, seed, draw): no allocation, no I/O, no globals.
 */
#ifndef DEALSIM_ENGINE_H
#define DEALSIM_ENGINE_H

#include <stdint.h>
#include "dealsim/model.h"

/* The outcome of one strategy in one draw (SPEC §5.4, §6 per-draw). */
typedef struct ds_outcome {
    int deal;                  /* 1 if a deal was made, else 0 */
    int round;                 /* deal round r* (1-based); 0 without a deal */
    int package;               /* index of p* in model->packages; -1 without */
    double tariff;             /* export-weighted mean tariff (fraction) */
    double deficit;            /* counterpart's deficit, bn/yr */
    double deficit_change;     /* deficit - this draw's baseline_deficit */
    double benefit;            /* home's discounted net gain, bn/yr; 0 w/o deal */
    double concession_cost;    /* bn/yr; 0 without a deal */
    unsigned char *retaliates; /* [n_third] 0/1 */
    double *retaliation_cost;  /* [n_third] bn/yr */
    uint32_t *evaluations;     /* [n_actors] evaluations this draw (§5.6) */
    uint32_t *approvals;       /* [n_actors] approvals this draw */
} ds_outcome;

typedef struct ds_engine ds_engine;

/* Make a workspace for model m (which must outlive it).  NULL on no memory. */
ds_engine *ds_engine_new(const ds_model *m);

/* Free the workspace.  e may be NULL.  Can't fail. */
void ds_engine_free(ds_engine *e);

/* Simulate draw `draw` with seed `seed`.  Returns model->n_strategies
 * outcomes, in strategy order, owned by e and valid until the next call. */
const ds_outcome *ds_engine_draw(ds_engine *e, uint64_t seed, uint64_t draw);

/* Generate exactly the random variates ds_engine_draw would for this draw
 * (same streams, same samplers, same count) and nothing else; returns a
 * number depending on all of them so the work is not optimised away.  This
 * is the bench's floor: the cost of sampling alone. */
double ds_engine_draw_variates(ds_engine *e, uint64_t seed, uint64_t draw);

#endif /* DEALSIM_ENGINE_H */
