#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mpirun -n 2 gandyn sweep writes the same /sweep datasets as a serial run, without and with
# gradient noise (whose draws depend on the cell, never on the rank), and a basin sweep's every
# dataset (its labels and attractors).
# Usage: mpi_equal.sh GANDYN PYTHON WORKDIR
set -eu
gandyn=$1 py=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm=isolated OMPI_MCA_btl_vader_single_copy_mechanism=none
args=(--set model.reg=gp --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.02:2:70:log --set sweep.y=model.gamma:0.02:3:50
      --set integrator.steps=3000)
noisy=(--set integrator.name=extragradient --set noise.sigma=1e-3 --set noise.seed=5 --set integrator.steps=1000)
"$gandyn" sweep /dev/null "${args[@]}" -o serial.h5 > /dev/null 2>&1
OMP_NUM_THREADS=1 mpirun --oversubscribe -n 2 "$gandyn" sweep /dev/null "${args[@]}" -o mpi.h5 > /dev/null 2>&1
"$gandyn" sweep /dev/null "${args[@]}" "${noisy[@]}" -o serial_noise.h5 > /dev/null 2>&1
OMP_NUM_THREADS=1 mpirun --oversubscribe -n 2 "$gandyn" sweep /dev/null "${args[@]}" "${noisy[@]}" -o mpi_noise.h5 > /dev/null 2>&1
basin=(--set model.reg=none --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1.85 --set integrator.steps=20000
       --set sweep.x=run.x0.0:-2:2:21 --set sweep.y=run.x0.1:-2:2:21 --set sweep.attractor=1)
"$gandyn" sweep /dev/null "${basin[@]}" -o serial_basin.h5 > /dev/null 2>&1
OMP_NUM_THREADS=1 mpirun --oversubscribe -n 2 "$gandyn" sweep /dev/null "${basin[@]}" -o mpi_basin.h5 > mpi_basin.txt 2>&1
"$py" - <<'PY'
import h5py, numpy as np
keys = ("outcome", "predicted", "rho", "rate", "axis_x", "axis_y")
def same(p, q):
    a, b = h5py.File(p)["sweep"], h5py.File(q)["sweep"]
    return all(np.array_equal(a[k][:], b[k][:], equal_nan=True) for k in keys)
quiet = h5py.File("serial.h5")["sweep/rate"][:]
loud = h5py.File("serial_noise.h5")["sweep/rate"][:]
def datasets(p):  # every dataset of a file, by path
    out = {}
    h5py.File(p).visititems(lambda name, o: out.__setitem__(name, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
# a basin sweep: rank 1's attractor tables and labels reach rank 0, which numbers them as a serial run
sb, mb = datasets("serial_basin.h5"), datasets("mpi_basin.h5")
basin = "sweep/basin" in sb and "basin/attractors/2/points" in sb and sb == mb and "not labelled" not in open("mpi_basin.txt").read()
checks = [same("serial.h5", "mpi.h5"), same("serial_noise.h5", "mpi_noise.h5"), not np.array_equal(quiet, loud, equal_nan=True), basin]
print(f"mpi_equal: {sum(checks)} passed, {len(checks) - sum(checks)} failed")
raise SystemExit(0 if all(checks) else 1)
PY
