/* SPDX-License-Identifier: BSD-3-Clause
 *
 * leapfrog: generator half step, discriminator full step, generator half step, each
 * with the field at the latest values (a Strang splitting of the two players' updates;
 * for fields where F_theta depends on theta it is not the implicit Stormer-Verlet).
 */
#include "gd_impl.h"

#include <string.h>

static const gd_substep sequence[3] = {{0, 0.5, 1}, {1, 1.0, 1}, {0, 0.5, 1}};

static int leapfrog_advance(gd_lane *L, double *x) { return gd_lane_substeps(L, x, sequence, 3, NULL); }

static int leapfrog_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    double *y = s->w[1];
    memcpy(y, x, sizeof(double) * (size_t)s->dim);
    return gd_lane_substeps(&s->lane, y, sequence, 3, M);
}

const gd_integrator_type gd_integrator_leapfrog = {
    .name = "leapfrog",
    .summary = "leapfrog: generator half step, discriminator full step, generator half step",
    .order = 2,
    .fixed_step = 1,
    .advance = leapfrog_advance,
    .map_jacobian = leapfrog_map_jacobian,
};
