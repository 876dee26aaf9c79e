#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the build into a scratch prefix and link a program against it twice: through
# pkg-config and through CMake's find_package(gandyn). Every model header of include/gandyn/
# must be installed and compile on its own. Usage: install_check.sh BUILD WORK
set -euo pipefail
build=$(cd "$1" && pwd) work=$2
src=$(cd "$(dirname "$0")" && pwd)/consumer
headers=$(cd "$(dirname "$0")/../include/gandyn" && ls -- *.h)
rm -rf "$work" && mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -x "$prefix/bin/gandyn" && test -f "$prefix/include/gandyn.h"
for h in $headers; do
    printf '#include <gandyn/%s>\n' "$h" | cc -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" -x c - \
        || { echo "install check: <gandyn/$h> is not installed or does not compile alone"; exit 1; }
done
test -f "$prefix/share/gandyn/plots/gandyn_plot.py"
libdir=$(dirname "$(find "$prefix" -name gandyn.pc)")/..
PKG_CONFIG_PATH=$libdir/pkgconfig cc "$src/consumer.c" -o "$work/consumer_pc" \
    $(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs gandyn) -lm -Wl,-rpath,"$libdir"
"$work/consumer_pc"
cmake -S "$src" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_RPATH="$libdir" > "$work/cmake.log"
cmake --build "$work/cmake" > "$work/cmake-build.log"
"$work/cmake/consumer"
"$prefix/bin/gandyn" --version
echo "install check: 1 passed, 0 failed"
