# SPDX-License-Identifier: BSD-3-Clause
"""docs/python.md: its Python blocks run, in order, from the repository root (as the page says),
and where a block's top-level `print(EXPR)  # comment` states numbers before the comment's first
':' or '=', EXPR gives those numbers to the digits the page shows (0.5003 stands for [0.50025,
0.50035))."""
import numbers
import os
import re

import numpy as np

from conftest import SOURCE

PRINT = re.compile(r"^print\((.*)\)\s+#\s*(.*)$")
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def leaves(value):
    """The numbers in a printed value, in order: scalars, sequences, arrays; None for anything else."""
    if isinstance(value, (bool, str)) or value is None:
        return None
    if isinstance(value, numbers.Real):
        return [float(value)]
    if isinstance(value, (tuple, list, np.ndarray)):
        out = []
        for v in value:
            inner = leaves(v)
            if inner is None:
                return None
            out += inner
        return out
    return None


def stated(comment):
    """The numbers a comment states before its first ':' or '=', with their half last digit."""
    head = re.split(r"[:=]", comment, maxsplit=1)[0]
    found = []
    for text in NUMBER.findall(head):
        mantissa = text.lower().split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
        found.append((float(text), 0.5 * 10.0 ** (exponent - digits)))
    return found


def test_python_page_runs(monkeypatch, scratch):
    text = open(os.path.join(SOURCE, "docs", "python.md")).read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(SOURCE)
    scope, checked = {}, []
    for k, block in enumerate(blocks):
        exec(compile(block.replace("/tmp/", f"{scratch}/"), f"docs/python.md block {k + 1}", "exec"), scope)
        for line in block.splitlines():
            m = PRINT.match(line)
            want = stated(m.group(2)) if m else []
            if not want:
                continue
            got = leaves(eval(m.group(1), scope))
            if got is None or len(got) != len(want):
                continue  # a label or a structure: the run itself is the check
            for g, (w, half) in zip(got, want):
                assert abs(g - w) <= half * (1 + 1e-9), f"docs/python.md: {line.strip()} gives {got}"
            checked.append(line.strip())
    # the blocks' numeric comments: the critical h, the sine game's equilibria, rho and critical h
    assert len(checked) >= 4, checked
