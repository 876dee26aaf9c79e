/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Inline helpers for the batched sweep fields, which are compiled with -ffast-math
 * (models/NAME_batch.c): a sin/cos pair the vectoriser handles, and a NaN test that
 * -ffinite-math-only cannot fold away.
 */
#ifndef GD_FASTMATH_H
#define GD_FASTMATH_H

/* A finished value -ffast-math may not reassociate into (GCC 12's builtin). Compilers without
 * it (clang 14, the fuzzing build) get the plain value: the fused and the two-pass batched
 * steps then agree to rounding rather than bit for bit. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_assoc_barrier)
#define GD_ASSOC_BARRIER(x) __builtin_assoc_barrier(x)
#endif
#endif
#ifndef GD_ASSOC_BARRIER
#define GD_ASSOC_BARRIER(x) (x)
#endif

#include "gandyn/vecmath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp: gd_exp_fast_inrange (public, <gandyn/vecmath.h>; gd_exp_fast with its clamp for plugins and numba games). */

/* s = sin t, c = cos t on n cells. Two loops: in one, GCC merges the pair into a scalar
 * sincos call, which has no vector form, and the loop stays scalar. */
static inline __attribute__((always_inline)) void gd_sincos_row(int n, const double *restrict t, double *restrict s, double *restrict c)
{
#pragma omp simd
    for (int i = 0; i < n; i++) s[i] = sin(t[i]);
#pragma omp simd
    for (int i = 0; i < n; i++) c[i] = cos(t[i]);
}

/* v, or dflt where v is NaN (an unset parameter), by its bits. */
static inline __attribute__((always_inline)) double gd_unset_or(double v, double dflt)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b << 1) > (UINT64_C(0x7ff0000000000000) << 1) ? dflt : v;
}

#endif
