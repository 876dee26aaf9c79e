#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Positions of the two generated points and W2^2 for examples/kernel_gda/worst_case.sh:
columns Gaussian / Laplacian kernel, one colour per sigma. Usage: kernel_gda_worst_case.py DIR OUT.png"""
import os
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np
from gd_plotlib import save_png

d, out = sys.argv[1], sys.argv[2]
sigmas = ["0.1", "0.25", "0.5", "0.75", "1"]
fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), sharex=True)
for c, kernel in enumerate(("gauss", "laplace")):
    for k, s in enumerate(sigmas):
        with h5py.File(os.path.join(d, f"{kernel}_s{s}.h5")) as f:
            g = f["traj/0"]
            it = g["t"][:] / 0.1
            x = g["x"][:]
            axes[0, c].plot(it, x[:, 0], color=f"C{k}", lw=1.2, label=f"σ = {s}")
            axes[0, c].plot(it, x[:, 1], color=f"C{k}", lw=1.2, ls="--")
            axes[1, c].semilogy(it, np.maximum(g["w2sq"][:], 1e-30), color=f"C{k}", lw=1.2)
    for y in (-1, 1):
        axes[0, c].axhline(y, color="k", lw=0.8, ls=":")
    axes[0, c].set_title(f"{'Gaussian' if kernel == 'gauss' else 'Laplacian'} kernel: generated points (solid 0.4, dashed 0.6)", fontsize=10)
    axes[0, c].set_ylabel("position")
    axes[1, c].set_ylabel("W₂²")
    axes[1, c].set_xlabel("iteration")
    for ax in axes[:, c]:
        ax.grid(alpha=0.3)
axes[0, 0].legend(fontsize=8)
fig.suptitle("kernel GDA (exact map), true points ±1, generated from 1.6 and 1.7, η_d = 0.1, η_g = 0.01, λ = 1 (authors' worst_case)",
             fontsize=11)
fig.tight_layout()
save_png(fig, out, dpi=90)
