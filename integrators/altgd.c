/* SPDX-License-Identifier: BSD-3-Clause
 *
 * altgd: alternating gradient descent-ascent. One iteration is n_g generator sub-steps
 * (discriminator frozen) then n_d discriminator sub-steps (generator frozen), or the
 * reverse with order = disc_first; the projection runs after every sub-step.
 * symplectic_euler is the same rule with one sub-step each.
 */
#include "gd_impl.h"

#include <stddef.h>
#include <string.h>

enum { GEN_FIRST, DISC_FIRST };
typedef struct {
    long n_g, n_d;
    int order; /* GEN_FIRST | DISC_FIRST */
} alt_opts;

static const char *const orders[] = {"gen_first", "disc_first", NULL};
#define ORDER_ROW {"order", GD_P_ENUM, offsetof(alt_opts, order), "gen_first", "altgd: gen_first | disc_first", 0, 0, 0, orders}
static const gd_param altgd_params[] = {
    {"n_g", GD_P_INT, offsetof(alt_opts, n_g), "1", "altgd: generator sub-steps per iteration", 1, 1e6, 0, NULL},
    {"n_d", GD_P_INT, offsetof(alt_opts, n_d), "1", "altgd: discriminator sub-steps per iteration", 1, 1e6, 0, NULL},
    ORDER_ROW,
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
/* symplectic_euler reads the order only (its struct is altgd's, the sub-step counts unused). */
static const gd_param symplectic_params[] = {ORDER_ROW, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

/* The iteration as sub-steps, for one state or a block of sweep cells; M (may be NULL, and
 * is on a block) receives its Jacobian. */
static int alternate(gd_lane *L, double *x, long n_g, long n_d, double *M)
{
    int first = ((const alt_opts *)L->opts)->order == DISC_FIRST; /* 1: discriminator first */
    gd_substep seq[2] = {{first, 1.0, first ? n_d : n_g}, {!first, 1.0, first ? n_g : n_d}};
    return gd_lane_substeps(L, x, seq, 2, M);
}

/* symplectic_euler is altgd with one sub-step per player, whatever n_g and n_d say. */
static int alt_advance(gd_lane *L, double *x)
{
    const alt_opts *o = L->opts;
    return alternate(L, x, o->n_g, o->n_d, NULL);
}
static int symplectic_advance(gd_lane *L, double *x) { return alternate(L, x, 1, 1, NULL); }

/* With one sub-step each, a model with its own discrete map (the kernel GAN's exact
 * discriminator) steps itself. */
static int own_map(gd_stepper *s, double *x, int *done)
{
    const alt_opts *o = s->opts;
    *done = 0;
    if (s->type->advance == alt_advance && (o->n_g != 1 || o->n_d != 1)) return GD_OK;
    return gd_model_gda_step(s, x, o->order == DISC_FIRST ? GD_PLAYERS_DISC_FIRST : GD_PLAYERS_GEN_FIRST, done);
}

static int alt_step(gd_stepper *s, double *x, double *t)
{
    int done, rc = own_map(s, x, &done);
    (void)t;
    return done || rc != GD_OK ? rc : s->type->advance(&s->lane, x);
}

static int alt_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    const alt_opts *o = s->opts;
    double *y = s->w[1];
    int single = s->type->advance == symplectic_advance;
    memcpy(y, x, sizeof(double) * (size_t)s->dim);
    return alternate(&s->lane, y, single ? 1 : o->n_g, single ? 1 : o->n_d, M);
}

const gd_integrator_type gd_integrator_altgd = {
    .name = "altgd",
    .summary = "alternating gradient descent-ascent: n_g generator sub-steps, then n_d discriminator sub-steps (order = disc_first reverses)",
    .order = 1,
    .fixed_step = 1,
    .params = altgd_params,
    .opts_size = sizeof(alt_opts),
    .advance = alt_advance,
    .step = alt_step,
    .map_jacobian = alt_map_jacobian,
};

const gd_integrator_type gd_integrator_symplectic_euler = {
    .name = "symplectic_euler",
    .summary = "symplectic Euler: altgd with one generator and one discriminator sub-step",
    .order = 1,
    .fixed_step = 1,
    .params = symplectic_params,
    .opts_size = sizeof(alt_opts),
    .advance = symplectic_advance,
    .step = alt_step,
    .map_jacobian = alt_map_jacobian,
};
