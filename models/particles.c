/* SPDX-License-Identifier: BSD-3-Clause
 *
 * particles: the generator as N particles in R^d moving with the Wasserstein-gradient-flow
 * velocity of an optimal critic, after Chu, Minami, Fukumizu (ICLR 2020); docs:
 * docs/models/particles.md. J(mu) is the divergence to the data mu0 = sum_j w_j delta_{y_j}
 * (or a Gaussian mixture, target = gmm), Phi = dJ/dmu the critic, and x_i' = -grad Phi(x_i)
 * (no 1/N: simgd with step h is x_i <- x_i - h grad Phi(x_i), gradient descent on theta = (x_i)
 * with step gamma = N h). Critics:
 *  - mmd:   J = MMD_k^2 / 2, k Gaussian (sigma), linear (x . y: the squared mean difference) or
 *           Matern; Phi = int k(., y) d(mu - mu0)(y); field by direct sums (O(N (N + M) d)) or,
 *           for d <= 2, on an FFTW particle mesh;
 *  - huber: the W1 distance smoothed with the linear kernel, J = Huber_lambda(|m_mu - m_0|)
 *           (m the means); Phi(z) = w . z, w = r / max(lambda, |r|);
 *  - w1:    W1 itself (non-smooth: |grad Phi| = 1 everywhere), for one data point or N = M
 *           equal-weight points (optimal assignment);
 *  - smoothed: the Lipschitz-constrained critic with a Matern-kernel penalty, solved on the
 *           mesh by a certified primal-dual method (section "smoothed" below).
 * The state holds only the generator (ngen = dim): a solved critic has no state of its own.
 * It is the particles, or for generator = affine the map (W, b) whose points W z_q + b on
 * fixed latent nodes are the particles (section "generator").
 */
#include "gd_impl.h"
#include "gandyn/particles.h"

#include "h5io.h"

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const gd_model_type gd_model_particles;

enum { CRITIC_MMD, CRITIC_HUBER, CRITIC_W1, CRITIC_SMOOTHED };
enum { FIELD_DIRECT, FIELD_MESH };
enum { KERNEL_GAUSS, KERNEL_LINEAR, KERNEL_MATERN };
enum { TARGET_POINTS, TARGET_GMM };
enum { GEN_PARTICLES, GEN_AFFINE };

typedef struct {
    int critic, field, kernel, target, generator;
    double sigma, lambda, data_scale, spread, box, lip, matern_s, matern_kappa, pd_tol;
    long n_random, seed, mesh_n, pd_iters;
    char *particles, *data, *weights, *target_means, *target_covs, *target_weights, *z_nodes;
} particles_opts;

static const char *const critics[] = {"mmd", "huber", "w1", "smoothed", NULL};
static const char *const fields[] = {"direct", "mesh", NULL};
static const char *const kernels[] = {"gauss", "linear", "matern", NULL};
static const char *const targets[] = {"points", "gmm", NULL};
static const char *const generators[] = {"particles", "affine", NULL};

#define O(f) offsetof(particles_opts, f)
static const gd_param particles_params[] = {
    {"critic", GD_P_ENUM, O(critic), "mmd",
     "mmd (J = MMD^2/2, Gaussian kernel sigma) | huber (W1 smoothed by the linear kernel, width lambda) | w1 (non-smooth) | smoothed (Lipschitz lip, "
     "Matern-kernel penalty lambda, on the mesh)",
     0, 0, 0, critics},
    {"kernel", GD_P_ENUM, O(kernel), "gauss",
     "mmd: the kernel, gauss (width sigma) | linear (k = x.y: J = |m_mu - m_0|^2 / 2) | matern (matern_s, matern_kappa; nu = s - d/2 = 3/2, 5/2 or 7/2)", 0, 0,
     0, kernels},
    {"sigma", GD_P_DOUBLE, O(sigma), "1", "mmd: Gaussian kernel width", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"lambda", GD_P_DOUBLE, O(lambda), "1", "huber: smoothing width (quadratic below |m_mu - m_0| = lambda); smoothed: weight of the (lambda/2)|phi|_H^2 penalty", 0,
     INFINITY, GD_PF_LO_OPEN, NULL},
    {"lip", GD_P_DOUBLE, O(lip), "1", "smoothed: Lipschitz bound alpha of the critic (|grad phi| <= lip)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"matern_s", GD_P_DOUBLE, O(matern_s), "3.5",
     "smoothed, and mmd with kernel = matern: kernel k^(w) = (1 + |w|^2/kappa^2)^(-s); s > d/2 + 2 keeps grad phi Lipschitz", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"matern_kappa", GD_P_DOUBLE, O(matern_kappa), "1", "smoothed, and mmd with kernel = matern: kernel inverse length scale kappa", 0, INFINITY, GD_PF_LO_OPEN,
     NULL},
    {"pd_iters", GD_P_INT, O(pd_iters), "20000", "smoothed: most primal-dual (accelerated ADMM) iterations per field; past them the field fails", 10, 1e8, 0,
     NULL},
    {"pd_tol", GD_P_DOUBLE, O(pd_tol), "1e-3", "smoothed: stop when the duality gap certifies every field component to pd_tol * lip", 1e-9, 1, 0, NULL},
    {"generator", GD_P_ENUM, O(generator), "particles",
     "particles (the state is the points) | affine (points x_q = W z_q + b on the latent nodes z_nodes; the state is W, row-major d x k, then b)", 0, 0, 0,
     generators},
    {"particles", GD_P_STRING, O(particles), "0.5,0.3", "generator particles x1,..,xd;x1,..;... (d from the first), or FILE.h5 (dataset /points, N x d)", 0, 0, 0, NULL},
    {"z_nodes", GD_P_STRING, O(z_nodes), "", "affine: latent nodes z_q, same syntax (k from the first)", 0, 0, 0, NULL},
    {"n_random", GD_P_INT, O(n_random), "0", "> 0: that many particles (affine: latent nodes) drawn from N(0, spread^2 I) instead (d or k from the list)", 0,
     1000000, 0, NULL},
    {"spread", GD_P_DOUBLE, O(spread), "1", "n_random: standard deviation of the drawn particles", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"seed", GD_P_INT, O(seed), "1", "n_random: seed of the draw", 0, 4.0e18, 0, NULL},
    {"data", GD_P_STRING, O(data), "0,0", "data points, same syntax (or FILE.h5, /points)", 0, 0, 0, NULL},
    {"weights", GD_P_STRING, O(weights), "", "data weights w1,w2,... (normalised to sum 1; empty: equal)", 0, 0, 0, NULL},
    {"target", GD_P_ENUM, O(target), "points",
     "points (data, weights) | gmm (a Gaussian mixture target_means, target_covs, target_weights; critic mmd with kernel gauss or linear, or huber)", 0, 0, 0,
     targets},
    {"target_means", GD_P_STRING, O(target_means), "", "gmm: component means m1;m2;... (same syntax as data)", 0, 0, 0, NULL},
    {"target_covs", GD_P_STRING, O(target_covs), "",
     "gmm: component covariances separated by ';', each 1 value (s^2 I), d values (diagonal) or d*d (row-major, symmetric positive semi-definite)", 0, 0, 0,
     NULL},
    {"target_weights", GD_P_STRING, O(target_weights), "", "gmm: component weights (normalised to sum 1; empty: equal)", 0, 0, 0, NULL},
    {"data_scale", GD_P_DOUBLE, O(data_scale), "1",
     "multiplies every data coordinate (gmm: the means, and the covariances by its square): a numeric handle on the data's separation for sweeps", -INFINITY,
     INFINITY, 0, NULL},
    {"field", GD_P_ENUM, O(field), "direct", "mmd: direct sums | mesh (cloud-in-cell on a periodic FFTW grid, d <= 2; critic = smoothed always is)", 0, 0, 0,
     fields},
    {"mesh_n", GD_P_INT, O(mesh_n), "128", "mesh: cells per dimension (even)", 4, 8192, 0, NULL},
    {"box", GD_P_DOUBLE, O(box), "0",
     "mesh: side of the periodic box centred on the data mean (0: data extent + 12 sigma; kernel = matern: + 30 / kappa; smoothed: + 12 / kappa)", 0, INFINITY, 0,
     NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    int d, N, M;
    int kernel, order;    /* the MMD kernel, and the Matern order nu = order + 1/2 */
    double s2, kappa;     /* sigma^2, the Matern inverse length */
    double *x0;           /* N x d starting particles */
    double *y, *w;        /* M x d data (scaled) or mixture means, weights summing to 1 */
    double *mean0;        /* d: the data mean */
    double jyy;           /* sum_jj' w_j w_j' E k(y_j, y_j') */
    int gmm;              /* target = gmm: */
    double *cov, *ainv, *gcoef; /* per component C_j, (sigma^2 I + C_j)^-1 (d x d each), sigma^d det(sigma^2 I + C_j)^-1/2 */
    int affine, k;        /* generator = affine: N latent nodes of dimension k */
    double *z;            /* N x k nodes */
    int assignable;       /* N = M equal-weight points: the optimal assignment (w1, and the smoothed critic's equilibrium) */
    /* mesh */
    int mesh, n, G;
    double h, lo[2];
    double *rho0;         /* the data's deposit */
    fftw_complex *gk[2];  /* mmd: the transforms of grad k */
    fftw_plan fwd, bwd;   /* executed on a workspace's arrays (fftw_execute_dft_*) */
    /* smoothed critic: per spectral entry the kernel's DFT, |forward difference|^2 and the
     * entries it stands for */
    int smoothed;
    double *khat, *d2, *hmult, slope_bound;
} particles_priv;

/* A caller's workspace: everything the fields, J.v and the objective write. */
typedef struct {
    double *xa, *fa;      /* affine: the points of a state and of a direction (2 N d), their field (N d) */
    int *match;           /* assignable: the optimal assignment of the last call */
    double *cost, *u, *v; /* assignment scratch */
    int *way, *p;
    struct site *sites;   /* mesh: the particles in order of position, for the deposit */
    double *rho, *grid;   /* mesh: the r2c input, and the c2r output in the same array */
    fftw_complex *spec;   /* mesh: two half spectra */
    /* smoothed: the phi step's multiplier; per cell phi and rho; the ADMM iterates and a zero
     * field (14 G) */
    double *inv_den, *phi, *rhs, *admm;
    double *xlast, jlast, scale; /* the last solve: its particles, J~, the feasibility scale */
    int have_last;
} particles_ws;

/* ---------------------------------------------------------------- kernel ------- */
/* The MMD critic's radial kernels at squared distance r2: k, psi = -k'(r)/r (the pull on a,
 * -grad_a k(a, b), is psi (a - b)) and om = r psi'(r) (the pull's derivative is psi I +
 * (om / r^2) (a - b)(a - b)^T). Gaussian: k = e^{-r^2 / 2 sigma^2}. Matern of order nu = p + 1/2
 * (p = 1, 2, 3) and inverse length kappa, t = kappa r: k = P_p(t) e^{-t}, P_1 = 1 + t,
 * P_2 = 1 + t + t^2/3, P_3 = 1 + t + 2t^2/5 + t^3/15; its Fourier transform is proportional to
 * (1 + |w|^2/kappa^2)^-(nu + d/2), the smoothed critic's kernel with s = nu + d/2. */
static double radial(const particles_priv *q, double r2, double *psi, double *om)
{
    if (q->kernel == KERNEL_GAUSS) {
        double k = exp(-0.5 * r2 / q->s2);
        if (psi) *psi = k / q->s2, *om = -k * r2 / (q->s2 * q->s2);
        return k;
    }
    double t = q->kappa * sqrt(r2), e = exp(-t), kk = q->kappa * q->kappa;
    if (psi) {
        *psi = kk * e * (q->order == 1 ? 1 : q->order == 2 ? (1 + t) / 3 : (3 + 3 * t + t * t) / 15);
        *om = -kk * e * t * (q->order == 1 ? 1 : q->order == 2 ? t / 3 : t * (1 + t) / 15);
    }
    return e * (q->order == 1 ? 1 + t : q->order == 2 ? 1 + t + t * t / 3 : 1 + t + 0.4 * t * t + t * t * t / 15);
}

static double kern(const particles_priv *q, const double *a, const double *b) { return radial(q, gd_dist2(q->d, a, b), NULL, NULL); }

/* acc += scale * psi (a - b): the kernel's pull -grad_a k(a, b). */
static void add_pull(const particles_priv *q, const double *a, const double *b, double scale, double *acc)
{
    double psi, om;
    radial(q, gd_dist2(q->d, a, b), &psi, &om);
    for (int c = 0; c < q->d; c++) acc[c] += scale * psi * (a[c] - b[c]);
}

/* acc += scale * (psi I + (om / r^2) (a - b)(a - b)^T), the pull's derivative in a (row stride ld). */
static void add_pull_jacobian(const particles_priv *q, const double *a, const double *b, double scale, double *acc, int ld)
{
    double psi, om, r2 = gd_dist2(q->d, a, b);
    radial(q, r2, &psi, &om);
    double rad = r2 > 0 ? om / r2 : 0; /* (a - b)(a - b)^T vanishes with r anyway */
    for (int r = 0; r < q->d; r++)
        for (int c = 0; c < q->d; c++) acc[r * ld + c] += scale * (psi * (r == c) + rad * (a[r] - b[r]) * (a[c] - b[c]));
}

/* The data's side for data point or mixture component j: returns E k(a, y) over y ~ it, adds
 * scale times its pull -grad_a E k(a, y) to pull and the pull's derivative to jac (row stride
 * ld; either may be NULL). A component N(m, C) with the Gaussian kernel has the closed form
 * E k(a, y) = sigma^d det(sigma^2 I + C)^{-1/2} e^{-u^T A u / 2}, u = a - m, A = (sigma^2 I + C)^-1,
 * whose pull is E k A u and its derivative E k (A - A u u^T A). */
static double data_term(const particles_priv *q, const double *a, int j, double scale, double *pull, double *jac, int ld)
{
    int d = q->d;
    if (!q->gmm) {
        if (pull) add_pull(q, a, q->y + (size_t)j * d, scale, pull);
        if (jac) add_pull_jacobian(q, a, q->y + (size_t)j * d, scale, jac, ld);
        return kern(q, a, q->y + (size_t)j * d);
    }
    const double *A = q->ainv + (size_t)j * d * d, *m = q->y + (size_t)j * d;
    double u[64], Au[64], uAu = 0;
    for (int c = 0; c < d; c++) u[c] = a[c] - m[c];
    for (int r = 0; r < d; r++) {
        Au[r] = 0;
        for (int c = 0; c < d; c++) Au[r] += A[r * d + c] * u[c];
        uAu += u[r] * Au[r];
    }
    double e = q->gcoef[j] * exp(-0.5 * uAu);
    for (int r = 0; pull && r < d; r++) pull[r] += scale * e * Au[r];
    for (int r = 0; jac && r < d; r++)
        for (int c = 0; c < d; c++) jac[r * ld + c] += scale * e * (A[r * d + c] - Au[r] * Au[c]);
    return e;
}

double gd_particles_mmd2(int d, int n, const double *x, const double *wx, int m, const double *y, const double *wy, double sigma)
{
    particles_priv g = {.d = d, .kernel = KERNEL_GAUSS, .s2 = sigma * sigma};
    double xx = 0, xy = 0, yy = 0;
    for (int i = 0; i < n; i++)
        for (int l = 0; l < n; l++) xx += (wx ? wx[i] * wx[l] : 1.0 / ((double)n * n)) * kern(&g, x + i * d, x + l * d);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) xy += (wx ? wx[i] : 1.0 / n) * (wy ? wy[j] : 1.0 / m) * kern(&g, x + i * d, y + j * d);
    for (int j = 0; j < m; j++)
        for (int l = 0; l < m; l++) yy += (wy ? wy[j] * wy[l] : 1.0 / ((double)m * m)) * kern(&g, y + j * d, y + l * d);
    return xx - 2 * xy + yy;
}

/* ---------------------------------------------------------------- mmd direct --- */
/* F_i = (1/N) sum_l pull(x_i, x_l) - sum_j w_j pull_j(x_i); the x-x term once per pair. */
static void mmd_direct(const gd_model *m, const double *x, double *v)
{
    const particles_priv *q = m->priv;
    int d = q->d, N = q->N;
    memset(v, 0, sizeof(double) * (size_t)N * d);
    for (int i = 0; i < N; i++) {
        for (int l = i + 1; l < N; l++) {
            double psi, om;
            radial(q, gd_dist2(d, x + i * d, x + l * d), &psi, &om);
            for (int c = 0; c < d; c++) {
                double f = psi / N * (x[i * d + c] - x[l * d + c]);
                v[i * d + c] += f, v[l * d + c] -= f;
            }
        }
        for (int j = 0; j < q->M; j++) data_term(q, x + i * d, j, -q->w[j], v + i * d, NULL, 0);
    }
}

static void mmd_jacobian(const gd_model *m, const double *x, double *J)
{
    const particles_priv *q = m->priv;
    int d = q->d, N = q->N, n = N * d;
    memset(J, 0, sizeof(double) * (size_t)n * n);
    for (int i = 0; i < N; i++) {
        double *Jii = J + (size_t)i * d * n + i * d;
        for (int l = 0; l < N; l++) {
            if (l == i) continue;
            add_pull_jacobian(q, x + i * d, x + l * d, 1.0 / N, Jii, n);
            add_pull_jacobian(q, x + i * d, x + l * d, -1.0 / N, J + (size_t)i * d * n + l * d, n);
        }
        for (int j = 0; j < q->M; j++) data_term(q, x + i * d, j, -q->w[j], NULL, Jii, n);
    }
}

/* (DF v)_i = (1/N) sum_l G(x_i - x_l)(v_i - v_l) - sum_j w_j G_j(x_i) v_i without forming DF. */
static void mmd_jvp(const gd_model *m, const double *x, const double *v, double *jv)
{
    const particles_priv *q = m->priv;
    int d = q->d, N = q->N;
    double G[64 * 64], dv[64];
    memset(jv, 0, sizeof(double) * (size_t)N * d);
    for (int i = 0; i < N; i++) {
        for (int l = i + 1; l < N; l++) { /* G is even in its argument: one matrix per pair */
            memset(G, 0, sizeof(double) * (size_t)d * d);
            add_pull_jacobian(q, x + i * d, x + l * d, 1.0 / N, G, d);
            for (int c = 0; c < d; c++) dv[c] = v[i * d + c] - v[l * d + c];
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++) jv[i * d + r] += G[r * d + c] * dv[c], jv[l * d + r] -= G[r * d + c] * dv[c];
        }
        memset(G, 0, sizeof(double) * (size_t)d * d);
        for (int j = 0; j < q->M; j++) data_term(q, x + i * d, j, -q->w[j], NULL, G, d);
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) jv[i * d + r] += G[r * d + c] * v[i * d + c];
    }
}

static double mmd_objective(const gd_model *m, const double *x)
{
    const particles_priv *q = m->priv;
    int d = q->d, N = q->N;
    double xx = 0, xy = 0;
    for (int i = 0; i < N; i++) {
        for (int l = 0; l < N; l++) xx += kern(q, x + i * d, x + l * d);
        for (int j = 0; j < q->M; j++) xy += q->w[j] * data_term(q, x + i * d, j, 0, NULL, NULL, 0);
    }
    return 0.5 * (xx / ((double)N * N) - 2 * xy / N + q->jyy);
}

/* ---------------------------------------------------------------- mmd mesh ----- */
/* Cloud-in-cell: the cell (lower corner) and weights of point z on the periodic grid. */
static void cic(const particles_priv *q, const double *z, int idx[2][2], double wt[2][2])
{
    for (int c = 0; c < 2; c++) {
        if (c >= q->d) {
            idx[c][0] = idx[c][1] = 0, wt[c][0] = 1, wt[c][1] = 0;
            continue;
        }
        double u = (z[c] - q->lo[c]) / q->h, f = floor(u);
        int i0 = (int)(((long)f % q->n + q->n) % q->n);
        idx[c][0] = i0, idx[c][1] = (i0 + 1) % q->n;
        wt[c][1] = u - f, wt[c][0] = 1 - (u - f);
    }
}

static void deposit(const particles_priv *q, const double *z, double mass, double *grid)
{
    int idx[2][2];
    double wt[2][2];
    cic(q, z, idx, wt);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) grid[(size_t)idx[0][a] * (q->d == 2 ? q->n : 1) + idx[1][b]] += mass * wt[0][a] * wt[1][b];
}

/* A particle's position as a sort key (d <= 2 on the mesh). */
struct site {
    double a, b;
    int i;
};

static int by_position(const void *p, const void *r)
{
    const struct site *s = p, *t = r;
    if (s->a != t->a) return s->a < t->a ? -1 : 1;
    if (s->b != t->b) return s->b < t->b ? -1 : 1;
    return 0; /* the same position: either order deposits the same values */
}

/* grid += mu (each particle mass 1/N), deposited in order of position, not of label: the
 * density, and the smoothed critic solved from it, are then bit for bit the same under any
 * relabelling of the particles (its iterative solve would otherwise amplify the round-off
 * of another summation order into a different stopping point). The mesh MMD field, a direct
 * convolution, deposits in label order: its round-off stays round-off, and the sort would
 * more than double its cost at N = 10^4. */
static void deposit_particles(const particles_priv *q, particles_ws *pw, const double *x, double *grid)
{
    int d = q->d;
    for (int i = 0; i < q->N; i++) pw->sites[i] = (struct site){x[i * d], d == 2 ? x[i * d + 1] : 0, i};
    qsort(pw->sites, (size_t)q->N, sizeof *pw->sites, by_position);
    for (int k = 0; k < q->N; k++) deposit(q, x + pw->sites[k].i * d, 1.0 / q->N, grid);
}

static double interpolate(const particles_priv *q, const double *z, const double *grid)
{
    int idx[2][2];
    double wt[2][2], s = 0;
    cic(q, z, idx, wt);
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) s += grid[(size_t)idx[0][a] * (q->d == 2 ? q->n : 1) + idx[1][b]] * wt[0][a] * wt[1][b];
    return s;
}

/* grad Phi on the grid = (grad k) circularly convolved with the deposited mu - mu0: one r2c
 * of the density, one c2r per axis with the precomputed transform of the sampled grad k. A
 * mixture target is not deposited: its closed-form pull is added at each particle. */
static void mmd_mesh(const gd_model *m, particles_ws *pw, const double *x, double *v)
{
    const particles_priv *q = m->priv;
    int d = q->d, N = q->N, H = q->n / 2 + 1;
    size_t nspec = (size_t)(d == 2 ? q->n : 1) * H;
    memcpy(pw->rho, q->rho0, sizeof(double) * (size_t)q->G);
    for (int i = 0; i < N; i++) deposit(q, x + i * d, 1.0 / N, pw->rho);
    fftw_execute_dft_r2c(q->fwd, pw->rho, pw->spec);
    fftw_complex *rhat = pw->spec + nspec; /* keep rho^ while each axis reuses spec */
    memcpy(rhat, pw->spec, sizeof(fftw_complex) * nspec);
    for (int c = 0; c < d; c++) {
        for (size_t k = 0; k < nspec; k++) pw->spec[k] = rhat[k] * q->gk[c][k];
        fftw_execute_dft_c2r(q->bwd, pw->spec, pw->grid);
        for (int i = 0; i < N; i++) v[i * d + c] = -interpolate(q, x + i * d, pw->grid);
    }
    for (int i = 0; q->gmm && i < N; i++)
        for (int j = 0; j < q->M; j++) data_term(q, x + i * d, j, -q->w[j], v + i * d, NULL, 0);
}

static size_t half_spectrum(const particles_priv *q) { return (size_t)(q->d == 2 ? q->n : 1) * (size_t)(q->n / 2 + 1); }

/* Signed wave numbers of grid offset g (minimal image), or of half-spectrum entry g. */
static void wave(const particles_priv *q, size_t g, int spectral, int k[2])
{
    int H = q->n / 2 + 1, cols = spectral ? H : q->n;
    int ij[2] = {q->d == 2 ? (int)(g / (size_t)cols) : (int)g, q->d == 2 ? (int)(g % (size_t)cols) : 0};
    if (spectral && q->d == 1) ij[0] = (int)g;
    for (int a = 0; a < 2; a++) k[a] = (a >= q->d || ij[a] <= q->n / 2) ? ij[a] : ij[a] - q->n;
    if (spectral) k[q->d - 1] = ij[q->d - 1]; /* the halved axis holds 0..n/2 */
}

/* mmd: the transforms of grad k sampled at the minimal-image offsets, scaled for the c2r
 * (computed in setup's own plan arrays rho, spec). */
static int mmd_kernel_transforms(gd_model *m, double *rho, fftw_complex *spec)
{
    particles_priv *q = m->priv;
    size_t nspec = half_spectrum(q);
    for (int c = 0; c < q->d; c++) {
        if (!(q->gk[c] = fftw_malloc(sizeof(fftw_complex) * nspec))) return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-cell mesh", q->G);
        for (int g = 0; g < q->G; g++) { /* component c of grad_z k(z - y) = -psi (z - y) at offset r = z - y */
            int k[2];
            wave(q, (size_t)g, 0, k);
            double r[2] = {k[0] * q->h, q->d == 2 ? k[1] * q->h : 0}, psi, om;
            radial(q, r[0] * r[0] + r[1] * r[1], &psi, &om);
            rho[g] = -r[c] * psi / q->G;
        }
        fftw_execute_dft_r2c(q->fwd, rho, spec);
        memcpy(q->gk[c], spec, sizeof(fftw_complex) * nspec);
    }
    return GD_OK;
}

/* The plans, made on arrays of setup's own (every later transform runs on a workspace's
 * fftw_malloc arrays, which have the planning alignment), and the MMD kernel's transforms. */
static int mesh_plans(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    double *rho = fftw_malloc(sizeof(double) * (size_t)q->G);
    fftw_complex *spec = fftw_malloc(sizeof(fftw_complex) * half_spectrum(q));
    int n = q->n, rc = rho && spec ? GD_OK : gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-cell mesh", q->G);
    gd_fftw_lock();
    if (rc == GD_OK) q->fwd = q->d == 2 ? fftw_plan_dft_r2c_2d(n, n, rho, spec, FFTW_ESTIMATE) : fftw_plan_dft_r2c_1d(n, rho, spec, FFTW_ESTIMATE);
    if (rc == GD_OK) q->bwd = q->d == 2 ? fftw_plan_dft_c2r_2d(n, n, spec, rho, FFTW_ESTIMATE) : fftw_plan_dft_c2r_1d(n, spec, rho, FFTW_ESTIMATE);
    gd_fftw_unlock();
    if (rc == GD_OK && (!q->fwd || !q->bwd)) rc = gd_model_fail(m, GD_ESOLVER, "FFTW could not plan the %d-cell mesh", q->G);
    if (rc == GD_OK && o->critic == CRITIC_MMD) rc = mmd_kernel_transforms(m, rho, spec);
    fftw_free(rho), fftw_free(spec);
    return rc;
}

/* The periodic grid, its plans, and the data's deposit (shared by the mesh field and the
 * smoothed critic). */
static int mesh_setup(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    int d = q->d;
    if (d > 2) return gd_model_fail(m, GD_EUSAGE, "the mesh (field = mesh, critic = smoothed) needs d <= 2 (d = %d)", d);
    if (o->mesh_n % 2) return gd_model_fail(m, GD_EUSAGE, "model.mesh_n = %ld must be even", o->mesh_n);
    q->mesh = 1, q->n = (int)o->mesh_n, q->G = d == 2 ? q->n * q->n : q->n;
    double span = 0;
    for (int j = 0; j < q->M; j++) /* a mixture component reaches 3 standard deviations out */
        for (int c = 0; c < d; c++) span = fmax(span, 2 * (fabs(q->y[j * d + c] - q->mean0[c]) + (q->gmm ? 3 * sqrt(q->cov[((size_t)j * d + c) * d + c]) : 0)));
    double reach = o->critic == CRITIC_SMOOTHED ? 12 / o->matern_kappa : o->kernel == KERNEL_MATERN ? 30 / o->matern_kappa : 12 * o->sigma; /* e^{-kappa r} decays slower */
    double L = o->box > 0 ? o->box : span + reach;
    q->h = L / q->n;
    for (int c = 0; c < 2; c++) q->lo[c] = c < d ? q->mean0[c] - L / 2 : 0;
    if (!(q->rho0 = calloc((size_t)q->G, sizeof(double)))) return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-cell mesh", q->G);
    for (int j = 0; !q->gmm && j < q->M; j++) deposit(q, q->y + j * d, -q->w[j], q->rho0);
    return mesh_plans(m);
}

/* ---------------------------------------------------------------- smoothed ----- */
/* The smoothed Wasserstein critic (docs: "Critics") on the mesh: phi maximises
 *     P(phi) = <phi, rho> - (lambda/2) phi^T K^-1 phi   subject to |grad_h phi| <= lip per cell,
 * rho the deposited mu - mu0, K the Matern kernel's Gram matrix on the grid (circulant: k^ on
 * the spectrum; a Gaussian's 1/k^ would overflow), grad_h forward differences. Its dual is
 *     D(y) = lip sum_g |y_g| + (1/2 lambda) |rho + div y|_K^2,   phi = K (rho + div y) / lambda,
 * div = -grad_h^T. Solved by ADMM on the split q = grad_h phi (Boyd et al. 2011), which is
 * Douglas-Rachford on the dual, i.e. a primal-dual method preconditioned by the exact inverse
 * of the quadratic part: the phi step solves (lambda K^-1 + beta grad_h^T grad_h) phi = rhs,
 * diagonal in Fourier space (one transform pair), and the q step projects grad_h phi + u onto
 * the disc |q| <= lip per cell. Accelerated by Nesterov extrapolation with restart (Goldstein,
 * O'Donoghue, Setzer, Baraniuk 2014, "fast ADMM"); beta adapted by residual balancing (He,
 * Yang, Wang 2000). Stopping is certified: with phi~ = c phi scaled into the constraint,
 * P(phi*) - P(phi~) <= D(y) - P(phi~) = gap and P is lambda-strongly concave in the H norm
 * |phi|_H^2 = phi^T K^-1 phi, so |phi~ - phi*|_H <= sqrt(2 gap / lambda), and every central
 * difference slope (hence, by the convex interpolation, every field component) is off by at
 * most that times slope_bound = sqrt((1/G) sum |sin(w h)/h|^2 k^(w)) (Cauchy-Schwarz on the
 * spectrum). The solve stops when this bound is below pd_tol * lip.
 * Every solve starts cold (q = u = 0), so the critic is a function of the particles alone: the
 * same positions give the same bits whatever was solved before (a warm start from the previous
 * field's dual saved at most half the iterations under this certificate). The only cache is
 * the workspace's last positions with their solution, reused when exactly the same positions
 * come again (the field and J at one state, critic_gradient at many points z). */

/* The grid as R rows of C cells (2-D: n x n, the row index along axis 0; 1-D: one row of n),
 * so the difference passes run along contiguous rows. The ADMM's vector fields hold two
 * components of G cells each, the difference to the next row (0) and to the next cell of the
 * row (1); in 1-D component 0 has no extent and stays 0. */
static int grid_rows(const particles_priv *q) { return q->d == 2 ? q->n : 1; }

static int smoothed_setup(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    size_t nspec = half_spectrum(q), G = (size_t)q->G;
    q->smoothed = 1;
    if (!(q->khat = malloc(sizeof(double) * 3 * nspec))) return gd_model_fail(m, GD_ENOMEM, "out of memory for the %d-cell critic", q->G);
    q->d2 = q->khat + nspec, q->hmult = q->d2 + nspec;
    double L = q->h * q->n, total = 0, slope2 = 0;
    for (size_t g = 0; g < nspec; g++) {
        int k[2];
        wave(q, g, 1, k);
        double w2 = (k[0] * k[0] + k[1] * k[1]) * (2 * M_PI / L) * (2 * M_PI / L);
        q->khat[g] = pow(1 + w2 / (o->matern_kappa * o->matern_kappa), -o->matern_s);
        q->hmult[g] = k[q->d - 1] == 0 || k[q->d - 1] == q->n / 2 ? 1 : 2; /* entries the half spectrum stands for */
        q->d2[g] = 0;
        for (int a = 0; a < q->d; a++) q->d2[g] += 4 * pow(sin(M_PI * k[a] / q->n) / q->h, 2); /* |forward difference symbol|^2 */
        total += q->hmult[g] * q->khat[g];
        slope2 += q->hmult[g] * q->khat[g] * pow(sin(2 * M_PI * k[0] / q->n) / q->h, 2); /* axis 0; the square grid is symmetric */
    }
    for (size_t g = 0; g < nspec; g++) q->khat[g] *= (double)G / total; /* k(0) = (1/G) sum k^ = 1 */
    q->slope_bound = sqrt(slope2 / total);
    return GD_OK;
}

/* out = base + s grad_h^T (v - w), grad_h^T v = (v_0[row above] - v_0) / h + (v_1[cell before] - v_1) / h;
 * base NULL: 0. */
static void add_grad_t(const particles_priv *q, const double *restrict base, double s, const double *restrict v, const double *restrict w, double *restrict out)
{
    const int R = grid_rows(q), C = q->n, G = q->G;
    const double sh = s / q->h;
    for (int i = 0; i < R; i++) {
        int up = (i == 0 ? R - 1 : i - 1) * C, at = i * C;
        for (int j = 0; j < C; j++) {
            int g = at + j, left = at + (j == 0 ? C - 1 : j - 1);
            double t = (v[up + j] - w[up + j]) - (v[g] - w[g]) + (v[G + left] - w[G + left]) - (v[G + g] - w[G + g]);
            out[g] = (base ? base[g] : 0) + sh * t;
        }
    }
}

/* max over cells of |grad_h f|^2 (forward differences). */
static double max_slope2(const particles_priv *q, const double *f)
{
    const int R = grid_rows(q), C = q->n;
    double top = 0;
    for (int i = 0; i < R; i++) {
        const double *row = f + (size_t)i * C, *next = f + (size_t)(i + 1 == R ? 0 : i + 1) * C;
        for (int j = 0; j < C; j++) {
            double g0 = next[j] - row[j], g1 = row[j + 1 == C ? 0 : j + 1] - row[j], t = g0 * g0 + g1 * g1;
            top = t > top ? t : top;
        }
    }
    return top / (q->h * q->h);
}

/* phi = K rhs / lambda, the unconstrained critic; 1 if it already meets the bound, with J. */
static int smoothed_slack(const gd_model *m, particles_ws *pw)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    int G = q->G;
    memcpy(pw->rho, pw->rhs, sizeof(double) * (size_t)G);
    fftw_execute_dft_r2c(q->fwd, pw->rho, pw->spec);
    for (size_t k = 0; k < half_spectrum(q); k++) pw->spec[k] *= q->khat[k] / (o->lambda * G);
    fftw_execute_dft_c2r(q->bwd, pw->spec, pw->grid);
    memcpy(pw->phi, pw->grid, sizeof(double) * (size_t)G);
    double lin = 0;
    for (int g = 0; g < G; g++) lin += pw->phi[g] * pw->rhs[g];
    pw->jlast = 0.5 * lin; /* P(K rho / lambda) = <phi, rho> / 2 */
    return max_slope2(q, pw->phi) <= o->lip * o->lip;
}

typedef struct {
    double beta, a, c_old;
    double rp, cc, top; /* |grad phi - qn|^2 (= |un - uh|^2), the restart criterion, max |grad phi|^2 */
} admm_state;

/* 1 / (G (lambda / k^ + beta |D|^2)): the phi step's Fourier multiplier, for the current beta. */
static void admm_multiplier(const gd_model *m, particles_ws *pw, double beta)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    for (size_t k = 0; k < half_spectrum(q); k++) pw->inv_den[k] = 1 / ((o->lambda / q->khat[k] + beta * q->d2[k]) * q->G);
}

/* phi step: (lambda K^-1 + beta grad^T grad) phi = rho + beta grad^T (qh - uh), one transform
 * pair; keep: phi^ / G also into the second half of pw->spec (the c2r destroys the first). */
static void admm_phi(const particles_priv *q, particles_ws *pw, double beta, const double *qh, const double *uh, int keep)
{
    add_grad_t(q, pw->rhs, beta, qh, uh, pw->rho);
    fftw_execute_dft_r2c(q->fwd, pw->rho, pw->spec);
    fftw_complex *restrict spec = pw->spec;
    const double *restrict inv = pw->inv_den;
    size_t nspec = half_spectrum(q);
    for (size_t k = 0; k < nspec; k++) spec[k] *= inv[k];
    if (keep) memcpy(spec + nspec, spec, sizeof(fftw_complex) * nspec);
    fftw_execute_dft_c2r(q->bwd, pw->spec, pw->grid);
    memcpy(pw->phi, pw->grid, sizeof(double) * (size_t)q->G);
}

/* q and u steps: per cell qn = the projection of grad phi + uh onto the disc |.| <= lip and
 * un = uh + grad phi - qn; the sums the restart, the balance and the certificate need. */
static void admm_project(const gd_model *m, const particles_ws *pw, admm_state *s, const double *restrict qh, const double *restrict uh, double *restrict qn,
                         double *restrict un)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    const int R = grid_rows(q), C = q->n, G = q->G;
    const double *phi = pw->phi, ih = 1 / q->h, lip = o->lip, lip2 = lip * lip;
    double rp = 0, cq = 0, top = 0;
    for (int i = 0; i < R; i++) {
        const double *row = phi + (size_t)i * C, *next = phi + (size_t)(i + 1 == R ? 0 : i + 1) * C;
        for (int j = 0; j < C; j++) {
            int g = i * C + j;
            double g0 = (next[j] - row[j]) * ih, g1 = (row[j + 1 == C ? 0 : j + 1] - row[j]) * ih;
            double v0 = g0 + uh[g], v1 = g1 + uh[G + g], n2 = v0 * v0 + v1 * v1, shrink = n2 > lip2 ? lip / sqrt(n2) : 1;
            double q0 = shrink * v0, q1 = shrink * v1, t = g0 * g0 + g1 * g1;
            rp += (g0 - q0) * (g0 - q0) + (g1 - q1) * (g1 - q1);
            cq += (q0 - qh[g]) * (q0 - qh[g]) + (q1 - qh[G + g]) * (q1 - qh[G + g]);
            top = t > top ? t : top;
            qn[g] = q0, qn[G + g] = q1, un[g] = uh[g] + g0 - q0, un[G + g] = uh[G + g] + g1 - q1;
        }
    }
    s->rp = rp, s->cc = rp + cq, s->top = top;
}

/* The duality gap at y = beta un against phi~ = c phi (c scales phi into the constraint),
 *     D(y) - P(phi~) = sum_g (lip |y_g| - grad phi~_g . y_g) + |K w - lambda phi~|_{K^-1}^2 / (2 lambda),
 * w = rho + div y (as <phi~, rho> = <phi~, w> + <grad phi~, y>): two non-negative parts, so no
 * large terms cancel. Returns the certified bound on every field component, sets phi~'s J and c. */
static double admm_bound(const gd_model *m, particles_ws *pw, const admm_state *s, const double *un, const double *zero)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    const int R = grid_rows(q), C = q->n, G = q->G;
    const double c = s->top > o->lip * o->lip ? o->lip / sqrt(s->top) : 1, ch = c / q->h;
    double lin = 0, slack = 0, hn = 0, misfit = 0;
    for (int i = 0; i < R; i++) {
        const double *row = pw->phi + (size_t)i * C, *next = pw->phi + (size_t)(i + 1 == R ? 0 : i + 1) * C;
        for (int j = 0; j < C; j++) {
            int g = i * C + j;
            double y0 = s->beta * un[g], y1 = s->beta * un[G + g], g0 = (next[j] - row[j]) * ch, g1 = (row[j + 1 == C ? 0 : j + 1] - row[j]) * ch;
            slack += o->lip * sqrt(y0 * y0 + y1 * y1) - (g0 * y0 + g1 * y1);
            lin += pw->phi[g] * pw->rhs[g];
        }
    }
    add_grad_t(q, pw->rhs, -s->beta, un, zero, pw->rho); /* w */
    fftw_execute_dft_r2c(q->fwd, pw->rho, pw->spec);
    const fftw_complex *w = pw->spec, *p = pw->spec + half_spectrum(q); /* p: phi^ / G */
    for (size_t k = 0; k < half_spectrum(q); k++) {
        fftw_complex r = q->khat[k] * w[k] - o->lambda * c * G * p[k];
        hn += q->hmult[k] * (creal(p[k]) * creal(p[k]) + cimag(p[k]) * cimag(p[k])) / q->khat[k];
        misfit += q->hmult[k] * (creal(r) * creal(r) + cimag(r) * cimag(r)) / q->khat[k];
    }
    pw->jlast = c * lin - 0.5 * o->lambda * c * c * hn * G, pw->scale = c; /* |phi|_H^2 = (1/G) sum |phi^|^2 / k^ */
    double gap = slack + misfit / (2 * o->lambda * G);
    return q->slope_bound * sqrt(2 * fmax(gap, 0) / o->lambda);
}

/* Residual balancing: beta up when the constraint residual dominates, down when the dual one
 * |beta grad^T (qn - qh)| does (u is rescaled so that y = beta u stays). 1: beta changed. */
static int admm_balance(const gd_model *m, particles_ws *pw, admm_state *s, const double *qn, const double *qh, double *un)
{
    const particles_priv *q = m->priv;
    size_t G2 = 2 * (size_t)q->G;
    add_grad_t(q, NULL, s->beta, qn, qh, pw->rho);
    double rd = 0;
    for (int g = 0; g < q->G; g++) rd += pw->rho[g] * pw->rho[g];
    double f = s->rp > 100 * rd ? 2 : rd > 100 * s->rp ? 0.5 : 1; /* squared norms: a factor 10 apart */
    if (f == 1) return 0;
    s->beta *= f;
    for (size_t i = 0; i < G2; i++) un[i] /= f;
    admm_multiplier(m, pw, s->beta);
    return 1;
}

/* The ADMM's fields, 2 G each: the accepted iterate (qc, uc), the extrapolated one the next
 * phi step reads (qh, uh), the new one (qn, un), and a zero field. */
typedef struct {
    double *qc, *uc, *qh, *uh, *qn, *un, *zero;
} admm_fields;

/* Accept (qn, un) with Nesterov extrapolation, or restart from the last accepted iterate when
 * the combined residual grew. Accepting swaps buffers instead of copying. */
static void admm_accelerate(const particles_priv *q, admm_state *s, int reset, admm_fields *f)
{
    const double eta = 0.999;
    size_t G2 = 2 * (size_t)q->G;
    if (reset || s->cc < eta * s->c_old) {
        double an = reset ? 1 : 0.5 * (1 + sqrt(1 + 4 * s->a * s->a)), t = reset ? 0 : (s->a - 1) / an;
        double *restrict qh = f->qh, *restrict uh = f->uh;
        const double *restrict qn = f->qn, *restrict un = f->un, *restrict qc = f->qc, *restrict uc = f->uc;
        for (size_t i = 0; i < G2; i++) qh[i] = qn[i] + t * (qn[i] - qc[i]), uh[i] = un[i] + t * (un[i] - uc[i]);
        double *tq = f->qc, *tu = f->uc;
        f->qc = f->qn, f->uc = f->un, f->qn = tq, f->un = tu;
        s->a = an, s->c_old = reset ? INFINITY : s->cc;
    } else {
        memcpy(f->qh, f->qc, sizeof(double) * G2), memcpy(f->uh, f->uc, sizeof(double) * G2);
        s->a = 1, s->c_old /= eta;
    }
}

static int smoothed_admm(const gd_model *m, gd_model_ws *ws)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    size_t G2 = 2 * (size_t)q->G;
    double *a = pw->admm;
    admm_fields f = {a, a + G2, a + 2 * G2, a + 3 * G2, a + 4 * G2, a + 5 * G2, a + 6 * G2};
    memset(a, 0, sizeof(double) * 7 * G2);
    admm_state s = {.beta = 3 * o->lambda, .a = 1, .c_old = INFINITY};
    admm_multiplier(m, pw, s.beta);
    double bound = INFINITY;
    for (long it = 1; it <= o->pd_iters; it++) {
        int check = it % 10 == 0; /* the certificate costs one more r2c: every tenth iteration */
        admm_phi(q, pw, s.beta, f.qh, f.uh, check);
        admm_project(m, pw, &s, f.qh, f.uh, f.qn, f.un);
        if (check && (bound = admm_bound(m, pw, &s, f.un, f.zero)) <= o->pd_tol * o->lip) {
            for (int g = 0; g < q->G; g++) pw->phi[g] *= pw->scale;
            return GD_OK;
        }
        admm_accelerate(q, &s, check && admm_balance(m, pw, &s, f.qn, f.qh, f.un), &f);
    }
    return gd_ws_fail(ws, GD_ESOLVER,
                      "critic = smoothed: %ld primal-dual iterations certified the field only to %.3g > model.pd_tol * lip = %.3g; raise model.pd_tol "
                      "(round-off in |grad phi| floors the certificate near 1e-6 for small lambda and fine meshes) or model.pd_iters",
                      o->pd_iters, bound, o->pd_tol * o->lip);
}

/* phi~ and J~ for the particles x (the workspace's cached ones when x is its last x: the
 * same bits, as every solve starts cold). */
static int smoothed_solve(const gd_model *m, gd_model_ws *ws, const double *x)
{
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    size_t nx = sizeof(double) * (size_t)q->N * q->d;
    if (pw->have_last && memcmp(x, pw->xlast, nx) == 0) return GD_OK;
    pw->have_last = 0;
    memcpy(pw->rhs, q->rho0, sizeof(double) * (size_t)q->G);
    deposit_particles(q, pw, x, pw->rhs);
    int rc = smoothed_slack(m, pw) ? GD_OK : smoothed_admm(m, ws);
    if (rc == GD_OK) memcpy(pw->xlast, x, nx), pw->have_last = 1;
    return rc;
}

/* d_a phi on the grid by central differences, into pw->rho (interpolated like the deposit). */
static void slope_grid(const particles_priv *q, particles_ws *pw, int a)
{
    const int R = grid_rows(q), C = q->n, along = q->d == 1 || a == 1; /* along a row, or across the rows */
    const double *phi = pw->phi;
    for (int i = 0; i < R; i++) {
        const double *row = phi + (size_t)i * C, *next = phi + (size_t)(i + 1 == R ? 0 : i + 1) * C, *prev = phi + (size_t)(i == 0 ? R - 1 : i - 1) * C;
        for (int j = 0; j < C; j++)
            pw->rho[i * C + j] = (along ? row[j + 1 == C ? 0 : j + 1] - row[j == 0 ? C - 1 : j - 1] : next[j] - prev[j]) / (2 * q->h);
    }
}

/* grad phi at the n points z (n x d) for the particles x. */
static int smoothed_gradient(const gd_model *m, gd_model_ws *ws, const double *x, int n, const double *z, double *grad)
{
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    int rc = smoothed_solve(m, ws, x);
    for (int a = 0; rc == GD_OK && a < q->d; a++) {
        slope_grid(q, pw, a);
        for (int i = 0; i < n; i++) grad[i * q->d + a] = interpolate(q, z + i * q->d, pw->rho);
    }
    return rc;
}

static int smoothed_field(const gd_model *m, gd_model_ws *ws, const double *x, double *v)
{
    const particles_priv *q = m->priv;
    int rc = smoothed_gradient(m, ws, x, q->N, x, v);
    /* every point's value: x holds the N points (with generator = affine, not the state) */
    for (int i = 0; i < q->N * q->d; i++) v[i] = -v[i];
    return rc;
}

/* J~ = P(phi~), within the certified gap of the maximum (exact when the bound is slack). */
static int smoothed_objective(const gd_model *m, gd_model_ws *ws, const double *x, double *J)
{
    int rc = smoothed_solve(m, ws, x);
    *J = rc == GD_OK ? ((const particles_ws *)ws->priv)->jlast : NAN;
    return rc;
}

/* ---------------------------------------------------------------- means -------- */
/* The critics that see the data only through its mean, r = m_mu - m_0: huber, the W1 distance
 * smoothed with the linear kernel (J = Huber_lambda(|r|), Phi(z) = w . z, w = r / max(lambda,
 * |r|)), and mmd with the linear kernel k = x . y (MMD^2 = |r|^2, J = |r|^2 / 2, w = r). */
static int mean_critic(const particles_opts *o) { return o->critic == CRITIC_HUBER || (o->critic == CRITIC_MMD && o->kernel == KERNEL_LINEAR); }

static double mean_r(const gd_model *m, const double *x, double *r)
{
    const particles_priv *q = m->priv;
    int d = q->d;
    double n2 = 0;
    for (int c = 0; c < d; c++) {
        r[c] = -q->mean0[c];
        for (int i = 0; i < q->N; i++) r[c] += x[i * d + c] / q->N;
        n2 += r[c] * r[c];
    }
    return sqrt(n2);
}

/* The critic's slope w (every particle moves with -w). */
static void mean_slope(const gd_model *m, const double *x, double *w)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    double nr = mean_r(m, x, w), s = o->critic == CRITIC_HUBER ? 1 / fmax(o->lambda, nr) : 1;
    for (int c = 0; c < q->d; c++) w[c] *= s;
}

static void mean_field(const gd_model *m, const double *x, double *v)
{
    const particles_priv *q = m->priv;
    double w[64];
    mean_slope(m, x, w);
    for (int i = 0; i < q->N; i++)
        for (int c = 0; c < q->d; c++) v[i * q->d + c] = -w[c];
}

/* Dw = dw/dr (d x d): the field's Jacobian is -Dw / N in every particle pair's block. */
static void mean_dw(const gd_model *m, const double *x, double *Dw)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    int d = q->d, huber = o->critic == CRITIC_HUBER;
    double r[64], nr = mean_r(m, x, r);
    for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++)
            Dw[a * d + b] = !huber ? (a == b) : nr <= o->lambda ? (a == b) / o->lambda : ((a == b) - r[a] * r[b] / (nr * nr)) / nr;
}

static void mean_jacobian(const gd_model *m, const double *x, double *J)
{
    const particles_priv *q = m->priv;
    int d = q->d, n = q->N * d;
    double Dw[64 * 64];
    mean_dw(m, x, Dw);
    for (int i = 0; i < n; i++)
        for (int l = 0; l < n; l++) J[(size_t)i * n + l] = -Dw[(i % d) * d + l % d] / q->N;
}

/* (DF v)_i = -Dw mean_l(v_l), the same for every particle. */
static void mean_jvp(const gd_model *m, const double *x, const double *v, double *jv)
{
    const particles_priv *q = m->priv;
    int d = q->d;
    double Dw[64 * 64], mv[64] = {0};
    mean_dw(m, x, Dw);
    for (int i = 0; i < q->N; i++)
        for (int c = 0; c < d; c++) mv[c] += v[i * d + c] / q->N;
    for (int i = 0; i < q->N; i++)
        for (int a = 0; a < d; a++) {
            jv[i * d + a] = 0;
            for (int b = 0; b < d; b++) jv[i * d + a] -= Dw[a * d + b] * mv[b];
        }
}

static double mean_objective(const gd_model *m, const double *x)
{
    const particles_opts *o = m->opts;
    double r[64], nr = mean_r(m, x, r);
    if (o->critic != CRITIC_HUBER) return 0.5 * nr * nr;
    return nr <= o->lambda ? nr * nr / (2 * o->lambda) : nr - o->lambda / 2;
}

/* ---------------------------------------------------------------- w1 ----------- */
/* Minimum-cost assignment of the N particles to the N data points (Hungarian method with
 * potentials, O(N^3)); pw->match[i] is particle i's data point. */
static void assign(const particles_priv *q, particles_ws *pw, const double *x)
{
    int N = q->N, d = q->d;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int c = 0; c < d; c++) s += (x[i * d + c] - q->y[j * d + c]) * (x[i * d + c] - q->y[j * d + c]);
            pw->cost[(size_t)i * N + j] = sqrt(s);
        }
    double *u = pw->u, *v = pw->v, *minv = pw->u + N + 1;
    int *p = pw->p, *way = pw->way;
    char *used = (char *)(pw->way + N + 1);
    for (int j = 0; j <= N; j++) u[j] = v[j] = 0, p[j] = 0;
    for (int i = 1; i <= N; i++) { /* rows and columns 1-based; p[j]: row matched to column j */
        p[0] = i;
        int j0 = 0;
        for (int j = 0; j <= N; j++) minv[j] = INFINITY, used[j] = 0;
        do {
            used[j0] = 1;
            int i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (int j = 1; j <= N; j++) {
                if (used[j]) continue;
                double cur = pw->cost[(size_t)(i0 - 1) * N + j - 1] - u[i0] - v[j];
                if (cur < minv[j]) minv[j] = cur, way[j] = j0;
                if (minv[j] < delta) delta = minv[j], j1 = j;
            }
            for (int j = 0; j <= N; j++) {
                if (used[j]) u[p[j]] += delta, v[j] -= delta;
                else minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            int j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    for (int j = 1; j <= N; j++) pw->match[p[j] - 1] = j - 1;
}

/* The data point particle i is transported to: the single one, or its assignment. */
static const double *w1_target(const particles_priv *q, const particles_ws *pw, int i) { return q->y + (size_t)(q->M == 1 ? 0 : pw->match[i]) * q->d; }

static void w1_field(const gd_model *m, particles_ws *pw, const double *x, double *v)
{
    const particles_priv *q = m->priv;
    int d = q->d;
    if (q->M > 1) assign(q, pw, x);
    for (int i = 0; i < q->N; i++) {
        const double *y = w1_target(q, pw, i);
        double n2 = 0;
        for (int c = 0; c < d; c++) n2 += (x[i * d + c] - y[c]) * (x[i * d + c] - y[c]);
        double s = n2 > 0 ? 1 / sqrt(n2) : 0; /* on the data point: the subgradient 0 */
        for (int c = 0; c < d; c++) v[i * d + c] = -s * (x[i * d + c] - y[c]);
    }
}

static double w1_objective(const gd_model *m, particles_ws *pw, const double *x)
{
    const particles_priv *q = m->priv;
    if (q->M > 1) assign(q, pw, x);
    double s = 0;
    for (int i = 0; i < q->N; i++) {
        const double *y = w1_target(q, pw, i);
        double n2 = 0;
        for (int c = 0; c < q->d; c++) n2 += (x[i * q->d + c] - y[c]) * (x[i * q->d + c] - y[c]);
        s += sqrt(n2);
    }
    return s / q->N;
}

/* ---------------------------------------------------------------- generator ---- */
/* generator = affine: the points x_q = W z_q + b on N fixed latent nodes z_q in R^k; the state
 * theta = (W row-major d x k, b) is mapped linearly, x = B theta. By the chain rule
 * the flow of theta is -grad_theta J = B^T F(x) / N, F the particles' field (which is
 * -N grad_x J), and its Jacobian B^T DF B / N. */
static const double *points_of(const particles_priv *q, const double *theta, double *out)
{
    if (!q->affine) return theta;
    int d = q->d, k = q->k;
    for (int i = 0; i < q->N; i++)
        for (int c = 0; c < d; c++) {
            double s = theta[d * k + c];
            for (int a = 0; a < k; a++) s += theta[c * k + a] * q->z[i * k + a];
            out[i * d + c] = s;
        }
    return out;
}

/* out = B^T f / N: dW = (1/N) sum_q f_q z_q^T, db = (1/N) sum_q f_q. */
static void pull_back(const particles_priv *q, const double *f, double *out)
{
    int d = q->d, k = q->k;
    memset(out, 0, sizeof(double) * (size_t)d * (k + 1));
    for (int i = 0; i < q->N; i++)
        for (int c = 0; c < d; c++) {
            for (int a = 0; a < k; a++) out[c * k + a] += f[i * d + c] * q->z[i * k + a] / q->N;
            out[d * k + c] += f[i * d + c] / q->N;
        }
}

/* ---------------------------------------------------------------- interface ---- */
/* The critic's field at the points x (N x d). */
static int critic_field(const gd_model *m, gd_model_ws *ws, const double *x, double *v)
{
    const particles_opts *o = m->opts;
    if (mean_critic(o)) mean_field(m, x, v);
    else if (o->critic == CRITIC_W1) w1_field(m, ws->priv, x, v);
    else if (o->critic == CRITIC_SMOOTHED) return smoothed_field(m, ws, x, v);
    else if (o->field == FIELD_MESH) mmd_mesh(m, ws->priv, x, v);
    else mmd_direct(m, x, v);
    return GD_OK;
}

/* An analytic Jacobian of the critic's field: the mean critics and the direct MMD sums (the
 * mesh's CIC field, W1's kinks and the smoothed solve go by differences). Their J.v products
 * hold d x d blocks on the stack: d <= 64. */
static int critic_analytic(const gd_model *m)
{
    const particles_opts *o = m->opts;
    return mean_critic(o) || (o->critic == CRITIC_MMD && o->field == FIELD_DIRECT);
}

static void critic_jvp(const gd_model *m, const double *x, const double *v, double *jv)
{
    if (mean_critic(m->opts)) mean_jvp(m, x, v, jv);
    else mmd_jvp(m, x, v, jv);
}

static int particles_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)mode;
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    int rc = q->affine ? critic_field(m, ws, points_of(q, x, pw->xa), pw->fa) : critic_field(m, ws, x, v);
    if (rc != GD_OK) return rc;
    if (q->affine) pull_back(q, pw->fa, v);
    for (int i = 0; i < m->dim; i++)
        if (!isfinite(v[i])) return GD_ESOLVER;
    return GD_OK;
}

/* J.v; affine: B^T DF (B v) / N. */
static int particles_jvp(const gd_model *m, gd_model_ws *ws, int mode, const double *x, const double *v, double *jv)
{
    (void)mode;
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    if (!critic_analytic(m) || q->d > 64) return gd_model_jvp_fd(m, ws, x, v, jv);
    if (!q->affine) {
        critic_jvp(m, x, v, jv);
        return GD_OK;
    }
    double *bv = pw->xa + (size_t)q->N * q->d; /* the second half of the points' scratch */
    points_of(q, v, bv); /* B is linear: B v is the points of the state v */
    critic_jvp(m, points_of(q, x, pw->xa), bv, pw->fa);
    pull_back(q, pw->fa, jv);
    return GD_OK;
}

static int particles_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    (void)mode;
    if (!critic_analytic(m) || (q->affine && q->d > 64)) return gd_model_jacobian_fd_ws(m, ws, x, J);
    if (q->affine) { /* column by column: dim = d (k + 1) products */
        int n = m->dim;
        double *e = calloc(2 * (size_t)n, sizeof(double)), *col = e + n;
        if (!e) return gd_ws_fail(ws, GD_ENOMEM, "out of memory");
        for (int p = 0; p < n; p++) {
            e[p] = 1;
            particles_jvp(m, ws, mode, x, e, col);
            for (int r = 0; r < n; r++) J[(size_t)r * n + p] = col[r];
            e[p] = 0;
        }
        free(e);
    } else if (mean_critic(o)) mean_jacobian(m, x, J);
    else mmd_jacobian(m, x, J);
    return GD_OK;
}

/* The critic's divergence at the state x (the particles, or the affine map's parameters). */
static int critic_objective(const gd_model *m, gd_model_ws *ws, const double *state, double *J)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv;
    const double *x = points_of(q, state, pw->xa);
    if (o->critic == CRITIC_SMOOTHED) return smoothed_objective(m, ws, x, J);
    *J = mean_critic(o) ? mean_objective(m, x) : o->critic == CRITIC_W1 ? w1_objective(m, pw, x) : mmd_objective(m, x);
    return GD_OK;
}

int gd_particles_objective(const gd_model *m, const double *x, double *J)
{
    if (!gd_model_usable(m, &gd_model_particles)) return GD_EUSAGE;
    gd_model_ws *ws = gd_model_own_ws(m);
    return ws ? critic_objective(m, ws, x, J) : GD_ENOMEM;
}

int gd_particles_critic_gradient(const gd_model *m, const double *state, const double *z, double *grad)
{
    if (!gd_model_usable(m, &gd_model_particles)) return GD_EUSAGE;
    gd_model_ws *ws = gd_model_own_ws(m);
    if (!ws) return GD_ENOMEM;
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    const double *x = points_of(q, state, ((particles_ws *)ws->priv)->xa);
    int d = q->d;
    if (mean_critic(o)) {
        mean_slope(m, x, grad);
        return GD_OK;
    }
    if (o->critic == CRITIC_W1) { /* Phi = |z - y|; with N = M points the potential lives on the support only */
        if (q->M > 1) return gd_ws_fail(ws, GD_ENOTAVAIL, "critic = w1 with %d data points: no potential off the particles", q->M);
        double r = gd_dist(d, z, q->y);
        for (int c = 0; c < d; c++) grad[c] = r > 0 ? (z[c] - q->y[c]) / r : 0;
        return GD_OK;
    }
    if (o->critic == CRITIC_SMOOTHED) return smoothed_gradient(m, ws, x, 1, z, grad);
    memset(grad, 0, sizeof(double) * (size_t)d); /* grad_z k(z, x) = -pull(z, x) */
    for (int l = 0; l < q->N; l++) add_pull(q, z, x + l * d, -1.0 / q->N, grad);
    for (int j = 0; j < q->M; j++) data_term(q, z, j, q->w[j], grad, NULL, 0);
    return GD_OK;
}

static double particles_metric(const gd_model *m, gd_model_ws *ws, const double *x)
{
    double J = NAN;
    critic_objective(m, ws, x, &J);
    return J;
}

/* Closed-form equilibria of the particles: W1 moves each particle onto its (assigned) data
 * point, and so does the smoothed critic when mu = mu0 is reachable (J~ = 0); the mean critics
 * translate the cloud (affine: b) until the means match. 1 when one applied. */
static int equilibrium_closed(const gd_model *m, particles_ws *pw, double *x)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    int d = q->d;
    if (mean_critic(o)) {
        double r[64];
        mean_r(m, points_of(q, x, pw->xa), r);
        for (int i = q->affine ? d * q->k : 0; i < m->dim; i++) x[i] -= r[i % d];
        return 1;
    }
    if (q->affine || !(o->critic == CRITIC_W1 || (o->critic == CRITIC_SMOOTHED && (q->M == 1 || q->assignable)))) return 0;
    if (q->M > 1) assign(q, pw, x);
    for (int i = 0; i < q->N; i++) memcpy(x + i * d, w1_target(q, pw, i), sizeof(double) * (size_t)d);
    return 1;
}

/* The attractor of the flow from the model's start: a solved critic makes the dynamics a
 * gradient flow of J, so descend J (backtracking on the step) until the field is small, then
 * polish with Newton. Newton alone from the start would slide into the flat far field,
 * where the kernel has underflowed and every point is numerically stationary. */
static int particles_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    int n = m->dim, d = q->d;
    memcpy(x, q->x0, sizeof(double) * (size_t)n);
    if (equilibrium_closed(m, ws->priv, x)) return GD_OK;
    double *F = malloc(sizeof(double) * 3 * (size_t)n), *xt = F + n, *y = xt + n, h = 1, J, Jt = INFINITY, fn = INFINITY;
    if (!F) return gd_ws_fail(ws, GD_ENOMEM, "out of memory");
    int rc = particles_field(m, ws, 0, x, F);
    if (rc == GD_OK) rc = critic_objective(m, ws, x, &J);
    /* the descent's budget: about 1e7 field terms (0.1 s), so a large or degenerate start cannot stall setup */
    long cap = (long)fmin(200000, fmax(100, 1e7 / ((double)q->N * (q->N + q->M) * d)));
    double per = q->affine ? 1 : 1.0 / q->N; /* dJ/dh = -|F|^2 per: particles F = -N grad J, affine F = -grad J */
    for (long it = 0; rc == GD_OK && it < cap; it++) {
        fn = gd_dot(n, F, F);
        if (sqrt(fn) <= 1e-9) break;
        for (; h > 1e-12; h *= 0.5) { /* sufficient decrease along the flow */
            for (int i = 0; i < n; i++) xt[i] = x[i] + h * F[i];
            if (critic_objective(m, ws, xt, &Jt) == GD_OK && Jt <= J - 0.25 * h * fn * per) break;
        }
        if (!(h > 1e-12)) break;
        memcpy(x, xt, sizeof(double) * (size_t)n), J = Jt, h *= 2;
        rc = particles_field(m, ws, 0, x, F);
    }
    /* Newton only polishes: a step far from the descent's end is a jump into the far field */
    double moved = 0, size = 0, length = o->kernel == KERNEL_MATERN || o->critic == CRITIC_SMOOTHED ? 1 / o->matern_kappa : o->sigma;
    int polished = rc == GD_OK && gd_model_newton_ws(m, ws, x, y) == GD_OK;
    for (int i = 0; polished && i < n; i++) moved += (y[i] - x[i]) * (y[i] - x[i]), size += x[i] * x[i];
    if (polished && sqrt(moved) <= 1e-3 * (length + sqrt(size * d / n))) memcpy(x, y, sizeof(double) * (size_t)n);
    else if (rc == GD_OK && sqrt(fn) > 1e-6)
        rc = gd_ws_fail(ws, GD_ESOLVER, "the flow from the model's start found no equilibrium (|F| = %.3g after the descent)", sqrt(fn));
    free(F);
    return rc;
}

static int particles_default_start(const gd_model *m, double *x)
{
    const particles_priv *q = m->priv;
    memcpy(x, q->x0, sizeof(double) * (size_t)m->dim);
    return GD_OK;
}

static void particles_cleanup(gd_model *m)
{
    particles_priv *q = m->priv;
    if (!q) return;
    gd_fftw_lock();
    if (q->fwd) fftw_destroy_plan(q->fwd);
    if (q->bwd) fftw_destroy_plan(q->bwd);
    gd_fftw_unlock();
    fftw_free(q->gk[0]), fftw_free(q->gk[1]);
    free(q->rho0), free(q->x0), free(q->y), free(q->w), free(q->mean0), free(q->cov), free(q->ainv), free(q->gcoef), free(q->z), free(q->khat);
    free(q);
    m->priv = NULL;
}

static void particles_ws_free(gd_model_ws *ws)
{
    particles_ws *pw = ws->priv;
    free(pw->xa), free(pw->match), free(pw->cost), free(pw->u), free(pw->v), free(pw->way), free(pw->p), free(pw->sites);
    fftw_free(pw->rho), fftw_free(pw->spec);
    free(pw->inv_den), free(pw->phi), free(pw->admm), free(pw->xlast);
    free(pw);
}

/* The buffers the configuration writes: the affine points, the assignment, the mesh's
 * transforms (fftw_malloc: the planning alignment) and the smoothed critic's solve. */
static int particles_ws_init(const gd_model *m, gd_model_ws *ws)
{
    const particles_priv *q = m->priv;
    particles_ws *pw = ws->priv = calloc(1, sizeof *pw);
    if (!pw) return gd_ws_fail(ws, GD_ENOMEM, "out of memory");
    size_t N = (size_t)q->N, nd = N * (size_t)q->d, N1 = N + 1, G = (size_t)q->G, nspec = q->mesh ? half_spectrum(q) : 0;
    int ok = 1;
    if (q->affine) {
        pw->xa = malloc(sizeof(double) * 3 * nd);
        pw->fa = pw->xa ? pw->xa + 2 * nd : NULL;
        ok &= pw->xa != NULL;
    }
    if (q->assignable) {
        pw->match = malloc(sizeof(int) * N1), pw->cost = malloc(sizeof(double) * N * N);
        pw->u = malloc(sizeof(double) * 2 * N1), pw->v = malloc(sizeof(double) * N1);
        pw->way = malloc(sizeof(int) * N1 + N1), pw->p = malloc(sizeof(int) * N1);
        ok &= pw->match && pw->cost && pw->u && pw->v && pw->way && pw->p;
    }
    if (q->mesh) {
        pw->grid = pw->rho = fftw_malloc(sizeof(double) * G); /* c2r writes where r2c read */
        pw->spec = fftw_malloc(sizeof(fftw_complex) * 2 * nspec), pw->sites = malloc(sizeof *pw->sites * N);
        ok &= pw->rho && pw->spec && pw->sites;
    }
    if (q->smoothed) {
        pw->inv_den = malloc(sizeof(double) * nspec), pw->phi = malloc(sizeof(double) * 2 * G), pw->admm = malloc(sizeof(double) * 14 * G);
        pw->rhs = pw->phi ? pw->phi + G : NULL, pw->xlast = malloc(sizeof(double) * nd);
        ok &= pw->inv_den && pw->phi && pw->admm && pw->xlast;
    }
    return ok ? GD_OK : gd_ws_fail(ws, GD_ENOMEM, "out of memory for the workspace of %d particles", q->N);
}

/* Entries of "a,b;c,d" before the first ';': the dimension of a point list. */
static int list_dim(const char *text)
{
    int d = 1;
    for (const char *p = text; *p && *p != ';'; p++) d += *p == ',';
    return d;
}

static int is_h5(const char *s)
{
    size_t n = strlen(s);
    return n > 3 && strcmp(s + n - 3, ".h5") == 0;
}

/* Coordinates whose squares overflow would turn kernels into NaN: refused, not simulated. */
#define COORD_MAX 1e100

static int check_coordinates(gd_model *m, const char *what, const double *x, int n, int d)
{
    for (long i = 0; i < (long)n * d; i++)
        if (!(fabs(x[i]) <= COORD_MAX))
            return gd_model_fail(m, GD_EUSAGE, "%s: coordinate %g of point %ld is beyond +-%g (rescale the points)", what, x[i], i / d, COORD_MAX);
    return GD_OK;
}

/* A point list or FILE.h5 (/points, n values or n x d); d < 0: take it from the points. */
static int point_set(gd_model *m, const char *text, const char *what, int *d, double **x, int *n)
{
    if (!is_h5(text)) {
        if (*d < 0) *d = list_dim(text);
        int rc = gd_parse_vectors(text, *d, x, n, what, m->msg);
        if (rc == GD_OK && *n == 0) return gd_model_fail(m, GD_EUSAGE, "%s is empty", what);
        return rc == GD_OK ? check_coordinates(m, what, *x, *n, *d) : rc;
    }
    int rank;
    hsize_t dims[2];
    int rc = gd_h5_read(text, "/points", 2, (size_t)1 << 26, &rank, dims, x, m->msg);
    if (rc != GD_OK) {
        char why[GD_MSG_LEN];
        snprintf(why, sizeof why, "%s", m->msg); /* not formatted into itself */
        return gd_model_fail(m, rc, "%s: %s", what, why);
    }
    int fd = rank == 1 ? 1 : (int)dims[1];
    if (*d >= 0 && fd != *d) return gd_model_fail(m, GD_EUSAGE, "%s: '%s' holds points of dimension %d, the particles have %d", what, text, fd, *d);
    *d = fd, *n = (int)dims[0];
    return check_coordinates(m, what, *x, *n, *d);
}

/* A point list or FILE.h5 in `key`, or n_random points drawn from N(0, spread^2 I) of the
 * list's dimension: the particles, or for the affine generator its latent nodes. */
static int source_points(gd_model *m, const char *text, const char *key, int *d, double **x, int *n)
{
    const particles_opts *o = m->opts;
    if (!text[0] && o->generator == GEN_AFFINE) return gd_model_fail(m, GD_EUSAGE, "model.generator = affine needs the latent nodes model.z_nodes");
    int rc = point_set(m, text, key, d, x, n);
    if (rc != GD_OK || o->n_random == 0) return rc;
    free(*x);
    *x = NULL;
    char what[96];
    snprintf(what, sizeof what, "model.n_random = %ld points in %d dimensions", o->n_random, *d);
    if ((rc = gd_check_state(m->msg, (double)o->n_random * *d, what, "lower n_random or the dimension")) != GD_OK) return rc;
    *n = (int)o->n_random;
    if (!(*x = malloc(sizeof(double) * (size_t)*n * *d))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    uint64_t s = (uint64_t)o->seed;
    for (long i = 0; i < (long)*n * *d; i++) (*x)[i] = o->spread * gd_normal(&s);
    return GD_OK;
}

static int make_generator(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    q->d = -1, q->affine = o->generator == GEN_AFFINE;
    if (!q->affine) return source_points(m, o->particles, "model.particles", &q->d, &q->x0, &q->N);
    q->k = -1; /* d comes from the data */
    return source_points(m, o->z_nodes, "model.z_nodes", &q->k, &q->z, &q->N);
}

/* One entry per data point or component, separated by ',' or ';'; empty: equal. */
static int parse_weights(gd_model *m, const char *text, const char *key)
{
    particles_priv *q = m->priv;
    int nw = 0, rc;
    if (!text[0]) {
        if (!(q->w = malloc(sizeof(double) * (size_t)q->M))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        for (int j = 0; j < q->M; j++) q->w[j] = 1;
        return GD_OK;
    }
    if (gd_parse_vectors(text, q->M, &q->w, &nw, key, m->msg) == GD_OK && nw == 1) return GD_OK;
    free(q->w), q->w = NULL;
    if ((rc = gd_parse_vectors(text, 1, &q->w, &nw, key, m->msg)) != GD_OK) return rc;
    if (nw != q->M) return gd_model_fail(m, GD_EUSAGE, "%s has %d entries for %d %s", key, nw, q->M, q->gmm ? "components" : "data points");
    return GD_OK;
}

/* Cholesky factor (lower, in place) of the symmetric d x d matrix a; 0 when not positive definite. */
static int cholesky(int d, double *a)
{
    for (int j = 0; j < d; j++) {
        double s = a[j * d + j];
        for (int c = 0; c < j; c++) s -= a[j * d + c] * a[j * d + c];
        if (!(s > 0)) return 0;
        a[j * d + j] = sqrt(s);
        for (int i = j + 1; i < d; i++) {
            double t = a[i * d + j];
            for (int c = 0; c < j; c++) t -= a[i * d + c] * a[j * d + c];
            a[i * d + j] = t / a[j * d + j];
        }
    }
    return 1;
}

/* inv = a^-1 and *logdet = log det a for a symmetric positive definite a (work: d^2 + d). */
static int spd_inverse(int d, const double *a, double *inv, double *logdet, double *work)
{
    double *L = work, *y = work + d * d;
    memcpy(L, a, sizeof(double) * (size_t)d * d);
    if (!cholesky(d, L)) return 0;
    *logdet = 0;
    for (int c = 0; c < d; c++) *logdet += 2 * log(L[c * d + c]);
    for (int col = 0; col < d; col++) { /* L L^T x = e_col */
        for (int i = 0; i < d; i++) {
            double t = i == col;
            for (int c = 0; c < i; c++) t -= L[i * d + c] * y[c];
            y[i] = t / L[i * d + i];
        }
        for (int i = d - 1; i >= 0; i--) {
            double t = y[i];
            for (int c = i + 1; c < d; c++) t -= L[c * d + i] * inv[c * d + col];
            inv[i * d + col] = t / L[i * d + i];
        }
    }
    return 1;
}

/* Component j's covariance from one entry of target_covs: 1 value (s^2 I), d (diagonal) or
 * d^2 (row-major), scaled by data_scale^2; symmetric positive semi-definite. */
static int one_cov(gd_model *m, int j, const double *v, int nv, double *work)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    int d = q->d;
    double *C = q->cov + (size_t)j * d * d, big = 0;
    if (nv != 1 && nv != d && nv != d * d)
        return gd_model_fail(m, GD_EUSAGE, "model.target_covs: entry %d has %d values, expected 1, %d or %d", j + 1, nv, d, d * d);
    for (int r = 0; r < d; r++)
        for (int c = 0; c < d; c++) {
            C[r * d + c] = o->data_scale * o->data_scale * (nv == d * d ? v[r * d + c] : r != c ? 0 : nv == 1 ? v[0] : v[r]);
            big = fmax(big, fabs(C[r * d + c]));
        }
    for (int r = 0; r < d; r++)
        for (int c = 0; c < r; c++)
            if (fabs(C[r * d + c] - C[c * d + r]) > 1e-12 * big) return gd_model_fail(m, GD_EUSAGE, "model.target_covs: entry %d is not symmetric", j + 1);
    memcpy(work, C, sizeof(double) * (size_t)d * d); /* C + tiny I positive definite <=> C positive semi-definite */
    for (int c = 0; c < d; c++) work[c * d + c] += 1e-12 * (1 + big);
    if (!cholesky(d, work)) return gd_model_fail(m, GD_EUSAGE, "model.target_covs: entry %d is not positive semi-definite", j + 1);
    return GD_OK;
}

static int make_covs(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    int d = q->d, j = 0, rc = GD_OK;
    if (!o->target_covs[0]) return gd_model_fail(m, GD_EUSAGE, "model.target = gmm needs model.target_covs");
    q->cov = malloc(sizeof(double) * (size_t)q->M * d * d);
    char *text = strdup(o->target_covs);
    double *work = malloc(sizeof(double) * ((size_t)d * d + d));
    if (!q->cov || !text || !work) rc = gd_model_fail(m, GD_ENOMEM, "out of memory");
    for (char *p = text, *next; rc == GD_OK && p && *p; p = next, j++) {
        next = strchr(p, ';');
        if (next) *next++ = 0;
        int nv = 1, cnt = 0;
        for (const char *c = p; *c; c++) nv += *c == ',';
        double *v = NULL;
        if (j >= q->M) rc = gd_model_fail(m, GD_EUSAGE, "model.target_covs has more entries than the %d components", q->M);
        else if ((rc = gd_parse_vectors(p, nv, &v, &cnt, "model.target_covs", m->msg)) == GD_OK) rc = one_cov(m, j, v, nv, work);
        free(v);
    }
    if (rc == GD_OK && j != q->M) rc = gd_model_fail(m, GD_EUSAGE, "model.target_covs has %d entries for %d components", j, q->M);
    free(text), free(work);
    return rc;
}

/* E k(y, y') for y, y' from components j and l (Gaussian kernel): y - y' ~ N(m_j - m_l, C_j + C_l). */
static int gmm_pair(const particles_priv *q, int j, int l, double *work, double *out)
{
    int d = q->d;
    double *S = work, *Si = S + d * d, logdet, quad = 0;
    for (int r = 0; r < d; r++)
        for (int c = 0; c < d; c++) S[r * d + c] = q->s2 * (r == c) + q->cov[((size_t)j * d + r) * d + c] + q->cov[((size_t)l * d + r) * d + c];
    if (!spd_inverse(d, S, Si, &logdet, Si + d * d)) return 0;
    for (int r = 0; r < d; r++)
        for (int c = 0; c < d; c++) quad += (q->y[j * d + r] - q->y[l * d + r]) * Si[r * d + c] * (q->y[j * d + c] - q->y[l * d + c]);
    *out = exp(0.5 * d * log(q->s2) - 0.5 * logdet - 0.5 * quad);
    return 1;
}

/* The Gaussian mixture: means (scaled), covariances, and for the Gaussian kernel the per-
 * component (sigma^2 I + C_j)^-1 and sigma^d det(sigma^2 I + C_j)^-1/2. */
static int make_gmm(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    q->gmm = 1;
    if (!o->target_means[0]) return gd_model_fail(m, GD_EUSAGE, "model.target = gmm needs model.target_means");
    int d = q->d, rc = point_set(m, o->target_means, "model.target_means", &d, &q->y, &q->M);
    if (rc != GD_OK) return rc;
    if (q->d >= 0 && d != q->d) return gd_model_fail(m, GD_EUSAGE, "model.target_means has points of dimension %d, model.particles %d", d, q->d);
    if (d > 64) return gd_model_fail(m, GD_EUSAGE, "model.target = gmm: d = %d, at most 64", d);
    q->d = d;
    for (long i = 0; i < (long)q->M * d; i++) q->y[i] *= o->data_scale;
    if ((rc = make_covs(m)) != GD_OK || (rc = parse_weights(m, o->target_weights, "model.target_weights")) != GD_OK) return rc;
    q->ainv = malloc(sizeof(double) * (size_t)q->M * d * d), q->gcoef = malloc(sizeof(double) * (size_t)q->M);
    double *S = malloc(sizeof(double) * (3 * (size_t)d * d + d)), logdet;
    if (!q->ainv || !q->gcoef || !S) rc = gd_model_fail(m, GD_ENOMEM, "out of memory");
    for (int j = 0; rc == GD_OK && j < q->M; j++) {
        for (int r = 0; r < d * d; r++) S[r] = q->cov[(size_t)j * d * d + r] + (r % (d + 1) == 0 ? q->s2 : 0);
        if (!spd_inverse(d, S, q->ainv + (size_t)j * d * d, &logdet, S + d * d)) rc = gd_model_fail(m, GD_EUSAGE, "model.target_covs: entry %d is singular", j + 1);
        else q->gcoef[j] = exp(0.5 * d * log(q->s2) - 0.5 * logdet);
    }
    free(S);
    return rc;
}

static int make_points(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    int d = q->d, rc = point_set(m, o->data, "model.data", &d, &q->y, &q->M);
    if (rc != GD_OK) return rc;
    if (q->d >= 0 && d != q->d) return gd_model_fail(m, GD_EUSAGE, "model.data has points of dimension %d, model.particles %d", d, q->d);
    q->d = d;
    for (long i = 0; i < (long)q->M * d; i++) q->y[i] *= o->data_scale;
    return parse_weights(m, o->weights, "model.weights");
}

/* The data's normalised weights, mean and, for the radial MMD kernels, sum_jl w_j w_l E k(y_j, y_l). */
static int finish_data(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    int d = q->d;
    if (!(q->mean0 = calloc((size_t)d, sizeof(double)))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    const char *key = q->gmm ? "model.target_weights" : "model.weights";
    double sum = 0;
    for (int j = 0; j < q->M; j++) {
        if (!(q->w[j] >= 0)) return gd_model_fail(m, GD_EUSAGE, "%s: entry %d is negative", key, j + 1);
        sum += q->w[j];
    }
    if (!(sum > 0)) return gd_model_fail(m, GD_EUSAGE, "%s sum to 0", key);
    for (int j = 0; j < q->M; j++) {
        q->w[j] /= sum;
        for (int c = 0; c < d; c++) q->mean0[c] += q->w[j] * q->y[j * d + c];
    }
    if (o->critic != CRITIC_MMD || o->kernel == KERNEL_LINEAR) return GD_OK;
    double *work = q->gmm ? malloc(sizeof(double) * (3 * (size_t)d * d + d)) : NULL, e;
    if (q->gmm && !work) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    for (int j = 0; j < q->M; j++)
        for (int l = 0; l < q->M; l++) {
            if (q->gmm && !gmm_pair(q, j, l, work, &e)) e = NAN; /* cannot happen: sigma^2 I + C_j + C_l is positive definite */
            q->jyy += q->w[j] * q->w[l] * (q->gmm ? e : kern(q, q->y + j * d, q->y + l * d));
        }
    free(work);
    return GD_OK;
}

/* The kernel's parameters, and which combinations have a closed form or an implementation. */
static int check_kernel(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    q->kernel = o->kernel, q->s2 = o->sigma * o->sigma, q->kappa = o->matern_kappa;
    if (o->kernel != KERNEL_GAUSS && o->critic != CRITIC_MMD)
        return gd_model_fail(m, GD_EUSAGE, "model.kernel = %s is the mmd critic's (critic = %s)", kernels[o->kernel], critics[o->critic]);
    if (o->target == TARGET_GMM && !(o->critic == CRITIC_HUBER || (o->critic == CRITIC_MMD && o->kernel != KERNEL_MATERN)))
        return gd_model_fail(m, GD_EUSAGE, "model.target = gmm needs a closed form: critic = mmd with kernel gauss or linear, or critic = huber");
    if (o->kernel == KERNEL_LINEAR && o->field == FIELD_MESH) return gd_model_fail(m, GD_EUSAGE, "model.kernel = linear is a closed form: use field = direct");
    return GD_OK;
}

/* Matern needs the dimension: nu = matern_s - d/2 must be 3/2, 5/2 or 7/2 (closed forms). */
static int check_matern(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = m->priv;
    if (o->kernel != KERNEL_MATERN) return GD_OK;
    double nu = o->matern_s - 0.5 * q->d;
    q->order = (int)lround(nu - 0.5);
    if (fabs(nu - (q->order + 0.5)) > 1e-12 || q->order < 1 || q->order > 3)
        return gd_model_fail(m, GD_EUSAGE, "model.kernel = matern: nu = matern_s - d/2 = %g must be 1.5, 2.5 or 3.5 (matern_s = %g, %g or %g in d = %d)", nu,
                             1.5 + 0.5 * q->d, 2.5 + 0.5 * q->d, 3.5 + 0.5 * q->d, q->d);
    return GD_OK;
}

/* The affine generator's start W = [I 0] (d x k), b = 0. */
static int affine_setup(gd_model *m)
{
    particles_priv *q = m->priv;
    int d = q->d, k = q->k;
    if (!(q->x0 = calloc((size_t)d * (k + 1), sizeof(double)))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    for (int c = 0; c < d && c < k; c++) q->x0[c * k + c] = 1;
    return GD_OK;
}

static int equal_weights(const particles_priv *q)
{
    int uniform = q->M == q->N;
    for (int j = 0; j < q->M; j++) uniform &= fabs(q->w[j] * q->M - 1) < 1e-12;
    return uniform;
}

/* The optimal assignment (N = M equal-weight points), whose buffers each workspace holds. */
static int allow_assignment(gd_model *m)
{
    particles_priv *q = m->priv;
    if (q->N > 2000) return gd_model_fail(m, GD_EUSAGE, "model.critic = w1: the O(N^3) assignment refuses N = %d > 2000", q->N);
    q->assignable = 1;
    return GD_OK;
}

static int w1_setup(gd_model *m)
{
    particles_priv *q = m->priv;
    if (q->M == 1) return GD_OK;
    if (!equal_weights(q))
        return gd_model_fail(m, GD_EUSAGE, "model.critic = w1 needs one data point or as many equal-weight data points as particles (%d particles, %d data)", q->N, q->M);
    return allow_assignment(m);
}

static int particles_setup(gd_model *m)
{
    const particles_opts *o = m->opts;
    particles_priv *q = calloc(1, sizeof *q);
    if (!q) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = q;
    int rc = check_kernel(m);
    if (rc == GD_OK) rc = make_generator(m);
    if (rc == GD_OK) rc = o->target == TARGET_GMM ? make_gmm(m) : make_points(m); /* the affine generator's d comes from here */
    if (rc == GD_OK) rc = check_matern(m);
    if (rc == GD_OK) rc = finish_data(m);
    if (rc != GD_OK) return rc;
    if (mean_critic(o) && q->d > 64) return gd_model_fail(m, GD_EUSAGE, "model.critic = %s: d = %d, at most 64", critics[o->critic], q->d);
    if ((long)q->N * q->d > 1 << 24) return gd_model_fail(m, GD_EUSAGE, "%d particles in %d dimensions: at most 2^24 coordinates", q->N, q->d);
    m->dim = m->ngen = q->affine ? q->d * (q->k + 1) : q->N * q->d;
    if (q->affine) rc = affine_setup(m);
    if (rc == GD_OK && o->critic == CRITIC_W1) rc = w1_setup(m);
    if (rc == GD_OK && o->field == FIELD_MESH && o->critic != CRITIC_MMD && o->critic != CRITIC_SMOOTHED)
        return gd_model_fail(m, GD_EUSAGE, "model.field = mesh is for critic = mmd (smoothed is always on the mesh)");
    if (rc == GD_OK && (o->field == FIELD_MESH || o->critic == CRITIC_SMOOTHED)) rc = mesh_setup(m); /* with the MMD kernel's transforms */
    if (rc == GD_OK && o->critic == CRITIC_SMOOTHED) rc = smoothed_setup(m);
    if (rc == GD_OK && o->critic == CRITIC_SMOOTHED && q->M > 1 && equal_weights(q) && q->N <= 2000) rc = allow_assignment(m); /* its equilibrium */
    return rc;
}

/* /data/{points, weights} (a mixture's means; /data/covs), /data/z_nodes for the affine
 * generator, and the model's attributes, so plots need only the file. */
static int particles_write(const gd_model *m, gd_h5 *f)
{
    const particles_opts *o = m->opts;
    const particles_priv *q = m->priv;
    hsize_t dy[2] = {(hsize_t)q->M, (hsize_t)q->d}, dw = (hsize_t)q->M, dc[3] = {(hsize_t)q->M, (hsize_t)q->d, (hsize_t)q->d},
            dz[2] = {(hsize_t)q->N, (hsize_t)q->k};
    int rc = gd_h5_write(f, "/data/points", 2, dy, q->y);
    if (rc == GD_OK) rc = gd_h5_write(f, "/data/weights", 1, &dw, q->w);
    if (rc == GD_OK && q->gmm) rc = gd_h5_write(f, "/data/covs", 3, dc, q->cov);
    if (rc == GD_OK && q->affine) rc = gd_h5_write(f, "/data/z_nodes", 2, dz, q->z);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "critic", critics[o->critic]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "kernel", kernels[o->kernel]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "target", targets[o->target]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "generator", generators[o->generator]);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/model", "particles", q->N);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/model", "d", q->d);
    if (rc == GD_OK && q->affine) rc = gd_h5_attr_long(f, "/model", "latent", q->k);
    return rc;
}

const gd_model_type gd_model_particles = {
    .name = "particles",
    .summary = "particle flow of an optimal critic: x_i' = -grad Phi(x_i), MMD / Huber-smoothed W1 / W1 / smoothed W1, or an affine generator (Chu et al. 2020)",
    .params = particles_params,
    .opts_size = sizeof(particles_opts),
    .setup = particles_setup,
    .cleanup = particles_cleanup,
    .ws_init = particles_ws_init,
    .ws_free = particles_ws_free,
    .field = particles_field,
    .jacobian = particles_jacobian,
    .jvp = particles_jvp,
    .equilibrium = particles_equilibrium,
    .default_start = particles_default_start,
    .metric_name = "J",
    .metric = particles_metric,
    .write = particles_write,
};
