#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The particle-flow experiments of docs/models/particles.md ("Example figures"), one command each:
#   a  16 particles onto a 4 x 4 grid of data: the smooth MMD critic converges (J and |grad J|
#      fall), the non-smooth W1 critic chatters around the targets with |grad Phi| = 1 forever
#   b  the step-size phase diagram: the Dirac bifurcation diagram of gradient descent on
#      J = 1 - e^{-x^2/2} (contraction, then the symmetric 2-cycle +-sqrt(2 ln(gamma/2)), then an
#      asymmetric one past 2 sqrt(e)), and a sweep over (h, sigma) for four particles on four
#      data points with the smoothness limit 2/L
#   c  the pitchfork: one particle between two data points at +-a, mode averaging below a = 1
#      and selection above, with the sweep's critical slowing at a = 1
#   d  one particle onto one data point under W1 (chatter), Huber-smoothed W1 and the smoothed
#      smoothed critic (both settle once the step is below their 2/L)
#   all everything (about 20 s)
# Usage: examples/particles/reproduce.sh [a|b|c|d|all] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
fig=$here/../../plots/particles_figures.py
what=${1:-all}
out=${2:-output/particles}
mkdir -p "$out"
pm=(--set model.name=particles)

a() {
    local grid="" i j
    for i in -1.5 -0.5 0.5 1.5; do for j in -1.5 -0.5 0.5 1.5; do grid+="$i,$j;"; done; done
    local cloud=("${pm[@]}" --set model.n_random=16 --set model.spread=2 --set model.particles=0,0 --set "model.data=${grid%;}"
        --set integrator.steps=5000 --set run.save_every=1)
    "$gandyn" run /dev/null "${cloud[@]}" --set model.sigma=1 --set integrator.h=4 -o "$out/a_mmd.h5" > /dev/null
    "$gandyn" run /dev/null "${cloud[@]}" --set model.critic=w1 --set integrator.h=0.05 -o "$out/a_w1.h5" > /dev/null
    "$py" "$fig" a "$out/a_converge_chatter.png" "$out"
}

b() {
    local g
    mkdir -p "$out/b_runs"
    for g in $(seq 0.5 0.025 4); do # the last iterates of a long run per step size
        "$gandyn" run /dev/null "${pm[@]}" --set model.particles=0.5 --set model.data=0 --set integrator.h="$g" \
            --set integrator.steps=20000 --set run.save_every=20000 -o "$out/b_runs/$g.h5" > /dev/null
    done
    "$gandyn" sweep /dev/null "${pm[@]}" --set model.particles="0.2,0.1;1.7,-0.2;0.1,2.2;2.1,1.8" --set model.data="0,0;2,0;0,2;2,2" \
        --set integrator.steps=3000 --set sweep.x=integrator.h:0.1:14:70 --set sweep.y=model.sigma:0.6:2:36 -o "$out/b_sweep.h5" > /dev/null 2>&1
    "$py" "$fig" b "$out/b_step_size.png" "$out"
}

c() {
    local a s
    mkdir -p "$out/c_runs"
    for a in $(seq 0.1 0.05 2.5); do
        for s in 0.1 -0.1; do
            "$gandyn" run /dev/null "${pm[@]}" --set model.particles=$s --set "model.data=1;-1" --set model.data_scale="$a" \
                --set integrator.h=0.5 --set integrator.steps=20000 --set run.save_every=20000 -o "$out/c_runs/${a}_$s.h5" > /dev/null
        done
    done
    "$gandyn" sweep /dev/null "${pm[@]}" --set model.particles=0.1 --set "model.data=1;-1" --set integrator.h=0.5 --set integrator.steps=20000 --set sweep.adaptive_steps=1 \
        --set sweep.x=model.data_scale:0.1:2.5:97 -o "$out/c_sweep.h5" > /dev/null 2>&1
    "$py" "$fig" c "$out/c_pitchfork.png" "$out"
}

d() {
    local one=("${pm[@]}" --set model.particles=1 --set model.data=0 --set run.save_every=1)
    "$gandyn" run /dev/null "${one[@]}" --set model.critic=w1 --set integrator.h=0.3 --set integrator.steps=60 -o "$out/d_w1.h5" > /dev/null
    "$gandyn" run /dev/null "${one[@]}" --set model.critic=huber --set model.lambda=0.5 --set integrator.h=0.3 --set integrator.steps=60 \
        -o "$out/d_huber.h5" > /dev/null
    "$gandyn" run /dev/null "${one[@]}" --set model.critic=smoothed --set model.lambda=0.1 --set model.lip=1 --set model.matern_s=2 \
        --set model.matern_kappa=2 --set model.box=16 --set model.mesh_n=256 --set integrator.h=0.02 --set integrator.steps=300 -o "$out/d_smoothed.h5" > /dev/null
    "$py" "$fig" d "$out/d_critics.png" "$out"
}

case $what in
    all) a; b; c; d ;;
    a | b | c | d) $what ;;
    *) echo "unknown experiment '$what' (a | b | c | d | all)" >&2; exit 2 ;;
esac
