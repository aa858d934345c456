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
#include <sys/stat.h>

/* The cells are kept as one text: every cell's bytes and a NUL, in file
 * order (header first), written over the file's own bytes as they are read
 * (a cell never takes more bytes than it had in the file, quotes and
 * separators included, but for the NUL after the last one).  Every
 * CELL_STRIDE-th cell's offset is indexed; a lookup steps over at most
 * CELL_STRIDE - 1 cells.  The line where each record (header, rows) starts
 * is kept as its step from the record before, one byte, with the full line
 * of every LINE_STRIDE-th record, and the rare steps of FAR lines or more
 * (blank lines, fields of many lines) in a table of their own.
 *
 * So a file of len bytes takes len + 1 bytes of text, at most len + 1
 * bytes of index (every cell has at least one byte of its own, a separator
 * or line end, but the last) and about 1.07 bytes per record (a record has
 * at least two bytes, a character and a line end, but the last; a far step
 * stands for at least FAR - 1 bytes): about 2.6 times the file's size at
 * most, 2 times for a file of commas. */
#define CELL_STRIDE 4
#define LINE_STRIDE 64
#define FAR 255            /* a step of a byte that says: see the far table */

struct ds_csv {
    char *file;
    size_t n_cols, n_rows;
    char *text;           /* header row then data rows, each cell + NUL */
    uint32_t *index;      /* offset in text of cells 0, CELL_STRIDE, ...;
                             the allocation holds the line tables too */
    uint32_t *mark;       /* line of records 0, LINE_STRIDE, ... (1-based) */
    uint32_t *far;        /* n_far pairs (record, line), records ascending */
    size_t n_far;
    unsigned char *step;  /* [record] its line minus the previous record's,
                             or FAR: its line is in `far` */
};

/* What a pass over the text found, or (fill) writes. */
typedef struct scan {
    const char *file;
    char *t;              /* the text; compacted in place when filling */
    size_t len;
    int fill;
    size_t cols, cells, recs, fars;
    /* filled when fill is set */
    uint32_t *index, *mark, *far;
    unsigned char *step;
} scan;

/* Note where record r (s->recs) starts: line `line`, the one before it at
 * `prev`. */
static void note_line(scan *s, size_t line, size_t prev)
{
    size_t r = s->recs;
    if (r % LINE_STRIDE == 0) {
        if (s->fill) {
            s->mark[r / LINE_STRIDE] = (uint32_t)line;
            s->step[r] = 0;
        }
    } else if (line - prev < FAR) {
        if (s->fill)
            s->step[r] = (unsigned char)(line - prev);
    } else {
        if (s->fill) {
            s->step[r] = FAR;
            s->far[2 * s->fars] = (uint32_t)r;
            s->far[2 * s->fars + 1] = (uint32_t)line;
        }
        s->fars++;
    }
}

/* A line end at t[i]: 1 for "\n", 2 for "\r\n", else 0. */
static size_t line_end(const char *t, size_t i, size_t len)
{
    if (t[i] == '\n')
        return 1;
    return t[i] == '\r' && i + 1 < len && t[i + 1] == '\n' ? 2 : 0;
}

/* One pass over the text: count (fill 0, checking everything) or compact
 * and index (fill 1, after a counting pass found no problem).  Cell bytes
 * are written at w <= i, the next byte to read, so nothing unread is
 * overwritten; a separator is looked at before the NUL replaces it. */
static int scan_text(scan *s, ds_error *err)
{
    char *t = s->t;
    const size_t len = s->len;
    size_t i = 0, w = 0, line = 1, prev = 1;

    s->cells = s->recs = s->fars = 0;
    if (len >= 3 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB &&
        (unsigned char)t[2] == 0xBF)
        i = 3;
    while (i < len) {
        /* One record: starts at i, on line `line`. */
        size_t row_line = line, fields = 0, sep;
        int comma;
        if ((sep = line_end(t, i, len)) != 0) {
            i += sep; /* blank line: skipped */
            line++;
            continue;
        }
        for (;;) {
            /* One field. */
            if (s->fill && s->cells % CELL_STRIDE == 0)
                s->index[s->cells / CELL_STRIDE] = (uint32_t)w;
            if (i < len && t[i] == '"') {
                size_t q_line = line;
                i++;
                for (;;) {
                    if (i >= len)
                        return ds_error_set(err, DS_EINVAL,
                                            "%s:%zu: error: unterminated quoted field",
                                            s->file, q_line);
                    if (t[i] == '"') {
                        if (i + 1 < len && t[i + 1] == '"') {
                            if (s->fill)
                                t[w] = '"';
                            w++;
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (t[i] == '\0')
                        return ds_error_set(err, DS_EINVAL, "%s:%zu: error: NUL byte",
                                            s->file, line);
                    if (t[i] == '\n')
                        line++;
                    if (s->fill)
                        t[w] = t[i];
                    w++;
                    i++;
                }
                if (i < len && t[i] != ',' && !line_end(t, i, len))
                    return ds_error_set(err, DS_EINVAL,
                                        "%s:%zu: error: unexpected text after a closing quote",
                                        s->file, line);
            } else {
                while (i < len && t[i] != ',' && !line_end(t, i, len)) {
                    if (t[i] == '"')
                        return ds_error_set(err, DS_EINVAL,
                                            "%s:%zu: error: quote inside an unquoted field "
                                            "(quote the whole field and double the quote)",
                                            s->file, line);
                    if (t[i] == '\0')
                        return ds_error_set(err, DS_EINVAL, "%s:%zu: error: NUL byte",
                                            s->file, line);
                    if (s->fill)
                        t[w] = t[i];
                    w++;
                    i++;
                }
            }
            /* The field ends at a comma, a line end or the end of input:
             * which one is read before the NUL may replace it. */
            comma = i < len && t[i] == ',';
            sep = comma || i >= len ? 0 : line_end(t, i, len);
            if (s->fill)
                t[w] = '\0';
            w++;
            s->cells++;
            fields++;
            if (comma) {
                i++;
                continue;
            }
            break; /* end of record: line end or end of input */
        }
        if (i < len) { /* consume the line end */
            i += sep;
            line++;
        }
        if (s->recs == 0)
            s->cols = fields;
        else if (fields != s->cols)
            return ds_error_set(err, DS_EINVAL,
                                "%s:%zu: error: row has %zu field%s, the header has %zu",
                                s->file, row_line, fields, fields == 1 ? "" : "s", s->cols);
        note_line(s, row_line, prev);
        prev = row_line;
        s->recs++;
    }
    if (s->recs == 0)
        return ds_error_set(err, DS_EINVAL, "%s:1: error: empty file (no header row)",
                            s->file);
    return DS_OK;
}

/* Parse text[0..len-1], a malloc'd buffer of at least len + 1 bytes that
 * the table takes over (freed on failure too): a counting pass checks
 * everything, then a second pass compacts the cells in place and indexes
 * them, into arrays of the exact size. */
static int parse_owned(const char *file, char *text, size_t len, ds_csv **out,
                       ds_error *err)
{
    scan sc;
    ds_csv *c = NULL;
    size_t nidx, nmark;
    int rc;

    *out = NULL;
    memset(&sc, 0, sizeof sc);
    sc.file = file;
    sc.t = text;
    sc.len = len;
    if (len > DS_CSV_MAX_BYTES) {
        rc = ds_error_set(err, DS_EINVAL, "%s: error: file larger than %zu bytes", file,
                          DS_CSV_MAX_BYTES);
        goto fail;
    }
    if ((rc = scan_text(&sc, err)) != DS_OK)
        goto fail;
    nidx = (sc.cells + CELL_STRIDE - 1) / CELL_STRIDE;
    nmark = (sc.recs + LINE_STRIDE - 1) / LINE_STRIDE;
    c = calloc(1, sizeof *c);
    if (!c || !(c->file = strdup(file)) ||
        !(c->index = malloc((nidx + nmark + 2 * sc.fars) * sizeof *c->index + sc.recs))) {
        rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", file);
        goto fail;
    }
    c->mark = c->index + nidx;
    c->far = c->mark + nmark;
    c->n_far = sc.fars;
    c->step = (unsigned char *)(c->far + 2 * sc.fars);
    sc.fill = 1;
    sc.index = c->index;
    sc.mark = c->mark;
    sc.far = c->far;
    sc.step = c->step;
    scan_text(&sc, err); /* cannot fail: the counting pass found no problem */
    c->text = text;
    c->n_cols = sc.cols;
    c->n_rows = sc.recs - 1;
    *out = c;
    return DS_OK;
fail:
    ds_csv_free(c);        /* its text is not set yet */
    free(text);
    return rc;
}

int ds_csv_parse(const char *file, const char *text, size_t len,
                 ds_csv **out, ds_error *err)
{
    char *copy;
    *out = NULL;
    if (len > DS_CSV_MAX_BYTES)
        return ds_error_set(err, DS_EINVAL, "%s: error: file larger than %zu bytes", file,
                            DS_CSV_MAX_BYTES);
    if (!(copy = malloc(len + 1)))
        return ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", file);
    if (len)
        memcpy(copy, text, len);
    return parse_owned(file, copy, len, out, err);
}

int ds_csv_read(const char *path, ds_csv **out, ds_error *err)
{
    FILE *f = NULL;
    struct stat st;
    char *buf = NULL;
    size_t n = 0, cap;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        rc = ds_error_set(err, DS_EIO, "%s: error: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    /* A regular file is read into a buffer of its size (+ 1 for the NUL
     * after the last cell, + 1 to see that it did not grow); anything else
     * into a doubling one.  Reading stops past DS_CSV_MAX_BYTES. */
    cap = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
                  (uintmax_t)st.st_size <= DS_CSV_MAX_BYTES
              ? (size_t)st.st_size + 2 : 65536;
    for (;;) {
        size_t got;
        if (cap - n < 2) {
            size_t ncap = 2 * cap;
            char *p = realloc(buf, ncap);
            if (!p) {
                rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", path);
                goto fail;
            }
            buf = p;
            cap = ncap;
        } else if (!buf && !(buf = malloc(cap))) {
            rc = ds_error_set(err, DS_ENOMEM, "%s: error: out of memory", path);
            goto fail;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0 || n > DS_CSV_MAX_BYTES)
            break;
    }
    if (ferror(f)) {
        rc = ds_error_set(err, DS_EIO, "%s: error: cannot read: %s", path, strerror(errno));
        goto fail;
    }
    fclose(f);
    return parse_owned(path, buf, n, out, err);
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
    free(c->text);
    free(c->index);       /* and the line tables after it */
    free(c->file);
    free(c);
}

/* Cell g of the text (header cells first, row by row). */
static const char *cell_at(const ds_csv *c, size_t g)
{
    const char *p = c->text + c->index[g / CELL_STRIDE];
    for (size_t k = g % CELL_STRIDE; k > 0; k--)
        p += strlen(p) + 1;
    return p;
}

const char *ds_csv_file(const ds_csv *c) { return c->file; }
size_t ds_csv_cols(const ds_csv *c) { return c->n_cols; }
size_t ds_csv_rows(const ds_csv *c) { return c->n_rows; }
const char *ds_csv_name(const ds_csv *c, size_t j) { return cell_at(c, j); }
/* The line where record r (0: the header) starts. */
static size_t record_line(const ds_csv *c, size_t r)
{
    size_t line = c->mark[r / LINE_STRIDE];
    for (size_t k = r - r % LINE_STRIDE + 1; k <= r; k++) {
        if (c->step[k] < FAR) {
            line += c->step[k];
        } else {           /* binary search of the far table */
            size_t lo = 0, hi = c->n_far;
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (c->far[2 * mid] <= k)
                    lo = mid;
                else
                    hi = mid;
            }
            line = c->far[2 * lo + 1];
        }
    }
    return line;
}

size_t ds_csv_line(const ds_csv *c, size_t i) { return record_line(c, i + 1); }
size_t ds_csv_header_line(const ds_csv *c) { return record_line(c, 0); }

const char *ds_csv_cell(const ds_csv *c, size_t i, size_t j)
{
    return cell_at(c, (i + 1) * c->n_cols + j);
}

long ds_csv_find(const ds_csv *c, const char *name)
{
    const char *p = c->text;
    for (size_t j = 0; j < c->n_cols; j++, p += strlen(p) + 1)
        if (strcmp(p, name) == 0)
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
    /* The text in runs that end after each '"', each '"' then doubled. */
    for (;;) {
        const char *q = strchr(s, '"');
        size_t len = q ? (size_t)(q - s) + 1 : strlen(s);
        if (fwrite(s, 1, len, f) != len || (q && putc('"', f) == EOF))
            return DS_EIO;
        if (!q)
            break;
        s = q + 1;
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

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 u128;

/* 10^k for k <= 38, a table: the digits of every number need a few. */
#define P19 ((u128)10000000000000000000U)
static const u128 pow10_table[39] = {
    (u128)1U,
    (u128)10U,
    (u128)100U,
    (u128)1000U,
    (u128)10000U,
    (u128)100000U,
    (u128)1000000U,
    (u128)10000000U,
    (u128)100000000U,
    (u128)1000000000U,
    (u128)10000000000U,
    (u128)100000000000U,
    (u128)1000000000000U,
    (u128)10000000000000U,
    (u128)100000000000000U,
    (u128)1000000000000000U,
    (u128)10000000000000000U,
    (u128)100000000000000000U,
    (u128)1000000000000000000U,
    P19,
    P19 * (u128)10U,
    P19 * (u128)100U,
    P19 * (u128)1000U,
    P19 * (u128)10000U,
    P19 * (u128)100000U,
    P19 * (u128)1000000U,
    P19 * (u128)10000000U,
    P19 * (u128)100000000U,
    P19 * (u128)1000000000U,
    P19 * (u128)10000000000U,
    P19 * (u128)100000000000U,
    P19 * (u128)1000000000000U,
    P19 * (u128)10000000000000U,
    P19 * (u128)100000000000000U,
    P19 * (u128)1000000000000000U,
    P19 * (u128)10000000000000000U,
    P19 * (u128)100000000000000000U,
    P19 * (u128)1000000000000000000U,
    P19 * (u128)10000000000000000000U,
};
#undef P19

static u128 pow10_u128(int k)
{
    return pow10_table[k];
}

/* "00" to "99". */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* m 10^k, in one 64-bit multiply while 10^k fits in 64 bits (k <= 19). */
static u128 mul_pow10(uint64_t m, int k)
{
    return k <= 19 ? (u128)m * (uint64_t)pow10_table[k] : (u128)m * pow10_table[k];
}

/* x = m 2^-s (exact).  round(x 10^k) in *q, rounded half to even, and
 * whether that candidate, D with D 10^k = *q, reads back as x: whether
 * strtod of it rounds to x (to nearest, ties to even).  A = m 10^k must
 * stay below 2^123 (so that 4 A + 4 2^s fits), 1 <= s < 123. */
static int round_scaled(uint64_t m, int s, int k, uint64_t *q)
{
    u128 tk = pow10_u128(k), a = mul_pow10(m, k);
    u128 one = (u128)1 << s, rem = a & (one - 1), half = one >> 1;
    u128 d;
    uint64_t r = (uint64_t)(a >> s);

    if (rem > half || (rem == half && (r & 1)))
        r++;
    *q = r;
    d = (u128)r << s;               /* D 10^k 2^s, against A */
    if (d >= a)                      /* above x: the gap up is 2^-s */
        return 2 * (d - a) < tk || (2 * (d - a) == tk && !(m & 1));
    /* A power of two: the gap down is half, and a tie goes to x (even).
     * Not reached from format_exact: every power of two in its range has
     * at most 15 significant digits, so its candidates are exact. */
    if (m == (uint64_t)1 << 52)
        return 4 * (a - d) <= tk;   /* GCOVR_EXCL_LINE */
    return 2 * (a - d) < tk || (2 * (a - d) == tk && !(m & 1));
}
#endif

/* ds_csv_format_double for a finite x with 1e-5 <= |x| < 1e15 (buf
 * filled, 1), without printf or strtod: the digits of x and whether a
 * candidate reads back are found exactly in 128-bit integers.  0 (buf
 * untouched) for any other x, or without 128-bit integers. */
static int format_exact(char *buf, double x)
{
#ifdef __SIZEOF_INT128__
    double a = fabs(x);
    int ex, X, s;
    uint64_t m, q;
    char d[18];

    if (!(a >= 1e-5 && a < 1e15))
        return 0;
    {
        uint64_t bits;
        memcpy(&bits, &a, sizeof bits);       /* a is normal here */
        m = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
        ex = (int)(bits >> 52) - 1022;         /* a = m 2^(ex - 53) */
    }
    s = 53 - ex;                               /* 1 <= s <= 70 here */
    /* X = floor(log10(a)), in -5..14: the one for which a 10^(16 - X) has
     * 17 digits before the point.  2^(ex - 1) <= a < 2^ex puts it at
     * floor((ex - 1) log10(2)) or one more: the loop below settles it.
     * 1233 / 4096 is log10(2) to within 5e-6, so that for -17 <= ex - 1
     * <= 50 this floor, in integers (4096 + ex - 1 > 0), is the same. */
    X = (4096 + ex - 1) * 1233 / 4096 - 1233;
    X = X < -5 ? -5 : X > 14 ? 14 : X;
    for (int tries = 0;; tries++) {
        uint64_t f;
        /* Off by at most one, and X0 is in the range: not reached. */
        if (tries > 2 || X < -5 || X > 14)
            return 0;                          /* GCOVR_EXCL_LINE */
        f = (uint64_t)(mul_pow10(m, 16 - X) >> s);
        if (f < 10000000000000000u)
            X--;
        else if (f >= 100000000000000000u)
            X++;
        else
            break;
    }
    for (int P = 15; P <= 17; P++) {
        int ok = round_scaled(m, s, P - 1 - X, &q), rx = X;
        if (!ok && P < 17)
            continue;
        if (q == (uint64_t)(pow10_u128(P))) {  /* 99..9 -> 100..0 */
            q /= 10;
            rx++;
        }
        {
            /* q < 10^17: its last 8 digits, then the 9 or fewer above them,
             * two digits a division in 32-bit words. */
            uint32_t lo = (uint32_t)(q % 100000000u), hi = (uint32_t)(q / 100000000u);
            int j = P - 1;
            for (int t = 0; t < 4; t++, j -= 2) {
                memcpy(d + j - 1, digit_pairs + 2 * (lo % 100), 2);
                lo /= 100;
            }
            for (; j >= 1; j -= 2) {
                memcpy(d + j - 1, digit_pairs + 2 * (hi % 100), 2);
                hi /= 100;
            }
            if (j == 0)
                d[0] = (char)('0' + hi);
        }
        g_style(buf, x < 0, d, P, rx);
        return 1;
    }
#else
    (void)buf;
    (void)x;
#endif
    return 0;   /* with 128-bit integers, not reached: P = 17 always returns  GCOVR_EXCL_LINE */
}

char *ds_csv_format_double(char buf[DS_CSV_NUM_MAX], double x)
{
    if (format_exact(buf, x))
        return buf;
    /* 17 significant digits always identify a double (IEEE 754 binary64);
     * fewer often do, and read better.  The magnitudes of nearly every
     * output figure are done exactly in integers (format_exact); for the
     * others, printf's conversion is exact but
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
