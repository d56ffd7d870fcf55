"""Focus is always on something visible and on the chip the user expects (issue 18: 3, 7, 9)."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from dsv4_tui.app import DSV4App
from dsv4_tui.core.gpus import Detection
from dsv4_tui.widgets.chips import ChipRow
from dsv4_tui.widgets.command_box import ChecksLine
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.quiet import PlainText
from dsv4_tui.widgets.toolbar import Toolbar
from tui_helpers import click_chip, highlighted, pg_row, plain, row, status_on_screen


def new_app(rules) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


def assert_focus_visible(app) -> None:
    """The focused widget is drawn and is a thing the keys act on (never a pane)."""
    focused = app.focused
    assert focused is not None
    assert isinstance(focused, (ChipRow, KnobCards, Toolbar, ChecksLine, Static)), focused
    # The Playground's cards are one widget, taller than the screen: its highlighted row is in view.
    region = pg_row(app, focused.row).region if isinstance(focused, KnobCards) else focused.region
    assert region.area > 0, focused
    assert app.screen.region.contains_region(region), focused


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_up_on_the_first_row_stays_put(rules, size):
    app = new_app(rules)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert highlighted(app) == ("hw", "b200")
        await pilot.press("up")
        await pilot.pause()
        assert highlighted(app) == ("hw", "b200")
        assert_focus_visible(app)
        await pilot.press("right", "down")  # the keys still act on the rows
        await pilot.pause()
        assert app.focused is row(app, "variant")


async def test_shift_tab_from_the_first_row_lands_on_something_visible(rules):
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is not row(app, "hw")
        assert_focus_visible(app)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is row(app, "hw")


async def test_up_on_the_playgrounds_first_row_stays_put(rules):
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        first = highlighted(app)
        assert isinstance(app.focused, KnobCards) and first is not None
        assert first[0] == app.focused.cards[0].knobs[0].key  # the first knob: TP
        await pilot.press("up")
        await pilot.pause()
        assert highlighted(app) == first
        assert_focus_visible(app)
        await pilot.press("shift+tab")
        await pilot.pause()
        assert_focus_visible(app)


async def test_focus_follows_the_chip_detection_preselects(rules):
    """8 x H200 detected: H200 is preselected, the highlight is on it, and Enter keeps it."""
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert highlighted(app) == ("hw", "b200")
        app.apply_detection(Detection("h200", "NVIDIA H200", 8, 143771, "nvidia-smi"))
        await pilot.pause()
        assert app.selection.hw == "h200"
        assert highlighted(app) == ("hw", "h200")
        await pilot.press("enter")
        await pilot.pause()
        assert app.selection.hw == "h200"


async def test_a_moved_highlight_is_kept_when_detection_arrives(rules):
    """The user's own highlight (moved with →) is not taken away by a late detection."""
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        moved = highlighted(app)
        assert moved is not None and moved != ("hw", "b200")
        app.apply_detection(Detection("h200", "NVIDIA H200", 8, 143771, "nvidia-smi"))
        await pilot.pause()
        assert highlighted(app) == moved


async def test_a_click_on_a_playground_chip_updates_the_status_line(rules):
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        tp = pg_row(app, "tp")
        assert tp.has_focus  # the row has focus already: the click must still say so
        target = next(o for o in tp.shown_options() if not o.state.selected and o.state.enabled)
        assert await click_chip(pilot, tp, target.id)
        await pilot.pause()
        status = plain(app.query_one("#playground-pane #pg-status", PlainText))
        assert status == target.explanation


async def test_a_click_on_a_deploy_chip_of_the_focused_row_updates_the_status_line(rules):
    app = new_app(rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        hw = row(app, "hw")
        assert await click_chip(pilot, hw, "h200")
        await pilot.pause()
        assert app.selection.hw == "h200"
        assert "H200" in status_on_screen(app)


async def test_in_one_column_the_knob_the_keys_reach_is_in_view_also_after_a_jump_back(rules):
    """The Playground's cards are one widget, taller than an 80x24 screen: ↓ scrolls the pane
    to the highlighted row, and `j` (to the command and back) returns to it, in view."""
    app = new_app(rules)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        for _ in range(9):
            await pilot.press("down")
            await pilot.pause()
            assert_focus_visible(app)
        reached = highlighted(app)
        assert reached is not None and reached[0] not in ("tp", "cp", "dp_attention")  # below the fold
        await pilot.press("j")
        await pilot.pause()
        assert not isinstance(app.focused, KnobCards)
        await pilot.press("j")
        await pilot.pause()
        await pilot.pause()
        assert highlighted(app) == reached
        assert_focus_visible(app)
