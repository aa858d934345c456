/*
 * model.h - the validated, immutable scenario that the engine simulates.
 *
 * Made only by the scenario loader (scenario.h) from a JSON file, after every
 * check of SPEC §2-§4 passed; freed with ds_model_free.  Everything refers to
 * everything else by index into the arrays here (ids are kept for output).
 * All money is USD bn/yr, tariffs and probabilities are fractions (SPEC §1).
 */
#ifndef DEALSIM_MODEL_H
#define DEALSIM_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "dealsim/dist.h"

/* Limits of SPEC §3. */
#define DS_MAX_FILE_BYTES (16u * 1024u * 1024u)
#define DS_MAX_DEPTH 64
#define DS_MAX_ITEMS 1024
#define DS_MAX_PACKAGES 1024
#define DS_MAX_STRATEGIES 1024
#define DS_MAX_ACTORS 64
#define DS_MAX_DIMENSIONS 64
#define DS_MAX_LINES 64
#define DS_MAX_THIRD_PARTIES 64
#define DS_MAX_ROUNDS 1000
#define DS_MAX_HORIZON 50     /* years the economics are followed (SPEC §5.4) */
#define DS_MAX_ITEM_YEAR 1000 /* largest item start and ramp, in years */
#define DS_MAX_CORRELATIONS 64
#define DS_MAX_CORRELATED 64   /* dists in one correlation */
#define DS_FORMAT_VERSION 2 /* reads versions 1 and 2: the same format, v2 adds keys */
#define DS_MAX_FILE_SEED 9007199254740991.0 /* 2^53 - 1 */
/* Largest magnitude of any quantity of a scenario: a plain number (other
 * than the integers above), or a value a dist can draw.  10^12 bn/yr is
 * ten million times world output, so a larger number is a mistake of
 * units; and squares of such values, summed over 2^53 draws, stay finite. */
#define DS_MAX_MAGNITUDE 1e12
/* How far a dist with unbounded support (normal, lognormal) is taken to
 * reach when checked against DS_MAX_MAGNITUDE: this many standard
 * deviations (of the normal, or of the lognormal's logarithm).  A draw
 * beyond has probability below 2e-23. */
#define DS_REACH_SD 10

typedef struct ds_source { char *id, *text; } ds_source;

/* Which quantity of the model a dist is (ds_model_dist.site): set by the
 * dist's row of the format table, so the engine knows where its value goes
 * without matching names. */
typedef enum ds_dist_site {
    DS_SITE_NONE = 0,          /* a dist the engine does not use (yet) */
    DS_SITE_TARIFF_BURDEN,     /* home.tariff_burden */
    DS_SITE_MARGIN,            /* home.margin */
    DS_SITE_BASELINE,          /* baseline_deficit */
    DS_SITE_ELASTICITY,        /* elasticity (top level) */
    DS_SITE_LINE_EXPORTS,      /* lines.L.exports */
    DS_SITE_LINE_CURRENT,      /* lines.L.current */
    DS_SITE_LINE_NO_DEAL,      /* lines.L.no_deal */
    DS_SITE_LINE_DEAL,         /* lines.L.deal */
    DS_SITE_LINE_ELASTICITY,   /* lines.L.elasticity */
    DS_SITE_ITEM_EFFECT,       /* items.I.deficit_effect */
    DS_SITE_ITEM_COST,         /* items.I.cost */
    DS_SITE_ITEM_DELIVERY,     /* items.I.delivery */
    DS_SITE_ITEM_SCORE,        /* items.I.scores.K */
    DS_SITE_THRESHOLD,         /* actors.A.threshold */
    DS_SITE_CONCESSION,        /* actors.A.concession */
    DS_SITE_COST_PER_EXPOSURE, /* third_parties.Q.cost_per_exposure */
    DS_SITE_ELASTICITY_LONG,   /* elasticity_long (top level) */
    DS_SITE_ADJUSTMENT,        /* adjustment */
    DS_SITE_LINE_ELASTICITY_LONG, /* lines.L.elasticity_long */
    DS_SITE_LINE_TARIFF_BURDEN,   /* lines.L.tariff_burden */
    DS_SITE_PACKAGE_TERMS      /* packages.P.terms.L (slot: the line) */
} ds_dist_site;

/* One dist of the model, named by its SPEC §9 path.  ds_model.dists lists
 * every dist the model holds, given in the file or by default (a default is
 * constant), in the order of SPEC §3's key listing (the rows of the format
 * table) with list elements in file order and an item's scores in the order
 * of `dimensions`:
 *   home.tariff_burden, home.margin, baseline_deficit, elasticity,
 *   elasticity_long, adjustment,
 *   per line: exports, current, no_deal, deal, elasticity, elasticity_long,
 *     tariff_burden,
 *   per item: deficit_effect, cost, delivery, scores.K...,
 *   per package: terms.L for each line L it asks a tariff for,
 *   per actor: threshold, concession,
 *   per third party: cost_per_exposure.
 * Optional dists without a default (elasticity, elasticity_long,
 * adjustment, a line's elasticity, elasticity_long and tariff_burden, a
 * package's terms) are listed only when given.
 * Random streams (engine.c) and inputs (engine.h) are named by these paths. */
typedef struct ds_model_dist {
    char *path;            /* "lines.autos.exports" (owned by the model) */
    const ds_dist *dist;   /* the dist, inside the model (borrowed) */
    ds_dist_site site;     /* which quantity it is */
    size_t elem;           /* index of its line, item, package, actor or
                              third party (0 for a dist outside the lists) */
    size_t slot;           /* an item score's dimension index, a package
                              term's line index, else 0 */
    long corr;             /* index of the correlation it is in, or -1 */
    size_t corr_pos;       /* its position among that correlation's dists */
} ds_model_dist;

typedef struct ds_line {
    char *id, *label;
    ds_dist exports;      /* X0, bn/yr */
    ds_dist current;      /* tariff today */
    ds_dist no_deal;      /* tariff without a deal */
    ds_dist deal;         /* tariff with a deal (unless the package's terms
                             say otherwise) */
    int has_elasticity;   /* 0: uses the model's shared elasticity */
    ds_dist elasticity;   /* year-1 elasticity; valid when has_elasticity */
    int has_elasticity_long; /* 0: the model's elasticity_long, else this
                                line's year-1 elasticity */
    ds_dist elasticity_long; /* valid when has_elasticity_long */
    int has_tariff_burden; /* 0: uses home's tariff_burden */
    ds_dist tariff_burden; /* share of the tariff paid by home's exporters,
                              [0, 1]; valid when has_tariff_burden */
} ds_line;

typedef struct ds_item {
    char *id, *label;
    ds_dist deficit_effect; /* bn/yr change of the deficit at intensity 1 */
    ds_dist cost;           /* bn/yr cost to home at intensity 1 */
    ds_dist delivery;       /* share delivered, in [0, 1]; default fixed 1 */
    int start;              /* year the pledge starts, >= 1 (default 1) */
    int ramp;               /* years to full delivery after start, >= 0 */
    ds_dist *scores;        /* [n_dims]; fixed 0 where the file has none */
    double *exposure;       /* [n_third]; 0 where the file has none */
} ds_item;

/* A package lists its items sparsely, in the file's key order. */
typedef struct ds_package {
    char *id, *label;
    size_t n;             /* entries (items with any intensity, even 0) */
    size_t *item;         /* [n] item indices */
    double *x;            /* [n] intensities >= 0 */
    ds_dist *terms;       /* [n_lines]: the tariff the package asks for on
                             each line, replacing the line's deal when it
                             is accepted (SPEC §5.2, §5.4); a line it asks
                             nothing for holds a fixed NaN (see
                             ds_package_asks), never drawn */
} ds_package;

/* 1 if package p asks a tariff of its own (`terms`) for line l, else 0:
 * the package then uses the line's `deal`. */
static inline int ds_package_asks(const ds_package *p, size_t l)
{
    const ds_dist *d = &p->terms[l];
    return !(d->kind == DS_DIST_FIXED && d->u.fixed.value != d->u.fixed.value);
}

typedef struct ds_strategy {
    char *id, *label;
    size_t n_offers;      /* >= 1 */
    size_t *offers;       /* [n_offers] package indices; round r offers
                             offers[min(r, n_offers) - 1] (SPEC §5.5) */
} ds_strategy;

typedef enum ds_role { DS_ROLE_MEMBER = 0, DS_ROLE_DECIDER = 1 } ds_role;

typedef struct ds_actor {
    char *id, *label;
    ds_role role;
    double *weights;         /* [2 + n_dims]: the built-in keys first, [0] =
                                "deficit", [1] = "tariff" (SPEC §5.2), then
                                [2 + k] = dims[k]; raw file values, >= 0,
                                not all 0.  Scores, and the keys of a
                                weight Dirichlet (§5.1), are in this order. */
    double weight_certainty; /* kappa >= 0; 0 = weights known exactly */
    ds_dist threshold;       /* reservation utility in round 1 */
    ds_dist concession;      /* fall of the threshold per later round */
    double noise;            /* sd of per-round evaluation noise, >= 0 */
    double influence;        /* members: > 0 (default 1) */
    int veto;                /* members: 0 or 1 */
    double attendance;       /* members: probability present (default 1) */
    size_t n_champions;
    size_t *champions;       /* [n_champions] item indices */
    double credit;           /* >= 0 */
    double team_weight;      /* decider: >= 0 */
} ds_actor;

typedef enum ds_decider_acts {
    DS_DECIDER_DEADLINE = 0,
    DS_DECIDER_EVERY_ROUND = 1
} ds_decider_acts;

/* An extendable deadline (SPEC §5.6). */
typedef struct ds_extension {
    int given;                    /* 1 if protocol.extension is given */
    double probability;           /* chance the deadline is pushed back */
    int rounds;                   /* k >= 1, rounds added; R + k <=
                                     DS_MAX_ROUNDS */
} ds_extension;

typedef struct ds_protocol {
    int rounds;                   /* R, 1..DS_MAX_ROUNDS */
    double quorum;                /* (0, 1], default 0.5 */
    ds_decider_acts decider_acts; /* default deadline */
    double disconnect;            /* P(round lost), default 0 */
    double stall_on_split;        /* P(split team stalls), default 0 */
    ds_extension extension;
} ds_protocol;

/* A Gaussian copula between dists of the model (SPEC §3 `correlations`,
 * §5.1).  The builder checks it completely (each path names a
 * non-constant dist in no other correlation; the matrix is k x k,
 * symmetric, with a unit diagonal, entries in [-1, 1], positive definite)
 * and then fills `dist` and `chol`. */
typedef struct ds_correlation {
    char *id;
    size_t k;             /* dists, >= 2 */
    char **paths;         /* [k] their paths as given */
    size_t n_matrix;      /* rows (and columns) of the matrix given */
    double *matrix;       /* [n_matrix * n_matrix] row-major, as given */
    size_t *dist;         /* [k] index of each dist in ds_model.dists */
    double *chol;         /* [k * k] row-major lower triangle L of the
                             Cholesky factorisation matrix = L L^T */
} ds_correlation;

typedef struct ds_third_party {
    char *id, *label;
    double base, slope;           /* logistic retaliation, SPEC §5.4 */
    ds_dist cost_per_exposure;    /* bn/yr per unit of exposure, >= 0 */
} ds_third_party;

typedef struct ds_model {
    char *name, *description;
    char *home_name, *counterpart_name;

    double discount;              /* delta in (0, 1] */
    double discount_rate;         /* rho >= 0, per year over the horizon */
    ds_dist tariff_burden;        /* [0, 1] */
    ds_dist margin;               /* [0, 1] */

    ds_dist baseline_deficit;     /* bn/yr */
    double baseline_mean;         /* D-bar, the analytic mean (> 0), §5.2 */
    int has_elasticity;           /* top-level elasticity given */
    ds_dist elasticity;           /* year 1 */
    int has_elasticity_long;      /* top-level elasticity_long given */
    ds_dist elasticity_long;
    int has_adjustment;           /* given (required with any elasticity_long) */
    ds_dist adjustment;           /* lambda in (0, 1] */
    int horizon;                  /* H, years, 1..DS_MAX_HORIZON (default 1) */

    size_t n_corr;         ds_correlation *corr;  /* correlations */

    size_t n_lines;        ds_line *lines;
    size_t n_dims;         char **dims;           /* declared dimensions */
    size_t n_items;        ds_item *items;
    size_t n_packages;     ds_package *packages;
    size_t n_strategies;   ds_strategy *strategies; /* never 0: the default
                                                       is one per package */
    int strategies_given;  /* 1 if the file had a `strategies` key */
    size_t n_actors;       ds_actor *actors;
    int decider;           /* index of the decider in actors, or -1 */
    size_t n_third;        ds_third_party *third;
    ds_protocol protocol;

    uint64_t draws;        /* simulation.draws, default 100000 */
    uint64_t seed;         /* simulation.seed, default 1 */

    size_t n_sources;      ds_source *sources;

    size_t n_dists;        ds_model_dist *dists;  /* every dist, by path
                                                     (ds_model_dist) */
} ds_model;

/* 1 if dist i of m (m->dists[i]) is an input (SPEC §6 inputs per draw,
 * §11): a dist that can take more than one value.  The engine draws
 * exactly these, in this order (ds_engine_input). */
int ds_model_is_input(const ds_model *m, size_t i);

/* Free the model and everything it owns.  m may be NULL.  Can't fail. */
void ds_model_free(ds_model *m);

#endif /* DEALSIM_MODEL_H */
