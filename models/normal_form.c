/* SPDX-License-Identifier: BSD-3-Clause
 *
 * normal_form: the generic test systems of continuation, attractors and Lyapunov spectra
 * (docs/models/normal_form.md), chosen by model.form. Every form has its analytic Jacobian.
 *
 * Flows: fold, transcritical, hopf, bautin, brusselator, lorenz.
 * Maps: logistic, delayed_logistic, henon, fold_map, ns_map. A map Phi is written as the field
 * F(x) = Phi(x) - x, so that simgd with h = 1 (x + F(x)) is the map itself, every other rule and
 * analysis takes it as it takes any game, and simgd's analytic one-iteration Jacobian I + J is
 * D Phi. Equilibria of F are the map's fixed points.
 */
#include "gd_impl.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

enum { FOLD, TRANSCRITICAL, HOPF, BAUTIN, BRUSSELATOR, LORENZ, LOGISTIC, DELAYED_LOGISTIC, HENON, FOLD_MAP, NS_MAP };
#define FIRST_MAP LOGISTIC

static const char *const forms[] = {"fold",     "transcritical",    "hopf",  "bautin",   "brusselator", "lorenz",
                                    "logistic", "delayed_logistic", "henon", "fold_map", "ns_map",      NULL};

typedef struct {
    int form;
    double mu, omega, c_re, c_im, a, b, sigma, rho, beta, r, theta, d_re, d_im;
} nf_opts;

#define O(f) offsetof(nf_opts, f)
static const gd_param nf_params[] = {
    {"form", GD_P_ENUM, O(form), "hopf",
     "flows: fold | transcritical | hopf | bautin | brusselator | lorenz; maps (run with simgd, h = 1): logistic | delayed_logistic | henon | fold_map | ns_map",
     0, 0, 0, forms},
    {"mu", GD_P_DOUBLE, O(mu), "0.1", "unfolding parameter of fold, transcritical, hopf, bautin, fold_map, ns_map", -INFINITY, INFINITY, 0, NULL},
    {"omega", GD_P_DOUBLE, O(omega), "1", "hopf: angular frequency", -INFINITY, INFINITY, 0, NULL},
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
    default: /* HOPF, BAUTIN, NS_MAP */
        radial_form(o, x, v, J);
    }
}

static int form_dim(int form) { return form == TRANSCRITICAL || form == LOGISTIC || form == FOLD_MAP ? 1 : form == LORENZ ? 3 : 2; }

/* F = Phi - x for the maps: subtract the identity from v and J. */
static int nf_eval(const gd_model *m, const double *x, double *v, double *J)
{
    const nf_opts *o = m->opts;
    double Jl[9];
    if (!J) J = Jl;
    eval(o, x, v, J);
    if (!is_map(o)) return GD_OK;
    for (int i = 0; i < m->dim; i++) v[i] -= x[i], J[i * m->dim + i] -= 1;
    return GD_OK;
}

static int nf_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)ws, (void)mode;
    return nf_eval(m, x, v, NULL);
}

static int nf_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)ws, (void)mode;
    double v[3];
    return nf_eval(m, x, v, J);
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

/* Maps start at 0.1234 in every coordinate (off the logistic's preimages of 0 at r = 4). */
static int nf_default_start(const gd_model *m, double *x)
{
    for (int i = 0; i < m->dim; i++) x[i] = is_map(m->opts) ? 0.1234 : 1.0;
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
    .summary = "normal forms and test systems of bifurcation theory (model.form): flows fold, transcritical, hopf, bautin, brusselator, lorenz; maps "
               "logistic, delayed_logistic, henon, fold_map, ns_map as F = Phi - x (simgd, h = 1, is the map)",
    .params = nf_params,
    .opts_size = sizeof(nf_opts),
    .setup = nf_setup,
    .field = nf_field,
    .jacobian = nf_jacobian,
    .equilibrium = nf_equilibrium,
    .default_start = nf_default_start,
};
