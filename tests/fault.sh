#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fault test (issue 9): kill -9 at seeded random moments.
#  - sweep: a chain of interrupted `sweep --resume` runs, then one to the end, must equal an
#    uninterrupted sweep cell for cell, leave no checkpoint, and never show a final file early;
#  - run: a good output file survives any number of killed runs aimed at it byte for byte,
#    and a clean run leaves no temporary file of its own.
# Usage: fault.sh GANDYN PYTHON WORKDIR [INTERRUPTIONS_EACH (25)] [SEED (7)]
set -u
gandyn=$1 py=$2 work=$3 n=${4:-25}
RANDOM=${5:-7}
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
pass=0 fail=0 kills=0 tries=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# a random pause of 20..420 ms, plus $1 ms
pause() { local ms=$((20 + RANDOM % 400 + ${1:-0})); sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"; }

# about 2 s of work on a quiet machine (28800 cells), so that kills 20..420 ms apart cut the
# resumed chain several times (at 7200 cells, 0.5 s, it often finished after one or two cuts)
sweep=(sweep /dev/null --set model.reg=gp --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.02:2:240:log --set sweep.y=model.gamma:0.02:3:120
    --set integrator.steps=40000 --threads 1)
"$gandyn" "${sweep[@]}" -o ref.h5 > /dev/null 2>&1 || bad "reference sweep"
had_ckpt=0
for i in $(seq "$n"); do
    "$gandyn" "${sweep[@]}" -o cut.h5 --resume > /dev/null 2>&1 &
    pid=$!
    tries=$((tries + 1))
    # until the first checkpoint, each pause is 300 ms longer: a slow start (a sanitizer build on
    # a loaded machine) may not finish a block within 420 ms, and a kill before one leaves nothing
    pause $((had_ckpt ? 0 : 300 * (i - 1)))
    kill -9 $pid 2> /dev/null && kills=$((kills + 1))
    wait $pid 2> /dev/null
    if [ -e cut.h5 ]; then # it finished before the kill: then it must be whole
        [ ! -e cut.h5.ckpt ] && ok || bad "sweep $i: a final file next to a checkpoint"
        break
    fi
    # A kill before the first block is done leaves nothing to keep (a loaded machine starts
    # slowly); once a checkpoint exists it must survive every later kill.
    if [ -s cut.h5.ckpt ]; then
        had_ckpt=1 && ok
    elif [ "$had_ckpt" = 1 ]; then
        bad "sweep $i: the checkpoint vanished after kill -9"
    elif [ "$i" -ge 6 ]; then
        bad "sweep $i: no checkpoint after $i kills (the last after $((20 + 300 * (i - 1))) ms or more)"
    fi
done
sweep_kills=$kills
"$gandyn" "${sweep[@]}" -o cut.h5 --resume > /dev/null 2>&1 && [ ! -e cut.h5.ckpt ] && "$py" - <<'PY' && ok || bad "the resumed sweep differs from an uninterrupted one"
import h5py, numpy as np
a, b = h5py.File("ref.h5")["sweep"], h5py.File("cut.h5")["sweep"]
for k in ("outcome", "predicted", "rho", "rate", "axis_x", "axis_y"):
    assert np.array_equal(a[k][:], b[k][:], equal_nan=(k in ("rho", "rate"))), k
PY
ls .cut.h5.tmp.* > /dev/null 2>&1 && bad "sweep: temporary file left after the clean finish" || ok

run=(run /dev/null --set model.reg=gp --set "run.x0=1,1;-1,0.5;0.3,-2" --set integrator.steps=3000000 --set run.save_every=1)
"$gandyn" run /dev/null -o keep.h5 > /dev/null || bad "reference run"
before=$(md5sum < keep.h5)
for i in $(seq "$n"); do
    "$gandyn" "${run[@]}" -o keep.h5 > /dev/null 2>&1 &
    pid=$!
    tries=$((tries + 1))
    pause
    kill -9 $pid 2> /dev/null && kills=$((kills + 1))
    wait $pid 2> /dev/null
    [ "$(md5sum < keep.h5)" = "$before" ] && ok || bad "run $i: a killed run changed the good file"
done
# the killed runs' temporaries: the next clean writer of keep.h5 removes them (their PIDs are gone)
stale=$(find . -maxdepth 1 -name '.keep.h5.tmp.*' | wc -l)
"$gandyn" run /dev/null -o keep.h5 > /dev/null && [ -s keep.h5 ] && ! ls .keep.h5.tmp.* > /dev/null 2>&1 && ok || bad "run: temporary files left after a clean finish"
echo "fault: $kills interruptions ($sweep_kills of the sweep chain), $pass passed, $fail failed; $stale temporaries of killed runs removed by the next clean run"
# On a fast machine the resumed sweeps finish the chain early (each resume keeps what it did);
# what must hold is that the kills hit live processes and that the chain was cut several times.
[ "$fail" = 0 ] && [ "$kills" -ge $((tries - 5)) ] && [ "$sweep_kills" -ge 3 ]
