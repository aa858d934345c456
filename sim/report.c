/*
 * report.c - the HTML report of SPEC §13 (see include/dealsim/report.h).
 * The last step of the flow, beside output.c: it reads finished statistics
 * (and, optionally, a sweep's and an optimize run's CSV) and writes one
 * page; the charts are drawn with the primitives of svg.c.
 *
 * Every chart is a <figure> holding a caption, one <svg> with a <title>
 * and a <desc> that states its main numbers, and a <details> table with
 * all of them.  Figures are numbered in page order; charts have the ids
 * c1, c2, ...
 */
#include "dealsim/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

/* Width of every chart, px: the page's text column (760 px) less padding;
 * it prints on A4 and US letter at about 19 cm. */
#define W 720.0
/* Characters per line of a strategy's label on a category axis (two
 * lines at most), the room it takes, and the height of one category. */
#define LABEL_CHARS 32
#define CAT_LEFT (LABEL_CHARS * 6.2 + 16)
#define CAT_ROW 30.0
/* Room below a plot for tick labels and the axis title, px. */
#define AXIS_BELOW 40.0
/* Right margin of a plot, px. */
#define RIGHT 20.0
/* Small multiples: panels per row, and the margins of a panel's plot. */
#define PANEL_COLS 3
#define PANEL_LEFT 46.0
#define PANEL_RIGHT 16.0
#define PANEL_TOP 34.0
#define PANEL_BOTTOM 24.0
/* A strategy's label in a panel title: characters, then cut. */
#define PANEL_TITLE_CHARS 33
/* ... starting this far left of the plot: clear of the grid's y title. */
#define PANEL_TITLE_IN 22.0
/* Standard errors of a sweep's bands (SPEC §13: +-2 SE). */
#define BAND_SE 2.0
/* z of a 95% interval of P(deal) (normal approximation). */
#define Z95 1.959963984540054
/* A line of a sweep or of the front has markers while it has at most this
 * many points (more would hide the line). */
#define MAX_MARKED 40

/* ---- growing text ------------------------------------------------------ */

/* A string built piece by piece, for texts (a chart's <desc>) that must
 * exist whole before they are written.  A failed allocation sets nomem
 * and keeps what was there. */
typedef struct sbuf {
    char *p;
    size_t n, cap;
    int nomem;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int len;

    if (b->nomem)
        return;
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) /* only for an invalid format  GCOVR_EXCL_LINE */
        return;  /* GCOVR_EXCL_LINE */
    if (b->n + (size_t)len + 1 > b->cap) {
        size_t cap = 2 * (b->n + (size_t)len + 1) + 64;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->nomem = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

static const char *sb_str(const sbuf *b)
{
    return b->p ? b->p : "";
}

static void sb_free(sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- the page's state -------------------------------------------------- */

typedef struct page {
    FILE *f;
    const ds_report_page *in;
    const ds_model *m;
    const ds_stats *s;
    int figure;          /* figures written so far */
    int nomem;
} page;

static const char *slabel(const ds_model *m, size_t k)
{
    const ds_strategy *s = &m->strategies[k];
    return s->label && *s->label ? s->label : s->id;
}

static const char *alabel(const ds_model *m, size_t a)
{
    const ds_actor *x = &m->actors[a];
    return x->label && *x->label ? x->label : x->id;
}

static const char *qlabel(const ds_model *m, size_t q)
{
    const ds_third_party *x = &m->third[q];
    return x->label && *x->label ? x->label : x->id;
}

static void esc(page *pg, const char *s)
{
    ds_svg_escape(pg->f, s);
}

/* A number with printf format fmt, or "n/a" when it has no value. */
static const char *num(char b[64], const char *fmt, double v)
{
    if (!isfinite(v))
        return "n/a";
    snprintf(b, 64, fmt, v);
    if (strcmp(b, "-0.000") == 0 || strcmp(b, "-0.00") == 0 || strcmp(b, "-0.0") == 0 ||
        strcmp(b, "-0") == 0)
        memmove(b, b + 1, strlen(b)); /* never "-0" */
    return b;
}

/* <td>number</td> */
static void td_num(page *pg, const char *fmt, double v)
{
    char b[64];
    fprintf(pg->f, "<td>%s</td>", num(b, fmt, v));
}

static void td_text(page *pg, const char *s)
{
    fputs("<td>", pg->f);
    esc(pg, s);
    fputs("</td>", pg->f);
}

static void th_text(page *pg, const char *s)
{
    fputs("<th scope=\"col\">", pg->f);
    esc(pg, s);
    fputs("</th>", pg->f);
}

static double stat(const page *pg, size_t k, ds_stat_kind kind, ds_quantity q, ds_count c,
                   ds_count per, double p, size_t index)
{
    ds_stat st;
    memset(&st, 0, sizeof st);
    st.kind = kind;
    st.q = q;
    st.c = c;
    st.per = per;
    st.p = p;
    return ds_stats_value(pg->s, k, &st, index);
}

static double mean_of(const page *pg, size_t k, ds_quantity q)
{
    return stat(pg, k, DS_STAT_MEAN, q, 0, 0, 0, 0);
}

static double quantile_of(const page *pg, size_t k, ds_quantity q, double p)
{
    return stat(pg, k, DS_STAT_QUANTILE, q, 0, 0, p, 0);
}

static double share_of(const page *pg, size_t k, ds_count c, size_t index)
{
    return stat(pg, k, DS_STAT_SHARE, 0, c, 0, 0, index);
}

static double ratio_of(const page *pg, size_t k, ds_count c, ds_count per, size_t index)
{
    return stat(pg, k, DS_STAT_RATIO, 0, c, per, 0, index);
}

/* ---- figures ------------------------------------------------------------ */

/* Open figure N: its anchor, caption (title in bold, then the text) and
 * the id of its chart into id. */
static void figure_open(page *pg, const char *title, const char *caption, char id[16])
{
    pg->figure++;
    snprintf(id, 16, "c%d", pg->figure);
    fprintf(pg->f, "<figure class=\"fig\" id=\"fig%d\">\n<figcaption><b>Figure %d. ",
            pg->figure, pg->figure);
    esc(pg, title);
    fputs(".</b> ", pg->f);
    esc(pg, caption);
    fputs("</figcaption>\n", pg->f);
}

static void numbers_open(page *pg)
{
    fputs("<details><summary>Numbers</summary>\n<table>", pg->f);
}

static void numbers_close(page *pg)
{
    fputs("</table></details>\n", pg->f);
}

static void figure_close(page *pg)
{
    fputs("</figure>\n", pg->f);
}

/* A plot with one category (a strategy) per row below `top`. */
static void cat_plot(ds_svg_plot *p, double top, size_t n, double xmin, double xmax)
{
    memset(p, 0, sizeof *p);
    p->x0 = CAT_LEFT;
    p->y0 = top;
    p->w = W - CAT_LEFT - RIGHT;
    p->h = CAT_ROW * (double)n;
    p->n_cats = n;
    ds_svg_ticks(xmin, xmax, 6, &p->x);
}

/* A series of a dot chart: one value per strategy (NaN: none), an
 * optional interval, its marker. */
typedef struct dot_series {
    const char *label;
    const double *v, *lo, *hi; /* [n_strategies]; lo, hi may be NULL */
    int s;                     /* series: colour and shape */
    int hollow;
} dot_series;

/* A dot chart: strategies down, the value across from xmin (or lower) to
 * xmax (or higher), a marker per series, whiskers for intervals, "n/a"
 * where a value is missing. */
static void dot_chart(page *pg, const char *id, const char *title, const char *desc,
                      const char *xtitle, size_t ns, const dot_series *ser, double xmin,
                      double xmax)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies;
    const char *labels[8], **cats = malloc(n * sizeof *cats);
    int series[8], hollow[8];
    ds_svg_plot p;
    double h, lo = xmin, hi = xmax;

    if (!cats) {
        pg->nomem = 1;
        return;
    }
    for (size_t k = 0; k < n; k++)
        cats[k] = slabel(m, k);

    for (size_t j = 0; j < ns; j++)
        for (size_t k = 0; k < n; k++) {
            double a = ser[j].v[k];
            if (isfinite(a))
                lo = fmin(lo, a), hi = fmax(hi, a);
            if (ser[j].hi && isfinite(ser[j].hi[k]))
                hi = fmax(hi, ser[j].hi[k]), lo = fmin(lo, ser[j].lo[k]);
        }
    cat_plot(&p, 8, n, lo, hi);
    for (size_t j = 0; j < ns && j < 8; j++) {
        labels[j] = ser[j].label;
        series[j] = ser[j].s;
        hollow[j] = ser[j].hollow;
    }
    h = p.y0 + p.h + AXIS_BELOW + 16.0 * (double)ds_svg_legend_rows(p.w, ns, labels) + 6;
    ds_svg_open(pg->f, id, W, h, title, desc, 0);
    ds_svg_xaxis(pg->f, &p, xtitle);
    ds_svg_yaxis(pg->f, &p, NULL, cats, LABEL_CHARS);
    for (size_t k = 0; k < n; k++) {
        double cy = ds_svg_cy(&p, k);
        for (size_t j = 0; j < ns; j++) {
            double off = ((double)j - (double)(ns - 1) / 2) * 8;
            double v = ser[j].v[k];
            char t[512], b1[64], b2[64], b3[64];
            if (!isfinite(v)) {
                if (j == 0)
                    ds_svg_text(pg->f, p.x0 + 4, cy + 4, "start", "small", "n/a");
                continue;
            }
            if (ser[j].lo && isfinite(ser[j].lo[k])) {
                double a = ds_svg_px(&p, ser[j].lo[k]), b = ds_svg_px(&p, ser[j].hi[k]);
                fprintf(pg->f, "<path class=\"wh\" d=\"M%.1f %.1fH%.1fM%.1f %.1fv6M%.1f %.1fv6\"/>",
                        a, cy + off, b, a, cy + off - 3, b, cy + off - 3);
                snprintf(t, sizeof t, "%s, %s: %s (95%%: %s to %s)", slabel(m, k),
                         ser[j].label, num(b1, "%.4f", v), num(b2, "%.4f", ser[j].lo[k]),
                         num(b3, "%.4f", ser[j].hi[k]));
            } else {
                snprintf(t, sizeof t, "%s, %s: %s", slabel(m, k), ser[j].label,
                         num(b1, "%.4f", v));
            }
            ds_svg_marker(pg->f, ds_svg_px(&p, v), cy + off, 4.5, ser[j].s, ser[j].hollow, t);
        }
        fputc('\n', pg->f);
    }
    ds_svg_legend(pg->f, p.x0, p.y0 + p.h + AXIS_BELOW - 2, p.w, ns, series, hollow, labels);
    ds_svg_close(pg->f);
    free(cats);
}

/* ---- header, sources, summary ------------------------------------------ */

static void page_style(page *pg)
{
    fputs("<style>\n"
          "body{font:14px/1.45 sans-serif;color:#222;max-width:760px;margin:1em auto;"
          "padding:0 12px}\n"
          "h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
          "margin-top:1.8em}\n"
          "table{border-collapse:collapse;font-size:12px;margin:.5em 0}\n"
          "th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;vertical-align:top}\n"
          "th:first-child,td:first-child,td.t{text-align:left}\n"
          "table.sum td{white-space:nowrap}table.sum th[scope=row]{font-weight:normal;"
          "min-width:12em}\n"
          "figure{margin:1.2em 0;break-inside:avoid;page-break-inside:avoid}\n"
          "figcaption{font-size:13px;margin-bottom:4px}\n"
          "details{font-size:12px;margin-top:2px}summary{cursor:pointer;color:#0072B2}\n"
          "dl.meta{display:grid;grid-template-columns:max-content auto;gap:2px 12px}\n"
          "dl.meta dt{font-weight:bold}dl.meta dd{margin:0;overflow-wrap:anywhere}\n"
          ".note{color:#555;font-size:13px}.wide{overflow-x:auto}\n"
          ".pt{font-size:11px;font-weight:bold}ol.sources{font-size:12px}\n"
          "nav{font-size:13px;margin:.8em 0;padding:.4em 0;border-top:1px solid #ccc;"
          "border-bottom:1px solid #ccc}a{color:#0072B2}\n"
          "@media print{body{max-width:none;font-size:10pt}details{display:none}"
          "h2{break-after:avoid}.wide{overflow:visible}nav{display:none}}\n",
          pg->f);
    ds_svg_style(pg->f);
    fputs("</style>\n", pg->f);
}

static void page_head(page *pg)
{
    const ds_model *m = pg->m;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          /* Nothing may be fetched: no script, no external style, font or
           * image; the inline style sheet is the only resource. */
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"dealsim " DS_VERSION "\">\n<title>",
          pg->f);
    esc(pg, m->name);
    fputs(" \xE2\x80\x94 dealsim report</title>\n", pg->f);
    page_style(pg);
    fputs("</head>\n<body>\n<header>\n<h1>", pg->f);
    esc(pg, m->name);
    fputs("</h1>\n", pg->f);
    if (m->description && *m->description) {
        fputs("<p>", pg->f);
        esc(pg, m->description);
        fputs("</p>\n", pg->f);
    }
}

static void meta_row(page *pg, const char *dt, const char *dd)
{
    fputs("<dt>", pg->f);
    esc(pg, dt);
    fputs("</dt><dd>", pg->f);
    esc(pg, dd);
    fputs("</dd>\n", pg->f);
}

static void page_meta(page *pg)
{
    const ds_model *m = pg->m;
    const ds_run_meta *r = pg->in->meta;
    char b[128];

    fputs("<dl class=\"meta\">\n", pg->f);
    meta_row(pg, "Made by", "dealsim " DS_VERSION);
    meta_row(pg, "Scenario file", r->scenario_file);
    meta_row(pg, "SHA-256 of the scenario", r->sha256);
    snprintf(b, sizeof b, "%llu", (unsigned long long)r->draws);
    meta_row(pg, "Draws", b);
    snprintf(b, sizeof b, "%llu", (unsigned long long)r->seed);
    meta_row(pg, "Seed", b);
    snprintf(b, sizeof b, "%zu strategies, %zu actors, %zu third parties", m->n_strategies,
             m->n_actors, m->n_third);
    meta_row(pg, "Scenario", b);
    if (m->protocol.extension.given)
        snprintf(b, sizeof b, "%d, extended by %d with probability %g", m->protocol.rounds,
                 m->protocol.extension.rounds, m->protocol.extension.probability);
    else
        snprintf(b, sizeof b, "%d", m->protocol.rounds);
    meta_row(pg, "Rounds", b);
    snprintf(b, sizeof b, "%d year%s", m->horizon, m->horizon == 1 ? "" : "s");
    meta_row(pg, "Horizon", b);
    if (pg->in->generated)
        meta_row(pg, "Generated", pg->in->generated);
    fputs("</dl>\n<p class=\"note\">Money is in billions of US dollars per year (bn/yr). "
          "The deficit is ",
          pg->f);
    esc(pg, m->counterpart_name);
    fputs("\xE2\x80\x99s bilateral deficit with ", pg->f);
    esc(pg, m->home_name);
    fputs("; the benefit is ", pg->f);
    esc(pg, m->home_name);
    fputs("\xE2\x80\x99s discounted net gain per year against having no deal (0 without a "
          "deal). Probabilities are fractions of the draws.</p>\n",
          pg->f);
}

/* Links to the sections below (anchors in the page: nothing is loaded). */
static void page_nav(page *pg)
{
    static const char *const sec[][2] = {
        {"summary", "Summary"},         {"p-deal", "Chance of a deal"},
        {"rounds", "Deal rounds"},      {"distributions", "Deficit and benefit"},
        {"given-deal", "Given a deal"}, {"approvals", "Approvals"},
        {"retaliation", "Retaliation"}, {"drivers", "Drivers"},
    };
    fputs("<nav><b>Contents:</b> ", pg->f);
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++)
        fprintf(pg->f, "%s<a href=\"#%s\">%s</a>", i ? " \xC2\xB7 " : "", sec[i][0], sec[i][1]);
    if (pg->in->sweep)
        fputs(" \xC2\xB7 <a href=\"#sweep\">Varied inputs</a>", pg->f);
    if (pg->in->optimize)
        fputs(" \xC2\xB7 <a href=\"#optimize\">Best packages</a>", pg->f);
    fputs(" \xC2\xB7 <a href=\"#sources\">Sources</a></nav>\n", pg->f);
}

static void page_sources(page *pg)
{
    const ds_model *m = pg->m;
    fputs("<section id=\"sources\">\n<h2>Sources</h2>\n", pg->f);
    if (!m->n_sources) {
        fputs("<p class=\"note\">The scenario lists no sources.</p>\n</section>\n</header>\n",
              pg->f);
        return;
    }
    fputs("<ol class=\"sources\">\n", pg->f);
    for (size_t i = 0; i < m->n_sources; i++) {
        fputs("<li><b>", pg->f);
        esc(pg, m->sources[i].id);
        fputs("</b>: ", pg->f);
        esc(pg, m->sources[i].text);
        fputs("</li>\n", pg->f);
    }
    fputs("</ol>\n</section>\n</header>\n", pg->f);
}

/* Number of ids a column row stands for. */
static size_t each_n(const ds_model *m, ds_col_each e)
{
    return e == DS_COL_PER_THIRD ? m->n_third : e == DS_COL_PER_ACTOR ? m->n_actors : 1;
}

static const ds_column *column_named(const char *name)
{
    size_t n;
    const ds_column *c = ds_output_columns(&n);
    for (size_t j = 0; j < n; j++)
        if (strcmp(c[j].name, name) == 0)
            return &c[j];
    return NULL; /* the table names only its own rows  GCOVR_EXCL_LINE */
}

static double col_value(const page *pg, const ds_column *c, size_t k, size_t i)
{
    return ds_stats_value(pg->s, k, &c->stat, i);
}

/* Is column row c (id i) in the summary table?  As in the terminal table
 * (output.h, ds_col_show). */
static int shown(const page *pg, const ds_column *c, size_t i)
{
    const ds_column *ref;
    if (!c->t_pos || c->kind == DS_COL_STRATEGY)
        return c->t_pos != 0;
    if (c->t_show == DS_SHOW_ALWAYS)
        return 1;
    ref = c->t_show == DS_SHOW_IF_DIFFERS ? column_named(c->t_same) : NULL;
    for (size_t k = 0; k < pg->m->n_strategies; k++) {
        double v = col_value(pg, c, k, i), r = ref ? col_value(pg, ref, k, i) : 0.0;
        if (!(v == r || (isnan(v) && isnan(r))))
            return 1;
    }
    return 0;
}

/* A column of the summary table: its row and id. */
typedef struct sum_col {
    const ds_column *c;
    size_t i;
} sum_col;

/* The summary table's widths, px: the text column, the strategy's column,
 * and a character of a cell (12 px text) with a cell's padding.  Columns
 * that do not fit go to a further table, each led by the strategies. */
#define PAGE_PX 736.0
#define STRATEGY_PX 190.0
#define CELL_CHAR_PX 7.0
#define CELL_PAD_PX 14.0
#define HEAD_CHARS 12

static void sum_heading(const page *pg, const sum_col *sc, char *head, size_t n)
{
    const ds_model *m = pg->m;
    const char *id = sc->c->each == DS_COL_PER_THIRD   ? qlabel(m, sc->i)
                     : sc->c->each == DS_COL_PER_ACTOR ? alabel(m, sc->i)
                                                       : "";
    snprintf(head, n, sc->c->t_head, id);
}

static void sum_cell(const page *pg, const sum_col *sc, size_t k, char *cell, size_t n)
{
    const ds_column *c = sc->c;
    double v[3] = {0, 0, 0}, scale = c->t_scale ? c->t_scale : 1.0;
    v[0] = scale * col_value(pg, c, k, sc->i);
    for (int w = 0; w < 2 && c->t_with[w]; w++)
        v[1 + w] = scale * col_value(pg, column_named(c->t_with[w]), k, sc->i);
    if (!isfinite(v[0]))
        snprintf(cell, n, "n/a");
    else
        snprintf(cell, n, c->t_fmt, v[0], v[1], v[2]);
}

/* The summary table: the terminal table's columns (output.h), in its
 * order, strategies by label, in as many tables as it takes to fit the
 * page, and a legend mapping every heading to its CSV columns, unit and
 * meaning. */
static void page_summary(page *pg)
{
    const ds_model *m = pg->m;
    size_t nc, n = 0, max = 0;
    const ds_column *cols = ds_output_columns(&nc);
    int maxpos = 0;
    sum_col *sc;
    double *wpx;

    for (size_t j = 0; j < nc; j++) {
        if (cols[j].t_pos > maxpos)
            maxpos = cols[j].t_pos;
        max += each_n(m, cols[j].each);
    }
    sc = malloc(max * sizeof *sc);
    wpx = malloc(max * sizeof *wpx);
    fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", pg->f);
    if (!sc || !wpx) {
        pg->nomem = 1;
        goto done;
    }
    for (int pos = 1; pos <= maxpos; pos++)
        for (size_t j = 0; j < nc; j++)
            for (size_t i = 0; cols[j].t_pos == pos && cols[j].kind != DS_COL_STRATEGY &&
                               i < each_n(m, cols[j].each);
                 i++)
                if (shown(pg, &cols[j], i)) {
                    char cell[160];
                    size_t w;
                    sc[n].c = &cols[j];
                    sc[n].i = i;
                    /* A heading wraps at its spaces, a cell does not. */
                    sum_heading(pg, &sc[n], cell, sizeof cell);
                    w = ds_svg_chars(cell) < HEAD_CHARS ? ds_svg_chars(cell) : HEAD_CHARS;
                    for (size_t k = 0; k < m->n_strategies; k++) {
                        sum_cell(pg, &sc[n], k, cell, sizeof cell);
                        if (ds_svg_chars(cell) > w)
                            w = ds_svg_chars(cell);
                    }
                    wpx[n++] = (double)w * CELL_CHAR_PX + CELL_PAD_PX;
                }
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        double used = STRATEGY_PX + wpx[a];
        while (b < n && used + wpx[b] <= PAGE_PX)
            used += wpx[b++];
        fputs("<div class=\"wide\"><table class=\"sum\">\n<thead><tr><th scope=\"col\">strategy</th>",
              pg->f);
        for (size_t j = a; j < b; j++) {
            char head[160];
            sum_heading(pg, &sc[j], head, sizeof head);
            th_text(pg, head);
        }
        fputs("</tr></thead>\n<tbody>\n", pg->f);
        for (size_t k = 0; k < m->n_strategies; k++) {
            fputs("<tr><th scope=\"row\">", pg->f);
            esc(pg, slabel(m, k));
            fputs("</th>", pg->f);
            for (size_t j = a; j < b; j++) {
                char cell[160];
                sum_cell(pg, &sc[j], k, cell, sizeof cell);
                td_text(pg, cell);
            }
            fputs("</tr>\n", pg->f);
        }
        fputs("</tbody></table></div>\n", pg->f);
        a = b;
    }
    fputs("<p class=\"note\">Columns: ", pg->f);
    for (size_t j = 0; j < n; j++) {
        const ds_column *c = sc[j].c;
        const char *ph = c->each == DS_COL_PER_THIRD   ? "<q>"
                         : c->each == DS_COL_PER_ACTOR ? "<a>"
                                                       : "";
        char head[160], name[160];
        if (j > 0 && sc[j - 1].c == c)
            continue; /* one entry per row, not per id */
        snprintf(head, sizeof head, c->t_head, ph);
        snprintf(name, sizeof name, c->name, ph);
        fputs(j ? "; <b>" : "<b>", pg->f);
        esc(pg, head);
        fputs("</b>: ", pg->f);
        esc(pg, c->doc);
        fputs(" (<code>", pg->f);
        esc(pg, name);
        for (int w = 0; w < 2 && c->t_with[w]; w++) {
            fputs("</code>, <code>", pg->f);
            esc(pg, c->t_with[w]);
        }
        fputs("</code>, ", pg->f);
        esc(pg, c->t_unit ? c->t_unit : c->unit);
        fputs(")", pg->f);
    }
    fputs(".</p>\n", pg->f);
done:
    fputs("</section>\n", pg->f);
    free(sc);
    free(wpx);
}

/* ---- P(deal), rounds ---------------------------------------------------- */

static void page_p_deal(page *pg)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies;
    double *v = malloc(3 * n * sizeof *v);
    dot_series ser;
    sbuf desc = {0};
    char id[16], b1[64], b2[64], b3[64];

    if (!v) {
        pg->nomem = 1;
        return;
    }
    for (size_t k = 0; k < n; k++) {
        double p = share_of(pg, k, DS_C_DEALS, 0);
        double se = stat(pg, k, DS_STAT_SHARE_SE, 0, DS_C_DEALS, 0, 0, 0);
        v[k] = p;
        v[n + k] = fmax(0, p - Z95 * se);
        v[2 * n + k] = fmin(1, p + Z95 * se);
    }
    sb_printf(&desc, "P(deal) per strategy with its 95%% interval:");
    for (size_t k = 0; k < n; k++)
        sb_printf(&desc, " %s %s (%s to %s);", slabel(m, k), num(b1, "%.3f", v[k]),
                  num(b2, "%.3f", v[n + k]), num(b3, "%.3f", v[2 * n + k]));
    ser.label = "P(deal), with its 95% interval";
    ser.v = v;
    ser.lo = v + n;
    ser.hi = v + 2 * n;
    ser.s = 0;
    ser.hollow = 0;
    fputs("<section id=\"p-deal\">\n<h2>Chance of a deal</h2>\n", pg->f);
    figure_open(pg, "P(deal) by strategy",
                "The share of draws that end in a deal, with its 95% interval "
                "(p \xC2\xB1 1.96 standard errors).",
                id);
    if (desc.nomem)
        pg->nomem = 1;
    dot_chart(pg, id, "P(deal) by strategy", sb_str(&desc), "P(deal) (fraction of draws)", 1,
              &ser, 0, 0);
    numbers_open(pg);
    fputs("<tr><th>strategy</th><th>P(deal)</th><th>standard error</th><th>95% low</th>"
          "<th>95% high</th></tr>\n",
          pg->f);
    for (size_t k = 0; k < n; k++) {
        fputs("<tr>", pg->f);
        td_text(pg, slabel(m, k));
        td_num(pg, "%.4f", v[k]);
        td_num(pg, "%.4f", stat(pg, k, DS_STAT_SHARE_SE, 0, DS_C_DEALS, 0, 0, 0));
        td_num(pg, "%.4f", v[n + k]);
        td_num(pg, "%.4f", v[2 * n + k]);
        fputs("</tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
    fputs("</section>\n", pg->f);
    sb_free(&desc);
    free(v);
}

/* Small multiples: one panel per strategy, PANEL_COLS to a row. */
typedef struct grid {
    size_t n, cols, rows;
    double pw, ph, top;
} grid;

static void grid_init(grid *g, size_t n, double ph, double top)
{
    g->n = n;
    g->cols = n < PANEL_COLS ? (n ? n : 1) : PANEL_COLS;
    g->rows = (n + g->cols - 1) / g->cols;
    g->pw = W / (double)g->cols;
    g->ph = ph;
    g->top = top;
}

/* Panel i's plot area (its axes' ranges left to the caller). */
static void grid_panel(const grid *g, size_t i, ds_svg_plot *p)
{
    size_t r = i / g->cols, c = i % g->cols;
    memset(p, 0, sizeof *p);
    p->x0 = (double)c * g->pw + PANEL_LEFT;
    p->y0 = g->top + (double)r * g->ph + PANEL_TOP;
    p->w = g->pw - PANEL_LEFT - PANEL_RIGHT;
    p->h = g->ph - PANEL_TOP - PANEL_BOTTOM;
}

/* Height of an SVG of these panels, with the axis titles below. */
static double grid_height(const grid *g)
{
    return g->top + (double)g->rows * g->ph + 30;
}

/* A panel's title (cut to fit, whole in a <title>) above its plot. */
static void panel_title(page *pg, const ds_svg_plot *p, const char *s)
{
    size_t cut = ds_svg_prefix(s, PANEL_TITLE_CHARS);
    fprintf(pg->f, "<text class=\"pt\" x=\"%.1f\" y=\"%.1f\">", p->x0 - PANEL_TITLE_IN,
            p->y0 - PANEL_TOP + 12);
    if (s[cut]) {
        fputs("<title>", pg->f);
        esc(pg, s);
        fputs("</title>", pg->f);
        ds_svg_escape_n(pg->f, s, ds_svg_prefix(s, PANEL_TITLE_CHARS - 1));
        fputs("\xE2\x80\xA6", pg->f);
    } else {
        esc(pg, s);
    }
    fputs("</text>", pg->f);
}

/* The axis titles of a grid: x centred below, y turned up at the left. */
static void grid_titles(page *pg, const grid *g, const char *xtitle, const char *ytitle)
{
    double y = g->top + (double)g->rows * g->ph + 16;
    ds_svg_text(pg->f, W / 2, y, "middle", "at", xtitle);
    fprintf(pg->f, "<text class=\"at\" text-anchor=\"middle\" "
                   "transform=\"translate(11 %.1f) rotate(-90)\">",
            g->top + (double)g->rows * g->ph / 2);
    esc(pg, ytitle);
    fputs("</text>\n", pg->f);
}

static void page_rounds(page *pg)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies;
    int last = ds_stats_last_round(pg->s);
    double ymax = 0, draws = (double)ds_stats_draws(pg->s);
    sbuf desc = {0};
    grid g;
    char id[16], b1[64];

    if (last < m->protocol.rounds)
        last = m->protocol.rounds;
    for (size_t k = 0; k < n; k++)
        for (int r = 1; r <= last; r++)
            ymax = fmax(ymax, 100.0 * (double)ds_stats_round_count(pg->s, k, r) / draws);
    sb_printf(&desc, "Percent of draws with a deal in each round, rounds 1 to %d, per "
                     "strategy:",
              last);
    for (size_t k = 0; k < n; k++) {
        sb_printf(&desc, " %s:", slabel(m, k));
        for (int r = 1; r <= last; r++)
            sb_printf(&desc, "%s%s", r > 1 ? ", " : " ",
                      num(b1, "%.2f", 100.0 * (double)ds_stats_round_count(pg->s, k, r) /
                                          draws));
        sb_printf(&desc, ";");
    }
    if (desc.nomem)
        pg->nomem = 1;
    fputs("<section id=\"rounds\">\n<h2>When deals are made</h2>\n", pg->f);
    figure_open(pg, "Deal round by strategy",
                "The percent of all draws whose deal came in each round; the rest "
                "have no deal. Bars right of the dashed deadline line (in the second "
                "colour) are deals in an extension of the deadline.",
                id);
    grid_init(&g, n, 130, 4);
    ds_svg_open(pg->f, id, W, grid_height(&g), "Deal round by strategy", sb_str(&desc), 0);
    for (size_t k = 0; k < n; k++) {
        ds_svg_plot p;
        grid_panel(&g, k, &p);
        ds_svg_ticks(0.5, last + 0.5, 5, &p.x);
        /* Whole rounds only: a step below 1 would label half rounds. */
        if (p.x.step < 1)
            ds_svg_ticks(0, last + 1 > 2 ? last + 1 : 2, last + 2 > 12 ? 12 : last + 2, &p.x);
        ds_svg_ticks(0, ymax, 4, &p.y);
        panel_title(pg, &p, slabel(m, k));
        ds_svg_xaxis(pg->f, &p, NULL);
        ds_svg_yaxis(pg->f, &p, NULL, NULL, 0);
        for (int r = 1; r <= last; r++) {
            uint64_t c = ds_stats_round_count(pg->s, k, r);
            char t[160];
            if (!c)
                continue;
            snprintf(t, sizeof t, "%s, round %d: %llu draws (%.2f%%)", slabel(m, k), r,
                     (unsigned long long)c, 100.0 * (double)c / draws);
            ds_svg_rect(pg->f, &p, r - 0.4, 0, r + 0.4, 100.0 * (double)c / draws,
                        r > m->protocol.rounds ? 1 : 0, t);
        }
        if (last > m->protocol.rounds)
            ds_svg_vline(pg->f, &p, m->protocol.rounds + 0.5, 1, "deadline");
        fputc('\n', pg->f);
    }
    grid_titles(pg, &g, "round of the deal", "% of draws");
    ds_svg_close(pg->f);
    numbers_open(pg);
    fputs("<tr><th>strategy</th>", pg->f);
    for (int r = 1; r <= last; r++)
        fprintf(pg->f, "<th>round %d</th>", r);
    fputs("<th>no deal</th></tr>\n", pg->f);
    for (size_t k = 0; k < n; k++) {
        uint64_t deals = 0;
        fputs("<tr>", pg->f);
        td_text(pg, slabel(m, k));
        for (int r = 1; r <= last; r++) {
            uint64_t c = ds_stats_round_count(pg->s, k, r);
            deals += c;
            fprintf(pg->f, "<td>%llu</td>", (unsigned long long)c);
        }
        fprintf(pg->f, "<td>%llu</td></tr>\n",
                (unsigned long long)(ds_stats_draws(pg->s) - deals));
    }
    numbers_close(pg);
    figure_close(pg);
    fputs("</section>\n", pg->f);
    sb_free(&desc);
}

/* ---- distributions ------------------------------------------------------ */

/* The plotting histograms of one quantity for every strategy. */
typedef struct hists {
    size_t *nb;           /* [n] bins, 0: none */
    double *edges;        /* [n][DS_STATS_HIST_BINS + 1] */
    uint64_t *counts;     /* [n][DS_STATS_HIST_BINS] */
} hists;

static int hists_get(page *pg, ds_quantity q, hists *h)
{
    size_t n = pg->m->n_strategies;
    h->nb = malloc(n * sizeof *h->nb);
    h->edges = malloc(n * (DS_STATS_HIST_BINS + 1) * sizeof *h->edges);
    h->counts = malloc(n * DS_STATS_HIST_BINS * sizeof *h->counts);
    if (!h->nb || !h->edges || !h->counts) {
        free(h->nb);
        free(h->edges);
        free(h->counts);
        pg->nomem = 1;
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        h->nb[k] = ds_stats_histogram(pg->s, k, q, h->edges + k * (DS_STATS_HIST_BINS + 1),
                                      h->counts + k * DS_STATS_HIST_BINS);
    return 0;
}

static void hists_free(hists *h)
{
    free(h->nb);
    free(h->edges);
    free(h->counts);
}

/* The 5%, 50% and 95% quantiles of quantity q of strategy k as lines
 * across plot p (the median solid), labelled at the top: quantiles on the
 * same pixel share one label ("5%=50%"), and a label too close to the one
 * before goes one line up, so that none overwrites another. */
#define QUANTILE_LABEL_PX 24.0
static void quantile_marks(page *pg, const ds_svg_plot *p, size_t k, ds_quantity q)
{
    static const double P[3] = {0.05, 0.50, 0.95};
    static const char *const PL[3] = {"5%", "50%", "95%"};
    double px[3], last[2] = {-1e9, -1e9};
    char label[32];

    for (int j = 0; j < 3; j++) {
        double v = quantile_of(pg, k, q, P[j]);
        px[j] = ds_svg_px(p, v);
        ds_svg_vline(pg->f, p, v, j != 1, NULL);
    }
    for (int j = 0; j < 3;) {
        int e = j + 1, level;
        double x;
        snprintf(label, sizeof label, "%s", PL[j]);
        while (e < 3 && fabs(px[e] - px[j]) < 1) {
            size_t l = strlen(label);
            snprintf(label + l, sizeof label - l, "=%s", PL[e]);
            e++;
        }
        x = px[j];
        level = x - last[0] < QUANTILE_LABEL_PX && x - last[1] >= QUANTILE_LABEL_PX;
        last[level] = x;
        ds_svg_text(pg->f, x, p->y0 - 2 - 9 * level, "middle", "small", label);
        j = e;
    }
}

/* One histogram chart: a panel per strategy on a shared x axis, bars in
 * percent of the draws counted (all draws, or the deals), and the 5%,
 * 50% and 95% quantiles marked. */
static void hist_figure(page *pg, ds_quantity q, const char *title, const char *caption,
                        const char *xtitle, const char *of)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies;
    double xmin = INFINITY, xmax = -INFINITY, ymax = 0;
    hists h;
    sbuf desc = {0};
    grid g;
    char id[16], b1[64], b2[64], b3[64], b4[64], ytitle[64];
    static const double P[3] = {0.05, 0.50, 0.95};

    if (hists_get(pg, q, &h) != 0)
        return;
    for (size_t k = 0; k < n; k++) {
        const double *e = h.edges + k * (DS_STATS_HIST_BINS + 1);
        const uint64_t *c = h.counts + k * DS_STATS_HIST_BINS;
        uint64_t tot = 0;
        if (!h.nb[k])
            continue;
        xmin = fmin(xmin, e[0]);
        xmax = fmax(xmax, e[h.nb[k]]);
        for (size_t b = 0; b < h.nb[k]; b++)
            tot += c[b];
        for (size_t b = 0; b < h.nb[k]; b++)
            ymax = fmax(ymax, 100.0 * (double)c[b] / (double)tot);
    }
    sb_printf(&desc, "%s per strategy: mean, 5%%, 50%% and 95%% quantiles (%s):", title,
              "bn/yr");
    for (size_t k = 0; k < n; k++)
        sb_printf(&desc, " %s %s, %s, %s, %s;", slabel(m, k),
                  num(b1, "%.2f", mean_of(pg, k, q)), num(b2, "%.2f", quantile_of(pg, k, q, P[0])),
                  num(b3, "%.2f", quantile_of(pg, k, q, P[1])),
                  num(b4, "%.2f", quantile_of(pg, k, q, P[2])));
    if (desc.nomem)
        pg->nomem = 1;
    figure_open(pg, title, caption, id);
    grid_init(&g, n, 140, 4);
    ds_svg_open(pg->f, id, W, grid_height(&g), title, sb_str(&desc), 0);
    for (size_t k = 0; k < n; k++) {
        const double *e = h.edges + k * (DS_STATS_HIST_BINS + 1);
        const uint64_t *c = h.counts + k * DS_STATS_HIST_BINS;
        uint64_t tot = 0;
        ds_svg_plot p;
        grid_panel(&g, k, &p);
        ds_svg_ticks(xmin, xmax, 4, &p.x);
        ds_svg_ticks(0, ymax, 4, &p.y);
        panel_title(pg, &p, slabel(m, k));
        ds_svg_xaxis(pg->f, &p, NULL);
        ds_svg_yaxis(pg->f, &p, NULL, NULL, 0);
        if (!h.nb[k]) {
            ds_svg_text(pg->f, p.x0 + p.w / 2, p.y0 + p.h / 2, "middle", NULL,
                        "no deal in any draw");
            continue;
        }
        for (size_t b = 0; b < h.nb[k]; b++)
            tot += c[b];
        for (size_t b = 0; b < h.nb[k]; b++) {
            char t[200];
            if (!c[b])
                continue;
            snprintf(t, sizeof t, "%s to %s bn/yr: %llu %s (%.2f%%)", num(b1, "%.4g", e[b]),
                     num(b2, "%.4g", e[b + 1]), (unsigned long long)c[b], of,
                     100.0 * (double)c[b] / (double)tot);
            ds_svg_rect(pg->f, &p, e[b], 0, e[b + 1], 100.0 * (double)c[b] / (double)tot, 0,
                        t);
        }
        quantile_marks(pg, &p, k, q);
        fputc('\n', pg->f);
    }
    snprintf(ytitle, sizeof ytitle, "%% of %s", of);
    grid_titles(pg, &g, xtitle, ytitle);
    ds_svg_close(pg->f);
    numbers_open(pg);
    fputs("<tr><th>strategy</th><th>mean</th><th>5%</th><th>50%</th><th>95%</th>"
          "<th>bins: from, to (bn/yr): count</th></tr>\n",
          pg->f);
    for (size_t k = 0; k < n; k++) {
        const double *e = h.edges + k * (DS_STATS_HIST_BINS + 1);
        const uint64_t *c = h.counts + k * DS_STATS_HIST_BINS;
        fputs("<tr>", pg->f);
        td_text(pg, slabel(m, k));
        td_num(pg, "%.3f", mean_of(pg, k, q));
        for (int j = 0; j < 3; j++)
            td_num(pg, "%.3f", quantile_of(pg, k, q, P[j]));
        fputs("<td class=\"t\">", pg->f);
        for (size_t b = 0; b < h.nb[k]; b++)
            fprintf(pg->f, "%s%s, %s: %llu", b ? "; " : "", num(b1, "%.6g", e[b]),
                    num(b2, "%.6g", e[b + 1]), (unsigned long long)c[b]);
        if (!h.nb[k])
            fputs("none", pg->f);
        fputs("</td></tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
    sb_free(&desc);
    hists_free(&h);
}

static void page_distributions(page *pg)
{
    const ds_model *m = pg->m;
    char cap[256];

    fputs("<section id=\"distributions\">\n<h2>Deficit and benefit</h2>\n", pg->f);
    hist_figure(pg, DS_Q_DEFICIT, "Deficit in year 1",
                "Distribution of the counterpart\xE2\x80\x99s deficit in the first year, over "
                "all draws (with and without a deal); lines at the 5%, 50% and 95% "
                "quantiles.",
                "deficit in year 1 (bn/yr)", "draws");
    if (m->horizon > 1) {
        snprintf(cap, sizeof cap,
                 "The same in year %d, the horizon\xE2\x80\x99s last, when pledges have "
                 "ramped up and trade has adjusted.",
                 m->horizon);
        hist_figure(pg, DS_Q_DEFICIT_END, "Deficit in the last year of the horizon", cap,
                    "deficit in the last year (bn/yr)", "draws");
    } else {
        fputs("<p class=\"note\">The horizon is one year: the deficit in its last year is "
              "the deficit in year 1.</p>\n",
              pg->f);
    }
    hist_figure(pg, DS_Q_BENEFIT, "Benefit",
                "Distribution of the benefit over all draws; a draw without a deal has "
                "benefit 0, so the bar at 0 holds the draws with no deal.",
                "benefit (bn/yr)", "draws");
    fputs("</section>\n", pg->f);
}

static void page_given_deal(page *pg)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies;
    double *v = malloc(n * sizeof *v);
    dot_series ser;
    sbuf desc = {0};
    char id[16], b1[64];

    fputs("<section id=\"given-deal\">\n<h2>When a deal is made</h2>\n", pg->f);
    hist_figure(pg, DS_Q_BENEFIT_GIVEN_DEAL, "Benefit given a deal",
                "Distribution of the benefit over the draws with a deal only: what the "
                "home side gains or loses when its offer is accepted.",
                "benefit given a deal (bn/yr)", "deals");
    if (!v) {
        pg->nomem = 1;
        fputs("</section>\n", pg->f);
        return;
    }
    sb_printf(&desc, "Share of the deals with a negative benefit, per strategy:");
    for (size_t k = 0; k < n; k++) {
        v[k] = ratio_of(pg, k, DS_C_LOSSES, DS_C_DEALS, 0);
        sb_printf(&desc, " %s %s;", slabel(m, k), num(b1, "%.3f", v[k]));
    }
    if (desc.nomem)
        pg->nomem = 1;
    ser.label = "share of deals that lose money";
    ser.v = v;
    ser.lo = ser.hi = NULL;
    ser.s = 1;
    ser.hollow = 0;
    figure_open(pg, "Deals that lose money",
                "The share of the deals in which the home side\xE2\x80\x99s benefit is "
                "negative (n/a: no deal in any draw).",
                id);
    dot_chart(pg, id, "Share of deals that lose money", sb_str(&desc),
              "P(benefit < 0 | deal) (fraction of deals)", 1, &ser, 0, 0);
    numbers_open(pg);
    fputs("<tr><th>strategy</th><th>P(loss | deal)</th><th>deals</th></tr>\n", pg->f);
    for (size_t k = 0; k < n; k++) {
        fputs("<tr>", pg->f);
        td_text(pg, slabel(m, k));
        td_num(pg, "%.4f", v[k]);
        td_num(pg, "%.0f", share_of(pg, k, DS_C_DEALS, 0) * (double)ds_stats_draws(pg->s));
        fputs("</tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
    fputs("</section>\n", pg->f);
    sb_free(&desc);
    free(v);
}

/* ---- approvals, retaliation -------------------------------------------- */

static void page_approvals(page *pg)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies, na = m->n_actors;
    double *v = malloc(n * na * sizeof *v);
    const char **rl = malloc(n * sizeof *rl), **cl = malloc(na * sizeof *cl);
    sbuf desc = {0};
    char id[16], b1[64];

    fputs("<section id=\"approvals\">\n<h2>Who approves</h2>\n", pg->f);
    if (!v || !rl || !cl) {
        pg->nomem = 1;
        goto done;
    }
    sb_printf(&desc, "Approvals per evaluation, by strategy (rows) and actor (columns):");
    for (size_t k = 0; k < n; k++) {
        rl[k] = slabel(m, k);
        sb_printf(&desc, " %s:", rl[k]);
        for (size_t a = 0; a < na; a++) {
            v[k * na + a] = ratio_of(pg, k, DS_C_APPROVALS, DS_C_EVALUATIONS, a);
            sb_printf(&desc, " %s %s", alabel(m, a), num(b1, "%.2f", v[k * na + a]));
        }
        sb_printf(&desc, ";");
    }
    for (size_t a = 0; a < na; a++)
        cl[a] = alabel(m, a);
    if (desc.nomem)
        pg->nomem = 1;
    figure_open(pg, "Approval rate by actor and strategy",
                "Each cell is the actor\xE2\x80\x99s approvals divided by its evaluations of "
                "the strategy\xE2\x80\x99s offers (darker: more approvals; n/a: never "
                "evaluated).",
                id);
    ds_svg_heatmap(pg->f, id, "Approval rate by actor and strategy", sb_str(&desc), n, rl, na,
                   cl, v, 0, 1, "%.2f");
    numbers_open(pg);
    fputs("<tr><th>strategy</th>", pg->f);
    for (size_t a = 0; a < na; a++)
        th_text(pg, cl[a]);
    fputs("</tr>\n", pg->f);
    for (size_t k = 0; k < n; k++) {
        fputs("<tr>", pg->f);
        td_text(pg, rl[k]);
        for (size_t a = 0; a < na; a++)
            td_num(pg, "%.4f", v[k * na + a]);
        fputs("</tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
done:
    fputs("</section>\n", pg->f);
    sb_free(&desc);
    free(v);
    free(rl);
    free(cl);
}

/* Third parties drawn in one retaliation chart: two series each (all
 * draws, given a deal) must stay within the legend's 8 entries. */
#define MAX_RETALIATION_PARTIES 4

static void page_retaliation(page *pg)
{
    const ds_model *m = pg->m;
    size_t n = m->n_strategies, nq = m->n_third;
    size_t shown_q = nq < MAX_RETALIATION_PARTIES ? nq : MAX_RETALIATION_PARTIES;
    double *v;
    dot_series ser[2 * MAX_RETALIATION_PARTIES];
    char names[2 * MAX_RETALIATION_PARTIES][128];
    sbuf desc = {0};
    char id[16], b1[64], b2[64];

    fputs("<section id=\"retaliation\">\n<h2>Retaliation</h2>\n", pg->f);
    if (!nq) {
        fputs("<p class=\"note\">The scenario has no third parties.</p>\n</section>\n", pg->f);
        return;
    }
    if (!(v = malloc(2 * nq * n * sizeof *v))) {
        pg->nomem = 1;
        fputs("</section>\n", pg->f);
        return;
    }
    sb_printf(&desc, "Probability of retaliation per strategy, over all draws and given a "
                     "deal:");
    for (size_t q = 0; q < nq; q++)
        for (size_t k = 0; k < n; k++) {
            v[(2 * q) * n + k] = share_of(pg, k, DS_C_RETALIATIONS, q);
            v[(2 * q + 1) * n + k] = ratio_of(pg, k, DS_C_RETALIATIONS, DS_C_DEALS, q);
            sb_printf(&desc, " %s by %s %s (given a deal %s);", slabel(m, k), qlabel(m, q),
                      num(b1, "%.3f", v[(2 * q) * n + k]),
                      num(b2, "%.3f", v[(2 * q + 1) * n + k]));
        }
    if (desc.nomem)
        pg->nomem = 1;
    for (size_t q = 0; q < shown_q; q++) {
        snprintf(names[2 * q], sizeof names[0], "%s, all draws", qlabel(m, q));
        snprintf(names[2 * q + 1], sizeof names[0], "%s, given a deal", qlabel(m, q));
        for (int g = 0; g < 2; g++) {
            dot_series *d = &ser[2 * q + (size_t)g];
            d->label = names[2 * q + (size_t)g];
            d->v = v + (2 * q + (size_t)g) * n;
            d->lo = d->hi = NULL;
            d->s = (int)(2 * q) + g;
            d->hollow = g;
        }
    }
    figure_open(pg, "Retaliation by strategy",
                nq > shown_q ? "The probability that each third party retaliates, over all "
                               "draws (filled) and over the draws with a deal (open); the "
                               "chart shows the first four parties, the table all of them."
                             : "The probability that each third party retaliates, over all "
                               "draws (filled) and over the draws with a deal (open).",
                id);
    dot_chart(pg, id, "Retaliation by strategy", sb_str(&desc), "P(retaliation) (fraction)",
              2 * shown_q, ser, 0, 0);
    numbers_open(pg);
    fputs("<tr><th>strategy</th>", pg->f);
    for (size_t q = 0; q < nq; q++) {
        char h[160];
        snprintf(h, sizeof h, "%s: P(retaliation)", qlabel(m, q));
        th_text(pg, h);
        snprintf(h, sizeof h, "%s: given a deal", qlabel(m, q));
        th_text(pg, h);
    }
    fputs("</tr>\n", pg->f);
    for (size_t k = 0; k < n; k++) {
        fputs("<tr>", pg->f);
        td_text(pg, slabel(m, k));
        for (size_t q = 0; q < nq; q++) {
            td_num(pg, "%.4f", v[(2 * q) * n + k]);
            td_num(pg, "%.4f", v[(2 * q + 1) * n + k]);
        }
        fputs("</tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
    fputs("</section>\n", pg->f);
    sb_free(&desc);
    free(v);
}

/* ---- tornadoes ---------------------------------------------------------- */

static void page_tornadoes(page *pg)
{
    const ds_model *m = pg->m;
    const ds_report_page *in = pg->in;

    fputs("<section id=\"drivers\">\n<h2>What drives each outcome</h2>\n", pg->f);
    if (!in->n_tornado) {
        fputs("<p class=\"note\">", pg->f);
        esc(pg, in->no_tornado ? in->no_tornado
                               : "The drivers of the outcomes were not computed for this "
                                 "report.");
        fputs("</p>\n</section>\n", pg->f);
        return;
    }
    fputs("<p class=\"note\">For each strategy, the uncertain inputs that move P(deal) and "
          "the benefit most: each bar runs from the outcome\xE2\x80\x99s mean over all draws "
          "to its mean over the draws in which the input was in its lowest tenth "
          "(\xE2\x88\x92) and in its highest tenth (+).</p>\n",
          pg->f);
    for (size_t t = 0; t < in->n_tornado; t++) {
        const ds_report_tornado *tn = &in->tornado[t];
        int deal = strcmp(tn->outcome, "deal") == 0;
        char title[300], xt[128], id[16], b1[64], b2[64], b3[64];
        sbuf desc = {0};
        snprintf(title, sizeof title, "What drives %s: %s", deal ? "P(deal)" : "the benefit",
                 slabel(m, tn->strategy));
        snprintf(xt, sizeof xt, "%s (%s)", deal ? "P(deal)" : "benefit", tn->unit);
        sb_printf(&desc, "%s; mean %s; inputs by swing, low and high:", title,
                  num(b1, "%.4g", tn->mean));
        for (size_t i = 0; i < tn->n; i++)
            sb_printf(&desc, " %s %s, %s;", tn->input[i], num(b2, "%.4g", tn->low[i]),
                      num(b3, "%.4g", tn->high[i]));
        if (desc.nomem)
            pg->nomem = 1;
        figure_open(pg, title, "", id);
        ds_svg_tornado(pg->f, id, title, sb_str(&desc), xt, tn->n, tn->input, tn->low,
                       tn->high, tn->mean);
        numbers_open(pg);
        fputs("<tr><th>input</th><th>low</th><th>high</th><th>swing</th></tr>\n", pg->f);
        for (size_t i = 0; i < tn->n; i++) {
            fputs("<tr>", pg->f);
            td_text(pg, tn->input[i]);
            td_num(pg, "%.4g", tn->low[i]);
            td_num(pg, "%.4g", tn->high[i]);
            td_num(pg, "%.4g", tn->high[i] - tn->low[i]);
            fputs("</tr>\n", pg->f);
        }
        numbers_close(pg);
        figure_close(pg);
        sb_free(&desc);
    }
    fputs("</section>\n", pg->f);
}

/* ---- sweep -------------------------------------------------------------- */

/* The metrics of a sweep chart: the summary columns with a standard error
 * (output.h), in CSV order: p_deal, deficit_mean, benefit_mean. */
typedef struct metric {
    const ds_column *c;
    long col, se;        /* their columns in the file */
} metric;

#define MAX_METRICS 8

static size_t sweep_metrics(const ds_csv *c, metric *out)
{
    size_t nc, n = 0;
    const ds_column *cols = ds_output_columns(&nc);
    for (size_t j = 0; j < nc && n < MAX_METRICS; j++)
        if (cols[j].se && cols[j].each == DS_COL_ONE) {
            out[n].c = &cols[j];
            out[n].col = c ? ds_csv_find(c, cols[j].name) : -1;
            out[n].se = c ? ds_csv_find(c, cols[j].se) : -1;
            n++;
        }
    return n;
}

static int csv_fail(ds_error *err, const ds_csv *c, size_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int csv_fail(ds_error *err, const ds_csv *c, size_t line, const char *fmt, ...)
{
    char msg[DS_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ds_error_set(err, DS_EINVAL, "%s:%zu: error: %s", ds_csv_file(c), line, msg);
}

/* A cell that must be a finite number: 0 and *x, or the error. */
static int cell_number(const ds_csv *c, size_t i, size_t j, double *x, ds_error *err)
{
    const char *s = ds_csv_cell(c, i, j);
    if (!ds_csv_parse_double(s, x) || !isfinite(*x))
        return csv_fail(err, c, ds_csv_line(c, i), "column '%s': '%s' is not a number",
                        ds_csv_name(c, j), s);
    return DS_OK;
}

int ds_report_sweep_check(const ds_csv *c, ds_error *err)
{
    metric mt[MAX_METRICS];
    size_t nm = sweep_metrics(c, mt);
    long strat = ds_csv_find(c, "strategy");
    size_t hl = ds_csv_header_line(c);

    if (ds_csv_cols(c) == 0 || strcmp(ds_csv_name(c, 0), "point") != 0)
        return csv_fail(err, c, hl,
                        "the first column must be 'point' (a CSV written by `dealsim sweep`)");
    if (strat < 0)
        return csv_fail(err, c, hl, "no column 'strategy'");
    if (strat < 2)
        return csv_fail(err, c, hl, "no varied path between 'point' and 'strategy'");
    for (size_t j = 0; j < nm; j++) {
        if (mt[j].col < 0)
            return csv_fail(err, c, hl, "no column '%s'", mt[j].c->name);
        if (mt[j].se < 0)
            return csv_fail(err, c, hl, "no column '%s'", mt[j].c->se);
    }
    if (ds_csv_rows(c) == 0)
        return csv_fail(err, c, hl, "no rows");
    for (size_t i = 0; i < ds_csv_rows(c); i++) {
        double x;
        if (cell_number(c, i, 0, &x, err) != DS_OK)
            return DS_EINVAL;
        if (!*ds_csv_cell(c, i, (size_t)strat))
            return csv_fail(err, c, ds_csv_line(c, i), "column 'strategy' is empty");
        for (size_t j = 0; j < nm; j++) {
            if (cell_number(c, i, (size_t)mt[j].col, &x, err) != DS_OK ||
                cell_number(c, i, (size_t)mt[j].se, &x, err) != DS_OK)
                return DS_EINVAL;
            if (x < 0)
                return csv_fail(err, c, ds_csv_line(c, i), "column '%s': %s is negative",
                                mt[j].c->se, ds_csv_cell(c, i, (size_t)mt[j].se));
        }
    }
    return DS_OK;
}

/* A sweep file, read for drawing. */
typedef struct sweep {
    const ds_csv *c;
    size_t rows, np;        /* rows; varied paths (columns 1..np) */
    size_t ns;              /* strategies, in order of first appearance */
    size_t *first;          /* [ns] the first row of each */
    size_t *strat;          /* [rows] each row's strategy */
    double *x;              /* [rows * np] path values; NaN: not a number */
    int *numeric;           /* [np] 1 if every value of the path is a number */
    double *vals;           /* [np][rows] distinct values of each path, sorted */
    size_t *nv;             /* [np] how many */
    long label;             /* the `label` column, or -1 */
} sweep;

static void sweep_free(sweep *w)
{
    free(w->first);
    free(w->strat);
    free(w->x);
    free(w->numeric);
    free(w->vals);
    free(w->nv);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int sweep_read(const ds_csv *c, sweep *w)
{
    size_t strat_col = (size_t)ds_csv_find(c, "strategy");
    memset(w, 0, sizeof *w);
    w->c = c;
    w->rows = ds_csv_rows(c);
    w->np = strat_col - 1;
    w->label = ds_csv_find(c, "label");
    w->first = malloc(w->rows * sizeof *w->first);
    w->strat = malloc(w->rows * sizeof *w->strat);
    w->x = malloc(w->rows * w->np * sizeof *w->x);
    w->numeric = malloc(w->np * sizeof *w->numeric);
    w->vals = malloc(w->rows * w->np * sizeof *w->vals);
    w->nv = malloc(w->np * sizeof *w->nv);
    if (!w->first || !w->strat || !w->x || !w->numeric || !w->vals || !w->nv) {
        sweep_free(w);
        return DS_ENOMEM;
    }
    for (size_t i = 0; i < w->rows; i++) {
        const char *id = ds_csv_cell(c, i, strat_col);
        size_t k;
        for (k = 0; k < w->ns; k++)
            if (strcmp(ds_csv_cell(c, w->first[k], strat_col), id) == 0)
                break;
        if (k == w->ns)
            w->first[w->ns++] = i;
        w->strat[i] = k;
    }
    for (size_t p = 0; p < w->np; p++) {
        double *v = w->vals + p * w->rows;
        size_t n = 0;
        w->numeric[p] = 1;
        for (size_t i = 0; i < w->rows; i++) {
            double x;
            if (!ds_csv_parse_double(ds_csv_cell(c, i, 1 + p), &x) || !isfinite(x)) {
                x = NAN;
                w->numeric[p] = 0;
            }
            w->x[i * w->np + p] = x;
            v[i] = x;
        }
        if (w->numeric[p]) {
            qsort(v, w->rows, sizeof *v, cmp_double);
            for (size_t i = 0; i < w->rows; i++)
                if (n == 0 || v[i] != v[n - 1])
                    v[n++] = v[i];
        }
        w->nv[p] = n;
    }
    return DS_OK;
}

static const char *sweep_label(const sweep *w, size_t k)
{
    const char *s = w->label >= 0 ? ds_csv_cell(w->c, w->first[k], (size_t)w->label) : "";
    return *s ? s : ds_csv_cell(w->c, w->first[k], (size_t)ds_csv_find(w->c, "strategy"));
}

static size_t value_index(const sweep *w, size_t p, double x)
{
    const double *v = w->vals + p * w->rows;
    size_t lo = 0, hi = w->nv[p];
    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/*
 * The grid index of a sweep on paths p (and q, when q < np): row of
 * (strategy, value i of p, value j of q) at idx[(s * nvp + i) * nvq + j],
 * or SIZE_MAX.  Returns 1 when every cell holds exactly one row (a full
 * grid: lines can be drawn), 0 when not, -1 on no memory.
 */
static int sweep_grid(const sweep *w, size_t p, size_t q, size_t **idx)
{
    size_t nvp = w->nv[p], nvq = q < w->np ? w->nv[q] : 1, cells = w->ns * nvp * nvq;
    int full = w->rows == cells;
    *idx = NULL;
    if (!full)
        return 0;
    if (!(*idx = malloc(cells * sizeof **idx)))
        return -1;
    for (size_t i = 0; i < cells; i++)
        (*idx)[i] = SIZE_MAX;
    for (size_t r = 0; r < w->rows && full; r++) {
        size_t i = value_index(w, p, w->x[r * w->np + p]);
        size_t j = q < w->np ? value_index(w, q, w->x[r * w->np + q]) : 0;
        size_t *cell = &(*idx)[(w->strat[r] * nvp + i) * nvq + j];
        if (*cell != SIZE_MAX)
            full = 0;
        *cell = r;
    }
    if (!full) {
        free(*idx);
        *idx = NULL;
    }
    return full;
}

/* The number in cell (r, col) of c (checked before), NaN if none. */
static double cell_value(const ds_csv *c, size_t r, long col)
{
    double x = NAN;
    ds_csv_parse_double(ds_csv_cell(c, r, (size_t)col), &x);
    return x;
}

static double sweep_value(const sweep *w, size_t r, long col)
{
    return cell_value(w->c, r, col);
}

/* The ends of the band of value v with standard error se: +-BAND_SE se,
 * within [0, 1] for a probability. */
static double band_lo(const metric *mt, double v, double se)
{
    double lo = v - BAND_SE * se;
    return strcmp(mt->c->unit, "fraction") == 0 && lo < 0 ? 0 : lo;
}

static double band_hi(const metric *mt, double v, double se)
{
    double hi = v + BAND_SE * se;
    return strcmp(mt->c->unit, "fraction") == 0 && hi > 1 ? 1 : hi;
}

/* One chart: metric mt against path p, one line (or, off a grid, points
 * with +-2 SE whiskers) per strategy, +-2 SE bands; with path q of a
 * two-path grid, a panel per value of q. */
static void sweep_chart(page *pg, const sweep *w, const metric *mt, size_t p, size_t q,
                        const size_t *idx)
{
    size_t nvp = w->nv[p], panels = idx && q < w->np ? w->nv[q] : 1;
    size_t nvq = q < w->np ? w->nv[q] : 1;
    double ymin = INFINITY, ymax = -INFINITY, *x = NULL, *y = NULL, *lo = NULL, *hi = NULL;
    const char **labels = NULL;
    int *series = NULL;
    char id[16], title[400], ytitle[200], b1[64], b2[64], b3[64];
    sbuf desc = {0};
    grid g;
    double legend_h, height;

    for (size_t r = 0; r < w->rows; r++) {
        double v = sweep_value(w, r, mt->col), se = sweep_value(w, r, mt->se);
        ymin = fmin(ymin, band_lo(mt, v, se));
        ymax = fmax(ymax, band_hi(mt, v, se));
    }
    x = malloc(nvp * sizeof *x);
    y = malloc(nvp * sizeof *y);
    lo = malloc(nvp * sizeof *lo);
    hi = malloc(nvp * sizeof *hi);
    labels = malloc(w->ns * sizeof *labels);
    series = malloc(w->ns * sizeof *series);
    if (!x || !y || !lo || !hi || !labels || !series) {
        pg->nomem = 1;
        goto done;
    }
    for (size_t k = 0; k < w->ns; k++) {
        labels[k] = sweep_label(w, k);
        series[k] = (int)k;
    }
    snprintf(title, sizeof title, "%s against %s", mt->c->name, ds_csv_name(w->c, 1 + p));
    snprintf(ytitle, sizeof ytitle, "%s (%s)", mt->c->name, mt->c->unit);
    sb_printf(&desc, "%s, %s, per strategy, with +-2 standard errors", title, mt->c->doc);
    if (panels > 1)
        sb_printf(&desc, ", one panel per value of %s", ds_csv_name(w->c, 1 + q));
    sb_printf(&desc, ":");
    for (size_t r = 0; r < w->rows; r++) {
        sb_printf(&desc, " %s at %s = %s", labels[w->strat[r]], ds_csv_name(w->c, 1 + p),
                  ds_csv_cell(w->c, r, 1 + p));
        if (panels > 1)
            sb_printf(&desc, ", %s = %s", ds_csv_name(w->c, 1 + q), ds_csv_cell(w->c, r, 1 + q));
        sb_printf(&desc, ": %s +- %s;", num(b1, "%.4g", sweep_value(w, r, mt->col)),
                  num(b2, "%.3g", BAND_SE * sweep_value(w, r, mt->se)));
    }
    if (desc.nomem)
        pg->nomem = 1;
    figure_open(pg, title, mt->c->doc, id);
    if (panels > 1) {
        grid_init(&g, panels, 170, 4);
    } else {
        grid_init(&g, 1, 300, 4);
    }
    legend_h = 16.0 * (double)ds_svg_legend_rows(W - 60, w->ns, labels);
    height = grid_height(&g) + legend_h + 8;
    ds_svg_open(pg->f, id, W, height, title, sb_str(&desc), 0);
    for (size_t j = 0; j < panels; j++) {
        ds_svg_plot pl;
        grid_panel(&g, j, &pl);
        if (panels == 1) {
            pl.x0 = 70;
            pl.w = W - 70 - RIGHT;
            pl.y0 = g.top + 10;
            pl.h = g.ph - 10 - PANEL_BOTTOM;
        }
        ds_svg_ticks(w->vals[p * w->rows], w->vals[p * w->rows + nvp - 1], panels > 1 ? 4 : 7,
                     &pl.x);
        ds_svg_ticks(ymin, ymax, panels > 1 ? 4 : 6, &pl.y);
        if (panels > 1) {
            char pt[300];
            snprintf(pt, sizeof pt, "%s = %s", ds_csv_name(w->c, 1 + q),
                     num(b3, "%.6g", w->vals[q * w->rows + j]));
            panel_title(pg, &pl, pt);
        }
        ds_svg_xaxis(pg->f, &pl, NULL);
        ds_svg_yaxis(pg->f, &pl, NULL, NULL, 0);
        for (size_t k = 0; k < w->ns; k++) {
            if (idx) {
                for (size_t i = 0; i < nvp; i++) {
                    size_t r = idx[(k * nvp + i) * nvq + j];
                    double v = sweep_value(w, r, mt->col), se = sweep_value(w, r, mt->se);
                    x[i] = w->vals[p * w->rows + i];
                    y[i] = v;
                    lo[i] = band_lo(mt, v, se);
                    hi[i] = band_hi(mt, v, se);
                }
                ds_svg_band(pg->f, &pl, nvp, x, lo, hi, (int)k);
                ds_svg_line(pg->f, &pl, nvp, x, y, (int)k, nvp <= MAX_MARKED);
            } else {
                /* Off a grid: every point of the strategy, with whiskers. */
                for (size_t r = 0; r < w->rows; r++) {
                    double v, se, px, py;
                    if (w->strat[r] != k)
                        continue;
                    v = sweep_value(w, r, mt->col);
                    se = sweep_value(w, r, mt->se);
                    px = ds_svg_px(&pl, w->x[r * w->np + p]);
                    py = ds_svg_py(&pl, v);
                    fprintf(pg->f, "<path class=\"wh s%d\" d=\"M%.1f %.1fV%.1f\"/>",
                            (int)(k % DS_SVG_COLOURS), px, ds_svg_py(&pl, band_lo(mt, v, se)),
                            ds_svg_py(&pl, band_hi(mt, v, se)));
                    ds_svg_marker(pg->f, px, py, 3.5, (int)k, 0, NULL);
                }
                fputc('\n', pg->f);
            }
        }
    }
    {
        double ty = g.top + (double)g.rows * g.ph + 16;
        char xt[300];
        snprintf(xt, sizeof xt, "%s", ds_csv_name(w->c, 1 + p));
        ds_svg_text(pg->f, W / 2, ty, "middle", "at", xt);
        fprintf(pg->f, "<text class=\"at\" text-anchor=\"middle\" "
                       "transform=\"translate(11 %.1f) rotate(-90)\">",
                g.top + (double)g.rows * g.ph / 2);
        esc(pg, ytitle);
        fputs("</text>\n", pg->f);
        ds_svg_legend(pg->f, 50, ty + 10, W - 60, w->ns, series, NULL, labels);
    }
    ds_svg_close(pg->f);
    figure_close(pg);
done:
    sb_free(&desc);
    free(x);
    free(y);
    free(lo);
    free(hi);
    free(labels);
    free(series);
}

static void page_sweep(page *pg)
{
    const ds_csv *c = pg->in->sweep;
    metric mt[MAX_METRICS];
    size_t nm;
    sweep w;
    int numeric = 0;

    if (!c)
        return;
    nm = sweep_metrics(c, mt);
    fputs("<section id=\"sweep\">\n<h2>Response to the varied inputs</h2>\n"
          "<p class=\"note\">From the sweep file <code>",
          pg->f);
    esc(pg, ds_csv_file(c));
    fputs("</code>: each metric against each varied path, one line per strategy, with a band "
          "of \xC2\xB1 2 standard errors. Every point was run on the same draws unless the "
          "sweep varied the seed.</p>\n",
          pg->f);
    if (sweep_read(c, &w) != DS_OK) {
        pg->nomem = 1;
        fputs("</section>\n", pg->f);
        return;
    }
    for (size_t p = 0; p < w.np; p++) {
        if (!w.numeric[p]) {
            fputs("<p class=\"note\">Not drawn: <code>", pg->f);
            esc(pg, ds_csv_name(c, 1 + p));
            fputs("</code>, whose values are not all numbers.</p>\n", pg->f);
        }
        numeric += w.numeric[p];
    }
    for (size_t j = 0; j < nm; j++)
        for (size_t p = 0; p < w.np; p++) {
            size_t q = w.np, *idx = NULL;
            int grid_ok;
            if (!w.numeric[p])
                continue;
            /* Two numeric paths: the other one gives the panels. */
            if (numeric == 2 && w.np == 2)
                q = 1 - p;
            else if (numeric > 1)
                q = SIZE_MAX; /* off a grid: points */
            if (q == SIZE_MAX) {
                grid_ok = 0;
                q = w.np;
            } else {
                grid_ok = sweep_grid(&w, p, q, &idx);
                if (grid_ok < 0) {
                    pg->nomem = 1;
                    continue;
                }
                if (grid_ok && q < w.np && w.nv[q] > DS_REPORT_MAX_PANELS) {
                    free(idx);
                    idx = NULL;
                    grid_ok = 0;
                }
            }
            sweep_chart(pg, &w, &mt[j], p, grid_ok ? q : w.np, idx);
            free(idx);
        }
    /* All the numbers, once. */
    fputs("<details><summary>Numbers</summary>\n<div class=\"wide\"><table><tr>", pg->f);
    th_text(pg, "point");
    for (size_t p = 0; p < w.np; p++)
        th_text(pg, ds_csv_name(c, 1 + p));
    th_text(pg, "strategy");
    for (size_t j = 0; j < nm; j++) {
        th_text(pg, mt[j].c->name);
        th_text(pg, mt[j].c->se);
    }
    fputs("</tr>\n", pg->f);
    for (size_t r = 0; r < w.rows; r++) {
        fputs("<tr>", pg->f);
        for (size_t p = 0; p <= w.np; p++)
            td_text(pg, ds_csv_cell(c, r, p));
        td_text(pg, sweep_label(&w, w.strat[r]));
        for (size_t j = 0; j < nm; j++) {
            td_text(pg, ds_csv_cell(c, r, (size_t)mt[j].col));
            td_text(pg, ds_csv_cell(c, r, (size_t)mt[j].se));
        }
        fputs("</tr>\n", pg->f);
    }
    fputs("</table></div></details>\n</section>\n", pg->f);
    sweep_free(&w);
}

/* ---- optimize ----------------------------------------------------------- */

/* A 0/1 (false/true) cell: 0 or 1, else -1. */
static int flag_cell(const char *s)
{
    if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0)
        return 1;
    if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0)
        return 0;
    return -1;
}

/* The columns an optimize file needs, by name (SPEC §12). */
static const char *const OPT_COLS[] = {"candidate", "p_deal", "benefit_mean", "feasible",
                                       "front"};
enum { O_CAND, O_PDEAL, O_BENEFIT, O_FEAS, O_FRONT, O_N };

int ds_report_optimize_check(const ds_csv *c, ds_error *err)
{
    long col[O_N];
    size_t hl = ds_csv_header_line(c);

    for (int j = 0; j < O_N; j++)
        if ((col[j] = ds_csv_find(c, OPT_COLS[j])) < 0)
            return csv_fail(err, c, hl,
                            "no column '%s' (a CSV written by `dealsim optimize` has "
                            "candidate, p_deal, benefit_mean, feasible and front)",
                            OPT_COLS[j]);
    if (ds_csv_rows(c) == 0)
        return csv_fail(err, c, hl, "no rows");
    for (size_t i = 0; i < ds_csv_rows(c); i++) {
        size_t line = ds_csv_line(c, i);
        double x;
        int fe, fr;
        if (cell_number(c, i, (size_t)col[O_CAND], &x, err) != DS_OK)
            return DS_EINVAL;
        if (x < 1 || x != floor(x))
            return csv_fail(err, c, line, "column 'candidate': '%s' is not a positive integer",
                            ds_csv_cell(c, i, (size_t)col[O_CAND]));
        if (cell_number(c, i, (size_t)col[O_PDEAL], &x, err) != DS_OK)
            return DS_EINVAL;
        if (x < 0 || x > 1)
            return csv_fail(err, c, line, "column 'p_deal': %s is not in [0, 1]",
                            ds_csv_cell(c, i, (size_t)col[O_PDEAL]));
        if (cell_number(c, i, (size_t)col[O_BENEFIT], &x, err) != DS_OK)
            return DS_EINVAL;
        fe = flag_cell(ds_csv_cell(c, i, (size_t)col[O_FEAS]));
        fr = flag_cell(ds_csv_cell(c, i, (size_t)col[O_FRONT]));
        if (fe < 0)
            return csv_fail(err, c, line, "column 'feasible': '%s' is not 0 or 1",
                            ds_csv_cell(c, i, (size_t)col[O_FEAS]));
        if (fr < 0)
            return csv_fail(err, c, line, "column 'front': '%s' is not 0 or 1",
                            ds_csv_cell(c, i, (size_t)col[O_FRONT]));
        if (fr && !fe)
            return csv_fail(err, c, line, "a candidate on the front must be feasible");
    }
    return DS_OK;
}

typedef struct cand {
    size_t row;
    double p, b;
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->p != y->p)
        return (x->p > y->p) - (x->p < y->p);
    if (x->b != y->b)
        return (x->b < y->b) - (x->b > y->b);
    return (x->row > y->row) - (x->row < y->row);
}

static void page_optimize(page *pg)
{
    const ds_csv *c = pg->in->optimize;
    long col[O_N];
    size_t rows, n_front = 0, n_feas = 0, drawn = 0, nitems;
    cand *front = NULL;
    double pmin = INFINITY, pmax = -INFINITY, bmin = INFINITY, bmax = -INFINITY;
    ds_svg_plot p;
    sbuf desc = {0};
    char id[16], b1[64], b2[64];
    static const char *const legend[3] = {"on the Pareto front (#: candidate)",
                                          "feasible, not on the front", "infeasible"};
    static const int legend_s[3] = {1, 0, 6}, legend_h[3] = {0, 1, 0};

    if (!c)
        return;
    for (int j = 0; j < O_N; j++)
        col[j] = ds_csv_find(c, OPT_COLS[j]);
    rows = ds_csv_rows(c);
    nitems = col[O_FEAS] > col[O_CAND] ? (size_t)(col[O_FEAS] - col[O_CAND] - 1) : 0;
    if (!(front = malloc(rows * sizeof *front))) {
        pg->nomem = 1;
        return;
    }
    for (size_t i = 0; i < rows; i++) {
        double pd = cell_value(c, i, col[O_PDEAL]);
        double bm = cell_value(c, i, col[O_BENEFIT]);
        int fr = flag_cell(ds_csv_cell(c, i, (size_t)col[O_FRONT]));
        n_feas += flag_cell(ds_csv_cell(c, i, (size_t)col[O_FEAS])) == 1;
        if (fr == 1) {
            front[n_front].row = i;
            front[n_front].p = pd;
            front[n_front].b = bm;
            n_front++;
        }
        if (i < DS_REPORT_MAX_CANDIDATES || fr == 1) {
            pmin = fmin(pmin, pd), pmax = fmax(pmax, pd);
            bmin = fmin(bmin, bm), bmax = fmax(bmax, bm);
        }
    }
    qsort(front, n_front, sizeof *front, cmp_cand);
    fputs("<section id=\"optimize\">\n<h2>Best packages</h2>\n<p class=\"note\">From the "
          "optimize file <code>",
          pg->f);
    esc(pg, ds_csv_file(c));
    fprintf(pg->f, "</code>: %zu candidates, %zu feasible, %zu on the Pareto front.%s</p>\n",
            rows, n_feas, n_front,
            rows > DS_REPORT_MAX_CANDIDATES ? " The chart shows the best candidates by the "
                                              "file's objective and the whole front."
                                            : "");
    sb_printf(&desc, "Candidates on P(deal) and mean benefit; the Pareto front (candidate, "
                     "P(deal), benefit):");
    for (size_t i = 0; i < n_front; i++)
        sb_printf(&desc, " #%s %s, %s;", ds_csv_cell(c, front[i].row, (size_t)col[O_CAND]),
                  num(b1, "%.3f", front[i].p), num(b2, "%.3f", front[i].b));
    if (desc.nomem)
        pg->nomem = 1;
    figure_open(pg, "Candidates and the Pareto front",
                "Each point is a package offered in every round; the front joins the "
                "feasible packages that no other feasible package beats on both P(deal) "
                "and the mean benefit.",
                id);
    memset(&p, 0, sizeof p);
    p.x0 = 70;
    p.y0 = 10;
    p.w = W - 70 - RIGHT;
    p.h = 340;
    ds_svg_ticks(pmin, pmax, 7, &p.x);
    ds_svg_ticks(bmin, bmax, 6, &p.y);
    ds_svg_open(pg->f, id, W, p.y0 + p.h + AXIS_BELOW + 24, "Candidates and the Pareto front",
                sb_str(&desc), 0);
    ds_svg_xaxis(pg->f, &p, "P(deal) (fraction of draws)");
    ds_svg_yaxis(pg->f, &p, "mean benefit (bn/yr)", NULL, 0);
    for (size_t i = 0; i < rows && i < DS_REPORT_MAX_CANDIDATES; i++) {
        double pd = cell_value(c, i, col[O_PDEAL]);
        double bm = cell_value(c, i, col[O_BENEFIT]);
        int fe = flag_cell(ds_csv_cell(c, i, (size_t)col[O_FEAS]));
        if (flag_cell(ds_csv_cell(c, i, (size_t)col[O_FRONT])) == 1)
            continue;
        ds_svg_marker(pg->f, ds_svg_px(&p, pd), ds_svg_py(&p, bm), 3, fe ? 0 : 6, fe == 1,
                      NULL);
        drawn++;
    }
    fputc('\n', pg->f);
    if (n_front) {
        double *x = malloc(2 * n_front * sizeof *x);
        if (!x) {
            pg->nomem = 1;
        } else {
            for (size_t i = 0; i < n_front; i++) {
                x[i] = front[i].p;
                x[n_front + i] = front[i].b;
            }
            ds_svg_line(pg->f, &p, n_front, x, x + n_front, 1, 0);
            free(x);
        }
        for (size_t i = 0; i < n_front; i++) {
            char t[200];
            const char *cn = ds_csv_cell(c, front[i].row, (size_t)col[O_CAND]);
            double px = ds_svg_px(&p, front[i].p), py = ds_svg_py(&p, front[i].b);
            snprintf(t, sizeof t, "candidate %s: P(deal) %s, benefit %s bn/yr", cn,
                     num(b1, "%.4f", front[i].p), num(b2, "%.4f", front[i].b));
            ds_svg_marker(pg->f, px, py, 4.5, 1, 0, t);
            snprintf(t, sizeof t, "#%s", cn);
            ds_svg_text(pg->f, px + 6, py - 6, "start", "small", t);
        }
    }
    ds_svg_legend(pg->f, p.x0, p.y0 + p.h + AXIS_BELOW - 2, p.w, 3, legend_s, legend_h,
                  legend);
    ds_svg_close(pg->f);
    numbers_open(pg);
    fputs("<tr>", pg->f);
    th_text(pg, "candidate");
    for (size_t j = 0; j < nitems; j++)
        th_text(pg, ds_csv_name(c, (size_t)col[O_CAND] + 1 + j));
    th_text(pg, "P(deal)");
    th_text(pg, "benefit_mean (bn/yr)");
    fputs("</tr>\n", pg->f);
    for (size_t i = 0; i < n_front; i++) {
        fputs("<tr>", pg->f);
        td_text(pg, ds_csv_cell(c, front[i].row, (size_t)col[O_CAND]));
        for (size_t j = 0; j < nitems; j++)
            td_text(pg, ds_csv_cell(c, front[i].row, (size_t)col[O_CAND] + 1 + j));
        td_num(pg, "%.4f", front[i].p);
        td_num(pg, "%.4f", front[i].b);
        fputs("</tr>\n", pg->f);
    }
    numbers_close(pg);
    figure_close(pg);
    fputs("</section>\n", pg->f);
    (void)drawn;
    sb_free(&desc);
    free(front);
}

/* ---- the page ----------------------------------------------------------- */

int ds_report_page_write(const ds_report_page *in, FILE *f, ds_error *err)
{
    page pg;

    memset(&pg, 0, sizeof pg);
    pg.f = f;
    pg.in = in;
    pg.m = in->m;
    pg.s = in->s;
    errno = 0;
    page_head(&pg);
    page_meta(&pg);
    page_nav(&pg);
    page_sources(&pg);
    fputs("<main>\n", f);
    page_summary(&pg);
    page_p_deal(&pg);
    page_rounds(&pg);
    page_distributions(&pg);
    page_given_deal(&pg);
    page_approvals(&pg);
    page_retaliation(&pg);
    page_tornadoes(&pg);
    page_sweep(&pg);
    page_optimize(&pg);
    fputs("</main>\n<footer><p class=\"note\">Made by dealsim " DS_VERSION
          " from the scenario\xE2\x80\x99s SHA-256 given above; the same scenario, seed and "
          "draws give the same page.</p></footer>\n</body>\n</html>\n",
          f);
    if (pg.nomem)
        return ds_error_set(err, DS_ENOMEM, "out of memory");
    if (fflush(f) != 0 || ferror(f))
        return ds_error_set(err, DS_EIO, "cannot write: %s", strerror(errno ? errno : EIO));
    return DS_OK;
}
