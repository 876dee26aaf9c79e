/* SPDX-License-Identifier: BSD-3-Clause
 *
 * simgd: simultaneous gradient descent-ascent, explicit Euler x+ = P(x + H F(x)) with
 * H = diag(lr_g on generator rows, lr_d on discriminator rows).
 */
#include "gd_impl.h"

/* The rule, for one state or a block of sweep cells. */
static int simgd_advance(gd_lane *L, double *x) { return gd_lane_euler(L, x, x, x, 1.0, 0, L->dim); }

/* A model with its own discrete map (the kernel GAN's exact discriminator) steps itself. */
static int simgd_step(gd_stepper *s, double *x, double *t)
{
    int done, rc = gd_model_gda_step(s, x, GD_PLAYERS_SIMULTANEOUS, &done);
    (void)t;
    return done || rc != GD_OK ? rc : simgd_advance(&s->lane, x);
}

/* I + H J(x) */
static int simgd_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int rc = gd_stepper_jacobian(s, x, M);
    if (rc == GD_OK) gd_substep_jacobian(s, M, 1.0, 0, s->dim, M);
    return rc;
}

/* mu = 1 + z */
static int simgd_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    (void)s;
    *mr = 1 + zr, *mi = zi;
    return 1;
}

const gd_integrator_type gd_integrator_simgd = {
    .name = "simgd",
    .summary = "simultaneous gradient descent-ascent (explicit Euler): x+ = x + H F(x)",
    .order = 1,
    .fixed_step = 1,
    .advance = simgd_advance,
    .step = simgd_step,
    .map_jacobian = simgd_map_jacobian,
    .amplify = simgd_amplify,
};
