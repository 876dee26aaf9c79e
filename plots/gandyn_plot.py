#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The natural picture of a gandyn HDF5 file (called by `gandyn plot`).

Eigen files (/eig, from `gandyn eig`): the Jacobian's eigenvalues (and their locus along a
--scan, coloured by the parameter), the integrator's stability region |R(z)| <= 1 with the
configured model's step*lambda (the region assumes equal player rates; with lr_g != lr_d the
legend says that the map is not a function of h*lambda), and the map's spectral radius along
the scan. A model without a vector field (has_flow = 0) gets the map's eigenvalues against the
unit circle instead of the Jacobian's, and no stability region.
Rate files (/rate): ln of the eigenbasis amplitude against time (and iterations) with the
least-squares fit over the window and the slope the eigenvalues predict.
Portrait files (/equilibria): the field as streamlines, trajectories, equilibria by type.
Sweep files (/sweep): the observed outcome per cell as colours, the predicted boundary
(spectral radius = 1) as a line, and the measured contraction with a colour bar. A basin sweep
(/sweep/basin): the attractor label of every start as colours with the attractors' points drawn
over it, a legend naming class and period, and the attractor class of every start.
Spectrum files (/modes, from `gandyn spectrum`): the eigenvalues of -Delta_p against their
index, the real parts of every mode's two roots s_k^+- against lambda_k (the rates, slowest
mode marked), and the full operator's eigenvalues in the complex plane over the mode roots.
Estimate files (/lambda, from `gandyn estimate`): the estimated eigenvalues of −Δ_p by index.
Continue files (/branch): the bifurcation diagram (neutral segments shaded, special points labelled
with resonance and criticality), the dominant multiplier, and every multiplier (eigenvalue) in the
complex plane coloured by the parameter, against the unit circle (imaginary axis).
Attractor files (/attractor): the orbit and its multipliers against the unit circle, or the
Lyapunov exponents that decided the class.
Run files (/traj): left, the phase plane of the first generator and first discriminator
coordinate with the model's vector field (/field), every trajectory, its start in red,
the equilibrium, and the region forbidden by a projection (/model/bounds) shaded;
right, the distance to the equilibrium against time on a log scale.
Reads only the file. Needs numpy, h5py, matplotlib (Debian: python3-numpy, python3-h5py,
python3-matplotlib, run with /usr/bin/python3).
"""
import argparse
import configparser
import os
import sys
import tempfile
import textwrap

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gd_plotlib import draw_equilibria, finish, wrap_angles  # noqa: E402


class PlotError(Exception):
    """A file gandyn plot cannot draw; main() makes it the one-line error and exit status 2,
    the Python package (gandyn.plot) an exception."""


def fail(msg):
    raise PlotError(msg)


def read_config(f):
    cfg = configparser.ConfigParser(interpolation=None)
    text = f.attrs.get("config", "")
    if isinstance(text, bytes):
        text = text.decode()
    cfg.read_string(text)
    return cfg


# The keys each form of the normal_form model reads (docs/models/normal_form.md, "Parameters").
NORMAL_FORM_KEYS = {"fold": ("mu",), "transcritical": ("mu",), "hopf": ("mu", "omega", "c_re", "c_im"), "bautin": ("mu",),
                    "brusselator": ("a", "b"), "lorenz": ("sigma", "rho", "beta"), "logistic": ("r",), "delayed_logistic": ("a",),
                    "henon": ("a", "b"), "fold_map": ("mu",), "ns_map": ("mu", "theta", "d_re", "d_im"),
                    "cycle_flip": ("mu", "omega", "kappa"), "cycle_torus": ("mu", "omega", "nu")}


def title_of(cfg, swept=()):
    """Model, integrator and their parameters; keys being swept are left out."""
    m, i = cfg["model"], cfg["integrator"]
    name = m.get("name", "?")

    def val(sec, key, label=None):
        full = f"{sec}.{key}"
        if full in swept or key not in cfg[sec] or cfg[sec][key] == "":
            return ""
        v = cfg[sec][key]
        try:
            v = f"{float(v):g}"
        except ValueError:
            pass
        return f" {label or key}={v}"

    if name == "dirac":
        model = f"Dirac-GAN {m['loss']}"
        reg = m["reg"]
        if reg in ("gp", "consensus"):
            model += f", {reg}" + val("model", "gamma", "γ")
        elif reg == "noise":
            model += ", noise" + val("model", "sigma", "σ")
        elif reg == "wgan_gp":
            model += ", wgan_gp" + val("model", "gamma", "γ") + val("model", "g0")
        elif reg == "clip":
            model += ", clip" + val("model", "clip", "c")
    elif name == "kernel_gda":
        model = f"kernel GDA ({m['representation']}, {m['kernel']})" + val("model", "sigma", "σ") + val("model", "lambda", "λ")
    elif name == "torus":
        obj = m.get("objective", "rexp")
        keys = {"product": ("s", "eps_g", "eps_d"), "damped": ("s", "eps_g", "eps_d"), "mode": ("alpha", "beta_mode"),
                "poisson": ("r",), "rexp": ("kappa", "rho", "beta", "delta"), "grid": ("file",)}.get(obj, ())
        flow = "real flow" if m.get("flow") == "real" else f"N={m.get('N')} ({m.get('mask')}, M={m.get('M')})"
        angles = (m.get("n_gen", "1"), m.get("n_disc", "1"))
        model = f"torus {obj}, {flow}" + "".join(val("model", k) for k in keys)
        if angles != ("1", "1"):
            model += f", {angles[0]} + {angles[1]} angles"
    elif name == "functional":
        model = functional_title(m, val)
    elif name == "particles":
        critic, kernel = m.get("critic", "mmd"), m.get("kernel", "gauss")
        mmd = {"gauss": ("sigma",), "linear": (), "matern": ("matern_s", "matern_kappa")}[kernel]
        own = {"mmd": mmd, "huber": ("lambda",), "w1": (), "smoothed": ("lambda", "lip", "matern_s", "matern_kappa")}.get(critic, ())
        model = f"particles, critic {critic}" + (f" ({kernel} kernel)" if kernel != "gauss" else "") + "".join(val("model", k) for k in own)
        if m.get("target", "points") == "gmm":
            model += ", Gaussian-mixture target"
        if m.get("generator", "particles") == "affine":
            model += ", affine generator"
        if m.get("field", "direct") == "mesh" or critic == "smoothed":
            model += ", mesh" + val("model", "mesh_n")
    elif name == "normal_form" and m.get("form", "hopf") in NORMAL_FORM_KEYS:
        form = m.get("form", "hopf")
        model = f"normal_form {form}" + "".join(val("model", k) for k in NORMAL_FORM_KEYS[form])
    else:
        model = name + "".join(val("model", k) for k in cfg["model"] if k != "name")
    integ = i["name"]
    if integ == "cvode":
        integ += f" {i['method']}" + val("integrator", "rtol")
    else:
        if i.get("lr_g", "") or i.get("lr_d", ""):
            integ += val("integrator", "lr_d") + val("integrator", "lr_g")
        else:
            integ += val("integrator", "h")
        alt = integ.startswith(("altgd", "symplectic"))
        if integ in ("momentum", "nesterov"):  # docs/optimizers.md: beta per player, sim or alt
            integ += val("integrator", "beta", "β") + val("integrator", "beta_g", "β_g") + val("integrator", "beta_d", "β_d")
            alt = i.get("update") == "alt"
            integ += " alt" if alt else " sim"
        if alt:
            integ += val("integrator", "n_g") + val("integrator", "n_d") + (" disc first" if i.get("order") == "disc_first" else "")
    return f"{model} — {integ}"


def functional_title(m, val):
    """Only the keys that matter for this configuration: the density's own parameters, the
    augmentation's width when on, a data file's name."""
    dens = m.get("density", "uniform")
    own = {"vonmises": ("kappa",), "bimodal": ("kappa",), "gauss": ("sigma",), "kde": ("density_file", "kde_bw")}.get(dens, ())
    text = f"functional {m.get('form', 'linear')} {m.get('loss', 'wgan')}" + val("model", "gamma", "γ")
    text += f", {dens}" + "".join(val("model", k) for k in own)
    if m.get("augment", "none") != "none":
        text += f", augment {m['augment']}" + val("model", "aug_t", "t")
    text += f", {m.get('dim', '1')}-D N={m.get('N', '?')}" + val("model", "L")
    if m.get("eta_g", "1") != "1" or m.get("eta_d", "1") != "1":
        text += val("model", "eta_g", "η_g") + val("model", "eta_d", "η_d")
    return text


def wrapped(f, t, x):
    """Angles of a periodic model (attribute /model period) wrapped to [-P/2, P/2) for drawing;
    a NaN row where a coordinate wraps, so lines do not streak across the plane."""
    if "model" not in f or "period" not in f["model"].attrs:
        return t, x
    w, jumps = wrap_angles(x, float(np.ravel(f["model"].attrs["period"])[0]))
    return np.insert(t.astype(float), jumps, np.nan), w


def traj_label(k, n, outcome=""):
    """Legend text for trajectory k of n: each one by name when few, one entry for all when many."""
    if n <= 12:
        return f"trajectory {k}" + (f": {outcome}" if outcome else "")
    return f"{n} trajectories" if k == 0 else None


def trajectories(f):
    keys = sorted(f["traj"].keys(), key=int)
    return [(*wrapped(f, f["traj"][k]["t"][:], f["traj"][k]["x"][:]), f["traj"][k].attrs.get("outcome", "")) for k in keys]


def axis_labels(f, ix, iy):
    """Names of the plane's coordinates for the model in the file."""
    name = f["model"].attrs.get("name", "")
    name = name.decode() if isinstance(name, bytes) else name
    ngen = int(f["model"].attrs.get("ngen", 1))
    if name == "dirac":
        return "θ (generator)", "ψ (discriminator)"
    if name == "torus":
        return "θ (generator angle, rad)", "φ (discriminator angle, rad)"

    def one(i):
        if name == "kernel_gda":
            return f"x[{i}]: " + ("generated point coordinate" if i < ngen else "discriminator (b or w)")
        return f"x[{i}] ({'generator' if i < ngen else 'discriminator'})"

    return one(ix), one(iy)


def shade_bounds(ax, f, xlim, ylim):
    if "model/bounds" not in f:
        return
    b = f["model/bounds"][:]
    ngen = int(f["model"].attrs.get("ngen", 1))
    ix, iy = 0, ngen
    for lo, hi, span, lim in ((b[ix, 0], b[ix, 1], ax.axvspan, xlim), (b[iy, 0], b[iy, 1], ax.axhspan, ylim)):
        if np.isfinite(lo) and lo > lim[0]:
            span(lim[0], lo, color="0.85", zorder=0)
        if np.isfinite(hi) and hi < lim[1]:
            span(hi, lim[1], color="0.85", zorder=0, label="forbidden by clipping")


def phase_plane(ax, f, trajs):
    ngen, dim = int(f["model"].attrs.get("ngen", 1)), int(f["model"].attrs.get("dim", 2))
    ix, iy = 0, ngen if ngen < dim else 1  # as gandyn picks the field's plane
    if "field" in f:
        X, Y = np.meshgrid(f["field/x"][:], f["field/y"][:])
        ax.quiver(X, Y, f["field/u"][:], f["field/v"][:], color="0.45", angles="xy", width=0.003)
        xlim = (X.min(), X.max())
        ylim = (Y.min(), Y.max())
    else:
        allx = np.concatenate([x for _, x, _ in trajs])
        xlim = (np.nanmin(allx[:, ix]), np.nanmax(allx[:, ix]))
        ylim = (np.nanmin(allx[:, iy]), np.nanmax(allx[:, iy]))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (_, x, outcome) in enumerate(trajs):
        c = colors[k % len(colors)]
        ax.plot(x[:, ix], x[:, iy], "-", color=c, lw=1.0, label=traj_label(k, len(trajs), outcome))
        step = max(1, len(x) // 60)
        ax.plot(x[::step, ix], x[::step, iy], "^", mfc="none", color=c, ms=4)
        ax.plot(x[0, ix], x[0, iy], "o", color="red", ms=7, zorder=5)
    if "model/equilibrium" in f:
        e = f["model/equilibrium"][:]
        ax.plot(e[ix], e[iy], "k*", ms=11, zorder=6, label="equilibrium")
    shade_bounds(ax, f, xlim, ylim)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    xl, yl = axis_labels(f, ix, iy)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(6))
    ax.legend(loc="upper right", fontsize=7)
    spans = np.array([xlim[1] - xlim[0], ylim[1] - ylim[0]])
    if np.all(spans > 0) and spans.max() < 10 * spans.min():  # equal scales only where both stay readable
        ax.set_aspect("equal", adjustable="box")


def distance_panel(ax, f, trajs):
    keys = sorted(f["traj"].keys(), key=int)
    if "w2sq" in f["traj"][keys[0]]:  # a model observable: the squared 2-Wasserstein distance
        for k in keys:
            g = f["traj"][k]
            ax.semilogy(g["t"][:], np.maximum(g["w2sq"][:], 1e-300), lw=1.0, label=traj_label(int(k), len(keys)))
        finish(ax, "t (iterations × step)", "W₂² (generated vs true points)", "squared 2-Wasserstein distance to the data")
        return
    eq = f["model/equilibrium"][:] if "model/equilibrium" in f else None
    for k, (t, x, _) in enumerate(trajs):
        d = np.linalg.norm(x - (eq if eq is not None else 0), axis=1)
        ax.semilogy(t, np.maximum(d, 1e-300), lw=1.0, label=traj_label(k, len(trajs)))
    finish(ax, "t (iterations × h)", "|x − x*|" if eq is not None else "|x|",
           "distance to the equilibrium x*" if eq is not None else "distance to the origin")


def particle_paths(f, x, d):
    """The saved states as points [time, point, d]; the affine generator's states (W row-major
    d x k, then b) become its points W z_q + b on the latent nodes /data/z_nodes."""
    gen = f["model"].attrs.get("generator", "particles")
    if (gen.decode() if isinstance(gen, bytes) else gen) != "affine":
        return x.reshape(len(x), -1, d)
    z = f["data/z_nodes"][:]
    k = z.shape[1]
    W, b = x[:, :d * k].reshape(len(x), d, k), x[:, d * k:]
    return np.einsum("tck,qk->tqc", W, z) + b[:, None, :]


def plot_particles(f, out, trajs):
    """Particle runs: the particles' paths in the data's plane (d <= 2; the first two
    coordinates otherwise) over the data, and the divergence J against time."""
    d = int(f["model"].attrs["d"])
    y = f["data/points"][:]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5.2))
    a1.scatter(y[:, 0], y[:, 1] if d > 1 else 0 * y[:, 0], marker="s", c="k", s=40, label="data", zorder=3)
    for k, (t, x, outcome) in enumerate(trajs):
        P = particle_paths(f, x, d)
        for i in range(P.shape[1]):
            a1.plot(P[:, i, 0], P[:, i, 1] if d > 1 else t, "-", lw=0.7, color=f"C{k % 10}", label=traj_label(k, len(trajs), outcome) if i == 0 else None)
        a1.scatter(P[-1, :, 0], P[-1, :, 1] if d > 1 else t[-1] + 0 * P[-1, :, 0], s=14, color=f"C{k % 10}", zorder=4)
        J = f["traj"][str(k)]["J"][:]
        floor = 1e-16 * max(np.nanmax(J), 1e-300)  # J can reach exactly 0; round-off level is the floor
        a2.semilogy(t, np.maximum(J, floor), color=f"C{k % 10}", label=traj_label(k, len(trajs)))
    a1.set_xlabel("x₁")
    a1.set_ylabel("x₂" if d > 1 else "time t")
    a1.set_title(f"{P.shape[1]} particle{'s' if P.shape[1] > 1 else ''} (dots: final positions)", fontsize=10)
    a1.legend(fontsize=8)
    finish(a2, "time t (iterations × h)", "divergence J(μ_t)", f"divergence of the particles from the data (critic {f['model'].attrs['critic']})")
    fig.suptitle(title_of(read_config(f)), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def plot_run(f, out):
    trajs = trajectories(f)
    if not trajs:
        fail("file has no trajectories")
    if "data" in f and "critic" in f["model"].attrs:
        return plot_particles(f, out, trajs)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1.15, 1]})
    phase_plane(a1, f, trajs)
    distance_panel(a2, f, trajs)
    fig.suptitle(title_of(read_config(f)), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def blank_series(ax):
    """Labels of the lines and scatters drawn with data but not one finite point (a NaN locus)."""
    series = [(a.get_label(), a.get_xydata()) for a in ax.lines]
    series += [(c.get_label(), c.get_offsets()) for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]
    return [label for label, xy in series if len(xy) and not np.isfinite(np.asarray(xy, dtype=float)).all(axis=-1).any()]


def audit(fig, out):
    """With GANDYN_PLOT_AUDIT=FILE, append one JSON line describing the figure's text (its
    title and every panel's labels and legend) so tests/plot_audit.py can check them."""
    path = os.environ.get("GANDYN_PLOT_AUDIT")
    if not path:
        return
    import json
    panels = []
    for ax in fig.axes:
        if hasattr(ax, "_colorbar"):  # a colour bar's own axes: its label is checked with its panel
            continue
        bars = [a for a in fig.axes if getattr(getattr(a, "_colorbar", None), "mappable", None) in ax.collections + ax.images]
        legend = [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() is not None else []
        panels.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                       "legend": len(legend) > 0, "legend_texts": legend,
                       "colorbar": [b.get_ylabel() or b.get_xlabel() for b in bars], "blank": blank_series(ax)})
    title = fig._suptitle.get_text() if fig._suptitle else ""
    with open(path, "a") as fh:
        fh.write(json.dumps({"png": out, "title": title, "panels": panels}) + "\n")


def save(fig, out):
    """Write next to the target and rename, so a failure never leaves half a PNG."""
    audit(fig, out)
    d = os.path.dirname(os.path.abspath(out))
    fd, tmp = tempfile.mkstemp(prefix=".gandyn-plot-", suffix=".png", dir=d)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    plt.close(fig)


def eig_title(f):
    cfg = read_config(f)
    return title_of(cfg)


def eig_spectrum_panel(ax, fig, f, which):
    """The eigenvalues at x* (and their locus along a --scan): which = "eig" for the
    Jacobian's, "map" for the one-iteration map's (a model without a vector field)."""
    e = f["eig"]
    if "scan" in f:
        sc = f["scan"]
        vals, re, im = sc["values"][:], sc[which + "_re"][:], sc[which + "_im"][:]
        for k in range(re.shape[1]):
            pts = ax.scatter(re[:, k], im[:, k], c=vals, cmap="viridis", s=14, zorder=3)
        fig.colorbar(pts, ax=ax, label=sc.attrs["key"])
    along = " along the scan" if "scan" in f else ""
    if which == "eig":
        ax.plot(e["eig_re"][:], e["eig_im"][:], "r*", ms=12, zorder=4, label=f"configured ({e.attrs['type']})")
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
        ax.set_title("eigenvalues of the Jacobian at x*" + along, fontsize=10)
    else:
        t = np.linspace(0, 2 * np.pi, 400)
        ax.plot(np.cos(t), np.sin(t), color="0.4", lw=1, label="|μ| = 1")
        mre = e["map_re"][:]
        ax.plot(mre, e["map_im"][:], "r*" if len(mre) <= 24 else "r.", ms=10 if len(mre) <= 24 else 4, zorder=4,
                label=f"configured map (ρ = {e.attrs['rho'][0]:.6g})")
        ax.set_xlabel("Re μ")
        ax.set_ylabel("Im μ")
        ax.set_title(f"no vector field: eigenvalues μ of the {e.attrs['integrator']} map at x*" + along, fontsize=10)
        ax.set_aspect("equal", adjustable="datalim")
    ax.axhline(0, color="0.5", lw=0.8)
    ax.legend(loc="best", fontsize=8)


def step_label(e, st):
    """What the marks on the stability region are. The region is the scalar test problem's
    with both players at one step, a function of z = step*λ; with lr_g != lr_d the map is not."""
    h = e.attrs["h"][0]
    lr_g, lr_d = (e.attrs[k][0] if k in e.attrs else h for k in ("lr_g", "lr_d"))
    if int(st.attrs.get("equal_rates", 1)):
        return f"h·λ (h = {h:g})" if lr_g == h else f"lr·λ (lr_g = lr_d = {lr_g:g})"
    return (f"h·λ (h = {h:g}): not predictive, the map\nuses lr_g = {lr_g:g} ≠ lr_d = {lr_d:g}, no function\n"
            "of h·λ (the region assumes lr_g = lr_d)")


def plot_eig(f, out):
    e = f["eig"]
    flow = int(e.attrs.get("has_flow", 1)) != 0
    panels = ["spectrum"] + (["stability"] if "stability" in f else []) + (["rho"] if "scan" in f else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(max(5.6 * len(panels), 7.5), 5.0), squeeze=False)
    axes = dict(zip(panels, axes[0]))
    eig_spectrum_panel(axes["spectrum"], fig, f, "eig" if flow else "map")
    if "stability" in f:
        ax = axes["stability"]
        st = f["stability"]
        R, I = np.meshgrid(st["re"][:], st["im"][:])
        rho = st["rho"][:]
        ax.contourf(R, I, rho, levels=[0, 1], colors=["#cfe3f5"])
        cs = ax.contour(R, I, rho, levels=[1], colors=["#1f4e79"], linewidths=1.5)
        ax.clabel(cs, fmt="ρ = 1", fontsize=8)
        equal = int(st.attrs.get("equal_rates", 1))
        ax.plot(st["hlambda_re"][:], st["hlambda_im"][:], "r*", ms=12, mfc="r" if equal else "none",
                label=step_label(e, st))
        ax.axvline(0, color="0.5", lw=0.8)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_xlabel("Re z")
        ax.set_ylabel("Im z")
        rates = "" if equal else " at lr_g = lr_d"
        ax.set_title(f"stability region of {st.attrs['integrator']} (shaded: ρ(map) ≤ 1{rates})", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
        ax.set_aspect("equal", adjustable="box")
    if "scan" in f:
        ax = axes["rho"]
        sc = f["scan"]
        ax.plot(sc["values"][:], sc["rho"][:], "-o", ms=3, label=f"ρ of the {e.attrs['integrator']} map")
        ax.axhline(1, color="k", lw=0.8, ls="--", label="ρ = 1")
        ax.set_xlabel(sc.attrs["key"])
        ax.set_ylabel("spectral radius ρ")
        ax.set_title("one-iteration map along the scan", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(eig_title(f), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def plot_spectrum(f, out):
    sp = f["modes"]
    lam, rre, rim = sp["lambda"][:], sp["roots_re"][:], sp["roots_im"][:]
    k0 = int(sp.attrs["slowest"])
    ops = "operator_re" in sp
    scan = "scan" in sp
    n = 2 + ops + scan
    fig, axes = plt.subplots(1, n, figsize=(5.4 * n, 4.8))
    ax = axes[0]
    ax.semilogy(np.arange(1, len(lam)), np.maximum(lam[1:], 1e-300), ".", ms=4, label="λ_k, k ≥ 1")
    finish(ax, "index k", "eigenvalue λ_k of −Δ_p", f"spectrum of −Δ_p: λ_1 = {lam[1]:.6g}")
    ax = axes[1]
    ax.semilogx(lam[1:], rre[1:, 0], ".", ms=4, label="Re s_k⁺")
    ax.semilogx(lam[1:], rre[1:, 1], ".", ms=4, label="Re s_k⁻")
    ax.semilogx([lam[k0]], [rre[k0, 0]], "r*", ms=12, label=f"slowest: k = {k0}, rate {sp.attrs['rate'][0]:.4g}")
    finish(ax, "λ_k", "Re s (decay exponent, 1/time)", "per-mode roots of s² + η_d(a+γλ)s + η_dη_g bcλ = 0")
    if ops:
        ax = axes[2]
        ax.plot(rre[:, :].ravel(), rim[:, :].ravel(), "o", mfc="none", ms=7, color="0.5", label="mode roots s_k±")
        ax.plot(sp["operator_re"][:], sp["operator_im"][:], "r.", ms=4, label="operator eigenvalues (dgeev)")
        ax.axvline(0, color="0.5", lw=0.8)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_xlabel("Re s")
        ax.set_ylabel("Im s")
        ax.set_title(f"full linear operator (largest gap to a root {sp.attrs['mode_gap'][0]:.2g})", fontsize=10)
        ax.legend(fontsize=8)
    if scan:
        ax, sc = axes[-1], sp["scan"]
        v, l1, best = sc["values"][:], sc["lambda1"][:], sc.attrs["best"]
        ax.semilogy(v, l1, "o-", ms=4, label="λ₁ of −Δ_p")
        ax.semilogy(v, np.maximum(sc["rate"][:], 1e-300), "s--", ms=3, label="rate −Re s⁺ of the slowest mode")
        ax.semilogy([best[0]], [best[1]], "r*", ms=13, label=f"largest λ₁ = {best[1]:.4g} at {best[0]:.4g}")
        finish(ax, sc.attrs["key"], "λ₁, rate (1/time)", f"along {sc.attrs['key']}")
    fig.suptitle(title_of(read_config(f)), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def plot_estimate(f, out):
    """Estimate files (/lambda, from `gandyn estimate`): the low eigenvalues of −Δ_p from samples."""
    d = f["lambda"]
    lam, a = d[:], d.attrs
    num = {k: np.ravel(a[k])[0] for k in ("n", "d", "t", "alpha", "knn", "localised", "outliers")}
    fig, ax = plt.subplots(figsize=(7.2, 4.8))
    ax.semilogy(np.arange(1, len(lam)), np.maximum(lam[1:], 1e-300), "o", label="λ_k (k ≥ 1)")
    if num["localised"] > 0:
        ax.axhline(lam[1], color="C3", ls=":", label=f"{num['localised']} localised modes: low λ may be spurious")
    finish(ax, "index k", "eigenvalue λ_k of −Δ_p", f"λ_0 = {lam[0]:.2g}, λ_1 = {lam[1]:.6g}" if len(lam) > 1 else "")
    cmd = f.attrs.get("command", "")
    cmd = cmd.decode() if isinstance(cmd, bytes) else cmd
    data = next((w for w in cmd.split() if w.endswith(".h5") and w != os.path.basename(out)), "samples")
    fig.suptitle(f"diffusion-map estimate from {os.path.basename(data)}: n={num['n']} points in d={num['d']}, "
                 f"t={num['t']:g}, α={num['alpha']:g}, knn={num['knn']} ({num['outliers']} outliers)", fontsize=10)
    fig.tight_layout()
    save(fig, out)


def rate_panel(ax, g, window, xlabel, continuous):
    t, r = g["t"][:], g["r"][:]
    meas, pred = g.attrs["measured"], g.attrs["predicted"]
    ok = r > 0
    ax.plot(t[ok], np.log(r[ok]), "-", color="0.3", lw=1, label="ln |c| (eigenbasis amplitude)")
    inw = (r > window[0]) & (r < window[1])
    if inw.sum() >= 3:
        a, b = np.polyfit(t[inw], np.log(r[inw]), 1)
        tt = t[inw]
        slope_pred = pred[0] if continuous else np.log(pred[0])
        slope_meas = meas[0] if continuous else np.log(meas[0])
        ax.plot(tt, a * tt + b, "b-", lw=2.5, alpha=0.6, label=f"fit: slope {slope_meas:.6g}")
        ax.plot(tt, slope_pred * (tt - tt[0]) + (a * tt[0] + b), "r--", lw=1.3, label=f"predicted: slope {slope_pred:.6g}")
        ax.axhspan(np.log(window[0]), np.log(window[1]), color="#eef5e6", zorder=0, label="fit window")
    if continuous and "section" in g:
        sec = g["section"]
        ax.plot(sec["t"][:], np.log(sec["r"][:]), "o", mfc="none", color="C1", ms=5, label="Poincaré returns")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("ln |c|")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)


def measured_text(m, fmt):
    """A measured value, or why there is none: a neutral or growing mode never enters the fit window."""
    return fmt(m) if np.all(np.isfinite(m)) else "none (no decay through the fit window)"


def plot_rate(f, out):
    g = f["rate"]
    window = g.attrs["window"]
    panels = [k for k in ("continuous", "discrete") if k in g]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.8), squeeze=False)
    for ax, k in zip(axes[0], panels):
        h = g[k]
        if k == "continuous":
            m, p = h.attrs["measured"], h.attrs["predicted"]
            rate_panel(ax, h, window, "t", True)
            meas = measured_text(m, lambda m: f"{m[0]:.6g} ± {m[1]:.6g}i")
            ax.set_title(f"flow (CVODE): measured {meas}, predicted {p[0]:.6g} ± {p[1]:.6g}i", fontsize=9)
        else:
            m, p = h.attrs["measured"], h.attrs["predicted"]
            rate_panel(ax, h, window, "iteration k", False)
            meas = measured_text(m[:1], lambda m: f"ρ = {m[0]:.7g}")
            ax.set_title(f"{h.attrs['integrator']} map: measured {meas}, predicted {p[0]:.7g}", fontsize=9)
    fig.suptitle(title_of(read_config(f)), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def plot_portrait(f, out):
    fld = f["field"]
    ix, iy = int(fld.attrs["ix"]), int(fld.attrs["iy"])
    x, y, u, v = fld["x"][:], fld["y"][:], fld["u"][:], fld["v"][:]
    fig, ax = plt.subplots(figsize=(7.2, 6.4))
    ax.streamplot(x, y, u, v, color="0.6", density=1.3, linewidth=0.7, arrowsize=0.8)
    discrete = read_config(f)["integrator"]["name"] != "cvode"  # iterates of a map: points, faint joins
    for k, (_, xs, _) in enumerate(trajectories(f)):
        ax.plot(xs[:, ix], xs[:, iy], "-", color="C0", lw=0.4 if discrete else 0.9, alpha=0.35 if discrete else 0.8)
        ax.plot(xs[:, ix], xs[:, iy], ".", color="C0", ms=2.5 if discrete else 0, label="trajectories" if k == 0 else None)
        ax.plot(xs[0, ix], xs[0, iy], ".", color="red", ms=5, label="starts" if k == 0 else None)
    draw_equilibria(ax, f["equilibria"], ix, iy)
    shade_bounds(ax, f, (x.min(), x.max()), (y.min(), y.max()))
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(y.min(), y.max())
    xl, yl = axis_labels(f, ix, iy)
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_title("phase portrait: " + title_of(read_config(f)).replace(" — ", "\n"), fontsize=10)
    fig.tight_layout()
    save(fig, out)


POINT_NAMES = {1: "LP", 2: "BP", 3: "H", 4: "PD", 5: "NS"}  # /branch/<b>/type codes (README, "Output files")
POINT_MARKERS = {1: "s", 2: "D", 3: "o", 4: "^", 5: "*"}
NEUTRAL = 7  # a point of a neutral segment
COEFF_NAMES = {"LP": "a", "H": "l₁", "PD": "c", "NS": "d"}  # /points/coeff of each type (docs/bifurcations.md)
BRANCH_MARKERS = "os^vD<>p"


def text_attr(obj, name):
    v = obj.attrs.get(name, "")
    return v.decode() if isinstance(v, bytes) else str(v)


def point_labels(f):
    """{(branch, index): "PD (R2), resonant"} for the special points of /points: the type, the
    resonance when there is one, and the criticality (neutral segments are shaded instead)."""
    if "points" not in f:
        return {}
    P = f["points"]
    names, crit, res = (text_attr(P, k).split(";") for k in ("type_names", "criticality", "resonance"))
    coeff = P["coeff"][:] if "coeff" in P else np.full(len(names), np.nan)
    labels = {}
    for k, (b, i) in enumerate(zip(P["branch"][:], P["index"][:])):
        if k >= len(names) or names[k] == "neutral":
            continue
        text = names[k] + (f" ({res[k]})" if k < len(res) and res[k] not in ("", "none") else "")
        if names[k] in COEFF_NAMES and np.isfinite(coeff[k]):
            text += f", {COEFF_NAMES[names[k]]} = {coeff[k]:.4g}"
        if k < len(crit) and crit[k]:
            text += f", {crit[k]}"
        labels[(int(b), int(i))] = text
    return labels


def neutral_runs(p, st, ty):
    """p-ranges of the neutral segments of one branch: runs of stable type-7 points (every
    multiplier on the unit circle, or eigenvalue on the imaginary axis), each widened to an
    adjacent special point, where the segment ends. Unstable type-7 points are neutral
    saddles (a real pair mu, 1/mu), not shaded."""
    neutral = (ty == NEUTRAL) & (st == 0)
    runs, i = [], 0
    while i < len(p):
        if not neutral[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(p) and neutral[j + 1]:
            j += 1
        lo, hi = i - (i > 0 and 1 <= ty[i - 1] <= 5), j + (j + 1 < len(p) and 1 <= ty[j + 1] <= 5)
        runs.append((min(p[lo], p[hi]), max(p[lo], p[hi])))
        i = j + 1
    return runs


def stability_lines(axis, p, y, st, colour, label):
    """y against p, solid where stable and dashed where unstable; the segment across a change
    of stability is drawn dashed, so the branch has no gap."""
    stable = np.where(st == 0, y, np.nan)
    unstable = np.where(st > 0, y, np.nan)
    for i in np.flatnonzero(np.diff(st > 0)) if len(st) > 1 else []:
        unstable[i:i + 2] = y[i:i + 2]
    if np.isfinite(stable).any():
        axis.plot(p, stable, "-", color=colour, lw=1.6, label=label + ", stable")
    if np.isfinite(unstable).any():
        axis.plot(p, unstable, "--", color=colour, lw=1.2, label=label + ", unstable")


def branch_spectrum(g):
    """A branch's (re, im) per point: eigenvalues or multipliers as stored, except on a cycle
    branch, whose Floquet multipliers mu become exponents log(mu)/T: comparable with the
    equilibria's eigenvalues (stable left of Re = 0), the trivial multiplier 1 at 0."""
    re, im = g["eig_re"][:], g["eig_im"][:]
    if text_attr(g, "kind") != "cycle" or "T" not in g:
        return re, im
    z = np.log((re + 1j * im).astype(complex)) / g["T"][:][:, None]
    return z.real, z.imag


def dominant(g, flow):
    """The largest Re lambda (flow; on a cycle branch the largest Floquet exponent other than
    the trivial one, the one closest to 0) or the largest |mu| (map) of each point."""
    re, im = branch_spectrum(g)
    if not flow:
        return np.hypot(re, im).max(axis=1)
    if text_attr(g, "kind") == "cycle" and re.shape[1] > 1:
        trivial = np.abs(re + 1j * im).argmin(axis=1)
        re = np.where(np.arange(re.shape[1])[None, :] == trivial[:, None], -np.inf, re)
    return re.max(axis=1)


def multiplier_panel(ax, fig, f, branches, flow, param):
    """Every branch point's eigenvalues (flow) or multipliers (map) in the complex plane,
    coloured by the parameter, against the imaginary axis or the unit circle; the special
    points' values ringed."""
    lo = min(float(f["branch"][b]["p"][:].min()) for b in branches)
    hi = max(float(f["branch"][b]["p"][:].max()) for b in branches)
    norm = matplotlib.colors.Normalize(lo, hi if hi > lo else lo + 1)
    pts = None
    for k, b in enumerate(branches):
        g = f["branch"][b]
        p, ty = g["p"][:], g["type"][:].astype(int)
        re, im = branch_spectrum(g)
        pp = np.repeat(p[:, None], re.shape[1], axis=1)
        kind = text_attr(g, "kind")
        pts = ax.scatter(re.ravel(), im.ravel(), c=pp.ravel(), cmap="viridis", norm=norm, s=16,
                         marker=BRANCH_MARKERS[k % len(BRANCH_MARKERS)], zorder=3, label=f"branch {b}: {kind}")
        special = (ty >= 1) & (ty <= 5)
        if special.any():
            ax.scatter(re[special].ravel(), im[special].ravel(), s=90, facecolors="none", edgecolors="r", lw=1.2,
                       zorder=4, label=None if k else "at special points")
    if flow:
        ax.axvline(0, color="0.3", lw=1, label="Re λ = 0")
        ax.set_xlabel("Re λ")
        ax.set_ylabel("Im λ")
        ax.set_title("eigenvalues along the branches" + (" (cycles: Floquet exponents log μ / T)" if any(
            text_attr(f["branch"][b], "kind") == "cycle" for b in branches) else ""), fontsize=10)
    else:
        t = np.linspace(0, 2 * np.pi, 400)
        ax.plot(np.cos(t), np.sin(t), color="0.3", lw=1, label="|μ| = 1")
        ax.set_xlabel("Re μ")
        ax.set_ylabel("Im μ")
        ax.set_title("multipliers along the branches" + (" (of Φᵏ)" if any(int(f["branch"][b].attrs.get("period", 1)) > 1 for b in branches) else ""), fontsize=10)
    ax.axhline(0, color="0.6", lw=0.6)
    ax.set_aspect("equal", adjustable="datalim")
    fig.colorbar(pts, ax=ax, label=param)
    ax.legend(fontsize=7, loc="best")


def floor_span(axis, series):
    """A series flat to rounding (the cycles of one radius, |x0| = 1 +- 1e-12) drawn flat: its
    axis spans at least 10% of its value instead of zooming into the rounding."""
    y = np.concatenate([np.asarray(v, float).ravel() for v in series])
    y = y[np.isfinite(y)]
    if len(y) and y.max() - y.min() < 1e-6 * max(1.0, np.abs(y).max()):
        pad = 0.05 * max(1.0, np.abs(y).max())
        axis.set_ylim(y.min() - pad, y.max() + pad)


def plot_continue(f, out):
    """Bifurcation diagram: |x| against the parameter on every branch (solid where stable,
    dashed where unstable), neutral segments shaded, the special points marked and labelled
    with their resonance and criticality; the dominant eigenvalue (largest Re lambda of a flow,
    largest |mu| of a map) against the parameter; and every eigenvalue or multiplier in the
    complex plane, coloured by the parameter, against the imaginary axis or the unit circle."""
    cfg = read_config(f)
    flow = cfg["integrator"]["name"] == "cvode"
    branches = sorted(f["branch"], key=int)
    param = text_attr(f["branch"][branches[0]], "param")
    labels = point_labels(f)
    fig, (ax, bx, cx) = plt.subplots(1, 3, figsize=(18, 5.4), gridspec_kw={"width_ratios": [1.15, 1, 1]})
    marked, shaded, drawn = set(), False, ([], [])
    for k, b in enumerate(branches):
        g = f["branch"][b]
        p, x, st, ty = g["p"][:], g["x"][:], g["stability"][:].astype(int), g["type"][:].astype(int)
        r = np.linalg.norm(x, axis=1)
        dom = dominant(g, flow)
        drawn[0].append(r), drawn[1].append(dom)
        kind, period = text_attr(g, "kind"), int(g.attrs.get("period", 1))
        label = f"branch {b}: {kind}" + (f" (period {period})" if period > 1 else "")
        for y, axis in ((r, ax), (dom, bx)):
            stability_lines(axis, p, y, st, f"C{k}", label)
        for lo, hi in neutral_runs(p, st, ty):
            for axis in (ax, bx):
                axis.axvspan(lo, hi, color="0.85", zorder=0, label=None if shaded or axis is bx else
                             "neutral segment (" + ("Re λ = 0)" if flow else "|μ| = 1)"))
            shaded = True
        for code, name in POINT_NAMES.items():
            at = np.flatnonzero(ty == code)
            if len(at):
                ax.plot(p[at], r[at], POINT_MARKERS[code], color="k", ms=7, mfc="none" if code in marked else "k",
                        label=None if code in marked else name)
                marked.add(code)
                for i in at:
                    ax.annotate(labels.get((int(b), int(i)), name), (p[i], r[i]), textcoords="offset points",
                                xytext=(5, 6), fontsize=8, bbox=dict(boxstyle="round,pad=0.2", fc="w", ec="0.6", alpha=0.85))
    bx.axhline(0 if flow else 1, color="0.5", lw=0.8, label="Re λ = 0" if flow else "|μ| = 1")
    floor_span(ax, drawn[0]), floor_span(bx, drawn[1] + [[0.0 if flow else 1.0]])
    for axis, ylabel in ((ax, "‖x‖"), (bx, "largest Re λ (cycles: largest non-trivial Floquet exponent)" if flow else "largest |μ|")):
        axis.set_xlabel(param)
        axis.set_ylabel(ylabel)
        axis.legend(fontsize=7, loc="best")
    ax.set_title("branches and special points (solid: stable, dashed: unstable)", fontsize=10)
    bx.set_title("dominant eigenvalue" if flow else "dominant multiplier", fontsize=10)
    multiplier_panel(cx, fig, f, branches, flow, param)
    lo, hi = min(float(f["branch"][b]["p"][:].min()) for b in branches), max(float(f["branch"][b]["p"][:].max()) for b in branches)
    fig.suptitle(f"continuation in {param} = {lo:g} … {hi:g}: " + title_of(cfg, swept=(param,)), fontsize=10)
    fig.tight_layout()
    save(fig, out)


def plot_attractor(f, out):
    """An attractor file (/attractor): the orbit (fixed or periodic) in the plane of the first
    two coordinates with its multipliers against the unit circle; for a class decided by
    exponents (quasi-periodic, neutral, chaotic, a long period), the Lyapunov exponents."""
    cfg = read_config(f)
    a = f["attractor"]
    cls, period, steps = text_attr(a, "class"), int(a.attrs["period"]), int(a.attrs["steps"])
    has_orbit = "orbit" in a and "multipliers_re" in a
    fig, axes = plt.subplots(1, 2 if has_orbit else 1, figsize=(11.5 if has_orbit else 6.2, 5.2), squeeze=False)
    axes = axes[0]
    head = f"{cls}" + (f", period {period}" if cls == "periodic" else "") + (", unstable" if int(a.attrs["unstable"]) else "")
    if has_orbit:
        orbit = a["orbit"][:]
        ax = axes[0]
        ax.plot(orbit[:, 0], orbit[:, 1] if orbit.shape[1] > 1 else np.zeros(len(orbit)), "o", color="C0", ms=7,
                label=f"orbit ({head})")
        for j, z in enumerate(orbit[:24]):  # the order in which the orbit visits its points
            ax.annotate(str(j), (z[0], z[1] if orbit.shape[1] > 1 else 0), textcoords="offset points", xytext=(5, 5), fontsize=8)
        ax.set_xlabel("θ (coordinate 0)" if orbit.shape[1] > 1 else "x")
        ax.set_ylabel("ψ (coordinate 1)" if orbit.shape[1] > 1 else "—")
        ax.set_title("the orbit, Newton-polished", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        bx = axes[1]
        mre, mim = a["multipliers_re"][:], a["multipliers_im"][:]
        t = np.linspace(0, 2 * np.pi, 400)
        bx.plot(np.cos(t), np.sin(t), color="0.3", lw=1, label="|μ| = 1")
        mod = np.hypot(mre, mim)
        bx.plot(mre, mim, "r*", ms=12, zorder=3, label=f"multipliers of Φ^{max(period, 1)}: max |μ| = {mod.max():.6g}")
        bx.axhline(0, color="0.6", lw=0.6)
        bx.axvline(0, color="0.6", lw=0.6)
        bx.set_xlabel("Re μ")
        bx.set_ylabel("Im μ")
        bx.set_title("multipliers against the unit circle", fontsize=10)
        bx.set_aspect("equal", adjustable="datalim")
        bx.legend(fontsize=8, loc="upper left", framealpha=0.9)
    else:
        ax = axes[0]
        lam = a["lyapunov"][:] if "lyapunov" in a else np.array([])
        if len(lam):
            ax.plot(np.arange(1, len(lam) + 1), lam, "o", color="C3", ms=8, label=f"λ ({head})")
            ax.set_xticks(np.arange(1, len(lam) + 1))
            for i, v in enumerate(lam):
                ax.annotate(f"{v:.5g}", (i + 1, v), textcoords="offset points", xytext=(8, -3), fontsize=9)
        else:
            ax.plot([], [], " ", label=f"{head} after {steps} iterations: no orbit, no exponents")
            ax.set_xticks([])
        ax.axhline(0, color="0.5", lw=0.8, label="λ = 0")
        ax.set_xlabel("index i")
        ax.set_ylabel("Lyapunov exponent λᵢ")
        ax.set_title("the exponents that decided the class" if len(lam) else "the run left the bounded region", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"attractor: {head} — " + title_of(cfg), fontsize=10)
    fig.tight_layout()
    save(fig, out)


CLASS_NAMES = ["fixed", "periodic", "quasi_periodic", "neutral", "chaotic", "stall", "diverge", "undetermined"]  # /scan/class codes
CLASS_COLORS = ["#4daf4a", "#377eb8", "#984ea3", "#999999", "#e41a1c", "#ff7f00", "#000000", "#a65628"]


def mark_boundaries(axis, g, first):
    """The class boundaries of a critical --classes file: a local one as a solid line at its
    crossing, named by it, a global one dashed at the observed change, a mixed interval shaded (labelled once, on the first panel)."""
    kind = text_attr(g, "kind").split(";")
    typ = text_attr(g, "type").split(";")
    value, end, local = g["value"][:], g["end"][:], g["local"][:]
    colors = {"LP": "C1", "BP": "C2", "H": "C4", "PD": "C3", "NS": "C5"}
    with_value = local.sum() <= 4  # more crossings: their names only, or the labels overlap
    seen = set()
    for j, k in enumerate(kind[:len(value)]):
        how = "local" if local[j] else "global"
        if k == "mixed":
            name = f"mixed interval ({how})"
            axis.axvspan(value[j], end[j], color="0.85", zorder=0, label=None if name in seen else name)
        else:
            name = f"{how} boundary" + (f" ({typ[j]})" if local[j] and typ[j] else "")
            color = colors.get(typ[j], "C3") if local[j] else "0.4"
            at = g["refined"][j] if local[j] else value[j]  # a local one where the eigenvalue crosses
            axis.axvline(at, color=color, ls="-" if local[j] else "--", lw=1, label=None if name in seen else name)
            if first and local[j]:
                text = f"{typ[j]} {g['refined'][j]:.9g}" if with_value else typ[j]
                axis.annotate(text, (g["refined"][j], 1), xycoords=("data", "axes fraction"), xytext=(2, -4), textcoords="offset points",
                              fontsize=7, color=color, rotation=90, va="top")
        seen.add(name)


def plot_critical(f, out):
    """critical --classes: the orbit diagram (the first coordinate of each value's attractor
    samples, coloured by class) and lambda_1 against the parameter, the boundaries marked."""
    cfg = read_config(f)
    s = f["scan"]
    param = text_attr(s, "param")
    p, cls, lyap = s["p"][:], s["class"][:].astype(int), s["lyap1"][:]
    pts = s["samples"][:, :, 0]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(11, 8.4), gridspec_kw={"height_ratios": [3, 2]})
    for c in sorted(set(cls)):
        at = cls == c
        xs = np.repeat(p[at], pts.shape[1])
        ax.scatter(xs, pts[at].ravel(), s=0.6, color=CLASS_COLORS[c], label=CLASS_NAMES[c], rasterized=True)
        fin = at & np.isfinite(lyap)
        if fin.any():
            bx.plot(p[fin], lyap[fin], ".", ms=3, color=CLASS_COLORS[c], label=CLASS_NAMES[c])
    bx.axhline(0, color="0.5", lw=0.8, label="λ₁ = 0")
    for axis, first in ((ax, True), (bx, False)):
        mark_boundaries(axis, f["boundaries"], first)
    coord = "θ (generator)" if cfg["model"].get("name", "dirac") == "dirac" else "x[0]"
    ax.set_ylabel(f"{coord}: attractor samples")
    bx.set_ylabel("λ₁ (per iteration)")
    for axis in (ax, bx):
        axis.set_xlabel(param)
        axis.set_xlim(p.min() - 0.01 * (p.max() - p.min()), p.max() + 0.01 * (p.max() - p.min()))
    ax.set_title("orbit diagram by attractor class", fontsize=10)
    bx.set_title("largest Lyapunov exponent", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", markerscale=6)
    bx.legend(fontsize=7, loc="lower left", markerscale=2)
    lo, hi, _ = s.attrs["range"]
    fig.suptitle(textwrap.fill(f"critical {param} = {lo:g} … {hi:g}: " + title_of(cfg, swept=(param,)), 140), fontsize=10)
    fig.tight_layout()
    save(fig, out)


OUTCOME_COLORS = ["#4daf4a", "#ffcc33", "#e41a1c"]  # converge, oscillate, diverge


def edges(v, log):
    """Cell edges for pcolormesh from centres."""
    if len(v) == 1:
        return np.array([v[0] * 0.9, v[0] * 1.1]) if log else np.array([v[0] - 0.5, v[0] + 0.5])
    c = np.log(v) if log else v
    e = np.concatenate([[c[0] - (c[1] - c[0]) / 2], (c[:-1] + c[1:]) / 2, [c[-1] + (c[-1] - c[-2]) / 2]])
    return np.exp(e) if log else e


def axis_info(f, name):
    d = f["sweep"][name]
    key = d.attrs["key"]
    key = key.decode() if isinstance(key, bytes) else key
    sp = d.attrs.get("spacing", "lin")
    sp = sp.decode() if isinstance(sp, bytes) else sp
    return d[:], key, sp == "log"


def plot_sweep(f, out):
    from matplotlib.colors import ListedColormap, to_rgb
    from matplotlib.patches import Patch
    s = f["sweep"]
    obs = s["outcome"][:].astype(int)
    rho, rate = s["rho"][:], s["rate"][:]
    agree = float(s.attrs["agreement"][0])
    x, xkey, xlog = axis_info(f, "axis_x")
    axes_info = [axis_info(f, a) for a in ("axis_x", "axis_y") if a in s]
    title = title_of(read_config(f), [k for _, k, _ in axes_info])
    title += "; swept " + ", ".join(f"{k} = {v[0]:g}…{v[-1]:g}" for v, k, _ in axes_info)
    failed = s["solver"][:].astype(int) != 0 if "solver" in s else np.zeros(obs.shape, bool)
    legend = [Patch(color=c, label=n) for c, n in zip(OUTCOME_COLORS, ("converge", "oscillate", "diverge"))]
    if "axis_y" not in s:
        fig, ax = plt.subplots(figsize=(8.5, 5))
        ax.plot(x, rho[0], "k-", lw=1.2, label="predicted ρ (map at x*)")
        for k, c in enumerate(OUTCOME_COLORS):
            sel = obs[0] == k
            ax.plot(x[sel], rate[0][sel], "o", color=c, ms=4, label=f"measured contraction: {('converge', 'oscillate', 'diverge')[k]}")
        ax.axhline(1, color="0.4", ls="--", lw=0.8)
        if failed.any():
            ax.plot(x[failed[0]], np.ones(failed[0].sum()), "kx", ms=8, mew=1.5, label=f"solver stopped early ({failed.sum()} cells)")
        # where the predicted outcome or phase changes along the axis (e.g. sigma_1,2,3)
        pred = s["predicted"][0].astype(int)
        phase = s["phase"][0].astype(int) if "phase" in s else pred
        names = ("monotone", "spiral", "alternating")
        nb = 0
        for i in range(1, len(x)):
            if pred[i] != pred[i - 1] or phase[i] != phase[i - 1]:
                b = np.sqrt(x[i - 1] * x[i]) if xlog else (x[i - 1] + x[i]) / 2
                ax.axvline(b, color="C4", ls=":", lw=1)
                ax.annotate(f"{b:.4g}", (b, 1), xytext=(2 if nb % 2 == 0 else -9, 4 + 26 * (nb % 2)), textcoords="offset points",
                            rotation=90, fontsize=7, color="C4")
                nb += 1
        if "phase" in s:
            for i0 in [0] + [i for i in range(1, len(x)) if phase[i] != phase[i - 1] or pred[i] != pred[i - 1]]:
                lab = "diverge" if pred[i0] == 2 else names[phase[i0]]
                ax.annotate(lab, (x[i0], 1), xytext=(3, -12), textcoords="offset points", fontsize=7, color="C4")
        finite = np.concatenate([rho[0][np.isfinite(rho[0])], rate[0][np.isfinite(rate[0])]])
        if finite.size and finite.max() > 10 * max(finite.min(), 1e-300):
            ax.set_yscale("log")
        ax.set_xscale("log" if xlog else "linear")
        ax.set_xlabel(xkey)
        ax.set_ylabel("per-iteration contraction")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        ax.set_title(f"{title}\nagreement with the prediction {agree:.4f}", fontsize=10)
        fig.tight_layout()
        save(fig, out)
        return
    y, ykey, ylog = axis_info(f, "axis_y")
    has_phase = "phase" in s
    if has_phase:  # outcome, predicted phase / measured contraction, predicted rho
        fig, grid = plt.subplots(2, 2, figsize=(14, 11))
        a1, a3, a2, a4 = grid[0, 0], grid[0, 1], grid[1, 0], grid[1, 1]
        axes = [a1, a2, a3, a4]
    else:
        fig, axes = plt.subplots(1, 2, figsize=(13, 5.3))
        a1, a2 = axes[0], axes[1]
    X, Y = edges(x, xlog), edges(y, ylog)
    a1.pcolormesh(X, Y, obs, cmap=ListedColormap(OUTCOME_COLORS), vmin=-0.5, vmax=2.5, shading="flat")
    cs = a1.contour(x, y, rho, levels=[1.0], colors="k", linewidths=1.6)
    legend.append(plt.Line2D([], [], color="k", lw=1.6, label="predicted boundary ρ = 1"))
    if failed.any():
        gx, gy = np.meshgrid(x, y)
        a1.plot(gx[failed], gy[failed], "kx", ms=6, mew=1.2)
        legend.append(plt.Line2D([], [], color="k", marker="x", ls="none", label=f"solver stopped early ({failed.sum()} cells)"))
    a1.legend(handles=legend, loc="upper left", fontsize=8, framealpha=0.9)
    a1.set_title(f"observed outcome (agreement {agree:.4f})", fontsize=10)
    r = np.where(np.isfinite(rate), rate, np.nan)
    lo, hi = np.nanpercentile(r, 1), np.nanpercentile(r, 99)
    m = a2.pcolormesh(X, Y, r, cmap="viridis", vmin=lo, vmax=max(min(hi, 1.05), lo + 1e-9), shading="flat")
    a2.contour(x, y, rho, levels=[1.0], colors="w", linewidths=1.2)
    fig.colorbar(m, ax=a2, label="measured per-iteration contraction")
    a2.set_title("measured contraction (white: ρ = 1)", fontsize=10)
    if has_phase:
        lab = np.where(s["predicted"][:].astype(int) == 2, 3, s["phase"][:].astype(int))
        cols = ["#4daf4a", "#377eb8", "#984ea3", "#e41a1c"]
        a3.pcolormesh(X, Y, lab, cmap=ListedColormap(cols), vmin=-0.5, vmax=3.5, shading="flat")
        a3.contour(x, y, rho, levels=[1.0], colors="k", linewidths=1.2)
        a3.legend(handles=[Patch(color=c, label=n) for c, n in zip(cols, ("monotone", "spiral", "alternating", "diverge"))],
                  loc="upper left", fontsize=8, framealpha=0.9)
        a3.set_title("predicted phase (dominant eigenvalue of the map)", fontsize=10)
        finite = rho[np.isfinite(rho)]
        pm = a4.pcolormesh(X, Y, np.where(np.isfinite(rho), rho, np.nan), cmap="magma_r", shading="flat",
                           vmin=finite.min() if finite.size else 0, vmax=min(finite.max(), 1.2) if finite.size else 1)
        a4.contour(x, y, rho, levels=[1.0], colors="c", linewidths=1.4)
        fig.colorbar(pm, ax=a4, label="predicted spectral radius ρ (capped at 1.2)")
        a4.set_title("predicted ρ of the one-iteration map (cyan: ρ = 1)", fontsize=10)
    for ax in axes:
        ax.set_xscale("log" if xlog else "linear")
        ax.set_yscale("log" if ylog else "linear")
        ax.set_xlabel(xkey)
        ax.set_ylabel(ykey)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    save(fig, out)


CLASS_NAMES = ["fixed", "periodic", "quasi_periodic", "neutral", "chaotic", "stall", "diverge", "undetermined"]
CLASS_COLORS = ["#4daf4a", "#377eb8", "#984ea3", "#ff7f00", "#e41a1c", "#a65628", "#222222", "#dddddd"]


def plot_basin(f, out):
    """A basin sweep (/sweep/basin): left, each start coloured by the label of the attractor it
    reaches, the attractors' points drawn over it in their label's colour darkened, a legend naming class
    and period; right, the attractor class per start."""
    from matplotlib.colors import ListedColormap, to_rgb
    from matplotlib.patches import Patch
    s = f["sweep"]
    x, xkey, xlog = axis_info(f, "axis_x")
    y, ykey, ylog = axis_info(f, "axis_y")
    lab, cls = s["basin"][:].astype(int), s["attractor"][:].astype(int)
    atts = f["basin/attractors"] if "basin/attractors" in f else {}
    n = len(atts)
    palette = plt.get_cmap("tab10" if n <= 10 else "tab20")
    colors = ["#dddddd", "#222222"] + [palette(j % palette.N) for j in range(n)]  # -2 undetermined, -1 diverge, then labels
    title = title_of(read_config(f), [xkey, ykey]) + f"; starts {xkey} = {x[0]:g}…{x[-1]:g}, {ykey} = {y[0]:g}…{y[-1]:g}"
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14.5, 6.2))
    X, Y = edges(x, xlog), edges(y, ylog)
    a1.pcolormesh(X, Y, lab + 2, cmap=ListedColormap(colors), vmin=-0.5, vmax=n + 1.5, shading="flat")
    handles = []
    for j in range(n):
        g = atts[str(j)]
        name = g.attrs["name"]
        name = name.decode() if isinstance(name, bytes) else name
        cells = int((lab == j).sum())
        handles.append(Patch(color=colors[j + 2], label=f"{j}: {name} ({cells} cells)"))
        pts = g["points"][:]
        if pts.size and pts.shape[1] >= 2:
            # the label's colour darkened, edged in white: it stands out on its own basin too
            dark = tuple(0.6 * c for c in to_rgb(colors[j + 2]))
            a1.plot(pts[:, 0], pts[:, 1], "o", ms=6 if len(pts) <= 64 else 3, mfc=dark, mec="w", mew=0.6, ls="none")
    for v, name in ((-1, "diverge"), (-2, "undetermined")):
        if (lab == v).any():
            handles.append(Patch(color=colors[v + 2], label=f"{name} ({int((lab == v).sum())} cells)"))
    handles.append(plt.Line2D([], [], marker="o", color="w", mfc="0.3", mec="w", ls="none", label="attractor points (orbit, or sampled set)"))
    a1.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    a1.set_title(f"basins: {n} attractors, labelled in row-major order of first appearance", fontsize=10)
    present = sorted(set(cls.ravel().tolist()))
    a2.pcolormesh(X, Y, cls, cmap=ListedColormap(CLASS_COLORS), vmin=-0.5, vmax=7.5, shading="flat")
    a2.legend(handles=[Patch(color=CLASS_COLORS[k], label=f"{CLASS_NAMES[k]} ({int((cls == k).sum())} cells)") for k in present],
              loc="upper left", fontsize=8, framealpha=0.9)
    a2.set_title("attractor class of each start", fontsize=10)
    # two start coordinates share the state's units: equal scales draw the phase plane undistorted
    # (a cycle as a circle), unless the box is too elongated for a readable panel
    same_units = not xlog and not ylog and xkey.startswith("run.x0") and ykey.startswith("run.x0")
    equal = same_units and 0.25 <= abs((Y[-1] - Y[0]) / (X[-1] - X[0])) <= 4
    for ax in (a1, a2):
        ax.set_xscale("log" if xlog else "linear")
        ax.set_yscale("log" if ylog else "linear")
        ax.set_xlim(X[0], X[-1])
        ax.set_ylim(Y[0], Y[-1])
        ax.set_xlabel(xkey)
        ax.set_ylabel(ykey)
        if equal:
            ax.set_aspect("equal", adjustable="box")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    save(fig, out)


# Which picture a file gets: the first entry whose test its groups pass, so the order
# matters where a file holds several groups (a basin is a sweep with /sweep/basin).
PICTURES = [
    (lambda f: "sweep" in f and "basin" in f["sweep"], plot_basin),
    (lambda f: "sweep" in f, plot_sweep),
    (lambda f: "eig" in f, plot_eig),
    (lambda f: "modes" in f, plot_spectrum),
    (lambda f: "rate" in f, plot_rate),
    (lambda f: "equilibria" in f, plot_portrait),
    (lambda f: "traj" in f, plot_run),
    (lambda f: "lambda" in f, plot_estimate),
    (lambda f: "branch" in f, plot_continue),
    (lambda f: "attractor" in f, plot_attractor),
    (lambda f: "scan" in f and "boundaries" in f, plot_critical),
]


def plot_file(path, out):
    """Draw one gandyn file into the PNG out, the picture chosen by the groups it holds."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open '{path}': {e}")
    with f:
        for holds, draw in PICTURES:
            if holds(f):
                return draw(f, out)
        fail(f"'{path}' has no group gandyn plot knows (/traj, /eig, /modes, /rate, /equilibria, /sweep, /lambda, /branch, /attractor, /scan)")


def main():
    p = argparse.ArgumentParser(prog="gandyn plot")
    p.add_argument("files", nargs="+")
    p.add_argument("-o", dest="output")
    a = p.parse_args()
    try:
        if a.output and len(a.files) > 1:
            fail("-o takes one input file")
        for path in a.files:
            out = a.output or os.path.splitext(path)[0] + ".png"
            plot_file(path, out)
            print(f"wrote {out}")
    except PlotError as e:
        print(f"gandyn plot: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
