/*
 * rng.h - counter-based random streams (SPEC §7).
 *
 * A stream is named by (seed, draw, purpose) and is a pure function of those
 * three numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11) keyed by the 64-bit seed, with the
 * counter (index, purpose, draw) — so opening a stream costs a few stores, no
 * two streams ever overlap, and results cannot depend on thread scheduling.
 *
 * Each ds_rng embeds a gsl_rng whose type is ds_rng_type, so GSL's samplers
 * (gsl_ran_*) draw from it directly: pass ds_rng_gsl(r).
 */
#ifndef DEALSIM_RNG_H
#define DEALSIM_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Purposes: one stream per (draw, purpose).  The low DS_STREAM_KIND_BITS
 * bits of a purpose say what the stream is for, the bits above number its
 * slot (which dist, which round): DS_STREAM(kind, slot).  Values are part of
 * the output contract: changing them changes every result for a given seed. */
enum {
    DS_STREAM_WORLD = 1,  /* §5.1: one slot per dist of the scenario / actor weights */
    DS_STREAM_ROUNDS = 2, /* §5.6: one slot per round's shocks */
    DS_STREAM_THIRD = 3,  /* §5.4: the uniform U_q of each third party */
    DS_STREAM_DESIGN = 4, /* §9: LHS designs (draw = 0) */
    DS_STREAM_EXTENSION = 5 /* §5.6: the extension flag, one uniform per draw
                               (slot 0) */
};
#define DS_STREAM_KIND_BITS 4
#define DS_STREAM(kind, slot) ((uint32_t)(kind) | ((uint32_t)(slot) << DS_STREAM_KIND_BITS))

/* Words buffered per stream: a refill computes DS_RNG_BUF / 4 Philox blocks
 * together, so their rounds overlap in the pipeline instead of waiting on
 * each other's multiplies. */
#define DS_RNG_BUF 16

typedef struct ds_rng {
    uint32_t key[2];          /* the seed */
    uint32_t ctr[4];          /* ctr[0] = next block to compute, ctr[1] =
                                 purpose, ctr[2..3] = draw */
    uint32_t buf[DS_RNG_BUF]; /* computed words not yet all consumed */
    unsigned used, avail;     /* words of buf consumed / computed */
    gsl_rng gsl;              /* type = ds_rng_type, state = this struct */
} ds_rng;

/* The GSL generator type: 32-bit words (min 0, max 2^32-1); get_double uses
 * 53 bits from two words.  Its `set` maps a GSL seed s to the stream
 * (seed = s, draw = 0, purpose = 0), so gsl_rng_alloc(ds_rng_type) also works. */
extern const gsl_rng_type *ds_rng_type;

/* Point r at the start of stream (seed, draw, purpose).  Initialises the
 * embedded gsl_rng too; r needs no other set-up and owns no memory. */
void ds_rng_open(ds_rng *r, uint64_t seed, uint64_t draw, uint32_t purpose);

/* Open r[i] on stream (seed, draw, purpose[i]) for i < n, computing the
 * first block of every stream together (several times faster than n calls
 * of ds_rng_open followed by a first draw).  The streams are exactly those
 * ds_rng_open gives. */
void ds_rng_open_many(ds_rng *r, size_t n, uint64_t seed, uint64_t draw,
                      const uint32_t *purpose);

/* The first block (4 words) of streams (seed, draw, purpose[i]), i < n, into
 * first[i], computed side by side; ds_rng_open_at then opens a stream on
 * one without computing anything.  For the world of a draw: one generator,
 * reopened per dist, stays in L1. */
void ds_rng_first_blocks(size_t n, uint64_t seed, uint64_t draw,
                         const uint32_t *purpose, uint32_t (*first)[4]);

/* Block block[i] (NULL: block 0) of stream (seed, draw, purpose[i]) into
 * out[i], for i < n, computed side by side. */
void ds_rng_blocks(size_t n, uint64_t seed, uint64_t draw, const uint32_t *purpose,
                   const uint32_t *block, uint32_t (*out)[4]);

/* Open r on stream (seed, draw, purpose) with its first nblocks blocks
 * (1 <= nblocks <= DS_RNG_BUF / 4) already computed in blocks[0..nblocks-1]
 * (by ds_rng_blocks).  Same stream as ds_rng_open. */
static inline void ds_rng_open_blocks(ds_rng *r, uint64_t seed, uint64_t draw,
                                      uint32_t purpose, const uint32_t (*blocks)[4],
                                      unsigned nblocks)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = nblocks;
    r->ctr[1] = purpose;
    r->ctr[2] = (uint32_t)draw;
    r->ctr[3] = (uint32_t)(draw >> 32);
    for (unsigned b = 0; b < nblocks; b++)
        for (unsigned w = 0; w < 4; w++)
            r->buf[4 * b + w] = blocks[b][w];
    r->used = 0;
    r->avail = 4 * nblocks;
    r->gsl.type = ds_rng_type;
    r->gsl.state = r;
}

/* Open r on stream (seed, draw, purpose) whose first block `first` was
 * computed by ds_rng_first_blocks.  Same stream as ds_rng_open. */
static inline void ds_rng_open_at(ds_rng *r, uint64_t seed, uint64_t draw,
                                  uint32_t purpose, const uint32_t first[4])
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = 1;
    r->ctr[1] = purpose;
    r->ctr[2] = (uint32_t)draw;
    r->ctr[3] = (uint32_t)(draw >> 32);
    r->buf[0] = first[0];
    r->buf[1] = first[1];
    r->buf[2] = first[2];
    r->buf[3] = first[3];
    r->used = 0;
    r->avail = 4;
    r->gsl.type = ds_rng_type;
    r->gsl.state = r;
}

/* Compute the next words of r's stream.  Used by the inline functions below. */
void ds_rng_refill(ds_rng *r);

/* The embedded GSL generator, for gsl_ran_* calls.  Valid while r lives. */
static inline gsl_rng *ds_rng_gsl(ds_rng *r) { return &r->gsl; }

/* Next 32 random bits: the stream's words in order. */
static inline uint32_t ds_rng_u32(ds_rng *r)
{
    if (r->used >= r->avail)
        ds_rng_refill(r);
    return r->buf[r->used++];
}

/* 2^-53: the spacing of doubles in [0.5, 1), so k * 2^-53 for a 53-bit k is
 * exact and uniform on [0, 1). */
#define DS_RNG_TWO_M53 (1.0 / 9007199254740992.0)

/* 53 random bits from two words: 27 high bits of the first, 26 of the second. */
static inline uint64_t ds_rng_u53_of(uint32_t w0, uint32_t w1)
{
    return ((uint64_t)(w0 >> 5) << 26) | (w1 >> 6);
}

static inline uint64_t ds_rng_u53(ds_rng *r)
{
    uint32_t w0 = ds_rng_u32(r);
    return ds_rng_u53_of(w0, ds_rng_u32(r));
}

/* Uniform on [0, 1) with 53 random bits (two words). */
static inline double ds_rng_uniform(ds_rng *r)
{
    return (double)ds_rng_u53(r) * DS_RNG_TWO_M53;
}

/* Uniform on (0, 1) with 53 random bits (never 0; two words, no loop: the
 * value 0, of probability 2^-53, becomes 2^-54). */
static inline double ds_rng_uniform_pos(ds_rng *r)
{
    uint64_t k = ds_rng_u53(r);
    return k ? (double)k * DS_RNG_TWO_M53 : 0.5 * DS_RNG_TWO_M53;
}

#endif /* DEALSIM_RNG_H */
