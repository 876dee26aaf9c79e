/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gandyn — GAN training dynamics as ODE systems and discrete maps.
 *
 * Three layers, all behind the gd_ prefix:
 *   - gd_model:   a game field F(x) = (-grad_theta L, +grad_psi L) with its Jacobian,
 *                 chosen by name from the model registry and configured by key/value;
 *   - gd_stepper: an update rule (simgd, altgd, ..., cvode) that advances a gd_model,
 *                 chosen by name from the integrator registry;
 *   - gd_sim:     a whole run described by an INI configuration: model + integrator +
 *                 starts, written to one HDF5 file.
 * Every fallible call returns an int code (GD_OK = 0, > 0 informational, < 0 failure)
 * and leaves a one-line message on its handle (gd_*_errmsg). The library never aborts
 * and never prints.
 */
#ifndef GANDYN_H
#define GANDYN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define GD_EXPORT __attribute__((visibility("default")))
#else
#define GD_EXPORT
#endif

#define GD_VERSION "0.1.0"
#define GD_FORMAT_VERSION 1 /* HDF5 layout version, stored as attribute format_version */

/* Return codes. */
enum {
    GD_OK = 0,
    GD_DIVERGED = 1,   /* informational: the state left sweep.diverge_radius */
    GD_SECTION = 2,    /* informational: a Poincare-section crossing (cvode) */
    GD_EUSAGE = -1,    /* bad name, key or value: CLI exit status 2 */
    GD_EIO = -2,       /* file could not be read or written: exit status 1 */
    GD_ESOLVER = -3,   /* a solver failed (Newton, CVODE): exit status 1 */
    GD_ENOMEM = -4,
    GD_ENOTAVAIL = -5  /* the model lacks what was asked (no equilibrium, ...) */
};
GD_EXPORT const char *gd_strerror(int code);

/* Outcome of a trajectory or a sweep cell; the values are the HDF5 int8 coding. */
typedef enum { GD_CONVERGE = 0, GD_OSCILLATE = 1, GD_DIVERGE = 2 } gd_outcome;
GD_EXPORT const char *gd_outcome_name(gd_outcome o);

/* ---------------------------------------------------------------- parameters ----
 * Models and integrators describe their keys with the same table type; config files,
 * --set, gandyn list and the C setters all go through it. */
typedef enum { GD_P_DOUBLE, GD_P_INT, GD_P_ENUM, GD_P_STRING } gd_ptype;

typedef struct gd_param {
    const char *key;
    gd_ptype type;
    size_t offset;              /* into the owner's option struct */
    const char *def;            /* default value as text ("" = unset / derived) */
    const char *help;
    double lo, hi;              /* numeric range, inclusive unless the flags say open */
    unsigned flags;             /* GD_PF_* */
    const char *const *choices; /* GD_P_ENUM: NULL-terminated names, stored as int index */
} gd_param;

#define GD_PF_LO_OPEN 1u  /* value must be > lo */
#define GD_PF_HI_OPEN 2u  /* value must be < hi */
#define GD_PF_EMPTY 4u    /* empty text allowed (means "derived", e.g. lr_g = h) */

/* ---------------------------------------------------------------- models -------- */
typedef struct gd_model gd_model;
typedef struct gd_model_type gd_model_type;

/* Registry: NULL-terminated, in the order gandyn list prints. */
GD_EXPORT const gd_model_type *const *gd_model_types(void);
GD_EXPORT const gd_model_type *gd_model_type_find(const char *name);
GD_EXPORT const char *gd_model_type_name(const gd_model_type *t);
GD_EXPORT const char *gd_model_type_summary(const gd_model_type *t);
GD_EXPORT const gd_param *gd_model_type_params(const gd_model_type *t); /* key == NULL ends */

/* Create with every parameter at its default; NULL only when out of memory. */
GD_EXPORT gd_model *gd_model_create(const gd_model_type *t);
GD_EXPORT int gd_model_set(gd_model *m, const char *key, const char *value);
/* Validate parameters and precompute (quadrature nodes, ...). Must follow the last set. */
GD_EXPORT int gd_model_setup(gd_model *m);
GD_EXPORT const char *gd_model_errmsg(const gd_model *m);
GD_EXPORT void gd_model_free(gd_model **m);

GD_EXPORT const gd_model_type *gd_model_get_type(const gd_model *m);
GD_EXPORT int gd_model_dim(const gd_model *m);
GD_EXPORT int gd_model_ngen(const gd_model *m); /* coordinates 0..ngen-1 are the generator's */
/* v = F(x); x and v hold dim doubles, owned by the caller. */
GD_EXPORT int gd_model_field(const gd_model *m, const double *x, double *v);
/* J = dF/dx, row-major dim*dim (analytic where the model has one, else central differences). */
GD_EXPORT int gd_model_jacobian(const gd_model *m, const double *x, double *J);
GD_EXPORT int gd_model_jacobian_fd(const gd_model *m, const double *x, double *J);
/* GD_ENOTAVAIL when the model has no known equilibrium (e.g. WGAN-GP). */
GD_EXPORT int gd_model_equilibrium(const gd_model *m, double *x);
/* Apply the model's constraint (weight clipping); no-op for unconstrained models. */
GD_EXPORT void gd_model_project(const gd_model *m, double *x);
/* Box the projection keeps x in: lo[i] = -inf, hi[i] = +inf where unconstrained. */
GD_EXPORT void gd_model_bounds(const gd_model *m, double *lo, double *hi);

/* ---------------------------------------------------------------- integrators --- */
typedef struct gd_stepper gd_stepper;
typedef struct gd_integrator_type gd_integrator_type;

GD_EXPORT const gd_integrator_type *const *gd_integrator_types(void);
GD_EXPORT const gd_integrator_type *gd_integrator_type_find(const char *name);
GD_EXPORT const char *gd_integrator_type_name(const gd_integrator_type *t);
GD_EXPORT const char *gd_integrator_type_summary(const gd_integrator_type *t);
GD_EXPORT int gd_integrator_type_order(const gd_integrator_type *t); /* 0: variable (cvode) */
GD_EXPORT int gd_integrator_type_is_fixed_step(const gd_integrator_type *t);
/* The integrator.* keys this update rule reads, NULL-terminated. */
GD_EXPORT const char *const *gd_integrator_type_keys(const gd_integrator_type *t);
/* All integrator.* keys (shared by every integrator, as in the config contract). */
GD_EXPORT const gd_param *gd_integrator_params(void);

/* The stepper borrows the model; the model must outlive it. */
GD_EXPORT gd_stepper *gd_stepper_create(const gd_integrator_type *t, const gd_model *m);
GD_EXPORT int gd_stepper_set(gd_stepper *s, const char *key, const char *value);
GD_EXPORT int gd_stepper_setup(gd_stepper *s);
/* Start a trajectory at time 0 from x0 (projected); clears history (optimistic). */
GD_EXPORT int gd_stepper_reset(gd_stepper *s, const double *x0);
/* Advance x in place by one iteration (fixed step) or one output interval
 * t_end/steps (cvode); *t is updated. GD_DIVERGED when |x| passed diverge_radius. */
GD_EXPORT int gd_stepper_step(gd_stepper *s, double *x, double *t);
/* Central-difference Jacobian of one iteration over the whole state (see map_dim). */
GD_EXPORT int gd_stepper_map_jacobian_fd(gd_stepper *s, const double *x, double *M);
/* Dimension of the iteration's state: dim, or 2 dim for optimistic (state plus the
 * previous field value). */
GD_EXPORT int gd_stepper_map_dim(const gd_stepper *s);
/* Jacobian of one iteration at x (history as at a fixed point: the previous field value
 * equals F(x)), map_dim x map_dim row-major: analytic where the integrator has it, else
 * central differences over the whole state. *analytic (may be NULL) tells which. */
GD_EXPORT int gd_stepper_map_jacobian(gd_stepper *s, const double *x, double *M, int *analytic);
/* cvode only: stop at upward crossings of w.x = c (a Poincare section); gd_stepper_step
 * then returns GD_SECTION with x and t at the crossing. w NULL removes the section. */
GD_EXPORT int gd_stepper_set_section(gd_stepper *s, const double *w, double c);
GD_EXPORT long gd_stepper_get_nfev(const gd_stepper *s); /* field evaluations so far */
GD_EXPORT long gd_stepper_get_nsteps(const gd_stepper *s); /* internal steps (cvode) or iterations */
GD_EXPORT const char *gd_stepper_errmsg(const gd_stepper *s);
GD_EXPORT void gd_stepper_free(gd_stepper **s);

/* ---------------------------------------------------------------- simulations --- */
typedef struct gd_sim gd_sim;

GD_EXPORT gd_sim *gd_sim_create(void);
/* Read an INI file; keys are stored and checked at gd_sim_setup. */
GD_EXPORT int gd_sim_load(gd_sim *s, const char *path);
/* Set "section.key" to value (the --set of the CLI); later sets win. */
GD_EXPORT int gd_sim_set(gd_sim *s, const char *key, const char *value);
/* Resolve the configuration: look up model and integrator, apply and check every key. */
GD_EXPORT int gd_sim_setup(gd_sim *s);
/* Remember the command line that produced the file (root attribute "command"). */
GD_EXPORT void gd_sim_set_command(gd_sim *s, const char *command);
/* Integrate every start and write run.output (path NULL: use the config's; "" : no file).
 * The file appears atomically: on failure nothing replaces an existing file. */
GD_EXPORT int gd_sim_run(gd_sim *s, const char *path);

GD_EXPORT gd_model *gd_sim_get_model(const gd_sim *s);
GD_EXPORT gd_stepper *gd_sim_get_stepper(const gd_sim *s);
GD_EXPORT const char *gd_sim_get_output(const gd_sim *s);
/* The model's equilibrium used to classify outcomes, or NULL when it has none. */
GD_EXPORT const double *gd_sim_get_equilibrium(const gd_sim *s);
/* Full resolved configuration as INI text, owned by the sim. */
GD_EXPORT const char *gd_sim_get_config_text(const gd_sim *s);
GD_EXPORT int gd_sim_get_ntraj(const gd_sim *s);
/* Per-trajectory results after gd_sim_run; the arrays are owned by the sim. */
GD_EXPORT const double *gd_sim_get_x0(const gd_sim *s, int k);
GD_EXPORT const double *gd_sim_get_xfinal(const gd_sim *s, int k);
GD_EXPORT long gd_sim_get_steps(const gd_sim *s, int k);
GD_EXPORT double gd_sim_get_tfinal(const gd_sim *s, int k);
GD_EXPORT gd_outcome gd_sim_get_outcome(const gd_sim *s, int k);
GD_EXPORT const char *gd_sim_errmsg(const gd_sim *s);
GD_EXPORT void gd_sim_free(gd_sim **s);

/* ---------------------------------------------------------------- linear algebra */
/* Eigenvalues of the row-major n*n matrix A (LAPACK dgeev); wr, wi hold n doubles. */
GD_EXPORT int gd_eigenvalues(int n, const double *A, double *wr, double *wi);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_H */
