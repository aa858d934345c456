/*
 * sweep.h - `dealsim sweep` (SPEC §9): one Monte Carlo run per design point
 * of a base scenario, written as a long CSV table, one row per
 * (point, strategy): point, one column per varied path, then the §6 summary.
 *
 * The base scenario is parsed once; each point is a copy with the point's
 * overrides applied, then validated and built.  Every point is validated
 * before any is run.  The runs share the threads (ds_run_job), so a sweep of
 * many small runs uses every core, and the output is byte-identical for any
 * number of threads.
 */
#ifndef DEALSIM_SWEEP_H
#define DEALSIM_SWEEP_H

#include <stdint.h>
#include <stdio.h>
#include "dealsim/design.h"
#include "dealsim/error.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"

typedef struct ds_sweep ds_sweep;

/* Check every point of design d applied to base (neither is copied: both
 * must outlive the sweep), on `threads` threads.  Draws: `draws` if non-zero, else the base
 * model's simulation.draws.  Seed of point i (0-based): `seed` if
 * have_seed, else point i's simulation.seed, plus i when vary_seed (mod
 * 2^64).  On the first invalid point, reports "point N (PATH=VALUE, ...) is
 * invalid:" followed by its problems, and returns DS_EINVAL.  A point that
 * changes the strategies, third parties or actors (so the columns would not
 * line up) is invalid too, and so is varying simulation.draws (use -n).
 * On success stores a new sweep in *out (free with ds_sweep_free). */
int ds_sweep_new(const ds_scenario *base, const ds_design *d, uint64_t draws,
                 int have_seed, uint64_t seed, int vary_seed, int threads,
                 ds_sweep **out, ds_report *rep);

/* ds_sweep_new, and the warnings of the points' scenarios (SPEC §3.1, see
 * ds_scenario_build_warn).  `flags` are ds_scenario_build_warn's for every
 * point: with DS_BUILD_STRICT a point with a warning is invalid (its
 * warnings are its errors).  Otherwise, when the sweep is valid, every
 * distinct warning line is appended to `warn` (NULL: not kept) once, in
 * the order of the first point that has it, followed by the points it came
 * from unless every point has it:
 *   "FILE: warning: PATH: MESSAGE [point 3]"
 *   "FILE: warning: PATH: MESSAGE [4 of 10 points, the first point 3]"
 * (points counted from 1, as in the output).  An invalid sweep adds none:
 * its error comes first.  The lines do not depend on the thread count.
 * ds_sweep_new is ds_sweep_new_warn with flags 0 and warn NULL. */
int ds_sweep_new_warn(const ds_scenario *base, const ds_design *d,
                      uint64_t draws, int have_seed, uint64_t seed,
                      int vary_seed, int threads, unsigned flags,
                      ds_report *warn, ds_sweep **out, ds_report *rep);

/* Draws of every point. */
uint64_t ds_sweep_draws(const ds_sweep *s);

/* Run every point with o's threads, progress and stop (o->draws and o->seed
 * are ignored: the sweep's own are used) and write the CSV to f in point
 * order.  Returns DS_OK, DS_EINTR, DS_ENOMEM, DS_ERANGE (a draw that cannot
 * be summarised) or DS_EIO, whose err.msg is then the system's reason for
 * the failed write (err filled). */
int ds_sweep_run(ds_sweep *s, const ds_run_opts *o, FILE *f, ds_error *err);

/* Free.  s may be NULL.  Can't fail. */
void ds_sweep_free(ds_sweep *s);

/* 1 if path names one of SPEC §3.1's integer keys (a ds_design_is_integer_fn). */
int ds_sweep_is_integer(const char *path, void *ctx);

#endif /* DEALSIM_SWEEP_H */
