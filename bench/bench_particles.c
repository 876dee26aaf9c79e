/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The particles model's smoothed critic (critic = smoothed): seconds per field evaluation on a
 * 64^2 mesh in 2-D, each field a primal-dual solve of the Lipschitz-constrained critic. Sixteen
 * particles drawn from N(0, 1.5^2 I) over data at the corners of a square of side 2, lip = 1,
 * the default Matern kernel (s = 3.5, kappa = 1); lambda = 0.1 and 0.01 make the Lipschitz
 * bound bind (the unconstrained critic's slope reaches 1.8 and 18), lambda = 1 leaves it slack.
 * Two ways of calling it:
 *   cold        the first field of a freshly set-up model (seeds 1..reps), setup excluded;
 *   trajectory  `steps` fields along x <- x + 0.05 F(x) from one start (what a run does).
 * The baseline is one bare r2c + c2r FFTW pair on the same grid (FFTW_ESTIMATE, the model's
 * plan kind): a solver iteration costs about one pair plus the pointwise passes, so the ratio
 * is roughly the iteration count. Usage: bench_particles [reps] [steps]
 */
#include "gandyn.h"

#include <complex.h>
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { MESH = 64, NPART = 16 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static gd_model *smoothed(const char *lambda, long seed)
{
    char s[32];
    snprintf(s, sizeof s, "%ld", seed);
    gd_model *m = gd_model_create(gd_model_type_find("particles"));
    const char *kv[][2] = {{"critic", "smoothed"}, {"particles", "0,0"}, {"n_random", "16"}, {"spread", "1.5"}, {"seed", s},
                           {"data", "0,0;2,0;0,2;2,2"}, {"lambda", lambda}, {"lip", "1"}, {"mesh_n", "64"}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) gd_model_set(m, kv[i][0], kv[i][1]);
    if (gd_model_setup(m) != GD_OK) {
        fprintf(stderr, "bench_particles: %s\n", gd_model_errmsg(m));
        exit(1);
    }
    return m;
}

static void field(const gd_model *m, const double *x, double *v)
{
    if (gd_model_field(m, x, v) != GD_OK) {
        fprintf(stderr, "bench_particles: field failed: %s\n", gd_model_errmsg(m));
        exit(1);
    }
}

/* Seconds of the first field of fresh models, averaged over seeds 1..reps. */
static double cold_s(const char *lambda, int reps)
{
    double x[2 * NPART], v[2 * NPART], total = 0;
    for (int r = 1; r <= reps; r++) {
        gd_model *m = smoothed(lambda, r);
        gd_model_default_start(m, x);
        double t0 = now();
        field(m, x, v);
        total += now() - t0;
        gd_model_free(&m);
    }
    return total / reps;
}

/* Seconds per field along a descent path of `steps` fields. */
static double trajectory_s(const char *lambda, int steps)
{
    double x[2 * NPART], v[2 * NPART];
    gd_model *m = smoothed(lambda, 1);
    gd_model_default_start(m, x);
    double t0 = now();
    for (int k = 0; k < steps; k++) {
        field(m, x, v);
        for (int i = 0; i < 2 * NPART; i++) x[i] += 0.05 * v[i];
    }
    double t = (now() - t0) / steps;
    gd_model_free(&m);
    return t;
}

static double pair_s(void)
{
    double *a = fftw_malloc(sizeof(double) * MESH * MESH);
    fftw_complex *b = fftw_malloc(sizeof(fftw_complex) * MESH * (MESH / 2 + 1));
    fftw_plan f = fftw_plan_dft_r2c_2d(MESH, MESH, a, b, FFTW_ESTIMATE), g = fftw_plan_dft_c2r_2d(MESH, MESH, b, a, FFTW_ESTIMATE);
    for (int i = 0; i < MESH * MESH; i++) a[i] = 1.0 / (1 + i % 7);
    long n = 0;
    double t0 = now(), t;
    do {
        for (int r = 0; r < 64; r++, n++) fftw_execute(f), fftw_execute(g);
        t = now() - t0;
    } while (t < 0.3);
    fftw_destroy_plan(f), fftw_destroy_plan(g);
    fftw_free(a), fftw_free(b);
    return t / (double)n;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5, steps = argc > 2 ? atoi(argv[2]) : 20;
    if (reps < 1 || steps < 1) {
        fprintf(stderr, "usage: bench_particles [reps >= 1] [steps >= 1]\n");
        return 2;
    }
    double pair = pair_s();
    printf("smoothed critic, 2-D %d^2 mesh, %d particles; one bare r2c + c2r pair: %.1f us\n", MESH, NPART, 1e6 * pair);
    printf("%-8s %14s %14s %16s %16s\n", "lambda", "cold s/field", "(pairs)", "trajectory s/field", "(pairs)");
    const char *lambdas[] = {"1", "0.1", "0.01"};
    for (int k = 0; k < 3; k++) {
        double c = cold_s(lambdas[k], reps), t = trajectory_s(lambdas[k], steps);
        printf("%-8s %14.4f %14.0f %16.4f %16.0f\n", lambdas[k], c, c / pair, t, t / pair);
    }
    return 0;
}
