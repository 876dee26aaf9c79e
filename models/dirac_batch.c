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
#include "gd_fastmath.h"

#include <math.h>

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
        d1 = 1.0 / (1.0 + gd_exp_inline(s));
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
