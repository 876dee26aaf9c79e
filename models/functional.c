/* SPDX-License-Identifier: BSD-3-Clause
 *
 * functional: the linearised function-space GAN dynamics (docs/models/functional.md) on a
 * periodic grid (method of lines). The discriminator perturbation u and the generator's
 * transport potential psi are grid functions; with the weighted Laplacian
 *     Delta_p u = (1/p) div(p grad u)
 * the system is
 *     psi' = eta_g c u,    u' = eta_d (-a u + b Delta_p psi + gamma Delta_p u),
 * (a, b, c) from the loss (WGAN 0, 1, 1; logit GAN 1/2, 1/2, 1/2; loss = custom: the keys
 * a, b, c). State [psi | u]: the generator's coordinates come first, as everywhere in gandyn.
 * Delta_p is applied in conservative form through FFTW spectral derivatives (odd N: no
 * Nyquist null mode), plans made once at setup. Every mode of -Delta_p (eigenvalue lambda) is
 * a 2 x 2 block with s^2 + (a + gamma lambda) s + b c lambda = 0 (docs: "Modes and closed
 * forms").
 *
 * Gauge: only grad psi moves samples, so the p-mean of psi is not physical. gandyn relaxes it,
 * psi' = eta_g c (u - <psi>_p), which touches no other mode (the modes are p-orthogonal to
 * constants) and leaves eig and rate with the physical spectrum: the gauge pair becomes
 * {-a, -eta_g c} instead of a Jordan block at 0 (WGAN keeps its neutral D offset, eigenvalue 0).
 *
 * form = nonlinear integrates the nonlinear dynamics on the state [rho | D]: the density and the
 * discriminator, rho' = -eta_g div(rho c(D) grad D) conserving mass to round-off.
 *
 * Augmentation: translation noise of width aug_t blurs the density the discriminator sees,
 * p_aug = mu * p. augment = simple replaces p by p_aug everywhere (the paper-level model);
 * augment = exact keeps the data density inside the filtered operator
 * A u = p_aug^{-1} C div(p grad C u), C the Gaussian filter, symmetric in L^2(p_aug).
 *
 * J.v is analytic through the same transforms (linear: the field itself; nonlinear: the
 * field's derivative along v), so CVODE's Krylov solver never needs the dense Jacobian on
 * large grids.
 */
#include "gd_impl.h"
#include "gandyn/functional.h"
#include "h5io.h"

#include <complex.h>
#include <fftw3.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern const gd_model_type gd_model_functional;

enum { LOSS_WGAN, LOSS_GAN_SAT, LOSS_GAN_NONSAT, LOSS_CUSTOM };
enum { DENS_UNIFORM, DENS_VONMISES, DENS_GAUSS, DENS_BIMODAL, DENS_KDE, DENS_MIXTURE };
enum { FORM_LINEAR, FORM_NONLINEAR };
enum { AUG_NONE, AUG_SIMPLE, AUG_EXACT };

typedef struct {
    int loss, density, form, augment;
    long dim, N, init_mode;
    double L, gamma, eta_g, eta_d, kappa, sigma, sep, p_min, aug_t, kde_bw, init_eps;
    double a, b, c; /* explicit loss coefficients; NaN = not given */
    char *density_file, *dataset;
} functional_opts;

static const char *const losses[] = {"wgan", "gan_sat", "gan_nonsat", "custom", NULL};
static const char *const densities[] = {"uniform", "vonmises", "gauss", "bimodal", "kde", "mixture", NULL};
static const char *const forms[] = {"linear", "nonlinear", NULL};
static const char *const augments[] = {"none", "simple", "exact", NULL};

#define O(f) offsetof(functional_opts, f)
static const gd_param functional_params[] = {
    {"loss", GD_P_ENUM, O(loss), "wgan", "wgan (a, b, c) = (0, 1, 1) | gan_sat, gan_nonsat (1/2, 1/2, 1/2) | custom (the keys a, b, c; form = linear)", 0,
     0, 0, losses},
    {"a", GD_P_DOUBLE, O(a), "", "linear damping a = -(f''(d0) + g''(d0)); needed by loss = custom, else empty or the preset's value", -INFINITY,
     INFINITY, GD_PF_EMPTY, NULL},
    {"b", GD_P_DOUBLE, O(b), "", "coupling b = -g'(d0); needed by loss = custom, else empty or the preset's value", -INFINITY, INFINITY, GD_PF_EMPTY,
     NULL},
    {"c", GD_P_DOUBLE, O(c), "", "generator velocity factor c = c(d0) > 0; needed by loss = custom, else empty or the preset's value", 0, INFINITY,
     GD_PF_EMPTY | GD_PF_LO_OPEN, NULL},
    {"form", GD_P_ENUM, O(form), "linear", "linear: state [psi | u] (the linearised dynamics) | nonlinear: state [rho | D] (mass conserved)", 0, 0, 0, forms},
    {"gamma", GD_P_DOUBLE, O(gamma), "0", "gradient penalty weight (R1 type: gamma Delta_p u)", 0, INFINITY, 0, NULL},
    {"eta_g", GD_P_DOUBLE, O(eta_g), "1", "generator learning rate (multiplies c)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"eta_d", GD_P_DOUBLE, O(eta_d), "1", "discriminator learning rate (multiplies a, b, gamma)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"density", GD_P_ENUM, O(density), "uniform",
     "uniform | vonmises e^{kappa cos x} | gauss N(L/2, sigma^2) | bimodal e^{kappa cos 2x} (along x, uniform along y) | kde (smoothed histogram of density_file) "
     "| mixture (N(L/2 - sep/2, sigma^2) + N(L/2 + sep/2, sigma^2)) / 2",
     0, 0, 0, densities},
    {"density_file", GD_P_STRING, O(density_file), "", "kde: HDF5 file of sample points, n values (dim 1) or n x dim", 0, 0, 0, NULL},
    {"dataset", GD_P_STRING, O(dataset), "/points", "kde: dataset name in density_file", 0, 0, 0, NULL},
    {"kde_bw", GD_P_DOUBLE, O(kde_bw), "0", "kde: Gaussian bandwidth (0: Silverman's rule 1.06 s n^{-1/5})", 0, INFINITY, 0, NULL},
    {"augment", GD_P_ENUM, O(augment), "none", "translation-noise augmentation: none | simple (p -> p_aug) | exact (filtered operator)", 0, 0, 0,
     augments},
    {"aug_t", GD_P_DOUBLE, O(aug_t), "0.5", "augmentation: standard deviation of the Gaussian translation noise", 0, INFINITY, 0, NULL},
    {"init_mode", GD_P_INT, O(init_mode), "1", "default start: Fourier mode k along x of the perturbation", 0, 2047, 0, NULL},
    {"init_eps", GD_P_DOUBLE, O(init_eps), "0.1", "default start: amplitude (linear: u = eps cos kx; nonlinear: rho = p (1 + eps cos kx))", -INFINITY,
     INFINITY, 0, NULL},
    {"kappa", GD_P_DOUBLE, O(kappa), "1", "vonmises, bimodal concentration", 0, INFINITY, 0, NULL},
    {"sigma", GD_P_DOUBLE, O(sigma), "1", "gauss, mixture standard deviation", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"sep", GD_P_DOUBLE, O(sep), "4", "mixture: distance between the two means", 0, INFINITY, 0, NULL},
    {"p_min", GD_P_DOUBLE, O(p_min), "1e-12", "floor of the normalised density", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"dim", GD_P_INT, O(dim), "1", "space dimension, 1 or 2", 1, 2, 0, NULL},
    {"N", GD_P_INT, O(N), "63", "grid points per dimension (odd)", 3, 4095, 0, NULL},
    {"L", GD_P_DOUBLE, O(L), "6.283185307179586", "box length of the periodic grid", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    int M;                    /* grid points N^dim */
    double a, b, c;           /* the loss's linear coefficients */
    double *p;                /* the weight of L^2(p): the density (p_aug when augmented), floored, mean 1 */
    double *pin;              /* the density inside the divergence: p, except for augment = exact (the data's) */
    double *filt;             /* augment = exact: the translation-noise filter C on the half spectrum */
    fftw_plan fwd, bwd;       /* executed on a workspace's arrays (fftw_execute_dft_*) */
} functional_priv;

/* A caller's workspace: what the fields, J.v, the preconditioner and the Jacobian write. */
typedef struct {
    double *re, *tmp;           /* plan-aligned real buffers (fftw_malloc, as the planning arrays) */
    double *work;               /* 4 M scratch values for the fields */
    fftw_complex *spec, *spec2; /* half spectra (the second for the preconditioner's two fields) */
    double *A;                  /* Delta_p as a dense M x M matrix, made on the first Jacobian */
} functional_ws;

static double density_at(const functional_opts *o, double x)
{
    double w = 2 * M_PI / o->L;
    switch (o->density) {
    case DENS_VONMISES: return exp(o->kappa * cos(w * x));
    case DENS_BIMODAL: return exp(o->kappa * cos(2 * w * x));
    case DENS_GAUSS: return exp(-0.5 * (x - o->L / 2) * (x - o->L / 2) / (o->sigma * o->sigma));
    case DENS_MIXTURE: {
        double s2 = o->sigma * o->sigma, y = x - o->L / 2, h = o->sep / 2;
        return exp(-0.5 * (y - h) * (y - h) / s2) + exp(-0.5 * (y + h) * (y + h) / s2);
    }
    default: return 1;
    }
}

static int half_rows(const functional_opts *o) { return o->dim == 2 ? (int)o->N : 1; }

/* Integer wavenumber along axis of half-spectrum entry (r, col); the last axis is the halved one. */
static int wavenumber(const functional_opts *o, int axis, int r, int col)
{
    int N = (int)o->N;
    if (axis == o->dim - 1) return col;
    return r <= N / 2 ? r : r - N;
}

/* out = IFFT(filter (i k_axis) FFT(in)): no derivative for axis < 0, no filter for NULL.
 * One r2c and one c2r; in and out may be the same array. */
static void spectral(const gd_model *m, functional_ws *w, int axis, const double *filter, const double *in, double *out)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int H = (int)o->N / 2 + 1, rows = half_rows(o);
    memcpy(w->re, in, sizeof(double) * (size_t)q->M);
    fftw_execute_dft_r2c(q->fwd, w->re, w->spec);
    double k0 = 2 * M_PI / o->L, scale = 1.0 / q->M;
    for (int r = 0; r < rows; r++)
        for (int col = 0; col < H; col++) {
            size_t at = (size_t)r * H + col;
            double complex f = filter ? filter[at] * scale : scale;
            if (axis >= 0) f *= I * (k0 * wavenumber(o, axis, r, col));
            w->spec[at] *= f;
        }
    fftw_execute_dft_c2r(q->bwd, w->spec, w->re);
    memcpy(out, w->re, sizeof(double) * (size_t)q->M);
}

static void derivative(const gd_model *m, functional_ws *w, int axis, const double *in, double *out) { spectral(m, w, axis, NULL, in, out); }

/* The Fourier multiplier exp(-t^2 |k|^2 / 2) of a Gaussian of standard deviation t (periodised). */
static double *gaussian_filter(const gd_model *m, double t)
{
    const functional_opts *o = m->opts;
    int H = (int)o->N / 2 + 1, rows = half_rows(o);
    double *f = malloc(sizeof(double) * (size_t)rows * (size_t)H), w = 2 * M_PI / o->L;
    for (int r = 0; f && r < rows; r++)
        for (int col = 0; col < H; col++) {
            double k2 = 0;
            for (int j = 0; j < o->dim; j++) k2 += pow(w * wavenumber(o, j, r, col), 2);
            f[(size_t)r * H + col] = exp(-0.5 * t * t * k2);
        }
    return f;
}

/* acc += filter d_axis (flux); flux may be the tmp buffer. */
static void add_derivative(const gd_model *m, functional_ws *w, int axis, const double *filter, const double *flux, double *acc)
{
    const functional_priv *q = m->priv;
    spectral(m, w, axis, filter, flux, w->tmp);
    for (int i = 0; i < q->M; i++) acc[i] += w->tmp[i];
}

/* acc += filter d_axis (f g): the conservative divergence the fields are made of. */
static void add_divergence(const gd_model *m, functional_ws *w, int axis, const double *filter, const double *f, const double *g, double *acc)
{
    const functional_priv *q = m->priv;
    for (int i = 0; i < q->M; i++) w->tmp[i] = f[i] * g[i];
    add_derivative(m, w, axis, filter, w->tmp, acc);
}

/* Delta_p u = p^{-1} sum_j d_j (p d_j u), conservative so that -Delta_p stays symmetric in L^2(p);
 * with augment = exact, p_aug^{-1} C sum_j d_j (p d_j C u). Uses the last quarter of the work buffer. */
static void laplacian(const gd_model *m, functional_ws *w, const double *u, double *out)
{
    const functional_priv *q = m->priv;
    const functional_opts *o = m->opts;
    double *grad = w->work + 3 * q->M;
    memset(out, 0, sizeof(double) * (size_t)q->M);
    for (int j = 0; j < o->dim; j++) {
        spectral(m, w, j, q->filt, u, grad);
        add_divergence(m, w, j, q->filt, q->pin, grad, out);
    }
    for (int i = 0; i < q->M; i++) out[i] /= q->p[i];
}

/* The loss's discriminator terms f', g', the generator's velocity factor c, and their derivatives. */
typedef struct {
    double fp, gp, c, fpp, gpp, cp;
} loss_terms;

static loss_terms loss_at(int loss, double d)
{
    if (loss == LOSS_WGAN) return (loss_terms){1, -1, 1, 0, 0, 0};
    double sp = 1 / (1 + exp(-d)), sm = 1 - sp, ss = sp * sm; /* sigma(d), sigma(-d) */
    int sat = loss == LOSS_GAN_SAT;
    return (loss_terms){sm, -sp, sat ? sp : sm, -ss, -ss, sat ? ss : -ss};
}

static int all_finite(const double *v, int n)
{
    int ok = 1;
    for (int i = 0; i < n; i++) ok &= isfinite(v[i]);
    return ok;
}

/* The nonlinear form (docs/models/functional.md, The game):
 *   D' = eta_d (f'(D) + (rho/p) g'(D) + gamma Delta_p D), rho' = -eta_g div(rho c(D) grad D).
 * The divergence is spectral, so the total mass sum(rho) is conserved to round-off. */
static int nonlinear_field(const gd_model *m, functional_ws *w, const double *x, double *v)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int M = q->M;
    const double *rho = x, *D = x + M;
    double *grad = w->work, *mob = w->work + M, *lap = w->work + 2 * M, *div = v; /* div: rho' before scaling */
    for (int i = 0; i < M; i++) mob[i] = rho[i] * loss_at(o->loss, D[i]).c;
    memset(lap, 0, sizeof(double) * (size_t)M);
    memset(div, 0, sizeof(double) * (size_t)M);
    for (int j = 0; j < o->dim; j++) { /* d_j D once, for Delta_p D and for the flux */
        derivative(m, w, j, D, grad);
        add_divergence(m, w, j, NULL, q->p, grad, lap);
        add_divergence(m, w, j, NULL, mob, grad, div);
    }
    for (int i = 0; i < M; i++) {
        loss_terms l = loss_at(o->loss, D[i]);
        v[i] = -o->eta_g * div[i];
        v[M + i] = o->eta_d * (l.fp + rho[i] / q->p[i] * l.gp + o->gamma * lap[i] / q->p[i]);
    }
    return all_finite(v, 2 * M) ? GD_OK : GD_ESOLVER;
}

/* The derivative of nonlinear_field along (w, e) = (delta rho, delta D):
 *   rho' part: -eta_g div(w c grad D + rho c' e grad D + rho c grad e)
 *   D' part:   eta_d ((f'' + (rho/p) g'') e + g' w / p + gamma Delta_p e). */
static int nonlinear_jvp(const gd_model *m, functional_ws *sc, const double *x, const double *dx, double *jv)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int M = q->M;
    const double *rho = x, *D = x + M, *w = dx, *e = dx + M;
    double *gD = sc->work, *ge = sc->work + M, *lap = sc->work + 2 * M, *div = jv;
    memset(lap, 0, sizeof(double) * (size_t)M);
    memset(div, 0, sizeof(double) * (size_t)M);
    for (int j = 0; j < o->dim; j++) {
        derivative(m, sc, j, D, gD);
        derivative(m, sc, j, e, ge);
        add_divergence(m, sc, j, NULL, q->p, ge, lap);
        for (int i = 0; i < M; i++) {
            loss_terms l = loss_at(o->loss, D[i]);
            sc->tmp[i] = (w[i] * l.c + rho[i] * l.cp * e[i]) * gD[i] + rho[i] * l.c * ge[i];
        }
        add_derivative(m, sc, j, NULL, sc->tmp, div);
    }
    for (int i = 0; i < M; i++) {
        loss_terms l = loss_at(o->loss, D[i]);
        jv[i] = -o->eta_g * div[i];
        jv[M + i] = o->eta_d * ((l.fpp + rho[i] / q->p[i] * l.gpp) * e[i] + (l.gp * w[i] + o->gamma * lap[i]) / q->p[i]);
    }
    return all_finite(jv, 2 * M) ? GD_OK : GD_ESOLVER;
}

static int functional_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)mode;
    const functional_opts *o = m->opts;
    functional_ws *w = ws->priv;
    if (o->form == FORM_NONLINEAR) return nonlinear_field(m, w, x, v);
    const functional_priv *q = m->priv;
    int M = q->M;
    const double *psi = x, *u = x + M;
    double *lp = w->work, *lu = w->work + M;
    laplacian(m, w, psi, lp);
    laplacian(m, w, u, lu);
    double gauge = 0;
    for (int i = 0; i < M; i++) gauge += q->p[i] * psi[i] / M; /* p has mean 1 */
    for (int i = 0; i < M; i++) {
        v[i] = o->eta_g * q->c * (u[i] - gauge);
        v[M + i] = o->eta_d * (-q->a * u[i] + q->b * lp[i] + o->gamma * lu[i]);
    }
    return all_finite(v, 2 * M) ? GD_OK : GD_ESOLVER;
}

/* The linear field is its own Jacobian. */
static int functional_jvp(const gd_model *m, gd_model_ws *ws, int mode, const double *x, const double *v, double *jv)
{
    const functional_opts *o = m->opts;
    return o->form == FORM_NONLINEAR ? nonlinear_jvp(m, ws->priv, x, v, jv) : functional_field(m, ws, mode, v, jv);
}

/* The Jacobian's 2 x 2 block on Fourier mode k (|k|^2 = lam) for the uniform density: exact
 * for form = linear on uniform p, and for nonlinear at its equilibrium. Rows: generator, then
 * discriminator coordinates. */
static void mode_block(const gd_model *m, int zero, double lam, double j[4])
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    if (o->form == FORM_NONLINEAR) {
        loss_terms l = loss_at(o->loss, 0);
        j[0] = 0, j[1] = o->eta_g * l.c * lam, j[2] = o->eta_d * l.gp, j[3] = o->eta_d * (l.fpp + l.gpp - o->gamma * lam);
        return;
    }
    double alpha = o->eta_g * q->c;
    j[0] = zero ? -alpha : 0, j[1] = alpha, j[2] = -o->eta_d * q->b * lam, j[3] = -o->eta_d * (q->a + o->gamma * lam);
}

/* Preconditioner for CVODE's Krylov solver: (I - g J) inverted mode by mode in Fourier space
 * with p replaced by its mean (1): two transforms of each half of the state. */
static int functional_psolve(const gd_model *m, gd_model_ws *ws, double g, const double *r, double *z)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    functional_ws *w = ws->priv;
    int M = q->M, H = (int)o->N / 2 + 1, rows = half_rows(o);
    size_t nspec = (size_t)rows * (size_t)H;
    memcpy(w->re, r, sizeof(double) * (size_t)M);
    fftw_execute_dft_r2c(q->fwd, w->re, w->spec);
    memcpy(w->spec2, w->spec, sizeof(fftw_complex) * nspec);
    memcpy(w->re, r + M, sizeof(double) * (size_t)M);
    fftw_execute_dft_r2c(q->fwd, w->re, w->spec);
    double k0 = 2 * M_PI / o->L;
    for (int row = 0; row < rows; row++)
        for (int col = 0; col < H; col++) {
            size_t at = (size_t)row * H + col;
            double lam = 0, j[4];
            for (int a = 0; a < o->dim; a++) lam += pow(k0 * wavenumber(o, a, row, col), 2);
            mode_block(m, at == 0, lam, j);
            double a11 = 1 - g * j[0], a12 = -g * j[1], a21 = -g * j[2], a22 = 1 - g * j[3], det = (a11 * a22 - a12 * a21) * M;
            double complex r1 = w->spec2[at], r2 = w->spec[at];
            w->spec2[at] = (a22 * r1 - a12 * r2) / det;
            w->spec[at] = (a11 * r2 - a21 * r1) / det;
        }
    fftw_execute_dft_c2r(q->bwd, w->spec2, w->re);
    memcpy(z, w->re, sizeof(double) * (size_t)M);
    fftw_execute_dft_c2r(q->bwd, w->spec, w->re);
    memcpy(z + M, w->re, sizeof(double) * (size_t)M);
    return GD_OK;
}

/* Delta_p column by column into the workspace, once per workspace (M transforms pairs;
 * refused above M = 4096 where dense stops paying). */
static int dense_laplacian(const gd_model *m, gd_model_ws *ws)
{
    const functional_priv *q = m->priv;
    functional_ws *w = ws->priv;
    if (w->A) return GD_OK;
    int M = q->M;
    if (M > 4096) return gd_ws_fail(ws, GD_EUSAGE, "dense Jacobian of %d grid points: at most 4096", M);
    double *A = malloc(sizeof(double) * (size_t)M * (size_t)M), *e = calloc((size_t)M, sizeof(double)), *col = malloc(sizeof(double) * (size_t)M);
    if (!A || !e || !col) {
        free(A), free(e), free(col);
        return GD_ENOMEM;
    }
    for (int j = 0; j < M; j++) {
        e[j] = 1;
        laplacian(m, w, e, col);
        e[j] = 0;
        for (int i = 0; i < M; i++) A[(size_t)i * M + j] = col[i];
    }
    free(e), free(col);
    w->A = A;
    return GD_OK;
}

static int functional_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)mode;
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    if (o->form == FORM_NONLINEAR) { /* central differences of the field, small grids (the analytic J.v belongs with Krylov) */
        if (q->M > 4096) return gd_ws_fail(ws, GD_EUSAGE, "dense Jacobian of %d grid points: at most 4096", q->M);
        return gd_model_jacobian_fd_ws(m, ws, x, J);
    }
    int rc = dense_laplacian(m, ws), M = q->M, D = 2 * M;
    if (rc != GD_OK) return rc;
    const double *A = ((const functional_ws *)ws->priv)->A;
    memset(J, 0, sizeof(double) * (size_t)D * (size_t)D);
    for (int i = 0; i < M; i++) {
        J[(size_t)i * D + M + i] = o->eta_g * q->c;
        for (int j = 0; j < M; j++) {
            J[(size_t)i * D + j] = -o->eta_g * q->c * q->p[j] / M;
            double a = A[(size_t)i * M + j];
            J[(size_t)(M + i) * D + j] = o->eta_d * q->b * a;
            J[(size_t)(M + i) * D + M + j] = o->eta_d * (o->gamma * a - (i == j ? q->a : 0));
        }
    }
    return GD_OK;
}

/* linear: u = psi = 0; nonlinear: rho = p, D = 0 (d0 = 0 for every loss here). */
static int functional_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    (void)ws;
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    memset(x, 0, sizeof(double) * (size_t)m->dim);
    if (o->form == FORM_NONLINEAR) memcpy(x, q->p, sizeof(double) * (size_t)q->M);
    return GD_OK;
}

/* The discriminator perturbed along Fourier mode init_mode of x (linear), or the density (nonlinear). */
static int functional_default_start(const gd_model *m, double *x)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int N = (int)o->N;
    memset(x, 0, sizeof(double) * (size_t)m->dim);
    for (int i = 0; i < q->M; i++) {
        double mode = o->init_eps * cos(2 * M_PI * (double)o->init_mode * (i / (q->M / N)) / N);
        if (o->form == FORM_NONLINEAR) x[i] = q->p[i] * (1 + mode); /* D = 0 */
        else x[q->M + i] = mode;
    }
    return GD_OK;
}

static void functional_cleanup(gd_model *m)
{
    functional_priv *q = m->priv;
    if (!q) return;
    gd_fftw_lock();
    if (q->fwd) fftw_destroy_plan(q->fwd);
    if (q->bwd) fftw_destroy_plan(q->bwd);
    gd_fftw_unlock();
    if (q->pin != q->p) free(q->pin);
    free(q->p), free(q->filt);
    free(q);
    m->priv = NULL;
}

static void scratch_free(functional_ws *w)
{
    if (!w) return;
    fftw_free(w->re), fftw_free(w->tmp), fftw_free(w->spec), fftw_free(w->spec2);
    free(w->work), free(w->A);
    free(w);
}

/* The buffers of one workspace for an M-point grid of nspec half-spectrum entries; NULL when
 * out of memory. */
static functional_ws *scratch_alloc(int M, size_t nspec)
{
    functional_ws *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->re = fftw_malloc(sizeof(double) * (size_t)M), w->tmp = fftw_malloc(sizeof(double) * (size_t)M);
    w->work = malloc(sizeof(double) * 4 * (size_t)M);
    w->spec = fftw_malloc(sizeof(fftw_complex) * nspec), w->spec2 = fftw_malloc(sizeof(fftw_complex) * nspec);
    if (w->re && w->tmp && w->work && w->spec && w->spec2) return w;
    scratch_free(w);
    return NULL;
}

static size_t spectrum_size(const functional_opts *o) { return (size_t)half_rows(o) * (size_t)(o->N / 2 + 1); }

static int functional_ws_init(const gd_model *m, gd_model_ws *ws)
{
    const functional_priv *q = m->priv;
    ws->priv = scratch_alloc(q->M, spectrum_size(m->opts));
    return ws->priv ? GD_OK : gd_ws_fail(ws, GD_ENOMEM, "out of memory for the %d-point grid", q->M);
}

static void functional_ws_free(gd_model_ws *ws) { scratch_free(ws->priv); }

/* Grid coordinate along axis 0 (rows) of point i. */
static double grid_x(const functional_opts *o, int M, int i) { return o->L * (i / (M / (int)o->N)) / (double)o->N; }

/* Mean 1 on the grid, then the floor (which keeps Delta_p's 1/p bounded). */
static void normalise(double *p, int M, double p_min)
{
    double mean = 0;
    for (int i = 0; i < M; i++) mean += p[i] / M;
    for (int i = 0; i < M; i++) p[i] = fmax(p[i] / mean, p_min);
}

/* Bilinear (cloud-in-cell) deposit of one point on the periodic grid, coordinates taken modulo L. */
static void deposit(const functional_opts *o, const double *pt, double *p)
{
    int N = (int)o->N, cell[2] = {0, 0};
    double frac[2] = {0, 0};
    for (int j = 0; j < o->dim; j++) {
        double s = fmod(pt[j], o->L) / (o->L / N); /* reduce first: huge coordinates stay finite */
        if (s < 0) s += N;
        cell[j] = (int)s % N, frac[j] = s - floor(s);
    }
    for (int c = 0; c < (1 << o->dim); c++) {
        double w = 1;
        int at = 0;
        for (int j = 0; j < o->dim; j++) {
            int up = c >> j & 1;
            w *= up ? frac[j] : 1 - frac[j];
            at = at * N + (cell[j] + up) % N;
        }
        p[at] += w;
    }
}

/* kde: the histogram of the HDF5 points smoothed by a Gaussian of width kde_bw (Silverman's
 * 1.06 s n^{-1/5} when 0, s the standard deviation averaged over the axes). */
static int kde_density(gd_model *m, functional_ws *w, double *p)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    if (!o->density_file[0]) return gd_model_fail(m, GD_EUSAGE, "model.density = kde needs model.density_file (an HDF5 file of points)");
    int rank = 0;
    hsize_t dims[2] = {0, 0};
    double *pts = NULL;
    int rc = gd_h5_read(o->density_file, o->dataset, 2, (size_t)1 << 28, &rank, dims, &pts, m->msg);
    if (rc != GD_OK) return rc;
    long n = (long)dims[0], d = rank == 1 ? 1 : (long)dims[1];
    if (d != o->dim || n < 2) {
        free(pts);
        return gd_model_fail(m, GD_EUSAGE, "'%s': %s holds %ld points of dimension %ld; model.dim = %ld needs at least 2", o->density_file,
                             o->dataset, n, d, o->dim);
    }
    memset(p, 0, sizeof(double) * (size_t)q->M);
    double var = 0;
    for (long i = 0; i < n; i++) deposit(o, pts + i * d, p);
    for (long j = 0; j < d; j++) {
        double s = 0, s2 = 0;
        for (long i = 0; i < n; i++) s += pts[i * d + j], s2 += pts[i * d + j] * pts[i * d + j];
        var += (s2 - s * s / n) / (n - 1) / d;
    }
    free(pts);
    if (o->kde_bw == 0 && !(var > 0 && isfinite(var)))
        return gd_model_fail(m, GD_EUSAGE, "'%s': %s: the points' spread is %g, so Silverman's bandwidth is undefined; set model.kde_bw", o->density_file,
                             o->dataset, var);
    double bw = o->kde_bw > 0 ? o->kde_bw : 1.06 * sqrt(var) * pow((double)n, -0.2), *filter = gaussian_filter(m, bw);
    if (!filter) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    spectral(m, w, -1, filter, p, p);
    free(filter);
    return GD_OK;
}

/* q->p and q->pin from the density and the augmentation; w: setup's scratch. */
static int make_density(gd_model *m, functional_ws *w)
{
    const functional_opts *o = m->opts;
    functional_priv *q = m->priv;
    int M = q->M, rc = GD_OK;
    if (o->density == DENS_KDE) rc = kde_density(m, w, q->p);
    else
        for (int i = 0; i < M; i++) q->p[i] = density_at(o, grid_x(o, M, i));
    if (rc != GD_OK) return rc;
    normalise(q->p, M, o->p_min);
    q->pin = q->p;
    if (o->augment == AUG_NONE) return GD_OK;
    if (!(q->filt = gaussian_filter(m, o->aug_t))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    if (o->augment == AUG_EXACT) {
        if (!(q->pin = malloc(sizeof(double) * (size_t)M))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        memcpy(q->pin, q->p, sizeof(double) * (size_t)M);
    }
    spectral(m, w, -1, q->filt, q->p, q->p); /* p_aug = mu * p */
    normalise(q->p, M, o->p_min);
    if (o->augment == AUG_SIMPLE) free(q->filt), q->filt = NULL;
    return GD_OK;
}

/* (a, b, c) of the linear form: a preset's, or the keys a, b, c for loss = custom. A preset with a
 * key set to another value is refused rather than silently overridden, so a configuration
 * reads the same whichever of its lines one looks at. */
static int loss_coefficients(gd_model *m)
{
    static const char *const names[] = {"a", "b", "c"};
    static const double presets[][3] = {{0, 1, 1}, {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}};
    const functional_opts *o = m->opts;
    functional_priv *q = m->priv;
    double given[3] = {o->a, o->b, o->c}, *abc[3] = {&q->a, &q->b, &q->c};
    for (int i = 0; i < 3; i++) {
        if (o->loss == LOSS_CUSTOM && isnan(given[i]))
            return gd_model_fail(m, GD_EUSAGE, "model.loss = custom needs model.a, model.b and model.c (model.%s is not set)", names[i]);
        if (o->loss != LOSS_CUSTOM && !isnan(given[i]) && given[i] != presets[o->loss][i])
            return gd_model_fail(m, GD_EUSAGE,
                                 "model.%s = %g contradicts model.loss = %s, whose (a, b, c) = (%g, %g, %g): use model.loss = custom for other coefficients",
                                 names[i], given[i], losses[o->loss], presets[o->loss][0], presets[o->loss][1], presets[o->loss][2]);
        *abc[i] = o->loss == LOSS_CUSTOM ? given[i] : presets[o->loss][i];
    }
    return GD_OK;
}

static int functional_setup(gd_model *m)
{
    const functional_opts *o = m->opts;
    if (o->N % 2 == 0)
        return gd_model_fail(m, GD_EUSAGE, "model.N = %ld: use an odd N (an even grid leaves its Nyquist wavenumber as a spurious null mode)", o->N);
    if (o->form == FORM_NONLINEAR && o->loss == LOSS_CUSTOM)
        return gd_model_fail(m, GD_EUSAGE, "model.loss = custom applies to form = linear (the nonlinear field needs the loss functions f', g', c(D), not only (a, b, c))");
    if (o->form == FORM_NONLINEAR && o->augment != AUG_NONE)
        return gd_model_fail(m, GD_EUSAGE, "model.augment = %s applies to form = linear (the nonlinear field has no augmented form)", augments[o->augment]);
    functional_priv *q = calloc(1, sizeof *q);
    if (!q) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = q;
    int N = (int)o->N;
    q->M = half_rows(o) * N;
    m->ngen = q->M, m->dim = 2 * q->M;
    int rc = loss_coefficients(m);
    if (rc != GD_OK) return rc;
    q->p = malloc(sizeof(double) * (size_t)q->M);
    /* planned on (and the density made in) a workspace of setup's own: every later transform
     * runs on the caller's workspace, whose fftw_malloc arrays have the planning alignment */
    functional_ws *w = scratch_alloc(q->M, spectrum_size(o));
    if (!q->p || !w) {
        scratch_free(w);
        return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-point grid", q->M);
    }
    gd_fftw_lock();
    q->fwd = o->dim == 2 ? fftw_plan_dft_r2c_2d(N, N, w->re, w->spec, FFTW_ESTIMATE) : fftw_plan_dft_r2c_1d(N, w->re, w->spec, FFTW_ESTIMATE);
    q->bwd = o->dim == 2 ? fftw_plan_dft_c2r_2d(N, N, w->spec, w->re, FFTW_ESTIMATE) : fftw_plan_dft_c2r_1d(N, w->spec, w->re, FFTW_ESTIMATE);
    gd_fftw_unlock();
    rc = q->fwd && q->bwd ? make_density(m, w) : gd_model_fail(m, GD_ESOLVER, "FFTW could not plan the %d-point transforms", q->M);
    scratch_free(w);
    return rc;
}

/* /grid/x (the nodes along each axis), /grid/p (the weight density, N or N x N), and for
 * augment = exact the data density /grid/p_data. */
static int functional_write(const gd_model *m, gd_h5 *f)
{
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    int N = (int)o->N, rank = (int)o->dim;
    hsize_t dn = (hsize_t)N, dg[2] = {(hsize_t)N, (hsize_t)N};
    double *x = malloc(sizeof(double) * (size_t)N);
    if (!x) return GD_ENOMEM;
    for (int i = 0; i < N; i++) x[i] = o->L * i / N;
    int rc = gd_h5_write(f, "/grid/x", 1, &dn, x);
    free(x);
    if (rc == GD_OK) rc = gd_h5_write(f, "/grid/p", rank, dg, q->p);
    if (rc == GD_OK && q->pin != q->p) rc = gd_h5_write(f, "/grid/p_data", rank, dg, q->pin);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "loss", losses[o->loss]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "form", forms[o->form]);
    double abc[3] = {q->a, q->b, q->c};
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/model", "abc", 3, abc);
    return rc;
}

/* ------------------------------------------------------------ public access ----- */

/* Eigenvalues of -Delta_p, ascending, through the symmetric form S = P^{1/2} (-A) P^{-1/2};
 * modes (NULL or M x M, column k) get phi_k = sqrt(M) P^{-1/2} v_k: <phi_k, phi_k>_p = 1 as a grid mean. */
int gd_functional_laplacian_spectrum(const gd_model *m, double *lambda, double *modes)
{
    if (!gd_model_usable(m, &gd_model_functional)) return GD_EUSAGE;
    gd_model_ws *ws = gd_model_own_ws(m);
    int rc = ws ? dense_laplacian(m, ws) : GD_ENOMEM;
    if (rc != GD_OK) return rc;
    const functional_priv *q = m->priv;
    const double *A = ((const functional_ws *)ws->priv)->A;
    int M = q->M;
    double *S = malloc(sizeof(double) * (size_t)M * (size_t)M);
    if (!S) return GD_ENOMEM;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) S[(size_t)i * M + j] = -A[(size_t)i * M + j] * sqrt(q->p[i] / q->p[j]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < i; j++) S[(size_t)i * M + j] = S[(size_t)j * M + i] = 0.5 * (S[(size_t)i * M + j] + S[(size_t)j * M + i]);
    int pin = gd_blas_serial_begin(M), info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, modes ? 'V' : 'N', 'U', M, S, M, lambda);
    gd_blas_serial_end(pin);
    for (int i = 0; modes && info == 0 && i < M; i++)
        for (int k = 0; k < M; k++) modes[(size_t)i * M + k] = sqrt((double)M / q->p[i]) * S[(size_t)i * M + k];
    free(S);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

/* The roots s^+ (larger real part) and s^- of the 2 x 2 block on an eigenfunction of -Delta_p
 * with eigenvalue lambda (the zero mode carries the gauge relaxation). */
int gd_functional_mode_roots(const gd_model *m, double lambda, int zero_mode, double re[2], double im[2])
{
    if (!gd_model_usable(m, &gd_model_functional)) return GD_EUSAGE;
    double j[4];
    mode_block(m, zero_mode, lambda, j);
    int rc = gd_eigenvalues(2, j, re, im);
    if (rc == GD_OK && re[1] > re[0]) {
        double r = re[0], i = im[0];
        re[0] = re[1], im[0] = im[1], re[1] = r, im[1] = i;
    }
    return rc;
}

/* W' and W'' of W = -log p at y = x - L/2 along the first axis, in closed form for the
 * Gaussian densities, whose W grows without bound and so has no periodic spectral
 * derivative on the box. Translation noise of width t (augment = simple) widens each
 * Gaussian to sigma^2 + t^2 (up to periodisation, negligible on the boxes these need). */
static void closed_form_w(const functional_opts *o, double y, double *d1, double *d2)
{
    if (o->density != DENS_GAUSS && o->density != DENS_MIXTURE) return;
    double s2 = o->sigma * o->sigma + (o->augment == AUG_SIMPLE ? o->aug_t * o->aug_t : 0);
    if (o->density == DENS_GAUSS) {
        *d1 = y / s2, *d2 = 1 / s2;
        return;
    }
    double h = o->sep / 2, th = tanh(h * y / s2); /* W = y^2/(2 s2) - log cosh(h y / s2) + const */
    *d1 = (y - h * th) / s2;
    *d2 = (1 - h * h / s2 * (1 - th * th)) / s2;
}

/* The ground-state form: v = p^{1/2} u turns -Delta_p into H = -Delta + V with
 * V = |grad W|^2/4 - Delta W/2, W = -log p: symmetric by construction, and well conditioned
 * where p nearly vanishes on the box. W's derivatives are spectral, except for gauss, whose
 * W is not periodic on the box (it is taken in closed form). Eigenvalues ascending. */
int gd_functional_ground_state_spectrum(const gd_model *m, double *lambda)
{
    if (!gd_model_usable(m, &gd_model_functional)) return GD_EUSAGE;
    const functional_opts *o = m->opts;
    const functional_priv *q = m->priv;
    gd_model_ws *ws = gd_model_own_ws(m);
    int M = q->M;
    if (!ws) return GD_ENOMEM;
    if (M > 4096) return gd_ws_fail(ws, GD_EUSAGE, "ground-state spectrum of %d grid points: at most 4096", M);
    if (o->augment == AUG_EXACT) return gd_ws_fail(ws, GD_EUSAGE, "the ground-state form has no augment = exact variant (use the operator spectrum)");
    functional_ws *sc = ws->priv;
    double *H = calloc((size_t)M * (size_t)M, sizeof(double)), *V = calloc((size_t)M, sizeof(double));
    double *w = malloc(sizeof(double) * (size_t)M), *d1 = malloc(sizeof(double) * (size_t)M), *d2 = malloc(sizeof(double) * (size_t)M);
    int rc = H && V && w && d1 && d2 ? GD_OK : GD_ENOMEM;
    for (int j = 0; rc == GD_OK && j < o->dim; j++) { /* V, one axis at a time */
        for (int i = 0; i < M; i++) w[i] = -log(q->p[i]);
        derivative(m, sc, j, w, d1);
        derivative(m, sc, j, d1, d2);
        for (int i = 0; i < M; i++) {
            if (j == 0) closed_form_w(o, grid_x(o, M, i) - o->L / 2, &d1[i], &d2[i]);
            V[i] += 0.25 * d1[i] * d1[i] - 0.5 * d2[i];
        }
    }
    for (int c = 0; rc == GD_OK && c < M; c++) { /* -Delta column by column */
        memset(w, 0, sizeof(double) * (size_t)M);
        w[c] = 1;
        for (int j = 0; j < o->dim; j++) {
            derivative(m, sc, j, w, d1);
            derivative(m, sc, j, d1, d2);
            for (int i = 0; i < M; i++) H[(size_t)i * M + c] -= d2[i];
        }
        H[(size_t)c * M + c] += V[c];
    }
    int pin = gd_blas_serial_begin(M);
    if (rc == GD_OK && LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', M, H, M, lambda) != 0) rc = GD_ESOLVER;
    gd_blas_serial_end(pin);
    free(H), free(V), free(w), free(d1), free(d2);
    return rc;
}

/* Delta_p applied to one grid function u (M values). */
int gd_functional_laplacian(const gd_model *m, const double *u, double *out)
{
    if (!gd_model_usable(m, &gd_model_functional)) return GD_EUSAGE;
    gd_model_ws *ws = gd_model_own_ws(m);
    if (!ws) return GD_ENOMEM;
    laplacian(m, ws->priv, u, out);
    return GD_OK;
}

/* The mode spectrum hook: every eigenfunction of -Delta_p is one mode (the constant one, k = 0,
 * with the gauge relaxation), its roots those of the mode's 2 x 2 block. */
static int functional_mode_spectrum(const gd_model *m, int ground_state, int *n, double *lambda, double *re, double *im)
{
    const functional_priv *q = m->priv;
    *n = q->M;
    if (!lambda) return GD_OK;
    int rc = ground_state ? gd_functional_ground_state_spectrum(m, lambda) : gd_functional_laplacian_spectrum(m, lambda, NULL);
    if (rc == GD_ESOLVER) return gd_model_fail((gd_model *)m, rc, "LAPACK dsyev failed on -Delta_p of %d grid points", q->M);
    for (int k = 0; rc == GD_OK && k < q->M; k++)
        if ((rc = gd_functional_mode_roots(m, lambda[k], k == 0, re + 2 * k, im + 2 * k)) != GD_OK)
            gd_model_fail((gd_model *)m, rc, "mode %d has no roots", k);
    return rc;
}

const gd_model_type gd_model_functional = {
    .name = "functional",
    .summary = "linearised function-space GAN dynamics: (psi, u) on a periodic grid with the weighted Laplacian (Khrulkov et al.)",
    .params = functional_params,
    .opts_size = sizeof(functional_opts),
    .setup = functional_setup,
    .cleanup = functional_cleanup,
    .ws_init = functional_ws_init,
    .ws_free = functional_ws_free,
    .field = functional_field,
    .jacobian = functional_jacobian,
    .equilibrium = functional_equilibrium,
    .default_start = functional_default_start,
    .jvp = functional_jvp,
    .psolve = functional_psolve,
    .write = functional_write,
    .mode_spectrum = functional_mode_spectrum,
};
