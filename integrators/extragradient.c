/* SPDX-License-Identifier: BSD-3-Clause
 *
 * extragradient: look ahead x~ = P(x + H F(x)), then step from x with the look-ahead
 * field, x+ = P(x + H F(x~)). R(z) = 1 + z + z^2.
 */
#include "gd_impl.h"

#include <complex.h>
#include <stdlib.h>

/* x~ = P(x + H F(x)) into w[0], then x = P(x + H F(x~)); for one state or a block of cells. */
static int extragradient_advance(gd_lane *L, double *x)
{
    double *xt = L->w[0];
    int rc = gd_lane_euler(L, xt, x, x, 1.0, 0, L->dim);
    return rc == GD_OK ? gd_lane_euler(L, x, x, xt, 1.0, 0, L->dim) : rc;
}

/* I + H J(x~) (I + H J(x)), x~ the look-ahead point */
static int extragradient_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int n = s->dim, rc;
    size_t nn = (size_t)n * (size_t)n;
    double *A = malloc(sizeof(double) * 2 * nn), *B = A ? A + nn : NULL, *xt = s->w[1];
    if (!A) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    rc = gd_lane_euler(&s->lane, xt, x, x, 1.0, 0, n);
    if (rc == GD_OK) rc = gd_stepper_jacobian(s, x, A);
    if (rc == GD_OK) rc = gd_stepper_jacobian(s, xt, B);
    if (rc == GD_OK) {
        gd_substep_jacobian(s, A, 1.0, 0, n, A); /* A = I + H J(x) */
        gd_matmul(n, B, A, M);                   /* M = J(x~) A */
        gd_substep_jacobian(s, M, 1.0, 0, n, M); /* M = I + H J(x~) A */
    }
    free(A);
    return rc;
}

/* mu = 1 + z + z^2 */
static int extragradient_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    double complex z = (zr + I * zi), mu = 1 + z * (1 + z);
    (void)s;
    *mr = creal(mu), *mi = cimag(mu);
    return 1;
}

const gd_integrator_type gd_integrator_extragradient = {
    .name = "extragradient",
    .summary = "extragradient: x~ = x + H F(x), x+ = x + H F(x~)",
    .order = 1,
    .fixed_step = 1,
    .advance = extragradient_advance,
    .map_jacobian = extragradient_map_jacobian,
    .amplify = extragradient_amplify,
};
