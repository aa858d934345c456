/*
 * scenario_priv.h - what sim/scenario.c (parse, --set, copy) and
 * sim/scenario_build.c (validation, model building) share: the parsed
 * document, the SPEC §4 path builder and id helpers.  The keys themselves
 * are the table of format.h.
 * Private to those two files (the only ones that include cJSON.h).
 */
#ifndef DEALSIM_SCENARIO_PRIV_H
#define DEALSIM_SCENARIO_PRIV_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "dealsim/scenario.h"
#include "format.h"

struct ds_scenario {
    char *file;      /* name used in messages (owned) */
    cJSON *root;     /* the document, a JSON object (owned) */
    size_t n_dup;    /* duplicate keys seen at parse or --set time: every
                        build fails while this is non-zero (SPEC §4) */
};

/* The closest name in `names` (n of them; NULL entries are skipped) to
 * `key` when it is close enough to be a likely typo, else NULL.  Of two
 * equally close names, the earlier. */
const char *ds_scn_suggest(const char *key, const char *const *names, size_t n);

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
