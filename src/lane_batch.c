/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A block of cells as a lane (gd_impl.h): the update rules of integrators/ run on it
 * unchanged, through the model's batched field with per-cell parameters, per-cell steps
 * and the model's projection box; frozen cells (the sweep's diverged ones) keep their
 * state. Compiled with -ffast-math like the batched fields: loops over cells vectorise,
 * and nothing here tests for NaN.
 */
#include "gd_impl.h"

#include <stdlib.h>
#include <string.h>

/* [modifier] on a block: each cell's J by central differences of the batched field (the
 * cells' own parameters; 2 dim evaluations), then F~ per cell as on one state (src/wrap.c). */
static int batch_modify(gd_batch *b, const double *x, double *v)
{
    const gd_lane *L = &b->lane;
    const int n = L->n, d = L->dim;
    const size_t vec = (size_t)d * (size_t)n;
    double *Jc = b->mod_ws, *xp = Jc + (size_t)d * vec, *fp = xp + vec, *fm = fp + vec, *scratch = fm + vec, *step = scratch; /* Jc: column k at k vec */
    memcpy(xp, x, sizeof(double) * vec);
    int rc = GD_OK;
    for (int k = 0; k < d && rc == GD_OK; k++) {
        double *xk = xp + (size_t)k * n, *col = Jc + (size_t)k * vec;
        const double *x0 = x + (size_t)k * n;
        for (int i = 0; i < n; i++) step[i] = 1e-6 * fmax(1.0, fabs(x0[i])), xk[i] = x0[i] + step[i];
        rc = b->m->type->field_batch(b->m, n, b->p, xp, fp);
        for (int i = 0; i < n; i++) xk[i] = x0[i] - step[i];
        if (rc == GD_OK) rc = b->m->type->field_batch(b->m, n, b->p, xp, fm);
        for (int r = 0; r < d; r++)
            for (int i = 0; i < n; i++) col[(size_t)r * n + i] = (fp[(size_t)r * n + i] - fm[(size_t)r * n + i]) / (2 * step[i]);
        memcpy(xk, x0, sizeof(double) * (size_t)n);
    }
    if (rc == GD_OK) gd_modifier_combine(L->wrap, d, n, Jc, v, scratch);
    return rc;
}

static int batch_field(gd_lane *L, const double *x, double *v)
{
    gd_batch *b = L->owner;
    b->nfev++;
    int rc = b->m->type->field_batch(b->m, L->n, b->p, x, v);
    return rc == GD_OK && b->mod_ws ? batch_modify(b, x, v) : rc;
}

/* out_k = base_k + scale h_k v_k (h the cell's step of row k's player), clipped to [lo, hi]
 * when CLIP, on the n cells of one row; a frozen cell's out is its base. ONE and CLIP are
 * constants at each call: scale = 1 compiles to a single fused multiply-add, h v + x, which
 * scale * h * v + x under -ffast-math need not be, and unbounded rows carry no clipping. */
static inline __attribute__((always_inline)) void axpy_row(int n, double *restrict out, const double *restrict x, double scale,
                                                           const double *restrict h, const double *restrict v, const double *restrict frozen,
                                                           double lo, double hi, int ONE, int CLIP)
{
    if (!frozen) {
#pragma omp simd
        for (int i = 0; i < n; i++) {
            double xn = ONE ? x[i] + h[i] * v[i] : x[i] + scale * h[i] * v[i];
            out[i] = CLIP ? (xn < lo ? lo : xn > hi ? hi : xn) : xn;
        }
        return;
    }
#pragma omp simd
    for (int i = 0; i < n; i++) {
        double xn = ONE ? x[i] + h[i] * v[i] : x[i] + scale * h[i] * v[i];
        if (CLIP) xn = xn < lo ? lo : xn > hi ? hi : xn;
        out[i] = frozen[i] != 0 ? x[i] : xn;
    }
}

static void batch_axpy(gd_lane *L, double *out, const double *base, double scale, const double *v, int i0, int i1, int project)
{
    const gd_batch *b = L->owner;
    const size_t n = (size_t)L->n;
    for (int k = i0; k < i1; k++) {
        const double *h = k < L->ngen ? b->hg : b->hd, *fz = b->frozen;
        const double lo = project && b->m->lo ? b->m->lo[k] : -INFINITY, hi = project && b->m->hi ? b->m->hi[k] : INFINITY;
        double *o = out + k * n;
        const double *x = base + k * n, *vk = v + k * n;
        int clip = lo > -INFINITY || hi < INFINITY;
        if (scale == 1.0 && !clip) axpy_row(L->n, o, x, 1.0, h, vk, fz, lo, hi, 1, 0);
        else if (scale == 1.0) axpy_row(L->n, o, x, 1.0, h, vk, fz, lo, hi, 1, 1);
        else if (!clip) axpy_row(L->n, o, x, scale, h, vk, fz, lo, hi, 0, 0);
        else axpy_row(L->n, o, x, scale, h, vk, fz, lo, hi, 0, 1);
    }
}

static void batch_project(gd_lane *L, double *x)
{
    const gd_batch *b = L->owner;
    const int n = L->n;
    for (int k = 0; k < L->dim && b->m->lo; k++) {
        const double lo = b->m->lo[k], hi = b->m->hi[k];
        double *restrict xk = x + (size_t)k * n;
#pragma omp simd
        for (int i = 0; i < n; i++) xk[i] = xk[i] < lo ? lo : xk[i] > hi ? hi : xk[i];
    }
}

/* The model's one-pass stage where it has one, for whole steps of a sweep's cells (frozen
 * cells known); else GD_ENOTAVAIL: the lane's field then its update (gd_lane_stage). */
static int batch_stage(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1)
{
    gd_batch *b = L->owner;
    const gd_model *m = b->m;
    /* a modified field: batch_field; gradient noise: the field, then its draws, then the update */
    if (!m->type->stage_batch || !b->frozen || b->mod_ws || gd_lane_noisy(L)) return GD_ENOTAVAIL;
    int rc = m->type->stage_batch(m, L->n, b->p, at, st, b->hg, b->hd, b->frozen, i0, i1);
    if (rc != GD_ENOTAVAIL) b->nfev++;
    return rc;
}

static const gd_lane_ops batch_ops = {batch_field, batch_axpy, batch_project, batch_stage};

int gd_batch_init(gd_batch *b, const gd_stepper *st, int n)
{
    const gd_model *m = st->model;
    memset(b, 0, sizeof *b);
    b->m = m;
    gd_lane *L = &b->lane;
    *L = (gd_lane){&batch_ops, n, m->dim, m->ngen, st->opts, NULL, NULL, NULL, {NULL}, b, 0, &st->wrap, NULL, 0, {.o = &st->noise}, NULL, NULL};
    size_t vec = (size_t)m->dim * (size_t)n, nh = (size_t)st->type->history, ns = st->wrap.k > 0;
    /* one allocation: v, d, the scratch vectors, the history, lookahead's slow weights, the per-cell scratch */
    double *mem = malloc(sizeof(double) * (vec * (2 + GD_LANE_SCRATCH + nh + ns) + (size_t)GD_LANE_CELL_SCRATCH * (size_t)n));
    if (!mem) return GD_ENOMEM;
    L->v = mem;
    L->d = mem + vec;
    for (int i = 0; i < GD_LANE_SCRATCH; i++) L->w[i] = mem + vec * (size_t)(2 + i);
    L->hist = nh ? mem + vec * (2 + GD_LANE_SCRATCH) : NULL;
    L->slow = ns ? mem + vec * (2 + GD_LANE_SCRATCH + nh) : NULL;
    L->cw = mem + vec * (2 + GD_LANE_SCRATCH + nh + ns);
    /* [modifier]: the cells' Jacobian columns, three vectors for the differences, the combination's scratch */
    size_t d = (size_t)m->dim;
    if (st->wrap.mod != GD_MOD_NONE && !(b->mod_ws = malloc(sizeof(double) * (d * vec + 5 * vec + (size_t)n)))) {
        free(mem);
        L->v = NULL; /* gd_batch_release frees nothing twice */
        return GD_ENOMEM;
    }
    return GD_OK;
}

void gd_batch_release(gd_batch *b)
{
    free(b->lane.v);
    b->lane.v = NULL;
    free(b->mod_ws);
    b->mod_ws = NULL;
}

int gd_batch_available(const gd_stepper *st)
{
    const gd_model *m = st->model;
    /* [modifier] needs each cell's Jacobian (2 dim batched evaluations): small states only */
    return st->type->advance && m->type->field_batch && !m->type->project && (st->wrap.mod == GD_MOD_NONE || m->dim <= GD_MODIFIER_BATCH_DIM);
}
