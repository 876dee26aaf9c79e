/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The torus field on a block of sweep cells (structure of arrays), two angles only.
 * Compiled with -ffast-math (like dirac_batch.c) so that sin and cos vectorise through
 * glibc's libmvec and exp is gd_exp_inline. Each cell runs the same arithmetic as torus.c's
 * scalar field, in the same order:
 *  - flow = truncated: the direct sum of F_N's gradient over l = 0..N, k = -N..N with the
 *    masked coefficients, cos k theta and sin k theta by the same recurrence, on chunks of
 *    CHUNK cells whose partial sums stay in vector registers; only the speeds vary per cell
 *    (the coefficients come from the set-up's FFT).
 *  - flow = real: product, damped, mode, poisson and rexp from their closed-form gradients,
 *    with the objective's scalar parameters per cell where they leave the equilibrium in
 *    place (rexp's kappa and delta move it, so they do not vary).
 * More than two angles go cell by cell.
 */
#include "gd_impl.h"
#include "gd_fastmath.h"
#include "torus.h"

#include <math.h>
#include <stdlib.h>

/* Rows of the per-cell parameters. */
enum { P_ETA_G, P_ETA_D, P_S, P_EPS_G, P_EPS_D, P_R, P_RHO, P_BETA, P_COUNT };
const char *const gd_torus_batch_params[] = {"eta_g", "eta_d", "s", "eps_g", "eps_d", "r", "rho", "beta", NULL};

/* The truncated flow's coefficients are the set-up's: only the speeds vary per cell. */
int gd_torus_batch_varies(const gd_model *m, int j)
{
    return j <= P_ETA_D || ((const torus_opts *)m->opts)->flow == FLOW_REAL;
}

/* Cells per chunk: two or four vectors. The gradient runs on chunks so that the sums over
 * nodes and modes keep their partial sums in registers, and sin and cos get rows of their own. */
enum { CHUNK = 16 };

/* Row j of the per-cell parameters on cells [i0, i0 + CHUNK) (p NULL: the model's value
 * own), the tail padded with the block's last cell. */
static void load_chunk(const double *row, int n, int i0, double own, double *restrict out)
{
    for (int i = 0; i < CHUNK; i++) out[i] = row ? row[i0 + i < n ? i0 + i : n - 1] : own;
}

/* ------------------------------------------------------------------ real flow ---- */

/* product, damped: s sin theta sin phi + eps_g cos theta + eps_d cos phi (an unset eps per
 * cell is the objective's default). */
static void product_chunk(const torus_opts *o, const double *th, const double *ph, const double *s, double *eg, double *ed, double *g0,
                          double *g1)
{
    const double dg = torus_eps_default(o->objective, 0), dd = torus_eps_default(o->objective, 1);
    double st[CHUNK], ct[CHUNK], sp[CHUNK], cp[CHUNK];
    gd_sincos_row(CHUNK, th, st, ct);
    gd_sincos_row(CHUNK, ph, sp, cp);
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) {
        g0[i] = s[i] * ct[i] * sp[i] - gd_unset_or(eg[i], dg) * st[i];
        g1[i] = s[i] * cp[i] * st[i] - gd_unset_or(ed[i], dd) * sp[i];
    }
}

/* mode: cos(alpha theta + beta_mode phi). */
static void mode_chunk(const torus_opts *o, const double *th, const double *ph, double *g0, double *g1)
{
    const double a = o->alpha, b = o->beta_mode;
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) {
        double sn = sin(a * th[i] + b * ph[i]);
        g0[i] = -a * sn, g1[i] = -b * sn;
    }
}

/* poisson: (1 - r^2)/(1 - 2r cos(theta - phi) + r^2). */
static void poisson_chunk(const double *th, const double *ph, const double *r, double *g0, double *g1)
{
    double u[CHUNK], su[CHUNK], cu[CHUNK];
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) u[i] = th[i] - ph[i];
    gd_sincos_row(CHUNK, u, su, cu);
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) {
        double d = 1 - 2 * r[i] * cu[i] + r[i] * r[i], dF = -(1 - r[i] * r[i]) * 2 * r[i] * su[i] / (d * d);
        g0[i] = dF, g1[i] = -dF;
    }
}

/* sigma(y) = 1/(1 + e^-y) as torus.c's sigmoid writes it (e^y/(1 + e^y) for y < 0), e^-|y|
 * clamped above e^-708 (below it the weights of the sums are far under their rounding). */
static inline __attribute__((always_inline)) double sigmoid(double y)
{
    double t = gd_exp_inline(fmax(-fabs(y), -708.0));
    return (y >= 0 ? 1.0 : t) / (1 + t);
}

/* rexp (torus.md 2.2): the Gauss-Laguerre sums with the nodes outermost. */
static void rexp_chunk(const torus_opts *o, const torus_priv *tp, const double *th, const double *ph, const double *rho, const double *beta,
                       double *g0, double *g1)
{
    double st[CHUNK], ct[CHUNK], sp[CHUNK], cp[CHUNK], A[CHUNK], g[CHUNK], ew[CHUNK], ez[CHUNK], ezz[CHUNK];
    gd_sincos_row(CHUNK, th, st, ct);
    gd_sincos_row(CHUNK, ph, sp, cp);
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) {
        A[i] = rho[i] * sp[i], g[i] = exp(o->kappa * st[i] - o->delta);
        ew[i] = ez[i] = ezz[i] = 0;
    }
    for (int q = 0; q < tp->nq; q++) {
        const double x = tp->qx[q], w = tp->qw[q];
#pragma omp simd
        for (int i = 0; i < CHUNK; i++) {
            double uw = 1 - beta[i] * x, uz = 1 - beta[i] * g[i] * x, sz = sigmoid(A[i] * uz);
            ew[i] += w * sigmoid(-A[i] * uw) * uw;
            ez[i] += w * sz * uz;
            ezz[i] += w * sz * x;
        }
    }
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) {
        g0[i] = A[i] * beta[i] * o->kappa * ct[i] * g[i] * ezz[i];
        g1[i] = rho[i] * cp[i] * (ew[i] - ez[i]);
    }
}

/* ------------------------------------------------------------- truncated flow ---- */

/* The gradient of F_N, as torus.c's series: G_l(theta) = sum_k c_kl e^{ik theta} and k G_l
 * per l, turned by w_l e^{il phi}. kc, ks: (N + 1) CHUNK scratch each. */
static void series_chunk(const torus_priv *tp, const double *th, const double *ph, double *restrict kc, double *restrict ks, double *g0,
                         double *g1)
{
    const int N = tp->N, nk = 2 * N + 1;
    double c1[CHUNK], s1[CHUNK], cp[CHUNK], sp[CHUNK], ec[CHUNK], es[CHUNK], t1[CHUNK], p1[CHUNK];
    gd_sincos_row(CHUNK, th, s1, c1);
    gd_sincos_row(CHUNK, ph, sp, cp);
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) ec[i] = 1, es[i] = 0, t1[i] = p1[i] = 0, kc[i] = 1, ks[i] = 0;
    for (int k = 1; k <= N; k++) { /* cos k theta, sin k theta; negative k by symmetry */
        double *restrict c = kc + k * CHUNK, *restrict s = ks + k * CHUNK;
        const double *cm = c - CHUNK, *sm = s - CHUNK;
#pragma omp simd
        for (int i = 0; i < CHUNK; i++) c[i] = cm[i] * c1[i] - sm[i] * s1[i], s[i] = sm[i] * c1[i] + cm[i] * s1[i];
    }
    for (int l = 0; l <= N; l++) {
        const double *cr = tp->cr + (size_t)l * nk + N, *ci = tp->ci + (size_t)l * nk + N; /* indexed by k */
        double g0r[CHUNK] = {0}, g0i[CHUNK] = {0}, g1r[CHUNK] = {0}, g1i[CHUNK] = {0};
        for (int k = -N; k <= N; k++) {
            const double a = cr[k], b = ci[k], kd = k, sg = k < 0 ? -1.0 : 1.0;
            if (a == 0 && b == 0) continue; /* masked out: adds exact zeros */
            const double *C = kc + abs(k) * CHUNK, *S = ks + abs(k) * CHUNK;
#pragma omp simd
            for (int i = 0; i < CHUNK; i++) {
                double s = sg * S[i], tr = a * C[i] - b * s, ti = a * s + b * C[i];
                g0r[i] += tr, g0i[i] += ti, g1r[i] += kd * tr, g1i[i] += kd * ti;
            }
        }
        const double w = l ? 2 : 1, ld = l;
#pragma omp simd
        for (int i = 0; i < CHUNK; i++) {
            double er = w * ec[i], ei = w * es[i];
            t1[i] += g1r[i] * ei + g1i[i] * er;
            p1[i] += ld * (g0r[i] * ei + g0i[i] * er);
            double e = ec[i] * cp[i] - es[i] * sp[i];
            es[i] = es[i] * cp[i] + ec[i] * sp[i], ec[i] = e;
        }
    }
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) g0[i] = -t1[i], g1[i] = -p1[i];
}

/* ---------------------------------------------------------------- the block ---- */

/* The gradient on one chunk for the model's flow and objective; par holds the chunk's
 * per-cell parameters by row. */
static void gradient_chunk(const gd_model *m, double (*par)[CHUNK], const double *th, const double *ph, double *scratch, double *g0, double *g1)
{
    const torus_opts *o = m->opts;
    const torus_priv *tp = m->priv;
    if (o->flow == FLOW_TRUNCATED) series_chunk(tp, th, ph, scratch, scratch + CHUNK * (tp->N + 1), g0, g1);
    else if (o->objective == OBJ_MODE) mode_chunk(o, th, ph, g0, g1);
    else if (o->objective == OBJ_POISSON) poisson_chunk(th, ph, par[P_R], g0, g1);
    else if (o->objective == OBJ_REXP) rexp_chunk(o, tp, th, ph, par[P_RHO], par[P_BETA], g0, g1);
    else product_chunk(o, th, ph, par[P_S], par[P_EPS_G], par[P_EPS_D], g0, g1);
}

int gd_torus_field_batch(const gd_model *m, int n, const double *restrict p, const double *restrict x, double *restrict v)
{
    const torus_opts *o = m->opts;
    if (m->dim != 2 || (o->flow == FLOW_REAL && o->objective == OBJ_GRID)) return GD_ENOTAVAIL;
    const double own[P_COUNT] = {o->eta_g, o->eta_d, o->s, o->eps_g, o->eps_d, o->r, o->rho, o->beta};
    const int N = ((const torus_priv *)m->priv)->N;
    double *scratch = NULL;
    if (o->flow == FLOW_TRUNCATED && !(scratch = malloc(sizeof(double) * 2 * CHUNK * (size_t)(N + 1)))) return GD_ENOMEM;
    for (int i0 = 0; i0 < n; i0 += CHUNK) {
        double th[CHUNK], ph[CHUNK], par[P_COUNT][CHUNK], g0[CHUNK], g1[CHUNK];
        load_chunk(x, n, i0, 0, th), load_chunk(x + n, n, i0, 0, ph);
        for (int j = 0; j < P_COUNT; j++) load_chunk(p ? p + (size_t)j * n : NULL, n, i0, own[j], par[j]);
        gradient_chunk(m, par, th, ph, scratch, g0, g1);
        for (int i = 0; i < CHUNK && i0 + i < n; i++) {
            v[i0 + i] = -par[P_ETA_G][i] * g0[i];
            v[n + i0 + i] = par[P_ETA_D][i] * g1[i];
        }
    }
    free(scratch);
    return GD_OK;
}
