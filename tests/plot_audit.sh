#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `gandyn plot` on one file of every kind every command writes, for every model: run, eig
# (with and without --scan, per-player rates, a model without a vector field), rate (map and
# flow), portrait, 1-D and 2-D sweeps (with solver failures, and a basin), spectrum (plain, --scan,
# --ground-state), estimate, continue, attractor and critical --classes. Each must draw, and plot_audit.py checks every figure's title,
# every panel's labels and legend, and that no drawn series is all NaN; portrait_index.py
# checks every portrait's equilibrium census (Poincare-Hopf).
# Usage: plot_audit.sh GANDYN PYTHON WORKDIR
set -u
gandyn=$(realpath "$1") py=$2 work=$3 here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fails=0
produce() { # NAME MODEL INTEGRATOR COMMAND ARGS...: write NAME.h5 and list NAME.png in the manifest
    local name=$1 model=$2 integ=$3
    shift 3
    if "$gandyn" "$@" -o "$name.h5" > /dev/null 2> "$name.err"; then
        echo "$name.png $model $integ ${legend_words:-}" >> manifest
    else
        echo "FAIL: gandyn $* -o $name.h5: $(tail -1 "$name.err")"
        fails=$((fails + 1))
    fi
}
for m in dirac linear kernel_gda torus functional particles; do
    for c in run eig rate portrait; do produce "${m}_$c" $m simgd $c /dev/null --set model.name=$m; done
    produce "${m}_sweep" $m simgd sweep /dev/null --set model.name=$m --set sweep.x=integrator.h:0.05:1:4
done
produce torus_portrait_whole torus simgd portrait /dev/null --set model.name=torus --set portrait.box=-3.14159265:3.14159265:-3.14159265:3.14159265
produce dirac_eigscan dirac simgd eig /dev/null --scan model.gamma:0.1:2:6
produce dirac_rate_flow dirac cvode rate /dev/null --set integrator.name=cvode
# per-player rates: the stability region's marks must not pass for h*lambda (the words its
# legend must hold, '~' for a space)
legend_words="lr_g~=~0.2~≠~lr_d~=~0.1 not~predictive" produce dirac_eig_rates dirac simgd eig /dev/null --set integrator.lr_d=0.1
legend_words="lr·λ~(lr_g~=~lr_d~=~0.1)" produce dirac_eig_equal_rates dirac simgd eig /dev/null --set integrator.lr_g=0.1 --set integrator.lr_d=0.1
# a model without a vector field: the map's eigenvalues on the unit circle, no NaN locus
exact=(--set model.name=kernel_gda --set model.representation=exact --set model.history=300 --set integrator.name=altgd --set integrator.order=disc_first)
legend_words="|μ|~=~1 configured~map" produce kernel_gda_eig_exact kernel_gda altgd eig /dev/null "${exact[@]}" --scan integrator.lr_g:0.5:2:3
produce dirac_run_many dirac altgd run /dev/null --set integrator.name=altgd --set 'run.x0=1,1;1,0.5;0.5,1;-1,1;1,-1;0.2,0.2;2,0;0,2;-2,0;0,-2;1.5,1.5;-1.5,1.5;0.1,0'
produce dirac_sweep2 dirac simgd sweep /dev/null --set model.reg=gp --set sweep.x=integrator.h:0.05:1:8 --set sweep.y=model.gamma:0.1:2:6
cvfail=(--set integrator.name=cvode --set integrator.rtol=1e-10 --set integrator.t_end=10 --set integrator.steps=10)
produce dirac_sweep_failed dirac cvode sweep /dev/null "${cvfail[@]}" --set sweep.x=integrator.max_steps:2:100:8
produce dirac_sweep2_failed dirac cvode sweep /dev/null "${cvfail[@]}" --set model.reg=gp --set sweep.x=integrator.max_steps:2:100:8 --set sweep.y=model.gamma:0.1:1:4
# a basin sweep (sweep.attractor, run.x0 axes): labels with the attractors' points, the legend naming class and period
legend_words="periodic~2 stall attractor~points" produce dirac_basin dirac altgd sweep /dev/null --set model.reg=none --set integrator.name=altgd \
    --set integrator.n_d=5 --set integrator.h=1.85 --set integrator.steps=200000 --set sweep.attractor=1 --set sweep.x=run.x0.0:-1:1:9 --set sweep.y=run.x0.1:-1:1:9
produce functional_spectrum functional simgd spectrum /dev/null --set model.name=functional
produce functional_spectrum_scan functional simgd spectrum /dev/null --set model.name=functional --scan model.kappa:0.5:4:5
produce functional_ground_state functional simgd spectrum /dev/null --set model.name=functional --ground-state
"$py" -c "import h5py, numpy as np; h5py.File('points.h5', 'w')['points'] = np.random.default_rng(1).normal(size=(300, 2))"
produce estimate - - estimate points.h5
# continuation: a map's NS point (simgd), a 1:2 resonance with its symmetric period-2 branch (altgd), a flow's Hopf point
produce dirac_continue dirac simgd continue /dev/null --set model.reg=gp --set integrator.h=0.5 --param integrator.h --lo 0.5 --hi 1.5
produce dirac_continue_r2 dirac altgd continue /dev/null --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1 --param integrator.h --lo 0.5 --hi 1.85
produce dirac_continue_flow dirac cvode continue /dev/null --set model.loss=nsgan --set model.reg=gp --set model.allow_negative=1 --set model.gamma=-0.2 --set integrator.name=cvode --param model.gamma --lo -0.2 --hi 0.5
# a branch of cycles from a Hopf point (Floquet exponents log(mu)/T beside the equilibria's eigenvalues)
legend_words="branch~1:~cycle,~stable branch~1:~cycle,~unstable" produce bautin_continue_cycles normal_form cvode continue /dev/null \
    --set model.name=normal_form --set model.form=bautin --set integrator.name=cvode --param model.mu --lo -0.5 --hi 0.5 --cycles
# a cycle branch from an orbit (--from orbit) with its PD and the period-2T branch switched onto there
legend_words="branch~0:~cycle,~unstable branch~1:~cycle,~stable PD" produce cycle_flip_continue normal_form cvode continue /dev/null \
    --set model.name=normal_form --set model.form=cycle_flip --set model.mu=-0.1 --set integrator.name=cvode --param model.mu --lo -0.2 --hi 0.2 --from orbit
# the neutral segment shaded and the 1:2 resonance labelled; attractors: a cycle with its multipliers, a chaotic set's exponents, a divergence
legend_words="neutral~segment~(|μ|~=~1) |μ|~=~1" produce dirac_continue_neutral dirac altgd continue /dev/null --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1 --param integrator.h --lo 0.05 --hi 2.2
gp3=(--set model.reg=gp --set model.gamma=0.3 --set run.x0=1e-3,1e-3)
legend_words="multipliers~of~Φ^8 period~8" produce dirac_attractor_cycle dirac simgd attractor /dev/null "${gp3[@]}" --set integrator.h=2.25
legend_words="λ~(chaotic)" produce dirac_attractor_chaos dirac simgd attractor /dev/null "${gp3[@]}" --set integrator.h=3.0
legend_words="diverge~after" produce dirac_attractor_diverge dirac simgd attractor /dev/null "${gp3[@]}" --set integrator.h=3.4
# critical --classes: the orbit diagram and lambda_1 of the logistic map through its first flips and the period-3 window
legend_words="local~boundary~(PD) local~boundary~(LP) chaotic λ₁~=~0" produce logistic_critical normal_form simgd critical /dev/null \
    --set model.name=normal_form --set model.form=logistic --set integrator.h=1 --set run.x0=0.1234 --param model.r --lo 2.8 --hi 3.86 --n 54
for f in *.h5; do
    [ "$f" = points.h5 ] && continue
    GANDYN_PLOT_AUDIT=$PWD/audit.jsonl "$gandyn" plot "$f" > /dev/null 2> plot.err || { echo "FAIL: gandyn plot $f: $(tail -1 plot.err)"; fails=$((fails + 1)); }
done
"$py" "$here/plot_audit.py" audit.jsonl manifest || fails=$((fails + 1))
# every portrait's equilibria: indices as sign det J, adding up to the box's winding (0 on a whole torus)
"$py" "$here/portrait_index.py" ./*_portrait*.h5 > /dev/null || fails=$((fails + 1))
exit $((fails > 0))
