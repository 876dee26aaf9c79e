/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The moment update of rmsprop and adam, written once (docs/optimizers.md). With the
 * field g = F(x) and the iteration count k:
 *   m+ = beta1 m + (1 - beta1) g        (rmsprop: no m, m+ = g)
 *   v+ = beta2 v + (1 - beta2) g^2
 *   x+ = P(x + H (m+/c1) / D(v+/c2)),   c = 1 - beta^k with bias correction, else 1,
 * elementwise, with 0/0 := 0 (eps = 0 and a zero field). freeze_v = true replaces D(v+/c2) by
 * D(v_frozen) and c1 by 1: the frozen-second-moment map, whose Jacobian eig reports.
 *
 * One loop over the lane's rows computes the moments and the direction d = mhat/D(vhat) per
 * cell; the lane's axpy then applies each cell's H and the projection (frozen sweep cells keep
 * their x). Built with -fno-math-errno (CMakeLists.txt), so that sqrt vectorises; everything
 * else is IEEE as in the other rules. On a sweep block the iteration is first offered to the
 * lane's one-pass stage (gd_adapt_stage: the Dirac-GAN computes field, moments and step per
 * cell), and options that vary per cell (L->cell) are read from the block's columns.
 */
#include "adaptive.h"

#include <stdlib.h>
#include <string.h>

const char *const gd_adaptive_bools[] = {"false", "true", NULL};
const char *const gd_adaptive_eps_modes[] = {"outside", "inside", NULL};
const char *const gd_adaptive_updates[] = {"sim", "alt", NULL};
const char *const gd_adaptive_orders[] = {"gen_first", "disc_first", NULL};

enum { KIND_OUTSIDE = GD_EPS_OUTSIDE, KIND_INSIDE = GD_EPS_INSIDE, KIND_FROZEN };

/* The per-row constants of one iteration. */
typedef struct {
    double b1, b2, eps, ic1, ic2, p; /* p: the frozen map's 1/D(v_frozen) */
} row_consts;

static double denominator(int mode, double v, double eps) { return mode == GD_EPS_INSIDE ? sqrt(v + eps) : sqrt(v) + eps; }

/* The v_frozen of player q (0 generator, 1 discriminator): its own key, else v_frozen, else
 * auto, which is 0 (no gradient noise in this version). */
static double v_frozen_of(const gd_adaptive_opts *o, int q)
{
    double own = q ? o->v_frozen_d : o->v_frozen_g;
    return !isnan(own) ? own : !isnan(o->v_frozen) ? o->v_frozen : 0.0;
}

/* 1/D(v_frozen) of both players; GD_EUSAGE when one is infinite (v = 0 with eps = 0). */
static int frozen_steps(gd_stepper *s, double p[2])
{
    const gd_adaptive_opts *o = s->opts;
    for (int q = 0; q < 2; q++) {
        double d = denominator(o->eps_mode, v_frozen_of(o, q), o->eps);
        if (!(d > 0))
            return gd_stepper_fail(s, GD_EUSAGE, "%s: the frozen second moment v = 0 with eps = 0 gives an infinite step H/D(v); set integrator.v_frozen > 0 or eps > 0",
                                   s->type->name);
        p[q] = 1.0 / d;
    }
    return GD_OK;
}

/* On a batch (a lane with per-cell scratch L->cw), the bias corrections come from running
 * powers beta^k kept as double-doubles (hi + lo), a few flops per iteration instead of pow:
 * round(hi + lo) is pow(beta, k) but at most in its last bit. Per lane: cw[CW_P1H..CW_P2L].
 * When the rule's options vary per cell (a sweep over beta1, beta2, eps, ...), cw holds n
 * values of each of these columns instead: the powers, the per-cell constants and the
 * corrections of the iteration. */
enum { CW_P1H, CW_P1L, CW_P2H, CW_P2L, CW_B1, CW_B2, CW_EPS, CW_IC1, CW_IC2, CW_PG, CW_PD, CW_COUNT };
_Static_assert(CW_COUNT <= GD_LANE_CELL_SCRATCH, "the lane's per-cell scratch holds the adaptive columns");

/* hi + lo <- (hi + lo) beta, the product's rounding error kept in lo. */
static inline void power_step(double *hi, double *lo, double b)
{
    const double h = *hi * b;
    *lo = fma(*hi, b, -h) + *lo * b;
    *hi = h;
}

/* Option f of cell i: its column where it varies per cell, else the struct's value. */
#define CELL_OPT(L, o, f, i) (gd_lane_cell(L, offsetof(gd_adaptive_opts, f)) ? gd_lane_cell(L, offsetof(gd_adaptive_opts, f))[i] : (o)->f)

/* v_frozen_of for cell i of a lane whose options vary per cell. */
static double cell_v_frozen(const gd_lane *L, int q, int i)
{
    const gd_adaptive_opts *o = L->opts;
    double own = q ? CELL_OPT(L, o, v_frozen_d, i) : CELL_OPT(L, o, v_frozen_g, i), all = CELL_OPT(L, o, v_frozen, i);
    return !isnan(own) ? own : !isnan(all) ? all : 0.0;
}

/* The per-cell columns at a start: constants, powers 1 (the steppers of the cells checked the
 * frozen steps at their setup). */
static void reset_cells(gd_lane *L)
{
    const gd_adaptive_opts *o = L->opts;
    const size_t n = (size_t)L->n;
    double *cw = L->cw;
    for (size_t i = 0; i < n; i++) {
        const double eps = CELL_OPT(L, o, eps, i);
        cw[CW_P1H * n + i] = cw[CW_P2H * n + i] = 1.0;
        cw[CW_P1L * n + i] = cw[CW_P2L * n + i] = 0.0;
        cw[CW_B1 * n + i] = CELL_OPT(L, o, beta1, i);
        cw[CW_B2 * n + i] = CELL_OPT(L, o, beta2, i);
        cw[CW_EPS * n + i] = eps;
        cw[CW_IC1 * n + i] = cw[CW_IC2 * n + i] = 1.0;
        cw[CW_PG * n + i] = o->freeze_v ? 1 / denominator(o->eps_mode, cell_v_frozen(L, 0, (int)i), eps) : 0.0;
        cw[CW_PD * n + i] = o->freeze_v ? 1 / denominator(o->eps_mode, cell_v_frozen(L, 1, (int)i), eps) : 0.0;
    }
}

void gd_adaptive_reset(gd_lane *L, double *m, double *v)
{
    const gd_adaptive_opts *o = L->opts;
    size_t len = (size_t)L->dim * (size_t)L->n, n = (size_t)L->n;
    const double *v0 = gd_lane_cell(L, offsetof(gd_adaptive_opts, v0));
    if (m) memset(m, 0, sizeof(double) * len);
    for (size_t i = 0; i < len; i++) v[i] = v0 ? v0[i % n] : o->v0;
    if (L->cell) reset_cells(L);
    else if (L->cw) L->cw[CW_P1H] = L->cw[CW_P2H] = 1.0, L->cw[CW_P1L] = L->cw[CW_P2L] = 0.0;
}

/* One row of n cells: the moments in place and the direction d. HAS_M and KIND are constants
 * at each call, so every variant is a branch-free loop. d = num / (den + [num == 0]) is
 * num / den, except 0 for num = 0 (also when den = 0: the 0/0 := 0 of eps = 0). */
static inline __attribute__((always_inline)) void moment_row(int n, const double *restrict g, double *restrict m, double *restrict v,
                                                             double *restrict d, const row_consts *c, int HAS_M, int KIND)
{
    const double b1 = c->b1, a1 = 1 - c->b1, b2 = c->b2, a2 = 1 - c->b2, eps = c->eps, ic1 = c->ic1, ic2 = c->ic2, p = c->p;
    for (int i = 0; i < n; i++) {
        const double gi = g[i], mi = HAS_M ? b1 * m[i] + a1 * gi : gi, vi = b2 * v[i] + a2 * gi * gi;
        if (HAS_M) m[i] = mi;
        v[i] = vi;
        if (KIND == KIND_FROZEN) {
            d[i] = mi * p;
        } else {
            const double num = mi * ic1, den = KIND == KIND_INSIDE ? sqrt(vi * ic2 + eps) : sqrt(vi * ic2) + eps;
            d[i] = num / (den + (double)(num == 0.0));
        }
    }
}

/* moment_row with the constants of each cell (columns of L->cw; p: the row's player's). */
static inline __attribute__((always_inline)) void moment_row_cells(int n, const double *restrict g, double *restrict m, double *restrict v,
                                                                   double *restrict d, const double *restrict cw, const double *restrict p,
                                                                   int HAS_M, int KIND)
{
    const double *restrict B1 = cw + CW_B1 * n, *restrict B2 = cw + CW_B2 * n, *restrict E = cw + CW_EPS * n;
    const double *restrict I1 = cw + CW_IC1 * n, *restrict I2 = cw + CW_IC2 * n;
    for (int i = 0; i < n; i++) {
        const double b1 = B1[i], a1 = 1 - B1[i], b2 = B2[i], a2 = 1 - B2[i], eps = E[i];
        const double gi = g[i], mi = HAS_M ? b1 * m[i] + a1 * gi : gi, vi = b2 * v[i] + a2 * gi * gi;
        if (HAS_M) m[i] = mi;
        v[i] = vi;
        if (KIND == KIND_FROZEN) {
            d[i] = mi * p[i];
        } else {
            const double num = mi * I1[i], den = KIND == KIND_INSIDE ? sqrt(vi * I2[i] + eps) : sqrt(vi * I2[i]) + eps;
            d[i] = num / (den + (double)(num == 0.0));
        }
    }
}

static void moments_cells(int n, const double *g, double *m, double *v, double *d, const double *cw, const double *p, int kind)
{
    if (m && kind == KIND_OUTSIDE) moment_row_cells(n, g, m, v, d, cw, p, 1, KIND_OUTSIDE);
    else if (m && kind == KIND_INSIDE) moment_row_cells(n, g, m, v, d, cw, p, 1, KIND_INSIDE);
    else if (m) moment_row_cells(n, g, m, v, d, cw, p, 1, KIND_FROZEN);
    else if (kind == KIND_OUTSIDE) moment_row_cells(n, g, m, v, d, cw, p, 0, KIND_OUTSIDE);
    else if (kind == KIND_INSIDE) moment_row_cells(n, g, m, v, d, cw, p, 0, KIND_INSIDE);
    else moment_row_cells(n, g, m, v, d, cw, p, 0, KIND_FROZEN);
}

static void moments(int n, const double *g, double *m, double *v, double *d, const row_consts *c, int kind)
{
    if (m && kind == KIND_OUTSIDE) moment_row(n, g, m, v, d, c, 1, KIND_OUTSIDE);
    else if (m && kind == KIND_INSIDE) moment_row(n, g, m, v, d, c, 1, KIND_INSIDE);
    else if (m) moment_row(n, g, m, v, d, c, 1, KIND_FROZEN);
    else if (kind == KIND_OUTSIDE) moment_row(n, g, m, v, d, c, 0, KIND_OUTSIDE);
    else if (kind == KIND_INSIDE) moment_row(n, g, m, v, d, c, 0, KIND_INSIDE);
    else moment_row(n, g, m, v, d, c, 0, KIND_FROZEN);
}

/* From the field in L->v: the moments of rows [i0, i1) and their x+ = P(x + H d). The constants
 * are c's (its p set here per player), or with options per cell (L->cell) the columns of L->cw,
 * whose corrections the caller has set for this count. */
static void step_rows(gd_lane *L, double *x, double *m, double *v, int i0, int i1, row_consts *c, int kind)
{
    const gd_adaptive_opts *o = L->opts;
    const size_t n = (size_t)L->n;
    /* the frozen steps are finite: gd_adaptive_init checked them */
    const double pg = !L->cell && kind == KIND_FROZEN ? 1 / denominator(o->eps_mode, v_frozen_of(o, 0), o->eps) : 0;
    const double pd = !L->cell && kind == KIND_FROZEN ? 1 / denominator(o->eps_mode, v_frozen_of(o, 1), o->eps) : 0;
    for (int r = i0; r < i1; r++) {
        double *mr = m ? m + r * n : NULL, *vr = v + r * n, *dr = L->d + r * n;
        const double *g = L->v + r * n;
        if (L->cell) {
            moments_cells(L->n, g, mr, vr, dr, L->cw, L->cw + (r < L->ngen ? CW_PG : CW_PD) * n, kind);
        } else {
            c->p = r < L->ngen ? pg : pd;
            moments(L->n, g, mr, vr, dr, c, kind);
        }
    }
    L->ops->axpy(L, x, x, 1.0, L->d, i0, i1, 1);
}

/* One iteration on a batch whose options vary per cell: the powers and corrections of every
 * cell, then the moments as moment_row does with each cell's constants. */
static int advance_cells(gd_lane *L, double *x, double *m, double *v)
{
    const gd_adaptive_opts *o = L->opts;
    int rc = gd_lane_field(L, x, L->v);
    if (rc != GD_OK) return rc;
    L->iter++;
    const int frozen = o->freeze_v, kind = frozen ? KIND_FROZEN : o->eps_mode;
    const int n = L->n;
    double *cw = L->cw;
    for (int i = 0; o->bias_correction && !frozen && i < n; i++) {
        power_step(&cw[CW_P1H * n + i], &cw[CW_P1L * n + i], cw[CW_B1 * n + i]);
        power_step(&cw[CW_P2H * n + i], &cw[CW_P2L * n + i], cw[CW_B2 * n + i]);
        cw[CW_IC1 * n + i] = 1 / (1 - (cw[CW_P1H * n + i] + cw[CW_P1L * n + i]));
        cw[CW_IC2 * n + i] = 1 / (1 - (cw[CW_P2H * n + i] + cw[CW_P2L * n + i]));
    }
    step_rows(L, x, m, v, 0, L->dim, NULL, kind);
    return GD_OK;
}

/* 1 / (1 - beta^k) of the lane's iteration k: pow on a stepper, the running powers on a batch. */
static double correction(gd_lane *L, int which, double beta, long k)
{
    if (!L->cw) return 1 / (1 - pow(beta, (double)k));
    double *hi = L->cw + (which ? CW_P2H : CW_P1H), *lo = L->cw + (which ? CW_P2L : CW_P1L);
    power_step(hi, lo, beta);
    return 1 / (1 - (*hi + *lo));
}

/* The iteration as one pass of the lane's own stage (a sweep block of a model that fuses the
 * field with the update: the Dirac-GAN), or GD_ENOTAVAIL. */
static int fused(gd_lane *L, double *x, double *m, double *v, const row_consts *c, int kind)
{
    if (!L->ops->stage || kind == KIND_FROZEN) return GD_ENOTAVAIL;
    const double in = kind == KIND_INSIDE ? c->eps : 0.0, out = kind == KIND_INSIDE ? 0.0 : c->eps;
    const gd_adapt_stage a = {m, v, c->b1, 1 - c->b1, c->b2, 1 - c->b2, c->ic1, c->ic2, in, out};
    const gd_stage st = {.out = x, .base = x, .a = 1.0, .ada = &a};
    return L->ops->stage(L, x, &st, 0, L->dim);
}

/* update = sim: one step of every row, offered first to the lane's one-pass stage. */
static int sim_advance(gd_lane *L, double *x, double *m, double *v)
{
    const gd_adaptive_opts *o = L->opts;
    if (L->cell) return advance_cells(L, x, m, v);
    const long k = L->iter + 1;
    const int frozen = o->freeze_v, kind = frozen ? KIND_FROZEN : o->eps_mode, bias = o->bias_correction && !frozen;
    row_consts c = {o->beta1, o->beta2, o->eps, bias ? correction(L, 0, o->beta1, k) : 1.0, bias ? correction(L, 1, o->beta2, k) : 1.0, 0};
    int rc = fused(L, x, m, v, &c, kind);
    if (rc != GD_ENOTAVAIL) {
        L->iter = k;
        return rc;
    }
    if ((rc = gd_lane_field(L, x, L->v)) != GD_OK) return rc;
    L->iter = k;
    step_rows(L, x, m, v, 0, L->dim, &c, kind);
    return GD_OK;
}

/* One (sub-)step on rows [i0, i1) with the moments' count k (bias correction): g = F(x), the
 * moments of those rows, their x+ = P(x + H mhat / D(vhat)); FROZEN: the frozen map's step. */
static int substep(gd_lane *L, double *x, double *m, double *v, int i0, int i1, long k, int frozen)
{
    const gd_adaptive_opts *o = L->opts;
    int rc = gd_lane_field(L, x, L->v);
    if (rc != GD_OK) return rc;
    const int kind = frozen ? KIND_FROZEN : o->eps_mode, bias = o->bias_correction && !frozen;
    const size_t n = (size_t)L->n;
    row_consts c = {o->beta1, o->beta2, o->eps, 1.0, 1.0, 0};
    if (L->cell) { /* options per cell: each cell's corrections for this count */
        for (size_t i = 0; bias && i < n; i++) {
            L->cw[CW_IC1 * n + i] = 1 / (1 - pow(L->cw[CW_B1 * n + i], (double)k));
            L->cw[CW_IC2 * n + i] = 1 / (1 - pow(L->cw[CW_B2 * n + i], (double)k));
        }
    } else if (bias) {
        c.ic1 = 1 / (1 - pow(o->beta1, (double)k)), c.ic2 = 1 / (1 - pow(o->beta2, (double)k));
    }
    step_rows(L, x, m, v, i0, i1, &c, kind);
    return GD_OK;
}

/* The sub-steps of one iteration: {player (-1 both), repeat} in order; alt as altgd's. */
typedef struct { int player; long repeat; } phase;
static int phases(const gd_adaptive_opts *o, phase out[2])
{
    if (o->update != GD_UPDATE_ALT) return out[0] = (phase){-1, 1}, 1;
    const int first = o->order == 1;
    out[0] = (phase){first, first ? o->n_d : o->n_g}, out[1] = (phase){!first, first ? o->n_g : o->n_d};
    return 2;
}

static void rows_of(const gd_lane *L, int player, int *i0, int *i1)
{
    *i0 = player == 1 ? L->ngen : 0;
    *i1 = player == 0 ? L->ngen : L->dim;
}

/* Each player's moments count its own updates (as each player's optimizer counts its steps):
 * in iteration k, sub-step j of a player with r sub-steps per iteration is its (k - 1) r + j-th. */
int gd_adaptive_advance(gd_lane *L, double *x, double *m, double *v)
{
    const gd_adaptive_opts *o = L->opts;
    if (o->update != GD_UPDATE_ALT) return sim_advance(L, x, m, v);
    const long k = ++L->iter;
    phase ph[2];
    int np = phases(o, ph), rc = GD_OK;
    for (int q = 0; q < np && rc == GD_OK; q++) {
        int i0, i1;
        rows_of(L, ph[q].player, &i0, &i1);
        for (long j = 1; j <= ph[q].repeat && rc == GD_OK; j++) rc = substep(L, x, m, v, i0, i1, (k - 1) * ph[q].repeat + j, o->freeze_v);
    }
    return rc;
}

int gd_adaptive_init(gd_stepper *s)
{
    double p[2];
    return ((const gd_adaptive_opts *)s->opts)->freeze_v ? frozen_steps(s, p) : GD_OK;
}

/* The Jacobian S (N x N, N = 3n with m, else 2n) of one frozen sub-step on rows [i0, i1) at a
 * state with field g and Jacobian J, on (x, m, v) with P = diag(1/D(v_frozen)), beta1 = 0 without m:
 *   x+ = x + H P (beta1 m + (1 - beta1) g), m+ = beta1 m + (1 - beta1) g, v+ = beta2 v + (1 - beta2) g^2
 * on those rows, the others held: rows i of S are
 *   [[I + (1 - beta1) H P J, beta1 H P, 0], [(1 - beta1) J, beta1 I, 0], [2 (1 - beta2) diag(g) J, 0, beta2 I]],
 * the identity elsewhere; at a fixed point (g = 0) the v block decouples. */
static void substep_jacobian(const gd_stepper *s, const double *J, const double *g, const double p[2], int i0, int i1, int has_m, double *S)
{
    const gd_adaptive_opts *o = s->opts;
    const int n = s->dim, nm = n * (2 + has_m), iv = n * (1 + has_m);
    const double b1 = has_m ? o->beta1 : 0, b2 = o->beta2;
    memset(S, 0, sizeof(double) * (size_t)nm * (size_t)nm);
    for (int i = 0; i < nm; i++) S[(size_t)i * nm + i] = 1;
    for (int i = i0; i < i1; i++) {
        const double hp = s->hv[i] * p[i >= s->ngen];
        for (int j = 0; j < n; j++) {
            const double Jij = J[(size_t)i * n + j];
            S[(size_t)i * nm + j] = (i == j) + (1 - b1) * hp * Jij;
            S[(size_t)(iv + i) * nm + j] = 2 * (1 - b2) * g[i] * Jij;
            if (has_m) S[(size_t)(n + i) * nm + j] = (1 - b1) * Jij;
        }
        if (has_m) {
            S[(size_t)i * nm + n + i] = b1 * hp;
            S[(size_t)(n + i) * nm + n + i] = b1;
        }
        S[(size_t)(iv + i) * nm + iv + i] = b2;
    }
}

/* sim: one sub-step on every row. alt: M = S_last ... S_first, each at its own state, the states
 * advanced by the frozen sub-steps from (x, m = F(x), v = F(x)) on a copy. */
int gd_adaptive_map_jacobian(gd_stepper *s, const double *x, double *M, int has_m)
{
    const gd_adaptive_opts *o = s->opts;
    const int n = s->dim, nm = n * (2 + has_m);
    const size_t NN = (size_t)nm * (size_t)nm;
    double p[2];
    phase ph[2];
    int np = phases(o, ph), rc = frozen_steps(s, p), chain = np > 1 || ph[0].repeat > 1;
    if (rc != GD_OK) return rc;
    double *J = malloc(sizeof(double) * ((size_t)n * (size_t)n + 4 * (size_t)n + (chain ? 2 * NN : 0)));
    if (!J) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    double *g = J + (size_t)n * (size_t)n, *y = g + n, *m = y + n, *v = m + n, *S = chain ? v + n : M, *T = S + NN;
    memcpy(y, x, sizeof(double) * (size_t)n);
    if ((rc = gd_stepper_field(s, x, m)) == GD_OK) memcpy(v, m, sizeof(double) * (size_t)n);
    for (int q = 0, first = 1; q < np && rc == GD_OK; q++) {
        int i0, i1;
        rows_of(&s->lane, ph[q].player, &i0, &i1);
        for (long j = 0; j < ph[q].repeat && rc == GD_OK; j++, first = 0) {
            if ((rc = gd_stepper_jacobian(s, y, J)) != GD_OK || (rc = gd_stepper_field(s, y, g)) != GD_OK) break;
            substep_jacobian(s, J, g, p, i0, i1, has_m, S);
            if (!chain) break;
            if (first) memcpy(M, S, sizeof(double) * NN);
            else gd_matmul(nm, S, M, T), memcpy(M, T, sizeof(double) * NN);
            rc = substep(&s->lane, y, has_m ? m : NULL, v, i0, i1, 1, 1);
        }
    }
    free(J);
    return rc;
}

/* The linearisation at v = 0 holds while one step's (1 - beta2) g^2 leaves D(v) at eps:
 * |g| <~ eps / sqrt(1 - beta2) (outside), sqrt(eps / (1 - beta2)) (inside). */
int gd_adaptive_map_frozen(gd_stepper *s, double *v, double *radius)
{
    const gd_adaptive_opts *o = s->opts;
    for (int i = 0; i < s->dim; i++) v[i] = v_frozen_of(o, i >= s->ngen);
    *radius = o->eps_mode == GD_EPS_INSIDE ? sqrt(o->eps / (1 - o->beta2)) : o->eps / sqrt(1 - o->beta2);
    return GD_OK;
}
