/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Gradient noise ([noise], docs/optimizers.md "Gradient noise"):
 *  - Philox4x32-10 reproduces the published known-answer vectors (validation case 24);
 *  - a noisy trajectory is the rule written here with the draws computed here from the
 *    documented layout (key from the seed, counter (j, stage + 256 start, iteration, cell),
 *    u1, u2 from 53 bits, Box-Muller cos / sin): simgd, extragradient with fresh and reused
 *    draws, altgd's sub-steps, several starts, and the batched many-starts path; so it depends
 *    on those numbers only;
 *  - sigma = 0 gives the bits of a configuration without [noise] for every lane rule, on runs
 *    and on batched and per-cell sweeps;
 *  - noisy sweeps (batched and per cell) are identical for 1 and 2 threads and for cell ranges
 *    run in any order (what MPI ranks do), and differ from the noise-free sweep;
 *  - the configurations that cannot take noise are refused with one line;
 *  - eig's stationary covariance (cases 22, 23: the closed form and Kronecker solves of the
 *    maps written here, for extragradient with fresh and reused draws, altgd and momentum on
 *    (x, b)) and the covariance measured on long runs within 5 c / sqrt(N); rmsprop's
 *    self-consistent second moment (case 13), predicted and measured;
 *  - noisy sweeps: each cell's sigma_pred against the closed form, the RMS classification;
 *    rate's ensemble mean against the predicted rate.
 */
#include "check.h"
#include "philox.h"

#include <hdf5.h>
#include <stdint.h>
#include <string.h>

static gd_sim *sim(const char *const *kv)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv && kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    return s;
}

/* ---------------------------------------------------------------- case 24 ------ */
static void known_answers(void)
{
    static const uint32_t ctr[3][4] = {{0, 0, 0, 0}, {~0u, ~0u, ~0u, ~0u}, {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t key[3][2] = {{0, 0}, {~0u, ~0u}, {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int i = 0; i < 3; i++) {
        uint32_t out[4];
        gd_philox4x32_10(ctr[i], key[i], out);
        for (int k = 0; k < 4; k++) CHECK(out[k] == want[i][k]);
    }
}

/* ---------------------------------------------------------------- layout ------- */
/* The documented draws of coordinates 0 and 1 (one pair) at (seed, stage, start, iteration, cell). */
static void draws(uint64_t seed, unsigned stage, unsigned start, unsigned iteration, unsigned cell, double z[2])
{
    const uint32_t key[2] = {(uint32_t)(seed % 4294967296u), (uint32_t)(seed / 4294967296u)};
    const uint32_t ctr[4] = {0, stage + 256 * start, iteration, cell};
    uint32_t w[4];
    gd_philox4x32_10(ctr, key, w);
    uint64_t a = ((uint64_t)w[0] * 4294967296u + w[1]) / 2048, b = ((uint64_t)w[2] * 4294967296u + w[3]) / 2048;
    double u1 = ((double)a + 0.5) / 9007199254740992.0, u2 = ((double)b + 0.5) / 9007199254740992.0;
    z[0] = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    z[1] = sqrt(-2 * log(u1)) * sin(2 * M_PI * u2);
}

enum { R_SIMGD, R_EG, R_EG_REUSE, R_ALT };
static const double H = 0.1, SIG = 0.7;
static const uint64_t SEED = 12345678901234567ULL; /* > 2^32: both key words matter */

/* v = J x + SIG z for the block (0, 1, 1): J = [[0, -1], [1, -1]]. */
static void noisy_field(const double *x, const double z[2], double *v)
{
    v[0] = -x[1] + SIG * z[0];
    v[1] = x[0] - x[1] + SIG * z[1];
}

/* One base step of rule r at iteration k of start `start`, written from its definition. */
static void reference_step(int r, double *x, unsigned start, unsigned k)
{
    double z[2], v[2], xt[2];
    draws(SEED, 0, start, k, 0, z);
    noisy_field(x, z, v);
    if (r == R_SIMGD) {
        x[0] += H * v[0], x[1] += H * v[1];
    } else if (r == R_ALT) { /* n_g = 2 generator sub-steps (stages 0, 1), then the discriminator (stage 2) */
        x[0] += H * v[0];
        draws(SEED, 1, start, k, 0, z);
        noisy_field(x, z, v);
        x[0] += H * v[0];
        draws(SEED, 2, start, k, 0, z);
        noisy_field(x, z, v);
        x[1] += H * v[1];
    } else {
        xt[0] = x[0] + H * v[0], xt[1] = x[1] + H * v[1];
        draws(SEED, r == R_EG ? 1 : 0, start, k, 0, z);
        noisy_field(xt, z, v);
        x[0] += H * v[0], x[1] += H * v[1];
    }
}

static void layout(void)
{
    static const char *const names[] = {"simgd", "extragradient", "extragradient", "altgd"};
    enum { STEPS = 60 };
    for (int r = 0; r < 4; r++) {
        gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.b", "1", "integrator.h", "0.1", "integrator.steps", "60",
                                              "noise.sigma", "0.7", "noise.seed", "12345678901234567", "noise.reuse", r == R_EG_REUSE ? "true" : "false",
                                              "integrator.n_g", "2", "integrator.name", names[r], "run.x0", "0.3,-0.2;0.3,-0.2;1,0.5", NULL});
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sim_run(s, ""));
        for (unsigned start = 0; start < 3; start++) {
            double x[2] = {start < 2 ? 0.3 : 1, start < 2 ? -0.2 : 0.5};
            for (unsigned k = 0; k < STEPS; k++) reference_step(r, x, start, k);
            const double *got = gd_sim_get_xfinal(s, (int)start);
            CHECK_NEAR(got[0], x[0], 1e-13);
            CHECK_NEAR(got[1], x[1], 1e-13);
        }
        /* the same start twice: different noise (the start is in the counter) */
        CHECK(gd_sim_get_xfinal(s, 0)[0] != gd_sim_get_xfinal(s, 1)[0]);
        /* the batched path (state i is start i) draws the same: the same states to rounding */
        double sx[6] = {0.3, 0.3, 1, -0.2, -0.2, 0.5};
        CHECK_OK(gd_stepper_step_batch(gd_sim_get_stepper(s), 3, sx, NULL, NULL, NULL, STEPS));
        for (int k = 0; k < 3; k++) {
            CHECK_NEAR(sx[k], gd_sim_get_xfinal(s, k)[0], 1e-12);
            CHECK_NEAR(sx[3 + k], gd_sim_get_xfinal(s, k)[1], 1e-12);
        }
        gd_sim_free(&s);
    }
}

/* ---------------------------------------------------------------- sigma = 0 ---- */
static const char *const lane_rules[] = {"simgd",      "altgd", "symplectic_euler", "extragradient", "optimistic", "leapfrog", "heun",
                                         "rk4",        "momentum", "nesterov",     "rmsprop",       "adam",       NULL};

static void final_of(const char *rule, int noise_keys, double *out)
{
    gd_sim *s = sim((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", "integrator.name", rule, "integrator.steps", "300",
                                          "run.x0", "1,1;0.4,-0.7", NULL});
    if (noise_keys) {
        CHECK_OK(gd_sim_set(s, "noise.sigma", "0"));
        CHECK_OK(gd_sim_set(s, "noise.seed", "99"));
    }
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_run(s, ""));
    for (int k = 0; k < 2; k++) memcpy(out + 2 * k, gd_sim_get_xfinal(s, k), 2 * sizeof(double));
    gd_sim_free(&s);
}

typedef struct {
    long n;
    signed char outcome[64];
    double rate[64], rho[64];
} sweep_out;

/* A 8 x 8 sweep over (h, gamma) of the GP Dirac-GAN, batched or per cell, on `threads`
 * threads; ranges: the cells in two halves, the second first (as two ranks would). */
static sweep_out sweep_with(const char *sigma, const char *rule, const char *kernel, int threads, int ranges)
{
    gd_sim *s = sim((const char *const[]){"model.reg", "gp", "integrator.name", rule, "run.x0", "0.05,0.05", "sweep.x", "integrator.h:0.05:0.8:8",
                                          "sweep.y", "model.gamma:0.1:1:8", "sweep.kernel", kernel, "integrator.steps", "400", "noise.sigma", sigma,
                                          "noise.seed", "7", NULL});
    sweep_out o = {0};
    gd_sweep *w = NULL;
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sweep_create(s, &w));
    gd_sweep_set_threads(w, threads);
    long n = gd_sweep_ncells(w), half = (n / 2 / gd_sweep_block_size()) * gd_sweep_block_size();
    if (ranges && half > 0) {
        CHECK_OK(gd_sweep_run_range(w, half, n));
        CHECK_OK(gd_sweep_run_range(w, 0, half));
    } else {
        CHECK_OK(gd_sweep_run(w));
    }
    o.n = n;
    memcpy(o.outcome, gd_sweep_get_outcome(w), (size_t)n);
    memcpy(o.rate, gd_sweep_get_rate(w), sizeof(double) * (size_t)n);
    memcpy(o.rho, gd_sweep_get_rho(w), sizeof(double) * (size_t)n);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    return o;
}

static int same_sweep(const sweep_out *a, const sweep_out *b)
{
    return a->n == b->n && !memcmp(a->outcome, b->outcome, (size_t)a->n) && !memcmp(a->rate, b->rate, sizeof(double) * (size_t)a->n) &&
           !memcmp(a->rho, b->rho, sizeof(double) * (size_t)a->n);
}

static void sigma_zero(void)
{
    for (int r = 0; lane_rules[r]; r++) {
        double a[4], b[4];
        final_of(lane_rules[r], 0, a);
        final_of(lane_rules[r], 1, b);
        int same = !memcmp(a, b, sizeof a);
        if (!same) fprintf(stderr, "%s: noise.sigma = 0 changes the run\n", lane_rules[r]);
        CHECK(same);
    }
    for (int k = 0; k < 2; k++) {
        const char *kernel = k ? "cell" : "auto";
        sweep_out plain = sweep_with("0", "extragradient", kernel, 1, 0);
        gd_sim *s = sim((const char *const[]){"model.reg", "gp", "integrator.name", "extragradient", "run.x0", "0.05,0.05", "sweep.x",
                                              "integrator.h:0.05:0.8:8", "sweep.y", "model.gamma:0.1:1:8", "sweep.kernel", kernel, "integrator.steps",
                                              "400", NULL});
        gd_sweep *w = NULL;
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sweep_create(s, &w));
        CHECK(gd_sweep_is_batched(w) == !k);
        CHECK_OK(gd_sweep_run(w));
        CHECK(!memcmp(plain.rate, gd_sweep_get_rate(w), sizeof(double) * (size_t)plain.n));
        CHECK(!memcmp(plain.outcome, gd_sweep_get_outcome(w), (size_t)plain.n));
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
}

/* ---------------------------------------------------------------- partitions --- */
static void partitions(void)
{
    static const char *const rules[] = {"simgd", "extragradient", "adam"};
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 2; k++) {
            const char *kernel = k ? "cell" : "auto";
            sweep_out one = sweep_with("0.02", rules[r], kernel, 1, 0), two = sweep_with("0.02", rules[r], kernel, 2, 0);
            sweep_out parts = sweep_with("0.02", rules[r], kernel, 2, 1), quiet = sweep_with("0", rules[r], kernel, 1, 0);
            int ok = same_sweep(&one, &two) && same_sweep(&one, &parts);
            if (!ok) fprintf(stderr, "%s (%s): the noisy sweep depends on the partition\n", rules[r], kernel);
            CHECK(ok);
            CHECK(memcmp(one.rate, quiet.rate, sizeof(double) * (size_t)one.n) != 0); /* the noise acts */
        }
}


/* ---------------------------------------------------------------- covariance --- */
/* Sigma = M Sigma M^T + Q solved as (I - M (x) M) vec(Sigma) = vec(Q), n <= 4, by Gaussian
 * elimination with partial pivoting: a method independent of the library's doubling. */
static void lyapunov_kron(int n, const double *M, const double *Q, double *S)
{
    enum { MAXN = 16 };
    int N = n * n;
    double A[MAXN][MAXN + 1];
    for (int r = 0; r < N; r++) {
        int i = r / n, j = r % n;
        for (int c = 0; c < N; c++) {
            int k = c / n, l = c % n;
            A[r][c] = (r == c) - M[i * n + k] * M[j * n + l];
        }
        A[r][N] = Q[r];
    }
    for (int c = 0; c < N; c++) {
        int p = c;
        for (int r = c + 1; r < N; r++)
            if (fabs(A[r][c]) > fabs(A[p][c])) p = r;
        for (int k = 0; k <= N; k++) {
            double t = A[c][k];
            A[c][k] = A[p][k], A[p][k] = t;
        }
        for (int r = 0; r < N; r++) {
            if (r == c) continue;
            double f = A[r][c] / A[c][c];
            for (int k = c; k <= N; k++) A[r][k] -= f * A[c][k];
        }
    }
    for (int r = 0; r < N; r++) S[r] = A[r][N] / A[r][r];
}

/* Q = G G^T for G of n rows and m columns. */
static void outer(int n, int m, const double *G, double *Q)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            Q[i * n + j] = 0;
            for (int c = 0; c < m; c++) Q[i * n + j] += G[i * m + c] * G[j * m + c];
        }
}

static void mul2(const double *A, const double *B, double *C)
{
    C[0] = A[0] * B[0] + A[1] * B[2], C[1] = A[0] * B[1] + A[1] * B[3];
    C[2] = A[2] * B[0] + A[3] * B[2], C[3] = A[2] * B[1] + A[3] * B[3];
}

/* eig's covariance (and SE factors) of the block (0, 1, gamma) under rule/update. */
static int eig_cov(const char *rule, const char *const *extra, double gamma, double *cov, double *se, int *nm)
{
    gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.s", "1", "integrator.name", rule, "noise.sigma", "1", NULL});
    char g[32];
    snprintf(g, sizeof g, "%.17g", gamma);
    CHECK_OK(gd_sim_set(s, "model.b", g));
    for (int i = 0; extra && extra[i]; i += 2) CHECK_OK(gd_sim_set(s, extra[i], extra[i + 1]));
    gd_eig_result e;
    int ok = gd_sim_setup(s) == GD_OK && gd_sim_eig(s, &e) == GD_OK && e.cov;
    CHECK(ok);
    if (ok) {
        *nm = e.map_dim;
        memcpy(cov, e.cov, sizeof(double) * (size_t)(e.map_dim * e.map_dim));
        if (se && e.cov_se) memcpy(se, e.cov_se, 4 * sizeof(double));
        double tr = 0;
        for (int i = 0; i < e.dim; i++) tr += e.cov[i * e.map_dim + i];
        CHECK_NEAR(e.cov_trace, tr, 1e-15);
        gd_eig_result_free(&e);
    } else {
        fprintf(stderr, "eig %s: %s\n", rule, gd_sim_errmsg(s));
    }
    gd_sim_free(&s);
    return ok;
}

/* simgd: the closed form of docs/optimizers.md and the Kronecker solve; case 22. */
static void cov_simgd(void)
{
    static const double pts[3][2] = {{0.1, 1}, {0.3, 0.6}, {0.05, 1.7}}; /* (h, gamma), h < gamma */
    for (int k = 0; k < 3; k++) {
        double h = pts[k][0], g = pts[k][1], S[4], K[4], se[4];
        char ht[32];
        int nm = 0;
        snprintf(ht, sizeof ht, "%.17g", h);
        if (!eig_cov("simgd", (const char *const[]){"integrator.h", ht, NULL}, g, S, se, &nm)) continue;
        double D = (g - h) * (4 - 2 * g * h + h * h);
        double s11 = h * (4 + 2 * g * g - 3 * g * h - g * g * g * h + g * g * h * h + h * h) / D;
        double s12 = g * h * (2 - g * h + h * h) / D, s22 = h * (4 - g * h + h * h) / D;
        CHECK(nm == 2);
        CHECK_REL(S[0], s11, 1e-9);
        CHECK_REL(S[1], s12, 1e-9);
        CHECK_REL(S[2], s12, 1e-9);
        CHECK_REL(S[3], s22, 1e-9);
        const double M[4] = {1, -h, h, 1 - h * g}, Q[4] = {h * h, 0, 0, h * h};
        lyapunov_kron(2, M, Q, K);
        for (int e = 0; e < 4; e++) CHECK_REL(S[e], K[e], 1e-9);
        if (k == 0) { /* case 22 as printed (7 digits) */
            CHECK_NEAR(S[0], 0.1638962, 1e-7);
            CHECK_NEAR(S[1], 0.05570137, 1e-8);
            CHECK_NEAR(S[3], 0.1140274, 1e-7);
            CHECK_NEAR(se[0], 0.8902, 1e-4);
            CHECK_NEAR(se[1], 0.4208, 1e-4);
            CHECK_NEAR(se[3], 0.5759, 1e-4);
        }
    }
}

/* extragradient (fresh: G = [HJH, H]; reused: H + HJH), altgd (G = [[hg, 0], [hg hd J21, hd]]),
 * momentum sim on (x, b) (G = [H; I]): Kronecker solves of the maps written here; case 23. */
static void cov_rules(void)
{
    const double h = 0.1, J[4] = {0, -1, 1, -1}, HJ[4] = {h * J[0], h * J[1], h * J[2], h * J[3]};
    double HJ2[4], S[16], K[16], Q[16], se[4];
    int nm = 0;
    mul2(HJ, HJ, HJ2);
    const double Meg[4] = {1 + HJ[0] + HJ2[0], HJ[1] + HJ2[1], HJ[2] + HJ2[2], 1 + HJ[3] + HJ2[3]};
    for (int reuse = 0; reuse < 2; reuse++) {
        if (!eig_cov("extragradient", (const char *const[]){"integrator.h", "0.1", "noise.reuse", reuse ? "true" : "false", NULL}, 1, S, se, &nm)) continue;
        const double HJH[4] = {h * HJ[0], h * HJ[1], h * HJ[2], h * HJ[3]};
        const double Gf[8] = {HJH[0], HJH[1], h, 0, HJH[2], HJH[3], 0, h}, Gr[4] = {h + HJH[0], HJH[1], HJH[2], h + HJH[3]};
        if (reuse) outer(2, 2, Gr, Q);
        else outer(2, 4, Gf, Q);
        lyapunov_kron(2, Meg, Q, K);
        for (int e = 0; e < 4; e++) CHECK_REL(S[e], K[e], 1e-9);
        if (!reuse) {
            CHECK_NEAR(S[0], 0.1468466, 1e-7);
            CHECK_NEAR(S[1], 0.04473780, 1e-8);
            CHECK_NEAR(S[3], 0.09808937, 1e-8);
            CHECK_NEAR(se[0], 0.7895, 1e-4);
            CHECK_NEAR(se[1], 0.3702, 1e-4);
            CHECK_NEAR(se[3], 0.4760, 1e-4);
        }
    }
    const double hg = 0.1, hd = 0.2; /* altgd, generator first */
    if (eig_cov("altgd", (const char *const[]){"integrator.lr_g", "0.1", "integrator.lr_d", "0.2", NULL}, 1, S, NULL, &nm)) {
        const double Gs[4] = {1 + hg * J[0], hg * J[1], 0, 1}, Ds[4] = {1, 0, hd * J[2], 1 + hd * J[3]}, G[4] = {hg, 0, hg * hd * J[2], hd};
        double M[4];
        mul2(Ds, Gs, M);
        outer(2, 2, G, Q);
        lyapunov_kron(2, M, Q, K);
        for (int e = 0; e < 4; e++) CHECK_REL(S[e], K[e], 1e-9);
    }
    const double beta = 0.3; /* momentum sim on (theta, psi, b_theta, b_psi) */
    if (eig_cov("momentum", (const char *const[]){"integrator.h", "0.1", "integrator.beta", "0.3", NULL}, 1, S, NULL, &nm)) {
        double M[16] = {0}, G[8] = {h, 0, 0, h, 1, 0, 0, 1};
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                M[i * 4 + j] = (i == j) + h * J[i * 2 + j];
                M[(2 + i) * 4 + j] = J[i * 2 + j];
            }
        for (int i = 0; i < 2; i++) M[i * 4 + 2 + i] = beta * h, M[(2 + i) * 4 + 2 + i] = beta;
        outer(4, 2, G, Q);
        lyapunov_kron(4, M, Q, K);
        CHECK(nm == 4);
        for (int e = 0; e < 16; e++) CHECK_NEAR(S[e], K[e], 1e-9 * fabs(K[0]));
    }
}

/* The measured stationary covariance: time averages of x x^T over one long noisy run (after
 * a burn-in of rho^burn < 1e-8) within 5 c_ij / sqrt(N) of eig's prediction (cases 22, 23). */
static void cov_measured(void)
{
    static const char *const rules[] = {"simgd", "extragradient"};
    enum { BURN = 600, N = 400000 };
    for (int r = 0; r < 2; r++) {
        gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.b", "1", "integrator.h", "0.1", "integrator.name",
                                              rules[r], "noise.sigma", "1", "noise.seed", "2024", NULL});
        gd_eig_result e;
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sim_eig(s, &e));
        gd_stepper *st = gd_sim_get_stepper(s);
        double x[2] = {0, 0}, t = 0, acc[4] = {0};
        CHECK_OK(gd_stepper_reset(st, x));
        for (long k = 0; k < BURN + N; k++) {
            gd_stepper_step(st, x, &t);
            if (k < BURN) continue;
            acc[0] += x[0] * x[0], acc[1] += x[0] * x[1], acc[3] += x[1] * x[1];
        }
        acc[2] = acc[1];
        printf("measured %s: %.7g %.7g %.7g\n", rules[r], acc[0] / N, acc[1] / N, acc[3] / N);
        for (int q = 0; q < 4 && e.cov && e.cov_se; q++) {
            double tol = 5 * e.cov_se[q] / sqrt((double)N);
            CHECK_NEAR(acc[q] / N, e.cov[(q / 2) * e.map_dim + q % 2], tol);
        }
        CHECK(e.cov && e.cov_se);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
}

/* rmsprop + noise (case 13): the self-consistent frozen second moment and the covariance of
 * the frozen map at it, and the covariance measured on a run of the rule itself within the
 * approximation's 2 %. */
static void cov_rmsprop(void)
{
    enum { BURN = 6000, N = 3000000 };
    gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.b", "1", "integrator.h", "0.01", "integrator.name", "rmsprop",
                                          "integrator.beta2", "0.999", "integrator.eps", "1e-8", "noise.sigma", "1", "noise.seed", "13", NULL});
    gd_eig_result e;
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK(e.v_frozen && e.cov && e.map_dim == 4);
    if (e.v_frozen && e.cov) {
        CHECK_NEAR(e.v_frozen[0], 1.010063, 1e-6);
        CHECK_NEAR(e.v_frozen[1], 1.015075, 1e-6);
        CHECK_NEAR(e.cov[0], 0.01506255, 1e-8);
        CHECK_NEAR(e.cov[1], 0.005025090, 1e-8);
        CHECK_NEAR(e.cov[5], 0.01006264, 1e-8);
        gd_stepper *st = gd_sim_get_stepper(s);
        double x[2] = {0, 0}, t = 0, acc[3] = {0};
        CHECK_OK(gd_stepper_reset(st, x)); /* the rule itself: v starts at 0 and adapts */
        for (long k = 0; k < BURN + N; k++) {
            gd_stepper_step(st, x, &t);
            if (k >= BURN) acc[0] += x[0] * x[0], acc[1] += x[0] * x[1], acc[2] += x[1] * x[1];
        }
        printf("measured rmsprop: %.7g %.7g %.7g\n", acc[0] / N, acc[1] / N, acc[2] / N);
        CHECK_REL(acc[0] / N, e.cov[0], 0.02);
        CHECK_REL(acc[1] / N, e.cov[1], 0.02);
        CHECK_REL(acc[2] / N, e.cov[5], 0.02);
    }
    /* eig leaves the configured rule as it was (not frozen, v_frozen auto): a run after it
     * equals a run of a fresh configuration */
    gd_sim *fresh = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.b", "1", "integrator.h", "0.01", "integrator.name",
                                              "rmsprop", "integrator.beta2", "0.999", "noise.sigma", "1", "noise.seed", "13", NULL});
    CHECK_OK(gd_sim_setup(fresh));
    CHECK_OK(gd_sim_run(fresh, ""));
    CHECK_OK(gd_sim_run(s, ""));
    CHECK(!memcmp(gd_sim_get_xfinal(s, 0), gd_sim_get_xfinal(fresh, 0), 2 * sizeof(double)));
    gd_sim_free(&fresh);
    gd_eig_result_free(&e);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- noisy sweeps - */
/* simgd on the block (0, 1, gamma) over (h, gamma), sigma = 0.1, batched and per cell: each
 * cell's sigma_pred is the closed form's trace, and the trailing-window RMS distance agrees
 * with sqrt(sigma_pred): every cell converges at noise_factor 1.3 and none at 0.75. */
static void noisy_sweeps(void)
{
    for (int k = 0; k < 2; k++)
        for (int f = 0; f < 2; f++) {
            gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "run.x0", "0.01,0.01", "sweep.x", "integrator.h:0.05:0.4:4",
                                                  "sweep.y", "model.b:0.9:1.5:3", "sweep.kernel", k ? "cell" : "auto", "integrator.steps", "8000",
                                                  "noise.sigma", "0.1", "noise.seed", "3", "sweep.noise_factor", f ? "0.75" : "1.3", NULL});
            gd_sweep *w = NULL;
            CHECK_OK(gd_sim_setup(s));
            CHECK_OK(gd_sweep_create(s, &w));
            CHECK(gd_sweep_is_batched(w) == !k);
            CHECK_OK(gd_sweep_run(w));
            const double *sp = gd_sweep_get_sigma_pred(w), *hx = gd_sweep_get_axis(w, 0), *gy = gd_sweep_get_axis(w, 1);
            const signed char *out = gd_sweep_get_outcome(w);
            for (long i = 0; i < gd_sweep_ncells(w); i++) {
                double h = hx[i % 4], g = gy[i / 4], D = (g - h) * (4 - 2 * g * h + h * h);
                double tr = 0.01 * h * (8 + 2 * g * g - 4 * g * h - g * g * g * h + g * g * h * h + 2 * h * h) / D; /* Sigma11 + Sigma22 */
                CHECK_REL(sp[i], tr, 1e-9);
                CHECK(out[i] == (f ? GD_OSCILLATE : GD_CONVERGE));
            }
            gd_sweep_free(&w);
            gd_sim_free(&s);
        }
}

/* rate with noise: the ensemble mean over noise.replicas trajectories decays at the predicted
 * rate of the noise-free map (simgd on the block (0, 1, 1), h = 0.1: 0.9539392), above the
 * mean's noise floor; its series is not the noise-free one. */
static void noisy_rate(void)
{
    double rho[2];
    for (int k = 0; k < 2; k++) {
        gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.b", "1", "integrator.h", "0.1", "run.x0", "100,100",
                                              "rate.r_hi", "100", "rate.r_lo", "0.5", "integrator.steps", "300", "noise.replicas", "500", "noise.sigma",
                                              k ? "1" : "0", NULL});
        gd_rate_result r;
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sim_rate(s, "", &r));
        CHECK(r.has_discrete && r.d_points > 50);
        CHECK_NEAR(r.d_pred_rho, 0.9539392014, 1e-9);
        CHECK_NEAR(r.d_rho, r.d_pred_rho, k ? 1e-3 : 1e-9);
        rho[k] = r.d_rho;
        gd_sim_free(&s);
    }
    CHECK(rho[0] != rho[1]);
}

/* Four cells of one configuration (an axis from 0.01 to 0.01) draw as cells 0..3: their runs
 * differ, and the batched and per-cell paths agree cell by cell (adam: its prediction sets the
 * rule up again at the self-consistent v, which must keep the cell's place in the counter). */
static void cells_differ(void)
{
    double rate[2][4];
    for (int k = 0; k < 2; k++) {
        gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.b", "1", "sweep.x", "run.x0.0:0.01:0.01:4", "run.x0", "0.01,0.01",
                                              "integrator.name", "adam", "noise.sigma", "0.1", "integrator.steps", "300", "sweep.kernel", k ? "cell" : "auto",
                                              NULL});
        gd_sweep *w = NULL;
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sweep_create(s, &w));
        CHECK_OK(gd_sweep_run(w));
        memcpy(rate[k], gd_sweep_get_rate(w), sizeof rate[k]);
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
    for (int i = 0; i < 4; i++) {
        CHECK_REL(rate[1][i], rate[0][i], 1e-12);
        for (int j = 0; j < i; j++) CHECK(rate[0][i] != rate[0][j]);
    }
}

/* rmsprop in a noisy sweep: each cell's sigma_pred is eig's trace at the self-consistent v. */
static void rmsprop_sweep(void)
{
    gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.b", "1", "sweep.x", "integrator.h:0.01:0.02:2", "run.x0", "0.01,0.01",
                                          "integrator.name", "rmsprop", "integrator.beta2", "0.999", "noise.sigma", "1", "integrator.steps", "50", NULL});
    gd_sweep *w = NULL;
    gd_eig_result e;
    CHECK_OK(gd_sim_set(s, "integrator.h", "0.01"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    CHECK_REL(gd_sweep_get_sigma_pred(w)[0], e.cov_trace, 1e-9);
    CHECK_NEAR(e.cov_trace, 0.01506255 + 0.01006264, 1e-7); /* case 13 */
    gd_eig_result_free(&e);
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* The eig file holds the covariance (and its SE factors) as eig computed it, and the noise's
 * root attributes. */
static void eig_file(void)
{
    gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.b", "1", "integrator.h", "0.1", "integrator.name", "momentum", "noise.sigma",
                                          "0.5", "noise.seed", "18446744073709551615", NULL});
    gd_eig_result e;
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK(e.cov && e.cov_se && e.map_dim == 4);
    CHECK_OK(gd_sim_write_eig(s, "noise_eig.h5", &e, NULL));
    double cov[16] = {0}, se[4] = {0}, tr = 0;
    unsigned long long seed = 0;
    long layout = 0;
    hid_t f = H5Fopen("noise_eig.h5", H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, "/eig/covariance", H5P_DEFAULT), q = H5Dopen2(f, "/eig/se_factors", H5P_DEFAULT);
    hid_t a = H5Aopen(d, "trace", H5P_DEFAULT), as = H5Aopen(f, "noise_seed", H5P_DEFAULT), al = H5Aopen(f, "noise_layout", H5P_DEFAULT);
    CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cov) >= 0 && H5Dread(q, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, se) >= 0);
    CHECK(H5Aread(a, H5T_NATIVE_DOUBLE, &tr) >= 0 && H5Aread(as, H5T_NATIVE_ULLONG, &seed) >= 0 && H5Aread(al, H5T_NATIVE_LONG, &layout) >= 0);
    H5Aclose(a), H5Aclose(as), H5Aclose(al), H5Dclose(d), H5Dclose(q), H5Fclose(f);
    CHECK(e.cov && !memcmp(cov, e.cov, sizeof cov) && e.cov_se && !memcmp(se, e.cov_se, sizeof se) && tr == e.cov_trace);
    CHECK(seed == 18446744073709551615ULL && layout == 1);
    gd_eig_result_free(&e);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- refusals ----- */
static void refused(const char *const *kv, const char *needle)
{
    gd_sim *s = sim(kv);
    int rc = gd_sim_setup(s);
    if (rc == GD_OK) rc = gd_sim_run(s, "");
    CHECK(rc == GD_EUSAGE);
    const char *msg = gd_sim_errmsg(s);
    CHECK(strstr(msg, needle) != NULL && !strchr(msg, '\n'));
    if (!strstr(msg, needle)) fprintf(stderr, "message: %s\n", msg);
    gd_sim_free(&s);
}

static void refusals(void)
{
    refused((const char *const[]){"integrator.name", "cvode", "noise.sigma", "0.1", NULL}, "fixed-step");
    refused((const char *const[]){"integrator.name", "implicit_midpoint", "noise.sigma", "0.1", NULL}, "lane rules");
    refused((const char *const[]){"noise.sigma", "-0.1", NULL}, "noise.sigma");
    refused((const char *const[]){"noise.seed", "-3", NULL}, "noise.seed");
    refused((const char *const[]){"noise.seed", "18446744073709551616", NULL}, "noise.seed");
    refused((const char *const[]){"model.name", "kernel_gda", "noise.sigma", "0.1", "integrator.steps", "3", NULL}, "own map");
    /* the seed's full range is accepted; cvode without noise is fine */
    gd_sim *s = sim((const char *const[]){"noise.seed", "18446744073709551615", "integrator.name", "cvode", NULL});
    CHECK_OK(gd_sim_setup(s));
    gd_sim_free(&s);
}

int main(void)
{
    known_answers();
    layout();
    sigma_zero();
    partitions();
    refusals();
    cov_simgd();
    cov_rules();
    cov_measured();
    cov_rmsprop();
    noisy_sweeps();
    noisy_rate();
    cells_differ();
    rmsprop_sweep();
    eig_file();
    return check_report("test_noise");
}
