/*
 * test_copy_shared.c - the two cheap paths of building a sweep point:
 * ds_scenario_copy_shared (a copy that shares what it does not change)
 * against the deep ds_scenario_copy, and the one-pass key lookup of the
 * check against files whose keys come in another order.  Each compares
 * everything a build gives: status, every error and warning, and the
 * model's dists.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_util.h"
#include "dealsim/dist.h"
#include "dealsim/scenario.h"
#include "format.h"
#include "scenario_priv.h"

#define BAD_DIR DS_TEST_DIR "/data/bad/"
#define GOOD_DIR DS_TEST_DIR "/data/good/"

/* What one build (after some overrides) gives, as one text: the status of
 * each override and of the build, every message, and each dist of the
 * model with its mean and support (printed exactly).  Caller frees. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    char b[4096];
    va_start(ap, fmt);
    int k = vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    cr_assert(k >= 0 && (size_t)k < sizeof b);
    if (t->n + (size_t)k + 1 > t->cap) {
        t->cap = 2 * (t->n + (size_t)k + 1);
        t->s = realloc(t->s, t->cap);
        cr_assert_not_null(t->s);
    }
    memcpy(t->s + t->n, b, (size_t)k + 1);
    t->n += (size_t)k;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The messages of r, sorted when `sorted` (file order may change them). */
static void put_report(text *t, const char *what, ds_report *r, int sorted)
{
    if (sorted && r->n > 1)
        qsort(r->msg, r->n, sizeof *r->msg, cmp_str);
    for (size_t i = 0; i < r->n; i++)
        put(t, "%s: %s\n", what, r->msg[i]);
    put(t, "%s dropped: %zu\n", what, r->dropped);
}

static void put_model(text *t, const ds_model *m)
{
    put(t, "items %zu actors %zu strategies %zu third %zu lines %zu dims %zu "
           "decider %d mean %.17g\n",
        m->n_items, m->n_actors, m->n_strategies, m->n_third, m->n_lines,
        m->n_dims, m->decider, m->baseline_mean);
    for (size_t i = 0; i < m->n_dists; i++) {
        double lo, hi;
        ds_dist_support(m->dists[i].dist, &lo, &hi);
        put(t, "%s kind %d mean %.17g in [%.17g, %.17g] corr %ld\n",
            m->dists[i].path, (int)m->dists[i].dist->kind,
            ds_dist_mean(m->dists[i].dist), lo, hi, m->dists[i].corr);
    }
}

/* Apply the overrides sets[0..n) ("PATH=VALUE") to s and build it (with
 * warnings); the whole outcome as text.  Sorted: messages sorted. */
static char *outcome(ds_scenario *s, const char *const *sets, size_t n,
                     int sorted)
{
    text t = {NULL, 0, 0};
    ds_report rep, warn;
    ds_model *m = NULL;
    ds_report_init(&rep);
    ds_report_init(&warn);
    put(&t, "%s", "");
    for (size_t i = 0; i < n; i++)
        put(&t, "set %s: %d\n", sets[i], ds_scenario_set_arg(s, sets[i], &rep));
    put(&t, "build: %d\n", ds_scenario_build_warn(s, 0, &m, &rep, &warn));
    put_report(&t, "error", &rep, sorted);
    put_report(&t, "warning", &warn, sorted);
    if (m)
        put_model(&t, m);
    ds_model_free(m);
    ds_report_free(&rep);
    ds_report_free(&warn);
    return t.s;
}

static ds_scenario *builtin(void)
{
    ds_report rep;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                       ds_builtin_scenario_len, &rep);
    cr_assert_not_null(s);
    cr_assert_eq(rep.n, 0);
    ds_report_free(&rep);
    return s;
}

/* Overrides of every kind ds_scenario_set knows, good and bad: a dist's
 * parameter, a list element's key and a nested one, a map key, a whole
 * list, an optional object the file leaves out, and paths or values that
 * fail at set or build time.  Each case is one or more overrides. */
static const char *const cases[][4] = {
    {"baseline_deficit.mode=65.5"},
    {"baseline_deficit.mode=65.5", "baseline_deficit.max=90"},
    {"baseline_deficit.mode=-3"},
    {"items.semis.cost.max=7.25"},
    {"items.semis.cost.max=7.25", "items.semis.cost.min=0.5",
     "items.lng.deficit_effect=2"},
    {"items.semis.scores.china_security=0.3"},
    {"actors.trump.threshold=0.07", "actors.greer.noise=0.02"},
    {"actors.trump.weights.deficit=2"},
    {"protocol.rounds=4"},
    {"simulation.seed=99"},
    {"lines.autos.exports=40"},
    {"packages=[{\"id\":\"p\",\"items\":[\"semis\"]}]"},
    {"items.semis=\"not an object\""},
    {"items.nosuch.cost=1"},
    {"baseline_deficit.median=3"},
    {"elasticity=\"x\""},
    {"home.discount=5"},
    {"third_parties.china.retaliation.max=0.9", "horizon=4"},
    {"items.semis.cost={\"dist\":\"normal\",\"mean\":1,\"sd\":0.2}",
     "items.semis.cost.sd=0.3"},
};

/* Test 1: a shared copy gives, for every case, what a deep copy gives, and
 * the scenario both are copies of is left as it was. */
Test(copy_shared, same_as_deep_copy)
{
    ds_scenario *base = builtin();
    char *before = outcome(base, NULL, 0, 0);
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t n = 0;
        while (n < 4 && cases[k][n])
            n++;
        ds_scenario *deep = ds_scenario_copy(base);
        ds_scenario *shared = ds_scenario_copy_shared(base);
        cr_assert(deep && shared);
        char *a = outcome(deep, cases[k], n, 0);
        char *b = outcome(shared, cases[k], n, 0);
        cr_assert_str_eq(b, a, "case %zu (%s)", k, cases[k][0]);
        /* A copy of a shared copy, deep or shared, still reads the same. */
        ds_scenario *c2 = ds_scenario_copy(shared);
        ds_scenario *c3 = ds_scenario_copy_shared(shared);
        cr_assert(c2 && c3);
        char *c = outcome(c2, NULL, 0, 0);
        char *d = outcome(c3, NULL, 0, 0);
        char *e = outcome(deep, NULL, 0, 0);
        cr_assert_str_eq(c, e, "case %zu", k);
        cr_assert_str_eq(d, e, "case %zu", k);
        ds_scenario_free(c3);
        ds_scenario_free(c2);
        ds_scenario_free(deep);
        ds_scenario_free(shared);
        free(a);
        free(b);
        free(c);
        free(d);
        free(e);
    }
    char *after = outcome(base, NULL, 0, 0);
    cr_assert_str_eq(after, before);
    /* The overrides did change something: a copy is not the base. */
    ds_scenario *shared = ds_scenario_copy_shared(base);
    const char *one[] = {"baseline_deficit.mode=65.5"};
    char *changed = outcome(shared, one, 1, 0);
    cr_assert_str_neq(changed, before);
    free(changed);
    ds_scenario_free(shared);
    free(before);
    free(after);
    ds_scenario_free(base);
}

/* Rows of an object of the format and of every object below it; fails
 * when one has more than the check looks up (DS_SCN_MAX_KEYS). */
static size_t check_rows(const ds_fmt_field *fields)
{
    size_t n = 0, all = 0;
    for (const ds_fmt_field *f = fields; f->name; f++, n++)
        if (f->kind == DS_FMT_OBJECT || f->kind == DS_FMT_LIST)
            all += check_rows(f->sub);
    cr_assert_leq(n, DS_SCN_MAX_KEYS, "an object of the format has %zu keys", n);
    return all + n;
}

/* Test 3: the check looks up at most DS_SCN_MAX_KEYS keys of an object;
 * every object of the format has no more (a row beyond would be taken for
 * an unknown key). */
Test(copy_shared, format_objects_fit_the_lookup)
{
    cr_assert_gt(check_rows(ds_fmt_top), 50);
}

/* Every object of the tree with its members in reverse order (arrays keep
 * theirs: list order is meaningful). */
static void reverse_members(cJSON *x)
{
    if (cJSON_IsObject(x)) {
        cJSON *rev = NULL, *m = x->child;
        while (m) {
            cJSON *next = m->next;
            m->next = rev;
            rev = m;
            m = next;
        }
        x->child = rev;
        /* cJSON's invariant: the first member's prev is the last one. */
        for (cJSON *p = NULL, *q = rev; q; p = q, q = q->next)
            q->prev = p;
        if (rev) {
            cJSON *last = rev;
            while (last->next)
                last = last->next;
            rev->prev = last;
        }
    }
    for (cJSON *m = x->child; m; m = m->next)
        reverse_members(m);
}

/* The outcome of building text t as a file of its own, and with every
 * object's keys reversed; NULL for both when t is not plain JSON without
 * duplicate keys (parse messages would differ by order). */
static void both_orders(const char *name, const char *t, char **fwd, char **rev)
{
    ds_report rep;
    cJSON *doc = cJSON_Parse(t);
    *fwd = *rev = NULL;
    if (!doc)
        return;
    ds_report_init(&rep);
    /* Both orders as cJSON prints them (a number it cannot print, 1e999,
     * becomes null in both). */
    char *ft = cJSON_Print(doc);
    cr_assert_not_null(ft);
    ds_scenario *a = ds_scenario_parse(name, ft, strlen(ft), &rep);
    if (a && rep.n == 0) {
        reverse_members(doc);
        char *rt = cJSON_Print(doc);
        cr_assert_not_null(rt);
        ds_scenario *b = ds_scenario_parse(name, rt, strlen(rt), &rep);
        cr_assert_not_null(b);
        cr_assert_eq(rep.n, 0, "%s reversed: %s", name, rep.n ? rep.msg[0] : "");
        *fwd = outcome(a, NULL, 0, 1);
        *rev = outcome(b, NULL, 0, 1);
        ds_scenario_free(b);
        free(rt);
    }
    ds_scenario_free(a);
    free(ft);
    ds_report_free(&rep);
    cJSON_Delete(doc);
}

/* Test 2: the keys of each object are looked up in one pass that expects
 * the table's order; a file in another order (every object's keys
 * reversed) gives the same errors, warnings and model, for every file of
 * tests/data/bad and tests/data/good and the built-in scenario. */
Test(copy_shared, key_order_does_not_matter)
{
    const char *dirs[] = {BAD_DIR, GOOD_DIR};
    size_t compared = 0, bad_with_errors = 0;
    char *fwd, *rev;
    both_orders(DS_BUILTIN_NAME, ds_builtin_scenario, &fwd, &rev);
    cr_assert(fwd && rev);
    cr_assert_str_eq(rev, fwd);
    free(fwd);
    free(rev);
    for (size_t d = 0; d < 2; d++) {
        DIR *dir = opendir(dirs[d]);
        struct dirent *e;
        cr_assert_not_null(dir, "%s", dirs[d]);
        while ((e = readdir(dir))) {
            size_t l = strlen(e->d_name);
            char path[1024];
            if (l < 5 || strcmp(e->d_name + l - 5, ".json") != 0)
                continue;
            snprintf(path, sizeof path, "%s%s", dirs[d], e->d_name);
            char *t = cli_read_file(path, NULL);
            cr_assert_not_null(t, "%s", path);
            both_orders(e->d_name, t, &fwd, &rev);
            if (fwd) {
                cr_assert_str_eq(rev, fwd, "%s", path);
                compared++;
                bad_with_errors += d == 0 && strstr(fwd, "error: ") != NULL;
            }
            free(fwd);
            free(rev);
            free(t);
        }
        closedir(dir);
    }
    /* Most files took part, and most bad ones have errors to compare. */
    cr_assert_gt(compared, 100);
    cr_assert_gt(bad_with_errors, 100);
}
