#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The reproduction set of docs/models/kernel_gda.md for the isolated-points model, one figure per
# command:
#   rate_sigma  rate against sigma at (eta_d, eta_g, lambda) = (0.1, 0.1, 1) and (0.5, 0.2, 1):
#               the theory (J_c) with sigma_1 > sigma_2 > sigma_3 marked, and the exact map's
#               measured rates
#   phase_map   (sigma, lr_g) phase map at eta_d = 0.1, lambda = 1: outcome, contraction, phase
#   portraits   (x~, b) phase portraits, one per phase, and lambda = 0 (closed orbits)
#   alt_vs_sim  alternating vs simultaneous GDA over sigma at the same parameters
#   points      N = 1 vs N = 4 generated points (q = 1/N): sigma_3 scales as 1/sqrt(N)
#   all         everything
# Usage: examples/kernel_gda/reproduce.sh [FIGURE] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
what=${1:-all}
out=${2:-output/kernel_gda}
mkdir -p "$out"
cfg=$here/isolated_point.ini
alt=(--set integrator.name=altgd --set integrator.order=disc_first)

rate_sigma() {
    # theory from the linear representation, measured rates from the exact map (warm start,
    # e0 = 1e-6, about 30 e-folds per cell so the late windows stay above round-off, distances
    # of the generated point only: the exact state also carries its history)
    local set rd rg lo hi
    for set in "a 0.1 0.1 0.01 10" "b 0.5 0.2 0.05 5"; do
        read -r name rd rg lo hi <<< "$set"
        "$gandyn" sweep "$cfg" "${alt[@]}" --set integrator.lr_d=$rd --set integrator.lr_g=$rg \
            --set sweep.x=model.sigma:$lo:$hi:300:log --set integrator.steps=20000 -o "$out/rate_sigma_${name}_theory.h5"
        "$gandyn" sweep "$cfg" "${alt[@]}" --set model.representation=exact --set model.history=400 --set model.gen_points=1e-6 \
            --set integrator.lr_d=$rd --set integrator.lr_g=$rg --set sweep.x=model.sigma:$lo:$hi:100:log \
            --set integrator.steps=20000 --set sweep.adaptive_steps=1 --set sweep.measure=generator -o "$out/rate_sigma_${name}_exact.h5"
        "$py" "$here/../../plots/kernel_gda_rate_sigma.py" "$out/rate_sigma_${name}_theory.h5" "$out/rate_sigma_${name}_exact.h5" \
            "$out/rate_sigma_${name}.png"
    done
}
phase_map() {
    "$gandyn" sweep "$cfg" "${alt[@]}" --set integrator.lr_d=0.1 --set sweep.x=model.sigma:0.01:10:150:log \
        --set sweep.y=integrator.lr_g:0.001:100:120:log --set integrator.steps=4000 -o "$out/phase_map.h5"
    "$gandyn" plot "$out/phase_map.h5"
}
portraits() {
    local name lrd lrg lam sig
    while read -r name lrd lrg lam sig; do
        "$gandyn" portrait "$cfg" "${alt[@]}" --set integrator.lr_d=$lrd --set integrator.lr_g=$lrg --set model.lambda=$lam \
            --set model.sigma=$sig --set portrait.box=-1:1:-2:2 --set portrait.starts=3 --set integrator.steps=400 \
            -o "$out/portrait_$name.h5"
    done <<'LIST'
monotone 0.1 0.1 1 3
spiral 0.5 0.2 1 0.63246
alternating 0.1 0.1 1 0.0513078
neutral_lambda0 0.1 0.1 0 0.3
LIST
    "$gandyn" plot "$out"/portrait_*.h5
}
alt_vs_sim() {
    "$gandyn" sweep "$cfg" "${alt[@]}" --set integrator.lr_d=0.1 --set integrator.lr_g=0.1 --set sweep.x=model.sigma:0.01:3:200:log \
        --set integrator.steps=20000 -o "$out/alternating.h5"
    "$gandyn" sweep "$cfg" --set integrator.name=simgd --set integrator.lr_d=0.1 --set integrator.lr_g=0.1 \
        --set sweep.x=model.sigma:0.01:3:200:log --set integrator.steps=20000 -o "$out/simultaneous.h5"
    "$gandyn" plot "$out/alternating.h5" "$out/simultaneous.h5"
}
points() {
    "$gandyn" sweep "$cfg" "${alt[@]}" --set integrator.lr_d=0.1 --set integrator.lr_g=0.1 --set sweep.x=model.sigma:0.01:3:200:log \
        --set integrator.steps=20000 -o "$out/points_N1.h5"
    "$gandyn" sweep "$cfg" "${alt[@]}" --set integrator.lr_d=0.1 --set integrator.lr_g=0.1 --set sweep.x=model.sigma:0.005:3:200:log \
        --set "model.gen_points=0.01;-0.01;0.02;-0.015" --set integrator.steps=20000 -o "$out/points_N4.h5"
    "$gandyn" plot "$out/points_N1.h5" "$out/points_N4.h5"
}

case $what in
    all) rate_sigma; phase_map; portraits; alt_vs_sim; points ;;
    rate_sigma | phase_map | portraits | alt_vs_sim | points) $what ;;
    *) echo "unknown figure '$what' (rate_sigma | phase_map | portraits | alt_vs_sim | points | all)" >&2; exit 2 ;;
esac
