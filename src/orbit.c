/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Periodic orbits of flows (`gandyn orbit`, docs/bifurcations.md "Periodic orbits of flows").
 * Single shooting: the unknowns (x0, T) solve phi_T(x0) = x0 with the phase condition
 * F(x_ref)^T (x0 - x_ref) = 0, x_ref the start; Newton's matrix is
 * [[M - I, F(phi_T(x0))], [F(x_ref)^T, 0]]. The monodromy M = D phi_T(x0) comes from the
 * variational equations Y' = J(x) Y integrated with the orbit by CVODE (the model's analytic
 * Jacobian, else its central differences), at rtol <= 1e-12. The Floquet multipliers are
 * those of M: the trivial one (along F) by deflation, the others as the eigenvalues of M
 * restricted to the complement of F, so a Jordan block at 1 (a conservative family) does not
 * split them into 1 +- sqrt(rounding).
 */
#include "cvode_setup.h"
#include "gd_impl.h"
#include "h5io.h"
#include "orbit_impl.h"
#include "sim_impl.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

#define ORBIT_SAMPLES 512 /* points of one period in the result */
#define ORBIT_ITERS 40

/* ---------------------------------------------------------------- the flow map ------- */
/* The variational system first (CVODE's user data), then the section for first returns. */
struct gd_shooter {
    gd_var_sys v;
    gd_cv h;
    gd_sim *s;
    const double *xref, *fref; /* the section F(x_ref)^T (x - x_ref) = 0 of first returns */
    double rtol, atol;
    int roots; /* the section's root function is installed */
};
typedef gd_shooter shooter;

static int section_root(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
    (void)t;
    shooter *sh = ud;
    const double *x = N_VGetArrayPointer(y);
    double w = 0;
    for (int i = 0; i < sh->v.n; i++) w += sh->fref[i] * (x[i] - sh->xref[i]);
    g[0] = w;
    return 0;
}

static void shooter_close(shooter *sh)
{
    gd_cv_release(&sh->h);
    gd_model_ws_free(&sh->v.ws);
    free(sh->v.J);
}

/* CVODE on (x, Y, c) at rtol = min(integrator.rtol, 1e-12), atol = min(integrator.atol, 1e-14):
 * the shooting needs phi_T to ~1e-11 for T to 1e-8 and the multipliers to 1e-6. */
static int shooter_open(shooter *sh, gd_sim *s)
{
    const gd_model *m = s->model;
    int n = m->dim;
    long len = (long)n + (long)n * n + 1;
    memset(sh, 0, sizeof *sh);
    sh->s = s;
    sh->v = (gd_var_sys){.m = m, .ws = gd_model_ws_create(m), .n = n, .k = n, .J = malloc(sizeof(double) * (size_t)n * (size_t)n)};
    sh->rtol = fmin(gd_sim_integrator_double(s, "rtol"), 1e-12);
    sh->atol = fmin(gd_sim_integrator_double(s, "atol"), 1e-14);
    if (!sh->v.ws || !sh->v.J) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    char *method = gd_sim_get_value(s, "integrator.method");
    int bdf = method && strstr(method, "bdf");
    free(method);
    gd_cv_spec spec = {.len = len, .bdf = bdf, .rhs = gd_var_rhs, .ud = sh, .rtol = sh->rtol, .atol = sh->atol, .max_steps = 100000000L};
    int rc = gd_cv_open(&sh->h, &spec);
    if (rc == GD_OK) rc = bdf ? gd_cv_dense(&sh->h, NULL) : gd_cv_fixed_point(&sh->h);
    return rc != GD_OK ? gd_fmt(s->msg, rc, "orbit: cannot set up CVODE on %ld equations", len) : GD_OK;
}

/* Integrate (x, Y = I) from 0 to T; with stop_at_section, stop at the first upward crossing of
 * the section instead (*T becomes its time; GD_ENOTAVAIL when none before T). */
static int integrate(shooter *sh, const double *x, double *T, int stop_at_section)
{
    int n = sh->v.n;
    double *u = N_VGetArrayPointer(sh->h.y), tret = 0;
    memset(u, 0, sizeof(double) * (size_t)N_VGetLength(sh->h.y));
    memcpy(u, x, sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) u[n + i * n + i] = 1;
    sh->v.failed = 0;
    if (CVodeReInit(sh->h.mem, 0.0, sh->h.y) < 0) return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: CVodeReInit failed");
    int dir = 1;
    if (stop_at_section != sh->roots) {
        if (CVodeRootInit(sh->h.mem, stop_at_section ? 1 : 0, stop_at_section ? section_root : NULL) < 0 ||
            (stop_at_section && CVodeSetRootDirection(sh->h.mem, &dir) < 0))
            return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: CVodeRootInit failed");
        sh->roots = stop_at_section;
    }
    if (CVodeSetStopTime(sh->h.mem, *T) < 0) return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: CVodeSetStopTime failed");
    int flag = CVode(sh->h.mem, *T, sh->h.y, &tret, CV_NORMAL);
    if (flag < 0) {
        char *name = CVodeGetReturnFlagName(flag);
        gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: cvode %s at t = %g%s", name ? name : "failure", tret, sh->v.failed ? " (the model's field failed)" : "");
        free(name);
        return GD_ESOLVER;
    }
    if (stop_at_section) {
        if (flag != CV_ROOT_RETURN) return GD_ENOTAVAIL;
        *T = tret;
    }
    return GD_OK;
}

/* phi = phi_T(x) and M = D phi_T(x) (row-major). */
static int flow_map(shooter *sh, const double *x, double T, double *phi, double *M)
{
    int rc = integrate(sh, x, &T, 0), n = sh->v.n;
    if (rc != GD_OK) return rc;
    const double *u = N_VGetArrayPointer(sh->h.y);
    memcpy(phi, u, sizeof(double) * (size_t)n);
    for (int j = 0; j < n && M; j++)
        for (int i = 0; i < n; i++) M[i * n + j] = u[n + j * n + i]; /* column j of Y is D phi e_j */
    return GD_OK;
}

static int field(shooter *sh, const double *x, double *f)
{
    int rc = gd_model_field_ws(sh->v.m, sh->v.ws, x, f);
    return rc != GD_OK ? gd_fmt(sh->s->msg, rc, "orbit: the field failed: %s", gd_model_ws_errmsg(sh->v.ws)) : GD_OK;
}

int gd_shooter_field(gd_shooter *sh, const double *x, double *f) { return field(sh, x, f); }

gd_shooter *gd_shooter_open(gd_sim *s, int *rc)
{
    shooter *sh = malloc(sizeof *sh);
    *rc = sh ? shooter_open(sh, s) : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (*rc != GD_OK && sh) shooter_close(sh), free(sh), sh = NULL;
    return sh;
}

void gd_shooter_close(gd_shooter *sh)
{
    if (sh) shooter_close(sh), free(sh);
}

int gd_shooter_refresh(gd_shooter *sh)
{
    gd_model_ws_free(&sh->v.ws);
    sh->v.ws = gd_model_ws_create(sh->v.m);
    return sh->v.ws ? GD_OK : gd_fmt(sh->s->msg, GD_ENOMEM, "out of memory");
}

int gd_shooter_flow(gd_shooter *sh, const double *x, double T, double *phi, double *M) { return flow_map(sh, x, T, phi, M); }

/* ---------------------------------------------------------------- Newton ------------- */
/* Solve the m x m system A z = b in place (b); the minimum-norm least-squares solution where A
 * is singular (a conservative family: the orbit through x_ref is one of a continuum). */
int gd_solve_minnorm(int m, double *A, double *b)
{
    double *a = malloc(sizeof(double) * ((size_t)m * (size_t)m + 2 * (size_t)m)), *c = a ? a + (size_t)m * m : NULL, *sv = c ? c + m : NULL;
    lapack_int *piv = malloc(sizeof *piv * (size_t)m), rank;
    int rc = a && piv ? GD_OK : GD_ENOMEM;
    if (rc == GD_OK) {
        memcpy(a, A, sizeof(double) * (size_t)m * (size_t)m), memcpy(c, b, sizeof(double) * (size_t)m);
        int pin = gd_blas_serial_begin(m);
        double big = 0;
        for (int i = 0; i < m * m; i++) big = fmax(big, fabs(A[i]));
        lapack_int info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, m, 1, a, m, piv, c, 1);
        double small = INFINITY;
        for (int i = 0; info == 0 && i < m; i++) small = fmin(small, fabs(a[i * m + i]));
        if (info == 0 && small > 1e-10 * big) memcpy(b, c, sizeof(double) * (size_t)m);
        else rc = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, m, m, 1, A, m, b, 1, sv, 1e-10, &rank) == 0 ? GD_OK : GD_ESOLVER;
        gd_blas_serial_end(pin);
    }
    free(a), free(piv);
    return rc;
}

typedef struct {
    double *x, *phi, *M, *f, *fref, *A, *b, *xref; /* n, n, n x n, n, n, (n+1)^2, n+1, n */
    double T, res;
    int its;
} shoot_state;

/* Newton on (x0, T) from (x, T) in st; converged when |phi_T(x0) - x0| <= 1e-9 max(1, |x0|)
 * after an update below 1e-5 of the unknowns' scale (so one more quadratic step was taken). */
static int shoot(shooter *sh, shoot_state *st)
{
    int n = sh->v.n, m = n + 1, rc = GD_OK;
    double last = INFINITY, T0 = st->T;
    if ((rc = field(sh, st->xref, st->fref)) != GD_OK) return rc;
    for (st->its = 0;; st->its++) {
        if ((rc = flow_map(sh, st->x, st->T, st->phi, st->M)) != GD_OK) return rc;
        double res = 0, scale = fmax(1, gd_norm(n, st->x));
        for (int i = 0; i < n; i++) res += (st->phi[i] - st->x[i]) * (st->phi[i] - st->x[i]);
        st->res = sqrt(res);
        if (st->res <= 1e-9 * scale && last <= 1e-5 * fmax(scale, st->T)) return GD_OK;
        if (st->its == ORBIT_ITERS || !isfinite(st->res))
            return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: shooting did not converge in %d Newton steps (|phi_T(x0) - x0| = %.3g at T = %.10g): start nearer the cycle or give --period-guess",
                          ORBIT_ITERS, st->res, st->T);
        if ((rc = field(sh, st->phi, st->f)) != GD_OK) return rc;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) st->A[i * m + j] = st->M[i * n + j] - (i == j);
            st->A[i * m + n] = st->f[i];
            st->A[n * m + i] = st->fref[i];
            st->b[i] = st->x[i] - st->phi[i];
        }
        st->A[n * m + n] = 0;
        st->b[n] = 0;
        for (int i = 0; i < n; i++) st->b[n] -= st->fref[i] * (st->x[i] - st->xref[i]);
        if ((rc = gd_solve_minnorm(m, st->A, st->b)) != GD_OK) return gd_fmt(sh->s->msg, rc, "orbit: the shooting matrix could not be solved");
        /* Newton may jump to the time-reversed orbit (T < 0): halve the step until T stays positive */
        double f = 1;
        while (st->T + f * st->b[n] <= 0.1 * st->T && f > 1e-3) f *= 0.5;
        if (st->T + f * st->b[n] <= 0)
            return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: Newton drove the period to T <= 0 (from T = %.10g): give a better --period-guess", st->T);
        for (int i = 0; i < n; i++) st->x[i] += f * st->b[i];
        st->T += f * st->b[n];
        /* phi_0 = identity: near no cycle (a sink, a source) Newton slides towards T = 0 */
        if (st->T < 1e-3 * T0)
            return gd_fmt(sh->s->msg, GD_ESOLVER, "orbit: the period collapsed from %.6g to %.3g: no periodic orbit near run.x0", T0, st->T);
        last = f * gd_norm(m, st->b);
    }
}

/* ---------------------------------------------------------------- multipliers -------- */
/* The trivial multiplier f^T M f (f = F(x0)/|F|) and the others: the eigenvalues of H M H
 * without its first row and column, H the Householder reflection taking e_1 to -+f. */
int gd_floquet(int n, const double *M, const double *F, double *re, double *im, double *trivial_error)
{
    double *H = calloc(3 * (size_t)n * (size_t)n, sizeof(double)), *T = H + (size_t)n * n, *B = T + (size_t)n * n;
    if (!H) return GD_ENOMEM;
    double nf = gd_norm(n, F), w[64], *wv = n <= 64 ? w : malloc(sizeof(double) * (size_t)n);
    if (!wv) return free(H), GD_ENOMEM;
    for (int i = 0; i < n; i++) wv[i] = F[i] / nf;
    double s = wv[0] >= 0 ? 1 : -1;
    wv[0] += s;
    double ww = gd_dot(n, wv, wv);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) H[i * n + j] = (i == j) - 2 * wv[i] * wv[j] / ww;
    gd_matmul(n, M, H, T), gd_matmul(n, H, T, B); /* H = H^T = H^-1 */
    re[0] = B[0], im[0] = 0;
    double err = fabs(B[0] - 1);
    for (int i = 1; i < n; i++) err = fmax(err, fabs(B[i * n])); /* M f - f, in the new basis */
    *trivial_error = err;
    for (int i = 1; i < n; i++)
        for (int j = 1; j < n; j++) T[(i - 1) * (n - 1) + (j - 1)] = B[i * n + j];
    int rc = n > 1 ? gd_eigenvalues(n - 1, T, re + 1, im + 1) : GD_OK;
    if (wv != w) free(wv);
    free(H);
    return rc;
}

/* ---------------------------------------------------------------- the result --------- */
/* Whether F (the field at x) vanishes there, relative to x's scale: no cycle passes through x. */
static int at_equilibrium(int n, const double *x, const double *F) { return !(gd_norm(n, F) > 1e-10 * fmax(1, gd_norm(n, x))); }

static int sample(shooter *sh, const shoot_state *st, gd_orbit_result *out)
{
    int n = sh->v.n;
    const double *u = N_VGetArrayPointer(sh->h.y);
    double *x = malloc(sizeof(double) * (size_t)n);
    if (!x) return GD_ENOMEM;
    memcpy(x, st->x, sizeof(double) * (size_t)n);
    int rc = GD_OK;
    for (int k = 0; k < ORBIT_SAMPLES && rc == GD_OK; k++) {
        double t = st->T * k / ORBIT_SAMPLES, dt = st->T / ORBIT_SAMPLES;
        out->t[k] = t;
        memcpy(out->x + (size_t)k * n, x, sizeof(double) * (size_t)n);
        rc = integrate(sh, x, &dt, 0);
        memcpy(x, u, sizeof(double) * (size_t)n);
    }
    free(x);
    return rc;
}

/* amplitude (max |x - c| over the samples, c the equilibrium, else the centroid) and mean |x|^2 */
static void measures(const gd_sim *s, gd_orbit_result *out)
{
    int n = out->dim;
    double c[64] = {0}, *cv = n <= 64 ? c : calloc((size_t)n, sizeof(double));
    if (!cv) return;
    for (int k = 0; k < out->npts; k++)
        for (int i = 0; i < n; i++) cv[i] += out->x[(size_t)k * n + i] / out->npts;
    if (s->eq_known) memcpy(cv, s->eq, sizeof(double) * (size_t)n);
    out->amplitude = 0, out->mean_sq = 0;
    for (int k = 0; k < out->npts; k++) {
        const double *x = out->x + (size_t)k * n;
        out->amplitude = fmax(out->amplitude, gd_dist(n, x, cv));
        out->mean_sq += gd_dot(n, x, x) / out->npts;
    }
    if (cv != c) free(cv);
}

static int orbit_check(gd_sim *s)
{
    const gd_stepper *st = s->stepper;
    if (st->type != &gd_integrator_cvode)
        return gd_fmt(s->msg, GD_EUSAGE, "orbit: periodic orbits of flows need integrator.name = cvode (%s is a map: its periodic points are `continue --period K`)", st->type->name);
    if (s->model->hybrid) return gd_fmt(s->msg, GD_EUSAGE, "orbit: model '%s' is piecewise smooth here (switching surfaces): the monodromy is not defined", s->model->type->name);
    return gd_check_dense(s->msg, s->model->dim, 4, "orbit: the monodromy and the variational equations");
}

/* The period guess: the time of the first return to the section through x normal to F(x). */
static int first_return(shooter *sh, shoot_state *st)
{
    double tmax = gd_sim_integrator_double(sh->s, "t_end");
    st->T = tmax;
    int rc = integrate(sh, st->x, &st->T, 1);
    if (rc == GD_ENOTAVAIL)
        return gd_fmt(sh->s->msg, GD_EUSAGE, "orbit: the flow from run.x0 does not return to its section within integrator.t_end = %g: no cycle nearby (or give --period-guess)", tmax);
    return rc;
}

int gd_sim_orbit(gd_sim *s, double period_guess, gd_orbit_result *out)
{
    if (out) memset(out, 0, sizeof *out);
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    return gd_orbit_from(s, s->starts, period_guess, out);
}

int gd_orbit_from(gd_sim *s, const double *start, double period_guess, gd_orbit_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = orbit_check(s), n = s->model->dim, m = n + 1;
    if (rc != GD_OK) return rc;
    if (!(period_guess > 0) && !isnan(period_guess))
        return gd_fmt(s->msg, GD_EUSAGE, "orbit: the period guess %g is not positive", period_guess);
    shooter sh;
    shoot_state st = {0};
    rc = shooter_open(&sh, s);
    double *w = rc == GD_OK ? malloc(sizeof(double) * (6 * (size_t)n + 2 * (size_t)n * n + (size_t)m * m + m)) : NULL;
    if (rc == GD_OK && !w) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) {
        st.x = w, st.phi = w + n, st.f = w + 2 * n, st.fref = w + 3 * n, st.xref = w + 4 * n, st.M = w + 6 * n;
        st.A = st.M + (size_t)n * n, st.b = st.A + (size_t)m * m;
        memcpy(st.x, start, sizeof(double) * (size_t)n);
        gd_model_project(s->model, st.x);
        memcpy(st.xref, st.x, sizeof(double) * (size_t)n);
        rc = field(&sh, st.xref, st.fref);
        sh.xref = st.xref, sh.fref = st.fref;
    }
    if (rc == GD_OK && at_equilibrium(n, st.x, st.fref))
        rc = gd_fmt(s->msg, GD_EUSAGE, "orbit: run.x0 is an equilibrium (|F| = %.3g): start on or near a cycle", gd_norm(n, st.fref));
    if (rc == GD_OK) rc = isnan(period_guess) ? first_return(&sh, &st) : (st.T = period_guess, GD_OK);
    if (rc == GD_OK) rc = shoot(&sh, &st);
    size_t len = 2 * (size_t)n + (size_t)n * n + n + ORBIT_SAMPLES * ((size_t)n + 1);
    double *d = rc == GD_OK ? gd_result_alloc(len, 0, NULL) : NULL;
    if (rc == GD_OK && !d) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) {
        out->dim = n, out->T = st.T, out->iterations = st.its, out->residual = st.res, out->npts = ORBIT_SAMPLES;
        out->x0 = d, out->mult_re = d + n, out->mult_im = d + 2 * n, out->monodromy = d + 3 * n;
        out->t = out->monodromy + (size_t)n * n, out->x = out->t + ORBIT_SAMPLES;
        out->analytic = s->model->type->jacobian != NULL;
        memcpy(out->x0, st.x, sizeof(double) * (size_t)n);
        memcpy(out->monodromy, st.M, sizeof(double) * (size_t)n * n);
        rc = field(&sh, st.x, st.f);
    }
    /* Where cycles come in a family (a centre), the shooting system is singular and its
     * minimum-norm steps can slide down the family onto the equilibrium, where phi_T(x) = x
     * holds for every T: that is no cycle. */
    if (rc == GD_OK && at_equilibrium(n, st.x, st.f))
        rc = gd_fmt(s->msg, GD_ESOLVER,
                    "orbit: Newton slid onto an equilibrium (|F| = %.3g at |x| = %.3g): the cycles near run.x0 are not isolated (a centre) or there are none",
                    gd_norm(n, st.f), gd_norm(n, st.x));
    if (rc == GD_OK && (rc = gd_floquet(n, st.M, st.f, out->mult_re, out->mult_im, &out->trivial_error)) != GD_OK)
        gd_fmt(s->msg, rc, "orbit: the Floquet multipliers failed");
    if (rc == GD_OK && !(out->trivial_error <= 1e-6))
        rc = gd_fmt(s->msg, GD_ESOLVER, "orbit: the trivial multiplier is off 1 by %.3g (> 1e-6): the monodromy is inaccurate", out->trivial_error);
    if (rc == GD_OK) {
        for (int i = 1; i < n; i++) out->unstable |= hypot(out->mult_re[i], out->mult_im[i]) > 1 + 1e-9;
        rc = sample(&sh, &st, out);
    }
    if (rc == GD_OK) measures(s, out);
    if (rc != GD_OK && d) gd_orbit_result_free(out);
    else if (rc != GD_OK) memset(out, 0, sizeof *out);
    free(w);
    shooter_close(&sh);
    return rc;
}

void gd_orbit_result_free(gd_orbit_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->x0);
}

int gd_sim_write_orbit(gd_sim *s, const char *path, const gd_orbit_result *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->x0) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_orbit: need a path and an orbit result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    int n = r->dim;
    hsize_t np = (hsize_t)r->npts, xd[2] = {(hsize_t)r->npts, (hsize_t)n}, md[2] = {(hsize_t)n, 2}, one = 1, nn[2] = {(hsize_t)n, (hsize_t)n}, dn = (hsize_t)n;
    double *mu = malloc(sizeof(double) * 2 * (size_t)n);
    if (!mu) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    for (int i = 0; mu && i < n; i++) mu[2 * i] = r->mult_re[i], mu[2 * i + 1] = r->mult_im[i];
    double v[4] = {r->residual, r->trivial_error, r->amplitude, r->mean_sq};
    if (rc == GD_OK) rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/t", 1, &np, r->t);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/x", 2, xd, r->x);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/T", 1, &one, &r->T);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/multipliers", 2, md, mu);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/monodromy", 2, nn, r->monodromy);
    if (rc == GD_OK) rc = gd_h5_write(f, "/orbit/x0", 1, &dn, r->x0);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/orbit", "iterations", r->iterations);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/orbit", "unstable", r->unstable);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/orbit", "analytic", r->analytic);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/orbit", "residual", 1, v);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/orbit", "trivial_error", 1, v + 1);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/orbit", "amplitude", 1, v + 2);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/orbit", "mean_sq", 1, v + 3);
    free(mu);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
