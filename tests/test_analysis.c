/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Analyses through the library (what `gandyn eig`, `rate` and `portrait` call):
 *  - docs/models/dirac.md V1 through gd_sim_eig; V5 (AltGD map spectra, critical steps) with
 *    the analytic product of sub-step Jacobians; V7 (GP SimGD rho); V9 (the Euler
 *    optimum) through an eigenvalue scan over h;
 *  - every integrator's analytic one-iteration Jacobian against central differences;
 *  - the linear block's closed forms (docs/models/linear.md): eig of the map at x* equals
 *    R(h lambda); the imaginary-axis stability limits 1/sqrt(3) (optimistic), 1
 *    (extragradient), 2 (altgd), 2 sqrt(2) (rk4) bracketed at +-0.1% by gd_stability_region;
 *  - measured rates: continuous GP 0.3 within 1e-3 of -0.15 +- 0.4769696i (fit and
 *    Poincare returns), discrete within 1e-3 of the predicted spectral radius for every
 *    fixed-step integrator;
 *  - fixed-point types, Newton, scans restoring the configuration, every model;
 *  - a model without a vector field: the map's spectrum alone, with the reason.
 */
#include "check.h"

#include <complex.h>
#include <string.h>

static int has_eig(const gd_eig_result *e, double re, double im, double tol)
{
    for (int i = 0; i < e->map_dim; i++)
        if (fabs(e->map_re[i] - re) <= tol && fabs(e->map_im[i] - im) <= tol) return 1;
    return 0;
}

static void eig_table(void)
{
    static const struct { const char *kv[7]; double re, im; const char *type; } c[] = {
        {{"model.loss", "gan", NULL}, 0, 0.5, "center"},
        {{"model.loss", "wgan", NULL}, 0, 1, "center"},
        {{"model.reg", "gp", "model.gamma", "0.3", NULL}, -0.15, 0.4769696, "spiral_sink"},
        {{"model.reg", "gp", "model.gamma", "1.5", NULL}, -0.1909830, 0, "node_sink"},
        {{"model.reg", "consensus", "model.gamma", "1", NULL}, -0.25, 0.5, "spiral_sink"},
        {{"model.reg", "noise", "model.sigma", "0.7", NULL}, -0.1225, 0.4847615, "spiral_sink"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        gd_sim *s = make_sim(c[i].kv);
        gd_eig_result e;
        CHECK_OK(gd_sim_eig(s, &e));
        int found = 0;
        for (int k = 0; k < 2; k++) found |= fabs(e.re[k] - c[i].re) < 1e-6 && fabs(e.im[k] - c[i].im) < 1e-6;
        CHECK(found);
        CHECK(strcmp(e.type, c[i].type) == 0);
        CHECK(e.equilibrium[0] == 0 && e.equilibrium[1] == 0);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
}

static void gp_simgd_rho(void)
{
    static const struct { const char *gamma; double rho; } c[] = {{"0.3", 0.9746794}, {"1.0", 0.9}, {"1.5", 0.9618034}};
    for (int i = 0; i < 3; i++) {
        gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "model.gamma", c[i].gamma, NULL});
        gd_eig_result e;
        CHECK_OK(gd_sim_eig(s, &e));
        CHECK_NEAR(e.rho, c[i].rho, 1e-6);
        CHECK(e.map_analytic && e.predicted == GD_CONVERGE);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
        /* step bounds h_max = 1.2, 4, 1.527864: converge just below, diverge just above */
        static const double hmax[] = {1.2, 4.0, 1.5278640450004206};
        for (int side = 0; side < 2; side++) {
            char h[32];
            snprintf(h, sizeof h, "%.17g", hmax[i] * (side ? 1.001 : 0.999));
            s = make_sim((const char *const[]){"model.reg", "gp", "model.gamma", c[i].gamma, "integrator.h", h, NULL});
            CHECK_OK(gd_sim_eig(s, &e));
            CHECK(e.predicted == (side ? GD_DIVERGE : GD_CONVERGE));
            gd_eig_result_free(&e);
            gd_sim_free(&s);
        }
    }
}

/* The result outlives its sim (freed here); the caller frees e. */
static double altgd_rho(const char *loss, double h, const char *nd, gd_eig_result *e)
{
    char hs[32];
    snprintf(hs, sizeof hs, "%.17g", h);
    gd_sim *s = make_sim((const char *const[]){"model.loss", loss, "integrator.name", "altgd", "integrator.h", hs, "integrator.n_d", nd, NULL});
    CHECK_OK(gd_sim_eig(s, e));
    gd_sim_free(&s);
    return e->rho;
}

static void altgd_spectra(void)
{
    gd_eig_result e;
    altgd_rho("gan", 0.2, "1", &e);
    CHECK(has_eig(&e, 0.995, 0.099875, 1e-6) && e.map_analytic);
    CHECK(e.predicted == GD_OSCILLATE);
    gd_eig_result_free(&e);
    altgd_rho("gan", 0.2, "5", &e);
    CHECK(has_eig(&e, 0.975, 0.222205, 1e-6));
    gd_eig_result_free(&e);
    altgd_rho("wgan", 1, "5", &e);
    CHECK(has_eig(&e, -2.618034, 0, 1e-6) && has_eig(&e, -0.381966, 0, 1e-6) && e.predicted == GD_DIVERGE);
    gd_eig_result_free(&e);
    static const struct { const char *loss, *nd; double fp, hc; } c[] = {
        {"gan", "1", 0.5, 4}, {"gan", "5", 0.5, 1.788854}, {"wgan", "1", 1, 2}, {"wgan", "5", 1, 0.894427}};
    for (int i = 0; i < 4; i++) {
        double hc = 2 / (sqrt(atof(c[i].nd)) * c[i].fp);
        CHECK_NEAR(hc, c[i].hc, 1e-6);
        CHECK_NEAR(altgd_rho(c[i].loss, 0.999 * hc, c[i].nd, &e), 1, 1e-6);
        gd_eig_result_free(&e);
        CHECK_NEAR(altgd_rho(c[i].loss, 1.001 * hc, c[i].nd, &e), 1.093557, 1e-5);
        gd_eig_result_free(&e);
    }
}

/* V9 through a scan: the smallest simgd rho over h is sqrt(0.91) at h* = 0.6. */
static void euler_optimum_scan(void)
{
    gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", NULL});
    gd_scan_result sc;
    gd_eig_result before, after;
    CHECK_OK(gd_sim_eig(s, &before));
    double rho_before = before.rho;
    CHECK_OK(gd_sim_eig_scan(s, "integrator.h:0.3:0.9:601", &sc));
    int best = 0;
    for (int i = 1; i < sc.n; i++)
        if (sc.rho[i] < sc.rho[best]) best = i;
    CHECK_NEAR(sc.values[best], 0.6, 1e-9);
    CHECK_NEAR(sc.rho[best], sqrt(0.91), 1e-9);
    CHECK(strcmp(sc.key, "integrator.h") == 0);
    CHECK_OK(gd_sim_eig(s, &after)); /* the scan restored h = 0.2 */
    CHECK(after.rho == rho_before && after.h == 0.2);
    gd_scan_result_free(&sc);
    CHECK(gd_sim_eig_scan(s, "integrator.h:0:1", &sc) == GD_EUSAGE);
    CHECK(gd_sim_eig_scan(s, "model.nokey:0:1:5", &sc) == GD_EUSAGE && !sc.values && !sc.key); /* nothing held */
    gd_eig_result_free(&before), gd_eig_result_free(&after);
    gd_sim_free(&s);
}

/* Analytic one-iteration Jacobians equal central differences, away from x*. adam and rmsprop:
 * their analytic map is the frozen-second-moment map (docs/optimizers.md), compared
 * with differences of the step that runs it (freeze_v, at v_frozen > 0); the other rules
 * ignore those keys. At v = 0 the unfrozen step's differences resolve nothing (step h/eps). */
static void map_jacobians(void)
{
    gd_model *m = make_model("dirac", (const char *const[]){"loss", "nsgan", "reg", "gp", "gamma", "0.4", NULL});
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        gd_stepper *s = make_stepper(gd_integrator_type_name(*it), m,
                                     (const char *const[]){"h", "0.3", "lr_d", "0.2", "n_g", "2", "n_d", "3", "freeze_v", "true", "v_frozen_g",
                                                           "0.3", "v_frozen_d", "0.2", "beta2", "0.9", NULL});
        double x[2] = {0.7, -0.4}, A[64], F[64]; /* map states up to 4 coordinates per model coordinate */
        int an = 0, n = gd_stepper_map_dim(s);
        CHECK_OK(gd_stepper_map_jacobian(s, x, A, &an));
        CHECK_OK(gd_stepper_map_jacobian_fd(s, x, F));
        if (!an) fprintf(stderr, "%s has no analytic map Jacobian\n", gd_integrator_type_name(*it));
        CHECK(an);
        for (int i = 0; i < n * n; i++) CHECK_NEAR(A[i], F[i], 1e-7);
        gd_stepper_free(&s);
    }
    gd_model_free(&m);
}

/* eig of the one-step map at x* = R(h lambda) for the Runge-Kutta-type rules. */
static void map_equals_R(void)
{
    static const struct { const char *name; int kind; } c[] = {{"simgd", 1}, {"heun", 2}, {"rk4", 4}, {"extragradient", 5}, {"implicit_midpoint", 6}};
    double complex lam = -0.15 + 0.4769696007084728 * I, z = 0.2 * lam;
    for (int i = 0; i < 5; i++) {
        double complex R = 0, term = 1;
        if (c[i].kind <= 4)
            for (int k = 0; k <= c[i].kind; k++) R += term, term *= z / (k + 1);
        else if (c[i].kind == 5) R = 1 + z + z * z;
        else R = (1 + z / 2) / (1 - z / 2);
        gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "integrator.name", c[i].name, NULL});
        gd_eig_result e;
        CHECK_OK(gd_sim_eig(s, &e));
        CHECK(has_eig(&e, creal(R), cimag(R), 1e-12));
        CHECK_NEAR(e.rho, cabs(R), 1e-12);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
    /* cvode: the flow over one output interval T = t_end/steps has eigenvalues exp(T lambda) */
    gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "integrator.name", "cvode", NULL});
    gd_eig_result e;
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK_NEAR(e.rho, exp(-0.15 * 0.2), 1e-12);
    gd_eig_result_free(&e);
    gd_sim_free(&s);
}

/* Imaginary-axis limits: rho <= 1 just inside, > 1 just outside (docs/models/linear.md). */
static void stability_limits(void)
{
    static const struct { const char *name; double y; } c[] = {
        {"optimistic", 0.5773502691896258}, {"extragradient", 1.0}, {"altgd", 2.0}, {"rk4", 2.8284271247461903}};
    gd_model *m = make_model("linear", NULL);
    for (int i = 0; i < 4; i++) {
        gd_stepper *s = make_stepper(c[i].name, m, (const char *const[]){"h", "0.5", NULL});
        double re = 0, im[2] = {0.999 * c[i].y, 1.001 * c[i].y}, rho[2];
        if (strcmp(c[i].name, "extragradient") == 0) im[0] = 0.5, re = 0; /* |R|^2 = 1 - y^2 + y^4 < 1 on (0, 1) */
        CHECK_OK(gd_stability_region(s, 1, &re, 2, im, rho));
        if (rho[0] > 1 || rho[1] <= 1) fprintf(stderr, "%s: rho(%g i) = %.9g, rho(%g i) = %.9g\n", c[i].name, im[0], rho[0], im[1], rho[1]);
        CHECK(rho[0] <= 1 + 1e-12 && rho[1] > 1);
        gd_stepper_free(&s);
    }
    /* simgd: the unit disc around -1 */
    gd_stepper *s = make_stepper("simgd", m, NULL);
    double re[3] = {-1, -1.999, 0.01}, im = 0, rho[3];
    CHECK_OK(gd_stability_region(s, 3, re, 1, &im, rho));
    CHECK_NEAR(rho[0], 0, 1e-12);
    CHECK_NEAR(rho[1], 0.999, 1e-12);
    CHECK_NEAR(rho[2], 1.01, 1e-12);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

static void rates(void)
{
    gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", NULL});
    gd_rate_result r;
    CHECK_OK(gd_sim_rate(s, "", &r));
    CHECK(r.has_continuous && r.has_discrete && r.c_points > 100 && r.c_returns >= 3);
    CHECK_NEAR(r.c_re, -0.15, 1e-3);
    CHECK_NEAR(r.c_im, 0.4769696, 1e-3);
    CHECK_NEAR(r.c_poincare_re, -0.15, 1e-3);
    CHECK_NEAR(r.c_poincare_im, 0.4769696, 1e-3);
    CHECK_NEAR(r.c_pred_re, -0.15, 1e-12);
    gd_sim_free(&s);
    /* adam, rmsprop: the rate of the frozen-second-moment map their eig predicts, run by
     * freeze_v (beta2 = 0.5: the v block's beta2 below the game's modes); others ignore the keys */
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        const char *name = gd_integrator_type_name(*it);
        s = make_sim((const char *const[]){"model.reg", "gp", "integrator.name", name, "integrator.n_d", "3", "integrator.steps", "2000", "integrator.freeze_v",
                                      "true", "integrator.v_frozen", "1", "integrator.beta2", "0.5", NULL});
        CHECK_OK(gd_sim_rate(s, "", &r));
        if (fabs(r.d_rho - r.d_pred_rho) > 1e-3 || r.d_points < 10)
            fprintf(stderr, "%s: measured rho %.9g predicted %.9g (%d points)\n", name, r.d_rho, r.d_pred_rho, r.d_points);
        CHECK(r.d_points >= 10);
        CHECK_NEAR(r.d_rho, r.d_pred_rho, 1e-3);
        CHECK_NEAR(r.d_angle, r.d_pred_angle, 1e-3);
        gd_sim_free(&s);
    }
}

static void types_and_newton(void)
{
    static const struct { const char *a, *b, *s, *type; } c[] = {
        {"1", "-1", "0.5", "saddle"}, {"-0.1", "-0.1", "1", "spiral_source"}, {"-1", "-2", "0.1", "node_source"},
        {"0", "0", "0", "degenerate"}, {"0.3", "0.3", "0", "node_sink"}};
    for (int i = 0; i < 5; i++) {
        gd_sim *s = make_sim((const char *const[]){"model.name", "linear", "model.a", c[i].a, "model.b", c[i].b, "model.s", c[i].s, NULL});
        gd_eig_result e;
        CHECK_OK(gd_sim_eig(s, &e));
        if (strcmp(e.type, c[i].type)) fprintf(stderr, "linear %s %s %s: %s\n", c[i].a, c[i].b, c[i].s, e.type);
        CHECK(strcmp(e.type, c[i].type) == 0);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
    gd_model *m = make_model("dirac", (const char *const[]){"reg", "gp", NULL});
    double x0[2] = {0.8, -0.6}, x[2];
    CHECK_OK(gd_model_newton(m, x0, x));
    CHECK_NEAR(x[0], 0, 1e-12);
    CHECK_NEAR(x[1], 0, 1e-12);
    gd_model_free(&m);
    m = make_model("linear", (const char *const[]){"a", "1", "s", "0", NULL}); /* J = diag(-1, 0): singular, F(1,1) != 0 */
    double y0[2] = {1, 1};
    CHECK(gd_model_newton(m, y0, x) == GD_ESOLVER);
    CHECK(strstr(gd_model_errmsg(m), "singular") != NULL);
    gd_model_free(&m);
    gd_sim *s = make_sim((const char *const[]){"model.loss", "wgan", "model.reg", "wgan_gp", NULL});
    gd_eig_result e;
    CHECK(gd_sim_eig(s, &e) == GD_ENOTAVAIL);
    CHECK(strstr(gd_sim_errmsg(s), "no equilibrium") != NULL);
    gd_rate_result r;
    CHECK(gd_sim_rate(s, "", &r) == GD_ENOTAVAIL);
    gd_sim_free(&s);
}

/* gandyn smoothness reports every start of run.x0: one particle over data at 0 (sigma = 1),
 * J = 1 - e^{-x^2/2}, whose curvature at x is (1 - x^2) e^{-x^2/2}: 0.75 e^{-1/8} at 0.5 and
 * -2 e^{-3/2} at sqrt(3); both runs converge to 0 (curvature 1, step limit 2). From 40 the
 * kernel has underflowed: no curvature, no motion (oscillate), the limit from the equilibrium. */
static void smoothness_per_start(void)
{
    gd_sim *s = make_sim((const char *const[]){"model.name", "particles", "model.particles", "0.5", "model.data", "0", "run.x0", "0.5;1.7320508075688772;40", NULL});
    gd_smoothness_result r;
    CHECK_OK(gd_sim_smoothness(s, &r));
    CHECK(r.nstarts == 3 && r.each && r.each[0].start_top == r.start_top && r.each[0].h_limit == r.h_limit);
    const double start[3] = {0.75 * exp(-0.125), -2 * exp(-1.5), 0}, final[3] = {1, 1, 0};
    const char *outcome[3] = {"converge", "converge", "oscillate"};
    for (int k = 0; k < 3; k++) {
        const gd_smoothness_result *e = &r.each[k];
        CHECK_NEAR(e->start_top, start[k], 1e-10);
        CHECK_NEAR(e->start_bottom, start[k], 1e-10);
        CHECK_NEAR(e->final_top, final[k], 1e-10);
        CHECK(strcmp(e->outcome, outcome[k]) == 0 && e->has_equilibrium && e->nstarts == 0 && !e->each);
        CHECK_NEAR(e->eq_top, 1, 1e-10);
        CHECK_NEAR(e->h_limit, 2, 1e-10);
    }
    gd_smoothness_result_free(&r);
    gd_sim_free(&s);
}

/* The model's Jacobian equals central differences of its field near x* (a new model's
 * analytic Jacobian is checked here without a test of its own). */
static void jacobian_matches_fd(const gd_model *m, const double *xs, const char *name)
{
    int n = gd_model_dim(m);
    double *x = malloc(sizeof(double) * (size_t)n), *J = malloc(sizeof(double) * (size_t)n * n), *F = malloc(sizeof(double) * (size_t)n * n);
    for (int k = 0; k < n; k++) x[k] = xs[k] + 0.05 * sin(1.0 + k); /* off x*, where J has every term */
    CHECK_OK(gd_model_jacobian(m, x, J));
    CHECK_OK(gd_model_jacobian_fd(m, x, F));
    double err = 0, scale = 1e-300;
    for (long k = 0; k < (long)n * n; k++) err = fmax(err, fabs(J[k] - F[k])), scale = fmax(scale, fabs(F[k]));
    if (!(err <= 1e-6 * scale)) fprintf(stderr, "%s: |J - J_fd| = %.3g against |J| = %.3g\n", name, err, scale);
    CHECK(err <= 1e-6 * scale);
    free(x), free(J), free(F);
}

/* eig, rate and portrait run on every registered model with its defaults, and its Jacobian
 * matches its field. */
static void every_model(void)
{
    for (const gd_model_type *const *mt = gd_model_types(); *mt; mt++) {
        const char *name = gd_model_type_name(*mt);
        /* functional: its own default start (a grid state); the penalised logit GAN has one slowest mode pair (k = 1) */
        int fn = strcmp(name, "functional") == 0;
        gd_sim *s = make_sim(fn ? (const char *const[]){"model.name", name, "model.loss", "gan_sat", "model.gamma", "0.2", "model.N", "15", "portrait.starts", "2",
                                                   "integrator.steps", "50", NULL}
                           : (const char *const[]){"model.name", name, "run.x0", "0.01,0.01", "portrait.starts", "2", "integrator.steps", "50", NULL});
        gd_eig_result e;
        gd_rate_result r;
        int neq = 0;
        CHECK_OK(gd_sim_eig(s, &e));
        jacobian_matches_fd(gd_sim_get_model(s), e.equilibrium, name);
        CHECK_OK(gd_sim_rate(s, "", &r));
        CHECK(isfinite(r.c_re) && isfinite(r.d_rho));
        CHECK_OK(gd_sim_portrait(s, "out_portrait.h5", &neq));
        CHECK(neq >= 1 && gd_sim_get_ntraj(s) == 4);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
    remove("out_portrait.h5");
}

/* A model without a vector field whose stepper has a map (kernel_gda's exact representation):
 * eig reports the map alone, says why there is no flow spectrum, and its dominant pair is the
 * isolated-point block J_c's, a complex pair with |mu|^2 = det J_c = 1 - lr_d lambda for
 * disc-first alternating GDA (here 0.9), as the linearization computes it analytically. */
static void map_without_field(void)
{
    const char *kv[] = {"model.name", "kernel_gda", "model.representation", "exact", "model.history", "300", "integrator.name", "altgd",
                        "integrator.order", "disc_first", "integrator.h", "0.1", NULL};
    gd_sim *s = make_sim(kv);
    gd_eig_result e, lin;
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK(!e.has_flow && strstr(e.no_flow, "vector field") && strcmp(e.type, "map") == 0);
    int nan_flow = 1;
    for (int i = 0; i < e.dim; i++) nan_flow &= isnan(e.re[i]) && isnan(e.im[i]);
    CHECK(nan_flow);
    CHECK_NEAR(e.rho, sqrt(0.9), 1e-6);
    double rho = e.rho;
    CHECK_OK(gd_sim_set(s, "model.representation", "linear"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_eig(s, &lin));
    CHECK(lin.has_flow && lin.no_flow[0] == '\0' && strcmp(lin.type, "map") != 0);
    CHECK_NEAR(rho, lin.rho, 1e-6);
    gd_eig_result_free(&e), gd_eig_result_free(&lin);
    /* cvode needs the field: an error that names the model's reason */
    CHECK_OK(gd_sim_set(s, "model.representation", "exact"));
    CHECK_OK(gd_sim_set(s, "integrator.name", "cvode"));
    CHECK_OK(gd_sim_setup(s));
    CHECK(gd_sim_eig(s, &e) == GD_ENOTAVAIL && strstr(gd_sim_errmsg(s), "vector field"));
    gd_sim_free(&s);
}

/* Every fixed-step rule: the field evaluations of one iteration (counted from each rule's
 * definition, default keys; altgd one sub-step per player, leapfrog's half, whole and half
 * steps) and the contraction per evaluation rho^(1/evals). implicit_midpoint's count is its
 * Newton's, and the kernel GAN's own map makes none: left out. A rule missing here fails. */
static void evals_per_iteration(void)
{
    static const struct { const char *rule; int evals; } table[] = {
        {"simgd", 1}, {"altgd", 2}, {"symplectic_euler", 2}, {"extragradient", 2}, {"optimistic", 1}, {"leapfrog", 3},
        {"heun", 2}, {"rk4", 4}, {"momentum", 1}, {"nesterov", 1}, {"adam", 1}, {"rmsprop", 1}, {"cgd", 1}};
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++) {
        const char *name = gd_integrator_type_name(*t);
        if (!gd_integrator_type_is_fixed_step(*t) || !strcmp(name, "implicit_midpoint")) continue;
        int want = 0;
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
            if (!strcmp(table[i].rule, name)) want = table[i].evals;
        if (!want) fprintf(stderr, "evals_per_iteration: no count for rule '%s'\n", name);
        CHECK(want > 0);
        gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "integrator.name", name, NULL});
        gd_eig_result e;
        CHECK_OK(gd_sim_eig(s, &e));
        if (e.evals != want) fprintf(stderr, "%s: %d evaluations per iteration, expected %d\n", name, e.evals, want);
        CHECK(e.evals == want);
        CHECK_NEAR(e.rho_per_eval, pow(e.rho, 1.0 / want), 1e-15);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
    gd_sim *s = make_sim((const char *const[]){"model.reg", "gp", "integrator.name", "cvode", NULL});
    gd_eig_result e;
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK(e.evals == 0 && isnan(e.rho_per_eval)); /* cvode: no iteration of fixed cost */
    gd_eig_result_free(&e);
    gd_sim_free(&s);
}

int main(void)
{
    evals_per_iteration();
    eig_table();
    gp_simgd_rho();
    altgd_spectra();
    euler_optimum_scan();
    map_jacobians();
    map_equals_R();
    stability_limits();
    rates();
    types_and_newton();
    every_model();
    map_without_field();
    smoothness_per_start();
    return check_report("test_analysis");
}
