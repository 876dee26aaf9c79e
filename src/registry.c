/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The two registries: the built-in models and integrators, then what programs and plugins
 * register at run time (<gandyn/game.h>). Config, `gandyn list`, sweeps, tests and docs
 * iterate these. Adding a built-in is one file in models/ or integrators/ plus one line in
 * builtins() below.
 *
 * The arrays have a fixed capacity, so a pointer from gd_model_types() stays valid while
 * types are added. The built-ins are added at the first use of the registry (pthread_once),
 * not by a constructor: a program that never touches it pays nothing, and the order is ours.
 */
#include "gd_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

extern const gd_model_type gd_model_dirac, gd_model_kernel_gda, gd_model_torus, gd_model_functional, gd_model_particles,
    gd_model_normal_form;
extern const gd_integrator_type gd_integrator_simgd, gd_integrator_altgd, gd_integrator_symplectic_euler, gd_integrator_extragradient,
    gd_integrator_optimistic, gd_integrator_leapfrog, gd_integrator_implicit_midpoint, gd_integrator_heun, gd_integrator_rk4,
    gd_integrator_cvode, gd_integrator_momentum, gd_integrator_nesterov, gd_integrator_adam, gd_integrator_rmsprop,
    gd_integrator_cgd;

static const gd_model_type *models[GD_REGISTRY_MAX + 1];
static const gd_integrator_type *integrators[GD_REGISTRY_MAX + 1];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const gd_model_type *linear;
static _Thread_local const char *loading; /* the plugin whose entry point runs on this thread */

/* Add t to list (n entries before the NULL) unless its name is taken. */
static int add(const void **list, const void *t, const char *name, const char *kind, const char *(*name_of)(const void *), char *msg)
{
    char own[GD_MSG_LEN];
    if (!msg) msg = own;
    pthread_mutex_lock(&lock);
    int n = 0, rc = GD_OK;
    while (list[n] && strcmp(name_of(list[n]), name) != 0) n++;
    if (list[n]) rc = gd_fmt(msg, GD_EUSAGE, "%s '%s' is already registered", kind, name);
    else if (n == GD_REGISTRY_MAX) rc = gd_fmt(msg, GD_EUSAGE, "cannot register %s '%s': the registry holds %d already", kind, name, GD_REGISTRY_MAX);
    else list[n] = t; /* list[n + 1] is NULL: the arrays start zeroed and only grow, or shrink by compaction */
    pthread_mutex_unlock(&lock);
    return rc;
}

static const char *model_name(const void *t) { return ((const gd_model_type *)t)->name; }
static const char *integrator_name(const void *t) { return ((const gd_integrator_type *)t)->name; }

int gd_registry_add_model(const gd_model_type *t, char *msg) { return add((const void **)models, t, t->name, "model", model_name, msg); }
int gd_registry_add_integrator(const gd_integrator_type *t, char *msg)
{
    return add((const void **)integrators, t, t->name, "integrator", integrator_name, msg);
}

int gd_game_register(const gd_game *g, const gd_model_type **out, char *msg)
{
    gd_model_type *t;
    int rc = gd_game_type_create(g, &t, msg);
    if (rc != GD_OK) return rc;
    if ((rc = gd_registry_add_model(t, msg)) != GD_OK) gd_game_type_free(t);
    else if (out) *out = t;
    return rc;
}

/* The built-ins, in the order gandyn list prints; linear through the public game door. A
 * failure here is a programming error (a duplicate name): the model is then missing, which
 * every registry-wide test notices. */
static void builtins(void)
{
    static const gd_integrator_type *const rules[] = {
        &gd_integrator_simgd,     &gd_integrator_altgd,    &gd_integrator_symplectic_euler,   &gd_integrator_extragradient,
        &gd_integrator_optimistic, &gd_integrator_leapfrog, &gd_integrator_implicit_midpoint, &gd_integrator_heun,
        &gd_integrator_rk4,       &gd_integrator_momentum, &gd_integrator_nesterov,         &gd_integrator_adam,
        &gd_integrator_rmsprop,   &gd_integrator_cgd,       &gd_integrator_cvode};
    gd_registry_add_model(&gd_model_dirac, NULL);
    gd_game_register(&gd_game_linear, &linear, NULL);
    gd_registry_add_model(&gd_model_kernel_gda, NULL);
    gd_registry_add_model(&gd_model_torus, NULL);
    gd_registry_add_model(&gd_model_functional, NULL);
    gd_registry_add_model(&gd_model_particles, NULL);
    gd_registry_add_model(&gd_model_normal_form, NULL);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) gd_registry_add_integrator(rules[i], NULL);
}

void gd_registry_builtins(void) { pthread_once(&once, builtins); }

const gd_model_type *gd_linear_type(void)
{
    gd_registry_builtins();
    return linear;
}

const gd_model_type *const *gd_model_types(void)
{
    gd_registry_builtins();
    return models;
}

const gd_integrator_type *const *gd_integrator_types(void)
{
    gd_registry_builtins();
    return integrators;
}

const gd_model_type *gd_model_type_find(const char *name)
{
    for (const gd_model_type *const *t = gd_model_types(); name && *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}

const gd_integrator_type *gd_integrator_type_find(const char *name)
{
    for (const gd_integrator_type *const *t = gd_integrator_types(); name && *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}

const char *gd_model_type_plugin(const gd_model_type *t) { return t ? t->plugin : NULL; }
const char *gd_integrator_type_plugin(const gd_integrator_type *t) { return t ? t->plugin : NULL; }

const char *gd_registry_loading(void) { return loading; }
void gd_registry_set_loading(const char *plugin) { loading = plugin; }

/* Drop every entry of list whose owner (by plugin) is plugin, keeping the order; freed by
 * release. */
void gd_registry_remove_plugin(const char *plugin)
{
    pthread_mutex_lock(&lock);
    int k = 0;
    for (int i = 0; models[i]; i++)
        if (models[i]->plugin == plugin) gd_game_type_free((gd_model_type *)models[i]);
        else models[k++] = models[i];
    while (models[k]) models[k++] = NULL;
    k = 0;
    for (int i = 0; integrators[i]; i++)
        if (integrators[i]->plugin == plugin) gd_rule_type_free((gd_integrator_type *)integrators[i]);
        else integrators[k++] = integrators[i];
    while (integrators[k]) integrators[k++] = NULL;
    pthread_mutex_unlock(&lock);
}
