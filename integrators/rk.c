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

static int rk_init(gd_stepper *s)
{
    s->priv = calloc((size_t)(RK_MAX_STAGES + 1) * (size_t)s->dim, sizeof(double));
    return s->priv ? GD_OK : gd_stepper_fail(s, GD_ENOMEM, "out of memory");
}

static int rk_step(gd_stepper *s, double *x, double *t, const tableau *tab)
{
    int n = s->dim;
    double *K = s->priv, *Y = K + RK_MAX_STAGES * n;
    for (int i = 0; i < tab->stages; i++) {
        memcpy(Y, x, sizeof(double) * (size_t)n);
        for (int j = 0; j < i; j++)
            if (tab->a[i][j] != 0) gd_axpy_player(s, Y, tab->a[i][j], K + j * n, 0, n);
        int rc = gd_eval(s, Y, K + i * n);
        if (rc != GD_OK) return rc;
    }
    for (int i = 0; i < tab->stages; i++) {
        for (int k = 0; k < n; k++) x[k] += tab->b[i] * s->hv[k] * K[i * n + k];
    }
    gd_model_project(s->model, x);
    (void)t;
    return GD_OK;
}

/* Chain rule through the stages: K_i = J(Y_i)(I + H sum_j a_ij K_j), M = I + H sum_i b_i K_i. */
static int rk_map_jacobian(gd_stepper *s, const double *x, double *M, const tableau *tab)
{
    int n = s->dim, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *K = malloc(sizeof(double) * nn * (RK_MAX_STAGES + 2)), *J = K + RK_MAX_STAGES * nn, *A = J + nn;
    double *Kv = s->priv, *Y = Kv + RK_MAX_STAGES * n;
    if (!K) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    for (int i = 0; i < tab->stages && rc == GD_OK; i++) {
        memcpy(Y, x, sizeof(double) * (size_t)n);
        for (size_t e = 0; e < nn; e++) A[e] = (e % (size_t)(n + 1)) == 0;
        for (int j = 0; j < i; j++) {
            if (tab->a[i][j] == 0) continue;
            gd_axpy_player(s, Y, tab->a[i][j], Kv + j * n, 0, n);
            for (size_t e = 0; e < nn; e++) A[e] += tab->a[i][j] * s->hv[e / (size_t)n] * K[j * nn + e];
        }
        if ((rc = gd_eval(s, Y, Kv + i * n)) == GD_OK && (rc = gd_model_jacobian_ws(s->model, s->ws, Y, J)) == GD_OK)
            gd_matmul(n, J, A, K + i * nn);
    }
    for (size_t e = 0; e < nn && rc == GD_OK; e++) {
        M[e] = (e % (size_t)(n + 1)) == 0;
        for (int i = 0; i < tab->stages; i++) M[e] += tab->b[i] * s->hv[e / (size_t)n] * K[i * nn + e];
    }
    free(K);
    return rc;
}

static int heun_step(gd_stepper *s, double *x, double *t) { return rk_step(s, x, t, &heun_tab); }
static int rk4_step(gd_stepper *s, double *x, double *t) { return rk_step(s, x, t, &rk4_tab); }
static void rk_free(gd_stepper *s) { free(s->priv); }
static int heun_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &heun_tab); }
static int rk4_map_jacobian(gd_stepper *s, const double *x, double *M) { return rk_map_jacobian(s, x, M, &rk4_tab); }

static const char *const keys[] = {"h", "lr_g", "lr_d", "steps", NULL};

const gd_integrator_type gd_integrator_heun = {
    .name = "heun",
    .summary = "Heun's method (explicit trapezoid, RK2)",
    .order = 2,
    .fixed_step = 1,
    .keys = keys,
    .init = rk_init,
    .step = heun_step,
    .free = rk_free,
    .map_jacobian = heun_map_jacobian,
};

const gd_integrator_type gd_integrator_rk4 = {
    .name = "rk4",
    .summary = "classical four-stage Runge-Kutta",
    .order = 4,
    .fixed_step = 1,
    .keys = keys,
    .init = rk_init,
    .step = rk4_step,
    .free = rk_free,
    .map_jacobian = rk4_map_jacobian,
};
