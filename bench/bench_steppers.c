/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Cost of one iteration of every fixed-step integrator through the library (the path
 * `gandyn run` takes) on the R1-regularized Dirac-GAN, against a baseline measured in
 * the same run: a hand-written scalar SimGD loop with the field inlined. Also CVODE's
 * cost per trajectory (T = 100, one reset per trajectory). Ratios, not absolute times,
 * are what to compare across machines.  Usage: bench_steppers [iterations]
 */
#include "gandyn.h"

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

/* Baseline: theta' = -psi f'(s), psi' = theta f'(s) - gamma psi, f'(s) = 1/(1+e^s). */
static double baseline_ns(long n, double *sink)
{
    double th = 1e-3, ps = 1e-3, h = 0.2, g = 0.3, t0 = now();
    for (long k = 0; k < n; k++) {
        double fp = 1 / (1 + exp(th * ps));
        double v1 = -ps * fp, v2 = th * fp - g * ps;
        th += h * v1;
        ps += h * v2;
        if (k % 64 == 0) th += 1e-300; /* keep the state off the exact fixed point */
    }
    *sink += th + ps;
    return 1e9 * (now() - t0) / n;
}

static gd_model *gp_model(void)
{
    gd_model *m = gd_model_create(gd_model_type_find("dirac"));
    gd_model_set(m, "reg", "gp");
    gd_model_set(m, "gamma", "0.3");
    gd_model_setup(m);
    return m;
}

static double stepper_ns(const gd_integrator_type *it, const gd_model *m, long n, double *sink)
{
    gd_stepper *s = gd_stepper_create(it, m);
    gd_stepper_set(s, "h", "0.2");
    if (gd_stepper_setup(s) != GD_OK) return NAN;
    double x[2] = {1e-3, 1e-3}, t = 0, t0 = now();
    gd_stepper_reset(s, x);
    for (long k = 0; k < n; k++) gd_stepper_step(s, x, &t);
    double ns = 1e9 * (now() - t0) / n;
    *sink += x[0];
    gd_stepper_free(&s);
    return ns;
}

static double cvode_us(const gd_model *m, int ntraj, long *steps)
{
    gd_stepper *s = gd_stepper_create(gd_integrator_type_find("cvode"), m);
    gd_stepper_set(s, "rtol", "1e-6");
    gd_stepper_set(s, "atol", "1e-10");
    gd_stepper_set(s, "steps", "1");
    gd_stepper_setup(s);
    double t0 = now();
    for (int k = 0; k < ntraj; k++) {
        double x[2] = {1 + 1e-3 * k, 1}, t = 0;
        gd_stepper_reset(s, x);
        gd_stepper_step(s, x, &t);
    }
    double us = 1e6 * (now() - t0) / ntraj;
    *steps = gd_stepper_get_nsteps(s);
    gd_stepper_free(&s);
    return us;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    double sink = 0;
    gd_model *m = gp_model();
    double base = baseline_ns(n, &sink);
    printf("%-20s %12s %10s\n", "integrator", "ns/iter", "x baseline");
    printf("%-20s %12.1f %10.2f\n", "baseline (inline)", base, 1.0);
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        double ns = stepper_ns(*it, m, n / 4, &sink);
        printf("%-20s %12.1f %10.2f\n", gd_integrator_type_name(*it), ns, ns / base);
    }
    long steps = 0;
    double us = cvode_us(m, 1000, &steps);
    printf("cvode adams rtol 1e-6, T = 100: %.0f us per trajectory, %ld internal steps, %.0f ns per step (%.1f x baseline iteration)\n",
           us, steps, 1e3 * us / steps, 1e3 * us / steps / base);
    gd_model_free(&m);
    return sink == 12345.678; /* keep the work observable */
}
