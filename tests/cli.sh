#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The CLI contract (README "Using it", `gandyn COMMAND --help`): exit status 2 for
# usage/configuration errors, 1 for I/O; exactly one line on stderr naming the problem; no
# output file left behind; --json and list --json are valid JSON.
# Usage: cli.sh GANDYN PYTHON WORKDIR
set -u
gandyn=$1 py=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
. "$here/expect.sh"

printf '[model]\nname = dirac\n' > good.ini
# bad input of every class: tests/robustness.sh (the table in docs/robustness.md)


# success paths: defaults from /dev/null, JSON summaries parse and say what was done
# an under-resolved torus grid: the run goes on, with one warning line naming model.M
"$gandyn" run /dev/null --set model.name=torus --set model.N=8 --set model.M=18 -o '' > /dev/null 2> warn.txt &&
    [ "$(wc -l < warn.txt)" = 1 ] && grep -q "^gandyn: warning: torus: .* F is under-resolved on M = 18, raise model.M$" warn.txt && ok ||
    bad "torus under-resolved warning: $(cat warn.txt)"
# lyapunov --count 1: the full spectrum's largest exponent alone, the same number (Henon: lambda_1 + lambda_2 = ln 0.3)
henon=(--set model.name=normal_form --set model.form=henon --set integrator.h=1 --set run.x0=0.1,0.1 --set lyapunov.steps=20000)
"$gandyn" lyapunov /dev/null "${henon[@]}" --count 1 -o '' --json > ly1.json && "$gandyn" lyapunov /dev/null "${henon[@]}" -o '' --json > ly2.json &&
    "$py" - <<'PY' && ok || bad "lyapunov --count 1"
import json, math
a, b = json.load(open("ly1.json"))["exponents"], json.load(open("ly2.json"))["exponents"]
assert len(a) == 1 and len(b) == 2 and a[0] == b[0] and abs(sum(b) - math.log(0.3)) < 1e-12, (a, b)
PY
# particles and their data read from HDF5 files (dataset /points [n, d]) run as the same points inline
"$py" -c "
import h5py, numpy as np
with h5py.File('pts_data.h5', 'w') as f: f['points'] = np.array([[0, 0], [2, 0], [0, 2], [2, 2]], float)
with h5py.File('pts_parts.h5', 'w') as f: f['points'] = np.array([[0.2, 0.1], [1.7, -0.2], [0.1, 2.2], [2.1, 1.8]])" &&
    "$gandyn" run /dev/null --set model.name=particles --set model.particles=pts_parts.h5 --set model.data=pts_data.h5 -o '' --json > pts_file.json &&
    "$gandyn" run /dev/null --set model.name=particles --set 'model.particles=0.2,0.1;1.7,-0.2;0.1,2.2;2.1,1.8' --set 'model.data=0,0;2,0;0,2;2,2' \
        -o '' --json > pts_inline.json && "$py" - <<'PY' && ok || bad "particles from HDF5 files"
import json
a, b = (json.load(open(f))["trajectories"][0] for f in ("pts_file.json", "pts_inline.json"))
assert a["x_final"] == b["x_final"] and a["x0"] == b["x0"] and a["outcome"] == b["outcome"] == "converge", (a, b)
PY
"$gandyn" run /dev/null -o run.h5 --json > run.json && "$py" - run.json <<'PY' && ok || bad "run --json"
import json, math, sys
d = json.load(open(sys.argv[1]))
t = d["trajectories"][0]
# the plain GAN under simgd spirals out (rho = 1.00499 at x*), ever more slowly as f' saturates
assert d["output"] == "run.h5" and t["steps"] == 500 and t["outcome"] == "diverge" and 1 < t["rate"] < 1.005, d
assert abs(math.hypot(*t["x_final"]) - 3.0969) < 3e-3, t
import h5py  # the file's trajectory carries the same outcome and contraction as the JSON
a = h5py.File("run.h5", "r")["traj/0"].attrs
assert a["outcome"] == t["outcome"] and a["rate"][0] == t["rate"], dict(a)
PY
# the text listings name what the JSON lists: each model (and every key of it), each rule, each section
"$gandyn" list > list_all.txt && "$gandyn" list models > list_models.txt && "$gandyn" list integrators > list_ints.txt &&
    "$gandyn" list sections > list_sections.txt && "$gandyn" list --json > list.json && "$py" - list.json <<'PY' && ok || bad "list as text"
import json, re, sys
d = json.load(open(sys.argv[1]))
text = {k: open(f"list_{k}.txt").read() for k in ("all", "models", "ints", "sections")}
for group, listing in (("models", "models"), ("integrators", "ints")):
    for m in d[group]:
        block = re.search(rf"^  {m['name']}[ :].*?(?=^  \S|\Z)", text[listing], re.M | re.S)
        assert block, m["name"]
        for p in m.get("params", []):
            assert re.search(rf"^    {p['key']} +=", block.group(0), re.M), (m["name"], p["key"])
for sec in d["sections"]:
    assert f"[{sec}]:" in text["sections"], sec
assert text["all"] == text["models"] + text["ints"] + text["sections"] or all(t in text["all"] for t in (text["models"], text["ints"], text["sections"]))
PY
expect 2 "list: unknown argument 'bogus' (models | integrators | sections | --json)" -- list bogus
"$gandyn" list --json > list.json && "$py" - list.json <<'PY' && ok || bad "list --json"
import json, sys
d = json.load(open(sys.argv[1]))
names = {m["name"] for m in d["models"]}
ints = {i["name"] for i in d["integrators"]}
assert {"dirac", "linear"} <= names, names
assert {"simgd", "altgd", "extragradient", "optimistic", "leapfrog", "implicit_midpoint", "rk4", "cvode"} <= ints, ints
dirac = next(m for m in d["models"] if m["name"] == "dirac")
keys = {p["key"]: p for p in dirac["params"]}
assert keys["reg"]["choices"] == ["none", "gp", "noise", "consensus", "wgan_gp", "clip"]
assert all(p["help"] and "default" in p for p in dirac["params"])
assert set(d["sections"]) == {"run", "sweep", "rate", "portrait", "noise", "lookahead", "modifier", "continuation", "lyapunov", "attractor", "critical"}, d["sections"].keys()
assert "x0" in {p["key"] for p in d["sections"]["run"]} and "diverge_radius" in {p["key"] for p in d["sections"]["sweep"]}
rules = {i["name"]: i for i in d["integrators"]}
# each rule's state layout (docs/optimizers.md) and each numeric key's range
assert rules["adam"]["state"] == ["x", "m", "v"] and rules["momentum"]["state"] == ["x", "b"] and rules["cgd"]["state"] == ["x"]
assert rules["optimistic"]["state"] == ["x", "g_prev"] and rules["rmsprop"]["state"] == ["x", "v"]
cg = {p["key"]: p for p in rules["cgd"]["params"]}
assert cg["cgd_solver"]["default"] == "auto" and cg["cgd_solver"]["choices"] == ["auto", "dense", "cg"]
assert cg["cg_tol"]["default"] == "1e-12" and cg["cg_tol"]["range"] == {"min": 0, "max": 1, "min_open": True, "max_open": False}
beta = {p["key"]: p for p in rules["momentum"]["params"]}["beta"]["range"]
assert beta == {"min": -1, "max": 1, "min_open": True, "max_open": True}, beta
h = {p["key"]: p for p in rules["simgd"]["params"]}["h"]["range"]
assert h["min"] == 0 and h["max"] is None and h["min_open"], h
run = {p["key"]: p for p in d["sections"]["run"]}
assert run["save_opt"]["default"] == "final" and run["save_opt"]["choices"] == ["none", "final", "all"] and run["resume"]["default"] == ""
PY

# COMMAND --help for every command the CLI dispatches, as its own overview lists them: status 0,
# stdout only, the first line names the command, `help COMMAND` and -h print the same, and the
# example it prints runs to status 0 from a scratch directory (writing its -o files there). The
# examples say "gandyn": a PATH entry points it at the binary under test. The gallery's example
# (1.5 minutes) is the one the gallery CTest runs (tests/gallery_page.sh takes it from --help).
mkdir -p bin && ln -sf "$gandyn" bin/gandyn
commands=$("$gandyn" --help | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p')
[ "$(echo $commands | wc -w)" -ge 13 ] && ok || bad "--help lists too few commands: $commands"
for c in $commands; do
    "$gandyn" $c --help > help_$c.txt 2> help_$c.err; st=$?
    [ $st = 0 ] && [ ! -s help_$c.err ] && head -1 help_$c.txt | grep -q "^usage: gandyn $c " \
        && grep -q "^reads" help_$c.txt && ok || bad "$c --help: status $st, $(head -1 help_$c.txt) $(cat help_$c.err)"
    "$gandyn" help $c | cmp -s - help_$c.txt && "$gandyn" $c -h | cmp -s - help_$c.txt && ok || bad "help $c and $c -h differ from $c --help"
    example=$(sed -n '/^example:$/{n;s/^  //;p;}' help_$c.txt)
    case "$example" in "gandyn $c "* | "gandyn "*" && gandyn $c "*) ok ;; *) bad "$c --help: example '$example' is not a $c command"; continue ;; esac
    [ $c = gallery ] && continue
    rm -rf "example_$c" && mkdir "example_$c"
    (cd "example_$c" && PATH="$PWD/../bin:$PATH" GANDYN_PYTHON=$py sh -c "$example" > out.txt 2> err.txt) \
        && (for f in $(echo "$example" | grep -o ' -o [^ ]*' | cut -c5-); do [ -s "example_$c/$f" ] || exit 1; done) \
        && ok || bad "$c --help example failed: $example: $(tail -2 "example_$c/err.txt")"
done
# the keys a command reads come from the library's tables: every [run] key, the [sweep] keys of
# the outcome rule with their defaults (not the sweep's own), the functional model's keys for spectrum
grep -q "^    save_coords    = all " help_run.txt && grep -q "^    diverge_radius = 1e6 " help_run.txt && grep -q "^    grow_factor    = 1e3 " help_run.txt \
    && ! grep -q "^    noise_factor" help_run.txt && ! grep -q "^    kernel " help_run.txt \
    && grep -q "^    r_lo           = 1e-7 " help_rate.txt && grep -q "^    seeds          = 12 " help_portrait.txt \
    && grep -q "^    aug_t          = 0.5 " help_spectrum.txt && grep -q "^reads no CONFIG" help_plot.txt && ok || bad "--help: the keys commands read"
expect 2 "unknown command 'nope'" -- nope --help
expect 2 "unknown command 'nope'" -- help nope

# analyses: eig / rate / portrait JSON as the README describes, errors as one line
expect 1 "has no equilibrium" -- eig good.ini --set model.loss=wgan --set model.reg=wgan_gp
expect 2 "expected KEY:LO:HI:N" -- eig good.ini --scan model.gamma:0:1
expect 2 "unknown key model.gama" -- eig good.ini --scan model.gama:0:1:3
expect 2 "portrait.box = '2:1:0:1'" -- portrait good.ini --set portrait.box=2:1:0:1
expect 2 "unknown option '--scan'" -- rate good.ini --scan model.gamma:0:1:3
expect 2 "--count needs a whole number" -- lyapunov good.ini --count 0
expect 2 "lyapunov.count = 3 exceeds the dimension 2" -- lyapunov good.ini --set lyapunov.count=3
expect 1 "left sweep.diverge_radius" -- lyapunov /dev/null --set model.name=normal_form --set model.form=logistic --set model.r=4.5 --set integrator.h=1 --set run.x0=0.4
"$gandyn" attractor /dev/null --set model.name=normal_form --set model.form=hopf --set model.c_im=0.5 --set integrator.name=cvode --set run.x0=0.3,0 \
    --set attractor.transient=1000 --set attractor.samples=1000 --json > att.json && "$py" - att.json <<'PY' && ok || bad "attractor of a flow --json"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["class"] == "periodic" and abs(d["period_t"] - 2 * math.pi / 1.05) < 1e-8 and abs(d["multipliers"][1][0] - math.exp(-0.2 * d["period_t"])) < 1e-6, d
PY
"$gandyn" lyapunov /dev/null --set model.name=normal_form --set model.form=henon --set integrator.h=1 --json > lyap.json && "$py" - lyap.json <<'PY' && ok || bad "lyapunov --json"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert abs(sum(d["exponents"]) - math.log(0.3)) < 1e-10 and d["sum_check"] < 1e-10 and len(d["stderr"]) == 2, d
PY
"$gandyn" orbit /dev/null --set model.name=normal_form --set model.form=hopf --set model.mu=0.1 --set model.c_im=0.5 --set integrator.name=cvode \
    --set run.x0=0.3,0 -o orbit.h5 --json > orbit.json && "$py" - orbit.json orbit.h5 <<'PY' && ok || bad "orbit --json, /orbit"
import json, math, sys, h5py
d = json.load(open(sys.argv[1]))
T = 2 * math.pi / 1.05  # r^2 = mu, angular speed omega + c_im r^2
assert abs(d["T"] - T) < 1e-8 and abs(d["multipliers"][1][0] - math.exp(-0.2 * T)) < 1e-6 and d["unstable"] == 0, d
assert abs(d["amplitude"] - math.sqrt(0.1)) < 1e-8 and d["output"] == "orbit.h5", d
with h5py.File(sys.argv[2]) as f:
    assert f["/orbit/T"][0] == d["T"] and f["/orbit/x"].shape == (len(f["/orbit/t"]), 2) and f["/orbit/multipliers"].shape == (2, 2)
PY
"$gandyn" continue /dev/null --set model.name=normal_form --set model.form=bautin --set integrator.name=cvode --param model.mu --lo -0.5 --hi 0.5 \
    --cycles -o cyc.h5 --json > cyc.json && "$py" - cyc.json cyc.h5 <<'PY' && ok || bad "continue --cycles --json, /branch/1/T"
import json, math, sys, h5py
d = json.load(open(sys.argv[1]))
b = d["branches"][1]
assert b["kind"] == "cycle" and b["parent_point"] == 0 and d["special"][0]["child"] == 1, d
lpc = [s for s in d["special"] if s["branch"] == 1]
assert len(lpc) == 1 and lpc[0]["test"] == "LPC" and abs(lpc[0]["p"] + 0.25) < 1e-8, lpc  # mu + r^2 - r^4 = 0 folds at -1/4
with h5py.File(sys.argv[2]) as f:
    T, x = f["/branch/1/T"][:], f["/branch/1/x"][:]
    assert abs(T - 2 * math.pi).max() < 1e-8 and len(f["/branch/1/amplitude"]) == len(x), T
PY
# continue --from orbit: the cycle_torus cycle through run.x0 continued both ways, its NS at mu = 0 with theta = 2 pi (1 - nu)
"$gandyn" continue /dev/null --set model.name=normal_form --set model.form=cycle_torus --set model.mu=-0.1 --set integrator.name=cvode --param model.mu \
    --lo -0.2 --hi 0.2 --from orbit -o torus.h5 --json > torus.json && "$py" - torus.json <<'PY' && ok || bad "continue --from orbit --json"
import json, math, sys
d = json.load(open(sys.argv[1]))
b, s = d["branches"], d["special"]
assert len(b) == 1 and b[0]["kind"] == "cycle" and b[0]["parent_point"] is None and b[0]["stop"] == ["bound", "bound"], b
assert b[0]["p_range"] == [-0.2, 0.2] and abs(b[0]["T"][0] - 2 * math.pi) < 1e-8, b
assert len(s) == 1 and s[0]["type"] == "NS" and abs(s[0]["p"]) < 1e-8 and s[0]["resonance"] == "none", s
assert abs(s[0]["theta"] - 2 * math.pi * (1 - 0.6180339887498949)) < 1e-8, s
PY
"$gandyn" eig good.ini --set model.reg=gp --json > eig.json && "$py" - eig.json <<'PY' && ok || bad "eig --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "spiral_sink" and d["equilibrium"] == [0, 0], d
assert sorted(round(v, 6) for _, v in d["eigenvalues"]) == [-0.47697, 0.47697], d
m = d["map"]
assert m["integrator"] == "simgd" and abs(m["spectral_radius"] - 0.9746794) < 1e-6 and m["predicted"] == "converge", m
PY
"$gandyn" eig good.ini --set model.reg=gp --scan model.gamma:0:1.5:16 -o eig.h5 --json > scan.json && "$py" - scan.json <<'PY' && ok || bad "eig --scan"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["scan"]
assert s["key"] == "model.gamma" and len(s["values"]) == 16 and abs(min(s["spectral_radius"]) - 0.9) < 1e-9, s
assert d["output"] == "eig.h5" and d["map"]["spectral_radius"] < 0.975, d
PY
"$gandyn" rate good.ini --set model.reg=gp -o rate.h5 --json > rate.json && "$py" - rate.json <<'PY' && ok || bad "rate --json"
import json, sys
d = json.load(open(sys.argv[1]))
c, q = d["continuous"], d["discrete"]
assert abs(c["measured"]["re"] + 0.15) < 1e-3 and abs(c["measured"]["im"] - 0.4769696) < 1e-3, c
assert abs(q["measured"]["rho"] - q["predicted"]["rho"]) < 1e-3, q
PY
"$gandyn" portrait good.ini --set model.reg=gp -o portrait.h5 --json > portrait.json && "$py" - portrait.json <<'PY' && ok || bad "portrait --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["trajectories"] == 25 and d["equilibria"] == 1 and d["output"] == "portrait.h5", d
assert d["index_sum"] == 1 and d["index_expected"] == 1, d  # one spiral sink inside the box
PY
# the torus census (docs/models/torus.md, `portrait`): at N = 4 the saddle at (pi/2, pi/2) between two node sources
# 0.13 away is found, and over the whole torus the indices add up to 0 (Poincare-Hopf); every
# torus portrait here goes through tests/portrait_index.py (sign det J per equilibrium, the sums)
tbox=--set\ portrait.box=-3.14159265:3.14159265:-3.14159265:3.14159265
"$gandyn" portrait /dev/null --set model.name=torus --set model.N=4 $tbox --set portrait.starts=0 -o torus_n4.h5 --json > torus_n4.json \
    && "$py" - torus_n4.json <<'PY' && ok || bad "portrait torus N = 4: census"
import json, math, sys, h5py
d = json.load(open(sys.argv[1]))
assert d["equilibria"] == 12 and d["index_sum"] == 0 and d["index_expected"] == 0, d
e = h5py.File(d["output"])["equilibria"]
near = [q for q, p in enumerate(e["position"][:]) if math.hypot(p[0] - math.pi / 2, p[1] - math.pi / 2) < 1e-8]
assert len(near) == 1 and e["index"][near[0]] == -1, (near, e["position"][:])
assert e.attrs["types"].split(",")[near[0]] == "saddle" and e.attrs["index_sum"][0] == 0 and e.attrs["index_expected"][0] == 0
PY
for flow in "model.N=1" "model.N=2" "model.N=3" "model.N=5" "model.N=8" "model.flow=real" "model.objective=product --set model.flow=real"; do
    # shellcheck disable=SC2086 # $tbox and $flow are options
    "$gandyn" portrait /dev/null --set model.name=torus --set $flow $tbox --set portrait.starts=2 -o "torus_${flow//[^A-Za-z0-9]/_}.h5" > /dev/null \
        || bad "portrait torus $flow"
done
"$gandyn" portrait /dev/null --set model.name=torus --set portrait.starts=2 -o torus_box.h5 > /dev/null || bad "portrait torus, default box"
"$py" "$here/portrait_index.py" torus_*.h5 > /dev/null && ok || bad "portrait_index.py: torus portraits"

# sweeps: JSON, file layout, progress lines, interruption (SIGINT, kill -9) and --resume
# eig names the steps its map uses: per-player rates when they are set, not h
"$gandyn" eig /dev/null --set integrator.lr_d=0.1 | grep -q "map of simgd (lr_g = 0.2, lr_d = 0.1, analytic): 1 + 0.0707106781i" \
    && ok || bad "eig with lr_d: $("$gandyn" eig /dev/null --set integrator.lr_d=0.1 | grep map)"
# the stability region is a function of z = step * lambda: with lr_g = lr_d = 0.1 (h = 0.2) the marks
# sit at 0.1 * (+-0.5i), the Dirac-GAN's eigenvalues; the file names both rates
"$gandyn" eig /dev/null --set integrator.lr_g=0.1 --set integrator.lr_d=0.1 -o eig_lr.h5 > /dev/null \
    && "$gandyn" eig /dev/null --set integrator.lr_d=0.1 -o eig_lr2.h5 > /dev/null && "$py" - <<'PY' && ok || bad "eig: rates in the file and the stability marks"
import h5py, numpy as np
f, g = h5py.File("eig_lr.h5"), h5py.File("eig_lr2.h5")
e, st = f["eig"].attrs, f["stability"]
assert e["h"][0] == 0.2 and e["lr_g"][0] == 0.1 and e["lr_d"][0] == 0.1 and st.attrs["equal_rates"] == 1, dict(e)
assert np.allclose(sorted(st["hlambda_im"][:]), [-0.05, 0.05], atol=1e-12) and np.allclose(st["hlambda_re"][:], 0, atol=1e-12)
assert g["eig"].attrs["lr_g"][0] == 0.2 and g["eig"].attrs["lr_d"][0] == 0.1 and g["stability"].attrs["equal_rates"] == 0
PY
# a model without a vector field whose stepper has a map (kernel_gda exact): one line says there is
# no flow spectrum, no NaN anywhere, the map's spectrum alone; its dominant pair is the isolated
# point's J_c, |mu|^2 = 1 - lr_d lambda = 0.9, as the linear representation computes it analytically
exact=(/dev/null --set model.name=kernel_gda --set model.representation=exact --set model.history=300 --set integrator.name=altgd
    --set integrator.order=disc_first --set integrator.h=0.1)
"$gandyn" eig "${exact[@]}" > exact.txt 2> exact.err && [ ! -s exact.err ] && ! grep -qi nan exact.txt \
    && [ "$(grep -c "^no flow spectrum: the model has no vector field here (representation = exact" exact.txt)" = 1 ] \
    && ! grep -q "^eigenvalues:" exact.txt && grep -q "^type: map$" exact.txt && grep -q "^map of altgd (h = 0.1, finite differences): 0.94" exact.txt \
    && grep -q "^spectral radius: 0.9486832" exact.txt && ok || bad "eig without a field (text): $(cat exact.txt exact.err)"
"$gandyn" eig "${exact[@]}" --json -o exact.h5 > exact.json && "$gandyn" eig "${exact[@]}" --set model.representation=linear --json > exact_lin.json \
    && "$py" - exact.json exact_lin.json <<'PY' && ok || bad "eig without a field (JSON, file)"
import json, math, sys, h5py
d, lin = (json.load(open(p)) for p in sys.argv[1:])
assert d["has_flow"] is False and d["eigenvalues"] is None and "vector field" in d["no_flow"] and d["type"] == "map", d["no_flow"]
assert lin["has_flow"] is True and lin["no_flow"] is None and len(lin["eigenvalues"]) == 2  # x~ and b_c
m = d["map"]
# state [x~ | A | B | Z_0 ... Z_299]: one generated point, two weights, 300 past positions
assert all(math.isfinite(v) for z in m["eigenvalues"] for v in z) and len(m["eigenvalues"]) == len(d["equilibrium"]) == 1 + 2 + 300
assert abs(m["spectral_radius"] - math.sqrt(0.9)) < 1e-6 and abs(m["spectral_radius"] - lin["map"]["spectral_radius"]) < 1e-6, m["spectral_radius"]
e = h5py.File("exact.h5")["eig"]
assert e.attrs["has_flow"] == 0 and "vector field" in e.attrs["no_flow"] and "eig_re" not in e and "map_re" in e
assert "stability" not in h5py.File("exact.h5") and abs(e.attrs["rho"][0] - math.sqrt(0.9)) < 1e-6
PY
# a game with no isolated equilibrium: eig says so in one line
expect 1 "torus objective 'mode' has no isolated equilibrium" -- eig /dev/null --set model.name=torus --set model.objective=mode
# -o '' computes without a file, in every command that writes one: nothing written (no
# checkpoint either), "output":null in the JSON
"$py" -c "import h5py, numpy as np; h5py.File('nofile_points.h5', 'w')['points'] = np.random.default_rng(0).normal(size=(100, 1))"
mkdir -p nofile
for c in run eig "eig --scan model.gamma:0.1:1:3" rate portrait "spectrum --set model.name=functional" "sweep --set sweep.x=integrator.h:0.1:1:4" estimate; do
    in=/dev/null && [ "$c" = estimate ] && in=../nofile_points.h5
    # shellcheck disable=SC2086 # $c is the command and its options
    (cd nofile && "$gandyn" ${c%% *} "$in" $([ "$c" = "${c%% *}" ] || echo "${c#* }") -o '' --json 2> /dev/null) > nofile.json \
        && grep -q '"output":null' nofile.json && [ -z "$(ls -A nofile)" ] && ok || bad "$c -o '' wrote something: $(ls -A nofile) $(cat nofile.json)"
done
gp="--set model.reg=gp --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.02:2:40:log --set sweep.y=model.gamma:0.02:3:30 --set integrator.steps=2000"
"$gandyn" sweep good.ini $gp -o sweep.h5 --json > sweep.json 2> sweep.err && "$py" - sweep.json <<'PY' && ok || bad "sweep --json"
import json, sys, h5py, numpy as np
d = json.load(open(sys.argv[1]))
assert d["cells"] == 1200 and d["agreement"] >= 0.99 and d["output"] == "sweep.h5", d
assert sum(d["counts"].values()) == 1200
s = h5py.File("sweep.h5")["sweep"]
assert s["outcome"].shape == (30, 40) and s["rho"].shape == (30, 40) and s["axis_x"].shape == (40,)
assert h5py.check_enum_dtype(s["outcome"].dtype) == {"converge": 0, "oscillate": 1, "diverge": 2}
assert np.all(s["outcome"][:] == s["predicted"][:]) or (s["outcome"][:] == s["predicted"][:]).mean() >= 0.99
PY
grep -q "^sweep: 1200/1200 cells" sweep.err && ok || bad "sweep progress lines: $(cat sweep.err)"
[ ! -e sweep.h5.ckpt ] && ok || bad "checkpoint left after a finished sweep"
# a basin sweep (docs/bifurcations.md, "Sweeps and basins"): the D8 starts (1e-3, 1e-3) and (0.5, 0.5)
# reach the period-2 orbit and a stall; JSON counts, the file's classes, a part and its merge
d8="--set model.reg=none --set integrator.name=altgd --set integrator.n_d=5 --set integrator.h=1.85 --set integrator.steps=200000
    --set sweep.x=run.x0.0:1e-3:0.5:2 --set sweep.y=run.x0.1:1e-3:0.5:2 --set sweep.attractor=1"
"$gandyn" sweep /dev/null $d8 -o basin.h5 --json > basin.json 2> /dev/null && "$gandyn" sweep /dev/null $d8 --cells 0:4 -o basin_part.h5 > /dev/null 2>&1 \
    && "$gandyn" merge basin_part.h5 -o basin_merged.h5 > basin_merged.txt && "$py" - basin.json <<'PY' && ok || bad "basin sweep --json and file"
import json, sys, h5py, numpy as np
d = json.load(open(sys.argv[1]))
s, m = h5py.File("basin.h5"), h5py.File("basin_merged.h5")
cls = s["sweep/attractor"][:]
assert h5py.check_enum_dtype(s["sweep/attractor"].dtype)["stall"] == 5
assert cls[0, 0] == 1 and s["sweep/period"][0, 0] == 2 and cls[1, 1] == 5, cls
assert d["attractors"]["periodic"] + d["attractors"]["stall"] + d["attractors"]["fixed"] == 4 and d["undetermined"] == [], d
b = s["sweep/basin"][:]
assert b[0, 0] == 0 and b[1, 1] != b[0, 0] and len(d["basin"]) == b.max() + 1, (b, d["basin"])
assert d["basin"][0]["class"] == "periodic" and d["basin"][0]["period"] == 2
pts = s["basin/attractors/0/points"][:]
assert pts.shape == (2, 2) and np.allclose(np.abs(pts), [[0.25747293, 0.60348996]] * 2, atol=1e-8), pts
assert s["basin/attractors/0"].attrs["name"] == "periodic 2"
# the merge rebuilds the attractor columns and the basin (the part holds its tables)
for k in ["attractor", "period", "amplitude", "lyap1", "period_t", "unstable", "steps_used", "basin"]:
    assert np.array_equal(m["sweep/" + k][:], s["sweep/" + k][:], equal_nan=k in ("amplitude", "lyap1", "period_t")), k
assert np.array_equal(m["basin/attractors/0/points"][:], pts) and m["basin"].attrs["count"] == s["basin"].attrs["count"]
text = open("basin_merged.txt").read()
assert "basin: %d attractors: 0 periodic 2" % len(d["basin"]) in text and "not labelled" not in text, text
PY
# the attractor fields of a flow (cvode, cell by cell: the hopf form's cycle, T = 2 pi / (1 + mu / 2))
# and of a rule whose map carries history (optimistic on the GAN + GP: fixed)
"$gandyn" sweep /dev/null --set model.name=normal_form --set model.form=hopf --set integrator.name=cvode --set integrator.t_end=300 \
    --set run.x0=0.3,0 --set sweep.x=model.mu:-0.2:0.2:2 --set sweep.attractor=1 -o flow_attr.h5 > /dev/null 2>&1 \
    && "$gandyn" sweep /dev/null --set model.reg=gp --set integrator.name=optimistic --set sweep.x=integrator.h:0.2:0.5:2 --set sweep.attractor=1 \
    --set integrator.steps=2000 -o hist_attr.h5 > /dev/null 2>&1 && "$py" - <<'PY' && ok || bad "sweep attractor fields of a flow and of optimistic"
import h5py, numpy as np
f, o = h5py.File("flow_attr.h5"), h5py.File("hist_attr.h5")
assert list(f["sweep/attractor"][0]) == [0, 1] and np.isnan(f["sweep/period_t"][0, 0]), f["sweep/attractor"][:]
assert abs(f["sweep/period_t"][0, 1] - 2 * np.pi / 1.1) < 1e-8, f["sweep/period_t"][:]
assert list(o["sweep/attractor"][0]) == [0, 0] and list(o["sweep/period"][0]) == [1, 1], o["sweep/attractor"][:]
PY
expect 2 "sweep axis run.output" -- sweep good.ini --set sweep.x=run.output:0:1:3
expect 2 "unknown key model.gama" -- sweep good.ini --set sweep.x=model.gama:0:1:3

big="--set model.reg=gp --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.02:2:200:log --set sweep.y=model.gamma:0.02:3:100 --set integrator.steps=100000"
"$gandyn" sweep good.ini $big --threads 2 -o ref.h5 > /dev/null 2>&1
for sig in INT KILL; do
    rm -f cut.h5 cut.h5.ckpt
    "$gandyn" sweep good.ini $big --threads 1 -o cut.h5 > /dev/null 2> cut.err &
    pid=$!
    sleep 1
    kill -$sig $pid
    { wait $pid; } 2> /dev/null; st=$?
    if [ -e cut.h5 ] || [ ! -s cut.h5.ckpt ]; then bad "$sig: final file present or no checkpoint (status $st)"; continue; fi
    [ $sig = INT ] && { [ $st = 1 ] && [ "$(grep -c "^gandyn:" cut.err)" = 1 ] && grep -q "rerun with --resume" cut.err && ok || bad "SIGINT message: $(cat cut.err)"; }
    "$gandyn" sweep good.ini $big --threads 2 -o cut.h5 --resume > /dev/null 2>&1 && [ ! -e cut.h5.ckpt ] && "$py" - <<'PY' && ok || bad "$sig + --resume differs from an uninterrupted sweep"
import h5py, numpy as np
a, b = h5py.File("ref.h5")["sweep"], h5py.File("cut.h5")["sweep"]
for k in ("outcome", "predicted", "rho", "rate", "axis_x", "axis_y"):
    assert np.array_equal(a[k][:], b[k][:], equal_nan=(k in ("rho", "rate"))), k
PY
done

"$gandyn" critical good.ini --set integrator.name=altgd --set run.x0=1e-8,1e-8 --set integrator.steps=20000 --param integrator.h --lo 3 --hi 5 --json > crit.json && "$py" - crit.json <<'PY' && ok || bad "critical --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["param"] == "integrator.h" and d["below"] == "oscillate" and d["above"] == "diverge", d
assert abs(d["value"] / 4 - 1) < 1e-4 and abs(d["predicted"] / 4 - 1) < 1e-4, d
PY
# continue: the Dirac GAN with a gradient penalty under simgd has one NS point, at h = gamma / f'(0)^2 = 1.2
# (docs/bifurcations.md), in the JSON and in the file
"$gandyn" continue good.ini --set model.reg=gp --set integrator.h=0.5 --param integrator.h --lo 0.5 --hi 1.5 -o cont.h5 --json > cont.json \
    && "$py" - cont.json <<'PY' && ok || bad "continue --json"
import json, sys, h5py
d = json.load(open(sys.argv[1]))
s = d["special"]
assert len(d["branches"]) == 1 and len(s) == 1 and s[0]["type"] == "NS" and abs(s[0]["p"] - 1.2) < 1e-10, d
assert s[0]["criticality"] == "super" and abs(s[0]["coeff"] + 0.081) < 1e-6 and d["branches"][0]["stop"] == ["bound", "bound"], s
f = h5py.File(d["output"])
b = f["branch/0"]
assert b["p"].shape[0] == d["branches"][0]["points"] and b["x"].shape == (b["p"].shape[0], 2) and list(f["points/type"][:]) == [5]
assert list(b["type"][:]).count(5) == 1 and b.attrs["kind"] == "fixed_point"
PY
# continue --from: the period-2 branch of the logistic map from the PD point (r = 3) of an earlier file; its own
# PD at 1 + sqrt 6, the orbit |x - (r + 1)/2r| = sqrt((r + 1)(r - 3))/2r; --from x0 is continuation.start = x0
lg="--set model.name=normal_form --set model.form=logistic --set model.r=2.5 --set integrator.h=1 --set run.x0=0.6"
"$gandyn" continue /dev/null $lg --set continuation.branches=1 --param model.r --lo 2.5 --hi 3.4 -o pd1.h5 > /dev/null \
    && "$gandyn" continue /dev/null $lg --param model.r --lo 3 --hi 3.5 --period 2 --from 'pd1.h5#/points/0' -o pd2.h5 --json > pd2.json \
    && "$gandyn" continue /dev/null $lg --set model.r=3.2 --param model.r --lo 3 --hi 3.5 --from x0 -o pd3.h5 --json > pd3.json \
    && "$py" - pd1.h5 pd2.json pd3.json <<'PY' && ok || bad "continue --from"
import json, sys, h5py, math
p1 = h5py.File(sys.argv[1])["points"]
assert abs(p1["p"][0] - 3) < 1e-10 and abs(p1["x"][0, 0] - 2 / 3) < 1e-10
d = json.load(open(sys.argv[2]))
pd = [s for s in d["special"] if s["type"] == "PD"]
assert len(pd) == 1 and abs(pd[0]["p"] - (1 + math.sqrt(6))) < 1e-10, d["special"]
b = h5py.File(d["output"])["branch/%d" % pd[0]["branch"]]
assert b.attrs["period"] == 2
r, x = b["p"][:], b["x"][:, 0]
amp = abs(x - (r + 1) / (2 * r)) - ((r + 1) * (r - 3)).clip(0) ** 0.5 / (2 * r)
assert abs(amp).max() < 1e-8, abs(amp).max()
# from run.x0 at r = 3.2, above the PD: the fixed point 1 - 1/r, continued down through its PD at 3
e = json.load(open(sys.argv[3]))
assert [s["type"] for s in e["special"]][:1] == ["PD"] and abs(e["special"][0]["p"] - 3) < 1e-10, e["special"]
PY
expect 2 "continue needs --param" -- continue good.ini --lo 1 --hi 2
expect 2 "outside" -- continue good.ini --set integrator.h=0.2 --param integrator.h --lo 0.5 --hi 1
expect 2 "real" -- continue good.ini --param model.loss --lo 0 --hi 1
expect 2 "unknown option" -- continue good.ini --param integrator.h --lo 0 --hi 1 --rtol 1
expect 2 "allow_negative" -- continue good.ini --set model.reg=gp --set model.gamma=-0.5 --param model.gamma --lo -0.5 --hi 0.5
# normal: D1's NS point at h = 1.2 (d = -0.081), the type found without --type, in the JSON and in /normal;
# the logistic map's flip at r = 3 (c = 9) and, at r = 3.01, the predicted period-2 orbit eta^2 = (|mu| - 1)/c
"$gandyn" normal good.ini --set model.reg=gp --param integrator.h --at 1.2 -o normal.h5 --json > normal.json \
    && "$gandyn" normal /dev/null $lg --param model.r --at 3.01 --type pd --json > normal_pd.json \
    && "$py" - normal.json normal_pd.json <<'PY' && ok || bad "normal --json, /normal"
import json, sys, h5py, math
d = json.load(open(sys.argv[1]))
assert d["type"] == "NS" and d["kind"] == "fixed_point" and d["param"] == "integrator.h" and d["p"] == 1.2, d
assert abs(d["d"] + 0.081) < 1e-6 and d["coeff"] == d["d"] and abs(d["theta"] - 0.6093853) < 1e-7 and abs(d["distance"]) < 1e-12, d
assert d["criticality"] == "super" and d["resonance"] == "none" and d["output"] == "normal.h5" and "l1" not in d, d
n = h5py.File(d["output"])["normal"]
assert list(n["x"][:]) == d["x"] and n.attrs["coeff"] == d["coeff"] and n.attrs["type"] == "NS" and n["eigenvalues"].shape == (2, 2)
e = json.load(open(sys.argv[2]))
r = 3.01
assert e["type"] == "PD" and abs(e["c"] - 2 * r * r / (r - 1)) < 1e-5 and abs(e["distance"] - (r - 3)) < 1e-12, e
assert abs(e["amplitude"] - math.sqrt((r - 3) / e["c"])) < 1e-12 and e["output"] is None, e
PY
# normal --from: the x of continue's PD point (pd1.h5 above) as the start, at its r = 3
"$gandyn" normal /dev/null $lg --param model.r --at 3 --from 'pd1.h5#/points/0' --json > normal_from.json \
    && "$py" - normal_from.json <<'PY' && ok || bad "normal --from FILE.h5#/points/N"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "PD" and abs(d["x"][0] - 2 / 3) < 1e-12 and abs(d["c"] - 9) < 1e-6 and d["criticality"] == "super", d
PY
expect 2 "normal needs --param" -- normal good.ini --at 1
expect 2 "normal needs --param" -- normal good.ini --param integrator.h
expect 2 "--type must be hopf, ns, pd or lp" -- normal good.ini --param integrator.h --at 1 --type flip
expect 2 "--at needs a finite number" -- normal good.ini --param integrator.h --at inf
expect 2 "--type hopf needs a flow" -- normal good.ini --param integrator.h --at 1 --type hopf
expect 2 "--type pd needs a map" -- normal /dev/null --set model.name=normal_form --set integrator.name=cvode --param model.mu --at 0 --type pd
expect 2 "needs a complex pair of eigenvalues" -- normal /dev/null --set model.name=normal_form --set model.form=transcritical --set integrator.name=cvode --set run.x0=0.5 --param model.mu --at 0.5 --type hopf
expect 2 "no equilibrium found" -- normal /dev/null --set model.name=normal_form --set model.form=fold --set integrator.name=cvode --set run.x0=1,0 --param model.mu --at -1
expect 2 "keeps a history" -- normal good.ini --set integrator.name=optimistic --param integrator.h --at 1
expect 2 "critical needs --param" -- critical good.ini --lo 1 --hi 2
expect 2 "both converge" -- critical good.ini --set model.reg=gp --param integrator.h --lo 0.1 --hi 0.2
# optimistic carries the previous field: its map has 2 dim coordinates (a buffer overrun once)
"$gandyn" critical good.ini --set model.reg=gp --set integrator.name=optimistic --set run.x0=1e-3,1e-3 --set integrator.steps=20000 \
    --param integrator.h --lo 0.01 --hi 3 --json > crit_opt.json && "$py" - crit_opt.json <<'PY' && ok || bad "critical optimistic (dirac)"
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["value"] / d["predicted"] - 1) < 1e-5 and abs(d["predicted"] - 1.26175007) < 1e-6, d
PY
# the boundary curve h_max(gamma) of SimGD with a gradient penalty against its closed form
# (docs/models/dirac.md V7): gamma/f'^2 below gamma = 2f', 2/(gamma/2 + sqrt(gamma^2/4 - f'^2)) above
"$gandyn" critical good.ini --set model.reg=gp --set run.x0=1e-3,1e-3 --set integrator.steps=20000 --param integrator.h \
    --lo 0.5 --hi 5 --trace model.gamma:0.3:1.5:5 --json > trace.json && "$py" - trace.json <<'PY' && ok || bad "critical --trace"
import json, math, sys
d = json.load(open(sys.argv[1]))
assert d["trace"] == "model.gamma" and len(d["points"]) == 5, d
for p in d["points"]:
    g, fp = p["at"], 0.5
    hmax = g / fp**2 if g < 2 * fp else 2 / (g / 2 + math.sqrt(g * g / 4 - fp * fp))
    assert abs(p["value"] / hmax - 1) < 1e-4 and abs(p["predicted"] / hmax - 1) < 1e-4, (p, hmax)
PY
expect 2 "trace" -- critical good.ini --param integrator.h --lo 0.5 --hi 5 --trace model.gamma:1:2
# critical --classes: the logistic map's flip at r = 3 (local, the fixed point's crossing) and the 2-cycle's at 1 + sqrt(6)
# (9 values: none is r = 3 itself, where the run is neutral),
# in the JSON, the text and the file (docs/bifurcations.md, "critical: where the observed class changes")
logistic=(--set model.name=normal_form --set model.form=logistic --set integrator.h=1 --set run.x0=0.1234 --param model.r --lo 2.8 --hi 3.5)
"$gandyn" critical /dev/null "${logistic[@]}" --n 9 -o crit_classes.h5 --json > crit_classes.json && "$py" - crit_classes.json <<'PY' && ok || bad "critical --classes --json"
import json, math, sys
import h5py
d = json.load(open(sys.argv[1]))
b = d["boundaries"]
assert [x["kind"] for x in b] == ["local", "local"] and [x["type"] for x in b] == ["PD", "PD"], b
assert abs(b[0]["refined"] - 3) < 1e-8 and abs(b[1]["refined"] - 1 - math.sqrt(6)) < 1e-8, b
assert b[0]["below"] == {"class": "fixed", "period": 1} and b[0]["above"] == {"class": "periodic", "period": 2}, b
assert d["below"] == "converge" and d["above"] == "oscillate" and d["value"] == b[0]["value"] and d["output"] == "crit_classes.h5", d
f = h5py.File("crit_classes.h5")
assert f["scan/p"].shape == (d["values"],) and f["scan/samples"].shape == (d["values"], 200, 1) and int(f["scan/grid"][:].sum()) == 9
assert f["boundaries"].attrs["kind"] == "local;local" and f["boundaries"].attrs["type"] == "PD;PD"
PY
"$gandyn" critical /dev/null "${logistic[@]}" --classes --set critical.n=9 > crit_classes.txt && grep -qE "local   (2.99|3.000).* fixed 1 -> periodic 2; PD at 3 \(super\)" crit_classes.txt \
    && ok || bad "critical --classes text: $(head -2 crit_classes.txt)"
# critical --classes on a flow: the hopf form (cvode) from (0.3, 0) over mu in [-0.5, 0.5], fixed below its
# Hopf point at 0 and periodic above: one local boundary of type H refined to 0 (tests/test_critical.c)
"$gandyn" critical /dev/null --set model.name=normal_form --set model.form=hopf --set integrator.name=cvode --set run.x0=0.3,0 \
    --set attractor.transient=5000 --set attractor.samples=500 --set lyapunov.t_end=200 --param model.mu --lo -0.5 --hi 0.5 --classes --n 4 --json \
    > crit_flow.json && "$py" - crit_flow.json <<'PY' && ok || bad "critical --classes on a flow"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["boundaries"]
assert len(b) == 1 and b[0]["kind"] == "local" and b[0]["type"] == "H" and abs(b[0]["refined"]) < 1e-8, b
assert b[0]["below"] == {"class": "fixed", "period": 1} and d["below"] == "converge" and d["above"] == "oscillate", d
PY

# spectrum: -Delta_p of the uniform torus (docs/models/functional.md V1), WGAN + GP operator
# (V6) and the logit GAN's von Mises k = 1 roots (V7); the operator's eigenvalues match the
# mode roots
"$gandyn" spectrum /dev/null --set model.name=functional --set model.gamma=0.5 --set model.N=63 -o spectrum.h5 --json > spec.json \
    && "$py" - spec.json <<'PY' && ok || bad "spectrum --json (WGAN + GP)"
import json, sys
d = json.load(open(sys.argv[1]))
lam, op = d["laplacian"], d["operator"]
assert len(lam) == 63 and abs(lam[0]) < 1e-9, lam[:3]
assert all(abs(lam[2 * k - 1] / k**2 - 1) < 1e-9 and abs(lam[2 * k] / k**2 - 1) < 1e-9 for k in range(1, 32))
assert len(op) == 126 and all(len(z) == 2 for z in op)
def near(re, im): return min(abs(complex(*z) - complex(re, im)) for z in op)
for re, im, tol in [(-0.25, 0.968245836552, 1e-10), (-1, 1.732050807569, 1e-10), (-4, 0, 1e-6), (-2.143593539449, 0, 1e-10), (-29.856406460551, 0, 1e-10)]:
    assert near(re, im) < tol, (re, im, near(re, im))
assert d["slowest"]["k"] in (1, 2) and abs(d["rate"] - 0.25) < 1e-12 and d["mode_gap"] < 1e-6, d
PY
"$gandyn" spectrum /dev/null --set model.name=functional --set model.loss=gan_sat --set model.density=vonmises --set model.N=63 \
    -o spectrum_vm.h5 --json > spec_vm.json && "$py" - spec_vm.json <<'PY' && ok || bad "spectrum --json (logit GAN, von Mises)"
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["laplacian"][1] - 1.165496530465) < 1e-9 and abs(d["laplacian"][2] - 1.165496530465) < 1e-9
s = d["slowest"]
assert abs(s["re"] + 0.25) < 1e-12 and abs(abs(s["im"]) - 0.478407914458) < 1e-9, s
assert min(abs(complex(*z) - complex(-0.25, 0.478407914458)) for z in d["operator"]) < 1e-9
PY
# loss = custom (the explicit a, b, c): the slowest root against the quadratic formula on
# the uniform torus (lambda_1 = 1), the operator against the mode roots, and the file's abc attribute
"$gandyn" spectrum /dev/null --set model.name=functional --set model.loss=custom --set model.a=0.2 --set model.b=1.5 --set model.c=0.4 \
    --set model.gamma=0.1 --set model.N=31 -o spectrum_custom.h5 --json > spec_custom.json \
    && "$py" - spec_custom.json spectrum_custom.h5 <<'PY' && ok || bad "spectrum --json (loss = custom)"
import cmath, json, sys
import h5py
d = json.load(open(sys.argv[1]))
B, C = 0.2 + 0.1 * 1, 1.5 * 0.4 * 1
s = (-B + cmath.sqrt(B * B - 4 * C)) / 2
assert d["slowest"]["k"] in (1, 2) and abs(complex(d["slowest"]["re"], abs(d["slowest"]["im"])) - s) < 1e-12, (d["slowest"], s)
assert abs(d["rate"] - B / 2) < 1e-12 and d["mode_gap"] < 1e-10, d
with h5py.File(sys.argv[2]) as f:
    assert list(f["/model"].attrs["abc"]) == [0.2, 1.5, 0.4] and f["/model"].attrs["loss"] in (b"custom", "custom"), dict(f["/model"].attrs)
PY
"$gandyn" spectrum /dev/null --set model.name=functional --set model.density=gauss --set model.L=24 --set model.N=255 --ground-state \
    -o spectrum_gs.h5 --json > spec_gs.json && "$py" - spec_gs.json <<'PY' && ok || bad "spectrum --ground-state (V3)"
import json, sys
d = json.load(open(sys.argv[1]))
assert all(abs(d["laplacian"][n] / n - 1) < 1e-9 for n in range(1, 6)) and len(d["operator"]) == 510, d["laplacian"][:6]
PY
# critical steps against the spectrum (docs/models/functional.md, `critical`): the largest
# stable step of each fixed-step integrator, observed by bisection on runs from a start
# exciting every mode, is where the per-mode map of the spectrum's roots first reaches
# |eigenvalue| = 1
if "$py" -c 'import numpy' 2> /dev/null; then
    base=(--set model.name=functional --set model.loss=gan_sat --set model.gamma=0.2 --set model.N=15)
    "$gandyn" spectrum /dev/null "${base[@]}" -o crit_spec.h5 --json > crit_spec.json
    x0=$("$py" -c "import math; print(','.join('%.6g' % (1e-3 * math.cos(1.7 * i * i + 0.3)) for i in range(30)))")
    for integ in simgd extragradient optimistic altgd rk4; do
        "$gandyn" critical /dev/null "${base[@]}" --set integrator.name=$integ --set run.x0=$x0 --set integrator.steps=8000 \
            --param integrator.h --lo 0.001 --hi 2 --json > crit_$integ.json
        "$py" - crit_spec.json crit_$integ.json $integ <<'PY' && ok || bad "critical $integ against the spectrum"
import json, sys
import numpy as np
spec, crit, integ = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
lam = spec["laplacian"]
roots = [(complex(*r[0]), complex(*r[1])) for r in spec["roots"]]
a = b = c = 0.5; gamma = 0.2
def rho(h):
    worst = 0
    for k, (sp, sm) in enumerate(roots):
        if integ == "altgd" and k > 0:  # gen-first alternating map of the block
            al = a + gamma * lam[k]
            M = np.array([[1, h * c], [-h * b * lam[k], 1 - h * al - h * h * b * c * lam[k]]])
            worst = max(worst, max(abs(np.linalg.eigvals(M))))
            continue
        for s in (sp, sm):
            z = h * s
            if integ == "optimistic":
                r = max(abs(np.roots([1, -(1 + 2 * z), z])))
            else:
                r = abs({"simgd": 1 + z, "extragradient": 1 + z + z * z, "altgd": 1 + z,
                         "rk4": 1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24}[integ])
            worst = max(worst, r)
    return worst
lo, hi = 1e-3, 2.0
for _ in range(60):
    mid = 0.5 * (lo + hi)
    lo, hi = (mid, hi) if rho(mid) < 1 else (lo, mid)
assert crit["below"] == "converge" and crit["above"] == "diverge", crit
assert abs(crit["predicted"] / lo - 1) < 1e-6, (crit["predicted"], lo)
assert abs(crit["value"] / lo - 1) < 1e-3, (crit["value"], lo)
print(f"{integ}: critical h observed {crit['value']:.7f}, from the spectrum {lo:.7f}")
PY
    done
fi
# a sweep that sets the FFTW-planning functional model up on two threads per cell (the
# planner is not thread-safe: it corrupted the heap before gandyn serialised it) equals one thread
fsweep=(sweep /dev/null --set model.name=functional --set model.loss=gan_sat --set model.N=9 --set integrator.steps=300
    --set sweep.x=integrator.h:0.05:0.6:12 --set sweep.y=model.gamma:0:1:12)
for th in 1 2; do "$gandyn" "${fsweep[@]}" --threads $th -o fsweep_$th.h5 > /dev/null 2>&1 || bad "functional sweep, $th threads"; done
"$py" -c 'import h5py, numpy as np, sys; a, b = (h5py.File(f)["sweep/outcome"][:] for f in sys.argv[1:]); assert (a == b).all()' \
    fsweep_1.h5 fsweep_2.h5 && ok || bad "functional sweep: 2 threads differ from 1"
# the augmentation study: lambda_1 along model.aug_t; V4 on the torus (rising to the end), and
# the mixture on the line, whose best width is interior (t* ~ 1.28, lambda_1 0.14485)
"$gandyn" spectrum /dev/null --set model.name=functional --set model.density=bimodal --set model.kappa=4 --set model.N=127 \
    --set model.augment=simple --scan model.aug_t:0:1.5:31 -o aug_torus.h5 --json > aug_torus.json && "$py" - aug_torus.json <<'PY' && ok || bad "spectrum --scan (torus)"
import json, sys
sc = json.load(open(sys.argv[1]))["scan"]
assert sc["key"] == "model.aug_t" and len(sc["values"]) == 31 and abs(sc["values"][10] - 0.5) < 1e-15
assert abs(sc["lambda1"][0] / 3.17702655e-3 - 1) < 1e-7 and abs(sc["lambda1"][10] / 1.720673995e-1 - 1) < 1e-6, sc["lambda1"][:11]
assert all(b > a for a, b in zip(sc["lambda1"], sc["lambda1"][1:])) and sc["best"]["value"] == 1.5, sc["best"]
PY
"$gandyn" spectrum /dev/null --set model.name=functional --set model.density=mixture --set model.sep=4 --set model.sigma=0.5 --set model.L=24 \
    --set model.N=255 --set model.augment=simple --ground-state --scan model.aug_t:0:3:31 -o aug_line.h5 --json > aug_line.json \
    && "$py" - aug_line.json <<'PY' && ok || bad "spectrum --scan (line, interior best width)"
import json, sys
b = json.load(open(sys.argv[1]))["scan"]["best"]
assert 1.2 < b["value"] < 1.35 and abs(b["lambda1"] - 0.14485) < 2e-4, b
PY
expect 2 "scan of model.N: the grid must not change" -- spectrum /dev/null --set model.name=functional --set model.N=15 --scan model.N:15:31:3
expect 2 "spectrum: model 'dirac' has no -Delta_p" -- spectrum good.ini
expect 2 "unknown option '--ground-state'" -- run good.ini --ground-state
# estimate: V10 on a quantile sample of N(0, 1), the outlier warning on a random one, errors
"$py" - <<'PY' || bad "estimate: cannot write the points files"
import h5py, numpy as np
from statistics import NormalDist
inv = NormalDist().inv_cdf
with h5py.File("quantile.h5", "w") as f:
    f["/points"] = np.array([inv((i + 0.5) / 1000) for i in range(1000)])
    f["/grid"] = np.zeros((3, 2, 2))
with h5py.File("random.h5", "w") as f:
    f["/points"] = np.random.default_rng(0).standard_normal(1000)  # README, `estimate`: lambda_1 = 0.049
    f["/big"] = np.zeros(4001)
PY
"$gandyn" estimate quantile.h5 --json -o est.h5 > est.json 2> est.err && [ ! -s est.err ] && "$py" - est.json <<'PY' && ok || bad "estimate --json (V10)"
import json, sys, h5py
d = json.load(open(sys.argv[1]))
lam = d["lambda"]
assert d["n"] == 1000 and d["d"] == 1 and d["t"] == 0.02 and d["alpha"] == 0.5 and len(lam) == 6, d
assert abs(lam[0]) < 1e-9 and abs(lam[1] - 1.0168) < 0.03 and abs(lam[2] - 2.0153) < 0.05 and abs(lam[3] - 3.034) < 0.1, lam
assert d["components"] == 1 and d["outliers"] == 0, d
f = h5py.File("est.h5")
assert abs(f["lambda"][1] - lam[1]) < 1e-15 and f["lambda"].attrs["n"] == 1000 and f["lambda"].attrs["components"] == 1
assert f.attrs["command"].startswith("gandyn estimate quantile.h5")
PY
"$gandyn" estimate quantile.h5 --alpha 0 --nev 3 --json > est0.json && "$py" - est0.json <<'PY' && ok || bad "estimate --alpha 0"
import json, sys
lam = json.load(open(sys.argv[1]))["lambda"]
assert len(lam) == 3 and abs(lam[1] - 1.92) < 0.05 and abs(lam[2] - 3.77) < 0.1, lam
PY
"$gandyn" estimate random.h5 --json > rnd.json 2> rnd.err; st=$?
[ "$st" = 0 ] && [ "$(wc -l < rnd.err)" = 1 ] && grep -q "^gandyn: warning: 2 of 1000 points are outliers" rnd.err \
    && "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lambda"][1] < 0.06 and d["outliers"] == 2, d' rnd.json \
    && ok || bad "estimate outlier warning (status $st): $(cat rnd.err)"
expect 2 "cannot open HDF5 file 'nothere.h5'" -- estimate nothere.h5
expect 2 "quantile.h5': no dataset /nope" -- estimate quantile.h5 --dataset /nope
expect 2 "/grid has rank 3" -- estimate quantile.h5 --dataset /grid
expect 2 "t = 0 must be a finite number > 0" -- estimate quantile.h5 --t 0
expect 2 "--t needs a finite number" -- estimate quantile.h5 --t abc
expect 2 "alpha = 1.5 must be in" -- estimate quantile.h5 --alpha 1.5
expect 2 "4001 points is more than" -- estimate random.h5 --dataset /big
expect 2 "missing DATA.h5" -- estimate --json

# particles: the smoothness constant's step limit 2/L against the observed critical step
pts=(--set model.name=particles --set model.particles="0.2,0.1;1.7,-0.2;0.1,2.2;2.1,1.8" --set model.data="0,0;2,0;0,2;2,2"
    --set integrator.steps=4000)
"$gandyn" smoothness /dev/null "${pts[@]}" --json > smooth.json && "$gandyn" critical /dev/null "${pts[@]}" --param integrator.h --lo 0.1 --hi 10 \
    --json > smooth_crit.json && "$py" - smooth.json smooth_crit.json <<'PY' && ok || bad "smoothness vs critical (particles)"
import json, sys
s, c = (json.load(open(p)) for p in sys.argv[1:])
assert s["outcome"] == "converge" and abs(s["eq_top"] - 0.4173877) < 1e-6 and abs(s["h_limit"] * s["eq_top"] - 2) < 1e-12, s
assert abs(c["predicted"] / s["h_limit"] - 1) < 1e-6 and abs(c["value"] / s["h_limit"] - 1) < 2e-3, (c, s)
PY
# smoothness reports every start: curvature (1 - x^2) e^{-x^2/2} of one particle over data at 0
"$gandyn" smoothness /dev/null --set model.name=particles --set model.particles=0.5 --set model.data=0 --set "run.x0=0.5;1.7320508075688772" \
    --json > smooth2.json && "$py" - smooth2.json <<'PY' && ok || bad "smoothness per start"
import json, math, sys
s = json.load(open(sys.argv[1]))
a, b = s["starts"]
assert len(s["starts"]) == 2 and s["start_top"] == a["start_top"] and s["h_limit"] == a["h_limit"], s
assert abs(a["start_top"] - 0.75 * math.exp(-0.125)) < 1e-10 and abs(b["start_top"] + 2 * math.exp(-1.5)) < 1e-10, s
PY
"$gandyn" run /dev/null --set model.name=particles --set model.critic=w1 --set model.particles=0.3 --set model.data=0 --set integrator.h=1 \
    -o chatter.h5 --json > chatter.json && "$py" -c 'import json,sys; t=json.load(open(sys.argv[1]))["trajectories"][0]; assert t["outcome"] == "oscillate" and abs(t["x_final"][0] - 0.3) < 1e-12, t' chatter.json \
    && ok || bad "particles: W1 chatter is an oscillation"
expect 2 "model.particles: entry 2 has 1 values, expected 2" -- run /dev/null --set model.name=particles --set "model.particles=0,0;1"

# plot: a PNG from each kind of file, and a clear error for a missing file
if "$py" -c 'import numpy, h5py, matplotlib' 2> /dev/null; then
    GANDYN_PYTHON=$py "$gandyn" plot run.h5 -o run.png > /dev/null && [ -s run.png ] \
        && [ "$(head -c 4 run.png | od -An -c | tr -d ' ')" = "211PNG" ] && ok || bad "plot run.h5"
    for k in eig rate portrait sweep spectrum chatter exact; do
        GANDYN_PYTHON=$py "$gandyn" plot $k.h5 > /dev/null && [ "$(head -c 4 $k.png | od -An -c | tr -d ' ')" = "211PNG" ] \
            && ok || bad "plot $k.h5"
    done
    GANDYN_PYTHON=$py "$gandyn" plot nothere.h5 2> err.txt; st=$?
    [ "$st" = 2 ] && [ "$(wc -l < err.txt)" = 1 ] && ok || bad "plot of a missing file: status $st"
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
