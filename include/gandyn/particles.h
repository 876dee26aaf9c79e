/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The particles model's own functions (docs/models/particles.md): MMD between weighted point
 * clouds, and the model's divergence and critic gradient at a state.
 */
#ifndef GANDYN_PARTICLES_H
#define GANDYN_PARTICLES_H

#include "gandyn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MMD_k^2 between the weighted clouds x (n points) and y (m points) in R^d, Gaussian kernel
 * of width sigma; wx or wy NULL: equal weights. */
GD_EXPORT double gd_particles_mmd2(int d, int n, const double *x, const double *wx, int m, const double *y, const double *wy, double sigma);
/* The divergence J(mu_x) of the model's critic at the state x (dim values: the particles, or
 * for generator = affine (W, b), whose points W z_q + b are the particles). */
GD_EXPORT int gd_particles_objective(const gd_model *m, const double *x, double *J);
/* grad Phi_mu(z) of the critic for the state x at any point z (d values): the particles' field
 * is minus this at the particles. GD_ENOTAVAIL for w1 with several data points. */
GD_EXPORT int gd_particles_critic_gradient(const gd_model *m, const double *x, const double *z, double *grad);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_PARTICLES_H */
