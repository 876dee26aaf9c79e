/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The kernel_gda field on a block of sweep cells (structure of arrays) for the linear and
 * features representations; exact is the model's own discrete map (gda_step), never a
 * field. Compiled with -ffast-math (like dirac_batch.c) so that the features' sin and cos
 * vectorise through glibc's libmvec. Each cell runs the arithmetic of kernel_gda.c's
 * linear_eval and features_eval in the same order.
 *
 * Per cell: mu, and lambda for the linear representation (its kappa_c = delta_c gamma /
 * lambda follows per cell). The features' lambda moves the equilibrium (w* is
 * proportional to 1/lambda), which the batched sweep measures against for every cell, so
 * it keeps the model's value there; sigma and the kernel enter through what setup
 * precomputes (gamma, the drawn frequencies) and never vary per cell.
 */
#include "gd_impl.h"
#include "gd_fastmath.h"
#include "kernel_gda.h"

#include <math.h>

enum { P_LAMBDA, P_MU };
const char *const gd_kgda_batch_params[] = {"lambda", "mu", NULL};

int gd_kgda_batch_varies(const gd_model *m, int j)
{
    return j == P_MU || ((const kgda_opts *)m->opts)->representation == REP_LINEAR;
}

/* Parameter j of cell i: the cell's own, or the model's. */
#define PAR(j, own) (p ? p[(size_t)(j) * (size_t)n + (size_t)i] : (own))
/* Row r (coordinate r of every cell) of a block. */
#define ROW(a, r) ((a) + (size_t)(r) * (size_t)n)

/* State [x~ (ng d) | b (nr d)]: b_c' = -lambda b_c - gamma sum_{j in c} q_j e_j,
 * x~_j' = mu q_j (b_c(j) - kappa_c e_j), e_j = x~_j - x_c(j). */
static void linear_batch(const gd_model *m, int n, const double *restrict p, const double *restrict x, double *restrict v)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    const int d = k->d, off = k->ng * d;
    for (int r = off; r < m->dim; r++) {
        const double *restrict b = ROW(x, r);
        double *restrict vb = ROW(v, r);
#pragma omp simd
        for (int i = 0; i < n; i++) vb[i] = -PAR(P_LAMBDA, o->lambda) * b[i];
    }
    for (int j = 0; j < k->ng; j++) {
        const int c = k->cluster[j];
        const double q = k->pg[j], gq = k->gamma * q, dg = k->excess[c] * k->excess_size * k->gamma; /* delta_c gamma */
        for (int l = 0; l < d; l++) {
            const double xr = k->xr[c * d + l];
            const double *restrict xj = ROW(x, j * d + l), *restrict b = ROW(x, off + c * d + l);
            double *restrict vx = ROW(v, j * d + l), *restrict vb = ROW(v, off + c * d + l);
#pragma omp simd
            for (int i = 0; i < n; i++) {
                double e = xj[i] - xr, lam = PAR(P_LAMBDA, o->lambda);
                double kap = p ? (lam > 0 ? dg / lam : 0) : k->kappa[c];
                vb[i] -= gq * e;
                vx[i] = PAR(P_MU, o->mu) * q * (b[i] - kap * e);
            }
        }
    }
}

/* Cells per chunk of the features loop: its rows stay in the first-level cache. */
enum { CHUNK = 64 };

/* State [x~ (ng d) | w (D)], f = sum_f w_f a_f cos(om_f . x + beta_f):
 * w' = -lambda w + phi_true - sum_j q_j phi(x~_j),  x~_j' = mu q_j grad f(x~_j), on the
 * cells [i0, i0 + cnt) of the block (the row pointers start at i0). */
static void features_chunk(const gd_model *m, int n, int i0, int cnt, const double *restrict p, const double *restrict x, double *restrict v)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    const int d = k->d, off = k->ng * d;
    for (int f = 0; f < k->D; f++) {
        const double *restrict w = ROW(x, off + f) + i0;
        double *restrict vw = ROW(v, off + f) + i0;
        const double pt = k->phi_true[f];
#pragma omp simd
        for (int i = 0; i < cnt; i++) vw[i] = -o->lambda * w[i] + pt;
    }
    for (int j = 0; j < k->ng; j++) {
        const double q = k->pg[j];
        for (int l = 0; l < d; l++) {
            double *restrict g = ROW(v, j * d + l) + i0;
#pragma omp simd
            for (int i = 0; i < cnt; i++) g[i] = 0;
        }
        for (int f = 0; f < k->D; f++) {
            const double *om = k->om + (size_t)f * d, amp = k->amp[f];
            const double *restrict w = ROW(x, off + f) + i0;
            double *restrict vw = ROW(v, off + f) + i0;
            double t[CHUNK], st[CHUNK], ct[CHUNK], ws[CHUNK];
#pragma omp simd
            for (int i = 0; i < cnt; i++) t[i] = k->beta[f];
            for (int l = 0; l < d; l++) {
                const double *restrict xl = ROW(x, j * d + l) + i0;
#pragma omp simd
                for (int i = 0; i < cnt; i++) t[i] += om[l] * xl[i];
            }
            gd_sincos_row(cnt, t, st, ct);
#pragma omp simd
            for (int i = 0; i < cnt; i++) {
                vw[i] -= q * (amp * ct[i]);
                ws[i] = w[i] * (amp * st[i]);
            }
            for (int l = 0; l < d; l++) {
                double *restrict g = ROW(v, j * d + l) + i0;
#pragma omp simd
                for (int i = 0; i < cnt; i++) g[i] -= ws[i] * om[l];
            }
        }
        for (int l = 0; l < d; l++) {
            double *restrict g = ROW(v, j * d + l);
#pragma omp simd
            for (int i = i0; i < i0 + cnt; i++) g[i] *= PAR(P_MU, o->mu) * q;
        }
    }
}

int gd_kgda_field_batch(const gd_model *m, int n, const double *restrict p, const double *restrict x, double *restrict v)
{
    const kgda_opts *o = m->opts;
    if (o->representation == REP_LINEAR) {
        linear_batch(m, n, p, x, v);
        return GD_OK;
    }
    if (o->representation != REP_FEATURES) return GD_ENOTAVAIL; /* exact: the model's own map */
    for (int i0 = 0; i0 < n; i0 += CHUNK) features_chunk(m, n, i0, n - i0 < CHUNK ? n - i0 : CHUNK, p, x, v);
    return GD_OK;
}
