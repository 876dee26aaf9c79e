# SPDX-License-Identifier: BSD-3-Clause
"""The optimizer figures of docs/optimizers.md from the files examples/optimizers/reproduce.sh writes.

Usage: optimizers_figures.py FIGURE OUT.png FILE...   (FIGURE: momentum adam lookahead noise)
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


def lookahead(out, path):
    """The (alpha, k) outcome map of Lookahead around simgd on the bilinear game (y = h = 0.1),
    with rho = 1 of the closed form |(1 - alpha) + alpha (1 + i y)^k| (docs/optimizers.md)."""
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    x, y, oc, rho, agree = sweep_map(ax, path)
    a, k = np.meshgrid(np.linspace(x[0], x[-1], 400), np.arange(y[0], y[-1] + 1))
    closed = np.abs((1 - a) + a * (1 + 0.1j) ** k)
    ax.contour(a, k, closed, levels=[1], colors="w", linestyles="--", linewidths=1)
    ax.plot([], [], "w--", label="closed form rho = 1")
    outcome_legend(ax)
    finish(ax, "lookahead.alpha", "lookahead.k (base steps per cycle)",
           f"Lookahead(simgd) on the Dirac WGAN, h = 0.1: {100 * float(np.mean(oc == 0)):.1f}% converge, agreement {agree:.3f}")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    save_png(fig, out)


def noise(out, eig_path, run_path):
    """One long noisy run's stationary cloud against the ellipses of the predicted covariance."""
    with h5py.File(eig_path, "r") as f:
        S = f["eig/covariance"][:2, :2]
    with h5py.File(run_path, "r") as f:
        x = f["traj/0/x"][:]
    burn = len(x) // 10
    cloud = x[burn:]
    emp = np.cov(cloud.T)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.8), gridspec_kw={"width_ratios": [1.2, 1]})
    a.plot(cloud[:, 0], cloud[:, 1], ",", color="tab:blue", alpha=0.3)
    w, V = np.linalg.eigh(S)
    t = np.linspace(0, 2 * np.pi, 200)
    for r in (1, 2, 3):
        e = V @ (r * np.sqrt(w)[:, None] * np.vstack([np.cos(t), np.sin(t)]))
        a.plot(e[0], e[1], "r-" if r == 1 else "r--", lw=1.2, label=f"{r} sigma of the predicted covariance" if r < 3 else "3 sigma")
    inside = np.mean(np.einsum("ij,jk,ik->i", cloud, np.linalg.inv(S), cloud) <= 4)
    a.set_aspect("equal")
    finish(a, "theta", "psi", f"{len(cloud)} states after {burn} steps; {100 * inside:.1f}% within 2 sigma (Gaussian: 86.5%)")
    labels = ["S11", "S12", "S22"]
    pred, meas = [S[0, 0], S[0, 1], S[1, 1]], [emp[0, 0], emp[0, 1], emp[1, 1]]
    pos = np.arange(3)
    b.bar(pos - 0.18, pred, 0.36, label="eig: Sigma = M Sigma M^T + G G^T")
    b.bar(pos + 0.18, meas, 0.36, label="measured: covariance of the run")
    b.set_xticks(pos, labels)
    finish(b, "entry", "covariance", "predicted against measured")
    fig.suptitle("simgd with gradient noise sigma = 1, h = 0.1, on J = [[0, -1], [1, -1]]", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


FIGURES = {"momentum": momentum, "adam": adam, "lookahead": lookahead, "noise": noise}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in FIGURES:
        sys.exit(f"usage: optimizers_figures.py {{{'|'.join(FIGURES)}}} OUT.png FILE...")
    FIGURES[sys.argv[1]](*sys.argv[2:])
