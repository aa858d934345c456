/*
 * output.h - the outputs of SPEC §6: summary CSV, JSON and a readable table,
 * and the per-draw CSV rows.
 *
 * Every summary column is one row of one table (ds_output_columns): its
 * name, unit, standard-error partner, JSON key, terminal-table cell and how
 * its value is computed from the statistics (a ds_stat, stats.h).  The CSV,
 * JSON and table writers, and `compare` (compare.h), only walk that table,
 * so a new column is one new row.  The per-draw columns are a table too.
 *
 * All numbers are written locale-independently, shortest round-trip; an
 * empty cell (CSV) or null (JSON) marks a figure with no value (round_mean
 * without deals, approve_<a> without evaluations).  Functions write to a
 * FILE* they do not own and return DS_OK or DS_EIO (the table also
 * DS_ENOMEM); on DS_EIO they stop at the first failed write and leave errno
 * as that write set it.
 */
#ifndef DEALSIM_OUTPUT_H
#define DEALSIM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dealsim/engine.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/stats.h"

/* What a run was, for the JSON metadata and the table's heading.  Nothing
 * here may depend on the number of threads (SPEC §7: byte-identical JSON). */
typedef struct ds_run_meta {
    const char *scenario_file; /* as given on the command line, or the built-in name */
    const char *sha256;        /* hex digest of the scenario bytes */
    uint64_t seed;
    uint64_t draws;
} ds_run_meta;

/* ---- the column tables ------------------------------------------------ */

/* How many columns a table row stands for: one, or one per third party or
 * per actor, in scenario order (the name's "%s" is then the id).  In the
 * CSV, consecutive rows of the same kind are expanded id by id: for each
 * party, each of its rows (p_retaliation_china, retaliation_cost_china_mean,
 * p_retaliation_japan, ...). */
typedef enum ds_col_each {
    DS_COL_ONE,
    DS_COL_PER_THIRD,
    DS_COL_PER_ACTOR
} ds_col_each;

/* What a summary column holds. */
typedef enum ds_col_kind {
    DS_COL_STRATEGY,    /* the strategy's id (the row's key) */
    DS_COL_DRAWS,       /* the number of draws, an integer */
    DS_COL_FIGURE,      /* ds_stats_value of `stat` */
    DS_COL_LABEL        /* the strategy's label: text, not a metric (the
                           loader makes it the id when the file has none;
                           a model without one gets an empty CSV cell and
                           a JSON null) */
} ds_col_kind;

/* When the terminal table shows a column. */
typedef enum ds_col_show {
    DS_SHOW_ALWAYS,       /* always */
    DS_SHOW_IF_NONZERO,   /* when some strategy's value is not 0 (a figure
                             that is 0 for every scenario without a feature,
                             such as p_deal_in_extension) */
    DS_SHOW_IF_DIFFERS    /* when some strategy's value differs from that of
                             column t_same (deficit_end_mean, the same as
                             deficit_mean while the horizon is one year) */
} ds_col_show;

typedef struct ds_column {
    const char *name;      /* CSV header ("%s": the party's or actor's id) */
    ds_col_each each;
    ds_col_kind kind;
    ds_stat stat;          /* DS_COL_FIGURE: how the value is computed */
    const char *unit;      /* SPEC §1: "bn/yr", "fraction", "round", "draws", "" */
    const char *se;        /* CSV name of the column holding this one's
                              standard error ("%s" as in name), or NULL */
    const char *json;      /* JSON key: in the strategy's object; for a
                              per-party row in that party's object under
                              "third_parties"; for a per-actor row the name
                              of an object keyed by actor id */
    const char *doc;       /* what it is, one line */
    /* The terminal table (SPEC §6): columns in ascending t_pos (0: not
     * shown), one per id for a per-party or per-actor row. */
    const char *t_head;    /* heading ("%s": the id, shortened to
                              DS_OUTPUT_TABLE_ID characters) */
    const char *t_fmt;     /* printf format of the cell, given the value and
                              those of t_with ("%s" for the strategy);
                              "-" when the value is not finite */
    double t_scale;        /* every value of the cell is multiplied by it
                              (0: by 1) */
    const char *t_with[2]; /* CSV names of more values in the cell, or NULL */
    int t_pos;             /* place from the left, 1 = first; 0: not shown */
    ds_col_show t_show;    /* when it is shown */
    const char *t_same;    /* DS_SHOW_IF_DIFFERS: the CSV name compared with */
    const char *t_unit;    /* the cell's unit in the legend, when it is not
                              `unit` (t_scale 100: "%"), or NULL */
    const char *t_legend;  /* the legend's entry, when the one made from the
                              row (heading: CSV names, unit) does not fit */
} ds_column;

/* The summary columns of SPEC §6 in CSV order; *n gets their number.  The
 * table is static: never freed. */
const ds_column *ds_output_columns(size_t *n);

/* The row a summary CSV column name belongs to: the row of that exact name,
 * or a per-party or per-actor row whose name matches with a non-empty id
 * (the longest fixed part wins).  *id and *id_len get the id's place in
 * `name` (length 0 for a DS_COL_ONE row).  NULL when no row matches. */
const ds_column *ds_output_column_match(const char *name, const char **id,
                                        size_t *id_len);

/* What a per-draw column holds. */
typedef enum ds_draw_kind {
    DS_DRAW_INDEX,      /* the 0-based draw index */
    DS_DRAW_STRATEGY,   /* the strategy's id */
    DS_DRAW_DEAL,       /* 0/1 */
    DS_DRAW_ROUND,      /* the deal round; empty without a deal */
    DS_DRAW_PACKAGE,    /* the accepted package's id; empty without a deal */
    DS_DRAW_VALUE,      /* the double at `offset` in ds_outcome */
    DS_DRAW_RETALIATES  /* per third party: 0/1 */
} ds_draw_kind;

typedef struct ds_draw_column {
    const char *name;   /* CSV header ("%s": the third party's id) */
    ds_col_each each;
    ds_draw_kind kind;
    size_t offset;      /* DS_DRAW_VALUE: offsetof(ds_outcome, field) */
    const char *unit;
    const char *doc;
} ds_draw_column;

/* The per-draw columns of SPEC §6 in CSV order (static). */
const ds_draw_column *ds_output_draw_columns(size_t *n);

/* A plotting histogram of the JSON summary (SPEC §6 v2). */
typedef struct ds_output_histogram {
    const char *json;      /* its key under "histograms" */
    ds_quantity q;         /* what it counts (ds_stats_histogram) */
    const char *unit;
    const char *doc;
} ds_output_histogram;

/* The JSON's plotting histograms, in the order written (static). */
const ds_output_histogram *ds_output_histograms(size_t *n);

/* ---- summary writers -------------------------------------------------- */

/* The summary header's columns (SPEC §6), comma-separated, no newline. */
int ds_output_csv_columns(const ds_model *m, FILE *f);

/* One strategy's summary cells, comma-separated, no newline. */
int ds_output_csv_cells(const ds_model *m, const ds_stats *s, size_t k, FILE *f);

/* Header and one row per strategy, in scenario order; then fflush. */
int ds_output_csv(const ds_model *m, const ds_stats *s, FILE *f);

/* {"dealsim": {...metadata...}, "strategies": [{...§6 figures...}]}; then
 * fflush.  After the figures, each strategy has "deal_rounds" (the number
 * of draws whose deal came in round 1, 2, ..., up to protocol.rounds or,
 * if later, the last round in which any strategy made a deal) and
 * "histograms": per quantity of ds_output_histograms, {"edges": [...],
 * "counts": [...]} (ds_stats_histogram), or null when it has no value. */
int ds_output_json(const ds_model *m, const ds_stats *s,
                   const ds_run_meta *meta, FILE *f);

/* The terminal table: no line wider than this many characters (SPEC §6). */
#define DS_OUTPUT_TABLE_WIDTH 100
/* Characters of a strategy's label (or id) in the table, at most; a longer
 * one is cut and ends in "…". */
#define DS_OUTPUT_TABLE_STRATEGY 30
/* Characters of a party's or actor's id in a heading, at most (cut as
 * above). */
#define DS_OUTPUT_TABLE_ID 16

/* A readable table of the main figures for a terminal (SPEC §6), then
 * fflush: a heading, the table, and a legend that maps every heading to
 * its CSV columns and unit.  Strategies are shown by label (else id).  No
 * line is wider than DS_OUTPUT_TABLE_WIDTH characters (UTF-8 counted as
 * characters): columns that do not fit go into further blocks below, each
 * led by the strategy column, and long text wraps.  Control characters in
 * names are shown as '?'. */
int ds_output_table(const ds_model *m, const ds_stats *s,
                    const ds_run_meta *meta, FILE *f);

typedef enum ds_output_format {
    DS_OUTPUT_CSV,
    DS_OUTPUT_JSON,
    DS_OUTPUT_TABLE
} ds_output_format;

/* One of the three writers above; on a failed write, DS_EIO with err set to
 * "NAME: cannot write: REASON" (the system's reason for the failing call).
 * `name` names f in the message.  DS_OK otherwise. */
int ds_output_summary(const ds_model *m, const ds_stats *s, const ds_run_meta *meta,
                      ds_output_format format, FILE *f, const char *name,
                      ds_error *err);

/* ---- per-draw rows ---------------------------------------------------- */

/*
 * A per-draw CSV writer: the run module hands it each finished block of
 * draws in draw order.  Formatting (ds_output_draws_format) is a pure
 * function of the draw, safe to call from many threads at once with no
 * lock; writing (ds_output_draws_write) is one call at a time, in draw order.
 */
typedef struct ds_output_draws ds_output_draws;

/* A writer of model m's rows to f, which it does not own; `name` (copied)
 * names f in messages (NULL: "per-draw rows").  NULL on no memory. */
ds_output_draws *ds_output_draws_new(const ds_model *m, FILE *f, const char *name);

/* Free the writer (not f).  w may be NULL.  Can't fail. */
void ds_output_draws_free(ds_output_draws *w);

/* The per-draw header (SPEC §6) for model m, with its newline. */
int ds_output_draws_columns(const ds_model *m, FILE *f);

/* Most bytes ds_output_draws_format writes for one draw. */
size_t ds_output_draws_max(const ds_output_draws *w);

/* Format draw d's rows (one per strategy, out as from ds_engine_draw) into
 * buf, which must hold ds_output_draws_max bytes; returns the bytes written
 * (no NUL).  Can't fail. */
size_t ds_output_draws_format(const ds_output_draws *w, char *buf, uint64_t d,
                              const ds_outcome *out);

/* Write len bytes of formatted rows.  DS_OK, or DS_EIO with err set to
 * "NAME: cannot write: REASON". */
int ds_output_draws_write(ds_output_draws *w, const char *buf, size_t len,
                          ds_error *err);

/* ---- inputs per draw (SPEC §6, --inputs-out) ---------------------------- */

/*
 * A writer of one CSV row per draw: `draw`, then the drawn value of every
 * input of the model (ds_model_is_input: every dist that is not constant),
 * one column per input named by its path, in model order (ds_model.dists:
 * SPEC §3's key order, list elements in file order).  Like the per-draw
 * rows: formatting is a pure function of the draw's engine, safe from many
 * threads; writing is in draw order, one call at a time.
 */
typedef struct ds_output_inputs ds_output_inputs;

/* A writer of model m's input rows to f, which it does not own; `name`
 * (copied) names f in messages (NULL: "inputs per draw").  NULL on no
 * memory. */
ds_output_inputs *ds_output_inputs_new(const ds_model *m, FILE *f, const char *name);

/* Free the writer (not f).  w may be NULL.  Can't fail. */
void ds_output_inputs_free(ds_output_inputs *w);

/* The header "draw,PATH,..." for model m, with its newline.  DS_OK or
 * DS_EIO. */
int ds_output_inputs_columns(const ds_model *m, FILE *f);

/* Most bytes ds_output_inputs_format writes for one draw. */
size_t ds_output_inputs_max(const ds_output_inputs *w);

/* Format draw d's row from e, which has just computed draw d of the
 * writer's model (ds_engine_input_value), into buf (ds_output_inputs_max
 * bytes); returns the bytes written (no NUL).  Can't fail. */
size_t ds_output_inputs_format(const ds_output_inputs *w, char *buf, uint64_t d,
                               const ds_engine *e);

/* Write len bytes of formatted rows.  DS_OK, or DS_EIO with err set to
 * "NAME: cannot write: REASON". */
int ds_output_inputs_write(ds_output_inputs *w, const char *buf, size_t len,
                           ds_error *err);

#endif /* DEALSIM_OUTPUT_H */
