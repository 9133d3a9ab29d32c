"""The code passes ruff (configured in pyproject.toml)."""

import subprocess
import sys

from helpers import ROOT


def test_ruff_is_clean():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
