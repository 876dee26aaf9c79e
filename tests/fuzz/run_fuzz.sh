#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage: run_fuzz.sh HARNESS CORPUS WORK SECONDS [MIN_PER_SECOND]
# Runs a libFuzzer harness for SECONDS on a scratch copy of CORPUS; fails on any finding
# (the crashing input stays in WORK) and when it executed fewer than MIN_PER_SECOND * SECONDS
# inputs, so that a slower harness cannot pass unnoticed. The committed CORPUS is only read,
# unless GANDYN_FUZZ_KEEP=1: then the run's inputs that reach new coverage are merged into it
# (grow_corpus.sh also minimises it).
set -euo pipefail
harness=$1 corpus=$2 work=$3 seconds=$4 min_rate=${5:-0}
name=$(basename "$harness")
rm -rf "$work" && mkdir -p "$work/corpus"
cp "$corpus"/* "$work/corpus/" 2> /dev/null || true
dict=$(dirname "$corpus")/$(basename "$corpus").dict
opts=(-max_len=4096 -rss_limit_mb=2048 -timeout=60)
[ -f "$dict" ] && opts+=(-dict="$dict")
export LSAN_OPTIONS=suppressions=$(dirname "$0")/lsan.supp:print_suppressions=0 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if ! "$harness" "${opts[@]}" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" > "$work/log" 2>&1; then
    tail -40 "$work/log"
    echo "$name: FINDING, input kept in $work" >&2
    exit 1
fi
final() { grep -o "stat::$1: *[0-9]*" "$work/log" | grep -o "[0-9]*$" || echo 0; }
runs=$(final number_of_executed_units) floor=$((min_rate * seconds))
echo "$name: $runs inputs in $seconds s ($(final average_exec_per_sec) per s, floor $floor), $(final new_units_added) new corpus inputs, no findings"
if [ "$runs" -lt "$floor" ]; then
    echo "$name: only $runs inputs in $seconds s, below the floor of $floor: the harness got slower (see tests/fuzz/CMakeLists.txt)" >&2
    exit 1
fi
if [ "${GANDYN_FUZZ_KEEP:-0}" = 1 ]; then
    before=$(ls "$corpus" | wc -l)
    "$harness" "${opts[@]}" -merge=1 "$corpus" "$work/corpus" > "$work/merge.log" 2>&1 || { tail -20 "$work/merge.log"; exit 1; }
    echo "$name: kept $(($(ls "$corpus" | wc -l) - before)) inputs that grew coverage in $corpus"
fi
