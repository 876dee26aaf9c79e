/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Phase portraits (`gandyn portrait`): the field in a plane of two coordinates (the
 * others held at the first start), trajectories from a lattice of starts, and the
 * equilibria in the box, deduplicated, classified by their Jacobian's eigenvalues and
 * given their indices.
 *
 * The equilibrium search: damped Newton from a portrait.seeds^2 grid of seeds; then, for a
 * field of two coordinates, a census lattice (odd size, so that the box's centre and
 * quarter points are never nodes; for a periodic field with modes up to N, spaced pi/(4N)
 * or finer) where every cell in which both components may vanish gets Newton from its
 * centre and the field's winding number along its boundary. A cell that holds no
 * equilibrium found so far, or whose winding differs from their index sum, is searched
 * again by quarters, down to 1/16 of a lattice cell: this finds the zeros that sit close
 * together (two sources with a saddle between them) where Newton from a seed reaches only
 * one. The index of an equilibrium is the sign of det J, or the winding on a small circle
 * around it when J is singular. The indices must add up to the field's winding along the
 * box (argument principle), which is 0 when the box is one whole period of a periodic
 * model: Poincare-Hopf on the torus (docs/models/torus.md, `portrait`). Both numbers go to
 * the output, so a missing equilibrium shows. On a periodic model every root is moved into the
 * box by whole periods (into [lo, lo + period) when the box is one period), and duplicates are
 * recognised modulo the period.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct portrait_opts {
    char *box, *plane;
    long grid, starts, seeds;
};
#define P(f) offsetof(portrait_opts, f)
static const gd_param portrait_params[] = {
    {"box", GD_P_STRING, P(box), "-2:2:-2:2", "plane box XLO:XHI:YLO:YHI", 0, 0, 0, NULL},
    {"plane", GD_P_STRING, P(plane), "", "the two coordinates drawn, I,J (empty: first generator, first discriminator); the others stay at run.x0", 0, 0, 0, NULL},
    {"grid", GD_P_INT, P(grid), "21", "vector-field samples per axis", 2, 1000, 0, NULL},
    {"starts", GD_P_INT, P(starts), "5", "trajectories from an N x N lattice of starts in the box (0: the starts of run.x0)", 0, 100, 0, NULL},
    {"seeds", GD_P_INT, P(seeds), "12", "Newton seeds per axis when searching the box for equilibria (the census lattice: 2 seeds + 1 cells per axis, on a torus at least 8N per period)", 1, 200, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef P
const gd_section gd_section_portrait = {"portrait", portrait_params, sizeof(portrait_opts), offsetof(gd_sim, portrait)};

typedef struct {
    int ix, iy;
    double lo[2], hi[2];
} plane;

static int parse_plane(gd_sim *s, plane *p)
{
    int dim = s->model->dim;
    p->ix = 0, p->iy = s->model->ngen < dim ? s->model->ngen : 1;
    const char *pl = s->portrait->plane;
    if (pl && pl[0] && sscanf(pl, "%d,%d", &p->ix, &p->iy) != 2)
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.plane = '%s': expected two coordinate indices I,J", pl);
    if (p->ix < 0 || p->iy < 0 || p->ix >= dim || p->iy >= dim || p->ix == p->iy)
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.plane = %d,%d: need two different coordinates in 0..%d", p->ix, p->iy, dim - 1);
    char tail;
    if (sscanf(s->portrait->box, "%lf:%lf:%lf:%lf%c", &p->lo[0], &p->hi[0], &p->lo[1], &p->hi[1], &tail) != 4 ||
        !(p->lo[0] < p->hi[0]) || !(p->lo[1] < p->hi[1]) || !isfinite(p->hi[0] - p->lo[0]) || !isfinite(p->hi[1] - p->lo[1]))
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.box = '%s': expected XLO:XHI:YLO:YHI with XLO < XHI, YLO < YHI", s->portrait->box);
    return GD_OK;
}

/* Replace s->starts by an N x N lattice (cell centres) in the plane, the rest from x0. */
static int lattice_starts(gd_sim *s, const plane *p, double *base)
{
    long N = s->portrait->starts;
    int dim = s->model->dim;
    if (N == 0) return GD_OK;
    double *st = malloc(sizeof(double) * (size_t)(N * N) * (size_t)dim);
    if (!st) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    for (long j = 0; j < N; j++)
        for (long i = 0; i < N; i++) {
            double *x = st + (size_t)(j * N + i) * (size_t)dim;
            memcpy(x, base, sizeof(double) * (size_t)dim);
            x[p->ix] = p->lo[0] + (p->hi[0] - p->lo[0]) * (i + 0.5) / N;
            x[p->iy] = p->lo[1] + (p->hi[1] - p->lo[1]) * (j + 0.5) / N;
        }
    free(s->starts);
    s->starts = st;
    s->nstart = (int)(N * N);
    return GD_OK;
}

typedef struct {
    double *x, *re, *im; /* k x dim */
    double *index;       /* k: +-1, a degenerate zero's winding, NAN where undefined */
    const char **type;
    int k, cap, dim;
} eqlist;

/* The search's state: the plane, the period, scratch vectors and what it found. */
typedef struct {
    gd_model *m;
    plane p;
    double period;    /* of every coordinate; 0: not periodic */
    int whole;        /* the box is one whole period in both plane coordinates */
    double width[2];  /* the census domain from p.lo: the box, or exactly one period when whole */
    double *base;     /* dim: the point whose plane coordinates are replaced */
    double *x, *v;    /* dim scratch for the plane field */
    double *x0, *root, *img, *pol; /* Newton's seed and root, a root's image, its polished image */
    double vmax;      /* largest |v| on the census lattice: below 1e-12 of it the field vanishes */
    double hmin;      /* the finest census cell */
    long newton;      /* Newton starts */
    eqlist L;
} census;

enum { CENSUS_DEPTH = 4, CENSUS_MAX_CELLS = 257, MAX_IMAGES = 64 };

/* The plane components of the field at (a, b), the other coordinates at the base. */
static int plane_field(census *c, double a, double b, double *v2)
{
    c->x[c->p.ix] = a, c->x[c->p.iy] = b;
    if (gd_model_field(c->m, c->x, c->v) != GD_OK || !isfinite(c->v[c->p.ix]) || !isfinite(c->v[c->p.iy])) {
        v2[0] = v2[1] = NAN;
        return GD_ESOLVER;
    }
    v2[0] = c->v[c->p.ix], v2[1] = c->v[c->p.iy];
    return GD_OK;
}

/* The angle the plane field turns through along the segment a -> b (va, vb: the field at
 * the ends), halving the segment until every piece turns by less than pi/4. NAN when the
 * field vanishes on the way (a zero on the path) or does not settle. */
static double turn(census *c, const double *a, const double *va, const double *b, const double *vb, int depth)
{
    double tiny = 1e-12 * c->vmax;
    if (!(hypot(va[0], va[1]) > tiny) || !(hypot(vb[0], vb[1]) > tiny)) return NAN;
    double t = atan2(va[0] * vb[1] - va[1] * vb[0], va[0] * vb[0] + va[1] * vb[1]);
    if (fabs(t) < M_PI / 4) return t;
    double mid[2] = {0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])}, vm[2];
    if (depth >= 40 || plane_field(c, mid[0], mid[1], vm) != GD_OK) return NAN;
    return turn(c, a, va, mid, vm, depth + 1) + turn(c, mid, vm, b, vb, depth + 1);
}

/* Winding number of the plane field along the closed polygon pt (n x 2, counter-clockwise)
 * with the field val at its vertices; NAN when undefined. */
static double winding(census *c, int n, const double *pt, const double *val)
{
    double sum = 0;
    for (int i = 0; i < n && !isnan(sum); i++) {
        int j = (i + 1) % n;
        sum += turn(c, pt + 2 * i, val + 2 * i, pt + 2 * j, val + 2 * j, 0);
    }
    double w = sum / (2 * M_PI);
    return fabs(w - round(w)) < 0.1 ? round(w) : NAN;
}

/* A zero with a singular Jacobian: the winding on a circle well inside its cell and
 * closer to it than to any other equilibrium found (two coordinates only). */
static double degenerate_index(census *c, const double *x)
{
    int d = c->L.dim;
    if (d != 2 || !(c->hmin > 0)) return NAN;
    double r = 0.25 * c->hmin, pt[16][2], val[16][2];
    for (int q = 0; q < c->L.k; q++)
        r = fmin(r, 0.25 * hypot(c->L.x[q * d + c->p.ix] - x[c->p.ix], c->L.x[q * d + c->p.iy] - x[c->p.iy]));
    for (int i = 0; i < 16; i++) {
        pt[i][0] = x[c->p.ix] + r * cos(M_PI * i / 8), pt[i][1] = x[c->p.iy] + r * sin(M_PI * i / 8);
        if (plane_field(c, pt[i][0], pt[i][1], val[i]) != GD_OK) return NAN;
    }
    return r > 0 ? winding(c, 16, &pt[0][0], &val[0][0]) : NAN;
}

/* +1 or -1, the sign of det J (complex pairs count +1); a zero eigenvalue: the winding. */
static double eq_index(census *c, const double *x, const double *re, const double *im, double scale)
{
    int sign = 1;
    for (int i = 0; i < c->L.dim; i++) {
        if (hypot(re[i], im[i]) <= 1e-10 * (scale > 0 ? scale : 1)) return degenerate_index(c, x);
        if (im[i] == 0 && re[i] < 0) sign = -sign;
    }
    return sign;
}

/* Difference of coordinate i of two equilibria: modulo the period where the coordinate is
 * periodic, except for plane coordinates of a box wider than one period (whose images in
 * the box are distinct points of the picture). */
static double gap(const census *c, int i, double a, double b)
{
    int in_plane = i == c->p.ix || i == c->p.iy;
    return c->period > 0 && (c->whole || !in_plane) ? remainder(a - b, c->period) : a - b;
}

static int eq_grow(eqlist *L)
{
    if (L->k < L->cap) return GD_OK;
    int nc = L->cap ? 2 * L->cap : 8, d = L->dim;
    double *a = realloc(L->x, sizeof(double) * (size_t)(nc * d));
    if (a) L->x = a;
    double *b = a ? realloc(L->re, sizeof(double) * (size_t)(nc * d)) : NULL;
    if (b) L->re = b;
    double *e = b ? realloc(L->im, sizeof(double) * (size_t)(nc * d)) : NULL;
    if (e) L->im = e;
    double *g = e ? realloc(L->index, sizeof(double) * (size_t)nc) : NULL;
    if (g) L->index = g;
    const char **t = g ? realloc(L->type, sizeof(char *) * (size_t)nc) : NULL;
    if (!t) return GD_ENOMEM;
    L->type = t;
    L->cap = nc;
    return GD_OK;
}

static int eq_add(census *c, const double *x)
{
    eqlist *L = &c->L;
    int d = L->dim;
    for (int q = 0; q < L->k; q++) { /* the same point found from another seed */
        double dd = 0, nx = 0;
        for (int i = 0; i < d; i++) dd += pow(gap(c, i, L->x[q * d + i], x[i]), 2), nx += x[i] * x[i];
        if (sqrt(dd) <= 1e-6 * (1 + sqrt(nx))) return GD_OK;
    }
    if (eq_grow(L) != GD_OK) return GD_ENOMEM;
    double *J = malloc(sizeof(double) * (size_t)(d * d)), scale = 0, *re = L->re + L->k * d, *im = L->im + L->k * d;
    if (!J) return GD_ENOMEM;
    memcpy(L->x + L->k * d, x, sizeof(double) * (size_t)d);
    int rc = gd_model_jacobian(c->m, x, J);
    if (rc == GD_OK) rc = gd_eigenvalues(d, J, re, im);
    for (int i = 0; i < d * d; i++) scale = fmax(scale, fabs(J[i]));
    free(J);
    if (rc != GD_OK) return rc;
    L->type[L->k] = gd_fixed_point_type(d, re, im, scale);
    L->index[L->k] = eq_index(c, x, re, im, scale);
    L->k++;
    return GD_OK;
}

/* The whole periods k that move v into the box along plane axis a (k0 > k1: none). */
static void images(const census *c, int a, double v, long *k0, long *k1)
{
    double P = c->period, lo = c->p.lo[a], hi = c->p.hi[a];
    if (!(P > 0)) {
        *k0 = 0, *k1 = v >= lo && v <= hi ? 0 : -1;
    } else if (c->whole) {
        *k0 = *k1 = (long)ceil((lo - v) / P);
    } else {
        *k0 = (long)ceil((lo - v) / P), *k1 = (long)floor((hi - v) / P);
        if (*k1 - *k0 >= MAX_IMAGES) *k1 = *k0 + MAX_IMAGES - 1; /* a box of many periods: the first ones */
    }
}

static int in_box(const census *c, const double *x)
{
    for (int a = 0; a < 2; a++) {
        double v = x[a ? c->p.iy : c->p.ix], tol = 1e-9 * c->width[a];
        if (v < c->p.lo[a] - tol || v > c->p.lo[a] + c->width[a] + tol) return 0;
    }
    return 1;
}

/* An image of a root moved by whole periods, polished by Newton where the field is resolved:
 * from a seed far out Newton may stop at |x| ~ 1e8, where its relative tolerance is loose. */
static int polish(census *c, double *y)
{
    int d = c->L.dim;
    for (int i = 0; i < d; i++)
        if (i != c->p.ix && i != c->p.iy) y[i] = remainder(y[i], c->period);
    if (gd_model_newton(c->m, y, c->pol) != GD_OK) return 0;
    memcpy(y, c->pol, sizeof(double) * (size_t)d);
    for (int a = 0; a < 2 && c->whole; a++) { /* back into [lo, lo + period) if it crossed lo */
        int i = a ? c->p.iy : c->p.ix;
        y[i] += c->period * ceil((c->p.lo[a] - y[i]) / c->period);
    }
    return in_box(c, y);
}

/* A root of the field: each of its images in the box. */
static int add_root(census *c, const double *x)
{
    int d = c->L.dim, ix = c->p.ix, iy = c->p.iy, rc = GD_OK;
    long a0, a1, b0, b1;
    images(c, 0, x[ix], &a0, &a1);
    images(c, 1, x[iy], &b0, &b1);
    for (long a = a0; a <= a1 && rc == GD_OK; a++)
        for (long b = b0; b <= b1 && rc == GD_OK; b++) {
            memcpy(c->img, x, sizeof(double) * (size_t)d);
            c->img[ix] += (double)a * c->period, c->img[iy] += (double)b * c->period;
            if (c->period > 0 && !polish(c, c->img)) continue;
            rc = eq_add(c, c->img);
        }
    return rc;
}

static int newton_from(census *c, double a, double b)
{
    memcpy(c->x0, c->base, sizeof(double) * (size_t)c->L.dim);
    c->x0[c->p.ix] = a, c->x0[c->p.iy] = b;
    c->newton++;
    if (gd_model_newton(c->m, c->x0, c->root) != GD_OK) return GD_OK; /* no root from this seed */
    return add_root(c, c->root);
}

/* Newton from every seed of a grid in the box. */
static int seed_grid(census *c, long N)
{
    int rc = GD_OK;
    const plane *p = &c->p;
    for (long j = 0; j < N && rc == GD_OK; j++)
        for (long i = 0; i < N && rc == GD_OK; i++)
            rc = newton_from(c, p->lo[0] + (p->hi[0] - p->lo[0]) * (i + 0.5) / N, p->lo[1] + (p->hi[1] - p->lo[1]) * (j + 0.5) / N);
    return rc;
}

/* Both components may vanish in the cell: each one's corner values, widened by their own
 * spread (the field bends between the corners), straddle 0. */
static int may_vanish(const double cv[4][2])
{
    for (int k = 0; k < 2; k++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < 4; i++) {
            if (isnan(cv[i][k])) return 0;
            lo = fmin(lo, cv[i][k]), hi = fmax(hi, cv[i][k]);
        }
        if (lo - (hi - lo) > 0 || hi + (hi - lo) < 0) return 0;
    }
    return 1;
}

/* Index sum of the equilibria found inside [a0, a0 + ha] x [b0, b0 + hb]; *n of them. */
static double held_index(const census *c, double a0, double b0, double ha, double hb, int *n)
{
    const eqlist *L = &c->L;
    double sum = 0, ta = 1e-9 * ha, tb = 1e-9 * hb;
    *n = 0;
    for (int q = 0; q < L->k; q++) {
        double a = L->x[q * L->dim + c->p.ix], b = L->x[q * L->dim + c->p.iy];
        if (a >= a0 - ta && a <= a0 + ha + ta && b >= b0 - tb && b <= b0 + hb + tb) sum += L->index[q], ++*n;
    }
    return sum;
}

/* One census cell [a0, a0 + ha] x [b0, b0 + hb], cv its corner fields counter-clockwise
 * from (a0, b0). Settled when it holds an equilibrium and the winding along its boundary
 * equals their index sum (or cannot be told: a zero on the boundary, a curve of zeros);
 * else its quarters are searched. */
static int census_cell(census *c, double a0, double b0, double ha, double hb, const double cv[4][2], int depth)
{
    if (!may_vanish(cv)) return GD_OK;
    int rc = newton_from(c, a0 + ha / 2, b0 + hb / 2), n;
    if (rc != GD_OK) return rc;
    double held = held_index(c, a0, b0, ha, hb, &n);
    if (n > 0) {
        const double pt[4][2] = {{a0, b0}, {a0 + ha, b0}, {a0 + ha, b0 + hb}, {a0, b0 + hb}};
        double w = winding(c, 4, &pt[0][0], &cv[0][0]);
        if (isnan(w) || isnan(held) || w == held) return GD_OK;
    }
    if (depth == CENSUS_DEPTH) return GD_OK;
    double g[3][3][2]; /* the field at (a0 + i ha/2, b0 + j hb/2) */
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) {
            int corner = (i != 1 && j != 1) ? (j == 0 ? i / 2 : 3 - i / 2) : -1;
            if (corner >= 0) g[j][i][0] = cv[corner][0], g[j][i][1] = cv[corner][1];
            else plane_field(c, a0 + i * ha / 2, b0 + j * hb / 2, g[j][i]);
        }
    for (int q = 0; q < 4 && rc == GD_OK; q++) {
        int i = q % 2, j = q / 2;
        const double sub[4][2] = {{g[j][i][0], g[j][i][1]}, {g[j][i + 1][0], g[j][i + 1][1]}, {g[j + 1][i + 1][0], g[j + 1][i + 1][1]},
                                  {g[j + 1][i][0], g[j + 1][i][1]}};
        rc = census_cell(c, a0 + i * ha / 2, b0 + j * hb / 2, ha / 2, hb / 2, sub, depth + 1);
    }
    return rc;
}

/* Cells per axis of the census lattice: twice the seeds and, for a periodic field with modes
 * up to N, 8N per period (capped: the lattice costs (n + 1)^2 field evaluations); odd. */
static long lattice_cells(const census *c, long seeds)
{
    double n = 2.0 * (double)seeds + 1;
    if (c->period > 0 && c->m->frequency > 0)
        n = fmax(n, fmin(ceil(8.0 * c->m->frequency * fmax(c->width[0], c->width[1]) / c->period), CENSUS_MAX_CELLS));
    return (long)n | 1;
}

/* The field's winding along the box boundary, from the lattice nodes on it (n cells a side). */
static double box_winding(census *c, long n, const double *V)
{
    double *pt = malloc(sizeof(double) * 16 * (size_t)n), *val = pt ? pt + 8 * n : NULL, w = NAN;
    if (!pt) return NAN;
    for (long s = 0; s < 4 * n; s++) { /* counter-clockwise from (lo, lo) */
        long side = s / n, t = s % n;
        long i = side == 0 ? t : side == 1 ? n : side == 2 ? n - t : 0, j = side == 0 ? 0 : side == 1 ? t : side == 2 ? n : n - t;
        pt[2 * s] = c->p.lo[0] + c->width[0] * (double)i / (double)n, pt[2 * s + 1] = c->p.lo[1] + c->width[1] * (double)j / (double)n;
        memcpy(val + 2 * s, V + 2 * (j * (n + 1) + i), sizeof(double) * 2);
    }
    w = winding(c, (int)(4 * n), pt, val);
    free(pt);
    return w;
}

/* Two coordinates: sample the census lattice, Newton from the seeds, then the cells; returns
 * the index sum the box must show (0 on one whole period of a periodic field). */
static int census_run(census *c, long seeds, double *expected)
{
    long n = lattice_cells(c, seeds), n1 = n + 1;
    double ha = c->width[0] / (double)n, hb = c->width[1] / (double)n;
    double *V = malloc(sizeof(double) * 2 * (size_t)(n1 * n1));
    if (!V) return GD_ENOMEM;
    for (long j = 0; j < n1; j++)
        for (long i = 0; i < n1; i++) {
            double *v = V + 2 * (j * n1 + i);
            if (plane_field(c, c->p.lo[0] + (double)i * ha, c->p.lo[1] + (double)j * hb, v) == GD_OK) c->vmax = fmax(c->vmax, hypot(v[0], v[1]));
        }
    c->hmin = fmin(ha, hb) / (1 << CENSUS_DEPTH);
    int rc = seed_grid(c, seeds);
    for (long j = 0; j < n && rc == GD_OK; j++)
        for (long i = 0; i < n && rc == GD_OK; i++) {
            const double *v00 = V + 2 * (j * n1 + i), *v01 = v00 + 2 * n1;
            const double cv[4][2] = {{v00[0], v00[1]}, {v00[2], v00[3]}, {v01[2], v01[3]}, {v01[0], v01[1]}};
            rc = census_cell(c, c->p.lo[0] + (double)i * ha, c->p.lo[1] + (double)j * hb, ha, hb, cv, 0);
        }
    /* A piecewise field (switching surfaces) jumps: index theory needs a continuous one. */
    *expected = c->m->hybrid ? NAN : c->whole ? 0 : box_winding(c, n, V);
    free(V);
    return rc;
}

/* Every equilibrium in the box with its index; out gets the counts and sums. */
static int find_equilibria(gd_sim *s, const plane *p, const double *base, census *c, gd_portrait_result *out)
{
    gd_model *m = s->model;
    int d = m->dim, rc;
    c->m = m, c->p = *p, c->L.dim = d, c->period = m->period;
    c->whole = c->period > 0 && fabs(p->hi[0] - p->lo[0] - c->period) <= 1e-6 * c->period &&
               fabs(p->hi[1] - p->lo[1] - c->period) <= 1e-6 * c->period;
    for (int a = 0; a < 2; a++) c->width[a] = c->whole ? c->period : p->hi[a] - p->lo[a];
    double *w = malloc(sizeof(double) * 7 * (size_t)d), expected = NAN;
    if (!w) return GD_ENOMEM;
    c->base = w, c->x = w + d, c->v = w + 2 * d, c->x0 = w + 3 * d, c->root = w + 4 * d, c->img = w + 5 * d, c->pol = w + 6 * d;
    memcpy(c->base, base, sizeof(double) * (size_t)d);
    memcpy(c->x, base, sizeof(double) * (size_t)d);
    rc = d == 2 ? census_run(c, s->portrait->seeds, &expected) : seed_grid(c, s->portrait->seeds);
    free(w);
    c->base = c->x = c->v = c->x0 = c->root = c->img = c->pol = NULL;
    double sum = 0;
    for (int q = 0; q < c->L.k; q++) sum += c->L.index[q];
    out->equilibria = c->L.k, out->index_sum = sum, out->index_expected = expected;
    out->whole_period = c->whole, out->newton_starts = c->newton;
    return rc;
}

static int write_equilibria(gd_h5 *f, const eqlist *L, const gd_portrait_result *r)
{
    hsize_t d1 = (hsize_t)L->k, d2[2] = {(hsize_t)L->k, (hsize_t)L->dim};
    int rc = gd_h5_attr_long(f, "/equilibria", "count", L->k);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/equilibria", "index_sum", 1, &r->index_sum);
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, "/equilibria", "index_expected", 1, &r->index_expected);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/equilibria", "newton_starts", r->newton_starts);
    if (rc != GD_OK || L->k == 0) return rc;
    rc = gd_h5_write(f, "/equilibria/position", 2, d2, L->x);
    if (rc == GD_OK) rc = gd_h5_write(f, "/equilibria/eig_re", 2, d2, L->re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/equilibria/eig_im", 2, d2, L->im);
    if (rc == GD_OK) rc = gd_h5_write(f, "/equilibria/index", 1, &d1, L->index);
    size_t len = 1;
    for (int q = 0; q < L->k; q++) len += strlen(L->type[q]) + 1;
    char *types = malloc(len);
    if (!types) return GD_ENOMEM;
    types[0] = '\0';
    for (int q = 0, at = 0; q < L->k; q++) at += snprintf(types + at, len - (size_t)at, "%s%s", q ? "," : "", L->type[q]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/equilibria", "types", types);
    free(types);
    return rc;
}

int gd_sim_portrait_census(gd_sim *s, const char *path, gd_portrait_result *out)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!out) return gd_fmt(s->msg, GD_EUSAGE, "no result struct to fill (NULL)");
    memset(out, 0, sizeof *out);
    out->index_sum = out->index_expected = NAN;
    plane p;
    int rc = parse_plane(s, &p), d = s->model->dim;
    if (rc != GD_OK) return rc;
    double *base = malloc(sizeof(double) * (size_t)d);
    census c = {0};
    if (!base) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    memcpy(base, s->starts, sizeof(double) * (size_t)d);
    /* The lattice replaces the starts for this analysis; the configuration's come back. */
    double *saved = s->starts;
    int nsaved = s->nstart;
    s->starts = NULL;
    s->starts = malloc(sizeof(double) * (size_t)nsaved * (size_t)d);
    if (s->starts) memcpy(s->starts, saved, sizeof(double) * (size_t)nsaved * (size_t)d);
    rc = s->starts ? lattice_starts(s, &p, base) : GD_ENOMEM;
    gd_h5 *f = NULL;
    if (rc == GD_OK && path && path[0]) rc = gd_sim_open_output(s, path, &f); /* "": no file, as for a run */
    double lo[2], hi[2];
    if (rc == GD_OK) rc = gd_sim_integrate(s, f, lo, hi);
    if (rc == GD_OK && (rc = find_equilibria(s, &p, base, &c, out)) != GD_OK)
        gd_fmt(s->msg, rc, "portrait: %s", rc == GD_ENOMEM ? "out of memory" : "no eigenvalues of the Jacobian at an equilibrium");
    if (rc == GD_OK && f && (gd_sim_write_model(s, f) != GD_OK || gd_sim_write_field(s, f, p.ix, p.iy, p.lo, p.hi, (int)s->portrait->grid, base) != GD_OK ||
                        write_equilibria(f, &c.L, out) != GD_OK || gd_h5_attr_doubles(f, "/field", "box", 4, (double[]){p.lo[0], p.hi[0], p.lo[1], p.hi[1]}) != GD_OK))
        rc = gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    rc = gd_sim_finish_output(s, &f, rc);
    free(s->starts);
    s->starts = saved;
    s->nstart = nsaved;
    free(c.L.x), free(c.L.re), free(c.L.im), free(c.L.index), free(c.L.type), free(base);
    return rc;
}

int gd_sim_portrait(gd_sim *s, const char *path, int *nequilibria)
{
    gd_portrait_result r = {0};
    int rc = gd_sim_portrait_census(s, path, &r);
    if (nequilibria) *nequilibria = r.equilibria;
    return rc;
}
