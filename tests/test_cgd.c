/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Competitive gradient descent, cgd (docs/optimizers.md):
 *  - validation case 21: spectral radius of the map on the bilinear game at y = 0.5,
 *    (1 + y^2)^{-1/2}, and on the Dirac GP (gamma = 0.3) at h = 1 and 0.2,
 *    sqrt((1 - h gamma)/(1 + h^2/4)), to 1e-9; the block map against its closed form
 *    [[1 - h_g a, -h_g s (1 - h_d b)], [h_d s (1 - h_g a), 1 - h_d b]] / (1 + h_g h_d s^2) with
 *    unequal rates; a nonlinear run contracts at the predicted rate (gandyn rate);
 *  - the two solvers: on a random zero-sum game of 12 coordinates (a test game here, its
 *    coupling C random, the players' own curvature symmetric positive semi-definite), dense LU
 *    and CG agree to 1e-12 relative over a run, with the game's Jacobian-vector product, with
 *    its Jacobian only, and with neither (central differences, to their accuracy); one step
 *    solves the defining equations d = H (F + N d) to 1e-13;
 *  - the analytic map Jacobian equals central differences of the implemented step (dense and
 *    CG, away from the fixed point: its curvature term) to 1e-7;
 *  - auto above 2000 coordinates solves by CG with the game's products only: one step on a
 *    bilinear game of 2002 coordinates equals its closed form to 1e-13;
 *  - refusals: cg on a game that is not zero-sum (Dirac NS-GAN, a general-sum test game),
 *    a CG cap too small, out-of-range keys.
 */
#include "check.h"

#include <gandyn/game.h>
#include <stdint.h>
#include <string.h>

enum { N = 12, NG = 6 };

static double eig_rho(const char *const *kv)
{
    gd_sim *s = make_sim(kv);
    gd_eig_result e;
    double rho = NAN;
    if (gd_sim_eig(s, &e) == GD_OK) rho = e.rho;
    else fprintf(stderr, "eig: %s\n", gd_sim_errmsg(s));
    gd_eig_result_free(&e);
    gd_sim_free(&s);
    return rho;
}

/* ------------------------------------------------------------ case 21 ---------- */
static void case21(void)
{
    /* bilinear: the Dirac WGAN (sigma = 1) and the linear block a = b = 0, y = h */
    const double want = 1 / sqrt(1.25);
    CHECK_NEAR(want, 0.8944271910, 1e-10);
    CHECK_NEAR(eig_rho((const char *const[]){"model.loss", "wgan", "model.reg", "none", "integrator.name", "cgd", "integrator.h", "0.5", NULL}), want, 1e-9);
    CHECK_NEAR(eig_rho((const char *const[]){"model.name", "linear", "integrator.name", "cgd", "integrator.h", "0.5", NULL}), want, 1e-9);
    /* y = sigma sqrt(h_g h_d): the same radius with h_g = 1, h_d = 0.25 */
    CHECK_NEAR(eig_rho((const char *const[]){"model.name", "linear", "integrator.name", "cgd", "integrator.lr_g", "1", "integrator.lr_d", "0.25", NULL}),
               want, 1e-9);
    /* Dirac GP gamma = 0.3, f' = 1/2: the complex regime, rho^2 = (1 - h gamma)/(1 + h^2/4) */
    static const struct { const char *h; double rho; } gp[] = {{"1", 0.7483314774}, {"0.2", 0.9647243489}};
    for (int i = 0; i < 2; i++) {
        double h = atof(gp[i].h);
        CHECK_NEAR(sqrt((1 - 0.3 * h) / (1 + h * h / 4)), gp[i].rho, 1e-10);
        CHECK_NEAR(eig_rho((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", "integrator.name", "cgd", "integrator.h", gp[i].h, NULL}),
                   gp[i].rho, 1e-9);
    }
}

/* The 2 x 2 block map against its closed form, unequal rates. */
static void block_closed_form(void)
{
    const double a = 0.3, b = 0.1, sc = 1.3, hg = 0.4, hd = 0.7, den = 1 + hg * hd * sc * sc;
    const double want[4] = {(1 - hg * a) / den, -hg * sc * (1 - hd * b) / den, hd * sc * (1 - hg * a) / den, (1 - hd * b) / den};
    gd_model *m = make_model("linear", (const char *const[]){"a", "0.3", "b", "0.1", "s", "1.3", NULL});
    gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"lr_g", "0.4", "lr_d", "0.7", NULL});
    double x[2] = {0.2, -0.5}, M[4], y[2] = {0.2, -0.5}, t = 0;
    int an = 0;
    CHECK_OK(gd_stepper_map_jacobian(s, x, M, &an));
    CHECK(an);
    for (int i = 0; i < 4; i++) CHECK_NEAR(M[i], want[i], 1e-15);
    /* the map is linear here: one step is M x */
    CHECK_OK(gd_stepper_reset(s, y));
    CHECK_OK(gd_stepper_step(s, y, &t));
    CHECK_NEAR(y[0], want[0] * x[0] + want[1] * x[1], 1e-15);
    CHECK_NEAR(y[1], want[2] * x[0] + want[3] * x[1], 1e-15);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

/* The nonlinear Dirac GP (gamma = 0.3, h = 1): the rate gandyn rate measures on a run (its fit in
 * the map's eigenbasis) is the predicted radius. */
static void measured_rate(void)
{
    gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", "integrator.name", "cgd", "integrator.h", "1", "integrator.steps", "200",
                                          NULL});
    gd_rate_result r;
    CHECK_OK(gd_sim_rate(s, "", &r));
    printf("Dirac GP h = 1: measured rate %.7f (predicted %.7f, %d points)\n", r.d_rho, r.d_pred_rho, r.d_points);
    CHECK(r.d_points >= 10);
    CHECK_NEAR(r.d_pred_rho, 0.7483314774, 1e-9);
    CHECK_NEAR(r.d_rho, 0.7483314774, 1e-4);
    gd_sim_free(&s);
}

/* --------------------------------------------- a random zero-sum game, n = 12 --- */
/* F = J x with J = [[-A, -C], [C^T, -B]] (zero-sum: J_pt = -J_tp^T), A = R R^T / 6 and B likewise
 * (each player's own curvature), C random; general-sum: J_pt = +C^T. */
static double Jzs[N * N], Jgs[N * N];

static void make_games(void)
{
    uint64_t seed = 23; /* a 64-bit linear congruential generator: entries in [-1, 1) */
    double R[N * N];
    for (int i = 0; i < N * N; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        R[i] = 2 * ((double)(seed >> 11) * 0x1.0p-53) - 1;
    }
    memset(Jzs, 0, sizeof Jzs);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int pi = i >= NG, pj = j >= NG;
            if (pi == pj) { /* -(R R^T)/6 on each player's own block */
                double a = 0;
                for (int k = 0; k < NG; k++) a += R[i * N + (pi ? NG : 0) + k] * R[j * N + (pi ? NG : 0) + k];
                Jzs[i * N + j] = -a / 6;
            }
        }
    for (int i = 0; i < NG; i++)
        for (int j = 0; j < NG; j++) {
            double c = R[i * N + NG + j] + 0.5 * R[(NG + j) * N + i];
            Jzs[i * N + NG + j] = -c, Jzs[(NG + j) * N + i] = c;
        }
    memcpy(Jgs, Jzs, sizeof Jzs);
    for (int i = 0; i < NG; i++) Jgs[(NG + i) * N + (i + 1) % NG] += 0.7; /* breaks J_pt = -J_tp^T */
}

static const double *matrix_of(const void *user) { return user ? Jgs : Jzs; }

static int game_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)opts;
    const double *J = matrix_of(user);
    for (int i = 0; i < dim; i++) {
        double a = 0;
        for (int j = 0; j < dim; j++) a += J[i * dim + j] * x[j];
        v[i] = a;
    }
    return 0;
}

static int game_jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)x, (void)opts;
    memcpy(J, matrix_of(user), sizeof(double) * (size_t)dim * (size_t)dim);
    return 0;
}

static int game_jvp(int dim, const double *x, const double *w, double *Jw, const void *opts, void *user)
{
    (void)x;
    return game_field(dim, w, Jw, opts, user);
}

static void register_games(void)
{
    char msg[GD_ERRMSG_LEN];
    static int gs = 1;
    gd_game g = {.abi_version = GD_ABI_VERSION, .name = "zs12", .dim = N, .ngen = NG, .field = game_field, .jacobian = game_jacobian, .jvp = game_jvp};
    CHECK_OK(gd_model_register(&g, msg));
    g.name = "zs12_jacobian", g.jvp = NULL; /* cg multiplies by the formed Jacobian */
    CHECK_OK(gd_model_register(&g, msg));
    g.name = "zs12_fd", g.jacobian = NULL; /* cg by differences of the field */
    CHECK_OK(gd_model_register(&g, msg));
    g = (gd_game){.abi_version = GD_ABI_VERSION, .name = "gs12", .dim = N, .ngen = NG, .field = game_field, .jacobian = game_jacobian, .jvp = game_jvp,
                  .user_data = &gs};
    CHECK_OK(gd_model_register(&g, msg));
}

static double rel_diff(const double *a, const double *b, int n)
{
    double d = 0, s = 0;
    for (int i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i])), s = fmax(s, fabs(b[i]));
    return d / s;
}

/* 30 steps of cgd with SOLVER on GAME from a fixed start, lr_g = 0.3, lr_d = 0.2. */
static void run_solver(const char *game, const char *solver, double *x)
{
    gd_model *m = make_model(game, NULL);
    gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"lr_g", "0.3", "lr_d", "0.2", "cgd_solver", solver, NULL});
    double t = 0;
    for (int i = 0; i < N; i++) x[i] = sin(1.0 + i);
    CHECK_OK(gd_stepper_reset(s, x));
    for (int k = 0; k < 30; k++) CHECK_OK(gd_stepper_step(s, x, &t));
    gd_stepper_free(&s);
    gd_model_free(&m);
}

static void dense_vs_cg(void)
{
    static const struct { const char *game; double tol; } c[] = {{"zs12", 1e-12}, {"zs12_jacobian", 1e-12}, {"zs12_fd", 1e-6}};
    for (int i = 0; i < 3; i++) {
        double xd[N], xc[N];
        run_solver(c[i].game, "dense", xd);
        run_solver(c[i].game, "cg", xc);
        double d = rel_diff(xc, xd, N);
        printf("%s: dense vs cg after 30 steps, relative difference %.3g\n", c[i].game, d);
        CHECK(d <= c[i].tol);
    }
    /* one step solves d = H (F + N d), written out here */
    gd_model *m = make_model("zs12", NULL);
    for (int v = 0; v < 2; v++) {
        gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"lr_g", "0.3", "lr_d", "0.2", "cgd_solver", v ? "cg" : "dense", NULL});
        double x0[N], x[N], F[N], t = 0, worst = 0;
        for (int i = 0; i < N; i++) x0[i] = x[i] = cos(2.0 + i);
        game_field(N, x0, F, NULL, NULL);
        CHECK_OK(gd_stepper_reset(s, x));
        CHECK_OK(gd_stepper_step(s, x, &t));
        for (int i = 0; i < N; i++) {
            double a = F[i];
            for (int j = 0; j < N; j++)
                if ((i < NG) != (j < NG)) a += Jzs[i * N + j] * (x[j] - x0[j]);
            worst = fmax(worst, fabs(x[i] - x0[i] - (i < NG ? 0.3 : 0.2) * a));
        }
        CHECK(worst <= 1e-13);
        gd_stepper_free(&s);
    }
    gd_model_free(&m);
}

/* ---------------------------------------------- map Jacobian vs differences ---- */
static void jacobian_vs_fd(const char *model, const char *const *mkv, const char *solver, const double *x, int n)
{
    gd_model *m = make_model(model, mkv);
    gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"lr_g", "0.3", "lr_d", "0.2", "cgd_solver", solver, NULL});
    double A[N * N], F[N * N];
    int an = 0;
    CHECK(gd_stepper_map_dim(s) == n);
    CHECK_OK(gd_stepper_map_jacobian(s, x, A, &an));
    CHECK_OK(gd_stepper_map_jacobian_fd(s, x, F));
    CHECK(an);
    double worst = 0;
    for (int i = 0; i < n * n; i++) worst = fmax(worst, fabs(A[i] - F[i]));
    printf("%s (%s): |analytic - differences| = %.2g\n", model, solver, worst);
    CHECK(worst <= 1e-7);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

static void map_jacobians(void)
{
    /* the nonlinear Dirac-GAN away from x* (the curvature term acts), and at x* */
    const char *const gp[] = {"loss", "gan", "reg", "gp", "gamma", "0.3", NULL};
    jacobian_vs_fd("dirac", gp, "dense", (const double[]){0.7, -0.4}, 2);
    jacobian_vs_fd("dirac", gp, "cg", (const double[]){0.7, -0.4}, 2);
    jacobian_vs_fd("dirac", gp, "dense", (const double[]){0, 0}, 2);
    jacobian_vs_fd("dirac", (const char *const[]){"loss", "nsgan", "reg", "gp", "gamma", "0.3", NULL}, "dense", (const double[]){0.5, 0.9}, 2);
    double x[N];
    for (int i = 0; i < N; i++) x[i] = 0.1 * (i - 5);
    jacobian_vs_fd("zs12", NULL, "cg", x, N);
    jacobian_vs_fd("gs12", NULL, "dense", x, N);
}

/* ------------------------------------------- auto above 2000 coordinates: cg ---- */
/* A zero-sum game of 2 x 1001 coordinates, L = c theta . psi: F = (-c psi, c theta), with its
 * Jacobian-vector product and no Jacobian. auto takes cg there (dense would difference the field
 * 2002 times: 1e-11 from the closed form, and 10x slower); one step is the closed form
 * d_theta = h_g (F_theta + h_d (-c) F_psi) / (1 + h_g h_d c^2), d_psi = h_d (F_psi + c d_theta). */
enum { BIG = 1001 };
static const double CBIG = 1.7;

static int big_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)opts, (void)user;
    for (int i = 0; i < dim / 2; i++) v[i] = -CBIG * x[dim / 2 + i], v[dim / 2 + i] = CBIG * x[i];
    return 0;
}

static int big_jvp(int dim, const double *x, const double *w, double *Jw, const void *opts, void *user)
{
    (void)x;
    return big_field(dim, w, Jw, opts, user);
}

static void auto_takes_cg(void)
{
    char msg[GD_ERRMSG_LEN];
    gd_game g = {.abi_version = GD_ABI_VERSION, .name = "bilinear_big", .dim = 2 * BIG, .ngen = BIG, .field = big_field, .jvp = big_jvp};
    CHECK_OK(gd_model_register(&g, msg));
    gd_model *m = make_model("bilinear_big", NULL);
    gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"lr_g", "0.3", "lr_d", "0.2", NULL});
    static double x[2 * BIG], x0[2 * BIG];
    double t = 0, worst = 0, hg = 0.3, hd = 0.2;
    for (int i = 0; i < 2 * BIG; i++) x[i] = x0[i] = sin(0.1 * i);
    CHECK_OK(gd_stepper_reset(s, x));
    CHECK_OK(gd_stepper_step(s, x, &t));
    for (int i = 0; i < BIG; i++) {
        double ft = -CBIG * x0[BIG + i], fp = CBIG * x0[i];
        double dt = hg * (ft - hd * CBIG * fp) / (1 + hg * hd * CBIG * CBIG), dp = hd * (fp + CBIG * dt);
        worst = fmax(worst, fmax(fabs(x[i] - x0[i] - dt), fabs(x[BIG + i] - x0[BIG + i] - dp)));
    }
    printf("auto on %d coordinates: |step - closed form| = %.2g\n", 2 * BIG, worst);
    CHECK(worst <= 1e-13);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

/* ---------------------------------------------------------- refusals ----------- */
static void refusals(void)
{
    /* cg on a game that is not zero-sum: refused at setup, one line naming the way out */
    const char *const *games[] = {(const char *const[]){"model.loss", "nsgan", "integrator.name", "cgd", "integrator.cgd_solver", "cg", NULL},
                                  (const char *const[]){"model.name", "gs12", "integrator.name", "cgd", "integrator.cgd_solver", "cg", NULL}};
    for (int i = 0; i < 2; i++) {
        gd_sim *s = gd_sim_create();
        for (int k = 0; games[i][k]; k += 2) CHECK_OK(gd_sim_set(s, games[i][k], games[i][k + 1]));
        CHECK(gd_sim_setup(s) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "needs a zero-sum game") && strstr(gd_sim_errmsg(s), "cgd_solver = dense"));
        gd_sim_free(&s);
    }
    /* auto (dense at this size) and dense take it */
    double xa[N], xd[N];
    run_solver("gs12", "auto", xa);
    run_solver("gs12", "dense", xd);
    CHECK(memcmp(xa, xd, sizeof xa) == 0);
    /* a CG cap below what the solve needs: a solver failure naming the cap */
    gd_model *m = make_model("zs12", NULL);
    gd_stepper *s = make_stepper("cgd", m, (const char *const[]){"cgd_solver", "cg", "cg_maxit", "1", NULL});
    double x[N], t = 0;
    for (int i = 0; i < N; i++) x[i] = 1;
    CHECK_OK(gd_stepper_reset(s, x));
    CHECK(gd_stepper_step(s, x, &t) == GD_ESOLVER && strstr(gd_stepper_errmsg(s), "cg_maxit = 1"));
    CHECK(gd_stepper_set(s, "cg_tol", "0") == GD_EUSAGE);
    CHECK(gd_stepper_set(s, "cg_maxit", "-1") == GD_EUSAGE);
    CHECK(gd_stepper_set(s, "cgd_solver", "gmres") == GD_EUSAGE && strstr(gd_stepper_errmsg(s), "auto"));
    gd_stepper_free(&s);
    gd_model_free(&m);
}

int main(void)
{
    make_games();
    register_games();
    case21();
    block_closed_form();
    measured_rate();
    dense_vs_cg();
    map_jacobians();
    auto_takes_cg();
    refusals();
    return check_report("test_cgd");
}
