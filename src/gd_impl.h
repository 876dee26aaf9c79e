/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Private layouts of the gandyn handles and the two method tables (models, integrators).
 * A new model is one file in models/ defining a const gd_model_type plus one line in
 * src/registry.c; a new integrator is the same with gd_integrator_type.
 */
#ifndef GD_IMPL_H
#define GD_IMPL_H

#include "gandyn.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>

#define GD_MSG_LEN 512

typedef struct gd_h5 gd_h5; /* an open output file (h5io.h), for the model's write hook */

/* A model's methods split its state in two. What setup makes (options, m->priv: tables,
 * FFTW plans, point sets) is read-only afterwards: field, jacobian, jvp, psolve, equilibrium,
 * gda_step and metric never write the model (no cast of its const, no cache in m->priv).
 * Everything they do write (transform buffers, solver iterates, warm caches, the failure
 * message) lives in the caller's workspace ws: ws->priv is the type's scratch, made by
 * ws_init for the model as set up and freed by ws_free, and failures are described with
 * gd_ws_fail. So one set-up model serves several threads, each with its own workspace.
 * The other methods (default_start, project, start_mode, surface, next_mode, write) write
 * only their outputs. A type without ws_init keeps nothing per caller (ws->priv is NULL).
 *
 * Discrete mode of a piecewise-smooth field. Mode 0 is the raw field that fixed-step
 * integrators evaluate; CVODE integrates one smooth mode per segment and switches at
 * the roots of the model's surface function (sign flips, clip boundaries). */
struct gd_model_type {
    const char *name;
    const char *summary;
    const gd_param *params;   /* key == NULL ends */
    size_t opts_size;         /* bytes of the model's option struct */
    /* Check options, set m->dim and m->ngen, precompute. Message via gd_model_fail. */
    int (*setup)(gd_model *m);
    void (*cleanup)(gd_model *m); /* free what setup allocated in m->priv; may be NULL */
    /* Per-caller scratch for the set-up model m into ws->priv (message via gd_ws_fail), and
     * its release (from ws->priv alone: the model may have been set up again since; NULL:
     * ws->priv is one block for free). */
    int (*ws_init)(const gd_model *m, gd_model_ws *ws);
    void (*ws_free)(gd_model_ws *ws);
    int (*field)(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v);
    int (*jacobian)(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J); /* NULL: FD */
    /* J(x) v without forming J, for Krylov solvers on large states. NULL: a central difference
     * of the field along v. */
    int (*jvp)(const gd_model *m, gd_model_ws *ws, int mode, const double *x, const double *v, double *Jv);
    /* z = (I - g Jt)^{-1} r for a cheap approximation Jt of the Jacobian: the preconditioner
     * of CVODE's Krylov solver (implicit steps solve with I - g J). NULL: none. */
    int (*psolve)(const gd_model *m, gd_model_ws *ws, double g, const double *r, double *z);
    int (*equilibrium)(const gd_model *m, gd_model_ws *ws, double *x); /* NULL: none known */
    int (*default_start)(const gd_model *m, double *x); /* run.x0 when not given; NULL: (1, 1, ...) */
    void (*project)(const gd_model *m, double *x);    /* NULL: unconstrained */
    /* Piecewise-smooth support, used only when setup set m->hybrid. */
    int (*start_mode)(const gd_model *m, const double *x);
    double (*surface)(const gd_model *m, int mode, const double *x);
    int (*next_mode)(const gd_model *m, int mode, double *x); /* may snap x onto the surface */
    /* Sweeps: the field on a block of n cells in structure-of-arrays form (x[k*n + i] is
     * coordinate k of cell i), the parameters named in batch_params varying per cell
     * (p[j*n + i]; p NULL: the model's own values). GD_ENOTAVAIL for configurations it does
     * not cover (sweeps then go cell by cell). NULL: no batched field. A pure function of its
     * arguments by contract (it has no workspace): it writes v and nothing else. */
    int (*field_batch)(const gd_model *m, int n, const double *p, const double *x, double *v);
    const char *const *batch_params;
    /* Discrete GDA owned by the model, for discriminators that are no finite field state
     * (the kernel GAN's exact map): one iteration on the whole state x with generator step
     * hg and discriminator step hd. GD_ENOTAVAIL: the integrators use the field. */
    int (*gda_step)(const gd_model *m, gd_model_ws *ws, double *x, double hg, double hd, int rule, long iteration);
    /* A scalar observable written with every saved state as /traj/<k>/<metric_name>
     * (kernel_gda: the squared 2-Wasserstein distance of the point sets). NULL: none. */
    const char *metric_name;
    double (*metric)(const gd_model *m, gd_model_ws *ws, const double *x);
    /* Model-specific datasets and attributes in the output file (torus: coefficients). */
    int (*write)(const gd_model *m, gd_h5 *f);
};

/* J(x) v by a central difference of the field (the fallback of gd_model_jvp), for models
 * whose analytic product covers only some configurations. */
int gd_model_jvp_fd(const gd_model *m, gd_model_ws *ws, const double *x, const double *v, double *Jv);

enum { GD_GDA_SIMULTANEOUS, GD_GDA_DISC_FIRST, GD_GDA_GEN_FIRST };
/* The model's own GDA step if it has one for this state (simgd, altgd, symplectic_euler). */
int gd_model_gda_step(gd_stepper *s, double *x, int rule, int *done);

struct gd_model {
    const gd_model_type *type;
    void *opts;      /* option struct of the type, filled from params */
    void *priv;      /* owned by the type (cleanup frees it) */
    int dim, ngen;
    int hybrid;      /* the field has switching surfaces */
    int ready;       /* setup succeeded */
    double *lo, *hi; /* projection box, set by setup when the model clips */
    /* Set by setup for a field periodic in every coordinate (torus): the period, and the
     * highest Fourier mode of the field per coordinate (0: unknown). portrait uses them to
     * space its equilibrium search and to count equilibria once per period. */
    double period;
    int frequency;
    /* Counts the calls of gd_model_setup (from 1 at create): a workspace made for an earlier
     * setup is re-made on its next use. */
    unsigned long generation;
    gd_model_ws *own; /* behind gd_model_field and the other calls without a workspace */
    char msg[GD_MSG_LEN];
    char warning[GD_MSG_LEN]; /* set by setup when the configuration is usable but doubtful */
};

/* A caller's workspace (see gd_model_type). The model's own one, behind the calls without a
 * workspace argument, writes its failures into the model's message; any other into its own. */
struct gd_model_ws {
    const gd_model *model;
    const gd_model_type *type; /* its ws_free, usable after the model is gone */
    unsigned long generation; /* the model's setup it was made for (gd_model.generation) */
    void *priv;               /* the type's scratch (ws_init / ws_free) */
    char *msg;                /* own_msg, or the model's msg */
    char own_msg[GD_MSG_LEN];
};
#define gd_ws_fail(ws, code, ...) gd_fmt((ws)->msg, (code), __VA_ARGS__)
/* Make ws current for m's last setup (re-made after a new setup); the fast path is inline. */
int gd_model_ws_refresh(const gd_model *m, gd_model_ws *ws);
static inline int gd_model_ws_ready(const gd_model *m, gd_model_ws *ws)
{
    return ws->model == m && ws->generation == m->generation ? GD_OK : gd_model_ws_refresh(m, ws);
}
/* The model's own workspace, made current (NULL when its scratch cannot be made: the
 * message is on the model). For the model-specific calls of models/ (gd_particles_*, ...). */
gd_model_ws *gd_model_own_ws(const gd_model *m);
/* Newton and the central-difference Jacobian in the caller's workspace. */
int gd_model_newton_ws(const gd_model *m, gd_model_ws *ws, const double *x0, double *x);
int gd_model_jacobian_fd_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *J);

/* Options shared by every integrator (section [integrator] of the config). */
typedef struct gd_iopts {
    double h, lr_g, lr_d;
    long n_g, n_d;
    int order;         /* GD_GEN_FIRST | GD_DISC_FIRST */
    long steps;
    double t_end;
    int method;        /* GD_ADAMS | GD_BDF */
    int nls;           /* GD_NLS_AUTO | GD_NLS_NEWTON | GD_NLS_FIXEDPOINT */
    int linsol;        /* GD_LS_AUTO | GD_LS_DENSE | GD_LS_SPGMR */
    double rtol, atol;
    double newton_tol;
    long newton_max;
    long max_steps;    /* cvode: internal steps per output interval */
    double diverge_radius; /* copied from [sweep] by the sim */
} gd_iopts;

enum { GD_GEN_FIRST = 0, GD_DISC_FIRST = 1 };
enum { GD_ADAMS = 0, GD_BDF = 1 };
enum { GD_NLS_AUTO = 0, GD_NLS_NEWTON = 1, GD_NLS_FIXEDPOINT = 2 };
enum { GD_LS_AUTO = 0, GD_LS_DENSE = 1, GD_LS_SPGMR = 2 };
#define GD_DENSE_MAX_DIM 1024 /* linsol = auto: dense Newton up to this state size, SPGMR above */

struct gd_integrator_type {
    const char *name;
    const char *summary;
    int order;            /* classical order; 0 = variable (cvode) */
    int fixed_step;       /* advances by whole iterations of step h */
    const char *const *keys;
    /* Extra n-vectors of state (optimistic: the previous field value). They must be the
     * first history*dim doubles of s->priv, so generic code can read and set them. */
    int history;
    int (*init)(gd_stepper *s);    /* allocate s->priv; may be NULL */
    int (*reset)(gd_stepper *s, const double *x0); /* may be NULL */
    int (*step)(gd_stepper *s, double *x, double *t);
    void (*free)(gd_stepper *s);   /* may be NULL */
    /* Analytic Jacobian of one iteration at state x (history consistent with x, as at an
     * equilibrium), (map_dim x map_dim) row-major; NULL: central differences. */
    int (*map_jacobian)(gd_stepper *s, const double *x, double *M);
};

struct gd_stepper {
    const gd_integrator_type *type;
    const gd_model *model;
    gd_model_ws *ws;   /* the stepper's own: steppers on one model can run in parallel */
    gd_iopts o;
    int dim, ngen;
    double *hv;        /* per-coordinate step: lr_g on generator, lr_d on discriminator rows */
    double *w[4];      /* scratch vectors of length dim for the update rules */
    void *priv;
    long nfev, nsteps;
    int ready;
    double *section;   /* cvode Poincare section w.x = section[dim] (upward); NULL: none */
    gd_failure failure; /* why the last step failed (set with a GD_ESOLVER return) */
    char msg[GD_MSG_LEN];
};

/* ---- shared helpers (src/util.c, src/params.c) ---- */
int gd_fmt(char *msg, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The bytes a configuration may ask for, and GD_ENOMEM naming WHAT and the size beyond it. */
double gd_memory_budget(void);
int gd_check_memory(char *msg, double bytes, const char *what);
/* A model state of COORDS coordinates, counted in floating point before any int product:
 * at most GD_MAX_STATE (state sizes are ints, and past it no field evaluation is
 * affordable), and its vectors within the budget. HINT names the keys to lower. */
#define GD_MAX_STATE 5e8
int gd_check_state(char *msg, double coords, const char *what, const char *hint);
/* The same for COPIES n x n matrices of doubles (Jacobians, eigenvector bases). */
int gd_check_dense(char *msg, long n, double copies, const char *what);
/* Seeded pseudo-random numbers (splitmix64): the same seed gives the same stream on every
 * machine, so generated point sets are part of a configuration. */
static inline uint64_t gd_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline double gd_uniform01(uint64_t *s) { return ((double)(gd_splitmix(s) >> 11) + 0.5) * 0x1.0p-53; } /* in (0, 1) */
static inline double gd_normal(uint64_t *s) /* Box-Muller; u1 is drawn before u2 */
{
    double u1 = gd_uniform01(s), u2 = gd_uniform01(s);
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* FFTW's planner is not thread-safe and sweeps set models up on several threads: every
 * fftw_plan_* and fftw_destroy_plan in the library runs between these two. */
void gd_fftw_lock(void);
void gd_fftw_unlock(void);
#define gd_model_fail(m, code, ...) gd_fmt((m)->msg, (code), __VA_ARGS__)
#define gd_stepper_fail(s, code, ...) gd_fmt((s)->msg, (code), __VA_ARGS__)

const gd_param *gd_param_find(const gd_param *tab, const char *key);
/* Parse text into obj according to p; on failure writes a message naming owner.key. */
int gd_param_apply(const gd_param *p, void *obj, const char *text, const char *owner, char *msg);
int gd_params_defaults(const gd_param *tab, void *obj, const char *owner, char *msg);
/* "a,b;c,d" -> count vectors of dim numbers (caller frees *out); what names the key in messages. */
int gd_parse_vectors(const char *text, int dim, double **out, int *count, const char *what, char *msg);
/* The same for a number, without the text round-trip (sweeps set values per cell). */
int gd_param_apply_double(const gd_param *p, void *obj, double v, const char *owner, char *msg);
/* Append "key = value" for every parameter to buf (INI body, values as stored). */
void gd_params_format(const gd_param *tab, const void *obj, char **buf, size_t *len, size_t *cap);
/* "a | b | c" for messages. */
void gd_choices_join(const char *const *choices, char *out, size_t n);
void gd_strbuf_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* After h, lr_g or lr_d changed on a set-up fixed-step stepper: refresh the per-coordinate
 * steps without reallocating (sweeps change them cell by cell). */
int gd_stepper_update_rates(gd_stepper *s);
/* Dense problems with fewer rows than this run on one BLAS thread (src/linalg.c; measured with
 * bench/bench_blas.c; GANDYN_BLAS_SERIAL_BELOW overrides it, 0 = never pin). */
#define GD_BLAS_SERIAL_BELOW 1536
/* Around a LAPACK/BLAS call on n rows: pin = gd_blas_serial_begin(n); call; gd_blas_serial_end(pin).
 * Pins a pthreads OpenBLAS to one thread when n is small or the caller is inside an OpenMP
 * region; otherwise, and with any other BLAS, does nothing. Thread-safe. */
int gd_blas_serial_begin(long n);
void gd_blas_serial_end(int pinned);
/* Gauss-Hermite nodes x and probability weights w (src/linalg.c). */
int gd_gauss_hermite(int n, double *x, double *w);
/* Field evaluation through the stepper, counting evaluations. */
int gd_eval(gd_stepper *s, const double *x, double *v);
/* Player-split updates (altgd, leapfrog) as a sequence of sub-steps x_p += scale H F(x)
 * on one player's rows, each repeated. gd_substeps applies them to x and, if M is not
 * NULL, accumulates the iteration's Jacobian as the product of the sub-step Jacobians
 * at their own intermediate states (the projection's derivative is taken as identity). */
typedef struct { int player; double scale; long repeat; } gd_substep;
int gd_substeps(gd_stepper *s, double *x, const gd_substep *seq, int nseq, double *M);
/* M = I + scale * H J row-block [i0, i1) (the Jacobian of one sub-step x += scale H F(x)). */
void gd_substep_jacobian(const gd_stepper *s, const double *J, double scale, int i0, int i1, double *M);
/* C = A B for n x n row-major matrices (C may alias neither). */
void gd_matmul(int n, const double *A, const double *B, double *C);
/* x += hv .* v on coordinates [i0, i1), then project. */
void gd_axpy_player(gd_stepper *s, double *x, double scale, const double *v, int i0, int i1);

extern const gd_model_type *const gd_model_registry[];
extern const gd_integrator_type *const gd_integrator_registry[];

#endif
