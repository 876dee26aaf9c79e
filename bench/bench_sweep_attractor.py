#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The cost of the attractor fields on a sweep (issue 24): the 1e6-cell Dirac-GAN + GP simgd
(h, gamma) sweep of bench_sweep.py (1e4 steps per cell, batched kernel), timed with
sweep.attractor = 0 (today's sweep) and 1 (the tail tests on each cell's last sweep.tail
states), in one run each, one after the other. The issue's bound: the ratio at most 3.

Usage: /usr/bin/python3 bench/bench_sweep_attractor.py [path/to/gandyn] [--quick]
(--quick: 1e5 cells.)
"""
import collections
import json
import os
import subprocess
import sys
import time

import h5py

here = os.path.dirname(os.path.abspath(__file__))
gandyn = next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(here, "..", "build", "gandyn"))
nh, ng = (1000, 100) if "--quick" in sys.argv else (1000, 1000)
out = "/tmp/gandyn_bench_sweep_attractor.h5"


def sweep(mode):
    args = ["sweep", "/dev/null", "--set", "model.reg=gp", "--set", f"sweep.x=integrator.h:0.01:2:{nh}:log", "--set", f"sweep.y=model.gamma:0:3:{ng}",
            "--set", "integrator.steps=10000", "--set", "run.x0=1e-6,1e-6", "--set", f"sweep.attractor={mode}", "-o", out, "--json"]
    t0 = time.perf_counter()
    p = subprocess.run([gandyn] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    return time.perf_counter() - t0, json.loads(p.stdout)


t0, _ = sweep(0)
t1, js = sweep(1)
with h5py.File(out) as f:
    classes = collections.Counter(f["/sweep/attractor"][:].ravel().tolist())
names = ["fixed", "periodic", "quasi_periodic", "neutral", "chaotic", "stall", "diverge", "undetermined"]
print(f"sweep {nh * ng:.0e} cells x 1e4 steps, GAN+GP simgd, {os.cpu_count()} cores")
print(f"  sweep.attractor = 0: {t0:.2f} s; = 1: {t1:.2f} s; ratio {t1 / t0:.2f} (bound 3)")
print("  classes: " + ", ".join(f"{names[k]} {v}" for k, v in sorted(classes.items())))
os.remove(out)
