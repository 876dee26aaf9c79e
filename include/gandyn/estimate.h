/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The dataset estimator (`gandyn estimate`): the low spectrum of -Delta_p from samples of p,
 * the functional model's operator for data given as points rather than as a density. It uses no
 * gd_model, gd_stepper or gd_sim handle.
 */
#ifndef GANDYN_ESTIMATE_H
#define GANDYN_ESTIMATE_H

#include "gandyn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The low spectrum of -Delta_p from n samples of p (docs/models/functional.md, `estimate`):
 * Coifman-Lafon diffusion maps K_ij = exp(-|x_i - x_j|^2 / 4t), q_i = sum_j K_ij, K~ = K_ij / (q_i q_j)^alpha,
 * d_i = sum_j K~_ij, S = D^-1/2 K~ D^-1/2, lambda_j = (1 - mu_j(S)) / t with mu descending.
 * alpha = 1/2 converges to Delta_p = Delta + grad log p . grad; alpha = 0 to Delta + 2 grad log p . grad
 * (the wrong operator), alpha = 1 to Laplace-Beltrami. Bias O(t); dense, n <= GD_ESTIMATE_MAX_N. */
#define GD_ESTIMATE_MAX_N 4000

typedef struct gd_estimate_opts {
    double t;     /* kernel time (bandwidth^2 / 2), > 0 */
    double alpha; /* density normalisation, 0..1 */
    int knn;      /* neighbours per point in the connectivity graph (>= n - 1: all pairs) */
} gd_estimate_opts;

/* How trustworthy the sample is at this t. Sample tails hold near-isolated points or small
 * groups of them; each makes an eigenvector of its own with a spurious small eigenvalue.
 * A mode is localised when its unit eigenvector v of S has a participation number
 * 1 / sum_i v_i^4 below min(10, n / 50) (genuine low modes of n points spread over many
 * more). Outliers are the points that carry a localised mode (v_i^2 >= 1/(2 P)) and the
 * isolated points, whose kernel mass from the others, q_i - 1, is below 0.05 (a twentieth of
 * one neighbour at distance 0).
 * A single point i also bounds lambda_1 <= (1 - s_i) / (t (1 - w_i)), s_i = K~_ii / d_i its
 * self-weight share, w_i = d_i / sum d (the Rayleigh quotient of e_i minus its mean). */
typedef struct gd_estimate_report {
    int components;       /* of the symmetrised k-nearest-neighbour graph */
    int largest;          /* points in its largest component */
    int localised;        /* localised modes among lambda[1..nev-1] */
    int first_localised;  /* the lowest one's index into lambda, -1 if none */
    int outliers;
    int worst;            /* main carrier of the lowest localised mode, else the point with the least mass */
    double worst_mass;    /* the worst point's kernel mass from the others, q_i - 1 */
    double median_mass;   /* median of q_i - 1 */
    double isolation_bound; /* min over i of the single-point bound on lambda_1 */
} gd_estimate_report;

GD_EXPORT void gd_estimate_defaults(gd_estimate_opts *o); /* t = 0.02, alpha = 1/2, knn = 10 */
/* x: n points of dimension d, row-major; o NULL: the defaults. lambda receives the nev
 * smallest eigenvalues ascending (lambda[0] ~ 0); rep may be NULL. msg (512 bytes) gets one
 * line on failure: GD_EUSAGE for bad arguments, GD_ENOMEM, GD_ESOLVER. */
GD_EXPORT int gd_estimate_spectrum(int n, int d, const double *x, const gd_estimate_opts *o, int nev, double *lambda,
                                   gd_estimate_report *rep, char *msg);
/* Points from an HDF5 dataset: n values (d = 1) or n x d. *x is malloc'd (free it). */
GD_EXPORT int gd_estimate_read_points(const char *path, const char *dataset, int *n, int *d, double **x, char *msg);
/* Write /lambda (nev) with attributes n, d, t, alpha, knn, components, largest, localised,
 * outliers, worst, isolation_bound, atomically; command is stored as the root attribute. */
GD_EXPORT int gd_estimate_write(const char *path, const char *command, int n, int d, const gd_estimate_opts *o, int nev,
                                const double *lambda, const gd_estimate_report *rep, char *msg);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_ESTIMATE_H */
