/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Private layouts of the gandyn handles and the two method tables (models, integrators).
 * A new built-in model is one file in models/ defining a const gd_model_type (or a public
 * gd_game, as models/linear.c) plus one line in src/registry.c; a new integrator is the same
 * with gd_integrator_type. Programs and plugins register theirs at run time through
 * <gandyn/game.h>, which src/game.c turns into these tables.
 */
#ifndef GD_IMPL_H
#define GD_IMPL_H

#include "gandyn.h"
#include "gandyn/game.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>

#define GD_MSG_LEN 512

typedef struct gd_h5 gd_h5; /* an open output file (h5io.h), for the model's write hook */
typedef struct gd_stage gd_stage; /* one explicit stage of an update rule (below, with the lanes) */

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
    /* A constraint other than a box; NULL: the box lo, hi that setup may set (weight
     * clipping), or none. Batched sweeps handle boxes only. */
    void (*project)(const gd_model *m, double *x);
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
    /* Optional, for speed: gd_lane_stage on a block of sweep cells in one pass, the field
     * at `at` computed and used per cell (st: the stage; hg, hd: the cells' generator and
     * discriminator steps; frozen[i] != 0 keeps cell i's out and acc at their bases). It must
     * give the numbers of field_batch followed by the stage's update to rounding. GD_ENOTAVAIL:
     * the two separately. */
    int (*stage_batch)(const gd_model *m, int n, const double *p, const double *at, const gd_stage *st, const double *hg,
                       const double *hd, const double *frozen, int i0, int i1);
    /* Whether this configuration's batched field reads batch_params[j] per cell; NULL: all
     * of them. A parameter that setup turns into precomputed data (the torus's Fourier
     * coefficients), or that moves the equilibrium the batched sweep measures against, must
     * keep the model's own value: sweeps over it go cell by cell. */
    int (*batch_varies)(const gd_model *m, int j);
    /* The game's own discrete map, for discriminators that are no finite field state (the
     * kernel GAN's exact map): one round on the whole state x with generator step hg,
     * discriminator step hd and the players in the order `players` (GD_PLAYERS_*). The model
     * knows no integrator: the explicit rules whose round is one such step (simgd,
     * symplectic_euler, altgd with one sub-step each) offer it first (gd_model_gda_step).
     * GD_ENOTAVAIL: the integrators use the field. */
    int (*gda_step)(const gd_model *m, gd_model_ws *ws, double *x, double hg, double hd, int players, long iteration);
    /* A scalar observable written with every saved state as /traj/<k>/<metric_name>
     * (kernel_gda: the squared 2-Wasserstein distance of the point sets). NULL: none. */
    const char *metric_name;
    double (*metric)(const gd_model *m, gd_model_ws *ws, const double *x);
    /* Model-specific datasets and attributes in the output file (torus: coefficients). */
    int (*write)(const gd_model *m, gd_h5 *f);
    /* For linearisations that split into independent 2 x 2 blocks, one per mode of a spatial
     * operator (functional: the eigenfunctions of -Delta_p): *n gets the number of modes and,
     * unless lambda is NULL, lambda the operator's eigenvalues (n, ascending) and root_re,
     * root_im each block's two roots (n x 2, the larger real part first). ground_state picks
     * the model's alternative form of the operator (for nearly vanishing densities). Message
     * via gd_model_fail. NULL: no mode spectrum (gandyn spectrum refuses the model). */
    int (*mode_spectrum)(const gd_model *m, int ground_state, int *n, double *lambda, double *root_re, double *root_im);
    /* Set for types registered at run time (src/game.c): callbacks that may not run
     * concurrently (GD_GAME_SERIAL: sweeps take one thread), and the plugin that registered the
     * type (gd_plugin_load's path; NULL: built in or registered by the program). */
    int serial;
    const char *plugin;
};

/* The model's mode spectrum (the hook above); GD_ENOTAVAIL when it has none. */
int gd_model_mode_spectrum(const gd_model *m, int ground_state, int *n, double *lambda, double *root_re, double *root_im);

/* J(x) v by a central difference of the field (the fallback of gd_model_jvp), for models
 * whose analytic product covers only some configurations. */
int gd_model_jvp_fd(const gd_model *m, gd_model_ws *ws, const double *x, const double *v, double *Jv);

/* The players' order in one round of the game, a property of the game's discrete map (not of
 * an integrator): both from the same state, or one player first and the other from its result. */
enum { GD_PLAYERS_SIMULTANEOUS, GD_PLAYERS_DISC_FIRST, GD_PLAYERS_GEN_FIRST };
/* The model's own GDA step if it has one for this state (simgd, altgd, symplectic_euler). */
int gd_model_gda_step(gd_stepper *s, double *x, int players, int *done);

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
    /* A game's callback failed (src/game.c): > 0 recoverable (CVODE retries with a smaller
     * step), < 0 fatal (CVODE stops; integrators/cvode.c clears it per output interval). */
    int failure;
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

/* The options every integrator shares (section [integrator]; the rows of
 * gd_integrator_shared_params, src/stepper.c): what the sim, sweeps and analyses read of any
 * stepper. A rule's own keys are in its own struct (gd_integrator_type params, s->opts). */
typedef struct gd_iopts {
    double h, lr_g, lr_d;
    long steps;
    double diverge_radius; /* copied from [sweep] by the sim */
} gd_iopts;

/* ---- lanes: each update rule written once, for one state and for a block of cells ----
 * A lane holds n states in structure-of-arrays form: coordinate k of state i at x[k*n + i]
 * (n = 1: an ordinary state vector). A fixed-step integrator's `advance` is written against
 * a lane only, so the same lines serve gd_stepper_step (n = 1: the model's field, counted
 * evaluations, the model's projection; src/stepper.c) and the sweep kernel (n cells: the
 * model's batched field with per-cell parameters, per-cell steps, the projection box, frozen
 * cells keeping their state; src/lane_batch.c). */
#define GD_LANE_SCRATCH 6
#define GD_LANE_CELL_SCRATCH 12
typedef struct gd_lane gd_lane;

/* Gradient noise ([noise], src/noise.c, docs/optimizers.md "Gradient noise"): every field
 * evaluation inside a step of a lane rule returns F(x) + sigma xi, xi a standard normal per
 * coordinate from Philox4x32-10 under the key seed, counter (j, stage + 256 start, iteration,
 * cell): j the coordinate pair, stage the evaluation within the base step (always 0 with
 * reuse), start the index in run.x0, iteration the base step since the start (0 first),
 * cell the sweep cell (0 for a run). */
typedef struct gd_noise {
    double sigma; /* 0: no noise, the rules' numbers unchanged to the bit */
    uint64_t seed;
    int reuse;    /* one draw per base step, shared by its evaluations */
} gd_noise;
/* A lane's noise: the options, and where its states are in the counter. */
typedef struct gd_lane_noise {
    const gd_noise *o;         /* NULL or sigma 0: none */
    long step;                 /* base steps since the start (the counter's iteration) */
    int stage;                 /* evaluations so far in this base step */
    int off;                   /* held off (map Jacobians: the noise-free map) */
    long cell, start;          /* every state's, unless cells / starts (per state) are set */
    const long *cells, *starts;
    /* eig's noise input matrix: these draws (stage-major, dim each; n = 1) are added as they
     * are instead of sigma times Philox's; stages past nfixed get none */
    const double *fixed;
    int nfixed;
} gd_lane_noise;
typedef struct gd_lane_ops {
    int (*field)(gd_lane *L, const double *x, double *v); /* v = F(x) on every state */
    /* out = base + scale H v on rows [i0, i1) (H: each state's generator or discriminator
     * step), then the projection when project is set; other rows of out are left alone. */
    void (*axpy)(gd_lane *L, double *out, const double *base, double scale, const double *v, int i0, int i1, int project);
    void (*project)(gd_lane *L, double *x);
    /* Optional: gd_lane_stage in one pass (field and update per cell, for speed); it must
     * give the numbers of the field then the update, to rounding. NULL or GD_ENOTAVAIL: those
     * two. */
    int (*stage)(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1);
} gd_lane_ops;

struct gd_lane {
    const gd_lane_ops *ops;
    int n, dim, ngen;
    const void *opts;            /* the rule's own option struct (altgd: n_g, n_d, order) */
    double *hist;                /* the rule's history, history * dim * n (optimistic: F(x_prev)) */
    double *v, *d;               /* gd_lane_stage's field value and combination, dim * n each */
    double *w[GD_LANE_SCRATCH];  /* the rule's scratch vectors, dim * n each */
    void *owner;                 /* the stepper (n = 1) or the batch (src/lane_batch.c) */
    /* Iterations since the start, for rules whose step depends on it (adam's bias correction).
     * One counter for the whole lane: all cells of a sweep block start together. Zeroed by
     * gd_stepper_reset and at the start of a batched run; the rule increments it. */
    long iter;
    /* [lookahead] (src/wrap.c): the options (the stepper's), the slow weights x_s of every
     * state (dim * n; NULL: lookahead off) and the base steps made in the current cycle. */
    const struct gd_wrap_opts *wrap;
    double *slow;
    long cycle;
    gd_lane_noise noise; /* gradient noise (above); zeroed: none */
    /* Per-cell values of the rule's own options (a batched sweep over integrator.beta, beta1,
     * ..., for a rule with cell_options): cell[j] holds the n cells' values of the double at
     * byte offset j * sizeof(double) of the rule's option struct, every double option of its
     * table has one (the others are NULL); cell NULL: opts holds every cell's values (a
     * stepper, a sweep over other keys). Read with gd_lane_cell. cw: on a batch,
     * GD_LANE_CELL_SCRATCH n doubles the rule may keep from one iteration to the next (per-cell
     * constants, running powers); NULL on a stepper. */
    const double *const *cell;
    double *cw;
};
/* Noise on: the stage index of the next evaluation (GD_EUSAGE past 255, the counter's
 * field), v += sigma xi on every state; then the stage advances (not with reuse). */
int gd_lane_noise_add(gd_lane *L, double *v);
/* The draws of one evaluation on a block of n > 1 states, vectorised across them
 * (src/noise_batch.c, -ffast-math: equal to the one-state draws to rounding). */
void gd_noise_rows(const gd_lane *L, double *v, uint32_t stage);
static inline int gd_lane_noisy(const gd_lane *L)
{
    return !L->noise.off && (L->noise.fixed || (L->noise.o && L->noise.o->sigma > 0));
}
/* Around one base step of a lane rule (its advance): the counter's stage restarts, and after
 * it the iteration advances. */
static inline void gd_lane_step_begin(gd_lane *L) { L->noise.stage = 0; }
static inline void gd_lane_step_end(gd_lane *L) { L->noise.step++; }
/* v = F(x) on every state, plus the gradient noise when it is on: the field every lane rule
 * evaluates inside a step (gd_lane_stage, the adaptive rules). */
static inline int gd_lane_field(gd_lane *L, const double *x, double *v)
{
    int rc = L->ops->field(L, x, v);
    return rc == GD_OK && gd_lane_noisy(L) ? gd_lane_noise_add(L, v) : rc;
}
/* The per-cell values of the rule option at byte offset `offset` of its struct, or NULL. */
static inline const double *gd_lane_cell(const gd_lane *L, size_t offset) { return L->cell ? L->cell[offset / sizeof(double)] : NULL; }

/* One field evaluation v = F(at) and what an explicit rule does with it, on rows [i0, i1)
 * (H: each state's generator or discriminator step, P: the projection):
 *   acc = (acc_from_base ? base : acc) + c H v   when acc is set: a running sum, unprojected
 *                                               (Runge-Kutta's weighted stages);
 *   out = P(base + H (a v + b w))                the new point (w NULL: P(base + a H v));
 *   w   = v                                     when renew_w: the kept field value advances
 *                                               (optimistic's history).
 * In that order: out may alias base, at or w; acc must alias none of them.
 * A buffered stage (heavy-ball rules) sets mom instead of w and acc: with p the row's player
 * (0 generator, 1 discriminator),
 *   mom = decay_p mom + v, then out = P(base + H (a v + gain_p mom));
 * mom is a buffer in field units, aliasing none of out, base, at. */
struct gd_stage {
    double *out;
    const double *base;
    double a;
    double *w;
    double b;
    int renew_w;
    double *acc;
    double c;
    int acc_from_base;
    double *mom;
    double decay[2], gain[2];
    /* Per-cell factors of a buffered stage on a block whose rule options vary per cell: the
     * n cells' decay (gain) of player p's rows replace decay[p] (gain[p]); the rule gives
     * both players' or neither (decay_c and gain_c separately). They are taken as they are
     * in every sub-step: heavy-ball sub-steps are whole steps (scale 1). */
    const double *decay_c[2], *gain_c[2];
    /* An adaptive stage (rmsprop, adam) sets ada and nothing of the above but out and base;
     * it is offered to the lane's ops->stage only (the rule computes it itself when that
     * answers GD_ENOTAVAIL, integrators/adaptive.c). */
    const struct gd_adapt_stage *ada;
};
/* The adaptive stage: with g = F(at), row by row (each row's player),
 *   m = b1 m + a1 g (m NULL: m+ = g), v = b2 v + a2 g^2,
 *   out = P(base + H num / (den + [num == 0])), num = m ic1, den = sqrt(v ic2 + eps_in) + eps_out,
 * a1 = 1 - b1, a2 = 1 - b2, ic the reciprocal bias corrections; one of eps_in, eps_out is eps and
 * the other 0 (eps_mode inside | outside); num = 0 gives 0 also when den = 0 (0/0 := 0). */
typedef struct gd_adapt_stage {
    double *m, *v;
    double b1, a1, b2, a2, ic1, ic2, eps_in, eps_out;
} gd_adapt_stage;
int gd_lane_stage(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1);
/* out = P(base + scale H F(at)) on rows [i0, i1): one explicit (sub-)step. */
static inline int gd_lane_euler(gd_lane *L, double *out, const double *base, const double *at, double scale, int i0, int i1)
{
    const gd_stage st = {.out = out, .base = base, .a = scale};
    return gd_lane_stage(L, at, &st, i0, i1);
}
/* Player-split updates (altgd, leapfrog) as a sequence of sub-steps x_p += scale H F(x) on
 * one player's rows (0: generator, 1: discriminator; -1: every row, a simultaneous step),
 * each repeated. On a stepper's lane (n = 1), M (if not NULL) accumulates the iteration's
 * Jacobian as the product of the sub-step Jacobians at their own intermediate states (the
 * projection's derivative is taken as the identity); M must be NULL on a batch. */
typedef struct { int player; double scale; long repeat; } gd_substep;
int gd_lane_substeps(gd_lane *L, double *x, const gd_substep *seq, int nseq, double *M);

/* Heavy-ball-type rules (integrators/momentum.c, nesterov.c): a buffer b in field units per
 * state, in the lane's hist (history = 1), zero at a start. They share one option struct and
 * key table, so a key means the same in both: integrator.beta (beta_g, beta_d per player,
 * empty: beta), update = sim | alt, and for alt altgd's n_g, n_d, order. */
enum { GD_UPDATE_SIM, GD_UPDATE_ALT };
typedef struct gd_heavy_ball_opts {
    double beta, beta_g, beta_d;
    int update; /* GD_UPDATE_* */
    long n_g, n_d;
    int order; /* 0 gen_first, 1 disc_first (altgd's) */
} gd_heavy_ball_opts;
extern const gd_param gd_heavy_ball_params[];
extern const char *const gd_heavy_ball_history[]; /* b */
/* The momentum factor of the generator's and the discriminator's rows. */
void gd_heavy_ball_betas(const gd_heavy_ball_opts *o, double beta[2]);
/* The same per cell on a lane whose options vary per cell (L->cell): each player's column
 * (beta_g, beta_d, or beta where those are empty); NULL on other lanes. */
void gd_heavy_ball_cell_betas(const gd_lane *L, const double *beta[2]);
/* One iteration of the buffered stage tmpl (mom: the buffer) as the lane's options say:
 * update = sim one stage on every row, alt n_g and n_d sub-steps per player in order, each
 * sub-step the stage on its player's rows (each player updates its own part of the buffer).
 * M as for gd_lane_substeps, over the state (x, mom): 2 dim x 2 dim. */
int gd_lane_heavy_ball(gd_lane *L, double *x, const gd_stage *tmpl, double *M);
/* The iteration's Jacobian on (x, b) at x with b as gd_stepper_map_jacobian_fd sets the
 * history (F(x); both are 0 at a fixed point), from a copy: the stepper's own buffer is
 * left alone. tmpl's mom is ignored. */
int gd_heavy_ball_map_jacobian(gd_stepper *s, const double *x, const gd_stage *tmpl, double *M);
/* A lane_reset that zeroes the history. */
int gd_lane_clear_history(gd_lane *L, const double *x0);

/* A block of n cells as a lane (src/lane_batch.c): the model's batched field with per-cell
 * parameters p (p[j*n + i] for the model's batch_params; NULL: its own values), per-cell
 * steps hg, hd, the model's projection box; frozen[i] != 0 keeps cell i (NULL: none). */
typedef struct gd_batch {
    gd_lane lane;
    const gd_model *m;
    const double *hg, *hd, *p, *frozen;
    long nfev; /* batched field evaluations */
    double *mod_ws; /* [modifier]: the cells' Jacobians and the differences' points (NULL: off) */
} gd_batch;
/* Allocates the lane's vectors for the stepper's rule and model (options as the stepper's). */
int gd_batch_init(gd_batch *b, const gd_stepper *st, int n);
void gd_batch_release(gd_batch *b);
/* The stepper's rule and model can run batched: a lane rule, a batched field, and a
 * projection that is the model's box (no project callback). */
int gd_batch_available(const gd_stepper *st);

/* ---- wrappers of every fixed-step rule (src/wrap.c, docs/optimizers.md): [modifier] changes
 * the field every rule sees (consensus, SGA), [lookahead] runs k base steps from slow weights
 * and moves them by alpha towards the result. Their keys are set on a stepper as
 * "lookahead.KEY" and "modifier.KEY" (gd_stepper_set), sections [lookahead] and [modifier]. */
enum { GD_LA_MAINTAIN, GD_LA_RESET };
enum { GD_MOD_NONE, GD_MOD_CONSENSUS, GD_MOD_SGA };
typedef struct gd_wrap_opts {
    long k;            /* lookahead.k: base steps per cycle; 0: off */
    double alpha;      /* lookahead.alpha in (0, 1] */
    int state;         /* lookahead.state: GD_LA_* */
    int mod;           /* modifier.name: GD_MOD_* */
    double gamma, lambda;
    int align;         /* modifier.align: SGA's sign alignment */
} gd_wrap_opts;
/* The key table of section "lookahead" or "modifier" (NULL: neither). */
const gd_param *gd_wrap_params(const char *section);
/* The row of KEY written "lookahead.k" or "modifier.name" (NULL: not such a key). */
const gd_param *gd_wrap_param(const char *key, const char **section);
/* F~ for the field v = F(x) the stepper's lane just evaluated, in place (the one hook of
 * [modifier] on the lane's field path; nothing when modifier.name = none). */
int gd_modifier_apply(gd_stepper *s, const double *x, double *v);
/* F~ in place for n states of dimension d in a lane's layout: v[r n + i] = F_r of state i,
 * Jc[(k d + r) n + i] = dF_r/dx_k there; scratch: (2 d + 1) n doubles. */
void gd_modifier_combine(const gd_wrap_opts *o, int d, int n, const double *Jc, double *v, double *scratch);
/* Block sizes up to which a sweep with a modifier runs batched (J per cell by differences of
 * the batched field, src/lane_batch.c); larger states go cell by cell. */
#define GD_MODIFIER_BATCH_DIM 8
/* J~ from J = DF(x*) in place, at a fixed point (consensus J - gamma J^T J, SGA J + lambda A J). */
int gd_modifier_jacobian(gd_stepper *s, double *J);
/* The field's Jacobian as the rules see it: the model's, then gd_modifier_jacobian. Every
 * analytic map Jacobian takes its J from here. */
int gd_stepper_jacobian(gd_stepper *s, const double *x, double *J);
/* The field as the rules see it on a stepper: gd_eval, then gd_modifier_apply. */
int gd_stepper_field(gd_stepper *s, const double *x, double *v);
/* Lookahead on a lane: at a start the slow weights are the states; after every base step
 * gd_lookahead_sync counts it and at the end of a cycle sets x_s <- (1 - alpha) x_s + alpha x,
 * x <- x_s on every state not frozen (frozen: NULL, or per cell as gd_batch's); it returns 1
 * when the base state is to be reset now (state = reset), else 0. */
void gd_lookahead_start(gd_lane *L, const double *x);
int gd_lookahead_sync(gd_lane *L, double *x, const double *frozen);
/* A rule's start and one iteration on a lane with the lookahead around it: the sweep kernel's
 * and gd_stepper_step_batch's way to run a lane rule. */
int gd_lane_start(const gd_integrator_type *t, gd_lane *L, double *x);
int gd_lane_advance(const gd_integrator_type *t, gd_lane *L, double *x, const double *frozen);
/* The cycle map's Jacobian from the base map's B (nb x nb on (x, z), nb = dim (1 + history)):
 * P = B^k, then [[(1 - alpha) I + alpha P_xx, alpha P_xz], [P_zx, P_zz]] (maintain, nb x nb) or
 * (1 - alpha) I + alpha P_xx (reset, dim x dim) into M. */
int gd_lookahead_map_jacobian(gd_stepper *s, const double *B, double *M);
/* Base steps per iteration of the stepper's map: lookahead.k, else 1. */
long gd_stepper_map_steps(const gd_stepper *s);
/* The wrappers' setup checks (a fixed-step rule) and scratch; message on the stepper. */
int gd_wrap_setup(gd_stepper *s);

struct gd_integrator_type {
    const char *name;
    const char *summary;
    int order;            /* classical order; 0 = variable (cvode) */
    int fixed_step;       /* advances by whole iterations of step h; such a rule reads h, lr_g,
                           * lr_d and steps, the others steps only */
    /* Its own keys beyond the shared ones (key == NULL ends; NULL: none), with offsets into its
     * option struct of opts_size bytes (s->opts, the lane's opts). Two rules may list the same
     * row (altgd and symplectic_euler: order) when their structs agree on it. */
    const gd_param *params;
    size_t opts_size;
    /* Extra n-vectors of state (optimistic: the previous field value), kept in the lane's
     * hist, so generic code (map Jacobians by differences) can read and set them. */
    int history;
    /* The history vectors' names, in order, for output files (run.save_opt: /traj/<k>/opt/NAME)
     * and run.resume: momentum b, adam m and v. NULL: h0, h1, ... */
    const char *const *history_names;
    int (*init)(gd_stepper *s);    /* allocate s->priv; may be NULL */
    int (*reset)(gd_stepper *s, const double *x0); /* may be NULL */
    /* One iteration of a fixed-step rule on a lane (see above): the rule itself, shared by
     * steppers and sweeps. lane_reset fills the history at a start (NULL: none). */
    int (*advance)(gd_lane *L, double *x);
    int (*lane_reset)(gd_lane *L, const double *x0);
    /* One step on the stepper's own state; NULL: advance on the stepper's lane. Rules that
     * first offer the model its own discrete map (gd_model_gda_step) or are not lane rules
     * (implicit_midpoint, cvode) define it. */
    int (*step)(gd_stepper *s, double *x, double *t);
    void (*free)(gd_stepper *s);   /* may be NULL */
    /* The time one step advances, for a rule that is not fixed-step (cvode: t_end / steps). */
    double (*interval)(const gd_stepper *s);
    /* Analytic Jacobian of one iteration at state x (history consistent with x, as at an
     * equilibrium), (map_dim x map_dim) row-major; NULL: central differences. */
    int (*map_jacobian)(gd_stepper *s, const double *x, double *M);
    /* 1 when map_jacobian, for a rule with history, is the iteration's derivative at any
     * history (optimistic: M does not depend on the kept field value), not only at a fixed
     * point's; Lyapunov spectra then use it along orbits (gd_stepper_state_jacobian). */
    int jacobian_any_history;
    /* For a rule whose analytic map_jacobian holds part of its state fixed (adam, rmsprop: the
     * frozen second moment, docs/optimizers.md): the held value per model coordinate
     * (dim) and the field size within which that map is the rule's linearisation. NULL: the
     * map is the rule's own, nothing held. */
    int (*map_frozen)(gd_stepper *s, double *v, double *radius);
    /* For a rule whose map at a fixed point is a function of hJ alone when both players step
     * with the same h: the map's eigenvalues for one eigenvalue z = h lambda of J (zr + i zi)
     * into mr + i mi [0 .. count), count 1 + history (optimistic: the two roots of
     * mu^2 - (1 + 2z) mu + z).
     * Sweeps take a cell's rho from J's spectrum, solved once per model set-up, instead of an
     * eigen-solve of the map per cell (spectral mapping); it must agree with map_jacobian's
     * spectrum (tests/test_rules.c). NULL: none. */
    int (*amplify)(const gd_stepper *s, double zr, double zi, double *mr, double *mi);
    /* advance reads every double option of its own table per cell (gd_lane_cell), so batched
     * sweeps may vary them (integrator.beta, beta1, ...); 0: sweeps over them go cell by cell. */
    int cell_options;
    int serial;           /* as gd_model_type's: a rule registered at run time */
    const char *plugin;
};

struct gd_stepper {
    const gd_integrator_type *type;
    const gd_model *model;
    gd_model_ws *ws;   /* the stepper's own: steppers on one model can run in parallel */
    gd_iopts o;        /* the shared options */
    void *opts;        /* the type's own option struct (type->params) */
    int dim, ngen;
    double *hv;        /* per-coordinate step: lr_g on generator, lr_d on discriminator rows */
    double *w[GD_LANE_SCRATCH]; /* scratch vectors of length dim (the lane's w) */
    gd_lane lane;      /* the stepper's own state as a lane of one (src/stepper.c) */
    gd_wrap_opts wrap; /* [lookahead], [modifier] (src/wrap.c) */
    double *wrap_ws;   /* the modifier's scratch: 3 dim^2 + 3 dim + 1 doubles (NULL: off) */
    gd_noise noise;    /* gradient noise, set by the sim from [noise] (gd_stepper_set_noise) */
    long noise_cell, noise_start; /* its place in the noise counter (gd_stepper_noise_index) */
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
/* Sums over small vectors, in index order (the same bits wherever they are called). */
static inline double gd_dot(int n, const double *a, const double *b)
{
    double r = 0;
    for (int i = 0; i < n; i++) r += a[i] * b[i];
    return r;
}
static inline double gd_dist2(int n, const double *a, const double *b)
{
    double r = 0;
    for (int i = 0; i < n; i++) r += (a[i] - b[i]) * (a[i] - b[i]);
    return r;
}
static inline double gd_norm(int n, const double *a) { return sqrt(gd_dot(n, a, a)); }
static inline double gd_dist(int n, const double *a, const double *b) { return sqrt(gd_dist2(n, a, b)); }
static inline double gd_max_abs(size_t n, const double *a)
{
    double r = 0;
    for (size_t i = 0; i < n; i++) r = fmax(r, fabs(a[i]));
    return r;
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

/* Entry checks of the public functions taking a handle: 1 when the handle is not NULL and
 * set up (the model: also of the given type, NULL: any); else 0, with a GD_EUSAGE message on
 * the handle unless it is NULL. The message goes through a const handle too: every handle is
 * allocated writable, and only a misuse writes it. */
int gd_model_usable(const gd_model *m, const gd_model_type *type);
int gd_stepper_usable(const gd_stepper *s);
#define gd_stepper_fail(s, code, ...) gd_fmt((s)->msg, (code), __VA_ARGS__)

const gd_param *gd_param_find(const gd_param *tab, const char *key);
/* Parse text into obj according to p; on failure writes a message naming owner.key. */
int gd_param_apply(const gd_param *p, void *obj, const char *text, const char *owner, char *msg);
int gd_params_defaults(const gd_param *tab, void *obj, const char *owner, char *msg);
/* "a,b;c,d" -> count vectors of dim numbers (caller frees *out); what names the key in messages. */
int gd_parse_vectors(const char *text, int dim, double **out, int *count, const char *what, char *msg);
/* The same for a number, without the text round-trip (sweeps set values per cell). */
int gd_param_apply_double(const gd_param *p, void *obj, double v, const char *owner, char *msg);
/* Append "key = value" for the parameter (gd_param_format) or every one of a table to buf
 * (INI body, values as stored). */
void gd_param_format(const gd_param *p, const void *obj, char **buf, size_t *len, size_t *cap);
void gd_params_format(const gd_param *tab, const void *obj, char **buf, size_t *len, size_t *cap);
/* "a | b | c" for messages. */
void gd_choices_join(const char *const *choices, char *out, size_t n);
void gd_strbuf_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The row of integrator.KEY on stepper s and the struct holding its value (the shared
 * options or the rule's own); NULL when its rule has no such key. */
const gd_param *gd_stepper_param(gd_stepper *s, const char *key, void **obj);
/* The first registered rule with KEY among its own keys (its row in *p), or NULL. */
const gd_integrator_type *gd_integrator_key_owner(const char *key, const gd_param **p);
/* TEXT (NULL: the default) of integrator.KEY read by the row of the first rule that has it
 * into *obj, a new struct of that rule's (caller frees; NULL when no rule has the key). */
int gd_integrator_key_value(const char *key, const char *text, const gd_param **p, void **obj, char *msg);
/* Every option of src (a stepper of the same type) into dst. */
void gd_stepper_copy_options(gd_stepper *dst, const gd_stepper *src);
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
/* M = I + scale * H J row-block [i0, i1) (the Jacobian of one sub-step x += scale H F(x)). */
void gd_substep_jacobian(const gd_stepper *s, const double *J, double scale, int i0, int i1, double *M);
/* C = A B for n x n row-major matrices (C may alias neither). */
void gd_matmul(int n, const double *A, const double *B, double *C);

/* ---- the registries (src/registry.c): the built-ins, added at the first use of either
 * (gd_model_types, a look-up, a registration), then what programs and plugins register. The
 * add functions refuse a duplicate name or a full registry with a message in msg (may be
 * NULL), and stamp the type with the plugin being loaded on this thread, if any. */
#define GD_REGISTRY_MAX 256
int gd_registry_add_model(const gd_model_type *t, char *msg);
int gd_registry_add_integrator(const gd_integrator_type *t, char *msg);
/* Registers the built-ins, once (thread-safe), in their order of gandyn list. */
void gd_registry_builtins(void);
/* The game or rule made into a type and added (the door of gd_model_register and of the
 * built-in linear model); *out (may be NULL) the registered type. */
int gd_game_register(const gd_game *g, const gd_model_type **out, char *msg);
/* Plugins (src/plugin.c): the plugin whose entry point runs on this thread (NULL: none), and
 * the removal of every type it registered when its entry point fails. */
const char *gd_registry_loading(void);
void gd_registry_set_loading(const char *plugin);
void gd_registry_remove_plugin(const char *plugin);
/* Build a model type from a public game description, or an integrator type from a rule
 * (src/game.c); the type is registered by the caller. Message in msg (may be NULL). */
int gd_game_type_create(const gd_game *g, gd_model_type **out, char *msg);
void gd_game_type_free(gd_model_type *t);
int gd_rule_type_create(const gd_rule *r, gd_integrator_type **out, char *msg);
void gd_rule_type_free(gd_integrator_type *t);

/* ---- gradient noise (src/noise.c) ---- */
/* [noise] as configured: sigma, the seed's text (a uint64), reuse, replicas (rate). */
typedef struct gd_noise_opts {
    double sigma;
    char *seed;
    int reuse;
    long replicas;
} gd_noise_opts;
/* The options a stepper's lanes use, from [noise] (GD_EUSAGE: a seed that is no uint64). */
int gd_noise_resolve(const gd_noise_opts *o, gd_noise *out, char *msg);
/* Gradient noise on s: refused (GD_EUSAGE) for sigma > 0 on a rule that is not a lane rule
 * (cvode, implicit_midpoint, a registered gd_rule) or a model that steps with its own map. */
int gd_stepper_set_noise(gd_stepper *s, const gd_noise *n);
/* The stationary covariance Sigma = M Sigma M^T + G G^T (map_dim^2) of s's noisy map at its
 * fixed point x: M its map Jacobian there (given), G = dPhi/dxi by central differences of the
 * implemented step in its injected draws (one step from a reset at x), summed by Smith's
 * doubling. *draws: the draws of one step. GD_ENOTAVAIL (message on s) when it does not exist
 * (spectral radius >= 1). */
int gd_noise_covariance(gd_stepper *s, const double *x, const double *M, double *Sigma, int *draws);
/* The standard-error factors c (n x n, the first n coordinates) of time averages of x x^T:
 * c_ij^2 = sum over all lags l of C_ii(l) C_jj(l) + C_ij(l) C_ji(l), C(l) = M^l Sigma;
 * GD_ENOTAVAIL (c NaN) when the lags do not decay within 1e6 steps. */
int gd_noise_se_factors(int nm, int n, const double *M, const double *Sigma, double *c);
/* adam, rmsprop with noise and v_frozen auto (docs/optimizers.md): their frozen map is taken at
 * the self-consistent second moment v = sigma^2 + diag(J Sigma_x J^T), Sigma the stationary
 * covariance of that map at the fixed point eq, iterated from sigma^2, one value per player (the
 * mean over its coordinates). gd_noise_frozen_v sets v_frozen_g, v_frozen_d on s (set up again)
 * and gives its options as they were in *saved (NULL: it does not apply, nothing changed), which
 * gd_noise_restore puts back (and frees). Messages on s. */
int gd_noise_frozen_v_applies(gd_stepper *s);
int gd_noise_frozen_v(gd_stepper *s, const double *eq, void **saved);
int gd_noise_restore(gd_stepper *s, void *saved);
/* Where s's trajectory is in the noise counter: the sweep cell and the start (run.x0 index). */
void gd_stepper_noise_index(gd_stepper *s, long cell, long start);

/* Two registry entries the analyses use by their tables rather than by name. The linear model
 * (models/linear.c, a gd_game registered as the built-ins are; gd_linear_type its type), set up with J = [[-a, -s], [s, -b]] or changed to it in place: the scalar
 * test problem on which stability regions evaluate an integrator's map. CVODE
 * (integrators/cvode.c): the rate analysis follows the continuous flow with it whatever
 * integrator is configured. */
extern const gd_game gd_game_linear;
const gd_model_type *gd_linear_type(void);
gd_model *gd_linear_create(double a, double b, double s);
void gd_linear_set(gd_model *m, double a, double b, double s);
extern const gd_integrator_type gd_integrator_cvode;
/* The Jacobian of one iteration at the extended state z = (x, the lane's history) as it is
 * along an orbit (map_dim x map_dim): the rule's analytic one when the rule has no history or
 * declares jacobian_any_history, else central differences of the step on z (the lane's history
 * and iteration count are restored). *analytic tells which. */
int gd_stepper_state_jacobian(gd_stepper *s, const double *z, double *M, int *analytic);
/* One iteration of the extended state z = (x, history) in place, through the lane's history
 * (left holding z's new history); the stepper's counters are not advanced. */
int gd_stepper_step_state(gd_stepper *s, double *z);
/* Set a numeric integrator.* key (or diverge_radius) to v, checked as gd_stepper_set checks
 * its text. */
int gd_stepper_set_double(gd_stepper *s, const char *key, double v);

#endif
