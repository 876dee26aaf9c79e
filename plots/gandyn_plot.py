#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The natural picture of a gandyn HDF5 file (called by `gandyn plot`).

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

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def fail(msg):
    print(f"gandyn plot: {msg}", file=sys.stderr)
    sys.exit(2)


def read_config(f):
    cfg = configparser.ConfigParser(interpolation=None)
    text = f.attrs.get("config", "")
    if isinstance(text, bytes):
        text = text.decode()
    cfg.read_string(text)
    return cfg


def title_of(cfg):
    m, i = cfg["model"], cfg["integrator"]
    name = m.get("name", "?")
    if name == "dirac":
        model = f"Dirac-GAN {m['loss']}"
        reg = m["reg"]
        if reg in ("gp", "consensus"):
            model += f", {reg} γ={float(m['gamma']):g}"
        elif reg == "noise":
            model += f", noise σ={float(m['sigma']):g}"
        elif reg == "wgan_gp":
            model += f", wgan_gp γ={float(m['gamma']):g} g0={float(m['g0']):g}"
        elif reg == "clip":
            model += f", clip c={float(m['clip']):g}"
    else:
        model = name
    integ = i["name"]
    if integ == "cvode":
        integ += f" {i['method']} rtol={float(i['rtol']):g}"
    else:
        integ += f" h={float(i['h']):g}"
        if integ.startswith("altgd"):
            integ += f" n_g={i['n_g']} n_d={i['n_d']}"
    return f"{model} — {integ}"


def trajectories(f):
    keys = sorted(f["traj"].keys(), key=int)
    return [(f["traj"][k]["t"][:], f["traj"][k]["x"][:], f["traj"][k].attrs.get("outcome", "")) for k in keys]


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
    ngen = int(f["model"].attrs.get("ngen", 1))
    ix, iy = 0, ngen
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
        ax.plot(x[:, ix], x[:, iy], "-", color=c, lw=1.0, label=f"trajectory {k}: {outcome}")
        step = max(1, len(x) // 60)
        ax.plot(x[::step, ix], x[::step, iy], "^", mfc="none", color=c, ms=4)
        ax.plot(x[0, ix], x[0, iy], "o", color="red", ms=7, zorder=5)
    if "model/equilibrium" in f:
        e = f["model/equilibrium"][:]
        ax.plot(e[ix], e[iy], "k*", ms=11, zorder=6, label="equilibrium")
    shade_bounds(ax, f, xlim, ylim)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("θ (generator)" if ngen == 1 else "x[0] (generator)")
    ax.set_ylabel("ψ (discriminator)" if ngen == 1 else f"x[{iy}] (discriminator)")
    ax.legend(loc="upper right", fontsize=7)
    ax.set_aspect("equal", adjustable="box")


def distance_panel(ax, f, trajs):
    eq = f["model/equilibrium"][:] if "model/equilibrium" in f else None
    for k, (t, x, _) in enumerate(trajs):
        d = np.linalg.norm(x - (eq if eq is not None else 0), axis=1)
        ax.semilogy(t, np.maximum(d, 1e-300), lw=1.0, label=f"trajectory {k}")
    ax.set_xlabel("t (iterations × h)")
    ax.set_ylabel("|x − x*|" if eq is not None else "|x|")
    ax.grid(True, which="both", alpha=0.3)


def plot_run(f, out):
    trajs = trajectories(f)
    if not trajs:
        fail("file has no trajectories")
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1.15, 1]})
    phase_plane(a1, f, trajs)
    distance_panel(a2, f, trajs)
    fig.suptitle(title_of(read_config(f)), fontsize=11)
    fig.tight_layout()
    save(fig, out)


def save(fig, out):
    """Write next to the target and rename, so a failure never leaves half a PNG."""
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


def main():
    p = argparse.ArgumentParser(prog="gandyn plot")
    p.add_argument("files", nargs="+")
    p.add_argument("-o", dest="output")
    a = p.parse_args()
    if a.output and len(a.files) > 1:
        fail("-o takes one input file")
    for path in a.files:
        out = a.output or os.path.splitext(path)[0] + ".png"
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            fail(f"cannot open '{path}': {e}")
        with f:
            if "traj" in f:
                plot_run(f, out)
            else:
                fail(f"'{path}' has no group gandyn plot knows (expected /traj)")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
