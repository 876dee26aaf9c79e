# SPDX-License-Identifier: BSD-3-Clause
"""gandyn from Python: GAN training dynamics as ODE systems and discrete maps (docs/python.md).

One function per command of the `gandyn` CLI, computed by the same library code, so that a
script and the command line are interchangeable:

    import gandyn
    r = gandyn.run({"model.name": "dirac", "model.reg": "gp"}, run__x0=[1, 1])
    r["trajectories"][0]["outcome"]        # what `gandyn run --json` prints
    r.traj[0]["x"]                         # the file's /traj/0/x as a numpy array
    e = gandyn.eig("examples/dirac/notebook/gan_gradpen.ini", scan=("model.gamma", 0, 1.5, 41))
    s = gandyn.sweep({"sweep.x": "integrator.h:0.05:2:40", "run.x0": "1e-6,1e-6"})
    s.to_xarray()                          # with python3-xarray
    gandyn.plot(s, out="sweep.png")        # the picture `gandyn plot` draws
    gandyn.load("output/run.h5")           # any gandyn file as a Result

Your own game: gandyn.register_model(name, dim, ngen, field, jacobian=None, equilibrium=None,
params=None) with Python callables or compiled (numba @cfunc) callbacks, then {"model.name": name}.

Failures raise GandynError subclasses carrying the library's one-line message: UsageError
(the CLI's exit status 2: bad key, value or option, missing config file), SolverError,
FileError, CancelledError.
"""
from ._lib import library_path
from .commands import (attractor, call, catalog, continuation, critical, eig, estimate, help, lyapunov, merge, normal, orbit, portrait, rate, run, smoothness,
                       spectrum, sweep, version)
from .errors import (CancelledError, FileError, GandynError, GandynWarning, LibraryNotFound, SolverError,
                     UsageError)
from .games import EQUILIBRIUM_SIG, FIELD_BATCH_SIG, FIELD_SIG, JACOBIAN_SIG, register_model
from .plotting import plot
from .result import Group, Result, load

list = catalog  # gandyn.list(): `gandyn list --json` (not exported by `from gandyn import *`)

__all__ = ["run", "eig", "rate", "portrait", "sweep", "critical", "continuation", "smoothness", "spectrum", "lyapunov", "attractor", "orbit", "normal", "merge", "estimate",
           "catalog", "help", "version", "call", "load", "plot", "Result", "Group", "GandynError", "UsageError",
           "SolverError", "FileError", "CancelledError", "LibraryNotFound", "GandynWarning", "library_path", "register_model",
           "FIELD_SIG", "JACOBIAN_SIG", "EQUILIBRIUM_SIG", "FIELD_BATCH_SIG"]
