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
#include <stdint.h>

/* Bins: error <= one bin width < 2 range / (K - 1) = 0.098% of the range for
 * K = 2048, inside the 0.1% that SPEC §6 allows. */
#define DS_QHIST_BINS 2048
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
    int64_t off;        /* index floor(min / 2^e) of bin[0]: the min's bin */
    int64_t top;        /* highest non-empty slot; -1 when n == 0 */
    uint64_t n;         /* finite values */
    uint64_t n_nan, n_pinf, n_ninf; /* non-finite values, not in bins */
    ds_qhist_bin bin[DS_QHIST_BINS]; /* slot j holds index off + j */
} ds_qhist;

/* Make h empty.  Can't fail. */
void ds_qhist_init(ds_qhist *h);

/* Make h empty again, as ds_qhist_init does, touching only the used bins
 * (cheap after a small block).  Can't fail. */
void ds_qhist_reset(ds_qhist *h);

/* Add x when it does not fall in the current window (or is not finite).
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
    if (h->n && fabs(q) < DS_QHIST_IDX_LIMIT) {
        int64_t j = (int64_t)q - h->off;
        if (j >= 0 && j < DS_QHIST_BINS) {
            ds_qhist_bin *b = &h->bin[j];
            b->n++;
            if (x < b->lo)
                b->lo = x;
            if (x > b->hi)
                b->hi = x;
            if (j > h->top)
                h->top = j;
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
