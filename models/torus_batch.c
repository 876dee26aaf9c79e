/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The torus field on a block of sweep cells (structure of arrays), two angles only.
 * Compiled with -ffast-math (like dirac_batch.c) so that sin and cos vectorise through
 * glibc's libmvec and exp is gd_exp_fast_inrange. Each cell runs the arithmetic of torus.c's
 * scalar field (agreeing to rounding, 1e-15 of the field's size in test_torus):
 *  - flow = truncated: the direct sum of F_N's gradient over l = 0..N, k = -N..N with the
 *    masked coefficients, cos k theta and sin k theta by the same recurrence, the terms of
 *    k and -k combined, on chunks of CHUNK cells whose partial sums stay in vector
 *    registers; only the speeds vary per cell (the coefficients come from the set-up's FFT).
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

/* Cells per chunk: one AVX-512 vector (two or four narrower ones). The gradient runs on
 * chunks so that the sums over nodes and modes keep their partial sums in registers, and
 * sin and cos get rows of their own; 16 and 32 measured slower on the truncated sum. */
enum { CHUNK = 8 };

/* A row of the block (a coordinate, or a per-cell parameter) on cells [i0, i0 + CHUNK), the
 * tail padded with the block's last cell; row NULL: the model's value own in every cell. */
static void load_chunk(const double *row, int n, int i0, double own, double *restrict out)
{
    for (int i = 0; i < CHUNK; i++) out[i] = row ? row[i0 + i < n ? i0 + i : n - 1] : own;
}

/* ------------------------------------------------------------------ real flow ---- */

/* product, damped: s sin theta sin phi + eps_g cos theta + eps_d cos phi (an unset eps per
 * cell is the objective's default). */
static void product_chunk(const torus_opts *o, const double *th, const double *ph, const double *s, const double *eg, const double *ed, double *g0,
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
    double t = gd_exp_fast_inrange(fmax(-fabs(y), -708.0));
    return (y >= 0 ? 1.0 : t) / (1 + t);
}

/* rexp (docs/models/torus.md, the R-Exp objective): the Gauss-Laguerre sums with the nodes outermost. */
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

/* The masked coefficients of each l with those of k and -k combined, since cos(-k theta) =
 * cos k theta and sin(-k theta) = -sin k theta: per (l, k >= 0) the eight factors of
 * C = cos k theta and S = sin k theta in G_l and k G_l (k = 0 once). Zero for masked
 * terms, which the sum skips. */
enum { AP, BM, AM, BP, KAM, KBP, KAP, KBM, NFAC };

static void pair_coefficients(const torus_priv *tp, double *restrict f)
{
    const int N = tp->N, nk = 2 * N + 1;
    for (int l = 0; l <= N; l++) {
        const double *cr = tp->cr + (size_t)l * nk + N, *ci = tp->ci + (size_t)l * nk + N; /* indexed by k */
        for (int k = 0; k <= N; k++) {
            double *c = f + ((size_t)l * (N + 1) + k) * NFAC, kd = k;
            double ap = k ? cr[k] + cr[-k] : cr[0], am = k ? cr[k] - cr[-k] : 0, bp = k ? ci[k] + ci[-k] : ci[0], bm = k ? ci[k] - ci[-k] : 0;
            c[AP] = ap, c[BM] = bm, c[AM] = am, c[BP] = bp;
            c[KAM] = kd * am, c[KBP] = kd * bp, c[KAP] = kd * ap, c[KBM] = kd * bm;
        }
    }
}

/* The gradient of F_N (torus.c's series): G_l(theta) = sum_k c_kl e^{ik theta} and k G_l
 * per l, turned by w_l e^{il phi}, w_l = 2 for l > 0. f: pair_coefficients; kc, ks:
 * (N + 1) CHUNK scratch each. */
static void series_chunk(int N, const double *restrict f, const double *th, const double *ph, double *restrict kc, double *restrict ks,
                         double *g0, double *g1)
{
    double c1[CHUNK], s1[CHUNK], cp[CHUNK], sp[CHUNK], ec[CHUNK], es[CHUNK], t1[CHUNK], p1[CHUNK];
    gd_sincos_row(CHUNK, th, s1, c1);
    gd_sincos_row(CHUNK, ph, sp, cp);
#pragma omp simd
    for (int i = 0; i < CHUNK; i++) ec[i] = 1, es[i] = 0, t1[i] = p1[i] = 0, kc[i] = 1, ks[i] = 0;
    for (int k = 1; k <= N; k++) { /* cos k theta, sin k theta by the angle-sum recurrence */
        double *restrict c = kc + k * CHUNK, *restrict s = ks + k * CHUNK;
        const double *cm = c - CHUNK, *sm = s - CHUNK;
#pragma omp simd
        for (int i = 0; i < CHUNK; i++) c[i] = cm[i] * c1[i] - sm[i] * s1[i], s[i] = sm[i] * c1[i] + cm[i] * s1[i];
    }
    for (int l = 0; l <= N; l++) {
        double g0r[CHUNK] = {0}, g0i[CHUNK] = {0}, g1r[CHUNK] = {0}, g1i[CHUNK] = {0};
        for (int k = 0; k <= N; k++) {
            const double *a = f + ((size_t)l * (N + 1) + k) * NFAC;
            if (a[AP] == 0 && a[AM] == 0 && a[BP] == 0 && a[BM] == 0) continue; /* masked out */
            const double *C = kc + k * CHUNK, *S = ks + k * CHUNK;
#pragma omp simd
            for (int i = 0; i < CHUNK; i++) {
                g0r[i] += a[AP] * C[i] - a[BM] * S[i], g0i[i] += a[AM] * S[i] + a[BP] * C[i];
                g1r[i] += a[KAM] * C[i] - a[KBP] * S[i], g1i[i] += a[KAP] * S[i] + a[KBM] * C[i];
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

/* The gradient on cells [i0, i0 + CHUNK) for the model's flow and objective, with the
 * per-cell parameters it reads. scratch: the truncated flow's, see below. */
static void gradient_chunk(const gd_model *m, int n, int i0, const double *p, const double *th, const double *ph, double *scratch, double *g0,
                           double *g1)
{
    const torus_opts *o = m->opts;
    const torus_priv *tp = m->priv;
    const double own[P_COUNT] = {o->eta_g, o->eta_d, o->s, o->eps_g, o->eps_d, o->r, o->rho, o->beta};
    double par[P_COUNT][CHUNK];
    for (int j = P_S; j < P_COUNT && o->flow == FLOW_REAL; j++) load_chunk(p ? p + (size_t)j * n : NULL, n, i0, own[j], par[j]);
    const int N = tp->N;
    if (o->flow == FLOW_TRUNCATED) {
        const size_t nf = (size_t)(N + 1) * (N + 1) * NFAC;
        series_chunk(N, scratch, th, ph, scratch + nf, scratch + nf + CHUNK * (N + 1), g0, g1);
    } else if (o->objective == OBJ_MODE) {
        mode_chunk(o, th, ph, g0, g1);
    } else if (o->objective == OBJ_POISSON) {
        poisson_chunk(th, ph, par[P_R], g0, g1);
    } else if (o->objective == OBJ_REXP) {
        rexp_chunk(o, tp, th, ph, par[P_RHO], par[P_BETA], g0, g1);
    } else {
        product_chunk(o, th, ph, par[P_S], par[P_EPS_G], par[P_EPS_D], g0, g1);
    }
}

int gd_torus_field_batch(const gd_model *m, int n, const double *restrict p, const double *restrict x, double *restrict v)
{
    const torus_opts *o = m->opts;
    const torus_priv *tp = m->priv;
    if (m->dim != 2 || (o->flow == FLOW_REAL && o->objective == OBJ_GRID)) return GD_ENOTAVAIL;
    /* truncated: the paired coefficients, then cos k theta and sin k theta of a chunk */
    double *scratch = NULL;
    const size_t N1 = (size_t)tp->N + 1;
    if (o->flow == FLOW_TRUNCATED) {
        if (!(scratch = malloc(sizeof(double) * (N1 * N1 * NFAC + 2 * CHUNK * N1)))) return GD_ENOMEM;
        pair_coefficients(tp, scratch);
    }
    const double *eta_g = p ? p + (size_t)P_ETA_G * n : NULL, *eta_d = p ? p + (size_t)P_ETA_D * n : NULL;
    for (int i0 = 0; i0 < n; i0 += CHUNK) {
        double th[CHUNK], ph[CHUNK], g0[CHUNK], g1[CHUNK];
        load_chunk(x, n, i0, 0, th), load_chunk(x + n, n, i0, 0, ph);
        gradient_chunk(m, n, i0, p, th, ph, scratch, g0, g1);
        const int cnt = n - i0 < CHUNK ? n - i0 : CHUNK;
        for (int i = 0; i < cnt; i++) {
            v[i0 + i] = -(eta_g ? eta_g[i0 + i] : o->eta_g) * g0[i];
            v[n + i0 + i] = (eta_d ? eta_d[i0 + i] : o->eta_d) * g1[i];
        }
    }
    free(scratch);
    return GD_OK;
}
