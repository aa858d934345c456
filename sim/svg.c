/*
 * svg.c - chart primitives of the HTML report (see svg.h).  A leaf of the
 * flow: it knows pixels, ticks and text, nothing of scenarios or
 * statistics; report.c decides what each chart shows.
 */
#include "svg.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

const char *const ds_svg_palette[DS_SVG_COLOURS] = {
    "#0072B2", /* blue */
    "#D55E00", /* vermillion */
    "#009E73", /* bluish green */
    "#CC79A7", /* reddish purple */
    "#E69F00", /* orange */
    "#56B4E9", /* sky blue */
    "#000000", /* black */
    "#F0E442", /* yellow: last, it is faint on white */
};

/* Average advance of a character of the report's sans-serif text at the
 * font sizes used (11-12 px): about 0.55 em.  Used only to make room for
 * labels, never to place anything that must line up exactly. */
#define CHAR_PX 6.2
/* Gap between a tick and its label, and line height of two-line labels. */
#define LABEL_GAP 6.0
#define LINE_PX 12.0
/* Offset from a text's baseline to its visual middle at 11 px. */
#define MID_PX 4.0

void ds_svg_style(FILE *f)
{
    fputs("svg.chart{max-width:100%;height:auto;font:11px sans-serif;display:block}\n"
          "svg.chart text{fill:#222}\n"
          ".ct{font-size:13px;font-weight:bold}.at{font-size:12px}.small{font-size:10px}\n"
          ".grid{stroke:#ddd;stroke-width:1}.axis{stroke:#555;stroke-width:1}\n"
          ".ref{stroke:#222;stroke-width:1.5}.dash{stroke-dasharray:4 3}\n"
          ".wh{stroke:#222;stroke-width:1.5;fill:none}.grey{fill:#bbb}\n"
          ".na{fill:#fff;stroke:#bbb}.pm{font-size:13px;font-weight:bold}\n",
          f);
    for (int i = 0; i < DS_SVG_COLOURS; i++)
        fprintf(f, ".s%d{fill:%s;stroke:%s}", i, ds_svg_palette[i], ds_svg_palette[i]);
    fputs("\n.ln{fill:none;stroke-width:2}.bd{fill-opacity:0.18;stroke:none}"
          ".mk{stroke-width:1}.ho{fill:#fff}rect.s0,rect.s1,rect.s2,rect.s3,rect.s4,"
          "rect.s5,rect.s6,rect.s7{stroke:none}\n"
          "svg.chart text.inv{fill:#fff}\n",
          f);
}

/* ---- ticks ------------------------------------------------------------- */

/* Narrowest range an axis shows, relative to its largest magnitude: ticks
 * a 20th of it apart are still thousands of units in the last place of a
 * double (2^-52 = 2.2e-16) apart, so they and their labels are distinct. */
#define MIN_RELATIVE_RANGE 1e-11

/* 10^k exactly for |k| <= 22, else as near as pow gets. */
static double pow10i(int k)
{
    return pow(10.0, (double)k);
}

/* m x 10^e as the double nearest the decimal number: dividing by an exact
 * power of ten rounds once, where multiplying by 10^-e (inexact) would
 * round twice. */
static double dec(double m, int e)
{
    return e >= 0 ? m * pow10i(e) : m / pow10i(-e);
}

/* A nice step for x > 0 (Heckbert 1990, nicenum with rounding): 1, 2 or 5
 * x 10^e, as mantissa and exponent. */
static void nice_step(double x, int *m, int *e)
{
    int k = (int)floor(log10(x));
    double f = x / dec(1, k);
    if (f < 1.5)
        *m = 1;
    else if (f < 3)
        *m = 2;
    else if (f < 7)
        *m = 5;
    else {
        *m = 1;
        k++;
    }
    *e = k;
}

void ds_svg_ticks(double min, double max, int want, ds_svg_axis *ax)
{
    double range, mag, k0, k1;
    int m, e;

    if (want < 3)
        want = 3;
    if (want > 12)
        want = 12;
    if (!isfinite(min) || !isfinite(max) || !isfinite(max - min)) {
        min = 0;
        max = 1;
    }
    if (min > max) {
        double t = min;
        min = max;
        max = t;
    }
    if (max == min) {
        double pad = min != 0 ? fabs(min) / 10 : 1;
        min -= pad;
        max += pad;
    } else if (max - min < fmax(fabs(min), fabs(max)) * MIN_RELATIVE_RANGE) {
        /* Too narrow for ticks that doubles can tell apart. */
        double mid = min / 2 + max / 2, half = fmax(fabs(min), fabs(max)) * MIN_RELATIVE_RANGE;
        min = mid - half;
        max = mid + half;
    }
    /* Heckbert: a nice range, then a nice step of about range / (want - 1). */
    range = max - min;
    nice_step(range / (want - 1), &m, &e);
    /* The step is at least (range / (want - 1)) / 1.5: the range spans at
     * most 16.5 steps, and the ends below add at most 4 ticks, so there are
     * at most 21 ticks, which DS_SVG_MAX_TICKS holds. */
    ax->step = dec(m, e);
    k0 = floor(min / ax->step);
    k1 = ceil(max / ax->step);
    /* The ends are the multiples of the step next to min and max; the
     * quotients above are rounded, so check the neighbours as the ticks
     * will be computed. */
    if (dec(m * (k0 + 1), e) <= min)
        k0 += 1;
    else if (dec(m * k0, e) > min)
        k0 -= 1;
    if (dec(m * (k1 - 1), e) >= max)
        k1 -= 1;
    else if (dec(m * k1, e) < max)
        k1 += 1;
    ax->n = (size_t)(k1 - k0) + 1;
    for (size_t i = 0; i < ax->n; i++) {
        double t = dec(m * (k0 + (double)i), e);
        ax->tick[i] = t == 0 ? 0 : t; /* never -0 */
    }
    ax->lo = ax->tick[0];
    ax->hi = ax->tick[ax->n - 1];
    mag = fmax(fabs(ax->lo), fabs(ax->hi));
    ax->sci = mag >= 1e6 || mag < 1e-3;
    if (ax->sci) {
        int d = (int)floor(log10(mag)) - e;
        ax->digits = d > 0 ? d : 0;
    } else {
        ax->digits = e < 0 ? -e : 0;
    }
}

char *ds_svg_tick_text(const ds_svg_axis *ax, double v, char buf[DS_SVG_NUM_MAX])
{
    int d = ax->digits > 17 ? 17 : ax->digits;
    if (fabs(v) < ax->step * 1e-9)
        v = 0;
    if (!ax->sci) {
        snprintf(buf, DS_SVG_NUM_MAX, "%.*f", d, v);
        if (strspn(buf, "-0.") == strlen(buf) && buf[0] == '-')
            memmove(buf, buf + 1, strlen(buf)); /* "-0.0" -> "0.0" */
        return buf;
    }
    if (v == 0) {
        snprintf(buf, DS_SVG_NUM_MAX, "0");
        return buf;
    }
    snprintf(buf, DS_SVG_NUM_MAX, "%.*e", d, v);
    {
        /* "5.0e-09" -> "5.0e-9", "2.0e+11" stays */
        char *x = strchr(buf, 'e');
        char *z = x ? x + 2 : buf + strlen(buf);
        while (z[0] == '0' && z[1])
            memmove(z, z + 1, strlen(z));
    }
    return buf;
}

/* ---- text -------------------------------------------------------------- */

/* Bytes of the valid UTF-8 character at s (1..4), or 0 when s does not
 * start one (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    uint32_t cp, min;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    /* C1 controls (U+0080..U+009F) are no text either. */
    if (cp <= 0x9F)
        return 0;
    return n;
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

void ds_svg_escape_n(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (!s)
        return;
    while (i < n && p[i]) {
        unsigned c = p[i];
        size_t k;
        switch (c) {
        case '&': fputs("&amp;", f); i++; continue;
        case '<': fputs("&lt;", f); i++; continue;
        case '>': fputs("&gt;", f); i++; continue;
        case '"': fputs("&quot;", f); i++; continue;
        case '\'': fputs("&#39;", f); i++; continue;
        default: break;
        }
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
            fputs(REPLACEMENT, f);
            i++;
            continue;
        }
        k = utf8_len(p + i);
        if (k == 0) {
            fputs(REPLACEMENT, f);
            i++;
        } else if (i + k > n) {
            break; /* never cut a character in two */
        } else {
            fwrite(p + i, 1, k, f);
            i += k;
        }
    }
}

void ds_svg_escape(FILE *f, const char *s)
{
    ds_svg_escape_n(f, s, s ? strlen(s) : 0);
}

size_t ds_svg_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

size_t ds_svg_prefix(const char *s, size_t chars)
{
    size_t i = 0, n = 0;
    while (s[i]) {
        if ((s[i] & 0xC0) != 0x80) {
            if (n == chars)
                break;
            n++;
        }
        i++;
    }
    return i;
}

void ds_svg_text(FILE *f, double x, double y, const char *anchor, const char *cls,
                 const char *text)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
    if (anchor && strcmp(anchor, "start") != 0)
        fprintf(f, " text-anchor=\"%s\"", anchor);
    if (cls)
        fprintf(f, " class=\"%s\"", cls);
    fputc('>', f);
    ds_svg_escape(f, text);
    fputs("</text>", f);
}

static void tip(FILE *f, const char *t)
{
    if (t) {
        fputs("<title>", f);
        ds_svg_escape(f, t);
        fputs("</title>", f);
    }
}

/*
 * A label at (x, y) (anchor end, vertically centred), wrapped into at most
 * two lines of `chars` characters at a space; a longer label is cut with
 * an ellipsis and its whole text goes into a <title>.
 */
static void wrapped_label(FILE *f, double x, double y, const char *anchor, const char *s,
                          size_t chars)
{
    size_t total = ds_svg_chars(s), cut, rest_chars;
    const char *rest;
    int cut_short = 0;

    if (chars < 4)
        chars = 4;
    if (total <= chars) {
        ds_svg_text(f, x, y + MID_PX, anchor, NULL, s);
        return;
    }
    /* The last space within the first `chars` characters; without one,
     * after the last '.' (a path such as items.lng.scores.security); else
     * a hard cut. */
    cut = ds_svg_prefix(s, chars);
    {
        size_t sp = cut, dot = cut;
        while (sp > 0 && s[sp] != ' ')
            sp--;
        while (dot > 1 && s[dot - 1] != '.')
            dot--;
        if (sp > 0)
            cut = sp;
        else if (dot > 1)
            cut = dot;
    }
    rest = s + cut;
    while (*rest == ' ')
        rest++;
    rest_chars = ds_svg_chars(rest);
    if (rest_chars > chars)
        cut_short = 1;
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x,
            y + MID_PX - LINE_PX / 2, anchor);
    if (cut_short)
        tip(f, s);
    fprintf(f, "<tspan x=\"%.1f\">", x);
    ds_svg_escape_n(f, s, cut);
    fprintf(f, "</tspan><tspan x=\"%.1f\" dy=\"%.1f\">", x, LINE_PX);
    if (cut_short) {
        ds_svg_escape_n(f, rest, ds_svg_prefix(rest, chars - 1));
        fputs("\xE2\x80\xA6", f); /* U+2026 ... */
    } else {
        ds_svg_escape(f, rest);
    }
    fputs("</tspan></text>", f);
}

/* ---- the plot ---------------------------------------------------------- */

/* Pixels are kept within a margin of the plot, so that a value off the
 * axis can never write an absurd coordinate. */
static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

double ds_svg_px(const ds_svg_plot *p, double x)
{
    double t = (x - p->x.lo) / (p->x.hi - p->x.lo);
    return clamp(p->x0 + t * p->w, p->x0 - 1, p->x0 + p->w + 1);
}

double ds_svg_py(const ds_svg_plot *p, double y)
{
    double t = (y - p->y.lo) / (p->y.hi - p->y.lo);
    return clamp(p->y0 + p->h - t * p->h, p->y0 - 1, p->y0 + p->h + 1);
}

double ds_svg_band_h(const ds_svg_plot *p)
{
    return p->n_cats ? p->h / (double)p->n_cats : p->h;
}

double ds_svg_cy(const ds_svg_plot *p, size_t i)
{
    return p->y0 + ((double)i + 0.5) * ds_svg_band_h(p);
}

void ds_svg_open(FILE *f, const char *id, double width, double height,
                 const char *title, const char *desc, int draw_title)
{
    fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
               "height=\"%.0f\" role=\"img\"",
            width, height, width, height);
    if (id) {
        fputs(" id=\"", f);
        ds_svg_escape(f, id);
        fputs("\" aria-labelledby=\"", f);
        ds_svg_escape(f, id);
        fputs("-t ", f);
        ds_svg_escape(f, id);
        fputs("-d\"", f);
    }
    fputs("><title", f);
    if (id) {
        fputs(" id=\"", f);
        ds_svg_escape(f, id);
        fputs("-t\"", f);
    }
    fputc('>', f);
    ds_svg_escape(f, title);
    fputs("</title><desc", f);
    if (id) {
        fputs(" id=\"", f);
        ds_svg_escape(f, id);
        fputs("-d\"", f);
    }
    fputc('>', f);
    ds_svg_escape(f, desc);
    fputs("</desc>\n", f);
    if (draw_title)
        ds_svg_text(f, 4, 15, "start", "ct", title);
}

void ds_svg_close(FILE *f)
{
    fputs("</svg>\n", f);
}

void ds_svg_xaxis(FILE *f, const ds_svg_plot *p, const char *title)
{
    char b[DS_SVG_NUM_MAX];
    double base = p->y0 + p->h;

    fputs("<g class=\"ax\">", f);
    for (size_t i = 0; i < p->x.n; i++) {
        double x = ds_svg_px(p, p->x.tick[i]);
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                x, p->y0, x, base);
        ds_svg_text(f, x, base + 14, "middle", NULL, ds_svg_tick_text(&p->x, p->x.tick[i], b));
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
            p->x0, base, p->x0 + p->w, base);
    if (title)
        ds_svg_text(f, p->x0 + p->w / 2, base + 30, "middle", "at", title);
    fputs("</g>\n", f);
}

void ds_svg_yaxis(FILE *f, const ds_svg_plot *p, const char *title,
                  const char *const *cats, size_t label_chars)
{
    char b[DS_SVG_NUM_MAX];
    double widest = 0;

    fputs("<g class=\"ax\">", f);
    if (p->n_cats) {
        for (size_t i = 0; i < p->n_cats; i++)
            wrapped_label(f, p->x0 - LABEL_GAP, ds_svg_cy(p, i), "end", cats[i],
                          label_chars);
        widest = (double)label_chars * CHAR_PX;
    } else {
        for (size_t i = 0; i < p->y.n; i++) {
            double y = ds_svg_py(p, p->y.tick[i]);
            double wpx;
            ds_svg_tick_text(&p->y, p->y.tick[i], b);
            wpx = (double)strlen(b) * CHAR_PX;
            if (wpx > widest)
                widest = wpx;
            fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                    p->x0, y, p->x0 + p->w, y);
            ds_svg_text(f, p->x0 - LABEL_GAP, y + MID_PX, "end", NULL, b);
        }
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
            p->x0, p->y0, p->x0, p->y0 + p->h);
    if (title) {
        double x = p->x0 - LABEL_GAP - widest - 8;
        double y = p->y0 + p->h / 2;
        fprintf(f, "<text class=\"at\" text-anchor=\"middle\" "
                   "transform=\"translate(%.1f %.1f) rotate(-90)\">",
                x < 10 ? 10 : x, y);
        ds_svg_escape(f, title);
        fputs("</text>", f);
    }
    fputs("</g>\n", f);
}

void ds_svg_vline(FILE *f, const ds_svg_plot *p, double x, int dashed, const char *label)
{
    double px = ds_svg_px(p, x);
    fprintf(f, "<line class=\"ref%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
            dashed ? " dash" : "", px, p->y0, px, p->y0 + p->h);
    if (label)
        ds_svg_text(f, px, p->y0 - 2, "middle", "small", label);
}

/* Minimum width of a drawn rectangle, px: a bar of a tiny value or a bin
 * of zero width (a constant) must still show. */
#define MIN_BAR_PX 1.0

static void rect_px(FILE *f, double x0, double y0, double x1, double y1, int colour,
                    const char *t)
{
    double x = fmin(x0, x1), y = fmin(y0, y1);
    double w = fabs(x1 - x0), h = fabs(y1 - y0);
    if (w < MIN_BAR_PX) {
        x -= (MIN_BAR_PX - w) / 2;
        w = MIN_BAR_PX;
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x, y, w, h);
    if (colour >= 0)
        fprintf(f, " class=\"s%d\"", colour % DS_SVG_COLOURS);
    else
        fputs(" class=\"grey\"", f);
    if (t) {
        fputc('>', f);
        tip(f, t);
        fputs("</rect>", f);
    } else {
        fputs("/>", f);
    }
}

void ds_svg_rect(FILE *f, const ds_svg_plot *p, double x0, double y0, double x1,
                 double y1, int colour, const char *t)
{
    rect_px(f, ds_svg_px(p, x0), ds_svg_py(p, y0), ds_svg_px(p, x1), ds_svg_py(p, y1),
            colour, t);
}

void ds_svg_hbar(FILE *f, const ds_svg_plot *p, size_t i, double x0, double x1,
                 double frac, int colour, const char *t)
{
    double c = ds_svg_cy(p, i), hh = ds_svg_band_h(p) * frac / 2;
    rect_px(f, ds_svg_px(p, x0), c - hh, ds_svg_px(p, x1), c + hh, colour, t);
}

void ds_svg_whisker(FILE *f, const ds_svg_plot *p, size_t i, double x0, double x1)
{
    double c = ds_svg_cy(p, i), a = ds_svg_px(p, x0), b = ds_svg_px(p, x1);
    fprintf(f, "<path class=\"wh\" d=\"M%.1f %.1fH%.1fM%.1f %.1fv8M%.1f %.1fv8\"/>", a, c,
            b, a, c - 4, b, c - 4);
}

/* Unit outlines of the shapes that are polygons (radius 1, centred on 0),
 * as (x, y) pairs; shape 0 is a circle. */
static const double SQUARE[] = {-0.85, -0.85, 0.85, -0.85, 0.85, 0.85, -0.85, 0.85};
static const double TRI_UP[] = {0, -1.1, 1, 0.8, -1, 0.8};
static const double DIAMOND[] = {0, -1.2, 1.2, 0, 0, 1.2, -1.2, 0};
static const double TRI_DOWN[] = {0, 1.1, 1, -0.8, -1, -0.8};
static const double PLUS[] = {-0.35, -1.1, 0.35, -1.1, 0.35, -0.35, 1.1, -0.35, 1.1, 0.35,
                              0.35, 0.35, 0.35, 1.1, -0.35, 1.1, -0.35, 0.35, -1.1, 0.35,
                              -1.1, -0.35, -0.35, -0.35};
static const struct {
    const double *pt;
    size_t n;
    int rotate; /* 45 degrees: the plus becomes an x */
} SHAPES[DS_SVG_SHAPES] = {
    {NULL, 0, 0},
    {SQUARE, 4, 0},
    {TRI_UP, 3, 0},
    {DIAMOND, 4, 0},
    {TRI_DOWN, 3, 0},
    {PLUS, 12, 0},
    {PLUS, 12, 1},
};

void ds_svg_marker(FILE *f, double cx, double cy, double r, int s, int hollow,
                   const char *t)
{
    int shape = s % DS_SVG_SHAPES;
    const char *ho = hollow ? " ho" : "";

    if (s < 0)
        s = 0, shape = 0;
    if (!SHAPES[shape].pt) {
        fprintf(f, "<circle class=\"mk s%d%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"",
                s % DS_SVG_COLOURS, ho, cx, cy, r);
    } else {
        const double c = SHAPES[shape].rotate ? 0.70710678118654752 : 1;
        const double sn = SHAPES[shape].rotate ? 0.70710678118654752 : 0;
        fprintf(f, "<polygon class=\"mk s%d%s\" points=\"", s % DS_SVG_COLOURS, ho);
        for (size_t k = 0; k < SHAPES[shape].n; k++) {
            double ux = SHAPES[shape].pt[2 * k], uy = SHAPES[shape].pt[2 * k + 1];
            fprintf(f, "%s%.1f,%.1f", k ? " " : "", cx + r * (c * ux - sn * uy),
                    cy + r * (sn * ux + c * uy));
        }
        fputc('"', f);
    }
    if (t) {
        fputc('>', f);
        tip(f, t);
        fputs(SHAPES[shape].pt ? "</polygon>" : "</circle>", f);
    } else {
        fputs("/>", f);
    }
}

/* Marker radius on lines and in legends, px. */
#define MARK_R 3.5

void ds_svg_line(FILE *f, const ds_svg_plot *p, size_t n, const double *x,
                 const double *y, int s, int markers)
{
    int open = 0;
    for (size_t j = 0; j < n; j++) {
        if (!isfinite(x[j]) || !isfinite(y[j])) {
            if (open)
                fputs("\"/>", f);
            open = 0;
            continue;
        }
        if (!open)
            fprintf(f, "<polyline class=\"ln s%d\" points=\"", s % DS_SVG_COLOURS);
        fprintf(f, "%s%.1f,%.1f", open ? " " : "", ds_svg_px(p, x[j]), ds_svg_py(p, y[j]));
        open = 1;
    }
    if (open)
        fputs("\"/>", f);
    for (size_t j = 0; markers && j < n; j++)
        if (isfinite(x[j]) && isfinite(y[j]))
            ds_svg_marker(f, ds_svg_px(p, x[j]), ds_svg_py(p, y[j]), MARK_R, s, 0, NULL);
    fputc('\n', f);
}

void ds_svg_band(FILE *f, const ds_svg_plot *p, size_t n, const double *x,
                 const double *lo, const double *hi, int s)
{
    size_t j = 0;
    while (j < n) {
        size_t a = j, b;
        while (a < n && !(isfinite(x[a]) && isfinite(lo[a]) && isfinite(hi[a])))
            a++;
        if (a == n)
            break;
        b = a;
        while (b < n && isfinite(x[b]) && isfinite(lo[b]) && isfinite(hi[b]))
            b++;
        fprintf(f, "<polygon class=\"bd s%d\" points=\"", s % DS_SVG_COLOURS);
        for (size_t k = a; k < b; k++)
            fprintf(f, "%s%.1f,%.1f", k > a ? " " : "", ds_svg_px(p, x[k]),
                    ds_svg_py(p, hi[k]));
        for (size_t k = b; k-- > a;)
            fprintf(f, " %.1f,%.1f", ds_svg_px(p, x[k]), ds_svg_py(p, lo[k]));
        fputs("\"/>", f);
        j = b;
    }
    fputc('\n', f);
}

/* Legend geometry: marker box, gap after an entry, row height. */
#define LEGEND_MARK 16.0
#define LEGEND_GAP 14.0
#define LEGEND_ROW 16.0

static double legend_item_w(const char *label)
{
    return LEGEND_MARK + (double)ds_svg_chars(label) * CHAR_PX + LEGEND_GAP;
}

size_t ds_svg_legend_rows(double width, size_t n, const char *const *label)
{
    size_t rows = n ? 1 : 0;
    double x = 0;
    for (size_t j = 0; j < n; j++) {
        double w = legend_item_w(label[j]);
        if (x > 0 && x + w > width) {
            rows++;
            x = 0;
        }
        x += w;
    }
    return rows;
}

double ds_svg_legend(FILE *f, double x, double y, double width, size_t n, const int *s,
                     const int *hollow, const char *const *label)
{
    double cx = 0;
    size_t row = 0;
    fputs("<g class=\"legend\">", f);
    for (size_t j = 0; j < n; j++) {
        double w = legend_item_w(label[j]);
        double ry;
        if (cx > 0 && cx + w > width) {
            row++;
            cx = 0;
        }
        ry = y + (double)row * LEGEND_ROW;
        ds_svg_marker(f, x + cx + 6, ry + 8, MARK_R + 0.5, s[j], hollow ? hollow[j] : 0,
                      NULL);
        ds_svg_text(f, x + cx + LEGEND_MARK, ry + 12, "start", NULL, label[j]);
        cx += w;
    }
    fputs("</g>\n", f);
    return n ? (double)(row + 1) * LEGEND_ROW : 0;
}

/* ---- heatmap ----------------------------------------------------------- */

/* Characters of a row label per line, and the heatmap's geometry, px. */
#define HEAT_LABEL_CHARS 32
#define HEAT_CELL_H 26.0
#define HEAT_CELL_W_MAX 110.0
#define HEAT_WIDTH 720.0
#define HEAT_TOP 50.0
/* The sequential scale, light to dark blue: its luminance falls
 * monotonically, so it reads in grey and for every colour vision; a value
 * past DARK_TEXT gets white text. */
static const unsigned char HEAT_LIGHT[3] = {0xEF, 0xF3, 0xFF};
static const unsigned char HEAT_DARK[3] = {0x08, 0x30, 0x6B};
#define DARK_TEXT 0.55

void ds_svg_heatmap(FILE *f, const char *id, const char *title, const char *desc,
                    size_t rows, const char *const *row_label, size_t cols,
                    const char *const *col_label, const double *v, double lo,
                    double hi, const char *fmt)
{
    double left = HEAT_LABEL_CHARS * CHAR_PX + 2 * LABEL_GAP;
    double cw = cols ? (HEAT_WIDTH - left - 4) / (double)cols : HEAT_CELL_W_MAX;
    double height;
    size_t col_chars;

    if (cw > HEAT_CELL_W_MAX)
        cw = HEAT_CELL_W_MAX;
    col_chars = (size_t)(cw / CHAR_PX);
    height = HEAT_TOP + HEAT_CELL_H * (double)rows + 6;
    ds_svg_open(f, id, HEAT_WIDTH, height, title, desc, 0);
    fputs("<g class=\"ax\">", f);
    /* Column labels in up to two lines above their column. */
    for (size_t j = 0; j < cols; j++)
        wrapped_label(f, left + cw * ((double)j + 0.5), HEAT_TOP - 18, "middle", col_label[j],
                      col_chars);
    for (size_t i = 0; i < rows; i++)
        wrapped_label(f, left - LABEL_GAP, HEAT_TOP + HEAT_CELL_H * ((double)i + 0.5), "end",
                      row_label[i], HEAT_LABEL_CHARS);
    fputs("</g>\n", f);
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            double x = v[i * cols + j], t;
            double cx = left + cw * (double)j, cy = HEAT_TOP + HEAT_CELL_H * (double)i;
            char txt[64];
            if (!isfinite(x)) {
                fprintf(f, "<rect class=\"na\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                           "height=\"%.1f\"/>",
                        cx, cy, cw, HEAT_CELL_H);
                ds_svg_text(f, cx + cw / 2, cy + HEAT_CELL_H / 2 + MID_PX, "middle", NULL,
                            "n/a");
                continue;
            }
            t = hi > lo ? (x - lo) / (hi - lo) : 0;
            t = clamp(t, 0, 1);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                       "fill=\"#%02X%02X%02X\">",
                    cx, cy, cw, HEAT_CELL_H,
                    (unsigned)lround(HEAT_LIGHT[0] + t * (HEAT_DARK[0] - HEAT_LIGHT[0])),
                    (unsigned)lround(HEAT_LIGHT[1] + t * (HEAT_DARK[1] - HEAT_LIGHT[1])),
                    (unsigned)lround(HEAT_LIGHT[2] + t * (HEAT_DARK[2] - HEAT_LIGHT[2])));
            snprintf(txt, sizeof txt, fmt, x);
            fputs("<title>", f);
            ds_svg_escape(f, row_label[i]);
            fputs(", ", f);
            ds_svg_escape(f, col_label[j]);
            fputs(": ", f);
            ds_svg_escape(f, txt);
            fputs("</title></rect>", f);
            ds_svg_text(f, cx + cw / 2, cy + HEAT_CELL_H / 2 + MID_PX, "middle",
                        t > DARK_TEXT ? "inv" : NULL, txt);
        }
        fputc('\n', f);
    }
    ds_svg_close(f);
}

/* ---- tornado ----------------------------------------------------------- */

#define TORNADO_LABEL_CHARS 40
#define TORNADO_ROW 24.0
#define TORNADO_WIDTH 720.0
#define TORNADO_RIGHT 24.0
/* Share of the bars' range added at both ends of the axis. */
#define TORNADO_PAD 0.05

void ds_svg_tornado(FILE *f, const char *id, const char *title, const char *desc,
                    const char *xtitle, size_t n, const char *const *label,
                    const double *low, const double *high, double base)
{
    static const char *const legend[2] = {"\xE2\x88\x92 input low (its lowest 10%)",
                                          "+ input high (its highest 10%)"};
    static const int legend_s[2] = {0, 1};
    ds_svg_plot p;
    double min = base, max = base, top = 22, height;

    for (size_t i = 0; i < n; i++) {
        if (isfinite(low[i]))
            min = fmin(min, low[i]), max = fmax(max, low[i]);
        if (isfinite(high[i]))
            min = fmin(min, high[i]), max = fmax(max, high[i]);
    }
    memset(&p, 0, sizeof p);
    /* Room beyond the longest bars for their "-" and "+". */
    ds_svg_ticks(min - (max - min) * TORNADO_PAD, max + (max - min) * TORNADO_PAD, 6, &p.x);
    p.x0 = TORNADO_LABEL_CHARS * CHAR_PX + 2 * LABEL_GAP;
    p.y0 = top;
    p.w = TORNADO_WIDTH - p.x0 - TORNADO_RIGHT;
    p.h = TORNADO_ROW * (double)(n ? n : 1);
    p.n_cats = n ? n : 1;
    height = p.y0 + p.h + 40 + LEGEND_ROW + 6;
    ds_svg_open(f, id, TORNADO_WIDTH, height, title, desc, 0);
    ds_svg_xaxis(f, &p, xtitle);
    if (n)
        ds_svg_yaxis(f, &p, NULL, label, TORNADO_LABEL_CHARS);
    for (size_t i = 0; i < n; i++) {
        char t[256];
        double c = ds_svg_cy(&p, i);
        snprintf(t, sizeof t, "%s: %.4g when low, %.4g when high (mean %.4g)", label[i],
                 low[i], high[i], base);
        if (isfinite(low[i])) {
            double px = ds_svg_px(&p, low[i]);
            ds_svg_hbar(f, &p, i, base, low[i], 0.6, 0, t);
            ds_svg_text(f, low[i] < base ? px - 3 : px + 3, c + MID_PX,
                        low[i] < base ? "end" : "start", "pm", "\xE2\x88\x92");
        }
        if (isfinite(high[i])) {
            double px = ds_svg_px(&p, high[i]);
            ds_svg_hbar(f, &p, i, base, high[i], 0.6, 1, t);
            ds_svg_text(f, high[i] < base ? px - 3 : px + 3, c + MID_PX,
                        high[i] < base ? "end" : "start", "pm", "+");
        }
        fputc('\n', f);
    }
    ds_svg_vline(f, &p, base, 0, NULL);
    ds_svg_legend(f, p.x0, p.y0 + p.h + 38, p.w, 2, legend_s, NULL, legend);
    ds_svg_close(f);
}
