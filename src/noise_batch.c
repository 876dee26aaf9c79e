/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Gradient noise on a block of cells (src/noise.c draws it for one state): the same counter
 * layout, Philox4x32-10 and Box-Muller, written so that each loop runs across the cells and
 * vectorises. Compiled with -ffast-math like the other batched kernels: log, sin and cos come
 * from the vector math library, so a cell's draws equal the one-state path's to rounding, and
 * are the same bits for that cell in every block, thread and rank (every block is full, so
 * every cell takes the same vector code).
 */
#include "gd_impl.h"

enum { CHUNK = 256 };

/* The 53-bit word (hi, lo) >> 11 as a double, through 26- and 27-bit halves: int32
 * conversions vectorise where 64-bit ones do not. */
static inline __attribute__((always_inline)) double word53(uint32_t hi, uint32_t lo)
{
    const uint64_t a = (((uint64_t)hi << 32) | lo) >> 11;
    return (double)(int32_t)(a >> 26) * 67108864.0 + (double)(int32_t)(a & 0x3FFFFFFu);
}

/* Philox4x32-10 (src/philox.h) on one counter, returning u1, u2 in (0, 1). */
static inline __attribute__((always_inline)) void uniforms(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, double *u1,
                                                           double *u2)
{
    for (int r = 0; r < 10; r++) {
        if (r) k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
        const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0, c1 = (uint32_t)p1, c2 = n2, c3 = (uint32_t)p0;
    }
    *u1 = (word53(c0, c1) + 0.5) * 0x1.0p-53;
    *u2 = (word53(c2, c3) + 0.5) * 0x1.0p-53;
}

/* Cells [i0, i0 + m) of the lane: v_k += sigma z_k for the pair (2j, 2j + 1). */
static void pair_chunk(const gd_lane *L, double *v, int j, uint32_t stage, int i0, int m)
{
    const gd_lane_noise *z = &L->noise;
    const uint64_t seed = z->o->seed;
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32), it = (uint32_t)z->step;
    const double sigma = z->o->sigma;
    uint32_t c1[CHUNK], c3[CHUNK];
    double r[CHUNK], a[CHUNK], s[CHUNK], c[CHUNK];
    for (int i = 0; i < m; i++) {
        const long cell = z->cells ? z->cells[i0 + i] : z->cell, start = z->starts ? z->starts[i0 + i] : z->start;
        c1[i] = stage + 256u * (uint32_t)start, c3[i] = (uint32_t)cell;
    }
#pragma omp simd
    for (int i = 0; i < m; i++) {
        double u1, u2;
        uniforms((uint32_t)j, c1[i], it, c3[i], k0, k1, &u1, &u2);
        r[i] = sigma * sqrt(-2.0 * log(u1));
        a[i] = 2.0 * M_PI * u2;
    }
    /* two loops: in one, GCC merges the pair into a scalar sincos (gd_fastmath.h) */
#pragma omp simd
    for (int i = 0; i < m; i++) s[i] = sin(a[i]);
#pragma omp simd
    for (int i = 0; i < m; i++) c[i] = cos(a[i]);
    const size_t n = (size_t)L->n;
    double *v0 = v + (size_t)(2 * j) * n + i0, *v1 = 2 * j + 1 < L->dim ? v + (size_t)(2 * j + 1) * n + i0 : NULL;
#pragma omp simd
    for (int i = 0; i < m; i++) v0[i] += r[i] * c[i];
    if (v1) {
#pragma omp simd
        for (int i = 0; i < m; i++) v1[i] += r[i] * s[i];
    }
}

void gd_noise_rows(const gd_lane *L, double *v, uint32_t stage)
{
    for (int j = 0; 2 * j < L->dim; j++)
        for (int i0 = 0; i0 < L->n; i0 += CHUNK) pair_chunk(L, v, j, stage, i0, L->n - i0 < CHUNK ? L->n - i0 : CHUNK);
}
