/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The CVODE setup every flow integration shares (the cvode rule, Lyapunov spectra, periodic
 * orbits): a context that never prints, one serial vector, CVODE initialised on it with the
 * tolerances, the user data and a step limit, and the corrector (Adams with fixed-point
 * iteration, or Newton on a dense matrix). Callers add what is theirs (root functions,
 * Krylov solvers) to h->mem afterwards.
 */
#ifndef GD_CVODE_SETUP_H
#define GD_CVODE_SETUP_H

#include <cvode/cvode.h>
#include <gandyn.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_linearsolver.h>
#include <sundials/sundials_matrix.h>
#include <sundials/sundials_nonlinearsolver.h>

typedef struct {
    SUNContext ctx;
    void *mem;
    N_Vector y;
    SUNMatrix A;
    SUNLinearSolver LS;
    SUNNonlinearSolver NLS;
} gd_cv;

/* What gd_cv_open needs: len equations y' = rhs(t, y; ud) from y = 0 at t = 0; BDF or Adams;
 * relative tolerance rtol and absolute atol, or per component atol_v when not NULL;
 * SUNDIALS < 7 routes its error messages to errfn (NULL: dropped). */
typedef struct {
    long len;
    int bdf;
    CVRhsFn rhs;
    void *ud;
    double rtol, atol;
    const double *atol_v;
    long max_steps;
    void (*errfn)(int code, const char *module, const char *function, char *msg, void *ud);
} gd_cv_spec;

/* Context, vector and CVODE memory initialised as spec says, without a corrector. GD_OK, else
 * GD_ENOMEM or GD_ESOLVER (a setter refused); *h is released by gd_cv_release either way. */
int gd_cv_open(gd_cv *h, const gd_cv_spec *spec);
/* The corrector: fixed-point iteration (Adams), or Newton on a dense matrix from jac (NULL:
 * CVODE's difference quotients). */
int gd_cv_fixed_point(gd_cv *h);
int gd_cv_dense(gd_cv *h, CVLsJacFn jac);
void gd_cv_release(gd_cv *h);

/* The variational system u = (x, Y, c) of a model's flow: x' = F(x), Y' = J(x) Y for k
 * tangent vectors (column j at u + n + j n), c' = tr J(x); len = n + n k + 1. J is the model's
 * (analytic, else its central differences). Lyapunov spectra and periodic orbits use it. */
typedef struct {
    const gd_model *m;
    gd_model_ws *ws;
    int n, k;   /* state dimension, tangent vectors */
    double *J;  /* n x n scratch */
    int failed; /* the model's field or Jacobian failed */
    int pieces; /* Lyapunov spectra: QR steps per reorth interval */
} gd_var_sys;
int gd_var_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud);

#endif
