# SPDX-License-Identifier: BSD-3-Clause
"""The user documentation covers what the registry holds: every model of `gandyn list --json`
has docs/models/NAME.md naming each of its keys as `key`, every relative link or image in
docs/ points at a file that exists, and every docs/ page or validation case that the repository's
text names exists (no citation of the spec outside the repository).
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

# Every reference a reader meets can be followed inside the repository: each docs/...md path the
# text names exists, each "docs/models/NAME.md V5" or "... case 5" names a row of that page's
# Validation table, model pages are named by their path, and nothing cites the mathematical spec
# (it lives outside the repository).
root = os.path.dirname(os.path.abspath(docs))
SCANNED = ["README.md", "ARCHITECTURE.md", "docs", "src", "include", "models", "integrators", "plots", "examples", "tests"]
NEW_PAGES = set()  # pages docs/tutorial.md would ask its reader to write (none: its game is a plugin)
SKIP_DIRS = {".git", "output", "__pycache__"}
page_ref = re.compile(r"docs/(?![\w/]*[A-Z]{3})[\w/-]+\.md\b")  # not placeholders: docs/models/NAME.md
case_ref = re.compile(r"(docs/models/\w+\.md) (V|case )(\d+)\b")
bare_ref = re.compile(r"(?<![\w/.-])(?:dirac|kernel_gda|torus|functional|particles|linear|engineering|integrators|bifurcations|optimizers)\.md\b")
md_target = re.compile(r"\]\([^)]*\)")
spec_refs = [re.compile(r"shared" + "/spec"), re.compile(r"\bspec" + r" §", re.I)]  # split: this file must not match itself


def kept(name):
    return name not in SKIP_DIRS and not name.startswith("build")


def text_files(top):
    """(path relative to the root, text) of every text file under top, a file or a directory."""
    paths = [top]
    if os.path.isdir(top):
        paths = []
        for base, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if kept(d)]
            paths += [os.path.join(base, f) for f in files]
    for path in sorted(paths):
        data = open(path, "rb").read()
        if b"\0" not in data:
            yield os.path.relpath(path, root), data.decode("utf-8", "replace")


def validation_rows(page):
    """The labels ("V5", "case 5") that start a row of the page's Validation table."""
    text = open(os.path.join(root, page)).read().partition("\n## Validation")[2]
    return {m.group(1) + m.group(2) for m in re.finditer(r"^\| (V|case )(\d+)\b", text, re.M)}


for top in SCANNED:
    for rel, text in text_files(os.path.join(root, top)):
        for ref in set(page_ref.findall(text)) - NEW_PAGES:
            checks += 1
            if not os.path.isfile(os.path.join(root, ref)):
                problems.append(f"{rel}: names {ref}, which does not exist")
        for page, kind, n in set(case_ref.findall(text)):
            checks += 1
            if os.path.isfile(os.path.join(root, page)) and kind + n not in validation_rows(page):
                problems.append(f"{rel}: cites {page} {kind}{n}, which is no row of that page's Validation table")
        checks += 1
        for ref in set(bare_ref.findall(md_target.sub("", text))):
            problems.append(f"{rel}: names {ref} without its path (write docs/models/{ref} or the page it means)")
for top in filter(kept, os.listdir(root)):
    for rel, text in text_files(os.path.join(root, top)):
        checks += 1
        for hit in {h for pattern in spec_refs for h in pattern.findall(text)}:
            problems.append(f"{rel}: '{hit}' cites the spec outside the repository; cite a docs/ page or state the fact")
print(f"docs_pages: {checks - len(problems)} passed, {len(problems)} failed")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
