/*
 * svg.h - chart primitives for the HTML report (SPEC §13): nice axis ticks,
 * text escaping, and inline SVG for bars, lines, bands, points, a heatmap
 * and a tornado.  Private to sim/: the report module (report.c) is its only
 * user besides the tests.
 *
 * Everything is written to a FILE * that the caller owns.  The writers
 * return nothing: a failed write sticks in the stream's error flag, which
 * the page's writer checks once at the end (ferror, fflush), as the other
 * writers of dealsim do.  Numbers are written with a fixed number of
 * decimals ("%.1f" for pixels), so the same figures give the same bytes.
 *
 * Readability: the palette is Okabe and Ito's colour-blind-safe one
 * (Okabe, M. and Ito, K. (2008), "Color Universal Design: how to make
 * figures and presentations that are friendly to colorblind people"), and
 * every series also has its own marker shape and a label in the legend, so
 * a chart reads without colour.  Colours are CSS classes (s0..s7, the
 * report's style sheet gives them); shapes are drawn.
 */
#ifndef DS_SVG_H
#define DS_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Colours of the palette; series i gets colour i % DS_SVG_COLOURS. */
#define DS_SVG_COLOURS 8
/* Marker shapes; series i gets shape i % DS_SVG_SHAPES, so two series
 * among the first 56 (8 x 7) never share both colour and shape. */
#define DS_SVG_SHAPES 7
/* Most ticks of an axis: ds_svg_ticks makes at most 21 (see there). */
#define DS_SVG_MAX_TICKS 24
/* Bytes a tick's text needs at most: "%.*e" with 17 digits and a sign. */
#define DS_SVG_NUM_MAX 40

/* The palette's colours as "#rrggbb", in series order (the style sheet
 * writes them as the classes s0..s7). */
extern const char *const ds_svg_palette[DS_SVG_COLOURS];

/* The CSS rules the charts need (fonts, grid, the palette's classes s0..s7,
 * lines, bands, markers), to go into the page's <style>.  Can't fail. */
void ds_svg_style(FILE *f);

/*
 * An axis with nice ticks: lo = tick[0] <= the data's minimum, hi =
 * tick[n - 1] >= its maximum, ticks every `step` = 1, 2 or 5 x 10^k.
 */
typedef struct ds_svg_axis {
    double lo, hi;                  /* the axis' ends: the outer ticks */
    double step;                    /* between two ticks */
    size_t n;                       /* ticks, 2 <= n <= DS_SVG_MAX_TICKS */
    double tick[DS_SVG_MAX_TICKS];
    int sci;                        /* 1: labels in scientific notation */
    int digits;                     /* decimals of the labels (of the
                                       mantissa when sci) */
} ds_svg_axis;

/*
 * Nice ticks covering [min, max], about `want` of them (3 <= want <= 12;
 * the algorithm of Heckbert, P. (1990), "Nice numbers for graph labels",
 * Graphics Gems, pp. 61-63).  Works for positive, negative and mixed
 * ranges of any size between 1e-300 and 1e300; a range of one value v is
 * widened to v +- |v|/10 (+-1 when v is 0), one narrower than 1e-11 of
 * its largest magnitude to that width around its middle; a non-finite end
 * (or a width that overflows) makes the axis [0, 1].  Tick values are exact multiples of the step as decimal
 * numbers (0.3, never 0.30000000000000004) and 0 is never "-0".  The
 * labels' notation: fixed with as many decimals as the step needs, or
 * scientific when the largest magnitude is at least 1e6 or below 1e-3.
 * Can't fail.
 */
void ds_svg_ticks(double min, double max, int want, ds_svg_axis *ax);

/* The label of value v on axis ax ("0.25", "-40", "2.0e+11", "5.0e-9")
 * into buf; returns buf.  Can't fail. */
char *ds_svg_tick_text(const ds_svg_axis *ax, double v, char buf[DS_SVG_NUM_MAX]);

/*
 * Write text s escaped for HTML and XML text and attribute values: & < > "
 * ' as entities; valid UTF-8 (non-ASCII included) kept as it is; control
 * characters other than tab and newline, and bytes that are not valid
 * UTF-8, as U+FFFD, which no parser rejects.  s may be NULL (nothing
 * written).  ds_svg_escape_n writes at most the first n bytes, never
 * cutting a character in two.
 */
void ds_svg_escape(FILE *f, const char *s);
void ds_svg_escape_n(FILE *f, const char *s, size_t n);

/* Characters (UTF-8 code points) of s, and bytes of its first `chars`
 * characters (all of s when it is shorter).  Can't fail. */
size_t ds_svg_chars(const char *s);
size_t ds_svg_prefix(const char *s, size_t chars);

/*
 * A plot area inside an SVG: data (x, y) in the axes' units maps to
 * pixels.  With n_cats > 0 the y axis is a category axis instead (one
 * band per category from the top, category i centred at ds_svg_cy).
 */
typedef struct ds_svg_plot {
    double x0, y0;        /* top left corner of the plot area, px */
    double w, h;          /* its size, px */
    ds_svg_axis x, y;
    size_t n_cats;        /* categories of a category y axis, or 0 */
} ds_svg_plot;

/* Pixel of data x, of data y, and centre of category i. */
double ds_svg_px(const ds_svg_plot *p, double x);
double ds_svg_py(const ds_svg_plot *p, double y);
double ds_svg_cy(const ds_svg_plot *p, size_t i);
/* Height of one category's band, px. */
double ds_svg_band_h(const ds_svg_plot *p);

/*
 * Open an SVG element of width x height px (drawn in that viewBox, scaled
 * by the page) with role="img", its <title> (the chart's title, also drawn
 * at the top left when draw_title) and <desc> (a text alternative: what the
 * chart shows and its main numbers).  `id` (may be NULL) becomes the
 * element's id.  Close with ds_svg_close.
 */
void ds_svg_open(FILE *f, const char *id, double width, double height,
                 const char *title, const char *desc, int draw_title);
void ds_svg_close(FILE *f);

/* The x axis of p: a tick, grid line and label at each tick, the axis'
 * title (with its unit) centred below.  ds_svg_yaxis: the same at the
 * left, the title turned up; with n_cats the category labels instead,
 * each wrapped into at most two lines of label_chars characters (a longer
 * label is cut with an ellipsis and given whole in a <title>). */
void ds_svg_xaxis(FILE *f, const ds_svg_plot *p, const char *title);
void ds_svg_yaxis(FILE *f, const ds_svg_plot *p, const char *title,
                  const char *const *cats, size_t label_chars);

/* A vertical reference line at data x across the plot, dashed or not,
 * with a short label at its top (may be NULL). */
void ds_svg_vline(FILE *f, const ds_svg_plot *p, double x, int dashed,
                  const char *label);

/* A rectangle between data corners (x0, y0) and (x1, y1), in colour
 * `colour` (an index into the palette; -1: grey), with tooltip text `tip`
 * (a <title>, may be NULL).  A rectangle thinner than 1 px is drawn 1 px
 * wide.  ds_svg_hbar: from data x0 to x1 across category i's band, `frac`
 * of its height. */
void ds_svg_rect(FILE *f, const ds_svg_plot *p, double x0, double y0,
                 double x1, double y1, int colour, const char *tip);
void ds_svg_hbar(FILE *f, const ds_svg_plot *p, size_t i, double x0, double x1,
                 double frac, int colour, const char *tip);

/* A line through the n points (x[j], y[j]) of series s (its colour; a
 * marker of its shape at each point when markers); points with a
 * non-finite coordinate break the line. */
void ds_svg_line(FILE *f, const ds_svg_plot *p, size_t n, const double *x,
                 const double *y, int s, int markers);

/* A translucent band of series s between lo[j] and hi[j] at x[j] (e.g.
 * +-2 standard errors); non-finite points break it. */
void ds_svg_band(FILE *f, const ds_svg_plot *p, size_t n, const double *x,
                 const double *lo, const double *hi, int s);

/* A marker of series s's colour and shape centred at pixel (cx, cy), r px
 * in radius, with tooltip `tip` (may be NULL); open (white inside) when
 * hollow. */
void ds_svg_marker(FILE *f, double cx, double cy, double r, int s, int hollow,
                   const char *tip);

/* A horizontal whisker at category i from data x0 to x1 (an interval). */
void ds_svg_whisker(FILE *f, const ds_svg_plot *p, size_t i, double x0, double x1);

/* Text at pixel (x, y): anchor "start", "middle" or "end"; class cls (may
 * be NULL). */
void ds_svg_text(FILE *f, double x, double y, const char *anchor, const char *cls,
                 const char *text);

/* A legend of n series (marker of series s[j], open when hollow[j] (hollow
 * may be NULL: all filled), and label[j]) in rows from pixel (x, y), at
 * most `width` px wide; returns the height it took. */
double ds_svg_legend(FILE *f, double x, double y, double width, size_t n,
                     const int *s, const int *hollow, const char *const *label);

/* Rows a legend of these labels takes in `width` px (to size a chart). */
size_t ds_svg_legend_rows(double width, size_t n, const char *const *label);

/*
 * A heatmap chart: a whole SVG of rows x cols cells, value v[i * cols + j]
 * (NaN: no value, drawn hatched and labelled "n/a") on a sequential scale
 * from lo to hi (light to dark blue, readable in grey), each cell also
 * printing its value with printf format fmt (e.g. "%.2f"), so that no
 * number depends on colour.  Rows labelled on the left, columns on top
 * (each in up to two lines; a longer label is cut, whole in a <title>).
 */
void ds_svg_heatmap(FILE *f, const char *id, const char *title, const char *desc,
                    size_t rows, const char *const *row_label, size_t cols,
                    const char *const *col_label, const double *v, double lo,
                    double hi, const char *fmt);

/*
 * A tornado chart: a whole SVG with one bar per input (in the order
 * given, normally by |swing| descending), from `base` (the outcome's mean
 * over all draws) to low[i] (the outcome's mean when input i is low) and
 * to high[i] (when it is high), the two halves in two colours and marked
 * "-" and "+" at their ends, so they read without colour; labels on the
 * left, a vertical line at base.  xtitle names the outcome with its unit.
 */
void ds_svg_tornado(FILE *f, const char *id, const char *title, const char *desc,
                    const char *xtitle, size_t n, const char *const *label,
                    const double *low, const double *high, double base);

#endif /* DS_SVG_H */
