/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Explicit Runge-Kutta methods from Butcher tableaux: heun (RK2) and rk4. One stage
 * loop serves every tableau; per-player rates scale each row by its own step.
 */
#include "gd_impl.h"

#include <stdlib.h>
#include <string.h>

#define RK_MAX_STAGES 4

typedef struct {
    int stages;
    double a[RK_MAX_STAGES][RK_MAX_STAGES]; /* strictly lower triangular */
    double b[RK_MAX_STAGES];
} tableau;

static const tableau heun_tab = {2, {{0}, {1}}, {0.5, 0.5}};
static const tableau rk4_tab = {4, {{0}, {0.5}, {0, 0.5}, {0, 0, 1}}, {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0}};

/* Stage i's field K_i = F(Y_i) in w[i], Y_i = P(x + H sum_j a_ij K_j) (projected after each
 * term, as sub-steps are) built in w[RK_MAX_STAGES], or x itself when the stage has no terms;
 * *Y says which. */
static int rk_stage(gd_lane *L, const double *x, const tableau *tab, int i, const double **Y)
{
    *Y = x;
    for (int j = 0; j < i; j++)
        if (tab->a[i][j] != 0) {
            L->ops->axpy(L, L->w[RK_MAX_STAGES], *Y, tab->a[i][j], L->w[j], 0, L->dim, 1);
            *Y = L->w[RK_MAX_STAGES];
        }
    return L->ops->field(L, *Y, L->w[i]);
}

/* x+ = P(x + H sum_i b_i K_i), for one state or a block of cells. */
static int rk_advance(gd_lane *L, double *x, const tableau *tab)
{
    for (int i = 0; i < tab->stages; i++) {
        const double *Y;
        int rc = rk_stage(L, x, tab, i, &Y);
        if (rc != GD_OK) return rc;
    }
    for (int i = 0; i < tab->stages; i++) L->ops->axpy(L, x, x, tab->b[i], L->w[i], 0, L->dim, 0);
    L->ops->project(L, x);
    return GD_OK;
}

/* Chain rule through the stages: K_i = J(Y_i)(I + H sum_j a_ij K_j), M = I + H sum_i b_i K_i. */
static int rk_map_jacobian(gd_stepper *s, const double *x, double *M, const tableau *tab)
{
    int n = s->dim, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *K = malloc(sizeof(double) * nn * (RK_MAX_STAGES + 2)), *J = K + RK_MAX_STAGES * nn, *A = J + nn;
    if (!K) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    for (int i = 0; i < tab->stages && rc == GD_OK; i++) {
        for (size_t e = 0; e < nn; e++) A[e] = (e % (size_t)(n + 1)) == 0;
        for (int j = 0; j < i; j++)
            for (size_t e = 0; e < nn && tab->a[i][j] != 0; e++) A[e] += tab->a[i][j] * s->hv[e / (size_t)n] * K[j * nn + e];
        const double *Y;
        if ((rc = rk_stage(&s->lane, x, tab, i, &Y)) == GD_OK && (rc = gd_model_jacobian_ws(s->model, s->ws, Y, J)) == GD_OK)
            gd_matmul(n, J, A, K + i * nn);
    }
    for (size_t e = 0; e < nn && rc == GD_OK; e++) {
        M[e] = (e % (size_t)(n + 1)) == 0;
        for (int i = 0; i < tab->stages; i++) M[e] += tab->b[i] * s->hv[e / (size_t)n] * K[i * nn + e];
    }
    free(K);
    return rc;
}

static int heun_advance(gd_lane *L, double *x) { return rk_advance(L, x, &heun_tab); }
static int rk4_advance(gd_lane *L, double *x) { return rk_advance(L, x, &rk4_tab); }
static int heun_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &heun_tab); }
static int rk4_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &rk4_tab); }

const gd_integrator_type gd_integrator_heun = {
    .name = "heun",
    .summary = "Heun's method (explicit trapezoid, RK2)",
    .order = 2,
    .fixed_step = 1,
    .advance = heun_advance,
    .map_jacobian = heun_map_jacobian,
};

const gd_integrator_type gd_integrator_rk4 = {
    .name = "rk4",
    .summary = "classical four-stage Runge-Kutta",
    .order = 4,
    .fixed_step = 1,
    .advance = rk4_advance,
    .map_jacobian = rk4_map_jacobian,
};
