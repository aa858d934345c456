/*
 * xsum.h - exact sums of doubles (private to sim/).
 *
 * A fixed-point "small superaccumulator" covering the whole double range, so
 * that a sum is exact whatever the order of its terms; ds_stats uses it to
 * make totals independent of threads, blocks and merge order (SPEC §7).
 */
#ifndef DEALSIM_XSUM_H
#define DEALSIM_XSUM_H

#include <stdint.h>

/* 66 chunks of 32 bits cover bit positions 2^-1074 .. 2^1037 of the
 * fixed-point value: the lowest subnormal bit up past the top bit of DBL_MAX
 * (2^1023) with room for a 53-bit mantissa shifted by up to 31 bits. */
#define DS_XSUM_CHUNKS 66

typedef struct ds_xsum {
    int64_t chunk[DS_XSUM_CHUNKS]; /* value = sum chunk[i] * 2^(32 i - 1074) */
    uint64_t adds;                 /* adds since the last carry propagation */
    uint64_t n_nan, n_pinf, n_ninf;/* non-finite terms, kept out of chunk[] */
} ds_xsum;

/* Set s to the empty sum (exactly 0).  Can't fail. */
void ds_xsum_init(ds_xsum *s);

/* s += x, exactly.  NaN and infinities are counted, not added.  Can't fail. */
void ds_xsum_add(ds_xsum *s, double x);

/* dst += src, exactly.  Can't fail. */
void ds_xsum_merge(ds_xsum *dst, const ds_xsum *src);

/* The sum rounded to the nearest double (ties to even; +-inf beyond the
 * range).  A function of the exact value only: any order of adds and merges
 * gives the same bits.  NaN if a term was NaN or both infinities occurred;
 * +-inf if one infinity occurred.  An exact zero is +0. */
double ds_xsum_value(const ds_xsum *s);

#endif /* DEALSIM_XSUM_H */
