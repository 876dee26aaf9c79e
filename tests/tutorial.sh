#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Follows docs/tutorial.md verbatim: every ```sh block, in order, in a copy of the source tree
# with HOME a scratch directory (the tutorial installs into ~/.local and writes its game, a
# plugin, into ~/mygame). Checks that no file of the copy changed (the game is built outside
# the tree, against the installed package), then what the tutorial produced against its closed
# forms: eigenvalues, rates, equilibria, the sweep's boundary h = lambda and the critical step.
# Usage: tutorial.sh SOURCE_DIR PYTHON WORKDIR
set -u
src=$(cd "$1" && pwd) py=$2 work=$3
rm -rf "$work" && mkdir -p "$work/tree" "$work/home" || exit 1
if git -C "$src" rev-parse --git-dir > /dev/null 2>&1; then
    git -C "$src" ls-files -z --cached --others --exclude-standard | (cd "$src" && xargs -0 cp --parents -t "$work/tree")
else
    (cd "$src" && tar --exclude='./build*' --exclude=./output -cf - .) | tar -xf - -C "$work/tree"
fi
# the tree's own files (what quickstart builds and writes, build/ and output/, aside)
sums() { (cd "$work/tree" && find . \( -path ./build -o -path ./output -o -name __pycache__ \) -prune -o -type f -print0 | sort -z | xargs -0 md5sum); }
sums > "$work/tree.md5"
"$py" - "$src/docs/tutorial.md" > "$work/tutorial_commands.sh" <<'PY' || exit 1
import re, sys
blocks = re.findall(r"^```sh\n(.*?)^```", open(sys.argv[1]).read(), re.S | re.M)
if len(blocks) < 6:
    sys.exit(f"tutorial.md has {len(blocks)} sh blocks")
print("set -euo pipefail")
for k, b in enumerate(blocks):
    print(f"echo '--- tutorial block {k + 1} of {len(blocks)}' >&2")
    print(b)
PY
cd "$work/tree" || exit 1
export HOME=$work/home
bash "$work/tutorial_commands.sh" > "$work/tutorial.out" 2> "$work/tutorial.err" \
    || { echo "FAIL: a tutorial command failed:"; tail -20 "$work/tutorial.err"; exit 1; }
sums | cmp -s - "$work/tree.md5" || { echo "FAIL: the tutorial changed files of gandyn: $(sums | diff - "$work/tree.md5" | grep '^[<>]' | head -5)"; exit 1; }
cd "$HOME/mygame" || exit 1
gandyn=$HOME/.local/bin/gandyn
"$gandyn" critical sine.ini --set run.x0=0.05,0.05 --param integrator.h --lo 0.05 --hi 1 --json > critical.json \
    && "$gandyn" eig sine.ini --json > eig.json || { echo "FAIL: the tutorial's game after the tutorial"; exit 1; }
"$py" - <<'PY'
import json, math
import h5py, numpy as np
lam, h = 0.3, 0.1
checks, bad = 0, []
def check(ok, what):
    global checks
    checks += 1
    if not ok:
        bad.append(what)
mu = complex(-lam / 2, math.sqrt(1 - lam * lam / 4))
rho = math.sqrt(1 - h * lam + h * h)
e = json.load(open("eig.json"))
check(any(abs(complex(*v) - mu) < 1e-8 for v in e["eigenvalues"]), f"eigenvalues {e['eigenvalues']} != {mu}")
check(abs(e["map"]["spectral_radius"] - rho) < 1e-8, f"simgd rho {e['map']['spectral_radius']} != {rho}")
r = h5py.File("rate.h5")["rate"]
m = r["continuous"].attrs["measured"]
check(abs(m[0] - mu.real) < 1e-4 and abs(m[1] - mu.imag) < 1e-4, f"flow rate {m} != {mu}")
check(abs(r["discrete"].attrs["measured"][0] - rho) < 1e-6, f"map contraction {r['discrete'].attrs['measured'][0]} != {rho}")
q = h5py.File("portrait.h5")["equilibria"]
types = q.attrs["types"]
types = (types.decode() if isinstance(types, bytes) else types).split(",")
want = {(0, 0): "spiral_sink", (math.pi, 0): "spiral_sink", (-math.pi, 0): "spiral_sink",
        (math.pi / 2, 1 / lam): "saddle", (-math.pi / 2, -1 / lam): "saddle"}
found = {tuple(np.round(p, 6)): t for p, t in zip(q["position"][:], types)}
check(len(found) == 5, f"{len(found)} equilibria, not 5: {found}")
for p, t in want.items():
    check(any(np.hypot(a - p[0], b - p[1]) < 1e-6 and u == t for (a, b), u in found.items()), f"no {t} at {p}: {found}")
s = h5py.File("sweep.h5")["sweep"]
H, L = np.meshgrid(s["axis_x"][:], s["axis_y"][:])
o = s["outcome"][:]
check(np.all(o[H < 0.9 * L] == 0), "a cell with h < 0.9 lambda did not converge")
check(not np.any(o[H > 1.1 * L] == 0), "a cell with h > 1.1 lambda converged")
c = json.load(open("critical.json"))
check(abs(c["value"] - lam) < 2e-3 and abs(c["predicted"] - lam) < 1e-6, f"critical step {c['value']} (predicted {c['predicted']}) != {lam}")
import os
for png in ("portrait", "rate", "sweep"):
    check(os.path.getsize(f"{png}.png") > 10000, f"{png}.png missing or empty")
print(f"tutorial: {checks - len(bad)} passed, {len(bad)} failed")
for b in bad:
    print("FAIL:", b)
raise SystemExit(1 if bad else 0)
PY
