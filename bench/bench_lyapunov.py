# SPDX-License-Identifier: BSD-3-Clause
"""The Lyapunov spectrum of Henon's map (1.4, 0.3) from (0.1, 0.1), 1e3 + 1e6 iterations, QR every
iteration: `gandyn lyapunov` (the whole process, CPU time) against numpy (the same QR recursion,
one numpy.linalg.qr per iteration, timed over 1e5 iterations and scaled).
Usage: /usr/bin/python3 bench/bench_lyapunov.py build/gandyn"""
import json
import resource
import subprocess
import sys
import time

import numpy as np

A, B = 1.4, 0.3


def numpy_spectrum(n):
    x, y = 0.1, 0.1
    Y = np.linalg.qr(np.random.default_rng(1).normal(size=(2, 2)))[0]
    S = np.zeros(2)
    for k in range(1000 + n):
        M = np.array([[-2 * A * x, 1.0], [B, 0.0]])
        x, y = 1 - A * x * x + y, B * x
        Y, R = np.linalg.qr(M @ Y)
        if k >= 1000:
            S += np.log(np.abs(np.diag(R)))
    return S / n


def gandyn_spectrum(exe):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([exe, "lyapunov", "/dev/null", "--set", "model.name=normal_form", "--set", "model.form=henon", "--set", "integrator.h=1",
                          "--set", "run.x0=0.1,0.1", "--set", "lyapunov.steps=1000000", "--set", "lyapunov.tol=0", "--json"],
                         check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return json.loads(out)["exponents"], after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


exe = sys.argv[1] if len(sys.argv) > 1 else "build/gandyn"
lam, secs = gandyn_spectrum(exe)
t = time.process_time()
ref = numpy_spectrum(100000)
numpy_secs = (time.process_time() - t) * 10
print(f"gandyn 1e6 iterations: {secs:.3f} s CPU, exponents {lam}")
print(f"numpy 1e6 iterations (1e5 timed x 10): {numpy_secs:.2f} s CPU, exponents {ref.tolist()} ({numpy_secs / secs:.0f}x)")
