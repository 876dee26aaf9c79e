/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The floor under optimistic's cost: simgd and optimistic on the Dirac-GAN + GP as bare C loops,
 * written here from their definitions (README, "Rules measured in pairs"), measured in pairs as
 * bench_pair measures the library's: block by block (256 cells), the two rules taking turns on
 * the same cells in one thread, each block timed by the thread's CPU clock.
 *
 *   simgd       x+ = x + h F(x)
 *   optimistic  x+ = x + h (2 F(x) - w),  w+ = F(x),  w = F(x0) at the start
 *
 * Both loops fold field and update into one pass over the block, as the library's fused stage
 * does, and after every step freeze a cell past the radius and keep its largest distance (the
 * library keeps more: its windows). Optimistic's loop is simgd's plus a load, a multiply-subtract
 * and a store per coordinate: its ratio to simgd is what those cost when nothing else is
 * added, the least any implementation of the rule with this state can reach.
 *
 * Before timing, the bare loops are checked against `gandyn run` (gd_sim_run) of the same cells:
 * they must agree to 1e-12, or this prints the difference and exits 1.
 *
 * Usage: bench_floor [NH NG STEPS]   (default 1000 x 200 cells, 10^4 steps, the (h, gamma) grid
 * of bench_pair: h = 0.01 .. 2 log-spaced, gamma = 0 .. 3, x0 = (1e-6, 1e-6))
 */
#include "gandyn.h"
#include "gandyn/vecmath.h"
#include "pairs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#define NB 256
enum { SIMGD, OPTIMISTIC };

typedef struct {
    double th[NB], ps[NB], w1[NB], w2[NB]; /* state; optimistic's previous field */
    double h[NB], g[NB], frozen[NB], dmax[NB];
} block;

/* f'(s) = 1/(1 + e^s) of the saturating loss; the GP field (-psi f', theta f' - gamma psi). */
static inline __attribute__((always_inline)) void field(double t, double p, double g, double *v1, double *v2)
{
    const double d1 = gd_sigmoid_fast_inrange(-fmin(fmax(t * p, -700.0), 700.0));
    *v1 = -p * d1, *v2 = fma(t, d1, -g * p);
}

static inline __attribute__((always_inline)) void steps_of(block *restrict b, long steps, int RULE)
{
    for (long k = 1; k <= steps; k++) {
#pragma omp simd
        for (int i = 0; i < NB; i++) {
            const double t = b->th[i], p = b->ps[i];
            double v1, v2;
            field(t, p, b->g[i], &v1, &v2);
            double u1 = v1, u2 = v2;
            if (RULE == OPTIMISTIC) u1 = 2.0 * v1 - b->w1[i], u2 = 2.0 * v2 - b->w2[i], b->w1[i] = v1, b->w2[i] = v2;
            b->th[i] = b->frozen[i] != 0 ? t : t + b->h[i] * u1;
            b->ps[i] = b->frozen[i] != 0 ? p : p + b->h[i] * u2;
        }
#pragma omp simd
        for (int i = 0; i < NB; i++) {
            const double d = b->th[i] * b->th[i] + b->ps[i] * b->ps[i];
            if (b->frozen[i] == 0 && d > 1e20) b->frozen[i] = (double)k;
            if (d > b->dmax[i]) b->dmax[i] = d;
        }
    }
}
/* One function per rule, so that neither loop shares the other's registers. */
static __attribute__((noinline)) void run_simgd(block *b, long steps) { steps_of(b, steps, SIMGD); }
static __attribute__((noinline)) void run_optimistic(block *b, long steps) { steps_of(b, steps, OPTIMISTIC); }

/* Every cell (h and gamma set) at (x0, y0), optimistic's history F(x0), nothing measured yet. */
static void start(block *b, double x0, double y0)
{
    for (int i = 0; i < NB; i++) {
        b->th[i] = x0, b->ps[i] = y0, b->frozen[i] = 0, b->dmax[i] = 0;
        field(x0, y0, b->g[i], &b->w1[i], &b->w2[i]);
    }
}

/* Cells i0 .. i0+NB of an nh x ng grid (h fastest, past its end from its start again), started at (x0, y0). */
static void fill(block *b, long i0, long nh, long ng, double x0, double y0)
{
    for (int i = 0; i < NB; i++) {
        const long c = (i0 + i) % (nh * ng), ix = c % nh, iy = c / nh;
        b->h[i] = 0.01 * pow(200.0, nh > 1 ? ix / (double)(nh - 1) : 0.0);
        b->g[i] = ng > 1 ? 3.0 * iy / (double)(ng - 1) : 0.0;
    }
    start(b, x0, y0);
}

/* The bare loops against gandyn's own runs of the same rule on cells that stay bounded. */
static double check(void)
{
    static block b;
    const char *rules[2] = {"simgd", "optimistic"};
    const double x0 = 0.5, y0 = -0.3;
    double worst = 0;
    for (int r = 0; r < 2; r++) {
        /* h <= 0.3 and 0.5 <= gamma <= 1.55: both rules contract */
        for (int i = 0; i < NB; i++) b.h[i] = 0.02 + 0.04 * (i % 8), b.g[i] = 0.5 + 0.15 * (i / 8 % 8);
        start(&b, x0, y0);
        (r ? run_optimistic : run_simgd)(&b, 500);
        for (int i = 0; i < 64; i++) {
            char h[32], g[32];
            snprintf(h, sizeof h, "%.17g", b.h[i]), snprintf(g, sizeof g, "%.17g", b.g[i]);
            gd_sim *s = gd_sim_create();
            int rc = s ? GD_OK : GD_ENOMEM;
            const char *kv[][2] = {{"model.reg", "gp"},   {"model.gamma", g},          {"integrator.name", rules[r]},
                                   {"integrator.h", h},   {"integrator.steps", "500"}, {"run.x0", "0.5,-0.3"}};
            for (size_t j = 0; rc == GD_OK && j < sizeof kv / sizeof kv[0]; j++) rc = gd_sim_set(s, kv[j][0], kv[j][1]);
            if (rc == GD_OK) rc = gd_sim_setup(s);
            if (rc == GD_OK) rc = gd_sim_run(s, "");
            if (rc != GD_OK) {
                fprintf(stderr, "bench_floor: gandyn run: %s\n", s ? gd_sim_errmsg(s) : "out of memory");
                exit(1);
            }
            const double *xf = gd_sim_get_xfinal(s, 0);
            worst = fmax(worst, fmax(fabs(xf[0] - b.th[i]), fabs(xf[1] - b.ps[i])));
            gd_sim_free(&s);
        }
    }
    return worst;
}

int main(int argc, char **argv)
{
    const long nh = argc > 1 ? atol(argv[1]) : 1000, ng = argc > 2 ? atol(argv[2]) : 200, steps = argc > 3 ? atol(argv[3]) : 10000;
    if (argc != 1 && argc != 4) {
        fprintf(stderr, "usage: bench_floor [NH NG STEPS]\n");
        return 2;
    }
    if (nh < 1 || ng < 1 || steps < 1) {
        fprintf(stderr, "bench_floor: NH, NG and STEPS must be positive integers\n");
        return 2;
    }
    const double err = check();
    printf("bare loops against gandyn run (64 cells x 2 rules, 500 steps): largest difference %.3g\n", err);
    if (!(err <= 1e-12)) return 1;
#if defined(__SSE2__)
    _mm_setcsr(_mm_getcsr() | 0x8040u); /* subnormals flushed, as the library's sweep kernel does */
#endif
    static block b;
    const long nb = (nh * ng + NB - 1) / NB; /* the last block wraps round to the first cells */
    double *ratio = malloc(sizeof(double) * (size_t)nb), t[2] = {0, 0};
    if (!ratio) return 1;
    for (long k = 0; k < nb; k++) {
        double tk[2];
        for (int j = 0; j < 2; j++) {
            const int rule = (k + j) & 1; /* the order alternates from block to block */
            fill(&b, k * NB, nh, ng, 1e-6, 1e-6);
            const double t0 = pairs_cpu_now();
            (rule == OPTIMISTIC ? run_optimistic : run_simgd)(&b, steps);
            tk[rule] = pairs_cpu_now() - t0;
        }
        ratio[k] = tk[OPTIMISTIC] / tk[SIMGD], t[0] += tk[SIMGD], t[1] += tk[OPTIMISTIC];
    }
    const pairs_quartiles q = pairs_summary(ratio, nb);
    const double cs = (double)nb * NB * (double)steps;
    printf("bare simgd: %.3f ns per cell-step; bare optimistic: %.3f ns per cell-step (%ld cells x %ld steps, one thread)\n", 1e9 * t[0] / cs,
           1e9 * t[1] / cs, nb * NB, steps);
    printf("bare optimistic / simgd per block: median %.3f, quartiles %.3f-%.3f (%ld blocks); summed times %.3f\n", q.median, q.q1, q.q3, nb,
           t[1] / t[0]);
    free(ratio);
    return 0;
}
