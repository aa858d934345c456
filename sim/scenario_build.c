/*
 * scenario_build.c - ds_scenario_build: check a parsed scenario against every
 * rule of SPEC §2-§4 and turn it into an immutable ds_model.  Every problem
 * is reported (SPEC §4: all of them, not only the first) as
 * "FILE: error: PATH: MESSAGE"; a model is returned only when there was none.
 *
 * Each key is checked as its row of the format table says, by the generic
 * walk of scenario_check.c.  This file holds what a row cannot say: the
 * rules that rows name (the format version, D̄ > 0, the shared elasticity,
 * the adjustment that goes with a long-run elasticity, default strategies,
 * one decider, role-specific keys).
 */
#include "scenario_priv.h"
#include "suggest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

/* -------------------------------------- rules a row cannot express */

void ds_scn_rule_after(ds_scn_ctx *c, const ds_fmt_field *f, void *base,
                       int status)
{
    ds_model *m = c->m;
    size_t o;
    switch (f->rule) {
    case DS_FMT_RULE_VERSION: {
        /* A version out of the row's range is one this dealsim cannot read
         * (status > 0: the key is given and integral). */
        double x;
        if (status <= 0)
            break;
        x = cJSON_GetObjectItemCaseSensitive(c->root, f->name)->valuedouble;
        if (!(x >= ds_fmt_lo(&f->range) && x <= ds_fmt_hi(&f->range))) {
            o = ds_scn_path_key(&c->path, f->name);
            ds_scn_err(c,
                       "unsupported format version %.0f (this dealsim reads "
                       "1 to %d)",
                       x, DS_FORMAT_VERSION);
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    case DS_FMT_RULE_MEAN:
        /* §5.2: D̄, the analytic mean of baseline_deficit, must be > 0 (and
         * finite: every score divides by it). */
        if (status > 0) {
            char v[40];
            m->baseline_mean = ds_dist_mean(at(base, f->off));
            o = ds_scn_path_key(&c->path, f->name);
            if (!(m->baseline_mean > 0))
                ds_scn_err(c, "its mean must be > 0 (SPEC §5.2), got %s",
                           ds_scn_num(v, sizeof v, m->baseline_mean));
            else if (isinf(m->baseline_mean))
                /* A lognormal's mean grows as exp(sigma^2 / 2), beyond
                 * what it draws within DS_REACH_SD. */
                ds_scn_err(c,
                           "its mean must be a finite number (SPEC §5.2), got "
                           "inf");
            ds_scn_path_pop(&c->path, o);
        }
        break;
    case DS_FMT_RULE_ELASTICITY: {
        /* §3.1: the top-level elasticity is required when some line (an
         * object) has none of its own; the message names the first. */
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(c->root, f->name);
        const char *needy = NULL;
        for (const cJSON *e = cJSON_IsArray(l) ? l->child : NULL; e && !needy;
             e = e->next) {
            if (!cJSON_IsObject(e) ||
                cJSON_GetObjectItemCaseSensitive(e, "elasticity"))
                continue;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            needy = cJSON_IsString(id) && ds_scn_id_ok(id->valuestring)
                        ? id->valuestring
                        : "";
        }
        if (needy && !cJSON_GetObjectItemCaseSensitive(c->root, "elasticity")) {
            o = ds_scn_path_key(&c->path, "elasticity");
            ds_scn_err(
                c,
                "missing required key (line '%s' has no elasticity of its "
                "own)",
                needy);
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    case DS_FMT_RULE_ADJUSTMENT: {
        /* §3.1: adjustment is required when any elasticity_long is given
         * (top level or a line, an object); the message names where. */
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(c->root, "lines");
        const char *line = NULL;
        int top = cJSON_GetObjectItemCaseSensitive(c->root, "elasticity_long") != NULL;
        if (status != 0)
            break;
        for (const cJSON *e = cJSON_IsArray(l) ? l->child : NULL; e && !line && !top;
             e = e->next) {
            if (!cJSON_IsObject(e) ||
                !cJSON_GetObjectItemCaseSensitive(e, "elasticity_long"))
                continue;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            line = cJSON_IsString(id) && ds_scn_id_ok(id->valuestring)
                       ? id->valuestring
                       : "";
        }
        if (!top && !line)
            break;
        o = ds_scn_path_key(&c->path, f->name);
        if (top)
            ds_scn_err(c, "missing required key (elasticity_long is given)");
        else if (line[0])
            ds_scn_err(c,
                       "missing required key (line '%s' has an "
                       "elasticity_long)",
                       line);
        else
            ds_scn_err(c,
                       "missing required key (a line has an elasticity_long)");
        ds_scn_path_pop(&c->path, o);
        break;
    }
    case DS_FMT_RULE_EXTENSION: {
        /* §3.1: rounds + extension.rounds <= DS_MAX_ROUNDS (each in its own
         * range already; an invalid one was reported and is not summed). */
        const ds_protocol *p = &m->protocol;
        if (status <= 0 || p->rounds < 1 || p->extension.rounds < 1 ||
            p->rounds + p->extension.rounds <= DS_MAX_ROUNDS)
            break;
        o = ds_scn_path_key(&c->path, f->name);
        ds_scn_path_key(&c->path, "rounds");
        ds_scn_err(c,
                   "rounds + extension.rounds must be <= %d, got %d + %d",
                   DS_MAX_ROUNDS, p->rounds, p->extension.rounds);
        ds_scn_path_pop(&c->path, o);
        break;
    }
    case DS_FMT_RULE_STRATEGIES:
        /* §3.1, §5.5: no strategies key = one strategy per package, of the
         * same id and label, offering it in every round. */
        if (status == 0) {
            m->strategies =
                ds_scn_calloc(c, m->n_packages, sizeof *m->strategies);
            if (!m->strategies)
                return;
            m->n_strategies = m->n_packages;
            for (size_t i = 0; i < m->n_packages; i++) {
                ds_strategy *s = &m->strategies[i];
                const ds_package *p = &m->packages[i];
                s->id = p->id ? ds_scn_strdup(c, p->id) : NULL;
                s->label = p->label ? ds_scn_strdup(c, p->label) : NULL;
                s->offers = ds_scn_calloc(c, 1, sizeof *s->offers);
                if (s->offers) {
                    s->n_offers = 1;
                    s->offers[0] = i;
                }
            }
        }
        break;
    case DS_FMT_RULE_DECIDER: {
        /* §3: at most one decider; the model keeps its index. */
        ds_actor *a = base;
        if (status > 0 && a->role == DS_ROLE_DECIDER) {
            o = ds_scn_path_key(&c->path, f->name);
            if (c->decider_seen)
                ds_scn_err(c, "at most one decider (already '%s')",
                           c->decider_id);
            else {
                c->decider_seen = 1;
                c->decider_id = a->id ? a->id : "?";
                m->decider = (int)(a - m->actors);
            }
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    default: break;
    }
}

/* §3.1: a key of the other role is an error; the keys of the element's
 * role (or of both, when the role is not valid) are checked as usual. */
static void rule_role(ds_scn_ctx *c, const ds_fmt_field *fields, void *elem,
                      const cJSON *const *vals)
{
    const char *role = NULL;
    const ds_fmt_field *g;
    size_t i;
    for (g = fields, i = 0; g->name && i < DS_SCN_MAX_KEYS; g++, i++) {
        const cJSON *r = vals[i];
        if (!(g->flags & DS_FMT_GATE) || !cJSON_IsString(r))
            continue;
        for (const ds_fmt_choice *ch = g->choices; ch->name; ch++)
            if (strcmp(ch->name, r->valuestring) == 0)
                role = ch->name;
    }
    for (g = fields, i = 0; g->name && i < DS_SCN_MAX_KEYS; g++, i++) {
        if (!g->only || !role || strcmp(g->only, role) == 0 || !vals[i])
            continue;
        size_t o = ds_scn_path_key(&c->path, g->name);
        if (strcmp(role, "decider") == 0)
            ds_scn_err(c, "not allowed on the decider (members only)");
        else
            ds_scn_err(c, "not allowed on a member (decider only)");
        ds_scn_path_pop(&c->path, o);
    }
    for (g = fields, i = 0; g->name && i < DS_SCN_MAX_KEYS; g++, i++)
        if (g->only && (!role || strcmp(g->only, role) == 0))
            ds_scn_walk_field(c, vals[i], g, elem);
}

void ds_scn_rule_elem(ds_scn_ctx *c, const ds_fmt_field *list, void *elem,
                      const cJSON *const *vals)
{
    if (list->rule == DS_FMT_RULE_ROLE)
        rule_role(c, list->sub, elem, vals);
}

/* ------------------------------------------------- the index of dists */

/* The growing list of a model's dists, while it is indexed, and the path
 * of the place being indexed.  Paths are built in full here (messages
 * shorten long ids; stream names must not). */
typedef struct dist_index {
    ds_model *m;
    size_t cap;
    int nomem;
    char *path;      /* the place's path, path[0..len) (owned) */
    size_t len, pcap;
} dist_index;

/* Append ".name" (just "name" at the start) to x's path; return the old
 * length, for path_pop.  On no memory, x->nomem is set and the path is
 * left as it was. */
static size_t path_push(dist_index *x, const char *name)
{
    size_t old = x->len, ln = strlen(name), need = old + ln + 2;
    if (x->nomem)
        return old;
    if (need > x->pcap) {
        size_t cap = x->pcap ? 2 * x->pcap : 256;
        char *p;
        while (cap < need)
            cap *= 2;
        if (!(p = realloc(x->path, cap))) {
            x->nomem = 1;
            return old;
        }
        x->path = p;
        x->pcap = cap;
    }
    if (old)
        x->path[x->len++] = '.';
    memcpy(x->path + x->len, name, ln + 1);
    x->len += ln;
    return old;
}

static void path_pop(dist_index *x, size_t old)
{
    x->len = old;
    if (x->path)
        x->path[old] = '\0';
}

/* A copy of "path.name" (allocated); NULL (and x->nomem set) on no
 * memory. */
static char *path_of(dist_index *x, const char *name)
{
    size_t old = path_push(x, name);
    char *p = x->nomem ? NULL : malloc(x->len + 1);
    if (p)
        memcpy(p, x->path, x->len + 1);
    else
        x->nomem = 1;
    path_pop(x, old);
    return p;
}

/* Append (path, d, site, elem, slot) to m->dists, which takes path. */
static void index_add(dist_index *x, char *path, const ds_dist *d,
                      ds_dist_site site, size_t elem, size_t slot)
{
    ds_model *m = x->m;
    if (!path)
        return;
    if (m->n_dists == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        ds_model_dist *nd = realloc(m->dists, cap * sizeof *nd);
        if (!nd) {
            x->nomem = 1;
            free(path);
            return;
        }
        m->dists = nd;
        x->cap = cap;
    }
    m->dists[m->n_dists++] = (ds_model_dist){path, d, site, elem, slot, -1, 0};
}

/* Index the dists below `fields` in base, which is named by x's path;
 * `elem` is the index of the list element base is in. */
static void index_fields(dist_index *x, const ds_fmt_field *fields, void *base,
                         size_t elem)
{
    for (const ds_fmt_field *f = fields; f->name && !x->nomem; f++) {
        if (f->kind == DS_FMT_DIST) {
            if (!(f->flags & DS_FMT_HAS) || *(int *)at(base, f->off_has))
                index_add(x, path_of(x, f->name), at(base, f->off), f->site,
                          elem, 0);
        } else if (f->kind == DS_FMT_OBJECT) {
            size_t o = path_push(x, f->name);
            if (!x->nomem)
                index_fields(x, f->sub, base, elem);
            path_pop(x, o);
        } else if (f->kind == DS_FMT_LIST) {
            char *e = *(char **)at(base, f->off);
            size_t n = *(size_t *)at(base, f->off_n);
            size_t o = path_push(x, f->name);
            for (size_t i = 0; e && i < n && !x->nomem; i++) {
                void *el = e + i * f->size;
                const char *id = *(char **)at(el, f->sub->off);
                if (!id || !ds_scn_id_ok(id))
                    continue; /* not nameable (reported by the check) */
                size_t o1 = path_push(x, id);
                if (!x->nomem)
                    index_fields(x, f->sub, el, i);
                path_pop(x, o1);
            }
            path_pop(x, o);
        } else if (f->kind == DS_FMT_MAP && f->elem == DS_FMT_DIST &&
                   !(f->flags & DS_FMT_SPARSE)) {
            /* One slot per id of the list it is over (maps of dists take
             * no built-in keys); elem is base's list index (a package's,
             * for terms), slot the id's. */
            const ds_fmt_field *l = ds_fmt_find(ds_fmt_top, f->ref);
            const ds_dist *d = *(ds_dist **)at(base, f->off);
            char *ids = *(char **)at(x->m, l->off);
            size_t n = *(size_t *)at(x->m, l->off_n);
            size_t o = path_push(x, f->name);
            for (size_t k = 0; !x->nomem && d && ids && k < n; k++) {
                const char *id = l->kind == DS_FMT_LIST
                                     ? *(char **)at(ids + k * l->size, l->sub->off)
                                     : ((char **)(void *)ids)[k];
                /* A map whose default is NaN (a package's terms) holds a
                 * fixed NaN for a key the file leaves out: no dist. */
                if (isnan(f->def) && d[k].kind == DS_DIST_FIXED &&
                    isnan(d[k].u.fixed.value))
                    continue;
                if (id)
                    index_add(x, path_of(x, id), &d[k], f->site, elem, k);
            }
            path_pop(x, o);
        }
    }
}

/* Fill m->dists (model.h) from the format table: every dist row, in row
 * order.  DS_OK or DS_ENOMEM (m->dists then holds what was made). */
static int index_dists(ds_model *m)
{
    dist_index x = {m, 0, 0, NULL, 0, 0};
    index_fields(&x, ds_fmt_top, m, 0);
    free(x.path);
    return x.nomem ? DS_ENOMEM : DS_OK;
}

/* ---------------------------------------------------- correlations */

/* A Cholesky pivot (the variance of a dist's normal score not explained by
 * the dists before it; in (0, 1] for a correlation matrix) at or below
 * this makes the matrix singular to within rounding: the pivots are sums of
 * up to DS_MAX_CORRELATED terms of size at most 1, each rounded to 2^-53
 * (64 * 1.1e-16 = 7e-15), so 1e-12 leaves a wide margin.  Such a matrix is
 * refused as not positive definite, so the factorisation by GSL that
 * follows can never fail (it would report the failure through GSL's error
 * handler, which dealsim must never reach). */
#define CORR_MIN_PIVOT 1e-12

/* A dist path and its index in m->dists, for lookup. */
typedef struct path_ix {
    const char *path;
    size_t i;
} path_ix;

static int path_ix_cmp(const void *a, const void *b)
{
    return strcmp(((const path_ix *)a)->path, ((const path_ix *)b)->path);
}

/* Index of `path` in the sorted table, or -1. */
static long path_find(const path_ix *t, size_t n, const char *path)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(t[mid].path, path);
        if (d == 0)
            return (long)t[mid].i;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The smallest Cholesky pivot of the symmetric k x k matrix a (row-major),
 * and the row where the factorisation first falls to it or below
 * CORR_MIN_PIVOT (k when it never does), by the Cholesky-Banachiewicz
 * recurrence into l (k x k scratch).  Golub & Van Loan, Matrix
 * Computations, 4th ed., Algorithm 4.2.1. */
static size_t chol_check(const double *a, size_t k, double *l, double *pivot)
{
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j <= i; j++) {
            double s = a[i * k + j];
            for (size_t p = 0; p < j; p++)
                s -= l[i * k + p] * l[j * k + p];
            if (i == j) {
                if (!(s > CORR_MIN_PIVOT)) {
                    *pivot = s;
                    return i;
                }
                l[i * k + i] = sqrt(s);
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    return k;
}

/* The lower Cholesky factor of the k x k matrix a, known positive definite
 * (chol_check), by gsl_linalg_cholesky_decomp1, into chol (row-major,
 * zeros above the diagonal).  DS_OK or DS_ENOMEM. */
static int chol_factor(const double *a, size_t k, double *chol)
{
    gsl_matrix *g = gsl_matrix_alloc(k, k);
    if (!g)
        return DS_ENOMEM;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(g, i, j, a[i * k + j]);
    int rc = gsl_linalg_cholesky_decomp1(g);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            chol[i * k + j] = j <= i ? gsl_matrix_get(g, i, j) : 0.0;
    gsl_matrix_free(g);
    return rc == GSL_SUCCESS ? DS_OK : DS_EINVAL;
}

/* Check the matrix of correlation `co` (its path pushed), which has k
 * dists; on success fill co->chol.  Returns 1 when valid. */
static int check_matrix(ds_scn_ctx *c, ds_correlation *co)
{
    const size_t k = co->k, n = co->n_matrix;
    const double *a = co->matrix;
    int ok = 1;
    size_t o;
    char v1[40], v2[40];
    if (!a)
        return 0; /* not a valid square matrix: reported by the walk */
    o = ds_scn_path_key(&c->path, "matrix");
    if (n != k) {
        ds_scn_err(c, "must be %zu x %zu (a row and a column per dist, in the order of "
                      "dists), got %zu x %zu",
                   k, k, n, n);
        ds_scn_path_pop(&c->path, o);
        return 0;
    }
    for (size_t i = 0; i < k; i++) {
        if (a[i * k + i] == 1.0)
            continue;
        size_t o1 = ds_scn_path_index(&c->path, i);
        ds_scn_path_index(&c->path, i);
        ds_scn_err(c, "must be 1 (a correlation matrix has a unit diagonal), got %s",
                   ds_scn_num(v1, sizeof v1, a[i * k + i]));
        ds_scn_path_pop(&c->path, o1);
        ok = 0;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++)
            if (a[i * k + j] != a[j * k + i]) {
                ds_scn_err(c, "must be symmetric, but [%zu][%zu] is %s and [%zu][%zu] is %s",
                           i, j, ds_scn_num(v1, sizeof v1, a[i * k + j]), j, i,
                           ds_scn_num(v2, sizeof v2, a[j * k + i]));
                ok = 0;
            }
    if (ok) {
        double *l = ds_scn_calloc(c, k * k, sizeof *l), pivot = 0;
        co->chol = ds_scn_calloc(c, k * k, sizeof *co->chol);
        if (!l || !co->chol) {
            free(l);
            ds_scn_path_pop(&c->path, o);
            return 0;
        }
        size_t row = chol_check(a, k, l, &pivot);
        free(l);
        if (row < k) {
            ds_scn_err(c,
                       "must be positive definite, and is not: no dists can have "
                       "these correlations together (its Cholesky factorisation fails "
                       "at row %zu, '%s', with pivot %.3g)",
                       row, co->paths[row] ? co->paths[row] : "?", pivot);
            ok = 0;
        } else if (chol_factor(a, k, co->chol) != DS_OK) {
            c->nomem = 1; /* cannot fail otherwise: chol_check passed */
            ok = 0;
        }
    }
    ds_scn_path_pop(&c->path, o);
    return ok;
}

/* SPEC §3 `correlations`, §5.1, after every key was checked and the dists
 * indexed: each path names a dist of the scenario that varies and is in
 * no other correlation; the matrix fits.  Marks the dists (corr,
 * corr_pos) and fills each correlation's dist indices and factor. */
static void check_correlations(ds_scn_ctx *c)
{
    ds_model *m = c->m;
    path_ix *t;
    const char **names = NULL;
    if (m->n_corr == 0)
        return;
    t = ds_scn_calloc(c, m->n_dists, sizeof *t);
    names = ds_scn_calloc(c, m->n_dists, sizeof *names);
    if (!t || !names)
        goto done;
    for (size_t i = 0; i < m->n_dists; i++) {
        t[i] = (path_ix){m->dists[i].path, i};
        names[i] = m->dists[i].path;
    }
    qsort(t, m->n_dists, sizeof *t, path_ix_cmp);
    for (size_t ci = 0; ci < m->n_corr; ci++) {
        ds_correlation *co = &m->corr[ci];
        size_t o0 = ds_scn_path_key(&c->path, "correlations"), o1;
        int ok = co->paths != NULL && co->k >= 2;
        if (co->id && ds_scn_id_ok(co->id))
            ds_scn_path_key(&c->path, co->id);
        else
            ds_scn_path_index(&c->path, ci);
        o1 = c->path.n;
        if (co->paths && !(co->dist = ds_scn_calloc(c, co->k, sizeof *co->dist)))
            ok = 0;
        for (size_t j = 0; co->paths && j < co->k; j++) {
            const char *p = co->paths[j];
            char v[40];
            double cv;
            long d;
            if (!p) {
                ok = 0; /* not a string: reported by the walk */
                continue;
            }
            ds_scn_path_key(&c->path, "dists");
            ds_scn_path_index(&c->path, j);
            if ((d = path_find(t, m->n_dists, p)) < 0) {
                const char *sg = ds_suggest(p, names, m->n_dists);
                if (sg)
                    ds_scn_err(c, "'%.80s' names no dist of this scenario (did you mean "
                                  "'%s'?)",
                               p, sg);
                else
                    ds_scn_err(c, "'%.80s' names no dist of this scenario", p);
                ok = 0;
            } else if (ds_dist_is_constant(m->dists[d].dist, &cv)) {
                ds_scn_err(c, "'%s' is constant (always %s) and cannot be correlated", p,
                           ds_scn_num(v, sizeof v, cv));
                ok = 0;
            } else if (m->dists[d].corr == (long)ci) {
                ds_scn_err(c, "'%s' is listed twice", p);
                ok = 0;
            } else if (m->dists[d].corr >= 0) {
                const ds_correlation *other = &m->corr[m->dists[d].corr];
                ds_scn_err(c, "'%s' is already in correlation '%s' (a dist can be in at "
                              "most one)",
                           p, other->id ? other->id : "?");
                ok = 0;
            } else {
                m->dists[d].corr = (long)ci;
                m->dists[d].corr_pos = j;
                if (co->dist)
                    co->dist[j] = (size_t)d;
            }
            ds_scn_path_pop(&c->path, o1);
        }
        if (co->paths && co->k >= 2 && !check_matrix(c, co))
            ok = 0;
        if (!ok) {
            /* Nothing half-resolved survives a failed correlation. */
            free(co->chol);
            co->chol = NULL;
        }
        ds_scn_path_pop(&c->path, o0);
    }
done:
    free(t);
    free(names);
}

/* ---------------------------------------------------------------- build */

int ds_scenario_build(const ds_scenario *s, ds_model **out, ds_report *rep)
{
    return ds_scenario_build_warn(s, 0, out, rep, NULL);
}

int ds_scenario_build_warn(const ds_scenario *s, unsigned flags,
                           ds_model **out, ds_report *rep, ds_report *warn)
{
    ds_scn_ctx ctx, *c = &ctx;
    ds_model *m;
    int rc;

    *out = NULL;
    memset(c, 0, sizeof *c);
    c->file = s->file;
    c->rep = rep;
    c->root = s->root;
    c->warn = warn;
    c->strict = (flags & DS_BUILD_STRICT) != 0;
    m = c->m = calloc(1, sizeof *m);
    if (!m) {
        ds_report_nomem(rep, s->file);
        return DS_ENOMEM;
    }
    m->decider = -1; /* set by DS_FMT_RULE_DECIDER */
    ds_scn_check(c);
    ds_scn_check_done(c);
    /* The index of dists, then the rules that need every key: the paths
     * of correlations name dists anywhere in the file. */
    if (!c->nomem && index_dists(m) != DS_OK)
        c->nomem = 1;
    if (!c->nomem)
        check_correlations(c);
    /* Warnings (SPEC §3.1) read the model's values: only once all are
     * valid. */
    if (!c->nomem && !c->n_err && !s->n_dup)
        ds_scn_warn(c);
    if (c->nomem) {
        ds_report_nomem(rep, s->file);
        rc = DS_ENOMEM;
        goto fail;
    }
    if (c->n_err || s->n_dup) {
        rc = DS_EINVAL;
        goto fail;
    }
    rc = ds_scn_prepare(m);
    if (rc != DS_OK) {
        ds_report_nomem(rep, s->file);
        goto fail;
    }
    *out = m;
    return DS_OK;
fail:
    ds_model_free(m);
    return rc;
}
