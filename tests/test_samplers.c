/*
 * test_samplers.c - the inline samplers give GSL's bits: ds_rng_gaussian
 * against gsl_ran_gaussian_ziggurat, ds_dist_gamma against gsl_ran_gamma,
 * and a beta or pert dist against gsl_ran_beta, each on two copies of the
 * same stream, over many streams (so the ziggurat's wedges and tail, the
 * gamma's rejections and its alpha < 1 boost all occur), checking that both
 * return the same bits and leave their streams at the same word.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dealsim/dist.h"
#include "dealsim/rng.h"

/* The same bits (a NaN would fail, as it should: none is expected). */
static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Two copies of stream s, then the next words must agree. */
static void open_pair(ds_rng *a, ds_rng *b, uint64_t s)
{
    ds_rng_open(a, ds_rng_key(7, s), s, DS_STREAM(DS_STREAM_WORLD, 0));
    ds_rng_open(b, ds_rng_key(7, s), s, DS_STREAM(DS_STREAM_WORLD, 0));
}

static void same_position(ds_rng *a, ds_rng *b, uint64_t s)
{
    cr_assert_eq(ds_rng_u32(a), ds_rng_u32(b), "stream %llu: positions differ",
                 (unsigned long long)s);
}

Test(samplers, tables_read_from_gsl)
{
    ds_rng_gaussian_init();
    ds_rng_gaussian_init(); /* twice is fine */
    int fast = 0;
    for (int i = 0; i < 128; i++)
        fast += ds_rng_zig_k[i] > 0;
    /* Every step but the base strip's has an accepted region. */
    cr_assert_geq(fast, 127);
}

Test(samplers, gaussian_is_gsl_ziggurat)
{
    ds_rng_gaussian_init();
    const double sigma[] = {1.0, 0.3, 2.5};
    int slow = 0;
    for (uint64_t s = 0; s < 200000; s++) {
        ds_rng a, b;
        open_pair(&a, &b, s);
        for (int k = 0; k < 5; k++) {
            const double sg = sigma[(s + (uint64_t)k) % 3];
            unsigned before = a.used;
            double x = ds_rng_gaussian(&a, sg);
            double y = gsl_ran_gaussian_ziggurat(ds_rng_gsl(&b), sg);
            slow += a.used != before + 1;
            cr_assert(same_bits(x, y), "stream %llu normal %d: %.17g vs %.17g",
                      (unsigned long long)s, k, x, y);
        }
        same_position(&a, &b, s);
    }
    cr_assert_gt(slow, 1000, "the wedges and the tail were reached (%d)", slow);
}

Test(samplers, gaussian_first_word)
{
    ds_rng_gaussian_init();
    int fast = 0;
    for (uint64_t s = 0; s < 100000; s++) {
        ds_rng a, b;
        double z;
        open_pair(&a, &b, s);
        uint32_t w = ds_rng_u32(&a);
        if (ds_rng_gaussian_first(w, 0.7, &z)) {
            fast++;
            cr_assert(same_bits(z, gsl_ran_gaussian_ziggurat(ds_rng_gsl(&b), 0.7)));
            same_position(&a, &b, s);
        }
    }
    cr_assert_gt(fast, 95000);
    cr_assert_lt(fast, 100000);
}

Test(samplers, gamma_is_gsl_gamma)
{
    ds_rng_gaussian_init();
    const double alpha[] = {0.05, 0.35, 0.999, 1.0, 1.2, 2.0, 3.7, 40.0};
    for (size_t i = 0; i < sizeof alpha / sizeof alpha[0]; i++)
        for (uint64_t s = 0; s < 40000; s++) {
            ds_rng a, b;
            open_pair(&a, &b, s);
            double x = ds_dist_gamma(&a, alpha[i]);
            double y = gsl_ran_gamma(ds_rng_gsl(&b), alpha[i], 1.0);
            cr_assert(same_bits(x, y), "alpha %g stream %llu: %.17g vs %.17g", alpha[i],
                      (unsigned long long)s, x, y);
            same_position(&a, &b, s);
        }
}

/* With its constants computed once (ds_gamma_init), the same variates
 * from the same words, for shapes either side of 1 (GSL's boost): 13
 * variates in a row from each stream, so that a variate's words straddle
 * the end of the buffered ones at every offset. */
Test(samplers, prepared_gamma_is_gsl_gamma)
{
    ds_rng_gaussian_init();
    const double alpha[] = {0.05, 0.35, 0.999, 1.0, 1.2, 3.7, 40.0};
    for (size_t i = 0; i < sizeof alpha / sizeof alpha[0]; i++) {
        ds_gamma g;
        ds_gamma_init(&g, alpha[i]);
        cr_assert_eq(g.boost, alpha[i] < 1);
        for (uint64_t s = 0; s < 3000; s++) {
            ds_rng a, b;
            open_pair(&a, &b, s);
            for (int n = 0; n < 13; n++) {
                double x = ds_gamma_draw(&a, &g);
                double y = gsl_ran_gamma(ds_rng_gsl(&b), alpha[i], 1.0);
                cr_assert(same_bits(x, y), "alpha %g stream %llu variate %d: %.17g vs %.17g",
                          alpha[i], (unsigned long long)s, n, x, y);
                same_position(&a, &b, s);
            }
        }
    }
}

Test(samplers, beta_and_pert_are_gsl_beta)
{
    ds_dist d[4];
    memset(d, 0, sizeof d);
    d[0].kind = DS_DIST_BETA, d[0].u.beta.a = 2, d[0].u.beta.b = 3, d[0].u.beta.max = 1;
    d[1].kind = DS_DIST_BETA, d[1].u.beta.a = 0.5, d[1].u.beta.b = 4,
    d[1].u.beta.min = 1, d[1].u.beta.max = 3;
    d[2].kind = DS_DIST_BETA, d[2].u.beta.a = 0.5, d[2].u.beta.b = 0.7, d[2].u.beta.max = 1;
    d[3].kind = DS_DIST_PERT, d[3].u.tri.min = 0.3, d[3].u.tri.mode = 0.57,
    d[3].u.tri.max = 1;
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(ds_dist_prepare(&d[i]), 0);
        double a = i == 3 ? 1 + 4 * ((0.57 - 0.3) / (1 - 0.3)) : d[i].u.beta.a;
        double b = i == 3 ? 1 + 4 * ((1 - 0.57) / (1 - 0.3)) : d[i].u.beta.b;
        double lo = i == 3 ? 0.3 : d[i].u.beta.min, hi = i == 3 ? 1 : d[i].u.beta.max;
        for (uint64_t s = 0; s < 40000; s++) {
            ds_rng ra, rb;
            open_pair(&ra, &rb, s);
            double x = ds_dist_sample(&d[i], ds_rng_gsl(&ra));
            double y = lo + (hi - lo) * gsl_ran_beta(ds_rng_gsl(&rb), a, b);
            y = y < lo ? lo : y > hi ? hi : y;
            cr_assert(same_bits(x, y), "dist %d stream %llu: %.17g vs %.17g", i,
                      (unsigned long long)s, x, y);
            same_position(&ra, &rb, s);
        }
    }
}
