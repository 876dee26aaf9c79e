/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Every model x every fixed-step integrator: three iterations of gd_stepper_step equal the update
 * rule written out here from its definition (docs/models pages, README "Integrators"), applied to
 * the model's field and projection only, never through a stepper. Per-player rates differ (lr_g !=
 * lr_d) and altgd runs with n_g = 2, n_d = 3 in both orders, so a rule that mixes up players or
 * sub-steps fails; the heavy-ball rules (momentum, nesterov) run simultaneous and alternating,
 * with per-player momentum factors. A model whose field is no field (the kernel GAN's exact map) is checked against
 * its own GDA step, rebuilt here with the discriminator kept as a list of kernel atoms (f <- a f +
 * eta_d (T - S(x~)); docs/models/kernel_gda.md), for every order and for lambda > 0 and lambda = 0;
 * the rules that need a field must refuse it.
 *
 * A registered model without a case below, or a fixed-step integrator without a reference
 * rule below, fails the test: add it here.
 */
#include "check.h"

#include <string.h>

enum { ITERS = 3 };

/* ---------------------------------------------------------------- cases -------- */
typedef struct {
    const char *model;
    const char *kv[24];
} model_case;

static const model_case cases[] = {
    {"dirac", {"loss", "gan", "reg", "gp", "gamma", "0.3", NULL}},
    {"dirac", {"loss", "nsgan", "reg", "consensus", "gamma", "0.5", NULL}},
    {"dirac", {"loss", "gan", "reg", "noise", "sigma", "0.7", NULL}},
    {"dirac", {"loss", "wgan", "reg", "clip", "clip", "0.9", NULL}}, /* the projection acts */
    {"dirac", {"loss", "wgan", "reg", "wgan_gp", NULL}},
    {"dirac", {"loss", "nsgan", "reg", "wgan_gp", NULL}},
    {"linear", {"a", "0.1", "b", "0.3", "s", "1.2", NULL}},
    {"normal_form", {"form", "hopf", "mu", "0.2", NULL}},
    {"normal_form", {"form", "lorenz", NULL}},
    {"normal_form", {"form", "henon", NULL}},
    {"normal_form", {"form", "logistic", "r", "3.9", NULL}}, /* one coordinate, the generator's */
    {"kernel_gda", {"d", "2", "true_points", "0,0;10,0", "true_masses", "0.6;0.4", "gen_points", "0.3,0.1;-0.2,0.2;10.2,-0.1",
                    "gen_masses", "0.35;0.2;0.45", "sigma", "0.8", NULL}},
    {"kernel_gda", {"d", "2", "true_points", "0,0;10,0", "gen_points", "0.3,0.1;-0.2,0.2;10.2,-0.1", "gen_masses", "0.25;0.25;0.5",
                    "representation", "features", "features", "16", "feature_kind", "random", "sigma", "0.8", NULL}},
    {"torus", {NULL}},
    {"torus", {"flow", "real", NULL}},
    {"torus", {"objective", "damped", "n_gen", "2", "N", "3", "M", "16", NULL}},
    {"torus", {"objective", "mode", "flow", "real", NULL}},   /* their Jacobians: implicit_midpoint, cvode, cgd */
    {"torus", {"objective", "poisson", "flow", "real", NULL}},
    {"functional", {"N", "7", "density", "vonmises", "gamma", "0.2", "loss", "gan_sat", NULL}},
    {"functional", {"N", "7", "density", "vonmises", "form", "nonlinear", "gamma", "0.2", NULL}},
    {"particles", {"particles", "0.5,0.3;-0.4,0.2;0.1,-0.6", "data", "0,0;1,1", "weights", "0.3;0.7", NULL}},
    {"particles", {"particles", "0.5,0.3;-0.4,0.2", "data", "0,0;1,1", "field", "mesh", "mesh_n", "32", NULL}},
    {"particles", {"particles", "0.5,0.3;-0.4,0.2;0.1,-0.6", "data", "0,0;1,1", "critic", "huber", NULL}},
    {"particles", {"particles", "0.5;-0.4;0.1", "data", "2;3;4", "critic", "w1", NULL}},
    {"particles", {"particles", "0.5,0.3;-0.4,0.2", "data", "0,0;1,1", "critic", "smoothed", "mesh_n", "16", "lambda", "0.1", NULL}},
    {"kernel_gda", {"representation", "exact", "history", "40", "d", "2", "true_points", "0,0;3,0", "true_masses", "0.6;0.4",
                    "gen_points", "0.3,0.1;-0.2,0.2;2.8,-0.1", "gen_masses", "0.35;0.2;0.45", "lambda", "0.5", NULL}},
    {"kernel_gda", {"representation", "exact", "history", "40", "kernel", "rq", "alpha", "2", "sigma", "0.7", "gen_points", "0.3;-0.2",
                    "gen_masses", "0.5;0.3", "lambda", "0", "warm_start", "0", NULL}},
    {"kernel_gda", {"representation", "exact", "history", "40", "kernel", "laplace", "sigma", "0.5", "gen_points", "0.3;-0.2",
                    "gen_masses", "0.5;0.5", "lambda", "0", NULL}},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* The settings each rule runs with: the rates always differ; altgd also in both orders
 * with several sub-steps. */
typedef struct {
    const char *kv[16];
} rule_setting;

static int settings_of(const char *rule, rule_setting *out)
{
    static const rule_setting plain = {{NULL}};
    if (!strcmp(rule, "altgd")) {
        out[0] = (rule_setting){{"n_g", "1", "n_d", "1", "order", "gen_first", NULL}};
        out[1] = (rule_setting){{"n_g", "2", "n_d", "3", "order", "gen_first", NULL}};
        out[2] = (rule_setting){{"n_g", "2", "n_d", "3", "order", "disc_first", NULL}};
        out[3] = (rule_setting){{"n_g", "1", "n_d", "1", "order", "disc_first", NULL}};
        return 4;
    }
    if (!strcmp(rule, "momentum") || !strcmp(rule, "nesterov")) {
        out[0] = (rule_setting){{"update", "sim", "beta_g", "-0.3", "beta_d", "0.6", NULL}};
        out[1] = (rule_setting){{"update", "alt", "n_g", "2", "n_d", "3", "order", "gen_first", NULL}};
        out[2] = (rule_setting){{"update", "alt", "n_g", "2", "n_d", "3", "order", "disc_first", "beta_g", "0.2", "beta_d", "-0.7", NULL}};
        out[3] = (rule_setting){{"update", "alt", "beta", "0.5", NULL}};
        return 4;
    }
    if (!strcmp(rule, "symplectic_euler")) {
        out[0] = (rule_setting){{"order", "gen_first", NULL}};
        out[1] = (rule_setting){{"order", "disc_first", NULL}};
        return 2;
    }
    if (!strcmp(rule, "adam") || !strcmp(rule, "rmsprop")) { /* defaults; the other branches; the frozen map */
        out[0] = plain;
        out[1] = (rule_setting){{"eps_mode", "inside", "bias_correction", !strcmp(rule, "adam") ? "false" : "true", "beta1", "-0.3", "v0", "0.2", NULL}};
        out[2] = (rule_setting){{"freeze_v", "true", "v_frozen_g", "0.3", "v_frozen_d", "0.05", "eps", "0", "beta2", "0.9", NULL}};
        out[3] = (rule_setting){{"update", "alt", "n_g", "2", "n_d", "3", "order", "disc_first", "beta1", "0.3", NULL}};
        return 4;
    }
    out[0] = plain;
    return 1;
}

/* The value of KEY in a NULL-ended key/value list, else def. */
static const char *kv_value(const char *const *kv, const char *key, const char *def)
{
    for (int i = 0; kv[i]; i += 2)
        if (!strcmp(kv[i], key)) return kv[i + 1];
    return def;
}

/* ---------------------------------------------------------------- references --- */
/* What a reference rule sees: the model's field and projection, the players' rates. */
typedef struct {
    const gd_model *m;
    int n, ngen;
    double lr_g, lr_d;
    long n_g, n_d;
    int disc_first;
    double *prev;   /* optimistic: F at the previous iterate; momentum, nesterov: the buffer b */
    int alt;        /* momentum, nesterov: update = alt */
    double beta[2]; /* their generator's and discriminator's factor */
    const char *const *kv; /* the rule's setting */
    double *mean, *sq;     /* adam, rmsprop: the moments m, v */
    long k;                /* adam, rmsprop: iterations so far */
} ref_ctx;

static double rate(const ref_ctx *c, int i) { return i < c->ngen ? c->lr_g : c->lr_d; }

static int field(const ref_ctx *c, const double *x, double *v) { return gd_model_field(c->m, x, v); }

/* y = P(x + scale H v) on all coordinates. */
static void move(const ref_ctx *c, const double *x, double scale, const double *v, double *y)
{
    for (int i = 0; i < c->n; i++) y[i] = x[i] + scale * rate(c, i) * v[i];
    gd_model_project(c->m, y);
}

/* One player's rows only: x_p += scale h_p F_p(x), then P; repeated. */
static int player_moves(const ref_ctx *c, double *x, int disc, double scale, long repeat)
{
    double *v = malloc(sizeof(double) * (size_t)c->n);
    int rc = GD_OK;
    for (long r = 0; r < repeat && rc == GD_OK; r++) {
        if ((rc = field(c, x, v)) != GD_OK) break;
        for (int i = disc ? c->ngen : 0; i < (disc ? c->n : c->ngen); i++) x[i] += scale * rate(c, i) * v[i];
        gd_model_project(c->m, x);
    }
    free(v);
    return rc;
}

/* Heavy ball on one player's rows (all: every row, from one field value), repeated:
 * b_p+ = beta_p b_p + F_p(x), x_p+ = x_p + h_p b_p+ (momentum) or x_p + h_p (F_p(x) + beta_p b_p+)
 * (nesterov), then P. */
static int heavy_ball_moves(const ref_ctx *c, double *x, int nesterov, int all, int disc, long repeat)
{
    double *v = malloc(sizeof(double) * (size_t)c->n), *b = c->prev;
    int rc = GD_OK;
    for (long r = 0; r < repeat && rc == GD_OK; r++) {
        if ((rc = field(c, x, v)) != GD_OK) break;
        for (int i = 0; i < c->n; i++) {
            int player = i >= c->ngen;
            if (!all && player != disc) continue;
            b[i] = c->beta[player] * b[i] + v[i];
            x[i] += rate(c, i) * (nesterov ? v[i] + c->beta[player] * b[i] : b[i]);
        }
        gd_model_project(c->m, x);
    }
    free(v);
    return rc;
}

/* x <- x + H sum_i b_i k_i for an explicit Runge-Kutta tableau (stages projected). */
static int runge_kutta(const ref_ctx *c, double *x, int stages, const double a[4][4], const double *b)
{
    int n = c->n, rc = GD_OK;
    double *k = malloc(sizeof(double) * (size_t)(stages + 1) * (size_t)n), *y = k + stages * n;
    for (int s = 0; s < stages && rc == GD_OK; s++) {
        for (int i = 0; i < n; i++) {
            y[i] = x[i];
            for (int j = 0; j < s; j++) y[i] += a[s][j] * rate(c, i) * k[j * n + i];
        }
        if (s > 0) gd_model_project(c->m, y);
        rc = field(c, y, k + s * n);
    }
    for (int i = 0; i < n && rc == GD_OK; i++)
        for (int s = 0; s < stages; s++) x[i] += b[s] * rate(c, i) * k[s * n + i];
    if (rc == GD_OK) gd_model_project(c->m, x);
    free(k);
    return rc;
}

/* x+ = x + H F((x + x+)/2) by plain fixed-point iteration (no Newton, no Jacobian). */
static int midpoint(const ref_ctx *c, double *x)
{
    int n = c->n, rc = GD_OK;
    double *y = malloc(sizeof(double) * 3 * (size_t)n), *mid = y + n, *v = mid + n;
    memcpy(y, x, sizeof(double) * (size_t)n);
    for (int it = 0; it < 5000 && rc == GD_OK; it++) {
        for (int i = 0; i < n; i++) mid[i] = 0.5 * (x[i] + y[i]);
        if ((rc = field(c, mid, v)) != GD_OK) break;
        double change = 0, size = 1;
        for (int i = 0; i < n; i++) {
            double yi = x[i] + rate(c, i) * v[i];
            change = fmax(change, fabs(yi - y[i])), size = fmax(size, fabs(yi));
            y[i] = yi;
        }
        if (change <= 1e-16 * size) break;
    }
    memcpy(x, y, sizeof(double) * (size_t)n);
    gd_model_project(c->m, x);
    free(y);
    return rc;
}

/* cgd: the players' steps answer each other, d_theta = h_g (F_theta + J_tp d_psi),
 * d_psi = h_d (F_psi + J_pt d_theta) (J_tp, J_pt the coupling blocks of the model's Jacobian),
 * solved by plain fixed-point iteration of those two lines; x+ = P(x + d). */
static int competitive(const ref_ctx *c, double *x)
{
    int n = c->n, rc;
    double *J = malloc(sizeof(double) * ((size_t)n * (size_t)n + 3 * (size_t)n)), *v = J + (size_t)n * (size_t)n, *d = v + n, *e = d + n;
    if ((rc = field(c, x, v)) == GD_OK) rc = gd_model_jacobian(c->m, x, J);
    for (int i = 0; i < n; i++) d[i] = rate(c, i) * v[i];
    for (int it = 0; it < 10000 && rc == GD_OK; it++) {
        double change = 0, size = 1e-300;
        for (int i = 0; i < n; i++) {
            double a = v[i];
            for (int j = 0; j < n; j++)
                if ((i < c->ngen) != (j < c->ngen)) a += J[(size_t)i * (size_t)n + (size_t)j] * d[j];
            e[i] = rate(c, i) * a;
            change = fmax(change, fabs(e[i] - d[i])), size = fmax(size, fabs(e[i]));
        }
        memcpy(d, e, sizeof(double) * (size_t)n);
        if (change <= 1e-16 * size) break;
    }
    for (int i = 0; i < n; i++) x[i] += d[i];
    gd_model_project(c->m, x);
    free(J);
    return rc;
}

static double kv_number(const ref_ctx *c, const char *key, const char *def) { return atof(kv_value(c->kv, key, def)); }
static int kv_is(const ref_ctx *c, const char *key, const char *def, const char *value) { return !strcmp(kv_value(c->kv, key, def), value); }

/* adam (rmsprop: no first moment, m = g) from docs/optimizers.md, with the setting's keys
 * over the defaults: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * x = P(x + H (m/c1) / D(v/c2)), c = 1 - b^k with bias correction; 0/0 := 0. freeze_v: D(v_frozen) and
 * c1 = 1. update = alt: player by player (n_g, n_d, order), each sub-step on that player's rows
 * only, from the field at the current state, each player counting its own updates k. */
static int adaptive_rows(ref_ctx *c, double *x, int adam, double *g, int i0, int i1, long k)
{
    const double b1 = adam ? kv_number(c, "beta1", "0.5") : 0, b2 = kv_number(c, "beta2", adam ? "0.999" : "0.99"), eps = kv_number(c, "eps", "1e-8");
    const int inside = kv_is(c, "eps_mode", "outside", "inside"), bias = kv_is(c, "bias_correction", adam ? "true" : "false", "true");
    const int frozen = kv_is(c, "freeze_v", "false", "true");
    const char *vf = kv_value(c->kv, "v_frozen", "0");
    const double vbar[2] = {atof(kv_value(c->kv, "v_frozen_g", vf)), atof(kv_value(c->kv, "v_frozen_d", vf))};
    int rc = field(c, x, g);
    for (int i = i0; i < i1 && rc == GD_OK; i++) {
        c->mean[i] = adam ? b1 * c->mean[i] + (1 - b1) * g[i] : g[i];
        c->sq[i] = b2 * c->sq[i] + (1 - b2) * g[i] * g[i];
        double num = c->mean[i], vv = frozen ? vbar[i >= c->ngen] : c->sq[i];
        /* times the reciprocals, as the rule rounds: where |g| ~ eps the step amplifies a last-bit difference */
        if (bias && !frozen) num *= 1 / (1 - pow(b1, (double)k)), vv *= 1 / (1 - pow(b2, (double)k));
        double den = inside ? sqrt(vv + eps) : sqrt(vv) + eps;
        x[i] += rate(c, i) * (num == 0 ? 0 : num / den);
    }
    gd_model_project(c->m, x);
    return rc;
}

static int adaptive(ref_ctx *c, double *x, int adam, double *g)
{
    long k = ++c->k;
    if (!c->alt) return adaptive_rows(c, x, adam, g, 0, c->n, k);
    int first = c->disc_first, rc = GD_OK;
    for (int q = 0; q < 2 && rc == GD_OK; q++) {
        int disc = q ? !first : first;
        long r = disc ? c->n_d : c->n_g;
        for (long j = 1; j <= r && rc == GD_OK; j++) rc = adaptive_rows(c, x, adam, g, disc ? c->ngen : 0, disc ? c->n : c->ngen, (k - 1) * r + j);
    }
    return rc;
}

/* One iteration of RULE from its definition; GD_ENOTAVAIL for a rule without one here. */
static int reference(const char *rule, ref_ctx *c, double *x)
{
    int n = c->n, rc;
    double *v = malloc(sizeof(double) * 2 * (size_t)n), *y = v + n;
    if (!strcmp(rule, "simgd")) { /* x+ = P(x + H F(x)) */
        if ((rc = field(c, x, v)) == GD_OK) move(c, x, 1, v, x);
    } else if (!strcmp(rule, "altgd") || !strcmp(rule, "symplectic_euler")) {
        int first = c->disc_first;
        rc = player_moves(c, x, first, 1, first ? c->n_d : c->n_g);
        if (rc == GD_OK) rc = player_moves(c, x, !first, 1, first ? c->n_g : c->n_d);
    } else if (!strcmp(rule, "extragradient")) { /* x~ = P(x + H F(x)), x+ = P(x + H F(x~)) */
        if ((rc = field(c, x, v)) == GD_OK) move(c, x, 1, v, y);
        if (rc == GD_OK && (rc = field(c, y, v)) == GD_OK) move(c, x, 1, v, x);
    } else if (!strcmp(rule, "optimistic")) { /* x+ = P(x + 2 H F(x) - H F(x_prev)) */
        if ((rc = field(c, x, v)) == GD_OK) {
            for (int i = 0; i < n; i++) y[i] = 2 * v[i] - c->prev[i];
            memcpy(c->prev, v, sizeof(double) * (size_t)n);
            move(c, x, 1, y, x);
        }
    } else if (!strcmp(rule, "leapfrog")) { /* generator half step, discriminator step, generator half step */
        rc = player_moves(c, x, 0, 0.5, 1);
        if (rc == GD_OK) rc = player_moves(c, x, 1, 1, 1);
        if (rc == GD_OK) rc = player_moves(c, x, 0, 0.5, 1);
    } else if (!strcmp(rule, "heun")) {
        static const double a[4][4] = {{0}, {1}}, b[2] = {0.5, 0.5};
        rc = runge_kutta(c, x, 2, a, b);
    } else if (!strcmp(rule, "rk4")) {
        static const double a[4][4] = {{0}, {0.5}, {0, 0.5}, {0, 0, 1}}, b[4] = {1 / 6.0, 1 / 3.0, 1 / 3.0, 1 / 6.0};
        rc = runge_kutta(c, x, 4, a, b);
    } else if (!strcmp(rule, "implicit_midpoint")) {
        rc = midpoint(c, x);
    } else if (!strcmp(rule, "momentum") || !strcmp(rule, "nesterov")) {
        int nest = !strcmp(rule, "nesterov"), first = c->disc_first;
        if (!c->alt) rc = heavy_ball_moves(c, x, nest, 1, 0, 1);
        else if ((rc = heavy_ball_moves(c, x, nest, 0, first, first ? c->n_d : c->n_g)) == GD_OK)
            rc = heavy_ball_moves(c, x, nest, 0, !first, first ? c->n_g : c->n_d);
    } else if (!strcmp(rule, "adam") || !strcmp(rule, "rmsprop")) {
        rc = adaptive(c, x, !strcmp(rule, "adam"), v);
    } else if (!strcmp(rule, "cgd")) {
        rc = competitive(c, x);
    } else {
        rc = GD_ENOTAVAIL;
    }
    free(v);
    return rc;
}

/* ------------------------------------------------ the kernel GAN's exact map ---- */
/* The discriminator as atoms: f = sum_a c_a K(., z_a). */
typedef struct {
    int d, n, cap;
    double *c, *z;
} atoms;

static void atoms_add(atoms *f, double c, const double *z)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->c = realloc(f->c, sizeof(double) * (size_t)f->cap);
        f->z = realloc(f->z, sizeof(double) * (size_t)f->cap * (size_t)f->d);
    }
    f->c[f->n] = c;
    memcpy(f->z + (size_t)f->n * (size_t)f->d, z, sizeof(double) * (size_t)f->d);
    f->n++;
}

typedef struct {
    const char *kernel;
    double sigma, alpha, lambda;
    int d, nr, ng;
    const double *xr, *pr, *pg;
} kernel_game;

/* grad_x K(x, z) written from the kernels' formulas. */
static void kernel_grad(const kernel_game *g, const double *x, const double *z, double *out)
{
    double r2 = 0;
    for (int i = 0; i < g->d; i++) r2 += (x[i] - z[i]) * (x[i] - z[i]);
    double s2 = g->sigma * g->sigma, r = sqrt(r2), f;
    if (!strcmp(g->kernel, "rq")) f = -pow(1 + r2 / (2 * g->alpha * s2), -g->alpha - 1) / s2;
    else if (!strcmp(g->kernel, "laplace")) f = r > 0 ? -exp(-r / g->sigma) / (g->sigma * r) : 0;
    else f = -exp(-r2 / (2 * s2)) / s2;
    for (int i = 0; i < g->d; i++) out[i] = f * (x[i] - z[i]);
}

static void atoms_grad(const kernel_game *g, const atoms *f, const double *x, double *out)
{
    double *t = malloc(sizeof(double) * (size_t)g->d);
    for (int i = 0; i < g->d; i++) out[i] = 0;
    for (int a = 0; a < f->n; a++) {
        kernel_grad(g, x, f->z + (size_t)a * (size_t)g->d, t);
        for (int i = 0; i < g->d; i++) out[i] += f->c[a] * t[i];
    }
    free(t);
}

/* f <- a f + eta_d (T - S(x~)) */
static void disc_step(const kernel_game *g, atoms *f, const double *xg, double hd)
{
    for (int a = 0; a < f->n; a++) f->c[a] *= 1 - hd * g->lambda;
    for (int i = 0; i < g->nr; i++) atoms_add(f, hd * g->pr[i], g->xr + i * g->d);
    for (int j = 0; j < g->ng; j++) atoms_add(f, -hd * g->pg[j], xg + j * g->d);
}

/* x~_j <- x~_j + eta_g q_j grad f(x~_j), every point reading the same f and x~. */
static void gen_step(const kernel_game *g, const atoms *f, double *xg, double hg)
{
    int G = g->ng * g->d;
    double *old = malloc(sizeof(double) * (size_t)(G + g->d)), *gr = old + G;
    memcpy(old, xg, sizeof(double) * (size_t)G);
    for (int j = 0; j < g->ng; j++) {
        atoms_grad(g, f, old + j * g->d, gr);
        for (int i = 0; i < g->d; i++) xg[j * g->d + i] += hg * g->pg[j] * gr[i];
    }
    free(old);
}

/* Parses "a,b;c,d" (or ';' only for d = 1) into doubles. */
static int numbers(const char *text, double *out)
{
    int n = 0;
    for (const char *p = text; *p;) {
        char *end;
        out[n++] = strtod(p, &end);
        p = *end ? end + 1 : end;
    }
    return n;
}

/* The exact map against atoms: ITERS * 3 iterations from the model's default start, whose
 * discriminator is f = 0 (cold) or f* = (T - S*)/lambda (warm: atoms on the true points
 * with the clusters' mass excesses over lambda). rule: GD_GDA_* of gd_impl.h order:
 * 0 simultaneous, 1 disc_first, 2 gen_first. */
static void exact_map_case(const model_case *mc, gd_stepper *st, const gd_model *m, int rule, double hg, double hd, const char *what)
{
    kernel_game g = {kv_value(mc->kv, "kernel", "gauss"), atof(kv_value(mc->kv, "sigma", "1")), atof(kv_value(mc->kv, "alpha", "1")),
                     atof(kv_value(mc->kv, "lambda", "1")), atoi(kv_value(mc->kv, "d", "1")), 0, 0, NULL, NULL, NULL};
    double xr[16], pr[8], xg[16], pg[8];
    g.nr = numbers(kv_value(mc->kv, "true_points", "0"), xr) / g.d;
    g.ng = numbers(kv_value(mc->kv, "gen_points", ""), xg) / g.d;
    if (numbers(kv_value(mc->kv, "true_masses", ""), pr) == 0)
        for (int i = 0; i < g.nr; i++) pr[i] = 1.0 / g.nr;
    numbers(kv_value(mc->kv, "gen_masses", ""), pg);
    g.xr = xr, g.pr = pr, g.pg = pg;
    atoms f = {g.d, 0, 0, NULL, NULL};
    int warm = atoi(kv_value(mc->kv, "warm_start", "1"));
    for (int c = 0; warm && c < g.nr; c++) { /* f* = (T - S*)/lambda, S* with each point on its nearest true point */
        double delta = pr[c];
        for (int j = 0; j < g.ng; j++) {
            int best = 0;
            double bd = INFINITY;
            for (int c2 = 0; c2 < g.nr; c2++) {
                double r = 0;
                for (int i = 0; i < g.d; i++) r += pow(xg[j * g.d + i] - xr[c2 * g.d + i], 2);
                if (r < bd) bd = r, best = c2;
            }
            if (best == c) delta -= pg[j];
        }
        if (delta != 0) atoms_add(&f, delta / g.lambda, xr + c * g.d);
    }
    int n = gd_model_dim(m), G = g.ng * g.d;
    double *x = malloc(sizeof(double) * (size_t)n), t = 0, err = 0;
    CHECK_OK(gd_model_default_start(m, x));
    CHECK_OK(gd_stepper_reset(st, x));
    for (int k = 0; k < 3 * ITERS; k++) {
        CHECK_OK(gd_stepper_step(st, x, &t));
        if (rule == 1) disc_step(&g, &f, xg, hd);
        double prev[16];
        memcpy(prev, xg, sizeof(double) * (size_t)G);
        gen_step(&g, &f, xg, hg);
        if (rule == 0) disc_step(&g, &f, prev, hd);
        if (rule == 2) disc_step(&g, &f, xg, hd);
        for (int i = 0; i < G; i++) err = fmax(err, fabs(x[i] - xg[i]));
    }
    if (!(err <= 1e-14)) fprintf(stderr, "%s: |x~ - atoms| = %.3g\n", what, err);
    CHECK(err <= 1e-14);
    free(x), free(f.c), free(f.z);
}

/* ---------------------------------------------------------------- driver ------- */
static void run_case(const model_case *mc, const gd_integrator_type *it, const rule_setting *rs, int *compared, int *refused)
{
    const char *rule = gd_integrator_type_name(it);
    char what[512];
    int len = snprintf(what, sizeof what, "%s", mc->model);
    for (int i = 0; mc->kv[i] && len < 400; i += 2) len += snprintf(what + len, sizeof what - (size_t)len, " %s=%s", mc->kv[i], mc->kv[i + 1]);
    len += snprintf(what + len, sizeof what - (size_t)len, " x %s", rule);
    for (int i = 0; rs->kv[i] && len < 480; i += 2) len += snprintf(what + len, sizeof what - (size_t)len, " %s=%s", rs->kv[i], rs->kv[i + 1]);

    gd_model *m = make_model(mc->model, mc->kv);
    const double hg = 0.04, hd = 0.06;
    const char *kv[24] = {"h", "0.05", "lr_g", "0.04", "lr_d", "0.06"};
    for (int i = 0; rs->kv[i]; i++) kv[6 + i] = rs->kv[i];
    gd_stepper *st = make_stepper(rule, m, kv);
    int n = gd_model_dim(m);
    ref_ctx c = {m, n, gd_model_ngen(m), hg, hd, atol(kv_value(rs->kv, "n_g", "1")), atol(kv_value(rs->kv, "n_d", "1")),
                 !strcmp(kv_value(rs->kv, "order", "gen_first"), "disc_first"), malloc(sizeof(double) * 3 * (size_t)n),
                 !strcmp(kv_value(rs->kv, "update", "sim"), "alt"), {0, 0}, rs->kv, NULL, NULL, 0};
    const char *beta = kv_value(rs->kv, "beta", "-0.5");
    c.beta[0] = atof(kv_value(rs->kv, "beta_g", beta)), c.beta[1] = atof(kv_value(rs->kv, "beta_d", beta));
    c.mean = c.prev + n, c.sq = c.mean + n;
    for (int i = 0; i < n; i++) c.mean[i] = 0, c.sq[i] = atof(kv_value(rs->kv, "v0", "0"));
    double *x = malloc(sizeof(double) * 3 * (size_t)n), *xr = x + n, *v = xr + n, t = 0;
    CHECK_OK(gd_model_default_start(m, x));
    int has_field = gd_model_field(m, x, v) == GD_OK;
    if (!has_field) { /* a map without a field: the model's own GDA step or a refusal */
        int own = (!strcmp(rule, "simgd") || (!strcmp(rule, "altgd") && c.n_g == 1 && c.n_d == 1) || !strcmp(rule, "symplectic_euler"));
        CHECK(!strcmp(mc->model, "kernel_gda")); /* the only model with its own step; another needs a reference here */
        if (own) {
            exact_map_case(mc, st, m, !strcmp(rule, "simgd") ? 0 : c.disc_first ? 1 : 2, hg, hd, what);
            (*compared)++;
        } else {
            int rc = gd_stepper_reset(st, x); /* optimistic evaluates the field here */
            if (rc == GD_OK) rc = gd_stepper_step(st, x, &t);
            CHECK(rc < 0 && strstr(gd_stepper_errmsg(st), "without a vector field"));
            (*refused)++;
        }
    } else {
        memcpy(xr, x, sizeof(double) * (size_t)n);
        memcpy(c.prev, v, sizeof(double) * (size_t)n); /* optimistic's first step: F(x_-1) := F(x_0) */
        if (gd_integrator_type_reads(it, "beta")) memset(c.prev, 0, sizeof(double) * (size_t)n); /* the buffer starts at 0 */
        CHECK_OK(gd_stepper_reset(st, x));
        double err = 0, scale = 1;
        for (int k = 0; k < ITERS; k++) {
            CHECK_OK(gd_stepper_step(st, x, &t));
            int rc = reference(rule, &c, xr);
            if (rc == GD_ENOTAVAIL) fprintf(stderr, "%s: no reference rule for integrator '%s' in this test\n", what, rule);
            CHECK_OK(rc);
            for (int i = 0; i < n; i++) err = fmax(err, fabs(x[i] - xr[i])), scale = fmax(scale, fabs(xr[i]));
        }
        /* round-off of differently ordered sums; implicit_midpoint: its Newton tolerance */
        double tol = (!strcmp(rule, "implicit_midpoint") ? 1e-12 : 1e-13) * scale;
        if (!(err <= tol)) fprintf(stderr, "%s: |step - definition| = %.3g (scale %.3g)\n", what, err, scale);
        CHECK(err <= tol);
        (*compared)++;
    }
    free(x), free(c.prev);
    gd_stepper_free(&st);
    gd_model_free(&m);
}

int main(void)
{
    int compared = 0, refused = 0;
    for (const gd_model_type *const *mt = gd_model_types(); *mt; mt++) {
        int covered = 0;
        for (int i = 0; i < NCASES; i++) covered |= !strcmp(cases[i].model, gd_model_type_name(*mt));
        if (!covered) fprintf(stderr, "model '%s' has no case in test_rules.c\n", gd_model_type_name(*mt));
        CHECK(covered);
    }
    for (int i = 0; i < NCASES; i++)
        for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
            if (!gd_integrator_type_is_fixed_step(*it)) continue;
            rule_setting rs[4];
            int ns = settings_of(gd_integrator_type_name(*it), rs);
            for (int s = 0; s < ns; s++) run_case(&cases[i], *it, &rs[s], &compared, &refused);
        }
    printf("%d model x rule pairs equal their definitions, %d refused (no field)\n", compared, refused);
    return check_report("test_rules");
}
