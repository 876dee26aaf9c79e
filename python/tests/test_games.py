# SPDX-License-Identifier: BSD-3-Clause
"""gandyn.register_model: a user's game from Python, as Python callables and as compiled
callbacks, against the built-in Dirac-GAN it restates (docs/models/dirac.md: GAN loss with a
gradient penalty, F(theta, psi) = (-psi f'(theta psi), theta f'(theta psi) - gamma psi),
f'(t) = 1/(1 + e^t)), and its failures."""
import ctypes
import math
import os
import re
import subprocess
import traceback

import numpy as np
import pytest

from conftest import assert_same

import gandyn

GAMMA = 0.3
BUILTIN = {"model.name": "dirac", "model.reg": "gp", "model.gamma": GAMMA}


def dirac_field(x, gamma=GAMMA):
    th, ps = x
    d1 = 1.0 / (1.0 + math.exp(th * ps))
    return [-ps * d1, th * d1 - gamma * ps]


def dirac_jacobian(x, gamma=GAMMA):
    th, ps = x
    d1 = 1.0 / (1.0 + math.exp(th * ps))
    d2 = -d1 * (1.0 - d1)  # f''(t)
    return [[-ps * ps * d2, -d1 - th * ps * d2], [d1 + th * ps * d2, th * th * d2 - gamma]]


def origin(gamma=GAMMA):
    return [0.0, 0.0]


gandyn.register_model("py_dirac", 2, 1, dirac_field, jacobian=dirac_jacobian, equilibrium=origin, params={"gamma": GAMMA})
gandyn.register_model("py_dirac_fd", 2, 1, dirac_field, params={"gamma": GAMMA})  # no Jacobian, no equilibrium


def game(name, **keys):
    return dict({"model.name": name, "model.gamma": GAMMA}, **keys)


@pytest.mark.parametrize("rule", ["simgd", "altgd", "extragradient", "optimistic", "rk4", "cvode"])
def test_run_matches_builtin(rule):
    cfg = {"integrator.name": rule, "run.x0": "1,1;-1.5,0.5", "integrator.steps": 300}
    a = gandyn.run(game("py_dirac", **cfg), out="")
    b = gandyn.run(dict(BUILTIN, **cfg), out="")
    # fixed steps follow the same map to rounding; CVODE's steps are chosen from the error
    # estimates, so last-bit differences of the fields move the state within its tolerances
    atol = 1e-9 if rule == "cvode" else 1e-12
    for ta, tb in zip(a["trajectories"], b["trajectories"]):
        assert ta["outcome"] == tb["outcome"]
        assert np.allclose(ta["x_final"], tb["x_final"], rtol=1e-10, atol=atol), (rule, ta["x_final"], tb["x_final"])


def test_eig_matches_builtin():
    a, b = gandyn.eig(game("py_dirac"), out=""), gandyn.eig(BUILTIN, out="")
    assert_same(a, b, "eig", tol=1e-12)
    # without a Jacobian (central differences) and without an equilibrium (Newton from the start)
    c = gandyn.eig(game("py_dirac_fd", **{"run.x0": "0.1,0.1"}), out="")
    assert np.allclose(c["equilibrium"], [0, 0], atol=1e-10)
    assert np.allclose(sorted(map(tuple, c["eigenvalues"])), sorted(map(tuple, b["eigenvalues"])), atol=1e-7)


def test_sweep_and_critical_match_builtin():
    cfg = {"sweep.x": "integrator.h:0.05:2:24", "sweep.y": "model.gamma:0:1:4", "integrator.steps": 400, "sweep.kernel": "cell"}
    a, b = gandyn.sweep(game("py_dirac", **cfg), out=None), gandyn.sweep(dict(BUILTIN, **cfg), out=None)
    assert np.array_equal(a.sweep["outcome"], b.sweep["outcome"])
    assert np.allclose(a.sweep["rate"], b.sweep["rate"], rtol=1e-9, equal_nan=True)
    assert np.allclose(a.sweep["rho"], b.sweep["rho"], rtol=1e-12, equal_nan=True)
    ca = gandyn.critical(game("py_dirac"), param="integrator.h", lo=0.05, hi=1.5)
    cb = gandyn.critical(BUILTIN, param="integrator.h", lo=0.05, hi=1.5)
    assert ca["below"] == cb["below"] and ca["above"] == cb["above"]
    assert abs(ca["value"] - cb["value"]) <= 1e-9 and abs(ca["predicted"] - cb["predicted"]) <= 1e-9


def test_rate_and_portrait_match_builtin():
    a, b = gandyn.rate(game("py_dirac"), out=""), gandyn.rate(BUILTIN, out="")
    # the discrete rate follows the same map; the continuous one a CVODE fit, whose steps
    # follow last-bit differences of the two fields (fused multiply-add in the built-in)
    assert_same(a["discrete"], b["discrete"], "rate.discrete", tol=1e-9)
    assert_same(a["continuous"]["predicted"], b["continuous"]["predicted"], "rate.predicted", tol=1e-12)
    assert abs(a["continuous"]["measured"]["re"] - b["continuous"]["measured"]["re"]) < 1e-6
    pa, pb = gandyn.portrait(game("py_dirac"), out=""), gandyn.portrait(BUILTIN, out="")
    assert (pa["equilibria"], pa["index_sum"]) == (pb["equilibria"], pb["index_sum"])


def test_python_game_sweeps_on_one_thread_with_the_same_cells():
    cfg = game("py_dirac", **{"sweep.x": "integrator.h:0.05:2:600", "integrator.steps": 200})
    one, two = gandyn.sweep(cfg, threads=1, out=None), gandyn.sweep(cfg, threads=2, out=None)
    assert np.array_equal(one.sweep["outcome"], two.sweep["outcome"])
    assert np.array_equal(one.sweep["rate"], two.sweep["rate"], equal_nan=True)


def test_numba_cfunc_game_runs_batched_and_matches_builtin():
    numba = pytest.importorskip("numba")
    from numba import carray

    @numba.cfunc(gandyn.FIELD_SIG)
    def field(dim, x, v, opts, user):
        gamma = carray(opts, 1, np.float64)[0]
        d1 = 1.0 / (1.0 + math.exp(x[0] * x[1]))
        v[0] = -x[1] * d1
        v[1] = x[0] * d1 - gamma * x[1]
        return 0

    @numba.cfunc(gandyn.EQUILIBRIUM_SIG)
    def equilibrium(dim, x, opts, user):
        x[0] = 0.0
        x[1] = 0.0
        return 0

    @numba.cfunc(gandyn.FIELD_BATCH_SIG)
    def field_batch(n, dim, p, x, v, opts, user):
        for i in range(n):
            d1 = 1.0 / (1.0 + math.exp(x[i] * x[n + i]))
            v[i] = -x[n + i] * d1
            v[n + i] = x[i] * d1 - p[i] * x[n + i]
        return 0

    gandyn.register_model("nb_dirac", 2, 1, field, equilibrium=equilibrium, params={"gamma": GAMMA}, field_batch=field_batch,
                          batch_params=["gamma"])
    cfg = {"sweep.x": "integrator.h:0.05:2:64", "sweep.y": "model.gamma:0:1:16", "integrator.steps": 500, "run.x0": "0.5,0.5"}
    a = gandyn.sweep(game("nb_dirac", **cfg), threads=2, out=None)
    b = gandyn.sweep(dict(BUILTIN, **cfg), threads=2, out=None)
    c = gandyn.sweep(game("nb_dirac", **cfg, **{"sweep.kernel": "cell"}), out=None)  # its scalar field
    assert a["kernel"] == "batched" and c["kernel"] == "per-cell"
    assert np.allclose(a.sweep["rho"], b.sweep["rho"], rtol=1e-9)
    # Where the map contracts, outcomes and rates agree; beyond, past the Neimark-Sacker point,
    # small gamma and large h make the dynamics chaotic (docs/models/dirac.md), and the last bits
    # of exp (numba's, the built-in's vectorised one) decide oscillate or diverge in a few cells
    # (the per-cell path measures rates as the batched kernel does not: compare outcomes only)
    sure = a.sweep["rho"] < 0.99
    assert np.allclose(a.sweep["rate"][sure], b.sweep["rate"][sure], rtol=1e-6)
    for other in (b, c):
        assert np.array_equal(a.sweep["outcome"][sure], other.sweep["outcome"][sure])
        assert np.mean(a.sweep["outcome"] != other.sweep["outcome"]) <= 0.03


def _on_line(field_batch):
    """A 2-D batched field on the cells x = (s, 0), s over [-708, 708] then -800, 800, 0:
    s and the two rows of its values."""
    s = np.concatenate([np.linspace(-708, 708, 100001), [-800.0, 800.0, 0.0]])
    x, v = np.concatenate([s, np.zeros_like(s)]), np.empty(2 * s.size)
    dp = ctypes.POINTER(ctypes.c_double)
    assert field_batch.ctypes(s.size, 2, None, x.ctypes.data_as(dp), v.ctypes.data_as(dp), None, None) == 0
    return s, v[:s.size], v[s.size:]


def test_jit_exp_is_accurate_and_vectorises_in_a_batched_field():
    """gandyn.jit.exp (the built-in fields' gd_exp_fast, for numba games) inside a field compiled
    by gandyn.jit.batched: e**s to 1e-13 relative over [-708, 708], clamped beyond; and the
    loop, a division included, becomes vector code (a packed floor), which neither math.exp nor
    numba's default error model (a zero check per division) allows."""
    numba = pytest.importorskip("numba")
    from gandyn.jit import batched, exp

    @batched
    def field_batch(n, dim, p, x, v, opts, user):
        for i in range(n):
            v[i] = exp(x[i])
            v[n + i] = 1.0 / (1.0 + exp(x[i]))
        return 0

    s, e, sig = _on_line(field_batch)
    assert np.max(np.abs(e[:-3] / np.exp(s[:-3]) - 1)) < 1e-13
    assert np.max(np.abs(sig[:-3] - 1 / (1 + np.exp(s[:-3])))) < 1e-15
    assert e[-3] == e[0] and e[-2] == e[100000] and e[-1] == 1.0  # clamped to +-708; e**0 = 1
    assert re.search(r"\bv(rndscale|round)pd\b", field_batch._library.get_asm_str())  # a packed floor: vectorised


def test_jit_sigmoid_is_accurate_and_vectorises():
    """gandyn.jit.sigmoid (the built-ins' gd_sigmoid_fast) in a field compiled by
    gandyn.jit.batched: 1/(1 + e**-x) to 1e-13 relative over [-708, 708] (few ulp where it is
    not tiny), sigma(x) + sigma(-x) = 1, clamped beyond; the loop is vector code."""
    pytest.importorskip("numba")
    from gandyn.jit import batched, sigmoid

    @batched
    def field_batch(n, dim, p, x, v, opts, user):
        for i in range(n):
            v[i] = sigmoid(x[i])
            v[n + i] = sigmoid(-x[i])
        return 0

    s, a, b = _on_line(field_batch)
    want = 1 / (1 + np.exp(-s[:-3]))
    assert np.max(np.abs(a[:-3] / want - 1)) < 1e-13
    assert np.max(np.abs(a + b - 1)) < 1e-15
    assert a[-3] == a[0] and a[-2] == a[100000] == 1.0 and a[-1] == 0.5
    assert re.search(r"\bv(rndscale|round)pd\b", field_batch._library.get_asm_str())


def test_game_struct_layout_is_the_headers(tmp_path):
    """The ctypes mirror of gd_game has the C struct's size and every field's offset: a field
    the header gained and the mirror lacks would make the library read past the Python struct."""
    from conftest import SOURCE
    from gandyn.games import _Game, ABI_VERSION
    fields = [name for name, _ in _Game._fields_]
    prog = tmp_path / "layout.c"
    prog.write_text("#include <stddef.h>\n#include <stdio.h>\n#include <gandyn/game.h>\nint main(void) {\n"
                    f'    printf("%d %zu\\n", GD_ABI_VERSION, sizeof(gd_game));\n'
                    + "".join(f'    printf("%zu\\n", offsetof(gd_game, {n.rstrip("_")}));\n' for n in fields) + "    return 0;\n}\n")
    exe = tmp_path / "layout"
    subprocess.run(["cc", "-I", os.path.join(SOURCE, "include"), str(prog), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.split()
    assert (int(out[0]), int(out[1])) == (ABI_VERSION, ctypes.sizeof(_Game))
    assert [int(o) for o in out[2:]] == [getattr(_Game, n).offset for n in fields]


def test_ctypes_function_pointer():
    proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_double), ctypes.POINTER(ctypes.c_double),
                             ctypes.c_void_p, ctypes.c_void_p)

    def rotate(dim, x, v, opts, user):  # F = (-psi, theta): the bilinear game
        v[0], v[1] = -x[1], x[0]
        return 0

    fp = proto(rotate)
    gandyn.register_model("ct_bilinear", 2, 1, fp, equilibrium=lambda: [0.0, 0.0])
    e = gandyn.eig({"model.name": "ct_bilinear", "integrator.h": 0.1}, out="")
    assert sorted(map(tuple, e["eigenvalues"])) == pytest.approx([(0.0, -1.0), (0.0, 1.0)], abs=1e-8)
    assert e["map"]["spectral_radius"] == pytest.approx(math.sqrt(1.01), abs=1e-12)  # |1 + 0.1 i|


def test_exception_in_callback_is_raised_with_its_traceback():
    def field(x):
        if abs(x[0]) < 0.5:  # fine at the start, raises a few steps later
            raise ZeroDivisionError("the user's bug")
        return [-x[1], x[0]]

    gandyn.register_model("py_raising", 2, 1, field)
    with pytest.raises(gandyn.GandynError) as info:
        gandyn.run({"model.name": "py_raising", "run.x0": "1,0", "integrator.h": 0.3, "integrator.steps": 50}, out="")
    cause = info.value.__cause__
    assert isinstance(cause, ZeroDivisionError) and "the user's bug" in str(info.value)
    assert "field" in [f.name for f in traceback.extract_tb(cause.__traceback__)]
    with pytest.raises(gandyn.GandynError) as info, pytest.warns(gandyn.GandynWarning, match="stopped early"):  # in a sweep too
        gandyn.sweep({"model.name": "py_raising", "run.x0": "1,0", "sweep.x": "integrator.h:0.1:0.5:8"}, out="")
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    # the next command runs normally
    assert gandyn.eig(game("py_dirac"), out="")["map"]["spectral_radius"] > 0


def test_bad_results_and_registrations():
    gandyn.register_model("py_short", 2, 1, lambda x: [1.0])
    with pytest.raises(gandyn.UsageError) as info:  # refused where setup probes the field
        gandyn.run({"model.name": "py_short"}, out="")
    assert isinstance(info.value.__cause__, ValueError) and "shape (1,)" in str(info.value)
    with pytest.raises(gandyn.UsageError, match="already registered"):
        gandyn.register_model("py_dirac", 2, 1, dirac_field)
    with pytest.raises(gandyn.UsageError, match="ngen"):
        gandyn.register_model("py_bad_ngen", 2, 3, dirac_field)
    gandyn.register_model("py_nan", 2, 1, lambda x: [math.nan, 0.0])
    with pytest.raises(gandyn.UsageError, match="non-finite|NaN|nan"):
        gandyn.run({"model.name": "py_nan"}, out="")
    with pytest.raises(gandyn.UsageError, match="unknown key|no key|gamma"):
        gandyn.run({"model.name": "py_dirac", "model.gama": 1}, out="")


def test_plugins_through_python():
    """plugin= loads a C plugin as --plugin does (tests/plugins/test_plugin.c: the game "toy");
    the same command line on the executable prints the same; a bad plugin gives the CLI's line."""
    import os
    from conftest import cli, cli_json
    plugins = os.environ.get("GANDYN_TEST_PLUGINS")
    if not plugins:
        pytest.skip("GANDYN_TEST_PLUGINS (the build's tests/plugins) not set")
    good = os.path.join(plugins, "plugin_good.so")
    mine = gandyn.eig({"model.name": "toy"}, plugin=good, out="")
    assert_same(mine, cli_json("eig", "/dev/null", "--plugin", good, "--set", "model.name=toy"), "eig", tol=1e-12)
    bad = os.path.join(plugins, "plugin_wrong_abi.so")
    status, _, err = cli("run", "/dev/null", "--plugin", bad, check=False)
    with pytest.raises(gandyn.UsageError) as info:
        gandyn.run(None, plugin=bad, out="")
    assert status == 2 and str(info.value) == err.strip()[len("gandyn: "):]
