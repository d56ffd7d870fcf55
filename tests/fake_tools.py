"""Fake command-line tools (`nvidia-smi`, `rocm-smi`, ...) as bash scripts in a folder first on PATH.

    from fake_tools import bin_dir, fake_nvidia_smi, fake_tool  # bin_dir is a pytest fixture
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """An empty folder first on PATH; only /usr/bin:/bin follow (for bash, sleep, cat)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return folder


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
