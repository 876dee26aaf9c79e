# SPDX-License-Identifier: BSD-3-Clause
"""The Dirac-GAN bifurcation figures of docs/bifurcations.md from the files
examples/bifurcations/reproduce.sh writes. Each figure also writes OUT.json next to OUT.png: the
numbers it measured from the files, which the gallery section "bifurcations" checks.

Usage: bifurcations_figures.py FIGURE OUT.png FILE...   (FIGURE: d2 d3 d4 d5 d6)
Run with Debian's /usr/bin/python3 (python3-numpy, python3-h5py, python3-matplotlib).
"""
import glob
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gd_plotlib import file_config, finish, plt, save_png  # noqa: E402


def write_measured(out, values):
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(values, f, indent=1)


def run_h(path):
    """A run file's integrator.h and its saved states /traj/0/x with their iteration numbers."""
    with h5py.File(path, "r") as f:
        h = float(file_config(f)["integrator"]["h"])
        every = int(file_config(f)["run"].get("save_every", "1"))
        x = f["traj/0/x"][:]
    return h, x, np.arange(len(x)) * every


def normal_form_p(A):
    """p of the normal form at a fixed point with DPhi = A (docs/bifurcations.md): A q = mu q with
    Im mu > 0, A^T p = conj(mu) p, <q, q> = 1, <p, q> = 1 (<u, v> = conj(u)^T v)."""
    w, V = np.linalg.eig(A)
    k = int(np.argmax(w.imag))
    q = V[:, k] / np.linalg.norm(V[:, k])
    wl, U = np.linalg.eig(A.T)
    p = U[:, int(np.argmin(np.abs(wl - np.conj(w[k]))))]
    return p / np.conj(np.vdot(p, q))


def ns_point(path):
    """(h, d) of the Neimark-Sacker point in a continue file's /points."""
    with h5py.File(path, "r") as f:
        P = f["points"]
        names = P.attrs["type_names"]
        names = (names.decode() if isinstance(names, bytes) else names).split(";")
        k = names.index("NS")
        return float(P["p"][k]), float(P["coeff"][k])


def d2(out, cont, eig_json, *runs):
    """The circles past the NS point of GAN + GP gamma = 0.3 (simgd), and mean |z| against the
    normal form's prediction sqrt((|mu(h)| - 1) / -d), mu(h) = 1 + h lambda (lambda from eig, d
    from the continuation)."""
    h_ns, d = ns_point(cont)
    lam = complex(*json.load(open(eig_json))["eigenvalues"][0])
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1, 1.2]})
    measured = {}
    for k, path in enumerate(runs):
        h, x, _ = run_h(path)
        tail = x[-1000:]
        a.plot(tail[:, 0], tail[:, 1], ".", ms=1.5, color=f"C{k}", label=f"h = {h:g}")
        att = json.load(open(path.replace("_run_", "_attractor_").replace(".h5", ".json")))
        measured[f"{h:g}"] = dict(mean_z=att["mean_z"], rotation=att["rotation"], cls=att["class"])
        b.plot(h, att["mean_z"], "o", color=f"C{k}", ms=7, label=f"h = {h:g}: {att['class']}, mean |z| = {att['mean_z']:.6f}")
    a.plot([0], [0], "k+", ms=10, label="x* = 0 (unstable)")
    a.set_aspect("equal", adjustable="datalim")
    finish(a, "θ", "ψ", "invariant circles after 3·10⁵ iterations from (10⁻³, 10⁻³)", legend=False)
    a.legend(fontsize=8, markerscale=5)
    hh = np.linspace(h_ns, 1.26, 300)
    pred = np.sqrt(np.maximum(np.abs(1 + hh * lam) - 1, 0) / -d)
    b.plot(hh, pred, "k-", lw=1, label=f"normal form: √((|μ(h)| − 1)/(−d)), d = {d:.6f}")
    b.axvline(h_ns, color="0.5", ls=":", label=f"NS point h = {h_ns:.10g}")
    finish(b, "integrator.h", "mean |z| (normal-form coordinate)", "circle size against the normal form")
    b.legend(fontsize=7)
    fig.suptitle("Dirac-GAN gan, gp γ = 0.3, simgd: the supercritical Neimark–Sacker point (D1, D2)", fontsize=11)
    fig.tight_layout()
    for h in measured:
        measured[h]["predicted"] = float(np.sqrt((abs(1 + float(h) * lam) - 1) / -d))
    write_measured(out, dict(h_ns=h_ns, d=d, circles=measured))
    save_png(fig, out)


def d3(out, lyap_dir, *runs):
    """Orbit diagram (the first coordinate over each run's last 300 saved states against h) and
    the Lyapunov exponents against h: circle, period-8 locking, chaos, and the crisis."""
    fig, (a, b) = plt.subplots(2, 1, figsize=(11, 8), sharex=True)
    hs, thetas = [], []
    for path in runs:
        h, x, _ = run_h(path)
        tail = x[-300:, 0]
        tail = tail[np.isfinite(tail)]
        hs.append(np.full(len(tail), h))
        thetas.append(tail)
    a.plot(np.concatenate(hs), np.concatenate(thetas), ",", color="k", alpha=0.6)
    a.plot([], [], "s", color="k", ms=3, label="last 300 saved states (every 11th iteration) of one run per h")
    lyap = []
    for path in glob.glob(os.path.join(lyap_dir, "lyap_*.json")):
        e = json.load(open(path))["exponents"]
        lyap.append((float(os.path.basename(path)[5:-5]), e[0], e[1]))
    lyap = np.array(sorted(lyap))
    b.plot(lyap[:, 0], lyap[:, 1], "o-", ms=3, color="C3", label="λ₁ (4·10⁴ iterations)")
    b.plot(lyap[:, 0], lyap[:, 2], "o-", ms=3, color="C0", alpha=0.6, label="λ₂")
    ref = np.array([(2.25, -0.27032), (2.6, 0.1000), (3.0, 0.2178), (3.3, 0.3267)])
    b.plot(ref[:, 0], ref[:, 1], "k*", ms=11, mfc="none", label="λ₁ of docs/bifurcations.md (10⁷ iterations)")
    b.axhline(0, color="0.4", lw=0.8)
    for ax in (a, b):
        ax.axvline(1.2, color="C2", ls=":", label="NS point h = 1.2" if ax is a else None)
        ax.axvspan(2.1725, 2.5025, color="C1", alpha=0.12, label="period-8 locking" if ax is a else None)
        ax.axvline(3.3366, color="C3", ls="--", label="crisis h ≈ 3.3366 (escape beyond)" if ax is a else None)
    finish(a, "", "θ", "orbit diagram from (10⁻³, 10⁻³)")
    a.legend(fontsize=7, loc="upper left")
    finish(b, "integrator.h", "Lyapunov exponent", "Lyapunov exponents")
    b.legend(fontsize=7, loc="lower left")
    fig.suptitle("Dirac-GAN gan, gp γ = 0.3, simgd: circle, locking, chaos, crisis (D3)", fontsize=11)
    fig.tight_layout()
    write_measured(out, dict(h=lyap[:, 0].tolist(), lambda1=lyap[:, 1].tolist()))
    save_png(fig, out)


def d4(out, *runs):
    """NS-GAN under simgd: circles (linear theory: diverge for every h), mean |x|^2 over the last
    10^5 iterations of 2.1·10^6 against 2h."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4.8), gridspec_kw={"width_ratios": [1, 1.1]})
    measured = {}
    for k, path in enumerate(runs):
        h, x, it = run_h(path)
        tail = x[it >= it[-1] - 100000][1:]
        r2 = np.sum(tail ** 2, axis=1)
        measured[f"{h:g}"] = float(r2.mean())
        a.plot(tail[:, 0], tail[:, 1], ".", ms=1.5, color=f"C{k}", label=f"h = {h:g}")
        b.plot(h, r2.mean(), "o", color=f"C{k}", ms=7, label=f"h = {h:g}: mean ‖x‖² = {r2.mean():.6f}")
    a.plot([0], [0], "k+", ms=10, label="x* = 0 (|μ| = √(1 + h²/4) > 1)")
    a.set_aspect("equal", adjustable="datalim")
    finish(a, "θ", "ψ", "circles after 2·10⁶ iterations from (10⁻³, 10⁻³)", legend=False)
    a.legend(fontsize=8, markerscale=5)
    hh = np.linspace(0, 1.05, 50)
    b.plot(hh, 2 * hh, "k--", lw=1, label="2h")
    finish(b, "integrator.h", "mean ‖x‖² over 10⁵ iterations", "circle size against 2h")
    b.legend(fontsize=7)
    fig.suptitle("Dirac-GAN nsgan, no regularizer, simgd: bounded circles where linear theory says diverge (D4)", fontsize=11)
    fig.tight_layout()
    write_measured(out, dict(mean_r2=measured))
    save_png(fig, out)


def d5(out, path):
    """NS-GAN under altgd (n_d = 1, gen_first), det DPhi = 1 at 0: |z_k|^-2 grows linearly with
    slope -2d = h/4. z = <p, x>, p from DPhi(0) = [[1, -h/2], [h/2, 1 - h^2/4]] (the generator
    steps theta - (h/2) psi, then the discriminator psi + (h/2) theta' at f'(0) = 1/2)."""
    h, x, it = run_h(path)
    A = np.array([[1, -h / 2], [h / 2, 1 - h * h / 4]])
    z = np.abs(x @ np.conj(normal_form_p(A)))
    win = (it >= 100000) & (it <= 200000)
    slope, icpt = np.polyfit(it[win], z[win] ** -2.0, 1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    a.plot(it, z ** -2.0, color="C0", lw=1.2, label="|z_k|⁻² of the run")
    a.plot(it[win], slope * it[win] + icpt, "r--", lw=1.5, label=f"fit on [10⁵, 2·10⁵]: slope {slope:.6f}")
    a.plot([], [], " ", label=f"−2d = h/4 = {h / 4:g}")
    finish(a, "iteration k", "|z_k|⁻²", "algebraic decay: |z|⁻² linear in k")
    pos = it > 0
    b.loglog(it[pos], z[pos], color="C0", lw=1.2, label="|z_k|")
    b.loglog(it[pos], (z[0] ** -2.0 + h / 4 * it[pos]) ** -0.5, "k:", lw=1.2, label="(|z₀|⁻² + (h/4) k)^(−1/2)")
    finish(b, "iteration k", "|z_k|", "no exponential rate: |z| ~ k^(−1/2)")
    fig.suptitle(f"Dirac-GAN nsgan, altgd h = {h:g} from (0.1, 0.1): neutral linearisation, d = −h/8 < 0 (D5)", fontsize=11)
    fig.tight_layout()
    write_measured(out, dict(slope=float(slope), z_1e5=float(z[it == 100000][0]), z_2e5=float(z[it == 200000][0])))
    save_png(fig, out)


def d6(out, path):
    """The symmetric period-2 branch of GAN altgd n_d = 5 past the 1:2 resonance h_c:
    |x*|^2 against 7.5 (h - h_c) and the distance of its Phi^2 multipliers to the unit circle
    against 3 (h - h_c)^3."""
    with h5py.File(path, "r") as f:
        P = f["points"]
        names = P.attrs["type_names"]
        names = (names.decode() if isinstance(names, bytes) else names).split(";")
        hc = float(P["p"][names.index("PD")])
        b2 = next(f["branch"][b] for b in f["branch"] if f["branch"][b].attrs["kind"] in (b"symmetric", "symmetric"))
        p, x, mod = b2["p"][:], b2["x"][:], np.hypot(b2["eig_re"][:], b2["eig_im"][:]).max(axis=1)
    dh = p - hc
    ok = dh > 1e-7
    r2 = np.sum(x ** 2, axis=1)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11.5, 4.6))
    a.loglog(dh[ok], r2[ok], "o-", ms=4, label="symmetric period-2 branch (continue)")
    a.loglog(dh[ok], 7.5 * dh[ok], "k--", lw=1, label="7.5 (h − h_c)")
    finish(a, "h − h_c", "‖x*‖²", f"period-2 orbit ±x* born at h_c = {hc:.10f} (PD, R2)")
    gap = 1 - mod
    good = ok & (gap > 0)
    b.loglog(dh[good], gap[good], "o-", ms=4, color="C1", label="1 − |μ(Φ²)| along the branch")
    b.loglog(dh[good], 3 * dh[good] ** 3, "k--", lw=1, label="3 (h − h_c)³")
    finish(b, "h − h_c", "1 − |μ|", "stable, but only at third order")
    fig.suptitle("Dirac-GAN gan, altgd n_d = 5: the 1:2 resonance and the symmetric 2-cycle (D6)", fontsize=11)
    fig.tight_layout()
    write_measured(out, dict(h_c=hc))
    save_png(fig, out)


FIGURES = {"d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in FIGURES:
        sys.exit(f"usage: bifurcations_figures.py {{{'|'.join(FIGURES)}}} OUT.png FILE...")
    FIGURES[sys.argv[1]](*sys.argv[2:])
