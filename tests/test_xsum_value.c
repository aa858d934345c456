/*
 * test_xsum_value.c - ds_xsum_value, which normalises only the chunks that
 * hold the value and rounds from its top 64 bits, against the plain
 * method kept here as the reference: normalise all the chunks into the
 * canonical form, negate a negative value into its magnitude, and take the
 * 53 kept bits and the rounding bits one at a time.  Both must give the
 * same bits for every sum: random sums of like and unlike magnitudes,
 * cancellation to zero and to a few low bits, huge and subnormal terms,
 * signed zeros, exact ties, overflow, merges and carry propagation.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "xsum.h"

/* ------------------------------------------------------- the reference */

#define TOP (DS_XSUM_CHUNKS - 1)
#define WORDS (DS_XSUM_CHUNKS + 1)

static int ref_bit(const uint32_t *w, int pos)
{
    return (int)((w[pos / 32] >> (pos % 32)) & 1u);
}

static int ref_any_below(const uint32_t *w, int pos)
{
    for (int b = 0; b < pos; b++)
        if (ref_bit(w, b))
            return 1;
    return 0;
}

static double ref_value(const ds_xsum *s)
{
    int64_t c[DS_XSUM_CHUNKS];
    uint32_t w[WORDS];
    uint64_t m = 0;
    int neg = 0, top = -1, low;
    double v;

    if (s->n_nan || (s->n_pinf && s->n_ninf))
        return NAN;
    if (s->n_pinf)
        return INFINITY;
    if (s->n_ninf)
        return -INFINITY;
    memcpy(c, s->chunk, sizeof c);
    ds_xsum_normalise_chunks(c, 1);
    if (c[TOP] < 0) {
        neg = 1;
        for (int i = 0; i < DS_XSUM_CHUNKS; i++)
            c[i] = -c[i];
        ds_xsum_normalise_chunks(c, 1);
    }
    for (int i = 0; i < TOP; i++)
        w[i] = (uint32_t)c[i];
    w[TOP] = (uint32_t)((uint64_t)c[TOP] & 0xFFFFFFFFu);
    w[TOP + 1] = (uint32_t)((uint64_t)c[TOP] >> 32);
    for (int b = WORDS * 32 - 1; b >= 0 && top < 0; b--)
        if (ref_bit(w, b))
            top = b;
    if (top < 0)
        return 0.0;
    low = top > 52 ? top - 52 : 0;
    for (int b = top; b >= low; b--)
        m = (m << 1) | (uint64_t)ref_bit(w, b);
    if (low > 0 && ref_bit(w, low - 1) && ((m & 1u) || ref_any_below(w, low - 1)))
        m++;
    v = ldexp((double)m, low - 1074);
    return neg ? -v : v;
}

/* --------------------------------------------------------------- helpers */

static uint64_t rng_state = UINT64_C(0x243F6A8885A308D3);

static uint64_t next_u64(void)
{
    /* splitmix64 */
    uint64_t x = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
    return x ^ (x >> 31);
}

/* A finite double with a random sign and mantissa and a binary exponent
 * in [emin, emax] (subnormals and zeros when emin reaches below -1022). */
static double random_double(int emin, int emax)
{
    uint64_t r = next_u64();
    int e = emin + (int)(next_u64() % (uint64_t)(emax - emin + 1));
    double x;
    if (e < -1022) {                      /* a subnormal (or zero) */
        uint64_t bits = r & ((UINT64_C(1) << 52) - 1);
        if (next_u64() % 8 == 0)
            bits = 0;
        bits |= (r >> 63) << 63;
        memcpy(&x, &bits, sizeof x);
        return x;
    }
    x = ldexp(1.0 + (double)(r >> 12) * 0x1p-52, e);
    return (r & 1) ? -x : x;
}

static void check(const ds_xsum *s, const char *what, int i)
{
    double a = ds_xsum_value(s), b = ref_value(s);
    cr_assert(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)),
              "%s %d: %a, the reference %a", what, i, a, b);
}

/* ----------------------------------------------------------------- tests */

Test(xsum_value, random_sums_of_every_range)
{
    static const int range[][2] = {
        {-3, 8},          /* like magnitudes, as the output's sums */
        {-60, 60},        /* unlike ones */
        {-1074, 1023},    /* anything, subnormals included */
        {-1074, -1000},   /* tiny */
        {960, 1023},      /* huge: sums overflow */
    };
    for (size_t r = 0; r < sizeof range / sizeof range[0]; r++)
        for (int i = 0; i < 4000; i++) {
            ds_xsum s;
            int n = 1 + (int)(next_u64() % 40);
            ds_xsum_init(&s);
            for (int j = 0; j < n; j++)
                ds_xsum_add(&s, random_double(range[r][0], range[r][1]));
            check(&s, "range", (int)r * 4000 + i);
        }
}

Test(xsum_value, cancellation)
{
    for (int i = 0; i < 20000; i++) {
        ds_xsum s;
        double x[16];
        int n = 1 + (int)(next_u64() % 16), mode = i % 4;
        ds_xsum_init(&s);
        for (int j = 0; j < n; j++) {
            x[j] = random_double(mode == 3 ? -1074 : -80, mode == 3 ? 1023 : 80);
            ds_xsum_add(&s, x[j]);
        }
        for (int j = 0; j < n; j++)               /* every term taken back */
            ds_xsum_add(&s, -x[j]);
        if (mode == 1)                            /* leaving a few low bits */
            ds_xsum_add(&s, random_double(-1074, -900));
        else if (mode == 2)                       /* or a value of either sign */
            ds_xsum_add(&s, random_double(-30, 30));
        check(&s, "cancellation", i);
        if (mode == 0)
            cr_assert(signbit(ds_xsum_value(&s)) == 0 && ds_xsum_value(&s) == 0.0);
    }
}

Test(xsum_value, ties_and_rounding_boundaries)
{
    /* 1 + k 2^-53 for small k, +- a low bit: ties to even, and just off. */
    for (int k = 0; k < 8; k++)
        for (int low = 0; low < 3; low++)
            for (int sg = 0; sg < 2; sg++) {
                ds_xsum s;
                double one = sg ? -1.0 : 1.0;
                ds_xsum_init(&s);
                for (int j = 0; j < k; j++)
                    ds_xsum_add(&s, one * 0x1p-53);
                ds_xsum_add(&s, one);
                if (low == 1)
                    ds_xsum_add(&s, 0x1p-1074);
                else if (low == 2)
                    ds_xsum_add(&s, -0x1p-1074);
                check(&s, "tie", k * 6 + low * 2 + sg);
            }
    /* A value straddling chunk boundaries at every shift. */
    for (int e = -1074; e <= 1023; e++) {
        ds_xsum s;
        ds_xsum_init(&s);
        ds_xsum_add(&s, ldexp(1.0, e));
        if (e - 53 >= -1074)
            ds_xsum_add(&s, ldexp(1.0, e - 53));  /* an exact tie */
        if (e - 60 >= -1074)
            ds_xsum_add(&s, ldexp(-1.0, e - 60));
        check(&s, "boundary", e);
    }
}

Test(xsum_value, zeros_overflow_and_non_finite)
{
    ds_xsum s;
    ds_xsum_init(&s);
    check(&s, "empty", 0);
    ds_xsum_add(&s, -0.0);
    ds_xsum_add(&s, 0.0);
    check(&s, "zeros", 0);
    cr_assert(signbit(ds_xsum_value(&s)) == 0);
    for (int i = 0; i < 4; i++)
        ds_xsum_add(&s, DBL_MAX);
    check(&s, "overflow", 0);
    cr_assert_eq(ds_xsum_value(&s), INFINITY);
    for (int i = 0; i < 4; i++)
        ds_xsum_add(&s, -DBL_MAX);
    ds_xsum_add(&s, -DBL_MAX);
    check(&s, "negative", 0);
    cr_assert_eq(ds_xsum_value(&s), -DBL_MAX);
    ds_xsum_add(&s, -DBL_MAX);
    check(&s, "negative overflow", 0);
    cr_assert_eq(ds_xsum_value(&s), -INFINITY);
    ds_xsum_add(&s, INFINITY);
    check(&s, "+inf", 0);
    ds_xsum_add(&s, -INFINITY);
    check(&s, "both infinities", 0);
    ds_xsum_init(&s);
    ds_xsum_add(&s, NAN);
    check(&s, "nan", 0);
}

Test(xsum_value, merges_and_unnormalised_chunks)
{
    /* Chunks far from normal form: many adds of one sign and merges. */
    for (int i = 0; i < 300; i++) {
        ds_xsum a, b;
        int e0 = -40 + (int)(next_u64() % 80);
        ds_xsum_init(&a);
        ds_xsum_init(&b);
        for (int j = 0; j < 2000; j++) {
            ds_xsum_add(&a, random_double(e0, e0 + 20));
            ds_xsum_add(&b, -fabs(random_double(e0 - 30, e0 + 21)));
        }
        check(&a, "unnormalised", i);
        check(&b, "unnormalised negative", i);
        ds_xsum_merge(&a, &b);
        check(&a, "merged", i);
    }
    /* A chunk near its bound, before any carry propagation. */
    {
        ds_xsum s;
        ds_xsum_init(&s);
        s.chunk[40] = INT64_C(1) << 61;
        s.chunk[41] = -(INT64_C(1) << 61);
        s.chunk[3] = -1;
        check(&s, "bounds", 0);
        s.chunk[41] = 0;
        s.chunk[TOP] = -(INT64_C(1) << 60);
        check(&s, "top", 0);
    }
}
