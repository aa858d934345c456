/*
 * model.c - ds_model_free (see include/dealsim/model.h).  A model is made only
 * by ds_scenario_build; this frees it, including a partly built one (every
 * pointer NULL or owned, every count matching its array).
 */
#include "dealsim/model.h"

#include <stdlib.h>

void ds_model_free(ds_model *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->description);
    free(m->home_name);
    free(m->counterpart_name);
    ds_dist_free(&m->tariff_burden);
    ds_dist_free(&m->margin);
    ds_dist_free(&m->baseline_deficit);
    ds_dist_free(&m->elasticity);
    for (size_t i = 0; m->lines && i < m->n_lines; i++) {
        ds_line *l = &m->lines[i];
        free(l->id);
        ds_dist_free(&l->exports);
        ds_dist_free(&l->current);
        ds_dist_free(&l->no_deal);
        ds_dist_free(&l->deal);
        ds_dist_free(&l->elasticity);
    }
    free(m->lines);
    for (size_t k = 0; m->dims && k < m->n_dims; k++)
        free(m->dims[k]);
    free(m->dims);
    for (size_t i = 0; m->items && i < m->n_items; i++) {
        ds_item *it = &m->items[i];
        free(it->id);
        free(it->label);
        ds_dist_free(&it->deficit_effect);
        ds_dist_free(&it->cost);
        ds_dist_free(&it->delivery);
        for (size_t k = 0; it->scores && k < m->n_dims; k++)
            ds_dist_free(&it->scores[k]);
        free(it->scores);
        free(it->exposure);
    }
    free(m->items);
    for (size_t i = 0; m->packages && i < m->n_packages; i++) {
        free(m->packages[i].id);
        free(m->packages[i].label);
        free(m->packages[i].item);
        free(m->packages[i].x);
    }
    free(m->packages);
    for (size_t i = 0; m->strategies && i < m->n_strategies; i++) {
        free(m->strategies[i].id);
        free(m->strategies[i].label);
        free(m->strategies[i].offers);
    }
    free(m->strategies);
    for (size_t i = 0; m->actors && i < m->n_actors; i++) {
        ds_actor *a = &m->actors[i];
        free(a->id);
        free(a->label);
        free(a->weights);
        ds_dist_free(&a->threshold);
        ds_dist_free(&a->concession);
        free(a->champions);
    }
    free(m->actors);
    for (size_t i = 0; m->third && i < m->n_third; i++) {
        free(m->third[i].id);
        free(m->third[i].label);
        ds_dist_free(&m->third[i].cost_per_exposure);
    }
    free(m->third);
    for (size_t i = 0; m->sources && i < m->n_sources; i++) {
        free(m->sources[i].id);
        free(m->sources[i].text);
    }
    free(m->sources);
    free(m);
}
