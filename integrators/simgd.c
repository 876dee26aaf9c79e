/* SPDX-License-Identifier: BSD-3-Clause
 *
 * simgd: simultaneous gradient descent-ascent, explicit Euler x+ = P(x + H F(x)) with
 * H = diag(lr_g on generator rows, lr_d on discriminator rows).
 */
#include "gd_impl.h"

static int simgd_step(gd_stepper *s, double *x, double *t)
{
    double *v = s->w[0];
    int done, rc = gd_model_gda_step(s, x, GD_GDA_SIMULTANEOUS, &done);
    if (done || rc != GD_OK) return rc;
    rc = gd_eval(s, x, v);
    if (rc != GD_OK) return rc;
    (void)t;
    gd_axpy_player(s, x, 1.0, v, 0, s->dim);
    return GD_OK;
}

/* I + H J(x) */
static int simgd_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int rc = gd_model_jacobian_ws(s->model, s->ws, x, M);
    if (rc == GD_OK) gd_substep_jacobian(s, M, 1.0, 0, s->dim, M);
    return rc;
}

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_simgd = {
    .name = "simgd",
    .summary = "simultaneous gradient descent-ascent (explicit Euler): x+ = x + H F(x)",
    .order = 1,
    .fixed_step = 1,
    .keys = keys,
    .step = simgd_step,
    .map_jacobian = simgd_map_jacobian,
};
