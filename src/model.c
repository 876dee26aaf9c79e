/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gd_model: one configured instance of a registered game field.
 */
#include "gd_impl.h"

#include <pthread.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *gd_model_type_name(const gd_model_type *t) { return t ? t->name : NULL; }
const char *gd_model_type_summary(const gd_model_type *t) { return t ? t->summary : NULL; }
const char *const *gd_model_type_batch_params(const gd_model_type *t)
{
    static const char *const none[] = {NULL};
    return t && t->field_batch ? (t->batch_params ? t->batch_params : none) : NULL;
}

const gd_param *gd_model_type_params(const gd_model_type *t) { return t ? t->params : NULL; }

int gd_model_usable(const gd_model *m, const gd_model_type *type)
{
    if (!m) return 0;
    if (!m->ready) gd_model_fail((gd_model *)m, GD_EUSAGE, "model '%s': gd_model_setup has not succeeded", m->type->name);
    else if (type && m->type != type) gd_model_fail((gd_model *)m, GD_EUSAGE, "model '%s' is not a %s model", m->type->name, type->name);
    return m->ready && (!type || m->type == type);
}

/* The type's scratch of ws, if any (one block to free when the type has no ws_free). */
static void ws_release(gd_model_ws *ws)
{
    if (ws->priv && ws->type->ws_free) ws->type->ws_free(ws);
    else free(ws->priv);
    ws->priv = NULL;
    ws->generation = 0;
}

static gd_model_ws *ws_alloc(const gd_model *m, char *msg)
{
    gd_model_ws *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    ws->model = m;
    ws->type = m->type;
    ws->msg = msg ? msg : ws->own_msg;
    return ws;
}

int gd_model_ws_refresh(const gd_model *m, gd_model_ws *ws)
{
    if (ws->model != m) return gd_ws_fail(ws, GD_EUSAGE, "the workspace was made for another model");
    ws_release(ws);
    if (!m->ready) return gd_ws_fail(ws, GD_EUSAGE, "model '%s' is not set up", m->type->name);
    int rc = m->type->ws_init ? m->type->ws_init(m, ws) : GD_OK;
    if (rc != GD_OK) {
        ws_release(ws);
        return rc;
    }
    ws->generation = m->generation;
    return GD_OK;
}

gd_model_ws *gd_model_ws_create(const gd_model *m)
{
    gd_model_ws *ws = m ? ws_alloc(m, NULL) : NULL;
    if (ws && m->ready && gd_model_ws_refresh(m, ws) != GD_OK) gd_model_ws_free(&ws);
    return ws;
}

void gd_model_ws_free(gd_model_ws **ws)
{
    if (!ws || !*ws) return;
    ws_release(*ws);
    free(*ws);
    *ws = NULL;
}

const char *gd_model_ws_errmsg(const gd_model_ws *ws) { return ws ? ws->msg : "no workspace"; }

gd_model_ws *gd_model_own_ws(const gd_model *m) { return m && gd_model_ws_ready(m, m->own) == GD_OK ? m->own : NULL; }

gd_model *gd_model_create(const gd_model_type *t)
{
    if (!t) return NULL;
    gd_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->type = t;
    m->generation = 1; /* a fresh workspace (0) is made on its first use */
    m->opts = calloc(1, t->opts_size ? t->opts_size : 1);
    m->own = ws_alloc(m, m->msg);
    if (!m->opts || !m->own) {
        free(m->opts), free(m->own);
        free(m);
        return NULL;
    }
    if (gd_params_defaults(t->params, m->opts, "model", m->msg) != GD_OK) {
        /* A default that fails its own check is a programming error; keep the message. */
        m->ready = 0;
    }
    return m;
}

int gd_model_set(gd_model *m, const char *key, const char *value)
{
    if (!m) return GD_EUSAGE;
    if (!key || !value) return gd_model_fail(m, GD_EUSAGE, "gd_model_set: a NULL key or value");
    const gd_param *p = gd_param_find(m->type->params, key);
    if (!p) return gd_model_fail(m, GD_EUSAGE, "unknown key model.%s for model '%s'", key, m->type->name);
    m->ready = 0;
    return gd_param_apply(p, m->opts, value, "model", m->msg);
}

static void release_setup(gd_model *m)
{
    ws_release(m->own);
    if (m->type->cleanup) m->type->cleanup(m);
    m->priv = NULL;
    free(m->lo);
    free(m->hi);
    m->lo = m->hi = NULL;
}

int gd_model_setup(gd_model *m)
{
    if (!m) return GD_EUSAGE;
    m->ready = 0; /* until this setup succeeds: release_setup frees what the last one made */
    release_setup(m);
    m->generation++;
    m->ready = 0; /* until this setup succeeds: no workspace is made from a half-built one */
    m->hybrid = 0;
    m->period = 0, m->frequency = 0;
    m->warning[0] = '\0';
    int rc = m->type->setup(m);
    if (rc != GD_OK) return rc;
    if (m->dim <= 0 || m->ngen < 0 || m->ngen > m->dim)
        return gd_model_fail(m, GD_EUSAGE, "model '%s' set up an invalid dimension", m->type->name);
    m->ready = 1;
    return GD_OK;
}

const char *gd_model_errmsg(const gd_model *m) { return m ? m->msg : "no model"; }
const char *gd_model_warning(const gd_model *m) { return m ? m->warning : ""; }

void gd_model_free(gd_model **pm)
{
    if (!pm || !*pm) return;
    gd_model *m = *pm;
    release_setup(m);
    for (const gd_param *p = m->type->params; p && p->key; p++)
        if (p->type == GD_P_STRING) free(*(char **)((char *)m->opts + p->offset));
    free(m->opts);
    free(m->own);
    free(m);
    *pm = NULL;
}

const gd_model_type *gd_model_get_type(const gd_model *m) { return m ? m->type : NULL; }
int gd_model_dim(const gd_model *m) { return gd_model_usable(m, NULL) ? m->dim : GD_EUSAGE; }
int gd_model_ngen(const gd_model *m) { return gd_model_usable(m, NULL) ? m->ngen : GD_EUSAGE; }

/* The entry check of the calls with a workspace: a model, a workspace, a setup that has
 * succeeded (said on the workspace), the workspace made current for it. */
static int ws_ready(const gd_model *m, gd_model_ws *ws)
{
    if (!m) return GD_EUSAGE;
    if (!ws) return gd_model_fail((gd_model *)m, GD_EUSAGE, "a NULL workspace");
    if (!m->ready) return gd_ws_fail(ws, GD_EUSAGE, "model '%s' is not set up: gd_model_setup has not succeeded", m->type->name);
    return gd_model_ws_ready(m, ws);
}

int gd_model_field_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *v)
{
    int rc = ws_ready(m, ws);
    return rc != GD_OK ? rc : m->type->field(m, ws, 0, x, v);
}

int gd_model_field(const gd_model *m, const double *x, double *v) { return gd_model_field_ws(m, m ? m->own : NULL, x, v); }

/* Central differences with eps_j = 1e-6 max(1, |x_j|). */
int gd_model_jacobian_fd_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *J)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    int n = m->dim;
    double *xp = malloc(sizeof(double) * 3 * (size_t)n);
    if (!xp) return GD_ENOMEM;
    double *fp = xp + n, *fm = xp + 2 * n;
    memcpy(xp, x, sizeof(double) * (size_t)n);
    int rc = GD_OK;
    for (int j = 0; j < n && rc == GD_OK; j++) {
        double eps = 1e-6 * fmax(1.0, fabs(x[j]));
        xp[j] = x[j] + eps;
        rc = m->type->field(m, ws, 0, xp, fp);
        xp[j] = x[j] - eps;
        if (rc == GD_OK) rc = m->type->field(m, ws, 0, xp, fm);
        xp[j] = x[j];
        for (int i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (2 * eps);
    }
    free(xp);
    return rc;
}

int gd_model_jacobian_fd(const gd_model *m, const double *x, double *J)
{
    int rc = ws_ready(m, m ? m->own : NULL);
    return rc != GD_OK ? rc : gd_model_jacobian_fd_ws(m, m->own, x, J);
}

int gd_model_jacobian_ws(const gd_model *m, gd_model_ws *ws, const double *x, double *J)
{
    int rc = ws_ready(m, ws);
    if (rc != GD_OK) return rc;
    if (m->type->jacobian) return m->type->jacobian(m, ws, 0, x, J);
    return gd_model_jacobian_fd_ws(m, ws, x, J);
}

int gd_model_jacobian(const gd_model *m, const double *x, double *J) { return gd_model_jacobian_ws(m, m ? m->own : NULL, x, J); }

/* The directional difference (F(x + e v) - F(x - e v)) / 2e, e scaled to x and v. */
int gd_model_jvp_fd(const gd_model *m, gd_model_ws *ws, const double *x, const double *v, double *Jv)
{
    int n = m->dim;
    double xn = 0, vn = 0;
    for (int i = 0; i < n; i++) xn = fmax(xn, fabs(x[i])), vn = fmax(vn, fabs(v[i]));
    if (vn == 0) {
        memset(Jv, 0, sizeof(double) * (size_t)n);
        return GD_OK;
    }
    double eps = 1e-6 * fmax(1.0, xn) / vn, *xp = malloc(sizeof(double) * 2 * (size_t)n);
    if (!xp) return GD_ENOMEM;
    double *fm = xp + n;
    for (int i = 0; i < n; i++) xp[i] = x[i] - eps * v[i];
    int rc = m->type->field(m, ws, 0, xp, fm);
    for (int i = 0; i < n; i++) xp[i] = x[i] + eps * v[i];
    if (rc == GD_OK) rc = m->type->field(m, ws, 0, xp, Jv);
    for (int i = 0; i < n; i++) Jv[i] = (Jv[i] - fm[i]) / (2 * eps);
    free(xp);
    return rc;
}

int gd_model_jvp_ws(const gd_model *m, gd_model_ws *ws, const double *x, const double *v, double *Jv)
{
    int rc = ws_ready(m, ws);
    if (rc != GD_OK) return rc;
    if (m->type->jvp) return m->type->jvp(m, ws, 0, x, v, Jv);
    return gd_model_jvp_fd(m, ws, x, v, Jv);
}

int gd_model_jvp(const gd_model *m, const double *x, const double *v, double *Jv) { return gd_model_jvp_ws(m, m ? m->own : NULL, x, v, Jv); }

int gd_model_default_start(const gd_model *m, double *x)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (m->type->default_start) return m->type->default_start(m, x);
    for (int i = 0; i < m->dim; i++) x[i] = 1;
    return GD_OK;
}

int gd_model_psolve_ws(const gd_model *m, gd_model_ws *ws, double g, const double *r, double *z)
{
    int rc = ws_ready(m, ws);
    if (rc != GD_OK) return rc;
    if (!m->type->psolve) return GD_ENOTAVAIL;
    return rc != GD_OK ? rc : m->type->psolve(m, ws, g, r, z);
}

int gd_model_mode_spectrum(const gd_model *m, int ground_state, int *n, double *lambda, double *root_re, double *root_im)
{
    if (!m->type->mode_spectrum) return GD_ENOTAVAIL;
    return m->type->mode_spectrum(m, ground_state, n, lambda, root_re, root_im);
}


int gd_model_psolve(const gd_model *m, double g, const double *r, double *z) { return gd_model_psolve_ws(m, m ? m->own : NULL, g, r, z); }

int gd_model_equilibrium_ws(const gd_model *m, gd_model_ws *ws, double *x)
{
    int rc = ws_ready(m, ws);
    if (rc != GD_OK) return rc;
    return m->type->equilibrium ? m->type->equilibrium(m, ws, x) : GD_ENOTAVAIL;
}

int gd_model_equilibrium(const gd_model *m, double *x) { return gd_model_equilibrium_ws(m, m ? m->own : NULL, x); }

void gd_model_project(const gd_model *m, double *x)
{
    if (!gd_model_usable(m, NULL)) return;
    if (m->type->project) m->type->project(m, x);
    for (int i = 0; m->lo && i < m->dim; i++) /* the box; unbounded coordinates untouched (NaN stays NaN) */
        if (isfinite(m->lo[i]) || isfinite(m->hi[i])) x[i] = fmin(m->hi[i], fmax(m->lo[i], x[i]));
}

void gd_model_bounds(const gd_model *m, double *lo, double *hi)
{
    if (!gd_model_usable(m, NULL)) return;
    for (int i = 0; i < m->dim; i++) {
        lo[i] = m->lo ? m->lo[i] : -INFINITY;
        hi[i] = m->hi ? m->hi[i] : INFINITY;
    }
}

static pthread_mutex_t fftw_planner = PTHREAD_MUTEX_INITIALIZER;
void gd_fftw_lock(void) { pthread_mutex_lock(&fftw_planner); }
void gd_fftw_unlock(void) { pthread_mutex_unlock(&fftw_planner); }
