# SPDX-License-Identifier: BSD-3-Clause
"""Every analysis through Python agrees with the gandyn executable: the printed JSON to 1e-12,
and the Result's arrays with the HDF5 file the executable writes for the same command line."""
import os

import h5py
import numpy as np
import pytest
from conftest import EXAMPLES, assert_arrays, assert_same, cli_json

import gandyn

GRADPEN = os.path.join(EXAMPLES, "dirac", "notebook", "gan_gradpen.ini")
GAN = os.path.join(EXAMPLES, "dirac", "notebook", "gan.ini")
FLOW = os.path.join(EXAMPLES, "dirac", "gan_gradpen_flow.ini")
KERNEL = os.path.join(EXAMPLES, "kernel_gda", "isolated_point.ini")

# (command, Python call, the same command line for the executable); the Python side mixes the
# ways of giving a configuration: a dict, an INI path, section__key keywords, set=, axis tuples.
CASES = {
    "run_dict": ("run", lambda out: gandyn.run({"model.reg": "gp", "run.x0": [[1, 1], [-1.5, 0.5]]}, out=out),
                 ["/dev/null", "--set", "model.reg=gp", "--set", "run.x0=1,1;-1.5,0.5"]),
    "run_ini_altgd": ("run", lambda out: gandyn.run(GRADPEN, integrator__name="altgd", integrator__n_d=5, out=out),
                      [GRADPEN, "--set", "integrator.name=altgd", "--set", "integrator.n_d=5"]),
    "run_cvode": ("run", lambda out: gandyn.run(FLOW, set={"integrator.t_end": 20}, out=out), [FLOW, "--set", "integrator.t_end=20"]),
    "run_torus": ("run", lambda out: gandyn.run({"model": {"name": "torus", "objective": "rexp", "N": 2}}, out=out),
                  ["/dev/null", "--set", "model.name=torus", "--set", "model.objective=rexp", "--set", "model.N=2"]),
    "run_kernel_gda": ("run", lambda out: gandyn.run(KERNEL, integrator__steps=300, out=out), [KERNEL, "--set", "integrator.steps=300"]),
    "eig": ("eig", lambda out: gandyn.eig(GRADPEN, out=out), [GRADPEN]),
    "eig_scan": ("eig", lambda out: gandyn.eig(GRADPEN, scan=("model.gamma", 0, 1.5, 41), out=out), [GRADPEN, "--scan", "model.gamma:0:1.5:41"]),
    "eig_no_flow": ("eig", lambda out: gandyn.eig(KERNEL, model__representation="exact", out=out),
                    [KERNEL, "--set", "model.representation=exact"]),
    "rate": ("rate", lambda out: gandyn.rate(GRADPEN, out=out), [GRADPEN]),
    "portrait": ("portrait", lambda out: gandyn.portrait(GRADPEN, out=out), [GRADPEN]),
    "sweep_2d": ("sweep", lambda out: gandyn.sweep({"model.reg": "gp"}, run__x0="1e-6,1e-6", sweep__x=("integrator.h", 0.05, 2, 40),
                                                   sweep__y=("model.gamma", 0.1, 1, 7, "log"), threads=2, out=out),
                 ["/dev/null", "--set", "model.reg=gp", "--set", "run.x0=1e-6,1e-6", "--set", "sweep.x=integrator.h:0.05:2:40",
                  "--set", "sweep.y=model.gamma:0.1:1:7:log", "--threads", "2"]),
    "sweep_cells": ("sweep", lambda out: gandyn.sweep(GRADPEN, sweep__x="integrator.h:0.05:2:300", cells=(100, 290), out=out),
                    [GRADPEN, "--set", "sweep.x=integrator.h:0.05:2:300", "--cells", "100:290"]),
    "sweep_basin": ("sweep", lambda out: gandyn.sweep({"model.reg": "none", "integrator.name": "altgd", "integrator.n_d": 5, "integrator.h": 1.85,
                                                      "integrator.steps": 200000, "sweep.attractor": 1}, sweep__x="run.x0.0:1e-3:0.5:2",
                                                     sweep__y="run.x0.1:1e-3:0.5:2", out=out),
                    ["/dev/null", "--set", "model.reg=none", "--set", "integrator.name=altgd", "--set", "integrator.n_d=5", "--set", "integrator.h=1.85",
                     "--set", "integrator.steps=200000", "--set", "sweep.attractor=1", "--set", "sweep.x=run.x0.0:1e-3:0.5:2",
                     "--set", "sweep.y=run.x0.1:1e-3:0.5:2"]),
    "continue": ("continue", lambda out: gandyn.continuation(GRADPEN, param="integrator.h", lo=0.5, hi=1.5, integrator__h=0.5, out=out),
                 [GRADPEN, "--set", "integrator.h=0.5", "--param", "integrator.h", "--lo", "0.5", "--hi", "1.5"]),
    "orbit": ("orbit", lambda out: gandyn.orbit({"model.name": "normal_form", "model.form": "hopf", "integrator.name": "cvode"}, run__x0=[0.3, 0],
                                                period_guess=6, out=out),
              ["/dev/null", "--set", "model.name=normal_form", "--set", "model.form=hopf", "--set", "integrator.name=cvode", "--set", "run.x0=0.3,0",
               "--period-guess", "6"]),
    "normal": ("normal", lambda out: gandyn.normal(GRADPEN, param="integrator.h", at=1.2, type="ns", out=out),
               [GRADPEN, "--param", "integrator.h", "--at", "1.2", "--type", "ns"]),
    "continue_cycles": ("continue", lambda out: gandyn.continuation({"model.name": "normal_form", "model.form": "bautin", "integrator.name": "cvode"},
                                                                    param="model.mu", lo=-0.5, hi=0.5, cycles=True, out=out),
                        ["/dev/null", "--set", "model.name=normal_form", "--set", "model.form=bautin", "--set", "integrator.name=cvode",
                         "--param", "model.mu", "--lo", "-0.5", "--hi", "0.5", "--cycles"]),
    "continue_orbit": ("continue", lambda out: gandyn.continuation({"model.name": "normal_form", "model.form": "cycle_torus", "model.mu": -0.1,
                                                                   "integrator.name": "cvode"}, param="model.mu", lo=-0.2, hi=0.2, from_="orbit", out=out),
                       ["/dev/null", "--set", "model.name=normal_form", "--set", "model.form=cycle_torus", "--set", "model.mu=-0.1",
                        "--set", "integrator.name=cvode", "--param", "model.mu", "--lo", "-0.2", "--hi", "0.2", "--from", "orbit"]),
    "spectrum": ("spectrum", lambda out: gandyn.spectrum({"model.name": "functional", "model.gamma": 0.5}, scan="model.gamma:0.1:1:4", out=out),
                 ["/dev/null", "--set", "model.name=functional", "--set", "model.gamma=0.5", "--scan", "model.gamma:0.1:1:4"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_agrees_with_cli(case, scratch):
    name, call, args = CASES[case]
    mine = call(str(scratch / "py.h5"))
    theirs = cli_json(name, *args, "-o", scratch / "cli.h5")
    assert_same(dict(mine), theirs, case)
    assert mine.path == str(scratch / "py.h5") and mine["output"] == mine.path
    with h5py.File(scratch / "cli.h5", "r") as f:
        assert_arrays(mine.data, f, case)
        for k, v in f.attrs.items():
            if k not in ("command", "created"):
                assert mine.attrs[k] == (v.item() if hasattr(v, "item") else v), k


def test_continue_from_agrees_with_cli(scratch):
    """from_= is --from: the logistic map's period-2 branch from the PD point of a first file."""
    lg = {"model.name": "normal_form", "model.form": "logistic", "model.r": 2.5, "integrator.h": 1, "run.x0": 0.6}
    first = gandyn.continuation(lg, param="model.r", lo=2.5, hi=3.4, continuation__branches=1, out=scratch / "pd1.h5")
    assert [s["type"] for s in first["special"]] == ["PD"]
    start = f"{scratch / 'pd1.h5'}#/points/0"
    mine = gandyn.continuation(lg, param="model.r", lo=3, hi=3.5, period=2, from_=start, out="")
    sets = [a for k, v in lg.items() for a in ("--set", f"{k}={v}")]
    assert_same(dict(mine), cli_json("continue", "/dev/null", *sets, "--param", "model.r", "--lo", 3, "--hi", 3.5, "--period", 2, "--from", start, "-o", ""))
    assert any(s["type"] == "PD" and abs(s["p"] - (1 + 6 ** 0.5)) < 1e-10 for s in mine["special"])


def test_normal():
    """gandyn.normal: the logistic map's flip coefficient c(r) = 2r^2/(r - 1) (9 at r = 3) and the
    predicted period-2 orbit; the Hopf form's l1 = 2 c_re / omega; a refusal as a UsageError."""
    lg = {"model.name": "normal_form", "model.form": "logistic", "integrator.h": 1, "run.x0": 0.6}
    r = gandyn.normal(lg, param="model.r", at=3.01)
    assert r.path is None and r["type"] == "PD" and r["c"] == r["coeff"] and abs(r["c"] - 2 * 3.01 ** 2 / 2.01) < 1e-5
    assert abs(r["amplitude"] ** 2 * r["c"] - 0.01) < 1e-12 and r["criticality"] == "super"
    h = gandyn.normal({"model.name": "normal_form", "model.form": "hopf", "integrator.name": "cvode", "model.omega": 2}, param="model.mu", at=-0.1,
                      type="hopf")
    assert h["type"] == "H" and abs(h["l1"] + 1) < 1e-8 and abs(h["omega"] - 2) < 1e-12 and "amplitude" not in h
    with pytest.raises(gandyn.UsageError, match="--type hopf needs a flow"):
        gandyn.normal(lg, param="model.r", at=3, type="hopf")


def test_critical_and_trace_agree_with_cli():
    args = ["--set", "integrator.name=altgd", "--set", "run.x0=1e-8,1e-8", "--set", "integrator.steps=20000"]
    mine = gandyn.critical(GAN, param="integrator.h", lo=3, hi=5, integrator__name="altgd", run__x0=[1e-8, 1e-8], integrator__steps=20000)
    assert_same(dict(mine), cli_json("critical", GAN, *args, "--param", "integrator.h", "--lo", 3, "--hi", 5))
    assert abs(mine["predicted"] - 4) < 1e-6 and mine.path is None  # the AltGD step limit 4 (README)
    trace = dict(param="integrator.h", lo=0.5, hi=5, trace=("model.gamma", 0.3, 1.5, 3))
    mine = gandyn.critical({"model.reg": "gp", "run.x0": "1e-3,1e-3", "integrator.steps": 2000}, **trace)
    assert_same(dict(mine), cli_json("critical", "/dev/null", "--set", "model.reg=gp", "--set", "run.x0=1e-3,1e-3", "--set",
                                     "integrator.steps=2000", "--param", "integrator.h", "--lo", 0.5, "--hi", 5, "--trace",
                                     "model.gamma:0.3:1.5:3"))


def test_critical_classes_agree_with_cli(scratch):
    """critical --classes: the logistic map's first two flips, r = 3 and 1 + sqrt(6), in the
    printed boundaries and in the file."""
    logistic = {"model.name": "normal_form", "model.form": "logistic", "integrator.h": 1, "run.x0": 0.1234}
    sets = [a for k, v in logistic.items() for a in ("--set", f"{k}={v}")]
    mine = gandyn.critical(logistic, param="model.r", lo=2.8, hi=3.5, n=9, out=scratch / "crit.h5")  # 9: no value is r = 3 itself
    cli_out = cli_json("critical", "/dev/null", *sets, "--param", "model.r", "--lo", 2.8, "--hi", 3.5, "--n", 9, "-o", scratch / "cli.h5")
    assert_same({k: v for k, v in mine.items() if k != "output"}, {k: v for k, v in cli_out.items() if k != "output"})
    flips = [b["refined"] for b in mine["boundaries"] if b["kind"] == "local" and b["type"] == "PD"]
    assert len(flips) == 2 and abs(flips[0] - 3) < 1e-8 and abs(flips[1] - (1 + 6 ** 0.5)) < 1e-8
    assert mine["boundaries"][0]["below"] == {"class": "fixed", "period": 1} and mine["boundaries"][1]["above"]["period"] == 4
    scan = mine.data["scan"]
    assert len(scan["p"]) == mine["values"] and scan["samples"].shape == (mine["values"], 200, 1)
    assert np.allclose(mine.data["boundaries"]["refined"][:2], [3, 1 + 6 ** 0.5], atol=1e-8)


def test_smoothness_and_merge_agree_with_cli(scratch):
    particles = {"model.name": "particles", "model.particles": "0.2,0.1;1.7,-0.2;0.1,2.2;2.1,1.8", "model.data": "0,0;2,0;0,2;2,2"}
    sets = [a for k, v in particles.items() for a in ("--set", f"{k}={v}")]
    assert_same(dict(gandyn.smoothness(particles)), cli_json("smoothness", "/dev/null", *sets))
    axis = "integrator.h:0.05:2:40"
    a = gandyn.sweep(GRADPEN, sweep__x=axis, cells=(0, 25), out=scratch / "a.h5")
    b = gandyn.sweep(GRADPEN, sweep__x=axis, cells=(25, 40), out=scratch / "b.h5")
    merged = gandyn.merge(b.path, a.path, out=scratch / "m.h5")
    whole = gandyn.sweep(GRADPEN, sweep__x=axis)
    assert_same(dict(merged), cli_json("merge", a.path, b.path, "-o", scratch / "cli.h5"))
    assert_arrays(merged.sweep, h5py.File(whole.path, "r")["sweep"], "merge")


def test_printed_and_written_agree():
    """The numbers a command prints are those of the file it writes."""
    r = gandyn.run(FLOW)
    for k, tr in enumerate(r["trajectories"]):
        assert tr["x_final"] == r.traj[k]["x"][-1].tolist() and tr["outcome"] == r.traj[k].attrs["outcome"]
        assert tr["t_final"] == r.traj[k]["t"][-1]
    e = gandyn.eig(GRADPEN, scan=("model.gamma", 0, 1.5, 41))
    assert [[a, b] for a, b in zip(e.eig["eig_re"], e.eig["eig_im"])] == e["eigenvalues"]
    assert e.scan["rho"].tolist() == e["scan"]["spectral_radius"] and e.scan["values"].tolist() == e["scan"]["values"]
    s = gandyn.sweep(GRADPEN, run__x0=[1e-6, 1e-6], sweep__x="integrator.h:0.05:2:40")
    outcome = s.sweep["outcome"]
    assert [int((outcome == k).sum()) for k in range(3)] == [s["counts"][n] for n in ("converge", "oscillate", "diverge")]
    agree = np.mean(outcome == s.sweep["predicted"])
    assert abs(agree - s["agreement"]) < 1e-12


def test_basin_arrays():
    """A basin sweep's result: the attractor columns and labels as arrays, the attractors as a list
    (docs/bifurcations.md, "Sweeps and basins"), and the printed counts those of the arrays."""
    s = gandyn.sweep(CASES["sweep_basin"][2][0], set=dict(a.split("=", 1) for a in CASES["sweep_basin"][2][2::2]))
    cls, basin = s.sweep["attractor"], s.sweep["basin"]
    names = ["fixed", "periodic", "quasi_periodic", "neutral", "chaotic", "stall", "diverge", "undetermined"]
    assert [int((cls == k).sum()) for k in range(8)] == [s["attractors"][n] for n in names]
    assert cls.shape == basin.shape == s.sweep["period"].shape == (2, 2) and s.sweep["lyap1"].dtype == np.float64
    atts = s.basin["attractors"]
    assert len(atts) == basin.max() + 1 == len(s["basin"])
    assert atts[0].attrs["name"] == "periodic 2" and atts[0]["points"].shape == (2, 2)


def test_run_against_closed_form():
    """SimGD near x* = 0 of the GAN + gradient penalty is the linear map x <- (I + hJ) x with
    J = [[0, -f'(0)], [f'(0), -gamma]], f'(0) = 1/2 (docs/models/dirac.md): from a start of size
    1e-7 the quadratic terms are 1e-14 of the linear ones."""
    h, gamma, steps = 0.2, 0.3, 200
    r = gandyn.run({"model.reg": "gp", "model.gamma": gamma, "integrator.h": h, "integrator.steps": steps}, run__x0=[1e-7, 2e-7])
    step = np.eye(2) + h * np.array([[0, -0.5], [0.5, -gamma]])
    ref = [np.array([1e-7, 2e-7])]
    for _ in range(steps):
        ref.append(step @ ref[-1])
    x = r.traj[0]["x"]
    assert x.shape == (steps + 1, 2)
    assert np.max(np.abs(x - np.array(ref))) <= 1e-9 * 2e-7
    np.testing.assert_allclose(r.traj[0]["t"], h * np.arange(steps + 1), rtol=1e-14)
