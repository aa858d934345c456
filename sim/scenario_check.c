/*
 * scenario_check.c - the generic check of a parsed scenario against the
 * format table (format.h), for ds_scenario_build (scenario_build.c): each
 * key is read as its row says (kind, required, default, range, integer,
 * dist, where it goes in the model) and lists, id lists and id maps are
 * handled the same way everywhere.  A row that names a rule has it applied
 * by scenario_build.c.  Also the SPEC §4 paths and the did-you-mean shared
 * with scenario.c, and the bound on every quantity (DS_MAX_MAGNITUDE).
 */
#include "scenario_priv.h"
#include "suggest.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

/* ENUM keys are stored through an int. */
_Static_assert(sizeof(ds_role) == sizeof(int), "ds_role is stored as an int");
_Static_assert(sizeof(ds_decider_acts) == sizeof(int),
               "ds_decider_acts is stored as an int");

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

/* Append pre (lp bytes) + s (cut at SHOWN_MAX with "...") to the text
 * buf[*len] (of DS_SCN_PATH_MAX bytes).  A segment that fits (all but in
 * absurdly deep or long paths) is copied once. */
static void path_append(char *buf, size_t *len, const char *pre, size_t lp,
                        const char *s)
{
    char seg[2 + SHOWN_MAX + 3];
    size_t room = DS_SCN_PATH_MAX - *len;
    size_t ls = strnlen(s, SHOWN_MAX + 1), n;

    if (ls <= SHOWN_MAX && lp + ls < room) {
        memcpy(buf + *len, pre, lp);
        memcpy(buf + *len + lp, s, ls);
        *len += lp + ls;
        buf[*len] = '\0';
        return;
    }
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
        memcpy(buf + *len, seg, room - 1);
        *len = DS_SCN_PATH_MAX - 1;
    } else {
        memcpy(buf + *len, seg, n);
        *len += n;
    }
    buf[*len] = '\0';
}

void ds_scn_path_init(ds_scn_path *p)
{
    p->n = 0;
    p->buf[0] = '\0';
}

static size_t path_push(ds_scn_path *p, const char *key, size_t index)
{
    size_t old = p->n;
    if (p->n < DS_SCN_PATH_PARTS)
        p->part[p->n] = (ds_scn_part){key, index};
    p->n++;
    return old;
}

size_t ds_scn_path_key(ds_scn_path *p, const char *key)
{
    return path_push(p, key, 0);
}

size_t ds_scn_path_index(ds_scn_path *p, size_t i)
{
    return path_push(p, NULL, i);
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
    p->n = old;
}

const char *ds_scn_path_text(ds_scn_path *p)
{
    size_t len = 0, n = p->n < DS_SCN_PATH_PARTS ? p->n : DS_SCN_PATH_PARTS;
    p->buf[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        const ds_scn_part *q = &p->part[k];
        if (q->key) {
            path_append(p->buf, &len, ".", len ? 1 : 0, q->key);
        } else {
            /* "[i]", written from the end without printf. */
            char b[32], *e = b + sizeof b - 1;
            size_t i = q->index;
            *e = '\0';
            *--e = ']';
            do
                *--e = (char)('0' + i % 10);
            while ((i /= 10) != 0);
            *--e = '[';
            path_append(p->buf, &len, "", 0, e);
        }
    }
    return p->buf;
}

const char *ds_scn_num(char *b, size_t n, double x)
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

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

/* --------------------------------------------------------- the checker */

void ds_scn_err(ds_scn_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void ds_scn_err(ds_scn_ctx *c, const char *fmt, ...)
{
    char msg[DS_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->n_err++;
    if (*ds_scn_path_text(&c->path))
        ds_report_add(c->rep, "%s: error: %s: %s", c->file, c->path.buf, msg);
    else
        ds_report_add(c->rep, "%s: error: %s", c->file, msg);
}

char *ds_scn_strdup(ds_scn_ctx *c, const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (!d) {
        c->nomem = 1;
        return NULL;
    }
    return strcpy(d, s);
}

void *ds_scn_calloc(ds_scn_ctx *c, size_t n, size_t size)
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

/* Report every key of obj not among names[0..n) (keys starting with '_'
 * are free comments; `$schema` is allowed where allow_schema), with a
 * suggestion, and look each key up once: vals[i] is the member called
 * names[i] (the first, as cJSON_GetObjectItemCaseSensitive finds it), or
 * NULL.  A file's keys mostly come in the table's order, so each search
 * starts after the name last found: about one strcmp per key, where a
 * lookup per name and a check of each key against every name took
 * names x keys. */
static void lookup_names(ds_scn_ctx *c, const cJSON *obj,
                         const char *const *names, size_t n, int allow_schema,
                         const cJSON **vals)
{
    size_t next = 0;
    for (size_t i = 0; i < n; i++)
        vals[i] = NULL;
    for (const cJSON *k = obj->child; k; k = k->next) {
        size_t i = 0, r = next;
        if (k->string[0] == '_')
            continue;
        for (; i < n; i++, r = r + 1 < n ? r + 1 : 0)
            if (strcmp(names[r], k->string) == 0)
                break;
        if (i < n) {
            if (!vals[r])
                vals[r] = k;
            next = r + 1 < n ? r + 1 : 0;
            continue;
        }
        if (allow_schema && strcmp(k->string, "$schema") == 0)
            continue;
        size_t old = ds_scn_path_key(&c->path, k->string);
        const char *s = ds_suggest(k->string, names, n);
        if (s)
            ds_scn_err(c, "unknown key (did you mean '%s'?)", s);
        else
            ds_scn_err(c, "unknown key");
        ds_scn_path_pop(&c->path, old);
    }
}

/* The same for the keys of a format object: vals[i] for fields[i]. */
static void check_keys(ds_scn_ctx *c, const cJSON *obj,
                       const ds_fmt_field *fields, int allow_schema,
                       const cJSON *vals[DS_SCN_MAX_KEYS])
{
    const char *names[DS_SCN_MAX_KEYS];
    size_t n = 0;
    for (const ds_fmt_field *f = fields; f->name && n < DS_SCN_MAX_KEYS; f++)
        names[n++] = f->name;
    lookup_names(c, obj, names, n, allow_schema, vals);
}

/* A range of SPEC §3.1: [lo, hi] with either end open or infinite. */
typedef struct range {
    double lo, hi;
    int lo_open, hi_open;
} range;

static range range_of(const ds_fmt_range *r)
{
    range x = {ds_fmt_lo(r), ds_fmt_hi(r), r->lo_end == DS_FMT_OPEN,
               r->hi_end == DS_FMT_OPEN};
    return x;
}

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
    ds_scn_num(l, sizeof l, r.lo);
    ds_scn_num(h, sizeof h, r.hi);
    if (isinf(r.hi))
        snprintf(b, n, "%s %s", r.lo_open ? ">" : ">=", l);
    else if (isinf(r.lo))
        snprintf(b, n, "%s %s", r.hi_open ? "<" : "<=", h);
    else
        snprintf(b, n, "in %c%s, %s%c", r.lo_open ? '(' : '[', l, h,
                 r.hi_open ? ')' : ']');
}

static int check_range(ds_scn_ctx *c, double x, range r)
{
    char rt[96], v[40];
    if (in_range(x, r))
        return 1;
    range_text(rt, sizeof rt, r);
    ds_scn_err(c, "must be %s, got %s", rt, ds_scn_num(v, sizeof v, x));
    return 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* |x| <= DS_MAX_MAGNITUDE, the bound on every quantity. */
static int check_bound(ds_scn_ctx *c, double x)
{
    char v[40];
    if (fabs(x) <= DS_MAX_MAGNITUDE)
        return 1;
    ds_scn_err(c,
               "must be within ±%s (the largest magnitude of any quantity), "
               "got %s",
               STR(DS_MAX_MAGNITUDE), ds_scn_num(v, sizeof v, x));
    return 0;
}

/* A finite JSON number at node v (path already pushed).  1 ok, 0 reported. */
static int number_of(ds_scn_ctx *c, const cJSON *v, double *out)
{
    if (!cJSON_IsNumber(v)) {
        if (cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "dist"))
            ds_scn_err(
                c,
                "expected a number, got a dist (a dist is not allowed here)");
        else
            ds_scn_err(c, "expected a number, got %s", ds_scn_type(v));
        return 0;
    }
    if (!isfinite(v->valuedouble)) {
        ds_scn_err(c, "must be a finite number, got %s",
                   v->valuedouble < 0 ? "-inf" : "inf");
        return 0;
    }
    *out = v->valuedouble;
    return 1;
}

/* Push `key`, whose value v was looked up (NULL: absent); report it
 * missing when required.  Returns v. */
static const cJSON *enter(ds_scn_ctx *c, const char *key, const cJSON *v,
                          int req, size_t *old)
{
    *old = ds_scn_path_key(&c->path, key);
    if (!v && req)
        ds_scn_err(c, "missing required key");
    return v;
}

/* The same, looking key up in obj (which may be NULL). */
static const cJSON *get(ds_scn_ctx *c, const cJSON *obj, const char *key,
                        int req, size_t *old)
{
    return enter(c, key, obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL,
                 req, old);
}

/* ---------------------------------------------------------------- dists */

/* The numbers of a discrete dist's `values` or `weights`. */
static int num_array(ds_scn_ctx *c, const cJSON *obj, const char *key,
                     double **out, size_t *n)
{
    size_t old, i = 0;
    int ok = 1;
    const cJSON *v = get(c, obj, key, 1, &old);
    *out = NULL;
    *n = 0;
    if (!v) {
        ok = 0;
    } else if (!cJSON_IsArray(v)) {
        ds_scn_err(c, "expected an array of numbers, got %s", ds_scn_type(v));
        ok = 0;
    } else {
        *n = arr_len(v);
        *out = ds_scn_calloc(c, *n, sizeof **out);
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

/* What a dist can draw, checked against DS_MAX_MAGNITUDE: its support, or,
 * where that is unbounded (normal, lognormal), as far as DS_REACH_SD
 * standard deviations.  On a problem, reports it, frees *d and returns 0. */
static int check_dist_bound(ds_scn_ctx *c, ds_dist *d)
{
    double lo, hi, l, h, cv;
    char a[40], b[40];
    int reach = 0;
    ds_dist_support(d, &lo, &hi);
    l = lo, h = hi;
    if (ds_dist_is_constant(d, &cv))
        ;
    else if (d->kind == DS_DIST_NORMAL) {
        double mu = d->u.normal.mean, z = DS_REACH_SD * d->u.normal.sd;
        reach = isinf(lo) || isinf(hi);
        if (isinf(lo))
            l = fmin(hi, mu) - z;
        if (isinf(hi))
            h = fmax(lo, mu) + z;
    } else if (d->kind == DS_DIST_LOGNORMAL) {
        double med = d->u.lognormal.median, s = d->u.lognormal.sigma;
        reach = 1;
        l = med * exp(-DS_REACH_SD * s);
        h = med * exp(DS_REACH_SD * s);
    }
    if (!(fabs(l) <= DS_MAX_MAGNITUDE && fabs(h) <= DS_MAX_MAGNITUDE)) {
        if (reach)
            ds_scn_err(c,
                       "must be within ±%s (the largest magnitude of any "
                       "quantity) over the values the dist draws, which reach "
                       "[%s, %s] at %d standard deviations",
                       STR(DS_MAX_MAGNITUDE), ds_scn_num(a, sizeof a, l),
                       ds_scn_num(b, sizeof b, h), DS_REACH_SD);
        else
            ds_scn_err(c,
                       "must be within ±%s (the largest magnitude of any "
                       "quantity) over the dist's whole support, which is "
                       "[%s, %s]",
                       STR(DS_MAX_MAGNITUDE), ds_scn_num(a, sizeof a, l),
                       ds_scn_num(b, sizeof b, h));
        ds_dist_free(d);
        return 0;
    }
    return 1;
}

/* Parse the dist at node v (path pushed) into *out, checking its own rules
 * (ds_dist_check) and that its whole support lies in r (SPEC §2, §3.1).
 * On failure *out owns nothing. */
static int parse_dist(ds_scn_ctx *c, const cJSON *v, range r, ds_dist *out)
{
    const ds_fmt_dist *k;
    const cJSON *d;
    int ok = 1;
    size_t old;

    *out = ds_dist_fixed(0);
    if (cJSON_IsNumber(v)) {
        double x;
        if (!number_of(c, v, &x) || !check_range(c, x, r) || !check_bound(c, x))
            return 0;
        *out = ds_dist_fixed(x);
        return 1;
    }
    if (!cJSON_IsObject(v)) {
        ds_scn_err(c, "expected a number or a dist object, got %s",
                   ds_scn_type(v));
        return 0;
    }
    d = get(c, v, "dist", 1, &old);
    if (!d) {
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    if (!cJSON_IsString(d)) {
        ds_scn_err(c, "expected a string, got %s", ds_scn_type(d));
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    k = ds_fmt_dist_find(d->valuestring);
    if (!k) {
        const char *names[16];
        char all[160] = "";
        for (size_t i = 0; i < ds_fmt_n_dists && i < 16; i++) {
            names[i] = ds_fmt_dists[i].name;
            strcat(all, i ? ", " : "");
            strcat(all, names[i]);
        }
        const char *s = ds_suggest(d->valuestring, names, ds_fmt_n_dists);
        if (s)
            ds_scn_err(c, "unknown dist '%.*s' (did you mean '%s'?)", SHOWN_MAX,
                       d->valuestring, s);
        else
            ds_scn_err(c, "unknown dist '%.*s' (one of %s)", SHOWN_MAX,
                       d->valuestring, all);
        ds_scn_path_pop(&c->path, old);
        return 0;
    }
    ds_scn_path_pop(&c->path, old);

    /* Unknown keys against this kind's parameters; pvals[1 + i] is the
     * value of k->params[i]. */
    const cJSON *pvals[6];
    {
        const char *names[6];
        size_t n = 0;
        names[n++] = "dist";
        for (size_t i = 0; k->params[i].name; i++)
            names[n++] = k->params[i].name;
        lookup_names(c, v, names, n, 0, pvals);
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
            ds_scn_err(c, "must have at least 1 value");
            ds_scn_path_pop(&c->path, old);
            ok = 0;
        } else if (ok && nv != nw) {
            old = ds_scn_path_key(&c->path, "weights");
            ds_scn_err(c, "must have as many entries as values (%zu), got %zu",
                       nv, nw);
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
        for (size_t i = 0; k->params[i].name; i++) {
            const ds_fmt_param *p = &k->params[i];
            double x = p->def;
            size_t o2;
            const cJSON *pv = enter(c, p->name, pvals[1 + i], p->required, &o2);
            if (pv)
                ok &= number_of(c, pv, &x);
            else if (p->required)
                ok = 0;
            *(double *)at(out, p->off) = x;
            ds_scn_path_pop(&c->path, o2);
        }
        if (!ok) {
            *out = ds_dist_fixed(0);
            return 0;
        }
    }

    /* The dist's own rules (SPEC §2). */
    {
        const char *field = "";
        char msg[512] = "";
        if (ds_dist_check(out, &field, msg, sizeof msg) != DS_OK) {
            old = (field && *field) ? ds_scn_path_key(&c->path, field)
                                    : c->path.n;
            ds_scn_err(c, "%s", msg[0] ? msg : "invalid dist");
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
            ds_scn_err(c,
                       "must be %s over the dist's whole support, which is "
                       "[%s, %s]",
                       rt, ds_scn_num(l, sizeof l, lo),
                       ds_scn_num(h, sizeof h, hi));
            ds_dist_free(out);
            return 0;
        }
    }
    return check_dist_bound(c, out);
}

/* ------------------------------------------------------------- id sets */

static int ident_cmp(const void *a, const void *b)
{
    const ds_scn_ident *x = a, *y = b;
    int d = strcmp(x->id, y->id);
    if (d)
        return d;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Most ids sorted by insertion (at most this many: n^2 / 4 moves). */
#define IDSET_INSERTION_MAX 16

/* Index the ids of n list elements of `stride` bytes from base, each with
 * its `char *id` at byte `off` (NULL and empty ids are left out), for
 * lookup by bsearch. */
static void idset_of(ds_scn_ctx *c, ds_scn_idset *s, const void *base, size_t n,
                     size_t stride, size_t off)
{
    s->n = 0;
    s->v = ds_scn_calloc(c, n, sizeof *s->v);
    if (!s->v)
        return;
    for (size_t i = 0; base && i < n; i++) {
        char *id = *(char *const *)((const char *)base + i * stride + off);
        if (id && id[0])
            s->v[s->n++] = (ds_scn_ident){id, i};
    }
    if (s->n > IDSET_INSERTION_MAX) {
        qsort(s->v, s->n, sizeof *s->v, ident_cmp);
        return;
    }
    /* Insertion sort: the same order (ident_cmp is total), without
     * qsort's set-up, for the few ids of most lists. */
    for (size_t i = 1; i < s->n; i++) {
        ds_scn_ident x = s->v[i];
        size_t j = i;
        for (; j > 0 && ident_cmp(&s->v[j - 1], &x) > 0; j--)
            s->v[j] = s->v[j - 1];
        s->v[j] = x;
    }
}

/* Index of id (its first occurrence), or -1. */
static long idset_find(const ds_scn_idset *s, const char *id)
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

/* ------------------------------------------------- the walk of the table */

static int walk_field(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                      void *base);

/* The top-level list or id list called `name` and its index in ds_fmt_top. */
static const ds_fmt_field *top_list(const char *name, size_t *k)
{
    for (size_t i = 0; ds_fmt_top[i].name; i++)
        if (ds_fmt_top[i].name[0] == name[0] &&
            strcmp(ds_fmt_top[i].name, name) == 0) {
            *k = i;
            return &ds_fmt_top[i];
        }
    return NULL;
}

/* Elements of the top-level list f so far (its count in the model). */
static size_t list_count(const ds_scn_ctx *c, const ds_fmt_field *f)
{
    return *(size_t *)at(c->m, f->off_n);
}

/* Index of `name` among the built-in dimensions, or -1. */
static long builtin_index(const char *name)
{
    for (long i = 0; ds_fmt_builtin_dims[i]; i++)
        if (strcmp(ds_fmt_builtin_dims[i], name) == 0)
            return i;
    return -1;
}

static size_t n_builtin(void)
{
    size_t n = 0;
    while (ds_fmt_builtin_dims[n])
        n++;
    return n;
}

/* Report "unknown NOUN 'ID'" for an id that is not one of list l's, with a
 * did-you-mean from its ids (after the built-in dimensions when a map takes
 * them as keys, `builtin`). */
static void unknown_ref(ds_scn_ctx *c, const ds_fmt_field *l, int builtin,
                        const char *id)
{
    size_t nb = builtin ? n_builtin() : 0, n = list_count(c, l), k = 0;
    const char **names = ds_scn_calloc(c, nb + n, sizeof *names);
    const char *s = NULL;
    char *ids = *(char **)at(c->m, l->off);
    if (names) {
        for (; k < nb; k++)
            names[k] = ds_fmt_builtin_dims[k];
        for (size_t i = 0; ids && i < n; i++)
            names[k++] = l->kind == DS_FMT_LIST
                             ? *(char **)at(ids + i * l->size, l->sub->off)
                             : ((char **)(void *)ids)[i];
        s = ds_suggest(id, names, k);
    }
    if (s)
        ds_scn_err(c, "unknown %s '%.*s' (did you mean '%s'?)", l->noun,
                   SHOWN_MAX, id, s);
    else
        ds_scn_err(c, "unknown %s '%.*s'", l->noun, SHOWN_MAX, id);
    free(names);
}

/* Slots of a non-sparse map: one per built-in dimension when the map takes
 * them, then one per id of its list. */
static size_t map_slots(const ds_scn_ctx *c, const ds_fmt_field *f)
{
    size_t k;
    const ds_fmt_field *l = top_list(f->ref, &k);
    return (f->flags & DS_FMT_BUILTIN ? n_builtin() : 0) +
           (l ? list_count(c, l) : 0);
}

/* Store the defaults of the keys `fields` in base (SPEC §3.1), allocating
 * the slots of maps.  Lists start empty. */
static void init_fields(ds_scn_ctx *c, const ds_fmt_field *fields, void *base)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        if (f->flags & DS_FMT_NOSTORE)
            continue;
        switch (f->kind) {
        case DS_FMT_NUMBER: *(double *)at(base, f->off) = f->def; break;
        case DS_FMT_INTEGER:
            if (f->flags & DS_FMT_U64)
                *(uint64_t *)at(base, f->off) = (uint64_t)f->def;
            else
                *(int *)at(base, f->off) = (int)f->def;
            break;
        case DS_FMT_BOOL: *(int *)at(base, f->off) = f->def != 0; break;
        case DS_FMT_DIST:
            *(ds_dist *)at(base, f->off) = ds_dist_fixed(f->def);
            break;
        case DS_FMT_ENUM:
            for (const ds_fmt_choice *ch = f->choices; f->sdef && ch->name;
                 ch++)
                if (strcmp(ch->name, f->sdef) == 0)
                    *(int *)at(base, f->off) = ch->value;
            break;
        case DS_FMT_STRING:
            if (f->sdef && !(f->flags & DS_FMT_LABEL))
                *(char **)at(base, f->off) = ds_scn_strdup(c, f->sdef);
            break;
        case DS_FMT_OBJECT: init_fields(c, f->sub, base); break;
        case DS_FMT_MAP:
            if (!(f->flags & DS_FMT_SPARSE)) {
                size_t n = map_slots(c, f);
                if (f->elem == DS_FMT_DIST) {
                    ds_dist *d = ds_scn_calloc(c, n, sizeof *d);
                    for (size_t i = 0; d && i < n; i++)
                        d[i] = ds_dist_fixed(f->def);
                    *(ds_dist **)at(base, f->off) = d;
                } else {
                    double *x = ds_scn_calloc(c, n, sizeof *x);
                    for (size_t i = 0; x && i < n; i++)
                        x[i] = f->def;
                    *(double **)at(base, f->off) = x;
                }
            }
            break;
        default: break;
        }
    }
}

/* A scalar key: NUMBER, INTEGER, BOOL, STRING, ENUM or DIST.  Returns 1
 * when present and valid, 0 when absent, -1 when a problem was reported. */
static int walk_scalar(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                       void *base)
{
    size_t old;
    double x;
    char v[40];
    range r = range_of(&f->range);
    int ok = 1;
    const cJSON *j = enter(c, f->name, val, f->flags & DS_FMT_REQ, &old);

    if (!j) {
        ds_scn_path_pop(&c->path, old);
        return f->flags & DS_FMT_REQ ? -1 : 0;
    }
    switch (f->kind) {
    case DS_FMT_NUMBER:
        ok = number_of(c, j, &x) && check_range(c, x, r) && check_bound(c, x);
        if (ok)
            *(double *)at(base, f->off) = x;
        break;
    case DS_FMT_INTEGER:
        ok = number_of(c, j, &x);
        if (ok && floor(x) != x) {
            ds_scn_err(c, "must be an integer, got %s",
                       ds_scn_num(v, sizeof v, x));
            ok = 0;
        }
        /* The format version's rule tells a version out of range. */
        if (ok && f->rule != DS_FMT_RULE_VERSION)
            ok = check_range(c, x, r);
        if (ok && (f->flags & DS_FMT_NOSTORE))
            ;
        else if (ok && (f->flags & DS_FMT_U64))
            *(uint64_t *)at(base, f->off) = (uint64_t)x;
        else if (ok)
            *(int *)at(base, f->off) = (int)x;
        break;
    case DS_FMT_BOOL:
        if (!cJSON_IsBool(j)) {
            ds_scn_err(c, "expected a boolean, got %s", ds_scn_type(j));
            ok = 0;
        } else
            *(int *)at(base, f->off) = cJSON_IsTrue(j);
        break;
    case DS_FMT_STRING:
    case DS_FMT_ID:
        if (!cJSON_IsString(j)) {
            ds_scn_err(c, "expected a string, got %s", ds_scn_type(j));
            ok = 0;
        } else {
            char *s = ds_scn_strdup(c, j->valuestring);
            if (s) {
                free(*(char **)at(base, f->off));
                *(char **)at(base, f->off) = s;
            }
        }
        break;
    case DS_FMT_ENUM: {
        const ds_fmt_choice *ch = f->choices;
        while (ch->name &&
               !(cJSON_IsString(j) && strcmp(ch->name, j->valuestring) == 0))
            ch++;
        if (ch->name)
            *(int *)at(base, f->off) = ch->value;
        else if (cJSON_IsString(j)) {
            char list[256] = "";
            for (size_t i = 0; f->choices[i].name; i++) {
                const char *sep = i == 0                   ? ""
                                  : f->choices[i + 1].name ? ", "
                                                           : " or ";
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s\"%s\"", sep,
                         f->choices[i].name);
            }
            ds_scn_err(c, "must be %s, got \"%.*s\"", list, SHOWN_MAX,
                       j->valuestring);
            ok = 0;
        } else {
            ds_scn_err(c, "expected a string, got %s", ds_scn_type(j));
            ok = 0;
        }
        break;
    }
    case DS_FMT_DIST: {
        ds_dist d;
        ok = parse_dist(c, j, r, &d);
        if (ok) {
            ds_dist_free(at(base, f->off));
            *(ds_dist *)at(base, f->off) = d;
        }
        break;
    }
    default: break;
    }
    ds_scn_path_pop(&c->path, old);
    return ok ? 1 : -1;
}

/* An object key: its keys are checked even when it is absent, so that the
 * required keys inside an optional object are reported as missing. */
static void walk_object(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                        void *base)
{
    size_t old;
    const cJSON *j = enter(c, f->name, val, f->flags & DS_FMT_REQ, &old);
    const cJSON *vals[DS_SCN_MAX_KEYS] = {NULL};
    if (j && !cJSON_IsObject(j)) {
        ds_scn_err(c, "expected an object, got %s", ds_scn_type(j));
        ds_scn_path_pop(&c->path, old);
        return;
    }
    if (j || !(f->flags & (DS_FMT_REQ | DS_FMT_OPTIONAL))) {
        if (j)
            check_keys(c, j, f->sub, 0, vals);
        for (size_t i = 0; f->sub[i].name && i < DS_SCN_MAX_KEYS; i++)
            walk_field(c, vals[i], &f->sub[i], base);
    }
    ds_scn_path_pop(&c->path, old);
}

/* The array at obj.key for a list or id list: NULL when absent or not an
 * array (reported), with its element count checked. */
static const cJSON *array_at(ds_scn_ctx *c, const cJSON *val,
                             const ds_fmt_field *f, size_t *n)
{
    size_t old, max = f->max ? f->max : SIZE_MAX;
    const cJSON *v = enter(c, f->name, val, f->flags & DS_FMT_REQ, &old);
    const ds_fmt_field *l;
    size_t k;
    *n = 0;
    if (v && !cJSON_IsArray(v)) {
        if (f->kind == DS_FMT_IDLIST && f->ref && (l = top_list(f->ref, &k)))
            ds_scn_err(c, "expected an array of %s ids, got %s", l->noun,
                       ds_scn_type(v));
        else
            ds_scn_err(c, "expected an array, got %s", ds_scn_type(v));
        v = NULL;
    }
    if (v) {
        *n = arr_len(v);
        if (f->min && *n < f->min)
            ds_scn_err(c, "must have at least %zu elements, got %zu", f->min, *n);
        if (*n == 0 && (f->flags & DS_FMT_NONEMPTY)) {
            if (f->kind == DS_FMT_LIST && f->sdef)
                ds_scn_err(c, "must not be empty (omit the key for %s)",
                           f->sdef);
            else
                ds_scn_err(c, "must not be empty");
        }
        if (*n > max) {
            char pl[64];
            size_t i;
            for (i = 0; f->name[i] && i + 1 < sizeof pl; i++)
                pl[i] = f->name[i] == '_' ? ' ' : f->name[i];
            pl[i] = '\0';
            ds_scn_err(c, "too many %s: %zu (at most %zu)", pl, *n, max);
        }
    }
    ds_scn_path_pop(&c->path, old);
    return v;
}

/* A list element's id (the first key of its list): checked, stored, and
 * returned (borrowed from the JSON) when usable, else NULL (reported).  The
 * element's path is pushed.  Its keys are looked up into vals (check_keys)
 * when it is an object. */
static const char *elem_id(ds_scn_ctx *c, const cJSON *e,
                           const ds_fmt_field *list, void *elem,
                           const cJSON *vals[DS_SCN_MAX_KEYS])
{
    const ds_fmt_field *idf = list->sub;
    size_t old;
    const cJSON *id;
    if (!cJSON_IsObject(e)) {
        ds_scn_err(c, "expected an object, got %s", ds_scn_type(e));
        return NULL;
    }
    check_keys(c, e, list->sub, 0, vals);
    id = enter(c, idf->name, vals[0], 1, &old);
    if (id && !cJSON_IsString(id)) {
        ds_scn_err(c, "expected a string, got %s", ds_scn_type(id));
        id = NULL;
    } else if (id && idf->kind == DS_FMT_ID && !ds_scn_id_ok(id->valuestring)) {
        ds_scn_err(c, "invalid id '%.*s' (an id matches [A-Za-z][A-Za-z0-9_]*)",
                   SHOWN_MAX, id->valuestring);
        id = NULL;
    }
    if (id)
        *(char **)at(elem, idf->off) = ds_scn_strdup(c, id->valuestring);
    if (id && !id->valuestring[0] && (idf->flags & DS_FMT_NONEMPTY)) {
        ds_scn_err(c, "must not be empty");
        id = NULL;
    }
    ds_scn_path_pop(&c->path, old);
    return id ? id->valuestring : NULL;
}

/* Report every id of the list that repeats an earlier one: by its id when
 * it has id syntax ("items.semis: duplicate id 'semis'"), else by position
 * ("sources[1].id: duplicate source id 'FR 1'"). */
static void report_dups(ds_scn_ctx *c, const ds_fmt_field *f,
                        const ds_scn_idset *s)
{
    for (size_t i = 1; i < s->n; i++) {
        if (strcmp(s->v[i].id, s->v[i - 1].id) != 0)
            continue;
        size_t o1 = ds_scn_path_key(&c->path, f->name);
        if (ds_scn_id_ok(s->v[i].id)) {
            ds_scn_path_key(&c->path, s->v[i].id);
            ds_scn_err(c, "duplicate id '%s'", s->v[i].id);
        } else {
            ds_scn_path_index(&c->path, s->v[i].idx);
            ds_scn_path_key(&c->path, "id");
            ds_scn_err(c, "duplicate %s id '%.*s'", f->noun, SHOWN_MAX,
                       s->v[i].id);
        }
        ds_scn_path_pop(&c->path, o1);
    }
}

/* Keep the ids of a top-level list for the keys that refer to them, or
 * free them. */
static void keep_ids(ds_scn_ctx *c, const ds_fmt_field *f, ds_scn_idset *s)
{
    size_t k;
    if (top_list(f->name, &k) == f && k < DS_SCN_MAX_KEYS) {
        free(c->ids[k].v);
        c->ids[k] = *s;
    } else
        free(s->v);
}

/* Walk the keys of a list element in row order; vals[i] is its member for
 * fields[i] (check_keys).  Keys allowed for one role only are left to
 * DS_FMT_RULE_ROLE.  (The top level is walk_top's.) */
static void walk_keys(ds_scn_ctx *c, const cJSON *const *vals,
                      const ds_fmt_field *fields, void *base, int skip_id);

static void walk_list(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                      void *base)
{
    size_t n, i = 0;
    ds_scn_idset set = {NULL, 0};
    const cJSON *l = array_at(c, val, f, &n);
    char *elems;
    if (!l)
        return;
    elems = ds_scn_calloc(c, n, f->size);
    if (!elems)
        return;
    *(void **)at(base, f->off) = elems;
    *(size_t *)at(base, f->off_n) = n;
    size_t o0 = ds_scn_path_key(&c->path, f->name);
    for (const cJSON *e = l->child; e; e = e->next, i++) {
        void *elem = elems + i * f->size;
        size_t o1 = ds_scn_path_elem(&c->path, e, i);
        init_fields(c, f->sub, elem);
        const cJSON *vals[DS_SCN_MAX_KEYS];
        const char *id = elem_id(c, e, f, elem, vals);
        for (const ds_fmt_field *g = f->sub; id && g->name; g++)
            if (g->flags & DS_FMT_LABEL)
                *(char **)at(elem, g->off) = ds_scn_strdup(c, id);
        if (cJSON_IsObject(e)) {
            walk_keys(c, vals, f->sub, elem, 1);
            ds_scn_rule_elem(c, f, elem, vals);
        }
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, o0);
    idset_of(c, &set, elems, n, f->size, f->sub->off);
    report_dups(c, f, &set);
    keep_ids(c, f, &set);
}

/* An id list: ids declared here (dimensions), or ids of list `ref`. */
static void walk_idlist(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                        void *base)
{
    size_t n, i = 0, k = 0;
    const ds_fmt_field *l = f->ref ? top_list(f->ref, &k) : NULL;
    const cJSON *v = array_at(c, val, f, &n);
    ds_scn_idset set = {NULL, 0};

    if (v) {
        void *arr =
            ds_scn_calloc(c, n, f->ref ? sizeof(size_t) : sizeof(char *));
        if (!arr)
            return;
        *(void **)at(base, f->off) = arr;
        *(size_t *)at(base, f->off_n) = n;
        size_t o0 = ds_scn_path_key(&c->path, f->name);
        for (const cJSON *e = v->child; e; e = e->next, i++) {
            size_t o1 = ds_scn_path_index(&c->path, i);
            long d;
            if (!cJSON_IsString(e)) {
                if (l)
                    ds_scn_err(c, "expected a string (%s %s id), got %s",
                               strchr("aeiou", l->noun[0]) ? "an" : "a", l->noun,
                               ds_scn_type(e));
                else
                    ds_scn_err(c, "expected a string, got %s", ds_scn_type(e));
            } else if (l) {
                if ((d = idset_find(&c->ids[k], e->valuestring)) < 0)
                    unknown_ref(c, l, 0, e->valuestring);
                else
                    ((size_t *)arr)[i] = (size_t)d;
            } else if (!ds_scn_id_ok(e->valuestring))
                ds_scn_err(
                    c,
                    "invalid id '%.*s' (an id matches [A-Za-z][A-Za-z0-9_]*)",
                    SHOWN_MAX, e->valuestring);
            else if (builtin_index(e->valuestring) >= 0)
                ds_scn_err(c, "'%s' is reserved (it is always a %s)",
                           e->valuestring, f->noun);
            else
                ((char **)arr)[i] = ds_scn_strdup(c, e->valuestring);
            ds_scn_path_pop(&c->path, o1);
        }
        ds_scn_path_pop(&c->path, o0);
    }
    if (!f->ref) {
        idset_of(c, &set, *(void **)at(base, f->off),
                 *(size_t *)at(base, f->off_n), sizeof(char *), 0);
        report_dups(c, f, &set);
        keep_ids(c, f, &set);
    }
}

/* A list of paths (SPEC §9), kept as strings for a rule to resolve. */
static void walk_paths(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                       void *base)
{
    size_t n, i = 0;
    const cJSON *v = array_at(c, val, f, &n);
    char **arr;
    if (!v)
        return;
    if (!(arr = ds_scn_calloc(c, n, sizeof *arr)))
        return;
    *(char ***)at(base, f->off) = arr;
    *(size_t *)at(base, f->off_n) = n;
    size_t o0 = ds_scn_path_key(&c->path, f->name);
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t o1 = ds_scn_path_index(&c->path, i);
        if (!cJSON_IsString(e))
            ds_scn_err(c, "expected a string (the path of a dist), got %s", ds_scn_type(e));
        else
            arr[i] = ds_scn_strdup(c, e->valuestring);
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, o0);
}

/* A square matrix of numbers in the row's range: stored row-major with
 * its row count when it is square and every entry valid. */
static void walk_matrix(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                        void *base)
{
    size_t old, n, i = 0, max = f->max ? f->max : SIZE_MAX;
    range r = range_of(&f->range);
    const cJSON *v = enter(c, f->name, val, f->flags & DS_FMT_REQ, &old);
    double *mat;
    int ok = 1;
    if (!v) {
        ds_scn_path_pop(&c->path, old);
        return;
    }
    if (!cJSON_IsArray(v)) {
        ds_scn_err(c, "expected an array of rows (arrays of numbers), got %s",
                   ds_scn_type(v));
        ds_scn_path_pop(&c->path, old);
        return;
    }
    n = arr_len(v);
    if (n == 0 || n > max) {
        if (n == 0)
            ds_scn_err(c, "must not be empty");
        else
            ds_scn_err(c, "too many rows: %zu (at most %zu)", n, max);
        ds_scn_path_pop(&c->path, old);
        return;
    }
    if (!(mat = ds_scn_calloc(c, n * n, sizeof *mat))) {
        ds_scn_path_pop(&c->path, old);
        return;
    }
    for (const cJSON *row = v->child; row; row = row->next, i++) {
        size_t o1 = ds_scn_path_index(&c->path, i), j = 0;
        if (!cJSON_IsArray(row)) {
            ds_scn_err(c, "expected an array of numbers (a row), got %s", ds_scn_type(row));
            ok = 0;
        } else if (arr_len(row) != n) {
            ds_scn_err(c, "must have %zu entries (the matrix is square: as many columns as "
                          "rows), got %zu",
                       n, arr_len(row));
            ok = 0;
        } else {
            for (const cJSON *e = row->child; e; e = e->next, j++) {
                size_t o2 = ds_scn_path_index(&c->path, j);
                double x;
                if (number_of(c, e, &x) && check_range(c, x, r))
                    mat[i * n + j] = x;
                else
                    ok = 0;
                ds_scn_path_pop(&c->path, o2);
            }
        }
        ds_scn_path_pop(&c->path, o1);
    }
    ds_scn_path_pop(&c->path, old);
    if (!ok) {
        free(mat);
        return;
    }
    *(double **)at(base, f->off) = mat;
    *(size_t *)at(base, f->off_n) = n;
}

/* A map {id of list `ref`: value}. */
static void walk_map(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                     void *base)
{
    size_t old, k = 0, nb = f->flags & DS_FMT_BUILTIN ? n_builtin() : 0, i = 0;
    range r = range_of(&f->range);
    const ds_fmt_field *l = top_list(f->ref, &k);
    const cJSON *j = enter(c, f->name, val, f->flags & DS_FMT_REQ, &old);
    int sparse = (f->flags & DS_FMT_SPARSE) != 0, any = 0, bad = 0;
    size_t *idx = NULL;
    double *xs = NULL;

    if (j && !cJSON_IsObject(j)) {
        ds_scn_err(c, "expected an object, got %s", ds_scn_type(j));
        j = NULL;
    }
    ds_scn_path_pop(&c->path, old);
    if (!j)
        return;
    if (sparse) {
        size_t cnt = 0;
        for (const cJSON *x = j->child; x; x = x->next)
            cnt += x->string[0] != '_';
        idx = ds_scn_calloc(c, cnt, sizeof *idx);
        xs = ds_scn_calloc(c, cnt, sizeof *xs);
        if (!idx || !xs) {
            free(idx);
            free(xs);
            return;
        }
        *(size_t **)at(base, f->off) = idx;
        *(double **)at(base, f->off_x) = xs;
        *(size_t *)at(base, f->off_n) = cnt;
    } else if (!*(void **)at(base, f->off))
        return; /* no memory for the slots (reported) */
    old = ds_scn_path_key(&c->path, f->name);
    for (const cJSON *x = j->child; x; x = x->next) {
        if (x->string[0] == '_')
            continue;
        size_t o2 = ds_scn_path_key(&c->path, x->string);
        long bi =
            l && (l->flags & DS_FMT_RESERVED) ? builtin_index(x->string) : -1;
        long slot = -1;
        if (bi >= 0 && nb)
            slot = bi;
        else if (bi >= 0)
            ds_scn_err(c, "'%s' is reserved and cannot be scored (%s)", x->string,
                       bi == 0 ? "use deficit_effect"
                               : "it comes from the package's terms");
        else {
            long d = idset_find(&c->ids[k], x->string);
            if (d < 0) {
                unknown_ref(c, l, nb > 0, x->string);
                bad = 1;
            } else
                slot = (long)nb + d;
        }
        if (slot >= 0 && f->elem == DS_FMT_DIST) {
            ds_dist d;
            if (parse_dist(c, x, r, &d)) {
                ds_dist *arr = *(ds_dist **)at(base, f->off);
                ds_dist_free(&arr[slot]);
                arr[slot] = d;
            }
        } else if (slot >= 0) {
            double v;
            if (number_of(c, x, &v) && check_range(c, v, r) &&
                check_bound(c, v)) {
                if (sparse) {
                    idx[i] = (size_t)slot;
                    xs[i] = v;
                } else
                    (*(double **)at(base, f->off))[slot] = v;
                any |= v > 0;
            } else
                bad = 1;
        }
        i++;
        ds_scn_path_pop(&c->path, o2);
    }
    if ((f->flags & DS_FMT_NONZERO) && !any && !bad)
        ds_scn_err(c, "must not all be 0 (give some key a positive weight)");
    ds_scn_path_pop(&c->path, old);
}

/* Check one key as its row says; then the row's rule.  Returns 1 when
 * present (and, for a scalar, valid), 0 when absent, -1 when a problem with
 * a scalar was reported. */
static int walk_field(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                      void *base)
{
    int given = val != NULL;
    int status = given;
    if ((f->flags & DS_FMT_HAS) && given)
        *(int *)at(base, f->off_has) = 1;
    switch (f->kind) {
    case DS_FMT_OBJECT: walk_object(c, val, f, base); break;
    case DS_FMT_LIST: walk_list(c, val, f, base); break;
    case DS_FMT_IDLIST: walk_idlist(c, val, f, base); break;
    case DS_FMT_MAP: walk_map(c, val, f, base); break;
    case DS_FMT_PATHS: walk_paths(c, val, f, base); break;
    case DS_FMT_MATRIX: walk_matrix(c, val, f, base); break;
    default: status = walk_scalar(c, val, f, base); break;
    }
    if (f->rule)
        ds_scn_rule_after(c, f, base, status);
    return status;
}

/* 1 if a key below f (or f itself) refers to the list called `name`. */
static int refers_to(const ds_fmt_field *f, const char *name)
{
    if (f->ref && strcmp(f->ref, name) == 0)
        return 1;
    if (f->kind == DS_FMT_OBJECT || f->kind == DS_FMT_LIST)
        for (const ds_fmt_field *g = f->sub; g->name; g++)
            if (refers_to(g, name))
                return 1;
    return 0;
}

static void walk_keys(ds_scn_ctx *c, const cJSON *const *vals,
                      const ds_fmt_field *fields, void *base, int skip_id)
{
    for (const ds_fmt_field *f = fields + (skip_id ? 1 : 0); f->name; f++) {
        size_t i = (size_t)(f - fields);
        if (!f->only)
            walk_field(c, i < DS_SCN_MAX_KEYS ? vals[i] : NULL, f, base);
    }
}

/* The order of the top-level walk: row order, but a list other keys refer
 * to before the first key that refers to it.  It depends on the table
 * alone, so it is worked out once per process (finding the references
 * searches every key below each row). */
static size_t top_order[DS_SCN_MAX_KEYS], n_top_order;
static pthread_once_t top_order_once = PTHREAD_ONCE_INIT;

static void top_order_init(void)
{
    unsigned char seen[DS_SCN_MAX_KEYS] = {0};
    for (size_t k = 0; ds_fmt_top[k].name && k < DS_SCN_MAX_KEYS; k++) {
        if (ds_fmt_top[k].only)
            continue;
        for (size_t r = 0; ds_fmt_top[r].name && r < DS_SCN_MAX_KEYS; r++)
            if (!seen[r] && r != k && refers_to(&ds_fmt_top[k], ds_fmt_top[r].name)) {
                seen[r] = 1;
                top_order[n_top_order++] = r;
            }
        if (!seen[k]) {
            seen[k] = 1;
            top_order[n_top_order++] = k;
        }
    }
}

static void walk_top(ds_scn_ctx *c)
{
    pthread_once(&top_order_once, top_order_init);
    for (size_t i = 0; i < n_top_order; i++)
        walk_field(c, c->top[top_order[i]], &ds_fmt_top[top_order[i]], c->m);
}

/* Prepare every dist below `fields` in base (sampling constants, SPEC §2). */
static int prepare_fields(const ds_model *m, const ds_fmt_field *fields,
                          void *base)
{
    int rc = DS_OK;
    for (const ds_fmt_field *f = fields; f->name; f++) {
        if (f->kind == DS_FMT_DIST) {
            if (ds_dist_prepare(at(base, f->off)) != DS_OK)
                rc = DS_ENOMEM;
        } else if (f->kind == DS_FMT_OBJECT) {
            if (prepare_fields(m, f->sub, base) != DS_OK)
                rc = DS_ENOMEM;
        } else if (f->kind == DS_FMT_LIST) {
            char *e = *(char **)at(base, f->off);
            size_t n = *(size_t *)at(base, f->off_n);
            for (size_t i = 0; e && i < n; i++)
                if (prepare_fields(m, f->sub, e + i * f->size) != DS_OK)
                    rc = DS_ENOMEM;
        } else if (f->kind == DS_FMT_MAP && f->elem == DS_FMT_DIST &&
                   !(f->flags & DS_FMT_SPARSE)) {
            ds_dist *d = *(ds_dist **)at(base, f->off);
            size_t k, n = (f->flags & DS_FMT_BUILTIN ? n_builtin() : 0) +
                          *(size_t *)at((void *)m, top_list(f->ref, &k)->off_n);
            for (size_t i = 0; d && i < n; i++)
                if (ds_dist_prepare(&d[i]) != DS_OK)
                    rc = DS_ENOMEM;
        }
    }
    return rc;
}

/* --------------------------------------------------------- entry points */

int ds_scn_walk_field(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                      void *base)
{
    return walk_field(c, val, f, base);
}

void ds_scn_check(ds_scn_ctx *c)
{
    init_fields(c, ds_fmt_top, c->m);
    check_keys(c, c->root, ds_fmt_top, 1, c->top);
    walk_top(c);
}

void ds_scn_check_done(ds_scn_ctx *c)
{
    for (size_t k = 0; k < DS_SCN_MAX_KEYS; k++) {
        free(c->ids[k].v);
        c->ids[k].v = NULL;
    }
}

int ds_scn_prepare(ds_model *m)
{
    return prepare_fields(m, ds_fmt_top, m);
}
