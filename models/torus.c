/* SPDX-License-Identifier: BSD-3-Clause
 *
 * torus: a periodic min-max objective F(theta, phi) on the 2-torus (torus.md), the generator
 * angle theta descending, the discriminator angle phi ascending:
 *     theta' = -eta_g dF/dtheta,  phi' = eta_d dF/dphi.
 * flow = truncated integrates the Fourier truncation F_N of F instead: F is sampled on an
 * M x M grid, one FFTW r2c transform gives its coefficients c_kl, the mask keeps
 * max(|k|, |l|) <= N (or |k| + |l| <= N, or k^2 + l^2 <= N^2), and F_N with its gradient and
 * Hessian is summed directly at any point (torus.md 6.5a): smooth, so CVODE's error control
 * and the analytic Jacobian see the exact truncated field. flow = real uses the objective's
 * own closed-form gradient. Angles stay unwrapped in the state.
 *
 * Objectives (one table below): product s sin(theta) sin(phi) + eps_g cos(theta) + eps_d cos(phi),
 * damped (the same with torus.md 3.5's pure terms), mode cos(alpha theta + beta_mode phi),
 * poisson (the Poisson kernel of theta - phi), rexp (the reference exponential GAN of 2.2,
 * by Gauss-Laguerre quadrature) and grid (samples of F from an HDF5 file; truncated only).
 */
#include "gd_impl.h"
#include "h5io.h"

#include <complex.h>
#include <fftw3.h>
#include <hdf5.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const gd_model_type gd_model_torus;

enum { OBJ_PRODUCT, OBJ_DAMPED, OBJ_MODE, OBJ_POISSON, OBJ_REXP, OBJ_GRID };
enum { FLOW_TRUNCATED, FLOW_REAL };
enum { MASK_LINF, MASK_L1, MASK_L2 };
enum { PLAN_ESTIMATE, PLAN_MEASURE };

typedef struct {
    int objective, flow, mask, plan;
    long N, M, quad_nodes;
    double eta_g, eta_d;
    double s, eps_g, eps_d;           /* product, damped */
    double alpha, beta_mode;          /* mode */
    double r;                         /* poisson */
    double rho, beta, kappa, delta;   /* rexp */
    char *file, *dataset, *wisdom;    /* grid samples; FFTW wisdom file */
} torus_opts;

static const char *const objectives[] = {"product", "damped", "mode", "poisson", "rexp", "grid", NULL};
static const char *const flows[] = {"truncated", "real", NULL};
static const char *const masks[] = {"linf", "l1", "l2", NULL};
static const char *const plans[] = {"estimate", "measure", NULL};

#define O(f) offsetof(torus_opts, f)
static const gd_param torus_params[] = {
    {"objective", GD_P_ENUM, O(objective), "rexp", "product | damped | mode | poisson | rexp | grid (torus.md 2-3)", 0, 0, 0, objectives},
    {"flow", GD_P_ENUM, O(flow), "truncated", "truncated (the Fourier series F_N) | real (the objective's own gradient)", 0, 0, 0, flows},
    {"N", GD_P_INT, O(N), "4", "truncation order (mask radius)", 1, 1000, 0, NULL},
    {"M", GD_P_INT, O(M), "64", "sampling grid M x M for the FFT (even M >= 2N + 2; grid: the file's size)", 4, 65536, 0, NULL},
    {"mask", GD_P_ENUM, O(mask), "linf", "linf max(|k|,|l|) <= N | l1 |k|+|l| <= N | l2 k^2+l^2 <= N^2", 0, 0, 0, masks},
    {"plan", GD_P_ENUM, O(plan), "estimate", "FFTW planner: estimate | measure (slower to plan; keep it with model.wisdom)", 0, 0, 0, plans},
    {"wisdom", GD_P_STRING, O(wisdom), "", "FFTW wisdom file: read if present, written after planning (empty: none)", 0, 0, 0, NULL},
    {"quad_nodes", GD_P_INT, O(quad_nodes), "64", "rexp: Gauss-Laguerre nodes Q", 2, 400, 0, NULL},
    {"eta_g", GD_P_DOUBLE, O(eta_g), "1", "generator flow speed", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"eta_d", GD_P_DOUBLE, O(eta_d), "1", "discriminator flow speed", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"s", GD_P_DOUBLE, O(s), "1", "product, damped: coupling s of s sin(theta) sin(phi)", -INFINITY, INFINITY, 0, NULL},
    {"eps_g", GD_P_DOUBLE, O(eps_g), "", "product, damped: pure generator term eps_g cos(theta) (empty: 0, damped -0.02)", -INFINITY, INFINITY, GD_PF_EMPTY, NULL},
    {"eps_d", GD_P_DOUBLE, O(eps_d), "", "product, damped: pure discriminator term eps_d cos(phi) (empty: 0, damped 0.08)", -INFINITY, INFINITY, GD_PF_EMPTY, NULL},
    {"alpha", GD_P_DOUBLE, O(alpha), "1", "mode: cos(alpha theta + beta_mode phi), integer for periodicity", -64, 64, 0, NULL},
    {"beta_mode", GD_P_DOUBLE, O(beta_mode), "2", "mode: frequency of phi", -64, 64, 0, NULL},
    {"r", GD_P_DOUBLE, O(r), "0.5", "poisson: (1 - r^2)/(1 - 2r cos(theta - phi) + r^2)", 0, 1, GD_PF_HI_OPEN, NULL},
    {"rho", GD_P_DOUBLE, O(rho), "1", "rexp: discriminator scale rho", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"beta", GD_P_DOUBLE, O(beta), "1", "rexp: discriminator threshold beta", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"kappa", GD_P_DOUBLE, O(kappa), "1", "rexp: generator log-rate amplitude kappa", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"delta", GD_P_DOUBLE, O(delta), "0", "rexp: generator log-rate offset delta (|delta| <= kappa for a Nash point)", -INFINITY, INFINITY, 0, NULL},
    {"file", GD_P_STRING, O(file), "", "grid: HDF5 file of objective samples F[j][k] at (2 pi j/M, 2 pi k/M)", 0, 0, 0, NULL},
    {"dataset", GD_P_STRING, O(dataset), "/grid/F", "grid: dataset name in model.file", 0, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    int N, M, H;           /* order, grid size, M/2 + 1 */
    gd_torus_plan *plan;   /* the coefficient extraction; holds the normalised spectrum */
    double *cr, *ci;       /* masked c_kl, l = 0..N (row l), k = -N..N (column k + N): real, imaginary */
    double *qx, *qw;       /* Gauss-Laguerre nodes and weights (rexp) */
    int nq;
    double *grid;          /* the samples (kept for output) */
    double seed[2];        /* where Newton starts for the equilibrium */
} torus_priv;

/* ------------------------------------------------------------------ objectives -- */

/* One objective: its value, gradient (NULL: samples only) and Hessian (theta-theta,
 * theta-phi, phi-phi; NULL: central differences of the gradient) at (theta, phi). */
typedef struct {
    double (*value)(const gd_model *m, double th, double ph);
    void (*gradient)(const gd_model *m, double th, double ph, double *g);
    void (*hessian)(const gd_model *m, double th, double ph, double *H);
} objective_fns;

static double eps_of(const torus_opts *o, int disc)
{
    double v = disc ? o->eps_d : o->eps_g;
    if (!isnan(v)) return v;
    return o->objective == OBJ_DAMPED ? (disc ? 0.08 : -0.02) : 0.0;
}

static double product_value(const gd_model *m, double th, double ph)
{
    const torus_opts *o = m->opts;
    return o->s * sin(th) * sin(ph) + eps_of(o, 0) * cos(th) + eps_of(o, 1) * cos(ph);
}

static void product_gradient(const gd_model *m, double th, double ph, double *g)
{
    const torus_opts *o = m->opts;
    g[0] = o->s * cos(th) * sin(ph) - eps_of(o, 0) * sin(th);
    g[1] = o->s * sin(th) * cos(ph) - eps_of(o, 1) * sin(ph);
}

static void product_hessian(const gd_model *m, double th, double ph, double *H)
{
    const torus_opts *o = m->opts;
    H[0] = -o->s * sin(th) * sin(ph) - eps_of(o, 0) * cos(th);
    H[1] = o->s * cos(th) * cos(ph);
    H[2] = -o->s * sin(th) * sin(ph) - eps_of(o, 1) * cos(ph);
}

static double mode_value(const gd_model *m, double th, double ph)
{
    const torus_opts *o = m->opts;
    return cos(o->alpha * th + o->beta_mode * ph);
}

static void mode_gradient(const gd_model *m, double th, double ph, double *g)
{
    const torus_opts *o = m->opts;
    double sn = sin(o->alpha * th + o->beta_mode * ph);
    g[0] = -o->alpha * sn, g[1] = -o->beta_mode * sn;
}

static void mode_hessian(const gd_model *m, double th, double ph, double *H)
{
    const torus_opts *o = m->opts;
    double c = cos(o->alpha * th + o->beta_mode * ph);
    H[0] = -o->alpha * o->alpha * c, H[1] = -o->alpha * o->beta_mode * c, H[2] = -o->beta_mode * o->beta_mode * c;
}

static double poisson_value(const gd_model *m, double th, double ph)
{
    double r = ((const torus_opts *)m->opts)->r;
    return (1 - r * r) / (1 - 2 * r * cos(th - ph) + r * r);
}

static void poisson_gradient(const gd_model *m, double th, double ph, double *g)
{
    double r = ((const torus_opts *)m->opts)->r, u = th - ph, d = 1 - 2 * r * cos(u) + r * r;
    double dF = -(1 - r * r) * 2 * r * sin(u) / (d * d);
    g[0] = dF, g[1] = -dF;
}

static void poisson_hessian(const gd_model *m, double th, double ph, double *H)
{
    double r = ((const torus_opts *)m->opts)->r, u = th - ph, d = 1 - 2 * r * cos(u) + r * r, P = 1 - r * r;
    double d2F = -2 * r * P * cos(u) / (d * d) + 8 * r * r * P * sin(u) * sin(u) / (d * d * d);
    H[0] = d2F, H[1] = -d2F, H[2] = d2F;
}

/* log sigma(y) without overflow. */
static double log_sigmoid(double y) { return y >= 0 ? -log1p(exp(-y)) : y - log1p(exp(y)); }
static double sigmoid(double y) { return y >= 0 ? 1 / (1 + exp(-y)) : exp(y) / (1 + exp(y)); }

/* R-Exp (torus.md 2.2): data w ~ Exp(1), generated g z with z ~ Exp(1), g = e^{kappa sin theta - delta};
 * D(x) = sigma(A (1 - beta x)) with A = rho sin phi. Expectations by Gauss-Laguerre. */
static double rexp_value(const gd_model *m, double th, double ph)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    double A = o->rho * sin(ph), g = exp(o->kappa * sin(th) - o->delta), sum = 0;
    for (int i = 0; i < p->nq; i++) {
        double x = p->qx[i];
        sum += p->qw[i] * (log_sigmoid(A * (1 - o->beta * x)) + log_sigmoid(-A * (1 - o->beta * g * x)));
    }
    return sum;
}

static void rexp_gradient(const gd_model *m, double th, double ph, double *grad)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    double A = o->rho * sin(ph), g = exp(o->kappa * sin(th) - o->delta), ew = 0, ez = 0, ezz = 0;
    for (int i = 0; i < p->nq; i++) {
        double x = p->qx[i], uw = 1 - o->beta * x, uz = 1 - o->beta * g * x, sz = sigmoid(A * uz);
        ew += p->qw[i] * sigmoid(-A * uw) * uw;
        ez += p->qw[i] * sz * uz;
        ezz += p->qw[i] * sz * x;
    }
    grad[0] = A * o->beta * o->kappa * cos(th) * g * ezz;
    grad[1] = o->rho * cos(ph) * (ew - ez);
}

static const objective_fns objective_table[] = {
    [OBJ_PRODUCT] = {product_value, product_gradient, product_hessian},
    [OBJ_DAMPED] = {product_value, product_gradient, product_hessian},
    [OBJ_MODE] = {mode_value, mode_gradient, mode_hessian},
    [OBJ_POISSON] = {poisson_value, poisson_gradient, poisson_hessian},
    [OBJ_REXP] = {rexp_value, rexp_gradient, NULL},
    [OBJ_GRID] = {NULL, NULL, NULL},
};

/* Gauss-Laguerre rule (weight e^{-x} on [0, inf)): Golub-Welsch for a start, then Newton on
 * L_n and w = x / ((n+1) L_{n+1}(x))^2, which keeps the small weights' relative accuracy. */
static void laguerre(int n, double x, double *Ln, double *dLn, double *Ln1)
{
    double l0 = 1, l1 = 1 - x;
    for (int k = 1; k < n; k++) {
        double l2 = ((2 * k + 1 - x) * l1 - k * l0) / (k + 1);
        l0 = l1, l1 = l2;
    }
    *Ln = n == 0 ? 1 : l1;
    *dLn = n * (l1 - l0) / x;
    *Ln1 = ((2 * n + 1 - x) * l1 - n * l0) / (n + 1);
}

static int gauss_laguerre(int n, double *x, double *w)
{
    double *e = malloc(sizeof(double) * (size_t)n);
    if (!e) return GD_ENOMEM;
    for (int k = 0; k < n; k++) x[k] = 2 * k + 1, e[k] = k + 1;
    int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'N', n, x, e, NULL, n);
    free(e);
    if (info != 0) return GD_ESOLVER;
    for (int k = 0; k < n; k++) {
        double Ln, dLn, Ln1;
        for (int it = 0; it < 3; it++) {
            laguerre(n, x[k], &Ln, &dLn, &Ln1);
            x[k] -= Ln / dLn;
        }
        laguerre(n, x[k], &Ln, &dLn, &Ln1);
        w[k] = x[k] / ((n + 1) * Ln1 * (n + 1) * Ln1);
    }
    return GD_OK;
}

/* ------------------------------------------------------------- coefficients ----- */

/* The samples, the plan's input and its half spectrum: refuse up front, naming the size,
 * what this machine's memory cannot hold (the torus grid is the only large allocation). */
static int check_memory(gd_model *m, int M)
{
    double need = (double)M * M * 8 * 2 + (double)M * (M / 2 + 1) * 16;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && page > 0 ? (double)pages * (double)page : INFINITY;
    if (need > 0.8 * have)
        return gd_model_fail(m, GD_ENOMEM, "model.M = %d needs %.1f GiB for the sampling grid and its spectrum; this machine has %.1f GiB", M,
                             need / 1073741824.0, have / 1073741824.0);
    return GD_OK;
}

static int read_grid(gd_model *m, torus_priv *p)
{
    const torus_opts *o = m->opts;
    if (!o->file[0]) return gd_model_fail(m, GD_EUSAGE, "model.objective = grid needs model.file (an HDF5 file of samples)");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(o->file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return gd_model_fail(m, GD_EIO, "cannot open model.file '%s'", o->file);
    hid_t ds = H5Dopen2(f, o->dataset, H5P_DEFAULT);
    hsize_t dims[2] = {0, 0};
    int rank = -1, rc = GD_OK;
    if (ds >= 0) {
        hid_t sp = H5Dget_space(ds);
        rank = H5Sget_simple_extent_ndims(sp);
        if (rank == 2) H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
    }
    if (ds < 0) rc = gd_model_fail(m, GD_EUSAGE, "'%s': no dataset %s", o->file, o->dataset);
    else if (rank != 2 || dims[0] != dims[1] || dims[0] < 4 || dims[0] > 65536 || dims[0] % 2)
        rc = gd_model_fail(m, GD_EUSAGE, "'%s': %s must be a square M x M array with even M from 4 to 65536", o->file, o->dataset);
    else rc = check_memory(m, (int)dims[0]);
    p->M = (int)dims[0];
    if (rc == GD_OK && !(p->grid = fftw_malloc(sizeof(double) * dims[0] * dims[1]))) rc = gd_model_fail(m, GD_ENOMEM, "out of memory");
    if (rc == GD_OK && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p->grid) < 0)
        rc = gd_model_fail(m, GD_EIO, "'%s': cannot read %s as numbers", o->file, o->dataset);
    for (size_t i = 0; rc == GD_OK && i < dims[0] * dims[1]; i++)
        if (!isfinite(p->grid[i])) rc = gd_model_fail(m, GD_EUSAGE, "'%s': %s has a non-finite sample at index %zu", o->file, o->dataset, i);
    if (ds >= 0) H5Dclose(ds);
    H5Fclose(f);
    return rc;
}

/* The extraction, planned once and executed on any number of sample grids (FFTW style).
 * Its own input array: FFTW_MEASURE scribbles over the arrays while planning. */
struct gd_torus_plan {
    int M, H;
    double *in;
    fftw_complex *spec; /* r2c output, M x H, normalised by M^2 (C99 complex: complex.h comes first) */
    fftw_plan fft;
};

gd_torus_plan *gd_torus_plan_create(int M, int measure)
{
    if (M < 2 || M % 2 || M > 65536) return NULL;
    gd_torus_plan *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->M = M, t->H = M / 2 + 1;
    t->in = fftw_malloc(sizeof(double) * (size_t)M * (size_t)M);
    t->spec = fftw_malloc(sizeof(fftw_complex) * (size_t)M * (size_t)t->H);
    if (t->in && t->spec) t->fft = fftw_plan_dft_r2c_2d(M, M, t->in, t->spec, measure ? FFTW_MEASURE : FFTW_ESTIMATE);
    if (!t->fft) gd_torus_plan_free(&t);
    return t;
}

void gd_torus_plan_execute(gd_torus_plan *t, const double *samples)
{
    size_t nn = (size_t)t->M * (size_t)t->M, nh = (size_t)t->M * (size_t)t->H;
    memcpy(t->in, samples, sizeof(double) * nn); /* the plan is bound to its own aligned arrays */
    fftw_execute(t->fft);
    const double scale = 1.0 / (double)nn;
    for (size_t i = 0; i < nh; i++) t->spec[i] *= scale;
}

void gd_torus_plan_coefficient(const gd_torus_plan *t, int k, int l, double *re, double *im)
{
    int conj_ = l < 0;
    if (conj_) k = -k, l = -l;
    int row = ((k % t->M) + t->M) % t->M;
    double complex c = t->spec[(size_t)row * t->H + l];
    *re = creal(c), *im = conj_ ? -cimag(c) : cimag(c);
}

void gd_torus_plan_free(gd_torus_plan **t)
{
    if (!t || !*t) return;
    if ((*t)->fft) fftw_destroy_plan((*t)->fft);
    fftw_free((*t)->in), fftw_free((*t)->spec);
    free(*t);
    *t = NULL;
}

/* Plan (reading and writing wisdom around it), sample, execute. */
static int transform(gd_model *m, torus_priv *p)
{
    const torus_opts *o = m->opts;
    int M = p->M;
    if (check_memory(m, M) != GD_OK) return GD_ENOMEM;
    if (o->wisdom[0]) fftw_import_wisdom_from_filename(o->wisdom);
    if (!(p->plan = gd_torus_plan_create(M, o->plan == PLAN_MEASURE)))
        return gd_model_fail(m, GD_ENOMEM, "cannot plan a %d x %d transform (out of memory?)", M, M);
    if (o->wisdom[0] && !fftw_export_wisdom_to_filename(o->wisdom))
        return gd_model_fail(m, GD_EIO, "cannot write FFTW wisdom to model.wisdom = '%s'", o->wisdom);
    if (o->objective != OBJ_GRID) {
        if (!(p->grid = fftw_malloc(sizeof(double) * (size_t)M * (size_t)M)))
            return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d x %d sampling grid", M, M);
        for (int j = 0; j < M; j++)
            for (int k = 0; k < M; k++)
                p->grid[(size_t)j * M + k] = objective_table[o->objective].value(m, 2 * M_PI * j / M, 2 * M_PI * k / M);
    }
    gd_torus_plan_execute(p->plan, p->grid);
    return GD_OK;
}

/* c_kl of the sampled F for |k|, |l| <= M/2 (aliased sums, unmasked). */
static double complex raw_coefficient(const torus_priv *p, int k, int l)
{
    double re, im;
    gd_torus_plan_coefficient(p->plan, k, l, &re, &im);
    return CMPLX(re, im);
}

static int kept(const torus_opts *o, int N, int k, int l)
{
    if (o->mask == MASK_L1) return abs(k) + abs(l) <= N;
    if (o->mask == MASK_L2) return k * k + l * l <= N * N;
    return abs(k) <= N && abs(l) <= N;
}

static void apply_mask(const gd_model *m, torus_priv *p)
{
    int N = p->N;
    for (int k = -N; k <= N; k++)
        for (int l = 0; l <= N; l++)
        {
            double complex c = kept(m->opts, N, k, l) ? raw_coefficient(p, k, l) : 0;
            p->cr[(size_t)l * (2 * N + 1) + k + N] = creal(c), p->ci[(size_t)l * (2 * N + 1) + k + N] = cimag(c);
        }
}

/* The outermost shell the grid resolves (max(|k|,|l|) = M/2 - 1) should be negligible;
 * otherwise higher harmonics have folded onto the kept ones. */
static void check_aliasing(gd_model *m, const torus_priv *p)
{
    int n = p->M / 2 - 1;
    double cmax = 0, shell = 0;
    for (int k = -n; k <= n; k++)
        for (int l = 0; l <= n; l++) {
            double a = cabs(raw_coefficient(p, k, l));
            cmax = fmax(cmax, a);
            if (abs(k) == n || l == n) shell = fmax(shell, a);
        }
    if (shell > 1e-10 * cmax)
        snprintf(m->warning, sizeof m->warning,
                 "torus: the outermost resolved shell (|k| or |l| = %d) holds %.2e of the largest coefficient: "
                 "F is under-resolved on M = %d, raise model.M", n, shell / cmax, p->M);
}

/* ---------------------------------------------------------------- evaluation ---- */

/* F_N, gradient and Hessian (theta-theta, theta-phi, phi-phi) by direct summation over
 * l = 0..N of G_l(theta) e^{i l phi}, G_l = sum_k c_kl e^{ik theta}; l > 0 twice for the
 * conjugate half. Any output may be NULL. */
static void series(const torus_priv *p, double th, double ph, double *F, double *g, double *H)
{
    int N = p->N, n = 2 * N + 1;
    double kc[2 * 1000 + 1], ks[2 * 1000 + 1], kk[2 * 1000 + 1]; /* cos k theta, sin k theta, k */
    double c1 = cos(th), s1 = sin(th);
    kc[N] = 1, ks[N] = 0, kk[N] = 0;
    for (int k = 1; k <= N; k++) {
        kc[N + k] = kc[N + k - 1] * c1 - ks[N + k - 1] * s1, ks[N + k] = ks[N + k - 1] * c1 + kc[N + k - 1] * s1;
        kc[N - k] = kc[N + k], ks[N - k] = -ks[N + k], kk[N + k] = k, kk[N - k] = -k;
    }
    /* Real and imaginary parts of sum_l w_l e^{il phi} times G_l, k G_l, k^2 G_l (w = 2 for l > 0). */
    double cp = cos(ph), sp = sin(ph), ec = 1, es = 0;
    double f0 = 0, t1 = 0, p1 = 0, tt = 0, tp = 0, pp = 0;
    for (int l = 0; l <= N; l++) {
        const double *cr = p->cr + (size_t)l * n, *ci = p->ci + (size_t)l * n;
        double g0r = 0, g0i = 0, g1r = 0, g1i = 0, g2r = 0;
        for (int j = 0; j < n; j++) {
            double tr = cr[j] * kc[j] - ci[j] * ks[j], ti = cr[j] * ks[j] + ci[j] * kc[j];
            g0r += tr, g0i += ti, g1r += kk[j] * tr, g1i += kk[j] * ti;
            if (H) g2r += kk[j] * kk[j] * tr;
        }
        double w = l ? 2 : 1, er = w * ec, ei = w * es;
        double h0r = g0r * er - g0i * ei, h0i = g0r * ei + g0i * er; /* Re, Im of w e^{il phi} G_l */
        f0 += h0r;
        t1 += g1r * ei + g1i * er; /* Im of w e^{il phi} (k G)_l */
        p1 += l * h0i;
        if (H) {
            double g2i = 0;
            for (int j = 0; j < n; j++) g2i += kk[j] * kk[j] * (cr[j] * ks[j] + ci[j] * kc[j]);
            tt += g2r * er - g2i * ei, tp += l * (g1r * er - g1i * ei), pp += (double)l * l * h0r;
        }
        double e = ec * cp - es * sp;
        es = es * cp + ec * sp, ec = e;
    }
    if (F) *F = f0;
    if (g) g[0] = -t1, g[1] = -p1;
    if (H) H[0] = -tt, H[1] = -tp, H[2] = -pp;
}

/* Gradient of whichever F the flow follows. */
static void gradient(const gd_model *m, const double *x, double *g)
{
    const torus_opts *o = m->opts;
    if (o->flow == FLOW_REAL) objective_table[o->objective].gradient(m, x[0], x[1], g);
    else series(m->priv, x[0], x[1], NULL, g, NULL);
}

static int torus_field(const gd_model *m, int mode, const double *x, double *v)
{
    (void)mode;
    const torus_opts *o = m->opts;
    double g[2];
    gradient(m, x, g);
    v[0] = -o->eta_g * g[0];
    v[1] = o->eta_d * g[1];
    return isfinite(v[0]) && isfinite(v[1]) ? GD_OK : GD_ESOLVER;
}

static void hessian(const gd_model *m, const double *x, double *H)
{
    const torus_opts *o = m->opts;
    if (o->flow == FLOW_TRUNCATED) {
        series(m->priv, x[0], x[1], NULL, NULL, H);
        return;
    }
    if (objective_table[o->objective].hessian) {
        objective_table[o->objective].hessian(m, x[0], x[1], H);
        return;
    }
    /* Central differences of the closed-form gradient: O(h^2) = 1e-10 relative. */
    const double h = 1e-5;
    double gp[2], gm[2], y[2];
    for (int j = 0; j < 2; j++) {
        y[0] = x[0], y[1] = x[1];
        y[j] = x[j] + h;
        gradient(m, y, gp);
        y[j] = x[j] - h;
        gradient(m, y, gm);
        if (j == 0) H[0] = (gp[0] - gm[0]) / (2 * h), H[1] = (gp[1] - gm[1]) / (2 * h);
        else H[1] = 0.5 * (H[1] + (gp[0] - gm[0]) / (2 * h)), H[2] = (gp[1] - gm[1]) / (2 * h);
    }
}

static int torus_jacobian(const gd_model *m, int mode, const double *x, double *J)
{
    (void)mode;
    const torus_opts *o = m->opts;
    double H[3];
    hessian(m, x, H);
    J[0] = -o->eta_g * H[0], J[1] = -o->eta_g * H[1];
    J[2] = o->eta_d * H[1], J[3] = o->eta_d * H[2];
    return GD_OK;
}

/* Newton from the objective's Nash point (R-Exp: (asin(delta/kappa), 0); product, damped:
 * the origin); mode and poisson have lines of equilibria, not an isolated one. */
static int torus_equilibrium(const gd_model *m, double *x)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    if (o->objective == OBJ_MODE || o->objective == OBJ_POISSON) return GD_ENOTAVAIL;
    x[0] = p->seed[0], x[1] = p->seed[1];
    for (int it = 0; it < 50; it++) {
        double v[2], J[4];
        torus_field(m, 0, x, v);
        if (hypot(v[0], v[1]) < 1e-14) return GD_OK;
        torus_jacobian(m, 0, x, J);
        double det = J[0] * J[3] - J[1] * J[2];
        if (!(fabs(det) > 0)) return GD_ENOTAVAIL;
        x[0] -= (J[3] * v[0] - J[1] * v[1]) / det;
        x[1] -= (-J[2] * v[0] + J[0] * v[1]) / det;
    }
    double v[2];
    torus_field(m, 0, x, v);
    return hypot(v[0], v[1]) < 1e-11 ? GD_OK : GD_ENOTAVAIL;
}

static int torus_default_start(const gd_model *m, double *x)
{
    (void)m;
    x[0] = x[1] = 0.3; /* torus.md 2.3 */
    return GD_OK;
}

/* ------------------------------------------------------------------- setup ------ */

static void torus_cleanup(gd_model *m)
{
    torus_priv *p = m->priv;
    if (!p) return;
    gd_torus_plan_free(&p->plan), fftw_free(p->grid);
    free(p->cr), free(p->qx), free(p->qw);
    free(p);
    m->priv = NULL;
}

static int torus_setup(gd_model *m)
{
    const torus_opts *o = m->opts;
    m->dim = 2, m->ngen = 1;
    torus_priv *p = calloc(1, sizeof *p);
    if (!p) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = p;
    p->N = (int)o->N;
    if (o->objective == OBJ_MODE && (o->alpha != floor(o->alpha) || o->beta_mode != floor(o->beta_mode)))
        return gd_model_fail(m, GD_EUSAGE, "model.alpha = %g, model.beta_mode = %g: a mode on the torus needs whole frequencies", o->alpha,
                             o->beta_mode);
    if (o->objective == OBJ_REXP) {
        if (fabs(o->delta) > o->kappa)
            return gd_model_fail(m, GD_EUSAGE, "model.delta = %g: R-Exp has a Nash point only for |delta| <= kappa = %g", o->delta, o->kappa);
        p->nq = (int)o->quad_nodes;
        p->qx = malloc(sizeof(double) * (size_t)p->nq), p->qw = malloc(sizeof(double) * (size_t)p->nq);
        if (!p->qx || !p->qw) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        if (gauss_laguerre(p->nq, p->qx, p->qw) != GD_OK) return gd_model_fail(m, GD_ESOLVER, "Gauss-Laguerre rule failed");
        p->seed[0] = asin(o->delta / o->kappa);
    }
    if (o->flow == FLOW_REAL) {
        if (!objective_table[o->objective].gradient)
            return gd_model_fail(m, GD_EUSAGE, "model.flow = real needs a closed-form objective; model.objective = grid has samples only");
        return GD_OK; /* no series needed */
    }
    int rc = o->objective == OBJ_GRID ? read_grid(m, p) : GD_OK;
    if (rc != GD_OK) return rc;
    if (o->objective != OBJ_GRID) p->M = (int)o->M;
    if (p->M % 2 || p->M < 2 * p->N + 2)
        return gd_model_fail(m, GD_EUSAGE, "model.M = %d cannot resolve N = %d without aliasing: need an even M >= 2N + 2 = %d", p->M, p->N,
                             2 * p->N + 2);
    p->H = p->M / 2 + 1;
    p->cr = calloc(2 * (size_t)(2 * p->N + 1) * (size_t)(p->N + 1), sizeof *p->cr);
    if (!p->cr) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    p->ci = p->cr + (size_t)(2 * p->N + 1) * (size_t)(p->N + 1);
    if ((rc = transform(m, p)) != GD_OK) return rc;
    apply_mask(m, p);
    check_aliasing(m, p);
    return GD_OK;
}

/* Spec 6.9 layout: /grid/F is the sampled objective (a valid objective = grid input by itself),
 * /grid/u, /grid/v the truncated field V on the same nodes (spectral), /spectrum holds the retained coefficients with signed index offset N. */
static int torus_write(const gd_model *m, gd_h5 *f)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    const double period = 2 * M_PI;
    int rc = gd_h5_attr_string(f, "/model", "objective", objectives[o->objective]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "flow", flows[o->flow]);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/model", "period", 1, &period);
    if (rc == GD_OK && o->objective == OBJ_REXP) rc = gd_h5_attr_long(f, "/model", "Q", o->quad_nodes);
    if (rc != GD_OK || !p->plan) return rc;
    int N = p->N, n = 2 * N + 1;
    double *re = malloc(sizeof(double) * 2 * (size_t)n * (size_t)n), *im = re ? re + (size_t)n * n : NULL;
    if (!re) return GD_ENOMEM;
    for (int k = -N; k <= N; k++)
        for (int l = -N; l <= N; l++) {
            double complex c = kept(o, N, k, l) ? raw_coefficient(p, k, l) : 0;
            re[(size_t)(k + N) * n + l + N] = creal(c), im[(size_t)(k + N) * n + l + N] = cimag(c);
        }
    hsize_t dc[2] = {(hsize_t)n, (hsize_t)n}, dg[2] = {(hsize_t)p->M, (hsize_t)p->M};
    rc = gd_h5_write(f, "/spectrum/c_re", 2, dc, re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/spectrum/c_im", 2, dc, im);
    if (rc == GD_OK) rc = gd_h5_write(f, "/grid/F", 2, dg, p->grid);
    double *u = malloc(sizeof(double) * 2 * (size_t)p->M * (size_t)p->M);
    if (rc == GD_OK && !u) rc = GD_ENOMEM;
    if (rc == GD_OK) rc = gd_torus_grid_field(m, p->M, u, u + (size_t)p->M * p->M);
    if (rc == GD_OK) rc = gd_h5_write(f, "/grid/u", 2, dg, u);
    if (rc == GD_OK) rc = gd_h5_write(f, "/grid/v", 2, dg, u + (size_t)p->M * p->M);
    free(u);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/spectrum", "N", N);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/spectrum", "M", p->M);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/spectrum", "mask", masks[o->mask]);
    free(re);
    return rc;
}

/* ------------------------------------------------------------ public access ----- */

static const torus_priv *torus_of(const gd_model *m)
{
    return m && m->ready && m->type == &gd_model_torus ? m->priv : NULL;
}

int gd_torus_coefficient(const gd_model *m, int k, int l, double *re, double *im)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->plan || abs(k) > p->M / 2 || abs(l) > p->M / 2) return GD_EUSAGE;
    double complex c = raw_coefficient(p, k, l);
    *re = creal(c), *im = cimag(c);
    return GD_OK;
}

int gd_torus_series(const gd_model *m, const double *x, double *F, double *grad, double *hess)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->cr) return GD_EUSAGE;
    series(p, x[0], x[1], F, grad, hess);
    return GD_OK;
}

int gd_torus_objective(const gd_model *m, const double *x, double *F, double *grad)
{
    const torus_opts *o = m ? m->opts : NULL;
    if (!torus_of(m) || o->objective == OBJ_GRID) return GD_ENOTAVAIL;
    if (F) *F = objective_table[o->objective].value(m, x[0], x[1]);
    if (grad) objective_table[o->objective].gradient(m, x[0], x[1], grad);
    return GD_OK;
}

/* Spectral differentiation for pictures (spec 6.5b): the masked coefficients times (ik) and
 * (il) on an Mf x Mf half spectrum, one c2r each. c2r sums the Hermitian partner of every
 * l > 0 entry itself and the coefficients are already normalised, so its output is the
 * derivative of F_N at the nodes as it stands. */
int gd_torus_grid_field(const gd_model *m, int Mf, double *u, double *v)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->cr || Mf % 2 || Mf < 2 * p->N + 2 || Mf > 65536) return GD_EUSAGE;
    const torus_opts *o = m->opts;
    int N = p->N, n = 2 * N + 1, H = Mf / 2 + 1;
    size_t nn = (size_t)Mf * (size_t)Mf;
    fftw_complex *X = fftw_malloc(sizeof(fftw_complex) * (size_t)Mf * (size_t)H);
    double *R = fftw_malloc(sizeof(double) * nn); /* the plan's own aligned output */
    fftw_plan plan = X && R ? fftw_plan_dft_c2r_2d(Mf, Mf, X, R, FFTW_ESTIMATE) : NULL;
    if (!plan) {
        fftw_free(X), fftw_free(R);
        return GD_ENOMEM;
    }
    double *out[2] = {u, v}, speed[2] = {-o->eta_g, o->eta_d};
    for (int d = 0; d < 2; d++) {
        memset(X, 0, sizeof(fftw_complex) * (size_t)Mf * (size_t)H);
        for (int l = 0; l <= N; l++)
            for (int k = -N; k <= N; k++) {
                double complex c = CMPLX(p->cr[(size_t)l * n + k + N], p->ci[(size_t)l * n + k + N]);
                X[(size_t)((k + Mf) % Mf) * H + l] = speed[d] * I * (d ? l : k) * c;
            }
        fftw_execute(plan); /* destroys X, refilled for the next component */
        memcpy(out[d], R, sizeof(double) * nn);
    }
    fftw_destroy_plan(plan);
    fftw_free(X), fftw_free(R);
    return GD_OK;
}

const gd_model_type gd_model_torus = {
    .name = "torus",
    .summary = "periodic objective on the torus, real or Fourier-truncated by FFTW (product, damped, mode, poisson, rexp, grid)",
    .params = torus_params,
    .opts_size = sizeof(torus_opts),
    .setup = torus_setup,
    .cleanup = torus_cleanup,
    .field = torus_field,
    .jacobian = torus_jacobian,
    .equilibrium = torus_equilibrium,
    .default_start = torus_default_start,
    .write = torus_write,
};
