/*
 * scenario_priv.h - what the files of the scenario module share:
 * scenario.c (parse, --set, copy), scenario_check.c (the generic check
 * against the format table) and scenario_build.c (the rules rows name,
 * model building).  The keys themselves are the table of format.h.
 * Private to these files (the only ones that include cJSON.h).
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


/* 1 if s matches [A-Za-z][A-Za-z0-9_]* (SPEC §1), else 0. */
int ds_scn_id_ok(const char *s);

/* A SPEC §4 path ("items.semis.cost.sd", "items[3].id") under construction.
 * A path is pushed and popped for every value checked but only read when a
 * problem is reported, so it is kept as its parts (borrowed strings, which
 * must live until they are popped, and list positions) and written out by
 * ds_scn_path_text.  Long keys are shortened so a path always fits. */
#define DS_SCN_PATH_MAX 1024
/* Most parts kept: a document nests at most DS_MAX_DEPTH deep, and a --set
 * path adds one part, so a path of any walk has fewer. */
#define DS_SCN_PATH_PARTS (2 * DS_MAX_DEPTH + 16)
typedef struct ds_scn_part {
    const char *key; /* ".key" (just "key" at the start), or NULL: */
    size_t index;    /* "[index]" */
} ds_scn_part;
typedef struct ds_scn_path {
    ds_scn_part part[DS_SCN_PATH_PARTS];
    size_t n;                  /* parts pushed (those beyond the array are
                                  not kept: see DS_SCN_PATH_PARTS) */
    char buf[DS_SCN_PATH_MAX]; /* the text, written by ds_scn_path_text */
} ds_scn_path;

/* An empty path. */
void ds_scn_path_init(ds_scn_path *p);
/* Append ".key" (just "key" at the start); return the old length, for pop. */
size_t ds_scn_path_key(ds_scn_path *p, const char *key);
/* Append "[i]"; return the old length. */
size_t ds_scn_path_index(ds_scn_path *p, size_t i);
/* Append a list element: ".ID" when it has a usable id (an object whose "id"
 * is a string of id syntax, or such a string itself), else "[i]". */
size_t ds_scn_path_elem(ds_scn_path *p, const cJSON *elem, size_t i);
/* Go back to an old length. */
void ds_scn_path_pop(ds_scn_path *p, size_t old);
/* The path as text (in p->buf; "" for an empty path), valid until the
 * next call. */
const char *ds_scn_path_text(ds_scn_path *p);

/* Name of a JSON value's type for messages ("string", "object", ...). */
const char *ds_scn_type(const cJSON *v);

/* ------------------- checking against the format table (scenario_check.c) */

/* Most keys in one object of the format (ds_fmt_top has the most). */
#define DS_SCN_MAX_KEYS 32

/* The ids of a list, sorted, for lookup: each with its element's index. */
typedef struct ds_scn_ident {
    const char *id;  /* borrowed from the model */
    size_t idx;
} ds_scn_ident;
typedef struct ds_scn_idset {
    ds_scn_ident *v; /* owned */
    size_t n;
} ds_scn_idset;

/* One check of a document, building a model. */
typedef struct ds_scn_ctx {
    const char *file;       /* for messages */
    ds_report *rep;         /* where problems go */
    ds_scn_path path;       /* of the value being checked */
    size_t n_err;           /* problems reported */
    int nomem;              /* an allocation failed (not reported yet) */
    ds_model *m;            /* the model being built (the caller's) */
    const cJSON *root;      /* the document */
    const cJSON *top[DS_SCN_MAX_KEYS]; /* root's member for ds_fmt_top[k] */
    ds_scn_idset ids[DS_SCN_MAX_KEYS];     /* of ds_fmt_top[k], once checked */
    int decider_seen;       /* DS_FMT_RULE_DECIDER: a decider was seen, */
    const char *decider_id; /* with this id */
    ds_report *warn;        /* where warnings go (NULL: dropped) */
    int strict;             /* DS_BUILD_STRICT: warnings are errors */
    size_t n_warn;          /* warnings found (also when strict) */
} ds_scn_ctx;

/* Check c->root against every row of ds_fmt_top (in row order, but a list
 * other keys refer to before the first key that refers to it): store each
 * value or default where its row says in c->m, report every problem, and
 * apply the rules rows name (ds_scn_rule_after, ds_scn_rule_elem). */
void ds_scn_check(ds_scn_ctx *c);

/* Free what ds_scn_check keeps (the id sets).  Can't fail. */
void ds_scn_check_done(ds_scn_ctx *c);

/* Check the key f, whose value is val (NULL when absent), and store it in
 * base.  Returns 1 when given (and, for a plain value or dist, valid), 0
 * when absent, -1 when a problem with it was reported. */
int ds_scn_walk_field(ds_scn_ctx *c, const cJSON *val, const ds_fmt_field *f,
                      void *base);

/* Prepare every dist of a checked model.  DS_OK or DS_ENOMEM. */
int ds_scn_prepare(ds_model *m);

/* Report a problem as "FILE: error: PATH: MESSAGE" at c->path. */
void ds_scn_err(ds_scn_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* strdup and calloc (of at least one byte) that set c->nomem on failure. */
char *ds_scn_strdup(ds_scn_ctx *c, const char *s);
void *ds_scn_calloc(ds_scn_ctx *c, size_t n, size_t size);

/* x the shortest way that reads back the same ("0.1", "inf"), in b[n]. */
const char *ds_scn_num(char *b, size_t n, double x);

/* ------------------------------------------ warnings (scenario_warn.c) */

/* Report a warning (SPEC §3.1) at c->path: "FILE: warning: PATH: MESSAGE"
 * to c->warn, or, when c->strict, an error "... [strict]" (counted in
 * n_err).  Sets c->nomem when it cannot be kept.  For ds_scn_warn's checks:
 * warnings are only for a scenario without errors, so the rules of rows
 * (which run while errors are still being found) do not call it. */
void ds_scn_warning(ds_scn_ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Check the warnings of SPEC §3.1 on c->m, a model checked without error
 * (every id usable, every dist valid, baseline_mean set). */
void ds_scn_warn(ds_scn_ctx *c);

/* ------------------------------------ rules of rows (scenario_build.c) */

/* The rule of row f (f->rule), after the key was checked: status as
 * ds_scn_walk_field returns it. */
void ds_scn_rule_after(ds_scn_ctx *c, const ds_fmt_field *f, void *base,
                       int status);

/* The rule of list `list` for one element (an object), after its keys;
 * vals[i] is the element's member for list->sub[i] (NULL: absent). */
void ds_scn_rule_elem(ds_scn_ctx *c, const ds_fmt_field *list, void *elem,
                      const cJSON *const *vals);

#endif /* DEALSIM_SCENARIO_PRIV_H */
