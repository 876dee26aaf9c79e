/* SPDX-License-Identifier: BSD-3-Clause
 *
 * cgd: competitive gradient descent (docs/optimizers.md). Each player's step answers the
 * other's step in the bilinear local game: dtheta = h_g (F_theta + J_theta,psi dpsi),
 * dpsi = h_d (F_psi + J_psi,theta dtheta), i.e.
 *     x+ = P(x + (I - H N)^{-1} H F(x)),   N = the off-diagonal blocks of J = DF(x).
 * Two solvers (integrator.cgd_solver):
 *   dense  LU of I - H N with the model's Jacobian (analytic, else central differences);
 *   cg     conjugate gradients on the generator's system
 *          (I - h_g h_d J_tp J_pt) dtheta = h_g (F_theta + h_d J_tp F_psi),
 *          then dpsi = h_d (F_psi + J_pt dtheta), with products by the two coupling blocks
 *          only (the model's Jacobian-vector product, else its analytic Jacobian formed once
 *          per step, else a difference of the field). In a zero-sum game J_pt = -J_tp^T, and
 *          the matrix is I + h_g h_d J_tp J_tp^T: symmetric positive definite. CG needs that,
 *          and setup checks it with two products at the default start.
 *   auto   dense up to 2000 coordinates, cg above (dense when the game is not zero-sum).
 * The rule keeps no state; it is no lane rule (its step needs the Jacobian, which a batch of
 * sweep cells does not carry), so sweeps run it cell by cell.
 */
#include "gd_impl.h"

#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum { CGD_AUTO, CGD_DENSE, CGD_CG };
#define CGD_DENSE_MAX 2000 /* auto: dense LU up to this many coordinates */

typedef struct {
    int solver; /* CGD_* */
    double cg_tol;
    long cg_maxit; /* 0: 10 n */
} cgd_opts;

#define O(f) offsetof(cgd_opts, f)
static const char *const solvers[] = {"auto", "dense", "cg", NULL};
static const gd_param cgd_params[] = {
    {"cgd_solver", GD_P_ENUM, O(solver), "auto",
     "cgd: the solve of (I - H N) dx = H F: auto (dense up to 2000 coordinates, else cg) | dense (LU) | cg (conjugate gradients; zero-sum games)", 0, 0,
     0, solvers},
    {"cg_tol", GD_P_DOUBLE, O(cg_tol), "1e-12", "cgd: CG's tolerance on the residual relative to the right-hand side", 0, 1, GD_PF_LO_OPEN, NULL},
    {"cg_maxit", GD_P_INT, O(cg_maxit), "0", "cgd: CG iteration cap (0: 10 x the number of coordinates)", 0, 1e9, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

/* How the CG path multiplies by the coupling blocks. */
enum { PROD_JVP, PROD_MATRIX, PROD_FD };

typedef struct {
    int dense;       /* the solver this setup chose: 1 dense, 0 cg */
    int products;    /* PROD_*, for cg */
    double *J, *A;   /* n x n: the Jacobian, I - H N (dense path; cg with PROD_MATRIX: J) */
    lapack_int *piv;
    double *z, *Jz, *r, *p, *q, *u, *F; /* n-vectors */
} cgd_priv;

static void cgd_free(gd_stepper *s)
{
    cgd_priv *p = s->priv;
    free(p->J), free(p->A), free(p->piv), free(p->z);
    free(p);
}

/* ---- products with the coupling blocks (cg path) ---- */
/* Jz = J(x) z, through the chosen product (J current for x when PROD_MATRIX). */
static int jprod(gd_stepper *s, const double *x, const double *z, double *Jz)
{
    cgd_priv *p = s->priv;
    int n = s->dim;
    if (p->products == PROD_MATRIX) {
        for (int i = 0; i < n; i++) {
            double a = 0;
            for (int j = 0; j < n; j++) a += p->J[(size_t)i * (size_t)n + (size_t)j] * z[j];
            Jz[i] = a;
        }
        return GD_OK;
    }
    int rc = p->products == PROD_JVP ? gd_model_jvp_ws(s->model, s->ws, x, z, Jz) : gd_model_jvp_fd(s->model, s->ws, x, z, Jz);
    if (rc != GD_OK) gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    return rc;
}

/* out = J_{to,from} in: the block of J mapping player FROM's coordinates (0 generator, 1
 * discriminator) to player TO's (the other). */
static int coupling(gd_stepper *s, const double *x, int from, const double *in, double *out)
{
    cgd_priv *p = s->priv;
    int n = s->dim, ng = s->ngen, f0 = from ? ng : 0, f1 = from ? n : ng, t0 = from ? 0 : ng, t1 = from ? ng : n;
    memset(p->z, 0, sizeof(double) * (size_t)n);
    memcpy(p->z + f0, in, sizeof(double) * (size_t)(f1 - f0));
    int rc = jprod(s, x, p->z, p->Jz);
    if (rc == GD_OK) memcpy(out, p->Jz + t0, sizeof(double) * (size_t)(t1 - t0));
    return rc;
}

/* Zero-sum at x: <u, J_tp w> + <w, J_pt u> = 0 for fixed pseudo-random u, w (a game with
 * J_pt = -J_tp^T passes for every pair); *mismatch gets that sum relative to its terms. */
static int zero_sum_at(gd_stepper *s, const double *x, double *mismatch)
{
    cgd_priv *p = s->priv;
    int n = s->dim, ng = s->ngen;
    uint64_t seed = 0x5eed;
    for (int i = 0; i < n; i++) p->u[i] = gd_uniform01(&seed) - 0.5; /* u on theta, w on psi */
    int rc = coupling(s, x, 1, p->u + ng, p->r); /* J_tp w */
    if (rc == GD_OK) rc = coupling(s, x, 0, p->u, p->q); /* J_pt u */
    if (rc != GD_OK) return rc;
    double a = gd_dot(ng, p->u, p->r), b = gd_dot(n - ng, p->u + ng, p->q);
    double scale = sqrt(gd_dot(ng, p->u, p->u) * gd_dot(ng, p->r, p->r)) + sqrt(gd_dot(n - ng, p->u + ng, p->u + ng) * gd_dot(n - ng, p->q, p->q));
    *mismatch = scale > 0 ? fabs(a + b) / scale : 0;
    return GD_OK;
}

/* dtheta by CG on (I - h_g h_d J_tp J_pt) dtheta = h_g (F_theta + h_d J_tp F_psi), then
 * dpsi = h_d (F_psi + J_pt dtheta): the step into d (n). */
static int cg_step(gd_stepper *s, const double *x, const double *F, double *d)
{
    const cgd_opts *o = s->opts;
    cgd_priv *p = s->priv;
    int n = s->dim, ng = s->ngen, nd = n - ng, rc;
    double hg = s->hv[0], hd = s->hv[n - 1], c = hg * hd;
    long maxit = o->cg_maxit > 0 ? o->cg_maxit : 10L * n;
    if ((rc = coupling(s, x, 1, F + ng, p->r)) != GD_OK) return rc; /* r = J_tp F_psi */
    double *b = p->F + n; /* the right-hand side, beside F's copy */
    for (int i = 0; i < ng; i++) b[i] = hg * (F[i] + hd * p->r[i]), d[i] = 0;
    /* CG from dtheta = 0: r = b, p = r */
    memcpy(p->r, b, sizeof(double) * (size_t)ng);
    memcpy(p->p, b, sizeof(double) * (size_t)ng);
    const double rr0 = gd_dot(ng, p->r, p->r), stop = o->cg_tol * o->cg_tol * rr0;
    double rr = rr0;
    for (long it = 0; rr > stop && it < maxit; it++) {
        /* q = A p = p - c J_tp (J_pt p); J_pt p goes to u's discriminator part */
        if ((rc = coupling(s, x, 0, p->p, p->u + ng)) != GD_OK || (rc = coupling(s, x, 1, p->u + ng, p->q)) != GD_OK) return rc;
        for (int i = 0; i < ng; i++) p->q[i] = p->p[i] - c * p->q[i];
        const double pq = gd_dot(ng, p->p, p->q);
        if (!(pq > 0)) break; /* not positive definite here (the reported residual says so) */
        const double alpha = rr / pq;
        for (int i = 0; i < ng; i++) d[i] += alpha * p->p[i], p->r[i] -= alpha * p->q[i];
        double rr1 = gd_dot(ng, p->r, p->r);
        for (int i = 0; i < ng; i++) p->p[i] = p->r[i] + (rr1 / rr) * p->p[i];
        rr = rr1;
    }
    if (rr > stop) {
        s->failure = GD_FAIL_CONV;
        return gd_stepper_fail(s, GD_ESOLVER, "cgd: CG stopped (cg_maxit = %ld iterations) with relative residual %.3g > cg_tol = %g", maxit,
                               sqrt(rr / rr0), o->cg_tol);
    }
    if (nd && (rc = coupling(s, x, 0, d, p->q)) != GD_OK) return rc; /* J_pt dtheta */
    for (int i = 0; i < nd; i++) d[ng + i] = hd * (F[ng + i] + p->q[i]);
    return GD_OK;
}

/* A = I - H N from the Jacobian J; N keeps the entries that couple the two players. */
static void coupling_matrix(const gd_stepper *s, const double *J, double *A)
{
    int n = s->dim, ng = s->ngen;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            size_t e = (size_t)i * (size_t)n + (size_t)j;
            A[e] = (i == j) - ((i < ng) != (j < ng) ? s->hv[i] * J[e] : 0.0);
        }
}

/* d = (I - H N)^{-1} H F by LU; A keeps the factors (for more right-hand sides). */
static int dense_step(gd_stepper *s, const double *x, const double *F, double *d)
{
    cgd_priv *p = s->priv;
    int n = s->dim, rc = gd_model_jacobian_ws(s->model, s->ws, x, p->J);
    if (rc != GD_OK) return gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    coupling_matrix(s, p->J, p->A);
    for (int i = 0; i < n; i++) d[i] = s->hv[i] * F[i];
    int pin = gd_blas_serial_begin(n), info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, p->A, n, p->piv);
    if (info == 0) info = LAPACKE_dgetrs(LAPACK_ROW_MAJOR, 'N', n, 1, p->A, n, p->piv, d, 1);
    gd_blas_serial_end(pin);
    if (info != 0) {
        s->failure = GD_FAIL_LINEAR;
        return gd_stepper_fail(s, GD_ESOLVER, "cgd: I - H N is singular (a general-sum game at this step size)");
    }
    return GD_OK;
}

/* The step d from x (F = F(x) known). */
static int direction(gd_stepper *s, const double *x, const double *F, double *d)
{
    cgd_priv *p = s->priv;
    if (p->dense) return dense_step(s, x, F, d);
    if (p->products == PROD_MATRIX) {
        int rc = gd_model_jacobian_ws(s->model, s->ws, x, p->J);
        if (rc != GD_OK) return gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    }
    return cg_step(s, x, F, d);
}

static int cgd_step(gd_stepper *s, double *x, double *t)
{
    (void)t;
    cgd_priv *p = s->priv;
    double *d = s->w[0];
    int rc = gd_eval(s, x, p->F);
    if (rc == GD_OK) rc = direction(s, x, p->F, d);
    if (rc != GD_OK) return rc;
    for (int i = 0; i < s->dim; i++) x[i] += d[i];
    gd_model_project(s->model, x);
    return GD_OK;
}

/* Memory for the chosen path: dense, n^2 for J and A; cg, vectors (and J for PROD_MATRIX). */
static int allocate(gd_stepper *s)
{
    cgd_priv *p = s->priv;
    size_t n = (size_t)s->dim;
    int need_j = p->dense || p->products == PROD_MATRIX;
    if (need_j && gd_check_dense(s->msg, s->dim, p->dense ? 4 : 1, "cgd's dense solve") != GD_OK) return GD_ENOMEM;
    p->z = malloc(sizeof(double) * 8 * n); /* z, Jz, r, p, q, u, F and the right-hand side */
    if (need_j) p->J = malloc(sizeof(double) * n * n);
    if (p->dense) p->A = malloc(sizeof(double) * n * n), p->piv = malloc(sizeof(lapack_int) * n);
    if (!p->z || (need_j && !p->J) || (p->dense && (!p->A || !p->piv))) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    p->Jz = p->z + n, p->r = p->Jz + n, p->p = p->r + n, p->q = p->p + n, p->u = p->q + n, p->F = p->u + n;
    return GD_OK;
}

/* Chooses the solver; cg on a game that is not zero-sum at the default start is refused
 * (cgd_solver = cg) or replaced by dense (auto). */
static int cgd_init(gd_stepper *s)
{
    const cgd_opts *o = s->opts;
    /* the step solves with the model's own coupling blocks (products or LU), not a modified field's */
    if (s->wrap.mod != GD_MOD_NONE)
        return gd_stepper_fail(s, GD_EUSAGE, "modifier.name = %s with integrator 'cgd': cgd solves with the game's own Jacobian blocks; use modifier.name = none",
                               s->wrap.mod == GD_MOD_SGA ? "sga" : "consensus");
    cgd_priv *p = calloc(1, sizeof *p);
    if (!p) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    s->priv = p;
    const gd_model_type *t = s->model->type;
    p->dense = o->solver == CGD_DENSE || (o->solver == CGD_AUTO && s->dim <= CGD_DENSE_MAX) || s->ngen == 0 || s->ngen == s->dim;
    p->products = t->jvp ? PROD_JVP : t->jacobian && (double)s->dim * s->dim * 8 <= 0.25 * gd_memory_budget() ? PROD_MATRIX : PROD_FD;
    int rc = allocate(s);
    if (rc != GD_OK || p->dense) return rc;
    double *x0 = s->w[1], mismatch = 0;
    if (gd_model_default_start(s->model, x0) != GD_OK) return GD_OK; /* nothing to probe: the steps will say */
    if (p->products == PROD_MATRIX && gd_model_jacobian_ws(s->model, s->ws, x0, p->J) != GD_OK) return GD_OK;
    if (zero_sum_at(s, x0, &mismatch) != GD_OK || mismatch <= 1e-6) return GD_OK;
    if (o->solver == CGD_CG)
        return gd_stepper_fail(s, GD_EUSAGE,
                               "cgd: cgd_solver = cg needs a zero-sum game (J_psi,theta = -J_theta,psi^T), and model '%s' is not (relative mismatch %.2g at the default start); use cgd_solver = dense",
                               t->name, mismatch);
    cgd_free(s); /* auto: the dense solve */
    s->priv = p = calloc(1, sizeof *p);
    if (!p) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    p->dense = 1;
    return allocate(s);
}

/* The Jacobian of x+ = x + d(x), (I - H N(x)) d = H F(x), at any x:
 *   (I - H N) dd = H (J + K) dx,   K = D_x [N(x) d] with d held,
 * so DPhi = I + (I - H N)^{-1} H (J + K). K's generator rows are the derivative of J's along
 * (0, d_psi), its discriminator rows along (d_theta, 0) (second derivatives are symmetric),
 * taken by central differences of the model's Jacobian; at a fixed point d = 0, K = 0 and
 * DPhi = (I - H N)^{-1} (I + H D_J), D_J the diagonal blocks of J. The projection counts as
 * the identity. */
static int curvature(gd_stepper *s, const double *x, const double *d, double *K, double *Jp, double *Jm, double *y)
{
    int n = s->dim, ng = s->ngen;
    memset(K, 0, sizeof(double) * (size_t)n * (size_t)n);
    for (int q = 0; q < 2; q++) { /* q = 0: generator rows, along the discriminator's part of d */
        int d0 = q ? 0 : ng, d1 = q ? ng : n, r0 = q ? ng : 0, r1 = q ? n : ng;
        double dn = gd_norm(d1 - d0, d + d0), xn = gd_norm(n, x);
        if (!(dn > 0) || r0 == r1) continue;
        double tau = 1e-5 * fmax(1.0, xn) / dn;
        int rc = GD_OK;
        for (int sign = 0; sign < 2 && rc == GD_OK; sign++) {
            for (int i = 0; i < n; i++) y[i] = x[i] + (i >= d0 && i < d1 ? (sign ? -tau : tau) * d[i] : 0.0);
            rc = gd_model_jacobian_ws(s->model, s->ws, y, sign ? Jm : Jp);
        }
        if (rc != GD_OK) return gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
        for (size_t e = (size_t)r0 * (size_t)n; e < (size_t)r1 * (size_t)n; e++) K[e] = (Jp[e] - Jm[e]) / (2 * tau);
    }
    return GD_OK;
}

static int cgd_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    int n = s->dim;
    size_t nn = (size_t)n * (size_t)n;
    if (gd_check_dense(s->msg, n, 6, "cgd's map Jacobian") != GD_OK) return GD_ENOMEM;
    double *J = malloc(sizeof(double) * (5 * nn + 2 * (size_t)n)), *A = J ? J + nn : NULL, *K = A + nn, *Jp = K + nn, *Jm = Jp + nn,
           *F = Jm + nn, *d = F + n;
    lapack_int *piv = malloc(sizeof(lapack_int) * (size_t)n);
    int rc = J && piv ? GD_OK : gd_stepper_fail(s, GD_ENOMEM, "out of memory"), info = 0;
    if (rc == GD_OK && (rc = gd_eval(s, x, F)) == GD_OK && (rc = gd_model_jacobian_ws(s->model, s->ws, x, J)) != GD_OK)
        gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    if (rc == GD_OK) {
        coupling_matrix(s, J, A);
        for (int i = 0; i < n; i++) d[i] = s->hv[i] * F[i];
        int pin = gd_blas_serial_begin(n);
        info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, A, n, piv);
        if (info == 0) info = LAPACKE_dgetrs(LAPACK_ROW_MAJOR, 'N', n, 1, A, n, piv, d, 1);
        if (info == 0 && (rc = curvature(s, x, d, K, Jp, Jm, s->w[1])) == GD_OK) {
            for (size_t e = 0; e < nn; e++) M[e] = s->hv[e / (size_t)n] * (J[e] + K[e]);
            info = LAPACKE_dgetrs(LAPACK_ROW_MAJOR, 'N', n, n, A, n, piv, M, n);
            for (int i = 0; i < n && info == 0; i++) M[(size_t)i * (size_t)n + (size_t)i] += 1.0;
        }
        gd_blas_serial_end(pin);
    }
    if (rc == GD_OK && info != 0) rc = gd_stepper_fail(s, GD_ESOLVER, "cgd: I - H N is singular (a general-sum game at this step size)");
    free(J), free(piv);
    return rc;
}

const gd_integrator_type gd_integrator_cgd = {
    .name = "cgd",
    .summary = "competitive gradient descent: x+ = x + (I - H N)^{-1} H F(x), N the players' coupling blocks of J (dense LU or CG)",
    .order = 1,
    .fixed_step = 1,
    .params = cgd_params,
    .opts_size = sizeof(cgd_opts),
    .init = cgd_init,
    .step = cgd_step,
    .free = cgd_free,
    .map_jacobian = cgd_map_jacobian,
};
