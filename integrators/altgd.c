/* SPDX-License-Identifier: BSD-3-Clause
 *
 * altgd: alternating gradient descent-ascent. One iteration is n_g generator sub-steps
 * (discriminator frozen) then n_d discriminator sub-steps (generator frozen), or the
 * reverse with order = disc_first; the projection runs after every sub-step.
 * symplectic_euler is the same rule with one sub-step each.
 */
#include "gd_impl.h"

/* n sub-steps of one player: player 0 owns rows [0, ngen), player 1 the rest. */
static int substeps(gd_stepper *s, double *x, int player, long n)
{
    int i0 = player ? s->ngen : 0, i1 = player ? s->dim : s->ngen;
    for (long k = 0; k < n; k++) {
        int rc = gd_eval(s, x, s->w[0]);
        if (rc != GD_OK) return rc;
        gd_axpy_player(s, x, 1.0, s->w[0], i0, i1);
    }
    return GD_OK;
}

static int alternate(gd_stepper *s, double *x, double *t, long n_g, long n_d)
{
    int first = s->o.order == GD_DISC_FIRST; /* 1: discriminator first */
    int rc = substeps(s, x, first, first ? n_d : n_g);
    if (rc == GD_OK) rc = substeps(s, x, !first, first ? n_g : n_d);
    *t += s->o.h;
    return rc;
}

static int altgd_step(gd_stepper *s, double *x, double *t) { return alternate(s, x, t, s->o.n_g, s->o.n_d); }
static int symplectic_step(gd_stepper *s, double *x, double *t) { return alternate(s, x, t, 1, 1); }

static const char *const altgd_keys[] = {"h", "lr_g", "lr_d", "n_g", "n_d", "order", "steps", NULL};
static const char *const symplectic_keys[] = {"h", "lr_g", "lr_d", "order", "steps", NULL};

const gd_integrator_type gd_integrator_altgd = {
    .name = "altgd",
    .summary = "alternating gradient descent-ascent: n_g generator sub-steps, then n_d discriminator sub-steps (order = disc_first reverses)",
    .order = 1,
    .fixed_step = 1,
    .keys = altgd_keys,
    .step = altgd_step,
};

const gd_integrator_type gd_integrator_symplectic_euler = {
    .name = "symplectic_euler",
    .summary = "symplectic Euler: altgd with one generator and one discriminator sub-step",
    .order = 1,
    .fixed_step = 1,
    .keys = symplectic_keys,
    .step = symplectic_step,
};
