/*
 * test_scn_path.c - the paths of the scenario check: kept as parts while
 * values are walked and written out only for a message (ds_scn_path_text),
 * they must read exactly as a path written segment by segment would
 * (shortened keys, a full path keeping what fits, pops in any order); and
 * the dist paths of a model, built in one growing buffer, must name every
 * dist in full, however long its ids.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dealsim/model.h"
#include "dealsim/scenario.h"
#include "scenario_priv.h"

Test(scn_path, keys_indexes_and_elements)
{
    ds_scn_path p;
    cJSON *named = cJSON_Parse("{\"id\": \"semis\"}");
    cJSON *unnamed = cJSON_Parse("{\"id\": \"9bad\"}");
    cr_assert(named && unnamed);
    ds_scn_path_init(&p);
    cr_assert_str_eq(ds_scn_path_text(&p), "");
    size_t o0 = ds_scn_path_key(&p, "items");
    size_t o1 = ds_scn_path_elem(&p, named, 2);
    ds_scn_path_key(&p, "cost");
    cr_assert_str_eq(ds_scn_path_text(&p), "items.semis.cost");
    ds_scn_path_pop(&p, o1);
    ds_scn_path_elem(&p, unnamed, 3);
    ds_scn_path_key(&p, "id");
    cr_assert_str_eq(ds_scn_path_text(&p), "items[3].id");
    ds_scn_path_pop(&p, o0);
    cr_assert_str_eq(ds_scn_path_text(&p), "");
    /* An index first, and indexes in a row. */
    ds_scn_path_index(&p, 0);
    ds_scn_path_index(&p, 1234567);
    ds_scn_path_key(&p, "x");
    cr_assert_str_eq(ds_scn_path_text(&p), "[0][1234567].x");
    /* An empty first key leaves the path empty: no leading dot after it. */
    ds_scn_path_init(&p);
    ds_scn_path_key(&p, "");
    cr_assert_str_eq(ds_scn_path_text(&p), "");
    ds_scn_path_key(&p, "a");
    cr_assert_str_eq(ds_scn_path_text(&p), "a");
    cJSON_Delete(named);
    cJSON_Delete(unnamed);
}

Test(scn_path, long_keys_are_shortened)
{
    ds_scn_path p;
    char key[200];
    char want[200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    ds_scn_path_init(&p);
    ds_scn_path_key(&p, "a");
    ds_scn_path_key(&p, key);
    ds_scn_path_key(&p, "b");
    /* 80 characters of the key, then "...". */
    snprintf(want, sizeof want, "a.%.80s....b", key);
    cr_assert_str_eq(ds_scn_path_text(&p), want);
    /* A key of exactly 80 characters is kept whole. */
    key[80] = '\0';
    ds_scn_path_init(&p);
    ds_scn_path_key(&p, key);
    cr_assert_str_eq(ds_scn_path_text(&p), key);
}

/* The text a path of `n` segments "s<i>" of `len` characters each would
 * have when written segment by segment, shortened and cut as
 * ds_scn_path_text documents: an independent writer. */
static void expected(char *out, size_t n, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char seg[200];
        size_t k = 0;
        if (used)
            seg[k++] = '.';
        for (size_t j = 0; j < len && j < 80; j++)
            seg[k++] = (char)('a' + i % 26);
        if (len > 80) {
            memcpy(seg + k, "...", 3);
            k += 3;
        }
        if (used + k >= DS_SCN_PATH_MAX) {
            k = DS_SCN_PATH_MAX - 1 - used;
            memcpy(out + used, seg, k);
            used += k;
            out[used] = '\0';
            break;
        }
        memcpy(out + used, seg, k);
        used += k;
        out[used] = '\0';
    }
}

Test(scn_path, a_full_path_keeps_what_fits)
{
    static char keys[40][100];
    static ds_scn_path p;
    char want[DS_SCN_PATH_MAX];
    for (size_t len = 60; len <= 90; len += 30) {
        ds_scn_path_init(&p);
        for (size_t i = 0; i < 40; i++) {
            memset(keys[i], 'a' + (int)(i % 26), len);
            keys[i][len] = '\0';
            ds_scn_path_key(&p, keys[i]);
        }
        expected(want, 40, len);
        cr_assert_eq(strlen(ds_scn_path_text(&p)), DS_SCN_PATH_MAX - 1);
        cr_assert_str_eq(p.buf, want);
        /* Popped back below the cut, the path reads as if never cut. */
        ds_scn_path_pop(&p, 5);
        expected(want, 5, len);
        cr_assert_str_eq(ds_scn_path_text(&p), want);
    }
}

Test(scn_path, deep_paths_keep_every_part)
{
    static ds_scn_path p;
    char want[DS_SCN_PATH_MAX];
    size_t used = 0;
    ds_scn_path_init(&p);
    /* As deep as a document may nest, plus a --set path's part. */
    for (size_t i = 0; i <= DS_MAX_DEPTH; i++) {
        ds_scn_path_index(&p, i);
        used += (size_t)snprintf(want + used, sizeof want - used, "[%zu]", i);
    }
    cr_assert_str_eq(ds_scn_path_text(&p), want);
}

/* A scenario whose item has an id of n characters (with a dist under it),
 * and a package with terms of it: the model's dists must be named with the
 * whole id. */
Test(scn_path, dist_paths_with_long_ids)
{
    const size_t n = 700;
    char *id = malloc(n + 1), *text;
    ds_scenario *s;
    ds_model *m = NULL;
    ds_report rep;
    cr_assert(id);
    id[0] = 'i';
    memset(id + 1, 'x', n - 1);
    id[n] = '\0';
    text = malloc(4 * n + 2000);
    cr_assert(text);
    sprintf(text,
            "{\"dealsim\": 1, \"name\": \"t\", \"baseline_deficit\": 60,"
            " \"elasticity\": 1.5, \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},"
            " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,"
            "   \"no_deal\": 0.25, \"deal\": 0.15}],"
            " \"items\": [{\"id\": \"%s\", \"deficit_effect\": -1,"
            "   \"cost\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 2},"
            "   \"delivery\": {\"dist\": \"uniform\", \"min\": 0.4, \"max\": 0.6}}],"
            " \"packages\": [{\"id\": \"p\", \"items\": {\"%s\": 1}}],"
            " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\","
            "   \"weights\": {\"deficit\": 1}, \"threshold\": 0.1}],"
            " \"protocol\": {\"rounds\": 3}}",
            id, id);
    ds_report_init(&rep);
    s = ds_scenario_parse("t.json", text, strlen(text), &rep);
    cr_assert(s, "%s", rep.n ? rep.msg[0] : "parse");
    if (ds_scenario_build(s, &m, &rep) != DS_OK)
        cr_assert_fail("build: %s", rep.n ? rep.msg[0] : "?");
    {
        char *want = malloc(n + 32);
        int found_cost = 0, found_delivery = 0;
        cr_assert(want);
        for (size_t i = 0; i < m->n_dists; i++) {
            const char *path = m->dists[i].path;
            snprintf(want, n + 32, "items.%s.cost", id);
            found_cost += strcmp(path, want) == 0;
            snprintf(want, n + 32, "items.%s.delivery", id);
            found_delivery += strcmp(path, want) == 0;
            cr_assert(strncmp(path, "items.", 6) != 0 || strlen(path) > n + 6,
                      "a dist of the item named %.40s...", path);
        }
        cr_assert_eq(found_cost, 1);
        cr_assert_eq(found_delivery, 1);
        /* An object's, a list element's and a top-level dist, each named
         * from the start of the path. */
        cr_assert_str_eq(m->dists[0].path, "home.tariff_burden");
        int found_line = 0, found_top = 0;
        for (size_t i = 0; i < m->n_dists; i++) {
            found_line += strcmp(m->dists[i].path, "lines.autos.no_deal") == 0;
            found_top += strcmp(m->dists[i].path, "elasticity") == 0;
        }
        cr_assert_eq(found_line, 1);
        cr_assert_eq(found_top, 1);
        free(want);
    }
    ds_model_free(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
    free(text);
    free(id);
}
