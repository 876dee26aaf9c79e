/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Your own game and your own update rule, at run time: describe it in a struct of callbacks
 * (in the style of GSL's gsl_odeiv2_system), register it, and every command and analysis
 * takes it by name exactly as a built-in one ([model] name = NAME): run, eig (its Jacobian,
 * or central differences of its field), rate, portrait, sweep (batched when it gives a batched
 * field, cell by cell otherwise), critical. The built-in `linear` model is defined through
 * this door (models/linear.c); the richer built-ins keep the library's internal method table
 * (src/gd_impl.h) for what a game here cannot express: piecewise-smooth fields with switching
 * surfaces, per-thread scratch, model-specific output datasets, mode spectra, own maps.
 *
 * A plugin is a shared library that registers games or rules from one entry point,
 *     GD_PLUGIN_EXPORT int gandyn_plugin_init(int abi_version, char *msg);
 * which gd_plugin_load (the CLI's --plugin FILE, a config's [model] plugin = FILE) calls
 * once with the library's GD_ABI_VERSION; it returns 0 or the failed registration's code
 * with the reason in msg (GD_ERRMSG_LEN bytes). examples/plugin/ is one, docs/tutorial.md
 * builds one step by step.
 *
 * Callbacks take plain C types only, so that foreign function interfaces (Python's ctypes,
 * numba's cfunc) can provide them. Every callback receives the configured option struct
 * (`opts`, read-only) and the registered `user_data`. Return codes: 0 success; > 0 a
 * recoverable failure (CVODE retries with a smaller step; other integrators stop the
 * trajectory); < 0 a fatal failure (the trajectory or sweep cell stops, recorded as
 * GD_FAIL_RHS, "RHS_FAILURE", with a message naming the callback, its code and the state).
 * A field that returns NaN or infinity is not a failure: the state becomes non-finite and the
 * trajectory is recorded as diverged ("non_finite"), as for the built-in models.
 * gd_model_setup evaluates the callbacks once, at the game's equilibrium (else at
 * (1, ..., 1), the default start), and refuses a game whose callbacks fail or return a
 * non-finite value there.
 *
 * Threads: callbacks of a set-up game are called from several threads at once (sweeps), each
 * with its own x and v, unless the game sets GD_GAME_SERIAL: then every sweep runs on the
 * calling thread alone (a program that drives steppers from threads of its own keeps such a
 * game to one of them). A Python callable must set it.
 */
#ifndef GANDYN_GAME_H
#define GANDYN_GAME_H

#include "gandyn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The layout of gd_game and gd_rule. A struct whose abi_version differs from the library's
 * is refused at registration (rebuild the plugin against the installed headers). */
#define GD_ABI_VERSION 2 /* 2: gd_game.step_batch */
/* Bytes of the message buffers (msg) of the functions below. */
#define GD_ERRMSG_LEN 512
/* The callbacks may not run concurrently (Python callables): sweeps take one thread. */
#define GD_GAME_SERIAL 1u

#if defined(__GNUC__)
#define GD_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define GD_PLUGIN_EXPORT
#endif

/* ---------------------------------------------------------------- games --------
 * State x of dim coordinates, the first ngen the generator's (descending the loss), the rest
 * the discriminator's (ascending it). */
/* v = F(x) = (-grad_theta L, +grad_psi L). */
typedef int (*gd_game_field_fn)(int dim, const double *x, double *v, const void *opts, void *user);
/* J = dF/dx at x, row-major dim x dim. */
typedef int (*gd_game_jacobian_fn)(int dim, const double *x, double *J, const void *opts, void *user);
/* Jw = J(x) w without forming J (CVODE's Krylov solver on large states). */
typedef int (*gd_game_jvp_fn)(int dim, const double *x, const double *w, double *Jw, const void *opts, void *user);
/* The equilibrium the analyses linearise at and outcomes are measured against; GD_ENOTAVAIL
 * (-5) when this configuration has none known (Newton then searches from the start). */
typedef int (*gd_game_equilibrium_fn)(int dim, double *x, const void *opts, void *user);
/* A constraint other than a box, applied in place after every update. */
typedef void (*gd_game_project_fn)(int dim, double *x, const void *opts, void *user);
/* Check the options (the struct of opts_size bytes, filled from the key table) and derive
 * what the game needs: *dim and *ngen (preset to the struct's dim and ngen), and any value
 * kept in the option struct after the keys. Non-zero: the configuration is refused with the
 * one line written into msg (GD_ERRMSG_LEN bytes; empty: a generic line). */
typedef int (*gd_game_setup_fn)(void *opts, int *dim, int *ngen, char *msg, void *user);
/* Release what setup kept in the option struct (called before the next setup and at free,
 * after every setup call, successful or not). */
typedef void (*gd_game_cleanup_fn)(void *opts, void *user);
/* The field on a block of n states in structure-of-arrays form: coordinate k of state i at
 * x[k*n + i], v likewise; p[j*n + i] is state i's value of batch_params[j] (the configured
 * value where a sweep does not vary it: p is NULL only for a game without batch_params). A pure function of its arguments; GD_ENOTAVAIL for
 * configurations it does not cover (sweeps then go cell by cell). v never overlaps x or p:
 * declared restrict, the three let a compiler vectorise the loop without run-time overlap
 * checks (gcc gives up on a loop with many of them and runs it scalar). An exp in the loop:
 * gd_exp_fast from <gandyn/vecmath.h>, inline, keeps it vector code without -ffast-math's
 * call into libmvec per vector; a logistic 1/(1 + e^-s), gd_sigmoid_fast, at half the cost. */
typedef int (*gd_game_field_batch_fn)(int n, int dim, const double *p, const double *x, double *v, const void *opts, void *user);
/* One explicit (sub-)step on a block of sweep cells, for gd_game.step_batch: for each cell i
 * and each row k in [row0, row1), with v = F at cell i of `at` (structure of arrays, as in
 * field_batch),
 *     out[k*n + i] = base[k*n + i] + a h_k[i] v_k,   h_k = hg for k < ngen, hd after,
 * clipped into [lo[k], hi[k]] when clip is not 0, and out = base for a cell whose frozen[i] is
 * not 0 (a diverged cell of the sweep). The other rows of out are not written. out may be the
 * same array as base and as at: a cell reads all of its state before it writes. */
typedef struct gd_game_update {
    double *out;
    const double *base;
    double a;
    const double *hg, *hd; /* the cells' generator and discriminator steps */
    const double *frozen;
    const double *lo, *hi; /* the game's box, dim entries each (+-INFINITY: unbounded) */
    int clip;              /* 0 when no coordinate is bounded (a loop may skip the clipping) */
    int ngen, row0, row1;
} gd_game_update;

/* Whether a stage is plain: a = 1 and no box (simgd's and extragradient's stages), where the
 * update is one multiply-add; whether it writes row k. */
static inline int gd_game_update_plain(const gd_game_update *u) { return u->a == 1 && !u->clip; }
static inline int gd_game_update_writes(const gd_game_update *u, int k) { return u->row0 <= k && k < u->row1; }

/* Row k of an update, resolved once before the loop over cells (its step, its bounds). */
typedef struct gd_game_row {
    double *out;
    const double *base, *h, *frozen;
    double a, lo, hi;
} gd_game_row;

static inline gd_game_row gd_game_update_row(const gd_game_update *u, int n, int k)
{
    const size_t at = (size_t)k * (size_t)n;
    const gd_game_row r = {u->out + at, u->base + at, k < u->ngen ? u->hg : u->hd, u->frozen, u->a, u->lo[k], u->hi[k]};
    return r;
}

/* Cell i's new value of the row from its field value v: gd_game_update's rule. PLAIN is a
 * constant in each copy of the loop (1 where gd_game_update_plain holds: the scale and the
 * clipping drop out). The row is taken by value: once inlined, its fields are values a
 * compiler keeps in registers, and nothing depends on a scalar condition (gcc 12 vectorises
 * no such loop). */
static inline double gd_game_row_value(const gd_game_row r, int i, double v, int PLAIN)
{
    const double b = r.base[i];
    if (PLAIN) return r.frozen[i] != 0 ? b : b + r.h[i] * v;
    const double x = b + r.a * r.h[i] * v;
    return r.frozen[i] != 0 ? b : x < r.lo ? r.lo : x > r.hi ? r.hi : x; /* unbounded: no change */
}

/* Optional, for speed: the field and the update of one plain stage in one pass (the field's
 * values need not be stored; gd_game_row_value gives the new ones; bench/plugins/dirac_gp.c
 * has an example). Batched sweeps call it for the stages of simgd, altgd, symplectic_euler,
 * extragradient and leapfrog and for Runge-Kutta's last (heun, rk4: a = b_s); other stages
 * (optimistic's history, Runge-Kutta's sums, momentum's buffer, the adaptive rules) and
 * gradient noise take field_batch and then the update. It must give field_batch's numbers
 * followed by that update, to rounding. p as in field_batch; GD_ENOTAVAIL: the two
 * separately. */
typedef int (*gd_game_step_batch_fn)(int n, int dim, const double *p, const double *at, const gd_game_update *u, const void *opts,
                                     void *user);

typedef struct gd_game {
    int abi_version;             /* GD_ABI_VERSION */
    const char *name;            /* [model] name = NAME: letters, digits, '_' and '-' */
    const char *summary;         /* one line for gandyn list (NULL: none) */
    int dim, ngen;               /* fixed sizes, or the presets a setup callback may change */
    /* Its model.* keys (key == NULL ends; NULL: none) at offsets into an option struct of
     * opts_size bytes, of the C type the row's type stores: GD_P_DOUBLE a double (NaN for an
     * empty value with GD_PF_EMPTY), GD_P_INT a long, GD_P_ENUM an int (the index of the
     * choice), GD_P_STRING a char * (the library's copy, freed with the model). */
    const gd_param *params;
    size_t opts_size;
    gd_game_setup_fn setup;      /* optional */
    gd_game_cleanup_fn cleanup;  /* optional */
    gd_game_field_fn field;      /* required */
    gd_game_jacobian_fn jacobian;         /* optional: else central differences of the field */
    gd_game_jvp_fn jvp;                   /* optional: else a difference of the field along w */
    gd_game_equilibrium_fn equilibrium;   /* optional: else none known */
    const double *lo, *hi;       /* optional box (dim entries each, +-INFINITY: unbounded); the
                                  * state is clipped into it after every update */
    gd_game_project_fn project;  /* optional constraint beyond a box (sweeps then go cell by cell) */
    gd_game_field_batch_fn field_batch; /* optional, for batched sweeps (a box or no constraint) */
    const char *const *batch_params;    /* NULL-terminated names of double keys that field_batch
                                         * takes per cell (NULL: none); they may not move the
                                         * equilibrium, which batched sweeps measure against */
    void *user_data;             /* passed to every callback */
    unsigned flags;              /* GD_GAME_SERIAL */
    gd_game_step_batch_fn step_batch;   /* optional, with field_batch: a stage in one pass */
} gd_game;

/* Register the game under its name for every later gd_sim_setup, gd_model_type_find and
 * gandyn list (at most 256 models and 256 integrators in all, the built-ins included). What the struct points to is copied (name, summary, key table, box, batch
 * names); the callbacks and user_data must stay valid for the life of the process. GD_OK, or
 * GD_EUSAGE with one line in msg (may be NULL; GD_ERRMSG_LEN bytes) for: a NULL game or field,
 * another abi_version, a missing or malformed name, a name already registered, dim < 1, ngen
 * outside 0..dim, a key table that does not fit opts_size or whose defaults fail their own
 * checks, a batch parameter that is not a double key of the table, lo > hi; GD_ENOMEM. A game
 * stays registered for the life of the process. Registration is serialised, but is not to run
 * while other threads look types up or iterate gd_model_types(): register first. */
GD_EXPORT int gd_model_register(const gd_game *game, char *msg);

/* ---------------------------------------------------------------- rules --------
 * A fixed-step update rule: one iteration x+ = step(x) on one state, reading the game only
 * through `field` (and `jacobian`) with the context it was given. hg and hd are the
 * generator's and the discriminator's steps (integrator.lr_g, lr_d, default h), applied to
 * coordinates 0..ngen-1 and ngen..dim-1. Such a rule reads integrator.h, lr_g, lr_d and
 * steps plus its own keys; the state is projected onto the game's constraint after each step;
 * sweeps run it cell by cell; eig, sweeps and critical take its one-iteration Jacobian from
 * map_jacobian, else from central differences of step. */
typedef int (*gd_rule_field_fn)(void *ctx, const double *x, double *v);
typedef int (*gd_rule_jacobian_fn)(void *ctx, const double *x, double *J);
typedef int (*gd_rule_step_fn)(int dim, int ngen, double hg, double hd, double *x, gd_rule_field_fn field, void *ctx, const void *opts,
                               void *user);
/* M = d step(x) / dx, row-major dim x dim. */
typedef int (*gd_rule_map_jacobian_fn)(int dim, int ngen, double hg, double hd, const double *x, double *M, gd_rule_field_fn field,
                                       gd_rule_jacobian_fn jacobian, void *ctx, const void *opts, void *user);

typedef struct gd_rule {
    int abi_version;              /* GD_ABI_VERSION */
    const char *name;             /* [integrator] name = NAME */
    const char *summary;
    int order;                    /* classical order (>= 1), for gandyn list */
    const gd_param *params;       /* its own integrator.* keys beyond h, lr_g, lr_d, steps (NULL: none) */
    size_t opts_size;
    gd_rule_step_fn step;         /* required */
    gd_rule_map_jacobian_fn map_jacobian; /* optional */
    void *user_data;
    unsigned flags;               /* GD_GAME_SERIAL */
} gd_rule;

/* As gd_model_register, for integrators (a NULL step, order < 1, a key that another rule
 * has with another meaning: a key of the shared table or of a built-in rule is refused). */
GD_EXPORT int gd_integrator_register(const gd_rule *rule, char *msg);

/* ---------------------------------------------------------------- plugins ------
 * Load the shared library at path (a path without '/' is taken relative to the working
 * directory, not searched for) and call its gandyn_plugin_init. A library already loaded is
 * not loaded again (GD_OK). GD_EUSAGE with one line in msg (GD_ERRMSG_LEN bytes, may be NULL)
 * when the file is missing, is not a shared library (or lacks a symbol it needs), has no
 * entry point, or its entry point fails (another ABI, a name already registered, ...) or
 * registers nothing; whatever such a plugin registered is removed and the library unloaded.
 * Not to run while other threads use the registry. */
GD_EXPORT int gd_plugin_load(const char *path, char *msg);
/* The path of the plugin that registered the type as it was given to gd_plugin_load; NULL
 * for the built-in types, those a program registered itself, and NULL types. Written as
 * [model] plugin into the configuration of every output file, so that it can be run again. */
GD_EXPORT const char *gd_model_type_plugin(const gd_model_type *t);
GD_EXPORT const char *gd_integrator_type_plugin(const gd_integrator_type *t);

/* The plugin's entry point (defined by the plugin, not by the library). */
GD_PLUGIN_EXPORT int gandyn_plugin_init(int abi_version, char *msg);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_GAME_H */
