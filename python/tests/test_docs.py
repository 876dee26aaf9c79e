# SPDX-License-Identifier: BSD-3-Clause
"""docs/python.md: its Python blocks run, in order, from the repository root (as the page says)."""
import os
import re

from conftest import SOURCE


def test_python_page_runs(monkeypatch, scratch):
    text = open(os.path.join(SOURCE, "docs", "python.md")).read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 8
    monkeypatch.chdir(SOURCE)
    scope = {}
    for k, block in enumerate(blocks):
        exec(compile(block.replace("/tmp/", f"{scratch}/"), f"docs/python.md block {k + 1}", "exec"), scope)
