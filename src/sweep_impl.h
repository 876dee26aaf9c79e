/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The batched sweep kernel: a block of GD_BLOCK cells advanced in lock-step in
 * structure-of-arrays form by the integrator's own rule on a lane of cells (gd_impl.h),
 * measured per step (sweep_kernel.c, compiled with -ffast-math).
 */
#ifndef GD_SWEEP_IMPL_H
#define GD_SWEEP_IMPL_H

#include "gd_impl.h"

/* Cells per block: a multiple of every vector width, and always full (padded), so each
 * cell takes the same vector code path whatever the partition: results are bit-identical
 * for any number of threads, ranks or cell ranges. */
#define GD_BLOCK 256
/* Squared distances below this have underflowed towards 0: rates use the last one above. */
#define GD_TINY 1e-280

/* The squared distance past which a trajectory that started at squared distance d0 has escaped
 * (x* repels): G2, the squared sweep.grow_factor, times d0, or times the rounding floor at x*
 * (gd_track_floor) for a start within it. Computed once per trajectory, by the batched kernel
 * and by src/outcome.c alike. */
static inline double gd_grow_threshold(double G2, double d0, double floor) { return G2 * fmax(d0, floor); }

typedef struct {
    const gd_stepper *st; /* the rule (st->type->advance) and its options; st->model's batched field */
    int mdim;             /* the first mdim coordinates are measured */
    long steps;
    const double *eq;     /* dim */
    double R2;            /* squared divergence radius */
    double G2;            /* squared grow factor */
    double floor;         /* squared distance that is rounding at x* (gd_track_floor) */
    int park;             /* eq is a zero of the field for every cell: frozen cells wait there */
    long tail;            /* keep the states of the last `tail` iterations (b->tail; 0: none) */
} gd_batch_cfg;

/* Per-block state: the cells as a lane, their states, per-cell steps and parameters, and
 * the measurements. Every per-cell array is of doubles, so that the loops vectorise without
 * mixed-width types. */
typedef struct {
    gd_batch batch;
    double *x, *p;          /* dim x GD_BLOCK states; np x GD_BLOCK batch parameters */
    double *xf;             /* dim x GD_BLOCK: a parked cell's state when it froze (cfg park) */
    int np;                 /* how many of p are set (0: the model's own values) */
    /* The rule's double options per cell (a sweep over integrator.beta, beta1, ...): cells[j]
     * the column of the option at byte offset j * sizeof(double) (gd_lane's cell), NULL for
     * other fields; the columns live in rc (one per double option, GD_BLOCK each). */
    double *rc;
    const double **cells;
    double hg[GD_BLOCK], hd[GD_BLOCK];
    double m1[GD_BLOCK], m2[GD_BLOCK]; /* max squared distance in the windows (N/4, N/2], (3N/4, N] */
    double m2b[GD_BLOCK];   /* ... and over (7N/8, N], the late window's second half */
    double d0[GD_BLOCK];    /* squared initial distance */
    double dl[GD_BLOCK];    /* last squared distance above GD_TINY, and its step */
    double kl[GD_BLOCK];
    double grow_at[GD_BLOCK]; /* gd_grow_threshold of each cell */
    double dg[GD_BLOCK], kg[GD_BLOCK]; /* first squared distance above grow_at (x* repels), its step */
    double diverged_at[GD_BLOCK]; /* step at which |x - x*| passed the radius (0: never) */
    double s2[GD_BLOCK];    /* sum of squared distances over (3N/4, N] (gradient noise's RMS) */
    long cell[GD_BLOCK];    /* the sweep cell of each (the gradient noise's counter) */
    double *tail;           /* ntail x nm x GD_BLOCK: the last map states, iteration s in slot (s - 1) % ntail */
    long ntail;
    int nm;                 /* the map's state: dim, then the rule's history (gd_stepper_map_dim) */
} gd_block;

/* A block for the stepper's rule on its model keeping the last `tail` map states of each cell
 * (0: none), or NULL when out of memory. */
gd_block *gd_block_create(const gd_stepper *st, long tail);
/* Cell i's kept map states in iteration order into z (S x nm, S = min(tail, steps)). */
void gd_block_tail(const gd_block *b, long steps, int i, double *z);
void gd_block_free(gd_block *b);
/* Advance a block through cfg->steps iterations of the rule, measuring as it goes. */
int gd_batch_run(const gd_batch_cfg *cfg, gd_block *b);

#endif
