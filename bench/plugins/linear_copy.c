/* SPDX-License-Identifier: BSD-3-Clause
 *
 * bench/bench_games.py: the built-in `linear` game (models/linear.c) again, as a plugin named
 * plinear: the same keys, field, Jacobian, equilibrium and batched field (a, b, s per cell),
 * so that a batched sweep of each measures what the plugin door costs and nothing else.
 */
#include <gandyn/game.h>

#include <math.h>
#include <stddef.h>

typedef struct { double a, b, s; } opts_t;

static const gd_param params[] = {
    {"a", GD_P_DOUBLE, offsetof(opts_t, a), "0", "generator damping (J11 = -a)", -INFINITY, INFINITY, 0, NULL},
    {"b", GD_P_DOUBLE, offsetof(opts_t, b), "0", "discriminator damping (J22 = -b)", -INFINITY, INFINITY, 0, NULL},
    {"s", GD_P_DOUBLE, offsetof(opts_t, s), "1", "coupling (J12 = -s, J21 = s)", -INFINITY, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

static int field(int dim, const double *x, double *v, const void *opts, void *user)
{
    const opts_t *o = opts;
    (void)dim, (void)user;
    v[0] = -o->a * x[0] - o->s * x[1];
    v[1] = o->s * x[0] - o->b * x[1];
    return 0;
}

static int jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    const opts_t *o = opts;
    (void)dim, (void)x, (void)user;
    J[0] = -o->a, J[1] = -o->s, J[2] = o->s, J[3] = -o->b;
    return 0;
}

static int equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return 0;
}

/* p is never NULL here: the game has batch parameters (game.h). restrict (v never overlaps x
 * or p) lets gcc vectorise the loop, as `#pragma omp simd` does in the built-in; without it
 * gcc counts too many possible overlaps and leaves the loop scalar (1.3x the built-in). */
static const char *const per_cell[] = {"a", "b", "s", NULL};
static int field_batch(int n, int dim, const double *restrict p, const double *restrict x, double *restrict v, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    for (int i = 0; i < n; i++) {
        double a = p[i], b = p[n + i], s = p[2 * n + i];
        v[i] = -a * x[i] - s * x[n + i];
        v[n + i] = s * x[i] - b * x[n + i];
    }
    return 0;
}

static const gd_game game = {
    .abi_version = GD_ABI_VERSION,
    .name = "plinear",
    .summary = "bench: the built-in linear game as a plugin",
    .dim = 2,
    .ngen = 1,
    .params = params,
    .opts_size = sizeof(opts_t),
    .field = field,
    .jacobian = jacobian,
    .equilibrium = equilibrium,
    .field_batch = field_batch,
    .batch_params = per_cell,
};

int gandyn_plugin_init(int abi_version, char *msg)
{
    (void)abi_version;
    return gd_model_register(&game, msg);
}
