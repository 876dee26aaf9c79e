#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The test suite: a warnings-as-errors release build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then tests/test_threads (one model from
# several threads) under ThreadSanitizer, then valgrind's memcheck over a command set on a
# portable debug build, then each libFuzzer harness for 60 s (clang build). Installs missing
# dependencies first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGANDYN_WERROR=ON -DGANDYN_MPI=ON > /dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGANDYN_SANITIZE=ON -DGANDYN_WERROR=ON > /dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DGANDYN_TSAN=ON -DGANDYN_WERROR=ON > /dev/null
cmake --build build-tsan -j"$jobs" --target test_threads
TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan --output-on-failure -R '^test_threads$'
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=Debug -DGANDYN_NATIVE=OFF -DGANDYN_WERROR=ON > /dev/null
cmake --build build-valgrind -j"$jobs" --target gandyn_cli
ctest --test-dir build-valgrind --output-on-failure -R valgrind
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DGANDYN_FUZZ=ON -DGANDYN_WERROR=ON > /dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_config fuzz_h5
ctest --test-dir build-fuzz --output-on-failure -j"$jobs" -V
