#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One block per row of docs/robustness.md: every class of bad input, and what gandyn does
# with it. Each row must run at least one check, and the rows here and in the table must be
# the same list. Usage: robustness.sh GANDYN PYTHON WORKDIR TABLE.md PLUGINS (the test plugins'
# directory, tests/plugins/test_plugin.c)
set -u
gandyn=$1 py=$2 work=$3 table=$4 plugins=$5
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
. "$here/expect.sh"

rows=() checks_before=0
row() { # row ID: the following checks belong to table row ID
    [ ${#rows[@]} -gt 0 ] && [ $((pass + fail)) = "$checks_before" ] && bad "row ${rows[-1]} ran no check"
    rows+=("$1")
    checks_before=$((pass + fail))
}

printf '[model]\nname = dirac\n' > good.ini
"$gandyn" run good.ini -o good.h5 > /dev/null || bad "reference run"
# HDF5 inputs of every bad shape, type and content, written with h5py
"$py" - <<'PY' || bad "making the HDF5 inputs"
import h5py, numpy as np
def make(name, **sets):
    with h5py.File(name, "w") as f:
        for k, v in sets.items():
            f.create_dataset(k, data=v)
make("pts3.h5", points=np.ones((4, 3)))
make("text.h5", points=np.array([b"a", b"b"]))
make("compound.h5", points=np.zeros(3, dtype=[("a", "f8"), ("b", "f8")]))
make("nan.h5", points=np.array([[0.0, 1.0], [np.nan, 2.0]]))
make("masses.h5", points=np.array([[0.0], [1.0]]), masses=np.array([0.5, 0.3, 0.2]))
make("masses2.h5", points=np.array([[0.0], [1.0]]), masses=np.array([0.5, 0.5]))
make("nonsquare.h5", **{"grid/F": np.ones((8, 16))})
make("good_pts.h5", points=np.random.default_rng(1).normal(size=(400, 2)))
with h5py.File("wide.h5", "w") as f: # 32-byte integers, no data written: wider than any number read
    wide = h5py.h5t.STD_I64LE.copy()
    wide.set_size(32)
    h5py.h5d.create(f.id, b"points", wide, h5py.h5s.create_simple((3,)))
with h5py.File("huge.h5", "w") as f: # declared 2^40 x 2^40, no data written
    f.create_dataset("points", shape=(2**40, 2**40), dtype="f8", chunks=(1, 1))
PY
head -c 1500 good_pts.h5 > truncated.h5
echo "not hdf5" > notes.h5
mkdir -p adir.ini adir.h5

row malformed-ini
printf '[model]\nthis line is not ini\n' > garbage.ini
printf '[model\nname = dirac\n' > header.ini
printf 'name = dirac\n' > nosection.ini
printf '[model]\n= 3\n' > nokey.ini
printf '[model]\nname = dirac\0x\n' > nul.ini
expect 2 "garbage.ini:2: not an INI line" -- run garbage.ini
expect 2 "header.ini:1: a section header is written \[name\]" -- run header.ini
expect 2 "nosection.ini:1: key 'name' is outside any \[section\]" -- run nosection.ini
expect 2 "nokey.ini:2: a key is missing before '='" -- run nokey.ini
expect 2 "nul.ini:2: a NUL byte in the line" -- run nul.ini

row unknown-section
printf '[modle]\nname = dirac\n' > badsection.ini
expect 2 "badsection.ini:2: unknown section \[modle\]" -- run badsection.ini
expect 2 "unknown section \[bogus\]" -- run good.ini --set bogus.key=1
expect 2 "must be written section.key" -- run good.ini --set gamma=1

row unknown-key
printf '[model]\ngama = 0.3\n' > badkey.ini
expect 2 "unknown key model.gama" -- run badkey.ini
expect 2 "unknown key model.gama" -- sweep good.ini --set sweep.x=model.gama:0:1:3
expect 2 "unknown key integrator.diverge_radius (it is sweep.diverge_radius)" -- run good.ini --set integrator.diverge_radius=5

row unknown-model
expect 2 "unknown model 'nope' (models: dirac | linear" -- run good.ini --set model.name=nope

row unknown-integrator
expect 2 "unknown integrator 'euler' (integrators: simgd" -- run good.ini --set integrator.name=euler

row wrong-type
expect 2 "model.sigma = 'seven' is not a finite number" -- run good.ini --set model.sigma=seven
expect 2 "integrator.steps = '1.5' is not an integer" -- run good.ini --set integrator.steps=1.5
expect 2 "model.loss = 'foo' is not one of: gan | nsgan | wgan" -- run good.ini --set model.loss=foo
expect 2 "run.x0 = '1,x'" -- run good.ini --set run.x0=1,x
expect 2 "integrator.h: empty value" -- run good.ini --set integrator.h=
expect 2 "axis 'integrator.h:0.1:abc:5': expected KEY:LO:HI:N\[:lin|log\]" -- sweep good.ini --set sweep.x=integrator.h:0.1:abc:5
expect 2 "portrait.plane = 'x': expected two coordinate indices I,J" -- portrait good.ini --set portrait.plane=x

row non-finite
expect 2 "model.gamma = 'nan' is not a finite number" -- run good.ini --set model.gamma=nan
expect 2 "integrator.h = 'inf' is not a finite number" -- run good.ini --set integrator.h=inf
expect 2 "integrator.steps = '1e400' is not a finite number" -- run good.ini --set integrator.steps=1e400

row negative-or-zero
expect 2 "integrator.h = 0 is out of range" -- run good.ini --set integrator.h=0
expect 2 "integrator.h = -0.2 is out of range" -- run good.ini --set integrator.h=-0.2
expect 2 "integrator.steps = 0 is out of range" -- run good.ini --set integrator.steps=0
expect 2 "model.N = 2 is out of range" -- run /dev/null --set model.name=functional --set model.N=2
expect 2 "axis 'integrator.h:0:1:5:log': a log axis needs LO, HI > 0" -- sweep good.ini --set sweep.x=integrator.h:0:1:5:log

row momentum-beta
expect 2 "integrator.beta = 1 is out of range (must be > -1 and < 1)" -- run good.ini --set integrator.name=momentum --set integrator.beta=1
expect 2 "integrator.beta_g = -1 is out of range (must be > -1 and < 1)" -- run good.ini --set integrator.name=nesterov --set integrator.beta_g=-1
expect 2 "integrator.beta_d = 1.5 is out of range" -- sweep good.ini --set integrator.beta_d=1.5
expect 2 "integrator.beta = -2 is out of range" -- critical good.ini --set integrator.name=momentum --param integrator.beta --lo -2 --hi 0
expect 2 "integrator.update = 'both' is not one of: sim | alt" -- run good.ini --set integrator.name=momentum --set integrator.update=both

row out-of-interval
expect 2 "integrator.beta1 = 1 is out of range (must be > -1 and < 1)" -- run good.ini --set integrator.name=adam --set integrator.beta1=1
expect 2 "integrator.beta1 = -1 is out of range (must be > -1 and < 1)" -- run good.ini --set integrator.beta1=-1
expect 2 "integrator.beta2 = 1 is out of range (must be >= 0 and < 1)" -- run good.ini --set integrator.name=rmsprop --set integrator.beta2=1
expect 2 "integrator.beta2 = -0.5 is out of range (must be >= 0 and < 1)" -- sweep good.ini --set integrator.name=adam --set sweep.x=integrator.beta2:-0.5:0.9:3
expect 2 "integrator.eps = -1e-08 is out of range (must be >= 0)" -- run good.ini --set integrator.name=adam --set integrator.eps=-1e-08

row lookahead-modifier
expect 2 "lookahead.alpha = 0 is out of range (must be > 0 and <= 1)" -- run good.ini --set lookahead.k=5 --set lookahead.alpha=0
expect 2 "lookahead.alpha = 1.5 is out of range (must be > 0 and <= 1)" -- critical good.ini --set lookahead.k=5 --param lookahead.alpha --lo 0.5 --hi 1.5
expect 2 "lookahead.k = -1 is out of range (must be >= 0" -- run good.ini --set lookahead.k=-1
expect 2 "critical: lookahead.k is a whole number; give whole --lo and --hi" -- critical good.ini --param lookahead.k --lo 2.5 --hi 9
expect 2 "lookahead needs a fixed-step rule; cvode is not one" -- run good.ini --set integrator.name=cvode --set lookahead.k=2
expect 2 "modifier.gamma = -0.1 is out of range (must be >= 0)" -- run good.ini --set modifier.name=consensus --set modifier.gamma=-0.1
expect 2 "modifier.name = 'co' is not one of: none | consensus | sga" -- eig good.ini --set modifier.name=co
expect 2 "unknown key lookahead.beta" -- run good.ini --set lookahead.beta=0.5
expect 2 "modifier.name = sga with integrator 'cgd': cgd solves with the game's own Jacobian blocks" -- run good.ini --set integrator.name=cgd --set modifier.name=sga
row noise
expect 2 "noise.sigma = -0.1 is out of range (must be >= 0)" -- run good.ini --set noise.sigma=-0.1
expect 2 "noise.seed = '-1' is not an integer in \[0, 2^64)" -- run good.ini --set noise.seed=-1
expect 2 "noise.seed = '18446744073709551616' is not an integer" -- sweep good.ini --set noise.seed=18446744073709551616 --set sweep.x=integrator.h:0.1:0.2:2
expect 2 "noise.sigma > 0 with integrator 'cvode': gradient noise needs a fixed-step rule" -- run good.ini --set integrator.name=cvode --set noise.sigma=0.1
expect 2 "noise.sigma > 0 with integrator 'implicit_midpoint': only the explicit lane rules" -- eig good.ini --set integrator.name=implicit_midpoint --set noise.sigma=1
expect 2 "model 'kernel_gda' steps with its own map under 'simgd', which takes no gradient noise" -- run /dev/null --set model.name=kernel_gda --set noise.sigma=0.1
expect 2 "critical: noise.sigma has no transition" -- critical good.ini --param noise.sigma --lo 0 --hi 1
row cgd-solver
expect 2 "integrator.cgd_solver = 'gmres' is not one of: auto | dense | cg" -- run good.ini --set integrator.name=cgd --set integrator.cgd_solver=gmres
expect 2 "integrator.cg_tol = 0 is out of range (must be > 0 and <= 1)" -- run good.ini --set integrator.name=cgd --set integrator.cg_tol=0
expect 2 "integrator.cg_maxit = -1 is out of range (must be >= 0" -- run good.ini --set integrator.name=cgd --set integrator.cg_maxit=-1
expect 2 "cgd: cgd_solver = cg needs a zero-sum game .* use cgd_solver = dense" -- \
    run good.ini --set integrator.name=cgd --set integrator.cgd_solver=cg --set model.loss=nsgan

row resume-file
expect 2 "run.resume: cannot open HDF5 file 'nope.h5'" -- run good.ini --set run.resume=nope.h5
"$gandyn" run good.ini --set integrator.name=adam --set run.save_opt=none --set integrator.steps=5 -o noopt.h5 > /dev/null || bad "a run without its optimizer state"
expect 2 "run.resume: 'noopt.h5' has no /traj/0/opt/m: continue a run of integrator 'adam' written with run.save_opt = final or all" -- \
    run good.ini --set integrator.name=adam --set run.resume=noopt.h5
expect 2 "run.resume: /traj/0/x in 'noopt.h5' holds 2 values per row, this run needs 4" -- \
    run /dev/null --set model.name=particles --set model.particles='0.5,0.3;-0.4,0.2' --set model.data='0,0;1,1' --set run.resume=noopt.h5

row absurd-size
expect 2 "a sweep of 1000000 x 1000000 cells needs 2.61e+04 GiB; the memory budget is" -- \
    sweep good.ini --set sweep.x=integrator.h:0.01:1:1000000 --set sweep.y=model.gamma:0:1:1000000
expect 2 "model.M = 256 in 6 angles (the sampling grid and its spectrum) needs 6.31e+06 GiB" -- \
    run /dev/null --set model.name=torus --set model.objective=product --set model.n_gen=3 --set model.n_disc=3 --set model.M=256
expect 2 "eig: the Jacobian, the map's and their eigen-solve (more than one 65522 x 65522 dense matrix) needs 96 GiB" -- \
    eig /dev/null --set model.name=functional --set model.dim=2 --set model.N=181
expect 2 "the generated points (n_gen per true point): 1e+13 coordinates; at most 5e+08" -- \
    run /dev/null --set model.name=kernel_gda --set model.gen_layout=sphere --set model.n_gen=100000 --set model.d=1000 \
    --set model.true_layout=line --set model.n_true=100000
GANDYN_MEMORY_MB=0.001 expect 2 "good_pts.h5': /points (800 values) needs .* GiB; the memory budget is" -- estimate good_pts.h5

row contradictory
expect 2 "makes the generated points: drop model.gen_points" -- \
    run /dev/null --set model.name=kernel_gda --set model.gen_layout=sphere --set model.gen_points=0.5
expect 2 "need an even M >= 2N + 2 = 10" -- run /dev/null --set model.name=torus --set model.N=4 --set model.M=8
expect 2 "sweep.x and sweep.y both sweep model.gamma" -- sweep good.ini --set sweep.x=model.gamma:0:1:3 --set sweep.y=model.gamma:0:1:3
expect 2 "true masses given twice" -- \
    run /dev/null --set model.name=kernel_gda --set model.true_points=masses2.h5 --set model.true_masses=1,1 --set model.gen_points=0.5
expect 2 "model.b = 2 contradicts model.loss = gan_sat, whose (a, b, c) = (0.5, 0.5, 0.5)" -- \
    spectrum /dev/null --set model.name=functional --set model.loss=gan_sat --set model.b=2
expect 2 "adam: the frozen second moment v = 0 with eps = 0 gives an infinite step H/D(v); set integrator.v_frozen > 0 or eps > 0" -- \
    run good.ini --set integrator.name=adam --set integrator.eps=0 --set integrator.freeze_v=true
expect 2 "rmsprop: the frozen second moment v = 0 with eps = 0 gives an infinite step" -- eig good.ini --set integrator.name=rmsprop --set integrator.eps=0
expect 2 "portrait.plane = 0,7: need two different coordinates in 0..1" -- portrait good.ini --set portrait.plane=0,7
expect 2 "rate.r_lo = 2 must be below rate.r_hi = 1" -- rate good.ini --set rate.r_lo=2 --set rate.r_hi=1
expect 2 "lyapunov.reorth = 7 must be a whole number dividing the batch length 5000" -- lyapunov good.ini --set lyapunov.reorth=7

row orbit-request
expect 2 "orbit: periodic orbits of flows need integrator.name = cvode" -- orbit good.ini
expect 2 "orbit: run.x0 is an equilibrium" -- orbit good.ini --set integrator.name=cvode --set run.x0=0,0
expect 2 "--period-guess needs a number > 0" -- orbit good.ini --set integrator.name=cvode --period-guess 0
expect 2 "continuation.cycles = 1 needs a flow (integrator cvode), not simgd" -- continue good.ini --param model.gamma --lo 0 --hi 1 --cycles
expect 2 "continuation.start = orbit continues a periodic orbit of a flow (integrator cvode), not a fixed point of simgd" -- continue good.ini --param model.gamma --lo 0 --hi 1 --from orbit
expect 2 "continue --from orbit: orbit: run.x0 is an equilibrium" -- continue good.ini --set integrator.name=cvode --set run.x0=0,0 --param model.gamma --lo 0 --hi 1 --from orbit
expect 1 "continue: Newton from run.x0 found no point of the branch at 0.1 (to continue the cycle through run.x0: --from orbit)" -- \
    continue /dev/null --set model.name=normal_form --set model.form=cycle_flip --set integrator.name=cvode --param model.mu --lo 0 --hi 1
expect 1 "orbit: the period collapsed" -- orbit /dev/null --set model.name=normal_form --set model.form=hopf --set model.mu=-0.1 --set integrator.name=cvode --set run.x0=0.3,0
# a centre: the cycles form a family, and Newton slid down it onto the equilibrium (it once
# reported that point as a stable cycle of amplitude 2e-12)
expect 1 "orbit: Newton slid onto an equilibrium" -- orbit /dev/null --set model.name=linear --set integrator.name=cvode --set run.x0=0.3,0.1

row missing-file
expect 2 "cannot open config file 'missing.ini'" -- run missing.ini
expect 2 "cannot open HDF5 file 'nothere.h5'" -- run /dev/null --set model.name=particles --set model.particles=nothere.h5
expect 2 "cannot open HDF5 file 'nothere.h5'" -- estimate nothere.h5
expect 2 "plot: cannot open 'nothere.h5'" -- plot nothere.h5

row unreadable-file
expect 2 "adir.ini:1: read error: Is a directory" -- run adir.ini
expect 2 "cannot open HDF5 file 'notes.h5'" -- estimate notes.h5
expect 2 "cannot open HDF5 file 'adir.h5'" -- run /dev/null --set model.name=torus --set model.objective=grid --set model.file=adir.h5 --set model.N=1
expect 2 "gandyn plot: cannot open 'notes.h5'" -- plot notes.h5

row unwritable-path
expect 1 "cannot write output file 'no/such/dir/x.h5'" -- run good.ini -o no/such/dir/x.h5
[ -e no ] && bad "an unwritable path created directories" || ok
expect 1 "cannot write output file '/proc/x.h5'" -- run good.ini -o /proc/x.h5

row unholdable-value
expect 2 "run.x0: the value has a comment mark" -- run good.ini --set 'run.x0=1,1 ;0,1'
expect 2 "run.x0: the value has a control character" -- run good.ini --set "run.x0=$(printf '1,1\n0,1')"
"$py" -c "print('[run]\nx0 = ' + ';'.join(f'{0.01 * i},{0.02 * i}' for i in range(1, 200)))" > long.ini
"$gandyn" run long.ini --set integrator.steps=2 -o long.h5 > out.txt 2>&1 && [ "$(grep -c '^trajectory' out.txt)" = 199 ] \
    && ok || bad "a 4 kB line of starts was not read whole"

row hdf5-shape
expect 2 "holds points of dimension 3, the particles have 2" -- run /dev/null --set model.name=particles --set model.data=pts3.h5
expect 2 "/grid/F must be an M^2 array" -- run /dev/null --set model.name=torus --set model.objective=grid --set model.file=nonsquare.h5 --set model.N=1
expect 2 "/masses has 3 entries for 2 points" -- \
    run /dev/null --set model.name=kernel_gda --set model.true_points=masses.h5 --set model.gen_points=0.5
expect 2 "good_pts.h5': no dataset /grid" -- estimate good_pts.h5 --dataset /grid

row hdf5-type
expect 2 "text.h5': /points does not hold numbers" -- estimate text.h5
expect 2 "compound.h5': /points does not hold numbers" -- run /dev/null --set model.name=particles --set model.particles=compound.h5
expect 2 "wide.h5': /points holds 32-byte numbers; at most 16 bytes wide are read" -- estimate wide.h5

row hdf5-non-finite
expect 2 "nan.h5': /points has a non-finite value at index 2" -- estimate nan.h5
expect 2 "nan.h5': /points has a non-finite value at index 2" -- run /dev/null --set model.name=particles --set model.particles=nan.h5

row hdf5-truncated
expect 2 "cannot open HDF5 file 'truncated.h5'" -- estimate truncated.h5
expect 2 "cannot open HDF5 file 'truncated.h5'" -- run /dev/null --set model.name=functional --set model.density=kde --set model.density_file=truncated.h5

row hdf5-corrupted
expect 2 "the HDF5 library crashed reading /grid/F (Segmentation fault): the file is corrupted" -- \
    run /dev/null --set model.name=torus --set model.objective=grid --set "model.file=$here/data/corrupt_grid.h5" --set model.N=1

row hdf5-size-overflow
expect 2 "huge.h5': /points is empty or larger than" -- estimate huge.h5
expect 2 "huge.h5': /points is empty or larger than" -- run /dev/null --set model.name=particles --set model.particles=huge.h5

row disk-full
before=$(md5sum < good.h5)
( ulimit -f 8; exec "$gandyn" run good.ini --set integrator.steps=20000 --set 'run.x0=1,1;0.5,0' -o good.h5 ) > /dev/null 2> err.txt
st=$?
[ "$st" = 1 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q "good.h5" err.txt && [ "$(md5sum < good.h5)" = "$before" ] \
    && ! ls .good.h5.tmp.* > /dev/null 2>&1 && ok || bad "a full disk replaced a good file (status $st: $(cat err.txt))"
( ulimit -f 8; exec "$gandyn" sweep good.ini --set sweep.x=integrator.h:0.01:1:200 --set sweep.y=model.gamma:0:1:50 -o good.h5 ) > /dev/null 2> err.txt
st=$?
[ "$st" = 1 ] && grep -q "^gandyn: cannot write checkpoint 'good.h5.ckpt': File too large" err.txt \
    && [ "$(md5sum < good.h5)" = "$before" ] && ok || bad "a full disk during a sweep (status $st: $(cat err.txt))"
rm -f good.h5.ckpt

row killed
# kill -9 at 50 random moments is tests/fault.sh (CTest "fault"); here one kill, checked the same way
"$gandyn" run good.ini --set integrator.steps=3000000 -o good.h5 > /dev/null 2>&1 &
sleep 0.3
kill -9 $! 2> /dev/null
wait $! 2> /dev/null
[ "$(md5sum < good.h5)" = "$before" ] && ok || bad "a killed run changed the good file"

row solver-failure
"$gandyn" run good.ini --set integrator.name=implicit_midpoint --set integrator.h=50 \
    --set integrator.newton_max=1 --set 'run.x0=0,0;1,1' -o failed.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "trajectory 1 stopped early: implicit_midpoint: Newton did not converge" err.txt \
    && grep -q "trajectory 1: .*stopped early: CV_CONV_FAILURE" out.txt \
    && "$py" -c "import h5py,sys; a=h5py.File('failed.h5')['/traj/1'].attrs; sys.exit(a['solver']!='CV_CONV_FAILURE' or 'Newton' not in a['solver_message'])" \
    && ok || bad "solver failure not recorded per trajectory (status $st)"
"$gandyn" run good.ini --set integrator.name=cvode --set integrator.max_steps=5 --set integrator.steps=10 -o failed.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "cvode: CV_TOO_MUCH_WORK at t = " err.txt && ok || bad "CVODE out of steps in a run (status $st)"
"$gandyn" sweep /dev/null --set integrator.name=cvode --set integrator.rtol=1e-10 --set integrator.t_end=10 --set integrator.steps=10 \
    --set sweep.x=integrator.max_steps:2:100:8 -o sw_fail.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "3 cells stopped early (CV_TOO_MUCH_WORK 3)" err.txt \
    && "$py" -c "
import h5py, sys
f = h5py.File('sw_fail.h5'); s = f['/sweep/solver']; names = {v: k for k, v in h5py.check_enum_dtype(s.dtype).items()}
got = [names[v] for v in s[0]]
sys.exit(got != ['CV_TOO_MUCH_WORK'] * 3 + ['none'] * 5 or list(f['/sweep/outcome'][0][:3]) != [2, 2, 2])" \
    && ok || bad "sweep cells' solver failures not recorded (status $st)"

row overflow
# a step so large that the state overflows: classified diverge, every saved row finite
"$gandyn" run /dev/null --set model.loss=wgan --set integrator.h=1e300 --set sweep.diverge_radius=1e308 -o over.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "trajectory 0: diverge" out.txt && "$py" -c "
import h5py, numpy as np, sys
g = h5py.File('over.h5')['/traj/0']
sys.exit(g.attrs['outcome'] != 'diverge' or not np.isfinite(g['x'][:]).all())" && ok || bad "an overflowing run (status $st)"

row stale-checkpoint
"$gandyn" sweep good.ini --set sweep.x=integrator.h:0.1:1:4 -o ck.h5 > /dev/null 2>&1
printf 'GDSWEEP5-another-configuration' > ck.h5.ckpt
expect 2 "checkpoint 'ck.h5.ckpt' belongs to another sweep configuration" -- sweep good.ini --set sweep.x=integrator.h:0.1:1:4 -o ck.h5 --resume
printf 'GDSWEEP4-an-older-gandyn-format' > ck.h5.ckpt
expect 2 "checkpoint 'ck.h5.ckpt' was written by another gandyn version" -- sweep good.ini --set sweep.x=integrator.h:0.1:1:4 -o ck.h5 --resume
rm -f ck.h5.ckpt

row merge-parts
# every refusal with its message is tests/sweep_cells.sh; here one of each kind of input
cells=(--set sweep.x=integrator.h:0.1:1:30)
"$gandyn" sweep good.ini "${cells[@]}" --cells 0:20 -o part_a.h5 > /dev/null 2>&1
"$gandyn" sweep good.ini "${cells[@]}" --cells 10:30 -o part_b.h5 > /dev/null 2>&1
expect 2 "merge: cells 10..19 are in both 'part_a.h5' (cells 0:20) and 'part_b.h5' (cells 10:30)" -- merge part_b.h5 part_a.h5
expect 2 "merge: cells 20..29 are missing: the last part, 'part_a.h5', ends at cell 20 of 30" -- merge part_a.h5
expect 2 "merge: 'good.h5' is not a partial sweep file" -- merge part_a.h5 good.h5
expect 2 "sweep: --cells 20:31: the sweep has 30 cells" -- sweep good.ini "${cells[@]}" --cells 20:31

row cli-usage
expect 2 "unknown option '--frobnicate'" -- run good.ini --frobnicate
expect 2 "unknown command 'rnu'" -- rnu good.ini
expect 2 "missing CONFIG" -- run
expect 2 "critical needs --param" -- critical good.ini --lo 1 --hi 2

row plot-input
"$py" -c "import h5py; h5py.File('other.h5', 'w').create_dataset('x', data=[1, 2])"
expect 2 "'other.h5' has no group gandyn plot knows" -- plot other.h5

row bad-plugin
# one line and status 2 for every command, here list, eig and run (that a failed plugin's registrations are removed: tests/test_game.c)
printf 'not a library\n' > text.so
p=$plugins
expect 2 "plugin 'missing.so': No such file or directory" -- list --plugin missing.so
expect 2 "plugin 'missing.so': No such file or directory" -- eig good.ini --plugin missing.so
expect 2 "model.plugin: plugin 'missing.so': No such file or directory" -- run good.ini --set model.plugin=missing.so
expect 2 "plugin 'text.so' is not a shared library that can be loaded: ./text.so: file too short" -- run good.ini --plugin text.so
expect 2 "plugin 'adir.h5' is a directory, not a shared library" -- list --plugin adir.h5
expect 2 "plugin '/dev/null' is not a regular file" -- list --plugin /dev/null
expect 2 "plugin '$p/plugin_no_entry.so' has no entry point gandyn_plugin_init" -- list --plugin "$p/plugin_no_entry.so"
expect 2 "plugin '$p/plugin_wrong_abi.so': a game built for gandyn ABI 3, this library has ABI 2: rebuild it" -- list --plugin "$p/plugin_wrong_abi.so"
expect 2 "plugin '$p/plugin_duplicate.so': model 'dirac' is already registered" -- run good.ini --plugin "$p/plugin_duplicate.so"
expect 2 "plugin '$p/plugin_nothing.so' registered no model and no integrator" -- list --plugin "$p/plugin_nothing.so"
expect 2 "plugin '$p/plugin_partial.so': model 'dirac' is already registered" -- list --plugin "$p/plugin_partial.so"
expect 2 "--plugin needs a shared library FILE" -- list --plugin --json

row bad-callback
# broken where setup probes it (the equilibrium): refused when configured, status 2
expect 2 "model 'nan_field': the field callback gave v\[1\] = nan at the equilibrium x = (0, 0)" -- run good.ini --plugin "$p/plugin_nan_field.so" --set model.name=nan_field
expect 2 "model 'failing_field': the field callback returned -3 at the equilibrium" -- eig good.ini --plugin "$p/plugin_failing_field.so" --set model.name=failing_field
# failing mid-run: a result, recorded per trajectory as for a built-in model (late: -1 where theta > 5, NaN where theta < -5)
"$gandyn" run good.ini --plugin "$p/plugin_late.so" --set model.name=late --set 'run.x0=10,0;-10,0;1,1' -o late.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "trajectory 0 stopped early: model 'late': the field callback returned -1 (fatal) at x = (10, 0)" err.txt \
    && "$py" -c "
import h5py, sys
t = h5py.File('late.h5')['traj']
sys.exit([t[k].attrs['solver'] for k in '012'] != ['RHS_FAILURE', 'non_finite', 'none'] or 'returned -1' not in t['0'].attrs['solver_message'])" \
    && ok || bad "a plugin's field failing mid-run (status $st)"
"$gandyn" run good.ini --plugin "$p/plugin_late.so" --set model.name=late --set run.x0=10,0 --set integrator.name=cvode -o late.h5 > out.txt 2> err.txt
st=$?
[ "$st" = 0 ] && grep -q "cvode: CV_RHSFUNC_FAIL at t = 0 (model 'late': the field callback returned -1 (fatal) at x = (10, 0))" err.txt \
    && ok || bad "a plugin's field failing under cvode (status $st: $(cat err.txt))"

row continue-from
lg="--set model.name=normal_form --set model.form=logistic --set model.r=2.5 --set integrator.h=1 --set run.x0=0.6"
"$gandyn" continue /dev/null $lg --set continuation.branches=1 --param model.r --lo 2.5 --hi 3.4 -o pd.h5 > /dev/null || bad "a continue file with a PD point"
expect 2 "--from nope.h5: no special points to start from (cannot open HDF5 file 'nope.h5')" -- continue /dev/null $lg --param model.r --lo 2 --hi 3 --from 'nope.h5#/points/0'
expect 2 "--from good.h5: no special points to start from ('good.h5': no dataset /points/x)" -- continue /dev/null $lg --param model.r --lo 2 --hi 3 --from 'good.h5#/points/0'
expect 2 "--from pd.h5: no special point 3 (the file has 1: 0 to 0)" -- continue /dev/null $lg --param model.r --lo 2 --hi 3 --from 'pd.h5#/points/3'
expect 2 "--from needs equilibrium, x0, orbit or FILE.h5#/points/N (not 'pd.h5')" -- continue /dev/null $lg --param model.r --lo 2 --hi 3 --from pd.h5
expect 2 "--from pd.h5: the file continues model.r, not integrator.h" -- continue /dev/null $lg --param integrator.h --lo 0.5 --hi 1 --from 'pd.h5#/points/0'
expect 2 "--from pd.h5: its points have 1 coordinates, the model 2" -- \
    continue /dev/null --set model.name=normal_form --set model.form=henon --param model.a --lo 1 --hi 1.5 --from 'pd.h5#/points/0'
row critical-classes
expect 2 "critical.n = 1 is out of range (must be >= 2" -- critical good.ini --param integrator.h --lo 0.1 --hi 1 --n 1
expect 2 "critical.tol = -1 is out of range" -- critical good.ini --param integrator.h --lo 0.1 --hi 1 --classes --set critical.tol=-1
expect 2 "critical: attractor: model 'dirac' is piecewise smooth here (switching surfaces): flows are classified on smooth fields" -- \
    critical good.ini --param model.gamma --lo 0.1 --hi 1 --classes --set integrator.name=cvode --set model.loss=wgan --set model.reg=wgan_gp
expect 2 "critical: --trace repeats the outcome bisection; it does not combine with --classes" -- critical good.ini --param integrator.h --lo 0.1 --hi 1 --classes --trace model.gamma:0.1:1:3
expect 2 "critical: need --lo < --hi" -- critical good.ini --param integrator.h --lo 1 --hi 0.1 --classes

row normal-request
nf="--set model.name=normal_form --set integrator.name=cvode"
expect 2 "normal needs --param KEY --at P" -- normal good.ini --param integrator.h
expect 2 "--type must be hopf, ns, pd or lp (not 'flip')" -- normal good.ini --param integrator.h --at 1 --type flip
expect 2 "--at needs a finite number" -- normal good.ini --param integrator.h --at nan
expect 2 "normal: --type hopf needs a flow (integrator cvode), not a map; use --type ns" -- normal good.ini --param integrator.h --at 1 --type hopf
expect 2 "normal: --type ns needs a map (a fixed-step rule), not a flow; use --type hopf" -- normal /dev/null $nf --param model.mu --at 0 --type ns
expect 2 "normal: --type hopf needs a complex pair of eigenvalues; the point has none among its 1" -- \
    normal /dev/null $nf --set model.form=transcritical --set run.x0=0.5 --param model.mu --at 0.5 --type hopf
expect 2 "normal: no equilibrium found at model.mu = -1 (Newton from run.x0 found no point of the branch at -1)" -- \
    normal /dev/null $nf --set model.form=fold --set run.x0=1,0 --param model.mu --at -1
expect 2 "normal: optimistic keeps a history" -- normal good.ini --set integrator.name=optimistic --param integrator.h --at 1
expect 2 "normal: --from orbit: the coefficients are those of equilibria and fixed points" -- \
    normal /dev/null $nf --set model.form=cycle_flip --param model.mu --at 0 --from orbit
expect 2 "normal: --param run.x0 must be a model.\* or integrator.\* key" -- normal good.ini --param run.x0 --at 1

# the table and this script name the same rows
[ $((pass + fail)) = "$checks_before" ] && bad "row ${rows[-1]} ran no check"
listed=$(grep -oE '^\| `[a-z0-9-]+`' "$table" | tr -d '|` ' | sort)
ran=$(printf '%s\n' "${rows[@]}" | sort)
[ "$listed" = "$ran" ] && ok || bad "docs/robustness.md rows and tests differ: $(diff <(echo "$listed") <(echo "$ran") | grep '^[<>]' | tr '\n' ' ')"
echo "robustness: ${#rows[@]} rows, $pass passed, $fail failed"
[ "$fail" = 0 ]
