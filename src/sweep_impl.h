/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The batched sweep kernel: a block of GD_BLOCK cells advanced in lock-step in
 * structure-of-arrays form (sweep_kernel.c, compiled with -ffast-math).
 */
#ifndef GD_SWEEP_IMPL_H
#define GD_SWEEP_IMPL_H

#include "gd_impl.h"

/* Cells per block: a multiple of every vector width, and always full (padded), so each
 * cell takes the same vector code path whatever the partition: results are bit-identical
 * for any number of threads, ranks or cell ranges. */
#define GD_BLOCK 256
/* Squared distances below this have underflowed towards 0: rates use the last one above. */
#define GD_TINY 1e-280

enum { GD_RULE_SIMGD, GD_RULE_ALTGD, GD_RULE_EXTRAGRADIENT, GD_RULE_OPTIMISTIC };

typedef struct {
    const gd_model *m;
    int dim, mdim, ngen, rule; /* mdim: the first mdim coordinates are measured */
    long n_g, n_d, steps;
    int disc_first;
    const double *eq;    /* dim */
    const double *lo, *hi; /* projection box (NULL: none) */
    double R2;           /* squared divergence radius */
    double G2;           /* squared grow factor */
} gd_batch_cfg;

/* Per-block state: x, scratch, per-cell steps and measurements. */
typedef struct {
    double x[8 * GD_BLOCK], v[8 * GD_BLOCK], y[8 * GD_BLOCK], g[8 * GD_BLOCK]; /* dim <= 8 */
    double hg[GD_BLOCK], hd[GD_BLOCK];
    double p[8 * GD_BLOCK]; /* batch parameters per cell */
    int np;                 /* how many of p are set (0: the model's own values) */
    double m1[GD_BLOCK], m2[GD_BLOCK]; /* max squared distance in the windows (N/4, N/2], (3N/4, N] */
    double d0[GD_BLOCK];    /* squared initial distance */
    double dl[GD_BLOCK];    /* last squared distance above GD_TINY, and its step */
    double kl[GD_BLOCK];
    double dg[GD_BLOCK], kg[GD_BLOCK]; /* first squared distance above G2 d0 (x* repels), its step */
    /* Step at which |x - x*| passed the radius (0: never). Doubles, like every per-cell
     * array here, so that the loops vectorise without mixed-width types. */
    double diverged_at[GD_BLOCK];
} gd_block;

/* Advance a block through cfg->steps iterations; GD_ENOTAVAIL if the model cannot batch. */
int gd_batch_run(const gd_batch_cfg *cfg, gd_block *b);

#endif
