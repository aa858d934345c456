/*
 * sens.c - sensitivity of every outcome to every input, from one run
 * (SPEC §11; see sens.h).
 *
 * The binning of the inputs is made once per run (a layout shared by the
 * total and every worker's accumulator).  An accumulator is flat: counts
 * per (input, bin), and per (input, bin, strategy x outcome) - a "column" -
 * the block's partial sum (a double) and the exact total; the strategy x
 * outcome values of one bin are adjacent, so a draw adds one short vector
 * per input.  The figures are computed from the exact totals only.
 *
 * The exact totals are superaccumulators with the method and the layout of
 * xsum.c (R. M. Neal's "small superaccumulator": 66 signed 64-bit chunks of
 * 32 bits each, carries propagated every DS_XSUM_CARRY_LIMIT adds), stored
 * chunk-major: chunk c of column i at chunk[c * n + i].  A block's partial
 * sums have similar magnitudes, so a flush touches a few rows of chunks,
 * adjacent in memory, not a few words in every 560-byte ds_xsum (which made
 * the flush cost more than the draws' own additions).  A column's chunks
 * gathered into a ds_xsum give its value by ds_xsum_value.
 */
#include "dealsim/sens.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/csv.h"
#include "format.h"
#include "xsum.h"

/* Bin edges of a continuous input are checked to this distance in
 * probability: a value at least this far in probability from an edge k/20
 * is binned by comparing it with the quantiles at k/20 -+ this, and only a
 * value closer than that (probability about 2 * 19 * 1e-6 per input and
 * draw) needs the CDF itself.  The quantile function and the CDF agree far
 * more closely than this (about 1e-12 at worst, dist.c); the layout checks
 * that they do at every edge, else that input is always binned by its CDF. */
#define EDGE_WINDOW 1e-6

/* Thresholds of a continuous input: the quantiles at k/20 - EDGE_WINDOW
 * and k/20 + EDGE_WINDOW for k = 1 .. DS_SENS_BINS - 1. */
#define N_EDGES (2 * (DS_SENS_BINS - 1))
/* Cells of the grid that finds a value's place among the edges: a cell
 * holds few edges (a normal's 19 middle edges span 3.3 sd, the closest
 * are 0.13 sd apart: 128 cells of 0.026 sd), so a lookup and a step or
 * two find it. */
#define GRID 128

/* Draws whose outcomes and bins are kept before they are added to the
 * bins' sums, input by input: one input's bins (20 x strategies x 4
 * doubles) and the chunk's outcomes then stay in the first-level cache,
 * where adding each draw to every input's bin at once would touch all
 * inputs' bins per draw.  The sums are the same: each bin still adds its
 * draws in draw order. */
#define CHUNK 32

/* The tornado's low and high: draws with u < 0.1 and u >= 0.9, that is
 * bins [0, TAIL_BINS) and [DS_SENS_BINS - TAIL_BINS, DS_SENS_BINS). */
#define TAIL_BINS 2

typedef struct sens_input {
    const ds_model_dist *md;  /* path and dist (the model's) */
    size_t nb;                /* bins */
    size_t off;               /* its first bin among all inputs' bins */
    int discrete;
    int by_cdf;               /* continuous: the edges failed their check */
    double edge[N_EDGES];     /* continuous: the thresholds, increasing */
    double mid[DS_SENS_BINS + 1]; /* the middle of each edge's window,
                                     then +inf twice (for two steps) */
    double grid_a, grid_inv;  /* x's cell: floor((x - grid_a) * grid_inv) */
    unsigned char start[GRID]; /* per cell: middles below every x in it */
    double *values;           /* discrete: [nb] values of nonzero weight,
                                 increasing, distinct (owned) */
} sens_input;

typedef struct sens_layout {
    const ds_model *m;
    size_t n_inputs;
    sens_input *in;           /* [n_inputs] */
    size_t nbins;             /* bins of all inputs */
    size_t K;                 /* strategies x outcomes */
} sens_layout;

struct ds_sens {
    sens_layout *lay;
    int owns;                 /* lay is this accumulator's */
    uint64_t n;               /* draws */
    uint64_t *cnt;            /* [nbins] draws per bin */
    double *part;             /* [nbins * K] this block's sums */
    int64_t *chunk;           /* [DS_XSUM_CHUNKS * nbins * K] their exact
                                 totals, chunk-major */
    uint64_t adds;            /* adds per column since carries were
                                 propagated */
    double *ptot, *psq;       /* [K] this block's sums of y and y^2 */
    ds_xsum *tot, *sq;        /* [K] exact totals */
    double *ymin, *ymax;      /* [K] smallest and largest y (exact) */
    double *y;                /* [CHUNK * K] the chunk's outcomes */
    uint32_t *bins;           /* [CHUNK * n_inputs] the chunk's bins */
    size_t held;              /* draws in the chunk */
};

static const char *const outcome_names[DS_SENS_N_OUTCOMES] = {
    "deal", "benefit", "deficit", "deficit_end"};

const char *ds_sens_outcome_name(ds_sens_outcome o)
{
    return outcome_names[o];
}

/* ---- binning ------------------------------------------------------------ */

/* min(floor(20 F(x)), 19), from the CDF itself. */
static size_t bin_by_cdf(const ds_dist *d, double x)
{
    double u = ds_dist_cdf(d, x) * DS_SENS_BINS;
    if (!(u >= 1)) /* and NaN */
        return 0;
    return u >= DS_SENS_BINS - 1 ? DS_SENS_BINS - 1 : (size_t)u;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Input in's bins: a discrete input's values, a continuous one's edges
 * (checked).  DS_OK or DS_ENOMEM. */
static int layout_input(sens_input *in)
{
    const ds_dist *d = in->md->dist;
    if (d->kind == DS_DIST_DISCRETE) {
        size_t n = 0;
        in->discrete = 1;
        if (!(in->values = malloc(d->u.discrete.n * sizeof *in->values)))
            return DS_ENOMEM;
        for (size_t i = 0; i < d->u.discrete.n; i++)
            if (d->u.discrete.weights[i] > 0)
                in->values[n++] = d->u.discrete.values[i];
        qsort(in->values, n, sizeof *in->values, cmp_double);
        in->nb = 0;
        for (size_t i = 0; i < n; i++)
            if (in->nb == 0 || in->values[i] != in->values[in->nb - 1])
                in->values[in->nb++] = in->values[i];
        return DS_OK;
    }
    in->nb = DS_SENS_BINS;
    in->mid[DS_SENS_BINS - 1] = in->mid[DS_SENS_BINS] = INFINITY;
    for (size_t k = 1; k < DS_SENS_BINS; k++) {
        double p = (double)k / DS_SENS_BINS;
        double lo = ds_dist_quantile(d, p - EDGE_WINDOW);
        double hi = ds_dist_quantile(d, p + EDGE_WINDOW);
        in->edge[2 * (k - 1)] = lo;
        in->edge[2 * (k - 1) + 1] = hi;
        /* Below lo the bin is below k, from hi on at least k; the edges
         * increase; all finite.  Else the CDF decides every draw. */
        if (!isfinite(lo) || !isfinite(hi) || !(lo <= hi) ||
            (k > 1 && !(in->edge[2 * (k - 1) - 1] <= lo)) ||
            bin_by_cdf(d, lo) >= k || bin_by_cdf(d, hi) < k)
            in->by_cdf = 1;
        in->mid[k - 1] = lo + (hi - lo) / 2;
    }
    /* The grid spans the middles; a cell's start counts the middles at or
     * below the start of the cell before it, a lower bound for any x the
     * cell is computed for, whatever the rounding. */
    in->grid_a = in->mid[0];
    if (!in->by_cdf && in->mid[DS_SENS_BINS - 2] > in->mid[0])
        in->grid_inv = GRID / (in->mid[DS_SENS_BINS - 2] - in->mid[0]);
    for (size_t c = 1; c < GRID && in->grid_inv > 0; c++) {
        double below = in->grid_a + (double)(c - 1) / in->grid_inv;
        unsigned char n = 0;
        while (n < DS_SENS_BINS - 1 && in->mid[n] <= below)
            n++;
        in->start[c] = n;
    }
    return DS_OK;
}

static inline size_t bin_of(const sens_input *in, double x)
{
    size_t p;
    if (in->discrete) {
        size_t lo = 0, hi = in->nb; /* the last value <= x: values[lo] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (in->values[mid] <= x)
                lo = mid;
            else
                hi = mid;
        }
        return lo;
    }
    if (in->by_cdf)
        return bin_by_cdf(in->md->dist, x);
    /* p windows' middles at or below x: x lies in [mid_p, mid_p+1) (edge
     * k's window is [lo_k, hi_k), its middle mid_k, k = 1 .. 19; mid_0 =
     * -inf, mid_20 = +inf).  Within the upper half of window p or the
     * lower half of window p + 1 the CDF decides, else the bin is p. */
    {
        double t = (x - in->grid_a) * in->grid_inv;
        p = in->start[t > 0 ? (t < GRID ? (size_t)t : GRID - 1) : 0];
    }
    /* Two steps without branches (a cell's range holds at most two
     * middles, but for a dist whose edges crowd), then any more. */
    p += in->mid[p] <= x;
    p += in->mid[p] <= x;
    p = p < DS_SENS_BINS - 1 ? p : DS_SENS_BINS - 1;
    while (p < DS_SENS_BINS - 1 && in->mid[p] <= x)
        p++;
    if ((p > 0 && x < in->edge[2 * p - 1]) ||
        (p < DS_SENS_BINS - 1 && x >= in->edge[2 * p]))
        return bin_by_cdf(in->md->dist, x);
    return p;
}

size_t ds_sens_bin(const ds_sens *s, size_t j, double x)
{
    return bin_of(&s->lay->in[j], x);
}

static void layout_free(sens_layout *lay)
{
    if (!lay)
        return;
    for (size_t j = 0; lay->in && j < lay->n_inputs; j++)
        free(lay->in[j].values);
    free(lay->in);
    free(lay);
}

static sens_layout *layout_new(const ds_model *m)
{
    sens_layout *lay = calloc(1, sizeof *lay);
    size_t j = 0;
    if (!lay)
        return NULL;
    lay->m = m;
    lay->K = m->n_strategies * DS_SENS_N_OUTCOMES;
    for (size_t i = 0; i < m->n_dists; i++)
        lay->n_inputs += ds_model_is_input(m, i) != 0;
    if (lay->n_inputs && !(lay->in = calloc(lay->n_inputs, sizeof *lay->in)))
        goto fail;
    for (size_t i = 0; i < m->n_dists; i++) {
        sens_input *in;
        if (!ds_model_is_input(m, i))
            continue;
        in = &lay->in[j++];
        in->md = &m->dists[i];
        if (layout_input(in) != DS_OK)
            goto fail;
        in->off = lay->nbins;
        lay->nbins += in->nb;
    }
    return lay;
fail:
    layout_free(lay);
    return NULL;
}

/* ---- accumulators -------------------------------------------------------- */

static ds_sens *sens_new(sens_layout *lay, int owns)
{
    ds_sens *s = calloc(1, sizeof *s);
    size_t nk = lay->nbins * lay->K, K = lay->K;
    if (!s)
        return NULL;
    s->lay = lay;
    s->owns = owns;
    /* calloc zeroes: an empty ds_xsum is all zeros (ds_xsum_init). */
    s->cnt = calloc(lay->nbins ? lay->nbins : 1, sizeof *s->cnt);
    s->part = calloc(nk ? nk : 1, sizeof *s->part);
    s->chunk = calloc(DS_XSUM_CHUNKS * (nk ? nk : 1), sizeof *s->chunk);
    s->ptot = calloc(K, sizeof *s->ptot);
    s->psq = calloc(K, sizeof *s->psq);
    s->tot = calloc(K, sizeof *s->tot);
    s->sq = calloc(K, sizeof *s->sq);
    s->ymin = malloc(K * sizeof *s->ymin);
    s->ymax = malloc(K * sizeof *s->ymax);
    s->y = calloc(CHUNK * K, sizeof *s->y);
    s->bins = calloc(CHUNK * (lay->n_inputs ? lay->n_inputs : 1), sizeof *s->bins);
    if (!s->cnt || !s->part || !s->chunk || !s->ptot || !s->psq || !s->tot || !s->sq ||
        !s->ymin || !s->ymax || !s->y || !s->bins) {
        s->owns = 0; /* the caller frees its own layout */
        ds_sens_free(s);
        return NULL;
    }
    for (size_t k = 0; k < K; k++) {
        s->ymin[k] = INFINITY;
        s->ymax[k] = -INFINITY;
    }
    return s;
}

ds_sens *ds_sens_new(const ds_model *m)
{
    sens_layout *lay = layout_new(m);
    ds_sens *s;
    if (!lay)
        return NULL;
    if (!(s = sens_new(lay, 1)))
        layout_free(lay);
    return s;
}

ds_sens *ds_sens_new_like(const ds_sens *s)
{
    return sens_new(s->lay, 0);
}

void ds_sens_free(ds_sens *s)
{
    if (!s)
        return;
    free(s->cnt);
    free(s->part);
    free(s->chunk);
    free(s->ptot);
    free(s->psq);
    free(s->tot);
    free(s->sq);
    free(s->ymin);
    free(s->ymax);
    free(s->y);
    free(s->bins);
    if (s->owns)
        layout_free(s->lay);
    free(s);
}

/* Add the chunk's draws to their bins' sums.  (Only additions, each an
 * IEEE double addition in draw order, so the vector width the compiler
 * picks for the machine does not change a bit.) */
static inline __attribute__((always_inline)) void add_chunk_body(ds_sens *s)
{
    const sens_layout *lay = s->lay;
    const size_t K = lay->K, ni = lay->n_inputs;
    for (size_t j = 0; j < ni; j++) {
        double *part = s->part + lay->in[j].off * K;
        uint64_t *cnt = s->cnt + lay->in[j].off;
        for (size_t d = 0; d < s->held; d++) {
            uint32_t b = s->bins[d * ni + j];
            double *restrict p = part + b * K;
            const double *restrict y = s->y + d * K;
            cnt[b]++;
            for (size_t k = 0; k < K; k++)
                p[k] += y[k];
        }
    }
    s->held = 0;
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx2"))) static void add_chunk_avx2(ds_sens *s)
{
    add_chunk_body(s);
}
#endif

static void add_chunk_plain(ds_sens *s)
{
    add_chunk_body(s);
}

static void add_chunk(ds_sens *s)
{
#if defined(__GNUC__) && defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) {
        add_chunk_avx2(s);
        return;
    }
#endif
    add_chunk_plain(s);
}

void ds_sens_add(ds_sens *s, const ds_engine *e, const ds_outcome *out)
{
    const sens_layout *lay = s->lay;
    const size_t K = lay->K, ns = lay->m->n_strategies, ni = lay->n_inputs;
    double *y = s->y + s->held * K;
    uint32_t *bins = s->bins + s->held * ni;

    for (size_t k = 0; k < ns; k++) {
        y[k * DS_SENS_N_OUTCOMES + DS_SENS_DEAL] = out[k].deal ? 1.0 : 0.0;
        y[k * DS_SENS_N_OUTCOMES + DS_SENS_BENEFIT] = out[k].benefit;
        y[k * DS_SENS_N_OUTCOMES + DS_SENS_DEFICIT] = out[k].deficit;
        y[k * DS_SENS_N_OUTCOMES + DS_SENS_DEFICIT_END] = out[k].deficit_end;
    }
    for (size_t k = 0; k < K; k++) {
        s->ptot[k] += y[k];
        s->psq[k] += y[k] * y[k];
        if (y[k] < s->ymin[k])
            s->ymin[k] = y[k];
        if (y[k] > s->ymax[k])
            s->ymax[k] = y[k];
    }
    for (size_t j = 0; j < ni; j++)
        bins[j] = (uint32_t)bin_of(&lay->in[j], ds_engine_input_value(e, j));
    s->n++;
    if (++s->held == CHUNK)
        add_chunk(s);
}

/* Propagate the carries of every column. */
static void normalise(ds_sens *s)
{
    const size_t n = s->lay->nbins * s->lay->K;
    for (size_t i = 0; i < n; i++)
        ds_xsum_normalise_chunks(s->chunk + i, n);
    s->adds = 0;
}

/* Column i as a ds_xsum. */
static void column(const ds_sens *s, size_t i, ds_xsum *x)
{
    const size_t n = s->lay->nbins * s->lay->K;
    ds_xsum_init(x);
    for (size_t c = 0; c < DS_XSUM_CHUNKS; c++)
        x->chunk[c] = s->chunk[c * n + i];
    x->adds = s->adds;
}

void ds_sens_flush(ds_sens *s)
{
    const size_t K = s->lay->K, nk = s->lay->nbins * K;
    add_chunk(s);
    for (size_t i = 0; i < nk; i++)
        if (s->part[i] != 0) {
            /* Finite: a run flushes only blocks whose every outcome is
             * finite and at most DS_OUTCOME_MAX (so is their sum). */
            ds_xsum_add_chunks(s->chunk + i, nk, s->part[i]);
            s->part[i] = 0;
        }
    if (++s->adds >= DS_XSUM_CARRY_LIMIT) /* after 2^30 blocks  GCOVR_EXCL_LINE */
        normalise(s);             /* GCOVR_EXCL_LINE */
    for (size_t k = 0; k < K; k++) {
        ds_xsum_add(&s->tot[k], s->ptot[k]);
        ds_xsum_add(&s->sq[k], s->psq[k]);
        s->ptot[k] = s->psq[k] = 0;
    }
}

int ds_sens_merge(ds_sens *dst, const ds_sens *src)
{
    const size_t K = dst->lay->K, nb = dst->lay->nbins;
    if (src->lay->K != K || src->lay->nbins != nb ||
        src->lay->n_inputs != dst->lay->n_inputs)
        return DS_EINVAL;
    dst->n += src->n;
    for (size_t i = 0; i < nb; i++)
        dst->cnt[i] += src->cnt[i];
    /* Chunks of dst below (dst->adds + 1) 2^32, of src below (src->adds +
     * 1) 2^32 with src->adds < DS_XSUM_CARRY_LIMIT: their sum cannot overflow
     * once dst's carries are propagated. */
    if (dst->adds)
        normalise(dst);
    for (size_t i = 0; i < DS_XSUM_CHUNKS * nb * K; i++)
        dst->chunk[i] += src->chunk[i];
    dst->adds = src->adds + 1;
    for (size_t k = 0; k < K; k++) {
        ds_xsum_merge(&dst->tot[k], &src->tot[k]);
        ds_xsum_merge(&dst->sq[k], &src->sq[k]);
        if (src->ymin[k] < dst->ymin[k])
            dst->ymin[k] = src->ymin[k];
        if (src->ymax[k] > dst->ymax[k])
            dst->ymax[k] = src->ymax[k];
    }
    return DS_OK;
}

uint64_t ds_sens_draws(const ds_sens *s)
{
    return s->n;
}

size_t ds_sens_n_inputs(const ds_sens *s)
{
    return s->lay->n_inputs;
}

size_t ds_sens_input_bins(const ds_sens *s, size_t j)
{
    return s->lay->in[j].nb;
}

/* ---- between processes ---------------------------------------------------- */

/* The packed form (SPEC §14): a header of the shape, then the draws, the
 * counts, the chunk-major exact sums with their carries propagated, the
 * totals and the extremes.  Raw bytes of this machine: processes of one
 * run are the same binary on the same kind of CPU. */
typedef struct sens_pack_head {
    uint64_t n_inputs, nbins, K, n;
} sens_pack_head;

/* The parts of s's packed form, in order: pointer and bytes. */
static size_t pack_parts(ds_sens *s, void **ptr, size_t *len)
{
    const size_t K = s->lay->K, nb = s->lay->nbins;
    size_t i = 0;
    ptr[i] = s->cnt, len[i++] = nb * sizeof *s->cnt;
    ptr[i] = s->chunk, len[i++] = DS_XSUM_CHUNKS * nb * K * sizeof *s->chunk;
    ptr[i] = s->tot, len[i++] = K * sizeof *s->tot;
    ptr[i] = s->sq, len[i++] = K * sizeof *s->sq;
    ptr[i] = s->ymin, len[i++] = K * sizeof *s->ymin;
    ptr[i] = s->ymax, len[i++] = K * sizeof *s->ymax;
    return i;
}

size_t ds_sens_pack(ds_sens *s, void *buf, size_t cap)
{
    void *ptr[6];
    size_t len[6], np = pack_parts(s, ptr, len), need = sizeof(sens_pack_head);
    sens_pack_head h;
    char *o = buf;

    for (size_t i = 0; i < np; i++)
        need += len[i];
    if (!buf || cap < need)
        return need;
    if (s->adds)
        normalise(s);   /* the same value, chunks in [0, 2^32) */
    h.n_inputs = s->lay->n_inputs;
    h.nbins = s->lay->nbins;
    h.K = s->lay->K;
    h.n = s->n;
    memcpy(o, &h, sizeof h);
    o += sizeof h;
    for (size_t i = 0; i < np; i++) {
        memcpy(o, ptr[i], len[i]);
        o += len[i];
    }
    return need;
}

int ds_sens_merge_packed(ds_sens *dst, const void *buf, size_t len)
{
    ds_sens *t = ds_sens_new_like(dst);
    void *ptr[6];
    size_t plen[6], np, need = sizeof(sens_pack_head);
    sens_pack_head h;
    const char *in = buf;
    int rc;

    if (!t)
        return DS_ENOMEM;
    np = pack_parts(t, ptr, plen);
    for (size_t i = 0; i < np; i++)
        need += plen[i];
    if (len != need) {
        ds_sens_free(t);
        return DS_EINVAL;
    }
    memcpy(&h, in, sizeof h);
    in += sizeof h;
    if (h.n_inputs != dst->lay->n_inputs || h.nbins != dst->lay->nbins || h.K != dst->lay->K) {
        ds_sens_free(t);
        return DS_EINVAL;
    }
    t->n = h.n;
    for (size_t i = 0; i < np; i++) {
        memcpy(ptr[i], in, plen[i]);
        in += plen[i];
    }
    rc = ds_sens_merge(dst, t);
    ds_sens_free(t);
    return rc;
}

/* ---- the run hook -------------------------------------------------------- */

static void *hook_new(void *ctx)
{
    return ds_sens_new_like(ctx);
}

static void hook_add(void *acc, const ds_engine *e, const ds_outcome *out)
{
    ds_sens_add(acc, e, out);
}

static void hook_flush(void *acc)
{
    ds_sens_flush(acc);
}

static int hook_merge(void *ctx, void *acc)
{
    return ds_sens_merge(ctx, acc);
}

static size_t hook_pack(void *ctx, void *buf, size_t cap)
{
    return ds_sens_pack(ctx, buf, cap);
}

static int hook_merge_packed(void *ctx, const void *buf, size_t len)
{
    return ds_sens_merge_packed(ctx, buf, len);
}

static void hook_free(void *acc)
{
    ds_sens_free(acc);
}

void ds_sens_hook(ds_sens *total, ds_run_hook *h)
{
    memset(h, 0, sizeof *h);
    h->acc_new = hook_new;
    h->add = hook_add;
    h->flush = hook_flush;
    h->merge = hook_merge;
    h->acc_free = hook_free;
    h->pack = hook_pack;
    h->merge_packed = hook_merge_packed;
    h->ctx = total;
}

/* ---- the figures --------------------------------------------------------- */

/* The exact sum x as a long double: its double rounding plus the rounding
 * of what is left (x is exact, so the two carry about 106 bits). */
static long double xsum_ld(const ds_xsum *x)
{
    ds_xsum rest = *x;
    double hi = ds_xsum_value(x);
    ds_xsum_add(&rest, -hi);
    return (long double)hi + (long double)ds_xsum_value(&rest);
}

double ds_sens_mean(const ds_sens *s, size_t k, ds_sens_outcome o)
{
    if (s->n == 0)
        return NAN;
    return ds_xsum_value(&s->tot[k * DS_SENS_N_OUTCOMES + o]) / (double)s->n;
}

/* Mean of column k over bins [b0, b1) of input in (NaN without draws). */
static double bins_mean(const ds_sens *s, const sens_input *in, size_t k, size_t b0,
                        size_t b1)
{
    ds_xsum t;
    uint64_t c = 0;
    ds_xsum_init(&t);
    for (size_t b = b0; b < b1; b++) {
        ds_xsum col;
        c += s->cnt[in->off + b];
        column(s, (in->off + b) * s->lay->K + k, &col);
        ds_xsum_merge(&t, &col);
    }
    return c ? ds_xsum_value(&t) / (double)c : NAN;
}

/* Index, low, high and swing of column k (strategy x outcome) and input
 * in, given the column's total sum of squares about its mean (ss_t, 0 when
 * the column did not vary) and its mean. */
static void figures(const ds_sens *s, const sens_input *in, size_t k, long double ss_t,
                    long double mean, ds_sens_row *r)
{
    const size_t K = s->lay->K;
    long double ss_b = 0;
    uint64_t groups = 0;
    size_t tail = in->discrete ? 1 : TAIL_BINS;

    r->index = NAN;
    for (size_t b = 0; b < in->nb; b++) {
        uint64_t c = s->cnt[in->off + b];
        long double d;
        ds_xsum col;
        if (!c)
            continue; /* no draws: no mean, no degree of freedom */
        groups++;
        column(s, (in->off + b) * K + k, &col);
        d = xsum_ld(&col) / (long double)c - mean;
        ss_b += (long double)c * d * d;
    }
    if (ss_t > 0 && s->n > groups) {
        long double ms_w = (ss_t - ss_b) / (long double)(s->n - groups);
        long double idx = (ss_b - (long double)(groups - 1) * ms_w) / ss_t;
        r->index = idx > 0 ? (double)idx : 0.0;
    }
    r->low = bins_mean(s, in, k, 0, tail);
    r->high = bins_mean(s, in, k, in->nb - tail, in->nb);
    r->swing = r->high - r->low;
}

static int cmp_rows(const void *a, const void *b)
{
    const ds_sens_row *x = a, *y = b;
    double sx = fabs(x->swing), sy = fabs(y->swing);
    int nx = isnan(sx), ny = isnan(sy);
    if (nx != ny)
        return nx - ny;
    if (!nx && sx != sy)
        return sx < sy ? 1 : -1;
    return (x->input > y->input) - (x->input < y->input);
}

int ds_sens_rows(const ds_sens *s, ds_sens_row **rows, size_t *n)
{
    const sens_layout *lay = s->lay;
    const size_t ni = lay->n_inputs;
    ds_sens_row *r;

    *rows = NULL;
    *n = lay->K * ni;
    if (!(r = calloc(*n ? *n : 1, sizeof *r)))
        return DS_ENOMEM;
    for (size_t k = 0; k < lay->K; k++) {
        ds_sens_row *g = r + k * ni;
        long double mean = 0, ss_t = 0;
        if (s->n && s->ymin[k] < s->ymax[k]) {
            long double s1 = xsum_ld(&s->tot[k]);
            mean = s1 / (long double)s->n;
            ss_t = xsum_ld(&s->sq[k]) - s1 * mean;
        } else if (s->n) {
            mean = s->ymin[k];
        }
        for (size_t j = 0; j < ni; j++) {
            g[j].strategy = k / DS_SENS_N_OUTCOMES;
            g[j].outcome = (ds_sens_outcome)(k % DS_SENS_N_OUTCOMES);
            g[j].input = j;
            figures(s, &lay->in[j], k, ss_t, mean, &g[j]);
        }
        qsort(g, ni, sizeof *g, cmp_rows);
        for (size_t j = 0; j < ni; j++)
            g[j].rank = j + 1;
    }
    *rows = r;
    return DS_OK;
}

/* ---- writers -------------------------------------------------------------- */

/* A stream that remembers its first failure. */
typedef struct sink {
    FILE *f;
    int failed, err;
} sink;

static void put(sink *o, const char *s)
{
    if (!o->failed && fputs(s, o->f) == EOF) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
}

static void putf(sink *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void putf(sink *o, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    put(o, b);
}

static void num(sink *o, double x)
{
    char b[DS_CSV_NUM_MAX];
    put(o, ds_csv_format_double(b, x));
}

static int finish(sink *o)
{
    if (!o->failed && (fflush(o->f) != 0 || ferror(o->f))) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
    if (o->failed) {
        errno = o->err;
        return DS_EIO;
    }
    return DS_OK;
}

static const char *input_path(const ds_sens *s, size_t j)
{
    return s->lay->in[j].md->path;
}

int ds_sens_csv(const ds_model *m, const ds_sens *s, FILE *f)
{
    sink o = {f, 0, 0};
    ds_sens_row *rows;
    size_t n;

    if (ds_sens_rows(s, &rows, &n) != DS_OK)
        return DS_ENOMEM;
    put(&o, "strategy,outcome,input,index,low,high,swing,rank\n");
    for (size_t i = 0; i < n; i++) {
        const ds_sens_row *r = &rows[i];
        put(&o, m->strategies[r->strategy].id);
        putf(&o, ",%s,%s,", outcome_names[r->outcome], input_path(s, r->input));
        num(&o, r->index);
        put(&o, ",");
        num(&o, r->low);
        put(&o, ",");
        num(&o, r->high);
        put(&o, ",");
        num(&o, r->swing);
        putf(&o, ",%zu\n", r->rank);
    }
    free(rows);
    return finish(&o);
}

/* A JSON string. */
static void jstr(sink *o, const char *s)
{
    char b[8];
    put(o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            b[0] = '\\', b[1] = (char)*p, b[2] = 0;
        } else if (*p < 0x20) {
            snprintf(b, sizeof b, "\\u%04x", *p);
        } else {
            b[0] = (char)*p, b[1] = 0;
        }
        put(o, b);
    }
    put(o, "\"");
}

static void jnum(sink *o, double x)
{
    if (isfinite(x))
        num(o, x);
    else
        put(o, "null");
}

static const char *kind_name(ds_dist_kind k)
{
    for (size_t i = 0; i < ds_fmt_n_dists; i++)
        if (ds_fmt_dists[i].kind == k)
            return ds_fmt_dists[i].name;
    return "?"; /* every kind has a row  GCOVR_EXCL_LINE */
}

int ds_sens_json(const ds_model *m, const ds_sens *s, const ds_run_meta *meta, FILE *f)
{
    sink o = {f, 0, 0};
    ds_sens_row *rows;
    size_t n, ni = s->lay->n_inputs;

    if (ds_sens_rows(s, &rows, &n) != DS_OK)
        return DS_ENOMEM;
    put(&o, "{\n  \"dealsim\": {\n    \"version\": ");
    jstr(&o, DS_VERSION);
    putf(&o, ",\n    \"format\": %d,\n    \"scenario\": ", DS_FORMAT_VERSION);
    jstr(&o, meta->scenario_file);
    put(&o, ",\n    \"scenario_name\": ");
    jstr(&o, m->name);
    put(&o, ",\n    \"scenario_sha256\": ");
    jstr(&o, meta->sha256);
    putf(&o, ",\n    \"seed\": %llu,\n    \"draws\": %llu\n  },\n  \"inputs\": [",
         (unsigned long long)meta->seed, (unsigned long long)meta->draws);
    for (size_t j = 0; j < ni; j++) {
        put(&o, j ? ",\n    {\"input\": " : "\n    {\"input\": ");
        jstr(&o, input_path(s, j));
        put(&o, ", \"kind\": ");
        jstr(&o, kind_name(s->lay->in[j].md->dist->kind));
        putf(&o, ", \"bins\": %zu}", s->lay->in[j].nb);
    }
    put(&o, ni ? "\n  ],\n  \"strategies\": [\n" : "],\n  \"strategies\": [\n");
    for (size_t k = 0; k < m->n_strategies; k++) {
        put(&o, "    {\n      \"strategy\": ");
        jstr(&o, m->strategies[k].id);
        put(&o, ",\n      \"label\": ");
        if (m->strategies[k].label)
            jstr(&o, m->strategies[k].label);
        else
            put(&o, "null");
        put(&o, ",\n      \"outcomes\": {");
        for (int oc = 0; oc < DS_SENS_N_OUTCOMES; oc++) {
            const ds_sens_row *g = rows + (k * DS_SENS_N_OUTCOMES + (size_t)oc) * ni;
            putf(&o, "%s\n        \"%s\": {\"mean\": ", oc ? "," : "", outcome_names[oc]);
            jnum(&o, ds_sens_mean(s, k, (ds_sens_outcome)oc));
            put(&o, ", \"inputs\": [");
            for (size_t j = 0; j < ni; j++) {
                put(&o, j ? ",\n          {\"input\": " : "\n          {\"input\": ");
                jstr(&o, input_path(s, g[j].input));
                put(&o, ", \"index\": ");
                jnum(&o, g[j].index);
                put(&o, ", \"low\": ");
                jnum(&o, g[j].low);
                put(&o, ", \"high\": ");
                jnum(&o, g[j].high);
                put(&o, ", \"swing\": ");
                jnum(&o, g[j].swing);
                putf(&o, ", \"rank\": %zu}", g[j].rank);
            }
            put(&o, ni ? "\n        ]}" : "]}");
        }
        put(&o, "\n      }\n    }");
        put(&o, k + 1 < m->n_strategies ? ",\n" : "\n");
    }
    put(&o, "  ]\n}\n");
    free(rows);
    return finish(&o);
}

/* ---- the tornado ----------------------------------------------------------- */

/* Widths of the table's columns (characters); the bar takes the rest of
 * DS_OUTPUT_TABLE_WIDTH. */
#define T_INDENT 2
#define T_INPUT 38
#define T_INDEX 5
#define T_NUM 10
#define T_GAPS (1 + 2 + 1 + 2)
#define T_BAR (DS_OUTPUT_TABLE_WIDTH - T_INDENT - T_INPUT - T_INDEX - 2 * T_NUM - T_GAPS)
_Static_assert(T_BAR >= 20, "the tornado's bars have room");

/* Text s, at most `width` characters (UTF-8 counted as characters; a
 * longer one is cut and ends in "…"; control characters shown as '?'),
 * padded with spaces to `width` when pad is set. */
static void put_text(sink *o, const char *s, size_t width, int pad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t chars = 0, total = 0;
    char b[8];

    for (const unsigned char *q = p; *q; q++)
        total += (*q & 0xC0) != 0x80;
    while (*p) {
        size_t len = 1;
        if (total > width && chars + 1 == width) {
            put(o, "\xe2\x80\xa6");
            chars++;
            break;
        }
        while ((p[len] & 0xC0) == 0x80)
            len++;
        if (*p < 0x20 || *p == 0x7f) {
            put(o, "?");
        } else {
            memcpy(b, p, len < sizeof b ? len : sizeof b - 1);
            b[len < sizeof b ? len : sizeof b - 1] = 0;
            put(o, b);
        }
        p += len;
        chars++;
    }
    for (; pad && chars < width; chars++)
        put(o, " ");
}

/* A number in T_NUM characters, right-aligned; "-" for NaN.  "%.4g" of
 * an outcome (at most DS_OUTCOME_MAX = 1e100 in magnitude, engine.h) takes
 * at most 10: "-9.999e+99", "-1e+100". */
static void put_num(sink *o, double x)
{
    char b[64];
    if (isnan(x))
        snprintf(b, sizeof b, "%*s", T_NUM, "-");
    else
        snprintf(b, sizeof b, "%*.4g", T_NUM, x);
    put(o, b);
}

/* Column of value v on a bar of T_BAR characters spanning [lo, hi]. */
static size_t bar_pos(double v, double lo, double hi)
{
    double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    long c = lround(t * (T_BAR - 1));
    return c < 0 ? 0 : c > T_BAR - 1 ? T_BAR - 1 : (size_t)c;
}

/* The top `top` rows g[0..] of one outcome of one strategy. */
static void tornado(sink *o, const ds_sens *s, const ds_sens_row *g, size_t ni,
                    size_t top, double mean, const char *title)
{
    double lo = mean, hi = mean;
    size_t n = top < ni ? top : ni;
    char bar[T_BAR + 1];

    put(o, "\n  ");
    put(o, title);
    put(o, ", mean ");
    if (isnan(mean))
        put(o, "-");
    else
        putf(o, "%.4g", mean);
    put(o, "\n");
    if (ni == 0) {
        put(o, "  (no inputs: every value of the scenario is constant)\n");
        return;
    }
    putf(o, "  %-*s %*s  %*s %*s  %s\n", T_INPUT, "input", T_INDEX, "S", T_NUM, "low",
         T_NUM, "high", "L = low, H = high, | = mean");
    for (size_t j = 0; j < n; j++) {
        if (g[j].low < lo) lo = g[j].low;
        if (g[j].high < lo) lo = g[j].high;
        if (g[j].low > hi) hi = g[j].low;
        if (g[j].high > hi) hi = g[j].high;
    }
    for (size_t j = 0; j < n; j++) {
        const ds_sens_row *r = &g[j];
        put(o, "  ");
        put_text(o, input_path(s, r->input), T_INPUT, 1);
        if (isnan(r->index))
            putf(o, " %*s  ", T_INDEX, "-");
        else
            putf(o, " %*.3f  ", T_INDEX, r->index);
        put_num(o, r->low);
        put(o, " ");
        put_num(o, r->high);
        put(o, "  ");
        memset(bar, ' ', T_BAR);
        bar[T_BAR] = 0;
        if (!isnan(mean))
            bar[bar_pos(mean, lo, hi)] = '|';
        if (!isnan(r->low) && !isnan(r->high)) {
            size_t pl = bar_pos(r->low, lo, hi), ph = bar_pos(r->high, lo, hi);
            size_t a = pl < ph ? pl : ph, b = pl < ph ? ph : pl;
            for (size_t c = a + 1; c < b; c++)
                if (bar[c] != '|')
                    bar[c] = '-';
            bar[pl] = 'L';
            bar[ph] = pl == ph ? '=' : 'H';
        }
        /* No trailing spaces. */
        for (size_t c = T_BAR; c > 0 && bar[c - 1] == ' '; c--)
            bar[c - 1] = 0;
        put(o, bar);
        put(o, "\n");
    }
}

int ds_sens_table(const ds_model *m, const ds_sens *s, const ds_run_meta *meta,
                  size_t only, size_t top, FILE *f)
{
    sink o = {f, 0, 0};
    ds_sens_row *rows;
    size_t n, ni = s->lay->n_inputs;

    if (ds_sens_rows(s, &rows, &n) != DS_OK)
        return DS_ENOMEM;
    put(&o, "Sensitivity: ");
    put_text(&o, m->name, DS_OUTPUT_TABLE_WIDTH - 50, 0);
    putf(&o, " (%llu draws, seed %llu)\n", (unsigned long long)meta->draws,
         (unsigned long long)meta->seed);
    put(&o,
        "How to read it: one bar per uncertain input, the widest first.  A bar runs from\n"
        "the outcome's mean over the draws with the input in its lowest tenth (L, column\n"
        "low) to its mean over the highest tenth (H, column high); | is the mean over\n"
        "all draws.  S is the share of the outcome's variance that the input explains\n"
        "alone (0: none, 1: all).  The CSV (--format csv) has every input and outcome.\n");
    for (size_t k = 0; k < m->n_strategies; k++) {
        const char *label = m->strategies[k].label;
        if (only < m->n_strategies && k != only)
            continue;
        put(&o, "\n");
        if (label && strcmp(label, m->strategies[k].id) != 0) {
            put_text(&o, label, DS_OUTPUT_TABLE_STRATEGY, 0);
            put(&o, " (");
            put_text(&o, m->strategies[k].id, DS_OUTPUT_TABLE_STRATEGY, 0);
            put(&o, ")\n");
        } else {
            put_text(&o, m->strategies[k].id, DS_OUTPUT_TABLE_STRATEGY, 0);
            put(&o, "\n");
        }
        tornado(&o, s, rows + (k * DS_SENS_N_OUTCOMES + DS_SENS_DEAL) * ni, ni, top,
                ds_sens_mean(s, k, DS_SENS_DEAL), "P(deal)");
        tornado(&o, s, rows + (k * DS_SENS_N_OUTCOMES + DS_SENS_BENEFIT) * ni, ni, top,
                ds_sens_mean(s, k, DS_SENS_BENEFIT), "benefit, bn/yr");
    }
    free(rows);
    return finish(&o);
}
