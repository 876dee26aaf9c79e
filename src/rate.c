/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Spiral-attractor rates measured from trajectories (`gandyn rate`; docs/models/torus.md):
 * project x - x* on the slowest eigenmode, c = (V^-1 (x - x*))_k, so the linear flow is an
 * exact damped rotation |c| = e^{alpha t}, arg c = omega t without the ripple a
 * non-normal Jacobian puts on |x|; fit ln|c| and the unwrapped arg c by least squares on
 * the window r_lo < |c| < r_hi. The discrete rate does the same for the one-iteration
 * map of the configured integrator (per iteration, on its whole state).
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rate_opts {
    double r_hi, r_lo, t_end, rtol, atol;
};
#define RT(f) offsetof(rate_opts, f)
static const gd_param rate_params[] = {
    {"r_hi", GD_P_DOUBLE, RT(r_hi), "0.05", "rate fits use eigenbasis amplitudes below this (linear regime)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"r_lo", GD_P_DOUBLE, RT(r_lo), "1e-7", "... and above this (above the integration error)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"t_end", GD_P_DOUBLE, RT(t_end), "0", "continuous rate: integration time (0: until the amplitude falls below r_lo, at most 1e4)", 0, INFINITY, 0, NULL},
    {"rtol", GD_P_DOUBLE, RT(rtol), "1e-10", "continuous rate: CVODE relative tolerance", 0, 1, GD_PF_LO_OPEN | GD_PF_HI_OPEN, NULL},
    {"atol", GD_P_DOUBLE, RT(atol), "1e-12", "continuous rate: CVODE absolute tolerance", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef RT
const gd_section gd_section_rate = {"rate", rate_params, sizeof(rate_opts), offsetof(gd_sim, rate)};

typedef struct {
    double *t, *r, *ph;
    int n, cap;
} series;

static int series_add(series *s, double t, double r, double ph)
{
    if (s->n == s->cap) {
        int nc = s->cap ? 2 * s->cap : 1024;
        double *a = realloc(s->t, sizeof(double) * (size_t)nc), *b = a ? realloc(s->r, sizeof(double) * (size_t)nc) : NULL;
        if (a) s->t = a;
        if (b) s->r = b;
        double *c = b ? realloc(s->ph, sizeof(double) * (size_t)nc) : NULL;
        if (!c) return GD_ENOMEM;
        s->ph = c;
        s->cap = nc;
    }
    /* unwrap: keep successive phases within pi of each other */
    if (s->n > 0) ph += 2 * M_PI * round((s->ph[s->n - 1] - ph) / (2 * M_PI));
    s->t[s->n] = t, s->r[s->n] = r, s->ph[s->n] = ph;
    s->n++;
    return GD_OK;
}

static void series_free(series *s) { free(s->t), free(s->r), free(s->ph); }

/* Least-squares slopes of ln r and phase against t over the window; returns the count. */
static int fit(const series *s, double r_lo, double r_hi, double *slope_r, double *slope_ph)
{
    double st = 0, sr = 0, sp = 0, stt = 0, str = 0, stp = 0;
    int m = 0;
    for (int i = 0; i < s->n; i++) {
        if (!(s->r[i] > r_lo && s->r[i] < r_hi)) continue;
        double t = s->t[i], lr = log(s->r[i]);
        st += t, sr += lr, sp += s->ph[i], stt += t * t, str += t * lr, stp += t * s->ph[i];
        m++;
    }
    double den = m * stt - st * st;
    *slope_r = m >= 3 && den > 0 ? (m * str - st * sr) / den : NAN;
    *slope_ph = m >= 3 && den > 0 ? (m * stp - st * sp) / den : NAN;
    return m;
}

/* Row k of V^-1 (complex, interleaved), so that c_k = U . (x - x*). */
static int inverse_row(int n, const double *V, int k, double *U)
{
    double *b = calloc((size_t)n, sizeof(double)), *c = malloc(sizeof(double) * 2 * (size_t)n);
    int rc = b && c ? GD_OK : GD_ENOMEM;
    for (int j = 0; j < n && rc == GD_OK; j++) {
        b[j] = 1;
        rc = gd_complex_solve(n, V, b, c);
        b[j] = 0;
        U[2 * j] = c[2 * k], U[2 * j + 1] = c[2 * k + 1];
    }
    free(b), free(c);
    return rc;
}

/* The mode that decides the rate: largest Re lambda (flow) or |mu| (map); Im >= 0 on ties. */
static int dominant(int n, const double *re, const double *im, int by_modulus)
{
    int k = 0;
    for (int i = 1; i < n; i++) {
        double a = by_modulus ? hypot(re[i], im[i]) : re[i], b = by_modulus ? hypot(re[k], im[k]) : re[k];
        if (a > b + 1e-12 * fabs(b) || (fabs(a - b) <= 1e-12 * fabs(b) && im[i] > im[k])) k = i;
    }
    return k;
}

/* Amplitude and phase of mode k: c = U . (z - z*). */
static void project(int n, const double *U, const double *z, const double *zs, double *r, double *ph)
{
    double cr = 0, ci = 0;
    for (int j = 0; j < n; j++) {
        double d = z[j] - zs[j];
        cr += U[2 * j] * d, ci += U[2 * j + 1] * d;
    }
    *r = hypot(cr, ci);
    *ph = atan2(ci, cr);
}

typedef struct {
    int n;          /* state dimension of the eigen-problem */
    double *U, *zs; /* row of V^-1 (2n), fixed point (n) */
    double re, im;  /* the mode's eigenvalue */
} mode;

/* Eigenbasis of A (n x n) at fixed point zs: the dominant mode. */
static int mode_of(int n, const double *A, const double *zs, int by_modulus, mode *md)
{
    double *wr = malloc(sizeof(double) * (2 * (size_t)n + 2 * (size_t)n * (size_t)n)), *wi = wr ? wr + n : NULL, *V = wi ? wi + n : NULL;
    md->n = n;
    md->U = malloc(sizeof(double) * 2 * (size_t)n);
    md->zs = malloc(sizeof(double) * (size_t)n);
    if (!wr || !md->U || !md->zs) {
        free(wr);
        return GD_ENOMEM;
    }
    memcpy(md->zs, zs, sizeof(double) * (size_t)n);
    int rc = gd_eigenvectors(n, A, wr, wi, V);
    int k = rc == GD_OK ? dominant(n, wr, wi, by_modulus) : 0;
    if (rc == GD_OK) rc = inverse_row(n, V, k, md->U);
    md->re = wr[k], md->im = wi[k];
    free(wr);
    return rc;
}

static void mode_free(mode *md) { free(md->U), free(md->zs); }

/* ---------------------------------------------------------------- continuous --- */
static int continuous(gd_sim *s, const double *eq, series *ts, series *sec, gd_rate_result *out)
{
    gd_model *m = s->model;
    int n = m->dim, rc;
    double *J = malloc(sizeof(double) * ((size_t)n * (size_t)n + 2 * (size_t)n)), *x = J + (size_t)n * (size_t)n, *w = x + n;
    mode md = {0};
    if (!J) return GD_ENOMEM;
    rc = gd_model_jacobian(m, eq, J);
    if (rc == GD_OK) rc = mode_of(n, J, eq, 0, &md);
    gd_stepper *cv = rc == GD_OK ? gd_stepper_create(&gd_integrator_cvode, m) : NULL;
    if (rc == GD_OK && !cv) rc = GD_ENOMEM;
    out->c_pred_re = md.re, out->c_pred_im = fabs(md.im);
    double r0, ph0, t = 0, tend = s->rate->t_end;
    if (rc == GD_OK) {
        project(n, md.U, s->starts, eq, &r0, &ph0);
        if (tend <= 0) /* long enough to fall from r0 to r_lo, with margin */
            tend = md.re < 0 ? fmin(1e4, 1.3 * log(fmax(r0, s->rate->r_hi) / s->rate->r_lo) / -md.re) : gd_sim_integrator_double(s, "t_end");
        const char *key[] = {"rtol", "atol", "t_end", "steps", "diverge_radius"};
        double val[] = {s->rate->rtol, s->rate->atol, tend, 4000, s->sweep->diverge_radius};
        for (int i = 0; i < 5 && rc == GD_OK; i++) rc = gd_stepper_set_double(cv, key[i], val[i]);
        if (rc == GD_OK) rc = gd_stepper_set(cv, "method", "adams");
        if (rc == GD_OK) rc = gd_stepper_setup(cv);
    }
    /* Section Im(c_k) = 0 crossed upward: once per turn of the mode with Im lambda > 0. */
    double c0 = 0;
    for (int j = 0; j < n && rc == GD_OK; j++) w[j] = md.U[2 * j + 1] * (md.im >= 0 ? 1 : -1), c0 += w[j] * eq[j];
    if (rc == GD_OK && fabs(md.im) > 0) rc = gd_stepper_set_section(cv, w, c0);
    if (rc == GD_OK) {
        memcpy(x, s->starts, sizeof(double) * (size_t)n);
        rc = gd_stepper_reset(cv, x);
        if (rc == GD_OK) rc = series_add(ts, 0, r0, ph0);
    }
    while (rc == GD_OK && t < tend * (1 - 1e-12)) {
        int st = gd_stepper_step(cv, x, &t);
        if (st < 0) {
            rc = gd_fmt(s->msg, st, "%s", cv->msg);
            break;
        }
        double r, ph;
        project(n, md.U, x, eq, &r, &ph);
        rc = st == GD_SECTION ? series_add(sec, t, r, ph) : series_add(ts, t, r, ph);
        if (st == GD_DIVERGED || (md.re < 0 && r < 1e-3 * s->rate->r_lo)) break;
    }
    if (rc == GD_OK) {
        double a, om;
        out->c_points = fit(ts, s->rate->r_lo, s->rate->r_hi, &a, &om);
        out->c_re = a, out->c_im = fabs(om);
        /* Poincare returns: consecutive crossings inside the window */
        double sa = 0, sw = 0;
        int k = 0;
        for (int i = 0; i + 1 < sec->n; i++) {
            if (!(sec->r[i] > s->rate->r_lo && sec->r[i + 1] < s->rate->r_hi && sec->r[i] < s->rate->r_hi && sec->r[i + 1] > s->rate->r_lo)) continue;
            double T = sec->t[i + 1] - sec->t[i];
            sa += log(sec->r[i + 1] / sec->r[i]) / T, sw += 2 * M_PI / T, k++;
        }
        out->c_returns = k;
        out->c_poincare_re = k ? sa / k : NAN, out->c_poincare_im = k ? sw / k : NAN;
        out->has_continuous = 1;
    }
    gd_stepper_free(&cv);
    mode_free(&md);
    free(J);
    return rc;
}

/* ---------------------------------------------------------------- discrete ----- */
/* With gradient noise: the mean state over noise.replicas trajectories from the start (replica
 * r is start r of the noise counter), (steps + 1) x nm into mean; *last: the steps every replica
 * made without diverging. The mean follows the noise-free linearised map, whose rate the fit
 * measures (above its noise floor, about sqrt(tr Sigma / replicas)). */
static int ensemble_mean(gd_sim *s, double *mean, long *last)
{
    gd_stepper *st = s->stepper;
    const int n = s->model->dim, nm = gd_stepper_map_dim(st);
    const long steps = st->o.steps, R = s->noise->replicas;
    double *z = malloc(sizeof(double) * (size_t)nm), t = 0;
    int rc = z ? GD_OK : GD_ENOMEM;
    memset(mean, 0, sizeof(double) * (size_t)(steps + 1) * (size_t)nm);
    *last = steps;
    for (long r = 0; r < R && rc == GD_OK; r++) {
        memcpy(z, s->starts, sizeof(double) * (size_t)n);
        gd_model_project(s->model, z);
        gd_stepper_noise_index(st, 0, r);
        rc = gd_stepper_reset(st, z);
        for (long k = 0; rc == GD_OK && k <= *last; k++) {
            if (nm > n) memcpy(z + n, st->lane.hist, sizeof(double) * (size_t)(nm - n));
            for (int i = 0; i < nm; i++) mean[(size_t)k * (size_t)nm + (size_t)i] += z[i] / (double)R;
            int code = k < *last ? gd_stepper_step(st, z, &t) : GD_OK;
            if (code < 0) rc = gd_fmt(s->msg, code, "%s", st->msg);
            if (code == GD_DIVERGED) *last = k;
        }
    }
    free(z);
    return rc == GD_ENOMEM ? gd_fmt(s->msg, rc, "out of memory") : rc;
}

static int discrete_noisy(gd_sim *s, const mode *md, series *ks)
{
    const int nm = gd_stepper_map_dim(s->stepper);
    const long steps = s->stepper->o.steps;
    int rc = gd_check_memory(s->msg, 8.0 * (double)(steps + 1) * nm, "rate: the ensemble mean");
    double *mean = rc == GD_OK ? malloc(sizeof(double) * (size_t)(steps + 1) * (size_t)nm) : NULL, r, ph;
    long last = 0;
    if (rc == GD_OK) rc = mean ? ensemble_mean(s, mean, &last) : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    for (long k = 0; rc == GD_OK && k <= last; k++) {
        project(nm, md->U, mean + (size_t)k * (size_t)nm, md->zs, &r, &ph);
        rc = series_add(ks, (double)k, r, ph);
    }
    free(mean);
    return rc;
}

static int discrete(gd_sim *s, const double *eq, series *ks, gd_rate_result *out)
{
    gd_stepper *st = s->stepper;
    int n = s->model->dim, nm = gd_stepper_map_dim(st), nh = nm - n, rc;
    double *M = malloc(sizeof(double) * ((size_t)nm * (size_t)nm + 2 * (size_t)nm)), *zs = M + (size_t)nm * (size_t)nm, *z = zs + nm;
    mode md = {0};
    if (!M) return GD_ENOMEM;
    memcpy(zs, eq, sizeof(double) * (size_t)n);
    for (int i = n; i < nm; i++) zs[i] = 0; /* history at a fixed point: F(x*) = 0 */
    rc = gd_stepper_map_jacobian(st, eq, M, NULL);
    if (rc == GD_OK) rc = mode_of(nm, M, zs, 1, &md);
    out->d_pred_rho = hypot(md.re, md.im), out->d_pred_angle = fabs(atan2(md.im, md.re));
    const int noisy = st->noise.sigma > 0;
    if (rc == GD_OK && noisy) rc = discrete_noisy(s, &md, ks);
    if (rc == GD_OK && !noisy) {
        memcpy(z, s->starts, sizeof(double) * (size_t)n);
        gd_model_project(s->model, z);
        rc = gd_stepper_reset(st, z);
    }
    double t = 0, r, ph;
    /* one map iteration = K base steps (a lookahead cycle, which ends on the slow weights) */
    const long K = gd_stepper_map_steps(st), iters = st->o.steps / K;
    for (long k = 0; rc == GD_OK && !noisy && k <= iters; k++) {
        if (nh) memcpy(z + n, st->lane.hist, sizeof(double) * (size_t)nh);
        project(nm, md.U, z, zs, &r, &ph);
        if ((rc = series_add(ks, (double)k, r, ph)) != GD_OK || k == iters) break;
        if (r < 1e-3 * s->rate->r_lo && out->d_pred_rho < 1) break;
        int code = GD_OK;
        for (long j = 0; j < K && code >= 0 && code != GD_DIVERGED; j++) code = gd_stepper_step(st, z, &t);
        if (code < 0) rc = gd_fmt(s->msg, code, "%s", st->msg);
        if (code == GD_DIVERGED) break;
    }
    if (rc == GD_OK) {
        double lr, om;
        out->d_points = fit(ks, s->rate->r_lo, s->rate->r_hi, &lr, &om);
        out->d_rho = exp(lr), out->d_angle = fabs(om);
        out->has_discrete = 1;
    }
    mode_free(&md);
    free(M);
    return rc;
}

/* ---------------------------------------------------------------- file --------- */
static int write_series(gd_h5 *f, const char *group, const series *s)
{
    char p[96];
    hsize_t n = (hsize_t)s->n;
    snprintf(p, sizeof p, "%s/t", group);
    int rc = gd_h5_write(f, p, 1, &n, s->t);
    snprintf(p, sizeof p, "%s/r", group);
    if (rc == GD_OK) rc = gd_h5_write(f, p, 1, &n, s->r);
    snprintf(p, sizeof p, "%s/phase", group);
    if (rc == GD_OK) rc = gd_h5_write(f, p, 1, &n, s->ph);
    return rc;
}

static int write_rate(gd_sim *s, const char *path, const gd_rate_result *o, const series *ts, const series *sec, const series *ks)
{
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    double win[2] = {s->rate->r_lo, s->rate->r_hi};
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_sim_noise_attrs(s, f);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate", "window", 2, win);
    if (rc == GD_OK && o->has_continuous) {
        double meas[2] = {o->c_re, o->c_im}, pred[2] = {o->c_pred_re, o->c_pred_im}, poin[2] = {o->c_poincare_re, o->c_poincare_im};
        rc = write_series(f, "/rate/continuous", ts);
        if (rc == GD_OK && sec->n) rc = write_series(f, "/rate/continuous/section", sec);
        if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate/continuous", "measured", 2, meas);
        if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate/continuous", "predicted", 2, pred);
        if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate/continuous", "poincare", 2, poin);
    }
    if (rc == GD_OK && o->has_discrete) {
        double meas[2] = {o->d_rho, o->d_angle}, pred[2] = {o->d_pred_rho, o->d_pred_angle};
        rc = write_series(f, "/rate/discrete", ks);
        if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate/discrete", "measured", 2, meas);
        if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/rate/discrete", "predicted", 2, pred);
        if (rc == GD_OK) rc = gd_h5_attr_string(f, "/rate/discrete", "integrator", s->stepper->type->name);
    }
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}

/* Both parts from the equilibrium eq, and the file. */
static int rate_at(gd_sim *s, const double *eq, const char *path, gd_rate_result *out)
{
    int n = s->model->dim;
    series ts = {0}, sec = {0}, ks = {0};
    int rc = gd_check_dense(s->msg, gd_stepper_map_dim(s->stepper), 4, "rate: the Jacobian, its eigenvectors and their inverse");
    if (rc != GD_OK) return rc;
    double *J = malloc(sizeof(double) * (size_t)n * (size_t)n);
    int has_field = J && gd_model_jacobian(s->model, eq, J) == GD_OK;
    free(J);
    rc = has_field ? continuous(s, eq, &ts, &sec, out) : GD_OK; /* a map-only model has no flow */
    if (rc == GD_OK && s->stepper->type->fixed_step) rc = discrete(s, eq, &ks, out);
    if (rc == GD_OK && path && path[0]) rc = write_rate(s, path, out, &ts, &sec, &ks);
    else if (rc != GD_OK && s->msg[0] == '\0') gd_fmt(s->msg, rc, "rate: %s", gd_strerror(rc));
    series_free(&ts), series_free(&sec), series_free(&ks);
    return rc;
}

int gd_sim_rate(gd_sim *s, const char *path, gd_rate_result *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    memset(out, 0, sizeof *out);
    if (!(s->rate->r_lo < s->rate->r_hi))
        return gd_fmt(s->msg, GD_EUSAGE, "rate.r_lo = %g must be below rate.r_hi = %g", s->rate->r_lo, s->rate->r_hi);
    double *eq = malloc(sizeof(double) * (size_t)s->model->dim);
    if (!eq) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    int rc = gd_model_find_equilibrium(s->model, s->starts, eq);
    rc = rc == GD_OK ? rate_at(s, eq, path, out) : gd_fmt(s->msg, rc, "%s", s->model->msg);
    free(eq);
    return rc;
}
