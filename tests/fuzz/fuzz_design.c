/*
 * fuzz_design.c - design files of `dealsim sweep --design-file` (SPEC §9):
 * the input is the file's text, read from a buffer of exactly its size;
 * when it makes a design, the first points are applied with --set to
 * copies of the built-in scenario, as a sweep does.
 * Properties: no crash, leak or over-read; an error comes with a message
 * naming the file and terminal-safe; a design has >= 1 point and path,
 * rows on increasing lines, every value and cell present, and integral
 * values for an integer key.
 */
#include "fuzz.h"

#include <math.h>

#include "dealsim/design.h"
#include "dealsim/scenario.h"

#define FILE_NAME "fuzz.csv"

/* Points applied to the scenario per input (each a copy and a build). */
#define MAX_APPLIED 4

static ds_scenario *base;

/* SPEC §3.1's integer keys, as the CLI's predicate knows them. */
static int is_integer_key(const char *path, void *ctx)
{
    (void)ctx;
    return strcmp(path, "dealsim") == 0 || strcmp(path, "protocol.rounds") == 0 ||
           strcmp(path, "simulation.draws") == 0 || strcmp(path, "simulation.seed") == 0;
}

static void apply_point(const ds_design *d, size_t i)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_scenario *s = ds_scenario_copy(base);
    FUZZ_CHECK(s != NULL, "out of memory");
    ds_report_init(&rep);
    for (size_t j = 0; j < ds_design_paths(d); j++) {
        int rc = ds_scenario_set(s, ds_design_path(d, j), ds_design_value(d, i, j), &rep);
        FUZZ_CHECK(rc == DS_OK || rc == DS_EINVAL, "rc %d", rc);
    }
    if (rep.n == 0)
        ds_scenario_build(s, &m, &rep);
    for (size_t k = 0; k < rep.n; k++)
        FUZZ_CHECK(fuzz_text_safe(rep.msg[k]), "%s", rep.msg[k]);
    ds_model_free(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_design *d = NULL;
    ds_error err = {0};
    char *text = malloc(size ? size : 1);
    int rc;

    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    if (!base) {
        ds_report rep;
        ds_report_init(&rep);
        base = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                                 ds_builtin_scenario_len, &rep);
        FUZZ_CHECK(base != NULL, "the built-in scenario does not parse");
        ds_report_free(&rep);
    }
    rc = ds_design_parse(FILE_NAME, text, size, is_integer_key, NULL, &d, &err);
    free(text); /* the design keeps nothing of the text */
    if (rc != DS_OK) {
        FUZZ_CHECK(rc == DS_EINVAL && d == NULL, "rc %d", rc);
        FUZZ_CHECK(strncmp(err.msg, FILE_NAME, sizeof FILE_NAME - 1) == 0, "%s", err.msg);
        FUZZ_CHECK(fuzz_text_safe(err.msg), "%s", err.msg);
        return 0;
    }
    size_t np = ds_design_points(d), nv = ds_design_paths(d);
    FUZZ_CHECK(np >= 1 && np <= DS_DESIGN_MAX_POINTS && nv >= 1, "%zu points, %zu paths", np, nv);
    FUZZ_CHECK(strcmp(ds_design_file(d), FILE_NAME) == 0, "%s", ds_design_file(d));
    for (size_t j = 0; j < nv; j++) {
        const char *path = ds_design_path(d, j);
        FUZZ_CHECK(path && *path, "empty path %zu", j);
        for (size_t i = 0; i < np; i++) {
            const char *v = ds_design_value(d, i, j), *c = ds_design_cell(d, i, j);
            FUZZ_CHECK(v && c && *v, "point %zu path %zu", i, j);
            if (is_integer_key(path, NULL)) {
                char *end;
                double x = strtod(v, &end);
                FUZZ_CHECK(*end == '\0' && isfinite(x) && x == floor(x), "'%s' for %s", v, path);
            }
        }
    }
    for (size_t i = 0; i < np; i++)
        FUZZ_CHECK(ds_design_line(d, i) >= 2 && (i == 0 || ds_design_line(d, i) >
                                                            ds_design_line(d, i - 1)),
                   "point %zu on line %zu", i, ds_design_line(d, i));
    for (size_t i = 0; i < np && i < MAX_APPLIED; i++)
        apply_point(d, i);
    ds_design_free(d);
    return 0;
}
