#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Usage: grow_corpus.sh BUILD_FUZZ [SECONDS [HARNESSES]]   (default 600 s, "config h5")
# Grows the committed corpora of tests/fuzz: runs each harness for SECONDS from its corpus,
# then replaces the corpus by the smallest set of inputs (libFuzzer -merge=1) that keeps all
# the coverage of the old corpus and of the run. Inputs named regress_* (fixed findings) are
# always kept. Commit the result; CI starts from it.
set -euo pipefail
build=$1 seconds=${2:-600} harnesses=${3:-config h5}
here=$(cd "$(dirname "$0")" && pwd)
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
size() { echo "$(ls "$1" | wc -l) inputs, $(cat "$1"/* | wc -c) bytes"; }
for h in $harnesses; do
    harness=$build/tests/fuzz/fuzz_$h corpus=$here/corpus/$h work=$build/tests/fuzz/grow_$h
    "$here/run_fuzz.sh" "$harness" "$corpus" "$work" "$seconds"
    rm -rf "$work/min" && mkdir "$work/min"
    cp "$corpus"/regress_* "$work/min/" 2> /dev/null || true
    "$harness" -max_len=4096 -rss_limit_mb=2048 -timeout=60 -merge=1 "$work/min" "$corpus" "$work/corpus" > "$work/merge.log" 2>&1 || {
        tail -20 "$work/merge.log"
        exit 1
    }
    before=$(size "$corpus")
    rm -f "$corpus"/* && cp "$work/min"/* "$corpus/"
    echo "fuzz_$h corpus: $before -> $(size "$corpus")"
done
