/* SPDX-License-Identifier: BSD-3-Clause
 *
 * functional: the linearised function-space GAN dynamics of functional.md 1.3 on a periodic
 * grid (method of lines). The discriminator perturbation u and the generator's transport
 * potential psi are grid functions; with the weighted Laplacian
 *     Delta_p u = (1/p) div(p grad u)
 * the system is
 *     psi' = eta_g c u,    u' = eta_d (-a u + b Delta_p psi + gamma Delta_p u),
 * (a, b, c) from the loss (WGAN 0, 1, 1; logit GAN 1/2, 1/2, 1/2). State [psi | u]: the
 * generator's coordinates come first, as everywhere in gandyn. Delta_p is applied in
 * conservative form through FFTW spectral derivatives (odd N: no Nyquist null mode), plans
 * made once at setup. Every mode of -Delta_p (eigenvalue lambda) is a 2 x 2 block with
 * s^2 + (a + gamma lambda) s + b c lambda = 0 (functional.md 2.2).
 *
 * Gauge: only grad psi moves samples, so the p-mean of psi is not physical (spec 2.2's zero
 * mode). gandyn relaxes it, psi' = eta_g c (u - <psi>_p), which touches no other mode (the
 * modes are p-orthogonal to constants) and leaves eig and rate with the physical spectrum:
 * the gauge pair becomes {-a, -eta_g c} instead of a Jordan block at 0 (WGAN keeps its
 * neutral D offset, eigenvalue 0).
 *
 * form = nonlinear integrates spec 1.2 itself on the state [rho | D]: the density and the
 * discriminator, rho' = -eta_g div(rho c(D) grad D) conserving mass to round-off.
 *
 * Not yet here (issue 7): kde densities, augmentation, the matrix-free Krylov Jacobian for
 * large grids, and the spectrum / estimate commands.
 */
#include "gd_impl.h"

#include <complex.h>
#include <fftw3.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern const gd_model_type gd_model_functional;

enum { LOSS_WGAN, LOSS_GAN_SAT, LOSS_GAN_NONSAT };
enum { DENS_UNIFORM, DENS_VONMISES, DENS_GAUSS, DENS_BIMODAL };
enum { FORM_LINEAR, FORM_NONLINEAR };

typedef struct {
    int loss, density, form;
    long dim, N;
    double L, gamma, eta_g, eta_d, kappa, sigma, p_min;
} functional_opts;

static const char *const losses[] = {"wgan", "gan_sat", "gan_nonsat", NULL};
static const char *const densities[] = {"uniform", "vonmises", "gauss", "bimodal", NULL};
static const char *const forms[] = {"linear", "nonlinear", NULL};

#define O(f) offsetof(functional_opts, f)
static const gd_param functional_params[] = {
    {"loss", GD_P_ENUM, O(loss), "wgan", "wgan (a, b, c) = (0, 1, 1) | gan_sat, gan_nonsat (1/2, 1/2, 1/2)", 0, 0, 0, losses},
    {"form", GD_P_ENUM, O(form), "linear", "linear: state [psi | u] (spec 1.3) | nonlinear: state [rho | D] (spec 1.2, mass conserved)", 0, 0, 0, forms},
    {"gamma", GD_P_DOUBLE, O(gamma), "0", "gradient penalty weight (R1 type: gamma Delta_p u)", 0, INFINITY, 0, NULL},
    {"eta_g", GD_P_DOUBLE, O(eta_g), "1", "generator learning rate (multiplies c)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"eta_d", GD_P_DOUBLE, O(eta_d), "1", "discriminator learning rate (multiplies a, b, gamma)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"density", GD_P_ENUM, O(density), "uniform",
     "uniform | vonmises e^{kappa cos x} | gauss N(L/2, sigma^2) | bimodal e^{kappa cos 2x} (per axis x; uniform along y)", 0, 0, 0,
     densities},
    {"kappa", GD_P_DOUBLE, O(kappa), "1", "vonmises, bimodal concentration", 0, INFINITY, 0, NULL},
    {"sigma", GD_P_DOUBLE, O(sigma), "1", "gauss standard deviation", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"p_min", GD_P_DOUBLE, O(p_min), "1e-12", "floor of the normalised density", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"dim", GD_P_INT, O(dim), "1", "space dimension, 1 or 2", 1, 2, 0, NULL},
    {"N", GD_P_INT, O(N), "63", "grid points per dimension (odd)", 3, 4095, 0, NULL},
    {"L", GD_P_DOUBLE, O(L), "6.283185307179586", "box length of the periodic grid", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    int M;                    /* grid points N^dim */
    double a, b, c;           /* the loss's linear coefficients */
    double *p;                /* the density on the grid, floored, normalised to mean 1 */
    double *re, *tmp;         /* plan-aligned real buffers */
    double *work;             /* 3 M scratch values for the fields */
    fftw_complex *spec;       /* half spectrum */
    fftw_plan fwd, bwd;
    double *A;                /* Delta_p as a dense M x M matrix, made on the first Jacobian */
} functional_priv;

static double density_at(const functional_opts *o, double x)
{
    double w = 2 * M_PI / o->L;
    switch (o->density) {
    case DENS_VONMISES: return exp(o->kappa * cos(w * x));
    case DENS_BIMODAL: return exp(o->kappa * cos(2 * w * x));
    case DENS_GAUSS: return exp(-0.5 * (x - o->L / 2) * (x - o->L / 2) / (o->sigma * o->sigma));
    default: return 1;
    }
}

/* d/dx_axis of in, spectrally: one r2c, multiply by i k, one c2r (it destroys spec). */
static void derivative(const gd_model *m, int axis, const double *in, double *out)
{
    const functional_opts *o = m->opts;
    functional_priv *q = m->priv;
    int N = (int)o->N, H = N / 2 + 1, rows = o->dim == 2 ? N : 1;
    memcpy(q->re, in, sizeof(double) * (size_t)q->M);
    fftw_execute(q->fwd);
    double w = 2 * M_PI / o->L, scale = 1.0 / q->M;
    for (int r = 0; r < rows; r++)
        for (int col = 0; col < H; col++) {
            int k = axis == o->dim - 1 ? col : (r <= N / 2 ? r : r - N);
            q->spec[(size_t)r * H + col] *= I * (w * k * scale);
        }
    fftw_execute(q->bwd);
    memcpy(out, q->re, sizeof(double) * (size_t)q->M);
}

/* acc += d/dx_axis (w g): the conservative divergence both fields are made of. */
static void add_divergence(const gd_model *m, int axis, const double *w, const double *g, double *acc)
{
    functional_priv *q = m->priv;
    for (int i = 0; i < q->M; i++) q->tmp[i] = w[i] * g[i];
    derivative(m, axis, q->tmp, q->tmp);
    for (int i = 0; i < q->M; i++) acc[i] += q->tmp[i];
}

/* Delta_p u = p^{-1} sum_j d_j (p d_j u), conservative so that -Delta_p stays symmetric in L^2(p).
 * Uses the last third of the work buffer. */
static void laplacian(const gd_model *m, const double *u, double *out)
{
    const functional_priv *q = m->priv;
    const functional_opts *o = m->opts;
    double *grad = q->work + 2 * q->M;
    memset(out, 0, sizeof(double) * (size_t)q->M);
    for (int j = 0; j < o->dim; j++) {
        derivative(m, j, u, grad);
        add_divergence(m, j, q->p, grad, out);
    }
    for (int i = 0; i < q->M; i++) out[i] /= q->p[i];
}

/* The loss's discriminator terms f'(d), g'(d) and the generator's velocity factor c(d). */
static void loss_terms(int loss, double d, double *fp, double *gp, double *c)
{
    if (loss == LOSS_WGAN) {
        *fp = 1, *gp = -1, *c = 1;
        return;
    }
    double sp = 1 / (1 + exp(-d)), sm = 1 - sp; /* sigma(d), sigma(-d) */
    *fp = sm, *gp = -sp, *c = loss == LOSS_GAN_SAT ? sp : sm;
}

/* Spec 1.2: D' = eta_d (f'(D) + (rho/p) g'(D) + gamma Delta_p D), rho' = -eta_g div(rho c(D) grad D).
 * The divergence is spectral, so the total mass sum(rho) is conserved to round-off. */
static int nonlinear_field(const gd_model *m, const double *x, double *v)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int M = q->M;
    const double *rho = x, *D = x + M;
    double *grad = q->work, *mob = q->work + M, *lap = q->work + 2 * M, *div = v; /* div: rho' before scaling */
    for (int i = 0; i < M; i++) {
        double fp, gp, c;
        loss_terms(o->loss, D[i], &fp, &gp, &c);
        mob[i] = rho[i] * c;
    }
    memset(lap, 0, sizeof(double) * (size_t)M);
    memset(div, 0, sizeof(double) * (size_t)M);
    for (int j = 0; j < o->dim; j++) { /* d_j D once, for Delta_p D and for the flux */
        derivative(m, j, D, grad);
        add_divergence(m, j, q->p, grad, lap);
        add_divergence(m, j, mob, grad, div);
    }
    int ok = 1;
    for (int i = 0; i < M; i++) {
        double fp, gp, c;
        loss_terms(o->loss, D[i], &fp, &gp, &c);
        v[i] = -o->eta_g * div[i];
        v[M + i] = o->eta_d * (fp + rho[i] / q->p[i] * gp + o->gamma * lap[i] / q->p[i]);
        ok &= isfinite(v[i]) && isfinite(v[M + i]);
    }
    return ok ? GD_OK : GD_ESOLVER;
}

static int functional_field(const gd_model *m, int mode, const double *x, double *v)
{
    (void)mode;
    const functional_opts *o = m->opts;
    if (o->form == FORM_NONLINEAR) return nonlinear_field(m, x, v);
    const functional_priv *q = m->priv;
    int M = q->M;
    const double *psi = x, *u = x + M;
    double *lp = q->work, *lu = q->work + M;
    laplacian(m, psi, lp);
    laplacian(m, u, lu);
    double gauge = 0;
    for (int i = 0; i < M; i++) gauge += q->p[i] * psi[i] / M; /* p has mean 1 */
    for (int i = 0; i < M; i++) {
        v[i] = o->eta_g * q->c * (u[i] - gauge);
        v[M + i] = o->eta_d * (-q->a * u[i] + q->b * lp[i] + o->gamma * lu[i]);
    }
    return GD_OK;
}

/* Delta_p column by column (M transforms pairs; refused above M = 4096 where dense stops paying). */
static int dense_laplacian(const gd_model *m)
{
    functional_priv *q = m->priv;
    if (q->A) return GD_OK;
    int M = q->M;
    if (M > 4096) return gd_model_fail((gd_model *)m, GD_EUSAGE, "dense Jacobian of %d grid points: at most 4096", M);
    double *A = malloc(sizeof(double) * (size_t)M * (size_t)M), *e = calloc((size_t)M, sizeof(double)), *col = malloc(sizeof(double) * (size_t)M);
    if (!A || !e || !col) {
        free(A), free(e), free(col);
        return GD_ENOMEM;
    }
    for (int j = 0; j < M; j++) {
        e[j] = 1;
        laplacian(m, e, col);
        e[j] = 0;
        for (int i = 0; i < M; i++) A[(size_t)i * M + j] = col[i];
    }
    free(e), free(col);
    q->A = A;
    return GD_OK;
}

static int functional_jacobian(const gd_model *m, int mode, const double *x, double *J)
{
    (void)mode;
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    if (o->form == FORM_NONLINEAR) { /* central differences of the field, small grids (the analytic J.v of spec 5.3 belongs with Krylov) */
        if (q->M > 4096) return gd_model_fail((gd_model *)m, GD_EUSAGE, "dense Jacobian of %d grid points: at most 4096", q->M);
        return gd_model_jacobian_fd(m, x, J);
    }
    int rc = dense_laplacian(m), M = q->M, D = 2 * M;
    if (rc != GD_OK) return rc;
    memset(J, 0, sizeof(double) * (size_t)D * (size_t)D);
    for (int i = 0; i < M; i++) {
        J[(size_t)i * D + M + i] = o->eta_g * q->c;
        for (int j = 0; j < M; j++) {
            J[(size_t)i * D + j] = -o->eta_g * q->c * q->p[j] / M;
            double a = q->A[(size_t)i * M + j];
            J[(size_t)(M + i) * D + j] = o->eta_d * q->b * a;
            J[(size_t)(M + i) * D + M + j] = o->eta_d * (o->gamma * a - (i == j ? q->a : 0));
        }
    }
    return GD_OK;
}

/* linear: u = psi = 0; nonlinear: rho = p, D = 0 (d0 = 0 for every loss here). */
static int functional_equilibrium(const gd_model *m, double *x)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    memset(x, 0, sizeof(double) * (size_t)m->dim);
    if (o->form == FORM_NONLINEAR) memcpy(x, q->p, sizeof(double) * (size_t)q->M);
    return GD_OK;
}

/* The discriminator perturbed along the first Fourier mode, the generator at rest. */
static int functional_default_start(const gd_model *m, double *x)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int N = (int)o->N;
    memset(x, 0, sizeof(double) * (size_t)m->dim);
    for (int i = 0; i < q->M; i++) {
        double mode1 = cos(2 * M_PI * (i / (q->M / N)) / N);
        if (o->form == FORM_NONLINEAR) x[i] = q->p[i] * (1 + 0.01 * mode1); /* the density perturbed, D = 0 */
        else x[q->M + i] = 0.1 * mode1;
    }
    return GD_OK;
}

static void functional_cleanup(gd_model *m)
{
    functional_priv *q = m->priv;
    if (!q) return;
    if (q->fwd) fftw_destroy_plan(q->fwd);
    if (q->bwd) fftw_destroy_plan(q->bwd);
    fftw_free(q->re), fftw_free(q->tmp), fftw_free(q->spec);
    free(q->work);
    free(q->p), free(q->A);
    free(q);
    m->priv = NULL;
}

static int functional_setup(gd_model *m)
{
    const functional_opts *o = m->opts;
    if (o->N % 2 == 0)
        return gd_model_fail(m, GD_EUSAGE, "model.N = %ld: use an odd N (an even grid leaves its Nyquist wavenumber as a spurious null mode)", o->N);
    functional_priv *q = calloc(1, sizeof *q);
    if (!q) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = q;
    int N = (int)o->N, H = N / 2 + 1, rows = o->dim == 2 ? N : 1;
    q->M = rows * N;
    m->ngen = q->M, m->dim = 2 * q->M;
    q->a = o->loss == LOSS_WGAN ? 0 : 0.5, q->b = o->loss == LOSS_WGAN ? 1 : 0.5, q->c = q->b;
    q->p = malloc(sizeof(double) * (size_t)q->M);
    q->re = fftw_malloc(sizeof(double) * (size_t)q->M), q->tmp = fftw_malloc(sizeof(double) * (size_t)q->M);
    q->work = malloc(sizeof(double) * 3 * (size_t)q->M);
    q->spec = fftw_malloc(sizeof(fftw_complex) * (size_t)rows * (size_t)H);
    if (!q->p || !q->re || !q->tmp || !q->work || !q->spec) return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-point grid", q->M);
    q->fwd = o->dim == 2 ? fftw_plan_dft_r2c_2d(N, N, q->re, q->spec, FFTW_ESTIMATE) : fftw_plan_dft_r2c_1d(N, q->re, q->spec, FFTW_ESTIMATE);
    q->bwd = o->dim == 2 ? fftw_plan_dft_c2r_2d(N, N, q->spec, q->re, FFTW_ESTIMATE) : fftw_plan_dft_c2r_1d(N, q->spec, q->re, FFTW_ESTIMATE);
    if (!q->fwd || !q->bwd) return gd_model_fail(m, GD_ESOLVER, "FFTW could not plan the %d-point transforms", q->M);
    double mean = 0;
    for (int i = 0; i < q->M; i++) mean += q->p[i] = density_at(o, o->L * (i / (q->M / N)) / N); /* along the first axis */
    mean /= q->M;
    for (int i = 0; i < q->M; i++) q->p[i] = fmax(q->p[i] / mean, o->p_min);
    return GD_OK;
}

/* ------------------------------------------------------------ public access ----- */

/* Eigenvalues of -Delta_p, ascending, through the symmetric form S = P^{1/2} (-A) P^{-1/2};
 * modes (NULL or M x M, column k) get phi_k = sqrt(M) P^{-1/2} v_k: <phi_k, phi_k>_p = 1 as a grid mean. */
int gd_functional_laplacian_spectrum(const gd_model *m, double *lambda, double *modes)
{
    if (!m || !m->ready || m->type != &gd_model_functional) return GD_EUSAGE;
    int rc = dense_laplacian(m);
    if (rc != GD_OK) return rc;
    const functional_priv *q = m->priv;
    int M = q->M;
    double *S = malloc(sizeof(double) * (size_t)M * (size_t)M);
    if (!S) return GD_ENOMEM;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) S[(size_t)i * M + j] = -q->A[(size_t)i * M + j] * sqrt(q->p[i] / q->p[j]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < i; j++) S[(size_t)i * M + j] = S[(size_t)j * M + i] = 0.5 * (S[(size_t)i * M + j] + S[(size_t)j * M + i]);
    int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, modes ? 'V' : 'N', 'U', M, S, M, lambda);
    for (int i = 0; modes && info == 0 && i < M; i++)
        for (int k = 0; k < M; k++) modes[(size_t)i * M + k] = sqrt((double)M / q->p[i]) * S[(size_t)i * M + k];
    free(S);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

/* The ground-state form (spec 2.1): v = p^{1/2} u turns -Delta_p into H = -Delta + V with
 * V = |grad W|^2/4 - Delta W/2, W = -log p: symmetric by construction, and well conditioned
 * where p nearly vanishes on the box. W's derivatives are spectral, except for gauss, whose
 * W is not periodic on the box (it is taken in closed form). Eigenvalues ascending. */
int gd_functional_ground_state_spectrum(const gd_model *m, double *lambda)
{
    if (!m || !m->ready || m->type != &gd_model_functional) return GD_EUSAGE;
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int M = q->M, N = (int)o->N;
    if (M > 4096) return GD_EUSAGE;
    double *H = calloc((size_t)M * (size_t)M, sizeof(double)), *V = calloc((size_t)M, sizeof(double));
    double *w = malloc(sizeof(double) * (size_t)M), *d1 = malloc(sizeof(double) * (size_t)M), *d2 = malloc(sizeof(double) * (size_t)M);
    int rc = H && V && w && d1 && d2 ? GD_OK : GD_ENOMEM;
    for (int j = 0; rc == GD_OK && j < o->dim; j++) { /* V, one axis at a time */
        for (int i = 0; i < M; i++) w[i] = -log(q->p[i]);
        derivative(m, j, w, d1);
        derivative(m, j, d1, d2);
        for (int i = 0; i < M; i++) {
            if (o->density == DENS_GAUSS && j == 0) {
                double x = o->L * (i / (M / N)) / N - o->L / 2, s2 = o->sigma * o->sigma;
                d1[i] = x / s2, d2[i] = 1 / s2;
            }
            V[i] += 0.25 * d1[i] * d1[i] - 0.5 * d2[i];
        }
    }
    for (int c = 0; rc == GD_OK && c < M; c++) { /* -Delta column by column */
        memset(w, 0, sizeof(double) * (size_t)M);
        w[c] = 1;
        for (int j = 0; j < o->dim; j++) {
            derivative(m, j, w, d1);
            derivative(m, j, d1, d2);
            for (int i = 0; i < M; i++) H[(size_t)i * M + c] -= d2[i];
        }
        H[(size_t)c * M + c] += V[c];
    }
    if (rc == GD_OK && LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', M, H, M, lambda) != 0) rc = GD_ESOLVER;
    free(H), free(V), free(w), free(d1), free(d2);
    return rc;
}

/* Delta_p applied to one grid function u (M values). */
int gd_functional_laplacian(const gd_model *m, const double *u, double *out)
{
    if (!m || !m->ready || m->type != &gd_model_functional) return GD_EUSAGE;
    laplacian(m, u, out);
    return GD_OK;
}

const gd_model_type gd_model_functional = {
    .name = "functional",
    .summary = "linearised function-space GAN dynamics: (psi, u) on a periodic grid with the weighted Laplacian (Khrulkov et al.)",
    .params = functional_params,
    .opts_size = sizeof(functional_opts),
    .setup = functional_setup,
    .cleanup = functional_cleanup,
    .field = functional_field,
    .jacobian = functional_jacobian,
    .equilibrium = functional_equilibrium,
    .default_start = functional_default_start,
};
