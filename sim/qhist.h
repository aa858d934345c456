/*
 * qhist.h - mergeable quantile histogram (private to sim/).
 *
 * At most DS_QHIST_BINS bins of width 2^e aligned at multiples of 2^e, each
 * with its count and the exact min and max of its values.  The contents (the
 * whole struct, byte for byte) depend only on the multiset of values added,
 * never on their order or on how sets were merged; ds_stats uses it for the
 * quantile columns of SPEC §6.
 */
#ifndef DEALSIM_QHIST_H
#define DEALSIM_QHIST_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Bins: error <= one bin width < 2 range / (K - 1) = 0.098% of the range for
 * K = 2048, inside the 0.1% that SPEC §6 allows. */
#define DS_QHIST_BINS 2048

/* Up to this many finite values are kept exactly, sorted, before the bins
 * are used: a new histogram's first values keep moving its range, and each
 * move would cost a pass over the bins; with them kept, the bins start at
 * (nearly) their final width, and quantiles of small sets are exact. */
#define DS_QHIST_SMALL 64
/* Finest bin width 2^-1022 (2^-e must be a normal double to scale by). */
#define DS_QHIST_EMIN (-1022)
/* Bin indices stay below 2^62 in magnitude, so they are exact int64 values
 * (x * 2^-e is exact: a scaling by a power of two). */
#define DS_QHIST_IDX_LIMIT 4611686018427387904.0 /* 2^62 */

typedef struct ds_qhist_bin {
    uint64_t n;         /* values in the bin */
    double lo, hi;      /* their exact min and max; +inf, -inf when empty */
} ds_qhist_bin;

typedef struct ds_qhist {
    int64_t e;          /* bins have width 2^e */
    double scale;       /* 2^-e */
    int64_t lo_i, hi_i; /* bin indices floor(min / 2^e), floor(max / 2^e)
                           (0, 0 while the values are kept in small[]) */
    uint64_t n;         /* finite values */
    uint64_t n_nan, n_pinf, n_ninf; /* non-finite values, not in bins */
    double small[DS_QHIST_SMALL]; /* while n <= DS_QHIST_SMALL: the values,
                                     sorted (bins empty); else all 0 */
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

/* Add x when the window cannot take it (or it is not finite, or the values
 * are still kept in small[]).
 * Use ds_qhist_add. */
void ds_qhist_add_slow(ds_qhist *h, double x);

/* Add one value.  -0 is stored as +0; NaN and +-inf are only counted.  The
 * common case (x in an existing window slot) is inline: no call, no
 * allocation.  Can't fail. */
static inline void ds_qhist_add(ds_qhist *h, double x)
{
    double q;

    x += 0.0;                  /* -0 -> +0: bin min/max must not see order */
    q = floor(x * h->scale);
    if (q == 0.0 && x < 0.0)   /* x * 2^-e underflowed to -0 */
        q = -1.0;
    if (h->n > DS_QHIST_SMALL && fabs(q) < DS_QHIST_IDX_LIMIT) {
        int64_t i = (int64_t)q;
        int64_t lo = i < h->lo_i ? i : h->lo_i, hi = i > h->hi_i ? i : h->hi_i;
        if (hi - lo < DS_QHIST_BINS) {         /* the window still fits */
            ds_qhist_bin *b = &h->bin[DS_QHIST_SLOT(i)];
            b->n++;
            if (x < b->lo)
                b->lo = x;
            if (x > b->hi)
                b->hi = x;
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
 * range of the finite values (qhist.c says when it is exact and the one
 * subnormal exception).  NaN when empty or when a NaN was added. */
double ds_qhist_quantile(const ds_qhist *h, double p);

#endif /* DEALSIM_QHIST_H */
