/* SPDX-License-Identifier: BSD-3-Clause
 *
 * extragradient: look ahead x~ = P(x + H F(x)), then step from x with the look-ahead
 * field, x+ = P(x + H F(x~)). R(z) = 1 + z + z^2.
 */
#include "gd_impl.h"

#include <string.h>

static int extragradient_step(gd_stepper *s, double *x, double *t)
{
    double *v = s->w[0], *xt = s->w[1];
    int rc = gd_eval(s, x, v);
    if (rc != GD_OK) return rc;
    memcpy(xt, x, sizeof(double) * (size_t)s->dim);
    gd_axpy_player(s, xt, 1.0, v, 0, s->dim);
    rc = gd_eval(s, xt, v);
    if (rc != GD_OK) return rc;
    gd_axpy_player(s, x, 1.0, v, 0, s->dim);
    *t += s->o.h;
    return GD_OK;
}

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_extragradient = {
    .name = "extragradient",
    .summary = "extragradient: x~ = x + H F(x), x+ = x + H F(x~)",
    .order = 1,
    .fixed_step = 1,
    .keys = keys,
    .step = extragradient_step,
};
