/*
 * compare.c - `dealsim compare` (SPEC §9; see include/dealsim/compare.h).
 * Reads two summary or sweep CSVs written by dealsim (SPEC §6, §9), checks
 * that they describe the same rows and columns, and writes the differences.
 */
#include "dealsim/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where things are in one input. */
typedef struct layout {
    const ds_csv *c;
    const char *file;
    int sweep;            /* first column is `point` */
    size_t strat;         /* column of `strategy` */
    size_t n_var;         /* varied columns 1..strat-1 (sweep only) */
} layout;

/* One data row, for sorting and lookup by (point, strategy). */
typedef struct key {
    unsigned long long point; /* 0 for a summary CSV */
    const char *strategy;
    size_t row;
} key;

void ds_compare_opts_init(ds_compare_opts *o)
{
    o->only_significant = 0;
    o->z_min = DS_COMPARE_Z_DEFAULT;
}

static int key_cmp(const void *x, const void *y)
{
    const key *a = x, *b = y;
    int c;
    if (a->point != b->point)
        return a->point < b->point ? -1 : 1;
    c = strcmp(a->strategy, b->strategy);
    if (c)
        return c;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* Compare without the row number, for bsearch. */
static int key_cmp_id(const void *x, const void *y)
{
    const key *a = x, *b = y;
    if (a->point != b->point)
        return a->point < b->point ? -1 : 1;
    return strcmp(a->strategy, b->strategy);
}

static int get_layout(const ds_csv *c, layout *l, ds_error *err)
{
    const char *file = ds_csv_file(c);
    size_t hl = ds_csv_header_line(c), nc = ds_csv_cols(c);
    long s;
    memset(l, 0, sizeof *l);
    l->c = c;
    l->file = file;
    if (strcmp(ds_csv_name(c, 0), "point") == 0) {
        l->sweep = 1;
        s = ds_csv_find(c, "strategy");
        if (s < 0)
            return ds_error_set(err, DS_EINVAL, "%s:%zu: error: no 'strategy' column", file, hl);
        l->strat = (size_t)s;
        l->n_var = l->strat - 1;
    } else if (strcmp(ds_csv_name(c, 0), "strategy") == 0) {
        l->strat = 0;
    } else {
        return ds_error_set(err, DS_EINVAL,
                            "%s:%zu: error: not a summary CSV (first column 'strategy') "
                            "nor a sweep CSV (first column 'point')", file, hl);
    }
    for (size_t j = 0; j < nc; j++)
        for (size_t k = 0; k < j; k++)
            if (strcmp(ds_csv_name(c, j), ds_csv_name(c, k)) == 0)
                return ds_error_set(err, DS_EINVAL, "%s:%zu: error: duplicate column '%s'",
                                    file, hl, ds_csv_name(c, j));
    return DS_OK;
}

/* Sorted keys of every row; checks point cells and duplicates. */
static int make_keys(const layout *l, key **out, ds_error *err)
{
    size_t n = ds_csv_rows(l->c);
    key *k = malloc((n ? n : 1) * sizeof *k);
    *out = NULL;
    if (!k)
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    for (size_t i = 0; i < n; i++) {
        k[i].point = 0;
        k[i].strategy = ds_csv_cell(l->c, i, l->strat);
        k[i].row = i;
        if (l->sweep) {
            const char *p = ds_csv_cell(l->c, i, 0);
            int digit = *p >= '0' && *p <= '9';
            char *end = (char *)p;
            errno = 0;
            if (digit)
                k[i].point = strtoull(p, &end, 10);
            if (!digit || *end || errno || k[i].point == 0) {
                ds_error_set(err, DS_EINVAL,
                             "%s:%zu: error: column 'point': expected an integer >= 1, got '%s'",
                             l->file, ds_csv_line(l->c, i), p);
                free(k);
                return DS_EINVAL;
            }
        }
    }
    qsort(k, n, sizeof *k, key_cmp);
    for (size_t i = 1; i < n; i++)
        if (key_cmp_id(&k[i - 1], &k[i]) == 0) {
            if (l->sweep)
                ds_error_set(err, DS_EINVAL,
                             "%s:%zu: error: duplicate row for point %llu, strategy '%s' "
                             "(first at line %zu)", l->file, ds_csv_line(l->c, k[i].row),
                             k[i].point, k[i].strategy, ds_csv_line(l->c, k[i - 1].row));
            else
                ds_error_set(err, DS_EINVAL,
                             "%s:%zu: error: duplicate row for strategy '%s' (first at line %zu)",
                             l->file, ds_csv_line(l->c, k[i].row), k[i].strategy,
                             ds_csv_line(l->c, k[i - 1].row));
            free(k);
            return DS_EINVAL;
        }
    *out = k;
    return DS_OK;
}

/* Error for row `row` of `from` having no partner in `in`. */
static int missing_row(const layout *from, const layout *in, const key *k, ds_error *err)
{
    if (from->sweep)
        return ds_error_set(err, DS_EINVAL,
                            "%s: error: point %llu, strategy '%s' (%s:%zu) is missing",
                            in->file, k->point, k->strategy, from->file,
                            ds_csv_line(from->c, k->row));
    return ds_error_set(err, DS_EINVAL, "%s: error: strategy '%s' (%s:%zu) is missing",
                        in->file, k->strategy, from->file, ds_csv_line(from->c, k->row));
}

/* Every column of x from index `from` to `to` (exclusive) must be in y
 * within the same part (varied or metric). */
static int columns_in(const layout *x, const layout *y, size_t from, size_t to,
                      size_t y_from, size_t y_to, const char *what, ds_error *err)
{
    for (size_t j = from; j < to; j++) {
        long k = ds_csv_find(y->c, ds_csv_name(x->c, j));
        if (k < (long)y_from || k >= (long)y_to)
            return ds_error_set(err, DS_EINVAL, "%s: error: %s column '%s' (in %s) is missing",
                                y->file, what, ds_csv_name(x->c, j), x->file);
    }
    return DS_OK;
}

/* Two varied-path cells agree: equal numbers, or equal texts. */
static int same_value(const char *p, const char *q)
{
    double x, y;
    if (ds_csv_parse_double(p, &x) && ds_csv_parse_double(q, &y))
        return x == y || (isnan(x) && isnan(y));
    return strcmp(p, q) == 0;
}

/* Cell of a metric as a number: 1 with *x set, 0 when empty (or NaN), or
 * DS_EINVAL-style failure reported through *bad. */
static int cell_number(const layout *l, size_t row, size_t col, double *x, int *bad,
                       ds_error *err)
{
    const char *s = ds_csv_cell(l->c, row, col);
    const char *t = s;
    while (*t == ' ' || *t == '\t')
        t++;
    if (!*t)
        return 0;
    if (!ds_csv_parse_double(s, x)) {
        ds_error_set(err, DS_EINVAL, "%s:%zu: error: column '%s': not a number: '%s'",
                     l->file, ds_csv_line(l->c, row), ds_csv_name(l->c, col), s);
        *bad = 1;
        return 0;
    }
    return !isnan(*x);
}

/* Column of the standard error of metric column j of l, or -1. */
static long se_column(const layout *l, size_t j)
{
    const char *m = ds_csv_name(l->c, j);
    size_t n = strlen(m);
    char buf[512];
    long k;
    static const char mean[] = "_mean";
    const size_t mean_len = sizeof mean - 1;
    if (n + 4 > sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s_se", m);
    k = ds_csv_find(l->c, buf);
    if (k > (long)l->strat)
        return k;
    if (n > mean_len && strcmp(m + n - mean_len, mean) == 0) {
        snprintf(buf, sizeof buf, "%.*s_se", (int)(n - mean_len), m);
        k = ds_csv_find(l->c, buf);
        if (k > (long)l->strat)
            return k;
    }
    return -1;
}

static int put_sep(FILE *f, char c)
{
    return putc(c, f) == EOF ? DS_EIO : DS_OK;
}

/* Go over every output row; check cells, and write when out != NULL. */
static int emit(const layout *a, const layout *b, const key *kb, size_t nb,
                const ds_compare_opts *o, FILE *out, ds_error *err)
{
    size_t na = ds_csv_rows(a->c), nc = ds_csv_cols(a->c);
    int io = DS_OK;
    if (out) {
        if (fputs(a->sweep ? "strategy,point,metric,a,b,diff,z\n"
                           : "strategy,metric,a,b,diff,z\n", out) == EOF)
            io = DS_EIO;
    }
    for (size_t i = 0; i < na; i++) {
        key k = {0, ds_csv_cell(a->c, i, a->strat), i};
        const key *m;
        size_t ib;
        if (a->sweep)
            k.point = strtoull(ds_csv_cell(a->c, i, 0), NULL, 10);
        m = bsearch(&k, kb, nb, sizeof *kb, key_cmp_id);
        ib = m->row; /* every row was matched before */
        for (size_t j = a->strat + 1; j < nc; j++) {
            size_t jb = (size_t)ds_csv_find(b->c, ds_csv_name(a->c, j));
            long sa = se_column(a, j), sb = sa >= 0 ? ds_csv_find(b->c, ds_csv_name(a->c, (size_t)sa)) : -1;
            double xa = 0, xb = 0, ea = 0, eb = 0, diff = NAN, z = NAN;
            int bad = 0;
            int ha = cell_number(a, i, j, &xa, &bad, err);
            int hb = bad ? 0 : cell_number(b, ib, jb, &xb, &bad, err);
            if (bad)
                return DS_EINVAL;
            if (ha && hb)
                diff = xb - xa;
            if (sa >= 0 && sb >= 0) {
                int hsa = cell_number(a, i, (size_t)sa, &ea, &bad, err);
                int hsb = bad ? 0 : cell_number(b, ib, (size_t)sb, &eb, &bad, err);
                double den = hypot(ea, eb);
                if (bad)
                    return DS_EINVAL;
                if (hsa && hsb && !isnan(diff) && den != 0)
                    z = diff / den;
            }
            if (o->only_significant && !(fabs(z) >= o->z_min))
                continue;
            if (!out)
                continue;
            io |= ds_csv_write_field(out, k.strategy);
            if (a->sweep) {
                if (fprintf(out, ",%llu", k.point) < 0)
                    io = DS_EIO;
            }
            io |= put_sep(out, ',');
            io |= ds_csv_write_field(out, ds_csv_name(a->c, j));
            io |= put_sep(out, ',');
            if (ha)
                io |= ds_csv_write_double(out, xa);
            io |= put_sep(out, ',');
            if (hb)
                io |= ds_csv_write_double(out, xb);
            io |= put_sep(out, ',');
            io |= ds_csv_write_double(out, diff);
            io |= put_sep(out, ',');
            io |= ds_csv_write_double(out, z);
            io |= put_sep(out, '\n');
        }
        if (io)
            break;
    }
    if (out && (io || fflush(out) != 0 || ferror(out)))
        return ds_error_set(err, DS_EIO, "error: cannot write the comparison: %s",
                            strerror(errno));
    return DS_OK;
}

int ds_compare_tables(const ds_csv *ca, const ds_csv *cb, const ds_compare_opts *opts,
                      FILE *out, ds_error *err)
{
    ds_compare_opts def;
    layout a, b;
    key *ka = NULL, *kb = NULL;
    char *seen = NULL;
    size_t na, nb;
    int rc;

    if (!opts) {
        ds_compare_opts_init(&def);
        opts = &def;
    }
    if (!isfinite(opts->z_min) || opts->z_min < 0)
        return ds_error_set(err, DS_EINVAL, "error: --z: must be a finite number >= 0");
    if ((rc = get_layout(ca, &a, err)) || (rc = get_layout(cb, &b, err)))
        return rc;
    if (a.sweep != b.sweep)
        return ds_error_set(err, DS_EINVAL, "%s: error: a %s CSV, but %s is a %s CSV",
                            b.file, b.sweep ? "sweep" : "summary", a.file,
                            a.sweep ? "sweep" : "summary");
    /* Same varied columns, same metric columns (in any order). */
    if ((rc = columns_in(&a, &b, 1, a.strat, 1, b.strat, "varied", err)) ||
        (rc = columns_in(&b, &a, 1, b.strat, 1, a.strat, "varied", err)) ||
        (rc = columns_in(&a, &b, a.strat + 1, ds_csv_cols(ca), b.strat + 1, ds_csv_cols(cb),
                         "metric", err)) ||
        (rc = columns_in(&b, &a, b.strat + 1, ds_csv_cols(cb), a.strat + 1, ds_csv_cols(ca),
                         "metric", err)))
        return rc;

    if ((rc = make_keys(&a, &ka, err)) || (rc = make_keys(&b, &kb, err)))
        goto fail;
    na = ds_csv_rows(ca);
    nb = ds_csv_rows(cb);
    if (!(seen = calloc(nb ? nb : 1, 1))) {
        rc = ds_error_set(err, DS_ENOMEM, "error: out of memory");
        goto fail;
    }
    /* Every row of a in b, in a's row order (so the first missing one in
     * file order is named); then whatever of b is left. */
    for (size_t i = 0; i < na; i++) {
        key k = {0, ds_csv_cell(ca, i, a.strat), i};
        const key *m;
        if (a.sweep)
            k.point = strtoull(ds_csv_cell(ca, i, 0), NULL, 10);
        m = bsearch(&k, kb, nb, sizeof *kb, key_cmp_id);
        if (!m) {
            rc = missing_row(&a, &b, &k, err);
            goto fail;
        }
        seen[m->row] = 1;
        for (size_t j = 1; j < a.strat; j++) {
            size_t jb = (size_t)ds_csv_find(cb, ds_csv_name(ca, j));
            const char *va = ds_csv_cell(ca, i, j), *vb = ds_csv_cell(cb, m->row, jb);
            if (!same_value(va, vb)) {
                rc = ds_error_set(err, DS_EINVAL,
                                  "%s:%zu: error: point %llu, column '%s': '%s' here, "
                                  "'%s' in %s:%zu", b.file, ds_csv_line(cb, m->row),
                                  k.point, ds_csv_name(ca, j), vb, va, a.file,
                                  ds_csv_line(ca, i));
                goto fail;
            }
        }
    }
    for (size_t i = 0; i < nb; i++)
        if (!seen[i]) {
            key k = {0, ds_csv_cell(cb, i, b.strat), i};
            if (b.sweep)
                k.point = strtoull(ds_csv_cell(cb, i, 0), NULL, 10);
            rc = missing_row(&b, &a, &k, err);
            goto fail;
        }

    /* Check every cell first, so that a bad file writes nothing. */
    if ((rc = emit(&a, &b, kb, nb, opts, NULL, err)) ||
        (rc = emit(&a, &b, kb, nb, opts, out, err)))
        goto fail;
    rc = DS_OK;
fail:
    free(ka);
    free(kb);
    free(seen);
    return rc;
}

int ds_compare_files(const char *a_path, const char *b_path, const ds_compare_opts *opts,
                     FILE *out, ds_error *err)
{
    ds_csv *a = NULL, *b = NULL;
    int rc = ds_csv_read(a_path, &a, err);
    if (rc == DS_OK)
        rc = ds_csv_read(b_path, &b, err);
    if (rc == DS_OK)
        rc = ds_compare_tables(a, b, opts, out, err);
    ds_csv_free(a);
    ds_csv_free(b);
    return rc;
}
