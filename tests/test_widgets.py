"""The app's own small widgets: where a row's chips go, the footer's keys, the tab bar and
the title line (each drawn by one widget, see widgets/)."""

from __future__ import annotations

from dsv4_tui.app import DSV4App
from dsv4_tui.core.selection import OptionState
from dsv4_tui.widgets.chip_layout import GAP, GROUP_WIDTH, ChipOption, place, wrap_label
from dsv4_tui.widgets.footer import KeyBar
from dsv4_tui.widgets.tab_bar import TabBar
from dsv4_tui.widgets.title_bar import TitleBar
from tui_helpers import notes, plain

SIZE = (120, 40)


def option(oid: str, text: str, group: str = "", shown: bool = True) -> ChipOption:
    return ChipOption(OptionState("hw", oid, text, True, False), text, group=group, shown=shown)


def test_chips_follow_the_label_and_wrap_at_the_width():
    options = [option("a", "aaaa"), option("b", "bbbb"), option("c", "cccc")]
    # Label column 10; each chip is its text plus one column each side, GAP between chips.
    placed = place(options, 10, 10 + 6 + GAP + 6)
    assert [(p.id, p.y, p.x, p.width) for p in placed] == [("a", 0, 10, 6), ("b", 0, 17, 6), ("c", 1, 10, 6)]


def test_a_hidden_option_takes_no_place_and_groups_start_their_own_line():
    options = [option("a", "A", "NVIDIA"), option("x", "X", "NVIDIA", shown=False), option("m", "M", "AMD")]
    placed = place(options, 13, 200)
    assert [(p.id, p.y, p.x) for p in placed] == [("a", 0, 13 + GROUP_WIDTH), ("m", 1, 13 + GROUP_WIDTH)]


def test_a_long_label_wraps_at_word_breaks():
    assert wrap_label("Speculative decoding", 18) == ["Speculative", "decoding"]
    assert wrap_label("Tool Call Parser", 18) == ["Tool Call Parser"]


async def test_the_footer_offers_the_playground_keys_only_in_the_playground(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        described = {k.display: k.description for k in bar.keys}
        assert described["c"] == "Copy" and "d" not in described
        assert "Diff" not in bar.render().plain
        await pilot.press("2")
        await pilot.pause()
        described = {k.display: k.description for k in bar.keys}
        assert described["d"] == "Diff" and described["s"] == "Submit"


async def test_at_60x20_the_footer_keeps_help_quit_and_the_palette(rules):
    """Issue 18, 16: the other keys drop first; ? Help, q Quit and ^p are always drawn."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(60, 20)) as pilot:
        for tab in ("1", "2", "3"):
            await pilot.press(tab)
            await pilot.pause()
            text = app.query_one(KeyBar).render().plain
            assert len(text) <= 60, text
            assert "? Help" in text and "q Quit" in text and text.rstrip().endswith("^p palette"), (tab, text)


async def test_a_click_on_a_footer_key_presses_it(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.query_one(KeyBar)
        text = bar.render().plain
        x = text.index("Framing")  # the `p` key: Python ⇄ Docker
        assert app.framing == "python"
        await pilot.click(bar, offset=(x, 0))
        await pilot.pause()
        assert app.framing == "docker"
        x = text.index("Copy")
        await pilot.click(bar, offset=(x, 0))
        await pilot.pause()
        assert any(title == "⧉ Copy" for title, _, _ in notes(app))


async def test_the_tab_bar_follows_the_app_and_switches_on_a_click(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = app.query_one(TabBar)
        assert bar.active == "deploy"
        await pilot.press("3")
        await pilot.pause()
        assert bar.active == app.tab == "doctor"
        start, _ = bar.tab_span("deploy")
        await pilot.click(bar, offset=(start + 1, 0))
        await pilot.pause()
        assert app.tab == bar.active == "deploy"


async def test_the_title_line_shows_the_rules_and_the_box(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = plain(app.query_one(TitleBar))
        assert title == f"dsv4 — {app.sub_title}" and "rules: bundled" in title
        app.sub_title = "something else"
        await pilot.pause()
        assert plain(app.query_one(TitleBar)) == "dsv4 — something else"
