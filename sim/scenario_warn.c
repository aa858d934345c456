/*
 * scenario_warn.c - the warnings of SPEC §3.1: values that are valid but
 * almost certainly a mistake of units, such as a tariff of 25 meant as 25%
 * (tariffs are fractions, so it runs as 2500%).  ds_scenario_build_warn
 * calls ds_scn_warn on the model of a scenario without errors, so every id
 * is usable, every dist checked and D̄ known; each warning is named by the
 * same path an error at that place would have ("lines.autos.no_deal").
 *
 * Adding a warning is one check in ds_scn_warn: a condition on the model
 * and a warn_at call with the path's parts and a message that names the
 * value.
 */
#include "scenario_priv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

/* SPEC §3.1: a tariff above 1 (100%) is most likely a percentage. */
#define WARN_TARIFF_MAX 1.0
/* SPEC §3.1: a line's exports above this many times the baseline deficit
 * (both means, bn/yr) are most likely in millions. */
#define WARN_EXPORTS_RATIO 10.0

/* The path parts of warn_at, NULL-terminated. */
#define PATH(...) ((const char *const[]){__VA_ARGS__, NULL})

void ds_scn_warning(ds_scn_ctx *c, const char *fmt, ...)
{
    char msg[DS_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->n_warn++;
    if (c->strict)
        ds_scn_err(c, "%s [strict]", msg);
    else if (c->warn &&
             (*ds_scn_path_text(&c->path) ? ds_report_add(c->warn, "%s: warning: %s: %s",
                                          c->file, c->path.buf, msg)
                          : ds_report_add(c->warn, "%s: warning: %s", c->file,
                                          msg)) != DS_OK)
        c->nomem = 1;
}

/* A warning at the path made of `parts` (keys and ids). */
static void warn_at(ds_scn_ctx *c, const char *const *parts, const char *fmt,
                    ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void warn_at(ds_scn_ctx *c, const char *const *parts, const char *fmt,
                    ...)
{
    char msg[DS_ERROR_MSG_MAX];
    size_t old = c->path.n;
    va_list ap;
    for (; *parts; parts++)
        ds_scn_path_key(&c->path, *parts);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ds_scn_warning(c, "%s", msg);
    ds_scn_path_pop(&c->path, old);
}

/* A number derived for a message (a percentage, a suggestion) from a
 * value as given: 15 significant digits, so 0.3 * 100 shows as 30. */
static const char *shown(char *b, size_t n, double x)
{
    snprintf(b, n, "%.15g", x);
    return b;
}

/* The same from a mean, which is shown with 6 (mean_text). */
static const char *shown6(char *b, size_t n, double x)
{
    snprintf(b, n, "%.6g", x);
    return b;
}

/* The mean of a dist for a message: the value itself when the dist is
 * constant (as given), else 6 significant digits. */
static const char *mean_text(char *b, size_t n, const ds_dist *d)
{
    double v;
    if (ds_dist_is_constant(d, &v))
        return ds_scn_num(b, n, v);
    snprintf(b, n, "%.6g", ds_dist_mean(d));
    return b;
}

/* SPEC §3.1: a tariff whose support exceeds 1.  The message names the
 * largest value the tariff can take (or, unbounded, its mean) and what it
 * would be as a percentage typed as a fraction. */
static void warn_tariff(ds_scn_ctx *c, const char *const *parts,
                        const ds_dist *d)
{
    double lo, hi, v, mean = ds_dist_mean(d);
    char a[40], b[40], p[40], q[40];
    ds_dist_support(d, &lo, &hi);
    if (!(hi > WARN_TARIFF_MAX))
        return;
    if (ds_dist_is_constant(d, &v))
        warn_at(c, parts,
                "tariff %s means %s%% (tariffs are fractions: did you mean %s "
                "for %s%%?)",
                ds_scn_num(a, sizeof a, v), shown(p, sizeof p, 100 * v),
                shown(q, sizeof q, v / 100), shown(b, sizeof b, v));
    else if (isinf(hi) && mean > WARN_TARIFF_MAX)
        warn_at(c, parts,
                "the tariff's support is unbounded above and its mean is %s, "
                "i.e. %s%% (tariffs are fractions: did you mean %s for %s%%? "
                "and give the dist a max)",
                mean_text(a, sizeof a, d), shown6(p, sizeof p, 100 * mean),
                shown6(q, sizeof q, mean / 100), shown6(b, sizeof b, mean));
    else if (isinf(hi))
        warn_at(c, parts,
                "the tariff's support is unbounded above (mean %s), so it can "
                "exceed 1, i.e. 100%%; give the dist a max",
                mean_text(a, sizeof a, d));
    else
        warn_at(c, parts,
                "the tariff's support reaches %s, i.e. %s%% (tariffs are "
                "fractions: did you mean %s for %s%%?)",
                ds_scn_num(a, sizeof a, hi), shown(p, sizeof p, 100 * hi),
                shown(q, sizeof q, hi / 100), shown(b, sizeof b, hi));
}

void ds_scn_warn(ds_scn_ctx *c)
{
    const ds_model *m = c->m;
    const double dbar = m->baseline_mean; /* D̄ > 0 (no error) */
    char a[40], b[40];

    mean_text(b, sizeof b, &m->baseline_deficit); /* D̄ in every message */
    for (size_t l = 0; l < m->n_lines; l++) {
        const ds_line *ln = &m->lines[l];
        double x0 = ds_dist_mean(&ln->exports);
        warn_tariff(c, PATH("lines", ln->id, "current"), &ln->current);
        warn_tariff(c, PATH("lines", ln->id, "no_deal"), &ln->no_deal);
        warn_tariff(c, PATH("lines", ln->id, "deal"), &ln->deal);
        if (x0 > WARN_EXPORTS_RATIO * dbar)
            warn_at(c, PATH("lines", ln->id, "exports"),
                    "mean %s bn/yr is more than %g times the baseline "
                    "deficit (mean %s bn/yr): exports are in USD billions "
                    "per year (was it given in millions?)",
                    mean_text(a, sizeof a, &ln->exports), WARN_EXPORTS_RATIO,
                    b);
    }
    for (size_t i = 0; i < m->n_items; i++) {
        const ds_item *it = &m->items[i];
        double e = ds_dist_mean(&it->deficit_effect);
        if (it->start > m->horizon)
            warn_at(c, PATH("items", it->id, "start"),
                    "year %d is after the horizon (%d year%s): the pledge never "
                    "arrives, so the item neither delivers nor costs anything",
                    it->start, m->horizon, m->horizon == 1 ? "" : "s");
        if (fabs(e) > dbar)
            warn_at(c, PATH("items", it->id, "deficit_effect"),
                    "mean %s bn/yr is larger in size than the whole baseline "
                    "deficit (mean %s bn/yr): deficit_effect is a change in "
                    "USD billions per year at intensity 1 (was it given in "
                    "millions?)",
                    mean_text(a, sizeof a, &it->deficit_effect), b);
    }
    for (size_t p = 0; p < m->n_packages; p++) {
        const ds_package *pk = &m->packages[p];
        for (size_t l = 0; l < m->n_lines; l++) {
            const ds_line *ln = &m->lines[l];
            char t[40];
            double v;
            if (!ds_package_asks(pk, l) ||
                !(ds_dist_mean(&pk->terms[l]) > ds_dist_mean(&ln->no_deal)))
                continue;
            warn_at(c, PATH("packages", pk->id, "terms", ln->id),
                    "tariff %s%s is above the line's no_deal, %s%s: accepting "
                    "the package would raise the tariff above no deal",
                    ds_dist_is_constant(&pk->terms[l], &v) ? "" : "mean ",
                    mean_text(a, sizeof a, &pk->terms[l]),
                    ds_dist_is_constant(&ln->no_deal, &v) ? "" : "mean ",
                    mean_text(t, sizeof t, &ln->no_deal));
        }
    }
}
