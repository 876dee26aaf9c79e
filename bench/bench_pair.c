/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The cost of one integrator against another on the same batched sweep, measured in pairs:
 * block by block (256 cells), the two rules take turns on the same cells in one process and
 * one thread, each timed by the thread's CPU clock. Whole-process timings on a shared machine
 * move by ±5-30 % from run to run; the median of the per-block ratios does not, because each
 * pair sees the same machine within a few milliseconds. Prints the median, quartiles and the
 * ratio of the summed times, and each rule's ns per cell-step.
 *
 * Usage: bench_pair RULE_A RULE_B [--set K=V]...   (default: the Dirac-GAN + GP (h, gamma)
 * sweep of bench/bench_rules.py, 1000 x 200 cells, 10^4 steps: 2e9 cell-steps per rule)
 */
#include "gandyn.h"
#include "pairs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const defaults[][2] = {
    {"model.reg", "gp"},           {"sweep.x", "integrator.h:0.01:2:1000:log"}, {"sweep.y", "model.gamma:0:3:200"},
    {"integrator.steps", "10000"}, {"run.x0", "1e-6,1e-6"},
};

static double steps = 1e4; /* integrator.steps, the last value set */

/* A set-up sim and its sweep for one rule, with the command line's --set items after the defaults. */
static gd_sweep *make(const char *rule, int argc, char **argv, gd_sim **ps)
{
    gd_sim *s = gd_sim_create();
    gd_sweep *w = NULL;
    int rc = s ? GD_OK : GD_ENOMEM;
    for (size_t i = 0; rc == GD_OK && i < sizeof defaults / sizeof defaults[0]; i++) rc = gd_sim_set(s, defaults[i][0], defaults[i][1]);
    for (int i = 0; rc == GD_OK && i + 1 < argc; i += 2) {
        char *eq = strchr(argv[i + 1], '=');
        if (strcmp(argv[i], "--set") || !eq) {
            fprintf(stderr, "bench_pair: expected --set K=V, got '%s'\n", argv[i]);
            exit(2);
        }
        *eq = 0;
        rc = gd_sim_set(s, argv[i + 1], eq + 1);
        if (!strcmp(argv[i + 1], "integrator.steps")) steps = atof(eq + 1);
        *eq = '=';
    }
    if (rc == GD_OK) rc = gd_sim_set(s, "integrator.name", rule);
    if (rc == GD_OK) rc = gd_sim_setup(s);
    if (rc == GD_OK) rc = gd_sweep_create(s, &w);
    if (rc != GD_OK || !gd_sweep_is_batched(w)) {
        fprintf(stderr, "bench_pair: %s: %s\n", rule, rc != GD_OK && s ? gd_sim_errmsg(s) : "this sweep does not run batched");
        exit(2);
    }
    gd_sweep_set_threads(w, 1);
    *ps = s;
    return w;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (argc - 3) % 2) {
        fprintf(stderr, "usage: bench_pair RULE_A RULE_B [--set K=V]...\n");
        return 2;
    }
    gd_sim *sa, *sb;
    gd_sweep *wa = make(argv[1], argc - 3, argv + 3, &sa), *wb = make(argv[2], argc - 3, argv + 3, &sb);
    const long n = gd_sweep_ncells(wa), block = 256, nb = (n + block - 1) / block;
    double *ratio = malloc(sizeof(double) * (size_t)nb), ta = 0, tb = 0;
    for (long b = 0; b < nb; b++) {
        const long i0 = b * block, i1 = i0 + block < n ? i0 + block : n;
        double t[2];
        for (int k = 0; k < 2; k++) {
            int first = (b + k) & 1; /* the order alternates from block to block */
            double t0 = pairs_cpu_now();
            if (gd_sweep_run_range(first ? wb : wa, i0, i1) != GD_OK) {
                fprintf(stderr, "bench_pair: %s\n", gd_sim_errmsg(first ? sb : sa));
                return 1;
            }
            t[first] = pairs_cpu_now() - t0;
        }
        ratio[b] = t[1] / t[0], ta += t[0], tb += t[1];
    }
    const pairs_quartiles q = pairs_summary(ratio, nb);
    printf("%s: %.3f ns per cell-step; %s: %.3f ns per cell-step (%ld cells x %.0f steps, one thread)\n", argv[1], 1e9 * ta / (n * steps), argv[2],
           1e9 * tb / (n * steps), n, steps);
    printf("%s / %s per block: median %.3f, quartiles %.3f-%.3f (%ld blocks); summed times %.3f\n", argv[2], argv[1], q.median, q.q1, q.q3, nb,
           tb / ta);
    free(ratio);
    gd_sweep_free(&wa), gd_sweep_free(&wb);
    gd_sim_free(&sa), gd_sim_free(&sb);
    return 0;
}
