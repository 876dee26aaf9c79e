# SPDX-License-Identifier: BSD-3-Clause
"""gandyn.load reads any gandyn file into the Result a command returns; to_xarray names the
axes; gandyn.plot draws what `gandyn plot` draws; the package finds the library it should."""
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import EXAMPLES, SOURCE, assert_arrays, cli

import gandyn

GRADPEN = os.path.join(EXAMPLES, "dirac", "notebook", "gan_gradpen.ini")


def test_load_equals_the_command_result(scratch):
    import h5py

    r = gandyn.portrait(GRADPEN, out=scratch / "p.h5")
    loaded = gandyn.load(scratch / "p.h5")
    assert dict(loaded) == {} and loaded.path == str(scratch / "p.h5")
    with h5py.File(r.path, "r") as f:
        assert_arrays(loaded.data, f)
    assert str(scratch / "p.h5") in loaded.attrs["command"] and loaded.equilibria.attrs["count"] == r["equilibria"]
    # the configuration a file holds runs again to the same numbers
    again = gandyn.portrait(loaded.config)
    assert dict(again)["equilibria"] == r["equilibria"]
    np.testing.assert_array_equal(again.equilibria["position"], r.equilibria["position"])


def test_load_files_of_every_kind(scratch):
    """A file the executable wrote, of each kind, loads with its groups and root attributes."""
    runs = {"eig": ["eig", GRADPEN, "--scan", "model.gamma:0:1:5"], "rate": ["rate", GRADPEN],
            "estimate": ["estimate", os.path.join(EXAMPLES, "functional", "normal_quantiles.h5"), "--nev", "4"]}
    for name, args in runs.items():
        cli(*args, "-o", scratch / f"{name}.h5")
        r = gandyn.load(scratch / f"{name}.h5")
        assert r.attrs["format_version"] == 1 and r.attrs["command"].startswith("gandyn ") and r.attrs["gandyn_version"] == gandyn.version()
    assert gandyn.load(scratch / "eig.h5").scan["rho"].shape == (5,)
    est = gandyn.load(scratch / "estimate.h5")
    assert est.data["lambda"].shape == (4,) and est.data.dataset_attrs["lambda"]["n"] == 1000


def test_sweep_to_xarray():
    xr = pytest.importorskip("xarray")
    s = gandyn.sweep(GRADPEN, run__x0=[1e-6, 1e-6], sweep__x="integrator.h:0.05:2:40", sweep__y=("model.gamma", 0.1, 0.9, 5))
    ds = s.to_xarray()
    assert isinstance(ds, xr.Dataset) and ds["outcome"].dims == ("model.gamma", "integrator.h")
    np.testing.assert_allclose(ds["integrator.h"], np.linspace(0.05, 2, 40), rtol=1e-15)
    np.testing.assert_allclose(ds["model.gamma"], np.linspace(0.1, 0.9, 5), rtol=1e-15)
    np.testing.assert_array_equal(ds["rho"].values, s.sweep["rho"])
    # every cell by its parameters: the predicted rho of SimGD on the gp flow,
    # sqrt(1 - h gamma + h^2 / 4) for gamma < 1 (docs/models/dirac.md; at gamma = 1 the double
    # eigenvalue is computed to sqrt(eps) only)
    h, g = np.meshgrid(ds["integrator.h"].values, ds["model.gamma"].values)
    np.testing.assert_allclose(ds["rho"].values, np.sqrt(1 - h * g + h * h / 4), rtol=1e-12)
    one = gandyn.sweep(GRADPEN, sweep__x="integrator.h:0.05:2:40").to_xarray()
    assert one["outcome"].dims == ("integrator.h",)


def test_trajectories_to_xarray():
    pytest.importorskip("xarray")
    r = gandyn.run({"model.reg": "gp", "run.x0": "1,1;-1.5,0.5", "integrator.name": "cvode", "integrator.t_end": 10})
    ds = r.to_xarray()
    assert ds["x"].dims == ("traj", "step", "coord") and list(ds["player"].values) == ["generator", "discriminator"]
    for k in range(2):
        n = len(r.traj[k]["t"])
        np.testing.assert_array_equal(ds["x"].values[k, :n], r.traj[k]["x"])
        assert str(ds["outcome"].values[k]) == r["trajectories"][k]["outcome"]
    e = gandyn.eig(GRADPEN, scan=("model.gamma", 0, 1.5, 7)).to_xarray()
    assert e["eig"].dims == ("model.gamma", "eigenvalue")
    # the gp flow's eigenvalues -gamma/2 +- sqrt(gamma^2/4 - 1/4) (docs/models/dirac.md)
    g = e["model.gamma"].values[:, None]
    lam = -g / 2 + np.array([1, -1]) * np.sqrt((g * g / 4 - 0.25).astype(complex))
    np.testing.assert_allclose(np.sort_complex(e["eig"].values), np.sort_complex(lam), atol=1e-9)


def test_optimizer_state(scratch):
    """run.save_opt: a run file's /traj/<k>/opt, loaded, in xarray, and continued by run.resume."""
    xr = pytest.importorskip("xarray")
    cfg = {"model.reg": "gp", "run.x0": "1,1;-1.5,0.5", "integrator.name": "adam", "integrator.steps": 30}
    whole = gandyn.run(dict(cfg, **{"integrator.steps": 60}))
    half = gandyn.run(cfg, out=scratch / "half.h5")
    loaded = gandyn.load(scratch / "half.h5")
    opt = loaded.traj[1]["opt"]
    assert set(opt) == {"m", "v", "step"} and opt["m"].shape == (1, 2) and opt["step"].dtype == np.int64 and opt["step"][0] == 30
    assert "PyTorch" in opt.attrs["convention"] and opt.attrs["integrator"] == "adam"
    ds = loaded.to_xarray()
    assert ds["opt.m"].dims == ("traj", "opt_row", "coord")
    np.testing.assert_array_equal(ds["opt.v"].values[1], opt["v"])
    resumed = gandyn.run(dict(cfg, **{"run.resume": str(scratch / "half.h5")}))
    for k in range(2):
        np.testing.assert_array_equal(resumed.traj[k]["x"][-1], whole.traj[k]["x"][-1])
        for name in ("m", "v", "step"):
            np.testing.assert_array_equal(resumed.traj[k]["opt"][name], whole.traj[k]["opt"][name])


def test_plot_draws_what_the_cli_draws(scratch):
    r = gandyn.rate(GRADPEN, out=scratch / "rate.h5")
    png = gandyn.plot(r, out=scratch / "py.png")
    cli("plot", r.path, "-o", scratch / "cli.png")
    mine, theirs = open(png, "rb").read(), open(scratch / "cli.png", "rb").read()
    assert mine[:8] == b"\x89PNG\r\n\x1a\n" and mine == theirs
    assert gandyn.plot(scratch / "rate.h5") == str(scratch / "rate.png") and os.path.exists(scratch / "rate.png")
    with pytest.raises(gandyn.UsageError, match="has no group gandyn plot knows"):
        import h5py

        h5py.File(scratch / "empty.h5", "w").close()
        gandyn.plot(scratch / "empty.h5")


def test_library_found_from_another_directory(scratch):
    """Imported from any directory: the source package with the library GANDYN_LIBRARY names;
    without it the source tree's build/ (or an installed package's own library)."""
    code = "import gandyn; print(gandyn.library_path()); print(gandyn.version())"
    env = dict(os.environ, PYTHONPATH=os.path.join(SOURCE, "python"))
    p = subprocess.run([sys.executable, "-c", code], cwd=scratch, env=env, capture_output=True, text=True, check=True)
    path, version = p.stdout.split()
    assert version == cli("--version")[1].split()[1]
    if "GANDYN_LIBRARY" in os.environ:
        assert path == os.environ["GANDYN_LIBRARY"]
    env["GANDYN_LIBRARY"] = str(scratch / "nowhere.so")
    p = subprocess.run([sys.executable, "-c", code], cwd=scratch, env=env, capture_output=True, text=True)
    assert p.returncode != 0 and "cannot load libgandyn" in p.stderr and "nowhere.so" in p.stderr
