"""`make run ARGS=…` gives exactly what `dsv4 …` gives: make echoes no command line (issue 18, 19)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "dsv4").exists(), reason="runs the Makefile's own .venv")
def test_make_run_output_can_be_redirected(isolated_config):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"}
    args = ["print", "--hw", "h200", "--variant", "flash"]
    made = subprocess.run(
        ["make", "run", f"ARGS={' '.join(args)}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    direct = subprocess.run(
        [sys.executable, "-m", "dsv4_tui.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert made.returncode == direct.returncode == 0, made.stderr
    assert made.stdout == direct.stdout
    assert "sglang serve" in made.stdout and "make" not in made.stdout
