/*
 * test_rng.c - Philox4x32-10 streams (sim/rng.c): the published known-answer
 * vectors, the (key, draw, purpose) mapping, the names and keys of streams,
 * the GSL generator type, and the moments of the uniforms.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dealsim/rng.h"

/* Known-answer vectors of Philox4x32-10 (Random123 1.09, kat_vectors:
 * "philox4x32 10"): counter, key, expected output block. */
static const struct {
    uint32_t ctr[4], key[2], out[4];
} kat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

/* Open the stream whose first block has counter c and key k: key = k's
 * halves, draw = counter words 2..3, purpose = word 1, block index = word 0. */
static void open_at(ds_rng *r, const uint32_t c[4], const uint32_t k[2])
{
    ds_rng_open(r, ((uint64_t)k[1] << 32) | k[0], ((uint64_t)c[3] << 32) | c[2], c[1]);
    r->ctr[0] = c[0];
}

Test(rng, philox_known_answers)
{
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        ds_rng r;
        open_at(&r, kat[i].ctr, kat[i].key);
        for (int j = 0; j < 4; j++) {
            uint32_t w = ds_rng_u32(&r);
            cr_assert_eq(w, kat[i].out[j], "vector %zu word %d: %08x != %08x", i, j,
                         (unsigned)w, (unsigned)kat[i].out[j]);
        }
    }
}

Test(rng, stream_zero_is_the_first_vector)
{
    ds_rng r;
    ds_rng_open(&r, 0, 0, 0);
    for (int j = 0; j < 4; j++)
        cr_assert_eq(ds_rng_u32(&r), kat[0].out[j]);
}

Test(rng, second_block_uses_the_next_block_index)
{
    ds_rng a, b;
    ds_rng_open(&a, 0xa4093822299f31d0u, 77, DS_STREAM_ROUNDS);
    ds_rng_open(&b, 0xa4093822299f31d0u, 77, DS_STREAM_ROUNDS);
    b.ctr[0] = 1;
    for (int j = 0; j < 4; j++)
        (void)ds_rng_u32(&a);
    for (int j = 0; j < 4; j++)
        cr_assert_eq(ds_rng_u32(&a), ds_rng_u32(&b));
}

Test(rng, open_is_deterministic)
{
    ds_rng a, b;
    ds_rng_open(&a, 12345, 678, DS_STREAM_WORLD);
    for (int j = 0; j < 37; j++)
        (void)ds_rng_u32(&a);
    ds_rng_open(&a, 12345, 678, DS_STREAM_WORLD); /* re-open resets */
    ds_rng_open(&b, 12345, 678, DS_STREAM_WORLD);
    for (int j = 0; j < 1000; j++)
        cr_assert_eq(ds_rng_u32(&a), ds_rng_u32(&b), "word %d", j);
}

/* Streams that differ in any one of key (low or high half), draw (low or
 * high half) or purpose share none of their first 64 words. */
Test(rng, distinct_streams_differ)
{
    const struct {
        uint64_t key, draw;
        uint32_t purpose;
    } s[] = {
        {1, 0, DS_STREAM_WORLD},           {2, 0, DS_STREAM_WORLD},
        {1 + (1ull << 32), 0, DS_STREAM_WORLD}, {1, 1, DS_STREAM_WORLD},
        {1, 1ull << 32, DS_STREAM_WORLD},  {1, 0, DS_STREAM_ROUNDS},
        {1, 0, DS_STREAM_THIRD},           {1, 0, DS_STREAM_DESIGN},
        {1, 0, DS_STREAM_EXTENSION},
    };
    enum { NS = sizeof s / sizeof s[0], NW = 64 };
    static uint32_t w[NS][NW];
    for (int i = 0; i < NS; i++) {
        ds_rng r;
        ds_rng_open(&r, s[i].key, s[i].draw, s[i].purpose);
        for (int j = 0; j < NW; j++)
            w[i][j] = ds_rng_u32(&r);
    }
    for (int i = 0; i < NS; i++)
        for (int k = i + 1; k < NS; k++) {
            int same = 0;
            for (int j = 0; j < NW; j++)
                same += w[i][j] == w[k][j];
            cr_assert_eq(same, 0, "streams %d and %d share %d words", i, k, same);
        }
}

Test(rng, gsl_type_properties)
{
    ds_rng r;
    ds_rng_open(&r, 5, 6, 7);
    gsl_rng *g = ds_rng_gsl(&r);
    cr_assert_str_eq(gsl_rng_name(g), "dealsim-philox4x32");
    cr_assert_eq(gsl_rng_max(g), 0xffffffffu);
    cr_assert_eq(gsl_rng_min(g), 0u);
    cr_assert_eq(gsl_rng_size(g), sizeof(ds_rng));
    cr_assert_eq(g->type, ds_rng_type);
    cr_assert_eq(g->state, (void *)&r);
}

/* gsl_rng_get and gsl_rng_uniform read the same words as ds_rng_u32 and
 * ds_rng_uniform (the state is the ds_rng itself). */
Test(rng, gsl_calls_share_the_stream)
{
    ds_rng a, b;
    ds_rng_open(&a, 99, 3, DS_STREAM_THIRD);
    ds_rng_open(&b, 99, 3, DS_STREAM_THIRD);
    for (int j = 0; j < 10; j++)
        cr_assert_eq(gsl_rng_get(ds_rng_gsl(&a)), (unsigned long)ds_rng_u32(&b));
    for (int j = 0; j < 10; j++)
        cr_assert_eq(gsl_rng_uniform(ds_rng_gsl(&a)), ds_rng_uniform(&b));
    /* interleaving keeps the word order */
    (void)ds_rng_u32(&a);
    (void)gsl_rng_get(ds_rng_gsl(&b));
    cr_assert_eq(ds_rng_u32(&a), ds_rng_u32(&b));
}

/* get_double: 27 high bits of the first word, 26 of the second. */
Test(rng, uniform_bit_layout)
{
    ds_rng a, b;
    ds_rng_open(&a, 42, 0, 0);
    ds_rng_open(&b, 42, 0, 0);
    for (int j = 0; j < 100; j++) {
        uint64_t hi = ds_rng_u32(&b) >> 5, lo = ds_rng_u32(&b) >> 6;
        double want = (double)((hi << 26) | lo) / 9007199254740992.0;
        cr_assert_eq(ds_rng_uniform(&a), want);
    }
}

Test(rng, gsl_rng_alloc_and_set)
{
    gsl_rng *g = gsl_rng_alloc(ds_rng_type);
    cr_assert_not_null(g);
    gsl_rng_set(g, 31337);
    ds_rng r;
    ds_rng_open(&r, 31337, 0, 0);
    for (int j = 0; j < 20; j++)
        cr_assert_eq(gsl_rng_get(g), (unsigned long)ds_rng_u32(&r));
    /* gsl_rng_set on an opened stream restarts it at (key = seed, 0, 0) */
    ds_rng s;
    ds_rng_open(&s, 1, 2, 3);
    gsl_rng_set(ds_rng_gsl(&s), 31337);
    ds_rng_open(&r, 31337, 0, 0);
    cr_assert_eq(ds_rng_u32(&s), ds_rng_u32(&r));
    gsl_rng_free(g);
}

/* Uniform moments: mean 1/2, variance 1/12 within 4 standard errors
 * (se of the mean sqrt(1/12/n); of the variance sqrt((1/80 - 1/144)/n),
 * the fourth central moment of U being 1/80). */
Test(rng, uniform_moments)
{
    enum { N = 1000000 };
    ds_rng r;
    ds_rng_open(&r, 20261128, 1, DS_STREAM_WORLD);
    double s = 0, s2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < N; i++) {
        double u = ds_rng_uniform(&r);
        cr_assert(u >= 0 && u < 1);
        s += u;
        s2 += (u - 0.5) * (u - 0.5);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    double mean = s / N, var = s2 / N - (mean - 0.5) * (mean - 0.5);
    cr_assert(fabs(mean - 0.5) < 4 * sqrt(1.0 / 12 / N), "mean %g", mean);
    cr_assert(fabs(var - 1.0 / 12) < 4 * sqrt((1.0 / 80 - 1.0 / 144) / N), "var %g", var);
    cr_assert(lo < 1e-5 && hi > 1 - 1e-5);
}

Test(rng, uniform_pos_is_open)
{
    ds_rng r;
    ds_rng_open(&r, 7, 7, 7);
    double s = 0;
    for (int i = 0; i < 100000; i++) {
        double u = ds_rng_uniform_pos(&r);
        cr_assert(u > 0 && u < 1);
        s += u;
    }
    cr_assert(fabs(s / 100000 - 0.5) < 4 * sqrt(1.0 / 12 / 100000));
}

/* u32: every bit is 1 half the time (4 se over 200000 words). */
Test(rng, u32_bits_balanced)
{
    enum { N = 200000 };
    ds_rng r;
    ds_rng_open(&r, 3, 1, DS_STREAM_ROUNDS);
    long cnt[32] = {0};
    for (int i = 0; i < N; i++) {
        uint32_t w = ds_rng_u32(&r);
        for (int b = 0; b < 32; b++)
            cnt[b] += (w >> b) & 1;
    }
    for (int b = 0; b < 32; b++)
        cr_assert(fabs(cnt[b] - N / 2.0) < 4 * sqrt(N / 4.0), "bit %d: %ld", b, cnt[b]);
}

/* GSL samplers through ds_rng_gsl: gaussian (ziggurat and Box-Muller) mean
 * and variance, Poisson mean, within 4 se. */
Test(rng, gsl_samplers_work)
{
    enum { N = 200000 };
    ds_rng r;
    ds_rng_open(&r, 11, 2, DS_STREAM_WORLD);
    gsl_rng *g = ds_rng_gsl(&r);
    double s = 0, s2 = 0, t = 0, p = 0;
    for (int i = 0; i < N; i++) {
        double z = gsl_ran_gaussian_ziggurat(g, 2.0);
        s += z;
        s2 += z * z;
        t += gsl_ran_gaussian(g, 1.0);
        p += gsl_ran_poisson(g, 3.5);
    }
    cr_assert(fabs(s / N) < 4 * 2 / sqrt(N), "ziggurat mean %g", s / N);
    /* var of z^2 for N(0, 4) is 2 * 16 */
    cr_assert(fabs(s2 / N - 4) < 4 * sqrt(32.0 / N), "ziggurat var %g", s2 / N);
    cr_assert(fabs(t / N) < 4 / sqrt(N));
    cr_assert(fabs(p / N - 3.5) < 4 * sqrt(3.5 / N));
}

/* Streams opened together (first blocks computed side by side, in SIMD
 * lanes) are exactly the streams opened one by one, for any count: full
 * groups of 8, a partial group, and words past the first block. */
Test(rng, open_many_equals_open)
{
    enum { N = 21, WORDS = 40 };
    ds_rng many[N], one;
    uint32_t purpose[N];
    uint64_t key[N];
    for (size_t i = 0; i < N; i++) {
        purpose[i] = DS_STREAM(DS_STREAM_WORLD, 3 * i + 1);
        /* Every lane its own key, some sharing one. */
        key[i] = UINT64_C(0x123456789abcdef) * (i % 7 + 1);
    }
    ds_rng_open_many(many, N, key, 987654321, purpose);
    for (size_t i = 0; i < N; i++) {
        ds_rng_open(&one, key[i], 987654321, purpose[i]);
        for (int w = 0; w < WORDS; w++)
            cr_assert_eq(ds_rng_u32(&many[i]), ds_rng_u32(&one), "stream %zu word %d", i, w);
        /* The GSL view works on a stream from open_many too. */
        cr_assert_eq(gsl_rng_get(ds_rng_gsl(&many[i])), gsl_rng_get(ds_rng_gsl(&one)));
    }
}

/* Blocks computed ahead in lanes (any block index and key, side by side:
 * two groups of DS_RNG_LANES and a part of one) and handed to
 * ds_rng_open_lanes give the same stream as ds_rng_open, past the
 * precomputed words too; by every SIMD version this machine has (the
 * widest computes 32 lanes at a time, then 16). */
static void lanes_equal_open(void);

Test(rng, open_lanes_equals_open)
{
    const int had = ds_rng_simd_limit(DS_RNG_SIMD_AVX512);
    int seen = -1;
    for (int level = DS_RNG_SIMD_NONE; level <= DS_RNG_SIMD_AVX512; level++) {
        ds_rng_simd_limit(level);
        cr_assert_leq(ds_rng_simd(), level);
        if (ds_rng_simd() == seen)
            continue;               /* this machine has no such version */
        seen = ds_rng_simd();
        lanes_equal_open();
    }
    ds_rng_simd_limit(had);
}

static void lanes_equal_open(void)
{
    enum { STREAMS = 13, NB = 3, N = STREAMS * NB, CAP = 48 };
    _Static_assert(CAP % DS_RNG_LANES == 0 && CAP >= N, "whole lanes");
    uint32_t purpose[CAP] = {0}, block[CAP] = {0}, lo[CAP] = {0}, hi[CAP] = {0};
    uint32_t w0[CAP], w1[CAP], w2[CAP], w3[CAP];
    uint64_t key[CAP];
    for (size_t i = 0; i < N; i++) {
        purpose[i] = DS_STREAM(DS_STREAM_ROUNDS, 1 + i / NB);
        block[i] = (uint32_t)(i % NB);
        key[i] = ds_rng_key(99, i / NB); /* one key per stream */
        lo[i] = (uint32_t)key[i];
        hi[i] = (uint32_t)(key[i] >> 32);
    }
    ds_rng_lanes(N, lo, hi, block, purpose, 123456789012ULL, w0, w1, w2, w3);
    for (size_t s = 0; s < STREAMS; s++) {
        ds_rng a, b;
        size_t i = s * NB;
        ds_rng_open_lanes(&a, key[i], 123456789012ULL, purpose[i], w0 + i, w1 + i, w2 + i,
                          w3 + i, NB);
        ds_rng_open(&b, key[i], 123456789012ULL, purpose[i]);
        for (int w = 0; w < 50; w++)
            cr_assert_eq(ds_rng_u32(&a), ds_rng_u32(&b), "stream %zu word %d, SIMD %d", s, w,
                         ds_rng_simd());
    }
}

/* ---- names and keys --------------------------------------------------- */

/* The hash of a name and the key of a stream are part of the output
 * contract (rng.h).  Values computed by a separate implementation of the
 * documented algorithm (64-bit words of the name, little-endian, each
 * mixed into the state by splitmix64's finaliser from sqrt(2)'s bits, then
 * the length; the key mixes the seed with sqrt(3)'s bits, then the hash). */
Test(rng, name_hash_and_key_values)
{
    static const struct {
        const char *name;
        uint64_t hash;
    } v[] = {
        {"", UINT64_C(0x492b8d6066c09227)},
        {"rounds", UINT64_C(0x1e1c741d3b8af8b3)},
        {"baseline_deficit", UINT64_C(0x6b203aeb5afdd993)},
        {"lines.autos.exports", UINT64_C(0x77a92ae93e2b93b9)},
        {"protocol.extension", UINT64_C(0x4c7a2ab62b7bc87e)},
        {"actors.trump.weights", UINT64_C(0x7da63f4490b643a7)},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_expect_eq(ds_rng_name_hash(v[i].name), v[i].hash, "'%s': %016llx", v[i].name,
                     (unsigned long long)ds_rng_name_hash(v[i].name));
    cr_expect_eq(ds_rng_key(2025, UINT64_C(0x6b203aeb5afdd993)),
                 UINT64_C(0x4f95a738a4e95a52));
    cr_expect_eq(ds_rng_key(0, 0), UINT64_C(0x64d518a44ffc1d6e));
    cr_expect_eq(ds_rng_name_hash(DS_STREAM_ROUNDS_NAME), ds_rng_name_hash("rounds"));
}

/* Names of at most 8 bytes never share a hash (each is one word through a
 * bijection): every name of one or two characters of id syntax and '.'; and
 * a name and the same name with one more character differ. */
Test(rng, short_names_never_collide)
{
    static const char cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.";
    enum { NC = sizeof cs - 1, N = NC + NC * NC };
    static uint64_t h[N], tmp[N];
    size_t n = 0, i, j;
    for (size_t a = 0; a < NC; a++) {
        char s[3] = {cs[a], 0, 0};
        h[n++] = ds_rng_name_hash(s);
        for (size_t b = 0; b < NC; b++) {
            s[1] = cs[b];
            h[n++] = ds_rng_name_hash(s);
            s[1] = 0;
        }
    }
    cr_assert_eq(n, (size_t)N);
    cr_assert_not(ds_rng_find_equal(h, n, tmp, &i, &j), "%zu and %zu collide", i, j);
    cr_assert_neq(ds_rng_name_hash("items.semis.cost"), ds_rng_name_hash("items.semis.costs"));
    cr_assert_neq(ds_rng_name_hash("abcdefgh"), ds_rng_name_hash("abcdefgh\x01"));
}

/* For one seed, distinct names give distinct keys (the key is one-to-one
 * in the hash), and the key changes with the seed: 20000 paths of a large
 * scenario under two seeds, 40000 keys, all distinct. */
Test(rng, keys_of_many_names_are_distinct)
{
    enum { N = 20000 };
    static uint64_t k[2 * N], tmp[2 * N];
    size_t i, j;
    for (size_t n = 0; n < N; n++) {
        char name[64];
        snprintf(name, sizeof name, "items.item%zu.scores.dim%zu", n / 40, n % 40);
        uint64_t h = ds_rng_name_hash(name);
        k[n] = ds_rng_key(1, h);
        k[N + n] = ds_rng_key(2, h);
    }
    cr_assert_not(ds_rng_find_equal(k, 2 * N, tmp, &i, &j), "keys %zu and %zu collide", i, j);
}

/* ds_rng_find_equal finds the first two positions of the smallest value
 * that repeats, and nothing where there is nothing. */
Test(rng, find_equal)
{
    uint64_t tmp[8];
    size_t i = 99, j = 99;
    cr_assert_not(ds_rng_find_equal((uint64_t[]){5}, 1, tmp, &i, &j));
    cr_assert_not(ds_rng_find_equal(NULL, 0, tmp, &i, &j));
    cr_assert_not(ds_rng_find_equal((uint64_t[]){3, 1, 2, UINT64_MAX}, 4, tmp, &i, &j));
    cr_assert(ds_rng_find_equal((uint64_t[]){9, 4, 7, 4, 9, 4}, 6, tmp, &i, &j));
    cr_assert(i == 1 && j == 3, "%zu %zu", i, j);
    cr_assert(ds_rng_find_equal((uint64_t[]){UINT64_MAX, 0, UINT64_MAX}, 3, tmp, &i, &j));
    cr_assert(i == 0 && j == 2, "%zu %zu", i, j);
}

/* ds_rng_first_uniform is the first ds_rng_uniform of the stream. */
Test(rng, first_uniform_is_the_streams_first)
{
    uint64_t key = ds_rng_key(77, ds_rng_name_hash(DS_STREAM_EXTENSION_NAME));
    for (uint64_t d = 0; d < 1000; d += 7) {
        uint64_t draw = d * UINT64_C(0x9e3779b97f4a7c15); /* both halves used */
        ds_rng r;
        ds_rng_open(&r, key, draw, DS_STREAM(DS_STREAM_EXTENSION, 0));
        cr_assert_eq(ds_rng_first_uniform(key, draw, DS_STREAM(DS_STREAM_EXTENSION, 0)),
                     ds_rng_uniform(&r));
    }
}

/* Stream names' hashes (they key every stream, so every output): known
 * answers, and names of every length up to 40 against the definition, one
 * byte at a time (bytes eight a word, the first the lowest, each word mixed
 * in by SplitMix64's finaliser, then the length). */
static uint64_t splitmix_fin(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t name_hash_bytewise(const char *name)
{
    uint64_t h = UINT64_C(0x6a09e667f3bcc908), w = 0;
    size_t n = 0;
    for (; name[n]; n++) {
        w |= (uint64_t)(unsigned char)name[n] << (8 * (n % 8));
        if (n % 8 == 7) {
            h = splitmix_fin(h ^ w);
            w = 0;
        }
    }
    if (n % 8)
        h = splitmix_fin(h ^ w);
    return splitmix_fin(h ^ (uint64_t)n);
}

Test(rng, name_hash_is_its_definition)
{
    static const struct {
        const char *name;
        uint64_t hash;
    } known[] = {
        {"", UINT64_C(0x492b8d6066c09227)},
        {"a", UINT64_C(0x4bc29321a14d6dc6)},
        {"baseline_deficit", UINT64_C(0x6b203aeb5afdd993)},
        {"items.a.cost", UINT64_C(0x36c3132c63baef0b)},
        {"12345678", UINT64_C(0xefadc422cc057b6b)},
        {"123456789", UINT64_C(0xd9e1318b74cfb1dd)},
        {"1234567", UINT64_C(0x4516201b3ce027eb)},
        {"abcdefghijklmnop", UINT64_C(0x3775d4eb75e8de63)},
        {"actors.president.weights.national_security", UINT64_C(0x9ee9ffcf75c9aa4f)},
    };
    char name[41];
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        cr_assert_eq(ds_rng_name_hash(known[i].name), known[i].hash, "%s", known[i].name);
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            name[i] = (char)(i % 2 ? 0x80 + (int)(i * 7 % 127) : 'a' + (int)(i % 26));
        name[n] = '\0';
        cr_assert_eq(ds_rng_name_hash(name), name_hash_bytewise(name), "length %zu", n);
    }
}
