/*
 * test_output.c - the output column tables and the writers that walk them
 * (SPEC §6): the tables are consistent, the CSV, JSON and table agree with
 * each other and with the statistics, per-draw rows are as specified, and
 * every writer reports a failed write.
 */
/* wcswidth (X/Open), beside the build's POSIX 2008 */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "dealsim/csv.h"
#include "dealsim/engine.h"
#include "dealsim/output.h"
#include "dealsim/run.h"
#include "model_util.h"

#define ORACLE DS_TEST_DIR "/data/oracle/"

static ds_stats *run_model(const ds_model *m, uint64_t draws)
{
    ds_run_opts o;
    ds_stats *s = NULL;
    ds_error e;
    memset(&o, 0, sizeof o);
    o.draws = draws;
    o.seed = 11;
    o.threads = 1;
    cr_assert_eq(ds_run(m, &o, &s, &e), DS_OK, "%s", e.msg);
    return s;
}

/* What a writer printed into memory. */
typedef int (*writer)(const ds_model *, const ds_stats *, FILE *);

static char *capture(writer w, const ds_model *m, const ds_stats *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cr_assert_eq(w(m, s, f), DS_OK);
    fclose(f);
    return buf;
}

static int csv_header_only(const ds_model *m, const ds_stats *s, FILE *f)
{
    (void)s;
    return ds_output_csv_columns(m, f);
}

Test(columns, table_is_consistent)
{
    size_t n, nd;
    const ds_column *c = ds_output_columns(&n);
    const ds_draw_column *dc = ds_output_draw_columns(&nd);
    cr_assert_gt(n, 0);
    cr_assert_str_eq(c[0].name, "strategy");
    cr_assert_eq(c[0].kind, DS_COL_STRATEGY);
    for (size_t i = 0; i < n; i++) {
        const char *hole = strstr(c[i].name, "%s");
        cr_assert((c[i].each == DS_COL_ONE) == (hole == NULL), "%s", c[i].name);
        cr_assert(c[i].unit && c[i].json && c[i].doc, "%s", c[i].name);
        if (c[i].kind == DS_COL_FIGURE)
            cr_assert(ds_stats_supports(&c[i].stat), "%s: a figure the statistics keep",
                      c[i].name);
        /* A per-party column computes a per-party figure, and so on. */
        if (c[i].kind == DS_COL_FIGURE) {
            int third = c[i].stat.kind == DS_STAT_MEAN ? ds_quantity_per_third(c[i].stat.q)
                        : c[i].stat.kind == DS_STAT_SHARE || c[i].stat.kind == DS_STAT_RATIO
                            ? ds_count_per_third(c[i].stat.c) : 0;
            int actor = (c[i].stat.kind == DS_STAT_SHARE || c[i].stat.kind == DS_STAT_RATIO) &&
                        ds_count_per_actor(c[i].stat.c);
            cr_assert_eq(third, c[i].each == DS_COL_PER_THIRD, "%s", c[i].name);
            cr_assert_eq(actor, c[i].each == DS_COL_PER_ACTOR, "%s", c[i].name);
        }
        for (size_t j = 0; j < i; j++) {
            cr_assert_str_neq(c[i].name, c[j].name);
            if (c[i].each == c[j].each)
                cr_assert_str_neq(c[i].json, c[j].json);
        }
        /* Every name the row refers to is a row of the same kind. */
        {
            const char *refs[3] = {c[i].se, c[i].t_with[0], c[i].t_with[1]};
            for (int r = 0; r < 3; r++) {
                size_t k;
                if (!refs[r])
                    continue;
                for (k = 0; k < n && strcmp(c[k].name, refs[r]) != 0; k++)
                    ;
                cr_assert_lt(k, n, "%s refers to '%s'", c[i].name, refs[r]);
                cr_assert_eq(c[k].each, c[i].each);
            }
        }
        if (c[i].t_with[0] || c[i].t_with[1])
            cr_assert_not_null(c[i].t_head);
        /* Shown in the table: a heading, a cell format, a place. */
        cr_assert_eq(c[i].t_pos > 0, c[i].t_head != NULL, "%s", c[i].name);
        if (c[i].t_head) {
            cr_assert_not_null(c[i].t_fmt);
            /* printf formats: the heading's take only the id ("%s") and
             * "%%"; a figure's cell only numbers ("%...f") and "%%". */
            for (const char *p = c[i].t_head; (p = strchr(p, '%')); p += 2)
                cr_assert(p[1] == 's' || p[1] == '%', "%s: heading '%s'", c[i].name,
                          c[i].t_head);
            if (c[i].kind == DS_COL_FIGURE)
                for (const char *p = c[i].t_fmt; (p = strchr(p, '%')); p++) {
                    if (p[1] == '%') {
                        p++;
                        continue;
                    }
                    p += 1 + strspn(p + 1, "+- #0123456789.");
                    cr_assert_eq(*p, 'f', "%s: cell '%s'", c[i].name, c[i].t_fmt);
                }
            cr_assert_eq(strstr(c[i].t_head, "%s") != NULL, c[i].each != DS_COL_ONE,
                         "%s", c[i].name);
            for (size_t j = 0; j < i; j++)
                cr_assert(c[j].t_pos != c[i].t_pos, "%s and %s share a place", c[i].name,
                          c[j].name);
        }
        if (c[i].t_show == DS_SHOW_IF_DIFFERS) {
            size_t k;
            cr_assert_not_null(c[i].t_same);
            for (k = 0; k < n && strcmp(c[k].name, c[i].t_same) != 0; k++)
                ;
            cr_assert_lt(k, n, "%s is compared with '%s'", c[i].name, c[i].t_same);
            cr_assert_eq(c[k].each, c[i].each);
        }
    }
    cr_assert_str_eq(dc[0].name, "draw");
    for (size_t i = 0; i < nd; i++)
        cr_assert((dc[i].each == DS_COL_ONE) == (strstr(dc[i].name, "%s") == NULL));
}

Test(columns, match_names_to_rows)
{
    const char *id;
    size_t len;
    const ds_column *c = ds_output_column_match("deficit_mean", &id, &len);
    cr_assert(c && strcmp(c->name, "deficit_mean") == 0 && len == 0);
    cr_assert_str_eq(c->se, "deficit_se");
    cr_assert_str_eq(c->unit, "bn/yr");
    c = ds_output_column_match("p_retaliation_china", &id, &len);
    cr_assert(c && strcmp(c->name, "p_retaliation_%s") == 0);
    cr_assert(len == 5 && strncmp(id, "china", len) == 0);
    c = ds_output_column_match("retaliation_cost_south_korea_mean", &id, &len);
    cr_assert(c && strcmp(c->name, "retaliation_cost_%s_mean") == 0);
    cr_assert(len == 11 && strncmp(id, "south_korea", len) == 0);
    c = ds_output_column_match("approve_trump", &id, &len);
    cr_assert(c && c->each == DS_COL_PER_ACTOR);
    cr_assert_null(ds_output_column_match("approve_", &id, &len));
    cr_assert_null(ds_output_column_match("deficit", &id, &len));
    cr_assert_null(ds_output_column_match("protocol.rounds", &id, &len));
}

/* Per-party columns are expanded party by party (SPEC §6), then actors. */
Test(columns, csv_header_expansion)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    char *h = capture(csv_header_only, m, NULL);
    cr_assert_str_eq(h, "strategy,draws,p_deal,p_deal_se,round_mean,tariff_mean,"
                        "deficit_mean,deficit_se,deficit_p05,deficit_p50,deficit_p95,"
                        "deficit_change_mean,benefit_mean,benefit_se,benefit_p05,"
                        "benefit_p50,benefit_p95,concession_cost_mean,"
                        "p_retaliation_china,retaliation_cost_china_mean,"
                        "p_retaliation_korea,retaliation_cost_korea_mean,approve_m,"
                        "label,deficit_end_mean,deficit_end_p05,deficit_end_p50,"
                        "deficit_end_p95,deficit_end_change_mean,p_deal_in_extension,"
                        "benefit_given_deal_mean,benefit_given_deal_p05,"
                        "benefit_given_deal_p50,benefit_given_deal_p95,p_loss_given_deal,"
                        "p_retaliation_given_deal_china,p_retaliation_given_deal_korea");
    free(h);
    h = NULL;
    {
        size_t len = 0;
        FILE *f = open_memstream(&h, &len);
        cr_assert_eq(ds_run_draws_header(m, f), DS_OK);
        fclose(f);
    }
    cr_assert_str_eq(h, "draw,strategy,deal,round,package,tariff,deficit,benefit,"
                        "concession_cost,retaliation_china,retaliation_korea,deficit_end\n");
    free(h);
    ds_model_free(m);
}

/* The CSV, the JSON and the statistics say the same, column by column. */
Test(columns, csv_and_json_agree_with_the_statistics)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *s = run_model(m, 3000);
    ds_run_meta meta = {"retaliation.json", "00", 11, 3000};
    char *csv = capture(ds_output_csv, m, s), *json = NULL;
    size_t len = 0, n;
    const ds_column *col = ds_output_columns(&n);
    ds_csv *c = NULL;
    ds_error e;
    cJSON *root, *strats;
    FILE *f = open_memstream(&json, &len);

    cr_assert_eq(ds_output_json(m, s, &meta, f), DS_OK);
    fclose(f);
    cr_assert_eq(ds_csv_parse("summary.csv", csv, strlen(csv), &c, &e), DS_OK, "%s", e.msg);
    root = cJSON_Parse(json);
    cr_assert_not_null(root, "JSON parses");
    strats = cJSON_GetObjectItemCaseSensitive(root, "strategies");
    cr_assert_eq((size_t)cJSON_GetArraySize(strats), m->n_strategies);
    cr_assert_eq(ds_csv_rows(c), m->n_strategies);
    for (size_t k = 0; k < m->n_strategies; k++) {
        cJSON *js = cJSON_GetArrayItem(strats, (int)k);
        for (size_t j = 0; j < ds_csv_cols(c); j++) {
            const char *name = ds_csv_name(c, j), *id, *cell = ds_csv_cell(c, k, j);
            size_t idlen;
            char idbuf[64];
            const ds_column *r = ds_output_column_match(name, &id, &idlen);
            cJSON *jv;
            double x, want;
            cr_assert_not_null(r, "%s", name);
            snprintf(idbuf, sizeof idbuf, "%.*s", (int)idlen, id);
            if (r->each == DS_COL_ONE)
                jv = cJSON_GetObjectItemCaseSensitive(js, r->json);
            else if (r->each == DS_COL_PER_THIRD)
                jv = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(js, "third_parties"), idbuf),
                    r->json);
            else
                jv = cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetObjectItemCaseSensitive(js, r->json), idbuf);
            cr_assert_not_null(jv, "JSON has %s", name);
            if (r->kind == DS_COL_STRATEGY) {
                cr_assert_str_eq(cell, m->strategies[k].id);
                cr_assert_str_eq(jv->valuestring, cell);
                continue;
            }
            if (r->kind == DS_COL_LABEL) {
                const char *label = m->strategies[k].label;
                cr_assert_str_eq(cell, label ? label : "");
                if (label)
                    cr_assert_str_eq(jv->valuestring, label);
                else
                    cr_assert(cJSON_IsNull(jv), "no label: null");
                continue;
            }
            if (r->kind == DS_COL_DRAWS) {
                cr_assert_str_eq(cell, "3000");
                cr_assert_eq(jv->valuedouble, 3000);
                continue;
            }
            {
                size_t q = 0;
                if (r->each == DS_COL_PER_THIRD)
                    while (strcmp(m->third[q].id, idbuf) != 0)
                        q++;
                else if (r->each == DS_COL_PER_ACTOR)
                    while (strcmp(m->actors[q].id, idbuf) != 0)
                        q++;
                want = ds_stats_value(s, k, &r->stat, q);
            }
            if (isnan(want)) {
                cr_assert_str_eq(cell, "", "%s empty", name);
                cr_assert(cJSON_IsNull(jv), "%s null", name);
                continue;
            }
            cr_assert(ds_csv_parse_double(cell, &x), "%s: '%s'", name, cell);
            cr_assert_eq(x, want, "%s: %.17g vs %.17g", name, x, want);
            cr_assert_eq(jv->valuedouble, want, "JSON %s", name);
        }
    }
    /* Every column of the table is in the CSV, once per id. */
    {
        size_t expect = 0;
        for (size_t j = 0; j < n; j++)
            expect += col[j].each == DS_COL_PER_THIRD ? m->n_third
                      : col[j].each == DS_COL_PER_ACTOR ? m->n_actors : 1;
        cr_assert_eq(ds_csv_cols(c), expect);
    }
    cJSON_Delete(root);
    ds_csv_free(c);
    free(csv);
    free(json);
    ds_stats_free(s);
    ds_model_free(m);
}

/* SPEC §6 v2: per strategy, the deal rounds' counts and the plotting
 * histograms, as the statistics have them: counts that add up to the draws
 * (to the deals, given a deal), at most 64 equal bins whose width is a
 * power of two and whose edges are multiples of it. */
Test(columns, json_distributions)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *s = run_model(m, 3000);
    ds_run_meta meta = {"retaliation.json", "00", 11, 3000};
    char *json = NULL;
    size_t len = 0, nh;
    const ds_output_histogram *hs = ds_output_histograms(&nh);
    FILE *f = open_memstream(&json, &len);
    cJSON *root, *strats;

    cr_assert_eq(ds_output_json(m, s, &meta, f), DS_OK);
    fclose(f);
    root = cJSON_Parse(json);
    cr_assert_not_null(root);
    strats = cJSON_GetObjectItemCaseSensitive(root, "strategies");
    cr_assert_eq(nh, 4u);
    for (size_t k = 0; k < m->n_strategies; k++) {
        cJSON *js = cJSON_GetArrayItem(strats, (int)k);
        cJSON *rounds = cJSON_GetObjectItemCaseSensitive(js, "deal_rounds");
        cJSON *hist = cJSON_GetObjectItemCaseSensitive(js, "histograms");
        double deals = 3000 * ds_stats_value(s, k, &(ds_stat){.kind = DS_STAT_SHARE,
                                                               .c = DS_C_DEALS}, 0);
        double sum = 0;
        cr_assert(cJSON_IsArray(rounds));
        cr_assert_eq(cJSON_GetArraySize(rounds), m->protocol.rounds);
        for (int r = 0; r < cJSON_GetArraySize(rounds); r++) {
            double c = cJSON_GetArrayItem(rounds, r)->valuedouble;
            cr_assert_eq(c, (double)ds_stats_round_count(s, k, r + 1));
            sum += c;
        }
        cr_assert_eq(sum, deals);
        for (size_t h = 0; h < nh; h++) {
            cJSON *one = cJSON_GetObjectItemCaseSensitive(hist, hs[h].json);
            cJSON *edges = cJSON_GetObjectItemCaseSensitive(one, "edges");
            cJSON *counts = cJSON_GetObjectItemCaseSensitive(one, "counts");
            int nb = cJSON_GetArraySize(counts);
            double total = 0, width, e0;
            int ex;
            cr_assert_not_null(one, "%s", hs[h].json);
            if (hs[h].q == DS_Q_BENEFIT_GIVEN_DEAL && deals == 0) {
                cr_assert(cJSON_IsNull(one));
                continue;
            }
            cr_assert(nb >= 1 && nb <= DS_STATS_HIST_BINS);
            cr_assert_eq(cJSON_GetArraySize(edges), nb + 1);
            e0 = cJSON_GetArrayItem(edges, 0)->valuedouble;
            width = cJSON_GetArrayItem(edges, 1)->valuedouble - e0;
            if (width == 0.0) {           /* one value: [v, v] */
                cr_assert_eq(nb, 1);
                cr_assert_eq(cJSON_GetArrayItem(counts, 0)->valuedouble,
                             hs[h].q == DS_Q_BENEFIT_GIVEN_DEAL ? deals : 3000.0);
                continue;
            }
            cr_assert_eq(frexp(width, &ex), 0.5, "%s: width %g", hs[h].json, width);
            cr_assert_eq(fmod(e0, width), 0.0);
            for (int j = 0; j < nb; j++) {
                cr_assert_eq(cJSON_GetArrayItem(edges, j + 1)->valuedouble,
                             e0 + width * (j + 1));
                total += cJSON_GetArrayItem(counts, j)->valuedouble;
            }
            cr_assert_eq(total, hs[h].q == DS_Q_BENEFIT_GIVEN_DEAL ? deals : 3000.0,
                         "%s", hs[h].json);
        }
    }
    cJSON_Delete(root);
    free(json);
    ds_stats_free(s);
    ds_model_free(m);
}

/* The table shows each column with a heading, and its legend. */
Test(columns, table_from_the_rows)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *s = run_model(m, 2000);
    ds_run_meta meta = {"retaliation.json", "00", 11, 2000};
    char *t = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&t, &len);
    cr_assert_eq(ds_output_table(m, s, &meta, f), DS_OK);
    fclose(f);
    cr_assert(strstr(t, "retal china") && strstr(t, "retal korea"), "%s", t);
    cr_assert(strstr(t, "ok m") && strstr(t, "benefit [5%, 95%]"), "%s", t);
    cr_assert(strstr(t, "\nstrategy: its label (its id without one); P(deal): p_deal "
                        "±p_deal_se (fraction);\nround: round_mean (round); tariff: "
                        "tariff_mean x 100 (%); deficit: deficit_mean (bn/yr);\n"), "%s", t);
    cr_assert(strstr(t, "retal <q>: p_retaliation_<q> (fraction);\nok <a>: approve_<a> "
                        "(fraction)\n"), "%s", t);
    cr_assert(strstr(t, "\nscenario retaliation.json, 2000 draws, seed 11\n"), "%s", t);
    /* Columns shown only when they say something: not here. */
    cr_assert(!strstr(t, "deficit H") && !strstr(t, "P(ext.)"), "%s", t);
    free(t);
    ds_stats_free(s);
    ds_model_free(m);
}

/* ---- the terminal table's width (SPEC §6) ----------------------------- */

static char *table_of(const ds_model *m, const ds_stats *s, const char *file)
{
    ds_run_meta meta = {file, "00", 5, ds_stats_draws(s)};
    char *t = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&t, &len);
    cr_assert_not_null(f);
    cr_assert_eq(ds_output_table(m, s, &meta, f), DS_OK);
    fclose(f);
    return t;
}

/* Every line of t is at most 100 characters (UTF-8 code points) and, on a
 * terminal, at most 100 columns (glibc's wcswidth in C.UTF-8, which counts
 * East Asian wide characters and emoji as two); no control character but
 * the newlines.  Returns the number of lines. */
static size_t check_width(const char *t)
{
    size_t lines = 0;
    char *old = setlocale(LC_CTYPE, NULL), *keep = old ? strdup(old) : NULL;
    cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"), "the C.UTF-8 locale (glibc >= 2.35)");
    for (const char *p = t; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p), chars = 0;
        char line[2048];
        wchar_t wl[2048];
        int cols;
        cr_assert_lt(n, sizeof line);
        memcpy(line, p, n);
        line[n] = '\0';
        for (size_t i = 0; i < n; i++) {
            cr_assert((unsigned char)line[i] >= 0x20 && line[i] != 0x7f,
                      "control character in '%s'", line);
            chars += ((unsigned char)line[i] & 0xC0) != 0x80;
        }
        cr_assert_leq(chars, DS_OUTPUT_TABLE_WIDTH, "%zu characters: '%s'", chars, line);
        cr_assert_neq(mbstowcs(wl, line, 2048), (size_t)-1, "valid UTF-8: '%s'", line);
        cols = wcswidth(wl, 2048);
        cr_assert(cols >= 0 && cols <= DS_OUTPUT_TABLE_WIDTH, "%d columns: '%s'", cols, line);
        lines++;
        p += n + (e != NULL);
    }
    setlocale(LC_CTYPE, keep ? keep : "C");
    free(keep);
    return lines;
}

/* The built-in scenario's table fits 100 columns, in blocks each led by
 * the strategies (by label), and its legend maps every heading. */
Test(table, builtin_scenario_fits_100_columns)
{
    ds_model *m = test_model_file(DS_SOURCE_DIR "/scenarios/japan_us_2025.json");
    ds_stats *s = run_model(m, 4000);
    char *t = table_of(m, s, "japan_us_2025.json");
    static const char *const legend[] = {
        "strategy: its label (its id without one)", "P(deal): p_deal ±p_deal_se (fraction)",
        "round: round_mean (round)", "tariff: tariff_mean x 100 (%)",
        "deficit: deficit_mean (bn/yr)", "change: deficit_change_mean (bn/yr)",
        "benefit [5%, 95%]: benefit_mean [benefit_p05, benefit_p95] (bn/yr)",
        "benefit|deal: benefit_given_deal_mean (bn/yr)",
        "P(loss|deal): p_loss_given_deal (fraction)", "cost: concession_cost_mean (bn/yr)",
        "retal <q>: p_retaliation_<q> (fraction)", "ok <a>: approve_<a> (fraction)"};
    static const char *const heads[] = {"P(deal)", "round", "tariff", "deficit", "change",
                                        "benefit [5%, 95%]", "benefit|deal", "P(loss|deal)",
                                        "cost", "retal china", "ok bessent", "ok lutnick",
                                        "ok greer", "ok trump"};
    size_t blocks = 0;
    check_width(t);
    for (size_t i = 0; i < sizeof legend / sizeof *legend; i++)
        cr_assert(strstr(t, legend[i]), "legend: %s\n%s", legend[i], t);
    for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
        cr_assert(strstr(t, heads[i]), "heading %s", heads[i]);
    for (const char *p = t; (p = strstr(p, "\nstrategy  ")); p++)
        blocks++;
    cr_assert_geq(blocks, 2, "a wide table wraps into blocks:\n%s", t);
    cr_assert(strstr(t, "\nFull China card from the start  "), "strategies by label:\n%s", t);
    cr_assert(strstr(t, "\nEnergy, then add chips, then …"), "labels cut with …:\n%s", t);
    cr_assert(!strstr(t, "china_card"), "ids are not shown where there is a label");
    free(t);
    ds_stats_free(s);
    ds_model_free(m);
}

/* A wide scenario: 13 actors and 8 third parties with long ids, labels in
 * Japanese, Greek and emoji, a control character, a long name.  Every line
 * fits; every party's and actor's column is there, under an abbreviated
 * heading that the legend maps to its CSV column. */
Test(table, wide_scenario_fits_100_columns)
{
    ds_model *m = test_model_file(DS_TEST_DIR "/data/table/wide.json");
    ds_stats *s = run_model(m, 2000);
    char *t = table_of(m, s, DS_TEST_DIR "/data/table/wide.json");
    char want[256];
    size_t rows = 0;
    cr_assert_geq(m->n_actors, 13);
    cr_assert_geq(m->n_third, 8);
    check_width(t);
    for (size_t q = 0; q < m->n_third; q++) {
        snprintf(want, sizeof want, "retal #%zu: p_retaliation_%s (fraction)", q + 1,
                 m->third[q].id);
        cr_assert(strstr(t, want), "legend: %s\n%s", want, t);
        snprintf(want, sizeof want, "  retal #%zu", q + 1);
        cr_assert(strstr(t, want), "heading: %s", want);
    }
    for (size_t a = 0; a < m->n_actors; a++) {
        snprintf(want, sizeof want, "ok #%zu: approve_%s (fraction)", a + 1, m->actors[a].id);
        cr_assert(strstr(t, want), "legend: %s\n%s", want, t);
    }
    /* Each block: a heading and one line per strategy. */
    for (const char *p = t; (p = strstr(p, "\nstrategy  ")); p++)
        rows++;
    cr_assert(strstr(t, "\ntab?here, newline?there  "), "control characters as '?':\n%s", t);
    cr_assert(strstr(t, "\n日本の提案"), "%s", t);
    cr_assert(strstr(t, "…"), "long labels are cut");
    {
        size_t n = 0;
        for (const char *p = t; (p = strstr(p, "\nΕλληνική")); p++)
            n++;
        cr_assert_eq(n, rows, "each of the %zu blocks lists every strategy", rows);
    }
    free(t);
    ds_stats_free(s);
    ds_model_free(m);
}

/* Outcomes of strategy 0 (a deal in round r with benefit b, deficit d and
 * deficit_end de) and strategy 1 (no deal) of the retaliation oracle's
 * model, added n times. */
static ds_stats *handmade(const ds_model *m, uint64_t n, int r, double b, double d, double de)
{
    ds_stats *s = ds_stats_new(m);
    ds_outcome out[2];
    unsigned char ret[2][2] = {{1, 0}, {0, 0}};
    double rc[2][2] = {{b / 2, 0}, {0, 0}};
    uint32_t ev[2][1] = {{1}, {1}}, ap[2][1] = {{1}, {0}};
    cr_assert_not_null(s);
    cr_assert_eq(m->n_strategies, 2);
    memset(out, 0, sizeof out);
    for (int k = 0; k < 2; k++) {
        out[k].retaliates = ret[k];
        out[k].retaliation_cost = rc[k];
        out[k].evaluations = ev[k];
        out[k].approvals = ap[k];
        out[k].package = -1;
        out[k].tariff = 0.25;
        out[k].deficit = out[k].deficit_end = d;
    }
    out[0].deal = 1;
    out[0].round = r;
    out[0].package = 0;
    out[0].benefit = b;
    out[0].concession_cost = b / 4;
    out[0].deficit_end = de;
    for (uint64_t i = 0; i < n; i++)
        ds_stats_add(s, out);
    ds_stats_flush(s);
    return s;
}

/* "P(ext.)" and "deficit H" appear when some strategy makes deals in an
 * extension, or has another deficit in year H than in year 1; huge values
 * fall back to three significant digits and the table still fits. */
Test(table, columns_shown_when_they_say_something)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *plain = handmade(m, 10, m->protocol.rounds, 2.5, 55, 55);
    ds_stats *ext = handmade(m, 10, m->protocol.rounds + 1, 2.5, 55, 50.25);
    ds_stats *huge = handmade(m, 10, 1, -3e90, 7e95, -1e99);
    char *t = table_of(m, plain, "plain.json");
    cr_assert(!strstr(t, "P(ext.)") && !strstr(t, "deficit H"), "%s", t);
    free(t);
    t = table_of(m, ext, "ext.json");
    check_width(t);
    cr_assert(strstr(t, "P(ext.)") && strstr(t, "deficit H"), "%s", t);
    cr_assert(strstr(t, "P(ext.): p_deal_in_extension (fraction)"), "%s", t);
    cr_assert(strstr(t, "deficit H: deficit_end_mean (bn/yr)"), "%s", t);
    cr_assert(strstr(t, "  1.000  ") && strstr(t, "  50.2"), "%s", t);
    free(t);
    t = table_of(m, huge, "huge.json");
    check_width(t);
    cr_assert(strstr(t, "-3e+90 [-3e+90, -3e+90]"), "benefit in 3 digits:\n%s", t);
    cr_assert(strstr(t, "7e+95"), "%s", t);
    free(t);
    ds_stats_free(plain);
    ds_stats_free(ext);
    ds_stats_free(huge);
    ds_model_free(m);
}

/* Per-draw rows: one per strategy, empty round and package without a deal. */
Test(draws, rows_as_specified)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_output_draws *w = ds_output_draws_new(m, stdout, NULL);
    ds_outcome out[2];
    unsigned char ret[2][2] = {{1, 0}, {0, 0}};
    double rc[2][2] = {{2.5, 0}, {0, 0}};
    uint32_t ev[2][1] = {{1}, {1}}, ap[2][1] = {{1}, {0}};
    char *buf;
    size_t n;
    cr_assert_not_null(w);
    cr_assert_eq(m->n_strategies, 2);
    memset(out, 0, sizeof out);
    for (int k = 0; k < 2; k++) {
        out[k].retaliates = ret[k];
        out[k].retaliation_cost = rc[k];
        out[k].evaluations = ev[k];
        out[k].approvals = ap[k];
    }
    out[0].deal = 1;
    out[0].round = 1;
    out[0].package = 0;
    out[0].tariff = 0.15;
    out[0].deficit = 54.125;
    out[0].benefit = -1.5;
    out[0].concession_cost = 1;
    out[0].deficit_end = 50.5;
    out[1].package = -1;
    out[1].tariff = 0.25;
    out[1].deficit = 57;
    out[1].deficit_end = -0.25;
    buf = malloc(ds_output_draws_max(w));
    cr_assert_not_null(buf);
    n = ds_output_draws_format(w, buf, 18446744073709551615ull, out);
    cr_assert_leq(n, ds_output_draws_max(w));
    cr_assert_eq(n, strlen("18446744073709551615,offer,1,1,offer,0.15,54.125,-1.5,1,1,0,50.5\n"
                           "18446744073709551615,nothing,0,,,0.25,57,0,0,0,0,-0.25\n"));
    cr_assert(memcmp(buf, "18446744073709551615,offer,1,1,offer,0.15,54.125,-1.5,1,1,0,50.5\n"
                          "18446744073709551615,nothing,0,,,0.25,57,0,0,0,0,-0.25\n", n) == 0,
              "%.*s", (int)n, buf);
    free(buf);
    ds_output_draws_free(w);
    ds_model_free(m);
}

/* ---- write failures --------------------------------------------------- */

/* /dev/full, unbuffered (the first write fails) or fully buffered (only
 * the flush does). */
static FILE *full(int buffered)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f, "/dev/full: %s", strerror(errno));
    if (!buffered)
        setvbuf(f, NULL, _IONBF, 0);
    return f;
}

static int json_w(const ds_model *m, const ds_stats *s, FILE *f)
{
    ds_run_meta meta = {"x.json", "00", 1, 100};
    return ds_output_json(m, s, &meta, f);
}

static int table_w(const ds_model *m, const ds_stats *s, FILE *f)
{
    ds_run_meta meta = {"x.json", "00", 1, 100};
    return ds_output_table(m, s, &meta, f);
}

static int cells_w(const ds_model *m, const ds_stats *s, FILE *f)
{
    return ds_output_csv_cells(m, s, 0, f);
}

static int draws_header_w(const ds_model *m, const ds_stats *s, FILE *f)
{
    (void)s;
    return ds_run_draws_header(m, f);
}

/* Every writer returns DS_EIO, with errno ENOSPC, when its output cannot be
 * written; ds_output_csv_cells used to return DS_OK whatever happened. */
Test(write_failure, every_writer_reports_it)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *s = run_model(m, 500);
    const struct {
        const char *name;
        writer w;
        int flushes;      /* also detects a failure of buffered output */
    } ws[] = {
        {"csv", ds_output_csv, 1},
        {"json", json_w, 1},
        {"table", table_w, 1},
        {"csv header", csv_header_only, 0},
        {"csv cells", cells_w, 0},
        {"per-draw header", draws_header_w, 0},
    };
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
        for (int buffered = 0; buffered <= ws[i].flushes; buffered++) {
            FILE *f = full(buffered);
            errno = 0;
            cr_assert_eq(ws[i].w(m, s, f), DS_EIO, "%s (buffered %d)", ws[i].name, buffered);
            cr_assert_eq(errno, ENOSPC, "%s: errno %d", ws[i].name, errno);
            fclose(f);
        }
    ds_stats_free(s);
    ds_model_free(m);
}

/* The message names the file and the system's reason. */
Test(write_failure, messages_name_the_file_and_reason)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    ds_stats *s = run_model(m, 500);
    ds_run_meta meta = {"x.json", "00", 1, 500};
    ds_output_draws *w;
    ds_error e;
    for (int fmt = DS_OUTPUT_CSV; fmt <= DS_OUTPUT_TABLE; fmt++) {
        FILE *f = full(1);
        ds_error_clear(&e);
        cr_assert_eq(ds_output_summary(m, s, &meta, (ds_output_format)fmt, f, "out.csv", &e),
                     DS_EIO);
        cr_assert_str_eq(e.msg, "out.csv: cannot write: No space left on device");
        fclose(f);
    }
    {
        FILE *f = full(0);
        w = ds_output_draws_new(m, f, "draws.csv");
        cr_assert_not_null(w);
        cr_assert_eq(ds_output_draws_write(w, "x\n", 2, &e), DS_EIO);
        cr_assert_str_eq(e.msg, "draws.csv: cannot write: No space left on device");
        ds_output_draws_free(w);
        fclose(f);
    }
    ds_stats_free(s);
    ds_model_free(m);
}

/* A run whose per-draw rows cannot be written fails with the file's name. */
Test(write_failure, run_with_per_draw_rows)
{
    ds_model *m = test_model_file(ORACLE "retaliation.json");
    FILE *f = full(0);
    ds_run_opts o;
    ds_stats *s = NULL;
    ds_error e;
    memset(&o, 0, sizeof o);
    o.draws = 3 * DS_RUN_BLOCK;
    o.seed = 1;
    o.threads = 2;
    o.draws_out = f;
    o.draws_out_name = "draws.csv";
    cr_assert_eq(ds_run(m, &o, &s, &e), DS_EIO);
    cr_assert_null(s);
    cr_assert_str_eq(e.msg, "draws.csv: cannot write: No space left on device");
    fclose(f);
    ds_model_free(m);
}
