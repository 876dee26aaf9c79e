#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The torus figures F1-F7 of docs/models/torus.md on the reference R-Exp objective (kappa = rho =
# beta = 1, delta = 0) and the canonical modes, one command each:
#   f1  heat map of F on [-pi, pi)^2 (M = 256) and of log10 |c_kl|, |k|, |l| <= 16
#   f2  phase portraits (streamlines, equilibria by type) of the real flow and of N = 1, 2, 4, 8;
#       every portrait here checks its equilibrium census (indices adding up to 0)
#   f3  trajectories real vs truncated from (0.3, 0.3) and four lattice points, t in [0, 40]
#   f4  errors against N: sup|F - F_N|, sup|grad F - grad F_N|, max_{t<=20} |x_N - x|,
#       equilibrium offset, |lambda_N - lambda|
#   f5  the canonical modes: sin(th)sin(ph) (centres, saddles), + damping (spiral sink),
#       cos(th + 2 ph) (lines of equilibria)
#   f6  discrete AGD and SGDA over h in [0.01, 2.2] on sin(th)sin(ph) - 0.05cos(th) + 0.05cos(ph):
#       predicted spectral radius and measured contraction
#   f7  measured spiral rates (CVODE, eigenbasis fit) against the Jacobian's eigenvalue as N varies
#   all everything (about a minute)
# Usage: examples/torus/reproduce.sh [FIGURE] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
fig=$here/../../plots/torus_figures.py
what=${1:-all}
out=${2:-output/torus}
mkdir -p "$out"
torus=(--set model.name=torus --set integrator.name=cvode)
box=-3.14159265:3.14159265:-3.14159265:3.14159265
flows=(real 1 2 4 8)

# flow_args real|N: the keys that select the real flow or the truncation of order N
flow_args() { if [ "$1" = real ]; then echo "--set model.flow=real"; else echo "--set model.N=$1 --set model.M=256"; fi; }

# portrait ARGS...: gandyn portrait, which must have found every equilibrium: their indices add
# up to what the box needs (0 on the whole torus, Poincare-Hopf; docs/models/torus.md,
# `portrait`), else stop
portrait() {
    local json
    json=$("$gandyn" portrait "$@" --json) || return 1
    echo "$json"
    if ! [[ $json =~ \"index_sum\":(-?[0-9]+),\"index_expected\":(-?[0-9]+) ]] || [ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]; then
        echo "portrait $*: the equilibria's indices do not add up to the box's ($json)" >&2
        return 1
    fi
}

f1() {
    "$gandyn" run /dev/null "${torus[@]}" --set model.N=16 --set model.M=256 --set integrator.t_end=1 \
        --set integrator.steps=1 -o "$out/f1.h5"
    "$py" "$fig" f1 "$out/f1.png" "$out/f1.h5"
}
f2() {
    local n files=()
    for n in "${flows[@]}"; do
        # shellcheck disable=SC2046
        portrait /dev/null "${torus[@]}" $(flow_args "$n") --set portrait.box=$box --set portrait.grid=128 \
            --set portrait.starts=0 --set run.x0=0.3,0.3 --set integrator.t_end=40 --set integrator.steps=400 -o "$out/f2_$n.h5"
        files+=("$out/f2_$n.h5")
    done
    "$py" "$fig" portraits "$out/f2.png" "${files[@]}"
}
f3() {
    local n files=()
    for n in "${flows[@]}"; do
        # shellcheck disable=SC2046
        "$gandyn" run /dev/null "${torus[@]}" $(flow_args "$n") --set "run.x0=0.3,0.3;1,1;-1,1;1,-1;-1,-1" \
            --set integrator.t_end=40 --set integrator.steps=800 -o "$out/f3_$n.h5"
        files+=("$out/f3_$n.h5")
    done
    "$py" "$fig" f3 "$out/f3.png" "${files[@]}"
}
f4() {
    local n files=()
    "$gandyn" run /dev/null "${torus[@]}" --set model.flow=real --set run.x0=0.3,0.3 --set integrator.t_end=20 \
        --set integrator.steps=400 --set integrator.rtol=1e-11 --set integrator.atol=1e-13 -o "$out/f4_real.h5"
    "$gandyn" eig /dev/null "${torus[@]}" --set model.flow=real -o "$out/f4_real_eig.h5"
    for n in 1 2 3 4 5 6 7 8 10 12 14 16; do
        "$gandyn" run /dev/null "${torus[@]}" --set model.N=$n --set model.M=256 --set run.x0=0.3,0.3 --set integrator.t_end=20 \
            --set integrator.steps=400 --set integrator.rtol=1e-11 --set integrator.atol=1e-13 -o "$out/f4_$n.h5"
        "$gandyn" eig /dev/null "${torus[@]}" --set model.N=$n --set model.M=256 -o "$out/f4_${n}_eig.h5"
        files+=("$out/f4_$n.h5")
    done
    "$py" "$fig" f4 "$out/f4.png" "$out/f4_real.h5" "${files[@]}"
}
f5() {
    local name keys
    while read -r name keys; do
        # shellcheck disable=SC2086
        portrait /dev/null "${torus[@]}" $keys --set portrait.box=$box --set portrait.grid=96 --set portrait.starts=0 \
            --set "run.x0=1,0;0.5,0.5" --set integrator.t_end=60 --set integrator.steps=600 -o "$out/f5_$name.h5"
    done <<'LIST'
product --set model.objective=product --set model.flow=real
damped --set model.objective=damped --set model.flow=real
mode --set model.objective=mode --set model.alpha=1 --set model.beta_mode=2 --set model.flow=real
LIST
    "$py" "$fig" portraits "$out/f5.png" "$out/f5_product.h5" "$out/f5_damped.h5" "$out/f5_mode.h5"
}
f6() {
    local integ h game=(--set model.name=torus --set model.objective=product --set model.flow=real --set model.eps_g=-0.05
        --set model.eps_d=0.05 --set run.x0=0.05,0.05 --set integrator.steps=3000)
    mkdir -p "$out/f6_runs"
    for integ in altgd simgd; do
        "$gandyn" sweep /dev/null "${game[@]}" --set integrator.name=$integ --set sweep.x=integrator.h:0.01:2.2:220:lin \
            -o "$out/f6_$integ.h5"
        for h in $(seq 0.05 0.05 2.2); do # the nonlinear map's final amplitude, one run per step size
            "$gandyn" run /dev/null "${game[@]}" --set integrator.name=$integ --set integrator.h="$h" --set run.save_every=10 \
                -o "$out/f6_runs/${integ}_$h.h5" > /dev/null
        done
    done
    "$py" "$fig" f6 "$out/f6.png" "$out/f6_altgd.h5" "$out/f6_simgd.h5"
}
f7() {
    local n files=()
    for n in real 1 2 3 4 6 8 12 16; do
        # shellcheck disable=SC2046
        "$gandyn" rate /dev/null --set model.name=torus $(flow_args "$n") --set run.x0=0.3,0.3 -o "$out/f7_$n.h5" > /dev/null
        files+=("$out/f7_$n.h5")
    done
    "$py" "$fig" f7 "$out/f7.png" "${files[@]}"
}

case $what in
    all) f1; f2; f3; f4; f5; f6; f7 ;;
    f1 | f2 | f3 | f4 | f5 | f6 | f7) $what ;;
    *) echo "unknown figure '$what' (f1 ... f7 | all)" >&2; exit 2 ;;
esac
