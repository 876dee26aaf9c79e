/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The reentrancy contract of include/gandyn.h: one set-up model, evaluated from several
 * threads at once, each with its own workspace, gives bit for bit what it gives serially.
 *
 * For every model in the registry, configurations whose evaluations write scratch (transform
 * buffers, the smoothed critic's iterates and its cache of the last solve, assignment buffers,
 * the affine generator's points, the exact kernel map's history step, the dense Laplacian made
 * on the first Jacobian): the field and the Jacobian at a few states, serially in one
 * workspace, are the reference. Then THREADS threads at once, each with its own workspace,
 * evaluate every state in an order rotated by the thread's number (so the threads are at
 * different states at the same moment and every cache is both hit and missed), twice over,
 * and each runs its own simgd and cvode steppers on the same model; every result, return
 * code and failure message must equal the serial one exactly (memcmp). Failures are the
 * workspace's: the model's own message stays empty. Under ThreadSanitizer (GANDYN_TSAN) any
 * unsynchronised write to shared memory is reported as well.
 */
#include "check.h"

#include <pthread.h>
#include <string.h>

enum { THREADS = 4, STATES = 3, ROUNDS = 2, MAXDIM = 64 };

typedef struct {
    const char *model;
    const char *kv[24]; /* key, value, ..., NULL */
} config;

static const config configs[] = {
    {"linear", {"a", "0.1", "b", "0.2", NULL}},
    {"normal_form", {"form", "lorenz", NULL}}, /* writes no scratch: evaluations share nothing */
    {"dirac", {"reg", "noise", "noise_nodes", "16", NULL}},
    {"dirac", {"loss", "wgan", "reg", "clip", "clip", "0.8", NULL}}, /* switching surfaces under cvode */
    {"kernel_gda", {"representation", "exact", "true_points", "0;3", "lambda", "0.5", "history", "16", NULL}},
    {"kernel_gda", {"representation", "features", "features", "24", "true_points", "0;3", NULL}},
    {"torus", {"flow", "truncated", "N", "6", "M", "32", NULL}},
    {"torus", {"objective", "product", "n_gen", "2", "N", "3", "M", "16", NULL}},
    {"functional", {"form", "nonlinear", "loss", "gan_sat", "density", "vonmises", "N", "11", "gamma", "0.1", NULL}},
    {"functional", {"augment", "exact", "density", "bimodal", "N", "11", "gamma", "0.2", NULL}},
    {"particles", {"critic", "smoothed", "particles", "0.3,0.1;-0.5,0.4", "data", "0,0;1,0", "lambda", "0.1", "mesh_n", "16", "box", "8", NULL}},
    {"particles", {"field", "mesh", "particles", "0.3,0.1;-0.5,0.4;0.2,-0.3", "data", "0,0;1,1", "mesh_n", "32", NULL}},
    {"particles", {"critic", "w1", "particles", "0,0;1,0;0,1", "data", "2,0;3,1;2,3", NULL}},
    {"particles", {"generator", "affine", "z_nodes", "0,0;1,0;0,1;1,1", "data", "0,0;2,0;0,2;2,2", NULL}},
};
enum { NCONFIGS = sizeof configs / sizeof configs[0] };

/* What one evaluation gives: return codes, values, the failure message. */
typedef struct {
    int frc, jrc;
    double f[MAXDIM], J[MAXDIM * MAXDIM];
    char msg[512];
} eval;

/* A stepper's run from the state x0. */
typedef struct {
    int rc;
    long nfev;
    double x[MAXDIM], t;
} run;

static const char *const integrators[] = {"simgd", "cvode"};
enum { NRULES = 2 };

typedef struct {
    const gd_model *m;
    const double *states; /* STATES x dim */
    const eval *ref;      /* STATES */
    const run *ref_run;   /* NRULES */
    pthread_barrier_t *start;
    int id;
    int mismatches, failures; /* counted here, checked by the main thread */
} job;

static void evaluate(const gd_model *m, gd_model_ws *ws, const double *x, eval *e)
{
    memset(e, 0, sizeof *e);
    e->frc = gd_model_field_ws(m, ws, x, e->f);
    if (e->frc != GD_OK) snprintf(e->msg, sizeof e->msg, "%s", gd_model_ws_errmsg(ws));
    e->jrc = gd_model_jacobian_ws(m, ws, x, e->J);
    if (e->jrc != GD_OK) snprintf(e->msg, sizeof e->msg, "%s", gd_model_ws_errmsg(ws));
}

/* A few steps of the rule from x0; rc is the first failure (or GD_OK). */
static void integrate(const gd_model *m, const char *rule, const double *x0, run *r)
{
    static const char *const kv[] = {"h", "0.02", "steps", "4", "t_end", "0.2", "rtol", "1e-6", "atol", "1e-9", NULL};
    memset(r, 0, sizeof *r);
    gd_stepper *s = gd_stepper_create(gd_integrator_type_find(rule), m);
    if (!s) {
        r->rc = GD_ENOMEM;
        return;
    }
    for (int i = 0; kv[i] && r->rc == GD_OK; i += 2) r->rc = gd_stepper_set(s, kv[i], kv[i + 1]);
    if (r->rc == GD_OK) r->rc = gd_stepper_setup(s);
    memcpy(r->x, x0, sizeof(double) * (size_t)gd_model_dim(m));
    if (r->rc == GD_OK) r->rc = gd_stepper_reset(s, r->x);
    for (int k = 0; k < 4 && r->rc == GD_OK; k++) r->rc = gd_stepper_step(s, r->x, &r->t);
    r->nfev = gd_stepper_get_nfev(s);
    gd_stepper_free(&s);
}

static int same_eval(const eval *a, const eval *b) { return memcmp(a, b, sizeof *a) == 0; }
static int same_run(const run *a, const run *b)
{
    return a->rc == b->rc && a->nfev == b->nfev && memcmp(&a->t, &b->t, sizeof a->t) == 0 && memcmp(a->x, b->x, sizeof a->x) == 0;
}

static void *worker(void *arg)
{
    job *j = arg;
    int n = gd_model_dim(j->m);
    gd_model_ws *ws = gd_model_ws_create(j->m);
    eval *e = malloc(sizeof *e);
    run r;
    pthread_barrier_wait(j->start); /* every thread set up: now all at once */
    if (!ws || !e) {
        j->failures++;
    } else {
        for (int round = 0; round < ROUNDS; round++)
            for (int k = 0; k < STATES; k++) {
                int at = (k + j->id) % STATES;
                evaluate(j->m, ws, j->states + (size_t)at * n, e);
                j->mismatches += !same_eval(e, &j->ref[at]);
            }
        for (int i = 0; i < NRULES; i++) {
            integrate(j->m, integrators[(i + j->id) % NRULES], j->states, &r);
            j->mismatches += !same_run(&r, &j->ref_run[(i + j->id) % NRULES]);
        }
    }
    free(e);
    gd_model_ws_free(&ws);
    return NULL;
}

static gd_model *configure(const config *c)
{
    gd_model *m = gd_model_create(gd_model_type_find(c->model));
    int rc = m ? GD_OK : GD_ENOMEM;
    for (int i = 0; c->kv[i] && rc == GD_OK; i += 2) rc = gd_model_set(m, c->kv[i], c->kv[i + 1]);
    if (rc == GD_OK) rc = gd_model_setup(m);
    if (rc != GD_OK) fprintf(stderr, "%s: %s\n", c->model, m ? gd_model_errmsg(m) : "out of memory");
    CHECK(rc == GD_OK);
    if (rc != GD_OK) gd_model_free(&m);
    return m;
}

/* The default start, and copies moved off it by small deterministic offsets. */
static void make_states(const gd_model *m, double *states)
{
    int n = gd_model_dim(m);
    gd_model_default_start(m, states);
    for (int k = 1; k < STATES; k++)
        for (int i = 0; i < n; i++) states[(size_t)k * n + i] = states[i] + 0.03 * k * sin(1.3 * i + 0.7 * k);
}

static void check_config(const config *c)
{
    gd_model *m = configure(c);
    if (!m) return;
    int n = gd_model_dim(m);
    CHECK(n <= MAXDIM);
    if (n > MAXDIM) {
        gd_model_free(&m);
        return;
    }
    double states[STATES * MAXDIM];
    make_states(m, states);
    eval *ref = malloc(sizeof *ref * STATES);
    gd_model_ws *ws = gd_model_ws_create(m);
    CHECK(ref && ws);
    for (int k = 0; ref && ws && k < STATES; k++) evaluate(m, ws, states + (size_t)k * n, &ref[k]);
    run ref_run[NRULES];
    for (int i = 0; i < NRULES; i++) integrate(m, integrators[i], states, &ref_run[i]);
    /* the reference exercises something: a field (or a documented refusal) and a run that moved */
    CHECK(ref[0].frc == GD_OK || ref[0].frc == GD_ENOTAVAIL);
    CHECK(ref_run[0].rc >= 0 && memcmp(ref_run[0].x, states, sizeof(double) * (size_t)n) != 0);

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, THREADS);
    pthread_t tid[THREADS];
    job jobs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t] = (job){.m = m, .states = states, .ref = ref, .ref_run = ref_run, .start = &start, .id = t};
        CHECK(pthread_create(&tid[t], NULL, worker, &jobs[t]) == 0);
    }
    int mismatches = 0, failures = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(tid[t], NULL);
        mismatches += jobs[t].mismatches, failures += jobs[t].failures;
    }
    pthread_barrier_destroy(&start);
    if (mismatches || failures) fprintf(stderr, "%s (%s = %s): %d results differ from the serial ones, %d threads failed\n", c->model, c->kv[0], c->kv[1], mismatches, failures);
    CHECK(mismatches == 0 && failures == 0);
    CHECK(gd_model_errmsg(m)[0] == '\0'); /* failures went to the workspaces */
    /* the model's own workspace (gd_model_field) gives the same bits too */
    double f[MAXDIM];
    CHECK(gd_model_field(m, states, f) == ref[0].frc && (ref[0].frc != GD_OK || memcmp(f, ref[0].f, sizeof(double) * (size_t)n) == 0));
    gd_model_ws_free(&ws);
    free(ref);
    gd_model_free(&m);
}

/* A workspace follows its model through a new setup, and refuses another model. */
static void check_workspace_lifecycle(void)
{
    gd_model *m = gd_model_create(gd_model_type_find("linear")), *other = gd_model_create(gd_model_type_find("linear"));
    gd_model_ws *ws = gd_model_ws_create(m);
    double x[2] = {1, 2}, v[2];
    CHECK(ws && gd_model_field_ws(m, ws, x, v) == GD_EUSAGE && strstr(gd_model_ws_errmsg(ws), "not set up"));
    CHECK(gd_model_setup(m) == GD_OK && gd_model_field_ws(m, ws, x, v) == GD_OK);
    CHECK(v[0] == -2 && v[1] == 1); /* a = b = 0, s = 1: (-s psi, s theta) */
    gd_model_set(m, "s", "3");
    CHECK(gd_model_setup(m) == GD_OK && gd_model_field_ws(m, ws, x, v) == GD_OK && v[0] == -6 && v[1] == 3);
    CHECK(gd_model_setup(other) == GD_OK && gd_model_field_ws(other, ws, x, v) == GD_EUSAGE && strstr(gd_model_ws_errmsg(ws), "another model"));
    gd_model_ws_free(&ws);
    gd_model_free(&other);
    gd_model_free(&m);
}

int main(void)
{
    for (const gd_model_type *const *t = gd_model_types(); *t; t++) {
        int covered = 0;
        for (int c = 0; c < NCONFIGS; c++) covered += strcmp(configs[c].model, gd_model_type_name(*t)) == 0;
        if (!covered) fprintf(stderr, "model '%s' has no configuration in test_threads.c: add one that exercises its workspace\n", gd_model_type_name(*t));
        CHECK(covered > 0);
    }
    for (int c = 0; c < NCONFIGS; c++) check_config(&configs[c]);
    check_workspace_lifecycle();
    return check_report("test_threads");
}
