/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Relabelling is no change: every model whose state holds a set of points (kernel_gda's
 * generated points, the particles) x every integrator in the registry. The same game is set
 * up twice, once with its generated (and true, or data) points and their masses listed in
 * another order; both run from their default starts, and the second run's final state must be
 * the first's with its point blocks permuted, to 1e-14 relative. A rule that refuses the game
 * (a field the map has not) must refuse both in the same words.
 *
 * The state layouts are the documented ones (docs/models/kernel_gda.md, docs/models/particles.md):
 *   kernel_gda linear   [x~ (ng d) | b (nr d)]   b per true point
 *   kernel_gda features [x~ (ng d) | w (D)]      w does not depend on labels
 *   kernel_gda exact    [x~ | u | v | Z_0 .. Z_{M-1}], each Z_s a configuration of x~
 *   particles           [x (N d)]
 * A registered model whose state holds points and that is missing here must be added.
 */
#include "check.h"

#include <string.h>

enum { STEPS = 20 };

typedef struct {
    const char *model;
    int d;
    int ng, nr;             /* generated points (permuted by pg), true or data points (by pr) */
    int pg[4], pr[4];       /* new position of old point i is p[i] */
    const char *gen_key, *gen_mass_key, *true_key, *true_mass_key;
    const char *gen[4], *gen_mass[4], *tru[4], *tru_mass[4];
    const char *kv[16];     /* other keys */
    int true_blocks;        /* kernel_gda linear: b holds nr blocks after x~ */
    int history_blocks;     /* kernel_gda exact: Z_0 .. Z_{M-1} after x~, u, v */
    double cvode_tol;       /* 0: bit for bit (1e-14) under cvode too; else its tolerance there */
} relabel_case;

static const relabel_case cases[] = {
    {"kernel_gda", 2, 3, 2, {2, 0, 1}, {1, 0}, "gen_points", "gen_masses", "true_points", "true_masses",
     {"0.3,0.1", "-0.2,0.2", "10.2,-0.1"}, {"0.35", "0.2", "0.45"}, {"0,0", "10,0"}, {"0.6", "0.4"}, {"sigma", "0.8", NULL}, 1, 0, 0},
    {"kernel_gda", 2, 3, 2, {1, 2, 0}, {1, 0}, "gen_points", "gen_masses", "true_points", "true_masses",
     {"0.3,0.1", "-0.2,0.2", "10.2,-0.1"}, {"0.25", "0.25", "0.5"}, {"0,0", "10,0"}, {"0.5", "0.5"},
     {"representation", "features", "features", "16", "feature_kind", "random", "sigma", "0.8", NULL}, 0, 0, 0},
    {"kernel_gda", 2, 3, 2, {2, 0, 1}, {1, 0}, "gen_points", "gen_masses", "true_points", "true_masses",
     {"0.3,0.1", "-0.2,0.2", "2.8,-0.1"}, {"0.35", "0.2", "0.45"}, {"0,0", "3,0"}, {"0.6", "0.4"},
     {"representation", "exact", "history", "30", "lambda", "0.5", NULL}, 0, 30, 0},
    {"kernel_gda", 1, 2, 1, {1, 0}, {0}, "gen_points", "gen_masses", "true_points", "true_masses", /* the case */
     {"0.3", "-0.2"}, {"0.5", "0.5"}, {"0"}, {"1"}, {"representation", "exact", "history", "30", "warm_start", "0", NULL}, 0, 30, 0},
    {"kernel_gda", 1, 3, 1, {2, 0, 1}, {0}, "gen_points", "gen_masses", "true_points", "true_masses",
     {"0.3", "-0.2", "0.05"}, {"0.5", "0.3", "0.1"}, {"0"}, {"1"},
     {"representation", "exact", "history", "30", "warm_start", "0", "lambda", "0", "kernel", "rq", NULL}, 0, 30, 0},
    {"particles", 2, 3, 2, {2, 0, 1}, {1, 0}, "particles", NULL, "data", "weights",
     {"0.5,0.3", "-0.4,0.2", "0.1,-0.6"}, {NULL}, {"0,0", "1,1"}, {"0.3", "0.7"}, {NULL}, 0, 0, 0},
    {"particles", 2, 3, 2, {1, 2, 0}, {1, 0}, "particles", NULL, "data", "weights",
     {"0.5,0.3", "-0.4,0.2", "0.1,-0.6"}, {NULL}, {"0,0", "1,1"}, {"0.3", "0.7"}, {"critic", "huber", NULL}, 0, 0, 0},
    {"particles", 1, 3, 3, {2, 0, 1}, {1, 2, 0}, "particles", NULL, "data", NULL,
     {"0.5", "-0.4", "0.1"}, {NULL}, {"2", "3", "4"}, {NULL}, {"critic", "w1", NULL}, 0, 0, 0}, /* no particle reaches its point: W1 chatters there */
    {"particles", 2, 2, 2, {1, 0}, {1, 0}, "particles", NULL, "data", NULL,
     {"0.5,0.3", "-0.4,0.2"}, {NULL}, {"0,0", "1,1"}, {NULL}, {"field", "mesh", "mesh_n", "32", NULL}, 0, 0, 0},
    {"particles", 2, 2, 2, {1, 0}, {1, 0}, "particles", NULL, "data", NULL,
     {"0.5,0.3", "-0.4,0.2"}, {NULL}, {"0,0", "1,1"}, {NULL}, {"critic", "smoothed", "mesh_n", "16", "lambda", "0.1", NULL}, 0, 0,
     /* The smoothed critic's field is bit for bit relabelling-invariant (the deposit goes in
      * order of position), but it is only Lipschitz (cloud-in-cell interpolation, a solver
      * stopped at a certified tolerance), and CVODE's own arithmetic is not order-free (norm
      * sums, pivoted LU): round-off of the other order moves a state by 1e-16, the field jumps
      * there, and the step sequence differs (239 against 231 steps). The runs then agree to
      * the integration tolerance (1.7e-8 at rtol = 1e-9), not bit for bit. */
     1e-7},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* Models whose state holds no set of points. */
static const char *const pointless[] = {"dirac", "linear", "torus", "functional", "normal_form", NULL};

/* "a;b;c" from n items in their order, or permuted (item i goes to position p[i]). */
static void join(const char *const *items, int n, const int *p, char *out, size_t cap)
{
    const char *order[4];
    for (int i = 0; i < n; i++) order[p ? p[i] : i] = items[i];
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        strncat(out, order[i], cap - strlen(out) - 1);
        if (i + 1 < n) strncat(out, ";", cap - strlen(out) - 1);
    }
}

/* key = the items joined (nothing when the case has no such key). */
static void set_list(gd_model *m, const char *key, const char *const *items, int n, const int *p)
{
    char text[256];
    if (!key) return;
    join(items, n, p, text, sizeof text);
    CHECK_OK(gd_model_set(m, key, text));
}

static gd_model *setup(const relabel_case *c, int permuted)
{
    gd_model *m = gd_model_create(gd_model_type_find(c->model));
    char d[8];
    snprintf(d, sizeof d, "%d", c->d);
    if (!strcmp(c->model, "kernel_gda")) CHECK_OK(gd_model_set(m, "d", d));
    set_list(m, c->gen_key, c->gen, c->ng, permuted ? c->pg : NULL);
    set_list(m, c->gen_mass_key, c->gen_mass, c->ng, permuted ? c->pg : NULL);
    set_list(m, c->true_key, c->tru, c->nr, permuted ? c->pr : NULL);
    set_list(m, c->true_mass_key, c->tru_mass, c->nr, permuted ? c->pr : NULL);
    for (int i = 0; c->kv[i]; i += 2) CHECK_OK(gd_model_set(m, c->kv[i], c->kv[i + 1]));
    if (gd_model_setup(m) != GD_OK) fprintf(stderr, "setup: %s\n", gd_model_errmsg(m));
    return m;
}

/* y = the state x with its point blocks relabelled. */
static void permute_state(const relabel_case *c, int n, const double *x, double *y)
{
    int d = c->d, G = c->ng * d;
    memcpy(y, x, sizeof(double) * (size_t)n);
    for (int j = 0; j < c->ng; j++) memcpy(y + c->pg[j] * d, x + j * d, sizeof(double) * (size_t)d);
    for (int i = 0; c->true_blocks && i < c->nr; i++) memcpy(y + G + c->pr[i] * d, x + G + i * d, sizeof(double) * (size_t)d);
    for (int s = 0; s < c->history_blocks; s++) {
        int off = G + 2 + s * G;
        for (int j = 0; j < c->ng; j++) memcpy(y + off + c->pg[j] * d, x + off + j * d, sizeof(double) * (size_t)d);
    }
}

/* Run STEPS iterations (or output intervals) from the default start; the return code of the
 * first failure, with its message in msg. */
static int run(const gd_integrator_type *it, const gd_model *m, double *x, char *msg, size_t cap)
{
    /* eps: adam and rmsprop step by g / (|g| + eps), which turns the last-bit differences of a
     * near-zero field component (sums over the points in another order) into differences of
     * up to |dg| / eps in the step; eps = 1e-4 keeps them below the tolerance. */
    const char *kv[] = {"h", "0.05", "lr_g", "0.04", "lr_d", "0.06", "t_end", "0.3", "rtol", "1e-9", "atol", "1e-12", "eps", "1e-4", NULL};
    gd_stepper *st = gd_stepper_create(it, m);
    int rc = GD_OK;
    for (int i = 0; kv[i] && rc == GD_OK; i += 2) {
        if (gd_integrator_type_reads(it, kv[i])) rc = gd_stepper_set(st, kv[i], kv[i + 1]);
    }
    char steps[16];
    snprintf(steps, sizeof steps, "%d", STEPS);
    if (rc == GD_OK) rc = gd_stepper_set(st, "steps", steps);
    if (rc == GD_OK) rc = gd_stepper_setup(st);
    if (rc == GD_OK) rc = gd_model_default_start(m, x);
    if (rc == GD_OK) rc = gd_stepper_reset(st, x);
    double t = 0;
    for (int k = 0; k < STEPS && rc == GD_OK; k++) rc = gd_stepper_step(st, x, &t);
    snprintf(msg, cap, "%s", rc < 0 ? gd_stepper_errmsg(st) : "");
    gd_stepper_free(&st);
    return rc;
}

static void relabel(const relabel_case *c, const gd_integrator_type *it, int *compared, int *refused)
{
    gd_model *a = setup(c, 0), *b = setup(c, 1);
    int n = gd_model_dim(a);
    CHECK(gd_model_dim(b) == n);
    double *xa = malloc(sizeof(double) * 3 * (size_t)n), *xb = xa + n, *pa = xb + n;
    char ma[512], mb[512];
    int ra = run(it, a, xa, ma, sizeof ma), rb = run(it, b, xb, mb, sizeof mb);
    CHECK(ra == rb && !strcmp(ma, mb));
    if (ra >= 0) {
        permute_state(c, n, xa, pa);
        double err = 0, scale = 1e-300;
        for (int i = 0; i < n; i++) err = fmax(err, fabs(pa[i] - xb[i])), scale = fmax(scale, fabs(xb[i]));
        double tol = c->cvode_tol > 0 && !gd_integrator_type_is_fixed_step(it) ? c->cvode_tol : 1e-14;
        if (!(err <= tol * scale))
            fprintf(stderr, "%s (%s) x %s: relabelled run differs by %.3g (scale %.3g)\n", c->model, c->kv[0] ? c->kv[1] : "defaults",
                    gd_integrator_type_name(it), err, scale);
        CHECK(err <= tol * scale);
        (*compared)++;
    } else {
        (*refused)++;
    }
    free(xa);
    gd_model_free(&a), gd_model_free(&b);
}

int main(void)
{
    int compared = 0, refused = 0;
    for (const gd_model_type *const *mt = gd_model_types(); *mt; mt++) {
        const char *name = gd_model_type_name(*mt);
        int known = 0;
        for (int i = 0; i < NCASES; i++) known |= !strcmp(cases[i].model, name);
        for (int i = 0; pointless[i]; i++) known |= !strcmp(pointless[i], name);
        if (!known) fprintf(stderr, "model '%s': add relabelling cases (or list it as holding no points) in test_relabel.c\n", name);
        CHECK(known);
    }
    for (int i = 0; i < NCASES; i++)
        for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) relabel(&cases[i], *it, &compared, &refused);
    printf("%d model x integrator pairs relabel exactly, %d refused by both labellings\n", compared, refused);
    return check_report("test_relabel");
}
