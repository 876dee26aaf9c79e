/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Every registered integrator on the linear two-player block J = [[-a, -s], [s, -b]]:
 *  - exactness: one iteration equals its closed-form map (docs/models/linear.md), with
 *    different generator and discriminator rates where the rule has players;
 *  - order: on the rotation a = b = 0 the error at T = 2 falls by 2^p when h halves,
 *    p the order the registry declares; cvode matches the exact flow at tight tolerance.
 *    The heavy-ball rules (momentum, nesterov) keep a buffer that settles at F/(1 - beta),
 *    so an iteration advances the flow by h/(1 - beta): they run T (1 - beta)/h iterations.
 * An integrator added to the registry without a reference here fails the test.
 */
#include "check.h"

#include <string.h>

typedef double mat[4];

static void mul(const double *A, const double *B, double *C)
{
    mat t = {A[0] * B[0] + A[1] * B[2], A[0] * B[1] + A[1] * B[3], A[2] * B[0] + A[3] * B[2], A[2] * B[1] + A[3] * B[3]};
    memcpy(C, t, sizeof t);
}

static void apply(const double *A, const double *x, double *y)
{
    double t[2] = {A[0] * x[0] + A[1] * x[1], A[2] * x[0] + A[3] * x[1]};
    y[0] = t[0], y[1] = t[1];
}

static void power(const double *A, int n, double *P)
{
    mat r = {1, 0, 0, 1};
    for (int i = 0; i < n; i++) mul(A, r, r);
    memcpy(P, r, sizeof r);
}

/* sum_k (HJ)^k / k! for k <= p: the stability polynomial of explicit RK of order p. */
static void taylor(const double *HJ, int p, double *R)
{
    mat term = {1, 0, 0, 1}, sum = {1, 0, 0, 1};
    for (int k = 1; k <= p; k++) {
        mul(HJ, term, term);
        for (int i = 0; i < 4; i++) term[i] /= k;
        for (int i = 0; i < 4; i++) sum[i] += term[i];
    }
    memcpy(R, sum, sizeof sum);
}

static const double A_ = 0.3, B_ = 0.1, S_ = 1.0, HG = 0.2, HD = 0.1, BETA_G = -0.3, BETA_D = 0.4;

/* momentum (nesterov = 0) and nesterov on (x, b), b = 0 at the start:
 * b+ = beta b + J x, x+ = x + H b+ (momentum) or x + H (J x + beta b+) (nesterov). */
static void heavy_ball(int nesterov, const double *x0, int iters, double *x)
{
    double b[2] = {0, 0}, v[2], beta[2] = {BETA_G, BETA_D}, h[2] = {HG, HD}, J[4] = {-A_, -S_, S_, -B_};
    x[0] = x0[0], x[1] = x0[1];
    for (int k = 0; k < iters; k++) {
        apply(J, x, v);
        for (int i = 0; i < 2; i++) b[i] = beta[i] * b[i] + v[i];
        for (int i = 0; i < 2; i++) x[i] += h[i] * (nesterov ? v[i] + beta[i] * b[i] : b[i]);
    }
}

/* adam (beta1 = 0.5, beta2 = 0.999, bias correction) and rmsprop (no m, beta2 = 0.99, none) at
 * their defaults, eps = 1e-8 outside the root, from m = v = 0 (docs/optimizers.md):
 * m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, x += h (m/c1) / (sqrt(v/c2) + eps), c = 1 - b^k. */
static void adaptive_reference(int adam, const double *x0, int iters, double *x)
{
    const double b1 = adam ? 0.5 : 0, b2 = adam ? 0.999 : 0.99, h[2] = {HG, HD};
    double m[2] = {0, 0}, v[2] = {0, 0}, g[2];
    x[0] = x0[0], x[1] = x0[1];
    for (int k = 1; k <= iters; k++) {
        g[0] = -A_ * x[0] - S_ * x[1], g[1] = S_ * x[0] - B_ * x[1];
        double c1 = adam ? 1 - pow(b1, k) : 1, c2 = adam ? 1 - pow(b2, k) : 1;
        for (int i = 0; i < 2; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            x[i] += h[i] * (m[i] / c1) / (sqrt(v[i] / c2) + 1e-8);
        }
    }
}

/* Expected x after `iters` iterations from x0, or 0 if there is no reference. */
static int reference(const char *name, const double *x0, int iters, double *x)
{
    mat J = {-A_, -S_, S_, -B_}, HJ = {HG * J[0], HG * J[1], HD * J[2], HD * J[3]}, M;
    mat G = {1 - HG * A_, -HG * S_, 0, 1}, D = {1, 0, HD * S_, 1 - HD * B_};
    mat Gh = {1 - 0.5 * HG * A_, -0.5 * HG * S_, 0, 1}, Gn, Dn;
    if (!strcmp(name, "simgd")) taylor(HJ, 1, M);
    else if (!strcmp(name, "heun")) taylor(HJ, 2, M);
    else if (!strcmp(name, "rk4")) taylor(HJ, 4, M);
    else if (!strcmp(name, "extragradient")) {
        mat HJ2;
        mul(HJ, HJ, HJ2);
        for (int i = 0; i < 4; i++) M[i] = (i == 0 || i == 3) + HJ[i] + HJ2[i];
    } else if (!strcmp(name, "altgd")) { /* n_g = 2, n_d = 3, gen_first: D^3 G^2 */
        power(G, 2, Gn);
        power(D, 3, Dn);
        mul(Dn, Gn, M);
    } else if (!strcmp(name, "symplectic_euler")) mul(D, G, M);
    else if (!strcmp(name, "leapfrog")) {
        mul(D, Gh, M);
        mul(Gh, M, M);
    } else if (!strcmp(name, "implicit_midpoint")) { /* (I - HJ/2)^-1 (I + HJ/2) */
        mat P = {1 + HJ[0] / 2, HJ[1] / 2, HJ[2] / 2, 1 + HJ[3] / 2}, Q = {1 - HJ[0] / 2, -HJ[1] / 2, -HJ[2] / 2, 1 - HJ[3] / 2};
        double det = Q[0] * Q[3] - Q[1] * Q[2];
        mat Qi = {Q[3] / det, -Q[1] / det, -Q[2] / det, Q[0] / det};
        mul(Qi, P, M);
    } else if (!strcmp(name, "cgd")) { /* (I - HN)^-1 (I + H D_J), N the coupling (off-diagonal) entries of J */
        mat Q = {1, -HJ[1], -HJ[2], 1}, P = {1 + HJ[0], 0, 0, 1 + HJ[3]};
        double det = Q[0] * Q[3] - Q[1] * Q[2];
        mat Qi = {Q[3] / det, -Q[1] / det, -Q[2] / det, Q[0] / det};
        mul(Qi, P, M);
    } else if (!strcmp(name, "optimistic")) { /* x1 = (I + HJ) x0, x_{n+1} = x_n + 2HJ x_n - HJ x_{n-1} */
        double prev[2] = {x0[0], x0[1]}, cur[2], hp[2], hc[2];
        apply(HJ, x0, hc);
        cur[0] = x0[0] + hc[0], cur[1] = x0[1] + hc[1];
        for (int k = 1; k < iters; k++) {
            apply(HJ, cur, hc);
            apply(HJ, prev, hp);
            prev[0] = cur[0], prev[1] = cur[1];
            cur[0] += 2 * hc[0] - hp[0], cur[1] += 2 * hc[1] - hp[1];
        }
        x[0] = cur[0], x[1] = cur[1];
        return 1;
    } else if (!strcmp(name, "momentum") || !strcmp(name, "nesterov")) {
        heavy_ball(!strcmp(name, "nesterov"), x0, iters, x);
        return 1;
    } else if (!strcmp(name, "adam") || !strcmp(name, "rmsprop")) {
        adaptive_reference(!strcmp(name, "adam"), x0, iters, x);
        return 1;
    } else return 0;
    power(M, iters, M);
    apply(M, x0, x);
    return 1;
}

static gd_model *linear_model(const char *a, const char *b)
{
    return make_model("linear", (const char *const[]){"a", a, "b", b, "s", "1", NULL});
}

static void exactness(const gd_integrator_type *it)
{
    const char *name = gd_integrator_type_name(it);
    gd_model *m = linear_model("0.3", "0.1");
    gd_stepper *s = make_stepper(name, m, (const char *const[]){"h", "0.2", "lr_g", "0.2", "lr_d", "0.1", "n_g", "2", "n_d", "3", "beta_g", "-0.3",
                                                                "beta_d", "0.4", NULL});
    double x0[2] = {0.3, -0.7}, x[2] = {0.3, -0.7}, want[2] = {NAN, NAN}, t = 0;
    gd_stepper_reset(s, x);
    for (int k = 0; k < 5; k++) gd_stepper_step(s, x, &t);
    int have = reference(name, x0, 5, want);
    if (!have) fprintf(stderr, "no exactness reference for integrator '%s'\n", name);
    CHECK(have);
    CHECK_NEAR(x[0], want[0], 1e-14);
    CHECK_NEAR(x[1], want[1], 1e-14);
    gd_stepper_free(&s);
    gd_model_free(&m);
}

/* Error at T = 2 on the rotation x' = (-psi, theta) from (1, 0); the heavy-ball rules with
 * beta = -0.5 take T (1 - beta)/h iterations (above). adam and rmsprop approximate the flow only
 * with their second moment frozen at D(v) = 1 (heavy-ball momentum beta1 with step
 * (1 - beta1) h, and simgd; docs/optimizers.md): the other rules ignore those keys. */
static double rotation_error(const gd_integrator_type *it, double h)
{
    const char *name = gd_integrator_type_name(it);
    gd_model *m = linear_model("0", "0");
    char hs[32], steps[32];
    long iters = lround((gd_integrator_type_reads(it, "beta") ? 1.5 : 1.0) * 2 / h);
    snprintf(hs, sizeof hs, "%.17g", h);
    snprintf(steps, sizeof steps, "%ld", iters);
    gd_stepper *s = make_stepper(name, m, (const char *const[]){"h", hs, "steps", steps, "beta", "-0.5", "freeze_v", "true", "v_frozen", "1", "eps", "0", NULL});
    double x[2] = {1, 0}, t = 0;
    gd_stepper_reset(s, x);
    for (long k = 0; k < iters; k++) gd_stepper_step(s, x, &t);
    gd_stepper_free(&s);
    gd_model_free(&m);
    return hypot(x[0] - cos(2.0), x[1] - sin(2.0));
}

static void order(const gd_integrator_type *it)
{
    const char *name = gd_integrator_type_name(it);
    double e1 = rotation_error(it, 0.02), e2 = rotation_error(it, 0.01);
    double p = log2(e1 / e2);
    if (fabs(p - gd_integrator_type_order(it)) > 0.15)
        fprintf(stderr, "%s: measured order %.3f (errors %.3g, %.3g), declared %d\n", name, p, e1, e2, gd_integrator_type_order(it));
    CHECK_NEAR(p, gd_integrator_type_order(it), 0.15);
}

/* cvode against the exact damped spiral e^{-at} R(st) (a = b). */
static void cvode_accuracy(void)
{
    gd_model *m = linear_model("0.3", "0.3");
    gd_stepper *s = make_stepper("cvode", m, (const char *const[]){"rtol", "1e-11", "atol", "1e-13", "t_end", "10", "steps", "10", NULL});
    double x[2] = {1, 0}, t = 0, worst = 0;
    gd_stepper_reset(s, x);
    for (int k = 1; k <= 10; k++) {
        CHECK_OK(gd_stepper_step(s, x, &t));
        CHECK_NEAR(t, k, 1e-12);
        double e = exp(-0.3 * t);
        worst = fmax(worst, hypot(x[0] - e * cos(t), x[1] - e * sin(t)));
    }
    CHECK_NEAR(worst, 0, 1e-9);
    CHECK(gd_stepper_get_nsteps(s) > 10 && gd_stepper_get_nfev(s) >= gd_stepper_get_nsteps(s));
    gd_stepper_free(&s);
    gd_model_free(&m);
}

int main(void)
{
    int n = 0;
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++, n++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        exactness(*it);
        order(*it);
    }
    CHECK(n >= 9);
    cvode_accuracy();
    return check_report("test_integrators");
}
