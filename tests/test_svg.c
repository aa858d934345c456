/*
 * test_svg.c - the chart primitives of the report (sim/svg.c): nice ticks on
 * positive, negative, mixed, tiny and huge ranges, their labels, text
 * escaping, and the SVG the writers produce.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

/* Ticks of [min, max]: every label given, in order. */
static void expect_ticks(double min, double max, int want, const char *const *labels,
                         size_t n)
{
    ds_svg_axis ax;
    char b[DS_SVG_NUM_MAX];
    ds_svg_ticks(min, max, want, &ax);
    cr_assert_eq(ax.n, n, "[%g, %g]: %zu ticks, expected %zu", min, max, ax.n, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(ds_svg_tick_text(&ax, ax.tick[i], b), labels[i],
                         "[%g, %g]: tick %zu", min, max, i);
    /* The axis covers the data, ticks evenly spaced. */
    if (isfinite(min) && isfinite(max) && min <= max) {
        cr_expect_leq(ax.lo, min);
        cr_expect_geq(ax.hi, max);
    }
    for (size_t i = 1; i < ax.n; i++)
        cr_expect(fabs(ax.tick[i] - ax.tick[i - 1] - ax.step) <=
                      1e-6 * ax.step + 4 * DBL_EPSILON * fabs(ax.tick[i]),
                  "[%g, %g]: uneven at %zu", min, max, i);
}

#define TICKS(min, max, want, ...)                                             \
    do {                                                                       \
        static const char *const l_[] = {__VA_ARGS__};                         \
        expect_ticks(min, max, want, l_, sizeof l_ / sizeof l_[0]);            \
    } while (0)

Test(ticks, positive)
{
    TICKS(0, 1, 6, "0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
    TICKS(51.93, 58.71, 6, "51", "52", "53", "54", "55", "56", "57", "58", "59");
    TICKS(3, 97, 5, "0", "20", "40", "60", "80", "100");
}

Test(ticks, negative)
{
    TICKS(-97.3, -7.3, 5, "-100", "-80", "-60", "-40", "-20", "0");
    TICKS(-0.73, -0.11, 4, "-0.8", "-0.6", "-0.4", "-0.2", "0.0");
}

Test(ticks, mixed)
{
    /* Benefit given a deal of the China card: -97 to +14 bn/yr. */
    TICKS(-97, 14, 6, "-100", "-80", "-60", "-40", "-20", "0", "20");
    /* 0 is a tick and is never written "-0". */
    TICKS(-0.25, 0.35, 6, "-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3", "0.4");
}

Test(ticks, tiny)
{
    /* Decimals follow the step: 0.3 is "0.3", never 0.30000000000000004. */
    TICKS(0.1, 0.3, 3, "0.1", "0.2", "0.3");
    TICKS(0.5, 0.5 + 4e-9, 5, "0.500000000", "0.500000001", "0.500000002",
          "0.500000003", "0.500000004");
    /* Near 0: scientific notation, as many digits as the step needs. */
    TICKS(0, 3e-9, 4, "0", "1e-9", "2e-9", "3e-9");
    TICKS(-2e-12, 1e-12, 4, "-2e-12", "-1e-12", "0", "1e-12");
}

Test(ticks, huge)
{
    TICKS(0, 1e12, 6, "0", "2.0e+11", "4.0e+11", "6.0e+11", "8.0e+11", "1.0e+12");
    TICKS(-3e15, 5e14, 4, "-3e+15", "-2e+15", "-1e+15", "0", "1e+15");
    /* A tiny range far from 0: as many digits as it takes. */
    TICKS(1e6, 1e6 + 3e-4, 4, "1.0000000000e+6", "1.0000000001e+6", "1.0000000002e+6",
          "1.0000000003e+6");
    /* Narrower than 1e-11 of its magnitude: widened to that, around its
     * middle, so the ticks stay distinct. */
    TICKS(1e6, 1e6 + 3e-6, 4, "9.999999999900e+5", "9.999999999950e+5", "1.000000000000e+6",
          "1.000000000005e+6", "1.000000000010e+6", "1.000000000015e+6");
    TICKS(1e290, 4e290, 4, "1e+290", "2e+290", "3e+290", "4e+290");
}

Test(ticks, degenerate)
{
    /* One value: widened by a tenth, or by 1 around 0. */
    TICKS(50, 50, 5, "44", "46", "48", "50", "52", "54", "56");
    TICKS(0, 0, 5, "-1.0", "-0.5", "0.0", "0.5", "1.0");
    /* Reversed ends are swapped; non-finite ends give [0, 1]. */
    TICKS(1, 0, 6, "0.0", "0.2", "0.4", "0.6", "0.8", "1.0");
    TICKS(NAN, 3, 3, "0.0", "0.5", "1.0");
    TICKS(-INFINITY, INFINITY, 3, "0.0", "0.5", "1.0");
    /* `want` out of [3, 12] is clamped; never more than DS_SVG_MAX_TICKS. */
    {
        ds_svg_axis ax;
        ds_svg_ticks(0, 1, 1, &ax);
        cr_expect_geq(ax.n, 3);
        ds_svg_ticks(0, 1, 1000, &ax);
        cr_expect_leq(ax.n, DS_SVG_MAX_TICKS);
        ds_svg_ticks(0, 1e-300, 6, &ax);
        cr_expect_leq(ax.n, DS_SVG_MAX_TICKS);
        cr_expect_gt(ax.hi, 0);
    }
}

Test(ticks, many_ranges_keep_the_invariants)
{
    /* Ranges of every sign and size, from a fixed-seed generator: the axis
     * covers the range, its ends are its first and last ticks, ticks are
     * multiples of the step, at most DS_SVG_MAX_TICKS, labels distinct. */
    uint64_t x = 88172645463325252u;
    for (int t = 0; t < 20000; t++) {
        ds_svg_axis ax;
        double a, b, u, v;
        int want;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        u = (double)(x >> 11) / 9007199254740992.0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v = (double)(x >> 11) / 9007199254740992.0;
        a = (u - 0.5) * pow(10, (int)(x % 41) - 20);
        b = a + v * pow(10, (int)((x >> 8) % 41) - 20) * (t % 7 == 0 ? 1e-10 : 1);
        want = 3 + (int)((x >> 20) % 10);
        ds_svg_ticks(a, b, want, &ax);
        cr_assert_leq(ax.n, DS_SVG_MAX_TICKS, "[%g, %g] want %d", a, b, want);
        cr_assert_geq(ax.n, 2);
        cr_assert_eq(ax.lo, ax.tick[0]);
        cr_assert_eq(ax.hi, ax.tick[ax.n - 1]);
        if (b > a && b - a >= fmax(fabs(a), fabs(b)) * 1e-11) {
            cr_assert_leq(ax.lo, a, "[%.17g, %.17g] want %d", a, b, want);
            cr_assert_geq(ax.hi, b, "[%.17g, %.17g] want %d", a, b, want);
            /* Not more than a step beyond the data at either end. */
            cr_assert_gt(ax.tick[1], a, "[%.17g, %.17g] want %d", a, b, want);
            cr_assert_lt(ax.tick[ax.n - 2], b, "[%.17g, %.17g] want %d", a, b, want);
        }
        for (size_t i = 1; i < ax.n; i++) {
            char p1[DS_SVG_NUM_MAX], p2[DS_SVG_NUM_MAX];
            cr_assert_gt(ax.tick[i], ax.tick[i - 1]);
            cr_assert_str_neq(ds_svg_tick_text(&ax, ax.tick[i - 1], p1),
                              ds_svg_tick_text(&ax, ax.tick[i], p2), "[%.17g, %.17g]", a, b);
        }
    }
}

Test(ticks, labels_never_negative_zero)
{
    ds_svg_axis ax;
    char b[DS_SVG_NUM_MAX];
    ds_svg_ticks(0, 1, 6, &ax);
    cr_expect_str_eq(ds_svg_tick_text(&ax, -0.01, b), "0.0");
    cr_expect_str_eq(ds_svg_tick_text(&ax, -1e-12, b), "0.0");
    cr_expect_str_eq(ds_svg_tick_text(&ax, -0.25, b), "-0.2"); /* rounds to even */
    ds_svg_ticks(0, 3e-9, 4, &ax);
    cr_expect_str_eq(ds_svg_tick_text(&ax, -1e-20, b), "0");
    /* A range too wide to subtract: [0, 1]. */
    ds_svg_ticks(-1.7e308, 1.7e308, 5, &ax);
    cr_expect_eq(ax.lo, 0);
    cr_expect_eq(ax.hi, 1);
}

/* ---- text -------------------------------------------------------------- */

/* What a writer put into a memory stream, as a string (caller frees). */
#define CAPTURE(call)                                                          \
    ({                                                                         \
        char *b_ = NULL;                                                       \
        size_t n_ = 0;                                                         \
        FILE *f = open_memstream(&b_, &n_);                                    \
        cr_assert(f);                                                          \
        call;                                                                  \
        cr_assert_eq(fclose(f), 0);                                            \
        b_;                                                                    \
    })

static void expect_escaped(const char *in, const char *want)
{
    char *got = CAPTURE(ds_svg_escape(f, in));
    cr_expect_str_eq(got, want, "escape of '%s'", in);
    free(got);
}

Test(escape, markup)
{
    expect_escaped("a < b & c > d", "a &lt; b &amp; c &gt; d");
    expect_escaped("\"quoted\" and 'single'", "&quot;quoted&quot; and &#39;single&#39;");
    expect_escaped("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect_escaped("&amp;", "&amp;amp;");
    expect_escaped("", "");
}

Test(escape, utf8_kept)
{
    expect_escaped("Ishiba \xE7\x9F\xB3\xE7\xA0\xB4 \xE2\x88\x92 5 \xE2\x82\xAC",
                   "Ishiba \xE7\x9F\xB3\xE7\xA0\xB4 \xE2\x88\x92 5 \xE2\x82\xAC");
    expect_escaped("caf\xC3\xA9 \xF0\x9F\x9A\xA2", "caf\xC3\xA9 \xF0\x9F\x9A\xA2");
}

Test(escape, bad_bytes_replaced)
{
    /* A lone continuation byte, a cut sequence, an overlong '/', a
     * surrogate, a C0 and a C1 control: each one U+FFFD. */
    expect_escaped("a\x80" "b", "a\xEF\xBF\xBD" "b");
    expect_escaped("x\xE7\x9F", "x\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escaped("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escaped("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escaped("bell\x07", "bell\xEF\xBF\xBD");
    expect_escaped("c1\xC2\x85", "c1\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escaped("del\x7F", "del\xEF\xBF\xBD");
    /* Tab and newline are text. */
    expect_escaped("a\tb\nc", "a\tb\nc");
    expect_escaped("\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    /* A lead byte no character has, and an overlong three-byte form. */
    expect_escaped("\xF5\x80", "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escaped("\xE0\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

Test(escape, prefix_never_cuts_a_character)
{
    char *got = CAPTURE(ds_svg_escape_n(f, "ab\xE7\x9F\xB3" "c", 4));
    cr_expect_str_eq(got, "ab");
    free(got);
    got = CAPTURE(ds_svg_escape_n(f, "ab\xE7\x9F\xB3" "c", 5));
    cr_expect_str_eq(got, "ab\xE7\x9F\xB3");
    free(got);
    /* n beyond the end stops at the NUL. */
    got = CAPTURE(ds_svg_escape_n(f, "a<", 100));
    cr_expect_str_eq(got, "a&lt;");
    free(got);
    got = CAPTURE(ds_svg_escape(f, NULL));
    cr_expect_str_eq(got, "");
    free(got);
    cr_expect_eq(ds_svg_chars("ab\xE7\x9F\xB3" "c"), 4);
}

/* ---- the writers ------------------------------------------------------- */

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static ds_svg_plot plot(double xmin, double xmax, double ymin, double ymax)
{
    ds_svg_plot p;
    memset(&p, 0, sizeof p);
    p.x0 = 50;
    p.y0 = 10;
    p.w = 400;
    p.h = 200;
    ds_svg_ticks(xmin, xmax, 5, &p.x);
    ds_svg_ticks(ymin, ymax, 5, &p.y);
    return p;
}

Test(svg, mapping)
{
    ds_svg_plot p = plot(0, 100, -1, 1);
    cr_expect_float_eq(ds_svg_px(&p, 0), 50, 1e-9);
    cr_expect_float_eq(ds_svg_px(&p, 100), 450, 1e-9);
    cr_expect_float_eq(ds_svg_py(&p, -1), 210, 1e-9);
    cr_expect_float_eq(ds_svg_py(&p, 1), 10, 1e-9);
    /* Off the axis: held within a pixel of the plot. */
    cr_expect_float_eq(ds_svg_px(&p, 1e300), 451, 1e-9);
    cr_expect_float_eq(ds_svg_py(&p, -1e300), 211, 1e-9);
    p.n_cats = 4;
    cr_expect_float_eq(ds_svg_band_h(&p), 50, 1e-9);
    cr_expect_float_eq(ds_svg_cy(&p, 0), 35, 1e-9);
    cr_expect_float_eq(ds_svg_cy(&p, 3), 185, 1e-9);
}

Test(svg, open_escapes_title_and_desc)
{
    char *s = CAPTURE(ds_svg_open(f, "c1", 720, 300, "P(deal) <95%> & \"CI\"",
                                  "desc \xE2\x88\x92 'x'", 1);
                      ds_svg_close(f));
    cr_expect(strstr(s, "<svg class=\"chart\" viewBox=\"0 0 720 300\" width=\"720\" "
                        "height=\"300\" role=\"img\" id=\"c1\" aria-labelledby=\"c1-t c1-d\">"),
              "%s", s);
    cr_expect(strstr(s, "<title id=\"c1-t\">P(deal) &lt;95%&gt; &amp; &quot;CI&quot;</title>"),
              "%s", s);
    cr_expect(strstr(s, "<desc id=\"c1-d\">desc \xE2\x88\x92 &#39;x&#39;</desc>"), "%s", s);
    cr_expect(strstr(s, ">P(deal) &lt;95%&gt; &amp; &quot;CI&quot;</text>"), "%s", s);
    cr_expect(strstr(s, "</svg>\n"));
    free(s);
    s = CAPTURE(ds_svg_open(f, NULL, 10, 10, "t", "d", 0));
    cr_expect(strstr(s, "<title>t</title><desc>d</desc>"), "%s", s);
    cr_expect(!strstr(s, "<text"));
    free(s);
}

Test(svg, axes_label_every_tick)
{
    ds_svg_plot p = plot(-40, 20, 0, 0.5);
    char *s = CAPTURE(ds_svg_xaxis(f, &p, "benefit (bn/yr)"); ds_svg_yaxis(f, &p, "share", NULL, 0));
    cr_expect(strstr(s, ">-40</text>") && strstr(s, ">0</text>") && strstr(s, ">20</text>"),
              "%s", s);
    cr_expect(strstr(s, ">0.5</text>") && strstr(s, ">0.0</text>"), "%s", s);
    cr_expect(strstr(s, ">benefit (bn/yr)</text>"));
    cr_expect(strstr(s, "rotate(-90)\">share</text>"));
    cr_expect_eq(count(s, "class=\"grid\""), p.x.n + p.y.n);
    free(s);
}

Test(svg, category_labels_wrap_and_cut)
{
    static const char *const cats[] = {
        "short", "Energy, then add chips, then the full China card at the summit",
        "A <label> & one with a very long name that goes on and on and on and on"};
    ds_svg_plot p = plot(0, 1, 0, 1);
    char *s;
    p.n_cats = 3;
    s = CAPTURE(ds_svg_yaxis(f, &p, NULL, cats, 30));
    cr_expect(strstr(s, ">short</text>"), "%s", s);
    /* Two lines, cut at a space. */
    cr_expect(strstr(s, ">Energy, then add chips, then</tspan>"), "%s", s);
    cr_expect(strstr(s, ">the full China card at the summit</tspan>") == NULL, "%s", s);
    cr_expect(strstr(s, "<title>Energy, then add chips, then the full China card at the "
                        "summit</title>"),
              "%s", s);
    /* Escaped in the lines and in the title. */
    cr_expect(strstr(s, "A &lt;label&gt; &amp; one with a very"), "%s", s);
    cr_expect(strstr(s, "\xE2\x80\xA6</tspan>"), "%s", s);
    free(s);
}

Test(svg, text_anchor_and_class)
{
    char *s = CAPTURE(ds_svg_text(f, 1, 2, NULL, NULL, "a");
                      ds_svg_text(f, 1, 2, "start", "c", "b");
                      ds_svg_text(f, 1, 2, "end", NULL, "c"));
    cr_expect(strstr(s, "<text x=\"1.0\" y=\"2.0\">a</text>"), "%s", s);
    cr_expect(strstr(s, "<text x=\"1.0\" y=\"2.0\" class=\"c\">b</text>"), "%s", s);
    cr_expect(strstr(s, "<text x=\"1.0\" y=\"2.0\" text-anchor=\"end\">c</text>"), "%s", s);
    free(s);
}

Test(svg, labels_without_spaces_and_narrow)
{
    static const char *const cats[] = {"Averyveryverylongwordwithoutanyspaces", "ab cd"};
    ds_svg_plot p = plot(0, 1, 0, 1);
    char *s;
    p.n_cats = 2;
    /* No space to break at: a hard cut; fewer than 4 characters a line are
     * taken as 4. */
    s = CAPTURE(ds_svg_yaxis(f, &p, NULL, cats, 10));
    cr_expect(strstr(s, ">Averyveryv</tspan>"), "%s", s);
    free(s);
    {
        /* A path breaks after its last '.' that fits. */
        static const char *const paths[] = {"items.minerals.scores.china_security"};
        ds_svg_plot q = p;
        q.n_cats = 1;
        s = CAPTURE(ds_svg_yaxis(f, &q, NULL, paths, 30));
        cr_expect(strstr(s, ">items.minerals.scores.</tspan>"), "%s", s);
        cr_expect(strstr(s, ">china_security</tspan>"), "%s", s);
        free(s);
    }
    s = CAPTURE(ds_svg_yaxis(f, &p, NULL, cats, 1));
    cr_expect(strstr(s, ">Avery</tspan>") == NULL && strstr(s, ">Aver</tspan>"), "%s", s);
    cr_expect(strstr(s, ">ab cd</text>") == NULL && strstr(s, ">ab</tspan>"), "%s", s);
    free(s);
    /* Without categories the band is the whole plot. */
    p.n_cats = 0;
    cr_expect_float_eq(ds_svg_band_h(&p), 200, 1e-9);
    cr_expect_float_eq(ds_svg_px(&p, -1e300), 49, 1e-9);
    /* A y title with no room left of the plot stays on the picture. */
    p.x0 = 5;
    s = CAPTURE(ds_svg_yaxis(f, &p, "y", NULL, 0));
    cr_expect(strstr(s, "translate(10.0 "), "%s", s);
    free(s);
}

Test(svg, shapes_differ_by_series)
{
    /* The first DS_SVG_SHAPES series have different shapes, and a series
     * has the same shape on a line and in a legend. */
    char *s[DS_SVG_SHAPES];
    for (int i = 0; i < DS_SVG_SHAPES; i++) {
        s[i] = CAPTURE(ds_svg_marker(f, 10, 10, 4, i, 0, NULL));
        for (int j = 0; j < i; j++) {
            /* Compare without the colour class. */
            const char *a = strstr(s[i], "points=\""), *b = strstr(s[j], "points=\"");
            if (a && b)
                cr_expect_str_neq(a, b, "series %d and %d", i, j);
            else
                cr_expect(a || b, "series %d and %d are both circles", i, j);
        }
    }
    for (int i = 0; i < DS_SVG_SHAPES; i++)
        free(s[i]);
    {
        char *m = CAPTURE(ds_svg_marker(f, 1, 2, 3, 9, 1, "a<b"));
        cr_expect(strstr(m, "class=\"mk s1 ho\""), "%s", m);
        cr_expect(strstr(m, "<title>a&lt;b</title>"), "%s", m);
        free(m);
        /* A negative series is series 0: a circle. */
        m = CAPTURE(ds_svg_marker(f, 1, 2, 3, -4, 0, "c"));
        cr_expect(strstr(m, "<circle class=\"mk s0\""), "%s", m);
        cr_expect(strstr(m, "<title>c</title></circle>"), "%s", m);
        free(m);
    }
}

Test(svg, lines_and_bands_break_at_gaps)
{
    ds_svg_plot p = plot(0, 4, 0, 10);
    double x[] = {0, 1, 2, 3, 4}, y[] = {1, 2, NAN, 4, 5}, lo[] = {0, 1, 2, NAN, 3},
           hi[] = {2, 3, 4, NAN, 6};
    char *s = CAPTURE(ds_svg_line(f, &p, 5, x, y, 2, 1));
    cr_expect_eq(count(s, "<polyline class=\"ln s2\""), 2, "%s", s);
    cr_expect_eq(count(s, "class=\"mk s2\""), 4, "%s", s);
    cr_expect(strstr(s, "points=\"50.0,190.0 150.0,170.0\""), "%s", s);
    free(s);
    {
        /* Leading and trailing gaps; a band with no finite point. */
        double y2[] = {NAN, 2, 3, 4, NAN}, none[] = {NAN, NAN, NAN, NAN, NAN};
        char *t = CAPTURE(ds_svg_line(f, &p, 5, x, y2, 0, 0); ds_svg_band(f, &p, 5, x, none, hi, 1));
        cr_expect_eq(count(t, "<polyline"), 1, "%s", t);
        cr_expect_eq(count(t, "<polygon"), 0, "%s", t);
        free(t);
    }
    s = CAPTURE(ds_svg_band(f, &p, 5, x, lo, hi, 0));
    cr_expect_eq(count(s, "<polygon class=\"bd s0\""), 2, "%s", s);
    /* Upper edge forwards, lower edge back. */
    cr_expect(strstr(s, "points=\"50.0,170.0 150.0,150.0 250.0,130.0 250.0,170.0 "
                        "150.0,190.0 50.0,210.0\""),
              "%s", s);
    free(s);
}

Test(svg, bars_and_references)
{
    ds_svg_plot p = plot(0, 10, 0, 1);
    char *s = CAPTURE(ds_svg_rect(f, &p, 2, 0, 4, 0.5, 1, "2 to 4: 50%");
                      ds_svg_rect(f, &p, 5, 0, 5, 1, -1, NULL);
                      ds_svg_vline(f, &p, 5, 1, "p50"));
    cr_expect(strstr(s, "<rect x=\"130.0\" y=\"110.0\" width=\"80.0\" height=\"100.0\" "
                        "class=\"s1\"><title>2 to 4: 50%</title></rect>"),
              "%s", s);
    /* Zero width is drawn 1 px wide. */
    cr_expect(strstr(s, "<rect x=\"249.5\" y=\"10.0\" width=\"1.0\" height=\"200.0\" "
                        "class=\"grey\"/>"),
              "%s", s);
    cr_expect(strstr(s, "class=\"ref dash\" x1=\"250.0\""), "%s", s);
    cr_expect(strstr(s, ">p50</text>"), "%s", s);
    free(s);
    p.n_cats = 2;
    s = CAPTURE(ds_svg_hbar(f, &p, 1, 0, 5, 0.5, 0, NULL); ds_svg_whisker(f, &p, 0, 1, 3));
    cr_expect(strstr(s, "<rect x=\"50.0\" y=\"135.0\" width=\"200.0\" height=\"50.0\" "
                        "class=\"s0\"/>"),
              "%s", s);
    cr_expect(strstr(s, "d=\"M90.0 60.0H170.0"), "%s", s);
    free(s);
}

Test(svg, legend_rows)
{
    static const char *const labels[] = {"one", "two", "three"};
    static const int series[] = {0, 1, 2};
    double h;
    char *s;
    cr_expect_eq(ds_svg_legend_rows(1000, 3, labels), 1);
    cr_expect_eq(ds_svg_legend_rows(60, 3, labels), 3);
    cr_expect_eq(ds_svg_legend_rows(60, 0, labels), 0);
    s = CAPTURE(h = ds_svg_legend(f, 0, 0, 60, 0, series, NULL, labels));
    cr_expect_float_eq(h, 0, 1e-9);
    free(s);
    static const int hollow[] = {0, 1, 0};
    s = CAPTURE(h = ds_svg_legend(f, 0, 0, 60, 3, series, hollow, labels));
    cr_expect_float_eq(h, 48, 1e-9);
    cr_expect(strstr(s, ">three</text>"), "%s", s);
    cr_expect(strstr(s, "class=\"mk s1 ho\""), "%s", s);
    cr_expect(!strstr(s, "class=\"mk s0 ho\""), "%s", s);
    free(s);
}

Test(svg, heatmap_prints_every_value)
{
    static const char *const rows[] = {"Offer nothing", "Full China card"};
    static const char *const cols[] = {"bessent", "Commerce Secretary Howard Lutnick and more"};
    double v[] = {0.1, 0.02, 0.99, NAN};
    char *s = CAPTURE(ds_svg_heatmap(f, "hm", "Approval", "d", 2, rows, 2, cols, v, 0, 1,
                                     "%.2f"));
    cr_expect(strstr(s, ">0.10</text>") && strstr(s, ">0.02</text>"), "%s", s);
    /* Dark cells get white text; a missing value says so. */
    cr_expect(strstr(s, "class=\"inv\">0.99</text>"), "%s", s);
    cr_expect(strstr(s, "class=\"na\"") && strstr(s, ">n/a</text>"), "%s", s);
    cr_expect(strstr(s, "<title>Full China card, bessent: 0.99</title>"), "%s", s);
    /* A long column label: two lines, cut, whole in a <title>. */
    cr_expect(strstr(s, "<title>Commerce Secretary Howard Lutnick and more</title>"), "%s", s);
    cr_expect(strstr(s, "text-anchor=\"middle\"><title>"), "%s", s);
    /* Light to dark blue: 0.02 and 0.99 of the way. */
    cr_expect(strstr(s, "fill=\"#EAEFFC\""), "%s", s);
    cr_expect(strstr(s, "fill=\"#0A326C\""), "%s", s);
    free(s);
}

Test(svg, heatmap_narrow_columns_and_flat_scale)
{
    static const char *const rows[] = {"r"};
    static const char *const cols[] = {"a", "b", "c", "d", "e", "f"};
    double v[] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5};
    /* Six columns share the width; lo = hi puts every cell at the light
     * end. */
    char *s = CAPTURE(ds_svg_heatmap(f, "h", "t", "d", 1, rows, 6, cols, v, 0.5, 0.5, "%.1f"));
    cr_expect(strstr(s, "width=\"84.3\""), "%s", s);
    cr_expect_eq(count(s, "fill=\"#EFF3FF\""), 6, "%s", s);
    free(s);
    s = CAPTURE(ds_svg_heatmap(f, "h", "t", "d", 1, rows, 0, cols, v, 0, 1, "%.1f"));
    cr_expect(strstr(s, "</svg>"), "%s", s);
    free(s);
}

Test(svg, tornado_bars_and_marks)
{
    static const char *const labels[] = {"actors.trump.threshold", "elasticity"};
    double low[] = {0.6, 0.40}, high[] = {0.2, 0.45};
    char *s = CAPTURE(ds_svg_tornado(f, "tn", "Drivers", "d", "P(deal)", 2, labels, low,
                                     high, 0.42));
    /* Two halves per input, a "-" and a "+" mark each, a line at the mean. */
    cr_expect_eq(count(s, "class=\"s0\""), 2 + 0, "%s", s);
    cr_expect_eq(count(s, "class=\"s1\""), 2, "%s", s);
    cr_expect_eq(count(s, "class=\"pm\">\xE2\x88\x92</text>"), 2, "%s", s);
    cr_expect_eq(count(s, "class=\"pm\">+</text>"), 2, "%s", s);
    cr_expect(strstr(s, "<title>actors.trump.threshold: 0.6 when low, 0.2 when high "
                        "(mean 0.42)</title>"),
              "%s", s);
    cr_expect(strstr(s, "class=\"ref\""), "%s", s);
    cr_expect(strstr(s, "input low") && strstr(s, "input high"), "%s", s);
    free(s);
    {
        /* An input with no low or high value (NaN) has no half there, and
         * a low above the mean is marked on its right. */
        double lo2[] = {NAN, 0.5}, hi2[] = {0.3, NAN};
        char *t = CAPTURE(ds_svg_tornado(f, "t2", "D", "d", "x", 2, labels, lo2, hi2, 0.42));
        cr_expect_eq(count(t, "class=\"s0\""), 1, "%s", t);
        cr_expect_eq(count(t, "class=\"s1\""), 1, "%s", t);
        cr_expect(strstr(t, "text-anchor=\"end\" class=\"pm\">+</text>"), "%s", t);
        /* The axis reaches beyond the bars, so no mark falls on the labels:
         * the lowest end, 0.3, is right of the axis' start. */
        cr_expect(strstr(t, ">0.25</text>") || strstr(t, ">0.2</text>"), "%s", t);
        free(t);
    }
    /* No inputs: an empty chart, still well formed. */
    s = CAPTURE(ds_svg_tornado(f, NULL, "None", "d", "x", 0, NULL, NULL, NULL, 0));
    cr_expect(strstr(s, "</svg>"));
    free(s);
}

Test(svg, style_has_the_palette)
{
    char *s = CAPTURE(ds_svg_style(f));
    for (int i = 0; i < DS_SVG_COLOURS; i++)
        cr_expect(strstr(s, ds_svg_palette[i]), "%s", ds_svg_palette[i]);
    free(s);
}
