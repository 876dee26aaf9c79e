#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Memcheck over a representative command set (issue 9): every model, every analysis, the
# error paths; any invalid access or definite/indirect leak fails. Skipped (exit 0 with a
# note) where valgrind is not installed. Usage: valgrind.sh GANDYN PYTHON WORKDIR
set -u
gandyn=$1 py=$2 work=$3
command -v valgrind > /dev/null || { echo "valgrind: not installed, skipped"; exit 0; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
pass=0 fail=0
# vg STATUS ARGS...: gandyn under memcheck exits with STATUS (3: memcheck found something)
vg() {
    local want=$1
    shift
    OMP_NUM_THREADS=1 valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$gandyn" "$@" > out.txt 2> err.txt
    local st=$?
    if [ "$st" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL (status $st, want $want): gandyn $*" >&2; head -30 err.txt >&2; fi
}
"$py" -c 'import h5py, numpy as np; h5py.File("pts.h5", "w")["/points"] = np.random.default_rng(1).standard_normal(200)' || exit 2
fn=(--set model.name=functional --set model.N=15)
vg 0 list --json
vg 0 run /dev/null -o run.h5
vg 0 eig /dev/null --set model.reg=gp --scan model.gamma:0:1:5 -o eig.h5
vg 0 rate /dev/null --set model.reg=gp -o rate.h5
vg 0 portrait /dev/null --set model.reg=gp --set portrait.grid=8 --set portrait.starts=2 --set portrait.seeds=3 -o portrait.h5
vg 0 sweep /dev/null --set model.reg=gp --set sweep.x=integrator.h:0.1:1:6 --set sweep.y=model.gamma:0.1:1:4 --set integrator.steps=100 -o sweep.h5
vg 0 critical /dev/null --set model.reg=gp --set run.x0=1e-3,1e-3 --set integrator.steps=2000 --param integrator.h --lo 0.5 --hi 5
vg 0 run /dev/null --set model.name=dirac --set model.reg=clip --set integrator.name=cvode --set integrator.t_end=5 -o clip.h5
vg 0 run /dev/null --set model.name=kernel_gda --set integrator.steps=50 -o kgda.h5
vg 0 run /dev/null --set model.name=torus --set model.N=4 --set model.M=32 --set integrator.name=cvode --set integrator.t_end=2 -o torus.h5
vg 0 spectrum /dev/null "${fn[@]}" --set model.gamma=0.5 --scan model.gamma:0:1:3 -o spec.h5
vg 0 run /dev/null "${fn[@]}" --set model.form=nonlinear --set model.dim=2 --set model.N=7 --set integrator.name=cvode --set integrator.method=bdf \
    --set integrator.linsol=spgmr --set integrator.t_end=1 -o fnl.h5
vg 0 run /dev/null "${fn[@]}" --set model.density=kde --set model.density_file=pts.h5 --set model.augment=exact --set integrator.steps=20 -o kde.h5
vg 0 estimate pts.h5 --json
vg 0 smoothness /dev/null --set model.name=particles --set "model.particles=0.2,0.1;1.7,-0.2" --set "model.data=0,0;2,0" --set integrator.steps=200
vg 0 run /dev/null --set model.name=particles --set model.n_random=20 --set model.field=mesh --set model.mesh_n=32 --set integrator.steps=20 -o mesh.h5
vg 0 run /dev/null --set model.name=particles --set model.critic=w1 --set "model.particles=0,0;1,1" --set "model.data=2,0;0,2" -o w1.h5
vg 0 run /dev/null --set model.name=particles --set model.critic=smoothed --set model.particles=1 --set model.data=0 --set model.mesh_n=64 \
    --set integrator.steps=5 --set integrator.h=0.01 -o smooth.h5
# a plugin (the example game, compiled here; its gd_* symbols resolve in the loading process)
src=$(cd "$(dirname "$0")/.." && pwd)
cc -O1 -shared -fPIC -I"$src/include" "$src/examples/plugin/bilinear.c" -o bilinear.so || exit 2
cc -O1 -shared -fPIC -I"$src/include" -Dgandyn_plugin_init=not_an_entry_point "$src/examples/plugin/bilinear.c" -o no_entry.so || exit 2
vg 0 eig /dev/null --plugin ./bilinear.so --set model.name=bilinear --set integrator.name=cvode -o plugin_eig.h5
vg 0 sweep /dev/null --plugin ./bilinear.so --set model.name=bilinear --set sweep.x=integrator.h:0.01:0.5:20 --set sweep.y=model.eps:0.1:1:3 -o plugin_sweep.h5
# error paths free what they allocated too
vg 2 list --plugin ./no_entry.so
vg 2 run /dev/null --set model.gama=1
vg 2 run /dev/null --set model.name=functional --set model.N=64
vg 2 estimate nothere.h5
vg 2 spectrum /dev/null
vg 1 run /dev/null -o no/such/dir/x.h5
echo "valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
