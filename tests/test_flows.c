/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Continuous-time Dirac-GAN facts through the integrators:
 *  - docs/models/dirac.md V2: GAN and WGAN flows conserve r = |x| (CVODE, rtol 1e-10, t = 100);
 *  - implicit midpoint conserves r^2 on the GAN map (quadratic invariant);
 *  - V10: WGAN + clip flow ends on the circle of radius min(r0, c) (CVODE with the
 *    clip walls as switching surfaces);
 *  - divergence: CVODE's root function stops an outward spiral exactly at
 *    sweep.diverge_radius, and the run records the outcome 'diverge';
 *  - WGAN-GP: CVODE crosses the discontinuity at psi = 0 by restarting there, and the
 *    orbit stays on a bounded cycle away from the origin.
 */
#include "check.h"

static double radius(const double *x) { return hypot(x[0], x[1]); }

/* Integrate with cvode to t_end; returns the final state, worst |r - r0| along the way. */
static double cvode_run(const char *const *model_kv, const char *const *cv_kv, double *x, long *nsteps)
{
    gd_model *m = make_model("dirac", model_kv);
    gd_stepper *s = make_stepper("cvode", m, cv_kv);
    double t = 0, r0 = radius(x), worst = 0;
    CHECK_OK(gd_stepper_reset(s, x));
    for (long k = 0; k < 100; k++) {
        CHECK_OK(gd_stepper_step(s, x, &t));
        worst = fmax(worst, fabs(radius(x) - r0));
    }
    CHECK_NEAR(t, 100, 1e-9);
    if (nsteps) *nsteps = gd_stepper_get_nsteps(s);
    gd_stepper_free(&s);
    gd_model_free(&m);
    return worst;
}

static const char *const tight[] = {"rtol", "1e-10", "atol", "1e-12", "t_end", "100", "steps", "100", NULL};

static void conservation(void)
{
    static const char *const losses[] = {"gan", "wgan"};
    for (int i = 0; i < 2; i++) {
        for (int bdf = 0; bdf < 2; bdf++) {
            const char *kv[] = {"rtol", "1e-10", "atol", "1e-12", "t_end", "100", "steps", "100", "method", bdf ? "bdf" : "adams", NULL};
            double x[2] = {1, 1};
            double worst = cvode_run((const char *const[]){"loss", losses[i], NULL}, kv, x, NULL);
            if (!bdf) CHECK_NEAR(worst, 0, 1e-6); /* docs/models/dirac.md V2: Adams at rtol 1e-10 */
            else CHECK_NEAR(worst, 0, 1e-4);      /* BDF damps rotations slightly */
        }
    }
}

static void midpoint_invariant(void)
{
    gd_model *m = make_model("dirac", NULL);
    gd_stepper *s = make_stepper("implicit_midpoint", m, (const char *const[]){"h", "0.2", NULL});
    double x[2] = {1, 1}, t = 0, worst = 0;
    gd_stepper_reset(s, x);
    for (int k = 0; k < 500; k++) {
        CHECK_OK(gd_stepper_step(s, x, &t));
        worst = fmax(worst, fabs(x[0] * x[0] + x[1] * x[1] - 2));
    }
    CHECK_NEAR(worst, 0, 1e-13);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

static void clip_flow(void)
{
    static const struct { double x0[2], r; } c[] = {{{1, 1}, 1}, {{3, 0}, 1}, {{0.5, 0}, 0.5}, {{-2, -0.3}, 1}};
    for (int i = 0; i < 4; i++) {
        double x[2] = {c[i].x0[0], c[i].x0[1]};
        cvode_run((const char *const[]){"loss", "wgan", "reg", "clip", "clip", "1", NULL}, tight, x, NULL);
        CHECK_NEAR(radius(x), c[i].r, 1e-3);
        CHECK(fabs(x[1]) <= 1 + 1e-12);
    }
}

static void wgan_gp_flow(void)
{
    const char *const model[] = {"loss", "wgan", "reg", "wgan_gp", "gamma", "0.7", "g0", "1", NULL};
    double x[2] = {1, 1};
    long nsteps = 0;
    cvode_run(model, (const char *const[]){"rtol", "1e-9", "atol", "1e-12", "t_end", "100", "steps", "100", NULL}, x, &nsteps);
    /* Bounded, away from the origin (a cycle, not convergence), and no stall at psi = 0. */
    CHECK(radius(x) > 0.3 && radius(x) < 3);
    CHECK(nsteps < 100000);
    /* The smoothed sign converges to the hard switch: same state at t = 100 to 1e-3. */
    double y[2] = {1, 1};
    cvode_run((const char *const[]){"loss", "wgan", "reg", "wgan_gp", "gamma", "0.7", "g0", "1", "sign_eps", "1e-7", NULL},
              (const char *const[]){"method", "bdf", "rtol", "1e-9", "atol", "1e-12", "t_end", "100", "steps", "100", NULL}, y, NULL);
    CHECK_NEAR(y[0], x[0], 1e-3);
    CHECK_NEAR(y[1], x[1], 1e-3);
}

/* x' = [[0.1, -1], [1, 0.1]] x spirals out as e^{0.1 t}: from |x0| = 1 it reaches
 * radius 10 at t = 10 ln 10 = 23.02585. */
static void divergence_stop(void)
{
    gd_model *m = make_model("linear", (const char *const[]){"a", "-0.1", "b", "-0.1", NULL});
    gd_stepper *s = make_stepper("cvode", m, (const char *const[]){"rtol", "1e-10", "atol", "1e-12", "t_end", "100",
                                                                   "steps", "10", "diverge_radius", "10", NULL});
    double x[2] = {1, 0}, t = 0;
    int rc = GD_OK;
    gd_stepper_reset(s, x);
    for (int k = 0; k < 10 && rc == GD_OK; k++) rc = gd_stepper_step(s, x, &t);
    CHECK(rc == GD_DIVERGED);
    CHECK_NEAR(radius(x), 10, 1e-6);
    CHECK_NEAR(t, 10 * log(10.0), 1e-6);
    gd_stepper_free(&s);
    gd_model_free(&m);

    static const char *const integrators[] = {"cvode", "simgd"};
    for (int i = 0; i < 2; i++) {
        gd_sim *sim = gd_sim_create();
        gd_sim_set(sim, "model.name", "linear");
        gd_sim_set(sim, "model.a", "-0.1");
        gd_sim_set(sim, "integrator.name", integrators[i]);
        gd_sim_set(sim, "sweep.diverge_radius", "10");
        gd_sim_set(sim, "run.x0", "1,0;0,0");
        CHECK_OK(gd_sim_setup(sim));
        CHECK_OK(gd_sim_run(sim, ""));
        CHECK(gd_sim_get_outcome(sim, 0) == GD_DIVERGE);
        CHECK(gd_sim_get_steps(sim, 0) < 500);
        CHECK(gd_sim_get_outcome(sim, 1) == GD_CONVERGE); /* starting at the equilibrium */
        gd_sim_free(&sim);
    }
}

int main(void)
{
    divergence_stop();
    conservation();
    midpoint_invariant();
    clip_flow();
    wgan_gp_flow();
    return check_report("test_flows");
}
