/* SPDX-License-Identifier: BSD-3-Clause
 *
 * leapfrog: generator half step, discriminator full step, generator half step, each
 * with the field at the latest values (a Strang splitting of the two players' updates;
 * for fields where F_theta depends on theta it is not the implicit Stormer-Verlet).
 */
#include "gd_impl.h"

static int player_step(gd_stepper *s, double *x, double scale, int player)
{
    int i0 = player ? s->ngen : 0, i1 = player ? s->dim : s->ngen;
    int rc = gd_eval(s, x, s->w[0]);
    if (rc == GD_OK) gd_axpy_player(s, x, scale, s->w[0], i0, i1);
    return rc;
}

static int leapfrog_step(gd_stepper *s, double *x, double *t)
{
    int rc = player_step(s, x, 0.5, 0);
    if (rc == GD_OK) rc = player_step(s, x, 1.0, 1);
    if (rc == GD_OK) rc = player_step(s, x, 0.5, 0);
    *t += s->o.h;
    return rc;
}

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_leapfrog = {
    .name = "leapfrog",
    .summary = "leapfrog: generator half step, discriminator full step, generator half step",
    .order = 2,
    .fixed_step = 1,
    .keys = keys,
    .step = leapfrog_step,
};
