/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Branches of periodic orbits from Hopf points, periodic orbits and PD points (src/cycles.c), for `continue --cycles`
 * (src/continuation.c packs them into its result as branches of kind "cycle").
 */
#ifndef GD_CYCLES_IMPL_H
#define GD_CYCLES_IMPL_H

#include "sim_impl.h"

typedef struct {
    const double *x; /* the equilibrium at the Hopf point */
    double p, omega, c1re;
    int degenerate;  /* l1 degenerate: a conservative family, traced as a vertical branch */
} gd_cycle_start;

typedef struct {
    double ds0, dsmax, dsmin, xmax, newton_tol, loctol;
    long max_steps;
} gd_cycle_opts;

typedef struct {
    int dim, D;       /* state dimension; doubles per point record */
    int npts, cap;
    double *rec;      /* npts records (read them with gd_cycle_point) */
    const char *stop; /* why the branch ends: bound | x_max | stalled | max_steps | equilibrium | period */
    const char *stop_first; /* why its first point is first: start (a Hopf or PD point), else as stop */
    int vertical;     /* traced in the section form (a conservative family) */
} gd_cycle_branch;

typedef struct {
    const double *x, *re, *im; /* x0 (dim); Floquet multipliers (dim, the trivial one first) */
    double T, p, amplitude;
    int unstable, type;        /* non-trivial multipliers outside the unit circle; GD_PT_REGULAR, LP, PD, NS */
} gd_cycle_view;

/* The branch of cycles born at H, continued in the model key `key` within [lo, hi], on s (a
 * clone the caller owns: its model's value of the key is changed). Messages into s->msg. */
int gd_cycle_branch_trace(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, const gd_cycle_start *H, gd_cycle_branch *B);
/* The branch through the periodic orbit found from s's run.x0 (shooting, src/orbit.c) at the
 * key's configured value, traced both ways (continuation.start = orbit). */
int gd_cycle_branch_from_orbit(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, gd_cycle_branch *B);
/* The branch of cycles of period 2T born at the PD point P->rec[index], away from the cycle
 * run twice (amplitudes from the centroid of the cycle at the PD point). */
int gd_cycle_branch_doubled(gd_sim *s, const char *key, double lo, double hi, const gd_cycle_opts *o, const gd_cycle_branch *P, int index, gd_cycle_branch *B);
void gd_cycle_point(const gd_cycle_branch *B, int i, gd_cycle_view *v);

#endif
