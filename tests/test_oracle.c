/*
 * test_oracle.c - every mechanism of SPEC §5 against a closed form.
 * Each test loads its own small scenario from tests/data/oracle/, simulates
 * it with ds_engine_draw at a fixed seed and compares with the exact value:
 * frequencies and means within Z_TOL standard errors, economics to 1e-12.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>

#include "dealsim/engine.h"
#include "model_util.h"
#include "dealsim/error.h"
#include "dealsim/model.h"
#include "dealsim/scenario.h"

/* Tolerance of the statistical checks, in standard errors: a correct engine
 * fails one check with probability ~6e-5 (two-sided normal tail at 4). */
#define Z_TOL 4.0
/* Draws per statistical test: the SE of a frequency is then <= 0.0025. */
#define N_DRAWS 40000u
/* Seed of every run (any fixed value would do). */
#define SEED 20250605u
/* Relative tolerance of the deterministic economics (SPEC §5.4 is a handful
 * of floating-point operations; 1e-12 leaves room for reassociation only). */
#define ECON_RTOL 1e-12

#define MAXA 8 /* actors per oracle scenario, at most */
#define MAXQ 4 /* third parties per oracle scenario, at most */
#define MAXP 8 /* packages per oracle scenario, at most */

/* Sums over draws of one strategy's outcomes. */
typedef struct tally {
    double n, deals, round_sum, round_sq;
    double late;      /* deals after round R, in an extension (§5.6) */
    double pkg[MAXP];
    double ev[MAXA], ev_sq[MAXA], ap[MAXA];
    double ret[MAXQ], rcost[MAXQ], rcost_sq[MAXQ];
} tally;

static ds_model *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/oracle/%s.json", DS_TEST_DIR, name);
    return test_model_file(path);
}

/* Simulate n draws of m and tally strategy k. */
static void run(const ds_model *m, size_t k, uint64_t n, tally *t)
{
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    cr_assert(m->n_actors <= MAXA && m->n_third <= MAXQ && m->n_packages <= MAXP);
    memset(t, 0, sizeof *t);
    for (uint64_t d = 0; d < n; d++) {
        const ds_outcome *o = &ds_engine_draw(e, SEED, d)[k];
        t->n += 1;
        if (o->deal) {
            t->deals += 1;
            t->round_sum += o->round;
            t->round_sq += (double)o->round * o->round;
            t->late += o->round > m->protocol.rounds;
            t->pkg[o->package] += 1;
        }
        for (size_t a = 0; a < m->n_actors; a++) {
            t->ev[a] += o->evaluations[a];
            t->ev_sq[a] += (double)o->evaluations[a] * o->evaluations[a];
            t->ap[a] += o->approvals[a];
        }
        for (size_t q = 0; q < m->n_third; q++) {
            t->ret[q] += o->retaliates[q];
            t->rcost[q] += o->retaliation_cost[q];
            t->rcost_sq[q] += o->retaliation_cost[q] * o->retaliation_cost[q];
        }
    }
    ds_engine_free(e);
}

/* A frequency k/n against probability p: SE = sqrt(p (1 - p) / n). */
static void check_p(const char *what, double k, double n, double p)
{
    double se = sqrt(p * (1.0 - p) / n);
    double f = k / n;
    cr_expect(fabs(f - p) <= Z_TOL * se + 1e-15,
              "%s: observed %.5f, expected %.5f (SE %.5f)", what, f, p, se);
}

/* A sample mean from sums against mu: SE = sample sd / sqrt(n). */
static void check_mean(const char *what, double sum, double sumsq, double n,
                       double mu)
{
    double mean = sum / n;
    double var = (sumsq - n * mean * mean) / (n - 1.0);
    double se = sqrt(var > 0.0 ? var / n : 0.0);
    cr_expect(fabs(mean - mu) <= Z_TOL * se + 1e-12,
              "%s: observed %.5f, expected %.5f (SE %.5f)", what, mean, mu, se);
}

static double Phi(double x) { return gsl_cdf_ugaussian_P(x); }

/* The mean deal round given a deal, from per-round deal probabilities
 * P(deal in round r) = f[r - 1]; also returns its variance in *var. */
static double round_moments(const double *f, int R, double *var)
{
    double p = 0.0, s1 = 0.0, s2 = 0.0;
    for (int r = 1; r <= R; r++) {
        p += f[r - 1];
        s1 += r * f[r - 1];
        s2 += (double)r * r * f[r - 1];
    }
    *var = s2 / p - (s1 / p) * (s1 / p);
    return s1 / p;
}

/* Mean deal round against its closed form: SE = sd(round | deal) / sqrt(deals). */
static void check_round(const tally *t, const double *f, int R)
{
    double var, mu = round_moments(f, R, &var);
    double se = sqrt(var / t->deals);
    double mean = t->round_sum / t->deals;
    cr_expect(fabs(mean - mu) <= Z_TOL * se + 1e-12,
              "mean deal round: observed %.5f, expected %.5f (SE %.5f)", mean, mu, se);
}

/* §5.3: one member, V = 0.1 (= 6/60), threshold N(0.08, 0.04). */
Test(oracle, single_member_normal_threshold)
{
    ds_model *m = load("single_normal");
    tally t;
    run(m, 0, N_DRAWS, &t);
    double p = Phi((0.1 - 0.08) / 0.04);
    check_p("P(deal)", t.deals, t.n, p);
    check_p("approve", t.ap[0], t.ev[0], p);
    cr_expect_eq(t.ev[0], t.n, "one evaluation per draw");
    ds_model_free(m);
}

/* §5.3, §5.6: fresh noise each round; geometric deal round truncated at R. */
Test(oracle, per_round_noise)
{
    ds_model *m = load("round_noise");
    const int R = 4;
    double p = Phi((0.1 - 0.12) / 0.05), f[4];
    tally t;
    run(m, 0, N_DRAWS, &t);
    for (int r = 1; r <= R; r++)
        f[r - 1] = p * pow(1.0 - p, r - 1);
    check_p("P(deal)", t.deals, t.n, 1.0 - pow(1.0 - p, R));
    check_round(&t, f, R);
    check_p("approve", t.ap[0], t.ev[0], p);
    ds_model_free(m);
}

/* §5.6 step 1: a lost round evaluates nothing. */
Test(oracle, lost_rounds)
{
    ds_model *m = load("lost_rounds");
    const int R = 3;
    const double d = 0.6;
    double f[3];
    tally t;
    run(m, 0, N_DRAWS, &t);
    for (int r = 1; r <= R; r++)
        f[r - 1] = (1.0 - d) * pow(d, r - 1);
    check_p("P(deal)", t.deals, t.n, 1.0 - pow(d, R));
    check_round(&t, f, R);
    /* Evaluations: one per round reached that is not lost:
     * E = sum_r P(reach r) (1 - d) = sum_r d^(r-1) (1 - d). */
    double mu = 0.0;
    for (int r = 1; r <= R; r++)
        mu += pow(d, r - 1) * (1.0 - d);
    check_mean("evaluations", t.ev[0], t.ev_sq[0], t.n, mu);
    cr_expect_eq(t.ap[0], t.ev[0], "the member always approves");
    ds_model_free(m);
}

/* §5.6 step 2: attendance; an empty team fails the round. */
Test(oracle, attendance)
{
    ds_model *m = load("attendance");
    const double a = 0.6, b = 0.3, fail = (1.0 - a) * (1.0 - b);
    tally t;
    run(m, 0, N_DRAWS, &t);
    check_p("P(deal)", t.deals, t.n, 1.0 - fail * fail);
    /* Round 2 is reached only when both were absent in round 1. */
    check_mean("evaluations a", t.ev[0], t.ev_sq[0], t.n, a * (1.0 + fail));
    check_mean("evaluations b", t.ev[1], t.ev_sq[1], t.n, b * (1.0 + fail));
    ds_model_free(m);
}

/* The approval probabilities of the three members of majority3/veto/...:
 * V = 0.1, thresholds 0.1, 0.08, 0.13, noise 0.05. */
static void three_p(double p[3])
{
    p[0] = Phi((0.1 - 0.1) / 0.05);
    p[1] = Phi((0.1 - 0.08) / 0.05);
    p[2] = Phi((0.1 - 0.13) / 0.05);
}

/* §5.6 step 2: quorum 0.5 of three equal members = two of three. */
Test(oracle, majority_of_three)
{
    ds_model *m = load("majority3");
    double p[3];
    tally t;
    three_p(p);
    run(m, 0, N_DRAWS, &t);
    double two = p[0] * p[1] + p[0] * p[2] + p[1] * p[2] - 2.0 * p[0] * p[1] * p[2];
    check_p("P(deal)", t.deals, t.n, two);
    for (int a = 0; a < 3; a++)
        check_p("approve", t.ap[a], t.ev[a], p[a]);
    ds_model_free(m);
}

/* §5.6: influence-weighted sigma; sigma = quorum exactly passes (tie). */
Test(oracle, weighted_quorum_tie)
{
    ds_model *m = load("weighted_tie");
    double p[3];
    tally t;
    three_p(p);
    run(m, 0, N_DRAWS, &t);
    check_p("P(deal)", t.deals, t.n, p[0] + (1.0 - p[0]) * p[1] * p[2]);
    ds_model_free(m);
}

/* §5.6 step 2: a present member with veto who rejects blocks the team. */
Test(oracle, veto)
{
    ds_model *m = load("veto");
    double p[3];
    tally t;
    three_p(p);
    run(m, 0, N_DRAWS, &t);
    check_p("P(deal)", t.deals, t.n, p[1] * (1.0 - (1.0 - p[0]) * (1.0 - p[2])));
    ds_model_free(m);
}

/* §5.6 step 3, deadline: the decider acts once, at R, with theta(R),
 * Z_decider,R and the forwarded sigma (1 here). */
Test(oracle, deadline_decider)
{
    ds_model *m = load("deadline");
    const int R = 3;
    double pm = Phi((0.1 - 0.12) / 0.05);
    double fwd = 1.0 - pow(1.0 - pm, R);
    /* U - theta(R) ~ N(0.1 + 0.2 - 0.35 + 2 * 0.05, sqrt(0.1^2 + 0.1^2)). */
    double pd = Phi((0.1 + 0.2 - 0.35 + 2 * 0.05) / sqrt(0.02));
    tally t;
    run(m, 0, N_DRAWS, &t);
    check_p("P(deal)", t.deals, t.n, fwd * pd);
    cr_expect_eq(t.round_sum, (double)R * t.deals, "every deal is dated R");
    check_p("decider evaluates iff something was forwarded", t.ev[1], t.n, fwd);
    check_p("decider approves", t.ap[1], t.ev[1], pd);
    ds_model_free(m);
}

/* §5.6 step 3: a later forward replaces an earlier one. */
Test(oracle, deadline_latest_forward)
{
    ds_model *m = load("deadline_replace");
    const double a = 0.7;
    tally t;
    run(m, 0, N_DRAWS, &t);
    check_p("P(deal)", t.deals, t.n, a);
    cr_expect_eq(t.pkg[1], t.deals, "only the strong package is accepted");
    check_p("decider evaluations", t.ev[1], t.n, 1.0 - (1.0 - a) * (1.0 - a));
    ds_model_free(m);
}

/* §5.3: theta(r) = threshold - (r - 1) concession, no noise. */
Test(oracle, threshold_concession)
{
    ds_model *m = load("concession");
    const int R = 4;
    double f[4], prev = 0.0;
    tally t;
    run(m, 0, N_DRAWS, &t);
    for (int r = 1; r <= R; r++) {
        double c = Phi((0.1 - 0.2 + 0.04 * (r - 1)) / 0.05);
        f[r - 1] = c - prev;
        prev = c;
    }
    check_p("P(deal)", t.deals, t.n, prev);
    check_round(&t, f, R);
    ds_model_free(m);
}

/* §5.6 step 2: a split team stalls with stall_on_split; a stalled round's
 * evaluations still count. */
Test(oracle, stall_on_split)
{
    ds_model *m = load("stall");
    const double s = 0.4;
    double p[3];
    tally t;
    three_p(p);
    run(m, 0, N_DRAWS, &t);
    double split = p[0] * (1.0 - p[1]) + p[1] * (1.0 - p[0]);
    check_p("P(deal)", t.deals, t.n, p[0] * p[1] + split * (1.0 - s));
    cr_expect_eq(t.ev[0], t.n, "member 1 evaluates every draw");
    cr_expect_eq(t.ev[1], t.n, "member 2 evaluates every draw");
    ds_model_free(m);
}

/* §5.6 step 3, every_round: the decider adds team_weight * sigma. */
Test(oracle, every_round_decider)
{
    ds_model *m = load("every_round");
    double p[3];
    tally t;
    three_p(p);
    run(m, 0, N_DRAWS, &t);
    double both = p[0] * p[1], pass = 1.0 - (1.0 - p[0]) * (1.0 - p[1]);
    double f[2] = {both, (1.0 - both) * both};
    check_p("P(deal)", t.deals, t.n, 1.0 - (1.0 - both) * (1.0 - both));
    check_round(&t, f, 2);
    check_mean("decider evaluations", t.ev[2], t.ev_sq[2], t.n,
               pass + (1.0 - both) * pass);
    cr_expect_eq(t.ap[2], t.deals, "each deal is one decider approval");
    ds_model_free(m);
}

static void expect_rel(const char *what, double got, double want)
{
    double tol = ECON_RTOL * fmax(1.0, fabs(want));
    cr_expect(fabs(got - want) <= tol, "%s: got %.17g, want %.17g", what, got, want);
}

/* §5.4 pass-through: the exporters pay the share b of tariff t, so the
 * importers' price is m(t) = 1 + (1 - b) t, the border price x(t) =
 * m(t) / (1 + t); against today's tariff c the volume is (m(t)/m(c))^-eps
 * and the border value X = X0 Q pi with pi = x(t)/x(c).  Written out here
 * from the formulas, independently of the engine's arrangement. */
typedef struct line_econ {
    double X, loss; /* border value, home's loss against today */
} line_econ;

static line_econ line_at(double x0, double c, double t, double b, double eps,
                         double margin)
{
    double m_t = 1 + (1 - b) * t, m_c = 1 + (1 - b) * c;
    double Q = pow(m_t / m_c, -eps);
    double pi = (m_t / (1 + t)) / (m_c / (1 + c));
    line_econ r;
    r.X = x0 * Q * pi;
    r.loss = x0 * (Q * (1 - pi) + margin * (1 - Q));
    return r;
}

/* §5.4: tariffs, exports, deficit, loss, concession cost, retaliation and
 * the discounted benefit, all fixed (one draw suffices). */
Test(oracle, deterministic_economics)
{
    ds_model *m = load("economics");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const ds_outcome *o = ds_engine_draw(e, SEED, 3);

    const double x0[2] = {50, 98.2}, cur[2] = {0.275, 0.1};
    const double nd[2] = {0.25, 0.24}, dl[2] = {0.15, 0.15}, eps[2] = {2.5, 1.5};
    const double burden = 0.6, margin = 0.12, base = 68.5, delta = 0.9;
    double loss_n = 0, loss_d = 0, sum_n = 0, sum_d = 0;
    for (int l = 0; l < 2; l++) {
        line_econ n = line_at(x0[l], cur[l], nd[l], burden, eps[l], margin);
        line_econ d = line_at(x0[l], cur[l], dl[l], burden, eps[l], margin);
        loss_n += n.loss;
        loss_d += d.loss;
        sum_n += n.X - x0[l];
        sum_d += d.X - x0[l];
    }
    double delivered = 1.5 * -4 * 0.7 + 1 * -6.9 * 0.5;
    double ccost = 1.5 * 0.8 + 1 * 1.5;
    double rcost = 1.5 * 2; /* E_china = 1.5, cost_per_exposure 2 */

    /* Strategy "deal": accepted in round 2 (theta 0.18 <= 12.9/68.5 < 0.3). */
    cr_assert_eq(o[0].deal, 1);
    cr_expect_eq(o[0].round, 2);
    cr_expect_eq(o[0].package, 0);
    expect_rel("tariff (deal)", o[0].tariff, (50 * 0.15 + 98.2 * 0.15) / 148.2);
    expect_rel("deficit (deal)", o[0].deficit, base + sum_d + delivered);
    expect_rel("deficit_change (deal)", o[0].deficit_change, sum_d + delivered);
    expect_rel("concession_cost", o[0].concession_cost, ccost);
    cr_expect_eq(o[0].retaliates[0], 1);
    expect_rel("retaliation_cost", o[0].retaliation_cost[0], rcost);
    expect_rel("benefit", o[0].benefit, delta * (loss_n - loss_d - ccost - rcost));

    /* Strategy "nothing": V = 0 < theta(3) = 0.06, so no deal. */
    cr_assert_eq(o[1].deal, 0);
    cr_expect_eq(o[1].round, 0);
    cr_expect_eq(o[1].package, -1);
    expect_rel("tariff (no deal)", o[1].tariff, (50 * 0.25 + 98.2 * 0.24) / 148.2);
    expect_rel("deficit (no deal)", o[1].deficit, base + sum_n);
    expect_rel("deficit_change (no deal)", o[1].deficit_change, sum_n);
    cr_expect_eq(o[1].benefit, 0.0);
    cr_expect_eq(o[1].concession_cost, 0.0);
    cr_expect_eq(o[1].retaliates[0], 0);
    cr_expect_eq(o[1].retaliation_cost[0], 0.0);
    cr_expect_eq(o[1].evaluations[0], 3);
    cr_expect_eq(o[1].approvals[0], 0);
    cr_expect_eq(o[0].evaluations[0], 2);
    cr_expect_eq(o[0].approvals[0], 1);

    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.4 pass-through with a line's own tariff_burden: autos' exporters pay
 * 80% of the tariff (their own burden), the other line 0% (home's): its
 * exports move by volume only, exactly v1's ((1 + t)/(1 + c))^-eps with
 * pi = 1, and its loss is v1's margin (X0 - X).  A tariff paid by the
 * exporters barely moves volumes but cuts the border value: the deficit
 * falls by the price cut. */
Test(oracle, pass_through)
{
    ds_model *m = load("passthrough");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const ds_outcome *o = ds_engine_draw(e, SEED, 11);

    const double margin = 0.2, base = 60;
    /* autos: X0 50, 2.5% -> 27.5% (no deal) or 15% (deal), b = 0.8, eps 1. */
    line_econ an = line_at(50, 0.025, 0.275, 0.8, 1.0, margin);
    line_econ ad = line_at(50, 0.025, 0.15, 0.8, 1.0, margin);
    /* other: X0 100, 10% -> 25% or 10%, b = 0, eps 2: v1's formulas. */
    double on = 100 * pow(1.25 / 1.1, -2.0), od = 100.0;
    cr_expect_eq(m->lines[0].has_tariff_burden, 1);
    cr_expect_eq(m->lines[1].has_tariff_burden, 0);
    /* At b = 0.8 the price cut dominates: 1.275/1.025 in the importers'
     * price against 1.055/1.005 with b = 0.8. */
    cr_expect(an.X < 50 * 0.9 && an.X > 50 * 0.75, "autos no-deal value %g", an.X);

    /* Strategy "offer" is accepted in round 1 (V = 0.1 >= 0.05). */
    cr_assert_eq(o[0].deal, 1);
    expect_rel("deficit (deal)", o[0].deficit, base + (ad.X - 50) + (od - 100) + -6);
    expect_rel("benefit", o[0].benefit,
               (an.loss + margin * (100 - on)) - (ad.loss + margin * (100 - od)) - 1);
    /* Strategy "none": no deal. */
    cr_assert_eq(o[1].deal, 0);
    expect_rel("deficit (no deal)", o[1].deficit, base + (an.X - 50) + (on - 100));
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.4 over a horizon of H = 5 years: year h's elasticity
 * eps_h = epsL + (eps - epsL)(1 - lambda)^(h-1), volumes mu^-eps_h; the
 * deficit of years 1 and H; pledges delivered in the share
 * s(h) = min(1, (h - start + 1)/(ramp + 1)) from their start; benefit and
 * concession cost as averages per year with weights 1.05^-(h-1). */
Test(oracle, horizon_paths)
{
    ds_model *m = load("horizon");
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    const ds_outcome *o = ds_engine_draw(e, SEED, 5);
    enum { H = 5 };
    const double x0[2] = {50, 100}, cur[2] = {0.025, 0.1};
    const double nd[2] = {0.275, 0.25}, dl[2] = {0.15, 0.1};
    const double b[2] = {0.8, 0.5}, eps[2] = {0.76, 1.2}, epsl[2] = {1.5, 2};
    const double lambda = 0.25, margin = 0.2, base = 60;
    /* lng: start 2, ramp 2; chips: from year 1; alaska: from year 7. */
    const double s_lng[H + 1] = {0, 0, 1.0 / 3, 2.0 / 3, 1, 1};
    double w[H + 1], W = 0, loss_n = 0, loss_d = 0, cost = 0;
    double def_n[H + 1], def_d[H + 1];
    for (int h = 1; h <= H; h++) {
        w[h] = pow(1.05, -(h - 1));
        W += w[h];
        def_n[h] = base;
        def_d[h] = base + 1 * -6 * 0.8 * s_lng[h] + 2 * -3;
        double ln_h = 0, ld_h = 0;
        for (int l = 0; l < 2; l++) {
            double eh = epsl[l] + (eps[l] - epsl[l]) * pow(1 - lambda, h - 1);
            line_econ n = line_at(x0[l], cur[l], nd[l], b[l], eh, margin);
            line_econ d = line_at(x0[l], cur[l], dl[l], b[l], eh, margin);
            def_n[h] += n.X - x0[l];
            def_d[h] += d.X - x0[l];
            ln_h += n.loss;
            ld_h += d.loss;
        }
        loss_n += w[h] * ln_h;
        loss_d += w[h] * ld_h;
        cost += w[h] * (1 * 1 * s_lng[h] + 2 * 0.5);
    }
    loss_n /= W;
    loss_d /= W;
    cost /= W;

    cr_assert_eq(o[0].deal, 1);
    cr_expect_eq(o[0].round, 1);
    expect_rel("deficit (deal, year 1)", o[0].deficit, def_d[1]);
    expect_rel("deficit_end (deal, year 5)", o[0].deficit_end, def_d[H]);
    expect_rel("deficit_end_change (deal)", o[0].deficit_end_change, def_d[H] - base);
    expect_rel("concession_cost", o[0].concession_cost, cost);
    expect_rel("benefit", o[0].benefit, loss_n - loss_d - cost);
    cr_assert_eq(o[1].deal, 0);
    expect_rel("deficit (no deal, year 1)", o[1].deficit, def_n[1]);
    expect_rel("deficit_end (no deal, year 5)", o[1].deficit_end, def_n[H]);
    expect_rel("deficit_end_change (no deal)", o[1].deficit_end_change, def_n[H] - base);
    /* The long run bites: no deal cuts the deficit more in year 5. */
    cr_expect(def_n[H] < def_n[1] - 1, "no-deal deficits %g, %g", def_n[1], def_n[H]);
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.2 terms and the "tariff" weight: a member with w-hat = (0.5 deficit,
 * 0.5 tariff) and threshold N(0, 0.03^2) approves package p with
 * probability Phi(0.5 (S_deficit + S_tariff(p)) / 0.03).  Asking for
 * less tariff relief (plain) makes a deal more likely than asking for a
 * deep cut on autos (ask15); with terms drawn uniform on [0.15, 0.275]
 * (ask_rand) the probability is the average over the draw, computed here
 * by quadrature.  A deal with terms applies them. */
static double s_tariff_terms(double t_autos)
{
    return -(50 * (0.275 - t_autos) + 100 * (0.25 - 0.15)) / 150;
}

static double p_terms(double t_autos)
{
    return Phi(0.5 * (0.1 + s_tariff_terms(t_autos)) / 0.03);
}

Test(oracle, terms_and_tariff_weight)
{
    ds_model *m = load("terms");
    tally t[3];
    for (size_t k = 0; k < 3; k++)
        run(m, k, N_DRAWS, &t[k]);
    check_p("P(deal), plain", t[0].deals, t[0].n, p_terms(0.275));
    check_p("P(deal), ask15", t[1].deals, t[1].n, p_terms(0.15));
    /* Simpson's rule over u ~ U(0.15, 0.275), 2000 intervals. */
    const int n = 2000;
    double a = 0.15, b = 0.275, h = (b - a) / n, sum = p_terms(a) + p_terms(b);
    for (int i = 1; i < n; i++)
        sum += (i % 2 ? 4 : 2) * p_terms(a + i * h);
    check_p("P(deal), ask_rand", t[2].deals, t[2].n, sum * h / 3 / (b - a));
    cr_expect(p_terms(0.275) - p_terms(0.15) > 0.2, "the oracle separates the packages");

    /* The economics of a deal use the package's terms (§5.4). */
    ds_engine *e = ds_engine_new(m);
    cr_assert_not_null(e);
    int seen[3] = {0, 0, 0};
    for (uint64_t d = 0; d < 200 && !(seen[0] && seen[1]); d++) {
        const ds_outcome *o = ds_engine_draw(e, SEED, d);
        for (int k = 0; k < 2; k++) {
            if (!o[k].deal)
                continue;
            double ta = k == 0 ? 0.275 : 0.15;
            line_econ a_d = line_at(50, 0.275, ta, 0.5, 1, 0.2);
            line_econ o_d = line_at(100, 0.1, 0.15, 0.5, 1, 0.2);
            line_econ o_n = line_at(100, 0.1, 0.25, 0.5, 1, 0.2);
            expect_rel("tariff (deal)", o[k].tariff, (50 * ta + 100 * 0.15) / 150);
            expect_rel("deficit (deal)", o[k].deficit, 60 + (a_d.X - 50) + (o_d.X - 100) - 6);
            expect_rel("benefit", o[k].benefit, o_n.loss - (a_d.loss + o_d.loss) - 1);
            seen[k] = 1;
        }
    }
    cr_expect(seen[0] && seen[1], "no deal to check the economics of");
    ds_engine_free(e);
    ds_model_free(m);
}

/* §5.1: the Dirichlet's keys include "tariff" (after "deficit"; a weight-0
 * dimension is left out): w-hat = (0.75, 0.25), kappa = 10, so
 * w_deficit ~ Beta(7.5, 2.5) and the member approves iff w_deficit >= 0.7. */
Test(oracle, dirichlet_tariff_key)
{
    ds_model *m = load("dirichlet_tariff");
    tally t;
    run(m, 0, N_DRAWS, &t);
    check_p("P(approve)", t.deals, t.n, gsl_cdf_beta_Q(0.7, 7.5, 2.5));
    ds_model_free(m);
}

/* §5.6 extension, no decider: the member approves each round with
 * p = Phi(-0.4) (fresh noise); with probability q = 0.6 rounds 3..5 follow
 * a deadline of 2 without a deal.  The deal round is r with probability
 * (1 - p)^(r-1) p for r <= 2 and q (1 - p)^(r-1) p for r = 3..5. */
Test(oracle, extension_team)
{
    ds_model *m = load("extension_team");
    tally t;
    run(m, 0, N_DRAWS, &t);
    const double p = Phi((0.1 - 0.12) / 0.05), q = 0.6;
    double f[5], late = 0.0, all = 0.0;
    for (int r = 1; r <= 5; r++) {
        f[r - 1] = (r <= 2 ? 1.0 : q) * pow(1 - p, r - 1) * p;
        all += f[r - 1];
        late += r > 2 ? f[r - 1] : 0.0;
    }
    check_p("P(deal)", t.deals, t.n, all);
    check_p("P(deal in the extension)", t.late, t.n, late);
    check_round(&t, f, 5);
    /* Evaluations: rounds played, 2 + 3 when extended without an early deal. */
    double ev = 0.0;
    for (int r = 1; r <= 5; r++)
        ev += (r <= 2 ? 1.0 : q) * pow(1 - p, r - 1);
    check_mean("member evaluations", t.ev[0], t.ev_sq[0], t.n, ev);
    ds_model_free(m);
}

/* §5.6 extension in deadline mode: a forward exists at round 2 with
 * F = 1 - 0.4^2 (the member present in some round), the decider approves
 * it with p2 = Phi((0.1 - theta(2))/0.1); extended (q = 0.5), the forward
 * is cleared and rounds 3..4 forward again with F, the decider deciding at
 * round 4 with p4 = Phi((0.1 - theta(4))/0.1).  Without clearing, the
 * second forward would exist with 1 - 0.4^4. */
Test(oracle, extension_deadline)
{
    ds_model *m = load("extension_deadline");
    tally t;
    run(m, 0, N_DRAWS, &t);
    const double F = 1 - 0.4 * 0.4, q = 0.5;
    const double p2 = Phi((0.1 - 0.08) / 0.1), p4 = Phi((0.1 - 0.04) / 0.1);
    const double at2 = F * p2, at4 = (1 - at2) * q * F * p4;
    const double f[4] = {0, at2, 0, at4};
    check_p("P(deal)", t.deals, t.n, at2 + at4);
    check_p("P(deal in the extension)", t.late, t.n, at4);
    check_round(&t, f, 4);
    check_mean("decider evaluations", t.ev[1], t.ev_sq[1], t.n, F + (1 - at2) * q * F);
    cr_expect_eq(t.ap[1], t.deals, "each deal is one decider approval");
    ds_model_free(m);
}

/* §5.4: P_q = logistic(base + slope E_q); cost = E_q cost_per_exposure. */
Test(oracle, retaliation)
{
    ds_model *m = load("retaliation");
    const double E = 2.0, P = 1.0 / (1.0 + exp(-(-1.0 + 0.6 * E)));
    tally t, t0;
    run(m, 0, N_DRAWS, &t);
    cr_assert_eq(t.deals, t.n, "the member always approves");
    check_p("P(retaliation)", t.ret[0], t.n, P);
    /* Independent U_q and cost_per_exposure ~ U(1, 3): mean P * E * 2. */
    check_mean("retaliation cost", t.rcost[0], t.rcost_sq[0], t.n, P * E * 2.0);
    cr_expect_eq(t.ret[1], 0.0, "no exposure, no retaliation");
    run(m, 1, N_DRAWS / 4, &t0);
    cr_expect_eq(t0.ret[0] + t0.ret[1], 0.0, "an empty package never retaliates");
    ds_model_free(m);
}

/* §5.1: Dirichlet(kappa w-hat) weights; two keys give w ~ Beta. */
Test(oracle, dirichlet_weights)
{
    ds_model *m = load("dirichlet");
    tally t;
    run(m, 0, N_DRAWS, &t);
    /* w-hat = (0.75, 0.25), kappa = 10: w_deficit ~ Beta(7.5, 2.5). */
    check_p("P(approve)", t.deals, t.n, gsl_cdf_beta_Q(0.5, 7.5, 2.5));
    ds_model_free(m);
}

/* copula.json with its correlation's matrix set to rho (--set). */
static ds_model *copula_with(double rho)
{
    char path[1024], set[256];
    ds_report rep;
    ds_report_init(&rep);
    snprintf(path, sizeof path, "%s/data/oracle/copula.json", DS_TEST_DIR);
    ds_scenario *s = ds_scenario_load(path, &rep);
    cr_assert_not_null(s);
    snprintf(set, sizeof set, "correlations.views.matrix=[[1, %.17g], [%.17g, 1]]", rho, rho);
    cr_assert_eq(ds_scenario_set_arg(s, set, &rep), DS_OK);
    return test_build(s, &rep, set);
}

/* §5.1: a Gaussian copula of two dists of other kinds (uniform and
 * triangular): each keeps its distribution (each member approves, its
 * threshold at or below its median, half the time) and both are below
 * their medians with the bivariate normal orthant probability
 * 1/4 + asin(rho)/(2 pi) (Sheppard 1899). */
Test(oracle, copula_orthant)
{
    const double rho[] = {0.6, -0.8, 0.95, 0};
    for (size_t i = 0; i < sizeof rho / sizeof rho[0]; i++) {
        ds_model *m = copula_with(rho[i]);
        tally t;
        run(m, 0, N_DRAWS, &t);
        char what[64];
        snprintf(what, sizeof what, "P(both below the median), rho %g", rho[i]);
        check_p(what, t.deals, t.n, 0.25 + asin(rho[i]) / (2 * M_PI));
        cr_expect_eq(t.ev[0], t.n);
        check_p("m1 approves", t.ap[0], t.ev[0], 0.5);
        check_p("m2 approves", t.ap[1], t.ev[1], 0.5);
        ds_model_free(m);
    }
}

/* §5.1 with three dists (uniform, beta, truncated normal) and a 3 x 3
 * matrix: the trivariate orthant probability
 * 1/8 + (asin r12 + asin r13 + asin r23)/(4 pi), and each pair's
 * approvals, which are marginal medians too. */
Test(oracle, copula_three_dists)
{
    ds_model *m = load("copula3");
    tally t;
    run(m, 0, N_DRAWS, &t);
    check_p("P(all three below the median)", t.deals, t.n,
            0.125 + (asin(0.5) + asin(0.3) + asin(-0.2)) / (4 * M_PI));
    for (size_t a = 0; a < 3; a++)
        check_p("approves", t.ap[a], t.ev[a], 0.5);
    ds_model_free(m);
}
