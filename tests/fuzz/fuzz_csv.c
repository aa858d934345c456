/*
 * fuzz_csv.c - the CSV reader of `dealsim compare` (RFC 4180, sim/csv.c) on
 * any bytes, from a buffer of exactly the input's size; a table that reads
 * is then compared with itself (ds_compare_tables) and the comparison is
 * read back.
 * Properties: no crash, leak or over-read; an error names the file, with a
 * terminal-safe message; a table has rows of exactly n_cols cells on
 * increasing lines after the header's; ds_csv_find finds the first column
 * of a name.  A table compared with itself never has a missing row or
 * column nor a differing value; when the comparison succeeds it reads back
 * as CSV with one row per (row, metric), the strategy and metric names
 * unchanged (the writer's quoting round-trips through the reader), and
 * every diff and z is 0 or empty.
 */
#include "fuzz.h"

#include "dealsim/compare.h"
#include "dealsim/csv.h"

#define FILE_NAME "fuzz.csv"

/* Tables compared with themselves only up to this size: compare looks up
 * columns by name, so a huge table would only make the run slow. */
#define MAX_COMPARE_CELLS 4096

static void check_table(const ds_csv *c)
{
    size_t nc = ds_csv_cols(c), nr = ds_csv_rows(c);
    FUZZ_CHECK(nc >= 1, "no columns");
    FUZZ_CHECK(ds_csv_header_line(c) >= 1, "header on line %zu", ds_csv_header_line(c));
    for (size_t j = 0; j < nc; j++) {
        long k = ds_csv_find(c, ds_csv_name(c, j));
        FUZZ_CHECK(k >= 0 && (size_t)k <= j && strcmp(ds_csv_name(c, (size_t)k),
                                                      ds_csv_name(c, j)) == 0,
                   "find column %zu gives %ld", j, k);
    }
    for (size_t i = 0; i < nr; i++) {
        size_t prev = i ? ds_csv_line(c, i - 1) : ds_csv_header_line(c);
        FUZZ_CHECK(ds_csv_line(c, i) > prev, "row %zu on line %zu after %zu", i,
                   ds_csv_line(c, i), prev);
        for (size_t j = 0; j < nc; j++)
            FUZZ_CHECK(ds_csv_cell(c, i, j) != NULL, "cell %zu,%zu", i, j);
    }
}

/* 1 if msg says that two tables differ: a missing row or column
 * ("fuzz.csv: error: ...", the only messages without a line number) or a
 * varied value ("fuzz.csv:LINE: error: point N, column ..."). */
static int differs(const char *msg)
{
    const char *p = msg + sizeof FILE_NAME - 1;
    if (strncmp(msg, FILE_NAME, sizeof FILE_NAME - 1) != 0)
        return 0;
    if (strncmp(p, ": error: ", 9) == 0)
        return 1;
    if (*p++ != ':' || !(*p >= '0' && *p <= '9'))
        return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    return strncmp(p, ": error: point ", 15) == 0;
}

/* Compare c with itself and check the result as described above. */
static void self_compare(const ds_csv *c)
{
    ds_error err = {0};
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    int rc;
    FUZZ_CHECK(f != NULL, "open_memstream");
    rc = ds_compare_tables(c, c, NULL, f, &err);
    FUZZ_CHECK(fclose(f) == 0, "fclose");
    FUZZ_CHECK(rc == DS_OK || rc == DS_EINVAL, "rc %d: %s", rc, err.msg);
    if (rc != DS_OK) {
        FUZZ_CHECK(!differs(err.msg), "a table differs from itself: %s", err.msg);
        FUZZ_CHECK(fuzz_text_safe(err.msg), "%s", err.msg);
        free(out);
        return;
    }
    {
        ds_csv *r = NULL;
        int sweep = strcmp(ds_csv_name(c, 0), "point") == 0;
        size_t strat = (size_t)ds_csv_find(c, "strategy"), metrics = ds_csv_cols(c) - strat - 1;
        size_t ncol = sweep ? 7 : 6, m = sweep ? 2 : 1; /* column of "metric" */
        rc = ds_csv_parse("out.csv", out, out_len, &r, &err);
        FUZZ_CHECK(rc == DS_OK, "the comparison does not read back: %s", err.msg);
        FUZZ_CHECK(ds_csv_cols(r) == ncol, "%zu columns", ds_csv_cols(r));
        FUZZ_CHECK(ds_csv_rows(r) == ds_csv_rows(c) * metrics, "%zu rows for %zu x %zu",
                   ds_csv_rows(r), ds_csv_rows(c), metrics);
        for (size_t i = 0; i < ds_csv_rows(r); i++) {
            const char *diff = ds_csv_cell(r, i, ncol - 2), *z = ds_csv_cell(r, i, ncol - 1);
            size_t row = i / metrics, col = strat + 1 + i % metrics;
            FUZZ_CHECK(strcmp(ds_csv_cell(r, i, 0), ds_csv_cell(c, row, strat)) == 0,
                       "strategy '%s' read back as '%s'", ds_csv_cell(c, row, strat),
                       ds_csv_cell(r, i, 0));
            FUZZ_CHECK(strcmp(ds_csv_cell(r, i, m), ds_csv_name(c, col)) == 0,
                       "metric '%s' read back as '%s'", ds_csv_name(c, col), ds_csv_cell(r, i, m));
            FUZZ_CHECK(strcmp(diff, "0") == 0 || *diff == '\0', "diff '%s'", diff);
            FUZZ_CHECK(strcmp(z, "0") == 0 || *z == '\0', "z '%s'", z);
        }
        ds_csv_free(r);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_csv *c = NULL;
    ds_error err = {0};
    char *text = malloc(size ? size : 1); /* exactly the input, no NUL */
    int rc;
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    rc = ds_csv_parse(FILE_NAME, text, size, &c, &err);
    free(text); /* the table keeps nothing of the text */
    if (rc != DS_OK) {
        FUZZ_CHECK(rc == DS_EINVAL && c == NULL, "rc %d", rc);
        FUZZ_CHECK(strncmp(err.msg, FILE_NAME, sizeof FILE_NAME - 1) == 0, "%s", err.msg);
        FUZZ_CHECK(fuzz_text_safe(err.msg), "%s", err.msg);
        return 0;
    }
    check_table(c);
    if ((ds_csv_rows(c) + 1) * ds_csv_cols(c) <= MAX_COMPARE_CELLS)
        self_compare(c);
    ds_csv_free(c);
    return 0;
}
