# SPDX-License-Identifier: BSD-3-Clause
"""Results as xarray Datasets (Debian's python3-xarray), with the axes named as in the file:
a sweep's axes by their swept keys (its dimension scales), trajectories by traj, step and
coord, an eig scan by its key."""
import numpy as np


def _xarray():
    try:
        import xarray
    except ImportError as e:
        raise ImportError("to_xarray needs xarray (Debian: apt install python3-xarray)") from e
    return xarray


def sweep_dataset(g):
    """/sweep: every [ny, nx] dataset on the axes' keys; a 1-D sweep (ny = 1) loses the y axis."""
    xarray = _xarray()
    axes = {name: g[name] for name in g if name.startswith("axis_")}
    keys = {name: g.dataset_attrs.get(name, {}).get("key", name) for name in axes}
    coords = {keys[n]: (keys[n], v, g.dataset_attrs.get(n, {})) for n, v in axes.items()}
    variables = {}
    for name, v in g.items():
        if name in axes or not isinstance(v, np.ndarray):
            continue
        dims = [d if d in coords else f"{name}_dim{i}" for i, d in enumerate(g.dims.get(name, (None,) * v.ndim))]
        if v.ndim == 2 and v.shape[0] == 1 and dims[0] not in coords:  # no axis_y
            v, dims = v[0], dims[1:]
        variables[name] = (dims, v)
    return xarray.Dataset(variables, coords=coords, attrs=dict(g.attrs))


def _stack(cols, n, axis):
    """Per-trajectory arrays [rows(, coord)] as one block [traj, axis(, coord)], NaN-padded."""
    block = np.full((len(cols), n) + cols[0].shape[1:], np.nan)
    for k, c in enumerate(cols):
        block[k, : len(c)] = c
    return (("traj", axis, "coord")[: block.ndim], block)


def trajectory_dataset(trajs, model=None):
    """/traj/<k>: x [traj, step, coord], t and the per-step observables [traj, step] (NaN past a
    shorter trajectory's end), each trajectory's attributes [traj], and the optimizer's state of
    /traj/<k>/opt as opt.NAME [traj, opt_row(, coord)] (run.save_opt: one row, or one per step)."""
    xarray = _xarray()
    n = max(len(tr["t"]) for tr in trajs)
    dim = trajs[0]["x"].shape[1]
    variables = {}
    for name in trajs[0]:
        if isinstance(trajs[0][name], dict):  # /traj/<k>/opt
            for vec in trajs[0][name]:
                cols = [tr[name][vec] for tr in trajs]
                variables[f"{name}.{vec}"] = _stack(cols, max(len(c) for c in cols), f"{name}_row")
            continue
        variables[name] = _stack([tr[name] for tr in trajs], n, "step")
    for key in trajs[0].attrs:
        vals = [tr.attrs.get(key) for tr in trajs]
        if key == "x0":
            variables[key] = (("traj", "coord"), np.array(vals, dtype=float))
        elif all(np.isscalar(v) for v in vals):
            variables[key] = ("traj", np.array(vals))
    coords = {"traj": np.arange(len(trajs)), "step": np.arange(n), "coord": np.arange(dim)}
    attrs = {}
    if model is not None:
        attrs = dict(model.attrs)
        ngen = model.attrs.get("ngen")
        if ngen is not None:
            coords["player"] = ("coord", np.where(np.arange(dim) < ngen, "generator", "discriminator"))
    return xarray.Dataset(variables, coords=coords, attrs=attrs)


def scan_dataset(g):
    """/scan of `eig --scan`: rho [key], eig [key, eigenvalue] and map [key, map_eigenvalue], complex."""
    xarray = _xarray()
    key = g.attrs.get("key", "value")
    variables = {"rho": (key, g["rho"])}
    for part, dim in (("eig", "eigenvalue"), ("map", "map_eigenvalue")):
        if f"{part}_re" in g:
            variables[part] = ((key, dim), g[f"{part}_re"] + 1j * g[f"{part}_im"])
    return xarray.Dataset(variables, coords={key: g["values"]}, attrs=dict(g.attrs))


def to_dataset(data):
    if "sweep" in data:
        return sweep_dataset(data["sweep"])
    if "traj" in data:
        return trajectory_dataset(data["traj"], data.get("model"))
    if "scan" in data:
        return scan_dataset(data["scan"])
    raise ValueError("to_xarray: the result has no /sweep, /traj or /scan (groups: %s)" % ", ".join(data) or "none")
