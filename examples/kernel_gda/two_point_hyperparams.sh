#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The authors' two_point_hyperparams experiment (docs/models/kernel_gda.md) on the exact map: 1-D, one
# true point at 0, one generated point at 0.1, cold start f = 0, 1000 iterations of alternating
# GDA (discriminator first); sigma in {0.1, 1, 10} x (eta_d, eta_g) in {(1, 0.1), (0.1, 0.1),
# (0.1, 0.01), (0.01, 0.01)} x lambda in {1, 0.1, 0.01}; W2^2 every 10 iterations, with the
# linear model (the linear representation from the same start) dashed. One PNG grid.
# Usage: examples/kernel_gda/two_point_hyperparams.sh [OUTDIR]   (GANDYN, GANDYN_PYTHON to choose)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
out=${1:-output/kernel_gda/two_point}
mkdir -p "$out"
for sigma in 0.1 1 10; do
    for rates in "1 0.1" "0.1 0.1" "0.1 0.01" "0.01 0.01"; do
        set -- $rates
        for lam in 1 0.1 0.01; do
            for rep in exact linear; do
                "$gandyn" run "$here/isolated_point.ini" --set model.representation=$rep --set model.warm_start=0 \
                    --set model.sigma=$sigma --set model.lambda=$lam --set integrator.lr_d=$1 --set integrator.lr_g=$2 \
                    --set integrator.steps=1000 --set model.history=1001 --set run.save_every=10 \
                    --set sweep.diverge_radius=1e3 -o "$out/${rep}_s${sigma}_d${1}_g${2}_l${lam}.h5" > /dev/null
            done
        done
    done
done
"$py" "$here/../../plots/kernel_gda_two_point.py" "$out" "$out/two_point_hyperparams.png"
