/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Inline helpers for the batched sweep fields, which are compiled with -ffast-math
 * (models/NAME_batch.c): an exp the vectoriser keeps in registers, and a NaN test that
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

#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp for |s| <= 708, inline so the loop needs no call per vector (a call clobbers every
 * vector register, and the loop becomes latency-bound on it): s = k ln2 + r with
 * |r| <= ln2/2 (Cody-Waite split of ln2), e^r by its degree-12 Taylor polynomial
 * (truncation below 2e-16), 2^k put directly into the exponent bits. */
static inline __attribute__((always_inline)) double gd_exp_inline(double s)
{
    const double k = __builtin_rint(s * 1.4426950408889634);
    const double r = (s - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    long long bits = ((long long)k + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

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
