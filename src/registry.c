/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The two registries. Adding a model or an integrator is one file in models/ or
 * integrators/ plus one line here; config, `gandyn list`, tests and docs iterate these.
 */
#include "gd_impl.h"

extern const gd_model_type gd_model_dirac, gd_model_linear, gd_model_kernel_gda, gd_model_torus, gd_model_functional,
    gd_model_particles;

const gd_model_type *const gd_model_registry[] = {
    &gd_model_dirac,
    &gd_model_linear,
    &gd_model_kernel_gda,
    &gd_model_torus,
    &gd_model_functional,
    &gd_model_particles,
    NULL,
};

extern const gd_integrator_type gd_integrator_simgd, gd_integrator_altgd, gd_integrator_symplectic_euler,
    gd_integrator_extragradient, gd_integrator_optimistic, gd_integrator_leapfrog, gd_integrator_implicit_midpoint,
    gd_integrator_heun, gd_integrator_rk4, gd_integrator_cvode;

const gd_integrator_type *const gd_integrator_registry[] = {
    &gd_integrator_simgd,
    &gd_integrator_altgd,
    &gd_integrator_symplectic_euler,
    &gd_integrator_extragradient,
    &gd_integrator_optimistic,
    &gd_integrator_leapfrog,
    &gd_integrator_implicit_midpoint,
    &gd_integrator_heun,
    &gd_integrator_rk4,
    &gd_integrator_cvode,
    NULL,
};
