/*
 * test_compare_wide.c - `dealsim compare` is linear in the number of
 * columns: it used to compare every column name with every other (and look
 * each one up by a linear search, per row), 32 s for 50,000 columns.  The
 * test counts the string comparisons compare makes, through a strcmp
 * defined here that the static library's calls resolve to, so the check
 * does not depend on the machine's speed.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/compare.h"
#include "dealsim/csv.h"

static int counting;
static unsigned long long calls;

/* The C library's strcmp, counted while `counting` is set. */
int strcmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    if (counting)
        calls++;
    while (*p && *p == *q) {
        p++;
        q++;
    }
    return (int)*p - (int)*q;
}

/* A summary CSV of `cols` metric columns m0..m{cols-1} (every third one a
 * mean with its _se, as dealsim names them) and `rows` strategies. */
static ds_csv *wide(size_t cols, size_t rows, const char *name)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ds_csv *c = NULL;
    ds_error e;
    cr_assert_not_null(f);
    fputs("strategy", f);
    for (size_t j = 0; j < cols; j++)
        fprintf(f, j % 3 == 0 ? ",m%zu_mean" : j % 3 == 1 ? ",m%zu_se" : ",x%zu", j - j % 3);
    fputc('\n', f);
    for (size_t i = 0; i < rows; i++) {
        fprintf(f, "s%zu", i);
        for (size_t j = 0; j < cols; j++)
            fprintf(f, ",%zu.5", (i * 7 + j) % 97);
        fputc('\n', f);
    }
    fclose(f);
    cr_assert_eq(ds_csv_parse(name, text, len, &c, &e), DS_OK, "%s", e.msg);
    free(text);
    return c;
}

/* String comparisons of one compare of two wide files, writing to
 * /dev/null. */
static unsigned long long compare_cost(size_t cols, size_t rows)
{
    ds_csv *a = wide(cols, rows, "a.csv"), *b = wide(cols, rows, "b.csv");
    FILE *out = fopen("/dev/null", "w");
    ds_error e;
    cr_assert_not_null(out);
    calls = 0;
    counting = 1;
    cr_assert_eq(ds_compare_tables(a, b, NULL, out, &e), DS_OK, "%s", e.msg);
    counting = 0;
    fclose(out);
    ds_csv_free(a);
    ds_csv_free(b);
    return calls;
}

/* The comparisons grow with the columns, not with their square: at most a
 * fixed number per column (the column table's rows are tried for each
 * metric name, most of them rejected by their first character, and a few
 * hash probes), about the same per column for 3,000 and for 30,000
 * columns.  The quadratic version made
 * 1.2e10 for 30,000 columns (1.2e8 for 3,000). */
Test(compare, linear_in_columns)
{
    unsigned long long small = compare_cost(3000, 3), big = compare_cost(30000, 3);
    cr_assert_gt(small, 3000, "the count sees compare's comparisons");
    cr_assert_leq(big, 40ull * 30000, "%llu comparisons for 30,000 columns", big);
    /* Ten times the columns: about ten times the work (not a hundred; hash
     * probes vary a little with the table's load). */
    cr_assert_leq(big, 15 * small, "%llu vs %llu", big, small);
}
