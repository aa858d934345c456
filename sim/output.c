/*
 * output.c - summary CSV, JSON and table, and per-draw rows (SPEC §6).  The
 * last step of the flow: reads finished statistics (or one draw's outcomes),
 * writes text, keeps no state.  Every writer walks the column tables below;
 * none names a column itself.
 */
#include "dealsim/output.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/csv.h"

/* ---- the column tables ------------------------------------------------ */

#define MEAN(q_) {.kind = DS_STAT_MEAN, .q = (q_)}
#define SE(q_) {.kind = DS_STAT_SE, .q = (q_)}
#define QUANTILE(q_, p_) {.kind = DS_STAT_QUANTILE, .q = (q_), .p = (p_)}
#define SHARE(c_) {.kind = DS_STAT_SHARE, .c = (c_)}
#define SHARE_SE(c_) {.kind = DS_STAT_SHARE_SE, .c = (c_)}
#define RATIO(c_, per_) {.kind = DS_STAT_RATIO, .c = (c_), .per = (per_)}
#define NONE {.kind = DS_STAT_DRAWS}

/* SPEC §6 quantile columns _p05, _p50, _p95. */
#define P05 0.05
#define P50 0.50
#define P95 0.95

static const ds_column columns[] = {
    {"strategy", DS_COL_ONE, DS_COL_STRATEGY, NONE, "", NULL, "strategy",
     "the strategy's id", "strategy", "%.60s", 0, {NULL, NULL}, NULL},
    {"draws", DS_COL_ONE, DS_COL_DRAWS, NONE, "draws", NULL, "draws",
     "number of draws", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"p_deal", DS_COL_ONE, DS_COL_FIGURE, SHARE(DS_C_DEALS), "fraction", "p_deal_se",
     "p_deal", "share of draws with a deal",
     "P(deal)", "%.3f ±%.3f", 0, {"p_deal_se", NULL}, NULL},
    {"p_deal_se", DS_COL_ONE, DS_COL_FIGURE, SHARE_SE(DS_C_DEALS), "fraction", NULL,
     "p_deal_se", "standard error of p_deal, sqrt(p (1 - p) / n)",
     NULL, NULL, 0, {NULL, NULL}, NULL},
    {"round_mean", DS_COL_ONE, DS_COL_FIGURE, RATIO(DS_C_ROUNDS, DS_C_DEALS), "round", NULL,
     "round_mean", "mean deal round over the draws with a deal (empty without one)",
     "round", "%.2f", 0, {NULL, NULL}, "round: mean deal round among deals"},
    {"tariff_mean", DS_COL_ONE, DS_COL_FIGURE, MEAN(DS_Q_TARIFF), "fraction", NULL,
     "tariff_mean", "mean export-weighted tariff",
     "tariff", "%.1f%%", 100, {NULL, NULL}, "tariff: mean export-weighted tariff"},
    {"deficit_mean", DS_COL_ONE, DS_COL_FIGURE, MEAN(DS_Q_DEFICIT), "bn/yr", "deficit_se",
     "deficit_mean", "mean of the counterpart's deficit with home",
     "deficit", "%.1f", 0, {NULL, NULL}, NULL},
    {"deficit_se", DS_COL_ONE, DS_COL_FIGURE, SE(DS_Q_DEFICIT), "bn/yr", NULL,
     "deficit_se", "standard error of deficit_mean", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"deficit_p05", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_DEFICIT, P05), "bn/yr", NULL,
     "deficit_p05", "5% quantile of the deficit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"deficit_p50", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_DEFICIT, P50), "bn/yr", NULL,
     "deficit_p50", "median of the deficit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"deficit_p95", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_DEFICIT, P95), "bn/yr", NULL,
     "deficit_p95", "95% quantile of the deficit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"deficit_change_mean", DS_COL_ONE, DS_COL_FIGURE, MEAN(DS_Q_DEFICIT_CHANGE), "bn/yr",
     NULL, "deficit_change_mean", "mean of deficit - baseline_deficit",
     "change", "%+.1f", 0, {NULL, NULL}, NULL},
    {"benefit_mean", DS_COL_ONE, DS_COL_FIGURE, MEAN(DS_Q_BENEFIT), "bn/yr", "benefit_se",
     "benefit_mean", "mean of home's discounted net gain against no deal (0 without a deal)",
     "benefit [5%%, 95%%]", "%+.1f [%.1f, %.1f]", 0, {"benefit_p05", "benefit_p95"}, NULL},
    {"benefit_se", DS_COL_ONE, DS_COL_FIGURE, SE(DS_Q_BENEFIT), "bn/yr", NULL,
     "benefit_se", "standard error of benefit_mean", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"benefit_p05", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_BENEFIT, P05), "bn/yr", NULL,
     "benefit_p05", "5% quantile of the benefit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"benefit_p50", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_BENEFIT, P50), "bn/yr", NULL,
     "benefit_p50", "median of the benefit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"benefit_p95", DS_COL_ONE, DS_COL_FIGURE, QUANTILE(DS_Q_BENEFIT, P95), "bn/yr", NULL,
     "benefit_p95", "95% quantile of the benefit", NULL, NULL, 0, {NULL, NULL}, NULL},
    {"concession_cost_mean", DS_COL_ONE, DS_COL_FIGURE, MEAN(DS_Q_CONCESSION_COST), "bn/yr",
     NULL, "concession_cost_mean", "mean cost to home of the accepted package (0 without a deal)",
     "cost", "%.1f", 0, {NULL, NULL}, NULL},
    {"p_retaliation_%s", DS_COL_PER_THIRD, DS_COL_FIGURE, SHARE(DS_C_RETALIATIONS),
     "fraction", NULL, "p_retaliation", "share of draws in which the party retaliates",
     "P(retal. %.40s)", "%.3f", 0, {NULL, NULL}, NULL},
    {"retaliation_cost_%s_mean", DS_COL_PER_THIRD, DS_COL_FIGURE,
     MEAN(DS_Q_RETALIATION_COST), "bn/yr", NULL, "retaliation_cost_mean",
     "mean cost to home of the party's retaliation (0 without one)",
     NULL, NULL, 0, {NULL, NULL}, NULL},
    {"approve_%s", DS_COL_PER_ACTOR, DS_COL_FIGURE,
     RATIO(DS_C_APPROVALS, DS_C_EVALUATIONS), "fraction", NULL, "approve",
     "the actor's approvals / evaluations (empty without an evaluation)",
     "ok %.50s", "%.2f", 0, {NULL, NULL}, "ok <actor>: approvals / evaluations"},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

static const ds_draw_column draw_columns[] = {
    {"draw", DS_COL_ONE, DS_DRAW_INDEX, 0, "", "0-based draw index"},
    {"strategy", DS_COL_ONE, DS_DRAW_STRATEGY, 0, "", "the strategy's id"},
    {"deal", DS_COL_ONE, DS_DRAW_DEAL, 0, "0/1", "1 if a deal was made"},
    {"round", DS_COL_ONE, DS_DRAW_ROUND, 0, "round", "the deal round (empty without)"},
    {"package", DS_COL_ONE, DS_DRAW_PACKAGE, 0, "", "the accepted package (empty without)"},
    {"tariff", DS_COL_ONE, DS_DRAW_VALUE, offsetof(ds_outcome, tariff), "fraction",
     "export-weighted mean tariff"},
    {"deficit", DS_COL_ONE, DS_DRAW_VALUE, offsetof(ds_outcome, deficit), "bn/yr",
     "the counterpart's deficit with home"},
    {"benefit", DS_COL_ONE, DS_DRAW_VALUE, offsetof(ds_outcome, benefit), "bn/yr",
     "home's discounted net gain against no deal"},
    {"concession_cost", DS_COL_ONE, DS_DRAW_VALUE, offsetof(ds_outcome, concession_cost),
     "bn/yr", "cost to home of the accepted package"},
    {"retaliation_%s", DS_COL_PER_THIRD, DS_DRAW_RETALIATES, 0, "0/1",
     "1 if the party retaliates"},
};
#define N_DRAW_COLUMNS (sizeof draw_columns / sizeof draw_columns[0])

const ds_column *ds_output_columns(size_t *n)
{
    *n = N_COLUMNS;
    return columns;
}

const ds_draw_column *ds_output_draw_columns(size_t *n)
{
    *n = N_DRAW_COLUMNS;
    return draw_columns;
}

/* Does `name` match the pattern `pat` (at most one "%s", standing for a
 * non-empty id)?  Sets *id and *len to the id's place; returns the length
 * of the fixed part, or -1 when it does not match. */
static long pattern_match(const char *pat, const char *name, const char **id, size_t *len)
{
    const char *hole = strstr(pat, "%s");
    size_t n = strlen(name), pre, post;
    if (!hole) {
        *id = name + n;
        *len = 0;
        return strcmp(pat, name) == 0 ? (long)n : -1;
    }
    pre = (size_t)(hole - pat);
    post = strlen(hole + 2);
    if (n <= pre + post || strncmp(name, pat, pre) != 0 ||
        strcmp(name + n - post, hole + 2) != 0)
        return -1;
    *id = name + pre;
    *len = n - pre - post;
    return (long)(pre + post);
}

const ds_column *ds_output_column_match(const char *name, const char **id, size_t *id_len)
{
    const ds_column *best = NULL;
    long best_fixed = -1;
    for (size_t i = 0; i < N_COLUMNS; i++) {
        const char *at;
        size_t len;
        long fixed = pattern_match(columns[i].name, name, &at, &len);
        if (fixed > best_fixed) {
            best = &columns[i];
            best_fixed = fixed;
            *id = at;
            *id_len = len;
        }
    }
    return best;
}

/* The ids a row stands for: one id-less column, or the parties or actors. */
static size_t each_count(const ds_model *m, ds_col_each each)
{
    return each == DS_COL_PER_THIRD ? m->n_third : each == DS_COL_PER_ACTOR ? m->n_actors : 1;
}

static const char *each_id(const ds_model *m, ds_col_each each, size_t i)
{
    return each == DS_COL_PER_THIRD ? m->third[i].id
           : each == DS_COL_PER_ACTOR ? m->actors[i].id : "";
}

/* ---- a stream that remembers its first failure ------------------------ */

typedef struct sink {
    FILE *f;
    int failed;     /* a write failed; nothing more is written */
    int err;        /* errno of that write */
} sink;

static void fail_now(sink *o)
{
    if (!o->failed) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
}

static void put(sink *o, const char *s)
{
    if (!o->failed && fputs(s, o->f) == EOF)
        fail_now(o);
}

static void putch(sink *o, char c)
{
    if (!o->failed && putc(c, o->f) == EOF)
        fail_now(o);
}

static void putn(sink *o, const char *s, size_t n)
{
    if (!o->failed && n && fwrite(s, 1, n, o->f) != n)
        fail_now(o);
}

static void putu(sink *o, uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    put(o, b);
}

/* A "%s" pattern with an id (ids are plain: no CSV quoting is needed). */
static void put_name(sink *o, const char *pat, const char *id)
{
    const char *hole = strstr(pat, "%s");
    if (!hole) {
        put(o, pat);
        return;
    }
    putn(o, pat, (size_t)(hole - pat));
    put(o, id);
    put(o, hole + 2);
}

static void num(sink *o, double x)
{
    char b[DS_CSV_NUM_MAX];
    put(o, ds_csv_format_double(b, x));
}

/* DS_OK, or DS_EIO with errno from the failing call.  With `flush`, buffered
 * output is written first, so that its failure is seen here. */
static int finish(sink *o, int flush)
{
    if (!o->failed && ((flush && fflush(o->f) != 0) || ferror(o->f)))
        fail_now(o);
    if (o->failed) {
        errno = o->err;
        return DS_EIO;
    }
    return DS_OK;
}

/* ---- summary values --------------------------------------------------- */

static double value(const ds_column *c, const ds_stats *st, size_t k, size_t i)
{
    return c->kind == DS_COL_DRAWS ? (double)ds_stats_draws(st)
                                   : ds_stats_value(st, k, &c->stat, i);
}

/* One cell: a strategy id, an integer or a number (empty when NaN). */
static void csv_cell(sink *o, const ds_model *m, const ds_stats *st, size_t k,
                     const ds_column *c, size_t i)
{
    if (c->kind == DS_COL_STRATEGY)
        put(o, m->strategies[k].id);
    else if (c->kind == DS_COL_DRAWS)
        putu(o, ds_stats_draws(st));
    else
        num(o, value(c, st, k, i));
}

/* Call visit(ctx, row, id index) for every CSV column of model m, in CSV
 * order: each group of consecutive rows of one kind, id by id, row by row. */
static void each_column(const ds_model *m, void (*visit)(void *, const ds_column *, size_t),
                        void *ctx)
{
    for (size_t g = 0; g < N_COLUMNS;) {
        size_t end = g;
        while (end < N_COLUMNS && columns[end].each == columns[g].each)
            end++;
        for (size_t i = 0; i < each_count(m, columns[g].each); i++)
            for (size_t j = g; j < end; j++)
                visit(ctx, &columns[j], i);
        g = end;
    }
}

/* A CSV line: the header (st NULL) or strategy k's cells. */
typedef struct csv_walk {
    sink *o;
    const ds_model *m;
    const ds_stats *st;
    size_t k;
    int first;
} csv_walk;

static void csv_visit(void *ctx, const ds_column *c, size_t i)
{
    csv_walk *w = ctx;
    if (!w->first)
        putch(w->o, ',');
    w->first = 0;
    if (w->st)
        csv_cell(w->o, w->m, w->st, w->k, c, i);
    else
        put_name(w->o, c->name, each_id(w->m, c->each, i));
}

static void csv_line(sink *o, const ds_model *m, const ds_stats *st, size_t k)
{
    csv_walk w = {o, m, st, k, 1};
    each_column(m, csv_visit, &w);
}

int ds_output_csv_columns(const ds_model *m, FILE *f)
{
    sink o = {f, 0, 0};
    csv_line(&o, m, NULL, 0);
    return finish(&o, 0);
}

int ds_output_csv_cells(const ds_model *m, const ds_stats *st, size_t k, FILE *f)
{
    sink o = {f, 0, 0};
    csv_line(&o, m, st, k);
    return finish(&o, 0);
}

static void csv_all(sink *o, const ds_model *m, const ds_stats *st)
{
    csv_line(o, m, NULL, 0);
    putch(o, '\n');
    for (size_t k = 0; k < m->n_strategies; k++) {
        csv_line(o, m, st, k);
        putch(o, '\n');
    }
}

int ds_output_csv(const ds_model *m, const ds_stats *s, FILE *f)
{
    sink o = {f, 0, 0};
    csv_all(&o, m, s);
    return finish(&o, 1);
}

/* ---- JSON ------------------------------------------------------------- */

/* A JSON string: ids are plain, but names and file names may hold anything. */
static void jstr(sink *o, const char *s)
{
    char b[8];
    putch(o, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putch(o, '\\');
            putch(o, (char)*p);
        } else if (*p < 0x20) {
            snprintf(b, sizeof b, "\\u%04x", *p);
            put(o, b);
        } else {
            putch(o, (char)*p);
        }
    }
    putch(o, '"');
}

static void jnum(sink *o, double x)
{
    if (!isfinite(x))
        put(o, "null");
    else
        num(o, x);
}

/* `"key": ` */
static void jkey(sink *o, const char *key)
{
    jstr(o, key);
    put(o, ": ");
}

/* The fields of strategy k: the table's rows in order; the per-party rows
 * all go into one "third_parties" object (party by party) where the first
 * of them stands; each per-actor row is an object keyed by actor id. */
static void json_strategy(sink *o, const ds_model *m, const ds_stats *st, size_t k)
{
    int third_done = 0;
    put(o, "    {\n");
    for (size_t j = 0; j < N_COLUMNS; j++) {
        const ds_column *c = &columns[j];
        if (c->each == DS_COL_PER_THIRD && third_done)
            continue;
        put(o, j ? ",\n      " : "      ");
        if (c->each == DS_COL_ONE) {
            jkey(o, c->json);
            if (c->kind == DS_COL_STRATEGY)
                jstr(o, m->strategies[k].id);
            else if (c->kind == DS_COL_DRAWS)
                putu(o, ds_stats_draws(st));
            else
                jnum(o, value(c, st, k, 0));
        } else if (c->each == DS_COL_PER_THIRD) {
            third_done = 1;
            put(o, "\"third_parties\": {");
            for (size_t q = 0; q < m->n_third; q++) {
                int first = 1;
                put(o, q ? ", " : "");
                jkey(o, m->third[q].id);
                putch(o, '{');
                for (size_t i = j; i < N_COLUMNS; i++)
                    if (columns[i].each == DS_COL_PER_THIRD) {
                        put(o, first ? "" : ", ");
                        first = 0;
                        jkey(o, columns[i].json);
                        jnum(o, value(&columns[i], st, k, q));
                    }
                putch(o, '}');
            }
            putch(o, '}');
        } else {
            jkey(o, c->json);
            putch(o, '{');
            for (size_t a = 0; a < m->n_actors; a++) {
                put(o, a ? ", " : "");
                jkey(o, m->actors[a].id);
                jnum(o, value(c, st, k, a));
            }
            putch(o, '}');
        }
    }
    put(o, "\n    }");
}

static void json_all(sink *o, const ds_model *m, const ds_stats *st, const ds_run_meta *meta)
{
    char b[64];
    put(o, "{\n  \"dealsim\": {\n    \"version\": ");
    jstr(o, DS_VERSION);
    snprintf(b, sizeof b, ",\n    \"format\": %d,\n    \"scenario\": ", DS_FORMAT_VERSION);
    put(o, b);
    jstr(o, meta->scenario_file);
    put(o, ",\n    \"scenario_name\": ");
    jstr(o, m->name);
    put(o, ",\n    \"scenario_sha256\": ");
    jstr(o, meta->sha256);
    put(o, ",\n    \"seed\": ");
    putu(o, meta->seed);
    put(o, ",\n    \"draws\": ");
    putu(o, meta->draws);
    put(o, "\n  },\n  \"strategies\": [\n");
    for (size_t k = 0; k < m->n_strategies; k++) {
        json_strategy(o, m, st, k);
        put(o, k + 1 < m->n_strategies ? ",\n" : "\n");
    }
    put(o, "  ]\n}\n");
}

int ds_output_json(const ds_model *m, const ds_stats *st, const ds_run_meta *meta, FILE *f)
{
    sink o = {f, 0, 0};
    json_all(&o, m, st, meta);
    return finish(&o, 1);
}

/* ---- table ------------------------------------------------------------ */

/* Cells are kept as short strings; TABLE_CELL bounds one. */
#define TABLE_CELL 64

/* Column index of a one-per-strategy row named `name`, for t_with. */
static size_t column_index(const char *name)
{
    for (size_t j = 0; j < N_COLUMNS; j++)
        if (strcmp(columns[j].name, name) == 0)
            return j;
    return N_COLUMNS; /* not reached: the table test checks every t_with */
}

/* The table's cell of row c, id i, strategy k (k == SIZE_MAX: the heading). */
static void table_cell(char *cell, const ds_model *m, const ds_stats *st, size_t k,
                       const ds_column *c, size_t i)
{
    double v[3] = {0, 0, 0}, scale = c->t_scale ? c->t_scale : 1.0;
    if (k == SIZE_MAX) {
        snprintf(cell, TABLE_CELL, c->t_head, each_id(m, c->each, i));
        return;
    }
    if (c->kind == DS_COL_STRATEGY) {
        snprintf(cell, TABLE_CELL, c->t_fmt, m->strategies[k].id);
        return;
    }
    v[0] = scale * value(c, st, k, i);
    for (int w = 0; w < 2 && c->t_with[w]; w++)
        v[1 + w] = scale * value(&columns[column_index(c->t_with[w])], st, k, i);
    if (!isfinite(v[0]))
        snprintf(cell, TABLE_CELL, "-");
    else
        snprintf(cell, TABLE_CELL, c->t_fmt, v[0], v[1], v[2]);
}

/* Width in characters: count UTF-8 lead bytes only ("±" is one). */
static size_t width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* The shown columns' cells, heading row first, in a table of ncol columns
 * (cells NULL: only count the columns, into c). */
typedef struct table_walk {
    char *cells;
    size_t ncol, c;
    const ds_model *m;
    const ds_stats *st;
} table_walk;

static void table_visit(void *ctx, const ds_column *col, size_t i)
{
    table_walk *w = ctx;
    if (!col->t_head)
        return;
    if (w->cells)
        for (size_t r = 0; r <= w->m->n_strategies; r++)
            table_cell(w->cells + (r * w->ncol + w->c) * TABLE_CELL, w->m, w->st,
                       r ? r - 1 : SIZE_MAX, col, i);
    w->c++;
}

static size_t table_fill(char *cells, size_t ncol, const ds_model *m, const ds_stats *st)
{
    table_walk w = {cells, ncol, 0, m, st};
    each_column(m, table_visit, &w);
    return w.c;
}

static void spaces(sink *o, size_t n)
{
    while (n--)
        putch(o, ' ');
}

static void table_all(sink *o, char *cells, size_t ncol, const size_t *w, const ds_model *m,
                      const ds_run_meta *meta)
{
    int first = 1;
    put(o, m->name);
    put(o, "\nscenario ");
    put(o, meta->scenario_file);
    put(o, ", ");
    putu(o, meta->draws);
    put(o, " draws, seed ");
    putu(o, meta->seed);
    put(o, "\nmoney in bn USD/yr; deficit: of ");
    put(o, m->counterpart_name);
    put(o, " with ");
    put(o, m->home_name);
    put(o, "; benefit: to ");
    put(o, m->home_name);
    put(o, ", discounted, against no deal\n\n");
    for (size_t r = 0; r <= m->n_strategies; r++) {
        for (size_t c = 0; c < ncol; c++) {
            const char *s = cells + (r * ncol + c) * TABLE_CELL;
            size_t pad = w[c] - width(s);
            if (c) {           /* numbers right-aligned after two spaces */
                spaces(o, 2 + pad);
                put(o, s);
            } else {           /* the strategy left-aligned */
                put(o, s);
                spaces(o, pad);
            }
        }
        putch(o, '\n');
    }
    putch(o, '\n');
    for (size_t j = 0; j < N_COLUMNS; j++)
        if (columns[j].t_legend) {
            put(o, first ? "" : "; ");
            put(o, columns[j].t_legend);
            first = 0;
        }
    putch(o, '\n');
}

/* The table into o; DS_ENOMEM when its cells cannot be allocated. */
static int table_write(sink *o, const ds_model *m, const ds_stats *st, const ds_run_meta *meta)
{
    size_t ncol = table_fill(NULL, 0, m, st), nrow = m->n_strategies + 1;
    char *cells = calloc(ncol * nrow, TABLE_CELL);
    size_t *w = calloc(ncol, sizeof *w);
    int rc = DS_OK;

    if (!cells || !w) {
        rc = DS_ENOMEM;
        goto done;
    }
    table_fill(cells, ncol, m, st);
    for (size_t r = 0; r < nrow; r++)
        for (size_t c = 0; c < ncol; c++) {
            size_t n = width(cells + (r * ncol + c) * TABLE_CELL);
            if (n > w[c])
                w[c] = n;
        }
    table_all(o, cells, ncol, w, m, meta);
done:
    free(cells);
    free(w);
    return rc;
}

int ds_output_table(const ds_model *m, const ds_stats *st, const ds_run_meta *meta, FILE *f)
{
    sink o = {f, 0, 0};
    int rc = table_write(&o, m, st, meta);
    return rc != DS_OK ? rc : finish(&o, 1);
}

int ds_output_summary(const ds_model *m, const ds_stats *s, const ds_run_meta *meta,
                      ds_output_format format, FILE *f, const char *name, ds_error *err)
{
    sink o = {f, 0, 0};
    int rc = DS_OK;
    if (format == DS_OUTPUT_TABLE)
        rc = table_write(&o, m, s, meta);
    else if (format == DS_OUTPUT_JSON)
        json_all(&o, m, s, meta);
    else
        csv_all(&o, m, s);
    if (rc == DS_ENOMEM)
        return ds_error_set(err, rc, "out of memory");
    if (finish(&o, 1) != DS_OK)
        return ds_error_set(err, DS_EIO, "%s: cannot write: %s", name, strerror(o.err));
    return DS_OK;
}

/* ---- per-draw rows ---------------------------------------------------- */

struct ds_output_draws {
    const ds_model *m;
    FILE *f;
    char *name;
    size_t max;           /* bytes of one draw's rows, at most */
};

int ds_output_draws_columns(const ds_model *m, FILE *f)
{
    sink o = {f, 0, 0};
    for (size_t j = 0; j < N_DRAW_COLUMNS; j++) {
        const ds_draw_column *c = &draw_columns[j];
        for (size_t i = 0; i < each_count(m, c->each); i++) {
            if (j)
                putch(&o, ',');
            put_name(&o, c->name, each_id(m, c->each, i));
        }
    }
    putch(&o, '\n');
    return finish(&o, 0);
}

/* Digits of an unsigned 64-bit value, and of the round (an int). */
#define U64_DIGITS 20
#define INT_DIGITS 11

ds_output_draws *ds_output_draws_new(const ds_model *m, FILE *f, const char *name)
{
    ds_output_draws *w = calloc(1, sizeof *w);
    size_t pkg = 0, per_row = 0;
    if (!w || !(w->name = strdup(name ? name : "per-draw rows"))) {
        free(w);
        return NULL;
    }
    w->m = m;
    w->f = f;
    for (size_t i = 0; i < m->n_packages; i++)
        if (strlen(m->packages[i].id) > pkg)
            pkg = strlen(m->packages[i].id);
    for (size_t j = 0; j < N_DRAW_COLUMNS; j++) {
        size_t cell = 0;
        switch (draw_columns[j].kind) {
        case DS_DRAW_INDEX: cell = U64_DIGITS; break;
        case DS_DRAW_STRATEGY: cell = 0; break;   /* added per strategy below */
        case DS_DRAW_DEAL: cell = 1; break;
        case DS_DRAW_ROUND: cell = INT_DIGITS; break;
        case DS_DRAW_PACKAGE: cell = pkg; break;
        case DS_DRAW_VALUE: cell = DS_CSV_NUM_MAX; break;
        case DS_DRAW_RETALIATES: cell = 1; break;
        }
        per_row += (cell + 1) * each_count(m, draw_columns[j].each); /* + separator */
    }
    for (size_t k = 0; k < m->n_strategies; k++)
        w->max += per_row + strlen(m->strategies[k].id) + 1;   /* + line end */
    return w;
}

void ds_output_draws_free(ds_output_draws *w)
{
    if (!w)
        return;
    free(w->name);
    free(w);
}

size_t ds_output_draws_max(const ds_output_draws *w)
{
    return w->max;
}

static size_t put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

static size_t put_u64(char *p, uint64_t v)
{
    char tmp[U64_DIGITS];
    size_t n = 0, i = 0;
    do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
    while (n)
        p[i++] = tmp[--n];
    return i;
}

/* One cell of column c (id i) of outcome o of strategy k in draw d. */
static size_t draw_cell(char *p, const ds_model *m, const ds_draw_column *c, size_t i,
                        uint64_t d, size_t k, const ds_outcome *o)
{
    char b[DS_CSV_NUM_MAX];
    switch (c->kind) {
    case DS_DRAW_INDEX:
        return put_u64(p, d);
    case DS_DRAW_STRATEGY:
        return put_str(p, m->strategies[k].id);
    case DS_DRAW_DEAL:
        *p = o->deal ? '1' : '0';
        return 1;
    case DS_DRAW_ROUND:
        return o->deal ? put_u64(p, (uint64_t)o->round) : 0;
    case DS_DRAW_PACKAGE:
        return o->deal && o->package >= 0 ? put_str(p, m->packages[o->package].id) : 0;
    case DS_DRAW_VALUE: {
        double x;
        memcpy(&x, (const char *)o + c->offset, sizeof x);
        return put_str(p, ds_csv_format_double(b, x));
    }
    case DS_DRAW_RETALIATES:
        *p = o->retaliates[i] ? '1' : '0';
        return 1;
    }
    return 0;
}

size_t ds_output_draws_format(const ds_output_draws *w, char *buf, uint64_t d,
                              const ds_outcome *out)
{
    const ds_model *m = w->m;
    char *p = buf;
    for (size_t k = 0; k < m->n_strategies; k++) {
        for (size_t j = 0; j < N_DRAW_COLUMNS; j++) {
            const ds_draw_column *c = &draw_columns[j];
            for (size_t i = 0; i < each_count(m, c->each); i++) {
                if (j)
                    *p++ = ',';
                p += draw_cell(p, m, c, i, d, k, &out[k]);
            }
        }
        *p++ = '\n';
    }
    return (size_t)(p - buf);
}

int ds_output_draws_write(ds_output_draws *w, const char *buf, size_t len, ds_error *err)
{
    sink o = {w->f, 0, 0};
    putn(&o, buf, len);
    if (finish(&o, 0) != DS_OK)
        return ds_error_set(err, DS_EIO, "%s: cannot write: %s", w->name, strerror(o.err));
    return DS_OK;
}

/* ---- inputs per draw (SPEC §6) ---------------------------------------- */

struct ds_output_inputs {
    FILE *f;
    char *name;
    size_t max;           /* bytes of one row, at most */
};

int ds_output_inputs_columns(const ds_model *m, FILE *f)
{
    sink o = {f, 0, 0};
    put(&o, "draw");
    for (size_t i = 0; i < m->n_dists; i++)
        if (ds_model_is_input(m, i)) {
            /* Paths are ids and keys joined by '.': nothing to quote. */
            putch(&o, ',');
            put(&o, m->dists[i].path);
        }
    putch(&o, '\n');
    return finish(&o, 0);
}

ds_output_inputs *ds_output_inputs_new(const ds_model *m, FILE *f, const char *name)
{
    ds_output_inputs *w = calloc(1, sizeof *w);
    size_t n = 0;
    if (!w || !(w->name = strdup(name ? name : "inputs per draw"))) {
        free(w);
        return NULL;
    }
    w->f = f;
    for (size_t i = 0; i < m->n_dists; i++)
        n += (size_t)ds_model_is_input(m, i);
    w->max = U64_DIGITS + n * (DS_CSV_NUM_MAX + 1) + 1; /* + separators, line end */
    return w;
}

void ds_output_inputs_free(ds_output_inputs *w)
{
    if (!w)
        return;
    free(w->name);
    free(w);
}

size_t ds_output_inputs_max(const ds_output_inputs *w)
{
    return w->max;
}

size_t ds_output_inputs_format(const ds_output_inputs *w, char *buf, uint64_t d,
                               const ds_engine *e)
{
    char b[DS_CSV_NUM_MAX], *p = buf;
    (void)w;
    p += put_u64(p, d);
    for (size_t j = 0, n = ds_engine_n_inputs(e); j < n; j++) {
        *p++ = ',';
        p += put_str(p, ds_csv_format_double(b, ds_engine_input_value(e, j)));
    }
    *p++ = '\n';
    return (size_t)(p - buf);
}

int ds_output_inputs_write(ds_output_inputs *w, const char *buf, size_t len, ds_error *err)
{
    sink o = {w->f, 0, 0};
    putn(&o, buf, len);
    if (finish(&o, 0) != DS_OK)
        return ds_error_set(err, DS_EIO, "%s: cannot write: %s", w->name, strerror(o.err));
    return DS_OK;
}
