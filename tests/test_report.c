/*
 * test_report.c - the HTML report (sim/report.c, sim/cli_report.c): what
 * the page holds and in which order, escaping of everything a scenario or
 * an input file names, the checks of sweep and optimize files (each
 * message naming the file and line), byte-identical pages for any -j, and
 * the command's bad arguments and failures.  The page's well-formedness is
 * checked by tests/report_html.py, its rendering by tests/browser_report.py.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dealsim/csv.h"
#include "dealsim/report.h"
#include "dealsim/run.h"
#include "dealsim/scenario.h"
#include "model_util.h"

#define DATA DS_TEST_DIR "/data/report/"

/* A scenario whose texts need escaping: markup, quotes, ampersands,
 * non-ASCII (kept as it is), and a strategy that can never make a deal. */
static const char *const TRICKY =
    "{\"dealsim\": 2, \"name\": \"Talks <b>&</b> \\\"quotes\\\"\",\n"
    " \"description\": \"Japan\xE2\x80\x93US \xE6\x97\xA5\xE7\xB1\xB3 <script>alert(1)</script>\",\n"
    " \"sources\": [{\"id\": \"s&1\", \"text\": \"Rock & <roll> 'x'\"}],\n"
    " \"baseline_deficit\": 60, \"elasticity\": 1.5,\n"
    " \"home\": {\"name\": \"Japan\", \"tariff_burden\": 0.5, \"margin\": {\"dist\": \"uniform\", "
    "\"min\": 0.1, \"max\": 0.3}},\n"
    " \"counterpart\": {\"name\": \"US\"},\n"
    " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025, \"no_deal\": 0.25,"
    " \"deal\": 0.15}],\n"
    " \"items\": [{\"id\": \"lng\", \"deficit_effect\": -8, \"cost\": 1}],\n"
    " \"packages\": [{\"id\": \"none\", \"items\": {}},\n"
    "   {\"id\": \"gas\", \"items\": {\"lng\": 1}}],\n"
    " \"strategies\": [{\"id\": \"none\", \"label\": \"Nothing <at all> & \\\"never\\\"\","
    " \"offers\": [\"none\"]},\n"
    "   {\"id\": \"gas\", \"label\": \"Gas \xE2\x80\x94 \xC3\xA9nergie 'LNG'\", \"offers\": [\"gas\"]}],\n"
    " \"actors\": [{\"id\": \"trump\", \"label\": \"President <T>\", \"role\": \"decider\","
    " \"weights\": {\"deficit\": 1},\n"
    "   \"threshold\": {\"dist\": \"uniform\", \"min\": 0.05, \"max\": 0.2}, \"noise\": 0.05}],\n"
    " \"protocol\": {\"rounds\": 2}}\n";

static ds_stats *run(const ds_model *m, uint64_t draws, int threads)
{
    ds_run_opts o;
    ds_stats *s = NULL;
    ds_error err = {0};
    memset(&o, 0, sizeof o);
    o.draws = draws;
    o.seed = 3;
    o.threads = threads;
    cr_assert_eq(ds_run(m, &o, &s, &err), DS_OK, "%s", err.msg);
    return s;
}

static ds_csv *csv_text(const char *name, const char *text)
{
    ds_csv *c = NULL;
    ds_error err = {0};
    cr_assert_eq(ds_csv_parse(name, text, strlen(text), &c, &err), DS_OK, "%s", err.msg);
    return c;
}

static ds_csv *csv_file(const char *path)
{
    ds_csv *c = NULL;
    ds_error err = {0};
    cr_assert_eq(ds_csv_read(path, &c, &err), DS_OK, "%s", err.msg);
    return c;
}

/* The page of model m (draws draws on `threads` threads) with the inputs
 * in *in (m, s, meta filled here); caller frees. */
static char *page(const ds_model *m, uint64_t draws, int threads, ds_report_page *in)
{
    ds_stats *s = run(m, draws, threads);
    ds_run_meta meta = {"t.json", "abc123", 3, draws};
    ds_error err = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert(f);
    in->m = m;
    in->s = s;
    in->meta = &meta;
    cr_assert_eq(ds_report_page_write(in, f, &err), DS_OK, "%s", err.msg);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(strlen(buf), len, "a NUL in the page");
    ds_stats_free(s);
    return buf;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

#define CHARTS(html) count(html, "<svg class=\"chart\"")

Test(report, texts_are_escaped_and_utf8_kept)
{
    ds_model *m = test_model_text(TRICKY);
    ds_report_page in = {0};
    char *h = page(m, 2000, 1, &in);

    cr_expect(strstr(h, "<h1>Talks &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot;</h1>"), "%.400s", h);
    cr_expect(strstr(h, "<title>Talks &lt;b&gt;&amp;&lt;/b&gt; &quot;quotes&quot; "));
    cr_expect(strstr(h, "Japan\xE2\x80\x93US \xE6\x97\xA5\xE7\xB1\xB3 &lt;script&gt;alert(1)"
                        "&lt;/script&gt;"));
    cr_expect(strstr(h, "<b>s&amp;1</b>: Rock &amp; &lt;roll&gt; &#39;x&#39;"));
    cr_expect(strstr(h, "Nothing &lt;at all&gt; &amp; &quot;never&quot;"));
    cr_expect(strstr(h, "Gas \xE2\x80\x94 \xC3\xA9nergie &#39;LNG&#39;"));
    cr_expect(strstr(h, "President &lt;T&gt;"));
    /* Nothing that runs or loads: no script, no source, no link. */
    cr_expect(!strstr(h, "<script"));
    cr_expect(!strstr(h, "src="));
    cr_expect(!strstr(h, "<link"));
    cr_expect(!strstr(h, "<b>&"));
    cr_expect(strstr(h, "Content-Security-Policy\" content=\"default-src 'none'"));
    free(h);
    ds_model_free(m);
}

Test(report, sections_in_order)
{
    static const char *const ids[] = {
        "<h1>",         "id=\"sources\"",     "id=\"summary\"",     "id=\"p-deal\"",
        "id=\"rounds\"", "id=\"distributions\"", "id=\"given-deal\"", "id=\"approvals\"",
        "id=\"retaliation\"", "id=\"drivers\"", "id=\"sweep\"",     "id=\"optimize\""};
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/full.json");
    ds_csv *sw = csv_file(DATA "sweep1.csv"), *op = csv_file(DATA "optimize.csv");
    ds_report_page in = {0};
    char *h;
    const char *prev;

    in.sweep = sw;
    in.optimize = op;
    h = page(m, 3000, 2, &in);
    prev = h;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const char *at = strstr(h, ids[i]);
        cr_expect(at && at >= prev, "%s missing or out of order", ids[i]);
        if (at)
            prev = at;
    }
    /* Every chart is a numbered figure with a title, a text alternative
     * and its numbers. */
    cr_expect_eq(CHARTS(h), count(h, "<figure class=\"fig\""));
    cr_expect_eq(CHARTS(h), count(h, "<desc id=\"c"));
    cr_expect_geq(count(h, "<summary>Numbers</summary>"), CHARTS(h) - 3);
    cr_expect(strstr(h, "Figure 1. P(deal) by strategy.</b>"));
    /* The summary's rows: every strategy, by label. */
    for (size_t k = 0; k < m->n_strategies; k++) {
        char row[512];
        snprintf(row, sizeof row, "<tr><th scope=\"row\">%s</th>",
                 m->strategies[k].label ? m->strategies[k].label : m->strategies[k].id);
        cr_expect(strstr(h, row), "%s", row);
    }
    /* No generation time unless given; contents with links to the
     * sections, the sweep's and optimize file's included. */
    cr_expect(!strstr(h, "Generated"));
    cr_expect(strstr(h, "<a href=\"#sweep\">") && strstr(h, "<a href=\"#optimize\">") &&
              strstr(h, "<a href=\"#p-deal\">"));
    free(h);
    ds_csv_free(sw);
    ds_csv_free(op);
    ds_model_free(m);
}

Test(report, charts_of_the_builtin_scenario)
{
    ds_report rep;
    ds_model *m;
    ds_report_page in = {0};
    char *h;

    ds_report_init(&rep);
    m = test_build(ds_scenario_parse("b.json", ds_builtin_scenario, ds_builtin_scenario_len,
                                     &rep),
                   &rep, "built-in");
    in.generated = "2026-01-02 03:04 UTC";
    in.no_tornado = "Left out <here>.";
    h = page(m, 2000, 2, &in);
    /* P(deal), rounds, deficit year 1, year H (horizon 3), benefit,
     * benefit given a deal, losses, approvals, retaliation. */
    cr_expect_eq(CHARTS(h), 9);
    cr_expect(strstr(h, "<dt>Generated</dt><dd>2026-01-02 03:04 UTC</dd>"));
    cr_expect(strstr(h, "Left out &lt;here&gt;."));
    cr_expect(strstr(h, "Deficit in the last year of the horizon"));
    /* Quantile marks on every histogram panel: 4 charts x 12 strategies. */
    cr_expect_geq(count(h, ">50%"), 4 * 12 - 12); /* given a deal: some have none */
    /* The extension's deals are right of a deadline line. */
    cr_expect(strstr(h, ">deadline</text>"));
    free(h);
    ds_model_free(m);
}

Test(report, minimal_scenario_notes)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/minimal.json");
    ds_report_page in = {0};
    char *h = page(m, 500, 1, &in);
    cr_expect(strstr(h, "The scenario lists no sources."));
    cr_expect(!strstr(h, "href=\"#sweep\""));
    cr_expect(strstr(h, "The horizon is one year"));
    cr_expect(strstr(h, "The scenario has no third parties."));
    cr_expect(strstr(h, "were not computed for this report"));
    /* P(deal), rounds, deficit, benefit, benefit given a deal, losses,
     * approvals. */
    cr_expect_eq(CHARTS(h), 7);
    free(h);
    ds_model_free(m);
}

Test(report, strategy_without_a_deal)
{
    /* The threshold is out of reach: no deal, ever. */
    ds_model *m = test_model_text(
        "{\"dealsim\": 1, \"name\": \"never\", \"baseline_deficit\": 60, \"elasticity\": 1,\n"
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n"
        " \"lines\": [{\"id\": \"a\", \"exports\": 50, \"current\": 0, \"no_deal\": 0.25,"
        " \"deal\": 0.15}],\n"
        " \"packages\": [{\"id\": \"p\", \"items\": {}}],\n"
        " \"actors\": [{\"id\": \"t\", \"role\": \"decider\", \"weights\": {\"deficit\": 1},"
        " \"threshold\": 5}],\n"
        " \"third_parties\": [{\"id\": \"cn\", \"retaliation\": {\"base\": 0, \"slope\": 1},"
        " \"cost_per_exposure\": 1}],\n"
        " \"protocol\": {\"rounds\": 1}}\n");
    ds_report_page in = {0};
    char *h = page(m, 300, 1, &in);
    cr_expect(strstr(h, ">no deal in any draw</text>"));
    cr_expect(strstr(h, ">n/a</text>"), "a missing P(loss | deal) is shown as n/a");
    cr_expect(strstr(h, "<td>n/a</td>"));
    free(h);
    ds_model_free(m);
}

Test(report, tornadoes)
{
    static const char *const inputs[] = {"actors.trump.threshold", "home.margin <&>"};
    static const double low[] = {0.9, 0.4}, high[] = {0.1, 0.6};
    ds_model *m = test_model_text(TRICKY);
    ds_report_tornado t[2] = {
        {1, "deal", "fraction", 0.5, 2, inputs, low, high},
        {1, "benefit", "bn/yr", -1.5, 1, inputs, low, high},
    };
    ds_report_page in = {0};
    char *h;
    in.tornado = t;
    in.n_tornado = 2;
    h = page(m, 500, 1, &in);
    cr_expect(strstr(h, "What drives P(deal): Gas \xE2\x80\x94 \xC3\xA9nergie &#39;LNG&#39;"));
    cr_expect(strstr(h, "What drives the benefit: Gas"));
    cr_expect(strstr(h, "<td>home.margin &lt;&amp;&gt;</td><td>0.4</td><td>0.6</td>"
                        "<td>0.2</td>"),
              "%s", strstr(h, "home.margin") ? strstr(h, "home.margin") : h);
    cr_expect(strstr(h, ">P(deal) (fraction)</text>"));
    cr_expect(strstr(h, ">benefit (bn/yr)</text>"));
    cr_expect(!strstr(h, "were not computed"));
    free(h);
    ds_model_free(m);
}

/* ---- sweep files ------------------------------------------------------- */

static const char *const SWEEP_HEAD =
    "point,x,strategy,draws,p_deal,p_deal_se,deficit_mean,deficit_se,benefit_mean,benefit_se\n";

static void expect_sweep_error(const char *text, const char *want)
{
    ds_csv *c = csv_text("s.csv", text);
    ds_error err = {0};
    cr_expect_eq(ds_report_sweep_check(c, &err), DS_EINVAL, "accepted:\n%s", text);
    cr_expect_str_eq(err.msg, want);
    ds_csv_free(c);
}

Test(report, sweep_file_checks)
{
    char t[1024];
    expect_sweep_error("strategy,p_deal\na,0.5\n",
                       "s.csv:1: error: the first column must be 'point' (a CSV written by "
                       "`dealsim sweep`)");
    expect_sweep_error("point,x,p_deal\n1,2,0.5\n", "s.csv:1: error: no column 'strategy'");
    expect_sweep_error("point,strategy,p_deal\n1,a,0.5\n",
                       "s.csv:1: error: no varied path between 'point' and 'strategy'");
    expect_sweep_error("point,x,strategy,p_deal,p_deal_se\n1,2,a,0.5,0.1\n",
                       "s.csv:1: error: no column 'deficit_mean'");
    expect_sweep_error("point,x,strategy,p_deal,deficit_mean\n1,2,a,0.5,0.1\n",
                       "s.csv:1: error: no column 'p_deal_se'");
    snprintf(t, sizeof t, "%s", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:1: error: no rows");
    snprintf(t, sizeof t, "%s1,0.1,a,10,0.5,0.1,60,1,2,0.5\n\n2,0.2,a,10,high,0.1,60,1,2,0.5\n",
             SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:4: error: column 'p_deal': 'high' is not a number");
    snprintf(t, sizeof t, "%sx,0.1,a,10,0.5,0.1,60,1,2,0.5\n", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:2: error: column 'point': 'x' is not a number");
    snprintf(t, sizeof t, "%s1,0.1,,10,0.5,0.1,60,1,2,0.5\n", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:2: error: column 'strategy' is empty");
    snprintf(t, sizeof t, "%s1,0.1,a,10,0.5,0.1,60,-1,2,0.5\n", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:2: error: column 'deficit_se': -1 is negative");
    snprintf(t, sizeof t, "%s1,0.1,a,10,0.5,0.1,60,1,inf,0.5\n", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:2: error: column 'benefit_mean': 'inf' is not a number");
    snprintf(t, sizeof t, "%s1,0.1,a,10,0.5,0.1,60,1,2,\n", SWEEP_HEAD);
    expect_sweep_error(t, "s.csv:2: error: column 'benefit_se': '' is not a number");
}

/* A sweep with two strategies, made up: paths x (1), x and y (2), x, y
 * and z (3), or x and a y that is no number (4); on a grid of x and y
 * values, or (grid 0) with x never repeated. */
static ds_csv *sweep_made(int paths, int grid)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int point = 0;
    ds_csv *c;
    fprintf(f, "point,x%s%s,strategy,label,draws,p_deal,p_deal_se,deficit_mean,deficit_se,"
               "benefit_mean,benefit_se\n",
            paths > 1 ? ",y <b>" : "", paths == 3 ? ",z" : "");
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < (paths > 1 ? 3 : 1); j++) {
            point++;
            for (int k = 0; k < 2; k++) {
                fprintf(f, "%d,%g", point, 0.1 * i + (grid ? 0 : 0.01 * j));
                if (paths > 1)
                    fprintf(f, ",%s", paths == 4 ? "word" : j == 0 ? "1" : j == 1 ? "2" : "5");
                if (paths == 3)
                    fprintf(f, ",%d", point);
                /* P(deal) from 0.001 to 0.999: its +-2 SE band would
                 * leave [0, 1]. */
                fprintf(f, ",s%d,%s,100,%g,0.02,%g,0.5,%g,0.2\n", k, k ? "Second <2>" : "",
                        i == 0 ? 0.001 : i == 3 ? 0.999 : 0.2 + 0.1 * i - 0.05 * k,
                        60.0 - i + j, -1.0 + i * 0.5 + j);
            }
        }
    fclose(f);
    c = csv_text("made.csv", buf);
    free(buf);
    return c;
}

static char *sweep_page(ds_csv *c)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/minimal.json");
    ds_report_page in = {0};
    ds_error err = {0};
    char *h;
    cr_assert_eq(ds_report_sweep_check(c, &err), DS_OK, "%s", err.msg);
    in.sweep = c;
    h = page(m, 200, 1, &in);
    ds_model_free(m);
    ds_csv_free(c);
    return h;
}

Test(report, sweep_one_path_lines_and_bands)
{
    char *h = sweep_page(csv_file(DATA "sweep1.csv"));
    /* 7 charts of the run + one per metric. */
    cr_expect_eq(CHARTS(h), 7 + 3);
    cr_expect(strstr(h, "p_deal against actors.trump.threshold"));
    cr_expect(strstr(h, "benefit_mean against actors.trump.threshold"));
    cr_expect_geq(count(h, "<polygon class=\"bd s"), 3 * 12);
    cr_expect_geq(count(h, "<polyline class=\"ln s"), 3 * 12);
    free(h);
}

Test(report, sweep_two_paths_small_multiples)
{
    char *h = sweep_page(sweep_made(2, 1));
    /* Per metric, one chart per path: the other path's values as panels. */
    cr_expect_eq(CHARTS(h), 7 + 6);
    cr_expect(strstr(h, "p_deal against y &lt;b&gt;"));
    cr_expect(strstr(h, ">y &lt;b&gt; = 5</text>"));
    cr_expect(strstr(h, ">x = 0.3</text>"));
    cr_expect(strstr(h, ">Second &lt;2&gt;</text>"), "labels from the file's label column");
    cr_expect(strstr(h, ">s0</text>"), "the id without a label");
    /* The bands of P(deal) stay within [0, 1]: no tick below 0 or above 1
     * in its charts. */
    for (const char *c = h; (c = strstr(c, "<figcaption><b>Figure ")); c++) {
        const char *end = strstr(c, "</figure>");
        char *fig;
        cr_assert(end);
        if (strncmp(strstr(c, ". ") + 2, "p_deal against", 14) != 0)
            continue;
        fig = strndup(c, (size_t)(end - c));
        cr_expect(!strstr(fig, ">-0.") && !strstr(fig, ">1.5</text>") &&
                      !strstr(fig, ">1.2</text>"),
                  "%s", fig);
        free(fig);
    }
    free(h);
}

Test(report, sweep_off_a_grid_points_with_whiskers)
{
    char *h = sweep_page(sweep_made(2, 0));
    /* x takes 12 values, each with one y: not a grid; points, no lines. */
    cr_expect_eq(CHARTS(h), 7 + 6);
    cr_expect_eq(count(h, "<polyline class=\"ln s"), 0);
    cr_expect_geq(count(h, "<path class=\"wh s"), 6 * 24);
    free(h);
    h = sweep_page(sweep_made(3, 1));
    cr_expect_eq(CHARTS(h), 7 + 9);
    cr_expect_eq(count(h, "<polyline class=\"ln s"), 0);
    free(h);
}

Test(report, sweep_path_that_is_no_number)
{
    char *h = sweep_page(sweep_made(4, 1));
    cr_expect(strstr(h, "Not drawn: <code>y &lt;b&gt;</code>"));
    /* x alone is drawn, off a grid (y varies too). */
    cr_expect_eq(CHARTS(h), 7 + 3);
    free(h);
}

/* ---- optimize files ---------------------------------------------------- */

static void expect_optimize_error(const char *text, const char *want)
{
    ds_csv *c = csv_text("o.csv", text);
    ds_error err = {0};
    cr_expect_eq(ds_report_optimize_check(c, &err), DS_EINVAL, "accepted:\n%s", text);
    cr_expect_str_eq(err.msg, want);
    ds_csv_free(c);
}

Test(report, optimize_file_checks)
{
    const char *h = "candidate,lng,feasible,front,strategy,p_deal,benefit_mean\n";
    char t[512];
    expect_optimize_error("candidate,p_deal,benefit_mean,feasible\n1,0.5,1,1\n",
                          "o.csv:1: error: no column 'front' (a CSV written by `dealsim "
                          "optimize` has candidate, p_deal, benefit_mean, feasible and front)");
    expect_optimize_error(h, "o.csv:1: error: no rows");
#define ROW(rows) (snprintf(t, sizeof t, "%s%s", h, rows), t)
    expect_optimize_error(ROW("1,1,1,1,c1,0.5,1\n0,1,1,0,c2,0.5,1\n"),
                          "o.csv:3: error: column 'candidate': '0' is not a positive integer");
    expect_optimize_error(ROW("1.5,1,1,1,c1,0.5,1\n"),
                          "o.csv:2: error: column 'candidate': '1.5' is not a positive integer");
    expect_optimize_error(ROW("one,1,1,1,c1,0.5,1\n"),
                          "o.csv:2: error: column 'candidate': 'one' is not a number");
    expect_optimize_error(ROW("1,1,1,1,c1,1.5,1\n"),
                          "o.csv:2: error: column 'p_deal': 1.5 is not in [0, 1]");
    expect_optimize_error(ROW("1,1,1,1,c1,x,1\n"),
                          "o.csv:2: error: column 'p_deal': 'x' is not a number");
    expect_optimize_error(ROW("1,1,1,1,c1,0.5,nan\n"),
                          "o.csv:2: error: column 'benefit_mean': 'nan' is not a number");
    expect_optimize_error(ROW("1,1,yes,1,c1,0.5,1\n"),
                          "o.csv:2: error: column 'feasible': 'yes' is not 0 or 1");
    expect_optimize_error(ROW("1,1,1,2,c1,0.5,1\n"),
                          "o.csv:2: error: column 'front': '2' is not 0 or 1");
    expect_optimize_error(ROW("1,1,0,1,c1,0.5,1\n"),
                          "o.csv:2: error: a candidate on the front must be feasible");
#undef ROW
    {
        ds_csv *c = csv_text("o.csv", "candidate,p_deal,benefit_mean,feasible,front\n"
                                      "1,0.5,1,true,true\n2,0.2,3,false,false\n");
        ds_error err = {0};
        cr_expect_eq(ds_report_optimize_check(c, &err), DS_OK, "%s", err.msg);
        ds_csv_free(c);
    }
}

Test(report, optimize_front_drawn_and_labelled)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/minimal.json");
    ds_csv *c = csv_file(DATA "optimize.csv");
    ds_report_page in = {0};
    char *h;
    in.optimize = c;
    h = page(m, 200, 1, &in);
    cr_expect_eq(CHARTS(h), 7 + 1);
    cr_expect(strstr(h, "10 candidates, 9 feasible, 3 on the Pareto front."));
    /* The front: a line through its members, each labelled by number. */
    cr_expect(strstr(h, "<polyline class=\"ln s1\""));
    cr_expect(strstr(h, ">#7</text>") && strstr(h, ">#9</text>") && strstr(h, ">#8</text>"));
    cr_expect(strstr(h, "<title>candidate 9: P(deal) "));
    /* The table lists the front with its items. */
    cr_expect(strstr(h, "<th scope=\"col\">minerals</th>"));
    free(h);
    ds_csv_free(c);
    ds_model_free(m);
}

Test(report, optimize_many_candidates)
{
    /* More candidates than are drawn: the best ones and the whole front. */
    char *buf = NULL;
    size_t len = 0, n = DS_REPORT_MAX_CANDIDATES + 50;
    FILE *f = open_memstream(&buf, &len);
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/minimal.json");
    ds_report_page in = {0};
    ds_csv *c;
    char *h;
    fputs("candidate,p_deal,benefit_mean,feasible,front\n", f);
    for (size_t i = 1; i <= n; i++)
        fprintf(f, "%zu,%g,%g,%d,%d\n", i, (double)(i % 100) / 100, 10.0 - (double)i / 1000,
                i % 3 != 0, i == n);
    fclose(f);
    c = csv_text("many.csv", buf);
    free(buf);
    in.optimize = c;
    h = page(m, 100, 1, &in);
    cr_expect(strstr(h, "The chart shows the best candidates"));
    /* Feasible points drawn (every third is not), and one in the legend. */
    cr_expect_eq(count(h, "class=\"mk s0 ho\""), DS_REPORT_MAX_CANDIDATES -
                                                    DS_REPORT_MAX_CANDIDATES / 3 + 1);
    cr_expect(strstr(h, ">#10050</text>"), "the front's member beyond the cap");
    free(h);
    ds_csv_free(c);
    ds_model_free(m);
}

/* ---- the same bytes, and failures --------------------------------------- */

Test(report, same_bytes_for_any_threads)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/full.json");
    ds_report_page in = {0};
    char *a, *b;
    a = page(m, 9000, 1, &in);
    b = page(m, 9000, 2, &in);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
    ds_model_free(m);
}

Test(report, write_failure_is_reported)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/good/minimal.json");
    ds_stats *s = run(m, 100, 1);
    ds_run_meta meta = {"t.json", "abc", 1, 100};
    ds_report_page in = {0};
    ds_error err = {0};
    FILE *f = fopen("/dev/full", "w");
    cr_assert(f);
    in.m = m;
    in.s = s;
    in.meta = &meta;
    cr_expect_eq(ds_report_page_write(&in, f, &err), DS_EIO);
    cr_expect(strstr(err.msg, "cannot write: No space left on device"), "%s", err.msg);
    fclose(f);
    ds_stats_free(s);
    ds_model_free(m);
}

/* ---- the command -------------------------------------------------------- */

static char *dir;

static void setup(void)
{
    dir = cli_tmpdir();
}

static void teardown(void)
{
    cli_rmdir(dir);
}

static void write_text(const char *name, const char *text)
{
    char path[1024];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
}

/* dir/name, in one of a few rotating buffers. */
static const char *at(const char *name)
{
    static char buf[8][1024];
    static int i;
    i = (i + 1) % 8;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static int exists(const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

TestSuite(report_cli, .init = setup, .fini = teardown, .timeout = 300);

Test(report_cli, same_bytes_for_j1_and_j2)
{
    cli_result r1 = cli_run(dir, "report", "-n", "5000", "-j", "1", "--no-timestamp", "-o",
                            at("a.html"), "--sweep", DATA "sweep1.csv", "--optimize",
                            DATA "optimize.csv", NULL);
    cli_result r2 = cli_run(dir, "report", "-n", "5000", "-j", "2", "--no-timestamp", "-q",
                            "-o", at("b.html"), "--sweep", DATA "sweep1.csv", "--optimize",
                            DATA "optimize.csv", NULL);
    char pa[1024], pb[1024], *a, *b;
    size_t la, lb;
    cr_assert_eq(r1.status, 0, "%s", r1.err);
    cr_assert_eq(r2.status, 0, "%s", r2.err);
    cr_expect(strstr(r1.err, "dealsim report: wrote ") && strstr(r1.err, "/a.html\n"), "%s",
              r1.err);
    cr_expect_str_eq(r2.err, "");
    snprintf(pa, sizeof pa, "%s/a.html", dir);
    snprintf(pb, sizeof pb, "%s/b.html", dir);
    a = cli_read_file(pa, &la);
    b = cli_read_file(pb, &lb);
    cr_assert(a && b);
    cr_expect_eq(la, lb);
    cr_expect(la == lb && memcmp(a, b, la) == 0, "the pages differ");
    cr_expect(!strstr(a, "Generated"));
    cr_expect(strstr(a, "<dd>" DS_BUILTIN_NAME "</dd>"));
    cr_expect_lt(la, (size_t)2 << 20, "larger than 2 MiB");
    free(a);
    free(b);
    cli_free(&r1);
    cli_free(&r2);
}

Test(report_cli, timestamp_by_default)
{
    cli_result r = cli_run(dir, "report", "-n", "200", "-q", "-o", at("t.html"),
                           DS_TEST_DIR "/data/good/minimal.json", NULL);
    char p[1024], *h;
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(p, sizeof p, "%s/t.html", dir);
    h = cli_read_file(p, NULL);
    cr_assert(h);
    cr_expect(strstr(h, "<dt>Generated</dt><dd>20"), "no generation time");
    cr_expect(strstr(h, " UTC</dd>"));
    /* minimal.json has no uncertain inputs: no tornado, and the page says
     * why. */
    cr_expect(strstr(h, "The scenario has no uncertain inputs"));
    free(h);
    cli_free(&r);
    r = cli_run(dir, "report", "-n", "200", "-q", "-o", at("u.html"), "--no-sensitivity",
                DS_TEST_DIR "/data/good/minimal.json", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    snprintf(p, sizeof p, "%s/u.html", dir);
    h = cli_read_file(p, NULL);
    cr_expect(h && strstr(h, "Left out (--no-sensitivity)."));
    free(h);
    cli_free(&r);
}

/* exit status and stderr of a command line that must fail before any
 * output is written. */
#define EXPECT_FAIL(status_, msg_, ...)                                         \
    do {                                                                        \
        cli_result r_ = cli_run(dir, "report", __VA_ARGS__, NULL);              \
        cr_expect_eq(r_.status, status_, "exit %d: %s", r_.status, r_.err);     \
        cr_expect(strstr(r_.err, msg_), "stderr: %s\nexpected: %s", r_.err, msg_); \
        cr_expect(!exists("out.html"), "an output was left");                   \
        cli_free(&r_);                                                          \
    } while (0)

/* The tornadoes are the sensitivity of the same draws: the page's numbers
 * are those `dealsim sensitivity` writes for the same seed and draws. */
Test(report_cli, tornadoes_are_the_sensitivity_of_the_same_draws)
{
    cli_result r = cli_run(dir, "report", "-n", "3000", "-s", "5", "-j", "2", "-q",
                           "--no-timestamp", "-o", at("r.html"), NULL);
    cli_result c = cli_run(dir, "sensitivity", "-n", "3000", "-s", "5", "-j", "1", "-o",
                           at("s.csv"), NULL);
    ds_csv *csv = NULL;
    ds_error err = {0};
    char *h, want[512];
    size_t checked = 0;
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(c.status, 0, "%s", c.err);
    h = cli_read_file(at("r.html"), NULL);
    cr_assert(h);
    cr_assert_eq(ds_csv_read(at("s.csv"), &csv, &err), DS_OK, "%s", err.msg);
    /* 9 charts of the run, and per strategy one tornado of deal and one
     * of benefit. */
    cr_expect_eq(CHARTS(h), 9 + 2 * 12);
    /* Every top-10 row of deal and benefit of every strategy, as the
     * page's table shows it: input, low, high, swing with %.4g. */
    for (size_t i = 0; i < ds_csv_rows(csv); i++) {
        const char *outcome = ds_csv_cell(csv, i, 1);
        double low, high;
        char b1[64], b2[64], b3[64];
        if ((strcmp(outcome, "deal") != 0 && strcmp(outcome, "benefit") != 0) ||
            atoi(ds_csv_cell(csv, i, 7)) > 10)
            continue;
        cr_assert(ds_csv_parse_double(ds_csv_cell(csv, i, 4), &low) &&
                  ds_csv_parse_double(ds_csv_cell(csv, i, 5), &high));
        snprintf(b1, sizeof b1, "%.4g", low);
        snprintf(b2, sizeof b2, "%.4g", high);
        snprintf(b3, sizeof b3, "%.4g", high - low);
        snprintf(want, sizeof want, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                 ds_csv_cell(csv, i, 2), strcmp(b1, "-0") ? b1 : "0",
                 strcmp(b2, "-0") ? b2 : "0", strcmp(b3, "-0") ? b3 : "0");
        cr_expect(strstr(h, want), "row %zu of the sensitivity: %s", i + 2, want);
        checked++;
    }
    cr_expect_eq(checked, 12 * 2 * 10);
    ds_csv_free(csv);
    free(h);
    cli_free(&r);
    cli_free(&c);
}

Test(report_cli, bad_arguments)
{
    EXPECT_FAIL(2, "dealsim report: needs -o FILE, the HTML page to write\n"
                   "Try 'dealsim help report'.",
                "-n", "10");
    EXPECT_FAIL(2, "dealsim report: unknown option '--sweeep' (did you mean '--sweep'?)",
                "-o", at("out.html"), "--sweeep", "x.csv");
    EXPECT_FAIL(2, "missing.csv: error: cannot read: No such file or directory", "-o",
                "out.html", "--sweep", at("missing.csv"));
    EXPECT_FAIL(2, "missing.csv: error: cannot read: No such file or directory", "-o",
                "out.html", "--optimize", at("missing.csv"));
    write_text("bad_sweep.csv", "point,x,strategy,draws,p_deal,p_deal_se,deficit_mean,"
                                "deficit_se,benefit_mean,benefit_se\n"
                                "1,0.1,a,10,0.5,0.1,60,1,2,0.5\n1,0.2,a,10,0.5,0.1,60,1,,0.5\n");
    EXPECT_FAIL(2, "/bad_sweep.csv:3: error: column 'benefit_mean': '' is not "
                   "a number",
                "-o", at("out.html"), "--sweep", at("bad_sweep.csv"));
    write_text("bad_opt.csv", "candidate,p_deal,benefit_mean,feasible,front\n1,0.5,1,1,1\n"
                              "\"2\",0.4,\"3\",1,\"x\"\n");
    EXPECT_FAIL(2, "/bad_opt.csv:3: error: column 'front': 'x' is not 0 or 1",
                "-o", at("out.html"), "--optimize", at("bad_opt.csv"));
    write_text("ragged.csv", "point,x,strategy\n1,2\n");
    EXPECT_FAIL(2, "/ragged.csv:2: error:", "-o", at("out.html"), "--sweep", at("ragged.csv"));
    /* An output that is an input. */
    EXPECT_FAIL(2, "dealsim report:", "-o", at("bad_opt.csv"), "--optimize", at("bad_opt.csv"));
    /* A bad scenario or --set. */
    EXPECT_FAIL(2, "protocol.rounds", "-o", at("out.html"), "--set", "protocol.rounds=0");
    EXPECT_FAIL(2, "no_such.json: error: cannot read", "-o", at("out.html"), "no_such.json");
}

Test(report_cli, write_failures)
{
    /* A directory that does not exist, and a full disk. */
    cli_result r = cli_run(dir, "report", "-n", "100", "-o", at("no/such/dir/r.html"), NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "/no/such/dir/r.html"), "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "report", "-n", "100", "-o", "/dev/full", NULL);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "dealsim report: cannot write /dev/full: No space left on device"),
              "%s", r.err);
    cli_free(&r);
    /* Standard output works too. */
    r = cli_run(dir, "report", "-n", "100", "-o", "-", "--no-timestamp",
                DS_TEST_DIR "/data/good/minimal.json", NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(r.out && strncmp(r.out, "<!DOCTYPE html>\n", 16) == 0);
    cr_expect(r.out && strstr(r.out, "</html>\n"));
    cli_free(&r);
}
