/*
 * alloc_inject.c - the allocator of alloc_inject.h: --wrap targets that
 * count allocation points, fail the chosen one and track live blocks.
 */
#include "alloc_inject.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

/* The functions the linker's --wrap puts in place of the real ones. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
gsl_ran_discrete_t *__real_gsl_ran_discrete_preproc(size_t k, const double *p);
gsl_qrng *__real_gsl_qrng_alloc(const gsl_qrng_type *t, unsigned int d);
int __real_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
gsl_ran_discrete_t *__wrap_gsl_ran_discrete_preproc(size_t k, const double *p);
gsl_qrng *__wrap_gsl_qrng_alloc(const gsl_qrng_type *t, unsigned int d);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg);

static atomic_int armed;
static atomic_long points;
static long fail_at;
static atomic_long failed;
static const char *_Atomic failed_what;
static char *record_buf;
static size_t record_len;

/* ---- live blocks: a linear-probing table keyed by address -------------- */

#define TRACK_BITS 16
#define TRACK_SLOTS (1u << TRACK_BITS)
#define TRACK_MAX (TRACK_SLOTS / 4 * 3)

typedef struct block {
    void *p;       /* NULL: empty slot */
    long point;
    size_t size;
} block;

static block table[TRACK_SLOTS];
static size_t n_live;
static int overflow;
static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h >> (64 - TRACK_BITS));
}

static void track_add(void *p, long point, size_t size)
{
    size_t i;
    if (!p)
        return;
    pthread_mutex_lock(&track_mu);
    if (n_live >= TRACK_MAX) {
        overflow = 1;
    } else {
        for (i = slot_of(p); table[i].p; i = (i + 1) & (TRACK_SLOTS - 1))
            ;
        table[i].p = p;
        table[i].point = point;
        table[i].size = size;
        n_live++;
    }
    pthread_mutex_unlock(&track_mu);
}

/* Remove p if tracked; linear probing's deletion moves later entries of
 * the same run back, so no lookup ever stops early at the hole. */
static void track_remove(void *p)
{
    size_t i, j, k;
    if (!p)
        return;
    pthread_mutex_lock(&track_mu);
    for (i = slot_of(p); table[i].p && table[i].p != p; i = (i + 1) & (TRACK_SLOTS - 1))
        ;
    if (table[i].p) {
        n_live--;
        for (;;) {
            table[i].p = NULL;
            for (j = i;;) {
                j = (j + 1) & (TRACK_SLOTS - 1);
                if (!table[j].p)
                    goto out;
                k = slot_of(table[j].p);
                /* The entry at j may move to i unless its home slot k lies
                 * cyclically in (i, j]. */
                if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                    continue;
                break;
            }
            table[i] = table[j];
            i = j;
        }
    }
out:
    pthread_mutex_unlock(&track_mu);
}

/* ---- the allocation points --------------------------------------------- */

/* Count a point; 1 (with *point set) when it is to fail. */
static int next_point(const char *what, long *point)
{
    long n;
    *point = 0;
    if (!atomic_load(&armed))
        return 0;
    n = atomic_fetch_add(&points, 1) + 1;
    *point = n;
    if (n != fail_at)
        return 0;
    atomic_store(&failed, n);
    atomic_store(&failed_what, what);
    if (record_buf && record_len)
        snprintf(record_buf, record_len, "%s", what);
    return 1;
}

static int tracking(void) { return atomic_load(&armed); }

void *__wrap_malloc(size_t n)
{
    long pt;
    void *p;
    if (next_point("malloc", &pt)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_malloc(n);
    if (pt)
        track_add(p, pt, n);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    long pt;
    void *p;
    if (next_point("calloc", &pt)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_calloc(n, size);
    if (pt)
        track_add(p, pt, n * size);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    long pt;
    void *p;
    if (next_point("realloc", &pt)) {
        errno = ENOMEM;
        return NULL; /* old stays allocated, as with a real failure */
    }
    p = __real_realloc(old, n);
    if (p && tracking())
        track_remove(old);
    if (pt)
        track_add(p, pt, n);
    return p;
}

void __wrap_free(void *p)
{
    if (tracking())
        track_remove(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    long pt;
    char *p;
    if (next_point("strdup", &pt)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_strdup(s);
    if (pt)
        track_add(p, pt, strlen(s) + 1);
    return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
    long pt;
    char *p;
    if (next_point("strndup", &pt)) {
        errno = ENOMEM;
        return NULL;
    }
    p = __real_strndup(s, n);
    if (pt && p)
        track_add(p, pt, strlen(p) + 1);
    return p;
}

/* GSL's constructors: their blocks are GSL's, freed by GSL, not tracked. */
gsl_ran_discrete_t *__wrap_gsl_ran_discrete_preproc(size_t k, const double *p)
{
    long pt;
    if (next_point("gsl_ran_discrete_preproc", &pt))
        return NULL;
    return __real_gsl_ran_discrete_preproc(k, p);
}

gsl_qrng *__wrap_gsl_qrng_alloc(const gsl_qrng_type *t, unsigned int d)
{
    long pt;
    if (next_point("gsl_qrng_alloc", &pt))
        return NULL;
    return __real_gsl_qrng_alloc(t, d);
}

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a,
                          void *(*fn)(void *), void *arg)
{
    long pt;
    if (next_point("pthread_create", &pt))
        return EAGAIN;
    return __real_pthread_create(t, a, fn, arg);
}

/* cJSON's hooks: the same points as malloc and free.  (With hooks other
 * than the C library's own, cJSON grows its print buffers by malloc, copy
 * and free rather than realloc, so these two see every block.) */
static void *cjson_malloc(size_t n) { return __wrap_malloc(n); }
static void cjson_free(void *p) { __wrap_free(p); }

/* ---- control ------------------------------------------------------------ */

void alloc_inject_arm(long k)
{
    pthread_mutex_lock(&track_mu);
    /* Removing a block empties its slot: the table is clean when nothing is
     * live (and then is not written, so a fresh child copies no pages). */
    if (n_live || overflow)
        memset(table, 0, sizeof table);
    n_live = 0;
    overflow = 0;
    pthread_mutex_unlock(&track_mu);
    fail_at = k;
    atomic_store(&points, 0);
    atomic_store(&failed, 0);
    atomic_store(&failed_what, NULL);
    atomic_store(&armed, 1);
}

void alloc_inject_record(char *buf, size_t n)
{
    record_buf = buf;
    record_len = n;
}

void alloc_inject_disarm(void) { atomic_store(&armed, 0); }

long alloc_inject_points(void) { return atomic_load(&points); }

long alloc_inject_failed(void) { return atomic_load(&failed); }

const char *alloc_inject_failed_what(void)
{
    const char *w = atomic_load(&failed_what);
    return w ? w : "";
}

long alloc_inject_live(long *point, size_t *size)
{
    long n;
    *point = 0;
    *size = 0;
    pthread_mutex_lock(&track_mu);
    n = overflow ? -1 : (long)n_live;
    if (n > 0)
        for (size_t i = 0; i < TRACK_SLOTS; i++)
            if (table[i].p && (*point == 0 || table[i].point < *point)) {
                *point = table[i].point;
                *size = table[i].size;
            }
    pthread_mutex_unlock(&track_mu);
    return n;
}

void alloc_inject_cjson(void)
{
    cJSON_Hooks h = {cjson_malloc, cjson_free};
    cJSON_InitHooks(&h);
}
