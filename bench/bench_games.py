#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What a game of one's own costs against the same game built in (issue 22, section 4).

1. A C plugin in a batched sweep against the built-in game, through the CLI (CPU time, user +
   sys, of the gandyn process; OPENBLAS_NUM_THREADS=1, so that OpenBLAS's workers do not spin at
   load): `linear` (models/linear.c) against bench/plugins/linear_copy.c, the same game,
   compiled with -O3 -march=native; and the Dirac-GAN + GP (`dirac`, model.reg = gp, whose
   sweep step fuses field and update) against bench/plugins/dirac_gp.c, compiled with
   -O3 -march=native -ffast-math (so that gcc vectorises the batched loop through glibc's vector
   exp), the same plugin with -DGAME_FAST_EXP (f' from gandyn's inline gd_sigmoid_fast,
   <gandyn/vecmath.h>, the built-in's own, instead of libm's exp), and that with -DGAME_STEP
   besides (a step_batch: the field and the stage's update in one pass, as the built-in's).
   All: an (h, second parameter) sweep, simgd, one thread, run.x0 = 1e-6,1e-6.
2. The Dirac-GAN + GP as numba @cfunc callbacks (field, equilibrium, batched field with gamma
   per cell) registered with gandyn.register_model in this process, against the C plugin loaded
   into this process: the same sweep, CPU time (time.process_time) around gandyn.sweep alone,
   numba's compilation excluded (it happens when the cfuncs are defined). Also against the C
   plugin built without -ffast-math (one scalar exp per cell, which is what numba's loop does
   without Intel's SVML: Debian's python3-numba has none). And the same numba game compiled by
   gandyn.jit.batched (numpy's error model: no zero check per division) with gandyn.jit.sigmoid
   (the built-in fields' inline f'), which LLVM vectorises.
3. The Dirac-GAN + GP as Python callables (field, Jacobian, equilibrium on numpy arrays): the
   cost of one field evaluation, (CPU of a `run` of N simgd steps - the same on the built-in) /
   the field evaluations it reports; and the wall time of gandyn.portrait and gandyn.rate with
   default keys (files written and read back, as a plain call does) against the built-in.

Every time is the minimum of three repetitions (nine for portrait and rate); ratios come from the same run (the machine is
shared and its speed drifts). Outcomes of each pair of sweeps must agree in >= 99.9 % of the
cells (exit 1 otherwise). Prints a markdown table.

Usage: /usr/bin/python3 bench/bench_games.py [path/to/gandyn] [--quick]
(--quick: 1000 x 10 cells x 1000 steps, 2000-step runs, one repetition, for a smoke test.)
"""
import functools
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
gandyn_exe = os.path.abspath(next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(root, "build", "gandyn")))
quick = "--quick" in sys.argv
NX, NY, STEPS, RUN_STEPS, REPS = (1000, 10, 1000, 2000, 1) if quick else (1000, 100, 10000, 20000, 3)
AGREE = 0.999

# OpenBLAS spins its workers once at load (README, "BLAS threads"): one thread, in the gandyn
# processes and in this one, whose library is the build's next to the executable.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ.setdefault("GANDYN_LIBRARY", os.path.join(os.path.dirname(gandyn_exe), "libgandyn.so"))
sys.path.insert(0, os.path.join(root, "python"))
import gandyn  # noqa: E402

try:
    import numba
    from numba import carray, cfunc, njit
except ImportError:
    numba = None

CC_LINEAR = ["-O3", "-march=native"]
CC_DIRAC = ["-O3", "-march=native", "-ffast-math"]
SWEEP = {"sweep.x": f"integrator.h:0.01:2:{NX}:log", "integrator.name": "simgd", "integrator.steps": STEPS, "run.x0": "1e-6,1e-6"}
SWEEPS = {  # row: sweep.y, built-in keys, plugin file, plugin's model name, its flags
    "linear": ("model.a:0:2:{ny}", {"model.name": "linear"}, "linear_copy.c", "plinear", CC_LINEAR),
    "Dirac-GAN + GP": ("model.gamma:0:3:{ny}", {"model.name": "dirac", "model.reg": "gp"}, "dirac_gp.c", "pdirac", CC_DIRAC),
}


def build_plugin(src, flags, tmp, suffix=""):
    so = os.path.join(tmp, os.path.splitext(src)[0] + suffix + ".so")
    lib = os.path.dirname(os.environ["GANDYN_LIBRARY"])  # linked as examples/plugin is: Python loads libgandyn RTLD_LOCAL
    cmd = ["cc", *flags, "-shared", "-fPIC", "-I", os.path.join(root, "include"), os.path.join(here, "plugins", src), "-o", so,
           f"-L{lib}", f"-Wl,-rpath,{lib}", "-lgandyn", "-lm"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stdout}")
    return so


def sweep_keys(row, keys):
    return dict(SWEEP, **{"sweep.y": SWEEPS[row][0].format(ny=NY)}, **keys)


# ---------------------------------------------------------------- the CLI -------
def cli_sweep(keys, plugin, out):
    """CPU seconds (user + sys) of one gandyn sweep process."""
    args = [gandyn_exe, "sweep", "/dev/null", "--threads", "1", "-o", out, "--json"] + (["--plugin", plugin] if plugin else [])
    for k, v in keys.items():
        args += ["--set", f"{k}={v}"]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"gandyn {' '.join(args[1:])} failed: {p.stderr.strip()}")
    if '"kernel":"batched"' not in p.stdout:
        raise SystemExit(f"{' '.join(args[1:])}: the sweep did not run batched")
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def agreement(a, b):
    with h5py.File(a) as fa, h5py.File(b) as fb:
        return float(np.mean(fa["/sweep/outcome"][:] == fb["/sweep/outcome"][:]))


def best(*fs, rounds=None):
    """The fastest result of each f (a time, or a tuple whose first entry is one) over REPS
    rounds, the fs taking turns within a round, so that a change in the machine's load falls
    on all of them alike."""
    t = [None] * len(fs)
    for _ in range(rounds or REPS):
        for i, f in enumerate(fs):
            r = f()
            if t[i] is None or (r[0] if isinstance(r, tuple) else r) < (t[i][0] if isinstance(t[i], tuple) else t[i]):
                t[i] = r
    return t


# ---------------------------------------------------------------- numba ---------
@functools.lru_cache(maxsize=None)
def numba_origin():
    """x* = (0, 0), the equilibrium of both numba games, compiled once."""

    @cfunc(gandyn.EQUILIBRIUM_SIG, nopython=True)
    def equilibrium(dim, x, opts, user):
        x[0] = 0.0
        x[1] = 0.0
        return 0

    return equilibrium


def numba_dirac(name="ndirac", fast=False):
    """The Dirac-GAN + GP as numba cfuncs: F = (-psi f'(s), theta f'(s) - gamma psi), s = theta psi,
    f'(s) = 1/(1 + e^s); opts holds gamma (the one param), p gamma per cell. fast: the batched
    field compiled by gandyn.jit.batched (numpy's error model) with f' = gandyn.jit.sigmoid(-s),
    which vectorise; else a plain fastmath cfunc with math.exp."""
    from gandyn.jit import batched, sigmoid

    @njit(inline="always")
    def fprime_libm(s):
        return 1.0 / (1.0 + math.exp(s))

    @njit(inline="always")
    def fprime_jit(s):
        return sigmoid(-s)

    fprime, compile_batch = (fprime_jit, batched) if fast else (fprime_libm, cfunc(gandyn.FIELD_BATCH_SIG, nopython=True, fastmath=True))

    @cfunc(gandyn.FIELD_SIG, nopython=True)
    def field(dim, x, v, opts, user):
        gamma = carray(opts, 1, np.float64)[0]
        d1 = 1.0 / (1.0 + math.exp(x[0] * x[1]))
        v[0] = -x[1] * d1
        v[1] = x[0] * d1 - gamma * x[1]
        return 0

    @compile_batch
    def field_batch(n, dim, p, x, v, opts, user):
        for i in range(n):
            th, ps = x[i], x[n + i]
            d1 = fprime(th * ps)
            v[i] = -ps * d1
            v[n + i] = th * d1 - p[i] * ps
        return 0

    gandyn.register_model(name, 2, 1, field, equilibrium=numba_origin(), params={"gamma": 0.3}, field_batch=field_batch,
                          batch_params=["gamma"], summary="bench: Dirac-GAN + GP as numba cfuncs")


def numba_linear():
    """The linear game (models/linear.c: F = (-a theta - s psi, s theta - b psi)) as numba cfuncs,
    a, b, s per cell: no exp, so numba's loop vectorises as C's does."""

    @cfunc(gandyn.FIELD_SIG, nopython=True)
    def field(dim, x, v, opts, user):
        o = carray(opts, 3, np.float64)
        v[0] = -o[0] * x[0] - o[2] * x[1]
        v[1] = o[2] * x[0] - o[1] * x[1]
        return 0

    @cfunc(gandyn.FIELD_BATCH_SIG, nopython=True, fastmath=True)
    def field_batch(n, dim, p, x, v, opts, user):
        for i in range(n):
            a, b, s = p[i], p[n + i], p[2 * n + i]
            v[i] = -a * x[i] - s * x[n + i]
            v[n + i] = s * x[i] - b * x[n + i]
        return 0

    gandyn.register_model("nlinear", 2, 1, field, equilibrium=numba_origin(), params={"a": 0.0, "b": 0.0, "s": 1.0}, field_batch=field_batch,
                          batch_params=["a", "b", "s"], summary="bench: the linear game as numba cfuncs")


def inprocess_sweep(keys, out, plugin=None):
    """CPU seconds of gandyn.sweep in this process."""
    t0 = time.process_time()
    r = gandyn.sweep(keys, out=out, threads=1, plugin=plugin)
    t = time.process_time() - t0
    if r["kernel"] != "batched":
        raise SystemExit(f"{keys['model.name']}: the sweep did not run batched")
    return t


# ---------------------------------------------------------------- Python --------
def python_dirac():
    """The Dirac-GAN + GP as Python callables on numpy arrays."""

    def field(x, gamma):
        th, ps = x
        d1 = 1.0 / (1.0 + math.exp(th * ps))
        return np.array([-ps * d1, th * d1 - gamma * ps])

    def jacobian(x, gamma):
        th, ps = x
        s = th * ps
        d1 = 1.0 / (1.0 + math.exp(s))
        d2 = -d1 * (1.0 - d1)  # f''
        return np.array([[-ps * ps * d2, -d1 - s * d2], [d1 + s * d2, th * th * d2 - gamma]])

    gandyn.register_model("pydirac", 2, 1, field, jacobian=jacobian, equilibrium=lambda gamma: [0.0, 0.0], params={"gamma": 0.3},
                          summary="bench: Dirac-GAN + GP as Python callables")


BUILTIN_GP = {"model.name": "dirac", "model.reg": "gp"}
PYTHON_GP = {"model.name": "pydirac"}


def run_cpu(keys):
    """CPU seconds and field evaluations of a run of RUN_STEPS simgd steps in this process."""
    t0 = time.process_time()
    r = gandyn.run(dict(keys, **{"integrator.name": "simgd", "integrator.steps": RUN_STEPS}), out="")
    return time.process_time() - t0, r["trajectories"][0]["nfev"]


def wall(command, keys):
    t0 = time.perf_counter()
    command(keys)
    return time.perf_counter() - t0


# ---------------------------------------------------------------- the table -----
def main():
    tmp = tempfile.mkdtemp(prefix="gandyn_bench_games_")
    rows, failed = [], []
    try:
        cells = NX * NY
        sweep_text = f"{cells:.0e} cells × {STEPS:.0e} steps".replace("e+0", "e")
        plugins = {row: build_plugin(src, flags, tmp) for row, (_, _, src, _, flags) in SWEEPS.items()}
        for row, (_, builtin, src, name, flags) in SWEEPS.items():
            keys_b, keys_p = sweep_keys(row, builtin), sweep_keys(row, {"model.name": name})
            out_b, out_p = os.path.join(tmp, f"{name}_builtin.h5"), os.path.join(tmp, f"{name}_plugin.h5")
            tb, tp = best(lambda: cli_sweep(keys_b, None, out_b), lambda: cli_sweep(keys_p, plugins[row], out_p))
            agree = agreement(out_b, out_p)
            if agree < AGREE:
                failed.append(f"{row}: plugin and built-in agree in {agree:.4%} of the cells")
            rows.append((f"C plugin, batched sweep: {row} ({sweep_text}; `cc {' '.join(flags)}`)", f"{tp:.2f} s", f"built-in `{builtin['model.name']}`: {tb:.2f} s",
                         tp / tb, "≤ 1.2", agree))

        # the Dirac plugin with gandyn's inline exp (<gandyn/vecmath.h>) in its batched field
        fast = build_plugin("dirac_gp.c", CC_DIRAC + ["-DGAME_FAST_EXP", "-DGAME_NAME=\"pdirac_fast\""], tmp, "_fast")
        keys_b, keys_f = sweep_keys("Dirac-GAN + GP", SWEEPS["Dirac-GAN + GP"][1]), sweep_keys("Dirac-GAN + GP", {"model.name": "pdirac_fast"})
        out_b, out_f = os.path.join(tmp, "dirac_builtin_again.h5"), os.path.join(tmp, "pdirac_fast.h5")
        tb, tf = best(lambda: cli_sweep(keys_b, None, out_b), lambda: cli_sweep(keys_f, fast, out_f))
        agree = agreement(out_b, out_f)
        if agree < AGREE:
            failed.append(f"the gd_sigmoid_fast plugin and the built-in agree in {agree:.4%} of the cells")
        rows.append((f"C plugin with gd_sigmoid_fast (`-DGAME_FAST_EXP`), batched sweep: Dirac-GAN + GP ({sweep_text}; `cc {' '.join(CC_DIRAC)}`)",
                     f"{tf:.2f} s", f"built-in `dirac`: {tb:.2f} s", tf / tb, "≤ 1.2", agree))

        # and with a step_batch besides: field and update in one pass, as the built-in's sweep step
        step = build_plugin("dirac_gp.c", CC_DIRAC + ["-DGAME_FAST_EXP", "-DGAME_STEP", "-DGAME_NAME=\"pdirac_step\""], tmp, "_step")
        keys_s = sweep_keys("Dirac-GAN + GP", {"model.name": "pdirac_step"})
        out_b, out_s = os.path.join(tmp, "dirac_builtin_third.h5"), os.path.join(tmp, "pdirac_step.h5")
        tb, ts = best(lambda: cli_sweep(keys_b, None, out_b), lambda: cli_sweep(keys_s, step, out_s))
        agree = agreement(out_b, out_s)
        if agree < AGREE:
            failed.append(f"the step_batch plugin and the built-in agree in {agree:.4%} of the cells")
        rows.append((f"C plugin with gd_sigmoid_fast and `step_batch` (`-DGAME_FAST_EXP -DGAME_STEP`: field and update in one pass), "
                     f"batched sweep: Dirac-GAN + GP ({sweep_text})", f"{ts:.2f} s", f"built-in `dirac`: {tb:.2f} s", ts / tb, "≤ 1.2", agree))

        if numba is None:
            rows.append(("numba @cfunc, same sweep", "(python3-numba missing)", "", math.nan, "≤ 2", math.nan))
        else:
            numba_dirac()
            numba_dirac("ndirac_fast", fast=True)
            # the C plugin again without -ffast-math: one scalar exp per cell, as numba's loop
            # makes without Intel's SVML (Debian's python3-numba has none)
            scalar = build_plugin("dirac_gp.c", CC_LINEAR + ["-DGAME_NAME=\"pdirac_scalar\""], tmp, "_scalar")
            games = {"pdirac": plugins["Dirac-GAN + GP"], "pdirac_scalar": scalar, "pdirac_fast": fast, "ndirac": None, "ndirac_fast": None}
            outs = {name: os.path.join(tmp, f"{name}_inprocess.h5") for name in games}
            runs = [lambda name=name, plugin=plugin: inprocess_sweep(sweep_keys("Dirac-GAN + GP", {"model.name": name}), outs[name], plugin)
                    for name, plugin in games.items()]
            t = dict(zip(games, best(*runs)))
            agree = {name: agreement(outs["pdirac"], outs[name]) for name in games}
            if min(agree.values()) < AGREE:
                failed.append(f"numba or the scalar plugin agree with the C plugin in {min(agree.values()):.4%} of the cells")
            what = "numba @cfunc, Dirac-GAN + GP, same sweep, timed inside Python (compilation excluded)"
            rows.append((f"{what}: against the C plugin", f"{t['ndirac']:.2f} s", f"C plugin, same process: {t['pdirac']:.2f} s",
                         t["ndirac"] / t["pdirac"], "≤ 2", agree["ndirac"]))
            rows.append((f"{what}: against the C plugin built without -ffast-math (scalar exp)", f"{t['ndirac']:.2f} s",
                         f"C plugin, `cc {' '.join(CC_LINEAR)}`: {t['pdirac_scalar']:.2f} s", t["ndirac"] / t["pdirac_scalar"], "",
                         agree["pdirac_scalar"]))
            what = "numba: the same game compiled by gandyn.jit.batched with gandyn.jit.sigmoid, the same sweep, timed inside Python"
            rows.append((f"{what}: against the C plugin", f"{t['ndirac_fast']:.2f} s", f"C plugin, same process: {t['pdirac']:.2f} s",
                         t["ndirac_fast"] / t["pdirac"], "≤ 2", agree["ndirac_fast"]))
            rows.append((f"{what}: against the C plugin with gd_sigmoid_fast", f"{t['ndirac_fast']:.2f} s",
                         f"C plugin, same process: {t['pdirac_fast']:.2f} s", t["ndirac_fast"] / t["pdirac_fast"], "", agree["ndirac_fast"]))
            numba_linear()  # a game without exp: numba against the linear C plugin
            outs = {name: os.path.join(tmp, f"{name}_inprocess.h5") for name in ("plinear", "nlinear")}
            tp, tn = best(lambda: inprocess_sweep(sweep_keys("linear", {"model.name": "plinear"}), outs["plinear"], plugins["linear"]),
                          lambda: inprocess_sweep(sweep_keys("linear", {"model.name": "nlinear"}), outs["nlinear"]))
            agree = agreement(outs["plinear"], outs["nlinear"])
            if agree < AGREE:
                failed.append(f"the numba linear game agrees with the C plugin in {agree:.4%} of the cells")
            rows.append(("numba @cfunc, linear game (no exp), the linear sweep, timed inside Python: against the C plugin", f"{tn:.2f} s",
                         f"C plugin, same process: {tp:.2f} s", tn / tp, "≤ 2", agree))

        python_dirac()
        (tb, nb), (tpy, npy) = best(lambda: run_cpu(BUILTIN_GP), lambda: run_cpu(PYTHON_GP))
        per_call = (tpy - tb) / npy
        rows.append((f"Python callable, Dirac-GAN + GP: one field evaluation (CPU; `run` of {RUN_STEPS} simgd steps, {npy} evaluations)",
                     f"{1e6 * per_call:.1f} µs more", f"built-in: {1e9 * tb / nb:.0f} ns per whole step", math.nan, "", math.nan))
        for cmd in ("portrait", "rate"):  # tens of milliseconds each: more repetitions against the machine's noise
            f = getattr(gandyn, cmd)
            tb, tpy = best(lambda f=f: wall(f, BUILTIN_GP), lambda f=f: wall(f, PYTHON_GP), rounds=3 * REPS)
            rows.append((f"Python callable: `{cmd}`, default keys (wall)", f"{tpy:.3f} s", f"built-in: {tb:.3f} s", tpy / tb, "", math.nan))
    finally:
        shutil.rmtree(tmp, True)

    print(f"gandyn games against the built-ins; minimum of {REPS}; one thread")
    print("| comparison | own game | baseline | ratio | target | outcomes agree |")
    print("|---|---|---|---|---|---|")
    for what, own, base, ratio, target, agree in rows:
        r = "" if math.isnan(ratio) else f"{ratio:.2f}×" if ratio < 100 else f"{ratio:.0f}×"
        a = "" if math.isnan(agree) else f"{agree:.2%}"
        print(f"| {what} | {own} | {base} | {r} | {target} | {a} |")
    if failed:
        raise SystemExit("; ".join(failed))


if __name__ == "__main__":
    main()
