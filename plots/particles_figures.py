# SPDX-License-Identifier: BSD-3-Clause
"""The particle-flow figures (docs/models/particles.md) from the files examples/particles/reproduce.sh
writes.

Usage: particles_figures.py a|b|c|d OUT.png DIR
Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py, python3-matplotlib).
"""
import glob
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gd_plotlib import file_config, finish, plt, save_png, sweep_map  # noqa: E402


def model_config(f):
    return file_config(f)


def run(path):
    """Times, states [T, N, d], J, data points and the integrator's step of a run file."""
    with h5py.File(path, "r") as f:
        t, x, J = f["traj/0/t"][:], f["traj/0/x"][:], f["traj/0/J"][:]
        y, d = f["data/points"][:], int(f["model"].attrs["d"])
        c = model_config(f)
    return t, x.reshape(len(t), -1, d), J, y, float(c["integrator"]["h"]), c["model"]


# ------------------------------------------------------------------------------ (a)
def mmd_grad(z, x, y, sigma):
    """grad Phi of the MMD critic at points z (the quiver; the same formula as the model)."""
    def pull(a, b, w):
        r = a[:, None, :] - b[None, :, :]
        k = np.exp(-0.5 * (r**2).sum(-1) / sigma**2)
        return (w[None, :, None] * r * k[..., None]).sum(1) / sigma**2
    return -pull(z, x, np.full(len(x), 1 / len(x))) + pull(z, y, np.full(len(y), 1 / len(y)))


def fig_a(out, d):
    tm, xm, Jm, y, hm, mm = run(os.path.join(d, "a_mmd.h5"))
    tw, xw, Jw, _, hw, _ = run(os.path.join(d, "a_w1.h5"))
    sigma = float(mm.get("sigma", "1"))
    fig, axes = plt.subplots(1, 4, figsize=(21, 5))
    g = np.linspace(-3.5, 3.5, 21)
    Z = np.array([(a, b) for b in g for a in g])
    for ax, x, name, k in ((axes[0], xm, f"MMD (σ = {sigma:g}), h = {hm:g}", -1), (axes[1], xw, f"W1, h = {hw:g}", -1)):
        ax.scatter(y[:, 0], y[:, 1], marker="s", s=60, c="k", label="data")
        ax.scatter(x[0, :, 0], x[0, :, 1], s=18, c="0.6", label="start")
        for i in range(x.shape[1]):
            ax.plot(x[:, i, 0], x[:, i, 1], "-", lw=0.6, color="tab:blue", alpha=0.6)
        ax.scatter(x[k, :, 0], x[k, :, 1], s=22, c="tab:red", label="after 5000 steps", zorder=3)
        ax.set_aspect("equal")
        ax.set_xlim(-3.6, 3.6)
        ax.set_ylim(-3.6, 3.6)
    G = -mmd_grad(Z, xm[0], y, sigma)
    axes[0].quiver(Z[:, 0], Z[:, 1], G[:, 0], G[:, 1], color="tab:green", alpha=0.5, width=0.003, label="−∇Φ at the start")
    finish(axes[0], "x₁", "x₂", f"MMD critic: the particles settle ({len(tm) - 1} steps)")
    finish(axes[1], "x₁", "x₂", "W1 critic: each particle chatters across its target")
    k = np.arange(len(Jm))
    axes[2].semilogy(k, Jm, label="MMD: J = ½MMD²")
    axes[2].semilogy(k, Jw, label="W1: J = W1")
    finish(axes[2], "iteration k", "J(μ_k)", "objective")
    for x, h, lab in ((xm, hm, "MMD"), (xw, hw, "W1")):
        step = np.sqrt((np.diff(x, axis=0) ** 2).sum(-1)).max(axis=1) / h  # = max_i |grad Phi(x_i)| for simgd
        axes[3].semilogy(np.arange(1, len(x)), np.maximum(step, 1e-300), label=f"{lab}: max_i |∇Φ(x_i)|")
    finish(axes[3], "iteration k", "critic gradient at the particles", "stationarity: MMD → 0, W1 stays 1")
    print(f"(a) MMD: J {Jm[0]:.4g} -> {Jm[-1]:.3g}; W1: J {Jw[0]:.4g} -> {Jw[-1]:.4g} (chatter amplitude h = {hw:g})")
    fig.suptitle("(a) 16 particles onto a 4 × 4 grid of data — particles model, simgd", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=90)


# ------------------------------------------------------------------------------ (b)
def fig_b(out, d):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 5.2))
    gam, last = [], []
    for p in glob.glob(os.path.join(d, "b_runs", "*.h5")):
        with h5py.File(p, "r") as f:
            x = f["traj/0/x"][:, 0]
            gam.append(float(model_config(f)["integrator"]["h"]))
        last.append(x[-1])
    gam, last = np.array(gam), np.array(last)
    order = np.argsort(gam)
    gam, last = gam[order], last[order]
    # the run's last state, and one map step more: both points of a 2-cycle
    nxt = last - gam * last * np.exp(-0.5 * last**2)
    a1.plot(gam, last, "k.", ms=3, label="x at step 20000")
    a1.plot(gam, nxt, "k.", ms=3)
    gg = np.linspace(2, 2 * np.sqrt(np.e), 200)
    amp = np.sqrt(2 * np.log(gg / 2))
    a1.plot(gg, amp, "r-", lw=1, alpha=0.7, label="±√(2 ln(γ/2)): the symmetric 2-cycle")
    a1.plot(gg, -amp, "r-", lw=1, alpha=0.7)
    a1.axvline(2, color="0.5", ls="--", lw=0.8, label="γ = 2σ² = 2/L")
    a1.axvline(2 * np.sqrt(np.e), color="0.5", ls=":", lw=0.8, label="γ = 2√e: asymmetric cycles")
    finish(a1, "step γ", "iterate x", "Dirac: GD on J = 1 − exp(−x²/2), x₀ = 0.5")
    h, sig, oc, rho, agree = sweep_map(a2, os.path.join(d, "b_sweep.h5"))
    handles = [plt.matplotlib.patches.Patch(color=c, label=lab) for c, lab in (("#4daf4a", "converge"), ("#ffd92f", "oscillate (bounded 2-cycles)"),
                                                                                  ("#e41a1c", "diverge (escape to the flat far field)"))]
    handles.append(plt.matplotlib.lines.Line2D([], [], color="k", label="predicted ρ = 1, i.e. h = 2/L"))
    a2.legend(handles=handles, fontsize=8, loc="upper left")
    boundary = float(np.mean((oc == 0) == (rho < 1)))  # converge exactly where the attractor is stable
    finish(a2, "step h", "kernel width σ", f"4 particles onto 4 data points (square of side 2): converge ⇔ ρ < 1 in {100 * boundary:.2f}% of cells",
           legend=False)
    print(f"(b) sweep: converge <=> rho < 1 in {boundary:.4f} of the cells (three-way agreement {agree:.4f}: past 2/L the orbits stay bounded)")
    fig.suptitle("(b) step-size phase diagrams of gradient descent on smooth critics", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)


# ------------------------------------------------------------------------------ (c)
def x_star(a):
    """The positive root of (x - a) e^{-(x-a)^2/2} + (x + a) e^{-(x+a)^2/2} = 0 (a > 1), by bisection."""
    f = lambda x: (x - a) * np.exp(-0.5 * (x - a) ** 2) + (x + a) * np.exp(-0.5 * (x + a) ** 2)  # noqa: E731
    lo, hi = 1e-9, a + 1
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return lo


def fig_c(out, d):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 5))
    pts = []
    for p in glob.glob(os.path.join(d, "c_runs", "*.h5")):
        with h5py.File(p, "r") as f:
            pts.append((float(model_config(f)["model"]["data_scale"]), f["traj/0/x"][-1, 0]))
    pts = np.array(sorted(pts))
    a1.plot(pts[:, 0], pts[:, 1], "ko", ms=3, label="final particle (x₀ = ±0.1)")
    aa = np.linspace(1.0001, 2.5, 200)
    xs = np.array([x_star(a) for a in aa])
    a1.plot(aa, xs, "r-", lw=1, alpha=0.7, label="±x*(a): the selected mode")
    a1.plot(aa, -xs, "r-", lw=1, alpha=0.7)
    a1.plot([0, 1], [0, 0], "b-", lw=1, alpha=0.7, label="x = 0: mode averaging")
    a1.plot(aa, 0 * aa, "b--", lw=0.8, alpha=0.5, label="x = 0 unstable (J″(0) < 0)")
    a1.plot(aa, aa, ":", color="0.5", lw=0.8, label="the data points ±a")
    a1.plot(aa, -aa, ":", color="0.5", lw=0.8)
    finish(a1, "half-separation a of the data (σ = 1)", "final position", "pitchfork at a = σ: J″(0) = e^(−a²/2)(1 − a²)")
    with h5py.File(os.path.join(d, "c_sweep.h5"), "r") as f:
        s = f["sweep"]
        a, rate, rho = s["axis_x"][:], s["rate"][:].ravel(), s["rho"][:].ravel()
    a2.plot(a, rate, "ko", ms=3, label="measured contraction per step")
    a2.plot(a, rho, "r-", lw=1, label="predicted ρ of the GD map at the attractor")
    a2.axvline(1, color="0.5", ls="--", lw=0.8)
    finish(a2, "half-separation a", "contraction per step (h = 0.5)", "critical slowing down at the bifurcation")
    sel, avg = pts[pts[:, 0] > 1.05], pts[pts[:, 0] < 0.95]
    err = max(np.max(np.abs(np.abs(sel[:, 1]) - [x_star(v) for v in sel[:, 0]])), np.max(np.abs(avg[:, 1])))
    gap = np.max(np.abs(rate - rho)[np.abs(a - 1) > 0.05])
    print(f"(c) pitchfork: max |final - (0 or x*(a))| {err:.2e} away from a = 1; measured vs predicted contraction within {gap:.3f}")
    fig.suptitle("(c) mode averaging vs. mode selection — one particle, data δ_a/2 + δ_−a/2, MMD critic", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)
    if not (err < 1e-8 and gap < 0.02):
        sys.exit("(c) FAILED: the runs left the pitchfork or the rates left the prediction")


# ------------------------------------------------------------------------------ (d)
def fig_d(out, d):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.8))
    for name, label in (("w1", "W1"), ("huber", "Huber-smoothed W1 (λ = 0.5)"), ("smoothed", "smoothed critic (λ = 0.1, lip = 1, Matérn)")):
        t, x, J, _, h, m = run(os.path.join(d, f"d_{name}.h5"))
        k = np.arange(len(t))
        a1.plot(k, x[:, 0, 0], ".-", ms=3, lw=0.8, label=f"{label}, h = {h:g}")
        a2.semilogy(k, np.maximum(np.abs(x[:, 0, 0]), 1e-17), ".-", ms=3, lw=0.8, label=label)
        print(f"(d) {name}: |x| after {len(k) - 1} steps {abs(x[-1, 0, 0]):.3g}")
    finish(a1, "iteration k", "particle position x_k", "one particle onto the data point 0")
    finish(a2, "iteration k", "|x_k|", "W1 chatters at amplitude ~h; the smoothed critics settle")
    fig.suptitle("(d) non-smooth vs smoothed Wasserstein critics — particles model, simgd", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    what, out, d = sys.argv[1:]
    {"a": fig_a, "b": fig_b, "c": fig_c, "d": fig_d}[what](out, d)


if __name__ == "__main__":
    main()
