/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Attractor classes of maps (gd_sim_attractor, docs/bifurcations.md):
 *  - the logistic map from 0.1234 (docs/models/normal_form.md): fixed at r = 2.8, the 2-, 4- and
 *    3-cycles at 3.2, 3.5, 3.83 with their points, chaotic at 3.9 and 4, diverging at 4.5 from 0.5;
 *  - the delayed logistic map past its Neimark-Sacker point a = 2: an attracting circle, its
 *    rotation number and its mean |z| in the normal-form coordinate, the last row recomputed here
 *    from the map and the left eigenvector written out from the definition;
 *  - the Dirac-GAN: with a gradient penalty (gamma = 0.3) under simgd past the NS point h = 1.2 a
 *    circle; unregularised under altgd (n_d = 5): the neutral family below h_c = 4/sqrt(5), the
 *    slowly attracting symmetric 2-cycle at h_c + 0.01 (found by centroid seeding), and at h = 1.85
 *    a stall, a 5-cycle, a 12-cycle and the unstable fixed point at 0.
 */
#include "check.h"

#include <complex.h>
#include <hdf5.h>
#include <string.h>

static int attractor(const char *const *kv, gd_attractor_result *r)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    int rc = gd_sim_setup(s);
    if (rc == GD_OK) rc = gd_sim_attractor(s, r);
    if (rc != GD_OK) fprintf(stderr, "attractor: %s\n", gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* Is y one of the orbit's points (first coordinate, or both of a planar one)? */
static int on_orbit(const gd_attractor_result *r, const double *y, int n, double tol)
{
    for (int j = 0; j < r->period; j++) {
        double d = 0;
        for (int i = 0; i < n; i++) d = fmax(d, fabs(r->orbit[j * r->dim + i] - y[i]));
        if (d <= tol) return 1;
    }
    return 0;
}

static void logistic(void)
{
    static const struct { const char *r, *x0; int cls, period; double pts[4]; } c[] = {
        {"2.8", "0.1234", GD_ATTRACTOR_FIXED, 1, {0.642857142857}},
        {"3.2", "0.1234", GD_ATTRACTOR_PERIODIC, 2, {0.5130445, 0.7994555}},
        {"3.5", "0.1234", GD_ATTRACTOR_PERIODIC, 4, {0.3828197, 0.5008842, 0.8269407, 0.8749973}},
        {"3.83", "0.1234", GD_ATTRACTOR_PERIODIC, 3, {0.1561493, 0.5046665, 0.9574166}},
        {"3.9", "0.1234", GD_ATTRACTOR_CHAOTIC, 0, {0}},
        {"4", "0.1234", GD_ATTRACTOR_CHAOTIC, 0, {0}},
        {"4.5", "0.5", GD_ATTRACTOR_DIVERGE, 0, {0}},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *kv[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", c[i].r, "integrator.h", "1", "run.x0", c[i].x0, NULL};
        gd_attractor_result r;
        CHECK_OK(attractor(kv, &r));
        CHECK(r.cls == c[i].cls && r.period == c[i].period);
        if (r.cls != c[i].cls) fprintf(stderr, "r = %s: class %s\n", c[i].r, gd_attractor_class_name(r.cls));
        for (int k = 0; k < c[i].period && r.orbit; k++) CHECK(on_orbit(&r, &c[i].pts[k], 1, 1e-6));
        if (r.cls == GD_ATTRACTOR_CHAOTIC) CHECK(r.lyapunov && r.lyapunov[0] > 0.4);
        if (r.cls == GD_ATTRACTOR_FIXED) CHECK_NEAR(r.mult_re[0], 2 - 2.8, 1e-12); /* r (1 - 2 x*) = 2 - r */
        if (r.cls == GD_ATTRACTOR_PERIODIC) CHECK(!r.unstable && r.contraction > 0);
        gd_attractor_result_free(&r);
    }
}

/* The delayed logistic map (x, y) -> (a x (1 - y), x) from x* + (1e-3, 0), iterated here: the mean
 * over `samples` iterates after `skip` of |<p, x - x*>|, p the left eigenvector of D Phi(x*) for
 * the eigenvalue conj(lambda), lambda = (1 + i sqrt(4a - 5)) / 2 of positive imaginary part,
 * normalised by <q, q> = 1, <p, q> = 1 (the second row of D Phi gives q = (lambda, 1)). */
static double delayed_logistic_mean_z(double a, long skip, long samples)
{
    double xs = 1 - 1 / a, x = xs + 1e-3, y = xs, t;
    double complex lam = 0.5 + 0.5 * I * sqrt(4 * a - 5), q[2] = {lam, 1}, p[2];
    double qn = sqrt(cabs(lam) * cabs(lam) + 1);
    q[0] /= qn, q[1] /= qn;
    /* D Phi^T p = conj(lam) p: its second row a12 p1 = conj(lam) p2 with a12 = -a x* */
    p[0] = conj(lam), p[1] = -a * xs;
    double complex s = conj(p[0]) * q[0] + conj(p[1]) * q[1];
    p[0] /= conj(s), p[1] /= conj(s);
    double m = 0;
    for (long k = 0; k < skip + samples; k++) {
        if (k >= skip) m += cabs(conj(p[0]) * (x - xs) + conj(p[1]) * (y - xs)) / samples;
        t = a * x * (1 - y), y = x, x = t;
    }
    return m;
}

static void delayed_logistic(void)
{
    static const struct { const char *a; double mean_z, zrel, rotation; } c[] = {
        {"2.001", 0.0223519, 1e-4, 0.166575}, {"2.01", 0.0704345, 1e-3, 0.165737}, {"2.05", NAN, 1e-5, 0.161772}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double a = atof(c[i].a);
        char x0[64];
        snprintf(x0, sizeof x0, "%.17g,%.17g", 1 - 1 / a + 1e-3, 1 - 1 / a);
        const char *kv[] = {"model.name", "normal_form", "model.form", "delayed_logistic", "model.a", c[i].a, "integrator.h", "1", "run.x0", x0,
                            "attractor.transient", "2000000", NULL};
        gd_attractor_result r;
        CHECK_OK(attractor(kv, &r));
        CHECK(r.cls == GD_ATTRACTOR_QUASI_PERIODIC);
        CHECK_NEAR(r.rotation, c[i].rotation, 1e-4);
        double want = isnan(c[i].mean_z) ? delayed_logistic_mean_z(a, 2000000, 10000) : c[i].mean_z;
        CHECK_REL(r.mean_z, want, c[i].zrel);
        CHECK(r.lyapunov && fabs(r.lyapunov[0]) < 1e-4 && r.lyapunov[1] < -1e-4);
        gd_attractor_result_free(&r);
    }
    /* the first rows, recomputed: the tabulated values are the map's own */
    CHECK_REL(delayed_logistic_mean_z(2.01, 2000000, 10000), 0.0704345, 1e-3);
}

static void dirac_circle(void)
{
    /* GAN + GP gamma = 0.3, simgd: the circle past h = 1.2 */
    const char *kv[] = {"model.reg", "gp", "model.gamma", "0.3", "integrator.h", "1.21", "run.x0", "1e-3,1e-3", "attractor.transient", "2000000", NULL};
    gd_attractor_result r;
    CHECK_OK(attractor(kv, &r));
    CHECK(r.cls == GD_ATTRACTOR_QUASI_PERIODIC);
    CHECK_REL(r.mean_z, 0.134808, 1e-3);
    CHECK_NEAR(r.rotation, 0.097401, 1e-4);
    CHECK(r.amplitude > 0.2179 * (1 - 1e-3) && r.amplitude < 0.2179 * (1 + 1e-3)); /* |x| reaches 0.2179 */
    gd_attractor_result_free(&r);
    const char *below[] = {"model.reg", "gp", "model.gamma", "0.3", "integrator.h", "1.194", "run.x0", "1e-3,1e-3", NULL};
    CHECK_OK(attractor(below, &r));
    CHECK(r.cls == GD_ATTRACTOR_FIXED && !r.unstable && fabs(r.orbit[0]) < 1e-12);
    gd_attractor_result_free(&r);
}

static void dirac_altgd(void)
{
    static const struct { const char *h, *x0, *transient; int cls, period, unstable; double pt[2]; } c[] = {
        {"1.0", "0.5,0.5", "90000", GD_ATTRACTOR_NEUTRAL, 0, 0, {0}},
        {"1.798854382", "1e-3,1e-3", "90000", GD_ATTRACTOR_PERIODIC, 2, 0, {0.11039420, 0.24889589}},
        {"1.85", "1,1", "990000", GD_ATTRACTOR_STALL, 0, 0, {0}},
        {"1.85", "0.2,0.2", "990000", GD_ATTRACTOR_PERIODIC, 5, 0, {0.07713325, -0.06849326}},
        {"1.85", "0.4,1.2", "990000", GD_ATTRACTOR_PERIODIC, 12, 0, {0.35337149, 1.00198916}},
        {"1.85", "0,0", "990000", GD_ATTRACTOR_FIXED, 1, 1, {0, 0}},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        const char *kv[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "integrator.h", c[i].h, "run.x0", c[i].x0,
                            "attractor.transient", c[i].transient, NULL};
        gd_attractor_result r;
        CHECK_OK(attractor(kv, &r));
        CHECK(r.cls == c[i].cls && r.period == c[i].period && r.unstable == c[i].unstable);
        if (r.cls != c[i].cls || r.period != c[i].period) fprintf(stderr, "h = %s from %s: %s, period %d\n", c[i].h, c[i].x0, gd_attractor_class_name(r.cls), r.period);
        if (c[i].period && r.orbit) CHECK(on_orbit(&r, c[i].pt, 2, 1e-8));
        if (c[i].cls == GD_ATTRACTOR_STALL) CHECK_NEAR(r.amplitude, 6.618, 0.01);
        if (c[i].cls == GD_ATTRACTOR_NEUTRAL) CHECK(r.lyapunov && fabs(r.lyapunov[0]) < 2e-5 && fabs(r.lyapunov[1]) < 2e-5);
        gd_attractor_result_free(&r);
    }
}

static void errors(void)
{
    gd_attractor_result r;
    /* the file holds the orbit and the class */
    const char *kv[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", "3.2", "integrator.h", "1", "run.x0", "0.1234", NULL};
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_attractor(s, &r));
    CHECK_OK(gd_sim_write_attractor(s, "attractor.h5", &r));
    hid_t f = H5Fopen("attractor.h5", H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, "/attractor/orbit", H5P_DEFAULT) : -1;
    double orbit[2] = {0, 0};
    CHECK(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, orbit) >= 0);
    CHECK(orbit[0] == r.orbit[0] && orbit[1] == r.orbit[1]);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    remove("attractor.h5");
    gd_attractor_result_free(&r);
    gd_sim_free(&s);
    /* flows are classified (tests/test_cycles.c), but not piecewise-smooth ones */
    const char *flow[] = {"model.loss", "wgan", "model.reg", "wgan_gp", "integrator.name", "cvode", NULL};
    CHECK(attractor(flow, &r) == GD_EUSAGE && r.orbit == NULL);
    CHECK(gd_sim_attractor(NULL, &r) == GD_EUSAGE);
    gd_attractor_result_free(&r);
    gd_attractor_result_free(NULL);
    CHECK(!strcmp(gd_attractor_class_name(GD_ATTRACTOR_QUASI_PERIODIC), "quasi_periodic") && gd_attractor_class_name(8) == NULL);
}

int main(void)
{
    logistic();
    delayed_logistic();
    dirac_circle();
    dirac_altgd();
    errors();
    return check_report("test_attractor");
}
