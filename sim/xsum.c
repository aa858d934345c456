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

static int bit_at(const uint32_t *w, int pos)
{
    return (int)((w[pos / CHUNK_BITS] >> (pos % CHUNK_BITS)) & 1u);
}

/* 1 if any bit below position pos is set. */
static int any_below(const uint32_t *w, int pos)
{
    int i = pos / CHUNK_BITS, r = pos % CHUNK_BITS;
    if (r && (w[i] & ((UINT32_C(1) << r) - 1)))
        return 1;
    for (int j = 0; j < i; j++)
        if (w[j])
            return 1;
    return 0;
}

double ds_xsum_value(const ds_xsum *s)
{
    int64_t c[DS_XSUM_CHUNKS];
    uint32_t w[MAG_WORDS];
    uint64_t m = 0;
    int neg = 0, top = -1, high, low;
    double v;

    if (s->n_nan || (s->n_pinf && s->n_ninf))
        return NAN;
    if (s->n_pinf)
        return INFINITY;
    if (s->n_ninf)
        return -INFINITY;

    memcpy(c, s->chunk, sizeof c);
    normalise(c);
    if (c[TOP] < 0) {          /* work with the magnitude */
        neg = 1;
        for (int i = 0; i < DS_XSUM_CHUNKS; i++)
            c[i] = -c[i];
        normalise(c);
    }
    for (int i = 0; i < TOP; i++)
        w[i] = (uint32_t)c[i];
    w[TOP] = (uint32_t)((uint64_t)c[TOP] & CHUNK_MASK);
    w[TOP + 1] = (uint32_t)((uint64_t)c[TOP] >> CHUNK_BITS);

    for (int i = MAG_WORDS - 1; i >= 0 && top < 0; i--)
        if (w[i])
            for (int b = CHUNK_BITS - 1; b >= 0 && top < 0; b--)
                if ((w[i] >> b) & 1u)
                    top = i * CHUNK_BITS + b;
    if (top < 0)
        return 0.0;           /* exact zero is +0 */

    /* Keep 53 significant bits [low, high] (fewer for a subnormal result,
     * whose last bit is 2^-1074), then round to nearest, ties to even. */
    high = top;
    low = high > MANT_BITS ? high - MANT_BITS : 0;
    for (int b = high; b >= low; b--)
        m = (m << 1) | (uint64_t)bit_at(w, b);
    if (low > 0 && bit_at(w, low - 1) && ((m & 1u) || any_below(w, low - 1)))
        m++;                  /* m <= 2^53: still exact as a double */
    v = ldexp((double)m, low + LSB_EXP); /* exact, or +inf past DBL_MAX */
    return neg ? -v : v;
}
