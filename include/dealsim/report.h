/*
 * report.h - the HTML report of SPEC §13: one self-contained page with the
 * figures of a run drawn as inline SVG charts, each with a title, axis
 * titles with units and its numbers in a table and in a text alternative.
 *
 * The page needs nothing but itself: no script, no external style, font or
 * image, and a Content-Security-Policy that forbids every request, so it
 * works offline and never reaches the network.  It is a pure function of
 * its inputs: the same run (which is byte-identical for any number of
 * threads, SPEC §7) gives the same bytes, apart from the generation time
 * when one is given.
 *
 * Note: ds_report (error.h) is the list of problems of a scenario; the
 * report of this module is ds_report_page.
 */
#ifndef DEALSIM_REPORT_H
#define DEALSIM_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "dealsim/csv.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/output.h"
#include "dealsim/stats.h"

/* Most candidates of an optimize file drawn as points (the file is sorted
 * by its objective, best first, so these are the best; every member of
 * the front is drawn whatever its place).  10^4 points keep the page a
 * few hundred kB; the table lists the front. */
#define DS_REPORT_MAX_CANDIDATES 10000

/* Most panels of a chart of small multiples (values of the second path of
 * a two-path sweep); a grid with more is drawn as a scatter instead. */
#define DS_REPORT_MAX_PANELS 12

/*
 * The drivers of one outcome of one strategy (SPEC §11), for a tornado:
 * n inputs by |swing| descending, the outcome's mean over the draws in
 * which input[i] was low (its lowest tenth) and high (its highest), and
 * its mean over all draws.  Everything is borrowed.
 */
typedef struct ds_report_tornado {
    size_t strategy;              /* index into the model's strategies */
    const char *outcome;          /* "deal" or "benefit" */
    const char *unit;             /* "fraction", "bn/yr" */
    double mean;                  /* over all draws */
    size_t n;
    const char *const *input;     /* [n] paths (SPEC §9) */
    const double *low, *high;     /* [n] */
} ds_report_tornado;

/* What a page shows.  Everything is borrowed for the call. */
typedef struct ds_report_page {
    const ds_model *m;
    const ds_stats *s;            /* the run's statistics, flushed */
    const ds_run_meta *meta;      /* file, SHA-256, seed, draws */
    const char *generated;        /* when the page was made, as text to
                                     show, or NULL (nothing shown: the
                                     bytes depend on the run alone) */
    const ds_csv *sweep;          /* a `dealsim sweep` CSV (checked with
                                     ds_report_sweep_check), or NULL */
    const ds_csv *optimize;       /* a `dealsim optimize` CSV (checked with
                                     ds_report_optimize_check), or NULL */
    const ds_report_tornado *tornado; /* [n_tornado], or NULL */
    size_t n_tornado;
    const char *no_tornado;       /* without tornadoes: why, one sentence
                                     shown in their section (NULL: a
                                     default) */
} ds_report_page;

/*
 * Check that c is a `dealsim sweep` CSV the report can draw (SPEC §9): a
 * `point` column first, the varied paths after it, then `strategy` and
 * the summary columns; p_deal, deficit_mean and benefit_mean with their
 * standard errors present; every point, metric and standard-error cell a
 * finite number (a standard error >= 0); every strategy cell non-empty.
 * Returns DS_OK, or DS_EINVAL with err set to "FILE:LINE: error: MESSAGE"
 * (LINE of the header or of the row at fault).  Can't fail otherwise.
 */
int ds_report_sweep_check(const ds_csv *c, ds_error *err);

/*
 * Check that c is a `dealsim optimize` CSV (SPEC §12): columns
 * `candidate`, `p_deal`, `benefit_mean`, `feasible` and `front` (found by
 * name), `candidate` a positive integer, p_deal in [0, 1], benefit_mean a
 * finite number, feasible and front 0 or 1 (or false/true), and a member
 * of the front feasible.  The columns between `candidate` and `feasible`
 * are the package's items and terms.  Returns DS_OK, or DS_EINVAL with
 * err set to "FILE:LINE: error: MESSAGE".
 */
int ds_report_optimize_check(const ds_csv *c, ds_error *err);

/*
 * Write the page to f (which it does not own), then fflush.  Sections, in
 * order: title, description, run metadata and sources; the summary
 * table; P(deal) with 95% intervals; the deal rounds; the deficit in year
 * 1 and year H and the benefit, with p05/p50/p95; the benefit given a
 * deal and the share of deals that lose money; approvals by actor and
 * strategy; retaliation; the tornadoes of `deal` and `benefit`; with a
 * sweep, each metric against each varied path with +-2 SE bands; with an
 * optimize file, its candidates on P(deal) x benefit with the front.
 * Returns DS_OK, DS_ENOMEM, or DS_EIO when a write failed (errno as the
 * failing call left it; err says "cannot write").
 */
int ds_report_page_write(const ds_report_page *p, FILE *f, ds_error *err);

#endif /* DEALSIM_REPORT_H */
