/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Batched fixed-step integrators for sweeps: steps outer, cells inner, so the compiler
 * vectorises across cells (engineering.md §1.1: 20-50x the per-trajectory loop). Compiled
 * with -ffast-math: nothing here tests for NaN; a cell whose distance to x* passes the
 * divergence radius is frozen by that explicit threshold and keeps its last state.
 */
#include "sweep_impl.h"

#include <string.h>

/* x_k += scale * h_k v_k on rows [i0, i1) of cells that are not frozen, then the box. */
static void update(const gd_batch_cfg *c, gd_block *b, double *x, const double *v, double scale, int i0, int i1)
{
    const int n = GD_BLOCK;
    for (int k = i0; k < i1; k++) {
        const double *h = k < c->ngen ? b->hg : b->hd;
        double lo = c->lo ? c->lo[k] : -1e308, hi = c->hi ? c->hi[k] : 1e308;
#pragma omp simd
        for (int i = 0; i < n; i++) {
            double xn = x[k * n + i] + scale * h[i] * v[k * n + i];
            xn = xn < lo ? lo : xn > hi ? hi : xn;
            x[k * n + i] = b->diverged_at[i] ? x[k * n + i] : xn;
        }
    }
}

static int field(const gd_batch_cfg *c, gd_block *b, const double *x, double *v)
{
    return c->m->type->field_batch(c->m, GD_BLOCK, b->np ? b->p : NULL, x, v);
}

static int player_steps(const gd_batch_cfg *c, gd_block *b, int player, long reps)
{
    int i0 = player ? c->ngen : 0, i1 = player ? c->dim : c->ngen;
    for (long r = 0; r < reps; r++) {
        int rc = field(c, b, b->x, b->v);
        if (rc != GD_OK) return rc;
        update(c, b, b->x, b->v, 1.0, i0, i1);
    }
    return GD_OK;
}

static int iterate(const gd_batch_cfg *c, gd_block *b)
{
    const size_t bytes = sizeof(double) * (size_t)c->dim * GD_BLOCK;
    int rc;
    switch (c->rule) {
    case GD_RULE_SIMGD:
        if ((rc = field(c, b, b->x, b->v)) == GD_OK) update(c, b, b->x, b->v, 1.0, 0, c->dim);
        return rc;
    case GD_RULE_ALTGD:
        rc = player_steps(c, b, c->disc_first, c->disc_first ? c->n_d : c->n_g);
        return rc == GD_OK ? player_steps(c, b, !c->disc_first, c->disc_first ? c->n_g : c->n_d) : rc;
    case GD_RULE_EXTRAGRADIENT:
        memcpy(b->y, b->x, bytes);
        if ((rc = field(c, b, b->x, b->v)) != GD_OK) return rc;
        update(c, b, b->y, b->v, 1.0, 0, c->dim);
        if ((rc = field(c, b, b->y, b->v)) == GD_OK) update(c, b, b->x, b->v, 1.0, 0, c->dim);
        return rc;
    case GD_RULE_OPTIMISTIC: /* b->g holds the previous field value */
        if ((rc = field(c, b, b->x, b->v)) != GD_OK) return rc;
        for (int k = 0; k < c->dim * GD_BLOCK; k++) {
            double d = 2 * b->v[k] - b->g[k];
            b->g[k] = b->v[k];
            b->v[k] = d;
        }
        update(c, b, b->x, b->v, 1.0, 0, c->dim);
        return GD_OK;
    }
    return GD_ENOTAVAIL;
}

/* Distances after iteration `step`: freeze cells past the radius, track window maxima. */
static void measure(const gd_batch_cfg *c, gd_block *b, long step)
{
    const int n = GD_BLOCK;
    long N = c->steps;
    int w1 = step > N / 4 && step <= N / 2, w2 = step > 3 * N / 4;
    double d2[GD_BLOCK];
#pragma omp simd
    for (int i = 0; i < n; i++) d2[i] = 0;
    for (int k = 0; k < c->dim; k++) {
        double e = c->eq[k];
#pragma omp simd
        for (int i = 0; i < n; i++) d2[i] += (b->x[k * n + i] - e) * (b->x[k * n + i] - e);
    }
#pragma omp simd
    for (int i = 0; i < n; i++) {
        int live = b->diverged_at[i] == 0;
        b->diverged_at[i] = live && d2[i] > c->R2 ? step : b->diverged_at[i];
        b->m1[i] = live && w1 && d2[i] > b->m1[i] ? d2[i] : b->m1[i];
        b->m2[i] = live && w2 && d2[i] > b->m2[i] ? d2[i] : b->m2[i];
        int seen = live && d2[i] > GD_TINY;
        b->dl[i] = seen ? d2[i] : b->dl[i];
        b->kl[i] = seen ? step : b->kl[i];
    }
}

int gd_batch_run(const gd_batch_cfg *c, gd_block *b)
{
    int rc = field(c, b, b->x, b->g); /* optimistic's first history: F(x0); a probe for the rest */
    if (rc != GD_OK) return rc;
    memset(b->m1, 0, sizeof b->m1);
    memset(b->m2, 0, sizeof b->m2);
    memset(b->diverged_at, 0, sizeof b->diverged_at);
    for (int i = 0; i < GD_BLOCK; i++) {
        double d = 0;
        for (int k = 0; k < c->dim; k++) d += (b->x[k * GD_BLOCK + i] - c->eq[k]) * (b->x[k * GD_BLOCK + i] - c->eq[k]);
        b->d0[i] = d;
        b->dl[i] = d;
        b->kl[i] = 0;
    }
    for (long s = 1; s <= c->steps && rc == GD_OK; s++) {
        rc = iterate(c, b);
        measure(c, b, s);
    }
    return rc;
}
