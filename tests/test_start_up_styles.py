"""At start-up each widget gets the stylesheet applied as it is mounted (issue 21 item 1).
Textual applies it to all of them once more when the screen is first shown (its first
ScreenResume); nothing changed in between, so the main screen skips that pass (about 30
widgets before the first frame). The snapshot tests show the styles are the same."""

from __future__ import annotations

import sys

from dsv4_tui.app import DSV4App
from dsv4_tui.screens.main_screen import MainScreen


async def test_the_screen_shown_first_does_not_restyle_every_widget(rules, monkeypatch):
    restyled_by: list[str] = []
    original = MainScreen.update_node_styles

    def spy(self, *args, **kwargs):
        restyled_by.append(sys._getframe(1).f_code.co_name)  # who asked for the whole screen
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MainScreen, "update_node_styles", spy)
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one("#deploy-pane").display  # the app is up
        assert "_on_screen_resume" not in restyled_by, restyled_by
