/*
 * model_util.h - build a model in a test, printing the loader's problems
 * and failing the test when there are any.  Header-only.
 */
#ifndef DS_TEST_MODEL_UTIL_H
#define DS_TEST_MODEL_UTIL_H

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <string.h>

#include "dealsim/scenario.h"

/* Build a model from s (or from nothing, when s is NULL because parsing
 * failed; rep then holds why).  Frees s and rep; fails the test, naming
 * `what`, unless a model was built. */
static inline ds_model *test_build(ds_scenario *s, ds_report *rep, const char *what)
{
    ds_model *m = NULL;
    if (s)
        ds_scenario_build(s, &m, rep);
    for (size_t i = 0; i < rep->n; i++)
        cr_log_error("%s", rep->msg[i]);
    ds_report_free(rep);
    ds_scenario_free(s);
    cr_assert_not_null(m, "cannot load %s", what);
    return m;
}

/* A model from JSON text. */
static inline ds_model *test_model_text(const char *text)
{
    ds_report rep;
    ds_report_init(&rep);
    return test_build(ds_scenario_parse("test.json", text, strlen(text), &rep), &rep, text);
}

/* A model from a file. */
static inline ds_model *test_model_file(const char *path)
{
    ds_report rep;
    ds_report_init(&rep);
    return test_build(ds_scenario_load(path, &rep), &rep, path);
}

#endif
