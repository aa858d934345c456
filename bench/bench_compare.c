/*
 * bench_compare.c - seconds of `dealsim compare` on two wide files: COLS
 * metric columns (every third a mean with its _se, as dealsim names them)
 * and ROWS strategies, read from files and compared to /dev/null.  The
 * work is linear in the cells; it used to be quadratic in the columns
 * (32 s for 50,000 columns).
 *
 * usage: bench_compare [COLS [ROWS]]   (default 50000 10)
 * Prints "compare_COLSxROWS SECONDS s", the best of REPEATS passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dealsim/compare.h"

#define REPEATS 3

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Write the wide file; 0 on success. */
static int make(const char *path, size_t cols, size_t rows, unsigned shift)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("strategy", f);
    for (size_t j = 0; j < cols; j++)
        fprintf(f, j % 3 == 0 ? ",m%zu_mean" : j % 3 == 1 ? ",m%zu_se" : ",x%zu", j - j % 3);
    fputc('\n', f);
    for (size_t i = 0; i < rows; i++) {
        fprintf(f, "s%zu", i);
        for (size_t j = 0; j < cols; j++)
            fprintf(f, ",%zu.%u", (i * 7 + j) % 97, shift + (unsigned)(j % 10));
        fputc('\n', f);
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    size_t cols = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000;
    size_t rows = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
    char a[] = "/tmp/bench_compare_aXXXXXX", b[] = "/tmp/bench_compare_bXXXXXX";
    int fa = mkstemp(a), fb = mkstemp(b);
    double best = 1e30;
    FILE *out = fopen("/dev/null", "w");

    if (fa < 0 || fb < 0 || !out || cols == 0) {
        fprintf(stderr, "bench_compare: cannot set up\n");
        return 1;
    }
    close(fa);
    close(fb);
    if (make(a, cols, rows, 1) || make(b, cols, rows, 2)) {
        fprintf(stderr, "bench_compare: cannot write the files\n");
        return 1;
    }
    for (int pass = 0; pass < REPEATS; pass++) {
        ds_error e;
        double t = now();
        if (ds_compare_files(a, b, NULL, out, &e) != DS_OK) {
            fprintf(stderr, "bench_compare: %s\n", e.msg);
            return 1;
        }
        t = now() - t;
        if (t < best)
            best = t;
    }
    printf("compare_%zux%zu %.3f s\n", cols, rows, best);
    unlink(a);
    unlink(b);
    fclose(out);
    return 0;
}
