/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The operations update rules are written with (gd_impl.h, "lanes"). They only call the
 * lane's own field, axpy and projection, so one rule runs on a stepper's single state and
 * on a sweep's block of cells alike.
 */
#include "gd_impl.h"

#include <stdlib.h>
#include <string.h>

/* The stage as the lane's field, then its update through axpy (gd_impl.h). */
static int stage_parts(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1)
{
    int rc = L->ops->field(L, at, L->v);
    if (rc != GD_OK) return rc;
    const size_t n = (size_t)L->n, r0 = (size_t)i0 * n, r1 = (size_t)i1 * n;
    if (st->acc) L->ops->axpy(L, st->acc, st->acc_from_base ? st->base : st->acc, st->c, L->v, i0, i1, 0);
    if (st->w) {
        for (size_t i = r0; i < r1; i++) L->d[i] = st->a * L->v[i] + st->b * st->w[i];
        L->ops->axpy(L, st->out, st->base, 1.0, L->d, i0, i1, 1);
        if (st->renew_w) memcpy(st->w + r0, L->v + r0, sizeof(double) * (r1 - r0));
    } else {
        L->ops->axpy(L, st->out, st->base, st->a, L->v, i0, i1, 1);
    }
    return GD_OK;
}

int gd_lane_stage(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1)
{
    int rc = L->ops->stage ? L->ops->stage(L, at, st, i0, i1) : GD_ENOTAVAIL;
    return rc == GD_ENOTAVAIL ? stage_parts(L, at, st, i0, i1) : rc;
}

/* M <- (I + scale H J(x) on rows [i0, i1)) M, for the map Jacobian of a stepper's sub-step. */
static int chain_substep(gd_stepper *s, const double *x, double scale, int i0, int i1, double *M, double *J)
{
    int n = s->dim;
    size_t nn = (size_t)n * (size_t)n;
    double *S = J + nn, *T = J + 2 * nn;
    int rc = gd_model_jacobian_ws(s->model, s->ws, x, J);
    if (rc != GD_OK) return rc;
    gd_substep_jacobian(s, J, scale, i0, i1, S);
    gd_matmul(n, S, M, T);
    memcpy(M, T, sizeof(double) * nn);
    return GD_OK;
}

int gd_lane_substeps(gd_lane *L, double *x, const gd_substep *seq, int nseq, double *M)
{
    gd_stepper *s = M ? L->owner : NULL; /* a Jacobian exists only for a stepper's lane */
    int n = L->dim, rc = GD_OK;
    size_t nn = (size_t)n * (size_t)n;
    double *J = M ? malloc(sizeof(double) * 3 * nn) : NULL;
    if (M && !J) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    for (size_t i = 0; M && i < nn; i++) M[i] = (i % (size_t)(n + 1)) == 0;
    for (int q = 0; q < nseq && rc == GD_OK; q++) {
        int i0 = seq[q].player ? L->ngen : 0, i1 = seq[q].player ? n : L->ngen;
        for (long k = 0; k < seq[q].repeat && rc == GD_OK; k++) {
            if (M && (rc = chain_substep(s, x, seq[q].scale, i0, i1, M, J)) != GD_OK) break;
            rc = gd_lane_euler(L, x, x, x, seq[q].scale, i0, i1);
        }
    }
    free(J);
    return rc;
}
