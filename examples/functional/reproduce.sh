#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The functional model's small-scale experiments (docs/models/functional.md, "Example figures"
# (a)-(e)), one command each:
#   a  spectra of -Delta_p: uniform, von Mises, Gaussian (ground-state form), bimodal torus and
#      a two-Gaussian mixture, in 1-D and 2-D, against the closed forms and 2-D separability
#   b  augmentation: lambda_1 of the augmented density against the noise width, on the bimodal
#      torus (rises towards the uniform value 1; 54x at t = 0.5) and on a mixture on the line
#      (an interior optimum: the width that maximises lambda_1)
#   c  spiral-rate maps Re s^+(lambda, gamma) for WGAN + GP and the logit GAN
#   d  step-size phase diagrams (h, gamma) of simgd, altgd, extragradient, optimistic, rk4,
#      observed outcome against the discretised operator's rho = 1; one stability region
#   e  nonlinear (rho, D) against linear theory (V9): the phi_1 amplitude and the mass
#   all everything (about a minute on 2 cores)
# Usage: examples/functional/reproduce.sh [a|b|c|d|e|all] [OUTDIR]   (GANDYN=path/to/gandyn)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
py=${GANDYN_PYTHON:-/usr/bin/python3}
fig=$here/../../plots/functional_figures.py
what=${1:-all}
out=${2:-output/functional}
mkdir -p "$out"
fn=(--set model.name=functional)

# spec NAME ARGS...: gandyn spectrum into $out/NAME.h5, quietly
spec() {
    local name=$1
    shift
    "$gandyn" spectrum /dev/null "${fn[@]}" "$@" -o "$out/$name.h5" > /dev/null
}

a() {
    spec a1_uniform --set model.N=63
    spec a1_vonmises --set model.density=vonmises --set model.kappa=1 --set model.N=63
    spec a1_gauss --set model.density=gauss --set model.sigma=1 --set model.L=24 --set model.N=255 --ground-state
    spec a1_bimodal --set model.density=bimodal --set model.kappa=4 --set model.N=127
    spec a1_mixture --set model.density=mixture --set model.sep=4 --set model.sigma=0.5 --set model.L=24 --set model.N=383 --ground-state
    spec a2_uniform --set model.dim=2 --set model.N=31
    spec a2_vonmises --set model.dim=2 --set model.density=vonmises --set model.kappa=1 --set model.N=31
    spec a2_gauss --set model.dim=2 --set model.density=gauss --set model.sigma=1 --set model.L=12 --set model.N=45 --ground-state
    spec a2_bimodal --set model.dim=2 --set model.density=bimodal --set model.kappa=4 --set model.N=31
    # the 1-D factors on the 2-D grids, for the separability check
    spec a2x_uniform --set model.N=31
    spec a2x_vonmises --set model.density=vonmises --set model.kappa=1 --set model.N=31
    spec a2x_gauss --set model.density=gauss --set model.sigma=1 --set model.L=12 --set model.N=45 --ground-state
    spec a2x_bimodal --set model.density=bimodal --set model.kappa=4 --set model.N=31
    "$py" "$fig" a "$out/a_spectra.png" "$out"
}

b() {
    local t line=(--set model.density=mixture --set model.sep=4 --set model.sigma=0.5 --set model.L=24 --set model.N=255 --set model.augment=simple)
    spec b_torus --set model.density=bimodal --set model.kappa=4 --set model.N=127 --set model.augment=simple --scan model.aug_t:0:1.5:31
    spec b_line "${line[@]}" --ground-state --scan model.aug_t:0:3:31
    for t in 0 0.5 1 1.3 3; do # the augmented densities themselves
        spec "b_line_p_$t" "${line[@]}" --set model.aug_t=$t --ground-state
    done
    "$py" "$fig" b "$out/b_augmentation.png" "$out"
}

c() {
    local loss g
    for loss in wgan gan_sat; do
        for g in $(seq 0 0.05 2); do
            spec "c_${loss}_$g" --set model.loss=$loss --set model.gamma="$g" --set model.N=127
        done
    done
    "$py" "$fig" c "$out/c_rates.png" "$out"
}

d() {
    local integ x0
    # a start on every grid mode, so that the first unstable mode shows in the outcome
    x0=$("$py" -c "import math; print(','.join('%.6g' % (1e-3 * math.cos(1.7 * i * i + 0.3)) for i in range(30)))")
    local game=("${fn[@]}" --set model.loss=gan_sat --set model.N=15 --set run.x0="$x0" --set integrator.steps=2000)
    for integ in simgd altgd extragradient optimistic rk4; do
        "$gandyn" sweep /dev/null "${game[@]}" --set integrator.name=$integ --set sweep.x=integrator.h:0.01:0.9:60 \
            --set sweep.y=model.gamma:0:1:40 -o "$out/d_$integ.h5" > /dev/null 2>&1
    done
    "$gandyn" eig /dev/null "${game[@]}" --set model.gamma=0.2 --set integrator.name=simgd --set integrator.h=0.25 -o "$out/d_eig_simgd.h5" > /dev/null
    "$gandyn" plot "$out/d_eig_simgd.h5" -o "$out/d_stability_simgd.png" > /dev/null
    "$py" "$fig" d "$out/d_phase.png" "$out"
}

e() {
    local form
    spec e_spectrum --set model.density=vonmises --set model.kappa=1 --set model.N=63 --set model.gamma=0.5
    "$py" "$fig" e-start "$out/e_spectrum.h5" "$out" # writes the V9 starts e_x0_{linear,nonlinear}.txt
    for form in linear nonlinear; do
        "$gandyn" run /dev/null "${fn[@]}" --set model.form=$form --set model.density=vonmises --set model.kappa=1 --set model.N=63 \
            --set model.gamma=0.5 --set integrator.name=cvode --set integrator.rtol=1e-10 --set integrator.atol=1e-14 \
            --set integrator.t_end=20 --set integrator.steps=400 --set run.x0="$(cat "$out/e_x0_$form.txt")" -o "$out/e_$form.h5" > /dev/null
    done
    "$py" "$fig" e "$out/e_nonlinear.png" "$out"
}

case $what in
    all) a; b; c; d; e ;;
    a | b | c | d | e) $what ;;
    *) echo "unknown experiment '$what' (a | b | c | d | e | all)" >&2; exit 2 ;;
esac
