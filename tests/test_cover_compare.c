/*
 * test_cover_compare.c - compare (SPEC §9) beyond test_compare.c: standard
 * errors of columns the column table does not know (M_se, X_mean ->
 * X_se), numbers too wide for a table cell, control characters in names
 * shown on a terminal, ties in the table's order, files of two kinds in
 * either order, and files that cannot be read.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/compare.h"
#include "dealsim/csv.h"

#define DATA DS_TEST_DIR "/data/compare/"

static ds_csv *parse(const char *file, const char *text)
{
    ds_csv *c = NULL;
    ds_error e = {0};
    cr_assert_eq(ds_csv_parse(file, text, strlen(text), &c, &e), DS_OK, "%s", e.msg);
    return c;
}

/* Compare two texts; what was written (caller frees), rc in *rc. */
static char *compare(const char *a, const char *b, const ds_compare_opts *o, int *rc,
                     ds_error *err)
{
    ds_csv *ca = parse("a.csv", a), *cb = parse("b.csv", b);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    cr_assert_not_null(f);
    *rc = ds_compare_tables(ca, cb, o, f, err);
    fclose(f);
    ds_csv_free(ca);
    ds_csv_free(cb);
    return out;
}

/* Columns from another version: M_se, or X_se for M = X_mean, is the
 * standard error when both files have it; without one, no z. */
Test(cover_compare, standard_errors_of_unknown_columns)
{
    const char *a = "strategy,widgets,widgets_se,gadgets_mean,gadgets_se,lonely\n"
                    "s,1,1.5,2,0.5,7\n";
    const char *b = "strategy,widgets,widgets_se,gadgets_mean,gadgets_se,lonely\n"
                    "s,2,2,1,1.2,8\n";
    ds_error e;
    int rc;
    char *out = compare(a, b, NULL, &rc, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    /* 1 / hypot(1.5, 2) = 0.4; -1 / hypot(0.5, 1.2) = -1/1.3 */
    char want[600];
    snprintf(want, sizeof want,
             "strategy,metric,a,b,diff,z\n"
             "s,widgets,1,2,1,0.4\n"
             "s,widgets_se,1.5,2,0.5,\n"
             "s,gadgets_mean,2,1,-1,%s\n"
             "s,gadgets_se,0.5,1.2,0.7,\n"
             "s,lonely,7,8,1,\n", "-0.7692307692307692");
    cr_assert_str_eq(out, want);
    free(out);
}

/* A table cell too wide for its column falls back to two significant
 * digits; names with control characters show '?' for them, the file
 * names too. */
Test(cover_compare, table_of_wide_numbers_and_control_characters)
{
    const char *a = "strategy,deficit_mean,deficit_se\nx\x01y,1e-300,1\n";
    const char *b = "strategy,deficit_mean,deficit_se\nx\x01y,-1.5e+300,1\n";
    ds_csv *ca = parse("a\x1b[31m.csv", a), *cb = parse("b\x7f.csv", b);
    ds_compare_opts o;
    ds_error e;
    char *out = NULL;
    size_t len = 0;
    ds_compare_opts_init(&o);
    o.table = 1;
    FILE *f = open_memstream(&out, &len);
    cr_assert_eq(ds_compare_tables(ca, cb, &o, f, &e), DS_OK, "%s", e.msg);
    fclose(f);
    cr_assert(strncmp(out, "a: a?[31m.csv\nb: b?.csv\n", 24) == 0, "%s", out);
    cr_assert(strstr(out, "\nx?y       deficit_mean  1e-300  -1.5e+300  -1.5e+300  -1.1e+300\n"),
              "%s", out);
    cr_assert(!strchr(out, '\x01') && !strchr(out, '\x1b') && !strchr(out, '\x7f'));
    free(out);
    ds_csv_free(ca);
    ds_csv_free(cb);
}

/* Rows of equal |z| keep a's order: by row, then by metric. */
Test(cover_compare, ties_in_the_table_keep_the_files_order)
{
    const char *a = "strategy,p_deal,p_deal_se,deficit_mean,deficit_se\n"
                    "s1,0.5,0.25,10,1\ns2,0.5,0.25,10,1\n";
    const char *b = "strategy,p_deal,p_deal_se,deficit_mean,deficit_se\n"
                    "s1,0.75,0.25,11,1\ns2,0.25,0.25,9,1\n";
    ds_compare_opts o;
    ds_error e;
    int rc;
    ds_compare_opts_init(&o);
    o.table = 1;
    o.only_significant = 1;
    o.z_min = 0.5;
    char *out = compare(a, b, &o, &rc, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    /* |z| = 1/sqrt(2) for deficit_mean, 0.25/(0.25 sqrt(2)) for p_deal: the
     * same double, as the scaling by 1/4 is exact */
    const char *r[4] = {strstr(out, "\ns1        p_deal "),
                        strstr(out, "\ns1        deficit_mean "),
                        strstr(out, "\ns2        p_deal "),
                        strstr(out, "\ns2        deficit_mean ")};
    for (int i = 0; i < 4; i++)
        cr_assert_not_null(r[i], "row %d missing: %s", i, out);
    cr_assert(r[0] < r[1] && r[1] < r[2] && r[2] < r[3], "%s", out);
    free(out);
}

/* A summary and a sweep do not compare, whichever comes first. */
Test(cover_compare, a_summary_and_a_sweep_in_either_order)
{
    const char *sum = "strategy,p_deal\ns,0.5\n";
    const char *sw = "point,x,strategy,p_deal\n1,2,s,0.5\n";
    ds_error e;
    int rc;
    char *out = compare(sum, sw, NULL, &rc, &e);
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_str_eq(e.msg, "b.csv: error: a sweep CSV, but a.csv is a summary CSV");
    free(out);
    out = compare(sw, sum, NULL, &rc, &e);
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_str_eq(e.msg, "b.csv: error: a summary CSV, but a.csv is a sweep CSV");
    free(out);
}

/* A varied path that is a number in one file and the same number spelt
 * otherwise in the other agrees; two texts must be equal. */
Test(cover_compare, varied_values_as_numbers_or_texts)
{
    const char *a = "point,x,name,strategy,p_deal\n1,0.5,abc,s,0.5\n";
    const char *b = "point,x,name,strategy,p_deal\n1,5e-1,abc,s,0.25\n";
    const char *c = "point,x,name,strategy,p_deal\n1,0.5,abd,s,0.25\n";
    ds_error e;
    int rc;
    char *out = compare(a, b, NULL, &rc, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    cr_assert_str_eq(out, "strategy,point,metric,a,b,diff,z\ns,1,p_deal,0.5,0.25,-0.25,\n");
    free(out);
    out = compare(a, c, NULL, &rc, &e);
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_str_eq(e.msg, "b.csv:2: error: point 1, column 'name': 'abd' here, 'abc' in "
                            "a.csv:2");
    free(out);
}

Test(cover_compare, files_that_cannot_be_read)
{
    ds_error e;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    cr_assert_eq(ds_compare_files(DATA "nope_a.csv", DATA "summary_b.csv", NULL, f, &e),
                 DS_EIO);
    cr_assert_str_eq(e.msg, DATA "nope_a.csv: error: cannot read: No such file or directory");
    cr_assert_eq(ds_compare_files(DATA "summary_a.csv", DATA "nope_b.csv", NULL, f, &e),
                 DS_EIO);
    cr_assert_str_eq(e.msg, DATA "nope_b.csv: error: cannot read: No such file or directory");
    fclose(f);
    cr_assert_eq(len, 0, "nothing written: %s", out);
    free(out);
}
