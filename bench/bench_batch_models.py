#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The batched sweep kernel against the per-cell path (sweep.kernel = cell) on the models
whose batched fields are models/torus_batch.c and models/kernel_gda_batch.c (issue 21).

Each row runs one sweep of 256 x 64 cells twice, batched (the default) and with every cell
through the stepper, on one thread, three times each; the minimum CPU time (user + sys of
the gandyn process) counts, since the machine is shared and wall time follows its load.
Both kernels also run the same sweep with one step: that time is the per-cell set-up both
share (the cell's configuration, its equilibrium, the predicted spectral radius), and the
difference is the stepping alone. Printed per row: cells, steps, CPU seconds of each kernel,
ns per cell-step (whole sweep and stepping alone), the two ratios, and the fraction of cells
whose outcome agrees between the kernels (checked >= 0.99; exit 1 otherwise).

Usage: /usr/bin/python3 bench/bench_batch_models.py [path/to/gandyn] [--quick]
(--quick: 64 x 16 cells and 100 steps, one repetition, for a smoke test.)
"""
import os
import resource
import subprocess
import sys
import time

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
gandyn = next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(here, "..", "build", "gandyn"))
quick = "--quick" in sys.argv
NX, NY, STEPS, REPS = (64, 16, 100, 1) if quick else (256, 64, 500, 3)

# name, model keys, x axis, y axis (the y axis is a start coordinate or a batch parameter)
KG_LINEAR = ["model.name=kernel_gda", "model.representation=linear", "model.d=2", "model.true_points=0,0;3,1", "model.true_masses=0.5,0.5",
             "model.gen_points=0.1,0.05;2.9,1.2", "model.gen_masses=0.4,0.55"]
ROWS = [
    ("torus truncated N=4 (rexp)", ["model.name=torus"], "integrator.h:0.01:1:{nx}:log", "run.x0.0:-3:3:{ny}"),
    ("torus truncated N=16 (rexp)", ["model.name=torus", "model.N=16"], "integrator.h:0.01:1:{nx}:log", "run.x0.0:-3:3:{ny}"),
    ("torus real damped", ["model.name=torus", "model.objective=damped", "model.flow=real", "run.x0=0.3,-0.2"], "integrator.h:0.02:0.4:{nx}:log",
     "model.s:0.2:2:{ny}"),
    ("torus real rexp", ["model.name=torus", "model.flow=real"], "integrator.h:0.01:1:{nx}:log", "model.rho:0.5:2:{ny}"),
    ("kernel_gda linear (d=2)", KG_LINEAR, "integrator.h:0.01:2:{nx}:log", "model.lambda:0.1:2:{ny}"),
    ("kernel_gda features (D=64)", ["model.name=kernel_gda", "model.representation=features", "model.features=64", "model.true_points=0;2",
                                    "model.gen_points=0.2;1.7"], "integrator.h:0.01:2:{nx}:log", "run.x0.0:-0.5:0.5:{ny}"),
]


def run(keys, x, y, steps, kernel, out):
    """CPU seconds (user + sys) and wall seconds of one gandyn sweep."""
    args = [gandyn, "sweep", "/dev/null", "--threads", "1", "-o", out, "--set", f"sweep.x={x.format(nx=NX)}", "--set", f"sweep.y={y.format(ny=NY)}",
            "--set", f"integrator.steps={steps}", "--set", f"sweep.kernel={kernel}"]
    for k in keys:
        args += ["--set", k]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"gandyn {' '.join(args[1:])} failed: {p.stderr.strip()}")
    if f"({'per-cell' if kernel == 'cell' else 'batched'} kernel)" not in p.stdout:
        raise SystemExit(f"{' '.join(args[1:])}: expected the {kernel} kernel, got: {p.stdout.strip()}")
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), wall


def best(keys, x, y, steps, kernel, out):
    return min(run(keys, x, y, steps, kernel, out)[0] for _ in range(REPS))


cells = NX * NY
print(f"{cells} cells ({NX} x {NY}) x {STEPS} steps, simgd, one thread, minimum CPU time of {REPS}")
print(f"{'model':30s} {'batched s':>10s} {'cell s':>9s} {'ns/cell-step':>14s} {'ratio':>6s}   {'stepping ns':>13s} {'ratio':>6s}   agree")
failed = False
for name, keys, x, y in ROWS:
    outs = {k: f"/tmp/gandyn_bench_batch_{k}.h5" for k in ("auto", "cell")}
    t = {k: best(keys, x, y, STEPS, k, outs[k]) for k in outs}
    t1 = {k: best(keys, x, y, 1, k, "") for k in outs}  # the per-cell set-up both kernels share
    with h5py.File(outs["auto"]) as a, h5py.File(outs["cell"]) as b:
        agree = float(np.mean(a["/sweep/outcome"][:] == b["/sweep/outcome"][:]))
    ns = {k: 1e9 * t[k] / (cells * STEPS) for k in t}
    step_ns = {k: 1e9 * (t[k] - t1[k]) / (cells * (STEPS - 1)) for k in t}
    stepping = (f"{step_ns['auto']:5.1f} / {step_ns['cell']:6.1f} {step_ns['cell'] / step_ns['auto']:6.1f}" if min(step_ns.values()) > 0
                else f"{'(below the noise)':>20s}")
    failed |= agree < 0.99
    print(f"{name:30s} {t['auto']:10.3f} {t['cell']:9.3f} {ns['auto']:6.1f} / {ns['cell']:6.1f} {t['cell'] / t['auto']:6.1f}   {stepping}   {agree:.4f}")
    for f in outs.values():
        for g in (f, f + ".ckpt"):
            if os.path.exists(g):
                os.remove(g)
if failed:
    raise SystemExit("outcomes of the two kernels agree in fewer than 99% of the cells of some row")
