/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Sweeps and critical values (issue 4 acceptance):
 *  - a (h, gamma) sweep of the GP Dirac-GAN under simgd, started near x*, agrees with the
 *    linear prediction on >= 99% of the cells; the per-cell path agrees with the batched
 *    kernel on the outcomes;
 *  - results are bit-identical for 1 and 2 threads and for any split into ranges;
 *  - a sweep cancelled mid-way and resumed from its checkpoint equals an uninterrupted one;
 *  - critical reproduces the AltGD critical steps (4, 1.788854) and the SimGD GP limits
 *    (1.2, 4.0, 1.5278640) within 1e-4 relative, observed and predicted;
 *  - sweeps over a start coordinate (basin map) and a per-cell key; bad axes;
 *  - a distance that levels off on a cycle is not convergence; algebraic decay is.
 */
#include "check.h"

#include <string.h>
#include <unistd.h>

static const char *const gp_grid[] = {"model.reg", "gp", "sweep.x", "integrator.h:0.02:2:60:log", "sweep.y", "model.gamma:0.02:3:40",
                                      "integrator.steps", "4000", "run.x0", "1e-6,1e-6", NULL};

/* Copies of the four result arrays, to compare runs. */
typedef struct { signed char *o, *p; double *rho, *rate; long n; } results;

static results grab(gd_sweep *w)
{
    results r;
    r.n = gd_sweep_ncells(w);
    r.o = malloc((size_t)r.n), r.p = malloc((size_t)r.n);
    r.rho = malloc(sizeof(double) * (size_t)r.n), r.rate = malloc(sizeof(double) * (size_t)r.n);
    memcpy(r.o, gd_sweep_get_outcome(w), (size_t)r.n);
    memcpy(r.p, gd_sweep_get_predicted(w), (size_t)r.n);
    memcpy(r.rho, gd_sweep_get_rho(w), sizeof(double) * (size_t)r.n);
    memcpy(r.rate, gd_sweep_get_rate(w), sizeof(double) * (size_t)r.n);
    return r;
}

static int same(const results *a, const results *b)
{
    return a->n == b->n && !memcmp(a->o, b->o, (size_t)a->n) && !memcmp(a->p, b->p, (size_t)a->n) &&
           !memcmp(a->rho, b->rho, sizeof(double) * (size_t)a->n) && !memcmp(a->rate, b->rate, sizeof(double) * (size_t)a->n);
}

static void drop(results *r) { free(r->o), free(r->p), free(r->rho), free(r->rate); }

static results sweep_with(const char *const *more, int threads, long split)
{
    gd_sim *s = make_sim_with(gp_grid, more);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    gd_sweep_set_threads(w, threads);
    if (split > 0) {
        CHECK_OK(gd_sweep_run_range(w, split, gd_sweep_ncells(w)));
        CHECK_OK(gd_sweep_run_range(w, 0, split));
    } else {
        CHECK_OK(gd_sweep_run(w));
    }
    CHECK(gd_sweep_get_done(w) == gd_sweep_ncells(w));
    results r = grab(w);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    return r;
}

static void agreement_and_determinism(void)
{
    gd_sim *s = make_sim_with(gp_grid, NULL);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_is_batched(w) && gd_sweep_ncells(w) == 2400 && gd_sweep_nx(w) == 60 && gd_sweep_ny(w) == 40);
    CHECK_OK(gd_sweep_run(w));
    long counts[3];
    double agree = gd_sweep_get_agreement(w, counts);
    printf("GP (h, gamma) sweep: agreement %.4f, counts %ld %ld %ld\n", agree, counts[0], counts[1], counts[2]);
    CHECK(agree >= 0.99);
    CHECK(counts[0] > 1000 && counts[2] > 100);
    CHECK_OK(gd_sweep_write(w, "out_sweep.h5"));
    gd_sweep_free(&w);
    gd_sim_free(&s);

    results one = sweep_with(NULL, 1, 0), two = sweep_with(NULL, 2, 0), split = sweep_with(NULL, 2, 1000);
    CHECK(same(&one, &two));
    CHECK(same(&one, &split));
    /* the per-cell path (IEEE, scalar) gives the same outcomes and predictions */
    results cell = sweep_with((const char *const[]){"sweep.kernel", "cell", NULL}, 2, 0);
    long differ = 0;
    for (long i = 0; i < one.n; i++) differ += one.o[i] != cell.o[i];
    CHECK(differ <= one.n / 1000);
    CHECK(!memcmp(one.p, cell.p, (size_t)one.n));
    drop(&one), drop(&two), drop(&split), drop(&cell);
}

typedef struct { gd_sweep *w; long stop_after; } canceller;

static void cancel_soon(void *user, long done, long total, double secs)
{
    (void)total, (void)secs;
    canceller *c = user;
    if (done >= c->stop_after) gd_sweep_cancel(c->w);
}

static void resume(void)
{
    const char *ck = "out_resume.ckpt";
    unlink(ck);
    results ref = sweep_with(NULL, 2, 0);
    gd_sim *s = make_sim_with(gp_grid, NULL);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    canceller c = {w, 700};
    gd_sweep_set_threads(w, 1);
    gd_sweep_set_monitor(w, cancel_soon, &c, 0);
    CHECK_OK(gd_sweep_set_checkpoint(w, ck, 0));
    CHECK(gd_sweep_run(w) == GD_ECANCELED);
    long part = gd_sweep_get_done(w);
    CHECK(part >= 700 && part < gd_sweep_ncells(w));
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* a torn last record (as kill -9 can leave) is dropped */
    FILE *f = fopen(ck, "ab");
    fwrite("torn", 1, 4, f);
    fclose(f);
    s = make_sim_with(gp_grid, NULL);
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_set_checkpoint(w, ck, 1));
    CHECK(gd_sweep_get_done(w) == part);
    CHECK_OK(gd_sweep_run(w));
    results r = grab(w);
    CHECK(same(&ref, &r));
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* a checkpoint of another configuration is refused */
    s = make_sim_with(gp_grid, (const char *const[]){"integrator.steps", "3000", NULL});
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_set_checkpoint(w, ck, 1) == GD_EUSAGE && strstr(gd_sweep_errmsg(w), "another sweep configuration"));
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* one of an older format (its magic's last character) is refused as another version's */
    f = fopen(ck, "rb+");
    char version = 0;
    CHECK(f && fseek(f, 7, SEEK_SET) == 0 && fread(&version, 1, 1, f) == 1 && fseek(f, 7, SEEK_SET) == 0 && fputc(version - 1, f) != EOF);
    if (f) fclose(f);
    s = make_sim_with(gp_grid, NULL);
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_set_checkpoint(w, ck, 1) == GD_EUSAGE && strstr(gd_sweep_errmsg(w), "another gandyn version"));
    gd_sweep_free(&w);
    gd_sim_free(&s);
    drop(&ref), drop(&r);
    unlink(ck);
}

static void critical(void)
{
    static const struct { const char *kv[9]; double lo, hi, want; } c[] = {
        {{"integrator.name", "altgd", "integrator.n_d", "1", NULL}, 3, 5, 4.0},
        {{"integrator.name", "altgd", "integrator.n_d", "5", NULL}, 1, 3, 1.7888543819998317},
        {{"model.reg", "gp", "model.gamma", "0.3", NULL}, 0.5, 6, 1.2},
        {{"model.reg", "gp", "model.gamma", "1.0", NULL}, 0.5, 6, 4.0},
        {{"model.reg", "gp", "model.gamma", "1.5", NULL}, 0.5, 6, 1.5278640450004206},
    };
    for (int i = 0; i < 5; i++) {
        gd_sim *s = make_sim_with(c[i].kv, (const char *const[]){"run.x0", "1e-8,1e-8", "integrator.steps", "20000", NULL});
        gd_critical_result r;
        CHECK_OK(gd_sim_critical(s, "integrator.h", c[i].lo, c[i].hi, 1e-6, &r));
        if (fabs(r.value / c[i].want - 1) > 1e-4 || fabs(r.predicted / c[i].want - 1) > 1e-4)
            fprintf(stderr, "critical %d: observed %.9g predicted %.9g want %.9g\n", i, r.value, r.predicted, c[i].want);
        CHECK_NEAR(r.value / c[i].want, 1, 1e-4);
        CHECK_NEAR(r.predicted / c[i].want, 1, 1e-4);
        CHECK(r.above == GD_DIVERGE && r.below != GD_DIVERGE);
        gd_sim_free(&s);
    }
    gd_sim *s = make_sim_with((const char *const[]){"model.reg", "gp", NULL}, NULL);
    gd_critical_result r;
    CHECK(gd_sim_critical(s, "integrator.h", 0.1, 0.2, 1e-6, &r) == GD_EUSAGE); /* same outcome at both ends */
    gd_sim_free(&s);
}

static void other_axes(void)
{
    /* a basin map over the start with rk4 (batched like every explicit rule), then a 1-D sweep over a key the kernel cannot batch */
    gd_sim *s = make_sim_with((const char *const[]){"model.reg", "gp", "integrator.name", "rk4", "sweep.x", "run.x0.0:-2:2:9", "sweep.y",
                                          "run.x0.1:-2:2:7", "sweep.diverge_radius", "100", NULL},
                    NULL);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(gd_sweep_is_batched(w) && gd_sweep_ncells(w) == 63);
    CHECK_OK(gd_sweep_run(w));
    long counts[3];
    gd_sweep_get_agreement(w, counts);
    CHECK(counts[0] == 63 && counts[2] == 0); /* every start converges, x* itself trivially */
    CHECK(gd_sweep_get_rate(w)[31] == 0);                 /* the cell at x*: no motion at all */
    gd_sweep_free(&w);
    gd_sim_free(&s);
    s = make_sim_with((const char *const[]){"model.reg", "gp", "integrator.name", "altgd", "sweep.x", "integrator.n_d:1:8:8", NULL}, NULL);
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK(!gd_sweep_is_batched(w) && gd_sweep_ny(w) == 1);
    CHECK_OK(gd_sweep_run(w));
    CHECK(gd_sweep_get_axis(w, 0)[7] == 8 && gd_sweep_get_axis(w, 1) == NULL);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    static const char *const bad[][2] = {{"sweep.x", "model.nokey:0:1:3"}, {"sweep.x", "run.x0.2:0:1:3"}, {"sweep.x", "run.output:0:1:3"},
                                         {"sweep.x", "integrator.h:-1:1:3"}, {"sweep.y", "integrator.h:0.1:1:3"}};
    for (int i = 0; i < 5; i++) {
        s = make_sim_with((const char *const[]){bad[i][0], bad[i][1], NULL}, NULL);
        CHECK(gd_sweep_create(s, &w) == GD_EUSAGE && w == NULL);
        CHECK(strlen(gd_sim_errmsg(s)) > 10 && !strchr(gd_sim_errmsg(s), '\n'));
        gd_sim_free(&s);
    }
}

/* Each cell's rho, whichever way the sweep finds it (for rules whose map is a function of hJ at
 * equal rates, from J's spectrum once per equilibrium), equals rho of `eig` at the cell's step,
 * which eigen-solves the rule's map Jacobian: every fixed-step rule, a 4-D game with complex
 * and real eigenvalues, equal and unequal player rates, an h axis and a model axis. */
static void rho_matches_eig(void)
{
    const char *const game[] = {"model.name", "torus", "model.objective", "damped", "model.n_gen", "2", "model.N", "3", "model.M", "16",
                                "integrator.steps", "1", "sweep.kernel", "cell", NULL};
    /* equal rates; unequal; a modifier (the rules see J~); a lookahead cycle (no function of hJ) */
    const char *const rates[][5] = {{NULL}, {"integrator.lr_g", "0.3", NULL}, {"modifier.name", "sga", "modifier.lambda", "0.7", NULL},
                                    {"lookahead.k", "3", NULL}};
    enum { NSET = sizeof rates / sizeof rates[0] };
    int rules = 0;
    for (const gd_integrator_type *const *it = gd_integrator_types(); *it; it++) {
        if (!gd_integrator_type_is_fixed_step(*it)) continue;
        const char *name = gd_integrator_type_name(*it);
        for (int r = 0; r < NSET; r++, rules++) {
            if (r == 2 && !strcmp(name, "cgd")) continue; /* cgd refuses a modifier (docs/robustness.md) */
            const char *more[] = {"integrator.name", name, "sweep.x", "integrator.h:0.05:1.5:3", "sweep.y", "model.s:0.5:1.5:2",
                                  rates[r][0], rates[r][1], rates[r][2], rates[r][3], NULL};
            gd_sim *s = make_sim_with(game, more);
            gd_sweep *w = NULL;
            CHECK_OK(gd_sweep_create(s, &w));
            CHECK_OK(gd_sweep_run(w));
            const double *rho = gd_sweep_get_rho(w);
            for (long i = 0; i < gd_sweep_ncells(w); i++) {
                char h[32], sv[32];
                snprintf(h, sizeof h, "%.17g", 0.05 + (1.5 - 0.05) * (double)(i % 3) / 2);
                snprintf(sv, sizeof sv, "%.17g", 0.5 + (1.5 - 0.5) * (double)(i / 3));
                gd_sim *e = make_sim_with(game, (const char *const[]){"integrator.name", name, "integrator.h", h, "model.s", sv, rates[r][0], rates[r][1],
                                                            rates[r][2], rates[r][3], NULL});
                gd_eig_result res;
                CHECK_OK(gd_sim_eig(e, &res));
                if (fabs(rho[i] - res.rho) > 1e-12 * res.rho)
                    fprintf(stderr, "%s (setting %d) cell %ld: sweep rho %.17g, eig %.17g\n", name, r, i, rho[i], res.rho);
                CHECK_NEAR(rho[i] / res.rho, 1, 1e-12);
                gd_eig_result_free(&res);
                gd_sim_free(&e);
            }
            gd_sweep_free(&w);
            gd_sim_free(&s);
        }
    }
    CHECK(rules >= NSET * 12 - 1);
}

/* The Dirac-GAN from (1, 1), h = 0.2, by its definition (f'(t) = 1/(1 + e^t), s = theta psi;
 * NS-GAN's generator uses 1 - f'(s)): `alt` moves the generator first. Returns |x| after n steps. */
static double nsgan_norm(int alt, long n)
{
    double th = 1, ps = 1, h = 0.2;
    for (long k = 0; k < n; k++) {
        double d = 1 / (1 + exp(th * ps)), th1 = th - h * ps * (1 - d);
        if (alt) d = 1 / (1 + exp(th1 * ps));
        ps += h * (alt ? th1 : th) * d;
        th = th1;
    }
    return hypot(th, ps);
}

/* The first n (<= 12) cells' outcomes and rates of a sweep, through the batched kernel
 * ([0]) and the per-cell path ([1]). */
static void both_kernels(const char *const *kv, int n, int outc[2][12], double rate[2][12])
{
    for (int k = 0; k < 2; k++) {
        gd_sim *s = make_sim_with(kv, (const char *const[]){"sweep.kernel", k ? "cell" : "auto", NULL});
        gd_sweep *w = NULL;
        CHECK_OK(gd_sweep_create(s, &w));
        CHECK(gd_sweep_is_batched(w) == !k);
        CHECK_OK(gd_sweep_run(w));
        for (int i = 0; i < n; i++) rate[k][i] = gd_sweep_get_rate(w)[i], outc[k][i] = gd_sweep_get_outcome(w)[i];
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
}

/* One cell's observed outcome, batched kernel and per-cell path (they must agree). */
static int one_cell(const char *const *kv)
{
    int outc[2][12];
    double rate[2][12];
    both_kernels(kv, 1, outc, rate);
    CHECK(outc[0][0] == outc[1][0]);
    return outc[0][0];
}

/* A distance that shrinks, then levels off on a cycle around x*, is not convergence. NS-GAN
 * under simgd from (1, 1): x* repels (rho = 1.005) and the orbit settles on a circle of radius
 * about 0.63, so after 500 steps it is still shrinking, ever more slowly (it used to be called
 * converge). Under altgd the origin attracts algebraically (|x|^-2 grows linearly: it keeps
 * shrinking), and with the gradient penalty geometrically: both converge. */
static void levelling_off(void)
{
    const double r500 = nsgan_norm(0, 500), r5k = nsgan_norm(0, 5000), r50k = nsgan_norm(0, 50000);
    printf("nsgan simgd |x|: %.4f, %.4f, %.4f after 500, 5000, 50000 steps\n", r500, r5k, r50k);
    CHECK(fabs(r5k - r50k) < 0.02 && r50k > 0.6);      /* levelled off on its cycle */
    const double a500 = nsgan_norm(1, 500), a50k = nsgan_norm(1, 50000);
    CHECK_NEAR(pow(a500 / a50k, 2), 100, 15);        /* |x|^-2 linear in k: 100 x the steps, 100 x */
    const char *const base[] = {"model.loss", "nsgan", "sweep.x", "integrator.h:0.2:0.2:1", "integrator.steps", "500", "run.x0", "1,1", NULL};
    CHECK(one_cell(base) == GD_OSCILLATE);
    const char *const alt[] = {"model.loss", "nsgan", "integrator.name", "altgd", "sweep.x", "integrator.h:0.2:0.2:1",
                               "integrator.steps", "500", "run.x0", "1,1", NULL};
    CHECK(one_cell(alt) == GD_CONVERGE);
    const char *const gp[] = {"model.loss", "nsgan", "model.reg", "gp", "model.gamma", "0.3", "sweep.x", "integrator.h:0.2:0.2:1",
                              "integrator.steps", "500", "run.x0", "1,1", NULL};
    CHECK(one_cell(gp) == GD_CONVERGE);
}

/* Lookahead around a rule with a state (momentum, optimistic) restarts that state at each cycle's
 * end with lookahead.state = reset: the batched kernel must give the per-cell path's outcomes and
 * rates, cell for cell, as it does for `maintain`. */
static void lookahead_reset(void)
{
    static const char *const rules[][4] = {{"integrator.name", "momentum", "integrator.beta", "-0.3"}, {"integrator.name", "optimistic", NULL, NULL}};
    for (int r = 0; r < 2; r++) {
        double maintained[12] = {0};
        for (int st = 0; st < 2; st++) {
            const char *const kv[] = {"lookahead.k", "3", "lookahead.state", st ? "reset" : "maintain", "model.reg", "gp", "integrator.steps", "600",
                                      "run.x0", "0.5,0.5", "sweep.x", "integrator.h:0.1:1.2:12", rules[r][0], rules[r][1], rules[r][2], rules[r][3], NULL};
            double rate[2][12];
            int outc[2][12];
            both_kernels(kv, 12, outc, rate);
            for (int i = 0; i < 12; i++) {
                CHECK(outc[0][i] == outc[1][i]);
                CHECK_NEAR(rate[0][i], rate[1][i], 1e-9 * fabs(rate[1][i]));
            }
            int differ = 0; /* reset changes what the rule does: some cell's rate differs from maintain's */
            for (int i = 0; i < 12; i++) differ += st && rate[1][i] != maintained[i], maintained[i] = rate[1][i];
            if (st) printf("lookahead reset, %s: %d of 12 rates differ from maintain's\n", rules[r][1], differ);
            if (st) CHECK(differ > 0);
        }
    }
}

/* A start at x* to rounding. Four particles on their four data points: the critic's field
 * there is zero only to rounding, so the first step moves them by ~3e-17 and no further; x*
 * holds them, and run and sweep must say converge (growth measured from a distance of 0 once
 * called this diverge). Starts within the floor of a repelling x* still leave it: the GAN under
 * simgd from 1e-15 (rho = 1.005) diverges, the GAN + GP from there converges, in both kernels. */
static void started_at_xstar(void)
{
    const char *const p[] = {"model.name", "particles", "model.particles", "0,0;2,0;0,2;2,2", "model.data", "0,0;2,0;0,2;2,2",
                             "integrator.h", "4", "integrator.steps", "2000", "sweep.x", "integrator.h:4:4.5:2", NULL};
    gd_sim *s = make_sim(p);
    const double x[8] = {0, 0, 2, 0, 0, 2, 2, 2};
    double v[8], vmax = 0;
    CHECK_OK(gd_model_field(gd_sim_get_model(s), x, v));
    for (int i = 0; i < 8; i++) vmax = fmax(vmax, fabs(v[i]));
    printf("particles on their data: |F| = %.3g\n", vmax);
    CHECK(vmax > 0 && vmax < 1e-15); /* zero to rounding only: the case this test is about */
    CHECK_OK(gd_sim_run(s, ""));
    CHECK(gd_sim_get_outcome(s, 0) == GD_CONVERGE);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    CHECK(gd_sweep_get_outcome(w)[0] == GD_CONVERGE && gd_sweep_get_outcome(w)[1] == GD_CONVERGE);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    const char *const gan[] = {"sweep.x", "integrator.h:0.2:0.2:1", "integrator.steps", "10000", "run.x0", "1e-15,0", NULL};
    CHECK(one_cell(gan) == GD_DIVERGE);
    const char *const gp[] = {"model.reg", "gp", "sweep.x", "integrator.h:0.2:0.2:1", "integrator.steps", "10000", "run.x0", "1e-15,0", NULL};
    CHECK(one_cell(gp) == GD_CONVERGE);
}

/* `run` and a one-cell sweep of the same configuration read one outcome and one contraction
 * (src/outcome.c), for every integrator, from starts that converge, level off on a cycle and
 * spiral out. The sweep's per-cell path steps the same stepper, so the rates are equal bit for bit. */
static void run_equals_sweep(void)
{
    static const char *const games[][8] = {
        {"model.reg", "gp", "model.gamma", "0.3", NULL},            /* converges */
        {"model.loss", "nsgan", NULL},                              /* levels off (simgd) or converges slowly */
        {"model.loss", "gan", NULL},                                /* spirals out (simgd) */
        {"model.loss", "wgan", "model.reg", "clip", "model.clip", "1", NULL}, /* bounded */
    };
    int counts[3] = {0, 0, 0}, runs = 0;
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++)
        for (size_t g = 0; g < sizeof games / sizeof games[0]; g++) {
            const char *name = gd_integrator_type_name(*t);
            const char *const kv[] = {"integrator.name", name, "integrator.h", "0.2", "integrator.steps", "400", "integrator.t_end", "80",
                                      "run.x0", "1,1", "sweep.x", "run.x0.0:1:1:1", "sweep.kernel", "cell", NULL};
            gd_sim *s = make_sim_with(kv, games[g]);
            gd_sweep *w = NULL;
            CHECK_OK(gd_sim_run(s, ""));
            CHECK_OK(gd_sweep_create(s, &w));
            CHECK_OK(gd_sweep_run(w));
            const int same = (int)gd_sim_get_outcome(s, 0) == gd_sweep_get_outcome(w)[0] && gd_sim_get_rate(s, 0) == gd_sweep_get_rate(w)[0];
            if (!same)
                printf("run vs sweep, %s game %zu: %s %.17g against %s %.17g\n", name, g, gd_outcome_name(gd_sim_get_outcome(s, 0)), gd_sim_get_rate(s, 0),
                       gd_outcome_name(gd_sweep_get_outcome(w)[0]), gd_sweep_get_rate(w)[0]);
            CHECK(same);
            counts[gd_sim_get_outcome(s, 0)]++, runs++;
            gd_sweep_free(&w);
            gd_sim_free(&s);
        }
    printf("run = sweep on %d configurations: %d converge, %d oscillate, %d diverge\n", runs, counts[0], counts[1], counts[2]);
    CHECK(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
}

int main(void)
{
    levelling_off();
    started_at_xstar();
    lookahead_reset();
    run_equals_sweep();
    rho_matches_eig();
    agreement_and_determinism();
    resume();
    critical();
    other_axes();
    return check_report("test_sweep");
}
