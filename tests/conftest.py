"""Shared fixtures: the bundled rules and an isolated, empty config folder for every test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsv4_tui.core.rules import Rules, load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "reference"


@pytest.fixture(autouse=True)
def isolated_config(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own empty DSV4_CONFIG_DIR, never the developer's real one."""
    cfg = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("DSV4_CONFIG_DIR", str(cfg))
    monkeypatch.delenv("DSV4_RULES", raising=False)
    return cfg


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load_rules(ROOT / "rules")


def shared_json(name: str) -> dict:
    """A file under ../shared/reference (tests may read it; the app never does)."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return json.loads(path.read_text(encoding="utf-8"))
