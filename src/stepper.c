/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gd_stepper: an update rule bound to a model. The [integrator] keys are the shared table
 * below (step sizes and the number of steps, which the sim, sweeps and analyses read of any
 * rule) plus each rule's own table, as a model's (integrators/: altgd's sub-steps, cvode's
 * tolerances, ...).
 */
#include "gd_impl.h"

#include <cblas.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define O(f) offsetof(gd_iopts, f)
static const gd_param shared_params[] = {
    {"h", GD_P_DOUBLE, O(h), "0.2", "step size of fixed-step integrators", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"lr_g", GD_P_DOUBLE, O(lr_g), "", "generator learning rate (empty: h)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"lr_d", GD_P_DOUBLE, O(lr_d), "", "discriminator learning rate (empty: h)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"steps", GD_P_INT, O(steps), "500", "fixed-step iterations; cvode: number of output intervals over t_end", 1, 1e12, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
/* Set by the simulation from sweep.diverge_radius; settable from C by this key. */
static const gd_param radius_param[] = {
    {"diverge_radius", GD_P_DOUBLE, O(diverge_radius), "1e6", "a state whose norm exceeds this has diverged", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O
static const gd_param no_params[] = {{NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

const gd_param *gd_integrator_shared_params(void) { return shared_params; }

const char *gd_integrator_type_name(const gd_integrator_type *t) { return t ? t->name : NULL; }
const char *gd_integrator_type_summary(const gd_integrator_type *t) { return t ? t->summary : NULL; }
int gd_integrator_type_order(const gd_integrator_type *t) { return t ? t->order : GD_EUSAGE; }
int gd_integrator_type_is_fixed_step(const gd_integrator_type *t) { return t ? t->fixed_step : 0; }

const char *gd_integrator_type_state_name(const gd_integrator_type *t, int j)
{
    static const char *const unnamed[] = {"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"};
    if (!t || j < 0 || j > t->history) return NULL;
    if (j == 0) return "x";
    if (t->history_names) return t->history_names[j - 1];
    return j - 1 < 8 ? unnamed[j - 1] : "h";
}
const gd_param *gd_integrator_type_params(const gd_integrator_type *t) { return !t ? NULL : t->params ? t->params : no_params; }

int gd_integrator_type_reads(const gd_integrator_type *t, const char *key)
{
    if (!t || !key) return 0;
    if (gd_param_find(t->params, key)) return 1;
    return gd_param_find(shared_params, key) && (t->fixed_step || strcmp(key, "steps") == 0);
}

const gd_integrator_type *gd_integrator_key_owner(const char *key, const gd_param **p)
{
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++)
        if ((*p = gd_param_find((*t)->params, key))) return *t;
    return NULL;
}

int gd_stepper_usable(const gd_stepper *s)
{
    if (s && !s->ready) gd_stepper_fail((gd_stepper *)s, GD_EUSAGE, "integrator '%s': gd_stepper_setup has not succeeded", s->type->name);
    return s && s->ready;
}

gd_stepper *gd_stepper_create(const gd_integrator_type *t, const gd_model *m)
{
    if (!t || !m) return NULL;
    gd_stepper *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->type = t;
    s->model = m;
    if (t->opts_size && !(s->opts = calloc(1, t->opts_size))) {
        free(s);
        return NULL;
    }
    gd_params_defaults(shared_params, &s->o, "integrator", s->msg);
    gd_params_defaults(radius_param, &s->o, "sweep", s->msg);
    gd_params_defaults(t->params, s->opts, "integrator", s->msg);
    gd_params_defaults(gd_wrap_params("lookahead"), &s->wrap, "lookahead", s->msg);
    gd_params_defaults(gd_wrap_params("modifier"), &s->wrap, "modifier", s->msg);
    return s;
}

const gd_param *gd_stepper_param(gd_stepper *s, const char *key, void **obj)
{
    const gd_param *p = gd_param_find(shared_params, key);
    *obj = &s->o;
    if (!p && (p = gd_param_find(s->type->params, key))) *obj = s->opts;
    return p;
}

int gd_integrator_key_value(const char *key, const char *text, const gd_param **p, void **obj, char *msg)
{
    const gd_integrator_type *t = gd_integrator_key_owner(key, p);
    *obj = t ? calloc(1, t->opts_size) : NULL;
    if (!t) return gd_fmt(msg, GD_EUSAGE, "unknown key integrator.%s", key);
    if (!*obj) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    return gd_param_apply(*p, *obj, text ? text : (*p)->def, "integrator", msg);
}

/* The row of KEY on s and the struct it sets (diverge_radius: a [sweep] key set by the sim);
 * NULL for another rule's key or an unknown one. */
static const gd_param *settable(gd_stepper *s, const char *key, void **obj, const char **owner)
{
    const gd_param *p = gd_stepper_param(s, key, obj);
    *owner = "integrator";
    if (!p && (p = gd_param_find(radius_param, key))) *owner = "sweep", *obj = &s->o;
    if (!p && (p = gd_wrap_param(key, owner))) *obj = &s->wrap; /* "lookahead.k", "modifier.name", ... */
    if (p) s->ready = 0;
    return p;
}

/* Another rule's key (a configuration written for altgd, run with simgd): checked by that
 * rule's row, without effect here, as when all keys were one table. */
static int other_rule(gd_stepper *s, const char *key, const char *text)
{
    const gd_param *p;
    void *obj;
    int rc = gd_integrator_key_value(key, text, &p, &obj, s->msg);
    free(obj);
    return rc;
}

int gd_stepper_set(gd_stepper *s, const char *key, const char *value)
{
    if (!s) return GD_EUSAGE;
    if (!key || !value) return gd_stepper_fail(s, GD_EUSAGE, "gd_stepper_set: a NULL key or value");
    void *obj;
    const char *owner;
    const gd_param *p = settable(s, key, &obj, &owner);
    return p ? gd_param_apply(p, obj, value, owner, s->msg) : other_rule(s, key, value);
}

int gd_stepper_set_double(gd_stepper *s, const char *key, double v)
{
    void *obj;
    const char *owner;
    char text[32];
    const gd_param *p = settable(s, key, &obj, &owner);
    if (p) return gd_param_apply_double(p, obj, v, owner, s->msg);
    snprintf(text, sizeof text, "%.17g", v);
    return other_rule(s, key, text);
}

void gd_stepper_copy_options(gd_stepper *dst, const gd_stepper *src)
{
    dst->o = src->o;
    dst->wrap = src->wrap;
    dst->noise = src->noise;
    if (src->type->opts_size) memcpy(dst->opts, src->opts, src->type->opts_size); /* shallow: no rule has string keys */
    dst->ready = 0;
}

static void release(gd_stepper *s)
{
    if (s->type->free && s->priv) s->type->free(s);
    s->priv = NULL;
    free(s->hv);
    s->hv = NULL;
    for (int i = 0; i < GD_LANE_SCRATCH; i++) {
        free(s->w[i]);
        s->w[i] = NULL;
    }
    free(s->lane.v);
    free(s->lane.hist);
    free(s->lane.slow);
    free(s->wrap_ws);
    s->wrap_ws = NULL;
    memset(&s->lane, 0, sizeof s->lane);
}

/* ---- the stepper's state as a lane of one (gd_impl.h): the model's own field and
 * projection, evaluations counted ---- */
/* The field every rule sees: the model's, counted, then [modifier]'s change (src/wrap.c). */
static int one_field(gd_lane *L, const double *x, double *v) { return gd_stepper_field(L->owner, x, v); }

static void one_axpy(gd_lane *L, double *out, const double *base, double scale, const double *v, int i0, int i1, int project)
{
    gd_stepper *s = L->owner;
    for (int i = i0; i < i1; i++) out[i] = base[i] + scale * s->hv[i] * v[i];
    if (project) gd_model_project(s->model, out);
}

static void one_project(gd_lane *L, double *x) { gd_model_project(((gd_stepper *)L->owner)->model, x); }

static const gd_lane_ops one_ops = {one_field, one_axpy, one_project, NULL};

static int lane_init(gd_stepper *s)
{
    gd_lane *L = &s->lane;
    *L = (gd_lane){&one_ops, 1, s->dim, s->ngen, s->opts, NULL, NULL, NULL, {NULL}, s, 0, &s->wrap, NULL, 0,
                   {.o = &s->noise, .cell = s->noise_cell, .start = s->noise_start}, NULL, NULL};
    L->v = malloc(sizeof(double) * 2 * (size_t)s->dim); /* v, then d */
    L->d = L->v ? L->v + s->dim : NULL;
    if (s->type->history) L->hist = calloc((size_t)s->type->history * (size_t)s->dim, sizeof(double));
    for (int i = 0; i < GD_LANE_SCRATCH; i++) L->w[i] = s->w[i];
    if (s->wrap.k > 0) L->slow = malloc(sizeof(double) * (size_t)s->dim);
    return L->v && (L->hist || !s->type->history) && (L->slow || !s->wrap.k) ? GD_OK : GD_ENOMEM;
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
    if (!s) return GD_EUSAGE;
    s->ready = 0; /* until this setup succeeds: release frees what the last one made */
    release(s);
    if (!s->model->ready) return gd_stepper_fail(s, GD_EUSAGE, "the model is not set up");
    int rc = current_ws(s);
    if (rc != GD_OK) return rc;
    s->dim = s->model->dim;
    s->ngen = s->model->ngen;
    s->hv = malloc(sizeof(double) * (size_t)s->dim);
    int ok = s->hv != NULL;
    for (int i = 0; i < GD_LANE_SCRATCH; i++) ok &= (s->w[i] = malloc(sizeof(double) * (size_t)s->dim)) != NULL;
    if (!ok || lane_init(s) != GD_OK) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    set_rates(s);
    if ((rc = gd_wrap_setup(s)) != GD_OK) return rc;
    if (s->type->init && (rc = s->type->init(s)) != GD_OK) return rc;
    s->ready = 1;
    return GD_OK;
}

int gd_stepper_reset(gd_stepper *s, const double *x0)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    s->nfev = s->nsteps = 0;
    s->lane.iter = 0;
    s->lane.noise.step = 0;
    s->failure = GD_FAIL_NONE;
    int rc = current_ws(s);
    if (rc != GD_OK) return rc;
    gd_lookahead_start(&s->lane, x0);
    if (s->type->lane_reset) return s->type->lane_reset(&s->lane, x0);
    return s->type->reset ? s->type->reset(s, x0) : GD_OK;
}

/* One step of the rule itself (no lookahead around it): one base step of the noise counter. */
static int base_step(gd_stepper *s, double *x, double *t)
{
    gd_lane_step_begin(&s->lane);
    int rc = s->type->step ? s->type->step(s, x, t) : s->type->advance(&s->lane, x);
    gd_lane_step_end(&s->lane);
    if (rc == GD_EUSAGE && s->lane.noise.stage > 255)
        gd_stepper_fail(s, rc, "noise: more than 256 field evaluations in one step of '%s' (the noise counter's stage field)", s->type->name);
    return rc;
}

/* The rule's state restarted at x (lookahead.state = reset, at a cycle's end). */
static int base_restart(gd_stepper *s, double *x)
{
    s->lane.iter = 0;
    if (s->type->lane_reset) return s->type->lane_reset(&s->lane, x);
    return s->type->reset ? s->type->reset(s, x) : GD_OK;
}

int gd_stepper_step(gd_stepper *s, double *x, double *t)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    s->failure = GD_FAIL_NONE;
    int rc = current_ws(s);
    if (rc == GD_OK) rc = base_step(s, x, t);
    if (rc >= 0 && gd_lookahead_sync(&s->lane, x, NULL)) rc = base_restart(s, x);
    if (rc < 0 && s->failure == GD_FAIL_NONE) s->failure = GD_FAIL_OTHER;
    if (rc < 0) return rc;
    /* time = iterations x the discriminator's step (tau = k eta_d); no drift from summing */
    if (s->type->fixed_step) *t = (double)++s->nsteps * s->hv[s->ngen < s->dim ? s->ngen : 0];
    /* The negated test also catches NaN: a non-finite state is a divergence. */
    if (!(gd_norm(s->dim, x) <= s->o.diverge_radius)) return GD_DIVERGED;
    return rc;
}

/* Per-state steps: given, else the stepper's own for every state. */
static const double *steps_of(const double *given, double own, int n, double *fill)
{
    if (given) return given;
    for (int i = 0; i < n; i++) fill[i] = own;
    return fill;
}

/* Per-state values of a batched parameter that this configuration cannot vary
 * (gd_model_type.batch_varies) must be the model's own; an unset value (NaN) matches itself. */
static int fixed_params_kept(gd_stepper *s, int n, const double *p)
{
    const gd_model *m = s->model;
    const gd_model_type *t = m->type;
    for (int j = 0; p && t->batch_varies && t->batch_params[j]; j++) {
        if (t->batch_varies(m, j)) continue;
        double own = *(const double *)((const char *)m->opts + gd_param_find(t->params, t->batch_params[j])->offset);
        for (int i = 0; i < n; i++) {
            double v = p[(size_t)j * (size_t)n + (size_t)i];
            if (!(v == own || (isnan(v) && isnan(own))))
                return gd_stepper_fail(s, GD_EUSAGE, "model.%s = %g in state %d: this configuration of '%s' takes only its own value %g", t->batch_params[j],
                                       v, i, t->name, own);
        }
    }
    return GD_OK;
}

int gd_stepper_step_batch(gd_stepper *s, int n, double *x, const double *hg, const double *hd, const double *p, long iters)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    if (!x || n < 1 || iters < 0) return gd_stepper_fail(s, GD_EUSAGE, "gd_stepper_step_batch: need states x, n >= 1 and iters >= 0");
    if (!gd_batch_available(s)) return gd_stepper_fail(s, GD_ENOTAVAIL, "%s on model '%s' has no batched step", s->type->name, s->model->type->name);
    if (fixed_params_kept(s, n, p) != GD_OK) return GD_EUSAGE;
    gd_batch b;
    double *own = calloc(3 * (size_t)n, sizeof(double)); /* hg, hd, frozen (none; given, so fused sub-steps run) */
    if (!own || gd_batch_init(&b, s, n) != GD_OK) {
        free(own);
        return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    }
    b.hg = steps_of(hg, s->hv[0], n, own);
    b.hd = steps_of(hd, s->hv[s->dim - 1], n, own + n);
    b.p = p;
    b.frozen = own + 2 * (size_t)n;
    gd_lane *L = &b.lane;
    long *starts = gd_lane_noisy(L) ? malloc(sizeof(long) * (size_t)n) : NULL; /* state i is start i of the stepper's cell */
    for (int i = 0; starts && i < n; i++) starts[i] = i;
    L->noise.cell = s->lane.noise.cell, L->noise.starts = starts;
    L->ops->project(L, x);
    int rc = gd_lane_noisy(L) && !starts ? GD_ENOMEM : gd_lane_start(s->type, L, x);
    for (long k = 0; k < iters && rc == GD_OK; k++) rc = gd_lane_advance(s->type, L, x, b.frozen);
    free(starts);
    s->nfev += b.nfev;
    if (rc != GD_OK) gd_stepper_fail(s, rc, "model '%s': batched field failed (%s)", s->model->type->name, gd_strerror(rc));
    gd_batch_release(&b);
    free(own);
    return rc;
}

/* The base rule's map: on (x, history); lookahead's cycle map is on the same state, or on x
 * alone when the base state restarts every cycle. */
static int base_map_dim(const gd_stepper *s) { return s->dim * (1 + s->type->history); }
int gd_stepper_map_dim(const gd_stepper *s)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    return s->wrap.k > 0 && s->wrap.state == GD_LA_RESET ? s->dim : base_map_dim(s);
}

/* The history (optimistic: previous field value) as at a fixed point x: F(x). */
static int history_at(gd_stepper *s, const double *x, double *hist)
{
    for (int k = 0; k < s->type->history; k++) {
        int rc = gd_stepper_field(s, x, hist + k * s->dim);
        if (rc != GD_OK) return rc;
    }
    return GD_OK;
}

/* One iteration from the augmented state z = (x, history) into z: one base step, or (cycle)
 * one lookahead cycle from slow weights x, the history restarted first when the cycle map
 * is on x alone. */
static int step_state(gd_stepper *s, double *z, int cycle)
{
    double t = 0;
    int restart = cycle && s->wrap.state == GD_LA_RESET, rc = GD_OK;
    size_t nh = restart ? 0 : (size_t)s->type->history * (size_t)s->dim;
    if (nh) memcpy(s->lane.hist, z + s->dim, sizeof(double) * nh);
    if (restart) rc = base_restart(s, z);
    if (cycle) gd_lookahead_start(&s->lane, z);
    for (long k = 0; k < (cycle ? s->wrap.k : 1) && rc >= 0; k++) {
        rc = base_step(s, z, &t);
        if (cycle) gd_lookahead_sync(&s->lane, z, NULL); /* the last one moves the slow weights */
    }
    if (nh) memcpy(z + s->dim, s->lane.hist, sizeof(double) * nh);
    return rc;
}

int gd_stepper_step_state(gd_stepper *s, double *z)
{
    int rc = current_ws(s);
    return rc == GD_OK ? step_state(s, z, s->wrap.k > 0) : rc;
}

int gd_stepper_map_state(gd_stepper *s, double *z)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    if (!z) return gd_stepper_fail(s, GD_EUSAGE, "gd_stepper_map_state: need a state (NULL)");
    if (!s->type->fixed_step) return gd_stepper_fail(s, GD_ENOTAVAIL, "%s has no fixed one-iteration map", s->type->name);
    /* the noise-free map at the lane's iteration count, kept: every call is the same map */
    long iter = s->lane.iter;
    int off = s->lane.noise.off;
    s->lane.noise.off = 1;
    int rc = gd_stepper_step_state(s, z);
    s->lane.iter = iter, s->lane.noise.off = off;
    return rc < 0 ? rc : GD_OK;
}

/* Central differences of one iteration (cycle: a lookahead cycle; else one base step) over the
 * extended state z, of the noise-free rule. The lane's history and iteration count are restored
 * after each step, so every difference starts from the same iteration (adam's bias correction)
 * and the caller's orbit is left as it was. */
static int fd_state(gd_stepper *s, const double *z, double *M, int cycle)
{
    int n = cycle ? gd_stepper_map_dim(s) : base_map_dim(s), rc = GD_OK;
    size_t nh = (size_t)s->type->history * (size_t)s->dim;
    long iter = s->lane.iter;
    double *zp = malloc(sizeof(double) * (2 * (size_t)n + nh));
    if (!zp) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    double *zm = zp + n, *keep = zm + n;
    const int off = s->lane.noise.off;
    s->lane.noise.off = 1;
    if (nh) memcpy(keep, s->lane.hist, sizeof(double) * nh);
    for (int j = 0; j < n && rc >= 0; j++) {
        double eps = 1e-6 * fmax(1.0, fabs(z[j]));
        memcpy(zp, z, sizeof(double) * (size_t)n);
        memcpy(zm, z, sizeof(double) * (size_t)n);
        zp[j] += eps, zm[j] -= eps;
        s->lane.iter = iter;
        rc = step_state(s, zp, cycle);
        s->lane.iter = iter;
        if (rc >= 0) rc = step_state(s, zm, cycle);
        for (int i = 0; i < n; i++) M[i * n + j] = (zp[i] - zm[i]) / (2 * eps);
    }
    s->lane.iter = iter;
    if (nh) memcpy(s->lane.hist, keep, sizeof(double) * nh);
    s->lane.noise.off = off;
    free(zp);
    return rc < 0 ? rc : GD_OK;
}

/* Central differences of one iteration at x, its history as at a fixed point. */
static int map_fd(gd_stepper *s, const double *x, double *M, int cycle)
{
    int n = cycle ? gd_stepper_map_dim(s) : base_map_dim(s), rc = current_ws(s);
    if (rc != GD_OK) return rc;
    double *z = malloc(sizeof(double) * (size_t)n);
    if (!z) return GD_ENOMEM;
    memcpy(z, x, sizeof(double) * (size_t)s->dim);
    rc = n > s->dim ? history_at(s, x, z + s->dim) : GD_OK;
    if (rc >= 0) rc = fd_state(s, z, M, cycle);
    free(z);
    return rc < 0 ? rc : GD_OK;
}

int gd_stepper_map_jacobian_fd(gd_stepper *s, const double *x, double *M)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    if (!s->type->fixed_step) return gd_stepper_fail(s, GD_ENOTAVAIL, "%s has no fixed one-iteration map", s->type->name);
    return map_fd(s, x, M, s->wrap.k > 0);
}

/* The base rule's one-step Jacobian: analytic, else central differences. */
static int base_map_jacobian(gd_stepper *s, const double *x, double *M, int *analytic)
{
    int an = s->type->map_jacobian != NULL;
    int rc = an ? s->type->map_jacobian(s, x, M) : GD_ENOTAVAIL;
    if (rc == GD_ENOTAVAIL) { /* no field Jacobian (a model-owned map): differentiate the map */
        an = 0;
        rc = s->type->fixed_step ? map_fd(s, x, M, 0) : gd_stepper_fail(s, GD_ENOTAVAIL, "%s has no fixed one-iteration map", s->type->name);
    }
    if (analytic) *analytic = an;
    return rc;
}

/* Along an orbit the history is the orbit's, not a fixed point's: the rule's analytic
 * Jacobian serves only where it does not depend on the history, and neither a modifier's J~
 * (exact only where F = 0) nor a lookahead cycle is involved; elsewhere the step itself is
 * differentiated on z, from copies, so the lane's history and iteration count stay as they were. */
int gd_stepper_state_jacobian(gd_stepper *s, const double *z, double *M, int *analytic)
{
    const gd_integrator_type *t = s->type;
    int an = t->map_jacobian && (!t->history || t->jacobian_any_history) && s->wrap.k == 0 && s->wrap.mod == GD_MOD_NONE, rc = current_ws(s);
    *analytic = 0;
    if (rc != GD_OK) return rc;
    if (an && (rc = t->map_jacobian(s, z, M)) != GD_ENOTAVAIL) { /* ENOTAVAIL: a model-owned map */
        *analytic = 1;
        return rc;
    }
    return fd_state(s, z, M, s->wrap.k > 0);
}

int gd_stepper_map_jacobian(gd_stepper *s, const double *x, double *M, int *analytic)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
    int rc = current_ws(s), off = s->lane.noise.off;
    if (rc != GD_OK) return rc;
    s->lane.noise.off = 1; /* the map of the noise-free rule */
    if (s->wrap.k == 0) rc = base_map_jacobian(s, x, M, analytic);
    else { /* lookahead: the cycle's from the base step's */
        size_t nb = (size_t)base_map_dim(s);
        double *B = malloc(sizeof(double) * nb * nb);
        rc = B ? base_map_jacobian(s, x, B, analytic) : gd_stepper_fail(s, GD_ENOMEM, "out of memory");
        if (rc == GD_OK) rc = gd_lookahead_map_jacobian(s, B, M);
        free(B);
    }
    s->lane.noise.off = off;
    return rc;
}

int gd_stepper_set_section(gd_stepper *s, const double *w, double c)
{
    if (!gd_stepper_usable(s)) return GD_EUSAGE;
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

void gd_substep_jacobian(const gd_stepper *s, const double *J, double scale, int i0, int i1, double *M)
{
    int n = s->dim;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            M[i * n + j] = (i == j) + ((i >= i0 && i < i1) ? scale * s->hv[i] * J[i * n + j] : 0.0);
}

long gd_stepper_get_nfev(const gd_stepper *s) { return s ? s->nfev : GD_EUSAGE; }
long gd_stepper_get_nsteps(const gd_stepper *s) { return s ? s->nsteps : GD_EUSAGE; }
const char *gd_stepper_errmsg(const gd_stepper *s) { return s ? s->msg : "no stepper"; }

void gd_stepper_free(gd_stepper **ps)
{
    if (!ps || !*ps) return;
    release(*ps);
    gd_model_ws_free(&(*ps)->ws);
    free((*ps)->section);
    free((*ps)->opts);
    free(*ps);
    *ps = NULL;
}

int gd_model_gda_step(gd_stepper *s, double *x, int players, int *done)
{
    *done = 0;
    const gd_model *m = s->model;
    if (!m->type->gda_step || s->wrap.mod != GD_MOD_NONE) return GD_OK; /* a modified field has no own map */
    if (gd_lane_noisy(&s->lane))
        return gd_stepper_fail(s, GD_EUSAGE, "noise.sigma > 0: model '%s' steps with its own map under '%s', which takes no gradient noise", m->type->name,
                               s->type->name);
    int rc = m->type->gda_step(m, s->ws, x, s->hv[0], s->hv[m->ngen < m->dim ? m->ngen : 0], players, s->nsteps);
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
