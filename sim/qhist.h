/*
 * qhist.h - mergeable quantile histogram (private to sim/).
 *
 * While the values added take at most DS_QHIST_DISTINCT distinct values, it
 * keeps them exactly, each with its count.  Beyond that, at most
 * DS_QHIST_BINS bins of width 2^e aligned at multiples of 2^e, each with its
 * count, the exact min and max of its values and how many values equal
 * each.  The contents (the whole struct, byte for byte) depend only on the
 * multiset of values added, never on their order or on how sets were
 * merged; ds_stats uses it for the quantile columns and the JSON histograms
 * of SPEC §6.
 */
#ifndef DEALSIM_QHIST_H
#define DEALSIM_QHIST_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Bins: error <= one bin width < 2 range / (K - 1) = 0.098% of the range for
 * K = 2048, inside the 0.1% that SPEC §6 allows. */
#define DS_QHIST_BINS 2048

/* Up to this many distinct finite values are kept exactly, with their
 * counts, before the bins are used: a metric that takes few values (every
 * metric of a scenario without uncertainty, a benefit that is 0 in most
 * draws) has exact quantiles however many draws there are; and a new
 * histogram's first values, which keep moving its range, do not cost a
 * pass over the bins each. */
#define DS_QHIST_DISTINCT 64
/* Finest bin width 2^-1022 (2^-e must be a normal double to scale by). */
#define DS_QHIST_EMIN (-1022)
/* Bin indices stay below 2^62 in magnitude, so they are exact int64 values
 * (x * 2^-e is exact: a scaling by a power of two). */
#define DS_QHIST_IDX_LIMIT 4611686018427387904.0 /* 2^62 */

typedef struct ds_qhist_bin {
    uint64_t n;         /* values in the bin */
    uint64_t n_lo;      /* how many of them equal lo (0 when empty) */
    uint64_t n_hi;      /* how many equal hi (n_lo = n_hi = n if lo == hi) */
    double lo, hi;      /* their exact min and max; +inf, -inf when empty */
} ds_qhist_bin;

typedef struct ds_qhist {
    int64_t e;          /* bins have width 2^e */
    double scale;       /* 2^-e */
    int64_t lo_i, hi_i; /* bin indices floor(min / 2^e), floor(max / 2^e)
                           (0, 0 while the values are kept exactly) */
    uint64_t n;         /* finite values */
    uint64_t n_nan, n_pinf, n_ninf; /* non-finite values, not in bins */
    uint32_t binned;    /* 1: the values are in the bins; 0: in val[] */
    uint32_t nv;        /* distinct values in val[] (0 when binned) */
    uint64_t mode;      /* index in val[] of the value with the largest
                           count (the smallest such value); 0 when binned */
    double val[DS_QHIST_DISTINCT];   /* the distinct values, ascending;
                                        0 beyond nv */
    uint64_t cnt[DS_QHIST_DISTINCT]; /* their counts; 0 beyond nv */
    ds_qhist_bin bin[DS_QHIST_BINS]; /* index i in slot i mod DS_QHIST_BINS:
                                        a window that moves without copying;
                                        slots outside [lo_i, hi_i] empty */
} ds_qhist;

/* The slot of bin index i (DS_QHIST_BINS is a power of two; & of a negative
 * two's-complement index is its non-negative residue). */
#define DS_QHIST_SLOT(i) ((size_t)((uint64_t)(i) & (DS_QHIST_BINS - 1)))
_Static_assert((DS_QHIST_BINS & (DS_QHIST_BINS - 1)) == 0,
               "DS_QHIST_BINS must be a power of two");

/* Make h empty.  Can't fail. */
void ds_qhist_init(ds_qhist *h);

/* Make h empty again, as ds_qhist_init does, touching only the used bins
 * (cheap after a small block).  Can't fail. */
void ds_qhist_reset(ds_qhist *h);

/* Add x when the inline paths of ds_qhist_add cannot: a value outside the
 * bins' window, a non-finite value, or a kept value other than the mode.
 * Use ds_qhist_add. */
void ds_qhist_add_slow(ds_qhist *h, double x);

/* Add one value.  -0 is stored as +0; NaN and +-inf are only counted.  The
 * common cases (x in an existing window slot; x equal to the most frequent
 * kept value, such as the 0 benefit of every draw without a deal) are
 * inline: no call, no allocation.  Can't fail. */
static inline void ds_qhist_add(ds_qhist *h, double x)
{
    double q;

    x += 0.0;                  /* -0 -> +0: bin min/max must not see order */
    if (!h->binned) {
        if (h->nv && x == h->val[h->mode]) {   /* the mode stays the mode */
            h->cnt[h->mode]++;
            h->n++;
            return;
        }
        ds_qhist_add_slow(h, x);
        return;
    }
    q = floor(x * h->scale);
    if (q == 0.0 && x < 0.0)   /* x * 2^-e underflowed to -0 */
        q = -1.0;
    if (fabs(q) < DS_QHIST_IDX_LIMIT) {
        int64_t i = (int64_t)q;
        int64_t lo = i < h->lo_i ? i : h->lo_i, hi = i > h->hi_i ? i : h->hi_i;
        if (hi - lo < DS_QHIST_BINS) {         /* the window still fits */
            ds_qhist_bin *b = &h->bin[DS_QHIST_SLOT(i)];
            b->n++;
            if (x < b->lo) {
                b->lo = x;
                b->n_lo = 1;
            } else if (x == b->lo) {
                b->n_lo++;
            }
            if (x > b->hi) {
                b->hi = x;
                b->n_hi = 1;
            } else if (x == b->hi) {
                b->n_hi++;
            }
            h->lo_i = lo;
            h->hi_i = hi;
            h->n++;
            return;
        }
    }
    ds_qhist_add_slow(h, x);
}

/* dst += src: afterwards dst is byte-identical to the histogram of the union
 * of both multisets.  Can't fail. */
void ds_qhist_merge(ds_qhist *dst, const ds_qhist *src);

/* Hyndman-Fan type 7 quantile of order p in [0, 1] of all values added
 * (infinities included as order statistics), with error below 0.1% of the
 * range of the finite values, and exact when the values are kept exactly or
 * when the order statistics it interpolates are the min or max of their
 * bins (qhist.c says why this makes it exact at every value that many
 * draws take, and the one subnormal exception to the bound).  NaN when
 * empty or when a NaN was added. */
double ds_qhist_quantile(const ds_qhist *h, double p);

/* The equal-width histogram of the finite values for plotting (SPEC §6):
 * the bins of width 2^w aligned at multiples of 2^w, for the smallest w
 * (>= DS_QHIST_EMIN) that needs at most max_bins bins from the min to the
 * max and keeps every edge an exact double (|edge| / 2^w <= 2^53).
 * edges[0..nb] and counts[0..nb-1] get the edges and exact counts; returns
 * nb (0 when there is no finite value).  A set of one value v has one bin,
 * with both edges v.  max_bins must be in
 * 1..DS_QHIST_BINS; edges must hold max_bins + 1 values, counts max_bins.
 * Can't fail. */
size_t ds_qhist_histogram(const ds_qhist *h, size_t max_bins, double *edges,
                          uint64_t *counts);

#endif /* DEALSIM_QHIST_H */
