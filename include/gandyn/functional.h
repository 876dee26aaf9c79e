/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The functional model's own functions (docs/models/functional.md): the spectrum of -Delta_p
 * (directly and in ground-state form), the roots of one mode's 2 x 2 block, and Delta_p itself.
 * gd_sim_spectrum (gandyn.h) gives the spectrum and the roots of a configured run without it.
 */
#ifndef GANDYN_FUNCTIONAL_H
#define GANDYN_FUNCTIONAL_H

#include "gandyn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Eigenvalues of -Delta_p on the model's grid, ascending (N^dim values; dense, N^dim <= 4096);
 * modes NULL, or N^dim x N^dim row-major with eigenfunction k in column k, normalised so that
 * the grid mean of p phi_k^2 is 1. */
GD_EXPORT int gd_functional_laplacian_spectrum(const gd_model *m, double *lambda, double *modes);
/* The same from the ground-state form H = -Delta + |grad W|^2/4 - Delta W/2, W = -log p (for
 * densities that nearly vanish on the box, e.g. a Gaussian on a box of 24 sigma). */
GD_EXPORT int gd_functional_ground_state_spectrum(const gd_model *m, double *lambda);
/* The two roots of the linear operator's block on a mode of -Delta_p with eigenvalue
 * lambda, s^+ (the larger real part) first: s^2 + eta_d (a + gamma lambda) s + eta_d eta_g b c
 * lambda = 0. zero_mode: the constant mode, whose block also holds the psi gauge relaxation. */
GD_EXPORT int gd_functional_mode_roots(const gd_model *m, double lambda, int zero_mode, double re[2], double im[2]);
/* Delta_p u for one grid function u (N^dim values, row-major, first axis slowest); out must not overlap u. */
GD_EXPORT int gd_functional_laplacian(const gd_model *m, const double *u, double *out);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_FUNCTIONAL_H */
