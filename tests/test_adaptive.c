/* SPDX-License-Identifier: BSD-3-Clause
 *
 * rmsprop and adam against their validation cases (docs/optimizers.md, cases 8-12):
 * the spectra of the frozen-second-moment map against the spec's numbers and against closed
 * forms written here (the 2 x 2 frozen map, heavy-ball momentum's characteristic polynomial),
 * measured contraction of runs of that map (freeze_v), rmsprop's critical step with eps = 1,
 * the exact scale invariance and the attractor size of the deterministic eps = 0 game, Adam's
 * first step. Then: critical over integrator.beta1 (observed and predicted), the iteration
 * counter restarting with every start and every batched block, and the one-line errors.
 * update = alt (player by player): the spectrum does not depend on the order (momentum,
 * nesterov, adam, rmsprop), frozen alternating adam is alternating heavy-ball momentum with
 * beta = beta1 and step (1 - beta1) h p (case 1's radius), and the analytic map Jacobian on the
 * extended state equals central differences of the step.
 */
#include "check.h"

#include <complex.h>
#include <string.h>

static gd_sim *sim(const char *const *kv)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv[i]; i += 2)
        if (gd_sim_set(s, kv[i], kv[i + 1]) != GD_OK) fprintf(stderr, "set %s: %s\n", kv[i], gd_sim_errmsg(s));
    if (gd_sim_setup(s) != GD_OK) fprintf(stderr, "setup: %s\n", gd_sim_errmsg(s));
    return s;
}

/* The Dirac GP of cases 8 and 9: gan loss, R1/R2 weight 0.3, J(0) = [[0, -1/2], [1/2, -0.3]];
 * the frozen second moment (0.01, 0.04), h = 0.01. */
#define DIRAC_GP "model.reg", "gp", "model.gamma", "0.3", "integrator.h", "0.01", "integrator.v_frozen_g", "0.01", "integrator.v_frozen_d", "0.04"
static const double GP_J[4] = {0, -0.5, 0.5, -0.3}, GP_V[2] = {0.01, 0.04}, GP_H = 0.01, EPS = 1e-8;

/* The map's eigenvalue closest to (re, im), and the largest modulus among those that are not
 * beta2 (the v block's). */
static double nearest(const gd_eig_result *e, double re, double im)
{
    double best = INFINITY;
    for (int i = 0; i < e->map_dim; i++) best = fmin(best, hypot(e->map_re[i] - re, e->map_im[i] - im));
    return best;
}

static double radius_without(const gd_eig_result *e, double beta2, int *count_beta2)
{
    double r = 0;
    *count_beta2 = 0;
    for (int i = 0; i < e->map_dim; i++) {
        if (fabs(e->map_re[i] - beta2) < 1e-12 && fabs(e->map_im[i]) < 1e-12) (*count_beta2)++;
        else r = fmax(r, hypot(e->map_re[i], e->map_im[i]));
    }
    return r;
}

/* Eigenvalues z of H P J (P = 1/(sqrt(v) + eps) per player), from the 2 x 2 formula. */
static void frozen_z(double complex z[2])
{
    double hp[2] = {GP_H / (sqrt(GP_V[0]) + EPS), GP_H / (sqrt(GP_V[1]) + EPS)};
    double a = hp[0] * GP_J[0], b = hp[0] * GP_J[1], c = hp[1] * GP_J[2], d = hp[1] * GP_J[3];
    double complex disc = csqrt((a - d) * (a - d) + 4 * b * c + 0 * I);
    z[0] = (a + d + disc) / 2, z[1] = (a + d - disc) / 2;
}

/* Largest |mu| of heavy-ball momentum, mu^2 - (1 + beta + (1 - beta) z) mu + beta = 0, over z. */
static double heavy_ball_rho(double beta, const double complex z[2])
{
    double r = 0;
    for (int k = 0; k < 2; k++) {
        double complex p = 1 + beta + (1 - beta) * z[k], q = csqrt(p * p - 4 * beta);
        r = fmax(r, fmax(cabs((p + q) / 2), cabs((p - q) / 2)));
    }
    return r;
}

/* Runs the sim's stepper from x0 for k1 iterations; |x_k| for k = k0 .. k1 into r (may be NULL),
 * the final state into x. */
static void run(gd_sim *s, const double *x0, long k0, long k1, double *r, double *x)
{
    gd_stepper *st = gd_sim_get_stepper(s);
    int n = gd_model_dim(gd_sim_get_model(s));
    double t = 0;
    memcpy(x, x0, sizeof(double) * (size_t)n);
    CHECK_OK(gd_stepper_reset(st, x));
    for (long k = 0; k <= k1; k++) {
        if (r && k >= k0) r[k - k0] = n == 2 ? hypot(x[0], x[1]) : NAN;
        if (k < k1 && gd_stepper_step(st, x, &t) < 0) break;
    }
}

/* (|x_k1| / |x_k0|)^(1/(k1 - k0)) of the sim's rule from x0 (the spec's "meas"). */
static double measured(gd_sim *s, const double *x0, long k0, long k1)
{
    double x[2], *r = malloc(sizeof(double) * (size_t)(k1 - k0 + 1));
    run(s, x0, k0, k1, r, x);
    double rate = pow(r[k1 - k0] / r[0], 1.0 / (double)(k1 - k0));
    free(r);
    return rate;
}

/* Case 8: rmsprop's frozen map on the Dirac GP; its eigenvalues 1 + z, z those of H P J. */
static void case8(void)
{
    gd_sim *s = sim((const char *const[]){"integrator.name", "rmsprop", DIRAC_GP, NULL});
    gd_eig_result e;
    CHECK_OK(gd_sim_eig(s, &e));
    double complex z[2];
    frozen_z(z);
    CHECK(e.map_dim == 4 && e.map_analytic);
    CHECK_NEAR(nearest(&e, 1 + creal(z[0]), fabs(cimag(z[0]))), 0, 1e-13);
    CHECK_NEAR(nearest(&e, 0.9925, 0.03455068), 0, 1e-8); /* the spec's digits */
    CHECK_NEAR(nearest(&e, 0.99, 0), 0, 1e-15);           /* the v block, beta2 = 0.99 */
    CHECK_NEAR(e.rho, 0.9931012036, 1e-9);
    CHECK(e.v_frozen && e.v_frozen[0] == 0.01 && e.v_frozen[1] == 0.04);
    CHECK_NEAR(e.v_radius, 1e-8 / sqrt(0.01), 1e-22); /* eps / sqrt(1 - beta2) */
    gd_eig_result_free(&e);
    /* the frozen map run (freeze_v) from (1e-3, 1e-3) contracts at that rate */
    CHECK_OK(gd_sim_set(s, "integrator.freeze_v", "true"));
    CHECK_OK(gd_sim_setup(s));
    double meas = measured(s, (const double[]){1e-3, 1e-3}, 1000, 3000);
    printf("case 8: rho %.10f, measured %.7f (spec 0.9930634)\n", 0.9931012036, meas);
    CHECK_NEAR(meas, 0.9930634, 1e-3);
    CHECK_NEAR(meas, 0.9931012036, 1e-3);
    gd_sim_free(&s);
}

/* Case 9: frozen adam is heavy-ball momentum beta1 with step (1 - beta1) h p. beta2 = 0.99 keeps
 * the v block below the game's modes; at adam's default 0.999 it is the spectral radius. */
static void case9(void)
{
    static const struct { const char *beta1; double rho; } c[] = {{"0.9", 1.002700682}, {"0.5", 0.9943180026}, {"0", 0.9931012036}};
    double complex z[2];
    frozen_z(z);
    for (int i = 0; i < 3; i++) {
        gd_sim *s = sim((const char *const[]){"integrator.name", "adam", DIRAC_GP, "integrator.beta1", c[i].beta1, "integrator.beta2", "0.99", NULL});
        gd_eig_result e;
        int nb;
        CHECK_OK(gd_sim_eig(s, &e));
        CHECK(e.map_dim == 6);
        printf("case 9: beta1 = %s rho %.10f (spec %.10f)\n", c[i].beta1, e.rho, c[i].rho);
        CHECK_NEAR(e.rho, c[i].rho, 1e-9);
        CHECK_NEAR(e.rho, heavy_ball_rho(atof(c[i].beta1), z), 1e-12);
        gd_eig_result_free(&e);
        CHECK_OK(gd_sim_set(s, "integrator.beta2", "0.999"));
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sim_eig(s, &e));
        CHECK_NEAR(radius_without(&e, 0.999, &nb), c[i].rho, 1e-9);
        CHECK(nb == 2); /* the v block: beta2 once per coordinate */
        CHECK_NEAR(e.rho, fmax(0.999, heavy_ball_rho(atof(c[i].beta1), z)), 1e-12);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
}

/* Case 10: rmsprop with eps = 1 on the block (0, 1, 1). At v = 0 its map is simgd's, I + hJ,
 * which contracts iff h < (a + b)/(ab + s^2) = 1; at h = 0.99, rho = |1 + h lambda|. */
static void case10(void)
{
    gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.s", "1", "model.b", "1", "integrator.name", "rmsprop",
                                          "integrator.eps", "1", "integrator.h", "0.99", "run.x0", "1e-3,5e-4", "integrator.steps", "2000", NULL});
    gd_critical_result r;
    CHECK_OK(gd_sim_critical(s, "integrator.h", 0.9, 1.1, 1e-7, &r));
    printf("case 10: critical h predicted %.10f, observed %.6f (%s below, %s above)\n", r.predicted, r.value, gd_outcome_name(r.below),
           gd_outcome_name(r.above));
    CHECK_NEAR(r.predicted, 1.0, 1e-9);
    /* observed from a start inside the bounded cycle past it (v grows and shortens the step;
     * from (0.1, 0.05), above the cycle, runs shrink towards it up to h ~ 1.07) */
    CHECK(r.below == GD_CONVERGE && r.above == GD_OSCILLATE);
    CHECK_NEAR(r.value, 1.0, 1e-3);
    gd_eig_result e;
    CHECK_OK(gd_sim_eig(s, &e));
    double complex lam = -0.5 + I * sqrt(3.0) / 2; /* eigenvalues of [[0, -1], [1, -1]] */
    CHECK_NEAR(e.rho, cabs(1 + 0.99 * lam), 1e-12);
    CHECK_NEAR(e.rho, 0.9950377, 1e-7);
    gd_eig_result_free(&e);
    double meas = measured(s, (const double[]){0.1, 0.05}, 2000, 6000);
    printf("case 10: rho %.9f, measured %.7f (spec 0.9950689)\n", cabs(1 + 0.99 * lam), meas);
    CHECK_NEAR(meas, 0.9950689, 1e-3);
    /* past the critical step: bounded and not converging (the spec: |x| ~ 0.017 after 6e4 steps) */
    double x[2];
    CHECK_OK(gd_sim_set(s, "integrator.h", "1.01"));
    CHECK_OK(gd_sim_setup(s));
    run(s, (const double[]){0.1, 0.05}, 0, 60000, NULL, x);
    printf("case 10: h = 1.01, |x| = %.4g after 6e4 steps (spec ~0.017)\n", hypot(x[0], x[1]));
    CHECK(hypot(x[0], x[1]) > 0.005 && hypot(x[0], x[1]) < 0.05);
    gd_sim_free(&s);
}

/* Case 11: rmsprop with eps = 0 on the block (0, 1, 1) from (1, 0.5): (x, v, h) -> (cx, c^2 v, ch)
 * maps runs onto runs, so h/10 from x0/10 is the same run scaled, and |x|/h has a limit cycle
 * of its own size, mean 1.387166 over steps 1e5..2e5, for every h. */
static void case11(void)
{
    const char *base[] = {"model.name", "linear", "model.a", "0", "model.s", "1", "model.b", "1", "integrator.name", "rmsprop",
                          "integrator.eps", "0", "integrator.h", "1e-2", NULL};
    gd_sim *a = sim(base), *b = sim(base);
    CHECK_OK(gd_sim_set(b, "integrator.h", "1e-3"));
    CHECK_OK(gd_sim_setup(b));
    enum { K = 200000, K0 = 100000 };
    double *ra = malloc(sizeof(double) * 2 * (K + 1)), *rb = ra + K + 1, x[2], worst = 0;
    run(a, (const double[]){1, 0.5}, 0, K, ra, x);
    run(b, (const double[]){0.1, 0.05}, 0, K, rb, x);
    for (int k = 0; k <= 20000; k++) worst = fmax(worst, fabs(ra[k] / rb[k] / 10 - 1));
    printf("case 11: |x(h)| / |x(h/10)| = 10 to %.2g relative over 2e4 steps\n", worst);
    CHECK(worst <= 1e-9);
    double mean[2] = {0, 0}, lo = INFINITY, hi = 0;
    for (int k = K0; k <= K; k++) {
        mean[0] += ra[k] / 1e-2, mean[1] += rb[k] / 1e-3;
        lo = fmin(lo, ra[k] / 1e-2), hi = fmax(hi, ra[k] / 1e-2);
    }
    for (int i = 0; i < 2; i++) mean[i] /= K - K0 + 1;
    printf("case 11: mean |x|/h %.7f (h = 1e-2), %.7f (h = 1e-3), range [%.6f, %.6f] (spec 1.387166, [0.996228, 1.727010])\n", mean[0], mean[1],
           lo, hi);
    CHECK_NEAR(mean[0] / 1.387166, 1, 1e-4);
    CHECK_NEAR(mean[1] / 1.387166, 1, 1e-4);
    CHECK_NEAR(lo / 0.996228, 1, 1e-5);
    CHECK_NEAR(hi / 1.727010, 1, 1e-5);
    /* eps = 1e-8 changes the cycle by less than 1e-5 */
    CHECK_OK(gd_sim_set(a, "integrator.eps", "1e-8"));
    CHECK_OK(gd_sim_setup(a));
    run(a, (const double[]){1, 0.5}, 0, K, ra, x);
    double m8 = 0;
    for (int k = K0; k <= K; k++) m8 += ra[k] / 1e-2;
    m8 /= K - K0 + 1;
    CHECK_NEAR(m8 / mean[0], 1, 1e-5);
    free(ra);
    gd_sim_free(&a), gd_sim_free(&b);
}

/* Case 12: Adam's first step is h g/(|g| + eps) ~ h per coordinate with bias correction, and
 * h (1 - beta1) g / (sqrt(1 - beta2) |g| + eps) ~ 3.162278 h without (beta1 = 0.9, beta2 = 0.999). */
static void case12(void)
{
    for (int bias = 1; bias >= 0; bias--) {
        gd_sim *s = sim((const char *const[]){"model.name", "linear", "model.a", "0", "model.s", "1", "model.b", "1", "integrator.name", "adam",
                                              "integrator.beta1", "0.9", "integrator.beta2", "0.999", "integrator.h", "0.1", "integrator.lr_d", "0.3",
                                              "integrator.bias_correction", bias ? "true" : "false", NULL});
        const double x0[2] = {3, -2}, g[2] = {2, 5}, h[2] = {0.1, 0.3}; /* g = J x0 */
        double x[2];
        run(s, x0, 0, 1, NULL, x);
        for (int i = 0; i < 2; i++) {
            double step = fabs(x[i] - x0[i]) / h[i];
            double exact = bias ? g[i] / (g[i] + EPS) : 0.1 * g[i] / (sqrt(0.001) * g[i] + EPS);
            printf("case 12: bias_correction %s, |dx_%d|/h = %.9f (spec %s)\n", bias ? "true" : "false", i, step, bias ? "1.000000" : "3.162278");
            CHECK_NEAR(step, exact, 1e-12);
            CHECK_NEAR(step, bias ? 1.0 : 3.162278, 1e-6);
        }
        gd_sim_free(&s);
    }
}

/* critical over integrator.beta1: frozen adam on the Dirac GP turns from contracting (0.5) to
 * expanding (0.9) where heavy-ball momentum's rho crosses 1. */
static void critical_beta1(void)
{
    gd_sim *s = sim((const char *const[]){"integrator.name", "adam", DIRAC_GP, "integrator.beta2", "0.99", "integrator.freeze_v", "true", "run.x0",
                                          "1e-3,1e-3", "integrator.steps", "20000", NULL});
    gd_critical_result r;
    CHECK_OK(gd_sim_critical(s, "integrator.beta1", 0.5, 0.9, 1e-6, &r));
    double complex z[2];
    frozen_z(z);
    double lo = 0.5, hi = 0.9;
    while (hi - lo > 1e-12) {
        double mid = 0.5 * (lo + hi);
        if (heavy_ball_rho(mid, z) < 1) lo = mid;
        else hi = mid;
    }
    printf("critical beta1: predicted %.9f, observed %.6f, heavy ball %.9f (%s below, %s above)\n", r.predicted, r.value, lo, gd_outcome_name(r.below),
           gd_outcome_name(r.above));
    CHECK_NEAR(r.predicted, lo, 1e-6);
    CHECK_NEAR(r.value, lo, 1e-3);
    CHECK(r.below == GD_CONVERGE && r.above == GD_DIVERGE);
    gd_sim_free(&s);
}

/* The iteration count restarts with every start: a second run from the same start after a
 * reset repeats the first bit for bit (bias correction from k = 1), and so does every block of a
 * batched sweep, whose lane one thread reuses block after block. */
static void counter_restarts(void)
{
    gd_sim *s = sim((const char *const[]){"integrator.name", "adam", "model.reg", "gp", "integrator.h", "0.05", NULL});
    double a[2], b[2];
    run(s, (const double[]){0.7, -0.4}, 0, 25, NULL, a);
    run(s, (const double[]){0.7, -0.4}, 0, 25, NULL, b);
    CHECK(a[0] == b[0] && a[1] == b[1]);
    gd_sim_free(&s);
    gd_sweep *w = NULL;
    long nb = gd_sweep_block_size();
    char axis[64];
    snprintf(axis, sizeof axis, "run.x0.0:0.6:0.6:%ld", 3 * nb); /* three blocks of one cell */
    s = sim((const char *const[]){"integrator.name", "adam", "model.reg", "gp", "integrator.h", "0.05", "integrator.steps", "400", "sweep.x", axis,
                                  "run.x0", "0.6,0.3", NULL});
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_is_batched(w));
    gd_sweep_set_threads(w, 1);
    CHECK_OK(gd_sweep_run(w));
    const double *rate = gd_sweep_get_rate(w);
    const signed char *out = gd_sweep_get_outcome(w);
    int same = 1;
    for (long i = 1; i < 3 * nb; i++) same &= !memcmp(&rate[i], &rate[0], sizeof rate[0]) && out[i] == out[0];
    CHECK(same);
    CHECK(isfinite(rate[0]));
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* Out-of-range keys and an infinite frozen step: one line naming the key or the remedy. */
static void errors(void)
{
    gd_model *m = make_model("dirac", NULL);
    gd_stepper *st = gd_stepper_create(gd_integrator_type_find("adam"), m);
    static const struct { const char *key, *value, *msg; } bad[] = {
        {"beta1", "1", "integrator.beta1 = 1 is out of range (must be > -1 and < 1)"},
        {"beta1", "-1", "integrator.beta1 = -1 is out of range"},
        {"beta2", "1", "integrator.beta2 = 1 is out of range (must be >= 0 and < 1)"},
        {"beta2", "-0.1", "integrator.beta2 = -0.1 is out of range"},
        {"eps", "-1e-9", "integrator.eps = -1e-9 is out of range (must be >= 0)"},
        {"v_frozen_d", "-1", "integrator.v_frozen_d = -1 is out of range"},
        {"eps_mode", "between", "integrator.eps_mode = 'between' is not one of: outside | inside"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(gd_stepper_set(st, bad[i].key, bad[i].value) == GD_EUSAGE);
        if (!strstr(gd_stepper_errmsg(st), bad[i].msg)) fprintf(stderr, "%s\n", gd_stepper_errmsg(st));
        CHECK(strstr(gd_stepper_errmsg(st), bad[i].msg) && !strchr(gd_stepper_errmsg(st), '\n'));
    }
    CHECK_OK(gd_stepper_set(st, "eps", "0"));
    CHECK_OK(gd_stepper_set(st, "freeze_v", "true"));
    CHECK(gd_stepper_setup(st) == GD_EUSAGE && strstr(gd_stepper_errmsg(st), "infinite step"));
    CHECK_OK(gd_stepper_set(st, "v_frozen", "0.25"));
    CHECK_OK(gd_stepper_setup(st));
    gd_stepper_free(&st);
    gd_model_free(&m);
    gd_sim *s = sim((const char *const[]){"integrator.name", "rmsprop", "model.reg", "gp", "integrator.eps", "0", NULL});
    gd_eig_result e;
    CHECK(gd_sim_eig(s, &e) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "set integrator.v_frozen > 0 or eps > 0"));
    gd_sim_free(&s);
}

/* ------------------------------------------------------------- update = alt ---- */
/* Every eigenvalue of a within tol of one of b's, and the counts equal. */
static int same_spectrum(const gd_eig_result *a, const gd_eig_result *b, double tol)
{
    int ok = a->map_dim == b->map_dim;
    for (int i = 0; i < a->map_dim && ok; i++) ok = nearest(b, a->map_re[i], a->map_im[i]) <= tol && nearest(a, b->map_re[i], b->map_im[i]) <= tol;
    return ok;
}

/* The alternation order does not change the spectrum (the iteration's Jacobians for gen_first
 * and disc_first are cyclic permutations of one product, D^n_d G^n_g and G^n_g D^n_d): every
 * momentum-type rule, n_g = 2, n_d = 3, on the Dirac GP. */
static void order_invariance(void)
{
    static const char *const rules[] = {"momentum", "nesterov", "adam", "rmsprop"};
    for (int r = 0; r < 4; r++) {
        gd_eig_result e[2];
        for (int o = 0; o < 2; o++) {
            gd_sim *s = sim((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", "integrator.name", rules[r], "integrator.update", "alt", "integrator.n_g",
                                                  "2", "integrator.n_d", "3", "integrator.order", o ? "disc_first" : "gen_first", "integrator.h", "0.05",
                                                  "integrator.beta", "-0.3", "integrator.beta1", "0.4", "integrator.v_frozen_g", "0.3", "integrator.v_frozen_d",
                                                  "0.6", NULL});
            CHECK_OK(gd_sim_eig(s, &e[o]));
            gd_sim_free(&s);
        }
        if (!same_spectrum(&e[0], &e[1], 1e-12)) fprintf(stderr, "%s: the spectrum depends on the order\n", rules[r]);
        CHECK(same_spectrum(&e[0], &e[1], 1e-12));
        CHECK_NEAR(e[0].rho, e[1].rho, 1e-12);
        gd_eig_result_free(&e[0]), gd_eig_result_free(&e[1]);
    }
}

/* Frozen alternating adam is alternating heavy-ball momentum with beta = beta1 and step
 * (1 - beta1) h p (b = m / (1 - beta1)), player by player: on the bilinear game (Dirac WGAN)
 * with v_frozen = 1, eps = 0 (p = 1), beta1 = -0.5 and h = 0.1/1.5, the (x, m) block has
 * momentum's spectrum at h = 0.1, beta = -0.5 (case 1: rho = 0.9985177891), the v block beta2.
 * Alternating rmsprop is altgd with step h p: on the bilinear game |mu| = 1. */
static void alternating_frozen_maps(void)
{
    const char *const wgan[] = {"model.loss", "wgan", "model.reg", "none", "integrator.update", "alt", "integrator.eps", "0", "integrator.v_frozen", "1",
                                "integrator.beta2", "0.9", "integrator.beta", "-0.5", "integrator.beta1", "-0.5", NULL};
    gd_eig_result e[3];
    const char *rules[3] = {"adam", "momentum", "rmsprop"}, *hs[3] = {"0.066666666666666667", "0.1", "0.1"};
    for (int r = 0; r < 3; r++) {
        gd_sim *s = sim(wgan);
        CHECK_OK(gd_sim_set(s, "integrator.name", rules[r]));
        CHECK_OK(gd_sim_set(s, "integrator.h", hs[r]));
        CHECK_OK(gd_sim_setup(s));
        CHECK_OK(gd_sim_eig(s, &e[r]));
        gd_sim_free(&s);
    }
    int nb2 = 0;
    CHECK_NEAR(radius_without(&e[0], 0.9, &nb2), 0.9985177891, 1e-9);
    CHECK(nb2 == 2 && e[0].map_dim == 6 && e[1].map_dim == 4);
    for (int i = 0; i < e[1].map_dim; i++) CHECK(nearest(&e[0], e[1].map_re[i], e[1].map_im[i]) <= 1e-12);
    CHECK_NEAR(radius_without(&e[2], 0.9, &nb2), 1.0, 1e-12);
    for (int r = 0; r < 3; r++) gd_eig_result_free(&e[r]);
}

/* The analytic map Jacobian of alternating adam and rmsprop (frozen second moment, v_frozen > 0,
 * where differences resolve the step) equals central differences of the implemented step on
 * the extended state (x, m, v), away from x*, n_g = 2, n_d = 3, both orders. */
static void alternating_jacobians(void)
{
    gd_model *m = make_model("dirac", (const char *const[]){"loss", "nsgan", "reg", "gp", "gamma", "0.4", NULL});
    for (int r = 0; r < 2; r++)
        for (int o = 0; o < 2; o++) {
            gd_stepper *s = make_stepper(r ? "rmsprop" : "adam", m,
                                         (const char *const[]){"h", "0.3", "lr_d", "0.2", "update", "alt", "n_g", "2", "n_d", "3", "order", o ? "disc_first" : "gen_first",
                                                               "freeze_v", "true", "v_frozen_g", "0.3", "v_frozen_d", "0.2", "beta2", "0.9", "beta1", "0.4", NULL});
            double x[2] = {0.7, -0.4}, A[36], F[36], worst = 0;
            int an = 0, n = gd_stepper_map_dim(s);
            CHECK(n == (r ? 4 : 6));
            CHECK_OK(gd_stepper_map_jacobian(s, x, A, &an));
            CHECK_OK(gd_stepper_map_jacobian_fd(s, x, F));
            CHECK(an);
            for (int i = 0; i < n * n; i++) worst = fmax(worst, fabs(A[i] - F[i]));
            if (!(worst <= 1e-7)) fprintf(stderr, "%s alt %d: |analytic - differences| = %.3g\n", r ? "rmsprop" : "adam", o, worst);
            CHECK(worst <= 1e-7);
            gd_stepper_free(&s);
        }
    gd_model_free(&m);
}

int main(void)
{
    case8();
    case9();
    case10();
    case11();
    case12();
    critical_beta1();
    counter_restarts();
    errors();
    order_invariance();
    alternating_frozen_maps();
    alternating_jacobians();
    return check_report("test_adaptive");
}
