# SPDX-License-Identifier: BSD-3-Clause
"""examples/python/own_game.py runs and its closed-form checks hold (the script asserts them)."""
import os
import subprocess
import sys

from conftest import EXAMPLES, SOURCE


def test_own_game_script(scratch):
    env = dict(os.environ, PYTHONPATH=os.path.join(SOURCE, "python"))  # this tree's package, not an installed one
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, "python", "own_game.py"), str(scratch)], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "critical step: observed" in p.stdout
    for png in ("portrait.png", "rate.png", "sweep.png"):
        with open(os.path.join(scratch, png), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
