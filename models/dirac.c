/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dirac-GAN (Mescheder et al. 2018): generator delta_theta, data delta_0, linear critic
 * D(x) = psi x, L = f(psi theta) + f(0). Losses gan | nsgan | wgan, regularizers
 * none | gp | noise | consensus | wgan_gp | clip. Docs: docs/models/dirac.md.
 *
 * Everything is built from one "base" evaluation at (theta, psi): the loss field
 * v = (-psi g(s), theta f'(s)), s = theta psi (g = f' for gan/wgan, f'(-s) for nsgan),
 * its Jacobian and, for consensus, its Hessians. Regularizers then modify the base.
 */
#include "gd_impl.h"
#include "dirac.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int nq;
    double *eps, *wt; /* noise offsets sqrt(2) sigma xi_i and probability weights */
} dirac_priv;

static const char *const losses[] = {"gan", "nsgan", "wgan", NULL};
static const char *const regs[] = {"none", "gp", "noise", "consensus", "wgan_gp", "clip", NULL};
static const char *const co_forms[] = {"exact", "notebook", NULL};

static const char *const batch_params[] = {"gamma", NULL};

#define O(f) offsetof(dirac_opts, f)
static const gd_param dirac_params[] = {
    {"loss", GD_P_ENUM, O(loss), "gan", "loss f: gan (saturating) | nsgan (non-saturating generator) | wgan (f(t) = t)", 0, 0, 0, losses},
    {"reg", GD_P_ENUM, O(reg), "none", "regularizer: none | gp (R1/R2, weight gamma) | noise (instance noise, std sigma) | consensus (weight gamma) | wgan_gp (gamma, g0) | clip (|psi| <= clip)", 0, 0, 0, regs},
    {"gamma", GD_P_DOUBLE, O(gamma), "0.3", "weight of the gradient penalty, consensus term or WGAN-GP penalty (>= 0 unless allow_negative = 1)", -INFINITY, INFINITY, 0, NULL},
    {"allow_negative", GD_P_INT, O(allow_negative), "0", "1: accept gamma < 0 (an anti-penalty: continuation through the Hopf point at gamma = 0)", 0, 1, 0, NULL},
    {"sigma", GD_P_DOUBLE, O(sigma), "0.7", "instance-noise standard deviation (reg = noise)", 0, INFINITY, 0, NULL},
    {"clip", GD_P_DOUBLE, O(clip), "1.0", "weight-clip bound c: psi is projected onto [-c, c] (reg = clip)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"g0", GD_P_DOUBLE, O(g0), "1.0", "WGAN-GP target gradient norm", 0, INFINITY, 0, NULL},
    {"noise_nodes", GD_P_INT, O(noise_nodes), "64", "Gauss-Hermite nodes for the instance-noise expectations", 2, 512, 0, NULL},
    {"co_form", GD_P_ENUM, O(co_form), "exact", "consensus gradient: exact | notebook (the reference notebook's halved cubic term)", 0, 0, 0, co_forms},
    {"sign_eps", GD_P_DOUBLE, O(sign_eps), "0", "WGAN-GP sign: 0 = exact sign (CVODE switches at psi = 0), > 0 = tanh(psi/eps)", 0, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

/* ---- the loss function f and its derivatives ---- */
typedef struct { double d1, d2, d3; } fder;

static fder loss_derivs(int loss, double t)
{
    fder r = {1.0, 0.0, 0.0};
    if (loss == LOSS_WGAN) return r;
    /* f(t) = -log(1 + e^-t): f' = sigma(-t), f'' = -sigma(t) sigma(-t). Both logistic
     * values stay in [0, 1] for any t, so no overflow reaches the result. */
    double e = exp(-fabs(t)), big = 1.0 / (1.0 + e), small = e / (1.0 + e); /* one exp, no overflow */
    double sp = t >= 0 ? big : small, sm = t >= 0 ? small : big;
    r.d1 = sm;
    r.d2 = -sp * sm;
    r.d3 = sp * sm * (sp - sm);
    return r;
}

/* Base field, Jacobian (row-major 2x2) and, for consensus only, Hessians of v1 and v2. */
typedef struct { double v[2], J[4], H1[4], H2[4]; fder d; } base_eval;

static void base(const dirac_opts *o, double th, double ps, base_eval *b)
{
    double s = th * ps;
    fder d = loss_derivs(o->loss, s);
    fder g = d; /* generator's term g(s) and its derivatives */
    if (o->loss == LOSS_NSGAN) {
        fder m = loss_derivs(o->loss, -s);
        g.d1 = m.d1;
        g.d2 = -m.d2;
        g.d3 = m.d3;
    }
    b->d = d;
    b->v[0] = -ps * g.d1;
    b->v[1] = th * d.d1;
    b->J[0] = -ps * ps * g.d2;
    b->J[1] = -g.d1 - s * g.d2;
    b->J[2] = d.d1 + s * d.d2;
    b->J[3] = th * th * d.d2;
    if (o->reg != REG_CONSENSUS) return;
    b->H1[0] = -ps * ps * ps * g.d3;
    b->H1[1] = b->H1[2] = -2 * ps * g.d2 - s * ps * g.d3;
    b->H1[3] = -2 * th * g.d2 - s * th * g.d3;
    b->H2[0] = 2 * ps * d.d2 + s * ps * d.d3;
    b->H2[1] = b->H2[2] = 2 * th * d.d2 + s * th * d.d3;
    b->H2[3] = th * th * th * d.d3;
}

/* Consensus: w = v - gamma c with c = J^T v (= grad of |v|^2/2); the notebook form
 * subtracts e = (r^2/2) f' f'' (psi, theta), i.e. halves the cubic term. */
static void consensus(const dirac_opts *o, double th, double ps, const base_eval *b, double *v, double *J)
{
    const double *Jv = b->J, *u = b->v;
    double c[2] = {Jv[0] * u[0] + Jv[2] * u[1], Jv[1] * u[0] + Jv[3] * u[1]};
    double Jc[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            Jc[2 * i + j] = Jv[i] * Jv[j] + Jv[2 + i] * Jv[2 + j] + u[0] * b->H1[2 * i + j] + u[1] * b->H2[2 * i + j];
    if (o->co_form == CO_NOTEBOOK) {
        double r2 = th * th + ps * ps, d1 = b->d.d1, d2 = b->d.d2, d3 = b->d.d3;
        double k = 0.5 * r2 * d1 * d2;
        double kt = th * d1 * d2 + 0.5 * r2 * ps * (d2 * d2 + d1 * d3);
        double kp = ps * d1 * d2 + 0.5 * r2 * th * (d2 * d2 + d1 * d3);
        c[0] -= k * ps;
        c[1] -= k * th;
        Jc[0] -= ps * kt;
        Jc[1] -= k + ps * kp;
        Jc[2] -= k + th * kt;
        Jc[3] -= th * kp;
    }
    for (int i = 0; i < 2; i++) v[i] = u[i] - o->gamma * c[i];
    for (int i = 0; i < 4; i++) J[i] = Jv[i] - o->gamma * Jc[i];
}

/* Instance noise: expectation of the base over theta + eps, plus the real-sample term
 * -E[eps f'(-psi eps)] in v2 (its psi-derivative E[eps^2 f''(-psi eps)] enters J22). */
static void noise(const dirac_opts *o, const dirac_priv *q, double th, double ps, double *v, double *J)
{
    memset(v, 0, 2 * sizeof *v);
    memset(J, 0, 4 * sizeof *J);
    for (int i = 0; i < q->nq; i++) {
        base_eval b;
        double e = q->eps[i], w = q->wt[i];
        base(o, th + e, ps, &b);
        fder r = loss_derivs(o->loss, -ps * e);
        v[0] += w * b.v[0];
        v[1] += w * (b.v[1] - e * r.d1);
        for (int k = 0; k < 4; k++) J[k] += w * b.J[k];
        J[3] += w * e * e * r.d2;
    }
}

static double sign0(double x) { return (x > 0) - (x < 0); }

static int dirac_eval(const gd_model *m, int mode, const double *x, double *v, double *J)
{
    const dirac_opts *o = m->opts;
    double th = x[0], ps = x[1], Jl[4];
    if (!J) J = Jl;
    base_eval b;
    if (o->reg == REG_NOISE) {
        noise(o, m->priv, th, ps, v, J);
        return GD_OK;
    }
    base(o, th, ps, &b);
    if (o->reg == REG_CONSENSUS) {
        consensus(o, th, ps, &b, v, J);
        return GD_OK;
    }
    memcpy(v, b.v, 2 * sizeof *v);
    memcpy(J, b.J, 4 * sizeof *J);
    if (o->reg == REG_GP) {
        v[1] -= o->gamma * ps;
        J[3] -= o->gamma;
    } else if (o->reg == REG_WGAN_GP) {
        /* (|psi| - g0) sign(psi) = psi - g0 sign(psi); a CVODE segment holds the sign. */
        if (o->sign_eps > 0) {
            double t = tanh(ps / o->sign_eps);
            v[1] -= o->gamma * (ps - o->g0 * t);
            J[3] -= o->gamma * (1 - o->g0 * (1 - t * t) / o->sign_eps);
        } else {
            v[1] -= o->gamma * (ps - o->g0 * (mode ? mode : sign0(ps)));
            J[3] -= o->gamma;
        }
    } else if (o->reg == REG_CLIP && mode != 0) {
        v[1] = 0; /* sliding along the wall psi = mode * c */
        J[2] = J[3] = 0;
    }
    return GD_OK;
}

static int dirac_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)ws;
    return dirac_eval(m, mode, x, v, NULL);
}

static int dirac_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)ws;
    double v[2];
    return dirac_eval(m, mode, x, v, J);
}

static int hard_wgan_gp(const dirac_opts *o) { return o->reg == REG_WGAN_GP && o->sign_eps == 0; }

static int dirac_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    if (hard_wgan_gp(m->opts))
        return gd_ws_fail(ws, GD_ENOTAVAIL, "dirac with reg = wgan_gp has no equilibrium: the field jumps by 2 gamma g0 across psi = 0");
    x[0] = x[1] = 0;
    return GD_OK;
}

/* ---- switching surfaces for CVODE: sign of psi (wgan_gp), clip walls (clip) ---- */
static double raw_v2(const gd_model *m, const double *x)
{
    double v[2];
    dirac_eval(m, 0, x, v, NULL);
    return v[1];
}

static int dirac_start_mode(const gd_model *m, const double *x)
{
    const dirac_opts *o = m->opts;
    double v2 = raw_v2(m, x);
    if (o->reg == REG_WGAN_GP) return x[1] != 0 ? (int)sign0(x[1]) : (int)sign0(v2);
    if (x[1] >= o->clip && v2 > 0) return 1;
    if (x[1] <= -o->clip && v2 < 0) return -1;
    return 0;
}

static double dirac_surface(const gd_model *m, int mode, const double *x)
{
    const dirac_opts *o = m->opts;
    if (o->reg == REG_WGAN_GP) return x[1];
    if (mode == 0) return o->clip - fabs(x[1]);
    return mode * raw_v2(m, x); /* the wall is left when the push turns inward */
}

static int dirac_next_mode(const gd_model *m, int mode, double *x)
{
    const dirac_opts *o = m->opts;
    if (o->reg == REG_WGAN_GP) {
        x[1] = 0;
        return mode ? -mode : dirac_start_mode(m, x);
    }
    if (mode != 0) return 0;
    x[1] = x[1] >= 0 ? o->clip : -o->clip;
    return dirac_start_mode(m, x);
}

static int dirac_setup(gd_model *m)
{
    dirac_opts *o = m->opts;
    m->dim = 2;
    m->ngen = 1;
    if (o->gamma < 0 && !o->allow_negative)
        return gd_model_fail(m, GD_EUSAGE, "model.gamma = %g is negative; set model.allow_negative = 1 to allow it (continuation through gamma = 0)", o->gamma);
    m->hybrid = hard_wgan_gp(o) || o->reg == REG_CLIP;
    if (o->reg == REG_CLIP) {
        m->lo = malloc(2 * sizeof(double));
        m->hi = malloc(2 * sizeof(double));
        if (!m->lo || !m->hi) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        m->lo[0] = -INFINITY, m->hi[0] = INFINITY;
        m->lo[1] = -o->clip, m->hi[1] = o->clip;
    }
    if (o->reg != REG_NOISE) return GD_OK;
    dirac_priv *q = calloc(1, sizeof *q);
    if (!q) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = q;
    q->nq = (int)o->noise_nodes;
    q->eps = malloc(sizeof(double) * (size_t)q->nq);
    q->wt = malloc(sizeof(double) * (size_t)q->nq);
    if (!q->eps || !q->wt) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    if (gd_gauss_hermite(q->nq, q->eps, q->wt) != GD_OK)
        return gd_model_fail(m, GD_ESOLVER, "Gauss-Hermite nodes: LAPACK dstev failed");
    for (int i = 0; i < q->nq; i++) q->eps[i] *= sqrt(2.0) * o->sigma;
    return GD_OK;
}

static void dirac_cleanup(gd_model *m)
{
    dirac_priv *q = m->priv;
    if (!q) return;
    free(q->eps);
    free(q->wt);
    free(q);
}

const gd_model_type gd_model_dirac = {
    .name = "dirac",
    .summary = "Dirac-GAN of Mescheder et al. 2018: state (theta, psi), losses gan/nsgan/wgan with gp, noise, consensus, wgan_gp or clip",
    .params = dirac_params,
    .opts_size = sizeof(dirac_opts),
    .setup = dirac_setup,
    .cleanup = dirac_cleanup,
    .field = dirac_field,
    .jacobian = dirac_jacobian,
    .equilibrium = dirac_equilibrium,
    .start_mode = dirac_start_mode,
    .surface = dirac_surface,
    .next_mode = dirac_next_mode,
    .field_batch = gd_dirac_field_batch,
    .stage_batch = gd_dirac_stage_batch,
    .batch_params = batch_params,
};
