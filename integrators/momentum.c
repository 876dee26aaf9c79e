/* SPDX-License-Identifier: BSD-3-Clause
 *
 * momentum: heavy-ball gradient descent-ascent (docs/optimizers.md). A buffer b in field
 * units per player, zero at a start: b+ = beta b + F(x), x+ = P(x + H b+), beta per player
 * (beta_g, beta_d). update = sim takes both players from one field value; update = alt goes
 * player by player as altgd does (n_g, n_d, order), each player updating its own buffer in
 * its sub-steps. beta = 0 is simgd (sim) and altgd (alt), to the bit.
 */
#include "gd_impl.h"

/* The rule as a buffered stage: a = 0, gain 1, the buffer decaying by each player's beta. */
static gd_stage momentum_stage(const gd_lane *L, double *b)
{
    gd_stage st = {.a = 0.0, .mom = b, .gain = {1.0, 1.0}};
    gd_heavy_ball_betas(L->opts, st.decay);
    if (L->cell) gd_heavy_ball_cell_betas(L, st.decay_c); /* a sweep over the betas */
    return st;
}

/* For one state or a block of sweep cells: the buffer is the lane's history. */
static int momentum_advance(gd_lane *L, double *x)
{
    const gd_stage st = momentum_stage(L, L->hist);
    return gd_lane_heavy_ball(L, x, &st, NULL);
}

/* sim: [[I + HJ, beta H], [J, beta I]] on (x, b); alt: the product of the sub-steps'. */
static int momentum_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    const gd_stage st = momentum_stage(&s->lane, NULL);
    return gd_heavy_ball_map_jacobian(s, x, &st, M);
}

const gd_integrator_type gd_integrator_momentum = {
    .name = "momentum",
    .summary = "heavy-ball momentum: b+ = beta b + F(x), x+ = x + H b+ (update = sim | alt; beta in (-1, 1), negative allowed)",
    .order = 1,
    .fixed_step = 1,
    .params = gd_heavy_ball_params,
    .opts_size = sizeof(gd_heavy_ball_opts),
    .history = 1,
    .history_names = gd_heavy_ball_history,
    .lane_reset = gd_lane_clear_history,
    .advance = momentum_advance,
    .map_jacobian = momentum_map_jacobian,
    .cell_options = 1,
};
