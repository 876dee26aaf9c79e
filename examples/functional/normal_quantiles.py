#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes normal_quantiles.h5 next to this script: dataset /points, the n = 1000 quantile
sample x_i = Phi^-1((i - 1/2)/n) of N(0, 1) (docs/models/functional.md V10), the sample
`gandyn estimate --help` names. The density's Delta_p has eigenvalues 0, 1, 2, 3, ...
Run with /usr/bin/python3 (numpy, h5py)."""
import os
from statistics import NormalDist

import h5py
import numpy as np

n = 1000
points = np.array([NormalDist().inv_cdf((i + 0.5) / n) for i in range(n)])
with h5py.File(os.path.join(os.path.dirname(os.path.abspath(__file__)), "normal_quantiles.h5"), "w") as f:
    f["points"] = points
