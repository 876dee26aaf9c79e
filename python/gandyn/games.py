# SPDX-License-Identifier: BSD-3-Clause
"""Your own game from Python: register_model puts a game into the library's registry through the
same door as a C plugin (gd_model_register, include/gandyn/game.h), after which
{"model.name": NAME} works in every command.

A callback is either
  - a Python callable on numpy arrays: field(x, **params) -> v, jacobian(x, **params) -> J,
    equilibrium(**params) -> x* (or None: no equilibrium known). The library then calls the game
    from one thread at a time (GD_GAME_SERIAL: sweeps run on one thread), and an exception raised
    in it stops the command and is raised again from the gandyn call, its traceback kept;
  - a compiled function with the C signature of game.h, for speed: a numba @cfunc (FIELD_SIG,
    JACOBIAN_SIG, EQUILIBRIUM_SIG, FIELD_BATCH_SIG below), a ctypes function pointer, or an
    address (int). Its opts argument points at the configured values of params, as doubles in
    the order given. Compiled callbacks may run on every thread.
"""
import ctypes
import numbers
import threading
import traceback

import numpy as np

from . import _lib, errors

# include/gandyn/game.h: GD_ABI_VERSION, GD_GAME_SERIAL, GD_ERRMSG_LEN; include/gandyn.h: GD_P_DOUBLE
ABI_VERSION = 2
GAME_SERIAL = 1
_ERRMSG_LEN = 512
_P_DOUBLE = 0

# The callbacks' C signatures as numba spells them (numba.cfunc(gandyn.FIELD_SIG)).
FIELD_SIG = "int32(int32, CPointer(float64), CPointer(float64), voidptr, voidptr)"
JACOBIAN_SIG = FIELD_SIG
EQUILIBRIUM_SIG = "int32(int32, CPointer(float64), voidptr, voidptr)"
FIELD_BATCH_SIG = "int32(int32, int32, CPointer(float64), CPointer(float64), CPointer(float64), voidptr, voidptr)"

_dp = ctypes.POINTER(ctypes.c_double)
_FIELD = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, _dp, _dp, ctypes.c_void_p, ctypes.c_void_p)
_EQUILIBRIUM = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, _dp, ctypes.c_void_p, ctypes.c_void_p)


class _Param(ctypes.Structure):  # gd_param, include/gandyn.h
    _fields_ = [("key", ctypes.c_char_p), ("type", ctypes.c_int), ("offset", ctypes.c_size_t), ("def_", ctypes.c_char_p),
                ("help", ctypes.c_char_p), ("lo", ctypes.c_double), ("hi", ctypes.c_double), ("flags", ctypes.c_uint),
                ("choices", ctypes.c_void_p)]


class _Game(ctypes.Structure):  # gd_game, include/gandyn/game.h (function pointers as addresses)
    _fields_ = [("abi_version", ctypes.c_int), ("name", ctypes.c_char_p), ("summary", ctypes.c_char_p), ("dim", ctypes.c_int),
                ("ngen", ctypes.c_int), ("params", ctypes.POINTER(_Param)), ("opts_size", ctypes.c_size_t),
                ("setup", ctypes.c_void_p), ("cleanup", ctypes.c_void_p), ("field", ctypes.c_void_p), ("jacobian", ctypes.c_void_p),
                ("jvp", ctypes.c_void_p), ("equilibrium", ctypes.c_void_p), ("lo", _dp), ("hi", _dp), ("project", ctypes.c_void_p),
                ("field_batch", ctypes.c_void_p), ("batch_params", ctypes.POINTER(ctypes.c_char_p)), ("user_data", ctypes.c_void_p),
                ("flags", ctypes.c_uint), ("step_batch", ctypes.c_void_p)]


# What the registered games point to: kept for the life of the process, as the library requires.
_keep = {}
# Exceptions raised inside Python callbacks during the running command (first one first).
_pending = []
_pending_lock = threading.Lock()


def _address(f):
    """The C address of a compiled callback, or None for a Python callable."""
    if f is None:
        return 0
    if isinstance(f, numbers.Integral):
        return int(f)
    if isinstance(f, ctypes._CFuncPtr):
        return ctypes.cast(f, ctypes.c_void_p).value
    if hasattr(f, "address") and hasattr(f, "ctypes"):  # numba's CFunc
        return int(f.address)
    if callable(f):
        return None
    raise TypeError(f"gandyn: a callback must be callable or a compiled function, not {type(f).__name__}")


def _failed(exc):
    """Keep the callback's exception for the gandyn call to raise; the library gets -1 (fatal)."""
    with _pending_lock:
        _pending.append(exc)
    return -1


def _values(names, opts):
    """The configured params as keyword arguments."""
    if not names:
        return {}
    p = ctypes.cast(opts, _dp)
    return {k: p[i] for i, k in enumerate(names)}


def _into(dst, value, shape, what):
    """Copy a callback's result into the library's buffer, checking its shape."""
    a = np.asarray(value, dtype=np.float64)
    if a.shape != shape:
        raise ValueError(f"{what} returned an array of shape {a.shape}, expected {shape}")
    ctypes.memmove(dst, np.ascontiguousarray(a).ctypes.data, a.nbytes)


def _vector_callback(fn, names, what, square):
    """field or jacobian as a C callback: x in, v (dim) or J (dim x dim, row-major) out."""

    def trampoline(dim, x, out, opts, user):
        if _pending:  # a callback already raised: stop the command fast
            return -1
        try:
            xs = np.ctypeslib.as_array(x, (dim,)).copy()
            _into(out, fn(xs, **_values(names, opts)), (dim, dim) if square else (dim,), what)
            return 0
        except BaseException as e:  # noqa: B902 -- raised again by the gandyn call, KeyboardInterrupt included
            return _failed(e)

    return _FIELD(trampoline)


def _equilibrium_callback(fn, names):
    def trampoline(dim, x, opts, user):
        if _pending:
            return -1
        try:
            xe = fn(**_values(names, opts))
            if xe is None:
                return errors.GD_ENOTAVAIL
            _into(x, xe, (dim,), "equilibrium")
            return 0
        except BaseException as e:  # noqa: B902
            return _failed(e)

    return _EQUILIBRIUM(trampoline)


def _param_table(params):
    """params {name: default} as a gd_param table of doubles (the option struct: one double each)."""
    names = list(params or {})
    rows = (_Param * (len(names) + 1))()
    texts = []
    for i, k in enumerate(names):
        key, default = k.encode(), repr(float(params[k])).encode()
        texts += [key, default]
        rows[i] = _Param(key, _P_DOUBLE, 8 * i, default, b"", -np.inf, np.inf, 0, None)
    return names, rows, texts


def register_model(name, dim, ngen, field, jacobian=None, equilibrium=None, params=None, field_batch=None,
                   batch_params=None, lo=None, hi=None, summary=None):
    """Register a game under `name` for every later command ({"model.name": name}).

    Parameters
    ----------
    name : str
        The model's name (letters, digits, '_' and '-'); one registration per name and process.
    dim, ngen : int
        Coordinates of the state, the first ngen the generator's (descending the loss).
    field : callable or compiled function
        F(x) = (-grad_theta L, +grad_psi L): field(x, **params) -> array of dim, or a compiled
        function of signature FIELD_SIG.
    jacobian : callable or compiled function, optional
        dF/dx: jacobian(x, **params) -> (dim, dim) array (else central differences of the field).
    equilibrium : callable or compiled function, optional
        equilibrium(**params) -> x* or None (else Newton from the start where needed).
    params : dict, optional
        The game's own model.* keys with their defaults, {name: float}; the callbacks receive
        the configured values (Python: as keyword arguments; compiled: opts, doubles in order).
    field_batch : compiled function, optional
        The field on a block of states (FIELD_BATCH_SIG, game.h's layout), for batched sweeps;
        batch_params names the params it takes per cell.
    lo, hi : array_like, optional
        A box the state is clipped into after every update (+-inf: unbounded).
    summary : str, optional
        One line for gandyn.list().

    Raises
    ------
    UsageError
        With the library's reason: a name taken or malformed, dim or ngen out of range, a
        callback failing at the game's equilibrium (checked when a command sets it up).
    """
    names, table, texts = _param_table(params)
    keep = [table, texts]
    addresses, python = {}, False
    for slot, fn in (("field", field), ("jacobian", jacobian), ("equilibrium", equilibrium), ("field_batch", field_batch)):
        addr = _address(fn)
        if addr is None:
            if slot == "field_batch":
                raise TypeError("gandyn: field_batch must be a compiled function (FIELD_BATCH_SIG)")
            python = True
            cb = (_equilibrium_callback(fn, names) if slot == "equilibrium"
                  else _vector_callback(fn, names, slot, slot == "jacobian"))
            keep.append(cb)
            addr = ctypes.cast(cb, ctypes.c_void_p).value
        else:
            keep.append(fn)
        addresses[slot] = addr
    box = {}
    for side, v in (("lo", lo), ("hi", hi)):
        if v is not None:
            a = (ctypes.c_double * dim)(*np.broadcast_to(np.asarray(v, dtype=np.float64), (dim,)))
            keep.append(a)
            box[side] = ctypes.cast(a, _dp)
    bp = None
    if batch_params:
        encoded = [b.encode() for b in batch_params]
        bp = (ctypes.c_char_p * (len(encoded) + 1))(*encoded, None)
        keep += [bp, encoded]
    game = _Game(abi_version=ABI_VERSION, name=name.encode(), summary=(summary or f"{name} (registered from Python)").encode(),
                 dim=int(dim), ngen=int(ngen), params=table, opts_size=8 * len(names), flags=GAME_SERIAL if python else 0,
                 batch_params=ctypes.cast(bp, ctypes.POINTER(ctypes.c_char_p)) if bp is not None else None, **box, **addresses)
    msg = ctypes.create_string_buffer(_ERRMSG_LEN)
    lib = _lib.handle()
    lib.gd_model_register.argtypes = [ctypes.POINTER(_Game), ctypes.c_char_p]
    lib.gd_model_register.restype = ctypes.c_int
    rc = lib.gd_model_register(ctypes.byref(game), msg)
    if rc != 0:
        raise errors.error_for(2 if rc == errors.GD_EUSAGE else 1, rc, msg.value.decode("utf-8", "replace"))
    _keep[name] = keep + [game]


def raise_pending(error=None):
    """After a command: raise the first exception a Python callback raised during it (chained to
    the command's error, if any, which names the callback). Clears the record."""
    with _pending_lock:
        exc = _pending[0] if _pending else None
        _pending.clear()
    if exc is None:
        return
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        raise exc
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    err = error or errors.GandynError(f"a Python callback raised {text}")
    if error is not None:
        err.args = (f"{err.args[0]} (the Python callback raised {text})",)
    raise err from exc
