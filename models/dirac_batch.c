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

int gd_dirac_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v)
{
    const dirac_opts *o = m->opts;
    if (o->reg == REG_NOISE || o->reg == REG_CONSENSUS || (o->reg == REG_WGAN_GP && o->sign_eps > 0)) return GD_ENOTAVAIL;
    const double *th = x, *ps = x + n;
    double *v1 = v, *v2 = v + n;
    /* Uniform switches, hoisted: the loop body is branch-free per cell. */
    const double wgan = o->loss == LOSS_WGAN, gsign = o->loss == LOSS_NSGAN ? -1.0 : 1.0;
    const double gp = o->reg == REG_GP, wgp = o->reg == REG_WGAN_GP, g0 = o->g0, gam = o->gamma;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        double s = th[i] * ps[i], g = p ? p[i] : gam;
        /* f'(t) = 1/(1 + e^t); the generator of nsgan uses f'(-s) */
        double d1 = wgan ? 1.0 : 1.0 / (1.0 + exp(s));
        double g1 = wgan ? 1.0 : 1.0 / (1.0 + exp(gsign * s));
        double sgn = (ps[i] > 0) - (ps[i] < 0);
        v1[i] = -ps[i] * g1;
        v2[i] = th[i] * d1 - gp * g * ps[i] - wgp * g * (ps[i] - g0 * sgn);
    }
    return GD_OK;
}
