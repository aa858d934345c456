/*
 * test_optimize.c - `dealsim optimize` end to end (SPEC §12): each
 * candidate's row against a `dealsim run` of the scenario holding only its
 * package, the front against a brute-force search of the CSV's rows, the
 * constraints, the order, bad arguments, the limit, and byte-identical
 * output for any -j and any chunk size.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>

#include "cli_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"
#define TUTORIAL DS_SOURCE_DIR "/scenarios/tutorial.json"
#define FULL DS_TEST_DIR "/data/good/full.json"
#define CHUNK_ENV "DEALSIM_OPTIMIZE_CHUNK"

static char *dir;

static void setup(void)
{
    dir = cli_tmpdir();
    unsetenv(CHUNK_ENV);
}
static void teardown(void) { cli_rmdir(dir); }

TestSuite(optimize, .init = setup, .fini = teardown, .timeout = 600);

/* ---- a CSV without quoted cells (ids and numbers only) ------------------ */

typedef struct table {
    char *text;
    char **line;      /* [n + 1]: the header, then the rows */
    char ***cell;     /* [n + 1][ncol] */
    size_t n, ncol;
} table;

static table parse(const char *s)
{
    table t = {0};
    size_t cap = 16;
    t.text = strdup(s);
    t.line = calloc(strlen(s) + 2, sizeof *t.line);
    t.cell = calloc(strlen(s) + 2, sizeof *t.cell);
    for (char *p = t.text; *p;) {
        char *e = strchr(p, '\n');
        cr_assert_not_null(e, "the CSV ends in a newline");
        *e = '\0';
        t.line[t.n] = strdup(p);
        t.cell[t.n] = calloc(cap + strlen(p), sizeof(char *));
        size_t k = 0;
        for (char *c = p;; k++) {
            char *comma = strchr(c, ',');
            t.cell[t.n][k] = c;
            if (!comma) {
                k++;
                break;
            }
            *comma = '\0';
            c = comma + 1;
        }
        cr_assert(t.n == 0 || k == t.ncol, "row %zu has %zu cells, not %zu", t.n, k, t.ncol);
        if (t.n == 0)
            t.ncol = k;
        t.n++;
        p = e + 1;
    }
    t.n--; /* rows, without the header */
    return t;
}

static void table_free(table *t)
{
    for (size_t i = 0; i <= t->n; i++) {
        free(t->line[i]);
        free(t->cell[i]);
    }
    free(t->line);
    free(t->cell);
    free(t->text);
}

static size_t col(const table *t, const char *name)
{
    for (size_t k = 0; k < t->ncol; k++)
        if (strcmp(t->cell[0][k], name) == 0)
            return k;
    cr_assert_fail("no column %s", name);
    return 0;
}

static double num(const table *t, size_t row, const char *name)
{
    return strtod(t->cell[row][col(t, name)], NULL);
}

/* The row's text from column k on (the summary cells). */
static const char *from(const table *t, size_t row, size_t k)
{
    const char *p = t->line[row];
    while (k--)
        p = strchr(p, ',') + 1;
    return p;
}

static char *slurp(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = cli_read_file(path, NULL);
    cr_assert_not_null(s, "%s was written", path);
    return s;
}

/* ---- a candidate against a run of its one package ----------------------- */

/* Write the scenario `src` with its packages replaced by the one package
 * of row `row` (items with a nonzero intensity, the asked tariffs) and no
 * strategies key; return the path. */
static void one_package(const char *src, const table *t, size_t row, const char *path)
{
    char *text = cli_read_file(src, NULL);
    cJSON *root = cJSON_Parse(text), *pk = cJSON_CreateObject(), *items, *terms = NULL;
    cJSON *list = cJSON_CreateArray();
    size_t sc = col(t, "strategy");
    cr_assert_not_null(root);
    cJSON_AddStringToObject(pk, "id", t->cell[row][sc]);
    items = cJSON_AddObjectToObject(pk, "items");
    for (size_t k = 1; k < col(t, "feasible"); k++) {
        const char *name = t->cell[0][k];
        double v = strtod(t->cell[row][k], NULL);
        if (strncmp(name, "terms.", 6) == 0) {
            if (!terms)
                terms = cJSON_AddObjectToObject(pk, "terms");
            cJSON_AddNumberToObject(terms, name + 6, v);
        } else if (v != 0) {
            cJSON_AddNumberToObject(items, name, v);
        }
    }
    cJSON_AddItemToArray(list, pk);
    cJSON_ReplaceItemInObject(root, "packages", list);
    cJSON_DeleteItemFromObject(root, "strategies");
    char *out = cJSON_Print(root);
    cr_assert_eq(cli_write_file(path, out), 0);
    free(out);
    cJSON_Delete(root);
    free(text);
}

static size_t row_of(const table *t, const char *cand)
{
    for (size_t i = 1; i <= t->n; i++)
        if (strcmp(t->cell[i][0], cand) == 0)
            return i;
    cr_assert_fail("no candidate %s", cand);
    return 0;
}

Test(optimize, each_row_is_a_run_of_its_one_package)
{
    char out[1024], one[1024];
    snprintf(out, sizeof out, "%s/o.csv", dir);
    /* 2 x 2 x 2 x 3 items, 2 asked tariffs on autos: 48 candidates. */
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "3000", "-s", "7", "-j", "2",
                           "--item", "alaska=0", "--item", "ships=0",
                           "--item", "lng=0,0.5,1", "--terms", "autos=0.1,0.15",
                           "-o", out, "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *csv = slurp("o.csv");
    table t = parse(csv);
    cr_assert_eq(t.n, 48);
    cr_assert_str_eq(t.cell[0][7], "terms.autos");
    /* The empty package (candidate 1), one with terms 0.15 and an
     * intensity of 0.5, the largest package, and one in between. */
    const char *cands[] = {"1", "2", "48", "47", "20"};
    for (size_t c = 0; c < sizeof cands / sizeof *cands; c++) {
        size_t row = row_of(&t, cands[c]);
        snprintf(one, sizeof one, "%s/one.json", dir);
        one_package(JAPAN, &t, row, one);
        cli_result rr = cli_run(dir, "run", one, "-n", "3000", "-s", "7", "-j", "1",
                                "--format", "csv", NULL);
        cr_assert_eq(rr.status, 0, "%s", rr.err);
        const char *second = strchr(rr.out, '\n') + 1;
        char *nl = strchr(second, '\n');
        *nl = '\0';
        cr_expect_str_eq(from(&t, row, col(&t, "strategy")), second,
                         "candidate %s differs from its run", cands[c]);
        cli_free(&rr);
    }
    /* Candidate 2 asks 0.15 on autos of the empty package: numbering. */
    size_t r2 = row_of(&t, "2");
    cr_expect_eq(num(&t, r2, "terms.autos"), 0.15);
    cr_expect_eq(num(&t, r2, "lng"), 0);
    cr_expect_str_eq(t.cell[r2][col(&t, "strategy")], "c2");
    /* The last dimension (autos) varies fastest, then lng, wafers, ... */
    size_t r3 = row_of(&t, "3"), r7 = row_of(&t, "7");
    cr_expect_eq(num(&t, r3, "lng"), 0.5);
    cr_expect_eq(num(&t, r3, "terms.autos"), 0.1);
    cr_expect_eq(num(&t, r3, "wafers"), 0);
    cr_expect_eq(num(&t, r7, "lng"), 0);
    cr_expect_eq(num(&t, r7, "terms.autos"), 0.1);
    cr_expect_eq(num(&t, r7, "wafers"), 1);
    table_free(&t);
    free(csv);
    cli_free(&r);
}

/* ---- the front against a brute-force search ------------------------------ */

/* Check feasibility, the front and the order of t, for constraints
 * (NaN: not given) and three objectives or two. */
static void check_front(const table *t, const char *ret_col, double max_cost, double max_ret,
                        double min_deal, int deficit_objective, int want_front_only)
{
    size_t n = t->n, nfront = 0, nfeas = 0;
    for (size_t i = 1; i <= n; i++) {
        double p = num(t, i, "p_deal"), cost = num(t, i, "concession_cost_mean");
        double ret = num(t, i, ret_col);
        int feas = (isnan(max_cost) || cost <= max_cost) &&
                   (isnan(max_ret) || ret <= max_ret) &&
                   (isnan(min_deal) || p >= min_deal);
        cr_expect_eq((int)num(t, i, "feasible"), feas, "row %zu feasible", i);
        nfeas += feas;
        int dominated = 0;
        for (size_t j = 1; j <= n && feas; j++) {
            double pj = num(t, j, "p_deal"), bj = num(t, j, "benefit_mean"),
                   dj = num(t, j, "deficit_mean");
            double pi = p, bi = num(t, i, "benefit_mean"), di = num(t, i, "deficit_mean");
            if (j == i || !(int)num(t, j, "feasible"))
                continue;
            if (!deficit_objective)
                di = dj = 0;
            if (pj >= pi && bj >= bi && dj <= di && (pj > pi || bj > bi || dj < di))
                dominated = 1;
        }
        int front = feas && !dominated;
        nfront += front;
        cr_expect_eq((int)num(t, i, "front"), front, "row %zu (candidate %s) front", i,
                     t->cell[i][0]);
    }
    cr_expect(nfront >= 1 || nfeas == 0);
    if (want_front_only)
        cr_expect_eq(nfront, n, "only the front");
    /* Best first, ties by candidate number. */
    for (size_t i = 2; i <= n; i++) {
        const char *key = deficit_objective ? "deficit_mean" : "benefit_mean";
        double a = num(t, i - 1, key), b = num(t, i, key);
        if (deficit_objective)
            a = -a, b = -b;
        cr_expect(a > b || (a == b && atol(t->cell[i - 1][0]) < atol(t->cell[i][0])),
                  "rows %zu and %zu out of order", i - 1, i);
    }
}

Test(optimize, front_is_the_nondominated_feasible_set)
{
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "2000", "-j", "2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    table t = parse(r.out);
    cr_assert_eq(t.n, 64);
    check_front(&t, "p_retaliation_china", NAN, NAN, NAN, 0, 0);
    table_free(&t);
    cli_free(&r);
}

Test(optimize, constraints_and_three_objectives)
{
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "2000", "-j", "2",
                           "--max-cost", "0.3", "--max-retaliation", "china=0.05",
                           "--min-deal", "0.08", "--objective", "deficit",
                           "--terms", "autos=0.1,0.2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    table t = parse(r.out);
    cr_assert_eq(t.n, 128);
    check_front(&t, "p_retaliation_china", 0.3, 0.05, 0.08, 1, 0);
    size_t feas = 0;
    for (size_t i = 1; i <= t.n; i++)
        feas += (size_t)num(&t, i, "feasible");
    cr_expect(feas > 0 && feas < t.n, "the constraints bind: %zu feasible", feas);
    table_free(&t);
    cli_free(&r);
}

Test(optimize, front_only_and_objective_deal)
{
    cli_result r = cli_run(dir, "optimize", TUTORIAL, "-n", "2000", "--front-only",
                           "--objective", "deal", "--item", "gas=0,0.5,1,2", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    table t = parse(r.out);
    cr_assert(t.n >= 1 && t.n < 8);
    for (size_t i = 1; i <= t.n; i++)
        cr_expect_eq(num(&t, i, "front"), 1);
    for (size_t i = 2; i <= t.n; i++)
        cr_expect(num(&t, i - 1, "p_deal") >= num(&t, i, "p_deal"));
    table_free(&t);
    cli_free(&r);
}

/* Every candidate ties (no deal is possible): none dominates another, so
 * every one is on the front, and the rows are in candidate order. */
Test(optimize, ties_are_all_on_the_front)
{
    cli_result r = cli_run(dir, "optimize", TUTORIAL, "-n", "500",
                           "--set", "protocol.rounds=1", "--set", "actors.leader.threshold=1000",
                           "--objective", "deficit", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    table t = parse(r.out);
    cr_assert_eq(t.n, 4);
    for (size_t i = 1; i <= t.n; i++) {
        cr_expect_eq(num(&t, i, "p_deal"), 0);
        cr_expect_eq(num(&t, i, "front"), 1);
        cr_expect_eq(atol(t.cell[i][0]), (long)i);
    }
    check_front(&t, "p_retaliation_rival", NAN, NAN, NAN, 1, 0);
    table_free(&t);
    cli_free(&r);
}

/* ---- determinism: threads and chunks ------------------------------------ */

Test(optimize, same_bytes_for_any_threads_and_chunks)
{
    cli_result a = cli_run(dir, "optimize", FULL, "-n", "9000", "-j", "1",
                           "--terms", "parts=0,0.05,0.1", NULL);
    cli_result b = cli_run(dir, "optimize", FULL, "-n", "9000", "-j", "2",
                           "--terms", "parts=0,0.05,0.1", NULL);
    setenv(CHUNK_ENV, "5", 1);
    cli_result c = cli_run(dir, "optimize", FULL, "-n", "9000", "-j", "2",
                           "--terms", "parts=0,0.05,0.1", NULL);
    setenv(CHUNK_ENV, "1", 1);
    cli_result d = cli_run(dir, "optimize", FULL, "-n", "9000", "-j", "3",
                           "--terms", "parts=0,0.05,0.1", NULL);
    unsetenv(CHUNK_ENV);
    cr_assert_eq(a.status, 0, "%s", a.err);
    cr_assert_eq(b.status, 0, "%s", b.err);
    cr_assert_eq(c.status, 0, "%s", c.err);
    cr_assert_eq(d.status, 0, "%s", d.err);
    cr_expect_str_eq(a.out, b.out);
    cr_expect_str_eq(a.out, c.out);
    cr_expect_str_eq(a.out, d.out);
    cr_expect(strstr(c.err, "12 candidates in 3 runs of 4") != NULL, "%s", c.err);
    cr_expect(strstr(d.err, "12 candidates in 12 runs of 1") != NULL, "%s", d.err);
    cli_free(&a);
    cli_free(&b);
    cli_free(&c);
    cli_free(&d);
}

/* ---- the table ----------------------------------------------------------- */

Test(optimize, table_of_the_front_fits_100_columns)
{
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "1000", "--format", "table",
                           "--terms", "autos=0.1,0.125", "--item", "lng=0,0.25,1", NULL);
    cli_result c = cli_run(dir, "optimize", JAPAN, "-n", "1000", "--front-only",
                           "--terms", "autos=0.1,0.125", "--item", "lng=0,0.25,1", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(c.status, 0, "%s", c.err);
    table t = parse(c.out);
    for (char *p = r.out; *p;) {
        char *e = strchr(p, '\n');
        cr_expect(e - p <= 100, "a line of %ld characters: %.*s", (long)(e - p), (int)(e - p), p);
        p = e + 1;
    }
    /* Every front member, and nothing else, is a line of the table. */
    for (size_t i = 1; i <= t.n; i++) {
        char needle[32];
        snprintf(needle, sizeof needle, "\nc%s ", t.cell[i][0]);
        cr_expect(strstr(r.out, needle) != NULL, "candidate %s in the table", t.cell[i][0]);
    }
    size_t lines = 0;
    for (char *p = strstr(r.out, "\nc"); p; p = strstr(p + 1, "\nc"))
        lines += p[2] >= '0' && p[2] <= '9';
    cr_expect_eq(lines, t.n);
    cr_expect(strstr(r.out, "autos@12.5%") || strstr(r.out, "autos@10%"));
    table_free(&t);
    cli_free(&r);
    cli_free(&c);
}

/* ---- bad arguments ------------------------------------------------------- */

Test(optimize, bad_arguments_exit_2_before_any_run)
{
    static const struct {
        const char *opt, *arg, *msg;
    } cases[] = {
        {"--item", "semi=0,1", "--item semi=0,1: unknown item 'semi' (did you mean 'semis'?)"},
        {"--item", "lng", "--item lng: expected ID=v1,v2,..."},
        {"--item", "lng=0,x", "--item lng=0,x: 'x' is not a number"},
        {"--item", "lng=0,,1", "--item lng=0,,1: an empty value in the list"},
        {"--item", "lng=-1,1", "--item lng=-1,1: an intensity must be >= 0, got -1"},
        {"--item", "lng=1,1.0", "--item lng=1,1.0: 1.0 is given twice"},
        {"--item", "lng=inf", "--item lng=inf: 'inf' is not a number"},
        {"--item", "lng=1e300", "--item lng=1e300: '1e300' is not a number"},
        {"--terms", "auto=0.1", "--terms auto=0.1: unknown line 'auto' (did you mean 'autos'?)"},
        {"--terms", "autos=-0.1", "--terms autos=-0.1: a tariff must be >= 0, got -0.1"},
        {"--terms", "=0.1", "--terms =0.1: expected LINE=t1,t2,..."},
        {"--max-cost", "cheap", "--max-cost: must be a number (bn/yr), got 'cheap'"},
        {"--min-deal", "1.5", "--min-deal 1.5: must be a probability in [0, 1], got '1.5'"},
        {"--max-retaliation", "chna=0.1",
         "--max-retaliation chna=0.1: unknown third party 'chna' (did you mean 'china'?)"},
        {"--max-retaliation", "china=2", "--max-retaliation china=2: must be a probability"},
        {"--max-retaliation", "china", "--max-retaliation china: expected Q=P"},
    };
    char out[1024];
    snprintf(out, sizeof out, "%s/o.csv", dir);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* 10^15 draws: a run would never end. */
        cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", cases[i].opt,
                               cases[i].arg, "-o", out, NULL);
        cr_expect_eq(r.status, 2, "%s %s: status %d", cases[i].opt, cases[i].arg, r.status);
        cr_expect(strstr(r.err, cases[i].msg) != NULL, "%s %s: %s", cases[i].opt,
                  cases[i].arg, r.err);
        cr_expect(!cli_exists(out));
        cli_free(&r);
    }
    /* Given twice. */
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--item", "lng=0",
                           "--item", "lng=1", "--terms", "autos=0.1", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--item lng=1: item 'lng' is given twice") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--terms", "autos=0.1",
                "--terms", "autos=0.2", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "line 'autos' is given twice") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--max-retaliation", "china=0.1",
                "--max-retaliation", "china=0.2", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "third party 'china' is given twice") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--objective", "benefits", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "did you mean 'benefit'") != NULL, "%s", r.err);
    cli_free(&r);
    setenv(CHUNK_ENV, "0", 1);
    r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", NULL);
    unsetenv(CHUNK_ENV);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, CHUNK_ENV " must be an integer in 1 ... 1024, got '0'") != NULL,
              "%s", r.err);
    cli_free(&r);
}

Test(optimize, a_tariff_above_one_warns_and_strict_refuses)
{
    cli_result r = cli_run(dir, "optimize", FULL, "-n", "100", "--terms", "autos=0.1,15",
                           NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "warning: --terms autos=15: a tariff above 1 (did you mean "
                            "0.15 for 15%?)") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "optimize", FULL, "-n", "1e15", "--strict", "--terms", "autos=0.1,15",
                NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "[strict]") != NULL, "%s", r.err);
    cli_free(&r);
}

Test(optimize, over_a_million_candidates_is_an_error_before_any_run)
{
    const char *ten = "=0,1,2,3,4,5,6,7,8,9";
    char a[6][64];
    const char *ids[] = {"minerals", "semis", "wafers", "lng", "alaska", "ships"};
    for (int i = 0; i < 6; i++)
        snprintf(a[i], sizeof a[i], "%s%s", ids[i], i < 5 ? ten : "=0,1,2,3,4,5,6,7,8,9,10");
    cli_result r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--item", a[0], "--item",
                           a[1], "--item", a[2], "--item", a[3], "--item", a[4], "--item",
                           a[5], NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "1100000 candidates") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "exceed the limit of 1000000") != NULL, "%s", r.err);
    cli_free(&r);
    /* Exactly the limit passes the count (and is refused after it, for a
     * tariff above 1 under --strict, so nothing runs). */
    a[5][strlen(a[5]) - 3] = '\0'; /* ships=0..9 */
    r = cli_run(dir, "optimize", JAPAN, "-n", "1e15", "--item", a[0], "--item", a[1],
                "--item", a[2], "--item", a[3], "--item", a[4], "--item", a[5],
                "--terms", "autos=15", "--strict", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "exceed") == NULL, "%s", r.err);
    cr_expect(strstr(r.err, "[strict]") != NULL, "%s", r.err);
    cli_free(&r);
}

/* A scenario whose correlation names a package's terms cannot have its
 * packages replaced: said before any run. */
Test(optimize, packages_in_a_correlation)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/corr.json", dir);
    char *text = cli_read_file(TUTORIAL, NULL);
    cJSON *root = cJSON_Parse(text);
    cJSON *pk = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "packages"), 0);
    cJSON *terms = cJSON_AddObjectToObject(pk, "terms");
    cJSON *d = cJSON_AddObjectToObject(terms, "cars");
    cJSON_AddStringToObject(d, "dist", "uniform");
    cJSON_AddNumberToObject(d, "min", 0.1);
    cJSON_AddNumberToObject(d, "max", 0.2);
    cJSON *corr = cJSON_Parse("[{\"id\":\"c\",\"dists\":[\"baseline_deficit\",\"x\"],"
                              "\"matrix\":[[1,0.5],[0.5,1]]}]");
    char p2[256];
    snprintf(p2, sizeof p2, "packages.%s.terms.cars",
             cJSON_GetObjectItem(pk, "id")->valuestring);
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(cJSON_GetArrayItem(corr, 0), "dists"), 1,
                             cJSON_CreateString(p2));
    cJSON_AddItemToObject(root, "correlations", corr);
    char *out = cJSON_Print(root);
    cli_write_file(path, out);
    cli_result v = cli_run(dir, "validate", path, NULL);
    cli_result r = cli_run(dir, "optimize", path, "-n", "1e15", NULL);
    cr_expect_eq(v.status, 0, "%s", v.err);
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "the candidates cannot replace the scenario's packages") != NULL,
              "%s", r.err);
    cr_expect(strstr(r.err, p2) != NULL, "%s", r.err);
    cli_free(&v);
    cli_free(&r);
    free(out);
    free(text);
    cJSON_Delete(root);
}

Test(optimize, output_file_and_help)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/o.csv", dir);
    cli_result r = cli_run(dir, "optimize", FULL, "-n", "100", "-o", out, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "wrote") != NULL, "%s", r.err);
    char *csv = slurp("o.csv");
    cr_expect(strncmp(csv, "candidate,semis,lng,feasible,front,strategy,draws,", 50) == 0,
              "%s", csv);
    free(csv);
    cli_free(&r);
    /* An output that is the scenario is refused. */
    r = cli_run(dir, "optimize", FULL, "-o", FULL, NULL);
    cr_expect_eq(r.status, 2);
    cli_free(&r);
    r = cli_run(dir, "help", "optimize", NULL);
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "--max-retaliation") != NULL);
    cr_expect(strstr(r.out, "Pareto front") != NULL);
    cli_free(&r);
}

/* An outcome that cannot be summarised stops the search (exit 1), naming
 * the draw and the candidate, and writes nothing. */
Test(optimize, outcome_beyond_range_names_the_candidate)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/o.csv", dir);
    cli_result r = cli_run(dir, "optimize", FULL, "-n", "100", "--set",
                           "lines.autos.current=1e11", "--set", "lines.autos.elasticity=20",
                           "--set", "lines.autos.tariff_burden=0", "-o", out, NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "dealsim optimize: draw 0: deficit is ") != NULL, "%s", r.err);
    cr_expect(strstr(r.err, "for strategy 'c1'") != NULL, "%s", r.err);
    cr_expect(!cli_exists(out));
    cli_free(&r);
}

/* A full disk: exit 1, the file and the reason named. */
Test(optimize, write_errors)
{
    cli_result r = cli_run_to(dir, "/dev/full", "optimize", FULL, "-n", "100", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "No space left on device") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run_to(dir, "/dev/full", "optimize", FULL, "-n", "100", "--format", "table", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "No space left on device") != NULL, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "optimize", FULL, "-n", "100", "-o", "/dev/full", NULL);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "/dev/full") != NULL, "%s", r.err);
    cli_free(&r);
}

/* Ctrl-C: status 130, no file. */
Test(optimize, interrupted_leaves_no_file)
{
    char out[1024];
    char *argv[64];
    snprintf(out, sizeof out, "%s/o.csv", dir);
    argv[0] = (char *)DS_BIN;
    argv[1] = "optimize";
    argv[2] = (char *)JAPAN;
    argv[3] = "-n";
    argv[4] = "1e9";
    argv[5] = "-o";
    argv[6] = out;
    argv[7] = NULL;
    pid_t pid = cli_start(dir, argv);
    cli_sleep_ms(1500);
    kill(pid, SIGINT);
    int timed_out;
    cli_result r = cli_wait_timeout(dir, pid, 60, &timed_out);
    cr_expect(!timed_out);
    cr_expect_eq(r.status, 130, "%s", r.err);
    cr_expect(!cli_exists(out));
    cli_free(&r);
}

/* ---- the library -------------------------------------------------------- */

#include "dealsim/optimize.h"
#include "dealsim/scenario.h"

/* ds_optimize without the command line: the order of calls is checked,
 * the figures of each candidate are those of the CSV, and a
 * DS_OPTIMIZE_CHUNK_CACHE cap and the thread count size the chunks. */
Test(optimize, library)
{
    ds_report rep;
    ds_scenario *sc;
    ds_model *m = NULL;
    ds_optimize *o = NULL;
    ds_optimize_spec sp;
    ds_run_opts ro;
    ds_error err;
    const char *terms[] = {"autos=0.1,0.2,0.3"};
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    ds_report_init(&rep);
    sc = ds_scenario_load(FULL, &rep);
    cr_assert_not_null(sc);
    cr_assert_eq(ds_scenario_build(sc, &m, &rep), DS_OK);
    memset(&sp, 0, sizeof sp);
    sp.terms = terms;
    sp.n_terms = 1;
    sp.threads = 2;
    cr_assert_eq(ds_optimize_new(sc, m, &sp, 0, &o, NULL, &rep, &err), DS_OK, "%s", err.msg);
    cr_expect_eq(ds_optimize_candidates(o), 12);
    cr_expect_eq(ds_optimize_chunks(o), 1);
    cr_expect_eq(ds_optimize_chunk_size(o), 12);
    f = open_memstream(&buf, &len);
    cr_expect_eq(ds_optimize_csv(o, f, "mem", &err), DS_EINVAL); /* not run yet */
    cr_expect_eq(ds_optimize_table(o, f, "mem", &err), DS_EINVAL);
    memset(&ro, 0, sizeof ro);
    ro.draws = 3000;
    ro.seed = 5;
    ro.threads = 2;
    cr_assert_eq(ds_optimize_run(o, &ro, &err), DS_OK, "%s", err.msg);
    cr_expect_eq(ds_optimize_run(o, &ro, &err), DS_EINVAL); /* once only */
    cr_assert_eq(ds_optimize_csv(o, f, "mem", &err), DS_OK, "%s", err.msg);
    fclose(f);
    table t = parse(buf);
    cr_assert_eq(t.n, 12);
    for (size_t i = 1; i <= t.n; i++) {
        size_t c = (size_t)atol(t.cell[i][0]) - 1;
        cr_expect_eq(ds_optimize_feasible(o, c), 1);
        cr_expect_eq(ds_optimize_on_front(o, c), (int)num(&t, i, "front"));
    }
    cr_expect_eq(ds_optimize_feasible(o, 12), 0);
    cr_expect_eq(ds_optimize_on_front(o, 12), 0);
    table_free(&t);
    free(buf);
    ds_optimize_free(o);

    /* Without a chunk size: at most DS_OPTIMIZE_CHUNK_CACHE candidates per
     * chunk, in chunks of equal size. */
    {
        const char *items[] = {"semis=0,1,2,3,4,5,6,7,8,9", "lng=0,1,2,3,4,5,6,7,8,9,10"};
        memset(&sp, 0, sizeof sp);
        sp.items = items;
        sp.n_items = 2;
        sp.threads = 1;
        cr_assert_eq(ds_optimize_new(sc, m, &sp, 0, &o, NULL, &rep, &err), DS_OK, "%s", err.msg);
        cr_expect_eq(ds_optimize_candidates(o), 110);
        cr_expect_eq(ds_optimize_chunks(o), 1);
        ds_optimize_free(o);
        items[0] = "semis=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14";
        cr_assert_eq(ds_optimize_new(sc, m, &sp, 0, &o, NULL, &rep, &err), DS_OK, "%s", err.msg);
        cr_expect_eq(ds_optimize_candidates(o), 165);
        cr_expect_eq(ds_optimize_chunks(o), 2);
        cr_expect_eq(ds_optimize_chunk_size(o), 83);
        cr_expect(ds_optimize_chunk_size(o) <= DS_OPTIMIZE_CHUNK_CACHE);
        ds_optimize_free(o);
    }
    ds_optimize_free(NULL);
    ds_model_free(m);
    ds_scenario_free(sc);
    ds_report_free(&rep);
}
