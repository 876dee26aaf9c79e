# SPDX-License-Identifier: BSD-3-Clause
"""The two performance targets of issue 24, each against a baseline measured in the same run:
 1. continuation of a 2-D branch with 200 points and its special point: the Dirac GAN + GP
    (gamma = 0.3) under simgd, in h on [0.5, 1.5] at ds = ds_max = 0.005 (201 points, the NS
    point at h = 1.2 located to 1e-10). gandyn in process (the Python package: the CLI's command
    in the library, JSON parsed) and as a whole `gandyn continue` process; the baseline is the
    same pseudo-arclength algorithm in numpy (SVD tangent, bordered Newton, eigenvalues, the NS
    test det D Phi - 1, secant localization), with the analytic G_h (gandyn differences it).
 2. a 10^6-iteration Lyapunov spectrum of Henon's map (1.4, 0.3) from (0.1, 0.1) after 10^3,
    QR every iteration: the whole `gandyn lyapunov` process against numpy (numpy.linalg.qr per
    iteration, 10^5 timed and scaled) and numba (the loop compiled, a 2 x 2 Gram-Schmidt QR by
    hand, all 10^6 after a warm-up call).
CPU times (process_time, or the children's rusage for the CLI); the least and the median of a few repetitions.
Usage: /usr/bin/python3 bench/bench_bifurcations.py build"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
exe = os.path.join(build, "gandyn")
os.environ.setdefault("GANDYN_LIBRARY", os.path.join(build, "libgandyn.so"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import gandyn  # noqa: E402

GAMMA = 0.3
CONT = {"model.name": "dirac", "model.reg": "gp", "model.gamma": GAMMA, "integrator.name": "simgd", "integrator.h": 0.5,
        "continuation.ds": 0.005, "continuation.ds_max": 0.005}


def best(f, reps):
    """min and median CPU seconds of reps calls of f, and its last value."""
    times = []
    for _ in range(reps):
        t = time.process_time()
        v = f()
        times.append(time.process_time() - t)
    return min(times), float(np.median(times)), v


def child_cpu(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([exe] + args, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, json.loads(out)


# ---------------------------------------------------------------- continuation
def dirac_field(x):
    th, ps = x
    s = th * ps
    f1 = 1 / (1 + np.exp(s))  # f'(s) = sigma(-s) for the GAN loss
    f2 = -f1 * (1 - f1)       # f''(s)
    v = np.array([-ps * f1, th * f1 - GAMMA * ps])
    J = np.array([[-ps * ps * f2, -f1 - s * f2], [f1 + s * f2, th * th * f2 - GAMMA]])
    return v, J


def numpy_point(y):
    """G = Phi(x) - x = h F(x), [G_x | G_h], D Phi at y = (x, h)."""
    x, h = y[:2], y[2]
    v, J = dirac_field(x)
    return h * v, np.column_stack([h * J, v]), np.eye(2) + h * J


def numpy_correct(y, c, target):
    for _ in range(9):
        G, Gy, _ = numpy_point(y)
        A = np.vstack([Gy, c])
        dy = np.linalg.solve(A, np.append(-G, target - c @ y))
        y = y + dy
        if np.linalg.norm(dy) <= 1e-10 * max(1, np.linalg.norm(y)):
            return y
    raise RuntimeError("numpy corrector did not converge")


def numpy_analyse(y, vref):
    _, Gy, M = numpy_point(y)
    v = np.linalg.svd(Gy)[2][-1]
    v = v if v @ vref >= 0 else -v
    mu = np.linalg.eigvals(M)
    return v, mu, np.linalg.det(M) - 1  # NS test of a 2-D map: mu1 mu2 - 1


def numpy_continue(lo=0.5, hi=1.5, ds=0.005):
    y = numpy_correct(np.array([0.0, 0.0, lo]), np.array([0, 0, 1.0]), lo)
    v, mu, tau = numpy_analyse(y, np.array([0, 0, 1.0]))
    pts, special = [(y, v, mu, tau)], []
    while y[2] < hi - 1e-14:
        yp = y + ds * v
        if yp[2] > hi:  # land on the bound
            yn = numpy_correct(yp, np.array([0, 0, 1.0]), hi)
        else:
            yn = numpy_correct(yp, v, v @ y + ds)
        vn, mu, tn = numpy_analyse(yn, v)
        if (tn > 0) != (tau > 0):  # secant on the arclength, every third step a bisection
            sa, sb, fa, fb = 0.0, v @ (yn - y), tau, tn
            for it in range(80):
                s = 0.5 * (sa + sb) if it % 3 == 2 else (sa * fb - sb * fa) / (fb - fa)
                z = numpy_correct(y + s / (v @ (yn - y)) * (yn - y), v, v @ y + s)
                _, _, fs = numpy_analyse(z, v)
                if (fs > 0) == (fb > 0):
                    sb, fb = s, fs
                else:
                    sa, fa = s, fs
                if abs(sb - sa) <= 1e-11 * max(1, abs(z[2])):
                    break
            special.append(z[2])
        y, v, tau = yn, vn, tn
        pts.append((y, v, mu, tau))
    return len(pts), special


def continuation_rows():
    rows = []
    t_lo, t_hi, r = best(lambda: gandyn.continuation(CONT, param="integrator.h", lo=0.5, hi=1.5, out=""), 20)
    npts, ns = r["branches"][0]["points"], [s["p"] for s in r["special"] if s["type"] == "NS"]
    assert npts >= 200 and len(ns) == 1 and abs(ns[0] - 1.2) < 1e-10, dict(r)
    rows.append(f"gandyn in process (gandyn.continuation): {1e3 * t_lo:.2f} ms CPU per call, median {1e3 * t_hi:.2f} (20 calls), {npts} points, NS at {ns[0]:.12f}")
    args = ["continue", "/dev/null"] + [f"--set={k}={v}" for k, v in CONT.items()] + ["--param", "integrator.h", "--lo", "0.5", "--hi", "1.5", "-o", "", "--json"]
    cpu = [child_cpu(args)[0] for _ in range(3)]
    rows.append(f"gandyn continue, whole process: {min(cpu):.3f}-{max(cpu):.3f} s CPU (3 runs)")
    n_lo, n_hi, (npts_np, special) = best(numpy_continue, 3)
    assert npts_np >= 200 and len(special) == 1 and abs(special[0] - 1.2) < 1e-9, (npts_np, special)
    rows.append(f"numpy pseudo-arclength, same algorithm: {1e3 * n_lo:.1f} ms CPU, median {1e3 * n_hi:.1f} (3 runs), {npts_np} points, NS at {special[0]:.12f} "
                f"({n_lo / t_lo:.0f}x the in-process call)")
    return rows


# ---------------------------------------------------------------- Lyapunov
A, B = 1.4, 0.3


def numpy_lyapunov(n):
    x, y = 0.1, 0.1
    Y = np.eye(2)
    S = np.zeros(2)
    for k in range(1000 + n):
        M = np.array([[-2 * A * x, 1.0], [B, 0.0]])
        x, y = 1 - A * x * x + y, B * x
        Y, R = np.linalg.qr(M @ Y)
        if k >= 1000:
            S += np.log(np.abs(np.diag(R)))
    return S / n


def numba_lyapunov():
    import numba

    @numba.njit(cache=False)
    def spectrum(n):
        x, y = 0.1, 0.1
        q11, q12, q21, q22 = 1.0, 0.0, 0.0, 1.0
        s1 = s2 = 0.0
        for k in range(1000 + n):
            m11, m12, m21 = -2 * A * x, 1.0, B  # M = [[m11, m12], [m21, 0]]
            x, y = 1 - A * x * x + y, B * x
            a11, a21 = m11 * q11 + m12 * q21, m21 * q11  # M Q, column by column
            a12, a22 = m11 * q12 + m12 * q22, m21 * q12
            r11 = np.sqrt(a11 * a11 + a21 * a21)  # Gram-Schmidt
            q11, q21 = a11 / r11, a21 / r11
            r12 = q11 * a12 + q21 * a22
            b12, b22 = a12 - r12 * q11, a22 - r12 * q21
            r22 = np.sqrt(b12 * b12 + b22 * b22)
            q12, q22 = b12 / r22, b22 / r22
            if k >= 1000:
                s1 += np.log(r11)
                s2 += np.log(r22)
        return s1 / n, s2 / n

    spectrum(10)  # compile
    return best(lambda: spectrum(1000000), 3)


def lyapunov_rows():
    rows = []
    args = ["lyapunov", "/dev/null", "--set", "model.name=normal_form", "--set", "model.form=henon", "--set", "integrator.h=1", "--set", "run.x0=0.1,0.1",
            "--set", "lyapunov.steps=1000000", "--set", "lyapunov.tol=0", "--json", "-o", ""]
    runs = [child_cpu(args) for _ in range(3)]
    cpu, lam = [c for c, _ in runs], runs[0][1]["exponents"]
    rows.append(f"gandyn lyapunov, whole process: {min(cpu):.3f}-{max(cpu):.3f} s CPU (3 runs), exponents {lam[0]:.6f}, {lam[1]:.6f}")
    t = time.process_time()
    ref = numpy_lyapunov(100000)
    npy = (time.process_time() - t) * 10
    rows.append(f"numpy, numpy.linalg.qr per iteration (1e5 timed x 10): {npy:.2f} s CPU, exponents {ref[0]:.4f}, {ref[1]:.4f} ({npy / min(cpu):.0f}x)")
    try:
        n_lo, n_hi, (l1, l2) = numba_lyapunov()
        rows.append(f"numba, compiled loop, 2 x 2 Gram-Schmidt: {n_lo:.3f} s CPU, median {n_hi:.3f} (3 runs after compiling), exponents {l1:.6f}, {l2:.6f} "
                    f"({n_lo / min(cpu):.2f}x)")
    except ImportError:
        rows.append("numba: not installed (Debian: python3-numba)")
    return rows


for line in continuation_rows() + lyapunov_rows():
    print(line)
