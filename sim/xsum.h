/*
 * xsum.h - exact sums of doubles (private to sim/).
 *
 * A fixed-point "small superaccumulator" covering the whole double range, so
 * that a sum is exact whatever the order of its terms; ds_stats uses it to
 * make totals independent of threads, blocks and merge order (SPEC §7).
 */
#ifndef DEALSIM_XSUM_H
#define DEALSIM_XSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 66 chunks of 32 bits cover bit positions 2^-1074 .. 2^1037 of the
 * fixed-point value: the lowest subnormal bit up past the top bit of DBL_MAX
 * (2^1023) with room for a 53-bit mantissa shifted by up to 31 bits. */
#define DS_XSUM_CHUNKS 66

typedef struct ds_xsum {
    int64_t chunk[DS_XSUM_CHUNKS]; /* value = sum chunk[i] * 2^(32 i - 1074) */
    uint64_t adds;                 /* adds since the last carry propagation */
    uint64_t n_nan, n_pinf, n_ninf;/* non-finite terms, kept out of chunk[] */
} ds_xsum;

/* Bits per chunk, and the adds after which carries must be propagated:
 * each add changes a chunk by less than 2^32, and after a propagation
 * chunks lie in [0, 2^32), so 2^30 adds keep every chunk below
 * 2^32 + 2^30 * 2^32 < 2^63: no int64 overflows in between. */
#define DS_XSUM_CHUNK_BITS 32
#define DS_XSUM_CARRY_LIMIT (UINT64_C(1) << 30)

/*
 * The two steps of an exact sum on chunks stored with a stride: chunk k of
 * the sum at c[k * stride].  ds_xsum uses stride 1; a table of many sums
 * stored chunk-major (every sum's chunk 0, then every sum's chunk 1, ...)
 * uses the number of sums, so that adding to one chunk of many sums
 * touches adjacent memory.
 */

/* c += x, exactly, for a finite x.  Can't fail. */
static inline void ds_xsum_add_chunks(int64_t *c, size_t stride, double x)
{
    const uint64_t mask = (UINT64_C(1) << DS_XSUM_CHUNK_BITS) - 1;
    const int cb = DS_XSUM_CHUNK_BITS;
    uint64_t bits, mant, lo, mid, hi;
    int exp, pos, r;
    int64_t *p;

    memcpy(&bits, &x, sizeof bits);
    mant = bits & ((UINT64_C(1) << 52) - 1);
    exp = (int)((bits >> 52) & 0x7FF);
    if (exp == 0) {           /* subnormal or zero: mant * 2^-1074 */
        if (mant == 0)
            return;
        pos = 0;
    } else {                  /* normal: (2^52 + mant) * 2^(exp - 1075) */
        mant |= UINT64_C(1) << 52;
        pos = exp - 1;
    }
    /* mant * 2^pos spans at most three chunks starting at chunk pos / 32. */
    p = c + (size_t)(pos / cb) * stride;
    r = pos % cb;
    lo = (mant << r) & mask;
    mid = (r == 0 ? mant >> cb : mant >> (cb - r)) & mask;
    hi = r == 0 ? 0 : mant >> (2 * cb - r);
    if (bits >> 63) {
        p[0] -= (int64_t)lo;
        p[stride] -= (int64_t)mid;
        p[2 * stride] -= (int64_t)hi;
    } else {
        p[0] += (int64_t)lo;
        p[stride] += (int64_t)mid;
        p[2 * stride] += (int64_t)hi;
    }
}

/* Propagate carries so that chunks 0..DS_XSUM_CHUNKS-2 lie in [0, 2^32)
 * and the top chunk carries the sign: the canonical form of the exact
 * value.  Can't fail. */
static inline void ds_xsum_normalise_chunks(int64_t *c, size_t stride)
{
    const uint64_t mask = (UINT64_C(1) << DS_XSUM_CHUNK_BITS) - 1;
    for (size_t k = 0; k + 1 < DS_XSUM_CHUNKS; k++) {
        int64_t low = (int64_t)((uint64_t)c[k * stride] & mask);
        /* c - low is an exact multiple of 2^32: the division is exact. */
        int64_t carry = (c[k * stride] - low) / ((int64_t)1 << DS_XSUM_CHUNK_BITS);
        c[k * stride] = low;
        c[(k + 1) * stride] += carry;
    }
}

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
