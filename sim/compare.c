/*
 * compare.c - `dealsim compare` (SPEC §9, §10; see include/dealsim/compare.h).
 * Reads two summary or sweep CSVs written by dealsim (SPEC §6, §9), checks
 * that they describe the same rows and columns, and writes the differences
 * as CSV or as a table for a terminal.  Column names are found through a
 * hash of each file's header and every metric's partner columns are looked
 * up once, so the work is linear in the number of cells.
 */
#include "dealsim/compare.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/output.h"

/* A file's column names: open addressing, slot = column index + 1 (0 is
 * empty), at most half full. */
typedef struct names {
    size_t mask;          /* slots - 1 (slots a power of two) */
    size_t *slot;
} names;

/* Where things are in one input. */
typedef struct layout {
    const ds_csv *c;
    const char *file;
    int sweep;            /* first column is `point` */
    size_t strat;         /* column of `strategy` */
    names nm;
} layout;

/* One data row, for sorting and lookup by (point, strategy). */
typedef struct key {
    unsigned long long point; /* 0 for a summary CSV */
    const char *strategy;
    size_t row;
} key;

/* A metric column of a, with its partners, found once. */
typedef struct metric {
    size_t ja, jb;        /* its column in a and in b */
    long sa, sb;          /* its standard error's column in a and b, or -1 */
    const char *unit;     /* from the column table, or NULL */
} metric;

/* One output row's numbers. */
typedef struct cmp_row {
    size_t i, ib, m;      /* row of a, row of b, metric */
    double xa, xb, diff, z;
    int ha, hb;           /* xa, xb present */
} cmp_row;

void ds_compare_opts_init(ds_compare_opts *o)
{
    o->only_significant = 0;
    o->z_min = DS_COMPARE_Z_DEFAULT;
    o->table = 0;
}

/* ---- column names ----------------------------------------------------- */

/* FNV-1a, 64 bits. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* Build the hash of l's header; the first name seen twice is an error. */
static int names_build(layout *l, ds_error *err)
{
    size_t nc = ds_csv_cols(l->c), cap = 4;
    while (cap < 2 * nc)
        cap *= 2;
    if (!(l->nm.slot = calloc(cap, sizeof *l->nm.slot)))
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    l->nm.mask = cap - 1;
    for (size_t j = 0; j < nc; j++) {
        const char *name = ds_csv_name(l->c, j);
        size_t h = (size_t)hash_str(name) & l->nm.mask;
        for (; l->nm.slot[h]; h = (h + 1) & l->nm.mask)
            if (strcmp(ds_csv_name(l->c, l->nm.slot[h] - 1), name) == 0)
                return ds_error_set(err, DS_EINVAL, "%s:%zu: error: duplicate column '%s'",
                                    l->file, ds_csv_header_line(l->c), name);
        l->nm.slot[h] = j + 1;
    }
    return DS_OK;
}

/* Column of `name` in l, or -1. */
static long names_find(const layout *l, const char *name)
{
    size_t h = (size_t)hash_str(name) & l->nm.mask;
    for (; l->nm.slot[h]; h = (h + 1) & l->nm.mask)
        if (strcmp(ds_csv_name(l->c, l->nm.slot[h] - 1), name) == 0)
            return (long)l->nm.slot[h] - 1;
    return -1;
}

/* ---- layout and rows -------------------------------------------------- */

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
    size_t hl = ds_csv_header_line(c);
    memset(l, 0, sizeof *l);
    l->c = c;
    l->file = file;
    if (strcmp(ds_csv_name(c, 0), "point") == 0) {
        long s = ds_csv_find(c, "strategy");
        l->sweep = 1;
        if (s < 0)
            return ds_error_set(err, DS_EINVAL, "%s:%zu: error: no 'strategy' column", file, hl);
        l->strat = (size_t)s;
    } else if (strcmp(ds_csv_name(c, 0), "strategy") == 0) {
        l->strat = 0;
    } else {
        return ds_error_set(err, DS_EINVAL,
                            "%s:%zu: error: not a summary CSV (first column 'strategy') "
                            "nor a sweep CSV (first column 'point')", file, hl);
    }
    return names_build(l, err);
}

/* Row i's key (its point cell is checked by make_keys). */
static key row_key(const layout *l, size_t i)
{
    key k = {0, ds_csv_cell(l->c, i, l->strat), i};
    if (l->sweep)
        k.point = strtoull(ds_csv_cell(l->c, i, 0), NULL, 10);
    return k;
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
        long k = names_find(y, ds_csv_name(x->c, j));
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

/* ---- metrics ---------------------------------------------------------- */

/* Column in l of `name` after the strategy column, or -1. */
static long metric_column(const layout *l, const char *name)
{
    long k = names_find(l, name);
    return k > (long)l->strat ? k : -1;
}

/* Column of the standard error of metric column j of l, or -1: the one
 * the column table names (row, matched to the name with its id at id),
 * else (row NULL: a column it does not know) M_se or, for X_mean, X_se.
 * *unit gets the table's unit, or NULL. */
static long se_column(const layout *l, size_t j, const ds_column *row, const char *id,
                      size_t id_len, const char **unit)
{
    const char *m = ds_csv_name(l->c, j);
    size_t n = strlen(m);
    char buf[512];
    static const char mean[] = "_mean";
    const size_t mean_len = sizeof mean - 1;
    long k;

    *unit = row ? row->unit : NULL;
    if (n + 4 > sizeof buf)
        return -1;
    if (row) {
        const char *hole;
        if (!row->se)
            return -1;
        hole = strstr(row->se, "%s");
        if (!hole)
            snprintf(buf, sizeof buf, "%s", row->se);
        else
            snprintf(buf, sizeof buf, "%.*s%.*s%s", (int)(hole - row->se), row->se,
                     (int)id_len, id, hole + 2);
        return metric_column(l, buf);
    }
    snprintf(buf, sizeof buf, "%s_se", m);
    if ((k = metric_column(l, buf)) >= 0)
        return k;
    if (n > mean_len && strcmp(m + n - mean_len, mean) == 0) {
        snprintf(buf, sizeof buf, "%.*s_se", (int)(n - mean_len), m);
        return metric_column(l, buf);
    }
    return -1;
}

/* The metrics: a's columns after `strategy` but the text ones of the
 * column table (the strategy's label, which describes the row and is not
 * compared), with their partners. */
static int make_metrics(const layout *a, const layout *b, metric **out, size_t *n,
                        ds_error *err)
{
    size_t nc = ds_csv_cols(a->c), nm = nc - a->strat - 1, i = 0;
    metric *mt = malloc((nm ? nm : 1) * sizeof *mt);
    if (!mt)
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    for (size_t j = a->strat + 1; j < nc; j++) {
        const char *unit, *id;
        size_t id_len;
        const ds_column *row = ds_output_column_match(ds_csv_name(a->c, j), &id, &id_len);
        if (row && row->kind == DS_COL_LABEL)
            continue;
        mt[i].ja = j;
        mt[i].jb = (size_t)names_find(b, ds_csv_name(a->c, j)); /* checked before */
        mt[i].sa = se_column(a, j, row, id, id_len, &unit);
        mt[i].sb = mt[i].sa >= 0 ? metric_column(b, ds_csv_name(a->c, (size_t)mt[i].sa)) : -1;
        mt[i].unit = unit;
        i++;
    }
    *out = mt;
    *n = i;
    return DS_OK;
}

/* The numbers of output row (a's row i, b's row ib, metric m); DS_EINVAL on
 * a cell that is not a number. */
static int compute(const layout *a, const layout *b, const metric *mt, size_t i, size_t ib,
                   size_t m, cmp_row *r, ds_error *err)
{
    const metric *t = &mt[m];
    double ea = 0, eb = 0;
    int bad = 0;
    r->i = i;
    r->ib = ib;
    r->m = m;
    r->xa = r->xb = 0;
    r->diff = r->z = NAN;
    r->ha = cell_number(a, i, t->ja, &r->xa, &bad, err);
    r->hb = bad ? 0 : cell_number(b, ib, t->jb, &r->xb, &bad, err);
    if (bad)
        return DS_EINVAL;
    if (r->ha && r->hb)
        r->diff = r->xb - r->xa;
    if (t->sa >= 0 && t->sb >= 0) {
        int hsa = cell_number(a, i, (size_t)t->sa, &ea, &bad, err);
        int hsb = bad ? 0 : cell_number(b, ib, (size_t)t->sb, &eb, &bad, err);
        double den = hypot(ea, eb);
        if (bad)
            return DS_EINVAL;
        if (hsa && hsb && !isnan(r->diff) && den != 0)
            r->z = r->diff / den;
    }
    return DS_OK;
}

/* What is done with each output row, in a's order. */
typedef int (*row_fn)(void *ctx, const cmp_row *r);

static int each_row(const layout *a, const layout *b, const key *kb, size_t nb,
                    const metric *mt, size_t nm, const ds_compare_opts *o, row_fn fn,
                    void *ctx, ds_error *err)
{
    for (size_t i = 0; i < ds_csv_rows(a->c); i++) {
        key k = row_key(a, i);
        const key *p = bsearch(&k, kb, nb, sizeof *kb, key_cmp_id); /* matched before */
        for (size_t m = 0; m < nm; m++) {
            cmp_row r;
            int rc = compute(a, b, mt, i, p->row, m, &r, err);
            if (rc != DS_OK)
                return rc;
            if (o->only_significant && !(fabs(r.z) >= o->z_min))
                continue;
            if (fn && (rc = fn(ctx, &r)) != DS_OK)
                return rc;
        }
    }
    return DS_OK;
}

/* ---- writing ---------------------------------------------------------- */

/* The output and the first failed write's errno. */
typedef struct wr {
    FILE *f;
    int err;
    const layout *a;
    const metric *mt;
} wr;

static void w_check(wr *w, int failed)
{
    if (failed && !w->err)
        w->err = errno ? errno : EIO;
}

static void w_put(wr *w, const char *s)
{
    if (!w->err)
        w_check(w, fputs(s, w->f) == EOF);
}

static void w_field(wr *w, const char *s)
{
    if (!w->err)
        w_check(w, ds_csv_write_field(w->f, s) != DS_OK);
}

static void w_num(wr *w, double x)
{
    if (!w->err)
        w_check(w, ds_csv_write_double(w->f, x) != DS_OK);
}

static int csv_row(void *ctx, const cmp_row *r)
{
    wr *w = ctx;
    key k = row_key(w->a, r->i);
    char pt[32];
    w_field(w, k.strategy);
    if (w->a->sweep) {
        snprintf(pt, sizeof pt, ",%llu", k.point);
        w_put(w, pt);
    }
    w_put(w, ",");
    w_field(w, ds_csv_name(w->a->c, w->mt[r->m].ja));
    w_put(w, ",");
    if (r->ha)
        w_num(w, r->xa);
    w_put(w, ",");
    if (r->hb)
        w_num(w, r->xb);
    w_put(w, ",");
    w_num(w, r->diff);
    w_put(w, ",");
    w_num(w, r->z);
    w_put(w, "\n");
    return w->err ? DS_EIO : DS_OK;
}

/* The table's rows, kept for sorting. */
typedef struct rows {
    cmp_row *v;
    size_t n, cap;
} rows;

static int keep_row(void *ctx, const cmp_row *r)
{
    rows *t = ctx;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        cmp_row *p = realloc(t->v, cap * sizeof *p);
        if (!p)
            return DS_ENOMEM;
        t->v = p;
        t->cap = cap;
    }
    t->v[t->n++] = *r;
    return DS_OK;
}

/* Largest |z| first, rows without a z last; otherwise in a's order. */
static int by_z(const void *x, const void *y)
{
    const cmp_row *p = x, *q = y;
    int hp = !isnan(p->z), hq = !isnan(q->z);
    if (hp != hq)
        return hq - hp;
    if (hp && fabs(p->z) != fabs(q->z))
        return fabs(p->z) < fabs(q->z) ? 1 : -1;
    if (p->i != q->i)
        return p->i < q->i ? -1 : 1;
    return p->m < q->m ? -1 : p->m > q->m;
}

/* Widest cells of the table's columns: strategy, point, metric, a, b, diff,
 * z.  Their sum plus 2 between columns is at most 100. */
enum { T_STRATEGY, T_POINT, T_METRIC, T_A, T_B, T_DIFF, T_Z, T_COLS };
static const size_t t_max[T_COLS] = {16, 6, 26, 10, 10, 10, 9};
#define T_CELL 64
_Static_assert(16 + 6 + 26 + 10 + 10 + 10 + 9 + 2 * (T_COLS - 1) <= DS_COMPARE_TABLE_WIDTH,
               "the compare table fits its width");

/* s as a cell of at most max characters: control characters as '?', a
 * longer text cut to max - 1 bytes and '~' (names are ids: ASCII). */
static void t_text(char *cell, const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n] && n < T_CELL - 1; n++)
        cell[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
    cell[n] = '\0';
    if (n > max) {
        cell[max - 1] = '~';
        cell[max] = '\0';
    }
}

/* x as a cell (empty without a value); a form too wide for the column
 * falls back to 2 significant digits. */
static void t_num(char *cell, const char *fmt, double x, int have, size_t max)
{
    if (!have || isnan(x)) {
        cell[0] = '\0';
        return;
    }
    snprintf(cell, T_CELL, fmt, x);
    if (strlen(cell) > max)
        snprintf(cell, T_CELL, "%+.1e", x);
}

/* The cells of table row r (r NULL: the heading). */
static void t_cells(char cell[T_COLS][T_CELL], const wr *w, const cmp_row *r)
{
    static const char *const head[T_COLS] = {"strategy", "point", "metric", "a", "b",
                                             "diff", "z"};
    key k;
    if (!r) {
        for (int c = 0; c < T_COLS; c++)
            snprintf(cell[c], T_CELL, "%s", head[c]);
        return;
    }
    k = row_key(w->a, r->i);
    t_text(cell[T_STRATEGY], k.strategy, t_max[T_STRATEGY]);
    snprintf(cell[T_POINT], T_CELL, "%llu", k.point);
    t_text(cell[T_METRIC], ds_csv_name(w->a->c, w->mt[r->m].ja), t_max[T_METRIC]);
    t_num(cell[T_A], "%.4g", r->xa, r->ha, t_max[T_A]);
    t_num(cell[T_B], "%.4g", r->xb, r->hb, t_max[T_B]);
    t_num(cell[T_DIFF], "%+.4g", r->diff, 1, t_max[T_DIFF]);
    t_num(cell[T_Z], "%+.2f", r->z, 1, t_max[T_Z]);
}

/* One line: names left-aligned, numbers right-aligned, two spaces between
 * columns, no blanks at the end. */
static void t_line(wr *w, char cell[T_COLS][T_CELL], const size_t *width)
{
    char line[T_COLS * (T_CELL + 2) + 2];
    size_t n = 0;
    for (int c = 0; c < T_COLS; c++) {
        if (c == T_POINT && !w->a->sweep)
            continue;
        n += (size_t)snprintf(line + n, sizeof line - n, c <= T_METRIC ? "%s%-*s" : "%s%*s",
                              n ? "  " : "", (int)width[c], cell[c]);
    }
    while (n && line[n - 1] == ' ')
        n--;
    line[n++] = '\n';
    line[n] = '\0';
    w_put(w, line);
}

/* "units: bn/yr: deficit_mean, deficit_se; fraction: p_deal": each metric
 * shown, grouped by unit in order of first appearance, names in full,
 * wrapped at the table's width.  Metrics the column table does not know
 * have no unit and are left out.  shown: nm bytes of zeros (used up). */
static void t_legend(wr *w, const rows *t, size_t nm, char *shown)
{
    char name[T_CELL], item[2 * T_CELL];
    size_t col = 0;
    int groups = 0;
    for (size_t i = 0; i < t->n; i++)
        shown[t->v[i].m] = 1;
    for (size_t m = 0; m < nm; m++) {
        const char *unit = w->mt[m].unit;
        if (!shown[m] || !unit || !*unit)
            continue;
        for (size_t k = m; k < nm; k++) {
            const char *u = w->mt[k].unit;
            if (!shown[k] || !u || strcmp(u, unit) != 0)
                continue;
            t_text(name, ds_csv_name(w->a->c, w->mt[k].ja), T_CELL - 1);
            if (k == m)
                snprintf(item, sizeof item, "%s: %s", unit, name);
            else
                snprintf(item, sizeof item, "%s", name);
            /* The separator stays on its line; the item moves if needed. */
            w_put(w, k != m ? "," : groups ? ";" : "units:");
            col += k != m ? 1 : groups ? 1 : strlen("units:");
            if (col + 1 + strlen(item) > DS_COMPARE_TABLE_WIDTH) {
                w_put(w, "\n ");
                col = 1;
            }
            w_put(w, " ");
            w_put(w, item);
            col += 1 + strlen(item);
            shown[k] = 0;
        }
        groups++;
    }
    if (groups)
        w_put(w, "\n");
}

/* A file name for the terminal: control characters as '?'. */
static void t_file(wr *w, const char *label, const char *file)
{
    w_put(w, label);
    for (; *file; file++) {
        char ch[2] = {(unsigned char)*file < 0x20 || *file == 0x7f ? '?' : *file, '\0'};
        w_put(w, ch);
    }
    w_put(w, "\n");
}

static int write_table(wr *w, rows *t, const ds_csv *cb, size_t nm, const ds_compare_opts *o)
{
    char cell[T_COLS][T_CELL];
    size_t width[T_COLS] = {0};
    /* The legend's memory before anything is written. */
    char *shown = calloc(nm ? nm : 1, 1);
    if (!shown)
        return DS_ENOMEM;
    if (t->n)
        qsort(t->v, t->n, sizeof *t->v, by_z);
    for (size_t i = 0; i <= t->n; i++) {
        t_cells(cell, w, i ? &t->v[i - 1] : NULL);
        for (int c = 0; c < T_COLS; c++)
            if (strlen(cell[c]) > width[c])
                width[c] = strlen(cell[c]);
    }
    t_file(w, "a: ", ds_csv_file(w->a->c));
    t_file(w, "b: ", ds_csv_file(cb));
    w_put(w, "diff = b - a, z = diff / sqrt(se_a^2 + se_b^2); largest |z| first\n\n");
    for (size_t i = 0; i <= t->n; i++) {
        t_cells(cell, w, i ? &t->v[i - 1] : NULL);
        t_line(w, cell, width);
    }
    if (!t->n && o->only_significant) {
        char line[128];
        snprintf(line, sizeof line, "(no metric with |z| >= %g)\n", o->z_min);
        w_put(w, line);
    }
    if (t->n)
        w_put(w, "\n");
    t_legend(w, t, nm, shown);
    free(shown);
    return w->err ? DS_EIO : DS_OK;
}

/* ---- the comparison --------------------------------------------------- */

int ds_compare_write(const ds_csv *ca, const ds_csv *cb, const ds_compare_opts *opts,
                     FILE *out, const char *out_name, ds_error *err)
{
    ds_compare_opts def;
    layout a, b;
    key *ka = NULL, *kb = NULL;
    metric *mt = NULL;
    char *seen = NULL;
    rows t = {NULL, 0, 0};
    wr w = {out, 0, &a, NULL};
    size_t na, nb, nm = 0;
    int rc;

    if (!opts) {
        ds_compare_opts_init(&def);
        opts = &def;
    }
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    if (!isfinite(opts->z_min) || opts->z_min < 0)
        return ds_error_set(err, DS_EINVAL, "error: --z: must be a finite number >= 0");
    if ((rc = get_layout(ca, &a, err)) || (rc = get_layout(cb, &b, err)))
        goto fail;
    if (a.sweep != b.sweep) {
        rc = ds_error_set(err, DS_EINVAL, "%s: error: a %s CSV, but %s is a %s CSV",
                          b.file, b.sweep ? "sweep" : "summary", a.file,
                          a.sweep ? "sweep" : "summary");
        goto fail;
    }
    /* Same varied columns, same metric columns (in any order). */
    if ((rc = columns_in(&a, &b, 1, a.strat, 1, b.strat, "varied", err)) ||
        (rc = columns_in(&b, &a, 1, b.strat, 1, a.strat, "varied", err)) ||
        (rc = columns_in(&a, &b, a.strat + 1, ds_csv_cols(ca), b.strat + 1, ds_csv_cols(cb),
                         "metric", err)) ||
        (rc = columns_in(&b, &a, b.strat + 1, ds_csv_cols(cb), a.strat + 1, ds_csv_cols(ca),
                         "metric", err)))
        goto fail;

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
        key k = row_key(&a, i);
        const key *m = bsearch(&k, kb, nb, sizeof *kb, key_cmp_id);
        if (!m) {
            rc = missing_row(&a, &b, &k, err);
            goto fail;
        }
        seen[m->row] = 1;
        for (size_t j = 1; j < a.strat; j++) {
            size_t jb = (size_t)names_find(&b, ds_csv_name(ca, j));
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
            key k = row_key(&b, i);
            rc = missing_row(&b, &a, &k, err);
            goto fail;
        }

    if ((rc = make_metrics(&a, &b, &mt, &nm, err)) != DS_OK)
        goto fail;
    w.mt = mt;
    /* Check every cell first, so that a bad file writes nothing. */
    if ((rc = each_row(&a, &b, kb, nb, mt, nm, opts, NULL, NULL, err)) != DS_OK)
        goto fail;
    if (opts->table) {
        rc = each_row(&a, &b, kb, nb, mt, nm, opts, keep_row, &t, err);
        if (rc == DS_OK && write_table(&w, &t, cb, nm, opts) == DS_ENOMEM)
            rc = DS_ENOMEM;
        if (rc == DS_ENOMEM) {
            rc = ds_error_set(err, DS_ENOMEM, "error: out of memory");
            goto fail;
        }
    } else {
        w_put(&w, a.sweep ? "strategy,point,metric,a,b,diff,z\n" : "strategy,metric,a,b,diff,z\n");
        if (!w.err)
            each_row(&a, &b, kb, nb, mt, nm, opts, csv_row, &w, err);
    }
    if (!w.err)
        w_check(&w, fflush(out) != 0 || ferror(out));
    if (w.err) {
        rc = out_name ? ds_error_set(err, DS_EIO, "%s: error: cannot write: %s", out_name,
                                     strerror(w.err))
                      : ds_error_set(err, DS_EIO, "error: cannot write the comparison: %s",
                                     strerror(w.err));
        goto fail;
    }
    rc = DS_OK;
fail:
    free(a.nm.slot);
    free(b.nm.slot);
    free(ka);
    free(kb);
    free(mt);
    free(seen);
    free(t.v);
    return rc;
}

int ds_compare_tables(const ds_csv *a, const ds_csv *b, const ds_compare_opts *opts,
                      FILE *out, ds_error *err)
{
    return ds_compare_write(a, b, opts, out, NULL, err);
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
