/*
 * format.h - the scenario format of SPEC §2-§3 as one table (private to
 * sim/).  Every key is one row: its kind, whether it is required, its
 * default, its range, whether it is an integer, whether a dist is allowed
 * (kind DIST), where its value goes in the model, a description and a unit.
 *
 * Everything about keys is derived from these rows: the validator and model
 * builder (scenario_check.c, with the rules of scenario_build.c), --set
 * path walking and creation of optional keys (scenario.c), the sweep's
 * integer rounding (sweep.c), freeing a model (model.c), the JSON Schema
 * and the dealsim-scenario(5) man page (format.c, public in
 * dealsim/format.h).  Adding a key is adding a row (and its member in
 * model.h); what a row cannot say (D̄ > 0, the shared elasticity, one
 * decider, ...) is a rule of scenario_build.c that the row names.
 */
#ifndef DEALSIM_SIM_FORMAT_H
#define DEALSIM_SIM_FORMAT_H

#include <stddef.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

/* What stands at a key. */
typedef enum ds_fmt_kind {
    DS_FMT_NUMBER = 0, /* a finite number (double) */
    DS_FMT_INTEGER,    /* an integral number: 4.0 is accepted, 4.5 is not
                          (int, or uint64_t with DS_FMT_U64; its range must
                          fit the type) */
    DS_FMT_BOOL,       /* true or false (int 0/1) */
    DS_FMT_STRING,     /* a string (char *, owned by the model) */
    DS_FMT_ENUM,       /* one of the strings of `choices` (its int value) */
    DS_FMT_ID,         /* a list element's id: a string of id syntax
                          (SPEC §1) */
    DS_FMT_DIST,       /* a number or a dist object (SPEC §2) (ds_dist) */
    DS_FMT_OBJECT,     /* an object with the keys `sub`, stored in the same
                          struct as the key's parent */
    DS_FMT_LIST,       /* an array of objects with the keys `sub`, each named
                          by its id (an array of `size`-byte structs) */
    DS_FMT_MAP,        /* an object {id of list `ref`: value of kind `elem`} */
    DS_FMT_IDLIST,     /* an array of ids of list `ref` (size_t indices), or,
                          without `ref`, ids declared here (char *) */
    DS_FMT_PATHS,      /* an array of strings naming places of the scenario
                          by SPEC §9 paths (char *, resolved by a rule) */
    DS_FMT_MATRIX      /* a square array of arrays of numbers in `range`
                          (double, row-major; the row count at off_n) */
} ds_fmt_kind;

/* One end of a range. */
enum { DS_FMT_NONE = 0, DS_FMT_CLOSED, DS_FMT_OPEN };

/* The values a number may take (SPEC §3.1; for a dist: its whole support).
 * A zeroed range has no bound. */
typedef struct ds_fmt_range {
    double lo, hi;
    unsigned char lo_end, hi_end; /* DS_FMT_NONE, _CLOSED or _OPEN */
} ds_fmt_range;

/* One choice of an ENUM key: its text and the value stored in the model. */
typedef struct ds_fmt_choice {
    const char *name;
    int value;
} ds_fmt_choice;

/* Flags of a row. */
#define DS_FMT_REQ 0x001u      /* required */
#define DS_FMT_NONEMPTY 0x002u /* LIST, IDLIST: at least one element; STRING:
                                  not "" */
#define DS_FMT_LABEL 0x004u    /* STRING: defaults to the element's id */
#define DS_FMT_HAS 0x008u      /* the int at off_has is set to 1 when the key
                                  is given */
#define DS_FMT_U64 0x010u      /* INTEGER: stored as uint64_t (else int) */
#define DS_FMT_NOSTORE 0x020u  /* checked, stored nowhere */
#define DS_FMT_BUILTIN 0x040u  /* MAP over dimensions: the built-in dimensions
                                  (ds_fmt_builtin_dims) are keys too, first */
#define DS_FMT_NONZERO 0x080u  /* MAP: the values must not all be 0 */
#define DS_FMT_SPARSE 0x100u   /* MAP: stored as (index, value) pairs in file
                                  order: indices at off, values at off_x,
                                  count at off_n; else an array at off with one
                                  slot per id of `ref` (and built-in) */
#define DS_FMT_RESERVED 0x400u /* IDLIST declaring ids: the built-in
                                   dimensions cannot be declared; a map over
                                   this list takes them as keys (DS_FMT_BUILTIN)
                                   or reports them as reserved */
#define DS_FMT_GATE 0x200u     /* ENUM: the keys of this object with `only`
                                  set are allowed only for that choice */
#define DS_FMT_OPTIONAL 0x800u /* OBJECT: may be absent although it has
                                  required keys (they are required when it
                                  is given); without it, an object with a
                                  required key must be given */

/* Rules of scenario_build.c that go beyond a row, named by the rows they
 * apply to. */
typedef enum ds_fmt_rule {
    DS_FMT_RULE_NONE = 0,
    DS_FMT_RULE_VERSION,    /* dealsim: a version outside the range is
                               "unsupported" */
    DS_FMT_RULE_MEAN,       /* baseline_deficit: its analytic mean D̄ > 0 */
    DS_FMT_RULE_ELASTICITY, /* lines: the top-level elasticity is required
                               when a line has none of its own */
    DS_FMT_RULE_ADJUSTMENT, /* adjustment: required when any
                               elasticity_long is given */
    DS_FMT_RULE_EXTENSION,  /* protocol.extension: rounds + its rounds <=
                               DS_MAX_ROUNDS */
    DS_FMT_RULE_STRATEGIES, /* strategies: absent = one per package */
    DS_FMT_RULE_DECIDER,    /* actors.role: at most one decider */
    DS_FMT_RULE_ROLE,       /* actors: the keys of the other role are errors */
    DS_FMT_RULE_CORRELATIONS /* correlations: paths name non-constant dists,
                               each in one correlation; the matrix fits
                               them, is symmetric with a unit diagonal and
                               positive definite (checked after every key) */
} ds_fmt_rule;

typedef struct ds_fmt_field {
    const char *name;
    ds_fmt_kind kind;
    unsigned flags;              /* DS_FMT_REQ, ... */
    ds_fmt_range range;          /* NUMBER, INTEGER, DIST; MAP: its values */
    double def;                  /* NUMBER, INTEGER, BOOL, DIST: the default
                                    of an optional key */
    const char *sdef;            /* STRING, ENUM: the default; other kinds:
                                    the default in words (docs), or NULL */
    const struct ds_fmt_field *sub; /* OBJECT, LIST: keys, NULL-name
                                       terminated; the first key of a LIST
                                       is its `id` */
    const char *noun;            /* LIST, IDLIST without ref: one element
                                    ("third party") */
    const char *ref;             /* MAP, IDLIST: the top-level list whose ids
                                    these are; NULL for a declaring IDLIST */
    ds_fmt_kind elem;            /* MAP: kind of the values (NUMBER or DIST) */
    const ds_fmt_choice *choices; /* ENUM: NULL-name terminated */
    const char *only;            /* the choice of the object's DS_FMT_GATE
                                    key for which this key is allowed */
    size_t min;                  /* PATHS: fewest elements (0: any) */
    size_t max;                  /* LIST, IDLIST, PATHS, MATRIX: most
                                    elements or rows (0: any) */
    ds_fmt_rule rule;
    size_t size;                 /* LIST: bytes of one element */
    size_t off;                  /* where the value goes, in the struct of
                                    the object that holds the key (ds_model
                                    at the top level) */
    size_t off_n;                /* LIST, IDLIST, sparse MAP: the count */
    size_t off_x;                /* sparse MAP: the values (double *) */
    size_t off_has;              /* DS_FMT_HAS: an int */
    ds_dist_site site;           /* DIST, MAP of dists: which quantity of
                                    the model (ds_model_dist.site) */
    const char *unit;            /* for the schema and docs, or NULL */
    const char *desc;            /* a sentence or two: schema, man, docs */
} ds_fmt_field;

/* The top-level keys of a scenario, NULL-name terminated. */
extern const ds_fmt_field ds_fmt_top[];

/* The built-in dimensions (SPEC §3.1: reserved, cannot be declared or
 * scored; keys of `weights`), NULL-terminated. */
extern const char *const ds_fmt_builtin_dims[];

/* The key `name` among `fields` (NULL-name terminated), or NULL. */
const ds_fmt_field *ds_fmt_find(const ds_fmt_field *fields, const char *name);

/* 1 if a key of kind k holds a plain value (no keys of its own: not an
 * object, list, map or dist). */
int ds_fmt_is_plain(ds_fmt_kind k);

/* The range's ends as numbers: -INFINITY / INFINITY where there is none. */
double ds_fmt_lo(const ds_fmt_range *r);
double ds_fmt_hi(const ds_fmt_range *r);

/* 1 if `path` (SPEC §9: keys and ids joined by '.') names an integer key
 * (SPEC §3.1), else 0. */
int ds_fmt_path_is_integer(const char *path);

/* ------------------------------------------------------------- dists */

/* A parameter of a dist object (SPEC §2). */
typedef struct ds_fmt_param {
    const char *name;
    int required;
    double def;          /* the value of an optional parameter when absent */
    ds_fmt_range range;  /* what ds_dist_check accepts alone (sd >= 0, ...) */
    size_t off;          /* the double in ds_dist; unused for arrays */
    int array;           /* discrete: an array of numbers (values, weights) */
} ds_fmt_param;

/* A kind of dist (SPEC §2). */
typedef struct ds_fmt_dist {
    const char *name;        /* "uniform" */
    ds_dist_kind kind;
    ds_fmt_param params[5];  /* NULL-name terminated */
    const char *desc;
} ds_fmt_dist;

/* The kinds of dist, in SPEC §2 order. */
extern const ds_fmt_dist ds_fmt_dists[];
extern const size_t ds_fmt_n_dists;

/* The kind named `name`, or NULL. */
const ds_fmt_dist *ds_fmt_dist_find(const char *name);

/* Id syntax (SPEC §1) as a regular expression, for the schema. */
#define DS_FMT_ID_PATTERN "^[A-Za-z][A-Za-z0-9_]*$"

/* A SPEC §9 path (ids and keys joined by '.'), for the schema. */
#define DS_FMT_PATH_PATTERN "^[A-Za-z][A-Za-z0-9_]*([.][A-Za-z][A-Za-z0-9_]*)*$"

#endif /* DEALSIM_SIM_FORMAT_H */
