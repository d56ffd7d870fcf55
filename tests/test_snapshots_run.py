"""Snapshot tests of the Run tab (4) in each state: empty, downloading, loading, capturing,
ready (probe and metrics charts) and failed (the matched line, meaning, fix).

The views are what the App computes from recorded logs (tools/run_screenshot.py), with fixed
clocks and samples; no worker runs (no run is recorded in the empty config folder).
`make snapshots-update` re-records them after a deliberate UI change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dsv4_tui.app import DSV4App

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import run_screenshot  # noqa: E402


@pytest.mark.parametrize("state", run_screenshot.STATES)
def test_run_tab(snap_compare, rules, snap_env, state):
    view = run_screenshot.views(rules)[state]
    app = DSV4App(rules, detect=False, remember=False)

    async def run_before(pilot):
        await run_screenshot.show(pilot, view)

    assert snap_compare(app, terminal_size=run_screenshot.SIZE, run_before=run_before)


def test_run_tab_at_80x24(snap_compare, rules, snap_env):
    view = run_screenshot.views(rules)["failed"]
    app = DSV4App(rules, detect=False, remember=False)

    async def run_before(pilot):
        await run_screenshot.show(pilot, view)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_make_screenshots_takes_every_run_state():
    import screenshots

    assert screenshots.RUN_STATES == run_screenshot.STATES
    assert {f"run-{s}" for s in run_screenshot.STATES} <= {shot.name for shot in screenshots.SHOTS}
