/* SPDX-License-Identifier: BSD-3-Clause
 *
 * optimistic gradient descent-ascent (OGD): x_{n+1} = x_n + 2 H F(x_n) - H F(x_{n-1}).
 * The previous field value is part of the state; a reset sets it to F(x_0), so the first
 * step is an Euler step (integrators.md, [proposed]).
 */
#include "gd_impl.h"

#include <stdlib.h>

static int ogd_init(gd_stepper *s)
{
    s->priv = calloc((size_t)s->dim, sizeof(double));
    return s->priv ? GD_OK : gd_stepper_fail(s, GD_ENOMEM, "out of memory");
}

static int ogd_reset(gd_stepper *s, const double *x0) { return gd_eval(s, x0, s->priv); }

static int ogd_step(gd_stepper *s, double *x, double *t)
{
    double *prev = s->priv, *v = s->w[0], *d = s->w[1];
    int rc = gd_eval(s, x, v);
    if (rc != GD_OK) return rc;
    for (int i = 0; i < s->dim; i++) {
        d[i] = 2 * v[i] - prev[i];
        prev[i] = v[i];
    }
    gd_axpy_player(s, x, 1.0, d, 0, s->dim);
    *t += s->o.h;
    return GD_OK;
}

static void ogd_free(gd_stepper *s) { free(s->priv); }

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_optimistic = {
    .name = "optimistic",
    .summary = "optimistic GDA: x+ = x + 2 H F(x) - H F(x_prev); first step uses F(x_prev) = F(x0)",
    .order = 1,
    .fixed_step = 1,
    .keys = keys,
    .init = ogd_init,
    .reset = ogd_reset,
    .step = ogd_step,
    .free = ogd_free,
};
