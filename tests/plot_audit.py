# SPDX-License-Identifier: BSD-3-Clause
"""Checks the text of every figure `gandyn plot` drew (the JSON lines GANDYN_PLOT_AUDIT
collects): a title naming the model, the integrator and at least one parameter value, on
every panel an x label, a y label and a legend or a labelled colour bar, and no line or
scatter whose data hold not one finite point (a NaN locus drawn as nothing).
Usage: plot_audit.py AUDIT.jsonl MANIFEST  (MANIFEST: lines 'PNG MODEL INTEGRATOR [WORD...]',
'-' for none; each WORD, with '~' for a space, must appear in the text of some panel's legend)"""
import json
import sys

MODEL_WORDS = {"dirac": "Dirac-GAN", "kernel_gda": "kernel GDA", "torus": "torus", "functional": "functional",
               "particles": "particles", "linear": "linear", "normal_form": "normal_form"}
figures = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    figures[d["png"]] = d
problems, checks = [], 0
for line in open(sys.argv[2]):
    png, model, integrator, *words = line.split()
    checks += 1
    fig = figures.get(png)
    if fig is None:
        problems.append(f"{png}: not drawn")
        continue
    title = fig["title"] or (fig["panels"][0]["title"] if fig["panels"] else "")
    for word in ([MODEL_WORDS[model]] if model != "-" else []) + ([integrator] if integrator != "-" else []) + ["="]:
        checks += 1
        if word not in title:
            problems.append(f"{png}: title '{title}' does not name '{word}'")
    for k, p in enumerate(fig["panels"]):
        for what in ("xlabel", "ylabel"):
            checks += 1
            if not p[what].strip():
                problems.append(f"{png}: panel {k} ('{p['title']}') has no {what}")
        checks += 1
        if not p["legend"] and not any(b.strip() for b in p["colorbar"]):
            problems.append(f"{png}: panel {k} ('{p['title']}') has neither a legend nor a labelled colour bar")
        checks += 1
        if p["blank"]:
            problems.append(f"{png}: panel {k} ('{p['title']}') draws series with no finite point: {p['blank']}")
    legends = "\n".join(t for p in fig["panels"] for t in p["legend_texts"])
    for word in (w.replace("~", " ") for w in words):
        checks += 1
        if word not in legends:
            problems.append(f"{png}: no legend says '{word}' (legends: {legends!r})")
print(f"plot_audit: {checks - len(problems)} passed, {len(problems)} failed")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
