/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Lyapunov spectra (gd_sim_lyapunov, docs/bifurcations.md) and the normal_form model
 * (docs/models/normal_form.md):
 *  - every form's analytic Jacobian against central differences of its field, and its
 *    equilibrium a zero of the field (a fixed point of the map);
 *  - maps, run as simgd with h = 1: the logistic map's largest exponent at r = 2.8, 3.2, 3.5
 *    (closed forms ln|r (1 - 2 x*)| over the cycle), 3.83, 3.9 and 4 (ln 2), Henon's (lambda_1 and
 *    lambda_1 + lambda_2 = ln b), each with the sum identity to 1e-10;
 *  - every fixed-step rule on the linear game, whose map is one constant matrix: the exponents
 *    are the logarithms of its eigenvalue moduli (the rules with history on their whole state);
 *  - flows under cvode: Lorenz (sum = -(sigma + 1 + beta) exactly) and the Dirac-GAN with a
 *    gradient penalty at a spiral sink (both exponents Re lambda = -gamma/2);
 *  - bad requests and a diverging orbit fail with a message; /lyapunov is written.
 * The Dirac model takes no gamma < 0, so the NS-GAN cycle case of negative gamma is not here.
 */
#include "check.h"

#include <hdf5.h>
#include <string.h>

static int spectrum(const char *const *kv, gd_lyapunov_result *r)
{
    gd_sim *s = make_sim(kv);
    int rc = gd_sim_lyapunov(s, r);
    if (rc != GD_OK) fprintf(stderr, "lyapunov: %s\n", gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* ---------------------------------------------------------------- the model --------- */
static void model_forms(void)
{
    static const char *const forms[] = {"fold", "transcritical", "hopf", "bautin", "brusselator", "lorenz", "logistic", "delayed_logistic", "henon", "fold_map", "ns_map", NULL};
    static const double x[3] = {0.31, -0.42, 0.77};
    for (int f = 0; forms[f]; f++) {
        const char *kv[] = {"form", forms[f], "mu", "0.2", NULL};
        gd_model *m = make_model("normal_form", kv);
        int n = gd_model_dim(m);
        double J[9], Jfd[9], eq[3], v[3];
        CHECK_OK(gd_model_jacobian(m, x, J));
        CHECK_OK(gd_model_jacobian_fd(m, x, Jfd));
        for (int i = 0; i < n * n; i++) CHECK_NEAR(J[i], Jfd[i], 1e-7);
        CHECK_OK(gd_model_equilibrium(m, eq));
        CHECK_OK(gd_model_field(m, eq, v));
        for (int i = 0; i < n; i++) CHECK_NEAR(v[i], 0, 1e-14);
        gd_model_free(&m);
    }
    /* the maps are F = Phi - x: Henon's field at (x, y) from its definition */
    const char *kv[] = {"form", "henon", NULL};
    gd_model *m = make_model("normal_form", kv);
    double v[2];
    CHECK_OK(gd_model_field(m, x, v));
    CHECK_NEAR(v[0], 1 - 1.4 * x[0] * x[0] + x[1] - x[0], 1e-15);
    CHECK_NEAR(v[1], 0.3 * x[0] - x[1], 1e-15);
    gd_model_free(&m);
}

/* ---------------------------------------------------------------- maps ------------- */
/* The logistic map's cycle from 0.1234 after many iterations, and its exponent from the
 * definition: the mean of ln|r (1 - 2 x)| over one period. */
static double cycle_exponent(double r, int period)
{
    double x = 0.1234, s = 0;
    for (int k = 0; k < 100000; k++) x = r * x * (1 - x);
    for (int k = 0; k < period; k++, x = r * x * (1 - x)) s += log(fabs(r * (1 - 2 * x)));
    return s / period;
}

static void logistic(void)
{
    static const struct { const char *r; int period; double lambda, tol; } c[] = {
        {"2.8", 1, 0, 1e-6}, {"3.2", 2, 0, 1e-6}, {"3.5", 4, -0.8725073, 1e-6}, {"3.83", 3, -0.3696737, 1e-5}, {"3.9", 0, 0.4962, 0.003}, {"4", 0, M_LN2, 0.002},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *kv[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", c[i].r, "integrator.h", "1", "run.x0", "0.1234",
                            "lyapunov.steps", "1000000", "lyapunov.tol", "0", NULL};
        gd_lyapunov_result r;
        CHECK_OK(spectrum(kv, &r));
        double want = c[i].period ? cycle_exponent(atof(c[i].r), c[i].period) : c[i].lambda;
        CHECK(r.count == 1 && r.dim == 1 && !r.flow && r.analytic && r.steps == 1000000 && r.batches == 20);
        CHECK_NEAR(r.exponents[0], want, c[i].tol);
        if (c[i].lambda != 0 && c[i].period) CHECK_NEAR(want, c[i].lambda, c[i].tol); /* the cycle found is the one tabulated */
        CHECK(r.sum_check <= 1e-10);
        CHECK(r.se[0] < 1e-3);
        gd_lyapunov_result_free(&r);
    }
    CHECK_NEAR(cycle_exponent(2.8, 1), log(0.8), 1e-12);
    CHECK_NEAR(cycle_exponent(3.2, 2), 0.5 * log(0.16), 1e-12);
}

static void henon(void)
{
    const char *kv[] = {"model.name", "normal_form", "model.form", "henon", "integrator.h", "1", "run.x0", "0.1,0.1", "lyapunov.steps", "1000000",
                        "lyapunov.tol", "0", NULL};
    gd_lyapunov_result r;
    CHECK_OK(spectrum(kv, &r));
    CHECK(r.count == 2);
    CHECK_NEAR(r.exponents[0], 0.4193, 0.003);
    CHECK_NEAR(r.exponents[0] + r.exponents[1], log(0.3), 1e-10);
    CHECK_NEAR(r.mean_trace, log(0.3), 1e-12); /* |det D Phi| = b everywhere */
    CHECK(r.sum_check <= 1e-10);
    /* the running averages end at the exponents */
    CHECK_NEAR(r.running[(r.batches - 1) * 2], r.exponents[0], 1e-12);
    gd_lyapunov_result_free(&r);
    /* QR every 5 iterations after a transient of 1001: the batches still end on QR steps */
    const char *every5[] = {"model.name", "normal_form", "model.form", "henon", "integrator.h", "1", "run.x0", "0.1,0.1", "lyapunov.reorth", "5",
                            "lyapunov.transient", "1001", "lyapunov.tol", "0", NULL};
    CHECK_OK(spectrum(every5, &r));
    CHECK(r.sum_check <= 1e-10 && r.steps == 100000);
    CHECK_NEAR(r.exponents[0], 0.4193, 0.01);
    gd_lyapunov_result_free(&r);
    /* --count 1: the largest only, without a sum check */
    const char *one[] = {"model.name", "normal_form", "model.form", "henon", "integrator.h", "1", "run.x0", "0.1,0.1", "lyapunov.count", "1", NULL};
    CHECK_OK(spectrum(one, &r));
    CHECK(r.count == 1 && isnan(r.sum_check));
    CHECK_NEAR(r.exponents[0], 0.4193, 0.01);
    gd_lyapunov_result_free(&r);
}

static int by_modulus(const void *a, const void *b)
{
    double d = *(const double *)b - *(const double *)a;
    return (d > 0) - (d < 0);
}

/* On x' = J x with J constant every rule's map is one matrix M (on the state with history):
 * the exponents are ln|mu| of its eigenvalues, largest first. */
static void linear_rules(void)
{
    int tested = 0;
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++) {
        if (!gd_integrator_type_is_fixed_step(*t)) continue;
        const char *kv[] = {"model.name", "linear", "model.a", "0.1", "model.b", "0.3", "model.s", "1.2", "integrator.name", gd_integrator_type_name(*t),
                            "integrator.lr_d", "0.15", "lyapunov.steps", "20000", "lyapunov.tol", "0", "lyapunov.transient", "0", NULL};
        gd_sim *s = make_sim(kv);
        gd_eig_result e;
        gd_lyapunov_result r;
        CHECK_OK(gd_sim_eig(s, &e));
        if (e.v_frozen) { /* adam, rmsprop: their map is not linear in the moments */
            gd_eig_result_free(&e);
            gd_sim_free(&s);
            continue;
        }
        CHECK_OK(gd_sim_lyapunov(s, &r));
        double want[8];
        for (int i = 0; i < e.map_dim && i < 8; i++) want[i] = log(hypot(e.map_re[i], e.map_im[i]));
        qsort(want, (size_t)e.map_dim, sizeof(double), by_modulus);
        CHECK(r.count == e.map_dim && r.count <= 8);
        for (int i = 0; i < r.count && i < 8; i++) {
            if (!(fabs(r.exponents[i] - want[i]) <= 1e-3)) fprintf(stderr, "rule %s, exponent %d\n", gd_integrator_type_name(*t), i);
            CHECK_NEAR(r.exponents[i], want[i], 1e-3);
        }
        CHECK(r.sum_check <= 1e-10);
        tested++;
        gd_lyapunov_result_free(&r);
        gd_eig_result_free(&e);
        gd_sim_free(&s);
    }
    CHECK(tested >= 8);
}

/* ---------------------------------------------------------------- flows ------------ */
static void lorenz(void)
{
    const char *kv[] = {"model.name", "normal_form", "model.form", "lorenz", "integrator.name", "cvode", "integrator.rtol", "1e-9", "run.x0", "1,1,1",
                        "lyapunov.transient", "100", "lyapunov.t_end", "10000", "lyapunov.tol", "0", NULL};
    gd_lyapunov_result r;
    CHECK_OK(spectrum(kv, &r));
    CHECK(r.count == 3 && r.flow && r.analytic);
    CHECK(r.exponents[0] >= 0.885 && r.exponents[0] <= 0.925);
    CHECK(fabs(r.exponents[1]) < 0.01);
    CHECK(r.exponents[2] >= -14.60 && r.exponents[2] <= -14.54);
    CHECK_NEAR(r.sum, -(10 + 1 + 8.0 / 3), 1e-6);
    CHECK(r.sum_check <= 1e-8);
    CHECK_NEAR(r.time, 10000, 1e-9);
    gd_lyapunov_result_free(&r);
}

static void dirac_sink(void)
{
    const char *kv[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "0.3", "integrator.name", "cvode", "run.x0", "1,1",
                        "lyapunov.transient", "0", "lyapunov.t_end", "200", "lyapunov.tol", "0", NULL};
    gd_lyapunov_result r;
    CHECK_OK(spectrum(kv, &r));
    CHECK(r.count == 2);
    CHECK_NEAR(r.exponents[0], -0.15, 0.005);
    CHECK_NEAR(r.exponents[1], -0.15, 0.005);
    gd_lyapunov_result_free(&r);
}

/* ---------------------------------------------------------------- errors, file ----- */
static int read_all(hid_t f, const char *name, double *out)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    int rc = d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0;
    if (d >= 0) H5Dclose(d);
    return rc;
}

static void errors_and_file(void)
{
    gd_lyapunov_result r;
    const char *big[] = {"model.name", "normal_form", "model.form", "henon", "lyapunov.count", "3", NULL};
    gd_sim *s = make_sim(big);
    CHECK(gd_sim_lyapunov(s, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "lyapunov.count"));
    CHECK(r.exponents == NULL);
    gd_sim_free(&s);
    const char *few[] = {"model.name", "normal_form", "model.form", "henon", "lyapunov.steps", "5", NULL};
    s = make_sim(few);
    CHECK(gd_sim_lyapunov(s, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "lyapunov.batches"));
    gd_sim_free(&s);
    const char *away[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", "4.5", "integrator.h", "1", "run.x0", "0.4", NULL};
    s = make_sim(away);
    CHECK(gd_sim_lyapunov(s, &r) == GD_ESOLVER && strstr(gd_sim_errmsg(s), "diverge"));
    gd_sim_free(&s);
    /* adam from v = 0: sqrt(v) has no derivative there; after a transient it has */
    const char *adam0[] = {"model.reg", "gp", "integrator.name", "adam", "lyapunov.transient", "0", "lyapunov.steps", "2000", NULL};
    s = make_sim(adam0);
    CHECK(gd_sim_lyapunov(s, &r) == GD_ESOLVER && strstr(gd_sim_errmsg(s), "not finite"));
    CHECK_OK(gd_sim_set(s, "lyapunov.transient", "100"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_lyapunov(s, &r));
    CHECK(r.count == 6 && !r.analytic && r.sum_check <= 1e-10);
    gd_lyapunov_result_free(&r);
    gd_sim_free(&s);
    CHECK(gd_sim_lyapunov(NULL, &r) == GD_EUSAGE);
    gd_lyapunov_result_free(&r);
    gd_lyapunov_result_free(NULL);

    const char *ok[] = {"model.name", "normal_form", "model.form", "henon", "integrator.h", "1", "run.x0", "0.1,0.1", "lyapunov.steps", "20000", NULL};
    s = make_sim(ok);
    CHECK_OK(gd_sim_lyapunov(s, &r));
    CHECK_OK(gd_sim_write_lyapunov(s, "lyapunov.h5", &r));
    hid_t f = H5Fopen("lyapunov.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    double got[2] = {0, 0}, running[40 * 2];
    CHECK(f >= 0);
    CHECK(read_all(f, "/lyapunov/exponents", got));
    CHECK(read_all(f, "/lyapunov/running", running));
    CHECK(got[0] == r.exponents[0] && got[1] == r.exponents[1]);
    CHECK(running[(r.batches - 1) * 2 + 1] == r.running[(r.batches - 1) * 2 + 1]);
    H5Fclose(f);
    gd_lyapunov_result_free(&r);
    gd_sim_free(&s);
    remove("lyapunov.h5");
}

int main(void)
{
    model_forms();
    logistic();
    henon();
    linear_rules();
    lorenz();
    dirac_sink();
    errors_and_file();
    return check_report("test_lyapunov");
}
