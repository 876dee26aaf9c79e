/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The derivatives continuation works with (docs/bifurcations.md, "Derivatives of the map"),
 * for every fixed-step rule of the registry, under equal and unequal rates, on the Dirac GAN
 * with a gradient penalty (an odd map) and the Henon map (normal_form, not odd):
 *  - J: gd_stepper_map_jacobian (analytic) against central differences, written here, of the
 *    rule's one-iteration map on its whole state (gd_stepper_map_state; rules with history,
 *    such as optimistic, momentum and adam, on (x, history));
 *  - B and C: gd_sim_map_derivatives (polarization and signed sums of Phi, what the normal-form
 *    coefficients use) against B(u, v) = d/ds J(x + s u) v and C(u, v, w) = d/ds B(x + s w)(u, v),
 *    both central differences of the analytic J computed here, for Phi and Phi^2 (whose J is the
 *    product along the orbit);
 *  - closed forms: the Henon map (B = (-2a u0 v0, 0), C = 0) and the logistic map squared.
 *
 * Step sizes and tolerances (all relative to max(1, the size of the quantity)):
 *  - J: delta = 1e-5 max(1, |z_j|): truncation delta^2 |Phi'''| / 6 ~ 1e-10, rounding
 *    eps |Phi| / delta ~ 1e-11; tolerance 1e-7.
 *  - B from J: delta = 1e-4: truncation ~ 1e-9, rounding ~ 1e-12. The library's B (second
 *    differences at delta_2 = 1e-4 max(1, |x|)) rounds at eps |Phi| / delta_2^2 ~ 1e-8;
 *    tolerance 1e-6 (the spec's acceptance for the coefficients).
 *  - C from B from J: delta = 1e-3 both: rounding eps / 1e-6 ~ 1e-10, truncation ~ 1e-6. The
 *    library's C (third differences at delta_3 = 1e-3) rounds at ~ 3 eps |Phi| / delta_3^3 ~ 1e-9
 *    per term and truncates at delta_3^2 |D^5 Phi| ~ 1e-6 |D^5 Phi|; tolerance 1e-4.
 */
#include "check.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define NMAX 8 /* map states up to 4 vectors of the 2-D models */

static double vmax(int n, const double *a)
{
    double r = 0;
    for (int i = 0; i < n; i++) r = fmax(r, fabs(a[i]));
    return r;
}

/* The worst |a - b| over n entries, relative to max(1, |b|). */
static double rel_err(int n, const double *a, const double *b)
{
    double d = 0;
    for (int i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
    return d / fmax(1, vmax(n, b));
}

/* z = (x, history as at a fixed point: every history vector F(x)), as gd_stepper_map_jacobian
 * takes it (gandyn.h). */
static void whole_state(gd_sim *s, const double *x, double *z)
{
    gd_stepper *st = gd_sim_get_stepper(s);
    int n = gd_model_dim(gd_sim_get_model(s)), N = gd_stepper_map_dim(st);
    memcpy(z, x, sizeof(double) * (size_t)n);
    for (int j = n; j < N; j += n) CHECK_OK(gd_model_field(gd_sim_get_model(s), x, z + j));
}

/* Central differences of the one-iteration map on the whole state at z. */
static void jacobian_fd(gd_stepper *st, const double *z, double *M)
{
    int N = gd_stepper_map_dim(st);
    for (int j = 0; j < N; j++) {
        double zp[NMAX], zm[NMAX], d = 1e-5 * fmax(1, fabs(z[j]));
        memcpy(zp, z, sizeof zp), memcpy(zm, z, sizeof zm);
        zp[j] += d, zm[j] -= d;
        CHECK_OK(gd_stepper_map_state(st, zp));
        CHECK_OK(gd_stepper_map_state(st, zm));
        for (int i = 0; i < N; i++) M[i * N + j] = (zp[i] - zm[i]) / (2 * d);
    }
}

/* The analytic J of Phi^k at x (a rule without history): J(x_{k-1}) ... J(x_0). */
static void jacobian_k(gd_stepper *st, int n, int k, const double *x, double *M)
{
    double y[NMAX], A[NMAX * NMAX], T[NMAX * NMAX];
    memcpy(y, x, sizeof(double) * (size_t)n);
    for (int it = 0; it < k; it++) {
        CHECK_OK(gd_stepper_map_jacobian(st, y, it ? A : M, NULL));
        if (it) {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    T[i * n + j] = 0;
                    for (int l = 0; l < n; l++) T[i * n + j] += A[i * n + l] * M[l * n + j];
                }
            memcpy(M, T, sizeof(double) * (size_t)(n * n));
        }
        CHECK_OK(gd_stepper_map_state(st, y));
    }
}

/* B(u, v) = [J(x + d u) - J(x - d u)] v / 2d. */
static void b_from_j(gd_stepper *st, int n, int k, const double *x, const double *u, const double *v, double d, double *B)
{
    double xp[NMAX], xm[NMAX], Jp[NMAX * NMAX], Jm[NMAX * NMAX];
    for (int i = 0; i < n; i++) xp[i] = x[i] + d * u[i], xm[i] = x[i] - d * u[i];
    jacobian_k(st, n, k, xp, Jp);
    jacobian_k(st, n, k, xm, Jm);
    for (int i = 0; i < n; i++) {
        B[i] = 0;
        for (int j = 0; j < n; j++) B[i] += (Jp[i * n + j] - Jm[i * n + j]) * v[j] / (2 * d);
    }
}

/* C(u, v, w) = [B at x + d w - B at x - d w](u, v) / 2d. */
static void c_from_b(gd_stepper *st, int n, int k, const double *x, const double *u, const double *v, const double *w, double *C)
{
    double xp[NMAX], xm[NMAX], Bp[NMAX], Bm[NMAX], d = 1e-3;
    for (int i = 0; i < n; i++) xp[i] = x[i] + d * w[i], xm[i] = x[i] - d * w[i];
    b_from_j(st, n, k, xp, u, v, 1e-3, Bp);
    b_from_j(st, n, k, xm, u, v, 1e-3, Bm);
    for (int i = 0; i < n; i++) C[i] = (Bp[i] - Bm[i]) / (2 * d);
}

typedef struct {
    const char *label;
    const char *const *model; /* "model.key", value pairs */
    double x[2];
} model_case;

static const char *const dirac_gp[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "0.3", NULL};
static const char *const henon[] = {"model.name", "normal_form", "model.form", "henon", NULL};

/* The configuration of (model, rule, rates): the rules' own keys as test_analysis sets them
 * (adam and rmsprop: their frozen-second-moment map, the one their analytic J is of). */
static gd_sim *rule_sim(const model_case *mc, const char *rule, int unequal, int period)
{
    const char *kv[64];
    int n = 0;
    for (int i = 0; mc->model[i]; i++) kv[n++] = mc->model[i];
    char per[8];
    snprintf(per, sizeof per, "%d", period);
    const char *rest[] = {"integrator.name", rule, "integrator.h", "0.3", "integrator.lr_d", unequal ? "0.17" : "0.3", "integrator.n_g", "2",
                          "integrator.n_d", "3", "integrator.freeze_v", "true", "integrator.v_frozen_g", "0.3", "integrator.v_frozen_d", "0.2",
                          "integrator.beta2", "0.9", "continuation.period", per, NULL};
    for (int i = 0; rest[i]; i++) kv[n++] = rest[i];
    kv[n] = NULL;
    return make_sim(kv);
}

static double worst_j, worst_b, worst_c;

/* J on the whole state for one configuration. */
static void check_j(const model_case *mc, const char *rule, int unequal)
{
    gd_sim *s = rule_sim(mc, rule, unequal, 1);
    gd_stepper *st = gd_sim_get_stepper(s);
    int N = gd_stepper_map_dim(st), an = 0;
    double z[NMAX], A[NMAX * NMAX], F[NMAX * NMAX];
    CHECK(N <= NMAX);
    whole_state(s, mc->x, z);
    CHECK_OK(gd_stepper_map_jacobian(st, mc->x, A, &an));
    jacobian_fd(st, z, F);
    double e = rel_err(N * N, A, F);
    worst_j = fmax(worst_j, e);
    if (!an || !(e <= 1e-7)) fprintf(stderr, "J %s %s %s: analytic %d, |J - FD| = %.3g\n", mc->label, rule, unequal ? "unequal" : "equal", an, e);
    CHECK(an && e <= 1e-7);
    gd_sim_free(&s);
}

/* B and C of Phi^k for one configuration of a rule without history. */
static void check_bc(const model_case *mc, const char *rule, int unequal, int k)
{
    gd_sim *s = rule_sim(mc, rule, unequal, k);
    gd_stepper *st = gd_sim_get_stepper(s);
    int n = 2;
    const double u[2] = {0.8, -0.3}, v[2] = {0.2, 0.9}, w[2] = {-0.5, 0.4};
    double B[2], C[2], Bj[2], Cj[2];
    CHECK_OK(gd_sim_map_derivatives(s, mc->x, u, v, w, B, C));
    b_from_j(st, n, k, mc->x, u, v, 1e-4, Bj);
    c_from_b(st, n, k, mc->x, u, v, w, Cj);
    double eb = rel_err(n, B, Bj), ec = rel_err(n, C, Cj);
    worst_b = fmax(worst_b, eb), worst_c = fmax(worst_c, ec);
    if (!(eb <= 1e-6 && ec <= 1e-4))
        fprintf(stderr, "B, C %s %s %s k = %d: |B - B_J| = %.3g, |C - C_J| = %.3g\n", mc->label, rule, unequal ? "unequal" : "equal", k, eb, ec);
    CHECK(eb <= 1e-6);
    CHECK(ec <= 1e-4);
    gd_sim_free(&s);
}

static int has_history(const char *rule) { return gd_integrator_type_state_name(gd_integrator_type_find(rule), 1) != NULL; }

static void registry(void)
{
    const model_case cases[] = {{"dirac+gp", dirac_gp, {0.7, -0.4}}, {"henon", henon, {0.3, 0.2}}};
    int rules = 0;
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        const char *rule = gd_integrator_type_name(*it);
        rules++;
        for (int c = 0; c < 2; c++)
            for (int unequal = 0; unequal < 2; unequal++) {
                check_j(&cases[c], rule, unequal);
                for (int k = 1; k <= 2 && !has_history(rule); k++) check_bc(&cases[c], rule, unequal, k);
            }
        if (has_history(rule)) { /* continuation takes no coefficients on (x, history): refused, said why */
            gd_sim *s = rule_sim(&cases[0], rule, 0, 1);
            double B[2], u[2] = {1, 0};
            CHECK(gd_sim_map_derivatives(s, cases[0].x, u, u, NULL, B, NULL) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "history"));
            gd_sim_free(&s);
        }
    }
    CHECK(rules >= 14); /* every fixed-step rule of the registry took part */
    printf("%d fixed-step rules: worst |J - FD| %.2g, |B - B_J| %.2g, |C - C_J| %.2g (relative)\n", rules, worst_j, worst_b, worst_c);
}

/* Closed forms: the Henon map's B = (-2a u0 v0, 0) and C = 0; the logistic map squared,
 * f = Phi o Phi: f'' = Phi''(y) Phi'(x)^2 + Phi'(y) Phi''(x), f''' = 3 Phi''(y) Phi'(x) Phi''(x),
 * y = Phi(x), Phi' = r (1 - 2x), Phi'' = -2r. */
static void closed_forms(void)
{
    const char *kv[] = {"model.name", "normal_form", "model.form", "henon", "integrator.name", "simgd", "integrator.h", "1", NULL};
    gd_sim *s = make_sim(kv);
    double x[2] = {0.3, 0.2}, u[2] = {0.8, -0.3}, v[2] = {0.2, 0.9}, w[2] = {-0.5, 0.4}, B[2], C[2];
    CHECK_OK(gd_sim_map_derivatives(s, x, u, v, w, B, C));
    CHECK_NEAR(B[0], -2 * 1.4 * u[0] * v[0], 1e-8);
    CHECK_NEAR(B[1], 0, 1e-8);
    CHECK_NEAR(C[0], 0, 1e-6);
    CHECK_NEAR(C[1], 0, 1e-6);
    gd_sim_free(&s);
    const double r = 3.4, x0 = 0.37, y = r * x0 * (1 - x0), d1x = r * (1 - 2 * x0), d1y = r * (1 - 2 * y), d2 = -2 * r;
    const char *kl[] = {"model.name", "normal_form", "model.form", "logistic", "model.r", "3.4", "integrator.name", "simgd", "integrator.h", "1",
                        "continuation.period", "2", NULL};
    s = make_sim(kl);
    double one = 1, b, c;
    CHECK_OK(gd_sim_map_derivatives(s, &x0, &one, &one, &one, &b, &c));
    /* Phi^2's B and C come from the chain rule over the orbit with each step's by differences of
     * the quadratic Phi: exact up to rounding (2e-9 observed). Polarization on the whole quartic
     * Phi^2 (f'''' = -24 r^3) had a truncation of delta_2^2 |f''''| 2^4 / 48 ~ 4e-7 relative. */
    printf("logistic^2: B %.3g, C %.3g relative to the closed forms\n", fabs(b / (d2 * d1x * d1x + d1y * d2) - 1), fabs(c / (3 * d2 * d1x * d2) - 1));
    CHECK_REL(b, d2 * d1x * d1x + d1y * d2, 1e-7);
    CHECK_REL(c, 3 * d2 * d1x * d2, 1e-6);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- multiple shooting */
/* The logistic map (normal_form, simgd at h = 1) continued in r with continuation.period = k. */
static int logistic_branch(double r, double x0, int k, const char *shooting, double lo, double hi, int branches, gd_continue_result *res)
{
    char rs[32], xs[32], ks[8], bs[8];
    snprintf(rs, sizeof rs, "%.17g", r), snprintf(xs, sizeof xs, "%.17g", x0), snprintf(ks, sizeof ks, "%d", k), snprintf(bs, sizeof bs, "%d", branches);
    gd_sim *s = make_sim((const char *const[]){"model.name", "normal_form", "model.form", "logistic", "model.r", rs, "integrator.h", "1", "run.x0", xs,
                                               "continuation.period", ks, "continuation.shooting", shooting, "continuation.branches", bs, NULL});
    int rc = gd_sim_continue(s, "model.r", lo, hi, res);
    if (rc != GD_OK) fprintf(stderr, "continue k = %d (%s): %s\n", k, shooting, gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* A point of the attracting orbit at r: x_0 = 0.5 iterated n times. */
static double attractor_point(double r, long n)
{
    double x = 0.5;
    for (long i = 0; i < n; i++) x = r * x * (1 - x);
    return x;
}

/* The special points of a type on branch b. */
static int count_type(const gd_continue_result *r, int b, int type)
{
    int c = 0;
    for (int i = 0; i < r->nspecial; i++) c += r->special[i].branch == b && r->special[i].type == type;
    return c;
}

static const gd_special_point *first_of(const gd_continue_result *r, int type)
{
    for (int i = 0; i < r->nspecial; i++)
        if (r->special[i].type == type) return &r->special[i];
    return NULL;
}

/* The period-4 branch's PD at r_3 = 3.544090360 (V6) with multiple shooting forced on and off:
 * both at the spec's value (1e-9) and within 1e-9 of each other. The period-16 orbit past
 * r_4 = 3.564407266 (k > 8: multiple shooting by default), traced through x_0: at its birth
 * from the period-8 orbit x_0 turns back into Phi^8(x_0) (the pitchfork of Phi^16 seen from one
 * side: a fold of the branch, multiplier +1), and both halves meet its own PD at
 * r_5 = 3.568759420 (the Feigenbaum sequence of doublings), reported once. */
static void shooting(void)
{
    double pd[2] = {NAN, NAN};
    for (int ms = 0; ms < 2; ms++) {
        gd_continue_result r;
        CHECK_OK(logistic_branch(3.5, attractor_point(3.5, 4000), 4, ms ? "multiple" : "single", 3.5, 3.55, 1, &r));
        const gd_special_point *p = first_of(&r, GD_PT_PD);
        CHECK(p != NULL);
        if (p) pd[ms] = p->p;
        gd_continue_result_free(&r);
    }
    CHECK_NEAR(pd[0], 3.544090360, 1e-9);
    CHECK_NEAR(pd[1], 3.544090360, 1e-9);
    CHECK_NEAR(pd[1], pd[0], 1e-9);
    printf("period 4 PD: single %.12f, multiple %.12f\n", pd[0], pd[1]);
    gd_continue_result r;
    CHECK_OK(logistic_branch(3.566, attractor_point(3.566, 100000), 16, "auto", 3.564, 3.569, 1, &r));
    const gd_special_point *bp = first_of(&r, GD_PT_LP), *p5 = first_of(&r, GD_PT_PD);
    CHECK(bp != NULL && p5 != NULL);
    if (bp) CHECK_NEAR(bp->p, 3.564407266, 1e-9);
    if (p5) CHECK_NEAR(p5->p, 3.568759420, 1e-9);
    /* met from both halves, one bifurcation of one orbit: reported once; supercritical (the
     * cascade's doublings are), a sign the differences of the whole Phi^16 got wrong on one half
     * before the chain rule */
    CHECK(count_type(&r, 0, GD_PT_PD) == 1);
    if (p5) CHECK(!strcmp(p5->criticality, "super") && p5->coeff > 0);
    if (bp && p5) printf("period 16: born at %.12f (fold of x_0), PD at %.12f\n", bp->p, p5->p);
    gd_continue_result_free(&r);
}

/* Checks of the one PD of branch b at r_want: on a k-orbit through its x (Phi^k(x) = x) whose
 * multiplier prod_j r (1 - 2 x_j), computed here along the orbit, is -1; its child branch of
 * period 2k. */
static void one_pd(const gd_continue_result *r, int b, int k, double r_want)
{
    CHECK(count_type(r, b, GD_PT_PD) == 1);
    const gd_special_point *pd = NULL;
    for (int i = 0; i < r->nspecial; i++)
        if (r->special[i].branch == b && r->special[i].type == GD_PT_PD) pd = &r->special[i];
    if (!pd) return;
    double rr = pd->p, x = pd->x[0], mu = 1;
    for (int j = 0; j < k; j++) mu *= rr * (1 - 2 * x), x = rr * x * (1 - x);
    printf("period %2d: PD at %.12f, |Phi^k(x) - x| %.2g, multiplier %.10f\n", k, rr, fabs(x - pd->x[0]), mu);
    CHECK_NEAR(rr, r_want, 1e-9);
    CHECK_NEAR(x, pd->x[0], 1e-8);
    CHECK_NEAR(mu, -1, 1e-6);
    CHECK(pd->child > b && pd->child < r->nbranches && r->branches[pd->child].period == 2 * k);
}

/* The logistic map's cascade, r_1 .. r_5 = 3, 1 + sqrt 6, 3.544090360, 3.564407266, 3.568759420
 * (the spec's values): one period-k orbit is one object, each of its doublings is reported once.
 *  - Switched onto from period 1 (r from 2.5 to 3.569): the branches of period 1, 2, .., 32, each
 *    the child of its parent's PD, with one PD each up to period 16; none on period 32, whose
 *    doubling r_6 = 3.569691610 lies past the bound.
 *  - From a point of the attracting k-orbit, k = 2 .. 16, traced both ways: the branch turns at
 *    the orbit's birth r_i, where x_0 becomes Phi^(k/2)(x_0), so both halves carry the same
 *    orbits and reach r_i+1: the PD there is reported once (it was twice, once per half) and
 *    switched at once (one branch of period 2k, not two copies of one orbit shifted by k). */
static void cascade_once(void)
{
    const double rc[] = {3, 1 + sqrt(6), 3.544090360, 3.564407266, 3.568759420};
    gd_continue_result r;
    CHECK_OK(logistic_branch(2.5, 0.6, 1, "auto", 2.5, 3.569, 6, &r));
    CHECK(r.nbranches == 6);
    for (int b = 0, k = 1; b < 5 && b < r.nbranches; b++, k *= 2) {
        CHECK(r.branches[b].period == k);
        one_pd(&r, b, k, rc[b]);
    }
    if (r.nbranches == 6) CHECK(r.branches[5].period == 32 && count_type(&r, 5, GD_PT_PD) == 0);
    gd_continue_result_free(&r);
    const double at[] = {3.3, 3.5, 3.56, 3.567}, lo[] = {2.9, 3.44, 3.54, 3.564}, hi[] = {3.46, 3.55, 3.566, 3.569};
    for (int i = 0, k = 2; i < 4; i++, k *= 2) {
        CHECK_OK(logistic_branch(at[i], attractor_point(at[i], 100000), k, "auto", lo[i], hi[i], 2, &r));
        CHECK(r.nbranches == 2 && r.branches[0].period == k);
        one_pd(&r, 0, k, rc[i + 1]);
        gd_continue_result_free(&r);
    }
}

/* The flip coefficient of the period-2 orbit at its PD, r = 1 + sqrt 6: for f = Phi o Phi in
 * one dimension (q = p = 1, f' = -1), c = f'''/6 + f''^2/4 with the closed forms of closed_forms()
 * at the reported point. B and C of Phi^2 go through the chain rule over the orbit, each step's
 * by differences of one iteration (exact for the quadratic Phi); differences of the whole quartic
 * Phi^2 gave c 2e-5 too large. */
static void pd2_coefficient(void)
{
    gd_continue_result r;
    CHECK_OK(logistic_branch(2.5, 0.6, 1, "auto", 2.5, 3.5, 3, &r));
    const gd_special_point *pd = NULL;
    for (int i = 0; i < r.nspecial; i++)
        if (r.special[i].type == GD_PT_PD && r.branches[r.special[i].branch].period == 2) pd = &r.special[i];
    CHECK(pd != NULL);
    if (pd) {
        double rr = pd->p, x = pd->x[0], y = rr * x * (1 - x), d2 = -2 * rr, d1x = rr * (1 - 2 * x), d1y = rr * (1 - 2 * y);
        double f2 = d2 * d1x * d1x + d1y * d2, f3 = 3 * d2 * d1x * d2;
        CHECK_NEAR(rr, 1 + sqrt(6), 1e-10);
        CHECK_REL(pd->coeff, f3 / 6 + f2 * f2 / 4, 1e-8);
        printf("period-2 PD: c = %.10g, closed form %.10g\n", pd->coeff, f3 / 6 + f2 * f2 / 4);
    }
    gd_continue_result_free(&r);
}

/* A strongly unstable orbit: at r = 4 the logistic map is conjugate to theta -> 2 theta mod 1
 * (x = sin^2(pi theta)), so theta = m / (2^40 - 1) is a period-40 point with multiplier 2^40 in
 * modulus. m's bits (the first 40 of the Thue-Morse word) have no run longer than 2: the orbit
 * keeps away from 0, 1 and the critical point 1/2. Newton on Phi^40(x) = x cannot get its
 * residual below ~2^40 eps = 1e-4 and fails; multiple shooting converges, the multiplier to 1e-8. */
static void unstable_orbit(void)
{
    const char *bits = "0110100110010110100101100110100110010110";
    double m = 0;
    for (int i = 0; i < 40; i++) m = 2 * m + (bits[i] == '1');
    double theta = m / (ldexp(1, 40) - 1), x0 = pow(sin(M_PI * theta), 2);
    gd_continue_result r;
    gd_sim *s = make_sim((const char *const[]){"model.name", "normal_form", "model.form", "logistic", "model.r", "4", "integrator.h", "1", "continuation.period",
                                               "40", "continuation.shooting", "single", NULL});
    char xs[32];
    snprintf(xs, sizeof xs, "%.17g", x0);
    CHECK_OK(gd_sim_set(s, "run.x0", xs));
    CHECK_OK(gd_sim_setup(s));
    CHECK(gd_sim_continue(s, "model.r", 4 - 1e-6, 4, &r) == GD_ESOLVER && strstr(gd_sim_errmsg(s), "Newton"));
    gd_sim_free(&s);
    CHECK_OK(logistic_branch(4, x0, 40, "auto", 4 - 1e-6, 4, 1, &r));
    const gd_branch *b = r.nbranches ? &r.branches[0] : NULL;
    CHECK(b && b->n >= 3 && b->p[b->n - 1] == 4 && b->p[0] == 4 - 1e-6);
    if (b) {
        CHECK_REL(fabs(b->eig_re[b->n - 1]), ldexp(1, 40), 1e-8);
        CHECK_NEAR(b->x[b->n - 1], x0, 1e-12);
        CHECK(b->stability[b->n - 1] == 1);
    }
    gd_continue_result_free(&r);
}

/* Usage errors: NULL arguments, a flow without the key, a refused history. */
static void refusals(void)
{
    gd_sim *s = make_sim((const char *const[]){"model.name", "normal_form", "model.form", "henon", "integrator.h", "1", NULL});
    double x[2] = {0, 0}, B[2];
    CHECK(gd_sim_map_derivatives(s, x, x, x, NULL, NULL, NULL) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "NULL"));
    CHECK(gd_sim_map_derivatives(s, x, x, x, NULL, B, B) == GD_EUSAGE); /* C without w */
    gd_sim_free(&s);
}

int main(void)
{
    registry();
    closed_forms();
    shooting();
    cascade_once();
    pd2_coefficient();
    unstable_orbit();
    refusals();
    return check_report("test_mapfd");
}
