#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Reproduce the reference notebook's Dirac-GAN figure set: nine variants x (simgd,
# altgd n_d = 1, altgd n_d = 5), start (1, 1), h = 0.2, 500 iterations, named as in the
# notebook (<variant>_<simgd|altgd1|altgd5>). HDF5 and PNG files go to OUTDIR.
# Usage: examples/dirac/notebook.sh [OUTDIR]    (GANDYN=path/to/gandyn to choose the binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
out=${1:-output/dirac_notebook}
mkdir -p "$out"
files=()
for cfg in "$here"/notebook/*.ini; do
    v=$(basename "$cfg" .ini)
    for run in simgd altgd1 altgd5; do
        case $run in
            simgd)  sets=(--set integrator.name=simgd) ;;
            altgd1) sets=(--set integrator.name=altgd --set integrator.n_g=1 --set integrator.n_d=1) ;;
            altgd5) sets=(--set integrator.name=altgd --set integrator.n_g=1 --set integrator.n_d=5) ;;
        esac
        f="$out/${v}_${run}.h5"
        printf '%-34s ' "${v}_${run}"
        "$gandyn" run "$cfg" "${sets[@]}" -o "$f" | head -n 1
        files+=("$f")
    done
done
"$gandyn" plot "${files[@]}" > /dev/null
echo "wrote ${#files[@]} HDF5 files and ${#files[@]} PNG files to $out"
