/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The normal form at one point (gd_sim_normal, `gandyn normal`, docs/bifurcations.md) against
 * closed forms: the logistic map's flip coefficient c(r) = 2r^2/(r - 1) (c = 9 at r = 3, the
 * validation case V6) on and off the flip, its fold coefficient -r and the predicted period-2
 * orbit against the exact one; the Hopf normal form's l1 = 2 c_re / omega and its exact cycle;
 * the bautin form's l1 = +2; the fold's a = -1 (V1, V11); the Brusselator (V5) and the delayed
 * logistic map (V8); the Dirac-GAN with a gradient penalty under SimGD (D1: d = -0.081, and the
 * predicted circle of D2) and AltGD's 1:2 resonance (D6); the same numbers as gd_sim_continue at
 * its located special points; and every refusal.
 */
#include "check.h"

#include <complex.h>
#include <hdf5.h>
#include <string.h>

/* gd_sim_normal on the sim of kv (NULL-ended pairs) at key = p; the message printed on failure. */
static int normal(const char *const *kv, const char *key, double p, int type, gd_normal_result *r)
{
    gd_sim *s = make_sim(kv);
    int rc = gd_sim_normal(s, key, p, type, r);
    if (rc != GD_OK) fprintf(stderr, "normal: %s\n", gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* The refusal of kv at key = p: GD_EUSAGE, a message containing want, a zeroed result. */
static void refused(const char *const *kv, const char *key, double p, int type, const char *want)
{
    gd_sim *s = make_sim(kv);
    gd_normal_result r;
    int rc = gd_sim_normal(s, key, p, type, &r);
    CHECK(rc == GD_EUSAGE);
    CHECK(strstr(gd_sim_errmsg(s), want) != NULL);
    CHECK(r.x == NULL && r.param == NULL);
    if (!strstr(gd_sim_errmsg(s), want)) fprintf(stderr, "  message: %s\n", gd_sim_errmsg(s));
    gd_normal_result_free(&r);
    gd_sim_free(&s);
}

static const char *const logistic[] = {"model.name", "normal_form", "model.form", "logistic", "integrator.h", "1", "run.x0", "0.6", NULL};

/* ---------------------------------------------------------------- the logistic map ---- */
/* Phi = r x (1 - x), x* = 1 - 1/r, Phi'(x*) = 2 - r, Phi'' = -2r, Phi''' = 0; with p = q = 1 the
 * flip coefficient c = -Phi''^2 / (2 (Phi' - 1)) = 2 r^2 / (r - 1) and the fold's a = Phi''/2 = -r. */
static void logistic_map(void)
{
    gd_normal_result r;
    CHECK_OK(normal(logistic, "model.r", 3, GD_PT_PD, &r));
    CHECK(r.type == GD_PT_PD && !strcmp(r.kind, "fixed_point") && r.period == 1 && r.dim == 1 && r.eig_dim == 1);
    CHECK_NEAR(r.x[0], 2.0 / 3, 1e-12);
    CHECK_NEAR(r.mu_re, -1, 1e-12);
    CHECK_NEAR(r.distance, 0, 1e-12);
    CHECK_REL(r.coeff, 9.0, 1e-6); /* V6 */
    CHECK(!strcmp(r.criticality, "super") && !strcmp(r.resonance, "none"));
    CHECK(isnan(r.omega) && isnan(r.theta) && isnan(r.c1_re));
    CHECK_NEAR(r.amplitude, 0, 1e-6);
    CHECK(!strcmp(r.param, "model.r"));
    gd_normal_result_free(&r);
    CHECK(r.x == NULL && r.param == NULL);

    /* off the flip, on both sides, and the type found without asking */
    const double rs[] = {2.9, 3.2, 3.001};
    for (int i = 0; i < 3; i++) {
        double v = rs[i];
        CHECK_OK(normal(logistic, "model.r", v, GD_PT_REGULAR, &r));
        CHECK(r.type == GD_PT_PD);
        CHECK_NEAR(r.x[0], 1 - 1 / v, 1e-12);
        CHECK_NEAR(r.mu_re, 2 - v, 1e-12);
        CHECK_NEAR(r.distance, fabs(2 - v) - 1, 1e-12);
        CHECK_REL(r.coeff, 2 * v * v / (v - 1), 1e-6);
        if (v > 3) { /* eta^2 = (|mu| - 1)/c, and the true orbit's half-width sqrt((r+1)(r-3))/(2r): their
                      * ratio is sqrt(2(r - 1)/(r + 1)) = 1 + O(r - 3) */
            double eta = sqrt((v - 3) * (v - 1) / (2 * v * v)), half = sqrt((v + 1) * (v - 3)) / (2 * v);
            CHECK_REL(r.amplitude, eta, 1e-6);
            CHECK_REL(r.amplitude, half, 0.6 * (v - 3));
        } else {
            CHECK(isnan(r.amplitude)); /* super: no period-2 orbit below the flip */
        }
        gd_normal_result_free(&r);
    }
    /* mu = 0.8 nearest +1: a fold of the map by default, a = -r */
    CHECK_OK(normal(logistic, "model.r", 1.2, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_LP && !strcmp(r.criticality, "") && isnan(r.amplitude));
    CHECK_NEAR(r.distance, -0.2, 1e-12);
    CHECK_REL(r.coeff, -1.2, 1e-6);
    gd_normal_result_free(&r);
}

/* ---------------------------------------------------------------- flows ---------------- */
/* z' = (mu + i omega) z + c |z|^2 z is its own normal form: with <q, q> = 1 (|q_i| = 1/sqrt 2),
 * c1 = 2c and l1 = 2 c_re / omega at every mu; the cycle |x|^2 = -mu / c_re is 2|z|^2 exactly. */
static void hopf_form(void)
{
    const char *kv[] = {"model.name", "normal_form", "model.form", "hopf", "model.omega", "2", "model.c_re", "-1.5", "model.c_im", "0.5",
                        "integrator.name", "cvode", NULL};
    gd_normal_result r;
    const double mus[] = {0, -0.3, 0.1};
    for (int i = 0; i < 3; i++) {
        CHECK_OK(normal(kv, "model.mu", mus[i], GD_PT_H, &r));
        CHECK(r.type == GD_PT_H && !strcmp(r.kind, "equilibrium") && r.eig_dim == 2);
        CHECK_NEAR(r.omega, 2, 1e-12);
        CHECK_NEAR(r.distance, mus[i], 1e-12);
        CHECK_NEAR(r.coeff, 2 * -1.5 / 2, 1e-8);
        CHECK_NEAR(r.c1_re, -3, 1e-8);
        CHECK_NEAR(r.c1_im, 1, 1e-8);
        CHECK(!strcmp(r.criticality, "super") && !strcmp(r.resonance, "none"));
        if (mus[i] > 0) CHECK_NEAR(sqrt(2) * r.amplitude, sqrt(mus[i] / 1.5), 1e-8);
        else if (mus[i] < 0) CHECK(isnan(r.amplitude));
        gd_normal_result_free(&r);
    }
    /* the default type of a flow with a complex pair and no real eigenvalue */
    CHECK_OK(normal(kv, "model.mu", -0.3, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_H);
    gd_normal_result_free(&r);

    /* bautin: z' = (mu + i) z + |z|^2 z - |z|^4 z, l1 = +2 (V4): subcritical; below mu = 0 the
     * unstable cycle's leading-order |z|^2 = -mu / 2 */
    const char *bautin[] = {"model.name", "normal_form", "model.form", "bautin", "integrator.name", "cvode", NULL};
    CHECK_OK(normal(bautin, "model.mu", 0, GD_PT_H, &r));
    CHECK_NEAR(r.coeff, 2, 1e-6);
    CHECK(!strcmp(r.criticality, "sub"));
    gd_normal_result_free(&r);
    CHECK_OK(normal(bautin, "model.mu", -0.02, GD_PT_H, &r));
    CHECK_REL(r.amplitude, sqrt(0.01), 1e-6);
    gd_normal_result_free(&r);

    /* fold x' = mu - x^2, y' = -y at mu = 0.01 from (1, 0): x* = 0.1, lambda = -0.2, a = -1 (V1);
     * the real eigenvalue nearest 0 is the fold's, -0.2, not y's -1 */
    const char *fold[] = {"model.name", "normal_form", "model.form", "fold", "integrator.name", "cvode", "run.x0", "1,0", NULL};
    CHECK_OK(normal(fold, "model.mu", 0.01, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_LP && !strcmp(r.criticality, ""));
    CHECK_NEAR(r.x[0], 0.1, 1e-12);
    CHECK_NEAR(r.distance, -0.2, 1e-12);
    CHECK_NEAR(r.coeff, -1, 1e-8);
    gd_normal_result_free(&r);
    /* at the fold itself (mu = 0) Newton at fixed mu converges only linearly (x halves per step) */
    CHECK_OK(normal(fold, "model.mu", 0, GD_PT_LP, &r));
    CHECK_NEAR(r.x[0], 0, 1e-9);
    CHECK_NEAR(r.distance, 0, 2e-9);
    CHECK_NEAR(r.coeff, -1, 1e-8);
    gd_normal_result_free(&r);
    /* the fold map x + mu - x^2 (V11): a = -1 */
    const char *fold_map[] = {"model.name", "normal_form", "model.form", "fold_map", "integrator.h", "1", "run.x0", "0.1", NULL};
    CHECK_OK(normal(fold_map, "model.mu", 0.01, GD_PT_LP, &r));
    CHECK_NEAR(r.mu_re, 0.8, 1e-12);
    CHECK_NEAR(r.coeff, -1, 1e-8);
    gd_normal_result_free(&r);
    CHECK_OK(normal(fold_map, "model.mu", 0, GD_PT_LP, &r));
    CHECK_NEAR(r.mu_re, 1, 2e-9);
    CHECK_NEAR(r.coeff, -1, 1e-8);
    gd_normal_result_free(&r);

    /* V5: the Brusselator (a = 1) at b = 2: x* = (1, 2), omega = 1, c1 = -0.5 - i/18 */
    const char *bru[] = {"model.name", "normal_form", "model.form", "brusselator", "model.a", "1", "integrator.name", "cvode", NULL};
    CHECK_OK(normal(bru, "model.b", 2, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_H);
    CHECK_NEAR(r.x[0], 1, 1e-12);
    CHECK_NEAR(r.x[1], 2, 1e-12);
    CHECK_NEAR(r.omega, 1, 1e-12);
    CHECK_NEAR(r.coeff, -0.5, 1e-8);
    CHECK_NEAR(r.c1_im, -1.0 / 18, 1e-8);
    gd_normal_result_free(&r);
    /* b = 2.01: Re lambda = (b - 2)/2; the cycle's mean |z| 0.0999441 by simulation (V5), 1e-3 */
    CHECK_OK(normal(bru, "model.b", 2.01, GD_PT_H, &r));
    CHECK_NEAR(r.distance, 0.005, 1e-12);
    CHECK_REL(r.amplitude, 0.0999441, 1e-3);
    gd_normal_result_free(&r);
}

/* ---------------------------------------------------------------- maps ------------------ */
static const char *const gradpen[] = {"model.name", "dirac", "model.loss", "gan", "model.reg", "gp", "model.gamma", "0.3", "integrator.name", "simgd",
                                      "run.x0", "0,0", NULL};

static void maps(void)
{
    gd_normal_result r;
    /* V8: the delayed logistic map at a = 2: x* = (1/2, 1/2), mu = e^(i pi/3), c1 = 1 - sqrt 3 i, d = -1 */
    const char *dl[] = {"model.name", "normal_form", "model.form", "delayed_logistic", "integrator.h", "1", "run.x0", "0.5,0.5", NULL};
    CHECK_OK(normal(dl, "model.a", 2, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_NS && r.eig_dim == 2);
    CHECK_NEAR(r.theta, M_PI / 3, 1e-10);
    CHECK_NEAR(r.coeff, -1, 1e-8);
    CHECK_NEAR(r.c1_re, 1, 1e-8);
    CHECK_NEAR(r.c1_im, -sqrt(3), 1e-8);
    CHECK(!strcmp(r.criticality, "super") && !strcmp(r.resonance, "none"));
    gd_normal_result_free(&r);
    /* a = 2.001: the circle's mean |z| 0.0223519 by simulation (V8, 1e-3 relative) */
    CHECK_OK(normal(dl, "model.a", 2.001, GD_PT_NS, &r));
    CHECK_REL(r.amplitude, 0.0223519, 1e-3);
    gd_normal_result_free(&r);

    /* D1: GAN + GP, gamma = 0.3, SimGD at h = 1.2: mu = 0.82 +- 0.5723635i, theta = 0.6093853, d = -0.081 */
    CHECK_OK(normal(gradpen, "integrator.h", 1.2, GD_PT_REGULAR, &r));
    CHECK(r.type == GD_PT_NS);
    CHECK_NEAR(r.mu_re, 0.82, 1e-12);
    CHECK_NEAR(r.mu_im, 0.5723635, 1e-7);
    CHECK_NEAR(r.theta, 0.6093853, 1e-7);
    CHECK_NEAR(r.distance, 0, 1e-12);
    CHECK_NEAR(r.coeff, -0.081, 1e-6);
    CHECK(!strcmp(r.criticality, "super") && !strcmp(r.resonance, "none"));
    gd_normal_result_free(&r);
    /* D2 at h = 1.201: the spec's prediction sqrt(-(|mu| - 1)/d) with d = -0.081 is 0.0430495; the
     * simulated circle's mean |z| 0.042992 (1e-3 relative) */
    CHECK_OK(normal(gradpen, "integrator.h", 1.201, GD_PT_NS, &r));
    CHECK_REL(sqrt(r.distance / 0.081), 0.0430495, 1e-5);
    CHECK_REL(r.amplitude, 0.042992, 1e-3);
    gd_normal_result_free(&r);

    /* D6: GAN, AltGD n_d = 5 at h_c = 4/sqrt 5: a double -1 (R2), resonant, no flip coefficient */
    const char *altgd[] = {"model.name", "dirac", "model.loss", "gan", "model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5",
                           "run.x0", "0,0", NULL};
    CHECK_OK(normal(altgd, "integrator.h", 4 / sqrt(5), GD_PT_PD, &r));
    CHECK(r.type == GD_PT_PD && !strcmp(r.resonance, "R2") && !strcmp(r.criticality, "resonant"));
    CHECK(isnan(r.coeff) && isnan(r.amplitude));
    gd_normal_result_free(&r);
}

/* ---------------------------------------------------------------- continue ------------- */
/* At the p of each special point continue located, normal gives its coefficient (the same code):
 * x agrees to Newton's tolerance, the coefficient to 1e-7 relative. Not closer: its central
 * differences carry rounding of ~1e-8 of its terms (docs/bifurcations.md), which a change of x in
 * its last bit redraws. Measured: started from the located x itself, Newton's last step moved x
 * by one ulp on the period-2 logistic orbit and on the Brusselator, and c, l1 moved by 6e-9 and
 * 2.5e-8 relative; where x came out bit-identical (the logistic flip, D1, the fold) so did the
 * coefficient. */
static void agrees_with_continue(const char *const *kv, const char *key, double lo, double hi, int type, int period)
{
    gd_sim *s = make_sim(kv);
    if (period > 1) {
        set_num(s, "continuation.period", period);
        CHECK_OK(gd_sim_setup(s));
    }
    gd_continue_result c;
    CHECK_OK(gd_sim_continue(s, key, lo, hi, &c));
    int found = 0;
    for (int i = 0; i < c.nspecial; i++) {
        const gd_special_point *sp = &c.special[i];
        if (sp->type != type || sp->branch != 0) continue;
        found++;
        gd_normal_result r;
        CHECK_OK(gd_sim_normal(s, key, sp->p, type, &r));
        CHECK(r.type == type);
        CHECK_NEAR(r.p, sp->p, 0);
        for (int j = 0; r.x && j < r.dim; j++) CHECK_NEAR(r.x[j], sp->x[j], 1e-9);
        CHECK_NEAR(r.coeff, sp->coeff, 1e-7 * fmax(1, fabs(sp->coeff)));
        if (type == GD_PT_H) CHECK_NEAR(r.omega, sp->omega, 1e-9);
        if (type == GD_PT_NS) CHECK_NEAR(r.theta, sp->theta, 1e-9);
        CHECK_NEAR(r.distance, 0, 1e-8);
        CHECK(!strcmp(r.criticality, sp->criticality) && !strcmp(r.resonance, sp->resonance));
        gd_normal_result_free(&r);
    }
    CHECK(found == 1);
    gd_continue_result_free(&c);
    gd_sim_free(&s);
}

static void continue_points(void)
{
    const char *lg[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", "2.5", "integrator.h", "1", "run.x0", "0.6", NULL};
    agrees_with_continue(lg, "model.r", 2.5, 3.4, GD_PT_PD, 1);
    const char *lg2[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", "3.3", "integrator.h", "1", "run.x0", "0.5", NULL};
    agrees_with_continue(lg2, "model.r", 3.2, 3.5, GD_PT_PD, 2); /* the period-2 orbit's flip at 1 + sqrt 6 */
    const char *gp[] = {"model.name", "dirac", "model.loss", "gan", "model.reg", "gp", "model.gamma", "0.3", "integrator.name", "simgd",
                        "integrator.h", "0.5", NULL};
    agrees_with_continue(gp, "integrator.h", 0.5, 1.5, GD_PT_NS, 1);
    const char *bru[] = {"model.name", "normal_form", "model.form", "brusselator", "model.a", "1", "model.b", "1.5", "integrator.name", "cvode", NULL};
    agrees_with_continue(bru, "model.b", 1.5, 2.5, GD_PT_H, 1);
    const char *fold[] = {"model.name", "normal_form", "model.form", "fold", "model.mu", "1", "integrator.name", "cvode", "run.x0", "1,0", NULL};
    agrees_with_continue(fold, "model.mu", -0.5, 1, GD_PT_LP, 1);
}

/* ---------------------------------------------------------------- file ---------------- */
static void file(void)
{
    gd_sim *s = make_sim(logistic);
    gd_normal_result r;
    CHECK_OK(gd_sim_normal(s, "model.r", 3, GD_PT_PD, &r));
    CHECK_OK(gd_sim_write_normal(s, "normal.h5", &r));
    hid_t f = H5Fopen("normal.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    double x = NAN, c = NAN, e[2] = {NAN, NAN};
    CHECK(f >= 0);
    if (f >= 0) {
        hid_t d = H5Dopen2(f, "/normal/x", H5P_DEFAULT), de = H5Dopen2(f, "/normal/eigenvalues", H5P_DEFAULT), g = H5Gopen2(f, "/normal", H5P_DEFAULT);
        hid_t a = H5Aopen(g, "coeff", H5P_DEFAULT);
        CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &x) >= 0);
        CHECK(H5Dread(de, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, e) >= 0);
        CHECK(H5Aread(a, H5T_NATIVE_DOUBLE, &c) >= 0);
        H5Aclose(a), H5Gclose(g), H5Dclose(de), H5Dclose(d), H5Fclose(f);
    }
    CHECK_NEAR(x, r.x[0], 0);
    CHECK_NEAR(c, r.coeff, 0);
    CHECK_NEAR(e[0], -1, 1e-12);
    CHECK_NEAR(e[1], 0, 0);
    remove("normal.h5");
    CHECK(gd_sim_write_normal(s, "normal.h5", NULL) == GD_EUSAGE);
    gd_normal_result_free(&r);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- refusals ------------- */
static void refusals(void)
{
    const char *hopf[] = {"model.name", "normal_form", "model.form", "hopf", "integrator.name", "cvode", NULL};
    const char *trans[] = {"model.name", "normal_form", "model.form", "transcritical", "integrator.name", "cvode", "run.x0", "0.5", NULL};
    const char *fold[] = {"model.name", "normal_form", "model.form", "fold", "integrator.name", "cvode", "run.x0", "1,0", NULL};
    const char *opt[] = {"model.name", "dirac", "model.reg", "gp", "integrator.name", "optimistic", NULL};
    refused(logistic, "model.r", 3, GD_PT_BP, "none of LP, H, PD, NS");
    refused(logistic, "model.r", 3, GD_PT_H, "--type hopf needs a flow");
    refused(logistic, "model.r", 3, GD_PT_NS, "--type ns needs a complex pair of multipliers");
    refused(trans, "model.mu", 0.5, GD_PT_H, "--type hopf needs a complex pair of eigenvalues");
    refused(hopf, "model.mu", 0.5, GD_PT_PD, "--type pd needs a map");
    refused(hopf, "model.mu", 0.5, GD_PT_LP, "--type lp needs a real eigenvalue");
    refused(fold, "model.mu", -1, GD_PT_LP, "no equilibrium found at model.mu = -1");
    refused(opt, "integrator.h", 1, GD_PT_REGULAR, "optimistic keeps a history");
    refused(logistic, "model.r", NAN, GD_PT_PD, "--at needs a finite value");
    refused(logistic, "model.nokey", 3, GD_PT_PD, "is not a key of normal_form");
    refused(logistic, "run.x0", 3, GD_PT_PD, "must be a model.* or integrator.* key");
    gd_sim *s = make_sim(logistic);
    CHECK(gd_sim_normal(s, NULL, 3, GD_PT_PD, NULL) == GD_EUSAGE);
    CHECK(gd_sim_normal(NULL, "model.r", 3, GD_PT_PD, NULL) == GD_EUSAGE);
    gd_normal_result_free(NULL);
    gd_sim_free(&s);
}

int main(void)
{
    logistic_map();
    hopf_form();
    maps();
    continue_points();
    file();
    refusals();
    return check_report("test_normal");
}
