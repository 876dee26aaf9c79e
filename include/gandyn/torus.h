/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The torus model's own functions (docs/models/torus.md): its objective's Fourier coefficients,
 * truncated series, objective and grid field, and the coefficient extraction as a reusable
 * FFTW-style plan. Every function taking a gd_model wants one of type torus.
 */
#ifndef GANDYN_TORUS_H
#define GANDYN_TORUS_H

#include "gandyn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The normalised DFT coefficient c_kl of the sampled objective for |k|, |l| <= M/2 (before
 * the mask; aliased sums where the grid is too coarse). GD_EUSAGE for another model, a
 * flow = real model, more than two angles, or indices out of range. */
GD_EXPORT int gd_torus_coefficient(const gd_model *m, int k, int l, double *re, double *im);
/* The same for any number of angles d = n_gen + n_disc: k holds d signed frequencies. */
GD_EXPORT int gd_torus_coefficient_nd(const gd_model *m, const int *k, double *re, double *im);
/* The masked truncation F_N at x (d angles): value, gradient (d), Hessian (d = 2: theta-theta,
 * theta-phi, phi-phi; d > 2: d x d row-major); any output may be NULL. */
GD_EXPORT int gd_torus_series(const gd_model *m, const double *x, double *F, double *grad, double *hess);
/* The objective itself (closed form or quadrature): value and gradient, either may be NULL.
 * GD_ENOTAVAIL for objective = grid. */
GD_EXPORT int gd_torus_objective(const gd_model *m, const double *x, double *F, double *grad);

/* The truncated field V = (-eta_g dF_N/dtheta, eta_d dF_N/dphi) at the Mf x Mf nodes
 * (2 pi j/Mf, 2 pi k/Mf), row-major, by spectral differentiation and inverse FFT (for grid
 * pictures; ODEs use the direct sum). Mf even, >= 2N + 2. */
GD_EXPORT int gd_torus_grid_field(const gd_model *m, int Mf, double *u, double *v);
/* The coefficient extraction on its own, FFTW style: plan once for rank angles (1..6) and an
 * even M (measure = 1: FFTW_MEASURE, using any wisdom imported before), then execute on any
 * number of row-major M^rank sample grids F[j_1]...[j_rank] = F(2 pi j_1/M, ...); each
 * execution holds the normalised coefficients c_k, |k_i| <= M/2 (k: rank signed integers),
 * read with gd_torus_plan_coefficient. NULL on bad sizes or out of memory. The torus model
 * runs its setup through this. */
typedef struct gd_torus_plan gd_torus_plan;
GD_EXPORT gd_torus_plan *gd_torus_plan_create(int rank, int M, int measure);
GD_EXPORT void gd_torus_plan_execute(gd_torus_plan *plan, const double *samples);
GD_EXPORT void gd_torus_plan_coefficient(const gd_torus_plan *plan, const int *k, double *re, double *im);
GD_EXPORT void gd_torus_plan_free(gd_torus_plan **plan);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_TORUS_H */
