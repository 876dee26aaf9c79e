/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Every fixed-step rule's batched step (the path batched sweeps take) against its scalar
 * twin: on every model that has a batched field, and on a batched test field defined here,
 * n states advanced by gd_stepper_step_batch with per-state steps (lr_g != lr_d) and per-state
 * parameters must equal, state by state, a stepper run from each state alone with that
 * state's steps and parameters, to 1e-13 relative (a parameter the configuration cannot vary
 * per state, batch_varies, keeps the model's value). The Dirac clip case and the test field's
 * box make the projection act. altgd also runs with n_g = 2, n_d = 3 in both orders, and the
 * heavy-ball rules (momentum, nesterov) simultaneous with per-player factors and alternating,
 * adam and rmsprop also alternating (n_g = 2, n_d = 3, disc_first), with eps inside the root,
 * frozen, and with eps = 0.
 *
 * A registered model with a batched field but no case below, or a fixed-step rule without
 * a batched step (other than implicit_midpoint, whose Newton solve is per state, and cgd,
 * whose linear solve needs each state's Jacobian), fails.
 */
#include "check.h"
#include "gd_impl.h" /* a test model defined here, as a user's own game will be */

#include <stdio.h>
#include <string.h>

enum { NSTATE = 37, ITERS = 6 }; /* 37: not a multiple of any vector width */
enum { MAXDIM = 16, MAXPAR = 8 };

/* ------------------------------------------------- the batched test field ------ */
/* Three coordinates, one generator (theta) and two discriminator (psi, phi) rows, a
 * parameter a per state and a box on phi: theta' = -(psi cos theta + a phi),
 * psi' = sin theta - 0.1 psi, phi' = a theta - 0.3 phi + 0.2 psi^2. One inline cell serves
 * both fields, so any difference comes from the rules. */
typedef struct { double a; } tf_opts;
static const gd_param tf_params[] = {{"a", GD_P_DOUBLE, 0, "0.7", "coupling", -10, 10, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
static const char *const tf_batch[] = {"a", NULL};

static inline void tf_cell(double a, double th, double ps, double ph, double *v0, double *v1, double *v2)
{
    *v0 = -(ps * cos(th) + a * ph);
    *v1 = sin(th) - 0.1 * ps;
    *v2 = a * th - 0.3 * ph + 0.2 * ps * ps;
}

static int tf_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)ws, (void)mode;
    tf_cell(((const tf_opts *)m->opts)->a, x[0], x[1], x[2], v, v + 1, v + 2);
    return GD_OK;
}

static int tf_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v)
{
    for (int i = 0; i < n; i++)
        tf_cell(p ? p[i] : ((const tf_opts *)m->opts)->a, x[i], x[n + i], x[2 * n + i], v + i, v + n + i, v + 2 * n + i);
    return GD_OK;
}

static int tf_setup(gd_model *m)
{
    m->dim = 3;
    m->ngen = 1;
    m->lo = malloc(3 * sizeof(double));
    m->hi = malloc(3 * sizeof(double));
    if (!m->lo || !m->hi) return GD_ENOMEM;
    for (int k = 0; k < 3; k++) m->lo[k] = -INFINITY, m->hi[k] = INFINITY;
    m->lo[2] = -0.5, m->hi[2] = 0.5;
    return GD_OK;
}

static const gd_model_type test_field = {
    .name = "test_field",
    .summary = "batched test field of test_batch.c",
    .params = tf_params,
    .opts_size = sizeof(tf_opts),
    .setup = tf_setup,
    .field = tf_field,
    .field_batch = tf_field_batch,
    .batch_params = tf_batch,
};

/* ---------------------------------------------------------------- cases -------- */
typedef struct {
    const char *model; /* NULL: the test field */
    const char *kv[24];
    double x0[MAXDIM]; /* the first state; the others are spread around it */
} batch_case;

static const batch_case cases[] = {
    {"dirac", {"loss", "gan", "reg", "gp", "gamma", "0.3", NULL}, {0.8, -0.5}},
    {"dirac", {"loss", "nsgan", "reg", "none", NULL}, {1.0, 0.4}},
    {"dirac", {"loss", "wgan", "reg", "clip", "clip", "0.3", NULL}, {0.9, 0.25}}, /* the box acts */
    {"dirac", {"loss", "wgan", "reg", "wgan_gp", NULL}, {0.6, 0.2}},
    {"dirac", {"loss", "gan", "reg", "wgan_gp", NULL}, {0.6, 0.2}},    /* the sign term with f' of the saturating loss */
    {"dirac", {"loss", "nsgan", "reg", "wgan_gp", NULL}, {-0.4, 0.3}}, /* and of the non-saturating one */
    {"linear", {"a", "0.1", "b", "0.3", "s", "1.2", NULL}, {1.0, -0.7}},
    /* torus: the truncated flow varies only the speeds per state; the real flow also the
     * objective's parameters (damped: eps unset, the default per state) */
    {"torus", {"objective", "rexp", "flow", "truncated", NULL}, {0.4, -0.3}},
    {"torus", {"objective", "poisson", "flow", "truncated", "N", "6", "mask", "l1", NULL}, {0.9, 0.2}},
    {"torus", {"objective", "product", "flow", "real", "eps_g", "0.1", "eps_d", "-0.05", NULL}, {0.5, -0.4}},
    {"torus", {"objective", "damped", "flow", "real", NULL}, {0.7, 0.6}},
    {"torus", {"objective", "mode", "flow", "real", "alpha", "2", "beta_mode", "-1", NULL}, {0.3, 0.5}},
    {"torus", {"objective", "poisson", "flow", "real", "r", "0.4", NULL}, {1.1, -0.2}},
    {"torus", {"objective", "rexp", "flow", "real", "kappa", "1.5", "delta", "0.3", NULL}, {0.5, 0.4}},
    /* kernel_gda: unmatched masses (kappa != 0 per lambda); quadrature and random features */
    {"kernel_gda", {"representation", "linear", "d", "2", "true_points", "0,0;3,1", "true_masses", "0.5,0.5", "gen_points", "0.1,0.05;2.9,1.2",
                    "gen_masses", "0.4,0.55", "lambda", "0.7", "mu", "1.3", NULL}, {0.1, 0.05, 2.9, 1.2, 0.2, -0.1, 0.05, 0.3}},
    {"kernel_gda", {"representation", "features", "true_points", "0;2", "gen_points", "0.2;1.7", "features", "8", "lambda", "0.5", NULL},
     {0.2, 1.7, 0.3, -0.2, 0.1, 0.25, -0.15, 0.05, 0.2, -0.1}},
    {"kernel_gda", {"representation", "features", "feature_kind", "random", "d", "2", "true_points", "0,0;1.5,0.5", "features", "6", "mu", "0.8",
                    NULL}, {0.1, -0.1, 1.4, 0.7, 0.3, -0.2, 0.1, 0.25, -0.15, 0.05}},
    {NULL, {NULL}, {0.5, 0.3, 0.45}}, /* the test field; phi's box acts */
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* Rule settings: rates always differ per state; altgd also in both orders with sub-steps;
 * adam and rmsprop also with eps inside the root and a start v0, running their frozen map, and with eps = 0. */
static const char *const alt_settings[][7] = {{NULL}, {"n_g", "2", "n_d", "3", NULL}, {"n_g", "2", "n_d", "3", NULL}};
static const char *const alt_orders[] = {"gen_first", "gen_first", "disc_first"};
static const char *const heavy_settings[][9] = {
    {"update", "sim", "beta_g", "-0.3", "beta_d", "0.6", NULL}, {"update", "alt", "n_g", "2", "n_d", "3", NULL}, {"update", "alt", "n_g", "2", "n_d", "3", NULL}};
static const char *const adaptive_settings[][13] = {{NULL},
                                                    {"eps_mode", "inside", "v0", "0.2", NULL},
                                                    {"freeze_v", "true", "v_frozen_g", "0.3", "v_frozen_d", "0.05", NULL},
                                                    {"update", "alt", "n_g", "2", "n_d", "3", "order", "disc_first", "v0", "0.1", NULL},
                                                    {"eps", "0", "beta1", "-0.4", NULL}}; /* eps = 0: the Dirac-GAN's fused stage declines */

static const gd_model_type *case_type(const batch_case *c) { return c->model ? gd_model_type_find(c->model) : &test_field; }

/* The case's model with the batched parameters p (NULL: none given); an unset value (NaN)
 * stays unset. */
static gd_model *case_model(const batch_case *c, int np, const char *const *names, const double *p)
{
    gd_model *m = gd_model_create(case_type(c));
    char text[64];
    for (int i = 0; c->kv[i]; i += 2) gd_model_set(m, c->kv[i], c->kv[i + 1]);
    for (int j = 0; p && j < np; j++) {
        if (isnan(p[j])) continue;
        snprintf(text, sizeof text, "%.17g", p[j]);
        gd_model_set(m, names[j], text);
    }
    if (gd_model_setup(m) != GD_OK) {
        fprintf(stderr, "setup of %s failed: %s\n", gd_model_type_name(case_type(c)), gd_model_errmsg(m));
        exit(1);
    }
    return m;
}

static gd_stepper *batch_stepper(const gd_integrator_type *t, const gd_model *m, const char *const *kv, const char *order, double hg, double hd)
{
    gd_stepper *s = gd_stepper_create(t, m);
    char text[64];
    for (int i = 0; kv && kv[i]; i += 2) gd_stepper_set(s, kv[i], kv[i + 1]);
    if (order) gd_stepper_set(s, "order", order);
    snprintf(text, sizeof text, "%.17g", hg);
    gd_stepper_set(s, "lr_g", text);
    snprintf(text, sizeof text, "%.17g", hd);
    gd_stepper_set(s, "lr_d", text);
    gd_stepper_set(s, "diverge_radius", "1e300");
    CHECK_OK(gd_stepper_setup(s));
    return s;
}

/* Per-state starts, steps and parameters. */
typedef struct {
    int dim, np;
    double x[MAXDIM * NSTATE], hg[NSTATE], hd[NSTATE], p[MAXPAR * NSTATE];
} states;

static void make_states(const batch_case *c, const gd_model *m, const char *const *names, states *S)
{
    S->dim = gd_model_dim(m);
    for (S->np = 0; names[S->np]; S->np++) {}
    CHECK(S->dim <= MAXDIM && S->np <= MAXPAR);
    for (int i = 0; i < NSTATE; i++) {
        for (int k = 0; k < S->dim; k++) S->x[k * NSTATE + i] = c->x0[k] * (1 + 0.03 * ((i * (k + 3)) % 7 - 3));
        S->hg[i] = 0.05 + 0.013 * (i % 5);
        S->hd[i] = 0.08 + 0.011 * (i % 3);
        for (int j = 0; j < S->np; j++) {
            const gd_param *pp = gd_model_type_params(case_type(c));
            while (strcmp(pp->key, names[j])) pp++;
            double base = *(const double *)((const char *)m->opts + pp->offset);
            int varies = !m->type->batch_varies || m->type->batch_varies(m, j); /* others keep the model's value */
            S->p[j * NSTATE + i] = base + varies * 0.02 * ((i + j) % 4);
        }
    }
}

/* One rule on one case: batched against scalar; returns the number of states compared. */
static int compare(const batch_case *c, const gd_integrator_type *t, const char *const *kv, const char *order)
{
    const char *const *names = gd_model_type_batch_params(case_type(c));
    gd_model *m = case_model(c, 0, names, NULL);
    CHECK_OK(m->type->field_batch(m, 1, NULL, c->x0, (double[MAXDIM]){0})); /* a configuration the batched field covers */
    states S;
    make_states(c, m, names, &S);
    gd_stepper *s = batch_stepper(t, m, kv, order, S.hg[0], S.hd[0]);
    double xb[MAXDIM * NSTATE];
    memcpy(xb, S.x, sizeof xb);
    int rc = gd_stepper_step_batch(s, NSTATE, xb, S.hg, S.hd, S.np ? S.p : NULL, ITERS);
    gd_stepper_free(&s);
    if (rc == GD_ENOTAVAIL && (!strcmp(gd_integrator_type_name(t), "implicit_midpoint") || !strcmp(gd_integrator_type_name(t), "cgd"))) {
        gd_model_free(&m);
        return 0;
    }
    CHECK_OK(rc);
    int compared = 0;
    for (int i = 0; i < NSTATE && rc == GD_OK; i++) {
        double p[MAXPAR], x[MAXDIM], t_ = 0;
        for (int j = 0; j < S.np; j++) p[j] = S.p[j * NSTATE + i];
        gd_model *mi = case_model(c, S.np, names, p);
        gd_stepper *si = batch_stepper(t, mi, kv, order, S.hg[i], S.hd[i]);
        for (int k = 0; k < S.dim; k++) x[k] = S.x[k * NSTATE + i];
        gd_model_project(mi, x);
        CHECK_OK(gd_stepper_reset(si, x));
        for (int q = 0; q < ITERS; q++) CHECK(gd_stepper_step(si, x, &t_) >= 0);
        double err = 0, scale = 0;
        for (int k = 0; k < S.dim; k++) err = fmax(err, fabs(xb[k * NSTATE + i] - x[k])), scale = fmax(scale, fabs(x[k]));
        if (!(err <= 1e-13 * fmax(scale, 1e-300))) {
            check_failures++;
            fprintf(stderr, "%s on %s state %d (%s %s): batched differs by %.3g (|x| %.3g)\n", gd_integrator_type_name(t),
                    gd_model_type_name(case_type(c)), i, c->kv[0] ? c->kv[1] : "", c->kv[2] ? c->kv[3] : "", err, scale);
        }
        check_count++;
        compared++;
        gd_stepper_free(&si);
        gd_model_free(&mi);
    }
    gd_model_free(&m);
    return compared;
}

/* Every registered model with a batched field has a case here. */
static void check_coverage(void)
{
    for (const gd_model_type *const *t = gd_model_types(); *t; t++) {
        if (!gd_model_type_batch_params(*t)) continue;
        int found = 0;
        for (int c = 0; c < NCASES; c++) found |= cases[c].model && !strcmp(cases[c].model, gd_model_type_name(*t));
        if (!found) fprintf(stderr, "model '%s' has a batched field but no case in test_batch.c\n", gd_model_type_name(*t));
        CHECK(found);
    }
}

int main(void)
{
    check_coverage();
    int pairs = 0, states_compared = 0, refused = 0;
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++) {
        if (!gd_integrator_type_is_fixed_step(*t)) continue;
        const char *name = gd_integrator_type_name(*t);
        int alt = !strcmp(name, "altgd") || !strcmp(name, "symplectic_euler"), adaptive = !strcmp(name, "adam") || !strcmp(name, "rmsprop");
        int heavy = gd_integrator_type_reads(*t, "beta");
        for (int c = 0; c < NCASES; c++)
            for (int v = 0; v < (adaptive ? 5 : alt || heavy ? 3 : 1); v++) {
                const char *const *kv = heavy ? heavy_settings[v] : adaptive ? adaptive_settings[v] : alt_settings[v];
                int k = compare(&cases[c], *t, kv, alt || heavy ? alt_orders[v] : NULL);
                pairs += k > 0, refused += k == 0, states_compared += k;
            }
    }
    printf("batched vs scalar: %d rule x model pairs (%d states) equal; %d refused (implicit_midpoint, cgd)\n", pairs, states_compared, refused);
    CHECK(pairs >= 8 * NCASES);
    return check_report("test_batch");
}
