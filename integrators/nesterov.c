/* SPDX-License-Identifier: BSD-3-Clause
 *
 * nesterov: Nesterov momentum in buffer form (docs/optimizers.md). A buffer b in field units
 * per player, zero at a start: b+ = beta b + F(x), x+ = P(x + H (F(x) + beta b+)), beta per
 * player (beta_g, beta_d). update = sim | alt (n_g, n_d, order) as for momentum, whose keys
 * it shares.
 */
#include "gd_impl.h"

/* The rule as a buffered stage: a = 1, the buffer decaying by and weighted with beta. */
static gd_stage nesterov_stage(const gd_lane *L, double *b)
{
    gd_stage st = {.a = 1.0, .mom = b};
    gd_heavy_ball_betas(L->opts, st.decay);
    st.gain[0] = st.decay[0], st.gain[1] = st.decay[1];
    if (L->cell) { /* a sweep over the betas */
        gd_heavy_ball_cell_betas(L, st.decay_c);
        st.gain_c[0] = st.decay_c[0], st.gain_c[1] = st.decay_c[1];
    }
    return st;
}

/* For one state or a block of sweep cells: the buffer is the lane's history. */
static int nesterov_advance(gd_lane *L, double *x)
{
    const gd_stage st = nesterov_stage(L, L->hist);
    return gd_lane_heavy_ball(L, x, &st, NULL);
}

/* sim: [[I + (1 + beta) HJ, beta^2 H], [J, beta I]] on (x, b); alt: the product of the
 * sub-steps'. */
static int nesterov_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    const gd_stage st = nesterov_stage(&s->lane, NULL);
    return gd_heavy_ball_map_jacobian(s, x, &st, M);
}

const gd_integrator_type gd_integrator_nesterov = {
    .name = "nesterov",
    .summary = "Nesterov momentum: b+ = beta b + F(x), x+ = x + H (F(x) + beta b+) (update = sim | alt; beta in (-1, 1))",
    .order = 1,
    .fixed_step = 1,
    .params = gd_heavy_ball_params,
    .opts_size = sizeof(gd_heavy_ball_opts),
    .history = 1,
    .history_names = gd_heavy_ball_history,
    .lane_reset = gd_lane_clear_history,
    .advance = nesterov_advance,
    .map_jacobian = nesterov_map_jacobian,
    .cell_options = 1,
};
