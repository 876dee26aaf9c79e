/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The dataset estimator of the low spectrum of -Delta_p (docs/models/functional.md, `estimate`):
 * diffusion maps on one dense n x n matrix, which holds squared distances, then the kernel,
 * then S, so the largest allowed sample needs 128 MB and no second copy.
 */
#include "gd_impl.h"
#include "gandyn/estimate.h"
#include "h5io.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Isolated: less than 1/20 of a neighbour's worth of kernel mass from the other points (the
 * nearest ones beyond ~2.4 kernel widths). An absolute count, not a fraction of the median:
 * the median grows like n while the extremes of any clean sample sit where p ~ 1/n with an
 * O(1) mass (0.33 for the V10 sample at n = 1000, 0.46 at n = 4000, where 1e-3 of the median
 * would already flag them). */
#define ISOLATED_MASS 0.05
/* Genuine low modes of the V10 sample spread over 17..350 points (participation number),
 * spurious ones over 1..7; n / 50 keeps small samples, all of whose modes are narrow, clean. */
#define LOCALISED_POINTS 10.0

void gd_estimate_defaults(gd_estimate_opts *o)
{
    o->t = 0.02;
    o->alpha = 0.5;
    o->knn = 10;
}

static int validate(int n, int d, const double *x, const gd_estimate_opts *o, int nev, char *msg)
{
    if (!(o->t > 0) || !isfinite(o->t)) return gd_fmt(msg, GD_EUSAGE, "estimate: t = %g must be a finite number > 0", o->t);
    if (!(o->alpha >= 0 && o->alpha <= 1)) return gd_fmt(msg, GD_EUSAGE, "estimate: alpha = %g must be in [0, 1]", o->alpha);
    if (o->knn < 1) return gd_fmt(msg, GD_EUSAGE, "estimate: knn = %d must be at least 1", o->knn);
    if (d < 1) return gd_fmt(msg, GD_EUSAGE, "estimate: dimension d = %d must be at least 1", d);
    if (n < 2) return gd_fmt(msg, GD_EUSAGE, "estimate: %d points; at least 2 are needed", n);
    if (n > GD_ESTIMATE_MAX_N)
        return gd_fmt(msg, GD_EUSAGE, "estimate: %d points is more than the dense estimator's limit of %d (an n x n matrix); subsample the data",
                      n, GD_ESTIMATE_MAX_N);
    if (nev < 1 || nev > n) return gd_fmt(msg, GD_EUSAGE, "estimate: nev = %d must be in 1..%d (the point count)", nev, n);
    if (!x) return gd_fmt(msg, GD_EUSAGE, "estimate: no points");
    for (size_t i = 0; i < (size_t)n * (size_t)d; i++)
        if (!isfinite(x[i])) return gd_fmt(msg, GD_EUSAGE, "estimate: point %zu has a non-finite coordinate", i / (size_t)d);
    return GD_OK;
}

static void squared_distances(int n, int d, const double *x, double *A)
{
    for (int i = 0; i < n; i++) {
        A[(size_t)i * n + i] = 0;
        for (int j = i + 1; j < n; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                double e = x[(size_t)i * d + k] - x[(size_t)j * d + k];
                s += e * e;
            }
            A[(size_t)i * n + j] = A[(size_t)j * n + i] = s;
        }
    }
}

/* ---- connectivity: union-find over the symmetrised k-NN graph ---- */
static int find_root(int *parent, int i)
{
    while (parent[i] != i) i = parent[i] = parent[parent[i]]; /* path halving */
    return i;
}

static void unite(int *parent, int *size, int a, int b)
{
    a = find_root(parent, a), b = find_root(parent, b);
    if (a == b) return;
    if (size[a] < size[b]) {
        int t = a;
        a = b, b = t;
    }
    parent[b] = a;
    size[a] += size[b];
}

/* The k nearest of row i (self excluded), kept sorted by insertion: k is small. */
static void nearest(int n, const double *row, int i, int k, double *bd, int *bj)
{
    int have = 0;
    for (int j = 0; j < n; j++) {
        if (j == i || (have == k && row[j] >= bd[k - 1])) continue;
        int at = have < k ? have++ : k - 1;
        while (at > 0 && bd[at - 1] > row[j]) {
            bd[at] = bd[at - 1], bj[at] = bj[at - 1];
            at--;
        }
        bd[at] = row[j], bj[at] = j;
    }
}

/* Union with j in i's list counts the edge in both directions: the symmetrised graph. */
static int knn_components(int n, const double *D2, int knn, gd_estimate_report *rep)
{
    int k = knn < n - 1 ? knn : n - 1;
    int *parent = malloc(sizeof(int) * (size_t)(2 * n + k)), *size = parent ? parent + n : NULL, *bj = size ? size + n : NULL;
    double *bd = malloc(sizeof(double) * (size_t)k);
    if (!parent || !bd) {
        free(parent), free(bd);
        return GD_ENOMEM;
    }
    for (int i = 0; i < n; i++) parent[i] = i, size[i] = 1;
    for (int i = 0; i < n; i++) {
        nearest(n, D2 + (size_t)i * n, i, k, bd, bj);
        for (int m = 0; m < k; m++) unite(parent, size, i, bj[m]);
    }
    rep->components = rep->largest = 0;
    for (int i = 0; i < n; i++)
        if (parent[i] == i) {
            rep->components++;
            if (size[i] > rep->largest) rep->largest = size[i];
        }
    free(parent), free(bd);
    return GD_OK;
}

/* ---- kernel, outliers, normalisation ---- */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A becomes K; mass[i] = q_i - 1, summed without the diagonal (no cancellation against 1). */
static void kernel(int n, double t, double *A, double *mass)
{
    for (size_t e = 0; e < (size_t)n * (size_t)n; e++) A[e] = exp(-A[e] / (4 * t));
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) s += j == i ? 0 : A[(size_t)i * n + j];
        mass[i] = s;
    }
}

/* The isolated points (flag[i] = 1) and the median mass; worst = the least mass for now. */
static int isolated_points(int n, const double *mass, char *flag, gd_estimate_report *rep)
{
    double *sorted = malloc(sizeof(double) * (size_t)n);
    if (!sorted) return GD_ENOMEM;
    memcpy(sorted, mass, sizeof(double) * (size_t)n);
    qsort(sorted, (size_t)n, sizeof(double), cmp_double);
    double med = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    free(sorted);
    rep->median_mass = med;
    rep->worst = 0;
    for (int i = 0; i < n; i++) {
        flag[i] = mass[i] < ISOLATED_MASS;
        if (mass[i] < mass[rep->worst]) rep->worst = i;
    }
    return GD_OK;
}

/* A becomes S = g_i K_ij g_j, g_i = q_i^-alpha d_i^-1/2, so K~ is never stored. The diagonal
 * S_ii = s_i gives the single-point bound on lambda_1 (gd_estimate_report). */
static void normalise(int n, const gd_estimate_opts *o, double *A, const double *mass, double *r, double *g, gd_estimate_report *rep)
{
    for (int i = 0; i < n; i++) r[i] = pow(1 + mass[i], -o->alpha);
    double total = 0;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < n; j++) s += A[(size_t)i * n + j] * r[j];
        g[i] = s * r[i]; /* d_i for now */
        total += g[i];
    }
    rep->isolation_bound = INFINITY;
    for (int i = 0; i < n; i++) {
        double w = g[i] / total;
        g[i] = r[i] / sqrt(g[i]);
        double bound = (1 - g[i] * g[i]) / (o->t * (1 - w));
        if (bound < rep->isolation_bound) rep->isolation_bound = bound;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) A[(size_t)i * n + j] *= g[i] * g[j];
}

/* The nev largest eigenvalues of the symmetric S and their vectors (dsyevr by index: only
 * those). S is symmetric, so column-major is the same matrix and LAPACKE needs no transposed
 * copy. Z is n x nev column-major, mu ascending. */
static int top_modes(int n, double *A, int nev, double *mu, double *Z, char *msg)
{
    lapack_int *isuppz = malloc(sizeof(lapack_int) * 2 * (size_t)n), m = 0;
    if (!isuppz) return gd_fmt(msg, GD_ENOMEM, "estimate: out of memory");
    int pin = gd_blas_serial_begin(n);
    lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', n, A, n, 0, 0, n - nev + 1, n, 2 * LAPACKE_dlamch('S'), &m, mu, Z,
                                     n, isuppz);
    gd_blas_serial_end(pin);
    free(isuppz);
    if (info != 0 || m != nev) return gd_fmt(msg, GD_ESOLVER, "estimate: dsyevr failed (info %d) on %d points", (int)info, n);
    return GD_OK;
}

/* Modes 1..nev-1 (column nev-1-j) carried by few points; their carriers join the outliers. */
static void localised_modes(int n, int nev, const double *Z, char *flag, gd_estimate_report *rep)
{
    double limit = fmin(LOCALISED_POINTS, n / 50.0), top = -1;
    rep->localised = 0;
    rep->first_localised = -1;
    for (int j = 1; j < nev; j++) {
        const double *v = Z + (size_t)(nev - 1 - j) * n;
        double s4 = 0;
        for (int i = 0; i < n; i++) s4 += v[i] * v[i] * v[i] * v[i];
        double P = 1 / s4;
        if (!(P < limit)) continue;
        rep->localised++;
        for (int i = 0; i < n; i++) {
            if (v[i] * v[i] >= 0.5 / P) flag[i] = 1;
            if (rep->first_localised < 0 && v[i] * v[i] > top) top = v[i] * v[i], rep->worst = i;
        }
        if (rep->first_localised < 0) rep->first_localised = j;
    }
    rep->outliers = 0;
    for (int i = 0; i < n; i++) rep->outliers += flag[i];
}

static int spectrum(int n, const gd_estimate_opts *o, int nev, double *A, double *v, char *flag, double *lambda, gd_estimate_report *rep,
                    char *msg)
{
    double *mass = v, *mu = v + n, *Z = v + 2 * (size_t)n;
    kernel(n, o->t, A, mass);
    if (isolated_points(n, mass, flag, rep) != GD_OK) return gd_fmt(msg, GD_ENOMEM, "estimate: out of memory");
    normalise(n, o, A, mass, mu, Z, rep); /* mu, Z as scratch */
    int rc = top_modes(n, A, nev, mu, Z, msg);
    if (rc != GD_OK) return rc;
    for (int j = 0; j < nev; j++) lambda[j] = (1 - mu[nev - 1 - j]) / o->t; /* mu ascending */
    localised_modes(n, nev, Z, flag, rep);
    rep->worst_mass = mass[rep->worst];
    return GD_OK;
}

int gd_estimate_spectrum(int n, int d, const double *x, const gd_estimate_opts *o, int nev, double *lambda, gd_estimate_report *rep,
                         char *msg)
{
    gd_estimate_opts def;
    gd_estimate_report local;
    if (!o) gd_estimate_defaults(&def), o = &def;
    if (!rep) rep = &local;
    int rc = validate(n, d, x, o, nev, msg);
    if (rc != GD_OK) return rc;
    /* v: mass, mu and the nev vectors (normalise borrows the last two as scratch). */
    double *A = malloc(sizeof(double) * (size_t)n * (size_t)n), *v = malloc(sizeof(double) * (size_t)(nev + 2) * (size_t)n);
    char *flag = malloc((size_t)n);
    if (!A || !v || !flag) {
        free(A), free(v), free(flag);
        return gd_fmt(msg, GD_ENOMEM, "estimate: out of memory for the %d x %d kernel matrix", n, n);
    }
    squared_distances(n, d, x, A);
    rc = knn_components(n, A, o->knn, rep);
    if (rc == GD_OK) rc = spectrum(n, o, nev, A, v, flag, lambda, rep, msg);
    else gd_fmt(msg, rc, "estimate: out of memory");
    free(A), free(v), free(flag);
    return rc;
}

/* ---- files ---- */
int gd_estimate_read_points(const char *path, const char *dataset, int *n, int *d, double **x, char *msg)
{
    int rank = 0;
    hsize_t dims[2] = {0, 0};
    int rc = gd_h5_read(path, dataset, 2, (size_t)1 << 28, &rank, dims, x, msg);
    if (rc != GD_OK) return rc;
    *n = (int)dims[0];
    *d = rank == 1 ? 1 : (int)dims[1];
    return GD_OK;
}

static int write_attrs(gd_h5 *f, int n, int d, const gd_estimate_opts *o, const gd_estimate_report *rep)
{
    const char *obj = "/lambda";
    int rc = gd_h5_attr_long(f, obj, "n", n);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "d", d);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, obj, "t", 1, &o->t);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, obj, "alpha", 1, &o->alpha);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "knn", o->knn);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "components", rep->components);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "largest", rep->largest);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "localised", rep->localised);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "outliers", rep->outliers);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, obj, "worst", rep->worst);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, obj, "isolation_bound", 1, &rep->isolation_bound);
    return rc;
}

int gd_estimate_write(const char *path, const char *command, int n, int d, const gd_estimate_opts *o, int nev, const double *lambda,
                      const gd_estimate_report *rep, char *msg)
{
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, msg);
    if (rc != GD_OK) return rc;
    hsize_t len = (hsize_t)nev;
    rc = gd_h5_root_attrs(f, command, "");
    if (rc == GD_OK) rc = gd_h5_write(f, "/lambda", 1, &len, lambda);
    if (rc == GD_OK) rc = write_attrs(f, n, d, o, rep);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, msg);
}
