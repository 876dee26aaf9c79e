/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Private layout of gd_sim, shared by the run (sim.c) and the analyses (analysis.c,
 * rate.c, portrait.c).
 */
#ifndef GD_SIM_IMPL_H
#define GD_SIM_IMPL_H

#include "gd_impl.h"

typedef struct { char *section, *key, *value; } entry;

typedef struct {
    char *x0;
    long save_every;
    char *output;
} run_opts;

typedef struct {
    char *x, *y;
    double converge_tol, diverge_radius;
} sweep_opts;

typedef struct {
    double r_hi, r_lo, t_end, rtol, atol;
} rate_opts;

typedef struct {
    char *box, *plane;
    long grid, starts, seeds;
} portrait_opts;

typedef struct {
    double *x0, *xf;
    long steps;
    double t;
    gd_outcome outcome;
} traj_result;

struct gd_sim {
    entry *e;
    int ne, cap;
    gd_model *model;
    gd_stepper *stepper;
    run_opts run;
    sweep_opts sweep;
    rate_opts rate;
    portrait_opts portrait;
    double *starts; /* nstart * dim */
    double *eq;     /* the model's equilibrium, when eq_known */
    int eq_known;
    int nstart;
    traj_result *res;
    int nres;
    char *config_text, *command;
    double *scratch[8];
    int ready;
    char msg[GD_MSG_LEN];
};


/* Buffers of the analyses, owned by the sim (freed with it). */
double *gd_sim_scratch(gd_sim *s, int slot, size_t n);

#endif
