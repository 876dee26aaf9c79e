/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dense linear algebra through LAPACKE, and the BLAS thread pinning every dense call uses.
 */
#include "gd_impl.h"

#include <dlfcn.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- one BLAS thread for small problems ----
 * Debian's default OpenBLAS (the pthreads build) hands a call to its worker threads, which
 * then spin for new work (~0.1 s each, sched_yield in a loop) before they sleep. Below ~1500
 * rows the work does not pay for that on the project's 2-core machine (bench/bench_blas.c,
 * two runs): against one thread, two cost 1.6-5.9x the wall time and CPU for dsyev at
 * n = 32-256, 1.3-5x for dgesv at 32-512, 1.2-5.7x for dsyevr up to 1024, and about 1-3x for
 * dgeev and dgemm; from 1536 to 2048 rows they break even (0.74-1.09x for dgeev, dgesv, dgemm).
 * Inside an OpenMP region (sweeps) every thread already has a core, so BLAS threads only
 * oversubscribe. The functions are looked up at run time: with reference BLAS (Debian's
 * alternatives) or the OpenMP build of OpenBLAS (which keeps itself serial in parallel regions,
 * and whose set_num_threads would change the caller's OpenMP thread count) nothing is done.
 * Pinning is counted: the first of any number of concurrent small calls sets one thread, the
 * last one out restores the count it found, so threads never undo each other's pin. A large
 * call that overlaps a pinned one runs on one thread too: the count is process-wide. */
static void (*blas_set_threads)(int);
static int (*blas_get_threads)(void);
static long blas_serial_below = GD_BLAS_SERIAL_BELOW;
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_pinned, blas_saved;

static void *blas_symbol(const char *name) { return dlsym(RTLD_DEFAULT, name); }

static void blas_lookup(void)
{
    void *set = blas_symbol("openblas_set_num_threads"), *get = blas_symbol("openblas_get_num_threads");
    void *par = blas_symbol("openblas_get_parallel");
    int (*parallel)(void) = NULL;
    memcpy(&parallel, &par, sizeof par); /* object to function pointer without a cast ISO C lacks */
    if (!set || !get || !parallel || parallel() != 1) return; /* 1 = pthreads */
    memcpy(&blas_set_threads, &set, sizeof set);
    memcpy(&blas_get_threads, &get, sizeof get);
    const char *env = getenv("GANDYN_BLAS_SERIAL_BELOW");
    char *end;
    long v = env ? strtol(env, &end, 10) : -1;
    if (env && end != env && *end == '\0' && v >= 0) blas_serial_below = v;
}

int gd_blas_serial_begin(long n)
{
    pthread_once(&blas_once, blas_lookup);
    if (!blas_set_threads || blas_serial_below == 0 || (n >= blas_serial_below && !omp_in_parallel())) return 0;
    pthread_mutex_lock(&blas_lock);
    if (blas_pinned++ == 0) {
        blas_saved = blas_get_threads();
        if (blas_saved > 1) blas_set_threads(1);
    }
    pthread_mutex_unlock(&blas_lock);
    return 1;
}

void gd_blas_serial_end(int pinned)
{
    if (!pinned) return;
    pthread_mutex_lock(&blas_lock);
    if (--blas_pinned == 0 && blas_saved > 1) blas_set_threads(blas_saved);
    pthread_mutex_unlock(&blas_lock);
}

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
    int pin = gd_blas_serial_begin(n);
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', n, a, n, wr, wi, NULL, n, NULL, n);
    gd_blas_serial_end(pin);
    free(a);
    return info == 0 ? GD_OK : GD_ESOLVER;
}

int gd_eigenvectors(int n, const double *A, double *wr, double *wi, double *V)
{
    size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(sizeof(double) * 2 * nn), *vr = a ? a + nn : NULL;
    if (!a) return GD_ENOMEM;
    memcpy(a, A, sizeof(double) * nn);
    int pin = gd_blas_serial_begin(n);
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'V', n, a, n, wr, wi, NULL, n, vr, n);
    gd_blas_serial_end(pin);
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
    int pin = gd_blas_serial_begin(n);
    if (rc == GD_OK && LAPACKE_zgesv(LAPACK_ROW_MAJOR, n, 1, a, n, piv, x, 1) != 0) rc = GD_ESOLVER;
    gd_blas_serial_end(pin);
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
    int pin = gd_blas_serial_begin(n);
    int info = LAPACKE_dstev(LAPACK_COL_MAJOR, 'V', n, x, e, z, n);
    gd_blas_serial_end(pin);
    for (int k = 0; k < n && info == 0; k++) w[k] = z[(size_t)k * (size_t)n] * z[(size_t)k * (size_t)n];
    free(e);
    free(z);
    return info == 0 ? GD_OK : GD_ESOLVER;
}
