/* SPDX-License-Identifier: BSD-3-Clause
 *
 * A model's batched field (the sweeps' path, gd_impl.h) against its scalar field, cell by
 * cell, for test_torus.c and test_kernel_gda.c.
 */
#ifndef GD_BATCH_FIELD_H
#define GD_BATCH_FIELD_H

#include "check.h"
#include "gd_impl.h"

#include <string.h>

/* n states x (structure of arrays) through the batched field of the model kv, each cell with
 * its own values of the batch parameters this configuration varies (spread around the
 * model's; an unset one is unset in every other cell), against the scalar field of a model
 * set up with that cell's values. Returns the largest difference relative to the largest
 * field entry over the cells (INFINITY when the batched field refused): near a zero of the
 * field, the rounding of its arguments (sin(alpha theta + beta phi) at a large angle) is
 * not small relative to the cell's own entries. */
static double batch_field_error(const char *type, const char *const *kv, int n, const double *x, uint64_t seed)
{
    gd_model *m = make_model(type, kv);
    const char *const *names = gd_model_type_batch_params(m->type);
    int np = 0, dim = m->dim, nkv = 0;
    while (names[np]) np++;
    while (kv[nkv]) nkv++;
    double *p = malloc(sizeof(double) * (size_t)(np * n + 2 * dim * n)), *v = p + np * n, *xi = v + dim * n, *vs = xi + dim;
    for (int j = 0; j < np; j++) {
        const gd_param *pp = gd_model_type_params(m->type);
        while (strcmp(pp->key, names[j])) pp++;
        double base = *(const double *)((const char *)m->opts + pp->offset);
        int varies = !m->type->batch_varies || m->type->batch_varies(m, j);
        for (int i = 0; i < n; i++) {
            double u = gd_uniform01(&seed), val = base == 0 ? 0.3 * (u - 0.5) : base * (0.6 + 0.8 * u);
            p[j * n + i] = !varies ? base : isnan(base) && i % 2 ? NAN : isnan(base) ? 0.3 * (u - 0.5) : val;
        }
    }
    double err = m->type->field_batch(m, n, p, x, v) == GD_OK ? 0 : INFINITY, scale = 0;
    for (int i = 0; i < n && err < INFINITY; i++) {
        const char *cell_kv[64];
        char text[16][32];
        memcpy(cell_kv, kv, sizeof(char *) * (size_t)nkv);
        int at = nkv;
        for (int j = 0; j < np; j++) { /* later settings win */
            if (isnan(p[j * n + i])) continue;
            snprintf(text[j], sizeof text[j], "%.17g", p[j * n + i]);
            cell_kv[at++] = names[j], cell_kv[at++] = text[j];
        }
        cell_kv[at] = NULL;
        gd_model *mi = make_model(type, cell_kv);
        for (int k = 0; k < dim; k++) xi[k] = x[k * n + i];
        CHECK_OK(gd_model_field(mi, xi, vs));
        for (int k = 0; k < dim; k++) err = fmax(err, fabs(v[k * n + i] - vs[k])), scale = fmax(scale, fabs(vs[k]));
        gd_model_free(&mi);
    }
    free(p);
    gd_model_free(&m);
    return err / scale;
}

#endif
