"""The Playground is built in the background right after the first frame. A key that lands
while it is being built (F1: `x` quits, so the pane is taken down mid-build) must never meet
a half-built pane. The build is held with an event, so the interleaving is the same each run."""

from __future__ import annotations

import asyncio

from dsv4_tui.app import DSV4App
from dsv4_tui.widgets.playground_pane import PlaygroundPane


async def test_x_while_the_playground_is_being_built_quits_cleanly(rules, monkeypatch):
    held = asyncio.Event()
    release = asyncio.Event()
    original = PlaygroundPane.prepare

    async def held_prepare(self) -> None:
        held.set()
        await release.wait()
        await original(self)

    monkeypatch.setattr(PlaygroundPane, "prepare", held_prepare)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(held.wait(), 30)  # the pane is mounted, its cards not built yet
        # the action of `x` (pilot.press would wait for the held pane's queue to drain)
        app.action_exit_print()  # the app starts to close ...
        release.set()  # ... and the build goes on meanwhile
    assert app.return_value is not None  # x printed the command: no crash on the way out
