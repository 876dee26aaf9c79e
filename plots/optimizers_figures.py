# SPDX-License-Identifier: BSD-3-Clause
"""The optimizer figures of docs/optimizers.md from the files examples/optimizers/reproduce.sh writes.

Usage: optimizers_figures.py FIGURE OUT.png FILE...   (FIGURE: momentum adam)
Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py, python3-matplotlib).
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gd_plotlib import OUTCOME_COLOURS, file_config, finish, plt, save_png, sweep_map  # noqa: E402


def outcome_legend(ax):
    for c, name in zip(OUTCOME_COLOURS, ("converge", "oscillate", "diverge")):
        ax.fill_between([], [], color=c, label=name)
    ax.plot([], [], "k", lw=1.3, label="predicted rho = 1")


def momentum(out, sim, alt):
    """(h, beta) outcome maps, simultaneous and alternating, with the closed-form wedge of the
    alternating rule on the bilinear game: it converges iff h/2 - 1 < beta < 0 (h < 2)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    for ax, path, name in zip(axes, (sim, alt), ("simultaneous (update = sim)", "alternating (update = alt)")):
        x, y, oc, rho, agree = sweep_map(ax, path)
        conv = float(np.mean(oc == 0))
        if "alt" in name:
            ax.plot(x, x / 2 - 1, "w--", lw=1.2, label="beta = h/2 - 1 (closed form)")
            ax.axhline(0, color="w", ls=":", lw=1.2, label="beta = 0")
        outcome_legend(ax)
        finish(ax, "step h", "momentum beta" if ax is axes[0] else "", f"{name}: {100 * conv:.1f}% converge, agreement {agree:.3f}")
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle("heavy-ball momentum on the Dirac WGAN (bilinear game)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


FLOOR = 1e-30  # lower edge of the distance panel


def adam(out, *paths):
    """Trajectories in the (theta, psi) plane and the distance to x* against the iteration."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.6))
    for p, colour in zip(paths, ("tab:blue", "tab:orange", "tab:red")):
        with h5py.File(p, "r") as f:
            rule = file_config(f)["integrator"]["name"]
            x = f["traj/0/x"][:]
            eq = f["model/equilibrium"][:] if "model/equilibrium" in f else np.zeros(2)
        name = {"simgd": "SGD (simgd)", "rmsprop": "RMSProp", "adam": "Adam"}.get(rule, rule)
        d = np.linalg.norm(x - eq, axis=1)
        a.plot(x[:, 0], x[:, 1], color=colour, lw=0.8, label=name)
        b.semilogy(np.arange(len(d)), np.maximum(d, 1e-300), color=colour, lw=1, label=f"{name}: final {d[-1]:.2g}")
        if d.min() < FLOOR:  # Adam: as v decays, its frozen-v map turns unstable
            k = int(np.argmin(d))
            b.annotate(f"{name} reaches {d[k]:.0e}; then v decays, the step h/sqrt(v)\noutgrows the frozen-v map's stability limit",
                       (k, FLOOR), xytext=(k + 300, 1e-22), fontsize=7, arrowprops=dict(arrowstyle="->", lw=0.7))
    b.set_ylim(FLOOR, 10)
    a.plot([0], [0], "k*", ms=10, label="x* = (0, 0)")
    finish(a, "theta (generator)", "psi (discriminator)", "trajectories from (1, 1), h = 0.05")
    finish(b, "iteration", "|x - x*|", "distance to the equilibrium")
    fig.suptitle("Dirac GAN with gradient penalty gamma = 0.3 under SGD, RMSProp and Adam", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


FIGURES = {"momentum": momentum, "adam": adam}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in FIGURES:
        sys.exit(f"usage: optimizers_figures.py {{{'|'.join(FIGURES)}}} OUT.png FILE...")
    FIGURES[sys.argv[1]](*sys.argv[2:])
