/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A game of your own through the C API, in one program (docs/tutorial.md builds the same kind
 * of game as a plugin for the CLI; docs/python.md registers it from Python).
 *
 * The sine game L(theta, psi) = sin(theta) psi - (gamma/2) psi^2: the generator theta descends
 * L, the discriminator psi ascends it, F = (-cos(theta) psi, sin(theta) - gamma psi). At the
 * equilibrium (0, 0), J = [[0, -1], [1, -gamma]]: eigenvalues -gamma/2 +- i sqrt(1 - gamma^2/4).
 * Simultaneous gradient steps of size h give the map I + hJ, of spectral radius
 * sqrt(1 - h gamma + h^2): stable exactly for h < gamma. The program registers the game
 * (gd_model_register), configures a simulation by key and value as a config file would, and
 * checks eig, a step-size sweep and the critical step against those closed forms.
 *
 * Build against an installed gandyn: cc sine_game.c $(pkg-config --cflags --libs gandyn) -lm
 * (or CMake: find_package(gandyn), target_link_libraries(... gandyn::gandyn)). Exit status 0
 * when every check holds.
 */
#include <gandyn.h>
#include <gandyn/game.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    double gamma;
} sine_opts;

static const gd_param sine_params[] = {
    {"gamma", GD_P_DOUBLE, offsetof(sine_opts, gamma), "0.5", "the discriminator's damping", 0, 1e6, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL},
};

static int sine_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    const sine_opts *o = opts;
    (void)dim, (void)user;
    v[0] = -cos(x[0]) * x[1];
    v[1] = sin(x[0]) - o->gamma * x[1];
    return 0;
}

static int sine_jacobian(int dim, const double *x, double *J, const void *opts, void *user)
{
    const sine_opts *o = opts;
    (void)dim, (void)user;
    J[0] = sin(x[0]) * x[1], J[1] = -cos(x[0]);
    J[2] = cos(x[0]), J[3] = -o->gamma;
    return 0;
}

static int sine_equilibrium(int dim, double *x, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    x[0] = x[1] = 0;
    return 0;
}

static int check(const char *what, double got, double want, double tol)
{
    int ok = fabs(got - want) <= tol;
    printf("%-36s %.10f (closed form %.10f) %s\n", what, got, want, ok ? "ok" : "FAILED");
    return ok;
}

int main(void)
{
    const double gamma = 0.5, h = 0.2;
    gd_game game = {
        .abi_version = GD_ABI_VERSION,
        .name = "sine",
        .summary = "sin(theta) psi - gamma/2 psi^2 (examples/c_api/sine_game.c)",
        .dim = 2,
        .ngen = 1,
        .params = sine_params,
        .opts_size = sizeof(sine_opts),
        .field = sine_field,
        .jacobian = sine_jacobian,
        .equilibrium = sine_equilibrium,
    };
    char msg[GD_ERRMSG_LEN];
    if (gd_model_register(&game, msg) != GD_OK) {
        fprintf(stderr, "register: %s\n", msg);
        return 1;
    }
    gd_sim *sim = gd_sim_create();
    const char *keys[][2] = {{"model.name", "sine"}, {"model.gamma", "0.5"}, {"integrator.h", "0.2"}, {"run.x0", "0.5,0.5"},
                             {"sweep.x", "integrator.h:0.05:1:40"}, {"integrator.steps", "20000"}};
    int rc = sim ? GD_OK : GD_ENOMEM;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && rc == GD_OK; i++) rc = gd_sim_set(sim, keys[i][0], keys[i][1]);
    if (rc == GD_OK) rc = gd_sim_setup(sim);
    gd_eig_result e = {0};
    if (rc == GD_OK) rc = gd_sim_eig(sim, &e);
    gd_sweep *w = NULL;
    if (rc == GD_OK) rc = gd_sweep_create(sim, &w);
    if (rc == GD_OK) rc = gd_sweep_run(w);
    gd_critical_result c = {0};
    if (rc == GD_OK) rc = gd_sim_critical(sim, "integrator.h", 0.05, 1.0, 1e-6, &c);
    if (rc != GD_OK) {
        fprintf(stderr, "sine_game: %s\n", w && gd_sweep_errmsg(w)[0] ? gd_sweep_errmsg(w) : sim ? gd_sim_errmsg(sim) : "out of memory");
        return 1;
    }
    int ok = check("Re lambda", e.re[0], -gamma / 2, 1e-12);
    ok &= check("|Im lambda|", fabs(e.im[0]), sqrt(1 - gamma * gamma / 4), 1e-12);
    ok &= check("simgd rho at h = 0.2", e.rho, sqrt(1 - h * gamma + h * h), 1e-12);
    /* the sweep's predicted rho in every cell, and the outcome below h = gamma */
    const double *hs = gd_sweep_get_axis(w, 0), *rho = gd_sweep_get_rho(w);
    const signed char *outcome = gd_sweep_get_outcome(w);
    double worst = 0;
    int converged = 1;
    for (long i = 0; i < gd_sweep_ncells(w); i++) {
        worst = fmax(worst, fabs(rho[i] - sqrt(1 - hs[i] * gamma + hs[i] * hs[i])));
        if (hs[i] < gamma - 0.05) converged &= outcome[i] == GD_CONVERGE;
    }
    ok &= check("sweep: worst predicted rho error", worst, 0, 1e-12);
    ok &= check("sweep: cells below gamma converge", converged, 1, 0);
    ok &= check("critical step, predicted", c.predicted, gamma, 1e-6);
    ok &= check("critical step, observed", c.value, gamma, 1e-2); /* a closed orbit grows from h = gamma */
    gd_eig_result_free(&e);
    gd_sweep_free(&w);
    gd_sim_free(&sim);
    return ok ? 0 : 1;
}
