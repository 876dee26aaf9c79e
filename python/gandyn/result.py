# SPDX-License-Identifier: BSD-3-Clause
"""Results: what a command's --json prints, as a dict, and the HDF5 file it wrote as numpy
arrays (README.md, "Output files"), read generically: nothing here names a JSON field, and the
file's layout is followed as it is (groups become dicts, datasets arrays)."""
import configparser
import os
import shutil
import weakref

import numpy as np

# HDF5 dimension-scale bookkeeping (h5py's dims API reads it): not the file's own attributes.
_SCALE_ATTRS = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST"}


class Group(dict):
    """An HDF5 group: datasets as numpy arrays and subgroups as Groups (a group of numbered
    subgroups, /traj, as a list). ``attrs``: the group's attributes; ``dataset_attrs[name]``: a
    dataset's; ``dims[name]``: per axis of a dataset, the name of the dimension scale attached to
    it (the swept key of a sweep's axis) or None."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.attrs, self.dataset_attrs, self.dims = {}, {}, {}


def _value(v):
    """An attribute as Python wants it: str for text, a number for a one-element array."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.dtype.kind in "SO":
        return [_value(e) for e in v.tolist()]
    if isinstance(v, np.ndarray) and v.size == 1 and v.ndim <= 1:
        return v.reshape(-1)[0].item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _attrs(obj):
    return {k: _value(v) for k, v in obj.attrs.items() if k not in _SCALE_ATTRS}


def _scale_names(ds):
    names = []
    for dim in ds.dims:
        scales = list(dim.values()) if len(dim) else []
        names.append(_value(scales[0].attrs.get("NAME", scales[0].name)) if scales else None)
    return tuple(names)


def read_group(g):
    """An h5py group and everything below it, read into memory."""
    import h5py

    keys = list(g.keys())
    if keys and all(k.isdigit() for k in keys) and all(isinstance(g[k], h5py.Group) for k in keys):
        return [read_group(g[k]) for k in sorted(keys, key=int)]
    out = Group()
    out.attrs = _attrs(g)
    for k in keys:
        node = g[k]
        if isinstance(node, h5py.Group):
            out[k] = read_group(node)
            continue
        out[k] = node[()]
        if node.attrs:
            out.dataset_attrs[k] = _attrs(node)
        if any(len(d) for d in node.dims):
            out.dims[k] = _scale_names(node)
    return out


def read_file(path):
    """The whole file as a Group; its attrs are the root attributes (command, config, ...)."""
    import h5py

    with h5py.File(path, "r") as f:
        return read_group(f)


class Result(dict):
    """A command's result: the dict its --json prints (empty for gandyn.load), and the file it
    wrote. Attributes: ``path`` (the HDF5 file, or None), ``data`` (the file as a Group: e.g.
    ``r.data["traj"][0]["x"]``, ``r.data["sweep"]["outcome"]``; ``r.traj``, ``r.sweep``, ... for
    short), ``attrs`` (the file's root attributes), ``config`` (the resolved configuration the
    file holds, as {"section.key": "value"}: a config for the next command)."""

    def __init__(self, printed=None, path=None, data=None, tmpdir=None):
        super().__init__(printed or {})
        self.path = path
        self.data = data if data is not None else Group()
        if tmpdir:  # a file the user did not ask for: it lives as long as the result
            weakref.finalize(self, shutil.rmtree, tmpdir, True)

    def __getattr__(self, name):
        data = self.__dict__.get("data")
        if data is not None and name in data:
            return data[name]
        raise AttributeError(f"{type(self).__name__} has no attribute or file group {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.__dict__.get("data", ())))

    def __repr__(self):
        groups = ", ".join(self.data)
        return f"<gandyn.Result {dict.__repr__(self)[:300]} file={self.path!r} groups=[{groups}]>"

    @property
    def attrs(self):
        return self.data.attrs

    @property
    def config(self):
        text = self.attrs.get("config")
        if not text:
            return {}
        c = configparser.ConfigParser(interpolation=None, comment_prefixes=("#", ";"), inline_comment_prefixes=None)
        c.optionxform = str
        c.read_string(text)
        return {f"{s}.{k}": v for s in c.sections() for k, v in c[s].items()}

    def to_xarray(self):
        """The sweep (/sweep) or the trajectories (/traj) or the eigenvalue scan (/scan) as an
        xarray.Dataset with named axes (the swept keys; traj, step, coord); ImportError
        without xarray."""
        from . import xr

        return xr.to_dataset(self.data)


def load(path):
    """Any gandyn HDF5 file as a Result (no printed part)."""
    path = os.fspath(path)
    return Result({}, path, read_file(path))
