/* SPDX-License-Identifier: BSD-3-Clause
 *
 * linear: the two-player per-mode block (docs/models/linear.md), x' = J x with
 * J = [[-a, -s], [s, -b]] on (theta, psi): a, b are the players' own damping, s the
 * coupling. Eigenvalues -(a+b)/2 +- sqrt((a-b)^2/4 - s^2). It is the test problem for
 * every integrator's order and amplification factor, and the local model of every game.
 *
 * It is written as a public game description (<gandyn/game.h>) and registered through the
 * door a user's game or plugin takes (src/registry.c), so the built-ins use it too.
 */
#include "gd_impl.h"

#include <math.h>
#include <stddef.h>

typedef struct { double a, b, s; } linear_opts;

#define O(f) offsetof(linear_opts, f)
static const gd_param linear_params[] = {
    {"a", GD_P_DOUBLE, O(a), "0", "generator damping (J11 = -a)", -INFINITY, INFINITY, 0, NULL},
    {"b", GD_P_DOUBLE, O(b), "0", "discriminator damping (J22 = -b)", -INFINITY, INFINITY, 0, NULL},
    {"s", GD_P_DOUBLE, O(s), "1", "coupling (J12 = -s, J21 = s)", -INFINITY, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

static void matrix(const linear_opts *o, double *J)
{
    J[0] = -o->a, J[1] = -o->s, J[2] = o->s, J[3] = -o->b;
}

static int linear_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    double J[4];
    matrix(opts, J);
    v[0] = J[0] * x[0] + J[1] * x[1];
    v[1] = J[2] * x[0] + J[3] * x[1];
    return GD_OK;
}

static int linear_jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)x, (void)user;
    matrix(opts, J);
    return GD_OK;
}

/* a, b, s per cell; linear, so no fast-math needed to vectorise. */
/* p is never NULL: a game with batch parameters always gets their per-cell table (game.h). */
static int linear_field_batch(int n, int dim, const double *restrict p, const double *restrict x, double *restrict v, const void *opts,
                              void *user)
{
    (void)dim, (void)opts, (void)user;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        double a = p[i], b = p[n + i], s = p[2 * n + i];
        v[i] = -a * x[i] - s * x[n + i];
        v[n + i] = s * x[i] - b * x[n + i];
    }
    return GD_OK;
}

static const char *const batch_params[] = {"a", "b", "s", NULL};

static int linear_equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return GD_OK;
}

void gd_linear_set(gd_model *m, double a, double b, double s)
{
    linear_opts *o = m->opts;
    o->a = a, o->b = b, o->s = s;
}

gd_model *gd_linear_create(double a, double b, double s)
{
    gd_model *m = gd_model_create(gd_linear_type());
    if (m) gd_linear_set(m, a, b, s), gd_model_setup(m); /* cannot fail: the block is always 2 x 2 */
    return m;
}

const gd_game gd_game_linear = {
    .abi_version = GD_ABI_VERSION,
    .name = "linear",
    .summary = "linear two-player block x' = [[-a, -s], [s, -b]] x (test problem of every integrator)",
    .dim = 2,
    .ngen = 1,
    .params = linear_params,
    .opts_size = sizeof(linear_opts),
    .field = linear_field,
    .jacobian = linear_jacobian,
    .equilibrium = linear_equilibrium,
    .field_batch = linear_field_batch,
    .batch_params = batch_params,
};
