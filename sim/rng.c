/*
 * rng.c - counter-based random streams (SPEC §7): Philox4x32-10 of Salmon,
 * Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC'11),
 * wrapped as a GSL generator type, and the keys of named streams.  A leaf
 * module: the engine opens one stream per (name, draw, purpose) under a
 * seed; dist.c and GSL's samplers draw from it.
 */
#include "dealsim/rng.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Philox4x32 round multipliers and Weyl key increments (Salmon et al. 2011;
 * Random123's philox.h: PHILOX_M4x32_0/1, PHILOX_W32_0/1; the increments
 * are the golden ratio minus 1 and sqrt(3) - 1 in 0.32 fixed point). */
#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)
#define PHILOX_ROUNDS 10 /* the "-10" of Philox4x32-10, the paper's default */

/* Philox4x32-10 of several independent blocks at once (Salmon et al. 2011;
 * Random123's philox.h: _philox4x32round): per round, two 32x32->64
 * multiplies, the high halves xored with the other words and the round key,
 * the words permuted; the key is bumped by the Weyl increments between
 * rounds.  Blocks are laid out word by word, in lanes: lane j has key
 * (k0[j], k1[j]) (low, high word) and counter (c0[j], c1[j], d0, d1), the
 * draw's two words d0, d1 being the same in every lane; its output block
 * goes to (o0[j], o1[j], o2[j], o3[j]) (the outputs may be the inputs).
 * Lanes map onto SIMD registers: 4 per SSE2 register set, 16 per two
 * interleaved AVX2 sets (chosen at run time), with a scalar version for
 * other machines.  The three versions compute the same bits. */
#define MAX_LANES DS_RNG_LANES
_Static_assert(DS_RNG_LANES == 16, "the AVX2 version computes 16 lanes");

#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_SIMD 1
#else
static void philox_scalar(int lanes, const uint32_t *k0, const uint32_t *k1,
                          const uint32_t *c0, const uint32_t *c1, uint32_t d0,
                          uint32_t d1, uint32_t *o0, uint32_t *o1, uint32_t *o2,
                          uint32_t *o3)
{
    for (int j = 0; j < lanes; j++) {
        uint32_t ka = k0[j], kb = k1[j], a = c0[j], b = c1[j], c = d0, d = d1;
        for (int round = 0; round < PHILOX_ROUNDS; round++) {
            uint64_t p0 = (uint64_t)PHILOX_M0 * a;
            uint64_t p1 = (uint64_t)PHILOX_M1 * c;
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ b ^ ka;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ d ^ kb;
            b = (uint32_t)p1;
            d = (uint32_t)p0;
            a = n0;
            c = n2;
            ka += PHILOX_W0;
            kb += PHILOX_W1;
        }
        o0[j] = a;
        o1[j] = b;
        o2[j] = c;
        o3[j] = d;
    }
}
#endif

#ifdef HAVE_X86_SIMD

/* 4 lanes in four 128-bit registers.  _mm_mul_epu32 multiplies the even
 * 32-bit lanes into 64-bit products; the odd lanes are shifted down and
 * multiplied the same way, then the halves recombined. */
static void philox_x4(const uint32_t *k0, const uint32_t *k1, const uint32_t *c0,
                      const uint32_t *c1, uint32_t d0, uint32_t d1, uint32_t *o0,
                      uint32_t *o1, uint32_t *o2, uint32_t *o3)
{
    const __m128i m0 = _mm_set1_epi32((int)PHILOX_M0);
    const __m128i m1 = _mm_set1_epi32((int)PHILOX_M1);
    const __m128i lo = _mm_set1_epi64x(0xffffffffLL);
    const __m128i hi = _mm_set1_epi64x((long long)0xffffffff00000000ULL);
    __m128i a = _mm_loadu_si128((const __m128i *)c0);
    __m128i b = _mm_loadu_si128((const __m128i *)c1);
    __m128i c = _mm_set1_epi32((int)d0);
    __m128i d = _mm_set1_epi32((int)d1);
    __m128i ka = _mm_loadu_si128((const __m128i *)k0);
    __m128i kb = _mm_loadu_si128((const __m128i *)k1);
    const __m128i wa = _mm_set1_epi32((int)PHILOX_W0);
    const __m128i wb = _mm_set1_epi32((int)PHILOX_W1);
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        __m128i pe0 = _mm_mul_epu32(a, m0), po0 = _mm_mul_epu32(_mm_srli_epi64(a, 32), m0);
        __m128i pe1 = _mm_mul_epu32(c, m1), po1 = _mm_mul_epu32(_mm_srli_epi64(c, 32), m1);
        __m128i hi0 = _mm_or_si128(_mm_srli_epi64(pe0, 32), _mm_and_si128(po0, hi));
        __m128i lo0 = _mm_or_si128(_mm_and_si128(pe0, lo), _mm_slli_epi64(po0, 32));
        __m128i hi1 = _mm_or_si128(_mm_srli_epi64(pe1, 32), _mm_and_si128(po1, hi));
        __m128i lo1 = _mm_or_si128(_mm_and_si128(pe1, lo), _mm_slli_epi64(po1, 32));
        a = _mm_xor_si128(_mm_xor_si128(hi1, b), ka);
        b = lo1;
        c = _mm_xor_si128(_mm_xor_si128(hi0, d), kb);
        d = lo0;
        ka = _mm_add_epi32(ka, wa);
        kb = _mm_add_epi32(kb, wb);
    }
    _mm_storeu_si128((__m128i *)o0, a);
    _mm_storeu_si128((__m128i *)o1, b);
    _mm_storeu_si128((__m128i *)o2, c);
    _mm_storeu_si128((__m128i *)o3, d);
}

/* One Philox round on 8 lanes held in four 256-bit registers.  The halves
 * of the even and odd products are recombined by blends (odd 32-bit lanes,
 * mask 0xAA, from the odd products), which need no mask registers: with a
 * key per lane, the two sets' four key registers then still fit. */
#define PHILOX_ROUND_AVX2(a, b, c, d, ka, kb)                                  \
    do {                                                                       \
        __m256i pe0 = _mm256_mul_epu32(a, m0);                                 \
        __m256i po0 = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m0);          \
        __m256i pe1 = _mm256_mul_epu32(c, m1);                                 \
        __m256i po1 = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m1);          \
        __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(pe0, 32), po0, 0xAA); \
        __m256i lo0 = _mm256_blend_epi32(pe0, _mm256_slli_epi64(po0, 32), 0xAA); \
        __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(pe1, 32), po1, 0xAA); \
        __m256i lo1 = _mm256_blend_epi32(pe1, _mm256_slli_epi64(po1, 32), 0xAA); \
        a = _mm256_xor_si256(_mm256_xor_si256(hi1, b), ka);                    \
        b = lo1;                                                               \
        c = _mm256_xor_si256(_mm256_xor_si256(hi0, d), kb);                    \
        d = lo0;                                                               \
    } while (0)

/* 16 lanes with AVX2: two independent sets of 8, interleaved so one set's
 * multiplies run while the other's wait on their latency. */
__attribute__((target("avx2")))
static void philox_x16_avx2(const uint32_t *k0, const uint32_t *k1, const uint32_t *c0,
                            const uint32_t *c1, uint32_t d0, uint32_t d1, uint32_t *o0,
                            uint32_t *o1, uint32_t *o2, uint32_t *o3)
{
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi32((int)PHILOX_M1);
    __m256i a = _mm256_loadu_si256((const __m256i *)c0);
    __m256i b = _mm256_loadu_si256((const __m256i *)c1);
    __m256i c = _mm256_set1_epi32((int)d0);
    __m256i d = _mm256_set1_epi32((int)d1);
    __m256i e = _mm256_loadu_si256((const __m256i *)(c0 + 8));
    __m256i f = _mm256_loadu_si256((const __m256i *)(c1 + 8));
    __m256i g = c;
    __m256i h = d;
    __m256i ka = _mm256_loadu_si256((const __m256i *)k0);
    __m256i kb = _mm256_loadu_si256((const __m256i *)k1);
    __m256i kc = _mm256_loadu_si256((const __m256i *)(k0 + 8));
    __m256i kd = _mm256_loadu_si256((const __m256i *)(k1 + 8));
    const __m256i wa = _mm256_set1_epi32((int)PHILOX_W0);
    const __m256i wb = _mm256_set1_epi32((int)PHILOX_W1);
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        PHILOX_ROUND_AVX2(a, b, c, d, ka, kb);
        PHILOX_ROUND_AVX2(e, f, g, h, kc, kd);
        ka = _mm256_add_epi32(ka, wa);
        kb = _mm256_add_epi32(kb, wb);
        kc = _mm256_add_epi32(kc, wa);
        kd = _mm256_add_epi32(kd, wb);
    }
    _mm256_storeu_si256((__m256i *)o0, a);
    _mm256_storeu_si256((__m256i *)o1, b);
    _mm256_storeu_si256((__m256i *)o2, c);
    _mm256_storeu_si256((__m256i *)o3, d);
    _mm256_storeu_si256((__m256i *)(o0 + 8), e);
    _mm256_storeu_si256((__m256i *)(o1 + 8), f);
    _mm256_storeu_si256((__m256i *)(o2 + 8), g);
    _mm256_storeu_si256((__m256i *)(o3 + 8), h);
}

/* One Philox round on 16 lanes held in four 512-bit registers: as the
 * AVX2 round, the odd 32-bit lanes (mask 0xAAAA) from the odd products,
 * and the three-way xors by one ternary-logic operation (0x96: a ^ b ^ c). */
#define PHILOX_ROUND_AVX512(a, b, c, d, ka, kb)                                \
    do {                                                                       \
        __m512i pe0 = _mm512_mul_epu32(a, m0);                                 \
        __m512i po0 = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m0);          \
        __m512i pe1 = _mm512_mul_epu32(c, m1);                                 \
        __m512i po1 = _mm512_mul_epu32(_mm512_srli_epi64(c, 32), m1);          \
        __m512i hi0 = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe0, 32), po0); \
        __m512i lo0 = _mm512_mask_blend_epi32(0xAAAA, pe0, _mm512_slli_epi64(po0, 32)); \
        __m512i hi1 = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe1, 32), po1); \
        __m512i lo1 = _mm512_mask_blend_epi32(0xAAAA, pe1, _mm512_slli_epi64(po1, 32)); \
        a = _mm512_ternarylogic_epi32(hi1, b, ka, 0x96);                       \
        b = lo1;                                                               \
        c = _mm512_ternarylogic_epi32(hi0, d, kb, 0x96);                       \
        d = lo0;                                                               \
    } while (0)

/* 16 lanes with AVX-512, or 32 (`two`: two independent sets of 16,
 * interleaved as in the AVX2 version). */
__attribute__((target("avx512f")))
static void philox_avx512(int two, const uint32_t *k0, const uint32_t *k1,
                          const uint32_t *c0, const uint32_t *c1, uint32_t d0, uint32_t d1,
                          uint32_t *o0, uint32_t *o1, uint32_t *o2, uint32_t *o3)
{
    const __m512i m0 = _mm512_set1_epi32((int)PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi32((int)PHILOX_M1);
    const __m512i wa = _mm512_set1_epi32((int)PHILOX_W0);
    const __m512i wb = _mm512_set1_epi32((int)PHILOX_W1);
    __m512i a = _mm512_loadu_si512(c0), b = _mm512_loadu_si512(c1);
    __m512i c = _mm512_set1_epi32((int)d0), d = _mm512_set1_epi32((int)d1);
    __m512i ka = _mm512_loadu_si512(k0), kb = _mm512_loadu_si512(k1);
    if (two) {
        __m512i e = _mm512_loadu_si512(c0 + 16), f = _mm512_loadu_si512(c1 + 16);
        __m512i g = c, h = d;
        __m512i kc = _mm512_loadu_si512(k0 + 16), kd = _mm512_loadu_si512(k1 + 16);
        for (int round = 0; round < PHILOX_ROUNDS; round++) {
            PHILOX_ROUND_AVX512(a, b, c, d, ka, kb);
            PHILOX_ROUND_AVX512(e, f, g, h, kc, kd);
            ka = _mm512_add_epi32(ka, wa);
            kb = _mm512_add_epi32(kb, wb);
            kc = _mm512_add_epi32(kc, wa);
            kd = _mm512_add_epi32(kd, wb);
        }
        _mm512_storeu_si512(o0 + 16, e);
        _mm512_storeu_si512(o1 + 16, f);
        _mm512_storeu_si512(o2 + 16, g);
        _mm512_storeu_si512(o3 + 16, h);
    } else {
        for (int round = 0; round < PHILOX_ROUNDS; round++) {
            PHILOX_ROUND_AVX512(a, b, c, d, ka, kb);
            ka = _mm512_add_epi32(ka, wa);
            kb = _mm512_add_epi32(kb, wb);
        }
    }
    _mm512_storeu_si512(o0, a);
    _mm512_storeu_si512(o1, b);
    _mm512_storeu_si512(o2, c);
    _mm512_storeu_si512(o3, d);
}
#endif

/* The widest version ds_rng_lanes uses: the machine's, lowered by
 * ds_rng_simd_limit. */
static int simd_limit = DS_RNG_SIMD_AVX512;

int ds_rng_simd_limit(int level)
{
    int had = simd_limit;
    simd_limit = level;
    return had;
}

int ds_rng_simd(void)
{
#ifdef HAVE_X86_SIMD
    int level = DS_RNG_SIMD_SSE2;
    if (__builtin_cpu_supports("avx512f"))
        level = DS_RNG_SIMD_AVX512;
    else if (__builtin_cpu_supports("avx2"))
        level = DS_RNG_SIMD_AVX2;
    return level < simd_limit ? level : simd_limit;
#else
    return DS_RNG_SIMD_NONE;
#endif
}

/* MAX_LANES (16) lanes, by the version of `level` (ds_rng_simd). */
static void philox_lanes16(int level, const uint32_t *k0, const uint32_t *k1,
                           const uint32_t *c0, const uint32_t *c1, uint32_t d0,
                           uint32_t d1, uint32_t *o0, uint32_t *o1, uint32_t *o2,
                           uint32_t *o3)
{
#ifdef HAVE_X86_SIMD
    if (level >= DS_RNG_SIMD_AVX512) {
        philox_avx512(0, k0, k1, c0, c1, d0, d1, o0, o1, o2, o3);
    } else if (level == DS_RNG_SIMD_AVX2) {
        philox_x16_avx2(k0, k1, c0, c1, d0, d1, o0, o1, o2, o3);
    } else {
        for (int j = 0; j < MAX_LANES; j += 4)
            philox_x4(k0 + j, k1 + j, c0 + j, c1 + j, d0, d1, o0 + j, o1 + j, o2 + j,
                      o3 + j);
    }
#else
    (void)level;
    philox_scalar(MAX_LANES, k0, k1, c0, c1, d0, d1, o0, o1, o2, o3);
#endif
}

/* 4 lanes. */
static void philox_lanes4(const uint32_t *k0, const uint32_t *k1, const uint32_t *c0,
                          const uint32_t *c1, uint32_t d0, uint32_t d1, uint32_t *o0,
                          uint32_t *o1, uint32_t *o2, uint32_t *o3)
{
#ifdef HAVE_X86_SIMD
    philox_x4(k0, k1, c0, c1, d0, d1, o0, o1, o2, o3);
#else
    philox_scalar(4, k0, k1, c0, c1, d0, d1, o0, o1, o2, o3);
#endif
}

void ds_rng_refill(ds_rng *r)
{
    enum { BLOCKS = DS_RNG_BUF / 4 };
    uint32_t c0[BLOCKS], c1[BLOCKS], k0[BLOCKS], k1[BLOCKS];
    uint32_t o0[BLOCKS], o1[BLOCKS], o2[BLOCKS], o3[BLOCKS];
    for (int j = 0; j < BLOCKS; j++) {
        c0[j] = r->ctr[0] + (uint32_t)j; /* 2^32 blocks = 2^34 words, then it repeats */
        c1[j] = r->ctr[1];
        k0[j] = r->key[0];
        k1[j] = r->key[1];
    }
    _Static_assert(BLOCKS == 4, "refill computes four blocks");
    philox_lanes4(k0, k1, c0, c1, r->ctr[2], r->ctr[3], o0, o1, o2, o3);
    for (int j = 0; j < BLOCKS; j++) {
        r->buf[4 * j] = o0[j];
        r->buf[4 * j + 1] = o1[j];
        r->buf[4 * j + 2] = o2[j];
        r->buf[4 * j + 3] = o3[j];
    }
    r->ctr[0] += BLOCKS;
    r->used = 0;
    r->avail = DS_RNG_BUF;
}

void ds_rng_lanes(size_t n, const uint32_t *key_lo, const uint32_t *key_hi,
                  const uint32_t *block, const uint32_t *purpose, uint64_t draw,
                  uint32_t *w0, uint32_t *w1, uint32_t *w2, uint32_t *w3)
{
    const uint32_t d0 = (uint32_t)draw, d1 = (uint32_t)(draw >> 32);
    const int level = ds_rng_simd();
    size_t i = 0;
#ifdef HAVE_X86_SIMD
    if (level >= DS_RNG_SIMD_AVX512)
        for (; i + 2 * MAX_LANES <= n; i += 2 * MAX_LANES)
            philox_avx512(1, key_lo + i, key_hi + i, block + i, purpose + i, d0, d1,
                          w0 + i, w1 + i, w2 + i, w3 + i);
#endif
    for (; i < n; i += MAX_LANES)
        philox_lanes16(level, key_lo + i, key_hi + i, block + i, purpose + i, d0, d1,
                       w0 + i, w1 + i, w2 + i, w3 + i);
}

/* Point r at (key, draw, purpose) without touching its gsl member. */
static void stream_set(ds_rng *r, uint64_t key, uint64_t draw, uint32_t purpose)
{
    r->key[0] = (uint32_t)key;
    r->key[1] = (uint32_t)(key >> 32);
    r->ctr[0] = 0;
    r->ctr[1] = purpose;
    r->ctr[2] = (uint32_t)draw;
    r->ctr[3] = (uint32_t)(draw >> 32);
    r->used = r->avail = 0;
}

/* ---- the GSL generator type ------------------------------------------ */

/* Also makes a state allocated by gsl_rng_alloc a complete ds_rng. */
static void philox_gsl_set(void *state, unsigned long seed)
{
    ds_rng *r = state;
    stream_set(r, (uint64_t)seed, 0, 0);
    r->gsl.type = ds_rng_type;
    r->gsl.state = r;
}

static unsigned long philox_gsl_get(void *state) { return ds_rng_u32(state); }

static double philox_gsl_get_double(void *state) { return ds_rng_uniform(state); }

static const gsl_rng_type ds_rng_type_s = {
    "dealsim-philox4x32", /* name */
    UINT32_C(0xffffffff), /* max */
    0,                    /* min */
    sizeof(ds_rng),       /* size of the state */
    philox_gsl_set,
    philox_gsl_get,
    philox_gsl_get_double,
};

const gsl_rng_type *ds_rng_type = &ds_rng_type_s;

void ds_rng_open(ds_rng *r, uint64_t key, uint64_t draw, uint32_t purpose)
{
    stream_set(r, key, draw, purpose);
    r->gsl.type = &ds_rng_type_s;
    r->gsl.state = r;
}

void ds_rng_first_blocks(size_t n, const uint64_t *key, uint64_t draw,
                         const uint32_t *purpose, uint32_t (*first)[4])
{
    uint32_t k0[MAX_LANES], k1[MAX_LANES], c0[MAX_LANES] = {0}, c1[MAX_LANES];
    uint32_t o0[MAX_LANES], o1[MAX_LANES], o2[MAX_LANES], o3[MAX_LANES];
    for (size_t i0 = 0; i0 < n; i0 += MAX_LANES) {
        size_t lanes = n - i0 < MAX_LANES ? n - i0 : MAX_LANES;
        for (size_t j = 0; j < MAX_LANES; j++) {
            /* Unused lanes compute a harmless copy of lane 0. */
            size_t i = i0 + (j < lanes ? j : 0);
            k0[j] = (uint32_t)key[i];
            k1[j] = (uint32_t)(key[i] >> 32);
            c1[j] = purpose[i];
        }
        ds_rng_lanes(MAX_LANES, k0, k1, c0, c1, draw, o0, o1, o2, o3);
        for (size_t j = 0; j < lanes; j++) {
            first[i0 + j][0] = o0[j];
            first[i0 + j][1] = o1[j];
            first[i0 + j][2] = o2[j];
            first[i0 + j][3] = o3[j];
        }
    }
}

void ds_rng_open_many(ds_rng *r, size_t n, const uint64_t *key, uint64_t draw,
                      const uint32_t *purpose)
{
    uint32_t first[MAX_LANES][4];
    for (size_t i0 = 0; i0 < n; i0 += MAX_LANES) {
        size_t lanes = n - i0 < MAX_LANES ? n - i0 : MAX_LANES;
        ds_rng_first_blocks(lanes, key + i0, draw, purpose + i0, first);
        for (size_t j = 0; j < lanes; j++)
            ds_rng_open_at(&r[i0 + j], key[i0 + j], draw, purpose[i0 + j], first[j]);
    }
}

double ds_rng_first_uniform(uint64_t key, uint64_t draw, uint32_t purpose)
{
    uint32_t k0[4], k1[4], c0[4] = {0}, c1[4], o0[4], o1[4], o2[4], o3[4];
    for (int j = 0; j < 4; j++) {
        k0[j] = (uint32_t)key;
        k1[j] = (uint32_t)(key >> 32);
        c1[j] = purpose;
    }
    philox_lanes4(k0, k1, c0, c1, (uint32_t)draw, (uint32_t)(draw >> 32), o0, o1, o2,
                  o3);
    return (double)ds_rng_u53_of(o0[0], o1[0]) * DS_RNG_TWO_M53;
}

/* ---- names and keys --------------------------------------------------- */

/* The finaliser of splitmix64 (Steele, Lea & Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014), with the shifts and
 * multipliers of Stafford's variant 13 ("Better bit mixing", 2011): a
 * bijection of 64-bit words in which every input bit changes about half
 * of the output bits. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Starting values with nothing up their sleeve: the first 64 bits of the
 * fractional parts of sqrt(2) and sqrt(3) (SHA-512's first two initial
 * hash words, FIPS 180-4 §5.3.5). */
#define NAME_IV UINT64_C(0x6a09e667f3bcc908)
#define SEED_IV UINT64_C(0xbb67ae8584caa73b)

/* The k <= 8 bytes at p as a word, the first the lowest. */
static uint64_t load_le(const unsigned char *p, size_t k)
{
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(&w, p, k);
#else
    for (size_t i = 0; i < k; i++)
        w |= (uint64_t)p[i] << (8 * i);
#endif
    return w;
}

/* The name's bytes eight a word (the last word shorter, none for an empty
 * name), each word mixed in, then the length. */
uint64_t ds_rng_name_hash(const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    const size_t n = strlen(name);
    uint64_t h = NAME_IV;
    size_t len = 0;
    for (; len + 8 <= n; len += 8)
        h = mix64(h ^ load_le(s + len, 8));
    if (len < n)
        h = mix64(h ^ load_le(s + len, n - len));
    return mix64(h ^ (uint64_t)n);
}

uint64_t ds_rng_key(uint64_t seed, uint64_t name_hash)
{
    return mix64(mix64(seed ^ SEED_IV) ^ name_hash);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int ds_rng_find_equal(const uint64_t *h, size_t n, uint64_t *scratch, size_t *i,
                      size_t *j)
{
    if (n < 2)
        return 0;
    memcpy(scratch, h, n * sizeof *h);
    qsort(scratch, n, sizeof *scratch, cmp_u64);
    for (size_t k = 1; k < n; k++) {
        if (scratch[k] != scratch[k - 1])
            continue;
        /* The first two positions holding that value. */
        size_t a = n, b = n;
        for (size_t p = 0; p < n && b == n; p++)
            if (h[p] == scratch[k]) {
                if (a == n)
                    a = p;
                else
                    b = p;
            }
        *i = a;
        *j = b;
        return 1;
    }
    return 0;
}

/* ---- the ziggurat's tables, read from GSL ----------------------------- */

uint32_t ds_rng_zig_k[128];
double ds_rng_zig_w[128];

/* A generator that returns one chosen word, then counts what else the
 * ziggurat asks for: a first try accepted at once takes that word and
 * nothing more.  Later words make any further try accept at once (step 1,
 * j = 0), so every probe ends. */
struct zig_probe {
    uint32_t word;
    int words, doubles;
};

static void zig_probe_set(void *state, unsigned long seed)
{
    (void)state;
    (void)seed;
}

static unsigned long zig_probe_get(void *state)
{
    struct zig_probe *p = state;
    uint32_t w = p->words++ ? 0x81u : p->word;
    return w;
}

static double zig_probe_get_double(void *state)
{
    struct zig_probe *p = state;
    p->doubles++;
    return 0.5;
}

static const gsl_rng_type zig_probe_type = {
    "dealsim-zig-probe", UINT32_C(0xffffffff), 0, sizeof(struct zig_probe),
    zig_probe_set, zig_probe_get, zig_probe_get_double,
};

/* One try of GSL's ziggurat on word w: 1 iff it was accepted at once, with
 * the value (sigma 1) in *x. */
static int zig_try(uint32_t w, double *x)
{
    struct zig_probe p = {w, 0, 0};
    gsl_rng g = {&zig_probe_type, &p};
    *x = gsl_ran_gaussian_ziggurat(&g, 1.0);
    return p.words == 1 && p.doubles == 0;
}

/* Step i (0..127) with sign bit set: ktab[i] is the least j whose first try
 * is not accepted at once (a binary search over the 2^24 values of j, the
 * test j < ktab[i] being monotone), and wtab[i] the value at j = 1
 * (1 * wtab[i] exactly).  A step whose try at j = 1 is not accepted keeps
 * ktab 0: it always goes through GSL. */
static void zig_read_tables(void)
{
    uint32_t k[128];
    double w[128];
    for (uint32_t i = 0; i < 128; i++) {
        double x;
        k[i] = 0;
        w[i] = 0.0;
        if (!zig_try(0x80u | i | (1u << 8), &x))
            continue;
        w[i] = x;
        uint32_t lo = 2, hi = 1u << 24; /* accepted below lo; answer in [lo, hi] */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (zig_try(0x80u | i | (mid << 8), &x))
                lo = mid + 1;
            else
                hi = mid;
        }
        k[i] = lo;
    }
    /* Publish w before k: a reader that sees k[i] != 0 uses w[i]. */
    memcpy(ds_rng_zig_w, w, sizeof w);
    memcpy(ds_rng_zig_k, k, sizeof k);
}

static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

void ds_rng_gaussian_init(void)
{
    pthread_once(&zig_once, zig_read_tables);
}
