/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The batched sweep kernel: a block of cells advanced by the integrator's own rule on a
 * lane of cells (src/lane_batch.c), steps outer, cells inner, so every loop vectorises
 * across cells (20-50x the per-trajectory loop; README "Benchmarks"), and measured after
 * every step. Compiled with -ffast-math: nothing here tests for NaN; a cell whose distance
 * to x* passes the divergence radius is frozen by that explicit threshold and keeps its
 * last state.
 */
#include "sweep_impl.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

/* Squared distances to x* of every cell of the block (measure has its own two-coordinate loop). */
static void distances(const gd_batch_cfg *c, const gd_block *b, double *restrict d2)
{
    const int n = GD_BLOCK;
#pragma omp simd
    for (int i = 0; i < n; i++) d2[i] = 0;
    for (int k = 0; k < c->mdim; k++) {
        const double *restrict xk = b->x + k * n, e = c->eq[k];
#pragma omp simd
        for (int i = 0; i < n; i++) d2[i] += (xk[i] - e) * (xk[i] - e);
    }
}

/* One cell's bookkeeping after iteration k at squared distance d: freeze it past the radius,
 * note the first distance above its grow_at, the window maxima (W1, W2, and W2B for the late
 * window's second half) and, when LAST, the last distance above GD_TINY. The flags are
 * constants at each call, so each loop carries only its own work. A frozen cell's other
 * records are never read (a diverged cell is classified by its divergence step alone), so
 * they need no test of it; every store is conditional, so the loops write (masked) only what
 * changes. */
static inline __attribute__((always_inline)) void track(gd_block *restrict b, int i, double d, double k, double R2, int W1, int W2,
                                                        int W2B, int LAST)
{
    if (b->diverged_at[i] == 0 && d > R2) b->diverged_at[i] = k;
    if (b->kg[i] == 0 && d > b->grow_at[i]) b->dg[i] = d, b->kg[i] = k;
    if (W1 && d > b->m1[i]) b->m1[i] = d;
    if (W2 && d > b->m2[i]) b->m2[i] = d;
    if (W2B && d > b->m2b[i]) b->m2b[i] = d;
    if (W2) b->s2[i] += d;
    if (LAST && d > GD_TINY) b->dl[i] = d, b->kl[i] = k;
}

/* The loop over the block's cells, distances from two coordinates inline or from d2. */
#define TRACK_LOOP(W1, W2, W2B, LAST)                                                                          \
    do {                                                                                                       \
        if (two) {                                                                                             \
            _Pragma("omp simd") for (int i = 0; i < GD_BLOCK; i++) {                                           \
                double a = x0[i] - e0, c2 = x1[i] - e1;                                                        \
                track(b, i, a * a + c2 * c2, k, R2, W1, W2, W2B, LAST);                                        \
            }                                                                                                  \
        } else {                                                                                               \
            _Pragma("omp simd") for (int i = 0; i < GD_BLOCK; i++) track(b, i, d2[i], k, R2, W1, W2, W2B, LAST); \
        }                                                                                                      \
    } while (0)

/* After iteration `step`: freeze cells past the radius, track window maxima and (every
 * 8th step, enough for the underflow fallback) the last distance above GD_TINY. */
static void measure(const gd_batch_cfg *c, gd_block *b, long step)
{
    const long N = c->steps;
    int w1 = step > N / 4 && step <= N / 2, w2 = step > 3 * N / 4, last = (step & 7) == 0 || step == N;
    /* Outside the windows only freezing needs distances, and every 4th step is enough: a
     * cell just past the radius cannot reach overflow in 4 steps. */
    if (!w1 && !w2 && (step & 3) && step != N) return;
    const int w2b = step > 7 * N / 8;
    const int two = c->mdim == 2;
    double d2[GD_BLOCK];
    if (!two) distances(c, b, d2);
    const double *restrict x0 = b->x, *restrict x1 = b->x + GD_BLOCK, e0 = c->eq[0], e1 = two ? c->eq[1] : 0;
    const double R2 = c->R2, k = (double)step;
    if (w1 && last) TRACK_LOOP(1, 0, 0, 1);
    else if (w1) TRACK_LOOP(1, 0, 0, 0);
    else if (w2b && last) TRACK_LOOP(0, 1, 1, 1);
    else if (w2b) TRACK_LOOP(0, 1, 1, 0);
    else if (w2 && last) TRACK_LOOP(0, 1, 0, 1);
    else if (w2) TRACK_LOOP(0, 1, 0, 0);
    else if (last) TRACK_LOOP(0, 0, 0, 1);
    else TRACK_LOOP(0, 0, 0, 0);
}

/* Frozen cells still go through the block's field, whose values they discard. At the state
 * where a cell froze that field may be slow (an exp that overflows sends its whole vector
 * to libm's scalar path: a plugin's batched Dirac-GAN + GP took 1.45x the built-in's time,
 * README "Benchmarks"), so every GD_PARK_EVERY steps the cells that froze since step `since`
 * move to x*, where the field vanishes, and their states wait in xf until the block is done.
 * Every rule keeps a frozen cell's state, so the other cells compute exactly what they did. */
#define GD_PARK_EVERY 8
static void park(const gd_batch_cfg *c, gd_block *b, double since)
{
    const int dim = c->st->model->dim;
    const double *restrict fz = b->diverged_at;
    int any = 0;
#pragma omp simd reduction(| : any)
    for (int i = 0; i < GD_BLOCK; i++) any |= fz[i] > since;
    for (int r = 0; any && r < dim; r++) {
        double *restrict x = b->x + r * GD_BLOCK, *restrict xf = b->xf + r * GD_BLOCK, e = c->eq[r];
#pragma omp simd
        for (int i = 0; i < GD_BLOCK; i++) {
            if (fz[i] > since) xf[i] = x[i], x[i] = e;
        }
    }
}

/* The states of the cells parked up to step `until` back into the block. */
static void unpark(const gd_batch_cfg *c, gd_block *b, double until)
{
    const int dim = c->st->model->dim;
    const double *restrict fz = b->diverged_at;
    for (int r = 0; r < dim; r++) {
        double *restrict x = b->x + r * GD_BLOCK;
        const double *restrict xf = b->xf + r * GD_BLOCK;
#pragma omp simd
        for (int i = 0; i < GD_BLOCK; i++) {
            if (fz[i] != 0 && fz[i] <= until) x[i] = xf[i];
        }
    }
}

/* The columns of the rule's double options for a block (b->cells, b->rc). */
static int cell_columns(gd_block *b, const gd_stepper *st)
{
    const gd_integrator_type *t = st->type;
    size_t slots = t->opts_size / sizeof(double) + 1, nd = 0;
    for (const gd_param *p = t->params; p && p->key; p++) nd += p->type == GD_P_DOUBLE;
    b->cells = calloc(slots, sizeof(double *));
    b->rc = calloc(nd * GD_BLOCK + 1, sizeof(double));
    if (!b->cells || !b->rc) return GD_ENOMEM;
    nd = 0;
    for (const gd_param *p = t->params; p && p->key; p++)
        if (p->type == GD_P_DOUBLE) b->cells[p->offset / sizeof(double)] = b->rc + GD_BLOCK * nd++;
    return GD_OK;
}

gd_block *gd_block_create(const gd_stepper *st, long tail)
{
    const gd_model *m = st->model;
    gd_block *b = calloc(1, sizeof *b);
    int np = 0;
    while (m->type->batch_params && m->type->batch_params[np]) np++;
    if (!b) return NULL;
    b->x = calloc((size_t)(2 * m->dim + np) * GD_BLOCK, sizeof(double)); /* xf: no lane of a vector load undefined */
    b->p = b->x + (size_t)m->dim * GD_BLOCK;
    b->xf = b->p + (size_t)np * GD_BLOCK;
    b->ntail = tail;
    b->nm = gd_stepper_map_dim(st); /* the ring keeps the map's state: the rule's history too */
    if (tail > 0) b->tail = malloc(sizeof(double) * (size_t)tail * (size_t)b->nm * GD_BLOCK);
    if (!b->x || (tail > 0 && !b->tail) || cell_columns(b, st) != GD_OK || gd_batch_init(&b->batch, st, GD_BLOCK) != GD_OK) {
        gd_block_free(b);
        return NULL;
    }
    b->batch.hg = b->hg;
    b->batch.hd = b->hd;
    b->batch.frozen = b->diverged_at;
    return b;
}

void gd_block_free(gd_block *b)
{
    if (!b) return;
    gd_batch_release(&b->batch);
    free(b->x);
    free(b->tail);
    free(b->cells);
    free(b->rc);
    free(b);
}

/* Subnormal numbers (|x| < 2.2e-308) are flushed to zero while a block runs (FTZ and DAZ in
 * MXCSR, the caller's mode restored after). A cell that converges for long enough reaches
 * them, and every operation on one takes a microcode assist: on the 1e10-cell-step Dirac-GAN
 * sweep they cost 40 % of the time. Nothing the sweep measures looks below GD_TINY (1e-280 in
 * squared distance), and a subnormal coordinate next to a normal one is below the other's
 * rounding, so the records are the same. */
#if defined(__SSE2__)
static unsigned flush_subnormals(void)
{
    unsigned csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
    return csr;
}
static void restore_fp_mode(unsigned csr) { _mm_setcsr(csr); }
#else
static unsigned flush_subnormals(void) { return 0; }
static void restore_fp_mode(unsigned csr) { (void)csr; }
#endif

/* Iteration s's map states into the ring: a copy of the block's rows, then of the rule's
 * history rows (the lane's layout: history vector, coordinate, cell), nothing per cell. */
static void keep(gd_block *b, const gd_lane *L, long s)
{
    const size_t row = GD_BLOCK * sizeof(double), nx = (size_t)L->dim;
    double *slot = b->tail + (size_t)((s - 1) % b->ntail) * (size_t)b->nm * GD_BLOCK;
    memcpy(slot, b->x, nx * row);
    if ((size_t)b->nm > nx) memcpy(slot + nx * GD_BLOCK, L->hist, ((size_t)b->nm - nx) * row);
}

int gd_batch_run(const gd_batch_cfg *c, gd_block *b)
{
    const unsigned fp_mode = flush_subnormals();
    const gd_integrator_type *rule = c->st->type;
    gd_lane *L = &b->batch.lane;
    b->batch.p = b->np ? b->p : NULL;
    memset(b->m1, 0, sizeof b->m1);
    memset(b->m2, 0, sizeof b->m2);
    memset(b->m2b, 0, sizeof b->m2b);
    memset(b->s2, 0, sizeof b->s2);
    memset(b->diverged_at, 0, sizeof b->diverged_at);
    memset(b->kg, 0, sizeof b->kg);
    distances(c, b, b->d0);
#pragma omp simd
    for (int i = 0; i < GD_BLOCK; i++) b->grow_at[i] = gd_grow_threshold(c->G2, b->d0[i], c->floor);
    memcpy(b->dl, b->d0, sizeof b->dl);
    memset(b->kl, 0, sizeof b->kl);
    L->noise.step = 0, L->noise.cells = b->cell, L->noise.start = 0;
    int rc = gd_lane_start(rule, L, b->x); /* the block is reused from cell block to cell block */
    long parked = 0; /* cells frozen up to this step are parked */
    for (long s = 1; s <= c->steps && rc == GD_OK; s++) {
        rc = gd_lane_advance(rule, L, b->x, b->batch.frozen);
        measure(c, b, s);
        if (c->tail && s > c->steps - c->tail) keep(b, L, s);
        if (c->park && s % GD_PARK_EVERY == 0) park(c, b, (double)parked), parked = s;
    }
    if (parked) unpark(c, b, (double)parked);
    restore_fp_mode(fp_mode);
    return rc;
}

void gd_block_tail(const gd_block *b, long steps, int i, double *z)
{
    long S = b->ntail < steps ? b->ntail : steps;
    const int dim = b->nm;
    for (long j = 0; j < S; j++) {
        const double *row = b->tail + (size_t)((steps - S + j) % b->ntail) * (size_t)dim * GD_BLOCK;
        for (int k = 0; k < dim; k++) z[(size_t)j * dim + k] = row[(size_t)k * GD_BLOCK + i];
    }
}
