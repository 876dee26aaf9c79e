# SPDX-License-Identifier: BSD-3-Clause
"""The torus figures F1-F7 (docs/models/torus.md) from the files examples/torus/reproduce.sh writes.

Usage: torus_figures.py FIGURE OUT.png FILE...   (FIGURE: f1 portraits f3 f4 f6 f7)
Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py, python3-matplotlib).
"""
import configparser
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gd_plotlib import draw_equilibria, plt, save_png, wrap, wrap_angles  # noqa: E402

TWO_PI = 2 * np.pi
def config(f):
    c = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    text = f.attrs["config"]
    c.read_string(text.decode() if isinstance(text, bytes) else text)
    return c


def flow_name(f):
    m = config(f)["model"]
    return "real flow" if m.get("flow") == "real" else f"N = {m.get('N')}"


def centred(F):
    """Samples at 2πj/M, j = 0..M-1, reordered to angles in [-π, π)."""
    M = F.shape[0]
    return np.roll(np.roll(F, M // 2, axis=0), M // 2, axis=1), -np.pi + TWO_PI * np.arange(M) / M


def spectrum(f):
    return f["spectrum/c_re"][:] + 1j * f["spectrum/c_im"][:]


def series_on_grid(c, M):
    """F_N and its gradient at the M x M nodes from the coefficients (row k + N, column l + N)."""
    N = (c.shape[0] - 1) // 2
    full = np.zeros((M, M), complex)
    ks = np.arange(-N, N + 1)
    full[np.ix_(ks % M, ks % M)] = c
    F = np.fft.ifft2(full) * M * M
    k = np.fft.fftfreq(M, 1 / M)
    gt = np.fft.ifft2(1j * k[:, None] * full) * M * M
    gp = np.fft.ifft2(1j * k[None, :] * full) * M * M
    return F.real, gt.real, gp.real


def spectral_gradient(F):
    M = F.shape[0]
    c = np.fft.fft2(F)
    k = np.fft.fftfreq(M, 1 / M)
    k[M // 2] = 0  # the Nyquist bin has no derivative of a real signal
    return np.fft.ifft2(1j * k[:, None] * c).real, np.fft.ifft2(1j * k[None, :] * c).real


def f1(out, path):
    with h5py.File(path, "r") as f:
        F, ang = centred(f["grid/F"][:])
        c = spectrum(f)
        N = int(f["spectrum"].attrs["N"])
        M = int(f["spectrum"].attrs["M"])
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.6))
    im = axs[0].imshow(F.T, origin="lower", extent=(-np.pi, np.pi, -np.pi, np.pi), cmap="RdBu_r")
    fig.colorbar(im, ax=axs[0], label="F(θ, φ)")
    axs[0].set_title(f"R-Exp objective F on [−π, π)², M = {M}", fontsize=10)
    axs[0].set_xlabel("θ (generator angle, rad)")
    axs[0].set_ylabel("φ (discriminator angle, rad)")
    mag = np.log10(np.maximum(np.abs(c), 1e-17))
    im = axs[1].imshow(mag.T, origin="lower", extent=(-N - 0.5, N + 0.5, -N - 0.5, N + 0.5), cmap="viridis", vmin=-17)
    fig.colorbar(im, ax=axs[1], label="log₁₀ |c_kl|")
    axs[1].set_title(f"Fourier coefficients |c_kl|, |k|, |l| ≤ {N}", fontsize=10)
    axs[1].set_xlabel("k (θ frequency)")
    axs[1].set_ylabel("l (φ frequency)")
    fig.suptitle("F1 — torus model, objective rexp (κ = ρ = β = 1, δ = 0)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


def portrait_panel(ax, f, title):
    if "grid/u" in f:  # truncated flows: the spectral field on the sampling nodes (/grid/u, /grid/v)
        U, x = centred(f["grid/u"][:])
        V, _ = centred(f["grid/v"][:])
        ax.streamplot(x, x, U.T, V.T, color="0.55", density=1.1, linewidth=0.6, arrowsize=0.7)
    else:  # the real flow: the portrait command's sampled field
        fld = f["field"]
        ax.streamplot(fld["x"][:], fld["y"][:], fld["u"][:], fld["v"][:], color="0.55", density=1.1, linewidth=0.6, arrowsize=0.7)
    for k in sorted(f["traj"].keys(), key=int) if "traj" in f else []:
        xs, _ = wrap_angles(f["traj"][k]["x"][:], TWO_PI)
        ax.plot(xs[:, 0], xs[:, 1], "-", color="C0", lw=1.0, label="trajectory" if k == "0" else None)
        ax.plot(xs[0, 0], xs[0, 1], ".", color="red", ms=6)
    draw_equilibria(ax, f["equilibria"], 0, 1, ms=9, period=TWO_PI)
    ax.set_xlim(-np.pi, np.pi)
    ax.set_ylim(-np.pi, np.pi)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("θ (rad)")
    ax.set_ylabel("φ (rad)")
    ax.legend(loc="lower left", fontsize=6.5, framealpha=0.85)


def portraits(out, *paths):
    fig, axs = plt.subplots(1, len(paths), figsize=(3.9 * len(paths), 4.3), squeeze=False)
    objectives = set()
    for ax, p in zip(axs[0], paths):
        with h5py.File(p, "r") as f:
            m = config(f)["model"]
            objectives.add(m.get("objective"))
            extra = {"mode": f"cos({m.get('alpha')}θ + {m.get('beta_mode')}φ)".replace("(1θ", "(θ"),
                     "damped": f"sinθ sinφ {float(m.get('eps_g') or -0.02):+g}cosθ {float(m.get('eps_d') or 0.08):+g}cosφ",
                     "product": "sinθ sinφ"}.get(m.get("objective"), m.get("objective"))
            portrait_panel(ax, f, f"{extra}: {flow_name(f)}" if m.get("objective") in ("mode", "damped", "product")
                           else f"{m.get('objective')}, {flow_name(f)}")
    tag = "F5 — canonical modes" if objectives & {"product", "damped", "mode"} else "F2 — R-Exp phase portraits"
    fig.suptitle(f"{tag} (torus model, streamlines of V = (−∂θF, ∂φF), equilibria by type)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


def f3(out, *paths):
    runs = []
    for p in paths:
        with h5py.File(p, "r") as f:
            keys = sorted(f["traj"].keys(), key=int)
            runs.append((flow_name(f), [(f["traj"][k]["t"][:], f["traj"][k]["x"][:]) for k in keys]))
    nstart = len(runs[0][1])
    fig, axs = plt.subplots(2, nstart, figsize=(3.2 * nstart, 5.6), sharex=True)
    for j in range(nstart):
        x0 = runs[0][1][j][1][0]
        for i, name in enumerate(("θ(t)", "φ(t)")):
            ax = axs[i, j]
            for r, (label, trajs) in enumerate(runs):
                t, x = trajs[j]
                ax.plot(t, x[:, i], "--" if r == 0 else "-", lw=1.4 if r == 0 else 0.9, color="k" if r == 0 else f"C{r}",
                        label=label, zorder=5 if r == 0 else 2)
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title(f"start ({x0[0]:g}, {x0[1]:g})", fontsize=10)
            if j == 0:
                ax.set_ylabel(f"{name} (rad, unwrapped)")
            if i == 1:
                ax.set_xlabel("t")
    axs[0, 0].legend(fontsize=7)
    fig.suptitle("F3 — R-Exp trajectories, real flow vs truncations (CVODE)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


def eig_of(path):
    with h5py.File(path.replace(".h5", "_eig.h5"), "r") as f:
        e = f["eig"]
        lam = e["eig_re"][:] + 1j * e["eig_im"][:]
        return e["equilibrium"][:], lam[np.argmax(lam.imag)]


def f4(out, real, *paths):
    with h5py.File(real, "r") as f:
        xr = f["traj/0/x"][:]
    eq_r, lam_r = eig_of(real)
    rows = []
    for p in paths:
        with h5py.File(p, "r") as f:
            N = int(f["spectrum"].attrs["N"])
            F = f["grid/F"][:]
            FN, gt, gp = series_on_grid(spectrum(f), F.shape[0])
            dt, dp = spectral_gradient(F)
            x = f["traj/0/x"][:]
        eq, lam = eig_of(p)
        rows.append((N, np.abs(F - FN).max(), max(np.abs(dt - gt).max(), np.abs(dp - gp).max()),
                     np.abs(x - xr).max(), np.hypot(*(eq - eq_r)), abs(lam - lam_r)))
    rows = np.array(rows)
    labels = ["sup |F − F_N| (grid nodes)", "sup |∇F − ∇F_N|", "max_{t≤20} |x_N(t) − x(t)|",
              "|x*_N − x*| (equilibrium)", "|λ_N − λ| (Jacobian)"]
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.4))
    for ax, scale in zip(axs, ("log-log", "semi-log")):
        for i, lab in enumerate(labels):
            ax.plot(rows[:, 0], rows[:, i + 1], "o-", ms=4, label=lab)
        ax.set_yscale("log")
        if scale == "log-log":
            ax.set_xscale("log")
        ax.set_xlabel("truncation order N")
        ax.set_ylabel("error")
        ax.set_title(f"errors against N ({scale})", fontsize=10)
        ax.grid(alpha=0.3, which="both")
    axs[1].legend(fontsize=7)
    fig.suptitle("F4 — R-Exp truncation errors (M = 256, CVODE rtol 1e-11, start (0.3, 0.3))", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)
    print("   N   sup|F-F_N|   sup|dF|   traj     equilibrium  |dlambda|")
    for r in rows:
        print(f"  {int(r[0]):2d}  " + "  ".join(f"{v:.3e}" for v in r[1:]))


def final_amplitudes(sweep_path, integ):
    """(h, max wrapped distance from the equilibrium over the last 10 % of the run) of the runs
    reproduce.sh wrote next to the sweep file."""
    folder = os.path.join(os.path.dirname(sweep_path), "f6_runs")
    rows = []
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if name.startswith(integ + "_") and name.endswith(".h5"):
            with h5py.File(os.path.join(folder, name), "r") as f:
                x, eq = f["traj/0/x"][:], f["model/equilibrium"][:]
            d = np.hypot(*wrap(x[len(x) * 9 // 10:] - eq, TWO_PI).T)
            rows.append((float(name[len(integ) + 1:-3]), d.max()))
    return np.array(sorted(rows)).reshape(-1, 2)


def f6(out, *paths):
    a = b = 0.05  # J = [[-a, -s], [s, -b]] at the origin, s = 1 (docs/models/torus.md, "Closed forms")
    limits = {"altgd": (-(a + b) + np.sqrt((a + b) ** 2 + 4 * (1 - a * b))) / (1 - a * b), "simgd": (a + b) / (a * b + 1)}
    fig, axs = plt.subplots(2, len(paths), figsize=(5.6 * len(paths), 7.4), squeeze=False, sharex=True)
    for j, p in enumerate(paths):
        with h5py.File(p, "r") as f:
            s = f["sweep"]
            h, rho, rate, outc = s["axis_x"][:], s["rho"][:].ravel(), s["rate"][:].ravel(), s["outcome"][:].ravel()
            integ = config(f)["integrator"]["name"]
        ax = axs[0, j]
        ax.plot(h, rho, "-", color="k", lw=1.4, label="predicted spectral radius ρ(h)")
        for o, (name, col) in enumerate((("converge", "#4daf4a"), ("oscillate", "#ffcc33"), ("diverge", "#e41a1c"))):
            sel = outc == o
            ax.plot(h[sel], rate[sel], ".", color=col, ms=5, label=f"measured contraction: {name}")
        ax.axhline(1, color="0.5", lw=0.8, ls="--")
        ax.set_ylim(0.9, 1.1)
        ax.set_ylabel("per-iteration factor")
        ax.set_title(f"{integ}: closed-form limit h* = {limits[integ]:.4f}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        amp = final_amplitudes(p, integ)
        ax = axs[1, j]
        ax.semilogy(amp[:, 0], np.maximum(amp[:, 1], 1e-17), "o-", ms=3, color="C0")
        ax.set_ylabel("final amplitude: max |x − x*| (wrapped),\nlast 10 % of 3000 iterations")
        ax.set_xlabel("step size h")
        for ax in axs[:, j]:
            ax.axvline(limits[integ], color="C3", lw=0.9, ls=":", label="h*")
            ax.grid(alpha=0.3)
    fig.suptitle("F6 — discrete AGD vs SGDA on sinθ sinφ − 0.05cosθ + 0.05cosφ (start (0.05, 0.05)):\n"
                 "past h* x* repels; the orbit stays on the torus (lower row, wrapped): 'oscillate' on a nearby invariant set,\n"
                 "'diverge' where it wanders round the torus (its unwrapped distance grows)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


def f7(out, *paths):
    rows = []
    for p in paths:
        with h5py.File(p, "r") as f:
            m = config(f)["model"]
            g = f["rate/continuous"]
            rows.append((np.inf if m.get("flow") == "real" else int(m.get("N")), *g.attrs["measured"], *g.attrs["predicted"]))
    rows.sort()
    trunc = np.array([r for r in rows if np.isfinite(r[0])])
    real = [r for r in rows if not np.isfinite(r[0])]
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.4))
    for ax, i, name in ((axs[0], 1, "Re λ (decay rate α)"), (axs[1], 2, "Im λ (angular speed ω)")):
        ax.plot(trunc[:, 0], trunc[:, i + 2], "-", color="k", label="eigenvalue of the Jacobian at x*_N")
        ax.plot(trunc[:, 0], trunc[:, i], "o", color="C0", mfc="none", label="measured from the trajectory")
        if real:
            ax.axhline(real[0][i + 2], color="C3", ls="--", lw=1, label="real flow: eigenvalue")
            ax.axhline(real[0][i], color="C1", ls=":", lw=1.5, label="real flow: measured")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("truncation order N")
        ax.set_ylabel(name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    gap = np.abs((trunc[:, 1] + 1j * trunc[:, 2]) - (trunc[:, 3] + 1j * trunc[:, 4])) / np.abs(trunc[:, 3] + 1j * trunc[:, 4])
    for r, g in zip(trunc, gap):
        print(f"  N = {int(r[0]):2d}: measured {r[1]:+.6f}{r[2]:+.6f}i  eigenvalue {r[3]:+.6f}{r[4]:+.6f}i  gap {g:.1e}")
    for r in real:
        print(f"  real : measured {r[1]:+.6f}{r[2]:+.6f}i  eigenvalue {r[3]:+.6f}{r[4]:+.6f}i")
    fig.suptitle(f"F7 — R-Exp spiral rates vs N (start (0.3, 0.3)): worst relative gap measured vs eigenvalue "
                 f"{np.nanmax(gap):.1e}; N = 1 is a centre (no decay to measure)", fontsize=11)
    fig.tight_layout()
    save_png(fig, out)


FIGURES = {"f1": f1, "portraits": portraits, "f3": f3, "f4": f4, "f6": f6, "f7": f7}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in FIGURES:
        sys.exit("usage: torus_figures.py {" + "|".join(FIGURES) + "} OUT.png FILE...")
    FIGURES[sys.argv[1]](sys.argv[2], *sys.argv[3:])
