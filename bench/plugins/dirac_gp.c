/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench/bench_games.py: the Dirac-GAN with the GAN loss and a gradient penalty as a plugin
 * named pdirac (docs/models/dirac.md, loss = gan, reg = gp), written as a user would:
 *     F(theta, psi) = (-psi f'(theta psi), theta f'(theta psi) - gamma psi),  f'(t) = 1/(1 + e^t),
 * with gamma per cell in the batched field. Built with -O3 -march=native -ffast-math, so that
 * gcc vectorises the batched loop through glibc's vector exp (libmvec); the bench also builds
 * it without -ffast-math (scalar exp per cell) under another name, -DGAME_NAME='"..."', and
 * with -DGAME_FAST_EXP, where the batched field takes f' from gandyn's inline
 * gd_sigmoid_fast (<gandyn/vecmath.h>: 1/(1 + e^s) = sigma(-s), the built-in's own) instead of
 * libm's exp, as a plugin author may, and with -DGAME_STEP besides, where a step_batch
 * computes the field and the update in one pass.
 */
#include <gandyn/game.h>
#ifdef GAME_FAST_EXP
#include <gandyn/vecmath.h>
#define BATCH_FPRIME(s) gd_sigmoid_fast(-(s))
#else
#define BATCH_FPRIME(s) (1 / (1 + exp(s)))
#endif

#include <math.h>
#include <stddef.h>

#ifndef GAME_NAME
#define GAME_NAME "pdirac"
#endif

typedef struct { double gamma; } opts_t;

static const gd_param params[] = {
    {"gamma", GD_P_DOUBLE, offsetof(opts_t, gamma), "0.3", "weight of the gradient penalty", 0, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

static int field(int dim, const double *x, double *v, const void *opts, void *user)
{
    const opts_t *o = opts;
    (void)dim, (void)user;
    double d1 = 1 / (1 + exp(x[0] * x[1]));
    v[0] = -x[1] * d1;
    v[1] = x[0] * d1 - o->gamma * x[1];
    return 0;
}

/* f''(t) = -f'(t) (1 - f'(t)) */
static int jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    const opts_t *o = opts;
    (void)dim, (void)user;
    double th = x[0], ps = x[1], s = th * ps, d1 = 1 / (1 + exp(s)), d2 = -d1 * (1 - d1);
    J[0] = -ps * ps * d2, J[1] = -d1 - s * d2;
    J[2] = d1 + s * d2, J[3] = th * th * d2 - o->gamma;
    return 0;
}

static int equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return 0;
}

/* gamma of cell i at p[i] (never NULL: the game has a batch parameter); restrict: v never
 * overlaps x or p (game.h). exp(s) may overflow at diverging cells: 1/(1 + inf) = 0, the
 * right limit. */
static const char *const per_cell[] = {"gamma", NULL};
static int field_batch(int n, int dim, const double *restrict p, const double *restrict x, double *restrict v, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    for (int i = 0; i < n; i++) {
        double th = x[i], ps = x[n + i], d1 = BATCH_FPRIME(th * ps);
        v[i] = -ps * d1;
        v[n + i] = th * d1 - p[i] * ps;
    }
    return 0;
}

#ifdef GAME_STEP
/* With -DGAME_STEP: the field and a plain stage's update in one pass (game.h, gd_game_update),
 * as the built-in's sweep step does: the field's values go straight into the new state instead
 * of through an array that the update then reads back. ROWS (bit k: row k is updated) and
 * PLAIN are constants in each copy of the loop; out may be at (ivdep: a cell reads its own
 * state before it writes it, and no other cell's). */
static inline __attribute__((always_inline)) void step_rows(int n, const double *restrict p, const double *at, const gd_game_update *u, int ROWS,
                                                            int PLAIN)
{
    const gd_game_row r0 = gd_game_update_row(u, n, 0), r1 = gd_game_update_row(u, n, 1);
    const double *th = at, *ps = at + n; /* row pointers: with at[n + i], gcc 12 vectorises nothing */
#pragma GCC ivdep
    for (int i = 0; i < n; i++) {
        double d1 = BATCH_FPRIME(th[i] * ps[i]);
        double x0 = gd_game_row_value(r0, i, -ps[i] * d1, PLAIN), x1 = gd_game_row_value(r1, i, th[i] * d1 - p[i] * ps[i], PLAIN);
        if (ROWS & 1) r0.out[i] = x0;
        if (ROWS & 2) r1.out[i] = x1;
    }
}

static int step_batch(int n, int dim, const double *restrict p, const double *at, const gd_game_update *u, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    const int rows = gd_game_update_writes(u, 0) | gd_game_update_writes(u, 1) << 1, plain = gd_game_update_plain(u);
    if (rows == 3 && plain) step_rows(n, p, at, u, 3, 1); /* simgd, extragradient */
    else if (rows == 3) step_rows(n, p, at, u, 3, 0);
    else if (rows == 1) step_rows(n, p, at, u, 1, 0);     /* a player's sub-step: altgd, leapfrog, ... */
    else if (rows == 2) step_rows(n, p, at, u, 2, 0);
    return 0;
}
#endif

static const gd_game game = {
    .abi_version = GD_ABI_VERSION,
    .name = GAME_NAME,
    .summary = "bench: Dirac-GAN, GAN loss + gradient penalty, as a plugin",
    .dim = 2,
    .ngen = 1,
    .params = params,
    .opts_size = sizeof(opts_t),
    .field = field,
    .jacobian = jacobian,
    .equilibrium = equilibrium,
    .field_batch = field_batch,
    .batch_params = per_cell,
#ifdef GAME_STEP
    .step_batch = step_batch,
#endif
};

int gandyn_plugin_init(int abi_version, char *msg)
{
    (void)abi_version;
    return gd_model_register(&game, msg);
}
