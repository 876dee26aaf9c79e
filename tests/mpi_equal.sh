#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mpirun -n 2 gandyn sweep writes the same /sweep datasets as a serial run, without and with
# gradient noise (whose draws depend on the cell, never on the rank).
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
"$py" - <<'PY'
import h5py, numpy as np
keys = ("outcome", "predicted", "rho", "rate", "axis_x", "axis_y")
def same(p, q):
    a, b = h5py.File(p)["sweep"], h5py.File(q)["sweep"]
    return all(np.array_equal(a[k][:], b[k][:], equal_nan=True) for k in keys)
quiet = h5py.File("serial.h5")["sweep/rate"][:]
loud = h5py.File("serial_noise.h5")["sweep/rate"][:]
checks = [same("serial.h5", "mpi.h5"), same("serial_noise.h5", "mpi_noise.h5"), not np.array_equal(quiet, loud, equal_nan=True)]
print(f"mpi_equal: {sum(checks)} passed, {len(checks) - sum(checks)} failed")
raise SystemExit(0 if all(checks) else 1)
PY
