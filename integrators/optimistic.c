/* SPDX-License-Identifier: BSD-3-Clause
 *
 * optimistic gradient descent-ascent (OGD): x_{n+1} = x_n + 2 H F(x_n) - H F(x_{n-1}).
 * The previous field value is part of the state; a reset sets it to F(x_0), so the first
 * step is an Euler step (this project's choice: the rule itself needs an F(x_{-1}) it lacks).
 */
#include "gd_impl.h"

#include <complex.h>
#include <stdlib.h>

/* The history, L->hist, is the previous field value. */
static int ogd_reset(gd_lane *L, const double *x0) { return L->ops->field(L, x0, L->hist); }

/* x+ = P(x + H (2 v - prev)) with v = F(x), and v kept as the next step's prev: one stage. */
static int ogd_advance(gd_lane *L, double *x)
{
    const gd_stage st = {.out = x, .base = x, .a = 2.0, .w = L->hist, .b = -1.0, .renew_w = 1};
    return gd_lane_stage(L, x, &st, 0, L->dim);
}

/* On the state (x, g) with g the previous field value: x+ = x + 2HF(x) - Hg, g+ = F(x),
 * so M = [[I + 2HJ, -H], [J, 0]] (2n x 2n). */
static int ogd_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int n = s->dim, m = 2 * n;
    double *J = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!J) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    int rc = gd_stepper_jacobian(s, x, J);
    for (int i = 0; i < n && rc == GD_OK; i++)
        for (int j = 0; j < n; j++) {
            M[i * m + j] = (i == j) + 2 * s->hv[i] * J[i * n + j];
            M[i * m + n + j] = i == j ? -s->hv[i] : 0.0;
            M[(n + i) * m + j] = J[i * n + j];
            M[(n + i) * m + n + j] = 0.0;
        }
    free(J);
    return rc;
}

/* The block [[1 + 2z, -h], [lambda, 0]] of the map on one mode: mu^2 - (1 + 2z) mu + z = 0. */
static int ogd_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    double complex z = (zr + I * zi), b = 1 + 2 * z, r = csqrt(b * b - 4 * z);
    double complex q = 0.5 * (creal(conj(b) * r) >= 0 ? b + r : b - r); /* the larger root, free of cancellation */
    double complex mu[2] = {q, q != 0 ? z / q : 0};
    (void)s;
    for (int k = 0; k < 2; k++) mr[k] = creal(mu[k]), mi[k] = cimag(mu[k]);
    return 2;
}
static const char *const optimistic_history[] = {"g_prev", NULL}; /* F at the previous iterate */

const gd_integrator_type gd_integrator_optimistic = {
    .name = "optimistic",
    .summary = "optimistic GDA: x+ = x + 2 H F(x) - H F(x_prev); first step uses F(x_prev) = F(x0)",
    .order = 1,
    .fixed_step = 1,
    .history = 1,
    .history_names = optimistic_history,
    .lane_reset = ogd_reset,
    .advance = ogd_advance,
    .map_jacobian = ogd_map_jacobian,
    .jacobian_any_history = 1,
    .amplify = ogd_amplify,
};
