/* SPDX-License-Identifier: BSD-3-Clause
 *
 * adam: m+ = beta1 m + (1 - beta1) g, v+ = beta2 v + (1 - beta2) g^2,
 * x+ = P(x + H (m+/c1) / D(v+/c2)) with g = F(x) and c = 1 - beta^k under bias correction,
 * elementwise (docs/optimizers.md). m has the field's sign (PyTorch's exp_avg is -m).
 * State (x, m, v) plus the iteration count k; m starts at 0, v at v0.
 */
#include "adaptive.h"

static const gd_param adam_params[] = {
    {"beta1", GD_P_DOUBLE, GD_ADAPTIVE_O(beta1), "0.5", "adam: first-moment decay (negative allowed)", -1, 1, GD_PF_LO_OPEN | GD_PF_HI_OPEN, NULL},
    GD_ADAPTIVE_BETA2_ROW("0.999"),
    GD_ADAPTIVE_BIAS_ROW("true"),
    GD_ADAPTIVE_COMMON_ROWS,
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

/* The history, L->hist, is m then v. */
static int adam_reset(gd_lane *L, const double *x0)
{
    (void)x0;
    gd_adaptive_reset(L, L->hist, L->hist + (size_t)L->dim * (size_t)L->n);
    return GD_OK;
}

static int adam_advance(gd_lane *L, double *x) { return gd_adaptive_advance(L, x, L->hist, L->hist + (size_t)L->dim * (size_t)L->n); }

/* The frozen-v map on (x, m, v): heavy-ball momentum beta1 with step (1 - beta1) H P on (x, m). */
static int adam_map_jacobian(gd_stepper *s, const double *x, double *M) { return gd_adaptive_map_jacobian(s, x, M, 1); }

static const char *const adam_history[] = {"m", "v", NULL};

const gd_integrator_type gd_integrator_adam = {
    .name = "adam",
    .summary = "Adam: moments m, v of F(x) with bias correction, x+ = x + H mhat / (sqrt(vhat) + eps); eig: the frozen-v map",
    .order = 1,
    .fixed_step = 1,
    .params = adam_params,
    .opts_size = sizeof(gd_adaptive_opts),
    .history = 2,
    .history_names = adam_history,
    .init = gd_adaptive_init,
    .lane_reset = adam_reset,
    .advance = adam_advance,
    .map_jacobian = adam_map_jacobian,
    .map_frozen = gd_adaptive_map_frozen,
    .cell_options = 1,
};
