/*
 * test_design.c - sweep designs (SPEC §9): grid order and spacing, Latin
 * hypercube strata and determinism, Sobol points against GSL, design files
 * and every argument error.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "dealsim/csv.h"
#include "dealsim/design.h"

#define DATA DS_TEST_DIR "/data/design/"

/* SPEC §3.1's integer keys, as the CLI's predicate knows them. */
static int is_integer_key(const char *path, void *ctx)
{
    static const char *const keys[] = {"dealsim", "protocol.rounds", "simulation.draws",
                                       "simulation.seed"};
    (void)ctx;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(path, keys[i]) == 0)
            return 1;
    return 0;
}

static ds_design_args args_of(const char *design, const char *const *vary, size_t n,
                              const char *samples)
{
    ds_design_args a = {0};
    a.design = design;
    a.vary = vary;
    a.n_vary = n;
    a.samples = samples;
    a.seed = 12345;
    a.is_integer = is_integer_key;
    return a;
}

/* Build a design that must fail, and check the message contains `want`. */
static void expect_error(const ds_design_args *a, int code, const char *want)
{
    ds_design *d = (ds_design *)1;
    ds_error e = {0};
    int rc = ds_design_new(a, &d, &e);
    cr_assert_eq(rc, code, "rc %d, message: %s", rc, e.msg);
    cr_assert_null(d);
    cr_assert(strstr(e.msg, want) != NULL, "message '%s' lacks '%s'", e.msg, want);
}

static ds_design *must_build(const ds_design_args *a)
{
    ds_design *d = NULL;
    ds_error e = {0};
    int rc = ds_design_new(a, &d, &e);
    cr_assert_eq(rc, DS_OK, "%s", e.msg);
    cr_assert_not_null(d);
    return d;
}

static double num(const char *s)
{
    double x;
    cr_assert(ds_csv_parse_double(s, &x), "not a number: '%s'", s);
    return x;
}

Test(grid, cartesian_product_first_vary_slowest)
{
    const char *vary[] = {"protocol.rounds=1,2,3", "actors.trump.threshold=0:1:3"};
    ds_design_args a = args_of(NULL, vary, 2, NULL);
    ds_design *d = must_build(&a);
    static const char *const rounds[] = {"1", "1", "1", "2", "2", "2", "3", "3", "3"};
    static const char *const thr[] = {"0", "0.5", "1", "0", "0.5", "1", "0", "0.5", "1"};
    cr_assert_eq(ds_design_points(d), 9);
    cr_assert_eq(ds_design_paths(d), 2);
    cr_assert_str_eq(ds_design_path(d, 0), "protocol.rounds");
    cr_assert_str_eq(ds_design_path(d, 1), "actors.trump.threshold");
    for (size_t i = 0; i < 9; i++) {
        cr_assert_str_eq(ds_design_value(d, i, 0), rounds[i], "point %zu", i + 1);
        cr_assert_str_eq(ds_design_value(d, i, 1), thr[i], "point %zu", i + 1);
        cr_assert_str_eq(ds_design_cell(d, i, 1), thr[i]);
        cr_assert_eq(ds_design_line(d, i), 0);
    }
    cr_assert_null(ds_design_file(d));
    ds_design_free(d);
}

Test(grid, three_paths_row_count_and_last_fastest)
{
    const char *vary[] = {"a=1,2", "b=x,y,z", "c=0:3:4"};
    ds_design_args a = args_of("grid", vary, 3, NULL);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 24);
    /* point 14 (0-based 13) = a index 1, b index 0, c index 1 */
    cr_assert_str_eq(ds_design_value(d, 13, 0), "2");
    cr_assert_str_eq(ds_design_value(d, 13, 1), "x");
    cr_assert_str_eq(ds_design_value(d, 13, 2), "1");
    cr_assert_str_eq(ds_design_value(d, 23, 0), "2");
    cr_assert_str_eq(ds_design_value(d, 23, 1), "z");
    cr_assert_str_eq(ds_design_value(d, 23, 2), "3");
    ds_design_free(d);
}

Test(grid, range_spacing)
{
    const char *vary[] = {"x=0.1:0.5:5"};
    ds_design_args a = args_of(NULL, vary, 1, NULL);
    ds_design *d = must_build(&a);
    static const char *const want[] = {"0.1", "0.2", "0.3", "0.4", "0.5"};
    cr_assert_eq(ds_design_points(d), 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(ds_design_value(d, i, 0), want[i]);
    ds_design_free(d);

    /* Unround bounds: evenly spaced within the rounding to 15 significant
     * digits (of the larger end, 2.3, across 0: half a unit is 5e-15),
     * ends exact. */
    vary[0] = "x=-1.7:2.3:7";
    d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 7);
    cr_assert_eq(num(ds_design_value(d, 0, 0)), -1.7);
    cr_assert_eq(num(ds_design_value(d, 6, 0)), 2.3);
    for (size_t i = 0; i < 7; i++)
        cr_assert(fabs(num(ds_design_value(d, i, 0)) - (-1.7 + 4.0 * (double)i / 6)) <= 5e-15);
    cr_assert_str_eq(ds_design_value(d, 1, 0), "-1.03333333333333");
    ds_design_free(d);
}

/* The values of one `--vary x=SPEC` grid, against want[] (n of them). */
static void expect_grid(const char *spec, const char *const *want, size_t n)
{
    char arg[256];
    const char *vary[] = {arg};
    ds_design_args a = args_of(NULL, vary, 1, NULL);
    snprintf(arg, sizeof arg, "x=%s", spec);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), n, "%s", spec);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(ds_design_value(d, i, 0), want[i], "%s: value %zu is %s, want %s",
                         spec, i + 1, ds_design_value(d, i, 0), want[i]);
    ds_design_free(d);
}

#define GRID(spec, ...)                                                        \
    do {                                                                       \
        static const char *const w_[] = {__VA_ARGS__};                         \
        expect_grid(spec, w_, sizeof w_ / sizeof w_[0]);                       \
    } while (0)

/* SPEC §9 v2: value i of a:b:k is a + i (b - a)/(k - 1) rounded to 15
 * significant digits, so decimals come out as typed; the ends are a and b. */
Test(grid, rounded_to_15_digits)
{
    GRID("0:0.1:6", "0", "0.02", "0.04", "0.06", "0.08", "0.1");
    GRID("0.1:0.7:7", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7");
    GRID("0:1:7", "0", "0.166666666666667", "0.333333333333333", "0.5",
         "0.666666666666667", "0.833333333333333", "1");
    /* Negative ranges, ascending and descending. */
    GRID("-1:-0.1:10", "-1", "-0.9", "-0.8", "-0.7", "-0.6", "-0.5", "-0.4", "-0.3", "-0.2",
         "-0.1");
    GRID("-0.06:-0.3:5", "-0.06", "-0.12", "-0.18", "-0.24", "-0.3");
    /* Across 0 the sum cancels: rounded at the larger end's 15th digit,
     * the 0 is 0 (not 6.9e-18) and values near it show no noise. */
    GRID("-0.3:0.1:5", "-0.3", "-0.2", "-0.1", "0", "0.1");
    GRID("0.1:-0.2:4", "0.1", "0", "-0.1", "-0.2");
    GRID("-1:1:4", "-1", "-0.33333333333333", "0.33333333333333", "1");
    GRID("-0.3:0.3:3", "-0.3", "0", "0.3"); /* never -0 */
    /* Huge and tiny magnitudes, up to the largest double. */
    GRID("1e300:2e300:6", "1e+300", "1.2e+300", "1.4e+300", "1.6e+300", "1.8e+300",
         "2e+300");
    GRID("8e307:-8e307:5", "8e+307", "4e+307", "0", "-4e+307", "-8e+307");
    GRID("1.7976931348623157e308:1e308:3", "1.7976931348623157e+308",
         "1.39884656743116e+308", "1e+308");
    GRID("1e-300:2e-300:6", "1e-300", "1.2e-300", "1.4e-300", "1.6e-300", "1.8e-300",
         "2e-300");
    /* Subnormal: the same doubles as the decimals typed. */
    {
        const char *vary[] = {"x=-3e-310:6e-310:4"};
        ds_design_args a = args_of(NULL, vary, 1, NULL);
        ds_design *d = must_build(&a);
        static const char *const want[] = {"-3e-310", "0", "3e-310", "6e-310"};
        for (size_t i = 0; i < 4; i++)
            cr_expect_eq(num(ds_design_value(d, i, 0)), strtod(want[i], NULL), "%s",
                         ds_design_value(d, i, 0));
        ds_design_free(d);
    }
    /* Ends typed with 16 digits stay exact; what lies between them is
     * rounded, but never beyond them (0.123456789012346 > b). */
    GRID("0.1234567890123456:0.1234567890123458:3", "0.1234567890123456",
         "0.1234567890123458", "0.1234567890123458");
}

/* Grids of decimals made at random (fixed seed) at every magnitude: a and
 * the step are integers of up to 7 digits times 10^E, so every value is a
 * decimal of at most 8 digits; each must come out exactly as its decimal
 * text reads (computed here in integers). */
Test(grid, random_decimals_exact)
{
    uint64_t st = 0x9E3779B97F4A7C15u;
    for (int t = 0; t < 3000; t++) {
        long long A, S;
        int E, k;
        char spec[128], arg[140];
        const char *vary[] = {arg};
        ds_design_args a = args_of(NULL, vary, 1, NULL);
        st = st * 6364136223846793005u + 1442695040888963407u;
        A = (long long)((st >> 11) % 2000001) - 1000000;
        st = st * 6364136223846793005u + 1442695040888963407u;
        S = (long long)((st >> 11) % 1000000) + 1;
        if ((st >> 7) & 1)
            S = -S;
        st = st * 6364136223846793005u + 1442695040888963407u;
        E = (int)((st >> 11) % 591) - 300; /* 10^-300 .. 10^290 */
        k = 2 + (int)((st >> 40) % 40);
        snprintf(spec, sizeof spec, "%llde%d:%llde%d:%d", A, E, A + (k - 1) * S, E, k);
        snprintf(arg, sizeof arg, "x=%s", spec);
        ds_design *d = must_build(&a);
        for (int i = 0; i < k; i++) {
            char text[64], want[DS_CSV_NUM_MAX];
            snprintf(text, sizeof text, "%llde%d", A + i * S, E);
            ds_csv_format_double(want, strtod(text, NULL));
            if (strcmp(want, "-0") == 0)
                strcpy(want, "0");
            cr_assert_str_eq(ds_design_value(d, (size_t)i, 0), want, "%s: value %d",
                             spec, i + 1);
        }
        ds_design_free(d);
    }
}

/* Integer keys: values computed exactly in integers, also beyond 15
 * digits; one that is not an integer is an error. */
Test(grid, integer_keys_exact)
{
    const char *vary[] = {"simulation.seed=0:9007199254740990:3"};
    ds_design_args a = args_of(NULL, vary, 1, NULL);
    ds_design *d = must_build(&a);
    cr_assert_str_eq(ds_design_value(d, 1, 0), "4503599627370495");
    cr_assert_eq(num(ds_design_value(d, 2, 0)), 9007199254740990.0);
    ds_design_free(d);

    vary[0] = "protocol.rounds=10:1:4";
    d = must_build(&a);
    for (size_t i = 0; i < 4; i++) {
        char want[8];
        snprintf(want, sizeof want, "%zu", 10 - 3 * i);
        cr_assert_str_eq(ds_design_value(d, i, 0), want);
    }
    ds_design_free(d);

    vary[0] = "simulation.seed=-6:6:5";
    d = must_build(&a);
    cr_assert_str_eq(ds_design_value(d, 1, 0), "-3");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "0");
    ds_design_free(d);

    /* 4503599627370495.5: 15 digits would make it 4503599627370500. */
    vary[0] = "simulation.seed=0:9007199254740991:3";
    expect_error(&a, DS_EINVAL, "'simulation.seed' is an integer key, value 2 is "
                                "4503599627370495.5");
    vary[0] = "protocol.rounds=1:2:4";
    expect_error(&a, DS_EINVAL, "'protocol.rounds' is an integer key, value 2 is "
                                "1.3333333333333333");
    vary[0] = "protocol.rounds=0.5:3.5:4";
    expect_error(&a, DS_EINVAL, "'protocol.rounds' is an integer key, value 1 is 0.5");
}

Test(grid, range_k1_gives_a_and_descending)
{
    const char *vary[] = {"x=0.35:9:1", "y=1:0:3", "z=2:2:2"};
    ds_design_args a = args_of(NULL, vary, 3, NULL);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 6);
    cr_assert_str_eq(ds_design_value(d, 0, 0), "0.35");
    cr_assert_str_eq(ds_design_value(d, 0, 1), "1");
    cr_assert_str_eq(ds_design_value(d, 2, 1), "0.5");
    cr_assert_str_eq(ds_design_value(d, 4, 1), "0");
    cr_assert_str_eq(ds_design_value(d, 5, 2), "2");
    ds_design_free(d);
}

Test(grid, list_items_json_and_bare_words)
{
    const char *vary[] = {
        "items.semis.cost= \"a,b\" , {\"dist\":\"uniform\",\"min\":1,\"max\":2},[1, 2],true,"
        "every_round, 0.30,\"\\u00e9\\\"q\\\"\""};
    ds_design_args a = args_of(NULL, vary, 1, NULL);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 7);
    cr_assert_str_eq(ds_design_path(d, 0), "items.semis.cost");
    cr_assert_str_eq(ds_design_value(d, 0, 0), "\"a,b\"");
    cr_assert_str_eq(ds_design_cell(d, 0, 0), "a,b");
    cr_assert_str_eq(ds_design_value(d, 1, 0), "{\"dist\":\"uniform\",\"min\":1,\"max\":2}");
    cr_assert_str_eq(ds_design_cell(d, 1, 0), "{\"dist\":\"uniform\",\"min\":1,\"max\":2}");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "[1, 2]");
    cr_assert_str_eq(ds_design_value(d, 3, 0), "true");
    cr_assert_str_eq(ds_design_value(d, 4, 0), "every_round");
    cr_assert_str_eq(ds_design_value(d, 5, 0), "0.3");
    cr_assert_str_eq(ds_design_value(d, 6, 0), "\"\\u00e9\\\"q\\\"\"");
    cr_assert_str_eq(ds_design_cell(d, 6, 0), "\xc3\xa9\"q\"");
    ds_design_free(d);
}

Test(grid, integer_keys)
{
    const char *vary[] = {"protocol.rounds=4.0,7", "simulation.draws=1000:3000:3"};
    ds_design_args a = args_of(NULL, vary, 2, NULL);
    ds_design *d = must_build(&a);
    cr_assert_str_eq(ds_design_value(d, 0, 0), "4");
    cr_assert_str_eq(ds_design_value(d, 5, 0), "7");
    cr_assert_str_eq(ds_design_value(d, 1, 1), "2000");
    ds_design_free(d);

    vary[0] = "protocol.rounds=1,2.5";
    expect_error(&a, DS_EINVAL, "error: --vary protocol.rounds=1,2.5: 'protocol.rounds' is an "
                                "integer key, got '2.5'");
    vary[0] = "protocol.rounds=1,many";
    expect_error(&a, DS_EINVAL, "got 'many'");
    vary[0] = "protocol.rounds=1:2:3";
    expect_error(&a, DS_EINVAL, "'protocol.rounds' is an integer key, value 2 is 1.5");
}

Test(lhs, each_stratum_holds_one_point)
{
    const char *vary[] = {"actors.trump.threshold=0.2:0.7", "home.discount=1:0.9",
                          "items.semis.cost.max=-3:11"};
    const double lo[] = {0.2, 0.9, -3}, hi[] = {0.7, 1, 11};
    const size_t n = 97;
    ds_design_args a = args_of("lhs", vary, 3, "97");
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), n);
    for (size_t j = 0; j < 3; j++) {
        int hit[97] = {0};
        for (size_t i = 0; i < n; i++) {
            double x = num(ds_design_value(d, i, j));
            double s = floor((x - lo[j]) / (hi[j] - lo[j]) * (double)n);
            cr_assert(x >= lo[j] && x <= hi[j], "path %zu point %zu: %g", j, i, x);
            if (s >= (double)n)
                s = (double)n - 1;
            hit[(size_t)s]++;
        }
        for (size_t s = 0; s < n; s++)
            cr_assert_eq(hit[s], 1, "path %zu stratum %zu holds %d points", j, s, hit[s]);
    }
    ds_design_free(d);
}

Test(lhs, deterministic_for_a_seed)
{
    const char *vary[] = {"x=0:1", "y=5:6"};
    ds_design_args a = args_of("lhs", vary, 2, "20");
    ds_design *d1 = must_build(&a), *d2 = must_build(&a), *d3;
    int differ = 0;
    a.seed = 12346;
    d3 = must_build(&a);
    for (size_t i = 0; i < 20; i++)
        for (size_t j = 0; j < 2; j++) {
            cr_assert_str_eq(ds_design_value(d1, i, j), ds_design_value(d2, i, j));
            differ |= strcmp(ds_design_value(d1, i, j), ds_design_value(d3, i, j)) != 0;
        }
    cr_assert(differ, "another seed gives another design");
    /* The two paths are not the same permutation. */
    differ = 0;
    for (size_t i = 0; i < 20; i++)
        differ |= floor(num(ds_design_value(d1, i, 0)) * 20) !=
                  floor((num(ds_design_value(d1, i, 1)) - 5) * 20);
    cr_assert(differ);
    ds_design_free(d1);
    ds_design_free(d2);
    ds_design_free(d3);
}

Test(lhs, integer_key_rounded)
{
    const char *vary[] = {"protocol.rounds=1:10"};
    ds_design_args a = args_of("lhs", vary, 1, "40");
    ds_design *d = must_build(&a);
    int seen[11] = {0};
    for (size_t i = 0; i < 40; i++) {
        double x = num(ds_design_value(d, i, 0));
        cr_assert_eq(x, floor(x), "'%s' is not integral", ds_design_value(d, i, 0));
        cr_assert(x >= 1 && x <= 10);
        cr_assert(strchr(ds_design_value(d, i, 0), '.') == NULL);
        seen[(int)x]++;
    }
    /* 40 strata over [1, 10]: the ends get the strata within 0.5 of them. */
    for (int v = 2; v <= 9; v++)
        cr_assert(seen[v] >= 4 && seen[v] <= 5, "value %d seen %d times", v, seen[v]);
    ds_design_free(d);
}

Test(sobol, equals_gsl_sequence)
{
    const char *vary[] = {"x=0:1", "y=-2:3", "protocol.rounds=1:8"};
    const size_t n = 33;
    ds_design_args a = args_of("sobol", vary, 3, "33");
    ds_design *d = must_build(&a);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, 3);
    double p[3];
    cr_assert_eq(ds_design_points(d), n);
    for (size_t i = 0; i < n; i++) {
        gsl_qrng_get(q, p);
        cr_assert_eq(num(ds_design_value(d, i, 0)), p[0], "point %zu", i + 1);
        cr_assert_eq(num(ds_design_value(d, i, 1)), -2 + 5 * p[1], "point %zu", i + 1);
        cr_assert_eq(num(ds_design_value(d, i, 2)), round(1 + 7 * p[2]), "point %zu", i + 1);
    }
    gsl_qrng_free(q);
    ds_design_free(d);
}

Test(sobol, too_many_paths)
{
    char buf[41][16];
    const char *vary[41];
    ds_design_args a;
    for (size_t j = 0; j < 41; j++) {
        snprintf(buf[j], sizeof buf[j], "p%zu=0:1", j);
        vary[j] = buf[j];
    }
    a = args_of("sobol", vary, 41, "8");
    expect_error(&a, DS_EINVAL, "at most 40 varied paths");
    a.n_vary = 40;
    ds_design_free(must_build(&a));
}

Test(file, order_and_values_kept)
{
    ds_design_args a = args_of(NULL, NULL, 0, NULL);
    ds_design *d;
    a.design_file = DATA "good.csv";
    d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 3);
    cr_assert_eq(ds_design_paths(d), 3);
    cr_assert_str_eq(ds_design_path(d, 2), "actors.trump.role");
    cr_assert_str_eq(ds_design_value(d, 0, 0), "3");
    cr_assert_str_eq(ds_design_value(d, 1, 0), "4");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "1");
    cr_assert_str_eq(ds_design_value(d, 0, 1), "0.35");
    cr_assert_str_eq(ds_design_value(d, 1, 1), "-0.125");
    cr_assert_str_eq(ds_design_value(d, 2, 1), "0.001");
    cr_assert_str_eq(ds_design_value(d, 0, 2), "member");
    cr_assert_str_eq(ds_design_value(d, 1, 2), "\"decider\"");
    cr_assert_str_eq(ds_design_cell(d, 1, 2), "decider");
    cr_assert_str_eq(ds_design_value(d, 2, 2), "member");
    cr_assert_eq(ds_design_line(d, 0), 2);
    cr_assert_eq(ds_design_line(d, 2), 4);
    cr_assert_str_eq(ds_design_file(d), DATA "good.csv");
    ds_design_free(d);
}

static void bad_file(const char *name, int code, const char *want)
{
    ds_design_args a = args_of(NULL, NULL, 0, NULL);
    char path[512], msg[600];
    snprintf(path, sizeof path, DATA "%s", name);
    snprintf(msg, sizeof msg, want, path);
    a.design_file = path;
    expect_error(&a, code, msg);
}

Test(file, bad_files_named_with_line)
{
    bad_file("ragged.csv", DS_EINVAL, "%s:3: error: row has 1 field, the header has 2");
    bad_file("noninteger.csv", DS_EINVAL,
             "%s:3: error: column 'protocol.rounds': expected an integer, got '2.5'");
    bad_file("nonnumeric.csv", DS_EINVAL,
             "%s:4: error: column 'protocol.rounds': expected an integer, got 'many'");
    bad_file("dupcolumn.csv", DS_EINVAL, "%s:1: error: duplicate column 'protocol.rounds'");
    bad_file("norows.csv", DS_EINVAL, "%s:1: error: no design points");
    bad_file("unterminated.csv", DS_EINVAL, "%s:3: error: unterminated quoted field");
    bad_file("emptycell.csv", DS_EINVAL, "%s:2: error: column 'actors.trump.threshold': empty value");
    bad_file("does_not_exist.csv", DS_EIO, "%s: error: cannot read: ");
}

Test(errors, arguments_named)
{
    const char *vary[2] = {NULL, "y=1,2"};
    ds_design_args a = args_of(NULL, vary, 1, NULL);

    vary[0] = "protocol.rounds";
    expect_error(&a, DS_EINVAL, "error: --vary protocol.rounds: expected PATH=SPEC");
    vary[0] = "=1,2";
    expect_error(&a, DS_EINVAL, "error: --vary =1,2: empty path");
    vary[0] = "x=";
    expect_error(&a, DS_EINVAL, "error: --vary x=: empty SPEC");
    vary[0] = "x=1,,2";
    expect_error(&a, DS_EINVAL, "error: --vary x=1,,2: empty item in the list");
    vary[0] = "x=0:1:0";
    expect_error(&a, DS_EINVAL, "error: --vary x=0:1:0: k must be an integer >= 1, got '0'");
    vary[0] = "x=0:1:2.5";
    expect_error(&a, DS_EINVAL, "k must be an integer >= 1, got '2.5'");
    vary[0] = "x=0:1:-3";
    expect_error(&a, DS_EINVAL, "k must be an integer >= 1, got '-3'");
    vary[0] = "x=low:1:3";
    expect_error(&a, DS_EINVAL, "error: --vary x=low:1:3: range start must be a finite number, got 'low'");
    vary[0] = "x=0:inf:3";
    expect_error(&a, DS_EINVAL, "range end must be a finite number, got 'inf'");
    vary[0] = "x=0:1:2:3";
    expect_error(&a, DS_EINVAL, "a range is a:b or a:b:k");
    vary[0] = "x=0:1";
    expect_error(&a, DS_EINVAL, "error: --vary x=0:1: the grid design needs a list");
    vary[0] = "x=0:1:1000001";
    expect_error(&a, DS_EINVAL, "more than 1000000 points");
    vary[0] = "x=0:1:1001";
    vary[1] = "y=0:1:1000";
    a.n_vary = 2;
    expect_error(&a, DS_EINVAL, "error: --vary y=0:1:1000: the grid has more than 1000000 points");
    vary[1] = "x=1,2";
    expect_error(&a, DS_EINVAL, "error: --vary x=1,2: 'x' is varied twice");
    a.n_vary = 1;
    vary[0] = "x=0:1:3";

    a.samples = "10";
    expect_error(&a, DS_EINVAL, "error: --samples needs --design lhs or sobol");
    a.design = "random";
    expect_error(&a, DS_EINVAL, "error: --design random: unknown design (grid, lhs or sobol)");
    a.design = "lhs";
    expect_error(&a, DS_EINVAL, "error: --vary x=0:1:3: --design lhs needs a range a:b");
    vary[0] = "x=1,2";
    expect_error(&a, DS_EINVAL, "--design lhs needs a range a:b");
    vary[0] = "x=0:1";
    a.samples = NULL;
    expect_error(&a, DS_EINVAL, "error: --design lhs needs --samples N");
    a.design = "sobol";
    expect_error(&a, DS_EINVAL, "error: --design sobol needs --samples N");
    a.samples = "0";
    expect_error(&a, DS_EINVAL, "error: --samples 0: expected an integer in 1..1000000");
    a.samples = "1e3";
    expect_error(&a, DS_EINVAL, "error: --samples 1e3: expected an integer");
    a.samples = "1000001";
    expect_error(&a, DS_EINVAL, "error: --samples 1000001: expected an integer in 1..1000000");

    a.samples = NULL;
    a.design = NULL;
    a.n_vary = 0;
    expect_error(&a, DS_EINVAL, "error: sweep needs --vary PATH=SPEC or --design-file");
    a.design_file = DATA "good.csv";
    a.n_vary = 1;
    expect_error(&a, DS_EINVAL, "error: --design-file excludes --vary");
    a.n_vary = 0;
    a.design = "lhs";
    expect_error(&a, DS_EINVAL, "error: --design-file excludes --design");
}

Test(grid, json_string_cells_decoded)
{
    /* a surrogate pair, an escaped slash; a malformed string stays verbatim */
    const char *vary[] = {"name=\"\\ud83d\\ude00\\/\",\"bad\\x\",\"open"};
    ds_design_args a = args_of(NULL, vary, 1, NULL);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 3);
    cr_assert_str_eq(ds_design_cell(d, 0, 0), "\xf0\x9f\x98\x80/");
    cr_assert_str_eq(ds_design_cell(d, 1, 0), "\"bad\\x\"");
    cr_assert_str_eq(ds_design_value(d, 2, 0), "\"open");
    cr_assert_str_eq(ds_design_cell(d, 2, 0), "\"open");
    ds_design_free(d);
}

Test(errors, one_point_and_strings_with_colons)
{
    /* One value is a list of one; a quoted string may hold ':'. */
    const char *vary[] = {"protocol.decider_acts=\"every_round\"", "name=\"a:b\"",
                          "x=7"};
    ds_design_args a = args_of(NULL, vary, 3, NULL);
    ds_design *d = must_build(&a);
    cr_assert_eq(ds_design_points(d), 1);
    cr_assert_str_eq(ds_design_cell(d, 0, 0), "every_round");
    cr_assert_str_eq(ds_design_value(d, 0, 1), "\"a:b\"");
    cr_assert_str_eq(ds_design_cell(d, 0, 1), "a:b");
    cr_assert_str_eq(ds_design_value(d, 0, 2), "7");
    ds_design_free(d);
}
