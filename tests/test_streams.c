/*
 * test_streams.c - random streams named by what they are for (SPEC §7):
 * adding an item, a package, a strategy, a dimension and its scores, and a
 * correlation of the new dists to a scenario, each in front of the ones it
 * had, changes no random number of
 * anything else, so every outcome that does not involve the new things is
 * bit for bit the same, in the engine and in the command line's summary
 * and per-draw rows.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "dealsim/engine.h"
#include "dealsim/model.h"
#include "format.h"
#include "model_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"
#define SEED 20250606u
#define DRAWS 4000

/* Prepend item to the array at root[key]. */
static void prepend(cJSON *root, const char *key, const char *json)
{
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    cJSON *item = cJSON_Parse(json);
    cr_assert(cJSON_IsArray(arr) && item, "%s", key);
    cr_assert(cJSON_InsertItemInArray(arr, 0, item));
}

/* The built-in scenario's text, and the same scenario with, in front of
 * the existing ones: a dimension no actor weighs, an item with random
 * dists of every kind (scored on every dimension, exposed to the third
 * party), a package of it with an existing item, a strategy offering that
 * package, and a correlation of the new item's cost and delivery.  Both
 * malloc'd. */
static void scenarios(char **base, char **more)
{
    *base = cli_read_file(JAPAN, NULL);
    cr_assert_not_null(*base);
    cJSON *root = cJSON_Parse(*base);
    cr_assert_not_null(root);
    prepend(root, "dimensions", "\"aaa_new\"");
    prepend(root, "items",
            "{\"id\": \"aaa_item\", \"deficit_effect\": {\"dist\": \"normal\", \"mean\": -5, \"sd\": 2},"
            " \"cost\": {\"dist\": \"pert\", \"min\": 0.5, \"mode\": 1, \"max\": 3},"
            " \"delivery\": {\"dist\": \"beta\", \"a\": 3, \"b\": 2},"
            " \"scores\": {\"aaa_new\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1},"
            "            \"china_security\": {\"dist\": \"triangular\", \"min\": 0, \"mode\": 0.1, \"max\": 0.3}},"
            " \"exposure\": {\"china\": 2}}");
    prepend(root, "packages",
            "{\"id\": \"aaa_pkg\", \"items\": {\"aaa_item\": 1, \"minerals\": 1}}");
    prepend(root, "strategies", "{\"id\": \"aaa_try\", \"offers\": [\"aaa_pkg\", \"china_card\"]}");
    cJSON_AddItemToObject(root, "correlations",
                          cJSON_Parse("[{\"id\": \"aaa\", \"dists\": [\"items.aaa_item.cost\","
                                      " \"items.aaa_item.delivery\"], \"matrix\": [[1, -0.7], [-0.7, 1]]}]"));
    *more = cJSON_Print(root);
    cr_assert_not_null(*more);
    cJSON_Delete(root);
}

/* Index of the strategy called id in m, or -1. */
static long strategy_index(const ds_model *m, const char *id)
{
    for (size_t k = 0; k < m->n_strategies; k++)
        if (strcmp(m->strategies[k].id, id) == 0)
            return (long)k;
    return -1;
}

/* Outcomes a and b are bit for bit the same (packages compared by id). */
static int same_outcome(const ds_model *ma, const ds_outcome *a, const ds_model *mb,
                        const ds_outcome *b)
{
    if (a->deal != b->deal || a->round != b->round)
        return 0;
    if (a->deal && strcmp(ma->packages[a->package].id, mb->packages[b->package].id) != 0)
        return 0;
    if (memcmp(&a->tariff, &b->tariff, sizeof a->tariff) ||
        memcmp(&a->deficit, &b->deficit, sizeof a->deficit) ||
        memcmp(&a->deficit_change, &b->deficit_change, sizeof a->deficit_change) ||
        memcmp(&a->benefit, &b->benefit, sizeof a->benefit) ||
        memcmp(&a->concession_cost, &b->concession_cost, sizeof a->concession_cost))
        return 0;
    for (size_t q = 0; q < ma->n_third; q++)
        if (a->retaliates[q] != b->retaliates[q] ||
            memcmp(&a->retaliation_cost[q], &b->retaliation_cost[q], sizeof(double)))
            return 0;
    for (size_t i = 0; i < ma->n_actors; i++)
        if (a->evaluations[i] != b->evaluations[i] || a->approvals[i] != b->approvals[i])
            return 0;
    return 1;
}

Test(streams, additions_change_nothing_else_in_the_engine)
{
    char *base, *more;
    scenarios(&base, &more);
    ds_model *ma = test_model_text(base), *mb = test_model_text(more);
    cr_assert_eq(mb->n_strategies, ma->n_strategies + 1);
    cr_assert_eq(mb->n_actors, ma->n_actors);
    cr_assert_eq(mb->n_third, ma->n_third);
    ds_engine *ea = ds_engine_new(ma), *eb = ds_engine_new(mb);
    cr_assert(ea && eb);
    size_t deals = 0, new_deals = 0;
    long knew = strategy_index(mb, "aaa_try");
    cr_assert_eq(knew, 0);
    for (uint64_t d = 0; d < DRAWS; d++) {
        const ds_outcome *oa = ds_engine_draw(ea, SEED, d);
        const ds_outcome *ob = ds_engine_draw(eb, SEED, d);
        for (size_t k = 0; k < ma->n_strategies; k++) {
            long kb = strategy_index(mb, ma->strategies[k].id);
            cr_assert_geq(kb, 0);
            cr_assert(same_outcome(ma, &oa[k], mb, &ob[kb]), "draw %llu, strategy %s differs",
                      (unsigned long long)d, ma->strategies[k].id);
            deals += (size_t)oa[k].deal;
        }
        new_deals += (size_t)ob[knew].deal;
    }
    /* Informative: the shared strategies do deal, and so does the new one. */
    cr_expect(deals > DRAWS / 2 && new_deals > 100, "deals %zu, new %zu", deals, new_deals);
    ds_engine_free(ea);
    ds_engine_free(eb);
    ds_model_free(ma);
    ds_model_free(mb);
    free(base);
    cJSON_free(more);
}

/* The lines of text whose first cell (up to the first comma; the second
 * cell when `second`) is not `skip`, joined. */
static char *lines_without(const char *text, const char *skip, int second)
{
    size_t n = strlen(text), o = 0, ls = strlen(skip);
    char *out = malloc(n + 1);
    for (const char *l = text; *l;) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l + 1) : strlen(l);
        const char *cell = l;
        if (second) {
            const char *c = memchr(l, ',', len);
            cell = c ? c + 1 : l + len;
        }
        int drop = strncmp(cell, skip, ls) == 0 && cell[ls] == ',';
        if (!drop) {
            memcpy(out + o, l, len);
            o += len;
        }
        l += len;
    }
    out[o] = '\0';
    return out;
}

/* The same through the command line: every summary row and every per-draw
 * row of the strategies both files have are the same bytes. */
Test(streams, additions_change_no_other_row)
{
    char *dir = cli_tmpdir(), *base, *more;
    char fa[512], fb[512], sa[512], sb[512], da[512], db[512];
    scenarios(&base, &more);
    snprintf(fa, sizeof fa, "%s/a.json", dir);
    snprintf(fb, sizeof fb, "%s/b.json", dir);
    snprintf(sa, sizeof sa, "%s/a.csv", dir);
    snprintf(sb, sizeof sb, "%s/b.csv", dir);
    snprintf(da, sizeof da, "%s/a_draws.csv", dir);
    snprintf(db, sizeof db, "%s/b_draws.csv", dir);
    cr_assert_eq(cli_write_file(fa, base), 0);
    cr_assert_eq(cli_write_file(fb, more), 0);
    cli_result ra = cli_run(dir, "run", fa, "-n", "6000", "-s", "11", "-j", "2", "-o", sa,
                            "--draws-out", da, NULL);
    cli_result rb = cli_run(dir, "run", fb, "-n", "6000", "-s", "11", "-j", "2", "-o", sb,
                            "--draws-out", db, NULL);
    cr_assert(ra.status == 0 && rb.status == 0, "%s%s", ra.err, rb.err);
    char *a = cli_read_file(sa, NULL), *b = cli_read_file(sb, NULL);
    char *b_kept = lines_without(b, "aaa_try", 0);
    cr_assert(strlen(a) > 1000);
    cr_expect_str_eq(b_kept, a, "summary rows differ");
    char *ad = cli_read_file(da, NULL), *bd = cli_read_file(db, NULL);
    char *bd_kept = lines_without(bd, "aaa_try", 1);
    cr_assert(strlen(ad) > 100000 && strlen(bd) > strlen(ad));
    cr_expect(strcmp(bd_kept, ad) == 0, "per-draw rows differ");
    free(a);
    free(b);
    free(b_kept);
    free(ad);
    free(bd);
    free(bd_kept);
    cli_free(&ra);
    cli_free(&rb);
    free(base);
    cJSON_free(more);
    cli_rmdir(dir);
}

/* ds_model.dists: every dist of the model, named by its path, in the order
 * of SPEC §3's key listing with list elements in file order and scores in
 * the order of `dimensions`; optional dists without a default only when
 * given; each with the site the engine stores it at. */
Test(streams, model_dists_in_key_order)
{
    ds_model *m = test_model_text(
        "{\"dealsim\": 1, \"name\": \"order\","
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
        " \"baseline_deficit\": 60, \"elasticity\": 1,"
        " \"lines\": [{\"id\": \"b\", \"exports\": 1, \"current\": 0, \"no_deal\": 0, \"deal\": 0,"
        "              \"elasticity\": 2},"
        "            {\"id\": \"a\", \"exports\": 1, \"current\": 0, \"no_deal\": 0, \"deal\": 0}],"
        " \"dimensions\": [\"z\", \"y\"],"
        " \"items\": [{\"id\": \"i2\", \"deficit_effect\": -1, \"cost\": 1, \"scores\": {\"y\": 1}},"
        "            {\"id\": \"i1\", \"deficit_effect\": -1, \"cost\": 1}],"
        " \"packages\": [{\"id\": \"p\", \"items\": {}}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 0}],"
        " \"protocol\": {\"rounds\": 1},"
        " \"third_parties\": [{\"id\": \"q\", \"retaliation\": {\"base\": 0, \"slope\": 0},"
        "                     \"cost_per_exposure\": 1}]}");
    static const struct {
        const char *path;
        ds_dist_site site;
        size_t elem, slot;
    } want[] = {
        {"home.tariff_burden", DS_SITE_TARIFF_BURDEN, 0, 0},
        {"home.margin", DS_SITE_MARGIN, 0, 0},
        {"baseline_deficit", DS_SITE_BASELINE, 0, 0},
        {"elasticity", DS_SITE_ELASTICITY, 0, 0},
        {"lines.b.exports", DS_SITE_LINE_EXPORTS, 0, 0},
        {"lines.b.current", DS_SITE_LINE_CURRENT, 0, 0},
        {"lines.b.no_deal", DS_SITE_LINE_NO_DEAL, 0, 0},
        {"lines.b.deal", DS_SITE_LINE_DEAL, 0, 0},
        {"lines.b.elasticity", DS_SITE_LINE_ELASTICITY, 0, 0},
        {"lines.a.exports", DS_SITE_LINE_EXPORTS, 1, 0},
        {"lines.a.current", DS_SITE_LINE_CURRENT, 1, 0},
        {"lines.a.no_deal", DS_SITE_LINE_NO_DEAL, 1, 0},
        {"lines.a.deal", DS_SITE_LINE_DEAL, 1, 0},
        {"items.i2.deficit_effect", DS_SITE_ITEM_EFFECT, 0, 0},
        {"items.i2.cost", DS_SITE_ITEM_COST, 0, 0},
        {"items.i2.delivery", DS_SITE_ITEM_DELIVERY, 0, 0},
        {"items.i2.scores.z", DS_SITE_ITEM_SCORE, 0, 0},
        {"items.i2.scores.y", DS_SITE_ITEM_SCORE, 0, 1},
        {"items.i1.deficit_effect", DS_SITE_ITEM_EFFECT, 1, 0},
        {"items.i1.cost", DS_SITE_ITEM_COST, 1, 0},
        {"items.i1.delivery", DS_SITE_ITEM_DELIVERY, 1, 0},
        {"items.i1.scores.z", DS_SITE_ITEM_SCORE, 1, 0},
        {"items.i1.scores.y", DS_SITE_ITEM_SCORE, 1, 1},
        {"actors.m.threshold", DS_SITE_THRESHOLD, 0, 0},
        {"actors.m.concession", DS_SITE_CONCESSION, 0, 0},
        {"third_parties.q.cost_per_exposure", DS_SITE_COST_PER_EXPOSURE, 0, 0},
    };
    const size_t n = sizeof want / sizeof want[0];
    cr_assert_eq(m->n_dists, n, "%zu dists", m->n_dists);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(m->dists[i].path, want[i].path, "dist %zu", i);
        cr_expect_eq(m->dists[i].site, want[i].site, "%s: site", want[i].path);
        cr_expect_eq(m->dists[i].elem, want[i].elem, "%s: elem", want[i].path);
        cr_expect_eq(m->dists[i].slot, want[i].slot, "%s: slot", want[i].path);
    }
    /* The pointers are the model's own dists. */
    cr_expect_eq(m->dists[8].dist, &m->lines[0].elasticity);
    cr_expect_eq(m->dists[17].dist, &m->items[0].scores[1]);
    cr_expect_eq(m->dists[25].dist, &m->third[0].cost_per_exposure);
    ds_model_free(m);
}

/* Every dist row of the format table names the site the engine stores its
 * value at (a row without one would be drawn and never used). */
static void expect_sites(const ds_fmt_field *fields, const char *where)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        if (f->kind == DS_FMT_DIST || (f->kind == DS_FMT_MAP && f->elem == DS_FMT_DIST))
            cr_expect_neq(f->site, DS_SITE_NONE, "%s%s has no site", where, f->name);
        if (f->sub)
            expect_sites(f->sub, f->name);
    }
}

Test(streams, every_dist_row_has_a_site)
{
    expect_sites(ds_fmt_top, "");
}
