#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Grid of W2^2 histories for examples/kernel_gda/two_point_hyperparams.sh: rows sigma,
columns (eta_d, eta_g), one colour per lambda; solid the exact map, dashed the linear model.
Usage: kernel_gda_two_point.py DIR OUT.png"""
import os
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np
from gd_plotlib import label_grid, save_png

d, out = sys.argv[1], sys.argv[2]
sigmas, rates, lams = ["0.1", "1", "10"], [("1", "0.1"), ("0.1", "0.1"), ("0.1", "0.01"), ("0.01", "0.01")], ["1", "0.1", "0.01"]
fig, axes = plt.subplots(3, 4, figsize=(16, 10), sharex=True, sharey=True)
for r, s in enumerate(sigmas):
    for c, (ed, eg) in enumerate(rates):
        ax = axes[r, c]
        for k, lam in enumerate(lams):
            for rep, ls in (("exact", "-"), ("linear", "--")):
                path = os.path.join(d, f"{rep}_s{s}_d{ed}_g{eg}_l{lam}.h5")
                with h5py.File(path) as f:
                    g = f["traj/0"]
                    t = g["t"][:] / float(ed)  # iterations
                    w = np.maximum(g["w2sq"][:], 1e-40)
                label = f"λ={lam}" if rep == "exact" else None
                ax.semilogy(t, w, ls, color=f"C{k}", lw=1.2 if rep == "exact" else 0.9, label=label)
        ax.set_ylim(1e-30, 1e3)
label_grid(axes, [f"σ = {s}" for s in sigmas], [f"η_d = {ed}, η_g = {eg}" for ed, eg in rates], "W₂²")
axes[0, 0].legend(fontsize=8, title="solid: exact map\ndashed: linear model", title_fontsize=7)
fig.suptitle("kernel GDA, one true point at 0, one generated point from 0.1, cold start (authors' two_point_hyperparams)", fontsize=12)
fig.tight_layout()
save_png(fig, out)
