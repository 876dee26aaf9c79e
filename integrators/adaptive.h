/* SPDX-License-Identifier: BSD-3-Clause
 *
 * What rmsprop and adam share (integrators/adaptive.c; docs/optimizers.md): their
 * option struct and key rows, the elementwise moment update both advance with, and the
 * frozen-second-moment map that eig linearises. rmsprop is the same code without a first
 * moment (its struct's beta1 stays 0, so m+ = g).
 */
#ifndef GD_ADAPTIVE_H
#define GD_ADAPTIVE_H

#include "gd_impl.h"

#include <math.h>
#include <stddef.h>

enum { GD_EPS_OUTSIDE, GD_EPS_INSIDE }; /* D(v) = sqrt(v) + eps | sqrt(v + eps) */

typedef struct gd_adaptive_opts {
    double beta1, beta2, eps, v0;
    double v_frozen, v_frozen_g, v_frozen_d; /* NaN: auto (0 without noise) | v_frozen */
    int eps_mode, bias_correction, freeze_v;  /* GD_EPS_*; false | true; false | true */
    int update;                               /* GD_UPDATE_SIM | GD_UPDATE_ALT (as momentum's) */
    long n_g, n_d;                            /* update = alt: sub-steps per player (altgd's) */
    int order;                                /* update = alt: 0 gen_first, 1 disc_first */
} gd_adaptive_opts;

extern const char *const gd_adaptive_bools[];     /* false | true */
extern const char *const gd_adaptive_eps_modes[]; /* outside | inside */
extern const char *const gd_adaptive_updates[];   /* sim | alt */
extern const char *const gd_adaptive_orders[];    /* gen_first | disc_first */

/* The rows both rules list (a key two rules have means the same in both); beta2 and
 * bias_correction differ only in their defaults, so each rule writes its own. */
#define GD_ADAPTIVE_O(f) offsetof(gd_adaptive_opts, f)
#define GD_ADAPTIVE_BETA2_ROW(def)                                                                                                          \
    {"beta2", GD_P_DOUBLE, GD_ADAPTIVE_O(beta2), def, "rmsprop, adam: second-moment decay (rmsprop 0.99, adam 0.999)", 0, 1, GD_PF_HI_OPEN, \
     NULL}
#define GD_ADAPTIVE_BIAS_ROW(def)                                                                                                     \
    {"bias_correction", GD_P_ENUM, GD_ADAPTIVE_O(bias_correction), def,                                                               \
     "rmsprop, adam: divide the moments by 1 - beta^k (adam true, rmsprop false)", 0, 0, 0, gd_adaptive_bools}
#define GD_ADAPTIVE_COMMON_ROWS                                                                                                          \
    {"eps", GD_P_DOUBLE, GD_ADAPTIVE_O(eps), "1e-8", "rmsprop, adam: epsilon of the denominator D(v) (0/0 := 0)", 0, INFINITY, 0, NULL}, \
        {"eps_mode", GD_P_ENUM, GD_ADAPTIVE_O(eps_mode), "outside",                                                                      \
         "rmsprop, adam: outside, D(v) = sqrt(v) + eps (PyTorch) | inside, D(v) = sqrt(v + eps) (TF1 RMSProp)", 0, 0, 0,                 \
         gd_adaptive_eps_modes},                                                                                                          \
        {"v0", GD_P_DOUBLE, GD_ADAPTIVE_O(v0), "0", "rmsprop, adam: initial second moment (1: TF1 RMSProp)", 0, INFINITY, 0, NULL},     \
        {"freeze_v", GD_P_ENUM, GD_ADAPTIVE_O(freeze_v), "false",                                                                        \
         "rmsprop, adam: true runs the frozen-second-moment map (step H/D(v_frozen), no bias correction) that eig linearises", 0, 0, 0,  \
         gd_adaptive_bools},                                                                                                              \
        {"v_frozen", GD_P_DOUBLE, GD_ADAPTIVE_O(v_frozen), "",                                                                           \
         "rmsprop, adam: the second moment eig and freeze_v hold fixed (empty: auto, 0 without noise)", 0, INFINITY, GD_PF_EMPTY, NULL}, \
        {"v_frozen_g", GD_P_DOUBLE, GD_ADAPTIVE_O(v_frozen_g), "", "rmsprop, adam: v_frozen on generator coordinates (empty: v_frozen)", \
         0, INFINITY, GD_PF_EMPTY, NULL},                                                                                                 \
        {"v_frozen_d", GD_P_DOUBLE, GD_ADAPTIVE_O(v_frozen_d), "",                                                                       \
         "rmsprop, adam: v_frozen on discriminator coordinates (empty: v_frozen)", 0, INFINITY, GD_PF_EMPTY, NULL},                               \
        {"update", GD_P_ENUM, GD_ADAPTIVE_O(update), "sim",                                                                              \
         "momentum, nesterov, rmsprop, adam: sim (both players from one field value) | alt (player by player: n_g, n_d, order)", 0, 0, 0, \
         gd_adaptive_updates},                                                                                                            \
        {"n_g", GD_P_INT, GD_ADAPTIVE_O(n_g), "1", "altgd (and update = alt): generator sub-steps per iteration", 1, 1e6, 0, NULL},       \
        {"n_d", GD_P_INT, GD_ADAPTIVE_O(n_d), "1", "altgd (and update = alt): discriminator sub-steps per iteration", 1, 1e6, 0, NULL},   \
        {"order", GD_P_ENUM, GD_ADAPTIVE_O(order), "gen_first", "altgd (and update = alt): gen_first | disc_first", 0, 0, 0,             \
         gd_adaptive_orders}

/* Moments m (adam; NULL for rmsprop) and v, n-vectors of the lane's history, at a start. */
void gd_adaptive_reset(gd_lane *L, double *m, double *v);
/* One iteration on the lane: g = F(x), the moments, x+ = P(x + H mhat / D(vhat)); with
 * update = alt, n_g and n_d such sub-steps on one player's rows each, in order. */
int gd_adaptive_advance(gd_lane *L, double *x, double *m, double *v);
/* Stepper setup: the frozen map's step must be finite. */
int gd_adaptive_init(gd_stepper *s);
/* The frozen-second-moment map's Jacobian on (x, m, v) (has_m) or (x, v); update = alt: the
 * product of the sub-steps' at their own intermediate states, from m = v = F(x) (the history
 * gd_stepper_map_jacobian_fd sets; both 0 at a fixed point). */
int gd_adaptive_map_jacobian(gd_stepper *s, const double *x, double *M, int has_m);
/* The v it holds per coordinate and the field size within which it is the rule's map. */
int gd_adaptive_map_frozen(gd_stepper *s, double *v, double *radius);

#endif
