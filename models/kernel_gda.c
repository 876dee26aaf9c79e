/* SPDX-License-Identifier: BSD-3-Clause
 *
 * kernel_gda: GAN with a kernel (RKHS) discriminator trained by gradient descent-ascent,
 * Becker, Pandit, Rangan, Fletcher (2022, 2023); docs: docs/models/kernel_gda.md.
 * True points x_i with masses p_i; the generator's parameters are the generated points
 * x~_j (masses q_j); L = sum p_i f(x_i) - sum q_j f(x~_j) - (lambda/2)|f|^2_H.
 *
 * Two representations of the discriminator, both fields for every integrator (discrete
 * GDA with lr_d = eta_d on discriminator rows, lr_g = eta_g on generator rows; altgd with
 * order = disc_first is the authors' update):
 *  - linear:   the isolated-points linearization (docs: "Representations"): per true point c
 *              a vector b_c = grad(f - f*)(x_c) in R^d; state [x~ | b]. Its maps are exactly
 *              J_c (x) I_d.
 *  - features: f = w . phi with D random Fourier features of the kernel (seeded); state
 *              [x~ | w]; converges to the kernel GDA as D grows.
 * The generator rows carry mu (continuous time tau = k eta_d; keep mu = 1 for discrete GDA).
 */
#include "gd_impl.h"
#include "h5io.h"
#include "kernel_gda.h"

#include <hdf5.h>
#include <lapacke.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kernels[] = {"gauss", "rq", "multiscale", "laplace", NULL};
static const char *const reps[] = {"linear", "features", "exact", NULL};
static const char *const feature_kinds[] = {"auto", "random", "quadrature", NULL};
static const char *const gen_layouts[] = {"points", "sphere", "gaussian", NULL};
static const char *const true_layouts[] = {"points", "line", NULL};

#define O(f) offsetof(kgda_opts, f)
static const gd_param kgda_params[] = {
    {"kernel", GD_P_ENUM, O(kernel), "gauss", "gauss exp(-r^2/2 sigma^2) | rq (1 + r^2/(2 alpha sigma^2))^-alpha | multiscale (weighted Gaussians of the scales) | laplace exp(-r/sigma) (not smooth at 0: exact and features only)", 0, 0, 0, kernels},
    {"sigma", GD_P_DOUBLE, O(sigma), "1", "kernel bandwidth", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"alpha", GD_P_DOUBLE, O(alpha), "1", "rq: shape alpha", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"scales", GD_P_STRING, O(scales), "", "multiscale: bandwidths, comma-separated (empty: sigma)", 0, 0, 0, NULL},
    {"weights", GD_P_STRING, O(weights), "", "multiscale: weights of the scales (empty: equal), normalised", 0, 0, 0, NULL},
    {"lambda", GD_P_DOUBLE, O(lambda), "1", "discriminator regularization (lambda/2)|f|^2", 0, INFINITY, 0, NULL},
    {"mu", GD_P_DOUBLE, O(mu), "1", "generator speed in continuous time (eta_g/eta_d); keep 1 for discrete GDA and set lr_g, lr_d", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"d", GD_P_INT, O(d), "1", "dimension of the points", 1, 1000, 0, NULL},
    {"true_points", GD_P_STRING, O(true_points), "", "true points: coordinates by ',', points by ';', or FILE.h5 with dataset /points [n, d] and optional /masses (empty: the origin)", 0, 0, 0, NULL},
    {"true_masses", GD_P_STRING, O(true_masses), "", "masses p_i of the true points (',' or ';' between them; empty: 1/N_r each)", 0, 0, 0, NULL},
    {"gen_points", GD_P_STRING, O(gen_points), "", "starting generated points, or FILE.h5 with dataset /points [n, d] (empty: each true point + 0.1 in the first coordinate)", 0, 0, 0, NULL},
    {"gen_layout", GD_P_ENUM, O(gen_layout), "points", "points (gen_points) | sphere (n_gen points at distance radius around each true point, seeded directions) | gaussian (n_gen points, std radius); these get masses p_c/n_gen", 0, 0, 0, gen_layouts},
    {"n_gen", GD_P_INT, O(n_gen), "1", "sphere/gaussian: generated points per true point", 1, 100000, 0, NULL},
    {"radius", GD_P_DOUBLE, O(radius), "0.1", "sphere: distance of the generated points from their true point; gaussian: their std", 0, INFINITY, 0, NULL},
    {"true_layout", GD_P_ENUM, O(true_layout), "points", "points (true_points) | line (n_true points spacing apart on the first axis, centred)", 0, 0, 0, true_layouts},
    {"n_true", GD_P_INT, O(n_true), "2", "line: number of true points", 1, 100000, 0, NULL},
    {"spacing", GD_P_DOUBLE, O(spacing), "10", "line: distance between neighbouring true points (isolated when spacing/sigma >= 8)", 0, INFINITY, GD_PF_LO_OPEN, NULL},
    {"gen_masses", GD_P_STRING, O(gen_masses), "", "masses q_j of the generated points (',' or ';' between them), as given: an excess is the model's delta (empty: 1/N_g each)", 0, 0, 0, NULL},
    {"representation", GD_P_ENUM, O(representation), "linear", "linear (isolated-points linearization, state [x~ | b]) | features (Fourier features, state [x~ | w]) | exact (the discrete GDA map in function space, history form; altgd/simgd only)", 0, 0, 0, reps},
    {"history", GD_P_INT, O(history), "512", "exact: past configurations kept; needs (1 - lr_d lambda)^history < 1e-10", 1, 1e6, 0, NULL},
    {"features", GD_P_INT, O(features), "256", "features: number D of random Fourier features", 1, 1e6, 0, NULL},
    {"feature_seed", GD_P_INT, O(feature_seed), "1", "features: seed of the frequencies and phases", 0, 1e15, 0, NULL},
    {"feature_kind", GD_P_ENUM, O(feature_kind), "auto", "features: random (Fourier features, error ~ 1/sqrt(D)) | quadrature (Gauss-Hermite frequency grid, d <= 2, gauss or multiscale; converges spectrally) | auto (quadrature where it applies)", 0, 0, 0, feature_kinds},
    {"warm_start", GD_P_INT, O(warm_start), "1", "default start of the discriminator: 1 = at its equilibrium value, 0 = zero (f = 0)", 0, 1, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

/* ---------------------------------------------------------------- random ------- */
static double uniform(uint64_t *s) { return gd_uniform01(s); }

static double normal(uint64_t *s) { return gd_normal(s); }

/* Gamma(shape k, rate k), mean 1, by Marsaglia-Tsang (k < 1: sample k + 1 and scale by
 * U^(1/k)). The RQ kernel is a Gaussian scale mixture over this distribution. */
static double gamma_unit_mean(uint64_t *s, double k0)
{
    double k = k0 < 1 ? k0 + 1 : k0, dd = k - 1.0 / 3, c = 1 / sqrt(9 * dd), g;
    for (;;) {
        double z = normal(s), v = 1 + c * z;
        if (v <= 0) continue;
        v = v * v * v;
        if (log(uniform(s)) < 0.5 * z * z + dd - dd * v + dd * log(v)) {
            g = dd * v;
            break;
        }
    }
    if (k0 < 1) g *= pow(uniform(s), 1 / k0);
    return g / k0;
}

/* ---------------------------------------------------------------- setup -------- */
static void kgda_cleanup(gd_model *m)
{
    kgda *k = m->priv;
    if (!k) return;
    free(k->xr), free(k->pr), free(k->xg0), free(k->pg), free(k->cluster), free(k->excess), free(k->kappa);
    free(k->om), free(k->beta), free(k->amp), free(k->phi_true), free(k->eq), free(k->sc), free(k->wt);
    free(k);
}

/* A list of numbers separated by ',' or ';'. */
static int scalars(gd_model *m, const char *text, const char *what, double **out, int *n)
{
    char *t = strdup(text);
    if (!t) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    for (char *c = t; *c; c++)
        if (*c == ',') *c = ';';
    int rc = gd_parse_vectors(t, 1, out, n, what, m->msg);
    free(t);
    return rc;
}

/* Masses from text (empty: 1/n each), taken as given (a mass excess is part of the model)
 * unless normalise is set (multiscale weights). */
static int masses(gd_model *m, const char *text, int n, const char *what, int normalise, double **out)
{
    int cnt = n;
    int rc = text[0] ? scalars(m, text, what, out, &cnt) : GD_OK;
    if (rc != GD_OK) return rc;
    if (!text[0]) {
        if (!(*out = malloc(sizeof(double) * (size_t)n))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) (*out)[i] = 1.0 / n;
    }
    if (cnt != n) return gd_model_fail(m, GD_EUSAGE, "model.%s has %d entries for %d points", what + 6, cnt, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (!((*out)[i] > 0)) return gd_model_fail(m, GD_EUSAGE, "model.%s: masses must be positive", what + 6);
        sum += (*out)[i];
    }
    for (int i = 0; normalise && i < n; i++) (*out)[i] /= sum;
    return GD_OK;
}

/* gamma = -2 phi'(0) of the radial kernel; multiscale fills the scale weights. */
static int kernel_gamma(gd_model *m, double **sc, double **wt, int *ns)
{
    kgda_opts *o = m->opts;
    kgda *k = m->priv;
    *sc = *wt = NULL;
    *ns = 1;
    if (o->kernel == K_LAPLACE) {
        k->gamma = NAN; /* -2 phi'(0) does not exist: the kernel has a corner at 0 */
        if (o->representation == REP_LINEAR)
            return gd_model_fail(m, GD_EUSAGE, "kernel = laplace is not differentiable at 0, so it has no linearization: use representation = exact or features");
        return GD_OK;
    }
    if (o->kernel != K_MULTISCALE) {
        k->gamma = 1 / (o->sigma * o->sigma);
        return GD_OK;
    }
    int rc = o->scales[0] ? scalars(m, o->scales, "model.scales", sc, ns) : GD_OK;
    if (rc == GD_OK && !o->scales[0] && (*sc = malloc(sizeof(double)))) (*sc)[0] = o->sigma;
    if (rc == GD_OK && !*sc) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    if (rc == GD_OK) rc = masses(m, o->weights, *ns, "model.weights", 1, wt);
    k->gamma = 0;
    for (int i = 0; rc == GD_OK && i < *ns; i++) {
        if (!((*sc)[i] > 0)) return gd_model_fail(m, GD_EUSAGE, "model.scales: bandwidths must be positive");
        k->gamma += (*wt)[i] / ((*sc)[i] * (*sc)[i]);
    }
    return rc;
}

/* Random features: frequencies from the kernel's spectral density, uniform phases,
 * amplitude sqrt(2/D); E[phi(x) . phi(y)] = K(x, y). */
static void random_features(const kgda_opts *o, kgda *k, const double *sc, const double *wt, int ns)
{
    int D = k->D, d = k->d;
    uint64_t st = (uint64_t)o->feature_seed * 0x2545F4914F6CDD1DULL + 1;
    for (int f = 0; f < D; f++) {
        double scale = 1 / o->sigma;
        if (o->kernel == K_RQ) scale = sqrt(gamma_unit_mean(&st, o->alpha)) / o->sigma;
        if (o->kernel == K_LAPLACE) scale = 1 / (o->sigma * fabs(normal(&st))); /* multivariate Cauchy: t with 1 dof */
        if (o->kernel == K_MULTISCALE) {
            double u = uniform(&st), acc = 0;
            int c = 0;
            while (c < ns - 1 && (acc += wt[c]) < u) c++;
            scale = 1 / sc[c];
        }
        for (int l = 0; l < d; l++) k->om[f * d + l] = scale * normal(&st);
        k->beta[f] = 2 * M_PI * uniform(&st);
        k->amp[f] = sqrt(2.0 / D);
    }
}

/* Quadrature features (d <= 2): K(x - y) = sum_i W_i cos(om_i . (x - y)) on a tensor
 * Gauss-Hermite grid of frequencies (per scale for multiscale); each node gives a cosine
 * and a sine feature with amplitude sqrt(W_i). Uses the largest grid that fits D. */
static int quadrature_features(gd_model *m, const double *sc, const double *wt, int ns)
{
    kgda *k = m->priv;
    int d = k->d, per = k->D / (2 * ns), nq = d == 1 ? per : (int)floor(sqrt((double)per));
    if (nq < 1) return gd_model_fail(m, GD_EUSAGE, "model.features = %d is too few for quadrature features (need >= %d)", k->D, 2 * ns * (d == 1 ? 1 : 1));
    double *x = malloc(sizeof(double) * 2 * (size_t)nq), *w = x ? x + nq : NULL;
    if (!x || gd_gauss_hermite(nq, x, w) != GD_OK) {
        free(x);
        return gd_model_fail(m, GD_ESOLVER, "Gauss-Hermite nodes failed");
    }
    int f = 0;
    for (int c = 0; c < ns; c++)
        for (int a = 0; a < nq; a++)
            for (int b = 0; b < (d == 2 ? nq : 1); b++)
                for (int part = 0; part < 2; part++, f++) {
                    k->om[f * d] = sqrt(2.0) * x[a] / sc[c];
                    if (d == 2) k->om[f * d + 1] = sqrt(2.0) * x[b] / sc[c];
                    k->beta[f] = part ? -M_PI / 2 : 0; /* cos, then sin */
                    k->amp[f] = sqrt(wt[c] * w[a] * (d == 2 ? w[b] : 1));
                }
    k->D = f; /* the grid may use fewer than the requested features */
    free(x);
    return GD_OK;
}

static int draw_features(gd_model *m, const double *sc, const double *wt, int ns)
{
    kgda_opts *o = m->opts;
    kgda *k = m->priv;
    int D = k->D, d = k->d, rc = GD_OK;
    int smooth_gauss = o->kernel == K_GAUSS || o->kernel == K_MULTISCALE;
    int quad = o->feature_kind == FK_QUADRATURE || (o->feature_kind == FK_AUTO && d <= 2 && smooth_gauss);
    if (quad && (d > 2 || !smooth_gauss))
        return gd_model_fail(m, GD_EUSAGE, "model.feature_kind = quadrature needs d <= 2 and a gauss or multiscale kernel");
    k->om = malloc(sizeof(double) * (size_t)D * (size_t)d);
    k->beta = malloc(sizeof(double) * (size_t)D);
    k->amp = malloc(sizeof(double) * (size_t)D);
    k->phi_true = calloc((size_t)D, sizeof(double));
    if (!k->om || !k->beta || !k->amp || !k->phi_true) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    double one = o->sigma, w1 = 1;
    if (!sc) sc = &one, wt = &w1, ns = 1;
    if (quad) rc = quadrature_features(m, sc, wt, ns);
    else random_features(o, k, sc, wt, ns);
    for (int i = 0; rc == GD_OK && i < k->nr; i++)
        for (int f = 0; f < k->D; f++) {
            double t = k->beta[f];
            for (int l = 0; l < d; l++) t += k->om[f * d + l] * k->xr[i * d + l];
            k->phi_true[f] += k->pr[i] * k->amp[f] * cos(t);
        }
    return rc;
}

/* Points [n, d] (and masses, if the file has /masses) from FILE.h5's /points. */
static int points_file(gd_model *m, const char *path, int d, double **x, int *n, double **mass)
{
    int rank = 0;
    hsize_t dims[2] = {0, 0}, nm = 0;
    int rc = gd_h5_read(path, "/points", 2, (size_t)1 << 28, &rank, dims, x, m->msg);
    if (rc == GD_OK && !((rank == 2 && dims[1] == (hsize_t)d) || (rank == 1 && d == 1)))
        rc = gd_model_fail(m, GD_EUSAGE, "'%s': need a dataset /points of shape [n, %d]", path, d);
    *n = rc == GD_OK ? (int)dims[0] : 0;
    if (rc == GD_OK && mass && gd_h5_has(path, "/masses"))
        rc = gd_h5_read(path, "/masses", 1, (size_t)1 << 28, &rank, &nm, mass, m->msg);
    if (rc == GD_OK && mass && *mass && nm != dims[0])
        rc = gd_model_fail(m, GD_EUSAGE, "'%s': /masses has %llu entries for %llu points", path, (unsigned long long)nm, (unsigned long long)dims[0]);
    for (hsize_t i = 0; rc == GD_OK && mass && *mass && i < nm; i++)
        if (!((*mass)[i] > 0)) rc = gd_model_fail(m, GD_EUSAGE, "'%s': /masses must be positive (entry %llu is %g)", path, (unsigned long long)i, (*mass)[i]);
    if (rc != GD_OK) {
        free(*x), *x = NULL;
        if (mass) free(*mass), *mass = NULL;
    }
    return rc;
}

static int is_file(const char *s)
{
    size_t n = strlen(s);
    return n > 3 && strcmp(s + n - 3, ".h5") == 0;
}

/* A list or a file of points. */
static int point_set(gd_model *m, const char *text, const char *what, int d, double **x, int *n, double **mass)
{
    if (is_file(text)) return points_file(m, text, d, x, n, mass);
    char w[64];
    snprintf(w, sizeof w, "%s (model.d = %d)", what, d);
    return gd_parse_vectors(text, d, x, n, w, m->msg);
}

static int coordinates_fit(gd_model *m, double coords, const char *what)
{
    return gd_check_state(m->msg, coords, what, "lower n_gen, n_true, d, features or history");
}

/* n_gen points around each true point: on the sphere of radius r (seeded directions; +-r in
 * 1-D) or Gaussian with std r; masses p_c / n_gen, so each cluster is matched. */
static int layout_generated(gd_model *m)
{
    kgda_opts *o = m->opts;
    kgda *k = m->priv;
    int d = k->d, per = (int)o->n_gen;
    int rc = coordinates_fit(m, (double)k->nr * per * d, "the generated points (n_gen per true point)");
    if (rc != GD_OK) return rc;
    k->ng = k->nr * per;
    k->xg0 = malloc(sizeof(double) * (size_t)k->ng * (size_t)d);
    k->pg = malloc(sizeof(double) * (size_t)k->ng);
    if (!k->xg0 || !k->pg) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    uint64_t st = (uint64_t)o->feature_seed * 0x9E3779B97F4A7C15ULL + 7;
    for (int c = 0; c < k->nr; c++)
        for (int j = 0; j < per; j++) {
            double *x = k->xg0 + (size_t)(c * per + j) * (size_t)d, norm = 0;
            for (int l = 0; l < d; l++) {
                x[l] = normal(&st);
                norm += x[l] * x[l];
            }
            norm = sqrt(norm);
            for (int l = 0; l < d; l++) {
                double dir = o->gen_layout == GL_GAUSSIAN ? x[l] : d == 1 ? (j % 2 ? -1.0 : 1.0) : x[l] / norm;
                x[l] = k->xr[c * d + l] + o->radius * dir;
            }
            k->pg[c * per + j] = k->pr[c] / per;
        }
    return GD_OK;
}

static int points(gd_model *m)
{
    kgda_opts *o = m->opts;
    kgda *k = m->priv;
    int d = k->d, rc = GD_OK;
    double *file_mass = NULL;
    if (o->true_layout == TL_LINE) { /* n_true points spacing apart on the first axis, centred */
        k->nr = (int)o->n_true;
        if (!(k->xr = calloc((size_t)k->nr * (size_t)d, sizeof(double)))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        for (int i = 0; i < k->nr; i++) k->xr[i * d] = o->spacing * (i - 0.5 * (k->nr - 1));
    } else if (o->true_points[0]) {
        rc = point_set(m, o->true_points, "model.true_points", d, &k->xr, &k->nr, &file_mass);
    } else {
        rc = (k->xr = calloc((size_t)d, sizeof(double))) ? (k->nr = 1, GD_OK) : gd_model_fail(m, GD_ENOMEM, "out of memory");
    }
    if (rc == GD_OK && file_mass && o->true_masses[0]) rc = gd_model_fail(m, GD_EUSAGE, "true masses given twice (model.true_masses and /masses in the file)");
    if (rc == GD_OK && file_mass) k->pr = file_mass, file_mass = NULL;
    else if (rc == GD_OK) rc = masses(m, o->true_masses, k->nr, "model.true_masses", 0, &k->pr);
    free(file_mass);
    if (rc != GD_OK) return rc;
    if (o->gen_layout != GL_POINTS) {
        if (o->gen_points[0] || o->gen_masses[0])
            return gd_model_fail(m, GD_EUSAGE, "model.gen_layout = %s makes the generated points: drop model.gen_points / gen_masses", gen_layouts[o->gen_layout]);
        return layout_generated(m);
    }
    if (o->gen_points[0]) {
        if ((rc = point_set(m, o->gen_points, "model.gen_points", d, &k->xg0, &k->ng, &file_mass)) != GD_OK) return rc;
    } else {
        k->ng = k->nr;
        if (!(k->xg0 = malloc(sizeof(double) * (size_t)(k->nr * d)))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
        memcpy(k->xg0, k->xr, sizeof(double) * (size_t)(k->nr * d));
        for (int i = 0; i < k->nr; i++) k->xg0[i * d] += 0.1;
    }
    if (k->nr == 0 || k->ng == 0) return gd_model_fail(m, GD_EUSAGE, "kernel_gda needs at least one true and one generated point");
    if (file_mass && o->gen_masses[0]) rc = gd_model_fail(m, GD_EUSAGE, "generated masses given twice (model.gen_masses and /masses in the file)");
    if (rc == GD_OK && file_mass) k->pg = file_mass, file_mass = NULL;
    else if (rc == GD_OK) rc = masses(m, o->gen_masses, k->ng, "model.gen_masses", 0, &k->pg);
    free(file_mass);
    return rc;
}

/* Clusters (nearest true point), mass excesses delta_c = p_c - sum_{j in c} q_j (kept as
 * delta_c / Delta, Delta = sum |delta_c|) and kappa_c = delta_c gamma / lambda. An excess below
 * 1e-12 p_c counts as matched: it is the rounding of masses such as 1/3, and at small lambda
 * it would be amplified by 1/lambda. */
static int clusters(gd_model *m)
{
    kgda_opts *o = m->opts;
    kgda *k = m->priv;
    int d = k->d;
    k->cluster = malloc(sizeof(int) * (size_t)k->ng);
    k->kappa = malloc(sizeof(double) * (size_t)k->nr);
    k->excess = malloc(sizeof(double) * (size_t)k->nr);
    if (!k->cluster || !k->kappa || !k->excess) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    double *delta = k->excess; /* normalised in place at the end */
    for (int c = 0; c < k->nr; c++) delta[c] = k->pr[c];
    for (int j = 0; j < k->ng; j++) {
        double best = INFINITY;
        for (int c = 0; c < k->nr; c++) {
            double r = 0;
            for (int l = 0; l < d; l++) r += pow(k->xg0[j * d + l] - k->xr[c * d + l], 2);
            if (c == 0 || r < best) best = r, k->cluster[j] = c; /* overflowing distances still pick one */
        }
        delta[k->cluster[j]] -= k->pg[j];
    }
    /* At lambda = 0 an unmatched cluster has no discriminator equilibrium (f grows like
     * eta_d k delta_c K(., x_c)); only the exact map from a cold start follows it. */
    int cold_exact = o->representation == REP_EXACT && !o->warm_start;
    for (int c = 0; c < k->nr; c++) {
        if (fabs(delta[c]) <= 1e-12 * k->pr[c]) delta[c] = 0;
        if (o->lambda == 0 && delta[c] != 0 && !cold_exact)
            return gd_model_fail(m, GD_EUSAGE,
                                 "lambda = 0 needs matched masses (true point %d has excess mass %g): the discriminator has no equilibrium; "
                                 "only representation = exact with warm_start = 0 runs it",
                                 c, delta[c]);
        k->excess_size += fabs(delta[c]);
        k->kappa[c] = o->lambda > 0 ? delta[c] * k->gamma / o->lambda : 0;
    }
    for (int c = 0; k->excess_size > 0 && c < k->nr; c++) k->excess[c] /= k->excess_size;
    return GD_OK;
}

/* ---------------------------------------------------------------- linear ------- */
/* State [x~ (ng d) | b (nr d)]: b_c' = -lambda b_c - gamma sum_{j in c} q_j e_j,
 * x~_j' = mu q_j (b_c(j) - kappa_c e_j), e_j = x~_j - x_c(j). J (n x n, may be NULL). */
static void linear_eval(const gd_model *m, const double *x, double *v, double *J)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int d = k->d, ng = k->ng, n = m->dim, off = ng * d;
    if (J) memset(J, 0, sizeof(double) * (size_t)n * (size_t)n);
    for (int i = off; i < n; i++) {
        v[i] = -o->lambda * x[i];
        if (J) J[(size_t)i * n + i] = -o->lambda;
    }
    for (int j = 0; j < ng; j++) {
        int c = k->cluster[j];
        double q = k->pg[j];
        for (int l = 0; l < d; l++) {
            int xi = j * d + l, bi = off + c * d + l;
            double e = x[xi] - k->xr[c * d + l];
            v[bi] -= k->gamma * q * e;
            v[xi] = o->mu * q * (x[bi] - k->kappa[c] * e);
            if (!J) continue;
            J[(size_t)bi * n + xi] = -k->gamma * q;
            J[(size_t)xi * n + bi] = o->mu * q;
            J[(size_t)xi * n + xi] = -o->mu * q * k->kappa[c];
        }
    }
}

/* ---------------------------------------------------------------- features ----- */
/* State [x~ (ng d) | w (D)], f = sum_f w_f phi_f, phi_f(x) = sqrt(2/D) cos(om_f . x + beta_f):
 * w' = -lambda w + phi_true - sum_j q_j phi(x~_j),  x~_j' = mu q_j grad f(x~_j). */
static void features_eval(const gd_model *m, const double *x, double *v, double *J)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int d = k->d, ng = k->ng, D = k->D, n = m->dim, off = ng * d;
    const double *w = x + off;
    if (J) memset(J, 0, sizeof(double) * (size_t)n * (size_t)n);
    for (int f = 0; f < D; f++) {
        v[off + f] = -o->lambda * w[f] + k->phi_true[f];
        if (J) J[(size_t)(off + f) * n + off + f] = -o->lambda;
    }
    for (int j = 0; j < ng; j++) {
        const double *xj = x + j * d;
        double q = k->pg[j], *g = v + j * d;
        for (int l = 0; l < d; l++) g[l] = 0;
        for (int f = 0; f < D; f++) {
            const double *om = k->om + f * d;
            double t = k->beta[f];
            for (int l = 0; l < d; l++) t += om[l] * xj[l];
            double c = k->amp[f] * cos(t), s = k->amp[f] * sin(t);
            v[off + f] -= q * c;
            for (int l = 0; l < d; l++) g[l] -= w[f] * s * om[l];
            if (!J) continue;
            for (int l = 0; l < d; l++) {
                J[(size_t)(off + f) * n + j * d + l] = q * s * om[l];       /* d w'_f / d x~_jl */
                J[(size_t)(j * d + l) * n + off + f] = -o->mu * q * s * om[l]; /* d x~'_jl / d w_f */
                for (int r = 0; r < d; r++) J[(size_t)(j * d + l) * n + j * d + r] -= o->mu * q * w[f] * c * om[l] * om[r];
            }
        }
        for (int l = 0; l < d; l++) g[l] *= o->mu * q;
    }
}

/* w(x~) = (phi_true - sum_j q_j phi(x~_j)) / lambda: the discriminator's equilibrium for
 * fixed generated points (0 when lambda = 0, where matched masses make f* = 0). */
static void features_w(const gd_model *m, const double *x, double *w)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int d = k->d, D = k->D;
    for (int f = 0; f < D; f++) {
        double acc = k->phi_true[f];
        for (int j = 0; j < k->ng; j++) {
            double t = k->beta[f];
            for (int l = 0; l < d; l++) t += k->om[f * d + l] * x[j * d + l];
            acc -= k->pg[j] * k->amp[f] * cos(t);
        }
        w[f] = o->lambda > 0 ? acc / o->lambda : 0;
    }
}

/* The generator part of the field with w = w(x~): zero at the equilibrium. */
static void reduced_residual(const gd_model *m, double *y, double *r)
{
    kgda *k = m->priv;
    int off = k->ng * k->d;
    features_w(m, y, y + off);
    features_eval(m, y, r, NULL); /* r: the whole field; its generator entries are the residual */
}

/* Finite D shifts the features model's equilibrium by O(1/sqrt(D)) from the true points:
 * Newton on the generated points alone, w eliminated, finite-difference Jacobian. */
static int features_equilibrium(gd_model *m)
{
    kgda *k = m->priv;
    int ng = k->ng * k->d, n = m->dim, rc = gd_check_dense(m->msg, ng, 1, "features: Newton on the generated points");
    if (rc != GD_OK) return rc;
    double *y = k->eq, *r = malloc(sizeof(double) * (3 * (size_t)n + (size_t)ng * (size_t)ng)), *rp = r + n, *A = rp + n, *yp = A + (size_t)ng * (size_t)ng;
    lapack_int *piv = malloc(sizeof *piv * (size_t)ng);
    if (!r || !piv) {
        free(r), free(piv);
        return gd_model_fail(m, GD_ENOMEM, "out of memory");
    }
    for (int j = 0; j < k->ng; j++) memcpy(y + j * k->d, k->xr + k->cluster[j] * k->d, sizeof(double) * (size_t)k->d);
    for (int it = 0; it < 40; it++) {
        reduced_residual(m, y, r);
        double nr = 0;
        for (int i = 0; i < ng; i++) nr = fmax(nr, fabs(r[i]));
        if (nr < 1e-14 * (1 + k->gamma)) break;
        for (int c = 0; c < ng; c++) {
            double h = 1e-7 * (1 + fabs(y[c]));
            memcpy(yp, y, sizeof(double) * (size_t)n);
            yp[c] += h;
            reduced_residual(m, yp, rp);
            for (int i = 0; i < ng; i++) A[i * ng + c] = (rp[i] - r[i]) / h;
        }
        for (int i = 0; i < ng; i++) r[i] = -r[i];
        int pin = gd_blas_serial_begin(ng), info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, ng, 1, A, ng, piv, r, 1);
        gd_blas_serial_end(pin);
        if (info != 0) {
            rc = gd_model_fail(m, GD_ESOLVER, "kernel_gda features: singular Jacobian while locating the equilibrium");
            break;
        }
        for (int i = 0; i < ng; i++) y[i] += r[i];
    }
    features_w(m, y, y + ng);
    free(r), free(piv);
    return rc;
}

/* ---------------------------------------------------------------- exact -------- */
/* The discrete GDA map (docs: representation `exact`) with f kept relative to the equilibrium
 * configuration x* of the generated points (x*_j is the true point x_c(j)):
 *   f = u E + v S* - sum_s w_s (S(Z_s) - S*),   w_s = eta_d a^s,  a = 1 - eta_d lambda,
 *   E = sum_c (delta_c / Delta) K(., x_c) the mass excess T - S* over its size Delta = sum |delta_c|
 *   (E = 0 when the masses match), S(Z) = sum_l q_l K(., z_l), S* = S(x*),
 * state [x~ (G) | u | v | Z_0 .. Z_{M-1} (M G)], Z_s the generated points s + 1 steps ago.
 * Since T - S(x~) = Delta E - (S(x~) - S*), one discriminator step f <- a f + eta_d (T - S(x~))
 * is u <- a u + eta_d Delta, v <- a v and a shift of the history with Z_0 = x~; the term
 * dropped from the end, w_M (S(Z_M) - S*), vanishes while the run is younger than the history
 * and is < 1e-10 after (checked). Nothing in this form is of size 1/lambda unless f is: the
 * warm start u = Delta/lambda, v = 0, Z_s = x* (f* = (T - S*)/lambda; u = 0 with matched masses
 * at any lambda >= 0) is a fixed point for any eta_d, and the cold start f = 0 is u = v = 0,
 * Z_s = x*. At lambda = 0, u grows like eta_d k Delta: the discriminator's true growth. */
#define EX_U(k) ((k)->ng * (k)->d)
#define EX_Z(k) ((k)->ng * (k)->d + 2)

/* grad_x K(x, z) = -(x - z) s(|x - z|^2): the scalar s for the configured kernel. */
static double kernel_slope(const kgda_opts *o, const kgda *k, double r2)
{
    if (o->kernel == K_GAUSS) return exp(-r2 / (2 * o->sigma * o->sigma)) / (o->sigma * o->sigma);
    if (o->kernel == K_RQ) return pow(1 + r2 / (2 * o->alpha * o->sigma * o->sigma), -o->alpha - 1) / (o->sigma * o->sigma);
    if (o->kernel == K_LAPLACE) { /* grad exp(-r/sigma) = -(x - z) exp(-r/sigma)/(sigma r); 0 at the corner */
        double r = sqrt(r2);
        return r > 0 ? exp(-r / o->sigma) / (o->sigma * r) : 0;
    }
    double s = 0;
    for (int i = 0; i < k->ns; i++) s += k->wt[i] * exp(-r2 / (2 * k->sc[i] * k->sc[i])) / (k->sc[i] * k->sc[i]);
    return s;
}

/* -c grad_x K(x, z) / (x - z) for one point z: the factor that multiplies x - z. */
static double grad_factor(const kgda_opts *o, const kgda *k, const double *x, const double *z, double c)
{
    return -c * kernel_slope(o, k, gd_dist2(k->d, x, z));
}

/* g += c * grad sum_l m_l K(x, z_l) over n points z (n x d). */
static void add_grad(const kgda_opts *o, const kgda *k, const double *x, const double *z, const double *mass, int n, double c, double *g)
{
    int d = k->d;
    for (int l = 0; l < n; l++) {
        double f = grad_factor(o, k, x, z + l * d, c * mass[l]);
        for (int i = 0; i < d; i++) g[i] += f * (x[i] - z[l * d + i]);
    }
}

/* grad f at x for the state y; eta_d sets the history weights. The history enters as
 * differences q_l (grad K(x, Z_sl) - grad K(x, x*_l)) taken term by term with the same
 * arithmetic, so an entry at x* contributes exactly 0 and no large sums cancel. fs: ng
 * values of scratch. */
static void exact_grad(const gd_model *m, const double *y, double hd, const double *x, double *g, double *fs)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int d = k->d, G = k->ng * d;
    const double *xs = k->eq; /* starts with x* */
    double a = 1 - hd * o->lambda, w = hd; /* fs[l]: the factor at x*_l */
    for (int i = 0; i < d; i++) g[i] = 0;
    add_grad(o, k, x, k->xr, k->excess, k->nr, y[EX_U(k)], g);
    for (int l = 0; l < k->ng; l++) {
        fs[l] = grad_factor(o, k, x, xs + l * d, k->pg[l]);
        for (int i = 0; i < d; i++) g[i] += y[EX_U(k) + 1] * (fs[l] * (x[i] - xs[l * d + i]));
    }
    for (long s = 0; s < o->history; s++, w *= a) {
        const double *z = y + EX_Z(k) + s * G;
        for (int l = 0; l < k->ng; l++) {
            double f = grad_factor(o, k, x, z + l * d, k->pg[l]);
            for (int i = 0; i < d; i++) g[i] -= w * (f * (x[i] - z[l * d + i]) - fs[l] * (x[i] - xs[l * d + i]));
        }
    }
}

/* The generator's half step with f read from the state y: next_j = x~_j + eta_g mu q_j
 * grad f(x~_j) (next must not alias y: every point sees the same f and the same x~).
 * work: d + ng values of scratch. */
static void exact_generator(const gd_model *m, const double *y, double hg, double hd, double *next, double *work)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int d = k->d;
    double *g = work;
    for (int j = 0; j < k->ng; j++) {
        exact_grad(m, y, hd, y + j * d, g, work + d);
        for (int i = 0; i < d; i++) next[j * d + i] = y[j * d + i] + hg * o->mu * k->pg[j] * g[i];
    }
}

/* The discriminator's step f <- a f + eta_d (T - S(x~)) for the current points x~. */
static void exact_discriminator(const gd_model *m, double *y, double hd)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int G = k->ng * k->d;
    double a = 1 - hd * o->lambda;
    y[EX_U(k)] = a * y[EX_U(k)] + hd * k->excess_size;
    y[EX_U(k) + 1] = a * y[EX_U(k) + 1];
    memmove(y + EX_Z(k) + G, y + EX_Z(k), sizeof(double) * (size_t)G * (size_t)(o->history - 1));
    memcpy(y + EX_Z(k), y, sizeof(double) * (size_t)G);
}

/* Until the run is older than the history nothing is dropped; after that the dropped
 * weight a^history must be negligible. */
static int history_covers(const gd_model *m, gd_model_ws *ws, double hd, long iteration)
{
    const kgda_opts *o = m->opts;
    double a = fabs(1 - hd * o->lambda);
    if (iteration < o->history || pow(a, (double)o->history) <= 1e-10) return GD_OK;
    double need = a < 1 ? ceil(log(1e-10) / log(a)) : INFINITY;
    if (need > 1e6)
        return gd_ws_fail(ws, GD_EUSAGE,
                          "model.history = %ld is too short for %ld iterations: at lr_d lambda = %g the discriminator forgets (almost) nothing, so the history must hold every iteration (model.history >= integrator.steps)",
                          o->history, iteration + 1, hd * o->lambda);
    return gd_ws_fail(ws, GD_EUSAGE, "model.history = %ld is too short for %ld iterations at lr_d lambda = %g: it needs at least %.0f (or the number of iterations)",
                      o->history, iteration + 1, hd * o->lambda, need);
}

/* One iteration: the generator reads f^k (simultaneous, gen_first) or f^{k+1} (disc_first,
 * the authors' order); the discriminator adds x~^k, or x~^{k+1} after the generator's move
 * (gen_first). */
static int kgda_gda_step(const gd_model *m, gd_model_ws *ws, double *y, double hg, double hd, int players, long iteration)
{
    const kgda_opts *o = m->opts;
    if (o->representation != REP_EXACT) return GD_ENOTAVAIL;
    int rc = history_covers(m, ws, hd, iteration);
    if (rc != GD_OK) return rc;
    const kgda *k = m->priv;
    double *work = ws->priv, *next = work + k->d + k->ng;
    if (players == GD_PLAYERS_DISC_FIRST) exact_discriminator(m, y, hd);
    exact_generator(m, y, hg, hd, next, work);
    if (players == GD_PLAYERS_SIMULTANEOUS) exact_discriminator(m, y, hd);
    memcpy(y, next, sizeof(double) * (size_t)(k->ng * k->d));
    if (players == GD_PLAYERS_GEN_FIRST) exact_discriminator(m, y, hd);
    return GD_OK;
}

/* ---------------------------------------------------------------- W2^2 --------- */
typedef struct { double x, m; } atom;

static int by_position(const void *a, const void *b)
{
    double d = ((const atom *)a)->x - ((const atom *)b)->x;
    return (d > 0) - (d < 0);
}

/* Squared 2-Wasserstein distance between the generated points (masses q, normalised) and
 * the true points (p, normalised). Exact where optimal transport has a closed form: one
 * true point (everything moves to it) or d = 1 (the monotone, quantile coupling). NaN
 * otherwise (general point clouds need a transport solver). */
static double kgda_w2sq(const gd_model *m, gd_model_ws *ws, const double *x)
{
    (void)ws;
    const kgda *k = m->priv;
    int d = k->d;
    double Q = 0, P = 0, w = 0;
    for (int j = 0; j < k->ng; j++) Q += k->pg[j];
    for (int i = 0; i < k->nr; i++) P += k->pr[i];
    if (k->nr == 1) {
        for (int j = 0; j < k->ng; j++)
            for (int l = 0; l < d; l++) w += k->pg[j] / Q * pow(x[j * d + l] - k->xr[l], 2);
        return w;
    }
    if (d != 1) return NAN;
    atom *g = malloc(sizeof(atom) * (size_t)(k->ng + k->nr)), *t = g + k->ng;
    if (!g) return NAN;
    for (int j = 0; j < k->ng; j++) g[j] = (atom){x[j], k->pg[j] / Q};
    for (int i = 0; i < k->nr; i++) t[i] = (atom){k->xr[i], k->pr[i] / P};
    qsort(g, (size_t)k->ng, sizeof(atom), by_position);
    qsort(t, (size_t)k->nr, sizeof(atom), by_position);
    for (int a = 0, b = 0; a < k->ng && b < k->nr;) {
        double mv = fmin(g[a].m, t[b].m);
        w += mv * (g[a].x - t[b].x) * (g[a].x - t[b].x);
        g[a].m -= mv, t[b].m -= mv;
        if (g[a].m <= 1e-15) a++;
        if (t[b].m <= 1e-15) b++;
    }
    free(g);
    return w;
}

/* ---------------------------------------------------------------- interface ---- */
static int no_field(gd_model_ws *ws)
{
    return gd_ws_fail(ws, GD_ENOTAVAIL,
                      "representation = exact is a discrete map without a vector field: use integrator altgd (n_g = n_d = 1), symplectic_euler or simgd");
}

static int kgda_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)mode;
    if (((const kgda_opts *)m->opts)->representation == REP_EXACT) return no_field(ws);
    if (((const kgda_opts *)m->opts)->representation == REP_LINEAR) linear_eval(m, x, v, NULL);
    else features_eval(m, x, v, NULL);
    return GD_OK;
}

static int kgda_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)mode;
    if (((const kgda_opts *)m->opts)->representation == REP_EXACT) return no_field(ws);
    double *v = malloc(sizeof(double) * (size_t)m->dim);
    if (!v) return GD_ENOMEM;
    if (((const kgda_opts *)m->opts)->representation == REP_LINEAR) linear_eval(m, x, v, J);
    else features_eval(m, x, v, J);
    free(v);
    return GD_OK;
}

static int kgda_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    const kgda *k = m->priv;
    if (((const kgda_opts *)m->opts)->lambda == 0 && k->excess_size > 0)
        return gd_ws_fail(ws, GD_ENOTAVAIL, "lambda = 0 with unmatched masses has no equilibrium: the discriminator grows like lr_d k delta_c K(., x_c)");
    memcpy(x, k->eq, sizeof(double) * (size_t)m->dim);
    return GD_OK;
}

/* The configured generated points; the discriminator warm (at equilibrium) or cold (f = 0). */
static int kgda_default_start(const gd_model *m, double *x)
{
    const kgda_opts *o = m->opts;
    const kgda *k = m->priv;
    int off = k->ng * k->d;
    memcpy(x, k->xg0, sizeof(double) * (size_t)off);
    for (int i = off; i < m->dim; i++) x[i] = o->warm_start ? k->eq[i] : 0;
    if (o->representation == REP_EXACT) /* cold start f = 0: u = v = 0, history at x* */
        memcpy(x + EX_Z(k), k->eq + EX_Z(k), sizeof(double) * (size_t)(m->dim - EX_Z(k)));
    return GD_OK;
}

static int kgda_setup(gd_model *m)
{
    kgda_opts *o = m->opts;
    kgda *k = calloc(1, sizeof *k);
    if (!k) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    m->priv = k;
    k->d = (int)o->d;
    int rc = points(m);
    if (rc == GD_OK) rc = kernel_gamma(m, &k->sc, &k->wt, &k->ns);
    double *sc = k->sc, *wt = k->wt;
    int ns = k->ns;
    if (rc == GD_OK) rc = clusters(m);
    k->D = o->representation == REP_FEATURES ? (int)o->features : 0;
    if (rc == GD_OK && o->representation == REP_FEATURES) rc = draw_features(m, sc, wt, ns);
    if (rc != GD_OK) return rc;
    double G_d = (double)k->ng * k->d, extra = o->representation == REP_LINEAR ? (double)k->nr * k->d : o->representation == REP_FEATURES ? k->D : 2 + (double)o->history * G_d;
    if ((rc = coordinates_fit(m, G_d + extra, "the state (generated points and discriminator)")) != GD_OK) return rc;
    int G = k->ng * k->d;
    m->ngen = G;
    m->dim = G + (o->representation == REP_LINEAR ? k->nr * k->d : o->representation == REP_FEATURES ? k->D : 2 + (int)o->history * G);
    if (!(k->eq = calloc((size_t)m->dim, sizeof(double)))) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    if (o->representation == REP_FEATURES) return features_equilibrium(m);
    for (int j = 0; j < k->ng; j++) memcpy(k->eq + j * k->d, k->xr + k->cluster[j] * k->d, sizeof(double) * (size_t)k->d);
    if (o->representation != REP_EXACT) return GD_OK;
    /* exact: u = Delta/lambda (f* = (T - S*)/lambda; 0 with matched masses, also at lambda = 0),
     * v = 0, every past configuration at x* */
    k->eq[EX_U(k)] = k->excess_size > 0 ? k->excess_size / o->lambda : 0;
    for (long s = 0; s < o->history; s++) memcpy(k->eq + EX_Z(k) + s * G, k->eq, sizeof(double) * (size_t)G);
    return GD_OK;
}

/* exact: the generator step's scratch, d + ng + ng d values (a gradient, the factors at x*,
 * the new points); the other representations write nothing but their outputs. */
static int kgda_ws_init(const gd_model *m, gd_model_ws *ws)
{
    const kgda *k = m->priv;
    if (((const kgda_opts *)m->opts)->representation != REP_EXACT) return GD_OK;
    ws->priv = malloc(sizeof(double) * ((size_t)k->d + (size_t)k->ng + (size_t)k->ng * (size_t)k->d));
    return ws->priv ? GD_OK : gd_ws_fail(ws, GD_ENOMEM, "out of memory");
}

const gd_model_type gd_model_kernel_gda = {
    .name = "kernel_gda",
    .summary = "kernel-discriminator GAN under GDA (Becker et al.): generated points x~ vs true points, discriminator as the isolated-points linearization b or D random Fourier features w",
    .params = kgda_params,
    .opts_size = sizeof(kgda_opts),
    .setup = kgda_setup,
    .cleanup = kgda_cleanup,
    .ws_init = kgda_ws_init, /* ws_free NULL: one block */
    .field = kgda_field,
    .jacobian = kgda_jacobian,
    .equilibrium = kgda_equilibrium,
    .default_start = kgda_default_start,
    .gda_step = kgda_gda_step,
    .metric_name = "w2sq",
    .metric = kgda_w2sq,
    .field_batch = gd_kgda_field_batch,
    .batch_params = gd_kgda_batch_params,
    .batch_varies = gd_kgda_batch_varies,
};
