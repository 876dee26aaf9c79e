/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The attractor classes of flows (src/attractor_flow.c), called by gd_sim_attractor
 * (src/attractor.c) under cvode with the [attractor] keys.
 */
#ifndef GD_ATTRACTOR_IMPL_H
#define GD_ATTRACTOR_IMPL_H

#include "sim_impl.h"

typedef struct {
    long transient, samples, period_max, max_steps; /* transient and samples in intervals of dt */
    double dt;
    int exponents; /* 0: what the fixed, periodic and stall tests leave is undetermined */
    double *keep;  /* NULL, or room for samples x dim: the samples are taken there (a basin sweep's cells) */
} gd_attractor_flow_opts;

int gd_attractor_flow(gd_sim *s, const gd_attractor_flow_opts *o, gd_attractor_result *out);

/* lambda_1 of a result (flow: it came from cvode): the exponents' first when the class was
 * decided by them; a map's orbit: ln max |mu| per iteration; a flow's equilibrium: max Re lambda
 * of J; a flow's cycle: ln max |mu| / T over the non-trivial multipliers; else NaN (stall,
 * diverge, ...). Shared by the sweep's lyap1 column and critical's. */
double gd_attractor_lambda1(const gd_attractor_result *r, int flow);

#endif
