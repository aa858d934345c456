/*
 * output.c - summary CSV, JSON and table, and per-draw rows (SPEC §6).  The
 * last step of the flow: reads finished statistics (or one draw's outcomes),
 * writes text, keeps no state.  Every writer walks the column tables below;
 * none names a column itself.
 */
#include "dealsim/output.h"

#include <errno.h>
#include <limits.h>
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

/* Each row: the CSV column (name, ids, what it holds, unit, standard-error
 * partner, JSON key, description), then its place in the terminal table:
 * heading, cell format, scale and partner values, position from the left
 * (t_pos; 0: not shown), when it is shown, and its unit in the legend when
 * the cell shows another than the CSV's. */
static const ds_column columns[] = {
    {.name = "strategy", .kind = DS_COL_STRATEGY, .stat = NONE, .unit = "",
     .json = "strategy", .doc = "the strategy's id",
     .t_head = "strategy", .t_fmt = "%s", .t_pos = 1,
     .t_legend = "strategy: its label (its id without one)"},
    {.name = "draws", .kind = DS_COL_DRAWS, .stat = NONE, .unit = "draws",
     .json = "draws", .doc = "number of draws"},
    {.name = "p_deal", .kind = DS_COL_FIGURE, .stat = SHARE(DS_C_DEALS), .unit = "fraction",
     .se = "p_deal_se", .json = "p_deal", .doc = "share of draws with a deal",
     .t_head = "P(deal)", .t_fmt = "%.3f ±%.3f", .t_with = {"p_deal_se"}, .t_pos = 2},
    {.name = "p_deal_se", .kind = DS_COL_FIGURE, .stat = SHARE_SE(DS_C_DEALS),
     .unit = "fraction", .json = "p_deal_se",
     .doc = "standard error of p_deal, sqrt(p (1 - p) / n)"},
    {.name = "round_mean", .kind = DS_COL_FIGURE, .stat = RATIO(DS_C_ROUNDS, DS_C_DEALS),
     .unit = "round", .json = "round_mean",
     .doc = "mean deal round over the draws with a deal (empty without one)",
     .t_head = "round", .t_fmt = "%.2f", .t_pos = 3},
    {.name = "tariff_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_TARIFF),
     .unit = "fraction", .json = "tariff_mean", .doc = "mean export-weighted tariff",
     .t_head = "tariff", .t_fmt = "%.1f%%", .t_scale = 100, .t_unit = "%", .t_pos = 5},
    {.name = "deficit_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_DEFICIT),
     .unit = "bn/yr", .se = "deficit_se", .json = "deficit_mean",
     .doc = "mean of the counterpart's deficit with home",
     .t_head = "deficit", .t_fmt = "%.1f", .t_pos = 6},
    {.name = "deficit_se", .kind = DS_COL_FIGURE, .stat = SE(DS_Q_DEFICIT), .unit = "bn/yr",
     .json = "deficit_se", .doc = "standard error of deficit_mean"},
    {.name = "deficit_p05", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT, P05),
     .unit = "bn/yr", .json = "deficit_p05", .doc = "5% quantile of the deficit"},
    {.name = "deficit_p50", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT, P50),
     .unit = "bn/yr", .json = "deficit_p50", .doc = "median of the deficit"},
    {.name = "deficit_p95", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT, P95),
     .unit = "bn/yr", .json = "deficit_p95", .doc = "95% quantile of the deficit"},
    {.name = "deficit_change_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_DEFICIT_CHANGE),
     .unit = "bn/yr", .json = "deficit_change_mean",
     .doc = "mean of deficit - baseline_deficit",
     .t_head = "change", .t_fmt = "%+.1f", .t_pos = 7},
    {.name = "benefit_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_BENEFIT),
     .unit = "bn/yr", .se = "benefit_se", .json = "benefit_mean",
     .doc = "mean of home's discounted net gain against no deal (0 without a deal)",
     .t_head = "benefit [5%%, 95%%]", .t_fmt = "%+.1f [%.1f, %.1f]",
     .t_with = {"benefit_p05", "benefit_p95"}, .t_pos = 9},
    {.name = "benefit_se", .kind = DS_COL_FIGURE, .stat = SE(DS_Q_BENEFIT), .unit = "bn/yr",
     .json = "benefit_se", .doc = "standard error of benefit_mean"},
    {.name = "benefit_p05", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_BENEFIT, P05),
     .unit = "bn/yr", .json = "benefit_p05", .doc = "5% quantile of the benefit"},
    {.name = "benefit_p50", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_BENEFIT, P50),
     .unit = "bn/yr", .json = "benefit_p50", .doc = "median of the benefit"},
    {.name = "benefit_p95", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_BENEFIT, P95),
     .unit = "bn/yr", .json = "benefit_p95", .doc = "95% quantile of the benefit"},
    {.name = "concession_cost_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_CONCESSION_COST),
     .unit = "bn/yr", .json = "concession_cost_mean",
     .doc = "mean cost to home of the accepted package (0 without a deal)",
     .t_head = "cost", .t_fmt = "%.1f", .t_pos = 12},
    {.name = "p_retaliation_%s", .each = DS_COL_PER_THIRD, .kind = DS_COL_FIGURE,
     .stat = SHARE(DS_C_RETALIATIONS), .unit = "fraction", .json = "p_retaliation",
     .doc = "share of draws in which the party retaliates",
     .t_head = "retal %s", .t_fmt = "%.3f", .t_pos = 13},
    {.name = "retaliation_cost_%s_mean", .each = DS_COL_PER_THIRD, .kind = DS_COL_FIGURE,
     .stat = MEAN(DS_Q_RETALIATION_COST), .unit = "bn/yr", .json = "retaliation_cost_mean",
     .doc = "mean cost to home of the party's retaliation (0 without one)"},
    {.name = "approve_%s", .each = DS_COL_PER_ACTOR, .kind = DS_COL_FIGURE,
     .stat = RATIO(DS_C_APPROVALS, DS_C_EVALUATIONS), .unit = "fraction", .json = "approve",
     .doc = "the actor's approvals / evaluations (empty without an evaluation)",
     .t_head = "ok %s", .t_fmt = "%.2f", .t_pos = 14},
    /* v2 (SPEC §6), appended */
    {.name = "label", .kind = DS_COL_LABEL, .stat = NONE, .unit = "", .json = "label",
     .doc = "the strategy's label (its id when the file gives none)"},
    {.name = "deficit_end_mean", .kind = DS_COL_FIGURE, .stat = MEAN(DS_Q_DEFICIT_END),
     .unit = "bn/yr", .json = "deficit_end_mean",
     .doc = "mean of the counterpart's deficit in year H, the horizon's last "
            "(the deficit when H = 1)",
     .t_head = "deficit H", .t_fmt = "%.1f", .t_pos = 8, .t_show = DS_SHOW_IF_DIFFERS,
     .t_same = "deficit_mean"},
    {.name = "deficit_end_p05", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT_END, P05),
     .unit = "bn/yr", .json = "deficit_end_p05", .doc = "5% quantile of deficit_end"},
    {.name = "deficit_end_p50", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT_END, P50),
     .unit = "bn/yr", .json = "deficit_end_p50", .doc = "median of deficit_end"},
    {.name = "deficit_end_p95", .kind = DS_COL_FIGURE, .stat = QUANTILE(DS_Q_DEFICIT_END, P95),
     .unit = "bn/yr", .json = "deficit_end_p95", .doc = "95% quantile of deficit_end"},
    {.name = "deficit_end_change_mean", .kind = DS_COL_FIGURE,
     .stat = MEAN(DS_Q_DEFICIT_END_CHANGE), .unit = "bn/yr",
     .json = "deficit_end_change_mean", .doc = "mean of deficit_end - baseline_deficit"},
    {.name = "p_deal_in_extension", .kind = DS_COL_FIGURE,
     .stat = SHARE(DS_C_DEALS_IN_EXTENSION), .unit = "fraction",
     .json = "p_deal_in_extension",
     .doc = "share of draws with a deal after round protocol.rounds, in an extension",
     .t_head = "P(ext.)", .t_fmt = "%.3f", .t_pos = 4, .t_show = DS_SHOW_IF_NONZERO},
    {.name = "benefit_given_deal_mean", .kind = DS_COL_FIGURE,
     .stat = MEAN(DS_Q_BENEFIT_GIVEN_DEAL), .unit = "bn/yr",
     .json = "benefit_given_deal_mean",
     .doc = "mean benefit over the draws with a deal (empty without one)",
     .t_head = "benefit|deal", .t_fmt = "%+.1f", .t_pos = 10},
    {.name = "benefit_given_deal_p05", .kind = DS_COL_FIGURE,
     .stat = QUANTILE(DS_Q_BENEFIT_GIVEN_DEAL, P05), .unit = "bn/yr",
     .json = "benefit_given_deal_p05",
     .doc = "5% quantile of the benefit over the draws with a deal"},
    {.name = "benefit_given_deal_p50", .kind = DS_COL_FIGURE,
     .stat = QUANTILE(DS_Q_BENEFIT_GIVEN_DEAL, P50), .unit = "bn/yr",
     .json = "benefit_given_deal_p50",
     .doc = "median of the benefit over the draws with a deal"},
    {.name = "benefit_given_deal_p95", .kind = DS_COL_FIGURE,
     .stat = QUANTILE(DS_Q_BENEFIT_GIVEN_DEAL, P95), .unit = "bn/yr",
     .json = "benefit_given_deal_p95",
     .doc = "95% quantile of the benefit over the draws with a deal"},
    {.name = "p_loss_given_deal", .kind = DS_COL_FIGURE, .stat = RATIO(DS_C_LOSSES, DS_C_DEALS),
     .unit = "fraction", .json = "p_loss_given_deal",
     .doc = "share of the deals with benefit < 0 (empty without a deal)",
     .t_head = "P(loss|deal)", .t_fmt = "%.2f", .t_pos = 11},
    {.name = "p_retaliation_given_deal_%s", .each = DS_COL_PER_THIRD, .kind = DS_COL_FIGURE,
     .stat = RATIO(DS_C_RETALIATIONS, DS_C_DEALS), .unit = "fraction",
     .json = "p_retaliation_given_deal",
     .doc = "share of the deals in which the party retaliates (empty without a deal)"},
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
    /* v2 (SPEC §6), appended */
    {"deficit_end", DS_COL_ONE, DS_DRAW_VALUE, offsetof(ds_outcome, deficit_end), "bn/yr",
     "the counterpart's deficit in year H, the horizon's last"},
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

static const ds_output_histogram histograms[] = {
    {"deficit", DS_Q_DEFICIT, "bn/yr", "the counterpart's deficit (year 1)"},
    {"deficit_end", DS_Q_DEFICIT_END, "bn/yr", "the counterpart's deficit in year H"},
    {"benefit", DS_Q_BENEFIT, "bn/yr", "home's benefit, 0 without a deal"},
    {"benefit_given_deal", DS_Q_BENEFIT_GIVEN_DEAL, "bn/yr",
     "home's benefit over the draws with a deal"},
};
#define N_HISTOGRAMS (sizeof histograms / sizeof histograms[0])

const ds_output_histogram *ds_output_histograms(size_t *n)
{
    *n = N_HISTOGRAMS;
    return histograms;
}

/* Does `name` match the pattern `pat` (at most one "%s", standing for a
 * non-empty id)?  Sets *id and *len to the id's place; returns the length
 * of the fixed part, or -1 when it does not match. */
static long pattern_match(const char *pat, const char *name, const char **id, size_t *len)
{
    const char *hole = strstr(pat, "%s");
    size_t n = strlen(name), pre, post;
    if (hole != pat && pat[0] != name[0])   /* most rows fail here, cheaply */
        return -1;
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

/* Bytes a sink gathers before it hands them to stdio: a CSV line of cells
 * or a few lines of the other outputs go in one fwrite, not a call per
 * character or field. */
#define SINK_BUF 2048

typedef struct sink {
    FILE *f;
    int failed;     /* a write failed; nothing more is written */
    int err;        /* errno of that write */
    size_t n;       /* bytes in buf not yet written */
    char buf[SINK_BUF];
} sink;

static void sink_open(sink *o, FILE *f)
{
    o->f = f;
    o->failed = 0;
    o->err = 0;
    o->n = 0;
}

static void fail_now(sink *o)
{
    if (!o->failed) {
        o->failed = 1;
        o->err = errno ? errno : EIO;
    }
}

/* Hand the gathered bytes to stdio. */
static void drain(sink *o)
{
    if (o->n && !o->failed && fwrite(o->buf, 1, o->n, o->f) != o->n)
        fail_now(o);
    o->n = 0;
}

static void putn(sink *o, const char *s, size_t n)
{
    if (o->failed || !n)
        return;
    if (n > SINK_BUF - o->n) {
        drain(o);
        if (n > SINK_BUF) {
            if (!o->failed && fwrite(s, 1, n, o->f) != n)
                fail_now(o);
            return;
        }
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}

static void put(sink *o, const char *s)
{
    putn(o, s, strlen(s));
}

static void putch(sink *o, char c)
{
    if (o->n == SINK_BUF)
        drain(o);
    if (!o->failed)
        o->buf[o->n++] = c;
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
    drain(o);
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

/* A CSV field, quoted as RFC 4180 needs (ds_csv_write_field): a field that
 * it writes as it is (no ',', '"', CR or LF, no space or tab at either
 * end) goes in the buffer; another is written by it. */
static void put_field(sink *o, const char *s)
{
    size_t n = strlen(s);
    if (!(n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')) &&
        !strpbrk(s, ",\"\r\n")) {
        putn(o, s, n);
        return;
    }
    drain(o);
    if (!o->failed && ds_csv_write_field(o->f, s) != DS_OK)
        fail_now(o);
}

/* One cell: a strategy id, a label, an integer or a number (empty when
 * NaN). */
static void csv_cell(sink *o, const ds_model *m, const ds_stats *st, size_t k,
                     const ds_column *c, size_t i)
{
    if (c->kind == DS_COL_STRATEGY)
        put(o, m->strategies[k].id);
    else if (c->kind == DS_COL_LABEL)
        put_field(o, m->strategies[k].label ? m->strategies[k].label : "");
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
    sink o;
    sink_open(&o, f);
    csv_line(&o, m, NULL, 0);
    return finish(&o, 0);
}

int ds_output_csv_cells(const ds_model *m, const ds_stats *st, size_t k, FILE *f)
{
    sink o;
    sink_open(&o, f);
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
    sink o;
    sink_open(&o, f);
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

/* "key": [n1, n2, ...] */
static void json_counts(sink *o, const uint64_t *c, size_t n)
{
    putch(o, '[');
    for (size_t j = 0; j < n; j++) {
        put(o, j ? ", " : "");
        putu(o, c[j]);
    }
    putch(o, ']');
}

/* The deal rounds 1..last and the plotting histograms of strategy k. */
static void json_distributions(sink *o, const ds_stats *st, size_t k, int last)
{
    put(o, ",\n      \"deal_rounds\": [");
    for (int r = 1; r <= last; r++) {
        put(o, r > 1 ? ", " : "");
        putu(o, ds_stats_round_count(st, k, r));
    }
    put(o, "],\n      \"histograms\": {");
    for (size_t j = 0; j < N_HISTOGRAMS; j++) {
        double edges[DS_STATS_HIST_BINS + 1];
        uint64_t counts[DS_STATS_HIST_BINS];
        size_t nb = ds_stats_histogram(st, k, histograms[j].q, edges, counts);
        put(o, j ? ",\n        " : "\n        ");
        jkey(o, histograms[j].json);
        if (!nb) {
            put(o, "null");
            continue;
        }
        put(o, "{\"edges\": [");
        for (size_t b = 0; b <= nb; b++) {
            put(o, b ? ", " : "");
            num(o, edges[b]);
        }
        put(o, "], \"counts\": ");
        json_counts(o, counts, nb);
        putch(o, '}');
    }
    put(o, "\n      }");
}

/* The fields of strategy k: the table's rows in order; the per-party rows
 * all go into one "third_parties" object (party by party) where the first
 * of them stands; each per-actor row is an object keyed by actor id.  Then
 * the distributions of SPEC §6 v2, deal rounds 1..last. */
static void json_strategy(sink *o, const ds_model *m, const ds_stats *st, size_t k,
                          int last)
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
            else if (c->kind == DS_COL_LABEL && m->strategies[k].label)
                jstr(o, m->strategies[k].label);
            else if (c->kind == DS_COL_LABEL)
                put(o, "null");
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
    json_distributions(o, st, k, last);
    put(o, "\n    }");
}

static void json_all(sink *o, const ds_model *m, const ds_stats *st, const ds_run_meta *meta)
{
    char b[64];
    int last;
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
    last = ds_stats_last_round(st);
    if (last < m->protocol.rounds)
        last = m->protocol.rounds;
    for (size_t k = 0; k < m->n_strategies; k++) {
        json_strategy(o, m, st, k, last);
        put(o, k + 1 < m->n_strategies ? ",\n" : "\n");
    }
    put(o, "  ]\n}\n");
}

int ds_output_json(const ds_model *m, const ds_stats *st, const ds_run_meta *meta, FILE *f)
{
    sink o;
    sink_open(&o, f);
    json_all(&o, m, st, meta);
    return finish(&o, 1);
}

/* ---- table ------------------------------------------------------------ */

/* Bytes of one cell: a label of DS_OUTPUT_TABLE_STRATEGY characters of up
 * to 4 bytes each, or a heading, or a cell of numbers (TABLE_NUM_MAX bytes
 * before the fallback, at most three 10-character numbers after it). */
#define TABLE_CELL (4 * DS_OUTPUT_TABLE_STRATEGY + 8)
_Static_assert(TABLE_CELL > 4 * DS_OUTPUT_TABLE_ID + 32, "a heading fits a cell");
/* A cell of numbers wider than this is written again with 3 significant
 * digits per number ("%.3g": at most 10 characters, "-1.23e+100"). */
#define TABLE_NUM_MAX 20

/* Column index of a one-per-strategy row named `name`, for t_with and
 * t_same. */
static size_t column_index(const char *name)
{
    for (size_t j = 0; j < N_COLUMNS; j++)
        if (strcmp(columns[j].name, name) == 0)
            return j;
    return N_COLUMNS; /* not reached: the table test checks every name  GCOVR_EXCL_LINE */
}

/* The character at p (UTF-8): its code point and, into *len, its bytes
 * (an invalid or cut sequence is one byte, U+FFFD). */
static unsigned long utf8_next(const unsigned char *p, size_t *len)
{
    unsigned long c = *p;
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
             : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0) {
        *len = 1;
        return 0xFFFD;
    }
    c &= n == 1 ? 0x7F : 0x3F >> (n - 1);
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        c = c << 6 | (p[i] & 0x3F);
    }
    *len = n;
    return c;
}

/* Columns a character takes on a terminal: 2 for the East Asian wide and
 * full-width ones and most emoji, 0 for combining marks and zero-width
 * characters, else 1.  The ranges are the main blocks of classes W and F
 * of Unicode Standard Annex #11 (East Asian Width), abridged. */
static size_t char_width(unsigned long c)
{
    static const unsigned long wide[][2] = {
        {0x1100, 0x115F}, {0x231A, 0x231B}, {0x23E9, 0x23EC}, {0x2614, 0x2615},
        {0x26A1, 0x26A1}, {0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x2705, 0x2705},
        {0x2728, 0x2728}, {0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
        {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
    };
    if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) ||
        (c >= 0xFE00 && c <= 0xFE0F))
        return 0;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (c >= wide[i][0] && c <= wide[i][1])
            return 2;
    return 1;
}

/* Width of s on a terminal, in columns (see char_width; "±" is one). */
static size_t width(const char *s)
{
    size_t n = 0, len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p += len)
        n += char_width(utf8_next(p, &len));
    return n;
}

/* A byte as shown: control characters as '?'. */
static char shown(unsigned char c)
{
    return c < 0x20 || c == 0x7f ? '?' : (char)c;
}

/* s into cell (TABLE_CELL bytes) at most max columns wide: control
 * characters as '?'; a wider text cut to at most max - 1 columns and
 * "…". */
static void t_text(char *cell, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0, len, used = 0, all = width(s), room = all > max ? max - 1 : all;
    int cut = all > max;
    for (; *p; p += len) {
        size_t cw = char_width(utf8_next(p, &len));
        if (used + cw > room || n + len + 4 > TABLE_CELL) {   /* 4: "…" and NUL */
            cut = 1;
            break;
        }
        used += cw;
        for (size_t i = 0; i < len; i++)
            cell[n++] = shown(p[i]);
    }
    if (cut)
        for (const char *e = "…"; *e; e++)
            cell[n++] = *e;
    cell[n] = '\0';
}

/* fmt with every "%[flags][.prec]f" made "%[flags].3g" (and nothing else
 * changed), into out (TABLE_CELL bytes). */
static void fallback_fmt(char *out, const char *fmt)
{
    size_t n = 0;
    for (const char *p = fmt; *p && n + 8 < TABLE_CELL;) {
        const char *q;
        if (*p != '%' || p[1] == '%') {
            if (*p == '%')
                out[n++] = *p++;
            out[n++] = *p++;
            continue;
        }
        q = p + 1;
        while (*q && strchr("+- #0", *q))
            q++;
        out[n++] = '%';
        memcpy(out + n, p + 1, (size_t)(q - p - 1));
        n += (size_t)(q - p - 1);
        while (*q == '.' || (*q >= '0' && *q <= '9'))
            q++;
        if (*q == 'f') {
            memcpy(out + n, ".3g", 3);
            n += 3;
            q++;
        }
        p = q;
    }
    out[n] = '\0';
}

/* The ids a row stands for in the legend. */
static const char *placeholder(ds_col_each each)
{
    return each == DS_COL_PER_THIRD ? "<q>" : each == DS_COL_PER_ACTOR ? "<a>" : "";
}

/* Is id i of row c too wide for a heading?  It is then shown as "#n", n
 * its 1-based place in the scenario's list (no id starts with '#'), and
 * the legend says which column that is. */
static int id_abbreviated(const ds_model *m, const ds_column *c, size_t i)
{
    return c->each != DS_COL_ONE && width(each_id(m, c->each, i)) > DS_OUTPUT_TABLE_ID;
}

/* The heading of row c, id i. */
static void heading(char *cell, const ds_model *m, const ds_column *c, size_t i)
{
    char id[32];
    if (id_abbreviated(m, c, i))
        snprintf(id, sizeof id, "#%zu", i + 1);
    else
        snprintf(id, sizeof id, "%s", each_id(m, c->each, i));  /* ids are ASCII */
    snprintf(cell, TABLE_CELL, c->t_head, id);
}

/* The table's cell of row c, id i, strategy k (k == SIZE_MAX: the heading). */
static void table_cell(char *cell, const ds_model *m, const ds_stats *st, size_t k,
                       const ds_column *c, size_t i)
{
    double v[3] = {0, 0, 0}, scale = c->t_scale ? c->t_scale : 1.0;
    char fmt[TABLE_CELL];
    if (k == SIZE_MAX) {
        heading(cell, m, c, i);
        return;
    }
    if (c->kind == DS_COL_STRATEGY) {
        const ds_strategy *s = &m->strategies[k];
        t_text(cell, s->label && *s->label ? s->label : s->id, DS_OUTPUT_TABLE_STRATEGY);
        return;
    }
    v[0] = scale * value(c, st, k, i);
    for (int w = 0; w < 2 && c->t_with[w]; w++)
        v[1 + w] = scale * value(&columns[column_index(c->t_with[w])], st, k, i);
    if (!isfinite(v[0])) {
        snprintf(cell, TABLE_CELL, "-");
        return;
    }
    snprintf(cell, TABLE_CELL, c->t_fmt, v[0], v[1], v[2]);
    if (strlen(cell) > TABLE_NUM_MAX) {
        fallback_fmt(fmt, c->t_fmt);
        snprintf(cell, TABLE_CELL, fmt, v[0], v[1], v[2]);
    }
}

/* Is row c (id i) shown? */
static int t_shown(const ds_column *c, const ds_model *m, const ds_stats *st, size_t i)
{
    const ds_column *ref;
    if (!c->t_pos)
        return 0;
    if (c->t_show == DS_SHOW_ALWAYS)
        return 1;
    ref = c->t_show == DS_SHOW_IF_DIFFERS ? &columns[column_index(c->t_same)] : NULL;
    for (size_t k = 0; k < m->n_strategies; k++) {
        double v = value(c, st, k, i), r = ref ? value(ref, st, k, i) : 0.0;
        if (!(v == r || (isnan(v) && isnan(r))))
            return 1;
    }
    return 0;
}

/* Call visit(ctx, row, id) for every column of the table, left to right:
 * rows in ascending t_pos (CSV order among equals), each id by id. */
static void each_table_column(const ds_model *m, const ds_stats *st,
                              void (*visit)(void *, const ds_column *, size_t), void *ctx)
{
    int pos = 0;
    for (;;) {
        int next = INT_MAX;
        for (size_t j = 0; j < N_COLUMNS; j++)
            if (columns[j].t_pos > pos && columns[j].t_pos < next)
                next = columns[j].t_pos;
        if (next == INT_MAX)
            return;
        for (size_t j = 0; j < N_COLUMNS; j++)
            if (columns[j].t_pos == next)
                for (size_t i = 0; i < each_count(m, columns[j].each); i++)
                    if (t_shown(&columns[j], m, st, i))
                        visit(ctx, &columns[j], i);
        pos = next;
    }
}

/* A column of the table: its row and id. */
typedef struct table_col {
    const ds_column *row;
    size_t id;
} table_col;

/* The shown columns' cells, heading row first, in a table of ncol columns
 * (cells NULL: only count the columns, into c); each column's row and id
 * into cols[c] (when not NULL). */
typedef struct table_walk {
    char *cells;
    table_col *cols;
    size_t ncol, c;
    const ds_model *m;
    const ds_stats *st;
} table_walk;

static void table_visit(void *ctx, const ds_column *col, size_t i)
{
    table_walk *w = ctx;
    if (w->cells)
        for (size_t r = 0; r <= w->m->n_strategies; r++)
            table_cell(w->cells + (r * w->ncol + w->c) * TABLE_CELL, w->m, w->st,
                       r ? r - 1 : SIZE_MAX, col, i);
    if (w->cols) {
        w->cols[w->c].row = col;
        w->cols[w->c].id = i;
    }
    w->c++;
}

static size_t table_fill(char *cells, table_col *cols, size_t ncol, const ds_model *m,
                         const ds_stats *st)
{
    table_walk w = {cells, cols, ncol, 0, m, st};
    each_table_column(m, st, table_visit, &w);
    return w.c;
}

static void spaces(sink *o, size_t n)
{
    while (n--)
        putch(o, ' ');
}

/* Text written in lines of at most DS_OUTPUT_TABLE_WIDTH columns; col is
 * the current line's. */
typedef struct wrapper {
    sink *o;
    size_t col;
} wrapper;

static void wr_newline(wrapper *w)
{
    putch(w->o, '\n');
    w->col = 0;
}

/* Append the words of text (split at spaces, runs of them counting as
 * one): a space between two words, a new line before a word that does not
 * fit, and a word wider than a line cut where the line ends.  Control
 * characters are shown as '?'.  Can't fail. */
static void wr_words(wrapper *w, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t len;
    int first = 1;
    for (;;) {
        const unsigned char *q;
        size_t n = 0;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        for (q = p; *p && *p != ' '; p += len)
            n += char_width(utf8_next(p, &len));
        if (!first && w->col + 1 + n <= DS_OUTPUT_TABLE_WIDTH) {
            putch(w->o, ' ');
            w->col++;
        } else if (w->col && w->col + n + !first > DS_OUTPUT_TABLE_WIDTH) {
            wr_newline(w);
        }
        first = 0;
        for (; q < p; q += len) {
            size_t cw = char_width(utf8_next(q, &len));
            if (w->col + cw > DS_OUTPUT_TABLE_WIDTH)
                wr_newline(w);
            w->col += cw;
            for (size_t i = 0; i < len; i++)
                putch(w->o, shown(q[i]));
        }
    }
}

/* text as wrapped lines.  Can't fail. */
static void wrap(sink *o, const char *text)
{
    wrapper w = {o, 0};
    wr_words(&w, text);
    putch(o, '\n');
}

/* Bytes of a legend entry made from a row: a heading, three names, a scale
 * and a unit, with room to spare. */
#define LEGEND_ENTRY (6 * TABLE_CELL)

/* The legend's entry for row c into buf (n bytes): its own t_legend, or
 * "HEADING: CSV names (unit)", the names set in the cell's format (so
 * "P(deal): p_deal ±p_deal_se (fraction)"), "<q>" or "<a>" for an id. */
static void legend_entry(char *buf, size_t n, const ds_column *c)
{
    char head[TABLE_CELL], names[3][TABLE_CELL], fmt[TABLE_CELL];
    const char *ph = placeholder(c->each), *unit = c->t_unit ? c->t_unit : c->unit;
    size_t f = 0;
    if (c->t_legend) {
        snprintf(buf, n, "%s", c->t_legend);
        return;
    }
    snprintf(head, sizeof head, c->t_head, ph);
    snprintf(names[0], sizeof names[0], c->name, ph);
    for (int w = 0; w < 2; w++)
        snprintf(names[1 + w], sizeof names[1 + w], "%s", c->t_with[w] ? c->t_with[w] : "");
    /* The cell's format with each conversion made %s and "%%" dropped. */
    for (const char *p = c->t_fmt; *p && f + 4 < sizeof fmt;) {
        if (p[0] == '%' && p[1] == '%') {
            p += 2;
        } else if (*p == '%') {
            p += strcspn(p, "fgeds") + 1;
            memcpy(fmt + f, "%s", 2);
            f += 2;
        } else {
            fmt[f++] = *p++;
        }
    }
    fmt[f] = '\0';
    {
        char set[3 * TABLE_CELL];
        snprintf(set, sizeof set, fmt, names[0], names[1], names[2]);
        if (c->t_scale && c->t_scale != 1)
            snprintf(buf, n, "%s: %s x %g (%.16s)", head, set, c->t_scale, unit);
        else
            snprintf(buf, n, "%s: %s (%.16s)", head, set, unit);
    }
}

/* One entry of the legend, ended by ';' unless it is the last: after a
 * space on the same line when it fits, else on a new line (wrapped if
 * wider than one). */
static void legend_put(wrapper *w, const char *entry, int last)
{
    size_t n = width(entry) + !last;
    if (w->col && w->col + 1 + n <= DS_OUTPUT_TABLE_WIDTH) {
        putch(w->o, ' ');
        w->col++;
    } else if (w->col) {
        wr_newline(w);
    }
    wr_words(w, entry);
    if (!last) {
        if (w->col + 1 > DS_OUTPUT_TABLE_WIDTH)
            wr_newline(w);
        putch(w->o, ';');
        w->col++;
    }
}

/* Is column c the first of its row in cols? */
static int first_of_row(const table_col *cols, size_t c)
{
    for (size_t d = 0; d < c; d++)
        if (cols[d].row == cols[c].row)
            return 0;
    return 1;
}

/* Bytes of the legend's entry for abbreviated column c, at most. */
static size_t abbreviated_size(const ds_model *m, const table_col *c)
{
    return TABLE_CELL + strlen(c->row->name) + strlen(each_id(m, c->row->each, c->id)) +
           strlen(c->row->t_unit ? c->row->t_unit : c->row->unit) + 8;
}

/* The legend: each of the table's rows once, in the table's order, then
 * each abbreviated heading ("retal #2") with its CSV column in full (built
 * in e, of at least abbreviated_size bytes), then what "-" means if a cell
 * (of nrow rows of ncol) shows it.  Can't fail. */
static void legend(sink *o, const ds_model *m, const table_col *cols, size_t ncol,
                   const char *cells, size_t nrow, char *e)
{
    char entry[LEGEND_ENTRY];
    wrapper w = {o, 0};
    size_t left = 0;
    int dash = 0;             /* some cell has no value */
    for (size_t c = 0; c < ncol * nrow; c++)
        dash |= strcmp(cells + c * TABLE_CELL, "-") == 0;
    left = (size_t)dash;
    for (size_t c = 0; c < ncol; c++)
        left += first_of_row(cols, c) + id_abbreviated(m, cols[c].row, cols[c].id);
    for (size_t c = 0; c < ncol; c++)
        if (first_of_row(cols, c)) {
            legend_entry(entry, sizeof entry, cols[c].row);
            legend_put(&w, entry, --left == 0);
        }
    for (size_t c = 0; c < ncol; c++) {
        const ds_column *r = cols[c].row;
        const char *id = each_id(m, r->each, cols[c].id), *hole;
        char head[TABLE_CELL];
        if (!id_abbreviated(m, r, cols[c].id))
            continue;
        heading(head, m, r, cols[c].id);
        hole = strstr(r->name, "%s");
        snprintf(e, abbreviated_size(m, &cols[c]), "%s: %.*s%s%s (%s)", head,
                 (int)(hole - r->name), r->name, id, hole + 2,
                 r->t_unit ? r->t_unit : r->unit);
        legend_put(&w, e, --left == 0);
    }
    if (dash)
        legend_put(&w, "-: no value (an empty CSV cell: no deal, no evaluation)", 1);
    putch(o, '\n');
}

/* Rows of cells, the columns [c0, c1) after the strategy's. */
static void table_block(sink *o, const char *cells, size_t ncol, const size_t *w,
                        size_t nrow, size_t c0, size_t c1)
{
    for (size_t r = 0; r < nrow; r++) {
        const char *s = cells + r * ncol * TABLE_CELL;
        put(o, s);                                 /* the strategy, left-aligned */
        spaces(o, w[0] - width(s));
        for (size_t c = c0; c < c1; c++) {         /* numbers right-aligned */
            s = cells + (r * ncol + c) * TABLE_CELL;
            spaces(o, 2 + w[c] - width(s));
            put(o, s);
        }
        putch(o, '\n');
    }
}

/* Bytes of the heading's lines, at most. */
static size_t heading_size(const ds_model *m, const ds_run_meta *meta)
{
    return strlen(meta->scenario_file) + strlen(m->counterpart_name) +
           2 * strlen(m->home_name) + 160;
}

/* The whole table, its heading's lines built in `line` (heading_size
 * bytes) and the legend's entries in `entry` (see legend).  Can't fail. */
static void table_all(sink *o, const char *cells, const table_col *cols, size_t ncol,
                      const size_t *w, const ds_model *m, const ds_run_meta *meta,
                      char *line, char *entry)
{
    size_t nrow = m->n_strategies + 1, c0 = 1, len = heading_size(m, meta);
    wrap(o, m->name);
    snprintf(line, len, "scenario %s, %llu draws, seed %llu", meta->scenario_file,
             (unsigned long long)meta->draws, (unsigned long long)meta->seed);
    wrap(o, line);
    snprintf(line, len, "bn USD/yr; deficit: of %s with %s; benefit: to %s, discounted, "
             "against no deal", m->counterpart_name, m->home_name, m->home_name);
    wrap(o, line);
    /* Blocks: as many columns after the strategy's as fit the width. */
    while (c0 < ncol || c0 == 1) {
        size_t c1 = c0, used = w[0];
        while (c1 < ncol && (c1 == c0 || used + 2 + w[c1] <= DS_OUTPUT_TABLE_WIDTH))
            used += 2 + w[c1++];
        putch(o, '\n');
        table_block(o, cells, ncol, w, nrow, c0, c1);
        if (c1 == c0)
            break;
        c0 = c1;
    }
    putch(o, '\n');
    legend(o, m, cols, ncol, cells, nrow, entry);
}

/* The table into o; DS_ENOMEM, with nothing written, when its memory
 * cannot be allocated: all of it is, before anything is written. */
static int table_write(sink *o, const ds_model *m, const ds_stats *st, const ds_run_meta *meta)
{
    size_t ncol = table_fill(NULL, NULL, 0, m, st), nrow = m->n_strategies + 1, esize = 1;
    char *cells = calloc(ncol * nrow, TABLE_CELL), *line = malloc(heading_size(m, meta));
    char *entry = NULL;
    table_col *cols = calloc(ncol, sizeof *cols);
    size_t *w = calloc(ncol, sizeof *w);
    int rc = DS_OK;

    if (!cells || !cols || !w || !line) {
        rc = DS_ENOMEM;
        goto done;
    }
    table_fill(cells, cols, ncol, m, st);
    for (size_t c = 0; c < ncol; c++)
        if (id_abbreviated(m, cols[c].row, cols[c].id) &&
            abbreviated_size(m, &cols[c]) > esize)
            esize = abbreviated_size(m, &cols[c]);
    if (!(entry = malloc(esize))) {
        rc = DS_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < nrow; r++)
        for (size_t c = 0; c < ncol; c++) {
            size_t n = width(cells + (r * ncol + c) * TABLE_CELL);
            if (n > w[c])
                w[c] = n;
        }
    table_all(o, cells, cols, ncol, w, m, meta, line, entry);
done:
    free(cells);
    free(cols);
    free(w);
    free(line);
    free(entry);
    return rc;
}

int ds_output_table(const ds_model *m, const ds_stats *st, const ds_run_meta *meta, FILE *f)
{
    sink o;
    sink_open(&o, f);
    int rc = table_write(&o, m, st, meta);
    return rc != DS_OK ? rc : finish(&o, 1);
}

int ds_output_summary(const ds_model *m, const ds_stats *s, const ds_run_meta *meta,
                      ds_output_format format, FILE *f, const char *name, ds_error *err)
{
    sink o;
    sink_open(&o, f);
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
    sink o;
    sink_open(&o, f);
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
    sink o;
    sink_open(&o, w->f);
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
    sink o;
    sink_open(&o, f);
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
    sink o;
    sink_open(&o, w->f);
    putn(&o, buf, len);
    if (finish(&o, 0) != DS_OK)
        return ds_error_set(err, DS_EIO, "%s: cannot write: %s", w->name, strerror(o.err));
    return DS_OK;
}
