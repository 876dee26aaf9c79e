#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The optimizer figures of docs/optimizers.md on the Dirac-GAN, one command each:
#   momentum   (h, beta) phase diagrams of heavy-ball momentum on the Dirac WGAN (bilinear),
#              simultaneous against alternating: negative momentum converges only alternating,
#              for beta in (h/2 - 1, 0)
#   adam       SGD (simgd), RMSProp and Adam from (1, 1) on the Dirac GAN with gradient
#              penalty gamma = 0.3: SGD converges, the adaptive rules stall in a ball whose
#              size follows the step (their frozen-v linearisation holds only near v = 0)
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

case $what in
    momentum | adam) $what ;;
    all) momentum; adam ;;
    *) echo "reproduce.sh: unknown figure '$what' (momentum, adam, all)" >&2; exit 2 ;;
esac
