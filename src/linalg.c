/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dense linear algebra through LAPACKE.
 */
#include "gd_impl.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 2 x 2 in closed form: sweeps ask for millions of these. */
static void eig2(const double *A, double *wr, double *wi)
{
    double tr = A[0] + A[3], det = A[0] * A[3] - A[1] * A[2], half = 0.5 * tr, disc = half * half - det;
    if (disc >= 0) {
        double r = sqrt(disc), big = half + (half >= 0 ? r : -r); /* no cancellation */
        wr[0] = big, wr[1] = big != 0 ? det / big : 0;
        wi[0] = wi[1] = 0;
    } else {
        wr[0] = wr[1] = half;
        wi[0] = sqrt(-disc), wi[1] = -wi[0];
    }
}

int gd_eigenvalues(int n, const double *A, double *wr, double *wi)
{
    if (n == 1) {
        wr[0] = A[0], wi[0] = 0;
        return GD_OK;
    }
    if (n == 2) {
        eig2(A, wr, wi);
        return GD_OK;
    }
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!a) return GD_ENOMEM;
    memcpy(a, A, sizeof(double) * (size_t)n * (size_t)n); /* dgeev overwrites its input */
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', n, a, n, wr, wi, NULL, n, NULL, n);
    free(a);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

int gd_eigenvectors(int n, const double *A, double *wr, double *wi, double *V)
{
    size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(sizeof(double) * 2 * nn), *vr = a ? a + nn : NULL;
    if (!a) return GD_ENOMEM;
    memcpy(a, A, sizeof(double) * nn);
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'V', n, a, n, wr, wi, NULL, n, vr, n);
    /* dgeev packs a complex pair (k, k+1) as columns Re v, Im v; the pair's second vector
     * is the conjugate. */
    for (int k = 0; k < n && info == 0; k++) {
        int pair = wi[k] != 0, second = pair && k > 0 && wi[k - 1] == -wi[k] && wi[k] < 0;
        int c = second ? k - 1 : k;
        for (int i = 0; i < n; i++) {
            double re = vr[i * n + c], im = pair ? vr[i * n + c + 1] : 0.0;
            V[2 * ((size_t)i * n + k)] = re;
            V[2 * ((size_t)i * n + k) + 1] = second ? -im : im;
        }
    }
    free(a);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

int gd_complex_solve(int n, const double *V, const double *b, double *c)
{
    size_t nn = (size_t)n * (size_t)n;
    lapack_complex_double *a = malloc(sizeof *a * nn), *x = malloc(sizeof *x * (size_t)n);
    lapack_int *piv = malloc(sizeof *piv * (size_t)n);
    int rc = (a && x && piv) ? GD_OK : GD_ENOMEM;
    for (size_t i = 0; i < nn && rc == GD_OK; i++) a[i] = lapack_make_complex_double(V[2 * i], V[2 * i + 1]);
    for (int i = 0; i < n && rc == GD_OK; i++) x[i] = lapack_make_complex_double(b[i], 0.0);
    if (rc == GD_OK && LAPACKE_zgesv(LAPACK_ROW_MAJOR, n, 1, a, n, piv, x, 1) != 0) rc = GD_ESOLVER;
    for (int i = 0; i < n && rc == GD_OK; i++) {
        c[2 * i] = lapack_complex_double_real(x[i]);
        c[2 * i + 1] = lapack_complex_double_imag(x[i]);
    }
    free(a), free(x), free(piv);
    return rc;
}

/* Golub-Welsch: Hermite nodes are eigenvalues of the Jacobi matrix with off-diagonal
 * sqrt(k/2); probability weights (summing to 1) are the squared first eigenvector
 * components. E[g(eps)], eps ~ N(0, s^2), is sum_i w_i g(sqrt(2) s x_i). */
int gd_gauss_hermite(int n, double *x, double *w)
{
    double *e = malloc(sizeof(double) * (size_t)n), *z = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!e || !z) {
        free(e);
        free(z);
        return GD_ENOMEM;
    }
    for (int k = 0; k < n; k++) {
        x[k] = 0;
        e[k] = sqrt((k + 1) / 2.0);
    }
    int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', n, x, e, z, n);
    for (int k = 0; k < n && info == 0; k++) w[k] = z[(size_t)k * (size_t)n] * z[(size_t)k * (size_t)n];
    free(e);
    free(z);
    return info == 0 ? GD_OK : GD_ESOLVER;
}
