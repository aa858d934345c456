/*
 * test_cover_design.c - corners of sweep designs (SPEC §9) beyond
 * test_design.c: which list items are JSON numbers, every JSON string
 * escape in a cell and the malformed ones kept verbatim, brackets that do
 * not nest, ranges whose arithmetic overflows, and design files that are
 * directories, too long, or padded with tabs.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dealsim/csv.h"
#include "dealsim/design.h"

static ds_design *build(const char *const *vary, size_t n)
{
    ds_design_args a = {0};
    ds_design *d = NULL;
    ds_error e = {0};
    a.vary = vary;
    a.n_vary = n;
    cr_assert_eq(ds_design_new(&a, &d, &e), DS_OK, "%s", e.msg);
    return d;
}

/* A list item is handed over in its shortest spelling only when it is a
 * JSON number (RFC 8259 §6); anything else, even what strtod reads, stays
 * as given. */
Test(cover_design, json_numbers_in_lists)
{
    static const char *const item[][2] = {
        {"-1.50", "-1.5"},  {"2e3", "2000"},   {"2E+3", "2000"}, {"25e-2", "0.25"},
        {"-0", "-0"},        {"0.125", "0.125"},
        {"1e", "1e"},       {"1e+", "1e+"},    {"1.", "1."},     {".5", ".5"},
        {"-", "-"},         {"01", "01"},      {"0x10", "0x10"}, {"1e5x", "1e5x"},
        {"-inf", "-inf"},
    };
    size_t n = sizeof item / sizeof item[0];
    char spec[256] = "x=";
    for (size_t i = 0; i < n; i++) {
        strcat(spec, item[i][0]);
        if (i + 1 < n)
            strcat(spec, ",");
    }
    const char *vary[] = {spec};
    ds_design *d = build(vary, 1);
    cr_assert_eq(ds_design_points(d), n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(ds_design_value(d, i, 0), item[i][1], "item %s", item[i][0]);
        cr_assert_str_eq(ds_design_cell(d, i, 0), item[i][1], "item %s", item[i][0]);
    }
    ds_design_free(d);
}

/* A JSON string item's cell is its contents, every escape decoded; a
 * malformed string keeps its cell verbatim. */
Test(cover_design, string_escapes_in_cells)
{
    static const char *const item[][2] = {
        {"\"a\\\\b\"", "a\\b"},
        {"\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t"},
        {"\"\\u00C9\\u00e9\"", "\xc3\x89\xc3\xa9"},
        {"\"\\u20AC\"", "\xe2\x82\xac"},
        {"\"\\u0041\"", "A"},
        /* malformed: kept verbatim */
        {"\"\\u0000\"", "\"\\u0000\""},
        {"\"\\uDC00\"", "\"\\uDC00\""},
        {"\"\\uD83Dx\"", "\"\\uD83Dx\""},
        {"\"\\uD83D\\n\"", "\"\\uD83D\\n\""},
        {"\"\\uD83D\\u0041\"", "\"\\uD83D\\u0041\""},
        {"\"\\uD83D\\uE000\"", "\"\\uD83D\\uE000\""},
        {"\"\\u12G4\"", "\"\\u12G4\""},
        {"\"\\u12\"", "\"\\u12\""},
        {"\"a\\\"", "\"a\\\""},
        {"\"a\"b\"", "\"a\"b\""},
        {"\"", "\""},
    };
    size_t n = sizeof item / sizeof item[0];
    for (size_t i = 0; i < n; i++) {
        char spec[128];
        snprintf(spec, sizeof spec, "name=%s", item[i][0]);
        const char *vary[] = {spec};
        ds_design *d = build(vary, 1);
        cr_assert_eq(ds_design_points(d), 1, "%s", item[i][0]);
        cr_assert_str_eq(ds_design_value(d, 0, 0), item[i][0]);
        cr_assert_str_eq(ds_design_cell(d, 0, 0), item[i][1], "item %s", item[i][0]);
        ds_design_free(d);
    }
}

/* Commas split items outside strings and brackets only; a closing bracket
 * that closes nothing is an ordinary character, and a string left open at
 * the end (after a backslash, say) ends with the spec. */
Test(cover_design, brackets_and_open_strings_in_lists)
{
    const char *vary[] = {"name=a},[1,{\"k\":\"}\"}],\"x\\"};
    ds_design *d = build(vary, 1);
    cr_assert_eq(ds_design_points(d), 3);
    cr_assert_str_eq(ds_design_value(d, 0, 0), "a}");
    cr_assert_str_eq(ds_design_value(d, 1, 0), "[1,{\"k\":\"}\"}]");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "\"x\\");
    ds_design_free(d);
}

/* a:b:k near the largest double: the weighted mean would overflow, the
 * values are still evenly spaced and finite. */
Test(cover_design, grid_of_huge_values)
{
    const char *vary[] = {"x=1e308:1.5e308:3", "y=-1.7e308:-1e308:2"};
    ds_design *d = build(vary, 2);
    cr_assert_eq(ds_design_points(d), 6);
    cr_assert_str_eq(ds_design_value(d, 0, 0), "1e+308");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "1.25e+308");
    cr_assert_str_eq(ds_design_value(d, 4, 0), "1.5e+308");
    cr_assert_str_eq(ds_design_value(d, 1, 1), "-1e+308");
    ds_design_free(d);
}

Test(cover_design, range_too_wide)
{
    const char *vary[] = {"x=-1e308:1e308:3"};
    ds_design_args a = {0};
    ds_design *d = NULL;
    ds_error e = {0};
    a.vary = vary;
    a.n_vary = 1;
    cr_assert_eq(ds_design_new(&a, &d, &e), DS_EINVAL);
    cr_assert_null(d);
    cr_assert_str_eq(e.msg, "error: --vary x=-1e308:1e308:3: range too wide");
    a.design = "lhs";
    a.samples = "4";
    vary[0] = "x=1e308:-1e308";
    cr_assert_eq(ds_design_new(&a, &d, &e), DS_EINVAL);
    cr_assert_str_eq(e.msg, "error: --vary x=1e308:-1e308: range too wide");
}

/* Spaces and tabs around names, cells and k are not part of them. */
Test(cover_design, tabs_and_spaces_are_trimmed)
{
    const char *vary[] = {"x=\t1 ,\t\"a\"\t", "y=0:1:\t3 "};
    ds_design *d = build(vary, 2);
    cr_assert_eq(ds_design_points(d), 6);
    cr_assert_str_eq(ds_design_value(d, 0, 0), "1");
    cr_assert_str_eq(ds_design_value(d, 3, 0), "\"a\"");
    cr_assert_str_eq(ds_design_cell(d, 3, 0), "a");
    cr_assert_str_eq(ds_design_value(d, 1, 1), "0.5");
    ds_design_free(d);
    ds_design *f = NULL;
    ds_error e = {0};
    static const char text[] = "\t protocol.rounds\t,name \n\t3 , \tb c\t\n";
    cr_assert_eq(ds_design_parse("t.csv", text, sizeof text - 1, NULL, NULL, &f, &e), DS_OK,
                 "%s", e.msg);
    cr_assert_str_eq(ds_design_path(f, 0), "protocol.rounds");
    cr_assert_str_eq(ds_design_path(f, 1), "name");
    cr_assert_str_eq(ds_design_value(f, 0, 0), "3");
    cr_assert_str_eq(ds_design_value(f, 0, 1), "b c");
    cr_assert_str_eq(ds_design_cell(f, 0, 1), "b c");
    ds_design_free(f);
}

/* A design file that is a directory cannot be read, and says why. */
Test(cover_design, design_file_that_is_a_directory)
{
    ds_design_args a = {0};
    ds_design *d = NULL;
    ds_error e = {0};
    char path[64] = "/tmp/dealsim-test-XXXXXX";
    cr_assert_not_null(mkdtemp(path));
    a.design_file = path;
    cr_assert_eq(ds_design_new(&a, &d, &e), DS_EIO);
    cr_assert_null(d);
    char want[200];
    snprintf(want, sizeof want, "%s: error: cannot read: Is a directory", path);
    cr_assert_str_eq(e.msg, want);
    rmdir(path);
}

/* One row more than DS_DESIGN_MAX_POINTS is refused, naming the line of
 * the first row too many. */
Test(cover_design, design_file_with_too_many_rows)
{
    size_t rows = DS_DESIGN_MAX_POINTS + 1, len = 2 + 2 * rows;
    char *text = malloc(len);
    cr_assert_not_null(text);
    memcpy(text, "x\n", 2);
    for (size_t i = 0; i < rows; i++)
        memcpy(text + 2 + 2 * i, "1\n", 2);
    ds_design *d = NULL;
    ds_error e = {0};
    cr_assert_eq(ds_design_parse("big.csv", text, len, NULL, NULL, &d, &e), DS_EINVAL);
    cr_assert_null(d);
    cr_assert_str_eq(e.msg, "big.csv:1000002: error: more than 1000000 design points");
    /* exactly the limit is fine */
    cr_assert_eq(ds_design_parse("big.csv", text, len - 2, NULL, NULL, &d, &e), DS_OK, "%s",
                 e.msg);
    cr_assert_eq(ds_design_points(d), DS_DESIGN_MAX_POINTS);
    ds_design_free(d);
    free(text);
}
