#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the build into a scratch prefix and link a program against it twice: through
# pkg-config and through CMake's find_package(gandyn). Every model header of include/gandyn/
# must be installed and compile on its own. The installed Python package, imported from another
# directory with the prefix's site directory on its path, loads the installed library, not the
# build tree's. Then the installed example plugin (examples/plugin/bilinear.c) is built both
# ways, from the installed copy, and the installed gandyn runs it: eig, run, sweep, critical
# and a merge of sweep parts against the game's closed forms. Usage: install_check.sh BUILD WORK [PYTHON]
set -euo pipefail
build=$(cd "$1" && pwd) work=$2 py=${3:-/usr/bin/python3}
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
(cd "$work" && env -u GANDYN_LIBRARY -u GANDYN_PLOTS_DIR PYTHONPATH="$site" "$py" -c '
import os, sys, gandyn
prefix = os.path.realpath(sys.argv[1])
assert os.path.realpath(gandyn.__file__).startswith(prefix), gandyn.__file__
assert os.path.realpath(gandyn.library_path()).startswith(prefix), gandyn.library_path()
r = gandyn.run({"model.reg": "gp"}, run__x0=[1, 1])
t = r["trajectories"][0]  # GP, gamma = 0.3, simgd h = 0.2: rho = 0.97468 at x*
assert r.traj[0]["x"].shape == (501, 2) and t["outcome"] == "converge" and abs(t["rate"] - 0.97468) < 1e-3, t
png = gandyn.plot(r, out="installed.png")
assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
print("installed Python package:", gandyn.library_path())
' "$prefix")

# The example plugin, out of the tree: make (pkg-config) and CMake (find_package)
cp -r "$prefix/share/gandyn/examples/plugin" "$work/plugin_make"
PKG_CONFIG_PATH=$libdir/pkgconfig make -s -C "$work/plugin_make" CFLAGS="-O2 -Wall -Wextra -Werror" > "$work/plugin_make.log"
cmake -S "$prefix/share/gandyn/examples/plugin" -B "$work/plugin_cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" \
    > "$work/plugin_cmake.log"
cmake --build "$work/plugin_cmake" > "$work/plugin_cmake-build.log"
cd "$work"
g=$prefix/bin/gandyn
game=(--set model.name=bilinear --set model.c=2 --set model.eps=0.5)
for so in plugin_make/bilinear.so plugin_cmake/bilinear.so; do
    "$g" eig /dev/null --plugin "$so" "${game[@]}" --json > "eig_$(dirname "$so").json"
done
"$g" run /dev/null --plugin plugin_make/bilinear.so "${game[@]}" --set integrator.steps=50 -o run.h5 --json > run.json
# the configuration the file recorded names the plugin: it runs again without --plugin
"$py" -c "import h5py; open('again.ini', 'w').write(h5py.File('run.h5').attrs['config'])"
"$g" run again.ini -o again.h5 --json > again.json
sweep=(--set sweep.x=integrator.h:0.01:0.5:50 --set run.x0=0.1,0.1)
"$g" sweep /dev/null --plugin plugin_cmake/bilinear.so "${game[@]}" "${sweep[@]}" -o sweep.h5 --json > sweep.json 2> /dev/null
"$g" sweep /dev/null --plugin plugin_cmake/bilinear.so "${game[@]}" "${sweep[@]}" --cells 0:30 -o part_a.h5 > /dev/null 2>&1
"$g" sweep /dev/null --plugin plugin_cmake/bilinear.so "${game[@]}" "${sweep[@]}" --cells 30:50 -o part_b.h5 > /dev/null 2>&1
"$g" merge part_a.h5 part_b.h5 -o merged.h5 > /dev/null
"$g" critical /dev/null --plugin plugin_make/bilinear.so "${game[@]}" --set run.x0=0.01,0.01 --set integrator.steps=3000 \
    --param integrator.h --lo 0.05 --hi 1 --json > critical.json
"$py" - <<'PY'
import json, math
import h5py, numpy as np
c, eps, h = 2.0, 0.5, 0.2
rho = math.hypot(1 - h * eps, h * c)      # |1 + h (-eps +- i c)|
h_crit = 2 * eps / (eps ** 2 + c ** 2)     # |1 + h mu| = 1
bad = []
for build in ("plugin_make", "plugin_cmake"):
    e = json.load(open(f"eig_{build}.json"))
    if sorted(map(tuple, e["eigenvalues"])) != [(-eps, -c), (-eps, c)] or abs(e["map"]["spectral_radius"] - rho) > 1e-15:
        bad.append(f"{build}: eig {e['eigenvalues']}, rho {e['map']['spectral_radius']} != {rho}")
r, a = json.load(open("run.json"))["trajectories"][0], json.load(open("again.json"))["trajectories"][0]
if abs(np.hypot(*r["x_final"]) - rho ** 50 * math.sqrt(2)) > 1e-13:
    bad.append(f"run: |x_50| = {np.hypot(*r['x_final'])} != rho^50 |x0| = {rho ** 50 * math.sqrt(2)}")
if a["x_final"] != r["x_final"]:
    bad.append(f"the recorded configuration ran to {a['x_final']}, not {r['x_final']}")
s = h5py.File("sweep.h5")["sweep"]
hs, o = s["axis_x"][:], s["outcome"][0]
if s.attrs["kernel"] != "batched" or not (np.all(o[hs < h_crit] == 0) and np.all(o[hs > h_crit] == 2)):
    bad.append(f"sweep ({s.attrs['kernel']}): outcomes {o} do not flip at h = {h_crit}")
m = h5py.File("merged.h5")["sweep"]
if not (np.array_equal(m["outcome"][:], s["outcome"][:]) and np.array_equal(m["rate"][:], s["rate"][:])):
    bad.append("the merged parts differ from the single sweep")
k = json.load(open("critical.json"))
if abs(k["predicted"] - h_crit) > 1e-6 or abs(k["value"] - h_crit) > 2e-3:
    bad.append(f"critical step {k['value']} (predicted {k['predicted']}) != {h_crit}")
for b in bad:
    print("FAIL:", b)
raise SystemExit(1 if bad else 0)
PY
echo "install check: 3 passed, 0 failed"
