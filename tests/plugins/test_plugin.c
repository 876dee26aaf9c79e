/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The plugins of the test suite: tests/CMakeLists.txt builds this file once per variant
 * (PLUGIN_<VARIANT>) into tests/plugins/plugin_<variant>.so.
 *   good           the game "toy" (the damped rotation theta' = -a theta - psi, psi' = theta:
 *                  eigenvalues (-a +- sqrt(a^2 - 4)) / 2) and the rule "plugin_euler"
 *                  (x+ = x + H F(x), simgd written out)
 *   late           "late": the toy's field, failing (-1) where theta > 5, NaN where theta < -5
 *   no_entry       no gandyn_plugin_init
 *   wrong_abi      a game whose struct is of another ABI
 *   duplicate      a game named "dirac"
 *   nan_field      a field that gives NaN (at the equilibrium, where setup probes it)
 *   failing_field  a field that returns -3
 *   nothing        an entry point that registers nothing
 *   partial        registers "partial_a", then fails: the library removes partial_a again
 */
#include "gandyn/game.h"

#include <math.h>
#include <stddef.h>

#ifndef PLUGIN_NO_ENTRY
typedef struct { double a; } toy_opts;
static const gd_param toy_params[] = {{"a", GD_P_DOUBLE, offsetof(toy_opts, a), "0.5", "damping of theta", 0, 10, 0, NULL},
                                      {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

static int toy_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = -((const toy_opts *)opts)->a * x[0] - x[1];
    v[1] = x[0];
#if defined(PLUGIN_NAN_FIELD)
    v[1] = NAN;
#elif defined(PLUGIN_FAILING_FIELD)
    return -3;
#elif defined(PLUGIN_LATE)
    if (x[0] < -5) v[0] = NAN;
    if (x[0] > 5) return -1;
#endif
    return 0;
}

static int toy_equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return 0;
}

static gd_game toy(const char *name)
{
    return (gd_game){.abi_version = GD_ABI_VERSION, .name = name, .summary = "test plugin: a damped rotation", .dim = 2, .ngen = 1,
                     .params = toy_params, .opts_size = sizeof(toy_opts), .field = toy_field, .equilibrium = toy_equilibrium};
}

#ifdef PLUGIN_GOOD
static int euler(int dim, int ngen, double hg, double hd, double *x, gd_rule_field_fn field, void *ctx, const void *opts, void *user)
{
    (void)opts, (void)user;
    double v[2];
    int rc = dim == 2 ? field(ctx, x, v) : -1;
    for (int i = 0; rc == 0 && i < dim; i++) x[i] += (i < ngen ? hg : hd) * v[i];
    return rc;
}
#endif

int gandyn_plugin_init(int abi_version, char *msg)
{
    (void)abi_version;
    gd_game g = toy("toy");
#if defined(PLUGIN_GOOD)
    int rc = gd_model_register(&g, msg);
    gd_rule r = {.abi_version = GD_ABI_VERSION, .name = "plugin_euler", .summary = "test plugin: explicit Euler", .order = 1, .step = euler};
    return rc ? rc : gd_integrator_register(&r, msg);
#elif defined(PLUGIN_LATE)
    g.name = "late";
#elif defined(PLUGIN_WRONG_ABI)
    g.abi_version = GD_ABI_VERSION + 1;
#elif defined(PLUGIN_DUPLICATE)
    g.name = "dirac";
#elif defined(PLUGIN_NAN_FIELD)
    g.name = "nan_field";
#elif defined(PLUGIN_FAILING_FIELD)
    g.name = "failing_field";
#elif defined(PLUGIN_NOTHING)
    return 0;
#elif defined(PLUGIN_PARTIAL)
    g.name = "partial_a";
    int rc = gd_model_register(&g, msg);
    g.name = "dirac";
    return rc ? rc : gd_model_register(&g, msg);
#endif
    return gd_model_register(&g, msg);
}
#else
int not_the_entry_point(void);
int not_the_entry_point(void) { return 0; }
#endif
