"""Fake command-line tools (`nvidia-smi`, `rocm-smi`, ...) as bash scripts in a folder first on PATH.

from fake_tools import fake_nvidia_smi, fake_tool  # the `bin_dir` fixture is in conftest.py
"""

from __future__ import annotations

import time
from pathlib import Path


def fake_tool(folder: Path, name: str, body: str) -> Path:
    """An executable bash script `folder/name` that runs `body`."""
    script = folder / name
    script.write_text(f"#!/bin/bash\n{body}\n")
    script.chmod(0o755)
    return script


def fake_nvidia_smi(folder: Path, rows: list[str]) -> None:
    """A fake `nvidia-smi` that prints `rows`, one a line, whatever its arguments."""
    lines = "\n".join(rows)
    fake_tool(folder, "nvidia-smi", f"cat <<'EOF'\n{lines}\nEOF")


def alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_dead(pid: int) -> bool:
    """Poll until `pid` is gone (bounded); the assertion is on the state, not on the time."""
    for _ in range(100):
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)
