/* SPDX-License-Identifier: BSD-3-Clause
 *
 * altgd: alternating gradient descent-ascent. One iteration is n_g generator sub-steps
 * (discriminator frozen) then n_d discriminator sub-steps (generator frozen), or the
 * reverse with order = disc_first; the projection runs after every sub-step.
 * symplectic_euler is the same rule with one sub-step each.
 */
#include "gd_impl.h"

#include <string.h>

/* The iteration as sub-steps; M (may be NULL) receives its Jacobian. */
static int alternate(gd_stepper *s, double *x, long n_g, long n_d, double *M)
{
    int first = s->o.order == GD_DISC_FIRST; /* 1: discriminator first */
    if (!M && n_g == 1 && n_d == 1) {
        int done, rc = gd_model_gda_step(s, x, first ? GD_GDA_DISC_FIRST : GD_GDA_GEN_FIRST, &done);
        if (done || rc != GD_OK) return rc;
    }
    gd_substep seq[2] = {{first, 1.0, first ? n_d : n_g}, {!first, 1.0, first ? n_g : n_d}};
    return gd_substeps(s, x, seq, 2, M);
}

extern const gd_integrator_type gd_integrator_symplectic_euler;

/* symplectic_euler is altgd with one sub-step per player, whatever n_g and n_d say. */
static long n_g_of(const gd_stepper *s) { return s->type == &gd_integrator_symplectic_euler ? 1 : s->o.n_g; }
static long n_d_of(const gd_stepper *s) { return s->type == &gd_integrator_symplectic_euler ? 1 : s->o.n_d; }

static int alt_step(gd_stepper *s, double *x, double *t)
{
    (void)t;
    return alternate(s, x, n_g_of(s), n_d_of(s), NULL);
}

static int alt_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    double *y = s->w[1];
    memcpy(y, x, sizeof(double) * (size_t)s->dim);
    return alternate(s, y, n_g_of(s), n_d_of(s), M);
}

static const char *const altgd_keys[] = {"h", "lr_g", "lr_d", "n_g", "n_d", "order", "steps", NULL};
static const char *const symplectic_keys[] = {"h", "lr_g", "lr_d", "order", "steps", NULL};

const gd_integrator_type gd_integrator_altgd = {
    .name = "altgd",
    .summary = "alternating gradient descent-ascent: n_g generator sub-steps, then n_d discriminator sub-steps (order = disc_first reverses)",
    .order = 1,
    .fixed_step = 1,
    .keys = altgd_keys,
    .step = alt_step,
    .map_jacobian = alt_map_jacobian,
};

const gd_integrator_type gd_integrator_symplectic_euler = {
    .name = "symplectic_euler",
    .summary = "symplectic Euler: altgd with one generator and one discriminator sub-step",
    .order = 1,
    .fixed_step = 1,
    .keys = symplectic_keys,
    .step = alt_step,
    .map_jacobian = alt_map_jacobian,
};
