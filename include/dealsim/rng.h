/*
 * rng.h - counter-based random streams (SPEC §7).
 *
 * A stream is Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11) under a 64-bit key, run over the
 * counter (block, purpose, draw): so opening a stream costs a few stores,
 * two streams with different keys or purposes never overlap, and results
 * cannot depend on thread scheduling.
 *
 * Streams are named by what they are for, never by position (SPEC §7 v2):
 * the engine's stream for a dist is named by the dist's SPEC §9 path
 * ("baseline_deficit", "lines.autos.exports", "actors.trump.threshold"),
 * so adding a dist, an item or anything else to a scenario never moves
 * another stream.  Seed (64 bits), draw (64 bits), a name and a block index
 * do not fit Philox's 64-bit key and 128-bit counter together, so:
 *   key     = ds_rng_key(seed, ds_rng_name_hash(name)), a fixed strong mix
 *             of the seed and a 64-bit hash of the name;
 *   counter = (block index, purpose, draw), purpose = DS_STREAM(kind, slot).
 * For a fixed seed the key is a one-to-one function of the name's hash, so
 * two streams of one kind coincide only if their names' 64-bit hashes do;
 * the engine checks that they don't when it is built (ds_rng_find_equal).
 * Keys are computed once per engine and seed, so a draw costs the same as
 * with one key.
 *
 * Each ds_rng embeds a gsl_rng whose type is ds_rng_type, so GSL's samplers
 * (gsl_ran_*) draw from it directly: pass ds_rng_gsl(r).
 */
#ifndef DEALSIM_RNG_H
#define DEALSIM_RNG_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* Purposes.  The low DS_STREAM_KIND_BITS bits of a purpose say what kind of
 * stream it is, the bits above number its slot (only rounds have more than
 * slot 0): DS_STREAM(kind, slot).  Kinds keep apart names that could be
 * equal in two namespaces (a third party may be called "elasticity").
 * Values and names are part of the output contract: changing them changes
 * every result for a given seed. */
enum {
    DS_STREAM_WORLD = 1,    /* §5.1: named by a dist's path, or an actor's
                               Dirichlet weights by "actors.ID.weights";
                               slot 0 */
    DS_STREAM_ROUNDS = 2,   /* §5.6: named DS_STREAM_ROUNDS_NAME; slot = the
                               round's number (1-based) */
    DS_STREAM_THIRD = 3,    /* §5.4: the uniform U_q, named by the third
                               party's id; slot 0 */
    DS_STREAM_DESIGN = 4,   /* §9: LHS designs; key = the seed itself, draw 0 */
    DS_STREAM_EXTENSION = 5 /* §5.6: the extension flag of a draw, named
                               DS_STREAM_EXTENSION_NAME; slot 0 */
};
#define DS_STREAM_KIND_BITS 4
#define DS_STREAM(kind, slot) ((uint32_t)(kind) | ((uint32_t)(slot) << DS_STREAM_KIND_BITS))
#define DS_STREAM_ROUNDS_NAME "rounds"
#define DS_STREAM_EXTENSION_NAME "protocol.extension"

/* Words a refill computes: DS_RNG_BUF / 4 Philox blocks together, so
 * their rounds overlap in the pipeline instead of waiting on each other's
 * multiplies. */
#define DS_RNG_BUF 16
/* Words a stream can hold: a stream opened with blocks computed elsewhere
 * (ds_rng_open_lanes) may start with up to DS_RNG_HOLD / 4 of them. */
#define DS_RNG_HOLD 32
_Static_assert(DS_RNG_HOLD >= DS_RNG_BUF && DS_RNG_HOLD % 4 == 0,
               "a stream holds whole blocks, at least a refill's");

typedef struct ds_rng {
    uint32_t key[2];          /* the stream's key, low word first */
    uint32_t ctr[4];          /* ctr[0] = next block to compute, ctr[1] =
                                 purpose, ctr[2..3] = draw */
    uint32_t buf[DS_RNG_HOLD]; /* computed words not yet all consumed */
    unsigned used, avail;     /* words of buf consumed / computed */
    gsl_rng gsl;              /* type = ds_rng_type, state = this struct */
} ds_rng;

/* The GSL generator type: 32-bit words (min 0, max 2^32-1); get_double uses
 * 53 bits from two words.  Its `set` maps a GSL seed s to the stream
 * (key = s, draw = 0, purpose = 0), so gsl_rng_alloc(ds_rng_type) also works. */
extern const gsl_rng_type *ds_rng_type;

/* ---- names and keys --------------------------------------------------- */

/* The 64-bit hash of a stream's name (a NUL-terminated string): 8-byte
 * words mixed in turn by a bijective 64-bit mixer, then the length.  Names
 * of at most 8 bytes never collide; longer ones collide with probability
 * about 2^-64 per pair.  Part of the output contract.  Can't fail. */
uint64_t ds_rng_name_hash(const char *name);

/* The Philox key of the stream named by hash `name_hash` under `seed`:
 * mix(mix(seed ^ C1) ^ name_hash), mix a bijection of 64-bit words, so for
 * one seed distinct hashes give distinct keys, and for one name distinct
 * seeds do.  Part of the output contract.  Can't fail. */
uint64_t ds_rng_key(uint64_t seed, uint64_t name_hash);

/* 1 if two of the n values h[0..n-1] are equal, else 0.  When they are,
 * *i < *j are the first two positions of the smallest value that repeats.
 * Sorts a copy in `scratch` (room for n values).  Can't fail. */
int ds_rng_find_equal(const uint64_t *h, size_t n, uint64_t *scratch, size_t *i,
                      size_t *j);

/* ---- opening streams -------------------------------------------------- */

/* Point r at the start of stream (key, draw, purpose).  Initialises the
 * embedded gsl_rng too; r needs no other set-up and owns no memory. */
void ds_rng_open(ds_rng *r, uint64_t key, uint64_t draw, uint32_t purpose);

/* Open r[i] on stream (key[i], draw, purpose[i]) for i < n, computing the
 * first block of every stream together (several times faster than n calls
 * of ds_rng_open followed by a first draw).  The streams are exactly those
 * ds_rng_open gives. */
void ds_rng_open_many(ds_rng *r, size_t n, const uint64_t *key, uint64_t draw,
                      const uint32_t *purpose);

/* The first block (4 words) of streams (key[i], draw, purpose[i]), i < n,
 * into first[i], computed side by side; ds_rng_open_at then opens a stream
 * on one without computing anything.  For the world of a draw: one
 * generator, reopened per dist, stays in L1. */
void ds_rng_first_blocks(size_t n, const uint64_t *key, uint64_t draw,
                         const uint32_t *purpose, uint32_t (*first)[4]);

/* Lanes computed side by side: a multiple of it is the size of every array
 * of ds_rng_lanes. */
#define DS_RNG_LANES 16

/* Block block[i] of stream (key, draw, purpose[i]) into (w0[i], w1[i],
 * w2[i], w3[i]) (its four words), where key = key_lo[i] | key_hi[i] << 32,
 * for i < n rounded up to a multiple of DS_RNG_LANES: every array holds that
 * many entries, and lanes past n are computed too (give them any inputs).
 * The streams are those of ds_rng_open.  For a caller that computes the
 * same streams every draw (the world of a draw), which lays out their
 * inputs once: no copying per draw. */
void ds_rng_lanes(size_t n, const uint32_t *key_lo, const uint32_t *key_hi,
                  const uint32_t *block, const uint32_t *purpose, uint64_t draw,
                  uint32_t *w0, uint32_t *w1, uint32_t *w2, uint32_t *w3);

/* Which SIMD version computes ds_rng_lanes: the widest this machine has
 * (checked at run time), at most the limit last given to
 * ds_rng_simd_limit (which returns the limit it replaces; the default is
 * DS_RNG_SIMD_AVX512).  Every version computes the same bits; the limit is
 * for tests and benchmarks, set before any thread draws. */
enum { DS_RNG_SIMD_NONE, DS_RNG_SIMD_SSE2, DS_RNG_SIMD_AVX2, DS_RNG_SIMD_AVX512 };
int ds_rng_simd(void);
int ds_rng_simd_limit(int level);

/* The first ds_rng_uniform of stream (key, draw, purpose), computing one
 * block: for a stream that gives one number per draw, such as the
 * extension flag of SPEC §5.6 (key = ds_rng_key(seed,
 * ds_rng_name_hash(DS_STREAM_EXTENSION_NAME)), purpose =
 * DS_STREAM(DS_STREAM_EXTENSION, 0); extended iff the uniform is below
 * protocol.extension.probability). */
double ds_rng_first_uniform(uint64_t key, uint64_t draw, uint32_t purpose);

/* Point r at stream (key, draw, purpose) with its buffer holding the
 * stream's first `nblocks` blocks.  Private to the openers below. */
static inline void ds_rng_start(ds_rng *r, uint64_t key, uint64_t draw,
                                uint32_t purpose, unsigned nblocks)
{
    r->key[0] = (uint32_t)key;
    r->key[1] = (uint32_t)(key >> 32);
    r->ctr[0] = nblocks;
    r->ctr[1] = purpose;
    r->ctr[2] = (uint32_t)draw;
    r->ctr[3] = (uint32_t)(draw >> 32);
    r->used = 0;
    r->avail = 4 * nblocks;
    r->gsl.type = ds_rng_type;
    r->gsl.state = r;
}

/* Open r on stream (key, draw, purpose) with its first nblocks blocks
 * (1 <= nblocks <= DS_RNG_HOLD / 4) already computed by ds_rng_lanes in
 * consecutive lanes: block b's words are w0[b], w1[b], w2[b], w3[b].  Same
 * stream as ds_rng_open. */
static inline void ds_rng_open_lanes(ds_rng *r, uint64_t key, uint64_t draw,
                                     uint32_t purpose, const uint32_t *w0,
                                     const uint32_t *w1, const uint32_t *w2,
                                     const uint32_t *w3, unsigned nblocks)
{
    ds_rng_start(r, key, draw, purpose, nblocks);
    for (unsigned b = 0; b < nblocks; b++) {
        r->buf[4 * b] = w0[b];
        r->buf[4 * b + 1] = w1[b];
        r->buf[4 * b + 2] = w2[b];
        r->buf[4 * b + 3] = w3[b];
    }
}

/* Open r on stream (key, draw, purpose) whose first block `first` was
 * computed by ds_rng_first_blocks.  Same stream as ds_rng_open. */
static inline void ds_rng_open_at(ds_rng *r, uint64_t key, uint64_t draw,
                                  uint32_t purpose, const uint32_t first[4])
{
    ds_rng_start(r, key, draw, purpose, 1);
    r->buf[0] = first[0];
    r->buf[1] = first[1];
    r->buf[2] = first[2];
    r->buf[3] = first[3];
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

/* The uniform on (0, 1) of 53 random bits k: k 2^-53, and 2^-54 for k = 0
 * (of probability 2^-53). */
static inline double ds_rng_pos_of(uint64_t k)
{
    return k ? (double)k * DS_RNG_TWO_M53 : 0.5 * DS_RNG_TWO_M53;
}

/* Uniform on (0, 1) with 53 random bits (never 0; two words, no loop). */
static inline double ds_rng_uniform_pos(ds_rng *r)
{
    return ds_rng_pos_of(ds_rng_u53(r));
}

/* ---- standard normals: GSL's ziggurat, its common case inline --------- */

/* GSL's gsl_ran_gaussian_ziggurat on a ds_rng (whose words span the full
 * 32 bits) takes one word k per try: step i = k & 0x7f, sign from bit 7,
 * j = k >> 8 (24 bits); x = j * wtab[i], accepted at once when
 * j < ktab[i] (about 98.8% of the time), which returns sign * sigma * x;
 * otherwise it samples the wedge or the tail with more words.  The two
 * tables below are GSL's own ktab and wtab, read from the library itself
 * by ds_rng_gaussian_init (they are not part of its interface).  Until it
 * has run, every k_tab entry is 0 and every draw goes through GSL. */
extern uint32_t ds_rng_zig_k[128];
extern double ds_rng_zig_w[128];

/* The ziggurat's sign of word k: +1.0 when bit 7 is set, else -1.0.
 * Looked up, not a choice: the bit is a coin flip, so a branch on it
 * would be mispredicted half the time.  sign * y is exactly y or -y. */
static inline double ds_rng_zig_sign(uint32_t k)
{
    static const double sign[2] = {-1.0, 1.0};
    return sign[k >> 7 & 1u];
}

/* Fill ds_rng_zig_k and ds_rng_zig_w, once per process (thread-safe; later
 * calls return at once).  The engine and ds_dist_prepare call it. */
void ds_rng_gaussian_init(void);

/* The next standard normal of r's stream times sigma: exactly
 * gsl_ran_gaussian_ziggurat(ds_rng_gsl(r), sigma), the same words consumed
 * and the same bits returned.  The accepted first try is done here from
 * the next buffered word; anything else (no word buffered, a wedge or the
 * tail) calls GSL from the same position, which then reads that word
 * itself. */
static inline double ds_rng_gaussian(ds_rng *r, double sigma)
{
    if (r->used < r->avail) {
        const uint32_t k = r->buf[r->used], i = k & 0x7fu, j = k >> 8;
        if (j < ds_rng_zig_k[i]) {
            const double sign = ds_rng_zig_sign(k);
            const double x = (double)j * ds_rng_zig_w[i];
            r->used++;
            return sign * sigma * x;
        }
    }
    return gsl_ran_gaussian_ziggurat(&r->gsl, sigma);
}

/* The same from a stream's first word w, without a ds_rng: 1 and *z set
 * when w alone gives the normal (the accepted first try), else 0 (then
 * open the stream and call ds_rng_gaussian). */
static inline int ds_rng_gaussian_first(uint32_t w, double sigma, double *z)
{
    const uint32_t i = w & 0x7fu, j = w >> 8;
    if (j >= ds_rng_zig_k[i])
        return 0;
    const double sign = ds_rng_zig_sign(w);
    const double x = (double)j * ds_rng_zig_w[i];
    *z = sign * sigma * x;
    return 1;
}

#endif /* DEALSIM_RNG_H */
