/* SPDX-License-Identifier: BSD-3-Clause
 *
 * extragradient: look ahead x~ = P(x + H F(x)), then step from x with the look-ahead
 * field, x+ = P(x + H F(x~)). R(z) = 1 + z + z^2.
 */
#include "gd_impl.h"

#include <stdlib.h>
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
    (void)t;
    return GD_OK;
}

/* I + H J(x~) (I + H J(x)), x~ the look-ahead point */
static int extragradient_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int n = s->dim, rc;
    size_t nn = (size_t)n * (size_t)n;
    double *A = malloc(sizeof(double) * 2 * nn), *B = A ? A + nn : NULL, *xt = s->w[1];
    if (!A) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    memcpy(xt, x, sizeof(double) * (size_t)n);
    if ((rc = gd_eval(s, x, s->w[0])) == GD_OK) gd_axpy_player(s, xt, 1.0, s->w[0], 0, n);
    if (rc == GD_OK) rc = gd_model_jacobian_ws(s->model, s->ws, x, A);
    if (rc == GD_OK) rc = gd_model_jacobian_ws(s->model, s->ws, xt, B);
    if (rc == GD_OK) {
        gd_substep_jacobian(s, A, 1.0, 0, n, A); /* A = I + H J(x) */
        gd_matmul(n, B, A, M);                   /* M = J(x~) A */
        gd_substep_jacobian(s, M, 1.0, 0, n, M); /* M = I + H J(x~) A */
    }
    free(A);
    return rc;
}

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_extragradient = {
    .name = "extragradient",
    .summary = "extragradient: x~ = x + H F(x), x+ = x + H F(x~)",
    .order = 1,
    .fixed_step = 1,
    .keys = keys,
    .step = extragradient_step,
    .map_jacobian = extragradient_map_jacobian,
};
