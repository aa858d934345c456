/*
 * scenario_build.c - ds_scenario_build: check a parsed scenario against every
 * rule of SPEC §2-§4 and turn it into an immutable ds_model.  Every problem
 * is reported (SPEC §4: all of them, not only the first) as
 * "FILE: error: PATH: MESSAGE"; a model is returned only when there was none.
 */
#include "scenario_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

/* ---------------------------------------------------------------- schema */

/* SPEC §3: the keys of each object.  Used for unknown-key checks (with a
 * did-you-mean from the keys valid at that place) and to walk --set paths. */
static const ds_sfield f_source[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0}, {"text", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_home[] = {
    {"name", DS_SK_VALUE, NULL, NULL, 0},
    {"discount", DS_SK_VALUE, NULL, NULL, 0},
    {"tariff_burden", DS_SK_DIST, NULL, NULL, 0},
    {"margin", DS_SK_DIST, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_counterpart[] = {
    {"name", DS_SK_VALUE, NULL, NULL, 0}, {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_line[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"exports", DS_SK_DIST, NULL, NULL, 0},
    {"current", DS_SK_DIST, NULL, NULL, 0},
    {"no_deal", DS_SK_DIST, NULL, NULL, 0},
    {"deal", DS_SK_DIST, NULL, NULL, 0},
    {"elasticity", DS_SK_DIST, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_item[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"label", DS_SK_VALUE, NULL, NULL, 0},
    {"deficit_effect", DS_SK_DIST, NULL, NULL, 0},
    {"cost", DS_SK_DIST, NULL, NULL, 0},
    {"delivery", DS_SK_DIST, NULL, NULL, 0},
    {"scores", DS_SK_MAP, NULL, NULL, DS_SK_DIST},
    {"exposure", DS_SK_MAP, NULL, NULL, DS_SK_VALUE},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_package[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"label", DS_SK_VALUE, NULL, NULL, 0},
    {"items", DS_SK_MAP, NULL, NULL, DS_SK_VALUE},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_strategy[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"label", DS_SK_VALUE, NULL, NULL, 0},
    {"offers", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_actor[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"label", DS_SK_VALUE, NULL, NULL, 0},
    {"role", DS_SK_VALUE, NULL, NULL, 0},
    {"weights", DS_SK_MAP, NULL, NULL, DS_SK_VALUE},
    {"weight_certainty", DS_SK_VALUE, NULL, NULL, 0},
    {"threshold", DS_SK_DIST, NULL, NULL, 0},
    {"concession", DS_SK_DIST, NULL, NULL, 0},
    {"noise", DS_SK_VALUE, NULL, NULL, 0},
    {"influence", DS_SK_VALUE, NULL, NULL, 0},
    {"veto", DS_SK_VALUE, NULL, NULL, 0},
    {"attendance", DS_SK_VALUE, NULL, NULL, 0},
    {"champions", DS_SK_VALUE, NULL, NULL, 0},
    {"credit", DS_SK_VALUE, NULL, NULL, 0},
    {"team_weight", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_protocol[] = {
    {"rounds", DS_SK_VALUE, NULL, NULL, 0},
    {"quorum", DS_SK_VALUE, NULL, NULL, 0},
    {"decider_acts", DS_SK_VALUE, NULL, NULL, 0},
    {"disconnect", DS_SK_VALUE, NULL, NULL, 0},
    {"stall_on_split", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_retaliation[] = {
    {"base", DS_SK_VALUE, NULL, NULL, 0}, {"slope", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_third[] = {
    {"id", DS_SK_VALUE, NULL, NULL, 0},
    {"label", DS_SK_VALUE, NULL, NULL, 0},
    {"retaliation", DS_SK_OBJECT, f_retaliation, NULL, 0},
    {"cost_per_exposure", DS_SK_DIST, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};
static const ds_sfield f_simulation[] = {
    {"draws", DS_SK_VALUE, NULL, NULL, 0}, {"seed", DS_SK_VALUE, NULL, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};

const ds_sfield ds_scn_top[] = {
    {"dealsim", DS_SK_VALUE, NULL, NULL, 0},
    {"name", DS_SK_VALUE, NULL, NULL, 0},
    {"description", DS_SK_VALUE, NULL, NULL, 0},
    {"sources", DS_SK_LIST, f_source, "source", 0},
    {"home", DS_SK_OBJECT, f_home, NULL, 0},
    {"counterpart", DS_SK_OBJECT, f_counterpart, NULL, 0},
    {"baseline_deficit", DS_SK_DIST, NULL, NULL, 0},
    {"elasticity", DS_SK_DIST, NULL, NULL, 0},
    {"lines", DS_SK_LIST, f_line, "line", 0},
    {"dimensions", DS_SK_VALUE, NULL, NULL, 0},
    {"items", DS_SK_LIST, f_item, "item", 0},
    {"packages", DS_SK_LIST, f_package, "package", 0},
    {"strategies", DS_SK_LIST, f_strategy, "strategy", 0},
    {"actors", DS_SK_LIST, f_actor, "actor", 0},
    {"protocol", DS_SK_OBJECT, f_protocol, NULL, 0},
    {"third_parties", DS_SK_LIST, f_third, "third party", 0},
    {"simulation", DS_SK_OBJECT, f_simulation, NULL, 0},
    {NULL, 0, NULL, NULL, 0}};

const ds_sfield *ds_scn_field(const ds_sfield *fields, const char *name)
{
    for (; fields && fields->name; fields++)
        if (strcmp(fields->name, name) == 0)
            return fields;
    return NULL;
}

/* SPEC §2: the kinds of dist and their parameters (required first). */
typedef struct dkind {
    const char *name;
    ds_dist_kind kind;
    size_t n_req;
    const char *params[5]; /* required, then optional; NULL-terminated */
} dkind;

static const dkind dkinds[] = {
    {"fixed", DS_DIST_FIXED, 1, {"value", NULL}},
    {"uniform", DS_DIST_UNIFORM, 2, {"min", "max", NULL}},
    {"normal", DS_DIST_NORMAL, 2, {"mean", "sd", "min", "max", NULL}},
    {"lognormal", DS_DIST_LOGNORMAL, 2, {"median", "sigma", NULL}},
    {"triangular", DS_DIST_TRIANGULAR, 3, {"min", "mode", "max", NULL}},
    {"pert", DS_DIST_PERT, 3, {"min", "mode", "max", NULL}},
    {"beta", DS_DIST_BETA, 2, {"a", "b", "min", "max", NULL}},
    {"discrete", DS_DIST_DISCRETE, 2, {"values", "weights", NULL}},
};
#define N_DKINDS (sizeof dkinds / sizeof dkinds[0])

static const dkind *find_dkind(const char *name)
{
    for (size_t i = 0; i < N_DKINDS; i++)
        if (strcmp(dkinds[i].name, name) == 0)
            return &dkinds[i];
    return NULL;
}

const char *const *ds_scn_dist_params(const char *dist)
{
    const dkind *k = find_dkind(dist);
    return k ? k->params : NULL;
}

/* ------------------------------------------------------- small helpers */

int ds_scn_id_ok(const char *s)
{
    if (!s || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

const char *ds_scn_type(const cJSON *v)
{
    if (!v)
        return "nothing";
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsBool(v))
        return "boolean";
    return "null";
}

/* Longest key or id copied into a path or message; longer ones are cut and
 * marked with "...", so one absurd key cannot swamp the report. */
#define SHOWN_MAX 80

/* Append pre + s (cut at SHOWN_MAX with "...").  Paths are built for every
 * value checked, problem or not, so this avoids printf. */
static size_t path_append(ds_scn_path *p, const char *pre, const char *s)
{
    char seg[2 + SHOWN_MAX + 3];
    size_t old = p->len, room = sizeof p->buf - p->len, lp = strlen(pre);
    size_t ls = strnlen(s, SHOWN_MAX + 1), n;

    memcpy(seg, pre, lp);
    n = lp;
    if (ls > SHOWN_MAX) {
        memcpy(seg + n, s, SHOWN_MAX);
        memcpy(seg + n + SHOWN_MAX, "...", 3);
        n += SHOWN_MAX + 3;
    } else {
        memcpy(seg + n, s, ls);
        n += ls;
    }
    if (n >= room) {
        /* Full: keep what fits; further segments are dropped. */
        memcpy(p->buf + p->len, seg, room - 1);
        p->len = sizeof p->buf - 1;
    } else {
        memcpy(p->buf + p->len, seg, n);
        p->len += n;
    }
    p->buf[p->len] = '\0';
    return old;
}

size_t ds_scn_path_key(ds_scn_path *p, const char *key)
{
    return path_append(p, p->len ? "." : "", key);
}

size_t ds_scn_path_index(ds_scn_path *p, size_t i)
{
    char b[32];
    size_t old = p->len;
    snprintf(b, sizeof b, "[%zu]", i);
    path_append(p, "", b);
    return old;
}

size_t ds_scn_path_elem(ds_scn_path *p, const cJSON *elem, size_t i)
{
    const cJSON *id = cJSON_IsObject(elem)
                          ? cJSON_GetObjectItemCaseSensitive(elem, "id")
                          : elem;
    if (cJSON_IsString(id) && ds_scn_id_ok(id->valuestring))
        return ds_scn_path_key(p, id->valuestring);
    return ds_scn_path_index(p, i);
}

void ds_scn_path_pop(ds_scn_path *p, size_t old)
{
    p->len = old;
    p->buf[old] = '\0';
}

/* Optimal-string-alignment distance between a and b, giving up (returning
 * a large number) when the lengths alone differ by more than `cap`. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    /* Rows are fixed arrays: names are short, and a key over 63 characters
     * is no typo of one. */
    if ((la > lb ? la - lb : lb - la) > cap || lb > 63 || la > 63)
        return (size_t)-1;
    size_t r0[64], r1[64], r2[64]; /* rows i-2, i-1, i over b */
    for (size_t j = 0; j <= lb; j++)
        r1[j] = j;
    for (size_t j = 0; j <= lb; j++)
        r0[j] = j;
    for (size_t i = 1; i <= la; i++) {
        r2[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t d = r1[j] + 1;
            if (r2[j - 1] + 1 < d)
                d = r2[j - 1] + 1;
            if (r1[j - 1] + cost < d)
                d = r1[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                r0[j - 2] + 1 < d)
                d = r0[j - 2] + 1;
            r2[j] = d;
        }
        memcpy(r0, r1, (lb + 1) * sizeof *r0);
        memcpy(r1, r2, (lb + 1) * sizeof *r1);
    }
    return r1[lb];
}

/* A typo is within 2 edits, or a third of the key for long keys. */
const char *ds_scn_suggest(const char *key, const char *const *names, size_t n)
{
    size_t len = strlen(key), cap = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t bestd = cap + 1;
    if (len == 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(key, names[i], cap);
        if (d < bestd && d < len) {
            bestd = d;
            best = names[i];
        }
    }
    return best;
}

/* Print a double the shortest way that reads back the same. */
static const char *fmt_num(char *b, size_t n, double x)
{
    if (isinf(x))
        snprintf(b, n, "%s", x < 0 ? "-inf" : "inf");
    else {
        snprintf(b, n, "%.15g", x);
        if (strtod(b, NULL) != x)
            snprintf(b, n, "%.17g", x);
    }
    return b;
}

/* --------------------------------------------------------- the checker */

typedef struct vc {
    const char *file;
    ds_report *rep;
    ds_scn_path path;
    size_t n_err;
    int nomem;
} vc;

static void verr(vc *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void verr(vc *c, const char *fmt, ...)
{
    char msg[DS_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->n_err++;
    if (c->path.len)
        ds_report_add(c->rep, "%s: error: %s: %s", c->file, c->path.buf, msg);
    else
        ds_report_add(c->rep, "%s: error: %s", c->file, msg);
}

static char *xstrdup(vc *c, const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d) {
        c->nomem = 1;
        return NULL;
    }
    return strcpy(d, s);
}

static void *xcalloc(vc *c, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        c->nomem = 1;
    return p;
}

/* Count of an array's elements (cJSON_GetArraySize is an int). */
static size_t arr_len(const cJSON *a)
{
    size_t n = 0;
    for (const cJSON *e = a ? a->child : NULL; e; e = e->next)
        n++;
    return n;
}

/* Report every key of obj not in `fields` (keys starting with '_' are free
 * comments; `$schema` is allowed where allow_schema), with a suggestion. */
static void check_keys(vc *c, const cJSON *obj, const ds_sfield *fields,
                       int allow_schema)
{
    const char *names[32];
    size_t n = 0;
    for (const ds_sfield *f = fields; f->name && n < 32; f++)
        names[n++] = f->name;
    for (const cJSON *k = obj->child; k; k = k->next) {
        if (k->string[0] == '_' || ds_scn_field(fields, k->string))
            continue;
        if (allow_schema && strcmp(k->string, "$schema") == 0)
            continue;
        size_t old = ds_scn_path_key(&c->path, k->string);
        const char *s = ds_scn_suggest(k->string, names, n);
        if (s)
            verr(c, "unknown key (did you mean '%s'?)", s);
        else
            verr(c, "unknown key");
        ds_scn_path_pop(&c->path, old);
    }
}

/* A range of SPEC §3.1: [lo, hi] with either end open or infinite. */
typedef struct range {
    double lo, hi;
    int lo_open, hi_open;
} range;

static const range R_ANY = {-INFINITY, INFINITY, 0, 0};
static const range R_GE0 = {0, INFINITY, 0, 0};
static const range R_GT0 = {0, INFINITY, 1, 0};
static const range R_PROB = {0, 1, 0, 0};
static const range R_OC01 = {0, 1, 1, 0}; /* (0, 1]: discount, quorum */

static int in_range(double x, range r)
{
    if (r.lo_open ? !(x > r.lo) : !(x >= r.lo))
        return 0;
    if (r.hi_open ? !(x < r.hi) : !(x <= r.hi))
        return 0;
    return 1;
}

static void range_text(char *b, size_t n, range r)
{
    char l[40], h[40];
    fmt_num(l, sizeof l, r.lo);
    fmt_num(h, sizeof h, r.hi);
    if (isinf(r.hi))
        snprintf(b, n, "%s %s", r.lo_open ? ">" : ">=", l);
    else if (isinf(r.lo))
        snprintf(b, n, "%s %s", r.hi_open ? "<" : "<=", h);
    else
        snprintf(b, n, "in %c%s, %s%c", r.lo_open ? '(' : '[', l, h,
                 r.hi_open ? ')' : ']');
}

static int check_range(vc *c, double x, range r)
{
    char rt[96], v[40];
    if (in_range(x, r))
        return 1;
    range_text(rt, sizeof rt, r);
    verr(c, "must be %s, got %s", rt, fmt_num(v, sizeof v, x));
    return 0;
}

/* A finite JSON number at node v (path already pushed).  1 ok, 0 reported. */
static int number_of(vc *c, const cJSON *v, double *out)
{
    if (!cJSON_IsNumber(v)) {
        if (cJSON_IsObject(v) &&
            cJSON_GetObjectItemCaseSensitive(v, "dist"))
            verr(c, "expected a number, got a dist (a dist is not allowed here)");
        else
            verr(c, "expected a number, got %s", ds_scn_type(v));
        return 0;
    }
    if (!isfinite(v->valuedouble)) {
        verr(c, "must be a finite number, got %s",
             v->valuedouble < 0 ? "-inf" : "inf");
        return 0;
    }
    *out = v->valuedouble;
    return 1;
}

enum { OPT = 0, REQ = 1 };

/* Push `key`, look it up in obj; report it missing when required. */
static const cJSON *get(vc *c, const cJSON *obj, const char *key, int req,
                        size_t *old)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    *old = ds_scn_path_key(&c->path, key);
    if (!v && req)
        verr(c, "missing required key");
    return v;
}

/* A plain number at obj.key in range r; *out keeps its default when the key
 * is absent.  Returns 0 when a problem was reported. */
static int num_at(vc *c, const cJSON *obj, const char *key, int req, range r,
                  double *out)
{
    size_t old;
    double x;
    int ok = 1;
    const cJSON *v = get(c, obj, key, req, &old);
    if (v) {
        ok = number_of(c, v, &x) && check_range(c, x, r);
        if (ok)
            *out = x;
    } else if (req)
        ok = 0;
    ds_scn_path_pop(&c->path, old);
    return ok;
}

/* An integer (SPEC §3.1: 4.0 is accepted, 4.5 is not) in [lo, hi]. */
static int int_at(vc *c, const cJSON *obj, const char *key, int req, double lo,
                  double hi, double *out)
{
    size_t old;
    double x;
    int ok = 1;
    const cJSON *v = get(c, obj, key, req, &old);
    if (v) {
        ok = number_of(c, v, &x);
        if (ok && floor(x) != x) {
            char b[40];
            verr(c, "must be an integer, got %s", fmt_num(b, sizeof b, x));
            ok = 0;
        }
        if (ok) {
            range r = {lo, hi, 0, 0};
            ok = check_range(c, x, r);
        }
        if (ok)
            *out = x;
    } else if (req)
        ok = 0;
    ds_scn_path_pop(&c->path, old);
    return ok;
}

/* A string at obj.key; *out (owned, malloc'd) is set only when present. */
static int str_at(vc *c, const cJSON *obj, const char *key, int req, char **out)
{
    size_t old;
    int ok = 1;
    const cJSON *v = get(c, obj, key, req, &old);
    if (v) {
        if (!cJSON_IsString(v)) {
            verr(c, "expected a string, got %s", ds_scn_type(v));
            ok = 0;
        } else {
            char *s = xstrdup(c, v->valuestring);
            if (s) {
                free(*out);
                *out = s;
            }
        }
    } else if (req)
        ok = 0;
    ds_scn_path_pop(&c->path, old);
    return ok;
}

static int bool_at(vc *c, const cJSON *obj, const char *key, int *out)
{
    size_t old;
    int ok = 1;
    const cJSON *v = get(c, obj, key, OPT, &old);
    if (v) {
        if (!cJSON_IsBool(v)) {
            verr(c, "expected a boolean, got %s", ds_scn_type(v));
            ok = 0;
        } else
            *out = cJSON_IsTrue(v);
    }
    ds_scn_path_pop(&c->path, old);
    return ok;
}

/* An object at obj.key; NULL when absent or not an object (reported). */
static const cJSON *obj_at(vc *c, const cJSON *obj, const char *key, int req)
{
    size_t old;
    const cJSON *v = get(c, obj, key, req, &old);
    if (v && !cJSON_IsObject(v)) {
        verr(c, "expected an object, got %s", ds_scn_type(v));
        v = NULL;
    }
    ds_scn_path_pop(&c->path, old);
    return v;
}

/* ---------------------------------------------------------------- dists */

/* The numbers of a discrete dist's `values` or `weights`. */
static int num_array(vc *c, const cJSON *obj, const char *key, double **out,
                     size_t *n)
{
    size_t old, i = 0;
    int ok = 1;
    const cJSON *v = get(c, obj, key, REQ, &old);
    *out = NULL;
    *n = 0;
    if (!v) {
        ok = 0;
    } else if (!cJSON_IsArray(v)) {
        verr(c, "expected an array of numbers, got %s", ds_scn_type(v));
        ok = 0;
    } else {
        *n = arr_len(v);
        *out = xcalloc(c, *n, sizeof **out);
        if (!*out) {
            ds_scn_path_pop(&c->path, old);
            return 0;
        }
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t o2 = ds_scn_path_index(&c->path, i);
            ok &= number_of(c, e, &(*out)[i]);
            ds_scn_path_pop(&c->path, o2);
        }
    }
    ds_scn_path_pop(&c->path, old);
    return ok;
}

/* Parse the dist at node v (path pushed) into *out, checking its own rules
 * (ds_dist_check) and that its whole support lies in r (SPEC §2, §3.1).
 * On failure *out owns nothing. */
static int parse_dist(vc *c, const cJSON *v, range r, ds_dist *out)
{
    const dkind *k;
    const cJSON *d;
    double p[4] = {0, 0, 0, 0};
    int ok = 1;
    size_t old;

    *out = ds_dist_fixed(0);
    if (cJSON_IsNumber(v)) {
        double x;
        if (!number_of(c, v, &x) || !check_range(c, x, r))
            return 0;
        *out = ds_dist_fixed(x);
        return 1;
    }
    if (!cJSON_IsObject(v)) {
        verr(c, "expected a number or a dist object, got %s", ds_scn_type(v));
        return 0;
    }
    d = get(c, v, "dist", REQ, &old);
    if (!d) {
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    if (!cJSON_IsString(d)) {
        verr(c, "expected a string, got %s", ds_scn_type(d));
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    k = find_dkind(d->valuestring);
    if (!k) {
        const char *names[N_DKINDS];
        for (size_t i = 0; i < N_DKINDS; i++)
            names[i] = dkinds[i].name;
        const char *s = ds_scn_suggest(d->valuestring, names, N_DKINDS);
        if (s)
            verr(c, "unknown dist '%.*s' (did you mean '%s'?)", SHOWN_MAX,
                 d->valuestring, s);
        else
            verr(c, "unknown dist '%.*s' (one of fixed, uniform, normal, "
                    "lognormal, triangular, pert, beta, discrete)",
                 SHOWN_MAX, d->valuestring);
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    ds_scn_path_pop(&c->path, old);

    /* Unknown keys against this kind's parameters. */
    {
        ds_sfield fs[6];
        size_t n = 0;
        fs[n++] = (ds_sfield){"dist", DS_SK_VALUE, NULL, NULL, 0};
        for (size_t i = 0; k->params[i]; i++)
            fs[n++] = (ds_sfield){k->params[i], DS_SK_VALUE, NULL, NULL, 0};
        fs[n] = (ds_sfield){NULL, 0, NULL, NULL, 0};
        check_keys(c, v, fs, 0);
    }

    out->kind = k->kind;
    if (k->kind == DS_DIST_DISCRETE) {
        double *vals = NULL, *wts = NULL;
        size_t nv = 0, nw = 0;
        int okv = num_array(c, v, "values", &vals, &nv);
        int okw = num_array(c, v, "weights", &wts, &nw);
        ok = okv && okw;
        if (ok && nv == 0) {
            old = ds_scn_path_key(&c->path, "values");
            verr(c, "must have at least 1 value");
            ds_scn_path_pop(&c->path, old);
            ok = 0;
        } else if (ok && nv != nw) {
            old = ds_scn_path_key(&c->path, "weights");
            verr(c, "must have as many entries as values (%zu), got %zu", nv, nw);
            ds_scn_path_pop(&c->path, old);
            ok = 0;
        }
        if (!ok) {
            free(vals);
            free(wts);
            *out = ds_dist_fixed(0);
            return 0;
        }
        out->u.discrete.n = nv;
        out->u.discrete.values = vals;
        out->u.discrete.weights = wts;
    } else {
        for (size_t i = 0; k->params[i]; i++) {
            double def = (k->kind == DS_DIST_BETA)
                             ? (i == 3 ? 1.0 : 0.0)
                             : (i == 2 ? -INFINITY : INFINITY);
            p[i] = def;
            size_t o2;
            const cJSON *pv = get(c, v, k->params[i], i < k->n_req, &o2);
            if (pv)
                ok &= number_of(c, pv, &p[i]);
            else if (i < k->n_req)
                ok = 0;
            ds_scn_path_pop(&c->path, o2);
        }
        if (!ok)
            return 0;
        switch (k->kind) {
        case DS_DIST_FIXED: out->u.fixed.value = p[0]; break;
        case DS_DIST_UNIFORM:
            out->u.uniform.min = p[0];
            out->u.uniform.max = p[1];
            break;
        case DS_DIST_NORMAL:
            out->u.normal.mean = p[0];
            out->u.normal.sd = p[1];
            out->u.normal.min = p[2];
            out->u.normal.max = p[3];
            break;
        case DS_DIST_LOGNORMAL:
            out->u.lognormal.median = p[0];
            out->u.lognormal.sigma = p[1];
            break;
        case DS_DIST_TRIANGULAR:
        case DS_DIST_PERT:
            out->u.tri.min = p[0];
            out->u.tri.mode = p[1];
            out->u.tri.max = p[2];
            break;
        case DS_DIST_BETA:
            out->u.beta.a = p[0];
            out->u.beta.b = p[1];
            out->u.beta.min = p[2];
            out->u.beta.max = p[3];
            break;
        default: break;
        }
    }

    /* The dist's own rules (SPEC §2). */
    {
        const char *field = "";
        char msg[512] = "";
        if (ds_dist_check(out, &field, msg, sizeof msg) != DS_OK) {
            old = (field && *field) ? ds_scn_path_key(&c->path, field)
                                    : c->path.len;
            verr(c, "%s", msg[0] ? msg : "invalid dist");
            ds_scn_path_pop(&c->path, old);
            ds_dist_free(out);
            return 0;
        }
    }

    /* The quantity's range, over the whole support (SPEC §2, §3.1). */
    {
        double lo, hi, cv;
        ds_dist_support(out, &lo, &hi);
        if (ds_dist_is_constant(out, &cv)) {
            if (!check_range(c, cv, r)) {
                ds_dist_free(out);
                return 0;
            }
        } else if (!in_range(lo, r) || !in_range(hi, r)) {
            char rt[96], l[40], h[40];
            range_text(rt, sizeof rt, r);
            verr(c, "must be %s over the dist's whole support, which is "
                    "[%s, %s]",
                 rt, fmt_num(l, sizeof l, lo), fmt_num(h, sizeof h, hi));
            ds_dist_free(out);
            return 0;
        }
    }
    return 1;
}

/* A dist at obj.key.  Returns 1 when present and valid, 0 when absent (and
 * not required), -1 when a problem was reported. */
static int dist_at(vc *c, const cJSON *obj, const char *key, int req, range r,
                   ds_dist *out)
{
    size_t old;
    int ret;
    const cJSON *v = get(c, obj, key, req, &old);
    if (!v)
        ret = req ? -1 : 0;
    else
        ret = parse_dist(c, v, r, out) ? 1 : -1;
    ds_scn_path_pop(&c->path, old);
    return ret;
}

/* ------------------------------------------------------------- id sets */

typedef struct ident {
    const char *id;
    size_t idx;
} ident;

typedef struct idset {
    ident *v;
    size_t n;
} idset;

static int ident_cmp(const void *a, const void *b)
{
    const ident *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    if (d)
        return d;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Index the non-NULL ids[0..n-1] for lookup by bsearch. */
/* The ids of n list elements of `stride` bytes from base, each element
 * starting with its `char *id` (NULL ids are left out). */
static void idset_of(vc *c, idset *s, const void *base, size_t n, size_t stride)
{
    s->n = 0;
    s->v = xcalloc(c, n, sizeof *s->v);
    if (!s->v)
        return;
    for (size_t i = 0; i < n; i++) {
        char *id = *(char *const *)((const char *)base + i * stride);
        if (id)
            s->v[s->n++] = (ident){id, i};
    }
    qsort(s->v, s->n, sizeof *s->v, ident_cmp);
}

static void idset_make(vc *c, idset *s, char *const *ids, size_t n)
{
    idset_of(c, s, ids, n, sizeof *ids);
}

/* Index of id (its first occurrence), or -1. */
static long idset_find(const idset *s, const char *id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->v[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && strcmp(s->v[lo].id, id) == 0)
        return (long)s->v[lo].idx;
    return -1;
}

/* Report every id that repeats an earlier one: "LIST.ID: duplicate id". */
static void idset_dups(vc *c, const idset *s, const char *list)
{
    unsigned char *dup;
    size_t maxidx = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].idx + 1 > maxidx)
            maxidx = s->v[i].idx + 1;
    dup = xcalloc(c, maxidx, 1);
    if (!dup)
        return;
    for (size_t i = 1; i < s->n; i++)
        if (strcmp(s->v[i].id, s->v[i - 1].id) == 0)
            dup[s->v[i].idx] = 1;
    for (size_t i = 0; i < s->n; i++) {
        if (!dup[s->v[i].idx])
            continue;
        size_t o1 = ds_scn_path_key(&c->path, list);
        ds_scn_path_key(&c->path, s->v[i].id);
        verr(c, "duplicate id '%s'", s->v[i].id);
        ds_scn_path_pop(&c->path, o1);
    }
    free(dup);
}

/* -------------------------------------------------------------- lists */

/* The array at obj.key with its element count checked against [min, max];
 * NULL when absent or not an array. */
static const cJSON *list_at(vc *c, const cJSON *obj, const char *key, int req,
                            size_t min, size_t max, const char *noun_pl,
                            size_t *n)
{
    size_t old;
    const cJSON *v = get(c, obj, key, req, &old);
    *n = 0;
    if (v && !cJSON_IsArray(v)) {
        verr(c, "expected an array, got %s", ds_scn_type(v));
        v = NULL;
    }
    if (v) {
        *n = arr_len(v);
        if (*n < min && min == 1)
            verr(c, "must not be empty%s",
                 strcmp(key, "strategies") == 0
                     ? " (omit the key for one strategy per package)"
                     : "");
        else if (*n < min)
            verr(c, "must have at least %zu %s", min, noun_pl);
        if (*n > max)
            verr(c, "too many %s: %zu (at most %zu)", noun_pl, *n, max);
    }
    ds_scn_path_pop(&c->path, old);
    return v;
}

/* Check that a list element is an object with allowed keys, and read its
 * id (SPEC §1 syntax).  Path: the element pushed.  Returns the id string
 * (borrowed from the JSON) or NULL when unusable (reported). */
static const char *elem_id(vc *c, const cJSON *e, const ds_sfield *fields)
{
    size_t old;
    const cJSON *id;
    if (!cJSON_IsObject(e)) {
        verr(c, "expected an object, got %s", ds_scn_type(e));
        return NULL;
    }
    check_keys(c, e, fields, 0);
    id = get(c, e, "id", REQ, &old);
    if (id && !cJSON_IsString(id)) {
        verr(c, "expected a string, got %s", ds_scn_type(id));
        id = NULL;
    } else if (id && !ds_scn_id_ok(id->valuestring)) {
        verr(c, "invalid id '%.*s' (an id matches [A-Za-z][A-Za-z0-9_]*)",
             SHOWN_MAX, id->valuestring);
        id = NULL;
    }
    ds_scn_path_pop(&c->path, old);
    return id ? id->valuestring : NULL;
}

/* ----------------------------------------------------------- the parts */

typedef struct bctx {
    vc c;
    ds_model *m;
    idset dims, items, packages, third;
} bctx;

static void build_sources(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    char **ids;
    idset set;
    const cJSON *l = list_at(c, root, "sources", OPT, 0, SIZE_MAX, "sources", &n);
    if (!l)
        return;
    m->sources = xcalloc(c, n, sizeof *m->sources);
    if (!m->sources)
        return;
    m->n_sources = n;
    size_t o0 = ds_scn_path_key(&c->path, "sources");
    for (const cJSON *e = l->child; e; e = e->next, i++) {
        /* Source ids are free text (e.g. "FR 2025-12345"), so sources are
         * always named by position. */
        size_t o1 = ds_scn_path_index(&c->path, i), o2;
        if (!cJSON_IsObject(e)) {
            verr(c, "expected an object, got %s", ds_scn_type(e));
            ds_scn_path_pop(&c->path, o1);
            continue;
        }
        check_keys(c, e, f_source, 0);
        if (str_at(c, e, "id", REQ, &m->sources[i].id) && m->sources[i].id &&
            !m->sources[i].id[0]) {
            o2 = ds_scn_path_key(&c->path, "id");
            verr(c, "must not be empty");
            ds_scn_path_pop(&c->path, o2);
        }
        str_at(c, e, "text", REQ, &m->sources[i].text);
        ds_scn_path_pop(&c->path, o1);
    }
    /* Unique ids: sorted, so a long list stays fast. */
    ids = xcalloc(c, n, sizeof *ids);
    if (ids) {
        for (i = 0; i < n; i++)
            ids[i] = m->sources[i].id && m->sources[i].id[0] ? m->sources[i].id
                                                             : NULL;
        idset_make(c, &set, ids, n);
        for (i = 1; set.v && i < set.n; i++) {
            if (strcmp(set.v[i].id, set.v[i - 1].id) != 0)
                continue;
            size_t o1 = ds_scn_path_index(&c->path, set.v[i].idx);
            size_t o2 = ds_scn_path_key(&c->path, "id");
            verr(c, "duplicate source id '%.*s'", SHOWN_MAX, set.v[i].id);
            ds_scn_path_pop(&c->path, o2);
            ds_scn_path_pop(&c->path, o1);
        }
        free(set.v);
        free(ids);
    }
    ds_scn_path_pop(&c->path, o0);
}

static void build_dims(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    const cJSON *l = list_at(c, root, "dimensions", OPT, 0, DS_MAX_DIMENSIONS,
                             "dimensions", &n);
    if (l) {
        m->dims = xcalloc(c, n, sizeof *m->dims);
        if (!m->dims)
            return;
        m->n_dims = n;
        size_t o0 = ds_scn_path_key(&c->path, "dimensions");
        for (const cJSON *e = l->child; e; e = e->next, i++) {
            size_t o1 = ds_scn_path_index(&c->path, i);
            if (!cJSON_IsString(e))
                verr(c, "expected a string, got %s", ds_scn_type(e));
            else if (!ds_scn_id_ok(e->valuestring))
                verr(c, "invalid id '%.*s' (an id matches [A-Za-z][A-Za-z0-9_]*)",
                     SHOWN_MAX, e->valuestring);
            else if (strcmp(e->valuestring, "deficit") == 0)
                verr(c, "'deficit' is reserved (it is always a dimension)");
            else
                m->dims[i] = xstrdup(c, e->valuestring);
            ds_scn_path_pop(&c->path, o1);
        }
        ds_scn_path_pop(&c->path, o0);
    }
    idset_of(c, &b->dims, m->dims, m->n_dims, sizeof *m->dims);
    idset_dups(c, &b->dims, "dimensions");
}

static void build_third(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    const cJSON *l = list_at(c, root, "third_parties", OPT, 0,
                             DS_MAX_THIRD_PARTIES, "third parties", &n);
    if (l) {
        m->third = xcalloc(c, n, sizeof *m->third);
        if (!m->third)
            return;
        m->n_third = n;
        size_t o0 = ds_scn_path_key(&c->path, "third_parties");
        for (const cJSON *e = l->child; e; e = e->next, i++) {
            ds_third_party *t = &m->third[i];
            size_t o1 = ds_scn_path_elem(&c->path, e, i);
            const char *id = elem_id(c, e, f_third);
            if (id) {
                t->id = xstrdup(c, id);
                t->label = xstrdup(c, id);
            }
            if (cJSON_IsObject(e)) {
                str_at(c, e, "label", OPT, &t->label);
                const cJSON *ret = obj_at(c, e, "retaliation", REQ);
                if (ret) {
                    size_t o2 = ds_scn_path_key(&c->path, "retaliation");
                    check_keys(c, ret, f_retaliation, 0);
                    num_at(c, ret, "base", REQ, R_ANY, &t->base);
                    num_at(c, ret, "slope", REQ, R_ANY, &t->slope);
                    ds_scn_path_pop(&c->path, o2);
                }
                dist_at(c, e, "cost_per_exposure", REQ, R_GE0,
                        &t->cost_per_exposure);
            }
            ds_scn_path_pop(&c->path, o1);
        }
        ds_scn_path_pop(&c->path, o0);
    }
    idset_of(c, &b->third, m->third, m->n_third, sizeof *m->third);
    idset_dups(c, &b->third, "third_parties");
}

static void build_lines(bctx *b, const cJSON *root, int *need_elasticity,
                        const char **needy)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    idset set;
    const cJSON *l = list_at(c, root, "lines", REQ, 1, DS_MAX_LINES, "lines", &n);
    if (!l)
        return;
    m->lines = xcalloc(c, n, sizeof *m->lines);
    if (!m->lines)
        return;
    m->n_lines = n;
    size_t o0 = ds_scn_path_key(&c->path, "lines");
    for (const cJSON *e = l->child; e; e = e->next, i++) {
        ds_line *ln = &m->lines[i];
        size_t o1 = ds_scn_path_elem(&c->path, e, i);
        const char *id = elem_id(c, e, f_line);
        if (id)
            ln->id = xstrdup(c, id);
        if (cJSON_IsObject(e)) {
            dist_at(c, e, "exports", REQ, R_GE0, &ln->exports);
            dist_at(c, e, "current", REQ, R_GE0, &ln->current);
            dist_at(c, e, "no_deal", REQ, R_GE0, &ln->no_deal);
            dist_at(c, e, "deal", REQ, R_GE0, &ln->deal);
            if (cJSON_GetObjectItemCaseSensitive(e, "elasticity")) {
                ln->has_elasticity = 1;
                dist_at(c, e, "elasticity", OPT, R_GE0, &ln->elasticity);
            } else if (!*need_elasticity) {
                *need_elasticity = 1;
                *needy = id ? id : "";
            }
        }
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, o0);
    idset_of(c, &set, m->lines, n, sizeof *m->lines);
    idset_dups(c, &set, "lines");
    free(set.v);
}

static void build_items(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    const cJSON *l = list_at(c, root, "items", OPT, 0, DS_MAX_ITEMS, "items", &n);
    if (l) {
        m->items = xcalloc(c, n, sizeof *m->items);
        if (!m->items)
            return;
        m->n_items = n;
        size_t o0 = ds_scn_path_key(&c->path, "items");
        for (const cJSON *e = l->child; e; e = e->next, i++) {
            ds_item *it = &m->items[i];
            size_t o1 = ds_scn_path_elem(&c->path, e, i);
            const char *id = elem_id(c, e, f_item);
            it->delivery = ds_dist_fixed(1);
            it->scores = xcalloc(c, m->n_dims, sizeof *it->scores);
            it->exposure = xcalloc(c, m->n_third, sizeof *it->exposure);
            for (size_t k = 0; it->scores && k < m->n_dims; k++)
                it->scores[k] = ds_dist_fixed(0);
            if (id) {
                it->id = xstrdup(c, id);
                it->label = xstrdup(c, id);
            }
            if (!cJSON_IsObject(e) || !it->scores || !it->exposure) {
                ds_scn_path_pop(&c->path, o1);
                continue;
            }
            str_at(c, e, "label", OPT, &it->label);
            dist_at(c, e, "deficit_effect", REQ, R_ANY, &it->deficit_effect);
            dist_at(c, e, "cost", REQ, R_ANY, &it->cost);
            if (dist_at(c, e, "delivery", OPT, R_PROB, &it->delivery) < 0)
                it->delivery = ds_dist_fixed(1);
            const cJSON *sc = obj_at(c, e, "scores", OPT);
            if (sc) {
                size_t o2 = ds_scn_path_key(&c->path, "scores");
                for (const cJSON *k = sc->child; k; k = k->next) {
                    if (k->string[0] == '_')
                        continue;
                    size_t o3 = ds_scn_path_key(&c->path, k->string);
                    long d = idset_find(&b->dims, k->string);
                    if (strcmp(k->string, "deficit") == 0)
                        verr(c, "'deficit' is reserved and cannot be scored "
                                "(use deficit_effect)");
                    else if (d < 0)
                        verr(c, "unknown dimension '%.*s'", SHOWN_MAX, k->string);
                    else {
                        ds_dist tmp;
                        if (parse_dist(c, k, R_ANY, &tmp)) {
                            ds_dist_free(&it->scores[d]);
                            it->scores[d] = tmp;
                        }
                    }
                    ds_scn_path_pop(&c->path, o3);
                }
                ds_scn_path_pop(&c->path, o2);
            }
            const cJSON *ex = obj_at(c, e, "exposure", OPT);
            if (ex) {
                size_t o2 = ds_scn_path_key(&c->path, "exposure");
                for (const cJSON *k = ex->child; k; k = k->next) {
                    if (k->string[0] == '_')
                        continue;
                    size_t o3 = ds_scn_path_key(&c->path, k->string);
                    long q = idset_find(&b->third, k->string);
                    double x;
                    if (q < 0)
                        verr(c, "unknown third party '%.*s'", SHOWN_MAX,
                             k->string);
                    else if (number_of(c, k, &x) && check_range(c, x, R_GE0))
                        it->exposure[q] = x;
                    ds_scn_path_pop(&c->path, o3);
                }
                ds_scn_path_pop(&c->path, o2);
            }
            ds_scn_path_pop(&c->path, o1);
        }
        ds_scn_path_pop(&c->path, o0);
    }
    idset_of(c, &b->items, m->items, m->n_items, sizeof *m->items);
    idset_dups(c, &b->items, "items");
}

static void build_packages(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    const cJSON *l = list_at(c, root, "packages", REQ, 1, DS_MAX_PACKAGES,
                             "packages", &n);
    if (l) {
        m->packages = xcalloc(c, n, sizeof *m->packages);
        if (!m->packages)
            return;
        m->n_packages = n;
        size_t o0 = ds_scn_path_key(&c->path, "packages");
        for (const cJSON *e = l->child; e; e = e->next, i++) {
            ds_package *p = &m->packages[i];
            size_t o1 = ds_scn_path_elem(&c->path, e, i);
            const char *id = elem_id(c, e, f_package);
            if (id) {
                p->id = xstrdup(c, id);
                p->label = xstrdup(c, id);
            }
            if (!cJSON_IsObject(e)) {
                ds_scn_path_pop(&c->path, o1);
                continue;
            }
            str_at(c, e, "label", OPT, &p->label);
            const cJSON *its = obj_at(c, e, "items", REQ);
            if (its) {
                size_t k = 0, cnt = 0;
                for (const cJSON *x = its->child; x; x = x->next)
                    cnt += x->string[0] != '_';
                p->item = xcalloc(c, cnt, sizeof *p->item);
                p->x = xcalloc(c, cnt, sizeof *p->x);
                if (!p->item || !p->x) {
                    ds_scn_path_pop(&c->path, o1);
                    continue;
                }
                p->n = cnt;
                size_t o2 = ds_scn_path_key(&c->path, "items");
                for (const cJSON *x = its->child; x; x = x->next) {
                    if (x->string[0] == '_')
                        continue;
                    size_t o3 = ds_scn_path_key(&c->path, x->string);
                    long it = idset_find(&b->items, x->string);
                    double v;
                    if (it < 0)
                        verr(c, "unknown item '%.*s'", SHOWN_MAX, x->string);
                    else if (number_of(c, x, &v) && check_range(c, v, R_GE0)) {
                        p->item[k] = (size_t)it;
                        p->x[k] = v;
                    }
                    k++;
                    ds_scn_path_pop(&c->path, o3);
                }
                ds_scn_path_pop(&c->path, o2);
            }
            ds_scn_path_pop(&c->path, o1);
        }
        ds_scn_path_pop(&c->path, o0);
    }
    idset_of(c, &b->packages, m->packages, m->n_packages, sizeof *m->packages);
    idset_dups(c, &b->packages, "packages");
}

/* An array of ids referring to `set` (offers, champions); *out gets indices. */
static void ref_list(bctx *b, const cJSON *obj, const char *key, int req,
                     const idset *set, const char *noun, size_t min,
                     size_t **out, size_t *nout)
{
    vc *c = &b->c;
    size_t old, i = 0;
    const cJSON *v = get(c, obj, key, req, &old);
    if (v && !cJSON_IsArray(v))
        verr(c, "expected an array of %s ids, got %s", noun, ds_scn_type(v));
    else if (v) {
        size_t n = arr_len(v);
        if (n < min)
            verr(c, "must not be empty");
        *out = xcalloc(c, n, sizeof **out);
        if (*out) {
            *nout = n;
            for (const cJSON *e = v->child; e; e = e->next, i++) {
                size_t o2 = ds_scn_path_index(&c->path, i);
                long k;
                if (!cJSON_IsString(e))
                    verr(c, "expected a string (a %s id), got %s", noun,
                         ds_scn_type(e));
                else if ((k = idset_find(set, e->valuestring)) < 0)
                    verr(c, "unknown %s '%.*s'", noun, SHOWN_MAX, e->valuestring);
                else
                    (*out)[i] = (size_t)k;
                ds_scn_path_pop(&c->path, o2);
            }
        }
    }
    ds_scn_path_pop(&c->path, old);
}

static void build_strategies(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    idset set;
    const cJSON *l;

    if (!cJSON_GetObjectItemCaseSensitive(root, "strategies")) {
        /* SPEC §3.1, §5.5: one strategy per package, same id and label. */
        m->strategies = xcalloc(c, m->n_packages, sizeof *m->strategies);
        if (!m->strategies)
            return;
        m->n_strategies = m->n_packages;
        for (i = 0; i < m->n_packages; i++) {
            ds_strategy *s = &m->strategies[i];
            s->id = m->packages[i].id ? xstrdup(c, m->packages[i].id) : NULL;
            s->label = m->packages[i].label ? xstrdup(c, m->packages[i].label)
                                            : NULL;
            s->offers = xcalloc(c, 1, sizeof *s->offers);
            if (s->offers) {
                s->n_offers = 1;
                s->offers[0] = i;
            }
        }
        return;
    }
    m->strategies_given = 1;
    l = list_at(c, root, "strategies", OPT, 1, DS_MAX_STRATEGIES, "strategies",
                &n);
    if (!l || n == 0)
        return;
    m->strategies = xcalloc(c, n, sizeof *m->strategies);
    if (!m->strategies)
        return;
    m->n_strategies = n;
    size_t o0 = ds_scn_path_key(&c->path, "strategies");
    for (const cJSON *e = l->child; e; e = e->next, i++) {
        ds_strategy *s = &m->strategies[i];
        size_t o1 = ds_scn_path_elem(&c->path, e, i);
        const char *id = elem_id(c, e, f_strategy);
        if (id) {
            s->id = xstrdup(c, id);
            s->label = xstrdup(c, id);
        }
        if (cJSON_IsObject(e)) {
            str_at(c, e, "label", OPT, &s->label);
            ref_list(b, e, "offers", REQ, &b->packages, "package", 1,
                     &s->offers, &s->n_offers);
        }
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, o0);
    idset_of(c, &set, m->strategies, n, sizeof *m->strategies);
    idset_dups(c, &set, "strategies");
    free(set.v);
}

static void build_actor(bctx *b, const cJSON *e, ds_actor *a, int *decider_seen,
                        const char **decider_id)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t old;
    const cJSON *role = get(c, e, "role", REQ, &old);
    int is_member = 0, is_decider = 0;
    if (role) {
        if (cJSON_IsString(role) && strcmp(role->valuestring, "member") == 0)
            is_member = 1;
        else if (cJSON_IsString(role) && strcmp(role->valuestring, "decider") == 0)
            is_decider = 1;
        else if (cJSON_IsString(role))
            verr(c, "must be \"member\" or \"decider\", got \"%.*s\"", SHOWN_MAX,
                 role->valuestring);
        else
            verr(c, "expected a string, got %s", ds_scn_type(role));
        if (is_decider && *decider_seen)
            verr(c, "at most one decider (already '%s')", *decider_id);
        if (is_decider && !*decider_seen) {
            *decider_seen = 1;
            *decider_id = a->id ? a->id : "?";
            m->decider = (int)(a - m->actors);
        }
    }
    ds_scn_path_pop(&c->path, old);
    a->role = is_decider ? DS_ROLE_DECIDER : DS_ROLE_MEMBER;

    /* weights: {"deficit" or dimension: number >= 0}, not all 0 (§3.1). */
    a->weights = xcalloc(c, 1 + m->n_dims, sizeof *a->weights);
    const cJSON *w = obj_at(c, e, "weights", REQ);
    if (w && a->weights) {
        int any = 0, bad = 0;
        size_t o2 = ds_scn_path_key(&c->path, "weights");
        for (const cJSON *k = w->child; k; k = k->next) {
            if (k->string[0] == '_')
                continue;
            size_t o3 = ds_scn_path_key(&c->path, k->string);
            long d = strcmp(k->string, "deficit") == 0
                         ? 0
                         : (idset_find(&b->dims, k->string) < 0
                                ? -1
                                : 1 + idset_find(&b->dims, k->string));
            double x;
            if (d < 0) {
                verr(c, "unknown dimension '%.*s'", SHOWN_MAX, k->string);
                bad = 1;
            } else if (number_of(c, k, &x) && check_range(c, x, R_GE0)) {
                a->weights[d] = x;
                any |= x > 0;
            } else
                bad = 1;
            ds_scn_path_pop(&c->path, o3);
        }
        if (!any && !bad)
            verr(c, "must not all be 0 (give some key a positive weight)");
        ds_scn_path_pop(&c->path, o2);
    }
    num_at(c, e, "weight_certainty", OPT, R_GE0, &a->weight_certainty);
    dist_at(c, e, "threshold", REQ, R_ANY, &a->threshold);
    dist_at(c, e, "concession", OPT, R_ANY, &a->concession);
    num_at(c, e, "noise", OPT, R_GE0, &a->noise);
    num_at(c, e, "credit", OPT, R_GE0, &a->credit);
    ref_list(b, e, "champions", OPT, &b->items, "item", 0, &a->champions,
             &a->n_champions);

    /* Keys of the other role are errors (§3.1). */
    static const char *const member_only[] = {"influence", "veto", "attendance"};
    for (size_t k = 0; k < 3; k++) {
        if (is_decider && cJSON_GetObjectItemCaseSensitive(e, member_only[k])) {
            old = ds_scn_path_key(&c->path, member_only[k]);
            verr(c, "not allowed on the decider (members only)");
            ds_scn_path_pop(&c->path, old);
        }
    }
    if (is_member && cJSON_GetObjectItemCaseSensitive(e, "team_weight")) {
        old = ds_scn_path_key(&c->path, "team_weight");
        verr(c, "not allowed on a member (decider only)");
        ds_scn_path_pop(&c->path, old);
    }
    if (!is_decider) {
        num_at(c, e, "influence", OPT, R_GT0, &a->influence);
        bool_at(c, e, "veto", &a->veto);
        num_at(c, e, "attendance", OPT, R_PROB, &a->attendance);
    }
    if (!is_member)
        num_at(c, e, "team_weight", OPT, R_GE0, &a->team_weight);
}

static void build_actors(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    size_t n, i = 0;
    idset set;
    int decider_seen = 0;
    const char *decider_id = NULL;
    const cJSON *l = list_at(c, root, "actors", REQ, 1, DS_MAX_ACTORS, "actors", &n);
    if (!l)
        return;
    m->actors = xcalloc(c, n, sizeof *m->actors);
    if (!m->actors)
        return;
    m->n_actors = n;
    size_t o0 = ds_scn_path_key(&c->path, "actors");
    for (const cJSON *e = l->child; e; e = e->next, i++) {
        ds_actor *a = &m->actors[i];
        size_t o1 = ds_scn_path_elem(&c->path, e, i);
        const char *id = elem_id(c, e, f_actor);
        a->influence = 1;
        a->attendance = 1;
        a->threshold = ds_dist_fixed(0);
        a->concession = ds_dist_fixed(0);
        if (id) {
            a->id = xstrdup(c, id);
            a->label = xstrdup(c, id);
        }
        if (cJSON_IsObject(e)) {
            str_at(c, e, "label", OPT, &a->label);
            build_actor(b, e, a, &decider_seen, &decider_id);
        }
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, o0);
    idset_of(c, &set, m->actors, n, sizeof *m->actors);
    idset_dups(c, &set, "actors");
    free(set.v);
}

static void build_protocol(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_protocol *p = &b->m->protocol;
    double rounds = 1;
    const cJSON *pr = obj_at(c, root, "protocol", OPT);
    size_t o0 = ds_scn_path_key(&c->path, "protocol");
    if (pr)
        check_keys(c, pr, f_protocol, 0);
    if (!pr && !cJSON_GetObjectItemCaseSensitive(root, "protocol")) {
        size_t o1 = ds_scn_path_key(&c->path, "rounds");
        verr(c, "missing required key");
        ds_scn_path_pop(&c->path, o1);
    }
    if (pr) {
        if (int_at(c, pr, "rounds", REQ, 1, DS_MAX_ROUNDS, &rounds))
            p->rounds = (int)rounds;
        num_at(c, pr, "quorum", OPT, R_OC01, &p->quorum);
        num_at(c, pr, "disconnect", OPT, R_PROB, &p->disconnect);
        num_at(c, pr, "stall_on_split", OPT, R_PROB, &p->stall_on_split);
        size_t old;
        const cJSON *da = get(c, pr, "decider_acts", OPT, &old);
        if (da) {
            if (cJSON_IsString(da) && strcmp(da->valuestring, "deadline") == 0)
                p->decider_acts = DS_DECIDER_DEADLINE;
            else if (cJSON_IsString(da) &&
                     strcmp(da->valuestring, "every_round") == 0)
                p->decider_acts = DS_DECIDER_EVERY_ROUND;
            else if (cJSON_IsString(da))
                verr(c, "must be \"every_round\" or \"deadline\", got \"%.*s\"",
                     SHOWN_MAX, da->valuestring);
            else
                verr(c, "expected a string, got %s", ds_scn_type(da));
        }
        ds_scn_path_pop(&c->path, old);
    }
    ds_scn_path_pop(&c->path, o0);
}

static void build_home(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    const cJSON *h = obj_at(c, root, "home", OPT);
    int absent = !cJSON_GetObjectItemCaseSensitive(root, "home");
    size_t o0 = ds_scn_path_key(&c->path, "home");
    if (h) {
        check_keys(c, h, f_home, 0);
        str_at(c, h, "name", OPT, &m->home_name);
        num_at(c, h, "discount", OPT, R_OC01, &m->discount);
    }
    if (h || absent) {
        /* Both dists are required even when `home` itself is missing. */
        dist_at(c, h, "tariff_burden", REQ, R_PROB, &m->tariff_burden);
        dist_at(c, h, "margin", REQ, R_PROB, &m->margin);
    }
    ds_scn_path_pop(&c->path, o0);

    const cJSON *cp = obj_at(c, root, "counterpart", OPT);
    if (cp) {
        o0 = ds_scn_path_key(&c->path, "counterpart");
        check_keys(c, cp, f_counterpart, 0);
        str_at(c, cp, "name", OPT, &m->counterpart_name);
        ds_scn_path_pop(&c->path, o0);
    }
}

static void build_simulation(bctx *b, const cJSON *root)
{
    vc *c = &b->c;
    ds_model *m = b->m;
    const cJSON *s = obj_at(c, root, "simulation", OPT);
    double x;
    if (!s)
        return;
    size_t o0 = ds_scn_path_key(&c->path, "simulation");
    check_keys(c, s, f_simulation, 0);
    /* draws: the same exact-integer ceiling as the seed (2^53 - 1), since a
     * JSON number is a double. */
    if (int_at(c, s, "draws", OPT, 1, DS_MAX_FILE_SEED, &x) &&
        cJSON_GetObjectItemCaseSensitive(s, "draws"))
        m->draws = (uint64_t)x;
    if (int_at(c, s, "seed", OPT, 0, DS_MAX_FILE_SEED, &x) &&
        cJSON_GetObjectItemCaseSensitive(s, "seed"))
        m->seed = (uint64_t)x;
    ds_scn_path_pop(&c->path, o0);
}

/* Prepare every dist of the model (sampling constants, SPEC §2). */
static int prepare_all(ds_model *m)
{
    int rc = DS_OK;
#define PREP(d) do { if (ds_dist_prepare(d) != DS_OK) rc = DS_ENOMEM; } while (0)
    PREP(&m->tariff_burden);
    PREP(&m->margin);
    PREP(&m->baseline_deficit);
    PREP(&m->elasticity);
    for (size_t i = 0; i < m->n_lines; i++) {
        PREP(&m->lines[i].exports);
        PREP(&m->lines[i].current);
        PREP(&m->lines[i].no_deal);
        PREP(&m->lines[i].deal);
        PREP(&m->lines[i].elasticity);
    }
    for (size_t i = 0; i < m->n_items; i++) {
        PREP(&m->items[i].deficit_effect);
        PREP(&m->items[i].cost);
        PREP(&m->items[i].delivery);
        for (size_t k = 0; k < m->n_dims; k++)
            PREP(&m->items[i].scores[k]);
    }
    for (size_t i = 0; i < m->n_actors; i++) {
        PREP(&m->actors[i].threshold);
        PREP(&m->actors[i].concession);
    }
    for (size_t i = 0; i < m->n_third; i++)
        PREP(&m->third[i].cost_per_exposure);
#undef PREP
    return rc;
}

int ds_scenario_build(const ds_scenario *s, ds_model **out, ds_report *rep)
{
    bctx b;
    vc *c = &b.c;
    ds_model *m;
    const cJSON *root = s->root;
    double x;
    int need_el = 0, rc;
    const char *needy = NULL;

    *out = NULL;
    memset(&b, 0, sizeof b);
    c->file = s->file;
    c->rep = rep;
    m = b.m = calloc(1, sizeof *m);
    if (!m) {
        ds_report_add(rep, "%s: error: out of memory", s->file);
        return DS_ENOMEM;
    }
    /* Defaults of SPEC §3. */
    m->discount = 1;
    m->decider = -1;
    m->protocol.rounds = 1;
    m->protocol.quorum = 0.5;
    m->protocol.decider_acts = DS_DECIDER_DEADLINE;
    m->draws = 100000;
    m->seed = 1;
    m->tariff_burden = m->margin = m->baseline_deficit = m->elasticity =
        ds_dist_fixed(0);

    check_keys(c, root, ds_scn_top, 1);
    if (int_at(c, root, "dealsim", REQ, -INFINITY, INFINITY, &x) &&
        x != DS_FORMAT_VERSION) {
        size_t o = ds_scn_path_key(&c->path, "dealsim");
        verr(c, "unsupported format version %.0f (this dealsim reads %d)", x,
             DS_FORMAT_VERSION);
        ds_scn_path_pop(&c->path, o);
    }
    str_at(c, root, "name", REQ, &m->name);
    str_at(c, root, "description", OPT, &m->description);
    build_sources(&b, root);
    build_home(&b, root);
    if (dist_at(c, root, "baseline_deficit", REQ, R_ANY, &m->baseline_deficit) > 0) {
        /* §5.2: D-bar, the analytic mean, must be > 0. */
        m->baseline_mean = ds_dist_mean(&m->baseline_deficit);
        if (!(m->baseline_mean > 0)) {
            char v[40];
            size_t o = ds_scn_path_key(&c->path, "baseline_deficit");
            verr(c, "its mean must be > 0 (SPEC §5.2), got %s",
                 fmt_num(v, sizeof v, m->baseline_mean));
            ds_scn_path_pop(&c->path, o);
        }
    }
    if (dist_at(c, root, "elasticity", OPT, R_GE0, &m->elasticity) != 0)
        m->has_elasticity = 1;
    build_dims(&b, root);
    build_third(&b, root);
    build_lines(&b, root, &need_el, &needy);
    if (need_el && !cJSON_GetObjectItemCaseSensitive(root, "elasticity")) {
        size_t o = ds_scn_path_key(&c->path, "elasticity");
        verr(c, "missing required key (line '%s' has no elasticity of its own)",
             needy);
        ds_scn_path_pop(&c->path, o);
    }
    build_items(&b, root);
    build_packages(&b, root);
    build_strategies(&b, root);
    build_actors(&b, root);
    build_protocol(&b, root);
    build_simulation(&b, root);

    /* Fill the defaults that depend on other fields. */
    if (!m->description)
        m->description = xstrdup(c, "");
    if (!m->home_name)
        m->home_name = xstrdup(c, "home");
    if (!m->counterpart_name)
        m->counterpart_name = xstrdup(c, "counterpart");

    free(b.dims.v);
    free(b.items.v);
    free(b.packages.v);
    free(b.third.v);

    if (c->nomem) {
        ds_report_add(rep, "%s: error: out of memory", s->file);
        rc = DS_ENOMEM;
        goto fail;
    }
    if (c->n_err || s->n_dup) {
        rc = DS_EINVAL;
        goto fail;
    }
    rc = prepare_all(m);
    if (rc != DS_OK) {
        ds_report_add(rep, "%s: error: out of memory", s->file);
        goto fail;
    }
    *out = m;
    return DS_OK;
fail:
    ds_model_free(m);
    return rc;
}
