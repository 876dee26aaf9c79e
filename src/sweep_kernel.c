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
static void update(const gd_batch_cfg *c, gd_block *b, double *restrict x, const double *restrict v, double scale, int i0, int i1)
{
    const int n = GD_BLOCK;
    const double *restrict frozen = b->diverged_at;
    for (int k = i0; k < i1; k++) {
        const double *restrict h = k < c->ngen ? b->hg : b->hd;
        double *restrict xk = x + k * n;
        const double *restrict vk = v + k * n;
        if (!c->lo) {
#pragma omp simd
            for (int i = 0; i < n; i++) xk[i] = frozen[i] != 0 ? xk[i] : xk[i] + scale * h[i] * vk[i];
            continue;
        }
        const double lo = c->lo[k], hi = c->hi[k];
#pragma omp simd
        for (int i = 0; i < n; i++) {
            double xn = xk[i] + scale * h[i] * vk[i];
            xn = xn < lo ? lo : xn > hi ? hi : xn;
            xk[i] = frozen[i] != 0 ? xk[i] : xn;
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

/* Squared distances to x* of every cell of the block. */
static void distances(const gd_batch_cfg *c, const gd_block *b, double *restrict d2)
{
    const int n = GD_BLOCK;
    if (c->mdim == 2) { /* the common case, fused */
        const double *restrict x0 = b->x, *restrict x1 = b->x + n, e0 = c->eq[0], e1 = c->eq[1];
#pragma omp simd
        for (int i = 0; i < n; i++) d2[i] = (x0[i] - e0) * (x0[i] - e0) + (x1[i] - e1) * (x1[i] - e1);
        return;
    }
#pragma omp simd
    for (int i = 0; i < n; i++) d2[i] = 0;
    for (int k = 0; k < c->mdim; k++) {
        const double *restrict xk = b->x + k * n, e = c->eq[k];
#pragma omp simd
        for (int i = 0; i < n; i++) d2[i] += (xk[i] - e) * (xk[i] - e);
    }
}

/* Window maximum: m = max(m, d) for live cells. */
static void window_max(double *restrict m, const double *restrict d2, const double *restrict div)
{
#pragma omp simd
    for (int i = 0; i < GD_BLOCK; i++) m[i] = div[i] == 0 && d2[i] > m[i] ? d2[i] : m[i];
}

/* After iteration `step`: freeze cells past the radius, track window maxima and (every
 * 8th step, enough for the underflow fallback) the last distance above GD_TINY. */
static void measure(const gd_batch_cfg *c, gd_block *b, long step)
{
    const int n = GD_BLOCK;
    const long N = c->steps;
    int w1 = step > N / 4 && step <= N / 2, w2 = step > 3 * N / 4;
    /* Outside the windows only freezing needs distances, and every 4th step is enough: a
     * cell just past the radius cannot reach overflow in 4 steps. */
    if (!w1 && !w2 && (step & 3) && step != N) return;
    double d2[GD_BLOCK];
    distances(c, b, d2);
    double *restrict div = b->diverged_at;
    const double R2 = c->R2, k = (double)step;
#pragma omp simd
    for (int i = 0; i < n; i++) div[i] = div[i] == 0 && d2[i] > R2 ? k : div[i];
    double *restrict dg = b->dg, *restrict kg = b->kg, *restrict d0 = b->d0;
    const double G2 = c->G2;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        int first = kg[i] == 0 && d2[i] > G2 * d0[i];
        dg[i] = first ? d2[i] : dg[i];
        kg[i] = first ? k : kg[i];
    }
    if (w1) window_max(b->m1, d2, div);
    if (w2) window_max(b->m2, d2, div);
    if ((step & 7) == 0 || step == N) {
        double *restrict dl = b->dl, *restrict kl = b->kl;
#pragma omp simd
        for (int i = 0; i < n; i++) {
            int seen = div[i] == 0 && d2[i] > GD_TINY;
            dl[i] = seen ? d2[i] : dl[i];
            kl[i] = seen ? k : kl[i];
        }
    }
}

int gd_batch_run(const gd_batch_cfg *c, gd_block *b)
{
    int rc = field(c, b, b->x, b->g); /* optimistic's first history: F(x0); a probe for the rest */
    if (rc != GD_OK) return rc;
    memset(b->m1, 0, sizeof b->m1);
    memset(b->m2, 0, sizeof b->m2);
    memset(b->diverged_at, 0, sizeof b->diverged_at);
    memset(b->kg, 0, sizeof b->kg);
    for (int i = 0; i < GD_BLOCK; i++) {
        double d = 0;
        for (int k = 0; k < c->mdim; k++) d += (b->x[k * GD_BLOCK + i] - c->eq[k]) * (b->x[k * GD_BLOCK + i] - c->eq[k]);
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
