#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The optimizer figures of docs/optimizers.md on the Dirac-GAN, one command each:
#   momentum   (h, beta) phase diagrams of heavy-ball momentum on the Dirac WGAN (bilinear),
#              simultaneous against alternating: negative momentum converges only alternating,
#              for beta in (h/2 - 1, 0)
#   adam       SGD (simgd), RMSProp and Adam from (1, 1) on the Dirac GAN with gradient
#              penalty gamma = 0.3: SGD converges, the adaptive rules stall in a ball whose
#              size follows the step (their frozen-v linearisation holds only near v = 0)
#   lookahead  (alpha, k) phase diagram of Lookahead around simgd on the Dirac WGAN (bilinear,
#              h = 0.1): the converging set in k is a union of intervals ([3, 52], [76, 110], ...
#              at alpha = 0.5), and alpha_c = 0.7959680 at k = 5
#   noise      simgd with gradient noise (sigma = 1, h = 0.1) on the block J = [[0, -1], [1, -1]]:
#              the stationary cloud of one long run against the covariance eig predicts
#   all        everything (a few seconds)
# Usage: examples/optimizers/reproduce.sh [FIGURE] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
fig=$here/../../plots/optimizers_figures.py
what=${1:-all}
out=${2:-output/optimizers}
mkdir -p "$out"
gp=$here/../dirac/notebook/gan_gradpen.ini

momentum() {
    local u
    for u in sim alt; do
        "$gandyn" sweep /dev/null --set model.loss=wgan --set integrator.name=momentum --set integrator.update=$u \
            --set sweep.x=integrator.h:0.05:2:80 --set sweep.y=integrator.beta:-0.95:0.95:77 \
            --set integrator.steps=3000 --set run.x0=0.1,0.1 -o "$out/momentum_$u.h5"
    done
    "$py" "$fig" momentum "$out/momentum.png" "$out/momentum_sim.h5" "$out/momentum_alt.h5"
}

adam() {
    local r
    for r in simgd rmsprop adam; do
        "$gandyn" run "$gp" --set integrator.name=$r --set integrator.h=0.05 --set integrator.steps=4000 \
            --set run.x0=1,1 -o "$out/adam_$r.h5"
    done
    "$py" "$fig" adam "$out/adam.png" "$out/adam_simgd.h5" "$out/adam_rmsprop.h5" "$out/adam_adam.h5"
}

lookahead() {
    "$gandyn" sweep /dev/null --set model.loss=wgan --set integrator.h=0.1 --set lookahead.k=5 \
        --set sweep.x=lookahead.alpha:0.02:1:50 --set sweep.y=lookahead.k:1:60:60 \
        --set integrator.steps=6000 --set run.x0=0.1,0.1 -o "$out/lookahead.h5"
    "$py" "$fig" lookahead "$out/lookahead.png" "$out/lookahead.h5"
}

noise() {
    local block=(--set model.name=linear --set model.a=0 --set model.s=1 --set model.b=1 --set integrator.h=0.1 --set noise.sigma=1)
    "$gandyn" eig /dev/null "${block[@]}" -o "$out/noise_eig.h5"
    "$gandyn" run /dev/null "${block[@]}" --set integrator.steps=40000 --set run.x0=0,0 -o "$out/noise_run.h5"
    "$py" "$fig" noise "$out/noise.png" "$out/noise_eig.h5" "$out/noise_run.h5"
}

case $what in
    momentum | adam | lookahead | noise) $what ;;
    all) momentum; adam; lookahead; noise ;;
    *) echo "reproduce.sh: unknown figure '$what' (momentum, adam, lookahead, noise, all)" >&2; exit 2 ;;
esac
