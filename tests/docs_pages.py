# SPDX-License-Identifier: BSD-3-Clause
"""The user documentation covers what the registry holds: every model of `gandyn list --json`
has docs/models/NAME.md naming each of its keys as `key`, and every relative link or image in
docs/ points at a file that exists.
Usage: docs_pages.py GANDYN DOCS_DIR"""
import json
import os
import re
import subprocess
import sys

gandyn, docs = sys.argv[1], sys.argv[2]
d = json.loads(subprocess.run([gandyn, "list", "--json"], check=True, capture_output=True, text=True).stdout)
problems, checks = [], 0
for m in d["models"]:
    page = os.path.join(docs, "models", m["name"] + ".md")
    checks += 1
    if not os.path.isfile(page):
        problems.append(f"no page {page} for model {m['name']}")
        continue
    text = open(page).read()
    for p in m["params"]:
        checks += 1
        if f"`{p['key']}`" not in text:
            problems.append(f"{page} does not document key {p['key']}")
link = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
for base, _, files in os.walk(docs):
    for name in (f for f in files if f.endswith(".md")):
        path = os.path.join(base, name)
        for target in link.findall(open(path).read()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            checks += 1
            if not os.path.exists(os.path.normpath(os.path.join(base, target.split("#")[0]))):
                problems.append(f"{path}: broken link {target}")
print(f"docs_pages: {checks - len(problems)} passed, {len(problems)} failed")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
