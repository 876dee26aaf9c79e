/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Attractor classes of long runs of a fixed-step rule's map (`gandyn attractor`,
 * docs/bifurcations.md): fixed, periodic (with its period, found by Newton on Phi^k from the
 * centroid of every k-th sample, so slowly attracting orbits are found long before the samples
 * repeat), quasi_periodic, neutral, chaotic (by the Lyapunov spectrum), stall (vanishing steps
 * away from any fixed point), diverge, undetermined. Flows: src/attractor_flow.c.
 */
#include "attractor_impl.h"
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <complex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct attractor_opts {
    long transient, samples, period_max, max_steps;
    double dt;
};
#define A_(f) offsetof(attractor_opts, f)
static const gd_param attractor_params[] = {
    {"transient", GD_P_INT, A_(transient), "100000", "iterations before the samples", 0, 1e13, 0, NULL},
    {"samples", GD_P_INT, A_(samples), "10000", "iterations kept and classified", 16, 1e8, 0, NULL},
    {"period_max", GD_P_INT, A_(period_max), "64", "longest period looked for", 1, 4096, 0, NULL},
    {"max_steps", GD_P_INT, A_(max_steps), "1000000", "most iterations the Lyapunov spectrum may take (it stops once its standard errors are below 1e-4)", 20, 1e13, 0, NULL},
    {"dt", GD_P_DOUBLE, A_(dt), "0.1", "cvode: time between samples; transient and samples count intervals of dt", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef A_
const gd_section gd_section_attractor = {"attractor", attractor_params, sizeof(attractor_opts), offsetof(gd_sim, attractor)};

static const char *const class_names[] = {"fixed", "periodic", "quasi_periodic", "neutral", "chaotic", "stall", "diverge", "undetermined"};

const char *gd_attractor_class_name(int c) { return c >= 0 && c <= GD_ATTRACTOR_UNDETERMINED ? class_names[c] : NULL; }

typedef struct {
    gd_sim *s;     /* for the exponents (NULL: the tail tests alone) */
    char *msg;     /* where failures are said */
    const double *eq; /* the configured equilibrium, or NULL */
    gd_stepper *st;
    int n, N;      /* model dimension, the map's state (with history) */
    long S;        /* samples */
    double *z;     /* S x N samples */
    double L;      /* max(1, max |x_k|) */
    double *lo, *hi; /* the samples' box, per state coordinate */
    double *P, *J, *T, *w, *g; /* N x N products and scratch, N-vectors */
} att;

/* max and min that inline (libm's fmax is a call): NaN x leaves m unchanged, as fmax(m, x).
 * The loops over every kept sample (a sweep runs them on each cell's 512) take the maximum of
 * squared distances (gd_dist2) and one square root at the end: sqrt is monotone and correctly
 * rounded, so it is the same number as the maximum of the distances. */
static inline double maxd(double m, double x) { return x > m ? x : m; }
static inline double mind(double m, double x) { return x < m ? x : m; }

/* Solve A d = b in place (b becomes d) by elimination with partial pivoting; 0 when singular. */
static int solve(int N, double *A, double *b)
{
    for (int c = 0; c < N; c++) {
        int p = c;
        for (int i = c + 1; i < N; i++)
            if (fabs(A[i * N + c]) > fabs(A[p * N + c])) p = i;
        if (A[p * N + c] == 0) return 0;
        for (int j = 0; p != c && j < N; j++) {
            double t = A[c * N + j];
            A[c * N + j] = A[p * N + j], A[p * N + j] = t;
        }
        double t = b[c];
        b[c] = b[p], b[p] = t;
        for (int i = c + 1; i < N; i++) {
            double f = A[i * N + c] / A[c * N + c];
            for (int j = c; j < N; j++) A[i * N + j] -= f * A[c * N + j];
            b[i] -= f * b[c];
        }
    }
    for (int i = N - 1; i >= 0; i--) {
        for (int j = i + 1; j < N; j++) b[i] -= A[i * N + j] * b[j];
        b[i] /= A[i * N + i];
    }
    return 1;
}

/* w = Phi^k(z) and P = D Phi^k(z), the ordered product of one-iteration Jacobians. */
static int power_map(att *a, int k, const double *z)
{
    int N = a->N, an;
    memcpy(a->w, z, sizeof(double) * (size_t)N);
    for (int e = 0; e < N * N; e++) a->P[e] = e % (N + 1) == 0;
    for (int j = 0; j < k; j++) {
        int rc = gd_stepper_state_jacobian(a->st, a->w, a->J, &an);
        if (rc == GD_OK) rc = gd_stepper_step_state(a->st, a->w);
        if (rc != GD_OK) return rc;
        for (int r = 0; r < N; r++)
            for (int c = 0; c < N; c++) {
                double v = 0;
                for (int m = 0; m < N; m++) v += a->J[r * N + m] * a->P[m * N + c];
                a->T[r * N + c] = v;
            }
        memcpy(a->P, a->T, sizeof(double) * (size_t)N * (size_t)N);
    }
    return GD_OK;
}

/* Newton on Phi^k(z) = z from z (in place); 1 when the residual fell below 1e-12 L and the
 * Newton correction there is below 1e-6 L (a->P is scratch afterwards). */
static int newton(att *a, int k, double *z)
{
    int N = a->N;
    for (int it = 0; it < 40; it++) {
        if (power_map(a, k, z) != GD_OK) return 0;
        for (int i = 0; i < N; i++) a->g[i] = z[i] - a->w[i];
        double res = gd_norm(N, a->g);
        for (int i = 0; i < N; i++) a->P[i * N + i] -= 1;
        double flat = 0; /* |D Phi^k - I|_F on the model's coordinates */
        for (int i = 0; i < a->n; i++) flat += gd_dot(a->n, a->P + (size_t)i * N, a->P + (size_t)i * N);
        flat = sqrt(flat);
        if (!solve(N, a->P, a->g)) return 0;
        /* A small residual is not enough where the gradients saturate (a stall): there Phi(z) - z
         * is 1e-13 (or rounds to 0) with D Phi^k - I as small, and the Newton correction is O(1)
         * (or 0 / 0). A map that is the identity to 1e-6 near z has no isolated orbit there. With
         * a history (optimistic's last field value, momentum's buffer) the map forgets it, so
         * D Phi^k - I is not small on the history's rows and columns even there: its block on
         * the model's coordinates is what is the identity. */
        if (res < 1e-12 * a->L) return flat > 1e-6 && gd_norm(N, a->g) < 1e-6 * a->L;
        for (int i = 0; i < N; i++) z[i] += a->g[i];
        if (!(gd_norm(N, z) <= a->st->o.diverge_radius)) return 0;
    }
    return 0;
}

/* The samples: transient iterations, then S states (with history). 1 when the run diverged. */
static int sample(att *a, const attractor_opts *o, int *diverged)
{
    gd_stepper *st = a->st;
    int n = a->n;
    size_t nh = (size_t)(a->N - n);
    double *x = a->w, t = 0;
    memcpy(x, a->s->starts, sizeof(double) * (size_t)n);
    int rc = gd_stepper_reset(st, x);
    *diverged = 0;
    for (long k = 0; rc == GD_OK && k < o->transient + a->S; k++) {
        if (k >= o->transient) {
            double *z = a->z + (size_t)(k - o->transient) * a->N;
            memcpy(z, x, sizeof(double) * (size_t)n);
            if (nh) memcpy(z + n, st->lane.hist, sizeof(double) * nh);
            a->L = fmax(a->L, gd_norm(n, x));
            if (k + 1 == o->transient + a->S) break;
        }
        rc = gd_stepper_step(st, x, &t);
    }
    if (rc == GD_DIVERGED) {
        *diverged = 1;
        a->S = st->nsteps; /* iterations made */
        return GD_OK;
    }
    return rc == GD_OK ? GD_OK : gd_fmt(a->msg, rc, "attractor: %s", st->msg);
}

static int in_box(att *a, const double *z)
{
    double slack = 1e-6 * a->L;
    for (int i = 0; i < a->n; i++)
        if (z[i] < a->lo[i] - slack || z[i] > a->hi[i] + slack) return 0;
    return 1;
}

/* The orbit through z (a converged point of Phi^k): its least period p dividing k, the
 * multipliers of Phi^p, and the result's orbit. */
static int record_orbit(att *a, int k, const double *z, gd_attractor_result *out)
{
    int N = a->N, p = k;
    for (int d = 1; d < k; d++) {
        if (k % d || power_map(a, d, z) != GD_OK) continue;
        if (gd_dist(N, a->w, z) < 1e-8 * a->L) {
            p = d;
            break;
        }
    }
    double *buf = gd_result_alloc((size_t)p * N + 2 * (size_t)N, 0, NULL);
    if (!buf) return gd_fmt(a->msg, GD_ENOMEM, "out of memory");
    out->orbit = buf, out->mult_re = buf + (size_t)p * N, out->mult_im = out->mult_re + N;
    out->period = p, out->dim = N;
    memcpy(buf, z, sizeof(double) * (size_t)N);
    for (int j = 1; j < p; j++) {
        memcpy(buf + (size_t)j * N, buf + (size_t)(j - 1) * N, sizeof(double) * (size_t)N);
        int rc = gd_stepper_step_state(a->st, buf + (size_t)j * N);
        if (rc != GD_OK) return rc;
    }
    int rc = power_map(a, p, z);
    if (rc == GD_OK) rc = gd_eigenvalues(N, a->P, out->mult_re, out->mult_im);
    double r = 0;
    for (int i = 0; i < N; i++) r = fmax(r, hypot(out->mult_re[i], out->mult_im[i]));
    out->unstable = r > 1 + 1e-9;
    out->contraction = r < 1 ? 1 / (1 - r) : INFINITY;
    return rc;
}

/* The largest multiplier modulus of Phi^k at z. */
static double newton_radius(att *a, int k, const double *z)
{
    double re[64], im[64];
    if (a->N > 64 || power_map(a, k, z) != GD_OK || gd_eigenvalues(a->N, a->P, re, im) != GD_OK) return INFINITY;
    double r = 0;
    for (int i = 0; i < a->N; i++) r = fmax(r, hypot(re[i], im[i]));
    return r;
}

/* Periodic by repetition of the samples (each k's scan stops at its first miss), else, unless
 * only the tail tests run, by Newton from the centroids of every k-th sample: the smallest k
 * whose orbit attracts (every |mu| < 1 - 1e-9) and lies inside the samples' box. */
static int find_orbit(att *a, const attractor_opts *o, double *z)
{
    int N = a->N;
    const double *last = a->z + (size_t)(a->S - 1) * N;
    const double tol = 1e-8 * a->L, tol2 = tol * tol * (1 + 1e-15); /* tol2: never below the exact tol^2 */
    for (int k = 1; k <= o->period_max && k < a->S / 2; k++) {
        double m2 = 0;
        for (long j = a->S / 2; j + k < a->S && m2 < tol2; j++) m2 = maxd(m2, gd_dist2(N, a->z + (size_t)j * N, a->z + (size_t)(j + k) * N));
        if (sqrt(m2) < tol) { /* returns without a Newton orbit: a drift whose steps are below 1e-8 L (a stall) */
            memcpy(z, last, sizeof(double) * (size_t)N);
            /* the orbit the samples repeat lies among them: Newton that walks off a saturated
             * plateau (Phi^k - I nearly singular there) to another fixed point, e.g. the
             * repelling x* = 0, found no orbit of these samples */
            if (newton(a, k, z) && in_box(a, z)) return k;
            break;
        }
    }
    for (int k = 1; a->s && k <= o->period_max && k < a->S / 4; k++) { /* seeding: not among the tail tests */
        long cnt = 0;
        memset(z, 0, sizeof(double) * (size_t)N);
        for (long j = a->S - 1; j >= 0; j -= k, cnt++)
            for (int i = 0; i < N; i++) z[i] += a->z[(size_t)j * N + i];
        for (int i = 0; i < N; i++) z[i] /= (double)cnt;
        /* only an attracting orbit: the centre of a neutral family (|mu| = 1) is found too */
        if (newton(a, k, z) && in_box(a, z) && newton_radius(a, k, z) < 1 - 1e-9) return k;
    }
    return 0;
}

/* Rotation number and mean |z| of a planar map's samples around c: the equilibrium when it lies
 * in the samples' box, else their centroid. z is the normal-form coordinate <p, x - x*> when
 * the Jacobian at x* has a complex pair (docs/bifurcations.md), else x - c read as complex. */
static void circle_measures(att *a, gd_attractor_result *out)
{
    out->rotation = out->mean_z = NAN;
    if (a->n != 2 || a->N != 2) return;
    const double *eq = a->eq;
    double c[2] = {0, 0};
    if (eq && in_box(a, eq)) c[0] = eq[0], c[1] = eq[1];
    else {
        for (long k = 0; k < a->S; k++) c[0] += a->z[2 * k] / a->S, c[1] += a->z[2 * k + 1] / a->S;
    }
    double complex pc[2] = {1, I}; /* z = x1 + i x2 - c unless the normal form applies */
    int an;
    if (eq && c[0] == eq[0] && c[1] == eq[1] && gd_stepper_state_jacobian(a->st, eq, a->J, &an) == GD_OK) {
        const double *A = a->J;
        double tr = A[0] + A[3], det = A[0] * A[3] - A[1] * A[2], disc = tr * tr / 4 - det;
        if (disc < 0 && A[1] != 0) {
            double complex lam = tr / 2 + I * sqrt(-disc), q[2] = {A[1], lam - A[0]}, p[2] = {A[2], conj(lam) - A[0]};
            double qn = sqrt(creal(q[0] * conj(q[0]) + q[1] * conj(q[1])));
            q[0] /= qn, q[1] /= qn;
            double complex s = conj(p[0]) * q[0] + conj(p[1]) * q[1];
            pc[0] = conj(p[0] / conj(s)), pc[1] = conj(p[1] / conj(s));
        }
    }
    /* The wrapped increments sum to arg z_last - arg z_0 plus a turn for each pass across the
     * negative real axis: one atan2 per end instead of one per sample (sweeps do this per cell).
     * An increment's sign is that of Im(conj(z_k) z_k+1); a step of less than half a turn passes
     * the negative axis where its chord does. */
    double mz = 0, turns = 0;
    int pos = 0, neg = 0;
    double complex z0 = 0, prev = 0;
    for (long k = 0; k < a->S; k++) {
        double complex zk = pc[0] * (a->z[2 * k] - c[0]) + pc[1] * (a->z[2 * k + 1] - c[1]);
        const double r2 = creal(zk) * creal(zk) + cimag(zk) * cimag(zk);
        mz += (r2 > 1e-300 && r2 < 1e300 ? sqrt(r2) : cabs(zk)) / a->S; /* hypot's care only where the square leaves the range */
        if (k) {
            double cr = cimag(conj(prev) * zk), y0 = cimag(prev), y1 = cimag(zk);
            pos += cr > 0, neg += cr < 0;
            if ((y0 >= 0) != (y1 >= 0) && creal(prev) - y0 * (creal(zk) - creal(prev)) / (y1 - y0) < 0) turns += y0 >= 0 ? 1 : -1;
        } else z0 = zk;
        prev = zk;
    }
    out->mean_z = mz;
    if (!(pos && neg) && a->S > 1) out->rotation = (carg(prev) - carg(z0) + 2 * M_PI * turns) / (2 * M_PI * (double)(a->S - 1));
}

static void amplitude(att *a, gd_attractor_result *out)
{
    const double *eq = a->eq;
    double c[64] = {0};
    int n = a->n < 64 ? a->n : 64;
    for (long k = 0; !eq && k < a->S; k++)
        for (int i = 0; i < n; i++) c[i] += a->z[(size_t)k * a->N + i] / a->S;
    double m2 = 0;
    for (long k = 0; k < a->S; k++) m2 = maxd(m2, gd_dist2(n, a->z + (size_t)k * a->N, eq ? eq : c));
    out->amplitude = sqrt(m2);
}

/* Classes from the exponents (docs/bifurcations.md): tol = max(1e-4, 5 SE). */
static int by_exponents(gd_sim *s, const attractor_opts *o, long transient, gd_attractor_result *out)
{
    gd_lyapunov_result r;
    int rc = gd_lyapunov_full(s, (double)transient, o->max_steps, 1e-4, &r);
    if (rc != GD_OK) return rc;
    double se = 0;
    for (int i = 0; i < r.count; i++) se = fmax(se, r.se[i]);
    double tol = fmax(1e-4, 5 * se), l1 = r.exponents[0], l2 = r.count > 1 ? r.exponents[1] : NAN;
    out->steps += r.steps + transient;
    out->nlyap = r.count;
    out->lyapunov = malloc(sizeof(double) * (size_t)r.count);
    if (!out->lyapunov) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    else memcpy(out->lyapunov, r.exponents, sizeof(double) * (size_t)r.count);
    int all_zero = 1;
    for (int i = 0; i < r.count; i++) all_zero &= fabs(r.exponents[i]) <= tol;
    out->cls = l1 > tol ? GD_ATTRACTOR_CHAOTIC
               : all_zero ? GD_ATTRACTOR_NEUTRAL
               : fabs(l1) <= tol && l2 < -tol ? GD_ATTRACTOR_QUASI_PERIODIC
               : l1 < -tol ? GD_ATTRACTOR_PERIODIC /* period 0: longer than period_max */
               : GD_ATTRACTOR_UNDETERMINED;
    gd_lyapunov_result_free(&r);
    return rc;
}

/* Newton on Phi(z) = z from the last sample lands within 1e-3 L of it. */
static int near_fixed_point(att *a, const double *last, double *z)
{
    memcpy(z, last, sizeof(double) * (size_t)a->N);
    return newton(a, 1, z) && gd_dist(a->N, z, last) < 1e-3 * a->L;
}

/* The class of the samples; without a sim (a->s) only the tail tests run, and what they leave
 * is undetermined. transient: the exponents' iterations before averaging, from a->s's start. */
static int classify(att *a, const attractor_opts *o, long transient, gd_attractor_result *out)
{
    int N = a->N;
    const double *last = a->z + (size_t)(a->S - 1) * N;
    double dmax = 0, *z = a->g + N;
    for (long k = 0; k + 1 < a->S; k++) dmax = maxd(dmax, gd_dist2(N, a->z + (size_t)k * N, a->z + (size_t)(k + 1) * N));
    dmax = sqrt(dmax);
    int rc = GD_OK, k = 0;
    memcpy(z, last, sizeof(double) * (size_t)N);
    int fixed = dmax < 1e-10 * a->L && newton(a, 1, z) && gd_dist(N, z, last) < 1e-6 * a->L;
    if (fixed) {
        out->cls = GD_ATTRACTOR_FIXED;
        rc = record_orbit(a, 1, z, out);
    } else if ((k = find_orbit(a, o, z)) > 0) {
        out->cls = GD_ATTRACTOR_PERIODIC;
        rc = record_orbit(a, k, z, out);
        if (rc == GD_OK && out->period == 1) out->cls = GD_ATTRACTOR_FIXED;
    } else if (dmax < 1e-6 * a->L && gd_norm(a->n, last) > 1e-3 && !near_fixed_point(a, last, z)) {
        out->cls = GD_ATTRACTOR_STALL;
    } else {
        out->cls = GD_ATTRACTOR_UNDETERMINED;
        if (a->s) rc = by_exponents(a->s, o, transient, out);
    }
    return rc;
}

/* Scratch after the samples: box, N x N products, N-vectors (w, g, and classify's z). NULL: out of memory. */
static double *att_scratch(att *a)
{
    int N = a->N;
    double *m = malloc(sizeof(double) * (2 * (size_t)N + 3 * (size_t)N * N + 3 * (size_t)N));
    if (!m) return NULL;
    a->lo = m, a->hi = m + N, a->P = a->hi + N, a->J = a->P + (size_t)N * N, a->T = a->J + (size_t)N * N;
    a->w = a->T + (size_t)N * N, a->g = a->w + N;
    return m;
}

/* Box, scale, class, amplitude and circle measures of a->S samples. */
static int analyse(att *a, const attractor_opts *o, long transient, gd_attractor_result *out)
{
    int N = a->N;
    for (int i = 0; i < N; i++) a->lo[i] = INFINITY, a->hi[i] = -INFINITY;
    double L2 = 0;
    for (long k = 0; k < a->S; k++) {
        const double *zk = a->z + (size_t)k * N;
        for (int i = 0; i < N; i++) a->lo[i] = mind(a->lo[i], zk[i]), a->hi[i] = maxd(a->hi[i], zk[i]);
        L2 = maxd(L2, gd_dot(a->n, zk, zk));
    }
    a->L = maxd(a->L, sqrt(L2));
    out->dim = N;
    int rc = classify(a, o, transient, out);
    amplitude(a, out);
    circle_measures(a, out);
    return rc;
}

static void result_init(gd_attractor_result *out)
{
    memset(out, 0, sizeof *out);
    out->rotation = out->mean_z = out->contraction = out->period_t = NAN;
}

/* The last m samples (first model coordinates, m x n; consecutive, so that a strided choice
 * cannot alias a cycle onto one of its points) for an orbit diagram; NaN when the run
 * diverged. */
static void subsample(const att *a, int m, double *pts, int diverged)
{
    for (int j = 0; j < m; j++) {
        long k = diverged ? -1 : a->S > m ? a->S - m + j : j % a->S;
        for (int i = 0; i < a->n; i++) pts[(size_t)j * a->n + i] = k >= 0 ? a->z[(size_t)k * a->N + i] : NAN;
    }
}

/* The flow's classes (attractor_flow.c) with the [attractor] keys but these counts of dt. */
static int flow_classes(gd_sim *s, long transient, long samples, int exponents, gd_attractor_result *out, double *keep)
{
    const attractor_opts *o = s->attractor;
    gd_attractor_flow_opts fo = {.transient = transient, .samples = samples, .period_max = o->period_max, .max_steps = o->max_steps, .dt = o->dt,
                                 .exponents = exponents, .keep = keep};
    int rc = gd_attractor_flow(s, &fo, out);
    if (rc != GD_OK) gd_attractor_result_free(out);
    return rc;
}

int gd_attractor_of_flow(gd_sim *s, long samples, int exponents, gd_attractor_result *out, double *keep)
{
    result_init(out);
    return flow_classes(s, 0, samples, exponents, out, keep);
}

int gd_sim_attractor(gd_sim *s, gd_attractor_result *out) { return gd_sim_attractor_sampled(s, out, 0, NULL); }

int gd_sim_attractor_sampled(gd_sim *s, gd_attractor_result *out, int m, double *pts)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    result_init(out);
    gd_stepper *st = s->stepper;
    const attractor_opts *o = s->attractor;
    if (!st->type->fixed_step) return flow_classes(s, o->transient, o->samples, 1, out, NULL);
    att a = {.s = s, .msg = s->msg, .eq = gd_sim_get_equilibrium(s), .st = st, .n = st->dim, .N = gd_stepper_map_dim(st), .S = o->samples, .L = 1};
    int N = a.N;
    if (gd_check_memory(s->msg, 8.0 * (double)a.S * N, "attractor: the samples (attractor.samples x the state)") != GD_OK) return GD_ENOMEM;
    a.z = malloc(sizeof(double) * (size_t)a.S * N);
    double *scratch = a.z ? att_scratch(&a) : NULL;
    if (!scratch) {
        free(a.z);
        return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    int diverged, rc = sample(&a, o, &diverged);
    out->steps = diverged ? a.S : o->transient + a.S;
    if (rc == GD_OK && diverged) out->cls = GD_ATTRACTOR_DIVERGE, out->dim = N;
    if (rc == GD_OK && !diverged) rc = analyse(&a, o, o->transient, out);
    if (m > 0 && pts) subsample(&a, m, pts, diverged || rc != GD_OK);
    free(a.z);
    free(scratch);
    if (rc != GD_OK) gd_attractor_result_free(out);
    return rc;
}

int gd_attractor_of_samples(gd_sim *sim, const gd_sim *cfg, gd_stepper *st, const double *eq, const double *z, long S, gd_attractor_result *out,
                            char *msg)
{
    result_init(out);
    att a = {.s = sim, .msg = sim ? sim->msg : msg, .eq = eq, .st = st, .n = st->dim, .N = gd_stepper_map_dim(st), .S = S, .L = 1, .z = (double *)z};
    double *scratch = att_scratch(&a);
    if (!scratch) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    int rc = analyse(&a, cfg->attractor, 0, out);
    free(scratch);
    if (rc != GD_OK) {
        if (sim) gd_fmt(msg, rc, "%s", sim->msg);
        gd_attractor_result_free(out);
    }
    return rc;
}

double gd_attractor_lambda1(const gd_attractor_result *r, int flow)
{
    if (r->lyapunov && r->nlyap > 0) return r->lyapunov[0];
    if (!r->orbit || r->period < 1) return NAN;
    double top = flow && isnan(r->period_t) ? -INFINITY : 0;
    if (flow && isnan(r->period_t)) { /* an equilibrium: its "multipliers" are J's eigenvalues */
        for (int i = 0; i < r->dim; i++) top = fmax(top, r->mult_re[i]);
        return top;
    }
    for (int i = flow; i < r->dim; i++) top = fmax(top, hypot(r->mult_re[i], r->mult_im[i])); /* a cycle's trivial multiplier first */
    return log(top) / (flow ? r->period_t : r->period);
}

void gd_attractor_result_free(gd_attractor_result *r)
{
    if (!r) return;
    free(r->lyapunov);
    gd_result_release(r, sizeof *r, r->orbit);
}

int gd_sim_write_attractor(gd_sim *s, const char *path, const gd_attractor_result *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !gd_attractor_class_name(r->cls)) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_attractor: need a path and an attractor result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    hsize_t od[2] = {(hsize_t)r->period, (hsize_t)r->dim}, n = (hsize_t)r->dim, nl = (hsize_t)r->nlyap;
    double v[4] = {r->amplitude, r->rotation, r->mean_z, r->contraction};
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK && r->orbit) rc = gd_h5_write(f, "/attractor/orbit", 2, od, r->orbit);
    if (rc == GD_OK && r->orbit) rc = gd_h5_write(f, "/attractor/multipliers_re", 1, &n, r->mult_re);
    if (rc == GD_OK && r->orbit) rc = gd_h5_write(f, "/attractor/multipliers_im", 1, &n, r->mult_im);
    if (rc == GD_OK && r->lyapunov) rc = gd_h5_write(f, "/attractor/lyapunov", 1, &nl, r->lyapunov);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/attractor", "class", gd_attractor_class_name(r->cls));
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/attractor", "period", r->period);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/attractor", "unstable", r->unstable);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/attractor", "steps", r->steps);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/attractor", "amplitude", 1, v);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/attractor", "rotation", 1, v + 1);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/attractor", "mean_z", 1, v + 2);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/attractor", "contraction", 1, v + 3);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/attractor", "period_t", 1, &r->period_t);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
