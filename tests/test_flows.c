/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Continuous-time Dirac-GAN facts through the integrators:
 *  - case 2: GAN and WGAN flows conserve r = |x| (CVODE, rtol 1e-10, t = 100);
 *  - implicit midpoint conserves r^2 on the GAN map (quadratic invariant);
 *  - case 10: WGAN + clip flow ends on the circle of radius min(r0, c) (CVODE with the
 *    clip walls as switching surfaces);
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
            if (!bdf) CHECK_NEAR(worst, 0, 1e-6); /* spec case 2: Adams at rtol 1e-10 */
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

int main(void)
{
    conservation();
    midpoint_invariant();
    clip_flow();
    wgan_gp_flow();
    return check_report("test_flows");
}
