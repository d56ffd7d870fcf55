"""Issue 19, item 10: Ctrl+P, a resize below 60x20, Ctrl+P again. While the "too small"
screen is in front, no key but q opens anything on top of it (a second command palette was
DuplicateIds and exit 1), and enlarging brings back what was there."""

from __future__ import annotations

from textual.command import CommandPalette

from dsv4_tui.app import DSV4App
from dsv4_tui.screens.too_small_screen import TooSmallScreen


async def test_ctrl_p_resize_below_the_minimum_ctrl_p_does_not_crash(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.resize_terminal(50, 15)
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in ("question_mark", "e", "E", "l", "u"):  # nothing else opens over it either
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert sum(isinstance(s, CommandPalette) for s in app.screen_stack) == 1
        await pilot.resize_terminal(100, 40)
        assert isinstance(app.screen, CommandPalette)  # the palette that was open
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert app.return_code in (None, 0) and not getattr(app, "crashed", False)


async def test_q_still_quits_on_the_too_small_screen(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code in (None, 0)
