/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The Dirac-GAN field on a block of sweep cells (structure of arrays, gamma per cell).
 * This file alone is compiled with -ffast-math so that exp() vectorises through glibc's
 * libmvec (engineering.md §1.1); everything that classifies cells stays IEEE-strict.
 * Covers losses gan | nsgan | wgan with reg none | gp | wgan_gp (exact sign) | clip;
 * noise and consensus sweeps go cell by cell.
 */
#include "gd_impl.h"
#include "dirac.h"

#include <math.h>

/* exp for |s| <= 708, inline so the loop needs no call per vector (a call clobbers every
 * vector register, and the loop becomes latency-bound on it): s = k ln2 + r with
 * |r| <= ln2/2 (Cody-Waite split of ln2), e^r by its degree-12 Taylor polynomial
 * (truncation below 2e-16), 2^k put directly into the exponent bits. */
static inline __attribute__((always_inline)) double inline_exp(double s)
{
    const double k = __builtin_rint(s * 1.4426950408889634);
    const double r = (s - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    long long bits = ((long long)k + 1023) << 52;
    double scale;
    __builtin_memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* One cell. WGAN and WGAN_GP are compile-time constants at each call site, so the loop
 * for the common case (GAN losses, no sign term) carries neither the sign nor dead work.
 * f'(t) = 1/(1 + e^t); nsgan's generator uses f'(-s) = 1 - f'(s). */
static inline __attribute__((always_inline)) void cell(int WGAN, int WGAN_GP, double nsgan, double gp, double g0, double th,
                                                       double ps, double g, double *v1, double *v2)
{
    double d1 = 1.0, g1 = 1.0;
    if (!WGAN) {
        /* |s| <= 700 keeps exp finite: an overflowing lane sends the whole vector to glibc's
         * slow scalar path, and beyond 700 f'(s) is 0 or 1 to within 1e-304 anyway. */
        double s = fmin(fmax(th * ps, -700.0), 700.0);
        d1 = 1.0 / (1.0 + inline_exp(s));
        g1 = d1 + nsgan * (1.0 - 2.0 * d1);
    }
    *v1 = -ps * g1;
    *v2 = th * d1 - gp * g * ps;
    if (WGAN_GP) *v2 -= g * (ps - g0 * (double)((ps > 0) - (ps < 0)));
}

/* The block loop for one (WGAN, WGAN_GP) combination, per-cell gamma or not. */
#define BLOCK_LOOP(WGAN, WGAN_GP)                                                                          \
    do {                                                                                                  \
        if (p) {                                                                                          \
            _Pragma("omp simd") for (int i = 0; i < n; i++)                                               \
                cell(WGAN, WGAN_GP, nsgan, gp, g0, th[i], ps[i], p[i], &v1[i], &v2[i]);                   \
        } else {                                                                                          \
            _Pragma("omp simd") for (int i = 0; i < n; i++)                                               \
                cell(WGAN, WGAN_GP, nsgan, gp, g0, th[i], ps[i], gam, &v1[i], &v2[i]);                    \
        }                                                                                                 \
    } while (0)

int gd_dirac_field_batch(const gd_model *m, int n, const double *restrict p, const double *restrict x, double *restrict v)
{
    const dirac_opts *o = m->opts;
    if (o->reg == REG_NOISE || o->reg == REG_CONSENSUS || (o->reg == REG_WGAN_GP && o->sign_eps > 0)) return GD_ENOTAVAIL;
    const double nsgan = o->loss == LOSS_NSGAN, gp = o->reg == REG_GP, g0 = o->g0, gam = o->gamma;
    const double *restrict th = x, *restrict ps = x + n;
    double *restrict v1 = v, *restrict v2 = v + n;
    int wgan = o->loss == LOSS_WGAN, wgp = o->reg == REG_WGAN_GP;
    if (!wgan && !wgp) BLOCK_LOOP(0, 0);
    else if (!wgan) BLOCK_LOOP(0, 1);
    else if (!wgp) BLOCK_LOOP(1, 0);
    else BLOCK_LOOP(1, 1);
    return GD_OK;
}
