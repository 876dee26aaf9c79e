/* SPDX-License-Identifier: BSD-3-Clause
 *
 * `gandyn critical --classes`: where the observed attractor class changes along one key
 * (docs/bifurcations.md, "critical: where the observed class changes"). critical.n evenly
 * spaced values are classified from run.x0 (gd_sim_attractor); every neighbour pair whose
 * (class, period) differ is bisected to critical.tol; each boundary is labelled local when the
 * equilibrium branch, continued over the pair's bracket, has an eigenvalue crossing there
 * (gd_sim_continue), or the periodic orbit below or above it (a map's k-cycle, a flow's cycle
 * under cvode) has one, global otherwise; a boundary whose fine look (11 values over 10 tol)
 * changes class (period aside) more than 3 times opens a mixed interval, grown downwards by a
 * walk at 2 tol until 1e-2 (hi - lo) pass without a class change, and upwards over the
 * following brackets that hold a boundary. Every probe keeps its class, period, lambda_1,
 * amplitude and a subsample of its attractor: the orbit diagram and lambda_1 against the key.
 */
#include "attractor_impl.h"
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <complex.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct critical_opts {
    long n, samples;
    double tol;
};
#define C_(f) offsetof(critical_opts, f)
static const gd_param critical_params[] = {
    {"n", GD_P_INT, C_(n), "64", "values classified evenly over [lo, hi] by critical --classes", 2, 100000, 0, NULL},
    {"tol", GD_P_DOUBLE, C_(tol), "0", "bisection width of a class boundary (0: 1e-4 (hi - lo))", 0, 1e300, 0, NULL},
    {"samples", GD_P_INT, C_(samples), "200", "attractor points kept per value for the orbit diagram", 1, 100000, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef C_
const gd_section gd_section_critical = {"critical", critical_params, sizeof(critical_opts), offsetof(gd_sim, critical)};

enum { FINE = 11, MIXED_CHANGES = 3 };

typedef struct {
    gd_sim *sim; /* own copy, the key set per probe */
    const char *key;
    double lo, hi, tol;
    int dim, m;
    gd_critical_scan *r;
    int cap, bcap;
} scan;

static int grow(scan *S)
{
    if (S->r->n < S->cap) return GD_OK;
    int cap = S->cap ? 2 * S->cap : 128;
    gd_critical_scan *r = S->r;
    double *p = realloc(r->p, sizeof(double) * (size_t)cap);
    if (p) r->p = p;
    int *c = realloc(r->cls, sizeof(int) * (size_t)cap);
    if (c) r->cls = c;
    int *k = realloc(r->period, sizeof(int) * (size_t)cap);
    if (k) r->period = k;
    signed char *g = realloc(r->grid, (size_t)cap);
    if (g) r->grid = g;
    double *l = realloc(r->lyap1, sizeof(double) * (size_t)cap);
    if (l) r->lyap1 = l;
    double *a = realloc(r->amplitude, sizeof(double) * (size_t)cap);
    if (a) r->amplitude = a;
    double *x = realloc(r->pts, sizeof(double) * (size_t)cap * (size_t)S->m * (size_t)S->dim);
    if (x) r->pts = x;
    if (!p || !c || !k || !g || !l || !a || !x) return gd_fmt(S->sim->msg, GD_ENOMEM, "out of memory");
    S->cap = cap;
    return GD_OK;
}

/* Classify the attractor with key = v; *cls, *period. grid: one of the n evenly spaced values. */
static int probe(scan *S, double v, int grid, int *cls, int *period)
{
    char text[64];
    snprintf(text, sizeof text, "%.17g", v);
    int rc = gd_sim_set(S->sim, S->key, text);
    if (rc == GD_OK) rc = gd_sim_setup(S->sim);
    if (rc == GD_OK) rc = grow(S);
    if (rc != GD_OK) return rc;
    gd_critical_scan *r = S->r;
    int i = r->n;
    double *pts = r->pts + (size_t)i * S->m * S->dim;
    gd_attractor_result a;
    rc = gd_sim_attractor_sampled(S->sim, &a, S->m, pts);
    if (rc != GD_OK) return rc;
    r->p[i] = v, r->cls[i] = *cls = a.cls, r->period[i] = *period = a.period, r->grid[i] = (signed char)grid;
    r->lyap1[i] = gd_attractor_lambda1(&a, !S->sim->stepper->type->fixed_step), r->amplitude[i] = a.amplitude;
    r->n++;
    gd_attractor_result_free(&a);
    return GD_OK;
}

static gd_critical_boundary *new_boundary(scan *S)
{
    gd_critical_scan *r = S->r;
    if (r->nb == S->bcap) {
        int cap = S->bcap ? 2 * S->bcap : 16;
        gd_critical_boundary *b = realloc(r->b, sizeof *b * (size_t)cap);
        if (!b) return NULL;
        r->b = b, S->bcap = cap;
    }
    gd_critical_boundary *b = &r->b[r->nb++];
    memset(b, 0, sizeof *b);
    b->kind = "global", b->type = "", b->criticality = "", b->resonance = "";
    b->refined = b->theta = b->coeff = NAN;
    return b;
}

/* Bisect [x0, x1] (classes (c0, k0) and (c1, k1) differ) to tol: the probe keeps the lower
 * end's class or takes the upper end's place. */
static int bisect(scan *S, double x0, double x1, int c0, int k0, gd_critical_boundary *b)
{
    int c, k;
    b->bracket[0] = x0, b->bracket[1] = x1, b->below_cls = c0, b->below_period = k0;
    while (x1 - x0 > S->tol) {
        double mid = 0.5 * (x0 + x1);
        int rc = probe(S, mid, 0, &c, &k);
        if (rc != GD_OK) return rc;
        if (c == c0 && k == k0) x0 = mid;
        else x1 = mid, b->above_cls = c, b->above_period = k;
    }
    b->value = b->end = 0.5 * (x0 + x1);
    return GD_OK;
}

/* Class changes (the period aside) among FINE values spaced tol around b->value; the
 * lowest change found lowers *start. */
static int fine_look(scan *S, gd_critical_boundary *b, double *start)
{
    int prev = -1, c, k;
    for (int j = 0; j < FINE; j++) {
        double v = b->value + (j - FINE / 2) * S->tol;
        if (v < S->lo || v > S->hi) continue;
        int rc = probe(S, v, 0, &c, &k);
        if (rc != GD_OK) return rc;
        if (prev >= 0 && c != prev) b->changes++, *start = fmin(*start, v - 0.5 * S->tol);
        prev = c;
    }
    return GD_OK;
}

/* The mixed interval's lower end: walk down from below b's fine look at 2 tol until
 * 1e-2 (hi - lo) pass without a class change; *start: the midpoint of the lowest change. */
static int walk_down(scan *S, gd_critical_boundary *b, double *start)
{
    double step = 2 * S->tol, quiet = 0, v = b->value - (FINE / 2 + 1) * S->tol;
    int prev = -1, c, k;
    for (; v >= S->lo && quiet < 1e-2 * (S->hi - S->lo); v -= step) {
        int rc = probe(S, v, 0, &c, &k);
        if (rc != GD_OK) return rc;
        if (prev >= 0 && c != prev) b->changes++, *start = fmin(*start, v + 0.5 * step), quiet = 0;
        else quiet += step;
        prev = c;
    }
    return GD_OK;
}

/* Mark b local at the crossing (LP, BP, H, PD, NS) of the first branch of the continuation
 * of S->sim from at over [a, z] nearest b->value, if it has one. */
static void crossing(scan *S, gd_critical_boundary *b, double at, double a, double z)
{
    char text[64];
    snprintf(text, sizeof text, "%.17g", at);
    if (gd_sim_set(S->sim, S->key, text) != GD_OK || gd_sim_setup(S->sim) != GD_OK) return;
    gd_continue_result cr;
    if (gd_sim_continue(S->sim, S->key, a, z, &cr) != GD_OK) return;
    const gd_special_point *best = NULL;
    for (int i = 0; i < cr.nspecial; i++) {
        const gd_special_point *q = &cr.special[i];
        if (q->branch != 0 || q->type < GD_PT_LP || q->type > GD_PT_NS || q->p < a || q->p > z) continue;
        if (!best || fabs(q->p - b->value) < fabs(best->p - b->value)) best = q;
    }
    if (best) {
        b->local = 1;
        b->type = gd_point_type_name(best->type), b->refined = best->p, b->theta = best->theta, b->coeff = best->coeff;
        /* the names are static strings of the library, they outlive cr */
        b->criticality = best->criticality ? best->criticality : "", b->resonance = best->resonance ? best->resonance : "";
        if (strcmp(b->kind, "mixed")) b->kind = "local";
    }
    gd_continue_result_free(&cr);
}

/* A periodic class whose orbit can be continued: a map's period-k orbit (k >= 2; period 1 is the
 * fixed point, continued already), a flow's cycle (period 1, its T in period_t). */
static int continuable(const scan *S, int cls, int period)
{
    return cls == GD_ATTRACTOR_PERIODIC && (S->sim->stepper->type->fixed_step ? period >= 2 : period == 1);
}

/* The orbit the run finds with key = at, continued from one of its points over [a, z]: a map's
 * period-k orbit as the period-k branch (continuation.period = k, start x0), a flow's cycle as
 * the cycle branch through it (start orbit: folds of cycles LP, PD, NS). The sim's run.x0 is
 * restored after. */
static void orbit_crossing(scan *S, gd_critical_boundary *b, double at, double a, double z)
{
    char text[64], *x0 = gd_sim_get_value(S->sim, "run.x0");
    gd_attractor_result r = {0};
    snprintf(text, sizeof text, "%.17g", at);
    int rc = gd_sim_set(S->sim, S->key, text), flow = !S->sim->stepper->type->fixed_step;
    if (rc == GD_OK) rc = gd_sim_setup(S->sim);
    if (rc == GD_OK) rc = gd_sim_attractor(S->sim, &r);
    if (rc == GD_OK && continuable(S, r.cls, r.period) && r.orbit) {
        char *pt = NULL, period[16];
        size_t len = 0, cap = 0;
        for (int i = 0; i < S->dim; i++) gd_strbuf_add(&pt, &len, &cap, "%s%.17g", i ? "," : "", r.orbit[i]);
        snprintf(period, sizeof period, "%d", r.period);
        if (pt && gd_sim_set(S->sim, "run.x0", pt) == GD_OK && (flow || gd_sim_set(S->sim, "continuation.period", period) == GD_OK) &&
            gd_sim_set(S->sim, "continuation.start", flow ? "orbit" : "x0") == GD_OK)
            crossing(S, b, at, a, z);
        free(pt);
    }
    gd_attractor_result_free(&r);
    if (x0) gd_sim_set(S->sim, "run.x0", x0);
    else gd_sim_unset(S->sim, "run.x0");
    gd_sim_unset(S->sim, "continuation.period"), gd_sim_unset(S->sim, "continuation.start");
    free(x0);
    gd_sim_setup(S->sim);
}

/* Label b, bisected between the scan values below and above (whose class and period are
 * cls_above, k_above): local when the equilibrium branch continued over [a, z] has a crossing
 * there, else when the periodic orbit below (found at `below`) or the one above (a window's
 * fold, a fold of cycles) has one; global otherwise (also where none can be continued). The
 * bisection's last upper probe may be of a third class (critical slowing next to the change),
 * so the scan value's class counts too. */
static void label(scan *S, gd_critical_boundary *b, double below, double above, int cls_above, int k_above, double a, double z)
{
    a = fmax(a, S->lo), z = fmin(z, S->hi);
    crossing(S, b, 0.5 * (a + z), a, z);
    if (!b->local && continuable(S, b->below_cls, b->below_period)) orbit_crossing(S, b, fmax(below, a), a, z);
    if (!b->local && (continuable(S, b->above_cls, b->above_period) || continuable(S, cls_above, k_above))) orbit_crossing(S, b, fmin(above, z), a, z);
}

/* A mixed interval is local only if the equilibrium crosses inside it. */
static void label_mixed(scan *S, gd_critical_boundary *b) { crossing(S, b, 0.5 * (b->value + b->end), fmax(b->value - 10 * S->tol, S->lo), fmin(b->end + 10 * S->tol, S->hi)); }

/* Boundaries from the grid's neighbour pairs; the first with a mixed fine look becomes a
 * mixed interval that absorbs every boundary inside it. */
static int boundaries(scan *S, const int *gc, const int *gk, const double *gp, int n)
{
    gd_critical_scan *r = S->r;
    int rc = GD_OK, mixed = -1;
    for (int i = 0; rc == GD_OK && i + 1 < n; i++) {
        if (gc[i] == gc[i + 1] && gk[i] == gk[i + 1]) continue;
        if (mixed >= 0 && r->b[mixed].end >= gp[i]) { /* the next bracket: the mixed interval grows over it */
            r->b[mixed].end = gp[i + 1];
            continue;
        }
        if (mixed >= 0) label_mixed(S, &r->b[mixed]);
        mixed = -1;
        gd_critical_boundary *b = new_boundary(S);
        if (!b) return gd_fmt(S->sim->msg, GD_ENOMEM, "out of memory");
        b->above_cls = gc[i + 1], b->above_period = gk[i + 1];
        if ((rc = bisect(S, gp[i], gp[i + 1], gc[i], gk[i], b)) != GD_OK) break;
        b->bracket[0] = gp[i];
        label(S, b, gp[i], gp[i + 1], gc[i + 1], gk[i + 1], gp[i] - S->tol * 10, gp[i + 1] + S->tol * 10);
        double start = b->value;
        /* a crossing explains the change (the classes may flicker by critical slowing next
         * to it); only a change without one is looked at more finely */
        if (b->local || (rc = fine_look(S, b, &start)) != GD_OK || b->changes <= MIXED_CHANGES) continue;
        b->kind = "mixed";
        if ((rc = walk_down(S, b, &start)) != GD_OK) break;
        b->value = start, b->end = gp[i + 1];
        mixed = (int)(b - r->b);
        while (mixed > 0 && r->b[mixed - 1].value >= start) { /* earlier boundaries inside it */
            r->b[mixed - 1] = r->b[mixed];
            r->nb--, mixed--;
        }
        gd_critical_boundary *prev = mixed > 0 ? &r->b[mixed - 1] : NULL;
        if (prev && !strcmp(prev->kind, "mixed") && prev->end >= start) { /* it reaches down into the last mixed interval: one interval */
            prev->end = r->b[mixed].end, prev->changes += r->b[mixed].changes;
            r->nb--, mixed--;
        }
    }
    if (rc == GD_OK && mixed >= 0) {
        label_mixed(S, &r->b[mixed]);
    }
    return rc;
}

/* Sort the probes by value (insertion sort on an index: bisections append in order). */
static int sort_probes(scan *S)
{
    gd_critical_scan *r = S->r;
    int n = r->n;
    size_t row = (size_t)S->m * S->dim;
    int *ix = malloc(sizeof(int) * (size_t)n);
    double *tmp = malloc(sizeof(double) * (size_t)n * (row + 1));
    if (!ix || !tmp) {
        free(ix), free(tmp);
        return gd_fmt(S->sim->msg, GD_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        int j = i;
        for (; j > 0 && r->p[ix[j - 1]] > r->p[i]; j--) ix[j] = ix[j - 1];
        ix[j] = i;
    }
#define PERMUTE(arr, type)                                                                                                                           \
    do {                                                                                                                                             \
        type *t_ = (type *)tmp;                                                                                                                      \
        for (int i = 0; i < n; i++) t_[i] = r->arr[ix[i]];                                                                                           \
        memcpy(r->arr, t_, sizeof(type) * (size_t)n);                                                                                                \
    } while (0)
    PERMUTE(p, double);
    PERMUTE(cls, int);
    PERMUTE(period, int);
    PERMUTE(grid, signed char);
    PERMUTE(lyap1, double);
    PERMUTE(amplitude, double);
#undef PERMUTE
    for (int i = 0; i < n; i++) memcpy(tmp + (size_t)i * row, r->pts + (size_t)ix[i] * row, sizeof(double) * row);
    memcpy(r->pts, tmp, sizeof(double) * row * (size_t)n);
    free(ix), free(tmp);
    return GD_OK;
}

/* The cli.md keys from the first boundary: outcomes of its two sides (converge: fixed at the
 * configured equilibrium; diverge; else oscillate), the first local crossing as predicted. */
static gd_outcome outcome_of(int cls, double amplitude)
{
    if (cls == GD_ATTRACTOR_DIVERGE) return GD_DIVERGE;
    return cls == GD_ATTRACTOR_FIXED && amplitude < 1e-6 ? GD_CONVERGE : GD_OSCILLATE;
}

static void first_keys(gd_critical_scan *r, const double *gamp, const double *gp, int n)
{
    r->first.value = r->first.predicted = NAN;
    r->first.iterations = r->n;
    for (int i = 0; i < r->nb; i++)
        if (r->b[i].local && isnan(r->first.predicted)) r->first.predicted = r->b[i].refined;
    if (!r->nb) return;
    const gd_critical_boundary *b = &r->b[0];
    double amp_lo = NAN, amp_hi = NAN; /* the grid values on either side */
    for (int i = 0; i + 1 < n; i++)
        if (gp[i] <= b->value && b->value <= gp[i + 1]) amp_lo = gamp[i], amp_hi = gamp[i + 1];
    r->first.value = b->value;
    r->first.below = outcome_of(b->below_cls, amp_lo), r->first.above = outcome_of(b->above_cls, amp_hi);
}

int gd_sim_critical_scan(gd_sim *s, const char *key, double lo, double hi, gd_critical_scan *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!key || !out) return gd_fmt(s->msg, GD_EUSAGE, "critical: need a key and a result struct to fill (NULL)");
    memset(out, 0, sizeof *out);
    if (!(lo < hi)) return gd_fmt(s->msg, GD_EUSAGE, "critical: need --lo < --hi");
    if (!s->stepper->type->fixed_step && s->stepper->type != &gd_integrator_cvode)
        return gd_fmt(s->msg, GD_EUSAGE, "critical --classes: integrator %s has no attractor classes; use a fixed-step rule's map or cvode (the flow)", s->stepper->type->name);
    const critical_opts *o = s->critical;
    scan S = {.key = key, .lo = lo, .hi = hi, .tol = o->tol > 0 ? o->tol : 1e-4 * (hi - lo), .dim = s->model->dim, .m = (int)o->samples, .r = out};
    out->lo = lo, out->hi = hi, out->tol = S.tol, out->dim = S.dim, out->samples = S.m;
    if (!(S.sim = gd_sim_clone(s))) return gd_fmt(s->msg, GD_ENOMEM, "out of memory (or the configuration no longer sets up)");
    int n = (int)o->n, rc = gd_sim_set(S.sim, "continuation.branches", "1"); /* the equilibrium branch only */
    int *gc = malloc(sizeof(int) * 2 * (size_t)n), *gk = gc + n;
    double *gp = malloc(sizeof(double) * 2 * (size_t)n), *gamp = gp + n;
    if (!gc || !gp) rc = gd_fmt(S.sim->msg, GD_ENOMEM, "out of memory");
    for (int i = 0; rc == GD_OK && i < n; i++) {
        gp[i] = i == n - 1 ? hi : lo + (hi - lo) * i / (n - 1);
        rc = probe(&S, gp[i], 1, &gc[i], &gk[i]);
        if (rc == GD_OK) gamp[i] = out->amplitude[out->n - 1];
    }
    if (rc == GD_OK) rc = boundaries(&S, gc, gk, gp, n);
    if (rc == GD_OK) first_keys(out, gamp, gp, n);
    if (rc == GD_OK) rc = sort_probes(&S);
    if (rc == GD_OK && !(out->param = strdup(key))) rc = gd_fmt(S.sim->msg, GD_ENOMEM, "out of memory");
    if (rc != GD_OK) gd_fmt(s->msg, rc, "critical: %s", S.sim->msg);
    /* fractions of the classes among the probes inside each mixed interval */
    for (int j = 0; rc == GD_OK && j < out->nb; j++) {
        gd_critical_boundary *b = &out->b[j];
        int cnt = 0;
        if (strcmp(b->kind, "mixed")) continue;
        for (int i = 0; i < out->n; i++)
            if (out->p[i] >= b->value && out->p[i] <= b->end) b->fraction[out->cls[i]] += 1, cnt++;
        for (int c = 0; c < 8; c++) b->fraction[c] = cnt ? b->fraction[c] / cnt : 0;
    }
    free(gc), free(gp);
    gd_sim_free(&S.sim);
    if (rc != GD_OK) gd_critical_scan_free(out);
    return rc;
}

void gd_critical_scan_free(gd_critical_scan *r)
{
    if (!r) return;
    free(r->param), free(r->p), free(r->cls), free(r->period), free(r->grid), free(r->lyap1), free(r->amplitude), free(r->pts), free(r->b);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ file ------- */
static int write_ints(gd_h5 *f, const char *path, hsize_t n, const int *v)
{
    double *d = malloc(sizeof(double) * (n ? n : 1));
    if (!d) return GD_ENOMEM;
    for (hsize_t i = 0; i < n; i++) d[i] = v[i];
    int rc = gd_h5_write(f, path, 1, &n, d);
    free(d);
    return rc;
}

/* /boundaries/{value, end, local, below_class, below_period, above_class, above_period,
 * refined, theta, coeff, fractions [nb, 8]} and the string attributes kind, type,
 * criticality, resonance (';'-separated). */
static int write_boundaries(gd_h5 *f, const gd_critical_scan *r)
{
    int nb = r->nb, rc = GD_OK;
    hsize_t n = (hsize_t)nb, fd[2] = {n, 8};
    double *v = malloc(sizeof(double) * (size_t)(nb ? nb : 1) * 18);
    char *names[4] = {NULL};
    size_t lens[4] = {0}, caps[4] = {0};
    if (!v) return GD_ENOMEM;
    static const char *const cols[] = {"value", "end", "local", "below_class", "below_period", "above_class", "above_period", "refined", "theta", "coeff"};
    for (int c = 0; c < 10 && rc == GD_OK; c++) {
        for (int j = 0; j < nb; j++) {
            const gd_critical_boundary *b = &r->b[j];
            double row[10] = {b->value, b->end, b->local, b->below_cls, b->below_period, b->above_cls, b->above_period, b->refined, b->theta, b->coeff};
            v[j] = row[c];
        }
        char path[64];
        snprintf(path, sizeof path, "/boundaries/%s", cols[c]);
        rc = gd_h5_write(f, path, 1, &n, v);
    }
    for (int j = 0; j < nb; j++) memcpy(v + (size_t)j * 8, r->b[j].fraction, sizeof(double) * 8);
    if (rc == GD_OK) rc = gd_h5_write(f, "/boundaries/fractions", 2, fd, v);
    for (int j = 0; j < nb; j++) {
        const gd_critical_boundary *b = &r->b[j];
        const char *s[4] = {b->kind, b->type, b->criticality, b->resonance};
        for (int k = 0; k < 4; k++) gd_strbuf_add(&names[k], &lens[k], &caps[k], "%s%s", j ? ";" : "", s[k]);
    }
    static const char *const attrs[] = {"kind", "type", "criticality", "resonance"};
    for (int k = 0; k < 4; k++) {
        if (rc == GD_OK) rc = gd_h5_attr_string(f, "/boundaries", attrs[k], names[k] ? names[k] : "");
        free(names[k]);
    }
    free(v);
    return rc;
}

int gd_sim_write_critical(gd_sim *s, const char *path, const gd_critical_scan *r)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path || !r || !r->p) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_write_critical: need a path and a scan result");
    gd_h5 *f = NULL;
    int rc = gd_h5_create(path, &f, s->msg);
    if (rc != GD_OK) return rc;
    hsize_t n = (hsize_t)r->n, sd[3] = {n, (hsize_t)r->samples, (hsize_t)r->dim};
    double *g = malloc(sizeof(double) * (r->n ? (size_t)r->n : 1)), range[3] = {r->lo, r->hi, r->tol};
    if (!g) rc = GD_ENOMEM;
    for (int i = 0; g && i < r->n; i++) g[i] = r->grid[i];
    if (rc == GD_OK) rc = gd_h5_root_attrs(f, s->command, s->config_text);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/p", 1, &n, r->p);
    if (rc == GD_OK) rc = write_ints(f, "/scan/class", n, r->cls);
    if (rc == GD_OK) rc = write_ints(f, "/scan/period", n, r->period);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/grid", 1, &n, g);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/lyap1", 1, &n, r->lyap1);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/amplitude", 1, &n, r->amplitude);
    if (rc == GD_OK) rc = gd_h5_write(f, "/scan/samples", 3, sd, r->pts);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/scan", "param", r->param);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/scan", "range", 3, range);
    if (rc == GD_OK) rc = write_boundaries(f, r);
    free(g);
    if (rc != GD_OK) {
        gd_h5_abort(&f);
        return gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    }
    return gd_h5_commit(&f, s->msg);
}
