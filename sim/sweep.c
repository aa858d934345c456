/*
 * sweep.c - design points -> validated models -> one job of runs -> a long
 * CSV table (see sweep.h).
 */
#include "dealsim/sweep.h"

#include <errno.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/csv.h"
#include "dealsim/output.h"
#include "format.h"

/* The heap the validated models kept for the run may take, at most (the
 * first points' models: see ds_sweep_new_warn), and the size assumed for
 * one model when the heap cannot be measured. */
#define KEEP_BYTES ((size_t)64 << 20)
#define KEEP_MODEL_GUESS ((size_t)64 << 10)

struct ds_sweep {
    const ds_scenario *base;
    const ds_design *d;
    unsigned flags;   /* ds_scenario_build_warn's, for validating points */
    uint64_t draws;
    int have_seed, vary_seed;
    uint64_t seed;
    FILE *f;          /* output while running */
    int header_done;
    ds_model **kept;  /* [n_kept] validated models not yet run, or NULL */
    size_t n_kept;
};

int ds_sweep_is_integer(const char *path, void *ctx)
{
    (void)ctx;
    return ds_fmt_path_is_integer(path);
}

/* Bytes of the heap in use, or 0 when this C library cannot tell. */
static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/* Point i's scenario: a copy of the base with the point's overrides, built
 * with `flags` (ds_scenario_build_warn); its warnings go to warn (NULL:
 * dropped). */
static int point_model(const ds_sweep *s, size_t i, unsigned flags, ds_model **out,
                       ds_report *rep, ds_report *warn)
{
    ds_scenario *sc = ds_scenario_copy_shared(s->base);
    int rc = DS_OK;

    *out = NULL;
    if (!sc)
        return ds_report_nomem(rep, ds_scenario_file(s->base));
    for (size_t j = 0; j < ds_design_paths(s->d) && rc == DS_OK; j++)
        rc = ds_scenario_set(sc, ds_design_path(s->d, j),
                             ds_design_value(s->d, i, j), rep);
    if (rc == DS_OK)
        rc = ds_scenario_build_warn(sc, flags, out, rep, warn);
    ds_scenario_free(sc);
    /* What was reported while memory ran out may be its effects. */
    if (rc != DS_OK && rep->nomem)
        rc = DS_ENOMEM;
    return rc;
}

/* Same ids in the same order: the output columns and rows line up. */
static int same_shape(const ds_model *a, const ds_model *b)
{
    if (a->n_strategies != b->n_strategies || a->n_third != b->n_third ||
        a->n_actors != b->n_actors)
        return 0;
    for (size_t k = 0; k < a->n_strategies; k++)
        if (strcmp(a->strategies[k].id, b->strategies[k].id) != 0)
            return 0;
    for (size_t q = 0; q < a->n_third; q++)
        if (strcmp(a->third[q].id, b->third[q].id) != 0)
            return 0;
    for (size_t k = 0; k < a->n_actors; k++)
        if (strcmp(a->actors[k].id, b->actors[k].id) != 0)
            return 0;
    return 1;
}

/* "point 3 (a.b=1, c=x)" into buf. */
static void point_name(const ds_design *d, size_t i, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "point %zu (", i + 1);
    for (size_t j = 0; j < ds_design_paths(d) && used < n; j++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", j ? ", " : "",
                                 ds_design_path(d, j), ds_design_value(d, i, j));
    if (used < n)
        snprintf(buf + used, n - used, ")");
}

/* ---- the points' warnings, once per distinct line ---------------------- */

/* One distinct warning line: the first point that has it (and its place
 * among that point's warnings) and how many points have it. */
typedef struct wline {
    char *msg;
    size_t point, seq, count;
} wline;

/* The distinct lines, with an open-addressing hash of their texts. */
typedef struct wset {
    wline *v;
    size_t n, cap;
    size_t *slot;     /* [nslot]: index into v + 1, or 0 when free */
    size_t nslot;     /* a power of two, at least 2n */
    size_t dropped;   /* lines beyond DS_REPORT_MAX (each time seen) */
    int nomem;
} wset;

/* FNV-1a (Fowler, Noll, Vo), 64-bit. */
static uint64_t text_hash(const char *t)
{
    uint64_t h = 14695981039346656037u;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211u;
    return h;
}

/* The slot of msg: where it is, or the free slot where it would go. */
static size_t wset_slot(const wset *w, const char *msg)
{
    size_t i = (size_t)text_hash(msg) & (w->nslot - 1);
    while (w->slot[i] && strcmp(w->v[w->slot[i] - 1].msg, msg) != 0)
        i = (i + 1) & (w->nslot - 1);
    return i;
}

/* Make room for one more line.  DS_OK or DS_ENOMEM. */
static int wset_grow(wset *w)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        wline *v = realloc(w->v, cap * sizeof *v);
        if (!v)
            return DS_ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    if (2 * (w->n + 1) > w->nslot) {
        size_t nslot = w->nslot ? 2 * w->nslot : 64;
        size_t *old = w->slot, oldn = w->nslot;
        if (!(w->slot = calloc(nslot, sizeof *w->slot))) {
            w->slot = old;
            return DS_ENOMEM;
        }
        w->nslot = nslot;
        for (size_t i = 0; i < oldn; i++)
            if (old[i])
                w->slot[wset_slot(w, w->v[old[i] - 1].msg)] = old[i];
        free(old);
    }
    return DS_OK;
}

/* Count the warning lines of point i (rep) in w. */
static void wset_add(wset *w, size_t i, const ds_report *rep)
{
    if (rep->nomem)
        w->nomem = 1;
    w->dropped += rep->dropped;
    for (size_t k = 0; k < rep->n; k++) {
        const char *msg = rep->msg[k];
        size_t j = w->nslot ? wset_slot(w, msg) : 0;
        wline *e;
        if (w->nslot && w->slot[j]) {
            e = &w->v[w->slot[j] - 1];
            e->count++;
            if (i < e->point || (i == e->point && k < e->seq)) {
                e->point = i;
                e->seq = k;
            }
            continue;
        }
        if (w->n >= DS_REPORT_MAX) {
            w->dropped++;
            continue;
        }
        if (wset_grow(w) != DS_OK || !(msg = strdup(msg))) {
            w->nomem = 1;
            return;
        }
        e = &w->v[w->n++];
        *e = (wline){(char *)msg, i, k, 1};
        w->slot[wset_slot(w, msg)] = w->n;
    }
}

static int wline_cmp(const void *a, const void *b)
{
    const wline *x = a, *y = b;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Append w's lines to rep in the order of their first point, each with
 * the points it came from unless all np points have it. */
static int wset_report(wset *w, size_t np, ds_report *rep)
{
    if (w->n) /* v is NULL without lines */
        qsort(w->v, w->n, sizeof *w->v, wline_cmp);
    for (size_t k = 0; k < w->n; k++) {
        const wline *e = &w->v[k];
        int rc;
        if (e->count == np)
            rc = ds_report_add(rep, "%s", e->msg);
        else if (e->count == 1)
            rc = ds_report_add(rep, "%s [point %zu]", e->msg, e->point + 1);
        else
            rc = ds_report_add(rep, "%s [%zu of %zu points, the first point %zu]",
                               e->msg, e->count, np, e->point + 1);
        if (rc != DS_OK)
            return rc;
    }
    rep->dropped += w->dropped;
    return DS_OK;
}

static void wset_free(wset *w)
{
    for (size_t k = 0; k < w->n; k++)
        free(w->v[k].msg);
    free(w->v);
    free(w->slot);
    memset(w, 0, sizeof *w);
}

/* ---- validating the points --------------------------------------------- */

/* Validation of the points, shared by the threads that do it. */
typedef struct vjob {
    ds_sweep *s;
    const ds_model *first;        /* point 0's model: the shape to match */
    pthread_mutex_t mu;
    size_t next;                  /* next point to check */
    size_t bad;                   /* smallest invalid point so far, or SIZE_MAX */
    int bad_rc;
    ds_report bad_rep;            /* its problems */
    int want_warnings;            /* collect the points' warnings in warn */
    wset warn;
} vjob;

/* Check point i and collect its warnings; with first NULL, hand its model
 * to *first (point 0: the shape the others must match).  The other points'
 * models are freed: a run builds its point again in the worker that runs
 * it, which costs less than keeping every model of a large sweep (a heap
 * that grows by tens of MB, page by page).  Returns DS_OK or the point's
 * status with its problems in *prep. */
static int check_point(vjob *v, size_t i, ds_report *prep, ds_model **first)
{
    ds_sweep *s = v->s;
    ds_model *m = NULL;
    ds_report pw;
    int rc;

    ds_report_init(&pw);
    rc = point_model(s, i, s->flags, &m, prep, v->want_warnings ? &pw : NULL);
    if (rc == DS_OK && (pw.n || pw.dropped)) {
        pthread_mutex_lock(&v->mu);
        wset_add(&v->warn, i, &pw);
        pthread_mutex_unlock(&v->mu);
    }
    ds_report_free(&pw);
    if (rc == DS_OK && v->first && !same_shape(v->first, m)) {
        ds_report_add(prep, "%s: error: the point changes the strategies, "
                      "third parties or actors, so its rows would not line up",
                      ds_scenario_file(s->base));
        rc = DS_EINVAL;
    }
    if (rc == DS_OK && first) {
        *first = m;
        m = NULL;
    }
    if (rc == DS_OK && i < s->n_kept) {
        s->kept[i] = m;
        m = NULL;
    }
    ds_model_free(m);
    return rc;
}

/* A validating thread: claim points in order until none is left or a point
 * before the next one is already known to be invalid. */
static void *validate_points(void *arg)
{
    vjob *v = arg;
    for (;;) {
        ds_report prep;
        size_t i;
        int rc;
        pthread_mutex_lock(&v->mu);
        i = v->next++;
        pthread_mutex_unlock(&v->mu);
        if (i >= ds_design_points(v->s->d))
            break;
        pthread_mutex_lock(&v->mu);
        int past_bad = i > v->bad;
        pthread_mutex_unlock(&v->mu);
        if (past_bad)
            break;
        ds_report_init(&prep);
        rc = check_point(v, i, &prep, NULL);
        pthread_mutex_lock(&v->mu);
        if (rc != DS_OK && i < v->bad) {
            ds_report_free(&v->bad_rep);
            v->bad_rep = prep;
            v->bad = i;
            v->bad_rc = rc;
            ds_report_init(&prep);
        }
        pthread_mutex_unlock(&v->mu);
        ds_report_free(&prep);
    }
    return NULL;
}

int ds_sweep_new(const ds_scenario *base, const ds_design *d, uint64_t draws,
                 int have_seed, uint64_t seed, int vary_seed, int threads,
                 ds_sweep **out, ds_report *rep)
{
    return ds_sweep_new_warn(base, d, draws, have_seed, seed, vary_seed, threads, 0,
                             NULL, out, rep);
}

int ds_sweep_new_warn(const ds_scenario *base, const ds_design *d, uint64_t draws,
                      int have_seed, uint64_t seed, int vary_seed, int threads,
                      unsigned flags, ds_report *warn, ds_sweep **out, ds_report *rep)
{
    ds_sweep *s = calloc(1, sizeof *s);
    size_t np = ds_design_points(d);
    pthread_t *tid = NULL;
    int started = 0, rc = DS_OK;
    ds_model *m0 = NULL;          /* point 0's model */
    vjob v;

    *out = NULL;
    memset(&v, 0, sizeof v);
    if (!s)
        return ds_report_nomem(rep, ds_scenario_file(base));
    s->base = base;
    s->d = d;
    s->flags = flags;
    s->have_seed = have_seed;
    s->seed = seed;
    s->vary_seed = vary_seed;
    for (size_t j = 0; j < ds_design_paths(d); j++)
        if (strcmp(ds_design_path(d, j), "simulation.draws") == 0) {
            ds_report_add(rep, "%s: error: --vary simulation.draws: every point of a "
                          "sweep has the same draws; use -n",
                          ds_scenario_file(base));
            ds_sweep_free(s);
            return DS_EINVAL;
        }

    /* Point 0 first: the others must have its shape.  Then the rest on
     * every thread; the first invalid point is reported, as if checked in
     * order. */
    v.s = s;
    v.bad = SIZE_MAX;
    v.want_warnings = warn != NULL;
    pthread_mutex_init(&v.mu, NULL);
    ds_report_init(&v.bad_rep);
    {
        ds_report prep;
        size_t heap = heap_in_use(), after, bytes;
        ds_report_init(&prep);
        rc = check_point(&v, 0, &prep, &m0);
        if (rc != DS_OK) {
            v.bad = 0;
            v.bad_rc = rc;
            v.bad_rep = prep;
        } else {
            ds_report_free(&prep);
        }
        /* The validated models of the first points are kept for the run,
         * which then does not build them again, as many as KEEP_BYTES
         * holds of models the size of point 0's. */
        after = heap_in_use();
        bytes = heap && after > heap + sizeof *m0 ? after - heap : KEEP_MODEL_GUESS;
        s->n_kept = KEEP_BYTES / bytes < np ? KEEP_BYTES / bytes : np;
        if (rc != DS_OK || !(s->kept = calloc(s->n_kept, sizeof *s->kept)))
            s->n_kept = 0;              /* then every point is built again */
    }
    if (v.bad == SIZE_MAX) {
        v.first = m0;
        v.next = 1;
        if (threads < 1)
            threads = 1;
        if ((size_t)threads > np)
            threads = (int)np;
        if (!(tid = calloc((size_t)threads, sizeof *tid))) {
            rc = ds_report_nomem(rep, ds_scenario_file(base));
        } else {
            for (started = 0; started < threads - 1; started++)
                if (pthread_create(&tid[started], NULL, validate_points, &v) != 0)
                    break;
            validate_points(&v);      /* this thread helps too */
            for (int t = 0; t < started; t++)
                pthread_join(tid[t], NULL);
        }
        s->draws = draws ? draws : m0->draws;
    }
    if (s->n_kept && v.bad == SIZE_MAX)
        s->kept[0] = m0;
    else
        ds_model_free(m0);
    if (v.bad != SIZE_MAX && v.bad_rc == DS_ENOMEM) {
        /* Not the point's fault: no "point is invalid". */
        ds_report_nomem(rep, ds_scenario_file(base));
        rc = DS_ENOMEM;
    } else if (v.bad != SIZE_MAX) {
        char name[512];
        point_name(d, v.bad, name, sizeof name);
        ds_report_add(rep, "%s: error: %s is invalid:", ds_scenario_file(base), name);
        for (size_t k = 0; k < v.bad_rep.n; k++)
            ds_report_add(rep, "%s", v.bad_rep.msg[k]);
        /* A list cut short by no memory is memory's failure, not the point's. */
        rc = rep->nomem ? DS_ENOMEM : v.bad_rc;
    } else if (rc == DS_OK && v.warn.nomem) {
        /* A warning lost: the list would be incomplete. */
        rc = ds_report_nomem(rep, ds_scenario_file(base));
    } else if (rc == DS_OK && warn &&
               wset_report(&v.warn, np, warn) != DS_OK) {
        rc = ds_report_nomem(rep, ds_scenario_file(base));
    }
    wset_free(&v.warn);
    ds_report_free(&v.bad_rep);
    pthread_mutex_destroy(&v.mu);
    free(tid);
    if (rc != DS_OK) {
        ds_sweep_free(s);
        return rc;
    }
    *out = s;
    return DS_OK;
}

uint64_t ds_sweep_draws(const ds_sweep *s)
{
    return s->draws;
}

static int job_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    ds_sweep *s = ctx;
    ds_report rep;
    int rc;

    if (p < s->n_kept && s->kept[p]) {
        *out = s->kept[p];
        s->kept[p] = NULL;
        return DS_OK;
    }
    ds_report_init(&rep);
    rc = point_model(s, p, 0, out, &rep, NULL);
    if (rc != DS_OK)
        ds_error_set(err, rc, "point %zu: %s", p + 1,
                     rep.n ? rep.msg[0] : "out of memory");
    ds_report_free(&rep);
    return rc;
}

static uint64_t job_seed(void *ctx, size_t p, const ds_model *m)
{
    ds_sweep *s = ctx;
    return (s->have_seed ? s->seed : m->seed) + (s->vary_seed ? (uint64_t)p : 0);
}

/* Point p's rows, made by job_ready where its statistics are. */
typedef struct point_rows {
    char *text;
    size_t len;
} point_rows;

/* Write point p's rows (one per strategy) to f. */
static void write_rows(const ds_sweep *s, size_t p, const ds_model *m, const ds_stats *st,
                       FILE *f)
{
    size_t np = ds_design_paths(s->d);
    for (size_t k = 0; k < m->n_strategies; k++) {
        fprintf(f, "%zu", p + 1);
        for (size_t j = 0; j < np; j++) {
            fputc(',', f);
            ds_csv_write_field(f, ds_design_cell(s->d, p, j));
        }
        fputc(',', f);
        if (ds_output_csv_cells(m, st, k, f) != DS_OK)
            break;
        fputc('\n', f);
    }
}

static int job_ready(void *ctx, size_t p, const ds_model *m, const ds_stats *st,
                     void **prep, ds_error *err)
{
    point_rows *r = calloc(1, sizeof *r);
    FILE *f = r ? open_memstream(&r->text, &r->len) : NULL;
    int bad;

    if (!f) {
        free(r);
        return ds_error_set(err, DS_ENOMEM, "out of memory for a point's rows");
    }
    write_rows(ctx, p, m, st, f);
    bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        free(r->text);
        free(r);
        return ds_error_set(err, DS_ENOMEM, "out of memory for a point's rows");
    }
    *prep = r;
    return DS_OK;
}

static void job_discard(void *ctx, void *prep)
{
    point_rows *r = prep;
    (void)ctx;
    free(r->text);
    free(r);
}

static int job_done(void *ctx, size_t p, const ds_model *m, const ds_stats *st,
                    void *prep, ds_error *err)
{
    ds_sweep *s = ctx;
    FILE *f = s->f;
    size_t np = ds_design_paths(s->d);
    point_rows *r = prep;

    (void)p;
    (void)st;
    if (!s->header_done) {
        fputs("point", f);
        for (size_t j = 0; j < np; j++) {
            fputc(',', f);
            ds_csv_write_field(f, ds_design_path(s->d, j));
        }
        fputc(',', f);
        ds_output_csv_columns(m, f);
        fputc('\n', f);
        s->header_done = 1;
    }
    fwrite(r->text, 1, r->len, f);
    job_discard(ctx, r);
    if (ferror(f))
        return ds_error_set(err, DS_EIO, "%s", strerror(errno ? errno : EIO));
    return DS_OK;
}

int ds_sweep_run(ds_sweep *s, const ds_run_opts *o, FILE *f, ds_error *err)
{
    ds_job job;
    ds_run_opts ro = *o;

    memset(&job, 0, sizeof job);
    job.npoints = ds_design_points(s->d);
    job.model = job_model;
    job.seed = job_seed;
    job.ready = job_ready;
    job.discard = job_discard;
    job.done = job_done;
    job.ctx = s;
    s->f = f;
    s->header_done = 0;
    ro.draws = s->draws;
    ro.draws_out = NULL;
    return ds_run_job(&job, &ro, err);
}

void ds_sweep_free(ds_sweep *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_kept; i++)
        ds_model_free(s->kept[i]);
    free(s->kept);
    free(s);
}
