/*
 * design.c - design points of `dealsim sweep` (SPEC §9): grid, Latin
 * hypercube, Sobol and design files (see include/dealsim/design.h).
 * The CLI builds a design from its arguments, then, per point, copies the
 * scenario and applies ds_design_value() of every path with ds_scenario_set.
 */
#include "dealsim/design.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>

#include "dealsim/csv.h"
#include "dealsim/rng.h"

enum { KIND_GRID, KIND_LHS, KIND_SOBOL, KIND_FILE };

/* Growth step when reading a design file: its size is not trusted. */
#define READ_CHUNK 65536

/* One varied path and the values it takes.  Grid: the path's own list
 * (points combine them); other kinds: one value per point. */
typedef struct dim {
    char *path;
    size_t n;
    char **value; /* [n] texts for ds_scenario_set */
    char **cell;  /* [n] output cells, NULL where equal to value */
} dim;

struct ds_design {
    int kind;
    size_t n_points, n_dims;
    dim *dims;
    size_t *line; /* [n_points] design-file lines, or NULL */
    char *file;
};

/* A parsed SPEC of --vary: a list of items, or a range a:b[:k]. */
typedef struct spec {
    int is_range, has_k;
    double a, b;
    size_t k;
    size_t n_items;
    char **items; /* trimmed list items */
} spec;

static void spec_free(spec *s)
{
    for (size_t i = 0; i < s->n_items; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

static char *dup_range(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Copy of s[0..n) without surrounding spaces and tabs. */
static char *dup_trim(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return dup_range(s, n);
}

/* JSON number grammar (RFC 8259 §6), the whole string. */
static int is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return 0;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        *v = *v * 16 + d;
    }
    return 1;
}

/* Contents of a whole JSON string literal s (RFC 8259 §7), as a new UTF-8
 * string.  NULL when s is not exactly one well-formed string literal (or no
 * memory): the caller then keeps s verbatim. */
static char *json_string_contents(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out;
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return NULL;
    out = malloc(n);
    if (!out)
        return NULL;
    for (size_t i = 1; i < n - 1; i++) {
        unsigned cp;
        if (s[i] == '"' || (unsigned char)s[i] < 0x20)
            goto bad;
        if (s[i] != '\\') {
            out[o++] = s[i];
            continue;
        }
        if (++i >= n - 1)
            goto bad;
        switch (s[i]) {
        case '"': out[o++] = '"'; continue;
        case '\\': out[o++] = '\\'; continue;
        case '/': out[o++] = '/'; continue;
        case 'b': out[o++] = '\b'; continue;
        case 'f': out[o++] = '\f'; continue;
        case 'n': out[o++] = '\n'; continue;
        case 'r': out[o++] = '\r'; continue;
        case 't': out[o++] = '\t'; continue;
        case 'u': break;
        default: goto bad;
        }
        if (i + 4 > n - 2 || !hex4(s + i + 1, &cp))
            goto bad;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) { /* high surrogate: needs a low one */
            unsigned lo;
            if (i + 6 > n - 2 || s[i + 1] != '\\' || s[i + 2] != 'u' ||
                !hex4(s + i + 3, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                goto bad;
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            goto bad;
        }
        if (cp == 0)
            goto bad; /* cannot live in a C string */
        /* UTF-8 of cp takes at most 4 bytes; the escape it replaces took 6
         * (or 12 for a pair), so out never outgrows n. */
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else if (cp < 0x800) {
            out[o++] = (char)(0xC0 | (cp >> 6));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (char)(0xE0 | (cp >> 12));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (cp >> 18));
            out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[o] = '\0';
    return out;
bad:
    free(out);
    return NULL;
}

/* Value and cell texts of one given item (a list item or a file cell).
 * `loose`: the item comes from a CSV file, where any strtod number counts.
 * A finite number becomes its shortest round-trip text (the same double, in
 * one canonical spelling); a JSON string's cell is its contents; anything
 * else is kept verbatim.  For an integer key, the item must be an integral
 * number (returns DS_EINVAL, nothing stored).  DS_ENOMEM on no memory. */
static int make_item(const char *item, int loose, int integer, char **value, char **cell)
{
    double x;
    int numeric = loose ? ds_csv_parse_double(item, &x)
                        : (is_json_number(item) && ds_csv_parse_double(item, &x));
    *value = *cell = NULL;
    if (numeric && !isfinite(x))
        numeric = 0;
    if (integer && (!numeric || x != floor(x)))
        return DS_EINVAL;
    if (numeric) {
        char buf[DS_CSV_NUM_MAX];
        *value = strdup(ds_csv_format_double(buf, x));
    } else {
        *value = strdup(item);
        /* A malformed string keeps its cell verbatim (and the override layer
         * reports it); no memory for the contents does the same. */
        if (*value && item[0] == '"')
            *cell = json_string_contents(item);
    }
    return *value ? DS_OK : DS_ENOMEM;
}

/* Split a --vary SPEC into list items at commas outside JSON strings and
 * brackets.  Returns DS_OK, DS_ENOMEM, or DS_EINVAL for an empty item. */
static int split_list(const char *s, spec *sp)
{
    size_t cap = 0;
    int depth = 0, in_str = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = 0;
            else if (!*p)
                in_str = 0, p--; /* unterminated: let the item end here */
            continue;
        }
        if (*p == '"')
            in_str = 1;
        else if (*p == '{' || *p == '[')
            depth++;
        else if ((*p == '}' || *p == ']') && depth > 0)
            depth--;
        else if ((*p == ',' && depth == 0) || !*p) {
            char *item;
            if (sp->n_items == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                char **v = realloc(sp->items, ncap * sizeof *v);
                if (!v)
                    return DS_ENOMEM;
                sp->items = v;
                cap = ncap;
            }
            item = dup_trim(start, (size_t)(p - start));
            if (!item)
                return DS_ENOMEM;
            sp->items[sp->n_items++] = item;
            if (!*item)
                return DS_EINVAL;
            if (!*p)
                return DS_OK;
            start = p + 1;
        }
    }
}

/* Whole-string decimal integer (digits only). */
static int parse_count(const char *s, unsigned long long *v)
{
    char *end;
    if (!(*s >= '0' && *s <= '9'))
        return 0;
    *v = strtoull(s, &end, 10);
    return *end == '\0';
}

/* Parse the SPEC of the argument `arg` (for messages) into sp. */
static int parse_spec(const char *arg, const char *text, spec *sp, ds_error *err)
{
    int rc;
    memset(sp, 0, sizeof *sp);
    while (*text == ' ' || *text == '\t')
        text++;
    if (!*text)
        return ds_error_set(err, DS_EINVAL, "error: --vary %s: empty SPEC", arg);
    rc = split_list(text, sp);
    if (rc == DS_ENOMEM)
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    if (rc != DS_OK)
        return ds_error_set(err, DS_EINVAL, "error: --vary %s: empty item in the list", arg);
    if (sp->n_items == 1 && !strchr("\"{[", sp->items[0][0]) && strchr(sp->items[0], ':')) {
        /* a:b or a:b:k */
        char *item = sp->items[0], *c1 = strchr(item, ':'), *c2 = strchr(c1 + 1, ':');
        char *a_txt, *b_txt, *k_txt = NULL;
        if (c2 && strchr(c2 + 1, ':'))
            return ds_error_set(err, DS_EINVAL,
                                "error: --vary %s: a range is a:b or a:b:k", arg);
        *c1 = '\0';
        a_txt = item;
        b_txt = c1 + 1;
        if (c2) {
            *c2 = '\0';
            k_txt = c2 + 1;
        }
        if (!ds_csv_parse_double(a_txt, &sp->a) || !isfinite(sp->a))
            return ds_error_set(err, DS_EINVAL,
                                "error: --vary %s: range start must be a finite number, got '%s'",
                                arg, a_txt);
        if (!ds_csv_parse_double(b_txt, &sp->b) || !isfinite(sp->b))
            return ds_error_set(err, DS_EINVAL,
                                "error: --vary %s: range end must be a finite number, got '%s'",
                                arg, b_txt);
        if (!isfinite(sp->b - sp->a))
            return ds_error_set(err, DS_EINVAL, "error: --vary %s: range too wide", arg);
        if (k_txt) {
            unsigned long long k;
            char *t = dup_trim(k_txt, strlen(k_txt));
            int ok;
            if (!t)
                return ds_error_set(err, DS_ENOMEM, "error: out of memory");
            ok = parse_count(t, &k) && k >= 1;
            if (!ok) {
                ds_error_set(err, DS_EINVAL,
                             "error: --vary %s: k must be an integer >= 1, got '%s'", arg, t);
                free(t);
                return DS_EINVAL;
            }
            free(t);
            if (k > DS_DESIGN_MAX_POINTS)
                return ds_error_set(err, DS_EINVAL,
                                    "error: --vary %s: more than %u points", arg,
                                    DS_DESIGN_MAX_POINTS);
            sp->has_k = 1;
            sp->k = (size_t)k;
        }
        sp->is_range = 1;
    }
    return DS_OK;
}

static void dim_free(dim *d)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->value)
            free(d->value[i]);
        if (d->cell)
            free(d->cell[i]);
    }
    free(d->value);
    free(d->cell);
    free(d->path);
}

void ds_design_free(ds_design *d)
{
    if (!d)
        return;
    for (size_t j = 0; j < d->n_dims; j++)
        dim_free(&d->dims[j]);
    free(d->dims);
    free(d->line);
    free(d->file);
    free(d);
}

static int dim_alloc(dim *d, size_t n)
{
    d->value = calloc(n ? n : 1, sizeof *d->value);
    d->cell = calloc(n ? n : 1, sizeof *d->cell);
    if (!d->value || !d->cell)
        return DS_ENOMEM;
    d->n = n;
    return DS_OK;
}

static int is_int(const ds_design_args *a, const char *path)
{
    return a->is_integer && a->is_integer(path, a->ctx);
}

/* Store number x (rounded for an integer key) as value k of dim d. */
static int put_number(dim *d, size_t k, double x, int integer)
{
    char buf[DS_CSV_NUM_MAX];
    if (integer)
        x = round(x);
    if (x == 0)
        x = 0; /* -0 (e.g. round(-0.3)) reads as 0 */
    d->value[k] = strdup(ds_csv_format_double(buf, x));
    return d->value[k] ? DS_OK : DS_ENOMEM;
}

/* Significant digits of a value of `a:b:k` (SPEC §9): 15 are enough for
 * any decimal a user types and few enough that the binary rounding of the
 * arithmetic (about 4 units in the 17th digit, see grid_value) never shows. */
#define GRID_DIGITS 15

/* The decimal exponent of x (finite, not 0) as printf writes it with
 * GRID_DIGITS significant digits: floor(log10 |x|), or one more when that
 * rounding carries into a new digit (9.99...9e2 -> 1.00...0e3). */
static int dec_exponent(double x)
{
    char b[64];
    snprintf(b, sizeof b, "%.*e", GRID_DIGITS - 1, x);
    return atoi(strchr(b, 'e') + 1);
}

/* x rounded at the decimal place 10^q, where q >= dec_exponent(x) -
 * (GRID_DIGITS - 1), i.e. to at most GRID_DIGITS significant digits.
 * printf's %e is correctly rounded (glibc prints the exact binary value)
 * and so is strtod, so the result is the double nearest to the rounded
 * decimal.  When dec_exponent carried, printf rounds one place finer than
 * q; both roundings give the same power of ten. */
static double round_at(double x, int q)
{
    char b[64];
    int p;
    if (x == 0)
        return 0;
    p = dec_exponent(x) - q; /* digits after the first */
    if (p >= 0) {
        snprintf(b, sizeof b, "%.*e", p, x);
        return strtod(b, NULL);
    }
    /* |x| < 10^q: 0, or 10^q (with x's sign) from half of it on. */
    snprintf(b, sizeof b, "5e%d", q - 1);
    if (fabs(x) < strtod(b, NULL))
        return 0;
    snprintf(b, sizeof b, "%se%d", x < 0 ? "-1" : "1", q);
    return strtod(b, NULL);
}

/* a + i (b - a)/(k - 1) in binary floating point, as the weighted mean
 * (a (k-1-i) + b i)/(k - 1): two products by integers (k <= 10^6 < 2^20),
 * a sum and a division, each within half an ulp of its own result.  Bounds
 * near the largest double are scaled by an exact power of two first, so
 * the products cannot overflow. */
static double grid_raw(double a, double b, size_t k, size_t i)
{
    int s = fmax(fabs(a), fabs(b)) > 0x1p1000 ? 64 : 0;
    double as = ldexp(a, -s), bs = ldexp(b, -s);
    return ldexp((as * (double)(k - 1 - i) + bs * (double)i) / (double)(k - 1), s);
}

/* Value i of `a:b:k` (SPEC §9): a + i (b - a)/(k - 1) rounded to
 * GRID_DIGITS significant digits, so 0:0.1:6 gives 0.06, not
 * 0.06000000000000001; the ends are exactly a and b.
 *
 * Why 15 digits recover what was typed: when a and b have the same sign
 * (or one is 0), the error of grid_raw plus that of a and b themselves
 * (decimals read into binary) is at most about 4 units of 2^-53 relative to
 * the result, below half a unit in its 15th digit (at least 5e-16 of it).
 * When the range crosses 0, the products cancel and the error is relative
 * to the larger end instead: there every value is rounded at the decimal
 * place of the larger |end|'s 15th digit, so -0.3:0.1:5 gives -0.3, -0.2,
 * -0.1, 0, 0.1 (not 1.4e-17 for the 0) and values near 0 show no noise.
 * A rounded value is kept within [a, b] (an end typed with more than 15
 * digits could be passed otherwise). */
static double grid_value(double a, double b, size_t k, size_t i)
{
    double x, lo = fmin(a, b), hi = fmax(a, b);
    int crosses = (a < 0 && b > 0) || (a > 0 && b < 0);
    if (i == 0 || k == 1)
        return a;
    if (i == k - 1)
        return b;
    x = grid_raw(a, b, k, i);
    if (x == 0)
        return 0;
    /* The place of the 15th digit: of x, or, across 0, of the larger end. */
    x = round_at(x, dec_exponent(crosses ? fmax(-lo, hi) : x) - (GRID_DIGITS - 1));
    return fmin(fmax(x, lo), hi);
}

/* Value i of `a:b:k` for an integer key: exact, in integers, when a and b
 * are integers a double holds exactly (|a|, |b| <= 2^53), so a seed range
 * of 16 digits is not rounded to 15.  Returns 1 with the value in *x when
 * it is an integer; else 0 with *x the value as near as a double has it
 * (for the message). */
static int grid_integer(double a, double b, size_t k, size_t i, double *x)
{
    const double exact = 0x1p53;
    if (k > 1 && a == floor(a) && b == floor(b) && fabs(a) <= exact && fabs(b) <= exact) {
        int64_t ia = (int64_t)a, n = (int64_t)(k - 1), ii = (int64_t)i;
        int64_t d = (int64_t)b - ia, q = d / n, r = d % n; /* |d| <= 2^54 */
        if ((ii * r) % n == 0) {                          /* |i r| < 2^40 */
            *x = (double)(ia + ii * q + ii * r / n);      /* |i q| <= |d| */
            return 1;
        }
        *x = (double)(ia + ii * q) + (double)(ii * r) / (double)n;
        return 0;
    }
    *x = grid_value(a, b, k, i);
    return *x == floor(*x);
}

/* Read the whole file at path (at most DS_CSV_MAX_BYTES) into *buf (caller
 * frees) and its length into *len; the messages are ds_csv_read's. */
static int read_file(const char *path, char **buf, size_t *len, ds_error *err)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0;
    int rc = DS_OK;

    if (!f)
        return ds_error_set(err, DS_EIO, "%s: error: cannot read: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (cap - n < READ_CHUNK) {
            size_t ncap = cap ? 2 * cap : READ_CHUNK;
            char *p = realloc(b, ncap);
            if (!p) {
                rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", path);
                goto fail;
            }
            b = p;
            cap = ncap;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0 || n > DS_CSV_MAX_BYTES)
            break;
    }
    if (ferror(f)) {
        rc = ds_error_set(err, DS_EIO, "%s: error: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    if (n > DS_CSV_MAX_BYTES) {
        rc = ds_error_set(err, DS_EINVAL, "%s: error: file larger than %zu bytes", path,
                          DS_CSV_MAX_BYTES);
        goto fail;
    }
    fclose(f);
    *buf = b;
    *len = n;
    return DS_OK;
fail:
    fclose(f);
    free(b);
    return rc;
}

/* Parse a design file's text as CSV.  A lone CR (old Mac line ends, as some
 * spreadsheet programs still write) ends a line like LF and CRLF, as in
 * scenario files (SPEC §4); the CSV reader knows only LF and CRLF, so lone
 * CRs become LF in a copy first (line numbers stay the same). */
static int parse_csv(const char *file, const char *text, size_t len, ds_csv **c,
                     ds_error *err)
{
    char *copy;
    size_t i;
    int rc;
    for (i = 0; i < len; i++)
        if (text[i] == '\r' && !(i + 1 < len && text[i + 1] == '\n'))
            break;
    if (i == len)
        return ds_csv_parse(file, text, len, c, err);
    if (!(copy = malloc(len))) {
        *c = NULL;
        return ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", file);
    }
    memcpy(copy, text, len);
    for (; i < len; i++)
        if (copy[i] == '\r' && !(i + 1 < len && copy[i + 1] == '\n'))
            copy[i] = '\n';
    rc = ds_csv_parse(file, copy, len, c, err);
    free(copy);
    return rc;
}

/* The points of a design file: `file` names it in messages, text[0..len)
 * is its content. */
static int build_from_text(const char *file, const char *text, size_t len,
                           const ds_design_args *args, ds_design *d, ds_error *err)
{
    ds_csv *c = NULL;
    size_t nc, nr;
    int rc = parse_csv(file, text, len, &c, err);
    if (rc != DS_OK)
        return rc;
    nc = ds_csv_cols(c);
    nr = ds_csv_rows(c);
    if (nr == 0) {
        rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: no design points (no rows after the header)",
                          file, ds_csv_header_line(c));
        goto fail;
    }
    if (nr > DS_DESIGN_MAX_POINTS) {
        rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: more than %u design points", file,
                          ds_csv_line(c, DS_DESIGN_MAX_POINTS), DS_DESIGN_MAX_POINTS);
        goto fail;
    }
    d->dims = calloc(nc, sizeof *d->dims);
    d->line = calloc(nr, sizeof *d->line);
    if (!d->dims || !d->line || !(d->file = strdup(file)))
        goto nomem;
    d->n_dims = nc;
    d->n_points = nr;
    for (size_t i = 0; i < nr; i++)
        d->line[i] = ds_csv_line(c, i);
    for (size_t j = 0; j < nc; j++) {
        const char *name = ds_csv_name(c, j);
        dim *dm = &d->dims[j];
        int integer;
        if (!(dm->path = dup_trim(name, strlen(name))))
            goto nomem;
        if (!*dm->path) {
            rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: column %zu has an empty name",
                              file, ds_csv_header_line(c), j + 1);
            goto fail;
        }
        for (size_t jj = 0; jj < j; jj++)
            if (strcmp(d->dims[jj].path, dm->path) == 0) {
                rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: duplicate column '%s'",
                                  file, ds_csv_header_line(c), dm->path);
                goto fail;
            }
        if (dim_alloc(dm, nr))
            goto nomem;
        integer = is_int(args, dm->path);
        for (size_t i = 0; i < nr; i++) {
            const char *raw = ds_csv_cell(c, i, j);
            char *t = dup_trim(raw, strlen(raw));
            if (!t)
                goto nomem;
            if (!*t) {
                free(t);
                rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: column '%s': empty value",
                                  file, ds_csv_line(c, i), dm->path);
                goto fail;
            }
            rc = make_item(t, 1, integer, &dm->value[i], &dm->cell[i]);
            if (rc == DS_EINVAL)
                ds_error_set(err, DS_EINVAL,
                             "%s:%zu: error: column '%s': expected an integer, got '%s'",
                             file, ds_csv_line(c, i), dm->path, t);
            free(t);
            if (rc == DS_ENOMEM)
                goto nomem;
            if (rc != DS_OK)
                goto fail;
        }
    }
    ds_csv_free(c);
    return DS_OK;
nomem:
    rc = ds_error_set(err, DS_ENOMEM, "error: out of memory");
fail:
    ds_csv_free(c);
    return rc;
}

/* Fill the lhs or sobol values of every dim from the ranges in sp[]. */
static int build_sampled(const ds_design_args *args, ds_design *d, const spec *sp,
                         ds_error *err)
{
    size_t n = d->n_points, m = d->n_dims;
    size_t *perm = NULL;
    double *x = NULL;
    gsl_qrng *q = NULL;
    int rc = DS_ENOMEM;

    for (size_t j = 0; j < m; j++)
        if (dim_alloc(&d->dims[j], n))
            goto nomem;
    if (d->kind == KIND_LHS) {
        /* McKay, Beckman & Conover (1979): stratum perm[i] of N, uniform
         * within it.  Stream fixed by the seed alone (SPEC §7, rng.h). */
        ds_rng r;
        ds_rng_open(&r, args->seed, 0, DS_STREAM(DS_STREAM_DESIGN, 0));
        if (!(perm = malloc(n * sizeof *perm)))
            goto nomem;
        for (size_t j = 0; j < m; j++) {
            for (size_t i = 0; i < n; i++)
                perm[i] = i;
            gsl_ran_shuffle(ds_rng_gsl(&r), perm, n, sizeof *perm);
            for (size_t i = 0; i < n; i++) {
                double u = ((double)perm[i] + ds_rng_uniform(&r)) / (double)n;
                if (put_number(&d->dims[j], i, sp[j].a + (sp[j].b - sp[j].a) * u,
                               is_int(args, d->dims[j].path)))
                    goto nomem;
            }
        }
    } else {
        /* GSL's Sobol sequence (Antonov & Saleev 1979; Bratley & Fox 1988). */
        if (m > gsl_qrng_sobol->max_dimension) {
            rc = ds_error_set(err, DS_EINVAL,
                              "error: --design sobol: at most %u varied paths (GSL), got %zu",
                              gsl_qrng_sobol->max_dimension, m);
            goto fail;
        }
        q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)m);
        x = malloc(m * sizeof *x);
        if (!q || !x)
            goto nomem;
        for (size_t i = 0; i < n; i++) {
            if (gsl_qrng_get(q, x) != 0) /* GCOVR_EXCL_BR_LINE: see below */
                goto nomem; /* cannot happen below max_dimension  GCOVR_EXCL_LINE */
            for (size_t j = 0; j < m; j++)
                if (put_number(&d->dims[j], i, sp[j].a + (sp[j].b - sp[j].a) * x[j],
                               is_int(args, d->dims[j].path)))
                    goto nomem;
        }
    }
    rc = DS_OK;
    goto done;
nomem:
    rc = ds_error_set(err, DS_ENOMEM, "error: out of memory");
fail:
done:
    free(perm);
    free(x);
    if (q)
        gsl_qrng_free(q);
    return rc;
}

/* Fill dim j of a grid from its SPEC. */
static int build_grid_dim(const ds_design_args *args, dim *dm, const spec *sp,
                          const char *arg, ds_error *err)
{
    int integer = is_int(args, dm->path);
    size_t n = sp->is_range ? sp->k : sp->n_items;
    if (dim_alloc(dm, n))
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (sp->is_range) {
            double x;
            int ok = integer ? grid_integer(sp->a, sp->b, sp->k, i, &x)
                             : (x = grid_value(sp->a, sp->b, sp->k, i), 1);
            if (!ok) {
                char buf[DS_CSV_NUM_MAX];
                return ds_error_set(err, DS_EINVAL,
                                    "error: --vary %s: '%s' is an integer key, value %zu is %s",
                                    arg, dm->path, i + 1, ds_csv_format_double(buf, x));
            }
            if (put_number(dm, i, x, 0))
                return ds_error_set(err, DS_ENOMEM, "error: out of memory");
        } else {
            int rc = make_item(sp->items[i], 0, integer, &dm->value[i], &dm->cell[i]);
            if (rc == DS_EINVAL)
                return ds_error_set(err, DS_EINVAL,
                                    "error: --vary %s: '%s' is an integer key, got '%s'",
                                    arg, dm->path, sp->items[i]);
            if (rc != DS_OK)
                return ds_error_set(err, DS_ENOMEM, "error: out of memory");
        }
    }
    return DS_OK;
}

int ds_design_new(const ds_design_args *args, ds_design **out, ds_error *err)
{
    ds_design *d = NULL;
    spec *sp = NULL;
    size_t m = args->n_vary;
    unsigned long long samples = 0;
    int rc = DS_ENOMEM;

    *out = NULL;
    if (!(d = calloc(1, sizeof *d)))
        goto nomem;

    if (args->design_file) {
        if (m > 0) {
            rc = ds_error_set(err, DS_EINVAL, "error: --design-file excludes --vary");
            goto fail;
        }
        if (args->design) {
            rc = ds_error_set(err, DS_EINVAL, "error: --design-file excludes --design");
            goto fail;
        }
        if (args->samples) {
            rc = ds_error_set(err, DS_EINVAL, "error: --samples needs --design lhs or sobol, "
                                              "not --design-file");
            goto fail;
        }
        char *text = NULL;
        size_t len = 0;
        d->kind = KIND_FILE;
        rc = read_file(args->design_file, &text, &len, err);
        if (rc == DS_OK)
            rc = build_from_text(args->design_file, text, len, args, d, err);
        free(text);
        if (rc != DS_OK)
            goto fail;
        *out = d;
        return DS_OK;
    }

    if (!args->design || strcmp(args->design, "grid") == 0)
        d->kind = KIND_GRID;
    else if (strcmp(args->design, "lhs") == 0)
        d->kind = KIND_LHS;
    else if (strcmp(args->design, "sobol") == 0)
        d->kind = KIND_SOBOL;
    else {
        rc = ds_error_set(err, DS_EINVAL,
                          "error: --design %s: unknown design (grid, lhs or sobol)",
                          args->design);
        goto fail;
    }
    if (m == 0) {
        rc = ds_error_set(err, DS_EINVAL, "error: sweep needs --vary PATH=SPEC or --design-file");
        goto fail;
    }
    if (d->kind == KIND_GRID && args->samples) {
        rc = ds_error_set(err, DS_EINVAL, "error: --samples needs --design lhs or sobol");
        goto fail;
    }
    if (d->kind != KIND_GRID) {
        if (!args->samples) {
            rc = ds_error_set(err, DS_EINVAL, "error: --design %s needs --samples N",
                              args->design);
            goto fail;
        }
        if (!parse_count(args->samples, &samples) || samples < 1 ||
            samples > DS_DESIGN_MAX_POINTS) {
            rc = ds_error_set(err, DS_EINVAL,
                              "error: --samples %s: expected an integer in 1..%u",
                              args->samples, DS_DESIGN_MAX_POINTS);
            goto fail;
        }
    }

    sp = calloc(m, sizeof *sp);
    d->dims = calloc(m, sizeof *d->dims);
    if (!sp || !d->dims)
        goto nomem;
    d->n_dims = m;
    d->n_points = d->kind == KIND_GRID ? 1 : (size_t)samples;
    for (size_t j = 0; j < m; j++) {
        const char *arg = args->vary[j], *eq = strchr(arg, '=');
        dim *dm = &d->dims[j];
        if (!eq) {
            rc = ds_error_set(err, DS_EINVAL, "error: --vary %s: expected PATH=SPEC", arg);
            goto fail;
        }
        if (!(dm->path = dup_trim(arg, (size_t)(eq - arg))))
            goto nomem;
        if (!*dm->path) {
            rc = ds_error_set(err, DS_EINVAL, "error: --vary %s: empty path", arg);
            goto fail;
        }
        for (size_t jj = 0; jj < j; jj++)
            if (strcmp(d->dims[jj].path, dm->path) == 0) {
                rc = ds_error_set(err, DS_EINVAL, "error: --vary %s: '%s' is varied twice",
                                  arg, dm->path);
                goto fail;
            }
        rc = parse_spec(arg, eq + 1, &sp[j], err);
        if (rc != DS_OK)
            goto fail;
        if (d->kind == KIND_GRID) {
            if (sp[j].is_range && !sp[j].has_k) {
                rc = ds_error_set(err, DS_EINVAL,
                                  "error: --vary %s: the grid design needs a list v1,v2,... "
                                  "or a:b:k (a:b ranges are for --design lhs or sobol)", arg);
                goto fail;
            }
            rc = build_grid_dim(args, dm, &sp[j], arg, err);
            if (rc != DS_OK)
                goto fail;
            if (d->n_points > DS_DESIGN_MAX_POINTS / dm->n) {
                rc = ds_error_set(err, DS_EINVAL,
                                  "error: --vary %s: the grid has more than %u points",
                                  arg, DS_DESIGN_MAX_POINTS);
                goto fail;
            }
            d->n_points *= dm->n;
        } else if (!sp[j].is_range || sp[j].has_k) {
            rc = ds_error_set(err, DS_EINVAL,
                              "error: --vary %s: --design %s needs a range a:b", arg,
                              args->design);
            goto fail;
        }
    }
    if (d->kind != KIND_GRID) {
        rc = build_sampled(args, d, sp, err);
        if (rc != DS_OK)
            goto fail;
    }
    for (size_t j = 0; j < m; j++)
        spec_free(&sp[j]);
    free(sp);
    *out = d;
    return DS_OK;

nomem:
    rc = ds_error_set(err, DS_ENOMEM, "error: out of memory");
fail:
    if (sp)
        for (size_t j = 0; j < m; j++)
            spec_free(&sp[j]);
    free(sp);
    ds_design_free(d);
    return rc;
}

int ds_design_parse(const char *file, const char *text, size_t len,
                    ds_design_is_integer_fn is_integer, void *ctx, ds_design **out,
                    ds_error *err)
{
    ds_design_args args = {0};
    ds_design *d = calloc(1, sizeof *d);
    int rc;
    *out = NULL;
    if (!d)
        return ds_error_set(err, DS_ENOMEM, "error: out of memory");
    args.is_integer = is_integer;
    args.ctx = ctx;
    d->kind = KIND_FILE;
    rc = build_from_text(file, text, len, &args, d, err);
    if (rc != DS_OK) {
        ds_design_free(d);
        return rc;
    }
    *out = d;
    return DS_OK;
}

size_t ds_design_points(const ds_design *d) { return d->n_points; }
size_t ds_design_paths(const ds_design *d) { return d->n_dims; }
const char *ds_design_path(const ds_design *d, size_t j) { return d->dims[j].path; }
const char *ds_design_file(const ds_design *d) { return d->file; }

size_t ds_design_line(const ds_design *d, size_t i)
{
    return d->line ? d->line[i] : 0;
}

/* Index into dims[j]'s values of point i: mixed radix for a grid, the last
 * path varying fastest (SPEC §9: the first --vary varies slowest). */
static size_t value_index(const ds_design *d, size_t i, size_t j)
{
    if (d->kind != KIND_GRID)
        return i;
    for (size_t jj = d->n_dims; jj-- > j + 1;)
        i /= d->dims[jj].n;
    return i % d->dims[j].n;
}

const char *ds_design_value(const ds_design *d, size_t i, size_t j)
{
    return d->dims[j].value[value_index(d, i, j)];
}

const char *ds_design_cell(const ds_design *d, size_t i, size_t j)
{
    size_t k = value_index(d, i, j);
    return d->dims[j].cell[k] ? d->dims[j].cell[k] : d->dims[j].value[k];
}
