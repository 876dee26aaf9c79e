/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw ("Parallel
 * Random Numbers: As Easy as 1, 2, 3", SC 2011): ten rounds of two 32 x 32 -> 64-bit
 * multiplications on a 128-bit counter under a 64-bit key. A draw is a pure function of
 * (key, counter), so gradient noise (docs/optimizers.md, "Gradient noise") is the same
 * whatever thread, rank or block computes it. tests/test_noise.c checks the published
 * known-answer vectors.
 */
#ifndef GD_PHILOX_H
#define GD_PHILOX_H

#include <math.h>
#include <stdint.h>

/* out = Philox4x32-10(ctr, key); out may alias ctr. */
static inline void gd_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3], k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        if (r) k0 += 0x9E3779B9u, k1 += 0xBB67AE85u; /* the key schedule: Weyl increments */
        const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0, c1 = (uint32_t)p1, c2 = n2, c3 = (uint32_t)p0;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

/* A uniform in (0, 1) from the 53 high bits of the 64-bit word (hi, lo). */
static inline double gd_philox_uniform(uint32_t hi, uint32_t lo)
{
    const uint64_t w = ((uint64_t)hi << 32) | lo;
    return ((double)(w >> 11) + 0.5) * 0x1.0p-53;
}

/* Two independent standard normals from one output block by Box-Muller: u1 from (w0, w1),
 * u2 from (w2, w3), z = sqrt(-2 ln u1) (cos, sin)(2 pi u2). */
static inline void gd_philox_normal_pair(const uint32_t w[4], double z[2])
{
    const double u1 = gd_philox_uniform(w[0], w[1]), u2 = gd_philox_uniform(w[2], w[3]);
    const double r = sqrt(-2.0 * log(u1)), a = 2.0 * M_PI * u2;
    z[0] = r * cos(a);
    z[1] = r * sin(a);
}

#endif
