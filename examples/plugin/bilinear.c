/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A gandyn plugin in one file: the regularised bilinear game
 *     L(theta, psi) = c theta psi + (eps/2) theta^2 - (eps/2) psi^2,
 * which the generator (theta) descends and the critic (psi) ascends. Its field is linear,
 *     theta' = -c psi - eps theta,   psi' = c theta - eps psi,
 * with eigenvalues -eps +- i c at the equilibrium (0, 0); simultaneous GDA with step h
 * multiplies |x| by rho = sqrt((1 - h eps)^2 + (h c)^2) per iteration, so it converges if
 * and only if h < 2 eps / (eps^2 + c^2).
 *
 * Build against an installed gandyn with CMakeLists.txt (find_package) or the Makefile
 * (pkg-config), then: gandyn eig /dev/null --plugin ./bilinear.so --set model.name=bilinear
 */
#include <gandyn/game.h>

#include <math.h>
#include <stddef.h>

typedef struct { double c, eps; } bilinear_opts;

static const gd_param params[] = {
    {"c", GD_P_DOUBLE, offsetof(bilinear_opts, c), "1", "coupling c of the bilinear term c theta psi", -INFINITY, INFINITY, 0, NULL},
    {"eps", GD_P_DOUBLE, offsetof(bilinear_opts, eps), "0.1", "weight eps of the regulariser (eps/2)(theta^2 - psi^2)", 0, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

/* v = (-dL/dtheta, +dL/dpsi) */
static int field(int dim, const double *x, double *v, const void *opts, void *user)
{
    const bilinear_opts *o = opts;
    (void)dim, (void)user;
    v[0] = -o->c * x[1] - o->eps * x[0];
    v[1] = o->c * x[0] - o->eps * x[1];
    return 0;
}

/* dv/dx, row-major */
static int jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    const bilinear_opts *o = opts;
    (void)dim, (void)x, (void)user;
    J[0] = -o->eps, J[1] = -o->c;
    J[2] = o->c, J[3] = -o->eps;
    return 0;
}

static int equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return 0;
}

/* The field on n sweep cells at once (theta of cell i at x[i], psi at x[n + i]), with each
 * cell's c and eps in p[i], p[n + i] (the configured values where a sweep does not vary
 * them): sweeps then run vectorised. restrict: v overlaps neither x nor p, and saying so lets
 * the compiler vectorise the loop. */
static const char *const per_cell[] = {"c", "eps", NULL};
static int field_batch(int n, int dim, const double *restrict p, const double *restrict x, double *restrict v, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    for (int i = 0; i < n; i++) {
        double c = p[i], eps = p[n + i];
        v[i] = -c * x[n + i] - eps * x[i];
        v[n + i] = c * x[i] - eps * x[n + i];
    }
    return 0;
}

static const gd_game bilinear = {
    .abi_version = GD_ABI_VERSION,
    .name = "bilinear",
    .summary = "plugin example: L = c theta psi + (eps/2)(theta^2 - psi^2)",
    .dim = 2,  /* x = (theta, psi) */
    .ngen = 1, /* coordinate 0 is the generator's */
    .params = params,
    .opts_size = sizeof(bilinear_opts),
    .field = field,
    .jacobian = jacobian,
    .equilibrium = equilibrium,
    .field_batch = field_batch,
    .batch_params = per_cell,
};

/* The entry point gandyn calls once when it loads the plugin. */
int gandyn_plugin_init(int abi_version, char *msg)
{
    (void)abi_version; /* gd_model_register compares the struct's own abi_version */
    return gd_model_register(&bilinear, msg);
}
