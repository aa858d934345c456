/*
 * test_engine.c - properties of ds_engine that need no statistics:
 * determinism, common random numbers, the documented stream layout,
 * hand-checked evaluation counts, escalation and empty packages (SPEC §5, §7).
 * Scenarios are small JSON texts built here and loaded through the loader.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>

#include "dealsim/dist.h"
#include "dealsim/engine.h"
#include "model_util.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/rng.h"
#include "dealsim/scenario.h"

#define SEED 987654321u
#define MAXA 8
#define MAXQ 4

/* A copy of one outcome (ds_engine_draw's are overwritten by the next call). */
typedef struct snap {
    ds_outcome o;
    unsigned char ret[MAXQ];
    double rcost[MAXQ];
    uint32_t ev[MAXA], ap[MAXA];
} snap;

static void take(snap *s, const ds_outcome *o, const ds_model *m)
{
    memset(s, 0, sizeof *s);
    s->o = *o;
    s->o.retaliates = NULL;
    s->o.retaliation_cost = NULL;
    s->o.evaluations = s->o.approvals = NULL;
    memcpy(s->ret, o->retaliates, m->n_third);
    memcpy(s->rcost, o->retaliation_cost, m->n_third * sizeof(double));
    memcpy(s->ev, o->evaluations, m->n_actors * sizeof(uint32_t));
    memcpy(s->ap, o->approvals, m->n_actors * sizeof(uint32_t));
}

/* Bitwise equality of two outcomes. */
static int same(const snap *a, const snap *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static ds_model *parse(const char *text)
{
    ds_model *m = test_model_text(text);
    cr_assert(m->n_actors <= MAXA && m->n_third <= MAXQ);
    return m;
}

/* A scenario where almost everything is random. */
static const char *RANDOM_JSON =
    "{\"dealsim\": 1, \"name\": \"random\","
    " \"home\": {\"discount\": 0.95, \"tariff_burden\": {\"dist\": \"uniform\", \"min\": 0.3, \"max\": 0.7},"
    "          \"margin\": {\"dist\": \"beta\", \"a\": 2, \"b\": 8}},"
    " \"baseline_deficit\": {\"dist\": \"normal\", \"mean\": 68, \"sd\": 4},"
    " \"elasticity\": {\"dist\": \"triangular\", \"min\": 0.5, \"mode\": 1.5, \"max\": 4},"
    " \"lines\": [{\"id\": \"autos\", \"exports\": {\"dist\": \"normal\", \"mean\": 52, \"sd\": 3, \"min\": 0},"
    "             \"current\": 0.275, \"no_deal\": {\"dist\": \"uniform\", \"min\": 0.25, \"max\": 0.35}, \"deal\": 0.15},"
    "            {\"id\": \"other\", \"exports\": 96, \"current\": 0.1, \"no_deal\": 0.25,"
    "             \"deal\": {\"dist\": \"pert\", \"min\": 0.1, \"mode\": 0.15, \"max\": 0.2}, \"elasticity\": 2}],"
    " \"dimensions\": [\"jobs\"],"
    " \"items\": [{\"id\": \"lng\", \"deficit_effect\": {\"dist\": \"normal\", \"mean\": -4, \"sd\": 1},"
    "             \"cost\": 0.5, \"delivery\": {\"dist\": \"uniform\", \"min\": 0.5, \"max\": 1},"
    "             \"scores\": {\"jobs\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1}}, \"exposure\": {\"china\": 1}},"
    "            {\"id\": \"chips\", \"deficit_effect\": -6, \"cost\": {\"dist\": \"lognormal\", \"median\": 1, \"sigma\": 0.3}}],"
    " \"packages\": [{\"id\": \"small\", \"items\": {\"lng\": 1}}, {\"id\": \"big\", \"items\": {\"lng\": 2, \"chips\": 1}},"
    "              {\"id\": \"empty\", \"items\": {}}],"
    " \"strategies\": [%s],"
    " \"actors\": [{\"id\": \"m1\", \"role\": \"member\", \"weights\": {\"deficit\": 2, \"jobs\": 1}, \"weight_certainty\": 5,"
    "              \"threshold\": {\"dist\": \"normal\", \"mean\": 0.1, \"sd\": 0.05}, \"noise\": 0.05, \"attendance\": 0.8},"
    "             {\"id\": \"m2\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 0.12,"
    "              \"concession\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 0.05}, \"noise\": 0.05, \"veto\": true},"
    "             {\"id\": \"boss\", \"role\": \"decider\", \"weights\": {\"deficit\": 1}, \"threshold\": 0.35,"
    "              \"noise\": 0.1, \"team_weight\": 0.1, \"champions\": [\"chips\"], \"credit\": 0.05}],"
    " \"protocol\": {\"rounds\": 3, \"disconnect\": 0.1, \"stall_on_split\": 0.3, \"decider_acts\": \"%s\"},"
    " \"third_parties\": [{\"id\": \"china\", \"retaliation\": {\"base\": -1, \"slope\": 1},"
    "                     \"cost_per_exposure\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 2}}]}";

/* The strategies of RANDOM_JSON: s1 and s2 are the same escalation. */
static const char *STRATEGIES =
    "{\"id\": \"s1\", \"offers\": [\"small\", \"big\"]}, {\"id\": \"s2\", \"offers\": [\"small\", \"big\"]},"
    "{\"id\": \"s3\", \"offers\": [\"big\"]}, {\"id\": \"none\", \"offers\": [\"empty\"]}";

static ds_model *random_model_with(const char *strategies, const char *acts)
{
    char buf[8192];
    snprintf(buf, sizeof buf, RANDOM_JSON, strategies, acts);
    return parse(buf);
}

static ds_model *random_model(const char *acts)
{
    return random_model_with(STRATEGIES, acts);
}

/* §7: a draw is a pure function of (model, seed, draw), whatever came before
 * and whichever workspace computes it; other draws and seeds differ. */
Test(engine, deterministic)
{
    ds_model *m = random_model("every_round");
    ds_engine *e1 = ds_engine_new(m), *e2 = ds_engine_new(m);
    cr_assert(e1 && e2);
    const size_t K = m->n_strategies, N = 200;
    static snap first[200][4];
    cr_assert(K == 4);
    for (size_t d = 0; d < N; d++) {
        const ds_outcome *o = ds_engine_draw(e1, SEED, d);
        for (size_t k = 0; k < K; k++)
            take(&first[d][k], &o[k], m);
    }
    for (size_t i = 0; i < N; i++) {
        size_t d = N - 1 - i;      /* backwards, interleaved with variates */
        ds_engine_draw_variates(e2, SEED, d + 1);
        const ds_outcome *o = ds_engine_draw(e2, SEED, d);
        for (size_t k = 0; k < K; k++) {
            snap s;
            take(&s, &o[k], m);
            cr_assert(same(&s, &first[d][k]), "draw %zu strategy %zu differs", d, k);
        }
    }
    size_t differ = 0, differ_seed = 0;
    for (size_t d = 0; d + 1 < N; d++)
        differ += first[d][0].o.deficit != first[d + 1][0].o.deficit;
    for (size_t d = 0; d < N; d++)
        differ_seed += ds_engine_draw(e2, SEED + 1, d)[0].deficit != first[d][0].o.deficit;
    cr_expect_eq(differ, N - 1, "consecutive draws have different worlds");
    cr_expect_eq(differ_seed, N, "another seed gives other worlds");
    ds_engine_free(e1);
    ds_engine_free(e2);
    ds_engine_free(NULL); /* harmless */
    ds_model_free(m);
}

/* §5: two strategies that offer the same thing get the same outcome in
 * every draw (same world, same round shocks). */
Test(engine, common_random_numbers)
{
    const char *acts[2] = {"every_round", "deadline"};
    for (int v = 0; v < 2; v++) {
        ds_model *m = random_model(acts[v]);
        ds_engine *e = ds_engine_new(m);
        cr_assert_not_null(e);
        size_t deals = 0;
        for (size_t d = 0; d < 2000; d++) {
            const ds_outcome *o = ds_engine_draw(e, SEED, d);
            snap a, b;
            take(&a, &o[0], m);
            take(&b, &o[1], m);
            cr_assert(same(&a, &b), "%s: draw %zu: s1 and s2 differ", acts[v], d);
            deals += o[0].deal;
        }
        cr_expect(deals > 500 && deals < 1500, "%s: deals %zu: not informative",
                  acts[v], deals);
        ds_engine_free(e);
        ds_model_free(m);
    }
}

/* Round shocks are drawn lazily but from their own streams: a strategy's
 * outcomes cannot depend on which other strategies exist. */
Test(engine, lazy_rounds_do_not_leak)
{
    const char *acts[2] = {"every_round", "deadline"};
    for (int v = 0; v < 2; v++) {
        ds_model *m = random_model(acts[v]);
        /* Only "s3": no other strategy reaches a round before it does. */
        ds_model *m1 = random_model_with("{\"id\": \"s3\", \"offers\": [\"big\"]}", acts[v]);
        ds_engine *e = ds_engine_new(m), *e1 = ds_engine_new(m1);
        cr_assert(e && e1);
        for (size_t d = 0; d < 1000; d++) {
            snap a, b;
            take(&a, &ds_engine_draw(e, SEED, d)[2], m);
            take(&b, &ds_engine_draw(e1, SEED, d)[0], m1);
            cr_assert(same(&a, &b), "%s: draw %zu: s3 depends on the other strategies",
                      acts[v], d);
        }
        ds_engine_free(e);
        ds_engine_free(e1);
        ds_model_free(m1);
        ds_model_free(m);
    }
}

/* §5.4: an empty package never triggers retaliation, costs nothing, and
 * without a deal its benefit is 0. */
Test(engine, empty_package)
{
    ds_model *m = random_model("every_round");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    size_t deals = 0;
    for (size_t d = 0; d < 3000; d++) {
        const ds_outcome *o = &ds_engine_draw(e, SEED, d)[3];
        cr_assert_eq(o->retaliates[0], 0);
        cr_assert_eq(o->retaliation_cost[0], 0.0);
        cr_assert_eq(o->concession_cost, 0.0);
        if (!o->deal) {
            cr_assert_eq(o->benefit, 0.0);
            cr_assert_eq(o->round, 0);
            cr_assert_eq(o->package, -1);
        } else {
            deals++;
            cr_assert_eq(o->package, 2);
        }
    }
    cr_expect(deals < 3000, "some draws must have no deal");
    ds_engine_free(e);
    ds_model_free(m);
}

/* A team of two members (thresholds t1, t2, no noise, V = 0.1) and maybe a
 * decider (threshold td, V = 0.1, team_weight 0) or no members at all. */
static ds_model *team(double disconnect, double stall, const char *acts,
                      double t1, double t2, double td, int decider, int members,
                      double attendance)
{
    char buf[4096], mem[1024] = "", dec[512] = "";
    if (members)
        snprintf(mem, sizeof mem,
                 "{\"id\": \"m1\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": %.17g, \"attendance\": %.17g},"
                 "{\"id\": \"m2\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": %.17g, \"attendance\": %.17g}%s",
                 t1, attendance, t2, attendance, decider ? "," : "");
    if (decider)
        snprintf(dec, sizeof dec,
                 "{\"id\": \"d\", \"role\": \"decider\", \"weights\": {\"deficit\": 1}, \"threshold\": %.17g}", td);
    snprintf(buf, sizeof buf,
             "{\"dealsim\": 1, \"name\": \"team\","
             " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
             " \"baseline_deficit\": 60, \"elasticity\": 1,"
             " \"lines\": [{\"id\": \"all\", \"exports\": 100, \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.15}],"
             " \"items\": [{\"id\": \"i\", \"deficit_effect\": -6, \"cost\": 1}],"
             " \"packages\": [{\"id\": \"p\", \"items\": {\"i\": 1}}],"
             " \"actors\": [%s%s],"
             " \"protocol\": {\"rounds\": 3, \"quorum\": 0.5, \"disconnect\": %.17g,"
             "              \"stall_on_split\": %.17g, \"decider_acts\": \"%s\"}}",
             mem, dec, disconnect, stall, acts);
    return parse(buf);
}

/* Run one draw and check deal, round and per-actor counts. */
static void expect_counts(ds_model *m, int deal, int round, const uint32_t *ev,
                          const uint32_t *ap, const char *what)
{
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const ds_outcome *o = ds_engine_draw(e, SEED, 11);
    cr_expect_eq(o->deal, deal, "%s: deal", what);
    cr_expect_eq(o->round, round, "%s: round", what);
    for (size_t a = 0; a < m->n_actors; a++) {
        cr_expect_eq(o->evaluations[a], ev[a], "%s: evaluations[%zu] = %u, want %u",
                     what, a, o->evaluations[a], ev[a]);
        cr_expect_eq(o->approvals[a], ap[a], "%s: approvals[%zu] = %u, want %u",
                     what, a, o->approvals[a], ap[a]);
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.6 per-actor statistics on cases small enough to count by hand. */
Test(engine, evaluation_counting)
{
    /* Every round lost: nobody evaluates; nothing forwarded, no decision. */
    expect_counts(team(1, 0, "deadline", -1, -1, -1, 1, 1, 1), 0, 0,
                  (uint32_t[]){0, 0, 0}, (uint32_t[]){0, 0, 0}, "all lost");
    /* Always split and always stalled: members evaluate every round (their
     * evaluations caused the stall); nothing reaches the decider. */
    expect_counts(team(0, 1, "deadline", -1, 1, -1, 1, 1, 1), 0, 0,
                  (uint32_t[]){3, 3, 0}, (uint32_t[]){3, 0, 0}, "stalled");
    /* Split, no stall: sigma = 0.5 = quorum passes; the deadline decider
     * decides once, at R. */
    expect_counts(team(0, 0, "deadline", -1, 1, 10, 1, 1, 1), 0, 0,
                  (uint32_t[]){3, 3, 1}, (uint32_t[]){3, 0, 0}, "deadline reject");
    expect_counts(team(0, 0, "deadline", -1, 1, -1, 1, 1, 1), 1, 3,
                  (uint32_t[]){3, 3, 1}, (uint32_t[]){3, 0, 1}, "deadline accept");
    /* every_round: the decider decides each round the team passes. */
    expect_counts(team(0, 0, "every_round", -1, 1, 10, 1, 1, 1), 0, 0,
                  (uint32_t[]){3, 3, 3}, (uint32_t[]){3, 0, 0}, "every_round reject");
    expect_counts(team(0, 0, "every_round", -1, -1, -1, 1, 1, 1), 1, 1,
                  (uint32_t[]){1, 1, 1}, (uint32_t[]){1, 1, 1}, "every_round accept");
    /* A veto-free team that fails (both reject): the decider never acts. */
    expect_counts(team(0, 0, "every_round", 1, 1, -1, 1, 1, 1), 0, 0,
                  (uint32_t[]){3, 3, 0}, (uint32_t[]){0, 0, 0}, "team fails");
    /* Nobody present: the team fails, nobody evaluates. */
    expect_counts(team(0, 0, "deadline", -1, -1, -1, 1, 1, 0), 0, 0,
                  (uint32_t[]){0, 0, 0}, (uint32_t[]){0, 0, 0}, "absent");
    /* No members: the team passes with sigma = 1 ... */
    expect_counts(team(0, 0, "every_round", 0, 0, -1, 1, 0, 1), 1, 1,
                  (uint32_t[]){1}, (uint32_t[]){1}, "no members, every_round");
    expect_counts(team(0, 0, "deadline", 0, 0, -1, 1, 0, 1), 1, 3,
                  (uint32_t[]){1}, (uint32_t[]){1}, "no members, deadline");
    /* ... but a lost round forwards nothing and the decider does not act. */
    expect_counts(team(1, 0, "every_round", 0, 0, -1, 1, 0, 1), 0, 0,
                  (uint32_t[]){0}, (uint32_t[]){0}, "no members, lost, every_round");
    expect_counts(team(1, 0, "deadline", 0, 0, -1, 1, 0, 1), 0, 0,
                  (uint32_t[]){0}, (uint32_t[]){0}, "no members, lost, deadline");
    /* No decider: the team passing is a deal, whatever decider_acts says. */
    expect_counts(team(0, 0, "deadline", -1, 1, 0, 0, 1, 1), 1, 1,
                  (uint32_t[]){1, 1}, (uint32_t[]){1, 0}, "no decider");
}

/* §5.5: round r offers offers[min(r, m) - 1]. */
Test(engine, escalation_order)
{
    /* V(p0) = 0, V(p1) = 0.05, V(p2) = 0.1; one member with theta(r) =
     * 0.2 - 0.04 (r - 1) = 0.2, 0.16, 0.12, 0.08, 0.04. */
    ds_model *m = parse(
        "{\"dealsim\": 1, \"name\": \"escalation\","
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
        " \"baseline_deficit\": 60, \"elasticity\": 1,"
        " \"lines\": [{\"id\": \"all\", \"exports\": 100, \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.15}],"
        " \"items\": [{\"id\": \"a\", \"deficit_effect\": -3, \"cost\": 1}, {\"id\": \"b\", \"deficit_effect\": -6, \"cost\": 2}],"
        " \"packages\": [{\"id\": \"p0\", \"items\": {}}, {\"id\": \"p1\", \"items\": {\"a\": 1}},"
        "              {\"id\": \"p2\", \"items\": {\"b\": 1}}],"
        " \"strategies\": [{\"id\": \"up\", \"offers\": [\"p0\", \"p1\", \"p2\"]},"
        "                {\"id\": \"down\", \"offers\": [\"p1\", \"p0\"]},"
        "                {\"id\": \"slow\", \"offers\": [\"p0\", \"p1\"]}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1},"
        "              \"threshold\": 0.2, \"concession\": 0.04}],"
        " \"protocol\": {\"rounds\": 5}}");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const ds_outcome *o = ds_engine_draw(e, SEED, 0);
    cr_expect(o[0].deal && o[0].round == 4 && o[0].package == 2,
              "up: deal %d round %d package %d", o[0].deal, o[0].round, o[0].package);
    cr_expect_eq(o[0].concession_cost, 2.0);
    cr_expect(!o[1].deal && o[1].evaluations[0] == 5, "down: no deal, 5 evaluations");
    cr_expect(o[2].deal && o[2].round == 5 && o[2].package == 1,
              "slow: deal %d round %d package %d", o[2].deal, o[2].round, o[2].package);
    ds_engine_free(e);
    ds_model_free(m);
}

/* The documented streams (top of sim/engine.c): a dist's stream is named by
 * its path ("baseline_deficit", "items.a.cost", "lines.all.tariff_burden");
 * round r's stream, named "rounds" with slot r, draws lost, stall, then per
 * actor (member: attendance, Z; decider: Z); U_q is the first uniform of
 * the stream named by q's id.  Re-drawing those streams here predicts the
 * engine's outcomes and ds_engine_draw_variates' sum. */
Test(engine, stream_layout_and_variates)
{
    ds_model *m = parse(
        "{\"dealsim\": 1, \"name\": \"streams\","
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
        " \"baseline_deficit\": {\"dist\": \"normal\", \"mean\": 60, \"sd\": 5}, \"elasticity\": 0,"
        " \"lines\": [{\"id\": \"all\", \"exports\": 100, \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.15,"
        "             \"tariff_burden\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1}}],"
        " \"items\": [{\"id\": \"a\", \"deficit_effect\": 0, \"cost\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 1},"
        "             \"exposure\": {\"q\": 1}}],"
        " \"packages\": [{\"id\": \"p\", \"items\": {\"a\": 1}}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 0, \"noise\": 1},"
        "             {\"id\": \"d\", \"role\": \"decider\", \"weights\": {\"deficit\": 1}, \"threshold\": 0, \"noise\": 1}],"
        " \"protocol\": {\"rounds\": 2, \"decider_acts\": \"every_round\"},"
        " \"third_parties\": [{\"id\": \"q\", \"retaliation\": {\"base\": 0, \"slope\": 0}, \"cost_per_exposure\": 1}]}");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const uint64_t k_base = ds_rng_key(SEED, ds_rng_name_hash("baseline_deficit"));
    const uint64_t k_cost = ds_rng_key(SEED, ds_rng_name_hash("items.a.cost"));
    const uint64_t k_q = ds_rng_key(SEED, ds_rng_name_hash("q"));
    const uint64_t k_rounds = ds_rng_key(SEED, ds_rng_name_hash("rounds"));
    const uint64_t k_burden = ds_rng_key(SEED, ds_rng_name_hash("lines.all.tariff_burden"));
    size_t deals = 0, rets = 0;
    for (uint64_t d = 0; d < 300; d++) {
        ds_rng r;
        ds_rng_open(&r, k_base, d, DS_STREAM(DS_STREAM_WORLD, 0));
        double base = ds_dist_sample(&m->baseline_deficit, ds_rng_gsl(&r));
        ds_rng_open(&r, k_cost, d, DS_STREAM(DS_STREAM_WORLD, 0));
        double cost = ds_dist_sample(&m->items[0].cost, ds_rng_gsl(&r));
        ds_rng_open(&r, k_q, d, DS_STREAM(DS_STREAM_THIRD, 0));
        double uq = ds_rng_uniform(&r);
        ds_rng_open(&r, k_burden, d, DS_STREAM(DS_STREAM_WORLD, 0));
        double b = ds_dist_sample(&m->lines[0].tariff_burden, ds_rng_gsl(&r));
        double sum = base + cost + uq + b;
        int deal_round = 0;
        for (uint32_t rd = 1; rd <= 2; rd++) {
            ds_rng_open(&r, k_rounds, d, DS_STREAM(DS_STREAM_ROUNDS, rd));
            /* Coin flips use one 32-bit word each: u = w / 2^32. */
            double ul = ds_rng_u32(&r) * 0x1p-32, us = ds_rng_u32(&r) * 0x1p-32;
            double ua = ds_rng_u32(&r) * 0x1p-32;
            double zm = gsl_ran_gaussian_ziggurat(ds_rng_gsl(&r), 1.0);
            double zd = gsl_ran_gaussian_ziggurat(ds_rng_gsl(&r), 1.0);
            sum += ul + us + ua + zm + zd;
            if (!deal_round && zm >= 0 && zd >= 0)
                deal_round = (int)rd;
        }
        double v = ds_engine_draw_variates(e, SEED, d);
        cr_assert(fabs(v - sum) <= 1e-12 * fmax(1.0, fabs(sum)),
                  "draw %llu: variates %.17g, streams %.17g", (unsigned long long)d, v, sum);

        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        cr_assert_eq(o->round, deal_round, "draw %llu", (unsigned long long)d);
        if (deal_round) {
            deals++;
            cr_assert_eq(o->concession_cost, cost);
            /* P_q = 1/2: retaliates iff U_q < 0.5. */
            cr_assert_eq(o->retaliates[0], uq < 0.5);
            rets += o->retaliates[0];
        } else {
            /* Elasticity 0: no volume effect, only the exporters' price
             * cut (§5.4), with the engine's operations. */
            double mt = 1 + (1 - b) * 0.25, mc = 1 + (1 - b) * 0.1;
            double pi = (mt / (1 + 0.25)) / (mc / (1 + 0.1));
            cr_assert_eq(o->deficit, base + (100 * 1.0 * pi - 100),
                         "no deal: the baseline and the price cut");
        }
    }
    cr_expect(deals > 50 && deals < 250 && rets > 10, "cases not informative");
    ds_engine_free(e);
    ds_model_free(m);
}

/* The model v2 dists have streams named by their paths (top of
 * sim/engine.c): "elasticity_long", "adjustment",
 * "lines.L.elasticity_long", "lines.L.tariff_burden".  Re-drawing them here
 * and applying SPEC §5.4 gives the engine's deficits of years 1 and H. */
Test(engine, v2_world_streams)
{
    ds_model *m = parse(
        "{\"dealsim\": 1, \"name\": \"v2 slots\","
        " \"home\": {\"tariff_burden\": 0.3, \"margin\": 0.1},"
        " \"baseline_deficit\": 60, \"elasticity\": 0.8,"
        " \"elasticity_long\": {\"dist\": \"uniform\", \"min\": 1.5, \"max\": 2.5},"
        " \"adjustment\": {\"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.4}, \"horizon\": 4,"
        " \"lines\": [{\"id\": \"a\", \"exports\": 50, \"current\": 0.025, \"no_deal\": 0.25, \"deal\": 0.15,"
        "             \"elasticity_long\": {\"dist\": \"triangular\", \"min\": 1, \"mode\": 1.2, \"max\": 3},"
        "             \"tariff_burden\": {\"dist\": \"uniform\", \"min\": 0.5, \"max\": 0.9}},"
        "            {\"id\": \"b\", \"exports\": 80, \"current\": 0.1, \"no_deal\": 0.3, \"deal\": 0.1}],"
        " \"packages\": [{\"id\": \"none\", \"items\": {}}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 1}],"
        " \"protocol\": {\"rounds\": 1}}");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const uint64_t k_el = ds_rng_key(SEED, ds_rng_name_hash("elasticity_long"));
    const uint64_t k_adj = ds_rng_key(SEED, ds_rng_name_hash("adjustment"));
    const uint64_t k_el_a = ds_rng_key(SEED, ds_rng_name_hash("lines.a.elasticity_long"));
    const uint64_t k_b_a = ds_rng_key(SEED, ds_rng_name_hash("lines.a.tariff_burden"));
    const uint32_t w = DS_STREAM(DS_STREAM_WORLD, 0);
    for (uint64_t d = 0; d < 100; d++) {
        ds_rng r;
        ds_rng_open(&r, k_el, d, w);
        double el_top = ds_dist_sample(&m->elasticity_long, ds_rng_gsl(&r));
        ds_rng_open(&r, k_adj, d, w);
        double lambda = ds_dist_sample(&m->adjustment, ds_rng_gsl(&r));
        ds_rng_open(&r, k_el_a, d, w);
        double el_a = ds_dist_sample(&m->lines[0].elasticity_long, ds_rng_gsl(&r));
        ds_rng_open(&r, k_b_a, d, w);
        double b_a = ds_dist_sample(&m->lines[0].tariff_burden, ds_rng_gsl(&r));
        const double x0[2] = {50, 80}, c[2] = {0.025, 0.1}, t[2] = {0.25, 0.3};
        const double b[2] = {b_a, 0.3}, el[2] = {el_a, el_top};
        double want[5] = {60, 60, 60, 60, 60};
        for (int h = 1; h <= 4; h++)
            for (int l = 0; l < 2; l++) {
                double eh = el[l] + (0.8 - el[l]) * pow(1 - lambda, h - 1);
                double mt = 1 + (1 - b[l]) * t[l], mc = 1 + (1 - b[l]) * c[l];
                double pi = (mt / (1 + t[l])) / (mc / (1 + c[l]));
                want[h] += x0[l] * pow(mt / mc, -eh) * pi - x0[l];
            }
        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        cr_assert_eq(o->deal, 0);
        cr_assert(fabs(o->deficit - want[1]) <= 1e-12 * want[1], "draw %llu: %.17g vs %.17g",
                  (unsigned long long)d, o->deficit, want[1]);
        cr_assert(fabs(o->deficit_end - want[4]) <= 1e-12 * want[4], "draw %llu: %.17g vs %.17g",
                  (unsigned long long)d, o->deficit_end, want[4]);
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.4: a horizon without anything that changes over the years (no
 * elasticity_long, pledges from year 1 in full), even with a discount
 * rate, is year 1 repeated: every outcome is the one-year one bit for bit
 * (deficit_end = deficit; the averages of equal years are the year-1
 * values); an explicit horizon of 1 is the default. */
Test(engine, flat_horizon_is_one_year)
{
    char base[8192], h1[8400], h3[8400];
    snprintf(base, sizeof base, RANDOM_JSON, STRATEGIES, "deadline");
    const char *home = strstr(base, "\"home\": {");
    cr_assert_not_null(home);
    int pre = (int)(home - base);
    const char *rest = home + strlen("\"home\": {");
    snprintf(h1, sizeof h1, "%.*s\"horizon\": 1, \"home\": {%s", pre, base, rest);
    snprintf(h3, sizeof h3, "%.*s\"horizon\": 3, \"home\": {\"discount_rate\": 0.07, %s",
             pre, base, rest);
    ds_model *m[3] = {parse(base), parse(h1), parse(h3)};
    cr_assert_eq(m[0]->horizon, 1);
    cr_assert_eq(m[2]->horizon, 3);
    ds_engine *e[3];
    for (int i = 0; i < 3; i++)
        cr_assert_not_null(e[i] = ds_engine_new(m[i]));
    size_t deals = 0;
    for (uint64_t d = 0; d < 300; d++) {
        snap a[3][4];
        for (int i = 0; i < 3; i++) {
            const ds_outcome *o = ds_engine_draw(e[i], SEED, d);
            for (size_t k = 0; k < 4; k++)
                take(&a[i][k], &o[k], m[i]);
        }
        for (size_t k = 0; k < 4; k++) {
            cr_assert_eq(a[0][k].o.deficit_end, a[0][k].o.deficit);
            cr_assert(same(&a[0][k], &a[1][k]), "draw %llu: horizon 1 differs from none",
                      (unsigned long long)d);
            cr_assert(same(&a[0][k], &a[2][k]), "draw %llu: flat horizon 3 differs",
                      (unsigned long long)d);
            deals += (size_t)a[0][k].o.deal;
        }
    }
    cr_expect(deals > 50, "too few deals (%zu) to be informative", deals);
    for (int i = 0; i < 3; i++) {
        ds_engine_free(e[i]);
        ds_model_free(m[i]);
    }
}

/* A package's terms have streams named by their paths,
 * "packages.P.terms.L" (top of sim/engine.c), and are listed in the
 * model's dists only for the lines the package asks for.  The deal tariff
 * of a package with terms is its draw; a package without terms has the
 * line's deal. */
Test(engine, terms_streams)
{
    ds_model *m = parse(
        "{\"dealsim\": 1, \"name\": \"terms slots\","
        " \"home\": {\"tariff_burden\": 0.3, \"margin\": 0.1},"
        " \"baseline_deficit\": 60, \"elasticity\": 1,"
        " \"lines\": [{\"id\": \"a\", \"exports\": 50, \"current\": 0.1, \"no_deal\": 0.25,"
        "             \"deal\": {\"dist\": \"uniform\", \"min\": 0.1, \"max\": 0.2}},"
        "            {\"id\": \"b\", \"exports\": 0, \"current\": 0.1, \"no_deal\": 0.3, \"deal\": 0.1}],"
        " \"packages\": [{\"id\": \"plain\", \"items\": {}},"
        "              {\"id\": \"ask\", \"items\": {},"
        "               \"terms\": {\"b\": 0.05, \"a\": {\"dist\": \"uniform\", \"min\": 0, \"max\": 0.1}}}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1}, \"threshold\": 0}],"
        " \"protocol\": {\"rounds\": 1}}");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    size_t n_terms = 0;
    for (size_t i = 0; i < m->n_dists; i++)
        if (m->dists[i].site == DS_SITE_PACKAGE_TERMS) {
            const char *want = n_terms == 0 ? "packages.ask.terms.a" : "packages.ask.terms.b";
            cr_assert_str_eq(m->dists[i].path, want);
            cr_assert_eq(m->dists[i].elem, 1);
            cr_assert_eq(m->dists[i].slot, n_terms == 0 ? 0 : 1);
            n_terms++;
        }
    cr_assert_eq(n_terms, 2);
    const uint64_t k_deal = ds_rng_key(SEED, ds_rng_name_hash("lines.a.deal"));
    const uint64_t k_ta = ds_rng_key(SEED, ds_rng_name_hash("packages.ask.terms.a"));
    for (uint64_t d = 0; d < 100; d++) {
        ds_rng r;
        ds_rng_open(&r, k_deal, d, DS_STREAM(DS_STREAM_WORLD, 0));
        double dl = ds_dist_sample(&m->lines[0].deal, ds_rng_gsl(&r));
        ds_rng_open(&r, k_ta, d, DS_STREAM(DS_STREAM_WORLD, 0));
        double ta = ds_dist_sample(&m->packages[1].terms[0], ds_rng_gsl(&r));
        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        cr_assert(o[0].deal && o[1].deal);
        /* Line b exports nothing: the mean tariff is line a's. */
        cr_assert_eq(o[0].tariff, 50 * dl / 50, "draw %llu", (unsigned long long)d);
        cr_assert_eq(o[1].tariff, 50 * ta / 50, "draw %llu", (unsigned long long)d);
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.6, §7: the extension flag is the first uniform of its own stream
 * (named DS_STREAM_EXTENSION_NAME, purpose DS_STREAM(DS_STREAM_EXTENSION,
 * 0)) below `probability`.  Here the member
 * first approves in round 2 (threshold 0.2 falls to 0.1 = V), after the
 * deadline R = 1: a deal (in round 2) iff the deadline is extended. */
Test(engine, extension_stream)
{
    ds_model *m = parse(
        "{\"dealsim\": 1, \"name\": \"extension stream\","
        " \"home\": {\"tariff_burden\": 0, \"margin\": 0.1},"
        " \"baseline_deficit\": 60, \"elasticity\": 1,"
        " \"lines\": [{\"id\": \"a\", \"exports\": 50, \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.1}],"
        " \"items\": [{\"id\": \"lng\", \"deficit_effect\": -6, \"cost\": 1}],"
        " \"packages\": [{\"id\": \"offer\", \"items\": {\"lng\": 1}}],"
        " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weights\": {\"deficit\": 1},"
        "              \"threshold\": 0.2, \"concession\": 0.1}],"
        " \"protocol\": {\"rounds\": 1, \"extension\": {\"probability\": 0.3, \"rounds\": 2}}}");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    size_t deals = 0;
    const uint64_t k_ext = ds_rng_key(SEED, ds_rng_name_hash(DS_STREAM_EXTENSION_NAME));
    for (uint64_t d = 0; d < 300; d++) {
        ds_rng r;
        ds_rng_open(&r, k_ext, d, DS_STREAM(DS_STREAM_EXTENSION, 0));
        int ext = ds_rng_uniform(&r) < 0.3;
        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        cr_assert_eq(o->deal, ext, "draw %llu", (unsigned long long)d);
        cr_assert_eq(o->round, ext ? 2 : 0);
        cr_assert_eq(o->evaluations[0], ext ? 2u : 1u);
        deals += (size_t)o->deal;
    }
    cr_expect(deals > 50 && deals < 150, "%zu deals", deals);
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.6, §7: adding an extension changes no other random number: every
 * strategy of RANDOM_JSON that ends by the deadline R = 3 (with or without
 * a deal) has the same outcome, bit for bit; one without a deal at R may
 * only go on to a deal after R.  The same with an extension of
 * probability 0 changes nothing at all. */
Test(engine, extension_changes_nothing_before_the_deadline)
{
    char base[8192], with[8400], never[8400];
    snprintf(base, sizeof base, RANDOM_JSON, STRATEGIES, "deadline");
    const char *pr = strstr(base, "\"rounds\": 3,");
    cr_assert_not_null(pr);
    int pre = (int)(pr - base);
    snprintf(with, sizeof with, "%.*s\"extension\": {\"probability\": 0.7, \"rounds\": 4}, %s",
             pre, base, pr);
    snprintf(never, sizeof never, "%.*s\"extension\": {\"probability\": 0, \"rounds\": 4}, %s",
             pre, base, pr);
    ds_model *m[3] = {parse(base), parse(with), parse(never)};
    cr_assert(m[1]->protocol.extension.given && m[1]->protocol.extension.rounds == 4);
    ds_engine *e[3];
    for (int i = 0; i < 3; i++)
        cr_assert_not_null(e[i] = ds_engine_new(m[i]));
    size_t late = 0, kept = 0;
    for (uint64_t d = 0; d < 400; d++) {
        snap a[3][4];
        for (int i = 0; i < 3; i++) {
            const ds_outcome *o = ds_engine_draw(e[i], SEED, d);
            for (size_t k = 0; k < 4; k++)
                take(&a[i][k], &o[k], m[i]);
        }
        for (size_t k = 0; k < 4; k++) {
            cr_assert(same(&a[0][k], &a[2][k]), "draw %llu: probability 0 changed it",
                      (unsigned long long)d);
            if (a[0][k].o.deal) {
                cr_assert(same(&a[0][k], &a[1][k]), "draw %llu strategy %zu",
                          (unsigned long long)d, k);
                kept++;
            } else if (a[1][k].o.deal) {
                cr_assert_gt(a[1][k].o.round, 3);
                late++;
            }
        }
    }
    cr_expect(kept > 50 && late > 20, "uninformative: %zu kept, %zu late", kept, late);
    for (int i = 0; i < 3; i++) {
        ds_engine_free(e[i]);
        ds_model_free(m[i]);
    }
}

/* The built-in scenario (three members and a decider) with `absent`
 * members appended who never attend (attendance 0), and
 * protocol.decider_acts set to acts. */
/* The built-in scenario's file, parsed. */
static cJSON *japan_json(void)
{
    FILE *f = fopen(DS_SOURCE_DIR "/scenarios/japan_us_2025.json", "rb");
    cr_assert_not_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root);
    return root;
}

/* The model of root, which is freed. */
static ds_model *json_model(cJSON *root)
{
    char *out = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    ds_model *m = test_model_text(out);
    free(out);
    return m;
}

static ds_model *with_absent_members(const char *acts, int absent)
{
    cJSON *root = japan_json();
    cJSON *proto = cJSON_GetObjectItem(root, "protocol");
    cJSON_ReplaceItemInObject(proto, "decider_acts", cJSON_CreateString(acts));
    for (int i = 0; i < absent; i++) {
        char js[256];
        snprintf(js, sizeof js,
                 "{\"id\": \"absent%d\", \"role\": \"member\", \"weights\": {\"deficit\": 1},"
                 " \"threshold\": 0, \"attendance\": 0, \"influence\": 5, \"veto\": true}", i);
        cJSON *a = cJSON_Parse(js);
        cr_assert_not_null(a);
        cJSON_AddItemToArray(cJSON_GetObjectItem(root, "actors"), a);
    }
    return json_model(root);
}

/* With at most four members the engine counts their evaluations and
 * approvals in 16-bit fields of one word; with more, one by one.  Members
 * who never attend change nothing else (their round draws come after
 * every other actor's, SPEC §5.6, and an absent member neither evaluates
 * nor vetoes), so three members and five (two absent) must agree draw by
 * draw, with extended deadlines and in both decider modes. */
Test(engine, packed_member_counts_equal_plain_ones)
{
    static const char *acts[] = {"deadline", "every_round"};
    for (size_t i = 0; i < 2; i++) {
        ds_model *m4 = with_absent_members(acts[i], 0), *m5 = with_absent_members(acts[i], 2);
        cr_assert_eq(m5->n_actors, m4->n_actors + 2);
        ds_engine *e4 = ds_engine_new(m4), *e5 = ds_engine_new(m5);
        cr_assert(e4 && e5);
        size_t deals = 0, late = 0, counted = 0;
        for (uint64_t d = 0; d < 3000; d++) {
            const ds_outcome *o4 = ds_engine_draw(e4, SEED, d);
            const ds_outcome *o5 = ds_engine_draw(e5, SEED, d);
            for (size_t s = 0; s < m4->n_strategies; s++) {
                cr_assert_eq(o4[s].deal, o5[s].deal, "%s draw %llu strategy %zu", acts[i],
                             (unsigned long long)d, s);
                cr_assert_eq(o4[s].round, o5[s].round);
                cr_assert_eq(o4[s].package, o5[s].package);
                deals += o4[s].deal != 0;
                late += o4[s].round > m4->protocol.rounds;
                for (size_t a = 0; a < m4->n_actors; a++) {
                    cr_assert_eq(o4[s].evaluations[a], o5[s].evaluations[a],
                                 "%s draw %llu strategy %zu actor %zu evaluations", acts[i],
                                 (unsigned long long)d, s, a);
                    cr_assert_eq(o4[s].approvals[a], o5[s].approvals[a],
                                 "%s draw %llu strategy %zu actor %zu approvals", acts[i],
                                 (unsigned long long)d, s, a);
                    counted += o4[s].approvals[a];
                }
                for (size_t a = m4->n_actors; a < m5->n_actors; a++) {
                    cr_assert_eq(o5[s].evaluations[a], 0);
                    cr_assert_eq(o5[s].approvals[a], 0);
                }
            }
        }
        /* Deals, deals after an extension, and approvals all occurred. */
        cr_expect_gt(deals, 1000, "%s: %zu deals", acts[i], deals);
        cr_expect_gt(late, 100, "%s: %zu late deals", acts[i], late);
        cr_expect_gt(counted, 10000, "%s: %zu approvals", acts[i], counted);
        ds_engine_free(e4);
        ds_engine_free(e5);
        ds_model_free(m4);
        ds_model_free(m5);
    }
}

/* The built-in scenario, or (split) the same with an item that does
 * nothing (every number 0) added, and in china_card_autos15 at
 * intensity 0.  Its sums are then those of china_card term by term plus
 * zeros, the same bits, but it no longer has china_card's items, so the
 * engine computes them instead of taking china_card's. */
static ds_model *china_cards(int split)
{
    cJSON *root = japan_json();
    if (split) {
        cJSON *it = cJSON_Parse("{\"id\": \"nothing_item\", \"deficit_effect\": 0,"
                                " \"cost\": 0, \"delivery\": 1}");
        cr_assert_not_null(it);
        cJSON_AddItemToArray(cJSON_GetObjectItem(root, "items"), it);
        cJSON *pk;
        cJSON_ArrayForEach(pk, cJSON_GetObjectItem(root, "packages"))
            if (strcmp(cJSON_GetObjectItem(pk, "id")->valuestring, "china_card_autos15") == 0)
                cJSON_AddNumberToObject(cJSON_GetObjectItem(pk, "items"), "nothing_item", 0);
    }
    return json_model(root);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Packages that differ only in the tariffs they ask for (the three
 * china_card packages) share their sums over items: taken from the first
 * and computed separately, every outcome of every strategy is the same,
 * draw by draw, over a horizon of three years with ramps. */
Test(engine, packages_with_the_same_items_share_their_sums)
{
    ds_model *m0 = china_cards(0), *m1 = china_cards(1);
    cr_assert_eq(m1->n_items, m0->n_items + 1);
    cr_assert_gt(m0->horizon, 1);
    ds_engine *e0 = ds_engine_new(m0), *e1 = ds_engine_new(m1);
    cr_assert(e0 && e1);
    size_t card_deals = 0;
    for (uint64_t d = 0; d < 3000; d++) {
        const ds_outcome *o0 = ds_engine_draw(e0, SEED, d);
        const ds_outcome *o1 = ds_engine_draw(e1, SEED, d);
        for (size_t s = 0; s < m0->n_strategies; s++) {
            const ds_outcome *a = &o0[s], *b = &o1[s];
            cr_assert(a->deal == b->deal && a->round == b->round && a->package == b->package,
                      "draw %llu strategy %zu", (unsigned long long)d, s);
            cr_assert(same_bits(a->tariff, b->tariff) && same_bits(a->deficit, b->deficit) &&
                      same_bits(a->deficit_end, b->deficit_end) &&
                      same_bits(a->benefit, b->benefit) &&
                      same_bits(a->concession_cost, b->concession_cost),
                      "draw %llu strategy %zu: deficit %.17g %.17g, end %.17g %.17g, "
                      "benefit %.17g %.17g, cost %.17g %.17g", (unsigned long long)d, s,
                      a->deficit, b->deficit, a->deficit_end, b->deficit_end, a->benefit,
                      b->benefit, a->concession_cost, b->concession_cost);
            for (size_t q = 0; q < m0->n_third; q++)
                cr_assert(a->retaliates[q] == b->retaliates[q] &&
                          same_bits(a->retaliation_cost[q], b->retaliation_cost[q]));
            for (size_t i = 0; i < m0->n_actors; i++)
                cr_assert(a->evaluations[i] == b->evaluations[i] &&
                          a->approvals[i] == b->approvals[i]);
            card_deals += a->deal && strncmp(m0->packages[a->package].id, "china_card_", 11) == 0;
        }
    }
    cr_expect_gt(card_deals, 500, "%zu deals on the asking china cards", card_deals);
    ds_engine_free(e0);
    ds_engine_free(e1);
    ds_model_free(m0);
    ds_model_free(m1);
}

/* Beta and pert dists take both gamma variates' usual tries from the
 * words computed with the world's, and the stream otherwise; normals with
 * bounds drawn by inverse CDF take their uniform from those words: every
 * value must be ds_dist_sample's on its own stream, bit for bit.  The
 * six-item benchmark scenario has eleven beta and pert dists (shapes from
 * 1 to 5.7) and five bounded normals; over 4000 draws each variate's
 * usual try fails often (the squeeze, about one try in ten, takes the log
 * test; the ziggurat or the log test rejects a few in a hundred), so both
 * ways are compared many times. */
Test(engine, two_gamma_dists_follow_their_streams)
{
    ds_model *m = test_model_file(DS_SOURCE_DIR "/bench/six_items.json");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    size_t betas = 0, bounded = 0;
    for (size_t j = 0; j < ds_engine_n_inputs(e); j++) {
        const ds_dist *d = ds_engine_input(e, j)->dist;
        betas += d->kind == DS_DIST_BETA || d->kind == DS_DIST_PERT;
        bounded += ds_dist_is_one_open_uniform(d);
    }
    cr_assert_geq(betas, 10, "the scenario has its beta and pert dists");
    cr_assert_geq(bounded, 4, "the scenario has its bounded normals");
    for (uint64_t d = 0; d < 4000; d++) {
        (void)ds_engine_draw(e, SEED, d);
        for (size_t j = 0; j < ds_engine_n_inputs(e); j++) {
            const ds_model_dist *in = ds_engine_input(e, j);
            if (in->corr >= 0)
                continue;
            ds_rng r;
            ds_rng_open(&r, ds_rng_key(SEED, ds_rng_name_hash(in->path)), d,
                        DS_STREAM(DS_STREAM_WORLD, 0));
            const double want = ds_dist_sample(in->dist, ds_rng_gsl(&r));
            cr_assert_eq(ds_engine_input_value(e, j), want, "draw %llu, %s: %.17g, want %.17g",
                         (unsigned long long)d, in->path, ds_engine_input_value(e, j), want);
        }
    }
    ds_engine_free(e);
    ds_model_free(m);
}

/* A member's Dirichlet weights (§5.1) are gsl_ran_dirichlet on the stream
 * actors.ID.weights, whether the engine takes its gamma variates' usual
 * tries from the stream's computed words or draws them from the stream.
 * The member's weights are given by `weights` (JSON, exact binary
 * fractions, summing to 1) over the dimensions `dims` (JSON), which with
 * kappa 4 give the n alphas alpha[] (deficit first, then the dimensions
 * in order).  The only package scores 1 on dimension s1 and 0 on
 * everything else, and s1's alpha is 1 of a total of 4, so the member's
 * value is its s1 weight exactly; with no noise it approves, and the deal
 * is made, iff that weight is at least the threshold, near its median
 * (Beta(1, 3): 1 - 2^(-1/3) = 0.2063).  Each draw's deal must match the
 * weights GSL draws from the same stream. */
static void check_dirichlet(const char *dims, const char *weights, const double *alpha,
                            size_t n, size_t s1)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"dealsim\": 2, \"name\": \"weights\","
             " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.1},"
             " \"baseline_deficit\": 60, \"elasticity\": 0,"
             " \"lines\": [{\"id\": \"all\", \"exports\": 100, \"current\": 0.1, \"no_deal\": 0.25, \"deal\": 0.25}],"
             " \"dimensions\": %s,"
             " \"items\": [{\"id\": \"a\", \"deficit_effect\": 0, \"cost\": 0, \"scores\": {\"s1\": 1}}],"
             " \"packages\": [{\"id\": \"p\", \"items\": {\"a\": 1}}],"
             " \"actors\": [{\"id\": \"m\", \"role\": \"member\", \"weight_certainty\": 4,"
             "              \"weights\": %s, \"threshold\": 0.2063, \"noise\": 0}],"
             " \"protocol\": {\"rounds\": 1}}",
             dims, weights);
    ds_model *m = parse(json);
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const uint64_t key = ds_rng_key(SEED, ds_rng_name_hash("actors.m.weights"));
    size_t deals = 0;
    const size_t draws = 20000;
    for (uint64_t d = 0; d < draws; d++) {
        ds_rng r;
        double w[16];
        ds_rng_open(&r, key, d, DS_STREAM(DS_STREAM_WORLD, 0));
        gsl_ran_dirichlet(ds_rng_gsl(&r), n, alpha, w);
        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        cr_assert_eq(o->deal, w[s1] >= 0.2063, "draw %llu: s1 weight %.17g, deal %d",
                     (unsigned long long)d, w[s1], o->deal);
        deals += (size_t)o->deal;
    }
    cr_expect(deals > draws / 3 && deals < 2 * draws / 3, "%zu deals of %zu: not informative",
              deals, draws);
    ds_engine_free(e);
    ds_model_free(m);
}

/* Alphas 2, 1, 1/2 and 1/2, two of them boosted: 16 words, all computed
 * with the world's. */
Test(engine, dirichlet_weights_follow_their_stream)
{
    const double alpha[4] = {2, 1, 0.5, 0.5};
    check_dirichlet("[\"s1\", \"jobs\", \"energy\"]",
                    "{\"deficit\": 0.5, \"s1\": 0.25, \"jobs\": 0.125, \"energy\": 0.125}",
                    alpha, 4, 1);
}

/* Alphas 1, eight of 1/8 (boosted), 1 and 1: 43 words when every try is
 * taken, more than a stream holds when opened, so the variates from the
 * sixth boosted one on come from words computed as the stream goes; the
 * sixth boosted variate's words straddle the opened blocks' end, and
 * those of the last the next refill's. */
Test(engine, long_dirichlet_weights_follow_their_stream)
{
    const double alpha[11] = {1, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125,
                              1, 1};
    check_dirichlet("[\"b1\", \"b2\", \"b3\", \"b4\", \"b5\", \"b6\", \"b7\", \"b8\", \"p1\","
                    " \"s1\"]",
                    "{\"deficit\": 0.25, \"b1\": 0.03125, \"b2\": 0.03125, \"b3\": 0.03125,"
                    " \"b4\": 0.03125, \"b5\": 0.03125, \"b6\": 0.03125, \"b7\": 0.03125,"
                    " \"b8\": 0.03125, \"p1\": 0.25, \"s1\": 0.25}",
                    alpha, 11, 10);
}
