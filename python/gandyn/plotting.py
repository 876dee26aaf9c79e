# SPDX-License-Identifier: BSD-3-Clause
"""gandyn.plot: the picture `gandyn plot` draws, by the same code (plots/gandyn_plot.py),
imported into this interpreter."""
import importlib.util
import os

from . import _lib, errors
from .result import Result

_module = None


def plots_dir():
    """$GANDYN_PLOTS_DIR, else the installed plot scripts (_paths.py), else the source tree's."""
    env = os.environ.get("GANDYN_PLOTS_DIR")
    if env:
        return env
    paths = _lib.installed_paths()
    if paths is not None:
        return os.path.normpath(os.path.join(_lib.package_dir(), paths.PLOTS))
    return os.path.normpath(os.path.join(_lib.package_dir(), os.pardir, os.pardir, "plots"))


def _plot_module():
    """plots/gandyn_plot.py, imported once. The script (and gd_plotlib) select matplotlib's Agg
    backend for the CLI; imported here they must not: a notebook keeps its inline backend, so
    matplotlib.use does nothing while they load."""
    global _module
    if _module is None:
        import matplotlib

        path = os.path.join(plots_dir(), "gandyn_plot.py")
        if not os.path.exists(path):
            raise errors.FileError(f"plot: no plot script '{path}' (set GANDYN_PLOTS_DIR to the plots/ folder)")
        spec = importlib.util.spec_from_file_location("gandyn_plot", path)
        module = importlib.util.module_from_spec(spec)
        use = matplotlib.use
        matplotlib.use = lambda *args, **kw: None
        try:
            spec.loader.exec_module(module)
        finally:
            matplotlib.use = use
        _module = module
    return _module


def plot(result, out=None):
    """Draw a Result (its file) or the path of a gandyn HDF5 file as `gandyn plot` does and
    return the PNG's path (default: next to the file, FILE.png; a result's temporary file has
    its PNG in the same temporary folder, so pass out= to keep it)."""
    path = result.path if isinstance(result, Result) else os.fspath(result)
    if not path:
        raise errors.UsageError("plot: the result has no file (it was computed with out='')")
    out = os.fspath(out) if out is not None else os.path.splitext(path)[0] + ".png"
    module = _plot_module()
    try:
        module.plot_file(path, out)
    except module.PlotError as e:
        err = errors.UsageError(f"plot: {e}")
        err.status, err.code = 2, errors.GD_EUSAGE
        raise err from None
    return out
