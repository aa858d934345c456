/*
 * test_cover_engine.c - ds_engine_check's messages beyond test_run.c: the
 * input named in the hint when it is a line's own elasticity, an item's
 * score (before inputs later in the file), or a value of -inf.  The models are
 * built from valid scenarios and then given values a scenario could not,
 * as test_run.c does.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dealsim/dist.h"
#include "dealsim/engine.h"
#include "model_util.h"

/* One line, one item scored on "security", one member, one third party
 * that always retaliates against a deal. */
static const char *SCENARIO =
    "{\"dealsim\": 1, \"name\": \"engine\","
    " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
    " \"baseline_deficit\": 60, \"elasticity\": 1,"
    " \"dimensions\": [\"security\"],"
    " \"lines\": [{\"id\": \"all\", \"exports\": 100, \"current\": 0.1, \"no_deal\": 0.25,"
    "             \"deal\": 0.15, \"elasticity\": 1.5}],"
    " \"items\": [{\"id\": \"a\", \"deficit_effect\": -3, \"cost\": 1,"
    "             \"scores\": {\"security\": 1}, \"exposure\": {\"q\": 1}}],"
    " \"packages\": [{\"id\": \"p\", \"items\": {\"a\": 1}}],"
    " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1},"
    "              \"threshold\": -1000}],"
    " \"protocol\": {\"rounds\": 1},"
    " \"third_parties\": [{\"id\": \"q\", \"retaliation\": {\"base\": 50, \"slope\": 0},"
    "                      \"cost_per_exposure\": 1}]}";

static void set_fixed(ds_dist *d, double v)
{
    ds_dist_free(d);
    *d = ds_dist_fixed(v);
}

/* The message of the first bad draw of m among draws [0, 50). */
static void check_message(ds_model *m, const char *start, const char *hint)
{
    ds_engine *e = ds_engine_new(m);
    ds_error err;
    cr_assert_not_null(e);
    cr_assert_eq(ds_engine_check(e, 7, 0, 50, &err), DS_ERANGE, "no bad draw");
    cr_assert(strncmp(err.msg, start, strlen(start)) == 0, "'%s' does not start with '%s'",
              err.msg, start);
    size_t n = strlen(err.msg), h = strlen(hint);
    cr_assert(n >= h && strcmp(err.msg + n - h, hint) == 0, "'%s' does not end with '%s'",
              err.msg, hint);
    ds_engine_free(e);
}

/* A line's own elasticity is named by the line's path. */
Test(cover_engine, a_lines_own_elasticity_is_named)
{
    ds_model *m = test_model_text(SCENARIO);
    cr_assert(m->lines[0].has_elasticity);
    set_fixed(&m->lines[0].elasticity, -1e200);
    check_message(m, "draw 0: ", "; check lines.all.elasticity, drawn as -1e+200");
    ds_model_free(m);
}

/* The first input out of range in file order is named: an item's score
 * comes before a third party's cost. */
Test(cover_engine, an_items_score_is_named_before_later_inputs)
{
    ds_model *m = test_model_text(SCENARIO);
    set_fixed(&m->items[0].scores[0], 1e200);
    set_fixed(&m->third[0].cost_per_exposure, 1e150);
    check_message(m, "draw 0: ", "; check items.a.scores.security, drawn as 1e+200");
    ds_model_free(m);
}

/* An input of -inf is shown as such. */
Test(cover_engine, minus_infinity_is_shown)
{
    ds_model *m = test_model_text(SCENARIO);
    set_fixed(&m->lines[0].exports, -INFINITY);
    check_message(m, "draw 0: ", "; check lines.all.exports, drawn as -inf");
    ds_model_free(m);
}
