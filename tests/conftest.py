"""Shared fixtures: the bundled rules, and for every test an isolated, empty config folder
and an empty system root (DSV4_SYSROOT) instead of this machine's /sys, /proc and /dev."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dsv4_tui.core.rules import Rules
from dsv4_tui.host.rules_files import load_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
REFERENCE = DATA / "reference"  # copies of the cookbook's facts (tools/refresh_test_data.py)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own empty DSV4_CONFIG_DIR, never the developer's real one."""
    cfg = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("DSV4_CONFIG_DIR", str(cfg))
    monkeypatch.delenv("DSV4_RULES", raising=False)
    # The box's /sys, /proc and /dev: an empty root unless a test builds a fake one.
    monkeypatch.setenv("DSV4_SYSROOT", str(tmp_path_factory.mktemp("sysroot")))
    return cfg


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """An empty folder first on PATH (for fake tools); only /usr/bin:/bin follow (bash, sleep, cat)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin")
    return folder


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(ROOT / "rules")


def reference_json(name: str) -> dict:
    """A copy of a cookbook reference file in tests/data/reference (the app never reads it)."""
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))
