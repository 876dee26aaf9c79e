/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Continuation (gd_sim_continue, docs/bifurcations.md) against closed forms: the validation
 * cases V1 (fold; a neutral saddle not reported as Hopf), V2 (transcritical branch point,
 * switching, landing exactly on it), V3 (Hopf, l1 = -2), V6 (the logistic map: BP, PD with
 * c = 9, the period-2 branch's PD at 1 + sqrt 6, the period-4 branch's, the period-3 fold), V8 (the delayed logistic map: NS, c1 = 1 - sqrt 3 i),
 * V11 (a map's fold; an NS map's coefficient and resonance flags) on small games registered here, and the
 * Dirac-GAN cases D1 (simgd with a gradient penalty: a supercritical NS at h = 1.2), D5
 * (NS-GAN altgd: neutral, d = -h/8 for n_d = 1, -5h/24 for n_d = 5), D6 (altgd n_d = 5: neutral, PD/R2 at 4/sqrt 5 and the
 * symmetric period-2 branch of its table), D9 and D10 (the flows through gamma = 0).
 */
#include "check.h"
#include "gandyn.h"
#include "gandyn/game.h"

#include <complex.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- games -------- */
/* Each game has one key, mu (the logistic map: r), in an option struct of one double. */
static const gd_param mu_param[] = {{"mu", GD_P_DOUBLE, 0, "0", "the parameter", -INFINITY, INFINITY, 0, NULL}, {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};

/* V1: x' = mu - x^2, y' = -y. */
static int fold_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = *(const double *)opts - x[0] * x[0], v[1] = -x[1];
    return 0;
}
static int fold_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)opts, (void)user;
    J[0] = -2 * x[0], J[1] = 0, J[2] = 0, J[3] = -1;
    return 0;
}

/* V2: x' = mu x - x^2. */
static int trans_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = *(const double *)opts * x[0] - x[0] * x[0];
    return 0;
}

static int trans_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)user;
    J[0] = *(const double *)opts - 2 * x[0];
    return 0;
}

/* V3: z' = (mu + i) z + c |z|^2 z, c = -1 + 0.5 i. */
static int hopf_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    double mu = *(const double *)opts, r2 = x[0] * x[0] + x[1] * x[1], cr = -1, ci = 0.5;
    v[0] = mu * x[0] - x[1] + r2 * (cr * x[0] - ci * x[1]);
    v[1] = x[0] + mu * x[1] + r2 * (ci * x[0] + cr * x[1]);
    return 0;
}

static int hopf_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)user;
    double mu = *(const double *)opts, a = x[0], b = x[1], r2 = a * a + b * b, cr = -1, ci = 0.5;
    J[0] = mu + r2 * cr + 2 * a * (cr * a - ci * b), J[1] = -1 - r2 * ci + 2 * b * (cr * a - ci * b);
    J[2] = 1 + r2 * ci + 2 * a * (ci * a + cr * b), J[3] = mu + r2 * cr + 2 * b * (ci * a + cr * b);
    return 0;
}

/* V6: the logistic map r x (1 - x) as the game whose field is Phi(x) - x, so that simgd at
 * h = 1 iterates Phi itself. */
static int logistic_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = *(const double *)opts * x[0] * (1 - x[0]) - x[0];
    return 0;
}

static int logistic_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)user;
    J[0] = *(const double *)opts * (1 - 2 * x[0]) - 1;
    return 0;
}

/* V8: the delayed logistic map (x, y) -> (a x (1 - y), x), again as the field Phi(x) - x. */
static int delayed_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = *(const double *)opts * x[0] * (1 - x[1]) - x[0], v[1] = x[0] - x[1];
    return 0;
}
static int delayed_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)user;
    double a = *(const double *)opts;
    J[0] = a * (1 - x[1]) - 1, J[1] = -a * x[0], J[2] = 1, J[3] = -1;
    return 0;
}

/* V11: the fold map x -> x + mu - x^2 and the NS map z -> e^(i theta) (1 + mu) z (1 + d |z|^2),
 * d = -1 + 0.3 i, as fields Phi(x) - x. */
static int foldmap_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    v[0] = *(const double *)opts - x[0] * x[0];
    return 0;
}
static const gd_param nsmap_params[] = {{"mu", GD_P_DOUBLE, 0, "0", "the parameter", -INFINITY, INFINITY, 0, NULL},
                                        {"theta", GD_P_DOUBLE, sizeof(double), "0.7", "the rotation", 0, 4, 0, NULL},
                                        {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
static int nsmap_field(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    const double *o = opts;
    double complex z = x[0] + I * x[1], w = cexp(I * o[1]) * (1 + o[0]) * z * (1 + (-1 + 0.3 * I) * (x[0] * x[0] + x[1] * x[1]));
    v[0] = creal(w) - x[0], v[1] = cimag(w) - x[1];
    return 0;
}

static void register_game(const char *name, int dim, gd_game_field_fn f, gd_game_jacobian_fn j)
{
    gd_game g = {.abi_version = GD_ABI_VERSION, .name = name, .summary = "continuation test", .dim = dim, .ngen = 1, .params = mu_param,
                 .opts_size = sizeof(double), .field = f, .jacobian = j};
    char msg[GD_ERRMSG_LEN];
    CHECK_OK(gd_model_register(&g, msg));
}

/* ---------------------------------------------------------------- helpers ------ */
static int cont(const char *const *kv, const char *key, double lo, double hi, gd_continue_result *r)
{
    gd_sim *s = make_sim(kv);
    int rc = gd_sim_continue(s, key, lo, hi, r);
    if (rc != GD_OK) fprintf(stderr, "continue %s: %s\n", key, gd_sim_errmsg(s));
    gd_sim_free(&s);
    return rc;
}

/* The k-th special point of a type on branch b (b < 0: any), or NULL. */
static const gd_special_point *find(const gd_continue_result *r, int type, int b, int k)
{
    for (int i = 0; i < r->nspecial; i++)
        if (r->special[i].type == type && (b < 0 || r->special[i].branch == b) && k-- == 0) return &r->special[i];
    return NULL;
}

static int count(const gd_continue_result *r, int type)
{
    int c = 0;
    for (int i = 0; i < r->nspecial; i++) c += r->special[i].type == type;
    return c;
}

/* The result's special point of this type on branch 0, checked to be the only one of its
 * type (all: the only special point at all); NULL, and a failed check, when it is not. */
static const gd_special_point *sole(const gd_continue_result *r, int type, int all)
{
    const gd_special_point *p = find(r, type, 0, 0);
    CHECK(p != NULL && (all ? r->nspecial : count(r, type)) == 1);
    return p;
}

/* ---------------------------------------------------------------- V cases ------ */
static void v1_fold(void)
{
    const char *kv[] = {"model.name", "cfold", "model.mu", "1", "integrator.name", "cvode", "run.x0", "1,0", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", -1, 1, &r));
    const gd_special_point *lp = sole(&r, GD_PT_LP, 0);
    if (lp) {
        CHECK_NEAR(lp->p, 0, 1e-10);
        CHECK_NEAR(lp->x[0], 0, 1e-8); /* x = sqrt(mu): 1e-10 in p is 1e-5 in x at worst; the corrector does better */
        CHECK_NEAR(lp->coeff, -1, 1e-6);
    }
    /* the neutral saddle at (x, mu) = (-1/2, 1/4), where tr J = 0 with lambda = +-1, is no Hopf point */
    CHECK(count(&r, GD_PT_H) == 0 && r.nbranches == 1);
    const gd_branch *b = &r.branches[0];
    int wrong = 0, lower = 0;
    for (int i = 0; i < b->n; i++) {
        if (fabs(b->x[2 * i]) < 1e-6) continue;
        wrong += b->stability[i] != (b->x[2 * i] < 0); /* the branch x < 0 is unstable (lambda = -2x) */
        lower += b->x[2 * i] < 0;
    }
    CHECK(wrong == 0 && lower > 3);
    CHECK(strcmp(b->stop[0], "bound") == 0 && strcmp(b->stop[1], "bound") == 0);
    gd_continue_result_free(&r);
}

static void v2_transcritical(void)
{
    const char *kv[] = {"model.name", "ctrans", "model.mu", "-0.503", "integrator.name", "cvode", "run.x0", "0", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", -0.503, 0.5, &r));
    const gd_special_point *bp = find(&r, GD_PT_BP, 0, 0);
    CHECK(bp != NULL && count(&r, GD_PT_BP) >= 1);
    if (bp) {
        CHECK_NEAR(bp->p, 0, 1e-10);
        CHECK(bp->child == 1);
    }
    /* the branch switched onto is x = mu */
    CHECK(r.nbranches == 2);
    if (r.nbranches == 2) {
        const gd_branch *b = &r.branches[1];
        double worst = 0;
        for (int i = 0; i < b->n; i++) worst = fmax(worst, fabs(b->x[i] - b->p[i]));
        CHECK(b->n > 10 && worst < 1e-9 && b->parent == 0);
    }
    gd_continue_result_free(&r);
    /* from -0.5 in steps of exactly 0.05 a point lands on the BP (tau ~ 1e-17): it is the special point */
    const char *kv2[] = {"model.name", "ctrans", "model.mu", "-0.5", "integrator.name", "cvode", "run.x0", "0", "continuation.ds", "0.05",
                         "continuation.ds_max", "0.05", "continuation.branches", "1", NULL};
    CHECK_OK(cont(kv2, "model.mu", -0.5, 0.5, &r));
    bp = find(&r, GD_PT_BP, 0, 0);
    CHECK(bp != NULL && count(&r, GD_PT_BP) == 1);
    if (bp) CHECK_NEAR(bp->p, 0, 1e-10);
    gd_continue_result_free(&r);
}

static void v3_hopf(void)
{
    const char *kv[] = {"model.name", "chopf", "model.mu", "-0.5", "integrator.name", "cvode", "run.x0", "0,0", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", -0.5, 0.5, &r));
    const gd_special_point *h = sole(&r, GD_PT_H, 0);
    if (h) {
        CHECK_NEAR(h->p, 0, 1e-10);
        CHECK_NEAR(h->omega, 1, 1e-8);
        CHECK_NEAR(h->coeff, -2, 2e-6); /* l1 = Re c1 / omega with <q, q> = 1: 2 Re c; differences of F */
        CHECK(strcmp(h->criticality, "super") == 0);
    }
    gd_continue_result_free(&r);
}

static void v6_logistic(void)
{
    const char *kv[] = {"model.name", "clogistic", "model.mu", "0.5", "integrator.name", "simgd", "integrator.h", "1", "run.x0", "0", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", 0.5, 3.56, &r));
    const gd_special_point *bp = find(&r, GD_PT_BP, 0, 0);
    CHECK(bp != NULL);
    if (bp) {
        CHECK_NEAR(bp->p, 1, 1e-10);
        CHECK_NEAR(bp->x[0], 0, 1e-10);
    }
    /* the nontrivial branch x = 1 - 1/r: PD at r = 3, x = 2/3, c = 9 */
    const gd_special_point *pd = bp && bp->child > 0 ? find(&r, GD_PT_PD, bp->child, 0) : NULL;
    CHECK(pd != NULL);
    if (pd) {
        CHECK_NEAR(pd->p, 3, 1e-10);
        CHECK_NEAR(pd->x[0], 2.0 / 3, 1e-10);
        CHECK_NEAR(pd->coeff, 9, 1e-5);
        CHECK(strcmp(pd->criticality, "super") == 0 && pd->child > 0);
    }
    /* the period-2 branch: amplitude sqrt((r+1)(r-3))/(2r) about x*, and its own PD at 1 + sqrt 6 */
    const gd_special_point *pd2 = pd && pd->child > 0 ? find(&r, GD_PT_PD, pd->child, 0) : NULL;
    CHECK(pd2 != NULL);
    if (pd2) {
        const gd_branch *b = &r.branches[pd->child];
        CHECK(b->period == 2);
        double worst = 0;
        for (int i = 1; i < b->n; i++) { /* after the PD point itself, where the amplitude is sqrt(4 (r - 3))/6 */
            double rr = b->p[i], amp = sqrt((rr + 1) * (rr - 3)) / (2 * rr), mid = (rr + 1) / (2 * rr);
            worst = fmax(worst, fabs(fabs(b->x[i] - mid) - amp));
        }
        CHECK(worst < 1e-9);
        CHECK_NEAR(pd2->p, 1 + sqrt(6), 1e-10);
        double x = pd2->x[0], other = (1 + sqrt(6)) * x * (1 - x); /* either point of the orbit */
        CHECK(fabs(x - 0.849937780) < 1e-9 || fabs(other - 0.849937780) < 1e-9);
    }
    /* the period-4 branch's PD */
    const gd_special_point *pd4 = pd2 && pd2->child > 0 ? find(&r, GD_PT_PD, pd2->child, 0) : NULL;
    CHECK(pd4 != NULL && r.branches[pd2 ? pd2->child : 0].period == 4);
    if (pd4) CHECK_NEAR(pd4->p, 3.544090360, 1e-9);
    gd_continue_result_free(&r);
    /* period 3 from a point of the stable 3-cycle at r = 3.83: its fold at 1 + sqrt 8 */
    const char *kv3[] = {"model.name", "clogistic", "model.mu", "3.83", "integrator.name", "simgd", "integrator.h", "1", "run.x0", "0.1561493",
                         "continuation.period", "3", "continuation.branches", "1", NULL};
    CHECK_OK(cont(kv3, "model.mu", 3.8, 3.9, &r));
    const gd_special_point *lp = find(&r, GD_PT_LP, 0, 0);
    CHECK(lp != NULL && r.branches[0].period == 3);
    if (lp) CHECK_NEAR(lp->p, 1 + sqrt(8), 1e-9);
    gd_continue_result_free(&r);
}

static void v8_delayed_logistic(void)
{
    const char *kv[] = {"model.name", "cdelayed", "model.mu", "1.5", "integrator.name", "simgd", "integrator.h", "1", "run.x0", "0.3,0.3", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", 1.5, 2.5, &r));
    const gd_special_point *ns = sole(&r, GD_PT_NS, 1);
    if (ns) {
        CHECK_NEAR(ns->p, 2, 1e-10);
        CHECK_NEAR(ns->x[0], 0.5, 1e-10);
        CHECK_NEAR(ns->x[1], 0.5, 1e-10);
        CHECK_NEAR(ns->theta, M_PI / 3, 1e-9);
        CHECK_NEAR(ns->c1_re, 1, 1e-6);
        CHECK_NEAR(ns->c1_im, -sqrt(3), 1e-6);
        CHECK_NEAR(ns->coeff, -1, 1e-6);
        CHECK(strcmp(ns->criticality, "super") == 0 && strcmp(ns->resonance, "none") == 0);
    }
    gd_continue_result_free(&r);
}

static void v11_maps(void)
{
    const char *kv[] = {"model.name", "cfoldmap", "model.mu", "1", "integrator.name", "simgd", "integrator.h", "1", "run.x0", "1", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.mu", -1, 1, &r));
    const gd_special_point *lp = sole(&r, GD_PT_LP, 0);
    if (lp) {
        CHECK_NEAR(lp->p, 0, 1e-10);
        CHECK_NEAR(lp->coeff, -1, 1e-6);
    }
    gd_continue_result_free(&r);
    /* the NS map's coefficient 2 Re d = -2 (d = Re(e^(-i theta) c1) with <q, q> = 1), and its resonance flags */
    const char *theta[] = {"0.7", "2.0943951023931957", "1.5707963267948966"}, *flag[] = {"none", "R3", "R4"}, *crit[] = {"super", "resonant", "resonant"};
    for (int k = 0; k < 3; k++) {
        const char *kv2[] = {"model.name", "cnsmap", "model.mu", "-0.5", "model.theta", theta[k], "integrator.name", "simgd", "integrator.h", "1",
                             "run.x0", "0,0", NULL};
        CHECK_OK(cont(kv2, "model.mu", -0.5, 0.5, &r));
        const gd_special_point *ns = sole(&r, GD_PT_NS, 1);
        if (ns) {
            CHECK_NEAR(ns->p, 0, 1e-9); /* the game's Jacobian is central differences here */
            CHECK_NEAR(ns->theta, atof(theta[k]), 1e-8);
            CHECK_NEAR(ns->coeff, -2, 1e-5);
            CHECK(strcmp(ns->resonance, flag[k]) == 0 && strcmp(ns->criticality, crit[k]) == 0);
        }
        gd_continue_result_free(&r);
    }
}

/* ---------------------------------------------------------------- Dirac-GAN ---- */
static void d1_ns(void)
{
    const char *kv[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "0.3", "integrator.name", "simgd", "integrator.h", "0.5", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "integrator.h", 0.5, 1.5, &r));
    const gd_special_point *ns = sole(&r, GD_PT_NS, 1);
    if (ns) {
        const gd_branch *b = &r.branches[0];
        CHECK_NEAR(ns->p, 1.2, 1e-10); /* gamma / f'(0)^2 */
        CHECK_NEAR(ns->theta, 0.6093853, 1e-7);
        CHECK_NEAR(ns->coeff, -0.081, 1e-6); /* -3 gamma^3 */
        CHECK(strcmp(ns->criticality, "super") == 0 && strcmp(ns->resonance, "none") == 0);
        /* the map 1 + h J at the origin, J = [[0, -1/2], [1/2, -gamma]]: mu = 0.82 +- 0.5723635 i */
        const double *re = b->eig_re + 2 * ns->index, *im = b->eig_im + 2 * ns->index;
        CHECK_NEAR(re[0], 0.82, 1e-9);
        CHECK_NEAR(fabs(im[0]), 0.5723635, 1e-7);
        /* stable below 1.2, unstable above */
        int wrong = 0;
        for (int i = 0; i < b->n; i++)
            if (fabs(b->p[i] - 1.2) > 1e-6) wrong += b->stability[i] != (b->p[i] > 1.2 ? 2 : 0);
        CHECK(wrong == 0);
    }
    gd_continue_result_free(&r);
    /* the timing of the issue: a 2-D branch of 200 points with its special point (measured, not asserted) */
    const char *kv2[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "0.3", "integrator.name", "simgd", "integrator.h", "0.5",
                         "continuation.ds", "0.005", "continuation.ds_max", "0.005", NULL};
    gd_sim *s = make_sim(kv2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_OK(gd_sim_continue(s, "integrator.h", 0.5, 1.5, &r));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("D1 branch of %d points with its NS point: %.3f s\n", r.branches[0].n, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    CHECK(r.branches[0].n >= 200 && count(&r, GD_PT_NS) == 1);
    /* the file holds the branch: its parameter values, the same numbers */
    const char *path = "test_continue_d1.h5";
    CHECK_OK(gd_sim_write_continue(s, path, &r));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = f >= 0 ? H5Dopen2(f, "/branch/0/p", H5P_DEFAULT) : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    double *p = calloc((size_t)r.branches[0].n, sizeof(double));
    CHECK(sp >= 0 && H5Sget_simple_extent_npoints(sp) == r.branches[0].n && p);
    if (sp >= 0 && p && H5Sget_simple_extent_npoints(sp) == r.branches[0].n) {
        CHECK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, p) >= 0);
        CHECK(memcmp(p, r.branches[0].p, sizeof(double) * (size_t)r.branches[0].n) == 0);
    }
    free(p);
    if (sp >= 0) H5Sclose(sp);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    remove(path);
    gd_continue_result_free(&r);
    gd_sim_free(&s);
}

static void d5_neutral(void)
{
    const char *kv[] = {"model.name", "dirac", "model.loss", "nsgan", "integrator.name", "altgd", "integrator.n_d", "1", "integrator.h", "0.2", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "integrator.h", 0.2, 1, &r));
    const gd_special_point *nt = sole(&r, GD_PT_NEUTRAL, 1); /* det D Phi = 1: neutral, and no NS point */
    if (nt) {
        CHECK(strcmp(nt->test, "NS") == 0);
        CHECK_NEAR(nt->p, 0.2, 1e-12);
        CHECK_NEAR(nt->p_end, 1, 1e-12);
        CHECK_NEAR(nt->coeff, -0.2 / 8, 1e-7); /* d(h) = -h/8 at its first point */
    }
    gd_continue_result_free(&r);
    /* n_d = 5: d(h) = -5h/24 */
    const char *kv5[] = {"model.name", "dirac", "model.loss", "nsgan", "integrator.name", "altgd", "integrator.n_d", "5", "integrator.h", "0.6", NULL};
    CHECK_OK(cont(kv5, "integrator.h", 0.6, 1, &r));
    nt = find(&r, GD_PT_NEUTRAL, 0, 0);
    CHECK(nt != NULL && r.nspecial == 1);
    if (nt) CHECK_REL(nt->coeff, -5 * 0.6 / 24, 1e-6);
    gd_continue_result_free(&r);
}

static void d6_r2(double dh, const double *x_want, double mu_want)
{
    double hc = 4 / sqrt(5);
    const char *kv[] = {"model.name", "dirac", "integrator.name", "altgd", "integrator.n_d", "5", "integrator.h", "1", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "integrator.h", 0.05, hc + dh, &r));
    const gd_special_point *pd = find(&r, GD_PT_PD, 0, 0), *nt = find(&r, GD_PT_NEUTRAL, 0, 0);
    CHECK(pd != NULL && nt != NULL && count(&r, GD_PT_NS) == 0 && count(&r, GD_PT_NEUTRAL) == 1);
    if (nt) CHECK(strcmp(nt->test, "NS") == 0 && nt->p <= 0.05 && nt->p_end >= 1.787 && fabs(nt->coeff) < 1e-9);
    if (!pd) return;
    CHECK_NEAR(pd->p, hc, 1e-10);
    CHECK(strcmp(pd->resonance, "R2") == 0 && strcmp(pd->criticality, "resonant") == 0);
    CHECK(pd->child == 1 && r.nbranches == 2);
    if (r.nbranches < 2) return;
    /* the symmetric period-2 branch Phi(x) = -x ends on the bound, at the table's point */
    const gd_branch *b = &r.branches[1];
    int last = b->n - 1;
    CHECK(strcmp(b->kind, "symmetric") == 0 && b->period == 2);
    CHECK_NEAR(b->p[last], hc + dh, 1e-12);
    double sign = b->x[2 * last] < 0 ? -1 : 1;
    CHECK_NEAR(sign * b->x[2 * last], x_want[0], 1e-8);
    CHECK_NEAR(sign * b->x[2 * last + 1], x_want[1], 1e-8);
    CHECK_NEAR(hypot(b->eig_re[2 * last], b->eig_im[2 * last]), mu_want, 1e-6);
    CHECK(b->stability[last] == 0);
    gd_continue_result_free(&r);
}

static void d9_d10_flows(void)
{
    const char *kv[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "-0.503", "model.allow_negative", "1", "integrator.name", "cvode", NULL};
    gd_continue_result r;
    CHECK_OK(cont(kv, "model.gamma", -0.503, 0.5, &r));
    const gd_special_point *h = sole(&r, GD_PT_H, 1);
    if (h) {
        CHECK_NEAR(h->p, 0, 1e-10);
        CHECK_NEAR(h->omega, 0.5, 1e-10);
        CHECK(fabs(h->coeff) < 1e-6 && strcmp(h->criticality, "degenerate") == 0); /* the flow conserves theta^2 + psi^2 at 0 */
    }
    gd_continue_result_free(&r);
    const char *kv2[] = {"model.name", "dirac", "model.loss", "nsgan", "model.reg", "gp", "model.gamma", "-0.503", "model.allow_negative", "1",
                         "integrator.name", "cvode", NULL};
    CHECK_OK(cont(kv2, "model.gamma", -0.503, 0.5, &r));
    h = find(&r, GD_PT_H, 0, 0);
    CHECK(h != NULL);
    if (h) {
        CHECK_NEAR(h->p, 0, 1e-10);
        CHECK_NEAR(h->c1_re, -0.125, 1e-8);
        CHECK_NEAR(h->coeff, -0.25, 1e-8);
        CHECK(strcmp(h->criticality, "super") == 0);
    }
    gd_continue_result_free(&r);
    /* without allow_negative a negative gamma is refused, with the key named */
    const char *kv3[] = {"model.name", "dirac", "model.reg", "gp", "model.gamma", "-0.1", NULL};
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv3[i]; i += 2) gd_sim_set(s, kv3[i], kv3[i + 1]);
    CHECK(gd_sim_setup(s) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "model.allow_negative"));
    gd_sim_free(&s);
}

/* ---------------------------------------------------------------- bad input ---- */
/* Tests that change sign through a pole in p, not through zero: the map x -> x / mu (its
 * multiplier 1/mu jumps from -inf to +inf at mu = 0: the PD test prod(mu_i + 1) and the BP test
 * det [G_y; v^T] = 1/mu - 1 change sign) and the flow x' = A x with eigenvalues (1 +- i)/mu (the
 * Hopf test 2/mu changes sign). The re-checks after localization (a multiplier -1, G_x singular,
 * +-i omega) reject all three: no special point. */
static int pole_map(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    double mu = *(const double *)opts;
    v[0] = x[0] / mu - x[0];
    return mu == 0 ? -1 : 0;
}
static int pole_map_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)x, (void)user;
    double mu = *(const double *)opts;
    J[0] = 1 / mu - 1;
    return mu == 0 ? -1 : 0;
}
static int pole_flow(int dim, const double *x, double *v, const void *opts, void *user)
{
    (void)dim, (void)user;
    double mu = *(const double *)opts;
    v[0] = (x[0] - x[1]) / mu, v[1] = (x[0] + x[1]) / mu;
    return mu == 0 ? -1 : 0;
}
static int pole_flow_jac(int dim, const double *x, double *J, const void *opts, void *user)
{
    (void)dim, (void)x, (void)user;
    double mu = *(const double *)opts;
    J[0] = 1 / mu, J[1] = -1 / mu, J[2] = 1 / mu, J[3] = 1 / mu;
    return mu == 0 ? -1 : 0;
}

static void rechecks(void)
{
    const char *km[] = {"model.name", "cpolemap", "model.mu", "-0.4937", "integrator.name", "simgd", "integrator.h", "1", "run.x0", "0", NULL};
    const char *kf[] = {"model.name", "cpoleflow", "model.mu", "-0.4937", "integrator.name", "cvode", "run.x0", "0,0", NULL};
    for (int c = 0; c < 2; c++) {
        gd_continue_result r;
        CHECK_OK(cont(c ? kf : km, "model.mu", -0.5, 0.5, &r));
        const gd_branch *b = r.nbranches ? &r.branches[0] : NULL;
        CHECK(b && b->p[0] == -0.5 && b->p[b->n - 1] == 0.5); /* across the pole */
        if (r.nspecial) fprintf(stderr, "pole %s: %s at %g reported\n", c ? "flow" : "map", gd_point_type_name(r.special[0].type), r.special[0].p);
        CHECK(r.nspecial == 0);
        gd_continue_result_free(&r);
    }
}

static void refusals(void)
{
    const char *kv[] = {"model.name", "dirac", "model.reg", "gp", "integrator.name", "simgd", "integrator.h", "0.5", NULL};
    gd_sim *s = make_sim(kv);
    gd_continue_result r;
    CHECK(gd_sim_continue(s, "integrator.h", 0.6, 1, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "outside") && r.branches == NULL);
    CHECK(gd_sim_continue(s, "model.loss", 0, 1, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "real"));
    CHECK(gd_sim_continue(s, "model.nosuch", 0, 1, &r) == GD_EUSAGE && strstr(gd_sim_errmsg(s), "nosuch"));
    CHECK(gd_sim_continue(s, "run.x0", 0, 1, &r) == GD_EUSAGE);
    CHECK(gd_sim_continue(s, "integrator.h", 1, 0.5, &r) == GD_EUSAGE);
    CHECK(gd_sim_continue(s, NULL, 0, 1, &r) == GD_EUSAGE);
    gd_continue_result_free(&r);
    gd_sim_free(&s);
}

int main(void)
{
    register_game("cfold", 2, fold_field, fold_jac);
    register_game("ctrans", 1, trans_field, trans_jac);
    register_game("chopf", 2, hopf_field, hopf_jac);
    register_game("clogistic", 1, logistic_field, logistic_jac);
    register_game("cdelayed", 2, delayed_field, delayed_jac);
    register_game("cfoldmap", 1, foldmap_field, NULL);
    register_game("cpolemap", 1, pole_map, pole_map_jac);
    register_game("cpoleflow", 2, pole_flow, pole_flow_jac);
    gd_game g = {.abi_version = GD_ABI_VERSION, .name = "cnsmap", .summary = "continuation test", .dim = 2, .ngen = 1, .params = nsmap_params,
                 .opts_size = 2 * sizeof(double), .field = nsmap_field};
    char msg[GD_ERRMSG_LEN];
    CHECK_OK(gd_model_register(&g, msg));
    v1_fold();
    v2_transcritical();
    v3_hopf();
    v6_logistic();
    v8_delayed_logistic();
    v11_maps();
    d1_ns();
    d5_neutral();
    const double x01[2] = {0.11039420, 0.24889589}, x05[2] = {0.23562634, 0.54786340};
    d6_r2(0.01, x01, 0.99999673);
    d6_r2(0.05, x05, 0.99967877);
    d9_d10_flows();
    rechecks();
    refusals();
    return check_report("test_continue");
}
