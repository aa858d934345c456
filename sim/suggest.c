/*
 * suggest.c - the closest name to a typo (see suggest.h).
 */
#include "suggest.h"

#include <string.h>

/* Optimal-string-alignment distance between a and b (Damerau's edits with
 * no substring edited twice), or (size_t)-1 when the lengths alone differ
 * by more than `cap` or either string is too long.  Three rolling rows. */
static size_t distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t r0[DS_SUGGEST_MAX_LEN + 1], r1[DS_SUGGEST_MAX_LEN + 1],
        r2[DS_SUGGEST_MAX_LEN + 1]; /* rows i-2, i-1 and i over b */

    if (la > DS_SUGGEST_MAX_LEN || lb > DS_SUGGEST_MAX_LEN ||
        (la > lb ? la - lb : lb - la) > cap)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        r0[j] = r1[j] = j;
    for (size_t i = 1; i <= la; i++) {
        r2[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t d = r1[j - 1] + (a[i - 1] != b[j - 1]);
            if (r1[j] + 1 < d)
                d = r1[j] + 1;
            if (r2[j - 1] + 1 < d)
                d = r2[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                r0[j - 2] + 1 < d)
                d = r0[j - 2] + 1;
            r2[j] = d;
        }
        memcpy(r0, r1, (lb + 1) * sizeof *r0);
        memcpy(r1, r2, (lb + 1) * sizeof *r1);
    }
    return r1[lb];
}

const char *ds_suggest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word), cap = len / 3 > 2 ? len / 3 : 2, best_d;
    const char *best = NULL;

    if (len == 0)
        return NULL;
    best_d = cap + 1;
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        size_t d = distance(word, names[i], cap);
        if (d < best_d && d < len) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}
