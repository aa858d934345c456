/*
 * qhist.c - mergeable quantile histogram with exact per-bin extremes.
 *
 * Kept values.  While the multiset has at most DS_QHIST_DISTINCT distinct
 * values, val[] holds them in ascending order and cnt[] their counts (and
 * `mode` the index of the most frequent, for the inline path); quantiles
 * are then exact.  The next distinct value moves them into the bins.  Which
 * form the state is in depends only on the number of distinct values, so
 * it is a function of the multiset.
 *
 * Bins.  The bin exponent e is the smallest integer >= DS_QHIST_EMIN such
 * that (a) the aligned bins from floor(min/2^e) to floor(max/2^e) number at
 * most DS_QHIST_BINS and (b) every |x| / 2^e < 2^62.  It depends only on
 * the min and max of the set and grows with the set, and coarsening
 * (merging bins pairwise, index i -> floor(i / 2)) commutes with union, as
 * do a bin's count, its min and max, and the counts of its min and max; so
 * adding values in any order, or merging histograms in any order, gives the
 * same bytes.
 *
 * Error: the order statistic of rank k lies in the same bin as its estimate,
 * so the error is below the bin's spread < 2^e.  When (a) decides e,
 * 2^e < 2 (max - min) / (K - 1), i.e. < 0.098% of the range for K = 2048.
 * When (b) decides it, every value is a multiple of 2^e (its ulp is at least
 * 2^e, because the range is far below its magnitude), so each bin holds one
 * distinct value and quantiles are exact.  (b) uses 2^62, not 2^53, for that
 * reason: at 2^53, values straddling a power of two could share a bin with a
 * range of a few ulps.  Only sets whose whole range is below 2^-1011 (deep
 * in the subnormals) can exceed the 0.1% bound, by at most 2^-1022 absolute.
 *
 * Exact at atoms (SPEC §6 v2): a quantile must be exact when it is a value
 * that many draws take, above all the 0 of every draw without a deal.  The
 * order statistics of ranks 1..n_lo of a bin are its min, those of ranks
 * n - n_hi + 1..n its max, so they are returned exactly; only ranks strictly
 * between are interpolated (linearly in rank, strictly inside (lo, hi)).
 * Type 7 gives a value v that the draws take only when both order
 * statistics it uses are v, or it uses one with weight 1; so the quantile is
 * exact whenever v is the min or the max of its bin.  That holds for every
 * value of a set with at most DS_QHIST_DISTINCT distinct values (kept
 * exactly), for every value that is a multiple of the bin width (0 above
 * all: bins are aligned at multiples of 2^e, so 0 is the min of its bin),
 * and for a value with no other value within the bin width (< 0.1% of the
 * range) on one side.  The one case left is a repeated value with other
 * values within 0.1% of the range on both sides in a set of many distinct
 * values: the rank of such a value among its close neighbours cannot be
 * known exactly by any one-pass summary of fixed size (it would need the
 * neighbours seen before the value turned out to repeat), so there the
 * quantile is within the 0.1% bound like any other.
 *
 * Quantiles: Hyndman, R. J. and Fan, Y. (1996), "Sample quantiles in
 * statistical packages", The American Statistician 50(4), 361-365, type 7:
 * h = (n - 1) p + 1, Q = x_floor(h) + (h - floor(h)) (x_ceil(h) - x_floor(h)).
 */
#include "qhist.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const ds_qhist_bin empty_bin = { 0, INFINITY, -INFINITY };
static const ds_qhist_ends empty_ends = { 0, 0 };

void ds_qhist_init(ds_qhist *h)
{
    memset(h, 0, sizeof *h);
    h->e = DS_QHIST_EMIN;
    h->scale = ldexp(1.0, -DS_QHIST_EMIN);
}

/* Every slot of bin[], end[] empty. */
static void empty_all(ds_qhist_bin *bin, ds_qhist_ends *end)
{
    for (int j = 0; j < DS_QHIST_BINS; j++) {
        bin[j] = empty_bin;
        end[j] = empty_ends;
    }
}

void ds_qhist_init_with(ds_qhist *h, ds_qhist_bin *bin, ds_qhist_ends *end)
{
    ds_qhist_init(h);
    empty_all(bin, end);
    h->bin = bin;
    h->end = end;
}

void ds_qhist_free(ds_qhist *h)
{
    if (h->owned)
        free(h->bin);
    ds_qhist_init(h);
}

static void clear_window(ds_qhist *h, int64_t lo, int64_t hi);

int ds_qhist_reserve(ds_qhist *h)
{
    void *p;
    if (h->bin)
        return 0;
    p = malloc((size_t)DS_QHIST_BINS * (sizeof *h->bin + sizeof *h->end));
    if (!p) {
        h->nomem = 1;
        return -1;
    }
    h->bin = p;
    h->end = (ds_qhist_ends *)(h->bin + DS_QHIST_BINS);
    h->owned = 1;
    /* Not touched until needed: every slot is emptied when the bins are
     * first used (ensure_bins), and a histogram that never needs them
     * never writes them. */
    h->stale = 1;
    h->stale_lo = 0;
    h->stale_hi = DS_QHIST_BINS - 1;
    return 0;
}

/* Give h its bins if it has none yet (see qhist.h, Memory), and empty the
 * slots left stale (by ds_qhist_reset, or all of them when new): 0, or -1
 * with h->nomem set. */
static int ensure_bins(ds_qhist *h)
{
    if (!h->bin && ds_qhist_reserve(h) != 0)
        return -1;
    if (h->stale) {
        clear_window(h, h->stale_lo, h->stale_hi);
        h->stale = 0;
    }
    return 0;
}

/* Empty the slots of bin indices lo..hi (hi - lo < DS_QHIST_BINS): at
 * most two runs of consecutive slots, each filled in one pass.  Can't
 * fail. */
static void clear_window(ds_qhist *h, int64_t lo, int64_t hi)
{
    size_t a = DS_QHIST_SLOT(lo), n = (size_t)(hi - lo) + 1;
    while (n > 0) {
        size_t run = DS_QHIST_BINS - a < n ? DS_QHIST_BINS - a : n;
        ds_qhist_bin *b = h->bin + a;
        for (size_t j = 0; j < run; j++)
            b[j] = empty_bin;
        memset(h->end + a, 0, run * sizeof *h->end);
        n -= run;
        a = 0;
    }
}

void ds_qhist_reset(ds_qhist *h)
{
    if (h->binned) {          /* slots outside the window are empty */
        h->stale = 1;
        h->stale_lo = h->lo_i;
        h->stale_hi = h->hi_i;
    }
    h->e = DS_QHIST_EMIN;
    h->scale = ldexp(1.0, -DS_QHIST_EMIN);
    h->lo_i = h->hi_i = 0;
    memset(h->val, 0, sizeof h->val);
    memset(h->cnt, 0, sizeof h->cnt);
    h->binned = 0;
    h->nv = 0;
    h->mode = 0;
    h->n = h->n_nan = h->n_pinf = h->n_ninf = 0;
    h->nomem = 0;
}

/* floor(x / 2^e) given scale = 2^-e, exact while |x| / 2^e < 2^62. */
static int64_t bin_index(double x, double scale)
{
    double q = x * scale;
    int64_t i = (int64_t)q;   /* truncated, exactly: |q| < 2^62 */
    /* Down to the floor, also when the product underflowed to -0 (without
     * a branch: which way it goes depends on the value). */
    return i - (((double)i > q) | ((q == 0.0) & (x < 0.0)));
}

/* floor(i / 2^s) for s >= 0, without relying on >> of negative numbers. */
static int64_t floor_shift(int64_t i, int64_t s)
{
    if (s == 0)
        return i;
    if (s >= 62)              /* |i| < 2^62 */
        return i < 0 ? -1 : 0;
    return i >= 0 ? i >> s : -(((-i) - 1) >> s) - 1;
}

/* Do bins of width 2^e, with indices below `limit` in magnitude, number at
 * most `bins` from lo to hi? */
static int fits_in(double lo, double hi, int64_t e, double limit, int64_t bins)
{
    double scale = ldexp(1.0, (int)-e);
    if (!(fabs(lo * scale) < limit && fabs(hi * scale) < limit))
        return 0;
    return bin_index(hi, scale) - bin_index(lo, scale) < bins;
}

/* The smallest e >= e0 for which fits_in holds; e0 must not exceed it. */
static int64_t find_width(double lo, double hi, int64_t e0, double limit, int64_t bins)
{
    double m = fmax(fabs(lo), fabs(hi));
    int64_t e = e0;
    int k, lk;

    (void)frexp(limit, &lk);  /* limit = 2^(lk - 1) */
    if (m > 0) {              /* m / 2^e < limit needs e >= k - lk where m < 2^k */
        (void)frexp(m, &k);
        if ((int64_t)k - lk > e)
            e = (int64_t)k - lk;
    }
    if (hi - lo > 0 && isfinite(hi - lo)) {
        /* With 2^t >= bins and hi - lo >= 2^(kd - 1) (rounded down by at
         * most an ulp), any e <= kd - 2 - t leaves more than 2^t >= bins
         * bins from lo to hi: start above, and the loop below takes a
         * step or two. */
        int kd, t = 0;
        (void)frexp(hi - lo, &kd);
        while (((int64_t)1 << t) < bins)
            t++;
        if ((int64_t)kd - 1 - t > e)
            e = (int64_t)kd - 1 - t;
    }
    while (!fits_in(lo, hi, e, limit, bins))
        e++;
    return e;
}

/* Conditions (a) and (b) for a set with minimum lo and maximum hi: the
 * smallest e >= e0 (e0 must not exceed the answer). */
static int64_t find_e(double lo, double hi, int64_t e0)
{
    return find_width(lo, hi, e0, DS_QHIST_IDX_LIMIT, DS_QHIST_BINS);
}

static void set_e(ds_qhist *h, int64_t e)
{
    h->e = e;
    h->scale = ldexp(1.0, (int)-e);
}

/* Slot j of h takes in the values of bin b with ends c. */
static void merge_bin(ds_qhist *h, size_t j, const ds_qhist_bin *b, const ds_qhist_ends *c)
{
    ds_qhist_bin *d = &h->bin[j];
    ds_qhist_ends *de = &h->end[j];
    d->n += b->n;
    if (b->lo < d->lo) {
        d->lo = b->lo;
        de->n_lo = c->n_lo;
    } else if (b->lo == d->lo) {
        de->n_lo += c->n_lo;
    }
    if (b->hi > d->hi) {
        d->hi = b->hi;
        de->n_hi = c->n_hi;
    } else if (b->hi == d->hi) {
        de->n_hi += c->n_hi;
    }
}

/* Coarsen the bins to width 2^e (e > h->e): index i becomes
 * floor(i / 2^(e - h->e)), bins that meet are merged.  The occupied window is
 * copied out first, since new slots overlap old ones. */
static void coarsen(ds_qhist *h, int64_t e)
{
    static _Thread_local ds_qhist_bin tmp[DS_QHIST_BINS];
    static _Thread_local ds_qhist_ends tmp_end[DS_QHIST_BINS];
    static _Thread_local int64_t tmp_i[DS_QHIST_BINS];
    int64_t s = e - h->e;
    size_t nt = 0;

    /* Only the bins that hold values move (the other slots are empty). */
    for (int64_t i = h->lo_i; i <= h->hi_i; i++) {
        size_t slot = DS_QHIST_SLOT(i);
        if (h->bin[slot].n) {
            tmp[nt] = h->bin[slot];
            tmp_end[nt] = h->end[slot];
            tmp_i[nt++] = i;
            h->bin[slot] = empty_bin;
            h->end[slot] = empty_ends;
        }
    }
    for (size_t k = 0; k < nt; k++)
        merge_bin(h, DS_QHIST_SLOT(floor_shift(tmp_i[k], s)), &tmp[k], &tmp_end[k]);
    h->lo_i = floor_shift(h->lo_i, s);
    h->hi_i = floor_shift(h->hi_i, s);
    set_e(h, e);
}

/* Put c copies of x (finite, not -0) in x's bin; the window must fit it. */
static void put(ds_qhist *h, double x, uint64_t c)
{
    int64_t i = bin_index(x, h->scale);
    ds_qhist_bin some = {c, x, x};
    ds_qhist_ends ends = {c, c};
    merge_bin(h, DS_QHIST_SLOT(i), &some, &ends);
    if (i < h->lo_i)
        h->lo_i = i;
    if (i > h->hi_i)
        h->hi_i = i;
}

/* Min and max of the finite values (h->n > 0). */
static double min_of(const ds_qhist *h)
{
    return h->binned ? h->bin[DS_QHIST_SLOT(h->lo_i)].lo : h->val[0];
}

static double max_of(const ds_qhist *h)
{
    return h->binned ? h->bin[DS_QHIST_SLOT(h->hi_i)].hi : h->val[h->nv - 1];
}

/* Move the kept values into bins wide enough for a set with minimum lo and
 * maximum hi (lo <= every kept value <= hi; with no kept value, the window
 * starts at lo's bin): 0, or -1 (h unchanged, h->nomem set) when h cannot
 * have bins. */
static int kept_to_bins(ds_qhist *h, double lo, double hi)
{
    if (ensure_bins(h) != 0)
        return -1;
    set_e(h, find_e(lo, hi, DS_QHIST_EMIN));
    h->lo_i = h->hi_i = bin_index(h->nv ? h->val[0] : lo, h->scale);
    for (uint32_t k = 0; k < h->nv; k++)
        put(h, h->val[k], h->cnt[k]);
    memset(h->val, 0, sizeof h->val);
    memset(h->cnt, 0, sizeof h->cnt);
    h->nv = 0;
    h->mode = 0;
    h->binned = 1;
    return 0;
}

/* Kept value i's count grew (or it is new): make it the mode if it is now
 * the most frequent (ties: the smaller value, the smaller index). */
static void note_count(ds_qhist *h, uint64_t i)
{
    if (h->cnt[i] > h->cnt[h->mode] || (h->cnt[i] == h->cnt[h->mode] && i < h->mode))
        h->mode = i;
}

/* Add c copies of x (finite, not -0). */
static void insert(ds_qhist *h, double x, uint64_t c)
{
    if (!h->binned) {
        uint32_t lo = 0, hi = h->nv;           /* the first value >= x */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (h->val[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < h->nv && h->val[lo] == x) {
            h->cnt[lo] += c;
            note_count(h, lo);
            h->n += c;
            return;
        }
        if (h->nv < DS_QHIST_DISTINCT) {
            memmove(&h->val[lo + 1], &h->val[lo], (h->nv - lo) * sizeof *h->val);
            memmove(&h->cnt[lo + 1], &h->cnt[lo], (h->nv - lo) * sizeof *h->cnt);
            h->val[lo] = x;
            h->cnt[lo] = c;
            if (h->nv > 0 && h->mode >= lo)
                h->mode++;
            h->nv++;
            note_count(h, lo);
            h->n += c;
            return;
        }
        if (kept_to_bins(h, fmin(h->val[0], x), fmax(h->val[h->nv - 1], x)) != 0)
            return;               /* the value is lost: h->nomem says so */
    }
    {
        double lo = fmin(min_of(h), x), hi = fmax(max_of(h), x);
        int64_t e = find_e(lo, hi, h->e);
        if (e > h->e)
            coarsen(h, e);
    }
    put(h, x, c);
    h->n += c;
}

/* Count c copies of x (NaN or an infinity). */
static void count_non_finite(ds_qhist *h, double x, uint64_t c)
{
    if (isnan(x))
        h->n_nan += c;
    else if (x > 0)
        h->n_pinf += c;
    else
        h->n_ninf += c;
}

void ds_qhist_add_slow(ds_qhist *h, double x)
{
    if (!isfinite(x)) {
        count_non_finite(h, x, 1);
        return;
    }
    insert(h, x + 0.0, 1);
}

void ds_qhist_add_count(ds_qhist *h, double x, uint64_t c)
{
    if (c == 0)
        return;
    if (!isfinite(x)) {
        count_non_finite(h, x, c);
        return;
    }
    insert(h, x + 0.0, c);
}

/* The distinct finite values of a batch while there are few: an open
 * addressing set of their bit patterns (-0 stored as +0, so equal values
 * have equal bits), holding at most DS_QHIST_DISTINCT + 1 values at a load
 * of at most a quarter. */
#define FEW_SLOTS 512
_Static_assert(FEW_SLOTS >= 4 * (DS_QHIST_DISTINCT + 1) && (FEW_SLOTS & (FEW_SLOTS - 1)) == 0,
               "FEW_SLOTS must be a power of two with room for the distinct values");

typedef struct few_values {
    uint64_t key[FEW_SLOTS];   /* the value's bits */
    uint64_t cnt[FEW_SLOTS];   /* its copies in the batch */
    unsigned char used[FEW_SLOTS];
    uint32_t n;                /* distinct values in the set */
} few_values;

/* Add c copies of x (finite, not -0) to f: 1 if x is new to f, else 0. */
static int few_add(few_values *f, double x, uint64_t c)
{
    uint64_t key;
    size_t j;

    memcpy(&key, &x, sizeof key);
    j = (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 55) & (FEW_SLOTS - 1);
    while (f->used[j]) {
        if (f->key[j] == key) {
            f->cnt[j] += c;
            return 0;
        }
        j = (j + 1) & (FEW_SLOTS - 1);
    }
    f->used[j] = 1;
    f->key[j] = key;
    f->cnt[j] = c;
    f->n++;
    return 1;
}

/* x[0..n-1] into h while h keeps its values exactly: 1 when they stay
 * kept (they are then in h), 0 when they take more than DS_QHIST_DISTINCT
 * distinct values with h's (nothing added).  The kept values and the
 * batch's distinct values are gathered in a set until they are too many;
 * when they are not, each distinct value of the batch goes in once, with
 * its count: the kept form (the values, their counts and the mode)
 * depends only on the multiset. */
static int add_few(ds_qhist *h, const double *x, size_t n)
{
    few_values f;
    uint64_t nan = 0, pinf = 0, ninf = 0;

    memset(f.used, 0, sizeof f.used);
    f.n = 0;
    for (uint32_t k = 0; k < h->nv; k++)
        (void)few_add(&f, h->val[k], 0);
    for (size_t i = 0; i < n; i++) {
        double v = x[i] + 0.0;
        if (!isfinite(v)) {
            nan += isnan(v) != 0;
            pinf += v == INFINITY;
            ninf += v == -INFINITY;
        } else if (few_add(&f, v, 1) && f.n > DS_QHIST_DISTINCT) {
            return 0;
        }
    }
    for (size_t j = 0; j < FEW_SLOTS; j++)
        if (f.used[j] && f.cnt[j]) {
            double v;
            memcpy(&v, &f.key[j], sizeof v);
            insert(h, v, f.cnt[j]);
        }
    h->n_nan += nan;
    h->n_pinf += pinf;
    h->n_ninf += ninf;
    return 1;
}

/* Values per group of the binned loops of ds_qhist_add_many: the bins of
 * a group are fetched (prefetched) before any is updated, so that their
 * cache misses overlap. */
#define GROUP 16

/* The min and max of x[0..n-1] by the comparisons x < lo and x > hi (a
 * NaN changes neither; -0 and +0 compare equal), so that they are those of
 * the finite values whenever neither is infinite; and whether some x[j]
 * is NaN.  +inf, -inf when n = 0 or every value is NaN.  Four lanes at a
 * time where SSE2 has them: min and max are exact, so the lanes' order
 * does not change the result (up to the sign of a 0, which the caller
 * drops). */
static int scan_batch(const double *x, size_t n, double *lo_out, double *hi_out)
{
    double lo = INFINITY, hi = -INFINITY;
    int nan = 0;
    size_t j = 0;
#ifdef __SSE2__
    if (n >= 4) {
        __m128d l0 = _mm_set1_pd(INFINITY), l1 = l0;
        __m128d h0 = _mm_set1_pd(-INFINITY), h1 = h0;
        __m128d u = _mm_setzero_pd();
        double l[2], h[2];
        for (; j + 4 <= n; j += 4) {
            __m128d a = _mm_loadu_pd(x + j), b = _mm_loadu_pd(x + j + 2);
            l0 = _mm_min_pd(a, l0);    /* a < l0 ? a : l0, lane by lane */
            l1 = _mm_min_pd(b, l1);
            h0 = _mm_max_pd(a, h0);    /* a > h0 ? a : h0 */
            h1 = _mm_max_pd(b, h1);
            u = _mm_or_pd(u, _mm_cmpunord_pd(a, b));
        }
        nan = _mm_movemask_pd(u) != 0;
        _mm_storeu_pd(l, _mm_min_pd(l0, l1));
        _mm_storeu_pd(h, _mm_max_pd(h0, h1));
        lo = l[0] < l[1] ? l[0] : l[1];
        hi = h[0] > h[1] ? h[0] : h[1];
    }
#endif
    for (; j < n; j++) {
        lo = x[j] < lo ? x[j] : lo;
        hi = x[j] > hi ? x[j] : hi;
        nan |= x[j] != x[j];
    }
    *lo_out = lo;
    *hi_out = hi;
    return nan;
}

/* Finite value v (not -0) into bin b with the counts of its extremes e. */
static inline void bin_take(ds_qhist_bin *b, ds_qhist_ends *e, double v)
{
    b->n++;
    if (v <= b->lo) {
        if (v < b->lo) {
            b->lo = v;
            e->n_lo = 1;
        } else {
            e->n_lo++;
        }
    }
    if (v >= b->hi) {
        if (v > b->hi) {
            b->hi = v;
            e->n_hi = 1;
        } else {
            e->n_hi++;
        }
    }
}

/* Add finite values x[0..m-1] (m <= GROUP) to h's bins, whose window
 * holds them all, given that no x * scale underflows to -0 (so that
 * bin_index needs no check for it: scale >= 1, or no negative value):
 * the bins' counts, extremes and counts of extremes only (the caller sets
 * n, lo_i and hi_i).  Inline, so that a whole group's loops unroll. */
static inline void add_group(ds_qhist_bin *bin, ds_qhist_ends *end, double scale,
                             const double *x, size_t m)
{
    int64_t idx[GROUP];

    for (size_t g = 0; g < m; g++) {
        double q = x[g] * scale;
        int64_t k = (int64_t)q;               /* truncated, exactly */
        k -= (double)k > q;                   /* down to the floor */
        idx[g] = k;
        __builtin_prefetch(&bin[DS_QHIST_SLOT(k)], 1);
    }
    for (size_t g = 0; g < m; g++) {
        size_t slot = DS_QHIST_SLOT(idx[g]);

        bin_take(&bin[slot], &end[slot], x[g] + 0.0);   /* -0 -> +0 */
    }
}

/* The batch.  Its finite min and max are found first, so the bins' width
 * is fixed once for the whole batch (when the kept values move to bins, or
 * by one coarsening), where one value at a time would widen the bins at
 * every new extreme.  While the values are kept exactly, the batch stays
 * kept if it and the kept values take at most DS_QHIST_DISTINCT distinct
 * values (add_few), and otherwise all go to bins: the form depends only on
 * the multiset.  In bins, every value then falls inside the window and
 * needs no check.  A batch of finite values (the common case) takes a
 * loop with nothing else to check: the window's new ends are the bins of
 * the batch's min and max (bin_index is monotone), and each value's bin
 * needs no test for a product that underflowed to -0 when none can. */
void ds_qhist_add_many(ds_qhist *h, const double *x, size_t n)
{
    double lo, hi;
    int finite;
    size_t i = 0;

    if (n == 0)
        return;
    finite = !scan_batch(x, n, &lo, &hi);
    if (lo == -INFINITY || hi == INFINITY) {  /* min, max of the finite ones */
        finite = 0;
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t j = 0; j < n; j++)
            if (isfinite(x[j])) {
                lo = x[j] < lo ? x[j] : lo;
                hi = x[j] > hi ? x[j] : hi;
            }
    }
    lo += 0.0;                /* -0 -> +0, as the values are stored */
    hi += 0.0;
    if (!h->binned) {
        if (add_few(h, x, n))
            return;
        if (kept_to_bins(h, h->nv ? fmin(h->val[0], lo) : lo,
                         h->nv ? fmax(h->val[h->nv - 1], hi) : hi) != 0) {
            /* No bins: one at a time, each new value trying again (and
             * lost when it cannot, as in ds_qhist_add). */
            for (; i < n; i++)
                ds_qhist_add(h, x[i]);
            return;
        }
    } else {
        int64_t e = find_e(fmin(min_of(h), lo), fmax(max_of(h), hi), h->e);
        if (e > h->e)
            coarsen(h, e);
    }
    if (finite && (h->scale >= 1.0 || lo >= 0.0)) {
        /* Every value finite (n > 0, so lo <= hi are finite), and x * scale
         * is 0 only for x = 0. */
        const double scale = h->scale;
        int64_t lo_i = bin_index(lo, scale), hi_i = bin_index(hi, scale);

        for (; i + GROUP <= n; i += GROUP)
            add_group(h->bin, h->end, scale, x + i, GROUP);
        add_group(h->bin, h->end, scale, x + i, n - i);
        if (lo_i < h->lo_i)
            h->lo_i = lo_i;
        if (hi_i > h->hi_i)
            h->hi_i = hi_i;
        h->n += n;
        return;
    }
    {
        const double scale = h->scale;
        ds_qhist_bin *bin = h->bin;
        ds_qhist_ends *end = h->end;
        int64_t lo_i = h->lo_i, hi_i = h->hi_i;
        uint64_t added = 0;
        int64_t idx[GROUP];

        for (; i < n; i += GROUP) {
            size_t m = n - i < GROUP ? n - i : GROUP;
            for (size_t g = 0; g < m; g++) {
                double v = x[i + g];
                idx[g] = isfinite(v) ? bin_index(v + 0.0, scale) : 0;
                __builtin_prefetch(&bin[DS_QHIST_SLOT(idx[g])], 1);
            }
            for (size_t g = 0; g < m; g++) {
                double v = x[i + g] + 0.0;
                int64_t k;
                size_t slot;

                if (!isfinite(v)) {
                    count_non_finite(h, v, 1);
                    continue;
                }
                k = idx[g];
                slot = DS_QHIST_SLOT(k);
                bin_take(&bin[slot], &end[slot], v);
                lo_i = k < lo_i ? k : lo_i;
                hi_i = k > hi_i ? k : hi_i;
                added++;
            }
        }
        h->lo_i = lo_i;
        h->hi_i = hi_i;
        h->n += added;
    }
}

int ds_qhist_same(const ds_qhist *a, const ds_qhist *b)
{
    if (memcmp(a, b, offsetof(ds_qhist, owned)) != 0)
        return 0;
    return !a->binned || (memcmp(a->bin, b->bin, DS_QHIST_BINS * sizeof *a->bin) == 0 &&
                          memcmp(a->end, b->end, DS_QHIST_BINS * sizeof *a->end) == 0);
}

void ds_qhist_copy(ds_qhist *dst, const ds_qhist *src)
{
    if (src->binned && ensure_bins(dst) != 0)
        return;
    memcpy(dst, src, offsetof(ds_qhist, owned));
    if (src->binned)
        for (int64_t i = src->lo_i; i <= src->hi_i; i++) {
            dst->bin[DS_QHIST_SLOT(i)] = src->bin[DS_QHIST_SLOT(i)];
            dst->end[DS_QHIST_SLOT(i)] = src->end[DS_QHIST_SLOT(i)];
        }
}

void ds_qhist_merge(ds_qhist *dst, const ds_qhist *src)
{
    uint64_t n_nan = dst->n_nan + src->n_nan;
    uint64_t n_pinf = dst->n_pinf + src->n_pinf;
    uint64_t n_ninf = dst->n_ninf + src->n_ninf;

    if (src->n > 0 && !src->binned) {
        for (uint32_t k = 0; k < src->nv; k++)
            insert(dst, src->val[k], src->cnt[k]);
    } else if (src->n > 0 && !dst->binned) {
        /* dst keeps its values exactly: take src's bins (only its window:
         * a histogram is mostly empty slots), then add dst's values. */
        double keep[DS_QHIST_DISTINCT];
        uint64_t kc[DS_QHIST_DISTINCT];
        uint32_t nk = dst->nv;
        memcpy(keep, dst->val, nk * sizeof *keep);
        memcpy(kc, dst->cnt, nk * sizeof *kc);
        ds_qhist_copy(dst, src);          /* dst's bins are all empty */
        for (uint32_t k = 0; k < nk; k++)
            insert(dst, keep[k], kc[k]);
    } else if (src->n > 0) {
        double lo = fmin(min_of(dst), min_of(src));
        double hi = fmax(max_of(dst), max_of(src));
        int64_t e = find_e(lo, hi, dst->e > src->e ? dst->e : src->e);
        int64_t s = e - src->e;

        if (e > dst->e)
            coarsen(dst, e);
        for (int64_t i = src->lo_i; i <= src->hi_i; i++) {
            const ds_qhist_bin *b = &src->bin[DS_QHIST_SLOT(i)];
            int64_t t;
            if (b->n == 0)
                continue;
            t = floor_shift(i, s);
            merge_bin(dst, DS_QHIST_SLOT(t), b, &src->end[DS_QHIST_SLOT(i)]);
            if (t < dst->lo_i)
                dst->lo_i = t;
            if (t > dst->hi_i)
                dst->hi_i = t;
        }
        dst->n += src->n;
    }
    dst->n_nan = n_nan;
    dst->n_pinf = n_pinf;
    dst->n_ninf = n_ninf;
}

void ds_qhist_cursor_init(ds_qhist_cursor *c, const ds_qhist *h)
{
    c->i = h->binned ? h->lo_i : 0;
    c->cum = 0;
}

/* The order statistic of rank t (1-based) among a bin's n values with
 * min lo (n_lo copies) and max hi (n_hi copies): exact for the ranks of
 * its min and max, else linear in rank strictly between them. */
static double in_bin(uint64_t t, const ds_qhist_bin *b, const ds_qhist_ends *e)
{
    if (t <= e->n_lo)
        return b->lo;
    if (t > b->n - e->n_hi)
        return b->hi;
    /* ranks n_lo + 1 .. n - n_hi hold the values strictly inside: with
     * single extremes, (t - 1) / (n - 1) of the way. */
    return b->lo + (double)(t - e->n_lo) / (double)(b->n - e->n_lo - e->n_hi + 1) *
                       (b->hi - b->lo);
}

/* The k-th smallest finite value (1 <= k <= h->n), or its estimate: exact
 * for a kept value and for the ranks of a bin's min and max (every copy of
 * them), else in_bin.  The walk starts at cursor c when the value lies at
 * or after it, and c is left at the start of the value's bin (kept
 * value). */
static double order_stat(const void *src, uint64_t k, ds_qhist_cursor *c)
{
    const ds_qhist *h = src;
    uint64_t cum;

    if (c->cum >= k)                       /* before the cursor: from the start */
        ds_qhist_cursor_init(c, h);
    cum = c->cum;
    if (!h->binned) {
        for (uint32_t i = (uint32_t)c->i; i < h->nv; i++) {
            if (k <= cum + h->cnt[i]) {
                c->i = i;
                c->cum = cum;
                return h->val[i];
            }
            cum += h->cnt[i];
        }
        return NAN;           /* not reached: the counts add up to n */
    }
    for (int64_t i = c->i; i <= h->hi_i; i++) {
        const ds_qhist_bin *b = &h->bin[DS_QHIST_SLOT(i)];
        if (k <= cum + b->n) {
            c->i = i;
            c->cum = cum;
            return in_bin(k - cum, b, &h->end[DS_QHIST_SLOT(i)]);
        }
        cum += b->n;
    }
    return NAN;               /* not reached: the counts add up to n  GCOVR_EXCL_LINE */
}

/* The order statistics of a set with n finite values (the k-th smallest
 * by finite(src, k, c)), n_ninf -inf and n_pinf +inf: rank k of them all. */
typedef double (*finite_stat)(const void *src, uint64_t k, ds_qhist_cursor *c);

static double rank_stat(uint64_t n, uint64_t n_ninf, finite_stat finite, const void *src,
                        uint64_t k, ds_qhist_cursor *c)
{
    if (k <= n_ninf)
        return -INFINITY;
    k -= n_ninf;
    if (k > n)
        return INFINITY;
    return finite(src, k, c);
}

/* Hyndman-Fan type 7 quantile of order p of such a set (with n_nan NaN
 * besides). */
static double quantile7(uint64_t n, uint64_t n_nan, uint64_t n_pinf, uint64_t n_ninf,
                        finite_stat finite, const void *src, double p, ds_qhist_cursor *c)
{
    uint64_t total = n + n_pinf + n_ninf, k;
    double hh, g, lo, hi, d;

    if (n_nan || total == 0 || !(p >= 0.0 && p <= 1.0))
        return NAN;
    hh = (double)(total - 1) * p + 1.0;   /* Hyndman-Fan type 7 */
    k = (uint64_t)floor(hh);
    g = hh - floor(hh);
    lo = rank_stat(n, n_ninf, finite, src, k, c);
    if (g == 0.0 || k >= total)
        return lo;
    hi = rank_stat(n, n_ninf, finite, src, k + 1, c);
    if (lo == hi)
        return lo;
    if (isinf(lo) || isinf(hi))   /* any weight on an infinity */
        return isinf(lo) && isinf(hi) ? NAN : (isinf(lo) ? lo : hi);
    d = hi - lo;
    if (isinf(d))                 /* finite ends of opposite huge signs */
        return (1.0 - g) * lo + g * hi;
    return lo + g * d;
}

double ds_qhist_quantile(const ds_qhist *h, double p)
{
    ds_qhist_cursor c;
    ds_qhist_cursor_init(&c, h);
    return ds_qhist_quantile_at(h, p, &c);
}

double ds_qhist_quantile_at(const ds_qhist *h, double p, ds_qhist_cursor *c)
{
    return quantile7(h->n, h->n_nan, h->n_pinf, h->n_ninf, order_stat, h, p, c);
}

/* ---- views ---------------------------------------------------------------- */

/* Values of a bucket of the counting sort beyond which it is sorted by
 * qsort rather than by insertion. */
#define VIEW_INSERTION_MAX 32

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* a[0..n-1] in ascending order (finite values). */
static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t q = i;
        while (q > 0 && a[q - 1] > v) {
            a[q] = a[q - 1];
            q--;
        }
        a[q] = v;
    }
}

/* a[0..n-1] (finite, n >= 2) in ascending order, into a itself, with
 * tmp[n] and cnt[DS_QHIST_BINS + 1] as scratch: a few values by insertion;
 * more by a counting sort by the bins of width 2^e that the range [lo, hi]
 * of the values needs (at most DS_QHIST_BINS of them), then each bucket
 * sorted on its own. */
static void view_sort(double *a, size_t n, double lo, double hi, double *tmp, uint32_t *cnt)
{
    double scale;
    int64_t base;
    size_t top;

    if (n <= 2 * VIEW_INSERTION_MAX) {
        insertion_sort(a, n);
        return;
    }
    scale = ldexp(1.0, (int)-find_e(lo, hi, DS_QHIST_EMIN));
    base = bin_index(lo, scale);
    /* Buckets 0..top hold the values (bin_index is monotone): only
     * their counts are used. */
    top = (size_t)(bin_index(hi, scale) - base);

    memset(cnt, 0, (top + 2) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[bin_index(a[i], scale) - base + 1]++;
    for (size_t j = 1; j <= top + 1; j++)
        cnt[j] += cnt[j - 1];
    for (size_t i = 0; i < n; i++)
        tmp[cnt[bin_index(a[i], scale) - base]++] = a[i];
    /* cnt[j] is now the end of bucket j (its start is cnt[j - 1]). */
    for (size_t j = 0, start = 0; j <= top && start < n; start = cnt[j++]) {
        size_t end = cnt[j];
        if (end - start > VIEW_INSERTION_MAX)
            qsort(tmp + start, end - start, sizeof *tmp, cmp_double);
        else
            insertion_sort(tmp + start, end - start);
    }
    memcpy(a, tmp, n * sizeof *a);
}

/* The sorted form of the view: the n = v->na finite values a[] (counts
 * ac[]) in range [lo, hi], sorted, as distinct values with counts, then as
 * the histogram's bins: each distinct value while they are at most
 * DS_QHIST_DISTINCT, else the bins of width 2^e with their count, min, max
 * and the counts of those. */
static void view_sorted(ds_qhist_view *v, size_t na, double lo, double hi)
{
    size_t nk = v->na - na, nd = 0;
    double *kv = v->tmp + DS_QHIST_VIEW_MAX;   /* the kept values: after the batch */

    /* The batch's na values come first; the kept ones after them are
     * already ascending and apart. */
    memcpy(kv, v->a + na, nk * sizeof *kv);
    memcpy(v->dc + DS_QHIST_VIEW_MAX, v->ac + na, nk * sizeof *v->dc);
    if (na > 1)
        view_sort(v->a, na, lo, hi, v->tmp, v->sc);
    /* Merge: distinct values into bin[] for now (lo = the value, n = its
     * count). */
    for (size_t i = 0, k = 0; i < na || k < nk;) {
        double y;
        uint64_t c;
        if (k < nk && (i == na || kv[k] <= v->a[i])) {
            y = kv[k];
            c = v->dc[DS_QHIST_VIEW_MAX + k++];
        } else {
            y = v->a[i++];
            c = 1;
        }
        if (nd && v->bin[nd - 1].lo == y)
            v->bin[nd - 1].n += c;
        else
            v->bin[nd++] = (ds_qhist_bin){c, y, y};
    }
    for (size_t j = 0; j < nd; j++)
        v->end[j] = (ds_qhist_ends){v->bin[j].n, v->bin[j].n};
    v->nb = nd;
    if (nd <= DS_QHIST_DISTINCT)
        return;
    {
        double scale = ldexp(1.0, (int)-find_e(lo, hi, DS_QHIST_EMIN));
        int64_t cur = bin_index(v->bin[0].lo, scale);
        size_t nb = 1;
        for (size_t j = 1; j < nd; j++) {
            int64_t i = bin_index(v->bin[j].lo, scale);
            if (i != cur) {
                v->bin[nb] = v->bin[j];
                v->end[nb++] = v->end[j];
                cur = i;
            } else {
                ds_qhist_bin *b = &v->bin[nb - 1];
                v->end[nb - 1].n_hi = v->bin[j].n;
                b->n += v->bin[j].n;
                b->hi = v->bin[j].hi;
            }
        }
        v->nb = nb;
    }
}

/* The number of 1s in u[0..n-1] (each 0 or 1; n a multiple of 16),
 * sixteen at a time where SSE2 has them. */
static size_t count_ones(const unsigned char *u, size_t n)
{
    size_t sum = 0, i = 0;
#ifdef __SSE2__
    __m128i acc = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16)    /* each byte 0 or 1: sums of 8 bytes */
        acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(u + i)),
                                              _mm_setzero_si128()));
    {
        uint64_t lane[2];
        _mm_storeu_si128((__m128i *)lane, acc);
        sum = (size_t)(lane[0] + lane[1]);
    }
#endif
    for (; i < n; i++)
        sum += u[i];
    return sum;
}

/* Value i of a view, of count c, is in bin j (an offset from the first).
 * Only stores besides bc[j]'s increment, so that the values' chains of
 * dependences are short; the blocks' counts and the bins in use are
 * counted after. */
static inline void view_count(ds_qhist_view *v, size_t i, uint16_t j, uint64_t c)
{
    v->ai[i] = j;
    v->bc[j] += c;
    v->inuse[j] = 1;
    v->fi[j] = (uint16_t)i;
}

int ds_qhist_view_make(ds_qhist_view *v, const ds_qhist *h, const double *x, size_t n,
                       uint64_t zeros)
{
    double lo = INFINITY, hi = -INFINITY, scale;
    size_t na = 0, nbatch, used = 0, top;
    const uint64_t n0 = zeros;
    const double *src = v->a;   /* the batch's finite values, as given */
    int64_t base;

    if (h->binned || n > DS_QHIST_VIEW_MAX)
        return -1;
    v->n_nan = h->n_nan;
    v->n_pinf = h->n_pinf;
    v->n_ninf = h->n_ninf;
    if (n > 0 && !scan_batch(x, n, &lo, &hi) && isfinite(lo) && isfinite(hi)) {
        /* All finite (the usual batch): copied into a[] below, with
         * nothing to check; the extremes' 0s made +0, as the values. */
        src = x;
        na = n;
        lo += 0.0;
        hi += 0.0;
    } else {
        lo = INFINITY;
        hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double y = x[i] + 0.0;
            if (!isfinite(y)) {
                v->n_nan += isnan(y) != 0;
                v->n_pinf += y == INFINITY;
                v->n_ninf += y == -INFINITY;
                continue;
            }
            v->a[na++] = y;
            lo = y < lo ? y : lo;
            hi = y > hi ? y : hi;
        }
    }
    nbatch = na;
    /* The kept values, ascending and apart, with the zeros among them. */
    for (uint32_t k = 0; k <= h->nv; k++) {
        if (zeros && (k == h->nv || h->val[k] >= 0.0)) {
            v->a[na] = 0.0;
            v->ac[na++] = zeros;
            if (k < h->nv && h->val[k] == 0.0) {
                v->ac[na - 1] += h->cnt[k];
                k++;
            }
            zeros = 0;
        }
        if (k < h->nv) {
            v->a[na] = h->val[k];
            v->ac[na++] = h->cnt[k];
        }
    }
    if (na > nbatch) {
        lo = fmin(lo, v->a[nbatch]);
        hi = fmax(hi, v->a[na - 1]);
    }
    v->n = h->n + nbatch + n0;
    v->na = na;
    v->nbatch = nbatch;
    v->nb = 0;
    v->counted = 0;
    v->last = -1;
    if (v->n == 0)
        return 0;
    if (na <= DS_QHIST_DISTINCT) {       /* few values: sorting is cheap */
        if (src == x)
            for (size_t i = 0; i < nbatch; i++)
                v->a[i] = x[i] + 0.0;    /* -0 -> +0, as the values are stored */
        view_sorted(v, nbatch, lo, hi);
        return 0;
    }
    scale = ldexp(1.0, (int)-find_e(lo, hi, DS_QHIST_EMIN));
    base = bin_index(lo, scale);
    /* The values fill bins 0..top (bin_index is monotone), so blocks
     * 0..top / 64.  Only those are emptied and counted: a walk to an order
     * statistic (rank at most the count of finite values) stops in the
     * last at the latest. */
    top = (size_t)(bin_index(hi, scale) - base);
    v->nblk = top / 64 + 1;
    memset(v->bc, 0, v->nblk * 64 * sizeof *v->bc);
    memset(v->inuse, 0, v->nblk * 64);
    /* Each value's bin and the bins' counts (view_count). */
    {
        size_t i = 0;
#ifdef __SSE2__
        /* Two values at a time while every product x scale of the set (in
         * bins base .. base + top) fits in 32 bits: bin_index's steps in
         * SSE2, truncated to 32 bits instead of 64. */
        if (base > -((int64_t)1 << 30) && base < ((int64_t)1 << 30)) {
            const __m128d sc = _mm_set1_pd(scale), zero = _mm_setzero_pd();
            const __m128i b32 = _mm_set1_epi32((int32_t)base);
            for (; i + 2 <= nbatch; i += 2) {
                __m128d y = _mm_add_pd(_mm_loadu_pd(src + i), zero);   /* -0 -> +0 */
                __m128d q = _mm_mul_pd(y, sc);
                __m128i t = _mm_cvttpd_epi32(q);
                /* Down to the floor: all ones (-1) in a lane that goes down. */
                __m128d down = _mm_or_pd(_mm_cmpgt_pd(_mm_cvtepi32_pd(t), q),
                                         _mm_and_pd(_mm_cmpeq_pd(q, zero), _mm_cmplt_pd(y, zero)));
                __m128i jj = _mm_sub_epi32(
                    _mm_add_epi32(t, _mm_shuffle_epi32(_mm_castpd_si128(down), _MM_SHUFFLE(3, 3, 2, 0))),
                    b32);
                uint16_t j0 = (uint16_t)_mm_cvtsi128_si32(jj);
                uint16_t j1 = (uint16_t)_mm_cvtsi128_si32(_mm_srli_si128(jj, 4));
                _mm_storeu_pd(v->a + i, y);
                view_count(v, i, j0, 1);
                view_count(v, i + 1, j1, 1);
            }
        }
#endif
        for (; i < nbatch; i++) {
            double y = src[i] + 0.0;     /* -0 -> +0, as the values are stored */
            v->a[i] = y;
            view_count(v, i, (uint16_t)(bin_index(y, scale) - base), 1);
        }
    }
    for (size_t i = nbatch; i < na; i++)
        view_count(v, i, (uint16_t)(bin_index(v->a[i], scale) - base), v->ac[i]);
    for (size_t b = 0; b < v->nblk; b++) {
        const uint64_t *c = v->bc + b * 64;
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t j = 0; j < 64; j += 4) {
            s0 += c[j];
            s1 += c[j + 1];
            s2 += c[j + 2];
            s3 += c[j + 3];
        }
        v->cc[b] = (s0 + s1) + (s2 + s3);
    }
    used = count_ones(v->inuse, v->nblk * 64);
    /* At least as many distinct values as bins in use: more than
     * DS_QHIST_DISTINCT bins means bins.  Fewer may be kept exactly. */
    if (used <= DS_QHIST_DISTINCT) {
        view_sorted(v, nbatch, lo, hi);
        return 0;
    }
    v->counted = 1;
    return 0;
}

/* Value i of a counted view into the extremes lo, hi of its bin and their
 * counts n_lo, n_hi: returns its count. */
static inline uint64_t view_take(const ds_qhist_view *v, size_t i, double *lo, double *hi,
                                 uint64_t *n_lo, uint64_t *n_hi)
{
    double y = v->a[i];
    uint64_t c = i < v->nbatch ? 1 : v->ac[i];
    if (y < *lo) {
        *lo = y;
        *n_lo = 0;
    }
    if (y == *lo)
        *n_lo += c;
    if (y > *hi) {
        *hi = y;
        *n_hi = 0;
    }
    if (y == *hi)
        *n_hi += c;
    return c;
}

/* Bin j of a counted view: its count, min, max and their counts (kept for
 * the next order statistic, most often in the same bin).  The bin's last
 * value is known; the values' bins are scanned from it backwards, eight at
 * a time where SSE2 has them, until the values found make up the bin's
 * count (at once when the last is the bin's only value). */
static void view_bin(ds_qhist_view *v, size_t j)
{
    double lo = INFINITY, hi = -INFINITY;
    uint64_t n_lo = 0, n_hi = 0, got;
    size_t i = v->fi[j];

    if (v->last == (int64_t)j)
        return;
    got = view_take(v, i, &lo, &hi, &n_lo, &n_hi);
#ifdef __SSE2__
    {
        const __m128i jj = _mm_set1_epi16((short)j);
        while (got < v->bc[j] && i >= 8) {
            i -= 8;
            /* Two bits per 16-bit lane; the low one of each. */
            unsigned m = (unsigned)_mm_movemask_epi8(
                             _mm_cmpeq_epi16(_mm_loadu_si128((const __m128i *)(v->ai + i)), jj)) &
                         0x5555u;
            for (size_t t = i; m; t++, m >>= 2)
                if (m & 1u)
                    got += view_take(v, t, &lo, &hi, &n_lo, &n_hi);
        }
    }
#endif
    while (got < v->bc[j] && i > 0)
        if (v->ai[--i] == j)
            got += view_take(v, i, &lo, &hi, &n_lo, &n_hi);
    v->lastb = (ds_qhist_bin){v->bc[j], lo, hi};
    v->laste = (ds_qhist_ends){n_lo, n_hi};
    v->last = (int64_t)j;
}

/* order_stat over a sorted view: its bins one after the other. */
static double view_stat(const void *src, uint64_t k, ds_qhist_cursor *c)
{
    const ds_qhist_view *v = src;
    uint64_t cum;

    if (c->cum >= k) {
        c->i = 0;
        c->cum = 0;
    }
    cum = c->cum;
    for (size_t j = (size_t)c->i; j < v->nb; j++) {
        if (k <= cum + v->bin[j].n) {
            c->i = (int64_t)j;
            c->cum = cum;
            return in_bin(k - cum, &v->bin[j], &v->end[j]);
        }
        cum += v->bin[j].n;
    }
    return NAN;               /* not reached: the counts add up to n  GCOVR_EXCL_LINE */
}

/* order_stat over a counted view: the block of rank k by the blocks'
 * counts, the bin by its 64 bins' counts, then the bin's extremes
 * (view_bin). */
static double view_stat_counted(const void *src, uint64_t k, ds_qhist_cursor *c)
{
    ds_qhist_view *v = (ds_qhist_view *)src;  /* keeps its last bin */
    uint64_t cum;
    size_t j;

    if (c->cum >= k) {
        c->i = 0;
        c->cum = 0;
    }
    cum = c->cum;
    for (j = (size_t)c->i; j / 64 < v->nblk; j++) {
        if (j % 64 == 0) {
            size_t b = j / 64;
            while (b + 1 < v->nblk && cum + v->cc[b] < k)
                cum += v->cc[b++];
            j = b * 64;
        }
        if (k <= cum + v->bc[j]) {
            c->i = (int64_t)j;
            c->cum = cum;
            view_bin(v, j);
            return in_bin(k - cum, &v->lastb, &v->laste);
        }
        cum += v->bc[j];
    }
    return NAN;               /* not reached: the counts add up to n  GCOVR_EXCL_LINE */
}

double ds_qhist_view_quantile(ds_qhist_view *v, double p, ds_qhist_cursor *c)
{
    return quantile7(v->n, v->n_nan, v->n_pinf, v->n_ninf,
                     v->counted ? view_stat_counted : view_stat, v, p, c);
}

/* Plotting bins' edges are j 2^w with |j| <= 2^53: exact doubles. */
#define EDGE_IDX_LIMIT 9007199254740992.0 /* 2^53 */

size_t ds_qhist_histogram(const ds_qhist *h, size_t max_bins, double *edges,
                          uint64_t *counts)
{
    double lo, hi, scale;
    int64_t w, jlo, jhi;
    size_t nb;

    if (h->n == 0 || max_bins < 1 || max_bins > DS_QHIST_BINS)
        return 0;
    lo = min_of(h);
    hi = max_of(h);
    if (lo == hi) {           /* one value: one bin of zero width */
        edges[0] = edges[1] = lo;
        counts[0] = h->n;
        return 1;
    }
    /* The answer is never below the bins' e: fewer bins and smaller
     * indices than (a) and (b) ask for satisfy them too.  So the plotting
     * bins are groups of 2^(w - e) adjacent bins, with exact counts. */
    w = find_width(lo, hi, h->binned ? h->e : DS_QHIST_EMIN, EDGE_IDX_LIMIT,
                   (int64_t)max_bins);
    scale = ldexp(1.0, (int)-w);
    jlo = bin_index(lo, scale);
    jhi = bin_index(hi, scale);
    nb = (size_t)(jhi - jlo + 1);
    memset(counts, 0, nb * sizeof *counts);
    if (h->binned) {
        for (int64_t i = h->lo_i; i <= h->hi_i; i++) {
            const ds_qhist_bin *b = &h->bin[DS_QHIST_SLOT(i)];
            if (b->n)
                counts[floor_shift(i, w - h->e) - jlo] += b->n;
        }
    } else {
        for (uint32_t k = 0; k < h->nv; k++)
            counts[bin_index(h->val[k], scale) - jlo] += h->cnt[k];
    }
    for (size_t j = 0; j <= nb; j++)
        edges[j] = ldexp((double)(jlo + (int64_t)j), (int)w);
    return nb;
}

/* ---- between processes ---------------------------------------------------- */

/* The packed form: the value fields (those before `owned`), then, when the
 * values are in the bins, the window's bins and ends from lo_i to hi_i. */
static size_t window(const ds_qhist *h)
{
    return h->binned ? (size_t)(h->hi_i - h->lo_i + 1) : 0;
}

size_t ds_qhist_pack(const ds_qhist *h, void *buf, size_t cap)
{
    size_t need = offsetof(ds_qhist, owned) +
                  window(h) * (sizeof(ds_qhist_bin) + sizeof(ds_qhist_ends));
    char *o = buf;

    if (!buf || cap < need)
        return need;
    memcpy(o, h, offsetof(ds_qhist, owned));
    o += offsetof(ds_qhist, owned);
    for (int64_t i = h->lo_i; h->binned && i <= h->hi_i; i++) {
        memcpy(o, &h->bin[DS_QHIST_SLOT(i)], sizeof(ds_qhist_bin));
        o += sizeof(ds_qhist_bin);
        memcpy(o, &h->end[DS_QHIST_SLOT(i)], sizeof(ds_qhist_ends));
        o += sizeof(ds_qhist_ends);
    }
    return need;
}

size_t ds_qhist_unpack(ds_qhist *h, const void *buf, size_t len)
{
    const size_t head = offsetof(ds_qhist, owned);
    ds_qhist v;
    const char *in = buf;
    size_t need;

    if (len < head)
        return 0;
    memcpy(&v, buf, head);
    if (v.binned > 1 || v.nv > DS_QHIST_DISTINCT ||
        (v.binned && (v.hi_i < v.lo_i || v.hi_i - v.lo_i >= DS_QHIST_BINS)))
        return 0;
    need = head + window(&v) * (sizeof(ds_qhist_bin) + sizeof(ds_qhist_ends));
    if (len < need)
        return 0;
    ds_qhist_reset(h);
    if (v.binned && ensure_bins(h) != 0)
        return 0;
    memcpy(h, &v, head);
    in += head;
    for (int64_t i = v.lo_i; v.binned && i <= v.hi_i; i++) {
        memcpy(&h->bin[DS_QHIST_SLOT(i)], in, sizeof(ds_qhist_bin));
        in += sizeof(ds_qhist_bin);
        memcpy(&h->end[DS_QHIST_SLOT(i)], in, sizeof(ds_qhist_ends));
        in += sizeof(ds_qhist_ends);
    }
    return need;
}
