/*
 * scenario.c - scenario files (SPEC §3, §4, §9): read and parse the JSON text
 * with exact syntax-error positions, the depth limit and duplicate-key
 * detection; apply `--set` overrides; copy and free.  Validation and model
 * building are in scenario_build.c.  Only these two files see cJSON.
 */
#include "scenario_priv.h"
#include "suggest.h"

#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Growth step when reading a file: its size is not trusted (pipes, /proc). */
#define READ_CHUNK 65536

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    return d ? strcpy(d, s) : NULL;
}

/* ------------------------------------------------------- text positions */

static int is_json_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* LINE:COL (both 1-based) of byte offset pos in t[0..n): COL counts UTF-8
 * code points (continuation bytes 10xxxxxx do not count); "\r\n", "\n" and
 * a lone "\r" each end one line (SPEC §4). */
static void locate(const char *t, size_t n, size_t pos, size_t *line,
                   size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < pos && i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\r' && i + 1 < n && t[i + 1] == '\n')
            continue; /* the '\n' ends the line */
        if (c == '\n' || c == '\r') {
            (*line)++;
            *col = 1;
        } else if ((c & 0xC0) != 0x80)
            (*col)++;
    }
}

static void syntax_error(ds_report *rep, const char *file, const char *t,
                         size_t n, size_t pos, const char *msg)
{
    size_t line, col;
    locate(t, n, pos, &line, &col);
    ds_report_add(rep, "%s:%zu:%zu: error: %s", file, line, col, msg);
}

/* A short printable excerpt of the text at pos, for syntax messages. */
static void excerpt(const char *t, size_t n, size_t pos, char *b, size_t bsz)
{
    /* Characters of context shown after "near": enough to recognise the
     * place, short enough for one line. */
    const size_t shown = 12;
    size_t k = 0;
    for (size_t i = pos; i < n && i < pos + shown && k + 5 < bsz; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '\n' || c == '\r')
            break;
        if (c >= 0x20 && c < 0x7f)
            b[k++] = (char)c;
        else
            k += (size_t)snprintf(b + k, bsz - k, "\\x%02x", c);
    }
    b[k] = '\0';
}

/*
 * A strict RFC 8259 syntax check done before cJSON sees the text: it gives
 * the exact place and reason of the first syntax error (cJSON's error
 * pointer is only approximate), enforces the DS_MAX_DEPTH nesting limit of
 * SPEC §3 without recursion, and rejects what cJSON tolerates or mangles:
 * control characters, leading zeros, trailing text, strings that are not
 * UTF-8 (RFC 8259 §8.1), lone surrogate escapes, numbers longer than cJSON
 * reads, and "\u0000" (cJSON keeps strings NUL-terminated, so it would cut
 * a key, id or name short).  Common mistakes (trailing or missing commas,
 * single quotes, comments) get a message that names them.  cJSON then
 * parses only text that passed, nested at most DS_MAX_DEPTH deep.
 * Nothing here reads t[i] unless i < n: the text need not be NUL-terminated.
 */
typedef struct jcheck {
    size_t pos;      /* offset of the first problem (n: at the end) */
    char msg[192];   /* why */
    int deep;        /* 1 when the problem is the nesting limit */
} jcheck;

/* Longest number cJSON reads: it copies a number into a 64-byte buffer, so
 * a longer one (valid JSON, e.g. 70 digits) would be cut and fail there. */
#define JSON_NUMBER_MAX 63

/* What JSON has instead of comments (SPEC §3: keys that begin with `_`). */
#define NO_COMMENTS "comments are not allowed in JSON (write a comment as a " \
                    "key starting with '_', e.g. \"_note\": \"...\")"

static int jfail(jcheck *r, size_t pos, const char *msg)
{
    r->pos = pos;
    snprintf(r->msg, sizeof r->msg, "%s", msg);
    return 0;
}

/* 1 if a comment starts at t[i]: two slashes, a slash and a star, or '#'
 * (as in YAML and shell scripts). */
static int at_comment(const char *t, size_t n, size_t i)
{
    return i < n && (t[i] == '#' || (t[i] == '/' && i + 1 < n &&
                                      (t[i + 1] == '/' || t[i + 1] == '*')));
}

/* "unexpected character 'x'" (or the byte in hex when not printable) and
 * `what` was expected; at the end of the text "unexpected end of input".
 * Comments and single quotes are named as such. */
static int jfail_char(jcheck *r, const char *t, size_t n, size_t i,
                      const char *what)
{
    unsigned char c;
    if (i >= n)
        return jfail(r, n, "unexpected end of input");
    c = (unsigned char)t[i];
    if (at_comment(t, n, i))
        return jfail(r, i, NO_COMMENTS);
    if (c == '\'')
        return jfail(r, i, "single quote: JSON strings and keys are written "
                           "in double quotes (\"...\")");
    r->pos = i;
    if (c >= 0x20 && c < 0x7f)
        snprintf(r->msg, sizeof r->msg, "unexpected character '%c'%s%s", c,
                 what ? ", " : "", what ? what : "");
    else
        snprintf(r->msg, sizeof r->msg, "unexpected byte 0x%02x%s%s", c,
                 what ? ", " : "", what ? what : "");
    return 0;
}

static size_t skip_ws(const char *t, size_t n, size_t i)
{
    while (i < n && is_json_ws((unsigned char)t[i]))
        i++;
    return i;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The 4 hex digits at t[i..i+4) as a number; 0 when there are not 4. */
static int hex4(const char *t, size_t n, size_t i, unsigned *v)
{
    *v = 0;
    for (size_t h = i; h < i + 4; h++) {
        if (h >= n || !is_hex(t[h]))
            return 0;
        *v = *v * 16 + (unsigned)(is_digit(t[h])          ? t[h] - '0'
                                  : t[h] >= 'a' ? t[h] - 'a' + 10
                                                : t[h] - 'A' + 10);
    }
    return 1;
}

/* Length of the well-formed UTF-8 sequence at t[k] (a byte >= 0x80), or 0
 * with r filled, naming the problem (Unicode Table 3-7 / RFC 3629 §4). */
static size_t check_utf8(const char *t, size_t n, size_t k, jcheck *r)
{
    const unsigned char *u = (const unsigned char *)t;
    unsigned char c = u[k], lo = 0x80, hi = 0xBF;
    size_t len;
    const char *why = NULL;

    r->pos = k;
    if (c < 0xC0)
        why = "a continuation byte without a lead byte";
    else if (c < 0xC2)
        why = "an overlong encoding";
    else if (c < 0xE0)
        len = 2;
    else if (c < 0xF0)
        len = 3;
    else if (c < 0xF5)
        len = 4;
    else if (c < 0xF8)
        why = "a code point above U+10FFFF";
    else
        why = "a byte that never occurs in UTF-8";
    if (why) {
        snprintf(r->msg, sizeof r->msg, "invalid UTF-8 in a string: byte "
                 "0x%02x is %s", c, why);
        return 0;
    }
    if (c == 0xE0 || c == 0xF0)
        lo = c == 0xE0 ? 0xA0 : 0x90;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF4)
        hi = 0x8F;
    for (size_t j = 1; j < len; j++)
        if (k + j >= n || (u[k + j] & 0xC0) != 0x80) {
            snprintf(r->msg, sizeof r->msg, "invalid UTF-8 in a string: "
                     "byte 0x%02x starts a %zu-byte sequence that is cut "
                     "short", c, len);
            return 0;
        }
    if (u[k + 1] < lo || u[k + 1] > hi) {
        why = c == 0xED   ? "an encoded surrogate (U+D800-U+DFFF)"
              : c == 0xF4 ? "a code point above U+10FFFF"
                          : "an overlong encoding";
        snprintf(r->msg, sizeof r->msg, "invalid UTF-8 in a string: bytes "
                 "0x%02x 0x%02x start %s", c, u[k + 1], why);
        return 0;
    }
    return len;
}

/* A string starting at t[*i] == '"'; on success *i is past its end. */
static int check_string(const char *t, size_t n, size_t *i, jcheck *r)
{
    size_t k = *i + 1;
    for (;;) {
        if (k >= n)
            return jfail(r, n, "unexpected end of input in a string");
        unsigned char c = (unsigned char)t[k];
        if (c == '"')
            break;
        if (c < 0x20)
            return jfail(r, k, "unescaped control character in a string");
        if (c >= 0x80) {
            size_t len = check_utf8(t, n, k, r);
            if (!len)
                return 0;
            k += len;
            continue;
        }
        if (c == '\\') {
            unsigned cp, lo;
            if (k + 1 >= n)
                return jfail(r, n, "unexpected end of input in a string");
            char e = t[k + 1];
            if (e != 'u') {
                if (!strchr("\"\\/bfnrt", e) || e == '\0')
                    return jfail(r, k, "invalid escape in a string");
                k += 2;
                continue;
            }
            if (!hex4(t, n, k + 2, &cp))
                return jfail(r, k, "invalid \\u escape in a string");
            if (cp == 0)
                return jfail(r, k, "\\u0000 (a NUL character) is not allowed "
                                   "in a string");
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                r->pos = k;
                snprintf(r->msg, sizeof r->msg, "lone surrogate escape "
                         "\\u%.4s in a string: a low surrogate must follow a "
                         "high one (\\uD800-\\uDBFF)", t + k + 2);
                return 0;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* UTF-16 pair (RFC 8259 §7): a low surrogate must follow. */
                if (!(k + 7 < n && t[k + 6] == '\\' && t[k + 7] == 'u' &&
                      hex4(t, n, k + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)) {
                    r->pos = k;
                    snprintf(r->msg, sizeof r->msg, "lone surrogate escape "
                             "\\u%.4s in a string: a high surrogate must be "
                             "followed by a low one (\\uDC00-\\uDFFF)",
                             t + k + 2);
                    return 0;
                }
                k += 12;
                continue;
            }
            k += 6;
            continue;
        }
        k++;
    }
    *i = k + 1;
    return 1;
}

/* A number (RFC 8259 grammar) starting at t[*i] (i < n). */
static int check_number(const char *t, size_t n, size_t *i, jcheck *r)
{
    size_t k = *i;
    if (t[k] == '-')
        k++;
    if (k < n && t[k] == '0') {
        k++;
        if (k < n && is_digit(t[k]))
            return jfail(r, k, "invalid number (leading zero)");
    } else if (k < n && is_digit(t[k])) {
        while (k < n && is_digit(t[k]))
            k++;
    } else
        return jfail_char(r, t, n, k, "expected a digit");
    if (k < n && t[k] == '.') {
        k++;
        if (!(k < n && is_digit(t[k])))
            return jfail_char(r, t, n, k, "expected a digit after '.'");
        while (k < n && is_digit(t[k]))
            k++;
    }
    if (k < n && (t[k] == 'e' || t[k] == 'E')) {
        k++;
        if (k < n && (t[k] == '+' || t[k] == '-'))
            k++;
        if (!(k < n && is_digit(t[k])))
            return jfail_char(r, t, n, k, "expected a digit in the exponent");
        while (k < n && is_digit(t[k]))
            k++;
    }
    if (k - *i > JSON_NUMBER_MAX)
        return jfail(r, *i, "number too long (at most 63 characters)");
    *i = k;
    return 1;
}

/* 1 if t[i] can start a JSON value (so a comma before it is missing). */
static int starts_value(const char *t, size_t n, size_t i)
{
    return i < n && t[i] != '\0' &&
           (strchr("\"{[-tfn", t[i]) || is_digit(t[i]));
}

/* Check that t[0..n) is one JSON value nested at most DS_MAX_DEPTH deep,
 * with only whitespace around it.  Returns 1, or 0 with r filled. */
static int json_check(const char *t, size_t n, jcheck *r)
{
    enum { S_VALUE, S_KEY, S_AFTER } st = S_VALUE;
    char stack[DS_MAX_DEPTH];
    size_t depth = 0, i = 0;
    size_t comma = SIZE_MAX; /* offset of the comma just read, if any */
    r->deep = 0;
    for (;;) {
        i = skip_ws(t, n, i);
        if (st == S_VALUE) {
            if (i >= n)
                return jfail(r, n, "unexpected end of input");
            char c = t[i];
            if (comma != SIZE_MAX && (c == ']' || c == ','))
                return c == ']' ? jfail(r, comma, "trailing comma (JSON "
                                                  "allows none before ']')")
                                : jfail(r, i, "unexpected ',' (two commas "
                                              "in a row)");
            comma = SIZE_MAX;
            if (c == '{' || c == '[') {
                if (depth == DS_MAX_DEPTH) {
                    r->deep = 1;
                    return jfail(r, i, "nesting deeper than 64 levels");
                }
                stack[depth++] = c;
                i = skip_ws(t, n, i + 1);
                if (i < n && t[i] == (c == '{' ? '}' : ']')) {
                    depth--;
                    i++;
                    st = S_AFTER;
                } else
                    st = c == '{' ? S_KEY : S_VALUE;
            } else if (c == '"') {
                if (!check_string(t, n, &i, r))
                    return 0;
                st = S_AFTER;
            } else if (c == '-' || is_digit(c)) {
                if (!check_number(t, n, &i, r))
                    return 0;
                st = S_AFTER;
            } else {
                static const char *const lit[] = {"true", "false", "null"};
                size_t k;
                for (k = 0; k < 3; k++) {
                    size_t l = strlen(lit[k]);
                    if (n - i >= l && memcmp(t + i, lit[k], l) == 0) {
                        i += l;
                        break;
                    }
                }
                if (k == 3)
                    return jfail_char(r, t, n, i, "expected a value");
                st = S_AFTER;
            }
        } else if (st == S_KEY) {
            if (i >= n)
                return jfail(r, n, "unexpected end of input");
            if (comma != SIZE_MAX && (t[i] == '}' || t[i] == ','))
                return t[i] == '}' ? jfail(r, comma, "trailing comma (JSON "
                                                     "allows none before '}')")
                                   : jfail(r, i, "unexpected ',' (two commas "
                                                 "in a row)");
            comma = SIZE_MAX;
            if (t[i] != '"') {
                unsigned char c = (unsigned char)t[i];
                int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           c == '_' || c == '$';
                return jfail_char(r, t, n, i,
                                  word ? "expected a string key (keys are "
                                         "written in double quotes)"
                                       : "expected a string key");
            }
            if (!check_string(t, n, &i, r))
                return 0;
            i = skip_ws(t, n, i);
            if (i >= n || t[i] != ':')
                return jfail_char(r, t, n, i, "expected ':'");
            i++;
            st = S_VALUE;
        } else { /* S_AFTER */
            if (depth == 0)
                break;
            char close = stack[depth - 1] == '{' ? '}' : ']';
            if (i >= n)
                return jfail(r, n, "unexpected end of input");
            if (t[i] == ',') {
                comma = i++;
                st = stack[depth - 1] == '{' ? S_KEY : S_VALUE;
            } else if (t[i] == close) {
                depth--;
                i++;
            } else if (close == '}')
                return jfail_char(r, t, n, i,
                                  t[i] == '"' ? "expected ',' or '}' (missing "
                                                "comma between two members)"
                                              : "expected ',' or '}'");
            else
                return jfail_char(r, t, n, i,
                                  starts_value(t, n, i)
                                      ? "expected ',' or ']' (missing comma "
                                        "between two values)"
                                      : "expected ',' or ']'");
        }
    }
    if (at_comment(t, n, i))
        return jfail(r, i, NO_COMMENTS);
    if (i < n)
        return jfail(r, i, "unexpected text after the JSON value");
    return 1;
}

/* -------------------------------------------------------- duplicate keys */

typedef struct keyref {
    const char *k;
    size_t i;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int d = strcmp(x->k, y->k);
    return d ? d : (x->i > y->i) - (x->i < y->i);
}

/* Report, under path p, every key that repeats an earlier key of the same
 * object anywhere in the tree; return how many (SPEC §4: "duplicate key").
 * Objects are checked by sorting their keys, so huge objects stay fast. */
static size_t find_dups(const cJSON *node, ds_scn_path *p, const char *file,
                        ds_report *rep)
{
    size_t found = 0, n = 0, i = 0;
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return 0;
    for (const cJSON *c = node->child; c; c = c->next)
        n++;
    if (cJSON_IsObject(node) && n > 1) {
        keyref *v = malloc(n * sizeof *v);
        unsigned char *dup = calloc(n, 1);
        if (!v || !dup) {
            ds_report_nomem(rep, file);
            free(v);
            free(dup);
            return 1;
        }
        for (const cJSON *c = node->child; c; c = c->next, i++)
            v[i] = (keyref){c->string, i};
        qsort(v, n, sizeof *v, keyref_cmp);
        for (i = 1; i < n; i++)
            if (strcmp(v[i].k, v[i - 1].k) == 0)
                dup[v[i].i] = 1;
        i = 0;
        for (const cJSON *c = node->child; c; c = c->next, i++) {
            if (!dup[i])
                continue;
            size_t old = ds_scn_path_key(p, c->string);
            ds_report_add(rep, "%s: error: %s: duplicate key", file,
                          ds_scn_path_text(p));
            ds_scn_path_pop(p, old);
            found++;
        }
        free(v);
        free(dup);
    }
    i = 0;
    for (const cJSON *c = node->child; c; c = c->next, i++) {
        size_t old = cJSON_IsObject(node) ? ds_scn_path_key(p, c->string)
                                          : ds_scn_path_elem(p, c, i);
        found += find_dups(c, p, file, rep);
        ds_scn_path_pop(p, old);
    }
    return found;
}

/* ------------------------------------------------------------- parsing */

ds_scenario *ds_scenario_parse(const char *file, const char *text, size_t len,
                               ds_report *rep)
{
    ds_scenario *s = NULL;
    cJSON *root = NULL;
    const char *t = text, *end = NULL;
    size_t n = len, k;
    jcheck jc;
    char near[64], msg[160];

    if (len > DS_MAX_FILE_BYTES) {
        ds_report_add(rep, "%s: error: file too large: more than %u bytes "
                           "(the limit is 16 MiB)", file, DS_MAX_FILE_BYTES);
        return NULL;
    }
    /* A UTF-8 byte-order mark is accepted and not counted (SPEC §4). */
    if (n >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0) {
        t += 3;
        n -= 3;
    }
    for (k = 0; k < n && is_json_ws((unsigned char)t[k]); k++)
        ;
    if (k == n) {
        syntax_error(rep, file, t, n, n, n == 0 ? "empty file (expected a JSON object)"
                                                : "unexpected end of input "
                                                  "(expected a JSON object)");
        return NULL;
    }
    if (!json_check(t, n, &jc)) {
        syntax_error(rep, file, t, n, jc.pos, jc.msg);
        return NULL;
    }
    /* The text is valid JSON at most DS_MAX_DEPTH deep, and json_check
     * turned away what cJSON cannot represent (long numbers, "\u0000",
     * lone surrogates), so cJSON can only fail on no memory; its error
     * pointer then tells where. */
    root = cJSON_ParseWithLengthOpts(t, n, &end, 0);
    if (!root) {
        const char *ep = cJSON_GetErrorPtr();
        size_t pos = ep && ep >= t && ep <= t + n ? (size_t)(ep - t) : 0;
        excerpt(t, n, pos, near, sizeof near);
        snprintf(msg, sizeof msg, "cannot parse the JSON near '%s' (out of "
                                  "memory)", near);
        syntax_error(rep, file, t, n, pos, msg);
        rep->nomem = 1;
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        for (k = 0; k < n && is_json_ws((unsigned char)t[k]); k++)
            ;
        snprintf(msg, sizeof msg,
                 "the top-level value must be an object, got %s",
                 ds_scn_type(root));
        syntax_error(rep, file, t, n, k, msg);
        goto fail;
    }
    s = calloc(1, sizeof *s);
    if (!s || !(s->file = dup_str(file))) {
        ds_report_nomem(rep, file);
        goto fail;
    }
    s->root = root;
    {
        ds_scn_path p;
        ds_scn_path_init(&p);
        s->n_dup = find_dups(root, &p, file, rep);
    }
    return s;
fail:
    cJSON_Delete(root);
    if (s)
        free(s->file);
    free(s);
    return NULL;
}

ds_scenario *ds_scenario_load(const char *file, ds_report *rep)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL, *nb;
    size_t len = 0, cap = 0, got;
    ds_scenario *s = NULL;

    if (!f) {
        ds_report_add(rep, "%s: error: cannot read: %s", file, strerror(errno));
        return NULL;
    }
    /* Never read more than the limit + 1 bytes: one byte past the limit
     * tells that the file is too large. */
    for (;;) {
        if (len == cap) {
            size_t ncap = cap + READ_CHUNK * (cap / READ_CHUNK + 1);
            if (ncap > (size_t)DS_MAX_FILE_BYTES + 1)
                ncap = (size_t)DS_MAX_FILE_BYTES + 1;
            if (ncap == cap)
                break;
            nb = realloc(buf, ncap);
            if (!nb) {
                ds_report_nomem(rep, file);
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        ds_report_add(rep, "%s: error: cannot read: %s", file,
                      errno ? strerror(errno) : "read error");
        goto fail;
    }
    if (len > DS_MAX_FILE_BYTES) {
        ds_report_add(rep, "%s: error: file too large: more than %u bytes "
                           "(the limit is 16 MiB)", file, DS_MAX_FILE_BYTES);
        goto fail;
    }
    s = ds_scenario_parse(file, buf ? buf : "", len, rep);
fail:
    free(buf);
    fclose(f);
    return s;
}

ds_scenario *ds_scenario_copy(const ds_scenario *s)
{
    ds_scenario *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->file = dup_str(s->file);
    c->root = cJSON_Duplicate(s->root, 1);
    c->n_dup = s->n_dup;
    if (!c->file || !c->root) {
        ds_scenario_free(c);
        return NULL;
    }
    return c;
}

/* A node that stands for x without owning any of it: value, members and
 * key stay x's (cJSON_Delete frees only the node).  NULL on no memory. */
static cJSON *borrow(const cJSON *x)
{
    cJSON *r = cJSON_CreateNull();
    if (!r)
        return NULL;
    r->type = x->type | cJSON_IsReference | (x->string ? cJSON_StringIsConst : 0);
    r->child = x->child;
    r->valuestring = x->valuestring;
    r->valueint = x->valueint;
    r->valuedouble = x->valuedouble;
    r->string = x->string;
    return r;
}

/* Make dst (an empty object or array) hold borrowed members, one for each
 * of src's.  0 on no memory (dst then holds some of them). */
static int borrow_members(cJSON *dst, const cJSON *src)
{
    for (const cJSON *m = src->child; m; m = m->next) {
        cJSON *b = borrow(m);
        /* Appended as to an array: an object member keeps its key. */
        if (!b || !cJSON_AddItemToArray(dst, b)) {
            cJSON_Delete(b);
            return 0;
        }
    }
    return 1;
}

/* x, a member of parent (an object or an array), as a node of its own
 * that may be changed: a borrowed x is replaced by an object or array of
 * borrowed members (its key stays borrowed).  NULL on no memory (parent
 * unchanged). */
static cJSON *own(cJSON *parent, cJSON *x)
{
    cJSON *n;
    if (!(x->type & cJSON_IsReference))
        return x;
    n = cJSON_IsArray(x) ? cJSON_CreateArray() : cJSON_CreateObject();
    if (!n || !borrow_members(n, x)) {
        cJSON_Delete(n);
        return NULL;
    }
    n->string = x->string;
    n->type |= x->type & cJSON_StringIsConst;
    cJSON_ReplaceItemViaPointer(parent, x, n); /* can't fail: x is in parent */
    return n;
}

ds_scenario *ds_scenario_copy_shared(const ds_scenario *s)
{
    ds_scenario *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->file = dup_str(s->file);
    c->root = cJSON_CreateObject();
    c->n_dup = s->n_dup;
    if (!c->file || !c->root || !borrow_members(c->root, s->root)) {
        ds_scenario_free(c);
        return NULL;
    }
    return c;
}

const char *ds_scenario_file(const ds_scenario *s)
{
    return s->file;
}

void ds_scenario_free(ds_scenario *s)
{
    if (!s)
        return;
    cJSON_Delete(s->root);
    free(s->file);
    free(s);
}

/* ----------------------------------------------------------- overrides */

/*
 * --set messages (SPEC §9) have the form
 *     FILE: error: --set PATH: MESSAGE
 * where PATH is the whole path as given and MESSAGE names its first part that
 * names nothing, e.g. "--set actors.trumpp.threshold: unknown actor 'trumpp'".
 * Problems with the value itself (a string where a number belongs, ...) are
 * left to ds_scenario_build, which reports them like any validation error.
 */
static int set_error(const ds_scenario *s, ds_report *rep, const char *path,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int set_error(const ds_scenario *s, ds_report *rep, const char *path,
                     const char *fmt, ...)
{
    char msg[DS_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ds_report_add(rep, "%s: error: --set %.200s: %s", s->file, path, msg);
    return DS_EINVAL;
}

/* VALUE as JSON, or as a string when it is not JSON (SPEC §9).  NULL when
 * there is no memory, or the JSON nests too deep (reported). */
static cJSON *parse_value(const ds_scenario *s, const char *path,
                          const char *value, ds_report *rep, int *rc)
{
    size_t n = strlen(value), k;
    const char *end = NULL;
    jcheck jc;
    int valid = n > 0 && json_check(value, n, &jc);
    cJSON *v = NULL;
    if (n > 0 && !valid && jc.deep) {
        *rc = set_error(s, rep, path, "the value nests deeper than %d levels",
                        DS_MAX_DEPTH);
        return NULL;
    }
    if (valid) {
        /* json_check passed it, so cJSON fails only for no memory (and
         * taking the text as a string instead would change the value). */
        v = cJSON_ParseWithLengthOpts(value, n, &end, 0);
        if (!v) {
            *rc = ds_report_nomem(rep, s->file);
            return NULL;
        }
    }
    if (v) {
        k = (size_t)(end - value);
        while (k < n && is_json_ws((unsigned char)value[k]))
            k++;
        if (k < n) {
            cJSON_Delete(v);
            v = NULL;
        }
    }
    if (!v)
        v = cJSON_CreateString(value);
    if (!v) {
        ds_report_nomem(rep, s->file);
        *rc = DS_ENOMEM;
    }
    return v;
}

/* Put v at obj[key], replacing the first existing entry.  Takes v, also
 * on failure. */
static int put(cJSON *obj, const char *key, cJSON *v)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (old) {
        /* v gets its key here: cJSON_ReplaceItemInObject would drop a
         * failed copy of the key and still replace, leaving a member
         * without a key. */
        char *k = cJSON_malloc(strlen(key) + 1);
        if (k) {
            strcpy(k, key);
            if (!(v->type & cJSON_StringIsConst))
                cJSON_free(v->string);
            v->string = k;
            v->type &= ~cJSON_StringIsConst;
            if (cJSON_ReplaceItemViaPointer(obj, old, v))
                return DS_OK;
        }
    } else if (cJSON_AddItemToObject(obj, key, v))
        return DS_OK;
    cJSON_Delete(v);
    return DS_ENOMEM;
}

/* Length of the first part of a path rest ("a.b" -> 1), capped for
 * messages. */
static int part_len(const char *rest)
{
    size_t n = strcspn(rest, ".");
    return n > 80 ? 80 : (int)n;
}

/* 1 if s looks like a list position ("0", "[3]"): a hint for the message. */
static int looks_positional(const char *s)
{
    if (*s == '[')
        s++;
    if (!(*s >= '0' && *s <= '9'))
        return 0;
    while (*s >= '0' && *s <= '9')
        s++;
    return *s == '\0' || (*s == ']' && s[1] == '\0');
}

/* " (did you mean 'x'?)" for key among names, or "", in b[n]. */
static void suggest_hint(const char *key, const char *const *names, size_t k,
                         char *b, size_t n)
{
    const char *sg = ds_suggest(key, names, k);
    if (sg)
        snprintf(b, n, " (did you mean '%s'?)", sg);
    else
        b[0] = '\0';
}

static void suggest_field(const ds_fmt_field *fields, const char *key, char *b,
                          size_t n)
{
    const char *names[32];
    size_t k = 0;
    for (; fields && fields->name && k < 32; fields++)
        names[k++] = fields->name;
    suggest_hint(key, names, k, b, n);
}

int ds_scenario_set(ds_scenario *s, const char *path, const char *value,
                    ds_report *rep)
{
    enum { M_OBJ, M_LIST, M_MAP, M_DIST } mode = M_OBJ;
    const ds_fmt_field *fields = ds_fmt_top, *fld = NULL;
    cJSON *cur = s->root, *v = NULL;
    cJSON *made = NULL, *made_in = NULL; /* first object created on the way */
    const cJSON *val = NULL;             /* the new value, once placed */
    char *parts = NULL, *part, *next, hint[96];
    int rc = DS_EINVAL;

    if (!path[0])
        return set_error(s, rep, path, "empty path");
    parts = dup_str(path);
    if (!parts) {
        ds_report_nomem(rep, s->file);
        return DS_ENOMEM;
    }
    v = parse_value(s, path, value, rep, &rc);
    if (!v)
        goto fail;
    rc = DS_EINVAL;
    val = v;

    for (part = parts; part; part = next) {
        char *dot = strchr(part, '.');
        int last = dot == NULL;
        next = dot ? dot + 1 : NULL;
        if (dot)
            *dot = '\0';
        /* The path up to this part, for messages about what stands here. */
        size_t plen = (size_t)(part - parts) + strlen(part);
        if (!part[0]) {
            set_error(s, rep, path, "empty part in the path");
            goto fail;
        }
        switch (mode) {
        case M_OBJ: {
            const ds_fmt_field *f = ds_fmt_find(fields, part);
            cJSON *child;
            if (!f) {
                suggest_field(fields, part, hint, sizeof hint);
                set_error(s, rep, path, "unknown key '%.80s'%s", part, hint);
                goto fail;
            }
            if (last)
                break;
            child = cJSON_GetObjectItemCaseSensitive(cur, part);
            if (!child && (f->kind == DS_FMT_OBJECT || f->kind == DS_FMT_MAP)) {
                /* An optional parent object the spec defines is created. */
                child = cJSON_CreateObject();
                if (!child || !cJSON_AddItemToObject(cur, part, child)) {
                    cJSON_Delete(child);
                    rc = DS_ENOMEM;
                    goto fail;
                }
                if (!made) {
                    made = child;
                    made_in = cur;
                }
            }
            if (ds_fmt_is_plain(f->kind)) {
                set_error(s, rep, path, "unknown key '%.*s' ('%.*s' is a "
                                        "plain value)",
                          part_len(next), next, (int)plen, path);
                goto fail;
            }
            if (!child) {
                if (f->kind == DS_FMT_LIST)
                    set_error(s, rep, path, "unknown %s '%.*s'", f->noun,
                              part_len(next), next);
                else
                    set_error(s, rep, path,
                              "cannot set a field of '%.*s': the file does not "
                              "give it (set the whole dist)",
                              (int)plen, path);
                goto fail;
            }
            if (f->kind == DS_FMT_DIST && cJSON_IsNumber(child)) {
                set_error(s, rep, path,
                          "'%.*s' is a plain number, not a dist object: set "
                          "the whole value",
                          (int)plen, path);
                goto fail;
            }
            if ((f->kind == DS_FMT_LIST && !cJSON_IsArray(child)) ||
                (f->kind != DS_FMT_LIST && !cJSON_IsObject(child))) {
                set_error(s, rep, path, "'%.*s' is not %s", (int)plen, path,
                          f->kind == DS_FMT_LIST ? "an array" : "an object");
                goto fail;
            }
            if (!(child = own(cur, child))) {
                rc = DS_ENOMEM;
                goto done;
            }
            cur = child;
            fld = f;
            fields = f->sub;
            mode = f->kind == DS_FMT_LIST ? M_LIST
                   : f->kind == DS_FMT_MAP ? M_MAP
                   : f->kind == DS_FMT_DIST ? M_DIST
                                            : M_OBJ;
            continue;
        }
        case M_LIST: {
            cJSON *e = NULL;
            for (cJSON *x = cur->child; x && !e; x = x->next) {
                cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
                if (cJSON_IsString(id) && strcmp(id->valuestring, part) == 0)
                    e = x;
            }
            if (!e) {
                set_error(s, rep, path, "unknown %s '%.80s'%s", fld->noun, part,
                          looks_positional(part)
                              ? " (list elements are named by id, not position)"
                              : "");
                goto fail;
            }
            if (last) {
                rc = cJSON_ReplaceItemViaPointer(cur, e, v) ? DS_OK : DS_ENOMEM;
                if (rc != DS_OK)
                    cJSON_Delete(v);
                v = NULL;
                goto done;
            }
            if (!cJSON_IsObject(e)) { /* e has an "id": an object  GCOVR_EXCL_START */
                set_error(s, rep, path, "'%.*s' is not an object", (int)plen,
                          path);
                goto fail;
            } /* GCOVR_EXCL_STOP */
            if (!(e = own(cur, e))) {
                rc = DS_ENOMEM;
                goto done;
            }
            cur = e;
            mode = M_OBJ;
            continue;
        }
        case M_MAP: {
            cJSON *child;
            if (last)
                break;
            child = cJSON_GetObjectItemCaseSensitive(cur, part);
            if (!child) {
                set_error(s, rep, path, "unknown key '%.80s'", part);
                goto fail;
            }
            if (fld->elem != DS_FMT_DIST || !cJSON_IsObject(child)) {
                if (fld->elem == DS_FMT_DIST && cJSON_IsNumber(child))
                    set_error(s, rep, path,
                              "'%.*s' is a plain number, not a dist object: "
                              "set the whole value",
                              (int)plen, path);
                else
                    set_error(s, rep, path, "unknown key '%.*s' ('%.*s' is "
                                            "a plain value)",
                              part_len(next), next, (int)plen, path);
                goto fail;
            }
            if (!(child = own(cur, child))) {
                rc = DS_ENOMEM;
                goto done;
            }
            cur = child;
            mode = M_DIST;
            continue;
        }
        case M_DIST: {
            const cJSON *kind = cJSON_GetObjectItemCaseSensitive(cur, "dist");
            const ds_fmt_dist *dk = cJSON_IsString(kind)
                                        ? ds_fmt_dist_find(kind->valuestring)
                                        : NULL;
            int ok = strcmp(part, "dist") == 0;
            size_t np = 0;
            const char *names[8];
            names[np++] = "dist";
            for (size_t i = 0; dk && dk->params[i].name && np < 8; i++) {
                names[np++] = dk->params[i].name;
                ok |= strcmp(part, dk->params[i].name) == 0;
            }
            if (!dk)
                ok = 1; /* an unknown kind: build reports it */
            if (!ok) {
                suggest_hint(part, names, np, hint, sizeof hint);
                set_error(s, rep, path, "unknown key '%.80s'%s", part, hint);
                goto fail;
            }
            if (last)
                break;
            set_error(s, rep, path, "unknown key '%.*s' ('%.*s' is a plain "
                                    "value)",
                      part_len(next), next, (int)plen, path);
            goto fail;
        }
        }
        /* The last part names a key of an object, a map or a dist: the
         * value goes there (replacing the first entry of that key). */
        rc = put(cur, part, v);
        v = NULL;
        goto done;
    }
done:
    if (rc == DS_ENOMEM)
        ds_report_nomem(rep, s->file);
    if (rc == DS_OK) {
        /* Keys repeated inside the value are duplicates like the file's:
         * reported under the --set path, and every later build fails. */
        ds_scn_path p;
        ds_scn_path_init(&p);
        ds_scn_path_key(&p, path);
        s->n_dup += find_dups(val, &p, s->file, rep);
    }
fail:
    /* A failed override leaves the document as it was. */
    if (rc != DS_OK && made)
        cJSON_Delete(cJSON_DetachItemViaPointer(made_in, made));
    cJSON_Delete(v);
    free(parts);
    return rc;
}

int ds_scenario_set_arg(ds_scenario *s, const char *arg, ds_report *rep)
{
    const char *eq = strchr(arg, '=');
    char *path;
    int rc;
    if (!eq || eq == arg)
        return set_error(s, rep, arg, "expected PATH=VALUE");
    path = malloc((size_t)(eq - arg) + 1);
    if (!path) {
        ds_report_nomem(rep, s->file);
        return DS_ENOMEM;
    }
    memcpy(path, arg, (size_t)(eq - arg));
    path[eq - arg] = '\0';
    rc = ds_scenario_set(s, path, eq + 1, rep);
    free(path);
    return rc;
}
