# SPDX-License-Identifier: BSD-3-Clause
"""Exceptions and warnings of the gandyn package.

Each exception carries the library's one-line message (``str(e)``), the exit status the CLI
gives for the same command line (``e.status``: 2 usage or configuration, 1 failed run) and the
library's return code (``e.code``, one of the ``GD_*`` constants below).
"""

# The library's return codes (include/gandyn.h); ctypes cannot read an enum, so they are restated.
GD_OK = 0
GD_EUSAGE = -1
GD_EIO = -2
GD_ESOLVER = -3
GD_ENOMEM = -4
GD_ENOTAVAIL = -5
GD_ECANCELED = -6


class GandynError(Exception):
    """A gandyn command failed; ``status`` and ``code`` say how."""

    status = 1
    code = None


class UsageError(GandynError, ValueError):
    """Bad key, bad value, unknown option, a missing or unreadable config file, a size beyond
    memory: what the CLI refuses with exit status 2."""


class SolverError(GandynError, RuntimeError):
    """A solve failed or is impossible here (Newton, CVODE, no equilibrium to linearise at)."""


class FileError(GandynError, OSError):
    """An output or input file could not be written or read."""


class CancelledError(GandynError):
    """A sweep stopped by SIGINT or SIGTERM (Ctrl-C); rerun it with ``resume=True``."""


class LibraryNotFound(GandynError, ImportError):
    """libgandyn could not be loaded (set GANDYN_LIBRARY to its path)."""


class GandynWarning(UserWarning):
    """A warning line of the library: a doubtful configuration, trajectories or sweep cells
    that stopped early, equilibria a portrait may have missed."""


def error_for(status, code, message):
    """The exception for a failed command: status 2 is always a UsageError; otherwise the code
    decides."""
    if status == 2:
        cls = UsageError
    else:
        cls = {GD_ESOLVER: SolverError, GD_ENOTAVAIL: SolverError, GD_EIO: FileError,
               GD_ECANCELED: CancelledError}.get(code, GandynError)
    err = cls(message)  # one argument: OSError would read more as errno and filename
    err.status, err.code = status, code
    return err
