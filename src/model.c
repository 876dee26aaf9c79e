/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gd_model: one configured instance of a registered game field.
 */
#include "gd_impl.h"

#include <pthread.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

const gd_model_type *const *gd_model_types(void) { return gd_model_registry; }

const gd_model_type *gd_model_type_find(const char *name)
{
    for (const gd_model_type *const *t = gd_model_registry; name && *t; t++)
        if (strcmp((*t)->name, name) == 0) return *t;
    return NULL;
}

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

gd_model *gd_model_create(const gd_model_type *t)
{
    if (!t) return NULL;
    gd_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->type = t;
    m->opts = calloc(1, t->opts_size ? t->opts_size : 1);
    if (!m->opts) {
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
    free(m);
    *pm = NULL;
}

const gd_model_type *gd_model_get_type(const gd_model *m) { return m ? m->type : NULL; }
int gd_model_dim(const gd_model *m) { return gd_model_usable(m, NULL) ? m->dim : GD_EUSAGE; }
int gd_model_ngen(const gd_model *m) { return gd_model_usable(m, NULL) ? m->ngen : GD_EUSAGE; }

int gd_model_field(const gd_model *m, const double *x, double *v)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    return m->type->field(m, 0, x, v);
}

/* Central differences with eps_j = 1e-6 max(1, |x_j|). */
int gd_model_jacobian_fd(const gd_model *m, const double *x, double *J)
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
        rc = m->type->field(m, 0, xp, fp);
        xp[j] = x[j] - eps;
        if (rc == GD_OK) rc = m->type->field(m, 0, xp, fm);
        xp[j] = x[j];
        for (int i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (2 * eps);
    }
    free(xp);
    return rc;
}

int gd_model_jacobian(const gd_model *m, const double *x, double *J)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (m->type->jacobian) return m->type->jacobian(m, 0, x, J);
    return gd_model_jacobian_fd(m, x, J);
}

/* The directional difference (F(x + e v) - F(x - e v)) / 2e, e scaled to x and v. */
int gd_model_jvp_fd(const gd_model *m, const double *x, const double *v, double *Jv)
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
    int rc = m->type->field(m, 0, xp, fm);
    for (int i = 0; i < n; i++) xp[i] = x[i] + eps * v[i];
    if (rc == GD_OK) rc = m->type->field(m, 0, xp, Jv);
    for (int i = 0; i < n; i++) Jv[i] = (Jv[i] - fm[i]) / (2 * eps);
    free(xp);
    return rc;
}

int gd_model_jvp(const gd_model *m, const double *x, const double *v, double *Jv)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (m->type->jvp) return m->type->jvp(m, 0, x, v, Jv);
    return gd_model_jvp_fd(m, x, v, Jv);
}

int gd_model_default_start(const gd_model *m, double *x)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (m->type->default_start) return m->type->default_start(m, x);
    for (int i = 0; i < m->dim; i++) x[i] = 1;
    return GD_OK;
}

int gd_model_psolve(const gd_model *m, double g, const double *r, double *z)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (!m->type->psolve) return GD_ENOTAVAIL;
    return m->type->psolve(m, g, r, z);
}

int gd_model_mode_spectrum(const gd_model *m, int ground_state, int *n, double *lambda, double *root_re, double *root_im)
{
    if (!m->type->mode_spectrum) return GD_ENOTAVAIL;
    return m->type->mode_spectrum(m, ground_state, n, lambda, root_re, root_im);
}

int gd_model_equilibrium(const gd_model *m, double *x)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (!m->type->equilibrium) return GD_ENOTAVAIL;
    return m->type->equilibrium(m, x);
}

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
