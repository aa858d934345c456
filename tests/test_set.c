/*
 * test_set.c - `--set PATH=VALUE` overrides (SPEC §9): every kind of good
 * override checked in the built model, and every kind of bad one checked by
 * its message (path errors from ds_scenario_set, kind errors from build).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "dealsim/scenario.h"

#define GOOD_DIR DS_TEST_DIR "/data/good/"

static ds_report rep;

static void setup(void)
{
    ds_report_init(&rep);
}

static void teardown(void)
{
    ds_report_free(&rep);
}

TestSuite(set, .init = setup, .fini = teardown);

static ds_scenario *load(const char *name)
{
    size_t before = rep.n;
    ds_scenario *s = ds_scenario_load(name, &rep);
    cr_assert_not_null(s);
    cr_assert_eq(rep.n, before);
    return s;
}

/* Apply "PATH=VALUE" overrides (NULL-terminated) and build; all must pass. */
static ds_model *set_and_build(const char *file, const char *const *args)
{
    ds_scenario *s = load(file);
    ds_model *m = NULL;
    for (size_t i = 0; args[i]; i++)
        cr_assert_eq(ds_scenario_set_arg(s, args[i], &rep), DS_OK, "%s: %s",
                     args[i], rep.n ? rep.msg[rep.n - 1] : "");
    int rc = ds_scenario_build(s, &m, &rep);
    cr_assert_eq(rc, DS_OK, "%s", rep.n ? rep.msg[0] : "");
    ds_scenario_free(s);
    return m;
}

/* One override that ds_scenario_set must refuse with exactly `want`. */
static void expect_set_error(const char *file, const char *arg, const char *want)
{
    ds_scenario *s = load(file);
    size_t before = rep.n;
    cr_expect_eq(ds_scenario_set_arg(s, arg, &rep), DS_EINVAL, "%s", arg);
    cr_expect_eq(rep.n, before + 1, "%s", arg);
    if (rep.n > before)
        cr_expect_str_eq(rep.msg[before], want);
    ds_scenario_free(s);
}

/* One override that sets fine but makes build fail with `want` among its
 * messages. */
static void expect_build_error(const char *file, const char *arg,
                               const char *want)
{
    ds_scenario *s = load(file);
    ds_model *m = NULL;
    int found = 0;
    ds_report_free(&rep);
    cr_expect_eq(ds_scenario_set_arg(s, arg, &rep), DS_OK, "%s", arg);
    cr_expect_eq(ds_scenario_build(s, &m, &rep), DS_EINVAL, "%s", arg);
    cr_expect_null(m);
    for (size_t i = 0; i < rep.n; i++)
        found |= strcmp(rep.msg[i], want) == 0;
    cr_expect(found, "%s: want \"%s\", got \"%s\"", arg, want,
              rep.n ? rep.msg[0] : "(nothing)");
    ds_model_free(m);
    ds_scenario_free(s);
}

#define FULL GOOD_DIR "full.json"
#define MINI GOOD_DIR "minimal.json"

Test(set, number_replaces_value_and_dist)
{
    const char *const a[] = {"protocol.rounds=7", "items.semis.cost=3.25",
                             "baseline_deficit=55", NULL};
    ds_model *m = set_and_build(FULL, a);
    cr_expect_eq(m->protocol.rounds, 7);
    cr_expect_eq(m->items[0].cost.kind, DS_DIST_FIXED);
    cr_expect_eq(m->items[0].cost.u.fixed.value, 3.25);
    cr_expect_eq(m->baseline_mean, 55);
    ds_model_free(m);
}

Test(set, whole_dist_as_json)
{
    const char *const a[] = {
        "lines.autos.current={\"dist\":\"uniform\",\"min\":0.01,\"max\":0.05}",
        NULL};
    ds_model *m = set_and_build(FULL, a);
    cr_expect_eq(m->lines[0].current.kind, DS_DIST_UNIFORM);
    cr_expect_eq(m->lines[0].current.u.uniform.min, 0.01);
    cr_expect_eq(m->lines[0].current.u.uniform.max, 0.05);
    ds_model_free(m);
}

Test(set, one_field_of_a_dist)
{
    const char *const a[] = {"items.semis.cost.max=20", "home.margin.mode=0.3",
                             "lines.autos.deal.weights=[1,1]", NULL};
    ds_model *m = set_and_build(FULL, a);
    cr_expect_eq(m->items[0].cost.kind, DS_DIST_BETA);
    cr_expect_eq(m->items[0].cost.u.beta.min, 5);
    cr_expect_eq(m->items[0].cost.u.beta.max, 20);
    cr_expect_eq(m->margin.u.tri.mode, 0.3);
    cr_expect_eq(m->lines[0].deal.u.discrete.weights[1], 1);
    ds_model_free(m);
}

Test(set, boolean_string_and_bare_word)
{
    const char *const a[] = {"actors.lutnick.veto=false",
                             "protocol.decider_acts=deadline",
                             "name=\"renamed run\"", "items.lng.label=LNG", NULL};
    ds_model *m = set_and_build(FULL, a);
    cr_expect_eq(m->actors[0].veto, 0);
    cr_expect_eq(m->protocol.decider_acts, DS_DECIDER_DEADLINE);
    cr_expect_str_eq(m->name, "renamed run");
    cr_expect_str_eq(m->items[1].label, "LNG");
    ds_model_free(m);
}

Test(set, path_through_ids)
{
    const char *const a[] = {"actors.lutnick.weights.reshoring=0.5",
                             "items.semis.scores.security=0.7",
                             "packages.big.items.lng=3",
                             "third_parties.china.retaliation.slope=2",
                             "strategies.escalate.offers=[\"big\",\"small\"]",
                             NULL};
    ds_model *m = set_and_build(FULL, a);
    cr_expect_eq(m->actors[0].weights[2], 0.5); /* after "deficit", "tariff" */
    cr_expect_eq(m->items[0].scores[1].u.fixed.value, 0.7);
    cr_expect_eq(m->packages[1].x[1], 3);
    cr_expect_eq(m->third[0].slope, 2);
    cr_expect_eq(m->strategies[0].offers[0], 1);
    ds_model_free(m);
}

Test(set, creates_omitted_keys)
{
    /* protocol exists without disconnect; simulation and counterpart do
     * not exist at all; bessent has no attendance. */
    const char *const a[] = {"protocol.disconnect=0.1", "simulation.seed=42",
                             "counterpart.name=USA", "home.discount=0.95",
                             "lines.autos.elasticity=2", NULL};
    ds_model *m = set_and_build(MINI, a);
    cr_expect_eq(m->protocol.disconnect, 0.1);
    cr_expect_eq(m->seed, 42);
    cr_expect_eq(m->draws, 100000);
    cr_expect_str_eq(m->counterpart_name, "USA");
    cr_expect_eq(m->discount, 0.95);
    cr_expect_eq(m->lines[0].has_elasticity, 1);
    ds_model_free(m);
    const char *const b[] = {"actors.bessent.attendance=0.5", NULL};
    m = set_and_build(FULL, b);
    cr_expect_eq(m->actors[1].attendance, 0.5);
    ds_model_free(m);
}

Test(set, replace_list_element_and_later_wins)
{
    const char *const a[] = {
        "lines.autos={\"id\":\"autos\",\"exports\":10,\"current\":0,"
        "\"no_deal\":0.3,\"deal\":0.1}",
        "protocol.rounds=2", "protocol.rounds=5", NULL};
    ds_model *m = set_and_build(MINI, a);
    cr_expect_eq(m->lines[0].exports.u.fixed.value, 10);
    cr_expect_eq(m->protocol.rounds, 5);
    ds_model_free(m);
}

Test(set, unknown_key_with_suggestion)
{
    expect_set_error(MINI, "protocol.roundz=3",
                     GOOD_DIR "minimal.json: error: --set protocol.roundz: "
                              "unknown key 'roundz' (did you mean 'rounds'?)");
    expect_set_error(MINI, "protcol.rounds=3",
                     GOOD_DIR "minimal.json: error: --set protcol.rounds: "
                              "unknown key 'protcol' (did you mean 'protocol'?)");
    expect_set_error(FULL, "items.semis.cost.mean=3",
                     GOOD_DIR "full.json: error: --set items.semis.cost.mean: "
                              "unknown key 'mean' (did you mean 'min'?)");
    expect_set_error(FULL, "protocol.rounds.max=3",
                     GOOD_DIR "full.json: error: --set protocol.rounds.max: "
                              "unknown key 'max' ('protocol.rounds' is a plain value)");
}

Test(set, unknown_id)
{
    expect_set_error(FULL, "actors.trumpp.threshold=1",
                     GOOD_DIR "full.json: error: --set actors.trumpp.threshold: "
                              "unknown actor 'trumpp'");
    expect_set_error(MINI, "third_parties.china.retaliation.base=1",
                     GOOD_DIR "minimal.json: error: --set "
                              "third_parties.china.retaliation.base: unknown "
                              "third party 'china'");
}

Test(set, position_instead_of_id)
{
    expect_set_error(FULL, "items.0.cost=1",
                     GOOD_DIR "full.json: error: --set items.0.cost: unknown "
                              "item '0' (list elements are named by id, not "
                              "position)");
    expect_set_error(FULL, "items[0].cost=1",
                     GOOD_DIR "full.json: error: --set items[0].cost: unknown "
                              "key 'items[0]'");
}

Test(set, field_inside_plain_number)
{
    expect_set_error(FULL, "lines.autos.current.max=1",
                     GOOD_DIR "full.json: error: --set lines.autos.current.max: "
                              "'lines.autos.current' is a plain number, not a "
                              "dist object: set the whole value");
    expect_set_error(FULL, "items.semis.scores.security.max=1",
                     GOOD_DIR "full.json: error: --set "
                              "items.semis.scores.security.max: "
                              "'items.semis.scores.security' is a plain number, "
                              "not a dist object: set the whole value");
    expect_set_error(FULL, "items.lng.delivery.max=1",
                     GOOD_DIR "full.json: error: --set items.lng.delivery.max: "
                              "cannot set a field of 'items.lng.delivery': the "
                              "file does not give it (set the whole dist)");
}

Test(set, malformed_arguments)
{
    expect_set_error(MINI, "protocol.rounds",
                     GOOD_DIR "minimal.json: error: --set protocol.rounds: "
                              "expected PATH=VALUE");
    expect_set_error(MINI, "=3",
                     GOOD_DIR "minimal.json: error: --set =3: expected PATH=VALUE");
    expect_set_error(MINI, "protocol..rounds=3",
                     GOOD_DIR "minimal.json: error: --set protocol..rounds: "
                              "empty part in the path");
    char deep[200] = "name=";
    for (int i = 0; i < 65; i++)
        strcat(deep, "[");
    for (int i = 0; i < 65; i++)
        strcat(deep, "]");
    expect_set_error(MINI, deep,
                     GOOD_DIR "minimal.json: error: --set name: the value "
                              "nests deeper than 64 levels");
}

Test(set, wrong_kind_reported_by_build)
{
    expect_build_error(MINI, "protocol.rounds=abc",
                       GOOD_DIR "minimal.json: error: protocol.rounds: "
                                "expected a number, got string");
    expect_build_error(FULL, "items.semis.cost.max=\"x\"",
                       GOOD_DIR "full.json: error: items.semis.cost.max: "
                                "expected a number, got string");
    expect_build_error(MINI, "protocol.quorum={\"dist\":\"fixed\",\"value\":0.5}",
                       GOOD_DIR "minimal.json: error: protocol.quorum: "
                                "expected a number, got a dist (a dist is not "
                                "allowed here)");
    expect_build_error(MINI, "simulation.seed=1.5",
                       GOOD_DIR "minimal.json: error: simulation.seed: must be "
                                "an integer, got 1.5");
    expect_build_error(FULL, "actors.trump.veto=true",
                       GOOD_DIR "full.json: error: actors.trump.veto: not "
                                "allowed on the decider (members only)");
    expect_build_error(MINI, "baseline_deficit={\"dist\":\"fixed\",\"value\":1,"
                             "\"value\":2}",
                       GOOD_DIR "minimal.json: error: baseline_deficit.value: "
                                "duplicate key");
}
