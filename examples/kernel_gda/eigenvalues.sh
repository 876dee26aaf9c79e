#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The authors' eigenvalues notebook (docs/models/kernel_gda.md): rates over sigma in [0.01, 1] x lambda in
# [0.01, 10] (log grids), mu = 1, p = 1, q = 0.8 (delta = 0.2), for eta_d in {0.1, 0.01, 0.001}.
# The discriminator is represented by 8 Gauss-Hermite quadrature features: its spectrum at the
# equilibrium is the exact linearization (docs: closed-form spectra) plus the discriminator bulk
# a = 1 - eta_d lambda, so the predicted rho is the full-state radius max(rho_a, rho_b, rho_c). One PNG per eta_d.
# Usage: examples/kernel_gda/eigenvalues.sh [OUTDIR]   (GANDYN to choose the binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
out=${1:-output/kernel_gda/eigenvalues}
mkdir -p "$out"
for etad in 0.1 0.01 0.001; do
    "$gandyn" sweep "$here/isolated_point.ini" --set model.representation=features --set model.feature_kind=quadrature \
        --set model.features=8 --set model.gen_masses=0.8 --set model.gen_points=1e-4 \
        --set integrator.lr_d=$etad --set integrator.lr_g=$etad --set integrator.steps=3000 \
        --set sweep.x=model.sigma:0.01:1:80:log --set sweep.y=model.lambda:0.01:10:80:log \
        -o "$out/eigenvalues_etad$etad.h5" > /dev/null
done
"$gandyn" plot "$out"/eigenvalues_etad*.h5
