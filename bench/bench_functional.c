/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The functional model's costs per call against the bare FFTW transforms each call performs,
 * all measured in the same invocation on the same sizes:
 *   linear field (= its J.v)   4 dim r2c/c2r pairs (two Delta_p, each grad then divergence per axis)
 *   nonlinear field            3 dim pairs (d_j D once, then the Delta_p and flux divergences)
 *   nonlinear J.v              4 dim pairs
 *   preconditioner solve       2 pairs (each half of the state to Fourier space and back)
 * The baseline is fftw_execute of the model's own plan kind (FFTW_ESTIMATE) on the same
 * grid, and for reference FFTW_MEASURE plans (what planning effort would buy).
 * Grids: N = 255 in 1-D and 127^2 in 2-D (the sizes), and 125^2 (5^3) to show what a
 * prime N costs FFTW. Usage: bench_functional [seconds per row]
 */
#include "gandyn.h"

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static gd_model *functional(const char *form, const char *dim, const char *N)
{
    gd_model *m = gd_model_create(gd_model_type_find("functional"));
    const char *kv[][2] = {{"form", form}, {"dim", dim}, {"N", N}, {"density", "vonmises"}, {"gamma", "0.5"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) gd_model_set(m, kv[i][0], kv[i][1]);
    if (gd_model_setup(m) != GD_OK) {
        fprintf(stderr, "bench_functional: %s\n", gd_model_errmsg(m));
        exit(1);
    }
    return m;
}

typedef enum { FIELD, JVP, PSOLVE } op_kind;

/* Microseconds per call of op, repeated for at least `budget` seconds. */
static double op_us(const gd_model *m, op_kind op, const double *x, const double *v, double *out, double budget)
{
    long n = 0;
    double t0 = now(), t;
    do {
        for (int r = 0; r < 16; r++, n++) {
            int rc = op == FIELD ? gd_model_field(m, x, out) : op == JVP ? gd_model_jvp(m, x, v, out) : gd_model_psolve(m, 0.1, v, out);
            if (rc != GD_OK) {
                fprintf(stderr, "bench_functional: call failed (%d)\n", rc);
                exit(1);
            }
        }
        t = now() - t0;
    } while (t < budget);
    return 1e6 * t / (double)n;
}

/* Microseconds per r2c + c2r pair of an N^dim grid planned with flags. */
static double pair_us(int dim, int N, unsigned flags, double budget)
{
    int M = dim == 2 ? N * N : N, H = N / 2 + 1, rows = dim == 2 ? N : 1;
    double *re = fftw_malloc(sizeof(double) * (size_t)M);
    fftw_complex *spec = fftw_malloc(sizeof(fftw_complex) * (size_t)rows * (size_t)H);
    fftw_plan f = dim == 2 ? fftw_plan_dft_r2c_2d(N, N, re, spec, flags) : fftw_plan_dft_r2c_1d(N, re, spec, flags);
    fftw_plan b = dim == 2 ? fftw_plan_dft_c2r_2d(N, N, spec, re, flags) : fftw_plan_dft_c2r_1d(N, spec, re, flags);
    for (int i = 0; i < M; i++) re[i] = cos(0.01 * i);
    long n = 0;
    double t0 = now(), t;
    do {
        for (int r = 0; r < 16; r++, n++) {
            fftw_execute(f);
            for (int k = 0; k < rows * H; k++) spec[k] *= 1.0 / M; /* the normalisation every model transform has */
            fftw_execute(b);
        }
        t = now() - t0;
    } while (t < budget);
    fftw_destroy_plan(f), fftw_destroy_plan(b);
    fftw_free(re), fftw_free(spec);
    return 1e6 * t / (double)n;
}

static void row(const char *what, double us, int pairs, double pair_est, double pair_meas)
{
    printf("  %-22s %10.2f us   %d pairs: bare %9.2f us (x%.2f)   measure-planned %9.2f us (x%.2f)\n", what, us, pairs, pairs * pair_est,
           us / (pairs * pair_est), pairs * pair_meas, us / (pairs * pair_meas));
}

static void grid(int dim, const char *N, double budget)
{
    gd_model *lin = functional("linear", dim == 2 ? "2" : "1", N), *non = functional("nonlinear", dim == 2 ? "2" : "1", N);
    int n = gd_model_dim(lin), M = n / 2;
    double *x = malloc(sizeof(double) * 3 * (size_t)n), *v = x + n, *out = x + 2 * n;
    gd_model_equilibrium(non, x);
    for (int i = 0; i < n; i++) {
        x[i] += (i < M ? 0.1 : 0.3) * sin(0.37 * i); /* rho stays positive */
        v[i] = cos(0.71 * i);
    }
    double est = pair_us(dim, atoi(N), FFTW_ESTIMATE, budget), meas = pair_us(dim, atoi(N), FFTW_MEASURE, budget);
    printf("%s grid %s%s (%d coordinates), one r2c + c2r pair: %.2f us (estimate plan), %.2f us (measure plan)\n", dim == 2 ? "2-D" : "1-D", N,
           dim == 2 ? "^2" : "", n, est, meas);
    row("linear field (= J.v)", op_us(lin, FIELD, x, v, out, budget), 4 * dim, est, meas);
    row("nonlinear field", op_us(non, FIELD, x, v, out, budget), 3 * dim, est, meas);
    row("nonlinear J.v", op_us(non, JVP, x, v, out, budget), 4 * dim, est, meas);
    row("preconditioner solve", op_us(lin, PSOLVE, x, v, out, budget), 2, est, meas);
    free(x);
    gd_model_free(&lin);
    gd_model_free(&non);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 0.5;
    if (!(budget > 0)) {
        fprintf(stderr, "usage: bench_functional [seconds per row > 0]\n");
        return 2;
    }
    grid(1, "255", budget);
    grid(2, "127", budget);
    grid(2, "125", budget); /* 127 is prime: the nearest odd size with small factors, for comparison */
    return 0;
}
