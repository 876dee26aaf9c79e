/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Equilibria, Jacobian spectra, one-iteration map spectra, eigenvalue loci and
 * integrator stability regions (the `gandyn eig` command; the maps' closed forms on the
 * linear block: docs/models/linear.md).
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* |F(x)|, or +inf when the field is not finite there. */
static double residual(const gd_model *m, gd_model_ws *ws, const double *x, double *F)
{
    if (gd_model_field_ws(m, ws, x, F) != GD_OK) return INFINITY;
    double r = gd_norm(m->dim, F);
    return isfinite(r) ? r : INFINITY;
}

int gd_model_newton_ws(const gd_model *m, gd_model_ws *ws, const double *x0, double *x)
{
    int n = m->dim, rc = gd_check_dense(ws->msg, n, 1, "Newton's Jacobian");
    if (rc != GD_OK) return rc;
    size_t nn = (size_t)n * (size_t)n;
    double *F = malloc(sizeof(double) * (nn + 3 * (size_t)n)), *J = F + n, *dx = J + nn, *xt = dx + n;
    lapack_int *piv = malloc(sizeof *piv * (size_t)n);
    if (!F || !piv) {
        free(F), free(piv);
        return gd_ws_fail(ws, GD_ENOMEM, "out of memory");
    }
    memcpy(x, x0, sizeof(double) * (size_t)n);
    double fn = residual(m, ws, x, F);
    for (int it = 0; it < 100; it++) {
        /* A small residual is a root only where the linearisation puts one within reach: where
         * the field and its Jacobian are both numerically flat (the Dirac GAN's far field, f' ~
         * e^-30) |F| is tiny with no root near, and the Newton step from there is of order one. */
        const int small = fn <= 1e-13 * (1 + gd_norm(n, x));
        if (small && fn == 0) goto done;
        if (!isfinite(fn) || gd_model_jacobian_ws(m, ws, x, J) != GD_OK) break;
        for (int i = 0; i < n; i++) dx[i] = -F[i];
        int pin = gd_blas_serial_begin(n), info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, 1, J, n, piv, dx, 1);
        gd_blas_serial_end(pin);
        if (info != 0 && small) goto done; /* a root where the Jacobian is singular */
        if (info != 0) {
            rc = gd_ws_fail(ws, GD_ESOLVER, "Newton: singular Jacobian at |x| = %g (|F| = %g); try another run.x0", gd_norm(n, x), fn);
            goto done;
        }
        if (small && gd_norm(n, dx) <= 1e-6 * (1 + gd_norm(n, x))) goto done;
        /* Backtrack until |F| decreases: far from x* a full step can overshoot. */
        double lam = 1, ft = INFINITY;
        for (; lam > 1e-8; lam *= 0.5) {
            for (int i = 0; i < n; i++) xt[i] = x[i] + lam * dx[i];
            if ((ft = residual(m, ws, xt, F)) < (1 - 1e-4 * lam) * fn) break;
        }
        if (!(ft < fn)) break;
        memcpy(x, xt, sizeof(double) * (size_t)n);
        fn = ft;
        if (lam * gd_norm(n, dx) <= 1e-15 * (1 + gd_norm(n, x)) && fn <= 1e-9) goto done;
    }
    rc = gd_ws_fail(ws, GD_ESOLVER, "Newton from run.x0 did not converge to an equilibrium (|F| = %g at |x| = %g); try another run.x0", fn,
                    gd_norm(n, x));
done:
    free(F), free(piv);
    return rc;
}

int gd_model_newton(gd_model *m, const double *x0, double *x)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    int rc = gd_model_ws_ready(m, m->own);
    return rc != GD_OK ? rc : gd_model_newton_ws(m, m->own, x0, x);
}

int gd_model_find_equilibrium(gd_model *m, const double *x0, double *x)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (m->type->equilibrium) return gd_model_equilibrium(m, x);
    return gd_model_newton(m, x0, x);
}

/* ---------------------------------------------------------------- curvature ---- */
/* The eigenvalue of largest modulus of -DF + shift I by power iteration from a fixed,
 * generic start: its Rayleigh quotient, minus the shift. */
static int power_iteration(const gd_model *m, const double *x, double shift, int iters, double tol, double *w, double *out)
{
    int n = m->dim;
    double *v = w, *Jv = w + n, mu = 0;
    for (int i = 0; i < n; i++) v[i] = 1 + 0.5 * sin(1.7 * i + 0.3);
    for (int k = 0; k < iters; k++) {
        double nv = gd_norm(n, v);
        if (!(nv > 0)) break; /* a flat region (particles far from everything): curvature 0 */
        for (int i = 0; i < n; i++) v[i] /= nv;
        int rc = gd_model_jvp(m, x, v, Jv);
        if (rc != GD_OK) return rc;
        double r = 0;
        for (int i = 0; i < n; i++) Jv[i] = shift * v[i] - Jv[i], r += v[i] * Jv[i];
        memcpy(v, Jv, sizeof(double) * (size_t)n);
        int done = k > 0 && fabs(r - mu) <= tol * fabs(r);
        mu = r;
        if (done) break;
    }
    *out = mu - shift;
    return GD_OK;
}

int gd_gradient_curvature(const gd_model *m, const double *x, int iters, double tol, double *top, double *bottom)
{
    if (!gd_model_usable(m, NULL)) return GD_EUSAGE;
    if (iters < 1 || !(tol >= 0)) return gd_model_fail((gd_model *)m, GD_EUSAGE, "curvature: need iters >= 1 and tol >= 0");
    double *w = malloc(sizeof(double) * 2 * (size_t)m->dim), big, other;
    if (!w) return gd_model_fail((gd_model *)m, GD_ENOMEM, "out of memory");
    int rc = power_iteration(m, x, 0, iters, tol, w, &big); /* the eigenvalue of largest modulus */
    double rho = fabs(big);
    /* Shifted by -+rho the spectrum lies on one side of 0, so the other end dominates. */
    if (rc == GD_OK) rc = power_iteration(m, x, big >= 0 ? -rho : rho, iters, tol, w, &other);
    free(w);
    if (rc != GD_OK) return rc;
    *top = fmax(big, other), *bottom = fmin(big, other);
    return GD_OK;
}

/* One start's curvatures: at x0, at the run's end from it, at the equilibrium (eq_ok: found). */
static int smoothness_at(gd_sim *s, int k, const double *eq, int eq_ok, gd_smoothness_result *r)
{
    enum { ITERS = 2000 };
    const double tol = 1e-12;
    gd_model *m = s->model;
    memset(r, 0, sizeof *r);
    int rc = gd_gradient_curvature(m, s->starts + (size_t)k * m->dim, ITERS, tol, &r->start_top, &r->start_bottom);
    if (rc == GD_OK) rc = gd_gradient_curvature(m, gd_sim_get_xfinal(s, k), ITERS, tol, &r->final_top, &r->final_bottom);
    if (rc != GD_OK) return rc;
    r->outcome = gd_outcome_name(gd_sim_get_outcome(s, k));
    r->has_equilibrium = eq_ok && gd_gradient_curvature(m, eq, ITERS, tol, &r->eq_top, &r->eq_bottom) == GD_OK;
    double top = r->has_equilibrium && r->eq_top > 0 ? r->eq_top : r->final_top; /* a flat "equilibrium" at infinity says nothing */
    r->h_limit = top > 0 ? 2 / top : INFINITY;
    return GD_OK;
}

/* The entry check of an analysis: a usable sim and a result to fill (zeroed here). */
static int analysis_entry(gd_sim *s, void *out, size_t size)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    memset(out, 0, size);
    return GD_OK;
}

double *gd_result_alloc(size_t n, size_t nchars, char **text)
{
    double *d = calloc(1, n * sizeof(double) + nchars + 1);
    if (d && text) *text = (char *)(d + n);
    return d;
}

int gd_sim_smoothness(gd_sim *s, gd_smoothness_result *out)
{
    int rc = analysis_entry(s, out, sizeof *out), eq_ok = 0;
    if (rc != GD_OK) return rc;
    gd_model *m = s->model;
    gd_smoothness_result *r = calloc((size_t)s->nstart, sizeof *r);
    double *eq = malloc(sizeof(double) * (size_t)m->dim);
    rc = r && eq ? gd_sim_run(s, "") : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    for (int k = 0; rc == GD_OK && k < s->nstart; k++) {
        /* a model's own equilibrium does not depend on the start: found once */
        if (k == 0 || !m->type->equilibrium) eq_ok = gd_model_find_equilibrium(m, s->starts + (size_t)k * m->dim, eq) == GD_OK;
        rc = smoothness_at(s, k, eq, eq_ok, &r[k]);
    }
    free(eq);
    if (rc != GD_OK) {
        free(r);
        return gd_fmt(s->msg, rc, "smoothness: %s", rc == GD_ENOMEM ? "out of memory" : gd_sim_errmsg(s)[0] ? gd_sim_errmsg(s) : gd_model_errmsg(m));
    }
    *out = r[0];
    out->nstarts = s->nstart, out->each = r;
    return GD_OK;
}

void gd_result_release(void *r, size_t size, void *block)
{
    free(block);
    memset(r, 0, size);
}

/* Every result's arrays are one block, starting at its first array. */
void gd_smoothness_result_free(gd_smoothness_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->each);
}

void gd_eig_result_free(gd_eig_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->equilibrium);
}

void gd_scan_result_free(gd_scan_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->values);
}

const char *gd_fixed_point_type(int n, const double *re, const double *im, double scale)
{
    double tol = 1e-10 * (scale > 0 ? scale : 1);
    int neg = 0, pos = 0, imag = 0, zero = 0, oscillating = 0;
    for (int i = 0; i < n; i++) {
        if (hypot(re[i], im[i]) <= tol) zero++;
        else if (re[i] < -tol) neg++;
        else if (re[i] > tol) pos++;
        else imag++;
        oscillating |= fabs(im[i]) > tol;
    }
    if (zero) return "degenerate";
    if (imag == n) return "center";
    if (imag) return "degenerate";
    if (neg && pos) return "saddle";
    if (neg) return oscillating ? "spiral_sink" : "node_sink";
    return oscillating ? "spiral_source" : "node_source";
}

gd_outcome gd_predict_outcome(double rho)
{
    return rho < 1 - 1e-8 ? GD_CONVERGE : rho > 1 + 1e-8 ? GD_DIVERGE : GD_OSCILLATE;
}

static double spectral_radius(int n, const double *re, const double *im)
{
    double r = 0;
    for (int i = 0; i < n; i++) r = fmax(r, hypot(re[i], im[i]));
    return r;
}

/* ---------------------------------------------------------------- spectra ------ */
/* Continuous and map spectra at the equilibrium into caller buffers; x0 seeds Newton. A
 * model without a field under a fixed-step rule gets NaN flow eigenvalues and its reason in
 * no_flow (GD_MSG_LEN bytes; "" when it has a field). */
static int spectra(gd_sim *s, const double *x0, double *eq, double *re, double *im, double *mre, double *mim,
                   double *rho, int *analytic, char *no_flow)
{
    gd_model *m = s->model;
    gd_stepper *st = s->stepper;
    int n = m->dim, nm = gd_stepper_map_dim(st), rc = gd_check_dense(s->msg, nm, 2, "eig: the Jacobian and its eigen-solve");
    if (rc != GD_OK) return rc;
    double *J = malloc(sizeof(double) * (size_t)nm * (size_t)nm);
    if (!J) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if ((rc = gd_model_find_equilibrium(m, x0, eq)) != GD_OK) {
        free(J);
        return gd_fmt(s->msg, rc, "%s", m->msg);
    }
    rc = gd_model_jacobian(m, eq, J);
    if (rc == GD_OK && st->type->fixed_step) rc = gd_modifier_jacobian(st, J); /* [modifier]: the flow of F~ */
    const char *why = rc == GD_OK ? st->msg : m->msg; /* cvode on a model without a field: the model says why */
    no_flow[0] = '\0';
    if (rc == GD_OK) rc = gd_eigenvalues(n, J, re, im);
    if (rc == GD_ENOTAVAIL && st->type->fixed_step) { /* a map without a field: no continuous spectrum */
        snprintf(no_flow, GD_MSG_LEN, "%s", m->msg[0] ? m->msg : "the model has no vector field");
        for (int i = 0; i < n; i++) re[i] = im[i] = NAN;
        rc = GD_OK;
    }
    if (rc == GD_OK && st->type->fixed_step) {
        rc = gd_stepper_map_jacobian(st, eq, J, analytic);
        if (rc == GD_OK) rc = gd_eigenvalues(nm, J, mre, mim);
    } else if (rc == GD_OK) { /* cvode: the flow over one output interval, exp(T J) */
        double T = st->type->interval(st);
        for (int i = 0; i < n; i++) {
            mre[i] = exp(T * re[i]) * cos(T * im[i]);
            mim[i] = exp(T * re[i]) * sin(T * im[i]);
        }
        *analytic = 1;
    }
    *rho = spectral_radius(nm, mre, mim);
    free(J);
    return rc == GD_OK ? GD_OK : gd_fmt(s->msg, rc, "eigenvalues: %s", rc == GD_ESOLVER ? "LAPACK failed" : why);
}

/* Field evaluations of one iteration from x, counted on the stepper (its state is restarted by
 * every later trajectory); 0 when it fails. */
static int evals_per_iteration(gd_stepper *st, const double *x)
{
    int n = st->dim;
    double *y = malloc(sizeof(double) * (size_t)n), t = 0;
    if (!y) return 0;
    memcpy(y, x, sizeof(double) * (size_t)n);
    long before = 0;
    int rc = gd_stepper_reset(st, y);
    if (rc == GD_OK) before = gd_stepper_get_nfev(st), rc = gd_stepper_step(st, y, &t);
    long after = gd_stepper_get_nfev(st);
    free(y);
    return rc >= 0 ? (int)(after - before) : 0;
}

/* With gradient noise and a stable map: the stationary covariance at x* into cov (nm^2), its
 * trace over the model's coordinates and the standard-error factors into se (n^2; at most 64
 * state coordinates: the lag sum takes ~1/(1 - rho) products). */
static int eig_noise(gd_sim *s, gd_eig_result *out, double *cov, double *se)
{
    gd_stepper *st = s->stepper;
    const int n = out->dim, nm = out->map_dim;
    out->noise_sigma = st->noise.sigma, out->cov_trace = NAN;
    if (!(st->noise.sigma > 0) || !(out->rho < 1)) return GD_OK;
    double *M = malloc(sizeof(double) * (size_t)nm * (size_t)nm);
    if (!M) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    int rc = gd_stepper_map_jacobian(st, out->equilibrium, M, NULL);
    if (rc == GD_OK) rc = gd_noise_covariance(st, out->equilibrium, M, cov, &out->noise_draws);
    if (rc == GD_OK) {
        out->cov = cov, out->cov_trace = 0;
        for (int i = 0; i < n; i++) out->cov_trace += cov[(size_t)i * nm + i];
        if (nm <= 64 && gd_noise_se_factors(nm, n, M, cov, se) != GD_ENOMEM) out->cov_se = se;
    }
    free(M);
    if (rc == GD_ENOTAVAIL) return GD_OK; /* no stationary covariance: reported as none */
    return rc == GD_OK ? GD_OK : gd_fmt(s->msg, rc, "eig: %s", st->msg);
}

static int eig_at(gd_sim *s, gd_eig_result *out);

/* adam, rmsprop with noise and v_frozen auto: eig's frozen map at the self-consistent second
 * moment (gd_noise_frozen_v), from the equilibrium x0 leads to. */
static int self_consistent_v(gd_sim *s, const double *x0, void **saved)
{
    gd_stepper *st = s->stepper;
    *saved = NULL;
    if (!gd_noise_frozen_v_applies(st)) return GD_OK;
    double *eq = malloc(sizeof(double) * (size_t)st->dim);
    if (!eq) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    int rc = gd_model_find_equilibrium(s->model, x0, eq);
    if (rc != GD_OK) gd_fmt(s->msg, rc, "%s", s->model->msg);
    else if ((rc = gd_noise_frozen_v(st, eq, saved)) != GD_OK) gd_fmt(s->msg, rc, "eig: the self-consistent second moment: %s", st->msg);
    free(eq);
    return rc;
}

int gd_sim_eig(gd_sim *s, gd_eig_result *out)
{
    void *saved = NULL;
    int rc = analysis_entry(s, out, sizeof *out);
    if (rc == GD_OK) rc = self_consistent_v(s, s->starts, &saved);
    if (rc == GD_OK) rc = eig_at(s, out);
    int rrc = saved ? gd_noise_restore(s->stepper, saved) : GD_OK; /* s may be NULL or not set up */
    if (rc == GD_OK && rrc != GD_OK) {
        gd_eig_result_free(out);
        rc = gd_fmt(s->msg, rrc, "%s", s->stepper->msg);
    }
    return rc;
}

/* eig with the stepper as it is. */
static int eig_at(gd_sim *s, gd_eig_result *out)
{
    int rc, n = s->model->dim, nm = gd_stepper_map_dim(s->stepper);
    if ((rc = gd_check_dense(s->msg, nm, 3, "eig: the Jacobian, the map's and their eigen-solve")) != GD_OK) return rc;
    char *no_flow;
    const size_t ncov = s->stepper->noise.sigma > 0 ? (size_t)nm * (size_t)nm + (size_t)n * (size_t)n : 0; /* cov, then c_ij */
    double *eq = gd_result_alloc(4 * (size_t)n + 2 * (size_t)nm + ncov, GD_MSG_LEN, &no_flow), *J = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!eq || !J) {
        free(eq), free(J);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    double *re = eq + n, *im = re + n, *mre = im + n, *mim = mre + nm;
    if ((rc = spectra(s, s->starts, eq, re, im, mre, mim, &out->rho, &out->map_analytic, no_flow)) != GD_OK) {
        free(eq), free(J);
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->dim = n;
    const int fixed_rule = s->stepper->type->fixed_step;
    out->map_dim = fixed_rule ? nm : n;
    out->has_flow = !no_flow[0], out->no_flow = no_flow;
    out->equilibrium = eq, out->re = re, out->im = im, out->map_re = mre, out->map_im = mim;
    out->type = out->has_flow && gd_model_jacobian(s->model, eq, J) == GD_OK && (!fixed_rule || gd_modifier_jacobian(s->stepper, J) == GD_OK) ? gd_fixed_point_type(n, re, im, gd_max_abs((size_t)n * (size_t)n, J)) : "map";
    free(J);
    out->integrator = s->stepper->type->name;
    int fixed = s->stepper->type->fixed_step;
    out->h = fixed ? s->stepper->o.h : s->stepper->type->interval(s->stepper);
    out->lr_g = fixed && !isnan(s->stepper->o.lr_g) ? s->stepper->o.lr_g : out->h;
    out->lr_d = fixed && !isnan(s->stepper->o.lr_d) ? s->stepper->o.lr_d : out->h;
    out->predicted = gd_predict_outcome(out->rho);
    out->v_frozen = NULL, out->v_radius = NAN;
    out->steps = fixed ? gd_stepper_map_steps(s->stepper) : 1;
    out->rho_per_step = pow(out->rho, 1.0 / (double)out->steps);
    out->evals = fixed ? evals_per_iteration(s->stepper, eq) * (int)out->steps : 0; /* one base step's, times k */
    out->rho_per_eval = out->evals > 0 ? pow(out->rho, 1.0 / out->evals) : NAN;
    if (fixed && s->stepper->type->map_frozen && s->stepper->type->map_frozen(s->stepper, mim + nm, &out->v_radius) == GD_OK)
        out->v_frozen = mim + nm;
    int k = 0;
    for (int i = 1; i < out->map_dim; i++)
        if (hypot(mre[i], mim[i]) > hypot(mre[k], mim[k]) * (1 + 1e-12)) k = i;
    out->phase = fabs(mim[k]) > 1e-12 * hypot(mre[k], mim[k]) ? "spiral" : mre[k] < 0 ? "alternating" : "monotone";
    if ((rc = eig_noise(s, out, mim + nm + n, mim + nm + n + (size_t)nm * (size_t)nm)) != GD_OK) {
        gd_eig_result_free(out);
        return rc;
    }
    return GD_OK;
}

/* ---------------------------------------------------------------- scans -------- */
int gd_parse_axis(const char *spec, char *key, size_t keylen, double *lo, double *hi, long *n, int *logscale, char *msg)
{
    char own[GD_MSG_LEN], buf[256], *f[6];
    if (!msg) msg = own; /* the caller does not want the message */
    if (!spec || !key || !keylen || !lo || !hi || !n || !logscale) return gd_fmt(msg, GD_EUSAGE, "axis: a NULL argument");
    int nf = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *p = buf, *tok; nf < 6 && (tok = strsep(&p, ":"));) f[nf++] = tok;
    char *end;
    if (nf < 4 || nf > 5) return gd_fmt(msg, GD_EUSAGE, "axis '%s': expected KEY:LO:HI:N[:lin|log]", spec);
    snprintf(key, keylen, "%s", f[0]);
    *lo = strtod(f[1], &end);
    int bad = *end || !isfinite(*lo);
    *hi = strtod(f[2], &end);
    bad |= *end || !isfinite(*hi);
    *n = strtol(f[3], &end, 10);
    bad |= *end || *n < 1 || *n > 10000000;
    *logscale = nf == 5 && strcmp(f[4], "log") == 0;
    bad |= nf == 5 && !*logscale && strcmp(f[4], "lin") != 0;
    if (bad) return gd_fmt(msg, GD_EUSAGE, "axis '%s': expected KEY:LO:HI:N[:lin|log] with finite LO, HI and 1 <= N", spec);
    if (*logscale && (*lo <= 0 || *hi <= 0)) return gd_fmt(msg, GD_EUSAGE, "axis '%s': a log axis needs LO, HI > 0", spec);
    return GD_OK;
}

double gd_axis_value(double lo, double hi, long n, int logscale, long i)
{
    if (n == 1) return lo;
    double u = (double)i / (double)(n - 1);
    return logscale ? lo * pow(hi / lo, u) : lo + (hi - lo) * u;
}

int gd_sim_scan_each(gd_sim *s, const char *key, double lo, double hi, long n, int logscale, gd_scan_fn fn, void *user)
{
    char text[64], *saved = gd_sim_get_value(s, key);
    int rc = GD_OK;
    for (long i = 0; i < n && rc == GD_OK; i++) {
        double v = gd_axis_value(lo, hi, n, logscale, i);
        snprintf(text, sizeof text, "%.17g", v);
        if ((rc = gd_sim_set(s, key, text)) != GD_OK || (rc = gd_sim_setup(s)) != GD_OK) {
            char m[GD_MSG_LEN];
            snprintf(m, sizeof m, "%s", s->msg);
            gd_fmt(s->msg, rc, "scan of %s: %s", key, m);
            break;
        }
        rc = fn(s, i, v, user);
    }
    /* Restore the configuration; an earlier error message wins. */
    char m[GD_MSG_LEN];
    snprintf(m, sizeof m, "%s", s->msg);
    if (saved) gd_sim_set(s, key, saved);
    else gd_sim_unset(s, key);
    free(saved);
    int rc2 = gd_sim_setup(s);
    if (rc != GD_OK) return gd_fmt(s->msg, rc, "%s", m);
    return rc2;
}

typedef struct {
    const char *key;
    int d, nm;
    double *vals, *re, *im, *mre, *mim, *rho, *eq;
} eig_scan;

static int eig_scan_at(gd_sim *s, long i, double v, void *user)
{
    eig_scan *e = user;
    int d = e->d, nm = e->nm, an;
    e->vals[i] = v;
    if (s->model->dim != d || (s->stepper->type->fixed_step ? gd_stepper_map_dim(s->stepper) : d) != nm)
        return gd_fmt(s->msg, GD_EUSAGE, "scan of %s: the state dimension must not change along the scan", e->key);
    char no_flow[GD_MSG_LEN];
    if (spectra(s, s->starts, e->eq, e->re + i * d, e->im + i * d, e->mre + i * nm, e->mim + i * nm, e->rho + i, &an, no_flow) != GD_OK) {
        for (int k = 0; k < d; k++) e->re[i * d + k] = e->im[i * d + k] = NAN; /* no equilibrium here */
        for (int k = 0; k < nm; k++) e->mre[i * nm + k] = e->mim[i * nm + k] = NAN;
        e->rho[i] = NAN;
    }
    return GD_OK;
}

int gd_sim_eig_scan(gd_sim *s, const char *spec, gd_scan_result *out)
{
    char key[128];
    double lo, hi;
    long n;
    int logscale, rc = analysis_entry(s, out, sizeof *out);
    if (rc == GD_OK) rc = gd_parse_axis(spec, key, sizeof key, &lo, &hi, &n, &logscale, s->msg);
    if (rc != GD_OK) return rc;
    int d = s->model->dim, nm = s->stepper->type->fixed_step ? gd_stepper_map_dim(s->stepper) : d;
    char *text;
    double *buf = gd_result_alloc((size_t)n * (size_t)(1 + 2 * d + 2 * nm + 1), strlen(key), &text), *eq = malloc(sizeof(double) * (size_t)(3 * d));
    if (!buf || !eq) {
        free(buf), free(eq);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    eig_scan e = {key, d, nm, buf, buf + n, buf + n + n * d, buf + n + 2 * n * d, buf + n + 2 * n * d + n * nm, buf + n + 2 * n * d + 2 * n * nm, eq};
    rc = gd_sim_scan_each(s, key, lo, hi, n, logscale, eig_scan_at, &e);
    free(eq);
    if (rc != GD_OK) {
        free(buf);
        return rc;
    }
    out->key = strcpy(text, key);
    out->n = (int)n, out->dim = d, out->map_dim = nm;
    out->values = e.vals, out->re = e.re, out->im = e.im, out->map_re = e.mre, out->map_im = e.mim, out->rho = e.rho;
    return GD_OK;
}

/* ---------------------------------------------------------------- stability ---- */
int gd_stability_region(const gd_stepper *like, int nre, const double *re, int nim, const double *im, double *rho)
{
    if (!gd_stepper_usable(like)) return GD_EUSAGE;
    if (!like->type->fixed_step) return gd_stepper_fail((gd_stepper *)like, GD_ENOTAVAIL, "%s has no fixed one-iteration map", like->type->name);
    gd_model *m = gd_linear_create(0, 0, 1);
    gd_stepper *st = NULL;
    const int mx = 2 * (1 + like->type->history); /* the 2-D test problem's map, history included */
    double *M = malloc(sizeof(double) * (size_t)(mx * mx + 2 * mx)), *wr = M ? M + mx * mx : NULL, *wi = wr ? wr + mx : NULL;
    int rc = m && M ? GD_OK : GD_ENOMEM;
    if (rc == GD_OK && !(st = gd_stepper_create(like->type, m))) rc = GD_ENOMEM;
    if (rc == GD_OK) {
        gd_stepper_copy_options(st, like);
        st->o.lr_g = st->o.lr_d = NAN; /* the scalar test problem: both players at h */
        rc = gd_stepper_setup(st);
    }
    double h = like->o.h, x0[2] = {0, 0};
    for (int j = 0; j < nim && rc == GD_OK; j++)
        for (int i = 0; i < nre && rc == GD_OK; i++) {
            gd_linear_set(m, -re[i] / h, -re[i] / h, im[j] / h); /* J = [[-a, -s], [s, -a]]: eigenvalues -a +- i s = z / h */
            int nm = gd_stepper_map_dim(st);
            if ((rc = gd_stepper_map_jacobian(st, x0, M, NULL)) == GD_OK && (rc = gd_eigenvalues(nm, M, wr, wi)) == GD_OK)
                rho[(size_t)j * (size_t)nre + (size_t)i] = spectral_radius(nm, wr, wi);
        }
    if (rc != GD_OK) gd_stepper_fail((gd_stepper *)like, rc, "stability region: %s", st && st->msg[0] ? st->msg : gd_strerror(rc));
    gd_stepper_free(&st);
    gd_model_free(&m);
    free(M);
    return rc;
}

/* ---------------------------------------------------------------- files -------- */
static int write_complex_rows(gd_h5 *f, const char *group, const char *name, int rows, int cols, const double *re, const double *im)
{
    char path[128];
    hsize_t d[2] = {(hsize_t)rows, (hsize_t)cols};
    snprintf(path, sizeof path, "%s/%s_re", group, name);
    int rc = gd_h5_write(f, path, rows > 0 ? 2 : 1, rows > 0 ? d : d + 1, re);
    snprintf(path, sizeof path, "%s/%s_im", group, name);
    if (rc == GD_OK) rc = gd_h5_write(f, path, rows > 0 ? 2 : 1, rows > 0 ? d : d + 1, im);
    return rc;
}

static int write_eig_group(gd_h5 *f, const gd_eig_result *e)
{
    hsize_t d = (hsize_t)e->dim;
    int rc = gd_h5_write(f, "/eig/equilibrium", 1, &d, e->equilibrium);
    if (rc == GD_OK && e->has_flow) rc = write_complex_rows(f, "/eig", "eig", 0, e->dim, e->re, e->im); /* no NaN rows */
    if (rc == GD_OK) rc = write_complex_rows(f, "/eig", "map", 0, e->map_dim, e->map_re, e->map_im);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/eig", "type", e->type);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/eig", "has_flow", e->has_flow);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/eig", "no_flow", e->no_flow);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/eig", "integrator", e->integrator);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/eig", "h", 1, &e->h);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/eig", "lr_g", 1, &e->lr_g);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/eig", "lr_d", 1, &e->lr_d);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/eig", "rho", 1, &e->rho);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/eig", "predicted", gd_outcome_name(e->predicted));
    if (rc == GD_OK && e->v_frozen) rc = gd_h5_attr_doubles(f, "/eig", "v_frozen", e->dim, e->v_frozen);
    if (rc == GD_OK && e->v_frozen) rc = gd_h5_attr_doubles(f, "/eig", "validity_radius", 1, &e->v_radius);
    if (rc == GD_OK && e->steps > 1) rc = gd_h5_attr_long(f, "/eig", "steps", e->steps); /* lookahead: base steps per cycle */
    if (rc == GD_OK && e->steps > 1) rc = gd_h5_attr_doubles(f, "/eig", "rho_per_step", 1, &e->rho_per_step);
    hsize_t dc[2] = {(hsize_t)e->map_dim, (hsize_t)e->map_dim}, ds[2] = {d, d};
    if (rc == GD_OK && e->cov) rc = gd_h5_write(f, "/eig/covariance", 2, dc, e->cov); /* gradient noise */
    if (rc == GD_OK && e->cov) rc = gd_h5_attr_doubles(f, "/eig/covariance", "trace", 1, &e->cov_trace);
    if (rc == GD_OK && e->cov_se) rc = gd_h5_write(f, "/eig/se_factors", 2, ds, e->cov_se);
    return rc;
}

#define STAB_N 161

/* The region is that of the scalar test problem with both players at one step, where the map
 * depends on z = step * lambda alone: the marks use the players' common rate. With lr_g != lr_d
 * no single z describes the map; the marks then stay at h * lambda and equal_rates = 0 says so. */
static int write_stability(gd_sim *s, gd_h5 *f, const gd_eig_result *e)
{
    int equal = e->lr_g == e->lr_d;
    double rlo = -3, rhi = 1, ilim = 3, h = equal ? e->lr_g : e->h;
    for (int k = 0; k < e->dim; k++) { /* make room for the configured model's step * lambda */
        rlo = fmin(rlo, 1.2 * h * e->re[k]);
        rhi = fmax(rhi, 1.2 * h * e->re[k]);
        ilim = fmax(ilim, 1.2 * fabs(h * e->im[k]));
    }
    double re[STAB_N], im[STAB_N], *rho = malloc(sizeof(double) * STAB_N * STAB_N), hl[2][64];
    if (!rho) return GD_ENOMEM;
    for (int i = 0; i < STAB_N; i++) {
        re[i] = rlo + (rhi - rlo) * i / (STAB_N - 1);
        im[i] = -ilim + 2 * ilim * i / (STAB_N - 1);
    }
    int rc = gd_stability_region(s->stepper, STAB_N, re, STAB_N, im, rho);
    hsize_t n = STAB_N, nn[2] = {STAB_N, STAB_N}, nd = (hsize_t)(e->dim < 64 ? e->dim : 64);
    for (hsize_t k = 0; k < nd; k++) hl[0][k] = h * e->re[k], hl[1][k] = h * e->im[k];
    if (rc == GD_OK) rc = gd_h5_write(f, "/stability/re", 1, &n, re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/stability/im", 1, &n, im);
    if (rc == GD_OK) rc = gd_h5_write(f, "/stability/rho", 2, nn, rho);
    if (rc == GD_OK) rc = gd_h5_write(f, "/stability/hlambda_re", 1, &nd, hl[0]);
    if (rc == GD_OK) rc = gd_h5_write(f, "/stability/hlambda_im", 1, &nd, hl[1]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/stability", "integrator", e->integrator);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/stability", "step", 1, &h);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/stability", "equal_rates", equal);
    free(rho);
    return rc;
}

static int write_scan(gd_h5 *f, const gd_scan_result *sc, int has_flow)
{
    hsize_t n = (hsize_t)sc->n;
    int rc = gd_h5_write(f, "/scan/values", 1, &n, sc->values);
    if (rc == GD_OK && has_flow) rc = write_complex_rows(f, "/scan", "eig", sc->n, sc->dim, sc->re, sc->im);
    if (rc == GD_OK) rc = write_complex_rows(f, "/scan", "map", sc->n, sc->map_dim, sc->map_re, sc->map_im);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/rho", 1, &n, sc->rho);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/scan", "key", sc->key);
    return rc;
}

int gd_sim_write_eig(gd_sim *s, const char *path, const gd_eig_result *eig, const gd_scan_result *scan)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !eig || !eig->equilibrium) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_eig: need a path and an eig result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_sim_noise_attrs(s, f);
    if (rc == GD_OK) rc = write_eig_group(f, eig);
    if (rc == GD_OK && s->stepper->type->fixed_step && eig->has_flow) rc = write_stability(s, f, eig);
    if (rc == GD_OK && scan) rc = write_scan(f, scan, eig->has_flow);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
