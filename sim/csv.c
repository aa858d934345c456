/*
 * csv.c - RFC 4180 reader and field/number writers (see include/dealsim/csv.h).
 * A leaf module like error.c: the reader feeds design.c and compare.c, the
 * writers serve every CSV output (SPEC §6).
 */
#include "dealsim/csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ds_csv {
    char *file;
    size_t n_cols, n_rows;
    char **cell;          /* header row then data rows, (1 + n_rows) * n_cols */
    size_t *line;         /* 1-based start line of header and of each row */
};

/* Growable arrays used while parsing. */
typedef struct {
    char *s;
    size_t n, cap;
} strbuf;

typedef struct {
    char **v;
    size_t n, cap;
} strvec;

static int strbuf_put(strbuf *b, char ch)
{
    if (b->n + 1 >= b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        char *p = realloc(b->s, cap);
        if (!p)
            return DS_ENOMEM;
        b->s = p;
        b->cap = cap;
    }
    b->s[b->n++] = ch;
    b->s[b->n] = '\0';
    return DS_OK;
}

static int strvec_push(strvec *v, char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        char **p = realloc(v->v, cap * sizeof *p);
        if (!p)
            return DS_ENOMEM;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = s;
    return DS_OK;
}

/* Move the field text out of b (an empty field becomes "") and append it. */
static int end_field(strbuf *b, strvec *fields)
{
    char *s = b->s ? b->s : malloc(1);
    if (!s)
        return DS_ENOMEM;
    if (!b->s)
        s[0] = '\0';
    if (strvec_push(fields, s) != DS_OK) {
        free(s);
        return DS_ENOMEM;
    }
    b->s = NULL;
    b->n = b->cap = 0;
    return DS_OK;
}

static int push_line(size_t **lines, size_t *n, size_t *cap, size_t line)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        size_t *p = realloc(*lines, c * sizeof *p);
        if (!p)
            return DS_ENOMEM;
        *lines = p;
        *cap = c;
    }
    (*lines)[(*n)++] = line;
    return DS_OK;
}

int ds_csv_parse(const char *file, const char *text, size_t len,
                 ds_csv **out, ds_error *err)
{
    strbuf fb = {0};
    strvec cells = {0};
    size_t *lines = NULL, n_lines = 0, cap_lines = 0;
    size_t i = 0, line = 1, row_line = 1, row_start, n_cols = 0;
    int rc = DS_ENOMEM, have_header = 0;
    ds_csv *c = NULL;

    *out = NULL;
    if (len >= 3 && (unsigned char)text[0] == 0xEF &&
        (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
        i = 3;

    while (i < len) {
        /* One record: starts at i, on line `line`. */
        size_t n_fields;
        row_line = line;
        row_start = cells.n;
        if (text[i] == '\n' || (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
            i += text[i] == '\r' ? 2 : 1; /* blank line: skipped */
            line++;
            continue;
        }
        for (;;) {
            /* One field. */
            if (i < len && text[i] == '"') {
                size_t q_line = line;
                i++;
                for (;;) {
                    if (i >= len) {
                        rc = ds_error_set(err, DS_EINVAL,
                                          "%s:%zu: error: unterminated quoted field",
                                          file, q_line);
                        goto fail;
                    }
                    if (text[i] == '"') {
                        if (i + 1 < len && text[i + 1] == '"') {
                            if (strbuf_put(&fb, '"'))
                                goto nomem;
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\0') {
                        rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: NUL byte",
                                          file, line);
                        goto fail;
                    }
                    if (text[i] == '\n')
                        line++;
                    if (strbuf_put(&fb, text[i]))
                        goto nomem;
                    i++;
                }
                if (i < len && text[i] != ',' && text[i] != '\n' &&
                    !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
                    rc = ds_error_set(err, DS_EINVAL,
                                      "%s:%zu: error: unexpected text after a closing quote",
                                      file, line);
                    goto fail;
                }
            } else {
                while (i < len && text[i] != ',' && text[i] != '\n' &&
                       !(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')) {
                    if (text[i] == '"') {
                        rc = ds_error_set(err, DS_EINVAL,
                                          "%s:%zu: error: quote inside an unquoted field "
                                          "(quote the whole field and double the quote)",
                                          file, line);
                        goto fail;
                    }
                    if (text[i] == '\0') {
                        rc = ds_error_set(err, DS_EINVAL, "%s:%zu: error: NUL byte",
                                          file, line);
                        goto fail;
                    }
                    if (strbuf_put(&fb, text[i]))
                        goto nomem;
                    i++;
                }
            }
            if (end_field(&fb, &cells))
                goto nomem;
            if (i < len && text[i] == ',') {
                i++;
                continue;
            }
            break; /* end of record: line end or end of input */
        }
        if (i < len) { /* consume the line end */
            i += text[i] == '\r' ? 2 : 1;
            line++;
        }
        n_fields = cells.n - row_start;
        if (!have_header) {
            n_cols = n_fields;
            have_header = 1;
        } else if (n_fields != n_cols) {
            rc = ds_error_set(err, DS_EINVAL,
                              "%s:%zu: error: row has %zu field%s, the header has %zu",
                              file, row_line, n_fields, n_fields == 1 ? "" : "s", n_cols);
            goto fail;
        }
        if (push_line(&lines, &n_lines, &cap_lines, row_line))
            goto nomem;
    }
    if (!have_header) {
        rc = ds_error_set(err, DS_EINVAL, "%s:1: error: empty file (no header row)", file);
        goto fail;
    }

    c = calloc(1, sizeof *c);
    if (!c || !(c->file = strdup(file)))
        goto nomem;
    c->n_cols = n_cols;
    c->n_rows = n_lines - 1;
    c->cell = cells.v;
    c->line = lines;
    *out = c;
    return DS_OK;

nomem:
    rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", file);
fail:
    if (c) {
        free(c->file);
        free(c);
    }
    free(fb.s);
    for (size_t k = 0; k < cells.n; k++)
        free(cells.v[k]);
    free(cells.v);
    free(lines);
    return rc;
}

int ds_csv_read(const char *path, ds_csv **out, ds_error *err)
{
    FILE *f = NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        rc = ds_error_set(err, DS_EIO, "%s: error: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    for (;;) {
        size_t got;
        if (cap - n < 65536) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *p = realloc(buf, ncap);
            if (!p) {
                rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", path);
                goto fail;
            }
            buf = p;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, f);
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
    rc = ds_csv_parse(path, buf, n, out, err);
fail:
    if (f)
        fclose(f);
    free(buf);
    return rc;
}

void ds_csv_free(ds_csv *c)
{
    if (!c)
        return;
    for (size_t k = 0; k < (c->n_rows + 1) * c->n_cols; k++)
        free(c->cell[k]);
    free(c->cell);
    free(c->line);
    free(c->file);
    free(c);
}

const char *ds_csv_file(const ds_csv *c) { return c->file; }
size_t ds_csv_cols(const ds_csv *c) { return c->n_cols; }
size_t ds_csv_rows(const ds_csv *c) { return c->n_rows; }
const char *ds_csv_name(const ds_csv *c, size_t j) { return c->cell[j]; }
size_t ds_csv_line(const ds_csv *c, size_t i) { return c->line[i + 1]; }
size_t ds_csv_header_line(const ds_csv *c) { return c->line[0]; }

const char *ds_csv_cell(const ds_csv *c, size_t i, size_t j)
{
    return c->cell[(i + 1) * c->n_cols + j];
}

long ds_csv_find(const ds_csv *c, const char *name)
{
    for (size_t j = 0; j < c->n_cols; j++)
        if (strcmp(c->cell[j], name) == 0)
            return (long)j;
    return -1;
}

int ds_csv_write_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
    if (!quote && strpbrk(s, ",\"\r\n"))
        quote = 1;
    if (!quote)
        return fputs(s, f) == EOF ? DS_EIO : DS_OK;
    if (putc('"', f) == EOF)
        return DS_EIO;
    for (; *s; s++) {
        if (*s == '"' && putc('"', f) == EOF)
            return DS_EIO;
        if (putc(*s, f) == EOF)
            return DS_EIO;
    }
    return putc('"', f) == EOF ? DS_EIO : DS_OK;
}

/* Write, into out, what printf's "%.Pg" writes for a number whose P
 * significant digits are d[0..P-1] (d[0] != '0') and decimal exponent X
 * (value = d[0].d[1..] * 10^X).  C11 7.21.6.1: style f with P - 1 - X
 * decimals if P > X >= -4, else style e with P - 1; trailing zeros of the
 * fraction and a bare '.' removed; e-style exponents have >= 2 digits. */
static void g_style(char *out, int neg, const char *d, int P, int X)
{
    int last = P - 1;                  /* last significant digit kept */
    while (last > 0 && d[last] == '0')
        last--;
    if (neg)
        *out++ = '-';
    if (X < P && X >= -4) {
        if (X < 0) {
            *out++ = '0';
            *out++ = '.';
            for (int k = 0; k < -X - 1; k++)
                *out++ = '0';
            for (int k = 0; k <= last; k++)
                *out++ = d[k];
        } else {
            for (int k = 0; k <= X; k++)
                *out++ = d[k];
            if (last > X) {
                *out++ = '.';
                for (int k = X + 1; k <= last; k++)
                    *out++ = d[k];
            }
        }
        *out = '\0';
        return;
    }
    *out++ = d[0];
    if (last > 0) {
        *out++ = '.';
        for (int k = 1; k <= last; k++)
            *out++ = d[k];
    }
    sprintf(out, "e%c%02d", X < 0 ? '-' : '+', X < 0 ? -X : X);
}

static int reads_back(const char *s, double x)
{
    double y = strtod(s, NULL);
    return memcmp(&x, &y, sizeof x) == 0;
}

char *ds_csv_format_double(char buf[DS_CSV_NUM_MAX], double x)
{
    /* 17 significant digits always identify a double (IEEE 754 binary64);
     * fewer often do, and read better.  printf's conversion is exact but
     * slow, so it runs once, for all 17 digits ("%.16e"); the 15- and
     * 16-digit candidates are rounded from them.  That equals rounding the
     * exact value except when the digits beyond are exactly "50...0" (the
     * 17-digit rounding may have made that tie): then printf decides. */
    char e[DS_CSV_NUM_MAX], d[18], r[18];
    int neg, X;

    if (isnan(x)) {
        buf[0] = '\0';
        return buf;
    }
    if (isinf(x)) {
        strcpy(buf, x > 0 ? "inf" : "-inf");
        return buf;
    }
    if (x == 0) {
        strcpy(buf, signbit(x) ? "-0" : "0");
        return buf;
    }
    snprintf(e, sizeof e, "%.16e", x);     /* [-]d.dddddddddddddddde[+-]XX */
    neg = e[0] == '-';
    {
        const char *p = e + neg;
        d[0] = p[0];
        memcpy(d + 1, p + 2, 16);
        d[17] = '\0';
        X = atoi(p + 19);
    }
    for (int P = 15; P <= 16; P++) {
        int tie = d[P] == '5', up = d[P] >= '5', rx = X;
        for (int k = P + 1; k < 17 && tie; k++)
            tie = d[k] == '0';
        if (tie) {
            snprintf(buf, DS_CSV_NUM_MAX, "%.*g", P, x);
            if (reads_back(buf, x))
                return buf;
            continue;
        }
        memcpy(r, d, (size_t)P);
        if (up) {
            int k = P - 1;
            while (k >= 0 && r[k] == '9')
                r[k--] = '0';
            if (k >= 0) {
                r[k]++;
            } else {                       /* 99..9 -> 100..0, one more digit */
                r[0] = '1';
                rx++;
            }
        }
        g_style(buf, neg, r, P, rx);
        if (reads_back(buf, x))
            return buf;
    }
    g_style(buf, neg, d, 17, X);
    return buf;
}

int ds_csv_write_double(FILE *f, double x)
{
    char buf[DS_CSV_NUM_MAX];
    return ds_csv_write_field(f, ds_csv_format_double(buf, x));
}

int ds_csv_parse_double(const char *s, double *x)
{
    char *end;
    double v;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return 0;
    errno = 0;
    v = strtod(s, &end);
    if (end == s)
        return 0;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end)
        return 0;
    *x = v;
    return 1;
}
