#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Dirac-GAN's routes beyond linear theory (docs/bifurcations.md, cases D1-D6 and D3), one
# command each; the gallery section "bifurcations" runs them all:
#   d1  GAN + GP gamma = 0.3 under simgd, continued in h: the Neimark-Sacker point h = 1.2 with
#       d = -0.081 (supercritical), every multiplier against the unit circle
#   d2  the invariant circles just past it (h = 1.201 ... 1.25): mean |z| against the normal form's
#       sqrt((|mu(h)| - 1) / -d)
#   d3  the route to chaos, h = 1.15 ... 3.4: orbit diagram (the tail of one run per h) and the
#       largest Lyapunov exponent (circle, period-8 locking, chaos, the crisis near 3.3366)
#   d4  NS-GAN under simgd, which linear theory calls divergent for every h: circles with
#       mean |x|^2 close to 2h
#   d5  NS-GAN under altgd (det DPhi = 1): the origin attracts algebraically, |z_k|^-2 grows
#       linearly with slope -2d = h/4
#   d6  GAN under altgd, n_d = 5: the neutral segment, the 1:2 resonance at h_c = 4/sqrt(5) and
#       the symmetric period-2 branch with |x*|^2 ~ 7.5 (h - h_c)
#   d7  the same, `critical --classes` over h in [1.5, 1.95] from (1e-3, 1e-3): the local PD (R2)
#       boundary at h_c, the 2-cycle above it, the mixed (global) interval where cycles and stalls
#       interleave; the orbit diagram and lambda_1 against h
#   d8  the same at h = 1.85: basins of a 21 x 21 grid of starts on [-2, 2]^2 (period 2, 5, 12, the
#       stall where the gradients saturate, the unstable origin), 10^6 iterations each
#   all everything (about two minutes)
# Usage: examples/bifurcations/reproduce.sh [FIGURE] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
fig=$here/../../plots/bifurcations_figures.py
what=${1:-all}
out=${2:-output/bifurcations}
mkdir -p "$out"
gp=(--set model.reg=gp --set model.gamma=0.3)
small=(--set run.x0=1e-3,1e-3 --set run.field_n=0)

plot() { GANDYN_PYTHON=$py "$gandyn" plot "$@" > /dev/null; }

d1() {
    "$gandyn" continue /dev/null "${gp[@]}" --set integrator.h=0.5 --param integrator.h --lo 0.1 --hi 2 -o "$out/d1.h5" > /dev/null
    plot "$out/d1.h5" -o "$out/d1_continue.png"
}

d2() {
    local h files=()
    "$gandyn" eig /dev/null "${gp[@]}" --json > "$out/d2_eig.json"
    [ -f "$out/d1.h5" ] || d1
    for h in 1.201 1.21 1.212 1.25; do
        "$gandyn" run /dev/null "${gp[@]}" "${small[@]}" --set integrator.h=$h --set integrator.steps=300000 \
            --set run.save_every=50 -o "$out/d2_run_$h.h5" > /dev/null
        "$gandyn" attractor /dev/null "${gp[@]}" "${small[@]}" --set integrator.h=$h --set attractor.transient=2000000 \
            --json > "$out/d2_attractor_$h.json"
        files+=("$out/d2_run_$h.h5")
    done
    "$py" "$fig" d2 "$out/d2_circles.png" "$out/d1.h5" "$out/d2_eig.json" "${files[@]}"
}

d3() {
    local h files=()
    mkdir -p "$out/d3"
    # one run per h: 13200 iterations, every 11th kept (a prime, so that cycles of period 8 and
    # most others show all their points; the figure plots the last 300)
    for h in $(seq 1.15 0.03 3.32) 3.336; do
        "$gandyn" run /dev/null "${gp[@]}" "${small[@]}" --set integrator.h=$h --set integrator.steps=13200 \
            --set run.save_every=11 -o "$out/d3/run_$h.h5" > /dev/null
        files+=("$out/d3/run_$h.h5")
    done
    for h in $(seq 1.16 0.06 3.32); do
        "$gandyn" lyapunov /dev/null "${gp[@]}" "${small[@]}" --set integrator.h=$h --set lyapunov.transient=10000 \
            --set lyapunov.steps=40000 --set lyapunov.tol=0 --json > "$out/d3/lyap_$h.json"
    done
    "$py" "$fig" d3 "$out/d3_route.png" "$out/d3" "${files[@]}"
}

d4() {
    local h files=()
    for h in 0.05 0.1 0.2 0.5 1.0; do
        "$gandyn" run /dev/null --set model.loss=nsgan "${small[@]}" --set integrator.h=$h --set integrator.steps=2100000 \
            --set run.save_every=100 -o "$out/d4_run_$h.h5" > /dev/null
        files+=("$out/d4_run_$h.h5")
    done
    "$py" "$fig" d4 "$out/d4_nsgan.png" "${files[@]}"
}

d5() {
    "$gandyn" run /dev/null --set model.loss=nsgan --set integrator.name=altgd --set integrator.h=0.2 --set run.x0=0.1,0.1 \
        --set run.field_n=0 --set integrator.steps=200000 --set run.save_every=100 -o "$out/d5_run.h5" > /dev/null
    "$py" "$fig" d5 "$out/d5_algebraic.png" "$out/d5_run.h5"
}

d6() {
    "$gandyn" continue /dev/null --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1 \
        --param integrator.h --lo 0.05 --hi 2.2 -o "$out/d6.h5" > /dev/null
    plot "$out/d6.h5" -o "$out/d6_continue.png"
    "$py" "$fig" d6 "$out/d6_period2.png" "$out/d6.h5"
}

d7() {
    "$gandyn" critical /dev/null --set model.reg=none --set integrator.name=altgd --set integrator.n_d=5 --set run.x0=1e-3,1e-3 \
        --set attractor.max_steps=100000 --param integrator.h --lo 1.5 --hi 1.95 --classes -o "$out/d7.h5" --json > "$out/d7.json"
    plot "$out/d7.h5" -o "$out/d7_critical.png"
}

d8() {
    "$gandyn" sweep /dev/null --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1.85 \
        --set integrator.steps=1000000 --set sweep.attractor=1 --set sweep.x=run.x0.0:-2:2:21 --set sweep.y=run.x0.1:-2:2:21 \
        -o "$out/d8.h5" --json > "$out/d8.json"
    plot "$out/d8.h5" -o "$out/d8_basins.png"
}

case $what in
    d1 | d2 | d3 | d4 | d5 | d6 | d7 | d8) $what ;;
    all) d1; d2; d3; d4; d5; d6; d7; d8 ;;
    *) echo "reproduce.sh: unknown figure '$what' (d1, d2, d3, d4, d5, d6, d7, d8, all)" >&2; exit 2 ;;
esac
