/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The dataset spectrum estimator (docs/models/functional.md V10): diffusion maps with alpha = 1/2
 * on a quantile sample of N(0, 1) recover lambda_k = k; alpha = 0 gives the wrong operator (2k); a
 * product grid factorises exactly; random tails make outliers and a spurious lambda_1.
 */
#include "check.h"
#include "gandyn/estimate.h"

#include <hdf5.h>
#include <stdint.h>
#include <string.h>

/* Phi^-1 by bisection on Phi(x) = erfc(-x/sqrt 2)/2 (accurate in the lower tail), then one
 * Newton step; the upper half by symmetry, 1 - p being exact there. */
static double inv_phi(double p)
{
    if (p > 0.5) return -inv_phi(1 - p);
    double lo = -40, hi = 0;
    for (int k = 0; k < 200 && hi - lo > 1e-15 * (1 + fabs(lo)); k++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(-mid / sqrt(2)) < p) lo = mid;
        else hi = mid;
    }
    double x = 0.5 * (lo + hi);
    return x - (0.5 * erfc(-x / sqrt(2)) - p) / (exp(-0.5 * x * x) / sqrt(2 * M_PI));
}

static void quantiles(int n, double scale, double *x)
{
    for (int i = 0; i < n; i++) x[i] = scale * inv_phi((i + 0.5) / n);
}

/* splitmix64 and Box-Muller: a fixed, platform-independent "random" sample. */
static uint64_t rng_state;
static double uniform01(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void) { return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01()); }

static int estimate(int n, int d, const double *x, double t, double alpha, int nev, double *lambda, gd_estimate_report *rep)
{
    gd_estimate_opts o;
    char msg[512] = "";
    gd_estimate_defaults(&o);
    o.t = t, o.alpha = alpha;
    int rc = gd_estimate_spectrum(n, d, x, &o, nev, lambda, rep, msg);
    if (rc != GD_OK) fprintf(stderr, "estimate: %s\n", msg);
    return rc;
}

static void test_v10(void)
{
    double x[1000], lam[6];
    gd_estimate_report rep;
    quantiles(1000, 1, x);
    CHECK_OK(estimate(1000, 1, x, 0.02, 0.5, 6, lam, &rep));
    printf("V10 alpha = 1/2: %.6f %.6f %.6f %.6f %.6f (isolation bound %.3f)\n", lam[1], lam[2], lam[3], lam[4], lam[5], rep.isolation_bound);
    CHECK_NEAR(lam[0], 0, 1e-9);
    CHECK_NEAR(lam[1], 1.0168, 0.03);
    CHECK_NEAR(lam[2], 2.0153, 0.05);
    CHECK_NEAR(lam[3], 3.034, 0.1);
    CHECK_NEAR(lam[1], 1.016832, 1e-5); /* numpy's eigvalsh on the same matrix: 1.01683193 */
    CHECK(rep.components == 1 && rep.largest == 1000 && rep.outliers == 0 && rep.localised == 0 && rep.first_localised == -1);
    CHECK(rep.worst == 0 || rep.worst == 999); /* the extreme quantiles */
    CHECK(rep.worst_mass > 0.3 && rep.isolation_bound > 5);

    CHECK_OK(estimate(1000, 1, x, 0.02, 0.0, 6, lam, &rep));
    printf("V10 alpha = 0: %.6f %.6f %.6f\n", lam[1], lam[2], lam[3]);
    CHECK_NEAR(lam[1], 1.92, 0.05);
    CHECK_NEAR(lam[2], 3.77, 0.1);
    CHECK(lam[1] > 1.5 && lam[2] > 3); /* the wrong operator, nowhere near 1, 2 */

    /* The largest sample allowed: still clean, its extremes not outliers (see ISOLATED_MASS). */
    static double big[GD_ESTIMATE_MAX_N];
    quantiles(GD_ESTIMATE_MAX_N, 1, big);
    CHECK_OK(estimate(GD_ESTIMATE_MAX_N, 1, big, 0.02, 0.5, 6, lam, &rep));
    printf("V10 at n = 4000: %.6f %.6f %.6f (extreme mass %.3f)\n", lam[1], lam[2], lam[3], rep.worst_mass);
    CHECK_NEAR(lam[1], 1.0168, 0.03);
    CHECK_NEAR(lam[3], 3.034, 0.1);
    CHECK(rep.components == 1 && rep.outliers == 0 && rep.localised == 0);
}

/* lambda_1 < ... of the nev largest products mu_a(x) mu_b(y), as lambdas. */
static void combine(int nx, const double *lx, int ny, const double *ly, double t, int nev, double *out)
{
    double mu[64];
    int m = 0;
    for (int a = 0; a < nx; a++)
        for (int b = 0; b < ny; b++) mu[m++] = (1 - t * lx[a]) * (1 - t * ly[b]);
    for (int i = 0; i < nev; i++) {
        int best = i;
        for (int j = i + 1; j < m; j++)
            if (mu[j] > mu[best]) best = j;
        double s = mu[i];
        mu[i] = mu[best], mu[best] = s;
        out[i] = (1 - mu[i]) / t;
    }
}

/* N(0, 1) x N(0, 1/4) on a quantile grid: true spectrum {a + 4b}: 0, 1, 2, 3, 4 (y), ...
 * The kernel, q, d and S are Kronecker products on a grid, so the 2-D spectrum is exactly
 * 1 - t lambda = (1 - t lambda_x)(1 - t lambda_y) of the two 1-D estimates. */
static void test_product(void)
{
    enum { NX = 60, NY = 30, NEV = 8 };
    static double pts[NX * NY * 2];
    double gx[NX], gy[NY], lam[NEV], lx[NEV], ly[NEV], want[NEV];
    quantiles(NX, 1, gx);
    quantiles(NY, 0.5, gy);
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NY; j++) pts[2 * (i * NY + j)] = gx[i], pts[2 * (i * NY + j) + 1] = gy[j];
    gd_estimate_report rep;
    CHECK_OK(estimate(NX * NY, 2, pts, 0.02, 0.5, NEV, lam, &rep));
    CHECK_OK(estimate(NX, 1, gx, 0.02, 0.5, NEV, lx, NULL));
    CHECK_OK(estimate(NY, 1, gy, 0.02, 0.5, NEV, ly, NULL));
    combine(NEV, lx, NEV, ly, 0.02, NEV, want);
    printf("2-D N(0,1) x N(0,1/4), %d x %d grid: %.4f %.4f %.4f %.4f %.4f\n", NX, NY, lam[1], lam[2], lam[3], lam[4], lam[5]);
    for (int k = 0; k < NEV; k++) CHECK_NEAR(lam[k], want[k], 1e-8);
    /* Against the closed form: an under-resolved x grid (60 points) and a bias O(t / sigma^2)
     * in y (t / sigma^2 = 0.08 gives 4.19). */
    CHECK_NEAR(lam[1], 1, 0.03);
    CHECK_NEAR(lam[2], 2, 0.15);
    CHECK_NEAR(lam[3], 3, 0.15);
    CHECK_NEAR(lam[4], 4, 0.25);
    CHECK_NEAR(ly[1], lam[4], 1e-8); /* the y mode, not x's fourth */
    CHECK(rep.components == 1 && rep.outliers == 0 && rep.localised == 0);
}

/* Random N(0, 1) samples: the tails hold near-isolated points, each making an eigenvector of
 * its own with a small eigenvalue, while the quantile sample has none. Seed 2: one point at
 * -3.98 (kernel mass 0.007 from the others) gives lambda_1 = 0.256 and pushes the true 1 to lambda_2;
 * seed 3: a pair of tail points, each with mass 0.7 (one another's: not isolated on its own),
 * found by the localisation of the mode. */
static void random_sample(uint64_t seed, double *x, double *lam, gd_estimate_report *rep)
{
    rng_state = seed;
    for (int i = 0; i < 1000; i++) x[i] = normal();
    CHECK_OK(estimate(1000, 1, x, 0.02, 0.5, 4, lam, rep));
    printf("random sample (seed %d): lambda %.4f %.4f %.4f; %d localised, %d outliers, worst %d at x = %.3f (kernel mass %.2g), "
           "bound %.4f, %d components\n", (int)seed, lam[1], lam[2], lam[3], rep->localised, rep->outliers, rep->worst, x[rep->worst],
           rep->worst_mass, rep->isolation_bound, rep->components);
    CHECK(lam[1] <= rep->isolation_bound * (1 + 1e-9)); /* the bound is a Rayleigh quotient */
}

static void test_outliers(void)
{
    double x[1000], lam[4];
    gd_estimate_report rep;
    random_sample(2, x, lam, &rep);
    CHECK(lam[1] < 0.3);
    CHECK_NEAR(lam[2], 1, 0.1);
    CHECK(rep.localised == 1 && rep.first_localised == 1 && rep.outliers == 1);
    CHECK(fabs(x[rep.worst]) > 3.9 && rep.worst_mass < 0.05);
    CHECK_NEAR(lam[1], rep.isolation_bound, 0.05); /* one point: the bound nearly is the mode */
    random_sample(3, x, lam, &rep);
    CHECK(lam[1] < 0.85 && rep.localised >= 1 && rep.first_localised == 1 && rep.outliers == 2);
    CHECK(fabs(x[rep.worst]) > 3 && rep.worst_mass > 0.05);

    /* Two clusters far apart: two components of the k-NN graph, and lambda_1 = 0. */
    for (int i = 0; i < 100; i++) x[i] = i < 60 ? i / 60.0 : 100 + i / 40.0;
    CHECK_OK(estimate(100, 1, x, 0.02, 0.5, 3, lam, &rep));
    CHECK(rep.components == 2 && rep.largest == 60);
    CHECK_NEAR(lam[1], 0, 1e-9);
    CHECK(lam[2] > 0.1);
}

static int usage_error(int n, int d, const double *x, double t, double alpha, int nev, const char *want)
{
    gd_estimate_opts o = {t, alpha, 10};
    double lam[8];
    char msg[512] = "";
    int rc = gd_estimate_spectrum(n, d, x, &o, nev, lam, NULL, msg);
    int ok = rc == GD_EUSAGE && strstr(msg, want) && !strchr(msg, '\n');
    if (!ok) fprintf(stderr, "usage_error: rc %d, msg '%s', want '%s'\n", rc, msg, want);
    return ok;
}

static void test_errors(void)
{
    static double x[4001];
    for (int i = 0; i < 4001; i++) x[i] = i * 1e-3;
    CHECK(usage_error(100, 1, x, 0, 0.5, 3, "t = 0"));
    CHECK(usage_error(100, 1, x, -1, 0.5, 3, "t = -1"));
    CHECK(usage_error(100, 1, x, NAN, 0.5, 3, "t = nan"));
    CHECK(usage_error(100, 1, x, 0.02, 1.5, 3, "alpha = 1.5"));
    CHECK(usage_error(4001, 1, x, 0.02, 0.5, 3, "4001 points"));
    CHECK(usage_error(1, 1, x, 0.02, 0.5, 1, "at least 2"));
    CHECK(usage_error(100, 0, x, 0.02, 0.5, 3, "d = 0"));
    CHECK(usage_error(5, 1, x, 0.02, 0.5, 6, "nev = 6"));
    x[7] = NAN;
    CHECK(usage_error(100, 1, x, 0.02, 0.5, 3, "point 7"));
    x[7] = 0.007;
    double lam[3];
    char msg[512];
    CHECK_OK(gd_estimate_spectrum(100, 1, x, NULL, 3, lam, NULL, msg)); /* defaults, no report */
}

/* Points in from HDF5 (1-D and n x d), the result file out. */
static void write_points(const char *path, int rank, const hsize_t *dims, const double *v)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(f, "/points", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds), H5Sclose(sp), H5Fclose(f);
}

static void test_files(void)
{
    double v[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, *x = NULL, lam[3] = {0, 1, 2};
    hsize_t d1[1] = {12}, d2[2] = {4, 3};
    int n = 0, d = 0;
    char msg[512] = "";
    write_points("p1.h5", 1, d1, v);
    CHECK_OK(gd_estimate_read_points("p1.h5", "/points", &n, &d, &x, msg));
    CHECK(n == 12 && d == 1 && x && x[11] == 11);
    free(x);
    write_points("p2.h5", 2, d2, v);
    CHECK_OK(gd_estimate_read_points("p2.h5", "/points", &n, &d, &x, msg));
    CHECK(n == 4 && d == 3 && x && x[5] == 5);
    free(x);
    CHECK(gd_estimate_read_points("p2.h5", "/nope", &n, &d, &x, msg) == GD_EUSAGE && strstr(msg, "/nope"));
    CHECK(gd_estimate_read_points("missing.h5", "/points", &n, &d, &x, msg) == GD_EIO);

    gd_estimate_opts o;
    gd_estimate_defaults(&o);
    gd_estimate_report rep = {.components = 1, .largest = 4, .first_localised = -1, .worst = 2, .isolation_bound = 9};
    CHECK_OK(gd_estimate_write("est.h5", "test", 4, 3, &o, 3, lam, &rep, msg));
    double back[3] = {-1, -1, -1}, t = 0;
    long comps = 0;
    hid_t f = H5Fopen("est.h5", H5F_ACC_RDONLY, H5P_DEFAULT), ds = H5Dopen2(f, "/lambda", H5P_DEFAULT);
    H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, back);
    hid_t a = H5Aopen(ds, "t", H5P_DEFAULT), b = H5Aopen(ds, "components", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, &t);
    H5Aread(b, H5T_NATIVE_LONG, &comps);
    H5Aclose(a), H5Aclose(b), H5Dclose(ds), H5Fclose(f);
    CHECK(back[2] == 2 && t == 0.02 && comps == 1);
    remove("p1.h5"), remove("p2.h5"), remove("est.h5");
}

int main(void)
{
    test_v10();
    test_product();
    test_outliers();
    test_errors();
    test_files();
    return check_report("test_estimate");
}
