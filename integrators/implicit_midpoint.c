/* SPDX-License-Identifier: BSD-3-Clause
 *
 * implicit_midpoint: x+ = x + H F((x + x+)/2), solved by Newton with the analytic
 * Jacobian. A-stable, symplectic, and it preserves every quadratic first integral
 * (the Dirac GAN/WGAN radius) up to the Newton tolerance.
 */
#include "gd_impl.h"

#include <complex.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double newton_tol;
    long newton_max;
} mid_opts;

#define O(f) offsetof(mid_opts, f)
static const gd_param mid_params[] = {
    {"newton_tol", GD_P_DOUBLE, O(newton_tol), "1e-14", "implicit_midpoint: Newton tolerance on the update (relative)", 0, 1, GD_PF_LO_OPEN, NULL},
    {"newton_max", GD_P_INT, O(newton_max), "50", "implicit_midpoint: Newton iteration cap", 1, 10000, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

typedef struct {
    double *J, *A, *m, *r;
    lapack_int *piv;
} mid_priv;

static void mid_free(gd_stepper *s)
{
    mid_priv *p = s->priv;
    free(p->J);
    free(p->A);
    free(p->m);
    free(p->r);
    free(p->piv);
    free(p);
}

static int mid_init(gd_stepper *s)
{
    size_t n = (size_t)s->dim;
    mid_priv *p = calloc(1, sizeof *p);
    if (!p) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    s->priv = p;
    p->J = malloc(sizeof(double) * n * n);
    p->A = malloc(sizeof(double) * n * n);
    p->m = malloc(sizeof(double) * n);
    p->r = malloc(sizeof(double) * n);
    p->piv = malloc(sizeof(lapack_int) * n);
    if (!p->J || !p->A || !p->m || !p->r || !p->piv) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    return GD_OK;
}

/* One Newton update of y: solve (I - H J(m)/2) dy = -(y - x - H F(m)), m = (x + y)/2.
 * Returns the norm of dy relative to 1 + |y|, or a negative value on failure. */
static double newton_update(gd_stepper *s, const double *x, double *y)
{
    mid_priv *p = s->priv;
    int n = s->dim;
    double *v = s->w[0];
    for (int i = 0; i < n; i++) p->m[i] = 0.5 * (x[i] + y[i]);
    if (gd_stepper_field(s, p->m, v) != GD_OK || gd_stepper_jacobian(s, p->m, p->J) != GD_OK) return -1;
    double dn = 0, yn = 0;
    for (int i = 0; i < n; i++) {
        p->r[i] = -(y[i] - x[i] - s->hv[i] * v[i]);
        for (int j = 0; j < n; j++) p->A[i * n + j] = (i == j) - 0.5 * s->hv[i] * p->J[i * n + j];
    }
    int pin = gd_blas_serial_begin(n), info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, 1, p->A, n, p->piv, p->r, 1);
    gd_blas_serial_end(pin);
    if (info != 0) return -1;
    for (int i = 0; i < n; i++) {
        y[i] += p->r[i];
        dn += p->r[i] * p->r[i];
        yn += y[i] * y[i];
    }
    return sqrt(dn) / (1 + sqrt(yn));
}

static int mid_step(gd_stepper *s, double *x, double *t)
{
    const mid_opts *o = s->opts;
    int n = s->dim;
    double *y = s->w[1], *v = s->w[2];
    int rc = gd_stepper_field(s, x, v); /* explicit Euler predictor */
    if (rc != GD_OK) return rc;
    for (int i = 0; i < n; i++) y[i] = x[i] + s->hv[i] * v[i];
    double prev = INFINITY;
    for (long it = 0; it < o->newton_max; it++) {
        double d = newton_update(s, x, y);
        if (d < 0 || !isfinite(d)) {
            s->failure = GD_FAIL_LINEAR;
            return gd_stepper_fail(s, GD_ESOLVER, "implicit_midpoint: singular Newton system or non-finite field at t = %g", *t);
        }
        /* Stop at the tolerance, or when round-off stops the iteration from improving. */
        if (d <= o->newton_tol || (d >= prev && d < 1e3 * o->newton_tol)) {
            memcpy(x, y, sizeof(double) * (size_t)n);
            gd_model_project(s->model, x);
            return GD_OK;
        }
        prev = d;
    }
    s->failure = GD_FAIL_CONV;
    return gd_stepper_fail(s, GD_ESOLVER, "implicit_midpoint: Newton did not converge in %ld iterations at t = %g (try a smaller h)",
                           o->newton_max, *t);
}

/* (I - HJ(m)/2)^-1 (I + HJ(m)/2) with m the midpoint of the step from x. */
static int mid_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    mid_priv *p = s->priv;
    int n = s->dim;
    double *y = s->w[3], t = 0;
    memcpy(y, x, sizeof(double) * (size_t)n);
    int rc = mid_step(s, y, &t);
    if (rc != GD_OK) return rc;
    for (int i = 0; i < n; i++) p->m[i] = 0.5 * (x[i] + y[i]);
    if ((rc = gd_stepper_jacobian(s, p->m, p->J)) != GD_OK) return rc;
    gd_substep_jacobian(s, p->J, -0.5, 0, n, p->A);
    gd_substep_jacobian(s, p->J, 0.5, 0, n, M);
    int pin = gd_blas_serial_begin(n), info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, n, p->A, n, p->piv, M, n);
    gd_blas_serial_end(pin);
    if (info != 0) return gd_stepper_fail(s, GD_ESOLVER, "implicit_midpoint: singular I - HJ/2");
    return GD_OK;
}

/* mu = (1 + z/2) / (1 - z/2) */
static int mid_amplify(const gd_stepper *s, double zr, double zi, double *mr, double *mi)
{
    double complex z = (zr + I * zi), mu = (1 + 0.5 * z) / (1 - 0.5 * z);
    (void)s;
    *mr = creal(mu), *mi = cimag(mu);
    return 1;
}

const gd_integrator_type gd_integrator_implicit_midpoint = {
    .name = "implicit_midpoint",
    .summary = "implicit midpoint rule x+ = x + H F((x + x+)/2), Newton with the analytic Jacobian",
    .order = 2,
    .fixed_step = 1,
    .params = mid_params,
    .opts_size = sizeof(mid_opts),
    .init = mid_init,
    .step = mid_step,
    .free = mid_free,
    .map_jacobian = mid_map_jacobian,
    .amplify = mid_amplify,
};
