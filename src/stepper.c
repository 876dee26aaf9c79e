/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gd_stepper: an update rule bound to a model. The [integrator] keys are one shared
 * table (the config contract lists them together); each integrator type names the
 * subset it reads, for `gandyn list`.
 */
#include "gd_impl.h"

#include <cblas.h>

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const orders[] = {"gen_first", "disc_first", NULL};
static const char *const methods[] = {"adams", "bdf", NULL};
static const char *const nls_names[] = {"auto", "newton", "fixedpoint", NULL};
static const char *const linsol_names[] = {"auto", "dense", "spgmr", NULL};

#define O(f) offsetof(gd_iopts, f)
static const gd_param iparams[] = {
    {"h", GD_P_DOUBLE, O(h), "0.2", "step size of fixed-step integrators", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"lr_g", GD_P_DOUBLE, O(lr_g), "", "generator learning rate (empty: h)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"lr_d", GD_P_DOUBLE, O(lr_d), "", "discriminator learning rate (empty: h)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"n_g", GD_P_INT, O(n_g), "1", "altgd: generator sub-steps per iteration", 1, 1e6, 0, NULL},
    {"n_d", GD_P_INT, O(n_d), "1", "altgd: discriminator sub-steps per iteration", 1, 1e6, 0, NULL},
    {"order", GD_P_ENUM, O(order), "gen_first", "altgd: gen_first | disc_first", 0, 0, 0, orders},
    {"steps", GD_P_INT, O(steps), "500", "fixed-step iterations; cvode: number of output intervals over t_end", 1, 1e12, 0, NULL},
    {"t_end", GD_P_DOUBLE, O(t_end), "100", "cvode: final time", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"method", GD_P_ENUM, O(method), "adams", "cvode: adams | bdf", 0, 0, 0, methods},
    {"nls", GD_P_ENUM, O(nls), "auto", "cvode nonlinear solver: auto (adams: fixedpoint, bdf: newton) | newton (dense, analytic Jacobian) | fixedpoint", 0, 0, 0, nls_names},
    {"linsol", GD_P_ENUM, O(linsol), "auto",
     "cvode Newton linear solver: auto (dense up to 1024 coordinates, else spgmr) | dense (the model's Jacobian) | spgmr (matrix-free Krylov on the model's J.v)",
     0, 0, 0, linsol_names},
    {"rtol", GD_P_DOUBLE, O(rtol), "1e-8", "cvode: relative tolerance", 0, 1, GD_PF_LO_OPEN | GD_PF_HI_OPEN, NULL},
    {"atol", GD_P_DOUBLE, O(atol), "1e-10", "cvode: absolute tolerance", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"newton_tol", GD_P_DOUBLE, O(newton_tol), "1e-14", "implicit_midpoint: Newton tolerance on the update (relative)", 0, 1, GD_PF_LO_OPEN, NULL},
    {"max_steps", GD_P_INT, O(max_steps), "10000000", "cvode: most internal steps per output interval before CV_TOO_MUCH_WORK", 1, 1e15, 0, NULL},
    {"newton_max", GD_P_INT, O(newton_max), "50", "implicit_midpoint: Newton iteration cap", 1, 10000, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
/* Set by the simulation from sweep.diverge_radius; settable from C by this key. */
static const gd_param radius_param[] = {
    {"diverge_radius", GD_P_DOUBLE, O(diverge_radius), "1e6", "a state whose norm exceeds this has diverged", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

const gd_param *gd_integrator_params(void) { return iparams; }
const gd_integrator_type *const *gd_integrator_types(void) { return gd_integrator_registry; }

const gd_integrator_type *gd_integrator_type_find(const char *name)
{
    for (const gd_integrator_type *const *t = gd_integrator_registry; *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}

const char *gd_integrator_type_name(const gd_integrator_type *t) { return t->name; }
const char *gd_integrator_type_summary(const gd_integrator_type *t) { return t->summary; }
int gd_integrator_type_order(const gd_integrator_type *t) { return t->order; }
int gd_integrator_type_is_fixed_step(const gd_integrator_type *t) { return t->fixed_step; }
const char *const *gd_integrator_type_keys(const gd_integrator_type *t) { return t->keys; }

gd_stepper *gd_stepper_create(const gd_integrator_type *t, const gd_model *m)
{
    gd_stepper *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->type = t;
    s->model = m;
    gd_params_defaults(iparams, &s->o, "integrator", s->msg);
    gd_params_defaults(radius_param, &s->o, "sweep", s->msg);
    return s;
}

int gd_stepper_set(gd_stepper *s, const char *key, const char *value)
{
    const gd_param *p = gd_param_find(iparams, key);
    const char *owner = "integrator";
    if (!p && (p = gd_param_find(radius_param, key))) owner = "sweep";
    if (!p) return gd_stepper_fail(s, GD_EUSAGE, "unknown key integrator.%s", key);
    s->ready = 0;
    return gd_param_apply(p, &s->o, value, owner, s->msg);
}

static void release(gd_stepper *s)
{
    if (s->type->free && s->priv) s->type->free(s);
    s->priv = NULL;
    free(s->hv);
    s->hv = NULL;
    for (int i = 0; i < 4; i++) {
        free(s->w[i]);
        s->w[i] = NULL;
    }
}

/* The per-coordinate steps from h, lr_g, lr_d. */
static void set_rates(gd_stepper *s)
{
    double hg = isnan(s->o.lr_g) ? s->o.h : s->o.lr_g;
    double hd = isnan(s->o.lr_d) ? s->o.h : s->o.lr_d;
    for (int i = 0; i < s->dim; i++) s->hv[i] = i < s->ngen ? hg : hd;
}

int gd_stepper_update_rates(gd_stepper *s)
{
    if (!s->hv || !s->type->fixed_step) return gd_stepper_setup(s);
    set_rates(s);
    s->ready = 1;
    return GD_OK;
}

/* The stepper's workspace, current for the model's last setup (a sweep sets the model up
 * again cell by cell without setting the stepper up again). */
static int current_ws(gd_stepper *s)
{
    if (!s->ws && !(s->ws = gd_model_ws_create(s->model))) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    int rc = gd_model_ws_ready(s->model, s->ws);
    if (rc != GD_OK) gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    return rc;
}

int gd_stepper_setup(gd_stepper *s)
{
    release(s);
    if (!s->model->ready) return gd_stepper_fail(s, GD_EUSAGE, "the model is not set up");
    int rc = current_ws(s);
    if (rc != GD_OK) return rc;
    s->dim = s->model->dim;
    s->ngen = s->model->ngen;
    s->hv = malloc(sizeof(double) * (size_t)s->dim);
    for (int i = 0; i < 4; i++) s->w[i] = malloc(sizeof(double) * (size_t)s->dim);
    if (!s->hv || !s->w[0] || !s->w[1] || !s->w[2] || !s->w[3]) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    set_rates(s);
    if (s->type->init && (rc = s->type->init(s)) != GD_OK) return rc;
    s->ready = 1;
    return GD_OK;
}

int gd_stepper_reset(gd_stepper *s, const double *x0)
{
    if (!s->ready) return gd_stepper_fail(s, GD_EUSAGE, "gd_stepper_setup has not succeeded");
    s->nfev = s->nsteps = 0;
    s->failure = GD_FAIL_NONE;
    int rc = current_ws(s);
    if (rc != GD_OK) return rc;
    return s->type->reset ? s->type->reset(s, x0) : GD_OK;
}

static double norm(const double *x, int n)
{
    double r = 0;
    for (int i = 0; i < n; i++) r += x[i] * x[i];
    return sqrt(r);
}

int gd_stepper_step(gd_stepper *s, double *x, double *t)
{
    s->failure = GD_FAIL_NONE;
    int rc = current_ws(s);
    if (rc == GD_OK) rc = s->type->step(s, x, t);
    if (rc < 0 && s->failure == GD_FAIL_NONE) s->failure = GD_FAIL_OTHER;
    if (rc < 0) return rc;
    /* time = iterations x the discriminator's step (tau = k eta_d); no drift from summing */
    if (s->type->fixed_step) *t = (double)++s->nsteps * s->hv[s->ngen < s->dim ? s->ngen : 0];
    /* The negated test also catches NaN: a non-finite state is a divergence. */
    if (!(norm(x, s->dim) <= s->o.diverge_radius)) return GD_DIVERGED;
    return rc;
}

int gd_stepper_map_dim(const gd_stepper *s) { return s->dim * (1 + s->type->history); }

/* The history (optimistic: previous field value) as at a fixed point x: F(x). */
static int history_at(gd_stepper *s, const double *x, double *hist)
{
    for (int k = 0; k < s->type->history; k++) {
        int rc = gd_eval(s, x, hist + k * s->dim);
        if (rc != GD_OK) return rc;
    }
    return GD_OK;
}

/* One iteration from the augmented state z = (x, history) into z. */
static int step_state(gd_stepper *s, double *z)
{
    double t = 0;
    size_t nh = (size_t)s->type->history * (size_t)s->dim;
    if (nh) memcpy(s->priv, z + s->dim, sizeof(double) * nh);
    int rc = s->type->step(s, z, &t);
    if (nh) memcpy(z + s->dim, s->priv, sizeof(double) * nh);
    return rc;
}

int gd_stepper_map_jacobian_fd(gd_stepper *s, const double *x, double *M)
{
    if (!s->type->fixed_step) return gd_stepper_fail(s, GD_ENOTAVAIL, "%s has no fixed one-iteration map", s->type->name);
    int n = gd_stepper_map_dim(s), rc = current_ws(s);
    if (rc != GD_OK) return rc;
    double *z = malloc(sizeof(double) * 3 * (size_t)n);
    if (!z) return GD_ENOMEM;
    double *zp = z + n, *zm = z + 2 * n;
    memcpy(z, x, sizeof(double) * (size_t)s->dim);
    rc = history_at(s, x, z + s->dim);
    for (int j = 0; j < n && rc >= 0; j++) {
        double eps = 1e-6 * fmax(1.0, fabs(z[j]));
        memcpy(zp, z, sizeof(double) * (size_t)n);
        memcpy(zm, z, sizeof(double) * (size_t)n);
        zp[j] += eps;
        zm[j] -= eps;
        rc = step_state(s, zp);
        if (rc >= 0) rc = step_state(s, zm);
        for (int i = 0; i < n; i++) M[i * n + j] = (zp[i] - zm[i]) / (2 * eps);
    }
    free(z);
    return rc < 0 ? rc : GD_OK;
}

int gd_stepper_map_jacobian(gd_stepper *s, const double *x, double *M, int *analytic)
{
    if (!s->ready) return gd_stepper_fail(s, GD_EUSAGE, "gd_stepper_setup has not succeeded");
    int an = s->type->map_jacobian != NULL, rc = current_ws(s);
    if (rc != GD_OK) return rc;
    rc = an ? s->type->map_jacobian(s, x, M) : GD_ENOTAVAIL;
    if (rc == GD_ENOTAVAIL) { /* no field Jacobian (a model-owned map): differentiate the map */
        an = 0;
        rc = gd_stepper_map_jacobian_fd(s, x, M);
    }
    if (analytic) *analytic = an;
    return rc;
}

int gd_stepper_set_section(gd_stepper *s, const double *w, double c)
{
    if (s->type->fixed_step) return gd_stepper_fail(s, GD_ENOTAVAIL, "%s has no Poincare sections (cvode has)", s->type->name);
    free(s->section);
    s->section = NULL;
    if (!w) return GD_OK;
    s->section = malloc(sizeof(double) * (size_t)(s->model->dim + 1));
    if (!s->section) return GD_ENOMEM;
    memcpy(s->section, w, sizeof(double) * (size_t)s->model->dim);
    s->section[s->model->dim] = c;
    return GD_OK;
}

void gd_matmul(int n, const double *A, const double *B, double *C)
{
    /* BLAS: map Jacobians of feature models reach n ~ 1000, where n^3 loops take seconds */
    int pin = gd_blas_serial_begin(n);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
    gd_blas_serial_end(pin);
}

int gd_substeps(gd_stepper *s, double *x, const gd_substep *seq, int nseq, double *M)
{
    int n = s->dim, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *J = M ? malloc(sizeof(double) * 3 * nn) : NULL, *S = J ? J + nn : NULL, *T = J ? J + 2 * nn : NULL;
    if (M && !J) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    if (M)
        for (size_t i = 0; i < nn; i++) M[i] = (i % (size_t)(n + 1)) == 0;
    for (int q = 0; q < nseq && rc == GD_OK; q++) {
        int i0 = seq[q].player ? s->ngen : 0, i1 = seq[q].player ? n : s->ngen;
        for (long k = 0; k < seq[q].repeat && rc == GD_OK; k++) {
            if (M && (rc = gd_model_jacobian_ws(s->model, s->ws, x, J)) != GD_OK) break;
            if ((rc = gd_eval(s, x, s->w[0])) != GD_OK) break;
            if (M) {
                gd_substep_jacobian(s, J, seq[q].scale, i0, i1, S);
                gd_matmul(n, S, M, T);
                memcpy(M, T, sizeof(double) * nn);
            }
            gd_axpy_player(s, x, seq[q].scale, s->w[0], i0, i1);
        }
    }
    free(J);
    return rc;
}

void gd_substep_jacobian(const gd_stepper *s, const double *J, double scale, int i0, int i1, double *M)
{
    int n = s->dim;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            M[i * n + j] = (i == j) + ((i >= i0 && i < i1) ? scale * s->hv[i] * J[i * n + j] : 0.0);
}

long gd_stepper_get_nfev(const gd_stepper *s) { return s->nfev; }
long gd_stepper_get_nsteps(const gd_stepper *s) { return s->nsteps; }
const char *gd_stepper_errmsg(const gd_stepper *s) { return s ? s->msg : "no stepper"; }

void gd_stepper_free(gd_stepper **ps)
{
    if (!ps || !*ps) return;
    release(*ps);
    gd_model_ws_free(&(*ps)->ws);
    free((*ps)->section);
    free(*ps);
    *ps = NULL;
}

int gd_model_gda_step(gd_stepper *s, double *x, int rule, int *done)
{
    *done = 0;
    const gd_model *m = s->model;
    if (!m->type->gda_step) return GD_OK;
    int rc = m->type->gda_step(m, s->ws, x, s->hv[0], s->hv[m->ngen < m->dim ? m->ngen : 0], rule, s->nsteps);
    if (rc == GD_ENOTAVAIL) return GD_OK;
    *done = 1;
    s->nfev++;
    if (rc != GD_OK) gd_stepper_fail(s, rc, "model '%s': %s", m->type->name, s->ws->msg);
    return rc;
}

int gd_eval(gd_stepper *s, const double *x, double *v)
{
    s->nfev++;
    int rc = s->model->type->field(s->model, s->ws, 0, x, v);
    if (rc != GD_OK) s->failure = GD_FAIL_RHS, gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    return rc;
}

void gd_axpy_player(gd_stepper *s, double *x, double scale, const double *v, int i0, int i1)
{
    for (int i = i0; i < i1; i++) x[i] += scale * s->hv[i] * v[i];
    gd_model_project(s->model, x);
}
