/*
 * replay.c - run a fuzz target without libFuzzer: feed LLVMFuzzerTestOneInput
 * every file named on the command line, and every regular file of every
 * directory named (in name order, so a run is repeatable).  Each input is
 * in a heap buffer of exactly its size, as libFuzzer gives it, so the
 * sanitizers of the build see any read past its end.  This is how the
 * normal test suite (any compiler) replays the committed corpora.
 * Exit status: 0 when every input ran and at least one did, else 1 (a
 * broken property or sanitizer report aborts before that).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t replayed;

/* Read the whole file into an exact-size buffer and run the target on it. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t len = 0, cap = 0, got;
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return 1;
    }
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 4096;
            if (!(nb = realloc(buf, cap))) {
                fprintf(stderr, "replay: %s: out of memory\n", path);
                free(buf);
                fclose(f);
                return 1;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    /* Shrink to the exact size: a byte read past the input is then past
     * the allocation. */
    nb = malloc(len ? len : 1);
    if (!nb) {
        free(buf);
        return 1;
    }
    memcpy(nb, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput((const uint8_t *)nb, len);
    free(nb);
    replayed++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int bad = 0;
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                abort();
            names = nn;
        }
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(l)))
            abort();
        snprintf(names[n++], l, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            bad |= run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            bad = 1;
        } else if (S_ISDIR(st.st_mode))
            bad |= run_dir(argv[i]);
        else
            bad |= run_file(argv[i]);
    }
    fprintf(stderr, "replay: %zu input%s\n", replayed, replayed == 1 ? "" : "s");
    return bad || replayed == 0;
}
