/*
 * error.c - ds_error and ds_report (see include/dealsim/error.h).
 * A leaf module: everyone may use it, it uses nothing of dealsim.
 */
#include "dealsim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence of 2-4 bytes at s (Unicode
 * Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * 0 when the bytes at s do not start one.  s is NUL-terminated, and NUL is
 * no continuation byte, so this never reads past the end. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xE0)
        lo = 0xA0; /* below: overlong */
    else if (s[0] == 0xED)
        hi = 0x9F; /* above: surrogates */
    else if (s[0] == 0xF0)
        lo = 0x90; /* below: overlong */
    else if (s[0] == 0xF4)
        hi = 0x8F; /* above: beyond U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

size_t ds_text_escape(char *dst, size_t n, const char *src)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)src;
    size_t total = 0, k = 0; /* total: whole result; k: written to dst */
    int cut = 0;
    while (*s) {
        char esc[7];
        const char *piece = esc;
        size_t len = utf8_seq(s), plen, used = len ? len : 1;
        if (len == 2 && s[0] == 0xC2 && s[1] <= 0x9F) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[s[1] >> 4];
            esc[5] = hex[s[1] & 15];
            plen = 6;
        } else if (len) {
            piece = (const char *)s;
            plen = len;
        } else if (*s < 0x20 || *s >= 0x7F) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[*s >> 4];
            esc[3] = hex[*s & 15];
            plen = 4;
        } else {
            piece = (const char *)s;
            plen = 1;
        }
        if (!cut && k + plen < n) {
            memcpy(dst + k, piece, plen);
            k += plen;
        } else
            cut = 1;
        total += plen;
        s += used;
    }
    if (n > 0)
        dst[k] = '\0';
    return total;
}

int ds_error_set(ds_error *e, int code, const char *fmt, ...)
{
    if (e) {
        char raw[DS_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        ds_text_escape(e->msg, sizeof e->msg, raw);
        e->code = code;
    }
    return code;
}

void ds_error_clear(ds_error *e)
{
    if (e) {
        e->code = DS_OK;
        e->msg[0] = '\0';
    }
}

void ds_report_init(ds_report *r)
{
    memset(r, 0, sizeof *r);
}

int ds_report_add(ds_report *r, const char *fmt, ...)
{
    va_list ap;
    int len;
    size_t esc;
    char *m;

    if (r->n >= DS_REPORT_MAX) {
        r->dropped++;
        return DS_OK;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **p = realloc(r->msg, cap * sizeof *p);
        if (!p)
            goto nomem;
        r->msg = p;
        r->cap = cap;
    }
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(m = malloc((size_t)len + 1)))
        goto nomem;
    va_start(ap, fmt);
    vsnprintf(m, (size_t)len + 1, fmt, ap);
    va_end(ap);
    /* Text from an input (keys, ids, file names) may hold control
     * characters: the stored message shows them escaped. */
    esc = ds_text_escape(NULL, 0, m);
    if (esc != (size_t)len) {
        char *q = malloc(esc + 1);
        if (!q) {
            free(m);
            goto nomem;
        }
        ds_text_escape(q, esc + 1, m);
        free(m);
        m = q;
    }
    r->msg[r->n++] = m;
    return DS_OK;
nomem:
    r->dropped++;
    r->nomem = 1;
    return DS_ENOMEM;
}

int ds_report_nomem(ds_report *r, const char *file)
{
    ds_report_add(r, "%s: error: out of memory", file);
    r->nomem = 1;
    return DS_ENOMEM;
}

size_t ds_report_count(const ds_report *r)
{
    return r->n + r->dropped;
}

void ds_report_free(ds_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->msg[i]);
    free(r->msg);
    memset(r, 0, sizeof *r);
}
