# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the Python tests (CTest `python`: the build tree's library through GANDYN_LIBRARY,
its CLI through GANDYN, this package through PYTHONPATH)."""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
EXAMPLES = os.path.join(SOURCE, "examples")
sys.path.insert(0, os.path.join(SOURCE, "python"))

# Fields of the printed JSON that measure the process rather than the result.
VOLATILE = {"seconds", "peak_rss_mib", "output"}


def cli_binary():
    return os.environ.get("GANDYN") or os.path.join(SOURCE, "build", "gandyn")


def cli(*args, check=True):
    """Run the gandyn executable: (status, stdout, stderr)."""
    p = subprocess.run([cli_binary()] + [str(a) for a in args], capture_output=True, text=True)
    if check and p.returncode:
        raise AssertionError(f"gandyn {' '.join(map(str, args))}: status {p.returncode}: {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    return json.loads(cli(*args, "--json")[1])


def assert_same(a, b, where="", tol=1e-12):
    """Two printed JSON values equal: numbers to tol (relative, absolute below 1), the rest exactly."""
    if isinstance(b, dict):
        assert isinstance(a, dict) and a.keys() == b.keys(), f"{where}: keys {sorted(a)} != {sorted(b)}"
        for k in b:
            if k not in VOLATILE:
                assert_same(a[k], b[k], f"{where}.{k}", tol)
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), f"{where}: {a!r} != {b!r}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]", tol)
    elif isinstance(b, (int, float)) and not isinstance(b, bool):
        assert isinstance(a, (int, float)) and not isinstance(a, bool), f"{where}: {a!r} != {b!r}"
        assert abs(a - b) <= tol * max(1.0, abs(b)), f"{where}: {a!r} != {b!r}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def assert_arrays(group, h5group, where=""):
    """Every dataset below an h5py group equals the Result's array of the same name (to 1e-12,
    NaN where NaN), and the Result has no array the file lacks."""
    names = set(h5group.keys())
    mine = set(range(len(group))) if isinstance(group, list) else set(group)
    assert {str(n) for n in mine} == names, f"{where}: {sorted(mine)} != {sorted(names)}"
    for name in names:
        node = h5group[name]
        value = group[int(name)] if isinstance(group, list) else group[name]
        if isinstance(node, h5py.Group):
            assert_arrays(value, node, f"{where}/{name}")
        else:
            np.testing.assert_allclose(value, node[()], rtol=1e-12, atol=0, equal_nan=True, err_msg=f"{where}/{name}")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A folder of the test's own, also for the package's temporary files."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    os.makedirs(tempfile.tempdir)
    return tmp_path
