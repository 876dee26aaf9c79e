/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Continuation in one parameter (`gandyn continue`, docs/bifurcations.md): pseudo-arclength
 * branches of equilibria of a flow (G = F(x; p), the cvode integrator) and of fixed and
 * period-k points of a fixed-step rule's map (G = Phi^k(x; p) - x, its Jacobian the product
 * of the rule's one-iteration Jacobians); test functions for fold (LP), branch point (BP),
 * Hopf (H), period doubling (PD) and Neimark-Sacker (NS), located by an Illinois secant on
 * the arclength; normal-form coefficients by central differences of F or of the map; branch
 * switching at BP, PD and the 1:2 resonance of an odd map.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "cycles_impl.h"
#include "sim_impl.h"

#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- [continuation] */
struct continuation_opts {
    double ds, ds_min, ds_max;
    long max_steps;
    double newton_tol, loc_tol, x_max;
    long period;
    int start; /* 0 auto, 1 equilibrium, 2 x0, 3 orbit */
    long branches;
    int shooting; /* 0 auto, 1 single, 2 multiple */
    long cycles; /* 1: a branch of periodic orbits from every Hopf point (src/cycles.c) */
};

static const char *const start_names[] = {"auto", "equilibrium", "x0", "orbit", NULL};
enum { START_ORBIT = 3 };
static const char *const shooting_names[] = {"auto", "single", "multiple", NULL};
#define C(f) offsetof(continuation_opts, f)
static const gd_param continuation_params[] = {
    {"ds", GD_P_DOUBLE, C(ds), "", "first arclength step (empty: (hi - lo) / 100)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"ds_min", GD_P_DOUBLE, C(ds_min), "1e-8", "a branch stops as stalled when the step falls below this", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"ds_max", GD_P_DOUBLE, C(ds_max), "", "largest arclength step (empty: (hi - lo) / 10)", 0, INFINITY, GD_PF_LO_OPEN | GD_PF_EMPTY, NULL},
    {"max_steps", GD_P_INT, C(max_steps), "1000", "steps per direction of each branch", 1, 1e7, 0, NULL},
    {"newton_tol", GD_P_DOUBLE, C(newton_tol), "1e-10", "corrector: |G| <= tol max(1, |x|) and |dy| <= tol max(1, |y|)", 0, 1e-2, GD_PF_LO_OPEN, NULL},
    {"loc_tol", GD_P_DOUBLE, C(loc_tol), "1e-10", "special points are located to an arclength bracket of loc_tol max(1, |p|)", 0, 1e-2, GD_PF_LO_OPEN, NULL},
    {"x_max", GD_P_DOUBLE, C(x_max), "1e6", "a branch stops where |x| exceeds this", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"period", GD_P_INT, C(period), "1", "k: points of period k of the map (fixed-step rules without history)", 1, 64, 0, NULL},
    {"start", GD_P_ENUM, C(start), "auto", "first point: auto (the model's equilibrium for period 1 when it has one, else Newton from run.x0) | equilibrium | x0 | orbit (flows: the branch of the periodic orbit through run.x0, --from orbit)", 0, 0, 0, start_names},
    {"branches", GD_P_INT, C(branches), "8", "at most this many branches, those switched onto at BP, PD and R2 included (1: no switching)", 1, 64, 0, NULL},
    {"shooting", GD_P_ENUM, C(shooting), "auto", "period-k points: single (Newton on Phi^k(x) = x) | multiple (the cyclic system x_i+1 = Phi(x_i)) | auto (multiple for k > 8)", 0, 0, 0, shooting_names},
    {"cycles", GD_P_INT, C(cycles), "0", "1: continue the periodic orbits born at every Hopf point of a flow (branches of kind cycle; --cycles)", 0, 1, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef C
const gd_section gd_section_continuation = {"continuation", continuation_params, sizeof(continuation_opts), offsetof(gd_sim, continuation)};

/* ---------------------------------------------------------------- the problem --- */
/* FLOW: G = F (cvode); MAP: G = Phi^k - x; ANTI: G = Phi^k + x (symmetric orbits of an odd
 * map, period 2k); HIST: a rule with history (optimistic, momentum, ...) whose fixed points
 * are equilibria: G = F, multipliers from its map on the whole state. */
enum { K_FLOW, K_MAP, K_ANTI, K_HIST };
enum { T_LP, T_BP, T_H, T_PD, T_NS, T_COUNT };
static const char *const test_names[T_COUNT] = {"LP", "BP", "H", "PD", "NS"};
/* Coefficients from central differences are good to ~1e-7 of their terms: below this
 * fraction of its scale a coefficient counts as zero (degenerate). */
#define DEGENERATE_TOL 1e-6

typedef struct {
    gd_sim *sim; /* a clone: the caller's sim is left alone */
    gd_model *m;
    gd_stepper *st;
    const gd_param *row; /* the key's row and the struct holding its value */
    void *obj;
    int on_model, rates_only;
    int kind, k, n, nm, n1; /* x has n, the multiplier matrix nm, y = (x, p) n1 = n + 1 */
    double p;               /* the value set now (NaN: unknown) */
    const continuation_opts *o;
    double lo, hi, ds0, dsmax;
    int D, o_v, o_re, o_im, o_tau, o_tmin, o_unst, o_flag; /* a point record's layout */
    double *orb, orb_p; /* multiple shooting: the last orbit x_0 .. x_k-1 corrected, at p = orb_p */
    int orb_k;          /* its k (0: none) */
    int max_its;        /* Newton iterations before the corrector gives up: 8 on a branch (the step halves instead); more at
                         * one point (gandyn normal), where a fold's double root converges only linearly */
    char msg[GD_MSG_LEN];
} prob;

static int set_p(prob *P, double v)
{
    if (v == P->p) return GD_OK;
    P->p = NAN;
    int rc = gd_param_apply_double(P->row, P->obj, v, P->on_model ? "model" : "integrator", P->msg);
    if (rc != GD_OK) return rc;
    rc = P->on_model ? gd_model_setup(P->m) : P->rates_only ? gd_stepper_update_rates(P->st) : gd_stepper_setup(P->st);
    if (rc != GD_OK) return gd_fmt(P->msg, rc, "%s", P->on_model ? P->m->msg : P->st->msg);
    if (P->m->dim != P->n && P->kind != K_HIST) return gd_fmt(P->msg, GD_EUSAGE, "continue: the state's dimension changed along the branch");
    P->p = v;
    return GD_OK;
}

/* y = Phi^iters(x) at the value set. */
static int iterate(prob *P, const double *x, double *y, int iters)
{
    double t = 0;
    memcpy(y, x, sizeof(double) * (size_t)P->n);
    int rc = gd_stepper_reset(P->st, y);
    for (int i = 0; i < iters && rc >= 0; i++) rc = gd_stepper_step(P->st, y, &t);
    return rc < 0 ? gd_fmt(P->msg, rc, "continue: the map failed: %s", P->st->msg) : GD_OK;
}

static int field(prob *P, const double *x, double *v)
{
    int rc = gd_model_field(P->m, x, v);
    return rc != GD_OK ? gd_fmt(P->msg, rc, "continue: the field failed: %s", P->m->msg) : GD_OK;
}

/* The orbit's map: Phi^k, Phi^2k for a symmetric orbit. */
static int orbit_iters(const prob *P) { return P->kind == K_ANTI ? 2 * P->k : P->k; }

static int gval(prob *P, const double *x, double *G)
{
    if (P->kind == K_FLOW || P->kind == K_HIST) return field(P, x, G);
    int rc = iterate(P, x, G, P->k);
    for (int i = 0; i < P->n; i++) G[i] += P->kind == K_ANTI ? x[i] : -x[i];
    return rc;
}

/* Multiple shooting for period-k points of maps (continuation.shooting). */
static int use_ms(const prob *P) { return P->kind == K_MAP && (P->o->shooting == 2 || (P->o->shooting == 0 && P->k > 8)); }

/* The orbit multiple shooting corrected last, when it is x's at the value set and iters = k:
 * its points replace iterating from x, whose errors grow as the multipliers. */
static const double *stored_orbit(const prob *P, const double *x, int iters)
{
    return use_ms(P) && P->orb_k == iters && P->orb_p == P->p && !memcmp(x, P->orb, sizeof(double) * (size_t)P->n) ? P->orb : NULL;
}

/* D Phi^iters at x: the ordered product of one-iteration Jacobians along the orbit. */
static int dmap(prob *P, const double *x, int iters, double *M)
{
    int n = P->n;
    size_t nn = (size_t)n * (size_t)n;
    double *y = malloc(sizeof(double) * (2 * nn + 2 * (size_t)n)), *Mi = y + n, *T = Mi + nn, *z = T + nn;
    if (!y) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    memcpy(y, x, sizeof(double) * (size_t)n);
    const double *orb = stored_orbit(P, x, iters);
    int rc = GD_OK;
    for (int i = 0; i < iters && rc == GD_OK; i++) {
        rc = gd_stepper_map_jacobian(P->st, y, i ? Mi : M, NULL);
        if (rc == GD_OK && i) gd_matmul(n, Mi, M, T), memcpy(M, T, sizeof(double) * nn);
        if (rc == GD_OK && i + 1 < iters && orb) memcpy(y, orb + (size_t)(i + 1) * n, sizeof(double) * (size_t)n);
        else if (rc == GD_OK && i + 1 < iters) rc = iterate(P, y, z, 1), memcpy(y, z, sizeof(double) * (size_t)n);
    }
    free(y);
    return rc != GD_OK ? gd_fmt(P->msg, rc, "continue: the map's Jacobian failed: %s", P->st->msg) : GD_OK;
}

/* The matrix whose eigenvalues are the point's: J (flows), D Phi^k (orbit), the rule's map. */
static int orbit_matrix(prob *P, const double *x, double *M)
{
    if (P->kind == K_FLOW) {
        int rc = gd_model_jacobian(P->m, x, M);
        return rc != GD_OK ? gd_fmt(P->msg, rc, "continue: the Jacobian failed: %s", P->m->msg) : GD_OK;
    }
    if (P->kind == K_HIST) {
        int rc = gd_stepper_map_jacobian(P->st, x, M, NULL);
        return rc != GD_OK ? gd_fmt(P->msg, rc, "continue: the map's Jacobian failed: %s", P->st->msg) : GD_OK;
    }
    return dmap(P, x, orbit_iters(P), M);
}

/* Phi(x_i) at the value v for every point of the stored orbit into F (n k). */
static int phi_orbit(prob *P, const double *X, double v, double *F)
{
    int rc = set_p(P, v);
    for (int i = 0; i < P->k && rc == GD_OK; i++) rc = iterate(P, X + (size_t)i * P->n, F + (size_t)i * P->n, 1);
    return rc;
}

/* G_p of Phi^k - x along the stored orbit: g <- J_i g + dPhi/dp (x_i), i = 0 .. k-1, each
 * dPhi/dp by central differences of one iteration (differences of Phi^k would carry the
 * multipliers' growth). Into column n of Gy. */
static int gp_along(prob *P, double d, double *Gy)
{
    int n = P->n, k = P->k;
    size_t nk = (size_t)n * (size_t)k;
    double p = P->p, *X = malloc(sizeof(double) * (3 * nk + (size_t)n * (size_t)n + 2 * (size_t)n));
    if (!X) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    double *Fp = X + nk, *Fm = Fp + nk, *J = Fm + nk, *g = J + (size_t)n * n, *t = g + n;
    memcpy(X, P->orb, sizeof(double) * nk);
    int rc = phi_orbit(P, X, p + d, Fp);
    if (rc == GD_OK) rc = phi_orbit(P, X, p - d, Fm);
    if (rc == GD_OK) rc = set_p(P, p);
    memset(g, 0, sizeof(double) * (size_t)n);
    for (int i = 0; i < k && rc == GD_OK; i++) {
        if ((rc = gd_stepper_map_jacobian(P->st, X + (size_t)i * n, J, NULL)) != GD_OK) break;
        for (int r = 0; r < n; r++) t[r] = (Fp[(size_t)i * n + r] - Fm[(size_t)i * n + r]) / (2 * d) + gd_dot(n, J + (size_t)r * n, g);
        memcpy(g, t, sizeof(double) * (size_t)n);
    }
    for (int r = 0; r < n && rc == GD_OK; r++) Gy[r * P->n1 + n] = g[r];
    free(X);
    return rc == GD_OK || rc == GD_ENOMEM ? rc : gd_fmt(P->msg, rc, "continue: the map failed along the orbit: %s", P->st->msg);
}

/* G_y = [G_x | G_p] at y, n rows of n1 (row-major); G_p by central differences. */
static int gy(prob *P, const double *y, double *Gy)
{
    int n = P->n, n1 = P->n1, rc = set_p(P, y[n]);
    double *A = malloc(sizeof(double) * ((size_t)n * (size_t)n + 3 * (size_t)n)), *g0 = A + n * n, *gp = g0 + n, *gm = gp + n;
    if (!A) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && (P->kind == K_FLOW || P->kind == K_HIST) && (rc = gd_model_jacobian(P->m, y, A)) != GD_OK)
        gd_fmt(P->msg, rc, "continue: the Jacobian failed: %s", P->m->msg);
    else if (rc == GD_OK && P->kind != K_FLOW && P->kind != K_HIST) rc = dmap(P, y, P->k, A);
    for (int i = 0; i < n && rc == GD_OK; i++)
        for (int j = 0; j < n; j++) Gy[i * n1 + j] = A[i * n + j] - (P->kind == K_MAP && i == j) + (P->kind == K_ANTI && i == j);
    double p = y[n], d = 6e-6 * fmax(1, fabs(p)), wp = 0, wm = 0;
    if (rc == GD_OK) rc = gval(P, y, g0);
    if (rc == GD_OK && set_p(P, p + d) == GD_OK && gval(P, y, gp) == GD_OK) wp = d;
    if (rc == GD_OK && set_p(P, p - d) == GD_OK && gval(P, y, gm) == GD_OK) wm = d;
    if (rc == GD_OK && !(wp + wm > 0)) rc = gd_fmt(P->msg, GD_ESOLVER, "continue: no value of the key near %.17g can be set", p);
    for (int i = 0; i < n && rc == GD_OK; i++) Gy[i * n1 + n] = ((wp ? gp[i] : g0[i]) - (wm ? gm[i] : g0[i])) / (wp + wm);
    if (rc == GD_OK) rc = set_p(P, p);
    if (rc == GD_OK && stored_orbit(P, y, P->k)) rc = gp_along(P, d, Gy);
    free(A);
    return rc;
}

/* Solve the n x n system A z = b in place (b); least squares where A is singular. */
static int solve(int n, double *A, double *b)
{
    lapack_int *piv = malloc(sizeof *piv * (size_t)n);
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n), *c = malloc(sizeof(double) * (size_t)n), s[64], *sv = n <= 64 ? s : malloc(sizeof(double) * (size_t)n);
    int rc = piv && a && c && sv ? GD_OK : GD_ENOMEM;
    if (rc == GD_OK) {
        memcpy(a, A, sizeof(double) * (size_t)n * (size_t)n), memcpy(c, b, sizeof(double) * (size_t)n);
        int pin = gd_blas_serial_begin(n);
        if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, 1, a, n, piv, c, 1) == 0 && isfinite(gd_norm(n, c))) memcpy(b, c, sizeof(double) * (size_t)n);
        else {
            lapack_int rank;
            rc = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, n, n, 1, A, n, b, 1, sv, 1e-13, &rank) == 0 ? GD_OK : GD_ESOLVER;
        }
        gd_blas_serial_end(pin);
    }
    if (sv != s) free(sv);
    free(piv), free(a), free(c);
    return rc;
}

static int correct_ms(prob *P, double *y, const double *c, double target, int *its);

/* Newton on [G(y); c.y - target] from y in place; *its the iterations taken. */
static int correct(prob *P, double *y, const double *c, double target, int *its)
{
    if (use_ms(P)) return correct_ms(P, y, c, target, its);
    int n = P->n, n1 = P->n1, rc = GD_OK;
    double *G = malloc(sizeof(double) * ((size_t)n1 * (size_t)n1 + (size_t)n1)), *J = G + n1, g0 = INFINITY, dy = INFINITY;
    if (!G) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    *its = 0;
    for (int it = 0;; it++) {
        if ((rc = set_p(P, y[n])) != GD_OK || (rc = gval(P, y, G)) != GD_OK) break;
        double g = gd_norm(n, G), tol = P->o->newton_tol, gtol = tol * fmax(1, gd_norm(n, y));
        /* a residual at rounding level may double without diverging: growth counts above gtol */
        if (!isfinite(g) || it > P->max_its || (it >= 2 && g > 2 * g0 && g > gtol)) {
            rc = gd_fmt(P->msg, GD_ESOLVER, "continue: the corrector did not converge at p = %.10g", y[n]);
            break;
        }
        if (it > 0 && g <= gtol && dy <= tol * fmax(1, gd_norm(n1, y))) break;
        g0 = g;
        if ((rc = gy(P, y, J)) != GD_OK) break;
        memcpy(J + (size_t)n * n1, c, sizeof(double) * (size_t)n1);
        for (int i = 0; i < n; i++) G[i] = -G[i];
        G[n] = target - gd_dot(n1, c, y);
        if ((rc = solve(n1, J, G)) != GD_OK) break;
        for (int i = 0; i < n1; i++) y[i] += G[i];
        dy = gd_norm(n1, G), *its = it + 1;
    }
    free(G);
    return rc;
}

/* The block-cyclic Jacobian of multiple shooting into A (N x N, N = n k + 1): rows of point i
 * hold J_i = D Phi(x_i) at column block i, -I at block i + 1 (mod k) and dPhi/dp (x_i) in the
 * last column; the last row is the arclength condition c on (x_0, p). */
static int ms_matrix(prob *P, const double *Z, const double *c, double *A)
{
    int n = P->n, k = P->k, N = n * k + 1, rc = GD_OK;
    size_t nk = (size_t)n * (size_t)k;
    double p = Z[N - 1], d = 6e-6 * fmax(1, fabs(p)), *J = malloc(sizeof(double) * ((size_t)n * (size_t)n + 2 * nk)), *Fp = J + (size_t)n * n, *Fm = Fp + nk;
    if (!J) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    memset(A, 0, sizeof(double) * (size_t)N * (size_t)N);
    for (int i = 0; i < k && rc == GD_OK; i++) {
        if ((rc = gd_stepper_map_jacobian(P->st, Z + (size_t)i * n, J, NULL)) != GD_OK) break;
        int next = (i + 1) % k;
        for (int r = 0; r < n; r++) {
            double *row = A + (size_t)(i * n + r) * N;
            for (int j = 0; j < n; j++) row[i * n + j] += J[r * n + j];
            row[next * n + r] -= 1;
        }
    }
    if (rc == GD_OK) rc = phi_orbit(P, Z, p + d, Fp);
    if (rc == GD_OK) rc = phi_orbit(P, Z, p - d, Fm);
    if (rc == GD_OK) rc = set_p(P, p);
    for (size_t r = 0; r < nk && rc == GD_OK; r++) A[r * N + N - 1] = (Fp[r] - Fm[r]) / (2 * d);
    for (int j = 0; j < n; j++) A[(size_t)(N - 1) * N + j] = c[j];
    A[(size_t)N * N - 1] = c[n];
    free(J);
    return rc;
}

/* Newton on the cyclic system Phi(x_i) = x_i+1 (i = 0 .. k-1, x_k = x_0) with c.(x_0, p) = target,
 * from x_0 = y's x and its iterates: each residual is one iteration's, so an orbit whose
 * multipliers grow as 2^k converges where Phi^k(x) - x cannot be evaluated below 2^k eps.
 * y gets (x_0, p); the orbit is kept for the Jacobians taken at y next. */
static int correct_ms(prob *P, double *y, const double *c, double target, int *its)
{
    int n = P->n, k = P->k, N = n * k + 1, rc = GD_OK;
    size_t nk = (size_t)n * (size_t)k;
    double *Z = malloc(sizeof(double) * ((size_t)N * (size_t)N + 2 * (size_t)N + nk)), *R = Z + N, *F = R + N, *A = F + nk, g0 = INFINITY, dz = INFINITY;
    if (!Z) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    memcpy(Z, y, sizeof(double) * (size_t)n), Z[N - 1] = y[n];
    P->orb_k = 0, *its = 0;
    rc = set_p(P, y[n]);
    for (int i = 1; i < k && rc == GD_OK; i++) rc = iterate(P, Z + (size_t)(i - 1) * n, Z + (size_t)i * n, 1);
    for (int it = 0; rc == GD_OK; it++) {
        if ((rc = phi_orbit(P, Z, Z[N - 1], F)) != GD_OK) break;
        for (size_t r = 0; r < nk; r++) R[r] = F[r] - Z[(r + (size_t)n) % nk];
        double g = gd_norm((int)nk, R), tol = P->o->newton_tol, gtol = tol * fmax(1, gd_norm((int)nk, Z));
        if (!isfinite(g) || it > P->max_its || (it >= 2 && g > 2 * g0 && g > gtol)) {
            rc = gd_fmt(P->msg, GD_ESOLVER, "continue: multiple shooting did not converge at p = %.10g", Z[N - 1]);
            break;
        }
        if (it > 0 && g <= gtol && dz <= tol * fmax(1, gd_norm(N, Z))) break;
        g0 = g;
        if ((rc = ms_matrix(P, Z, c, A)) != GD_OK) break;
        for (size_t r = 0; r < nk; r++) R[r] = -R[r];
        R[N - 1] = target - gd_dot(n, c, Z) - c[n] * Z[N - 1];
        if ((rc = solve(N, A, R)) != GD_OK) break;
        for (int i = 0; i < N; i++) Z[i] += R[i];
        dz = gd_norm(N, R), *its = it + 1;
    }
    if (rc == GD_OK) {
        memcpy(y, Z, sizeof(double) * (size_t)n), y[n] = Z[N - 1];
        memcpy(P->orb, Z, sizeof(double) * nk), P->orb_p = y[n], P->orb_k = k;
    }
    free(Z);
    return rc;
}

/* ---------------------------------------------------------------- points ------- */
/* A point record: y (n1), the tangent v (n1), eigenvalues (nm re, nm im), the test
 * functions and their thresholds (T_COUNT each), the unstable count, flags. */
enum { F_ORIGIN = 1 };
static double *rec_v(const prob *P, double *q) { return q + P->o_v; }

static void layout(prob *P)
{
    P->o_v = P->n1, P->o_re = 2 * P->n1, P->o_im = P->o_re + P->nm, P->o_tau = P->o_im + P->nm;
    P->o_tmin = P->o_tau + T_COUNT, P->o_unst = P->o_tmin + T_COUNT, P->o_flag = P->o_unst + 1, P->D = P->o_flag + 1;
}

static double inf_norm(int rows, int cols, const double *A)
{
    double r = 0;
    for (int i = 0; i < rows; i++) {
        double s = 0;
        for (int j = 0; j < cols; j++) s += fabs(A[i * cols + j]);
        r = fmax(r, s);
    }
    return r;
}

/* det of the n x n matrix A (destroyed). */
static double det(int n, double *A)
{
    lapack_int piv[128], *pv = n <= 128 ? piv : malloc(sizeof *pv * (size_t)n);
    if (!pv) return NAN;
    int pin = gd_blas_serial_begin(n);
    lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, A, n, pv);
    gd_blas_serial_end(pin);
    double d = info < 0 ? NAN : 1;
    for (int i = 0; i < n && info >= 0; i++) d *= (pv[i] != i + 1 ? -1 : 1) * A[i * n + i];
    if (pv != piv) free(pv);
    return d;
}

/* The null vectors of G_y (n x n1): the right singular vectors of its two smallest singular
 * values, v (the smallest) and v2. */
static int null_vectors(const prob *P, const double *Gy, double *v, double *v2)
{
    int n1 = P->n1;
    size_t nn = (size_t)n1 * (size_t)n1;
    double *A = calloc(2 * nn + 2 * (size_t)n1, sizeof(double)), *Vt = A + nn, *s = Vt + nn, *sup = s + n1;
    if (!A) return GD_ENOMEM;
    memcpy(A, Gy, sizeof(double) * (size_t)(n1 - 1) * (size_t)n1); /* the last row stays 0 */
    int pin = gd_blas_serial_begin(n1);
    lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'A', n1, n1, A, n1, s, NULL, 1, Vt, n1, sup);
    gd_blas_serial_end(pin);
    if (info == 0) {
        memcpy(v, Vt + (size_t)(n1 - 1) * n1, sizeof(double) * (size_t)n1);
        if (v2) memcpy(v2, Vt + (size_t)(n1 - 2) * n1, sizeof(double) * (size_t)n1);
    }
    free(A);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

/* Re prod over i < j of (a_i + a_j) (sum = 1) or (a_i a_j - 1) (sum = 0). */
static double pair_product(int n, const double *re, const double *im, int sum)
{
    double complex r = 1;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double complex a = re[i] + I * im[i], b = re[j] + I * im[j];
            r *= sum ? a + b : a * b - 1;
        }
    return creal(r);
}

/* Above this many eigenvalues the products over pairs overflow and cost n^2: the H, PD and NS
 * tests become the parity of a count (complex pairs with Re > 0; real multipliers below -1;
 * complex pairs outside the unit circle), which changes sign where one crosses; the BP
 * determinant keeps its sign only. Such tests are never "small": no neutral segments. */
#define COUNT_ABOVE 20
static void count_tests(const prob *P, const double *re, const double *im, double *tau, double *tmin)
{
    int h = 0, pd = 0, ns = 0;
    for (int i = 0; i < P->nm; i++) {
        h += im[i] > 0 && re[i] > 0;
        pd += im[i] == 0 && re[i] < -1;
        ns += im[i] > 0 && hypot(re[i], im[i]) > 1;
    }
    if (P->kind == K_FLOW) tau[T_H] = h % 2 ? -1 : 1;
    else tau[T_PD] = pd % 2 ? -1 : 1, tau[T_NS] = ns % 2 ? -1 : 1;
    tau[T_BP] = tau[T_BP] < 0 ? -1 : 1;
    tmin[T_H] = tmin[T_PD] = tmin[T_NS] = tmin[T_BP] = 0;
}

/* Everything about the point y into the record q: tangent (oriented along vref when given,
 * else with v_p >= 0), eigenvalues, unstable count, test functions. */
static int analyse(prob *P, const double *y, const double *vref, double *q)
{
    int n = P->n, n1 = P->n1, nm = P->nm;
    double *Gy = malloc(sizeof(double) * ((size_t)n1 * (size_t)n1 + (size_t)nm * (size_t)nm)), *M = Gy + (size_t)n1 * n1;
    if (!Gy) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    double *v = rec_v(P, q), *re = q + P->o_re, *im = q + P->o_im, *tau = q + P->o_tau, *tmin = q + P->o_tmin;
    memmove(q, y, sizeof(double) * (size_t)n1);
    int rc = gy(P, q, Gy);
    if (rc == GD_OK && (rc = null_vectors(P, Gy, v, NULL)) != GD_OK) gd_fmt(P->msg, rc, "continue: the tangent's SVD failed");
    if (rc == GD_OK && (vref ? gd_dot(n1, v, vref) : v[n]) < 0)
        for (int i = 0; i < n1; i++) v[i] = -v[i];
    double gn = fmax(1, inf_norm(n, n1, Gy));
    if (rc == GD_OK) {
        memcpy(Gy + (size_t)n * n1, v, sizeof(double) * (size_t)n1);
        tau[T_LP] = v[n], tmin[T_LP] = 1e-10;
        tau[T_BP] = det(n1, Gy), tmin[T_BP] = 1e-10 * pow(gn, n1);
        rc = orbit_matrix(P, q, M);
    }
    if (rc == GD_OK && (rc = gd_eigenvalues(nm, M, re, im)) != GD_OK) gd_fmt(P->msg, rc, "continue: the eigenvalues failed");
    if (rc == GD_OK) {
        double a = fmax(1, inf_norm(nm, nm, M)), pairs = 0.5 * nm * (nm - 1);
        int flow = P->kind == K_FLOW, unst = 0;
        for (int i = 0; i < nm; i++) unst += flow ? re[i] > 1e-9 * a : hypot(re[i], im[i]) > 1 + 1e-9;
        double complex pd = 1;
        for (int i = 0; i < nm; i++) pd *= re[i] + I * im[i] + 1;
        tau[T_H] = flow ? pair_product(nm, re, im, 1) : NAN, tmin[T_H] = 1e-10 * pow(a, pairs);
        tau[T_PD] = flow ? NAN : creal(pd), tmin[T_PD] = 1e-10 * pow(a, nm);
        tau[T_NS] = flow ? NAN : pair_product(nm, re, im, 0), tmin[T_NS] = 1e-10 * pow(a, 2 * pairs);
        if (nm > COUNT_ABOVE) count_tests(P, re, im, tau, tmin);
        q[P->o_unst] = unst, q[P->o_flag] = 0;
    }
    free(Gy);
    return rc;
}

typedef struct {
    int count, cap, D;
    double *d;
} plist;

static double *at(const plist *L, int i) { return L->d + (size_t)i * (size_t)L->D; }

static int push(plist *L, const double *q)
{
    if (L->count == L->cap) {
        int nc = L->cap ? 2 * L->cap : 64;
        double *d = realloc(L->d, sizeof(double) * (size_t)nc * (size_t)L->D);
        if (!d) return GD_ENOMEM;
        L->d = d, L->cap = nc;
    }
    memcpy(at(L, L->count++), q, sizeof(double) * (size_t)L->D);
    return GD_OK;
}

/* The record as seen walking the other way: the tangent and the tests that follow its sign. */
static void flip(const prob *P, double *q)
{
    for (int i = 0; i < P->n1; i++) rec_v(P, q)[i] = -rec_v(P, q)[i];
    q[P->o_tau + T_LP] = -q[P->o_tau + T_LP], q[P->o_tau + T_BP] = -q[P->o_tau + T_BP];
}

/* ---------------------------------------------------------------- tracing ------ */
/* One direction from the analysed point q0 (its tangent already pointing the way): points
 * into L (q0 first), until a bound, x_max, a stalled step or max_steps (*stop says which). */
static int trace_leg(prob *P, const double *q0, plist *L, const char **stop)
{
    int n = P->n, n1 = P->n1, rc = push(L, q0);
    double *y = malloc(sizeof(double) * ((size_t)P->D + 2 * (size_t)n1)), *q = y + n1, *c = q + P->D, ds = P->ds0;
    if (!y || rc != GD_OK) {
        free(y);
        return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    }
    *stop = "max_steps";
    int refused = 0;
    for (long step = 0; step < P->o->max_steps;) {
        const double *last = at(L, L->count - 1), *v = rec_v(P, (double *)last);
        int its = 0, land = 0;
        for (int i = 0; i < n1; i++) y[i] = last[i] + ds * v[i];
        /* a predictor beyond a bound lands on it directly: the key may refuse values past it */
        rc = y[n] > P->hi || y[n] < P->lo ? GD_OK : correct(P, y, v, gd_dot(n1, v, last) + ds, &its);
        if (rc == GD_OK && (y[n] > P->hi || y[n] < P->lo)) { /* land on the bound instead */
            double b = y[n] > P->hi ? P->hi : P->lo, f = (b - last[n]) / (y[n] - last[n]);
            if (fabs(last[n] - b) <= 1e-14 * fmax(1, fabs(b))) {
                *stop = "bound";
                break;
            }
            for (int i = 0; i < n1; i++) y[i] = last[i] + f * (y[i] - last[i]);
            y[n] = b, land = 1;
            memset(c, 0, sizeof(double) * (size_t)n1), c[n] = 1;
            rc = correct(P, y, c, b, &its);
            y[n] = b;
        }
        if (rc == GD_OK) rc = analyse(P, y, v, q);
        double turn = rc == GD_OK ? gd_dot(n1, rec_v(P, q), v) : -1;
        if (rc == GD_ENOMEM) break;
        refused = rc == GD_EUSAGE; /* the key does not take the value (outside its range) */
        /* from a branch point the second null vector is a direction, not the new branch's
         * tangent (a transcritical crossing is oblique): no turn test on that first step */
        int origin = (int)last[P->o_flag] & F_ORIGIN;
        if (rc != GD_OK || its > 8 || (turn < cos(10 * M_PI / 180) && !origin)) {
            if (land && rc == GD_OK && its <= 8) goto accept; /* the last piece to the bound may turn */
            rc = GD_OK;
            if ((ds *= 0.5) < P->o->ds_min) {
                *stop = refused ? "key_range" : "stalled";
                break;
            }
            continue;
        }
    accept:
        if ((rc = push(L, q)) != GD_OK) break;
        step++;
        if (land) {
            *stop = "bound";
            break;
        }
        if (gd_norm(n, q) > P->o->x_max) {
            *stop = "x_max";
            break;
        }
        if (its <= 3) ds = fmin(1.3 * ds, P->dsmax);
    }
    free(y);
    return rc == GD_ENOMEM ? gd_fmt(P->msg, rc, "out of memory") : GD_OK;
}

/* ---------------------------------------------------------------- normal forms - */
/* <a, b> = conj(a)^T b. */
static double complex cdot(int n, const double complex *a, const double complex *b)
{
    double complex r = 0;
    for (int i = 0; i < n; i++) r += conj(a[i]) * b[i];
    return r;
}

/* (A - shift I) z = b for real A, in place in b (Gaussian elimination, partial pivoting). */
static int csolve(int n, const double *A, double complex shift, double complex *b)
{
    double complex *a = malloc(sizeof *a * (size_t)n * (size_t)n);
    if (!a) return GD_ENOMEM;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) a[i * n + j] = A[i * n + j] - (i == j ? shift : 0);
    int rc = GD_OK;
    for (int c = 0; c < n && rc == GD_OK; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (cabs(a[r * n + c]) > cabs(a[piv * n + c])) piv = r;
        if (cabs(a[piv * n + c]) == 0) rc = GD_ESOLVER;
        for (int j = 0; j < n && piv != c; j++) {
            double complex t = a[c * n + j];
            a[c * n + j] = a[piv * n + j], a[piv * n + j] = t;
        }
        double complex t = b[c];
        b[c] = b[piv], b[piv] = t;
        for (int r = c + 1; r < n && rc == GD_OK; r++) {
            double complex f = a[r * n + c] / a[c * n + c];
            for (int j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
            b[r] -= f * b[c];
        }
    }
    for (int c = n - 1; c >= 0 && rc == GD_OK; c--) {
        for (int j = c + 1; j < n; j++) b[c] -= a[c * n + j] * b[j];
        b[c] /= a[c * n + c];
    }
    free(a);
    return rc;
}

/* The eigenvector q of A for its eigenvalue nearest lam (returned in *mu), and p with
 * A^T p = conj(mu) p, normalised <q, q> = 1, <p, q> = 1; a real q with its largest entry
 * positive. */
static int eigpair(int n, const double *A, double complex lam, double complex *mu, double complex *q, double complex *p)
{
    size_t nn = (size_t)n * (size_t)n;
    double *At = malloc(sizeof(double) * (3 * nn + 2 * (size_t)n)), *V = At + nn, *wr = V + 2 * nn, *wi = wr + n;
    if (!At) return GD_ENOMEM;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) At[j * n + i] = A[i * n + j];
    int rc = GD_OK;
    for (int pass = 0; pass < 2 && rc == GD_OK; pass++) {
        double complex want = pass ? conj(*mu) : lam, *out = pass ? p : q;
        if ((rc = gd_eigenvectors(n, pass ? At : A, wr, wi, V)) != GD_OK) break;
        int best = 0;
        for (int k = 1; k < n; k++)
            if (cabs(wr[k] + I * wi[k] - want) < cabs(wr[best] + I * wi[best] - want)) best = k;
        if (!pass) *mu = wr[best] + I * wi[best];
        for (int i = 0; i < n; i++) out[i] = V[2 * ((size_t)i * n + best)] + I * V[2 * ((size_t)i * n + best) + 1];
    }
    if (rc == GD_OK) {
        double s = sqrt(creal(cdot(n, q, q)));
        int big = 0;
        for (int i = 0; i < n; i++) q[i] /= s, big = cabs(q[i]) > cabs(q[big]) ? i : big;
        if (cimag(*mu) == 0 && creal(q[big]) < 0)
            for (int i = 0; i < n; i++) q[i] = -q[i];
        double complex pq = cdot(n, p, q);
        if (cabs(pq) == 0) rc = GD_ESOLVER;
        for (int i = 0; i < n && rc == GD_OK; i++) p[i] /= conj(pq);
    }
    free(At);
    return rc;
}

/* One central-difference stencil at step d: out = D^2 f[u, u] (error O(d^2)), resp. D^3 f[u, u, u]
 * (error O(d^2)); f is the field (flows, rules with history) or iters iterations of the map. */
static int stencil(prob *P, const double *x, const double *u, int order, int iters, double d, double *out)
{
    int n = P->n;
    double *z = malloc(sizeof(double) * 2 * (size_t)n), *f = z + n;
    if (!z) return GD_ENOMEM;
    static const double w2[] = {1, -2, 1}, s2[] = {1, 0, -1}, w3[] = {1, -2, 2, -1}, s3[] = {2, 1, -1, -2};
    const double *w = order == 2 ? w2 : w3, *s = order == 2 ? s2 : s3;
    int m = order == 2 ? 3 : 4, rc = GD_OK, map = P->kind != K_FLOW && P->kind != K_HIST;
    memset(out, 0, sizeof(double) * (size_t)n);
    for (int j = 0; j < m && rc == GD_OK; j++) {
        for (int i = 0; i < n; i++) z[i] = x[i] + s[j] * d * u[i];
        rc = map ? iterate(P, z, f, iters) : field(P, z, f);
        for (int i = 0; i < n && rc == GD_OK; i++) out[i] += w[j] * f[i];
    }
    double scale = order == 2 ? d * d : 2 * d * d * d;
    for (int i = 0; i < n; i++) out[i] /= scale;
    free(z);
    return rc;
}

/* Second and third directional derivatives of f at x: D^2 by one stencil at d = 1e-4 max(1, |x|);
 * D^3 by Richardson's extrapolation of the stencils at d and 2d, d = 2e-3 max(1, |x|), which
 * cancels their O(d^2) error (a quintic term left 2e-5 of the bautin form's l1 at one stencil of
 * 1e-3) while the larger step keeps rounding near 1e-7 of |f|. */
static int dn_at(prob *P, const double *x, const double *u, int order, int iters, double *out)
{
    double scale = fmax(1, gd_norm(P->n, x));
    if (order == 2) return stencil(P, x, u, 2, iters, 1e-4 * scale, out);
    double *wide = malloc(sizeof(double) * (size_t)P->n);
    if (!wide) return GD_ENOMEM;
    int rc = stencil(P, x, u, 3, iters, 2e-3 * scale, out);
    if (rc == GD_OK) rc = stencil(P, x, u, 3, iters, 4e-3 * scale, wide);
    for (int i = 0; i < P->n; i++) out[i] = (4 * out[i] - wide[i]) / 3;
    free(wide);
    return rc;
}

/* D^order Phi[w, ..., w] of one iteration at y, by differences along the unit vector w/|w|
 * scaled by |w|^order: along an orbit w grows with the multipliers, the step must not. */
static int dn_one(prob *P, const double *y, const double *w, int order, double *out)
{
    int n = P->n;
    double s = gd_norm(n, w), *e = malloc(sizeof(double) * (size_t)n);
    if (!e) return GD_ENOMEM;
    for (int i = 0; i < n; i++) e[i] = s > 0 ? w[i] / s : 0;
    int rc = s > 0 ? dn_at(P, y, e, order, 1, out) : GD_OK;
    for (int i = 0; i < n; i++) out[i] = s > 0 ? out[i] * pow(s, order) : 0;
    free(e);
    return rc;
}

/* D^2, D^3 of Phi^iters at x along u by the chain rule over the orbit x_0 = x, x_i+1 = Phi(x_i):
 * the jet (a1, a2, a3) = (D u, D^2[u,u], D^3[u,u,u]) of the composition so far goes through each
 * step g as b1 = Dg a1, b2 = D^2g[a1,a1] + Dg a2, b3 = D^3g[a1,a1,a1] + 3 D^2g[a1,a2] + Dg a3
 * (D^2g[a1,a2] by polarization). Each step's derivatives come from differences of one iteration:
 * differences of the whole Phi^k fail once Phi^k varies on scales below their step (k = 16 of the
 * logistic map near its cascade). */
static int dn_orbit(prob *P, const double *x, const double *u, int order, int iters, double *out)
{
    int n = P->n, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *y = malloc(sizeof(double) * (nn + 12 * (size_t)n)), *J = y + n, *a1 = J + nn, *a2 = a1 + n, *a3 = a2 + n, *b = a3 + n, *t = b + n,
           *dp = t + n, *dm = dp + n, *wp = dm + n, *wm = wp + n, *z = wm + n;
    if (!y) return GD_ENOMEM;
    const double *orb = stored_orbit(P, x, iters);
    memcpy(y, x, sizeof(double) * (size_t)n), memcpy(a1, u, sizeof(double) * (size_t)n);
    memset(a2, 0, sizeof(double) * 2 * (size_t)n);
    for (int it = 0; it < iters && rc == GD_OK; it++) {
        if ((rc = gd_stepper_map_jacobian(P->st, y, J, NULL)) != GD_OK) break;
        if (order == 3) { /* 3 D^2g[a1, a2] + D^3g[a1, a1, a1] + Dg a3, before a1, a2 move on */
            for (int i = 0; i < n; i++) wp[i] = a1[i] + a2[i], wm[i] = a1[i] - a2[i];
            if ((rc = dn_one(P, y, wp, 2, dp)) == GD_OK && (rc = dn_one(P, y, wm, 2, dm)) == GD_OK) rc = dn_one(P, y, a1, 3, t);
            for (int i = 0; i < n && rc == GD_OK; i++) b[i] = t[i] + 0.75 * (dp[i] - dm[i]) + gd_dot(n, J + (size_t)i * n, a3);
            memcpy(a3, b, sizeof(double) * (size_t)n);
        }
        if (rc == GD_OK) rc = dn_one(P, y, a1, 2, t);
        for (int i = 0; i < n && rc == GD_OK; i++) b[i] = t[i] + gd_dot(n, J + (size_t)i * n, a2);
        memcpy(a2, b, sizeof(double) * (size_t)n);
        for (int i = 0; i < n; i++) b[i] = gd_dot(n, J + (size_t)i * n, a1);
        memcpy(a1, b, sizeof(double) * (size_t)n);
        if (rc == GD_OK && it + 1 < iters && orb) memcpy(y, orb + (size_t)(it + 1) * n, sizeof(double) * (size_t)n);
        else if (rc == GD_OK && it + 1 < iters) rc = iterate(P, y, z, 1), memcpy(y, z, sizeof(double) * (size_t)n);
    }
    memcpy(out, order == 2 ? a2 : a3, sizeof(double) * (size_t)n);
    free(y);
    return rc;
}

/* Second and third directional derivatives of the orbit's map (or the field) at x: out = B(u, u),
 * resp. C(u, u, u); Phi^k with k > 1 through the chain rule along the orbit. */
static int dn(prob *P, const double *x, const double *u, int order, double *out)
{
    int map = P->kind != K_FLOW && P->kind != K_HIST, iters = map ? orbit_iters(P) : 1;
    return map && iters > 1 ? dn_orbit(P, x, u, order, iters, out) : dn_at(P, x, u, order, iters, out);
}

/* Real B(u, v) by polarization and C(u, v, w) by the signed sum over (+-u +-v +-w). */
static int breal(prob *P, const double *x, const double *u, const double *v, double *out)
{
    int n = P->n, rc;
    double *z = calloc(2 * (size_t)n, sizeof(double)), *t = z + n; /* calloc: gcc cannot see n > 0 */
    if (!z) return GD_ENOMEM;
    for (int i = 0; i < n; i++) z[i] = u[i] + v[i];
    rc = dn(P, x, z, 2, out);
    for (int i = 0; i < n; i++) z[i] = u[i] - v[i];
    if (rc == GD_OK) rc = dn(P, x, z, 2, t);
    for (int i = 0; i < n; i++) out[i] = 0.25 * (out[i] - t[i]);
    free(z);
    return rc;
}

static int c3real(prob *P, const double *x, const double *u, const double *v, const double *w, double *out)
{
    int n = P->n, rc = GD_OK;
    double *z = malloc(sizeof(double) * 2 * (size_t)n), *t = z + n;
    if (!z) return GD_ENOMEM;
    memset(out, 0, sizeof(double) * (size_t)n);
    for (int e = 0; e < 8 && rc == GD_OK; e++) {
        double a = e & 1 ? -1 : 1, b = e & 2 ? -1 : 1, c = e & 4 ? -1 : 1;
        for (int i = 0; i < n; i++) z[i] = a * u[i] + b * v[i] + c * w[i];
        rc = dn(P, x, z, 3, t);
        for (int i = 0; i < n; i++) out[i] += a * b * c * t[i] / 48;
    }
    free(z);
    return rc;
}

/* Complex arguments by multilinearity over their real and imaginary parts. */
static int bcx(prob *P, const double *x, const double complex *u, const double complex *v, double complex *out)
{
    int n = P->n, rc = GD_OK;
    double *part = malloc(sizeof(double) * 5 * (size_t)n), *t = part + 4 * n;
    if (!part) return GD_ENOMEM;
    for (int i = 0; i < n; i++) part[i] = creal(u[i]), part[n + i] = cimag(u[i]), part[2 * n + i] = creal(v[i]), part[3 * n + i] = cimag(v[i]);
    for (int i = 0; i < n; i++) out[i] = 0;
    for (int a = 0; a < 2 && rc == GD_OK; a++)
        for (int b = 0; b < 2 && rc == GD_OK; b++) {
            if (gd_norm(n, part + a * n) == 0 || gd_norm(n, part + (2 + b) * n) == 0) continue;
            rc = breal(P, x, part + a * n, part + (2 + b) * n, t);
            double complex f = cpow(I, a + b);
            for (int i = 0; i < n; i++) out[i] += f * t[i];
        }
    free(part);
    return rc;
}

static int ccx(prob *P, const double *x, const double complex *const arg[3], double complex *out)
{
    int n = P->n, rc = GD_OK;
    double *part = malloc(sizeof(double) * 7 * (size_t)n), *t = part + 6 * n;
    if (!part) return GD_ENOMEM;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < n; i++) part[2 * k * n + i] = creal(arg[k][i]), part[(2 * k + 1) * n + i] = cimag(arg[k][i]);
    for (int i = 0; i < n; i++) out[i] = 0;
    for (int e = 0; e < 8 && rc == GD_OK; e++) {
        const double *a = part + (e & 1) * n, *b = part + (2 + ((e >> 1) & 1)) * n, *c = part + (4 + ((e >> 2) & 1)) * n;
        if (gd_norm(n, a) == 0 || gd_norm(n, b) == 0 || gd_norm(n, c) == 0) continue;
        rc = c3real(P, x, a, b, c, t);
        double complex f = cpow(I, (e & 1) + ((e >> 1) & 1) + ((e >> 2) & 1));
        for (int i = 0; i < n; i++) out[i] += f * t[i];
    }
    free(part);
    return rc;
}

typedef struct {
    int type, branch, after, on, last, child, index;
    double s, p_end, omega, theta, coeff, c1re, c1im;
    double *rec;
    const char *crit, *res, *test;
} sp;

static const char *criticality(double c, double scale, int super_if_negative)
{
    if (!isfinite(c)) return "";
    if (fabs(c) <= DEGENERATE_TOL * scale) return "degenerate";
    return (c < 0) == super_if_negative ? "super" : "sub";
}

/* The coefficient of the special point S of type (LP, H, PD, NS) at its record, from the
 * eigenvalue of A nearest lam (the critical one: gandyn normal passes it off the critical
 * point too, where the same formulas give the coefficient of the nearby bifurcation). */
static int normal_form(prob *P, sp *S, double complex lam)
{
    int n = P->n, type = S->type;
    const double *x = S->rec;
    S->coeff = S->c1re = S->c1im = NAN;
    if (P->kind == K_HIST) return GD_OK; /* the map acts on (x, history): no coefficients */
    size_t nn = (size_t)n * (size_t)n;
    double *A = malloc(sizeof(double) * nn);
    double complex *v = malloc(sizeof *v * 8 * (size_t)n), *q = v, *p = q + n, *qb = p + n, *b1 = qb + n, *b2 = b1 + n, *w1 = b2 + n, *w2 = w1 + n, *cc = w2 + n;
    int rc = A && v ? set_p(P, x[n]) : GD_ENOMEM, flow = P->kind == K_FLOW;
    if (rc == GD_OK) rc = orbit_matrix(P, x, A);
    double complex mu = lam;
    if (rc == GD_OK) rc = eigpair(n, A, lam, &mu, q, p);
    for (int i = 0; i < n; i++) qb[i] = conj(q[i]);
    if (rc == GD_OK && type == GD_PT_LP) {
        rc = bcx(P, x, q, q, b1);
        S->coeff = 0.5 * creal(cdot(n, p, b1));
        double scale = 0.5 * sqrt(creal(cdot(n, p, p)) * creal(cdot(n, b1, b1))); /* |a| can be no larger */
        S->crit = fabs(S->coeff) <= DEGENERATE_TOL * scale ? "degenerate" : "";
    } else if (rc == GD_OK && type == GD_PT_PD) { /* c = <p, C(q,q,q)>/6 - <p, B(q, (A - I)^-1 B(q,q))>/2 */
        const double complex *a3[3] = {q, q, q};
        if ((rc = bcx(P, x, q, q, b1)) == GD_OK) memcpy(w1, b1, sizeof *w1 * (size_t)n), rc = csolve(n, A, 1, w1);
        if (rc == GD_OK) rc = bcx(P, x, q, w1, b2);
        if (rc == GD_OK) rc = ccx(P, x, a3, cc);
        double complex t1 = cdot(n, p, cc) / 6, t2 = cdot(n, p, b2) / 2;
        S->coeff = creal(t1 - t2);
        S->crit = criticality(-S->coeff, cabs(t1) + cabs(t2), 1);
    } else if (rc == GD_OK) { /* H: c1 with A^-1, (2 i w - A)^-1; NS: (I - A)^-1, (e^2it - A)^-1 */
        const double complex *a3[3] = {q, q, qb};
        double complex l2 = flow ? 2 * I * cimag(mu) : mu * mu;
        if ((rc = bcx(P, x, q, qb, b1)) == GD_OK) memcpy(w1, b1, sizeof *w1 * (size_t)n), rc = csolve(n, A, flow ? 0 : 1, w1);
        if (rc == GD_OK) rc = bcx(P, x, q, w1, b1);
        if (rc == GD_OK && (rc = bcx(P, x, q, q, b2)) == GD_OK) memcpy(w2, b2, sizeof *w2 * (size_t)n), rc = csolve(n, A, l2, w2);
        if (rc == GD_OK) rc = bcx(P, x, qb, w2, b2);
        if (rc == GD_OK) rc = ccx(P, x, a3, cc);
        /* flows: C - 2 B(q, A^-1 B(q,qb)) + B(qb, (2iw - A)^-1 B(q,q)); maps: C + 2 B(q, (I - A)^-1 B(q,qb))
         * + B(qb, (e^2it - A)^-1 B(q,q)). csolve gives (A - shift)^-1: A^-1 for flows, -(I - A)^-1 for
         * maps, -(sigma - A)^-1 for the last term of both, hence one sign for each term. */
        double complex tc = cdot(n, p, cc), tb1 = -2.0 * cdot(n, p, b1), tb2 = -cdot(n, p, b2);
        double complex c1 = 0.5 * (tc + tb1 + tb2);
        double scale = 0.5 * (cabs(tc) + cabs(tb1) + cabs(tb2));
        S->c1re = creal(c1), S->c1im = cimag(c1);
        if (flow) {
            S->omega = cimag(mu);
            S->coeff = creal(c1) / S->omega;
            S->crit = criticality(creal(c1), scale, 1);
        } else {
            S->theta = fabs(carg(mu));
            S->coeff = creal(cexp(-I * carg(mu)) * c1);
            S->crit = criticality(S->coeff, scale, 1);
        }
    }
    free(A), free(v);
    return rc;
}

/* ---------------------------------------------------------------- special points */
/* The pair (i, j) of the record's eigenvalues minimising |l_i + l_j| (sum) or |l_i l_j - 1|. */
static void closest_pair(const prob *P, const double *q, int sum, int *bi, int *bj)
{
    const double *re = q + P->o_re, *im = q + P->o_im;
    double best = INFINITY;
    *bi = 0, *bj = P->nm > 1 ? 1 : 0;
    for (int i = 0; i < P->nm; i++)
        for (int j = i + 1; j < P->nm; j++) {
            double complex a = re[i] + I * im[i], b = re[j] + I * im[j], d = sum ? a + b : a * b - 1;
            if (cabs(d) < best) best = cabs(d), *bi = i, *bj = j;
        }
}

/* The pair of the record's eigenvalues closest to making test t (H or NS) vanish, in a, b;
 * 1 when it is a critical pair: +-i omega (omega^2 > 0) for H, a complex pair for NS. 0: a
 * neutral saddle, a real pair +-k or mu, 1/mu, where the test vanishes without any change of
 * stability (e.g. past a 1:2 resonance of a map with det D Phi = 1). */
static int critical_pair(const prob *P, const double *q, int t, double complex *a, double complex *b)
{
    int i, j;
    closest_pair(P, q, t == T_H, &i, &j);
    *a = q[P->o_re + i] + I * q[P->o_im + i], *b = q[P->o_re + j] + I * q[P->o_im + j];
    if (t == T_H) return creal(*a * *b) > 0 && fabs(cimag(*a)) > 0;
    return fabs(cimag(*a)) > 1e-9 * cabs(*a);
}

/* Test t vanishes at the record: |tau| <= tau_min, away from a switched branch's origin. */
static int tiny(const prob *P, const double *q, int t) { return !((int)q[P->o_flag] & F_ORIGIN) && fabs(q[P->o_tau + t]) <= q[P->o_tmin + t]; }

/* ... at a neutral saddle (H, NS only): neither a neutral point nor a sign to compare. */
static int saddle_zero(const prob *P, const double *q, int t)
{
    double complex a, b;
    return tiny(P, q, t) && (t == T_H || t == T_NS) && !critical_pair(P, q, t, &a, &b);
}

/* Resonance flags of a multiplier pair at angle theta. */
static const char *resonance(double theta)
{
    static const struct { double at; const char *name; } r[] = {{0, "R1"}, {M_PI, "R2"}, {2 * M_PI / 3, "R3"}, {M_PI / 2, "R4"}};
    for (int k = 0; k < 4; k++)
        if (fabs(theta - r[k].at) < 1e-6) return r[k].name;
    if (fabs(theta - 2 * M_PI / 3) < 0.05) return "near_R3";
    if (fabs(theta - M_PI / 2) < 0.05) return "near_R4";
    return "none";
}

/* Number of multipliers within tol of z. */
static int count_near(const prob *P, const double *q, double complex z, double tol)
{
    int c = 0;
    for (int i = 0; i < P->nm; i++) c += cabs(q[P->o_re + i] + I * q[P->o_im + i] - z) < tol;
    return c;
}

/* Re-checks after localization: a located zero of a test function is a bifurcation only
 * where the matrix it stands for is singular. Tests change sign also where a multiplier or
 * G_x passes through infinity (a pole of the map in p), which is no bifurcation. */
#define RECHECK_TOL 1e-6

/* G_x at the record singular: its smallest singular value <= RECHECK_TOL of its largest
 * (LP, BP: det A = 0 for flows, det(A - I) = 0 for maps; G = F for rules with history). */
static int gx_singular(prob *P, const double *q)
{
    int n = P->n, n1 = P->n1, sing = 0;
    double *Gy = malloc(sizeof(double) * ((size_t)n * (size_t)n1 + (size_t)n * (size_t)n + (size_t)n)), *A = Gy + (size_t)n * n1, *sv = A + (size_t)n * n;
    if (Gy && gy(P, q, Gy) == GD_OK) {
        for (int i = 0; i < n; i++) memcpy(A + (size_t)i * n, Gy + (size_t)i * n1, sizeof(double) * (size_t)n);
        int pin = gd_blas_serial_begin(n);
        lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', n, n, A, n, sv, NULL, n, NULL, n);
        gd_blas_serial_end(pin);
        sing = info == 0 && sv[n - 1] <= RECHECK_TOL * fmax(1, sv[0]);
    }
    free(Gy);
    return sing;
}

/* The largest modulus among the record's eigenvalues, at least 1: the scale of the tests. */
static double eig_scale(const prob *P, const double *q)
{
    double a = 1;
    for (int i = 0; i < P->nm; i++) a = fmax(a, hypot(q[P->o_re + i], q[P->o_im + i]));
    return a;
}

/* Resonance flags, coefficient and criticality of a point of type t + 1 (LP, H, PD, NS) at
 * S->rec whose critical eigenvalue is the one nearest lam (S->theta set for NS): what classify
 * adds to a located zero, and all gd_sim_normal asks at one point. */
static void characterize(prob *P, int t, sp *S, double complex lam)
{
    const double *q = S->rec;
    if (t == T_NS) S->res = resonance(S->theta);
    else if (t == T_PD && count_near(P, q, -1, 1e-5) >= 2) S->res = "R2"; /* a Jordan block at -1: the flip coefficient does not apply */
    else if (t == T_LP && P->kind != K_FLOW && count_near(P, q, 1, 1e-5) >= 2) S->res = "R1";
    if (normal_form(P, S, lam) != GD_OK) S->coeff = NAN;
    if (t == T_PD && !strcmp(S->res, "R2")) S->coeff = NAN;
    if (strcmp(S->res, "none") != 0 && strncmp(S->res, "near", 4) != 0) S->crit = "resonant";
}

/* What the zero of test t at S->rec is: fills type, angles, flags and coefficients; 0 when
 * it is not to be reported: a neutral saddle, or a zero that fails its re-check (LP, BP: G_x
 * singular; H: +-i omega, omega^2 > 0; PD: a multiplier -1; NS: e^(+-i theta), 0 < theta < pi). */
static int classify(prob *P, int t, sp *S)
{
    const double *q = S->rec;
    S->omega = S->theta = S->coeff = S->c1re = S->c1im = NAN, S->crit = "", S->res = "none", S->test = test_names[t];
    S->type = t + 1; /* GD_PT_LP .. GD_PT_NS */
    double tol = RECHECK_TOL * eig_scale(P, q);
    if ((t == T_LP || t == T_BP) && !gx_singular(P, q)) return 0;
    if (t == T_PD && count_near(P, q, -1, tol) < 1) return 0;
    if (t == T_H || t == T_NS) {
        double complex a, b;
        if (!critical_pair(P, q, t, &a, &b)) return 0;                       /* a neutral saddle */
        if (t == T_H && fabs(creal(a)) > tol) return 0;                      /* not on the imaginary axis */
        if (t == T_NS && fabs(cabs(a) - 1) > tol) return 0;                  /* not on the unit circle */
        if (t == T_H) S->omega = sqrt(creal(a * b));
        else S->theta = fabs(carg(a));
    }
    if (t != T_BP) characterize(P, t, S, t == T_LP ? (P->kind == K_FLOW ? 0 : 1) : t == T_PD ? -1 : t == T_H ? I * S->omega : cexp(I * S->theta));
    return 1;
}

/* Illinois secant on the arclength from qa (along its tangent) to qb for a zero of test t;
 * the last trial point into out. */
static int locate(prob *P, const double *qa, const double *qb, int t, double *out)
{
    int n1 = P->n1, its, rc = GD_OK;
    const double *va = rec_v(P, (double *)qa);
    double *y = malloc(sizeof(double) * (size_t)n1), sab = 0;
    if (!y) return GD_ENOMEM;
    for (int i = 0; i < n1; i++) sab += va[i] * (qb[i] - qa[i]);
    double sa = 0, sb = sab, fa = qa[P->o_tau + t], fb = qb[P->o_tau + t];
    int side = 0;
    for (int it = 0; it < 80 && rc == GD_OK; it++) {
        double s = it % 3 == 2 ? 0.5 * (sa + sb) : (sa * fb - sb * fa) / (fb - fa);
        if (!(s > fmin(sa, sb) && s < fmax(sa, sb))) s = 0.5 * (sa + sb);
        for (int i = 0; i < n1; i++) y[i] = qa[i] + s / sab * (qb[i] - qa[i]);
        rc = correct(P, y, va, gd_dot(n1, va, qa) + s, &its);
        if (rc == GD_OK) rc = analyse(P, y, va, out);
        double fs = rc == GD_OK ? out[P->o_tau + t] : NAN;
        if (rc != GD_OK || fs == 0) break;
        if ((fs > 0) == (fb > 0)) {
            sb = s, fb = fs;
            if (side == -1) fa *= 0.5;
            side = -1;
        } else {
            sa = s, fa = fs;
            if (side == 1) fb *= 0.5;
            side = 1;
        }
        if (fabs(sb - sa) <= 0.1 * P->o->loc_tol * fmax(1, fabs(out[P->n]))) break; /* the last trial lies in the bracket */
    }
    free(y);
    return rc;
}

typedef struct {
    int kind, k, parent;
    plist pts;
    const char *stop[2];
} br;

typedef struct {
    br *b;
    int nb;
    sp *s;
    int ns, cap;
} found;

static int add_special(found *F, const sp *S)
{
    if (F->ns == F->cap) {
        int nc = F->cap ? 2 * F->cap : 16;
        sp *s = realloc(F->s, sizeof *s * (size_t)nc);
        if (!s) return GD_ENOMEM;
        F->s = s, F->cap = nc;
    }
    F->s[F->ns++] = *S;
    return GD_OK;
}

/* max |a_i - b_i| <= tol */
static int near(const double *a, const double *b, int n, double tol)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= tol)) return 0;
    return 1;
}

/* 1 when the point S of branch bi is one the branch reported already: a special point of the
 * same type at the same p (to the localization's tolerance) through a point of S's orbit,
 * Phi^j(x), j = 0 .. its period - 1. A branch of period-k points follows one point x_0 of each
 * orbit, and past a fold where it passes a point of a lower period (the period-16 branch of the
 * logistic map at r4, where x_0 becomes Phi^8(x_0)) its other half carries the same orbits
 * shifted: their bifurcations are met once on each half, and a PD switched at twice would give
 * the period-2k branch twice. An orbit whose iterates drift by more than the tolerance (multipliers
 * of its pieces beyond ~1e4) is not matched: its point is kept, never merged with another. */
static int reported_before(prob *P, const found *F, int bi, const sp *S)
{
    int n = P->n, iters = P->kind == K_MAP || P->kind == K_ANTI ? orbit_iters(P) : 1, same = 0;
    double p = S->rec[n], old = P->p, tol = fmax(10 * P->o->loc_tol, 1e-8), xtol = fmax(RECHECK_TOL, tol) * fmax(1, gd_norm(n, S->rec));
    double *x = malloc(sizeof(double) * 2 * (size_t)n), *y = x ? x + n : NULL;
    if (!x) return 0;
    memcpy(x, S->rec, sizeof(double) * (size_t)n);
    for (int j = 0; j < iters && !same; j++) {
        for (int e = 0; e < F->ns && !same; e++) {
            const sp *E = &F->s[e];
            if (E->branch == bi && E->type == S->type && fabs(E->rec[n] - p) <= tol * fmax(1, fabs(p)))
                same = near(E->rec, x, n, xtol);
        }
        if (!same && j + 1 < iters && (set_p(P, p) != GD_OK || iterate(P, x, y, 1) != GD_OK)) break;
        if (!same && j + 1 < iters) memcpy(x, y, sizeof(double) * (size_t)n);
    }
    if (isfinite(old)) set_p(P, old);
    free(x);
    return same;
}

/* A special point at a copy of the record q (on a point: on >= 0; else located between
 * after and after + 1 at arclength s), unless the branch reported it already. */
static int report(prob *P, found *F, int t, int bi, const double *q, int on, int after, double s)
{
    sp S = {.branch = bi, .on = on, .after = after, .s = s, .last = -1, .child = -1, .p_end = q[P->n]};
    if (!(S.rec = malloc(sizeof(double) * (size_t)P->D))) return GD_ENOMEM;
    memcpy(S.rec, q, sizeof(double) * (size_t)P->D);
    if (!classify(P, t, &S) || reported_before(P, F, bi, &S)) {
        free(S.rec);
        return GD_OK;
    }
    int rc = add_special(F, &S);
    if (rc != GD_OK) free(S.rec);
    return rc;
}

/* |tau| <= tau_min at three or more consecutive points: a neutral segment [first, last]. */
static int report_neutral(prob *P, found *F, int t, int bi, int first, int last)
{
    const plist *L = &F->b[bi].pts;
    sp S = {.branch = bi, .on = first, .after = -1, .last = last, .child = -1, .type = GD_PT_NEUTRAL};
    if (!(S.rec = malloc(sizeof(double) * (size_t)P->D))) return GD_ENOMEM;
    memcpy(S.rec, at(L, first), sizeof(double) * (size_t)P->D);
    S.p_end = at(L, last)[P->n];
    /* ended by a neutral saddle: the pair left the circle (or the axis) at the special point
     * found between the two points (a PD, LP or BP), where the segment truly ends */
    if (last + 1 < L->count && saddle_zero(P, at(L, last + 1), t)) {
        double p0 = at(L, last)[P->n], p1 = at(L, last + 1)[P->n];
        for (int j = 0; j < F->ns; j++) {
            const sp *E = &F->s[j];
            double pe = E->rec[P->n];
            if (E->branch == bi && E->type != GD_PT_NEUTRAL && (pe - p0) * (pe - p1) <= 0) S.p_end = pe;
        }
    }
    S.omega = S.theta = S.coeff = S.c1re = S.c1im = NAN, S.crit = "", S.res = "none", S.test = test_names[t];
    sp C = S; /* the coefficient at its first point, where it has a complex pair */
    if ((t == T_H || t == T_NS) && classify(P, t, &C)) S.omega = C.omega, S.theta = C.theta, S.coeff = C.coeff, S.c1re = C.c1re, S.c1im = C.c1im, S.crit = C.crit;
    S.type = GD_PT_NEUTRAL, S.test = test_names[t];
    int rc = add_special(F, &S);
    if (rc != GD_OK) free(S.rec);
    return rc;
}

static int applies(const prob *P, int t)
{
    if (t == T_H) return P->kind == K_FLOW;
    if (t == T_PD || t == T_NS) return P->kind != K_FLOW;
    return 1;
}

/* Walk branch bi's points for every test function's zeros. */
static int detect(prob *P, found *F, int bi)
{
    const plist *L = &F->b[bi].pts;
    int N = L->count, rc = GD_OK;
    for (int t = 0; t < T_COUNT && rc == GD_OK; t++) {
        if (!applies(P, t)) continue;
        int run = 0, first = -1;
        for (int i = 0; i <= N && rc == GD_OK; i++) {
            const double *q = i < N ? at(L, i) : NULL, *pr = i > 0 ? at(L, i - 1) : NULL;
            int origin = q && ((int)q[P->o_flag] & F_ORIGIN), saddle = q && saddle_zero(P, q, t), saddle_before = pr && saddle_zero(P, pr, t);
            int small = q && tiny(P, q, t) && !saddle;
            if (small) {
                if (!run++) first = i;
                continue;
            }
            /* a run that starts at a switched branch's origin is the new branch's onset (a test
             * function vanishing to high order there, as |mu| - 1 ~ (h - h_c)^3 on a period-2 orbit
             * born at a 1:2 resonance), not a neutral structure */
            int onset = first > 0 && ((int)at(L, first - 1)[P->o_flag] & F_ORIGIN);
            if (run >= 3 && (t == T_H || t == T_NS) && !onset) rc = report_neutral(P, F, t, bi, first, i - 1);
            else if (run > 0 && run < 3 && !onset) {
                int best = first;
                for (int j = first; j < i; j++) best = fabs(at(L, j)[P->o_tau + t]) < fabs(at(L, best)[P->o_tau + t]) ? j : best;
                rc = report(P, F, t, bi, at(L, best), best, -1, 0);
            } else if (run == 0 && q && pr && !origin && !saddle && !saddle_before && !((int)pr[P->o_flag] & F_ORIGIN) &&
                       (q[P->o_tau + t] > 0) != (pr[P->o_tau + t] > 0) &&
                       !(t == T_BP && (q[P->o_tau + T_LP] > 0) != (pr[P->o_tau + T_LP] > 0))) { /* BP: with the LP test unchanged */
                double *rec = malloc(sizeof(double) * (size_t)P->D), s = 0;
                if (!rec) return GD_ENOMEM;
                if (locate(P, pr, q, t, rec) == GD_OK) {
                    for (int j = 0; j < P->n1; j++) s += rec_v(P, (double *)pr)[j] * (rec[j] - pr[j]);
                    rc = report(P, F, t, bi, rec, -1, i - 1, s);
                }
                free(rec);
            }
            run = 0;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- branches ----- */
/* A branch through the analysed point q0: both directions (two_legs), or along its tangent. */
static int run_branch(prob *P, br *B, const double *q0, int two_legs)
{
    plist minus = {.D = P->D};
    B->pts.D = P->D;
    B->stop[0] = "start", B->stop[1] = "start";
    double *q = malloc(sizeof(double) * (size_t)P->D);
    int rc = q ? GD_OK : gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && two_legs) {
        memcpy(q, q0, sizeof(double) * (size_t)P->D);
        flip(P, q);
        rc = trace_leg(P, q, &minus, &B->stop[0]);
        for (int i = minus.count - 1; i >= 1 && rc == GD_OK; i--) {
            flip(P, at(&minus, i));
            rc = push(&B->pts, at(&minus, i));
        }
    }
    if (rc == GD_OK) rc = trace_leg(P, q0, &B->pts, &B->stop[1]);
    free(minus.d), free(q);
    return rc;
}

/* Phi^k(-u) = -Phi^k(u) near x = 0: the map is odd (symmetric period-2 orbits exist). */
static int odd_map(prob *P, const double *x)
{
    int n = P->n;
    double *u = malloc(sizeof(double) * 3 * (size_t)n), *a = u + n, *b = a + n;
    int odd = u && gd_norm(n, x) <= 1e-8;
    for (int trial = 0; odd && trial < 2; trial++) {
        for (int i = 0; i < n; i++) u[i] = (trial ? 0.3 : 0.1) * (1 + 0.37 * i) * (i % 2 ? -1 : 1);
        if (iterate(P, u, a, P->k) != GD_OK) odd = 0;
        for (int i = 0; i < n; i++) u[i] = -u[i];
        if (odd && iterate(P, u, b, P->k) != GD_OK) odd = 0;
        for (int i = 0; i < n && odd; i++) odd = fabs(a[i] + b[i]) <= 1e-12 * fmax(1, fabs(a[i]));
    }
    free(u);
    return odd;
}

/* Start a branch of problem (kind, k) at the special point S: its second null vector, the
 * direction of G_y's null space orthogonal to the parent branch's tangent. */
static int switch_branch(prob *P, found *F, int si, int kind, int k, int two_legs)
{
    sp *S = &F->s[si];
    int n1 = P->n1, pk = P->kind, pkk = P->k, rc;
    double *Gy = malloc(sizeof(double) * ((size_t)n1 * (size_t)n1 + 3 * (size_t)n1 + (size_t)P->D)), *v = Gy + (size_t)n1 * n1, *v2 = v + n1, *w = v2 + n1, *q = w + n1;
    if (!Gy) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    const double *vp = rec_v(P, S->rec);
    P->kind = kind, P->k = k;
    rc = gy(P, S->rec, Gy);
    if (rc == GD_OK) rc = null_vectors(P, Gy, v, v2);
    if (rc == GD_OK) {
        const double *c = fabs(gd_dot(n1, v, vp)) < fabs(gd_dot(n1, v2, vp)) ? v : v2;
        double a = gd_dot(n1, c, vp);
        int big = 0;
        for (int i = 0; i < n1; i++) w[i] = c[i] - a * vp[i], big = fabs(w[i]) > fabs(w[big]) ? i : big;
        double s = gd_norm(n1, w) * (w[big] < 0 ? -1 : 1);
        for (int i = 0; i < n1; i++) w[i] /= s;
        rc = analyse(P, S->rec, w, q);
    }
    if (rc == GD_OK) {
        memcpy(rec_v(P, q), w, sizeof(double) * (size_t)n1);
        q[P->o_flag] = F_ORIGIN;
        br *nb = realloc(F->b, sizeof *nb * (size_t)(F->nb + 1));
        if (!nb) rc = gd_fmt(P->msg, GD_ENOMEM, "out of memory");
        else {
            F->b = nb;
            memset(&F->b[F->nb], 0, sizeof *nb);
            F->b[F->nb].kind = kind, F->b[F->nb].k = k, F->b[F->nb].parent = si;
            S->child = F->nb++;
            rc = run_branch(P, &F->b[F->nb - 1], q, two_legs);
        }
    }
    P->kind = pk, P->k = pkk;
    free(Gy);
    return rc;
}

/* Branch switching at the special points of branch bi (BP: the other branch; PD: the
 * doubled period; R2 of an odd map: the symmetric period-2 orbit). */
static int switch_at(prob *P, found *F, int bi, int first_special)
{
    int rc = GD_OK, kind = F->b[bi].kind, k = F->b[bi].k;
    for (int si = first_special; si < F->ns && rc == GD_OK && F->nb < P->o->branches; si++) {
        const sp *S = &F->s[si];
        if (S->branch != bi || kind == K_HIST) continue;
        const int parent = F->b[bi].parent;
        if (S->type == GD_PT_BP && parent >= 0 && F->s[parent].type == GD_PT_BP && fabs(F->s[parent].rec[P->n] - S->rec[P->n]) <= 1e-8 * fmax(1, fabs(S->rec[P->n])))
            continue; /* the point this branch was switched from: its other branch is the parent */
        P->kind = kind, P->k = k;
        int period = kind == K_ANTI ? 2 * k : k;
        if (S->type == GD_PT_BP) rc = switch_branch(P, F, si, kind, k, 1);
        else if (S->type == GD_PT_PD && !strcmp(S->res, "R2") && kind == K_MAP && (set_p(P, S->rec[P->n]), odd_map(P, S->rec)))
            rc = switch_branch(P, F, si, K_ANTI, k, 0);
        else if (S->type == GD_PT_PD && strcmp(S->res, "R2") && kind != K_FLOW && 2 * period <= 64)
            rc = switch_branch(P, F, si, K_MAP, 2 * period, 0);
    }
    return rc;
}

/* ---------------------------------------------------------------- the analysis - */
const char *gd_point_type_name(int type)
{
    static const char *const names[] = {"regular", "LP", "BP", "H", "PD", "NS", "neutral_saddle", "neutral", "end"};
    return type >= 0 && type <= GD_PT_END ? names[type] : "";
}

/* Where KEY's value lives on the clone, checked: a double key of the model or of the rule. */
static int bind_key(prob *P, const char *key)
{
    const char *name = strchr(key, '.') ? strchr(key, '.') + 1 : key;
    gd_stepper *st = P->st;
    if (strncmp(key, "model.", 6) == 0) {
        P->on_model = 1, P->obj = P->m->opts;
        P->row = gd_param_find(P->m->type->params, name);
    } else if (strncmp(key, "integrator.", 11) == 0) {
        if (!st->type->fixed_step) return gd_fmt(P->msg, GD_EUSAGE, "continue: %s does not change the flow's equilibria (%s); continue a model.* key", key, st->type->name);
        P->row = gd_stepper_param(st, name, &P->obj);
        P->rates_only = !strcmp(name, "h") || !strcmp(name, "lr_g") || !strcmp(name, "lr_d");
    } else {
        return gd_fmt(P->msg, GD_EUSAGE, "continue: --param %s must be a model.* or integrator.* key", key);
    }
    if (!P->row) return gd_fmt(P->msg, GD_EUSAGE, "continue: %s is not a key of %s", key, P->on_model ? P->m->type->name : st->type->name);
    if (P->row->type != GD_P_DOUBLE) return gd_fmt(P->msg, GD_EUSAGE, "continue: %s is not a real number; continue a real-valued key", key);
    P->p = *(double *)((char *)P->obj + P->row->offset); /* NaN: no value of its own (a model's "empty: default") */
    return GD_OK;
}

/* The first point: the equilibrium or run.x0, then Newton at the configured value; hint ends
 * the message when Newton finds none (continue: how to start from a cycle instead). */
static int first_point(prob *P, double *q, const char *hint)
{
    int n = P->n, rc = GD_OK, its;
    double *y = malloc(sizeof(double) * 2 * (size_t)P->n1), *c = y + P->n1;
    if (!y) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    int start = P->o->start;
    if (start == 0) start = P->k == 1 && P->m->type->equilibrium && gd_model_equilibrium(P->m, y) == GD_OK ? 1 : 2;
    if (start == 1 && (rc = gd_model_find_equilibrium(P->m, P->sim->starts, y)) != GD_OK)
        rc = gd_fmt(P->msg, rc, "continue: no equilibrium to start from: %s", P->m->msg);
    if (start == 2) memcpy(y, P->sim->starts, sizeof(double) * (size_t)n);
    double p0 = P->p;
    y[n] = p0;
    memset(c, 0, sizeof(double) * (size_t)P->n1), c[n] = 1;
    if (rc == GD_OK && (rc = correct(P, y, c, p0, &its)) != GD_OK)
        rc = gd_fmt(P->msg, rc, "continue: Newton from %s found no point of the branch at %.10g%s", start == 1 ? "the equilibrium" : "run.x0", p0, hint);
    if (rc == GD_OK) y[n] = p0, rc = analyse(P, y, NULL, q);
    free(y);
    return rc;
}

static const char *kind_name(int kind, int k)
{
    return kind == K_FLOW ? "equilibrium" : kind == K_ANTI ? "symmetric" : k > 1 ? "period_k" : "fixed_point";
}

/* Everything into one block the caller frees. */
/* Branches of periodic orbits (continuation.cycles): the Hopf point each starts at (parent,
 * an index of F->s), or the PD point (record pindex of cycle branch pbranch), or neither (-1:
 * the orbit through run.x0). */
typedef struct {
    int n;
    gd_cycle_branch *b;
    int *parent, *pbranch, *pindex;
} cycles;

/* The cycle branches into B (and their special points into S), from *d and *c on. */
static void pack_cycles(const prob *P, found *F, const cycles *Y, gd_branch *B, gd_special_point *S, double **d, signed char **c)
{
    int n = P->n, si = 0;
    for (int k = 0; k < Y->n; k++) {
        const gd_cycle_branch *Z = &Y->b[k];
        gd_branch *o = &B[k];
        int m = Z->npts;
        o->kind = "cycle", o->period = 1, o->n = m, o->dim = n, o->eig_dim = n;
        if (Y->pbranch[k] < 0) o->parent = Y->parent[k]; /* else set at its PD point below */
        o->stop[0] = Z->stop_first, o->stop[1] = Z->stop;
        o->p = *d, o->x = o->p + m, o->eig_re = o->x + (size_t)m * n, o->eig_im = o->eig_re + (size_t)m * n, o->T = o->eig_im + (size_t)m * n, o->amplitude = o->T + m;
        *d = o->amplitude + m;
        o->stability = *c, o->type = *c + m, *c += 2 * m;
        for (int i = 0; i < m; i++) {
            gd_cycle_view v;
            gd_cycle_point(Z, i, &v);
            o->p[i] = v.p, o->T[i] = v.T, o->amplitude[i] = v.amplitude;
            memcpy(o->x + (size_t)i * n, v.x, sizeof(double) * (size_t)n);
            memcpy(o->eig_re + (size_t)i * n, v.re, sizeof(double) * (size_t)n);
            memcpy(o->eig_im + (size_t)i * n, v.im, sizeof(double) * (size_t)n);
            o->stability[i] = (signed char)v.unstable;
            o->type[i] = (signed char)(i == 0 || i == m - 1 ? (v.type != GD_PT_REGULAR ? v.type : GD_PT_END) : v.type);
            if (v.type == GD_PT_REGULAR) continue;
            gd_special_point *s = &S[si++];
            *s = (gd_special_point){.type = v.type, .branch = F->nb + k, .index = i, .p = v.p, .p_end = v.p, .x = *d, .omega = NAN, .theta = NAN, .coeff = NAN,
                                    .c1_re = NAN, .c1_im = NAN, .criticality = "", .resonance = "none", .child = -1};
            s->test = v.type == GD_PT_LP ? "LPC" : v.type == GD_PT_PD ? "PD" : "NS";
            /* the pair on the unit circle (the one nearest it), as at the NS points of maps */
            double best = INFINITY;
            for (int j = 1; v.type == GD_PT_NS && j < n; j++)
                if (v.im[j] > 0 && fabs(hypot(v.re[j], v.im[j]) - 1) < best) best = fabs(hypot(v.re[j], v.im[j]) - 1), s->theta = atan2(v.im[j], v.re[j]);
            if (v.type == GD_PT_NS) s->resonance = resonance(s->theta);
            if (v.type == GD_PT_NS && s->resonance[0] == 'R') s->criticality = "resonant";
            for (int k2 = k + 1; k2 < Y->n; k2++)
                if (Y->pbranch[k2] == k && Y->pindex[k2] == i) s->child = F->nb + k2, B[k2].parent = F->ns + si - 1;
            memcpy(*d, v.x, sizeof(double) * (size_t)n);
            *d += n;
        }
    }
}

/* The cycle branches' special points (LPC, PD, NS at located points). */
static int cycle_specials(const cycles *Y)
{
    int c = 0;
    for (int k = 0; k < Y->n; k++)
        for (int i = 0; i < Y->b[k].npts; i++) {
            gd_cycle_view v;
            gd_cycle_point(&Y->b[k], i, &v);
            c += v.type != GD_PT_REGULAR;
        }
    return c;
}

static int pack(prob *P, found *F, const char *key, const cycles *Y, gd_continue_result *out)
{
    int n = P->n, nm = P->nm, ncs = cycle_specials(Y), nb = F->nb + Y->n, ns = F->ns + ncs;
    size_t total = 0, dbl = 0, i8 = 0;
    for (int b = 0; b < F->nb; b++) {
        size_t m = (size_t)F->b[b].pts.count;
        for (int i = 0; i < F->ns; i++) m += F->s[i].branch == b && F->s[i].on < 0;
        dbl += m * (1 + (size_t)n + 2 * (size_t)nm), i8 += 2 * m;
    }
    for (int k = 0; k < Y->n; k++) dbl += (size_t)Y->b[k].npts * (3 + 3 * (size_t)n), i8 += 2 * (size_t)Y->b[k].npts;
    dbl += (size_t)ns * (size_t)n;
    total = sizeof(gd_branch) * (size_t)nb + sizeof(gd_special_point) * (size_t)ns + sizeof(double) * dbl + i8 + strlen(key) + 1;
    char *blk = calloc(1, total);
    if (!blk) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    gd_branch *B = (gd_branch *)blk;
    gd_special_point *S = (gd_special_point *)(B + nb);
    double *d = (double *)(S + ns);
    signed char *c = (signed char *)(d + dbl);
    int *order = NULL, *pos = NULL;
    for (int b = 0; b < F->nb; b++) {
        const br *src = &F->b[b];
        int N = src->pts.count, m = 0;
        gd_branch *o = &B[b];
        /* the merged points, each followed by the specials located after it in arclength order */
        int *no = realloc(order, sizeof(int) * (size_t)(N + F->ns + 1)), *np = realloc(pos, sizeof(int) * (size_t)(N + 1));
        if (no) order = no;
        if (np) pos = np;
        if (!no || !np) {
            free(blk), free(order), free(pos);
            return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
        }
        for (int j = 0; j < N; j++) {
            pos[j] = m, order[m++] = j;
            for (;;) {
                int best = -1;
                for (int i = 0; i < F->ns; i++) {
                    const sp *x = &F->s[i];
                    int placed = 0;
                    for (int k = pos[j] + 1; k < m; k++) placed |= order[k] == -(i + 1);
                    if (x->branch == b && x->on < 0 && x->after == j && !placed && (best < 0 || x->s < F->s[best].s)) best = i;
                }
                if (best < 0) break;
                order[m++] = -(best + 1);
            }
        }
        o->n = m, o->dim = n, o->eig_dim = nm;
        o->p = d, o->x = d + m, o->eig_re = o->x + (size_t)m * n, o->eig_im = o->eig_re + (size_t)m * nm;
        d = o->eig_im + (size_t)m * nm;
        o->stability = c, o->type = c + m, c += 2 * m;
        o->kind = kind_name(src->kind, src->k), o->period = src->kind == K_ANTI ? 2 * src->k : src->k;
        o->parent = src->parent, o->stop[0] = src->stop[0], o->stop[1] = src->stop[1];
        for (int w = 0; w < m; w++) {
            const double *q = order[w] >= 0 ? at(&src->pts, order[w]) : F->s[-order[w] - 1].rec;
            o->p[w] = q[n];
            memcpy(o->x + (size_t)w * n, q, sizeof(double) * (size_t)n);
            memcpy(o->eig_re + (size_t)w * nm, q + P->o_re, sizeof(double) * (size_t)nm);
            memcpy(o->eig_im + (size_t)w * nm, q + P->o_im, sizeof(double) * (size_t)nm);
            o->stability[w] = (signed char)q[P->o_unst];
            o->type[w] = order[w] >= 0 ? GD_PT_REGULAR : (signed char)F->s[-order[w] - 1].type;
            if (order[w] < 0) F->s[-order[w] - 1].index = w;
        }
        for (int i = 0; i < F->ns; i++) {
            sp *x = &F->s[i];
            if (x->branch != b || x->on < 0) continue;
            x->index = pos[x->on];
            for (int j = x->on; x->type == GD_PT_NEUTRAL && j <= x->last; j++)
                if (o->type[pos[j]] == GD_PT_REGULAR) o->type[pos[j]] = GD_PT_NEUTRAL;
            if (x->type != GD_PT_NEUTRAL) o->type[x->index] = (signed char)x->type;
        }
        if (m && o->type[0] == GD_PT_REGULAR) o->type[0] = GD_PT_END;
        if (m && o->type[m - 1] == GD_PT_REGULAR) o->type[m - 1] = GD_PT_END;
    }
    free(order), free(pos);
    for (int i = 0; i < F->ns; i++) {
        const sp *x = &F->s[i];
        gd_special_point *o = &S[i];
        o->type = x->type, o->branch = x->branch, o->index = x->index, o->p = x->rec[n], o->p_end = x->type == GD_PT_NEUTRAL ? x->p_end : x->rec[n];
        o->x = d, d += n;
        memcpy(o->x, x->rec, sizeof(double) * (size_t)n);
        o->omega = x->omega, o->theta = x->theta, o->coeff = x->type == GD_PT_BP ? NAN : x->coeff, o->c1_re = x->c1re, o->c1_im = x->c1im;
        o->criticality = x->crit, o->resonance = x->res, o->test = x->test, o->child = x->child;
    }
    pack_cycles(P, F, Y, B + F->nb, S + F->ns, &d, &c);
    out->param = (char *)c;
    strcpy(out->param, key);
    out->branches = B, out->nbranches = nb, out->special = S, out->nspecial = ns;
    return GD_OK;
}

static void found_free(found *F)
{
    for (int b = 0; b < F->nb; b++) free(F->b[b].pts.d);
    for (int i = 0; i < F->ns; i++) free(F->s[i].rec);
    free(F->b), free(F->s);
}

/* The problem on a clone of s: kind and sizes. */
static int prob_open(prob *P, gd_sim *s)
{
    memset(P, 0, sizeof *P);
    if (!(P->sim = gd_sim_clone(s))) return gd_fmt(P->msg, GD_ENOMEM, "out of memory (or the configuration no longer sets up)");
    P->m = P->sim->model, P->st = P->sim->stepper, P->o = P->sim->continuation, P->p = NAN;
    P->k = (int)P->o->period, P->n = P->m->dim, P->n1 = P->n + 1, P->nm = P->n, P->max_its = 8;
    const gd_integrator_type *t = P->st->type;
    P->kind = !t->fixed_step ? K_FLOW : t->history ? K_HIST : K_MAP;
    if (P->kind == K_HIST) P->nm = gd_stepper_map_dim(P->st);
    if (P->kind != K_MAP && P->k > 1)
        return gd_fmt(P->msg, GD_EUSAGE, "continue: continuation.period = %d needs a fixed-step rule without history (not %s)", P->k, t->name);
    return GD_OK;
}

/* ... then the key's place, the orbit's store and the record layout. */
static int prob_bind(prob *P, gd_sim *s, const char *key)
{
    int rc = prob_open(P, s);
    if (rc == GD_OK) rc = gd_check_dense(P->msg, P->n1, 4, "continue: the Jacobians");
    if (rc == GD_OK) rc = bind_key(P, key);
    if (rc != GD_OK) return rc;
    if (!(P->orb = malloc(sizeof(double) * (size_t)P->n * 128))) return gd_fmt(P->msg, GD_ENOMEM, "out of memory"); /* k <= 64, 2k iterations */
    layout(P);
    return GD_OK;
}

/* ... and the interval and the steps. */
static int prob_init(prob *P, gd_sim *s, const char *key, double lo, double hi)
{
    int rc = prob_bind(P, s, key);
    if (rc != GD_OK) return rc;
    P->lo = lo, P->hi = hi;
    if (isnan(P->p)) return gd_fmt(P->msg, GD_EUSAGE, "continue: %s has no value of its own; set it in CONFIG (the branch starts there)", key);
    if (P->o->cycles && P->kind != K_FLOW)
        return gd_fmt(P->msg, GD_EUSAGE, "continue: continuation.cycles = 1 needs a flow (integrator cvode), not %s", P->st->type->name);
    if (P->o->start == START_ORBIT && P->kind != K_FLOW)
        return gd_fmt(P->msg, GD_EUSAGE, "continue: continuation.start = orbit continues a periodic orbit of a flow (integrator cvode), not a fixed point of %s", P->st->type->name);
    if (!(lo <= P->p && P->p <= hi))
        return gd_fmt(P->msg, GD_EUSAGE, "continue: the branch starts at %s = %.10g, outside [%.10g, %.10g]; set it in CONFIG or move --lo/--hi", key, P->p, lo, hi);
    P->dsmax = isnan(P->o->ds_max) ? (hi - lo) / 10 : P->o->ds_max;
    P->ds0 = fmin(isnan(P->o->ds) ? (hi - lo) / 100 : P->o->ds, P->dsmax);
    return GD_OK;
}

int gd_sim_map_derivatives(gd_sim *s, const double *x, const double *u, const double *v, const double *w, double *B, double *C)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!x || !u || !v || (C && !w) || (!B && !C)) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_map_derivatives: need x, u, v (w for C) and B or C (NULL)");
    prob P;
    int rc = prob_open(&P, s);
    if (rc == GD_OK && P.kind == K_HIST)
        rc = gd_fmt(P.msg, GD_EUSAGE, "gd_sim_map_derivatives: %s keeps a history; continuation takes no coefficients of its map", P.st->type->name);
    if (rc == GD_OK && B) rc = breal(&P, x, u, v, B);
    if (rc == GD_OK && C) rc = c3real(&P, x, u, v, w, C);
    if (rc != GD_OK) gd_fmt(s->msg, rc, "%s", P.msg[0] ? P.msg : gd_strerror(rc));
    gd_sim_free(&P.sim);
    return rc;
}

/* Branch switching at the PD points of cycle branch k onto the cycles of twice the period
 * (none found next to a PD point: that point gets no child). */
static int double_at(prob *P, int nb, const char *key, double lo, double hi, const gd_cycle_opts *o, cycles *Y, int k)
{
    for (int i = 0; i < Y->b[k].npts && nb + Y->n < P->o->branches; i++) {
        gd_cycle_view v;
        gd_cycle_point(&Y->b[k], i, &v);
        if (v.type != GD_PT_PD) continue;
        int rc = gd_cycle_branch_doubled(P->sim, key, lo, hi, o, &Y->b[k], i, &Y->b[Y->n]);
        if (rc == GD_ESOLVER) continue;
        if (rc != GD_OK) return gd_fmt(P->msg, rc, "%s", P->sim->msg);
        Y->parent[Y->n] = -1, Y->pbranch[Y->n] = k, Y->pindex[Y->n++] = i;
    }
    return GD_OK;
}

/* A branch of periodic orbits from every Hopf point of a flow's branches (l1 degenerate: the
 * vertical branch of a conservative family), or from the orbit through run.x0; then the
 * doubled cycles at their PD points. */
static int trace_cycles(prob *P, found *F, const char *key, double lo, double hi, cycles *Y)
{
    int rc = GD_OK, cap = (int)P->o->branches + 1;
    Y->b = calloc((size_t)cap, sizeof *Y->b), Y->parent = calloc(3 * (size_t)cap, sizeof *Y->parent);
    if (!Y->b || !Y->parent) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    Y->pbranch = Y->parent + cap, Y->pindex = Y->pbranch + cap;
    for (int k = 0; k < cap; k++) Y->parent[k] = Y->pbranch[k] = -1;
    gd_cycle_opts o = {.ds0 = P->ds0, .dsmax = P->dsmax, .dsmin = P->o->ds_min, .xmax = P->o->x_max, .newton_tol = P->o->newton_tol, .loctol = P->o->loc_tol, .max_steps = P->o->max_steps};
    if (P->o->start == START_ORBIT) {
        rc = gd_cycle_branch_from_orbit(P->sim, key, lo, hi, &o, &Y->b[0]);
        if (rc != GD_OK) gd_fmt(P->msg, rc, "%s", P->sim->msg);
        else Y->n = 1;
    }
    for (int i = 0; i < F->ns && rc == GD_OK; i++) {
        const sp *S = &F->s[i];
        if (S->type != GD_PT_H || !isfinite(S->omega) || F->nb + Y->n >= P->o->branches) continue;
        int degenerate = !strcmp(S->crit, "degenerate");
        if (!degenerate && !isfinite(S->c1re)) continue;
        gd_cycle_start H = {.x = S->rec, .p = S->rec[P->n], .omega = S->omega, .c1re = S->c1re, .degenerate = degenerate};
        rc = gd_cycle_branch_trace(P->sim, key, lo, hi, &o, &H, &Y->b[Y->n]);
        if (rc != GD_OK) gd_fmt(P->msg, rc, "%s", P->sim->msg);
        else F->s[i].child = F->nb + Y->n, Y->parent[Y->n++] = i;
    }
    for (int k = 0; k < Y->n && rc == GD_OK; k++) rc = double_at(P, F->nb, key, lo, hi, &o, Y, k);
    P->p = NAN; /* the model's value of the key moved along the cycles */
    return rc;
}

int gd_sim_continue(gd_sim *s, const char *key, double lo, double hi, gd_continue_result *out)
{
    if (out) memset(out, 0, sizeof *out);
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !out) return gd_fmt(s->msg, GD_EUSAGE, "continue: need a key and a result struct to fill (NULL)");
    if (!(lo < hi) || !isfinite(lo) || !isfinite(hi)) return gd_fmt(s->msg, GD_EUSAGE, "continue: need finite --lo < --hi");
    prob P;
    found F = {0};
    double *q = NULL;
    int rc = prob_init(&P, s, key, lo, hi), orbit = rc == GD_OK && P.o->start == START_ORBIT;
    if (rc == GD_OK && !(q = malloc(sizeof(double) * (size_t)P.D))) rc = gd_fmt(P.msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && !orbit) rc = first_point(&P, q, P.kind == K_FLOW ? " (to continue the cycle through run.x0: --from orbit)" : "");
    if (rc == GD_OK && !orbit && !(F.b = calloc(1, sizeof *F.b))) rc = gd_fmt(P.msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && !orbit) {
        F.nb = 1, F.b[0].kind = P.kind, F.b[0].k = P.k, F.b[0].parent = -1;
        rc = run_branch(&P, &F.b[0], q, 1);
    }
    /* each branch in turn: its special points, then the branches they start */
    for (int b = 0; b < F.nb && rc == GD_OK; b++) {
        int first = F.ns;
        P.kind = F.b[b].kind, P.k = F.b[b].k;
        rc = detect(&P, &F, b);
        if (rc == GD_OK) rc = switch_at(&P, &F, b, first);
    }
    cycles Y = {0};
    if (rc == GD_OK && (P.o->cycles || orbit)) rc = trace_cycles(&P, &F, key, lo, hi, &Y);
    if (rc == GD_OK) rc = pack(&P, &F, key, &Y, out);
    for (int k = 0; k < Y.n; k++) free(Y.b[k].rec);
    free(Y.b), free(Y.parent);
    if (rc != GD_OK) gd_fmt(s->msg, rc, "%s", P.msg[0] ? P.msg : gd_strerror(rc));
    found_free(&F);
    free(q), free(P.orb);
    gd_sim_free(&P.sim);
    return rc;
}

void gd_continue_result_free(gd_continue_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->branches);
}

/* ---------------------------------------------------------------- gandyn normal */
/* The eigenvalue of the record critical for test t (LP, H, PD, NS) into *z, with its distance
 * from the crossing as the ranking *rank; -1 when the record has none of the kind. Real means
 * |Im| <= 1e-6 of the scale (a Jordan block at -1 splits by ~1e-8: still a real pair, R2). */
static int critical_eig(const prob *P, const double *q, int t, double complex *z, double *rank)
{
    int best = -1, flow = P->kind == K_FLOW;
    double tol = RECHECK_TOL * eig_scale(P, q);
    *rank = INFINITY;
    if ((t == T_H && !flow) || ((t == T_PD || t == T_NS) && flow)) return -1;
    for (int i = 0; i < P->nm; i++) {
        double complex e = q[P->o_re + i] + I * q[P->o_im + i];
        int real = fabs(cimag(e)) <= tol, upper = cimag(e) > 0;
        double r = t == T_LP ? (real ? cabs(e - (flow ? 0 : 1)) : INFINITY)
                 : t == T_PD ? (real ? cabs(e + 1) : INFINITY)
                 : t == T_H ? (upper && !real ? fabs(creal(e)) : INFINITY)
                 : (upper && !real ? fabs(cabs(e) - 1) : INFINITY);
        if (r < *rank) *rank = r, best = i, *z = t == T_H || t == T_NS ? e : creal(e);
    }
    return best;
}

/* The type asked (GD_PT_REGULAR: the nearest crossing; PD before NS at a tie, as at R2) as the
 * test *t with its critical eigenvalue *z. */
static int pick_type(prob *P, const double *q, int type, int *t, double complex *z)
{
    static const int order[] = {T_LP, T_PD, T_NS, T_H};
    double best = INFINITY, r;
    *t = -1;
    for (int k = 0; k < 4; k++) {
        double complex e;
        if (type != GD_PT_REGULAR && type != order[k] + 1) continue;
        if (critical_eig(P, q, order[k], &e, &r) >= 0 && r < best) best = r, *t = order[k], *z = e;
    }
    if (*t >= 0) return GD_OK;
    int flow = P->kind == K_FLOW;
    const char *name = type == GD_PT_H ? "hopf" : type == GD_PT_PD ? "pd" : type == GD_PT_NS ? "ns" : "lp";
    if (type == GD_PT_H && !flow) return gd_fmt(P->msg, GD_EUSAGE, "normal: --type hopf needs a flow (integrator cvode), not a map; use --type ns");
    if ((type == GD_PT_PD || type == GD_PT_NS) && flow)
        return gd_fmt(P->msg, GD_EUSAGE, "normal: --type %s needs a map (a fixed-step rule), not a flow; use --type %s", name, type == GD_PT_PD ? "lp" : "hopf");
    const char *what = type == GD_PT_H ? "a complex pair of eigenvalues" : type == GD_PT_NS ? "a complex pair of multipliers" : flow ? "a real eigenvalue" : "a real multiplier";
    return gd_fmt(P->msg, GD_EUSAGE, "normal: --type %s needs %s; the point has none among its %d", name, what, P->nm);
}

/* The normal form of the record q (type t, critical eigenvalue z) into out (its arrays in one block). */
static int normal_pack(prob *P, const char *key, const double *q, int t, double complex z, gd_normal_result *out)
{
    int n = P->n, nm = P->nm, flow = P->kind == K_FLOW;
    sp S = {.rec = (double *)q, .type = t + 1, .omega = NAN, .theta = NAN, .crit = "", .res = "none", .test = test_names[t]};
    if (t == T_H) S.omega = cimag(z);
    if (t == T_NS) S.theta = carg(z);
    characterize(P, t, &S, z);
    double *d = malloc(sizeof(double) * ((size_t)n + 2 * (size_t)nm) + strlen(key) + 1);
    if (!d) return gd_fmt(P->msg, GD_ENOMEM, "out of memory");
    out->x = d, out->eig_re = d + n, out->eig_im = d + n + nm, out->param = (char *)(d + n + 2 * nm);
    strcpy(out->param, key);
    memcpy(out->x, q, sizeof(double) * (size_t)n);
    memcpy(out->eig_re, q + P->o_re, sizeof(double) * (size_t)nm), memcpy(out->eig_im, q + P->o_im, sizeof(double) * (size_t)nm);
    out->type = t + 1, out->kind = kind_name(P->kind, P->k), out->period = P->k, out->dim = n, out->eig_dim = nm, out->p = q[n];
    out->mu_re = creal(z), out->mu_im = cimag(z), out->omega = S.omega, out->theta = t == T_NS ? S.theta : NAN;
    out->distance = flow ? creal(z) : cabs(z) - 1;
    out->coeff = S.coeff, out->c1_re = S.c1re, out->c1_im = S.c1im, out->criticality = S.crit, out->resonance = S.res;
    /* the orbit the normal form predicts at p: |z|^2 = -Re lambda / Re c1, eta^2 = (|mu| - 1) / c, |z|^2 = -(|mu| - 1) / d */
    double r2 = t == T_H ? -out->distance / S.c1re : t == T_PD ? out->distance / S.coeff : t == T_NS ? -out->distance / S.coeff : NAN;
    if (fabs(out->distance) <= 1e-12 * eig_scale(P, q)) r2 = 0; /* on the crossing, to the eigenvalues' rounding */
    int decided = !strcmp(S.crit, "super") || !strcmp(S.crit, "sub");
    out->amplitude = decided && r2 >= 0 ? sqrt(r2) + 0.0 : NAN; /* + 0.0: no -0 */
    return GD_OK;
}

int gd_sim_normal(gd_sim *s, const char *key, double p, int type, gd_normal_result *out)
{
    if (out) memset(out, 0, sizeof *out);
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !out) return gd_fmt(s->msg, GD_EUSAGE, "normal: need a key and a result struct to fill (NULL)");
    if (!isfinite(p)) return gd_fmt(s->msg, GD_EUSAGE, "normal: --at needs a finite value");
    if (type != GD_PT_REGULAR && type != GD_PT_LP && type != GD_PT_H && type != GD_PT_PD && type != GD_PT_NS)
        return gd_fmt(s->msg, GD_EUSAGE, "normal: type %d is none of LP, H, PD, NS (GD_PT_*) or GD_PT_REGULAR (the nearest)", type);
    prob P;
    double *q = NULL;
    double complex z = 0;
    int rc = prob_bind(&P, s, key), t = -1;
    if (rc == GD_OK && P.kind == K_HIST)
        rc = gd_fmt(P.msg, GD_EUSAGE, "normal: %s keeps a history; continuation takes no coefficients of its map (use a rule without history)", P.st->type->name);
    if (rc == GD_OK && !(q = malloc(sizeof(double) * (size_t)P.D))) rc = gd_fmt(P.msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) rc = set_p(&P, p);
    P.max_its = 60; /* at a fold Newton halves the distance per step: 1 to 1e-10 in 34 */
    if (rc == GD_OK && P.o->start == START_ORBIT)
        rc = gd_fmt(P.msg, GD_EUSAGE, "normal: --from orbit: the coefficients are those of equilibria and fixed points; a cycle's PD and NS carry none (docs/bifurcations.md)");
    if (rc == GD_OK && (rc = first_point(&P, q, "")) != GD_OK && rc != GD_ENOMEM) {
        char why[GD_MSG_LEN];
        snprintf(why, sizeof why, "%s", strncmp(P.msg, "continue: ", 10) ? P.msg : P.msg + 10);
        rc = gd_fmt(P.msg, GD_EUSAGE, "normal: no %s found at %s = %.10g (%s)", kind_name(P.kind, P.k), key, p, why);
    }
    if (rc == GD_OK) rc = pick_type(&P, q, type, &t, &z);
    if (rc == GD_OK) rc = normal_pack(&P, key, q, t, z, out);
    if (rc != GD_OK) {
        const char *m = P.msg[0] ? P.msg : gd_strerror(rc);
        gd_fmt(s->msg, rc, "%s%s", strncmp(m, "continue: ", 10) ? "" : "normal: ", strncmp(m, "continue: ", 10) ? m : m + 10);
    }
    free(q), free(P.orb);
    gd_sim_free(&P.sim);
    return rc;
}

void gd_normal_result_free(gd_normal_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->x);
}

/* ---------------------------------------------------------------- --from ------- */
/* The start of a branch from special point N of a continue file: run.x0 = its x, KEY = its p,
 * continuation.start = x0; the file's parameter must be KEY and its dimension the model's. */
static int start_from_file(gd_sim *s, const char *key, const char *file, long N)
{
    char msg[GD_MSG_LEN], text[64];
    int rank = 0, rc;
    hsize_t dx[8], dp[8];
    double *x = NULL, *p = NULL;
    if ((rc = gd_h5_read(file, "/points/x", 2, 1u << 24, &rank, dx, &x, msg)) != GD_OK || rank != 2)
        rc = gd_fmt(s->msg, GD_EUSAGE, "--from %s: no special points to start from (%s)", file, rc != GD_OK ? msg : "/points/x is not a table");
    else if ((rc = gd_h5_read(file, "/points/p", 1, 1u << 24, &rank, dp, &p, msg)) != GD_OK)
        rc = gd_fmt(s->msg, GD_EUSAGE, "--from %s: %s", file, msg);
    else if (N < 0 || (hsize_t)N >= dx[0])
        rc = gd_fmt(s->msg, GD_EUSAGE, "--from %s: no special point %ld (the file has %llu: 0 to %llu)", file, N, (unsigned long long)dx[0], (unsigned long long)dx[0] - 1);
    else if ((int)dx[1] != s->model->dim)
        rc = gd_fmt(s->msg, GD_EUSAGE, "--from %s: its points have %llu coordinates, the model %d", file, (unsigned long long)dx[1], s->model->dim);
    char *param = rc == GD_OK ? gd_h5_read_attr_string(file, "/branch/0", "param") : NULL;
    if (rc == GD_OK && (!param || strcmp(param, key)))
        rc = gd_fmt(s->msg, GD_EUSAGE, "--from %s: the file continues %s, not %s", file, param ? param : "no key", key);
    char *x0 = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; rc == GD_OK && i < s->model->dim; i++) gd_strbuf_add(&x0, &len, &cap, "%s%.17g", i ? "," : "", x[(size_t)N * dx[1] + i]);
    if (rc == GD_OK) snprintf(text, sizeof text, "%.17g", p[N]);
    if (rc == GD_OK && !x0) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && (rc = gd_sim_set(s, "run.x0", x0)) == GD_OK && (rc = gd_sim_set(s, key, text)) == GD_OK && (rc = gd_sim_set(s, "continuation.start", "x0")) == GD_OK)
        rc = gd_sim_setup(s);
    free(x), free(p), free(param), free(x0);
    return rc;
}

int gd_sim_continue_from(gd_sim *s, const char *key, const char *from)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !from) return gd_fmt(s->msg, GD_EUSAGE, "continue: need a key and a start (NULL)");
    if (!strcmp(from, "equilibrium") || !strcmp(from, "x0") || !strcmp(from, "orbit")) {
        int rc = gd_sim_set(s, "continuation.start", from);
        return rc == GD_OK ? gd_sim_setup(s) : rc;
    }
    const char *hash = strstr(from, "#/points/");
    char *end = NULL;
    long N = hash ? strtol(hash + 9, &end, 10) : -1;
    if (!hash || hash == from || end == hash + 9 || *end)
        return gd_fmt(s->msg, GD_EUSAGE, "--from needs equilibrium, x0, orbit or FILE.h5#/points/N (not '%s')", from);
    char *file = strndup(from, (size_t)(hash - from));
    int rc = file ? start_from_file(s, key, file, N) : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    free(file);
    return rc;
}

/* ---------------------------------------------------------------- files -------- */
static int write_int8(gd_h5 *f, const char *path, hsize_t n, const signed char *v)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(gd_h5_file(f), path, H5T_NATIVE_SCHAR, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    return st < 0 ? GD_EIO : GD_OK;
}

static int write_branch(gd_h5 *f, const gd_continue_result *r, int b)
{
    const gd_branch *B = &r->branches[b];
    char g[64], path[96];
    snprintf(g, sizeof g, "/branch/%d", b);
    hsize_t n = (hsize_t)B->n, d2[2] = {n, (hsize_t)B->dim}, e2[2] = {n, (hsize_t)B->eig_dim};
    snprintf(path, sizeof path, "%s/p", g);
    int rc = gd_h5_write(f, path, 1, &n, B->p);
    snprintf(path, sizeof path, "%s/x", g);
    if (rc == GD_OK) rc = gd_h5_write(f, path, 2, d2, B->x);
    snprintf(path, sizeof path, "%s/eig_re", g);
    if (rc == GD_OK) rc = gd_h5_write(f, path, 2, e2, B->eig_re);
    snprintf(path, sizeof path, "%s/eig_im", g);
    if (rc == GD_OK) rc = gd_h5_write(f, path, 2, e2, B->eig_im);
    snprintf(path, sizeof path, "%s/stability", g);
    if (rc == GD_OK) rc = write_int8(f, path, n, B->stability);
    snprintf(path, sizeof path, "%s/type", g);
    if (rc == GD_OK) rc = write_int8(f, path, n, B->type);
    snprintf(path, sizeof path, "%s/T", g);
    if (rc == GD_OK && B->T) rc = gd_h5_write(f, path, 1, &n, B->T);
    snprintf(path, sizeof path, "%s/amplitude", g);
    if (rc == GD_OK && B->amplitude) rc = gd_h5_write(f, path, 1, &n, B->amplitude);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, g, "kind", B->kind);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, g, "param", r->param);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, g, "period", B->period);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, g, "parent_point", B->parent);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, g, "stop_first", B->stop[0]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, g, "stop_last", B->stop[1]);
    return rc;
}

/* /points: one entry per special point; the names joined by ';' as attributes. */
static int write_points(gd_h5 *f, const gd_continue_result *r)
{
    int ns = r->nspecial, dim = r->branches[0].dim;
    if (!ns) return GD_OK;
    double *v = malloc(sizeof(double) * (size_t)ns * (size_t)(10 + dim));
    char *names[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0}, caps[3] = {0, 0, 0};
    if (!v) return GD_ENOMEM;
    static const char *const col[] = {"type", "p", "p_end", "branch", "index", "coeff", "omega", "theta", "c1_re", "c1_im"};
    for (int i = 0; i < ns; i++) {
        const gd_special_point *s = &r->special[i];
        double row[10] = {s->type, s->p, s->p_end, s->branch, s->index, s->coeff, s->omega, s->theta, s->c1_re, s->c1_im};
        for (int c = 0; c < 10; c++) v[(size_t)c * ns + i] = row[c];
        memcpy(v + (size_t)10 * ns + (size_t)i * dim, s->x, sizeof(double) * (size_t)dim);
        gd_strbuf_add(&names[0], &lens[0], &caps[0], "%s%s", i ? ";" : "", s->criticality);
        gd_strbuf_add(&names[1], &lens[1], &caps[1], "%s%s", i ? ";" : "", s->resonance);
        gd_strbuf_add(&names[2], &lens[2], &caps[2], "%s%s", i ? ";" : "", gd_point_type_name(s->type));
    }
    int rc = GD_OK;
    hsize_t n = (hsize_t)ns, d2[2] = {n, (hsize_t)dim};
    for (int c = 0; c < 10 && rc == GD_OK; c++) {
        char path[64];
        snprintf(path, sizeof path, "/points/%s", col[c]);
        rc = gd_h5_write(f, path, 1, &n, v + (size_t)c * ns);
    }
    if (rc == GD_OK) rc = gd_h5_write(f, "/points/x", 2, d2, v + (size_t)10 * ns);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/points", "criticality", names[0] ? names[0] : "");
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/points", "resonance", names[1] ? names[1] : "");
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/points", "type_names", names[2] ? names[2] : "");
    free(v), free(names[0]), free(names[1]), free(names[2]);
    return rc;
}

int gd_sim_write_continue(gd_sim *s, const char *path, const gd_continue_result *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->branches) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_continue: need a path and a continuation result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    for (int b = 0; b < r->nbranches && rc == GD_OK; b++) rc = write_branch(f, r, b);
    if (rc == GD_OK) rc = write_points(f, r);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}

int gd_sim_write_normal(gd_sim *s, const char *path, const gd_normal_result *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->x) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_normal: need a path and a normal-form result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg), m = r->eig_dim;
    if (rc != GD_OK) return rc;
    double *e = malloc(sizeof(double) * 2 * (size_t)m);
    hsize_t dn = (hsize_t)r->dim, ed[2] = {(hsize_t)m, 2};
    if (!e) rc = GD_ENOMEM;
    for (int i = 0; e && i < m; i++) e[2 * i] = r->eig_re[i], e[2 * i + 1] = r->eig_im[i];
    const char *names[] = {"p", "omega", "theta", "distance", "coeff", "amplitude"};
    const double vals[] = {r->p, r->omega, r->theta, r->distance, r->coeff, r->amplitude}, mu[2] = {r->mu_re, r->mu_im}, c1[2] = {r->c1_re, r->c1_im};
    if (rc == GD_OK) rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_h5_write(f, "/normal/x", 1, &dn, r->x);
    if (rc == GD_OK) rc = gd_h5_write(f, "/normal/eigenvalues", 2, ed, e);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/normal", "param", r->param);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/normal", "type", gd_point_type_name(r->type));
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/normal", "kind", r->kind);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/normal", "period", r->period);
    for (int k = 0; k < 6 && rc == GD_OK; k++) rc = gd_h5_attr_doubles(f, "/normal", names[k], 1, vals + k);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/normal", "mu", 2, mu);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/normal", "c1", 2, c1);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/normal", "criticality", r->criticality);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/normal", "resonance", r->resonance);
    free(e);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
