/*
 * qhist.c - mergeable quantile histogram with exact per-bin min and max.
 *
 * The bin exponent e is the smallest integer >= DS_QHIST_EMIN such that
 * (a) the aligned bins from floor(min/2^e) to floor(max/2^e) number at most
 * DS_QHIST_BINS and (b) every |x| / 2^e < 2^62.  It depends only on the min
 * and max of the set and grows with the set, and coarsening (merging bins
 * pairwise, index i -> floor(i / 2)) commutes with union, so adding values in
 * any order, or merging histograms in any order, gives the same bytes.
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
 * The first DS_QHIST_SMALL finite values are kept sorted instead (bins
 * empty); the next one moves them into bins at the e of the set so far.  The
 * state still depends only on the multiset: n decides which form it is in.
 *
 * Quantiles: Hyndman, R. J. and Fan, Y. (1996), "Sample quantiles in
 * statistical packages", The American Statistician 50(4), 361-365, type 7:
 * h = (n - 1) p + 1, Q = x_floor(h) + (h - floor(h)) (x_ceil(h) - x_floor(h)).
 */
#include "qhist.h"

#include <stddef.h>
#include <string.h>

static const ds_qhist_bin empty_bin = { 0, INFINITY, -INFINITY };

void ds_qhist_init(ds_qhist *h)
{
    memset(h, 0, sizeof *h);
    h->e = DS_QHIST_EMIN;
    h->scale = ldexp(1.0, -DS_QHIST_EMIN);
    for (int j = 0; j < DS_QHIST_BINS; j++)
        h->bin[j] = empty_bin;
}

void ds_qhist_reset(ds_qhist *h)
{
    if (h->n > DS_QHIST_SMALL)              /* slots outside the window are empty */
        for (int64_t i = h->lo_i; i <= h->hi_i; i++)
            h->bin[DS_QHIST_SLOT(i)] = empty_bin;
    h->e = DS_QHIST_EMIN;
    h->scale = ldexp(1.0, -DS_QHIST_EMIN);
    h->lo_i = h->hi_i = 0;
    memset(h->small, 0, sizeof h->small);
    h->n = h->n_nan = h->n_pinf = h->n_ninf = 0;
}

/* floor(x / 2^e) given scale = 2^-e, exact while |x| / 2^e < 2^62. */
static int64_t bin_index(double x, double scale)
{
    double q = floor(x * scale);
    if (q == 0.0 && x < 0.0)  /* the product underflowed to -0 */
        q = -1.0;
    return (int64_t)q;
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

/* Conditions (a) and (b) for a set with minimum lo and maximum hi. */
static int fits(double lo, double hi, int64_t e)
{
    double scale = ldexp(1.0, (int)-e);
    if (!(fabs(lo * scale) < DS_QHIST_IDX_LIMIT &&
          fabs(hi * scale) < DS_QHIST_IDX_LIMIT))
        return 0;
    return bin_index(hi, scale) - bin_index(lo, scale) < DS_QHIST_BINS;
}

/* The smallest e >= e0 that fits [lo, hi]; e0 must not exceed the answer. */
static int64_t find_e(double lo, double hi, int64_t e0)
{
    double m = fmax(fabs(lo), fabs(hi));
    int64_t e = e0;
    int k;

    if (m > 0) {              /* (b) needs e >= k - 62 where m < 2^k */
        (void)frexp(m, &k);
        if ((int64_t)k - 63 > e)
            e = (int64_t)k - 63;
    }
    while (!fits(lo, hi, e))
        e++;
    return e;
}

static void set_e(ds_qhist *h, int64_t e)
{
    h->e = e;
    h->scale = ldexp(1.0, (int)-e);
}

static void merge_bin(ds_qhist_bin *dst, const ds_qhist_bin *src)
{
    dst->n += src->n;
    if (src->lo < dst->lo)
        dst->lo = src->lo;
    if (src->hi > dst->hi)
        dst->hi = src->hi;
}

/* Coarsen the bins to width 2^e (e > h->e): index i becomes
 * floor(i / 2^(e - h->e)), bins that meet are merged.  The occupied window is
 * copied out first, since new slots overlap old ones. */
static void coarsen(ds_qhist *h, int64_t e)
{
    static _Thread_local ds_qhist_bin tmp[DS_QHIST_BINS];
    int64_t s = e - h->e, w = h->hi_i - h->lo_i + 1;

    for (int64_t k = 0; k < w; k++) {
        size_t slot = DS_QHIST_SLOT(h->lo_i + k);
        tmp[k] = h->bin[slot];
        h->bin[slot] = empty_bin;
    }
    for (int64_t k = 0; k < w; k++)
        if (tmp[k].n)
            merge_bin(&h->bin[DS_QHIST_SLOT(floor_shift(h->lo_i + k, s))], &tmp[k]);
    h->lo_i = floor_shift(h->lo_i, s);
    h->hi_i = floor_shift(h->hi_i, s);
    set_e(h, e);
}

/* Put x (finite, not -0) in its bin; the window must fit it. */
static void put(ds_qhist *h, double x)
{
    int64_t i = bin_index(x, h->scale);
    ds_qhist_bin one = {1, x, x};
    merge_bin(&h->bin[DS_QHIST_SLOT(i)], &one);
    if (i < h->lo_i)
        h->lo_i = i;
    if (i > h->hi_i)
        h->hi_i = i;
}

/* Move the DS_QHIST_SMALL kept values into bins (h->n == DS_QHIST_SMALL). */
static void small_to_bins(ds_qhist *h)
{
    set_e(h, find_e(h->small[0], h->small[h->n - 1], DS_QHIST_EMIN));
    h->lo_i = h->hi_i = bin_index(h->small[0], h->scale);
    for (uint64_t k = 0; k < h->n; k++)
        put(h, h->small[k]);
    memset(h->small, 0, sizeof h->small);
}

void ds_qhist_add_slow(ds_qhist *h, double x)
{
    if (!isfinite(x)) {
        if (isnan(x))
            h->n_nan++;
        else if (x > 0)
            h->n_pinf++;
        else
            h->n_ninf++;
        return;
    }
    x += 0.0;
    if (h->n < DS_QHIST_SMALL) {             /* insert into the sorted values */
        uint64_t k = h->n;
        while (k > 0 && h->small[k - 1] > x) {
            h->small[k] = h->small[k - 1];
            k--;
        }
        h->small[k] = x;
        h->n++;
        return;
    }
    if (h->n == DS_QHIST_SMALL)
        small_to_bins(h);
    {
        double lo = fmin(h->bin[DS_QHIST_SLOT(h->lo_i)].lo, x);
        double hi = fmax(h->bin[DS_QHIST_SLOT(h->hi_i)].hi, x);
        int64_t e = find_e(lo, hi, h->e);
        if (e > h->e)
            coarsen(h, e);
    }
    put(h, x);
    h->n++;
}

void ds_qhist_merge(ds_qhist *dst, const ds_qhist *src)
{
    uint64_t n_nan = dst->n_nan + src->n_nan;
    uint64_t n_pinf = dst->n_pinf + src->n_pinf;
    uint64_t n_ninf = dst->n_ninf + src->n_ninf;

    if (src->n > 0 && src->n <= DS_QHIST_SMALL) {
        for (uint64_t k = 0; k < src->n; k++)
            ds_qhist_add(dst, src->small[k]);
    } else if (src->n > 0 && dst->n <= DS_QHIST_SMALL) {
        /* dst holds at most DS_QHIST_SMALL values: take src's bins (only
         * its window: a histogram is mostly empty slots), then add them. */
        double keep[DS_QHIST_SMALL];
        uint64_t nk = dst->n;
        memcpy(keep, dst->small, (size_t)nk * sizeof *keep);
        memcpy(dst, src, offsetof(ds_qhist, bin));
        for (int64_t i = src->lo_i; i <= src->hi_i; i++)
            dst->bin[DS_QHIST_SLOT(i)] = src->bin[DS_QHIST_SLOT(i)];
        for (uint64_t k = 0; k < nk; k++)
            ds_qhist_add(dst, keep[k]);
    } else if (src->n > 0) {
        double lo = fmin(dst->bin[DS_QHIST_SLOT(dst->lo_i)].lo,
                         src->bin[DS_QHIST_SLOT(src->lo_i)].lo);
        double hi = fmax(dst->bin[DS_QHIST_SLOT(dst->hi_i)].hi,
                         src->bin[DS_QHIST_SLOT(src->hi_i)].hi);
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
            merge_bin(&dst->bin[DS_QHIST_SLOT(t)], b);
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

/* The k-th smallest value (1-based, k <= total count), or its estimate:
 * the bin's min or max for its first or last value, else linear in rank
 * between them. */
static double order_stat(const ds_qhist *h, uint64_t k)
{
    uint64_t cum = 0;

    if (k <= h->n_ninf)
        return -INFINITY;
    k -= h->n_ninf;
    if (k > h->n)
        return INFINITY;
    if (h->n <= DS_QHIST_SMALL)
        return h->small[k - 1];
    for (int64_t i = h->lo_i; i <= h->hi_i; i++) {
        const ds_qhist_bin *b = &h->bin[DS_QHIST_SLOT(i)];
        if (k <= cum + b->n) {
            uint64_t t = k - cum;
            if (t == 1)
                return b->lo;
            if (t == b->n)
                return b->hi;
            return b->lo + (double)(t - 1) / (double)(b->n - 1) * (b->hi - b->lo);
        }
        cum += b->n;
    }
    return NAN;               /* not reached: the counts add up to n  GCOVR_EXCL_LINE */
}

double ds_qhist_quantile(const ds_qhist *h, double p)
{
    uint64_t total = h->n + h->n_pinf + h->n_ninf, k;
    double hh, g, lo, hi, d;

    if (h->n_nan || total == 0 || !(p >= 0.0 && p <= 1.0))
        return NAN;
    hh = (double)(total - 1) * p + 1.0;   /* Hyndman-Fan type 7 */
    k = (uint64_t)floor(hh);
    g = hh - floor(hh);
    lo = order_stat(h, k);
    if (g == 0.0 || k >= total)
        return lo;
    hi = order_stat(h, k + 1);
    if (lo == hi)
        return lo;
    if (isinf(lo) || isinf(hi))   /* any weight on an infinity */
        return isinf(lo) && isinf(hi) ? NAN : (isinf(lo) ? lo : hi);
    d = hi - lo;
    if (isinf(d))                 /* finite ends of opposite huge signs */
        return (1.0 - g) * lo + g * hi;
    return lo + g * d;
}
