# SPDX-License-Identifier: BSD-3-Clause
"""Small helpers shared by the figure scripts in plots/ (they import it from their own folder)."""
import configparser
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save_png(fig, out, dpi=90):
    """Write next to the target and rename, so a failure never leaves half a PNG."""
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, out)
    plt.close(fig)
    print(f"wrote {out}")


def file_config(f):
    """The resolved configuration a gandyn file carries (root attribute config), parsed."""
    c = configparser.ConfigParser(interpolation=None)
    text = f.attrs["config"]
    c.read_string(text.decode() if isinstance(text, bytes) else text)
    return c


def finish(ax, xlabel, ylabel, title, legend=True):
    """Labels, a title, a log-aware grid and the legend: every panel ends the same way."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    if legend:
        ax.legend(fontsize=8)


OUTCOME_COLOURS = ("#4daf4a", "#ffd92f", "#e41a1c")  # converge, oscillate, diverge


def sweep_map(ax, path):
    """A 2-D sweep file's observed outcomes as colours with the predicted boundary rho = 1;
    returns x, y, outcome, rho and the file's agreement."""
    import h5py

    with h5py.File(path, "r") as f:
        s = f["sweep"]
        x, y, oc, rho = s["axis_x"][:], s["axis_y"][:], s["outcome"][:], s["rho"][:]
        agree = float(s.attrs["agreement"][0])
    cmap = matplotlib.colors.ListedColormap(OUTCOME_COLOURS)
    ax.pcolormesh(x, y, oc, cmap=cmap, vmin=-0.5, vmax=2.5, shading="nearest")
    if np.nanmin(rho) < 1 < np.nanmax(rho):  # else no boundary crosses the map
        ax.contour(x, y, rho, levels=[1], colors="k", linewidths=1.3)
    return x, y, oc, rho, agree


def label_grid(axes, row_labels, col_titles, ylabel, xlabel="iteration"):
    """Column titles on the top row, row labels and ylabel on the left, xlabel at the bottom, grids."""
    for r, row in enumerate(axes):
        for c, ax in enumerate(row):
            ax.grid(alpha=0.3)
            if r == 0:
                ax.set_title(col_titles[c], fontsize=10)
            if c == 0:
                ax.set_ylabel(f"{row_labels[r]}\n{ylabel}")
            if r == len(axes) - 1:
                ax.set_xlabel(xlabel)


TYPE_STYLE = {
    "spiral_sink": dict(marker="o", color="tab:green", mfc="tab:green"),
    "node_sink": dict(marker="o", color="darkgreen", mfc="darkgreen"),
    "spiral_source": dict(marker="o", color="tab:red", mfc="tab:red"),
    "node_source": dict(marker="o", color="darkred", mfc="darkred"),
    "saddle": dict(marker="X", color="tab:purple", mfc="tab:purple"),
    "center": dict(marker="o", color="tab:blue", mfc="white"),
    "degenerate": dict(marker="s", color="k", mfc="white"),
}


def wrap(x, period):
    """Angles (any array) wrapped to [-P/2, P/2)."""
    return (x + period / 2) % period - period / 2


def wrap_angles(x, period):
    """Angles wrapped to [-P/2, P/2), with a NaN row inserted where a coordinate wraps so that
    lines do not streak across the plane; also returns where the rows went in."""
    w = wrap(x, period)
    jumps = np.nonzero(np.any(np.abs(np.diff(w, axis=0)) > period / 2, axis=1))[0] + 1
    return np.insert(w, jumps, np.nan, axis=0), jumps


def draw_equilibria(ax, eq, ix, iy, ms=11, period=None):
    """The /equilibria group of a portrait file, one marker style per type, each type once in the legend."""
    if int(eq.attrs["count"]) == 0:
        return
    types = eq.attrs["types"]
    types = (types.decode() if isinstance(types, bytes) else types).split(",")
    seen = set()
    for pos, t in zip(eq["position"][:], types):
        p = np.array([pos[ix], pos[iy]])
        if period:
            p = wrap(p, period)
        ax.plot(p[0], p[1], ls="none", ms=ms, mec="k", zorder=5, label=t if t not in seen else None,
                **TYPE_STYLE.get(t, TYPE_STYLE["degenerate"]))
        seen.add(t)
