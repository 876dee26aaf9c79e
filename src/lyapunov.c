/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Lyapunov spectra by QR (Benettin et al. 1980; `gandyn lyapunov`, docs/bifurcations.md). A set
 * of m orthonormal tangent vectors Y is carried along the orbit, by the one-iteration map's
 * Jacobian (fixed-step rules) or by the variational equations Y' = J(x) Y (cvode), and
 * re-orthonormalised: Y = Q R with diag R > 0, S_i += ln R_ii, Y = Q. The exponents are S_i over
 * the iterations or the time. The run is cut into equal batches whose means give standard
 * errors; the sum of all exponents must equal the average of ln|det D Phi| (maps) or of tr J
 * (flows), which the result reports as a check on the whole chain.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include "cvode_setup.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lyapunov_opts {
    long count;
    double transient, reorth, tol;
    long batches, steps;
    double t_end;
};
#define L(f) offsetof(lyapunov_opts, f)
static const gd_param lyapunov_params[] = {
    {"count", GD_P_INT, L(count), "0", "exponents to compute, largest first (0: all, the state's dimension)", 0, 1e6, 0, NULL},
    {"transient", GD_P_DOUBLE, L(transient), "1000", "discarded before averaging: iterations (fixed-step rules) or time (cvode)", 0, INFINITY, 0, NULL},
    {"reorth", GD_P_DOUBLE, L(reorth), "1", "QR re-orthonormalisation every this many iterations (a whole number) or time units (cvode)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"tol", GD_P_DOUBLE, L(tol), "1e-4", "stop early once every standard error is below this, checked after each batch from the 10th (0: never)", 0, INFINITY, 0, NULL},
    {"batches", GD_P_INT, L(batches), "20", "equal batches the averaged run is cut into; standard errors from their means", 10, 1e6, 0, NULL},
    {"steps", GD_P_INT, L(steps), "100000", "fixed-step rules: iterations averaged over after the transient", 1, 1e13, 0, NULL},
    {"t_end", GD_P_DOUBLE, L(t_end), "1000", "cvode: time averaged over after the transient", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef L
const gd_section gd_section_lyapunov = {"lyapunov", lyapunov_params, sizeof(lyapunov_opts), offsetof(gd_sim, lyapunov)};

/* ---------------------------------------------------------------- tangent vectors -- */
typedef struct {
    int N, m;       /* tangent dimension, vectors */
    double *Y;      /* column-major N x m: vector j at Y + j N */
    double *logr;   /* m: sum of ln R_jj since the batch began */
    double *comp;   /* m: its compensation (long sums of logs lose 1e-11 relative otherwise) */
    double *last;   /* m: ln R_jj of the last QR */
    double *work;   /* N */
} tangent;

static int tangent_init(tangent *t, int N, int m)
{
    t->N = N, t->m = m;
    t->Y = calloc((size_t)N * (size_t)m + 3 * (size_t)m + (size_t)N, sizeof(double));
    if (!t->Y) return GD_ENOMEM;
    t->logr = t->Y + (size_t)N * (size_t)m, t->comp = t->logr + m, t->last = t->comp + m, t->work = t->last + m;
    /* a generic orthonormal start: no vector inside an invariant coordinate subspace */
    uint64_t seed = 0x5eed1a9u;
    for (size_t e = 0; e < (size_t)N * (size_t)m; e++) t->Y[e] = gd_normal(&seed);
    return GD_OK;
}

/* *sum += v with Neumaier's compensation *c (the sum is *sum + *c). */
static void add_compensated(double *sum, double *c, double v)
{
    double t = *sum + v;
    *c += fabs(*sum) >= fabs(v) ? (*sum - t) + v : (v - t) + *sum;
    *sum = t;
}

/* Gram-Schmidt, each vector orthogonalised twice ("twice is enough"), adding ln R_jj to logr.
 * GD_ESOLVER when a vector collapses (a singular Jacobian: an exponent of -inf). */
static int tangent_qr(tangent *t, double *Y)
{
    int N = t->N;
    for (int j = 0; j < t->m; j++) {
        double *y = Y + (size_t)j * N;
        for (int pass = 0; pass < 2; pass++)
            for (int k = 0; k < j; k++) {
                const double *q = Y + (size_t)k * N, d = gd_dot(N, q, y);
                for (int i = 0; i < N; i++) y[i] -= d * q[i];
            }
        double r = gd_norm(N, y);
        if (!(r > 0) || !isfinite(r)) return GD_ESOLVER;
        t->last[j] = log(r);
        add_compensated(&t->logr[j], &t->comp[j], t->last[j]);
        for (int i = 0; i < N; i++) y[i] /= r;
    }
    return GD_OK;
}

/* Y <- M Y for the row-major N x N matrix M. */
static void tangent_apply(tangent *t, const double *M)
{
    int N = t->N;
    for (int j = 0; j < t->m; j++) {
        double *y = t->Y + (size_t)j * N;
        for (int i = 0; i < N; i++) t->work[i] = gd_dot(N, M + (size_t)i * N, y);
        memcpy(y, t->work, sizeof(double) * (size_t)N);
    }
}

/* ln|det M| by Gaussian elimination with partial pivoting on a copy (A: N x N scratch). */
static double log_abs_det(int N, const double *M, double *A)
{
    if (N == 1) return log(fabs(M[0]));
    if (N == 2) return log(fabs(M[0] * M[3] - M[1] * M[2]));
    memcpy(A, M, sizeof(double) * (size_t)N * (size_t)N);
    double s = 0;
    for (int c = 0; c < N; c++) {
        int p = c;
        for (int i = c + 1; i < N; i++)
            if (fabs(A[i * N + c]) > fabs(A[p * N + c])) p = i;
        if (A[p * N + c] == 0) return -INFINITY;
        for (int j = 0; p != c && j < N; j++) {
            double w = A[c * N + j];
            A[c * N + j] = A[p * N + j], A[p * N + j] = w;
        }
        s += log(fabs(A[c * N + c]));
        for (int i = c + 1; i < N; i++) {
            double f = A[i * N + c] / A[c * N + c];
            for (int j = c; j < N; j++) A[i * N + j] -= f * A[c * N + j];
        }
    }
    return s;
}

/* ---------------------------------------------------------------- batches ------------ */
/* Batch sums (B x m) into the result: exponents, standard errors, running averages. */
typedef struct {
    double *sums;      /* batches x m: ln R sums per batch */
    double *mean, *se; /* m each: scratch of the tol test */
    int done;          /* batches finished */
    double per;        /* iterations or time per batch */
    long steps;        /* iterations or QR intervals per batch */
} batches;

static void batch_stats(const batches *b, int m, double *mean, double *se)
{
    int B = b->done;
    for (int i = 0; i < m; i++) {
        double s = 0, q = 0;
        for (int k = 0; k < B; k++) s += b->sums[k * m + i] / b->per;
        mean[i] = s / B;
        for (int k = 0; k < B; k++) q += pow(b->sums[k * m + i] / b->per - mean[i], 2);
        se[i] = B > 1 ? sqrt(q / (B - 1) / B) : NAN;
    }
}

/* Close a batch from the tangent's sums; 1 when the run may stop (tol reached). */
static int batch_close(batches *b, tangent *t, const lyapunov_opts *o)
{
    for (int i = 0; i < t->m; i++) b->sums[(size_t)b->done * t->m + i] = t->logr[i] + t->comp[i];
    memset(t->logr, 0, 2 * sizeof(double) * (size_t)t->m); /* logr and comp */
    b->done++;
    if (o->tol <= 0 || b->done < 10) return 0;
    batch_stats(b, t->m, b->mean, b->se);
    for (int i = 0; i < t->m; i++)
        if (!(b->se[i] < o->tol)) return 0;
    return 1;
}

static int fill_result(gd_sim *s, const batches *b, int m, int N, double trace, gd_lyapunov_result *out)
{
    double *d = gd_result_alloc(2 * (size_t)m + (size_t)b->done * (size_t)m, 0, NULL);
    if (!d) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    out->count = m, out->dim = N, out->batches = b->done;
    out->exponents = d, out->se = d + m, out->running = d + 2 * m;
    batch_stats(b, m, out->exponents, out->se);
    for (int i = 0; i < m; i++) {
        double acc = 0;
        for (int k = 0; k < b->done; k++) {
            acc += b->sums[k * m + i];
            out->running[k * m + i] = acc / (b->per * (k + 1));
        }
    }
    out->time = b->per * b->done;
    out->steps = b->steps * b->done;
    out->sum = 0;
    for (int i = 0; i < m; i++) out->sum += out->exponents[i];
    out->mean_trace = m == N ? trace / out->time : NAN;
    out->sum_check = m == N ? fabs(out->sum - out->mean_trace) / fmax(1.0, fabs(out->mean_trace)) : NAN;
    return GD_OK;
}

/* ---------------------------------------------------------------- maps -------------- */
typedef struct {
    gd_sim *s;
    gd_stepper *st;
    double *x, *z, *M, *A; /* state (dim), extended state, Jacobian and scratch (N x N) */
    long k;                /* iterations made */
    long since;            /* iterations since the last QR */
    int analytic;
} map_run;

/* One iteration: the Jacobian at the extended state, then the step; Y follows; logdet (a
 * compensated sum, or NULL) adds ln|det M|. */
static int map_iterate(map_run *r, tangent *t, const lyapunov_opts *o, double *logdet)
{
    gd_stepper *st = r->st;
    int n = st->dim, an;
    size_t nh = (size_t)st->type->history * (size_t)n;
    memcpy(r->z, r->x, sizeof(double) * (size_t)n);
    if (nh) memcpy(r->z + n, st->lane.hist, sizeof(double) * nh);
    int rc = gd_stepper_state_jacobian(st, r->z, r->M, &an);
    if (rc != GD_OK) return gd_fmt(r->s->msg, rc, "lyapunov: one-iteration Jacobian at iteration %ld: %s", r->k, st->msg);
    r->analytic &= an;
    for (int e = 0; e < t->N * t->N; e++)
        if (!isfinite(r->M[e]))
            return gd_fmt(r->s->msg, GD_ESOLVER, "lyapunov: the one-iteration Jacobian is not finite at iteration %ld: the map has no derivative there (adam, rmsprop: where v = 0; raise lyapunov.transient)", r->k);
    double tt = 0;
    rc = gd_stepper_step(st, r->x, &tt);
    if (rc == GD_DIVERGED) return gd_fmt(r->s->msg, GD_ESOLVER, "lyapunov: the orbit left sweep.diverge_radius at iteration %ld: a diverging orbit has no spectrum", r->k);
    if (rc != GD_OK) return gd_fmt(r->s->msg, rc, "lyapunov: iteration %ld: %s", r->k, st->msg);
    tangent_apply(t, r->M);
    if (logdet) add_compensated(&logdet[0], &logdet[1], log_abs_det(t->N, r->M, r->A));
    r->k++;
    if (++r->since < (long)o->reorth) return GD_OK;
    r->since = 0;
    if (tangent_qr(t, t->Y) != GD_OK)
        return gd_fmt(r->s->msg, GD_ESOLVER, "lyapunov: the tangent vectors collapsed at iteration %ld (a singular map Jacobian, or reorth too large)", r->k);
    return GD_OK;
}

static int map_spectrum(gd_sim *s, const lyapunov_opts *o, int m, batches *b, tangent *t, double *trace, int *analytic)
{
    gd_stepper *st = s->stepper;
    int n = st->dim, N = t->N;
    long per = o->steps / o->batches, transient = (long)o->transient;
    if (per < 1) return gd_fmt(s->msg, GD_EUSAGE, "lyapunov.steps = %ld is fewer than lyapunov.batches = %ld", o->steps, o->batches);
    if (o->reorth != floor(o->reorth) || per % (long)o->reorth != 0)
        return gd_fmt(s->msg, GD_EUSAGE, "lyapunov.reorth = %g must be a whole number dividing the batch length %ld (lyapunov.steps / lyapunov.batches)", o->reorth, per);
    map_run r = {.s = s, .st = st, .analytic = 1};
    r.x = malloc(sizeof(double) * (2 * (size_t)N + 2 * (size_t)N * (size_t)N));
    if (!r.x) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    r.z = r.x + N, r.M = r.z + N, r.A = r.M + (size_t)N * N;
    memcpy(r.x, s->starts, sizeof(double) * (size_t)n);
    int rc = gd_stepper_reset(st, r.x);
    if (rc != GD_OK) gd_fmt(s->msg, rc, "lyapunov: %s", st->msg);
    double tt = 0;
    gd_sim_resume_apply(s, 0, &tt); /* a sweep cell's orbit goes on with its history and count */
    /* the transient only steps: a map without a derivative at the start (adam's sqrt(v) at v = 0)
     * is differentiated from where averaging begins; the tangent vectors align within a few
     * batches' worth of iterations */
    for (long k = 0; rc == GD_OK && k < transient; k++, r.k++) {
        rc = gd_stepper_step(st, r.x, &tt);
        if (rc == GD_DIVERGED) rc = gd_fmt(s->msg, GD_ESOLVER, "lyapunov: the orbit left sweep.diverge_radius at iteration %ld: a diverging orbit has no spectrum", r.k);
        else if (rc != GD_OK) gd_fmt(s->msg, rc, "lyapunov: iteration %ld: %s", r.k, st->msg);
    }
    memset(t->logr, 0, 2 * sizeof(double) * (size_t)m);
    b->per = (double)per, b->steps = per;
    for (int stop = 0; rc == GD_OK && !stop && b->done < o->batches;) {
        for (long k = 0; rc == GD_OK && k < per; k++) rc = map_iterate(&r, t, o, trace);
        if (rc == GD_OK) stop = batch_close(b, t, o);
    }
    *analytic = r.analytic;
    free(r.x);
    return rc;
}

/* ---------------------------------------------------------------- flows ------------- */
/* CVODE on the variational system with the configured integrator's method and tolerances:
 * Adams with fixed-point iteration, or BDF with Newton on a dense difference-quotient matrix. */
static int cv_open(gd_sim *s, gd_cv *h, gd_var_sys *v, long len)
{
    char *method = gd_sim_get_value(s, "integrator.method"); /* allocated, or NULL: adams */
    int bdf = method && strstr(method, "bdf");
    free(method);
    double rtol = gd_sim_integrator_double(s, "rtol"), atol = gd_sim_integrator_double(s, "atol");
    /* The tangent vectors start each QR step at unit length and change by at most ~1e3 within
     * it (flow_interval): their absolute tolerance is rtol 1e-3 whatever the state's atol, so
     * a shrinking vector keeps its relative accuracy. */
    double *w = malloc(sizeof(double) * (size_t)len);
    if (!w) return GD_ENOMEM;
    for (long i = 0; i < len; i++) w[i] = i < v->n || i == len - 1 ? atol : 1e-3 * rtol;
    gd_cv_spec spec = {.len = len, .bdf = bdf, .rhs = gd_var_rhs, .ud = v, .rtol = rtol, .atol_v = w, .max_steps = 100000000L};
    int rc = gd_cv_open(h, &spec);
    free(w);
    if (rc != GD_OK) return rc;
    return bdf ? gd_cv_dense(h, NULL) : gd_cv_fixed_point(h);
}

/* Integrate to t1 and re-orthonormalise; *c adds the integral of tr J. */
static int flow_piece(gd_sim *s, gd_cv *h, gd_var_sys *v, tangent *t, double t0, double t1, double *c)
{
    double tret = t0, *u = N_VGetArrayPointer(h->y);
    int flag = CVode(h->mem, t1, h->y, &tret, CV_NORMAL);
    if (flag < 0) {
        char *name = CVodeGetReturnFlagName(flag);
        gd_fmt(s->msg, GD_ESOLVER, "lyapunov: cvode %s at t = %g%s", name ? name : "failure", tret, v->failed ? " (the model's field failed)" : "");
        free(name);
        return GD_ESOLVER;
    }
    if (!(gd_norm(v->n, u) <= s->sweep->diverge_radius))
        return gd_fmt(s->msg, GD_ESOLVER, "lyapunov: the orbit left sweep.diverge_radius by t = %g: a diverging orbit has no spectrum", t1);
    if (tangent_qr(t, u + v->n) != GD_OK) return gd_fmt(s->msg, GD_ESOLVER, "lyapunov: the tangent vectors collapsed at t = %g", t1);
    *c += u[v->n + v->n * v->k];
    u[v->n + v->n * v->k] = 0;
    return CVodeReInit(h->mem, t1, h->y) < 0 ? gd_fmt(s->msg, GD_ESOLVER, "lyapunov: CVodeReInit failed") : GD_OK;
}

/* One QR interval [t0, t1] in v->pieces equal parts, QR after each; *c gets the integral of
 * tr J. Gram-Schmidt takes the contracting vectors as differences of the growing ones, so a
 * spread of e^K between the largest and smallest R_jj of one part costs K / ln 10 of the
 * integration's digits: parts double while it exceeds 1e3 (Lorenz: 4 parts per unit time). */
static int flow_interval(gd_sim *s, gd_cv *h, gd_var_sys *v, tangent *t, double t0, double t1, double *c)
{
    int rc = GD_OK, n = v->pieces;
    *c = 0;
    for (int p = 1; p <= n && rc == GD_OK; p++) {
        double a = t0 + (t1 - t0) * (p - 1) / n, b = p == n ? t1 : t0 + (t1 - t0) * p / n;
        rc = flow_piece(s, h, v, t, a, b, c);
        double lo = INFINITY, hi = -INFINITY;
        for (int j = 0; j < t->m; j++) lo = fmin(lo, t->last[j]), hi = fmax(hi, t->last[j]);
        if (hi - lo > log(1e3) && v->pieces < 4096) v->pieces *= 2; /* from the next interval on */
    }
    return rc;
}

static int flow_spectrum(gd_sim *s, const lyapunov_opts *o, int m, batches *b, tangent *t, double *trace)
{
    const gd_model *model = s->model;
    int n = model->dim;
    long len = (long)n + (long)n * m + 1, nint = (long)ceil(o->t_end / o->reorth - 1e-9), per = nint / o->batches;
    if (per < 1)
        return gd_fmt(s->msg, GD_EUSAGE, "lyapunov.t_end / lyapunov.reorth = %ld QR intervals, fewer than lyapunov.batches = %ld", nint, o->batches);
    if (gd_check_dense(s->msg, n, (double)m / n + 1, "lyapunov: the variational equations") != GD_OK) return GD_ENOMEM;
    double dt = o->t_end / (double)nint, c = 0;
    gd_var_sys v = {.m = model, .ws = gd_model_ws_create(model), .n = n, .k = m, .pieces = 1, .J = malloc(sizeof(double) * (size_t)n * (size_t)n)};
    gd_cv h = {0};
    int rc = v.ws && v.J ? cv_open(s, &h, &v, len) : GD_ENOMEM;
    if (rc != GD_OK) gd_fmt(s->msg, rc, "lyapunov: cannot set up CVODE on %ld equations", len);
    if (rc == GD_OK) {
        double *u = N_VGetArrayPointer(h.y);
        memcpy(u, s->starts, sizeof(double) * (size_t)n);
        gd_model_project(model, u);
        memcpy(u + n, t->Y, sizeof(double) * (size_t)n * (size_t)m);
        rc = CVodeReInit(h.mem, 0.0, h.y) < 0 ? gd_fmt(s->msg, GD_ESOLVER, "lyapunov: CVodeReInit failed") : GD_OK;
    }
    /* the transient in whole reorth intervals and a last shorter one */
    double tnow = 0;
    while (rc == GD_OK && tnow < o->transient) {
        double t1 = fmin(o->transient, tnow + o->reorth);
        rc = flow_interval(s, &h, &v, t, tnow, t1, &c);
        tnow = t1;
    }
    memset(t->logr, 0, 2 * sizeof(double) * (size_t)m);
    b->per = dt * (double)per, b->steps = per;
    for (int stop = 0; rc == GD_OK && !stop && b->done < o->batches;) {
        double t0 = tnow;
        for (long k = 1; rc == GD_OK && k <= per; k++) {
            double t1 = t0 + dt * (double)k;
            rc = flow_interval(s, &h, &v, t, tnow, t1, &c);
            add_compensated(&trace[0], &trace[1], c);
            tnow = t1;
        }
        if (rc == GD_OK) stop = batch_close(b, t, o);
    }
    gd_cv_release(&h);
    gd_model_ws_free(&v.ws);
    free(v.J);
    return rc;
}

/* ---------------------------------------------------------------- entry points ------ */
static int lyapunov_with(gd_sim *s, const lyapunov_opts *o, gd_lyapunov_result *out);

int gd_sim_lyapunov(gd_sim *s, gd_lyapunov_result *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    return lyapunov_with(s, s->lyapunov, out);
}

int gd_lyapunov_full(gd_sim *s, double transient, long steps, double tol, gd_lyapunov_result *out)
{
    lyapunov_opts o = *s->lyapunov;
    o.count = 0, o.transient = transient, o.steps = steps, o.tol = tol, o.batches = 20, o.reorth = 1;
    return lyapunov_with(s, &o, out);
}

static int lyapunov_with(gd_sim *s, const lyapunov_opts *o, gd_lyapunov_result *out)
{
    memset(out, 0, sizeof *out);
    gd_stepper *st = s->stepper;
    int flow = !st->type->fixed_step;
    if (flow && st->type != &gd_integrator_cvode)
        return gd_fmt(s->msg, GD_EUSAGE, "lyapunov: integrator %s has no fixed one-iteration map; use a fixed-step rule (a map) or cvode (the flow)", st->type->name);
    int N = flow ? s->model->dim : gd_stepper_map_dim(st);
    if (o->count > N) return gd_fmt(s->msg, GD_EUSAGE, "lyapunov.count = %ld exceeds the dimension %d of the %s", o->count, N, flow ? "flow" : "map's state");
    int m = o->count ? (int)o->count : N, analytic = 1;
    if (gd_check_dense(s->msg, N, 2 + (double)m / N, "lyapunov: the map's Jacobian and tangent vectors") != GD_OK) return GD_ENOMEM;
    tangent t = {0};
    batches b = {.sums = calloc(((size_t)o->batches + 2) * (size_t)m, sizeof(double))};
    if (b.sums) b.mean = b.sums + (size_t)o->batches * (size_t)m, b.se = b.mean + m;
    int rc = b.sums && tangent_init(&t, N, m) == GD_OK ? GD_OK : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) rc = tangent_qr(&t, t.Y) == GD_OK ? GD_OK : gd_fmt(s->msg, GD_ESOLVER, "lyapunov: degenerate start vectors");
    if (rc == GD_OK) memset(t.logr, 0, 2 * sizeof(double) * (size_t)m);
    double trace[2] = {0, 0}; /* compensated sum */
    if (rc == GD_OK) rc = flow ? flow_spectrum(s, o, m, &b, &t, trace) : map_spectrum(s, o, m, &b, &t, trace, &analytic);
    if (rc == GD_OK) rc = fill_result(s, &b, m, N, trace[0] + trace[1], out);
    if (rc == GD_OK) {
        out->flow = flow;
        out->analytic = flow ? s->model->type->jacobian != NULL : analytic;
    }
    free(t.Y);
    free(b.sums);
    return rc;
}

void gd_lyapunov_result_free(gd_lyapunov_result *r)
{
    if (r) gd_result_release(r, sizeof *r, r->exponents);
}

int gd_sim_write_lyapunov(gd_sim *s, const char *path, const gd_lyapunov_result *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->exponents) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_lyapunov: need a path and a lyapunov result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    hsize_t m = (hsize_t)r->count, d[2] = {(hsize_t)r->batches, (hsize_t)r->count};
    rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_h5_write(f, "/lyapunov/exponents", 1, &m, r->exponents);
    if (rc == GD_OK) rc = gd_h5_write(f, "/lyapunov/stderr", 1, &m, r->se);
    if (rc == GD_OK) rc = gd_h5_write(f, "/lyapunov/running", 2, d, r->running);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/lyapunov", "steps", r->steps);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/lyapunov", "flow", r->flow);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/lyapunov", "analytic", r->analytic);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/lyapunov", "time", 1, &r->time);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/lyapunov", "sum", 1, &r->sum);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/lyapunov", "mean_trace", 1, &r->mean_trace);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/lyapunov", "sum_check", 1, &r->sum_check);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
