/*
 * scenario_build.c - ds_scenario_build: check a parsed scenario against every
 * rule of SPEC §2-§4 and turn it into an immutable ds_model.  Every problem
 * is reported (SPEC §4: all of them, not only the first) as
 * "FILE: error: PATH: MESSAGE"; a model is returned only when there was none.
 *
 * Each key is checked as its row of the format table says, by the generic
 * walk of scenario_check.c.  This file holds what a row cannot say: the
 * rules that rows name (the format version, D̄ > 0, the shared elasticity,
 * the adjustment that goes with a long-run elasticity, default strategies,
 * one decider, role-specific keys).
 */
#include "scenario_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/dist.h"
#include "dealsim/model.h"

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

/* -------------------------------------- rules a row cannot express */

void ds_scn_rule_after(ds_scn_ctx *c, const ds_fmt_field *f, void *base,
                       int status)
{
    ds_model *m = c->m;
    size_t o;
    switch (f->rule) {
    case DS_FMT_RULE_VERSION: {
        /* A version out of the row's range is one this dealsim cannot read
         * (status > 0: the key is given and integral). */
        double x;
        if (status <= 0)
            break;
        x = cJSON_GetObjectItemCaseSensitive(c->root, f->name)->valuedouble;
        if (!(x >= ds_fmt_lo(&f->range) && x <= ds_fmt_hi(&f->range))) {
            o = ds_scn_path_key(&c->path, f->name);
            ds_scn_err(c,
                       "unsupported format version %.0f (this dealsim reads "
                       "%d)",
                       x, DS_FORMAT_VERSION);
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    case DS_FMT_RULE_MEAN:
        /* §5.2: D̄, the analytic mean of baseline_deficit, must be > 0 (and
         * finite: every score divides by it). */
        if (status > 0) {
            char v[40];
            m->baseline_mean = ds_dist_mean(at(base, f->off));
            o = ds_scn_path_key(&c->path, f->name);
            if (!(m->baseline_mean > 0))
                ds_scn_err(c, "its mean must be > 0 (SPEC §5.2), got %s",
                           ds_scn_num(v, sizeof v, m->baseline_mean));
            else if (isinf(m->baseline_mean))
                /* A lognormal's mean grows as exp(sigma^2 / 2), beyond
                 * what it draws within DS_REACH_SD. */
                ds_scn_err(c,
                           "its mean must be a finite number (SPEC §5.2), got "
                           "inf");
            ds_scn_path_pop(&c->path, o);
        }
        break;
    case DS_FMT_RULE_ELASTICITY: {
        /* §3.1: the top-level elasticity is required when some line (an
         * object) has none of its own; the message names the first. */
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(c->root, f->name);
        const char *needy = NULL;
        for (const cJSON *e = cJSON_IsArray(l) ? l->child : NULL; e && !needy;
             e = e->next) {
            if (!cJSON_IsObject(e) ||
                cJSON_GetObjectItemCaseSensitive(e, "elasticity"))
                continue;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            needy = cJSON_IsString(id) && ds_scn_id_ok(id->valuestring)
                        ? id->valuestring
                        : "";
        }
        if (needy && !cJSON_GetObjectItemCaseSensitive(c->root, "elasticity")) {
            o = ds_scn_path_key(&c->path, "elasticity");
            ds_scn_err(
                c,
                "missing required key (line '%s' has no elasticity of its "
                "own)",
                needy);
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    case DS_FMT_RULE_ADJUSTMENT: {
        /* §3.1: adjustment is required when any elasticity_long is given
         * (top level or a line, an object); the message names where. */
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(c->root, "lines");
        const char *line = NULL;
        int top = cJSON_GetObjectItemCaseSensitive(c->root, "elasticity_long") != NULL;
        if (status != 0)
            break;
        for (const cJSON *e = cJSON_IsArray(l) ? l->child : NULL; e && !line && !top;
             e = e->next) {
            if (!cJSON_IsObject(e) ||
                !cJSON_GetObjectItemCaseSensitive(e, "elasticity_long"))
                continue;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
            line = cJSON_IsString(id) && ds_scn_id_ok(id->valuestring)
                       ? id->valuestring
                       : "";
        }
        if (!top && !line)
            break;
        o = ds_scn_path_key(&c->path, f->name);
        if (top)
            ds_scn_err(c, "missing required key (elasticity_long is given)");
        else if (line[0])
            ds_scn_err(c,
                       "missing required key (line '%s' has an "
                       "elasticity_long)",
                       line);
        else
            ds_scn_err(c,
                       "missing required key (a line has an elasticity_long)");
        ds_scn_path_pop(&c->path, o);
        break;
    }
    case DS_FMT_RULE_EXTENSION: {
        /* §3.1: rounds + extension.rounds <= DS_MAX_ROUNDS (each in its own
         * range already; an invalid one was reported and is not summed). */
        const ds_protocol *p = &m->protocol;
        if (status <= 0 || p->rounds < 1 || p->extension.rounds < 1 ||
            p->rounds + p->extension.rounds <= DS_MAX_ROUNDS)
            break;
        o = ds_scn_path_key(&c->path, f->name);
        ds_scn_path_key(&c->path, "rounds");
        ds_scn_err(c,
                   "rounds + extension.rounds must be <= %d, got %d + %d",
                   DS_MAX_ROUNDS, p->rounds, p->extension.rounds);
        ds_scn_path_pop(&c->path, o);
        break;
    }
    case DS_FMT_RULE_STRATEGIES:
        /* §3.1, §5.5: no strategies key = one strategy per package, of the
         * same id and label, offering it in every round. */
        if (status == 0) {
            m->strategies =
                ds_scn_calloc(c, m->n_packages, sizeof *m->strategies);
            if (!m->strategies)
                return;
            m->n_strategies = m->n_packages;
            for (size_t i = 0; i < m->n_packages; i++) {
                ds_strategy *s = &m->strategies[i];
                const ds_package *p = &m->packages[i];
                s->id = p->id ? ds_scn_strdup(c, p->id) : NULL;
                s->label = p->label ? ds_scn_strdup(c, p->label) : NULL;
                s->offers = ds_scn_calloc(c, 1, sizeof *s->offers);
                if (s->offers) {
                    s->n_offers = 1;
                    s->offers[0] = i;
                }
            }
        }
        break;
    case DS_FMT_RULE_DECIDER: {
        /* §3: at most one decider; the model keeps its index. */
        ds_actor *a = base;
        if (status > 0 && a->role == DS_ROLE_DECIDER) {
            o = ds_scn_path_key(&c->path, f->name);
            if (c->decider_seen)
                ds_scn_err(c, "at most one decider (already '%s')",
                           c->decider_id);
            else {
                c->decider_seen = 1;
                c->decider_id = a->id ? a->id : "?";
                m->decider = (int)(a - m->actors);
            }
            ds_scn_path_pop(&c->path, o);
        }
        break;
    }
    default: break;
    }
}

/* §3.1: a key of the other role is an error; the keys of the element's
 * role (or of both, when the role is not valid) are checked as usual. */
static void rule_role(ds_scn_ctx *c, const ds_fmt_field *fields, void *elem,
                      const cJSON *e)
{
    const char *role = NULL;
    for (const ds_fmt_field *g = fields; g->name; g++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, g->name);
        if (!(g->flags & DS_FMT_GATE) || !cJSON_IsString(r))
            continue;
        for (const ds_fmt_choice *ch = g->choices; ch->name; ch++)
            if (strcmp(ch->name, r->valuestring) == 0)
                role = ch->name;
    }
    for (const ds_fmt_field *g = fields; g->name; g++) {
        if (!g->only || !role || strcmp(g->only, role) == 0 ||
            !cJSON_GetObjectItemCaseSensitive(e, g->name))
            continue;
        size_t o = ds_scn_path_key(&c->path, g->name);
        if (strcmp(role, "decider") == 0)
            ds_scn_err(c, "not allowed on the decider (members only)");
        else
            ds_scn_err(c, "not allowed on a member (decider only)");
        ds_scn_path_pop(&c->path, o);
    }
    for (const ds_fmt_field *g = fields; g->name; g++)
        if (g->only && (!role || strcmp(g->only, role) == 0))
            ds_scn_walk_field(c, e, g, elem);
}

void ds_scn_rule_elem(ds_scn_ctx *c, const ds_fmt_field *list, void *elem,
                      const cJSON *e)
{
    if (list->rule == DS_FMT_RULE_ROLE)
        rule_role(c, list->sub, elem, e);
}

/* ---------------------------------------------------------------- build */

int ds_scenario_build(const ds_scenario *s, ds_model **out, ds_report *rep)
{
    ds_scn_ctx ctx, *c = &ctx;
    ds_model *m;
    int rc;

    *out = NULL;
    memset(c, 0, sizeof *c);
    c->file = s->file;
    c->rep = rep;
    c->root = s->root;
    m = c->m = calloc(1, sizeof *m);
    if (!m) {
        ds_report_nomem(rep, s->file);
        return DS_ENOMEM;
    }
    m->decider = -1; /* set by DS_FMT_RULE_DECIDER */
    ds_scn_check(c);
    ds_scn_check_done(c);
    if (c->nomem) {
        ds_report_nomem(rep, s->file);
        rc = DS_ENOMEM;
        goto fail;
    }
    if (c->n_err || s->n_dup) {
        rc = DS_EINVAL;
        goto fail;
    }
    rc = ds_scn_prepare(m);
    if (rc != DS_OK) {
        ds_report_nomem(rep, s->file);
        goto fail;
    }
    *out = m;
    return DS_OK;
fail:
    ds_model_free(m);
    return rc;
}
