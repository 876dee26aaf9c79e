/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The CVODE setup shared by the cvode rule, Lyapunov spectra and periodic orbits
 * (cvode_setup.h).
 */
#include "cvode_setup.h"
#include "../integrators/cvode_vec.h"
#include "gd_impl.h"

#include <string.h>
#include <sundials/sundials_version.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>

#if SUNDIALS_VERSION_MAJOR < 7
static void quiet(int code, const char *module, const char *function, char *msg, void *ud) { (void)code, (void)module, (void)function, (void)msg, (void)ud; }
#endif

void gd_cv_release(gd_cv *h)
{
    if (h->mem) CVodeFree(&h->mem);
    if (h->LS) SUNLinSolFree(h->LS);
    if (h->NLS) SUNNonlinSolFree(h->NLS);
    if (h->A) SUNMatDestroy(h->A);
    if (h->y) N_VDestroy(h->y);
    if (h->ctx) SUNContext_Free(&h->ctx);
    memset(h, 0, sizeof *h);
}

int gd_cv_open(gd_cv *h, const gd_cv_spec *sp)
{
    memset(h, 0, sizeof *h);
#if SUNDIALS_VERSION_MAJOR >= 7
    if (SUNContext_Create(SUN_COMM_NULL, &h->ctx) < 0) return GD_ENOMEM;
    SUNContext_ClearErrHandlers(h->ctx); /* the library never prints */
#else
    if (SUNContext_Create(NULL, &h->ctx) < 0) return GD_ENOMEM;
#endif
    h->y = N_VNew_Serial(sp->len, h->ctx);
    h->mem = CVodeCreate(sp->bdf ? CV_BDF : CV_ADAMS, h->ctx);
    if (!h->y || !h->mem) return GD_ENOMEM;
    /* Small systems are dominated by per-call vector overhead; fused operations (linear
     * combinations over the Nordsieck history) make far fewer calls per step. */
    if (N_VEnableFusedOps_Serial(h->y, SUNTRUE) < 0) return GD_ESOLVER;
    gd_cvode_fast_ops(h->y);
#if SUNDIALS_VERSION_MAJOR < 7
    if (CVodeSetErrHandlerFn(h->mem, sp->errfn ? sp->errfn : quiet, sp->ud) < 0) return GD_ESOLVER;
#endif
    memset(N_VGetArrayPointer(h->y), 0, sizeof(double) * (size_t)sp->len);
    if (CVodeInit(h->mem, sp->rhs, 0.0, h->y) < 0 || CVodeSetUserData(h->mem, sp->ud) < 0 || CVodeSetMaxNumSteps(h->mem, sp->max_steps) < 0)
        return GD_ESOLVER;
    if (!sp->atol_v) return CVodeSStolerances(h->mem, sp->rtol, sp->atol) < 0 ? GD_ESOLVER : GD_OK;
    N_Vector tol = N_VClone(h->y);
    if (!tol) return GD_ENOMEM;
    memcpy(N_VGetArrayPointer(tol), sp->atol_v, sizeof(double) * (size_t)sp->len);
    int bad = CVodeSVtolerances(h->mem, sp->rtol, tol) < 0;
    N_VDestroy(tol);
    return bad ? GD_ESOLVER : GD_OK;
}

int gd_cv_fixed_point(gd_cv *h)
{
    if (!(h->NLS = SUNNonlinSol_FixedPoint(h->y, 0, h->ctx))) return GD_ENOMEM;
    return CVodeSetNonlinearSolver(h->mem, h->NLS) < 0 ? GD_ESOLVER : GD_OK;
}

int gd_cv_dense(gd_cv *h, CVLsJacFn jac)
{
    long n = N_VGetLength(h->y);
    h->A = SUNDenseMatrix(n, n, h->ctx);
    h->LS = h->A ? SUNLinSol_Dense(h->y, h->A, h->ctx) : NULL;
    if (!h->LS) return GD_ENOMEM;
    if (CVodeSetLinearSolver(h->mem, h->LS, h->A) < 0) return GD_ESOLVER;
    return jac && CVodeSetJacFn(h->mem, jac) < 0 ? GD_ESOLVER : GD_OK;
}

int gd_var_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud)
{
    (void)t;
    gd_var_sys *v = ud;
    const double *u = N_VGetArrayPointer(y);
    double *du = N_VGetArrayPointer(ydot);
    int n = v->n;
    if (gd_model_field_ws(v->m, v->ws, u, du) != GD_OK || gd_model_jacobian_ws(v->m, v->ws, u, v->J) != GD_OK) {
        v->failed = 1;
        return -1;
    }
    double tr = 0;
    for (int i = 0; i < n; i++) tr += v->J[i * n + i];
    for (int j = 0; j < v->k; j++) {
        const double *yj = u + n + (size_t)j * n;
        double *dy = du + n + (size_t)j * n;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int l = 0; l < n; l++) s += v->J[(size_t)i * n + l] * yj[l];
            dy[i] = s;
        }
    }
    du[n + n * v->k] = tr;
    return 0;
}
