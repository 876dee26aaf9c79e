/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The torus model against docs/models/torus.md V1-V10: V1 FFT exactness, V2 aliasing, V3
 * product-mode invariant and periods, V4 equilibria and eigenvalues, V5 damped first order
 * (rates and Liouville), V6 single-mode closed form, V7 Poisson-kernel truncation, V8 R-Exp
 * pointwise, V9 the R-Exp truncation table, V10 the R-Exp real flow; and the discrete AGD / SGDA
 * step limits (Closed forms) found by gd_sim_critical; the portrait's equilibrium census on the
 * torus (every equilibrium found, indices adding up to 0) for N = 1..8, the real flow and the
 * closed-form games.
 */
#include "batch_field.h"
#include "check.h"
#include "gandyn/torus.h"

#include <hdf5.h>
#include <string.h>

static gd_model *torus(const char *const *kv) { return make_model("torus", kv); }

static double coef_abs_err(const gd_model *m, int k, int l, double re, double im)
{
    double cr = NAN, ci = NAN;
    if (gd_torus_coefficient(m, k, l, &cr, &ci) != GD_OK) return INFINITY;
    return hypot(cr - re, ci - im);
}

/* Samples F[j][k] = f(2 pi j/M, 2 pi k/M) into path:/grid/F. */
static void write_grid(const char *path, int M, double (*f)(double, double))
{
    double *F = malloc(sizeof(double) * (size_t)M * (size_t)M);
    for (int j = 0; j < M; j++)
        for (int k = 0; k < M; k++) F[j * M + k] = f(2 * M_PI * j / M, 2 * M_PI * k / M);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(file, "/grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[2] = {(hsize_t)M, (hsize_t)M};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(file, "/grid/F", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, F);
    H5Dclose(ds), H5Sclose(sp), H5Gclose(g), H5Fclose(file);
    free(F);
}

static double v1_objective(double th, double ph)
{
    return 3 + 2 * cos(th) - sin(ph) + 0.5 * sin(2 * th) * cos(3 * ph) + 0.25 * cos(th - 2 * ph);
}

/* V1 and V2. */
static void fft_exactness_and_aliasing(void)
{
    static const struct { int k, l; double re, im; } expect[] = {
        {0, 0, 3, 0}, {1, 0, 1, 0}, {-1, 0, 1, 0}, {0, 1, 0, 0.5}, {0, -1, 0, -0.5}, {2, 3, 0, -0.125}, {2, -3, 0, -0.125},
        {-2, 3, 0, 0.125}, {-2, -3, 0, 0.125}, {-1, 2, 0.125, 0}, {1, -2, 0.125, 0},
    };
    const int sizes[] = {16, 8};
    for (int s = 0; s < 2; s++) {
        char M[8];
        snprintf(M, sizeof M, "%d", sizes[s]);
        write_grid("v1.h5", sizes[s], v1_objective);
        gd_model *m = torus((const char *const[]){"objective", "grid", "file", "v1.h5", "N", "3", "M", M, NULL});
        double worst_listed = 0, worst_other = 0;
        for (int k = -sizes[s] / 2 + 1; k < sizes[s] / 2; k++)
            for (int l = -sizes[s] / 2 + 1; l < sizes[s] / 2; l++) {
                double re = 0, im = 0;
                int listed = 0;
                for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
                    if (expect[i].k == k && expect[i].l == l) re = expect[i].re, im = expect[i].im, listed = 1;
                double e = coef_abs_err(m, k, l, re, im);
                if (listed) worst_listed = fmax(worst_listed, e);
                else worst_other = fmax(worst_other, e);
            }
        CHECK(worst_listed < 1e-13);
        CHECK(worst_other < 1e-13);
        CHECK(sizes[s] == 8 || gd_model_warning(m)[0] == '\0'); /* M = 16 resolves degree 3 with room */
        /* the series reproduces F exactly between the nodes */
        double x[2] = {0.123, -2.5}, F;
        CHECK_OK(gd_torus_series(m, x, &F, NULL, NULL));
        CHECK_NEAR(F, v1_objective(x[0], x[1]), 1e-13);
        gd_model_free(&m);
    }
    /* V2: at M = 6 the Nyquist bin l = 3 holds c(2,3) + c(2,-3); at M = 4, (1,-2) folds onto (1,2). */
    write_grid("v2.h5", 6, v1_objective);
    gd_model *m = torus((const char *const[]){"objective", "grid", "file", "v2.h5", "N", "2", NULL});
    CHECK(coef_abs_err(m, 2, 3, 0, -0.25) < 1e-13);
    CHECK(strstr(gd_model_warning(m), "raise model.M") != NULL);
    gd_model_free(&m);
    write_grid("v2.h5", 4, v1_objective);
    m = torus((const char *const[]){"objective", "grid", "file", "v2.h5", "N", "1", NULL});
    CHECK(coef_abs_err(m, 1, 2, 0.125, 0) < 1e-13);
    gd_model_free(&m);
    /* the rule even M >= 2N + 2 is enforced */
    gd_model *bad = gd_model_create(gd_model_type_find("torus"));
    CHECK_OK(gd_model_set(bad, "objective", "grid"));
    CHECK_OK(gd_model_set(bad, "file", "v2.h5"));
    CHECK_OK(gd_model_set(bad, "N", "2"));
    CHECK(gd_model_setup(bad) == GD_EUSAGE && strstr(gd_model_errmsg(bad), "need an even M >= 2N + 2 = 6"));
    gd_model_free(&bad);
}

/* Integrate with cvode from x0 to t_end in n output steps; the callback sees every state. */
static void integrate(const gd_model *m, const double *x0, double t_end, long n, void (*each)(double, const double *, void *), void *u)
{
    char te[32], st[32];
    snprintf(te, sizeof te, "%.17g", t_end);
    snprintf(st, sizeof st, "%ld", n);
    gd_stepper *s = make_stepper("cvode", m, (const char *const[]){"rtol", "1e-10", "atol", "1e-12", "t_end", te, "steps", st, NULL});
    double x[6], t = 0;
    memcpy(x, x0, sizeof(double) * (size_t)gd_model_dim(m));
    CHECK_OK(gd_stepper_reset(s, x));
    if (each) each(0, x, u);
    for (long i = 0; i < n; i++) {
        CHECK_OK(gd_stepper_step(s, x, &t));
        if (each) each(t, x, u);
    }
    gd_stepper_free(&s);
}

static void track_H(double t, const double *x, void *u)
{
    double *w = u; /* w[0] = H(0), w[1] = worst drift */
    (void)t;
    w[1] = fmax(w[1], fabs(cos(x[0]) * cos(x[1]) - w[0]));
}

/* Period from two successive upward crossings of phi = 0 (a Poincare section). */
static double section_period(const gd_model *m, double th0)
{
    gd_stepper *s = make_stepper("cvode", m, (const char *const[]){"rtol", "1e-12", "atol", "1e-14", "t_end", "100", "steps", "1", NULL});
    double x[2] = {th0, -1e-9}, t = 0, w[2] = {0, 1}, times[3];
    int n = 0;
    CHECK_OK(gd_stepper_set_section(s, w, 0));
    CHECK_OK(gd_stepper_reset(s, x));
    while (n < 3) {
        int rc = gd_stepper_step(s, x, &t);
        if (rc == GD_SECTION) times[n++] = t;
        else if (rc != GD_OK) break;
    }
    gd_stepper_free(&s);
    return n == 3 ? times[2] - times[1] : NAN;
}

/* V3 and V4. */
static void product_mode(void)
{
    const char *flows[] = {"real", "truncated"};
    for (int f = 0; f < 2; f++) {
        gd_model *m = torus((const char *const[]){"objective", "product", "flow", flows[f], "N", "1", "M", "8", NULL});
        const double th0[] = {0.01, 0.5}, period[] = {6.283342390, 6.699975664};
        for (int i = 0; i < 2; i++) {
            double x0[2] = {th0[i], 0}, w[2] = {cos(th0[i]), 0};
            integrate(m, x0, 200, 2000, track_H, w);
            CHECK(w[1] < 1e-8);
            CHECK_REL(section_period(m, th0[i]), period[i], 1e-7);
        }
        /* V4: centres at (0|pi, 0|pi), saddles at (+-pi/2, +-pi/2) */
        for (int c = 0; c < 4; c++) {
            double x[2] = {(c & 1) * M_PI, (c >> 1) * M_PI}, J[4], wr[2], wi[2];
            CHECK_OK(gd_model_jacobian(m, x, J));
            eig2(J, wr, wi);
            CHECK_NEAR(wr[0], 0, 1e-12); CHECK_NEAR(wr[1], 0, 1e-12); CHECK_NEAR(wi[1], 1, 1e-12);
            double y[2] = {(c & 1) ? M_PI / 2 : -M_PI / 2, (c >> 1) ? M_PI / 2 : -M_PI / 2};
            CHECK_OK(gd_model_jacobian(m, y, J));
            eig2(J, wr, wi);
            CHECK_NEAR(wr[0], -1, 1e-12); CHECK_NEAR(wr[1], 1, 1e-12); CHECK_NEAR(wi[1], 0, 1e-12);
        }
        gd_model_free(&m);
    }
}

static gd_sim *sim(const char *const *kv) { return make_sim_with((const char *const[]){"model.name", "torus", NULL}, kv); }

static void store_state(double t, const double *x, void *u)
{
    (void)t;
    memcpy(u, x, 2 * sizeof(double));
}

static void store_state3(double t, const double *x, void *u)
{
    (void)t;
    memcpy(u, x, 3 * sizeof(double));
}

/* V5: the damped first-order objective. */
static void damped(void)
{
    gd_model *m = torus((const char *const[]){"objective", "damped", "N", "1", "M", "8", NULL});
    double x[2] = {0, 0}, J[4];
    CHECK_OK(gd_model_equilibrium(m, x));
    CHECK_NEAR(hypot(x[0], x[1]), 0, 1e-14);
    CHECK_OK(gd_model_jacobian(m, x, J));
    CHECK_NEAR(J[0], -0.02, 1e-13); CHECK_NEAR(J[1], -1, 1e-13); CHECK_NEAR(J[2], 1, 1e-13); CHECK_NEAR(J[3], -0.08, 1e-13);
    /* Liouville: a small triangle's area shrinks at the rate tr J = -0.1 */
    double corners[3][2] = {{1e-4, 0}, {1e-4 + 1e-6, 0}, {1e-4, 1e-6}}, end[3][2];
    for (int c = 0; c < 3; c++) integrate(m, corners[c], 20, 1, store_state, end[c]);
    double a0 = 1e-12 / 2;
    double a1 = fabs((end[1][0] - end[0][0]) * (end[2][1] - end[0][1]) - (end[1][1] - end[0][1]) * (end[2][0] - end[0][0])) / 2;
    CHECK_NEAR(log(a1 / a0) / 20, -0.1, 1e-4);
    gd_model_free(&m);
    /* rates from a trajectory (rate.c's eigenbasis fit) against -0.05 +- i sqrt(0.9991) */
    gd_sim *s = sim((const char *const[]){"model.objective", "damped", "model.N", "1", "model.M", "8", "run.x0", "0.1,0", "integrator.name",
                                          "cvode", NULL});
    gd_rate_result r;
    CHECK_OK(gd_sim_rate(s, "", &r));
    CHECK_NEAR(r.c_re, -0.05, 2e-4);
    CHECK_NEAR(fabs(r.c_im), sqrt(0.9991), 2e-4);
    gd_sim_free(&s);
}

/* V6: one mode, by closed form. */
static void single_mode(void)
{
    const char *flows[] = {"real", "truncated"};
    for (int f = 0; f < 2; f++) {
        gd_model *m = torus((const char *const[]){"objective", "mode", "alpha", "1", "beta_mode", "2", "flow", flows[f], "N", "2", "M", "8", NULL});
        double x0[2] = {1, 0.5}, x[2];
        integrate(m, x0, 1, 1, store_state, x);
        CHECK_NEAR(x[0] + 2 * x[1], 0.154767857249, 1e-8);
        CHECK_NEAR(x[0], 1.615077381, 1e-8); CHECK_NEAR(x[1], -0.730154762, 1e-8);
        CHECK_NEAR((x[1] - x0[1]) / (x[0] - x0[0]), -2, 1e-8);
        gd_model_free(&m);
        m = torus((const char *const[]){"objective", "mode", "alpha", "1", "beta_mode", "1", "flow", flows[f], "N", "2", "M", "8", NULL});
        integrate(m, x0, 1, 1, store_state, x);
        CHECK_NEAR(x[0], 1.997494987, 1e-8); CHECK_NEAR(x[1], -0.497494987, 1e-8);
        gd_model_free(&m);
    }
}

/* V7: the Poisson kernel's coefficients r^|k| on the anti-diagonal, truncation error 2 r^{N+1}/(1-r). */
static void poisson(void)
{
    const int orders[] = {4, 8};
    const double sup[] = {0.125, 7.8125e-3};
    for (int i = 0; i < 2; i++) {
        char N[8];
        snprintf(N, sizeof N, "%d", orders[i]);
        gd_model *m = torus((const char *const[]){"objective", "poisson", "r", "0.5", "N", N, "M", "64", NULL});
        double worst_diag = 0, worst_off = 0;
        for (int k = -16; k <= 16; k++) /* beyond, the grid's aliases r^(64-|k|) exceed 1e-14 */
            for (int l = -16; l <= 16; l++) {
                double e = coef_abs_err(m, k, l, l == -k ? pow(0.5, abs(k)) : 0, 0);
                if (l == -k) worst_diag = fmax(worst_diag, e);
                else worst_off = fmax(worst_off, e);
            }
        CHECK(worst_diag < 1e-14 && worst_off < 1e-14);
        double x[2] = {0.7, 0.7}, y[2] = {0.7, 2.0}, F, FN, G, GN;
        gd_torus_objective(m, x, &F, NULL), gd_torus_series(m, x, &FN, NULL, NULL);
        gd_torus_objective(m, y, &G, NULL), gd_torus_series(m, y, &GN, NULL, NULL);
        CHECK_NEAR(F - FN, sup[i], 1e-13);
        CHECK(fabs(G - GN) < sup[i]);
        /* all modes have |alpha| = |beta|: theta - phi is conserved */
        double x0[2] = {0.3, -0.4}, xe[2];
        integrate(m, x0, 5, 1, store_state, xe);
        CHECK_NEAR(xe[0] - xe[1], 0.7, 1e-9);
        gd_model_free(&m);
    }
}

/* V8: R-Exp pointwise, by Gauss-Laguerre quadrature. */
/* The model's equilibrium sits at (theta, phi) and its Jacobian's eigenvalue is re + i im. */
static void check_equilibrium(const gd_model *m, double theta, double phi, double re, double im, double tol)
{
    double eq[2], J[4], wr[2], wi[2];
    CHECK_OK(gd_model_equilibrium(m, eq));
    CHECK_NEAR(eq[0], theta, 1e-6); CHECK_NEAR(eq[1], phi, 1e-9);
    CHECK_OK(gd_model_jacobian(m, eq, J));
    eig2(J, wr, wi);
    CHECK_NEAR(wr[1], re, tol); CHECK_NEAR(wi[1], im, tol);
}

static void rexp_pointwise(void)
{
    gd_model *m = torus((const char *const[]){"objective", "rexp", "flow", "real", NULL});
    const double pts[3][2] = {{0, 0}, {0.7, 1.1}, {2.0, -0.4}}, val[3] = {-2 * M_LN2, -1.347200516519, -1.817356309274};
    for (int i = 0; i < 3; i++) {
        double F;
        CHECK_OK(gd_torus_objective(m, pts[i], &F, NULL));
        CHECK_NEAR(F, val[i], 1e-11);
    }
    double g[2], x[2] = {0.7, 1.1};
    CHECK_OK(gd_torus_objective(m, x, NULL, g));
    CHECK_NEAR(g[0], 0.2477281621, 1e-9); CHECK_NEAR(g[1], -0.0892352488, 1e-9);
    for (int j = 0; j < 2; j++) { /* the closed-form gradient against central differences of F */
        double xp[2] = {x[0], x[1]}, xm[2] = {x[0], x[1]}, Fp, Fm;
        xp[j] += 1e-5, xm[j] -= 1e-5;
        gd_torus_objective(m, xp, &Fp, NULL), gd_torus_objective(m, xm, &Fm, NULL);
        CHECK_NEAR((Fp - Fm) / 2e-5, g[j], 1e-9);
    }
    check_equilibrium(m, 0, 0, -0.25, 0.4330127, 1e-6);
    gd_model_free(&m);
    m = torus((const char *const[]){"objective", "rexp", "flow", "real", "rho", "1.5", "beta", "0.5", "delta", "0.3", NULL});
    check_equilibrium(m, 0.304693, 0, -0.28125, 0.2210592, 1e-7);
    gd_model_free(&m);
}

/* sup |F - F_N| over the centres of the 64 x 64 sampling cells (off the grid nodes). */
static double sup_error(const gd_model *real, const gd_model *trunc)
{
    double worst = 0;
    for (int j = 0; j < 64; j++)
        for (int k = 0; k < 64; k++) {
            double x[2] = {2 * M_PI * (j + 0.5) / 64, 2 * M_PI * (k + 0.5) / 64}, F, FN;
            gd_torus_objective(real, x, &F, NULL);
            gd_torus_series(trunc, x, &FN, NULL, NULL);
            worst = fmax(worst, fabs(F - FN));
        }
    return worst;
}

typedef struct { double x[201][2]; int n; } path;
static void record(double t, const double *x, void *u)
{
    (void)t;
    path *p = u;
    memcpy(p->x[p->n++], x, 2 * sizeof(double));
}

/* V9: the R-Exp truncation table (M = 64, Q = 64). */
static void rexp_truncation(void)
{
    static const struct { const char *N; double eq[2], re, im, sup, traj, traj_tol; } row[] = {
        {"1", {-0.237620, 0.251383}, 0, 0.532015, 5.6e-1, 8.7e-1, 0.05e-1},
        {"2", {0.031240, 0.036127}, -0.198261, 0.517252, 6.7e-2, 8.1e-2, 0.05e-2},
        {"16", {4e-6, 4e-6}, -0.249893, 0.433066, 1.4e-4, 2.0e-5, 0.05e-5},
    };
    gd_model *real = torus((const char *const[]){"objective", "rexp", "flow", "real", NULL});
    static path ref;
    double x0[2] = {0.3, 0.3};
    ref.n = 0;
    integrate(real, x0, 20, 200, record, &ref);
    for (int i = 0; i < 3; i++) {
        gd_model *m = torus((const char *const[]){"objective", "rexp", "N", row[i].N, "M", "64", NULL});
        double eq[2], J[4], wr[2], wi[2];
        CHECK_OK(gd_model_equilibrium(m, eq));
        CHECK_NEAR(eq[0], row[i].eq[0], 1e-5); CHECK_NEAR(eq[1], row[i].eq[1], 1e-5);
        CHECK_OK(gd_model_jacobian(m, eq, J));
        eig2(J, wr, wi);
        CHECK_NEAR(wr[1], row[i].re, 1e-5); CHECK_NEAR(wi[1], row[i].im, 1e-5);
        /* Off-grid sup at the cell centres: 0.570, 0.0696, 1.43e-4 against the one- and two-digit
         * values of row[].sup (within 4 %). The sup over all of T^2 is attained at grid nodes and
         * is larger (0.5735, 0.0704, 1.69e-4, the same on 64^2, 128^2 and 256^2 node lattices). */
        CHECK_REL(sup_error(real, m), row[i].sup, 0.05);
        static path p;
        p.n = 0;
        integrate(m, x0, 20, 200, record, &p);
        double worst = 0;
        for (int k = 0; k < p.n; k++) worst = fmax(worst, hypot(p.x[k][0] - ref.x[k][0], p.x[k][1] - ref.x[k][1]));
        CHECK_NEAR(worst, row[i].traj, row[i].traj_tol);
        if (i == 0) { /* low-order coefficients and F_1's real form */
            CHECK(coef_abs_err(m, 0, 0, -1.5596986287, 0) < 1e-9);
            CHECK(coef_abs_err(m, 1, 0, 0, 0.0702897649) < 1e-9);
            CHECK(coef_abs_err(m, 0, 1, 0, -0.0665164694) < 1e-9);
            CHECK(coef_abs_err(m, 1, 1, -0.1412897760, 0) < 1e-9);
            CHECK(coef_abs_err(m, 1, -1, 0.1412897760, 0) < 1e-9);
            /* shell maxima: sub-geometric decay, odd shells far smaller */
            const int shells[] = {2, 4, 8, 16, 9};
            const double smax[] = {7.96e-2, 5.40e-3, 3.46e-4, 1.25e-5, 2.3e-8};
            const double half_unit[] = {0.005e-2, 0.005e-3, 0.005e-4, 0.005e-5, 0.05e-8}; /* of the last digit given */
            for (int s = 0; s < 5; s++) {
                double worst_c = 0;
                int n = shells[s];
                for (int k = -n; k <= n; k++)
                    for (int l = -n; l <= n; l++) {
                        if (abs(k) != n && abs(l) != n) continue;
                        double cr, ci;
                        gd_torus_coefficient(m, k, l, &cr, &ci);
                        worst_c = fmax(worst_c, hypot(cr, ci));
                    }
                /* n = 16 is 1.24471e-5 (the same for M = 64..256, Q = 64, 128): the table's
                 * 1.25e-5 (docs/models/torus.md V9) reads as 1.2447 rounded twice, so allow one
                 * unit of its last digit there */
                CHECK_NEAR(worst_c, smax[s], n == 16 ? 2 * half_unit[s] : half_unit[s]);
            }
        }
        gd_model_free(&m);
    }
    gd_model_free(&real);
}

/* V10: the real flow's spiral rate, measured by rate.c, and the equilibrium census points. */
static void rexp_real_flow(void)
{
    gd_sim *s = sim((const char *const[]){"model.objective", "rexp", "model.flow", "real", "integrator.name", "cvode", "run.x0", "0.3,0.3", NULL});
    gd_rate_result r;
    CHECK_OK(gd_sim_rate(s, "", &r));
    CHECK_NEAR(r.c_re, -0.25, 5e-3);
    CHECK_NEAR(fabs(r.c_im), 0.4330, 5e-3);
    CHECK_NEAR(r.c_pred_re, -0.25, 1e-6);
    gd_sim_free(&s);
    gd_model *m = torus((const char *const[]){"objective", "rexp", "flow", "real", NULL});
    double J[4], wr[2], wi[2], src[2] = {M_PI / 2, M_PI / 2}, x[2];
    CHECK_OK(gd_model_jacobian(m, src, J));
    eig2(J, wr, wi);
    CHECK_NEAR(wr[0], 0.184720, 1e-5); CHECK_NEAR(wr[1], 0.311534, 1e-5);
    const double saddles[][2] = {{M_PI / 2, 0.597301}, {M_PI / 2, 2.544291}, {M_PI / 2, -M_PI / 2}, {-M_PI / 2, M_PI / 2}};
    for (int i = 0; i < 4; i++) {
        double seed[2] = {saddles[i][0] + 0.01, saddles[i][1] - 0.01};
        CHECK_OK(gd_model_newton(m, seed, x));
        CHECK_NEAR(x[0], saddles[i][0], 1e-6); CHECK_NEAR(x[1], saddles[i][1], 1e-6);
        CHECK_OK(gd_model_jacobian(m, x, J));
        eig2(J, wr, wi);
        CHECK(wr[0] < 0 && wr[1] > 0 && wi[0] == 0);
    }
    gd_model_free(&m);
}

/* The discrete maps near a spiral (docs/models/torus.md, "Closed forms") on the damped
 * objective, J = [[-a, -s], [s, -b]], a = 0.02, b = 0.08, s = 1. */
static void discrete_step_limits(void)
{
    const double a = 0.02, b = 0.08, s2 = 1;
    const double agd = (-(a + b) + sqrt((a + b) * (a + b) + 4 * (s2 - a * b))) / (s2 - a * b), sgda = (a + b) / (a * b + s2);
    const struct { const char *integrator; double lo, hi, expect; } c[] = {{"altgd", 1.5, 2.2, agd}, {"simgd", 0.05, 0.2, sgda}};
    for (int i = 0; i < 2; i++) {
        gd_sim *s = sim((const char *const[]){"model.objective", "damped", "model.N", "1", "model.M", "8", "integrator.name", c[i].integrator,
                                              "integrator.steps", "200000", "run.x0", "1e-6,1e-6",
                                              /* |mu| - 1 is only -1e-6 at 0.9998 of the SGDA limit: resolve finer */
                                              "sweep.rate_tol", "1e-9", NULL});
        gd_critical_result r;
        CHECK_OK(gd_sim_critical(s, "integrator.h", c[i].lo, c[i].hi, 1e-6, &r));
        CHECK_REL(r.value, c[i].expect, 1e-4);
        CHECK_REL(r.predicted, c[i].expect, 1e-6);
        gd_sim_free(&s);
    }
}

/* Bad input: a clear message naming the problem. */
static void errors(void)
{
    const struct { const char *kv[7], *want; } bad[] = {
        {{"flow", "truncated", "objective", "grid", NULL}, "needs model.file"},
        {{"objective", "grid", "file", "no_such_file.h5", NULL}, "cannot open HDF5 file"},
        {{"objective", "rexp", "delta", "2", NULL}, "|delta| <= kappa"},
        {{"objective", "mode", "alpha", "1.5", NULL}, "whole frequencies"},
        {{"N", "4", "M", "8", NULL}, "need an even M >= 2N + 2 = 10"},
        {{"objective", "grid", "flow", "real", NULL}, "samples only"},
        {{"objective", "product", "M", "65536", NULL}, "(the sampling grid and its spectrum) needs"},
        {{"objective", "rexp", "n_disc", "2", NULL}, "one angle per player"},
        {{"objective", "product", "n_gen", "3", "M", "2048", NULL}, "in 4 angles (the sampling grid"},
        {{"objective", "product", "n_disc", "2", "N", "65", NULL}, "at most 64"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gd_model *m = gd_model_create(gd_model_type_find("torus"));
        for (int k = 0; bad[i].kv[k]; k += 2) CHECK_OK(gd_model_set(m, bad[i].kv[k], bad[i].kv[k + 1]));
        int rc = gd_model_setup(m);
        CHECK(rc != GD_OK && strstr(gd_model_errmsg(m), bad[i].want));
        if (rc == GD_OK || !strstr(gd_model_errmsg(m), bad[i].want)) fprintf(stderr, "  got: %s\n", gd_model_errmsg(m));
        gd_model_free(&m);
    }
}

/* A run file's /grid/F (the sampled objective) is itself a valid objective = grid input: reading it
 * back gives the same coefficients, and /spectrum holds them at signed offset N. */
static void file_round_trip(void)
{
    gd_sim *s = gd_sim_create();
    CHECK_OK(gd_sim_set(s, "model.name", "torus"));
    CHECK_OK(gd_sim_set(s, "integrator.name", "cvode"));
    CHECK_OK(gd_sim_set(s, "integrator.steps", "10"));
    CHECK_OK(gd_sim_set(s, "integrator.t_end", "1"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_run(s, "round_trip.h5"));
    gd_model *a = gd_sim_get_model(s);
    gd_model *b = torus((const char *const[]){"objective", "grid", "file", "round_trip.h5", NULL});
    double worst = 0;
    for (int k = -4; k <= 4; k++)
        for (int l = -4; l <= 4; l++) {
            double re = NAN, im = NAN;
            CHECK_OK(gd_torus_coefficient(a, k, l, &re, &im));
            worst = fmax(worst, coef_abs_err(b, k, l, re, im));
        }
    CHECK_NEAR(worst, 0, 1e-15);
    double stored[81];
    hid_t f = H5Fopen("round_trip.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = f >= 0 ? H5Dopen2(f, "/spectrum/c_re", H5P_DEFAULT) : -1;
    CHECK(ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored) >= 0);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
    double re = NAN, im = NAN;
    CHECK_OK(gd_torus_coefficient(a, 1, -2, &re, &im));
    CHECK_NEAR(stored[(1 + 4) * 9 + (-2 + 4)], re, 0.0);
    gd_model_free(&b);
    gd_sim_free(&s);
}

/* plan = measure with a wisdom file: the file is written and a second setup reuses it, with
 * the same coefficients; an unwritable wisdom path is an error naming it. */
static void wisdom(void)
{
    remove("torus.wisdom");
    const char *const kv[] = {"objective", "product", "M", "32", "plan", "measure", "wisdom", "torus.wisdom", NULL};
    gd_model *a = torus(kv);
    FILE *f = fopen("torus.wisdom", "r");
    CHECK(f != NULL);
    long size = 0;
    if (f) fseek(f, 0, SEEK_END), size = ftell(f), fclose(f);
    CHECK(size > 0);
    gd_model *b = torus(kv);
    double re = NAN, im = NAN;
    CHECK_OK(gd_torus_coefficient(a, 1, 1, &re, &im));
    CHECK_NEAR(coef_abs_err(b, 1, 1, re, im), 0, 1e-16);
    CHECK_NEAR(re, -0.25, 1e-15); /* s sin(theta) sin(phi) = -(s/4)(e^{i(t+p)} + ...) */
    gd_model_free(&a), gd_model_free(&b);
    remove("torus.wisdom");
    gd_model *m = gd_model_create(gd_model_type_find("torus"));
    CHECK_OK(gd_model_set(m, "wisdom", "/no_such_dir/torus.wisdom"));
    CHECK(gd_model_setup(m) == GD_EIO && strstr(gd_model_errmsg(m), "/no_such_dir/torus.wisdom"));
    gd_model_free(&m);
}

/* The spectral grid field (inverse FFT of (ik) c, (il) c) equals the direct sum at every node,
 * on the sampling grid and zero-padded to a finer one. */
static void grid_field(void)
{
    gd_model *m = torus((const char *const[]){"N", "6", "eta_g", "0.7", NULL});
    const int sizes[] = {14, 64, 96}; /* the smallest allowed (2N + 2), the sampling grid, finer */
    for (int i = 0; i < 3; i++) {
        int Mf = sizes[i];
        double *u = malloc(sizeof(double) * 2 * (size_t)Mf * Mf), *v = u + (size_t)Mf * Mf, worst = 0;
        CHECK_OK(gd_torus_grid_field(m, Mf, u, v));
        for (int j = 0; j < Mf; j++)
            for (int k = 0; k < Mf; k++) {
                double x[2] = {2 * M_PI * j / Mf, 2 * M_PI * k / Mf}, V[2];
                CHECK_OK(gd_model_field(m, x, V));
                worst = fmax(worst, fmax(fabs(V[0] - u[j * Mf + k]), fabs(V[1] - v[j * Mf + k])));
            }
        CHECK_NEAR(worst, 0, 1e-14);
        free(u);
    }
    double u[100];
    CHECK(gd_torus_grid_field(m, 12, u, u + 50) == GD_EUSAGE); /* 12 < 2N + 2 */
    gd_model_free(&m);
}

/* More than two angles: product and damped in (theta; phi_1, phi_2) and (theta_1, theta_2; phi).
 * Degree 1 in every angle, so N = 1 on M = 8 is exact: series against closed form, the
 * coefficients, the Jacobian at the Nash point, CVODE truncated vs real, a file round trip. */
static void more_angles(void)
{
    gd_model *t = torus((const char *const[]){"objective", "product", "n_disc", "2", "N", "1", "M", "8", NULL});
    gd_model *r = torus((const char *const[]){"objective", "product", "n_disc", "2", "flow", "real", NULL});
    CHECK(gd_model_dim(t) == 3);
    double worst = 0;
    for (int i = 0; i < 50; i++) {
        double x[3] = {0.37 * i, 1.1 - 0.23 * i, 0.05 * i * i}, F, g[3], H[9], Fr, gr[3];
        CHECK_OK(gd_torus_series(t, x, &F, g, H));
        CHECK_OK(gd_torus_objective(r, x, &Fr, gr));
        worst = fmax(worst, fabs(F - Fr));
        for (int j = 0; j < 3; j++) worst = fmax(worst, fabs(g[j] - gr[j]));
        CHECK_NEAR(H[1], H[3], 1e-15); /* symmetric */
    }
    CHECK_NEAR(worst, 0, 1e-14);
    const int k110[3] = {1, 1, 0}, k101[3] = {1, 0, -1}, k111[3] = {1, 1, 1};
    double re, im;
    CHECK_OK(gd_torus_coefficient_nd(t, k110, &re, &im)); /* sin t sin p = -(1/4) sum of e^{i(+-t+-p)} signs */
    CHECK_NEAR(re, -0.25, 1e-15); CHECK_NEAR(im, 0, 1e-15);
    CHECK_OK(gd_torus_coefficient_nd(t, k101, &re, &im));
    CHECK_NEAR(re, 0.25, 1e-15);
    CHECK_OK(gd_torus_coefficient_nd(t, k111, &re, &im));
    CHECK_NEAR(hypot(re, im), 0, 1e-15);
    CHECK(gd_torus_coefficient(t, 1, 1, &re, &im) == GD_EUSAGE); /* the 2-D accessor refuses */
    double x0[3] = {0.3, -0.2, 0.4}, xt[3], xr[3];
    integrate(t, x0, 10, 1, store_state3, xt);
    integrate(r, x0, 10, 1, store_state3, xr);
    for (int j = 0; j < 3; j++) CHECK_NEAR(xt[j], xr[j], 1e-7);
    gd_model_free(&t), gd_model_free(&r);

    /* damped, n = 2, m = 1: J = [[eps_g I, -s 1], [s 1^T, -eps_d]] at the origin */
    const double want[9] = {-0.02, 0, -1, 0, -0.02, -1, 1, 1, -0.08};
    for (int flow = 0; flow < 2; flow++) {
        gd_model *m = torus((const char *const[]){"objective", "damped", "n_gen", "2", "flow", flow ? "real" : "truncated", "N", "1", "M", "8", NULL});
        double eq[3], J[9];
        CHECK_OK(gd_model_equilibrium(m, eq));
        CHECK_NEAR(fabs(eq[0]) + fabs(eq[1]) + fabs(eq[2]), 0, 1e-14);
        CHECK_OK(gd_model_jacobian(m, eq, J));
        for (int j = 0; j < 9; j++) CHECK_NEAR(J[j], want[j], 1e-14);
        gd_model_free(&m);
    }

    /* a three-angle run file's /grid/F read back as objective = grid */
    gd_sim *s = sim((const char *const[]){"model.objective", "mode", "model.n_disc", "2", "model.N", "2", "model.M", "8",
                                          "integrator.name", "cvode", "integrator.steps", "2", "integrator.t_end", "1", NULL});
    CHECK_OK(gd_sim_run(s, "three.h5"));
    gd_model *b = torus((const char *const[]){"objective", "grid", "file", "three.h5", "n_disc", "2", "N", "2", NULL});
    const int k122[3] = {1, 2, 2};
    double br, bi;
    CHECK_OK(gd_torus_coefficient_nd(gd_sim_get_model(s), k122, &re, &im));
    CHECK_OK(gd_torus_coefficient_nd(b, k122, &br, &bi));
    CHECK_NEAR(re, 0.5, 1e-15); /* cos(t + 2 p1 + 2 p2) = (e^{iu} + e^{-iu})/2 */
    CHECK_NEAR(br, re, 1e-15); CHECK_NEAR(bi, im, 1e-15);
    gd_model_free(&b);
    gd_sim_free(&s);
    remove("three.h5");
}

/* A portrait of a torus flow over one whole period [-pi, pi]^2 (written to file; keys kv on top of
 * the torus model), its equilibria re-checked here from the file: each a root of the field
 * (|V| < 1e-9) inside the box, distinct from the others modulo 2 pi, its index the sign of
 * det J of the model's own Jacobian; those indices add up to 0 (Poincare-Hopf on the torus),
 * which is also what the portrait reports. Returns the count; *pos gets the positions
 * (k x 2, the caller frees). */
static int whole_torus_census(const char *const *kv, const char *file, double **pos)
{
    char box[128];
    snprintf(box, sizeof box, "%.17g:%.17g:%.17g:%.17g", -M_PI, M_PI, -M_PI, M_PI);
    gd_sim *s = gd_sim_create();
    CHECK_OK(gd_sim_set(s, "model.name", "torus"));
    for (int i = 0; kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    const char *const common[] = {"portrait.box", box, "portrait.starts", "0", "portrait.grid", "2", "integrator.steps", "1", NULL};
    for (int i = 0; common[i]; i += 2) CHECK_OK(gd_sim_set(s, common[i], common[i + 1]));
    CHECK_OK(gd_sim_setup(s));
    gd_portrait_result r;
    CHECK_OK(gd_sim_portrait_census(s, file, &r));
    CHECK(r.whole_period == 1);
    CHECK_NEAR(r.index_sum, 0, 0);
    CHECK_NEAR(r.index_expected, 0, 0);
    int k = -1;
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT), g = f >= 0 ? H5Gopen2(f, "/equilibria", H5P_DEFAULT) : -1;
    hid_t a = g >= 0 ? H5Aopen(g, "count", H5P_DEFAULT) : -1;
    CHECK(a >= 0 && H5Aread(a, H5T_NATIVE_INT, &k) >= 0);
    if (a >= 0) H5Aclose(a);
    *pos = malloc(sizeof(double) * 2 * (size_t)(k > 0 ? k : 1));
    hid_t ds = k > 0 ? H5Dopen2(f, "/equilibria/position", H5P_DEFAULT) : -1;
    CHECK(k == 0 || (ds >= 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *pos) >= 0));
    if (ds >= 0) H5Dclose(ds);
    if (g >= 0) H5Gclose(g);
    if (f >= 0) H5Fclose(f);
    CHECK(k == r.equilibria);
    const gd_model *m = gd_sim_get_model(s);
    int sum = 0;
    for (int q = 0; q < k; q++) {
        double *x = *pos + 2 * q, v[2], J[4];
        CHECK_OK(gd_model_field(m, x, v));
        CHECK(hypot(v[0], v[1]) < 1e-9);
        CHECK(x[0] >= -M_PI - 1e-9 && x[0] <= M_PI + 1e-9 && x[1] >= -M_PI - 1e-9 && x[1] <= M_PI + 1e-9);
        CHECK_OK(gd_model_jacobian(m, x, J));
        sum += J[0] * J[3] - J[1] * J[2] > 0 ? 1 : -1;
        for (int o = 0; o < q; o++)
            CHECK(hypot(remainder(x[0] - (*pos)[2 * o], 2 * M_PI), remainder(x[1] - (*pos)[2 * o + 1], 2 * M_PI)) > 1e-6);
    }
    CHECK(sum == 0);
    gd_sim_free(&s);
    remove(file);
    return k;
}

/* Is (theta, phi) among the k positions, to tol modulo 2 pi? */
static int has_point(const double *pos, int k, double theta, double phi, double tol)
{
    for (int q = 0; q < k; q++)
        if (fabs(remainder(pos[2 * q] - theta, 2 * M_PI)) <= tol && fabs(remainder(pos[2 * q + 1] - phi, 2 * M_PI)) <= tol) return 1;
    return 0;
}

/* The portrait's equilibrium census on the whole torus (docs/models/torus.md, `portrait`). R-Exp is
 * symmetric under theta -> pi - theta and phi -> pi - phi, so (pi/2, pi/2) is an equilibrium of the
 * real flow and of every truncation: at N = 4 a saddle between two node sources 0.13 away, which a
 * 12 x 12 seed grid alone misses (the sum is then +1). The counts per N are those of an independent
 * census (a 400 x 400 lattice of cells with a nonzero winding number, each root polished by a
 * separate solver): 8, 18, 12, 12, 12, 10, 10, 10 for N = 1..8 and 10 for the real flow, the four
 * sinks at (0|pi, 0|pi) included. The closed-form games: sin th sin ph has its four centres and
 * four saddles (V4), damped the same eight points moved. */
static void portrait_census(void)
{
    const int count[] = {8, 18, 12, 12, 12, 10, 10, 10};
    double *pos;
    for (int N = 1; N <= 8; N++) {
        char n[8];
        snprintf(n, sizeof n, "%d", N);
        int k = whole_torus_census((const char *const[]){"model.N", n, "model.M", "256", NULL}, "census.h5", &pos);
        CHECK(k == count[N - 1]);
        CHECK(has_point(pos, k, M_PI / 2, M_PI / 2, 1e-8));
        if (N == 4) { /* the saddle, and the two sources beside it, |phi - pi/2| = 0.1336 */
            gd_model *m = torus((const char *const[]){"N", "4", "M", "256", NULL});
            double J[4], x[2] = {M_PI / 2, M_PI / 2};
            CHECK_OK(gd_model_jacobian(m, x, J));
            CHECK(J[0] * J[3] - J[1] * J[2] < 0);
            gd_model_free(&m);
            CHECK(has_point(pos, k, M_PI / 2, 1.437150355, 1e-8) && has_point(pos, k, M_PI / 2, 1.704442299, 1e-8));
        }
        free(pos);
    }
    int k = whole_torus_census((const char *const[]){"model.flow", "real", NULL}, "census.h5", &pos);
    CHECK(k == 10);
    CHECK(has_point(pos, k, M_PI / 2, M_PI / 2, 1e-8) && has_point(pos, k, M_PI, 0, 1e-8) && has_point(pos, k, M_PI, M_PI, 1e-8));
    free(pos);
    k = whole_torus_census((const char *const[]){"model.objective", "product", "model.flow", "real", NULL}, "census.h5", &pos);
    CHECK(k == 8);
    for (int q = 0; q < 4; q++)
        CHECK(has_point(pos, k, M_PI * (q % 2), M_PI * (q / 2), 1e-12) && has_point(pos, k, M_PI * (q % 2 - 0.5), M_PI * (q / 2 - 0.5), 1e-12));
    free(pos);
    for (int real = 0; real < 2; real++) {
        k = whole_torus_census((const char *const[]){"model.objective", "damped", "model.flow", real ? "real" : "truncated", NULL}, "census.h5", &pos);
        CHECK(k == 8);
        free(pos);
    }
}

/* Boxes that are not one period: the indices must add up to the field's winding along the
 * box. sin th sin ph on [-4, 4]^2 holds 9 centres ({-pi, 0, pi}^2) and 4 saddles (+-pi/2):
 * each root counted once per image, sum 5; around the N = 4 cluster at (pi/2, pi/2), the
 * two sources and the saddle, sum +1. */
static void portrait_partial_boxes(void)
{
    const struct { const char *const kv[8]; int count; double sum; } cases[] = {
        {{"model.objective", "product", "model.flow", "real", "portrait.box", "-4:4:-4:4", NULL}, 13, 5},
        {{"model.N", "4", "portrait.box", "1.4:1.7:1.3:1.8", NULL}, 3, 1},
    };
    for (int c = 0; c < 2; c++) {
        gd_sim *s = sim((const char *const[]){cases[c].kv[0], cases[c].kv[1], cases[c].kv[2], cases[c].kv[3], cases[c].kv[4], cases[c].kv[5],
                                              "portrait.starts", "0", "portrait.grid", "2", "integrator.steps", "1", NULL});
        gd_portrait_result r;
        CHECK_OK(gd_sim_portrait_census(s, "", &r));
        CHECK(r.equilibria == cases[c].count && r.whole_period == 0);
        CHECK_NEAR(r.index_sum, cases[c].sum, 0);
        CHECK_NEAR(r.index_expected, cases[c].sum, 0);
        gd_sim_free(&s);
    }
}

/* The batched field of sweeps against the scalar field on 50 random states (angles over
 * several periods) with per-cell speeds, and per-cell objective parameters for the real
 * flow; more than two angles and the real flow's grid have none. */
static void batched_field(void)
{
    static const char *const confs[][12] = {
        {"objective", "rexp", NULL},
        {"objective", "poisson", "N", "6", "mask", "l1", NULL},
        {"objective", "damped", "N", "12", "mask", "l2", "M", "32", NULL},
        {"objective", "product", "flow", "real", "eps_g", "0.1", "eps_d", "-0.05", NULL},
        {"objective", "damped", "flow", "real", NULL},
        {"objective", "mode", "flow", "real", "alpha", "3", "beta_mode", "-2", NULL},
        {"objective", "poisson", "flow", "real", "r", "0.4", NULL},
        {"objective", "rexp", "flow", "real", "kappa", "1.5", "delta", "0.3", "rho", "2", NULL},
    };
    enum { NB = 50 };
    double x[2 * NB];
    uint64_t seed = 7;
    for (int i = 0; i < 2 * NB; i++) x[i] = -7 + 14 * gd_uniform01(&seed);
    for (size_t c = 0; c < sizeof confs / sizeof confs[0]; c++) {
        double err = batch_field_error("torus", confs[c], NB, x, 100 + c);
        if (!(err <= 1e-14)) fprintf(stderr, "torus %s %s: batched field differs by %.3g relative\n", confs[c][1], confs[c][3] ? confs[c][3] : "", err);
        CHECK(err <= 1e-14);
    }
    /* three angles: cell by cell */
    gd_model *m = torus((const char *const[]){"objective", "product", "n_gen", "2", NULL});
    CHECK(m->type->field_batch(m, 1, NULL, (double[3]){0}, (double[3]){0}) == GD_ENOTAVAIL);
    gd_model_free(&m);
}

/* Outcomes and rates (after the n outcomes) of a sweep of the torus sim kv, and whether it
 * ran batched. */
static double *sweep_results(const char *const *kv, const char *kernel, int *batched, long *n)
{
    gd_sim *s = sim(kv);
    CHECK_OK(gd_sim_set(s, "sweep.kernel", kernel));
    CHECK_OK(gd_sim_setup(s));
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    *batched = gd_sweep_is_batched(w), *n = gd_sweep_ncells(w);
    double *r = malloc(sizeof(double) * 2 * (size_t)*n);
    for (long i = 0; i < *n; i++) r[i] = gd_sweep_get_outcome(w)[i], r[*n + i] = gd_sweep_get_rate(w)[i];
    gd_sweep_free(&w);
    gd_sim_free(&s);
    return r;
}

/* Sweeps take the batched kernel over what the configuration varies per cell (the real
 * flow's objective parameters; the truncated flow's speeds only), with the per-cell path's
 * outcomes and rates (steps where the map is not chaotic, so rounding stays rounding); a
 * batched step refuses a per-state value the configuration cannot take. */
static void batched_sweeps(void)
{
    const char *const real[] = {"model.objective", "damped", "model.flow", "real", "run.x0", "0.3,-0.2", "integrator.steps", "300",
                                "sweep.x", "integrator.h:0.02:0.4:16:log", "sweep.y", "model.s:0.2:2:12", NULL};
    int batched, per_cell;
    long n, same = 0, count[3] = {0};
    double *a = sweep_results(real, "auto", &batched, &n), *b = sweep_results(real, "cell", &per_cell, &n), drate = 0;
    for (long i = 0; i < n; i++) same += a[i] == b[i], count[(int)a[i]]++, drate = fmax(drate, fabs(a[n + i] - b[n + i]));
    CHECK(batched && !per_cell && n == 192 && same == n && drate < 1e-12);
    CHECK(count[GD_CONVERGE] > 50 && count[GD_DIVERGE] > 50);
    free(a), free(b);
    const char *const trunc_s[] = {"model.objective", "product", "sweep.x", "model.s:0.5:2:3", "integrator.steps", "10", NULL};
    const char *const trunc_eta[] = {"model.objective", "product", "sweep.x", "model.eta_g:0.5:2:3", "integrator.steps", "10", NULL};
    free(sweep_results(trunc_s, "auto", &batched, &n));
    CHECK(!batched);
    free(sweep_results(trunc_eta, "auto", &batched, &n));
    CHECK(batched);
    gd_model *m = torus((const char *const[]){"objective", "product", NULL});
    gd_stepper *st = make_stepper("simgd", m, NULL);
    double x[2] = {0.3, 0.2}, p[8] = {1, 1, 1.5, NAN, NAN, 0.5, 1, 1}; /* s = 1.5 against the model's 1 */
    CHECK(gd_stepper_step_batch(st, 1, x, NULL, NULL, p, 1) == GD_EUSAGE && strstr(gd_stepper_errmsg(st), "model.s"));
    p[2] = 1;
    CHECK_OK(gd_stepper_step_batch(st, 1, x, NULL, NULL, p, 1));
    gd_stepper_free(&st);
    gd_model_free(&m);
}

int main(void)
{
    fft_exactness_and_aliasing();
    product_mode();
    damped();
    single_mode();
    poisson();
    rexp_pointwise();
    rexp_truncation();
    rexp_real_flow();
    discrete_step_limits();
    errors();
    file_round_trip();
    wisdom();
    grid_field();
    more_angles();
    portrait_census();
    portrait_partial_boxes();
    batched_field();
    batched_sweeps();
    return check_report("test_torus");
}
