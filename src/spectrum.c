/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gandyn spectrum: the functional model's rates from the spectrum of -Delta_p (functional.md
 * 2.2). Each eigenfunction of -Delta_p carries an independent 2 x 2 block, so the mode roots
 * s_k^+- predict the whole operator; the dense Jacobian's eigenvalues check that prediction
 * (mode_gap), and show where it fails (augment = exact mixes the modes).
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

static int mode_roots(gd_sim *s, gd_spectrum_result *r, double *re, double *im)
{
    r->slowest = 1;
    for (int k = 0; k < r->M; k++) {
        int rc = gd_functional_mode_roots(s->model, r->lambda[k], k == 0, re + 2 * k, im + 2 * k);
        if (rc != GD_OK) return gd_fmt(s->msg, rc, "spectrum: mode %d has no roots", k);
        if (k >= 1 && re[2 * k] > re[2 * r->slowest]) r->slowest = k;
    }
    r->rate = r->M > 1 ? -re[2 * r->slowest] : NAN;
    return GD_OK;
}

int gd_sim_spectrum(gd_sim *s, int ground_state, gd_spectrum_result *out)
{
    if (!s->ready) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_setup has not succeeded");
    gd_model *m = s->model;
    if (strcmp(m->type->name, "functional") != 0)
        return gd_fmt(s->msg, GD_EUSAGE, "spectrum: model '%s' has no -Delta_p (only the functional model does)", m->type->name);
    int M = m->dim / 2, n = m->dim <= GD_SPECTRUM_OPERATOR_MAX ? m->dim : 0;
    double *buf = gd_sim_scratch(s, 0, (size_t)M * 5 + 2 * (size_t)n);
    if (!buf) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    memset(out, 0, sizeof *out);
    double *lam = buf, *rre = lam + M, *rim = rre + 2 * M, *ore = rim + 2 * M, *oim = ore + n;
    int rc = ground_state ? gd_functional_ground_state_spectrum(m, lam) : gd_functional_laplacian_spectrum(m, lam, NULL);
    if (rc != GD_OK) return gd_fmt(s->msg, rc, "spectrum: %s", rc == GD_ENOMEM ? "out of memory" : gd_model_errmsg(m));
    out->M = M, out->lambda = lam, out->root_re = rre, out->root_im = rim;
    rc = mode_roots(s, out, rre, rim);
    if (rc != GD_OK || n == 0) return rc;
    rc = operator_eigenvalues(s, ore, oim);
    if (rc != GD_OK) return rc;
    out->n_operator = n, out->op_re = ore, out->op_im = oim;
    for (int i = 0; i < n; i++) out->mode_gap = fmax(out->mode_gap, nearest_root(out, ore[i], oim[i]));
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

int gd_sim_write_spectrum(gd_sim *s, const char *path, const gd_spectrum_result *r)
{
    gd_h5 *f = NULL;
    int rc = gd_sim_open_output(s, path, &f);
    if (rc != GD_OK) return rc;
    rc = write_group(f, r);
    if (rc == GD_OK) rc = gd_sim_write_model(s, f);
    if (rc != GD_OK) rc = gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    return gd_sim_finish_output(s, &f, rc);
}
