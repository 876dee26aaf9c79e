/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Phase portraits (`gandyn portrait`): the field in a plane of two coordinates (the
 * others held at the first start), trajectories from a lattice of starts, and every
 * equilibrium that damped Newton finds from a grid of seeds in the box, deduplicated and
 * classified by its Jacobian's eigenvalues.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int ix, iy;
    double lo[2], hi[2];
} plane;

static int parse_plane(gd_sim *s, plane *p)
{
    int dim = s->model->dim;
    p->ix = 0, p->iy = s->model->ngen < dim ? s->model->ngen : 1;
    const char *pl = s->portrait.plane;
    if (pl && pl[0] && sscanf(pl, "%d,%d", &p->ix, &p->iy) != 2)
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.plane = '%s': expected two coordinate indices I,J", pl);
    if (p->ix < 0 || p->iy < 0 || p->ix >= dim || p->iy >= dim || p->ix == p->iy)
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.plane = %d,%d: need two different coordinates in 0..%d", p->ix, p->iy, dim - 1);
    char tail;
    if (sscanf(s->portrait.box, "%lf:%lf:%lf:%lf%c", &p->lo[0], &p->hi[0], &p->lo[1], &p->hi[1], &tail) != 4 ||
        !(p->lo[0] < p->hi[0]) || !(p->lo[1] < p->hi[1]) || !isfinite(p->hi[0] - p->lo[0]) || !isfinite(p->hi[1] - p->lo[1]))
        return gd_fmt(s->msg, GD_EUSAGE, "portrait.box = '%s': expected XLO:XHI:YLO:YHI with XLO < XHI, YLO < YHI", s->portrait.box);
    return GD_OK;
}

/* Replace s->starts by an N x N lattice (cell centres) in the plane, the rest from x0. */
static int lattice_starts(gd_sim *s, const plane *p, double *base)
{
    long N = s->portrait.starts;
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
    const char **type;
    int k, cap, dim;
} eqlist;

static int eq_add(eqlist *L, gd_model *m, const double *x)
{
    int d = L->dim;
    for (int q = 0; q < L->k; q++) { /* the same point found from another seed */
        double dd = 0, nx = 0;
        for (int i = 0; i < d; i++) dd += pow(L->x[q * d + i] - x[i], 2), nx += x[i] * x[i];
        if (sqrt(dd) <= 1e-6 * (1 + sqrt(nx))) return GD_OK;
    }
    if (L->k == L->cap) {
        int nc = L->cap ? 2 * L->cap : 8;
        double *a = realloc(L->x, sizeof(double) * (size_t)(nc * d)), *b = a ? realloc(L->re, sizeof(double) * (size_t)(nc * d)) : NULL;
        if (a) L->x = a;
        if (b) L->re = b;
        double *c = b ? realloc(L->im, sizeof(double) * (size_t)(nc * d)) : NULL;
        if (c) L->im = c;
        const char **t = c ? realloc(L->type, sizeof(char *) * (size_t)nc) : NULL;
        if (!t) return GD_ENOMEM;
        L->type = t;
        L->cap = nc;
    }
    double *J = malloc(sizeof(double) * (size_t)(d * d)), scale = 0;
    if (!J) return GD_ENOMEM;
    memcpy(L->x + L->k * d, x, sizeof(double) * (size_t)d);
    int rc = gd_model_jacobian(m, x, J);
    if (rc == GD_OK) rc = gd_eigenvalues(d, J, L->re + L->k * d, L->im + L->k * d);
    for (int i = 0; i < d * d; i++) scale = fmax(scale, fabs(J[i]));
    L->type[L->k] = gd_fixed_point_type(d, L->re + L->k * d, L->im + L->k * d, scale);
    free(J);
    if (rc == GD_OK) L->k++;
    return rc;
}

/* Newton from every seed of a grid in the box; keep the roots inside the box. */
static int find_equilibria(gd_sim *s, const plane *p, const double *base, eqlist *L)
{
    int d = s->model->dim, rc = GD_OK;
    long N = s->portrait.seeds;
    double *x0 = malloc(sizeof(double) * 2 * (size_t)d), *x = x0 + d;
    if (!x0) return GD_ENOMEM;
    for (long j = 0; j < N && rc == GD_OK; j++)
        for (long i = 0; i < N && rc == GD_OK; i++) {
            memcpy(x0, base, sizeof(double) * (size_t)d);
            x0[p->ix] = p->lo[0] + (p->hi[0] - p->lo[0]) * (i + 0.5) / N;
            x0[p->iy] = p->lo[1] + (p->hi[1] - p->lo[1]) * (j + 0.5) / N;
            if (gd_model_newton(s->model, x0, x) != GD_OK) continue; /* no root from this seed */
            if (x[p->ix] < p->lo[0] || x[p->ix] > p->hi[0] || x[p->iy] < p->lo[1] || x[p->iy] > p->hi[1]) continue;
            rc = eq_add(L, s->model, x);
        }
    free(x0);
    return rc;
}

static int write_equilibria(gd_h5 *f, const eqlist *L)
{
    hsize_t d2[2] = {(hsize_t)L->k, (hsize_t)L->dim};
    int rc = gd_h5_attr_long(f, "/equilibria", "count", L->k);
    if (rc != GD_OK || L->k == 0) return rc;
    rc = gd_h5_write(f, "/equilibria/position", 2, d2, L->x);
    if (rc == GD_OK) rc = gd_h5_write(f, "/equilibria/eig_re", 2, d2, L->re);
    if (rc == GD_OK) rc = gd_h5_write(f, "/equilibria/eig_im", 2, d2, L->im);
    char types[4096] = "";
    for (int q = 0; q < L->k; q++)
        snprintf(types + strlen(types), sizeof types - strlen(types), "%s%s", q ? "," : "", L->type[q]);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/equilibria", "types", types);
    return rc;
}

int gd_sim_portrait(gd_sim *s, const char *path, int *nequilibria)
{
    if (!s->ready) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_setup has not succeeded");
    plane p;
    int rc = parse_plane(s, &p), d = s->model->dim;
    if (rc != GD_OK) return rc;
    double *base = malloc(sizeof(double) * (size_t)d);
    eqlist L = {.dim = d};
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
    if (rc == GD_OK) rc = find_equilibria(s, &p, base, &L);
    if (rc == GD_OK && f && (gd_sim_write_model(s, f) != GD_OK || gd_sim_write_field(s, f, p.ix, p.iy, p.lo, p.hi, (int)s->portrait.grid, base) != GD_OK ||
                        write_equilibria(f, &L) != GD_OK || gd_h5_attr_doubles(f, "/field", "box", 4, (double[]){p.lo[0], p.hi[0], p.lo[1], p.hi[1]}) != GD_OK))
        rc = gd_fmt(s->msg, GD_EIO, "cannot write '%s'", path);
    rc = gd_sim_finish_output(s, &f, rc);
    free(s->starts);
    s->starts = saved;
    s->nstart = nsaved;
    *nequilibria = L.k;
    free(L.x), free(L.re), free(L.im), free(L.type), free(base);
    return rc;
}
