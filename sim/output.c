/*
 * output.c - summary CSV, JSON and table (SPEC §6).  The last step of the
 * flow: reads finished statistics, writes text, keeps no state.
 */
#include "dealsim/output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/csv.h"
#include "dealsim/error.h"

/* One strategy's figures, with the per-party/per-actor arrays attached. */
typedef struct row {
    ds_summary s;
    double *buf;
} row;

static int row_get(row *r, const ds_model *m, const ds_stats *st, size_t k)
{
    size_t n = 2 * m->n_third + m->n_actors;
    r->buf = malloc((n ? n : 1) * sizeof *r->buf);
    if (!r->buf)
        return DS_ENOMEM;
    r->s.p_retaliation = r->buf;
    r->s.retaliation_cost_mean = r->buf + m->n_third;
    r->s.approve = r->buf + 2 * m->n_third;
    ds_stats_summary(st, k, &r->s);
    return DS_OK;
}

static void num(FILE *f, double x)
{
    char b[DS_CSV_NUM_MAX];
    fputs(ds_csv_format_double(b, x), f);
}

void ds_output_csv_columns(const ds_model *m, FILE *f)
{
    fputs("strategy,draws,p_deal,p_deal_se,round_mean,tariff_mean,"
          "deficit_mean,deficit_se,deficit_p05,deficit_p50,deficit_p95,"
          "deficit_change_mean,benefit_mean,benefit_se,benefit_p05,"
          "benefit_p50,benefit_p95,concession_cost_mean", f);
    for (size_t q = 0; q < m->n_third; q++)
        fprintf(f, ",p_retaliation_%s,retaliation_cost_%s_mean",
                m->third[q].id, m->third[q].id);
    for (size_t a = 0; a < m->n_actors; a++)
        fprintf(f, ",approve_%s", m->actors[a].id);
}

int ds_output_csv_cells(const ds_model *m, const ds_stats *st, size_t k, FILE *f)
{
    row r;
    if (row_get(&r, m, st, k) != DS_OK)
        return DS_ENOMEM;
    const ds_summary *s = &r.s;
    const double v[] = {s->p_deal, s->p_deal_se, s->round_mean, s->tariff_mean,
                        s->deficit_mean, s->deficit_se, s->deficit_p05,
                        s->deficit_p50, s->deficit_p95, s->deficit_change_mean,
                        s->benefit_mean, s->benefit_se, s->benefit_p05,
                        s->benefit_p50, s->benefit_p95, s->concession_cost_mean};
    fprintf(f, "%s,%llu", m->strategies[k].id, (unsigned long long)s->draws);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        fputc(',', f);
        num(f, v[i]);
    }
    for (size_t q = 0; q < m->n_third; q++) {
        fputc(',', f);
        num(f, s->p_retaliation[q]);
        fputc(',', f);
        num(f, s->retaliation_cost_mean[q]);
    }
    for (size_t a = 0; a < m->n_actors; a++) {
        fputc(',', f);
        num(f, s->approve[a]);
    }
    free(r.buf);
    return DS_OK;
}

int ds_output_csv(const ds_model *m, const ds_stats *s, FILE *f)
{
    ds_output_csv_columns(m, f);
    fputc('\n', f);
    for (size_t k = 0; k < m->n_strategies; k++) {
        if (ds_output_csv_cells(m, s, k, f) != DS_OK)
            return DS_ENOMEM;
        fputc('\n', f);
    }
    return ferror(f) ? DS_EIO : DS_OK;
}

/* A JSON string: ids are plain, but names and file names may hold anything. */
static void jstr(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void jnum(FILE *f, double x)
{
    if (!isfinite(x))
        fputs("null", f);
    else
        num(f, x);
}

static void jfield(FILE *f, const char *key, double x, int last)
{
    fprintf(f, "      \"%s\": ", key);
    jnum(f, x);
    fputs(last ? "\n" : ",\n", f);
}

int ds_output_json(const ds_model *m, const ds_stats *st,
                   const ds_run_meta *meta, FILE *f)
{
    fputs("{\n  \"dealsim\": {\n    \"version\": ", f);
    jstr(f, DS_VERSION);
    fprintf(f, ",\n    \"format\": %d,\n    \"scenario\": ", DS_FORMAT_VERSION);
    jstr(f, meta->scenario_file);
    fputs(",\n    \"scenario_name\": ", f);
    jstr(f, m->name);
    fputs(",\n    \"scenario_sha256\": ", f);
    jstr(f, meta->sha256);
    fprintf(f, ",\n    \"seed\": %llu,\n    \"draws\": %llu\n  },\n",
            (unsigned long long)meta->seed, (unsigned long long)meta->draws);
    fputs("  \"strategies\": [\n", f);
    for (size_t k = 0; k < m->n_strategies; k++) {
        row r;
        if (row_get(&r, m, st, k) != DS_OK)
            return DS_ENOMEM;
        const ds_summary *s = &r.s;
        fputs("    {\n      \"strategy\": ", f);
        jstr(f, m->strategies[k].id);
        fprintf(f, ",\n      \"draws\": %llu,\n", (unsigned long long)s->draws);
        jfield(f, "p_deal", s->p_deal, 0);
        jfield(f, "p_deal_se", s->p_deal_se, 0);
        jfield(f, "round_mean", s->round_mean, 0);
        jfield(f, "tariff_mean", s->tariff_mean, 0);
        jfield(f, "deficit_mean", s->deficit_mean, 0);
        jfield(f, "deficit_se", s->deficit_se, 0);
        jfield(f, "deficit_p05", s->deficit_p05, 0);
        jfield(f, "deficit_p50", s->deficit_p50, 0);
        jfield(f, "deficit_p95", s->deficit_p95, 0);
        jfield(f, "deficit_change_mean", s->deficit_change_mean, 0);
        jfield(f, "benefit_mean", s->benefit_mean, 0);
        jfield(f, "benefit_se", s->benefit_se, 0);
        jfield(f, "benefit_p05", s->benefit_p05, 0);
        jfield(f, "benefit_p50", s->benefit_p50, 0);
        jfield(f, "benefit_p95", s->benefit_p95, 0);
        jfield(f, "concession_cost_mean", s->concession_cost_mean, 0);
        fputs("      \"third_parties\": {", f);
        for (size_t q = 0; q < m->n_third; q++) {
            fputs(q ? ", " : "", f);
            jstr(f, m->third[q].id);
            fputs(": {\"p_retaliation\": ", f);
            jnum(f, s->p_retaliation[q]);
            fputs(", \"retaliation_cost_mean\": ", f);
            jnum(f, s->retaliation_cost_mean[q]);
            fputc('}', f);
        }
        fputs("},\n      \"approve\": {", f);
        for (size_t a = 0; a < m->n_actors; a++) {
            fputs(a ? ", " : "", f);
            jstr(f, m->actors[a].id);
            fputs(": ", f);
            jnum(f, s->approve[a]);
        }
        fputs(k + 1 < m->n_strategies ? "}\n    },\n" : "}\n    }\n", f);
        free(r.buf);
    }
    fputs("  ]\n}\n", f);
    return ferror(f) ? DS_EIO : DS_OK;
}

/* ---- table ---------------------------------------------------------- */

/* Cells are kept as short strings; TABLE_CELL bounds one. */
#define TABLE_CELL 64

static void cellf(char *c, const char *fmt, double x)
{
    if (!isfinite(x))
        snprintf(c, TABLE_CELL, "-");
    else
        snprintf(c, TABLE_CELL, fmt, x);
}

int ds_output_table(const ds_model *m, const ds_stats *st,
                    const ds_run_meta *meta, FILE *f)
{
    /* Columns: strategy, P(deal) ± se, round, tariff, deficit, change,
     * benefit [p05, p95], cost, one per third party, one per actor. */
    size_t ncol = 8 + m->n_third + m->n_actors, nrow = m->n_strategies + 1;
    char *cells = calloc(ncol * nrow, TABLE_CELL);
    size_t *w = calloc(ncol, sizeof *w);
    int rc = DS_OK;

    if (!cells || !w) {
        rc = DS_ENOMEM;
        goto done;
    }
#define CELL(r, c) (cells + ((r) * ncol + (c)) * TABLE_CELL)
    snprintf(CELL(0, 0), TABLE_CELL, "strategy");
    snprintf(CELL(0, 1), TABLE_CELL, "P(deal)");
    snprintf(CELL(0, 2), TABLE_CELL, "round");
    snprintf(CELL(0, 3), TABLE_CELL, "tariff");
    snprintf(CELL(0, 4), TABLE_CELL, "deficit");
    snprintf(CELL(0, 5), TABLE_CELL, "change");
    snprintf(CELL(0, 6), TABLE_CELL, "benefit [5%%, 95%%]");
    snprintf(CELL(0, 7), TABLE_CELL, "cost");
    for (size_t q = 0; q < m->n_third; q++)
        snprintf(CELL(0, 8 + q), TABLE_CELL, "P(retal. %.40s)", m->third[q].id);
    for (size_t a = 0; a < m->n_actors; a++)
        snprintf(CELL(0, 8 + m->n_third + a), TABLE_CELL, "ok %.50s",
                 m->actors[a].id);
    for (size_t k = 0; k < m->n_strategies; k++) {
        row r;
        char lo[24], hi[24];
        if (row_get(&r, m, st, k) != DS_OK) {
            rc = DS_ENOMEM;
            goto done;
        }
        const ds_summary *s = &r.s;
        size_t i = k + 1;
        snprintf(CELL(i, 0), TABLE_CELL, "%.60s", m->strategies[k].id);
        snprintf(CELL(i, 1), TABLE_CELL, "%.3f ±%.3f", s->p_deal, s->p_deal_se);
        cellf(CELL(i, 2), "%.2f", s->round_mean);
        cellf(CELL(i, 3), "%.1f%%", 100 * s->tariff_mean);
        cellf(CELL(i, 4), "%.1f", s->deficit_mean);
        cellf(CELL(i, 5), "%+.1f", s->deficit_change_mean);
        snprintf(lo, sizeof lo, "%.1f", s->benefit_p05);
        snprintf(hi, sizeof hi, "%.1f", s->benefit_p95);
        snprintf(CELL(i, 6), TABLE_CELL, "%+.1f [%s, %s]", s->benefit_mean, lo, hi);
        cellf(CELL(i, 7), "%.1f", s->concession_cost_mean);
        for (size_t q = 0; q < m->n_third; q++)
            cellf(CELL(i, 8 + q), "%.3f", s->p_retaliation[q]);
        for (size_t a = 0; a < m->n_actors; a++)
            cellf(CELL(i, 8 + m->n_third + a), "%.2f", s->approve[a]);
        free(r.buf);
    }
    /* Widths in characters: count UTF-8 lead bytes only ("±" is one). */
    for (size_t r = 0; r < nrow; r++)
        for (size_t c = 0; c < ncol; c++) {
            size_t n = 0;
            for (const unsigned char *p = (unsigned char *)CELL(r, c); *p; p++)
                n += (*p & 0xC0) != 0x80;
            if (n > w[c])
                w[c] = n;
        }

    fprintf(f, "%s\n", m->name);
    fprintf(f, "scenario %s, %llu draws, seed %llu\n", meta->scenario_file,
            (unsigned long long)meta->draws, (unsigned long long)meta->seed);
    fprintf(f, "money in bn USD/yr; deficit: of %s with %s; "
               "benefit: to %s, discounted, against no deal\n\n",
            m->counterpart_name, m->home_name, m->home_name);
    for (size_t r = 0; r < nrow; r++) {
        for (size_t c = 0; c < ncol; c++) {
            const char *s = CELL(r, c);
            size_t n = 0;
            for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                n += (*p & 0xC0) != 0x80;
            if (c == 0)
                fprintf(f, "%s%*s", s, (int)(w[c] - n), "");
            else
                fprintf(f, "  %*s%s", (int)(w[c] - n), "", s);
        }
        fputc('\n', f);
    }
    fputs("\nround: mean deal round among deals; tariff: mean export-weighted "
          "tariff; ok <actor>: approvals / evaluations\n", f);
#undef CELL
    if (ferror(f))
        rc = DS_EIO;
done:
    free(cells);
    free(w);
    return rc;
}
