#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Whole commands with and without the BLAS pinning of src/linalg.c: each command runs
# REPEATS times alternately with GANDYN_BLAS_SERIAL_BELOW=0 (never pinned: OpenBLAS's own
# threading, the behaviour before the pinning) and with the default, and prints the fastest
# wall time and the least CPU time (user + sys, from /usr/bin/time) of each. On a shared
# machine the minima are the comparable numbers. Usage: bench_blas.sh [GANDYN] [REPEATS]
set -u
gandyn=${1:-build/gandyn} repeats=${2:-5}
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
fn=(--set model.name=functional)
cases=(
    "spectrum N=63|spectrum /dev/null ${fn[*]} --set model.gamma=0.5 --set model.N=63"
    "spectrum N=255|spectrum /dev/null ${fn[*]} --set model.gamma=0.5 --set model.N=255"
    "spectrum N=511|spectrum /dev/null ${fn[*]} --set model.gamma=0.5 --set model.N=511"
    "spectrum 2-D 25^2|spectrum /dev/null ${fn[*]} --set model.gamma=0.5 --set model.dim=2 --set model.N=25"
    "spectrum N=127 scan aug_t x31|spectrum /dev/null ${fn[*]} --set model.density=bimodal --set model.kappa=4 --set model.N=127 --set model.augment=simple --scan model.aug_t:0:3:31"
    "eig functional N=31|eig /dev/null ${fn[*]} --set model.loss=gan_sat --set model.gamma=0.2 --set model.N=31"
    "eig functional N=63, scan gamma x21|eig /dev/null ${fn[*]} --set model.loss=gan_sat --set model.N=63 --scan model.gamma:0:1:21"
    "eig kernel_gda|eig /dev/null --set model.name=kernel_gda"
    "sweep functional N=63, 64 cells, 2 threads|sweep /dev/null ${fn[*]} --set model.loss=gan_sat --set model.N=63 --set integrator.steps=200 --set sweep.x=integrator.h:0.05:0.4:64 --threads 2"
    "estimate n=1000|estimate $work/normal.h5 --t 0.02"
)
/usr/bin/python3 -c "import sys, h5py, numpy as np; from statistics import NormalDist as N; n = 1000
h5py.File(sys.argv[1], 'w')['/points'] = np.array([N().inv_cdf((i + 0.5) / n) for i in range(n)])" "$work/normal.h5" || exit 1
timed() { # timed [VAR=VALUE] COMMAND...: prints the elapsed and the user + sys seconds
    /usr/bin/time -f "%e %U %S" -o "$work/t" env "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$work/t"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN{print (b < a ? b : a)}'; }
printf '%-42s %22s %22s\n' "command (min of $repeats)" "unpinned wall / CPU s" "pinned wall / CPU s"
for c in "${cases[@]}"; do
    name=${c%%|*} args=${c#*|}
    bw=1e9 bc=1e9 aw=1e9 ac=1e9
    for ((r = 0; r < repeats; r++)); do
        # shellcheck disable=SC2086 # args is a word list by design
        read -r w u < <(timed GANDYN_BLAS_SERIAL_BELOW=0 "$gandyn" $args -o "$work/o.h5")
        bw=$(min "$bw" "$w") bc=$(min "$bc" "$u")
        # shellcheck disable=SC2086
        read -r w u < <(timed "$gandyn" $args -o "$work/o.h5")
        aw=$(min "$aw" "$w") ac=$(min "$ac" "$u")
    done
    printf '%-42s %10s / %-9s %10s / %-9s\n' "$name" "$bw" "$bc" "$aw" "$ac"
done
