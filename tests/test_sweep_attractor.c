/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Sweep attractor fields (sweep.attractor; docs/bifurcations.md, "Sweeps and basins") against
 * the single-run path, gd_sim_attractor, on each cell's own configuration:
 *  - every fixed-step rule of the integrator registry (rules whose map carries history --
 *    optimistic, momentum, nesterov, adam, rmsprop -- classified on the map's whole state), through
 *    the batched kernel where the rule has one and cell by cell: the Dirac-GAN + GP (gamma = 0.3)
 *    over h, and the unregularised Dirac-GAN from (1, 1), whose cells stall, stay neutral or turn
 *    about a circle. A cell's class and period equal those of gd_sim_attractor with
 *    attractor.transient = steps - tail + 1 and attractor.samples = tail (the same states);
 *    amplitude and lambda_1 close;
 *  - flows (cvode), cell by cell: the GAN + GP flow over gamma is fixed with lambda_1 = -gamma / 2
 *    (its eigenvalues (-gamma +- i sqrt(4 - gamma^2)) / 2); the hopf form
 *    z' = (mu + i omega) z + c |z|^2 z over mu (and at mu = -0.1, where the run reaches the
 *    integration noise at 0) is fixed with lambda_1 = mu below 0 and periodic
 *    above, r^2 = -mu / c_re, T = 2 pi / (omega - c_im mu / c_re), non-trivial multiplier
 *    exp(2 c_re r^2 T) = exp(-2 mu T), so lambda_1 = -2 mu (T to 1e-8, amplitude r);
 *    Lorenz at rho = 28 chaotic by the exponents (sweep.attractor = 2);
 *  - the wrappers, batched and cell by cell: lookahead on simgd and on momentum (its slow
 *    weights part of the map's state) and the consensus modifier over h;
 *  - a basin sweep under a rule with history (momentum) on the D8 Dirac-GAN, each cell against
 *    gd_sim_attractor, the labels consistent with the classes.
 */
#include "check.h"

#include <string.h>

#define MAXKV 48

/* kv (pairs, NULL-ended) and more pairs into out. */
static void join(const char *const *kv, const char *const *more, const char **out)
{
    int n = 0;
    for (int i = 0; kv[i]; i++) out[n++] = kv[i];
    for (int i = 0; more && more[i]; i++) out[n++] = more[i];
    out[n] = NULL;
}

/* gd_sim_attractor on kv with key = v (NULL: none) and x0 (NULL: kv's). */
static int single(const char *const *kv, const char *key, double v, const char *x0, gd_attractor_result *r)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    if (key) set_num(s, key, v);
    if (x0) CHECK_OK(gd_sim_set(s, "run.x0", x0));
    int rc = gd_sim_setup(s);
    if (rc == GD_OK) rc = gd_sim_attractor(s, r);
    if (rc != GD_OK) fprintf(stderr, "single: %s\n", gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* Cell i of w against r: class and period equal, amplitude and lambda_1 close (the orbit's when
 * the class has one, else the exponents'). Cell by cell the sweep's states are the single run's
 * to the bit; the batched kernel's are equal to rounding, which only an attracting fixed point
 * or orbit damps: on the other classes (neutral families, stalls reached by a drift, circles)
 * the rounding grows along the run (then amplitude within 10 %, lambda_1 within 5e-3), and a
 * chaotic orbit becomes another orbit of the same attractor (amplitude within 50 %, lambda_1
 * within 0.05). A single run whose exponents fail (adam where v underflows to 0) is an
 * undetermined cell; through the batched kernel either side may be the one that fails. */
static int same_cell(const gd_sweep *w, long i, int rc, const gd_attractor_result *r, int exact, const char *what)
{
    const signed char cls = gd_sweep_get_attractor(w)[i];
    const int period = gd_sweep_get_period(w)[i];
    const double amp = gd_sweep_get_amplitude(w)[i], l1 = gd_sweep_get_lyap1(w)[i];
    /* adam's exponents fail where v underflows to 0, which depends on the orbit to the bit */
    int failed = cls == GD_ATTRACTOR_UNDETERMINED && isnan(l1) && (rc != GD_OK || r->lyapunov);
    if (rc != GD_OK || (!exact && failed)) {
        CHECK((rc == GD_OK || rc == GD_ESOLVER) && (cls == GD_ATTRACTOR_UNDETERMINED || (!exact && cls == r->cls)));
        return cls == GD_ATTRACTOR_UNDETERMINED;
    }
    int ok = cls == r->cls && period == r->period;
    double want = NAN;
    if (r->lyapunov) want = r->lyapunov[0];
    else if (r->orbit && r->period > 0 && isnan(r->period_t)) { /* a map's orbit: ln max |mu| per iteration */
        double mu = 0;
        for (int k = 0; k < r->dim; k++) mu = fmax(mu, hypot(r->mult_re[k], r->mult_im[k]));
        want = log(mu) / r->period;
    }
    int chaos = !exact && r->cls == GD_ATTRACTOR_CHAOTIC, drift = !exact && r->cls != GD_ATTRACTOR_FIXED && r->cls != GD_ATTRACTOR_PERIODIC;
    if (r->cls != GD_ATTRACTOR_DIVERGE) {
        ok &= fabs(amp - r->amplitude) <= (exact ? 1e-12 : chaos ? 0.5 : drift ? 0.1 : 1e-6) * fmax(1.0, r->amplitude);
        if (!isnan(want)) ok &= fabs(l1 - want) <= (exact ? 1e-12 : chaos ? 0.05 : drift ? 5e-3 : 1e-8);
    }
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "%s cell %ld: sweep %s/%d amp %.10g l1 %.10g, single %s/%d amp %.10g l1 %.10g\n", what, i, gd_attractor_class_name(cls), period, amp, l1,
                gd_attractor_class_name(r->cls), r->period, r->amplitude, want);
    return ok;
}

/* The sweep of kv over axis (integrator.h or a model key) through `kernel`, each cell against
 * gd_sim_attractor on its configuration; classes seen are or-ed into seen (a bit per class). */
static void against_single(const char *const *kv, const char *axis, const char *kernel, long steps, long tail, const char *what, unsigned *seen)
{
    char st[32], tl[32], tr[32];
    snprintf(st, sizeof st, "%ld", steps), snprintf(tl, sizeof tl, "%ld", tail), snprintf(tr, sizeof tr, "%ld", steps - tail + 1);
    const char *more[] = {"sweep.x", axis, "sweep.kernel", kernel, "integrator.steps", st, "sweep.tail", tl, "sweep.attractor", "2", NULL};
    const char *all[MAXKV], *one[MAXKV];
    join(kv, more, all);
    gd_sim *s = make_sim(all);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    if (!w) {
        fprintf(stderr, "%s: %s\n", what, gd_sim_errmsg(s));
        gd_sim_free(&s);
        return;
    }
    CHECK_OK(gd_sweep_run(w));
    const char *attr[] = {"integrator.steps", st, "attractor.transient", tr, "attractor.samples", tl, NULL};
    join(kv, attr, one);
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)strcspn(axis, ":"), axis);
    for (long i = 0; gd_sweep_get_attractor(w) && i < gd_sweep_ncells(w); i++) {
        gd_attractor_result r;
        int rc = single(one, key, gd_sweep_get_axis(w, 0)[i], NULL, &r);
        char label[256];
        snprintf(label, sizeof label, "%s %s %s = %g", what, kernel, key, gd_sweep_get_axis(w, 0)[i]);
        same_cell(w, i, rc, &r, !strcmp(kernel, "cell"), label);
        if (rc == GD_OK) *seen |= 1u << r.cls;
        if (rc == GD_OK) gd_attractor_result_free(&r);
    }
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

static void registry(void)
{
    unsigned seen = 0;
    int rules = 0, history = 0;
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++) {
        if (!gd_integrator_type_is_fixed_step(*t)) continue;
        const char *name = gd_integrator_type_name(*t);
        const char *gp[] = {"integrator.name", name, "model.reg", "gp", "model.gamma", "0.3", "run.x0", "0.5,0.5", "attractor.max_steps", "20000", NULL};
        const char *none[] = {"integrator.name", name, "model.reg", "none", "run.x0", "1,1", "attractor.max_steps", "20000", NULL};
        const char *probe[MAXKV], *axis[] = {"sweep.x", "integrator.h:0.3:1.8:4", NULL};
        join(gp, axis, probe);
        gd_sim *s = make_sim(probe);
        int batched = 0, nm = gd_stepper_map_dim(gd_sim_get_stepper(s));
        history += nm > 2;
        gd_sweep *w = NULL;
        if (gd_sweep_create(s, &w) == GD_OK) batched = gd_sweep_is_batched(w);
        gd_sweep_free(&w);
        gd_sim_free(&s);
        for (int kernel = 0; kernel <= batched; kernel++) {
            const char *k = kernel == batched ? "cell" : "auto";
            char what[96];
            snprintf(what, sizeof what, "%s gp", name);
            against_single(gp, "integrator.h:0.3:1.8:4", k, 3000, 512, what, &seen);
            snprintf(what, sizeof what, "%s none", name);
            against_single(none, "integrator.h:0.5:1.5:2", k, 3000, 512, what, &seen);
        }
        printf("%s: map state of %d, %s\n", name, nm, batched ? "batched and cell by cell" : "cell by cell");
        rules++;
    }
    printf("registry: %d fixed-step rules, %d with history; classes seen 0x%x\n", rules, history, seen);
    CHECK(rules >= 10 && history >= 5);
    /* the cases reach fixed points, orbits, stalls and classes decided by the exponents */
    unsigned want = 1u << GD_ATTRACTOR_FIXED | 1u << GD_ATTRACTOR_PERIODIC | 1u << GD_ATTRACTOR_STALL | 1u << GD_ATTRACTOR_NEUTRAL | 1u << GD_ATTRACTOR_CHAOTIC;
    CHECK((seen & want) == want);
}

/* The sweep of kv (cvode) over model.KEY, run; NULL when it failed. */
static gd_sweep *flow_sweep(const char *const *kv, gd_sim **s)
{
    *s = make_sim(kv);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(*s, &w));
    if (w) CHECK_OK(gd_sweep_run(w));
    if (w && !gd_sweep_get_attractor(w)) gd_sweep_free(&w);
    CHECK(w && !gd_sweep_is_batched(w));
    if (!w) fprintf(stderr, "flow sweep: %s\n", gd_sim_errmsg(*s));
    return w;
}

static void flows(void)
{
    /* GAN + GP flow from (1, 1) for t = 200, then 512 samples every 0.1: fixed at 0 for every
     * gamma > 0, lambda_1 = -gamma / 2 (gamma < 2); as gd_sim_attractor with transient 2000 x 0.1 */
    const char *gp[] = {"integrator.name", "cvode", "model.reg", "gp", "run.x0", "1,1", "integrator.t_end", "200", "integrator.steps", "500", "sweep.x", "model.gamma:0.2:1:5",
                        "sweep.attractor", "1", NULL};
    const char *gp1[] = {"integrator.name", "cvode", "model.reg", "gp", "run.x0", "1,1", "attractor.transient", "2000", "attractor.samples", "512", NULL};
    gd_sim *s;
    gd_sweep *w = flow_sweep(gp, &s);
    for (long i = 0; w && i < gd_sweep_ncells(w); i++) {
        double g = gd_sweep_get_axis(w, 0)[i];
        CHECK(gd_sweep_get_attractor(w)[i] == GD_ATTRACTOR_FIXED && gd_sweep_get_period(w)[i] == 1 && !gd_sweep_get_unstable(w)[i]);
        CHECK_NEAR(gd_sweep_get_lyap1(w)[i], -g / 2, 1e-9);
        CHECK(isnan(gd_sweep_get_period_t(w)[i]) && gd_sweep_get_steps_used(w)[i] == 500 + 512);
        gd_attractor_result r;
        CHECK_OK(single(gp1, "model.gamma", g, NULL, &r));
        CHECK(r.cls == GD_ATTRACTOR_FIXED && r.period == 1);
        gd_attractor_result_free(&r);
    }
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* the hopf form z' = (mu + i omega) z + c |z|^2 z, omega = 1, c = -1 + 0.5 i, from (0.3, 0):
     * fixed at 0 with lambda_1 = mu for mu < 0; for mu > 0 the cycle r^2 = -mu / c_re,
     * T = 2 pi / (omega - c_im mu / c_re), non-trivial multiplier exp(2 c_re r^2 T) = exp(-2 mu T):
     * lambda_1 = -2 mu, amplitude r */
    /* mu = -0.1 (a one-cell sweep, 1000 samples): after t = 300 the run sits at 0 to atol, fixed
     * by Newton and the sink's eigenvalues; |F| there is at the integration noise (4e-10 at the
     * last sample: |F| < 1e-10 L made this cell undetermined) */
    static const char *const mus[] = {"model.mu:-0.6:0.6:4", "model.mu:-0.1:-0.1:1"}, *const tails[] = {"512", "1000"};
    for (int a = 0; a < 2; a++) {
        const char *hopf[] = {"model.name", "normal_form", "model.form", "hopf", "integrator.name", "cvode", "run.x0", "0.3,0", "integrator.t_end", "300", "sweep.x", mus[a],
                              "sweep.tail", tails[a], "sweep.attractor", "1", NULL};
        const char *hopf1[] = {"model.name", "normal_form", "model.form", "hopf", "integrator.name", "cvode", "run.x0", "0.3,0", "attractor.transient", "3000", "attractor.samples", "512", NULL};
        w = flow_sweep(hopf, &s);
        for (long i = 0; w && i < gd_sweep_ncells(w); i++) {
            double mu = gd_sweep_get_axis(w, 0)[i], T = 2 * M_PI / (1 + 0.5 * mu), l1 = gd_sweep_get_lyap1(w)[i];
            int cls = gd_sweep_get_attractor(w)[i];
            CHECK(cls == (mu < 0 ? GD_ATTRACTOR_FIXED : GD_ATTRACTOR_PERIODIC) && gd_sweep_get_period(w)[i] == 1);
            if (mu < 0) CHECK(isnan(gd_sweep_get_period_t(w)[i]) && fabs(l1 - mu) < 1e-9);
            else {
                CHECK_NEAR(gd_sweep_get_period_t(w)[i], T, 1e-8);
                CHECK_NEAR(l1, -2 * mu, 1e-6);
                CHECK_NEAR(gd_sweep_get_amplitude(w)[i], sqrt(mu), 1e-6);
            }
            gd_attractor_result r;
            CHECK_OK(single(hopf1, "model.mu", mu, NULL, &r));
            CHECK(r.cls == cls && r.period == 1 && (mu < 0 || fabs(r.period_t - gd_sweep_get_period_t(w)[i]) < 1e-8));
            gd_attractor_result_free(&r);
        }
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
    /* sweep.attractor = 2: the exponents of what the tests leave (Lorenz at rho = 28: chaotic,
     * lambda_1 ~ 0.9) */
    const char *lorenz[] = {"model.name", "normal_form", "model.form", "lorenz", "integrator.name", "cvode", "run.x0", "1,1,1", "integrator.t_end", "50", "sweep.x", "model.rho:28:28:1",
                            "sweep.attractor", "2", "attractor.max_steps", "200", NULL};
    w = flow_sweep(lorenz, &s);
    CHECK(w && gd_sweep_get_attractor(w)[0] == GD_ATTRACTOR_CHAOTIC && fabs(gd_sweep_get_lyap1(w)[0] - 0.9) < 0.15);
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* A basin under a rule whose map carries history: momentum (h = 1.5) on the unregularised
 * Dirac-GAN over starts in [-2, 2]^2. Cells stall or (one, at the start x* = 0) sit on the
 * repelling fixed point; each cell as gd_sim_attractor gives it; one label for every stall, another
 * for the fixed point, -2 exactly where undetermined. Both kernels. */
static void basin_history(void)
{
    const char *kv[] = {"integrator.name", "momentum", "integrator.h", "1.5", "model.reg", "none", "integrator.steps", "3000", "sweep.attractor", "2", "attractor.max_steps", "5000",
                        "sweep.x", "run.x0.0:-2:2:5", "sweep.y", "run.x0.1:-2:2:5", NULL};
    const char *one[] = {"integrator.name", "momentum", "integrator.h", "1.5", "model.reg", "none", "integrator.steps", "3000", "attractor.max_steps", "5000",
                         "attractor.transient", "2489", "attractor.samples", "512", NULL};
    for (int kernel = 0; kernel < 2; kernel++) {
        const char *more[] = {"sweep.kernel", kernel ? "cell" : "auto", NULL}, *all[MAXKV];
        join(kv, more, all);
        gd_sim *s = make_sim(all);
        gd_sweep *w = NULL;
        CHECK_OK(gd_sweep_create(s, &w));
        CHECK(w && gd_sweep_is_batched(w) == !kernel);
        if (w) CHECK_OK(gd_sweep_run(w));
        int nb = 0;
        const int *b = w ? gd_sweep_get_basin(w, &nb) : NULL;
        CHECK(b != NULL);
        int stall = -3, fixed = -3;
        long nstall = 0;
        for (long i = 0; b && i < gd_sweep_ncells(w); i++) {
            char x0[64], what[128];
            snprintf(x0, sizeof x0, "%.17g,%.17g", gd_sweep_get_axis(w, 0)[i % 5], gd_sweep_get_axis(w, 1)[i / 5]);
            snprintf(what, sizeof what, "momentum basin %s (%s)", x0, kernel ? "cell" : "auto");
            gd_attractor_result r;
            int rc = single(one, NULL, 0, x0, &r);
            same_cell(w, i, rc, &r, kernel, what);
            if (rc == GD_OK) gd_attractor_result_free(&r);
            int c = gd_sweep_get_attractor(w)[i];
            CHECK((b[i] == -2) == (c == GD_ATTRACTOR_UNDETERMINED));
            if (c == GD_ATTRACTOR_STALL) {
                stall = stall == -3 ? b[i] : stall, nstall++;
                CHECK(b[i] == stall);
            }
            if (c == GD_ATTRACTOR_FIXED) {
                fixed = fixed == -3 ? b[i] : fixed;
                CHECK(b[i] == fixed && gd_sweep_get_unstable(w)[i]);
            }
        }
        printf("momentum basin (%s): %ld stall cells, %d attractors\n", kernel ? "cell" : "auto", nstall, nb);
        CHECK(nstall >= 5 && stall >= 0 && fixed >= 0 && stall != fixed && nb == 2);
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
}

/* The wrappers (docs/optimizers.md): lookahead (its slow weights part of the map's state) on
 * simgd and on momentum, and the consensus modifier, through both kernels. */
static void wrappers(void)
{
    unsigned seen = 0;
    static const char *const cases[][16] = {
        {"integrator.name", "simgd", "lookahead.k", "5", "lookahead.alpha", "0.5", NULL},
        {"integrator.name", "momentum", "lookahead.k", "3", "lookahead.alpha", "0.7", NULL},
        {"integrator.name", "simgd", "modifier.name", "consensus", "modifier.gamma", "0.2", NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int kernel = 0; kernel < 2; kernel++) {
            const char *base[] = {"model.reg", "gp", "model.gamma", "0.3", "run.x0", "0.5,0.5", "attractor.max_steps", "20000", NULL}, *kv[MAXKV];
            join(cases[c], base, kv);
            char what[96];
            snprintf(what, sizeof what, "%s %s %s", cases[c][1], cases[c][2], cases[c][3]);
            const char *axis[] = {"sweep.x", "integrator.h:0.3:2.4:5", NULL}, *probe[MAXKV];
            join(kv, axis, probe);
            gd_sim *s = make_sim(probe);
            gd_sweep *w = NULL;
            CHECK_OK(gd_sweep_create(s, &w));
            CHECK(w && gd_sweep_is_batched(w)); /* so that "auto" runs the batched kernel */
            gd_sweep_free(&w);
            gd_sim_free(&s);
            against_single(kv, "integrator.h:0.3:2.4:5", kernel ? "cell" : "auto", 3000, 512, what, &seen);
        }
    printf("wrappers: classes seen 0x%x\n", seen);
    CHECK((seen & (1u << GD_ATTRACTOR_FIXED)) && (seen & (1u << GD_ATTRACTOR_PERIODIC)));
}

int main(void)
{
    wrappers();
    flows();
    basin_history();
    registry();
    return check_report("test_sweep_attractor");
}
