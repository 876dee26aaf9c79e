#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Rate against sigma: the theory (spectral radius of J_c, from a sweep of the linear
representation) as a line, the boundaries where its phase changes (sigma_1 > sigma_2 > sigma_3),
and the measured per-iteration contraction of the exact map (a sweep of the exact
representation) as dots. Usage: kernel_gda_rate_sigma.py THEORY.h5 EXACT.h5 OUT.png"""
import os
import sys

import h5py
import matplotlib.pyplot as plt
import numpy as np
from gd_plotlib import save_png

theory, exact, out = sys.argv[1:4]
with h5py.File(theory) as f:
    s = f["sweep"]
    sig, rho, phase, pred = s["axis_x"][:], s["rho"][0], s["phase"][0].astype(int), s["predicted"][0].astype(int)
with h5py.File(exact) as f:
    s = f["sweep"]
    sig_e, rate, obs = s["axis_x"][:], s["rate"][0], s["outcome"][0].astype(int)
    title = f.attrs["command"]
fig, ax = plt.subplots(figsize=(9, 5.5))
ax.loglog(sig, rho, "k-", lw=1.4, label="theory: spectral radius of J_c (linear representation)")
colors = ["#4daf4a", "#ffcc33", "#e41a1c"]
for k, name in enumerate(("converge", "oscillate", "diverge")):
    sel = obs == k
    ax.loglog(sig_e[sel], rate[sel], "o", ms=3.5, color=colors[k], label=f"exact map, measured: {name}")
names = ("monotone", "spiral", "alternating")
for i in range(1, len(sig)):
    if phase[i] != phase[i - 1] or pred[i] != pred[i - 1]:
        b = np.sqrt(sig[i - 1] * sig[i])
        ax.axvline(b, color="C4", ls=":", lw=1)
        ax.annotate(f"σ = {b:.4g}", (b, 1), xytext=(3, 10 + 14 * (i % 2)), textcoords="offset points", rotation=90, fontsize=7, color="C4")
ax.axhline(1, color="0.4", ls="--", lw=0.8)
ax.set_xlabel("σ")
ax.set_ylabel("per-iteration rate ρ")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8, loc="upper right")
lr = [a.split("=")[1] for a in title.split() if a.startswith(("integrator.lr_d=", "integrator.lr_g="))]
ax.set_title(f"kernel GDA, one isolated point: rate against σ (η_d, η_g = {', '.join(lr)}; λ = 1)", fontsize=10)
fig.tight_layout()
save_png(fig, out, dpi=100)
