/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Gradient noise ([noise], docs/optimizers.md "Gradient noise"): every field evaluation
 * inside a base step of a lane rule returns F(x) + sigma xi. xi comes from Philox4x32-10
 * (src/philox.h) keyed by the seed at the counter (j, stage + 256 start, iteration, cell),
 * so a trajectory's noise depends on those numbers alone, never on which thread, rank or
 * block of cells computes it. The noise is added where the lane evaluates its field
 * (gd_lane_field), once for every rule.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "philox.h"
#include "sim_impl.h"

#include <cblas.h>

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const bools[] = {"false", "true", NULL};
#define N(f) offsetof(gd_noise_opts, f)
static const gd_param noise_params[] = {
    {"sigma", GD_P_DOUBLE, N(sigma), "0", "gradient noise: every field evaluation of a fixed-step rule returns F(x) + sigma xi, xi ~ N(0, I) (0: none)", 0,
     INFINITY, 0, NULL},
    {"seed", GD_P_STRING, N(seed), "0", "gradient noise: the generator's key, an integer in [0, 2^64)", 0, 0, 0, NULL},
    {"reuse", GD_P_ENUM, N(reuse), "false", "gradient noise: true draws once per base step and every evaluation of the step reuses it", 0, 0, 0, bools},
    {"replicas", GD_P_INT, N(replicas), "1000", "rate with noise: trajectories whose mean is followed", 1, 1e7, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef N
const gd_section gd_section_noise = {"noise", noise_params, sizeof(gd_noise_opts), offsetof(gd_sim, noise)};

int gd_noise_resolve(const gd_noise_opts *o, gd_noise *out, char *msg)
{
    const char *t = o->seed;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t, &end, 10);
    if (t[0] < '0' || t[0] > '9' || *end || errno == ERANGE)
        return gd_fmt(msg, GD_EUSAGE, "noise.seed = '%s' is not an integer in [0, 2^64)", t);
    *out = (gd_noise){o->sigma, (uint64_t)v, o->reuse};
    return GD_OK;
}

/* sigma xi of one state (cell, start) at the lane's counter into v (stride n). */
static void add_draws(const gd_lane *L, double *v, size_t n, uint32_t stage, long cell, long start)
{
    const gd_noise *o = L->noise.o;
    const uint32_t key[2] = {(uint32_t)o->seed, (uint32_t)(o->seed >> 32)};
    uint32_t ctr[4] = {0, stage + 256u * (uint32_t)start, (uint32_t)L->noise.step, (uint32_t)cell}, w[4];
    double z[2];
    for (int j = 0; 2 * j < L->dim; j++) {
        ctr[0] = (uint32_t)j;
        gd_philox4x32_10(ctr, key, w);
        gd_philox_normal_pair(w, z);
        v[(size_t)(2 * j) * n] += o->sigma * z[0];
        if (2 * j + 1 < L->dim) v[(size_t)(2 * j + 1) * n] += o->sigma * z[1];
    }
}

int gd_lane_noise_add(gd_lane *L, double *v)
{
    gd_lane_noise *z = &L->noise;
    const int stage = z->o && z->o->reuse ? 0 : z->stage;
    if (stage > 255) return GD_EUSAGE; /* the counter's stage field; the stepper names it */
    if (z->fixed) {
        for (int k = 0; stage < z->nfixed && k < L->dim; k++) v[k] += z->fixed[(size_t)stage * (size_t)L->dim + (size_t)k];
    } else if (L->n > 1) {
        gd_noise_rows(L, v, (uint32_t)stage);
    } else {
        for (int i = 0; i < L->n; i++)
            add_draws(L, v + i, (size_t)L->n, (uint32_t)stage, z->cells ? z->cells[i] : z->cell, z->starts ? z->starts[i] : z->start);
    }
    z->stage++;
    return GD_OK;
}

int gd_stepper_set_noise(gd_stepper *s, const gd_noise *n)
{
    s->noise = *n;
    if (!(n->sigma > 0)) return GD_OK;
    if (!s->type->fixed_step)
        return gd_stepper_fail(s, GD_EUSAGE, "noise.sigma > 0 with integrator '%s': gradient noise needs a fixed-step rule", s->type->name);
    if (!s->type->advance)
        return gd_stepper_fail(s, GD_EUSAGE, "noise.sigma > 0 with integrator '%s': only the explicit lane rules take gradient noise", s->type->name);
    return GD_OK;
}

/* The counter layout above is layout 1: a change of it gets a new number. */
int gd_sim_noise_attrs(const gd_sim *s, gd_h5 *f)
{
    const gd_noise *n = &s->stepper->noise;
    if (!(n->sigma > 0)) return GD_OK;
    int rc = gd_h5_attr_string(f, "/", "noise_rng", "philox4x32-10");
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/", "noise_layout", 1);
    return rc == GD_OK ? gd_h5_attr_uint64(f, "/", "noise_seed", n->seed) : rc;
}

void gd_stepper_noise_index(gd_stepper *s, long cell, long start)
{
    s->lane.noise.cell = s->noise_cell = cell; /* the stepper's copy outlives a new setup */
    s->lane.noise.start = s->noise_start = start;
}

/* ---------------------------------------------------------------- linear theory */
/* One step of s from x (history as a reset leaves it) with the given draws added to its
 * evaluations (nfixed stages of dim each) into z = (x+, history+). */
static int step_with_draws(gd_stepper *s, const double *x, const double *draws, int nfixed, double *z)
{
    const int n = s->dim;
    double t = 0;
    memcpy(z, x, sizeof(double) * (size_t)n);
    int rc = gd_stepper_reset(s, z);
    s->lane.noise.fixed = draws, s->lane.noise.nfixed = nfixed;
    if (rc == GD_OK) rc = gd_stepper_step(s, z, &t);
    s->lane.noise.fixed = NULL, s->lane.noise.nfixed = 0;
    if (s->type->history) memcpy(z + n, s->lane.hist, sizeof(double) * (size_t)s->type->history * (size_t)n);
    return rc < 0 ? rc : GD_OK;
}

/* The draws one step takes from x: its evaluations, or 1 with reuse. */
static int count_draws(gd_stepper *s, const double *x, double *z, int *draws)
{
    static const double none = 0;
    int rc = step_with_draws(s, x, &none, 0, z);
    *draws = s->noise.reuse ? 1 : s->lane.noise.stage;
    return rc;
}

/* G = dPhi/dxi (nm x draws dim, row-major) by central differences of the implemented step in
 * each injected draw: sigma (Phi(+d e) - Phi(-d e)) / 2d. A step that is affine in its draws
 * at fixed x (every rule on a linear game) gives G exactly, up to rounding. */
#define GD_NOISE_DELTA 1e-5
static int input_matrix(gd_stepper *s, const double *x, int draws, double *G, double *D, double *zp, double *zm)
{
    const int n = s->dim, nm = gd_stepper_map_dim(s), nc = draws * n;
    int rc = GD_OK;
    memset(D, 0, sizeof(double) * (size_t)nc);
    for (int c = 0; c < nc && rc == GD_OK; c++) {
        D[c] = GD_NOISE_DELTA;
        rc = step_with_draws(s, x, D, draws, zp);
        D[c] = -GD_NOISE_DELTA;
        if (rc == GD_OK) rc = step_with_draws(s, x, D, draws, zm);
        D[c] = 0;
        for (int i = 0; i < nm; i++) G[(size_t)i * (size_t)nc + (size_t)c] = s->noise.sigma * (zp[i] - zm[i]) / (2 * GD_NOISE_DELTA);
    }
    return rc;
}

/* C = alpha A op(B) + beta C, n x n (op: B or its transpose). */
static void gemm(int n, const double *A, const double *B, int transB, double beta, double *C)
{
    int pin = gd_blas_serial_begin(n);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, n, n, n, 1.0, A, n, B, n, beta, C, n);
    gd_blas_serial_end(pin);
}

/* Sigma = sum_k M^k Q M^kT by doubling: S <- S + A S A^T, A <- A^2 (Smith's iteration; each
 * round doubles the terms summed). GD_ENOTAVAIL when the sum does not settle (rho >= 1). */
static int smith(int n, const double *M, double *S, double *A, double *T, double *U)
{
    size_t nn = (size_t)n * (size_t)n;
    memcpy(A, M, sizeof(double) * nn);
    for (int it = 0; it < 200; it++) {
        gemm(n, A, S, 0, 0.0, T);
        gemm(n, T, A, 1, 0.0, U); /* A S A^T */
        for (size_t e = 0; e < nn; e++) S[e] += U[e];
        if (!(gd_max_abs(nn, S) < INFINITY)) return GD_ENOTAVAIL;
        if (gd_max_abs(nn, U) <= 1e-17 * gd_max_abs(nn, S)) return GD_OK;
        gemm(n, A, A, 0, 0.0, T);
        memcpy(A, T, sizeof(double) * nn);
    }
    return GD_ENOTAVAIL;
}

int gd_noise_covariance(gd_stepper *s, const double *x, const double *M, double *Sigma, int *draws)
{
    const int n = s->dim, nm = gd_stepper_map_dim(s);
    const size_t nn = (size_t)nm * (size_t)nm;
    int nd = 0, rc = gd_check_dense(s->msg, nm, 4, "the stationary covariance");
    if (rc != GD_OK) return rc;
    double *z = malloc(sizeof(double) * (3 * (size_t)nm + 3 * nn)), *zm = z ? z + nm : NULL, *zp = z ? zm + nm : NULL;
    double *A = z ? zp + nm : NULL, *T = z ? A + nn : NULL, *U = z ? T + nn : NULL, *G = NULL, *D = NULL;
    if (!z) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    rc = count_draws(s, x, z, &nd);
    if (rc == GD_OK && (nd < 1 || !(G = malloc(sizeof(double) * ((size_t)nm + 1) * (size_t)nd * (size_t)n))))
        rc = gd_stepper_fail(s, nd < 1 ? GD_ENOTAVAIL : GD_ENOMEM, nd < 1 ? "noise: the rule draws no noise" : "out of memory");
    if (rc == GD_OK) {
        const int nc = nd * n;
        D = G + (size_t)nm * (size_t)nc;
        rc = input_matrix(s, x, nd, G, D, zp, zm);
        for (int i = 0; rc == GD_OK && i < nm; i++) /* Q = G G^T */
            for (int j = 0; j < nm; j++) {
                double q = 0;
                for (int c = 0; c < nc; c++) q += G[(size_t)i * nc + c] * G[(size_t)j * nc + c];
                Sigma[(size_t)i * nm + j] = q;
            }
    }
    if (rc == GD_OK && (rc = smith(nm, M, Sigma, A, T, U)) != GD_OK)
        gd_stepper_fail(s, rc, "noise: the map has no stationary covariance (spectral radius >= 1)");
    *draws = nd;
    free(G);
    free(z);
    return rc;
}

int gd_noise_se_factors(int nm, int n, const double *M, const double *Sigma, double *c)
{
    const size_t nn = (size_t)nm * (size_t)nm;
    double *C = malloc(sizeof(double) * 2 * nn), *T = C ? C + nn : NULL;
    if (!C) return GD_ENOMEM;
    memcpy(C, Sigma, sizeof(double) * nn);
    const double floor = 1e-15 * gd_max_abs(nn, Sigma);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) c[i * n + j] = C[i * nm + i] * C[j * nm + j] + C[i * nm + j] * C[j * nm + i];
    /* the lags l and -l give the same term: C(-l) = C(l)^T */
    int rc = GD_ENOTAVAIL;
    for (long l = 1; l <= 1000000; l++) {
        gemm(nm, M, C, 0, 0.0, T);
        memcpy(C, T, sizeof(double) * nn);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) c[i * n + j] += 2 * (C[i * nm + i] * C[j * nm + j] + C[i * nm + j] * C[j * nm + i]);
        if (gd_max_abs(nn, C) <= floor) {
            rc = GD_OK;
            break;
        }
    }
    for (int e = 0; e < n * n; e++) c[e] = rc == GD_OK ? sqrt(c[e]) : NAN;
    free(C);
    return rc;
}

/* ---------------------------------------------------------------- adam, rmsprop */
/* The rule's double KEY on st, or NaN when it has no such key; *has: whether it has. */
static double stepper_double(gd_stepper *st, const char *key, int *has)
{
    void *obj;
    const gd_param *p = gd_stepper_param(st, key, &obj);
    *has &= p && p->type == GD_P_DOUBLE;
    return p && p->type == GD_P_DOUBLE ? *(const double *)((const char *)obj + p->offset) : NAN;
}

int gd_noise_frozen_v_applies(gd_stepper *s)
{
    int has = 1;
    double given = fmin(fmin(stepper_double(s, "v_frozen", &has), stepper_double(s, "v_frozen_g", &has)), stepper_double(s, "v_frozen_d", &has));
    return s->noise.sigma > 0 && s->type->map_frozen && has && isnan(given); /* fmin: NaN only when all are */
}

/* One round: the frozen map at v (per player), its stationary covariance S, and
 * v_k = sigma^2 + (J S_x J^T)_kk averaged over each player's coordinates. */
static int v_round(gd_stepper *s, const double *eq, const double *J, double v[2], double *M, double *S)
{
    const int n = s->dim, nm = gd_stepper_map_dim(s);
    int rc = gd_stepper_set_double(s, "v_frozen_g", v[0]), draws;
    if (rc == GD_OK) rc = gd_stepper_set_double(s, "v_frozen_d", v[1]);
    if (rc == GD_OK) rc = gd_stepper_set(s, "freeze_v", "true");
    if (rc == GD_OK) rc = gd_stepper_setup(s);
    if (rc == GD_OK) rc = gd_stepper_map_jacobian(s, eq, M, NULL);
    if (rc == GD_OK) rc = gd_noise_covariance(s, eq, M, S, &draws);
    double sum[2] = {0, 0}, sig2 = s->noise.sigma * s->noise.sigma;
    for (int k = 0; rc == GD_OK && k < n; k++) {
        double q = 0;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++) q += J[k * n + a] * S[(size_t)a * nm + b] * J[k * n + b];
        sum[k >= s->ngen] += sig2 + q;
    }
    if (rc == GD_OK) v[0] = s->ngen > 0 ? sum[0] / s->ngen : sum[1] / n, v[1] = s->ngen < n ? sum[1] / (n - s->ngen) : v[0];
    return rc;
}

int gd_noise_frozen_v(gd_stepper *s, const double *eq, void **saved)
{
    const int n = s->dim, nm = gd_stepper_map_dim(s);
    const size_t nn = (size_t)nm * (size_t)nm;
    *saved = NULL;
    if (!gd_noise_frozen_v_applies(s)) return GD_OK;
    double *J = malloc(sizeof(double) * ((size_t)n * (size_t)n + 2 * nn)), *M = J ? J + (size_t)n * (size_t)n : NULL, *S = M ? M + nn : NULL;
    if (!J || !(*saved = malloc(s->type->opts_size))) {
        free(J);
        return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    }
    memcpy(*saved, s->opts, s->type->opts_size);
    int rc = gd_model_jacobian_ws(s->model, s->ws, eq, J);
    double v[2] = {s->noise.sigma * s->noise.sigma, v[0]}, last[2];
    for (int it = 0; rc == GD_OK && it < 200; it++) {
        memcpy(last, v, sizeof v);
        rc = v_round(s, eq, J, v, M, S);
        if (rc == GD_OK && fabs(v[0] - last[0]) <= 1e-13 * last[0] && fabs(v[1] - last[1]) <= 1e-13 * last[1]) break;
    }
    if (rc == GD_ENOTAVAIL) rc = GD_OK; /* unstable at this v: the map there, without a covariance */
    if (rc == GD_OK) rc = gd_stepper_set_double(s, "v_frozen_g", v[0]);
    if (rc == GD_OK) rc = gd_stepper_set_double(s, "v_frozen_d", v[1]);
    if (rc == GD_OK) rc = gd_stepper_setup(s);
    free(J);
    return rc;
}

int gd_noise_restore(gd_stepper *s, void *saved)
{
    if (!saved) return GD_OK;
    memcpy(s->opts, saved, s->type->opts_size);
    free(saved);
    return gd_stepper_setup(s);
}
