# SPDX-License-Identifier: BSD-3-Clause
"""The index census of portrait files (Poincare-Hopf), for any model: every equilibrium's
recorded index is the sign of det J recomputed here from its eigenvalues (non-degenerate
ones); the recorded indices add up to /equilibria index_sum; that sum equals index_expected,
the field's winding along the box, wherever it is defined; and a torus portrait whose box is
one whole period (2 pi) in both coordinates expects 0, so a missed equilibrium fails.
Usage: portrait_index.py FILE.h5...  (exit 1 on the first file that fails, naming it)"""
import math
import sys

import h5py
import numpy as np


def check(path):
    with h5py.File(path, "r") as f:
        e = f["equilibria"]
        total, want, k = float(e.attrs["index_sum"][0]), float(e.attrs["index_expected"][0]), int(e.attrs["count"])
        idx = e["index"][:] if k else np.zeros(0)
        for q in range(k):
            lam = e["eig_re"][q] + 1j * e["eig_im"][q]
            if np.min(np.abs(lam)) > 1e-8 * max(1.0, np.max(np.abs(lam))):
                sign = np.sign(np.prod(lam).real)
                assert idx[q] == sign, f"equilibrium {q} at {e['position'][q]}: index {idx[q]}, sign det J = {sign}"
        if not math.isnan(total):
            assert total == idx.sum(), f"index_sum {total} but the indices add up to {idx.sum()}"
        if not math.isnan(total) and not math.isnan(want):
            assert total == want, f"index sum {total}, the box's winding {want}: equilibria missing"
        box = f["field"].attrs["box"]
        name = f["model"].attrs["name"]
        name = name.decode() if isinstance(name, bytes) else name
        whole = all(abs(box[2 * a + 1] - box[2 * a] - 2 * math.pi) <= 1e-6 * 2 * math.pi for a in range(2))
        if name == "torus" and whole and int(f["model"].attrs["dim"]) == 2:
            assert want == 0 and total == 0, f"torus over one whole period: index sum {total}, expected {want} (must be 0)"
        return k, total, want


status = 0
for p in sys.argv[1:]:
    try:
        k, total, want = check(p)
        print(f"portrait_index: {p}: {k} equilibria, index sum {total:g}, expected {want:g}")
    except AssertionError as err:
        print(f"portrait_index: {p}: {err}", file=sys.stderr)
        status = 1
sys.exit(status)
