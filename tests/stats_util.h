/*
 * stats_util.h - a model of only the shape the statistics read, for tests
 * of stats.c.  Header-only.
 */
#ifndef DS_TEST_STATS_UTIL_H
#define DS_TEST_STATS_UTIL_H

#include <string.h>

#include "dealsim/model.h"

/* ns strategies, nt third parties, na actors, D-bar dbar, `rounds` rounds
 * before any extension; everything else zero. */
static inline ds_model stats_shape_model(size_t ns, size_t nt, size_t na, double dbar,
                                         int rounds)
{
    ds_model m;
    memset(&m, 0, sizeof m);
    m.n_strategies = ns;
    m.n_third = nt;
    m.n_actors = na;
    m.baseline_mean = dbar;
    m.protocol.rounds = rounds;
    return m;
}

#endif
