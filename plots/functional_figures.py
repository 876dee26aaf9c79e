# SPDX-License-Identifier: BSD-3-Clause
"""The functional model's experiments (a)-(e) of docs/models/functional.md from the files
examples/functional/reproduce.sh writes.

Usage: functional_figures.py a|b|c|d|e OUT.png DIR      (e-start SPEC.h5 DIR writes the V9 starts)
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
    return file_config(f)["model"]


def spectrum(path):
    with h5py.File(path, "r") as f:
        return f["modes/lambda"][:], f["modes/roots_re"][:], model_config(f)


def files(d, prefix):
    """Spectrum files of a scan, ordered by the scanned value."""
    return sorted(glob.glob(os.path.join(d, prefix + "*.h5")), key=lambda p: float(p[len(os.path.join(d, prefix)):-3]))


# ------------------------------------------------------------------------------ (a)
def fig_a(out, d):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 5))
    k = np.arange(1, 21)
    names = {"uniform": "uniform", "vonmises": "von Mises κ = 1", "gauss": "Gaussian σ = 1 (ground state)",
             "bimodal": "bimodal torus exp(4 cos 2x)", "mixture": "mixture ±2, σ = 0.5 (ground state)"}
    ref1 = {"uniform": [(n // 2 + n % 2) ** 2 for n in k], "gauss": list(map(float, k)),
            "vonmises": [v for v in (1.165496530465, 4.133752753905, 9.128775372436) for _ in (0, 1)]}
    for name, label in names.items():
        lam = spectrum(os.path.join(d, f"a1_{name}.h5"))[0]
        line, = a1.semilogy(k, np.maximum(lam[1:21], 1e-6), "o-", ms=4, lw=0.8, label=f"{label}: λ₁ = {lam[1]:.4g}")
        r = ref1.get(name)
        if r:
            a1.semilogy(k[: len(r)], r, "x", color=line.get_color(), ms=8)
    a1.plot([], [], "kx", label="closed form (k², n/σ², V2)")
    finish(a1, "index k", "eigenvalue λ_k of −Δ_p", "1-D (L = 2π; Gaussians on a box of 24)")
    for name in ("uniform", "vonmises", "gauss", "bimodal"):
        lam, _, m = spectrum(os.path.join(d, f"a2_{name}.h5"))
        L = float(m.get("L", 2 * np.pi))
        x1 = spectrum(os.path.join(d, f"a2x_{name}.h5"))[0]  # the x factor on the same grid
        N = int(m["N"])
        y = (2 * np.pi / L) ** 2 * np.array([j * j for j in range(-(N // 2), N // 2 + 1)])
        sep = np.sort((x1[:, None] + y[None, :]).ravel())[:60]  # the density varies along x only
        line, = a2.semilogy(np.arange(1, 60), np.maximum(lam[1:60], 1e-6), "o", ms=4, mfc="none", label=f"{names[name]}: λ₁ = {lam[1]:.4g}")
        a2.semilogy(np.arange(1, 60), np.maximum(sep[1:60], 1e-6), "k.", ms=2.5)
        err = np.max(np.abs(lam[1:30] - sep[1:30]) / np.maximum(sep[1:30], 1e-3))
        print(f"(a) 2-D {name}: lowest 29 eigenvalues vs the 1-D sums on the same grid, max relative gap {err:.2e}")
    a2.plot([], [], "k.", label="1-D λ_i + (2π j/L)² on the same grid (separability)")
    finish(a2, "index k", "eigenvalue λ_k of −Δ_p", "2-D (N = 31², Gaussian 45² on a box of 12), density along x")
    fig.suptitle("(a) spectra of −Δ_p for four targets — gandyn spectrum", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)


# ------------------------------------------------------------------------------ (b)
def lambda1_scan(path):
    """The --scan of gandyn spectrum: values, lambda_1 and the refined best [value, lambda_1]."""
    with h5py.File(path, "r") as f:
        sc = f["modes/scan"]
        return sc["values"][:], sc["lambda1"][:], sc.attrs["best"]


def fig_b(out, d):
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(17, 4.8))
    t, lam, _ = lambda1_scan(os.path.join(d, "b_torus.h5"))
    a1.semilogy(t, lam, "o-", ms=4, label="λ₁(p_aug), simple model")
    a1.axhline(1, color="0.5", ls="--", lw=0.8, label="uniform measure: 1")
    i = int(np.argmin(np.abs(t - 0.5)))
    a1.semilogy([0.5], [0.1720673995], "r*", ms=13, label=f"V4: 0.17206740 at t = 0.5 ({lam[i] / lam[0]:.0f}× λ₁(p))")
    finish(a1, "translation-noise width t", "λ₁ of −Δ_p_aug", "bimodal torus p ∝ exp(4 cos 2x), N = 127")
    print(f"(b) torus: lambda_1 {lam[0]:.6g} at t = 0, {lam[i]:.8g} at t = 0.5 ({lam[i] / lam[0]:.1f}x), {lam[-1]:.6g} at t = {t[-1]:g}")
    t, lam, (tm, lm) = lambda1_scan(os.path.join(d, "b_line.h5"))
    a2.semilogy(t, lam, "o-", ms=4, label="λ₁(p_aug) (ground-state form)")
    s2 = 0.25 + t**2
    a2.semilogy(t, 1 / (4 + s2), ":", color="0.4", label="1/Var(p_aug) = 1/(4 + σ² + t²): one wide bump")
    a2.semilogy([tm], [lm], "r*", ms=13, label=f"best width t* = {tm:.3f}: λ₁ = {lm:.4f} ({lm / lam[0]:.0f}× λ₁(p))")
    finish(a2, "translation-noise width t", "λ₁ of −Δ_p_aug", "mixture ½N(−2, ¼) + ½N(2, ¼) on the line")
    print(f"(b) line: lambda_1 {lam[0]:.6g} at t = 0, maximum {lm:.6g} at t* = {tm:.4f}")
    for p in files(d, "b_line_p_"):
        with h5py.File(p, "r") as f:
            x, pa, tv = f["grid/x"][:], f["grid/p"][:], model_config(f)["aug_t"]
        a3.plot(x - 12, pa / np.trapz(pa, x), label=f"t = {tv}")
    a3.set_xlim(-7, 7)
    a3.set_xlabel("x")
    a3.set_ylabel("augmented density p_aug")
    a3.set_title("the mixture under translation noise", fontsize=10)
    a3.legend(fontsize=8)
    fig.suptitle("(b) augmentation selection: λ₁ against the noise width", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)


# ------------------------------------------------------------------------------ (c)
def rate_map(d, loss):
    g, rows, lam = [], [], None
    for p in files(d, f"c_{loss}_"):
        lam, rre, m = spectrum(p)
        g.append(float(m["gamma"]))
        rows.append(rre[:, 0])
    return lam, np.array(g), np.array(rows)


def fig_c(out, d):
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for ax, loss, title in zip(axes, ("wgan", "gan_sat"), ("WGAN + GP: s² + γλs + λ = 0", "logit GAN: s² + (½ + γλ)s + ¼λ = 0")):
        lam, g, re = rate_map(d, loss)
        keep = np.r_[1:len(lam):2]  # one of each degenerate pair, the k = 0 gauge pair left out
        L, G = lam[keep], g
        im = ax.pcolormesh(L, G, -re[:, keep], shading="nearest", cmap="viridis", norm=plt.matplotlib.colors.LogNorm(vmin=1e-3))
        fig.colorbar(im, ax=ax, label="decay rate −Re s⁺ (1/time)")
        lg = np.logspace(0, np.log10(L.max()), 200)
        crit = 2 / np.sqrt(lg) if loss == "wgan" else (np.sqrt(lg) - 0.5) / lg  # discriminant zero: critical damping
        ax.plot(lg, crit, "w--", lw=1.2, label="critical damping (node above, spiral below)")
        ax.set_xscale("log")
        ax.set_ylim(0, 2)
        ax.set_xlabel("λ_k = k² of −Δ_p (uniform torus, N = 127; one column per mode)")
        ax.set_ylabel("gradient penalty γ")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("(c) spiral-rate maps Re s⁺(λ, γ) from the per-mode roots — gandyn spectrum over γ", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)


# ------------------------------------------------------------------------------ (d)
def fig_d(out, d):
    names = ("simgd", "altgd", "extragradient", "optimistic", "rk4")
    fig, grid = plt.subplots(2, 3, figsize=(17, 9.5))
    axes = grid.ravel()
    for ax, name in zip(axes, names):
        h, g, oc, rho, agree = sweep_map(ax, os.path.join(d, f"d_{name}.h5"))
        best = h[np.max(np.where(oc == 0, np.arange(len(h))[None, :], -1), axis=1)]
        j = int(np.argmax(best))
        ax.plot([best[j]], [g[j]], "w*", ms=12, mec="k")
        ax.set_title(f"{name}: agreement {agree:.3f}; largest stable h {best[j]:.3f} at γ = {g[j]:.2f}", fontsize=9)
        ax.set_xlabel("step size h")
        ax.set_ylabel("gradient penalty γ")
        print(f"(d) {name}: agreement {agree:.4f}, largest stable h {best[j]:.4f} at gamma = {g[j]:.3f}")
    handles = [plt.matplotlib.patches.Patch(color=c, label=lab) for c, lab in (("#4daf4a", "converge"), ("#e41a1c", "diverge"))]
    handles.append(plt.matplotlib.lines.Line2D([], [], color="k", label="predicted ρ = 1 (discretised operator)"))
    handles.append(plt.matplotlib.lines.Line2D([], [], color="w", marker="*", mec="k", ms=11, ls="", label="largest stable step"))
    axes[0].legend(handles=handles, fontsize=8, loc="upper right")
    stability_panel(axes[5], os.path.join(d, "d_eig_simgd.h5"))
    fig.suptitle("(d) step-size phase diagrams per optimiser — logit GAN on the uniform torus, N = 15, 2000 steps from a start on every mode",
                 fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=90)


def stability_panel(ax, path):
    """The simgd stability region |1 + z| <= 1 with h times every eigenvalue of the operator."""
    with h5py.File(path, "r") as f:
        st, h = f["stability"], f["eig"].attrs["h"][0]
        R, I = np.meshgrid(st["re"][:], st["im"][:])
        ax.contourf(R, I, st["rho"][:], levels=[0, 1], colors=["#cfe3f5"])
        ax.contour(R, I, st["rho"][:], levels=[1], colors=["#1f4e79"])
        z = st["hlambda_re"][:] + 1j * st["hlambda_im"][:]
        gamma = float(model_config(f)["gamma"])
    inside = np.abs(1 + z) <= 1 + 1e-12
    ax.plot(z[inside].real, z[inside].imag, "g.", ms=7, label="h·s inside: mode decays")
    ax.plot(z[~inside].real, z[~inside].imag, "rx", ms=7, label="h·s outside: mode grows")
    ax.set_xlim(-3.2, 0.6)
    ax.set_ylim(-1.9, 1.9)
    ax.set_aspect("equal", adjustable="box")
    ax.axvline(0, color="0.5", lw=0.8)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xlabel("Re z = Re h·s")
    ax.set_ylabel("Im z")
    ax.set_title(f"simgd stability region |1 + z| ≤ 1 (shaded), h = {h:g}, γ = {gamma:g}", fontsize=9)
    ax.legend(fontsize=8, loc="upper left")


# ------------------------------------------------------------------------------ (e)
def laplacian_matrix(p, L):
    """Delta_p on the periodic grid by exact spectral differentiation (odd N)."""
    N = len(p)
    k = 2 * np.pi / L * np.fft.fftfreq(N, 1 / N)
    D = np.real(np.fft.ifft(1j * k[:, None] * np.fft.fft(np.eye(N), axis=0), axis=0))
    return np.diag(1 / p) @ D @ np.diag(p) @ D


def phi1(p, L):
    """lambda_1 and the even member of its (degenerate) pair, the L^2(p) projection of cos x
    onto the eigenspace, normalised so that the grid mean of p phi^2 is 1."""
    lam, V = np.linalg.eig(-laplacian_matrix(p, L))
    order = np.argsort(lam.real)
    lam, V = lam.real[order], V.real[:, order]
    pair = V[:, 1:3]
    x = L * np.arange(len(p)) / len(p)
    G = pair.T @ (p[:, None] * pair)
    c = np.linalg.solve(G, pair.T @ (p * np.cos(2 * np.pi * x / L)))
    f = pair @ c
    return lam[1], f / np.sqrt(np.mean(p * f * f))


def v9_setup(spec_path):
    with h5py.File(spec_path, "r") as f:
        p, m = f["grid/p"][:], model_config(f)
    L, gamma = float(m.get("L", 2 * np.pi)), float(m["gamma"])
    lam1, f = phi1(p, L)
    return p, f, lam1, gamma


def e_start(spec_path, d):
    p, f, lam1, _ = v9_setup(spec_path)
    eps = 1e-4
    starts = {"nonlinear": np.r_[p * (1 + eps * f), np.zeros_like(p)],  # rho = p (1 + eps phi_1), D = 0
              "linear": np.r_[eps * f / lam1, np.zeros_like(p)]}       # delta rho / p = -Delta_p psi = eps phi_1
    for form, x0 in starts.items():
        with open(os.path.join(d, f"e_x0_{form}.txt"), "w") as out:
            out.write(",".join(f"{v:.17g}" for v in x0))


def fig_e(out, d):
    p, f, lam1, gamma = v9_setup(os.path.join(d, "e_spectrum.h5"))
    eps, M = 1e-4, len(p)
    Lp = laplacian_matrix(p, 2 * np.pi)
    amp = {}
    for form in ("linear", "nonlinear"):
        with h5py.File(os.path.join(d, f"e_{form}.h5"), "r") as h:
            t, x = h["traj/0/t"][:], h["traj/0/x"][:]
        if form == "nonlinear":
            rho = x[:, :M]
            amp[form] = (t, np.mean((rho - p) * f, axis=1) / eps)
            mass = np.abs(rho.sum(axis=1) / rho[0].sum() - 1)
        else:
            drho_p = -(Lp @ x[:, :M].T).T  # delta rho / p = -Delta_p psi
            amp[form] = (t, np.mean(p * drho_p * f, axis=1) / eps)
    al, om = gamma * lam1 / 2, np.sqrt(lam1 - gamma**2 * lam1**2 / 4)
    tt = np.linspace(0, 20, 800)
    pred = lambda s: np.exp(-al * s) * (np.cos(om * s) + al / om * np.sin(om * s))  # noqa: E731
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.8))
    a1.plot(tt, pred(tt), "k-", lw=2.5, alpha=0.35, label=f"linear theory e^(−{al:.6f}t)(cos {om:.6f}t + {al / om:.6f} sin)")
    a1.plot(*amp["linear"], "b--", lw=1.2, label="form = linear (ψ, u)")
    a1.plot(*amp["nonlinear"], "r:", lw=1.8, label="form = nonlinear (ρ, D), ε = 1e-4")
    a1.set_xlabel("time t")
    a1.set_ylabel("amplitude A(t) = ⟨ρ/p − 1, φ₁⟩_p / ε")
    a1.set_title(f"V9: von Mises κ = 1, N = 63, WGAN + GP γ = {gamma:g}, λ₁ = {lam1:.9f}", fontsize=10)
    a1.legend(fontsize=8)
    a1.grid(alpha=0.3)
    tn, An = amp["nonlinear"]
    err = np.abs(An - pred(tn))
    a2.semilogy(tn, np.maximum(err, 1e-16), "r-", label="|A_nonlinear − linear theory|")
    tl, Al = amp["linear"]
    a2.semilogy(tl, np.maximum(np.abs(Al - pred(tl)), 1e-16), "b-", label="|A_linear − linear theory|")
    a2.semilogy(tn, np.maximum(mass, 1e-17), "k.", ms=2, label="mass drift |∫ρ(t)/∫ρ(0) − 1|")
    a2.axhline(1e-4, color="0.5", ls="--", lw=0.8, label="V9 tolerance 1e-4")
    a2.set_xlabel("time t")
    a2.set_ylabel("deviation")
    a2.set_title("deviations and mass conservation", fontsize=10)
    a2.legend(fontsize=8)
    a2.grid(alpha=0.3, which="both")
    i10 = int(np.argmin(np.abs(tn - 10)))
    print(f"(e) max |A_nonlinear - theory| on [0, 20] = {err.max():.2e}; A(10) = {An[i10]:.6f} (V9: -0.043214); "
          f"max mass drift {mass.max():.1e}")
    fig.suptitle("(e) nonlinear functional GAN against its linearisation — gandyn run, CVODE Adams", fontsize=11)
    fig.tight_layout()
    save_png(fig, out, dpi=100)
    if not (err.max() <= 1e-4 and abs(An[i10] + 0.043214) <= 1e-5 and mass.max() <= 1e-12):  # the V9 tolerances
        sys.exit("(e) FAILED: the nonlinear run is outside V9's tolerances")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    what, a, b = sys.argv[1:]
    if what == "e-start":
        return e_start(a, b)
    {"a": fig_a, "b": fig_b, "c": fig_c, "d": fig_d, "e": fig_e}[what](a, b)


if __name__ == "__main__":
    main()
