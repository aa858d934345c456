/*
 * rng.c - counter-based random streams (SPEC §7): Philox4x32-10 of Salmon,
 * Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC'11),
 * wrapped as a GSL generator type.  A leaf module: the engine opens one
 * stream per (seed, draw, purpose); dist.c and GSL's samplers draw from it.
 */
#include "dealsim/rng.h"

#include <stddef.h>

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
 * rounds.  Blocks are laid out word by word (c0[j] .. c3[j] is block j), so
 * lanes map onto SIMD registers: 4 blocks per SSE2 register set, 16 per two
 * interleaved AVX2 sets (chosen at run time), with a scalar version for other machines.  Every
 * block uses the same key.  The three versions compute the same bits. */
#define MAX_LANES 16

#if defined(__x86_64__) && defined(__SSE2__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_SIMD 1
#else
static void philox_scalar(uint32_t k0, uint32_t k1, int lanes, uint32_t *c0,
                          uint32_t *c1, uint32_t *c2, uint32_t *c3)
{
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        for (int j = 0; j < lanes; j++) {
            uint64_t p0 = (uint64_t)PHILOX_M0 * c0[j];
            uint64_t p1 = (uint64_t)PHILOX_M1 * c2[j];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[j] ^ k0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[j] ^ k1;
            c1[j] = (uint32_t)p1;
            c3[j] = (uint32_t)p0;
            c0[j] = n0;
            c2[j] = n2;
        }
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
}
#endif

#ifdef HAVE_X86_SIMD

/* 4 blocks: lanes j = 0..3 of four 128-bit registers.  _mm_mul_epu32
 * multiplies the even 32-bit lanes into 64-bit products; the odd lanes are
 * shifted down and multiplied the same way, then the halves recombined. */
static void philox_x4(uint32_t k0, uint32_t k1, uint32_t *c0, uint32_t *c1,
                      uint32_t *c2, uint32_t *c3)
{
    const __m128i m0 = _mm_set1_epi32((int)PHILOX_M0);
    const __m128i m1 = _mm_set1_epi32((int)PHILOX_M1);
    const __m128i lo = _mm_set1_epi64x(0xffffffffLL);
    const __m128i hi = _mm_set1_epi64x((long long)0xffffffff00000000ULL);
    __m128i a = _mm_loadu_si128((const __m128i *)c0);
    __m128i b = _mm_loadu_si128((const __m128i *)c1);
    __m128i c = _mm_loadu_si128((const __m128i *)c2);
    __m128i d = _mm_loadu_si128((const __m128i *)c3);
    __m128i ka = _mm_set1_epi32((int)k0), kb = _mm_set1_epi32((int)k1);
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
    _mm_storeu_si128((__m128i *)c0, a);
    _mm_storeu_si128((__m128i *)c1, b);
    _mm_storeu_si128((__m128i *)c2, c);
    _mm_storeu_si128((__m128i *)c3, d);
}

/* One Philox round on 8 blocks held in four 256-bit registers. */
#define PHILOX_ROUND_AVX2(a, b, c, d, ka, kb)                                  \
    do {                                                                       \
        __m256i pe0 = _mm256_mul_epu32(a, m0);                                 \
        __m256i po0 = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m0);          \
        __m256i pe1 = _mm256_mul_epu32(c, m1);                                 \
        __m256i po1 = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m1);          \
        __m256i hi0 = _mm256_or_si256(_mm256_srli_epi64(pe0, 32),              \
                                      _mm256_and_si256(po0, hi));              \
        __m256i lo0 = _mm256_or_si256(_mm256_and_si256(pe0, lo),               \
                                      _mm256_slli_epi64(po0, 32));             \
        __m256i hi1 = _mm256_or_si256(_mm256_srli_epi64(pe1, 32),              \
                                      _mm256_and_si256(po1, hi));              \
        __m256i lo1 = _mm256_or_si256(_mm256_and_si256(pe1, lo),               \
                                      _mm256_slli_epi64(po1, 32));             \
        a = _mm256_xor_si256(_mm256_xor_si256(hi1, b), ka);                    \
        b = lo1;                                                               \
        c = _mm256_xor_si256(_mm256_xor_si256(hi0, d), kb);                    \
        d = lo0;                                                               \
    } while (0)

/* 16 blocks with AVX2: two independent sets of 8, interleaved so one set's
 * multiplies run while the other's wait on their latency. */
__attribute__((target("avx2")))
static void philox_x16_avx2(uint32_t k0, uint32_t k1, uint32_t *c0, uint32_t *c1,
                            uint32_t *c2, uint32_t *c3)
{
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi32((int)PHILOX_M1);
    const __m256i lo = _mm256_set1_epi64x(0xffffffffLL);
    const __m256i hi = _mm256_set1_epi64x((long long)0xffffffff00000000ULL);
    __m256i a = _mm256_loadu_si256((const __m256i *)c0);
    __m256i b = _mm256_loadu_si256((const __m256i *)c1);
    __m256i c = _mm256_loadu_si256((const __m256i *)c2);
    __m256i d = _mm256_loadu_si256((const __m256i *)c3);
    __m256i e = _mm256_loadu_si256((const __m256i *)(c0 + 8));
    __m256i f = _mm256_loadu_si256((const __m256i *)(c1 + 8));
    __m256i g = _mm256_loadu_si256((const __m256i *)(c2 + 8));
    __m256i h = _mm256_loadu_si256((const __m256i *)(c3 + 8));
    __m256i ka = _mm256_set1_epi32((int)k0), kb = _mm256_set1_epi32((int)k1);
    const __m256i wa = _mm256_set1_epi32((int)PHILOX_W0);
    const __m256i wb = _mm256_set1_epi32((int)PHILOX_W1);
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        PHILOX_ROUND_AVX2(a, b, c, d, ka, kb);
        PHILOX_ROUND_AVX2(e, f, g, h, ka, kb);
        ka = _mm256_add_epi32(ka, wa);
        kb = _mm256_add_epi32(kb, wb);
    }
    _mm256_storeu_si256((__m256i *)c0, a);
    _mm256_storeu_si256((__m256i *)c1, b);
    _mm256_storeu_si256((__m256i *)c2, c);
    _mm256_storeu_si256((__m256i *)c3, d);
    _mm256_storeu_si256((__m256i *)(c0 + 8), e);
    _mm256_storeu_si256((__m256i *)(c1 + 8), f);
    _mm256_storeu_si256((__m256i *)(c2 + 8), g);
    _mm256_storeu_si256((__m256i *)(c3 + 8), h);
}
#endif

/* MAX_LANES (16) blocks in place, by the fastest version this machine has. */
static void philox_lanes16(uint32_t k0, uint32_t k1, uint32_t *c0, uint32_t *c1,
                           uint32_t *c2, uint32_t *c3)
{
#ifdef HAVE_X86_SIMD
    if (__builtin_cpu_supports("avx2")) {
        philox_x16_avx2(k0, k1, c0, c1, c2, c3);
    } else {
        for (int j = 0; j < MAX_LANES; j += 4)
            philox_x4(k0, k1, c0 + j, c1 + j, c2 + j, c3 + j);
    }
#else
    philox_scalar(k0, k1, MAX_LANES, c0, c1, c2, c3);
#endif
}

/* 4 blocks in place. */
static void philox_lanes4(uint32_t k0, uint32_t k1, uint32_t *c0, uint32_t *c1,
                          uint32_t *c2, uint32_t *c3)
{
#ifdef HAVE_X86_SIMD
    philox_x4(k0, k1, c0, c1, c2, c3);
#else
    philox_scalar(k0, k1, 4, c0, c1, c2, c3);
#endif
}

void ds_rng_refill(ds_rng *r)
{
    enum { BLOCKS = DS_RNG_BUF / 4 };
    uint32_t c0[MAX_LANES], c1[MAX_LANES], c2[MAX_LANES], c3[MAX_LANES];
    for (int j = 0; j < BLOCKS; j++) {
        c0[j] = r->ctr[0] + (uint32_t)j; /* 2^32 blocks = 2^34 words, then it repeats */
        c1[j] = r->ctr[1];
        c2[j] = r->ctr[2];
        c3[j] = r->ctr[3];
    }
    _Static_assert(BLOCKS == 4, "refill computes four blocks");
    philox_lanes4(r->key[0], r->key[1], c0, c1, c2, c3);
    for (int j = 0; j < BLOCKS; j++) {
        r->buf[4 * j] = c0[j];
        r->buf[4 * j + 1] = c1[j];
        r->buf[4 * j + 2] = c2[j];
        r->buf[4 * j + 3] = c3[j];
    }
    r->ctr[0] += BLOCKS;
    r->used = 0;
    r->avail = DS_RNG_BUF;
}

/* Point r at (seed, draw, purpose) without touching its gsl member. */
static void stream_set(ds_rng *r, uint64_t seed, uint64_t draw, uint32_t purpose)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
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

void ds_rng_open(ds_rng *r, uint64_t seed, uint64_t draw, uint32_t purpose)
{
    stream_set(r, seed, draw, purpose);
    r->gsl.type = &ds_rng_type_s;
    r->gsl.state = r;
}

void ds_rng_blocks(size_t n, uint64_t seed, uint64_t draw, const uint32_t *purpose,
                   const uint32_t *block, uint32_t (*out)[4])
{
    uint32_t c0[MAX_LANES], c1[MAX_LANES], c2[MAX_LANES], c3[MAX_LANES];
    for (size_t i0 = 0; i0 < n; i0 += MAX_LANES) {
        size_t lanes = n - i0 < MAX_LANES ? n - i0 : MAX_LANES;
        for (size_t j = 0; j < MAX_LANES; j++) {
            /* Unused lanes compute a harmless copy of lane 0. */
            size_t i = i0 + (j < lanes ? j : 0);
            c0[j] = block ? block[i] : 0;
            c1[j] = purpose[i];
            c2[j] = (uint32_t)draw;
            c3[j] = (uint32_t)(draw >> 32);
        }
        philox_lanes16((uint32_t)seed, (uint32_t)(seed >> 32), c0, c1, c2, c3);
        for (size_t j = 0; j < lanes; j++) {
            out[i0 + j][0] = c0[j];
            out[i0 + j][1] = c1[j];
            out[i0 + j][2] = c2[j];
            out[i0 + j][3] = c3[j];
        }
    }
}

void ds_rng_first_blocks(size_t n, uint64_t seed, uint64_t draw,
                         const uint32_t *purpose, uint32_t (*first)[4])
{
    ds_rng_blocks(n, seed, draw, purpose, NULL, first);
}

void ds_rng_open_many(ds_rng *r, size_t n, uint64_t seed, uint64_t draw,
                      const uint32_t *purpose)
{
    uint32_t first[MAX_LANES][4];
    for (size_t i0 = 0; i0 < n; i0 += MAX_LANES) {
        size_t lanes = n - i0 < MAX_LANES ? n - i0 : MAX_LANES;
        ds_rng_first_blocks(lanes, seed, draw, purpose + i0, first);
        for (size_t j = 0; j < lanes; j++)
            ds_rng_open_at(&r[i0 + j], seed, draw, purpose[i0 + j], first[j]);
    }
}
