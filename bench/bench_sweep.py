#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""gandyn against its own numpy/scipy baselines, measured in one run (issue 4).

1. Step-size sweep: Dirac-GAN, gan loss + gradient penalty, simgd, a (h, gamma) grid of
   1e6 cells x 1e4 steps (1e10 cell-steps), with divergence freezing and the two
   measurement windows. The numpy baseline does the same computation on arrays of
   cells; it runs on a smaller grid and is scaled per cell-step (said in the output).
2. One CVODE trajectory of the unregularized Dirac-GAN flow from (1, 1) to t = 1e4 at
   rtol 1e-10, atol 1e-12, against scipy's solve_ivp (LSODA and DOP853, the faster
   counts), with the drift of theta^2 + psi^2 for each. Both sides time the solve alone
   (gandyn's own per-trajectory wall time from --json; solve_ivp's call), so neither
   counts interpreter or process start-up; gandyn's whole-process time is printed too.
Peak resident memory of each gandyn process is reported too.

Usage: /usr/bin/python3 bench/bench_sweep.py [path/to/gandyn] [--quick]
(--quick: 1e5 cells for the sweep, for a smoke test.)
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

here = os.path.dirname(os.path.abspath(__file__))
gandyn = next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(here, "..", "build", "gandyn"))
quick = "--quick" in sys.argv


def run_gandyn(args):
    """Wall time, peak RSS (MiB) and the JSON gandyn printed. The peak is gandyn's own
    VmHWM from its JSON: the rusage of a child counts the forked Python image too."""
    t0 = time.perf_counter()
    p = subprocess.run([gandyn] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"gandyn {' '.join(args)} failed")
    js = json.loads(p.stdout)
    return wall, js["peak_rss_mib"], js


# ---------------------------------------------------------------- 1. sweep -------
def numpy_sweep(nh, ng, steps):
    """The same per-cell computation as gandyn's batched kernel, vectorised over cells."""
    h = np.repeat(np.geomspace(0.01, 2, nh)[None, :], ng, 0).ravel()
    g = np.repeat(np.linspace(0, 3, ng)[:, None], nh, 1).ravel()
    th = np.full(h.size, 1e-6)
    ps = np.full(h.size, 1e-6)
    alive = np.ones(h.size, bool)
    m1 = np.zeros(h.size)
    m2 = np.zeros(h.size)
    for k in range(1, steps + 1):
        s = np.clip(th * ps, -700, 700)
        d1 = 1 / (1 + np.exp(s))
        v1, v2 = -ps * d1, th * d1 - g * ps
        th = np.where(alive, th + h * v1, th)
        ps = np.where(alive, ps + h * v2, ps)
        d2 = th * th + ps * ps
        alive &= d2 <= 1e12
        if steps // 4 < k <= steps // 2:
            np.maximum(m1, np.where(alive, d2, 0), out=m1)
        elif k > 3 * steps // 4:
            np.maximum(m2, np.where(alive, d2, 0), out=m2)
    return m1, m2


nh, ng = (1000, 100) if quick else (1000, 1000)
steps = 10000
cells = nh * ng
t_sweep, mem_sweep, js = run_gandyn(["sweep", "/dev/null", "--set", "model.reg=gp", "--set", f"sweep.x=integrator.h:0.01:2:{nh}:log",
                                     "--set", f"sweep.y=model.gamma:0:3:{ng}", "--set", f"integrator.steps={steps}",
                                     "--set", "run.x0=1e-6,1e-6", "-o", "/tmp/gandyn_bench_sweep.h5", "--json"])
np_cells, np_steps = 100000, 200
t0 = time.perf_counter()
numpy_sweep(1000, np_cells // 1000, np_steps)
t_np = (time.perf_counter() - t0) / (np_cells * np_steps) * cells * steps
print(f"sweep {cells:.0e} cells x {steps:.0e} steps, GAN+GP simgd, {os.cpu_count()} cores")
print(f"  gandyn       {t_sweep:8.2f} s  ({1e9 * t_sweep / (cells * steps):.3f} ns per cell-step, {js['kernel']} kernel, "
      f"peak {mem_sweep:.0f} MiB, agreement {js['agreement']:.6f})")
print(f"  numpy        {t_np:8.2f} s  (scaled from {np_cells:.0e} cells x {np_steps} steps, one core)")
print(f"  ratio        {t_np / t_sweep:8.1f} x")

# ---------------------------------------------------------------- 2. CVODE -------
T = 1e4
t_cv, mem_cv, js = run_gandyn(["run", "/dev/null", "--set", "integrator.name=cvode", "--set", "integrator.rtol=1e-10",
                               "--set", "integrator.atol=1e-12", "--set", f"integrator.t_end={T:g}", "--set", "integrator.steps=100",
                               "-o", "", "--json"])
tr = js["trajectories"][0]
xf, t_solve = tr["x_final"], tr["seconds"]
drift_gd = abs(xf[0] ** 2 + xf[1] ** 2 - 2)


def flow(t, x):
    fp = 1 / (1 + np.exp(x[0] * x[1]))
    return [-x[1] * fp, x[0] * fp]


results = {}
for method in ("LSODA", "DOP853"):
    t0 = time.perf_counter()
    sol = solve_ivp(flow, (0, T), [1.0, 1.0], method=method, rtol=1e-10, atol=1e-12)
    results[method] = (time.perf_counter() - t0, abs(sol.y[0, -1] ** 2 + sol.y[1, -1] ** 2 - 2), sol.nfev)
best = min(results, key=lambda k: results[k][0])
print(f"CVODE trajectory, Dirac GAN flow from (1,1) to t = {T:g}, rtol 1e-10, atol 1e-12")
print(f"  gandyn cvode {t_solve:8.3f} s  solve ({tr['nfev']} field evaluations, {tr['solver_steps']} steps); "
      f"whole process {t_cv:.3f} s, peak {mem_cv:.0f} MiB; drift of r^2: {drift_gd:.2e}")
for m, (t, d, nfev) in results.items():
    print(f"  scipy {m:7s}{t:8.3f} s  solve ({nfev} field evaluations), drift of r^2: {d:.2e}")
print(f"  ratio        {results[best][0] / t_solve:8.1f} x  solve against solve (the faster scipy method, {best}); "
      f"{results[best][0] / t_cv:.1f} x counting gandyn's whole process")
