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
 *
 * Entry checks: every function taking a handle accepts NULL and a handle whose setup has not
 * succeeded (where it needs one) and answers GD_EUSAGE, with the message on the handle when
 * there is one; functions returning a pointer return NULL, counts -1 (GD_EUSAGE), doubles
 * NaN, predicates 0, and void functions do nothing; the message getters (gd_*_errmsg,
 * gd_model_warning) never return NULL. Getters have no side effects beyond that message.
 *
 * Results: an analysis fills a struct the caller declares, and the arrays in it belong to the
 * caller until the result's free function (gd_eig_result_free, ...). Results of several
 * analyses, or of one analysis called twice, coexist, and outlive later calls and the sim.
 *
 * This header is the core every model shares. A model's own functions are in its own header,
 * installed beside this one: <gandyn/torus.h>, <gandyn/functional.h>, <gandyn/particles.h>,
 * and the dataset estimator in <gandyn/estimate.h>. This header does not include them, so
 * that the core never depends on a model and a program names the extras it uses; each of
 * them includes this one.
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
    GD_ENOTAVAIL = -5, /* the model lacks what was asked (no equilibrium, ...) */
    GD_ECANCELED = -6  /* stopped on request (gd_sweep_cancel); a checkpoint allows resuming */
};
GD_EXPORT const char *gd_strerror(int code);

/* Outcome of a trajectory or a sweep cell; the values are the HDF5 int8 coding. */
typedef enum { GD_CONVERGE = 0, GD_OSCILLATE = 1, GD_DIVERGE = 2 } gd_outcome;
GD_EXPORT const char *gd_outcome_name(gd_outcome o);
/* Why a trajectory or sweep cell stopped early; the values are the HDF5 int8 coding of
 * /sweep/solver, the names (CVODE's flag names where CVODE failed) its labels and the
 * "solver" attribute of a /traj group. The outcome stays the classification of the state
 * reached (non_finite: diverge). */
typedef enum {
    GD_FAIL_NONE = 0,
    GD_FAIL_NONFINITE,     /* the state became NaN or infinite (overflow, NaN in the model) */
    GD_FAIL_TOO_MUCH_WORK, /* CVODE: integrator.max_steps internal steps in one interval */
    GD_FAIL_TOO_MUCH_ACC,
    GD_FAIL_ERR_TEST,      /* CVODE: repeated error-test failures */
    GD_FAIL_CONV,          /* CVODE: repeated nonlinear-solver convergence failures */
    GD_FAIL_LINEAR,        /* CVODE: linear solver setup or solve failed */
    GD_FAIL_RHS,           /* the model's field failed */
    GD_FAIL_CHATTER,       /* CVODE: too many mode switches (Zeno) */
    GD_FAIL_OTHER,
    GD_FAIL_COUNT
} gd_failure;
GD_EXPORT const char *gd_failure_name(gd_failure f);

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

/* ---------------------------------------------------------------- models --------
 * Threads. After gd_model_setup a model is read-only to every evaluation made with a
 * workspace: gd_model_field_ws, _jacobian_ws, _jvp_ws, _psolve_ws and _equilibrium_ws may
 * run at the same time from several threads on one model, each thread with its own
 * gd_model_ws, and so may steppers (each makes its own workspace at gd_stepper_setup: the
 * stepper calls are thread-safe for distinct steppers on one model). Results do not depend
 * on how many workspaces there are: the same x gives the same bits in any of them.
 * Not thread-safe: gd_model_create, _set, _setup and _free (no other call on the model
 * may run meanwhile), and every call on a model without a workspace argument
 * (gd_model_field, _jacobian, _jvp, _psolve, _equilibrium, gd_model_newton, the analyses
 * and the model-specific gd_particles_*, gd_functional_* calls): they share one workspace
 * that the model owns, so at most one of them at a time per model. Calls that only read
 * (gd_model_dim, _ngen, _default_start, _project, _bounds) are thread-safe. FFTW planning
 * inside setups is serialised by the library, so separate models can be set up in parallel. */
typedef struct gd_model gd_model;
typedef struct gd_model_type gd_model_type;
typedef struct gd_model_ws gd_model_ws;

/* Registry: NULL-terminated, in the order gandyn list prints: the built-ins, then the games
 * registered at run time by programs and plugins (<gandyn/game.h>). */
GD_EXPORT const gd_model_type *const *gd_model_types(void);
GD_EXPORT const gd_model_type *gd_model_type_find(const char *name);
GD_EXPORT const char *gd_model_type_name(const gd_model_type *t);
GD_EXPORT const char *gd_model_type_summary(const gd_model_type *t);
GD_EXPORT const gd_param *gd_model_type_params(const gd_model_type *t); /* key == NULL ends */
/* The parameters the model's batched field takes per cell (NULL-terminated; NULL: no batched
 * field). Sweeps over them, the start and the step sizes run batched. */
GD_EXPORT const char *const *gd_model_type_batch_params(const gd_model_type *t);

/* Create with every parameter at its default; NULL only when out of memory. */
GD_EXPORT gd_model *gd_model_create(const gd_model_type *t);
GD_EXPORT int gd_model_set(gd_model *m, const char *key, const char *value);
/* Validate parameters and precompute (quadrature nodes, ...). Must follow the last set. */
GD_EXPORT int gd_model_setup(gd_model *m);
GD_EXPORT const char *gd_model_errmsg(const gd_model *m);
/* After a successful setup: "" or one line on a usable but doubtful configuration
 * (torus: an under-resolved sampling grid). */
GD_EXPORT const char *gd_model_warning(const gd_model *m);
GD_EXPORT void gd_model_free(gd_model **m);

GD_EXPORT const gd_model_type *gd_model_get_type(const gd_model *m);
GD_EXPORT int gd_model_dim(const gd_model *m);
GD_EXPORT int gd_model_ngen(const gd_model *m); /* coordinates 0..ngen-1 are the generator's */
/* v = F(x); x and v hold dim doubles, owned by the caller. */
GD_EXPORT int gd_model_field(const gd_model *m, const double *x, double *v);
/* J = dF/dx, row-major dim*dim (analytic where the model has one, else central differences). */
GD_EXPORT int gd_model_jacobian(const gd_model *m, const double *x, double *J);
GD_EXPORT int gd_model_jacobian_fd(const gd_model *m, const double *x, double *J);
/* J(x) v: the model's analytic product, or a central difference of the field along v. */
GD_EXPORT int gd_model_jvp(const gd_model *m, const double *x, const double *v, double *Jv);
/* z = (I - g Jt)^{-1} r for the model's cheap approximation Jt of J (the Krylov
 * preconditioner); GD_ENOTAVAIL when the model has none. */
GD_EXPORT int gd_model_psolve(const gd_model *m, double g, const double *r, double *z);
/* The start run.x0 defaults to: the model's own (drawn particles, a perturbed grid), else
 * (1, 1, ...). */
GD_EXPORT int gd_model_default_start(const gd_model *m, double *x);
/* GD_ENOTAVAIL when the model has no known equilibrium (e.g. WGAN-GP). */
GD_EXPORT int gd_model_equilibrium(const gd_model *m, double *x);
/* Apply the model's constraint (weight clipping); no-op for unconstrained models. */
GD_EXPORT void gd_model_project(const gd_model *m, double *x);
/* Box the projection keeps x in: lo[i] = -inf, hi[i] = +inf where unconstrained. */
GD_EXPORT void gd_model_bounds(const gd_model *m, double *lo, double *hi);

/* A workspace for evaluating the model m from one thread: what the model's evaluations write
 * (transform buffers, solver iterates, caches, the last failure's message). It follows the
 * model through later setups (re-made on its next use). NULL when out of memory. */
GD_EXPORT gd_model_ws *gd_model_ws_create(const gd_model *m);
GD_EXPORT void gd_model_ws_free(gd_model_ws **ws);
/* The last failure of a call made with ws. */
GD_EXPORT const char *gd_model_ws_errmsg(const gd_model_ws *ws);
/* The calls above with the caller's workspace ws (made from m): thread-safe for distinct ws. */
GD_EXPORT int gd_model_field_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *v);
GD_EXPORT int gd_model_jacobian_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *J);
GD_EXPORT int gd_model_jvp_ws(const gd_model *m, gd_model_ws *ws, const double *x, const double *v, double *Jv);
GD_EXPORT int gd_model_psolve_ws(const gd_model *m, gd_model_ws *ws, double g, const double *r, double *z);
GD_EXPORT int gd_model_equilibrium_ws(const gd_model *m, gd_model_ws *ws, double *x);

/* ---------------------------------------------------------------- integrators --- */
typedef struct gd_stepper gd_stepper;
typedef struct gd_integrator_type gd_integrator_type;

GD_EXPORT const gd_integrator_type *const *gd_integrator_types(void);
GD_EXPORT const gd_integrator_type *gd_integrator_type_find(const char *name);
GD_EXPORT const char *gd_integrator_type_name(const gd_integrator_type *t);
GD_EXPORT const char *gd_integrator_type_summary(const gd_integrator_type *t);
GD_EXPORT int gd_integrator_type_order(const gd_integrator_type *t); /* 0: variable (cvode) */
GD_EXPORT int gd_integrator_type_is_fixed_step(const gd_integrator_type *t);
/* The vectors of the rule's state, each of the model's dimension, in the order of the map's
 * state (eig's map_dim = their count x dim): j = 0 is "x", then the rule's own ("b" for
 * momentum, "m" and "v" for adam; run.save_opt writes them as /traj/<k>/opt/NAME). NULL past the
 * last, or for NULL. */
GD_EXPORT const char *gd_integrator_type_state_name(const gd_integrator_type *t, int j);
/* The integrator.* keys every rule shares: h, lr_g, lr_d (read by the fixed-step rules)
 * and steps (key == NULL ends). */
GD_EXPORT const gd_param *gd_integrator_shared_params(void);
/* The rule's own integrator.* keys beyond the shared ones (key == NULL ends; may be empty). */
GD_EXPORT const gd_param *gd_integrator_type_params(const gd_integrator_type *t);
/* 1 when the rule reads integrator.KEY: a shared key it uses, or one of its own. */
GD_EXPORT int gd_integrator_type_reads(const gd_integrator_type *t, const char *key);

/* The stepper borrows the model; the model must outlive it. Several steppers on one set-up
 * model may run in parallel threads (each evaluates it in a workspace of its own); one
 * stepper is used by one thread at a time. */
GD_EXPORT gd_stepper *gd_stepper_create(const gd_integrator_type *t, const gd_model *m);
GD_EXPORT int gd_stepper_set(gd_stepper *s, const char *key, const char *value);
GD_EXPORT int gd_stepper_setup(gd_stepper *s);
/* Start a trajectory at time 0 from x0 (projected); clears history (optimistic). */
GD_EXPORT int gd_stepper_reset(gd_stepper *s, const double *x0);
/* Advance x in place by one iteration (fixed step) or one output interval
 * t_end/steps (cvode); *t is updated. GD_DIVERGED when |x| passed diverge_radius. */
GD_EXPORT int gd_stepper_step(gd_stepper *s, double *x, double *t);
/* Many starts at once, through the path batched sweeps take: advance n states in
 * structure-of-arrays form (coordinate k of state i at x[k*n + i]) by iters iterations of
 * the stepper's fixed-step rule, each from a fresh start (projected, history as
 * gd_stepper_reset sets it), using the model's batched field. hg, hd: per-state generator
 * and discriminator steps (NULL: the stepper's lr_g, lr_d); p: per-state values of the
 * model's batched parameters (gd_model_type_batch_params, p[j*n + i]; NULL: the model's
 * own; GD_EUSAGE where a configuration cannot vary one, as the torus's truncated flow its
 * objective's parameters, and a state's value is not the model's own). GD_ENOTAVAIL when the rule (implicit_midpoint, cvode) or the model in this
 * configuration has no batched form. No divergence test: states may grow to inf. With gradient
 * noise ([noise] of the sim the stepper belongs to) state i draws as start i. */
GD_EXPORT int gd_stepper_step_batch(gd_stepper *s, int n, double *x, const double *hg, const double *hd, const double *p, long iters);
/* Central-difference Jacobian of one iteration over the whole state (see map_dim). */
GD_EXPORT int gd_stepper_map_jacobian_fd(gd_stepper *s, const double *x, double *M);
/* Dimension of the iteration's state: dim, or 2 dim for optimistic (state plus the
 * previous field value). */
GD_EXPORT int gd_stepper_map_dim(const gd_stepper *s);
/* Jacobian of one iteration at x (history as at a fixed point: the previous field value
 * equals F(x)), map_dim x map_dim row-major: analytic where the integrator has it, else
 * central differences over the whole state. *analytic (may be NULL) tells which. */
GD_EXPORT int gd_stepper_map_jacobian(gd_stepper *s, const double *x, double *M, int *analytic);
/* One iteration of the rule's noise-free map on its whole state z = (x, history) (map_dim
 * entries, in place; the order of gd_integrator_type_state_name), the map whose Jacobian
 * gd_stepper_map_jacobian is. The stepper's iteration count stays (every call is the same
 * map, adam's bias correction included); its trajectory's history is overwritten (reset
 * before stepping again). */
GD_EXPORT int gd_stepper_map_state(gd_stepper *s, double *z);
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
/* The keys of a fixed section, "run", "sweep", "rate" or "portrait" (key == NULL ends), the
 * table config files, --set and `gandyn COMMAND --help` go through; NULL for "model" and
 * "integrator" (their keys: gd_model_type_params, gd_integrator_shared_params and
 * gd_integrator_type_params) and unknown names. */
GD_EXPORT const gd_param *gd_sim_section_params(const char *section);
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
/* Full resolved configuration as INI text, owned by the sim (NULL before a successful setup). */
GD_EXPORT const char *gd_sim_get_config_text(const gd_sim *s);
GD_EXPORT int gd_sim_get_ntraj(const gd_sim *s);
/* Per-trajectory results after gd_sim_run; the arrays are owned by the sim, until its next run
 * or gd_sim_free. For a k out of range (or no set-up sim): NULL, -1, NaN, GD_OSCILLATE,
 * GD_FAIL_NONE and "". */
GD_EXPORT const double *gd_sim_get_x0(const gd_sim *s, int k);
GD_EXPORT const double *gd_sim_get_xfinal(const gd_sim *s, int k);
GD_EXPORT long gd_sim_get_steps(const gd_sim *s, int k);
GD_EXPORT double gd_sim_get_tfinal(const gd_sim *s, int k);
/* The observed outcome of trajectory k, by the rule a sweep cell's is (README, `gandyn sweep`;
 * without a known x*: diverge or oscillate), and its measured per-iteration contraction (NaN
 * without an x*). */
GD_EXPORT gd_outcome gd_sim_get_outcome(const gd_sim *s, int k);
GD_EXPORT double gd_sim_get_rate(const gd_sim *s, int k);
/* Why trajectory k stopped early (GD_FAIL_NONE: it ran to the end or diverged cleanly),
 * and the solver's one-line message ("" when none). A failed trajectory ends the
 * trajectory, never the run. */
GD_EXPORT gd_failure gd_sim_get_failure(const gd_sim *s, int k);
GD_EXPORT const char *gd_sim_get_failure_message(const gd_sim *s, int k);
/* Solver statistics of trajectory k: field evaluations, internal steps (CVODE's own steps,
 * or iterations for fixed-step rules) and the wall time in seconds of its integration. */
GD_EXPORT long gd_sim_get_nfev(const gd_sim *s, int k);
GD_EXPORT long gd_sim_get_solver_steps(const gd_sim *s, int k);
GD_EXPORT double gd_sim_get_seconds(const gd_sim *s, int k);
GD_EXPORT const char *gd_sim_errmsg(const gd_sim *s);
GD_EXPORT void gd_sim_free(gd_sim **s);

/* ---------------------------------------------------------------- analysis ----- */
/* Damped Newton on F(x) = 0 from x0 with the model's Jacobian; message on the model
 * when it does not converge or the Jacobian is singular. */
GD_EXPORT int gd_model_newton(gd_model *m, const double *x0, double *x);
/* The model's own equilibrium when it declares one (GD_ENOTAVAIL with its reason when it
 * declares there is none), else Newton from x0. */
GD_EXPORT int gd_model_find_equilibrium(gd_model *m, const double *x0, double *x);
/* spiral_sink | node_sink | saddle | center | spiral_source | node_source | degenerate,
 * from the Jacobian's eigenvalues; |Re| <= 1e-10 scale counts as zero. */
GD_EXPORT const char *gd_fixed_point_type(int n, const double *re, const double *im, double scale);
/* converge (rho < 1 - 1e-8) | oscillate | diverge (rho > 1 + 1e-8) */
GD_EXPORT gd_outcome gd_predict_outcome(double rho);

/* For a gradient flow x' = F(x) = -grad E(x) (the particle model: E = N J): the largest and
 * smallest eigenvalues of the symmetric Hess E = -DF at x, by power iteration on J.v products
 * (the model's analytic ones, else central differences; the smallest by a shifted second
 * run) to relative change below tol or iters iterations. Gradient descent x <- x + h F is
 * locally stable for h < 2 / top (the smoothness constant's step limit). */
GD_EXPORT int gd_gradient_curvature(const gd_model *m, const double *x, int iters, double tol, double *top, double *bottom);

/* Results of the analyses below. The caller declares the struct; the analysis fills it and
 * the arrays and strings it points to belong to the caller, until the matching free function
 * releases them and zeroes the struct. On failure the struct is zeroed and holds nothing, so
 * the free function may always be called (also on a zeroed struct, and twice). Results do not
 * depend on the sim: they stay valid after later calls and after gd_sim_free. Structs without
 * arrays (gd_rate_result, gd_portrait_result, gd_critical_result) need no free. Strings that
 * name things (type, phase, integrator, outcome) are static. */

/* The curvature of a gradient flow where training goes (gandyn smoothness), for every start
 * of run.x0: at the start, at the end of a run of the configured integrator from it, and at
 * the equilibrium Newton finds from it (the model's own, when it has one); h_limit = 2 / top
 * there (at the run's end when there is none), the largest step gradient descent tolerates
 * locally, to compare with gandyn critical. The fields describe the first start; each[k]
 * start k (each[0] the same numbers; their own nstarts is 0 and each NULL). */
typedef struct gd_smoothness_result {
    double start_top, start_bottom, final_top, final_bottom;
    int has_equilibrium;
    double eq_top, eq_bottom;
    double h_limit;
    const char *outcome; /* of the run */
    int nstarts;
    struct gd_smoothness_result *each; /* nstarts */
} gd_smoothness_result;
GD_EXPORT int gd_sim_smoothness(gd_sim *s, gd_smoothness_result *out);
GD_EXPORT void gd_smoothness_result_free(gd_smoothness_result *r);

/* Spectra at the equilibrium. */
typedef struct gd_eig_result {
    int dim, map_dim;
    double *equilibrium;            /* dim */
    double *re, *im;                /* dim eigenvalues of J(x*); NaN when has_flow is 0 */
    int has_flow;                   /* 0: the model has no vector field here (a map of its own, e.g.
                                     * kernel_gda's exact representation): no flow spectrum */
    char *no_flow;                  /* why not (the model's one line), "" when has_flow */
    const char *type;               /* a fixed-point type, or "map" when has_flow is 0 */
    const char *integrator;
    double h;                       /* step; cvode: the output interval T = t_end/steps */
    double lr_g, lr_d;              /* the players' steps the map uses (fixed-step: lr_g, lr_d or h; cvode: T) */
    int map_analytic;               /* 1: analytic one-iteration Jacobian (cvode: exp(T J)); 0: FD */
    double *map_re, *map_im;        /* map_dim eigenvalues of the one-iteration map */
    double rho;                     /* spectral radius of the map */
    gd_outcome predicted;
    const char *phase;              /* the dominant map eigenvalue: monotone (real > 0) | spiral (complex) | alternating (real < 0) */
    /* Rules whose map holds their second moment fixed (adam, rmsprop; docs/optimizers.md):
     * the v it is linearised at (dim), and the field size within which that is the rule's own
     * linearisation (eps / sqrt(1 - beta2)). NULL and NaN for the other rules. */
    double *v_frozen;
    double v_radius;
    /* Field evaluations one iteration makes from x* (fixed-step rules; 0 for cvode and for a
     * model's own map), and rho^(1/evals): the contraction per evaluation, which compares rules
     * of different cost (NaN where evals is 0). */
    int evals;
    double rho_per_eval;
    /* Base-rule steps per iteration of the map (lookahead.k; 1 without lookahead) and
     * rho^(1/steps), the contraction per base step. evals counts the whole iteration. */
    long steps;
    double rho_per_step;
    /* With gradient noise (noise.sigma > 0, docs/optimizers.md "Gradient noise"): the stationary
     * covariance of the linearised noisy map X+ = M X + G xi on the extended state (map_dim x
     * map_dim, row-major), G by central differences of the implemented step in its draws
     * (noise_draws per iteration: its evaluations, 1 with noise.reuse); cov_trace its trace over
     * the model's coordinates; cov_se the standard-error factors c_ij of time averages (dim x dim;
     * NaN where the lags do not decay). NULL / NaN without noise or when rho >= 1. */
    double noise_sigma;
    int noise_draws;
    double *cov, *cov_se;
    double cov_trace;
} gd_eig_result;
GD_EXPORT int gd_sim_eig(gd_sim *s, gd_eig_result *out);
GD_EXPORT void gd_eig_result_free(gd_eig_result *r);

/* Eigenvalue locus along "KEY:LO:HI:N[:lin|log]"; the configuration is restored after. */
typedef struct gd_scan_result {
    char *key;
    int n, dim, map_dim;
    double *values;                 /* n */
    double *re, *im;                /* n x dim (NaN where no equilibrium was found) */
    double *map_re, *map_im;        /* n x map_dim */
    double *rho;                    /* n */
} gd_scan_result;
GD_EXPORT int gd_sim_eig_scan(gd_sim *s, const char *spec, gd_scan_result *out);
GD_EXPORT void gd_scan_result_free(gd_scan_result *r);
/* Write /eig, /stability (fixed-step integrators on a model with a field: spectral radius of
 * the per-mode map on a grid of z = h lambda, equal player rates, with the configured model's
 * step * lambda) and /scan (if scan != NULL). Without a flow (has_flow 0) the eig_re/eig_im
 * datasets and /stability are left out and the attribute no_flow says why. */
GD_EXPORT int gd_sim_write_eig(gd_sim *s, const char *path, const gd_eig_result *eig, const gd_scan_result *scan);
/* Spectral radius of the integrator's one-iteration map on x' = lambda x (as the real
 * block [[Re, -Im], [Im, Re]], equal player rates) at z = h lambda = re[i] + i im[j]:
 * rho[j * nre + i]. The same map-Jacobian code as gd_sim_eig. */
GD_EXPORT int gd_stability_region(const gd_stepper *like, int nre, const double *re, int nim, const double *im, double *rho);

/* Measured vs predicted rates (`gandyn rate`, README). Continuous: CVODE towards x*, amplitude and
 * phase of the slowest mode in the eigenbasis, least squares on r_lo < r < r_hi, with
 * Poincare-section returns as a cross-check. Discrete: the configured fixed-step
 * integrator, the dominant mode of the map's eigenbasis. */
typedef struct gd_rate_result {
    int has_continuous, has_discrete;
    double c_re, c_im, c_pred_re, c_pred_im; /* decay exponent and angular frequency */
    double c_poincare_re, c_poincare_im;     /* from section returns (NaN if < 2 returns) */
    int c_points, c_returns;
    double d_rho, d_angle, d_pred_rho, d_pred_angle; /* per-iteration contraction and rotation */
    int d_points;
} gd_rate_result;
GD_EXPORT int gd_sim_rate(gd_sim *s, const char *path, gd_rate_result *out);

/* Phase portrait in the plane of portrait.plane ("" path: no file): field on a grid, trajectories from a
 * lattice of starts (or run.x0), and the equilibria in the box: Newton from a grid of seeds, then (two
 * coordinates) from every cell of a finer census lattice where the field may vanish, until each such
 * cell's winding number matches the indices found in it. */
typedef struct gd_portrait_result {
    int equilibria;        /* distinct equilibria in the box */
    double index_sum;      /* their indices added: +-1 (sign det J), or a degenerate zero's winding
                            * number; NAN when one has none (a curve of zeros) */
    double index_expected; /* what the sum must be: 0 when the box is one whole period of a periodic
                            * model (Poincare-Hopf on the torus), else the field's winding number along
                            * the box; NAN when undefined: a zero on the boundary, a piecewise field
                            * (switching surfaces), or more than two coordinates (the plane then does not
                            * hold every equilibrium) */
    int whole_period;      /* the box is one whole period in both plane coordinates */
    long newton_starts;    /* Newton runs of the search */
} gd_portrait_result;
GD_EXPORT int gd_sim_portrait_census(gd_sim *s, const char *path, gd_portrait_result *out);
/* The same, returning only the number of equilibria. */
GD_EXPORT int gd_sim_portrait(gd_sim *s, const char *path, int *nequilibria);

/* The mode spectrum of a model whose linearisation splits into one 2 x 2 block per mode of a
 * spatial operator (the functional model: -Delta_p, docs/models/functional.md): the operator's
 * eigenvalues (ground_state: the model's alternative form, for the functional model from
 * H = -Delta + V), the roots s_k^+- of every mode's block, and the eigenvalues of the full
 * linear Jacobian at the equilibrium (dense; skipped, n_operator = 0, above
 * GD_SPECTRUM_OPERATOR_MAX coordinates). GD_EUSAGE for a model without modes. */
#define GD_SPECTRUM_OPERATOR_MAX 2500
typedef struct gd_spectrum_result {
    int M;                        /* modes (functional: grid points = eigenvalues of -Delta_p) */
    double *lambda;               /* M, ascending; functional: lambda[0] ~ 0 is the constant mode */
    double *root_re, *root_im;    /* M x 2: s_k^+, s_k^- */
    int slowest;                  /* k >= 1 whose s_k^+ has the largest real part */
    double rate;                  /* -Re s_slowest^+: the local convergence rate */
    int n_operator;               /* 2 M, or 0 when skipped */
    double *op_re, *op_im;        /* n_operator eigenvalues, by decreasing real part */
    double mode_gap;              /* max over operator eigenvalues of the distance to the nearest root */
} gd_spectrum_result;
GD_EXPORT int gd_sim_spectrum(gd_sim *s, int ground_state, gd_spectrum_result *out);
GD_EXPORT void gd_spectrum_result_free(gd_spectrum_result *r);
/* lambda_1 and the rate along "KEY:LO:HI:N[:lin|log]" (e.g. model.aug_t: the augmentation
 * study), with the value that maximises lambda_1 (the best sample, refined by a parabola
 * through its neighbours when interior). The configuration is restored after. */
typedef struct gd_spectrum_scan {
    char *key;
    int n, M;
    double *values, *lambda1, *rate;       /* n each */
    int best;                              /* index of the largest sampled lambda_1 */
    double best_value, best_lambda1;       /* refined */
} gd_spectrum_scan;
GD_EXPORT int gd_sim_spectrum_scan(gd_sim *s, const char *spec, int ground_state, gd_spectrum_scan *out);
GD_EXPORT void gd_spectrum_scan_free(gd_spectrum_scan *r);
/* /modes/{lambda, roots_re, roots_im, operator_re, operator_im} with attributes slowest,
 * rate, mode_gap; with a scan, /modes/scan/{values, lambda1, rate} (attributes key, best =
 * [value, lambda_1]); and the model group (grid, densities). */
GD_EXPORT int gd_sim_write_spectrum(gd_sim *s, const char *path, const gd_spectrum_result *r, const gd_spectrum_scan *scan);

/* Continuation in one parameter (`gandyn continue`, docs/bifurcations.md). From the value of
 * KEY (a numeric model.* or integrator.* key) in the configuration, pseudo-arclength steps in
 * both directions, to lo and hi exactly, trace the branch of
 *   - equilibria F(x; p) = 0 when the integrator is cvode (a flow; model keys only),
 *   - fixed points of the rule's one-iteration map Phi (fixed-step rules), or of Phi^k with
 *     continuation.period = k (rules without history; a rule with history, such as optimistic
 *     or momentum, continues its equilibria and takes the multipliers of its whole map),
 * starting from the model's equilibrium or from Newton at run.x0 (continuation.start).
 * Along it, test functions find folds (LP), branch points (BP), Hopf points (H, flows),
 * period doublings (PD) and Neimark-Sacker points (NS, maps), each located to
 * continuation.loc_tol on the arclength, with its normal-form coefficient from central
 * differences of F or of the map; a test function that stays at zero along three or more
 * points is a neutral segment (det D Phi = 1, a conservative flow), and a real pair +-k
 * (mu, 1/mu) is a neutral saddle: neither is a bifurcation. At a BP, a simple PD and the
 * 1:2 resonance (R2) of an odd map, new branches start (continuation.branches in all). */
enum {
    GD_PT_REGULAR = 0,
    GD_PT_LP,
    GD_PT_BP,
    GD_PT_H,
    GD_PT_PD,
    GD_PT_NS,
    GD_PT_NEUTRAL_SADDLE, /* reserved: neutral saddles are never reported */
    GD_PT_NEUTRAL,        /* a neutral segment */
    GD_PT_END             /* a branch's first or last point */
};
/* "regular", "LP", "BP", "H", "PD", "NS", "neutral_saddle", "neutral", "end"; "" out of range. */
GD_EXPORT const char *gd_point_type_name(int type);

typedef struct gd_branch {
    const char *kind;      /* equilibrium | fixed_point | period_k | symmetric (Phi^k(x) = -x: period 2k) | cycle (periodic
                            * orbits of a flow, continuation.cycles: x is the orbit's point x0, eig its Floquet multipliers
                            * with the trivial one first) */
    int period;            /* of the orbit (symmetric: 2k) */
    int n, dim, eig_dim;   /* points; coordinates of x; eigenvalues per point */
    double *p;             /* n */
    double *x;             /* n x dim */
    double *eig_re, *eig_im; /* n x eig_dim: the Jacobian's (flows) or the orbit map's multipliers */
    signed char *stability; /* n: eigenvalues with Re > 0 (flows) or |mu| > 1 (maps) */
    signed char *type;     /* n: GD_PT_* (special points are points of their branch) */
    int parent;            /* the special point it was switched from (a cycle's: its Hopf or PD point), -1 for the first
                            * branch and for a cycle branch from an orbit (continuation.start = orbit) */
    const char *stop[2];   /* why it ends at its first and last point: bound | x_max | stalled | key_range (the key refused
                            * the next value) | max_steps | start (a branch switched onto: it begins there); cycles also
                            * equilibrium (shrunk onto a Hopf point) | period (T grew 1000-fold: towards a homoclinic orbit) */
    double *T, *amplitude; /* cycle: n periods and max |x(t) - x*| (x* the Hopf point's equilibrium; from an orbit or a PD
                            * point: the centroid of that first cycle); NULL otherwise */
} gd_branch;

typedef struct gd_special_point {
    int type;              /* GD_PT_LP .. GD_PT_NS, GD_PT_NEUTRAL */
    int branch, index;     /* its branch and point (a neutral segment: its first point) */
    double p, p_end;       /* p_end: a neutral segment's other end (else p) */
    double *x;             /* dim */
    double omega;          /* H: the frequency; NaN otherwise */
    double theta;          /* NS: the multipliers' angle e^(+-i theta), 0 < theta < pi; NaN otherwise */
    double coeff;          /* LP: a; H: l1 = Re c1 / omega; PD: c; NS: d = Re(e^(-i theta) c1); neutral: l1 or d at
                            * its first point; BP: NaN */
    double c1_re, c1_im;   /* H, NS: c1 (NaN otherwise) */
    const char *criticality; /* super | sub | degenerate | resonant | "" (LP, BP) */
    const char *resonance; /* none | R1 | R2 | R3 | R4 | near_R3 | near_R4 */
    const char *test;      /* the test function: LP, BP, H, PD, NS */
    int child;             /* the branch switched onto here, -1: none */
} gd_special_point;

typedef struct gd_continue_result {
    char *param;
    int nbranches, nspecial;
    gd_branch *branches;
    gd_special_point *special;
} gd_continue_result;
GD_EXPORT int gd_sim_continue(gd_sim *s, const char *key, double lo, double hi, gd_continue_result *out);
/* Where gd_sim_continue starts (`gandyn continue --from`): "equilibrium", "x0" or "orbit" (a
 * flow's cycle through run.x0, found by shooting and continued both ways) set continuation.start; "FILE.h5#/points/N" takes special point N of an earlier continue file in
 * KEY (its x as run.x0, its p as KEY's value; continuation.start = x0). The sim is set up again.
 * GD_EUSAGE with a one-line message: a malformed FROM, a missing file, no point N, a file of
 * another key or dimension. */
GD_EXPORT int gd_sim_continue_from(gd_sim *s, const char *key, const char *from);
GD_EXPORT void gd_continue_result_free(gd_continue_result *r);
/* The normal form at one point (`gandyn normal`, docs/bifurcations.md): at KEY = p, the point a
 * branch of gd_sim_continue would start from there (the model's equilibrium or Newton from run.x0,
 * continuation.start; a period-k point with continuation.period = k), its eigenvalues (flows) or
 * multipliers (maps), the critical one of type GD_PT_LP (the real eigenvalue nearest 0, the real
 * multiplier nearest +1), GD_PT_H (flows: the complex pair nearest the imaginary axis), GD_PT_PD
 * (maps: the real multiplier nearest -1) or GD_PT_NS (maps: the complex pair nearest the unit
 * circle), or with GD_PT_REGULAR whichever of these lies nearest its crossing, and the coefficient
 * continuation reports at a located special point (the same code): a, l1, c or d, its criticality
 * and resonance flags. Off the crossing the formulas use the eigenvalue there. GD_EUSAGE with a
 * one-line message: an unknown type, a type the integrator has no such eigenvalue for (H on a map,
 * PD or NS on a flow, H with no complex pair), a rule with history, no point found at p. */
typedef struct gd_normal_result {
    char *param;              /* KEY */
    int type;                 /* GD_PT_LP, GD_PT_H, GD_PT_PD, GD_PT_NS */
    const char *kind;         /* equilibrium | fixed_point | period_k */
    int period;               /* k of the map's orbit (1: a fixed point; flows 1) */
    int dim, eig_dim;
    double p;
    double *x;                /* dim: the point (of a period-k orbit, its first point) */
    double *eig_re, *eig_im;  /* eig_dim: every eigenvalue (flows) or multiplier of D Phi^k (maps) */
    double mu_re, mu_im;      /* the critical eigenvalue or multiplier (of a pair, the one with Im > 0) */
    double omega, theta;      /* H: Im lambda; NS: arg mu in (0, pi); NaN otherwise */
    double distance;          /* from the crossing: Re lambda (flows), |mu| - 1 (maps) */
    double coeff;             /* LP: a; H: l1 = Re c1 / omega; PD: c; NS: d = Re(e^(-i theta) c1); NaN at R1, R2 */
    double c1_re, c1_im;      /* H, NS: c1 (NaN otherwise) */
    double amplitude;         /* the normal form's orbit at p: |z| = sqrt(-Re lambda / Re c1) (H), eta = sqrt((|mu| - 1) / c)
                               * (PD), |z| = sqrt(-(|mu| - 1) / d) (NS), z = <p, x - x*>; NaN for LP, where the square is
                               * negative (no small orbit on this side) or the criticality is degenerate or resonant */
    const char *criticality;  /* super | sub | degenerate | resonant | "" (LP) */
    const char *resonance;    /* none | R1 | R2 | R3 | R4 | near_R3 | near_R4 */
} gd_normal_result;
GD_EXPORT int gd_sim_normal(gd_sim *s, const char *key, double p, int type, gd_normal_result *out);
GD_EXPORT void gd_normal_result_free(gd_normal_result *r);
/* /normal/{x [dim], eigenvalues [eig_dim, 2] (re, im)} with attributes param, type, kind, period, p,
 * mu [2], omega, theta, distance, coeff, c1 [2], amplitude, criticality, resonance. */
GD_EXPORT int gd_sim_write_normal(gd_sim *s, const char *path, const gd_normal_result *r);
/* The second and third derivatives behind continuation's normal-form coefficients, at x:
 * B(u, v) and C(u, v, w) (dim each) of the orbit's map Phi^k (continuation.period = k, a
 * fixed-step rule without history) or of the field F (cvode), by the central differences of
 * docs/bifurcations.md (polarization; signed sums of third differences; for k > 1 the chain
 * rule along the orbit from one iteration's). B or C may be NULL. */
GD_EXPORT int gd_sim_map_derivatives(gd_sim *s, const double *x, const double *u, const double *v, const double *w, double *B, double *C);
/* /branch/<b>/{p, x, eig_re, eig_im, stability, type, and for cycles T, amplitude} (attributes kind, period, parent_point,
 * param) and /points/{type, p, p_end, x, branch, index, coeff, omega, theta, c1_re, c1_im} with
 * the string attributes criticality and resonance (one entry per point, ';'-separated). */
GD_EXPORT int gd_sim_write_continue(gd_sim *s, const char *path, const gd_continue_result *r);
/* Lyapunov spectrum by QR (Benettin; `gandyn lyapunov`, [lyapunov] section, docs/bifurcations.md)
 * from the first start of run.x0. A fixed-step integrator: the orbit of its one-iteration map on
 * its whole state (optimistic, momentum, adam: the state with their history), tangent vectors
 * carried by the map's Jacobian at each iterate, exponents per iteration. cvode: the variational
 * equations Y' = J(x) Y with the model's Jacobian, integrated with the orbit, QR every
 * lyapunov.reorth time units, exponents per unit time. The run after lyapunov.transient is cut
 * into equal batches; it stops early once every standard error is below lyapunov.tol. */
typedef struct gd_lyapunov_result {
    int count;           /* exponents computed (largest first in the QR sense) */
    int dim;             /* of the state they belong to: the map's (map_dim) or the flow's */
    int flow;            /* 1: variational equations under cvode; 0: a fixed-step rule's map */
    int analytic;        /* 1: every Jacobian analytic (map: the rule's own; flow: the model's) */
    double *exponents;   /* count */
    double *se;          /* count: standard errors, std of the batch means / sqrt(batches) */
    int batches;         /* batches run (fewer than lyapunov.batches when tol stopped it) */
    double *running;     /* batches x count: the running averages after each batch */
    long steps;          /* iterations (map) or QR intervals (flow) after the transient */
    double time;         /* what the exponents are averaged over: iterations or time */
    double sum;          /* sum of the exponents */
    double mean_trace;   /* time average of ln|det D Phi| (map) or of tr J (flow): NaN if count < dim */
    double sum_check;    /* |sum - mean_trace| / max(1, |mean_trace|), NaN if count < dim */
} gd_lyapunov_result;
GD_EXPORT int gd_sim_lyapunov(gd_sim *s, gd_lyapunov_result *out);
GD_EXPORT void gd_lyapunov_result_free(gd_lyapunov_result *r);
/* /lyapunov/{exponents, stderr, running} with attributes steps, time, sum, mean_trace, sum_check, flow. */
GD_EXPORT int gd_sim_write_lyapunov(gd_sim *s, const char *path, const gd_lyapunov_result *r);

/* Attractor class of the orbit from the first start of run.x0 under a fixed-step rule's map
 * (`gandyn attractor`, [attractor] section, docs/bifurcations.md): attractor.transient iterations,
 * then attractor.samples kept. Flows (cvode): attractor.transient and attractor.samples intervals of
 * attractor.dt time, a Poincare section for cycles (polished by gd_sim_orbit's shooting). */
enum {
    GD_ATTRACTOR_FIXED,
    GD_ATTRACTOR_PERIODIC,       /* period 0: contracting (lambda_1 < 0) with no period <= period_max found */
    GD_ATTRACTOR_QUASI_PERIODIC, /* an attracting circle: lambda_1 = 0 > lambda_2 */
    GD_ATTRACTOR_NEUTRAL,        /* every exponent 0 */
    GD_ATTRACTOR_CHAOTIC,        /* lambda_1 > 0 */
    GD_ATTRACTOR_STALL,          /* steps vanish away from any fixed point (saturated gradients) */
    GD_ATTRACTOR_DIVERGE,
    GD_ATTRACTOR_UNDETERMINED
};
GD_EXPORT const char *gd_attractor_class_name(int cls); /* NULL out of range */
typedef struct gd_attractor_result {
    int cls;                   /* GD_ATTRACTOR_* */
    int period;                /* fixed: 1, periodic: its least period (0: long), else 0 */
    int dim;                   /* of the map's state (with history) */
    double *orbit;             /* period x dim: the orbit polished by Newton (NULL unless fixed or periodic) */
    double *mult_re, *mult_im; /* dim: multipliers of Phi^period on the orbit */
    int unstable;              /* the orbit has a multiplier above 1 + 1e-9 (a start on an unstable orbit) */
    double contraction;        /* 1 / (1 - max |multiplier|): iterations of Phi^period per e-fold (NaN: none) */
    double period_t;           /* flows, periodic: the cycle's period T (orbit: its point x0, multipliers: Floquet,
                                * the trivial one first); NaN otherwise. Flows, fixed: multipliers are J's eigenvalues */
    double amplitude;          /* max over the samples of |x - x*| (x*: the equilibrium, else the samples' centroid) */
    double rotation;           /* planar maps: turns per iteration about the enclosed equilibrium (NaN: not one-signed) */
    double mean_z;             /* planar maps: mean |z|, z the normal-form coordinate at x* (or x - c) */
    int nlyap;
    double *lyapunov;          /* nlyap exponents when the class was decided by them, else NULL */
    long steps;                /* iterations made */
} gd_attractor_result;
GD_EXPORT int gd_sim_attractor(gd_sim *s, gd_attractor_result *out);
GD_EXPORT void gd_attractor_result_free(gd_attractor_result *r);
/* /attractor/{orbit [period, dim], multipliers_re, multipliers_im, lyapunov} (those the result has) with
 * attributes class, period, unstable, steps, amplitude, rotation, mean_z, contraction. */
GD_EXPORT int gd_sim_write_attractor(gd_sim *s, const char *path, const gd_attractor_result *r);

/* Periodic orbit of the flow (integrator cvode) through the first start of run.x0 by single
 * shooting (`gandyn orbit`, docs/bifurcations.md "Periodic orbits of flows"): unknowns (x0, T),
 * phase condition F(x_ref)^T (x0 - x_ref) = 0 with x_ref = run.x0, Newton until
 * |phi_T(x0) - x0| <= 1e-9 max(1, |x0|). period_guess NAN: the first return time to the section
 * through run.x0 normal to F (within integrator.t_end). The monodromy comes from the variational
 * equations at rtol = min(integrator.rtol, 1e-12). Fails (GD_EUSAGE) for a map, a piecewise-smooth
 * model or a start at an equilibrium; (GD_ESOLVER) when Newton does not converge, would need
 * T <= 0, or the trivial multiplier is off 1 by more than 1e-6. */
typedef struct gd_orbit_result {
    int dim;
    double T;                  /* the period */
    double *x0;                /* dim: the orbit's point on the phase condition */
    double *mult_re, *mult_im; /* dim Floquet multipliers: the trivial one (along F) first */
    double *monodromy;         /* dim x dim, row-major: D phi_T(x0) */
    double trivial_error;      /* |M f - f| for f = F(x0)/|F(x0)| (<= 1e-6 or the call fails) */
    int unstable;              /* a non-trivial multiplier above 1 + 1e-9 in modulus */
    int iterations;            /* Newton steps */
    double residual;           /* |phi_T(x0) - x0| */
    int npts;                  /* samples of one period */
    double *t, *x;             /* npts times jT/npts and npts x dim states from x0 */
    double amplitude;          /* max |x - c| over the samples (c: the model's equilibrium, else the centroid) */
    double mean_sq;            /* time average of |x|^2 over one period */
    int analytic;              /* the model's analytic Jacobian (else its central differences) */
} gd_orbit_result;
GD_EXPORT int gd_sim_orbit(gd_sim *s, double period_guess, gd_orbit_result *out);
GD_EXPORT void gd_orbit_result_free(gd_orbit_result *r);
/* /orbit/{t [npts], x [npts, dim], T [1], multipliers [dim, 2] (re, im), monodromy [dim, dim], x0 [dim]}
 * with attributes iterations, unstable, analytic, residual, trivial_error, amplitude, mean_sq. */
GD_EXPORT int gd_sim_write_orbit(gd_sim *s, const char *path, const gd_orbit_result *r);

/* ---------------------------------------------------------------- sweeps ------- */
/* A 1-D or 2-D parameter sweep over sweep.x (and sweep.y) of a configured sim, which it
 * borrows. Axis keys: any numeric model.* or integrator.* key, or run.x0.K (coordinate K of
 * the first start). Per cell: observed outcome, measured per-iteration contraction, and
 * the predicted outcome and spectral radius of the one-iteration map at the equilibrium.
 * Every fixed-step rule but implicit_midpoint, on models with a batched field
 * (gd_model_type_batch_params), runs batched (gd_stepper_step_batch's path); everything
 * else cell by cell. Cells are
 * computed in fixed blocks, so results do not depend on threads or ranges. */
typedef struct gd_sweep gd_sweep;
typedef void (*gd_sweep_monitor)(void *user, long done, long total, double seconds);

GD_EXPORT int gd_sweep_create(gd_sim *s, gd_sweep **out); /* message on the sim */
GD_EXPORT long gd_sweep_ncells(const gd_sweep *w);
GD_EXPORT long gd_sweep_nx(const gd_sweep *w);
GD_EXPORT long gd_sweep_ny(const gd_sweep *w); /* 1 for a 1-D sweep */
GD_EXPORT int gd_sweep_is_batched(const gd_sweep *w);
GD_EXPORT void gd_sweep_set_threads(gd_sweep *w, int threads); /* 0: OpenMP's default */
GD_EXPORT void gd_sweep_set_monitor(gd_sweep *w, gd_sweep_monitor fn, void *user, double every_seconds);
/* Record finished blocks in path; resume = 1 first loads the blocks already recorded there. */
GD_EXPORT int gd_sweep_set_checkpoint(gd_sweep *w, const char *path, int resume);
/* Async-signal-safe: the running sweep stops after the blocks in progress (GD_ECANCELED). */
GD_EXPORT void gd_sweep_cancel(gd_sweep *w);
/* Compute cells [i0, i1) (rounded out to whole blocks); gd_sweep_run does all. */
GD_EXPORT int gd_sweep_run_range(gd_sweep *w, long i0, long i1);
GD_EXPORT int gd_sweep_run(gd_sweep *w);
/* Write /sweep (README, "Output files") atomically; every cell must be done. An empty path writes nothing. */
GD_EXPORT int gd_sweep_write(gd_sweep *w, const char *path);
/* Results, row-major [ny][nx]: the sweep's own arrays, valid until gd_sweep_free (cells not
 * yet computed hold zeros). The getters neither allocate nor copy. outcome/predicted:
 * gd_outcome values. */
GD_EXPORT const signed char *gd_sweep_get_outcome(const gd_sweep *w);
GD_EXPORT const signed char *gd_sweep_get_predicted(const gd_sweep *w);
/* Per cell, why its trajectory stopped early (a gd_failure; /sweep/solver), and the number
 * of such cells, by kind when counts is not NULL. Failed cells count as diverged. */
GD_EXPORT const signed char *gd_sweep_get_failure(const gd_sweep *w);
/* sweep.attractor > 0 (else NULL; docs/bifurcations.md, "Sweeps and basins"): per cell the
 * attractor class (GD_ATTRACTOR_*), 1 when it sits on an unstable orbit, the period (fixed 1,
 * periodic its least period or 0 when longer than attractor.period_max; a flow's cycle 1), the
 * amplitude (max |x - x*| over the kept states), lambda_1 (from the multipliers of a fixed point
 * or orbit, or the exponents; NaN otherwise), the rotation number (planar maps without history;
 * NaN unless one-signed), a flow's cycle period T (NaN otherwise) and the iterations used.
 * Maps of every fixed-step rule, on the map's state (history included: optimistic, momentum,
 * adam, ...), with the classes gd_sim_attractor gives the same run; cvode's flow cell by cell
 * with the flow classes of gd_sim_attractor (no basins). */
GD_EXPORT const signed char *gd_sweep_get_attractor(const gd_sweep *w);
GD_EXPORT const signed char *gd_sweep_get_unstable(const gd_sweep *w);
GD_EXPORT const int *gd_sweep_get_period(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_amplitude(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_lyap1(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_rotation(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_period_t(const gd_sweep *w);
GD_EXPORT const long *gd_sweep_get_steps_used(const gd_sweep *w);
/* A basin sweep (sweep.attractor > 0, both axes start coordinates run.x0.K), every cell computed
 * by this process, restored from its checkpoint or imported with its tables
 * (gd_sweep_import_basin, gd_sweep_merge): per cell the label of the attractor it reaches,
 * numbered 0, 1, ... in row-major order of first appearance; -1 diverge, -2 undetermined. NULL
 * otherwise. *count: the number of distinct attractors. */
GD_EXPORT const int *gd_sweep_get_basin(const gd_sweep *w, int *count);
/* 1 for a basin sweep (as above), whether or not its labels are there; 0 otherwise. */
GD_EXPORT int gd_sweep_is_basin(const gd_sweep *w);
/* Attractor j of a basin: its class and period, and (*m points of dim each) its polished orbit
 * or a subsample of a cell's kept states (none for stall). NULL when out of range. */
GD_EXPORT const double *gd_sweep_get_basin_attractor(const gd_sweep *w, int j, int *cls, int *period, int *m);
GD_EXPORT long gd_sweep_get_failures(const gd_sweep *w, long counts[GD_FAIL_COUNT]);
GD_EXPORT const double *gd_sweep_get_rho(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_rate(const gd_sweep *w);
/* With gradient noise (noise.sigma > 0): per cell the trace of the predicted stationary
 * covariance over the measured coordinates (NaN where the map has none; 0 without noise). */
GD_EXPORT const double *gd_sweep_get_sigma_pred(const gd_sweep *w);
GD_EXPORT const double *gd_sweep_get_axis(const gd_sweep *w, int axis); /* 0: x, 1: y */
GD_EXPORT long gd_sweep_get_done(const gd_sweep *w);
/* Fraction of cells with a prediction whose observed outcome matches it. */
GD_EXPORT double gd_sweep_get_agreement(const gd_sweep *w, long counts[3]);
/* Scale-out: cells are computed in blocks of gd_sweep_block_size(); a process that ran
 * cells [i0, i1) (block-aligned, i1 may be the cell count) exports their records
 * (gd_sweep_record_size() bytes each) and another imports them, e.g. over MPI. */
GD_EXPORT long gd_sweep_block_size(void);
GD_EXPORT size_t gd_sweep_record_size(void);
GD_EXPORT int gd_sweep_export(const gd_sweep *w, long i0, long i1, void *buf);
GD_EXPORT int gd_sweep_import(gd_sweep *w, long i0, long i1, const void *buf);
/* A basin sweep's labels and attractor tables of cells [i0, i1) (block-aligned), to travel with
 * their records: *len doubles into buf (buf NULL: *len only; 0 for a sweep without basins;
 * GD_ENOTAVAIL for cells this process did not compute). Imported after the records, they make
 * the labels (gd_sweep_get_basin) once every cell is there, equal to a single run's; buf NULL
 * says cells [i0, i1) come without them (the sweep then has no labels). */
GD_EXPORT int gd_sweep_export_basin(const gd_sweep *w, long i0, long i1, double *buf, size_t *len);
GD_EXPORT int gd_sweep_import_basin(gd_sweep *w, long i0, long i1, const double *buf, size_t len);
GD_EXPORT const char *gd_sweep_errmsg(const gd_sweep *w);
GD_EXPORT void gd_sweep_free(gd_sweep **w);
/* Counts as gd_sweep_get_done, gd_sweep_get_agreement and gd_sweep_get_failures, over cells
 * [i0, i1) only. */
GD_EXPORT long gd_sweep_get_done_range(const gd_sweep *w, long i0, long i1);
GD_EXPORT double gd_sweep_get_agreement_range(const gd_sweep *w, long i0, long i1, long counts[3]);
GD_EXPORT long gd_sweep_get_failures_range(const gd_sweep *w, long i0, long i1, long counts[GD_FAIL_COUNT]);
/* Job arrays without MPI: write cells [lo, hi) (row-major [ny][nx] indices, hi exclusive, any
 * alignment; the blocks covering them computed, e.g. by gd_sweep_run_range) as a partial file,
 * /sweep_part (README "Output files"), atomically. */
GD_EXPORT int gd_sweep_write_part(gd_sweep *w, long lo, long hi, const char *path);
/* Check that n partial files belong to one configuration and hold every cell exactly once,
 * and rebuild from them the sweep a single run computes: *sim set up from the configuration
 * they hold, *out with every cell done, for gd_sweep_write. Free *out, then *sim. Message
 * (at most 512 bytes) in msg (may be NULL), naming the files; nothing is allocated on failure. */
GD_EXPORT int gd_sweep_merge(const char *const *paths, int n, gd_sim **sim, gd_sweep **out, char *msg);

/* Phase transition along one key (`gandyn critical`): bisection between lo and hi, whose
 * observed outcomes differ, to |hi - lo| <= rtol |value|; and where the predicted spectral
 * radius crosses 1 (NaN if it does not in [lo, hi]). For an integer key (lookahead.k) lo and
 * hi must be whole, the bisection runs on whole numbers, and value and predicted are the first
 * number with the upper outcome. */
typedef struct gd_critical_result {
    double value, predicted;
    gd_outcome below, above;
    int iterations;
} gd_critical_result;
GD_EXPORT int gd_sim_critical(gd_sim *s, const char *key, double lo, double hi, double rtol, gd_critical_result *out);
/* An axis "KEY:LO:HI:N[:lin|log]" as sweeps, scans and traces take it (key of at most
 * keylen - 1 characters; msg, unless NULL, of at most 512 bytes on failure), and its i-th of n
 * values. */
GD_EXPORT int gd_parse_axis(const char *spec, char *key, size_t keylen, double *lo, double *hi, long *n, int *logscale, char *msg);
GD_EXPORT double gd_axis_value(double lo, double hi, long n, int logscale, long i);
/* The boundary curve: gd_sim_critical on the same bracket for each of the n values at[i]
 * of a second key (set and resolved in turn; the sim keeps the last). Where the bracket
 * holds one outcome only, out[i].value is NaN and below == above; other failures stop. */
GD_EXPORT int gd_sim_critical_trace(gd_sim *s, const char *key, double lo, double hi, double rtol, const char *key2, int n,
                                    const double *at, gd_critical_result *out);

/* Where the observed attractor class changes along one key (`gandyn critical --classes`,
 * [critical] section, docs/bifurcations.md): critical.n evenly spaced values from run.x0
 * classified by gd_sim_attractor (fixed-step rules only), each neighbour pair of different
 * (class, period) bisected to critical.tol (0: 1e-4 (hi - lo)) and labelled: local when the
 * equilibrium branch continued over the pair's bracket has a crossing (LP, BP, H, PD, NS) there,
 * global otherwise, mixed when the class keeps changing (more than 3 changes among 11 values
 * spaced tol around it: the interval then runs from the lowest change a downward walk finds
 * to the last bracket with a boundary next to it). first holds the keys of gd_sim_critical for
 * the first boundary (predicted: the first local crossing; iterations: the values probed). */
typedef struct gd_critical_boundary {
    double value;                  /* bisected change; mixed: where the interval starts */
    double end;                    /* mixed: where it ends; else value */
    double bracket[2];             /* the scan values it was bisected between */
    int below_cls, below_period;   /* GD_ATTRACTOR_* class and period below and above */
    int above_cls, above_period;
    const char *kind;              /* local | global | mixed */
    int local;                     /* 1: an eigenvalue of the equilibrium crosses there */
    const char *type;              /* LP, BP, H, PD, NS when local, else "" */
    double refined, theta, coeff;  /* the crossing's value (to continuation.loc_tol), angle, coefficient (NaN: none) */
    const char *criticality, *resonance; /* as gd_special_point's ("" when not local) */
    int changes;                   /* class changes seen by the fine look (and the walk of a mixed interval) */
    double fraction[8];            /* mixed: share of each class among the values probed inside */
} gd_critical_boundary;
typedef struct gd_critical_scan {
    char *param;
    double lo, hi, tol;
    int n, dim, samples;           /* values probed (grid, bisections, fine looks; sorted), model dimension, points kept per value */
    double *p;                     /* n */
    int *cls, *period;             /* n */
    signed char *grid;             /* n: 1 for the critical.n evenly spaced values */
    double *lyap1, *amplitude;     /* n: lambda_1 (NaN: none), max |x - x*| */
    double *pts;                   /* n x samples x dim: attractor points (NaN: diverged) */
    int nb;
    gd_critical_boundary *b;       /* nb, by value */
    gd_critical_result first;
} gd_critical_scan;
GD_EXPORT int gd_sim_critical_scan(gd_sim *s, const char *key, double lo, double hi, gd_critical_scan *out);
GD_EXPORT void gd_critical_scan_free(gd_critical_scan *r);
/* /scan/{p, class, period, grid, lyap1, amplitude, samples [n, samples, dim]} (attributes param,
 * range = lo, hi, tol) and /boundaries/{value, end, local, below_class, below_period, above_class,
 * above_period, refined, theta, coeff, fractions [nb, 8]} with the string attributes kind, type,
 * criticality, resonance (';'-separated). */
GD_EXPORT int gd_sim_write_critical(gd_sim *s, const char *path, const gd_critical_scan *r);

/* ---------------------------------------------------------------- linear algebra */
/* Eigenvalues of the row-major n*n matrix A (LAPACK dgeev); wr, wi hold n doubles. */
GD_EXPORT int gd_eigenvalues(int n, const double *A, double *wr, double *wi);
/* Eigenvalues and right eigenvectors: column k of V (row-major n x n complex, stored as
 * interleaved re, im) belongs to eigenvalue k. */
GD_EXPORT int gd_eigenvectors(int n, const double *A, double *wr, double *wi, double *V);
/* Solve V c = b for complex V (as above), real b; c interleaved re, im (n complex). */
GD_EXPORT int gd_complex_solve(int n, const double *V, const double *b, double *c);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_H */
