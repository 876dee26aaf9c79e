/* SPDX-License-Identifier: BSD-3-Clause
 *
 * An exp and a logistic for batched fields (your own game's `field_batch`, and the built-in models'): inline,
 * so that a compiler vectorises a loop over cells that calls it, with no call into libm per
 * vector. glibc's vector exp (libmvec) is reached only under -ffast-math and then costs a call
 * that clobbers every vector register; numba has no vector exp at all without Intel's SVML
 * (python's gandyn.jit.exp is the same function for numba cfuncs).
 *
 * gd_exp_fast(s) = e^s for |s| <= 708, to 1e-13 relative (a few ulp for |s| <= 20); s is first
 * clamped to [-708, 708], so beyond it returns e^-708 or e^708 rather than 0 or infinity, which
 * suits saturating losses (1/(1 + e^s)) and keeps every lane on the fast path.
 * gd_exp_fast_inrange(s) is the same without the clamp, for a loop that bounds s itself (the
 * built-in fields do: the two comparisons cost them 5 % of a sweep); outside [-708, 708] its
 * value is undefined. NaN is not handled by either: a NaN s gives an unspecified value.
 * gd_sigmoid_fast(x) = 1/(1 + e^-x), the logistic the built-in losses need (f'(s) = 1/(1 + e^s)
 * is gd_sigmoid_fast(-s)), to a few ulp with half the multiply-adds of 1/(1 + gd_exp_fast(-x)).
 * Header-only; C99 with GCC or clang builtins.
 */
#ifndef GANDYN_VECMATH_H
#define GANDYN_VECMATH_H

#include <stdint.h>
#include <string.h>

/* s = k ln2 + r with |r| <= ln2/2 (ln2 split into a head with trailing zero bits, so k ln2_hi is
 * exact, and a tail), e^r by its degree-12 Taylor polynomial (truncation below 2e-16), 2^k
 * written straight into the exponent bits. */
static inline __attribute__((always_inline)) double gd_exp_fast_inrange(double s)
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
    const int64_t bits = (int64_t)(k + 1023.0) << 52; /* k + 1023 is in [2, 2044]: a positive shift */
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline __attribute__((always_inline)) double gd_exp_fast(double s) { return gd_exp_fast_inrange(s < -708.0 ? -708.0 : s > 708.0 ? 708.0 : s); }

/* gd_sigmoid_fast_inrange(x) = 1/(1 + e^-x) for |x| <= 708, to a few ulp, with one division: x = k ln2
 * + r as above, e^r = P(r)/P(-r) by its [6/6] Pade approximant (below 2e-19 for |r| <= ln2/2), so
 * 1/(1 + 2^-k P(-r)/P(r)) = P(r)/(P(r) + 2^-k P(-r)). It needs half the multiply-adds of
 * 1/(1 + gd_exp_fast(-x)), whose division it shares. Outside [-708, 708] its value is undefined. */
static inline __attribute__((always_inline)) double gd_sigmoid_fast_inrange(double x)
{
    const double k = __builtin_rint(x * 1.4426950408889634);
    const double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    const double r2 = r * r;
    const double even = 1.0 + r2 * (5.0 / 44.0 + r2 * (1.0 / 792.0 + r2 * (1.0 / 665280.0)));
    const double odd = r * (0.5 + r2 * (1.0 / 66.0 + r2 * (1.0 / 15840.0)));
    const int64_t bits = (int64_t)(1023.0 - k) << 52; /* 2^-k; 1023 - k is in [2, 2044] */
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    const double p = even + odd, q = even - odd;
    return p / (p + scale * q);
}

/* The same for every x: clamped to [-708, 708] first (0 and 1 to within 1e-307 beyond). */
static inline __attribute__((always_inline)) double gd_sigmoid_fast(double x) { return gd_sigmoid_fast_inrange(x < -708.0 ? -708.0 : x > 708.0 ? 708.0 : x); }

#endif
