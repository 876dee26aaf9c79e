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
    *t += s->o.h;
    return GD_OK;
}

static int heun_step(gd_stepper *s, double *x, double *t) { return rk_step(s, x, t, &heun_tab); }
static int rk4_step(gd_stepper *s, double *x, double *t) { return rk_step(s, x, t, &rk4_tab); }
static void rk_free(gd_stepper *s) { free(s->priv); }

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
};
