/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rmsprop: v+ = beta2 v + (1 - beta2) g^2, x+ = P(x + H g / D(v+)) with g = F(x), elementwise
 * (docs/optimizers.md). State (x, v) plus the iteration count; v starts at v0. The
 * moment update is adam's without a first moment (integrators/adaptive.c).
 */
#include "adaptive.h"

static const gd_param rmsprop_params[] = {GD_ADAPTIVE_BETA2_ROW("0.99"), GD_ADAPTIVE_BIAS_ROW("false"), GD_ADAPTIVE_COMMON_ROWS,
                                          {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

/* The history, L->hist, is v. */
static int rmsprop_reset(gd_lane *L, const double *x0)
{
    (void)x0;
    gd_adaptive_reset(L, NULL, L->hist);
    return GD_OK;
}

static int rmsprop_advance(gd_lane *L, double *x) { return gd_adaptive_advance(L, x, NULL, L->hist); }

/* The frozen-v map on (x, v): [[I + H P J, 0], [2 (1 - beta2) diag(g) J, beta2 I]]. */
static int rmsprop_map_jacobian(gd_stepper *s, const double *x, double *M) { return gd_adaptive_map_jacobian(s, x, M, 0); }

static const char *const rmsprop_history[] = {"v", NULL};

const gd_integrator_type gd_integrator_rmsprop = {
    .name = "rmsprop",
    .summary = "RMSProp: v+ = beta2 v + (1 - beta2) F(x)^2, x+ = x + H F(x) / (sqrt(v+) + eps); eig: the frozen-v map",
    .order = 1,
    .fixed_step = 1,
    .params = rmsprop_params,
    .opts_size = sizeof(gd_adaptive_opts),
    .history = 1,
    .history_names = rmsprop_history,
    .init = gd_adaptive_init,
    .lane_reset = rmsprop_reset,
    .advance = rmsprop_advance,
    .map_jacobian = rmsprop_map_jacobian,
    .map_frozen = gd_adaptive_map_frozen,
    .cell_options = 1,
};
