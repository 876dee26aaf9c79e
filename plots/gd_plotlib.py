# SPDX-License-Identifier: BSD-3-Clause
"""Small helpers shared by the figure scripts in plots/ (they import it from their own folder)."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def save_png(fig, out, dpi=90):
    """Write next to the target and rename, so a failure never leaves half a PNG."""
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=dpi)
    os.replace(tmp, out)
    plt.close(fig)
    print(f"wrote {out}")


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
