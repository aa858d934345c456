/*
 * scenario.h - scenario files: parse, override, validate, build the model.
 *
 * The flow is   text --parse--> ds_scenario --set...--> --build--> ds_model.
 * A ds_scenario is the parsed JSON document (opaque; the only place cJSON is
 * used is scenario.c).  Overrides (SPEC §9 `--set`) edit it in place, before
 * validation.  ds_scenario_build checks everything of SPEC §2-§4 and, only
 * if there was no problem, returns a new immutable ds_model.  A sweep parses
 * once and, per design point, copies, sets and builds.
 *
 * Every problem is appended to a ds_report as one complete line in the SPEC
 * §4 format, using the file name given at parse time:
 *   FILE:LINE:COL: error: MESSAGE       (JSON syntax, depth, size)
 *   FILE: error: PATH: MESSAGE          (everything else)
 * Warnings (SPEC §3.1: values that are valid but almost certainly a mistake
 * of units) go to a report of their own, named by the same paths:
 *   FILE: warning: PATH: MESSAGE
 */
#ifndef DEALSIM_SCENARIO_H
#define DEALSIM_SCENARIO_H

#include <stddef.h>
#include "dealsim/error.h"
#include "dealsim/model.h"

typedef struct ds_scenario ds_scenario;

/* Parse len bytes of JSON text.  `file` is the name used in messages (the
 * scenario keeps a copy).  Syntax errors, nesting deeper than DS_MAX_DEPTH,
 * files over DS_MAX_FILE_BYTES and duplicate keys are reported to rep.
 * Returns the scenario, or NULL when the text is not usable JSON (or on no
 * memory, also reported).  Duplicate keys do not make it NULL: they are
 * reported here and make every later ds_scenario_build fail. */
ds_scenario *ds_scenario_parse(const char *file, const char *text, size_t len,
                               ds_report *rep);

/* Read a whole file (at most DS_MAX_FILE_BYTES) and parse it.  A file that
 * cannot be read is reported as "FILE: error: cannot read: REASON". */
ds_scenario *ds_scenario_load(const char *file, ds_report *rep);

/* Apply one override (SPEC §9): `path` like "items.semis.cost.max", `value`
 * the text after '=' (JSON, or a bare word taken as a string).  Reports
 * "FILE: error: --set PATH: MESSAGE" style problems (a path that names
 * nothing names its first unknown part) and returns DS_EINVAL; DS_OK on
 * success.  Kind errors in the new value are left to ds_scenario_build. */
int ds_scenario_set(ds_scenario *s, const char *path, const char *value,
                    ds_report *rep);

/* Split "PATH=VALUE" (as given to --set) and apply it. */
int ds_scenario_set_arg(ds_scenario *s, const char *arg, ds_report *rep);

/* Deep copy (for sweep points).  NULL on no memory. */
ds_scenario *ds_scenario_copy(const ds_scenario *s);

/* A copy that shares with s every part of the document it does not change:
 * ds_scenario_set copies only the objects and arrays on the path it sets.
 * It reads, sets and builds exactly as a ds_scenario_copy would, for the
 * cost of the top level.  s keeps what is shared: it must not be changed
 * or freed while the copy lives, nor while any copy of the copy (deep or
 * shared) lives (any number of copies, in any threads, may share one s).
 * Free with ds_scenario_free.  NULL on no memory. */
ds_scenario *ds_scenario_copy_shared(const ds_scenario *s);

/* Validate completely and, if there were no problems at all, store a new
 * model in *out (caller frees with ds_model_free) and return DS_OK.  Else
 * report every problem, leave *out NULL and return DS_EINVAL (or DS_ENOMEM). */
int ds_scenario_build(const ds_scenario *s, ds_model **out, ds_report *rep);

/* Flags of ds_scenario_build_warn. */
#define DS_BUILD_STRICT 0x1u /* every warning is an error */

/*
 * ds_scenario_build, and the warnings of SPEC §3.1: values that are valid
 * but almost certainly a mistake of units (a tariff above 1, an item that
 * moves the deficit by more than the whole baseline deficit, exports above
 * 10 times it; see docs/scenario-format.md for the list).  They are checked
 * only when the scenario has no error, and named by the same paths as
 * errors.  Each is appended to `warn` (NULL: not kept) as
 *   "FILE: warning: PATH: MESSAGE"
 * and does not stop the build.  With DS_BUILD_STRICT each is reported to
 * `rep` as an error instead ("FILE: error: PATH: MESSAGE [strict]"), and
 * the build fails as for any error (DS_EINVAL, *out NULL), warn untouched.
 * Running out of memory while keeping a warning fails the build
 * (DS_ENOMEM), since the warnings would be incomplete.
 * ds_scenario_build(s, out, rep) is ds_scenario_build_warn(s, 0, out, rep,
 * NULL).
 */
int ds_scenario_build_warn(const ds_scenario *s, unsigned flags,
                           ds_model **out, ds_report *rep, ds_report *warn);

/* The file name given at parse time. */
const char *ds_scenario_file(const ds_scenario *s);

/* Free.  s may be NULL.  Can't fail. */
void ds_scenario_free(ds_scenario *s);

/* The built-in Japan-US 2025 scenario (scenarios/japan_us_2025.json,
 * embedded at build time) and its length in bytes. */
extern const char ds_builtin_scenario[];
extern const size_t ds_builtin_scenario_len;
#define DS_BUILTIN_NAME "japan_us_2025.json (built-in)"

#endif /* DEALSIM_SCENARIO_H */
