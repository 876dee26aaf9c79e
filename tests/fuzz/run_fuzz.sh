#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage: run_fuzz.sh HARNESS CORPUS WORK SECONDS
# Runs a libFuzzer harness for SECONDS on a scratch copy of CORPUS (the committed corpus
# is only read); fails on any finding and keeps the crashing input in WORK.
set -euo pipefail
harness=$1 corpus=$2 work=$3 seconds=$4
rm -rf "$work" && mkdir -p "$work/corpus"
cp "$corpus"/* "$work/corpus/" 2> /dev/null || true
dict=$(dirname "$corpus")/$(basename "$corpus").dict
opts=(-max_total_time="$seconds" -timeout=60 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/")
[ -f "$dict" ] && opts+=(-dict="$dict")
export LSAN_OPTIONS=suppressions=$(dirname "$0")/lsan.supp:print_suppressions=0 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if ! "$harness" "${opts[@]}" "$work/corpus" > "$work/log" 2>&1; then
    tail -40 "$work/log"
    echo "$(basename "$harness"): FINDING, input kept in $work" >&2
    exit 1
fi
runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo '?')
echo "$(basename "$harness"): $runs inputs in ${seconds} s, no findings"
