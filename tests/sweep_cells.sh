#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Job-array sweeps: `gandyn sweep --cells LO:HI` parts merged by `gandyn merge` give the file a
# single sweep writes (every dataset and attribute bit for bit, but the root command and
# created), for the batched kernel and cell by cell, with and without gradient noise, from uneven parts merged in shuffled
# order, one of them finished with --resume; a basin sweep's labels and attractors merged too;
# and every bad merge is refused with status 2, one line naming the parts, and no output
# written or replaced.
# Usage: sweep_cells.sh GANDYN PYTHON WORKDIR
set -u
gandyn=$1 py=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
. "$here/expect.sh"

# same FILE FILE: the sweep files are equal but for the root attributes command and created
same() {
    "$py" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
def objects(f):
    out = {"/": f}
    f.visititems(lambda name, o: out.__setitem__(name, o))
    return out
def plain(v, f):  # attribute values with object references replaced by the paths they name
    if isinstance(v, h5py.Reference):
        return f[v].name
    if isinstance(v, np.ndarray) and v.dtype.kind in "OV":
        return [plain(x, f) for x in (v.tolist() if v.dtype.kind == "V" else v)]
    if isinstance(v, (tuple, list)):
        return [plain(x, f) for x in v]
    return v.tobytes() if isinstance(v, np.ndarray) else v
oa, ob = objects(a), objects(b)
bad = [] if sorted(oa) == sorted(ob) else [f"objects {sorted(oa)} != {sorted(ob)}"]
for name in sorted(set(oa) & set(ob)):
    x, y = oa[name], ob[name]
    if isinstance(x, h5py.Dataset):
        if x.dtype != y.dtype or h5py.check_enum_dtype(x.dtype) != h5py.check_enum_dtype(y.dtype) or x.shape != y.shape \
                or x[()].tobytes() != y[()].tobytes():
            bad.append(f"dataset {name}")
    skip = {"command", "created"} if name == "/" else set()
    ka, kb = set(x.attrs) - skip, set(y.attrs) - skip
    if ka != kb:
        bad.append(f"attributes of {name}: {sorted(ka ^ kb)}")
    for k in ka & kb:
        if plain(x.attrs[k], a) != plain(y.attrs[k], b):
            bad.append(f"attribute {name} {k}")
if not any(isinstance(o, h5py.Dataset) for o in oa.values()):
    bad.append("no datasets")
sys.exit("; ".join(bad) if bad else 0)
PY
}

# parts NAME ARGS: the whole sweep NAME_whole.h5, then parts [0, 700), [700, 2345) and
# [2345, end) with the last one cut short once (its file cannot be written) and finished
# with --resume from its checkpoint, merged in the order 3, 1, 2.
parts() {
    local name=$1; shift
    local n; n=$("$gandyn" sweep /dev/null "$@" -o "${name}_whole.h5" --json 2> /dev/null | "$py" -c "import json,sys; print(json.load(sys.stdin)['cells'])")
    local c1=$((n / 5)) c2=$((n * 2 / 3))
    "$gandyn" sweep /dev/null "$@" --cells 0:$c1 -o "${name}_1.h5" > /dev/null 2>&1 || bad "$name: part 1"
    "$gandyn" sweep /dev/null "$@" --cells $c1:$c2 --threads 2 -o "${name}_2.h5" > /dev/null 2>&1 || bad "$name: part 2"
    mkdir -p "${name}_3.h5/blocker" # rename onto a non-empty directory fails: the checkpoint stays
    "$gandyn" sweep /dev/null "$@" --cells $c2:$n -o "${name}_3.h5" > /dev/null 2> err.txt && bad "$name: part 3 wrote into a directory"
    rm -r "${name}_3.h5"
    [ -s "${name}_3.h5.ckpt" ] && ok || bad "$name: no checkpoint after a failed write ($(cat err.txt))"
    "$gandyn" sweep /dev/null "$@" --cells $c2:$n -o "${name}_3.h5" --resume > /dev/null 2> err.txt || bad "$name: part 3 resumed"
    grep -q "cells/s" err.txt && bad "$name: the resumed part computed cells again" || ok
    "$gandyn" merge "${name}_3.h5" "${name}_1.h5" "${name}_2.h5" -o "${name}_merged.h5" > /dev/null || bad "$name: merge"
    same "${name}_whole.h5" "${name}_merged.h5" && ok || bad "$name: the merged file differs from the single run's"
    echo "$name: $n cells in parts 0:$c1, $c1:$c2, $c2:$n"
}

# batched kernel: 3500 cells, 14 blocks, parts 0:700, 700:2333, 2333:3500 (none aligned but the first)
batched=(--set model.reg=gp --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.02:2:70:log --set sweep.y=model.gamma:0.02:3:50
         --set integrator.steps=1000)
parts batched "${batched[@]}"
"$py" -c "import h5py,sys; sys.exit(h5py.File('batched_whole.h5')['/sweep'].attrs['kernel'] != 'batched')" && ok || bad "batched: not the batched kernel"
# cell by cell: rk4, 299 cells in 2 blocks (parts 0:59, 59:199, 199:299), and CVODE on 21 cells
rk4=(--set integrator.name=rk4 --set run.x0=0.5,0.5 --set sweep.x=integrator.h:0.1:1.5:23 --set sweep.y=model.gamma:0:1:13 --set integrator.steps=300)
parts rk4 "${rk4[@]}"
cvode=(--set integrator.name=cvode --set integrator.t_end=20 --set integrator.steps=20 --set run.x0=0.5,0.5
       --set sweep.x=model.gamma:0.1:1:7 --set sweep.y=model.sigma:0.5:2:3)
parts cvode "${cvode[@]}"
# gradient noise (extragradient, batched): the draws depend on the cell, not on the part
noisy=(--set integrator.name=extragradient --set noise.sigma=1e-3 --set noise.seed=11 --set run.x0=0.05,0.05
       --set sweep.x=integrator.h:0.05:1.5:30 --set sweep.y=model.gamma:0.1:1:20 --set integrator.steps=400)
parts noisy "${noisy[@]}"
"$py" -c "import h5py,sys; f = h5py.File('noisy_whole.h5'); sys.exit(int('sigma_pred' not in f['/sweep'] or f.attrs['noise_seed'] != 11))" && ok || bad "noisy: no sigma_pred or noise_seed"
"$py" -c "import h5py,sys; sys.exit(h5py.File('cvode_whole.h5')['/sweep'].attrs['kernel'] != 'per-cell')" && ok || bad "cvode: not cell by cell"

# a basin sweep (D8's map, 441 starts in 2 blocks, parts not aligned to them): each part carries
# its blocks' attractor tables and its cells' labels, so the merge writes the single run's
# /sweep/basin and /basin/attractors; so does a merge with a part finished with --resume (its
# checkpoint keeps the tables); a damaged table is refused
basin=(--set model.reg=none --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1.85 --set integrator.steps=20000
       --set sweep.x=run.x0.0:-2:2:21 --set sweep.y=run.x0.1:-2:2:21 --set sweep.attractor=1)
"$gandyn" sweep /dev/null "${basin[@]}" -o basin_whole.h5 > /dev/null 2>&1 || bad "basin: whole sweep"
"$gandyn" sweep /dev/null "${basin[@]}" --cells 0:100 -o basin_1.h5 > /dev/null 2>&1 || bad "basin: part 1"
"$gandyn" sweep /dev/null "${basin[@]}" --cells 100:300 --threads 2 -o basin_2.h5 > /dev/null 2>&1 || bad "basin: part 2"
"$gandyn" sweep /dev/null "${basin[@]}" --cells 300:441 -o basin_3.h5 > /dev/null 2>&1 || bad "basin: part 3"
"$gandyn" merge basin_3.h5 basin_1.h5 basin_2.h5 -o basin_merged.h5 > basin_merged.txt || bad "basin: merge"
same basin_whole.h5 basin_merged.h5 && ok || bad "basin: the merged file differs from the single run's"
"$py" -c "import h5py,sys; f = h5py.File('basin_merged.h5'); sys.exit(int(f['basin'].attrs['count'] < 3 or f['sweep/basin'].shape != (21, 21)))" \
    && ok || bad "basin: fewer than 3 attractors"
grep -q "^basin: [0-9]* attractors: 0 stall" basin_merged.txt && ok || bad "basin: merge text: $(cat basin_merged.txt)"
mkdir -p basin_r.h5/blocker
"$gandyn" sweep /dev/null "${basin[@]}" --cells 300:441 -o basin_r.h5 > /dev/null 2>&1 && bad "basin: part written into a directory"
rm -r basin_r.h5
"$gandyn" sweep /dev/null "${basin[@]}" --cells 300:441 -o basin_r.h5 --resume > /dev/null 2>&1 || bad "basin: part resumed"
"$gandyn" merge basin_1.h5 basin_2.h5 basin_r.h5 -o basin_rm.h5 > basin_rm.txt || bad "basin: merge with a resumed part"
same basin_whole.h5 basin_rm.h5 && ok || bad "basin: the merge with a resumed part differs from the single run's"
grep -q "not labelled" basin_rm.txt && bad "basin: resumed merge text: $(cat basin_rm.txt)" || ok
"$py" - <<'PY' && ok || bad "basin: editing parts"
import shutil, h5py
good = h5py.File("basin_2.h5")["sweep_part/basin"][:]
bad = good.copy()
bad[5] = 300.0  # cell 105's label, past its block's table
for name, data in (("basin_bad.h5", bad), ("basin_short.h5", good[:-3])):
    shutil.copy("basin_2.h5", name)
    with h5py.File(name, "r+") as g:
        del g["sweep_part/basin"]
        g["sweep_part/basin"] = data
PY
expect 2 "merge: 'basin_bad.h5': /sweep_part/basin is damaged" -- merge basin_1.h5 basin_bad.h5 basin_3.h5
expect 2 "merge: 'basin_short.h5': /sweep_part/basin is damaged" -- merge basin_1.h5 basin_short.h5 basin_3.h5

# --json of a part and of a merge; the parts' counts add up to the whole sweep's
for i in 1 2 3; do "$gandyn" sweep /dev/null "${rk4[@]}" --cells $(( (i - 1) * 100 )):$(( i * 100 < 299 ? i * 100 : 299 )) -o j$i.h5 --json 2> /dev/null; done > parts.json
"$gandyn" merge j2.h5 j3.h5 j1.h5 -o j.h5 --json > merge.json 2> /dev/null
"$gandyn" sweep /dev/null "${rk4[@]}" -o '' --json > whole.json 2> /dev/null
"$py" - <<'PY' && ok || bad "--json of --cells parts and merge"
import json
parts = [json.loads(l) for l in open("parts.json")]
merge, whole = json.load(open("merge.json")), json.load(open("whole.json"))
assert [p["range"] for p in parts] == [[0, 100], [100, 200], [200, 299]] and all(p["total"] == 299 for p in parts)
assert [p["cells"] for p in parts] == [100, 100, 99] and [p["output"] for p in parts] == ["j1.h5", "j2.h5", "j3.h5"]
for k in ("converge", "oscillate", "diverge"):
    assert sum(p["counts"][k] for p in parts) == whole["counts"][k] == merge["counts"][k], k
assert merge["parts"] == 3 and merge["cells"] == 299 and merge["output"] == "j.h5" and merge["agreement"] == whole["agreement"]
assert "range" not in merge and "range" not in whole
PY

# bad input: status 2, one line naming the parts, no output file (expect checks out.h5)
# a part of another configuration (one more step), and one overlapping two parts
"$gandyn" sweep /dev/null "${rk4[@]}" --set integrator.steps=301 --cells 59:199 -o other.h5 > /dev/null 2>&1
"$gandyn" sweep /dev/null "${rk4[@]}" --cells 150:250 -o mid.h5 > /dev/null 2>&1
echo "not hdf5" > notes.h5
expect 2 "merge: cells 150..198 are in both 'rk4_2.h5' (cells 59:199) and 'mid.h5' (cells 150:250)" -- merge rk4_1.h5 mid.h5 rk4_2.h5 rk4_3.h5
expect 2 "merge: cells 59..198 are missing: 'rk4_1.h5' ends at cell 59, 'rk4_3.h5' starts at 199" -- merge rk4_3.h5 rk4_1.h5
expect 2 "merge: cells 0..58 are missing: the first part, 'rk4_2.h5', starts at cell 59" -- merge rk4_3.h5 rk4_2.h5
expect 2 "merge: cells 199..298 are missing: the last part, 'rk4_2.h5', ends at cell 199 of 299" -- merge rk4_2.h5 rk4_1.h5
expect 2 "merge: 'other.h5' is from another sweep configuration than 'rk4_1.h5'" -- merge rk4_1.h5 other.h5 rk4_3.h5
expect 2 "merge: 'cvode_1.h5' is from another sweep configuration than 'rk4_1.h5'" -- merge rk4_1.h5 cvode_1.h5
expect 2 "merge: 'rk4_whole.h5' is not a partial sweep file" -- merge rk4_1.h5 rk4_whole.h5
expect 2 "merge: 'notes.h5' is not a partial sweep file" -- merge notes.h5
expect 2 "merge: cannot open 'nothere.h5': No such file or directory" -- merge rk4_1.h5 nothere.h5
expect 2 "merge: missing PART.h5 files" -- merge
expect 2 "merge: unknown option '--frobnicate'" -- merge rk4_1.h5 --frobnicate
# a part whose hash this build does not give (another build's cell layout), a damaged part
for i in 1 2 3; do cp rk4_$i.h5 forged_$i.h5; done
cp rk4_2.h5 damaged.h5
"$py" - <<'PY' || bad "editing parts"
import h5py
for i in (1, 2, 3):
    h5py.File(f"forged_{i}.h5", "r+")["sweep_part"].attrs["hash"] = "0123456789abcdef"
f = h5py.File("damaged.h5", "r+")
del f["sweep_part/rho"]
f["sweep_part/rho"] = [0.5] * 3
PY
expect 2 "merge: 'forged_1.h5' was written by another gandyn build" -- merge forged_2.h5 forged_3.h5 forged_1.h5
# the same configuration with another hash beside a part of this build: another version's part
# (the hash folds in the record format and outcome rule, CKPT_MAGIC)
expect 2 "merge: 'forged_2.h5' is from another sweep format or gandyn version than 'rk4_1.h5'" -- merge rk4_1.h5 forged_2.h5 rk4_3.h5
expect 2 "merge: 'damaged.h5': /sweep_part/rho is not the 140 cells of its range" -- merge rk4_1.h5 damaged.h5 rk4_3.h5
# --cells usage
expect 2 "--cells needs LO:HI" -- sweep /dev/null "${rk4[@]}" --cells 5:5
expect 2 "--cells needs LO:HI" -- sweep /dev/null "${rk4[@]}" --cells 5
expect 2 "sweep: --cells 200:300: the sweep has 299 cells" -- sweep /dev/null "${rk4[@]}" --cells 200:300
expect 2 "sweep: --cells needs -o FILE" -- sweep /dev/null "${rk4[@]}" --cells 0:10 -o ''
# a failing merge leaves an existing file as it was, and no temporary
cp rk4_whole.h5 keep.h5
before=$(md5sum < keep.h5)
"$gandyn" merge rk4_1.h5 rk4_3.h5 -o keep.h5 > /dev/null 2>&1
st=$?
[ "$st" = 2 ] && [ "$(md5sum < keep.h5)" = "$before" ] && ! ls .keep.h5.tmp.* > /dev/null 2>&1 && ok || bad "a failing merge touched keep.h5 (status $st)"

echo "sweep_cells: $pass passed, $fail failed"
[ "$fail" = 0 ]
