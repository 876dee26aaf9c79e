/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Gradient noise ([noise], docs/optimizers.md "Gradient noise"): every field evaluation
 * inside a base step of a lane rule returns F(x) + sigma xi. xi comes from Philox4x32-10
 * (src/philox.h) keyed by the seed at the counter (j, stage + 256 start, iteration, cell),
 * so a trajectory's noise depends on those numbers alone, never on which thread, rank or
 * block of cells computes it. The noise is added where the lane evaluates its field
 * (gd_lane_field), once for every rule.
 */
#include "gd_impl.h"
#include "philox.h"
#include "sim_impl.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

static const char *const bools[] = {"false", "true", NULL};
#define N(f) offsetof(gd_noise_opts, f)
static const gd_param noise_params[] = {
    {"sigma", GD_P_DOUBLE, N(sigma), "0", "gradient noise: every field evaluation of a fixed-step rule returns F(x) + sigma xi, xi ~ N(0, I) (0: none)", 0,
     INFINITY, 0, NULL},
    {"seed", GD_P_STRING, N(seed), "0", "gradient noise: the generator's key, an integer in [0, 2^64)", 0, 0, 0, NULL},
    {"reuse", GD_P_ENUM, N(reuse), "false", "gradient noise: true draws once per base step and every evaluation of the step reuses it", 0, 0, 0, bools},
    {"replicas", GD_P_INT, N(replicas), "1000", "rate with noise: trajectories whose mean is followed", 1, 1e7, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef N
const gd_section gd_section_noise = {"noise", noise_params, sizeof(gd_noise_opts), offsetof(gd_sim, noise)};

int gd_noise_resolve(const gd_noise_opts *o, gd_noise *out, char *msg)
{
    const char *t = o->seed;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t, &end, 10);
    if (t[0] < '0' || t[0] > '9' || *end || errno == ERANGE)
        return gd_fmt(msg, GD_EUSAGE, "noise.seed = '%s' is not an integer in [0, 2^64)", t);
    *out = (gd_noise){o->sigma, (uint64_t)v, o->reuse};
    return GD_OK;
}

/* sigma xi of one state (cell, start) at the lane's counter into v (stride n). */
static void add_draws(const gd_lane *L, double *v, size_t n, uint32_t stage, long cell, long start)
{
    const gd_noise *o = L->noise.o;
    const uint32_t key[2] = {(uint32_t)o->seed, (uint32_t)(o->seed >> 32)};
    uint32_t ctr[4] = {0, stage + 256u * (uint32_t)start, (uint32_t)L->noise.step, (uint32_t)cell}, w[4];
    double z[2];
    for (int j = 0; 2 * j < L->dim; j++) {
        ctr[0] = (uint32_t)j;
        gd_philox4x32_10(ctr, key, w);
        gd_philox_normal_pair(w, z);
        v[(size_t)(2 * j) * n] += o->sigma * z[0];
        if (2 * j + 1 < L->dim) v[(size_t)(2 * j + 1) * n] += o->sigma * z[1];
    }
}

int gd_lane_noise_add(gd_lane *L, double *v)
{
    gd_lane_noise *z = &L->noise;
    const int stage = z->o && z->o->reuse ? 0 : z->stage;
    if (stage > 255) return GD_EUSAGE; /* the counter's stage field; the stepper names it */
    if (z->fixed) {
        for (int k = 0; stage < z->nfixed && k < L->dim; k++) v[k] += z->fixed[(size_t)stage * (size_t)L->dim + (size_t)k];
    } else {
        for (int i = 0; i < L->n; i++)
            add_draws(L, v + i, (size_t)L->n, (uint32_t)stage, z->cells ? z->cells[i] : z->cell, z->starts ? z->starts[i] : z->start);
    }
    z->stage++;
    return GD_OK;
}

int gd_stepper_set_noise(gd_stepper *s, const gd_noise *n)
{
    s->noise = *n;
    if (!(n->sigma > 0)) return GD_OK;
    if (!s->type->fixed_step)
        return gd_stepper_fail(s, GD_EUSAGE, "noise.sigma > 0 with integrator '%s': gradient noise needs a fixed-step rule", s->type->name);
    if (!s->type->advance)
        return gd_stepper_fail(s, GD_EUSAGE, "noise.sigma > 0 with integrator '%s': only the explicit lane rules take gradient noise", s->type->name);
    return GD_OK;
}

void gd_stepper_noise_index(gd_stepper *s, long cell, long start)
{
    s->lane.noise.cell = cell;
    s->lane.noise.start = start;
}
