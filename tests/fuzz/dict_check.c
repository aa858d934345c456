/*
 * dict_check.c - scenario.dict names every key of the scenario format: walk
 * the key tables the validator uses (ds_scn_top and the objects and lists
 * under it) and the parameters of every dist kind, and check that the
 * dictionary has each as a JSON key ("name":) and as a bare path part.  A key
 * added to the format without its dictionary entry fails this test.
 * Usage: dict_check scenario.dict
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

static char **entries;
static size_t n_entries;
static int missing;

/* The value of one dictionary line (name="value"), unescaped; NULL for a
 * comment or blank line. */
static char *entry_value(const char *line)
{
    const char *q = strchr(line, '"'), *end = strrchr(line, '"');
    char *v, *o;
    if (line[0] == '#' || !q || end == q)
        return NULL;
    v = o = malloc((size_t)(end - q));
    if (!v)
        abort();
    for (const char *p = q + 1; p < end; p++) {
        if (*p == '\\' && p + 1 < end && p[1] == 'x' && p + 3 < end) {
            char hex[3] = {p[2], p[3], 0};
            *o++ = (char)strtol(hex, NULL, 16);
            p += 3;
        } else if (*p == '\\' && p + 1 < end) {
            *o++ = *++p;
        } else
            *o++ = *p;
    }
    *o = '\0';
    return v;
}

static int has(const char *v)
{
    for (size_t i = 0; i < n_entries; i++)
        if (strcmp(entries[i], v) == 0)
            return 1;
    return 0;
}

static void need(const char *name)
{
    char key[256];
    snprintf(key, sizeof key, "\"%s\":", name);
    if (!has(key) || !has(name)) {
        fprintf(stderr, "dict_check: '%s' is missing from the dictionary\n", name);
        missing++;
    }
}

static void walk(const ds_fmt_field *f)
{
    for (; f && f->name; f++) {
        need(f->name);
        walk(f->sub);
    }
}

int main(int argc, char **argv)
{
    FILE *f;
    char line[1024];
    size_t cap = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: dict_check scenario.dict\n");
        return 2;
    }
    if (!(f = fopen(argv[1], "r"))) {
        perror(argv[1]);
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        char *v = entry_value(line);
        if (!v)
            continue;
        if (n_entries == cap) {
            cap = cap ? 2 * cap : 256;
            if (!(entries = realloc(entries, cap * sizeof *entries)))
                abort();
        }
        entries[n_entries++] = v;
    }
    fclose(f);
    walk(ds_fmt_top);
    need("dist");
    for (size_t k = 0; k < ds_fmt_n_dists; k++) {
        const ds_fmt_dist *dk = &ds_fmt_dists[k];
        char quoted[64];
        snprintf(quoted, sizeof quoted, "\"%s\"", dk->name);
        if (!has(quoted)) {
            fprintf(stderr, "dict_check: dist kind '%s' is missing from the dictionary\n",
                    dk->name);
            missing++;
        }
        for (const ds_fmt_param *p = dk->params; p->name; p++)
            need(p->name);
    }
    for (size_t i = 0; i < n_entries; i++)
        free(entries[i]);
    free(entries);
    if (!missing)
        printf("dict_check: %zu entries, every key present\n", n_entries);
    return missing != 0;
}
