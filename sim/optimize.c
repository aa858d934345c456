/*
 * optimize.c - the package search of SPEC §12 (see optimize.h).
 *
 * Flow: parse the arguments into dimensions (values per item and per asked
 * line) -> chunks of candidates, each built as a scenario of its own
 * (base + its packages and strategies) -> ds_run_job per chunk -> each
 * candidate's summary cells into a temporary file and its figures into
 * memory -> constraints -> Pareto front (a sort and a sweep) -> rows in
 * objective order.
 *
 * The front.  Candidate y dominates x when it is at least as good on every
 * objective and better on one (SPEC §12).  Feasible candidates are sorted
 * by p_deal descending; for each group of equal p_deal, a candidate is
 * dominated by one of a higher group iff some such candidate has
 * benefit >= its benefit and deficit <= its deficit (a prefix minimum over
 * the benefit ranks, in a Fenwick tree), and by one of its own group iff
 * one there is at least as good on both and better on one (a sort and a
 * sweep of the group).  With two objectives every deficit counts as 0.
 * O(N log N) for N feasible candidates.
 */
#include "dealsim/optimize.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dealsim/csv.h"
#include "dealsim/output.h"
#include "dealsim/stats.h"
#include "suggest.h"

/* Bytes of a chunk per candidate, besides its statistics: a package and a
 * strategy of the model with their arrays, and each thread's engine
 * workspace for it (an estimate that errs on the large side). */
#define CHUNK_MODEL_BYTES 8192u

/* One dimension of the candidates: an item's intensities or a line's
 * asked tariffs. */
typedef struct dim {
    size_t index;         /* the item or line */
    int is_line;
    double *v;            /* [n] the values, in the order given */
    size_t n;
} dim;

/* What is kept of a candidate. */
typedef struct cand {
    double p_deal, benefit, deficit;  /* the front's objectives */
    double cost;                      /* concession_cost_mean */
    uint64_t off;                     /* its summary cells in the temp file */
    uint32_t len;
    unsigned char feasible, front;
} cand;

/* A --max-retaliation constraint. */
typedef struct ret_limit {
    size_t q;             /* the third party */
    double p;
} ret_limit;

struct ds_optimize {
    const ds_scenario *base;
    const ds_model *m;
    ds_optimize_spec spec;
    dim *dims;            /* [nd]: items in file order, then asked lines */
    size_t nd;
    size_t n;             /* candidates */
    size_t chunk, nchunks;
    int has_cost, has_deal;
    double max_cost, min_deal;
    ret_limit *rl;
    size_t nrl;
    double *pret;         /* [n * nrl] p_retaliation of each limited party */
    cand *c;              /* [n] */
    size_t *order;        /* [n] candidates, best first */
    ds_model *first;      /* chunk 0, built by ds_optimize_new */
    FILE *tmp;            /* the summary cells of every candidate */
    size_t max_len;       /* longest cells */
    int ran;
};

/* ---- messages and parsing ---------------------------------------------- */

static int bad(ds_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int bad(ds_error *err, const char *fmt, ...)
{
    va_list ap;
    char msg[DS_ERROR_MSG_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_error_set(err, DS_EINVAL, "%s", msg);
}

/* A decimal number (no hex, inf or nan) that strtod reads completely, of
 * magnitude at most DS_MAX_MAGNITUDE.  0 on success. */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    double x;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (strspn(buf, "0123456789.eE+-") != len)
        return -1;
    errno = 0;
    x = strtod(buf, &end);
    if (*end || errno || !(fabs(x) <= DS_MAX_MAGNITUDE))
        return -1;
    *out = x + 0.0;
    return 0;
}

/* The index of `id` among n names (stride bytes apart, each a char * at
 * the start of its element), or -1 with a did-you-mean in *sg. */
static long find_id(const char *id, size_t idlen, const void *base, size_t n,
                    size_t stride, const char **sg)
{
    char word[DS_SUGGEST_MAX_LEN + 1];
    const char *names[1024];
    size_t k = n < 1024 ? n : 1024;

    for (size_t i = 0; i < n; i++) {
        const char *name = *(char *const *)((const char *)base + i * stride);
        if (strlen(name) == idlen && strncmp(name, id, idlen) == 0)
            return (long)i;
    }
    for (size_t i = 0; i < k; i++)
        names[i] = *(char *const *)((const char *)base + i * stride);
    *sg = NULL;
    if (idlen <= DS_SUGGEST_MAX_LEN) {
        memcpy(word, id, idlen);
        word[idlen] = '\0';
        *sg = ds_suggest(word, names, k);
    }
    return -1;
}

/* " (did you mean 'X'?)" or "". */
static void suggestion(char *buf, size_t n, const char *sg)
{
    if (sg)
        snprintf(buf, n, " (did you mean '%s'?)", sg);
    else
        buf[0] = '\0';
}

/* Parse "v1,v2,..." of option opt's argument arg (for messages) into d:
 * numbers >= 0, no duplicates.  `what` names a value ("intensity"). */
static int parse_values(const char *opt, const char *arg, const char *list,
                        const char *what, dim *d, ds_error *err)
{
    size_t n = 1, k = 0;
    const char *p = list;

    for (const char *q = list; *q; q++)
        n += *q == ',';
    if (!(d->v = malloc(n * sizeof *d->v)))
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    for (;;) {
        size_t len = strcspn(p, ",");
        double x;
        if (len == 0)
            return bad(err, "%s %s: an empty value in the list", opt, arg);
        if (parse_number(p, len, &x) != 0)
            return bad(err, "%s %s: '%.*s' is not a number", opt, arg, (int)len, p);
        if (x < 0)
            return bad(err, "%s %s: %s must be >= 0, got %.*s", opt, arg, what,
                       (int)len, p);
        for (size_t j = 0; j < k; j++)
            if (d->v[j] == x)
                return bad(err, "%s %s: %.*s is given twice", opt, arg, (int)len, p);
        d->v[k++] = x;
        if (!p[len])
            break;
        p += len + 1;
    }
    d->n = k;
    return DS_OK;
}

/* A probability argument of option opt: a number in [0, 1]. */
static int parse_prob(const char *opt, const char *arg, const char *text,
                      double *out, ds_error *err)
{
    if (parse_number(text, strlen(text), out) != 0 || *out < 0 || *out > 1)
        return bad(err, "%s %s: must be a probability in [0, 1], got '%s'", opt, arg, text);
    return DS_OK;
}

/* Split "ID=REST": the id's length, or 0 when there is no '=' or no id. */
static size_t split_arg(const char *arg)
{
    const char *eq = strchr(arg, '=');
    return eq ? (size_t)(eq - arg) : 0;
}

static int parse_dims(ds_optimize *o, ds_error *err)
{
    const ds_model *m = o->m;
    const ds_optimize_spec *sp = &o->spec;
    long *line_of = NULL;   /* [n_terms]: the line of each --terms */
    int rc = DS_OK;
    char sg[128];

    o->nd = m->n_items + sp->n_terms;
    if (!(o->dims = calloc(o->nd + 1, sizeof *o->dims)) ||
        !(line_of = calloc(sp->n_terms + 1, sizeof *line_of))) {
        free(line_of);
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_items; i++)
        o->dims[i].index = i;
    for (size_t k = 0; k < sp->n_items; k++) {
        const char *arg = sp->items[k], *s = NULL;
        size_t idlen = split_arg(arg);
        long i;
        if (idlen == 0) {
            rc = bad(err, "--item %s: expected ID=v1,v2,... (an item id, '=', intensities)", arg);
            goto done;
        }
        if ((i = find_id(arg, idlen, m->items, m->n_items, sizeof *m->items, &s)) < 0) {
            suggestion(sg, sizeof sg, s);
            rc = bad(err, "--item %s: unknown item '%.*s'%s", arg, (int)idlen, arg, sg);
            goto done;
        }
        if (o->dims[i].v) {
            rc = bad(err, "--item %s: item '%s' is given twice", arg, m->items[i].id);
            goto done;
        }
        if ((rc = parse_values("--item", arg, arg + idlen + 1, "an intensity",
                               &o->dims[i], err)) != DS_OK)
            goto done;
    }
    for (size_t i = 0; i < m->n_items; i++)
        if (!o->dims[i].v) {                 /* default: 0,1 */
            if (!(o->dims[i].v = malloc(2 * sizeof *o->dims[i].v))) {
                rc = ds_error_set(err, DS_ENOMEM, "out of memory");
                goto done;
            }
            o->dims[i].v[0] = 0.0;
            o->dims[i].v[1] = 1.0;
            o->dims[i].n = 2;
        }
    for (size_t k = 0; k < sp->n_terms; k++) {
        const char *arg = sp->terms[k], *s = NULL;
        size_t idlen = split_arg(arg);
        if (idlen == 0) {
            rc = bad(err, "--terms %s: expected LINE=t1,t2,... (a line id, '=', tariffs)", arg);
            goto done;
        }
        if ((line_of[k] = find_id(arg, idlen, m->lines, m->n_lines, sizeof *m->lines, &s)) < 0) {
            suggestion(sg, sizeof sg, s);
            rc = bad(err, "--terms %s: unknown line '%.*s'%s", arg, (int)idlen, arg, sg);
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            if (line_of[j] == line_of[k]) {
                rc = bad(err, "--terms %s: line '%s' is given twice", arg,
                         m->lines[line_of[k]].id);
                goto done;
            }
    }
    /* Asked lines in file order. */
    {
        size_t d = m->n_items;
        for (size_t l = 0; l < m->n_lines; l++)
            for (size_t k = 0; k < sp->n_terms; k++)
                if (line_of[k] == (long)l) {
                    const char *arg = sp->terms[k];
                    o->dims[d].index = l;
                    o->dims[d].is_line = 1;
                    if ((rc = parse_values("--terms", arg, arg + split_arg(arg) + 1,
                                           "a tariff", &o->dims[d], err)) != DS_OK)
                        goto done;
                    d++;
                }
    }
done:
    free(line_of);
    return rc;
}

static int parse_constraints(ds_optimize *o, ds_error *err)
{
    const ds_model *m = o->m;
    const ds_optimize_spec *sp = &o->spec;
    char sg[128];

    if (sp->max_cost) {
        if (parse_number(sp->max_cost, strlen(sp->max_cost), &o->max_cost) != 0)
            return bad(err, "--max-cost: must be a number (bn/yr), got '%s'", sp->max_cost);
        o->has_cost = 1;
    }
    if (sp->min_deal) {
        if (parse_prob("--min-deal", sp->min_deal, sp->min_deal, &o->min_deal, err) != DS_OK)
            return DS_EINVAL;
        o->has_deal = 1;
    }
    if (!(o->rl = calloc(sp->n_max_ret + 1, sizeof *o->rl)))
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    for (size_t k = 0; k < sp->n_max_ret; k++) {
        const char *arg = sp->max_ret[k], *s = NULL;
        size_t idlen = split_arg(arg);
        long q;
        if (idlen == 0)
            return bad(err, "--max-retaliation %s: expected Q=P (a third party id, '=', "
                            "a probability)", arg);
        if ((q = find_id(arg, idlen, m->third, m->n_third, sizeof *m->third, &s)) < 0) {
            suggestion(sg, sizeof sg, s);
            return bad(err, "--max-retaliation %s: unknown third party '%.*s'%s", arg,
                       (int)idlen, arg, sg);
        }
        for (size_t j = 0; j < o->nrl; j++)
            if (o->rl[j].q == (size_t)q)
                return bad(err, "--max-retaliation %s: third party '%s' is given twice",
                           arg, m->third[q].id);
        if (parse_prob("--max-retaliation", arg, arg + idlen + 1, &o->rl[o->nrl].p, err) != DS_OK)
            return DS_EINVAL;
        o->rl[o->nrl++].q = (size_t)q;
    }
    return DS_OK;
}

/* ---- candidates and chunks ---------------------------------------------- */

/* The value index of dimension j in candidate i (0-based): the last
 * dimension varies fastest. */
static size_t value_index(const ds_optimize *o, size_t i, size_t j)
{
    for (size_t k = o->nd; k-- > j + 1;)
        i /= o->dims[k].n;
    return i % o->dims[j].n;
}

/* A growing text buffer. */
typedef struct text {
    char *s;
    size_t len, cap;
    int nomem;
} text;

static void add(text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->nomem)
        return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {        /* no format here can fail  GCOVR_EXCL_START */
            t->nomem = 1;
            return;
        }                   /* GCOVR_EXCL_STOP */
        if (t->s && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        {
            size_t cap = t->cap ? t->cap : 4096;
            char *p;
            while (cap - t->len <= (size_t)n)
                cap *= 2;
            if (!(p = realloc(t->s, cap))) {
                t->nomem = 1;
                return;
            }
            t->s = p;
            t->cap = cap;
        }
    }
}

/* Build the model of candidates [first, last): base with its packages and
 * strategies replaced.  Problems go to rep. */
static int build_chunk(const ds_optimize *o, size_t first, size_t last,
                       ds_model **out, ds_report *rep)
{
    const ds_model *m = o->m;
    text pk = {0}, st = {0};
    ds_scenario *s = NULL;
    char num[DS_CSV_NUM_MAX];
    int rc;

    *out = NULL;
    add(&pk, "[");
    add(&st, "[");
    for (size_t i = first; i < last; i++) {
        int any = 0;
        add(&pk, "%s{\"id\":\"c%zu\",\"items\":{", i == first ? "" : ",", i + 1);
        for (size_t j = 0; j < o->nd && !o->dims[j].is_line; j++) {
            double x = o->dims[j].v[value_index(o, i, j)];
            if (x != 0.0) {
                add(&pk, "%s\"%s\":%s", any ? "," : "", m->items[o->dims[j].index].id,
                    ds_csv_format_double(num, x));
                any = 1;
            }
        }
        add(&pk, "}");
        any = 0;
        for (size_t j = m->n_items; j < o->nd; j++) {
            add(&pk, "%s\"%s\":%s", any ? "," : ",\"terms\":{",
                m->lines[o->dims[j].index].id,
                ds_csv_format_double(num, o->dims[j].v[value_index(o, i, j)]));
            any = 1;
        }
        add(&pk, "%s}", any ? "}" : "");
        add(&st, "%s{\"id\":\"c%zu\",\"offers\":[\"c%zu\"]}", i == first ? "" : ",",
            i + 1, i + 1);
    }
    add(&pk, "]");
    add(&st, "]");
    rc = DS_ENOMEM;
    if (!pk.nomem && !st.nomem && (s = ds_scenario_copy(o->base))) {
        rc = ds_scenario_set(s, "packages", pk.s, rep);
        if (rc == DS_OK)
            rc = ds_scenario_set(s, "strategies", st.s, rep);
        if (rc == DS_OK)
            rc = ds_scenario_build(s, out, rep);
    }
    if (rc != DS_OK && rep->nomem)
        rc = DS_ENOMEM;
    ds_scenario_free(s);
    free(pk.s);
    free(st.s);
    return rc;
}

int ds_optimize_new(const ds_scenario *base, const ds_model *m,
                    const ds_optimize_spec *spec, int strict,
                    ds_optimize **out, ds_report *warn, ds_report *rep,
                    ds_error *err)
{
    ds_optimize *o = calloc(1, sizeof *o);
    int rc;
    double total = 1.0;

    *out = NULL;
    if (!o)
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    o->base = base;
    o->m = m;
    o->spec = *spec;
    if ((rc = parse_dims(o, err)) != DS_OK || (rc = parse_constraints(o, err)) != DS_OK)
        goto fail;
    for (size_t j = 0; j < o->nd; j++)
        total *= (double)o->dims[j].n;
    if (total > DS_OPTIMIZE_MAX_CANDIDATES) {
        rc = bad(err, "%.17g candidates (the product of the numbers of values of every "
                      "item and --terms line) exceed the limit of %u: give fewer values "
                      "with --item ID=... or --terms",
                 total, DS_OPTIMIZE_MAX_CANDIDATES);
        goto fail;
    }
    o->n = (size_t)total;
    /* SPEC §3.1: a tariff above 1 is most likely meant as a percentage. */
    for (size_t j = m->n_items; j < o->nd; j++)
        for (size_t k = 0; k < o->dims[j].n; k++)
            if (o->dims[j].v[k] > 1.0) {
                char num[DS_CSV_NUM_MAX];
                ds_csv_format_double(num, o->dims[j].v[k]);
                if (strict) {
                    rc = bad(err, "--terms %s=%s: a tariff above 1 (did you mean %g for "
                                  "%s%%?) [strict]", m->lines[o->dims[j].index].id, num,
                             o->dims[j].v[k] / 100.0, num);
                    goto fail;
                }
                if (warn)
                    ds_report_add(warn, "dealsim optimize: warning: --terms %s=%s: a "
                                        "tariff above 1 (did you mean %g for %s%%?)",
                                  m->lines[o->dims[j].index].id, num,
                                  o->dims[j].v[k] / 100.0, num);
            }
    /* Chunks: as large as the statistics' budget allows. */
    if (spec->chunk) {
        o->chunk = spec->chunk;
    } else {
        /* Each thread's statistics of the chunk, with their bins, and the
         * chunk's total, which takes the first thread's when it ends (run.c),
         * so has no bins of its own before. */
        size_t per = (size_t)(spec->threads > 0 ? spec->threads : 1) *
                         ds_stats_strategy_bytes(m, 1) +
                     ds_stats_strategy_bytes(m, 0) + CHUNK_MODEL_BYTES;
        o->chunk = DS_OPTIMIZE_STATS_BUDGET / per;
        if (o->chunk > DS_OPTIMIZE_CHUNK_CACHE)
            o->chunk = DS_OPTIMIZE_CHUNK_CACHE;
    }
    if (o->chunk > DS_MAX_STRATEGIES)
        o->chunk = DS_MAX_STRATEGIES;
    if (o->chunk < 1)
        o->chunk = 1;
    if (o->chunk > o->n)
        o->chunk = o->n;
    o->nchunks = (o->n + o->chunk - 1) / o->chunk;
    o->chunk = (o->n + o->nchunks - 1) / o->nchunks;   /* even chunks */
    if (!(o->c = calloc(o->n, sizeof *o->c)) ||
        !(o->order = calloc(o->n, sizeof *o->order)) ||
        !(o->pret = calloc(o->n * o->nrl + 1, sizeof *o->pret))) {
        rc = ds_error_set(err, DS_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = build_chunk(o, 0, o->chunk, &o->first, rep)) != DS_OK) {
        if (rc == DS_ENOMEM)
            ds_error_set(err, DS_ENOMEM, "out of memory");
        else
            ds_error_set(err, DS_EINVAL, "the candidates cannot replace the "
                                         "scenario's packages");
        goto fail;
    }
    *out = o;
    return DS_OK;
fail:
    ds_optimize_free(o);
    return rc;
}

size_t ds_optimize_candidates(const ds_optimize *o)
{
    return o->n;
}

size_t ds_optimize_chunks(const ds_optimize *o)
{
    return o->nchunks;
}

size_t ds_optimize_chunk_size(const ds_optimize *o)
{
    return o->chunk;
}

int ds_optimize_feasible(const ds_optimize *o, size_t i)
{
    return i < o->n && o->c[i].feasible;
}

int ds_optimize_on_front(const ds_optimize *o, size_t i)
{
    return i < o->n && o->c[i].front;
}

void ds_optimize_free(ds_optimize *o)
{
    if (!o)
        return;
    for (size_t j = 0; o->dims && j < o->nd; j++)
        free(o->dims[j].v);
    free(o->dims);
    free(o->rl);
    free(o->pret);
    free(o->c);
    free(o->order);
    ds_model_free(o->first);
    if (o->tmp)
        fclose(o->tmp);
    free(o);
}

/* ---- the run ------------------------------------------------------------ */

typedef struct chunk_ctx {
    ds_optimize *o;
    size_t first;          /* its first candidate */
    ds_model *model;       /* handed to the job */
    uint64_t seed;
    const ds_run_opts *ro;
    uint64_t offset;       /* draws of the chunks before */
    double total;          /* draws of all chunks */
} chunk_ctx;

static int chunk_model(void *ctx, size_t p, ds_model **out, ds_error *err)
{
    chunk_ctx *c = ctx;
    (void)p;
    (void)err;
    *out = c->model;        /* the job frees it */
    c->model = NULL;
    return DS_OK;
}

static uint64_t chunk_seed(void *ctx, size_t p, const ds_model *m)
{
    (void)p;
    (void)m;
    return ((chunk_ctx *)ctx)->seed;
}

static const ds_stat ST_DEAL = {DS_STAT_SHARE, 0, DS_C_DEALS, 0, 0};
static const ds_stat ST_BENEFIT = {DS_STAT_MEAN, DS_Q_BENEFIT, 0, 0, 0};
static const ds_stat ST_DEFICIT = {DS_STAT_MEAN, DS_Q_DEFICIT, 0, 0, 0};
static const ds_stat ST_COST = {DS_STAT_MEAN, DS_Q_CONCESSION_COST, 0, 0, 0};
static const ds_stat ST_RET = {DS_STAT_SHARE, 0, DS_C_RETALIATIONS, 0, 0};

/* The chunk is done: keep each candidate's cells and figures. */
static int chunk_done(void *ctx, size_t p, const ds_model *m, const ds_stats *s,
                      void *prep, ds_error *err)
{
    chunk_ctx *cc = ctx;
    ds_optimize *o = cc->o;
    (void)p;
    (void)prep;
    for (size_t k = 0; k < m->n_strategies; k++) {
        size_t i = cc->first + k;
        cand *c = &o->c[i];
        off_t at = ftello(o->tmp), end;
        c->p_deal = ds_stats_value(s, k, &ST_DEAL, 0);
        c->benefit = ds_stats_value(s, k, &ST_BENEFIT, 0);
        c->deficit = ds_stats_value(s, k, &ST_DEFICIT, 0);
        c->cost = ds_stats_value(s, k, &ST_COST, 0);
        for (size_t r = 0; r < o->nrl; r++)
            o->pret[i * o->nrl + r] = ds_stats_value(s, k, &ST_RET, o->rl[r].q);
        if (at < 0 || ds_output_csv_cells(m, s, k, o->tmp) != DS_OK ||
            (end = ftello(o->tmp)) < 0)
            return ds_error_set(err, DS_EIO, "temporary file of candidates: cannot "
                                             "write: %s", strerror(errno ? errno : EIO));
        c->off = (uint64_t)at;
        c->len = (uint32_t)(end - at);
        if (c->len > o->max_len)
            o->max_len = c->len;
    }
    return DS_OK;
}

static void chunk_progress(void *ctx, uint64_t done, uint64_t total)
{
    chunk_ctx *c = ctx;
    (void)total;
    c->ro->progress(c->ro->progress_ctx, c->offset + done, (uint64_t)c->total);
}

/* Is candidate i feasible (SPEC §12)? */
static int feasible(const ds_optimize *o, size_t i)
{
    const cand *c = &o->c[i];
    if (o->has_cost && !(c->cost <= o->max_cost))
        return 0;
    if (o->has_deal && !(c->p_deal >= o->min_deal))
        return 0;
    for (size_t r = 0; r < o->nrl; r++)
        if (!(o->pret[i * o->nrl + r] <= o->rl[r].p))
            return 0;
    return 1;
}

/* The third objective, lower is better; 0 without --objective deficit. */
static double third(const ds_optimize *o, const cand *c)
{
    return o->spec.objective == DS_OPT_DEFICIT ? c->deficit : 0.0;
}

static const ds_optimize *sort_o; /* qsort has no context argument */

/* p_deal descending, benefit descending, third ascending, number. */
static int by_front(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const cand *x = &sort_o->c[i], *y = &sort_o->c[j];
    double tx = third(sort_o, x), ty = third(sort_o, y);
    if (x->p_deal != y->p_deal)
        return x->p_deal > y->p_deal ? -1 : 1;
    if (x->benefit != y->benefit)
        return x->benefit > y->benefit ? -1 : 1;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* The objective's order: best first, ties by candidate number. */
static int by_objective(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const cand *x = &sort_o->c[i], *y = &sort_o->c[j];
    double vx, vy;
    switch (sort_o->spec.objective) {
    case DS_OPT_DEAL: vx = x->p_deal; vy = y->p_deal; break;
    case DS_OPT_DEFICIT: vx = -x->deficit; vy = -y->deficit; break;
    default: vx = x->benefit; vy = y->benefit; break;
    }
    if (vx != vy)
        return vx > vy ? -1 : 1;
    return i < j ? -1 : i > j;
}

static int by_benefit_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

/* Mark the front among the feasible candidates (see the top of the file). */
static int mark_front(ds_optimize *o)
{
    size_t nf = 0, nb;
    size_t *f = NULL;
    double *bs = NULL, *fen = NULL;

    for (size_t i = 0; i < o->n; i++)
        if (o->c[i].feasible)
            nf++;
    if (nf == 0)
        return DS_OK;
    if (!(f = malloc(nf * sizeof *f)) || !(bs = malloc(nf * sizeof *bs)) ||
        !(fen = malloc((nf + 1) * sizeof *fen))) {
        free(f);
        free(bs);
        return DS_ENOMEM;
    }
    nf = 0;
    for (size_t i = 0; i < o->n; i++)
        if (o->c[i].feasible) {
            bs[nf] = o->c[i].benefit;
            f[nf++] = i;
        }
    /* The distinct benefits, descending: rank r = index among them. */
    qsort(bs, nf, sizeof *bs, by_benefit_desc);
    nb = 0;
    for (size_t k = 0; k < nf; k++)
        if (nb == 0 || bs[k] != bs[nb - 1])
            bs[nb++] = bs[k];
    for (size_t k = 0; k <= nb; k++)
        fen[k] = INFINITY;
    sort_o = o;
    qsort(f, nf, sizeof *f, by_front);
    for (size_t g = 0; g < nf;) {
        size_t h = g;
        while (h < nf && o->c[f[h]].p_deal == o->c[f[g]].p_deal)
            h++;
        /* Within [g, h): sorted by benefit descending, third ascending. */
        {
            double best_above = INFINITY;   /* min third over larger benefits */
            for (size_t a = g; a < h;) {
                size_t b = a;
                double lo = third(o, &o->c[f[a]]);   /* least third of this benefit */
                while (b < h && o->c[f[b]].benefit == o->c[f[a]].benefit)
                    b++;
                for (size_t k = a; k < b; k++) {
                    const cand *c = &o->c[f[k]];
                    double t = third(o, c), qmin = INFINITY;
                    size_t lo_r = 0, hi_r = nb, r;
                    int dom = t > lo || best_above <= t;
                    /* A candidate of a higher p_deal with benefit >= and
                     * third <=: prefix minimum over ranks 0..r. */
                    while (lo_r < hi_r) {
                        size_t mid = lo_r + (hi_r - lo_r) / 2;
                        if (bs[mid] > c->benefit)
                            lo_r = mid + 1;
                        else
                            hi_r = mid;
                    }
                    for (r = lo_r + 1; r > 0; r -= r & (~r + 1))
                        if (fen[r] < qmin)
                            qmin = fen[r];
                    if (qmin <= t)
                        dom = 1;
                    o->c[f[k]].front = (unsigned char)!dom;
                }
                if (lo < best_above)
                    best_above = lo;
                a = b;
            }
        }
        /* Then the group joins the higher ones. */
        for (size_t k = g; k < h; k++) {
            const cand *c = &o->c[f[k]];
            size_t lo_r = 0, hi_r = nb;
            double t = third(o, c);
            while (lo_r < hi_r) {
                size_t mid = lo_r + (hi_r - lo_r) / 2;
                if (bs[mid] > c->benefit)
                    lo_r = mid + 1;
                else
                    hi_r = mid;
            }
            for (size_t r = lo_r + 1; r <= nb; r += r & (~r + 1))
                if (t < fen[r])
                    fen[r] = t;
        }
        g = h;
    }
    free(f);
    free(bs);
    free(fen);
    return DS_OK;
}

int ds_optimize_run(ds_optimize *o, const ds_run_opts *ro, ds_error *err)
{
    ds_report rep;
    int rc = DS_OK;

    if (o->ran)
        return ds_error_set(err, DS_EINVAL, "the search has run");
    if (!(o->tmp = tmpfile()))
        return ds_error_set(err, DS_EIO, "cannot make a temporary file for the "
                                         "candidates: %s", strerror(errno ? errno : EIO));
    ds_report_init(&rep);
    for (size_t ch = 0; ch < o->nchunks && rc == DS_OK; ch++) {
        size_t first = ch * o->chunk, last = first + o->chunk;
        chunk_ctx cc;
        ds_job job;
        ds_run_opts r2 = *ro;
        if (last > o->n)
            last = o->n;
        memset(&cc, 0, sizeof cc);
        cc.o = o;
        cc.first = first;
        cc.seed = ro->seed;
        cc.ro = ro;
        cc.offset = (uint64_t)ch * ro->draws;
        cc.total = (double)ro->draws * (double)o->nchunks;
        if (ch == 0) {
            cc.model = o->first;
            o->first = NULL;
        } else if ((rc = build_chunk(o, first, last, &cc.model, &rep)) != DS_OK) {
            /* The first chunk built, and the others differ from it only in
             * values checked already: only memory can fail here. */
            rc = ds_error_set(err, DS_ENOMEM, "out of memory");
            break;
        }
        memset(&job, 0, sizeof job);
        job.npoints = 1;
        job.model = chunk_model;
        job.seed = chunk_seed;
        job.done = chunk_done;
        job.ctx = &cc;
        r2.progress = ro->progress ? chunk_progress : NULL;
        r2.progress_ctx = &cc;
        rc = ds_run_job(&job, &r2, err);
        ds_model_free(cc.model);   /* when the job never took it */
        if (rc == DS_ERANGE) {
            /* "point 1: draw D: ... for strategy 'cN'": the chunk is no
             * point of the user's; the candidate is named. */
            char msg[DS_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s",
                     strncmp(err->msg, "point 1: ", 9) == 0 ? err->msg + 9 : err->msg);
            ds_error_set(err, DS_ERANGE, "%s", msg);
        }
    }
    ds_report_free(&rep);
    if (rc != DS_OK)
        return rc;
    if (fflush(o->tmp) != 0)
        return ds_error_set(err, DS_EIO, "temporary file of candidates: cannot write: %s",
                            strerror(errno ? errno : EIO));
    for (size_t i = 0; i < o->n; i++) {
        o->c[i].feasible = (unsigned char)feasible(o, i);
        o->order[i] = i;
    }
    if (mark_front(o) != DS_OK)
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    sort_o = o;
    qsort(o->order, o->n, sizeof *o->order, by_objective);
    o->ran = 1;
    return DS_OK;
}

/* ---- outputs ------------------------------------------------------------ */

static int write_failed(FILE *f, const char *name, ds_error *err)
{
    int e = errno;
    errno = 0;
    if (fflush(f) != 0 && errno)
        e = errno;
    return ds_error_set(err, DS_EIO, "%s: cannot write: %s", name ? name : "output",
                        strerror(e ? e : EIO));
}

/* Read candidate i's cells into buf (max_len + 1 bytes). */
static int read_cells(const ds_optimize *o, size_t i, char *buf, ds_error *err)
{
    const cand *c = &o->c[i];
    size_t got = 0;
    while (got < c->len) {
        ssize_t n = pread(fileno(o->tmp), buf + got, c->len - got, (off_t)(c->off + got));
        if (n <= 0)
            return ds_error_set(err, DS_EIO, "temporary file of candidates: cannot "
                                             "read: %s", n < 0 ? strerror(errno)
                                                               : "file is short");
        got += (size_t)n;
    }
    buf[c->len] = '\0';
    return DS_OK;
}

/* The writers below check the stream once per row and at the end: a
 * failed write sets its error indicator, which stays set (C11 7.21.7),
 * and errno, which the row check keeps by stopping there. */

int ds_optimize_csv(const ds_optimize *o, FILE *f, const char *name, ds_error *err)
{
    const ds_model *m = o->m;
    char *buf = NULL;
    int rc = DS_OK;

    if (!o->ran)
        return ds_error_set(err, DS_EINVAL, "the search has not run");
    if (!(buf = malloc(o->max_len + 1)))
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    errno = 0;
    fputs("candidate", f);
    for (size_t j = 0; j < o->nd; j++)
        fprintf(f, o->dims[j].is_line ? ",terms.%s" : ",%s",
                o->dims[j].is_line ? m->lines[o->dims[j].index].id
                                   : m->items[o->dims[j].index].id);
    fputs(",feasible,front,", f);
    ds_output_csv_columns(m, f);
    fputc('\n', f);
    for (size_t k = 0; k < o->n && !ferror(f); k++) {
        size_t i = o->order[k];
        if (o->spec.front_only && !o->c[i].front)
            continue;
        if ((rc = read_cells(o, i, buf, err)) != DS_OK)
            goto done;
        fprintf(f, "%zu", i + 1);
        for (size_t j = 0; j < o->nd; j++) {
            fputc(',', f);
            ds_csv_write_double(f, o->dims[j].v[value_index(o, i, j)]);
        }
        fprintf(f, ",%d,%d,%s\n", o->c[i].feasible, o->c[i].front, buf);
    }
    if (ferror(f) || fflush(f) != 0)
        rc = write_failed(f, name, err);
done:
    free(buf);
    return rc;
}

/* Append s to t (ids are ASCII), cutting with "..." where t would exceed
 * max bytes (max >= 3; t holds max + 1). */
static void cell(char *t, size_t max, const char *s)
{
    size_t n = strlen(t), k = strlen(s);
    if (n + k <= max) {
        memcpy(t + n, s, k + 1);
        return;
    }
    if (n > max - 3)
        n = max - 3;
    memcpy(t + n, s, max - 3 - n);
    memcpy(t + max - 3, "...", 4);
}

/* Width of the table (SPEC §6: a terminal table fits 100 columns). */
#define TABLE_WIDTH 100

/* Write the scenario's name on one line of at most TABLE_WIDTH characters
 * (UTF-8 counted as characters; control characters shown as '?'); errors
 * are left in f's indicator. */
static void put_name(FILE *f, const char *name)
{
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p & 0xC0) != 0x80 && ++chars > TABLE_WIDTH - 3) {
            fputs("...", f);
            break;
        }
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
    }
    fputc('\n', f);
}

int ds_optimize_table(const ds_optimize *o, FILE *f, const char *name, ds_error *err)
{
    const ds_model *m = o->m;
    size_t nfront = 0, nfeas = 0;
    static const char *const obj[] = {"benefit", "deal", "deficit"};

    if (!o->ran)
        return ds_error_set(err, DS_EINVAL, "the search has not run");
    for (size_t i = 0; i < o->n; i++) {
        nfront += o->c[i].front;
        nfeas += o->c[i].feasible;
    }
    errno = 0;
    put_name(f, m->name);
    fprintf(f, "Pareto front: %zu of %zu candidates (%zu feasible), best %s first\n\n",
            nfront, o->n, nfeas, obj[o->spec.objective]);
    fprintf(f, "%-8s %7s %9s %9s %8s  %s\n", "cand", "P(deal)", "benefit", "deficit",
            "cost", "package (intensity if not 1; asked tariffs)");
    for (size_t k = 0; k < o->n && !ferror(f); k++) {
        size_t i = o->order[k];
        const cand *c = &o->c[i];
        char id[24], row[TABLE_WIDTH + 1], pkg[TABLE_WIDTH + 1] = "";
        size_t room;
        int any = 0;
        if (!c->front)
            continue;
        snprintf(id, sizeof id, "c%zu", i + 1);
        /* The figures, then the package in what is left of the line. */
        snprintf(row, sizeof row, "%-8s %7.3f %9.3f %9.3f %8.3f  ", id, c->p_deal, c->benefit,
                 c->deficit, c->cost);
        room = strlen(row) + 12 < TABLE_WIDTH ? TABLE_WIDTH - strlen(row) : 12;
        for (size_t j = 0; j < o->nd; j++) {
            double x = o->dims[j].v[value_index(o, i, j)];
            char part[128];
            if (o->dims[j].is_line)
                snprintf(part, sizeof part, "%s%s@%g%%", any ? " " : "",
                         m->lines[o->dims[j].index].id, 100.0 * x);
            else if (x == 0.0)
                continue;
            else if (x == 1.0)
                snprintf(part, sizeof part, "%s%s", any ? " " : "", m->items[o->dims[j].index].id);
            else
                snprintf(part, sizeof part, "%s%s*%g", any ? " " : "",
                         m->items[o->dims[j].index].id, x);
            cell(pkg, room, part);
            any = 1;
        }
        if (!any)
            cell(pkg, room, "(nothing)");
        fprintf(f, "%s%s\n", row, pkg);
    }
    fprintf(f, "\ncand: the candidate (CSV column strategy); P(deal): p_deal; "
               "benefit: benefit_mean,\ndeficit: deficit_mean, cost: "
               "concession_cost_mean (bn/yr).  The front: no other feasible\n"
               "candidate has at least as high a P(deal) and benefit%s, and "
               "better on one.\n",
            o->spec.objective == DS_OPT_DEFICIT ? " and as low a deficit" : "");
    if (ferror(f) || fflush(f) != 0)
        return write_failed(f, name, err);
    return DS_OK;
}
