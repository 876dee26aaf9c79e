/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Alternating GD on the Dirac-GAN: docs/models/dirac.md V5 (eigenvalues of the
 * finite-difference Jacobian of one iteration, critical steps) and V6 (the exact
 * invariant Q = b theta^2 + a psi^2 - ab theta psi of linear WGAN).
 */
#include "check.h"

static void map_eigs(const char *loss, const char *h, const char *nd, const char *order, double *wr, double *wi)
{
    gd_model *m = make_model("dirac", (const char *const[]){"loss", loss, NULL});
    gd_stepper *s = make_stepper("altgd", m, (const char *const[]){"h", h, "n_d", nd, "order", order, NULL});
    double x[2] = {0, 0}, M[4];
    CHECK_OK(gd_stepper_map_jacobian_fd(s, x, M));
    eig2(M, wr, wi);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

static double max_abs(const double *wr, const double *wi) { return fmax(hypot(wr[0], wi[0]), hypot(wr[1], wi[1])); }

static void one_iteration_spectra(void)
{
    static const char *const orders[] = {"gen_first", "disc_first"};
    for (int o = 0; o < 2; o++) { /* both orders: cyclic permutations, same spectrum */
        double wr[2], wi[2];
        map_eigs("gan", "0.2", "1", orders[o], wr, wi);
        CHECK_NEAR(wr[0], 0.995, 1e-6);
        CHECK_NEAR(wi[1], 0.099875, 1e-6);
        CHECK_NEAR(max_abs(wr, wi), 1, 1e-6);
        map_eigs("gan", "0.2", "5", orders[o], wr, wi);
        CHECK_NEAR(wr[0], 39.0 / 40, 1e-6);
        CHECK_NEAR(wi[1], 0.222205, 1e-6);
        map_eigs("wgan", "1", "5", orders[o], wr, wi);
        CHECK_NEAR(wr[0], -2.618034, 1e-6);
        CHECK_NEAR(wr[1], -0.381966, 1e-6);
    }
}

static void critical_steps(void)
{
    static const struct { const char *loss, *nd; double fp, hc; } c[] = {
        {"gan", "1", 0.5, 4}, {"gan", "5", 0.5, 1.788854}, {"wgan", "1", 1, 2}, {"wgan", "5", 1, 0.894427}};
    for (int i = 0; i < 4; i++) {
        double hc = 2 / (sqrt(atof(c[i].nd)) * c[i].fp), wr[2], wi[2];
        char h[32];
        CHECK_NEAR(hc, c[i].hc, 1e-6);
        snprintf(h, sizeof h, "%.17g", 0.999 * hc);
        map_eigs(c[i].loss, h, c[i].nd, "gen_first", wr, wi);
        CHECK_NEAR(max_abs(wr, wi), 1, 1e-6);
        snprintf(h, sizeof h, "%.17g", 1.001 * hc);
        map_eigs(c[i].loss, h, c[i].nd, "gen_first", wr, wi);
        CHECK_NEAR(max_abs(wr, wi), 1.093557, 1e-6);
    }
}

static void invariant(void)
{
    static const struct { const char *nd; double q; } c[] = {{"1", 0.36}, {"5", 1.0}};
    for (int i = 0; i < 2; i++) {
        gd_model *m = make_model("dirac", (const char *const[]){"loss", "wgan", NULL});
        gd_stepper *s = make_stepper("altgd", m, (const char *const[]){"h", "0.2", "n_d", c[i].nd, NULL});
        double a = 0.2, b = 0.2 * atof(c[i].nd), x[2] = {1, 1}, t = 0, worst = 0;
        gd_stepper_reset(s, x);
        for (int k = 0; k < 500; k++) {
            gd_stepper_step(s, x, &t);
            double q = b * x[0] * x[0] + a * x[1] * x[1] - a * b * x[0] * x[1];
            worst = fmax(worst, fabs(q - c[i].q));
        }
        CHECK_NEAR(worst, 0, 1e-12);
        gd_stepper_free(&s);
        gd_model_free(&m);
    }
}

int main(void)
{
    one_iteration_spectra();
    critical_steps();
    invariant();
    return check_report("test_altgd");
}
