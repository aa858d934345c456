/*
 * engine.c - one Monte Carlo draw of the model of SPEC §5 for every strategy.
 * Flow per draw: world (§5.1) -> economics of the no-deal tariffs (§5.4) ->
 * per offered package: scores, utilities, costs (§5.2-§5.4) -> per
 * strategy: the rounds of §5.6 -> outcomes, with the economics of a deal's
 * tariffs (the lines' deal, or a package's terms) computed when a strategy
 * first makes a deal with them.  No allocation, no I/O.
 *
 * Random numbers (part of the output contract; changing anything below
 * changes results for a given seed).  Every stream is named by what it is
 * for, never by a position (SPEC §7, rng.h): its key is
 * ds_rng_key(seed, ds_rng_name_hash(NAME)) and its counter (block,
 * DS_STREAM(KIND, SLOT), draw).  So adding or removing a dist, an item, a
 * package, a strategy, a correlation or an extension changes no other
 * random number: two scenarios that differ in one place are compared on
 * the same worlds.  Common random numbers: every strategy of a draw sees
 * the same world and the same round shocks.
 *
 *  - World (§5.1): every dist that is not constant (ds_dist_is_constant)
 *    has its own stream, kind DS_STREAM_WORLD, named by the dist's SPEC §9
 *    path (model.h, ds_model.dists): "baseline_deficit", "elasticity",
 *    "home.tariff_burden", "lines.autos.exports", "lines.autos.tariff_burden",
 *    "items.semis.scores.reshoring", "packages.deal15.terms.autos",
 *    "actors.trump.threshold", "third_parties.china.cost_per_exposure", ...
 *    The dist is one ds_dist_sample from the start of its stream.  A dist
 *    in a correlation (§5.1) takes instead the first standard normal of its
 *    stream (gsl_ran_gaussian_ziggurat) as its z_j; its value is then
 *    F_j^-1(Phi(z'_j)) with z' = L z (ds_dist_from_normal), L the Cholesky
 *    factor of the correlation's matrix.  A constant dist is not sampled at
 *    all: its value is the same in every draw.  Every package's terms are
 *    drawn, offered or not (they are inputs like any other dist).
 *  - Actor weights (§5.1): one gsl_ran_dirichlet call over the keys with
 *    positive normalised weight, in key order ("deficit", "tariff", then
 *    dims: a key of weight 0 is left out, so a file without "tariff" draws
 *    what it drew before the key existed), from the stream named
 *    "actors.ID.weights" (kind DS_STREAM_WORLD), only when kappa > 0 and at
 *    least two keys are positive.
 *  - Rounds (§5.6): round r (1-based, numbered: rounds are not named) has
 *    the stream named DS_STREAM_ROUNDS_NAME, kind DS_STREAM_ROUNDS, slot r,
 *    and always draws, in this order, whatever the probabilities:
 *       lost uniform, stall uniform, then per actor in scenario order:
 *       a member draws its attendance uniform then its Z, the decider its Z.
 *    lost_r = u < disconnect, stall_r = u < stall_on_split,
 *    present = u < attendance, each u = w / 2^32 from one 32-bit word w;
 *    Z by gsl_ran_gaussian_ziggurat.  A round's shocks are generated when
 *    the first strategy reaches it, always from their own stream, so values
 *    never depend on which strategy got there first.
 *  - Third parties (§5.4): U_q is the first ds_rng_uniform of the stream
 *    named by q's id, kind DS_STREAM_THIRD, drawn every draw.
 *  - Extension (§5.6): the flag is U_ext < probability, U_ext the first
 *    ds_rng_uniform of the stream named DS_STREAM_EXTENSION_NAME, kind
 *    DS_STREAM_EXTENSION (extension_uniform below), drawn when a strategy
 *    reaches round R without a deal; rounds R + 1..R + k are rounds like
 *    the others, on the rounds' stream (slots R + 1..R + k).
 * Keys are computed once per engine and seed (rekey), so a draw costs what
 * it did with one key.  Two streams of one kind coincide only if their
 * names' 64-bit hashes are equal: for n names that has probability about
 * n^2 / 2^65 (below 1e-9 for the largest scenario the limits allow), so it
 * is practically impossible; ds_engine_new checks it all the same and
 * refuses such a model (ds_engine_check_streams names the two streams).
 */
#include "dealsim/engine.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gsl/gsl_machine.h>
#include <gsl/gsl_randist.h>

#include "dealsim/dist.h"
#include "dealsim/rng.h"

/* The first blocks of the first rounds' streams are computed with the
 * world's, side by side (rng.h): a round draws about 2 + 2 per actor words,
 * three blocks for a few actors; rounds after the first few are rare enough
 * to be left to the stream's own refill. */
#define ROUND_BLOCKS 3u
#define ROUNDS_AHEAD 6

/* Teams of at most this many members have their team step's outcomes in
 * tables (4^n entries). */
#define TEAM_TAB_BITS 4

/* The team step keeps its approving members in one 64-bit mask. */
_Static_assert(DS_MAX_ACTORS <= 64, "member masks are 64 bits wide");
_Static_assert(DS_MAX_ROUNDS <= 0xffff, "a draw's counts fit in 16-bit fields");

/* How a non-constant dist of the world is drawn from its stream. */
enum {
    WD_SAMPLE = 0,     /* ds_dist_sample */
    WD_ONE_U,          /* ds_dist_is_one_uniform: from the first block's
                          words, without opening the stream */
    WD_COPULA,         /* in a correlation: through the copula (corr_draw) */
    WD_GAUSS           /* ds_dist_is_one_gaussian: from the first block's
                          first word when the ziggurat accepts it at once */
};

/* One non-constant dist of the world: its value goes to *dst. */
typedef struct world_draw {
    const ds_dist *d;
    double *dst;
    int how;           /* WD_* */
    double loc, scale; /* WD_GAUSS: loc + Z scale, or loc exp(Z scale) */
    int lognormal;
} world_draw;

/* A correlation (§5.1): the world_draw positions of its k dists and the
 * model's Cholesky factor of its matrix. */
typedef struct corr_draw {
    size_t k;
    const size_t *wd;  /* [k] indices into the engine's wd */
    const double *L;   /* [k * k] row-major, lower triangle */
} corr_draw;

/* An actor whose weights are drawn from a Dirichlet (§5.1). */
typedef struct dirichlet_draw {
    size_t actor;
    size_t n;          /* positive keys, >= 2 */
    size_t *key;       /* [n] key indices into the 1 + n_dims weights */
    double *alpha;     /* [n] kappa * w-hat_k */
    ds_gamma *gam;     /* [n] their gamma variates' constants */
} dirichlet_draw;

struct engine_chunk;

struct ds_engine {
    const ds_model *m;
    struct engine_chunk *chunks; /* where the arrays below are (zalloc) */
    size_t nk;                /* 1 + n_dims: weight/score keys */
    double inv_dbar;          /* 1 / D-bar (§5.2), a multiply per package */
    size_t n_members;
    size_t *member;           /* [n_members] actor index, scenario order */
    double *influence;        /* [n_members] */
    unsigned *veto;           /* [n_members] 0/1 */

    /* Sampling plan of the world. */
    size_t n_wd;
    world_draw *wd;
    size_t *wd_of;            /* [n_dists] wd index of model dist i, or
                                 SIZE_MAX for a constant one */
    size_t *wd_dist;          /* [n_dists] model dist of wd[j]: the inputs */
    size_t n_cd;
    corr_draw *cd;            /* [n_corr] */
    size_t *cd_wd;            /* storage of every cd[].wd */
    size_t n_dd;
    dirichlet_draw *dd;
    size_t *dir_key;          /* storage of every dd[].key */
    double *dir_alpha;        /* storage of every dd[].alpha */
    ds_gamma *dir_gam;        /* storage of every dd[].gam */
    double *dir_theta;        /* [nk] gsl_ran_dirichlet output */

    /* The world of the current draw (constants filled once). */
    double baseline, elasticity, burden, margin;
    double *x0, *cur, *nodeal, *deal, *eps;  /* [n_lines] */
    double *eff, *cost, *delivery;           /* [n_items] */
    double *score;                           /* [n_items * n_dims] */
    double *thr, *conc;                      /* [n_actors] */
    double *w;                               /* [n_actors * nk] */
    double *cpe, *uq;                        /* [n_third] */

    double *lb;                              /* [n_lines] line's own burden */
    double elasticity_long, adjustment;      /* top level */
    double *epsl;                            /* [n_lines] line's own */

    /* The horizon (§5.4): H years, year weights w_h = (1 + rho)^-(h-1)
     * and their sum W; lines whose elasticity changes over the years
     * (H > 1 and a long-run elasticity); (1 - lambda)^(h-1) of the draw. */
    int H;
    double *yw;                              /* [H + 1] w_h, index h */
    double W;
    unsigned char *long_run;                 /* [n_lines] */
    int any_long_run;
    double *apow;                            /* [H + 1] per draw */
    /* Delivery schedule of each item (§5.4): s_i(1), s_i(H) and the
     * discounted average of s_i(h) over the years (1 exactly for a pledge
     * delivered in full from year 1). */
    double *s1, *sH, *savg;                  /* [n_items] */

    /* Tariff vectors (§5.2, §5.4): v = 0 no deal, v = 1 the lines' deal,
     * shared by every package without terms, and v = 2 + j the j-th
     * offered package with terms, package vpkg[v], whose own draws are at
     * tdraw[vpkg[v] L + l] for the lines it asks for (asks[(v - 2) L + l]),
     * the line's deal for the others.  vof[u] is the vector of offered
     * package u. */
    size_t NV;
    size_t *vof;                             /* [n_used] */
    size_t *vpkg;                            /* [NV] package of vector v >= 2 */
    unsigned char *asks;                     /* [(NV - 2) * n_lines] */
    double *tdraw;                           /* [n_packages * n_lines] terms,
                                                by package and line */

    /* Lines whose factors under a vector are constant: precomputed (§5.4)
     * when vconst[v L + l], at pre[v L + l]. */
    unsigned char *vconst;                   /* [NV * n_lines] */
    struct factors *pre;                     /* [NV * n_lines] */

    /* Economics of each vector in the current draw (§5.4): mean tariff,
     * the lines' part of the deficit in years 1 and H, and home's loss,
     * averaged over the years.  Vector 0 every draw; the others when a
     * strategy first makes a deal with them (vgen[v] == gen). */
    double *tariff, *dsum1, *dsumH, *loss;   /* [NV] */
    uint64_t *vgen;                          /* [NV] */
    uint64_t gen;                            /* draws simulated so far */
    int need_tariff;                         /* some actor weighs "tariff" */

    /* Offered packages ("used"): pslot[p] = its index among them or -1. */
    size_t n_used;
    size_t *used;                /* [n_used] package indices */
    size_t *twin;                /* [n_used] an earlier offered package with
                                    the same items and amounts (so the same
                                    item sums), or SIZE_MAX */
    long *pslot;                 /* [n_packages] */
    unsigned char *champ;        /* [n_used * n_actors], constant */
    double *expo;                /* [n_used * n_third] E_q(p), constant */
    double *pret;                /* [n_used * n_third] P_q(p), constant */
    double *St;                  /* [nk * n_used] scores S_k(u), per draw,
                                    key-major */
    double *V;                   /* [n_actors * n_used] base utilities
                                    V_a(p), actor-major for the team step */
    double *ccost, *retcost;     /* [n_used] per draw */
    double *dlv1, *dlvH;         /* [n_used] delivered pledges, years 1, H */
    unsigned char *ret;          /* [n_used * n_third] per draw */
    double *cred;                /* [n_actors * n_used] credit_a champ_a(u),
                                    constant */
    size_t n_rounds;             /* R, an extension's rounds included */
    size_t round_words;          /* words of a round whose normals take one
                                    each: 2 + members + actors */
    size_t *slot_at;             /* [n_strategies * (R + 1)] used slot
                                    strategy s offers in round r (§5.5), at
                                    s (R + 1) + r; R counts an extension's
                                    rounds */

    /* Round shocks (§5.6), generated when the first strategy reaches them. */
    unsigned char *lost, *stall;  /* [R + 1], index r */
    unsigned char *present;       /* [(R + 1) * n_actors] */
    double *nz;                   /* [(R + 1) * n_actors] noise_a * Z_ar */
    double *th;                   /* [(R + 1) * n_actors] theta_a(r) */
    double *disc;                 /* [R + 1] delta^(r - 1) */
    uint32_t *cum_ev;             /* [(R + 1) * n_members] evaluations of
                                     member k in rounds 1..r (row 0 = 0) */
    uint64_t *pmask;              /* [R + 1] present members, bit k */

    /* With at most TEAM_TAB_BITS members (`packed`), a member's counts
     * of one draw are 16-bit fields of one word, member k's at bit 16 k:
     * evaluations in rounds 1..r at cum_pk[r], and approvals of strategy
     * s so far at apk[s]; spread[mask] has a 1 in the field of every
     * member in mask.  A draw has at most R <= DS_MAX_ROUNDS rounds, so
     * a field never carries into the next (without `packed`: cum_ev, and
     * approvals added to the outcome's). */
    int packed;
    uint64_t spread[1u << TEAM_TAB_BITS];
    uint64_t *cum_pk;             /* [R + 1] */
    uint64_t *apk;                /* [n_strategies] */
    int *cend;                    /* [n_strategies] last round counted */

    /* Team step of the current round per offered package (shared by all
     * strategies offering it then). */
    unsigned char *t_pass;        /* [n_used] */
    double *t_sigma;              /* [n_used] */
    double *t_sa;                 /* [n_used] influence of the approvers */
    unsigned *t_na, *t_veto;      /* [n_used] approvers, vetoed */
    uint64_t *t_ok;               /* [n_used] approving members, bit k */

    /* With at most TEAM_TAB_BITS members, the team step's outcome for
     * each (present members pm, approving members ok) pair, index
     * pm << n_members | ok: sigma, and whether the team passes without and
     * with a stall (see team_tables). */
    double *tt_sigma;             /* [4^n_members] */
    unsigned char *tt_pass;       /* [2 * 4^n_members] */

    /* Per-strategy state of the rounds. */
    size_t *act;                  /* [n_strategies] strategies still open */
    long *fwd;                    /* [n_strategies] forwarded offer or -1 */
    double *fwd_sigma;            /* [n_strategies] its sigma */
    int *res_round;               /* [n_strategies] r*, 0 without a deal */
    size_t *res_slot;             /* [n_strategies] used slot of p* */

    /* Outcomes. */
    ds_outcome *out;              /* [n_strategies] */
    unsigned char *out_ret;
    double *out_retcost;
    uint32_t *out_eval, *out_appr;

    /* A dist the engine does not use still has its value somewhere. */
    double *spare;                /* [n_dists], by index in m->dists */

    /* The non-constant dists outside correlations by how they are drawn,
     * as wd indices (each list in wd order): uniform, triangular (both
     * WD_ONE_U), WD_GAUSS, WD_SAMPLE; with the uniform and triangular
     * parameters laid out side by side, and room for their uniforms and
     * values, so that their transforms run as plain loops. */
    size_t n_uni, n_tri, n_gs, n_bg, n_on, n_smp;
    size_t *uni_j, *tri_j, *gs_j, *bg_j, *on_j, *smp_j; /* [n_wd] each */
    double *bg_p;                            /* [6 n_wd] per two-gamma dist
                                                (beta, pert): its gammas'
                                                d, then their c, lo, hi */
    double *uni_lo, *uni_hi;                 /* [n_wd] */
    double *tri_lo, *tri_hi, *tri_p, *tri_q; /* [n_wd] */
    double *wu, *wx;                         /* [n_wd] */

    /* One generator, reopened for every stream. */
    ds_rng rng;
    /* The world's streams' first blocks, computed side by side each draw:
     * wd[] first, then dd[], then the third parties' U_q streams. */
    size_t n_ws;
    /* Arrays of n_ws + n_rb entries, rounded up to whole DS_RNG_LANES
     * (ds_rng_lanes): the streams' first blocks, then the first rounds'
     * first blocks. */
    uint32_t *wb0, *wb1, *wb2, *wb3;  /* the blocks' words, per draw */
    uint32_t *wpurp;              /* stream purposes */
    uint32_t *wbi;                /* block indices */
    uint64_t *whash;              /* [n_ws + n_rb] the streams' name hashes */
    uint32_t *wk0, *wk1;          /* [n_ws + n_rb] their keys under key_seed,
                                     low and high words */
    size_t n_rb;                  /* ROUND_BLOCKS for each of rounds
                                     1..min(R + k, ROUNDS_AHEAD), k an
                                     extension's rounds */
    /* After those: the second and later blocks of the world's streams that
     * take more than one (beta and pert dists, Dirichlet weights), stream
     * j's at lanes xb[j], xb[j] + 1, ... (xn[j] blocks in all, its first
     * at lane j); then, with an extension, its flag's first block at lane
     * ext_lane.  n_lanes lanes in all. */
    size_t *xb;                   /* [n_wd + n_dd] */
    unsigned *xn;                 /* [n_wd + n_dd] */
    size_t ext_lane, n_lanes;
    uint64_t round_hash, round_key;  /* the rounds' stream */
    uint64_t ext_hash, ext_key;      /* the extension flag's stream */
    uint64_t key_seed;            /* the seed the keys are for, */
    int keyed;                    /* once computed */
};

/* The engine's arrays are carved from chunks of at least ENGINE_CHUNK
 * bytes, each array at a multiple of 64 bytes from its chunk's start: the
 * built-in scenario's engine takes two chunks, where an allocation per
 * array cost a sweep point about 120 calls to calloc and free. */
#define ENGINE_CHUNK ((size_t)32 << 10)

typedef struct engine_chunk {
    struct engine_chunk *next;
    size_t cap, used;
    max_align_t data[];
} engine_chunk;

/* n (at least 1) zeroed elements of `size` bytes from e's chunks (a
 * chunk's bytes are zeroed as they are handed out): NULL when out of
 * memory. */
static void *zalloc(ds_engine *e, size_t n, size_t size)
{
    engine_chunk *c = e->chunks;
    size_t bytes;
    void *p;

    if (n == 0)
        n = 1;
    if (n > (SIZE_MAX - ENGINE_CHUNK) / size)
        return NULL;
    bytes = (n * size + 63) & ~(size_t)63;
    if (!c || c->cap - c->used < bytes) {
        size_t cap = bytes > ENGINE_CHUNK ? bytes : ENGINE_CHUNK;
        if (!(c = malloc(sizeof *c + cap)))
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = e->chunks;
        e->chunks = c;
    }
    p = (char *)c->data + c->used;
    c->used += bytes;
    return memset(p, 0, bytes);
}

void ds_engine_free(ds_engine *e)
{
    if (!e)
        return;
    for (engine_chunk *c = e->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(e);
}

/* Where the value of dist i of the model (m->dists[i]) goes. */
static double *site_dst(ds_engine *e, size_t i)
{
    const ds_model_dist *md = &e->m->dists[i];
    const size_t j = md->elem;
    switch (md->site) {
    case DS_SITE_TARIFF_BURDEN: return &e->burden;
    case DS_SITE_MARGIN: return &e->margin;
    case DS_SITE_BASELINE: return &e->baseline;
    case DS_SITE_ELASTICITY: return &e->elasticity;
    case DS_SITE_LINE_EXPORTS: return &e->x0[j];
    case DS_SITE_LINE_CURRENT: return &e->cur[j];
    case DS_SITE_LINE_NO_DEAL: return &e->nodeal[j];
    case DS_SITE_LINE_DEAL: return &e->deal[j];
    case DS_SITE_LINE_ELASTICITY: return &e->eps[j];
    case DS_SITE_ITEM_EFFECT: return &e->eff[j];
    case DS_SITE_ITEM_COST: return &e->cost[j];
    case DS_SITE_ITEM_DELIVERY: return &e->delivery[j];
    case DS_SITE_ITEM_SCORE: return &e->score[j * e->m->n_dims + md->slot];
    case DS_SITE_THRESHOLD: return &e->thr[j];
    case DS_SITE_CONCESSION: return &e->conc[j];
    case DS_SITE_COST_PER_EXPOSURE: return &e->cpe[j];
    case DS_SITE_ELASTICITY_LONG: return &e->elasticity_long;
    case DS_SITE_ADJUSTMENT: return &e->adjustment;
    case DS_SITE_LINE_ELASTICITY_LONG: return &e->epsl[j];
    case DS_SITE_LINE_TARIFF_BURDEN: return &e->lb[j];
    case DS_SITE_PACKAGE_TERMS: return &e->tdraw[j * e->m->n_lines + md->slot];
    case DS_SITE_NONE: break;
    }
    return &e->spare[i];
}

/* Record dist i of the model: a constant goes straight to where its value
 * goes, anything else (an input, ds_model_is_input) joins the per-draw
 * sampling plan, with the stream named by its path. */
static void plan_dist(ds_engine *e, size_t i)
{
    const ds_model_dist *md = &e->m->dists[i];
    double *dst = site_dst(e, i), v;
    e->wd_of[i] = SIZE_MAX;
    if (!ds_model_is_input(e->m, i)) {
        ds_dist_is_constant(md->dist, &v);
        *dst = v;
        return;
    }
    e->wd[e->n_wd].d = md->dist;
    e->wd[e->n_wd].dst = dst;
    e->wd[e->n_wd].how = md->corr >= 0 ? WD_COPULA
                         : ds_dist_is_one_uniform(md->dist) ? WD_ONE_U
                         : ds_dist_is_one_gaussian(md->dist, &e->wd[e->n_wd].loc,
                                                   &e->wd[e->n_wd].scale,
                                                   &e->wd[e->n_wd].lognormal) ? WD_GAUSS
                         : WD_SAMPLE;
    e->whash[e->n_wd] = ds_rng_name_hash(md->path);
    e->wd_of[i] = e->n_wd;
    e->wd_dist[e->n_wd] = i;
    e->n_wd++;
}

/* "actors.ID.weights", the name of actor a's Dirichlet stream, allocated
 * (NULL on no memory). */
static char *weights_name(const ds_actor *a)
{
    size_t n = strlen("actors..weights") + strlen(a->id) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "actors.%s.weights", a->id);
    return s;
}

/* The name hashes of every stream of kind DS_STREAM_WORLD model m can
 * have, whether drawn or not: m->dists[i] at i, then actor a's weights at
 * n_dists + a, into h.  DS_OK or DS_ENOMEM. */
static int world_hashes(const ds_model *m, uint64_t *h)
{
    for (size_t i = 0; i < m->n_dists; i++)
        h[i] = ds_rng_name_hash(m->dists[i].path);
    for (size_t a = 0; a < m->n_actors; a++) {
        char *w = weights_name(&m->actors[a]);
        if (!w)
            return DS_ENOMEM;
        h[m->n_dists + a] = ds_rng_name_hash(w);
        free(w);
    }
    return DS_OK;
}

/* The name of world stream i (as world_hashes numbers them), allocated. */
static char *world_name(const ds_model *m, size_t i)
{
    if (i < m->n_dists) {
        char *s = malloc(strlen(m->dists[i].path) + 1);
        return s ? strcpy(s, m->dists[i].path) : NULL;
    }
    return weights_name(&m->actors[i - m->n_dists]);
}

int ds_engine_check_streams(const ds_model *m, ds_error *err)
{
    const size_t nw = m->n_dists + m->n_actors, n = nw > m->n_third ? nw : m->n_third;
    uint64_t *h = malloc((n ? n : 1) * sizeof *h), *tmp = malloc((n ? n : 1) * sizeof *h);
    size_t i, j;
    int rc = DS_OK;
    if (!h || !tmp || world_hashes(m, h) != DS_OK) {
        rc = ds_error_set(err, DS_ENOMEM, "out of memory");
        goto done;
    }
    if (ds_rng_find_equal(h, nw, tmp, &i, &j)) {
        char *a = world_name(m, i), *b = world_name(m, j);
        rc = ds_error_set(err, DS_EINVAL,
                          "the random streams of '%s' and '%s' have the same key "
                          "(their names' 64-bit hashes are equal); rename an id",
                          a ? a : "?", b ? b : "?");
        free(a);
        free(b);
        goto done;
    }
    for (size_t q = 0; q < m->n_third; q++)
        h[q] = ds_rng_name_hash(m->third[q].id);
    if (ds_rng_find_equal(h, m->n_third, tmp, &i, &j))
        rc = ds_error_set(err, DS_EINVAL,
                          "the random streams of third parties '%s' and '%s' have the "
                          "same key (their ids' 64-bit hashes are equal); rename one",
                          m->third[i].id, m->third[j].id);
done:
    free(h);
    free(tmp);
    return rc;
}

/* Normalised weights w-hat of actor a (§5.1) into e->w, and its Dirichlet
 * plan when kappa > 0 and two or more keys are positive. */
static int plan_weights(ds_engine *e, size_t a, size_t *key_store,
                        double *alpha_store, ds_gamma *gam_store)
{
    const ds_actor *ac = &e->m->actors[a];
    double sum = 0.0;
    size_t npos = 0;
    for (size_t k = 0; k < e->nk; k++)
        sum += ac->weights[k];
    for (size_t k = 0; k < e->nk; k++) {
        e->w[a * e->nk + k] = ac->weights[k] / sum;
        if (ac->weights[k] > 0.0)
            npos++;
    }
    if (ac->weight_certainty <= 0.0 || npos < 2)
        return DS_OK;
    char *name = weights_name(ac);
    if (!name)
        return DS_ENOMEM;
    /* Its stream follows the world's dists' in whash (see ds_engine_new). */
    e->whash[e->n_wd + e->n_dd] = ds_rng_name_hash(name);
    free(name);
    dirichlet_draw *dd = &e->dd[e->n_dd++];
    dd->actor = a;
    dd->n = 0;
    dd->key = key_store;
    dd->alpha = alpha_store;
    dd->gam = gam_store;
    for (size_t k = 0; k < e->nk; k++) {
        if (ac->weights[k] > 0.0) {
            dd->key[dd->n] = k;
            dd->alpha[dd->n] = ac->weight_certainty * e->w[a * e->nk + k];
            ds_gamma_init(&dd->gam[dd->n], dd->alpha[dd->n]);
            dd->n++;
        }
    }
    return DS_OK;
}

/* The price factors of one line under tariff t (SPEC §5.4, pass-through):
 * the importers' price m(t) = 1 + (1 - b) t and the border price
 * x(t) = m(t) / (1 + t), both against no tariff; against today's tariff c,
 * *mu = m(t) / m(c) and *pi = x(t) / x(c).  With b = 0 these are exactly
 * v1's: *mu = (1 + t) / (1 + c) with the same operations and *pi = 1
 * exactly (m(t) / (1 + t) divides a number by itself). */
static void price_factors(double t, double c, double b, double *mu, double *pi)
{
    double mt = 1.0 + (1.0 - b) * t, mc = 1.0 + (1.0 - b) * c;
    *mu = mt / mc;
    *pi = (mt / (1.0 + t)) / (mc / (1.0 + c));
}

/* The volume factor Q = mu^(-eps) (SPEC §5.4): 1 at today's tariff. */
static double volume_factor(double mu, double eps)
{
    return pow(mu, -eps);
}

/* What a line's economics under one tariff need (SPEC §5.4): the border
 * price factor pi, the volume factors of years 1 and H and the discounted
 * average of the volume factor over the years, Qavg = sum_h w_h Q_h / W.
 * The loss and the deficit are linear in Q_h, so these four numbers give
 * the averaged loss and the deficits of years 1 and H exactly. */
struct factors {
    double pi, q1, qH, qavg;
};

/* The factors of a line at price ratio mu and border factor pi, with
 * year-1 elasticity eps; when the line's elasticity changes over the
 * horizon (long_run), long-run elasticity epsl and apow[h] =
 * (1 - lambda)^(h-1).  Year h's elasticity is
 * eps_h = epsl + (eps - epsl) apow[h] (SPEC §5.4); Q_1 uses eps itself,
 * with v1's operation, and every year is Q_1 when the elasticity does not
 * change. */
static struct factors line_factors(const ds_engine *e, double mu, double pi,
                                   double eps, int long_run, double epsl)
{
    struct factors f;
    f.pi = pi;
    f.q1 = volume_factor(mu, eps);
    if (!long_run) {
        f.qH = f.qavg = f.q1;
        return f;
    }
    const double lg = log(mu), d = eps - epsl;
    double sum = e->yw[1] * f.q1, q = f.q1;
    for (int h = 2; h <= e->H; h++) {
        q = exp(-(epsl + d * e->apow[h]) * lg);          /* mu^(-eps_h) */
        sum += e->yw[h] * q;
    }
    f.qH = q;
    f.qavg = sum / e->W;
    return f;
}

/* s_i(h), the share of item i's pledge delivered in year h (SPEC §5.4):
 * 0 before its start, then growing to 1 over ramp + 1 years. */
static double schedule(const ds_item *it, int h)
{
    if (h < it->start)
        return 0.0;
    double s = (double)(h - it->start + 1) / (double)(it->ramp + 1);
    return s < 1.0 ? s : 1.0;
}

/* apow[h] = (1 - lambda)^(h-1) for h = 1..H (SPEC §5.4). */
static void year_powers(ds_engine *e, double lambda)
{
    e->apow[1] = 1.0;
    for (int h = 2; h <= e->H; h++)
        e->apow[h] = e->apow[h - 1] * (1.0 - lambda);
}

/* Blocks of world dist wd's stream computed side by side each draw: two
 * for a beta or pert (two gamma variates take at least six words), one for
 * anything else. */
static unsigned world_blocks(const world_draw *wd)
{
    const ds_dist_kind k = wd->d->kind;
    return wd->how == WD_SAMPLE && (k == DS_DIST_BETA || k == DS_DIST_PERT) ? 2u : 1u;
}

/* Words a Dirichlet's gamma variates take when each accepts at once: three,
 * five with alpha < 1 (a boost's uniform first). */
static size_t dirichlet_words(const dirichlet_draw *dd)
{
    size_t words = 0;
    for (size_t k = 0; k < dd->n; k++)
        words += dd->gam[k].boost ? 5 : 3;
    return words;
}

/* Blocks of a Dirichlet's stream computed side by side each draw: room for
 * dirichlet_words, at most DS_RNG_HOLD / 4. */
static unsigned weights_blocks(const dirichlet_draw *dd)
{
    size_t nb = (dirichlet_words(dd) + 3) / 4;
    return nb < DS_RNG_HOLD / 4 ? (unsigned)nb : DS_RNG_HOLD / 4;
}

/* Open r on world stream j (a dist's, then a Dirichlet's, then a third
 * party's) with the blocks draw_world computed for it: the same stream as
 * ds_rng_open. */
static inline void open_world(const ds_engine *e, ds_rng *r, size_t j, uint64_t draw)
{
    const uint64_t key = ((uint64_t)e->wk1[j] << 32) | e->wk0[j];
    const unsigned nb = j < e->n_wd + e->n_dd ? e->xn[j] : 1u;
    ds_rng_start(r, key, draw, e->wpurp[j], nb);
    r->buf[0] = e->wb0[j];
    r->buf[1] = e->wb1[j];
    r->buf[2] = e->wb2[j];
    r->buf[3] = e->wb3[j];
    for (unsigned b = 1; b < nb; b++) {
        const size_t x = e->xb[j] + b - 1;
        r->buf[4 * b] = e->wb0[x];
        r->buf[4 * b + 1] = e->wb1[x];
        r->buf[4 * b + 2] = e->wb2[x];
        r->buf[4 * b + 3] = e->wb3[x];
    }
}

/* The team step's outcomes (team_round) for every pair of present
 * members pm and approving members ok within them: sigma = the influence
 * of ok over that of pm, each summed in member order (as team_round's
 * running sums; adding 0.0 for a member who does not approve changes no
 * bit), 0 for an empty pm; the team passes iff pm is not empty, sigma >=
 * quorum, no present member with a veto disapproves and, with a stall in
 * the round, the team is not split. */
/* The influence of the members in mask, summed in member order, and how
 * many they are. */
static double mask_influence(const ds_engine *e, size_t mask, unsigned *count)
{
    double sum = 0.0;
    *count = 0;
    for (size_t k = 0; k < e->n_members; k++)
        if (mask >> k & 1) {
            sum += e->influence[k];
            (*count)++;
        }
    return sum;
}

static void team_tables(ds_engine *e)
{
    const size_t NM = e->n_members, n = (size_t)1 << NM;
    const double quorum = e->m->protocol.quorum;
    uint64_t vetoes = 0;
    for (size_t k = 0; k < NM; k++)
        vetoes |= (uint64_t)e->veto[k] << k;
    for (size_t pm = 0; pm < n; pm++) {
        unsigned np, na;
        const double sp = mask_influence(e, pm, &np);
        for (size_t ok = 0; ok < n; ok++) {
            if ((ok & ~pm) != 0)
                continue;                 /* only present members approve */
            const double sa = mask_influence(e, ok, &na);
            const size_t ix = pm << NM | ok;
            const double sigma = np > 0 ? sa / sp : 0.0;
            const int pass = np > 0 && sigma >= quorum && (vetoes & pm & ~ok) == 0;
            const int split = na > 0 && na < np;
            e->tt_sigma[ix] = sigma;
            e->tt_pass[ix] = (unsigned char)pass;
            e->tt_pass[n * n + ix] = (unsigned char)(pass && !split);
        }
    }
}

ds_engine *ds_engine_new(const ds_model *m)
{
    ds_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    ds_rng_gaussian_init(); /* the inline ziggurat's tables, once */
    e->m = m;
    e->nk = 2 + m->n_dims; /* "deficit", "tariff", the dimensions */
    e->inv_dbar = 1.0 / m->baseline_mean;
    const size_t L = m->n_lines, I = m->n_items, A = m->n_actors;
    const size_t Q = m->n_third, P = m->n_packages, K = m->n_strategies;
    const size_t D = m->n_dims, nk = e->nk;
    /* Rounds 1..R, and R + 1..R + k of an extension (§5.6). */
    const size_t R = (size_t)m->protocol.rounds
                     + (m->protocol.extension.given ? (size_t)m->protocol.extension.rounds : 0);
    e->n_rounds = R;
    e->round_words = 2 + A;
    for (size_t a = 0; a < A; a++)
        e->round_words += m->actors[a].role == DS_ROLE_MEMBER;

    const size_t ND = m->n_dists;
    /* Streams computed side by side each draw (see the struct): the first
     * rounds' blocks up to the last deadline R1 (with an extension's
     * rounds, reached in most draws of a scenario that has one). */
    const size_t R1 = R;
    const size_t n_rb = ROUND_BLOCKS * (R1 < ROUNDS_AHEAD ? R1 : ROUNDS_AHEAD);
    /* Lanes: at most 2 blocks per dist, DS_RNG_HOLD / 4 per actor's
     * weights, 1 per third party, the rounds', the extension's. */
    const size_t n_st = (2 * ND + DS_RNG_HOLD / 4 * A + Q + n_rb + 1 + DS_RNG_LANES - 1)
                        / DS_RNG_LANES * DS_RNG_LANES;

    /* Streams of one model never coincide (see the top comment). */
    if (ds_engine_check_streams(m, NULL) != DS_OK)
        goto fail;

#define ALLOC(f, n) if (!(e->f = zalloc(e, (n), sizeof *e->f))) goto fail;
    size_t n_cw = 0;
    for (size_t c = 0; c < m->n_corr; c++)
        n_cw += m->corr[c].k;
    ALLOC(wd, ND) ALLOC(wd_of, ND) ALLOC(wd_dist, ND) ALLOC(cd, m->n_corr) ALLOC(cd_wd, n_cw) ALLOC(spare, ND) ALLOC(dd, A) ALLOC(dir_key, A * nk)
    ALLOC(dir_alpha, A * nk) ALLOC(dir_gam, A * nk) ALLOC(dir_theta, nk)
    ALLOC(x0, L) ALLOC(cur, L) ALLOC(nodeal, L) ALLOC(deal, L) ALLOC(eps, L)
    ALLOC(eff, I) ALLOC(cost, I) ALLOC(delivery, I) ALLOC(score, I * D)
    ALLOC(thr, A) ALLOC(conc, A) ALLOC(w, A * nk) ALLOC(cpe, Q) ALLOC(uq, Q)
    ALLOC(lb, L) ALLOC(epsl, L)
    ALLOC(yw, (size_t)m->horizon + 1) ALLOC(long_run, L)
    ALLOC(apow, (size_t)m->horizon + 1)
    ALLOC(s1, I) ALLOC(sH, I) ALLOC(savg, I) ALLOC(tdraw, P * L)
    ALLOC(used, P) ALLOC(pslot, P) ALLOC(slot_at, K * (R + 1))
    ALLOC(lost, R + 1) ALLOC(stall, R + 1) ALLOC(present, (R + 1) * A)
    ALLOC(nz, (R + 1) * A) ALLOC(th, (R + 1) * A) ALLOC(disc, R + 1)
    ALLOC(member, A) ALLOC(influence, A) ALLOC(veto, A)
    ALLOC(cum_ev, (R + 1) * A) ALLOC(pmask, R + 1) ALLOC(cum_pk, R + 1)
    ALLOC(apk, K) ALLOC(cend, K) ALLOC(act, K) ALLOC(fwd, K) ALLOC(fwd_sigma, K)
    ALLOC(res_round, K) ALLOC(res_slot, K)
    ALLOC(out, K) ALLOC(out_ret, K * Q) ALLOC(out_retcost, K * Q)
    ALLOC(out_eval, K * A) ALLOC(out_appr, K * A)
    ALLOC(wb0, n_st) ALLOC(wb1, n_st) ALLOC(wb2, n_st) ALLOC(wb3, n_st) ALLOC(wpurp, n_st) ALLOC(wbi, n_st) ALLOC(whash, n_st)
    ALLOC(wk0, n_st) ALLOC(wk1, n_st) ALLOC(xb, ND + A) ALLOC(xn, ND + A)
    ALLOC(uni_j, ND) ALLOC(tri_j, ND) ALLOC(gs_j, ND) ALLOC(bg_j, ND) ALLOC(bg_p, 6 * ND) ALLOC(on_j, ND) ALLOC(smp_j, ND) ALLOC(uni_lo, ND)
    ALLOC(uni_hi, ND) ALLOC(tri_lo, ND) ALLOC(tri_hi, ND) ALLOC(tri_p, ND) ALLOC(tri_q, ND)
    ALLOC(wu, ND) ALLOC(wx, ND)

    /* The world's sampling plan: every dist of the model, in model order
     * (ds_model.dists), each on the stream named by its path (a package's
     * terms too, offered or not: every input is drawn). */
    for (size_t i = 0; i < ND; i++)
        plan_dist(e, i);
    /* The plan by kind of draw (see the struct). */
    for (size_t j = 0; j < e->n_wd; j++) {
        const world_draw *w = &e->wd[j];
        if (w->how == WD_ONE_U) {
            double lo, hi, p, q;
            if (ds_dist_one_uniform_params(w->d, &lo, &hi, &p, &q)) {
                e->tri_j[e->n_tri] = j;
                e->tri_lo[e->n_tri] = lo;
                e->tri_hi[e->n_tri] = hi;
                e->tri_p[e->n_tri] = p;
                e->tri_q[e->n_tri] = q;
                e->n_tri++;
            } else {
                e->uni_j[e->n_uni] = j;
                e->uni_lo[e->n_uni] = lo;
                e->uni_hi[e->n_uni] = hi;
                e->n_uni++;
            }
        } else if (w->how == WD_GAUSS) {
            e->gs_j[e->n_gs++] = j;
        } else if (w->how == WD_SAMPLE && world_blocks(w) == 2 &&
                   ds_dist_is_two_gammas(w->d, &e->bg_p[6 * e->n_bg + 4],
                                         &e->bg_p[6 * e->n_bg + 5])) {
            double *p = e->bg_p + 6 * e->n_bg;
            p[0] = w->d->gam[0].d;
            p[1] = w->d->gam[1].d;
            p[2] = w->d->gam[0].c;
            p[3] = w->d->gam[1].c;
            e->bg_j[e->n_bg++] = j;
        } else if (w->how == WD_SAMPLE && ds_dist_is_one_open_uniform(w->d)) {
            e->on_j[e->n_on++] = j;
        } else if (w->how == WD_SAMPLE) {
            e->smp_j[e->n_smp++] = j;
        }
    }
    /* Correlations (§5.1): the dists' places in the plan, the factor.  A
     * model refuses a constant or unresolved dist in a correlation. */
    for (size_t c = 0, w = 0; c < m->n_corr; c++) {
        const ds_correlation *co = &m->corr[c];
        corr_draw *cd = &e->cd[e->n_cd++];
        cd->k = co->k;
        cd->wd = e->cd_wd + w;
        cd->L = co->chol;
        for (size_t j = 0; j < co->k; j++) {
            if (!co->dist || !co->chol || e->wd_of[co->dist[j]] == SIZE_MAX)
                goto fail;
            e->cd_wd[w++] = e->wd_of[co->dist[j]];
        }
    }
    for (size_t a = 0; a < A; a++) {
        const ds_actor *ac = &m->actors[a];
        if (plan_weights(e, a, e->dir_key + a * nk, e->dir_alpha + a * nk,
                         e->dir_gam + a * nk) != DS_OK)
            goto fail;
        if (ac->role == DS_ROLE_MEMBER) {
            e->member[e->n_members] = a;
            e->influence[e->n_members] = ac->influence;
            e->veto[e->n_members] = ac->veto != 0;
            e->n_members++;
        }
    }

    if (e->n_members <= TEAM_TAB_BITS) {
        const size_t nt = (size_t)1 << (2 * e->n_members);
        ALLOC(tt_sigma, nt) ALLOC(tt_pass, 2 * nt)
        team_tables(e);
        e->packed = R <= 0xffffu;     /* always, for a validated model */
        for (size_t mask = 0; mask < ((size_t)1 << TEAM_TAB_BITS); mask++)
            for (size_t k = 0; k < TEAM_TAB_BITS; k++)
                if (mask >> k & 1)
                    e->spread[mask] += (uint64_t)1 << (16 * k);
    }

    /* Offered packages, in order of first offer; the one of each round
     * (§5.5: offer r, then the last offer again). */
    for (size_t p = 0; p < P; p++)
        e->pslot[p] = -1;
    for (size_t s = 0; s < K; s++) {
        const ds_strategy *st = &m->strategies[s];
        for (size_t j = 0; j < st->n_offers; j++) {
            size_t p = st->offers[j];
            if (e->pslot[p] < 0) {
                e->pslot[p] = (long)e->n_used;
                e->used[e->n_used++] = p;
            }
        }
        for (size_t r = 1; r <= R; r++) {
            size_t j = r <= st->n_offers ? r - 1 : st->n_offers - 1;
            e->slot_at[s * (R + 1) + r] = (size_t)e->pslot[st->offers[j]];
        }
    }
    /* Tariff vectors: one per offered package with terms (§5.2). */
    e->NV = 2;
    ALLOC(vof, e->n_used) ALLOC(vpkg, e->n_used + 2)
    for (size_t u = 0; u < e->n_used; u++) {
        const ds_package *pk = &m->packages[e->used[u]];
        int any = 0;
        for (size_t l = 0; l < L; l++)
            any |= ds_package_asks(pk, l);
        e->vof[u] = any ? e->NV++ : 1;
        e->vpkg[e->vof[u]] = e->used[u];
    }
    const size_t NV = e->NV;
    ALLOC(asks, (NV - 2) * L) ALLOC(vconst, NV * L)
    ALLOC(pre, NV * L) ALLOC(tariff, NV) ALLOC(dsum1, NV) ALLOC(dsumH, NV)
    ALLOC(loss, NV) ALLOC(vgen, NV)
    for (size_t a = 0; a < A; a++)
        e->need_tariff |= m->actors[a].weights[1] > 0.0;

    for (size_t u = 0; u < e->n_used; u++) {
        const size_t v = e->vof[u];
        for (size_t l = 0; v >= 2 && l < L; l++)
            e->asks[(v - 2) * L + l] =
                (unsigned char)ds_package_asks(&m->packages[e->used[u]], l);
    }

    /* The horizon (§5.4): year weights, lines whose elasticity moves, and
     * each item's delivery schedule s_i(h). */
    e->H = m->horizon;
    e->W = 0.0;
    for (int h = 1; h <= e->H; h++) {
        e->yw[h] = pow(1.0 + m->discount_rate, -(double)(h - 1));
        e->W += e->yw[h];
    }
    for (size_t l = 0; l < L; l++) {
        e->long_run[l] = e->H > 1
            && (m->lines[l].has_elasticity_long || m->has_elasticity_long);
        e->any_long_run |= e->long_run[l];
    }
    for (size_t i = 0; i < I; i++) {
        const ds_item *it = &m->items[i];
        double sum = 0.0;
        for (int h = 1; h <= e->H; h++) {
            double sh = schedule(it, h);
            sum += e->yw[h] * sh;
            if (h == 1)
                e->s1[i] = sh;
            if (h == e->H)
                e->sH[i] = sh;
        }
        e->savg[i] = sum / e->W;
    }

    /* Lines whose factors under a tariff vector are the same in every draw
     * (§5.4): today's tariff, burden, elasticities and the vector's tariff
     * constant. */
    for (size_t l = 0; l < L; l++) {
        const ds_line *ln = &m->lines[l];
        const ds_dist *el = ln->has_elasticity ? &ln->elasticity : &m->elasticity;
        const ds_dist *bd = ln->has_tariff_burden ? &ln->tariff_burden : &m->tariff_burden;
        const ds_dist *ll = ln->has_elasticity_long ? &ln->elasticity_long
                                                    : &m->elasticity_long;
        double c, t, ep, b, epl = 0.0, lam;
        if (!ds_dist_is_constant(&ln->current, &c)
            || !(ln->has_elasticity || m->has_elasticity)
            || !ds_dist_is_constant(el, &ep) || !ds_dist_is_constant(bd, &b))
            continue;
        if (e->long_run[l]) {
            if (!ds_dist_is_constant(ll, &epl) || !ds_dist_is_constant(&m->adjustment, &lam))
                continue;
            year_powers(e, lam);
        }
        for (size_t v = 0; v < NV; v++) {
            const ds_dist *tv = v == 0 ? &ln->no_deal : &ln->deal;
            double mu, pi;
            if (v >= 2 && e->asks[(v - 2) * L + l])
                tv = &m->packages[e->vpkg[v]].terms[l];
            if (!ds_dist_is_constant(tv, &t))
                continue;
            e->vconst[v * L + l] = 1;
            price_factors(t, c, b, &mu, &pi);
            e->pre[v * L + l] = line_factors(e, mu, pi, ep, e->long_run[l], epl);
        }
    }

    const size_t U = e->n_used;
    ALLOC(champ, U * A) ALLOC(cred, A * U) ALLOC(expo, U * Q) ALLOC(pret, U * Q)
    ALLOC(St, U * nk) ALLOC(V, U * A) ALLOC(ccost, U) ALLOC(dlv1, U) ALLOC(dlvH, U)
    ALLOC(retcost, U) ALLOC(ret, U * Q) ALLOC(twin, U)
    ALLOC(t_pass, U) ALLOC(t_sigma, U) ALLOC(t_sa, U) ALLOC(t_na, U)
    ALLOC(t_veto, U) ALLOC(t_ok, U)
#undef ALLOC

    /* Packages that differ only in the tariffs they ask for have the
     * same sums over their items. */
    for (size_t u = 0; u < U; u++) {
        const ds_package *pk = &m->packages[e->used[u]];
        e->twin[u] = SIZE_MAX;
        for (size_t t = 0; t < u && e->twin[u] == SIZE_MAX; t++) {
            const ds_package *pt = &m->packages[e->used[t]];
            if (pt->n == pk->n &&
                (pk->n == 0 || (memcmp(pt->item, pk->item, pk->n * sizeof *pk->item) == 0 &&
                                memcmp(pt->x, pk->x, pk->n * sizeof *pk->x) == 0)))
                e->twin[u] = t;
        }
    }
    /* Draw-independent parts of each offered package (§5.2, §5.4). */
    for (size_t u = 0; u < U; u++) {
        const ds_package *pk = &m->packages[e->used[u]];
        for (size_t j = 0; j < pk->n; j++) {
            const ds_item *it = &m->items[pk->item[j]];
            for (size_t q = 0; q < Q; q++)
                e->expo[u * Q + q] += pk->x[j] * it->exposure[q];   /* §5.2 E_q */
            if (pk->x[j] > 0.0)
                for (size_t a = 0; a < A; a++)
                    for (size_t c = 0; c < m->actors[a].n_champions; c++)
                        if (m->actors[a].champions[c] == pk->item[j])
                            e->champ[u * A + a] = 1;                 /* §5.2 champ */
        }
        for (size_t q = 0; q < Q; q++) {                             /* §5.4 P_q */
            double z = m->third[q].base + m->third[q].slope * e->expo[u * Q + q];
            e->pret[u * Q + q] = 1.0 / (1.0 + exp(-z));
        }
        for (size_t a = 0; a < A; a++)                               /* §5.3 */
            e->cred[a * U + u] = m->actors[a].credit * e->champ[u * A + a];
    }

    /* The streams computed side by side each draw, in the order
     * draw_world uses them: the world's dists, the Dirichlet weights, the
     * third parties' U_q, then the first blocks of the first rounds.  Their
     * name hashes are set above (dists, weights) and here; their keys
     * depend on the seed (rekey). */
    e->n_ws = e->n_wd + e->n_dd + Q;
    e->n_rb = n_rb;
    for (size_t j = 0; j < e->n_wd + e->n_dd; j++)
        e->wpurp[j] = DS_STREAM(DS_STREAM_WORLD, 0);
    for (size_t q = 0; q < Q; q++) {
        e->wpurp[e->n_wd + e->n_dd + q] = DS_STREAM(DS_STREAM_THIRD, 0);
        e->whash[e->n_wd + e->n_dd + q] = ds_rng_name_hash(m->third[q].id);
    }
    e->round_hash = ds_rng_name_hash(DS_STREAM_ROUNDS_NAME);
    e->ext_hash = ds_rng_name_hash(DS_STREAM_EXTENSION_NAME);
    for (size_t j = 0; j < e->n_rb; j++) {
        e->wpurp[e->n_ws + j] =
            DS_STREAM(DS_STREAM_ROUNDS, (uint32_t)(1 + j / ROUND_BLOCKS));
        e->wbi[e->n_ws + j] = (uint32_t)(j % ROUND_BLOCKS);
        e->whash[e->n_ws + j] = e->round_hash;
    }
    size_t x = e->n_ws + e->n_rb;
    for (size_t j = 0; j < e->n_wd + e->n_dd; j++) {
        unsigned nb = j < e->n_wd ? world_blocks(&e->wd[j]) : weights_blocks(&e->dd[j - e->n_wd]);
        e->xb[j] = x;
        e->xn[j] = nb;
        for (unsigned b = 1; b < nb; b++, x++) {
            e->wpurp[x] = e->wpurp[j];
            e->wbi[x] = b;
            e->whash[x] = e->whash[j];
        }
    }
    e->ext_lane = x;
    if (m->protocol.extension.given) {
        e->wpurp[x] = DS_STREAM(DS_STREAM_EXTENSION, 0);
        e->whash[x] = e->ext_hash;
        x++;
    }
    e->n_lanes = x;

    /* delta^(r - 1) for r = 1..R + k (§5.4). */
    for (size_t r = 1; r <= R; r++)
        e->disc[r] = pow(m->discount, (double)(r - 1));

    /* Outcomes point into the flat blocks. */
    for (size_t s = 0; s < K; s++) {
        e->out[s].retaliates = e->out_ret + s * Q;
        e->out[s].retaliation_cost = e->out_retcost + s * Q;
        e->out[s].evaluations = e->out_eval + s * A;
        e->out[s].approvals = e->out_appr + s * A;
    }
    return e;
fail:
    ds_engine_free(e);
    return NULL;
}

/* The keys of every stream under `seed` (rng.h): once per engine and seed. */
static void rekey(ds_engine *e, uint64_t seed)
{
    const size_t n = e->n_lanes;
    for (size_t j = 0; j < n; j++) {
        uint64_t k = ds_rng_key(seed, e->whash[j]);
        e->wk0[j] = (uint32_t)k;
        e->wk1[j] = (uint32_t)(k >> 32);
    }
    e->round_key = ds_rng_key(seed, e->round_hash);
    e->ext_key = ds_rng_key(seed, e->ext_hash);
    e->key_seed = seed;
    e->keyed = 1;
}

/* U_ext, the uniform of draw `draw`'s extension flag (SPEC §5.6,
 * protocol.extension): the first ds_rng_uniform of its own stream (named
 * DS_STREAM_EXTENSION_NAME, kind DS_STREAM_EXTENSION); the deadline is
 * extended iff U_ext < extension.probability.  Valid after draw_world of
 * the same draw (the keys are then for its seed).  One Philox block: call
 * it once per draw, and only for a scenario with an extension, so others
 * spend nothing on it. */
static inline double extension_uniform(const ds_engine *e, uint64_t draw)
{
    /* Its first block is computed with the world's (draw_world). */
    (void)draw;
    return (double)ds_rng_u53_of(e->wb0[e->ext_lane], e->wb1[e->ext_lane]) * DS_RNG_TWO_M53;
}

#ifdef __SSE2__
/* Both usual tries of a two-gamma dist at once, lane 0 ds_gamma_try(p[0],
 * p[2], w0, w1, w2) and lane 1 ds_gamma_try(p[1], p[3], v0, v1, v2): the
 * same IEEE operations in the same order (u = (hi 2^26 + lo) 2^-53 is exact,
 * as ds_rng_u53_of's conversion is; d v is its 1.0 d v), the rare log test
 * per lane. */
static inline void gamma_tries(const double *p, uint32_t w0, uint32_t w1, uint32_t w2,
                               uint32_t v0, uint32_t v1, uint32_t v2, double *g1,
                               double *g2, int *t1, int *a1, int *t2, int *a2)
{
    const uint32_t i0 = w0 & 0x7fu, i1 = v0 & 0x7fu, j0 = w0 >> 8, j1 = v0 >> 8;
    const __m128d one = _mm_set1_pd(1.0), zero = _mm_setzero_pd();
    const __m128d J = _mm_cvtepi32_pd(_mm_set_epi32(0, 0, (int)j1, (int)j0));
    const __m128d W = _mm_set_pd(ds_rng_zig_w[i1], ds_rng_zig_w[i0]);
    const __m128d sign = _mm_set_pd(ds_rng_zig_sign(v0), ds_rng_zig_sign(w0));
    const __m128d x = _mm_mul_pd(sign, _mm_mul_pd(J, W));
    const __m128d hi = _mm_cvtepi32_pd(_mm_set_epi32(0, 0, (int)(v1 >> 5), (int)(w1 >> 5)));
    const __m128d lo = _mm_cvtepi32_pd(_mm_set_epi32(0, 0, (int)(v2 >> 6), (int)(w2 >> 6)));
    const __m128d u = _mm_mul_pd(_mm_add_pd(_mm_mul_pd(hi, _mm_set1_pd(0x1p26)), lo),
                                 _mm_set1_pd(DS_RNG_TWO_M53));
    __m128d v = _mm_add_pd(one, _mm_mul_pd(_mm_loadu_pd(p + 2), x));
    const int vpos = _mm_movemask_pd(_mm_cmpgt_pd(v, zero));
    const int unz = _mm_movemask_pd(_mm_cmpneq_pd(u, zero));
    v = _mm_mul_pd(_mm_mul_pd(v, v), v);
    const __m128d q = _mm_mul_pd(
        _mm_mul_pd(_mm_mul_pd(_mm_mul_pd(_mm_set1_pd(0.0331), x), x), x), x);
    const int sq = _mm_movemask_pd(_mm_cmplt_pd(u, _mm_sub_pd(one, q)));
    const __m128d g = _mm_mul_pd(_mm_loadu_pd(p), v);
    const int tk = ((j0 < ds_rng_zig_k[i0]) | (j1 < ds_rng_zig_k[i1]) << 1) & vpos & unz;
    int ac = sq;
    if (tk & ~sq) {
        /* The log test of a lane the squeeze did not accept. */
        double xs[2], us[2], vs[2];
        _mm_storeu_pd(xs, x);
        _mm_storeu_pd(us, u);
        _mm_storeu_pd(vs, v);
        for (int l = 0; l < 2; l++)
            if ((tk & ~sq) >> l & 1)
                ac |= (log(us[l]) < 0.5 * xs[l] * xs[l] + p[l] * (1 - vs[l] + log(vs[l])))
                      << l;
    }
    _mm_storel_pd(g1, g);
    _mm_storeh_pd(g2, g);
    *t1 = tk & 1;
    *t2 = tk >> 1;
    *a1 = ac & 1;
    *a2 = ac >> 1;
}
#endif

/* Sample the world of draw `draw` (§5.1) and the third parties' U_q (§5.4).
 * Returns the sum of every variate drawn (for ds_engine_draw_variates). */
static double draw_world(ds_engine *e, uint64_t seed, uint64_t draw, int sum)
{
    const ds_model *m = e->m;
    ds_rng *r = &e->rng;
    double acc = 0.0;
    size_t j = 0;
    if (!e->keyed || seed != e->key_seed)
        rekey(e, seed);
    ds_rng_lanes(e->n_lanes, e->wk0, e->wk1, e->wbi, e->wpurp, draw, e->wb0,
                 e->wb1, e->wb2, e->wb3);
    const uint32_t *restrict b0 = e->wb0, *restrict b1 = e->wb1;
    const world_draw *restrict wd = e->wd;
    double *restrict u = e->wu, *restrict x = e->wx;
    /* Open stream j on its blocks computed above. */
#define OPEN(j) open_world(e, r, (j), draw)
    /* Uniform and triangular dists: ds_dist_from_uniform of
     * ds_rng_uniform of the stream's first two words, its operations
     * exactly, as loops over the dists of each kind. */
    for (size_t i = 0; i < e->n_uni; i++) {
        const size_t k = e->uni_j[i];
        u[i] = (double)ds_rng_u53_of(b0[k], b1[k]) * DS_RNG_TWO_M53;
    }
    for (size_t i = 0; i < e->n_uni; i++)                   /* min + (max - min) U */
        x[i] = e->uni_lo[i] + (e->uni_hi[i] - e->uni_lo[i]) * u[i];
    for (size_t i = 0; i < e->n_uni; i++)
        *wd[e->uni_j[i]].dst = x[i];
    for (size_t i = 0; i < e->n_tri; i++) {
        const size_t k = e->tri_j[i];
        u[i] = (double)ds_rng_u53_of(b0[k], b1[k]) * DS_RNG_TWO_M53;
    }
    {
        const double *restrict lo = e->tri_lo, *restrict hi = e->tri_hi;
        const double *restrict p = e->tri_p, *restrict q = e->tri_q;
        size_t i = 0;
#ifdef __SSE2__
        /* Two at a time: the same IEEE operations (sqrtpd rounds as sqrt
         * does), the choices by compare and mask. */
        const __m128d one = _mm_set1_pd(1.0);
        for (; i + 2 <= e->n_tri; i += 2) {
            const __m128d U = _mm_loadu_pd(u + i), P = _mm_loadu_pd(p + i);
            const __m128d LO = _mm_loadu_pd(lo + i), HI = _mm_loadu_pd(hi + i);
            const __m128d span = _mm_sub_pd(HI, LO);
            const __m128d below =
                _mm_add_pd(LO, _mm_mul_pd(span, _mm_sqrt_pd(_mm_mul_pd(U, P))));
            const __m128d above = _mm_sub_pd(
                HI, _mm_mul_pd(span, _mm_sqrt_pd(_mm_mul_pd(_mm_sub_pd(one, U),
                                                            _mm_loadu_pd(q + i)))));
            const __m128d lt = _mm_cmplt_pd(U, P);
            __m128d v = _mm_or_pd(_mm_and_pd(lt, below), _mm_andnot_pd(lt, above));
            const __m128d low = _mm_cmplt_pd(v, LO);
            v = _mm_or_pd(_mm_and_pd(low, LO), _mm_andnot_pd(low, v));
            const __m128d high = _mm_cmpgt_pd(v, HI);
            v = _mm_or_pd(_mm_and_pd(high, HI), _mm_andnot_pd(high, v));
            _mm_storeu_pd(x + i, v);
        }
#endif
        for (; i < e->n_tri; i++) {
            /* Both sides of the inverse CDF, then the one for u; clamped. */
            const double span = hi[i] - lo[i];
            const double below = lo[i] + span * sqrt(u[i] * p[i]);
            const double above = hi[i] - span * sqrt((1 - u[i]) * q[i]);
            double v = u[i] < p[i] ? below : above;
            v = v < lo[i] ? lo[i] : v;
            x[i] = v > hi[i] ? hi[i] : v;
        }
    }
    for (size_t i = 0; i < e->n_tri; i++)
        *wd[e->tri_j[i]].dst = x[i];
    /* Normals without bounds and lognormals: ds_dist_sample's loc + Z or
     * loc exp(Z), Z the ziggurat's normal times scale, from the first word
     * when it is accepted at once, else from the opened stream. */
    for (size_t i = 0; i < e->n_gs; i++) {
        const size_t k = e->gs_j[i];
        const world_draw *w = &wd[k];
        double z;
        if (!ds_rng_gaussian_first(b0[k], w->scale, &z)) {
            OPEN(k);
            z = ds_rng_gaussian(r, w->scale);
        }
        *w->dst = w->lognormal ? w->loc * exp(z) : w->loc + z;
    }
    /* Beta and pert dists drawn as two gamma variates (ds_dist_sample's
     * min + (max - min) x1 / (x1 + x2), clamped): both usual tries from
     * the first six words of their two blocks, without a branch; when
     * either is not taken, the variates from the opened stream
     * (ds_gamma_draw), the first one's try kept when it was taken. */
    for (size_t i = 0; i < e->n_bg; i++) {
        const size_t k = e->bg_j[i], xk = e->xb[k];
        const double *p = e->bg_p + 6 * i;
        int t1, a1, t2, a2;
        double g1, g2;
#ifdef __SSE2__
        gamma_tries(p, b0[k], b1[k], e->wb2[k], e->wb3[k], b0[xk], b1[xk], &g1, &g2, &t1,
                    &a1, &t2, &a2);
#else
        g1 = ds_gamma_try(p[0], p[2], b0[k], b1[k], e->wb2[k], &t1, &a1);
        g2 = ds_gamma_try(p[1], p[3], e->wb3[k], b0[xk], b1[xk], &t2, &a2);
#endif
        if (!(t1 & a1 & t2 & a2)) {
            OPEN(k);
            if (t1 & a1)
                r->used = 3;
            else
                g1 = ds_gamma_draw(r, &wd[k].d->gam[0]);
            g2 = ds_gamma_draw(r, &wd[k].d->gam[1]);
        }
        const double v = p[4] + (p[5] - p[4]) * (g1 / (g1 + g2));
        *wd[k].dst = v < p[4] ? p[4] : v > p[5] ? p[5] : v;
    }
    /* Normals with bounds drawn by inverse CDF: ds_rng_uniform_pos of the
     * stream's first two words. */
    for (size_t i = 0; i < e->n_on; i++) {
        const size_t k = e->on_j[i];
        *wd[k].dst = ds_dist_from_open_uniform(wd[k].d, ds_rng_pos_of(ds_rng_u53_of(b0[k], b1[k])));
    }
    for (size_t i = 0; i < e->n_smp; i++) {
        const size_t k = e->smp_j[i];
        OPEN(k);
        *wd[k].dst = ds_dist_sample(wd[k].d, ds_rng_gsl(r));
    }
    j = e->n_wd;
    /* Correlated dists (§5.1): z_j the first standard normal of dist j's own
     * stream (gsl_ran_gaussian_ziggurat: from its first word when that is
     * accepted at once, else from the opened stream), z' = L z, the value
     * F_j^-1(Phi(z'_j)). */
    for (size_t c = 0; c < e->n_cd; c++) {
        const corr_draw *cd = &e->cd[c];
        double z[DS_MAX_CORRELATED];
        for (size_t i = 0; i < cd->k; i++) {
            if (!ds_rng_gaussian_first(b0[cd->wd[i]], 1.0, &z[i])) {
                OPEN(cd->wd[i]);
                z[i] = ds_rng_gaussian(r, 1.0);
            }
        }
        for (size_t i = 0; i < cd->k; i++) {
            const double *Li = cd->L + i * cd->k;
            double zi = 0.0;
            for (size_t k = 0; k <= i; k++)
                zi += Li[k] * z[k];
            const world_draw *w = &e->wd[cd->wd[i]];
            *w->dst = ds_dist_from_normal(w->d, zi);
            acc += *w->dst;
        }
    }
    for (size_t i = 0; i < e->n_dd; i++, j++) {
        const dirichlet_draw *dd = &e->dd[i];
        double *w = e->w + dd->actor * e->nk;
        double *th = e->dir_theta, norm = 0.0;
        OPEN(j);
        /* gsl_ran_dirichlet's steps: n gamma variates, their sum, each
         * divided by it; when the sum underflows, GSL's own call from the
         * start of the stream (which redraws the same variates, then
         * rescales).  Each variate from the stream's computed words when
         * its usual try is taken there (see weights_blocks). */
        for (size_t k = 0; k < dd->n; k++)
            th[k] = ds_gamma_draw(r, &dd->gam[k]);
        for (size_t k = 0; k < dd->n; k++)
            norm += th[k];
        if (norm < GSL_SQRT_DBL_MIN) {
            OPEN(j);
            gsl_ran_dirichlet(ds_rng_gsl(r), dd->n, dd->alpha, th);
        } else {
            for (size_t k = 0; k < dd->n; k++)
                th[k] /= norm;
        }
        for (size_t k = 0; k < dd->n; k++) {
            w[dd->key[k]] = e->dir_theta[k];
            acc += e->dir_theta[k];
        }
    }
    for (size_t q = 0; q < m->n_third; q++, j++) {
        OPEN(j);
        e->uq[q] = ds_rng_uniform(r);
        acc += e->uq[q];
    }
#undef OPEN
    if (sum)
        for (size_t i = 0; i < e->n_wd; i++)
            if (e->wd[i].how != WD_COPULA)
                acc += *e->wd[i].dst;
    return acc;
}

/* A uniform for a coin flip `u < p`: one 32-bit word w, u = w / 2^32 (exact;
 * 2^-32 resolution is far below any probability a scenario states, and it
 * halves the words a round needs). */
static inline double coin(ds_rng *g)
{
    return (double)ds_rng_u32(g) * 0x1p-32;
}

/* Members' evaluations in rounds 1..r: the present ones (pm) of the
 * rounds not lost. */
static void count_members(ds_engine *e, int r, uint64_t pm)
{
    e->pmask[r] = pm;
    if (e->packed) {
        e->cum_pk[r] = e->cum_pk[r - 1] + (e->lost[r] ? 0 : e->spread[pm]);
    } else {
        const size_t NM = e->n_members;
        const uint32_t *prev = e->cum_ev + (size_t)(r - 1) * NM;
        uint32_t *cum = e->cum_ev + (size_t)r * NM;
        for (size_t k = 0; k < NM; k++)
            cum[k] = prev[k] + (uint32_t)((pm >> k & 1) & !e->lost[r]);
    }
}

/* Actor a's shocks in round r from its standard normal z (§5.3), and its
 * threshold theta(r). */
static inline void actor_round(ds_engine *e, int r, size_t a, double z)
{
    const size_t ix = (size_t)r * e->m->n_actors + a;
    e->nz[ix] = e->m->actors[a].noise * z;
    e->th[ix] = e->thr[a] - (double)(r - 1) * e->conc[a];
}

/* Generate the shocks of round r (§5.6) from its own stream; returns the
 * sum of its variates.  After draw_world of the same draw (its keys). */
static double draw_round(ds_engine *e, uint64_t draw, int r)
{
    const ds_model *m = e->m;
    const size_t A = m->n_actors;
    ds_rng *g = &e->rng;
    uint32_t purpose = DS_STREAM(DS_STREAM_ROUNDS, (uint32_t)r);
    size_t rb = ROUND_BLOCKS * (size_t)(r - 1);
    if (rb < e->n_rb && e->round_words <= 4 * ROUND_BLOCKS) {
        /* The common round: every word from the blocks computed with the
         * world's, each normal the ziggurat's accepted first try (else the
         * round is drawn again below, from its stream). */
        uint32_t w[4 * ROUND_BLOCKS];
        const size_t base = e->n_ws + rb;
        for (size_t b = 0; b < ROUND_BLOCKS; b++) {
            w[4 * b] = e->wb0[base + b];
            w[4 * b + 1] = e->wb1[base + b];
            w[4 * b + 2] = e->wb2[base + b];
            w[4 * b + 3] = e->wb3[base + b];
        }
        const double ul = (double)w[0] * 0x1p-32, us = (double)w[1] * 0x1p-32;
        double acc = ul + us;
        uint64_t pm = 0;
        size_t t = 2, a = 0, k = 0;
        for (; a < A; a++) {
            const size_t ix = (size_t)r * A + a;
            if (m->actors[a].role == DS_ROLE_MEMBER) {
                const double ua = (double)w[t++] * 0x1p-32;
                e->present[ix] = ua < m->actors[a].attendance;
                pm |= (uint64_t)e->present[ix] << k;
                k++;
                acc += ua;
            }
            double z;
            if (!ds_rng_gaussian_first(w[t++], 1.0, &z))
                break;
            acc += z;
            actor_round(e, r, a, z);
        }
        if (a == A) {
            e->lost[r] = ul < m->protocol.disconnect;
            e->stall[r] = us < m->protocol.stall_on_split;
            count_members(e, r, pm);
            return acc;
        }
    }
    if (rb < e->n_rb)             /* computed with the world's blocks */
        ds_rng_open_lanes(g, e->round_key, draw, purpose, e->wb0 + e->n_ws + rb,
                          e->wb1 + e->n_ws + rb, e->wb2 + e->n_ws + rb,
                          e->wb3 + e->n_ws + rb, ROUND_BLOCKS);
    else
        ds_rng_open(g, e->round_key, draw, purpose);
    double ul = coin(g), us = coin(g);
    double acc = ul + us;
    e->lost[r] = ul < m->protocol.disconnect;
    e->stall[r] = us < m->protocol.stall_on_split;
    uint64_t pm = 0;
    for (size_t a = 0, k = 0; a < A; a++) {
        size_t ix = (size_t)r * A + a;
        if (m->actors[a].role == DS_ROLE_MEMBER) {
            double ua = coin(g);
            e->present[ix] = ua < m->actors[a].attendance;
            pm |= (uint64_t)e->present[ix] << k;
            k++;
            acc += ua;
        }
        double z = ds_rng_gaussian(g, 1.0);
        acc += z;
        actor_round(e, r, a, z);
    }
    count_members(e, r, pm);
    return acc;
}

/* Line l's tariff under vector v (§5.2, §5.4). */
static inline double vec_tariff(const ds_engine *e, size_t v, size_t l)
{
    const size_t L = e->m->n_lines;
    if (v == 0)
        return e->nodeal[l];
    if (v >= 2 && e->asks[(v - 2) * L + l])
        return e->tdraw[e->vpkg[v] * L + l];
    return e->deal[l];
}

/* The economics of tariff vector v in the current draw (§5.4): mean
 * tariff, the lines' part of the deficit in years 1 and H, and home's loss
 * averaged over the years.  Per line: xq = X0 Q is the volume at today's
 * prices, X = xq pi the border value; loss = X0 [Q (1 - pi) + margin (1 -
 * Q)], written as (xq - X) + margin (X0 - xq) so that with b = 0 (pi = 1
 * exactly, X = xq) it is v1's margin (X0 - X) bit for bit.  The loss is
 * linear in Q, so its average over the years is that of Q's average. */
static void vec_econ(ds_engine *e, size_t v)
{
    const ds_model *m = e->m;
    const size_t L = m->n_lines;
    double sx0 = 0.0, st = 0.0, mt = 0.0, d1 = 0.0, dH = 0.0, loss = 0.0;
    for (size_t l = 0; l < L; l++) {
        const ds_line *ln = &m->lines[l];
        const double x0 = e->x0[l], t = vec_tariff(e, v, l);
        struct factors f;
        if (e->vconst[v * L + l]) {
            f = e->pre[v * L + l];
        } else {
            double ep = ln->has_elasticity ? e->eps[l] : e->elasticity;
            double b = ln->has_tariff_burden ? e->lb[l] : e->burden, mu, pi;
            double epl = ln->has_elasticity_long ? e->epsl[l] : e->elasticity_long;
            price_factors(t, e->cur[l], b, &mu, &pi);
            f = line_factors(e, mu, pi, ep, e->long_run[l], epl);
        }
        double xq = x0 * f.q1;                                   /* §5.4 volume */
        double x = xq * f.pi;                                    /* X(t), border value */
        sx0 += x0;
        st += x0 * t;
        mt += t;
        d1 += x - x0;                                            /* §5.4 deficit_1 */
        dH += x0 * f.qH * f.pi - x0;                             /* deficit_H */
        double xa = x0 * f.qavg;
        loss += (xa - xa * f.pi) + e->margin * (x0 - xa);        /* avg loss_h */
    }
    e->tariff[v] = sx0 != 0.0 ? st / sx0 : mt / (double)L;     /* export-weighted */
    e->dsum1[v] = d1;
    e->dsumH[v] = dH;
    e->loss[v] = loss;
    e->vgen[v] = e->gen;
}

/* S_tariff of vector v (§5.2): minus the export-weighted tariff cut, against
 * no deal, that accepting it grants (a plain mean when sum X0 = 0). */
static double s_tariff(const ds_engine *e, size_t v)
{
    const size_t L = e->m->n_lines;
    double sx0 = 0.0, cut = 0.0, mcut = 0.0;
    for (size_t l = 0; l < L; l++) {
        double c = e->nodeal[l] - vec_tariff(e, v, l);
        sx0 += e->x0[l];
        cut += e->x0[l] * c;
        mcut += c;
    }
    return -(sx0 != 0.0 ? cut / sx0 : mcut / (double)L);
}

/* Package u's sums over its items (§5.2, §5.4): S_k(u) for every key but
 * the tariff, into St (key-major), and its cost and deliveries. */
static void item_sums(ds_engine *e, size_t u)
{
    const ds_model *m = e->m;
    const size_t D = m->n_dims, U = e->n_used;
    const double *restrict eff = e->eff, *restrict cost = e->cost;
    const double *restrict delivery = e->delivery;
    const ds_package *pk = &m->packages[e->used[u]];
    double *restrict St = e->St;
    double sdef = 0.0, cc = 0.0, dl1 = 0.0, dlH = 0.0;

    for (size_t j = 0; j < pk->n; j++) {
        size_t i = pk->item[j];
        double x = pk->x[j];
        sdef += x * eff[i];
        cc += x * cost[i] * e->savg[i];                 /* §5.4 avg cost */
        double dl = x * eff[i] * delivery[i];
        dl1 += dl * e->s1[i];                           /* §5.4 deficit_h */
        dlH += dl * e->sH[i];
    }
    /* §5.2 S_k = sum_j x_j score_k(i_j), from 0 in item order: a
     * dimension (two at a time) at once over the items, its sum held in a
     * register. */
    size_t k = 0;
#ifdef __SSE2__
    for (; k + 2 <= D; k += 2) {
        __m128d acc = _mm_setzero_pd();
        for (size_t j = 0; j < pk->n; j++)
            acc = _mm_add_pd(acc, _mm_mul_pd(_mm_set1_pd(pk->x[j]),
                                             _mm_loadu_pd(e->score + pk->item[j] * D + k)));
        _mm_storel_pd(St + (2 + k) * U + u, acc);
        _mm_storeh_pd(St + (3 + k) * U + u, acc);
    }
#endif
    for (; k < D; k++) {
        double acc = 0.0;
        for (size_t j = 0; j < pk->n; j++)
            acc += pk->x[j] * e->score[pk->item[j] * D + k];
        St[(2 + k) * U + u] = acc;
    }
    St[u] = -sdef * e->inv_dbar;                                     /* §5.2 */
    e->ccost[u] = cc;
    e->dlv1[u] = dl1;
    e->dlvH[u] = dlH;
}

/* Per offered package: scores, base utilities, costs, retaliation (§5.2-§5.4). */
static void package_values(ds_engine *e)
{
    const ds_model *m = e->m;
    const size_t nk = e->nk, A = m->n_actors, Q = m->n_third;
    const double st_deal = e->need_tariff ? s_tariff(e, 1) : 0.0;
    const size_t U = e->n_used;
    /* S_k(u) at St[k U + u]: key-major, as the utilities read them. */
    double *St = e->St;
    for (size_t u = 0; u < U; u++) {
        const size_t t = e->twin[u];
        St[U + u] = 0.0;
        if (e->need_tariff)                                          /* §5.2 */
            St[U + u] = e->vof[u] == 1 ? st_deal : s_tariff(e, e->vof[u]);
        if (t == SIZE_MAX) {
            item_sums(e, u);
        } else {              /* its twin's, computed above the same way */
            St[u] = St[t];
            for (size_t k = 2; k < nk; k++)
                St[k * U + u] = St[k * U + t];
            e->ccost[u] = e->ccost[t];
            e->dlv1[u] = e->dlv1[t];
            e->dlvH[u] = e->dlvH[t];
        }
        double rc = 0.0;
        for (size_t q = 0; q < Q; q++) {                             /* §5.4 */
            /* Without a branch (U_q is a coin flip): rc is never -0, so
             * adding +0 leaves it as it is. */
            const double E = e->expo[u * Q + q], c = E * e->cpe[q];
            const unsigned char yes = (E > 0.0) & (e->uq[q] < e->pret[u * Q + q]);
            e->ret[u * Q + q] = yes;
            rc += yes ? c : 0.0;
        }
        e->retcost[u] = rc;
    }
    /* §5.3: V_a(u) = sum_k w_ak S_k(u) (from 0, in key order) + credit_a
     * champ_a(u), for every package at once. */
    for (size_t a = 0; a < A; a++) {
        const double *restrict w = e->w + a * nk;
        const double *restrict cr = e->cred + a * U;
        double *restrict V = e->V + a * U;
        size_t u = 0;
#ifdef __SSE2__
        /* Four packages at a time, their sums in registers. */
        for (; u + 4 <= U; u += 4) {
            __m128d v0 = _mm_setzero_pd(), v1 = _mm_setzero_pd();
            for (size_t k = 0; k < nk; k++) {
                const __m128d wk = _mm_set1_pd(w[k]);
                v0 = _mm_add_pd(v0, _mm_mul_pd(wk, _mm_loadu_pd(St + k * U + u)));
                v1 = _mm_add_pd(v1, _mm_mul_pd(wk, _mm_loadu_pd(St + k * U + u + 2)));
            }
            _mm_storeu_pd(V + u, _mm_add_pd(v0, _mm_loadu_pd(cr + u)));
            _mm_storeu_pd(V + u + 2, _mm_add_pd(v1, _mm_loadu_pd(cr + u + 2)));
        }
#endif
        for (; u < U; u++) {
            double v = 0.0;
            for (size_t k = 0; k < nk; k++)
                v += w[k] * St[k * U + u];
            V[u] = v + cr[u];
        }
    }
}

/* The team step of §5.6 (step 2) in round r, which is not lost, for every
 * offered package at once: it does not depend on the strategy.  Members are
 * taken in scenario order, so sigma's sums are in that order; the loops
 * over packages are branch-free (approvals are close to coin flips). */
static void team_round(ds_engine *e, int r)
{
    const ds_model *m = e->m;
    const size_t A = m->n_actors, NM = e->n_members, U = e->n_used;
    const double *th = e->th + (size_t)r * A, *nz = e->nz + (size_t)r * A;
    const unsigned char *pres = e->present + (size_t)r * A;
    double *restrict sa = e->t_sa;
    unsigned *restrict na = e->t_na, *restrict vet = e->t_veto;
    uint64_t *restrict okm = e->t_ok;
    double sp = 0.0;
    unsigned np = 0;

    if (NM == 0) {                    /* no members: pass with sigma = 1 */
        for (size_t u = 0; u < U; u++) {
            e->t_pass[u] = 1;
            e->t_sigma[u] = 1.0;
            okm[u] = 0;
        }
        return;
    }
    if (e->tt_sigma) {
        /* The approving members' mask of each package, then the outcome
         * from the tables. */
        const uint64_t pm = e->pmask[r];
        for (size_t u = 0; u < U; u++)
            okm[u] = 0;
        for (size_t k = 0; k < NM; k++) {
            const size_t a = e->member[k];
            if (!(pm >> k & 1))
                continue;
            const double *restrict V = e->V + a * U;
            const double thr = th[a], z = nz[a];
            size_t u = 0;
#ifdef __SSE2__
            /* Two at a time: the same addition and comparison (false for
             * a NaN, as >= is), the bit by mask. */
            const __m128d Z = _mm_set1_pd(z), T = _mm_set1_pd(thr);
            const __m128i bit = _mm_set1_epi64x((long long)((uint64_t)1 << k));
            for (; u + 2 <= U; u += 2) {
                const __m128d ok = _mm_cmpge_pd(_mm_add_pd(_mm_loadu_pd(V + u), Z), T);
                __m128i *o = (__m128i *)(void *)(okm + u);
                _mm_storeu_si128(o, _mm_or_si128(_mm_loadu_si128(o),
                                                 _mm_and_si128(_mm_castpd_si128(ok), bit)));
            }
#endif
            for (; u < U; u++)
                okm[u] |= (uint64_t)(V[u] + z >= thr) << k;          /* §5.3 */
        }
        const double *restrict ts = e->tt_sigma;
        const unsigned char *restrict tp =
            e->tt_pass + (e->stall[r] ? (size_t)1 << (2 * NM) : 0);
        for (size_t u = 0; u < U; u++) {
            const size_t ix = (size_t)(pm << NM | okm[u]);
            e->t_sigma[u] = ts[ix];
            e->t_pass[u] = tp[ix];
        }
        return;
    }
    for (size_t u = 0; u < U; u++) {
        sa[u] = 0.0;
        na[u] = vet[u] = 0;
        okm[u] = 0;
    }
    for (size_t k = 0; k < NM; k++) {
        const size_t a = e->member[k];
        if (!pres[a])
            continue;                 /* absent: no evaluation (§5.6 2) */
        const double *restrict V = e->V + a * U;
        const double thr = th[a], z = nz[a], infl = e->influence[k];
        const unsigned veto = e->veto[k];
        np++;
        sp += infl;
        for (size_t u = 0; u < U; u++) {
            unsigned ok = V[u] + z >= thr;                           /* §5.3 */
            sa[u] += ok ? infl : 0.0;
            na[u] += ok;
            vet[u] |= veto & !ok;
            okm[u] |= (uint64_t)ok << k;
        }
    }
    /* P empty: the team fails; a split team stalls with stall_r; else it
     * passes iff sigma >= quorum and no present member vetoed. */
    for (size_t u = 0; u < U; u++) {
        double sigma = np > 0 ? sa[u] / sp : 0.0;                    /* §5.6 2 */
        int stalled = na[u] > 0 && na[u] < np && e->stall[r];
        e->t_sigma[u] = sigma;
        e->t_pass[u] = np > 0 && !stalled && sigma >= m->protocol.quorum
                       && !vet[u];
    }
}

/* The decider's evaluation (§5.3, §5.6 step 3) of used offer u with team
 * support sigma in round r; counts it for strategy s.  1 iff it approves. */
static int decide(ds_engine *e, size_t s, int r, size_t u, double sigma)
{
    const ds_model *m = e->m;
    const size_t A = m->n_actors, d = (size_t)m->decider;
    const size_t ix = (size_t)r * A + d;
    double U = e->V[d * e->n_used + u] + m->actors[d].team_weight * sigma
               + e->nz[ix];
    int yes = U >= e->th[ix];
    e->out[s].evaluations[d]++;
    e->out[s].approvals[d] += (uint32_t)yes;
    return yes;
}

/* Close strategy s after round r_end: members' evaluations are the present
 * members of the rounds 1..r_end that were not lost (§5.6 statistics). */
static void close_members(ds_engine *e, size_t s, int r_end)
{
    const size_t NM = e->n_members;
    if (e->packed) {
        e->cend[s] = r_end;      /* unpack_members, once per draw */
        return;
    }
    const uint32_t *cum = e->cum_ev + (size_t)r_end * NM;
    uint32_t *ev = e->out[s].evaluations;
    for (size_t k = 0; k < NM; k++)
        ev[e->member[k]] = cum[k];
}

/* With packed counts, every strategy's members' evaluations (up to its
 * last round, cend) and approvals, from their fields. */
static void unpack_members(ds_engine *e)
{
    const size_t NM = e->n_members, K = e->m->n_strategies;
    const size_t *restrict mem = e->member;
    for (size_t s = 0; s < K; s++) {
        uint64_t c = e->cum_pk[e->cend[s]], ap = e->apk[s];
        uint32_t *restrict ev = e->out[s].evaluations, *restrict out = e->out[s].approvals;
        for (size_t k = 0; k < TEAM_TAB_BITS && k < NM; k++) {
            ev[mem[k]] = (uint32_t)(c & 0xffffu);
            out[mem[k]] = (uint32_t)(ap & 0xffffu);
            c >>= 16;
            ap >>= 16;
        }
    }
}

/* Whether the deadline of draw `draw` is extended (§5.6,
 * protocol.extension): one flag per draw, shared by all strategies, from
 * its own stream (extension_uniform), so adding an extension changes no
 * other number.  Drawn when the first strategy reaches the deadline
 * without a deal. */
static int extended(const ds_engine *e, uint64_t draw)
{
    return extension_uniform(e, draw) < e->m->protocol.extension.probability;
}

/* Play rounds r0..r1 of §5.6, r1 being the deadline, for the n_act
 * strategies still open in e->act, round by round, so that each round's
 * shocks are generated once, when the first strategy reaches it.  Sets
 * e->res_round[s] and e->res_slot[s] of a strategy that makes a deal;
 * leaves the others in e->act and returns their count. */
static size_t play_rounds(ds_engine *e, uint64_t draw, int r0, int r1, size_t n_act)
{
    const ds_model *m = e->m;
    const size_t NM = e->n_members;
    const int dec = m->decider;
    const int deadline = m->protocol.decider_acts == DS_DECIDER_DEADLINE;

    const size_t stride = e->n_rounds + 1;

    for (int r = r0; r <= r1 && n_act > 0; r++) {
        draw_round(e, draw, r);
        if (e->lost[r])                                              /* §5.6 1 */
            continue;
        team_round(e, r);
        size_t kept = 0;
        for (size_t i = 0; i < n_act; i++) {
            size_t s = e->act[i];
            size_t u = e->slot_at[s * stride + (size_t)r];           /* §5.5 */
            uint64_t ok = e->t_ok[u];
            if (e->packed) {
                e->apk[s] += e->spread[ok];
            } else {
                uint32_t *ap = e->out[s].approvals;
                for (size_t k = 0; k < NM; k++)
                    ap[e->member[k]] += (uint32_t)((ok >> k) & 1u);
            }
            int deal = 0;
            if (e->t_pass[u]) {
                if (dec < 0)
                    deal = 1;          /* no decider: the team decides */
                else if (!deadline)
                    deal = decide(e, s, r, u, e->t_sigma[u]);        /* every_round */
                else {
                    e->fwd[s] = (long)u;                             /* forward */
                    e->fwd_sigma[s] = e->t_sigma[u];
                }
            }
            if (deal) {
                e->res_round[s] = r;
                e->res_slot[s] = u;
                close_members(e, s, r);
            } else {
                e->act[kept++] = s;
            }
        }
        n_act = kept;
    }
    /* Strategies still open played every round; the deadline r1. */
    size_t kept = 0;
    for (size_t i = 0; i < n_act; i++) {
        size_t s = e->act[i];
        close_members(e, s, r1);
        if (dec >= 0 && deadline && e->fwd[s] >= 0) {                /* §5.6 3 */
            size_t u = (size_t)e->fwd[s];
            if (decide(e, s, r1, u, e->fwd_sigma[s])) {
                e->res_round[s] = r1;
                e->res_slot[s] = u;
                continue;
            }
        }
        e->act[kept++] = s;
    }
    return kept;
}

/* Play §5.6 for every strategy: rounds 1..R, then, for the strategies
 * without a deal and if the deadline is extended in this draw, rounds
 * R + 1..R + k with R + k the new deadline (in deadline mode the decider
 * decided at R, so the forward is cleared). */
static void play_all(ds_engine *e, uint64_t draw)
{
    const ds_model *m = e->m;
    const size_t K = m->n_strategies;
    const int R = m->protocol.rounds;

    for (size_t s = 0; s < K; s++) {
        e->act[s] = s;
        e->fwd[s] = -1;
        e->res_round[s] = 0;
        e->apk[s] = 0;
    }
    size_t n_act = play_rounds(e, draw, 1, R, K);
    if (n_act > 0 && m->protocol.extension.given && extended(e, draw)) {
        for (size_t i = 0; i < n_act; i++)
            e->fwd[e->act[i]] = -1;
        play_rounds(e, draw, R + 1, R + m->protocol.extension.rounds, n_act);
    }
    if (e->packed)
        unpack_members(e);
}

const ds_outcome *ds_engine_draw(ds_engine *e, uint64_t seed, uint64_t draw)
{
    const ds_model *m = e->m;
    const size_t K = m->n_strategies, A = m->n_actors, Q = m->n_third;

    draw_world(e, seed, draw, 0);
    e->gen++;
    if (e->any_long_run)
        year_powers(e, e->adjustment);                       /* §5.4 eps_h */
    vec_econ(e, 0);                                          /* no deal */
    package_values(e);
    memset(e->out_eval, 0, K * A * sizeof *e->out_eval);
    memset(e->out_appr, 0, K * A * sizeof *e->out_appr);
    play_all(e, draw);

    for (size_t s = 0; s < K; s++) {
        ds_outcome *o = &e->out[s];
        const int round = e->res_round[s];
        const size_t u = e->res_slot[s];
        const int deal = round > 0;
        o->deal = deal;
        if (deal) {                                                  /* §5.4 */
            const size_t v = e->vof[u];
            if (e->vgen[v] != e->gen)
                vec_econ(e, v);          /* first deal with this vector */
            o->round = round;
            o->package = (int)e->used[u];
            o->tariff = e->tariff[v];
            o->deficit = e->baseline + e->dsum1[v] + e->dlv1[u];
            o->deficit_end = e->baseline + e->dsumH[v] + e->dlvH[u];
            o->concession_cost = e->ccost[u];
            o->benefit = e->disc[round] * (e->loss[0] - e->loss[v]
                                           - e->ccost[u] - e->retcost[u]);
            for (size_t q = 0; q < Q; q++) {
                o->retaliates[q] = e->ret[u * Q + q];
                o->retaliation_cost[q] = e->ret[u * Q + q]
                    ? e->expo[u * Q + q] * e->cpe[q] : 0.0;
            }
        } else {
            o->round = 0;
            o->package = -1;
            o->tariff = e->tariff[0];
            o->deficit = e->baseline + e->dsum1[0];
            o->deficit_end = e->baseline + e->dsumH[0];
            o->concession_cost = 0.0;
            o->benefit = 0.0;
            for (size_t q = 0; q < Q; q++) {
                o->retaliates[q] = 0;
                o->retaliation_cost[q] = 0.0;
            }
        }
        o->deficit_change = o->deficit - e->baseline;
        o->deficit_end_change = o->deficit_end - e->baseline;
    }
    return e->out;
}

size_t ds_engine_n_inputs(const ds_engine *e)
{
    return e->n_wd;
}

const ds_model_dist *ds_engine_input(const ds_engine *e, size_t j)
{
    return &e->m->dists[e->wd_dist[j]];
}

double ds_engine_input_value(const ds_engine *e, size_t j)
{
    return *e->wd[j].dst;
}

double ds_engine_draw_variates(ds_engine *e, uint64_t seed, uint64_t draw)
{
    /* Every round's shocks, and the extension's when it happens (engine.h
     * says when that is more than ds_engine_draw generates). */
    const ds_protocol *p = &e->m->protocol;
    double acc = draw_world(e, seed, draw, 1);
    int last = p->rounds;
    for (int r = 1; r <= p->rounds; r++)
        acc += draw_round(e, draw, r);
    if (p->extension.given) {
        int ext = extended(e, draw);
        acc += ext;
        if (ext)
            last += p->extension.rounds;
    }
    for (int r = p->rounds + 1; r <= last; r++)
        acc += draw_round(e, draw, r);
    return acc;
}

/* ---- finding a bad draw (outside the Monte Carlo loop) ------------------ */

static int out_of_range(double x)
{
    return !(x >= -DS_OUTCOME_MAX && x <= DS_OUTCOME_MAX);
}

/* x for a message: "NaN", "inf", "-inf" or %g. */
static const char *num_text(char buf[32], double x)
{
    if (isnan(x))
        return "NaN";
    if (isinf(x))
        return x > 0 ? "inf" : "-inf";
    snprintf(buf, 32, "%g", x);
    return buf;
}

/* The first input of the current world that is out of range, in model
 * order (ds_model.dists, SPEC §3 paths), into hint as "; check PATH, drawn
 * as X"; hint stays "" when there is none. */
static void blame_world(ds_engine *e, char *hint, size_t n)
{
    const ds_model *m = e->m;
    char buf[32];

    hint[0] = '\0';
    for (size_t i = 0; i < m->n_dists; i++) {
        double v = *site_dst(e, i);
        if (out_of_range(v)) {
            snprintf(hint, n, "; check %s, drawn as %s", m->dists[i].path,
                     num_text(buf, v));
            return;
        }
    }
}

int ds_engine_check(ds_engine *e, uint64_t seed, uint64_t first, uint64_t last,
                    ds_error *err)
{
    const ds_model *m = e->m;

    for (uint64_t d = first; d < last; d++) {
        const ds_outcome *out = ds_engine_draw(e, seed, d);
        for (size_t s = 0; s < m->n_strategies; s++) {
            const ds_outcome *o = &out[s];
            const struct {
                const char *name, *id;
                double v;
            } v[] = {
                {"tariff", NULL, o->tariff},
                {"deficit", NULL, o->deficit},
                {"deficit_change", NULL, o->deficit_change},
                {"deficit_end", NULL, o->deficit_end},
                {"deficit_end_change", NULL, o->deficit_end_change},
                {"benefit", NULL, o->benefit},
                {"concession_cost", NULL, o->concession_cost},
            };
            const size_t nv = sizeof v / sizeof v[0];
            char hint[512], buf[32];
            for (size_t i = 0; i < nv + m->n_third; i++) {
                const char *name = i < nv ? v[i].name : "retaliation_cost";
                const char *id = i < nv ? NULL : m->third[i - nv].id;
                double x = i < nv ? v[i].v : o->retaliation_cost[i - nv];
                if (!out_of_range(x))
                    continue;
                blame_world(e, hint, sizeof hint);
                if (isfinite(x))
                    return ds_error_set(err, DS_ERANGE,
                                        "draw %llu: %s%s%s is %g, beyond the +-%g that can "
                                        "be summarised, for strategy '%s'%s",
                                        (unsigned long long)d, name, id ? " to " : "",
                                        id ? id : "", x, DS_OUTCOME_MAX,
                                        m->strategies[s].id, hint);
                return ds_error_set(err, DS_ERANGE, "draw %llu: %s%s%s is not finite (%s) for "
                                    "strategy '%s'%s", (unsigned long long)d, name,
                                    id ? " to " : "", id ? id : "", num_text(buf, x),
                                    m->strategies[s].id, hint);
            }
        }
    }
    return DS_OK;
}
