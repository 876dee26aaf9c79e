#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The authors' two_point_dimensions experiment (docs/models/kernel_gda.md) on the exact map: one true
# point at the origin, N_g in {2, 5, 10} generated points on a sphere of radius 0.2 with equal
# masses (delta = 0), d in {1, 10, 100}, sigma in {0.1, 0.5, 1}, eta_d = eta_g = 0.01, lambda = 0.1,
# 1000 iterations from a cold start; W2^2 every 10 iterations. One PNG grid.
# Usage: examples/kernel_gda/two_point_dimensions.sh [OUTDIR]   (GANDYN, GANDYN_PYTHON to choose)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
out=${1:-output/kernel_gda/dimensions}
mkdir -p "$out"
for sigma in 0.1 0.5 1; do
    for d in 1 10 100; do
        for n in 2 5 10; do
            "$gandyn" run "$here/isolated_point.ini" --set model.representation=exact --set model.warm_start=0 \
                --set model.d=$d --set model.true_points= --set model.gen_points= --set model.gen_layout=sphere --set model.n_gen=$n --set model.radius=0.2 \
                --set model.sigma=$sigma --set model.lambda=0.1 --set integrator.lr_d=0.01 --set integrator.lr_g=0.01 \
                --set integrator.steps=1000 --set model.history=1001 --set run.save_every=10 --set run.save_coords=generator \
                --set sweep.diverge_radius=1e9 -o "$out/s${sigma}_d${d}_n${n}.h5" > /dev/null
        done
    done
done
"$py" "$here/../../plots/kernel_gda_dimensions.py" "$out" "$out/two_point_dimensions.png"
