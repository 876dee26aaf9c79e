/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dirac-GAN options, shared by the model (dirac.c) and its batched sweep field
 * (dirac_batch.c, compiled with -ffast-math).
 */
#ifndef GD_DIRAC_H
#define GD_DIRAC_H

enum { LOSS_GAN, LOSS_NSGAN, LOSS_WGAN };
enum { REG_NONE, REG_GP, REG_NOISE, REG_CONSENSUS, REG_WGAN_GP, REG_CLIP };
enum { CO_EXACT, CO_NOTEBOOK };

typedef struct {
    int loss, reg;
    double gamma, sigma, clip, g0;
    long noise_nodes;
    int co_form;
    double sign_eps;
    long allow_negative;
} dirac_opts;

int gd_dirac_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v);
int gd_dirac_stage_batch(const gd_model *m, int n, const double *p, const double *at, const gd_stage *st, const double *hg, const double *hd,
                         const double *frozen, int i0, int i1);

#endif
