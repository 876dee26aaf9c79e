/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Where OpenBLAS's worker threads start to pay for the dense routines gandyn calls (the
 * measurement behind GD_BLAS_SERIAL_BELOW in src/linalg.c). For each routine and size it
 * times back-to-back calls, as a scan or a sweep makes them, on one BLAS thread and on
 * OpenBLAS's default count, and prints the wall time and the process CPU time per call: a
 * pthreads OpenBLAS wakes its workers for a call and lets them spin for new work afterwards,
 * so CPU > wall where the threads cost more than they give. Runs only with a pthreads
 * OpenBLAS (looked up at run time, as the library does); on reference BLAS it says so.
 * Usage: bench_blas [seconds per row] [largest n]
 */
#include <cblas.h>
#include <dlfcn.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef enum { DGEEV, DSYEV, DSYEVR6, DGESV, DGEMM, NOPS } op_kind;
static const char *const op_names[NOPS] = {"dgeev (eig, spectrum operator)", "dsyev (spectrum of -Delta_p)", "dsyevr, top 6 (estimate)",
                                           "dgesv (Newton, implicit midpoint)", "dgemm (map Jacobians)"};

/* A fixed random matrix (symmetric for the symmetric solvers), copied in before each call. */
static void fill(double *a, int n, int sym)
{
    unsigned s = 12345;
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++) {
        s = s * 1103515245u + 12345u;
        a[i] = (double)(s >> 8) / 16777216.0 - 0.5;
    }
    for (int i = 0; sym && i < n; i++)
        for (int j = 0; j < i; j++) a[(size_t)i * n + j] = a[(size_t)j * n + i];
}

static int call(op_kind op, int n, const double *A0, double *A, double *B, double *C, double *w, lapack_int *piv)
{
    size_t nn = (size_t)n * (size_t)n;
    memcpy(A, A0, sizeof(double) * nn);
    lapack_int m = 0;
    switch (op) {
    case DGEEV: return LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', n, A, n, w, w + n, NULL, n, NULL, n);
    case DSYEV: return LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', n, A, n, w);
    case DSYEVR6:
        return LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', n, A, n, 0, 0, n - 5, n, 0, &m, w, C, n, piv);
    case DGESV:
        for (int i = 0; i < n; i++) w[i] = 1;
        return LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, 1, A, n, piv, w, 1);
    default: cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n); return 0;
    }
}

/* Milliseconds of wall and CPU per call, over at least `budget` seconds of calls. */
static void row(op_kind op, int n, double budget, double *wall, double *cpu)
{
    size_t nn = (size_t)n * (size_t)n;
    double *A0 = malloc(sizeof(double) * nn), *A = malloc(sizeof(double) * nn), *B = malloc(sizeof(double) * nn);
    double *C = malloc(sizeof(double) * nn), *w = malloc(sizeof(double) * 2 * (size_t)n);
    lapack_int *piv = malloc(sizeof(lapack_int) * 2 * (size_t)n);
    if (!A0 || !A || !B || !C || !w || !piv) {
        fprintf(stderr, "bench_blas: out of memory at n = %d\n", n);
        exit(1);
    }
    fill(A0, n, op == DSYEV || op == DSYEVR6);
    fill(B, n, 0);
    call(op, n, A0, A, B, C, w, piv); /* warm up: workspace queries, thread wake-up */
    long reps = 0;
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t;
    do {
        if (call(op, n, A0, A, B, C, w, piv) != 0) {
            fprintf(stderr, "bench_blas: %s failed at n = %d\n", op_names[op], n);
            exit(1);
        }
        reps++;
    } while ((t = clock_s(CLOCK_MONOTONIC) - w0) < budget);
    *wall = 1e3 * t / (double)reps, *cpu = 1e3 * (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)reps;
    free(A0), free(A), free(B), free(C), free(w), free(piv);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 1.0;
    int largest = argc > 2 ? atoi(argv[2]) : 1024;
    void (*set_threads)(int) = NULL;
    int (*get_threads)(void) = NULL, (*get_parallel)(void) = NULL;
    void *p = dlsym(RTLD_DEFAULT, "openblas_set_num_threads"), *g = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    void *par = dlsym(RTLD_DEFAULT, "openblas_get_parallel");
    memcpy(&set_threads, &p, sizeof p), memcpy(&get_threads, &g, sizeof g), memcpy(&get_parallel, &par, sizeof par);
    if (!set_threads || !get_threads || !get_parallel || get_parallel() != 1) {
        printf("bench_blas: the BLAS in use is not a pthreads OpenBLAS; nothing to compare\n");
        return 0;
    }
    int threads = get_threads();
    printf("OpenBLAS, %d threads by default; per call: wall ms and CPU ms, 1 thread | %d threads\n", threads, threads);
    const int sizes[] = {32, 64, 128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
    for (int op = 0; op < NOPS; op++) {
        printf("%s\n", op_names[op]);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0] && sizes[s] <= largest; s++) {
            double w1, c1, wt, ct;
            set_threads(1);
            row((op_kind)op, sizes[s], budget, &w1, &c1);
            set_threads(threads);
            row((op_kind)op, sizes[s], budget, &wt, &ct);
            printf("  n = %4d   %10.3f %10.3f | %10.3f %10.3f   threads: wall x%.2f, CPU x%.2f\n", sizes[s], w1, c1, wt, ct, wt / w1, ct / c1);
        }
    }
    return 0;
}
