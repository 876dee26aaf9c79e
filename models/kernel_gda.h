/* SPDX-License-Identifier: BSD-3-Clause
 *
 * kernel_gda options and set-up data, shared by the model (kernel_gda.c) and its batched
 * sweep field (kernel_gda_batch.c, compiled with -ffast-math).
 */
#ifndef GD_KERNEL_GDA_H
#define GD_KERNEL_GDA_H

enum { K_GAUSS, K_RQ, K_MULTISCALE, K_LAPLACE };
enum { REP_LINEAR, REP_FEATURES, REP_EXACT };
enum { FK_AUTO, FK_RANDOM, FK_QUADRATURE };
enum { GL_POINTS, GL_SPHERE, GL_GAUSSIAN };
enum { TL_POINTS, TL_LINE };

typedef struct {
    int kernel;
    double sigma, alpha;
    char *scales, *weights;
    double lambda, mu;
    long d;
    char *true_points, *true_masses, *gen_points, *gen_masses;
    int representation;
    long features, feature_seed, warm_start;
    int feature_kind;
    long history;
    int gen_layout, true_layout;
    long n_gen, n_true;
    double radius, spacing;
} kgda_opts;

typedef struct {
    int d, nr, ng, D;
    double *xr, *pr, *xg0, *pg; /* true points, masses; generated starts, masses */
    int *cluster;               /* nearest true point of each generated point */
    double gamma;               /* -2 phi'(0): 1/sigma^2 for gauss and rq */
    double excess_size;         /* Delta = sum_c |delta_c|, delta_c = p_c - (generated mass near x_c) */
    double *excess;             /* per true point: delta_c / Delta (0 when Delta = 0) */
    double *kappa;              /* per true point: delta_c gamma / lambda */
    double *om, *beta, *amp, *phi_true; /* features a_f cos(om_f . x + beta_f); phi_true = sum_i p_i phi(x_i) */
    double *eq;                 /* cached equilibrium (dim) */
    double *sc, *wt;            /* multiscale bandwidths and weights (ns of them) */
    int ns;
} kgda;

extern const char *const gd_kgda_batch_params[];
int gd_kgda_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v);
int gd_kgda_batch_varies(const gd_model *m, int j);

#endif
