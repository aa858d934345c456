/*
 * model.c - ds_model_free and ds_model_is_input (see include/dealsim/model.h).  A model is made only
 * by ds_scenario_build, which stores every key where its row of the format
 * table (format.h) says; this frees by the same rows, so a key added to the
 * table is freed without a line here; then what the builder adds beyond the
 * keys (the index of dists, the correlations' resolved dists and factors).
 * A partly built model is fine: every pointer is NULL or owned, every count
 * matches its array.
 */
#include "dealsim/model.h"

#include <stdlib.h>

#include "format.h"

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

/* Slots of a non-sparse map (format.h): built-in dimensions, then one per
 * id of its list. */
static size_t map_slots(const ds_model *m, const ds_fmt_field *f)
{
    size_t n = 0;
    if (f->flags & DS_FMT_BUILTIN)
        while (ds_fmt_builtin_dims[n])
            n++;
    const ds_fmt_field *l = ds_fmt_find(ds_fmt_top, f->ref);
    return n + *(const size_t *)((const char *)m + l->off_n);
}

/* Free what the keys `fields` own in base. */
static void free_fields(const ds_model *m, const ds_fmt_field *fields,
                        void *base)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        switch (f->kind) {
        case DS_FMT_STRING:
        case DS_FMT_ID: free(*(char **)at(base, f->off)); break;
        case DS_FMT_DIST: ds_dist_free(at(base, f->off)); break;
        case DS_FMT_OBJECT: free_fields(m, f->sub, base); break;
        case DS_FMT_LIST: {
            char *e = *(char **)at(base, f->off);
            size_t n = *(size_t *)at(base, f->off_n);
            for (size_t i = 0; e && i < n; i++)
                free_fields(m, f->sub, e + i * f->size);
            free(e);
            break;
        }
        case DS_FMT_IDLIST: {
            void *a = *(void **)at(base, f->off);
            size_t n = *(size_t *)at(base, f->off_n);
            for (size_t i = 0; a && !f->ref && i < n; i++)
                free(((char **)a)[i]);
            free(a);
            break;
        }
        case DS_FMT_PATHS: {
            char **a = *(char ***)at(base, f->off);
            size_t n = *(size_t *)at(base, f->off_n);
            for (size_t i = 0; a && i < n; i++)
                free(a[i]);
            free(a);
            break;
        }
        case DS_FMT_MATRIX: free(*(double **)at(base, f->off)); break;
        case DS_FMT_MAP:
            if (f->flags & DS_FMT_SPARSE) {
                free(*(void **)at(base, f->off));
                free(*(void **)at(base, f->off_x));
            } else {
                ds_dist *d = *(ds_dist **)at(base, f->off);
                for (size_t i = 0; d && f->elem == DS_FMT_DIST &&
                                   i < map_slots(m, f); i++)
                    ds_dist_free(&d[i]);
                free(d);
            }
            break;
        default: break;
        }
    }
}

int ds_model_is_input(const ds_model *m, size_t i)
{
    return !ds_dist_is_constant(m->dists[i].dist, NULL);
}

void ds_model_free(ds_model *m)
{
    if (!m)
        return;
    for (size_t c = 0; m->corr && c < m->n_corr; c++) {
        free(m->corr[c].dist);
        free(m->corr[c].chol);
    }
    free_fields(m, ds_fmt_top, m);
    for (size_t i = 0; m->dists && i < m->n_dists; i++)
        free(m->dists[i].path);
    free(m->dists);
    free(m);
}
