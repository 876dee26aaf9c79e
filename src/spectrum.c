/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gandyn spectrum: rates from a model's mode spectrum (its mode_spectrum hook; the functional
 * model's -Delta_p, docs/models/functional.md "Analyses"). Each mode carries an independent
 * 2 x 2 block, so the mode roots s_k^+- predict the whole operator; the dense Jacobian's
 * eigenvalues check that prediction (mode_gap), and show where it fails (the functional
 * model's augment = exact mixes the modes).
 */
#include "sim_impl.h"

#include "h5io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_real_part(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0]) return x[0] < y[0] ? 1 : -1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* Eigenvalues of J at the equilibrium, sorted; pair[2i], pair[2i+1] = re, im. */
static int operator_eigenvalues(gd_sim *s, double *re, double *im)
{
    gd_model *m = s->model;
    int n = m->dim;
    double *x = malloc(sizeof(double) * (size_t)n), *J = malloc(sizeof(double) * (size_t)n * (size_t)n), *pair = malloc(sizeof(double) * 2 * (size_t)n);
    int rc = x && J && pair ? GD_OK : GD_ENOMEM;
    if (rc == GD_OK) rc = gd_model_equilibrium(m, x);
    if (rc == GD_OK) rc = gd_model_jacobian(m, x, J);
    if (rc == GD_OK) rc = gd_eigenvalues(n, J, re, im);
    if (rc == GD_OK) {
        for (int i = 0; i < n; i++) pair[2 * i] = re[i], pair[2 * i + 1] = im[i];
        qsort(pair, (size_t)n, 2 * sizeof(double), by_real_part);
        for (int i = 0; i < n; i++) re[i] = pair[2 * i], im[i] = pair[2 * i + 1];
    }
    free(x), free(J), free(pair);
    return rc == GD_OK ? rc : gd_fmt(s->msg, rc, "spectrum: the operator's eigenvalues failed (%s)", rc == GD_ENOMEM ? "out of memory" : "LAPACK");
}

static double nearest_root(const gd_spectrum_result *r, double re, double im)
{
    double best = INFINITY;
    for (int i = 0; i < 2 * r->M; i++) best = fmin(best, hypot(r->root_re[i] - re, r->root_im[i] - im));
    return best;
}

/* The k >= 1 whose s_k^+ has the largest real part, and the local rate it sets. */
static void slowest_mode(gd_spectrum_result *r)
{
    r->slowest = 1;
    for (int k = 2; k < r->M; k++)
        if (r->root_re[2 * k] > r->root_re[2 * r->slowest]) r->slowest = k;
    r->rate = r->M > 1 ? 0.0 - r->root_re[2 * r->slowest] : NAN; /* 0 - x: no -0 for a neutral mode */
}

/* "the functional model does": the models with a mode spectrum, from the registry. */
static void owners(char *out, size_t n)
{
    int count = 0;
    size_t used = 0;
    out[0] = '\0';
    for (const gd_model_type *const *t = gd_model_types(); *t && used < n; t++)
        if ((*t)->mode_spectrum) used += (size_t)snprintf(out + used, n - used, "%s%s", count++ ? ", " : "the ", (*t)->name);
    if (used < n) snprintf(out + used, n - used, count > 1 ? " models do" : " model does");
}

/* The entry check of the analyses (out zeroed), and the number of modes into *M; a usage
 * error for a model without a mode spectrum. */
static int check_model(gd_sim *s, void *out, size_t size, int *M)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    memset(out, 0, size);
    if (gd_model_mode_spectrum(s->model, 0, M, NULL, NULL, NULL) == GD_ENOTAVAIL) {
        char who[256];
        owners(who, sizeof who);
        return gd_fmt(s->msg, GD_EUSAGE, "spectrum: model '%s' has no -Delta_p (only %s)", s->model->type->name, who);
    }
    return GD_OK;
}

/* The model's mode eigenvalues and roots into r's buffers (M, 2M, 2M doubles at buf). */
static int modes(gd_sim *s, int ground_state, int M, double *buf, gd_spectrum_result *r)
{
    gd_model *m = s->model;
    double *lam = buf, *rre = lam + M, *rim = rre + 2 * M;
    int rc = gd_model_mode_spectrum(m, ground_state, &M, lam, rre, rim);
    if (rc != GD_OK) return gd_fmt(s->msg, rc, "spectrum: %s", rc == GD_ENOMEM ? "out of memory" : gd_model_errmsg(m));
    r->M = M, r->lambda = lam, r->root_re = rre, r->root_im = rim;
    slowest_mode(r);
    return GD_OK;
}

int gd_sim_spectrum(gd_sim *s, int ground_state, gd_spectrum_result *out)
{
    int M, rc = check_model(s, out, sizeof *out, &M);
    if (rc != GD_OK) return rc;
    int n = s->model->dim <= GD_SPECTRUM_OPERATOR_MAX ? s->model->dim : 0;
    double *buf = gd_result_alloc((size_t)M * 5 + 2 * (size_t)n, 0, NULL);
    if (!buf) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    double *ore = buf + 5 * (size_t)M, *oim = ore + n;
    rc = modes(s, ground_state, M, buf, out);
    if (rc == GD_OK && n) rc = operator_eigenvalues(s, ore, oim);
    if (rc != GD_OK) {
        free(buf);
        memset(out, 0, sizeof *out);
        return rc;
    }
    if (n) out->n_operator = n, out->op_re = ore, out->op_im = oim;
    for (int i = 0; i < n; i++) out->mode_gap = fmax(out->mode_gap, nearest_root(out, ore[i], oim[i]));
    return GD_OK;
}

/* The arrays are one block, starting at the first. */
void gd_spectrum_result_free(gd_spectrum_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->lambda);
}

void gd_spectrum_scan_free(gd_spectrum_scan *r)
{
    if (r) gd_result_release(r, sizeof *r, r->values);
}

/* ---------------------------------------------------------------- scans -------- */
typedef struct {
    int ground_state;
    double *work;
    gd_spectrum_scan *out;
    double *values, *lambda1, *rate;
} spectrum_scan;

static int scan_at(gd_sim *s, long i, double v, void *user)
{
    spectrum_scan *c = user;
    gd_spectrum_result r;
    int M;
    if (gd_model_mode_spectrum(s->model, 0, &M, NULL, NULL, NULL) != GD_OK || M != c->out->M)
        return gd_fmt(s->msg, GD_EUSAGE, "scan of %s: the grid must not change along the scan", c->out->key);
    int rc = modes(s, c->ground_state, M, c->work, &r);
    c->values[i] = v, c->lambda1[i] = r.M > 1 ? r.lambda[1] : NAN, c->rate[i] = r.rate;
    return rc;
}

/* The maximum of lambda_1 along the scan: the best sample, refined by the parabola through it
 * and its neighbours when it is interior (and the parabola opens downwards). */
static void best_of(gd_spectrum_scan *r)
{
    int k = 0;
    for (int i = 1; i < r->n; i++)
        if (r->lambda1[i] > r->lambda1[k]) k = i;
    r->best = k, r->best_value = r->values[k], r->best_lambda1 = r->lambda1[k];
    if (k == 0 || k == r->n - 1) return;
    double x0 = r->values[k - 1], x1 = r->values[k], x2 = r->values[k + 1];
    double y0 = r->lambda1[k - 1], y1 = r->lambda1[k], y2 = r->lambda1[k + 1];
    double d01 = (y1 - y0) / (x1 - x0), d12 = (y2 - y1) / (x2 - x1), c2 = (d12 - d01) / (x2 - x0);
    if (!(c2 < 0)) return;
    double c1 = d01 - c2 * (x0 + x1), xm = -c1 / (2 * c2);
    r->best_value = xm, r->best_lambda1 = y0 + d01 * (xm - x0) + c2 * (xm - x0) * (xm - x1);
}

int gd_sim_spectrum_scan(gd_sim *s, const char *spec, int ground_state, gd_spectrum_scan *out)
{
    char key[128];
    double lo, hi;
    long n;
    int logscale, M, rc = check_model(s, out, sizeof *out, &M);
    if (rc == GD_OK) rc = gd_parse_axis(spec, key, sizeof key, &lo, &hi, &n, &logscale, s->msg);
    if (rc != GD_OK) return rc;
    char *text;
    double *buf = gd_result_alloc(3 * (size_t)n, strlen(key), &text), *work = malloc(sizeof(double) * 5 * (size_t)M);
    if (!buf || !work) {
        free(buf), free(work);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    out->key = strcpy(text, key), out->n = (int)n, out->M = M;
    spectrum_scan c = {ground_state, work, out, buf, buf + n, buf + 2 * n};
    rc = gd_sim_scan_each(s, key, lo, hi, n, logscale, scan_at, &c);
    free(work);
    if (rc != GD_OK) {
        free(buf);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->values = c.values, out->lambda1 = c.lambda1, out->rate = c.rate;
    best_of(out);
    return GD_OK;
}

static int write_group(gd_h5 *f, const gd_spectrum_result *r)
{
    hsize_t dm = (hsize_t)r->M, d2[2] = {(hsize_t)r->M, 2}, dn = (hsize_t)r->n_operator;
    int rc = gd_h5_write(f, "/modes/lambda", 1, &dm, r->lambda);
    if (rc == GD_OK) rc = gd_h5_write(f, "/modes/roots_re", 2, d2, r->root_re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/modes/roots_im", 2, d2, r->root_im);
    if (rc == GD_OK && dn) rc = gd_h5_write(f, "/modes/operator_re", 1, &dn, r->op_re);
    if (rc == GD_OK && dn) rc = gd_h5_write(f, "/modes/operator_im", 1, &dn, r->op_im);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/modes", "slowest", r->slowest);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/modes", "rate", 1, &r->rate);
    if (rc == GD_OK && dn) rc = gd_h5_attr_doubles(f, "/modes", "mode_gap", 1, &r->mode_gap);
    return rc;
}

static int write_scan(gd_h5 *f, const gd_spectrum_scan *sc)
{
    hsize_t n = (hsize_t)sc->n;
    double best[2] = {sc->best_value, sc->best_lambda1};
    int rc = gd_h5_write(f, "/modes/scan/values", 1, &n, sc->values);
    if (rc == GD_OK) rc = gd_h5_write(f, "/modes/scan/lambda1", 1, &n, sc->lambda1);
    if (rc == GD_OK) rc = gd_h5_write(f, "/modes/scan/rate", 1, &n, sc->rate);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/modes/scan", "key", sc->key);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/modes/scan", "best", 2, best);
    return rc;
}

int gd_sim_write_spectrum(gd_sim *s, const char *path, const gd_spectrum_result *r, const gd_spectrum_scan *scan)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->lambda) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_spectrum: need a path and a spectrum result");
    gd_h5 *f = NULL;
    int rc = gd_sim_open_output(s, path, &f);
    if (rc != GD_OK) return rc;
    rc = write_group(f, r);
    if (rc == GD_OK && scan) rc = write_scan(f, scan);
    if (rc == GD_OK) rc = gd_sim_write_model(s, f);
    if (rc != GD_OK) rc = gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    return gd_sim_finish_output(s, &f, rc);
}
