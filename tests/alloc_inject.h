/*
 * alloc_inject.h - an allocator that fails the k-th allocation, for tests
 * of what dealsim does when memory runs out.
 *
 * A program linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 *   --wrap=strdup,--wrap=strndup,--wrap=gsl_ran_discrete_preproc,
 *   --wrap=gsl_qrng_alloc,--wrap=pthread_create
 * and alloc_inject.c sends every call of those functions made by its own
 * objects (the static dealsim_core, the command line's sources, the test)
 * through here; alloc_inject_cjson() does the same for cJSON's allocations.
 * Shared libraries' own allocations are not seen: libc's inside fopen or
 * realpath, GSL's inside the two GSL constructors above (the constructor
 * call as a whole is an allocation point: it fails as GSL does when its
 * malloc fails and its error handler is off, by returning NULL).
 *
 * While armed, each call is an allocation point, numbered from 1 in the
 * order the calls happen (across threads); point k fails (NULL and ENOMEM;
 * pthread_create returns EAGAIN) and every other point succeeds.  Blocks
 * allocated while armed are tracked, so what is still allocated after the
 * code under test returned is known: a leak, even without LeakSanitizer.
 */
#ifndef DS_TEST_ALLOC_INJECT_H
#define DS_TEST_ALLOC_INJECT_H

#include <stddef.h>

/* Start counting from 0, fail point k (0: none) and track blocks. */
void alloc_inject_arm(long k);

/* Also write what was called at the failing point into buf (n bytes) as
 * it fails, for a caller that may not live to ask (a shared page). */
void alloc_inject_record(char *buf, size_t n);

/* Stop counting, failing and tracking (what is tracked stays known). */
void alloc_inject_disarm(void);

/* Points counted since alloc_inject_arm. */
long alloc_inject_points(void);

/* The point that was failed (0: none yet), and what was called there
 * ("malloc", "pthread_create", ...). */
long alloc_inject_failed(void);
const char *alloc_inject_failed_what(void);

/* Tracked blocks still allocated; the first one's point and size into
 * *point and *size when there is one.  -1 when more blocks were live at
 * once than the tracker holds (then nothing is known). */
long alloc_inject_live(long *point, size_t *size);

/* Route cJSON's allocations through the same counter (cJSON_InitHooks). */
void alloc_inject_cjson(void);

#endif
