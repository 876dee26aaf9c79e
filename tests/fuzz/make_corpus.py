# SPDX-License-Identifier: BSD-3-Clause
"""Regenerates the seed corpora and the config dictionary of tests/fuzz from the registry
(gandyn list --json) and the example configurations. Usage: make_corpus.py GANDYN"""
import glob
import json
import os
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
gandyn = sys.argv[1]
reg = json.loads(subprocess.run([gandyn, "list", "--json"], check=True, capture_output=True, text=True).stdout)


def put(kind, name, data):
    os.makedirs(f"{here}/corpus/{kind}", exist_ok=True)
    with open(f"{here}/corpus/{kind}/{name}", "wb") as f:
        f.write(data)


# config: every example INI, every model and integrator by name, a few --set tails
for path in sorted(glob.glob(f"{here}/../../examples/**/*.ini", recursive=True)):
    put("config", os.path.basename(path), open(path, "rb").read())
for m in reg["models"]:
    put("config", f"model_{m['name']}", f"[model]\nname = {m['name']}\n[integrator]\nname = rk4\nsteps = 10\n".encode())
for i in reg["integrators"]:
    put("config", f"integrator_{i['name']}", f"[model]\nname = dirac\n[integrator]\nname = {i['name']}\n".encode())
put("config", "sets", b"[model]\nname = dirac\n\0model.gamma=0.5\0run.x0=1,1;0,1\0integrator.h=0.1")
put("config", "sweep", b"[model]\nname = dirac\n[sweep]\nx = integrator.h:0.01:1:8\ny = model.gamma:0:1:4\n")

words = {"[model]", "[integrator]", "[run]", "[sweep]", "[portrait]", "[rate]", "name", " = ", "\\x00", "nan", "inf", "-1", "1e308", "4294967296", ".h5", ";", ","}
for group in ("models", "integrators"):
    for e in reg[group]:
        words.add(e["name"])
        for p in e["params"]:
            words.add(p["key"])
            words.update(p.get("choices") or [])
with open(f"{here}/corpus/config.dict", "w") as f:
    for w in sorted(words):
        f.write('"%s"\n' % w.replace('"', '\\"'))

# h5: for every reader, a well-formed f64 file of a sensible shape, and a damaged one
shapes = {0: (2, 12, 2), 1: (1, 16, 0), 2: (2, 3, 1), 3: (2, 3, 1), 4: (2, 2, 1), 5: (2, 8, 8)}  # axes below 17: written
for reader, (rank, a, b) in shapes.items():
    sizes = bytes([a, b if rank > 1 else 0, 0])
    vals = b"".join(struct.pack("<d", 0.1 * (k + 1)) for k in range(16))
    for how in (0, 1, 2):
        put("h5", f"reader{reader}_damage{how}", bytes([reader, 0, rank, how, 0x01, 0x20]) + sizes + bytes([1]) + vals)
