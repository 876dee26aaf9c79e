/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Parameter sweeps (`gandyn sweep`) and phase transitions (`gandyn critical`).
 *
 * The unit of work is a fixed block of GD_BLOCK consecutive cells: OpenMP threads take
 * whole blocks, checkpoints record whole blocks, ranges are rounded to blocks. A cell's
 * result depends only on its index, so any partition gives the same numbers.
 *
 * Per cell: the trajectory from the first start of run.x0 is classified from the
 * distances d_k = |x_k - x*|: diverge if d passed sweep.diverge_radius (the cell is
 * frozen there) or if its late distance exceeds grow_factor d_0 (x* repels, even when a
 * saturating nonlinearity bounds the orbit on a cycle); otherwise the measured
 * per-iteration contraction is (max d over (3N/4, N] / max d over (N/4, N/2])^(2/N) --
 * window maxima, so the ripple of a non-normal spiral does not bias it -- and the cell
 * converges if d_N <= converge_tol d_0, or the contraction is below 1 - rate_tol, the late
 * distance is below the initial one and it keeps shrinking to the end (an orbit levelling off
 * on a cycle around x* does not); it diverges if the contraction is above 1 + rate_tol and the
 * late distance above the initial one; else it oscillates (src/outcome.c, which `run` shares).
 * The prediction is the spectral radius of the one-iteration map at x*.
 */
#include "attractor_impl.h"
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"
#include "sweep_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5_hl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* [sweep]: the axes, how cells are classified and run (critical reads the same). */
static const char *const kernels[] = {"auto", "cell", NULL};
static const char *const measures[] = {"state", "generator", NULL};
#define S(f) offsetof(sweep_opts, f)
static const gd_param sweep_params[] = {
    {"x", GD_P_STRING, S(x), "integrator.h:0.01:2:200:log", "sweep axis KEY:LO:HI:N[:lin|log]", 0, 0, 0, NULL},
    {"y", GD_P_STRING, S(y), "", "optional second sweep axis", 0, 0, 0, NULL},
    {"converge_tol", GD_P_DOUBLE, S(converge_tol), "1e-8", "converged: final distance to the equilibrium below tol * initial distance", 0, 1, GD_PF_LO_OPEN, NULL},
    {"diverge_radius", GD_P_DOUBLE, S(diverge_radius), "1e6", "diverged: norm above this, or not finite", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"grow_factor", GD_P_DOUBLE, S(grow_factor), "1e3", "observed diverge also when the late distance to x* exceeds grow_factor x the initial one (x* repels, even if a cycle bounds the orbit)", 1, INFINITY, GD_PF_LO_OPEN, NULL},
    {"measure", GD_P_ENUM, S(measure), "state", "distances to x* that classify cells: state (all coordinates) | generator (its coordinates only; for states that carry history, e.g. kernel_gda exact)", 0, 0, 0, measures},
    {"adaptive_steps", GD_P_INT, S(adaptive_steps), "0", "1: each cell runs min(integrator.steps, max(20, 30/|ln rho|)) iterations from its predicted rho (rho < 1), so fast cells are measured above round-off; per-cell kernel only", 0, 1, 0, NULL},
    {"kernel", GD_P_ENUM, S(kernel), "auto", "auto (the batched kernel where it applies) | cell (every cell through the stepper)", 0, 0, 0, kernels},
    {"noise_factor", GD_P_DOUBLE, S(noise_factor), "10", "with gradient noise: converged when the RMS distance to x* over the last quarter of the steps is within noise_factor x sqrt(tr Sigma_pred), the predicted stationary spread", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"attractor", GD_P_INT, S(attractor), "0", "attractor fields per cell (/sweep/attractor, period, amplitude, lyap1, rotation, period_t, unstable, steps_used) and, when both axes are run.x0.K, basins: 0 none, 1 the tests on each cell's last sweep.tail states (fixed, periodic by returns, stall; batched with the rule; other cells undetermined), 2 also the full classes of those cells (centroid seeding, Lyapunov exponents; up to attractor.max_steps iterations each). Maps on their whole state (history included); cvode flows cell by cell (basins too: cycles matched by their samples)", 0, 2, 0, NULL},
    {"tail", GD_P_INT, S(tail), "512", "states per cell kept (the last ones of integrator.steps, with the rule's history) for the attractor fields; cvode: samples every attractor.dt after the sweep's run", 16, 65536, 0, NULL},
    {"rate_tol", GD_P_DOUBLE, S(rate_tol), "1e-6", "observed converge / diverge also when the measured contraction is below 1 - tol / above 1 + tol", 0, 1, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef S
const gd_section gd_section_sweep = {"sweep", sweep_params, sizeof(sweep_opts), offsetof(gd_sim, sweep)};

enum { AX_MODEL, AX_INTEGRATOR, AX_X0 };

typedef struct {
    char key[128];   /* as written: section.key */
    const char *name; /* the part after the section */
    int kind, coord, batch; /* AX_*; run.x0 coordinate; index in the model's batch_params or -1 */
    const gd_param *rule_cell; /* a double option of the rule that its batched step reads per cell, or NULL */
    double lo, hi;
    long n;
    int log;
    double *values;
} axis;

/* phase: the dominant map eigenvalue, 0 monotone (real > 0), 1 spiral, 2 alternating (real < 0).
 * A cell as computed, and as a record of checkpoints and gd_sweep_export. */
typedef struct {
    signed char outcome, predicted, phase, failure; /* failure: a gd_failure */
    double rho, rate, sigma_pred;
    signed char cls, unstable; /* the attractor fields (sweep.attractor > 0): a GD_ATTRACTOR_* class */
    int period;
    double amplitude, lyap1, rotation, period_t;
    long steps_used;
} cell;

/* The per-cell results as the sweep keeps them: one array per column, in the order of the
 * file's datasets (column_names) -- the labels of enum L_* (outcome, predicted, phase, solver
 * failure), then rho and rate. The getters return these arrays. */
enum { L_OUTCOME, L_PREDICTED, L_PHASE, L_FAILURE, L_COUNT };
typedef struct {
    signed char *label[L_COUNT];
    double *rho, *rate;
    double *sigma_pred; /* with gradient noise: tr of the predicted stationary covariance (NaN: none) */
    /* sweep.attractor > 0 only (else NULL): class, unstable, period, amplitude, lyap1, rotation,
     * period_t, steps_used */
    signed char *cls, *unstable;
    int *period;
    double *amplitude, *lyap1, *rotation, *period_t;
    long *steps_used;
} columns;

/* A basin sweep's attractor, as a cell found it: class and period; the polished orbit (fixed,
 * periodic) or a subsample of the kept states (the rest, and a flow's cycle), m points;
 * L = max(1, max |x|); a flow's cycle: its period T and the largest gap between consecutive
 * points of the subsample. */
typedef struct {
    signed char cls;
    int period, m;
    double L, rotation, lyap1, period_t, spacing;
    double *pts; /* m x dim */
} basin_att;
typedef struct {
    basin_att *a; /* in order of first appearance in the block */
    int n;
} basin_tab;
#define BASIN_SUBSAMPLE 256

struct gd_sweep {
    gd_sim *base;
    axis ax[2];
    int naxes, batched, threads;
    long nx, ny, ncells, nblocks;
    columns col;
    unsigned char *done; /* per block */
    long ndone;          /* cells */
    gd_sweep_monitor monitor;
    void *monitor_user;
    double monitor_every;
    double *base_eq; /* batched: the configuration's x* (gd_sweep_create) */
    int eq_found;    /* base_eq is one (else zeros) */
    int ckpt_fd;
    char ckpt_path[1024]; /* for messages */
    uint64_t ckpt_hash;
    volatile sig_atomic_t cancel;
    long tail;        /* sweep.attractor: states kept per cell, min(sweep.tail, integrator.steps); flows: samples */
    int nm;           /* a kept state: the map's (gd_stepper_map_dim: the state, then the rule's history) */
    int flow;         /* sweep.attractor on a flow (cvode): cells classified by src/attractor_flow.c */
    basin_tab *btab;  /* basins: per block, its attractors (NULL: a block not computed here) */
    int *blabel;      /* basins: per cell, the index in its block's table; -1 diverge, -2 none */
    int *basin;       /* basins: the labels, once every block's table is here (else NULL) */
    basin_att **gatt; /* the distinct attractors, in order of their labels */
    int basin_lost;   /* basins: some cells came without their labels (a part or rank without them) */
    double *center;   /* basins: the configuration's equilibrium (else 0), the centre of mirrored orbits */
    int ngatt;
    char msg[GD_MSG_LEN];
};

static void put_cell(gd_sweep *w, long i, const cell *c)
{
    w->col.label[L_OUTCOME][i] = c->outcome, w->col.label[L_PREDICTED][i] = c->predicted;
    w->col.label[L_PHASE][i] = c->phase, w->col.label[L_FAILURE][i] = c->failure;
    w->col.rho[i] = c->rho, w->col.rate[i] = c->rate, w->col.sigma_pred[i] = c->sigma_pred;
    if (!w->col.cls) return;
    w->col.cls[i] = c->cls, w->col.unstable[i] = c->unstable, w->col.period[i] = c->period;
    w->col.amplitude[i] = c->amplitude, w->col.lyap1[i] = c->lyap1, w->col.rotation[i] = c->rotation, w->col.steps_used[i] = c->steps_used;
    w->col.period_t[i] = c->period_t;
}

/* The record of cell i, padding bytes zero (records are hashed and sent as bytes). */
static void get_cell(const gd_sweep *w, long i, cell *c)
{
    memset(c, 0, sizeof *c);
    c->outcome = w->col.label[L_OUTCOME][i], c->predicted = w->col.label[L_PREDICTED][i];
    c->phase = w->col.label[L_PHASE][i], c->failure = w->col.label[L_FAILURE][i];
    c->rho = w->col.rho[i], c->rate = w->col.rate[i], c->sigma_pred = w->col.sigma_pred[i];
    if (!w->col.cls) return;
    c->cls = w->col.cls[i], c->unstable = w->col.unstable[i], c->period = w->col.period[i];
    c->amplitude = w->col.amplitude[i], c->lyap1 = w->col.lyap1[i], c->rotation = w->col.rotation[i], c->steps_used = w->col.steps_used[i];
    c->period_t = w->col.period_t[i];
}

/* ---------------------------------------------------------------- axes --------- */
/* Index of a parameter the batched field takes per cell in this configuration, or -1. */
static int find_batch_param(const gd_model *m, const char *name)
{
    for (int j = 0; m->type->batch_params && m->type->batch_params[j]; j++)
        if (strcmp(m->type->batch_params[j], name) == 0) return !m->type->batch_varies || m->type->batch_varies(m, j) ? j : -1;
    return -1;
}

static int parse_axis(gd_sweep *w, const char *spec, axis *a)
{
    char *msg = w->base->msg;
    int rc = gd_parse_axis(spec, a->key, sizeof a->key, &a->lo, &a->hi, &a->n, &a->log, msg);
    if (rc != GD_OK) return rc;
    const gd_model *m = w->base->model;
    a->name = strchr(a->key, '.') ? strchr(a->key, '.') + 1 : a->key;
    a->batch = -1;
    if (strncmp(a->key, "run.x0.", 7) == 0) {
        char *end;
        a->kind = AX_X0;
        a->coord = (int)strtol(a->key + 7, &end, 10);
        if (*end || end == a->key + 7 || a->coord < 0 || a->coord >= m->dim)
            return gd_fmt(msg, GD_EUSAGE, "sweep axis %s: coordinate must be 0..%d", a->key, m->dim - 1);
    } else if (strncmp(a->key, "model.", 6) == 0 && strcmp(a->name, "name") != 0) {
        a->kind = AX_MODEL;
        a->batch = find_batch_param(m, a->name);
    } else if (strncmp(a->key, "integrator.", 11) == 0 && strcmp(a->name, "name") != 0) {
        const gd_integrator_type *t = w->base->stepper->type;
        const gd_param *p = t->cell_options ? gd_param_find(t->params, a->name) : NULL;
        a->kind = AX_INTEGRATOR;
        a->rule_cell = p && p->type == GD_P_DOUBLE ? p : NULL;
    } else if (gd_wrap_param(a->key, &(const char *){NULL})) { /* lookahead.*, modifier.*: the stepper's, by their full name */
        a->kind = AX_INTEGRATOR;
        a->name = a->key;
    } else {
        return gd_fmt(msg, GD_EUSAGE, "sweep axis %s: sweep a numeric model.*, integrator.*, lookahead.*, modifier.* key or run.x0.K", a->key);
    }
    a->values = malloc(sizeof(double) * (size_t)a->n);
    if (!a->values) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    for (long i = 0; i < a->n; i++) a->values[i] = gd_axis_value(a->lo, a->hi, a->n, a->log, i);
    return GD_OK;
}

/* ---------------------------------------------------------------- contexts ----- */
/* A thread's cell context. The set-up model is read-only and shared by every thread, each
 * with a stepper of its own (its own workspace: the reentrancy contract of gandyn.h), unless
 * a model key is swept: then cells set the model up again, and each thread has its own copy
 * of the configuration (sim). cfg is whose [run] and [sweep] options apply: the sweep's sim,
 * or critical's copy. */
typedef struct {
    const gd_sim *cfg;
    gd_sim *sim;          /* own copy, or NULL */
    gd_model *model;      /* the cells' model: the shared one, or sim's */
    gd_stepper *stepper;  /* the thread's own */
    double *x0, *eq, *J;
    int eq_ok;
    /* What the last cell set, so that the next one redoes only what changed (cells run
     * row-major: the y axis keeps its value along a row): each axis's model value, and the
     * start, model and set-up the equilibrium was found for. */
    double model_value[2];
    int model_set[2];
    double *eq_x0;
    const gd_model *eq_model;
    unsigned long eq_generation;
    /* J's eigenvalues at eq (n each), for rules with a spectral mapping (ctx_rho); valid
     * until the equilibrium is found again */
    double *lam_re, *lam_im;
    int lam_ok;
    double *z; /* sweep.attractor: the cell's last states (tail x dim) */
} ctx;

static void ctx_free(ctx *c)
{
    if (!c->sim) gd_stepper_free(&c->stepper);
    gd_sim_free(&c->sim);
    free(c->x0);
    free(c->z);
}

/* A copy of the configuration (model keys swept, or critical's probes), else a stepper of
 * its own on the shared model with the sweep's options. */
static int ctx_init(const gd_sweep *w, ctx *c, int copy)
{
    memset(c, 0, sizeof *c);
    const gd_sim *base = w->base;
    int n = base->model->dim;
    for (int k = 0; k < w->naxes; k++) copy |= w->ax[k].kind == AX_MODEL;
    copy |= base->sweep->attractor == 2 || w->flow; /* the exponents, a flow's attractor: on a sim of the thread's own */
    if (copy && (c->sim = gd_sim_clone(base))) c->model = c->sim->model, c->stepper = c->sim->stepper;
    if (!copy && (c->stepper = gd_stepper_create(base->stepper->type, base->model))) {
        c->model = base->model;
        gd_stepper_copy_options(c->stepper, base->stepper);
        if (gd_stepper_setup(c->stepper) != GD_OK) gd_stepper_free(&c->stepper);
    }
    c->cfg = c->sim ? c->sim : base;
    /* x0, eq (n each), then the map's Jacobian and eigenvalues: the map is on the state with
     * the rule's history (optimistic: 2n, adam: 3n) */
    size_t nm = (size_t)n * (size_t)(1 + base->stepper->type->history);
    c->x0 = malloc(sizeof(double) * ((size_t)5 * n + nm * nm + 2 * nm));
    if (w->tail && (!w->flow || w->btab)) c->z = malloc(sizeof(double) * (size_t)w->tail * (size_t)w->nm); /* a flow's: a basin sweep's samples */
    if (!c->stepper || !c->x0 || (w->tail && (!w->flow || w->btab) && !c->z)) {
        ctx_free(c);
        return GD_ENOMEM;
    }
    c->eq = c->x0 + n;
    c->eq_x0 = c->eq + n;
    c->lam_re = c->eq_x0 + n;
    c->lam_im = c->lam_re + n;
    c->J = c->lam_im + n;
    return GD_OK;
}

/* The model's equilibrium, else Newton from x0, in the thread's workspace. */
static int ctx_equilibrium(ctx *c)
{
    gd_model_ws *ws = c->stepper->ws;
    if (c->model->type->equilibrium) return gd_model_equilibrium_ws(c->model, ws, c->eq);
    return gd_model_newton_ws(c->model, ws, c->x0, c->eq);
}

/* ctx_equilibrium unless the last cell's holds: the same set-up model and, for Newton, the
 * same start (the search is deterministic). */
static void ctx_cell_equilibrium(ctx *c)
{
    const gd_model *m = c->model;
    size_t bytes = sizeof(double) * (size_t)m->dim;
    if (c->eq_model == m && c->eq_generation == m->generation && (m->type->equilibrium || !memcmp(c->eq_x0, c->x0, bytes))) return;
    c->eq_ok = ctx_equilibrium(c) == GD_OK;
    c->lam_ok = 0;
    c->eq_model = m, c->eq_generation = m->generation;
    memcpy(c->eq_x0, c->x0, bytes);
}

/* Configure the context for the axis values of cell i. */
static int ctx_cell(const gd_sweep *w, ctx *c, long i, char *msg)
{
    gd_model *m = c->model;
    gd_stepper *st = c->stepper;
    long ix[2] = {i % w->nx, i / w->nx};
    int n = m->dim, model_dirty = 0, step_dirty = 0, rates_only = 1, rc = GD_OK;
    memcpy(c->x0, w->base->starts, sizeof(double) * (size_t)n);
    for (int k = 0; k < w->naxes && rc == GD_OK; k++) {
        const axis *a = &w->ax[k];
        double v = a->values[ix[k]];
        if (a->kind == AX_X0) c->x0[a->coord] = v;
        else if (a->kind == AX_MODEL) { /* only on a thread's own copy (ctx_init) */
            if (c->model_set[k] && c->model_value[k] == v) continue; /* set up for it already */
            const gd_param *p = gd_param_find(m->type->params, a->name);
            c->model_set[k] = 0; /* until the setup below succeeds */
            rc = p ? gd_param_apply_double(p, m->opts, v, "model", m->msg) : gd_model_set(m, a->name, "0");
            model_dirty = 1;
        } else {
            rc = gd_stepper_set_double(st, a->name, v);
            step_dirty = 1;
            rates_only &= !strcmp(a->name, "h") || !strcmp(a->name, "lr_g") || !strcmp(a->name, "lr_d");
        }
        if (rc != GD_OK) gd_fmt(msg, rc, "%s", a->kind == AX_MODEL ? m->msg : st->msg);
    }
    if (rc == GD_OK && model_dirty && (rc = gd_model_setup(m)) != GD_OK) gd_fmt(msg, rc, "%s", m->msg);
    for (int k = 0; k < w->naxes && rc == GD_OK && model_dirty; k++)
        if (w->ax[k].kind == AX_MODEL) c->model_set[k] = 1, c->model_value[k] = w->ax[k].values[ix[k]];
    /* A model's default start can depend on the swept parameters (a warm-started
     * discriminator): take the cell's own, then the start-coordinate axes on top. */
    if (rc == GD_OK && !c->cfg->run->x0[0]) {
        if ((rc = gd_model_default_start(m, c->x0)) != GD_OK) gd_fmt(msg, rc, "%s", m->msg);
        for (int k = 0; k < w->naxes; k++)
            if (w->ax[k].kind == AX_X0) c->x0[w->ax[k].coord] = w->ax[k].values[ix[k]];
    }
    if (rc == GD_OK && step_dirty && (rc = rates_only ? gd_stepper_update_rates(st) : gd_stepper_setup(st)) != GD_OK)
        gd_fmt(msg, rc, "%s", st->msg);
    if (step_dirty && !rates_only) c->lam_ok = 0; /* a modifier key changes the J the rules see */
    if (rc == GD_OK) ctx_cell_equilibrium(c);
    gd_stepper_noise_index(st, i, 0);
    return rc;
}

/* The map's eigenvalues at x* by spectral mapping, into wr, wi (the map's dimension): the
 * rule's amplification of each eigenvalue h lambda of J (as the rules see it: a [modifier]'s
 * J~), J's spectrum solved once per equilibrium and rule options. 0 when the rule has no
 * mapping, the players' steps differ or a lookahead cycles the map (it is then no function of
 * hJ). */
static int ctx_mapped_eigenvalues(ctx *c, double *wr, double *wi)
{
    gd_stepper *st = c->stepper;
    int n = st->dim;
    if (!st->type->amplify || gd_stepper_map_steps(st) != 1) return 0;
    for (int k = 1; k < n; k++)
        if (st->hv[k] != st->hv[0]) return 0;
    if (!c->lam_ok) {
        if (gd_stepper_jacobian(st, c->eq, c->J) != GD_OK || gd_eigenvalues(n, c->J, c->lam_re, c->lam_im) != GD_OK) return 0;
        c->lam_ok = 1;
    }
    double h = st->hv[0];
    for (int k = 0, m = 0; k < n; k++) m += st->type->amplify(st, h * c->lam_re[k], h * c->lam_im[k], wr + m, wi + m);
    return 1;
}

/* Spectral radius of the one-iteration map at x* (NaN without an equilibrium); *phase
 * from its dominant eigenvalue. */
static double ctx_rho(ctx *c, signed char *phase)
{
    gd_stepper *st = c->stepper;
    int n = st->dim, nm = gd_stepper_map_dim(st);
    double *wr = c->J + nm * nm, *wi = wr + nm, rho = 0;
    if (!c->eq_ok) return NAN;
    if (!st->type->fixed_step) { /* cvode: exp(T lambda) over one output interval */
        if (gd_model_jacobian_ws(c->model, st->ws, c->eq, c->J) != GD_OK || gd_eigenvalues(n, c->J, wr, wi) != GD_OK) return NAN;
        double T = st->type->interval(st), mx = -INFINITY;
        int kd = 0;
        for (int k = 0; k < n; k++)
            if (wr[k] > mx) mx = wr[k], kd = k;
        *phase = wi[kd] != 0; /* exp(T lambda) of the flow is never real-negative */
        return exp(T * mx);
    }
    if (!ctx_mapped_eigenvalues(c, wr, wi) && (gd_stepper_map_jacobian(st, c->eq, c->J, NULL) != GD_OK || gd_eigenvalues(nm, c->J, wr, wi) != GD_OK))
        return NAN;
    int kd = 0;
    for (int k = 0; k < nm; k++) {
        double r = hypot(wr[k], wi[k]);
        if (r > rho * (1 + 1e-12)) rho = r, kd = k;
    }
    *phase = fabs(wi[kd]) > 1e-12 * rho ? 1 : wr[kd] < 0 ? 2 : 0;
    return rho;
}

/* With gradient noise: the trace over the measured coordinates of the stationary covariance of
 * the map at x*; NaN where there is none (rho >= 1, no equilibrium). */
static double ctx_sigma_pred(ctx *c, double rho)
{
    gd_stepper *st = c->stepper;
    const int nm = gd_stepper_map_dim(st), mdim = c->cfg->sweep->measure && st->ngen > 0 ? st->ngen : st->dim;
    const size_t nn = (size_t)nm * (size_t)nm;
    double *M = c->eq_ok && rho < 1 ? malloc(sizeof(double) * 2 * nn) : NULL, *S = M ? M + nn : NULL, tr = NAN;
    int draws;
    if (M && gd_stepper_map_jacobian(st, c->eq, M, NULL) == GD_OK && gd_noise_covariance(st, c->eq, M, S, &draws) == GD_OK) {
        tr = 0;
        for (int i = 0; i < mdim; i++) tr += S[(size_t)i * nm + i];
    }
    free(M);
    return tr;
}

/* ---------------------------------------------------------------- cells -------- */
/* One past block blk's last cell (the last block may be short). */
static long block_end(const gd_sweep *w, long blk) { return (blk + 1) * GD_BLOCK < w->ncells ? (blk + 1) * GD_BLOCK : w->ncells; }

/* Block b's cells into the sweep's columns from cs (GD_BLOCK of them: the last block's tail is padding). */
static void put_block(gd_sweep *w, long b, const cell *cs)
{
    for (long i = b * GD_BLOCK; i < block_end(w, b); i++) put_cell(w, i, &cs[i - b * GD_BLOCK]);
}

/* Blocks [i0, i1) (aligned) now hold finished cells. */
static void mark_done(gd_sweep *w, long i0, long i1)
{
    for (long b = i0 / GD_BLOCK; b * GD_BLOCK < i1; b++)
        if (!w->done[b]) {
            w->done[b] = 1;
            w->ndone += block_end(w, b) - b * GD_BLOCK;
        }
}

/* A cell's outcome and contraction, by the rule every trajectory's is (src/outcome.c). */
static void classify(const gd_sim *s, const gd_track *tr, cell *out)
{
    out->outcome = (signed char)gd_track_outcome(s, tr, out->sigma_pred, &out->rate);
}

/* A map state into z: x, then the nm - dim values of the rule's history after it. */
static void keep_state(const gd_stepper *st, const double *x, double *z, int nm)
{
    memcpy(z, x, sizeof(double) * (size_t)st->dim);
    if (nm > st->dim) memcpy(z + st->dim, st->lane.hist, sizeof(double) * (size_t)(nm - st->dim));
}

/* One cell through the configured stepper, for `steps` iterations (0: integrator.steps),
 * keeping the map states (nm each: the state, then the rule's history) of the last `tail` in
 * c->z. A solver failure counts as divergence. Returns the iteration at which it diverged (0:
 * never); the last state stays in c->J. */
static long run_cell(ctx *c, cell *out, long steps, long tail, int nm_keep)
{
    const gd_sim *s = c->cfg;
    gd_stepper *st = c->stepper;
    int n = st->dim, nm = s->sweep->measure && st->ngen > 0 ? st->ngen : n; /* measured coordinates: the first nm */
    double *x = c->J, *eq = c->eq_ok ? c->eq : c->J + n, t = 0;
    if (!c->eq_ok) memset(eq, 0, sizeof(double) * (size_t)n);
    memcpy(x, c->x0, sizeof(double) * (size_t)n);
    gd_model_project(c->model, x);
    double d0 = gd_dist2(nm, x, eq), d = d0, R2 = st->o.diverge_radius * st->o.diverge_radius;
    gd_track tr;
    gd_track_start(&tr, s, d0, steps > 0 ? steps : st->o.steps, nm, eq);
    out->failure = GD_FAIL_NONE;
    long N = tr.N;
    int rc = gd_stepper_reset(st, x);
    for (long k = 1; k <= N && rc >= 0 && !tr.div_at; k++) {
        rc = gd_stepper_step(st, x, &t);
        if (k > N - tail) keep_state(st, x, c->z + (size_t)(k - 1 - (N - tail)) * (size_t)nm_keep, nm_keep); /* the last states, in order */
        d = gd_dist2(nm, x, eq);
        if (rc < 0 || rc == GD_DIVERGED || !(d <= R2)) tr.div_at = k;
        if (rc < 0) out->failure = (signed char)st->failure; /* counts as divergence, recorded as what it was */
        else if (!isfinite(d)) out->failure = GD_FAIL_NONFINITE;
        gd_track_step(&tr, k, d);
    }
    tr.dN = isfinite(d) ? d : R2;
    classify(s, &tr, out);
    return tr.div_at;
}

/* ---------------------------------------------------------------- attractors --- */
/* The attractor columns, one allocation (col.amplitude owns it). */
static int attractor_columns(gd_sweep *w)
{
    size_t n = (size_t)w->ncells;
    double *m = calloc(n, 4 * sizeof(double) + sizeof(long) + sizeof(int) + 2);
    if (!m) return GD_ENOMEM;
    w->col.amplitude = m, w->col.lyap1 = m + n, w->col.rotation = m + 2 * n, w->col.period_t = m + 3 * n;
    w->col.steps_used = (long *)(m + 4 * n);
    w->col.period = (int *)(w->col.steps_used + n);
    w->col.cls = (signed char *)(w->col.period + n), w->col.unstable = w->col.cls + n;
    return GD_OK;
}

static void basin_free(gd_sweep *w)
{
    for (long b = 0; w->btab && b < w->nblocks; b++) {
        for (int j = 0; j < w->btab[b].n; j++) free(w->btab[b].a[j].pts);
        free(w->btab[b].a);
    }
    free(w->btab), free(w->blabel), free(w->basin), free(w->gatt), free(w->center);
    w->btab = NULL, w->blabel = w->basin = NULL, w->gatt = NULL, w->center = NULL;
}

/* The largest distance from a point of x to the nearest point of y (directed Hausdorff), or,
 * with a centre c, of y mirrored through c (2c - y). */
static double set_gap(const basin_att *x, const basin_att *y, int n, const double *c)
{
    double gap = 0, m[64];
    for (int i = 0; i < x->m; i++) {
        double near = INFINITY;
        for (int j = 0; j < y->m && near > gap; j++) {
            const double *yj = y->pts + (size_t)j * n;
            for (int k = 0; c && k < n; k++) m[k] = 2 * c[k] - yj[k];
            near = fmin(near, gd_dist(n, x->pts + (size_t)i * n, c ? m : yj));
        }
        gap = fmax(gap, near);
    }
    return gap;
}

/* Two cells reach the same attractor (docs/bifurcations.md, "Sweeps and basins"): one stall;
 * fixed points and periodic orbits of the same period whose point sets lie within 1e-6 L of
 * each other, a periodic orbit also of its mirror image through the equilibrium c (an odd
 * map's orbits x* and -x*: one attractor up to the symmetry); a flow's cycles of periods T
 * within 1e-6 of each other whose samples, taken at other phases, lie within 1e-2 L plus half
 * the other's spacing; the rest by Hausdorff distance < 1e-2 L of their subsamples, rotation
 * within 1e-3 and lambda_1 within 0.02 (NaN only matches NaN). */
static int same_attractor(const basin_att *x, const basin_att *y, int n, const double *c)
{
    if (x->cls != y->cls || x->period != y->period || isnan(x->period_t) != isnan(y->period_t)) return 0;
    if (x->cls == GD_ATTRACTOR_STALL) return 1;
    const double L = fmax(x->L, y->L);
    if (!isnan(x->period_t))
        return fabs(x->period_t - y->period_t) <= 1e-6 * fmax(x->period_t, y->period_t) && set_gap(x, y, n, NULL) < 1e-2 * L + y->spacing / 2 &&
               set_gap(y, x, n, NULL) < 1e-2 * L + x->spacing / 2;
    const double tol = x->period > 0 ? 1e-6 * L : 1e-2 * L;
    if (x->period == 0) {
        if (isnan(x->rotation) != isnan(y->rotation) || fabs(x->rotation - y->rotation) >= 1e-3) return 0;
        if (isnan(x->lyap1) != isnan(y->lyap1) || fabs(x->lyap1 - y->lyap1) >= 0.02) return 0;
    }
    if (set_gap(x, y, n, NULL) < tol && set_gap(y, x, n, NULL) < tol) return 1;
    return x->cls == GD_ATTRACTOR_PERIODIC && x->period > 1 && n <= 64 && set_gap(x, y, n, c) < tol && set_gap(y, x, n, c) < tol;
}

/* The cell's entry in its block's table (appended when new): its index there. z: S map states
 * of nm values, whose first n (the model's coordinates) place the attractor. */
static int basin_entry(basin_tab *tab, const gd_attractor_result *r, const double *z, long S, int n, int nm, const double *c, int *label)
{
    const int cycle = r->cls == GD_ATTRACTOR_PERIODIC && !isnan(r->period_t); /* a flow's: placed by its samples */
    basin_att e = {(signed char)r->cls, r->cls == GD_ATTRACTOR_FIXED ? 1 : r->period, 0, 1, r->rotation, NAN, cycle ? r->period_t : NAN, 0, NULL};
    int orbit = r->orbit && e.period > 0 && !cycle, stall = e.cls == GD_ATTRACTOR_STALL;
    long step = S > BASIN_SUBSAMPLE ? S / BASIN_SUBSAMPLE : 1;
    e.m = stall ? 0 : orbit ? e.period : (int)((S + step - 1) / step);
    e.lyap1 = r->lyapunov ? r->lyapunov[0] : NAN;
    for (long k = 0; k < S; k++) e.L = fmax(e.L, gd_norm(n, z + (size_t)k * nm));
    if (e.m && !(e.pts = malloc(sizeof(double) * (size_t)e.m * (size_t)n))) return GD_ENOMEM;
    for (int j = 0; j < e.m; j++) memcpy(e.pts + (size_t)j * n, orbit ? r->orbit + (size_t)j * r->dim : z + (size_t)j * step * nm, sizeof(double) * (size_t)n);
    for (int j = 1; cycle && j < e.m; j++) e.spacing = fmax(e.spacing, gd_dist(n, e.pts + (size_t)j * n, e.pts + (size_t)(j - 1) * n));
    for (int j = 0; j < tab->n; j++)
        if (same_attractor(&tab->a[j], &e, n, c)) {
            free(e.pts);
            *label = j;
            return GD_OK;
        }
    basin_att *grown = realloc(tab->a, sizeof *grown * (size_t)(tab->n + 1));
    if (!grown) {
        free(e.pts);
        return GD_ENOMEM;
    }
    tab->a = grown;
    tab->a[tab->n] = e;
    *label = tab->n++;
    return GD_OK;
}

/* The fields of a result: class, period, amplitude, rotation, lyap1 (gd_attractor_lambda1). */
static void cell_fields(const gd_attractor_result *r, int flow, cell *out)
{
    out->cls = (signed char)r->cls, out->unstable = (signed char)r->unstable, out->period = r->period;
    out->amplitude = r->amplitude, out->rotation = r->rotation, out->period_t = r->period_t, out->steps_used += r->steps;
    if (r->lyapunov || (r->orbit && r->period > 0)) out->lyap1 = gd_attractor_lambda1(r, flow);
}

static void cell_unknown(long steps, long div_at, cell *out)
{
    out->period = 0, out->unstable = 0, out->amplitude = out->lyap1 = out->rotation = out->period_t = NAN;
    out->steps_used = div_at ? div_at : steps;
    out->cls = div_at ? GD_ATTRACTOR_DIVERGE : GD_ATTRACTOR_UNDETERMINED;
}

/* The attractor fields of a cell of a map from its last S map states z (in order, nm values
 * each), after N iterations or divergence at div_at; with basins, its index in the block's
 * table. The stepper is left as gd_sim_attractor leaves its own after sampling: the iteration
 * count of the last state (adam's bias correction), so that both classify with the same map. */
static int cell_attractor(const gd_sweep *w, ctx *c, long S, long N, long div_at, cell *out, basin_tab *tab, int *label, char *msg)
{
    const int n = c->model->dim, nm = w->nm;
    cell_unknown(N, div_at, out);
    if (label) *label = -1;
    if (div_at) return GD_OK;
    gd_attractor_result r;
    const double *eq = c->eq_ok ? c->eq : NULL;
    c->stepper->lane.iter = N;
    int rc = gd_attractor_of_samples(NULL, c->cfg, c->stepper, eq, c->z, S, &r, msg);
    if (rc == GD_OK && r.cls == GD_ATTRACTOR_UNDETERMINED && w->base->sweep->attractor == 2) {
        out->amplitude = r.amplitude, out->rotation = r.rotation; /* the samples' own, should the exponents fail */
        gd_attractor_result_free(&r);
        /* the exponents average from the first kept state on, with its history and iteration
         * count, as gd_sim_attractor's from its first sample (on a map whose state restarts each
         * lookahead cycle the history is not kept: the rule's reset one) */
        long first = N - S + 1;
        gd_resume R = {1, c->z, c->z + n, &first};
        memcpy(c->sim->starts, c->z, sizeof(double) * (size_t)n);
        c->sim->resume = nm > n || !c->stepper->type->history ? &R : NULL;
        c->stepper->lane.iter = N; /* the tests again, as the first time */
        rc = gd_attractor_of_samples(c->sim, c->cfg, c->stepper, eq, c->z, S, &r, msg);
        c->sim->resume = NULL;
        if (label && rc == GD_ESOLVER) *label = -2;
        if (rc == GD_ESOLVER) return GD_OK; /* the exponents failed (adam where v is 0: no derivative): undetermined */
    }
    if (rc != GD_OK) return rc;
    cell_fields(&r, 0, out);
    if (label) *label = -2; /* undetermined: no label */
    if (tab && r.cls != GD_ATTRACTOR_UNDETERMINED) rc = basin_entry(tab, &r, c->z, S, n, nm, w->center, label);
    gd_attractor_result_free(&r);
    return rc == GD_OK ? GD_OK : gd_fmt(msg, rc, "out of memory");
}

/* The attractor fields of a flow's cell (cvode): the flow classes of `gandyn attractor`
 * (src/attractor_flow.c) on the thread's sim set up for the cell, from the state x the sweep's
 * run reached after N output intervals (that run is the transient): sweep.tail samples every
 * attractor.dt; the exponents with sweep.attractor = 2 only. A solver failure leaves the cell
 * undetermined. */
static int cell_attractor_flow(const gd_sweep *w, ctx *c, const double *x, long N, long div_at, cell *out, basin_tab *tab, int *label, char *msg)
{
    gd_attractor_result r;
    const int n = c->model->dim;
    cell_unknown(N, div_at, out);
    if (label) *label = div_at ? -1 : -2;
    if (div_at) return GD_OK;
    memcpy(c->sim->starts, x, sizeof(double) * (size_t)n);
    int rc = gd_attractor_of_flow(c->sim, w->tail, w->base->sweep->attractor == 2, &r, tab ? c->z : NULL);
    if (rc == GD_ESOLVER) return GD_OK;
    if (rc != GD_OK) return gd_fmt(msg, rc, "%s", c->sim->msg);
    cell_fields(&r, 1, out);
    if (label && r.cls == GD_ATTRACTOR_DIVERGE) *label = -1;
    if (tab && r.cls != GD_ATTRACTOR_UNDETERMINED && r.cls != GD_ATTRACTOR_DIVERGE) rc = basin_entry(tab, &r, c->z, w->tail, n, n, w->center, label);
    gd_attractor_result_free(&r);
    return rc == GD_OK ? GD_OK : gd_fmt(msg, rc, "out of memory");
}

/* The labels of a basin sweep, once every block's table is here: blocks in order, each
 * block's attractors in its order of first appearance, give row-major first appearance. */
static int basin_finish(gd_sweep *w)
{
    if (!w->btab || w->basin || w->basin_lost || w->ndone < w->ncells) return GD_OK;
    for (long b = 0; b < w->nblocks; b++)
        if (w->btab[b].n < 0) return GD_OK; /* a block imported without its table: no basins */
    const int n = w->base->model->dim;
    int *labels = malloc(sizeof(int) * (size_t)w->ncells), map[GD_BLOCK];
    w->gatt = malloc(sizeof *w->gatt * (size_t)w->ncells); /* at most one attractor per cell */
    if (!labels || !w->gatt) {
        free(labels);
        return GD_ENOMEM;
    }
    for (long b = 0; b < w->nblocks; b++) {
        basin_tab *t = &w->btab[b];
        for (int j = 0; j < t->n; j++) {
            int g = 0;
            while (g < w->ngatt && !same_attractor(w->gatt[g], &t->a[j], n, w->center)) g++;
            if (g == w->ngatt) w->gatt[w->ngatt++] = &t->a[j];
            map[j] = g;
        }
        for (long i = b * GD_BLOCK; i < block_end(w, b); i++) labels[i] = w->blabel[i] >= 0 ? map[w->blabel[i]] : w->blabel[i];
    }
    w->basin = labels;
    return GD_OK;
}

/* Block blk's basin table, emptied for the cells about to fill it (NULL: no basins). */
static basin_tab *block_table(const gd_sweep *w, long blk)
{
    if (!w->btab) return NULL;
    basin_tab *t = &w->btab[blk];
    for (int j = 0; j < t->n; j++) free(t->a[j].pts);
    free(t->a);
    t->a = NULL, t->n = 0;
    return t;
}

/* A basin sweep's labels and attractor tables travel with its cells (MPI ranks, --cells parts)
 * as one array of doubles: the labels of cells [i0, i1), then for every block covering them
 * its index, its attractor count and each attractor (BASIN_FIELDS numbers, then m x dim
 * points). Every value is copied exactly, so the importing process numbers the labels as a
 * single run does. *len: the doubles written (buf NULL: counted only); GD_ENOTAVAIL when a
 * block's table is not here (its cells imported without it). */
#define BASIN_FIELDS 8
static int aligned(const gd_sweep *w, long i0, long i1);
static int pack_basin(const gd_sweep *w, long i0, long i1, double *buf, size_t *len)
{
    const size_t n = (size_t)w->base->model->dim;
    size_t k = 0;
    for (long i = i0; i < i1; i++, k++)
        if (buf) buf[k] = w->blabel[i];
    for (long b = i0 / GD_BLOCK; b * GD_BLOCK < i1; b++, k += 2) {
        const basin_tab *t = &w->btab[b];
        if (t->n < 0) return GD_ENOTAVAIL;
        if (buf) buf[k] = (double)b, buf[k + 1] = t->n;
        for (int j = 0; j < t->n; j++) {
            const basin_att *e = &t->a[j];
            const double f[BASIN_FIELDS] = {e->cls, e->period, e->m, e->L, e->rotation, e->lyap1, e->period_t, e->spacing};
            if (buf) memcpy(buf + k + 2, f, sizeof f);
            if (buf && e->m) memcpy(buf + k + 2 + BASIN_FIELDS, e->pts, sizeof(double) * (size_t)e->m * n);
            k += BASIN_FIELDS + (size_t)e->m * n;
        }
    }
    *len = k;
    return GD_OK;
}

/* One attractor of a packed table from buf[0, left), *used numbers: 1, or 0 when they are
 * damaged, -1 out of memory. */
static int unpack_att(const double *buf, size_t left, size_t n, basin_att *e, size_t *used)
{
    if (left < BASIN_FIELDS) return 0;
    const double *f = buf;
    int whole = f[0] == floor(f[0]) && f[1] == floor(f[1]) && f[2] == floor(f[2]);
    if (!whole || !(f[0] >= GD_ATTRACTOR_FIXED && f[0] < GD_ATTRACTOR_UNDETERMINED) || !(f[1] >= 0 && f[1] <= 1e9) || !(f[2] >= 0 && f[2] <= 1e9) ||
        f[2] * (double)n > (double)(left - BASIN_FIELDS))
        return 0;
    *e = (basin_att){(signed char)f[0], (int)f[1], (int)f[2], f[3], f[4], f[5], f[6], f[7], NULL};
    size_t np = (size_t)e->m * n;
    if (np && !(e->pts = malloc(sizeof(double) * np))) return -1;
    if (np) memcpy(e->pts, buf + BASIN_FIELDS, sizeof(double) * np);
    *used = BASIN_FIELDS + np;
    return 1;
}

/* The inverse of pack_basin: tables of blocks not yet here are kept (a block two parts share
 * was computed whole by both: the same table), then the cells' labels, checked against them. */
static int unpack_basin(gd_sweep *w, long i0, long i1, const double *buf, size_t len)
{
    const size_t n = (size_t)w->base->model->dim;
    size_t k = (size_t)(i1 - i0);
    int ok = len >= k;
    for (long b = i0 / GD_BLOCK; ok && b * GD_BLOCK < i1; b++) {
        ok = len - k >= 2 && buf[k] == (double)b && buf[k + 1] >= 0 && buf[k + 1] <= GD_BLOCK && buf[k + 1] == floor(buf[k + 1]);
        basin_tab t = {NULL, 0};
        int na = ok ? (int)buf[k + 1] : 0;
        k += 2;
        if (ok && na && !(t.a = calloc((size_t)na, sizeof *t.a))) return GD_ENOMEM;
        while (ok > 0 && t.n < na) {
            size_t used = 0;
            if ((ok = unpack_att(buf + k, len - k, n, &t.a[t.n], &used)) > 0) t.n++, k += used;
        }
        if (ok > 0 && w->btab[b].n < 0) w->btab[b] = t;
        else {
            for (int j = 0; j < t.n; j++) free(t.a[j].pts);
            free(t.a);
        }
        if (ok < 0) return GD_ENOMEM;
    }
    for (long i = i0; ok && i < i1; i++) {
        double v = buf[i - i0];
        ok = v == floor(v) && v >= -2 && v < w->btab[i / GD_BLOCK].n;
        if (ok) w->blabel[i] = (int)v;
    }
    return ok && k == len ? GD_OK : GD_EUSAGE;
}

int gd_sweep_export_basin(const gd_sweep *w, long i0, long i1, double *buf, size_t *len)
{
    if (!w || !len) return GD_EUSAGE;
    *len = 0;
    if (!aligned(w, i0, i1)) return gd_fmt(((gd_sweep *)w)->msg, GD_EUSAGE, "basin export of cells [%ld, %ld): need block-aligned cells", i0, i1);
    if (!w->btab) return GD_OK;
    int rc = pack_basin(w, i0, i1, buf, len);
    return rc == GD_OK ? GD_OK : gd_fmt(((gd_sweep *)w)->msg, rc, "basin export of cells [%ld, %ld): not all computed by this process", i0, i1);
}

int gd_sweep_import_basin(gd_sweep *w, long i0, long i1, const double *buf, size_t len)
{
    if (!w || (len && !buf)) return GD_EUSAGE;
    if (w->btab && !buf) { /* the cells came without their labels: the sweep writes no basin */
        w->basin_lost = 1;
        return GD_OK;
    }
    if (!aligned(w, i0, i1)) return gd_fmt(w->msg, GD_EUSAGE, "basin import of cells [%ld, %ld): need block-aligned cells", i0, i1);
    if (!w->btab) return len ? gd_fmt(w->msg, GD_EUSAGE, "basin import into a sweep without basins") : GD_OK;
    int rc = unpack_basin(w, i0, i1, buf, len);
    if (rc == GD_OK) rc = basin_finish(w);
    return rc == GD_OK ? GD_OK : gd_fmt(w->msg, rc, rc == GD_ENOMEM ? "out of memory" : "basin import of cells [%ld, %ld): the tables are damaged", i0, i1);
}

/* The attractor fields of a batched block's cells, from the states the kernel kept. */
static int block_attractors(const gd_sweep *w, ctx *c, const gd_block *b, long blk, long N, cell *out, char *msg)
{
    basin_tab *tab = block_table(w, blk);
    for (int i = 0; i < GD_BLOCK && blk * GD_BLOCK + i < w->ncells; i++) {
        long cid = blk * GD_BLOCK + i;
        int rc = ctx_cell(w, c, cid, msg); /* the cell's stepper and x*, for Newton and the multipliers */
        if (rc != GD_OK) return rc;
        gd_block_tail(b, N, i, c->z);
        if ((rc = cell_attractor(w, c, w->tail, N, (long)b->diverged_at[i], &out[i], tab, w->blabel ? w->blabel + cid : NULL, msg)) != GD_OK) return rc;
    }
    return GD_OK;
}

/* The batched kernel covers this sweep: a rule and a model that run batched (lane rule,
 * batched field for this configuration, box projection), and every axis a start
 * coordinate, a step size, a batch parameter of the model or a double option the rule reads
 * per cell. */
static int can_batch(const gd_sweep *w)
{
    const gd_sim *s = w->base;
    const gd_model *m = s->model;
    if (!gd_batch_available(s->stepper)) return 0;
    for (int k = 0; k < w->naxes; k++) {
        const axis *a = &w->ax[k];
        int step = a->kind == AX_INTEGRATOR && (!strcmp(a->name, "h") || !strcmp(a->name, "lr_g") || !strcmp(a->name, "lr_d"));
        if (!(a->kind == AX_X0 || step || a->batch >= 0 || a->rule_cell)) return 0;
    }
    double *x = calloc(2 * (size_t)m->dim * GD_BLOCK, sizeof(double));
    int ok = x && m->type->field_batch(m, GD_BLOCK, NULL, x, x + (size_t)m->dim * GD_BLOCK) == GD_OK;
    free(x);
    return ok;
}

/* A block through the vectorised kernel; padding cells repeat the block's last cell. */
static void predict(ctx *c, cell *ce)
{
    void *saved = NULL; /* adam, rmsprop with noise: the map at the self-consistent v, as eig's */
    int ok = !c->eq_ok || gd_noise_frozen_v(c->stepper, c->eq, &saved) == GD_OK;
    ce->rho = ok ? ctx_rho(c, &ce->phase) : NAN;
    ce->predicted = isnan(ce->rho) ? GD_OSCILLATE : (signed char)gd_predict_outcome(ce->rho);
    ce->sigma_pred = c->stepper->noise.sigma > 0 ? ctx_sigma_pred(c, ce->rho) : 0;
    gd_noise_restore(c->stepper, saved);
}

/* The block's cells into out (GD_BLOCK; entries past the last cell are left alone). */
static int run_block_batched(const gd_sweep *w, ctx *c, gd_block *b, long blk, cell *out, char *msg)
{
    const gd_sim *s = w->base;
    const gd_model *m = s->model;
    const gd_stepper *st = s->stepper;
    int n = m->dim, np = 0, rc = GD_OK, rule_cells = 0;
    while (m->type->batch_params && m->type->batch_params[np]) np++;
    b->np = 0;
    for (int k = 0; k < w->naxes; k++) b->np |= w->ax[k].batch >= 0, rule_cells |= w->ax[k].rule_cell != NULL;
    if (b->np) b->np = np;
    b->batch.lane.cell = rule_cells ? b->cells : NULL; /* every double option of the rule, per cell */
    for (int i = 0; i < GD_BLOCK; i++) {
        long cid = blk * GD_BLOCK + i;
        if (cid >= w->ncells) cid = w->ncells - 1;
        if ((rc = ctx_cell(w, c, cid, msg)) != GD_OK) return rc;
        if (cid == blk * GD_BLOCK + i) predict(c, &out[i]);
        b->cell[i] = cid;
        const gd_stepper *cs = c->stepper;
        for (int k = 0; k < n; k++) b->x[k * GD_BLOCK + i] = c->x0[k];
        b->hg[i] = cs->hv[0];
        b->hd[i] = cs->hv[n - 1];
        for (int j = 0; j < b->np; j++) {
            const gd_param *p = gd_param_find(m->type->params, m->type->batch_params[j]);
            b->p[j * GD_BLOCK + i] = *(const double *)((const char *)c->model->opts + p->offset);
        }
        int j = 0; /* the columns in rc, in the order of the table's double rows (gd_block_create) */
        for (const gd_param *p = cs->type->params; rule_cells && p->key; p++)
            if (p->type == GD_P_DOUBLE) b->rc[j++ * GD_BLOCK + i] = *(const double *)((const char *)cs->opts + p->offset);
    }
    /* starts inside the projection box, as the stepper's reset would do */
    for (int k = 0; k < n && m->lo; k++)
        for (int i = 0; i < GD_BLOCK; i++) b->x[k * GD_BLOCK + i] = fmin(m->hi[k], fmax(m->lo[k], b->x[k * GD_BLOCK + i]));
    const double *eq = w->base_eq; /* the configuration's x*, for every cell */
    const int mdim = s->sweep->measure && m->ngen > 0 ? m->ngen : n;
    gd_batch_cfg cfg = {.st = st, .mdim = mdim, .steps = st->o.steps, .eq = eq, .R2 = st->o.diverge_radius * st->o.diverge_radius,
                        .G2 = s->sweep->grow_factor * s->sweep->grow_factor, .floor = gd_track_floor(mdim, eq), .park = w->eq_found, .tail = w->tail};
    rc = gd_batch_run(&cfg, b);
    if (rc != GD_OK) return gd_fmt(msg, rc, "batched kernel: %s", gd_strerror(rc));
    for (int i = 0; i < GD_BLOCK && blk * GD_BLOCK + i < w->ncells; i++) {
        double *x = c->J; /* scratch of at least n */
        for (int k = 0; k < n; k++) x[k] = b->x[k * GD_BLOCK + i];
        double dN = gd_dist2(cfg.mdim, x, eq);
        const gd_track tr = {.d0 = b->d0[i], .dN = isfinite(dN) ? dN : cfg.R2, .m1 = b->m1[i], .m2 = b->m2[i], .m2b = b->m2b[i], .s2 = b->s2[i],
                             .dl = b->dl[i], .kl = (long)b->kl[i], .N = cfg.steps, .div_at = (long)b->diverged_at[i], .dg = b->dg[i],
                             .kg = (long)b->kg[i], .floor = cfg.floor, .grow_at = b->grow_at[i]};
        classify(s, &tr, &out[i]);
    }
    return w->col.cls ? block_attractors(w, c, b, blk, cfg.steps, out, msg) : GD_OK;
}

static int run_block_generic(const gd_sweep *w, ctx *c, long blk, cell *out, char *msg)
{
    basin_tab *tab = block_table(w, blk);
    for (long i = blk * GD_BLOCK; i < block_end(w, blk); i++) {
        int rc = ctx_cell(w, c, i, msg);
        if (rc != GD_OK) return rc;
        cell *ce = &out[i - blk * GD_BLOCK];
        predict(c, ce);
        /* adaptive: about 30 e-folds of the predicted rate, so late windows stay above round-off */
        long N0 = c->stepper->o.steps, steps = 0;
        if (c->cfg->sweep->adaptive_steps && ce->rho < 1 && ce->rho > 0) steps = (long)fmin((double)N0, fmax(20.0, ceil(30 / -log(ce->rho))));
        signed char pred = ce->predicted, phase = ce->phase;
        double rho = ce->rho;
        long N = steps ? steps : c->stepper->o.steps, S = w->flow ? 0 : w->tail < N ? w->tail : N;
        long div_at = run_cell(c, ce, N, S, w->nm);
        ce->predicted = pred, ce->phase = phase, ce->rho = rho;
        if (w->flow) rc = cell_attractor_flow(w, c, c->J, N, div_at, ce, tab, w->blabel ? w->blabel + i : NULL, msg);
        else if (w->col.cls) rc = cell_attractor(w, c, S, N, div_at, ce, tab, w->blabel ? w->blabel + i : NULL, msg);
        if (rc != GD_OK) return rc;
    }
    return GD_OK;
}

/* ---------------------------------------------------------------- checkpoints -- */
/* File: "GDSWEEP5", hash of the configuration and axes, cell count; then one record per
 * finished block: block index, the count nb of its basin numbers, its cells, nb doubles (a
 * basin sweep's labels and table of the block, pack_basin; else none), FNV-1a of all that. A
 * record torn by kill -9 fails its hash and is dropped (and overwritten) on resume. */
#define CKPT_MAGIC "GDSWEEP5" /* 2: cells record the solver failure; 3: and the basin tables; 4: outcomes by src/outcome.c; 5: starts at x* */
#define CKPT_HEAD (2 * sizeof(int64_t))
#define CKPT_CELLS (GD_BLOCK * sizeof(cell))
/* the table is packed and read in place, as doubles, in a record buffer from malloc */
_Static_assert((CKPT_HEAD + CKPT_CELLS) % _Alignof(double) == 0, "a record's basin table must start double-aligned");

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

/* Block blk's cells (cs, GD_BLOCK, zero past the last cell), and its basin table, as one record. */
static void record_block(gd_sweep *w, long blk, const cell *cs)
{
    if (w->ckpt_fd < 0) return;
    size_t nb = 0;
    if (w->btab && pack_basin(w, blk * GD_BLOCK, block_end(w, blk), NULL, &nb) != GD_OK) nb = 0;
    size_t n = CKPT_HEAD + CKPT_CELLS + nb * sizeof(double) + sizeof(uint64_t);
    unsigned char *buf = malloc(n);
    if (!buf) {
        gd_fmt(w->msg, GD_ENOMEM, "out of memory for a checkpoint record");
        return;
    }
    const int64_t head[2] = {blk, (int64_t)nb};
    memcpy(buf, head, CKPT_HEAD);
    memcpy(buf + CKPT_HEAD, cs, CKPT_CELLS);
    if (nb) pack_basin(w, blk * GD_BLOCK, block_end(w, blk), (double *)(void *)(buf + CKPT_HEAD + CKPT_CELLS), &nb);
    uint64_t h = fnv(buf, n - sizeof h, w->ckpt_hash);
    memcpy(buf + n - sizeof h, &h, sizeof h);
    /* one write per record: a kill between records leaves whole records */
    if (write(w->ckpt_fd, buf, n) != (ssize_t)n) gd_fmt(w->msg, GD_EIO, "cannot write checkpoint '%s': %s", w->ckpt_path, strerror(errno));
    free(buf);
}

/* The next whole record of a checkpoint into w (its cells, and its basin table if it has one);
 * 0 at the end or at a torn or foreign record. *buf grows as records need. */
static int restore_block(gd_sweep *w, int fd, off_t left, unsigned char **buf)
{
    int64_t head[2];
    if (left < (off_t)CKPT_HEAD || read(fd, head, CKPT_HEAD) != (ssize_t)CKPT_HEAD) return 0;
    const int64_t b = head[0], nb = head[1];
    if (b < 0 || b >= w->nblocks || nb < 0 || nb > (left - (off_t)(CKPT_HEAD + CKPT_CELLS + sizeof(uint64_t))) / (off_t)sizeof(double)) return 0;
    size_t n = CKPT_HEAD + CKPT_CELLS + (size_t)nb * sizeof(double) + sizeof(uint64_t);
    unsigned char *grown = realloc(*buf, n);
    if (!grown) return 0;
    *buf = grown;
    memcpy(grown, head, CKPT_HEAD);
    if (read(fd, grown + CKPT_HEAD, n - CKPT_HEAD) != (ssize_t)(n - CKPT_HEAD)) return 0;
    uint64_t h;
    memcpy(&h, grown + n - sizeof h, sizeof h);
    if (h != fnv(grown, n - sizeof h, w->ckpt_hash)) return 0;
    const double *tab = (const double *)(const void *)(grown + CKPT_HEAD + CKPT_CELLS);
    if (nb && !(w->btab && unpack_basin(w, b * GD_BLOCK, block_end(w, b), tab, (size_t)nb) == GD_OK)) return 0;
    cell cs[GD_BLOCK];
    memcpy(cs, grown + CKPT_HEAD, sizeof cs);
    put_block(w, b, cs);
    mark_done(w, b * GD_BLOCK, block_end(w, b));
    return 1;
}

int gd_sweep_set_checkpoint(gd_sweep *w, const char *path, int resume)
{
    if (!w) return GD_EUSAGE;
    if (w->ckpt_fd >= 0) close(w->ckpt_fd);
    w->ckpt_fd = -1;
    if (!path) return GD_OK;
    snprintf(w->ckpt_path, sizeof w->ckpt_path, "%s", path);
    char head[32];
    memcpy(head, CKPT_MAGIC, 8);
    memcpy(head + 8, &w->ckpt_hash, 8);
    int64_t nc = w->ncells;
    memcpy(head + 16, &nc, 8);
    int fd = open(path, O_RDWR | O_CREAT | (resume ? 0 : O_TRUNC), 0644);
    if (fd < 0) return gd_fmt(w->msg, GD_EIO, "cannot open checkpoint '%s': %s", path, strerror(errno));
    char have[24];
    ssize_t got = resume ? read(fd, have, 24) : 0;
    if (got == 24 && memcmp(have, head, 7) == 0 && have[7] != head[7]) {
        close(fd);
        return gd_fmt(w->msg, GD_EUSAGE, "checkpoint '%s' was written by another gandyn version (remove it or drop --resume)", path);
    }
    if (got == 24 && memcmp(have, head, 24) != 0) {
        close(fd);
        return gd_fmt(w->msg, GD_EUSAGE, "checkpoint '%s' belongs to another sweep configuration (remove it or drop --resume)", path);
    }
    off_t good = 24;
    if (got == 24) {
        struct stat sb;
        off_t size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
        unsigned char *buf = NULL;
        while (restore_block(w, fd, size - good, &buf)) good = lseek(fd, 0, SEEK_CUR);
        free(buf);
    }
    if (ftruncate(fd, good) != 0 || lseek(fd, 0, SEEK_SET) != 0 || write(fd, head, 24) != 24 || lseek(fd, good, SEEK_SET) != good) {
        close(fd);
        return gd_fmt(w->msg, GD_EIO, "cannot write checkpoint '%s': %s", path, strerror(errno));
    }
    w->ckpt_fd = fd;
    return GD_OK;
}

/* ---------------------------------------------------------------- running ------ */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* OpenBLAS, when it is the BLAS, would otherwise start its own thread pool under ours. */
extern void openblas_set_num_threads(int) __attribute__((weak));

int gd_sweep_run_range(gd_sweep *w, long i0, long i1)
{
    if (!w) return GD_EUSAGE;
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    long b0 = i0 / GD_BLOCK, b1 = (i1 + GD_BLOCK - 1) / GD_BLOCK;
    if (b0 < 0) b0 = 0;
    if (b1 > w->nblocks) b1 = w->nblocks;
    int err = GD_OK;
    double t0 = now(), last = t0;
    w->msg[0] = '\0';
    /* a game or rule whose callbacks may not run concurrently (a Python callable) gets one */
    int serial = w->base->model->type->serial || w->base->stepper->type->serial;
    int threads = serial ? 1 : w->threads > 0 ? w->threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
    {
        ctx c;
        char msg[GD_MSG_LEN];
        gd_block *blk = w->batched ? gd_block_create(w->base->stepper, w->tail) : NULL;
        int rc = ctx_init(w, &c, 0) == GD_OK && (!w->batched || blk) ? GD_OK : GD_ENOMEM;
        if (rc != GD_OK) {
#pragma omp critical(gd_sweep_err)
            if (err == GD_OK) err = gd_fmt(w->msg, GD_ENOMEM, "out of memory");
        }
#pragma omp for schedule(dynamic, 1)
        for (long b = b0; b < b1; b++) {
            if (rc != GD_OK || w->done[b] || w->cancel || err != GD_OK) continue;
            cell cs[GD_BLOCK];
            memset(cs, 0, sizeof cs); /* the record's padding and the cells past the last */
            rc = w->batched ? run_block_batched(w, &c, blk, b, cs, msg) : run_block_generic(w, &c, b, cs, msg);
            if (rc != GD_OK) {
#pragma omp critical(gd_sweep_err)
                if (err == GD_OK) err = gd_fmt(w->msg, rc, "%s", msg);
                continue;
            }
            put_block(w, b, cs); /* each block its own cells */
#pragma omp critical(gd_sweep_ckpt)
            {
                record_block(w, b, cs);
                mark_done(w, b * GD_BLOCK, block_end(w, b));
            }
            if (w->monitor && omp_get_thread_num() == 0 && now() - last >= w->monitor_every) {
                last = now();
                w->monitor(w->monitor_user, w->ndone, w->ncells, last - t0);
            }
        }
        ctx_free(&c);
        gd_block_free(blk);
    }
    if (w->monitor) w->monitor(w->monitor_user, w->ndone, w->ncells, now() - t0);
    if (err == GD_OK && w->msg[0]) err = GD_EIO; /* a checkpoint write failed */
    if (err == GD_OK && basin_finish(w) != GD_OK) err = gd_fmt(w->msg, GD_ENOMEM, "out of memory for the basin labels");
    if (err == GD_OK && w->cancel) err = gd_fmt(w->msg, GD_ECANCELED, "interrupted with %ld of %ld cells done", w->ndone, w->ncells);
    return err;
}

int gd_sweep_run(gd_sweep *w) { return w ? gd_sweep_run_range(w, 0, w->ncells) : GD_EUSAGE; }

/* sweep.attractor: a fixed-step rule's map (the kept states: the map's, history included), or
 * cvode's flow cell by cell (basins too); the kept states or samples in memory. */
static int attractor_check(gd_sweep *w)
{
    gd_sim *s = w->base;
    const gd_stepper *st = s->stepper;
    if (!s->sweep->attractor) return GD_OK;
    w->nm = gd_stepper_map_dim(st);
    w->flow = !st->type->fixed_step;
    if (w->flow && st->type != &gd_integrator_cvode)
        return gd_fmt(s->msg, GD_EUSAGE, "sweep.attractor: integrator %s has neither a one-iteration map nor cvode's flow to classify", st->type->name);
    if (w->flow && s->model->hybrid)
        return gd_fmt(s->msg, GD_EUSAGE, "sweep.attractor: model '%s' is piecewise smooth here (switching surfaces): flows are classified on smooth fields", s->model->type->name);
    if (w->flow) {
        w->tail = s->sweep->tail;
        return gd_check_memory(s->msg, 8.0 * (double)w->tail * st->dim * omp_get_max_threads(), "sweep.attractor: a flow cell's samples (sweep.tail x the state per thread)");
    }
    w->tail = s->sweep->tail < st->o.steps ? s->sweep->tail : st->o.steps;
    return gd_check_memory(s->msg, 8.0 * (double)w->tail * w->nm * (GD_BLOCK + 1) * omp_get_max_threads(),
                           "sweep.attractor: the kept states (sweep.tail x the map's state, history included, x 257 per thread)");
}

/* ---------------------------------------------------------------- handle ------- */
int gd_sweep_create(gd_sim *s, gd_sweep **out)
{
    if (out) *out = NULL;
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "gd_sweep_create: nowhere to put the sweep (NULL)");
    gd_sweep *w = calloc(1, sizeof *w);
    if (!w) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    w->base = s;
    w->ckpt_fd = -1;
    int rc = parse_axis(w, s->sweep->x, &w->ax[0]);
    w->naxes = 1;
    if (rc == GD_OK && s->sweep->y && s->sweep->y[0]) rc = parse_axis(w, s->sweep->y, &w->ax[w->naxes++]);
    if (rc == GD_OK && w->naxes == 2 && strcmp(w->ax[0].key, w->ax[1].key) == 0)
        rc = gd_fmt(s->msg, GD_EUSAGE, "sweep.x and sweep.y both sweep %s", w->ax[0].key);
    if (rc != GD_OK) {
        gd_sweep_free(&w);
        return rc;
    }
    w->nx = w->ax[0].n;
    w->ny = w->naxes == 2 ? w->ax[1].n : 1;
    w->ncells = w->nx * w->ny;
    w->nblocks = (w->ncells + GD_BLOCK - 1) / GD_BLOCK;
    if ((rc = attractor_check(w)) != GD_OK) {
        gd_sweep_free(&w);
        return rc;
    }
    char what[96];
    snprintf(what, sizeof what, "a sweep of %ld x %ld cells", w->nx, w->ny);
    /* the result columns: four labels and three doubles per cell */
    rc = gd_check_memory(s->msg, (double)w->ncells * (L_COUNT + 3 * sizeof(double)), what);
    if (rc != GD_OK) {
        gd_sweep_free(&w);
        return rc;
    }
    int ok = (w->done = calloc((size_t)w->nblocks, 1)) && (w->col.rho = calloc((size_t)w->ncells, sizeof(double))) &&
             (w->col.rate = calloc((size_t)w->ncells, sizeof(double))) && (w->col.sigma_pred = calloc((size_t)w->ncells, sizeof(double)));
    for (int k = 0; k < L_COUNT; k++) ok = ok && (w->col.label[k] = calloc((size_t)w->ncells, 1));
    if (ok && s->sweep->attractor) ok = attractor_columns(w) == GD_OK;
    if (ok && w->tail && w->naxes == 2 && w->ax[0].kind == AX_X0 && w->ax[1].kind == AX_X0) { /* a basin sweep */
        ok = (w->btab = calloc((size_t)w->nblocks, sizeof *w->btab)) && (w->blabel = calloc((size_t)w->ncells, sizeof(int)));
        for (long b = 0; ok && b < w->nblocks; b++) w->btab[b].n = -1; /* no table yet */
        const double *eq = gd_sim_get_equilibrium(s);
        if (ok && (ok = (w->center = calloc((size_t)s->model->dim, sizeof(double))) != NULL) && eq) memcpy(w->center, eq, sizeof(double) * (size_t)s->model->dim);
    }
    if (!ok) {
        gd_sweep_free(&w);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory for %ld cells", w->ncells);
    }
    /* each thread's context holds the map's Jacobian and its eigen-solve */
    if ((rc = gd_check_dense(s->msg, 2L * w->base->model->dim, omp_get_max_threads(), "sweep: the per-thread map Jacobians")) != GD_OK) {
        gd_sweep_free(&w);
        return rc;
    }
    /* Validate both ends of every axis on a context before any work. */
    ctx c;
    char msg[GD_MSG_LEN];
    rc = ctx_init(w, &c, 0);
    long probe[4] = {0, w->nx - 1, w->ncells - w->nx, w->ncells - 1};
    for (int k = 0; k < 4 && rc == GD_OK; k++)
        if ((rc = ctx_cell(w, &c, probe[k], msg)) != GD_OK) gd_fmt(s->msg, rc, "sweep: %s", msg);
    ctx_free(&c);
    if (rc != GD_OK) {
        gd_sweep_free(&w);
        return rc == GD_ENOMEM ? gd_fmt(s->msg, rc, "out of memory") : GD_EUSAGE;
    }
    w->batched = s->sweep->kernel == 0 && !s->sweep->adaptive_steps && can_batch(w);
    /* The batched kernel measures every cell against the configuration's own x*: found once,
     * here, not by each thread on the shared model. */
    if (w->batched && !(w->base_eq = calloc((size_t)s->model->dim, sizeof(double)))) {
        gd_sweep_free(&w);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    w->eq_found = w->batched && gd_model_find_equilibrium(s->model, s->starts, w->base_eq) == GD_OK;
    if (w->batched && !w->eq_found) memset(w->base_eq, 0, sizeof(double) * (size_t)s->model->dim);
    uint64_t h = fnv(s->config_text, strlen(s->config_text), 1469598103934665603ULL);
    for (int k = 0; k < w->naxes; k++) h = fnv(w->ax[k].values, sizeof(double) * (size_t)w->ax[k].n, h);
    size_t layout[2] = {sizeof(cell), GD_BLOCK}; /* a record from another build is refused too */
    h = fnv(layout, sizeof layout, h);
    h = fnv(CKPT_MAGIC, strlen(CKPT_MAGIC), h); /* and a part of another record format or outcome rule */
    w->ckpt_hash = fnv(&w->batched, sizeof w->batched, h);
    *out = w;
    return GD_OK;
}

long gd_sweep_ncells(const gd_sweep *w) { return w ? w->ncells : GD_EUSAGE; }
long gd_sweep_nx(const gd_sweep *w) { return w ? w->nx : GD_EUSAGE; }
long gd_sweep_ny(const gd_sweep *w) { return w ? w->ny : GD_EUSAGE; }
int gd_sweep_is_batched(const gd_sweep *w) { return w ? w->batched : 0; }
void gd_sweep_set_threads(gd_sweep *w, int threads)
{
    if (w) w->threads = threads;
}
void gd_sweep_cancel(gd_sweep *w)
{
    if (w) w->cancel = 1;
}
long gd_sweep_get_done(const gd_sweep *w) { return w ? w->ndone : GD_EUSAGE; }

long gd_sweep_get_done_range(const gd_sweep *w, long i0, long i1)
{
    if (!w) return GD_EUSAGE;
    long n = 0;
    for (long i = i0 < 0 ? 0 : i0; i < i1 && i < w->ncells; i++) n += w->done[i / GD_BLOCK];
    return n;
}

const char *gd_sweep_errmsg(const gd_sweep *w) { return w ? w->msg : "no sweep"; }
const double *gd_sweep_get_axis(const gd_sweep *w, int a) { return w && a >= 0 && a < w->naxes ? w->ax[a].values : NULL; }

void gd_sweep_set_monitor(gd_sweep *w, gd_sweep_monitor fn, void *user, double every_seconds)
{
    if (w) w->monitor = fn, w->monitor_user = user, w->monitor_every = every_seconds;
}

const double *gd_sweep_get_rho(const gd_sweep *w) { return w ? w->col.rho : NULL; }
const double *gd_sweep_get_rate(const gd_sweep *w) { return w ? w->col.rate : NULL; }
const double *gd_sweep_get_sigma_pred(const gd_sweep *w) { return w ? w->col.sigma_pred : NULL; }
const signed char *gd_sweep_get_outcome(const gd_sweep *w) { return w ? w->col.label[L_OUTCOME] : NULL; }
const signed char *gd_sweep_get_predicted(const gd_sweep *w) { return w ? w->col.label[L_PREDICTED] : NULL; }
const signed char *gd_sweep_get_failure(const gd_sweep *w) { return w ? w->col.label[L_FAILURE] : NULL; }
const signed char *gd_sweep_get_attractor(const gd_sweep *w) { return w ? w->col.cls : NULL; }
const signed char *gd_sweep_get_unstable(const gd_sweep *w) { return w ? w->col.unstable : NULL; }
const int *gd_sweep_get_period(const gd_sweep *w) { return w ? w->col.period : NULL; }
const double *gd_sweep_get_amplitude(const gd_sweep *w) { return w ? w->col.amplitude : NULL; }
const double *gd_sweep_get_lyap1(const gd_sweep *w) { return w ? w->col.lyap1 : NULL; }
const double *gd_sweep_get_rotation(const gd_sweep *w) { return w ? w->col.rotation : NULL; }
const double *gd_sweep_get_period_t(const gd_sweep *w) { return w ? w->col.period_t : NULL; }
const long *gd_sweep_get_steps_used(const gd_sweep *w) { return w ? w->col.steps_used : NULL; }
int gd_sweep_is_basin(const gd_sweep *w) { return w && w->btab; }

const int *gd_sweep_get_basin(const gd_sweep *w, int *count)
{
    if (count) *count = w && w->basin ? w->ngatt : 0;
    return w ? w->basin : NULL;
}
const double *gd_sweep_get_basin_attractor(const gd_sweep *w, int j, int *cls, int *period, int *m)
{
    if (!w || !w->basin || j < 0 || j >= w->ngatt) return NULL;
    const basin_att *e = w->gatt[j];
    if (cls) *cls = e->cls;
    if (period) *period = e->period;
    if (m) *m = e->m;
    static const double none[1] = {0};
    return e->pts ? e->pts : none; /* a stall has no points: not NULL, m = 0 */
}

long gd_sweep_get_failures(const gd_sweep *w, long counts[GD_FAIL_COUNT]) { return gd_sweep_get_failures_range(w, 0, w ? w->ncells : 0, counts); }

long gd_sweep_get_failures_range(const gd_sweep *w, long i0, long i1, long counts[GD_FAIL_COUNT])
{
    long failed = 0;
    for (int k = 0; counts && k < GD_FAIL_COUNT; k++) counts[k] = 0;
    if (!w) return GD_EUSAGE;
    for (long i = i0 < 0 ? 0 : i0; i < i1 && i < w->ncells; i++) {
        int f = w->col.label[L_FAILURE][i];
        if (counts && f >= 0 && f < GD_FAIL_COUNT) counts[f]++;
        failed += f != GD_FAIL_NONE;
    }
    return failed;
}

double gd_sweep_get_agreement(const gd_sweep *w, long counts[3]) { return gd_sweep_get_agreement_range(w, 0, w ? w->ncells : 0, counts); }

double gd_sweep_get_agreement_range(const gd_sweep *w, long i0, long i1, long counts[3])
{
    long agree = 0, with = 0;
    if (counts) counts[0] = counts[1] = counts[2] = 0;
    if (!w) return NAN;
    const signed char *outcome = w->col.label[L_OUTCOME], *predicted = w->col.label[L_PREDICTED];
    for (long i = i0 < 0 ? 0 : i0; i < i1 && i < w->ncells; i++) {
        if (counts) counts[outcome[i]]++;
        if (isnan(w->col.rho[i])) continue;
        with++;
        agree += outcome[i] == predicted[i];
    }
    return with ? (double)agree / (double)with : NAN;
}

long gd_sweep_block_size(void) { return GD_BLOCK; }
size_t gd_sweep_record_size(void) { return sizeof(cell); }

static int aligned(const gd_sweep *w, long i0, long i1)
{
    return i0 >= 0 && i0 <= i1 && i1 <= w->ncells && i0 % GD_BLOCK == 0 && (i1 % GD_BLOCK == 0 || i1 == w->ncells);
}

int gd_sweep_export(const gd_sweep *w, long i0, long i1, void *buf)
{
    if (!w) return GD_EUSAGE;
    if (!aligned(w, i0, i1) || !buf)
        return gd_fmt(((gd_sweep *)w)->msg, GD_EUSAGE, "export of cells [%ld, %ld): need block-aligned cells and a buffer", i0, i1);
    for (long i = i0; i < i1; i++) {
        cell c;
        get_cell(w, i, &c);
        memcpy((char *)buf + (size_t)(i - i0) * sizeof c, &c, sizeof c);
    }
    return GD_OK;
}

int gd_sweep_import(gd_sweep *w, long i0, long i1, const void *buf)
{
    if (!w) return GD_EUSAGE;
    if (!aligned(w, i0, i1) || !buf) return gd_fmt(w->msg, GD_EUSAGE, "import of cells [%ld, %ld): need block-aligned cells and a buffer", i0, i1);
    for (long i = i0; i < i1; i++) {
        cell c;
        memcpy(&c, (const char *)buf + (size_t)(i - i0) * sizeof c, sizeof c);
        put_cell(w, i, &c);
    }
    mark_done(w, i0, i1);
    return GD_OK;
}

void gd_sweep_free(gd_sweep **pw)
{
    if (!pw || !*pw) return;
    gd_sweep *w = *pw;
    if (w->ckpt_fd >= 0) close(w->ckpt_fd);
    for (int k = 0; k < 2; k++) free(w->ax[k].values);
    for (int k = 0; k < L_COUNT; k++) free(w->col.label[k]);
    free(w->col.rho), free(w->col.rate), free(w->col.sigma_pred);
    free(w->col.amplitude); /* one allocation for the attractor columns */
    basin_free(w);
    free(w->done);
    free(w->base_eq);
    free(w);
    *pw = NULL;
}

/* ---------------------------------------------------------------- file --------- */
/* The per-cell columns, in the order of L_* then rho, rate and sigma_pred (written to a sweep's
 * file with gradient noise only; parts always hold it). */
#define NCOL 15
enum { K_SIGMA = 6, K_ATTRACTOR = 7 }; /* sigma_pred; the first attractor column */
static const char *const column_names[NCOL] = {"outcome",  "predicted", "phase",     "solver", "rho",      "rate",     "sigma_pred", "attractor",
                                               "unstable", "period",    "amplitude", "lyap1",  "rotation", "period_t", "steps_used"};

/* Column k (of column_names) from cell i on. */
static void *column_at(const gd_sweep *w, int k, long i)
{
    const columns *c = &w->col;
    double *const d[7] = {c->rho, c->rate, c->sigma_pred, c->amplitude, c->lyap1, c->rotation, c->period_t};
    if (k < L_COUNT) return c->label[k] + i;
    if (k <= K_SIGMA) return d[k - L_COUNT] + i;
    switch (k) {
    case K_ATTRACTOR: return c->cls + i;
    case K_ATTRACTOR + 1: return c->unstable + i;
    case K_ATTRACTOR + 2: return c->period + i;
    case NCOL - 1: return c->steps_used + i;
    default: return d[k - K_ATTRACTOR + 0] + i; /* amplitude, lyap1, rotation, period_t: d[3..6] */
    }
}

/* Whether column k is in a sweep's file (part: a partial file, which always holds sigma_pred). */
static int column_on(const gd_sweep *w, int k, int part)
{
    if (k == K_SIGMA) return part || w->base->stepper->noise.sigma > 0;
    return k < K_ATTRACTOR || w->col.cls;
}

/* The int8 enum of a label column: outcome names, phases, failure names for solver, or
 * attractor classes. */
static hid_t label_type(int which)
{
    static const char *const phases[] = {"monotone", "spiral", "alternating"};
    hid_t t = H5Tenum_create(H5T_NATIVE_SCHAR);
    int n = which == L_FAILURE ? GD_FAIL_COUNT : which == K_ATTRACTOR ? GD_ATTRACTOR_UNDETERMINED + 1 : 3;
    for (signed char v = 0; v < n; v++)
        H5Tenum_insert(t, which == L_PHASE ? phases[(int)v] : which == L_FAILURE ? gd_failure_name(v) : which == K_ATTRACTOR ? gd_attractor_class_name(v) : gd_outcome_name(v), &v);
    return t;
}

/* The memory (= file) type of column k. */
static hid_t column_type(int k)
{
    if (k < L_COUNT || k == K_ATTRACTOR) return label_type(k);
    if (k == K_ATTRACTOR + 1) return H5Tcopy(H5T_NATIVE_SCHAR);
    if (k == K_ATTRACTOR + 2) return H5Tcopy(H5T_NATIVE_INT);
    if (k == NCOL - 1) return H5Tcopy(H5T_NATIVE_LONG);
    return H5Tcopy(H5T_NATIVE_DOUBLE);
}

/* Cells from i0 on as the datasets group/NAME of the column names, in a space of rank 1
 * or 2 (dims d); the 2-D ones get the axes (scales, -1: none) as dimension scales. */
static int write_cells(gd_h5 *f, const char *group, const gd_sweep *w, long i0, int rank, const hsize_t *d, const hid_t *scales, int part)
{
    hid_t sp = H5Screate_simple(rank, d, NULL);
    herr_t st = 0;
    for (int k = 0; k < NCOL && st >= 0; k++) {
        if (!column_on(w, k, part)) continue;
        char name[64];
        snprintf(name, sizeof name, "%s/%s", group, column_names[k]);
        hid_t t = column_type(k);
        const void *from = column_at(w, k, i0);
        hid_t ds = H5Dcreate2(gd_h5_file(f), name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        st = ds < 0 ? -1 : H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, from); /* memory type = file type */
        for (int a = 0; a < 2 && st >= 0 && scales && scales[a] >= 0; a++) st = H5DSattach_scale(ds, scales[a], (unsigned)(1 - a));
        if (ds >= 0) H5Dclose(ds);
        H5Tclose(t);
    }
    H5Sclose(sp);
    return st < 0 ? GD_EIO : GD_OK;
}

/* Commit the file, or drop it and say which file failed. */
static int finish_file(gd_h5 **f, int rc, const char *path, char *msg)
{
    if (rc == GD_OK) return gd_h5_commit(f, msg);
    gd_h5_abort(f);
    return gd_fmt(msg, GD_EIO, "cannot write '%s'", path);
}

/* /sweep/basin (int32 labels, dimension scales as the cells') and /basin/attractors/<j>/{class,
 * period, points} with a "name" attribute (class, and period where it has one). */
static int write_basin(gd_h5 *f, const gd_sweep *w, const hsize_t *d, const hid_t *scales)
{
    int rc = gd_h5_write_typed(f, "/sweep/basin", 2, d, H5T_NATIVE_INT, w->basin);
    hid_t ds = rc == GD_OK ? H5Dopen2(gd_h5_file(f), "/sweep/basin", H5P_DEFAULT) : -1;
    for (int a = 0; a < 2 && ds >= 0 && rc == GD_OK; a++)
        if (scales[a] >= 0 && H5DSattach_scale(ds, scales[a], (unsigned)(1 - a)) < 0) rc = GD_EIO;
    if (ds >= 0) H5Dclose(ds);
    const int n = w->base->model->dim;
    hid_t ct = label_type(K_ATTRACTOR);
    for (int j = 0; j < w->ngatt && rc == GD_OK; j++) {
        const basin_att *e = w->gatt[j];
        char path[96], name[64];
        hsize_t one = 1, pd[2] = {(hsize_t)e->m, (hsize_t)n};
        snprintf(path, sizeof path, "/basin/attractors/%d/class", j);
        rc = gd_h5_write_typed(f, path, 1, &one, ct, &e->cls);
        snprintf(path, sizeof path, "/basin/attractors/%d/period", j);
        if (rc == GD_OK) rc = gd_h5_write_typed(f, path, 1, &one, H5T_NATIVE_INT, &e->period);
        snprintf(path, sizeof path, "/basin/attractors/%d/points", j);
        if (rc == GD_OK) rc = gd_h5_write(f, path, 2, pd, e->pts ? e->pts : (const double[1]){0});
        if (e->period > 0 && e->cls == GD_ATTRACTOR_PERIODIC) snprintf(name, sizeof name, "periodic %d", e->period);
        else snprintf(name, sizeof name, "%s", gd_attractor_class_name(e->cls));
        snprintf(path, sizeof path, "/basin/attractors/%d", j);
        if (rc == GD_OK) rc = gd_h5_attr_string(f, path, "name", name);
    }
    H5Tclose(ct);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/basin", "count", w->ngatt);
    return rc;
}

int gd_sweep_write(gd_sweep *w, const char *path)
{
    if (!w) return GD_EUSAGE;
    if (w->ndone < w->ncells) return gd_fmt(w->msg, GD_EUSAGE, "sweep has %ld of %ld cells done", w->ndone, w->ncells);
    if (!path || !path[0]) return GD_OK; /* no file, as for a run */
    gd_sim *s = w->base;
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, w->msg);
    if (rc != GD_OK) return rc;
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_sim_noise_attrs(s, f);
    hid_t file = gd_h5_file(f), dims[2] = {-1, -1};
    const char *names[2] = {"/sweep/axis_x", "/sweep/axis_y"};
    for (int k = 0; k < w->naxes && rc == GD_OK; k++) {
        hsize_t n = (hsize_t)w->ax[k].n;
        rc = gd_h5_write(f, names[k], 1, &n, w->ax[k].values);
        if (rc == GD_OK) rc = gd_h5_attr_string(f, names[k], "key", w->ax[k].key);
        if (rc == GD_OK) rc = gd_h5_attr_string(f, names[k], "spacing", w->ax[k].log ? "log" : "lin");
        if (rc == GD_OK && (dims[k] = H5Dopen2(file, names[k], H5P_DEFAULT)) >= 0 && H5DSset_scale(dims[k], w->ax[k].key) < 0) rc = GD_EIO;
    }
    hsize_t d[2] = {(hsize_t)w->ny, (hsize_t)w->nx};
    if (rc == GD_OK) rc = write_cells(f, "/sweep", w, 0, 2, d, dims, 0);
    if (rc == GD_OK && w->basin) rc = write_basin(f, w, d, dims);
    long counts[3];
    double agree = gd_sweep_get_agreement(w, counts), cnt[3] = {(double)counts[0], (double)counts[1], (double)counts[2]};
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/sweep", "agreement", 1, &agree);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/sweep", "counts", 3, cnt);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/sweep", "steps", s->stepper->o.steps);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/sweep", "kernel", w->batched ? "batched" : "per-cell");
    for (int k = 0; k < 2; k++)
        if (dims[k] >= 0) H5Dclose(dims[k]);
    return finish_file(&f, rc, path, w->msg);
}

/* ---------------------------------------------------------------- partial files -- */
/* /sweep_part (README "Output files"): cells [lo, hi) of one sweep, with the configuration
 * and its hash (the checkpoint's: configuration text, axis values, record layout, kernel),
 * so that `gandyn merge` can check the parts and rebuild the sweep that writes /sweep. */
#define PART "/sweep_part"
enum { P_CELLS, P_NX, P_NY, P_LO, P_HI, P_NKEYS };
static const char *const part_keys[P_NKEYS] = {"cells", "nx", "ny", "lo", "hi"};

static void hash_text(const gd_sweep *w, char out[17]) { snprintf(out, 17, "%016" PRIx64, w->ckpt_hash); }

/* A basin sweep's part also holds its labels and tables (pack_basin) as PART/basin; one whose
 * blocks came without their tables (a checkpoint record written without one) writes none. */
static int write_part_basin(gd_h5 *f, const gd_sweep *w, long lo, long hi)
{
    size_t len = 0;
    if (pack_basin(w, lo, hi, NULL, &len) != GD_OK) return GD_OK;
    double *buf = malloc(sizeof(double) * len);
    if (!buf) return gd_fmt(((gd_sweep *)w)->msg, GD_ENOMEM, "out of memory");
    pack_basin(w, lo, hi, buf, &len);
    hsize_t d = len;
    int rc = gd_h5_write_typed(f, PART "/basin", 1, &d, H5T_NATIVE_DOUBLE, buf);
    free(buf);
    return rc;
}

int gd_sweep_write_part(gd_sweep *w, long lo, long hi, const char *path)
{
    if (!w) return GD_EUSAGE;
    if (!path) return gd_fmt(w->msg, GD_EUSAGE, "gd_sweep_write_part: a NULL path");
    if (!(lo >= 0 && lo < hi && hi <= w->ncells)) return gd_fmt(w->msg, GD_EUSAGE, "cells %ld:%ld: need 0 <= LO < HI <= %ld", lo, hi, w->ncells);
    if (gd_sweep_get_done_range(w, lo, hi) < hi - lo) return gd_fmt(w->msg, GD_EUSAGE, "cells %ld:%ld are not all computed", lo, hi);
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, w->msg);
    if (rc != GD_OK) return rc;
    long head[P_NKEYS] = {w->ncells, w->nx, w->ny, lo, hi};
    char hash[17];
    hash_text(w, hash);
    rc = gd_h5_root_attrs(f, w->base->command, w->base->config_text);
    if (rc == GD_OK) rc = gd_sim_noise_attrs(w->base, f);
    for (int k = 0; k < P_NKEYS && rc == GD_OK; k++) rc = gd_h5_attr_long(f, PART, part_keys[k], head[k]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, PART, "hash", hash);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, PART, "kernel", w->batched ? "batched" : "per-cell");
    hsize_t n = (hsize_t)(hi - lo);
    if (rc == GD_OK) rc = write_cells(f, PART, w, lo, 1, &n, NULL, 1);
    if (rc == GD_OK && w->btab) rc = write_part_basin(f, w, lo, hi);
    return finish_file(&f, rc, path, w->msg);
}

typedef struct {
    const char *path;
    char *config, *hash;
    long head[P_NKEYS];
} part;

/* An attribute holding exactly one value (a larger one would overrun the buffer read into). */
static hid_t open_attr1(hid_t obj, const char *name)
{
    hid_t a = H5Aexists(obj, name) > 0 ? H5Aopen(obj, name, H5P_DEFAULT) : -1, sp = a >= 0 ? H5Aget_space(a) : -1;
    int one = sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1;
    if (sp >= 0) H5Sclose(sp);
    if (!one && a >= 0) H5Aclose(a);
    return one ? a : -1;
}

static int attr_long(hid_t obj, const char *name, long *v)
{
    hid_t a = open_attr1(obj, name);
    herr_t st = a < 0 ? -1 : H5Aread(a, H5T_NATIVE_LONG, v);
    if (a >= 0) H5Aclose(a);
    return st >= 0;
}

/* A string attribute as written by gd_h5_attr_string (malloc'd), or NULL. */
static char *attr_string(hid_t obj, const char *name)
{
    hid_t a = open_attr1(obj, name), t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL, *copy = NULL;
    if (a >= 0 && H5Aread(a, t, &v) >= 0 && v) copy = strdup(v);
    if (v) H5free_memory(v);
    if (a >= 0) H5Aclose(a);
    H5Tclose(t);
    return copy;
}

/* The attributes of a part; its cells come later (read_cells). */
static int read_head(part *p, char *msg)
{
    struct stat sb;
    if (stat(p->path, &sb) != 0) return gd_fmt(msg, GD_EUSAGE, "cannot open '%s': %s", p->path, strerror(errno));
    if (!gd_h5_has(p->path, PART)) /* opening it is rehearsed there: a corrupted file cannot crash us */
        return gd_fmt(msg, GD_EUSAGE, "'%s' is not a partial sweep file (an HDF5 file with " PART ", which gandyn sweep --cells writes)", p->path);
    hid_t f = H5Fopen(p->path, H5F_ACC_RDONLY, H5P_DEFAULT), g = f >= 0 ? H5Gopen2(f, PART, H5P_DEFAULT) : -1;
    int ok = g >= 0;
    for (int k = 0; k < P_NKEYS && ok; k++) ok = attr_long(g, part_keys[k], &p->head[k]);
    p->hash = ok ? attr_string(g, "hash") : NULL;
    p->config = p->hash && f >= 0 ? attr_string(f, "config") : NULL;
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
    const long *h = p->head;
    if (!p->config || strlen(p->hash) != 16 || h[P_NX] < 1 || h[P_NY] < 1 || h[P_CELLS] != h[P_NX] * h[P_NY] || h[P_LO] < 0 ||
        h[P_LO] >= h[P_HI] || h[P_HI] > h[P_CELLS])
        return gd_fmt(msg, GD_EUSAGE, "'%s': " PART " is damaged (its attributes cells, nx, ny, lo, hi, hash or the root config)", p->path);
    return GD_OK;
}

static int by_first_cell(const void *a, const void *b)
{
    long x = ((const part *)a)->head[P_LO], y = ((const part *)b)->head[P_LO];
    return (x > y) - (x < y);
}

/* Sorted by first cell, each part must start where the ones before it end. */
static int check_cover(part *p, int n, char *msg)
{
    qsort(p, (size_t)n, sizeof *p, by_first_cell);
    long end = 0, total = p[0].head[P_CELLS];
    for (int i = 0; i < n; i++) {
        long lo = p[i].head[P_LO], hi = p[i].head[P_HI];
        if (lo < end)
            return gd_fmt(msg, GD_EUSAGE, "cells %ld..%ld are in both '%s' (cells %ld:%ld) and '%s' (cells %ld:%ld)", lo, (hi < end ? hi : end) - 1,
                          p[i - 1].path, p[i - 1].head[P_LO], end, p[i].path, lo, hi);
        if (lo > end && i == 0) return gd_fmt(msg, GD_EUSAGE, "cells 0..%ld are missing: the first part, '%s', starts at cell %ld", lo - 1, p[i].path, lo);
        if (lo > end)
            return gd_fmt(msg, GD_EUSAGE, "cells %ld..%ld are missing: '%s' ends at cell %ld, '%s' starts at %ld", end, lo - 1, p[i - 1].path, end,
                          p[i].path, lo);
        end = hi;
    }
    if (end < total)
        return gd_fmt(msg, GD_EUSAGE, "cells %ld..%ld are missing: the last part, '%s', ends at cell %ld of %ld", end, total - 1, p[n - 1].path, end, total);
    return GD_OK;
}

/* The sim and sweep of the configuration a part holds; the same hash, or it is refused. */
static int rebuild(const part *p, gd_sim **sim, gd_sweep **out, char *msg)
{
    gd_sim *s = *sim = gd_sim_create();
    if (!s) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    int rc = gd_sim_load_text(s, p->config, p->path);
    if (rc == GD_OK) rc = gd_sim_setup(s);
    if (rc == GD_OK) rc = gd_sweep_create(s, out);
    if (rc != GD_OK) return gd_fmt(msg, rc == GD_ENOMEM ? rc : GD_EUSAGE, "'%s': its configuration does not set up here: %s", p->path, s->msg);
    char hash[17];
    hash_text(*out, hash);
    if (strcmp(hash, p->hash) != 0 || (*out)->ncells != p->head[P_CELLS])
        return gd_fmt(msg, GD_EUSAGE, "'%s' was written by another gandyn build (its configuration gives another sweep here)", p->path);
    return GD_OK;
}

/* One column of a part (n cells) into buf: a 1-D dataset of n values, labels in range. */
static int read_column(hid_t g, int k, long n, void *buf)
{
    hid_t ds = H5Dopen2(g, column_names[k], H5P_DEFAULT), sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d = 0;
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &d, NULL) == 1 && d == (hsize_t)n;
    hid_t t = column_type(k);
    ok = ok && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    int labels = k < L_COUNT || k == K_ATTRACTOR, top = k == L_FAILURE ? GD_FAIL_COUNT : k == K_ATTRACTOR ? GD_ATTRACTOR_UNDETERMINED + 1 : 3;
    for (long i = 0; ok && labels && i < n; i++) ok = ((const signed char *)buf)[i] >= 0 && ((const signed char *)buf)[i] < top;
    H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    return ok;
}

/* A basin sweep's labels and tables from a part (none there: the merge has no basin). */
static int read_part_basin(const part *p, gd_sweep *w, char *msg)
{
    if (!w->btab) return GD_OK;
    if (!gd_h5_has(p->path, PART "/basin")) {
        w->basin_lost = 1;
        return GD_OK;
    }
    hid_t f = H5Fopen(p->path, H5F_ACC_RDONLY, H5P_DEFAULT), ds = f >= 0 ? H5Dopen2(f, PART "/basin", H5P_DEFAULT) : -1;
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d = 0;
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &d, NULL) == 1 && d < ((hsize_t)1 << 40);
    double *buf = ok ? malloc(sizeof(double) * (size_t)(d ? d : 1)) : NULL;
    ok = buf && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    int rc = ok ? unpack_basin(w, p->head[P_LO], p->head[P_HI], buf, (size_t)d) : GD_EUSAGE;
    free(buf);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    return rc == GD_OK ? GD_OK : gd_fmt(msg, rc, rc == GD_ENOMEM ? "out of memory" : "'%s': " PART "/basin is damaged", p->path);
}

/* The part's columns straight into the sweep's (a failed read fails the merge, which frees it). */
static int read_cells(const part *p, gd_sweep *w, char *msg)
{
    long lo = p->head[P_LO], n = p->head[P_HI] - lo;
    hid_t f = H5Fopen(p->path, H5F_ACC_RDONLY, H5P_DEFAULT), g = f >= 0 ? H5Gopen2(f, PART, H5P_DEFAULT) : -1;
    int k = 0;
    while (k < NCOL && g >= 0 && (!column_on(w, k, 1) || read_column(g, k, n, column_at(w, k, lo)))) k++;
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
    if (k < NCOL) return gd_fmt(msg, GD_EUSAGE, "'%s': " PART "/%s is not the %ld cells of its range", p->path, column_names[k], n);
    return read_part_basin(p, w, msg);
}

static int merge_parts(part *p, int n, gd_sim **sim, gd_sweep **out, char *msg)
{
    int rc = GD_OK;
    for (int i = 0; i < n && rc == GD_OK; i++) rc = read_head(&p[i], msg);
    for (int i = 1; i < n && rc == GD_OK; i++)
        if (strcmp(p[i].hash, p[0].hash) != 0 || memcmp(p[i].head, p[0].head, sizeof(long) * P_LO) != 0)
            rc = gd_fmt(msg, GD_EUSAGE, "'%s' is from another sweep %s than '%s'", p[i].path,
                        strcmp(p[i].config, p[0].config) ? "configuration" : "format or gandyn version", p[0].path);
    if (rc == GD_OK) rc = check_cover(p, n, msg);
    if (rc == GD_OK) rc = rebuild(&p[0], sim, out, msg);
    for (int i = 0; i < n && rc == GD_OK; i++) rc = read_cells(&p[i], *out, msg);
    if (rc == GD_OK) mark_done(*out, 0, (*out)->ncells);
    if (rc == GD_OK && basin_finish(*out) != GD_OK) rc = gd_fmt(msg, GD_ENOMEM, "out of memory for the basin labels");
    return rc;
}

int gd_sweep_merge(const char *const *paths, int n, gd_sim **sim, gd_sweep **out, char *msg)
{
    char own[GD_MSG_LEN];
    if (!msg) msg = own; /* the caller does not want the message */
    if (sim) *sim = NULL;
    if (out) *out = NULL;
    if (!sim || !out || (n > 0 && !paths)) return gd_fmt(msg, GD_EUSAGE, "gd_sweep_merge: NULL paths, sim or sweep");
    if (n < 1) return gd_fmt(msg, GD_EUSAGE, "no partial sweep files to merge");
    for (int i = 0; i < n; i++)
        if (!paths[i]) return gd_fmt(msg, GD_EUSAGE, "gd_sweep_merge: path %d is NULL", i);
    part *p = calloc((size_t)n, sizeof *p);
    if (!p) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) p[i].path = paths[i];
    int rc = merge_parts(p, n, sim, out, msg);
    for (int i = 0; i < n; i++) free(p[i].config), free(p[i].hash);
    free(p);
    if (rc != GD_OK) gd_sweep_free(out), gd_sim_free(sim);
    return rc;
}

/* ---------------------------------------------------------------- critical ----- */
/* Observed outcome and predicted rho with key = v (one cell, through the sweep path). */
static int probe(ctx *c, const char *key, double v, cell *out, char *msg)
{
    char text[64];
    snprintf(text, sizeof text, "%.17g", v);
    int rc = gd_sim_set(c->sim, key, text);
    if (rc == GD_OK) rc = gd_sim_setup(c->sim);
    if (rc != GD_OK) return gd_fmt(msg, rc, "critical: %s", c->sim->msg);
    c->model = c->sim->model, c->stepper = c->sim->stepper; /* set up anew */
    memcpy(c->x0, c->sim->starts, sizeof(double) * (size_t)c->model->dim);
    c->eq_ok = ctx_equilibrium(c) == GD_OK;
    c->lam_ok = 0; /* any key may have changed J or the rule */
    run_cell(c, out, 0, 0, 0);
    out->rho = ctx_rho(c, &out->phase);
    return GD_OK;
}

/* The row of a configuration key SECTION.KEY (NULL: unknown), to tell integer keys. */
static const gd_param *key_row(gd_sim *s, const char *key)
{
    const char *dot = strchr(key, '.'), *sec;
    void *obj;
    if (!dot) return NULL;
    if (!strncmp(key, "model.", 6)) return gd_param_find(s->model->type->params, dot + 1);
    if (!strncmp(key, "integrator.", 11)) return gd_stepper_param(s->stepper, dot + 1, &obj);
    const gd_param *p = gd_wrap_param(key, &sec);
    if (p) return p;
    char section[32];
    snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
    const gd_param *tab = gd_sim_section_params(section);
    return tab ? gd_param_find(tab, dot + 1) : NULL;
}

/* The next probe between x0 and x1: the midpoint, or for an integer key the whole number
 * below it; the bracket is done at rtol, or for an integer key at adjacent numbers. */
static double bisect_mid(int whole, double x0, double x1) { return whole ? floor(0.5 * (x0 + x1)) : 0.5 * (x0 + x1); }
static int bracket_open(int whole, double x0, double x1, double rtol) { return whole ? x1 - x0 > 1 : x1 - x0 > rtol * fmax(fabs(x0), fabs(x1)); }

int gd_sim_critical(gd_sim *s, const char *key, double lo, double hi, double rtol, gd_critical_result *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !out) return gd_fmt(s->msg, GD_EUSAGE, "critical: need a key and a result struct to fill (NULL)");
    if (!(lo < hi) || !(rtol > 0)) return gd_fmt(s->msg, GD_EUSAGE, "critical: need --lo < --hi and a positive tolerance");
    const gd_param *row = key_row(s, key);
    const int whole = row && row->type == GD_P_INT; /* lookahead.k: integer bisection */
    if (whole && (lo != floor(lo) || hi != floor(hi)))
        return gd_fmt(s->msg, GD_EUSAGE, "critical: %s is a whole number; give whole --lo and --hi (%g, %g)", key, lo, hi);
    if (strcmp(key, "noise.sigma") == 0) /* docs/optimizers.md, "Gradient noise" */
        return gd_fmt(s->msg, GD_EUSAGE, "critical: noise.sigma has no transition: the map's spectral radius does not depend on it, noise only sets the stationary spread");
    gd_sweep w = {.base = s};
    ctx c;
    if (ctx_init(&w, &c, 1) != GD_OK) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    cell a = {0}, b = {0}, m = {0}; /* read below even when a probe failed */
    int rc = probe(&c, key, lo, &a, s->msg);
    if (rc == GD_OK) rc = probe(&c, key, hi, &b, s->msg);
    if (rc == GD_OK && a.outcome == b.outcome)
        rc = gd_fmt(s->msg, GD_EUSAGE, "critical: %s = %g and %g both %s; choose a bracket with different outcomes", key, lo, hi,
                    gd_outcome_name(a.outcome));
    memset(out, 0, sizeof *out);
    out->below = a.outcome, out->above = b.outcome;
    double x0 = lo, x1 = hi, r0 = a.rho - 1, r1 = b.rho - 1;
    while (rc == GD_OK && bracket_open(whole, x0, x1, rtol) && out->iterations < 200) {
        double mid = bisect_mid(whole, x0, x1);
        if ((rc = probe(&c, key, mid, &m, s->msg)) != GD_OK) break;
        if (m.outcome == a.outcome) x0 = mid;
        else x1 = mid;
        out->iterations++;
    }
    out->value = whole ? x1 : 0.5 * (x0 + x1); /* whole: the first number with the upper outcome */
    /* predicted: where the label from the spectral radius changes, on the same bracket
     * (a label, not the sign of rho - 1: below an AltGD critical step rho is 1 to round-off) */
    out->predicted = NAN;
    gd_outcome pa = gd_predict_outcome(a.rho), pb = gd_predict_outcome(b.rho);
    /* Between a contracting and an expanding map the crossing is where rho - 1 changes sign
     * (the labels' 1e-8 band around 1 would shift it by 1e-8 / |d rho/d key|). */
    int by_sign = pa != GD_OSCILLATE && pb != GD_OSCILLATE;
    if (rc == GD_OK && isfinite(r0) && isfinite(r1) && pa != pb) {
        double p0 = lo, p1 = hi;
        while (bracket_open(whole, p0, p1, 1e-3 * rtol) && rc == GD_OK) {
            double mid = bisect_mid(whole, p0, p1);
            if ((rc = probe(&c, key, mid, &m, s->msg)) != GD_OK) break;
            if (by_sign ? (m.rho < 1) == (a.rho < 1) : gd_predict_outcome(m.rho) == pa) p0 = mid;
            else p1 = mid;
        }
        out->predicted = whole ? p1 : 0.5 * (p0 + p1);
    }
    ctx_free(&c);
    return rc;
}

int gd_sim_critical_trace(gd_sim *s, const char *key, double lo, double hi, double rtol, const char *key2, int n,
                          const double *at, gd_critical_result *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !key2 || (n > 0 && (!at || !out))) return gd_fmt(s->msg, GD_EUSAGE, "critical trace: need both keys, the values and the results (NULL)");
    for (int i = 0; i < n; i++) {
        char text[32];
        snprintf(text, sizeof text, "%.17g", at[i]);
        int rc = gd_sim_set(s, key2, text);
        if (rc == GD_OK) rc = gd_sim_setup(s);
        if (rc != GD_OK) return rc;
        rc = gd_sim_critical(s, key, lo, hi, rtol, &out[i]);
        if (rc == GD_EUSAGE && out[i].below == out[i].above) {
            out[i].value = out[i].predicted = NAN; /* no transition in the bracket here */
            continue;
        }
        if (rc != GD_OK) {
            char why[GD_MSG_LEN];
            snprintf(why, sizeof why, "%s", s->msg);
            return gd_fmt(s->msg, rc, "%s = %g: %s", key2, at[i], why);
        }
    }
    return GD_OK;
}
