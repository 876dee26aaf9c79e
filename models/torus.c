/* SPDX-License-Identifier: BSD-3-Clause
 *
 * torus: a periodic min-max objective F(theta, phi) on the 2-torus (docs/models/torus.md), the
 * generator angle theta descending, the discriminator angle phi ascending:
 *     theta' = -eta_g dF/dtheta,  phi' = eta_d dF/dphi.
 * flow = truncated integrates the Fourier truncation F_N of F instead: F is sampled on an
 * M x M grid, one FFTW r2c transform gives its coefficients c_kl, the mask keeps
 * max(|k|, |l|) <= N (or |k| + |l| <= N, or k^2 + l^2 <= N^2), and F_N with its gradient and
 * Hessian is summed directly at any point (docs: "Discretisation"): smooth, so CVODE's error
 * control and the analytic Jacobian see the exact truncated field. flow = real uses the
 * objective's own closed-form gradient. Angles stay unwrapped in the state.
 *
 * Objectives (one table below): product s sin(theta) sin(phi) + eps_g cos(theta) + eps_d
 * cos(phi), damped (the same with the docs' pure terms eps_g = -0.02, eps_d = 0.08), mode
 * cos(alpha theta + beta_mode phi), poisson (the Poisson kernel of theta - phi), rexp (the
 * project's stand-in for the paper's exponential GAN, by Gauss-Laguerre quadrature) and grid
 * (samples of F from an HDF5 file; truncated only).
 *
 * With n_gen + n_disc = d > 2 angles the same pipeline runs on an M^d grid (rank-d r2c) and
 * the direct sum goes over a list of kept multi-indices; the two-angle case keeps its own
 * faster sum (per-l partial sums G_l(theta)), which the benchmarks measure.
 */
#include "gd_impl.h"
#include "gandyn/torus.h"
#include "h5io.h"
#include "torus.h"

#include <complex.h>
#ifndef CMPLX /* glibc defines it for gcc only; clang has the builtin */
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
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

static const char *const objectives[] = {"product", "damped", "mode", "poisson", "rexp", "grid", NULL};
static const char *const flows[] = {"truncated", "real", NULL};
static const char *const masks[] = {"linf", "l1", "l2", NULL};
static const char *const plans[] = {"estimate", "measure", NULL};

#define O(f) offsetof(torus_opts, f)
static const gd_param torus_params[] = {
    {"objective", GD_P_ENUM, O(objective), "rexp", "product | damped | mode | poisson | rexp | grid (docs/models/torus.md)", 0, 0, 0, objectives},
    {"flow", GD_P_ENUM, O(flow), "truncated", "truncated (the Fourier series F_N) | real (the objective's own gradient)", 0, 0, 0, flows},
    {"N", GD_P_INT, O(N), "4", "truncation order (mask radius)", 1, 1000, 0, NULL},
    {"M", GD_P_INT, O(M), "64", "sampling grid M x M for the FFT (even M >= 2N + 2; grid: the file's size)", 4, 65536, 0, NULL},
    {"mask", GD_P_ENUM, O(mask), "linf", "linf max(|k|,|l|) <= N | l1 |k|+|l| <= N | l2 k^2+l^2 <= N^2", 0, 0, 0, masks},
    {"plan", GD_P_ENUM, O(plan), "estimate", "FFTW planner: estimate | measure (slower to plan; keep it with model.wisdom)", 0, 0, 0, plans},
    {"wisdom", GD_P_STRING, O(wisdom), "", "FFTW wisdom file: read if present, written after planning (empty: none)", 0, 0, 0, NULL},
    {"n_gen", GD_P_INT, O(n_gen), "1", "generator angles n (product, damped, mode, grid; n + m <= 6)", 1, 5, 0, NULL},
    {"n_disc", GD_P_INT, O(n_disc), "1", "discriminator angles m", 1, 5, 0, NULL},
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

/* ------------------------------------------------------------------ objectives -- */

/* One objective: its value, gradient (NULL: samples only) and Hessian (d x d, row-major;
 * NULL: central differences of the gradient) at x = (theta_1..theta_n, phi_1..phi_m). */
typedef struct {
    double (*value)(const gd_model *m, const double *x);
    void (*gradient)(const gd_model *m, const double *x, double *g);
    void (*hessian)(const gd_model *m, const double *x, double *H);
} objective_fns;

static double eps_of(const torus_opts *o, int disc)
{
    double v = disc ? o->eps_d : o->eps_g;
    return isnan(v) ? torus_eps_default(o->objective, disc) : v;
}

/* product, damped in n + m angles: s (sum sin theta_i)(sum sin phi_j) + eps_g sum cos theta_i
 * + eps_d sum cos phi_j (n = m = 1: s sin theta sin phi + eps_g cos theta + eps_d cos phi). */
static double product_value(const gd_model *m, const double *x)
{
    const torus_opts *o = m->opts;
    double St = 0, Sp = 0, F = 0;
    for (int i = 0; i < m->dim; i++) {
        int disc = i >= m->ngen;
        *(disc ? &Sp : &St) += sin(x[i]);
        F += eps_of(o, disc) * cos(x[i]);
    }
    return F + o->s * St * Sp;
}

static void product_sums(const gd_model *m, const double *x, double *S)
{
    S[0] = S[1] = 0;
    for (int i = 0; i < m->dim; i++) S[i >= m->ngen] += sin(x[i]);
}

static void product_gradient(const gd_model *m, const double *x, double *g)
{
    const torus_opts *o = m->opts;
    double S[2];
    product_sums(m, x, S);
    for (int i = 0; i < m->dim; i++) {
        int disc = i >= m->ngen;
        g[i] = o->s * cos(x[i]) * S[!disc] - eps_of(o, disc) * sin(x[i]);
    }
}

static void product_hessian(const gd_model *m, const double *x, double *H)
{
    const torus_opts *o = m->opts;
    int d = m->dim;
    double S[2];
    product_sums(m, x, S);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) {
            int di = i >= m->ngen, dj = j >= m->ngen;
            H[i * d + j] = i == j ? -o->s * sin(x[i]) * S[!di] - eps_of(o, di) * cos(x[i]) : di != dj ? o->s * cos(x[i]) * cos(x[j]) : 0;
        }
}

/* mode: cos(alpha sum theta_i + beta_mode sum phi_j). */
static double mode_phase(const gd_model *m, const double *x, double *a)
{
    const torus_opts *o = m->opts;
    double u = 0;
    for (int i = 0; i < m->dim; i++) a[i] = i < m->ngen ? o->alpha : o->beta_mode, u += a[i] * x[i];
    return u;
}

static double mode_value(const gd_model *m, const double *x)
{
    double a[6];
    return cos(mode_phase(m, x, a));
}

static void mode_gradient(const gd_model *m, const double *x, double *g)
{
    double a[6], sn = sin(mode_phase(m, x, a));
    for (int i = 0; i < m->dim; i++) g[i] = -a[i] * sn;
}

static void mode_hessian(const gd_model *m, const double *x, double *H)
{
    double a[6], c = cos(mode_phase(m, x, a));
    for (int i = 0; i < m->dim; i++)
        for (int j = 0; j < m->dim; j++) H[i * m->dim + j] = -a[i] * a[j] * c;
}

/* poisson and rexp are two-dimensional by definition. */
static double poisson_value(const gd_model *m, const double *x)
{
    double r = ((const torus_opts *)m->opts)->r;
    return (1 - r * r) / (1 - 2 * r * cos(x[0] - x[1]) + r * r);
}

static void poisson_gradient(const gd_model *m, const double *x, double *g)
{
    double r = ((const torus_opts *)m->opts)->r, u = x[0] - x[1], d = 1 - 2 * r * cos(u) + r * r;
    double dF = -(1 - r * r) * 2 * r * sin(u) / (d * d);
    g[0] = dF, g[1] = -dF;
}

static void poisson_hessian(const gd_model *m, const double *x, double *H)
{
    double r = ((const torus_opts *)m->opts)->r, u = x[0] - x[1], d = 1 - 2 * r * cos(u) + r * r, P = 1 - r * r;
    double d2F = -2 * r * P * cos(u) / (d * d) + 8 * r * r * P * sin(u) * sin(u) / (d * d * d);
    H[0] = d2F, H[1] = -d2F, H[2] = -d2F, H[3] = d2F;
}

/* log sigma(y) without overflow. */
static double log_sigmoid(double y) { return y >= 0 ? -log1p(exp(-y)) : y - log1p(exp(y)); }
static double sigmoid(double y) { return y >= 0 ? 1 / (1 + exp(-y)) : exp(y) / (1 + exp(y)); }

/* R-Exp (docs: "Objectives"): data w ~ Exp(1), generated g z with z ~ Exp(1),
 * g = e^{kappa sin theta - delta}; D(x) = sigma(A (1 - beta x)) with A = rho sin phi.
 * Expectations by Gauss-Laguerre. */
static double rexp_value(const gd_model *m, const double *xs)
{
    double th = xs[0], ph = xs[1];
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    double A = o->rho * sin(ph), g = exp(o->kappa * sin(th) - o->delta), sum = 0;
    for (int i = 0; i < p->nq; i++) {
        double x = p->qx[i];
        sum += p->qw[i] * (log_sigmoid(A * (1 - o->beta * x)) + log_sigmoid(-A * (1 - o->beta * g * x)));
    }
    return sum;
}

static void rexp_gradient(const gd_model *m, const double *xs, double *grad)
{
    double th = xs[0], ph = xs[1];
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
static int check_memory(gd_model *m, int d, int M)
{
    double nodes = pow(M, d), need = nodes * 8 * 2 + nodes / M * (M / 2 + 1) * 16;
    char what[96];
    snprintf(what, sizeof what, "model.M = %d in %d angles (the sampling grid and its spectrum)", M, d);
    return gd_check_memory(m->msg, need, what);
}

static int read_grid(gd_model *m, torus_priv *p)
{
    const torus_opts *o = m->opts;
    if (!o->file[0]) return gd_model_fail(m, GD_EUSAGE, "model.objective = grid needs model.file (an HDF5 file of samples)");
    hsize_t dims[6] = {0};
    int rank = 0, square = 1;
    double *grid = NULL;
    int rc = gd_h5_read(o->file, o->dataset, 6, (size_t)1 << 34, &rank, dims, &grid, m->msg);
    for (int i = 1; rc == GD_OK && i < rank; i++) square &= dims[i] == dims[0];
    if (rc == GD_OK && (rank != p->d || !square || dims[0] < 4 || dims[0] > 65536 || dims[0] % 2))
        rc = gd_model_fail(m, GD_EUSAGE, "'%s': %s must be an M^%d array (one axis per angle) with even M from 4 to 65536", o->file, o->dataset,
                           p->d);
    if (rc == GD_OK) rc = check_memory(m, p->d, (int)dims[0]);
    if (rc == GD_OK) {
        p->M = (int)dims[0];
        p->nodes = (size_t)pow(p->M, p->d);
        if (!(p->grid = fftw_malloc(sizeof(double) * p->nodes))) rc = gd_model_fail(m, GD_ENOMEM, "out of memory");
        else memcpy(p->grid, grid, sizeof(double) * p->nodes);
    }
    free(grid);
    return rc;
}

/* The extraction, planned once and executed on any number of sample grids (FFTW style).
 * Its own input array: FFTW_MEASURE scribbles over the arrays while planning. */
struct gd_torus_plan {
    int rank, M, H;
    size_t nodes, nspec; /* M^rank real samples, M^(rank-1) H coefficients */
    double *in;
    fftw_complex *spec; /* r2c output, normalised by M^rank (C99 complex: complex.h comes first) */
    fftw_plan fft;
};

gd_torus_plan *gd_torus_plan_create(int rank, int M, int measure)
{
    if (rank < 1 || rank > 6 || M < 2 || M % 2 || M > 65536 || pow(M, rank) > 1e12) return NULL;
    gd_torus_plan *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    int n[6];
    t->rank = rank, t->M = M, t->H = M / 2 + 1;
    t->nodes = 1;
    for (int i = 0; i < rank; i++) n[i] = M, t->nodes *= (size_t)M;
    t->nspec = t->nodes / (size_t)M * (size_t)t->H;
    t->in = fftw_malloc(sizeof(double) * t->nodes);
    t->spec = fftw_malloc(sizeof(fftw_complex) * t->nspec);
    gd_fftw_lock();
    if (t->in && t->spec) t->fft = fftw_plan_dft_r2c(rank, n, t->in, t->spec, measure ? FFTW_MEASURE : FFTW_ESTIMATE);
    gd_fftw_unlock();
    if (!t->fft) gd_torus_plan_free(&t);
    return t;
}

void gd_torus_plan_execute(gd_torus_plan *t, const double *samples)
{
    if (!t || !samples) return;
    memcpy(t->in, samples, sizeof(double) * t->nodes); /* the plan is bound to its own aligned arrays */
    fftw_execute(t->fft);
    const double scale = 1.0 / (double)t->nodes;
    for (size_t i = 0; i < t->nspec; i++) t->spec[i] *= scale;
}

/* Row-major position of frequency k in the half spectrum; the last entry is flipped (with
 * the whole vector) into l >= 0 by Hermitian symmetry, *conj_ says whether it was. */
static size_t spec_index(const gd_torus_plan *t, const int *k, int *conj_)
{
    int sgn = k[t->rank - 1] < 0 ? -1 : 1;
    size_t at = 0;
    for (int i = 0; i < t->rank - 1; i++) at = at * (size_t)t->M + (size_t)((((sgn * k[i]) % t->M) + t->M) % t->M);
    *conj_ = sgn < 0;
    return at * (size_t)t->H + (size_t)(sgn * k[t->rank - 1]);
}

void gd_torus_plan_coefficient(const gd_torus_plan *t, const int *k, double *re, double *im)
{
    if (!t || !k || !re || !im) return;
    int conj_;
    double complex c = t->spec[spec_index(t, k, &conj_)];
    *re = creal(c), *im = conj_ ? -cimag(c) : cimag(c);
}

void gd_torus_plan_free(gd_torus_plan **t)
{
    if (!t || !*t) return;
    gd_fftw_lock();
    if ((*t)->fft) fftw_destroy_plan((*t)->fft);
    gd_fftw_unlock();
    fftw_free((*t)->in), fftw_free((*t)->spec);
    free(*t);
    *t = NULL;
}

/* Node i of the M^d grid (row-major) as angles. */
static void node(const torus_priv *p, size_t i, double *x)
{
    for (int j = p->d - 1; j >= 0; j--) x[j] = 2 * M_PI * (double)(i % (size_t)p->M) / p->M, i /= (size_t)p->M;
}

/* Plan (reading and writing wisdom around it), sample, execute. */
static int transform(gd_model *m, torus_priv *p)
{
    const torus_opts *o = m->opts;
    int M = p->M;
    if (check_memory(m, p->d, M) != GD_OK) return GD_ENOMEM;
    if (o->wisdom[0]) fftw_import_wisdom_from_filename(o->wisdom);
    if (!(p->plan = gd_torus_plan_create(p->d, M, o->plan == PLAN_MEASURE)))
        return gd_model_fail(m, GD_ENOMEM, "cannot plan an M^%d = %d^%d transform (out of memory?)", p->d, M, p->d);
    if (o->wisdom[0] && !fftw_export_wisdom_to_filename(o->wisdom))
        return gd_model_fail(m, GD_EIO, "cannot write FFTW wisdom to model.wisdom = '%s'", o->wisdom);
    if (o->objective != OBJ_GRID) {
        if (!(p->grid = fftw_malloc(sizeof(double) * p->nodes)))
            return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d^%d sampling grid", M, p->d);
        double x[6];
        for (size_t i = 0; i < p->nodes; i++) {
            node(p, i, x);
            p->grid[i] = objective_table[o->objective].value(m, x);
        }
    }
    gd_torus_plan_execute(p->plan, p->grid);
    return GD_OK;
}

/* c_k of the sampled F for |k_i| <= M/2 (aliased sums, unmasked). */
static double complex coefficient(const torus_priv *p, const int *k)
{
    double re, im;
    gd_torus_plan_coefficient(p->plan, k, &re, &im);
    return CMPLX(re, im);
}

static int kept_nd(const torus_opts *o, int N, int d, const int *k)
{
    long inf = 0, l1 = 0, l2 = 0;
    for (int i = 0; i < d; i++) inf = labs(k[i]) > inf ? labs(k[i]) : inf, l1 += labs(k[i]), l2 += (long)k[i] * k[i];
    if (o->mask == MASK_L1) return l1 <= N;
    if (o->mask == MASK_L2) return l2 <= (long)N * N;
    return inf <= N;
}

/* Steps k through [-N, N]^d (last index fastest); 0 once it has wrapped around. */
static int next_index(int *k, int d, int N)
{
    for (int i = d - 1; i >= 0; i--) {
        if (k[i] < N) return ++k[i], 1;
        k[i] = -N;
    }
    return 0;
}

static int apply_mask(gd_model *m, torus_priv *p)
{
    int N = p->N, d = p->d, k[6];
    if (d == 2) {
        for (k[0] = -N; k[0] <= N; k[0]++)
            for (k[1] = 0; k[1] <= N; k[1]++) {
                double complex c = kept_nd(m->opts, N, 2, k) ? coefficient(p, k) : 0;
                size_t at = (size_t)k[1] * (2 * N + 1) + (size_t)(k[0] + N);
                p->cr[at] = creal(c), p->ci[at] = cimag(c);
            }
        return GD_OK;
    }
    size_t cap = (size_t)pow(2 * N + 1, d - 1) * (size_t)(N + 1);
    p->tk = malloc(sizeof(int) * (size_t)d * cap), p->tc = malloc(sizeof(double) * 2 * cap);
    if (!p->tk || !p->tc) return gd_model_fail(m, GD_ENOMEM, "out of memory for the %zu coefficients", cap);
    for (int i = 0; i < d; i++) k[i] = -N;
    do {
        if (k[d - 1] < 0 || !kept_nd(m->opts, N, d, k)) continue;
        double complex c = coefficient(p, k) * (k[d - 1] ? 2 : 1); /* l > 0 stands for its conjugate too */
        memcpy(p->tk + (size_t)p->nterm * d, k, sizeof(int) * (size_t)d);
        p->tc[2 * p->nterm] = creal(c), p->tc[2 * p->nterm + 1] = cimag(c);
        p->nterm++;
    } while (next_index(k, d, N));
    return GD_OK;
}

/* The outermost shell the grid resolves (max |k_i| = M/2 - 1) should be negligible;
 * otherwise higher harmonics have folded onto the kept ones. */
static void check_aliasing(gd_model *m, const torus_priv *p)
{
    int n = p->M / 2 - 1, d = p->d, k[6];
    double cmax = 0, shell = 0;
    for (int i = 0; i < d; i++) k[i] = -n;
    do {
        if (k[d - 1] < 0) continue;
        double a = cabs(coefficient(p, k));
        int outer = 0;
        for (int i = 0; i < d; i++) outer |= abs(k[i]) == n;
        cmax = fmax(cmax, a);
        if (outer) shell = fmax(shell, a);
    } while (next_index(k, d, n));
    if (shell > 1e-10 * cmax)
        snprintf(m->warning, sizeof m->warning,
                 "torus: the outermost resolved shell (|k_i| = %d) holds %.2e of the largest coefficient: "
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

/* d > 2: the same sum over the kept terms, e^{i k.x} as a product of per-angle powers
 * (weights folded into the coefficients). Hessian d x d; any output may be NULL. */
static void series_nd(const torus_priv *p, const double *x, double *F, double *g, double *H)
{
    int N = p->N, d = p->d;
    double complex pw[6][2 * 64 + 1]; /* setup keeps N <= 64 when d > 2 */
    for (int j = 0; j < d; j++) {
        double complex e = cexp(I * x[j]);
        pw[j][N] = 1;
        for (int k = 1; k <= N; k++) pw[j][N + k] = pw[j][N + k - 1] * e, pw[j][N - k] = conj(pw[j][N + k]);
    }
    double f = 0;
    if (g) memset(g, 0, sizeof(double) * (size_t)d);
    if (H) memset(H, 0, sizeof(double) * (size_t)d * (size_t)d);
    for (int t = 0; t < p->nterm; t++) {
        const int *k = p->tk + (size_t)t * d;
        double complex e = CMPLX(p->tc[2 * t], p->tc[2 * t + 1]);
        for (int j = 0; j < d; j++) e *= pw[j][N + k[j]];
        f += creal(e);
        for (int a = 0; g && a < d; a++) g[a] -= k[a] * cimag(e);
        for (int a = 0; H && a < d; a++)
            for (int b = 0; b < d; b++) H[a * d + b] -= (double)k[a] * k[b] * creal(e);
    }
    if (F) *F = f;
}

/* Gradient of whichever F the flow follows. */
static void gradient(const gd_model *m, const double *x, double *g)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    if (o->flow == FLOW_REAL) objective_table[o->objective].gradient(m, x, g);
    else if (p->d == 2) series(p, x[0], x[1], NULL, g, NULL);
    else series_nd(p, x, NULL, g, NULL);
}

/* Generator angles descend, discriminator angles ascend. */
static double speed(const gd_model *m, int i)
{
    const torus_opts *o = m->opts;
    return i < m->ngen ? -o->eta_g : o->eta_d;
}

static int torus_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)ws, (void)mode;
    double g[6];
    int ok = 1;
    gradient(m, x, g);
    for (int i = 0; i < m->dim; i++) v[i] = speed(m, i) * g[i], ok &= isfinite(v[i]);
    return ok ? GD_OK : GD_ESOLVER;
}

/* The d x d Hessian of whichever F the flow follows. */
static void hessian(const gd_model *m, const double *x, double *H)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    int d = m->dim;
    if (o->flow == FLOW_TRUNCATED && d > 2) {
        series_nd(p, x, NULL, NULL, H);
    } else if (o->flow == FLOW_TRUNCATED) {
        double h[3];
        series(p, x[0], x[1], NULL, NULL, h);
        H[0] = h[0], H[1] = H[2] = h[1], H[3] = h[2];
    } else if (objective_table[o->objective].hessian) {
        objective_table[o->objective].hessian(m, x, H);
    } else { /* central differences of the closed-form gradient: O(h^2) = 1e-10 relative */
        const double h = 1e-5;
        double gp[6], gm[6], y[6];
        for (int j = 0; j < d; j++) {
            memcpy(y, x, sizeof(double) * (size_t)d);
            y[j] = x[j] + h;
            gradient(m, y, gp);
            y[j] = x[j] - h;
            gradient(m, y, gm);
            for (int i = 0; i < d; i++) H[i * d + j] = (gp[i] - gm[i]) / (2 * h);
        }
        for (int i = 0; i < d; i++)
            for (int j = 0; j < i; j++) H[i * d + j] = H[j * d + i] = 0.5 * (H[i * d + j] + H[j * d + i]);
    }
}

static int torus_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)ws, (void)mode;
    int d = m->dim;
    hessian(m, x, J);
    for (int i = 0; i < d; i++)
        for (int j = 0; j < d; j++) J[i * d + j] *= speed(m, i);
    return GD_OK;
}

/* Newton (the core's, with the analytic Jacobian) from the objective's Nash point (R-Exp:
 * (asin(delta/kappa), 0); product, damped: the origin); mode and poisson have lines of
 * equilibria, not an isolated one. */
static int torus_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    const torus_opts *o = m->opts;
    const torus_priv *p = m->priv;
    if (o->objective == OBJ_MODE || o->objective == OBJ_POISSON) /* zeros on whole curves, or none: no isolated Nash point */
        return gd_ws_fail(ws, GD_ENOTAVAIL, "torus objective '%s' has no isolated equilibrium to linearise at", o->objective == OBJ_MODE ? "mode" : "poisson");
    return gd_model_newton_ws(m, ws, p->seed, x) == GD_OK ? GD_OK : GD_ENOTAVAIL; /* it may leave a message */
}

static int torus_default_start(const gd_model *m, double *x)
{
    for (int i = 0; i < m->dim; i++) x[i] = 0.3; /* absolute, not an offset from the equilibrium */
    return GD_OK;
}

/* ------------------------------------------------------------------- setup ------ */

static void torus_cleanup(gd_model *m)
{
    torus_priv *p = m->priv;
    if (!p) return;
    gd_torus_plan_free(&p->plan), fftw_free(p->grid);
    free(p->cr), free(p->tk), free(p->tc), free(p->qx), free(p->qw);
    free(p);
    m->priv = NULL;
}

/* The real flow's highest Fourier mode where it has one (0: infinitely many, as for rexp and poisson). */
static int real_frequency(const torus_opts *o)
{
    if (o->objective == OBJ_PRODUCT || o->objective == OBJ_DAMPED) return 1;
    if (o->objective == OBJ_MODE) return (int)fmax(fabs(o->alpha), fabs(o->beta_mode));
    return 0;
}

static int torus_setup(gd_model *m)
{
    const torus_opts *o = m->opts;
    m->ngen = (int)o->n_gen, m->dim = (int)(o->n_gen + o->n_disc);
    torus_priv *p = calloc(1, sizeof *p);
    if (!p) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = p;
    p->N = (int)o->N, p->d = m->dim;
    m->period = 2 * M_PI; /* the portrait's equilibrium search spaces its seeds by the field's top mode */
    m->frequency = o->flow == FLOW_TRUNCATED ? p->N : real_frequency(o);
    if (p->d > 6) return gd_model_fail(m, GD_EUSAGE, "model.n_gen + model.n_disc = %d: at most 6 angles", p->d);
    if (p->d > 2 && (o->objective == OBJ_REXP || o->objective == OBJ_POISSON))
        return gd_model_fail(m, GD_EUSAGE, "model.objective = %s has one angle per player: n_gen = n_disc = 1", objectives[o->objective]);
    if (p->d > 2 && p->N > 64) return gd_model_fail(m, GD_EUSAGE, "model.N = %d: at most 64 in more than two angles", p->N);
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
    if (o->objective != OBJ_GRID) p->M = (int)o->M, p->nodes = (size_t)pow(p->M, p->d);
    if (p->M % 2 || p->M < 2 * p->N + 2)
        return gd_model_fail(m, GD_EUSAGE, "model.M = %d cannot resolve N = %d without aliasing: need an even M >= 2N + 2 = %d", p->M, p->N,
                             2 * p->N + 2);
    if (p->d == 2) {
        p->cr = calloc(2 * (size_t)(2 * p->N + 1) * (size_t)(p->N + 1), sizeof *p->cr);
        if (!p->cr) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        p->ci = p->cr + (size_t)(2 * p->N + 1) * (size_t)(p->N + 1);
    }
    if ((rc = transform(m, p)) != GD_OK || (rc = apply_mask(m, p)) != GD_OK) return rc;
    check_aliasing(m, p);
    return GD_OK;
}

/* Run-file layout (docs/models/torus.md, Parameters): /grid/F is the sampled objective (a valid
 * objective = grid input by itself), /grid/u, /grid/v the truncated field V on the same nodes
 * (spectral), /spectrum holds the retained coefficients with signed index offset N. */
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
    int N = p->N, n = 2 * N + 1, d = p->d, k[6];
    size_t nc = (size_t)pow(n, d);
    double *re = malloc(sizeof(double) * 2 * nc), *im = re ? re + nc : NULL;
    if (!re) return GD_ENOMEM;
    hsize_t dc[6], dg[6];
    for (int i = 0; i < d; i++) k[i] = -N, dc[i] = (hsize_t)n, dg[i] = (hsize_t)p->M;
    size_t at = 0;
    do {
        double complex c = kept_nd(o, N, d, k) ? coefficient(p, k) : 0;
        re[at] = creal(c), im[at++] = cimag(c);
    } while (next_index(k, d, N));
    rc = gd_h5_write(f, "/spectrum/c_re", d, dc, re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/spectrum/c_im", d, dc, im);
    if (rc == GD_OK) rc = gd_h5_write(f, "/grid/F", d, dg, p->grid);
    free(re);
    if (rc == GD_OK && d == 2) { /* the spectral field, for pictures of the plane */
        double *u = malloc(sizeof(double) * 2 * p->nodes);
        rc = u ? gd_torus_grid_field(m, p->M, u, u + p->nodes) : GD_ENOMEM;
        if (rc == GD_OK) rc = gd_h5_write(f, "/grid/u", 2, dg, u);
        if (rc == GD_OK) rc = gd_h5_write(f, "/grid/v", 2, dg, u + p->nodes);
        free(u);
    }
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/spectrum", "N", N);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/spectrum", "M", p->M);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/spectrum", "mask", masks[o->mask]);
    return rc;
}

/* ------------------------------------------------------------ public access ----- */

static const torus_priv *torus_of(const gd_model *m)
{
    return gd_model_usable(m, &gd_model_torus) ? m->priv : NULL;
}

int gd_torus_coefficient_nd(const gd_model *m, const int *k, double *re, double *im)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->plan) return GD_EUSAGE;
    for (int i = 0; i < p->d; i++)
        if (abs(k[i]) > p->M / 2) return GD_EUSAGE;
    double complex c = coefficient(p, k);
    *re = creal(c), *im = cimag(c);
    return GD_OK;
}

int gd_torus_coefficient(const gd_model *m, int k, int l, double *re, double *im)
{
    const torus_priv *p = torus_of(m);
    return p && p->d == 2 ? gd_torus_coefficient_nd(m, (const int[]){k, l}, re, im) : GD_EUSAGE;
}

int gd_torus_series(const gd_model *m, const double *x, double *F, double *grad, double *hess)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->plan) return GD_EUSAGE;
    if (p->d == 2) series(p, x[0], x[1], F, grad, hess);
    else series_nd(p, x, F, grad, hess);
    return GD_OK;
}

int gd_torus_objective(const gd_model *m, const double *x, double *F, double *grad)
{
    if (!torus_of(m)) return GD_EUSAGE;
    const torus_opts *o = m->opts;
    if (o->objective == OBJ_GRID) return gd_model_fail((gd_model *)m, GD_ENOTAVAIL, "torus objective 'grid' has no closed form");
    if (F) *F = objective_table[o->objective].value(m, x);
    if (grad) objective_table[o->objective].gradient(m, x, grad);
    return GD_OK;
}

/* Spectral differentiation for pictures (/grid/u, /grid/v of run files): the masked coefficients
 * times (ik) and (il) on an Mf x Mf half spectrum, one c2r each. c2r sums the Hermitian partner of
 * every l > 0 entry itself and the coefficients are already normalised, so its output is the
 * derivative of F_N at the nodes as it stands. */
int gd_torus_grid_field(const gd_model *m, int Mf, double *u, double *v)
{
    const torus_priv *p = torus_of(m);
    if (!p || !p->cr || p->d != 2 || Mf % 2 || Mf < 2 * p->N + 2 || Mf > 65536) return GD_EUSAGE;
    int N = p->N, n = 2 * N + 1, H = Mf / 2 + 1;
    size_t nn = (size_t)Mf * (size_t)Mf;
    fftw_complex *X = fftw_malloc(sizeof(fftw_complex) * (size_t)Mf * (size_t)H);
    double *R = fftw_malloc(sizeof(double) * nn); /* the plan's own aligned output */
    gd_fftw_lock();
    fftw_plan plan = X && R ? fftw_plan_dft_c2r_2d(Mf, Mf, X, R, FFTW_ESTIMATE) : NULL;
    gd_fftw_unlock();
    if (!plan) {
        fftw_free(X), fftw_free(R);
        return GD_ENOMEM;
    }
    double *out[2] = {u, v};
    for (int d = 0; d < 2; d++) {
        memset(X, 0, sizeof(fftw_complex) * (size_t)Mf * (size_t)H);
        for (int l = 0; l <= N; l++)
            for (int k = -N; k <= N; k++) {
                double complex c = CMPLX(p->cr[(size_t)l * n + k + N], p->ci[(size_t)l * n + k + N]);
                X[(size_t)((k + Mf) % Mf) * H + l] = speed(m, d) * I * (d ? l : k) * c;
            }
        fftw_execute(plan); /* destroys X, refilled for the next component */
        memcpy(out[d], R, sizeof(double) * nn);
    }
    gd_fftw_lock();
    fftw_destroy_plan(plan);
    gd_fftw_unlock();
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
    .field_batch = gd_torus_field_batch,
    .batch_params = gd_torus_batch_params,
    .batch_varies = gd_torus_batch_varies,
};
