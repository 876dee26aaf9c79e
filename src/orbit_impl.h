/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The pieces of periodic-orbit shooting (src/orbit.c) that cycle continuation (src/cycles.c)
 * shares: the flow map with its monodromy, Floquet multipliers with the trivial one deflated,
 * and the bordered solve.
 */
#ifndef GD_ORBIT_IMPL_H
#define GD_ORBIT_IMPL_H

#include "sim_impl.h"

typedef struct gd_shooter gd_shooter;
/* CVODE on the variational equations of s's model at rtol = min(integrator.rtol, 1e-12);
 * failures into s->msg. NULL with *rc on failure. */
gd_shooter *gd_shooter_open(gd_sim *s, int *rc);
void gd_shooter_close(gd_shooter *sh);
/* A fresh model workspace after the model was set up again (a parameter changed). */
int gd_shooter_refresh(gd_shooter *sh);
/* phi = phi_T(x); M = D phi_T(x) (row-major) unless NULL. */
int gd_shooter_flow(gd_shooter *sh, const double *x, double T, double *phi, double *M);
int gd_shooter_field(gd_shooter *sh, const double *x, double *f);
/* Multipliers of the monodromy M at a point where the field is F: re[0] = f^T M f (f = F/|F|),
 * the others the eigenvalues of M on the complement of f; *trivial_error = |M f - f| there. */
int gd_floquet(int n, const double *M, const double *F, double *re, double *im, double *trivial_error);
/* A z = b in place (m x m); the minimum-norm least-squares solution where A is singular. */
int gd_solve_minnorm(int m, double *A, double *b);

/* gd_sim_orbit from the point start instead of run.x0 (the attractor classes of flows). */
int gd_orbit_from(gd_sim *s, const double *start, double period_guess, gd_orbit_result *out);

#endif
