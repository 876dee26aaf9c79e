/* SPDX-License-Identifier: BSD-3-Clause
 *
 * cvode: SUNDIALS CVODE (Adams or BDF). Newton iterations solve with a dense matrix fed by
 * the model's analytic Jacobian, or, for large states (PDE grids), with matrix-free SPGMR
 * on the model's J.v, so no dim x dim array is ever formed. One gd_stepper_step advances one
 * output interval t_end/steps.
 *
 * Root functions: g0 = R^2 - |x|^2 stops a diverging run at sweep.diverge_radius; for
 * piecewise-smooth models (WGAN-GP sign, clip walls) g1 is the model's switching surface.
 * Each segment integrates one smooth mode; at a root the model picks the next mode and
 * CVODE restarts there, so the solver never steps across a discontinuity.
 */
#include "cvode_setup.h"
#include "gd_impl.h"

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_version.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_dense.h>

#define MAX_SWITCHES 100000L /* a chattering (Zeno) solution is reported, not looped on */
#define DENSE_MAX_DIM 1024   /* linsol = auto: dense Newton up to this state size, SPGMR above */

enum { ADAMS, BDF };
enum { NLS_AUTO, NLS_NEWTON, NLS_FIXEDPOINT };
enum { LS_AUTO, LS_DENSE, LS_SPGMR };
typedef struct {
    double t_end;
    int method, nls, linsol;
    double rtol, atol;
    long max_steps; /* internal steps per output interval */
} cv_opts;

static const char *const methods[] = {"adams", "bdf", NULL};
static const char *const nls_names[] = {"auto", "newton", "fixedpoint", NULL};
static const char *const linsol_names[] = {"auto", "dense", "spgmr", NULL};
#define O(f) offsetof(cv_opts, f)
static const gd_param cv_params[] = {
    {"t_end", GD_P_DOUBLE, O(t_end), "100", "cvode: final time", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"method", GD_P_ENUM, O(method), "adams", "cvode: adams | bdf", 0, 0, 0, methods},
    {"nls", GD_P_ENUM, O(nls), "auto", "cvode nonlinear solver: auto (adams: fixedpoint, bdf: newton) | newton (dense, analytic Jacobian) | fixedpoint", 0, 0, 0, nls_names},
    {"linsol", GD_P_ENUM, O(linsol), "auto",
     "cvode Newton linear solver: auto (dense up to 1024 coordinates, else spgmr) | dense (the model's Jacobian) | spgmr (matrix-free Krylov on the model's J.v)",
     0, 0, 0, linsol_names},
    {"rtol", GD_P_DOUBLE, O(rtol), "1e-8", "cvode: relative tolerance", 0, 1, GD_PF_LO_OPEN | GD_PF_HI_OPEN, NULL},
    {"atol", GD_P_DOUBLE, O(atol), "1e-10", "cvode: absolute tolerance", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"max_steps", GD_P_INT, O(max_steps), "10000000", "cvode: most internal steps per output interval before CV_TOO_MUCH_WORK", 1, 1e15, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    gd_cv h; /* context, vector, CVODE memory, solvers (src/cvode_setup.c) */
    int mode, nroots, isurf, isect; /* root count; index of the switching surface, of the section (-1: none) */
    long switches;
    int at_section; /* the last return was a section crossing */
    long k; /* output intervals done */
    long base_nfev, base_nsteps; /* counters from segments before the last CVodeReInit */
    double t;
    double *Jr; /* row-major Jacobian from the model */
} cv_priv;

/* CVODE's convention for a model call: 0, > 0 recoverable (a game's callback asked for a
 * retry: CVODE tries a smaller step), < 0 fatal. A fatal failure stays fatal until the
 * output interval ends: CVODE's fixed-point corrector would otherwise retry it as a
 * convergence failure, and fail() names it for what it was. */
static int cv_code(const gd_stepper *s, int rc) { return rc == GD_OK ? 0 : s->ws->failure > 0 ? 1 : -1; }

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud)
{
    (void)t;
    gd_stepper *s = ud;
    cv_priv *p = s->priv;
    if (s->ws->failure < 0) return -1;
    int rc = s->model->type->field(s->model, s->ws, p->mode, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return cv_code(s, rc);
}

static int cv_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *ud, N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
    gd_stepper *s = ud;
    cv_priv *p = s->priv;
    int n = s->dim;
    if (s->ws->failure < 0) return -1;
    int rc = s->model->type->jacobian(s->model, s->ws, p->mode, N_VGetArrayPointer(y), p->Jr);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) SM_ELEMENT_D(J, i, j) = p->Jr[i * n + j];
    return cv_code(s, rc);
}

static int cv_jtimes(N_Vector v, N_Vector Jv, sunrealtype t, N_Vector y, N_Vector fy, void *ud, N_Vector tmp)
{
    (void)t, (void)fy, (void)tmp;
    gd_stepper *s = ud;
    cv_priv *p = s->priv;
    const gd_model *m = s->model;
    if (s->ws->failure < 0) return -1;
    int rc = m->type->jvp(m, s->ws, p->mode, N_VGetArrayPointer(y), N_VGetArrayPointer(v), N_VGetArrayPointer(Jv));
    return cv_code(s, rc);
}

static int cv_psolve(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z, sunrealtype g, sunrealtype delta, int lr, void *ud)
{
    (void)t, (void)y, (void)fy, (void)delta, (void)lr;
    gd_stepper *s = ud;
    int rc = s->model->type->psolve(s->model, s->ws, g, N_VGetArrayPointer(r), N_VGetArrayPointer(z));
    return rc == GD_OK ? 0 : -1;
}

static int cv_roots(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
    (void)t;
    gd_stepper *s = ud;
    cv_priv *p = s->priv;
    const double *x = N_VGetArrayPointer(y);
    g[0] = s->o.diverge_radius * s->o.diverge_radius - gd_dot(s->dim, x, x);
    if (p->isurf >= 0) g[p->isurf] = s->model->type->surface(s->model, p->mode, x);
    if (p->isect >= 0) {
        double w = -s->section[s->dim];
        for (int i = 0; i < s->dim; i++) w += s->section[i] * x[i];
        g[p->isect] = w;
    }
    return 0;
}

#if SUNDIALS_VERSION_MAJOR < 7
static void cv_error(int code, const char *module, const char *function, char *msg, void *ud)
{
    (void)module;
    gd_stepper *s = ud;
    if (code < 0) gd_stepper_fail(s, GD_ESOLVER, "%s: %s", function, msg); /* fail() adds the flag name */
}
#endif

static void cv_free(gd_stepper *s)
{
    cv_priv *p = s->priv;
    gd_cv_release(&p->h);
    free(p->Jr);
    free(p);
}

/* Collect every CVODE setter failure into one check. */
#define CV_TRY(call)                                                                             \
    do {                                                                                         \
        if ((call) < 0) return gd_stepper_fail(s, GD_ESOLVER, "cvode: %s failed", #call);        \
    } while (0)

static int use_dense(gd_stepper *s)
{
    cv_priv *p = s->priv;
    if (gd_check_dense(s->msg, s->dim, 2, "cvode: linsol = dense (integrator.linsol = spgmr needs none)") != GD_OK) return GD_ENOMEM;
    p->Jr = malloc(sizeof(double) * (size_t)s->dim * (size_t)s->dim);
    int rc = p->Jr ? gd_cv_dense(&p->h, s->model->type->jacobian ? cv_jac : NULL) : GD_ENOMEM;
    if (rc == GD_ENOMEM) return gd_stepper_fail(s, GD_ENOMEM, "cvode: no memory for a dense %d x %d Jacobian (integrator.linsol = spgmr needs none)", s->dim, s->dim);
    return rc != GD_OK ? gd_stepper_fail(s, rc, "cvode: the dense linear solver could not be attached") : GD_OK;
}

/* GMRES on J.v, left-preconditioned by the model's approximate solve when it has one (the
 * PDE models invert their constant-coefficient part in Fourier space): without it the
 * spread of a stiff penalty's eigenvalues costs many Krylov iterations per Newton step. */
static int use_spgmr(gd_stepper *s)
{
    cv_priv *p = s->priv;
    const gd_model_type *t = s->model->type;
    p->h.LS = SUNLinSol_SPGMR(p->h.y, t->psolve ? SUN_PREC_LEFT : SUN_PREC_NONE, 0, p->h.ctx);
    if (!p->h.LS) return gd_stepper_fail(s, GD_ENOMEM, "cvode: out of memory");
    CV_TRY(CVodeSetLinearSolver(p->h.mem, p->h.LS, NULL));
    if (t->jvp) CV_TRY(CVodeSetJacTimes(p->h.mem, NULL, cv_jtimes)); /* else CVODE's own difference quotient */
    if (t->psolve) CV_TRY(CVodeSetPreconditioner(p->h.mem, NULL, cv_psolve));
    return GD_OK;
}

static int cv_init(gd_stepper *s)
{
    const cv_opts *o = s->opts;
    cv_priv *p = calloc(1, sizeof *p);
    if (!p) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    s->priv = p;
    gd_cv_spec spec = {.len = s->dim, .bdf = o->method == BDF, .rhs = cv_rhs, .ud = s, .rtol = o->rtol, .atol = o->atol, .max_steps = o->max_steps};
#if SUNDIALS_VERSION_MAJOR < 7
    spec.errfn = cv_error; /* CVODE's explanation goes into the stepper's message */
#endif
    int rc = gd_cv_open(&p->h, &spec);
    if (rc != GD_OK) return gd_stepper_fail(s, rc, rc == GD_ENOMEM ? "cvode: out of memory" : "cvode: CVODE refused its settings (tolerances, step limit)");
    /* Non-stiff oscillations (Adams) iterate to a fixed point: no Jacobian, no solves, about
     * 1 us per step on the 2-D Dirac-GAN flow (README.md, Performance: 211k steps in 0.22 s).
     * Stiff problems (BDF) need Newton on a dense J. */
    int newton = o->nls == NLS_NEWTON || (o->nls == NLS_AUTO && o->method == BDF);
    if (!newton) return gd_cv_fixed_point(&p->h) != GD_OK ? gd_stepper_fail(s, GD_ENOMEM, "cvode: out of memory") : GD_OK;
    int krylov = o->linsol == LS_SPGMR || (o->linsol == LS_AUTO && s->dim > DENSE_MAX_DIM);
    return krylov ? use_spgmr(s) : use_dense(s);
}

/* Totals over every segment: CVodeReInit zeroes CVODE's own counters. */
static void totals(gd_stepper *s, long *nsteps, long *nfev)
{
    cv_priv *p = s->priv;
    long nst = 0, nfe = 0;
    CVodeGetNumSteps(p->h.mem, &nst);
    CVodeGetNumRhsEvals(p->h.mem, &nfe);
    *nsteps = p->base_nsteps + nst;
    *nfev = p->base_nfev + nfe;
}

static int restart(gd_stepper *s, double t)
{
    cv_priv *p = s->priv;
    totals(s, &p->base_nsteps, &p->base_nfev);
    p->t = t;
    CV_TRY(CVodeReInit(p->h.mem, t, p->h.y));
    return GD_OK;
}

static int cv_reset(gd_stepper *s, const double *x0)
{
    cv_priv *p = s->priv;
    double *y = N_VGetArrayPointer(p->h.y);
    memcpy(y, x0, sizeof(double) * (size_t)s->dim);
    gd_model_project(s->model, y);
    p->mode = s->model->hybrid && s->model->type->start_mode ? s->model->type->start_mode(s->model, y) : 0;
    p->switches = 0;
    p->at_section = 0;
    p->k = 0;
    /* Roots: the divergence radius, the model's switching surface, the Poincare section. */
    int dirs[3] = {0, 0, 1};
    p->nroots = 1;
    p->isurf = s->model->hybrid && s->model->type->surface ? p->nroots++ : -1;
    p->isect = s->section ? p->nroots++ : -1;
    if (p->isurf < 0) dirs[1] = 1;
    CV_TRY(CVodeRootInit(p->h.mem, p->nroots, cv_roots));
    CV_TRY(CVodeSetRootDirection(p->h.mem, dirs));
    int rc = restart(s, 0.0);
    p->base_nfev = p->base_nsteps = 0;
    return rc;
}

static void sync_counters(gd_stepper *s) { totals(s, &s->nsteps, &s->nfev); }

/* A CVode failure: its class (for the per-trajectory and per-cell record) and one line
 * with the flag's name, CVODE's own explanation when its error handler gave one. */
static int fail(gd_stepper *s, int flag, double t)
{
    if (s->ws->failure < 0) flag = CV_RHSFUNC_FAIL; /* a game's fatal callback, whatever CVODE made of it */
    switch (flag) {
    case CV_TOO_MUCH_WORK: s->failure = GD_FAIL_TOO_MUCH_WORK; break;
    case CV_TOO_MUCH_ACC: s->failure = GD_FAIL_TOO_MUCH_ACC; break;
    case CV_ERR_FAILURE: s->failure = GD_FAIL_ERR_TEST; break;
    case CV_CONV_FAILURE: s->failure = GD_FAIL_CONV; break;
    case CV_LINIT_FAIL: case CV_LSETUP_FAIL: case CV_LSOLVE_FAIL: s->failure = GD_FAIL_LINEAR; break;
    case CV_RHSFUNC_FAIL: case CV_FIRST_RHSFUNC_ERR: case CV_REPTD_RHSFUNC_ERR: case CV_UNREC_RHSFUNC_ERR: s->failure = GD_FAIL_RHS; break;
    default: s->failure = GD_FAIL_OTHER;
    }
    char why[GD_MSG_LEN / 2];
    /* the model's own line says more than CVODE's "the right-hand side routine failed" */
    if (s->failure == GD_FAIL_RHS && s->ws->msg[0]) snprintf(why, sizeof why, "model '%s': %s", s->model->type->name, s->ws->msg);
    else snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1, s->msg);
    char *name = CVodeGetReturnFlagName(flag); /* malloc'd by SUNDIALS */
    if (why[0]) gd_stepper_fail(s, GD_ESOLVER, "cvode: %s at t = %g (%s)", name ? name : "failure", t, why);
    else gd_stepper_fail(s, GD_ESOLVER, "cvode: %s at t = %g", name ? name : "failure", t);
    free(name);
    return GD_ESOLVER;
}

/* An output interval (steps read the grid t_end k / steps, which sums no rounding). */
static double cv_interval(const gd_stepper *s) { return ((const cv_opts *)s->opts)->t_end / (double)s->o.steps; }

static int cv_step(gd_stepper *s, double *x, double *t)
{
    cv_priv *p = s->priv;
    double tout = ((const cv_opts *)s->opts)->t_end * (double)(p->k + 1) / (double)s->o.steps, tret = p->t;
    double *y = N_VGetArrayPointer(p->h.y);
    s->msg[0] = '\0';
    s->ws->failure = 0;
    /* The output grid is ours; CVODE's state is the truth between calls. */
    while (tret < tout) {
        int flag = CVode(p->h.mem, tout, p->h.y, &tret, CV_NORMAL);
        if (flag == CV_ILL_INPUT && p->at_section) {
            /* Near an equilibrium offset from 0 the section function can round to exactly 0
             * over CVODE's look-ahead after a crossing ("roots very near"); a restart at the
             * crossing lets CVODE's initial root check treat it as a start on the section. */
            p->at_section = 0;
            s->msg[0] = '\0';
            int rc = restart(s, p->t);
            if (rc != GD_OK) return rc;
            continue;
        }
        p->at_section = 0;
        if (flag < 0) {
            sync_counters(s);
            return fail(s, flag, tret);
        }
        p->t = tret;
        if (flag != CV_ROOT_RETURN) continue;
        int found[3] = {0, 0, 0};
        CVodeGetRootInfo(p->h.mem, found);
        if (found[0] || (p->isect >= 0 && found[p->isect])) {
            memcpy(x, y, sizeof(double) * (size_t)s->dim);
            *t = tret;
            sync_counters(s);
            p->at_section = !found[0];
            return found[0] ? GD_DIVERGED : GD_SECTION;
        }
        if (++p->switches > MAX_SWITCHES) {
            s->failure = GD_FAIL_CHATTER;
            return gd_stepper_fail(s, GD_ESOLVER, "cvode: more than %ld mode switches by t = %g (chattering)", MAX_SWITCHES, tret);
        }
        p->mode = s->model->type->next_mode(s->model, p->mode, y);
        int rc = restart(s, tret);
        if (rc != GD_OK) return rc;
    }
    memcpy(x, y, sizeof(double) * (size_t)s->dim);
    *t = tret;
    p->k++;
    sync_counters(s);
    return GD_OK;
}

const gd_integrator_type gd_integrator_cvode = {
    .name = "cvode",
    .summary = "SUNDIALS CVODE (adams | bdf), dense Newton with the analytic Jacobian, root-stopped at sweep.diverge_radius, restarted at switching surfaces",
    .order = 0,
    .fixed_step = 0,
    .params = cv_params,
    .opts_size = sizeof(cv_opts),
    .init = cv_init,
    .reset = cv_reset,
    .step = cv_step,
    .free = cv_free,
    .interval = cv_interval,
};
