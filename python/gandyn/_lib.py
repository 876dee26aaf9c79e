# SPDX-License-Identifier: BSD-3-Clause
"""The ctypes handle on libgandyn: where the library is found, its declarations, and the one
call every command goes through (gd_command_capture, include/gandyn/command.h).

The library is looked for, first match wins:
  1. $GANDYN_LIBRARY, a path to libgandyn.so (the only candidate when set: tests use it to pin
     the build tree's library);
  2. next to an installed package: the library directory `cmake --install` wrote into
     _paths.py beside this file;
  3. the source tree's build directory (this package in python/gandyn, the library in build/);
  4. the dynamic loader's search (LD_LIBRARY_PATH, ldconfig's cache).
It is loaded at the first command, so that gandyn.load and gandyn.plot work without it.
"""
import ctypes
import os
import threading

from . import errors

_SONAMES = ("libgandyn.so.0", "libgandyn.so")
_MSG_BYTES = 4096  # at least GD_COMMAND_MSG
_handle = None
_lock = threading.Lock()


def package_dir():
    return os.path.dirname(os.path.abspath(__file__))


def installed_paths():
    """The _paths module cmake --install writes beside the package, or None in a source tree."""
    try:
        from . import _paths
    except ImportError:
        return None
    return _paths


def candidates():
    """The library paths tried, in order."""
    env = os.environ.get("GANDYN_LIBRARY")
    if env:
        return [env]
    found = []
    paths = installed_paths()
    if paths is not None:
        found += [os.path.normpath(os.path.join(package_dir(), paths.LIBDIR, s)) for s in _SONAMES]
    build = os.path.normpath(os.path.join(package_dir(), os.pardir, os.pardir, "build"))
    found += [os.path.join(build, s) for s in _SONAMES]
    return found + list(_SONAMES)


def _declare(lib):
    c = ctypes
    lib.gd_command_capture.argtypes = [c.c_int, c.POINTER(c.c_char_p), c.c_uint, c.POINTER(c.c_void_p),
                                       c.POINTER(c.c_void_p), c.c_char_p, c.POINTER(c.c_int)]
    lib.gd_command_capture.restype = c.c_int
    lib.gd_free.argtypes = [c.c_void_p]
    lib.gd_free.restype = None


def _load():
    tried = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{path} (missing)")
            continue
        try:
            lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)  # a plugin that links nothing finds gd_* here
        except OSError as e:
            tried.append(f"{path} ({e})")
            continue
        _declare(lib)
        lib.gandyn_path = path
        return lib
    raise errors.LibraryNotFound("cannot load libgandyn; tried " + "; ".join(tried)
                                 + ". Build it (scripts/quickstart.sh) or set GANDYN_LIBRARY=/path/to/libgandyn.so")


def handle():
    """The loaded library (loaded on first use)."""
    global _handle
    with _lock:
        if _handle is None:
            _handle = _load()
    return _handle


def library_path():
    """The file the library was loaded from."""
    return handle().gandyn_path


def _take(lib, p):
    """The text the library allocated, as str, released."""
    if not p.value:
        return ""
    try:
        return ctypes.string_at(p.value).decode("utf-8", "replace")
    finally:
        lib.gd_free(p)


def command(argv, signals=None):
    """Run one gandyn command line (argv[0] the program, argv[1] the command) in the library.
    Returns (status, code, out, err, msg): the exit status the CLI would give, the GD_* code,
    what it printed on stdout and on stderr, and the one-line error (not in err). signals: let
    SIGINT/SIGTERM cancel a running sweep (default: when called from the main thread)."""
    lib = handle()
    args = (ctypes.c_char_p * len(argv))(*[os.fsencode(a) for a in argv])
    out, err, code = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_int(0)
    msg = ctypes.create_string_buffer(_MSG_BYTES)
    if signals is None:
        signals = threading.current_thread() is threading.main_thread()
    status = lib.gd_command_capture(len(argv), args, 1 if signals else 0, ctypes.byref(out), ctypes.byref(err), msg,
                                    ctypes.byref(code))
    return status, code.value, _take(lib, out), _take(lib, err), msg.value.decode("utf-8", "replace")
