/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The torus model's three costs (README, "Performance"), each against a baseline run in the
 * same invocation:
 *  1. F_N with its gradient at one point by direct summation with trigonometric
 *     recurrences (gd_torus_series, N = 4) against the textbook sum that calls sin and cos
 *     for every retained term;
 *  2. the coefficient extraction at M = 256 (gd_torus_plan_execute: copy, r2c, normalise)
 *     against the bare fftw_execute of the same transform;
 *  3. one CVODE trajectory of the truncated R-Exp flow against the same trajectory of the
 *     real flow (whose every field evaluation is a Gauss-Laguerre quadrature).
 * Usage: bench_torus [evaluations]
 */
#include "gandyn.h"
#include "gandyn/torus.h"

#include <complex.h>
#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static gd_model *rexp(const char *flow, const char *N)
{
    gd_model *m = gd_model_create(gd_model_type_find("torus"));
    gd_model_set(m, "flow", flow);
    gd_model_set(m, "N", N);
    if (gd_model_setup(m) != GD_OK) {
        fprintf(stderr, "bench_torus: %s\n", gd_model_errmsg(m));
        exit(1);
    }
    return m;
}

/* 4096 points spread over the torus (made before timing), visited in turn. */
enum { NPTS = 4096 };
static double pts[NPTS][2];
static void make_points(void)
{
    for (int i = 0; i < NPTS; i++)
        pts[i][0] = fmod(0.618033988749895 * i, 1.0) * 6.283185307179586, pts[i][1] = fmod(0.414213562373095 * i, 1.0) * 6.283185307179586;
}
static void point(long i, double *x) { x[0] = pts[i % NPTS][0], x[1] = pts[i % NPTS][1]; }

static double series_ns(const gd_model *m, long n, double *sink)
{
    double x[2], F, g[2], t0 = now();
    for (long i = 0; i < n; i++) {
        point(i, x);
        gd_torus_series(m, x, &F, g, NULL);
        *sink += F + g[0] + g[1];
    }
    return 1e9 * (now() - t0) / (double)n;
}

/* Baseline: F = sum c_kl e^{i(k theta + l phi)} over all (2N+1)^2 terms, one sincos each. */
static double naive_ns(const gd_model *m, int N, long n, double *sink)
{
    int nt = (2 * N + 1) * (2 * N + 1), j = 0;
    double *c = malloc(sizeof(double) * 4 * (size_t)nt), x[2];
    for (int k = -N; k <= N; k++)
        for (int l = -N; l <= N; l++, j++) {
            gd_torus_coefficient(m, k, l, &c[4 * j], &c[4 * j + 1]);
            c[4 * j + 2] = k, c[4 * j + 3] = l;
        }
    double t0 = now();
    for (long i = 0; i < n; i++) {
        point(i, x);
        double F = 0, g0 = 0, g1 = 0;
        for (int t = 0; t < nt; t++) {
            double a = c[4 * t + 2] * x[0] + c[4 * t + 3] * x[1], sn = sin(a), cs = cos(a);
            double re = c[4 * t] * cs - c[4 * t + 1] * sn, im = c[4 * t] * sn + c[4 * t + 1] * cs;
            F += re, g0 -= c[4 * t + 2] * im, g1 -= c[4 * t + 3] * im;
        }
        *sink += F + g0 + g1;
    }
    double ns = 1e9 * (now() - t0) / (double)n;
    free(c);
    return ns;
}

/* The extraction and the bare transform, timed alternately over reps executions. */
static void extraction_us(int M, int reps, double *ours, double *bare, double *sink)
{
    size_t nn = (size_t)M * (size_t)M;
    double *samples = malloc(sizeof(double) * nn), *in = fftw_malloc(sizeof(double) * nn);
    fftw_complex *out = fftw_malloc(sizeof(fftw_complex) * (size_t)M * (size_t)(M / 2 + 1));
    gd_torus_plan *plan = gd_torus_plan_create(2, M, 1);
    fftw_plan fft = fftw_plan_dft_r2c_2d(M, M, in, out, FFTW_MEASURE);
    for (size_t i = 0; i < nn; i++) samples[i] = in[i] = cos((double)i * 1e-3);
    *ours = *bare = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        gd_torus_plan_execute(plan, samples);
        double t1 = now();
        fftw_execute(fft);
        double t2 = now();
        *ours += t1 - t0, *bare += t2 - t1;
        double re, im;
        gd_torus_plan_coefficient(plan, (const int[]){1, 1}, &re, &im);
        *sink += re + creal(out[1]);
    }
    *ours *= 1e6 / reps, *bare *= 1e6 / reps;
    fftw_destroy_plan(fft);
    gd_torus_plan_free(&plan);
    fftw_free(in), fftw_free(out), free(samples);
}

/* One CVODE trajectory from (0.3, 0.3) to t = 1000 at rtol 1e-10, atol 1e-12 (mean of 20). */
static double trajectory_ms(const gd_model *m, long *steps, double *x)
{
    gd_stepper *s = gd_stepper_create(gd_integrator_type_find("cvode"), m);
    gd_stepper_set(s, "rtol", "1e-10");
    gd_stepper_set(s, "atol", "1e-12");
    gd_stepper_set(s, "t_end", "1000");
    gd_stepper_set(s, "steps", "1");
    if (gd_stepper_setup(s) != GD_OK) {
        fprintf(stderr, "bench_torus: %s\n", gd_stepper_errmsg(s));
        exit(1);
    }
    double t0 = now();
    for (int r = 0; r < 20; r++) {
        double t = 0;
        x[0] = x[1] = 0.3;
        gd_stepper_reset(s, x);
        gd_stepper_step(s, x, &t);
    }
    double ms = 1e3 * (now() - t0) / 20;
    *steps = gd_stepper_get_nsteps(s); /* of the last: reset clears it */
    gd_stepper_free(&s);
    return ms;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    double sink = 0;
    make_points();
    gd_model *trunc = rexp("truncated", "4"), *real = rexp("real", "4");

    double ns = series_ns(trunc, n, &sink), base = naive_ns(trunc, 4, n, &sink);
    printf("F_N + gradient, N = 4 (rexp): direct sum %.1f ns, sincos per term %.1f ns: %.2fx faster\n", ns, base, base / ns);

    double ours, bare;
    extraction_us(256, 200, &ours, &bare, &sink);
    printf("coefficients, M = 256: extraction %.1f us, bare fftw_execute %.1f us: ratio %.2f\n", ours, bare, ours / bare);

    long st = 0, sr = 0;
    double xt[2], xr[2];
    double mt = trajectory_ms(trunc, &st, xt), mr = trajectory_ms(real, &sr, xr);
    printf("cvode rexp (0.3,0.3) to t = 1000, rtol 1e-10: truncated N = 4 %.1f ms (%ld steps, end %.3g, %.3g), "
           "real flow %.1f ms (%ld steps): %.1fx faster\n", mt, st, xt[0], xt[1], mr, sr, mr / mt);
    gd_model_free(&trunc);
    gd_model_free(&real);
    return sink == 12345.678; /* keep the work observable */
}
