#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the build into a scratch prefix and link a program against it twice: through
# pkg-config and through CMake's find_package(gandyn). Every model header of include/gandyn/
# must be installed and compile on its own. The installed Python package, imported from another
# directory with the prefix's site directory on its path, loads the installed library, not the
# build tree's. Usage: install_check.sh BUILD WORK [PYTHON]
set -euo pipefail
build=$(cd "$1" && pwd) work=$2 python=${3:-/usr/bin/python3}
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
site=$(dirname "$(dirname "$(find "$prefix" -path '*/gandyn/_paths.py')")")
(cd "$work" && env -u GANDYN_LIBRARY -u GANDYN_PLOTS_DIR PYTHONPATH="$site" "$python" -c '
import os, sys, gandyn
prefix = os.path.realpath(sys.argv[1])
assert os.path.realpath(gandyn.__file__).startswith(prefix), gandyn.__file__
assert os.path.realpath(gandyn.library_path()).startswith(prefix), gandyn.library_path()
r = gandyn.run({"model.reg": "gp"}, run__x0=[1, 1])
assert r.traj[0]["x"].shape == (501, 2) and r["trajectories"][0]["outcome"] == "oscillate"
png = gandyn.plot(r, out="installed.png")
assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
print("installed Python package:", gandyn.library_path())
' "$prefix")
echo "install check: 1 passed, 0 failed"
