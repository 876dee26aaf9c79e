/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The public interface's contract (ARCHITECTURE.md, "Results and entry checks"):
 *  - every public function taking a handle answers a NULL handle, and one whose setup has not
 *    succeeded, with GD_EUSAGE (pointers: NULL, counts: -1, doubles: NaN, void: nothing),
 *    with the message on the handle when there is one; run under ASan, no call may crash;
 *  - results belong to the caller: two results of one analysis coexist, outlive later calls
 *    and the sim, and a failed analysis leaves a zeroed struct;
 *  - sweep getters have no side effects: the same arrays, whatever runs in between;
 *  - every function the headers export is named in this file (a new one fails until its entry
 *    check is tested here).
 */
#include "check.h"
#include "gandyn/command.h"
#include "gandyn/estimate.h"
#include "gandyn/functional.h"
#include "gandyn/game.h"
#include "gandyn/particles.h"
#include "gandyn/torus.h"
#include "gandyn/vecmath.h"

#include <complex.h>
#include <ctype.h>
#include <dirent.h>
#include <string.h>

#define EUSAGE(call) CHECK((call) == GD_EUSAGE)
/* A usage error that says on the handle that setup is missing. */
#define NOT_SET_UP(call, errmsg) CHECK((call) == GD_EUSAGE && strstr(errmsg, "has not succeeded"))

static gd_sim *sim_of(const char *const *kv)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv && kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    CHECK_OK(gd_sim_setup(s));
    return s;
}

/* ---------------------------------------------------------------- no handle ---- */
/* <gandyn/vecmath.h>'s gd_exp_fast (and gd_exp_fast_inrange) against libm's exp on 2e5 + 1 points of [-708, 708] (this file
 * is compiled IEEE-strict: the bound is a few ulp; under -ffast-math, reassociation of the
 * argument reduction allows 1e-13, as the header says), and its clamping beyond. */
static void exp_fast(void)
{
    double worst = 0;
    for (int i = 0; i <= 200000; i++) {
        double s = -708.0 + 1416.0 * i / 200000, e = exp(s);
        worst = fmax(worst, fabs(gd_exp_fast(s) - e) / e);
        if (gd_exp_fast_inrange(s) != gd_exp_fast(s)) worst = INFINITY; /* the same without the clamp */
    }
    CHECK(worst < 1e-15);
    CHECK(gd_exp_fast(800) == gd_exp_fast(708) && gd_exp_fast(-1e300) == gd_exp_fast(-708));
    CHECK_REL(gd_exp_fast(708), exp(708.0), 1e-15);
    CHECK(gd_exp_fast(0) == 1.0);
}

/* gd_sigmoid_fast (and its unclamped twin) against 1/(1 + e^-x) from libm on 2e5 + 1 points of
 * [-708, 708]: a few ulp of the value, which is what the built-in fields' f'(s) = 1/(1 + e^s)
 * now costs; the symmetry sigma(x) + sigma(-x) = 1; the clamp beyond 708. */
static void sigmoid_fast(void)
{
    double worst = 0, sym = 0;
    for (int i = 0; i <= 200000; i++) {
        double x = -708.0 + 1416.0 * i / 200000, want = 1.0 / (1.0 + exp(-x));
        worst = fmax(worst, fabs(gd_sigmoid_fast(x) - want) / want);
        sym = fmax(sym, fabs(gd_sigmoid_fast(x) + gd_sigmoid_fast(-x) - 1.0));
        if (gd_sigmoid_fast_inrange(x) != gd_sigmoid_fast(x)) worst = INFINITY;
    }
    CHECK(worst < 1e-15);
    CHECK(sym < 4e-16);
    CHECK(gd_sigmoid_fast(0) == 0.5);
    CHECK(gd_sigmoid_fast(1e300) == gd_sigmoid_fast(708) && gd_sigmoid_fast(708) == 1.0);
    CHECK(gd_sigmoid_fast(-800) == gd_sigmoid_fast(-708) && gd_sigmoid_fast(-708) > 0 && gd_sigmoid_fast(-708) < 1e-307);
}

/* The functions without a handle, on edge inputs: defined answers, no crash. */
static void without_handles(void)
{
    CHECK(strcmp(gd_strerror(GD_EUSAGE), "usage or configuration error") == 0 && gd_strerror(-99));
    CHECK(strcmp(gd_outcome_name((gd_outcome)7), "unknown") == 0 && strcmp(gd_failure_name(GD_FAIL_COUNT), "unknown") == 0);
    CHECK(gd_model_types()[0] && gd_integrator_types()[0] && gd_integrator_shared_params()[0].key);
    CHECK(gd_sim_section_params(NULL) == NULL && gd_sim_section_params("model") == NULL && gd_sim_section_params("run"));
    double re[2] = {-1, -1}, im[2] = {1, -1};
    CHECK(strcmp(gd_fixed_point_type(2, re, im, 1), "spiral_sink") == 0 && gd_predict_outcome(NAN) == GD_OSCILLATE);
    CHECK(gd_sweep_block_size() > 0 && gd_sweep_record_size() > 0);
    char key[16], msg[512];
    double lo, hi;
    long n;
    int lg;
    EUSAGE(gd_parse_axis(NULL, key, sizeof key, &lo, &hi, &n, &lg, msg));
    EUSAGE(gd_parse_axis("x:0:1", key, sizeof key, &lo, &hi, &n, &lg, NULL)); /* no message wanted */
    CHECK(gd_axis_value(2, 8, 3, 1, 1) == 4);
    double A[4] = {0, -2, 2, 0}, wr[2], wi[2], V[8], c[4], b[2] = {1, 0};
    CHECK_OK(gd_eigenvalues(2, A, wr, wi));
    CHECK_OK(gd_eigenvectors(2, A, wr, wi, V));
    CHECK_OK(gd_complex_solve(2, V, b, c));
    CHECK_NEAR(wr[0], 0, 1e-15);
    CHECK_NEAR(fabs(wi[0]), 2, 1e-15);
    gd_estimate_opts o;
    gd_estimate_defaults(&o);
    double lambda[1], *x = NULL;
    int np, d;
    CHECK(gd_estimate_spectrum(0, 1, NULL, &o, 1, lambda, NULL, msg) == GD_EUSAGE && strstr(msg, "at least 2"));
    CHECK(gd_estimate_read_points("no_such_dir/points.h5", "/points", &np, &d, &x, msg) != GD_OK && !x);
    CHECK(gd_estimate_write("no_such_dir/out.h5", "", 2, 1, &o, 1, lambda, &(gd_estimate_report){0}, msg) != GD_OK);
    CHECK(gd_particles_mmd2(1, 0, NULL, NULL, 0, NULL, NULL, 1) == 0);
    CHECK(gd_torus_plan_create(0, 8, 0) == NULL);
    CHECK(gd_model_register(NULL, msg) == GD_EUSAGE && strstr(msg, "a NULL game") && gd_model_register(NULL, NULL) == GD_EUSAGE);
    CHECK(gd_integrator_register(NULL, msg) == GD_EUSAGE && strstr(msg, "a NULL rule") && gd_integrator_register(NULL, NULL) == GD_EUSAGE);
    CHECK(!gd_model_type_plugin(NULL) && !gd_integrator_type_plugin(NULL));
    CHECK(gd_plugin_load(NULL, msg) == GD_EUSAGE && strstr(msg, "no path") && gd_plugin_load("no_such_dir/x.so", NULL) == GD_EUSAGE);
    CHECK(!gd_model_type_plugin(gd_model_type_find("linear")) && !gd_integrator_type_plugin(gd_integrator_type_find("simgd")));
}

/* ---------------------------------------------------------------- NULL --------- */
static void null_models(void)
{
    double x[4] = {0}, v[4], J[16];
    int k[2] = {0, 0};
    CHECK(!gd_model_type_find(NULL) && !gd_model_type_name(NULL) && !gd_model_type_summary(NULL));
    CHECK(!gd_model_type_params(NULL) && !gd_model_type_batch_params(NULL) && !gd_model_create(NULL));
    EUSAGE(gd_model_set(NULL, "gamma", "1"));
    EUSAGE(gd_model_setup(NULL));
    CHECK(gd_model_errmsg(NULL)[0] && gd_model_warning(NULL)[0] == '\0');
    gd_model_free(NULL);
    CHECK(!gd_model_get_type(NULL));
    EUSAGE(gd_model_dim(NULL));
    EUSAGE(gd_model_ngen(NULL));
    EUSAGE(gd_model_field(NULL, x, v));
    EUSAGE(gd_model_jacobian(NULL, x, J));
    EUSAGE(gd_model_jacobian_fd(NULL, x, J));
    EUSAGE(gd_model_jvp(NULL, x, v, J));
    EUSAGE(gd_model_psolve(NULL, 1, x, v));
    EUSAGE(gd_model_default_start(NULL, x));
    EUSAGE(gd_model_equilibrium(NULL, x));
    gd_model_project(NULL, x);
    gd_model_bounds(NULL, x, v);
    EUSAGE(gd_model_newton(NULL, x, v));
    EUSAGE(gd_model_find_equilibrium(NULL, x, v));
    double top, bottom;
    EUSAGE(gd_gradient_curvature(NULL, x, 10, 0, &top, &bottom));
    EUSAGE(gd_functional_laplacian_spectrum(NULL, v, J));
    EUSAGE(gd_functional_ground_state_spectrum(NULL, v));
    EUSAGE(gd_functional_mode_roots(NULL, 1, 0, v, J));
    EUSAGE(gd_functional_laplacian(NULL, x, v));
    EUSAGE(gd_particles_objective(NULL, x, v));
    EUSAGE(gd_particles_critic_gradient(NULL, x, x, v));
    EUSAGE(gd_torus_coefficient(NULL, 0, 0, v, v + 1));
    EUSAGE(gd_torus_coefficient_nd(NULL, k, v, v + 1));
    EUSAGE(gd_torus_series(NULL, x, v, v, J));
    EUSAGE(gd_torus_objective(NULL, x, v, v));
    EUSAGE(gd_torus_grid_field(NULL, 8, J, J));
    gd_torus_plan_execute(NULL, x);
    v[0] = 7;
    gd_torus_plan_coefficient(NULL, k, v, v + 1);
    CHECK(v[0] == 7);
    gd_torus_plan_free(NULL);
}

static void null_steppers(void)
{
    const gd_integrator_type *simgd = gd_integrator_type_find("simgd");
    double x[4] = {0}, M[16], t = 0;
    CHECK(!gd_integrator_type_find(NULL) && !gd_integrator_type_name(NULL) && !gd_integrator_type_summary(NULL) && !gd_integrator_type_params(NULL) && !gd_integrator_type_reads(NULL, "h"));
    CHECK(gd_integrator_type_order(NULL) == GD_EUSAGE && gd_integrator_type_is_fixed_step(NULL) == 0);
    CHECK(gd_integrator_type_state_name(NULL, 0) == NULL);
    const gd_integrator_type *adam = gd_integrator_type_find("adam");
    CHECK(!strcmp(gd_integrator_type_state_name(adam, 0), "x") && !strcmp(gd_integrator_type_state_name(adam, 2), "v") &&
          gd_integrator_type_state_name(adam, 3) == NULL && gd_integrator_type_state_name(adam, -1) == NULL);
    CHECK(!gd_stepper_create(NULL, NULL) && !gd_stepper_create(simgd, NULL));
    EUSAGE(gd_stepper_set(NULL, "h", "0.1"));
    EUSAGE(gd_stepper_setup(NULL));
    EUSAGE(gd_stepper_reset(NULL, x));
    EUSAGE(gd_stepper_step(NULL, x, &t));
    EUSAGE(gd_stepper_step_batch(NULL, 1, x, NULL, NULL, NULL, 1));
    EUSAGE(gd_stepper_map_jacobian_fd(NULL, x, M));
    EUSAGE(gd_stepper_map_dim(NULL));
    EUSAGE(gd_stepper_map_jacobian(NULL, x, M, NULL));
    EUSAGE(gd_stepper_map_state(NULL, x));
    EUSAGE(gd_stepper_set_section(NULL, NULL, 0));
    CHECK(gd_stepper_get_nfev(NULL) == GD_EUSAGE && gd_stepper_get_nsteps(NULL) == GD_EUSAGE);
    CHECK(gd_stepper_errmsg(NULL)[0]);
    gd_stepper_free(NULL);
    EUSAGE(gd_stability_region(NULL, 1, x, 1, x, M));
}

/* What a sim that is NULL or not set up answers: every use refuses, and a sim says why
 * (the message getters excepted, they answer: tested where the handles are made). */
#define REFUSED(s, call) CHECK((call) == GD_EUSAGE && (!(s) || strstr(gd_sim_errmsg(s), "has not succeeded")))
static void sim_refuses(gd_sim *s)
{
    gd_smoothness_result sm;
    gd_eig_result e;
    gd_scan_result sc;
    gd_rate_result r;
    gd_portrait_result p;
    gd_spectrum_result sp;
    gd_spectrum_scan ss;
    gd_continue_result cont;
    gd_critical_result cr;
    gd_lyapunov_result ly;
    gd_attractor_result at_r;
    gd_critical_scan cs = {0};
    gd_orbit_result orb;
    gd_sweep *w = (gd_sweep *)&w; /* gd_sweep_create clears it */
    int neq = -1;
    double at = 1;
    REFUSED(s, gd_sim_run(s, ""));
    CHECK(!gd_sim_get_model(s) && !gd_sim_get_stepper(s) && !gd_sim_get_output(s) && !gd_sim_get_equilibrium(s) && !gd_sim_get_config_text(s));
    REFUSED(s, gd_sim_get_ntraj(s));
    CHECK(!gd_sim_get_x0(s, 0) && !gd_sim_get_xfinal(s, 0) && gd_sim_get_steps(s, 0) == -1 && isnan(gd_sim_get_tfinal(s, 0)));
    CHECK(gd_sim_get_nfev(s, 0) == -1 && gd_sim_get_solver_steps(s, 0) == -1 && isnan(gd_sim_get_seconds(s, 0)) && isnan(gd_sim_get_rate(s, 0)));
    CHECK(gd_sim_get_outcome(s, 0) == GD_OSCILLATE && gd_sim_get_failure(s, 0) == GD_FAIL_NONE && !gd_sim_get_failure_message(s, 0)[0]);
    REFUSED(s, gd_sim_smoothness(s, &sm));
    REFUSED(s, gd_sim_eig(s, &e));
    REFUSED(s, gd_sim_eig_scan(s, "integrator.h:0.1:0.2:2", &sc));
    REFUSED(s, gd_sim_write_eig(s, "x.h5", &e, NULL));
    REFUSED(s, gd_sim_rate(s, "", &r));
    REFUSED(s, gd_sim_portrait_census(s, "", &p));
    REFUSED(s, gd_sim_portrait(s, "", &neq));
    REFUSED(s, gd_sim_spectrum(s, 0, &sp));
    REFUSED(s, gd_sim_spectrum_scan(s, "model.gamma:0.1:0.2:2", 0, &ss));
    REFUSED(s, gd_sim_write_spectrum(s, "x.h5", &sp, NULL));
    REFUSED(s, gd_sim_critical(s, "integrator.h", 0.1, 1, 1e-3, &cr));
    REFUSED(s, gd_sim_lyapunov(s, &ly));
    REFUSED(s, gd_sim_write_lyapunov(s, "x.h5", &ly));
    REFUSED(s, gd_sim_attractor(s, &at_r));
    REFUSED(s, gd_sim_write_attractor(s, "x.h5", &at_r));
    REFUSED(s, gd_sim_critical_scan(s, "integrator.h", 0.1, 1, &cs));
    REFUSED(s, gd_sim_write_critical(s, "x.h5", &cs));
    REFUSED(s, gd_sim_orbit(s, NAN, &orb));
    CHECK(orb.x0 == NULL);
    REFUSED(s, gd_sim_write_orbit(s, "x.h5", &orb));
    REFUSED(s, gd_sim_critical_trace(s, "integrator.h", 0.1, 1, 1e-3, "model.gamma", 1, &at, &cr));
    REFUSED(s, gd_sweep_create(s, &w));
    REFUSED(s, gd_sim_continue(s, "integrator.h", 0.1, 1, &cont));
    REFUSED(s, gd_sim_write_continue(s, "x.h5", &cont));
    REFUSED(s, gd_sim_map_derivatives(s, &at, &at, &at, &at, &at, &at));
    REFUSED(s, gd_sim_continue_from(s, "integrator.h", "x0"));
    gd_normal_result nf;
    REFUSED(s, gd_sim_normal(s, "integrator.h", 1, GD_PT_REGULAR, &nf));
    CHECK(nf.x == NULL);
    REFUSED(s, gd_sim_write_normal(s, "x.h5", &nf));
    CHECK(w == NULL && neq == 0 && cont.branches == NULL);
}

static void null_sims(void)
{
    EUSAGE(gd_sim_load(NULL, "/dev/null"));
    EUSAGE(gd_sim_set(NULL, "model.gamma", "1"));
    EUSAGE(gd_sim_setup(NULL));
    gd_sim_set_command(NULL, "x");
    CHECK(gd_sim_errmsg(NULL)[0]);
    gd_sim_free(NULL);
    sim_refuses(NULL);
    /* the free functions take NULL and zeroed structs */
    gd_smoothness_result_free(NULL), gd_eig_result_free(NULL), gd_scan_result_free(NULL);
    gd_spectrum_result_free(NULL), gd_spectrum_scan_free(NULL), gd_continue_result_free(NULL);
    gd_lyapunov_result_free(NULL), gd_attractor_result_free(NULL), gd_critical_scan_free(NULL), gd_orbit_result_free(NULL);
    gd_normal_result_free(NULL);
    CHECK(strcmp(gd_point_type_name(GD_PT_NS), "NS") == 0 && gd_point_type_name(99)[0] == '\0');
    CHECK(gd_attractor_class_name(-1) == NULL);
    gd_eig_result e = {0};
    gd_eig_result_free(&e);
}

static void null_sweeps(void)
{
    gd_sweep *w = NULL;
    long counts[GD_FAIL_COUNT] = {9, 9, 9};
    char buf[64], msg[512];
    CHECK(gd_sweep_ncells(NULL) == GD_EUSAGE && gd_sweep_nx(NULL) == GD_EUSAGE && gd_sweep_ny(NULL) == GD_EUSAGE);
    CHECK(gd_sweep_is_batched(NULL) == 0);
    gd_sweep_set_threads(NULL, 1);
    gd_sweep_set_monitor(NULL, NULL, NULL, 1);
    EUSAGE(gd_sweep_set_checkpoint(NULL, "x.ckpt", 0));
    gd_sweep_cancel(NULL);
    EUSAGE(gd_sweep_run_range(NULL, 0, 1));
    EUSAGE(gd_sweep_run(NULL));
    EUSAGE(gd_sweep_write(NULL, "x.h5"));
    CHECK(!gd_sweep_get_outcome(NULL) && !gd_sweep_get_predicted(NULL) && !gd_sweep_get_failure(NULL));
    CHECK(!gd_sweep_get_attractor(NULL) && !gd_sweep_get_unstable(NULL) && !gd_sweep_get_period(NULL) && !gd_sweep_get_amplitude(NULL));
    CHECK(!gd_sweep_get_lyap1(NULL) && !gd_sweep_get_rotation(NULL) && !gd_sweep_get_period_t(NULL) && !gd_sweep_get_steps_used(NULL));
    {
        int nb = 5, cls = 9;
        CHECK(!gd_sweep_get_basin(NULL, &nb) && nb == 0 && !gd_sweep_get_basin_attractor(NULL, 0, &cls, NULL, NULL) && cls == 9 && !gd_sweep_is_basin(NULL));
    }
    CHECK(!gd_sweep_get_rho(NULL) && !gd_sweep_get_rate(NULL) && !gd_sweep_get_sigma_pred(NULL) && !gd_sweep_get_axis(NULL, 0));
    CHECK(gd_sweep_get_failures(NULL, counts) == GD_EUSAGE && counts[0] == 0 && counts[2] == 0);
    CHECK(gd_sweep_get_done(NULL) == GD_EUSAGE && gd_sweep_get_done_range(NULL, 0, 1) == GD_EUSAGE);
    counts[1] = 9;
    CHECK(isnan(gd_sweep_get_agreement(NULL, counts)) && counts[1] == 0);
    CHECK(isnan(gd_sweep_get_agreement_range(NULL, 0, 1, NULL)) && gd_sweep_get_failures_range(NULL, 0, 1, NULL) == GD_EUSAGE);
    EUSAGE(gd_sweep_export(NULL, 0, 0, buf));
    EUSAGE(gd_sweep_import(NULL, 0, 0, buf));
    {
        size_t len = 7;
        EUSAGE(gd_sweep_export_basin(NULL, 0, 0, NULL, &len));
        EUSAGE(gd_sweep_import_basin(NULL, 0, 0, NULL, 0));
    }
    CHECK(gd_sweep_errmsg(NULL)[0]);
    gd_sweep_free(NULL);
    EUSAGE(gd_sweep_write_part(NULL, 0, 1, "x.h5"));
    gd_sim *s = (gd_sim *)&s;
    CHECK(gd_sweep_merge(NULL, 1, &s, &w, msg) == GD_EUSAGE && !s && !w && msg[0]);
    EUSAGE(gd_sweep_merge((const char *const[]){NULL}, 1, &s, &w, NULL));
    EUSAGE(gd_sweep_merge((const char *const[]){"x.h5"}, 1, NULL, NULL, msg));
}

/* ---------------------------------------------------------------- not set up --- */
static void models_not_set_up(void)
{
    gd_model *m = gd_model_create(gd_model_type_find("dirac"));
    const char *msg = gd_model_errmsg(m);
    double x[4] = {3, 4}, v[4] = {5, 6}, J[16];
    int k[2] = {0, 0};
    CHECK(gd_model_get_type(m) == gd_model_type_find("dirac")); /* no setup needed */
    NOT_SET_UP(gd_model_dim(m), msg);
    NOT_SET_UP(gd_model_ngen(m), msg);
    NOT_SET_UP(gd_model_field(m, x, v), msg);
    NOT_SET_UP(gd_model_jacobian(m, x, J), msg);
    NOT_SET_UP(gd_model_jacobian_fd(m, x, J), msg);
    NOT_SET_UP(gd_model_jvp(m, x, v, J), msg);
    NOT_SET_UP(gd_model_psolve(m, 1, x, v), msg);
    NOT_SET_UP(gd_model_default_start(m, x), msg);
    NOT_SET_UP(gd_model_equilibrium(m, x), msg);
    NOT_SET_UP(gd_model_newton(m, x, v), msg);
    NOT_SET_UP(gd_model_find_equilibrium(m, x, v), msg);
    double top, bottom;
    NOT_SET_UP(gd_gradient_curvature(m, x, 10, 0, &top, &bottom), msg);
    /* a caller's workspace: the same refusals, said on the workspace */
    gd_model_ws *ws = gd_model_ws_create(m);
    const char *wmsg = gd_model_ws_errmsg(ws);
    NOT_SET_UP(gd_model_field_ws(m, ws, x, v), wmsg);
    NOT_SET_UP(gd_model_jacobian_ws(m, ws, x, J), wmsg);
    NOT_SET_UP(gd_model_jvp_ws(m, ws, x, v, J), wmsg);
    NOT_SET_UP(gd_model_psolve_ws(m, ws, 1, x, v), wmsg);
    NOT_SET_UP(gd_model_equilibrium_ws(m, ws, x), wmsg);
    EUSAGE(gd_model_field_ws(m, NULL, x, v));
    EUSAGE(gd_model_field_ws(NULL, ws, x, v));
    CHECK(!gd_model_ws_create(NULL) && gd_model_ws_errmsg(NULL) != NULL);
    gd_model_ws_free(&ws);
    CHECK(ws == NULL);
    gd_model_ws_free(NULL);
    gd_model_project(m, x);
    gd_model_bounds(m, x, v);
    CHECK(x[0] == 3 && x[1] == 4 && v[0] == 5); /* nothing touched */
    /* a stepper on it cannot be set up */
    gd_stepper *st = gd_stepper_create(gd_integrator_type_find("simgd"), m);
    CHECK(gd_stepper_setup(st) == GD_EUSAGE && strstr(gd_stepper_errmsg(st), "not set up"));
    gd_stepper_free(&st);
    /* set up, then changed: not set up until the next setup */
    CHECK_OK(gd_model_setup(m));
    CHECK(gd_model_dim(m) == 2 && gd_model_field(m, x, v) == GD_OK);
    CHECK_OK(gd_model_set(m, "gamma", "0.5"));
    NOT_SET_UP(gd_model_field(m, x, v), msg);
    EUSAGE(gd_model_set(m, NULL, "1"));
    /* the model's own functions want a set-up model of their type */
    NOT_SET_UP(gd_torus_series(m, x, v, v, J), msg);
    CHECK_OK(gd_model_setup(m));
    CHECK(gd_torus_coefficient_nd(m, k, v, v + 1) == GD_EUSAGE && strstr(msg, "model 'dirac' is not a torus model"));
    CHECK(gd_torus_coefficient(m, 0, 0, v, v + 1) == GD_EUSAGE && gd_torus_objective(m, x, v, v) == GD_EUSAGE);
    CHECK(gd_torus_grid_field(m, 8, J, J) == GD_EUSAGE && gd_torus_series(m, x, v, v, J) == GD_EUSAGE);
    CHECK(gd_functional_laplacian_spectrum(m, v, J) == GD_EUSAGE && strstr(msg, "not a functional model"));
    CHECK(gd_functional_ground_state_spectrum(m, v) == GD_EUSAGE && gd_functional_mode_roots(m, 1, 0, v, J) == GD_EUSAGE);
    CHECK(gd_functional_laplacian(m, x, v) == GD_EUSAGE);
    CHECK(gd_particles_objective(m, x, v) == GD_EUSAGE && strstr(msg, "not a particles model"));
    CHECK(gd_particles_critic_gradient(m, x, x, v) == GD_EUSAGE);
    gd_model_free(&m);
    CHECK(m == NULL);
}

static void steppers_not_set_up(void)
{
    gd_model *m = make_model("dirac", NULL);
    gd_stepper *s = gd_stepper_create(gd_integrator_type_find("simgd"), m), *cv = gd_stepper_create(gd_integrator_type_find("cvode"), m);
    const char *msg = gd_stepper_errmsg(s);
    double x[4] = {1, 1}, M[16], t = 0, w[2] = {1, 0};
    CHECK(gd_stepper_get_nfev(s) == 0 && gd_stepper_get_nsteps(s) == 0); /* counters need no setup */
    NOT_SET_UP(gd_stepper_reset(s, x), msg);
    NOT_SET_UP(gd_stepper_step(s, x, &t), msg);
    NOT_SET_UP(gd_stepper_step_batch(s, 1, x, NULL, NULL, NULL, 1), msg);
    NOT_SET_UP(gd_stepper_map_jacobian_fd(s, x, M), msg);
    NOT_SET_UP(gd_stepper_map_dim(s), msg);
    NOT_SET_UP(gd_stepper_map_jacobian(s, x, M, NULL), msg);
    NOT_SET_UP(gd_stepper_map_state(s, x), msg);
    NOT_SET_UP(gd_stability_region(s, 1, x, 1, x, M), msg);
    NOT_SET_UP(gd_stepper_set_section(cv, w, 0), gd_stepper_errmsg(cv));
    CHECK(x[0] == 1 && t == 0);
    CHECK(gd_stepper_set(s, "h", NULL) == GD_EUSAGE && strstr(msg, "NULL"));
    CHECK_OK(gd_stepper_setup(s));
    CHECK(gd_stepper_map_dim(s) == 2);
    CHECK(gd_stepper_set(s, "h", "0") == GD_EUSAGE); /* a bad value leaves it not set up */
    NOT_SET_UP(gd_stepper_step(s, x, &t), msg);
    gd_stepper_free(&s);
    gd_stepper_free(&cv);
    gd_model_free(&m);
}

/* A created sim, and one whose setup failed: every function wanting a set-up sim refuses. */
static void sims_not_set_up(void)
{
    for (int failed = 0; failed < 2; failed++) {
        gd_sim *s = gd_sim_create();
        if (failed) CHECK(gd_sim_set(s, "model.name", "nosuch") == GD_OK && gd_sim_setup(s) == GD_EUSAGE);
        sim_refuses(s);
        gd_sim_free(&s);
    }
    /* NULL arguments other than the handle: a usage error with a message on it */
    gd_sim *s = sim_of(NULL);
    CHECK(gd_sim_set(s, NULL, "1") == GD_EUSAGE && strstr(gd_sim_errmsg(s), "NULL"));
    CHECK(gd_sim_load(s, NULL) == GD_EUSAGE && gd_sim_eig(s, NULL) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "NULL"));
    CHECK(gd_sim_rate(s, "", NULL) == GD_EUSAGE && gd_sim_smoothness(s, NULL) == GD_EUSAGE && gd_sweep_create(s, NULL) == GD_EUSAGE);
    CHECK(gd_sim_critical(s, NULL, 0.1, 1, 1e-3, NULL) == GD_EUSAGE && gd_sim_write_eig(s, "x.h5", NULL, NULL) == GD_EUSAGE);
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- results ------ */
/* The Dirac GAN with gradient penalty gamma (f'(0) = 1/2): J = [[0, -1/2], [1/2, -gamma]], so
 * lambda = (-gamma +- sqrt(gamma^2 - 1)) / 2; simgd's map 1 + h lambda. */
static double gp_rho(double gamma, double h)
{
    double complex s = csqrt((double complex)(gamma * gamma - 1));
    return fmax(cabs(1 + h * (-gamma + s) / 2), cabs(1 + h * (-gamma - s) / 2));
}

static void eig_results_coexist(void)
{
    gd_sim *a = sim_of((const char *const[]){"model.reg", "gp", "model.gamma", "0.3", NULL});
    gd_sim *b = sim_of((const char *const[]){"model.reg", "gp", "model.gamma", "1.5", "integrator.h", "0.5", NULL});
    gd_eig_result ea, eb, ea2;
    gd_scan_result sa;
    CHECK_OK(gd_sim_eig(a, &ea));
    CHECK_OK(gd_sim_eig(b, &eb));
    CHECK_OK(gd_sim_eig_scan(a, "model.gamma:0.5:2.5:3", &sa)); /* another analysis on a's sim */
    CHECK_OK(gd_sim_eig(a, &ea2));                               /* and the same one again */
    CHECK(ea.equilibrium != ea2.equilibrium && ea.map_re != ea2.map_re);
    gd_sim_free(&a); /* the results outlive their sims (ASan would see a use after free) */
    gd_sim_free(&b);
    CHECK_NEAR(ea.rho, gp_rho(0.3, 0.2), 1e-12);
    CHECK_NEAR(eb.rho, gp_rho(1.5, 0.5), 1e-12);
    CHECK(ea2.rho == ea.rho && ea2.map_re[0] == ea.map_re[0] && ea2.re[1] == ea.re[1]);
    CHECK_NEAR(ea.re[0], -0.15, 1e-12);
    CHECK_NEAR(eb.re[0] + eb.re[1], -1.5, 1e-12); /* the trace */
    CHECK(ea.no_flow[0] == '\0' && strcmp(ea.type, "spiral_sink") == 0 && strcmp(eb.type, "node_sink") == 0);
    CHECK(strcmp(sa.key, "model.gamma") == 0 && sa.n == 3);
    for (int i = 0; i < 3; i++) CHECK_NEAR(sa.rho[i], gp_rho(sa.values[i], 0.2), 1e-12);
    gd_eig_result_free(&ea), gd_eig_result_free(&eb), gd_eig_result_free(&ea2);
    gd_scan_result_free(&sa);
    CHECK(ea.equilibrium == NULL && sa.key == NULL && sa.n == 0); /* zeroed */
    gd_scan_result_free(&sa);                                     /* twice: harmless */
    /* a failed analysis holds nothing */
    gd_sim *c = sim_of((const char *const[]){"model.loss", "wgan", "model.reg", "wgan_gp", NULL});
    CHECK(gd_sim_eig(c, &ea) == GD_ENOTAVAIL && !ea.equilibrium && !ea.no_flow && ea.dim == 0);
    gd_sim_free(&c);
}

/* The functional model's spectrum and scan, and the curvature per start: each result equals a
 * later one computed from a fresh sim after its own sim is gone. */
static void other_results_outlive_sims(void)
{
    const char *fn[] = {"model.name", "functional", "model.gamma", "0.3", "model.N", "15", NULL};
    gd_spectrum_result r[2];
    gd_spectrum_scan sc[2];
    for (int k = 0; k < 2; k++) {
        gd_sim *s = sim_of(fn);
        CHECK_OK(gd_sim_spectrum_scan(s, "model.gamma:0.1:0.5:3", 0, &sc[k]));
        CHECK_OK(gd_sim_spectrum(s, 0, &r[k]));
        gd_sim_free(&s);
    }
    CHECK(r[0].lambda != r[1].lambda && r[0].M == 15 && r[0].n_operator == 30);
    CHECK(memcmp(r[0].root_re, r[1].root_re, sizeof(double) * 30) == 0 && memcmp(r[0].op_im, r[1].op_im, sizeof(double) * 30) == 0);
    CHECK_NEAR(r[0].rate, 0.15, 1e-12); /* gamma / 2 (test_functional) */
    CHECK(memcmp(sc[0].lambda1, sc[1].lambda1, sizeof(double) * 3) == 0 && strcmp(sc[1].key, "model.gamma") == 0);
    for (int k = 0; k < 2; k++) gd_spectrum_result_free(&r[k]), gd_spectrum_scan_free(&sc[k]);
    const char *pk[] = {"model.name", "particles", "model.particles", "0.5", "model.data", "0", "run.x0", "0.5;2", NULL};
    gd_sim *s = sim_of(pk);
    gd_smoothness_result a, b;
    CHECK_OK(gd_sim_smoothness(s, &a));
    CHECK_OK(gd_sim_smoothness(s, &b));
    gd_sim_free(&s);
    /* one particle over data at 0 (sigma = 1): curvature (1 - x^2) e^{-x^2/2} at the start */
    CHECK(a.each != b.each && a.nstarts == 2 && b.each[1].start_top == a.each[1].start_top);
    CHECK_NEAR(a.each[1].start_top, -3 * exp(-2), 1e-10);
    gd_smoothness_result_free(&a), gd_smoothness_result_free(&b);
}

/* Sweep getters return the sweep's own arrays: the same pointers and numbers whatever runs in
 * between (analyses on the base sim once reused the getters' buffers). */
static void sweep_getters_have_no_side_effects(void)
{
    gd_sim *s = sim_of((const char *const[]){"model.name", "particles", "model.particles", "0.5", "model.data", "0", "run.x0", "0.5", "sweep.x",
                                             "integrator.h:0.2:3:300", "integrator.steps", "200", NULL});
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    const signed char *out = gd_sweep_get_outcome(w), *pred = gd_sweep_get_predicted(w), *fail = gd_sweep_get_failure(w);
    const double *rho = gd_sweep_get_rho(w), *rate = gd_sweep_get_rate(w);
    CHECK(out && pred && fail && rho && rate && rho[299] == 0); /* before the run: zeros */
    CHECK_OK(gd_sweep_run(w));
    CHECK(gd_sweep_get_outcome(w) == out && gd_sweep_get_rho(w) == rho && gd_sweep_get_predicted(w) == pred);
    long n = gd_sweep_ncells(w);
    signed char *keep = malloc((size_t)n);
    double *rkeep = malloc(sizeof(double) * (size_t)n);
    memcpy(keep, out, (size_t)n), memcpy(rkeep, rho, sizeof(double) * (size_t)n);
    gd_smoothness_result sm;
    gd_eig_result e;
    CHECK_OK(gd_sim_smoothness(s, &sm));
    CHECK_OK(gd_sim_eig(s, &e));
    CHECK_OK(gd_sweep_write(w, "out_api_sweep.h5"));
    CHECK(gd_sweep_get_outcome(w) == out && gd_sweep_get_failure(w) == fail && gd_sweep_get_rate(w) == rate);
    CHECK(gd_sweep_get_sigma_pred(w) && gd_sweep_get_sigma_pred(w)[0] == 0); /* no noise */
    CHECK(memcmp(keep, out, (size_t)n) == 0 && memcmp(rkeep, rho, sizeof(double) * (size_t)n) == 0);
    /* gradient descent on curvature 1 at x* = 0: rho = |1 - h|, converging below h = 2, diverging above */
    for (long i = 0; i < n; i++) CHECK_NEAR(rho[i], fabs(1 - gd_sweep_get_axis(w, 0)[i]), 1e-9);
    CHECK(pred[0] == GD_CONVERGE && pred[n - 1] == GD_DIVERGE && out[0] == GD_CONVERGE);
    /* a record round trip through export and import leaves the arrays where they were */
    size_t bytes = gd_sweep_record_size() * (size_t)n;
    void *rec = malloc(bytes);
    CHECK_OK(gd_sweep_export(w, 0, n, rec));
    CHECK(gd_sweep_export(w, 1, n, rec) == GD_EUSAGE && strstr(gd_sweep_errmsg(w), "block-aligned"));
    CHECK_OK(gd_sweep_import(w, 0, n, rec));
    size_t blen = 9; /* not a basin sweep: no labels to hand over, none taken */
    CHECK(gd_sweep_export_basin(w, 0, n, NULL, &blen) == GD_OK && blen == 0);
    CHECK(gd_sweep_import_basin(w, 0, n, NULL, 0) == GD_OK && gd_sweep_import_basin(w, 0, n, rkeep, 1) == GD_EUSAGE);
    CHECK(gd_sweep_export_basin(w, 0, n, NULL, NULL) == GD_EUSAGE);
    CHECK(gd_sweep_get_outcome(w) == out && memcmp(keep, out, (size_t)n) == 0 && memcmp(rkeep, rho, sizeof(double) * (size_t)n) == 0);
    CHECK(!gd_sweep_get_axis(w, -1) && !gd_sweep_get_axis(w, 1));
    free(rec), free(keep), free(rkeep);
    gd_smoothness_result_free(&sm), gd_eig_result_free(&e);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    remove("out_api_sweep.h5");
}

/* ---------------------------------------------------------------- commands ---- */
/* gd_command as the CLI and the bindings call it: no io is a usage error; captured text, the
 * error line in msg (not in err) with the code behind it; the --json numbers are the sim's. */
static void commands(void)
{
    const char *const version[] = {"gandyn", "--version"};
    CHECK(gd_command(2, version, NULL) == 2);
    char *out = NULL, *err = NULL, msg[GD_COMMAND_MSG];
    int code = 99;
    CHECK(gd_command_capture(2, version, 0, &out, &err, msg, &code) == 0 && code == GD_OK);
    CHECK(out && strcmp(out, "gandyn " GD_VERSION "\n") == 0 && err && err[0] == '\0');
    gd_free(out), gd_free(err), gd_free(NULL);
    /* no command: the usage on err, status 2 */
    CHECK(gd_command_capture(1, version, 0, &out, &err, msg, &code) == 2 && code == GD_EUSAGE && strstr(err, "usage: gandyn"));
    gd_free(out), gd_free(err);
    const char *const missing[] = {"gandyn", "run", "no_such_config.ini", "-o", ""};
    CHECK(gd_command_capture(5, missing, 0, &out, &err, msg, &code) == 2 && code == GD_EUSAGE);
    CHECK(strstr(msg, "cannot open config file 'no_such_config.ini'") == msg && out[0] == '\0' && err[0] == '\0');
    gd_free(out), gd_free(err);
    /* without msg the line goes to err, as the CLI prints it; NULL out and err discard */
    CHECK(gd_command_capture(5, missing, 0, NULL, &err, NULL, NULL) == 2 && strncmp(err, "gandyn: cannot open config", 26) == 0);
    gd_free(err);
    CHECK(gd_command_capture(5, missing, 0, NULL, NULL, NULL, &code) == 2 && code == GD_EUSAGE);
    const char *const nogp[] = {"gandyn", "eig", "/dev/null", "--set", "model.loss=wgan", "--set", "model.reg=wgan_gp"};
    CHECK(gd_command_capture(7, nogp, 0, NULL, NULL, msg, &code) == 1 && code == GD_ENOTAVAIL && strstr(msg, "no equilibrium"));
    const char *const plot[] = {"gandyn", "plot", "no_such.h5"};
    CHECK(gd_command_capture(3, plot, 0, NULL, NULL, msg, &code) == 2 && code == GD_EUSAGE);
    /* a run's --json against the same configuration through the sim: x_final to the last bit */
    const char *const run[] = {"gandyn", "run", "/dev/null", "--set", "model.reg=gp", "--set", "run.x0=1,1;-1.5,0.5", "-o", "", "--json"};
    CHECK(gd_command_capture(10, run, GD_COMMAND_SIGNALS, &out, NULL, msg, &code) == 0 && code == GD_OK);
    gd_sim *s = sim_of((const char *const[]){"model.reg", "gp", "run.x0", "1,1;-1.5,0.5", NULL});
    CHECK_OK(gd_sim_run(s, ""));
    const char *at = out ? strstr(out, "\"x_final\":[") : NULL;
    for (int k = 0; k < 2 && at; k++, at = strstr(at + 1, "\"x_final\":[")) {
        double x[2];
        CHECK(sscanf(at, "\"x_final\":[%lf,%lf]", &x[0], &x[1]) == 2);
        CHECK(x[0] == gd_sim_get_xfinal(s, k)[0] && x[1] == gd_sim_get_xfinal(s, k)[1]);
    }
    CHECK(at == NULL); /* two trajectories, no third */
    gd_sim_free(&s);
    gd_free(out);
}

/* ---------------------------------------------------------------- coverage ----- */
/* The text of a file (caller frees), or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *t = malloc((size_t)n + 1);
    if (t && fread(t, 1, (size_t)n, f) != (size_t)n) t[0] = '\0';
    if (t) t[n] = '\0';
    fclose(f);
    return t;
}

/* Every "GD_EXPORT ... name(" of the header must appear as "name(" in this file. */
static int check_header(const char *header, const char *self)
{
    char *h = slurp(header);
    int names = 0;
    CHECK(h != NULL);
    for (const char *p = h; p && (p = strstr(p, "GD_EXPORT ")); p++) {
        const char *paren = strchr(p, '('), *start = paren;
        if (p > h && p[-1] != '\n') continue; /* not a declaration (the macro's own definition) */
        if (!paren || memchr(p, ';', (size_t)(paren - p))) continue;
        while (start > p && (isalnum((unsigned char)start[-1]) || start[-1] == '_')) start--;
        char call[96];
        snprintf(call, sizeof call, "%.*s(", (int)(paren - start), start);
        names++;
        if (!strstr(self, call)) fprintf(stderr, "%s: %s is not tested here\n", header, call);
        CHECK(strstr(self, call) != NULL);
    }
    free(h);
    return names;
}

/* gandyn.h and every model header beside it. */
static void every_function_is_here(void)
{
    char *self = slurp(GANDYN_SOURCE_DIR "/tests/test_api.c"), path[1024];
    CHECK(self != NULL);
    int names = check_header(GANDYN_SOURCE_DIR "/include/gandyn.h", self), headers = 1;
    DIR *d = opendir(GANDYN_SOURCE_DIR "/include/gandyn");
    CHECK(d != NULL);
    for (struct dirent *e; self && d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0) continue;
        snprintf(path, sizeof path, "%s/include/gandyn/%s", GANDYN_SOURCE_DIR, e->d_name);
        names += check_header(path, self), headers++;
    }
    if (d) closedir(d);
    printf("%d exported functions of %d headers, each called here\n", names, headers);
    CHECK(names > 150 && headers >= 5);
    free(self);
}

int main(void)
{
    without_handles();
    exp_fast();
    sigmoid_fast();
    null_models();
    null_steppers();
    null_sims();
    null_sweeps();
    models_not_set_up();
    steppers_not_set_up();
    sims_not_set_up();
    eig_results_coexist();
    other_results_outlive_sims();
    sweep_getters_have_no_side_effects();
    commands();
    every_function_is_here();
    return check_report("test_api");
}
