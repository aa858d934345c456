/*
 * format.c - the scenario format of SPEC §2-§3 as one table (see format.h),
 * and what is generated from it alone: the JSON Schema (ds_schema_write)
 * and the dealsim-scenario(5) man page (ds_format_man).
 *
 * Row order is the order of the keys in messages that list or suggest keys
 * (a did-you-mean prefers the earlier of two equally close keys), in the
 * schema and in the man page.  The validator checks the keys of an object
 * in row order too, except that a list other keys refer to is checked
 * before the first key that refers to it (scenario_build.c).
 */
#include "format.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dealsim/error.h"
#include "dealsim/model.h"

/* ------------------------------------------------------------ ranges */

#define ANY {0, 0, DS_FMT_NONE, DS_FMT_NONE}
#define GE0 {0, 0, DS_FMT_CLOSED, DS_FMT_NONE}
#define GT0 {0, 0, DS_FMT_OPEN, DS_FMT_NONE}
#define PROB {0, 1, DS_FMT_CLOSED, DS_FMT_CLOSED}
#define OC01 {0, 1, DS_FMT_OPEN, DS_FMT_CLOSED} /* (0, 1] */
#define INT_IN(a, b) {a, b, DS_FMT_CLOSED, DS_FMT_CLOSED}

/* Where a value goes: a member of the struct that holds the key. */
#define AT(T, m) .off = offsetof(T, m)
/* A list or id list: the array and its count. */
#define ARRAY(T, a, n) .off = offsetof(T, a), .off_n = offsetof(T, n)

static const ds_fmt_choice roles[] = {
    {"member", DS_ROLE_MEMBER}, {"decider", DS_ROLE_DECIDER}, {NULL, 0}};
static const ds_fmt_choice decider_acts[] = {
    {"every_round", DS_DECIDER_EVERY_ROUND},
    {"deadline", DS_DECIDER_DEADLINE},
    {NULL, 0}};

/* ------------------------------------------------------------- keys */

static const ds_fmt_field f_source[] = {
    {.name = "id", .kind = DS_FMT_STRING, .flags = DS_FMT_REQ | DS_FMT_NONEMPTY,
     AT(ds_source, id),
     .desc = "any non-empty string, unique among sources (e.g. a Federal "
             "Register number); a source is named by it in messages when it "
             "has id syntax"},
    {.name = "text", .kind = DS_FMT_STRING, .flags = DS_FMT_REQ,
     AT(ds_source, text),
     .desc = "where the figures come from: outlet, date, URL"},
    {0}};

static const ds_fmt_field f_home[] = {
    {.name = "name", .kind = DS_FMT_STRING, .sdef = "home",
     AT(ds_model, home_name), .desc = "display name"},
    {.name = "discount", .kind = DS_FMT_NUMBER, .range = OC01, .def = 1,
     AT(ds_model, discount), .unit = "per round",
     .desc = "δ, home's per-round discount factor: a deal in round r* is "
             "worth δ^(r*−1) of the same deal in round 1"},
    {.name = "tariff_burden", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     .range = PROB, AT(ds_model, tariff_burden), .unit = "share",
     .desc = "share of the tariff paid by home's exporters (1 − pass-through "
             "to the counterpart's duty-inclusive prices)"},
    {.name = "margin", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = PROB,
     AT(ds_model, margin), .unit = "share",
     .desc = "home's loss per dollar of export sales lost to the tariff (its "
             "margin on them)"},
    {0}};

static const ds_fmt_field f_counterpart[] = {
    {.name = "name", .kind = DS_FMT_STRING, .sdef = "counterpart",
     AT(ds_model, counterpart_name), .desc = "display name"},
    {0}};

static const ds_fmt_field f_line[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(ds_line, id),
     .desc = "the line's id, unique among lines"},
    {.name = "exports", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, exports), .unit = "bn/yr",
     .desc = "X0, home's exports on this line today"},
    {.name = "current", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, current), .unit = "fraction",
     .desc = "the tariff today (the level X0 was observed at)"},
    {.name = "no_deal", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, no_deal), .unit = "fraction",
     .desc = "the tariff if there is no deal by the deadline"},
    {.name = "deal", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, deal), .unit = "fraction",
     .desc = "the tariff if a deal is made"},
    {.name = "elasticity", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0, .sdef = "the top-level elasticity", AT(ds_line, elasticity),
     .off_has = offsetof(ds_line, has_elasticity),
     .desc = "ε, the import-demand elasticity of this line"},
    {0}};

static const ds_fmt_field f_item[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(ds_item, id),
     .desc = "the item's id, unique among items"},
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,
     .sdef = "the id", AT(ds_item, label), .desc = "display name"},
    {.name = "deficit_effect", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_item, deficit_effect), .unit = "bn/yr",
     .desc = "e_i, change of the counterpart's deficit at intensity 1, as "
             "pledged; negative closes the deficit"},
    {.name = "cost", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_item, cost), .unit = "bn/yr",
     .desc = "cost to home at intensity 1"},
    {.name = "delivery", .kind = DS_FMT_DIST, .range = PROB, .def = 1,
     AT(ds_item, delivery), .unit = "share",
     .desc = "share of the pledge actually delivered (enters only the "
             "realised deficit)"},
    {.name = "scores", .kind = DS_FMT_MAP, .ref = "dimensions",
     .elem = DS_FMT_DIST, .sdef = "every score 0", AT(ds_item, scores),
     .unit = "dimension units",
     .desc = "contribution to each declared dimension at intensity 1"},
    {.name = "exposure", .kind = DS_FMT_MAP, .ref = "third_parties",
     .elem = DS_FMT_NUMBER, .range = GE0, .sdef = "every exposure 0",
     AT(ds_item, exposure),
     .desc = "how much the item targets each third party at intensity 1"},
    {0}};

static const ds_fmt_field f_package[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(ds_package, id),
     .desc = "the package's id, unique among packages"},
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,
     .sdef = "the id", AT(ds_package, label), .desc = "display name"},
    {.name = "items", .kind = DS_FMT_MAP, .flags = DS_FMT_REQ | DS_FMT_SPARSE,
     .ref = "items", .elem = DS_FMT_NUMBER, .range = GE0,
     ARRAY(ds_package, item, n), .off_x = offsetof(ds_package, x),
     .desc = "x_i, the intensity of each item offered (1 = the item as "
             "described); {} offers nothing"},
    {0}};

static const ds_fmt_field f_strategy[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(ds_strategy, id),
     .desc = "the strategy's id, unique among strategies"},
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,
     .sdef = "the id", AT(ds_strategy, label), .desc = "display name"},
    {.name = "offers", .kind = DS_FMT_IDLIST,
     .flags = DS_FMT_REQ | DS_FMT_NONEMPTY, .ref = "packages",
     ARRAY(ds_strategy, offers, n_offers),
     .desc = "the package offered in each round: round r offers "
             "offers[min(r, m) − 1], so an escalation is a longer list"},
    {0}};

static const ds_fmt_field f_actor[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(ds_actor, id),
     .desc = "the actor's id, unique among actors"},
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,
     .sdef = "the id", AT(ds_actor, label), .desc = "display name"},
    {.name = "role", .kind = DS_FMT_ENUM, .flags = DS_FMT_REQ | DS_FMT_GATE,
     .choices = roles, .rule = DS_FMT_RULE_DECIDER, AT(ds_actor, role),
     .desc = "a member of the team, or the decider with the final say (at "
             "most one)"},
    {.name = "weights", .kind = DS_FMT_MAP,
     .flags = DS_FMT_REQ | DS_FMT_BUILTIN | DS_FMT_NONZERO,
     .ref = "dimensions", .elem = DS_FMT_NUMBER, .range = GE0,
     AT(ds_actor, weights),
     .desc = "weight of \"deficit\" and of each declared dimension (missing "
             "keys weigh 0; not all 0); normalised to sum 1"},
    {.name = "weight_certainty", .kind = DS_FMT_NUMBER, .range = GE0,
     AT(ds_actor, weight_certainty),
     .desc = "κ: 0 = weights known exactly; > 0 = drawn each draw from a "
             "Dirichlet around them (smaller = more uncertain)"},
    {.name = "threshold", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_actor, threshold), .unit = "utility",
     .desc = "reservation utility in round 1"},
    {.name = "concession", .kind = DS_FMT_DIST, AT(ds_actor, concession),
     .unit = "utility per round",
     .desc = "how much the threshold falls in each later round (no floor)"},
    {.name = "noise", .kind = DS_FMT_NUMBER, .range = GE0, AT(ds_actor, noise),
     .unit = "utility", .desc = "sd of the actor's per-round evaluation noise"},
    {.name = "influence", .kind = DS_FMT_NUMBER, .range = GT0, .def = 1,
     .only = "member", AT(ds_actor, influence),
     .desc = "the member's weight in the team's support σ"},
    {.name = "veto", .kind = DS_FMT_BOOL, .only = "member", AT(ds_actor, veto),
     .desc = "a present member with a veto who rejects blocks the team"},
    {.name = "attendance", .kind = DS_FMT_NUMBER, .range = PROB, .def = 1,
     .only = "member", AT(ds_actor, attendance), .unit = "probability",
     .desc = "chance the member is present in a round"},
    {.name = "credit", .kind = DS_FMT_NUMBER, .range = GE0,
     AT(ds_actor, credit), .unit = "utility",
     .desc = "utility bonus when the offer contains a championed item"},
    {.name = "champions", .kind = DS_FMT_IDLIST, .ref = "items",
     ARRAY(ds_actor, champions, n_champions),
     .desc = "items the actor wants credit for"},
    {.name = "team_weight", .kind = DS_FMT_NUMBER, .range = GE0,
     .only = "decider", AT(ds_actor, team_weight), .unit = "utility",
     .desc = "weight of the team's support σ in the decider's utility"},
    {0}};

static const ds_fmt_field f_protocol[] = {
    {.name = "rounds", .kind = DS_FMT_INTEGER, .flags = DS_FMT_REQ,
     .range = INT_IN(1, DS_MAX_ROUNDS), AT(ds_model, protocol.rounds),
     .desc = "R, the number of rounds; round R is the deadline"},
    {.name = "quorum", .kind = DS_FMT_NUMBER, .range = OC01, .def = 0.5,
     AT(ds_model, protocol.quorum), .unit = "share",
     .desc = "share of the present members' influence that must approve"},
    {.name = "decider_acts", .kind = DS_FMT_ENUM, .choices = decider_acts,
     .sdef = "deadline", AT(ds_model, protocol.decider_acts),
     .desc = "when the decider decides: on each offer the team passes, or "
             "once, at the end of round R, on the latest offer it passed"},
    {.name = "disconnect", .kind = DS_FMT_NUMBER, .range = PROB,
     AT(ds_model, protocol.disconnect), .unit = "probability",
     .desc = "probability that a round is lost because information does not "
             "pass between levels"},
    {.name = "stall_on_split", .kind = DS_FMT_NUMBER, .range = PROB,
     AT(ds_model, protocol.stall_on_split), .unit = "probability",
     .desc = "probability that a split team (some but not all present "
             "members approve) stalls and loses the round"},
    {0}};

static const ds_fmt_field f_retaliation[] = {
    {.name = "base", .kind = DS_FMT_NUMBER, .flags = DS_FMT_REQ,
     AT(ds_third_party, base),
     .desc = "P = 1/(1 + exp(−(base + slope·E))) at exposure E"},
    {.name = "slope", .kind = DS_FMT_NUMBER, .flags = DS_FMT_REQ,
     AT(ds_third_party, slope), .unit = "per unit of exposure",
     .desc = "how fast the retaliation probability rises with exposure"},
    {0}};

static const ds_fmt_field f_third[] = {
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ,
     AT(ds_third_party, id), .desc = "the third party's id, unique"},
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,
     .sdef = "the id", AT(ds_third_party, label), .desc = "display name"},
    {.name = "retaliation", .kind = DS_FMT_OBJECT, .flags = DS_FMT_REQ,
     .sub = f_retaliation,
     .desc = "logistic retaliation probability against a deal"},
    {.name = "cost_per_exposure", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     .range = GE0, AT(ds_third_party, cost_per_exposure),
     .unit = "bn/yr per unit of exposure",
     .desc = "home's yearly cost of retaliation per unit of exposure"},
    {0}};

static const ds_fmt_field f_simulation[] = {
    {.name = "draws", .kind = DS_FMT_INTEGER, .flags = DS_FMT_U64,
     .range = INT_IN(1, DS_MAX_FILE_SEED), .def = 100000, AT(ds_model, draws),
     .desc = "number of Monte Carlo draws (-n overrides)"},
    {.name = "seed", .kind = DS_FMT_INTEGER, .flags = DS_FMT_U64,
     .range = INT_IN(0, DS_MAX_FILE_SEED), .def = 1, AT(ds_model, seed),
     .desc = "random seed (-s overrides, up to 2^64 − 1)"},
    {0}};

const ds_fmt_field ds_fmt_top[] = {
    {.name = "dealsim", .kind = DS_FMT_INTEGER,
     .flags = DS_FMT_REQ | DS_FMT_NOSTORE,
     .range = INT_IN(1, DS_FORMAT_VERSION), .rule = DS_FMT_RULE_VERSION,
     .desc = "the format version"},
    {.name = "name", .kind = DS_FMT_STRING, .flags = DS_FMT_REQ,
     AT(ds_model, name), .desc = "the scenario's name"},
    {.name = "description", .kind = DS_FMT_STRING, .sdef = "",
     AT(ds_model, description), .desc = "free text"},
    {.name = "sources", .kind = DS_FMT_LIST, .sub = f_source, .noun = "source",
     .size = sizeof(ds_source), ARRAY(ds_model, sources, n_sources),
     .desc = "provenance of the numbers"},
    {.name = "home", .kind = DS_FMT_OBJECT, .sub = f_home,
     .desc = "the side that offers concessions"},
    {.name = "counterpart", .kind = DS_FMT_OBJECT, .sub = f_counterpart,
     .desc = "the side that decides"},
    {.name = "baseline_deficit", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     .rule = DS_FMT_RULE_MEAN, AT(ds_model, baseline_deficit), .unit = "bn/yr",
     .desc = "the counterpart's deficit before any change; its analytic "
             "mean D̄ must be > 0"},
    {.name = "elasticity", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0, .sdef = "required when a line has none of its own",
     AT(ds_model, elasticity), .off_has = offsetof(ds_model, has_elasticity),
     .desc = "ε, the import-demand elasticity, drawn once and shared by every "
             "line without its own"},
    {.name = "dimensions", .kind = DS_FMT_IDLIST, .flags = DS_FMT_RESERVED,
     .noun = "dimension",
     .max = DS_MAX_DIMENSIONS, ARRAY(ds_model, dims, n_dims),
     .desc = "criteria the actors care about besides the built-in "
             "\"deficit\""},
    {.name = "lines", .kind = DS_FMT_LIST, .flags = DS_FMT_REQ | DS_FMT_NONEMPTY,
     .sub = f_line, .noun = "line", .max = DS_MAX_LINES,
     .rule = DS_FMT_RULE_ELASTICITY, .size = sizeof(ds_line),
     ARRAY(ds_model, lines, n_lines),
     .desc = "tariff lines of home's exports to the counterpart"},
    {.name = "items", .kind = DS_FMT_LIST, .sub = f_item, .noun = "item",
     .max = DS_MAX_ITEMS, .size = sizeof(ds_item),
     ARRAY(ds_model, items, n_items),
     .desc = "concessions the home side can offer"},
    {.name = "packages", .kind = DS_FMT_LIST,
     .flags = DS_FMT_REQ | DS_FMT_NONEMPTY, .sub = f_package,
     .noun = "package", .max = DS_MAX_PACKAGES, .size = sizeof(ds_package),
     ARRAY(ds_model, packages, n_packages),
     .desc = "bundles of items"},
    {.name = "strategies", .kind = DS_FMT_LIST,
     .flags = DS_FMT_NONEMPTY | DS_FMT_HAS, .sub = f_strategy,
     .noun = "strategy", .max = DS_MAX_STRATEGIES,
     .sdef = "one strategy per package", .rule = DS_FMT_RULE_STRATEGIES,
     .size = sizeof(ds_strategy), ARRAY(ds_model, strategies, n_strategies),
     .off_has = offsetof(ds_model, strategies_given),
     .desc = "offer sequences; results come one row per strategy"},
    {.name = "actors", .kind = DS_FMT_LIST, .flags = DS_FMT_REQ | DS_FMT_NONEMPTY,
     .sub = f_actor, .noun = "actor", .max = DS_MAX_ACTORS,
     .rule = DS_FMT_RULE_ROLE, .size = sizeof(ds_actor),
     ARRAY(ds_model, actors, n_actors),
     .desc = "the counterpart's decision-makers"},
    {.name = "protocol", .kind = DS_FMT_OBJECT, .sub = f_protocol,
     .desc = "bargaining rules"},
    {.name = "third_parties", .kind = DS_FMT_LIST, .sub = f_third,
     .noun = "third party", .max = DS_MAX_THIRD_PARTIES,
     .size = sizeof(ds_third_party), ARRAY(ds_model, third, n_third),
     .desc = "parties that may retaliate against home for a deal"},
    {.name = "simulation", .kind = DS_FMT_OBJECT, .sub = f_simulation,
     .desc = "defaults for the run; command-line flags override"},
    {0}};

const char *const ds_fmt_builtin_dims[] = {"deficit", NULL};

/* ------------------------------------------------------------ dists */

#define P_REQ(n, o) {n, 1, 0, ANY, offsetof(ds_dist, o), 0}
#define P_REQ_IN(n, r, o) {n, 1, 0, r, offsetof(ds_dist, o), 0}
#define P_OPT(n, d, o) {n, 0, d, ANY, offsetof(ds_dist, o), 0}
#define P_ARRAY(n, r) {n, 1, 0, r, 0, 1}

const ds_fmt_dist ds_fmt_dists[] = {
    {"fixed", DS_DIST_FIXED, {P_REQ("value", u.fixed.value)},
     "always `value`"},
    {"uniform", DS_DIST_UNIFORM,
     {P_REQ("min", u.uniform.min), P_REQ("max", u.uniform.max)},
     "continuous uniform on [min, max]"},
    {"normal", DS_DIST_NORMAL,
     {P_REQ("mean", u.normal.mean), P_REQ_IN("sd", GE0, u.normal.sd),
      P_OPT("min", -INFINITY, u.normal.min),
      P_OPT("max", INFINITY, u.normal.max)},
     "normal; with min and/or max, conditioned on [min, max] (truncated)"},
    {"lognormal", DS_DIST_LOGNORMAL,
     {P_REQ_IN("median", GT0, u.lognormal.median),
      P_REQ_IN("sigma", GE0, u.lognormal.sigma)},
     "median · exp(sigma · Z), Z standard normal"},
    {"triangular", DS_DIST_TRIANGULAR,
     {P_REQ("min", u.tri.min), P_REQ("mode", u.tri.mode),
      P_REQ("max", u.tri.max)},
     "triangular, min ≤ mode ≤ max"},
    {"pert", DS_DIST_PERT,
     {P_REQ("min", u.tri.min), P_REQ("mode", u.tri.mode),
      P_REQ("max", u.tri.max)},
     "beta-PERT with λ = 4, min ≤ mode ≤ max"},
    {"beta", DS_DIST_BETA,
     {P_REQ_IN("a", GT0, u.beta.a), P_REQ_IN("b", GT0, u.beta.b),
      P_OPT("min", 0, u.beta.min), P_OPT("max", 1, u.beta.max)},
     "min + (max − min) · Beta(a, b)"},
    {"discrete", DS_DIST_DISCRETE,
     {P_ARRAY("values", ANY), P_ARRAY("weights", GE0)},
     "one of `values` with probability ∝ its weight (same lengths ≥ 1, "
     "weights not all 0)"},
};
const size_t ds_fmt_n_dists = sizeof ds_fmt_dists / sizeof ds_fmt_dists[0];

const ds_fmt_dist *ds_fmt_dist_find(const char *name)
{
    for (size_t i = 0; i < ds_fmt_n_dists; i++)
        if (strcmp(ds_fmt_dists[i].name, name) == 0)
            return &ds_fmt_dists[i];
    return NULL;
}

/* ---------------------------------------------------------- lookups */

const ds_fmt_field *ds_fmt_find(const ds_fmt_field *fields, const char *name)
{
    for (; fields && fields->name; fields++)
        if (strcmp(fields->name, name) == 0)
            return fields;
    return NULL;
}

int ds_fmt_is_plain(ds_fmt_kind k)
{
    return k != DS_FMT_OBJECT && k != DS_FMT_LIST && k != DS_FMT_MAP &&
           k != DS_FMT_DIST;
}

double ds_fmt_lo(const ds_fmt_range *r)
{
    return r->lo_end == DS_FMT_NONE ? -INFINITY : r->lo;
}

double ds_fmt_hi(const ds_fmt_range *r)
{
    return r->hi_end == DS_FMT_NONE ? INFINITY : r->hi;
}

int ds_fmt_path_is_integer(const char *path)
{
    const ds_fmt_field *fields = ds_fmt_top, *f = NULL;
    const char *p = path;
    int skip = 0; /* parts that name an id or a map key, not a key */
    while (1) {
        size_t n = strcspn(p, ".");
        if (skip) {
            skip--;
            if (n == 0)
                return 0;
        } else {
            f = NULL;
            for (const ds_fmt_field *g = fields; g && g->name; g++)
                if (strlen(g->name) == n && strncmp(g->name, p, n) == 0)
                    f = g;
            if (!f)
                return 0;
            if (p[n] == '\0')
                return f->kind == DS_FMT_INTEGER;
            if (f->kind == DS_FMT_LIST)
                skip = 1;
            else if (f->kind == DS_FMT_MAP)
                return 0; /* a map holds numbers and dists, never integers */
            else if (f->kind != DS_FMT_OBJECT)
                return 0; /* a plain value or a dist's parameter */
            fields = f->sub;
        }
        if (p[n] == '\0')
            return 0; /* ends on a list element */
        p += n + 1;
    }
}
