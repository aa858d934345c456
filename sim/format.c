/*
 * format.c - the scenario format of SPEC §2-§3 as one table (see format.h),
 * and what is generated from it alone: the JSON Schema (ds_schema_write)
 * and the dealsim-scenario(5) man page (ds_format_man).
 *
 * Row order is the order of the keys in messages that list or suggest keys
 * (a did-you-mean prefers the earlier of two equally close keys), in the
 * schema and in the man page.  The validator checks the keys of an object
 * in row order too, except that a list other keys refer to is checked
 * before the first key that refers to it (scenario_check.c).
 */
#include "format.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dealsim/error.h"
#include "dealsim/format.h"
#include "dealsim/model.h"

/* ------------------------------------------------------------ ranges */

#define STR_(x) #x
#define STR(x) STR_(x)

#define ANY {0, 0, DS_FMT_NONE, DS_FMT_NONE}
#define GE0 {0, 0, DS_FMT_CLOSED, DS_FMT_NONE}
#define GT0 {0, 0, DS_FMT_OPEN, DS_FMT_NONE}
#define PROB {0, 1, DS_FMT_CLOSED, DS_FMT_CLOSED}
#define OC01 {0, 1, DS_FMT_OPEN, DS_FMT_CLOSED} /* (0, 1] */
#define INT_IN(a, b) {a, b, DS_FMT_CLOSED, DS_FMT_CLOSED}
#define CORR {-1, 1, DS_FMT_CLOSED, DS_FMT_CLOSED} /* [-1, 1] */

/* Where a value goes: a member of the struct that holds the key. */
#define AT(T, m) .off = offsetof(T, m)
/* A list or id list: the array and its count. */
#define ARRAY(T, a, n) .off = offsetof(T, a), .off_n = offsetof(T, n)
/* The id of a list element, and its label, which defaults to the id. */
#define ID_KEY(T, text)                                                       \
    {.name = "id", .kind = DS_FMT_ID, .flags = DS_FMT_REQ, AT(T, id),         \
     .desc = text}
#define LABEL_KEY(T)                                                          \
    {.name = "label", .kind = DS_FMT_STRING, .flags = DS_FMT_LABEL,           \
     .sdef = "the id", AT(T, label), .desc = "display name"}

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
    {.name = "discount_rate", .kind = DS_FMT_NUMBER, .range = GE0,
     AT(ds_model, discount_rate), .unit = "per year",
     .desc = "ρ, home's yearly discount rate over the horizon: year h "
             "weighs (1 + ρ)^−(h−1) in the discounted averages per year of "
             "benefit and concession cost"},
    {.name = "tariff_burden", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     .range = PROB, AT(ds_model, tariff_burden),
     .site = DS_SITE_TARIFF_BURDEN, .unit = "share",
     .desc = "b, the share of the tariff paid by home's exporters (1 − "
             "pass-through to the counterpart's duty-inclusive prices): "
             "they cut their price by it, which lowers the border value of "
             "their exports; a line may override it"},
    {.name = "margin", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = PROB,
     AT(ds_model, margin), .site = DS_SITE_MARGIN, .unit = "share",
     .desc = "home's loss per dollar of export sales lost to the tariff (its "
             "margin on them)"},
    {0}};

static const ds_fmt_field f_counterpart[] = {
    {.name = "name", .kind = DS_FMT_STRING, .sdef = "counterpart",
     AT(ds_model, counterpart_name), .desc = "display name"},
    {0}};

static const ds_fmt_field f_line[] = {
    ID_KEY(ds_line, "the line's id, unique among lines"),
    LABEL_KEY(ds_line),
    {.name = "exports", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, exports), .site = DS_SITE_LINE_EXPORTS, .unit = "bn/yr",
     .desc = "X0, home's exports on this line today"},
    {.name = "current", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, current), .site = DS_SITE_LINE_CURRENT, .unit = "fraction",
     .desc = "the tariff today (the level X0 was observed at)"},
    {.name = "no_deal", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, no_deal), .site = DS_SITE_LINE_NO_DEAL, .unit = "fraction",
     .desc = "the tariff if there is no deal by the deadline"},
    {.name = "deal", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ, .range = GE0,
     AT(ds_line, deal), .site = DS_SITE_LINE_DEAL, .unit = "fraction",
     .desc = "the tariff if a deal is made"},
    {.name = "elasticity", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0, .sdef = "the top-level elasticity", AT(ds_line, elasticity),
     .site = DS_SITE_LINE_ELASTICITY,
     .off_has = offsetof(ds_line, has_elasticity),
     .desc = "ε, the year-1 import-demand elasticity of this line"},
    {.name = "elasticity_long", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0,
     .sdef = "the top-level elasticity_long, else this line's elasticity",
     AT(ds_line, elasticity_long), .site = DS_SITE_LINE_ELASTICITY_LONG,
     .off_has = offsetof(ds_line, has_elasticity_long),
     .desc = "εL, the long-run import-demand elasticity of this line"},
    {.name = "tariff_burden", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = PROB, .sdef = "home.tariff_burden", AT(ds_line, tariff_burden),
     .site = DS_SITE_LINE_TARIFF_BURDEN,
     .off_has = offsetof(ds_line, has_tariff_burden), .unit = "share",
     .desc = "b, the share of this line's tariff paid by home's exporters "
             "(they cut their price by it; the importers pay the rest)"},
    {0}};

static const ds_fmt_field f_item[] = {
    ID_KEY(ds_item, "the item's id, unique among items"),
    LABEL_KEY(ds_item),
    {.name = "deficit_effect", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_item, deficit_effect), .site = DS_SITE_ITEM_EFFECT, .unit = "bn/yr",
     .desc = "e_i, change of the counterpart's deficit at intensity 1, as "
             "pledged; negative closes the deficit"},
    {.name = "cost", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_item, cost), .site = DS_SITE_ITEM_COST, .unit = "bn/yr",
     .desc = "cost to home at intensity 1"},
    {.name = "delivery", .kind = DS_FMT_DIST, .range = PROB, .def = 1,
     AT(ds_item, delivery), .site = DS_SITE_ITEM_DELIVERY, .unit = "share",
     .desc = "share of the pledge actually delivered (enters only the "
             "realised deficit)"},
    {.name = "start", .kind = DS_FMT_INTEGER,
     .range = INT_IN(1, DS_MAX_ITEM_YEAR), .def = 1, AT(ds_item, start),
     .unit = "year",
     .desc = "the year of the horizon in which the pledge starts to be "
             "delivered (and to cost)"},
    {.name = "ramp", .kind = DS_FMT_INTEGER,
     .range = INT_IN(0, DS_MAX_ITEM_YEAR), AT(ds_item, ramp), .unit = "years",
     .desc = "years over which delivery grows to full after start: in year "
             "h the pledge is min(1, (h − start + 1)/(ramp + 1)) delivered"},
    {.name = "scores", .kind = DS_FMT_MAP, .ref = "dimensions",
     .elem = DS_FMT_DIST, .sdef = "every score 0", AT(ds_item, scores),
     .site = DS_SITE_ITEM_SCORE,
     .unit = "dimension units",
     .desc = "contribution to each declared dimension at intensity 1"},
    {.name = "exposure", .kind = DS_FMT_MAP, .ref = "third_parties",
     .elem = DS_FMT_NUMBER, .range = GE0, .sdef = "every exposure 0",
     AT(ds_item, exposure),
     .desc = "how much the item targets each third party at intensity 1"},
    {0}};

static const ds_fmt_field f_package[] = {
    ID_KEY(ds_package, "the package's id, unique among packages"),
    LABEL_KEY(ds_package),
    {.name = "items", .kind = DS_FMT_MAP, .flags = DS_FMT_REQ | DS_FMT_SPARSE,
     .ref = "items", .elem = DS_FMT_NUMBER, .range = GE0,
     ARRAY(ds_package, item, n), .off_x = offsetof(ds_package, x),
     .desc = "x_i, the intensity of each item offered (1 = the item as "
             "described); {} offers nothing"},
    {.name = "terms", .kind = DS_FMT_MAP, .ref = "lines", .elem = DS_FMT_DIST,
     .range = GE0, .def = NAN, .sdef = "{} (every line's deal)",
     AT(ds_package, terms), .site = DS_SITE_PACKAGE_TERMS, .unit = "fraction",
     .desc = "what home asks in return: the tariff on each line named if "
             "the package is accepted, replacing the line's deal"},
    {0}};

static const ds_fmt_field f_strategy[] = {
    ID_KEY(ds_strategy, "the strategy's id, unique among strategies"),
    LABEL_KEY(ds_strategy),
    {.name = "offers", .kind = DS_FMT_IDLIST,
     .flags = DS_FMT_REQ | DS_FMT_NONEMPTY, .ref = "packages",
     ARRAY(ds_strategy, offers, n_offers),
     .desc = "the package offered in each round: round r offers "
             "offers[min(r, m) − 1], so an escalation is a longer list"},
    {0}};

static const ds_fmt_field f_actor[] = {
    ID_KEY(ds_actor, "the actor's id, unique among actors"),
    LABEL_KEY(ds_actor),
    {.name = "role", .kind = DS_FMT_ENUM, .flags = DS_FMT_REQ | DS_FMT_GATE,
     .choices = roles, .rule = DS_FMT_RULE_DECIDER, AT(ds_actor, role),
     .desc = "a member of the team, or the decider with the final say (at "
             "most one)"},
    {.name = "weights", .kind = DS_FMT_MAP,
     .flags = DS_FMT_REQ | DS_FMT_BUILTIN | DS_FMT_NONZERO,
     .ref = "dimensions", .elem = DS_FMT_NUMBER, .range = GE0,
     AT(ds_actor, weights),
     .desc = "weight of \"deficit\", of \"tariff\" (dislike of the tariff "
             "cuts a package grants) and of each declared dimension (missing "
             "keys weigh 0; not all 0); normalised to sum 1"},
    {.name = "weight_certainty", .kind = DS_FMT_NUMBER, .range = GE0,
     AT(ds_actor, weight_certainty),
     .desc = "κ: 0 = weights known exactly; > 0 = drawn each draw from a "
             "Dirichlet around them (smaller = more uncertain)"},
    {.name = "threshold", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     AT(ds_actor, threshold), .site = DS_SITE_THRESHOLD, .unit = "utility",
     .desc = "reservation utility in round 1"},
    {.name = "concession", .kind = DS_FMT_DIST, AT(ds_actor, concession),
     .site = DS_SITE_CONCESSION,
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

static const ds_fmt_field f_extension[] = {
    {.name = "probability", .kind = DS_FMT_NUMBER, .flags = DS_FMT_REQ,
     .range = PROB, AT(ds_model, protocol.extension.probability),
     .unit = "probability",
     .desc = "the chance, drawn once per draw, that the deadline is "
             "extended"},
    {.name = "rounds", .kind = DS_FMT_INTEGER, .flags = DS_FMT_REQ,
     .range = INT_IN(1, DS_MAX_ROUNDS),
     AT(ds_model, protocol.extension.rounds),
     .desc = "k, the rounds added: R + k is the new deadline (R + k <= "
             STR(DS_MAX_ROUNDS) ")"},
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
    {.name = "extension", .kind = DS_FMT_OBJECT,
     .flags = DS_FMT_OPTIONAL | DS_FMT_HAS, .sub = f_extension,
     .rule = DS_FMT_RULE_EXTENSION, .sdef = "none (the deadline is final)",
     .off_has = offsetof(ds_model, protocol.extension.given),
     .desc = "a deadline that may be pushed back once: with this "
             "probability, each draw, a strategy without a deal after round R "
             "goes on for more rounds; both keys are required when it is "
             "given"},
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
    ID_KEY(ds_third_party, "the third party's id, unique"),
    LABEL_KEY(ds_third_party),
    {.name = "retaliation", .kind = DS_FMT_OBJECT, .flags = DS_FMT_REQ,
     .sub = f_retaliation,
     .desc = "logistic retaliation probability against a deal"},
    {.name = "cost_per_exposure", .kind = DS_FMT_DIST, .flags = DS_FMT_REQ,
     .range = GE0, AT(ds_third_party, cost_per_exposure),
     .site = DS_SITE_COST_PER_EXPOSURE,
     .unit = "bn/yr per unit of exposure",
     .desc = "home's yearly cost of retaliation per unit of exposure"},
    {0}};

static const ds_fmt_field f_correlation[] = {
    ID_KEY(ds_correlation, "the correlation's id, unique among correlations"),
    {.name = "dists", .kind = DS_FMT_PATHS, .flags = DS_FMT_REQ, .min = 2,
     .max = DS_MAX_CORRELATED, ARRAY(ds_correlation, paths, k),
     .desc = "the dists it correlates, each named by its path (e.g. "
             "\"elasticity\", \"actors.trump.threshold\"); each must vary, "
             "and be in no other correlation"},
    {.name = "matrix", .kind = DS_FMT_MATRIX, .flags = DS_FMT_REQ,
     .range = CORR, .max = DS_MAX_CORRELATED,
     ARRAY(ds_correlation, matrix, n_matrix),
     .desc = "the correlation matrix of the Gaussian copula, one row and "
             "column per dist in the order of `dists`: symmetric, 1 on the "
             "diagonal, positive definite"},
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
     .rule = DS_FMT_RULE_MEAN, AT(ds_model, baseline_deficit),
     .site = DS_SITE_BASELINE, .unit = "bn/yr",
     .desc = "the counterpart's deficit before any change; its analytic "
             "mean must be > 0 and finite (SPEC §5.2)"},
    {.name = "elasticity", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0, AT(ds_model, elasticity), .site = DS_SITE_ELASTICITY,
     .off_has = offsetof(ds_model, has_elasticity),
     .desc = "ε, the year-1 import-demand elasticity, drawn once and shared "
             "by every line without its own; required when a line has none"},
    {.name = "elasticity_long", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = GE0, .sdef = "each line's year-1 elasticity",
     AT(ds_model, elasticity_long), .site = DS_SITE_ELASTICITY_LONG,
     .off_has = offsetof(ds_model, has_elasticity_long),
     .desc = "εL, the long-run import-demand elasticity, drawn once and "
             "shared by every line without its own; in year h a line's "
             "elasticity is εL + (ε − εL)(1 − λ)^(h−1)"},
    {.name = "adjustment", .kind = DS_FMT_DIST, .flags = DS_FMT_HAS,
     .range = OC01, .rule = DS_FMT_RULE_ADJUSTMENT,
     .sdef = "none; required when any elasticity_long is given",
     AT(ds_model, adjustment), .site = DS_SITE_ADJUSTMENT,
     .off_has = offsetof(ds_model, has_adjustment),
     .unit = "share per year",
     .desc = "λ, the share of the gap between the year-1 and the long-run "
             "elasticity closed each year"},
    {.name = "horizon", .kind = DS_FMT_INTEGER,
     .range = INT_IN(1, DS_MAX_HORIZON), .def = 1, AT(ds_model, horizon),
     .unit = "years",
     .desc = "H, the years the economics are followed: benefit and "
             "concession cost are discounted averages per year over years "
             "1 … H, and deficit_end is the deficit in year H"},
    {.name = "correlations", .kind = DS_FMT_LIST, .sub = f_correlation,
     .noun = "correlation", .max = DS_MAX_CORRELATIONS,
     .rule = DS_FMT_RULE_CORRELATIONS, .size = sizeof(ds_correlation),
     ARRAY(ds_model, corr, n_corr),
     .desc = "rank dependence between dists: a Gaussian copula per "
             "correlation, each dist keeping its own distribution (SPEC §5.1)"},
    {.name = "dimensions", .kind = DS_FMT_IDLIST, .flags = DS_FMT_RESERVED,
     .noun = "dimension",
     .max = DS_MAX_DIMENSIONS, ARRAY(ds_model, dims, n_dims),
     .desc = "criteria the actors care about besides the built-in "
             "\"deficit\" and \"tariff\""},
    {.name = "lines", .kind = DS_FMT_LIST,
     .flags = DS_FMT_REQ | DS_FMT_NONEMPTY,
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
    {.name = "actors", .kind = DS_FMT_LIST,
     .flags = DS_FMT_REQ | DS_FMT_NONEMPTY,
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

const char *const ds_fmt_builtin_dims[] = {"deficit", "tariff", NULL};

/* ------------------------------------------------------------ dists */

#define P_REQ(n, o) {n, 1, 0, ANY, offsetof(ds_dist, o), 0}
#define P_REQ_IN(n, r, o) {n, 1, 0, r, offsetof(ds_dist, o), 0}
#define P_OPT(n, d, o) {n, 0, d, ANY, offsetof(ds_dist, o), 0}
#define P_ARRAY(n, r) {n, 1, 0, r, 0, 1}

const ds_fmt_dist ds_fmt_dists[] = {
    {"fixed", DS_DIST_FIXED, {P_REQ("value", u.fixed.value)},
     "always value"},
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
     "triangular, min <= mode <= max"},
    {"pert", DS_DIST_PERT,
     {P_REQ("min", u.tri.min), P_REQ("mode", u.tri.mode),
      P_REQ("max", u.tri.max)},
     "beta-PERT with lambda = 4, min <= mode <= max"},
    {"beta", DS_DIST_BETA,
     {P_REQ_IN("a", GT0, u.beta.a), P_REQ_IN("b", GT0, u.beta.b),
      P_OPT("min", 0, u.beta.min), P_OPT("max", 1, u.beta.max)},
     "min + (max − min) · Beta(a, b)"},
    {"discrete", DS_DIST_DISCRETE,
     {P_ARRAY("values", ANY), P_ARRAY("weights", GE0)},
     "one of the values, with probability proportional to its weight "
     "(values and weights of the same length, at least 1; weights not all "
     "0)"},
};
const size_t ds_fmt_n_dists = sizeof ds_fmt_dists / sizeof ds_fmt_dists[0];

const ds_fmt_dist *ds_fmt_dist_find(const char *name)
{
    for (size_t i = 0; i < ds_fmt_n_dists; i++)
        if (ds_fmt_dists[i].name[0] == name[0] &&
            strcmp(ds_fmt_dists[i].name, name) == 0)
            return &ds_fmt_dists[i];
    return NULL;
}

/* ---------------------------------------------------------- lookups */

const ds_fmt_field *ds_fmt_find(const ds_fmt_field *fields, const char *name)
{
    /* The first letters differ for most rows: test them before strcmp. */
    for (; fields && fields->name; fields++)
        if (fields->name[0] == name[0] && strcmp(fields->name, name) == 0)
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


/* ------------------------------------------------------ text helpers */


/* A number the shortest way that reads back the same. */
static void num_text(char *b, size_t n, double x)
{
    snprintf(b, n, "%.15g", x);
    if (strtod(b, NULL) != x)
        snprintf(b, n, "%.17g", x);
}

/* Append printf-style text to the string in b[n], cutting it to fit. */
static void app(char *b, size_t n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void app(char *b, size_t n, const char *fmt, ...)
{
    size_t l = strlen(b);
    va_list ap;
    va_start(ap, fmt);
    if (l < n)
        vsnprintf(b + l, n - l, fmt, ap);
    va_end(ap);
}

/* 1 if x lies in r. */
static int range_has(const ds_fmt_range *r, double x)
{
    double lo = ds_fmt_lo(r), hi = ds_fmt_hi(r);
    return (r->lo_end == DS_FMT_OPEN ? x > lo : x >= lo) &&
           (r->hi_end == DS_FMT_OPEN ? x < hi : x <= hi);
}

/* r as the validator writes it (">= 0", "in (0, 1]"), or "" for none. */
static void range_words(char *b, size_t n, const ds_fmt_range *r)
{
    char lo[40], hi[40];
    num_text(lo, sizeof lo, r->lo);
    num_text(hi, sizeof hi, r->hi);
    if (!r->lo_end && !r->hi_end)
        snprintf(b, n, "%s", "");
    else if (!r->hi_end)
        snprintf(b, n, "%s %s", r->lo_end == DS_FMT_OPEN ? ">" : ">=", lo);
    else if (!r->lo_end)
        snprintf(b, n, "%s %s", r->hi_end == DS_FMT_OPEN ? "<" : "<=", hi);
    else
        snprintf(b, n, "in %c%s, %s%c", r->lo_end == DS_FMT_OPEN ? '(' : '[',
                 lo, hi, r->hi_end == DS_FMT_OPEN ? ')' : ']');
}

/* 1 if an optional key of this row has a default value of its own (not one
 * that depends on other keys). */
static int has_value_default(const ds_fmt_field *f)
{
    return !(f->flags & (DS_FMT_REQ | DS_FMT_HAS | DS_FMT_NOSTORE)) &&
           (f->kind == DS_FMT_NUMBER || f->kind == DS_FMT_INTEGER ||
            f->kind == DS_FMT_BOOL || f->kind == DS_FMT_DIST ||
            (f->kind == DS_FMT_ENUM && f->sdef) ||
            (f->kind == DS_FMT_STRING && f->sdef &&
             !(f->flags & DS_FMT_LABEL)));
}

/* The default of an optional key in words ("0.5", "\"home\"", "the id",
 * "[]"), or "" when there is none to tell. */
static void default_words(char *b, size_t n, const ds_fmt_field *f)
{
    b[0] = '\0';
    if (f->flags & DS_FMT_REQ)
        return;
    if (has_value_default(f)) {
        if (f->kind == DS_FMT_STRING || f->kind == DS_FMT_ENUM)
            snprintf(b, n, "\"%s\"", f->sdef);
        else if (f->kind == DS_FMT_BOOL)
            snprintf(b, n, "%s", f->def != 0 ? "true" : "false");
        else
            num_text(b, n, f->def);
    } else if (f->sdef)
        snprintf(b, n, "%s", f->sdef);
    else if (f->kind == DS_FMT_LIST || f->kind == DS_FMT_IDLIST)
        snprintf(b, n, "%s", "[]");
}

/* The noun of the ids of list `ref` ("item"). */
static const char *ref_noun(const char *ref)
{
    const ds_fmt_field *l = ds_fmt_find(ds_fmt_top, ref);
    return l && l->noun ? l->noun : "key";
}

/* The kind of a key in words ("dist", "list of package ids (at least 1)"). */
static void kind_words(char *b, size_t n, const ds_fmt_field *f)
{
    char cnt[64] = "";
    if (f->kind == DS_FMT_PATHS || f->kind == DS_FMT_MATRIX) {
        if (f->min && f->max)
            snprintf(cnt, sizeof cnt, " (%zu to %zu)", f->min, f->max);
        else if (f->max)
            snprintf(cnt, sizeof cnt, " (at most %zu)", f->max);
    } else if (f->kind == DS_FMT_LIST || f->kind == DS_FMT_IDLIST) {
        if ((f->flags & DS_FMT_NONEMPTY) && f->max)
            snprintf(cnt, sizeof cnt, " (1 to %zu)", f->max);
        else if (f->flags & DS_FMT_NONEMPTY)
            snprintf(cnt, sizeof cnt, "%s", " (at least 1)");
        else if (f->max)
            snprintf(cnt, sizeof cnt, " (at most %zu)", f->max);
    }
    switch (f->kind) {
    case DS_FMT_NUMBER: snprintf(b, n, "%s", "number"); break;
    case DS_FMT_INTEGER: snprintf(b, n, "%s", "integer"); break;
    case DS_FMT_BOOL: snprintf(b, n, "%s", "boolean"); break;
    case DS_FMT_STRING: snprintf(b, n, "%s", "string"); break;
    case DS_FMT_ID: snprintf(b, n, "%s", "id"); break;
    case DS_FMT_ENUM:
        snprintf(b, n, "%s", "one of");
        for (size_t i = 0; f->choices[i].name; i++)
            app(b, n, "%s \"%s\"", i ? "," : "", f->choices[i].name);
        break;
    case DS_FMT_DIST: snprintf(b, n, "%s", "dist"); break;
    case DS_FMT_OBJECT: snprintf(b, n, "%s", "object"); break;
    case DS_FMT_LIST: snprintf(b, n, "list of objects%s", cnt); break;
    case DS_FMT_MAP:
        snprintf(b, n, "object {%s%s id: %s}",
                 f->flags & DS_FMT_BUILTIN ? "\"deficit\", \"tariff\" or " : "",
                 ref_noun(f->ref), f->elem == DS_FMT_DIST ? "dist" : "number");
        break;
    case DS_FMT_IDLIST:
        if (f->ref)
            snprintf(b, n, "list of %s ids%s", ref_noun(f->ref), cnt);
        else
            snprintf(b, n, "list of ids%s", cnt);
        break;
    case DS_FMT_PATHS: snprintf(b, n, "list of dist paths%s", cnt); break;
    case DS_FMT_MATRIX:
        snprintf(b, n, "square matrix: a list of rows, each a list of numbers%s", cnt);
        break;
    }
}

/* ------------------------------------------------- JSON Schema writer */

/* A small pretty-printing JSON writer: two-space indent, one member per
 * line.  Write errors stay in the stream's error flag, checked at the end. */
typedef struct jw {
    FILE *f;
    int depth;
    int after_key;  /* a key was written: its value follows on the line */
    int first[32];  /* nothing written yet in the container at each depth */
} jw;

static void jw_string(jw *w, const char *s)
{
    fputc('"', w->f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(w->f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(w->f, "\\u%04x", ch);
        else
            fputc(ch, w->f);
    }
    fputc('"', w->f);
}

/* Before a key or an array element: the separator and the indent. */
static void jw_next(jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    fputs(w->first[w->depth] ? "\n" : ",\n", w->f);
    w->first[w->depth] = 0;
    fprintf(w->f, "%*s", 2 * w->depth, "");
}

static void jw_key(jw *w, const char *k)
{
    jw_next(w);
    jw_string(w, k);
    fputs(": ", w->f);
    w->after_key = 1;
}

static void jw_open(jw *w, char c)
{
    jw_next(w);
    fputc(c, w->f);
    w->depth++;
    w->first[w->depth] = 1;
}

static void jw_close(jw *w, char c)
{
    int empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        fprintf(w->f, "\n%*s", 2 * w->depth, "");
    fputc(c, w->f);
}

static void jw_str(jw *w, const char *s)
{
    jw_next(w);
    jw_string(w, s);
}

/* A value written as is ("false", "{}"). */
static void jw_raw(jw *w, const char *s)
{
    jw_next(w);
    fputs(s, w->f);
}

static void jw_num(jw *w, double x)
{
    char b[40];
    num_text(b, sizeof b, x);
    jw_raw(w, b);
}

static void jw_kstr(jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    jw_str(w, v);
}

static void jw_knum(jw *w, const char *k, double x)
{
    jw_key(w, k);
    jw_num(w, x);
}

static void jw_kraw(jw *w, const char *k, const char *v)
{
    jw_key(w, k);
    jw_raw(w, v);
}

/* The largest finite double: "finite numbers only" (SPEC §4) in a schema,
 * whose readers may turn 1e999 into infinity. */
#define FINITE_MAX 1.7976931348623157e308

/* r as the keywords of a number; `bounded`: also within the magnitude
 * bound of every quantity, else only finite. */
static void jw_range(jw *w, const ds_fmt_range *r, int bounded)
{
    double lim = bounded ? DS_MAX_MAGNITUDE : FINITE_MAX;
    if (r->lo_end == DS_FMT_OPEN && r->lo >= -lim)
        jw_knum(w, "exclusiveMinimum", r->lo);
    else
        jw_knum(w, "minimum",
                r->lo_end == DS_FMT_CLOSED && r->lo >= -lim ? r->lo : -lim);
    if (r->hi_end == DS_FMT_OPEN && r->hi <= lim)
        jw_knum(w, "exclusiveMaximum", r->hi);
    else
        jw_knum(w, "maximum",
                r->hi_end == DS_FMT_CLOSED && r->hi <= lim ? r->hi : lim);
}

static void jw_number(jw *w, const ds_fmt_range *r, int bounded)
{
    jw_open(w, '{');
    jw_kstr(w, "type", "number");
    jw_range(w, r, bounded);
    jw_close(w, '}');
}

/* "_" keys are free comments in every object (SPEC §3); nothing else that
 * is not listed. */
static void jw_closed(jw *w)
{
    jw_key(w, "patternProperties");
    jw_open(w, '{');
    jw_kraw(w, "^_", "{}");
    jw_close(w, '}');
    jw_kraw(w, "additionalProperties", "false");
}

/* Name of the $defs entry of the dists whose values lie in r: "dist",
 * "dist_ge_0", "dist_ge_0_le_1", ... */
static void dist_def_name(char *b, size_t n, const ds_fmt_range *r)
{
    char lo[40] = "", hi[40] = "";
    if (r->lo_end)
        snprintf(lo, sizeof lo, "_%s_", r->lo_end == DS_FMT_OPEN ? "gt" : "ge");
    if (r->hi_end)
        snprintf(hi, sizeof hi, "_%s_", r->hi_end == DS_FMT_OPEN ? "lt" : "le");
    if (r->lo_end)
        num_text(lo + strlen(lo), sizeof lo - strlen(lo), r->lo);
    if (r->hi_end)
        num_text(hi + strlen(hi), sizeof hi - strlen(hi), r->hi);
    snprintf(b, n, "dist%s%s", lo, hi);
    for (char *p = b; *p; p++)
        *p = *p == '.' ? 'p' : *p == '-' ? 'm' : *p == '+' ? 'p' : *p;
}

static void jw_dist_ref(jw *w, const ds_fmt_range *r)
{
    char name[96], ref[128];
    dist_def_name(name, sizeof name, r);
    snprintf(ref, sizeof ref, "#/$defs/%s", name);
    jw_kstr(w, "$ref", ref);
}

/* A subschema of a dist made constant by its parameter `zero` being 0,
 * whose value, parameter `at`, lies in r. */
static void jw_constant_in(jw *w, const char *zero, const char *at,
                           const ds_fmt_range *r)
{
    jw_open(w, '{');
    jw_key(w, "required");
    jw_open(w, '[');
    jw_str(w, zero);
    jw_close(w, ']');
    jw_key(w, "properties");
    jw_open(w, '{');
    jw_kraw(w, zero, "{\"const\": 0}");
    jw_key(w, at);
    jw_number(w, r, 1);
    jw_close(w, '}');
    jw_close(w, '}');
}

/* One kind of dist as an object schema, for values in r: what the
 * validator checks of each parameter alone, and of the support where a
 * schema can say it. */
static void jw_dist_kind(jw *w, const ds_fmt_dist *k, const ds_fmt_range *r)
{
    /* The values a dist of these kinds draws lie between its parameters
     * min (or value) and max: those must lie in r. */
    int ends = k->kind == DS_DIST_FIXED || k->kind == DS_DIST_UNIFORM ||
               k->kind == DS_DIST_TRIANGULAR || k->kind == DS_DIST_PERT ||
               k->kind == DS_DIST_BETA;
    int ranged = r->lo_end || r->hi_end;
    jw_open(w, '{');
    jw_kstr(w, "description", k->desc);
    jw_kstr(w, "type", "object");
    jw_key(w, "properties");
    jw_open(w, '{');
    jw_key(w, "dist");
    jw_open(w, '{');
    jw_kstr(w, "const", k->name);
    jw_close(w, '}');
    for (size_t i = 0; k->params[i].name; i++) {
        const ds_fmt_param *p = &k->params[i];
        jw_key(w, p->name);
        if (p->array) {
            jw_open(w, '{');
            jw_kstr(w, "type", "array");
            jw_knum(w, "minItems", 1);
            jw_key(w, "items");
            jw_number(w, &p->range, 0);
            if (p->range.lo_end) {
                /* weights: not all 0 */
                jw_key(w, "not");
                jw_open(w, '{');
                jw_kraw(w, "items", "{\"const\": 0}");
                jw_close(w, '}');
            }
            jw_close(w, '}');
        } else if (p->range.lo_end || p->range.hi_end)
            jw_number(w, &p->range, 0);
        else if (ends)
            jw_number(w, r, 1);
        else
            jw_number(w, &(ds_fmt_range)ANY, 0);
    }
    jw_close(w, '}');
    jw_key(w, "required");
    jw_open(w, '[');
    jw_str(w, "dist");
    for (size_t i = 0; k->params[i].name; i++)
        if (k->params[i].required ||
            (ends && !range_has(r, k->params[i].def)))
            jw_str(w, k->params[i].name);
    jw_close(w, ']');
    if (k->kind == DS_DIST_NORMAL && ranged) {
        /* In r only when constant (sd 0) with its mean in r, or cut off by
         * bounds in r. */
        jw_key(w, "anyOf");
        jw_open(w, '[');
        jw_constant_in(w, "sd", "mean", r);
        jw_open(w, '{');
        jw_key(w, "required");
        jw_open(w, '[');
        if (r->lo_end)
            jw_str(w, "min");
        if (r->hi_end)
            jw_str(w, "max");
        jw_close(w, ']');
        jw_key(w, "properties");
        jw_open(w, '{');
        jw_key(w, "min");
        jw_number(w, r, 1);
        jw_key(w, "max");
        jw_number(w, r, 1);
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, ']');
    }
    if (k->kind == DS_DIST_LOGNORMAL &&
        !(range_has(r, 0) && range_has(r, INFINITY))) {
        /* Its support (0, inf) is not in r: only a constant one fits. */
        jw_key(w, "allOf");
        jw_open(w, '[');
        jw_constant_in(w, "sigma", "median", r);
        jw_close(w, ']');
    }
    jw_closed(w);
    jw_close(w, '}');
}

/* The $defs entry of the dists whose values lie in r. */
static void jw_dist_def(jw *w, const ds_fmt_range *r)
{
    char name[96], rw[96], d[256];
    dist_def_name(name, sizeof name, r);
    range_words(rw, sizeof rw, r);
    snprintf(d, sizeof d,
             "A dist (SPEC §2): a plain number, or an object naming a kind "
             "of dist%s%s.",
             rw[0] ? "; every value it can draw must be " : "", rw);
    jw_key(w, name);
    jw_open(w, '{');
    jw_kstr(w, "description", d);
    jw_key(w, "oneOf");
    jw_open(w, '[');
    jw_number(w, r, 1);
    for (size_t i = 0; i < ds_fmt_n_dists; i++)
        jw_dist_kind(w, &ds_fmt_dists[i], r);
    jw_close(w, ']');
    jw_close(w, '}');
}

static int same_range(const ds_fmt_range *a, const ds_fmt_range *b)
{
    return a->lo_end == b->lo_end && a->hi_end == b->hi_end &&
           (!a->lo_end || a->lo == b->lo) && (!a->hi_end || a->hi == b->hi);
}

/* The distinct ranges of the dists below `fields`, added to out[*n]. */
static void dist_ranges(const ds_fmt_field *fields, ds_fmt_range *out,
                        size_t *n, size_t max)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        if (f->sub)
            dist_ranges(f->sub, out, n, max);
        if (f->kind != DS_FMT_DIST &&
            !(f->kind == DS_FMT_MAP && f->elem == DS_FMT_DIST))
            continue;
        size_t i = 0;
        while (i < *n && !same_range(&out[i], &f->range))
            i++;
        if (i == *n && *n < max)
            out[(*n)++] = f->range;
    }
}

/* A key's description for the schema: its sentence, unit, default and
 * role, as one paragraph. */
static void desc_text(char *b, size_t n, const ds_fmt_field *f)
{
    char def[128];
    snprintf(b, n, "%s.", f->desc ? f->desc : "");
    if (f->unit)
        app(b, n, " Unit: %s.", f->unit);
    default_words(def, sizeof def, f);
    if (def[0] && !has_value_default(f))
        app(b, n, " Default: %s.", def);
    if (f->only)
        app(b, n, " Only for role \"%s\".", f->only);
}

static void jw_object(jw *w, const ds_fmt_field *fields, int top);

/* The schema of one key's value (its key is written). */
static void jw_field(jw *w, const ds_fmt_field *f)
{
    char d[1024];
    const ds_fmt_field *l = f->ref ? ds_fmt_find(ds_fmt_top, f->ref) : NULL;
    desc_text(d, sizeof d, f);
    if (f->kind == DS_FMT_OBJECT) {
        jw_open(w, '{');
        jw_kstr(w, "description", d);
        jw_object(w, f->sub, 0);
        jw_close(w, '}');
        return;
    }
    jw_open(w, '{');
    jw_kstr(w, "description", d);
    switch (f->kind) {
    case DS_FMT_NUMBER:
        jw_kstr(w, "type", "number");
        jw_range(w, &f->range, 1);
        break;
    case DS_FMT_INTEGER:
        jw_kstr(w, "type", "integer");
        jw_range(w, &f->range, 0);
        break;
    case DS_FMT_BOOL: jw_kstr(w, "type", "boolean"); break;
    case DS_FMT_STRING:
        jw_kstr(w, "type", "string");
        if (f->flags & DS_FMT_NONEMPTY)
            jw_knum(w, "minLength", 1);
        break;
    case DS_FMT_ID:
        jw_kstr(w, "type", "string");
        jw_kstr(w, "pattern", DS_FMT_ID_PATTERN);
        break;
    case DS_FMT_ENUM:
        jw_kstr(w, "type", "string");
        jw_key(w, "enum");
        jw_open(w, '[');
        for (const ds_fmt_choice *ch = f->choices; ch->name; ch++)
            jw_str(w, ch->name);
        jw_close(w, ']');
        break;
    case DS_FMT_DIST: jw_dist_ref(w, &f->range); break;
    case DS_FMT_LIST:
    case DS_FMT_IDLIST:
        jw_kstr(w, "type", "array");
        if (f->flags & DS_FMT_NONEMPTY)
            jw_knum(w, "minItems", 1);
        if (f->max)
            jw_knum(w, "maxItems", (double)f->max);
        if (f->kind == DS_FMT_IDLIST && !f->ref)
            jw_kraw(w, "uniqueItems", "true");
        jw_key(w, "items");
        jw_open(w, '{');
        if (f->kind == DS_FMT_LIST)
            jw_object(w, f->sub, 0);
        else {
            jw_kstr(w, "type", "string");
            jw_kstr(w, "pattern", DS_FMT_ID_PATTERN);
            if (!f->ref && (f->flags & DS_FMT_RESERVED)) {
                jw_key(w, "not");
                jw_open(w, '{');
                jw_key(w, "enum");
                jw_open(w, '[');
                for (size_t i = 0; ds_fmt_builtin_dims[i]; i++)
                    jw_str(w, ds_fmt_builtin_dims[i]);
                jw_close(w, ']');
                jw_close(w, '}');
            }
        }
        jw_close(w, '}');
        break;
    case DS_FMT_PATHS:
        jw_kstr(w, "type", "array");
        if (f->min)
            jw_knum(w, "minItems", (double)f->min);
        if (f->max)
            jw_knum(w, "maxItems", (double)f->max);
        jw_kraw(w, "uniqueItems", "true");
        jw_key(w, "items");
        jw_open(w, '{');
        jw_kstr(w, "type", "string");
        jw_kstr(w, "pattern", DS_FMT_PATH_PATTERN);
        jw_close(w, '}');
        break;
    case DS_FMT_MATRIX:
        jw_kstr(w, "type", "array");
        if (f->max)
            jw_knum(w, "maxItems", (double)f->max);
        jw_key(w, "items");
        jw_open(w, '{');
        jw_kstr(w, "type", "array");
        if (f->max)
            jw_knum(w, "maxItems", (double)f->max);
        jw_key(w, "items");
        jw_number(w, &f->range, 0);
        jw_close(w, '}');
        break;
    case DS_FMT_MAP:
        jw_kstr(w, "type", "object");
        if (l && (l->flags & DS_FMT_RESERVED) && !(f->flags & DS_FMT_BUILTIN)) {
            /* The built-in dimensions are reserved here. */
            jw_key(w, "properties");
            jw_open(w, '{');
            for (size_t i = 0; ds_fmt_builtin_dims[i]; i++)
                jw_kraw(w, ds_fmt_builtin_dims[i], "false");
            jw_close(w, '}');
        }
        jw_key(w, "patternProperties");
        jw_open(w, '{');
        jw_kraw(w, "^_", "{}");
        jw_key(w, DS_FMT_ID_PATTERN);
        if (f->elem == DS_FMT_DIST) {
            jw_open(w, '{');
            jw_dist_ref(w, &f->range);
            jw_close(w, '}');
        } else
            jw_number(w, &f->range, 1);
        jw_close(w, '}');
        jw_kraw(w, "additionalProperties", "false");
        if (f->flags & DS_FMT_NONZERO) {
            /* Not every value 0 (and not empty). */
            jw_key(w, "not");
            jw_open(w, '{');
            jw_key(w, "patternProperties");
            jw_open(w, '{');
            jw_kraw(w, DS_FMT_ID_PATTERN, "{\"const\": 0}");
            jw_close(w, '}');
            jw_close(w, '}');
        }
        break;
    default: break;
    }
    if (has_value_default(f)) {
        if (f->kind == DS_FMT_STRING || f->kind == DS_FMT_ENUM)
            jw_kstr(w, "default", f->sdef);
        else if (f->kind == DS_FMT_BOOL)
            jw_kraw(w, "default", f->def != 0 ? "true" : "false");
        else
            jw_knum(w, "default", f->def);
    }
    jw_close(w, '}');
}

/* 1 if a file must give this key: it is required, or it is an object with
 * a required key (reported as missing when the object is absent). */
static int must_give(const ds_fmt_field *f)
{
    if (f->flags & DS_FMT_REQ)
        return 1;
    if (f->kind == DS_FMT_OBJECT && !(f->flags & DS_FMT_OPTIONAL))
        for (const ds_fmt_field *g = f->sub; g->name; g++)
            if (g->flags & DS_FMT_REQ)
                return 1;
    return 0;
}

/* The members of an object schema for the keys `fields` (inside its {}). */
static void jw_object(jw *w, const ds_fmt_field *fields, int top)
{
    const ds_fmt_field *gate = NULL;
    int any_req = 0;
    jw_kstr(w, "type", "object");
    jw_key(w, "properties");
    jw_open(w, '{');
    if (top) {
        jw_key(w, "$schema");
        jw_open(w, '{');
        jw_kstr(w, "description", "The JSON Schema this file follows, for "
                                  "editors; any value, ignored by dealsim.");
        jw_close(w, '}');
    }
    for (const ds_fmt_field *f = fields; f->name; f++) {
        jw_key(w, f->name);
        jw_field(w, f);
        any_req |= must_give(f);
        if (f->flags & DS_FMT_GATE)
            gate = f;
    }
    jw_close(w, '}');
    if (any_req) {
        jw_key(w, "required");
        jw_open(w, '[');
        for (const ds_fmt_field *f = fields; f->name; f++)
            if (must_give(f))
                jw_str(w, f->name);
        jw_close(w, ']');
    }
    if (gate) {
        /* Keys of one role only: not allowed with another role. */
        jw_key(w, "allOf");
        jw_open(w, '[');
        for (const ds_fmt_choice *ch = gate->choices; ch->name; ch++) {
            jw_open(w, '{');
            jw_key(w, "if");
            jw_open(w, '{');
            jw_key(w, "properties");
            jw_open(w, '{');
            jw_key(w, gate->name);
            jw_open(w, '{');
            jw_kstr(w, "const", ch->name);
            jw_close(w, '}');
            jw_close(w, '}');
            jw_key(w, "required");
            jw_open(w, '[');
            jw_str(w, gate->name);
            jw_close(w, ']');
            jw_close(w, '}');
            jw_key(w, "then");
            jw_open(w, '{');
            jw_key(w, "properties");
            jw_open(w, '{');
            for (const ds_fmt_field *f = fields; f->name; f++)
                if (f->only && strcmp(f->only, ch->name) != 0)
                    jw_kraw(w, f->name, "false");
            jw_close(w, '}');
            jw_close(w, '}');
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    jw_closed(w);
}

/* Flush f and report how writing to it went. */
static int write_status(FILE *f)
{
    if (fflush(f) != 0 || ferror(f))
        return DS_EIO;
    return DS_OK;
}

int ds_schema_write(FILE *f)
{
    jw w;
    ds_fmt_range ranges[16];
    size_t nr = 0;
    char id[64], title[64];
    memset(&w, 0, sizeof w);
    w.f = f;
    snprintf(id, sizeof id, "urn:dealsim:scenario:%d", DS_FORMAT_VERSION);
    snprintf(title, sizeof title, "dealsim scenario (format %d)",
             DS_FORMAT_VERSION);
    jw_open(&w, '{');
    jw_kstr(&w, "$schema", "https://json-schema.org/draft/2020-12/schema");
    jw_kstr(&w, "$id", id);
    jw_kstr(&w, "title", title);
    jw_kstr(&w, "description",
            "A scenario of dealsim, the Monte Carlo simulator of trade-deficit "
            "bargaining: one JSON object.  Money is in USD bn/yr, tariffs "
            "and probabilities are fractions, ids match " DS_FMT_ID_PATTERN
            ", keys that begin with _ are comments.  Every quantity lies "
            "within +-" STR(DS_MAX_MAGNITUDE) ".  dealsim checks more than "
            "this schema can say (references between ids, orderings such as "
            "min <= max, a "
            "positive mean baseline deficit); run `dealsim validate`.  "
            "See dealsim-scenario(5).");
    jw_object(&w, ds_fmt_top, 1);
    jw_key(&w, "$defs");
    jw_open(&w, '{');
    dist_ranges(ds_fmt_top, ranges, &nr, sizeof ranges / sizeof ranges[0]);
    for (size_t i = 0; i < nr; i++)
        jw_dist_def(&w, &ranges[i]);
    jw_close(&w, '}');
    jw_close(&w, '}');
    fputc('\n', f);
    return write_status(f);
}

/* ------------------------------------------------------- the man page */

/* Text on its own roff line: backslashes escaped, and a leading '.' or '\''
 * kept from being read as a request. */
static void man_line(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++)
        if (*s == '\\')
            fputs("\\e", f);
        else
            fputc(*s, f);
    fputc('\n', f);
}

/* Every key below `fields`, named by its path ("lines[].exports"). */
static void man_keys(FILE *f, const ds_fmt_field *fields, const char *prefix)
{
    for (const ds_fmt_field *k = fields; k->name; k++) {
        char path[256], kind[160], def[160], rw[96], line[640];
        snprintf(path, sizeof path, "%s%s", prefix, k->name);
        kind_words(kind, sizeof kind, k);
        default_words(def, sizeof def, k);
        range_words(rw, sizeof rw, k->kind == DS_FMT_INTEGER ||
                                           k->kind == DS_FMT_NUMBER ||
                                           k->kind == DS_FMT_DIST ||
                                           k->kind == DS_FMT_MAP ||
                                           k->kind == DS_FMT_MATRIX
                                       ? &k->range
                                       : &(ds_fmt_range)ANY);
        snprintf(line, sizeof line, "%s", kind);
        if (k->flags & DS_FMT_REQ)
            app(line, sizeof line, "; required");
        else if (def[0])
            app(line, sizeof line, "; default %s", def);
        if (rw[0])
            app(line, sizeof line, "; %s%s",
                k->kind == DS_FMT_MAP ? "values " : k->kind == DS_FMT_MATRIX ? "entries " : "",
                rw);
        if (k->unit)
            app(line, sizeof line, "; unit: %s", k->unit);
        if (k->only)
            app(line, sizeof line, "; only for role \"%s\"", k->only);
        app(line, sizeof line, ".");
        fputs(".TP\n.B ", f);
        man_line(f, path);
        man_line(f, line);
        if (k->desc) {
            char d[640];
            snprintf(d, sizeof d, "%s.", k->desc);
            man_line(f, d);
        }
        if (k->kind == DS_FMT_OBJECT || k->kind == DS_FMT_LIST) {
            char sub[sizeof path + 4];
            snprintf(sub, sizeof sub, "%s%s", path,
                     k->kind == DS_FMT_LIST ? "[]." : ".");
            man_keys(f, k->sub, sub);
        }
    }
}

int ds_format_man(FILE *f)
{
    fputs(".\\\" The scenario format of dealsim, generated from its format "
          "table.\n"
          ".TH DEALSIM-SCENARIO 5 \"\" \"dealsim\" \"File Formats\"\n"
          ".SH NAME\n"
          "dealsim-scenario \\- the scenario file format of dealsim\n"
          ".SH DESCRIPTION\n",
          f);
    fprintf(f,
            "A scenario is one JSON object (UTF-8, at most %u MiB, nesting "
            "at most %d deep) that describes a trade negotiation: the home "
            "side's exports and the tariffs on them, the concessions it can "
            "offer, the counterpart's decision-makers and how they bargain, "
            "and the third parties that may retaliate.\n"
            "The format version is %d.\n",
            DS_MAX_FILE_BYTES >> 20, DS_MAX_DEPTH, DS_FORMAT_VERSION);
    fputs(".PP\n"
          "Money is in USD billions per year (bn/yr); tariff rates and "
          "probabilities are fractions (0.25 is 25%).\n"
          "\"Deficit\" is the counterpart's bilateral deficit with the home "
          "side.\n"
          ".PP\n"
          "Ids match [A-Za-z][A-Za-z0-9_]*, are unique within their list, "
          "and are how everything refers to everything else.\n"
          "In any object a key that begins with _ is a comment; at the top "
          "level a $schema key is ignored; every other key not listed "
          "below is an error.\n"
          "Integers accept 4.0 but not 4.5.\n",
          f);
    fprintf(f,
            ".PP\n"
            "Every number that is a quantity, and every value a dist can "
            "draw (within %d standard deviations where its support is "
            "unbounded), lies within \\(+-%s.\n",
            DS_REACH_SD, STR(DS_MAX_MAGNITUDE));
    fputs(".PP\n"
          "dealsim validate checks a file completely and reports every "
          "problem as FILE: error: PATH: MESSAGE, where PATH names the value "
          "by keys and ids, e.g. items.semis.cost.sd.\n"
          ".SH KEYS\n"
          "Each key is named by its path: keys joined by \".\", with \"[]\" "
          "for an element of a list.\n"
          "A range applies to a plain value, and to every value a dist can "
          "draw.\n",
          f);
    man_keys(f, ds_fmt_top, "");
    fputs(".SH DISTS\n"
          "Where a key is a dist it is a plain number (a fixed value) or an "
          "object whose \"dist\" key names one of these kinds, with its "
          "parameters.\n",
          f);
    for (size_t i = 0; i < ds_fmt_n_dists; i++) {
        const ds_fmt_dist *k = &ds_fmt_dists[i];
        char line[512], rw[96];
        line[0] = '\0';
        for (size_t j = 0; k->params[j].name; j++) {
            const ds_fmt_param *p = &k->params[j];
            range_words(rw, sizeof rw, &p->range);
            app(line, sizeof line, "%s%s%s%s%s", j ? ", " : "Parameters: ",
                p->name, p->array ? " [numbers]" : "", rw[0] ? " " : "", rw);
            if (!p->required && isfinite(p->def)) {
                num_text(rw, sizeof rw, p->def);
                app(line, sizeof line, " (optional, default %s)", rw);
            } else if (!p->required)
                app(line, sizeof line, " (optional)");
        }
        app(line, sizeof line, ".");
        fputs(".TP\n.B ", f);
        man_line(f, k->name);
        man_line(f, line);
        snprintf(line, sizeof line, "%s.", k->desc);
        man_line(f, line);
    }
    fputs(".SH SEE ALSO\n"
          ".BR dealsim (1)\n",
          f);
    return write_status(f);
}
