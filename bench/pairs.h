/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Measuring in pairs (bench_pair, bench_floor): two computations take turns block by block in
 * one thread, each block timed by the thread's CPU clock, and the per-block ratios are summed
 * up by their median and quartiles, which a shared machine's slow spells move far less than
 * they move whole-process times.
 */
#ifndef GD_BENCH_PAIRS_H
#define GD_BENCH_PAIRS_H

#include <stdlib.h>
#include <time.h>

/* This thread's CPU time in seconds. */
static inline double pairs_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static inline int pairs_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median and quartiles of r[0..n) (n >= 1), which this sorts. */
typedef struct {
    double median, q1, q3;
} pairs_quartiles;
static inline pairs_quartiles pairs_summary(double *r, long n)
{
    qsort(r, (size_t)n, sizeof(double), pairs_by_value);
    return (pairs_quartiles){r[n / 2], r[n / 4], r[3 * n / 4]};
}

#endif
