# SPDX-License-Identifier: BSD-3-Clause
"""Every model, integrator and key (also of the [run], [sweep], [rate], [portrait] sections) that
`gandyn list --json` reports is named in README.md.
Usage: docs_keys.py GANDYN README"""
import json
import subprocess
import sys

gandyn, readme = sys.argv[1], open(sys.argv[2]).read()
d = json.loads(subprocess.run([gandyn, "list", "--json"], check=True, capture_output=True, text=True).stdout)
missing = []
for group in ("models", "integrators"):
    for entry in d[group]:
        if f"`{entry['name']}`" not in readme:
            missing.append(f"{group[:-1]} {entry['name']}")
        for p in entry["params"]:
            if f"`{p['key']}`" not in readme and f"`integrator.{p['key']}`" not in readme and f", `{p['key']}`" not in readme:
                missing.append(f"{entry['name']}.{p['key']}")
for section, params in d["sections"].items():
    for p in params:
        if f"`{p['key']}`" not in readme and f"`{section}.{p['key']}`" not in readme and f", `{p['key']}`" not in readme:
            missing.append(f"[{section}] {p['key']}")
print(f"docs_keys: {0 if missing else 1} passed, {1 if missing else 0} failed")
if missing:
    print("README.md does not document: " + ", ".join(sorted(set(missing))), file=sys.stderr)
    sys.exit(1)
