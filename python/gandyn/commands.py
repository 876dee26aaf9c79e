# SPDX-License-Identifier: BSD-3-Clause
"""One function per gandyn command. Each builds the command line the CLI would get, runs it in
the library (the CLI's own implementation, include/gandyn/command.h) and returns what its
--json prints, as a Result, with the file it wrote read into numpy arrays.

    gandyn.run({"model.reg": "gp"}, run__x0=[[1, 1], [-1.5, 0.5]])
    gandyn.eig("examples/dirac/notebook/gan_gradpen.ini", scan=("model.gamma", 0, 1.5, 41))

config: a dict {"section.key": value} (or {"section": {"key": value}}), the path of an INI file,
or None (all defaults). Keyword arguments: section__key=value sets a key after the config (so
does set={"section.key": value}); the others are the command's options, name for --name
(out for -o, True for a flag): out, scan, threads, cells, resume, param, lo, hi, rtol, trace,
ground_state, ... Values may be numbers, strings, sequences (a start "1,1", several starts
"1,1;0,2") or an axis tuple ("integrator.h", 0.05, 2, 40[, "log"]).
"""
import json
import numbers
import os
import shutil
import tempfile
import warnings
from collections.abc import Mapping

import numpy as np

from . import _lib, errors, games
from .result import Result, read_file

# The commands that write an HDF5 file: without out= into a temporary one, kept as long as the
# Result (out="" writes none).
_WRITES = ("run", "eig", "rate", "portrait", "sweep", "spectrum", "merge", "continue", "lyapunov")


def _text(v):
    """A value as the CLI's --set and options take it."""
    if isinstance(v, str):
        return v
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return repr(float(v))  # shortest text that reads back as the same double
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if v and isinstance(v[0], str):
            return ":".join(_text(e) for e in v)  # an axis: KEY:LO:HI:N[:log]
        if v and all(isinstance(e, (list, tuple, np.ndarray)) for e in v):
            return ";".join(_text(e) for e in v)  # several starts
        return ",".join(_text(e) for e in v)
    raise TypeError(f"gandyn: cannot pass a {type(v).__name__} as a value ({v!r})")


def _items(config):
    """{"section.key": v} or {"section": {"key": v}} as ("section.key", v) pairs."""
    for k, v in config.items():
        if isinstance(v, Mapping):
            yield from ((f"{k}.{kk}", vv) for kk, vv in v.items())
        else:
            yield k, v


def _config_args(config):
    """CONFIG and its --set items."""
    if config is None:
        return ["/dev/null"]
    if isinstance(config, (str, os.PathLike)):
        return [os.fspath(config)]
    if isinstance(config, Mapping):
        args = ["/dev/null"]
        for k, v in _items(config):
            args += ["--set", f"{k}={_text(v)}"]
        return args
    raise TypeError(f"gandyn: config must be a dict, a path or None, not {type(config).__name__}")


def _option_args(kw):
    """section__key=v as --set, set={...} as --set, name=v as --name v (True: a flag)."""
    args = []
    for k, v in _items(kw.pop("set", None) or {}):
        args += ["--set", f"{k}={_text(v)}"]
    for k, v in kw.items():
        if "__" in k:
            section, key = k.split("__", 1)
            args += ["--set", f"{section}.{key}={_text(v)}"]
        elif v is True:
            args.append("--" + k.replace("_", "-"))
        elif v is not None and v is not False:
            args += ["--" + k.replace("_", "-"), _text(v)]
    return args


def _warn(err):
    """The library's stderr lines (warnings; progress is off) as GandynWarnings, attributed to
    the caller of run(), sweep(), ... (five frames up)."""
    for line in err.splitlines():
        line = line.strip()
        if line:
            line = line[len("gandyn: "):] if line.startswith("gandyn: ") else line
            warnings.warn(line[len("warning: "):] if line.startswith("warning: ") else line, errors.GandynWarning, stacklevel=5)


def call(argv):
    """Run a command line in the library and return what it printed on stdout; warnings become
    GandynWarnings and a failure the GandynError for its status and code."""
    status, code, out, err, msg = _lib.command([os.fspath(a) for a in argv])
    _warn(err)
    failure = errors.error_for(status, code, msg or f"{argv[1] if len(argv) > 1 else 'gandyn'} failed with status {status}") if status else None
    games.raise_pending(failure)  # an exception of a Python game's callback, chained
    if failure:
        raise failure
    return out


def _execute(name, head, kw, json_flag=True, writes=None):
    """gandyn NAME HEAD... OPTIONS [-o OUT] --json, into a Result (writes: whether the command
    writes a file, when its name alone does not tell)."""
    kw = dict(kw)
    out = kw.pop("out", None)
    tmpdir = None
    if out is None and (name in _WRITES if writes is None else writes):
        tmpdir = tempfile.mkdtemp(prefix="gandyn-")
        out = os.path.join(tmpdir, name + ".h5")
    argv = ["gandyn", name] + head + _option_args(kw)
    if out is not None:
        argv += ["-o", os.fspath(out)]
    if json_flag:
        argv.append("--json")
    try:
        printed = json.loads(call(argv)) if json_flag else {}
        path = os.fspath(out) if out else None
        data = read_file(path) if path and os.path.exists(path) else None
    except BaseException:
        if tmpdir:
            shutil.rmtree(tmpdir, True)
        raise
    return Result(printed, path if data is not None else None, data, tmpdir)


def run(config=None, **kw):
    """gandyn run: every start of run.x0 integrated. Printed: trajectories (x0, x_final, steps,
    outcome, ...); file: data["traj"][k]["t"], ["x"] per trajectory, /model, /field."""
    return _execute("run", _config_args(config), kw)


def eig(config=None, **kw):
    """gandyn eig [scan=AXIS]: equilibrium, Jacobian and one-iteration map spectra; file: /eig,
    /stability, and /scan with scan=."""
    return _execute("eig", _config_args(config), kw)


def rate(config=None, **kw):
    """gandyn rate: measured against predicted rates; file: /rate."""
    return _execute("rate", _config_args(config), kw)


def portrait(config=None, **kw):
    """gandyn portrait: field, trajectories and equilibria in a plane; file: /field, /traj,
    /equilibria."""
    return _execute("portrait", _config_args(config), kw)


def sweep(config=None, **kw):
    """gandyn sweep (threads=, cells=(lo, hi), resume=True): one trajectory per cell of sweep.x
    (and sweep.y); file: /sweep, or /sweep_part for cells=."""
    if isinstance(kw.get("cells"), (tuple, list)):
        kw["cells"] = "%d:%d" % tuple(kw["cells"])
    return _execute("sweep", _config_args(config), kw)


def critical(config=None, param=None, lo=None, hi=None, **kw):
    """gandyn critical: the value of param in [lo, hi] where the observed outcome changes, and
    where the predicted spectral radius crosses 1 (trace=AXIS: the boundary curve). classes=True
    (or n=N): every boundary of the attractor class instead, in r["boundaries"] (kind local,
    global or mixed), with the file's /scan (class, period, lyap1, amplitude, samples per value)
    and /boundaries."""
    classes = bool(kw.get("classes")) or kw.get("n") is not None
    return _execute("critical", _config_args(config), dict(kw, param=param, lo=lo, hi=hi), writes=classes)


def continuation(config=None, param=None, lo=None, hi=None, from_=None, **kw):
    """gandyn continue (period=, cycles=True, ds=, max_steps=; from_= for --from: "equilibrium",
    "x0", "orbit" or "FILE.h5#/points/N"): the branch of equilibria or fixed points through param's
    configured value (or the point from_ names) on [lo, hi], its special points and (cycles=True)
    the branches of periodic orbits from Hopf points and PD points of cycles (from_="orbit": the
    branch of the cycle through run.x0 instead); file: /branch, /points."""
    if from_ is not None:
        kw["from"] = from_
    return _execute("continue", _config_args(config), dict(kw, param=param, lo=lo, hi=hi))


def normal(config=None, param=None, at=None, from_=None, **kw):
    """gandyn normal (type="hopf" | "ns" | "pd" | "lp", period=K; from_= for --from): at param = at,
    the equilibrium or fixed / period-K point continuation starts from, its eigenvalues, the
    critical one of the type (default: the nearest its crossing), its distance from the crossing,
    the coefficient continue reports at a special point (coeff, and as l1, c, d or a),
    criticality, resonance and the predicted orbit's amplitude; file (out=): /normal."""
    if from_ is not None:
        kw["from"] = from_
    return _execute("normal", _config_args(config), dict(kw, param=param, at=at))


def smoothness(config=None, **kw):
    """gandyn smoothness: curvature of a gradient flow and the step limit 2/L."""
    return _execute("smoothness", _config_args(config), kw)


def spectrum(config=None, **kw):
    """gandyn spectrum (functional model; scan=, ground_state=True): mode spectra; file: /modes."""
    return _execute("spectrum", _config_args(config), kw)


def lyapunov(config=None, **kw):
    """gandyn lyapunov (count=M): Lyapunov spectrum by QR with standard errors and the sum check;
    file: /lyapunov."""
    return _execute("lyapunov", _config_args(config), kw)


def attractor(config=None, **kw):
    """gandyn attractor: the class of a fixed-step rule's long run (fixed, periodic, quasi_periodic,
    neutral, chaotic, stall, diverge, undetermined) with its orbit, multipliers and rotation."""
    return _execute("attractor", _config_args(config), kw)


def orbit(config=None, **kw):
    """gandyn orbit (period_guess=T): the periodic orbit of the flow near run.x0 by shooting, its
    period and Floquet multipliers; file (out=): /orbit."""
    return _execute("orbit", _config_args(config), kw)


def merge(*parts, **kw):
    """gandyn merge: the partial files of sweep(cells=...) into one sweep."""
    return _execute("merge", [os.fspath(p) for p in parts], kw)


def estimate(data, **kw):
    """gandyn estimate DATA.h5 (dataset=, t=, alpha=, nev=, knn=, out=): the low spectrum of
    -Delta_p from samples."""
    return _execute("estimate", [os.fspath(data)], kw)


def catalog(what=None):
    """gandyn list --json: every model, integrator and section with each key's default and meaning
    (what: "models", "integrators" or "sections" for one part)."""
    return json.loads(call(["gandyn", "list"] + ([what] if what else []) + ["--json"]))


def help(command=None):
    """gandyn help [COMMAND]: the usage text, as str."""
    return call(["gandyn", "help"] + ([command] if command else []))


def version():
    """The library's version."""
    return call(["gandyn", "--version"]).split()[-1]
