# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for games compiled with numba (Debian's python3-numba), imported on demand:
``from gandyn.jit import batched, exp, sigmoid``.

A batched field (FIELD_BATCH_SIG) is a loop over cells; two things keep numba from turning it
into vector code:
- numba's default error model checks every division for zero and raises ZeroDivisionError, a
  branch per cell: compile with ``error_model="numpy"`` (x/0 is inf, as in C), which
  ``batched`` does;
- Debian's numba has no Intel SVML, so ``math.exp`` stays a scalar libm call per cell. ``exp``
  here is the function the built-in batched fields use (C: ``gd_exp_fast`` in
  <gandyn/vecmath.h>): plain arithmetic that numba inlines into the loop, where LLVM
  vectorises it. ``sigmoid`` is the built-ins' 1/(1 + e**-x) (``gd_sigmoid_fast``), cheaper
  than ``1 / (1 + exp(-x))`` for the same accuracy.
docs/python.md ("Compiled games") shows a game written this way and what it gains.
"""

import numpy as np
from numba import cfunc, njit, types
from numba.extending import intrinsic

from .games import FIELD_BATCH_SIG

__all__ = ["batched", "exp", "sigmoid"]


def batched(func):
    """Compile `func` as a batched field, the way that lets numba vectorise its loop over cells.

    Parameters
    ----------
    func : function
        ``func(n, dim, p, x, v, opts, user)`` with game.h's batched layout (``x[k * n + i]`` is
        coordinate k of cell i; ``p`` the per-cell parameters), returning 0.

    Returns
    -------
    numba.core.ccallback.CFunc
        ``numba.cfunc(FIELD_BATCH_SIG, nopython=True, fastmath=True, error_model="numpy")(func)``,
        to pass as ``register_model(..., field_batch=)``.
    """
    return cfunc(FIELD_BATCH_SIG, nopython=True, fastmath=True, error_model="numpy")(func)


@intrinsic
def _double_from_bits(typingctx, bits):
    """The float64 whose bit pattern is the int64 `bits` (a register move, no memory)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return sig, codegen


@njit(inline="always")
def exp(s):
    """e**s for a float64, vectorisable inside a numba loop (a field compiled by ``batched``).

    Parameters
    ----------
    s : float
        The exponent. It is clamped to [-708, 708] first, so beyond that range the result is
        e**-708 or e**708 rather than 0 or inf (which suits saturating losses, 1/(1 + e**s),
        and keeps every vector lane on the fast path). A NaN gives an unspecified value.

    Returns
    -------
    float
        e**s to 1e-13 relative (a few ulp for |s| <= 20; without fastmath a few ulp everywhere).

    Notes
    -----
    s = k ln2 + r with |r| <= ln2/2 (ln2 as a head with trailing zero bits, so k ln2_hi is exact,
    plus a tail), e**r by its degree-12 Taylor polynomial, 2**k written into the exponent bits.
    """
    s = min(max(s, -708.0), 708.0)
    k = np.floor(s * 1.4426950408889634 + 0.5)  # llvm.floor vectorises; math.floor returns an int
    r = (s - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    p = 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    return p * _double_from_bits((np.int64(k) + 1023) << 52)


@njit(inline="always")
def sigmoid(x):
    """1/(1 + e**-x) for a float64, vectorisable inside a numba loop, at the cost of about half
    the multiply-adds of ``1 / (1 + exp(-x))``.

    Parameters
    ----------
    x : float
        The argument, clamped to [-708, 708] first (the value is then 0 or 1 to within 1e-307).

    Returns
    -------
    float
        1/(1 + e**-x) to a few ulp (1e-13 relative under fastmath, as ``exp``).

    Notes
    -----
    x = k ln2 + r as in ``exp``; e**r = P(r)/P(-r) by its [6/6] Pade approximant, so the result is
    P(r) / (P(r) + 2**-k P(-r)), one division (C: ``gd_sigmoid_fast`` in <gandyn/vecmath.h>).
    """
    x = min(max(x, -708.0), 708.0)
    k = np.floor(x * 1.4426950408889634 + 0.5)
    r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
    r2 = r * r
    even = 1.0 + r2 * (5.0 / 44.0 + r2 * (1.0 / 792.0 + r2 * (1.0 / 665280.0)))
    odd = r * (0.5 + r2 * (1.0 / 66.0 + r2 * (1.0 / 15840.0)))
    p, q = even + odd, even - odd
    return p / (p + _double_from_bits((1023 - np.int64(k)) << 52) * q)
