#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Grid of W2^2 histories for examples/kernel_gda/two_point_dimensions.sh: rows sigma,
columns d, one colour per number of generated points. Usage: kernel_gda_dimensions.py DIR OUT.png"""
import os
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np
from gd_plotlib import label_grid, save_png

d, out = sys.argv[1], sys.argv[2]
sigmas, dims, counts = ["0.1", "0.5", "1"], ["1", "10", "100"], ["2", "5", "10"]
fig, axes = plt.subplots(3, 3, figsize=(13, 10), sharex=True, sharey=True)
for r, s in enumerate(sigmas):
    for c, dim in enumerate(dims):
        ax = axes[r, c]
        for k, n in enumerate(counts):
            with h5py.File(os.path.join(d, f"s{s}_d{dim}_n{n}.h5")) as f:
                g = f["traj/0"]
                ax.semilogy(g["t"][:] / 0.01, np.maximum(g["w2sq"][:], 1e-40), color=f"C{k}", lw=1.2, label=f"N_g = {n}")
        ax.set_ylim(1e-20, 1)
label_grid(axes, [f"σ = {s}" for s in sigmas], [f"d = {dim}" for dim in dims], "W₂²")
axes[0, 0].legend(fontsize=8)
fig.suptitle("kernel GDA (exact map), one true point, N_g points on a sphere of radius 0.2, η_d = η_g = 0.01, λ = 0.1 "
             "(authors' two_point_dimensions)", fontsize=11)
fig.tight_layout()
save_png(fig, out)
