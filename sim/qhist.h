/*
 * qhist.h - mergeable quantile histogram (private to sim/).
 *
 * While the values added take at most DS_QHIST_DISTINCT distinct values, it
 * keeps them exactly, each with its count.  Beyond that, at most
 * DS_QHIST_BINS bins of width 2^e aligned at multiples of 2^e, each with its
 * count, the exact min and max of its values and how many values equal
 * each.  The contents (the fields before `owned` and the bins of the
 * window, byte for byte) depend only on the multiset of values added, never
 * on their order or on how sets were merged; ds_stats uses it for the
 * quantile columns and the JSON histograms of SPEC §6.
 *
 * Memory.  The bins (DS_QHIST_BINS of 40 bytes) are allocated only when
 * the values first leave the exact form, and kept until ds_qhist_free
 * (ds_qhist_reset keeps them for the next run): a histogram that stays
 * exact (a constant, a benefit that is 0 in all but a few draws, a
 * deficit_end that never differs from the deficit) costs about 1 KB, not
 * 81 KB.  That allocation happens at most once per histogram, in the
 * add path: when it fails the histogram sets `nomem` and drops the value,
 * and its owner (stats.c) reports DS_ENOMEM when the block is flushed.
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
    double lo, hi;      /* their exact min and max; +inf, -inf when empty */
} ds_qhist_bin;

/* How many values of a bin equal its min and its max (n_lo = n_hi = n if
 * lo == hi; 0 when empty).  Kept apart from the bins: adding a value
 * strictly between them (most values) does not touch them, so the bins
 * that every value touches stay small in the cache. */
typedef struct ds_qhist_ends {
    uint64_t n_lo, n_hi;
} ds_qhist_ends;

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
    /* Everything above is the histogram's value; below, its storage. */
    uint32_t owned;     /* 1: bin (and end) were allocated here */
    uint32_t nomem;     /* 1: bins were needed and could not be allocated:
                           the values since are lost (see ds_qhist_add) */
    uint32_t stale;     /* 1: while the values are kept (binned 0), the
                           slots of bin indices stale_lo..stale_hi may
                           still hold the bins of the values before the
                           last ds_qhist_reset: they are emptied when the
                           bins are next used */
    int64_t stale_lo, stale_hi;
    ds_qhist_bin *bin;  /* [DS_QHIST_BINS], NULL until the values first
                           leave val[] (a histogram that never does costs
                           no bins): index i in slot i mod DS_QHIST_BINS,
                           a window that moves without copying; slots
                           outside [lo_i, hi_i] empty */
    ds_qhist_ends *end; /* [DS_QHIST_BINS] the same slots' counts of min,
                           max (in the same allocation as bin) */
} ds_qhist;

/* The slot of bin index i (DS_QHIST_BINS is a power of two; & of a negative
 * two's-complement index is its non-negative residue). */
#define DS_QHIST_SLOT(i) ((size_t)((uint64_t)(i) & (DS_QHIST_BINS - 1)))
_Static_assert((DS_QHIST_BINS & (DS_QHIST_BINS - 1)) == 0,
               "DS_QHIST_BINS must be a power of two");

/* Make h empty, with no bins yet.  Can't fail. */
void ds_qhist_init(ds_qhist *h);

/* Make h empty, using bin[] and end[] (DS_QHIST_BINS each, borrowed: never
 * freed here) as its bins, so that it never allocates.  Can't fail. */
void ds_qhist_init_with(ds_qhist *h, ds_qhist_bin *bin, ds_qhist_ends *end);

/* Free h's bins if it allocated them; h is then as after ds_qhist_init.
 * Can't fail. */
void ds_qhist_free(ds_qhist *h);

/* Give h the memory of its bins now if it has none (and nothing else):
 * 0, or -1 with h->nomem set.  After it, adding values cannot run out of
 * memory. */
int ds_qhist_reserve(ds_qhist *h);

/* Make h empty again, keeping its bins' memory, without touching them:
 * the slots its values used are emptied when it next needs bins (just
 * before they are used, so they are then in the cache).  Can't fail. */
void ds_qhist_reset(ds_qhist *h);

/* Add x when the inline paths of ds_qhist_add cannot: a value outside the
 * bins' window, a non-finite value, or a kept value other than the mode.
 * Use ds_qhist_add. */
void ds_qhist_add_slow(ds_qhist *h, double x);

/* Add c copies of x (as c calls of ds_qhist_add, in one step). */
void ds_qhist_add_count(ds_qhist *h, double x, uint64_t c);

/* Add x[0..n-1] (as n calls of ds_qhist_add, with the same result byte
 * for byte, in fewer steps: see qhist.c).  Can't fail, but may set
 * h->nomem (see Memory above). */
void ds_qhist_add_many(ds_qhist *h, const double *x, size_t n);

/* Add one value.  -0 is stored as +0; NaN and +-inf are only counted.  The
 * common cases (x in an existing window slot; x equal to the most frequent
 * kept value, such as the 0 benefit of every draw without a deal) are
 * inline: no call, no allocation.  Can't fail, but may set h->nomem (see
 * Memory above). */
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
    q = x * h->scale;
    if (fabs(q) < DS_QHIST_IDX_LIMIT) {
        int64_t i = (int64_t)q;   /* truncated, exactly */
        /* Down to the floor, also when the product underflowed to -0. */
        if ((double)i > q || (q == 0.0 && x < 0.0))
            i--;
        int64_t lo = i < h->lo_i ? i : h->lo_i, hi = i > h->hi_i ? i : h->hi_i;
        if (hi - lo < DS_QHIST_BINS) {         /* the window still fits */
            size_t slot = DS_QHIST_SLOT(i);
            ds_qhist_bin *b = &h->bin[slot];
            b->n++;
            if (x <= b->lo) {
                if (x < b->lo) {
                    b->lo = x;
                    h->end[slot].n_lo = 1;
                } else {
                    h->end[slot].n_lo++;
                }
            }
            if (x >= b->hi) {
                if (x > b->hi) {
                    b->hi = x;
                    h->end[slot].n_hi = 1;
                } else {
                    h->end[slot].n_hi++;
                }
            }
            h->lo_i = lo;
            h->hi_i = hi;
            h->n++;
            return;
        }
    }
    ds_qhist_add_slow(h, x);
}

/* 1 if a and b hold the same contents (everything before `owned`, and
 * every bin slot when binned), else 0: as the histograms of the same
 * multiset are.  Can't fail. */
int ds_qhist_same(const ds_qhist *a, const ds_qhist *b);

/* dst = src, for an empty dst (as made by ds_qhist_init or _reset),
 * touching only src's used bins.  Sets dst->nomem when dst needs bins and
 * cannot have them. */
void ds_qhist_copy(ds_qhist *dst, const ds_qhist *src);

/* dst += src: afterwards dst is byte-identical to the histogram of the union
 * of both multisets.  Sets dst->nomem when dst needs bins and cannot have
 * them. */
void ds_qhist_merge(ds_qhist *dst, const ds_qhist *src);

/* Hyndman-Fan type 7 quantile of order p in [0, 1] of all values added
 * (infinities included as order statistics), with error below 0.1% of the
 * range of the finite values, and exact when the values are kept exactly or
 * when the order statistics it interpolates are the min or max of their
 * bins (qhist.c says why this makes it exact at every value that many
 * draws take, and the one subnormal exception to the bound).  NaN when
 * empty or when a NaN was added. */
double ds_qhist_quantile(const ds_qhist *h, double p);

/* Where a walk over the order statistics of a histogram stopped: the
 * finite values before bin index i (kept value i while not binned) number
 * cum.  A cursor kept between calls lets the quantiles of one histogram,
 * asked in increasing order, walk its bins once instead of once each. */
typedef struct ds_qhist_cursor {
    int64_t i;
    uint64_t cum;
} ds_qhist_cursor;

/* A cursor at the start of h.  Can't fail. */
void ds_qhist_cursor_init(ds_qhist_cursor *c, const ds_qhist *h);

/* ds_qhist_quantile(h, p), starting the walk at c (made by
 * ds_qhist_cursor_init for h, and since used only with h unchanged) when
 * the order statistic lies at or after it, and leaving c where it ended.
 * The result does not depend on c.  Can't fail. */
double ds_qhist_quantile_at(const ds_qhist *h, double p, ds_qhist_cursor *c);

/* Most values a view adds to its histogram's. */
#define DS_QHIST_VIEW_MAX 1024

/* The histogram that h (still keeping its values exactly) would be after
 * adding a batch of values (and copies of 0), seen aside without touching
 * h.  It answers the same quantiles, bit for bit, as adding the batch and
 * asking ds_qhist_quantile, but costs no emptying or filling of a window
 * of DS_QHIST_BINS slots of 40 bytes: the values are counted by bin (the
 * bins of the set's range) and by block of 64 bins; the block of an order
 * statistic is walked to by the blocks' counts, its bin by the bins', and
 * the bin's min, max and their counts are found by a scan of the values'
 * bins back from the bin's last until they make up its count.  A set of
 * at most DS_QHIST_DISTINCT values, or whose values fill at most
 * DS_QHIST_DISTINCT bins (it may be kept exactly), is sorted instead, each
 * distinct value a bin while they are at most DS_QHIST_DISTINCT.  About
 * 100 KB: give it static or heap storage. */
typedef struct ds_qhist_view {
    uint64_t n, n_nan, n_pinf, n_ninf; /* as in ds_qhist */
    int counted;          /* 1: counted by bin; 0: sorted, in bin[], end[] */
    size_t nb;            /* sorted: bins */
    ds_qhist_bin bin[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    ds_qhist_ends end[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    /* The finite values: the batch's (a[0..nbatch - 1], each once), then
     * the kept ones (a[nbatch..na - 1], with their counts in ac[]).
     * Counted: each value's bin (an offset from the first), each bin's
     * count and each block of 64 bins' count. */
    size_t na, nbatch;
    double a[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    uint64_t ac[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    uint16_t ai[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    uint16_t fi[DS_QHIST_BINS];          /* the last value of each bin */
    size_t nblk;                         /* blocks 0..nblk - 1 hold values */
    uint64_t cc[DS_QHIST_BINS / 64];     /* the count of each block */
    uint64_t bc[DS_QHIST_BINS];          /* the count of each bin of them */
    unsigned char inuse[DS_QHIST_BINS];  /* 1 for each bin with values */
    int64_t last;         /* the bin whose extremes are in lastb, or -1 */
    ds_qhist_bin lastb;
    ds_qhist_ends laste;
    /* Scratch of the sort. */
    double tmp[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    uint64_t dc[DS_QHIST_VIEW_MAX + DS_QHIST_DISTINCT + 1];
    uint32_t sc[DS_QHIST_BINS + 1];
} ds_qhist_view;

/* Make v the view of h with x[0..n-1] and `zeros` copies of 0 added: 0,
 * or -1 (v unusable) when h has its values in bins or n >
 * DS_QHIST_VIEW_MAX.  Can't fail otherwise. */
int ds_qhist_view_make(ds_qhist_view *v, const ds_qhist *h, const double *x, size_t n,
                       uint64_t zeros);

/* ds_qhist_quantile_at for the view v: c is a cursor of v (c->i = 0,
 * c->cum = 0 at its start; ds_qhist_cursor_init does not apply).  v keeps
 * the extremes of the last bin it scanned.  Can't fail. */
double ds_qhist_view_quantile(ds_qhist_view *v, double p, ds_qhist_cursor *c);

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

/* h's value as bytes, for another process of the same run: returns the
 * bytes it takes, written to buf when cap is at least that (buf NULL: the
 * size only).  Can't fail. */
size_t ds_qhist_pack(const ds_qhist *h, void *buf, size_t cap);

/* Make h (which may hold values: they are dropped) the histogram packed at
 * buf: returns the bytes read, or 0 when buf[0..len) does not start with a
 * packed histogram or its bins cannot be allocated (h->nomem set; h is
 * then empty). */
size_t ds_qhist_unpack(ds_qhist *h, const void *buf, size_t len);

#endif /* DEALSIM_QHIST_H */
