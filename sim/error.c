/*
 * error.c - ds_error and ds_report (see include/dealsim/error.h).
 * A leaf module: everyone may use it, it uses nothing of dealsim.
 */
#include "dealsim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ds_error_set(ds_error *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
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
    r->msg[r->n++] = m;
    return DS_OK;
nomem:
    r->dropped++;
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
