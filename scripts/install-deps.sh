#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Debian 12 packages gandyn needs to build, test and plot (run as root).
# clang (with its sanitizer runtimes and OpenMP) builds the fuzz harnesses of tests/fuzz;
# chromium (headless) opens the gallery page in its test. The Python package's tests run under
# python3-pytest, its notebook under jupyter-nbconvert with python3-ipykernel; python3-xarray
# gives results as xarray Datasets.
# libsundials-dev pulls in petsc-dev, hypre, MPI and gfortran: expect a few minutes.
set -euo pipefail
packages=(build-essential cmake pkg-config libsundials-dev libfftw3-dev libhdf5-dev libopenmpi-dev openmpi-bin
          liblapacke-dev liblapack-dev libopenblas-dev python3 python3-numpy python3-h5py python3-matplotlib python3-scipy python3-numba
          python3-pytest python3-xarray jupyter-nbconvert python3-ipykernel time valgrind
          clang libclang-rt-14-dev libomp-dev chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "dependencies installed"
