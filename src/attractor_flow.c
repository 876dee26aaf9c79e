/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Attractor classes of a flow's long run (`gandyn attractor` under cvode, docs/bifurcations.md):
 * the orbit from run.x0 is integrated by CVODE for attractor.transient x attractor.dt time and
 * sampled attractor.samples times every attractor.dt. Then, in order:
 *  - fixed: Newton on F from the last sample lands on an isolated equilibrium x* that the samples sit on
 *    (to the integration accuracy), or that is stable and the samples approach (fixed_point);
 *  - periodic: the crossings of a Poincare hyperplane (through the samples' mean, normal to the
 *    flow at the last sample; one direction, by CVodeRootInit) repeat after k <= period_max
 *    returns, and shooting from the last crossing converges to an attracting cycle: T and the
 *    Floquet multipliers;
 *  - stall: the field is below 1e-6 L along the samples, |x| > 1e-3 and Newton finds no isolated
 *    equilibrium near;
 *  - else by the Lyapunov spectrum (a flow off an equilibrium has one zero exponent).
 * A planar flow can only be fixed, periodic, neutral, stall or diverge (Poincare-Bendixson): a
 * chaotic or quasi-periodic verdict there is reported as undetermined.
 */
#include "attractor_impl.h"
#include "cvode_setup.h"
#include "gd_impl.h"
#include "orbit_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const gd_model *m;
    gd_model_ws *ws;
    int n, failed;
    const double *c, *nrm; /* the section: nrm . (x - c) = 0 */
} flow_sys;

static int rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud)
{
    (void)t;
    flow_sys *f = ud;
    if (gd_model_field_ws(f->m, f->ws, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot)) == GD_OK) return 0;
    f->failed = 1;
    return -1;
}

static int section(sunrealtype t, N_Vector y, sunrealtype *g, void *ud)
{
    (void)t;
    flow_sys *f = ud;
    const double *x = N_VGetArrayPointer(y);
    g[0] = 0;
    for (int i = 0; i < f->n; i++) g[0] += f->nrm[i] * (x[i] - f->c[i]);
    return 0;
}

typedef struct {
    gd_sim *s;
    gd_cv h;
    flow_sys f;
    double t, R; /* time reached; sweep.diverge_radius */
    int n;
} flow_run;

/* Integrate to t1 (or the next section crossing when roots are on: *crossed = 1). 1: diverged. */
static int advance(flow_run *r, double t1, int *crossed)
{
    double tret = r->t;
    int flag = CVode(r->h.mem, t1, r->h.y, &tret, CV_NORMAL);
    if (flag < 0) {
        char *name = CVodeGetReturnFlagName(flag);
        gd_fmt(r->s->msg, GD_ESOLVER, "attractor: cvode %s at t = %g%s", name ? name : "failure", tret, r->f.failed ? " (the model's field failed)" : "");
        free(name);
        return GD_ESOLVER;
    }
    r->t = tret;
    if (crossed) *crossed = flag == CV_ROOT_RETURN;
    const double size = gd_norm(r->n, N_VGetArrayPointer(r->h.y));
    return isfinite(size) && size <= r->R ? GD_OK : GD_DIVERGED;
}

static int open_run(flow_run *r, gd_sim *s)
{
    memset(r, 0, sizeof *r);
    r->s = s, r->n = s->model->dim, r->R = s->sweep->diverge_radius;
    r->f = (flow_sys){.m = s->model, .ws = gd_model_ws_create(s->model), .n = r->n};
    if (!r->f.ws) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    char *method = gd_sim_get_value(s, "integrator.method");
    int bdf = method && strstr(method, "bdf");
    free(method);
    gd_cv_spec spec = {.len = r->n, .bdf = bdf, .rhs = rhs, .ud = &r->f, .rtol = gd_sim_integrator_double(s, "rtol"), .atol = gd_sim_integrator_double(s, "atol"),
                       .max_steps = 100000000L};
    int rc = gd_cv_open(&r->h, &spec);
    if (rc == GD_OK) rc = bdf ? gd_cv_dense(&r->h, NULL) : gd_cv_fixed_point(&r->h);
    if (rc != GD_OK) return gd_fmt(s->msg, rc, "attractor: cannot set up CVODE");
    double *x = N_VGetArrayPointer(r->h.y);
    memcpy(x, s->starts, sizeof(double) * (size_t)r->n);
    gd_model_project(s->model, x);
    return CVodeReInit(r->h.mem, 0.0, r->h.y) < 0 ? gd_fmt(s->msg, GD_ESOLVER, "attractor: CVodeReInit failed") : GD_OK;
}

static void close_run(flow_run *r)
{
    gd_cv_release(&r->h);
    gd_model_ws_free(&r->f.ws);
}

/* The equilibrium Newton on F finds from x (the model's Jacobian; not the model's closed-form
 * equilibrium, which is one of several, e.g. Lorenz's origin beside C+-) into e, J(e) into J
 * (n x n); 1 when found and isolated: |J|_F > 1e-6. On a saturated plateau (a stall: the
 * unregularised GAN flow at theta psi = 49, |F| ~ 1e-20) Newton accepts the point where it
 * stands, and J there is as small: no equilibrium (as a map's D Phi - I is, attractor.c). */
static int equilibrium_from(flow_run *r, const double *x, double *e, double *J)
{
    int n = r->n;
    if (gd_model_newton_ws(r->f.m, r->f.ws, x, e) != GD_OK || gd_model_jacobian_ws(r->f.m, r->f.ws, e, J) != GD_OK) return 0;
    return gd_norm(n * n, J) > 1e-6;
}

/* How far CVODE's numerical orbit may sit from an equilibrium e it has reached: its error test
 * keeps each component's local error within rtol |e_i| + atol, and near e the numerical orbit
 * wanders at that level (|F| there is |J| times it, which is why a test on |F| alone fails). */
static double integration_tol(const flow_run *r, const double *e)
{
    double rt = gd_sim_integrator_double(r->s, "rtol"), at = gd_sim_integrator_double(r->s, "atol");
    return 100 * (rt * gd_norm(r->n, e) + at * sqrt((double)r->n));
}

/* Fixed: Newton on F from the last sample lands on an equilibrium x* which the samples approach,
 * either sitting on it to the integration accuracy (every sample; x* may then be unstable, e.g.
 * a run started on it), or, when every eigenvalue of J(x*) has Re < 0, ending within 1e-6 L of it
 * and no farther than the first sample was (or within the integration accuracy). x*, the
 * eigenvalues of J there, `unstable` and the contraction time into out. */
static int fixed_point(flow_run *r, const double *z, long S, double L, gd_attractor_result *out)
{
    int n = r->n;
    const double *last = z + (size_t)(S - 1) * n;
    double *e = malloc(sizeof(double) * ((size_t)n + (size_t)n * n));
    double *buf = e && equilibrium_from(r, last, e, e + n) ? gd_result_alloc(3 * (size_t)n, 0, NULL) : NULL;
    int ok = buf && gd_eigenvalues(n, e + n, buf + n, buf + 2 * n) == GD_OK;
    double top = -INFINITY, tol = ok ? integration_tol(r, e) : 0, dmax = 0, dlast = ok ? gd_dist(n, last, e) : INFINITY;
    for (int i = 0; ok && i < n; i++) top = fmax(top, buf[n + i]);
    for (long k = 0; ok && k < S; k++) dmax = fmax(dmax, gd_dist(n, z + (size_t)k * n, e));
    ok = ok && (dmax <= tol || (top < 0 && dlast < 1e-6 * L && dlast <= fmax(gd_dist(n, z, e), tol)));
    if (ok) {
        memcpy(buf, e, sizeof(double) * (size_t)n);
        out->orbit = buf, out->mult_re = buf + n, out->mult_im = buf + 2 * n, out->period = 1, out->dim = n;
        out->unstable = top > 1e-9;
        out->contraction = top < 0 ? -1 / top : INFINITY;
    } else {
        free(buf);
    }
    free(e);
    return ok;
}

/* Newton on F from x lands on an isolated equilibrium within tol of it. */
static int near_equilibrium(flow_run *r, const double *x, double tol)
{
    double *e = malloc(sizeof(double) * ((size_t)r->n + (size_t)r->n * r->n));
    int near = e && equilibrium_from(r, x, e, e + r->n) && gd_dist(r->n, x, e) < tol;
    free(e);
    return near;
}

/* k-periodic crossings (the last k + 1 against the k before them, to 1e-4 L): the smallest k. */
static int repeating(const double *P, int m, int n, int kmax, double L)
{
    for (int k = 1; k <= kmax && 2 * k < m; k++) {
        double worst = 0;
        for (int j = m - k; j < m; j++) {
            double d = 0;
            for (int i = 0; i < n; i++) d += (P[(size_t)j * n + i] - P[(size_t)(j - k) * n + i]) * (P[(size_t)j * n + i] - P[(size_t)(j - k) * n + i]);
            worst = fmax(worst, sqrt(d));
        }
        if (worst < 1e-4 * L) return k;
    }
    return 0;
}

/* Crossings of the section through the samples' mean c, normal to F at the last sample; a
 * repeating pattern polished by shooting into an attracting cycle. 1 when periodic. */
static int periodic(flow_run *r, const gd_attractor_flow_opts *o, const double *c, double L, gd_attractor_result *out)
{
    int n = r->n, kmax = (int)fmin(o->period_max, 16), want = 4 * kmax + 2, m = 0, dir = 1, found = 0;
    double *nrm = malloc(sizeof(double) * ((size_t)n + (size_t)want * (n + 1))), *P = nrm + n, *tc = P + (size_t)want * n;
    if (!nrm) return 0;
    const double *x = N_VGetArrayPointer(r->h.y);
    if (gd_model_field_ws(r->f.m, r->f.ws, x, nrm) != GD_OK) return free(nrm), 0;
    r->f.c = c, r->f.nrm = nrm;
    double tmax = r->t + o->dt * (double)o->samples;
    if (CVodeRootInit(r->h.mem, 1, section) < 0 || CVodeSetRootDirection(r->h.mem, &dir) < 0) return free(nrm), 0;
    while (m < want && r->t < tmax) {
        int crossed = 0;
        if (advance(r, tmax, &crossed) != GD_OK) break;
        if (crossed) memcpy(P + (size_t)m * n, x, sizeof(double) * (size_t)n), tc[m++] = r->t;
    }
    CVodeRootInit(r->h.mem, 0, NULL);
    int k = m > 2 ? repeating(P, m, n, kmax, L) : 0;
    gd_orbit_result orb;
    if (k && gd_orbit_from(r->s, P + (size_t)(m - 1) * n, tc[m - 1] - tc[m - 1 - k], &orb) == GD_OK) {
        double top = 0;
        for (int i = 1; i < n; i++) top = fmax(top, hypot(orb.mult_re[i], orb.mult_im[i]));
        double *buf = top < 1 - 1e-9 ? gd_result_alloc(3 * (size_t)n, 0, NULL) : NULL;
        if (buf) {
            memcpy(buf, orb.x0, sizeof(double) * (size_t)n);
            memcpy(buf + n, orb.mult_re, sizeof(double) * (size_t)n), memcpy(buf + 2 * n, orb.mult_im, sizeof(double) * (size_t)n);
            out->orbit = buf, out->mult_re = buf + n, out->mult_im = buf + 2 * n, out->period = 1, out->dim = n;
            out->period_t = orb.T, out->contraction = orb.T / (1 - top), found = 1;
        }
        gd_orbit_result_free(&orb);
    }
    free(nrm);
    return found;
}

/* The class from the flow's exponents: one of them is the zero of the direction along the flow. */
static int by_exponents(gd_sim *s, const gd_attractor_flow_opts *o, gd_attractor_result *out)
{
    gd_lyapunov_result r;
    int rc = gd_lyapunov_full(s, o->dt * (double)o->transient, o->max_steps, 1e-4, &r);
    if (rc != GD_OK) return rc;
    double se = 0;
    for (int i = 0; i < r.count; i++) se = fmax(se, r.se[i]);
    double tol = fmax(fmax(1e-4, 5 * se), 2 / r.time); /* the zero exponent's bias is O(1/T) */
    int zero = 0, neg = 0;
    for (int i = 0; i < r.count; i++) zero += fabs(r.exponents[i]) <= tol, neg += r.exponents[i] < -tol;
    out->nlyap = r.count;
    out->lyapunov = malloc(sizeof(double) * (size_t)r.count);
    if (!out->lyapunov) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    else memcpy(out->lyapunov, r.exponents, sizeof(double) * (size_t)r.count);
    out->cls = r.exponents[0] > tol ? GD_ATTRACTOR_CHAOTIC
               : zero == r.count ? GD_ATTRACTOR_NEUTRAL
               : zero == 2 && neg == r.count - 2 ? GD_ATTRACTOR_QUASI_PERIODIC
               : zero == 1 && neg == r.count - 1 ? GD_ATTRACTOR_PERIODIC /* period not found: period 0 */
               : GD_ATTRACTOR_UNDETERMINED;
    if (r.count == 2 && (out->cls == GD_ATTRACTOR_CHAOTIC || out->cls == GD_ATTRACTOR_QUASI_PERIODIC)) out->cls = GD_ATTRACTOR_UNDETERMINED;
    gd_lyapunov_result_free(&r);
    return rc;
}

/* The samples (S x n into z), their max |x| into *L; GD_DIVERGED when the run left the radius. */
static int sample(flow_run *r, const gd_attractor_flow_opts *o, double *z, double *L)
{
    int rc = GD_OK, n = r->n;
    *L = 1;
    for (long k = 1; rc == GD_OK && k <= o->transient; k++) rc = advance(r, o->dt * (double)k, NULL);
    double t0 = r->t;
    for (long k = 0; rc == GD_OK && k < o->samples; k++) {
        if (k) rc = advance(r, t0 + o->dt * (double)k, NULL);
        memcpy(z + (size_t)k * n, N_VGetArrayPointer(r->h.y), sizeof(double) * (size_t)n);
        *L = fmax(*L, gd_norm(n, z + (size_t)k * n));
    }
    return rc;
}

int gd_attractor_flow(gd_sim *s, const gd_attractor_flow_opts *o, gd_attractor_result *out)
{
    if (s->stepper->type != &gd_integrator_cvode)
        return gd_fmt(s->msg, GD_EUSAGE, "attractor: integrator %s has no fixed one-iteration map; use a fixed-step rule (a map) or cvode (the flow)", s->stepper->type->name);
    if (s->model->hybrid) return gd_fmt(s->msg, GD_EUSAGE, "attractor: model '%s' is piecewise smooth here (switching surfaces): flows are classified on smooth fields", s->model->type->name);
    int n = s->model->dim;
    /* the samples go into o->keep when the caller gives room for them (a basin sweep's cells) */
    const size_t room = o->keep ? 0 : (size_t)o->samples * (size_t)n;
    if (room && gd_check_memory(s->msg, 8.0 * (double)room, "attractor: the samples (attractor.samples x the state)") != GD_OK) return GD_ENOMEM;
    flow_run r;
    double *own = malloc(sizeof(double) * (room + 2 * (size_t)n)), *z = o->keep ? o->keep : own, *c = own ? own + room : NULL, *f = c ? c + n : NULL, L = 1;
    int rc = own ? open_run(&r, s) : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    out->dim = n;
    if (rc == GD_OK) rc = sample(&r, o, z, &L);
    out->steps = (long)(o->transient + o->samples); /* sampling intervals of attractor.dt */
    if (rc == GD_DIVERGED) {
        out->cls = GD_ATTRACTOR_DIVERGE, rc = GD_OK;
    } else if (rc == GD_OK) {
        const double *last = z + (size_t)(o->samples - 1) * n;
        double fmaxn = 0;
        memset(c, 0, sizeof(double) * (size_t)n);
        for (long k = 0; k < o->samples; k++)
            for (int i = 0; i < n; i++) c[i] += z[(size_t)k * n + i] / (double)o->samples;
        for (long k = 0; k < o->samples && gd_model_field_ws(s->model, r.f.ws, z + (size_t)k * n, f) == GD_OK; k++) fmaxn = fmax(fmaxn, gd_norm(n, f));
        rc = gd_model_field_ws(s->model, r.f.ws, last, f) == GD_OK ? GD_OK : gd_fmt(s->msg, GD_ESOLVER, "attractor: the field failed");
        if (rc == GD_OK && fixed_point(&r, z, o->samples, L, out)) out->cls = GD_ATTRACTOR_FIXED;
        else if (rc == GD_OK && periodic(&r, o, c, L, out)) out->cls = GD_ATTRACTOR_PERIODIC;
        else if (rc == GD_OK && fmaxn < 1e-6 * L && gd_norm(n, last) > 1e-3 && !near_equilibrium(&r, last, 1e-3 * L)) out->cls = GD_ATTRACTOR_STALL;
        else if (rc == GD_OK && o->exponents) rc = by_exponents(s, o, out);
        else if (rc == GD_OK) out->cls = GD_ATTRACTOR_UNDETERMINED;
        /* amplitude about the equilibrium (else the samples' centroid) */
        const double *eq = gd_sim_get_equilibrium(s);
        out->amplitude = 0;
        for (long k = 0; k < o->samples; k++) out->amplitude = fmax(out->amplitude, gd_dist(n, z + (size_t)k * n, eq ? eq : c));
    }
    if (own) close_run(&r);
    free(own);
    return rc;
}
