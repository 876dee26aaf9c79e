/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Observed outcomes: what one trajectory's distances to x* say (README, `gandyn sweep`). The
 * run, every sweep cell (per-cell path and batched kernel) and the critical bisection read
 * their converge / oscillate / diverge from here, so one configuration gets one label
 * whichever command integrates it.
 */
#include "gd_impl.h"
#include "sim_impl.h"
#include "sweep_impl.h" /* GD_TINY, shared with the batched kernel's records */

#include <float.h>
#include <math.h>

/* A field evaluated at x* itself is zero only to rounding (the particles' critic at its data: a
 * first step of 3e-17), so a start at x* moves by about the spacing of doubles near x*. Growth
 * is measured from at least this floor, and a start within it is judged by whether it stays
 * there (x* holds it: converge) or leaves (x* repels: diverge). */
double gd_track_floor(int nm, const double *eq)
{
    const double r = 64 * DBL_EPSILON * (1 + gd_norm(nm, eq));
    return r * r;
}

void gd_track_start(gd_track *tr, const gd_sim *s, double d0, long N, int nm, const double *eq)
{
    const double floor = eq ? gd_track_floor(nm, eq) : 0, G2 = s->sweep->grow_factor * s->sweep->grow_factor;
    *tr = (gd_track){.d0 = d0, .dN = d0, .dl = d0, .N = N, .floor = floor, .grow_at = gd_grow_threshold(G2, d0, floor)};
}

void gd_track_step(gd_track *tr, long k, double d)
{
    const long N = tr->N;
    if (k > N / 4 && k <= N / 2) tr->m1 = fmax(tr->m1, d);
    if (k > 7 * N / 8) tr->m2b = fmax(tr->m2b, d);
    if (k > 3 * N / 4) tr->m2 = fmax(tr->m2, d), tr->s2 += d;
    if (d > GD_TINY) tr->dl = d, tr->kl = k;
    if (!tr->kg && (k & 3) == 0 && d > tr->grow_at) tr->dg = d, tr->kg = k; /* every 4th step, as the kernel */
    tr->dN = d;
}

/* With gradient noise the state never settles: a trajectory converges when its RMS distance
 * to x* over the trailing window (3N/4, N] is within sweep.noise_factor x sqrt(tr Sigma_pred),
 * the predicted stationary spread; diverges by the radius alone; else oscillates. */
static gd_outcome noisy_outcome(const sweep_opts *o, const gd_track *tr, double sigma_pred)
{
    const long win = tr->N - 3 * tr->N / 4;
    const double rms = win > 0 ? sqrt(tr->s2 / (double)win) : sqrt(tr->dN);
    if (tr->div_at) return GD_DIVERGE;
    return rms <= o->noise_factor * sqrt(sigma_pred) ? GD_CONVERGE : GD_OSCILLATE; /* NaN (no covariance): never converged */
}

/* Whether a shrinking distance keeps shrinking to the end: the late window's second half,
 * (7N/8, N], lies below its first half at least 1/16 as far (in log) as the late window lies
 * below the first one. Geometric decay gives 1/4, d ~ 1/k gives 1/7, an orbit levelling off
 * on a cycle around x* gives less (the max over (3N/4, N] is its first half's when m2b < m2). */
static int still_shrinking(const gd_track *tr)
{
    if (tr->N < 16 || !(tr->m1 > GD_TINY) || !(tr->m2b > GD_TINY)) return 1; /* too short to tell, or past underflow */
    return tr->m2b < tr->m2 && 16 * log(tr->m2 / tr->m2b) >= log(tr->m1 / tr->m2);
}

/* The measured per-iteration contraction: over the divergence, the escape, the windows (their
 * centres N/2 apart), or to the last distance above underflow. */
static double contraction(const gd_track *tr)
{
    const double d0sq = tr->d0, dNsq = tr->dN, m1 = tr->m1, m2 = tr->m2;
    const long N = tr->N;
    if (tr->div_at) return pow(dNsq / d0sq, 0.5 / (double)tr->div_at);
    if (tr->kg && d0sq > 0) return pow(tr->dg / d0sq, 0.5 / (double)tr->kg); /* the escape, not the cycle after it */
    if (N >= 8 && m1 > GD_TINY && m2 > GD_TINY) return pow(m2 / m1, 1.0 / (double)N);
    if (tr->kl > 0 && d0sq > 0) return pow(tr->dl / d0sq, 0.5 / (double)tr->kl); /* converged past underflow */
    return d0sq > 0 ? pow(dNsq / d0sq, 0.5 / (double)N) : 0;
}

gd_outcome gd_track_outcome(const gd_sim *s, const gd_track *tr, double sigma_pred, double *rate_out)
{
    const sweep_opts *o = s->sweep;
    const double d0sq = tr->d0, dNsq = tr->dN, m2 = tr->m2, rate = contraction(tr), tol = o->rate_tol;
    const int escaped = tr->kg || m2 > tr->grow_at; /* past grow_factor x the start (or x the floor) */
    gd_outcome out;
    if (tr->div_at) out = GD_DIVERGE;
    else if (d0sq <= tr->floor) out = escaped ? GD_DIVERGE : GD_CONVERGE; /* started at x* */
    else if (dNsq <= o->converge_tol * o->converge_tol * d0sq) out = GD_CONVERGE;
    else if (escaped) out = GD_DIVERGE;
    else if (rate < 1 - tol && m2 <= d0sq && still_shrinking(tr)) out = GD_CONVERGE; /* shrinking to the end, nearer than it started */
    else if (rate < 1 - tol) out = GD_OSCILLATE; /* moved away and now creeping, or levelling off: not converged */
    else if (rate > 1 + tol && m2 > d0sq) out = GD_DIVERGE; /* growing, and farther than it started */
    else out = GD_OSCILLATE;
    if (s->stepper->noise.sigma > 0) out = noisy_outcome(o, tr, sigma_pred);
    if (rate_out) *rate_out = rate;
    return out;
}
