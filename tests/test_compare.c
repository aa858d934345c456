/*
 * test_compare.c - `dealsim compare` (SPEC §9) on files that agree, differ
 * (z computed here by hand) and do not line up; and the CSV reader and
 * number writer it stands on (SPEC §6: RFC 4180, round-trip numbers).
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/compare.h"
#include "dealsim/csv.h"

#define DATA DS_TEST_DIR "/data/compare/"

/* ---- CSV reader ---- */

static ds_csv *parse_ok(const char *text)
{
    ds_csv *c = NULL;
    ds_error e = {0};
    int rc = ds_csv_parse("t.csv", text, strlen(text), &c, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    return c;
}

static void parse_bad(const char *text, size_t len, const char *want)
{
    ds_csv *c = (ds_csv *)1;
    ds_error e = {0};
    int rc = ds_csv_parse("t.csv", text, len, &c, &e);
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_null(c);
    cr_assert_str_eq(e.msg, want);
}

Test(csv, quoted_fields)
{
    ds_csv *c = parse_ok("\xEF\xBB\xBF" "name,text,n\r\n"
                         "a,\"x, y\",1\r\n"
                         "\"b\",\"say \"\"hi\"\"\",\"\"\r\n"
                         "c,\"two\nlines\r\nhere\",3\n"
                         "\n"
                         "d,,\"\"\"\"");
    cr_assert_eq(ds_csv_cols(c), 3);
    cr_assert_eq(ds_csv_rows(c), 4);
    cr_assert_str_eq(ds_csv_name(c, 0), "name");
    cr_assert_eq(ds_csv_find(c, "n"), 2);
    cr_assert_eq(ds_csv_find(c, "N"), -1);
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "x, y");
    cr_assert_str_eq(ds_csv_cell(c, 1, 0), "b");
    cr_assert_str_eq(ds_csv_cell(c, 1, 1), "say \"hi\"");
    cr_assert_str_eq(ds_csv_cell(c, 1, 2), "");
    cr_assert_str_eq(ds_csv_cell(c, 2, 1), "two\nlines\r\nhere");
    cr_assert_str_eq(ds_csv_cell(c, 3, 1), "");
    cr_assert_str_eq(ds_csv_cell(c, 3, 2), "\"");
    cr_assert_eq(ds_csv_header_line(c), 1);
    cr_assert_eq(ds_csv_line(c, 0), 2);
    cr_assert_eq(ds_csv_line(c, 2), 4);
    cr_assert_eq(ds_csv_line(c, 3), 8); /* after a 3-line field and a blank line */
    cr_assert_str_eq(ds_csv_file(c), "t.csv");
    ds_csv_free(c);
}

Test(csv, errors_with_line)
{
    parse_bad("a,b\n1,2\n3\n", 10, "t.csv:3: error: row has 1 field, the header has 2");
    parse_bad("a,b\n1,2,3\n", 10, "t.csv:2: error: row has 3 fields, the header has 2");
    parse_bad("a,b\n1,2\n\"3\n,4\n", 14, "t.csv:3: error: unterminated quoted field");
    parse_bad("a,b\n1,x\"y\"\n", 11,
              "t.csv:2: error: quote inside an unquoted field (quote the whole field "
              "and double the quote)");
    parse_bad("a,b\n1,\"x\"y\n", 11, "t.csv:2: error: unexpected text after a closing quote");
    parse_bad("a,b\n1,x\0y\n", 10, "t.csv:2: error: NUL byte");
    parse_bad("", 0, "t.csv:1: error: empty file (no header row)");
    parse_bad("\n\r\n", 3, "t.csv:1: error: empty file (no header row)");
}

Test(csv, header_only_and_no_final_newline)
{
    ds_csv *c = parse_ok("x");
    cr_assert_eq(ds_csv_cols(c), 1);
    cr_assert_eq(ds_csv_rows(c), 0);
    ds_csv_free(c);
    c = parse_ok("x,y\n1,");
    cr_assert_eq(ds_csv_rows(c), 1);
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "");
    ds_csv_free(c);
}

static char *write_fields(const char *const *f, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', m);
        cr_assert_eq(ds_csv_write_field(m, f[i]), DS_OK);
    }
    fputc('\n', m);
    fclose(m);
    return buf;
}

/* The fields f[0..n-1] are written as want, which reads back as them. */
static void writer_case(const char *const *f, size_t n, const char *want)
{
    char *text = write_fields(f, n);
    ds_csv *c;
    cr_assert_str_eq(text, want);
    c = parse_ok(text);
    for (size_t j = 0; j < n; j++)
        cr_assert_str_eq(ds_csv_name(c, j), f[j]);
    ds_csv_free(c);
    free(text);
}

Test(csv, writer_quotes_when_needed_and_round_trips)
{
    const char *const f[] = {"plain", "a,b", "say \"hi\"", "two\nlines", " pad", "", "cr\r"};
    writer_case(f, 7, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",,\"cr\r\"\n");
}

Test(csv, writer_doubles_every_quote)
{
    const char *const f[] = {"\"", "\"\"x\"", "end\"", "a,\"\"\"b"};
    writer_case(f, 4, "\"\"\"\",\"\"\"\"\"x\"\"\",\"end\"\"\",\"a,\"\"\"\"\"\"b\"\n");
}

Test(csv, read_file_errors)
{
    ds_csv *c = (ds_csv *)1;
    ds_error e = {0};
    cr_assert_eq(ds_csv_read(DATA "nope.csv", &c, &e), DS_EIO);
    cr_assert_null(c);
    cr_assert(strstr(e.msg, DATA "nope.csv: error: cannot read: ") == e.msg, "%s", e.msg);
    cr_assert_eq(ds_csv_read(DATA "summary_a.csv", &c, &e), DS_OK);
    cr_assert_eq(ds_csv_rows(c), 2);
    cr_assert_eq(ds_csv_cols(c), 11);
    ds_csv_free(c);
}

/* ---- number formatter ---- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

Test(number, round_trips_random_doubles)
{
    uint64_t s = 20251128;
    char buf[DS_CSV_NUM_MAX];
    size_t shortest = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = splitmix64(&s);
        double x, y;
        if (i % 2) /* also plenty of "ordinary" magnitudes */
            x = ldexp((double)(bits >> 11), -53) * pow(10, (double)(i % 13) - 6);
        else
            memcpy(&x, &bits, sizeof x);
        if (!isfinite(x))
            continue;
        ds_csv_format_double(buf, x);
        y = strtod(buf, NULL);
        cr_assert(memcmp(&x, &y, sizeof x) == 0, "%s does not read back as %a", buf, x);
        shortest += strlen(buf) < 23;
    }
    cr_assert(shortest > 0);
}

/* The writer's fast path (one exact conversion, rounded candidates) gives
 * exactly what the plain definition gives: the first of %.15g, %.16g, %.17g
 * that reads back to the same bits.  Random bits, ordinary magnitudes,
 * short decimals (ties and carries such as 9.995) and integers. */
static void reference_format(char *buf, double x)
{
    static const char *const fmt[] = {"%.15g", "%.16g", "%.17g"};
    for (int k = 0; k < 3; k++) {
        double y;
        snprintf(buf, DS_CSV_NUM_MAX, fmt[k], x);
        y = strtod(buf, NULL);
        if (memcmp(&x, &y, sizeof x) == 0)
            return;
    }
}

Test(number, equals_plain_definition)
{
    uint64_t s = 42;
    char a[DS_CSV_NUM_MAX], b[DS_CSV_NUM_MAX];
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = splitmix64(&s);
        double x;
        switch (i % 4) {
        case 0:
            memcpy(&x, &bits, sizeof x);
            break;
        case 1:
            x = ldexp((double)(bits >> 11), -53) * pow(10, (double)(i % 41) - 20);
            break;
        case 2:
            x = (double)(int64_t)(bits % 2000001 - 1000000) / 1000.0;
            break;
        default:
            x = (double)(int64_t)(bits >> 12) - 1e15;
            break;
        }
        if (!isfinite(x) || x == 0)
            continue;
        ds_csv_format_double(a, x);
        reference_format(b, x);
        cr_assert_str_eq(a, b, "%a", x);
    }
}

/* The integer path of the writer (magnitudes 1e-5 to 1e15) at its edges:
 * neighbours of powers of two (whose gap below is half the gap above) and
 * of powers of ten (where the decimal exponent changes), decimals whose
 * 15- or 16-digit rounding is a tie or carries, and the range's ends. */
Test(number, equals_plain_definition_at_edges)
{
    char a[DS_CSV_NUM_MAX], b[DS_CSV_NUM_MAX];
    uint64_t s = 7;
    for (int e = -20; e <= 52; e++)
        for (int d = -3; d <= 3; d++) {
            double x = ldexp(1.0 + d * DBL_EPSILON, e);
            double y = nextafter(ldexp(1.0, e), 0.0);
            ds_csv_format_double(a, x);
            reference_format(b, x);
            cr_assert_str_eq(a, b, "%a", x);
            ds_csv_format_double(a, -y);
            reference_format(b, -y);
            cr_assert_str_eq(a, b, "%a", -y);
        }
    for (int e = -6; e <= 16; e++)
        for (int d = -3; d <= 3; d++) {
            double x = pow(10, e);
            for (int k = 0; k < (d < 0 ? -d : d); k++)
                x = nextafter(x, d < 0 ? 0.0 : INFINITY);
            ds_csv_format_double(a, x);
            reference_format(b, x);
            cr_assert_str_eq(a, b, "%a", x);
        }
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = splitmix64(&s);
        /* 15 to 17 digits ending in 5, 50, 95, 995 ...: ties and carries. */
        double x = ((double)(bits % 100000000000000u) * 10.0 + 5.0) *
                   pow(10, (double)(int)(bits >> 59) - 20);
        if (i % 3 == 1)
            x = nextafter(x, INFINITY);
        else if (i % 3 == 2)
            x = 1.0 - (double)(bits % 1000) * 1e-16;
        ds_csv_format_double(a, x);
        reference_format(b, x);
        cr_assert_str_eq(a, b, "%a", x);
    }
    cr_assert_str_eq(ds_csv_format_double(a, 1e-5), "1e-05");
    cr_assert_str_eq(ds_csv_format_double(a, nextafter(1e15, 0.0)), "999999999999999.9");
    cr_assert_str_eq(ds_csv_format_double(a, 999999999999999.0), "999999999999999");
}

Test(number, shortest_forms)
{
    char buf[DS_CSV_NUM_MAX];
    cr_assert_str_eq(ds_csv_format_double(buf, 0.1), "0.1");
    cr_assert_str_eq(ds_csv_format_double(buf, 0.1 + 0.2), "0.30000000000000004");
    cr_assert_str_eq(ds_csv_format_double(buf, 1.0 / 3), "0.3333333333333333");
    cr_assert_str_eq(ds_csv_format_double(buf, 60), "60");
    cr_assert_str_eq(ds_csv_format_double(buf, 1e21), "1e+21");
    cr_assert_str_eq(ds_csv_format_double(buf, -0.0), "-0");
    cr_assert_str_eq(ds_csv_format_double(buf, 5e-324), "4.94065645841247e-324");
    cr_assert_str_eq(ds_csv_format_double(buf, -1.7976931348623157e308),
                     "-1.7976931348623157e+308");
    cr_assert_str_eq(ds_csv_format_double(buf, NAN), "");
    cr_assert_str_eq(ds_csv_format_double(buf, INFINITY), "inf");
    cr_assert_str_eq(ds_csv_format_double(buf, -INFINITY), "-inf");
}

Test(number, parse_whole_cell)
{
    double x = 0;
    cr_assert(ds_csv_parse_double(" 2.5e3 ", &x));
    cr_assert_eq(x, 2500);
    cr_assert(!ds_csv_parse_double("", &x));
    cr_assert(!ds_csv_parse_double("  ", &x));
    cr_assert(!ds_csv_parse_double("2.5x", &x));
    cr_assert(!ds_csv_parse_double("abc", &x));
}

/* ---- compare ---- */

/* Run compare on two data files; returns the output (caller frees) and
 * stores the status in *rc and the message in e. */
static char *run(const char *a, const char *b, const ds_compare_opts *o, int *rc, ds_error *e)
{
    char *buf = NULL;
    size_t len = 0;
    char pa[512], pb[512];
    FILE *m = open_memstream(&buf, &len);
    snprintf(pa, sizeof pa, DATA "%s", a);
    snprintf(pb, sizeof pb, DATA "%s", b);
    ds_error_clear(e);
    *rc = ds_compare_files(pa, pb, o, m, e);
    fclose(m);
    return buf;
}

static ds_csv *run_ok(const char *a, const char *b, const ds_compare_opts *o)
{
    ds_error e;
    int rc;
    char *out = run(a, b, o, &rc, &e);
    ds_csv *c = NULL;
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    cr_assert_eq(ds_csv_parse("out.csv", out, strlen(out), &c, &e), DS_OK, "%s", e.msg);
    free(out);
    return c;
}

static void run_bad(const char *a, const char *b, const char *want)
{
    ds_error e;
    int rc;
    char *out = run(a, b, NULL, &rc, &e);
    char full[1024];
    cr_assert_eq(rc, DS_EINVAL, "rc %d (%s)", rc, e.msg);
    snprintf(full, sizeof full, want, DS_TEST_DIR "/data/compare/",
             DS_TEST_DIR "/data/compare/");
    cr_assert_str_eq(e.msg, full);
    cr_assert_str_eq(out, "", "nothing is written on error");
    free(out);
}

/* Row index of (strategy, metric) in a compare output, or fail. */
static size_t find_row(const ds_csv *c, const char *strategy, const char *point,
                       const char *metric)
{
    size_t mcol = point ? 2 : 1;
    for (size_t i = 0; i < ds_csv_rows(c); i++)
        if (strcmp(ds_csv_cell(c, i, 0), strategy) == 0 &&
            strcmp(ds_csv_cell(c, i, mcol), metric) == 0 &&
            (!point || strcmp(ds_csv_cell(c, i, 1), point) == 0))
            return i;
    cr_assert_fail("no row %s/%s/%s", strategy, point ? point : "-", metric);
    return 0;
}

static double cell_num(const ds_csv *c, size_t i, size_t j)
{
    double x;
    cr_assert(ds_csv_parse_double(ds_csv_cell(c, i, j), &x), "row %zu col %zu: '%s'", i, j,
              ds_csv_cell(c, i, j));
    return x;
}

Test(compare, files_that_agree)
{
    ds_csv *c = run_ok("summary_a.csv", "summary_a_shuffled.csv", NULL);
    cr_assert_eq(ds_csv_cols(c), 6);
    cr_assert_str_eq(ds_csv_name(c, 0), "strategy");
    cr_assert_str_eq(ds_csv_name(c, 1), "metric");
    cr_assert_str_eq(ds_csv_name(c, 5), "z");
    cr_assert_eq(ds_csv_rows(c), 2 * 10); /* 2 strategies x 10 metric columns */
    /* a's order: invest first, then metrics in a's column order */
    cr_assert_str_eq(ds_csv_cell(c, 0, 0), "invest");
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "draws");
    cr_assert_str_eq(ds_csv_cell(c, 1, 1), "p_deal");
    cr_assert_str_eq(ds_csv_cell(c, 10, 0), "tariff_cut");
    for (size_t i = 0; i < ds_csv_rows(c); i++) {
        const char *diff = ds_csv_cell(c, i, 4), *z = ds_csv_cell(c, i, 5);
        if (*diff)
            cr_assert_eq(cell_num(c, i, 4), 0, "row %zu", i);
        cr_assert(!*z || cell_num(c, i, 5) == 0, "row %zu z '%s'", i, z);
    }
    /* z exists exactly for the metrics with a standard error */
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "invest", NULL, "p_deal"), 5), "0");
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "invest", NULL, "deficit_mean"), 5), "0");
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "invest", NULL, "benefit_mean"), 5), "0");
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "invest", NULL, "tariff_mean"), 5), "");
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "invest", NULL, "p_deal_se"), 5), "");
    /* both se 0: no z; empty cells stay empty */
    cr_assert_str_eq(ds_csv_cell(c, find_row(c, "tariff_cut", NULL, "benefit_mean"), 5), "");
    {
        size_t r = find_row(c, "tariff_cut", NULL, "round_mean");
        for (size_t j = 2; j < 6; j++)
            cr_assert_str_eq(ds_csv_cell(c, r, j), "");
    }
    ds_csv_free(c);
}

/* The strategy's label is text that describes the row: it is not a metric,
 * and labels that differ (or hold commas and quotes) do not stop two files
 * from lining up. */
Test(compare, labels_are_not_compared)
{
    ds_csv *c = run_ok("summary_label_a.csv", "summary_label_b.csv", NULL);
    size_t r;
    cr_assert_eq(ds_csv_rows(c), 2 * 5, "2 strategies x 5 metrics, no label");
    for (size_t i = 0; i < ds_csv_rows(c); i++)
        cr_assert_str_neq(ds_csv_cell(c, i, 1), "label");
    r = find_row(c, "invest", NULL, "benefit_given_deal_mean");
    cr_assert_eq(cell_num(c, r, 4), 0.5);
    r = find_row(c, "tariff_cut", NULL, "p_retaliation_given_deal_china");
    cr_assert_str_eq(ds_csv_cell(c, r, 2), "");
    cr_assert_str_eq(ds_csv_cell(c, r, 3), "0");
    ds_csv_free(c);
    /* a file without the label column does not line up with one that has it */
    run_bad("summary_label_a.csv", "summary_a.csv",
            "%ssummary_a.csv: error: metric column 'label' (in %ssummary_label_a.csv) is "
            "missing");
}

Test(compare, files_that_differ)
{
    ds_csv *c = run_ok("summary_a.csv", "summary_b.csv", NULL);
    size_t r = find_row(c, "invest", NULL, "p_deal");
    cr_assert_str_eq(ds_csv_cell(c, r, 2), "0.5");
    cr_assert_str_eq(ds_csv_cell(c, r, 3), "0.53");
    cr_assert_eq(cell_num(c, r, 4), 0.53 - 0.5);
    /* (0.53 - 0.5) / sqrt(0.01^2 + 0.02^2) = 0.03 / 0.0223607 = 1.341641 */
    cr_assert(fabs(cell_num(c, r, 5) - 1.3416407864998738) < 1e-12, "z %s",
              ds_csv_cell(c, r, 5));
    r = find_row(c, "invest", NULL, "deficit_mean");
    cr_assert_eq(cell_num(c, r, 4), -1);
    cr_assert(fabs(cell_num(c, r, 5) + 1.4142135623730951) < 1e-12); /* -1 / sqrt(0.5) */
    r = find_row(c, "tariff_cut", NULL, "deficit_mean");
    cr_assert(fabs(cell_num(c, r, 5) - 0.6) < 1e-12); /* 0.3 / sqrt(0.09 + 0.16) */
    r = find_row(c, "tariff_cut", NULL, "benefit_mean");
    cr_assert_eq(cell_num(c, r, 4), 0.5);
    cr_assert_str_eq(ds_csv_cell(c, r, 5), ""); /* se 0 in both */
    r = find_row(c, "invest", NULL, "round_mean");
    cr_assert_eq(cell_num(c, r, 4), 0.25);
    cr_assert_str_eq(ds_csv_cell(c, r, 5), "");
    r = find_row(c, "tariff_cut", NULL, "approve_trump");
    cr_assert_str_eq(ds_csv_cell(c, r, 4), "");
    ds_csv_free(c);
}

Test(compare, only_significant)
{
    ds_compare_opts o;
    ds_csv *c;
    ds_compare_opts_init(&o);
    cr_assert_eq(o.z_min, 1.96);
    o.only_significant = 1;
    c = run_ok("summary_a.csv", "summary_b.csv", &o);
    cr_assert_eq(ds_csv_rows(c), 0); /* largest |z| is 1.41 */
    cr_assert_eq(ds_csv_cols(c), 6);
    ds_csv_free(c);
    o.z_min = 1.4;
    c = run_ok("summary_a.csv", "summary_b.csv", &o);
    cr_assert_eq(ds_csv_rows(c), 1);
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "deficit_mean");
    ds_csv_free(c);
    o.z_min = 0.5;
    c = run_ok("summary_a.csv", "summary_b.csv", &o);
    cr_assert_eq(ds_csv_rows(c), 3);
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "p_deal");
    cr_assert_str_eq(ds_csv_cell(c, 1, 1), "deficit_mean");
    cr_assert_str_eq(ds_csv_cell(c, 2, 0), "tariff_cut");
    ds_csv_free(c);
    o.z_min = 0; /* every row with a z, including z = 0 */
    c = run_ok("summary_a.csv", "summary_b.csv", &o);
    cr_assert_eq(ds_csv_rows(c), 5);
    ds_csv_free(c);
}

Test(compare, bad_threshold)
{
    ds_compare_opts o;
    ds_error e;
    int rc;
    char *out;
    ds_compare_opts_init(&o);
    o.z_min = -1;
    out = run("summary_a.csv", "summary_b.csv", &o, &rc, &e);
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_str_eq(e.msg, "error: --z: must be a finite number >= 0");
    free(out);
}

Test(compare, files_that_do_not_line_up)
{
    run_bad("summary_a.csv", "summary_missing_strategy.csv",
            "%ssummary_missing_strategy.csv: error: strategy 'tariff_cut' "
            "(%ssummary_a.csv:3) is missing");
    run_bad("summary_a.csv", "summary_extra_strategy.csv",
            "%ssummary_a.csv: error: strategy 'escalate' "
            "(%ssummary_extra_strategy.csv:4) is missing");
    run_bad("summary_a.csv", "summary_missing_column.csv",
            "%ssummary_missing_column.csv: error: metric column 'approve_trump' "
            "(in %ssummary_a.csv) is missing");
    run_bad("summary_missing_column.csv", "summary_a.csv",
            "%ssummary_missing_column.csv: error: metric column 'approve_trump' "
            "(in %ssummary_a.csv) is missing");
    run_bad("summary_a.csv", "summary_not_number.csv",
            "%ssummary_not_number.csv:3: error: column 'p_deal': not a number: 'high'%.0s");
    run_bad("summary_duplicate.csv", "summary_a.csv",
            "%ssummary_duplicate.csv:4: error: duplicate row for strategy 'invest' "
            "(first at line 2)%.0s");
    run_bad("summary_a.csv", "sweep_a.csv",
            "%ssweep_a.csv: error: a sweep CSV, but %ssummary_a.csv is a summary CSV");
    run_bad("sweep_a.csv", "sweep_b_other_value.csv",
            "%ssweep_b_other_value.csv:4: error: point 2, column 'protocol.rounds': "
            "'5' here, '4' in %ssweep_a.csv:4");
    run_bad("sweep_a.csv", "sweep_b_missing_point.csv",
            "%ssweep_b_missing_point.csv: error: point 2, strategy 'tariff_cut' "
            "(%ssweep_a.csv:5) is missing");
    run_bad("sweep_a.csv", "sweep_b_other_varied.csv",
            "%ssweep_b_other_varied.csv: error: varied column 'actors.trump.threshold' "
            "(in %ssweep_a.csv) is missing");
}

Test(compare, sweeps)
{
    ds_csv *c = run_ok("sweep_a.csv", "sweep_b.csv", NULL);
    size_t r;
    cr_assert_eq(ds_csv_cols(c), 7);
    cr_assert_str_eq(ds_csv_name(c, 1), "point");
    cr_assert_str_eq(ds_csv_name(c, 2), "metric");
    cr_assert_eq(ds_csv_rows(c), 4 * 5);
    cr_assert_str_eq(ds_csv_cell(c, 0, 1), "1");
    cr_assert_str_eq(ds_csv_cell(c, 19, 1), "2");
    r = find_row(c, "tariff_cut", "1", "p_deal");
    /* 0.2 / sqrt(0.04^2 + 0.05^2) = 3.1234752 */
    cr_assert(fabs(cell_num(c, r, 6) - 0.2 / sqrt(0.04 * 0.04 + 0.05 * 0.05)) < 1e-12);
    r = find_row(c, "invest", "2", "deficit_mean");
    cr_assert_eq(cell_num(c, r, 5), 3);
    cr_assert(fabs(cell_num(c, r, 6) - 3 / sqrt(5.0)) < 1e-12);
    ds_csv_free(c);
}

Test(compare, write_failure)
{
    ds_error e;
    FILE *f = fopen("/dev/full", "w");
    int rc;
    if (!f)
        cr_skip_test("no /dev/full");
    rc = ds_compare_files(DATA "summary_a.csv", DATA "summary_b.csv", NULL, f, &e);
    cr_assert_eq(rc, DS_EIO, "%s", e.msg);
    cr_assert(strstr(e.msg, "error: cannot write the comparison") == e.msg, "%s", e.msg);
    fclose(f);
}

/* A write error names the output (when given) and the system's reason,
 * taken at the failing call: it used to say "Success", the errno of a
 * later, successful call. */
Test(compare, write_failure_names_file_and_reason)
{
    ds_csv *a = NULL, *b = NULL;
    ds_error e;
    for (int table = 0; table <= 1; table++)
        for (int buffered = 0; buffered <= 1; buffered++) {
            ds_compare_opts o;
            FILE *f = fopen("/dev/full", "w");
            cr_assert_not_null(f);
            if (!buffered)
                setvbuf(f, NULL, _IONBF, 0);
            ds_compare_opts_init(&o);
            o.table = table;
            cr_assert_eq(ds_csv_read(DATA "summary_a.csv", &a, &e), DS_OK);
            cr_assert_eq(ds_csv_read(DATA "summary_b.csv", &b, &e), DS_OK);
            cr_assert_eq(ds_compare_write(a, b, &o, f, "out.csv", &e), DS_EIO);
            cr_assert_str_eq(e.msg, "out.csv: error: cannot write: No space left on device");
            cr_assert_eq(ds_compare_tables(a, b, &o, f, &e), DS_EIO);
            cr_assert_str_eq(e.msg, "error: cannot write the comparison: No space left on "
                                    "device");
            ds_csv_free(a);
            ds_csv_free(b);
            fclose(f);
        }
}

/* Run compare as a table; returns the text (caller frees). */
static char *run_table(const char *a, const char *b, ds_compare_opts *o)
{
    ds_error e;
    int rc;
    char *out;
    o->table = 1;
    out = run(a, b, o, &rc, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    return out;
}

/* The non-empty lines of text (at most 64), split in place. */
static size_t split_lines(char *text, char **line)
{
    size_t n = 0;
    for (char *p = strtok(text, "\n"); p && n < 64; p = strtok(NULL, "\n"))
        line[n++] = p;
    return n;
}

/* The table (SPEC §10): largest |z| first, then the rows without a z in
 * file order; numbers to 4 digits; the units of the metrics shown. */
Test(compare, table_largest_z_first)
{
    ds_compare_opts o;
    char *t, *line[64];
    size_t n;
    ds_compare_opts_init(&o);
    cr_assert_eq(o.table, 0, "CSV by default");
    t = run_table("summary_a.csv", "summary_b.csv", &o);
    n = split_lines(t, line);
    cr_assert_str_eq(line[0], "a: " DATA "summary_a.csv");
    cr_assert_str_eq(line[1], "b: " DATA "summary_b.csv");
    cr_assert_str_eq(line[2], "diff = b - a, z = diff / sqrt(se_a^2 + se_b^2); largest |z| "
                              "first");
    cr_assert_str_eq(line[3], "strategy    metric             a      b   diff      z");
    /* z: deficit_mean -1/sqrt(0.5) = -1.414 (invest), p_deal 0.03/sqrt(0.0005)
     * = 1.342, deficit_mean 0.3/0.5 = 0.6 (tariff_cut), then the zeros, then
     * the rows without a z (no SE column, or both SEs 0), in file order. */
    cr_assert_str_eq(line[4], "invest      deficit_mean   60.25  59.25     -1  -1.41");
    cr_assert_str_eq(line[5], "invest      p_deal           0.5   0.53  +0.03  +1.34");
    cr_assert_str_eq(line[6], "tariff_cut  deficit_mean      62   62.3   +0.3  +0.60");
    cr_assert_str_eq(line[7], "invest      benefit_mean       3      3     +0  +0.00");
    cr_assert_str_eq(line[8], "tariff_cut  p_deal           0.2    0.2     +0  +0.00");
    cr_assert_str_eq(line[9], "invest      draws           1000   1000     +0");
    cr_assert_str_eq(line[21], "tariff_cut  benefit_mean       0    0.5   +0.5");
    cr_assert_str_eq(line[n - 3], "tariff_cut  approve_trump");
    cr_assert_str_eq(line[n - 2], "units: draws: draws; fraction: p_deal, p_deal_se, "
                                  "tariff_mean, approve_trump; round: round_mean;");
    cr_assert_str_eq(line[n - 1], "  bn/yr: deficit_mean, deficit_se, benefit_mean, benefit_se");
    cr_assert_eq(n, 3 + 1 + 2 * 10 + 2);
    free(t);

    /* --only-significant keeps the rows with |z| >= z_min, still sorted. */
    o.only_significant = 1;
    o.z_min = 0.5;
    t = run_table("summary_a.csv", "summary_b.csv", &o);
    n = split_lines(t, line);
    cr_assert_eq(n, 3 + 1 + 3 + 1, "%s", t);
    cr_assert(strstr(line[4], "-1.41") && strstr(line[5], "+1.34") && strstr(line[6], "+0.60"));
    cr_assert_str_eq(line[7], "units: fraction: p_deal; bn/yr: deficit_mean");
    free(t);
    o.z_min = 2;
    t = run_table("summary_a.csv", "summary_b.csv", &o);
    cr_assert(strstr(t, "(no metric with |z| >= 2)\n"), "%s", t);
    free(t);
}

/* A sweep table has a point column; long names are cut to keep the width,
 * and control characters from a file never reach the terminal. */
Test(compare, table_of_sweeps_and_long_names)
{
    ds_compare_opts o;
    ds_csv *a = NULL, *b = NULL;
    ds_error e;
    char *t = NULL, *line[64];
    size_t len = 0, n;
    FILE *f;
    const char *text = "strategy,draws,p_retaliation_a_third_party_with_a_long_id,p_deal\n"
                       "a_strategy_with_a_long_id,10,0.5,0.25\n"
                       "s\x07\x1b[2Jx,10,0.5,0.25\n";
    ds_compare_opts_init(&o);
    t = run_table("sweep_a.csv", "sweep_b.csv", &o);
    n = split_lines(t, line);
    cr_assert_str_eq(line[3], "strategy    point  metric           a     b   diff      z");
    cr_assert_str_eq(line[4], "tariff_cut  1      p_deal        0.25  0.45   +0.2  +3.12");
    free(t);
    cr_assert_eq(ds_csv_parse("a.csv", text, strlen(text), &a, &e), DS_OK, "%s", e.msg);
    cr_assert_eq(ds_csv_parse("b.csv", text, strlen(text), &b, &e), DS_OK, "%s", e.msg);
    t = NULL;
    f = open_memstream(&t, &len);
    o.table = 1;
    cr_assert_eq(ds_compare_write(a, b, &o, f, "x", &e), DS_OK, "%s", e.msg);
    fclose(f);
    n = split_lines(t, line);
    cr_assert_str_eq(line[3], "strategy          metric                         a     b  diff  z");
    cr_assert_str_eq(line[4], "a_strategy_with~  draws                         10    10    +0");
    cr_assert_str_eq(line[5], "a_strategy_with~  p_retaliation_a_third_par~   0.5   0.5    +0");
    cr_assert_str_eq(line[7], "s??[2Jx           draws                         10    10    +0");
    cr_assert_null(strchr(t, '\x1b'));
    cr_assert_null(strchr(t, '\x07'));
    for (size_t i = 0; i < n; i++)
        cr_assert_leq(strlen(line[i]), DS_COMPARE_TABLE_WIDTH, "%s", line[i]);
    cr_assert_str_eq(line[n - 1], "units: draws: draws; fraction: "
                                  "p_retaliation_a_third_party_with_a_long_id, p_deal");
    free(t);
    ds_csv_free(a);
    ds_csv_free(b);
}
