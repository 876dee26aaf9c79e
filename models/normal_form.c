/* SPDX-License-Identifier: BSD-3-Clause
 *
 * normal_form: the generic test systems of continuation, attractors and Lyapunov spectra
 * (docs/models/normal_form.md), chosen by model.form. Every form has its analytic Jacobian.
 *
 * Flows: fold, transcritical, hopf, bautin, brusselator, lorenz, and the cycles cycle_flip and
 * cycle_torus, whose Floquet multipliers are known in closed form (a period doubling and a
 * Neimark-Sacker point of a limit cycle at mu = 0).
 * Maps: logistic, delayed_logistic, henon, fold_map, ns_map. A map Phi is written as the field
 * F(x) = Phi(x) - x, so that simgd with h = 1 (x + F(x)) is the map itself, every other rule and
 * analysis takes it as it takes any game, and simgd's analytic one-iteration Jacobian I + J is
 * D Phi. Equilibria of F are the map's fixed points.
 */
#include "gd_impl.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

enum { FOLD, TRANSCRITICAL, HOPF, BAUTIN, BRUSSELATOR, LORENZ, CYCLE_FLIP, CYCLE_TORUS, LOGISTIC, DELAYED_LOGISTIC, HENON, FOLD_MAP, NS_MAP };
#define FIRST_MAP LOGISTIC

static const char *const forms[] = {"fold",  "transcritical", "hopf",     "bautin",           "brusselator", "lorenz",   "cycle_flip",
                                    "cycle_torus", "logistic", "delayed_logistic", "henon",       "fold_map", "ns_map",     NULL};

typedef struct {
    int form;
    double mu, omega, c_re, c_im, a, b, sigma, rho, beta, r, theta, d_re, d_im, kappa, nu;
} nf_opts;

#define O(f) offsetof(nf_opts, f)
static const gd_param nf_params[] = {
    {"form", GD_P_ENUM, O(form), "hopf",
     "flows: fold | transcritical | hopf | bautin | brusselator | lorenz | cycle_flip | cycle_torus; maps (run with simgd, h = 1): logistic | delayed_logistic | henon | fold_map | ns_map",
     0, 0, 0, forms},
    {"mu", GD_P_DOUBLE, O(mu), "0.1", "unfolding parameter of fold, transcritical, hopf, bautin, cycle_flip, cycle_torus, fold_map, ns_map", -INFINITY, INFINITY, 0, NULL},
    {"omega", GD_P_DOUBLE, O(omega), "1", "hopf, cycle_flip, cycle_torus: angular frequency (of the cycle: T = 2 pi / omega)", -INFINITY, INFINITY, 0, NULL},
    {"c_re", GD_P_DOUBLE, O(c_re), "-1", "hopf: real part of the cubic coefficient c", -INFINITY, INFINITY, 0, NULL},
    {"c_im", GD_P_DOUBLE, O(c_im), "0.5", "hopf: imaginary part of c", -INFINITY, INFINITY, 0, NULL},
    {"a", GD_P_DOUBLE, O(a), "", "brusselator a (empty: 1), delayed_logistic a (empty: 2.05), henon a (empty: 1.4)", -INFINITY, INFINITY, GD_PF_EMPTY, NULL},
    {"b", GD_P_DOUBLE, O(b), "", "brusselator b (empty: 3), henon b (empty: 0.3)", -INFINITY, INFINITY, GD_PF_EMPTY, NULL},
    {"sigma", GD_P_DOUBLE, O(sigma), "10", "lorenz: Prandtl number", -INFINITY, INFINITY, 0, NULL},
    {"rho", GD_P_DOUBLE, O(rho), "28", "lorenz: Rayleigh number", -INFINITY, INFINITY, 0, NULL},
    {"beta", GD_P_DOUBLE, O(beta), "2.6666666666666665", "lorenz: geometric factor (8/3)", -INFINITY, INFINITY, 0, NULL},
    {"r", GD_P_DOUBLE, O(r), "3.5", "logistic: growth rate", -INFINITY, INFINITY, 0, NULL},
    {"theta", GD_P_DOUBLE, O(theta), "0.7", "ns_map: rotation angle per iteration", -INFINITY, INFINITY, 0, NULL},
    {"d_re", GD_P_DOUBLE, O(d_re), "-1", "ns_map: real part of the cubic coefficient d", -INFINITY, INFINITY, 0, NULL},
    {"d_im", GD_P_DOUBLE, O(d_im), "0.3", "ns_map: imaginary part of d", -INFINITY, INFINITY, 0, NULL},
    {"kappa", GD_P_DOUBLE, O(kappa), "1", "cycle_flip: contraction rate of the second transverse direction", -INFINITY, INFINITY, 0, NULL},
    {"nu", GD_P_DOUBLE, O(nu), "0.6180339887498949", "cycle_torus: angular frequency of the transverse Hopf form (rotation nu T per period)", -INFINITY, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

static int is_map(const nf_opts *o) { return o->form >= FIRST_MAP; }

/* The empty a, b take the form's classic values. */
static double par_a(const nf_opts *o) { return !isnan(o->a) ? o->a : o->form == BRUSSELATOR ? 1.0 : o->form == HENON ? 1.4 : 2.05; }
static double par_b(const nf_opts *o) { return !isnan(o->b) ? o->b : o->form == BRUSSELATOR ? 3.0 : 0.3; }

/* z -> (A(s) + i B(s)) z with s = |z|^2, z = x + i y, as a real 2-vector: hopf and bautin
 * fields, the ns_map. ga, gb are dA/ds, dB/ds. */
static void radial(const double *z, double A, double B, double ga, double gb, double *v, double *J)
{
    double x = z[0], y = z[1], p = ga * x - gb * y, q = gb * x + ga * y;
    v[0] = A * x - B * y;
    v[1] = B * x + A * y;
    J[0] = A + 2 * x * p, J[1] = -B + 2 * y * p;
    J[2] = B + 2 * x * q, J[3] = A + 2 * y * q;
}

/* The complex-radial forms: A, B and their s-derivatives at s = |z|^2. */
static void radial_form(const nf_opts *o, const double *z, double *v, double *J)
{
    double s = z[0] * z[0] + z[1] * z[1];
    if (o->form == HOPF) {
        radial(z, o->mu + o->c_re * s, o->omega + o->c_im * s, o->c_re, o->c_im, v, J);
    } else if (o->form == BAUTIN) {
        radial(z, o->mu + s - s * s, 1.0, 1.0 - 2 * s, 0.0, v, J);
    } else { /* ns_map: e^{i theta} (1 + mu)(1 + d s) */
        double g = 1 + o->mu, c = cos(o->theta), sn = sin(o->theta);
        double A = g * (c * (1 + o->d_re * s) - sn * o->d_im * s), B = g * (sn * (1 + o->d_re * s) + c * o->d_im * s);
        radial(z, A, B, g * (c * o->d_re - sn * o->d_im), g * (sn * o->d_re + c * o->d_im), v, J);
    }
}

/* cycle_flip: the circle r = 1 of the (x, y) plane, theta' = omega, whose transverse plane
 * w = (r - 1, z) carries, in the frame (u, v) = R(-theta/2) w turning by half the angle,
 * u' = mu u - u^3, v' = -kappa v. Back in w: w' = ((mu + kappa) P - kappa I) w - (w.Pw) Pw
 * + (omega/2) J w with P = R(theta/2) e1 e1^T R(-theta/2) = [[1 + c, s], [s, 1 - c]] / 2,
 * c = cos theta, s = sin theta (u = e1.R(-theta/2) w, u^2 = w.Pw), J the rotation by pi/2:
 * single-valued and smooth off the axis r = 0. After one turn R(-theta/2) has changed sign,
 * so the non-trivial multipliers are -exp(mu T), -exp(-kappa T), T = 2 pi / omega. The field
 * is x' = g1 c - omega y, y' = g1 s + omega x, z' = g2 (r' = g1, theta' = omega). */
static void cycle_flip(const nf_opts *o, const double *X, double *v, double *J)
{
    double r = hypot(X[0], X[1]), c = X[0] / r, s = X[1] / r, rho = r - 1, z = X[2], h = o->omega / 2, k = o->mu + o->kappa;
    double a[2] = {0.5 * ((1 + c) * rho + s * z), 0.5 * (s * rho + (1 - c) * z)}, q = rho * a[0] + z * a[1];
    double g[2] = {k * a[0] - o->kappa * rho - q * a[0] - h * z, k * a[1] - o->kappa * z - q * a[1] + h * rho};
    v[0] = g[0] * c - o->omega * X[1], v[1] = g[0] * s + o->omega * X[0], v[2] = g[1];
    /* Dg = A_w Dw + g_c Dc + g_s Ds: A_w = dg/dw at fixed theta, g_c, g_s at fixed w */
    double P[4] = {0.5 * (1 + c), 0.5 * s, 0.5 * s, 0.5 * (1 - c)}, Aw[4];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) Aw[2 * i + j] = (k - q) * P[2 * i + j] - (i == j) * o->kappa - 2 * a[i] * a[j];
    Aw[1] -= h, Aw[2] += h;
    double ac[2] = {0.5 * rho, -0.5 * z}, as[2] = {0.5 * z, 0.5 * rho}, qc = 0.5 * (rho * rho - z * z), qs = rho * z;
    double Dw[2][3] = {{c, s, 0}, {0, 0, 1}}, Dc[3] = {s * s / r, -c * s / r, 0}, Ds[3] = {-c * s / r, c * c / r, 0}, Dg[2][3];
    for (int i = 0; i < 2; i++) {
        double gc = (k - q) * ac[i] - qc * a[i], gs = (k - q) * as[i] - qs * a[i];
        for (int j = 0; j < 3; j++) Dg[i][j] = Aw[2 * i] * Dw[0][j] + Aw[2 * i + 1] * Dw[1][j] + gc * Dc[j] + gs * Ds[j];
    }
    for (int j = 0; j < 3; j++) {
        J[j] = c * Dg[0][j] + g[0] * Dc[j] - (j == 1) * o->omega;
        J[3 + j] = s * Dg[0][j] + g[0] * Ds[j] + (j == 0) * o->omega;
        J[6 + j] = Dg[1][j];
    }
}

/* cycle_torus: the cycle r = 1 of z1' = (1 + i omega) z1 - |z1|^2 z1 in (x, y) times the Hopf
 * form z2' = (mu + i nu) z2 - |z2|^2 z2 in the last two coordinates: at z2 = 0 the cycle's
 * non-trivial multipliers are exp(-2T) and exp((mu +- i nu) T), T = 2 pi / omega. */
static void cycle_torus(const nf_opts *o, const double *x, double *v, double *J)
{
    double J1[4], J2[4], s1 = x[0] * x[0] + x[1] * x[1], s2 = x[2] * x[2] + x[3] * x[3];
    radial(x, 1 - s1, o->omega, -1, 0, v, J1);
    radial(x + 2, o->mu - s2, o->nu, -1, 0, v + 2, J2);
    memset(J, 0, sizeof(double) * 16);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) J[4 * i + j] = J1[2 * i + j], J[4 * (i + 2) + j + 2] = J2[2 * i + j];
}

/* v = F(x) (for a map: Phi(x)) and J = DF (D Phi), row-major. */
static void eval(const nf_opts *o, const double *x, double *v, double *J)
{
    double a = par_a(o), b = par_b(o);
    switch (o->form) {
    case FOLD:
        v[0] = o->mu - x[0] * x[0], v[1] = -x[1];
        J[0] = -2 * x[0], J[1] = 0, J[2] = 0, J[3] = -1;
        break;
    case TRANSCRITICAL:
        v[0] = o->mu * x[0] - x[0] * x[0];
        J[0] = o->mu - 2 * x[0];
        break;
    case BRUSSELATOR: {
        double xxy = x[0] * x[0] * x[1];
        v[0] = a - (b + 1) * x[0] + xxy, v[1] = b * x[0] - xxy;
        J[0] = -(b + 1) + 2 * x[0] * x[1], J[1] = x[0] * x[0];
        J[2] = b - 2 * x[0] * x[1], J[3] = -x[0] * x[0];
        break;
    }
    case LORENZ:
        v[0] = o->sigma * (x[1] - x[0]);
        v[1] = x[0] * (o->rho - x[2]) - x[1];
        v[2] = x[0] * x[1] - o->beta * x[2];
        J[0] = -o->sigma, J[1] = o->sigma, J[2] = 0;
        J[3] = o->rho - x[2], J[4] = -1, J[5] = -x[0];
        J[6] = x[1], J[7] = x[0], J[8] = -o->beta;
        break;
    case LOGISTIC:
        v[0] = o->r * x[0] * (1 - x[0]);
        J[0] = o->r * (1 - 2 * x[0]);
        break;
    case DELAYED_LOGISTIC:
        v[0] = a * x[0] * (1 - x[1]), v[1] = x[0];
        J[0] = a * (1 - x[1]), J[1] = -a * x[0], J[2] = 1, J[3] = 0;
        break;
    case HENON:
        v[0] = 1 - a * x[0] * x[0] + x[1], v[1] = b * x[0];
        J[0] = -2 * a * x[0], J[1] = 1, J[2] = b, J[3] = 0;
        break;
    case FOLD_MAP:
        v[0] = x[0] + o->mu - x[0] * x[0];
        J[0] = 1 - 2 * x[0];
        break;
    case CYCLE_FLIP:
        cycle_flip(o, x, v, J);
        break;
    case CYCLE_TORUS:
        cycle_torus(o, x, v, J);
        break;
    default: /* HOPF, BAUTIN, NS_MAP */
        radial_form(o, x, v, J);
    }
}

static int form_dim(int form)
{
    return form == TRANSCRITICAL || form == LOGISTIC || form == FOLD_MAP ? 1 : form == LORENZ || form == CYCLE_FLIP ? 3 : form == CYCLE_TORUS ? 4 : 2;
}

/* F = Phi - x for the maps: subtract the identity from v and J. */
static int nf_eval(const gd_model *m, const double *x, double *v, double *J)
{
    const nf_opts *o = m->opts;
    double Jl[16];
    if (!J) J = Jl;
    eval(o, x, v, J);
    if (!is_map(o)) return GD_OK;
    for (int i = 0; i < m->dim; i++) v[i] -= x[i], J[i * m->dim + i] -= 1;
    return GD_OK;
}

/* cycle_flip is written in the angle theta of (x, y): undefined on the axis x = y = 0. */
static int on_axis(const gd_model *m, gd_model_ws *ws, const double *x)
{
    const nf_opts *o = m->opts;
    if (o->form != CYCLE_FLIP || x[0] != 0 || x[1] != 0) return GD_OK;
    return ws ? gd_ws_fail(ws, GD_ENOTAVAIL, "cycle_flip is singular on the axis x = y = 0") : GD_ENOTAVAIL;
}

static int nf_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)mode;
    int rc = on_axis(m, ws, x);
    return rc != GD_OK ? rc : nf_eval(m, x, v, NULL);
}

static int nf_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)mode;
    double v[4];
    int rc = on_axis(m, ws, x);
    return rc != GD_OK ? rc : nf_eval(m, x, v, J);
}

/* The equilibrium (fixed point of a map) the form is studied at: the branch through the
 * origin, the fold's upper branch, the brusselator's (a, b/a), the maps' nontrivial point. */
static int nf_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    const nf_opts *o = m->opts;
    double a = par_a(o), b = par_b(o);
    memset(x, 0, sizeof(double) * (size_t)m->dim);
    switch (o->form) {
    case FOLD:
    case FOLD_MAP:
        if (o->mu < 0) return gd_ws_fail(ws, GD_ENOTAVAIL, "form = %s has no equilibrium for mu < 0", forms[o->form]);
        x[0] = sqrt(o->mu);
        break;
    case BRUSSELATOR:
        if (a == 0) return gd_ws_fail(ws, GD_ENOTAVAIL, "brusselator with a = 0 has no equilibrium");
        x[0] = a, x[1] = b / a;
        break;
    case LOGISTIC:
        if (o->r == 0) return GD_OK;
        x[0] = 1 - 1 / o->r;
        break;
    case DELAYED_LOGISTIC:
        if (a == 0) return GD_OK;
        x[0] = x[1] = 1 - 1 / a;
        break;
    case CYCLE_FLIP:
        return gd_ws_fail(ws, GD_ENOTAVAIL, "cycle_flip has no equilibrium (its field is singular on the axis x = y = 0): start on the cycle, e.g. run.x0 = 1,0,0");
    case HENON: /* a x^2 + (1 - b) x - 1 = 0, the larger root */
        if (a == 0) x[0] = 1 / (1 - b);
        else x[0] = (-(1 - b) + sqrt((1 - b) * (1 - b) + 4 * a)) / (2 * a);
        if (!isfinite(x[0])) return gd_ws_fail(ws, GD_ENOTAVAIL, "henon with a = %g, b = %g has no fixed point", a, b);
        x[1] = b * x[0];
        break;
    default:
        break;
    }
    return GD_OK;
}

/* Maps start at 0.1234 in every coordinate (off the logistic's preimages of 0 at r = 4); the
 * cycle forms on their cycle, at (1, 0, ...). */
static int nf_default_start(const gd_model *m, double *x)
{
    const nf_opts *o = m->opts;
    int cyc = o->form == CYCLE_FLIP || o->form == CYCLE_TORUS;
    for (int i = 0; i < m->dim; i++) x[i] = is_map(o) ? 0.1234 : cyc ? i == 0 : 1.0;
    return GD_OK;
}

static int nf_setup(gd_model *m)
{
    const nf_opts *o = m->opts;
    m->dim = form_dim(o->form);
    m->ngen = 1;
    return GD_OK;
}

const gd_model_type gd_model_normal_form = {
    .name = "normal_form",
    .summary = "normal forms and test systems of bifurcation theory (model.form): flows fold, transcritical, hopf, bautin, brusselator, lorenz, cycle_flip, cycle_torus; maps "
               "logistic, delayed_logistic, henon, fold_map, ns_map as F = Phi - x (simgd, h = 1, is the map)",
    .params = nf_params,
    .opts_size = sizeof(nf_opts),
    .setup = nf_setup,
    .field = nf_field,
    .jacobian = nf_jacobian,
    .equilibrium = nf_equilibrium,
    .default_start = nf_default_start,
};
