/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The particles model against docs/models/particles.md V1-V10: V1 MMD between Diracs, V2 the
 * critic's gradient, V3 its Lipschitz constant, V4 the smoothness constant (curvature by power
 * iteration), V5 the gradient-descent step-size transition and its 2-cycles, V6 WGAN chatter, V7
 * the Huber critic, V8 the pitchfork, V9 convexity along mixtures, V10 the mesh against the
 * direct sum; plus the analytic Jacobians against differences and bad input.
 */
#include "check.h"
#include "gandyn/particles.h"

#include <stdlib.h>
#include <string.h>

static gd_model *particles(const char *const *kv) { return make_model("particles", kv); }

/* n iterations of simgd with step h from x (in place); the last two iterates in x, prev. */
static void descend(gd_model *m, const char *h, long n, double *x, double *prev)
{
    gd_stepper *s = make_stepper("simgd", m, (const char *const[]){"h", h, NULL});
    double t = 0;
    int dim = gd_model_dim(m);
    CHECK_OK(gd_stepper_reset(s, x));
    for (long k = 0; k < n; k++) {
        if (prev && k == n - 1) memcpy(prev, x, sizeof(double) * (size_t)dim);
        CHECK_OK(gd_stepper_step(s, x, &t));
    }
    gd_stepper_free(&s);
}

static void mmd_diracs(void)
{
    CHECK_NEAR(gd_particles_mmd2(2, 1, (const double[]){1, 0}, NULL, 1, (const double[]){0, 0}, NULL, 1), 0.7869386806, 1e-10);
    CHECK_REL(gd_particles_mmd2(2, 1, (const double[]){1, 1}, NULL, 1, (const double[]){0, 0}, NULL, 0.5), 1.9633687222, 1e-10);
    gd_model *m = particles((const char *const[]){"particles", "1,0", "data", "0,0", NULL});
    double x[2] = {1, 0}, v[2], J;
    CHECK_OK(gd_model_field(m, x, v)); /* V2: -grad Phi(x) = -(x - y) k / sigma^2 */
    CHECK_NEAR(v[0], -0.6065306597, 1e-10);
    CHECK_NEAR(v[1], 0, 1e-15);
    CHECK_OK(gd_particles_objective(m, x, &J));
    CHECK_NEAR(J, 0.5 * 0.7869386806, 1e-10);
    for (int c = 0; c < 2; c++) { /* dJ/dx_i = grad Phi(x_i) / N, N = 1 */
        double e = 1e-5, xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]}, Jp, Jm;
        xp[c] += e, xm[c] -= e;
        gd_particles_objective(m, xp, &Jp), gd_particles_objective(m, xm, &Jm);
        CHECK_NEAR((Jp - Jm) / (2 * e), -v[c], 1e-8);
    }
    gd_model_free(&m);
}

/* V3: far apart, sup |grad Phi| = e^{-1/2}/sigma, at distance sigma from either point. */
static void lipschitz(void)
{
    gd_model *m = particles((const char *const[]){"particles", "10,0", "data", "0,0", NULL});
    double x[2] = {10, 0}, best = 0, at = 0;
    for (int i = 0; i <= 60000; i++) {
        double z[2] = {-3 + 1e-4 * i, 0.0}, g[2];
        CHECK_OK(gd_particles_critic_gradient(m, x, z, g));
        double n = hypot(g[0], g[1]);
        if (n > best) best = n, at = z[0];
    }
    CHECK_NEAR(best, 0.6065306597, 1e-8);
    CHECK_NEAR(fabs(at), 1, 1e-4);
    gd_model_free(&m);
}

/* V4: Hess J(delta_x) at r = sqrt(3) sigma: radial -2 e^{-3/2}/sigma^2, transverse e^{-3/2}/sigma^2;
 * at x = y both 1/sigma^2, so L = 1/sigma^2 and the GD step limit 2 sigma^2. Power iteration
 * on J.v finds the ends; the analytic Jacobian agrees with differences. */
static void smoothness(void)
{
    const char *sig[2] = {"1", "0.5"};
    for (int c = 0; c < 2; c++) {
        double s = atof(sig[c]), s2 = s * s, r = sqrt(3.0) * s, top, bottom;
        gd_model *m = particles((const char *const[]){"particles", "0,0", "data", "0,0", "sigma", sig[c], NULL});
        double x[2] = {r, 0}, J[4], Jfd[4];
        CHECK_OK(gd_gradient_curvature(m, x, 500, 1e-14, &top, &bottom));
        CHECK_REL(bottom, -0.4462603203 / s2, 1e-8);
        CHECK_REL(top, exp(-1.5) / s2, 1e-8);
        CHECK_OK(gd_model_jacobian(m, x, J));
        CHECK_OK(gd_model_jacobian_fd(m, x, Jfd));
        for (int i = 0; i < 4; i++) CHECK_NEAR(J[i], Jfd[i], 1e-7 / s2);
        x[0] = 0;
        CHECK_OK(gd_gradient_curvature(m, x, 500, 1e-14, &top, &bottom));
        CHECK_REL(top, 1 / s2, 1e-10);
        CHECK_REL(bottom, 1 / s2, 1e-10);
        gd_model_free(&m);
    }
    /* a cloud: the analytic Jacobian of the mutual repulsion and the data pull */
    gd_model *m = particles((const char *const[]){"particles", "0.3,0.1;-0.4,0.5;1.2,-0.7", "data", "0,0;1,1;-1,0.5;0.2,-1", "weights", "1,2,3,4",
                                                 "sigma", "0.8", NULL});
    double x[6] = {0.3, 0.1, -0.4, 0.5, 1.2, -0.7}, J[36], Jfd[36], worst = 0;
    CHECK_OK(gd_model_jacobian(m, x, J));
    CHECK_OK(gd_model_jacobian_fd(m, x, Jfd));
    for (int i = 0; i < 36; i++) worst = fmax(worst, fabs(J[i] - Jfd[i]));
    CHECK_NEAR(worst, 0, 1e-8);
    double v[6] = {1, -0.5, 0.25, 2, -1, 0.5}, jv[6]; /* the matrix-free product is the same matrix */
    CHECK_OK(gd_model_jvp(m, x, v, jv));
    for (int i = 0; i < 6; i++) {
        double ref = 0;
        for (int l = 0; l < 6; l++) ref += J[i * 6 + l] * v[l];
        CHECK_NEAR(jv[i], ref, 1e-14);
    }
    gd_model_free(&m);
}

/* Every registered integrator advances a particle cloud (gradient descent is simgd). */
static void every_integrator(void)
{
    gd_model *m = particles((const char *const[]){"n_random", "6", "particles", "0,0", "data", "0,0;1,1;-1,1", NULL});
    double x0[12], x[12], J0, J1;
    CHECK_OK(gd_model_default_start(m, x0));
    CHECK_OK(gd_particles_objective(m, x0, &J0));
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        gd_stepper *s = make_stepper(gd_integrator_type_name(*it), m, (const char *const[]){"h", "0.1", "t_end", "5", "steps", "20", NULL});
        double t = 0;
        memcpy(x, x0, sizeof x);
        CHECK_OK(gd_stepper_reset(s, x));
        for (int k = 0; k < 20; k++) CHECK_OK(gd_stepper_step(s, x, &t));
        CHECK_OK(gd_particles_objective(m, x, &J1));
        CHECK(J1 < J0); /* descent */
        gd_stepper_free(&s);
    }
    gd_model_free(&m);
}

/* V5: J(x) = 1 - e^{-x^2/2}, x0 = 0.5: contraction below gamma = 2, critical slowing at 2,
 * symmetric 2-cycles +-sqrt(2 ln(gamma/2)) up to 2 sqrt(e), then an asymmetric cycle. */
static void step_transition(void)
{
    gd_model *m = particles((const char *const[]){"particles", "0.5", "data", "0", NULL});
    double x, prev;
    x = 0.5, descend(m, "1.5", 200, &x, NULL);
    CHECK_NEAR(x, 0, 1e-12);
    x = 0.5, descend(m, "2", 200000, &x, NULL);
    CHECK_REL(fabs(x), 1.5811e-3, 2e-4);
    const char *g[3] = {"2.5", "3", "3.2"};
    const double amp[3] = {0.6680472308, 0.9005166385, 0.9695397148};
    for (int c = 0; c < 3; c++) {
        x = 0.5, descend(m, g[c], 200000, &x, &prev);
        CHECK_NEAR(fabs(x), amp[c], 1e-9);
        CHECK_NEAR(x + prev, 0, 2e-9); /* symmetric: x, -x, x, ... */
    }
    x = 0.5, descend(m, "3.5", 200000, &x, &prev);
    CHECK_NEAR(fmax(x, prev), 1.23397, 1e-5);
    CHECK_NEAR(fmin(x, prev), -0.78313, 1e-5);
    gd_model_free(&m);
}

/* V6: W1 of two Diracs, gamma = 1, x0 = 0.3: -0.7, 0.3, -0.7, ... with |grad J| = 1 throughout. */
static void wgan_chatter(void)
{
    gd_model *m = particles((const char *const[]){"critic", "w1", "particles", "0.3", "data", "0", NULL});
    gd_stepper *s = make_stepper("simgd", m, (const char *const[]){"h", "1", NULL});
    double x = 0.3, t = 0, v;
    CHECK_OK(gd_stepper_reset(s, &x));
    for (int k = 1; k <= 1000; k++) {
        CHECK_OK(gd_model_field(m, &x, &v));
        CHECK_NEAR(fabs(v), 1, 0);
        CHECK_OK(gd_stepper_step(s, &x, &t));
        CHECK_NEAR(x, k % 2 ? -0.7 : 0.3, 1e-12);
    }
    gd_stepper_free(&s);
    gd_model_free(&m);
    /* N = M points: each particle is sent along its optimal assignment */
    m = particles((const char *const[]){"critic", "w1", "particles", "0,0;3,0;0,3", "data", "3.5,0;0,3.5;0.5,0.5", NULL});
    double y[6] = {0, 0, 3, 0, 0, 3}, f[6], W;
    CHECK_OK(gd_model_field(m, y, f));
    CHECK_NEAR(f[0], M_SQRT1_2, 1e-15); /* (0,0) -> (0.5,0.5), (3,0) -> (3.5,0), (0,3) -> (0,3.5) */
    CHECK_NEAR(f[2], 1, 1e-15);
    CHECK_NEAR(f[5], 1, 1e-15);
    CHECK_OK(gd_particles_objective(m, y, &W));
    CHECK_NEAR(W, (M_SQRT1_2 + 1) / 3, 1e-15);
    gd_model_free(&m);
}

/* V7: Huber_1 of |x| in R^2 and its gradient descent in 1-D. */
static void huber(void)
{
    gd_model *m = particles((const char *const[]){"critic", "huber", "particles", "0,0", "data", "0,0", NULL});
    const double pts[3][2] = {{0.3, 0.4}, {0.6, 0.8}, {3, 4}}, want[3] = {0.125, 0.5, 4.5};
    for (int c = 0; c < 3; c++) {
        double J, v[2], n = hypot(pts[c][0], pts[c][1]);
        CHECK_OK(gd_particles_objective(m, pts[c], &J));
        CHECK_NEAR(J, want[c], 1e-15);
        CHECK_OK(gd_model_field(m, pts[c], v));
        CHECK_NEAR(v[0], -pts[c][0] / fmax(1, n), 1e-15);
        CHECK_NEAR(v[1], -pts[c][1] / fmax(1, n), 1e-15);
    }
    gd_model_free(&m);
    m = particles((const char *const[]){"critic", "huber", "particles", "10", "data", "0", NULL});
    const double path[9] = {8.5, 7, 5.5, 4, 2.5, 1, -0.5, 0.25, -0.125};
    gd_stepper *s = make_stepper("simgd", m, (const char *const[]){"h", "1.5", NULL});
    double x = 10, t = 0;
    CHECK_OK(gd_stepper_reset(s, &x));
    for (int k = 0; k < 9; k++) {
        CHECK_OK(gd_stepper_step(s, &x, &t));
        CHECK_NEAR(x, path[k], 1e-12);
    }
    gd_stepper_free(&s);
    double prev;
    x = 0.1, descend(m, "2", 1001, &x, &prev);
    CHECK_NEAR(x, -0.1, 1e-12);
    CHECK_NEAR(prev, 0.1, 1e-12);
    x = 0.1, descend(m, "3", 100, &x, &prev);
    CHECK_NEAR(fmin(x, prev), -1.4, 1e-12);
    CHECK_NEAR(fmax(x, prev), 1.6, 1e-12);
    gd_model_free(&m);
}

/* V8: one particle, data (delta_a + delta_{-a})/2: J''(0) = e^{-a^2/2}(1 - a^2); beyond a = 1
 * the middle is a maximum and descent selects a mode, the root x* of the stationarity
 * condition, reached through data_scale (the sweep's handle on the separation). */
static void pitchfork(void)
{
    const char *a[4] = {"0.5", "1", "1.5", "2"};
    const double curv[4] = {0.6618726769, 0, -0.4058155842, -0.4060058497};
    for (int c = 0; c < 4; c++) {
        gd_model *m = particles((const char *const[]){"particles", "0.1", "data", "1;-1", "data_scale", a[c], NULL});
        double x = 0, J;
        CHECK_OK(gd_model_jacobian(m, &x, &J));
        CHECK_NEAR(-J, curv[c], 1e-10);
        x = 0.1, descend(m, "0.5", 20000, &x, NULL);
        double av = atof(a[c]), res = (x - av) * exp(-0.5 * (x - av) * (x - av)) + (x + av) * exp(-0.5 * (x + av) * (x + av));
        if (c == 0) CHECK_NEAR(x, 0, 1e-12); /* mode averaging */
        if (c >= 2) {
            CHECK(x > 0.5 * av); /* mode selection */
            CHECK_NEAR(res, 0, 1e-12);
        }
        gd_model_free(&m);
    }
}

/* V9: J(t) = MMD^2((1-t) mu + t nu, mu0)/2 is convex along mixtures: J(0) - 2 J(1/2) + J(1) =
 * MMD^2(mu, nu)/4 exactly. */
static void mixtures(void)
{
    const double mu[6] = {0.1, 0.2, -0.5, 0.9, 1.3, -0.4}, nu[4] = {2, 1, -1, -1.5}, y[4] = {0, 0, 0.5, -0.5};
    double both[10], w[5], J[3];
    memcpy(both, mu, sizeof mu), memcpy(both + 6, nu, sizeof nu);
    for (int k = 0; k < 3; k++) {
        double t = 0.5 * k;
        for (int i = 0; i < 3; i++) w[i] = (1 - t) / 3;
        for (int i = 3; i < 5; i++) w[i] = t / 2;
        J[k] = 0.5 * gd_particles_mmd2(2, 5, both, w, 2, y, NULL, 0.7);
    }
    CHECK_NEAR(J[0] - 2 * J[1] + J[2], 0.25 * gd_particles_mmd2(2, 3, mu, NULL, 2, nu, NULL, 0.7), 1e-12);
}

/* V10: the FFTW mesh field against the direct sum on a box of 16 sigma: relative L2 error
 * below 1e-2 at h = sigma/8 and falling about 4x per halving of h (CIC is second order). */
static void mesh(void)
{
    const char *cells[3] = {"128", "256", "512"};
    double err[3];
    for (int c = 0; c < 3; c++) {
        const char *kv[] = {"n_random", "40", "spread", "1.5", "seed", "7", "particles", "0,0", "data", "0,0;1.5,1;-2,0.5;0.5,-1.8;-1,-1", "weights",
                            "1,1,2,1,1", "box", "16", "mesh_n", cells[c], "field", "mesh", NULL};
        gd_model *mm = particles(kv);
        kv[16] = NULL; /* the same configuration with direct sums */
        gd_model *md = particles(kv);
        int n = gd_model_dim(md);
        double *x = malloc(sizeof(double) * 3 * (size_t)n), *vm = x + n, *vd = x + 2 * n, num = 0, den = 0;
        CHECK_OK(gd_model_default_start(md, x));
        CHECK_OK(gd_model_field(mm, x, vm));
        CHECK_OK(gd_model_field(md, x, vd));
        for (int i = 0; i < n; i++) num += (vm[i] - vd[i]) * (vm[i] - vd[i]), den += vd[i] * vd[i];
        err[c] = sqrt(num / den);
        printf("mesh %s^2 (h = sigma/%g): relative L2 error %.3e\n", cells[c], atof(cells[c]) / 16, err[c]);
        free(x);
        gd_model_free(&mm);
        gd_model_free(&md);
    }
    CHECK(err[0] < 1e-2);
    for (int c = 1; c < 3; c++) CHECK(err[c - 1] / err[c] > 3 && err[c - 1] / err[c] < 5);
}

/* The smoothed critic (docs/models/particles.md) with the Matern kernel s = 2, kappa = 2,
 * normalised k(r) = (1 + kappa |r|) e^{-kappa |r|}: with a slack Lipschitz bound the critic is
 * (1/lambda) k * (mu - mu0), so one particle at 1 over data at 0 moves with -(kappa^2/lambda)
 * e^{-kappa}; with a binding bound (lambda = 0.01, lip = 1) the critic's slope at a particle 3 away
 * tends to lip as the mesh refines (first order: the kink is resolved by the cells), never above
 * it; and gradient descent, which chatters under W1, converges below the step limit. */
static void smoothed(void)
{
    const char *base[] = {"critic", "smoothed", "data", "0", "matern_s", "2", "matern_kappa", "2", "box", "16", "particles", "1", "lambda", "10",
                          "lip", "100", "mesh_n", "1024", NULL};
    gd_model *m = particles(base);
    double x = 1, v, g;
    CHECK_OK(gd_model_field(m, &x, &v));
    CHECK_REL(v, -0.4 * exp(-2.0), 1e-5);
    gd_model_free(&m);
    const char *cells[3] = {"256", "512", "1024"};
    double gap[3];
    for (int c = 0; c < 3; c++) {
        const char *kv[] = {"critic", "smoothed", "data", "0", "matern_s", "2", "matern_kappa", "2", "box", "16", "particles", "3", "lambda", "0.01",
                            "lip", "1", "mesh_n", cells[c], NULL};
        m = particles(kv);
        x = 3;
        CHECK_OK(gd_model_field(m, &x, &v));
        gap[c] = 1 + v;
        double worst = 0;
        for (int i = 0; i <= 400; i++) {
            double z = -7 + 0.035 * i;
            CHECK_OK(gd_particles_critic_gradient(m, &x, &z, &g));
            worst = fmax(worst, fabs(g));
        }
        printf("smoothed critic, %s cells: slope at the particle %.6f (lip 1), max |grad phi| %.9f\n", cells[c], -v, worst);
        CHECK(worst <= 1 + 1e-6);
        gd_model_free(&m);
    }
    CHECK(gap[0] > gap[1] && gap[1] > gap[2] && gap[2] < 0.06);
    CHECK(gap[0] / gap[1] > 1.6 && gap[1] / gap[2] > 1.6);
    const char *kv[] = {"critic", "smoothed", "data", "0", "matern_s", "2", "matern_kappa", "2", "box", "16", "particles", "1", "lambda", "0.1",
                        "lip", "1", "mesh_n", "256", NULL};
    m = particles(kv);
    double prev;
    x = 1, descend(m, "0.02", 400, &x, &prev);
    CHECK_NEAR(x, 0, 1e-6); /* settles, where W1 chatters for ever (V6) */
    gd_model_free(&m);
}

/* ---- the smoothed critic against an independent solve ------------------------------- */
/* The same discrete problem written here from its definition, with nothing of the model's
 * solver: on R x C cells of side h (1-D: R = 1), the Gram matrix of the normalised Matern
 * kernel K[g][g'] = sum_w k^(w) cos(w . (x_g - x_g')) / sum_w k^(w) by a naive DFT, and the dual
 *     min_y lip sum_g |y_g| + |rho + div y|_K^2 / (2 lambda),   phi = K (rho + div y) / lambda,
 * by FISTA with gradient restart on dense matrices (no FFTW, no ADMM). Particles and data sit
 * on grid nodes, so the deposit is a mass on one cell and the field the central difference
 * there. Its own duality gap, with phi scaled into the constraint, certifies it. */
typedef struct {
    int R, C, G;
    double h, *K, *rho, *phi, gap, J, slope_bound;
} ref_critic;

static int ref_index(const ref_critic *r, int i, int j) { return ((i % r->R + r->R) % r->R) * r->C + (j % r->C + r->C) % r->C; }

/* Forward differences of f at cell g: across the rows (0 in 1-D) and along the row. */
static void ref_grad(const ref_critic *r, const double *f, int g, double out[2])
{
    int i = g / r->C, j = g % r->C;
    out[0] = (f[ref_index(r, i + 1, j)] - f[g]) / r->h, out[1] = (f[ref_index(r, i, j + 1)] - f[g]) / r->h;
}

/* w = base + div y, div = -grad^T (base NULL: 0). */
static void ref_div(const ref_critic *r, const double *base, const double *y, double *w)
{
    for (int g = 0; g < r->G; g++) {
        int i = g / r->C, j = g % r->C;
        w[g] = (base ? base[g] : 0) + (y[2 * g] - y[2 * ref_index(r, i - 1, j)] + y[2 * g + 1] - y[2 * ref_index(r, i, j - 1) + 1]) / r->h;
    }
}

static void ref_setup(ref_critic *r, int R, int C, double box, double kappa, double s)
{
    r->R = R, r->C = C, r->G = R * C, r->h = box / C;
    r->K = malloc(sizeof(double) * (size_t)r->G * r->G), r->rho = calloc((size_t)r->G, sizeof(double)), r->phi = calloc((size_t)r->G, sizeof(double));
    double *kk = calloc((size_t)r->G, sizeof(double)), total = 0, slope = 0, w = 2 * M_PI / box;
    for (int k0 = 0; k0 < R; k0++)
        for (int k1 = 0; k1 < C; k1++) {
            double s0 = k0 <= R / 2 ? k0 : k0 - R, s1 = k1 <= C / 2 ? k1 : k1 - C, khat = pow(1 + (s0 * s0 + s1 * s1) * w * w / (kappa * kappa), -s);
            total += khat, slope += khat * pow(sin(s1 * w * r->h) / r->h, 2); /* a central difference's symbol */
            for (int di = 0; di < R; di++)
                for (int dj = 0; dj < C; dj++) kk[di * C + dj] += khat * cos(2 * M_PI * ((double)k0 * di / R + (double)k1 * dj / C));
        }
    for (int g = 0; g < r->G; g++)
        for (int l = 0; l < r->G; l++) r->K[(size_t)g * r->G + l] = kk[ref_index(r, g / C - l / C, g % C - l % C)] / total;
    r->slope_bound = sqrt(slope / total); /* |central difference of e| <= |e|_H slope_bound */
    free(kk);
}

static void ref_free(ref_critic *r) { free(r->K), free(r->rho), free(r->phi); }

/* Mass m on the node nearest to z (the box [lo, lo + C h) per axis). */
static void ref_mass(ref_critic *r, const double *z, const double *lo, int d, double m)
{
    int i = d == 2 ? (int)lround((z[0] - lo[0]) / r->h) : 0, j = (int)lround((z[d - 1] - lo[d - 1]) / r->h);
    r->rho[ref_index(r, i, j)] += m;
}

/* out = grad K grad^T y: lambda times the Hessian of the dual's smooth part. */
static void ref_hessian(const ref_critic *r, const double *y, double *w, double *Kw, double *out)
{
    ref_div(r, NULL, y, w);
    for (int g = 0; g < r->G; g++) {
        Kw[g] = 0;
        for (int l = 0; l < r->G; l++) Kw[g] += r->K[(size_t)g * r->G + l] * w[l];
    }
    for (int g = 0; g < r->G; g++) ref_grad(r, Kw, g, out + 2 * g);
}

/* FISTA on the dual from y = 0 until the certified gap is below 1e-12 (at most 1e5 iterations),
 * step 1 / L with L = lambda_max(grad K grad^T) / lambda by power iteration (and 1 % margin). */
static void ref_solve(ref_critic *r, double lambda, double lip)
{
    int G = r->G;
    double *y = calloc(6 * (size_t)G, sizeof(double)), *z = y + 2 * G, *yn = z + 2 * G, *w = malloc(sizeof(double) * 2 * (size_t)G), t = 1, lmax = 0;
    for (int i = 0; i < 2 * G; i++) z[i] = 1 + 0.5 * sin(1.3 * i);
    for (int k = 0; k < 300; k++) {
        double nz = 0;
        ref_hessian(r, z, w, w + G, yn);
        for (int i = 0; i < 2 * G; i++) nz += yn[i] * yn[i];
        nz = sqrt(nz), lmax = nz;
        for (int i = 0; i < 2 * G; i++) z[i] = yn[i] / nz;
    }
    memset(y, 0, sizeof(double) * 6 * (size_t)G);
    double step = lambda / (1.01 * lmax);
    r->gap = INFINITY;
    for (long it = 0; it < 100000 && r->gap > 1e-12; it++) {
        ref_div(r, r->rho, z, w);
        for (int g = 0; g < G; g++) {
            double s = 0;
            for (int l = 0; l < G; l++) s += r->K[(size_t)g * G + l] * w[l];
            r->phi[g] = s / lambda;
        }
        double gr[2], push = 0;
        if (it % 50 == 0) { /* the gap at the dual point z: D(z) - P(c phi), phi^T K^-1 phi = phi^T w / lambda */
            double top = 0, lin = 0, quad = 0, l1 = 0;
            for (int g = 0; g < G; g++) {
                ref_grad(r, r->phi, g, gr);
                top = fmax(top, hypot(gr[0], gr[1]));
                lin += r->phi[g] * r->rho[g], quad += r->phi[g] * w[g], l1 += hypot(z[2 * g], z[2 * g + 1]);
            }
            double c = fmin(1, lip / top);
            r->J = c * lin - 0.5 * c * c * quad, r->gap = lip * l1 + 0.5 * quad - r->J;
            if (r->gap <= 1e-12) {
                for (int g = 0; g < G; g++) r->phi[g] *= c;
                break;
            }
        }
        for (int g = 0; g < G; g++) { /* y+ = the shrinkage of z + step grad phi by step lip */
            ref_grad(r, r->phi, g, gr);
            double v0 = z[2 * g] + step * gr[0], v1 = z[2 * g + 1] + step * gr[1], nv = hypot(v0, v1), f = nv > step * lip ? 1 - step * lip / nv : 0;
            yn[2 * g] = f * v0, yn[2 * g + 1] = f * v1;
        }
        for (int i = 0; i < 2 * G; i++) push += (z[i] - yn[i]) * (yn[i] - y[i]);
        double tn = push > 0 ? 1 : 0.5 * (1 + sqrt(1 + 4 * t * t)), mom = push > 0 ? 0 : (t - 1) / tn;
        for (int i = 0; i < 2 * G; i++) z[i] = yn[i] + mom * (yn[i] - y[i]), y[i] = yn[i];
        t = tn;
    }
    free(y), free(w);
}

/* "a,b;c,d" from n points of dimension d. */
static void point_list(int d, int n, const double *p, char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; i < n * d; i++) snprintf(out + strlen(out), size - strlen(out), "%.17g%s", p[i], i == n * d - 1 ? "" : (i + 1) % d ? "," : ";");
}

/* The model (pd_tol) against the reference: every field component within the two
 * certificates, J~ within the two gaps. Points on the nodes of the box centred on the data mean. */
static void smoothed_reference(int d, int cells, double box, int N, const double *x, int M, const double *y, double lambda, double pd_tol)
{
    char lam[32], bx[32], mesh[16], tol_s[32], xs[512], ys[512];
    snprintf(lam, sizeof lam, "%.17g", lambda), snprintf(bx, sizeof bx, "%.17g", box), snprintf(mesh, sizeof mesh, "%d", cells);
    snprintf(tol_s, sizeof tol_s, "%.17g", pd_tol);
    point_list(d, N, x, xs, sizeof xs), point_list(d, M, y, ys, sizeof ys);
    gd_model *m = particles((const char *const[]){"critic", "smoothed", "particles", xs, "data", ys, "lambda", lam, "lip", "1", "box", bx, "mesh_n", mesh, "pd_tol",
                                                 tol_s, NULL});
    ref_critic r;
    ref_setup(&r, d == 2 ? cells : 1, cells, box, 1, 3.5);
    double F[64], mean[2] = {0, 0}, lo[2], J;
    for (int j = 0; j < M; j++)
        for (int c = 0; c < d; c++) mean[c] += y[j * d + c] / M;
    for (int c = 0; c < d; c++) lo[c] = mean[c] - box / 2;
    for (int i = 0; i < N; i++) ref_mass(&r, x + i * d, lo, d, 1.0 / N);
    for (int j = 0; j < M; j++) ref_mass(&r, y + j * d, lo, d, -1.0 / M);
    ref_solve(&r, lambda, 1);
    CHECK(r.gap <= 1e-12);
    CHECK_OK(gd_model_field(m, x, F));
    CHECK_OK(gd_particles_objective(m, x, &J));
    /* the model's certificate bounds its gap by (lambda / 2) (pd_tol / slope_bound)^2 */
    double tol = pd_tol + r.slope_bound * sqrt(2 * fmax(r.gap, 0) / lambda), gap_m = 0.5 * lambda * pow(pd_tol / r.slope_bound, 2), worst = 0;
    for (int i = 0; i < N; i++) {
        int ii = d == 2 ? (int)lround((x[i * d] - lo[0]) / r.h) : 0, jj = (int)lround((x[i * d + d - 1] - lo[d - 1]) / r.h);
        double ref[2] = {(r.phi[ref_index(&r, ii + 1, jj)] - r.phi[ref_index(&r, ii - 1, jj)]) / (2 * r.h),
                         (r.phi[ref_index(&r, ii, jj + 1)] - r.phi[ref_index(&r, ii, jj - 1)]) / (2 * r.h)};
        for (int c = 0; c < d; c++) worst = fmax(worst, fabs(F[i * d + c] + ref[d == 2 ? c : 1]));
    }
    printf("smoothed critic %dd, %d cells, pd_tol %g: |F - F_ref| %.2e (allowed %.2e), J %.12f against %.12f (reference gap %.1e)\n", d, cells, pd_tol, worst,
           tol, J, r.J, r.gap);
    CHECK(worst <= tol);
    CHECK_NEAR(J, r.J, gap_m + r.gap);
    ref_free(&r);
    gd_model_free(&m);
}

/* The smoothed critic is a function of the particles alone: the same positions give the same
 * bits after any history (every solve starts cold; the cache only returns the last solution for
 * the very same positions). A solve that cannot certify pd_tol within pd_iters fails the field,
 * naming both keys. */
static void smoothed_pure(void)
{
    const char *kv[] = {"critic", "smoothed", "particles", "-1.5,0.5;1,-1;0.5,2", "data", "0,0;1,1", "lambda", "0.1", "mesh_n", "32", NULL};
    gd_model *a = particles(kv), *b = particles(kv);
    double x[6] = {-1.5, 0.5, 1, -1, 0.5, 2}, x2[6] = {-1.2, 0.4, 0.8, -0.7, 0.6, 1.7}, fa[6], fb[6], Ja, Jb;
    CHECK_OK(gd_model_field(a, x2, fa)); /* a history for a only */
    CHECK_OK(gd_model_field(a, x, fa));
    CHECK_OK(gd_particles_objective(a, x2, &Ja));
    CHECK_OK(gd_particles_objective(a, x, &Ja));
    CHECK_OK(gd_particles_objective(b, x, &Jb));
    CHECK_OK(gd_model_field(b, x, fb));
    CHECK(memcmp(fa, fb, sizeof fa) == 0 && memcmp(&Ja, &Jb, sizeof Ja) == 0);
    gd_model_free(&a), gd_model_free(&b);
    const char *few[] = {"critic", "smoothed", "particles", "-1.5,0.5;1,-1;0.5,2", "data", "0,0;1,1", "lambda", "0.1", "mesh_n", "32", "pd_iters", "10", NULL};
    a = particles(few);
    CHECK(gd_model_field(a, x, fa) == GD_ESOLVER && strstr(gd_model_errmsg(a), "model.pd_tol") && strstr(gd_model_errmsg(a), "model.pd_iters"));
    gd_model_free(&a);
}

static void smoothed_vs_reference(void)
{
    const double x1[3] = {2, -1.5, 0.75}, y1[2] = {-0.5, 0.5}; /* 1-D: box 8 on 64 cells, h = 1/8 */
    const double x2[6] = {-1.5, 0.5, 1, -1, 0.5, 2}, y2[4] = {0, 0, 1, 1}; /* 2-D: box 8 on 16^2, h = 1/2, lo = -3.5 */
    for (int k = 0; k < 2; k++) {
        double tol = k ? 1e-6 : 1e-3;
        smoothed_reference(1, 64, 8, 3, x1, 2, y1, 0.05, tol);
        smoothed_reference(2, 16, 8, 3, x2, 2, y2, 0.1, tol);
    }
}

/* ---- kernel = linear | matern ------------------------------------------------------ */
/* The largest |J - J_fd| entry against the largest |J_fd| (relative). */
static double jacobian_error(gd_model *m, const double *x)
{
    int n = gd_model_dim(m);
    double *J = malloc(sizeof(double) * 2 * (size_t)n * n), *F = J + (size_t)n * n, err = 0, big = 1e-300;
    CHECK_OK(gd_model_jacobian(m, x, J));
    CHECK_OK(gd_model_jacobian_fd(m, x, F));
    for (long i = 0; i < (long)n * n; i++) err = fmax(err, fabs(J[i] - F[i])), big = fmax(big, fabs(F[i]));
    free(J);
    return err / big;
}

/* The field against -N dJ/dx_i by central differences of J (N particles). */
static double field_vs_objective(gd_model *m, const double *x, int N)
{
    int n = gd_model_dim(m);
    double v[64], xp[64], worst = 0;
    CHECK_OK(gd_model_field(m, x, v));
    for (int i = 0; i < n; i++) {
        double e = 1e-5, Jp, Jm;
        memcpy(xp, x, sizeof(double) * (size_t)n);
        xp[i] += e, gd_particles_objective(m, xp, &Jp);
        xp[i] -= 2 * e, gd_particles_objective(m, xp, &Jm);
        worst = fmax(worst, fabs(v[i] + N * (Jp - Jm) / (2 * e)));
    }
    return worst;
}

/* kernel = linear: MMD^2 = |m_mu - m_0|^2 (here from the definition's double sums of x . y),
 * every particle moves with -(m_mu - m_0) and the Jacobian is -I/N in every block. */
static void linear_kernel(void)
{
    const double x[6] = {1, 2, 3, 0, -1, 1}, y[6] = {0, 0, 1, 1, 2, -1}, w[3] = {0.25, 0.5, 0.25};
    gd_model *m = particles((const char *const[]){"kernel", "linear", "particles", "1,2;3,0;-1,1", "data", "0,0;1,1;2,-1", "weights", "1,2,1", NULL});
    double xx = 0, xy = 0, yy = 0, r[2] = {0, 0}, J, v[6], Jm[36];
    for (int i = 0; i < 3; i++)
        for (int l = 0; l < 3; l++) {
            xx += (x[2 * i] * x[2 * l] + x[2 * i + 1] * x[2 * l + 1]) / 9;
            xy += w[l] * (x[2 * i] * y[2 * l] + x[2 * i + 1] * y[2 * l + 1]) / 3;
            yy += w[i] * w[l] * (y[2 * i] * y[2 * l] + y[2 * i + 1] * y[2 * l + 1]);
        }
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 2; c++) r[c] += x[2 * i + c] / 3 - w[i] * y[2 * i + c];
    CHECK_OK(gd_particles_objective(m, x, &J));
    CHECK_NEAR(J, 0.5 * (xx - 2 * xy + yy), 1e-14);
    CHECK_NEAR(J, 0.5 * (r[0] * r[0] + r[1] * r[1]), 1e-14);
    CHECK_OK(gd_model_field(m, x, v));
    for (int i = 0; i < 6; i++) CHECK_NEAR(v[i], -r[i % 2], 1e-15);
    CHECK_OK(gd_model_jacobian(m, x, Jm));
    for (int i = 0; i < 36; i++) CHECK_NEAR(Jm[i], (i / 6) % 2 == (i % 6) % 2 ? -1.0 / 3 : 0, 1e-15);
    gd_model_free(&m);
}

/* kernel = matern, nu = matern_s - d/2: one particle over data at 0 has J = 1 - k(|x|) =
 * 1 - P(t) e^{-t}, t = kappa |x|, for nu = 3/2 (1-D, s = 2), 5/2 (2-D, s = 3.5), 7/2 (1-D, s = 4);
 * a cloud's field against differences of N J and its Jacobian against differences of the field. */
static void matern_kernel(void)
{
    const struct { const char *s, *x; int d; } c[3] = {{"2", "1.3", 1}, {"3.5", "0.9,-0.6", 2}, {"4", "0.7", 1}};
    for (int k = 0; k < 3; k++) {
        gd_model *m = particles((const char *const[]){"kernel", "matern", "matern_s", c[k].s, "matern_kappa", "1.5", "particles", c[k].x, "data", c[k].d == 2 ? "0,0" : "0", NULL});
        double x[2], J, t;
        CHECK_OK(gd_model_default_start(m, x));
        t = 1.5 * sqrt(x[0] * x[0] + (c[k].d == 2 ? x[1] * x[1] : 0));
        double P = k == 0 ? 1 + t : k == 1 ? 1 + t + t * t / 3 : 1 + t + 0.4 * t * t + t * t * t / 15;
        CHECK_OK(gd_particles_objective(m, x, &J));
        CHECK_NEAR(J, 1 - P * exp(-t), 1e-14);
        CHECK_NEAR(field_vs_objective(m, x, 1), 0, 1e-8);
        gd_model_free(&m);
    }
    gd_model *m = particles((const char *const[]){"kernel", "matern", "particles", "1,0.5;-0.5,-1;0.2,0.3", "data", "0,0;-1,1", NULL});
    double x[6] = {1, 0.5, -0.5, -1, 0.2, 0.3};
    CHECK_NEAR(field_vs_objective(m, x, 3), 0, 1e-8);
    CHECK(jacobian_error(m, x) < 1e-7);
    gd_model_free(&m);
    m = gd_model_create(gd_model_type_find("particles")); /* 2-D: s = 3 is nu = 2 */
    CHECK_OK(gd_model_set(m, "kernel", "matern"));
    CHECK_OK(gd_model_set(m, "matern_s", "3"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "must be 1.5, 2.5 or 3.5"));
    CHECK_OK(gd_model_set(m, "matern_s", "3.5"));
    CHECK_OK(gd_model_set(m, "critic", "huber"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "is the mmd critic's"));
    CHECK_OK(gd_model_set(m, "critic", "mmd"));
    CHECK_OK(gd_model_set(m, "kernel", "linear"));
    CHECK_OK(gd_model_set(m, "field", "mesh"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "use field = direct"));
    gd_model_free(&m);
}

/* The slack smoothed critic at lambda = 1 is the MMD critic of the same Matern kernel (its
 * k^ prop. to (1 + |w|^2/kappa^2)^-s is the Matern of order s - d/2) on a grid, and the mesh
 * field of the Matern MMD samples it: both against the direct sums, second order in h (box 24,
 * 128^2 and 256^2 cells). */
static void matern_grids(void)
{
    const char *pts = "1,0.5;-0.5,-1;0.2,0.3", *data = "0,0;-1,1", *cells[2] = {"128", "256"};
    gd_model *md = particles((const char *const[]){"kernel", "matern", "particles", pts, "data", data, NULL});
    double x[6] = {1, 0.5, -0.5, -1, 0.2, 0.3}, vd[6], err[2][2];
    CHECK_OK(gd_model_field(md, x, vd));
    for (int c = 0; c < 2; c++) {
        gd_model *m[2] = {particles((const char *const[]){"critic", "smoothed", "lambda", "1", "lip", "100", "particles", pts, "data", data, "mesh_n", cells[c], "box", "24",
                                                         NULL}),
                          particles((const char *const[]){"kernel", "matern", "field", "mesh", "particles", pts, "data", data, "mesh_n", cells[c], "box", "24", NULL})};
        for (int k = 0; k < 2; k++) {
            double v[6], num = 0, den = 0;
            CHECK_OK(gd_model_field(m[k], x, v));
            for (int i = 0; i < 6; i++) num += (v[i] - vd[i]) * (v[i] - vd[i]), den += vd[i] * vd[i];
            err[k][c] = sqrt(num / den);
            gd_model_free(&m[k]);
        }
        printf("matern kernel, %s^2 cells: smoothed (slack, lambda = 1) %.3e, mmd mesh %.3e from the direct sums (relative L2)\n", cells[c], err[0][c], err[1][c]);
    }
    for (int k = 0; k < 2; k++) CHECK(err[k][1] < 5e-3 && err[k][0] / err[k][1] > 3 && err[k][0] / err[k][1] < 5);
    gd_model_free(&md);
}

/* ---- target = gmm ---------------------------------------------------------------------- */
/* "a,b;c,d" of n points of dimension d into a malloc'd string. */
static char *point_text(int d, int n, const double *p)
{
    char *s = malloc((size_t)n * d * 26 + 1), *e = s;
    for (int i = 0; i < n * d; i++) e += sprintf(e, "%.17g%s", p[i], i == n * d - 1 ? "" : (i + 1) % d ? "," : ";");
    *e = 0;
    return s;
}

/* The mixture target against the same mixture as weighted points: each component N(m, C) on a
 * trapezoid grid of z in [-7, 7]^2 (step 0.35), y = m + L z (L L^T = C), weight w phi(z1) phi(z2);
 * the rule converges exponentially for these smooth integrands, so the closed forms (the
 * field, J with its data-data term) must agree to round-off. */
static void gmm_target(void)
{
    const double mean[4] = {0, 0, 2, 1}, cov[2][4] = {{0.5, 0, 0, 0.5}, {0.6, 0.2, 0.2, 0.3}}, wt[2] = {0.25, 0.75};
    enum { S = 41 };
    double *y = malloc(sizeof(double) * 2 * 2 * S * S), *w = malloc(sizeof(double) * 2 * S * S);
    int n = 0;
    for (int j = 0; j < 2; j++) {
        const double *C = cov[j], l00 = sqrt(C[0]), l10 = C[2] / l00, l11 = sqrt(C[3] - l10 * l10);
        for (int a = 0; a < S; a++)
            for (int b = 0; b < S; b++, n++) {
                double z0 = -7 + 0.35 * a, z1 = -7 + 0.35 * b;
                y[2 * n] = mean[2 * j] + l00 * z0, y[2 * n + 1] = mean[2 * j + 1] + l10 * z0 + l11 * z1;
                w[n] = wt[j] * exp(-0.5 * (z0 * z0 + z1 * z1));
            }
    }
    char *ys = point_text(2, n, y), *ws = point_text(1, n, w);
    const char *pts = "1,2;3,0;-1,0.5";
    gd_model *mg = particles((const char *const[]){"sigma", "0.8", "particles", pts, "target", "gmm", "target_means", "0,0;2,1", "target_covs", "0.5;0.6,0.2,0.2,0.3",
                                                  "target_weights", "1,3", NULL});
    gd_model *mp = particles((const char *const[]){"sigma", "0.8", "particles", pts, "data", ys, "weights", ws, NULL});
    double x[6] = {1, 2, 3, 0, -1, 0.5}, vg[6], vp[6], Jg, Jp;
    CHECK_OK(gd_model_field(mg, x, vg));
    CHECK_OK(gd_model_field(mp, x, vp));
    CHECK_OK(gd_particles_objective(mg, x, &Jg));
    CHECK_OK(gd_particles_objective(mp, x, &Jp));
    for (int i = 0; i < 6; i++) CHECK_NEAR(vg[i], vp[i], 1e-12);
    CHECK_NEAR(Jg, Jp, 1e-12);
    CHECK(jacobian_error(mg, x) < 1e-7);
    gd_model_free(&mg), gd_model_free(&mp);
    /* the mean critics need only the mixture's mean, 0.25 (0, 0) + 0.75 (2, 1) */
    gd_model *mh = particles((const char *const[]){"critic", "huber", "lambda", "100", "particles", pts, "target", "gmm", "target_means", "0,0;2,1", "target_covs",
                                                  "0.5;0.6,0.2,0.2,0.3", "target_weights", "1,3", NULL});
    CHECK_OK(gd_model_field(mh, x, vg));
    CHECK_NEAR(vg[0], -(1.0 - 1.5) / 100, 1e-15);
    CHECK_NEAR(vg[1], -(2.5 / 3 - 0.75) / 100, 1e-15);
    gd_model_free(&mh);
    free(y), free(w), free(ys), free(ws);
}

/* A mixture target with the mesh field: the particles' interaction on the mesh, the
 * mixture's closed-form pull added at each particle; against the direct sums. Bad mixtures. */
static void gmm_mesh_and_errors(void)
{
    const char *kv[] = {"particles", "1,2;3,0;-1,0.5", "target", "gmm", "target_means", "0,0;2,1", "target_covs", "0.5;0.6,0.2,0.2,0.3", "field", "mesh", "mesh_n",
                        "256", NULL};
    gd_model *mm = particles(kv);
    kv[8] = NULL;
    gd_model *md = particles(kv);
    double x[6] = {1, 2, 3, 0, -1, 0.5}, vm[6], vd[6], num = 0, den = 0;
    CHECK_OK(gd_model_field(mm, x, vm));
    CHECK_OK(gd_model_field(md, x, vd));
    for (int i = 0; i < 6; i++) num += (vm[i] - vd[i]) * (vm[i] - vd[i]), den += vd[i] * vd[i];
    CHECK(sqrt(num / den) < 1e-2);
    gd_model_free(&mm), gd_model_free(&md);
    const struct { const char *key, *value, *msg; } bad[] = {
        {"target_covs", "0.5", "1 entries for 2 components"},
        {"target_covs", "0.5;1,2,2,1", "entry 2 is not positive semi-definite"},
        {"target_covs", "0.5;1,2,0,1", "entry 2 is not symmetric"},
        {"target_covs", "0.5;1,2,3", "entry 2 has 3 values"},
        {"critic", "w1", "target = gmm needs a closed form"},
        {"kernel", "matern", "target = gmm needs a closed form"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        gd_model *m = gd_model_create(gd_model_type_find("particles"));
        CHECK_OK(gd_model_set(m, "target", "gmm"));
        CHECK_OK(gd_model_set(m, "target_means", "0,0;2,1"));
        CHECK_OK(gd_model_set(m, "target_covs", "0.5;1,0,0,1"));
        CHECK_OK(gd_model_set(m, bad[b].key, bad[b].value));
        int rc = gd_model_setup(m);
        if (!(rc == GD_EUSAGE && strstr(gd_model_errmsg(m), bad[b].msg))) fprintf(stderr, "%s = %s: %s\n", bad[b].key, bad[b].value, gd_model_errmsg(m));
        CHECK(rc == GD_EUSAGE && strstr(gd_model_errmsg(m), bad[b].msg));
        gd_model_free(&m);
    }
}

/* ---- generator = affine ---------------------------------------------------------------- */
/* x_q = W z_q + b: the field of theta = (W, b) is the chain rule dW = (1/N) sum_q F_q z_q^T,
 * db = (1/N) sum_q F_q of the particles' field F at those points (computed here through a
 * particles model at the same points); J is theirs; the analytic Jacobian (B^T DF B / N)
 * against differences; huber's equilibrium moves b until the means match; descent lowers J. */
/* The parameters' field (W, b) from the points' field F at x_q = W z_q + b, q = 1..4 in 2-D. */
static void chain_rule(const double *F, const double *z, double *want)
{
    memset(want, 0, 6 * sizeof(double));
    for (int q = 0; q < 4; q++)
        for (int c = 0; c < 2; c++) {
            for (int a = 0; a < 2; a++) want[2 * c + a] += F[2 * q + c] * z[2 * q + a] / 4;
            want[4 + c] += F[2 * q + c] / 4;
        }
}

static void affine_generator(void)
{
    const double z[8] = {-1, 0, 0, 1, 1, 0.5, 0.5, -1}, th[6] = {0.8, 0.1, -0.2, 1.1, 0.3, -0.4};
    double pts[8], F[8], Ft[6], want[6], Ja, Jp;
    for (int q = 0; q < 4; q++)
        for (int c = 0; c < 2; c++) pts[2 * q + c] = th[2 * c] * z[2 * q] + th[2 * c + 1] * z[2 * q + 1] + th[4 + c];
    char *ps = point_text(2, 4, pts);
    const char *crit[2] = {"mmd", "huber"};
    for (int k = 0; k < 2; k++) {
        gd_model *ma = particles((const char *const[]){"critic", crit[k], "generator", "affine", "z_nodes", "-1,0;0,1;1,0.5;0.5,-1", "data", "0,0;1,1;2,0", NULL});
        gd_model *mp = particles((const char *const[]){"critic", crit[k], "particles", ps, "data", "0,0;1,1;2,0", NULL});
        CHECK(gd_model_dim(ma) == 6);
        CHECK_OK(gd_model_field(mp, pts, F));
        CHECK_OK(gd_model_field(ma, th, Ft));
        chain_rule(F, z, want);
        for (int i = 0; i < 6; i++) CHECK_NEAR(Ft[i], want[i], 1e-15);
        CHECK_OK(gd_particles_objective(ma, th, &Ja));
        CHECK_OK(gd_particles_objective(mp, pts, &Jp));
        CHECK_NEAR(Ja, Jp, 1e-15);
        CHECK(jacobian_error(ma, th) < 1e-7);
        double eq[6], xs[8], mean[2] = {0, 0};
        CHECK_OK(gd_model_equilibrium(ma, eq));
        CHECK_OK(gd_model_field(ma, eq, Ft));
        for (int i = 0; i < 6; i++) CHECK_NEAR(Ft[i], 0, 1e-9);
        if (k == 1) { /* huber: W as started (the identity), the points' mean on the data's (1, 1/3) */
            for (int q = 0; q < 4; q++)
                for (int c = 0; c < 2; c++) xs[2 * q + c] = eq[2 * c] * z[2 * q] + eq[2 * c + 1] * z[2 * q + 1] + eq[4 + c], mean[c] += xs[2 * q + c] / 4;
            CHECK(eq[0] == 1 && eq[1] == 0 && eq[2] == 0 && eq[3] == 1);
            CHECK_NEAR(mean[0], 1, 1e-15);
            CHECK_NEAR(mean[1], 1.0 / 3, 1e-15);
        }
        double x[6], J0, J1;
        memcpy(x, th, sizeof x);
        CHECK_OK(gd_particles_objective(ma, x, &J0));
        descend(ma, "0.5", 50, x, NULL);
        CHECK_OK(gd_particles_objective(ma, x, &J1));
        CHECK(J1 < J0);
        gd_model_free(&ma), gd_model_free(&mp);
    }
    /* the smoothed critic through the same chain rule: more points (4 x 2 values) than
     * parameters (6), so every particle's field must be the critic's, sign included */
    gd_model *ma = particles((const char *const[]){"critic", "smoothed", "mesh_n", "16", "lambda", "0.1", "generator", "affine", "z_nodes",
                                                   "-1,0;0,1;1,0.5;0.5,-1", "data", "0,0;1,1;2,0", NULL});
    gd_model *mp = particles((const char *const[]){"critic", "smoothed", "mesh_n", "16", "lambda", "0.1", "particles", ps, "data", "0,0;1,1;2,0", NULL});
    CHECK_OK(gd_model_field(mp, pts, F));
    CHECK_OK(gd_model_field(ma, th, Ft));
    chain_rule(F, z, want);
    for (int i = 0; i < 6; i++) CHECK_NEAR(Ft[i], want[i], 1e-12 * (1 + fabs(want[i])));
    gd_model_free(&ma), gd_model_free(&mp);
    free(ps);
    gd_model *m = gd_model_create(gd_model_type_find("particles"));
    CHECK_OK(gd_model_set(m, "generator", "affine"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "model.z_nodes"));
    gd_model_free(&m);
}

static void errors(void)
{
    gd_model *m = gd_model_create(gd_model_type_find("particles"));
    CHECK_OK(gd_model_set(m, "particles", "0,0;1"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "entry 2 has 1 values, expected 2"));
    CHECK_OK(gd_model_set(m, "particles", "0,0;1,1"));
    CHECK_OK(gd_model_set(m, "data", "0"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "model.data"));
    CHECK_OK(gd_model_set(m, "data", "0,0;1,1;2,2"));
    CHECK_OK(gd_model_set(m, "critic", "w1"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "critic = w1 needs"));
    CHECK_OK(gd_model_set(m, "critic", "mmd"));
    CHECK_OK(gd_model_set(m, "weights", "1,-1,1"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "negative"));
    CHECK_OK(gd_model_set(m, "weights", ""));
    CHECK_OK(gd_model_set(m, "field", "mesh"));
    CHECK_OK(gd_model_set(m, "mesh_n", "101"));
    CHECK(gd_model_setup(m) == GD_EUSAGE && strstr(gd_model_errmsg(m), "even"));
    CHECK(gd_model_set(m, "sigma", "-1") == GD_EUSAGE);
    gd_model_free(&m);
}

int main(void)
{
    mmd_diracs();
    lipschitz();
    smoothness();
    step_transition();
    wgan_chatter();
    huber();
    pitchfork();
    mixtures();
    every_integrator();
    smoothed();
    smoothed_vs_reference();
    smoothed_pure();
    linear_kernel();
    matern_kernel();
    matern_grids();
    gmm_target();
    gmm_mesh_and_errors();
    affine_generator();
    mesh();
    errors();
    return check_report("test_particles");
}
