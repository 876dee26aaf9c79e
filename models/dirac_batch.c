/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The Dirac-GAN field on a block of sweep cells (structure of arrays, gamma per cell), plain
 * or folded into a whole explicit step. Compiled with -ffast-math and -march=native, like the
 * other batched code (src/lane_batch.c, src/sweep_kernel.c), with an inline exp (gd_fastmath.h) so the
 * loops vectorise (README.md, `gandyn sweep`: the batched kernel); everything that classifies
 * cells stays IEEE-strict.
 * Covers losses gan | nsgan | wgan with reg none | gp | wgan_gp (exact sign) | clip;
 * noise and consensus sweeps go cell by cell.
 */
#include "gd_impl.h"
#include "dirac.h"
#include "gd_fastmath.h"

#include <math.h>

/* One cell. LOSS, WGAN_GP and GP are compile-time constants at each call site, so each loop
 * carries only its own terms (the common gan + gp: no flip, no sign, no zero penalty).
 * f'(t) = 1/(1 + e^t); nsgan's generator uses f'(-s) = 1 - f'(s). */
static inline __attribute__((always_inline)) void cell(int LOSS, int WGAN_GP, int GP, double nsgan, double g0, double th, double ps,
                                                       double g, double *v1, double *v2)
{
    double d1 = 1.0, g1 = 1.0;
    if (LOSS != LOSS_WGAN) {
        /* |s| <= 700 keeps exp finite: an overflowing lane sends the whole vector to glibc's
         * slow scalar path, and beyond 700 f'(s) is 0 or 1 to within 1e-304 anyway. */
        double s = fmin(fmax(th * ps, -700.0), 700.0);
        d1 = gd_sigmoid_fast_inrange(-s); /* 1/(1 + e^s) */
        /* nsgan's flip as a run-time multiple: folded at compile time, -ffast-math would
         * simplify d1 + (1 - 2 d1) and change the last bits */
        g1 = LOSS == LOSS_NSGAN ? d1 + nsgan * (1.0 - 2.0 * d1) : d1;
    }
    *v1 = -ps * g1;
    /* The contractions -ffast-math picks for the plain field, written out so that the fused
     * sub-step (where it might pick others) gives the same bits. */
    double sgn = WGAN_GP ? g * (ps - g0 * (double)((ps > 0) - (ps < 0))) : 0.0;
    if (!WGAN_GP) *v2 = fma(th, d1, -(GP ? g * ps : 0.0));
    else if (LOSS != LOSS_WGAN) *v2 = fma(th, d1, -sgn);
    else *v2 = th - sgn;
}

/* Where the cells' field values go: into v (PLAIN, a field evaluation), or straight into a
 * stage of an update rule (gd_lane_stage on both rows, frozen cells keeping their bases):
 * EULER out = P(base + H v) (simgd, extragradient); SCALED out = P(base + a H v); OGD
 * out = P(base + H (2 v - w)), w = v (optimistic: its a = 2 and b = -1 as constants make
 * one fused multiply-subtract, the same bits as a v + b w; other a, b take field then
 * update); RK0 and RK also acc = base + c H v and acc += c H v (heun, rk4); MOM the
 * buffered stage m = decay m + v, out = P(base + H (a v + gain m)) (momentum, nesterov;
 * decay and gain per player), MOMC and MOMCG the same with each cell's decay (and gain:
 * nesterov) when a sweep varies beta; ADAM and RMS the adaptive stage (gd_adapt_stage: the
 * moments, then out = P(base + H num / den), with and without a first moment: adam,
 * rmsprop; the square roots and the one division per cell bound its cost). The loops read
 * these through locals, so that nothing in them is reloaded per cell; the update takes v as
 * a finished value (GD_ASSOC_BARRIER: -ffast-math may not reassociate into it), so EULER
 * gives the very numbers of field_batch followed by the lane's update, and the others the
 * same to rounding. */
enum { PLAIN, EULER, SCALED, OGD, RK0, RK, MOM, MOMC, MOMCG, ADAM, RMS };
typedef struct {
    double *v;                      /* PLAIN */
    const gd_stage *st;             /* the other modes */
    const double *hg, *hd, *frozen;
    double lo, hi;                  /* psi's box */
} sink;

#define EMIT(MODE, CLIP)                                                                                   \
    do {                                                                                                  \
        if ((MODE) == PLAIN) {                                                                            \
            V[i] = v1, V[n + i] = v2;                                                                     \
        } else {                                                                                          \
            const double f = FZ[i], b0 = B[i], b1 = B[n + i];                                             \
            double u1 = v1, u2 = v2;                                                                      \
            if ((MODE) == OGD) u1 = 2.0 * v1 - W[i], u2 = 2.0 * v2 - W[n + i];                             \
            if ((MODE) == RK0 || (MODE) == RK) {                                                          \
                const double a0 = (MODE) == RK0 ? b0 : ACC[i], a1 = (MODE) == RK0 ? b1 : ACC[n + i];      \
                ACC[i] = f != 0 ? a0 : a0 + C * HG[i] * GD_ASSOC_BARRIER(v1);                             \
                ACC[n + i] = f != 0 ? a1 : a1 + C * HD[i] * GD_ASSOC_BARRIER(v2);                         \
            }                                                                                             \
            if ((MODE) == SCALED || (MODE) == RK0 || (MODE) == RK) u1 = A * v1, u2 = A * v2;              \
            if ((MODE) == MOM || (MODE) == MOMC || (MODE) == MOMCG) {                                     \
                const double k0 = (MODE) == MOM ? K0 : KC0[i], k1 = (MODE) == MOM ? K1 : KC1[i];          \
                const double c0 = (MODE) == MOMCG ? GC0[i] : G0, c1 = (MODE) == MOMCG ? GC1[i] : G1;      \
                const double m1 = k0 * MB[i] + v1, m2 = k1 * MB[n + i] + v2;                              \
                MB[i] = m1, MB[n + i] = m2;                                                               \
                u1 = A * v1 + c0 * m1, u2 = A * v2 + c1 * m2;                                             \
            }                                                                                             \
            if ((MODE) == ADAM || (MODE) == RMS) {                                                        \
                const double g1 = GD_ASSOC_BARRIER(v1), g2 = GD_ASSOC_BARRIER(v2);                         \
                const double m1 = (MODE) == ADAM ? AB1 * MM[i] + AA1 * g1 : g1;                           \
                const double m2 = (MODE) == ADAM ? AB1 * MM[n + i] + AA1 * g2 : g2;                       \
                const double s1 = AB2 * VV[i] + AA2 * g1 * g1, s2 = AB2 * VV[n + i] + AA2 * g2 * g2;      \
                if ((MODE) == ADAM) MM[i] = m1, MM[n + i] = m2;                                           \
                VV[i] = s1, VV[n + i] = s2;                                                               \
                const double q1 = m1 * IC1, q2 = m2 * IC1;                                                \
                const double e1 = sqrt(s1 * IC2 + EIN) + EOUT, e2 = sqrt(s2 * IC2 + EIN) + EOUT;          \
                const double r = 1.0 / (e1 * e2); /* one division for both rows: e >= eps > 0 */          \
                u1 = q1 * (e2 * r), u2 = q2 * (e1 * r);                                                   \
            }                                                                                             \
            double xn = b1 + HD[i] * GD_ASSOC_BARRIER(u2);                                                \
            if (CLIP) xn = xn < LO ? LO : xn > HI ? HI : xn;                                              \
            O[i] = f != 0 ? b0 : b0 + HG[i] * GD_ASSOC_BARRIER(u1);                                       \
            O[n + i] = f != 0 ? b1 : xn;                                                                  \
            if ((MODE) == OGD) W[i] = v1, W[n + i] = v2;                                                  \
        }                                                                                                 \
    } while (0)

/* The block loop for one (LOSS, WGAN_GP, MODE, CLIP) combination, per-cell gamma or not. */
#define CELL_LOOP(LOSS, WGAN_GP, GP, MODE, CLIP, GAMMA)                                                        \
    _Pragma("omp simd") for (int i = 0; i < n; i++) {                                                     \
        double v1, v2;                                                                                    \
        cell(LOSS, WGAN_GP, GP, nsgan, g0, th[i], ps[i], GAMMA, &v1, &v2);                                \
        EMIT(MODE, CLIP);                                                                                 \
    }
#define STAGE_LOOP(LOSS, WGAN_GP, GP, MODE)                                                                \
    do {                                                                                                  \
        if (p && clip) CELL_LOOP(LOSS, WGAN_GP, GP, MODE, 1, p[i])                                        \
        else if (p) CELL_LOOP(LOSS, WGAN_GP, GP, MODE, 0, p[i])                                           \
        else if (clip) CELL_LOOP(LOSS, WGAN_GP, GP, MODE, 1, gam)                                         \
        else CELL_LOOP(LOSS, WGAN_GP, GP, MODE, 0, gam)                                                   \
    } while (0)
#define BLOCK_LOOP(LOSS, WGAN_GP, GP)                                                                      \
    do {                                                                                                  \
        if (MODE == PLAIN && p) CELL_LOOP(LOSS, WGAN_GP, GP, PLAIN, 0, p[i])                              \
        else if (MODE == PLAIN) CELL_LOOP(LOSS, WGAN_GP, GP, PLAIN, 0, gam)                               \
        else if (MODE == EULER) STAGE_LOOP(LOSS, WGAN_GP, GP, EULER);                                     \
        else if (MODE == SCALED) STAGE_LOOP(LOSS, WGAN_GP, GP, SCALED);                                   \
        else if (MODE == OGD) STAGE_LOOP(LOSS, WGAN_GP, GP, OGD);                                         \
        else if (MODE == RK0) STAGE_LOOP(LOSS, WGAN_GP, GP, RK0);                                         \
        else if (MODE == MOM) STAGE_LOOP(LOSS, WGAN_GP, GP, MOM);                                         \
        else if (MODE == MOMC) STAGE_LOOP(LOSS, WGAN_GP, GP, MOMC);                                       \
        else if (MODE == MOMCG) STAGE_LOOP(LOSS, WGAN_GP, GP, MOMCG);                                     \
        else if (MODE == ADAM) STAGE_LOOP(LOSS, WGAN_GP, GP, ADAM);                                       \
        else if (MODE == RMS) STAGE_LOOP(LOSS, WGAN_GP, GP, RMS);                                         \
        else STAGE_LOOP(LOSS, WGAN_GP, GP, RK);                                                           \
    } while (0)
/* The regularisers this kernel knows for one loss: the sign term, the gradient penalty, none. */
#define REG_LOOPS(LOSS)                                                                                    \
    do {                                                                                                  \
        if (wgp) BLOCK_LOOP(LOSS, 1, 0);                                                                  \
        else if (gpn) BLOCK_LOOP(LOSS, 0, 1);                                                             \
        else BLOCK_LOOP(LOSS, 0, 0);                                                                      \
    } while (0)

/* Every loop of one mode (a constant at each call). */
static inline __attribute__((always_inline)) void loops(const dirac_opts *o, int n, const double *p, const double *x, const sink *k, int MODE)
{
    const double nsgan = o->loss == LOSS_NSGAN, g0 = o->g0, gam = o->gamma;
    const int gpn = o->reg == REG_GP, wgp = o->reg == REG_WGAN_GP;
    const double *th = x, *ps = x + n;
    const gd_stage *st = k->st;
    double *const V = k->v, *const O = st ? st->out : NULL, *const ACC = st ? st->acc : NULL, *const W = st ? st->w : NULL;
    const double *const B = st ? st->base : NULL;
    const double A = st ? st->a : 0, C = st ? st->c : 0;
    double *const MB = st ? st->mom : NULL; /* MOM: the buffer; the players' decay and gain */
    const double K0 = st ? st->decay[0] : 0, K1 = st ? st->decay[1] : 0, G0 = st ? st->gain[0] : 0, G1 = st ? st->gain[1] : 0;
    const double *const KC0 = st ? st->decay_c[0] : NULL, *const KC1 = st ? st->decay_c[1] : NULL; /* MOMC, MOMCG */
    const double *const GC0 = st ? st->gain_c[0] : NULL, *const GC1 = st ? st->gain_c[1] : NULL;   /* MOMCG */
    const gd_adapt_stage *const ada = st ? st->ada : NULL; /* ADAM, RMS: the moments and constants */
    double *const MM = ada ? ada->m : NULL, *const VV = ada ? ada->v : NULL;
    const double AB1 = ada ? ada->b1 : 0, AA1 = ada ? ada->a1 : 0, AB2 = ada ? ada->b2 : 0, AA2 = ada ? ada->a2 : 0;
    const double IC1 = ada ? ada->ic1 : 0, IC2 = ada ? ada->ic2 : 0, EIN = ada ? ada->eps_in : 0, EOUT = ada ? ada->eps_out : 0;
    const double *const HG = k->hg, *const HD = k->hd, *const FZ = k->frozen, LO = k->lo, HI = k->hi;
    const int clip = LO > -INFINITY || HI < INFINITY; /* -ffinite-math-only: no infinite bounds in the loops */
    if (o->loss == LOSS_GAN) REG_LOOPS(LOSS_GAN);
    else if (o->loss == LOSS_NSGAN) REG_LOOPS(LOSS_NSGAN);
    else REG_LOOPS(LOSS_WGAN);
}

/* One function per mode: all of them in one body would share its registers, and the hot
 * loop's pointers spill (measured: a third slower). */
#define MODE_FUNCTION(NAME, MODE)                                                                          \
    static __attribute__((noinline)) void NAME(const dirac_opts *o, int n, const double *p, const double *x, const sink *k) \
    {                                                                                                     \
        loops(o, n, p, x, k, MODE);                                                                       \
    }
MODE_FUNCTION(loops_plain, PLAIN)
MODE_FUNCTION(loops_euler, EULER)
MODE_FUNCTION(loops_scaled, SCALED)
MODE_FUNCTION(loops_ogd, OGD)
MODE_FUNCTION(loops_rk0, RK0)
MODE_FUNCTION(loops_rk, RK)
MODE_FUNCTION(loops_mom, MOM)
MODE_FUNCTION(loops_momc, MOMC)
MODE_FUNCTION(loops_momcg, MOMCG)
MODE_FUNCTION(loops_adam, ADAM)
MODE_FUNCTION(loops_rms, RMS)

static int run(const gd_model *m, int n, const double *p, const double *x, const sink *k)
{
    const dirac_opts *o = m->opts;
    if (o->reg == REG_NOISE || o->reg == REG_CONSENSUS || (o->reg == REG_WGAN_GP && o->sign_eps > 0)) return GD_ENOTAVAIL;
    const gd_stage *st = k->st;
    const int mom = !st || !st->mom ? 0 : !st->decay_c[0] ? MOM : st->gain_c[0] ? MOMCG : MOMC;
    const int mode = !st ? PLAIN : st->ada ? (st->ada->m ? ADAM : RMS) : st->mom ? mom : st->w ? OGD : st->acc ? (st->acc_from_base ? RK0 : RK) : st->a == 1.0 ? EULER : SCALED;
    if (st && st->w && (st->acc || !st->renew_w || st->a != 2.0 || st->b != -1.0)) return GD_ENOTAVAIL; /* OGD: 2 v - w */
    if (st && st->mom && (st->w || st->acc)) return GD_ENOTAVAIL;
    if (st && st->mom && (!st->decay_c[0] != !st->decay_c[1] || !st->gain_c[0] != !st->gain_c[1] || (st->gain_c[0] && !st->decay_c[0])))
        return GD_ENOTAVAIL; /* per-cell factors: both players' decays, and the gains with them or not at all */
    /* the adaptive stage divides once for both rows, by the product of their denominators:
     * each at least eps (or sqrt(eps)), kept away from underflow; eps = 0 takes field then update */
    if (st && st->ada && !(st->ada->eps_in + st->ada->eps_out >= 1e-100)) return GD_ENOTAVAIL;
    if (mode == PLAIN) loops_plain(o, n, p, x, k);
    else if (mode == EULER) loops_euler(o, n, p, x, k);
    else if (mode == SCALED) loops_scaled(o, n, p, x, k);
    else if (mode == OGD) loops_ogd(o, n, p, x, k);
    else if (mode == RK0) loops_rk0(o, n, p, x, k);
    else if (mode == MOM) loops_mom(o, n, p, x, k);
    else if (mode == MOMC) loops_momc(o, n, p, x, k);
    else if (mode == MOMCG) loops_momcg(o, n, p, x, k);
    else if (mode == ADAM) loops_adam(o, n, p, x, k);
    else if (mode == RMS) loops_rms(o, n, p, x, k);
    else loops_rk(o, n, p, x, k);
    return GD_OK;
}

int gd_dirac_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v)
{
    const sink k = {.v = v};
    return run(m, n, p, x, &k);
}

/* Whole steps only: a sub-step on one player's rows takes field then update. */
int gd_dirac_stage_batch(const gd_model *m, int n, const double *p, const double *at, const gd_stage *st, const double *hg, const double *hd,
                         const double *frozen, int i0, int i1)
{
    if (i0 != 0 || i1 != 2) return GD_ENOTAVAIL;
    const sink k = {NULL, st, hg, hd, frozen, m->lo ? m->lo[1] : -INFINITY, m->hi ? m->hi[1] : INFINITY};
    return run(m, n, p, at, &k);
}
