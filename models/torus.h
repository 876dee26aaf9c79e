/* SPDX-License-Identifier: BSD-3-Clause
 *
 * torus options and set-up data, shared by the model (torus.c) and its batched sweep field
 * (torus_batch.c, compiled with -ffast-math).
 */
#ifndef GD_TORUS_H
#define GD_TORUS_H

#include "gandyn/torus.h" /* gd_torus_plan */

#include <stddef.h>

enum { OBJ_PRODUCT, OBJ_DAMPED, OBJ_MODE, OBJ_POISSON, OBJ_REXP, OBJ_GRID };
enum { FLOW_TRUNCATED, FLOW_REAL };
enum { MASK_LINF, MASK_L1, MASK_L2 };
enum { PLAN_ESTIMATE, PLAN_MEASURE };

typedef struct {
    int objective, flow, mask, plan;
    long N, M, quad_nodes, n_gen, n_disc;
    double eta_g, eta_d;
    double s, eps_g, eps_d;           /* product, damped */
    double alpha, beta_mode;          /* mode */
    double r;                         /* poisson */
    double rho, beta, kappa, delta;   /* rexp */
    char *file, *dataset, *wisdom;    /* grid samples; FFTW wisdom file */
} torus_opts;

typedef struct {
    int d, N, M;           /* angles n + m, order, grid size */
    size_t nodes;          /* M^d */
    gd_torus_plan *plan;   /* the coefficient extraction; holds the normalised spectrum */
    double *cr, *ci;       /* d = 2: masked c_kl, l = 0..N (row l), k = -N..N (column k + N): real, imaginary */
    int nterm, *tk;        /* d > 2: the kept multi-indices with last entry >= 0, d ints each */
    double *tc;            /* ... and their coefficients times the Hermitian weight: re, im */
    double *qx, *qw;       /* Gauss-Laguerre nodes and weights (rexp) */
    int nq;
    double *grid;          /* the samples (kept for output) */
    double seed[6];        /* where Newton starts for the equilibrium */
} torus_priv;

/* The pure terms eps_g, eps_d when not given: damped's (eps_g = -0.02, eps_d = 0.08: a first-order damped centre), else none. */
static inline double torus_eps_default(int objective, int disc) { return objective == OBJ_DAMPED ? (disc ? 0.08 : -0.02) : 0.0; }

extern const char *const gd_torus_batch_params[];
int gd_torus_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v);
int gd_torus_batch_varies(const gd_model *m, int j);

#endif
