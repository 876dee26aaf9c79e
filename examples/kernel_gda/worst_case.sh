#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The authors' worst_case experiment (docs/models/kernel_gda.md) on the exact map: true points at -1 and
# +1 (masses 1/2), two generated points starting at 1.6 and 1.7 (masses 0.4, 0.6), eta_d = 0.1,
# eta_g = 0.01, lambda = 1, 2000 iterations from a cold start, sigma in {0.1, 0.25, 0.5, 0.75, 1},
# Gaussian vs Laplacian kernel: local minima and mode collapse. One PNG (positions and W2^2).
# Usage: examples/kernel_gda/worst_case.sh [OUTDIR]   (GANDYN, GANDYN_PYTHON to choose)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
out=${1:-output/kernel_gda/worst_case}
mkdir -p "$out"
for kernel in gauss laplace; do
    for sigma in 0.1 0.25 0.5 0.75 1; do
        "$gandyn" run "$here/isolated_point.ini" --set model.representation=exact --set model.warm_start=0 \
            --set model.kernel=$kernel --set model.sigma=$sigma --set model.lambda=1 \
            --set "model.true_points=-1;1" --set "model.gen_points=1.6;1.7" --set "model.gen_masses=0.4;0.6" \
            --set integrator.lr_d=0.1 --set integrator.lr_g=0.01 --set integrator.steps=2000 --set model.history=256 \
            --set run.save_every=10 --set run.save_coords=generator -o "$out/${kernel}_s${sigma}.h5" > /dev/null
    done
done
"$py" "$here/../../plots/kernel_gda_worst_case.py" "$out" "$out/worst_case.png"
