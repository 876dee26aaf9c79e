#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every batched update rule on the Dirac-GAN + GP (h, gamma) sweep, against numpy and numba
(adam at its defaults: beta1 = 0.5, beta2 = 0.999, eps = 1e-8, bias correction; rmsprop at its
defaults: beta2 = 0.99, eps = 1e-8, no bias correction).

For each fixed-step rule gandyn batches, one sweep of 1e6 cells x 1e4 steps (1e10 cell-steps;
--quick: 1e5 cells) through the CLI (whole process, wall time), with divergence freezing and
the two measurement windows. The same computation -- the rule, the GAN + GP field, freezing at
|x| > 1e6, the window maxima -- is then timed in numpy (arrays of cells, on 1e5 cells x 200
steps, scaled per cell-step) and in numba (Debian's python3-numba, @njit(parallel=True,
fastmath=True), a prange over cells with the steps inside, on 1e5 cells x 2000 steps, scaled;
compilation excluded). Each row gives ns per cell-step, the cost per field evaluation against
simgd's, and the ratios numpy/gandyn and numba/gandyn. Ratios come from one run; the machine's
speed drifts, so compare within a run. --cpu times everything by CPU time (gandyn's process,
both threads; numpy's and numba's likewise) instead of wall time: on a machine shared with other
work, wall time counts the waits for a core, CPU time does not.

Usage: /usr/bin/python3 bench/bench_rules.py [path/to/gandyn] [--quick] [--cpu] [--rules=simgd,rk4]
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

try:
    import numba
except ImportError:  # the table then lacks the numba column
    numba = None

here = os.path.dirname(os.path.abspath(__file__))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
gandyn = args[0] if args else os.path.join(here, "..", "build", "gandyn")
quick = "--quick" in sys.argv
cpu = "--cpu" in sys.argv
clock = time.process_time if cpu else time.perf_counter  # numpy and numba, in this process
only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--rules=")), None)

# rule -> field evaluations per iteration (altgd with n_g = n_d = 1; momentum simultaneous, beta = -0.5)
RULES = {"simgd": 1, "altgd": 2, "symplectic_euler": 2, "extragradient": 2, "optimistic": 1, "leapfrog": 3, "heun": 2, "rk4": 4,
         "momentum": 1, "adam": 1, "rmsprop": 1}
if only:
    RULES = {r: RULES[r] for r in only.split(",")}
NH, NG = (1000, 100) if quick else (1000, 1000)
STEPS = 10000
R2 = 1e12  # sweep.diverge_radius = 1e6, squared
X0 = 1e-6
BETA = -0.5  # momentum's default integrator.beta
B1, B2, EPS = 0.5, 0.999, 1e-8  # adam's defaults (bias correction on)
R2_RMS = 0.99  # rmsprop's beta2 (no bias correction)


def grid(nh, ng):
    h = np.repeat(np.geomspace(0.01, 2, nh)[None, :], ng, 0).ravel()
    g = np.repeat(np.linspace(0, 3, ng)[:, None], nh, 1).ravel()
    return h, g


# ---------------------------------------------------------------- gandyn ---------
def run_gandyn(rule):
    cmd = [gandyn, "sweep", "/dev/null", "--set", "model.reg=gp", "--set", f"sweep.x=integrator.h:0.01:2:{NH}:log",
           "--set", f"sweep.y=model.gamma:0:3:{NG}", "--set", f"integrator.steps={STEPS}", "--set", f"run.x0={X0},{X0}",
           "--set", f"integrator.name={rule}", "-o", "/tmp/gandyn_bench_rules.h5", "--json"]
    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode != 0:
        raise SystemExit(f"gandyn sweep with {rule} failed")
    js = json.loads(p.stdout)
    if js.get("kernel") != "batched":
        raise SystemExit(f"{rule}: the sweep did not run batched")
    return used if cpu else wall


# ---------------------------------------------------------------- numpy ----------
def f_np(th, ps, g):
    d1 = 1 / (1 + np.exp(np.clip(th * ps, -700, 700)))
    return -ps * d1, th * d1 - g * ps


def state_np(rule, th, ps, g):
    """What a rule keeps between iterations: optimistic's previous field; momentum's buffer (zero);
    adam's moments and k."""
    if rule == "momentum":
        return [np.zeros_like(th), np.zeros_like(th)]
    if rule == "adam":
        return [np.zeros_like(th), np.zeros_like(th), np.zeros_like(th), np.zeros_like(th), 0]
    if rule == "rmsprop":
        return [np.zeros_like(th), np.zeros_like(th)]
    return list(f_np(th, ps, g))


def step_np(rule, th, ps, g, h, prev):
    """One iteration of `rule` on arrays of cells; prev is its state (state_np)."""
    if rule == "simgd":
        v1, v2 = f_np(th, ps, g)
        return th + h * v1, ps + h * v2
    if rule in ("altgd", "symplectic_euler"):
        v1, _ = f_np(th, ps, g)
        th = th + h * v1
        _, v2 = f_np(th, ps, g)
        return th, ps + h * v2
    if rule == "extragradient":
        v1, v2 = f_np(th, ps, g)
        w1, w2 = f_np(th + h * v1, ps + h * v2, g)
        return th + h * w1, ps + h * w2
    if rule == "adam":
        v1, v2 = f_np(th, ps, g)
        m1, m2, s1, s2, k = prev
        k += 1
        m1, m2 = B1 * m1 + (1 - B1) * v1, B1 * m2 + (1 - B1) * v2
        s1, s2 = B2 * s1 + (1 - B2) * v1 * v1, B2 * s2 + (1 - B2) * v2 * v2
        prev[:] = [m1, m2, s1, s2, k]
        c1, c2 = 1 - B1**k, 1 - B2**k
        return th + h * (m1 / c1) / (np.sqrt(s1 / c2) + EPS), ps + h * (m2 / c1) / (np.sqrt(s2 / c2) + EPS)
    if rule == "rmsprop":
        v1, v2 = f_np(th, ps, g)
        prev[0], prev[1] = R2_RMS * prev[0] + (1 - R2_RMS) * v1 * v1, R2_RMS * prev[1] + (1 - R2_RMS) * v2 * v2
        return th + h * v1 / (np.sqrt(prev[0]) + EPS), ps + h * v2 / (np.sqrt(prev[1]) + EPS)
    if rule == "optimistic":
        v1, v2 = f_np(th, ps, g)
        d1, d2 = 2 * v1 - prev[0], 2 * v2 - prev[1]
        prev[0], prev[1] = v1, v2
        return th + h * d1, ps + h * d2
    if rule == "leapfrog":
        th = th + 0.5 * h * f_np(th, ps, g)[0]
        ps = ps + h * f_np(th, ps, g)[1]
        return th + 0.5 * h * f_np(th, ps, g)[0], ps
    if rule == "heun":
        k1 = f_np(th, ps, g)
        k2 = f_np(th + h * k1[0], ps + h * k1[1], g)
        return th + 0.5 * h * k1[0] + 0.5 * h * k2[0], ps + 0.5 * h * k1[1] + 0.5 * h * k2[1]
    if rule == "rk4":
        k1 = f_np(th, ps, g)
        k2 = f_np(th + 0.5 * h * k1[0], ps + 0.5 * h * k1[1], g)
        k3 = f_np(th + 0.5 * h * k2[0], ps + 0.5 * h * k2[1], g)
        k4 = f_np(th + h * k3[0], ps + h * k3[1], g)
        return (th + h * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]) / 6, ps + h * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]) / 6)
    if rule == "momentum":
        v1, v2 = f_np(th, ps, g)
        prev[0], prev[1] = BETA * prev[0] + v1, BETA * prev[1] + v2
        return th + h * prev[0], ps + h * prev[1]
    raise ValueError(rule)


def numpy_sweep(rule, nh, ng, steps):
    h, g = grid(nh, ng)
    th, ps = np.full(h.size, X0), np.full(h.size, X0)
    prev = state_np(rule, th, ps, g)
    alive = np.ones(h.size, bool)
    m1, m2 = np.zeros(h.size), np.zeros(h.size)
    for k in range(1, steps + 1):
        nt, nps = step_np(rule, th, ps, g, h, prev)
        th, ps = np.where(alive, nt, th), np.where(alive, nps, ps)
        d2 = th * th + ps * ps
        alive &= d2 <= R2
        if steps // 4 < k <= steps // 2:
            np.maximum(m1, np.where(alive, d2, 0), out=m1)
        elif k > 3 * steps // 4:
            np.maximum(m2, np.where(alive, d2, 0), out=m2)
    return m1, m2


# ---------------------------------------------------------------- numba ----------
RULE_ID = {r: i for i, r in enumerate(["simgd", "altgd", "symplectic_euler", "extragradient", "optimistic", "leapfrog", "heun", "rk4",
                                       "momentum", "adam", "rmsprop"])}

if numba:
    @numba.njit(inline="always", fastmath=True)
    def f_nb(th, ps, g):
        s = min(max(th * ps, -700.0), 700.0)
        d1 = 1.0 / (1.0 + np.exp(s))
        return -ps * d1, th * d1 - g * ps

    @numba.njit(parallel=True, fastmath=True)
    def numba_sweep(rule, h, g, steps):
        n = h.size
        m1, m2 = np.zeros(n), np.zeros(n)
        ks = np.arange(1, steps + 1).astype(np.float64)
        ic1, ic2 = 1 / (1 - B1**ks), 1 / (1 - B2**ks)  # adam's bias corrections, once for all cells
        for i in numba.prange(n):
            th, ps, hi, gi = X0, X0, h[i], g[i]
            q1, q2 = f_nb(th, ps, gi)  # optimistic's previous field
            if rule == 8:  # momentum's buffer starts at zero
                q1, q2 = 0.0, 0.0
            a1, a2, s1, s2 = 0.0, 0.0, 0.0, 0.0  # adam's moments (s: also rmsprop's)
            for k in range(1, steps + 1):
                if rule == 9:
                    v1, v2 = f_nb(th, ps, gi)
                    a1, a2 = B1 * a1 + (1 - B1) * v1, B1 * a2 + (1 - B1) * v2
                    s1, s2 = B2 * s1 + (1 - B2) * v1 * v1, B2 * s2 + (1 - B2) * v2 * v2
                    th = th + hi * (a1 * ic1[k - 1]) / (np.sqrt(s1 * ic2[k - 1]) + EPS)
                    ps = ps + hi * (a2 * ic1[k - 1]) / (np.sqrt(s2 * ic2[k - 1]) + EPS)
                elif rule == 10:
                    v1, v2 = f_nb(th, ps, gi)
                    s1, s2 = R2_RMS * s1 + (1 - R2_RMS) * v1 * v1, R2_RMS * s2 + (1 - R2_RMS) * v2 * v2
                    th = th + hi * v1 / (np.sqrt(s1) + EPS)
                    ps = ps + hi * v2 / (np.sqrt(s2) + EPS)
                elif rule == 0:
                    v1, v2 = f_nb(th, ps, gi)
                    th, ps = th + hi * v1, ps + hi * v2
                elif rule == 1 or rule == 2:
                    th = th + hi * f_nb(th, ps, gi)[0]
                    ps = ps + hi * f_nb(th, ps, gi)[1]
                elif rule == 3:
                    v1, v2 = f_nb(th, ps, gi)
                    w1, w2 = f_nb(th + hi * v1, ps + hi * v2, gi)
                    th, ps = th + hi * w1, ps + hi * w2
                elif rule == 4:
                    v1, v2 = f_nb(th, ps, gi)
                    th, ps = th + hi * (2 * v1 - q1), ps + hi * (2 * v2 - q2)
                    q1, q2 = v1, v2
                elif rule == 5:
                    th = th + 0.5 * hi * f_nb(th, ps, gi)[0]
                    ps = ps + hi * f_nb(th, ps, gi)[1]
                    th = th + 0.5 * hi * f_nb(th, ps, gi)[0]
                elif rule == 8:
                    v1, v2 = f_nb(th, ps, gi)
                    q1, q2 = BETA * q1 + v1, BETA * q2 + v2
                    th, ps = th + hi * q1, ps + hi * q2
                elif rule == 6:
                    a1, a2 = f_nb(th, ps, gi)
                    b1, b2 = f_nb(th + hi * a1, ps + hi * a2, gi)
                    th, ps = th + 0.5 * hi * a1 + 0.5 * hi * b1, ps + 0.5 * hi * a2 + 0.5 * hi * b2
                else:
                    a1, a2 = f_nb(th, ps, gi)
                    b1, b2 = f_nb(th + 0.5 * hi * a1, ps + 0.5 * hi * a2, gi)
                    c1, c2 = f_nb(th + 0.5 * hi * b1, ps + 0.5 * hi * b2, gi)
                    e1, e2 = f_nb(th + hi * c1, ps + hi * c2, gi)
                    th = th + hi * (a1 + 2 * b1 + 2 * c1 + e1) / 6
                    ps = ps + hi * (a2 + 2 * b2 + 2 * c2 + e2) / 6
                d2 = th * th + ps * ps
                if d2 > R2:  # frozen: the cell's measurement stops here
                    break
                if steps // 4 < k <= steps // 2:
                    m1[i] = max(m1[i], d2)
                elif k > 3 * steps // 4:
                    m2[i] = max(m2[i], d2)
        return m1, m2


def main():
    cell_steps = NH * NG * STEPS
    print(f"Dirac GAN + GP (h, gamma) sweep, {NH * NG:.0e} cells x {STEPS:.0e} steps = {cell_steps:.0e} cell-steps, "
          f"{os.cpu_count()} cores; numpy scaled from 1e5 cells x 200 steps, numba from 1e5 cells x 2000 steps; "
          f"{'CPU' if cpu else 'wall'} time")
    if numba:  # compile once, outside the timings
        numba_sweep(0, *grid(10, 10), 8)
    rows, simgd_per_eval = [], None
    for rule, evals in RULES.items():
        t = run_gandyn(rule)
        ns = t / cell_steps * 1e9
        if rule == "simgd":
            simgd_per_eval = ns
        t0 = clock()
        numpy_sweep(rule, 1000, 100, 200)
        ns_np = (clock() - t0) / (1e5 * 200) * 1e9
        ns_nb = float("nan")
        if numba:
            h, g = grid(1000, 100)
            t0 = clock()
            numba_sweep(RULE_ID[rule], h, g, 2000)
            ns_nb = (clock() - t0) / (1e5 * 2000) * 1e9
        per_eval = ns / evals / simgd_per_eval if simgd_per_eval else float("nan")
        rows.append((rule, evals, t, ns, per_eval, ns_np, ns_nb))
        print(f"| {rule} | {evals} | {t:.1f} s ({ns:.2f} ns per cell-step) | {per_eval:.2f} | numpy {ns_np:.1f} ns: **{ns_np / ns:.0f}x** "
              f"| numba {ns_nb:.2f} ns: **{ns_nb / ns:.1f}x** |", flush=True)
    bad = [r for r in rows if r[4] > 1.0 + 1e-9 and r[0] != "simgd"]
    print("cost per field evaluation within simgd's for every rule" if not bad else
          "above simgd's cost per field evaluation: " + ", ".join(f"{r[0]} ({r[4]:.2f})" for r in bad))


main()
