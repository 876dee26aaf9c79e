/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Serial N_Vector operations with the same semantics as SUNDIALS' own (nvector_serial.c),
 * compiled with the project's flags. Only the operations on CVODE's per-step path are
 * replaced; the rest stay SUNDIALS' (see cvode_vec.h for why).
 */
#include "cvode_vec.h"

#include <math.h>

#define DATA(v) NV_DATA_S(v)
#define LEN(v) NV_LENGTH_S(v)

static void linear_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z)
{
    const sunrealtype *xd = DATA(x), *yd = DATA(y);
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = a * xd[i] + b * yd[i];
}

static void scale(sunrealtype c, N_Vector x, N_Vector z)
{
    const sunrealtype *xd = DATA(x);
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = c * xd[i];
}

static void constant(sunrealtype c, N_Vector z)
{
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(z); i < n; i++) zd[i] = c;
}

static void absolute(N_Vector x, N_Vector z)
{
    const sunrealtype *xd = DATA(x);
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = fabs(xd[i]);
}

static void inverse(N_Vector x, N_Vector z)
{
    const sunrealtype *xd = DATA(x);
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = 1.0 / xd[i];
}

static void add_const(N_Vector x, sunrealtype b, N_Vector z)
{
    const sunrealtype *xd = DATA(x);
    sunrealtype *zd = DATA(z);
    for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = xd[i] + b;
}

static sunrealtype wsqr_sum(N_Vector x, N_Vector w)
{
    const sunrealtype *xd = DATA(x), *wd = DATA(w);
    sunrealtype sum = 0;
    for (sunindextype i = 0, n = LEN(x); i < n; i++) sum += (xd[i] * wd[i]) * (xd[i] * wd[i]);
    return sum;
}

static sunrealtype wrms_norm(N_Vector x, N_Vector w) { return sqrt(wsqr_sum(x, w) / (sunrealtype)LEN(x)); }

static sunrealtype max_norm(N_Vector x)
{
    const sunrealtype *xd = DATA(x);
    sunrealtype m = 0;
    for (sunindextype i = 0, n = LEN(x); i < n; i++) m = fabs(xd[i]) > m ? fabs(xd[i]) : m;
    return m;
}

static int linear_combination(int nv, sunrealtype *c, N_Vector *X, N_Vector z)
{
    sunrealtype *zd = DATA(z);
    sunindextype n = LEN(z);
    /* z may be X[0] (CVODE's Nordsieck updates do this), so scale it in place first. */
    const sunrealtype *x0 = DATA(X[0]);
    for (sunindextype i = 0; i < n; i++) zd[i] = c[0] * x0[i];
    for (int k = 1; k < nv; k++) {
        const sunrealtype *xd = DATA(X[k]);
        for (sunindextype i = 0; i < n; i++) zd[i] += c[k] * xd[i];
    }
    return 0;
}

static int scale_add_multi(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
    const sunrealtype *xd = DATA(x);
    for (int k = 0; k < nv; k++) {
        const sunrealtype *yd = DATA(Y[k]);
        sunrealtype *zd = DATA(Z[k]);
        for (sunindextype i = 0, n = LEN(x); i < n; i++) zd[i] = a[k] * xd[i] + yd[i];
    }
    return 0;
}

void gd_cvode_fast_ops(N_Vector v)
{
    v->ops->nvlinearsum = linear_sum;
    v->ops->nvscale = scale;
    v->ops->nvconst = constant;
    v->ops->nvabs = absolute;
    v->ops->nvinv = inverse;
    v->ops->nvaddconst = add_const;
    v->ops->nvwrmsnorm = wrms_norm;
    v->ops->nvwsqrsumlocal = wsqr_sum;
    v->ops->nvmaxnorm = max_norm;
    v->ops->nvlinearcombination = linear_combination;
    v->ops->nvscaleaddmulti = scale_add_multi;
}
