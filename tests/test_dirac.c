/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dirac-GAN field and Jacobian: docs/models/dirac.md V1 (Jacobian at 0 and its
 * eigenvalue table), analytic vs central-difference Jacobians for every smooth variant,
 * V8 (the continuous decay rate peaks at gamma = 2|f'(0)| = 1 with value 0.5), Newton and the
 * portrait on consensus optimization's numerically flat far field.
 */
#include "check.h"

#include <math.h>
#include <string.h>

static void eig_at_zero(const char *const *kv, double *wr, double *wi)
{
    gd_model *m = make_model("dirac", kv);
    double x[2] = {0, 0}, J[4];
    CHECK_OK(gd_model_jacobian(m, x, J));
    eig2(J, wr, wi);
    gd_model_free(&m);
}

/* Expected eigenvalues sorted as eig2 sorts them. */
static void expect_eigs(const char *const *kv, double r0, double i0, double r1, double i1)
{
    double wr[2], wi[2];
    eig_at_zero(kv, wr, wi);
    CHECK_NEAR(wr[0], r0, 1e-6);
    CHECK_NEAR(wi[0], i0, 1e-6);
    CHECK_NEAR(wr[1], r1, 1e-6);
    CHECK_NEAR(wi[1], i1, 1e-6);
}

static void eigenvalue_table(void)
{
    expect_eigs((const char *const[]){"loss", "gan", NULL}, 0, -0.5, 0, 0.5);
    expect_eigs((const char *const[]){"loss", "nsgan", NULL}, 0, -0.5, 0, 0.5);
    expect_eigs((const char *const[]){"loss", "wgan", NULL}, 0, -1, 0, 1);
    expect_eigs((const char *const[]){"reg", "gp", "gamma", "0.3", NULL}, -0.15, -0.4769696, -0.15, 0.4769696);
    expect_eigs((const char *const[]){"reg", "gp", "gamma", "1", NULL}, -0.5, 0, -0.5, 0);
    expect_eigs((const char *const[]){"reg", "gp", "gamma", "1.5", NULL}, -1.3090170, 0, -0.1909830, 0);
    expect_eigs((const char *const[]){"reg", "consensus", "gamma", "1", NULL}, -0.25, -0.5, -0.25, 0.5);
    expect_eigs((const char *const[]){"reg", "consensus", "gamma", "1", "co_form", "notebook", NULL}, -0.25, -0.5, -0.25, 0.5);
    expect_eigs((const char *const[]){"reg", "noise", "sigma", "0.7", NULL}, -0.1225, -0.4847615, -0.1225, 0.4847615);
    expect_eigs((const char *const[]){"reg", "noise", "sigma", "2", NULL}, -1.8660254, 0, -0.1339746, 0);
    expect_eigs((const char *const[]){"loss", "wgan", "reg", "noise", "sigma", "0.7", NULL}, 0, -1, 0, 1);

    /* Instance noise equals the gradient penalty at linear order: J22 = 2 sigma^2 f''(0). */
    gd_model *m = make_model("dirac", (const char *const[]){"reg", "noise", "sigma", "0.7", NULL});
    double x[2] = {0, 0}, J[4];
    gd_model_jacobian(m, x, J);
    CHECK_NEAR(J[3], -0.245, 1e-12);
    gd_model_free(&m);
}

static void fd_jacobians(void)
{
    static const char *const variants[][12] = {
        {"loss", "gan", NULL},
        {"loss", "nsgan", NULL},
        {"loss", "wgan", NULL},
        {"reg", "gp", "gamma", "0.7", NULL},
        {"loss", "nsgan", "reg", "gp", "gamma", "0.3", NULL},
        {"reg", "noise", "sigma", "0.7", NULL},
        {"loss", "nsgan", "reg", "noise", "sigma", "1.3", NULL},
        {"reg", "consensus", "gamma", "1", NULL},
        {"loss", "nsgan", "reg", "consensus", "gamma", "0.5", NULL},
        {"reg", "consensus", "gamma", "1", "co_form", "notebook", NULL},
        {"loss", "wgan", "reg", "wgan_gp", "gamma", "0.7", NULL},
        {"loss", "wgan", "reg", "wgan_gp", "gamma", "0.7", "sign_eps", "0.3", NULL},
        {"loss", "wgan", "reg", "clip", "clip", "2", NULL},
    };
    static const double pts[][2] = {{0.0, 0.0}, {0.7, -0.4}, {1.3, 0.9}, {-0.5, 1.5}, {-2.0, -1.1}};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        gd_model *m = make_model("dirac", variants[v]);
        int hard_sign = strcmp(variants[v][3] ? variants[v][3] : "", "wgan_gp") == 0 && !variants[v][6];
        for (size_t p = 0; p < sizeof pts / sizeof pts[0]; p++) {
            if (hard_sign && pts[p][1] == 0) continue; /* the field jumps at psi = 0 */
            double Ja[4], Jf[4];
            CHECK_OK(gd_model_jacobian(m, pts[p], Ja));
            CHECK_OK(gd_model_jacobian_fd(m, pts[p], Jf));
            for (int i = 0; i < 4; i++) CHECK_NEAR(Ja[i], Jf[i], 1e-6);
        }
        gd_model_free(&m);
    }
}

static void equilibria(void)
{
    double x[2] = {9, 9};
    gd_model *m = make_model("dirac", (const char *const[]){"reg", "consensus", NULL});
    CHECK_OK(gd_model_equilibrium(m, x));
    CHECK(x[0] == 0 && x[1] == 0);
    double v[2];
    gd_model_field(m, x, v);
    CHECK(v[0] == 0 && v[1] == 0);
    gd_model_free(&m);
    m = make_model("dirac", (const char *const[]){"loss", "wgan", "reg", "wgan_gp", NULL});
    CHECK(gd_model_equilibrium(m, x) == GD_ENOTAVAIL);
    CHECK(strstr(gd_model_errmsg(m), "no equilibrium") != NULL);
    gd_model_free(&m);
}

/* Consensus optimization's far field: where theta psi ~ 30, f' ~ e^-30 makes the field and its
 * Jacobian both ~1e-12, below Newton's residual test, with no root near (the linearisation's step
 * from there is of order one). Newton from such a point must not call it an equilibrium, and the
 * portrait of docs/models/dirac.md's box finds the three genuine ones (the search once reported 629,
 * 626 of them from this plateau). Each root found is checked from the definition: its field
 * vanishes and its finite-difference Jacobian (from the field alone) has the determinant's sign of
 * its type. */
static void far_field(void)
{
    const char *const co[] = {"reg", "consensus", "gamma", "1", "co_form", "exact", NULL};
    gd_model *m = make_model("dirac", co);
    const double plateau[][2] = {{2.75, 11}, {-2.95133306, -10.3278451}, {2.73666320, 10.9389554}};
    for (int k = 0; k < 3; k++) {
        double x[2], v[2];
        CHECK_OK(gd_model_field(m, plateau[k], v));
        CHECK(hypot(v[0], v[1]) < 1e-11); /* small enough to have passed the residual test alone */
        CHECK(gd_model_newton(m, plateau[k], x) != GD_OK);
        CHECK(strstr(gd_model_errmsg(m), "did not converge") != NULL);
    }
    const double seeds[][2] = {{0.3, 2.0}, {-0.3, -2.3}, {0.1, 0.1}}, det_sign[] = {-1, -1, 1};
    for (int k = 0; k < 3; k++) {
        double x[2], v[2], J[4];
        CHECK_OK(gd_model_newton(m, seeds[k], x));
        CHECK_OK(gd_model_field(m, x, v));
        CHECK(hypot(v[0], v[1]) < 1e-12);
        CHECK_OK(gd_model_jacobian_fd(m, x, J));
        const double det = J[0] * J[3] - J[1] * J[2];
        CHECK(det * det_sign[k] > 0.1); /* a simple root: the saddles' det -0.57, the sink's +0.31 */
        if (k < 2) { /* the saddles at +-(0.3412, 2.1651) of docs/models/dirac.md */
            CHECK_NEAR(fabs(x[0]), 0.3412490531, 1e-9);
            CHECK_NEAR(fabs(x[1]), 2.165090348, 1e-8);
        }
    }
    gd_model_free(&m);
    gd_sim *s = make_sim((const char *const[]){"model.reg", "consensus", "model.gamma", "1", "model.co_form", "exact", "integrator.name", "altgd",
                                                "integrator.n_d", "5", "run.x0", "1,1;0.5,0.5", "portrait.box", "-3:3:-12:12", NULL});
    gd_portrait_result pr;
    CHECK_OK(gd_sim_portrait_census(s, "", &pr));
    printf("consensus portrait in [-3, 3] x [-12, 12]: %d equilibria, index sum %g, %ld Newton starts\n", pr.equilibria, pr.index_sum, pr.newton_starts);
    CHECK(pr.equilibria == 3);
    CHECK(pr.index_sum == -1);
    gd_sim_free(&s);
}

/* V8: scanning gamma in (0, 3], -max Re(lambda) peaks at gamma = 1 with value 0.5. */
static void optimal_gamma(void)
{
    double best = -1, best_gamma = 0;
    for (int k = 1; k <= 3000; k++) {
        char g[32];
        snprintf(g, sizeof g, "%.6f", 0.001 * k);
        double wr[2], wi[2];
        eig_at_zero((const char *const[]){"reg", "gp", "gamma", g, NULL}, wr, wi);
        double rate = -fmax(wr[0], wr[1]);
        if (rate > best) best = rate, best_gamma = 0.001 * k;
    }
    CHECK_NEAR(best_gamma, 1.0, 2e-3);
    CHECK_NEAR(best, 0.5, 1e-3);
}

int main(void)
{
    eigenvalue_table();
    fd_jacobians();
    equilibria();
    far_field();
    optimal_gamma();
    return check_report("test_dirac");
}
