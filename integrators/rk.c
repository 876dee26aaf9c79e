/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Explicit Runge-Kutta methods from Butcher tableaux: heun (RK2) and rk4. One stage
 * loop serves every tableau; per-player rates scale each row by its own step.
 */
#include "gd_impl.h"

#include <complex.h>
#include <stdlib.h>
#include <string.h>

#define RK_MAX_STAGES 4

/* Tableaux whose stage points use only the previous stage's field, Y_1 = x and
 * Y_{i+1} = P(x + H sub_i K_i) (heun and rk4 are of this form), so each stage is one
 * evaluation folded into one pass: K_i = F(Y_i) gives Y_{i+1} and the running sum. */
typedef struct {
    int stages;
    double sub[RK_MAX_STAGES]; /* a_{i+1,i} */
    double b[RK_MAX_STAGES];
} tableau;

static const tableau heun_tab = {2, {1}, {0.5, 0.5}};
static const tableau rk4_tab = {4, {0.5, 0.5, 1}, {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0}};

/* x+ = P(x + H sum_i b_i K_i), the sum taken in stage order as a running sum (w[1]), the
 * stage points in w[0]; for one state or a block of cells. */
static int rk_advance(gd_lane *L, double *x, const tableau *tab)
{
    double *Y = L->w[0], *acc = L->w[1];
    const double *at = x;
    int last = tab->stages - 1, rc = GD_OK;
    for (int i = 0; i < last && rc == GD_OK; i++, at = Y) {
        const gd_stage st = {.out = Y, .base = x, .a = tab->sub[i], .acc = acc, .c = tab->b[i], .acc_from_base = i == 0};
        rc = gd_lane_stage(L, at, &st, 0, L->dim);
    }
    if (rc != GD_OK) return rc;
    const gd_stage fin = {.out = x, .base = acc, .a = tab->b[last]};
    return gd_lane_stage(L, at, &fin, 0, L->dim);
}

/* Chain rule through the stages: K_i = J(Y_i) dY_i/dx with dY_{i+1}/dx = I + sub_i H K_i
 * (the projection's derivative taken as the identity), M = I + H sum_i b_i K_i. */
static int rk_map_jacobian(gd_stepper *s, const double *x, double *M, const tableau *tab)
{
    int n = s->dim, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *K = malloc(sizeof(double) * (nn * 3 + (size_t)n)), *J = K + nn, *A = J + nn, *Y = A + nn;
    if (!K) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    memcpy(Y, x, sizeof(double) * (size_t)n);
    for (size_t e = 0; e < nn; e++) A[e] = M[e] = (e % (size_t)(n + 1)) == 0;
    for (int i = 0; i < tab->stages && rc == GD_OK; i++) {
        if ((rc = gd_stepper_jacobian(s, Y, J)) != GD_OK) break;
        gd_matmul(n, J, A, K);
        for (size_t e = 0; e < nn; e++) M[e] += tab->b[i] * s->hv[e / (size_t)n] * K[e];
        if (i + 1 == tab->stages) break;
        /* the next stage point, as rk_advance makes it, and its derivative I + sub H K */
        if ((rc = gd_lane_euler(&s->lane, Y, x, Y, tab->sub[i], 0, n)) != GD_OK) break;
        gd_substep_jacobian(s, K, tab->sub[i], 0, n, A);
    }
    free(K);
    return rc;
}

/* The tableau's stability polynomial R(z) = 1 + z sum_i b_i k_i, k_1 = 1,
 * k_{i+1} = 1 + sub_i z k_i: the chain of rk_map_jacobian with J(Y_i) = J at a fixed point. */
static int rk_amplify(double zr, double zi, double *mr, double *mi, const tableau *tab)
{
    double complex z = (zr + I * zi), k = 1, sum = 0;
    for (int i = 0; i < tab->stages; i++) {
        sum += tab->b[i] * k;
        if (i + 1 < tab->stages) k = 1 + tab->sub[i] * z * k;
    }
    double complex mu = 1 + z * sum;
    *mr = creal(mu), *mi = cimag(mu);
    return 1;
}

static int heun_advance(gd_lane *L, double *x) { return rk_advance(L, x, &heun_tab); }
static int rk4_advance(gd_lane *L, double *x) { return rk_advance(L, x, &rk4_tab); }
static int heun_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &heun_tab); }
static int rk4_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &rk4_tab); }
static int heun_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    (void)s;
    return rk_amplify(zr, zi, mr, mi, &heun_tab);
}
static int rk4_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    (void)s;
    return rk_amplify(zr, zi, mr, mi, &rk4_tab);
}

const gd_integrator_type gd_integrator_heun = {
    .name = "heun",
    .summary = "Heun's method (explicit trapezoid, RK2)",
    .order = 2,
    .fixed_step = 1,
    .advance = heun_advance,
    .map_jacobian = heun_map_jacobian,
    .amplify = heun_amplify,
};

const gd_integrator_type gd_integrator_rk4 = {
    .name = "rk4",
    .summary = "classical four-stage Runge-Kutta",
    .order = 4,
    .fixed_step = 1,
    .advance = rk4_advance,
    .map_jacobian = rk4_map_jacobian,
    .amplify = rk4_amplify,
};
