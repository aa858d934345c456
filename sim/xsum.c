/*
 * xsum.c - exact summation of doubles with a small superaccumulator.
 *
 * The method is the "small superaccumulator" of R. M. Neal, "Fast exact
 * summation using small and large superaccumulators", arXiv:1505.05571
 * (2015): the exact sum is held in fixed point as signed 64-bit chunks of 32
 * bits each, with carries propagated only every DS_XSUM_CARRY_LIMIT adds.
 */
#include "xsum.h"

#include <math.h>
#include <string.h>

#define CHUNK_BITS DS_XSUM_CHUNK_BITS
#define CHUNK_MASK UINT64_C(0xFFFFFFFF)
#define TOP (DS_XSUM_CHUNKS - 1)

/* Bit position (in units of 2^-1074, the smallest subnormal) of bit 0 of
 * chunk 0; a unit of chunk i is worth 2^(32 i + LSB_EXP). */
#define LSB_EXP (-1074)
/* IEEE 754 binary64 layout: 52 stored mantissa bits, 11 exponent bits. */
#define MANT_BITS 52
#define EXP_MASK 0x7FF

/* Words of the magnitude in ds_xsum_value: the 65 low chunks plus the top
 * chunk (< 2^63 after normalisation) split into two 32-bit words. */
#define MAG_WORDS (DS_XSUM_CHUNKS + 1)

void ds_xsum_init(ds_xsum *s)
{
    memset(s, 0, sizeof *s);
}

static void normalise(int64_t *c)
{
    ds_xsum_normalise_chunks(c, 1);
}

void ds_xsum_add(ds_xsum *s, double x)
{
    if (!isfinite(x)) {
        if (isnan(x))
            s->n_nan++;
        else if (x > 0)
            s->n_pinf++;
        else
            s->n_ninf++;
        return;
    }
    ds_xsum_add_chunks(s->chunk, 1, x);
    if (++s->adds >= DS_XSUM_CARRY_LIMIT) {
        normalise(s->chunk);
        s->adds = 0;
    }
}

void ds_xsum_merge(ds_xsum *dst, const ds_xsum *src)
{
    /* dst normalised: chunks < 2^32; src chunks < 2^62 + 2^32; no overflow. */
    normalise(dst->chunk);
    for (int i = 0; i < DS_XSUM_CHUNKS; i++)
        dst->chunk[i] += src->chunk[i];
    normalise(dst->chunk);
    dst->adds = 0;
    dst->n_nan += src->n_nan;
    dst->n_pinf += src->n_pinf;
    dst->n_ninf += src->n_ninf;
}

/* The sum of chunks c[lo..hi] (the others 0), as 32-bit words w[lo..hi]
 * in [0, 2^32) and a carry, returned, worth that many units of chunk
 * hi + 1: the same value.  Can't fail. */
static int64_t normalise_range(const int64_t *c, uint32_t *w, int lo, int hi, int neg)
{
    int64_t carry = 0;
    for (int i = lo; i <= hi; i++) {
        /* |c| < 2^63 - 2^32 by DS_XSUM_CARRY_LIMIT, |carry| < 2^31: no
         * overflow, and -c cannot overflow either. */
        int64_t v = (neg ? -c[i] : c[i]) + carry;
        int64_t low = (int64_t)((uint64_t)v & CHUNK_MASK);
        w[i] = (uint32_t)low;
        carry = (v - low) / ((int64_t)1 << CHUNK_BITS);   /* exact */
    }
    return carry;
}

/* Number of leading zero bits of a non-zero 64-bit word. */
static int clz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(x);
#else
    int n = 0;
    while (!(x & (UINT64_C(1) << 63))) {
        x <<= 1;
        n++;
    }
    return n;
#endif
}

/*
 * The chunks that hold the value are those from the lowest non-zero one
 * to the highest (lo..hi): a sum of values of like magnitude has a few.
 * Only they are normalised, the carry out of chunk hi standing for all
 * the chunks above (in the canonical form it would ripple up through
 * them): the value is w[lo..hi] plus carry 2^(32 (hi + 1)), with w in
 * [0, 2^32), negative exactly when the carry is.  A negative value is
 * done again from the negated chunks, for its magnitude.  The top 64
 * significant bits of the magnitude, and whether any bit below them is
 * set, then give the double rounded to nearest, ties to even.
 */
double ds_xsum_value(const ds_xsum *s)
{
    const int64_t *c = s->chunk;
    uint32_t w[MAG_WORDS + 1];
    int lo = 0, hi = TOP, neg = 0, t, top, low, bits_below;
    int64_t carry;
    uint64_t head, m, half, rest;
    int sticky = 0;
    double v;

    if (s->n_nan || (s->n_pinf && s->n_ninf))
        return NAN;
    if (s->n_pinf)
        return INFINITY;
    if (s->n_ninf)
        return -INFINITY;

    /* Four chunks at a time first: most of them are 0. */
    while (lo + 4 <= DS_XSUM_CHUNKS && (c[lo] | c[lo + 1] | c[lo + 2] | c[lo + 3]) == 0)
        lo += 4;
    while (lo <= TOP && c[lo] == 0)
        lo++;
    if (lo > TOP)
        return 0.0;           /* exact zero is +0 */
    while (hi >= lo + 4 && (c[hi] | c[hi - 1] | c[hi - 2] | c[hi - 3]) == 0)
        hi -= 4;
    while (c[hi] == 0)
        hi--;
    carry = normalise_range(c, w, lo, hi, 0);
    if (carry < 0) {          /* work with the magnitude */
        neg = 1;
        carry = normalise_range(c, w, lo, hi, 1);
    }
    /* The carry (>= 0 now, below 2^62) as the two words above hi. */
    w[hi + 1] = (uint32_t)((uint64_t)carry & CHUNK_MASK);
    w[hi + 2] = (uint32_t)((uint64_t)carry >> CHUNK_BITS);
    for (t = hi + 2; t >= lo && w[t] == 0; t--)
        ;
    if (t < lo)
        return 0.0;           /* the terms cancelled: exact zero is +0 */

    /* head: the 64 bits from bit 63 of words t, t - 1 (the top one set),
     * padded with zeros below word lo; sticky: any set bit below them. */
    head = (uint64_t)w[t] << CHUNK_BITS;
    if (t - 1 >= lo)
        head |= w[t - 1];
    {
        int z = clz64(head);  /* < 32: word t is non-zero */
        uint64_t next = t - 2 >= lo ? w[t - 2] : 0;
        if (z)
            head = (head << z) | (next >> (CHUNK_BITS - z));
        sticky = (uint32_t)(next << z) != 0;
        for (int i = t - 3; i >= lo && !sticky; i--)
            sticky = w[i] != 0;
        top = t * CHUNK_BITS + CHUNK_BITS - 1 - z;   /* position of the top bit */
    }

    /* Keep 53 significant bits [low, top] (fewer for a subnormal result,
     * whose last bit is 2^-1074), then round to nearest, ties to even.
     * head's bit 63 is position top, so position low is bit 63 - (top -
     * low) of head. */
    low = top > MANT_BITS ? top - MANT_BITS : 0;
    bits_below = 63 - (top - low);                    /* 11 .. 63 */
    m = head >> bits_below;
    rest = head & ((UINT64_C(1) << bits_below) - 1);
    half = UINT64_C(1) << (bits_below - 1);
    if (low > 0 && (rest > half || (rest == half && (sticky || (m & 1u)))))
        m++;                  /* m <= 2^53: still exact as a double */
    v = ldexp((double)m, low + LSB_EXP); /* exact, or +inf past DBL_MAX */
    return neg ? -v : v;
}
