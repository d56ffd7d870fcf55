"""`make screenshots` drives the app as a user would: its Playground shots still find the
cards and rows they show (they are drawn by one widget, not one widget each)."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("screenshots_tool", ROOT / "tools" / "screenshots.py")
assert spec is not None and spec.loader is not None
screenshots = sys.modules["screenshots_tool"] = importlib.util.module_from_spec(spec)  # for its dataclass
spec.loader.exec_module(screenshots)


def text_of(svg: str) -> str:
    return re.sub(r"\s+", " ", " ".join(re.findall(r">([^<]*)</text>", svg)).replace("&#160;", " "))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("playground-megamoe-w4a4", "╭─ MoE "),  # scrolled to the MoE card
        ("playground-pd-hisparse", "╭─ PD disaggregation "),
        ("playground-refused", "NGRAM"),
    ],
)
def test_the_playground_shots_are_taken(tmp_path, monkeypatch, name, shown):
    monkeypatch.setenv("DSV4_CONFIG_DIR", str(tmp_path / "config"))  # restored after (the tool sets it)
    shot = next(s for s in screenshots.SHOTS if s.name == name)
    path = asyncio.run(screenshots.take(shot, tmp_path))
    text = text_of(path.read_text(encoding="utf-8"))
    assert shown in text
    if name == "playground-refused":
        assert "✗" in text  # Enter on the greyed chip said why, on the status line
