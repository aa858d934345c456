/*
 * scenario_priv.h - what sim/scenario.c (parse, --set, copy) and
 * sim/scenario_build.c (validation, model building) share: the parsed
 * document, the SPEC §3 key schema and the SPEC §4 path builder.
 * Private to those two files (the only ones that include cJSON.h).
 */
#ifndef DEALSIM_SCENARIO_PRIV_H
#define DEALSIM_SCENARIO_PRIV_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "dealsim/scenario.h"

struct ds_scenario {
    char *file;      /* name used in messages (owned) */
    cJSON *root;     /* the document, a JSON object (owned) */
    size_t n_dup;    /* duplicate keys seen at parse or --set time: every
                        build fails while this is non-zero (SPEC §4) */
};

/* What stands at a key of the SPEC §3 schema. */
typedef enum ds_skind {
    DS_SK_VALUE = 0, /* a plain value (number, string, bool or an array of them) */
    DS_SK_DIST,      /* a dist (SPEC §2): a number or a dist object */
    DS_SK_OBJECT,    /* an object with the fields `sub` */
    DS_SK_LIST,      /* an array of objects with the fields `sub`, named by id */
    DS_SK_MAP        /* an object whose keys are ids; values of kind `elem` */
} ds_skind;

typedef struct ds_sfield {
    const char *name;
    ds_skind kind;
    const struct ds_sfield *sub; /* OBJECT and LIST: fields, NULL-terminated */
    const char *noun;            /* LIST: one element ("item"); else NULL */
    ds_skind elem;               /* MAP: kind of the values */
} ds_sfield;

/* The top-level fields of a scenario (SPEC §3), NULL-name terminated. */
extern const ds_sfield ds_scn_top[];

/* Find a field by name in a NULL-terminated table, or NULL. */
const ds_sfield *ds_scn_field(const ds_sfield *fields, const char *name);

/* The closest name in `names` (n of them) to `key` when it is close enough
 * to be a likely typo, else NULL. */
const char *ds_scn_suggest(const char *key, const char *const *names, size_t n);

/* The parameter names a dist object of kind `dist` may have besides "dist"
 * (NULL-terminated), or NULL when `dist` names no kind of SPEC §2. */
const char *const *ds_scn_dist_params(const char *dist);

/* 1 if s matches [A-Za-z][A-Za-z0-9_]* (SPEC §1), else 0. */
int ds_scn_id_ok(const char *s);

/* A SPEC §4 path ("items.semis.cost.sd", "items[3].id") under construction.
 * Long keys are shortened so a path always fits. */
#define DS_SCN_PATH_MAX 1024
typedef struct ds_scn_path {
    char buf[DS_SCN_PATH_MAX];
    size_t len;
} ds_scn_path;

/* Append ".key" (just "key" at the start); return the old length, for pop. */
size_t ds_scn_path_key(ds_scn_path *p, const char *key);
/* Append "[i]"; return the old length. */
size_t ds_scn_path_index(ds_scn_path *p, size_t i);
/* Append a list element: ".ID" when it has a usable id (an object whose "id"
 * is a string of id syntax, or such a string itself), else "[i]". */
size_t ds_scn_path_elem(ds_scn_path *p, const cJSON *elem, size_t i);
/* Go back to an old length. */
void ds_scn_path_pop(ds_scn_path *p, size_t old);

/* Name of a JSON value's type for messages ("string", "object", ...). */
const char *ds_scn_type(const cJSON *v);

#endif /* DEALSIM_SCENARIO_PRIV_H */
