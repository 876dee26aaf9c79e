/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Minimal assertions for the gandyn tests: each failed check prints file:line, the
 * expression and both values; main returns the failure count (CTest reads the status).
 */
#ifndef GD_CHECK_H
#define GD_CHECK_H

#include "gandyn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        check_count++;                                                                     \
        if (!(cond)) {                                                                     \
            check_failures++;                                                              \
            fprintf(stderr, "%s:%d: FAILED %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                                  \
    } while (0)

/* |a - b| <= tol (absolute). */
#define CHECK_NEAR(a, b, tol)                                                              \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        check_count++;                                                                     \
        if (!(fabs(a_ - b_) <= (tol))) {                                                   \
            check_failures++;                                                              \
            fprintf(stderr, "%s:%d: FAILED %s = %.15g, expected %.15g (tol %g)\n", __FILE__, \
                    __LINE__, #a, a_, b_, (double)(tol));                                  \
        }                                                                                  \
    } while (0)

#define CHECK_REL(a, b, rel) CHECK_NEAR(a, b, (rel) * fabs(b))

#define CHECK_OK(call)                                                                     \
    do {                                                                                   \
        int rc_ = (call);                                                                  \
        check_count++;                                                                     \
        if (rc_ != GD_OK) {                                                                \
            check_failures++;                                                              \
            fprintf(stderr, "%s:%d: FAILED %s returned %d\n", __FILE__, __LINE__, #call, rc_); \
        }                                                                                  \
    } while (0)

static inline int check_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* A dirac or linear model from "key=value" pairs, set up; exits on failure. */
static inline gd_model *make_model(const char *type, const char *const *kv)
{
    gd_model *m = gd_model_create(gd_model_type_find(type));
    for (int i = 0; kv && kv[i]; i += 2)
        if (gd_model_set(m, kv[i], kv[i + 1]) != GD_OK) {
            fprintf(stderr, "make_model: %s\n", gd_model_errmsg(m));
            exit(2);
        }
    if (gd_model_setup(m) != GD_OK) {
        fprintf(stderr, "make_model: %s\n", gd_model_errmsg(m));
        exit(2);
    }
    return m;
}

static inline gd_stepper *make_stepper(const char *type, const gd_model *m, const char *const *kv)
{
    gd_stepper *s = gd_stepper_create(gd_integrator_type_find(type), m);
    for (int i = 0; kv && kv[i]; i += 2)
        if (gd_stepper_set(s, kv[i], kv[i + 1]) != GD_OK) {
            fprintf(stderr, "make_stepper: %s\n", gd_stepper_errmsg(s));
            exit(2);
        }
    if (gd_stepper_setup(s) != GD_OK) {
        fprintf(stderr, "make_stepper: %s\n", gd_stepper_errmsg(s));
        exit(2);
    }
    return s;
}

/* A sim from "section.key", value pairs (kv, then more, which may override them), set up.
 * Unlike make_model it does not exit: a failed setup is printed, and the caller's checks on
 * the sim then fail (tests of refusals use it too). */
static inline gd_sim *make_sim_with(const char *const *kv, const char *const *more)
{
    gd_sim *s = gd_sim_create();
    for (int i = 0; kv && kv[i]; i += 2) CHECK_OK(gd_sim_set(s, kv[i], kv[i + 1]));
    for (int i = 0; more && more[i]; i += 2) CHECK_OK(gd_sim_set(s, more[i], more[i + 1]));
    if (gd_sim_setup(s) != GD_OK) fprintf(stderr, "setup: %s\n", gd_sim_errmsg(s));
    return s;
}

static inline gd_sim *make_sim(const char *const *kv) { return make_sim_with(kv, NULL); }

/* key = v on a sim, written with every digit. */
static inline void set_num(gd_sim *s, const char *key, double v)
{
    char text[40];
    snprintf(text, sizeof text, "%.17g", v);
    CHECK_OK(gd_sim_set(s, key, text));
}

/* The sweep of kv ("section.key", value pairs, NULL-ended, at most 30 pairs) through the batched
 * kernel and then cell by cell (sweep.kernel = cell): each agrees with the linear prediction on
 * >= 98% of its cells, with more than 50 converging and 50 diverging, and their outcomes differ
 * in at most one cell in 200. label names the sweep in the printed lines. */
static inline void check_kernels_agree(const char *const *kv, const char *label)
{
    const char *full[64];
    int len = 0;
    while (kv[len] && len < 60) full[len] = kv[len], len++;
    signed char *outcome[2] = {NULL, NULL};
    long n = 0;
    for (int kernel = 0; kernel < 2; kernel++) {
        full[len] = "sweep.kernel", full[len + 1] = kernel ? "cell" : "auto", full[len + 2] = NULL;
        gd_sim *s = make_sim(full);
        gd_sweep *w = NULL;
        CHECK_OK(gd_sweep_create(s, &w));
        CHECK(gd_sweep_is_batched(w) == !kernel);
        CHECK_OK(gd_sweep_run(w));
        long counts[3];
        double agree = gd_sweep_get_agreement(w, counts);
        printf("%s %s sweep: agreement %.4f, counts %ld %ld %ld\n", kernel ? "per-cell" : "batched", label, agree, counts[0], counts[1], counts[2]);
        CHECK(agree >= 0.98 && counts[0] > 50 && counts[2] > 50);
        n = gd_sweep_ncells(w);
        outcome[kernel] = malloc((size_t)n);
        memcpy(outcome[kernel], gd_sweep_get_outcome(w), (size_t)n);
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
    long differ = 0;
    for (long i = 0; i < n; i++) differ += outcome[0][i] != outcome[1][i];
    CHECK(differ <= n / 200);
    free(outcome[0]), free(outcome[1]);
}

/* Eigenvalues of a 2x2 sorted by real part then imaginary part. */
static inline void eig2(const double *A, double *wr, double *wi)
{
    gd_eigenvalues(2, A, wr, wi);
    if (wr[0] > wr[1] || (wr[0] == wr[1] && wi[0] > wi[1])) {
        double t = wr[0]; wr[0] = wr[1]; wr[1] = t;
        t = wi[0]; wi[0] = wi[1]; wi[1] = t;
    }
}

#endif
