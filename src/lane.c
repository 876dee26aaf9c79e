/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The operations update rules are written with (gd_impl.h, "lanes"). They only call the
 * lane's own field, axpy and projection, so one rule runs on a stepper's single state and
 * on a sweep's block of cells alike.
 */
#include "gd_impl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A buffered stage's update after its field value L->v: mom = decay mom + v and
 * d = a v + gain mom row by row (each row's player), then out = P(base + H d). */
static void buffered_update(gd_lane *L, const gd_stage *st, int i0, int i1)
{
    const size_t n = (size_t)L->n;
    for (int k = i0; k < i1; k++) {
        const int p = k >= L->ngen;
        const double keep = st->decay[p], gain = st->gain[p], a = st->a;
        const double *restrict kc = st->decay_c[p], *restrict gc = st->gain_c[p]; /* per cell, or NULL */
        double *restrict m = st->mom + (size_t)k * n, *restrict d = L->d + (size_t)k * n;
        const double *restrict v = L->v + (size_t)k * n;
        if (!kc && !gc) {
            for (size_t i = 0; i < n; i++) {
                m[i] = keep * m[i] + v[i];
                d[i] = a * v[i] + gain * m[i];
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            m[i] = (kc ? kc[i] : keep) * m[i] + v[i];
            d[i] = a * v[i] + (gc ? gc[i] : gain) * m[i];
        }
    }
    L->ops->axpy(L, st->out, st->base, 1.0, L->d, i0, i1, 1);
}

/* The stage as the lane's field, then its update through axpy (gd_impl.h). */
static int stage_parts(gd_lane *L, const double *at, const gd_stage *st, int i0, int i1)
{
    int rc = gd_lane_field(L, at, L->v);
    if (rc != GD_OK) return rc;
    const size_t n = (size_t)L->n, r0 = (size_t)i0 * n, r1 = (size_t)i1 * n;
    if (st->mom) {
        buffered_update(L, st, i0, i1);
        return GD_OK;
    }
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
    /* the model's one-pass stage knows no noise: with noise, the field then the update */
    int rc = L->ops->stage && !gd_lane_noisy(L) ? L->ops->stage(L, at, st, i0, i1) : GD_ENOTAVAIL;
    return rc == GD_ENOTAVAIL ? stage_parts(L, at, st, i0, i1) : rc;
}

/* S = the Jacobian of one buffered sub-step on rows [i0, i1) over (x, mom), N = 2 dim:
 * d mom_i = decay dmom_i + J_i dx, d x_i = dx_i + h_i (a J_i dx + gain dmom_i+). */
static void buffered_jacobian(const gd_stepper *s, const gd_stage *st, const double *J, int i0, int i1, double *S)
{
    int n = s->dim, N = 2 * n;
    for (size_t e = 0; e < (size_t)N * (size_t)N; e++) S[e] = (e % (size_t)(N + 1)) == 0;
    for (int i = i0; i < i1; i++) {
        const int p = i >= s->ngen;
        const double h = s->hv[i], keep = st->decay[p], gain = st->gain[p];
        double *xrow = S + (size_t)i * (size_t)N, *mrow = S + (size_t)(n + i) * (size_t)N;
        for (int j = 0; j < n; j++) {
            xrow[j] = (i == j) + h * (st->a + gain) * J[i * n + j];
            mrow[j] = J[i * n + j];
        }
        xrow[n + i] = h * gain * keep;
        mrow[n + i] = keep;
    }
}

/* M <- S M with S the Jacobian of the sub-step at x on rows [i0, i1): I + scale H J (st NULL)
 * or the buffered stage's; for a stepper's map Jacobian. J holds n^2 + 2 N^2 doubles. */
static int chain_substep(gd_stepper *s, const double *x, const gd_stage *st, double scale, int i0, int i1, double *M, double *J)
{
    int n = s->dim, N = st ? 2 * n : n;
    size_t NN = (size_t)N * (size_t)N;
    double *S = J + (size_t)n * (size_t)n, *T = S + NN;
    int rc = gd_stepper_jacobian(s, x, J);
    if (rc != GD_OK) return rc;
    if (st) buffered_jacobian(s, st, J, i0, i1, S);
    else gd_substep_jacobian(s, J, scale, i0, i1, S);
    gd_matmul(N, S, M, T);
    memcpy(M, T, sizeof(double) * NN);
    return GD_OK;
}

/* The sub-steps, plain (tmpl NULL: x_p += scale H F(x)) or each the buffered stage tmpl with
 * out = base = at = x and its a and gain times the sub-step's scale (M then over (x, mom)). */
static int substeps(gd_lane *L, double *x, const gd_substep *seq, int nseq, const gd_stage *tmpl, double *M)
{
    gd_stepper *s = M ? L->owner : NULL; /* a Jacobian exists only for a stepper's lane */
    int n = L->dim, N = tmpl ? 2 * n : n, rc = GD_OK;
    size_t NN = (size_t)N * (size_t)N;
    double *J = M ? malloc(sizeof(double) * ((size_t)n * (size_t)n + 2 * NN)) : NULL;
    if (M && !J) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    for (size_t i = 0; M && i < NN; i++) M[i] = (i % (size_t)(N + 1)) == 0;
    for (int q = 0; q < nseq && rc == GD_OK; q++) {
        int all = seq[q].player < 0, i0 = all || !seq[q].player ? 0 : L->ngen, i1 = all || seq[q].player ? n : L->ngen;
        gd_stage st = {.out = x, .base = x, .a = seq[q].scale};
        if (tmpl) {
            st = *tmpl;
            st.out = x, st.base = x, st.a *= seq[q].scale, st.gain[0] *= seq[q].scale, st.gain[1] *= seq[q].scale;
        }
        for (long k = 0; k < seq[q].repeat && rc == GD_OK; k++) {
            if (M && (rc = chain_substep(s, x, tmpl ? &st : NULL, seq[q].scale, i0, i1, M, J)) != GD_OK) break;
            rc = gd_lane_stage(L, x, &st, i0, i1);
        }
    }
    free(J);
    return rc;
}

int gd_lane_substeps(gd_lane *L, double *x, const gd_substep *seq, int nseq, double *M) { return substeps(L, x, seq, nseq, NULL, M); }

/* ---- heavy-ball-type rules ---- */
#define O(f) offsetof(gd_heavy_ball_opts, f)
static const char *const updates[] = {"sim", "alt", NULL};
static const char *const orders[] = {"gen_first", "disc_first", NULL};
const gd_param gd_heavy_ball_params[] = {
    {"beta", GD_P_DOUBLE, O(beta), "-0.5", "momentum, nesterov: the buffer's factor, b+ = beta b + F(x); negative allowed", -1, 1,
     GD_PF_LO_OPEN | GD_PF_HI_OPEN, NULL},
    {"beta_g", GD_P_DOUBLE, O(beta_g), "", "momentum, nesterov: beta on the generator's rows (empty: beta)", -1, 1,
     GD_PF_LO_OPEN | GD_PF_HI_OPEN | GD_PF_EMPTY, NULL},
    {"beta_d", GD_P_DOUBLE, O(beta_d), "", "momentum, nesterov: beta on the discriminator's rows (empty: beta)", -1, 1,
     GD_PF_LO_OPEN | GD_PF_HI_OPEN | GD_PF_EMPTY, NULL},
    {"update", GD_P_ENUM, O(update), "sim", "momentum, nesterov, rmsprop, adam: sim (both players from one field value) | alt (player by player: n_g, n_d, order)",
     0, 0, 0, updates},
    {"n_g", GD_P_INT, O(n_g), "1", "altgd (and update = alt): generator sub-steps per iteration", 1, 1e6, 0, NULL},
    {"n_d", GD_P_INT, O(n_d), "1", "altgd (and update = alt): discriminator sub-steps per iteration", 1, 1e6, 0, NULL},
    {"order", GD_P_ENUM, O(order), "gen_first", "altgd (and update = alt): gen_first | disc_first", 0, 0, 0, orders},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

const char *const gd_heavy_ball_history[] = {"b", NULL};

void gd_heavy_ball_betas(const gd_heavy_ball_opts *o, double beta[2])
{
    beta[0] = isnan(o->beta_g) ? o->beta : o->beta_g;
    beta[1] = isnan(o->beta_d) ? o->beta : o->beta_d;
}

/* An empty beta_g or beta_d is empty in every cell (a swept key is a number in every cell), so
 * its first cell says which column a player takes. */
void gd_heavy_ball_cell_betas(const gd_lane *L, const double *beta[2])
{
    const double *all = gd_lane_cell(L, offsetof(gd_heavy_ball_opts, beta)), *g = gd_lane_cell(L, offsetof(gd_heavy_ball_opts, beta_g)),
                 *d = gd_lane_cell(L, offsetof(gd_heavy_ball_opts, beta_d));
    beta[0] = g && !isnan(g[0]) ? g : all;
    beta[1] = d && !isnan(d[0]) ? d : all;
}

int gd_lane_heavy_ball(gd_lane *L, double *x, const gd_stage *tmpl, double *M)
{
    const gd_heavy_ball_opts *o = L->opts;
    const int first = o->order == 1; /* 1: discriminator first */
    const gd_substep sim = {-1, 1.0, 1}, alt[2] = {{first, 1.0, first ? o->n_d : o->n_g}, {!first, 1.0, first ? o->n_g : o->n_d}};
    return o->update == GD_UPDATE_SIM ? substeps(L, x, &sim, 1, tmpl, M) : substeps(L, x, alt, 2, tmpl, M);
}

int gd_heavy_ball_map_jacobian(gd_stepper *s, const double *x, const gd_stage *tmpl, double *M)
{
    double *y = s->w[0], *b = s->w[1];
    gd_stage st = *tmpl;
    memcpy(y, x, sizeof(double) * (size_t)s->dim);
    int rc = gd_stepper_field(s, x, b);
    st.mom = b;
    return rc == GD_OK ? gd_lane_heavy_ball(&s->lane, y, &st, M) : rc;
}

int gd_lane_clear_history(gd_lane *L, const double *x0)
{
    (void)x0;
    memset(L->hist, 0, sizeof(double) * (size_t)L->dim * (size_t)L->n);
    return GD_OK;
}
