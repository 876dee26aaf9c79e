/* SPDX-License-Identifier: BSD-3-Clause
 *
 * critical by attractor class (gd_sim_critical_scan, docs/bifurcations.md "critical: where the
 * observed class changes"):
 *  - the logistic map on r in [2.8, 3.6]: the period-doubling cascade, each boundary local, its
 *    crossing refined by continuation (of the fixed point, then of the 2-, 4- and 8-cycles) to
 *    r = 3 and 1 + sqrt(6) (closed forms, 1e-8) and to the Feigenbaum cascade's r_3, r_4 (published
 *    values, 1e-8); the flip coefficient c = 9 at r = 3; lambda_1 = ln|2 - r| on the fixed cells;
 *    every sample within the amplitude; the file read back; on [3.8, 3.86] the period-3 window's
 *    fold at 1 + sqrt(8) (1e-8), found on the 3-cycle above the boundary;
 *  - D7 (the acceptance case; argument "d7"): GAN, altgd n_d = 5, from (1e-3, 1e-3), h in
 *    [1.5, 1.95]: a local PD/R2 boundary refined to h_c = 4/sqrt(5) (1e-8), neutral below and the
 *    period-2 class above (centroid seeding), and one mixed interval, global, from about 1.896
 *    (a stall-like cell just below its start, checked by a run of its own) to hi;
 *  - the mixed path alone (D7's configuration on [1.90, 1.95]): one mixed, global interval, its
 *    class fractions recounted from the probed values;
 *  - flows (cvode): the hopf form over mu, one local H boundary at 0; the bautin form from its
 *    outer cycle, one local LP boundary (the fold of cycles) at -1/4;
 *  - bad input: lo >= hi, a piecewise-smooth flow.
 */
#include "check.h"

#include <hdf5.h>

/* Every kept sample lies within the amplitude of its value's attractor (max |x - x*|): x* = 0
 * for the Dirac-GAN, 1 - 1/r for the logistic map. */
static void samples_within_amplitude(const gd_critical_scan *r, int logistic)
{
    int bad = 0;
    for (int i = 0; i < r->n; i++) {
        if (r->cls[i] == GD_ATTRACTOR_DIVERGE) continue;
        for (int j = 0; j < r->samples; j++) {
            double q = 0;
            double xs = logistic ? 1 - 1 / r->p[i] : 0;
            for (int d = 0; d < r->dim; d++) q += pow(r->pts[((size_t)i * r->samples + j) * r->dim + d] - xs, 2);
            bad += !(sqrt(q) <= r->amplitude[i] * (1 + 1e-12) + 1e-300);
        }
    }
    CHECK(bad == 0);
}

static double read_attr_count(hid_t f, const char *path)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT), sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp), H5Dclose(d);
    return (double)n;
}

static void logistic(void)
{
    const char *kv[] = {"model.name", "normal_form", "model.form", "logistic", "integrator.h", "1", "run.x0", "0.1234", "critical.n", "16", NULL};
    gd_sim *s = make_sim(kv);
    gd_critical_scan r;
    /* 16 values, so that none is r = 3 itself: there the fixed point's multiplier is -1 and the
     * run is `neutral` (algebraic convergence), a class of its own between fixed and period 2 */
    CHECK_OK(gd_sim_critical_scan(s, "model.r", 2.8, 3.6, &r));
    /* r_k of the cascade: 3 and 1 + sqrt(6) in closed form, then r_3, r_4 as published */
    const double want[4] = {3, 1 + sqrt(6), 3.5440903595519, 3.5644072660954};
    CHECK(r.nb == 4);
    for (int j = 0; j < r.nb && j < 4; j++) {
        const gd_critical_boundary *b = &r.b[j];
        CHECK(b->local && !strcmp(b->kind, "local") && !strcmp(b->type, "PD") && !strcmp(b->criticality, "super"));
        CHECK_NEAR(b->refined, want[j], 1e-8);
        /* within tol above r = 3 the 2-cycle's multiplier is 1 - O(r - 3): the last probe there
         * may still be `neutral` (critical slowing) */
        int above_ok = b->above_cls == GD_ATTRACTOR_PERIODIC || (j == 0 && b->above_cls == GD_ATTRACTOR_NEUTRAL);
        CHECK(above_ok && (b->above_cls != GD_ATTRACTOR_PERIODIC || b->above_period == 2 << j) && b->below_period == 1 << j);
        CHECK(b->bracket[0] <= want[j] && want[j] <= b->bracket[1]);
        CHECK(fabs(b->value - want[j]) < b->bracket[1] - b->bracket[0]); /* the observed change lies in the bracket */
    }
    if (r.nb > 0) CHECK_NEAR(r.b[0].coeff, 9, 1e-6); /* the logistic map's flip coefficient at r = 3 */
    CHECK(r.first.below == GD_CONVERGE && r.first.above == GD_OSCILLATE && r.first.value == r.b[0].value && r.first.predicted == r.b[0].refined);
    int fixed = 0;
    for (int i = 0; i < r.n; i++) {
        CHECK(i == 0 || r.p[i - 1] <= r.p[i]);
        if (r.cls[i] != GD_ATTRACTOR_FIXED || fabs(r.p[i] - 3) < 0.02) continue; /* the multiplier 2 - r (slow next to 3) */
        CHECK_NEAR(r.lyap1[i], log(fabs(2 - r.p[i])), 1e-9);
        fixed++;
    }
    CHECK(fixed >= 3);
    samples_within_amplitude(&r, 1);
    /* the file */
    CHECK_OK(gd_sim_write_critical(s, "critical.h5", &r));
    hid_t f = H5Fopen("critical.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    if (f >= 0) {
        CHECK(read_attr_count(f, "/scan/p") == r.n && read_attr_count(f, "/scan/samples") == (double)r.n * r.samples * r.dim);
        CHECK(read_attr_count(f, "/boundaries/refined") == r.nb);
        double v[4];
        hid_t d = H5Dopen2(f, "/boundaries/refined", H5P_DEFAULT);
        CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
        CHECK_NEAR(v[1], 1 + sqrt(6), 1e-8);
        H5Dclose(d), H5Fclose(f);
    }
    remove("critical.h5");
    gd_critical_scan_free(&r);
    CHECK(r.p == NULL && r.b == NULL);
    /* the period-3 window: chaos, then the 3-cycle born in a fold at r = 1 + sqrt(8) (continued
     * from the orbit above the boundary), then its flip */
    CHECK_OK(gd_sim_set(s, "critical.n", "7"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_critical_scan(s, "model.r", 3.8, 3.86, &r));
    CHECK(r.nb == 2);
    if (r.nb == 2) {
        CHECK(r.b[0].below_cls == GD_ATTRACTOR_CHAOTIC && r.b[0].above_period == 3 && !strcmp(r.b[0].type, "LP"));
        CHECK_NEAR(r.b[0].refined, 1 + sqrt(8), 1e-8);
        CHECK(r.b[1].below_period == 3 && r.b[1].above_period == 6 && !strcmp(r.b[1].type, "PD"));
    }
    gd_critical_scan_free(&r);
    gd_sim_free(&s);
}

/* The class of a run of its own at h (D7's configuration). */
static int class_at(double h, int *period)
{
    const char *kv[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "run.x0", "1e-3,1e-3", NULL};
    gd_sim *s = make_sim(kv);
    set_num(s, "integrator.h", h);
    CHECK_OK(gd_sim_setup(s));
    gd_attractor_result a;
    CHECK_OK(gd_sim_attractor(s, &a));
    int c = a.cls;
    *period = a.period;
    gd_attractor_result_free(&a);
    gd_sim_free(&s);
    return c;
}

static void d7(void)
{
    /* 1e5 transient iterations per value; the exponents of the neutral cells stop at 1e5 */
    const char *kv[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "run.x0", "1e-3,1e-3", "attractor.max_steps", "100000", NULL};
    gd_sim *s = make_sim(kv);
    gd_critical_scan r;
    const double hc = 4 / sqrt(5);
    CHECK_OK(gd_sim_critical_scan(s, "integrator.h", 1.5, 1.95, &r));
    CHECK(r.nb == 2);
    if (r.nb >= 1) {
        const gd_critical_boundary *b = &r.b[0];
        printf("D7: %s %s/%s boundary %.10f refined %.10f\n", b->kind, b->type, b->resonance, b->value, b->refined);
        CHECK(!strcmp(b->kind, "local") && !strcmp(b->type, "PD") && !strcmp(b->resonance, "R2"));
        CHECK_NEAR(b->refined, hc, 1e-8);
        CHECK(b->below_cls == GD_ATTRACTOR_NEUTRAL && b->above_cls == GD_ATTRACTOR_PERIODIC && b->above_period == 2);
        CHECK(b->value > hc && b->value - hc < 0.005); /* seeding finds the 2-cycle within 0.005 of h_c */
        CHECK_NEAR(r.first.predicted, hc, 1e-8);
    }
    if (r.nb >= 2) {
        const gd_critical_boundary *b = &r.b[1];
        printf("D7: %s (%s) interval from %.6f to %.6f, %d class changes; fractions periodic %.3f stall %.3f fixed %.3f\n", b->kind, b->local ? "local" : "global",
               b->value, b->end, b->changes, b->fraction[GD_ATTRACTOR_PERIODIC], b->fraction[GD_ATTRACTOR_STALL], b->fraction[GD_ATTRACTOR_FIXED]);
        CHECK(!strcmp(b->kind, "mixed") && !b->local && b->changes > 10);
        CHECK(b->value > 1.893 && b->value < 1.8965 && b->end == 1.95);
        /* the start is halfway between two values of the walk (2 tol apart): within tol above it
         * lies a probed value that left the cycles, and a run of its own there leaves them too */
        double up = INFINITY;
        for (int i = 0; i < r.n; i++)
            if (r.p[i] > b->value && r.cls[i] != GD_ATTRACTOR_PERIODIC && r.cls[i] != GD_ATTRACTOR_NEUTRAL) up = fmin(up, r.p[i]);
        CHECK(up <= b->value + r.tol + 1e-12);
        int k, c = class_at(up, &k);
        CHECK(c != GD_ATTRACTOR_PERIODIC && c != GD_ATTRACTOR_NEUTRAL);
        CHECK(b->fraction[GD_ATTRACTOR_PERIODIC] < 0.9 && b->fraction[GD_ATTRACTOR_STALL] > 0.05);
    }
    /* every scan value between the boundaries is the 2-cycle, or one of its narrow windows
     * of longer period above 1.875 */
    int bad = 0, twos = 0;
    for (int i = 0; r.nb >= 2 && i < r.n; i++) {
        if (r.p[i] <= r.b[0].value || r.p[i] >= r.b[1].value) continue;
        bad += r.cls[i] != GD_ATTRACTOR_PERIODIC || (r.period[i] != 2 && r.p[i] < 1.875);
        twos += r.period[i] == 2;
    }
    CHECK(bad == 0 && twos >= 14);
    samples_within_amplitude(&r, 0);
    gd_critical_scan_free(&r);
    gd_sim_free(&s);
}

/* The mixed path in a few seconds (it also runs under the sanitizers, where D7 is not
 * registered): D7's configuration on [1.90, 1.95], 8 values, tol 4.5e-5 as in D7. */
static void mixed_part(void)
{
    const char *kv[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "run.x0", "1e-3,1e-3", "attractor.max_steps", "100000",
                        "critical.n", "8", "critical.tol", "4.5e-5", NULL};
    gd_sim *s = make_sim(kv);
    gd_critical_scan r;
    CHECK_OK(gd_sim_critical_scan(s, "integrator.h", 1.9, 1.95, &r));
    CHECK(r.nb == 1);
    if (r.nb == 1) {
        const gd_critical_boundary *b = &r.b[0];
        double sum = 0;
        for (int c = 0; c < 8; c++) sum += b->fraction[c];
        CHECK(!strcmp(b->kind, "mixed") && !b->local && b->changes > 3 && b->end == 1.95 && b->value > 1.9 && b->value < 1.95);
        CHECK_NEAR(sum, 1, 1e-12);
        CHECK(b->fraction[GD_ATTRACTOR_PERIODIC] > 0 && b->fraction[GD_ATTRACTOR_STALL] > 0);
        /* the fractions are those of the probed values inside, recounted here */
        int in = 0, stall = 0;
        for (int i = 0; i < r.n; i++)
            if (r.p[i] >= b->value && r.p[i] <= b->end) in++, stall += r.cls[i] == GD_ATTRACTOR_STALL;
        CHECK(in > 0 && fabs(b->fraction[GD_ATTRACTOR_STALL] - (double)stall / in) < 1e-12);
    }
    gd_critical_scan_free(&r);
    gd_sim_free(&s);
}

static void errors(void)
{
    const char *kv[] = {"integrator.h", "0.1", NULL};
    gd_sim *s = make_sim(kv);
    gd_critical_scan r;
    CHECK(gd_sim_critical_scan(s, "integrator.h", 1, 0.5, &r) == GD_EUSAGE);
    CHECK(gd_sim_critical_scan(s, NULL, 0.5, 1, &r) == GD_EUSAGE);
    gd_sim_free(&s);
    /* a flow is classified only on a smooth field: the first probe refuses a piecewise-smooth one */
    const char *hybrid[] = {"model.loss", "wgan", "model.reg", "wgan_gp", "integrator.name", "cvode", "critical.n", "4", NULL};
    s = make_sim(hybrid);
    CHECK(gd_sim_critical_scan(s, "model.gamma", 0, 1, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "piecewise smooth") && r.p == NULL);
    gd_sim_free(&s);
}

/* Flows (cvode), t = 550 per value: the hopf form z' = (mu + i) z + (-1 + i/2)|z|^2 z from (0.3, 0)
 * over mu in [-0.5, 0.5] is fixed at the sink 0 (lambda_1 = max Re lambda = mu) below mu = 0 and
 * periodic on the cycle r^2 = mu (lambda_1 = ln(e^{-2 mu T}) / T = -2 mu) above: one local
 * boundary, the Hopf point of the equilibrium branch at 0 (1e-8). The bautin form
 * z' = (mu + i) z + |z|^2 z - |z|^4 z from (1, 0), on the outer cycle s = r^2 = (1 + sqrt(1 + 4 mu))/2
 * where it exists, is fixed at 0 below the fold of cycles at mu = -1/4 and periodic above (across
 * the subcritical Hopf point mu = 0 too, where the class stays): one boundary, which the
 * equilibrium branch does not explain but the cycle branch through the outer cycle does: local,
 * LP (the fold of cycles), at -1/4 (1e-8). */
static void flows(void)
{
    static const struct { const char *form, *x0; double at, below; const char *type; } c[] = {{"hopf", "0.3,0", 0, -0.5, "H"}, {"bautin", "1,0", -0.25, -0.5, "LP"}};
    for (int j = 0; j < 2; j++) {
        const char *kv[] = {"model.name", "normal_form", "model.form", c[j].form, "integrator.name", "cvode", "run.x0", c[j].x0, "attractor.transient", "5000",
                            "attractor.samples", "500", "lyapunov.t_end", "200", "critical.n", "8", NULL};
        gd_sim *s = make_sim(kv);
        gd_critical_scan r;
        CHECK_OK(gd_sim_critical_scan(s, "model.mu", -0.5, 0.5, &r));
        if (r.p == NULL) fprintf(stderr, "critical %s: %s\n", c[j].form, gd_sim_errmsg(s));
        CHECK(r.nb == 1);
        for (int i = 0; i < r.n; i++) {
            if (!r.grid[i]) continue;
            double mu = r.p[i];
            CHECK(r.cls[i] == (mu < c[j].at ? GD_ATTRACTOR_FIXED : GD_ATTRACTOR_PERIODIC) && r.period[i] == 1);
            if (mu < c[j].at) CHECK_NEAR(r.lyap1[i], mu, 1e-9); /* the origin's eigenvalues mu +- i */
            else if (j == 0) CHECK_NEAR(r.lyap1[i], -2 * mu, 1e-6);
        }
        if (r.nb >= 1) {
            const gd_critical_boundary *b = &r.b[0];
            if (!b->local) fprintf(stderr, "critical %s: boundary at %g is %s\n", c[j].form, b->value, b->kind);
            CHECK(b->local && !strcmp(b->kind, "local") && !strcmp(b->type, c[j].type) && b->below_cls == GD_ATTRACTOR_FIXED);
            CHECK_NEAR(b->refined, c[j].at, 1e-8);
            CHECK(b->bracket[0] <= c[j].at && c[j].at <= b->bracket[1]);
        }
        if (j == 0) CHECK(r.first.below == GD_CONVERGE && r.first.above == GD_OSCILLATE);
        gd_critical_scan_free(&r);
        gd_sim_free(&s);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "d7")) {
        d7();
        return check_report("test_critical d7");
    }
    logistic();
    mixed_part();
    flows();
    errors();
    return check_report("test_critical");
}
