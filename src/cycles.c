/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Branches of periodic orbits born at Hopf points (`gandyn continue --cycles`,
 * docs/bifurcations.md "Periodic orbits of flows"). Unknowns y = (x0, T, p); equations
 * phi_T(x0; p) = x0 and the phase condition F(x_ref)^T (x0 - x_ref) = 0 with x_ref the last
 * point of the branch; pseudo-arclength with the step control of equilibrium branches. Test
 * functions: LPC (the tangent's p-component), PD (det(M + I)), NS (the product of
 * mu_i mu_j - 1 over pairs of non-trivial multipliers). The branch starts from the normal form
 * of the Hopf point: x0 = x* + 2 eps Re q, T = 2 pi / omega, p = p_c - eps^2 Re c1 / alpha'.
 * When l1 is degenerate (a conservative family: every orbit near x* closed) the cycles form a
 * vertical branch p = p_c: it is traced in the section form, x0 = x* + a u on a line through x*
 * (u = Re q) with the amplitude a as the parameter and unknowns (T, p) (and the section's other
 * coordinates in more than two dimensions).
 * A branch also starts from a periodic orbit (continuation.start = orbit: the cycle through
 * run.x0, polished by the shooting of src/orbit.c), traced both ways from it, and at a PD point
 * of a cycle branch the cycle of twice the period is switched onto: from x0 + eta q (q the
 * eigenvector of the multiplier -1) at 2T, corrected with its component along q fixed.
 */
#include "cycles_impl.h"
#include "gd_impl.h"
#include "orbit_impl.h"

#include <complex.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AMP_SAMPLES 32 /* orbit points over which a cycle's amplitude is the largest distance */

typedef struct {
    gd_sim *s;
    gd_model *m;
    const gd_param *row;
    gd_shooter *sh;
    int n, N;        /* state; unknowns (x0, T, p) */
    double p;        /* the value set (NaN: unknown) */
    const double *xeq; /* the Hopf point's equilibrium */
    double *xref, *fref;
    double lo, hi, ds0, dsmax, dsmin, xmax, tol, loctol;
    long max_steps;
    double *w; /* scratch: phi, f, phip, phim (n each), M (n x n), J (N x N), G (N) */
} cyc;

/* A point record: y (N), v (N), multipliers re, im (n), tau (3), amplitude, unstable, type. */
enum { TAU_LP, TAU_PD, TAU_NS };
static int rec_size(const cyc *C) { return 2 * C->N + 2 * C->n + 6; }
static double *r_v(const cyc *C, double *q) { return q + C->N; }
static double *r_re(const cyc *C, double *q) { return q + 2 * C->N; }
static double *r_tau(const cyc *C, double *q) { return q + 2 * C->N + 2 * C->n; }
#define R_AMP(C, q) (q)[2 * (C)->N + 2 * (C)->n + 3]
#define R_UNST(C, q) (q)[2 * (C)->N + 2 * (C)->n + 4]
#define R_TYPE(C, q) (q)[2 * (C)->N + 2 * (C)->n + 5]

static int set_p(cyc *C, double v)
{
    if (v == C->p) return GD_OK;
    C->p = NAN;
    int rc = gd_param_apply_double(C->row, C->m->opts, v, "model", C->s->msg);
    if (rc == GD_OK && (rc = gd_model_setup(C->m)) != GD_OK) gd_fmt(C->s->msg, rc, "continue: %s", C->m->msg);
    if (rc == GD_OK) rc = gd_shooter_refresh(C->sh);
    if (rc == GD_OK) C->p = v;
    return rc;
}

/* The phase condition through x (at the value set). */
static int set_ref(cyc *C, const double *y)
{
    int rc = set_p(C, y[C->n + 1]);
    memcpy(C->xref, y, sizeof(double) * (size_t)C->n);
    return rc == GD_OK ? gd_shooter_field(C->sh, C->xref, C->fref) : rc;
}

/* G(y) (n + 1) and, with J, its (n + 1) x N Jacobian (rows of N, row-major) and M. */
static int gfun(cyc *C, const double *y, double *G, double *J, double *M)
{
    int n = C->n, N = C->N, rc = set_p(C, y[n + 1]);
    double *phi = C->w, *f = phi + n, *pp = f + n, *pm = pp + n, p = y[n + 1], d = 1e-6 * fmax(1, fabs(p));
    if (rc == GD_OK) rc = gd_shooter_flow(C->sh, y, y[n], phi, J ? M : NULL);
    if (rc != GD_OK) return rc;
    for (int i = 0; i < n; i++) G[i] = phi[i] - y[i], G[n] = 0;
    for (int i = 0; i < n; i++) G[n] += C->fref[i] * (y[i] - C->xref[i]);
    if (!J) return GD_OK;
    if ((rc = gd_shooter_field(C->sh, phi, f)) == GD_OK && (rc = set_p(C, p + d)) == GD_OK) rc = gd_shooter_flow(C->sh, y, y[n], pp, NULL);
    if (rc == GD_OK && (rc = set_p(C, p - d)) == GD_OK) rc = gd_shooter_flow(C->sh, y, y[n], pm, NULL);
    if (rc == GD_OK) rc = set_p(C, p);
    for (int i = 0; i < n && rc == GD_OK; i++) {
        for (int j = 0; j < n; j++) J[i * N + j] = M[i * n + j] - (i == j);
        J[i * N + n] = f[i], J[i * N + n + 1] = (pp[i] - pm[i]) / (2 * d);
    }
    for (int j = 0; j < N; j++) J[n * N + j] = j < n ? C->fref[j] : 0;
    return rc;
}

/* Newton on [G; c.y = target] from y in place; *its the steps taken. */
static int correct(cyc *C, double *y, const double *c, double target, int *its)
{
    int n = C->n, N = C->N, rc = GD_OK;
    double *J = C->w + 4 * n + (size_t)n * n, *G = J + (size_t)N * N, *M = C->w + 4 * n, g0 = INFINITY, dy = INFINITY;
    for (*its = 0;; (*its)++) {
        if ((rc = gfun(C, y, G, J, M)) != GD_OK) return rc;
        /* the residual relative to the cycle's size: near the Hopf point (multiplier ~ 1) the
         * amplitude is 1 / (1 - mu) more sensitive to it than the residual is */
        double g = gd_norm(n + 1, G);
        double scale = fmin(fmax(1, gd_norm(n, y)), fmax(1e-3, gd_dist(n, y, C->xeq)));
        /* the last update small enough that Newton was quadratic: near a multiplier 1 (the start
         * at a Hopf point) the updates are only as accurate as phi_T over the gap to 1 */
        if (*its > 0 && g <= C->tol * scale && dy <= 1e-5 * fmax(1, gd_norm(N, y))) return GD_OK;
        if (!isfinite(g) || *its > 8 || (*its >= 2 && g > 2 * g0)) return GD_ESOLVER;
        g0 = g;
        memcpy(J + (size_t)(n + 1) * N, c, sizeof(double) * (size_t)N);
        for (int i = 0; i <= n; i++) G[i] = -G[i];
        G[n + 1] = target - gd_dot(N, c, y);
        if ((rc = gd_solve_minnorm(N, J, G)) != GD_OK) return rc;
        if (y[n] + G[n] <= 0) return GD_ESOLVER; /* the time-reversed orbit */
        for (int i = 0; i < N; i++) y[i] += G[i];
        dy = gd_norm(N, G);
    }
}

/* The largest |x(t) - x*| over AMP_SAMPLES points of the orbit through x0. */
static int amplitude(cyc *C, const double *y, double *amp)
{
    int n = C->n, rc = set_p(C, y[n + 1]);
    double *x = C->w, *nx = x + n;
    memcpy(x, y, sizeof(double) * (size_t)n);
    *amp = 0;
    for (int k = 0; k < AMP_SAMPLES && rc == GD_OK; k++) {
        *amp = fmax(*amp, gd_dist(n, x, C->xeq));
        if ((rc = gd_shooter_flow(C->sh, x, y[n] / AMP_SAMPLES, nx, NULL)) == GD_OK) memcpy(x, nx, sizeof(double) * (size_t)n);
    }
    return rc;
}

/* The tangent (null vector of the (n + 1) x N Jacobian J, via the SVD of J with a zero row). */
static int tangent(cyc *C, const double *J, double *v)
{
    int N = C->N;
    double *A = calloc(3 * (size_t)N * (size_t)N, sizeof(double)), *Vt = A + (size_t)N * N, *sv = Vt + (size_t)N * N, *sup = sv + N;
    if (!A) return GD_ENOMEM;
    memcpy(A, J, sizeof(double) * (size_t)(N - 1) * (size_t)N);
    int pin = gd_blas_serial_begin(N);
    lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'A', N, N, A, N, sv, NULL, 1, Vt, N, sup);
    gd_blas_serial_end(pin);
    if (info == 0) memcpy(v, Vt + (size_t)(N - 1) * N, sizeof(double) * (size_t)N);
    free(A);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

/* Everything about the corrected point y into q: tangent oriented along vref (NULL: growing
 * amplitude), multipliers, tests, amplitude. */
static int analyse(cyc *C, const double *y, const double *vref, double *q)
{
    int n = C->n, N = C->N;
    double *M = C->w + 4 * n, *J = M + (size_t)n * n, *G = J + (size_t)N * N, *f = C->w + n;
    memmove(q, y, sizeof(double) * (size_t)N);
    double *v = r_v(C, q), *re = r_re(C, q), *im = re + n, *tau = r_tau(C, q), err;
    /* the tangent under the phase condition through the point itself: the one the next step's
     * corrector uses (another reference tilts the x-part along F and fakes a turn) */
    int rc = set_ref(C, q);
    if (rc == GD_OK) rc = gfun(C, q, G, J, M);
    if (rc == GD_OK) rc = tangent(C, J, v);
    double orient = 0;
    for (int i = 0; rc == GD_OK && i < N; i++) orient += vref ? v[i] * vref[i] : i < n ? v[i] * (q[i] - C->xeq[i]) : 0;
    for (int i = 0; orient < 0 && i < N; i++) v[i] = -v[i];
    if (rc == GD_OK) rc = gd_shooter_field(C->sh, q, f);
    if (rc == GD_OK) rc = gd_floquet(n, M, f, re, im, &err);
    if (rc != GD_OK) return rc;
    double complex pd = 1, ns = 1;
    int unst = 0;
    for (int i = 0; i < n; i++) pd *= re[i] + I * im[i] + 1;
    for (int i = 1; i < n; i++) {
        unst += hypot(re[i], im[i]) > 1 + 1e-9;
        for (int j = i + 1; j < n; j++) ns *= (re[i] + I * im[i]) * (re[j] + I * im[j]) - 1;
    }
    tau[TAU_LP] = v[n + 1], tau[TAU_PD] = creal(pd), tau[TAU_NS] = n > 2 ? creal(ns) : NAN;
    R_UNST(C, q) = unst, R_TYPE(C, q) = GD_PT_REGULAR;
    return amplitude(C, q, &R_AMP(C, q));
}

/* ---------------------------------------------------------------- the branch -------- */
static int push(gd_cycle_branch *B, const double *q, int D)
{
    if (B->npts == B->cap) {
        int nc = B->cap ? 2 * B->cap : 64;
        double *r = realloc(B->rec, sizeof(double) * (size_t)nc * (size_t)D);
        if (!r) return GD_ENOMEM;
        B->rec = r, B->cap = nc;
    }
    memcpy(B->rec + (size_t)B->npts++ * D, q, sizeof(double) * (size_t)D);
    return GD_OK;
}

/* Illinois secant on the arclength from qa to qb for a zero of test t; the point into out. */
static int locate(cyc *C, const double *qa, const double *qb, int t, double *out)
{
    int N = C->N, its, rc = set_ref(C, qa);
    const double *va = r_v(C, (double *)qa);
    double *y = malloc(sizeof(double) * (size_t)N), sab = 0;
    if (!y) return GD_ENOMEM;
    for (int i = 0; i < N; i++) sab += va[i] * (qb[i] - qa[i]);
    double sa = 0, sb = sab, fa = r_tau(C, (double *)qa)[t], fb = r_tau(C, (double *)qb)[t];
    for (int it = 0, side = 0; it < 80 && rc == GD_OK; it++) {
        double s = it % 3 == 2 ? 0.5 * (sa + sb) : (sa * fb - sb * fa) / (fb - fa);
        if (!(s > fmin(sa, sb) && s < fmax(sa, sb))) s = 0.5 * (sa + sb);
        for (int i = 0; i < N; i++) y[i] = qa[i] + s / sab * (qb[i] - qa[i]);
        rc = set_ref(C, qa);
        if (rc == GD_OK) rc = correct(C, y, va, gd_dot(N, va, qa) + s, &its);
        if (rc == GD_OK) rc = analyse(C, y, va, out);
        double fs = rc == GD_OK ? r_tau(C, out)[t] : NAN;
        if (rc != GD_OK || fs == 0) break;
        if ((fs > 0) == (fb > 0)) sb = s, fb = fs, fa *= side == -1 ? 0.5 : 1, side = -1;
        else sa = s, fa = fs, fb *= side == 1 ? 0.5 : 1, side = 1;
        if (fabs(sb - sa) <= 0.1 * C->loctol * fmax(1, fabs(out[C->n + 1]))) break;
    }
    free(y);
    static const int types[3] = {GD_PT_LP, GD_PT_PD, GD_PT_NS};
    if (rc == GD_OK) R_TYPE(C, out) = types[t];
    return rc;
}

/* One step from the last point: predictor, corrector (landing on a bound of p), analysis. */
static int step(cyc *C, const double *last, double ds, double *y, double *q, int *its, int *landed)
{
    int n = C->n, N = C->N, rc = set_ref(C, last);
    const double *v = r_v(C, (double *)last);
    *landed = 0;
    for (int i = 0; i < N; i++) y[i] = last[i] + ds * v[i];
    if (rc == GD_OK && (y[n + 1] > C->hi || y[n + 1] < C->lo)) {
        double b = y[n + 1] > C->hi ? C->hi : C->lo, f = (b - last[n + 1]) / (y[n + 1] - last[n + 1]);
        double *c = C->w + 4 * n + (size_t)n * n + (size_t)N * N + N; /* free scratch after G */
        for (int i = 0; i < N; i++) y[i] = last[i] + f * (y[i] - last[i]), c[i] = i == n + 1;
        y[n + 1] = b, *landed = 1;
        rc = correct(C, y, c, b, its);
        y[n + 1] = b;
    } else if (rc == GD_OK) {
        rc = correct(C, y, v, gd_dot(N, v, last) + ds, its);
    }
    return rc == GD_OK ? analyse(C, y, v, q) : rc;
}

/* Trace from the analysed first point q0 along its tangent; then locate the tests' zeros. */
static int trace(cyc *C, const double *q0, gd_cycle_branch *B)
{
    int N = C->N, n = C->n, D = rec_size(C), rc = push(B, q0, D);
    double *y = malloc(sizeof(double) * ((size_t)N + (size_t)D)), *q = y + N, ds = C->ds0, amp0 = R_AMP(C, q0), T0 = q0[n];
    if (!y || rc != GD_OK) return free(y), GD_ENOMEM;
    B->stop = "max_steps";
    for (long k = 0; k < C->max_steps;) {
        const double *last = B->rec + (size_t)(B->npts - 1) * D;
        if (fabs(last[n + 1] - C->lo) <= 1e-14 * fmax(1, fabs(C->lo)) && k > 0 && r_v(C, (double *)last)[n + 1] < 0) { B->stop = "bound"; break; }
        if (fabs(last[n + 1] - C->hi) <= 1e-14 * fmax(1, fabs(C->hi)) && k > 0 && r_v(C, (double *)last)[n + 1] > 0) { B->stop = "bound"; break; }
        int its = 0, landed;
        rc = step(C, last, ds, y, q, &its, &landed);
        if (rc == GD_ENOMEM) break;
        double turn = rc == GD_OK ? gd_dot(N, r_v(C, q), r_v(C, (double *)last)) : -1;
        if (rc != GD_OK || its > 8 || turn < cos(10 * M_PI / 180)) {
            rc = GD_OK;
            if ((ds *= 0.5) < C->dsmin) { B->stop = "stalled"; break; }
            continue;
        }
        if ((rc = push(B, q, D)) != GD_OK) break;
        k++;
        if (landed) { B->stop = "bound"; break; }
        if (R_AMP(C, q) > C->xmax) { B->stop = "x_max"; break; }
        if (R_AMP(C, q) < 0.1 * amp0) { B->stop = "equilibrium"; break; } /* shrunk back onto a Hopf point */
        if (q[n] > 1e3 * T0) { B->stop = "period"; break; }                  /* towards a homoclinic orbit */
        if (its <= 3) ds = fmin(1.3 * ds, C->dsmax);
    }
    free(y);
    return rc;
}

/* A located zero of test t is a bifurcation only where its multipliers say so: PD a
 * non-trivial multiplier -1, NS a complex pair on the unit circle (the NS product also
 * vanishes at a real pair mu, 1/mu: a neutral saddle, which changes no stability). */
static int confirmed(const cyc *C, double *q, int t)
{
    const double *re = r_re(C, q), *im = re + C->n;
    for (int i = 1; i < C->n && t != TAU_LP; i++) {
        double complex m = re[i] + I * im[i];
        if (t == TAU_PD && cabs(m + 1) < 1e-6) return 1;
        if (t == TAU_NS && fabs(im[i]) > 1e-9 * cabs(m) && fabs(cabs(m) - 1) < 1e-6) return 1;
    }
    return t == TAU_LP;
}

/* Locate every sign change of the tests and insert the special points in arclength order. */
static int detect(cyc *C, gd_cycle_branch *B)
{
    int D = rec_size(C), rc = GD_OK;
    gd_cycle_branch out = {0};
    double *q = malloc(sizeof(double) * (size_t)D);
    if (!q) return GD_ENOMEM;
    for (int i = 0; i < B->npts && rc == GD_OK; i++) {
        double *b = B->rec + (size_t)i * D, *a = i ? b - D : NULL;
        for (int t = 0; a && t < 3 && rc == GD_OK; t++) {
            double ta = r_tau(C, a)[t], tb = r_tau(C, b)[t];
            if (!isfinite(ta) || !isfinite(tb) || (ta > 0) == (tb > 0) || ta == 0) continue;
            if (locate(C, a, b, t, q) == GD_OK && confirmed(C, q, t)) rc = push(&out, q, D);
        }
        if (rc == GD_OK) rc = push(&out, b, D);
    }
    free(q);
    if (rc == GD_OK) free(B->rec), B->rec = out.rec, B->npts = out.npts, B->cap = out.cap;
    else free(out.rec);
    return rc;
}

/* ---------------------------------------------------------------- the Hopf start ---- */
/* q with J q = i omega q, <q, q> = 1; *alpha = d Re lambda / dp along the equilibria. */
static int hopf_data(cyc *C, const double *xeq, double pc, double omega, double complex *q, double *alpha)
{
    int n = C->n, rc = set_p(C, pc);
    double *J = malloc(sizeof(double) * ((size_t)n * n * 3 + 3 * (size_t)n)), *V = J + (size_t)n * n, *wr = V + 2 * (size_t)n * n, *wi = wr + n, *x = wi + n;
    if (!J) return GD_ENOMEM;
    if (rc == GD_OK) rc = gd_model_jacobian(C->m, xeq, J);
    if (rc == GD_OK) rc = gd_eigenvectors(n, J, wr, wi, V);
    int best = 0;
    for (int k = 0; rc == GD_OK && k < n; k++)
        if (cabs(wr[k] + I * wi[k] - I * omega) < cabs(wr[best] + I * wi[best] - I * omega)) best = k;
    double nq = 0;
    for (int i = 0; rc == GD_OK && i < n; i++) q[i] = V[2 * ((size_t)i * n + best)] + I * V[2 * ((size_t)i * n + best) + 1], nq += creal(conj(q[i]) * q[i]);
    for (int i = 0; rc == GD_OK && i < n; i++) q[i] /= sqrt(nq);
    double d = 1e-4 * fmax(1, fabs(pc)), re[2] = {0, 0};
    for (int side = 0; side < 2 && rc == GD_OK; side++) {
        if ((rc = set_p(C, pc + (side ? -d : d))) == GD_OK && (rc = gd_model_find_equilibrium(C->m, xeq, x)) == GD_OK && (rc = gd_model_jacobian(C->m, x, J)) == GD_OK)
            rc = gd_eigenvalues(n, J, wr, wi);
        best = 0;
        for (int k = 0; rc == GD_OK && k < n; k++)
            if (cabs(wr[k] + I * wi[k] - I * omega) < cabs(wr[best] + I * wi[best] - I * omega)) best = k;
        re[side] = wr[best];
    }
    *alpha = (re[0] - re[1]) / (2 * d);
    free(J);
    return rc == GD_OK ? set_p(C, pc) : rc;
}

/* The first cycle, eps from x* along Re q: corrected with its component along Re q fixed. */
static int first_cycle(cyc *C, const gd_cycle_start *H, const double complex *q, double alpha, double *q0)
{
    int n = C->n, N = C->N, its;
    double eps = 1e-3 * fmax(1, gd_norm(n, H->x)), *y = malloc(sizeof(double) * 2 * (size_t)N), *c = y + N, nu = 0;
    if (!y) return GD_ENOMEM;
    for (int i = 0; i < n; i++) y[i] = H->x[i] + 2 * eps * creal(q[i]), c[i] = creal(q[i]), nu += c[i] * c[i];
    for (int i = 0; i < n; i++) c[i] /= sqrt(nu);
    y[n] = 2 * M_PI / H->omega, y[n + 1] = H->p - eps * eps * H->c1re / alpha, c[n] = c[n + 1] = 0;
    int rc = set_ref(C, y);
    if (rc == GD_OK) rc = correct(C, y, c, gd_dot(N, c, y), &its);
    if (rc == GD_OK) rc = analyse(C, y, NULL, q0);
    free(y);
    return rc;
}

/* ---------------------------------------------------------------- vertical families - */
/* x0 = x* + a u + E w, E an orthonormal basis of the complement of {u, F(x* + a u)}:
 * unknowns z = (w [n - 2], T, p), equations phi_T(x0) = x0. Newton from z in place. */
static int section_point(cyc *C, const double *u, double a, double *z, double *x0, double *M)
{
    int n = C->n, m = n - 2;
    double *E = malloc(sizeof(double) * ((size_t)n * n + (size_t)n * n + 5 * (size_t)n)), *A = E + (size_t)n * n, *b = A + (size_t)n * n, *phi = b + n, *f = phi + n, *pp = f + n, *pm = pp + n;
    if (!E) return GD_ENOMEM;
    int rc = GD_OK, done = 0;
    for (int it = 0; rc == GD_OK; it++) {
        double p = z[n - 1], T = z[n - 2], d = 1e-6 * fmax(1, fabs(p));
        if ((rc = set_p(C, p)) != GD_OK) break;
        for (int i = 0; i < n; i++) x0[i] = C->xeq[i] + a * u[i];
        if ((rc = gd_shooter_field(C->sh, x0, f)) != GD_OK) break;
        /* E: Gram-Schmidt of the unit vectors against u, f and each other */
        int k = 0;
        for (int e = 0; e < n && k < m; e++) {
            double *col = E + (size_t)k * n, nb;
            for (int i = 0; i < n; i++) col[i] = i == e;
            for (int pass = 0; pass < 2; pass++) {
                const double *basis[2] = {u, f};
                for (int j = 0; j < 2; j++) {
                    double pr = gd_dot(n, col, basis[j]) / gd_dot(n, basis[j], basis[j]);
                    for (int i = 0; i < n; i++) col[i] -= pr * basis[j][i];
                }
                for (int j = 0; j < k; j++) {
                    double pr = gd_dot(n, col, E + (size_t)j * n);
                    for (int i = 0; i < n; i++) col[i] -= pr * E[(size_t)j * n + i];
                }
            }
            if ((nb = gd_norm(n, col)) > 1e-3) {
                for (int i = 0; i < n; i++) col[i] /= nb;
                k++;
            }
        }
        for (int j = 0; j < m; j++)
            for (int i = 0; i < n; i++) x0[i] += E[(size_t)j * n + i] * z[j];
        if ((rc = gd_shooter_flow(C->sh, x0, T, phi, M)) != GD_OK) break;
        double res = 0;
        for (int i = 0; i < n; i++) b[i] = x0[i] - phi[i], res += b[i] * b[i];
        /* one more step after the tolerance: p is then exact to the integration's accuracy */
        if (done) break;
        done = sqrt(res) <= C->tol * fmax(1, gd_norm(n, x0)) && it > 0;
        if (it > 12) { rc = GD_ESOLVER; break; }
        if ((rc = gd_shooter_field(C->sh, phi, f)) != GD_OK || (rc = set_p(C, p + d)) != GD_OK || (rc = gd_shooter_flow(C->sh, x0, T, pp, NULL)) != GD_OK ||
            (rc = set_p(C, p - d)) != GD_OK || (rc = gd_shooter_flow(C->sh, x0, T, pm, NULL)) != GD_OK || (rc = set_p(C, p)) != GD_OK)
            break;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int l = 0; l < n; l++) s += (M[i * n + l] - (i == l)) * E[(size_t)j * n + l];
                A[i * n + j] = s;
            }
            A[i * n + m] = f[i], A[i * n + m + 1] = (pp[i] - pm[i]) / (2 * d);
        }
        if ((rc = gd_solve_minnorm(n, A, b)) != GD_OK) break;
        for (int i = 0; i < n; i++) z[i] += b[i];
        if (!(z[n - 2] > 0)) rc = GD_ESOLVER;
    }
    free(E);
    return rc;
}

/* The vertical branch from amplitude eps to continuation.x_max (landing on it), steps growing
 * by 1.3 up to ds_max after easy corrections and halving after failures. */
static int vertical(cyc *C, const gd_cycle_start *H, const double complex *q, gd_cycle_branch *B)
{
    int n = C->n, N = C->N, D = rec_size(C), big = 0;
    double *u = malloc(sizeof(double) * (3 * (size_t)n + (size_t)D + (size_t)n * n + n)), *x0 = u + n, *z = x0 + n, *rec = z + n, *M = rec + D, *f = M + (size_t)n * n;
    if (!u) return GD_ENOMEM;
    for (int i = 0; i < n; i++) u[i] = creal(q[i]), big = fabs(u[i]) > fabs(u[big]) ? i : big;
    double nu = gd_norm(n, u) * (u[big] < 0 ? -1 : 1), a = 1e-3 * fmax(1, gd_norm(n, H->x)), da = a, err;
    for (int i = 0; i < n; i++) u[i] /= nu;
    memset(z, 0, sizeof(double) * (size_t)n);
    z[n - 2] = 2 * M_PI / H->omega, z[n - 1] = H->p;
    int rc = GD_OK;
    B->stop = "max_steps";
    /* z_k at the last accepted amplitude a_k, z_{k-1} at a_{k-1}: a secant predictor in a */
    double zs[128], *zk = zs, *zp = zs + 64, ak = NAN, ap = NAN;
    if (n > 64) rc = GD_ENOMEM;
    for (long k = 0; k < C->max_steps && rc == GD_OK;) {
        int land = k > 0 && ak + da >= C->xmax;
        a = k == 0 ? a : land ? C->xmax : ak + da;
        for (int i = 0; k > 0 && i < n; i++) z[i] = zk[i] + (k > 1 ? (zk[i] - zp[i]) * (a - ak) / (ak - ap) : 0);
        if (section_point(C, u, a, z, x0, M) != GD_OK) {
            if (k == 0 || (da *= 0.5) < C->dsmin) { B->stop = "stalled"; break; }
            continue;
        }
        memcpy(zp, zk, sizeof(double) * (size_t)n), ap = ak;
        memcpy(zk, z, sizeof(double) * (size_t)n), ak = a;
        memset(rec, 0, sizeof(double) * (size_t)D);
        memcpy(rec, x0, sizeof(double) * (size_t)n);
        rec[n] = z[n - 2], rec[n + 1] = z[n - 1], r_v(C, rec)[n + 1] = 0;
        for (int i = 0; i < n; i++) r_v(C, rec)[i] = u[i];
        if ((rc = gd_shooter_field(C->sh, x0, f)) == GD_OK) rc = gd_floquet(n, M, f, r_re(C, rec), r_re(C, rec) + n, &err);
        for (int t = 0; t < 3; t++) r_tau(C, rec)[t] = NAN;
        for (int i = 1; rc == GD_OK && i < n; i++) R_UNST(C, rec) += hypot(r_re(C, rec)[i], r_re(C, rec)[n + i]) > 1 + 1e-9;
        if (rc == GD_OK) rc = amplitude(C, rec, &R_AMP(C, rec));
        if (rc == GD_OK) rc = push(B, rec, D);
        k++;
        if (land) { B->stop = "x_max"; break; }
        if (rec[n] > 1e3 * 2 * M_PI / H->omega) { B->stop = "period"; break; }
        da = fmin(1.3 * da, C->dsmax);
    }
    (void)N;
    free(u);
    return rc;
}

/* ---------------------------------------------------------------- entry ------------- */
/* C on s for the model key `key`, its workspace and its shooter; xeq (n) is C's to keep. */
static int cyc_open(cyc *C, gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, const double *xeq, gd_cycle_branch *B)
{
    memset(B, 0, sizeof *B);
    *C = (cyc){.s = s, .m = s->model, .n = s->model->dim, .p = NAN, .xeq = xeq, .lo = lo, .hi = hi, .ds0 = o->ds0, .dsmax = o->dsmax,
               .dsmin = o->dsmin, .xmax = o->xmax, .tol = fmax(o->newton_tol, 1e-9), .loctol = o->loctol, .max_steps = o->max_steps};
    C->N = C->n + 2, B->dim = C->n, B->D = rec_size(C), B->stop_first = "start";
    const char *name = strchr(key, '.') ? strchr(key, '.') + 1 : key;
    if (strncmp(key, "model.", 6) != 0 || !(C->row = gd_param_find(s->model->type->params, name)))
        return gd_fmt(s->msg, GD_EUSAGE, "continue --cycles: %s is not a model key", key);
    int n = C->n, N = C->N, rc = GD_OK;
    size_t nw = 4 * (size_t)n + (size_t)n * n + (size_t)N * N + 2 * (size_t)N + 2 * (size_t)n;
    if (!(C->w = malloc(sizeof(double) * nw))) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    C->xref = C->w + nw - 2 * (size_t)n, C->fref = C->xref + n;
    C->sh = gd_shooter_open(s, &rc);
    return rc;
}

static int cyc_close(cyc *C, gd_cycle_branch *B, int rc)
{
    gd_shooter_close(C->sh);
    free(C->w);
    if (rc != GD_OK) free(B->rec), B->rec = NULL, B->npts = 0;
    return rc;
}

int gd_cycle_branch_trace(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, const gd_cycle_start *H, gd_cycle_branch *B)
{
    cyc C;
    int rc = cyc_open(&C, s, key, lo, hi, o, H->x, B), n = C.n;
    double complex *q = malloc(sizeof *q * (size_t)n);
    double *q0 = malloc(sizeof(double) * (size_t)B->D), alpha = NAN;
    if (rc == GD_OK && (!q || !q0)) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) rc = hopf_data(&C, H->x, H->p, H->omega, q, &alpha);
    B->vertical = H->degenerate;
    if (rc == GD_OK && H->degenerate) rc = vertical(&C, H, q, B);
    else if (rc == GD_OK) {
        if (!(fabs(alpha) > 0)) rc = gd_fmt(s->msg, GD_ESOLVER, "continue --cycles: the Hopf pair does not cross transversally (d Re lambda / dp = %g)", alpha);
        if (rc == GD_OK && (rc = first_cycle(&C, H, q, alpha, q0)) != GD_OK) gd_fmt(s->msg, rc, "continue --cycles: no cycle found near the Hopf point at %.10g", H->p);
        if (rc == GD_OK) rc = trace(&C, q0, B);
        if (rc == GD_OK) rc = detect(&C, B);
    }
    free(q), free(q0);
    return cyc_close(&C, B, rc);
}

/* ---------------------------------------------------------------- other starts ------ */
/* The record's tangent turned round (and with it the LPC test, its p-component). */
static void turn(const cyc *C, double *q)
{
    for (int j = 0; j < C->N; j++) r_v(C, q)[j] = -r_v(C, q)[j];
    r_tau(C, q)[TAU_LP] = -r_tau(C, q)[TAU_LP];
}

/* B = the points of back (after its first, reversed, tangents turned round), then fwd. */
static int join(const cyc *C, gd_cycle_branch *back, gd_cycle_branch *fwd, gd_cycle_branch *B)
{
    int D = rec_size(C), rc = GD_OK;
    for (int i = back->npts - 1; i >= 1 && rc == GD_OK; i--) {
        double *q = back->rec + (size_t)i * D;
        turn(C, q);
        rc = push(B, q, D);
    }
    for (int i = 0; i < fwd->npts && rc == GD_OK; i++) rc = push(B, fwd->rec + (size_t)i * D, D);
    B->stop_first = back->stop, B->stop = fwd->stop;
    return rc;
}

/* From the analysed point q0 both ways (its tangent first, then the reverse), joined. */
static int trace_both(cyc *C, double *q0, gd_cycle_branch *B)
{
    gd_cycle_branch fwd = {0}, back = {0};
    int rc = trace(C, q0, &fwd);
    turn(C, q0);
    if (rc == GD_OK) rc = trace(C, q0, &back);
    if (rc == GD_OK) rc = join(C, &back, &fwd, B);
    free(fwd.rec), free(back.rec);
    return rc == GD_OK ? detect(C, B) : rc;
}

int gd_cycle_branch_from_orbit(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, gd_cycle_branch *B)
{
    gd_orbit_result orb;
    int n = s->model->dim, rc = gd_orbit_from(s, s->starts, NAN, &orb);
    double *xc = calloc((size_t)n + 2 * ((size_t)n + 2), sizeof(double)), *y = xc + n, *c = y + n + 2, *q0 = NULL;
    if (rc != GD_OK) {
        char why[GD_MSG_LEN];
        snprintf(why, sizeof why, "%s", s->msg);
        return free(xc), gd_fmt(s->msg, rc, "continue --from orbit: %s", why);
    }
    if (!xc) return gd_orbit_result_free(&orb), gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    /* the amplitude of a cycle is measured from the first orbit's centroid */
    for (int k = 0; k < orb.npts; k++)
        for (int i = 0; i < n; i++) xc[i] += orb.x[(size_t)k * n + i] / orb.npts;
    cyc C;
    rc = cyc_open(&C, s, key, lo, hi, o, xc, B);
    if (rc == GD_OK) {
        memcpy(y, orb.x0, sizeof(double) * (size_t)n);
        y[n] = orb.T, y[n + 1] = *(const double *)((const char *)s->model->opts + C.row->offset), c[n + 1] = 1;
        if (!(lo <= y[n + 1] && y[n + 1] <= hi))
            rc = gd_fmt(s->msg, GD_EUSAGE, "continue --from orbit: the branch starts at %s = %.10g, outside [%.10g, %.10g]", key, y[n + 1], lo, hi);
    }
    int its;
    if (rc == GD_OK && !(q0 = malloc(sizeof(double) * (size_t)B->D))) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && (rc = set_ref(&C, y)) == GD_OK && (rc = correct(&C, y, c, y[n + 1], &its)) != GD_OK)
        gd_fmt(s->msg, rc, "continue --from orbit: the orbit through run.x0 (T = %.10g) does not correct as a point of the branch", orb.T);
    if (rc == GD_OK) rc = analyse(&C, y, NULL, q0);
    /* the first half towards growing p */
    if (rc == GD_OK && r_v(&C, q0)[n + 1] < 0) turn(&C, q0);
    if (rc == GD_OK) rc = trace_both(&C, q0, B);
    gd_orbit_result_free(&orb);
    free(q0);
    rc = cyc_close(&C, B, rc);
    free(xc);
    return rc;
}

/* The eigenvector of M whose eigenvalue is nearest -1 (real), normalised, into v. */
static int flip_vector(int n, const double *M, double *v)
{
    double *V = malloc(sizeof(double) * (2 * (size_t)n * n + 2 * (size_t)n)), *wr = V + 2 * (size_t)n * n, *wi = wr + n;
    if (!V) return GD_ENOMEM;
    int rc = gd_eigenvectors(n, M, wr, wi, V), best = 0;
    for (int k = 1; rc == GD_OK && k < n; k++)
        if (cabs(wr[k] + I * wi[k] + 1) < cabs(wr[best] + I * wi[best] + 1)) best = k;
    double nv = 0;
    for (int i = 0; rc == GD_OK && i < n; i++) v[i] = V[2 * ((size_t)i * n + best)], nv += v[i] * v[i];
    for (int i = 0; rc == GD_OK && i < n; i++) v[i] /= sqrt(nv);
    if (rc == GD_OK && !(nv > 0 && fabs(wi[best]) == 0)) rc = GD_ESOLVER;
    free(V);
    return rc;
}

/* xc = the centroid of AMP_SAMPLES points of the orbit through y. */
static int centroid(cyc *C, const double *y, double *xc)
{
    int n = C->n, rc = set_p(C, y[n + 1]);
    double *x = C->w, *nx = x + n;
    memcpy(x, y, sizeof(double) * (size_t)n);
    memset(xc, 0, sizeof(double) * (size_t)n);
    for (int k = 0; k < AMP_SAMPLES && rc == GD_OK; k++) {
        for (int i = 0; i < n; i++) xc[i] += x[i] / AMP_SAMPLES;
        if ((rc = gd_shooter_flow(C->sh, x, y[n] / AMP_SAMPLES, nx, NULL)) == GD_OK) memcpy(x, nx, sizeof(double) * (size_t)n);
    }
    return rc;
}

int gd_cycle_branch_doubled(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, const gd_cycle_branch *P, int index, gd_cycle_branch *B)
{
    cyc C;
    int n = s->model->dim, N = n + 2, its;
    const double *pd = P->rec + (size_t)index * P->D;
    double *y = calloc(2 * (size_t)N + 2 * (size_t)n + (size_t)P->D, sizeof(double)), *c = y + N, *qv = c + N, *xc = qv + n, *q0 = xc + n;
    double eta = 1e-3 * fmax(1, gd_norm(n, pd));
    if (!y) return memset(B, 0, sizeof *B), gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    int rc = cyc_open(&C, s, key, lo, hi, o, xc, B);
    double *M = C.w + 4 * n, *G = M + (size_t)n * n + (size_t)N * N;
    /* amplitudes from the centroid of the cycle at the PD point, run once */
    if (rc == GD_OK) rc = centroid(&C, pd, xc);
    if (rc == GD_OK && (rc = set_ref(&C, pd)) == GD_OK && (rc = gfun(&C, pd, G, M + (size_t)n * n, M)) == GD_OK && (rc = flip_vector(n, M, qv)) != GD_OK)
        gd_fmt(s->msg, rc, "continue --cycles: no real multiplier -1 at the PD point %s = %.10g", key, pd[n + 1]);
    for (int i = 0; rc == GD_OK && i < N; i++) y[i] = pd[i] + (i < n ? eta * qv[i] : 0), c[i] = i < n ? qv[i] : 0;
    if (rc == GD_OK) y[n] = 2 * pd[n], rc = set_ref(&C, y);
    if (rc == GD_OK && (rc = correct(&C, y, c, gd_dot(N, c, y), &its)) != GD_OK)
        gd_fmt(s->msg, rc, "continue --cycles: no cycle of period 2T found next to the PD point at %s = %.10g", key, pd[n + 1]);
    if (rc == GD_OK) rc = analyse(&C, y, NULL, q0);
    /* away from the cycle run twice: growing component along q */
    if (rc == GD_OK && gd_dot(n, r_v(&C, q0), qv) < 0) turn(&C, q0);
    if (rc == GD_OK) rc = trace(&C, q0, B);
    if (rc == GD_OK) rc = detect(&C, B);
    rc = cyc_close(&C, B, rc);
    free(y);
    return rc;
}

void gd_cycle_point(const gd_cycle_branch *B, int i, gd_cycle_view *v)
{
    int n = B->dim, N = n + 2;
    const double *q = B->rec + (size_t)i * B->D;
    v->x = q, v->T = q[n], v->p = q[n + 1], v->re = q + 2 * N, v->im = q + 2 * N + n;
    v->amplitude = q[2 * N + 2 * n + 3], v->unstable = (int)q[2 * N + 2 * n + 4], v->type = (int)q[2 * N + 2 * n + 5];
}
