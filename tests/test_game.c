/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Games and rules registered at run time (<gandyn/game.h>), against the built-ins:
 *  - the Dirac-GAN with gradient penalty (docs/models/dirac.md: f(t) = -log(1 + e^-t),
 *    v = (-psi f'(theta psi), theta f'(theta psi) - gamma psi)) written here from its
 *    definition as a gd_game, with and without a batched field, with and without a Jacobian,
 *    agrees with the built-in `dirac` (reg = gp) under every registered integrator on final
 *    states, on eigenvalues, rates, sweep outcomes and critical steps, and on the portrait;
 *  - a game's one-pass stage (step_batch) agrees with its batched field and the library's
 *    update under every rule that runs batched, with and without a box;
 *  - a registered rule (explicit Euler on both players, x+ = x + h F(x)) agrees with simgd,
 *    with and without its own map Jacobian;
 *  - registration refuses a duplicate name, a bad size, a NULL callback, another ABI, keys
 *    that do not fit; a setup callback derives the dimension; a box clips;
 *  - callbacks that fail: > 0 once under CVODE is retried, < 0 stops the trajectory with the
 *    failure recorded, NaN makes a non-finite state, and a game broken at its equilibrium is
 *    refused at setup; a serial game's sweep runs on one thread;
 *  - a batched sweep's diverged cells wait at x*: the batched field of x' = lambda x sees a
 *    state beyond the divergence radius at most 10 times per cell (3 steps from the crossing
 *    to the next check, 7 more to the next parking), and the measured rate is still
 *    1 + h lambda from the state where the cell froze;
 *  - plugins (the test plugins of tests/plugins/, in $GANDYN_TEST_PLUGINS): loaded once
 *    whatever the path's spelling, their types stamped with it and the configuration text
 *    naming it; a failing plugin's registrations are removed.
 */
#include "check.h"
#include "gandyn/game.h"

#include <pthread.h>
#include <stddef.h>
#include <string.h>

/* ---------------------------------------------------------------- the Dirac-GAN -- */
typedef struct { double gamma; } dg_opts;

static const gd_param dg_params[] = {
    {"gamma", GD_P_DOUBLE, offsetof(dg_opts, gamma), "0.3", "gradient penalty weight", 0, INFINITY, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
static const char *const dg_batch[] = {"gamma", NULL};

/* f'(t) = 1 / (1 + e^t) and f''(t) = -e^t / (1 + e^t)^2, with one exp of -|t|. */
static double fp(double t)
{
    double e = exp(-fabs(t));
    return t >= 0 ? e / (1 + e) : 1 / (1 + e);
}
static double fpp(double t)
{
    double e = exp(-fabs(t));
    return -e / ((1 + e) * (1 + e));
}

static int dg_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    double g = ((const dg_opts *)opts)->gamma, s = x[0] * x[1];
    v[0] = -x[1] * fp(s);
    v[1] = x[0] * fp(s) - g * x[1];
    return 0;
}

static int dg_jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)user;
    double g = ((const dg_opts *)opts)->gamma, th = x[0], ps = x[1], s = th * ps;
    J[0] = -ps * ps * fpp(s), J[1] = -fp(s) - s * fpp(s);
    J[2] = fp(s) + s * fpp(s), J[3] = th * th * fpp(s) - g;
    return 0;
}

static int dg_field_batch(int n, int dim, const double *p, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    for (int i = 0; i < n; i++) {
        double g = p ? p[i] : ((const dg_opts *)opts)->gamma, th = x[i], ps = x[n + i], d = fp(th * ps);
        v[i] = -ps * d;
        v[n + i] = th * d - g * ps;
    }
    return 0;
}

/* The same field and a plain stage's update in one pass (gd_game.step_batch), counting its
 * calls in *user: row by row as <gandyn/game.h> describes it, the scale and the box always
 * applied (PLAIN 0) or dropped where the stage is plain, as a fast game would. */
static int dg_step_batch(int n, int dim, const double *p, const double *at, const gd_game_update *u, const void *opts, void *user)
{
    (void)dim, (void)opts;
    ++*(long *)user;
    const gd_game_row r0 = gd_game_update_row(u, n, 0), r1 = gd_game_update_row(u, n, 1);
    const int w0 = gd_game_update_writes(u, 0), w1 = gd_game_update_writes(u, 1), plain = gd_game_update_plain(u);
    for (int i = 0; i < n; i++) {
        double th = at[i], ps = at[n + i], d = fp(th * ps), v0 = -ps * d, v1 = th * d - p[i] * ps;
        double x0 = plain ? gd_game_row_value(r0, i, v0, 1) : gd_game_row_value(r0, i, v0, 0);
        double x1 = plain ? gd_game_row_value(r1, i, v1, 1) : gd_game_row_value(r1, i, v1, 0);
        if (w0) r0.out[i] = x0;
        if (w1) r1.out[i] = x1;
    }
    return 0;
}

static int origin(int dim, double *x, const void *opts, void *user)
{
    (void)opts, (void)user;
    for (int i = 0; i < dim; i++) x[i] = 0;
    return 0;
}

static gd_game dirac_game(const char *name)
{
    return (gd_game){.abi_version = GD_ABI_VERSION, .name = name, .summary = "Dirac-GAN + GP, written in tests/test_game.c", .dim = 2, .ngen = 1,
                     .params = dg_params, .opts_size = sizeof(dg_opts), .field = dg_field, .jacobian = dg_jacobian, .equilibrium = origin,
                     .field_batch = dg_field_batch, .batch_params = dg_batch};
}

static void register_dirac_games(void)
{
    gd_game full = dirac_game("dg"), fd = dirac_game("dg_fd"), scalar = dirac_game("dg_scalar");
    char msg[GD_ERRMSG_LEN];
    fd.jacobian = NULL;
    scalar.field_batch = NULL, scalar.batch_params = NULL;
    CHECK_OK(gd_model_register(&full, msg));
    CHECK_OK(gd_model_register(&fd, msg));
    CHECK_OK(gd_model_register(&scalar, msg));
    const gd_model_type *t = gd_model_type_find("dg");
    CHECK(t && strcmp(gd_model_type_summary(t), full.summary) == 0 && gd_model_type_plugin(t) == NULL);
    CHECK(strcmp(gd_model_type_params(t)[0].key, "gamma") == 0 && strcmp(gd_model_type_batch_params(t)[0], "gamma") == 0);
    CHECK(gd_model_type_batch_params(gd_model_type_find("dg_scalar")) == NULL);
    int listed = 0;
    for (const gd_model_type *const *m = gd_model_types(); *m; m++) listed += strncmp(gd_model_type_name(*m), "dg", 2) == 0;
    CHECK(listed == 3);
}

/* A sim of the built-in (model "dirac": reg = gp) or a game, with key/value pairs after. */
static gd_sim *sim_of(const char *model, const char *const *kv)
{
    gd_sim *s = gd_sim_create();
    CHECK_OK(gd_sim_set(s, "model.name", model));
    if (strcmp(model, "dirac") == 0) CHECK_OK(gd_sim_set(s, "model.reg", "gp"));
    for (int i = 0; kv && kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    if (gd_sim_setup(s) != GD_OK) fprintf(stderr, "setup of %s: %s\n", model, gd_sim_errmsg(s));
    return s;
}

/* Final states of every registered integrator, game against built-in. */
static void runs_agree(const char *game)
{
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        const char *rule = gd_integrator_type_name(*it);
        const char *kv[] = {"integrator.name", rule, "run.x0", "1,1;0.5,-0.3", "integrator.steps", "200", "integrator.t_end", "20", NULL};
        gd_sim *a = sim_of("dirac", kv), *b = sim_of(game, kv);
        CHECK_OK(gd_sim_run(a, ""));
        CHECK_OK(gd_sim_run(b, ""));
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < 2; i++) {
                double xa = gd_sim_get_xfinal(a, k)[i], xb = gd_sim_get_xfinal(b, k)[i];
                if (!(fabs(xa - xb) <= 1e-12)) fprintf(stderr, "%s on %s, start %d: %.17g vs %.17g\n", rule, game, k, xa, xb);
                CHECK_NEAR(xb, xa, 1e-12);
            }
        CHECK(gd_sim_get_outcome(a, 0) == gd_sim_get_outcome(b, 0) && gd_sim_get_steps(a, 0) == gd_sim_get_steps(b, 0));
        gd_sim_free(&a);
        gd_sim_free(&b);
    }
}

/* Flow and map eigenvalues at x*; tol: 1e-12 analytic, looser for central differences. */
static void eigs_agree(const char *game, double tol)
{
    const char *kv[] = {"model.gamma", "0.7", "integrator.name", "extragradient", "integrator.h", "0.4", NULL};
    gd_sim *a = sim_of("dirac", kv), *b = sim_of(game, kv);
    gd_eig_result ea, eb;
    CHECK_OK(gd_sim_eig(a, &ea));
    CHECK_OK(gd_sim_eig(b, &eb));
    double wr[2], wi[2];
    const double J[4] = {0, -0.5, 0.5, -0.7}; /* J(0) = [[0, -f'(0)], [f'(0), -gamma]], f'(0) = 1/2 */
    eig2(J, wr, wi);
    for (int i = 0; i < 2; i++) {
        CHECK_NEAR(eb.re[i], ea.re[i], tol);
        CHECK_NEAR(eb.im[i], ea.im[i], tol);
        CHECK_NEAR(eb.map_re[i], ea.map_re[i], tol);
        CHECK_NEAR(eb.map_im[i], ea.map_im[i], tol);
        CHECK_NEAR(eb.re[i], wr[0], tol); /* a complex pair: both real parts -gamma / 2 */
        CHECK_NEAR(fabs(eb.im[i]), fabs(wi[0]), tol);
    }
    CHECK_NEAR(eb.rho, ea.rho, tol);
    CHECK(strcmp(ea.type, eb.type) == 0 && ea.predicted == eb.predicted);
    gd_eig_result_free(&ea);
    gd_eig_result_free(&eb);
    gd_sim_free(&a);
    gd_sim_free(&b);
}

static void rates_agree(const char *game)
{
    const char *kv[] = {"model.gamma", "0.2", NULL};
    gd_sim *a = sim_of("dirac", kv), *b = sim_of(game, kv);
    gd_rate_result ra, rb;
    CHECK_OK(gd_sim_rate(a, "", &ra));
    CHECK_OK(gd_sim_rate(b, "", &rb));
    CHECK(ra.has_continuous && rb.has_continuous && ra.c_points == rb.c_points && ra.d_points == rb.d_points);
    CHECK_NEAR(rb.c_re, ra.c_re, 1e-12);
    CHECK_NEAR(rb.c_im, ra.c_im, 1e-12);
    CHECK_NEAR(rb.d_rho, ra.d_rho, 1e-12);
    CHECK_NEAR(rb.d_angle, ra.d_angle, 1e-12);
    CHECK_NEAR(rb.c_pred_re, -0.1, 1e-12); /* -gamma / 2 */
    gd_sim_free(&a);
    gd_sim_free(&b);
}

static const char *const grid[] = {"sweep.x", "integrator.h:0.05:2:24", "sweep.y", "model.gamma:0.05:1.5:9", "integrator.steps", "400",
                                   "run.x0", "0.1,0.1", NULL};

/* The (h, gamma) sweep: outcomes identical, rates and predicted radii to 1e-12; the batched
 * kernel runs where the game has a batched field. */
static gd_sim *sweep_sim(const char *model, const char *kernel)
{
    const char *kv[32];
    int n = 0;
    for (; grid[n]; n++) kv[n] = grid[n];
    kv[n++] = "sweep.kernel", kv[n++] = kernel, kv[n] = NULL;
    return sim_of(model, kv);
}

/* kernel: the game's sweep.kernel; the built-in runs batched exactly when the game should. */
static void sweeps_agree(const char *game, const char *kernel, int batched)
{
    gd_sim *a = sweep_sim("dirac", batched ? "auto" : "cell"), *b = sweep_sim(game, kernel);
    gd_sweep *wa = NULL, *wb = NULL;
    CHECK_OK(gd_sweep_create(a, &wa));
    CHECK_OK(gd_sweep_create(b, &wb));
    CHECK(gd_sweep_is_batched(wb) == batched && gd_sweep_is_batched(wa) == batched);
    CHECK_OK(gd_sweep_run(wa));
    CHECK_OK(gd_sweep_run(wb));
    long cells = gd_sweep_ncells(wa), differ = 0, converge = 0;
    for (long i = 0; i < cells; i++) {
        differ += gd_sweep_get_outcome(wa)[i] != gd_sweep_get_outcome(wb)[i] || gd_sweep_get_predicted(wa)[i] != gd_sweep_get_predicted(wb)[i];
        converge += gd_sweep_get_outcome(wb)[i] == GD_CONVERGE;
        /* The batched kernel (-ffast-math; the built-in's vectorised exp) differs from libm in
         * the last bits, which the orbits that do not contract (large h, small gamma: 13 of the
         * 216 cells) amplify over 400 steps to 1e-8 in their measured rate. */
        int contracting = !batched || gd_sweep_get_outcome(wa)[i] == GD_CONVERGE;
        CHECK_NEAR(gd_sweep_get_rate(wb)[i], gd_sweep_get_rate(wa)[i], contracting ? 1e-12 : 1e-7);
        CHECK_NEAR(gd_sweep_get_rho(wb)[i], gd_sweep_get_rho(wa)[i], 1e-12);
    }
    CHECK(differ == 0 && converge > 0 && converge < cells);
    gd_sweep_free(&wa);
    gd_sweep_free(&wb);
    gd_sim_free(&a);
    gd_sim_free(&b);
}

/* The largest stable simgd step at gamma = 1/2: observed by bisection, predicted where the
 * map's radius crosses 1, and the closed form: J(0) = [[0, -1/2], [1/2, -1/2]] has
 * mu = -1/4 +- i sqrt(3)/4, and |1 + h mu|^2 = 1 at h = -2 Re mu / |mu|^2 = 2. */
static void criticals_agree(const char *game)
{
    const char *kv[] = {"model.gamma", "0.5", "run.x0", "1e-3,1e-3", "integrator.steps", "3000", NULL};
    gd_sim *a = sim_of("dirac", kv), *b = sim_of(game, kv);
    gd_critical_result ca, cb;
    CHECK_OK(gd_sim_critical(a, "integrator.h", 0.5, 3, 1e-6, &ca));
    CHECK_OK(gd_sim_critical(b, "integrator.h", 0.5, 3, 1e-6, &cb));
    CHECK(ca.iterations == cb.iterations && ca.below == cb.below && ca.above == cb.above);
    CHECK_NEAR(cb.value, ca.value, 1e-12);
    CHECK_NEAR(cb.predicted, ca.predicted, 1e-9);
    CHECK_NEAR(cb.predicted, 2, 1e-6);
    gd_sim_free(&a);
    gd_sim_free(&b);
}

static void portraits_agree(const char *game)
{
    const char *kv[] = {"portrait.grid", "9", "portrait.starts", "2", "portrait.seeds", "3", "integrator.steps", "100", NULL};
    gd_sim *a = sim_of("dirac", kv), *b = sim_of(game, kv);
    gd_portrait_result pa, pb;
    CHECK_OK(gd_sim_portrait_census(a, "", &pa));
    CHECK_OK(gd_sim_portrait_census(b, "", &pb));
    CHECK(pa.equilibria == 1 && pb.equilibria == 1 && pa.index_sum == pb.index_sum && pa.newton_starts == pb.newton_starts);
    gd_sim_free(&a);
    gd_sim_free(&b);
}

static void dirac_agrees(void)
{
    register_dirac_games();
    runs_agree("dg");
    runs_agree("dg_fd");
    eigs_agree("dg", 1e-12);
    eigs_agree("dg_fd", 1e-8);
    rates_agree("dg");
    sweeps_agree("dg", "auto", 1);
    sweeps_agree("dg_scalar", "auto", 0);
    sweeps_agree("dg", "cell", 0);
    sweeps_agree("dg_fd", "cell", 0);
    criticals_agree("dg");
    criticals_agree("dg_scalar");
    portraits_agree("dg");
}

/* A game's one-pass stage (step_batch) against its batched field followed by the library's
 * update: every fixed-step rule that runs batched, on the (h, gamma) sweep (diverging, hence
 * frozen, cells included), without and with a box on psi. Outcomes identical, rates and radii
 * as in sweeps_agree; step_batch called by the rules whose stages are plain (Runge-Kutta's
 * last stage, scaled by b_s, included) and by no other. */
static void fused_steps_agree(void)
{
    static long calls;
    const double lo[2] = {-INFINITY, -0.4}, hi[2] = {INFINITY, 0.4};
    static const char *const fused[] = {"simgd", "altgd", "symplectic_euler", "extragradient", "leapfrog", "heun", "rk4", NULL};
    for (int boxed = 0; boxed < 2; boxed++) {
        gd_game plain = dirac_game(boxed ? "dg_unfused_box" : "dg_unfused"), one = dirac_game(boxed ? "dg_fused_box" : "dg_fused");
        one.step_batch = dg_step_batch, one.user_data = &calls;
        if (boxed) plain.lo = one.lo = lo, plain.hi = one.hi = hi;
        CHECK_OK(gd_model_register(&plain, NULL));
        CHECK_OK(gd_model_register(&one, NULL));
        int ran = 0;
        for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
            const char *rule = gd_integrator_type_name(*it);
            const char *kv[32];
            int n = 0;
            for (; grid[n]; n++) kv[n] = grid[n];
            kv[n++] = "integrator.name", kv[n++] = rule, kv[n] = NULL;
            gd_sim *a = sim_of(plain.name, kv), *b = sim_of(one.name, kv);
            gd_sweep *wa = NULL, *wb = NULL;
            if (gd_sweep_create(a, &wa) != GD_OK || !gd_sweep_is_batched(wa)) { /* cvode, implicit_midpoint, ...: cell by cell */
                gd_sweep_free(&wa), gd_sim_free(&a), gd_sim_free(&b);
                continue;
            }
            CHECK_OK(gd_sweep_create(b, &wb));
            CHECK(gd_sweep_is_batched(wb));
            calls = 0;
            CHECK_OK(gd_sweep_run(wa));
            CHECK(calls == 0);
            CHECK_OK(gd_sweep_run(wb));
            int expect = 0;
            for (int k = 0; fused[k]; k++) expect |= strcmp(fused[k], rule) == 0;
            if (expect != (calls > 0)) fprintf(stderr, "%s: step_batch called %ld times\n", rule, calls);
            CHECK(expect == (calls > 0));
            long cells = gd_sweep_ncells(wa), differ = 0, diverge = 0;
            for (long i = 0; i < cells; i++) {
                differ += gd_sweep_get_outcome(wa)[i] != gd_sweep_get_outcome(wb)[i] || gd_sweep_get_predicted(wa)[i] != gd_sweep_get_predicted(wb)[i];
                diverge += gd_sweep_get_outcome(wa)[i] == GD_DIVERGE;
                int contracting = gd_sweep_get_outcome(wa)[i] == GD_CONVERGE;
                CHECK_NEAR(gd_sweep_get_rate(wb)[i], gd_sweep_get_rate(wa)[i], contracting ? 1e-12 : 1e-7);
                CHECK_NEAR(gd_sweep_get_rho(wb)[i], gd_sweep_get_rho(wa)[i], 1e-12);
            }
            if (differ) fprintf(stderr, "%s%s: %ld of %ld cells differ fused\n", rule, boxed ? " (box)" : "", differ, cells);
            CHECK(differ == 0);
            CHECK(boxed || strcmp(rule, "simgd") != 0 || diverge > 0); /* frozen cells are exercised */
            ran++;
            gd_sweep_free(&wa), gd_sweep_free(&wb), gd_sim_free(&a), gd_sim_free(&b);
        }
        CHECK(ran >= 10);
    }
}

/* ---------------------------------------------------------------- registration --- */
static void refused(const gd_game *g, const char *why)
{
    char msg[GD_ERRMSG_LEN] = "";
    int rc = gd_model_register(g, msg);
    if (rc != GD_EUSAGE || !strstr(msg, why)) fprintf(stderr, "register: %d '%s', want '%s'\n", rc, msg, why);
    CHECK(rc == GD_EUSAGE && strstr(msg, why) && !strchr(msg, '\n'));
}

static void registration_refuses(void)
{
    gd_game g = dirac_game("dirac");
    refused(&g, "model 'dirac' is already registered");
    g = dirac_game("dg");
    refused(&g, "model 'dg' is already registered");
    g = dirac_game("bad_dim"), g.dim = 0;
    refused(&g, "dim = 0");
    g = dirac_game("bad_ngen"), g.ngen = 3;
    refused(&g, "ngen = 3 is outside 0..dim = 2");
    g = dirac_game("no_field"), g.field = NULL;
    refused(&g, "no field callback");
    g = dirac_game("step_only"), g.step_batch = dg_step_batch, g.field_batch = NULL, g.batch_params = NULL;
    refused(&g, "step_batch without field_batch");
    g = dirac_game("new_abi"), g.abi_version = GD_ABI_VERSION + 1;
    refused(&g, "built for gandyn ABI 3");
    g = dirac_game("bad name");
    refused(&g, "is not a name");
    g = dirac_game(NULL);
    refused(&g, "is not a name");
    g = dirac_game("small_opts"), g.opts_size = 4;
    refused(&g, "does not fit in opts_size = 4");
    static const char *const not_a_key[] = {"delta", NULL};
    g = dirac_game("bad_batch"), g.batch_params = not_a_key;
    refused(&g, "batch parameter 'delta' is not a double key");
    static const gd_param bad_default[] = {{"gamma", GD_P_DOUBLE, 0, "-1", "", 0, INFINITY, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
    g = dirac_game("bad_default"), g.params = bad_default;
    refused(&g, "model 'bad_default': a default fails its own check: model.gamma = -1 is out of range");
    static const gd_param reserved[] = {{"name", GD_P_DOUBLE, 0, "1", "", 0, INFINITY, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
    g = dirac_game("reserved_key"), g.params = reserved;
    refused(&g, "key 'name' is reserved");
    const double lo[2] = {0, 1}, hi[2] = {1, 0};
    g = dirac_game("bad_box"), g.lo = lo, g.hi = hi;
    refused(&g, "box lo[1] = 1 > hi[1] = 0");
    CHECK(gd_model_register(NULL, NULL) == GD_EUSAGE);
    CHECK(!gd_model_type_find("bad_dim") && !gd_model_type_find("no_field") && !gd_model_type_find("new_abi"));
}

/* ---------------------------------------------------------------- setup, box ------ */
/* n independent damped rotations: dim = 2 n from the key n, the first n the generator's. */
typedef struct { long n; double a; } rot_opts;
static const gd_param rot_params[] = {{"n", GD_P_INT, offsetof(rot_opts, n), "3", "blocks", 1, 1000, 0, NULL},
                                      {"a", GD_P_DOUBLE, offsetof(rot_opts, a), "0.5", "damping", -10, 10, 0, NULL},
                                      {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

static int rot_setup(void *opts, int *dim, int *ngen, char *msg, void *user)
{
    (void)user;
    const rot_opts *o = opts;
    if (o->a < 0) return snprintf(msg, GD_ERRMSG_LEN, "a = %g < 0 makes the blocks unstable", o->a), 1;
    *dim = 2 * (int)o->n, *ngen = (int)o->n;
    return 0;
}

/* theta_k' = -a theta_k - psi_k, psi_k' = theta_k: eigenvalues (-a +- sqrt(a^2 - 4)) / 2. */
static int rot_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)user;
    int n = dim / 2;
    double a = ((const rot_opts *)opts)->a;
    for (int k = 0; k < n; k++) v[k] = -a * x[k] - x[n + k], v[n + k] = x[k];
    return 0;
}

static void setup_derives_dim(void)
{
    gd_game g = {.abi_version = GD_ABI_VERSION, .name = "rotations", .dim = 2, .ngen = 1, .params = rot_params, .opts_size = sizeof(rot_opts),
                 .setup = rot_setup, .field = rot_field, .equilibrium = origin};
    CHECK_OK(gd_model_register(&g, NULL));
    const char *kv[] = {"model.n", "4", NULL};
    gd_sim *s = sim_of("rotations", kv);
    CHECK(gd_model_dim(gd_sim_get_model(s)) == 8 && gd_model_ngen(gd_sim_get_model(s)) == 4);
    gd_eig_result e;
    CHECK_OK(gd_sim_eig(s, &e)); /* central differences of the field: eight copies of -1/4 +- i sqrt(15)/4 */
    for (int i = 0; i < 8; i++) {
        CHECK_NEAR(e.re[i], -0.25, 1e-8);
        CHECK_NEAR(fabs(e.im[i]), sqrt(15) / 4, 1e-8);
    }
    gd_eig_result_free(&e);
    CHECK(strstr(gd_sim_get_config_text(s), "[model]\nname = rotations\nn = 4\na = 0.5\n") != NULL);
    CHECK(gd_sim_set(s, "model.a", "-1") == GD_OK && gd_sim_setup(s) == GD_EUSAGE);
    CHECK(strcmp(gd_sim_errmsg(s), "model 'rotations': a = -1 < 0 makes the blocks unstable") == 0);
    gd_sim_free(&s);
}

/* The Dirac game with psi clipped to [-0.5, 0.5] by a box: the runs stay inside, the
 * bounds report it, and the batched sweep still applies (a box, no projection callback). */
static void box_clips(void)
{
    const double lo[2] = {-INFINITY, -0.5}, hi[2] = {INFINITY, 0.5};
    gd_game g = dirac_game("dg_box");
    g.lo = lo, g.hi = hi;
    CHECK_OK(gd_model_register(&g, NULL));
    const char *kv[] = {"run.x0", "2,2", "integrator.h", "0.5", "integrator.steps", "1", NULL};
    gd_sim *s = sim_of("dg_box", kv);
    double l[2], h[2];
    gd_model_bounds(gd_sim_get_model(s), l, h);
    CHECK(l[1] == -0.5 && h[1] == 0.5 && isinf(l[0]));
    CHECK_OK(gd_sim_run(s, ""));
    /* from (2, 0.5), the start clipped: theta' = -0.5 f'(1), psi' = 2 f'(1) - 0.15 > 0, clipped */
    CHECK_NEAR(gd_sim_get_xfinal(s, 0)[0], 2 - 0.5 * 0.5 * fp(1), 1e-15);
    CHECK(gd_sim_get_xfinal(s, 0)[1] == 0.5);
    gd_model *m = gd_sim_get_model(s);
    double x[2] = {3, -7};
    gd_model_project(m, x);
    CHECK(x[0] == 3 && x[1] == -0.5);
    gd_sim_free(&s);
    const char *sw[] = {"sweep.x", "integrator.h:0.1:1:4", NULL};
    s = sim_of("dg_box", sw);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_is_batched(w));
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- failures ------- */
/* The Dirac game whose field misbehaves from its `at`-th call on: returns `code` (once, or
 * from then on), or NaN. Serial: the counter is shared. */
typedef struct { long calls, at; int code, once, nan; pthread_t thread; int other_thread; } trouble;

static int trouble_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    trouble *t = user;
    t->other_thread |= !pthread_equal(pthread_self(), t->thread);
    long k = ++t->calls;
    if (t->at && k >= t->at && (!t->once || k == t->at)) {
        if (!t->nan) return t->code;
        v[0] = v[1] = NAN;
        return 0;
    }
    return dg_field(dim, x, v, opts, NULL);
}

static gd_game trouble_game(const char *name, trouble *t)
{
    gd_game g = dirac_game(name);
    g.field = trouble_field, g.user_data = t, g.flags = GD_GAME_SERIAL;
    g.field_batch = NULL, g.batch_params = NULL;
    return g;
}

static void failures_recorded(void)
{
    static trouble retry = {0, 60, 1, 1, 0, 0, 0}, fatal = {0, 40, -7, 0, 0, 0, 0}, nan = {0, 40, 0, 0, 1, 0, 0};
    gd_game g = trouble_game("retry", &retry);
    CHECK_OK(gd_model_register(&g, NULL));
    g = trouble_game("fatal", &fatal);
    CHECK_OK(gd_model_register(&g, NULL));
    g = trouble_game("nan_late", &nan);
    CHECK_OK(gd_model_register(&g, NULL));
    /* > 0 once: CVODE retries that step smaller and ends where the clean game does */
    const char *cv[] = {"integrator.name", "cvode", "integrator.t_end", "10", "integrator.steps", "10", NULL};
    gd_sim *a = sim_of("dg", cv), *b = sim_of("retry", cv);
    CHECK_OK(gd_sim_run(a, ""));
    CHECK_OK(gd_sim_run(b, ""));
    CHECK(gd_sim_get_failure(b, 0) == GD_FAIL_NONE && retry.calls > retry.at);
    CHECK_NEAR(gd_sim_get_xfinal(b, 0)[0], gd_sim_get_xfinal(a, 0)[0], 1e-6);
    CHECK_NEAR(gd_sim_get_xfinal(b, 0)[1], gd_sim_get_xfinal(a, 0)[1], 1e-6);
    gd_sim_free(&a);
    gd_sim_free(&b);
    /* < 0: the trajectory stops, recorded as the field's failure with the callback's code */
    for (int k = 0; k < 2; k++) {
        const char *kv[] = {"integrator.name", k ? "cvode" : "simgd", "integrator.steps", "100", NULL};
        fatal.calls = 0;
        b = sim_of("fatal", kv);
        CHECK_OK(gd_sim_run(b, ""));
        CHECK(gd_sim_get_failure(b, 0) == GD_FAIL_RHS && gd_sim_get_steps(b, 0) < 100);
        const char *why = gd_sim_get_failure_message(b, 0);
        if (!strstr(why, "model 'fatal': the field callback returned -7 (fatal) at x = (")) fprintf(stderr, "fatal: '%s'\n", why);
        CHECK(strstr(why, "model 'fatal': the field callback returned -7 (fatal) at x = (") != NULL);
        CHECK(!k || strstr(why, "cvode: CV_RHSFUNC_FAIL") != NULL);
        gd_sim_free(&b);
    }
    /* NaN mid-run: a non-finite state, classified as diverged, as for a built-in model */
    b = sim_of("nan_late", NULL);
    CHECK_OK(gd_sim_run(b, ""));
    CHECK(gd_sim_get_failure(b, 0) == GD_FAIL_NONFINITE && gd_sim_get_outcome(b, 0) == GD_DIVERGE);
    gd_sim_free(&b);
}

/* Broken at the point setup probes: refused with the reason, for every callback. */
static int nan_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    dg_field(dim, x, v, opts, user);
    v[1] = NAN;
    return 0;
}
static int failing_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)x, (void)v, (void)opts, (void)user;
    return -2;
}
static int inf_jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    dg_jacobian(dim, x, J, opts, user);
    J[2] = INFINITY;
    return 0;
}

static void broken_games_refused(void)
{
    struct { const char *name, *why; gd_game_field_fn field; gd_game_jacobian_fn jac; } cases[] = {
        {"nan_field", "model 'nan_field': the field callback gave v[1] = nan at the equilibrium x = (0, 0)", nan_field, dg_jacobian},
        {"failing_field", "model 'failing_field': the field callback returned -2 at the equilibrium", failing_field, dg_jacobian},
        {"inf_jacobian", "model 'inf_jacobian': the jacobian callback gave J[2] = inf at the equilibrium x = (0, 0)", dg_field, inf_jacobian},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gd_game g = dirac_game(cases[i].name);
        g.field = cases[i].field, g.jacobian = cases[i].jac;
        CHECK_OK(gd_model_register(&g, NULL));
        gd_sim *s = gd_sim_create();
        CHECK_OK(gd_sim_set(s, "model.name", cases[i].name));
        CHECK(gd_sim_setup(s) == GD_EUSAGE);
        if (strcmp(gd_sim_errmsg(s), cases[i].why) != 0) fprintf(stderr, "'%s'\n", gd_sim_errmsg(s));
        CHECK(strcmp(gd_sim_errmsg(s), cases[i].why) == 0);
        gd_sim_free(&s);
    }
}

/* A serial game's sweep calls it from the calling thread only, whatever the threads asked. */
static void serial_sweeps(void)
{
    static trouble watch = {0, 0, 0, 0, 0, 0, 0};
    watch.thread = pthread_self();
    gd_game g = trouble_game("watched", &watch);
    CHECK_OK(gd_model_register(&g, NULL));
    const char *kv[] = {"sweep.x", "integrator.h:0.1:1:40", "sweep.y", "model.gamma:0.1:1:20", "integrator.steps", "50", NULL};
    gd_sim *s = sim_of("watched", kv);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    gd_sweep_set_threads(w, 2);
    CHECK_OK(gd_sweep_run(w));
    CHECK(watch.calls > 800 * 50 && !watch.other_thread);
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* x' = lambda x: simgd multiplies x by 1 + h lambda per step, so every cell diverges and its
 * measured rate (|x| at the freeze over |x0|, per step) is 1 + h lambda. The batched field
 * counts the states it is given beyond the radius R and the states in all. */
typedef struct { double lambda; } grow_opts;
typedef struct { double R2; long beyond, lanes; } grow_count;
static const gd_param grow_params[] = {
    {"lambda", GD_P_DOUBLE, offsetof(grow_opts, lambda), "1", "growth rate", 0, INFINITY, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
static const char *const grow_batch[] = {"lambda", NULL};

static int grow_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)user;
    for (int k = 0; k < dim; k++) v[k] = ((const grow_opts *)opts)->lambda * x[k];
    return 0;
}

static int grow_field_batch(int n, int dim, const double *p, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)opts;
    grow_count *c = user;
    long beyond = 0;
    for (int i = 0; i < n; i++) {
        v[i] = p[i] * x[i], v[n + i] = p[i] * x[n + i];
        beyond += x[i] * x[i] + x[n + i] * x[n + i] > c->R2;
    }
    __atomic_fetch_add(&c->beyond, beyond, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->lanes, (long)n, __ATOMIC_RELAXED);
    return 0;
}

static void frozen_cells_parked(void)
{
    static grow_count count = {1e12, 0, 0};
    const gd_game g = {.abi_version = GD_ABI_VERSION, .name = "grow", .dim = 2, .ngen = 1, .params = grow_params, .opts_size = sizeof(grow_opts),
                       .field = grow_field, .equilibrium = origin, .field_batch = grow_field_batch, .batch_params = grow_batch, .user_data = &count};
    CHECK_OK(gd_model_register(&g, NULL));
    const long steps = 400;
    const char *kv[] = {"sweep.x", "integrator.h:0.5:1:8", "sweep.y", "model.lambda:1:2:4", "integrator.steps", "400", "run.x0", "1,1",
                        "sweep.diverge_radius", "1e6", NULL};
    gd_sim *s = sim_of("grow", kv);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_is_batched(w));
    CHECK_OK(gd_sweep_run(w));
    const double *h = gd_sweep_get_axis(w, 0), *lambda = gd_sweep_get_axis(w, 1);
    for (long j = 0; j < gd_sweep_ny(w); j++)
        for (long i = 0; i < gd_sweep_nx(w); i++) {
            long c = j * gd_sweep_nx(w) + i;
            CHECK(gd_sweep_get_outcome(w)[c] == GD_DIVERGE);
            CHECK_REL(gd_sweep_get_rate(w)[c], 1 + h[i] * lambda[j], 1e-12);
        }
    /* every lane of the padded block is evaluated once per step (and once at the probe for a
     * batched field); without parking each would be beyond R for some 370 of the 400 steps */
    long lanes = count.lanes / steps;
    CHECK(lanes == gd_sweep_block_size() && count.beyond <= 10 * lanes);
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- rules ---------- */
/* Explicit Euler on both players: x+ = x + H F(x), H = hg on generator rows, hd on the rest. */
static int euler_step(int dim, int ngen, double hg, double hd, double *x, gd_rule_field_fn field, void *ctx, const void *opts, void *user)
{
    (void)opts, (void)user;
    double v[64];
    int rc = field(ctx, x, v);
    for (int i = 0; rc == 0 && i < dim; i++) x[i] += (i < ngen ? hg : hd) * v[i];
    return rc;
}

static int euler_map(int dim, int ngen, double hg, double hd, const double *x, double *M, gd_rule_field_fn field, gd_rule_jacobian_fn jacobian,
                     void *ctx, const void *opts, void *user)
{
    (void)field, (void)opts, (void)user;
    int rc = jacobian(ctx, x, M);
    for (int i = 0; rc == 0 && i < dim; i++)
        for (int j = 0; j < dim; j++) M[i * dim + j] = (i == j) + (i < ngen ? hg : hd) * M[i * dim + j];
    return rc;
}

typedef struct { long bogus; } rule_opts;

static void rules_agree(void)
{
    static const gd_param own[] = {{"euler_unused", GD_P_INT, 0, "1", "a key of the rule's own", 0, 10, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
    gd_rule r = {.abi_version = GD_ABI_VERSION, .name = "euler", .summary = "explicit Euler, tests/test_game.c", .order = 1, .params = own,
                 .opts_size = sizeof(rule_opts), .step = euler_step, .map_jacobian = euler_map};
    CHECK_OK(gd_integrator_register(&r, NULL));
    r.name = "euler_fd", r.map_jacobian = NULL, r.params = NULL, r.opts_size = 0;
    CHECK_OK(gd_integrator_register(&r, NULL));
    const gd_integrator_type *t = gd_integrator_type_find("euler");
    CHECK(t && gd_integrator_type_order(t) == 1 && gd_integrator_type_is_fixed_step(t) && gd_integrator_type_reads(t, "lr_g") &&
          gd_integrator_type_reads(t, "euler_unused") && gd_integrator_type_plugin(t) == NULL);
    const char *names[] = {"euler", "euler_fd"};
    for (int k = 0; k < 2; k++) {
        const char *kv[] = {"integrator.name", names[k], "integrator.lr_d", "0.3", "integrator.h", "0.2", "run.x0", "1,1;-0.5,2", NULL};
        const char *ref[] = {"integrator.name", "simgd", "integrator.lr_d", "0.3", "integrator.h", "0.2", "run.x0", "1,1;-0.5,2", NULL};
        gd_sim *a = sim_of("dirac", ref), *b = sim_of("dirac", kv);
        CHECK_OK(gd_sim_run(a, ""));
        CHECK_OK(gd_sim_run(b, ""));
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++) CHECK(gd_sim_get_xfinal(a, j)[i] == gd_sim_get_xfinal(b, j)[i]); /* the same arithmetic */
        gd_eig_result ea, eb;
        CHECK_OK(gd_sim_eig(a, &ea));
        CHECK_OK(gd_sim_eig(b, &eb));
        CHECK(eb.map_analytic == !k);
        for (int i = 0; i < 2; i++) {
            CHECK_NEAR(eb.map_re[i], ea.map_re[i], k ? 1e-8 : 1e-15);
            CHECK_NEAR(eb.map_im[i], ea.map_im[i], k ? 1e-8 : 1e-15);
        }
        gd_eig_result_free(&ea);
        gd_eig_result_free(&eb);
        gd_sim_free(&a);
        gd_sim_free(&b);
        const char *sw[] = {"integrator.name", names[k], "sweep.x", "integrator.h:0.1:3:16", "sweep.y", "model.gamma:0.1:1:4", "run.x0", "0.1,0.1", NULL};
        const char *sw_ref[] = {"integrator.name", "simgd", "sweep.x", "integrator.h:0.1:3:16", "sweep.y", "model.gamma:0.1:1:4", "run.x0", "0.1,0.1",
                                "sweep.kernel", "cell", NULL};
        a = sim_of("dirac", sw_ref), b = sim_of("dirac", sw);
        gd_sweep *wa = NULL, *wb = NULL;
        CHECK_OK(gd_sweep_create(a, &wa));
        CHECK_OK(gd_sweep_create(b, &wb));
        CHECK(!gd_sweep_is_batched(wb));
        CHECK_OK(gd_sweep_run(wa));
        CHECK_OK(gd_sweep_run(wb));
        CHECK(memcmp(gd_sweep_get_outcome(wa), gd_sweep_get_outcome(wb), (size_t)gd_sweep_ncells(wa)) == 0);
        /* central differences: 1e-10 on the map, and a double eigenvalue (rho = 1/2 at one h)
         * moves by the square root of that. The built-in simgd takes rho from J's spectrum
         * (spectral mapping), the user's rule from its map's: at gamma = 1 (the last row) J is
         * defective and the map's eigen-solve is off by sqrt(eps), elsewhere they agree to rounding */
        for (long i = 0; i < gd_sweep_ncells(wa); i++) {
            int defective = i / gd_sweep_nx(wa) == 3;
            CHECK_NEAR(gd_sweep_get_rho(wb)[i], gd_sweep_get_rho(wa)[i], k ? 1e-6 : defective ? 1e-7 : 1e-15);
        }
        gd_sweep_free(&wa);
        gd_sweep_free(&wb);
        gd_sim_free(&a);
        gd_sim_free(&b);
    }
    /* refusals */
    char msg[GD_ERRMSG_LEN];
    gd_rule bad = r;
    bad.name = "simgd";
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "integrator 'simgd' is already registered"));
    bad = r, bad.name = "nostep", bad.step = NULL;
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "no step callback"));
    bad = r, bad.name = "order0", bad.order = 0;
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "order = 0"));
    static const gd_param shared[] = {{"h", GD_P_DOUBLE, 0, "1", "", 0, 1, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
    static const gd_param taken[] = {{"n_d", GD_P_INT, 0, "1", "", 1, 10, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
    bad = r, bad.name = "shared_key", bad.params = shared, bad.opts_size = sizeof(double);
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "key 'h' is one of the shared integrator keys"));
    bad = r, bad.name = "taken_key", bad.params = taken, bad.opts_size = sizeof(long);
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "key 'n_d' is integrator 'altgd''s already"));
    bad = r, bad.name = "new_abi", bad.abi_version = GD_ABI_VERSION + 1;
    CHECK(gd_integrator_register(&bad, msg) == GD_EUSAGE && strstr(msg, "a rule built for gandyn ABI 3"));
    CHECK(gd_integrator_register(NULL, NULL) == GD_EUSAGE && !gd_integrator_type_find("nostep"));
}

/* ---------------------------------------------------------------- plugins -------- */
static int count_models(void)
{
    int n = 0;
    for (const gd_model_type *const *t = gd_model_types(); *t; t++) n++;
    return n;
}

static void plugins(void)
{
    const char *dir = getenv("GANDYN_TEST_PLUGINS");
    CHECK(dir != NULL); /* set by tests/CMakeLists.txt */
    if (!dir) return;
    char good[1024], alias[1024], partial[1024], msg[GD_ERRMSG_LEN];
    snprintf(good, sizeof good, "%s/plugin_good.so", dir);
    snprintf(alias, sizeof alias, "%s/./plugin_good.so", dir);
    snprintf(partial, sizeof partial, "%s/plugin_partial.so", dir);
    int before = count_models();
    CHECK_OK(gd_plugin_load(good, msg));
    CHECK_OK(gd_plugin_load(good, msg));  /* loaded already */
    CHECK_OK(gd_plugin_load(alias, msg)); /* the same library: not initialised again */
    CHECK(count_models() == before + 1);
    const gd_model_type *toy = gd_model_type_find("toy");
    const gd_integrator_type *euler = gd_integrator_type_find("plugin_euler");
    CHECK(toy && euler && strcmp(gd_model_type_plugin(toy), good) == 0 && strcmp(gd_integrator_type_plugin(euler), good) == 0);
    /* the plugin's rule is simgd written out: the same numbers on its damped rotation */
    const char *kv[] = {"integrator.name", "plugin_euler", "run.x0", "1,0.5", NULL}, *ref[] = {"integrator.name", "simgd", "run.x0", "1,0.5", NULL};
    gd_sim *a = sim_of("toy", ref), *b = sim_of("toy", kv);
    CHECK_OK(gd_sim_run(a, ""));
    CHECK_OK(gd_sim_run(b, ""));
    CHECK(gd_sim_get_xfinal(a, 0)[0] == gd_sim_get_xfinal(b, 0)[0] && gd_sim_get_xfinal(a, 0)[1] == gd_sim_get_xfinal(b, 0)[1]);
    char line[1100];
    snprintf(line, sizeof line, "[model]\nname = toy\nplugin = %s\na = 0.5\n", good);
    CHECK(strstr(gd_sim_get_config_text(b), line) != NULL); /* recorded, so that the file's configuration runs again */
    gd_sim_free(&a);
    gd_sim_free(&b);
    /* named in the configuration: loaded by setup, and written as given */
    gd_sim *c = gd_sim_create();
    CHECK_OK(gd_sim_set(c, "model.plugin", alias));
    CHECK_OK(gd_sim_set(c, "model.name", "toy"));
    CHECK_OK(gd_sim_setup(c));
    snprintf(line, sizeof line, "plugin = %s\n", alias);
    CHECK(strstr(gd_sim_get_config_text(c), line) != NULL);
    gd_sim_free(&c);
    /* a plugin whose entry point fails halfway: what it registered first is removed */
    CHECK(gd_plugin_load(partial, msg) == GD_EUSAGE && strstr(msg, "model 'dirac' is already registered"));
    CHECK(!gd_model_type_find("partial_a") && count_models() == before + 1);
    CHECK(gd_plugin_load(NULL, msg) == GD_EUSAGE && gd_plugin_load("", NULL) == GD_EUSAGE);
    CHECK(gd_plugin_load("no_such_plugin.so", msg) == GD_EUSAGE && strcmp(msg, "plugin 'no_such_plugin.so': No such file or directory") == 0);
}

int main(void)
{
    dirac_agrees();
    registration_refuses();
    setup_derives_dim();
    box_clips();
    failures_recorded();
    broken_games_refused();
    serial_sweeps();
    frozen_cells_parked();
    rules_agree();
    fused_steps_agree();
    plugins();
    return check_report("test_game");
}
