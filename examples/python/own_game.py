#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A game of your own, from Python (docs/python.md, "Your own game in Python").

The sine game L(theta, psi) = sin(theta) psi - (gamma/2) psi^2: the generator theta descends L,
the discriminator psi ascends it, so the field is
    F(theta, psi) = (-cos(theta) psi, sin(theta) - gamma psi).
At the equilibrium (0, 0) the Jacobian is [[0, -1], [1, -gamma]]: a spiral sink with
eigenvalues -gamma/2 +- i sqrt(1 - gamma^2/4). Under simultaneous gradient steps of size h the
map I + hJ has spectral radius rho = sqrt(1 - h gamma + h^2), below 1 exactly for h < gamma;
past h = gamma the origin sheds a closed orbit whose size grows from zero, so runs must be long
enough to settle on it before they are told from converging ones. Two saddles sit at
(+-pi/2, +-1/gamma) (where cos(theta) = 0), so the portrait's box [-3, 3]^2 holds three equilibria.
This script registers the game, draws its phase portrait, measures its rates, sweeps the step
size and finds the critical step, checking each number against those closed forms.

Usage: /usr/bin/python3 examples/python/own_game.py [OUTDIR]   (default: output/own_game)
"""
import math
import os
import sys

import numpy as np

import gandyn

GAMMA, H = 0.5, 0.2
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("output", "own_game")
os.makedirs(out, exist_ok=True)


def field(x, gamma):
    theta, psi = x
    return [-math.cos(theta) * psi, math.sin(theta) - gamma * psi]


def jacobian(x, gamma):
    theta, psi = x
    return [[math.sin(theta) * psi, -math.cos(theta)], [math.cos(theta), -gamma]]


gandyn.register_model("sine", dim=2, ngen=1, field=field, jacobian=jacobian, equilibrium=lambda gamma: [0.0, 0.0],
                      params={"gamma": GAMMA}, summary="the sine game of examples/python/own_game.py")
game = {"model.name": "sine", "model.gamma": GAMMA, "integrator.h": H, "run.x0": "0.5,0.5", "portrait.box": "-3:3:-3:3"}

portrait = gandyn.portrait(game, out=os.path.join(out, "portrait.h5"))
gandyn.plot(portrait, out=os.path.join(out, "portrait.png"))
print(f"portrait: {portrait['equilibria']} equilibria in the box, index sum {portrait['index_sum']} "
      f"(the field's winding number along the box: {portrait['index_expected']})")

rate = gandyn.rate(game, out=os.path.join(out, "rate.h5"))
gandyn.plot(rate, out=os.path.join(out, "rate.png"))
flow = rate["continuous"]["measured"]
rho = rate["discrete"]["measured"]["rho"]
print(f"rate: flow decay {flow['re']:.6f} (closed form {-GAMMA / 2}), frequency {flow['im']:.6f} "
      f"(closed form {math.sqrt(1 - GAMMA ** 2 / 4):.6f}); simgd rho {rho:.6f} (closed form {math.sqrt(1 - H * GAMMA + H * H):.6f})")

sweep = gandyn.sweep(dict(game, **{"sweep.x": "integrator.h:0.05:1:40", "integrator.steps": 4000}), out=os.path.join(out, "sweep.h5"))
gandyn.plot(sweep, out=os.path.join(out, "sweep.png"))
h = sweep.sweep["axis_x"]
print(f"sweep: {sweep['counts']}; predicted rho matches sqrt(1 - h gamma + h^2) to "
      f"{np.max(np.abs(sweep.sweep['rho'] - np.sqrt(1 - h * GAMMA + h * h))):.1e}")

critical = gandyn.critical(dict(game, **{"integrator.steps": 20000}), param="integrator.h", lo=0.05, hi=1.0)
print(f"critical step: observed {critical['value']:.6f}, predicted {critical['predicted']:.6f} (closed form h = gamma = {GAMMA})")

# The closed forms, checked (the test suite runs this script)
assert portrait["equilibria"] == 3 and portrait["index_sum"] == portrait["index_expected"] == -1
assert abs(flow["re"] + GAMMA / 2) < 1e-4 and abs(flow["im"] - math.sqrt(1 - GAMMA ** 2 / 4)) < 1e-4
assert abs(rho - math.sqrt(1 - H * GAMMA + H * H)) < 1e-6
assert np.allclose(sweep.sweep["rho"], np.sqrt(1 - h * GAMMA + h * h), atol=1e-10)
assert np.all(sweep.sweep["outcome"][0][h < GAMMA - 0.05] == 0)  # converge
assert abs(critical["predicted"] - GAMMA) < 1e-6 and abs(critical["value"] - GAMMA) < 0.01
print(f"wrote {out}/portrait.png, rate.png, sweep.png")
