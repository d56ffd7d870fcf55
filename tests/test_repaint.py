"""What a key press repaints: the lines and chips that changed, not the screen below them.

Over SSH every repainted row is bytes on the wire (`benchmarks/bench_tui.py` counts them in a
real pty). These tests pin the mechanisms the count rests on: the command box keeps its place
and height, it asks Textual to repaint only the lines that changed (each only as wide as its
text), and a chip row repaints only the chips whose looks changed.
"""

from __future__ import annotations

import pytest
from textual.geometry import Region

from dsv4_tui.app import DSV4App, lint_actions
from dsv4_tui.widgets.chips import ChipRow
from dsv4_tui.widgets.command_box import ChecksLine
from dsv4_tui.widgets.command_text import CommandText
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.quiet import PlainText
from tool_items import tool, toolbar_of
from tui_helpers import (
    command_on_screen,
    focus_and_enter,
    pg_row,
    playground_settled,
    press_chip,
    row,
    settle,
    status_on_screen,
)

SIZE = (120, 40)


def box(app) -> CommandText:
    return app.query_one("#deploy-pane #deploy-command .command", CommandText)


def refreshes_of(monkeypatch, widget) -> list[tuple[tuple[Region, ...], dict]]:
    """What `widget` asks Textual to repaint from now on: (regions, keyword arguments) a call."""
    calls: list[tuple[tuple[Region, ...], dict]] = []
    cls = type(widget)
    original = cls.refresh

    def spy(self, *regions, **kwargs):
        if self is widget:
            calls.append((regions, kwargs))
        return original(self, *regions, **kwargs)

    monkeypatch.setattr(cls, "refresh", spy)
    return calls


async def started(pilot) -> None:
    """Until the start-up's last late result is on screen: the checks with their runs-on
    part, once the bundled tables are loaded. After it, nothing repaints unless a key asks."""
    checks = pilot.app.query_one("#deploy-checks", ChecksLine)
    assert await settle(pilot, lambda: "runs on" in str(checks.content))
    await pilot.pause()


async def in_two_columns(pilot) -> None:
    """Started, then the Playground in front (at 160x45: two columns), settled."""
    await started(pilot)
    await pilot.press("2")
    assert await playground_settled(pilot)


async def highlighted_row(pilot, dim: str, value: str) -> ChipRow:
    """The row `dim` focused with the keys on `value`, once its focus is handled (Textual
    repaints a row that gains focus)."""
    chips = row(pilot.app, dim)
    chips.highlight(value)
    explanation = chips.option(value).explanation
    assert await settle(pilot, lambda: status_on_screen(pilot.app) == explanation)
    await pilot.pause()
    return chips


async def test_the_command_box_fills_the_pane_and_a_command_of_another_length_moves_nothing(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one("#deploy-pane")
        install = app.query_one("#deploy-pane #install", PlainText)
        # The box grows to the pane's bottom edge: the install line sits on it.
        assert await settle(pilot, lambda: install.region.bottom == pane.scrollable_content_region.bottom)
        await press_chip(pilot, "strategy", "low-latency")
        await pilot.pause()
        short = command_on_screen(app)
        where = box(app).region, install.region
        await press_chip(pilot, "strategy", "balanced")
        await settle(pilot, lambda: command_on_screen(app) != short)
        assert len(command_on_screen(app).splitlines()) != len(short.splitlines())  # another length…
        await pilot.pause()
        assert (box(app).region, install.region) == where  # …moved nothing and resized nothing


async def test_a_command_taller_than_the_pane_grows_the_box_and_scrolls(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        command = box(app)
        pane = app.query_one("#deploy-pane")
        install = app.query_one("#deploy-pane #install", PlainText)
        # The layout settled: the box as tall as its text, the install line under it.
        assert await settle(
            pilot,
            lambda: (
                command.size.height >= len(command.plain.splitlines()) and install.region.y >= command.region.bottom
            ),
        )
        assert pane.max_scroll_y > 0  # the whole command can be scrolled to


async def test_a_changed_line_is_the_only_line_repainted(rules, monkeypatch):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        command = box(app)
        text = app.view.display
        assert "--port 30000" in text
        refreshed = refreshes_of(monkeypatch, command)
        lines = command.plain.split("\n")
        y = lines.index("  --port 30000")
        command.show(text.replace("--port 30000", "--port 31234"))
        assert refreshed == [((Region(0, y, len("  --port 31234"), 1),), {})]
        assert command.plain.split("\n")[y] == "  --port 31234"
        refreshed.clear()
        command.show(text.replace("--port 30000", "--port 31234"))  # the same text again
        assert refreshed == []


async def test_a_chip_choice_repaints_the_two_chips_that_changed(rules, monkeypatch):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await press_chip(pilot, "strategy", "low-latency")
        strategy = await highlighted_row(pilot, "strategy", "balanced")
        refreshed = refreshes_of(monkeypatch, strategy)
        await pilot.press("enter")
        await pilot.pause()
        assert app.selection.strategy == "balanced"
        both = Region.from_union([strategy.chip_region("low-latency"), strategy.chip_region("balanced")])
        assert refreshed == [((both,), {})]  # one region: the two chips, not the row


async def test_an_arrow_repaints_the_chip_it_left_and_the_chip_it_reached(rules, monkeypatch):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        strategy = await highlighted_row(pilot, "strategy", "low-latency")
        refreshed = refreshes_of(monkeypatch, strategy)
        await pilot.press("right")
        await pilot.pause()
        both = Region.from_union([strategy.chip_region("low-latency"), strategy.chip_region("balanced")])
        assert refreshed == [((both,), {})]


async def test_the_command_box_text_can_be_selected_with_the_mouse(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)  # nothing above the command moves any more
        command = box(app)
        y = command.plain.split("\n").index("sglang serve \\")
        x, top = command.region.x, command.region.y + y
        await pilot.mouse_down(offset=(x, top))
        await pilot.hover(offset=(x + 11, top))
        await pilot.mouse_up(offset=(x + 11, top))  # the end column is part of the selection
        await pilot.pause()
        assert app.screen.get_selected_text() == "sglang serve"


async def test_a_knob_press_in_front_never_hides_the_playground_to_catch_up(rules, monkeypatch):
    """Stale (the body hidden until it catches up) is for a Playground behind the Deploy
    tab; in front, a knob press that hid and showed the body laid the whole pane out again."""
    from dsv4_tui.widgets.playground_pane import PlaygroundPane

    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await in_two_columns(pilot)
        hidden: list[bool] = []
        original = PlaygroundPane._behind
        monkeypatch.setattr(PlaygroundPane, "_behind", lambda self: hidden.append(True) or original(self))
        speculative = pg_row(app, "speculative")
        was = speculative.selected_option().id
        other = next(o.id for o in speculative.shown_options() if o.state.enabled and o.id != was)
        await focus_and_enter(pilot, speculative, other)
        assert await playground_settled(pilot)
        assert speculative.selected_option().id == other  # the press took
        assert hidden == [] and app.query_one("#pg-body").display
        await pilot.press("1")  # behind the Deploy tab, a Deploy press still marks it stale
        await pilot.pause()
        app.selection = app.selection.with_(strategy="balanced")
        await pilot.pause()
        assert hidden == [True]


async def test_in_two_columns_a_card_that_changes_height_leaves_the_knob_column_in_place(rules, monkeypatch):
    """The cards scroll in a box down to the knob column's bottom edge: a card growing or
    shrinking changes what the box scrolls, not its size (Textual repaints a widget whose
    size changes whole), and the cards repaint the lines that changed, not all of them."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await in_two_columns(pilot)
        cards = app.query_one("#pg-cards", KnobCards)
        assert cards.region.bottom == app.query_one("#pg-knobs").content_region.bottom
        dspark, where = cards.card_lines("select-dspark_draft_tokens"), cards.region
        speculative = pg_row(app, "speculative")
        speculative.highlight("off")
        await pilot.pause()
        calls = refreshes_of(monkeypatch, cards)
        await pilot.press("enter")
        assert await playground_settled(pilot)
        assert speculative.selected_option().id == "off"
        assert cards.card_lines("select-dspark_draft_tokens") != dspark  # a card changed height…
        assert cards.region == where  # …and the column of cards did not
        assert calls and all(regions for regions, _ in calls), calls  # never the whole widget
        repainted = {y for regions, _ in calls for r in regions for y in range(r.y, r.bottom)}
        assert 0 < len(repainted) < cards.size.height / 2, sorted(repainted)


@pytest.mark.parametrize(
    ("start", "resized"),
    [((100, 30), (150, 45)), ((120, 40), (120, 50))],
    ids=["wider-and-taller", "taller-only"],
)
async def test_after_a_resize_the_command_box_fills_the_pane_again(rules, start, resized):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=start) as pilot:
        await started(pilot)
        pane = app.query_one("#deploy-pane")
        install = app.query_one("#deploy-pane #install", PlainText)
        await pilot.resize_terminal(*resized)
        assert await settle(pilot, lambda: install.region.bottom == pane.scrollable_content_region.bottom)
        assert pane.max_scroll_y == 0  # nothing below the install line, no gap above it


async def test_a_tab_in_a_command_is_shown_as_spaces(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        command = box(app)
        command.show("sglang serve \\\n  --model-path\tx")
        await pilot.pause()
        assert "\t" not in command.plain
        assert "  --model-path  x" in command.plain.split("\n")


async def test_a_knob_press_that_changes_a_card_lays_the_screen_out_once_and_moves_no_button(rules):
    """Speculative Off ⇄ the cell's DSpark: a card grows or shrinks, the badge turns Not
    Verified and back, Submit comes and goes, the command gets longer and shorter. None of
    that changes a widget's size: Textual lays nothing out (a widget that changed size asked
    for a layout of every widget, and once for a second one), and the toolbar's buttons and
    the command stay put."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await in_two_columns(pilot)
        speculative = pg_row(app, "speculative")
        base = speculative.selected_option().id
        toolbar = toolbar_of(app, "pg-submit")
        command = app.query_one("#pg-command .command", CommandText)
        column = app.query_one("#pg-result")
        # The command box reaches the column's bottom edge (its height is set by a layout
        # after the first one): from here no layout is pending.
        assert await settle(pilot, lambda: command.region.bottom == column.scrollable_content_region.bottom)
        await pilot.pause()

        def places() -> dict:
            buttons = {i.id: toolbar.item_region(i.id) for i in toolbar.items}
            return buttons | {"toolbar": toolbar.region, "command": command.region}

        where = places()
        assert not tool(app, "pg-submit").shown and not tool(app, "pg-submit").pressable
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(command, layouts.append)
        for choice, lines in (("off", "fewer"), (base, "more")):
            before, layouts[:] = command.plain.count("\n"), []
            await focus_and_enter(pilot, speculative, choice)
            assert await playground_settled(pilot)
            assert speculative.selected_option().id == choice  # the press took
            after = command.plain.count("\n")
            assert after < before if lines == "fewer" else after > before
            assert tool(app, "pg-submit").shown == (choice != base)
            assert layouts == [], f"{len(layouts)} layouts for one knob press"
            assert places() == where


async def test_new_badge_words_within_its_min_width_repaint_the_badge_alone(rules, monkeypatch):
    """Verified ⇄ Not Verified keeps the Playground badge's width (its min-width): the
    toolbar repaints the badge's cells alone. Longer words move the buttons after it: the
    whole toolbar is repainted."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await in_two_columns(pilot)
        toolbar = toolbar_of(app, "pg-badge")
        badge = toolbar.item_region("pg-badge")
        calls = refreshes_of(monkeypatch, toolbar)
        assert toolbar.update("pg-badge", label="Not Verified") and toolbar.update("pg-badge", label="Verified")
        assert calls and all(regions == (badge,) and not kwargs.get("layout") for regions, kwargs in calls)
        calls.clear()
        assert toolbar.update("pg-badge", label="Verified (matches high-throughput)")
        assert calls and calls[-1][0] == ()  # every cell of the toolbar
        assert toolbar.item_region("pg-copy").x > badge.right


async def test_a_knob_press_on_a_new_state_is_drawn_before_its_option_gate_runs(rules, monkeypatch):
    """The option gate (which choices SGLang would refuse, about 12 ms of lint) of a state not
    seen before runs after the press is on screen, not before: queued at once, its steps held
    the frame back until all of them were done."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await in_two_columns(pilot)
        assert await settle(pilot, lambda: app._gate_job is None)  # the base state's gate is done
        speculative = pg_row(app, "speculative")
        events: list[str] = []
        draw = KnobCards.render_line  # Textual draws the cards' lines only for a frame

        def drawn(self, y):
            events.append("frame")
            return draw(self, y)

        steps = app._gate_steps

        def step(key, gate) -> None:
            events.append("gate")
            steps(key, gate)

        monkeypatch.setattr(app, "_gate_steps", step)
        monkeypatch.setattr(lint_actions, "GATE_START_S", 0.1)  # a frame, however loaded the machine
        speculative.highlight("off")
        await pilot.pause()
        monkeypatch.setattr(KnobCards, "render_line", drawn)
        await pilot.press("enter")  # the press: a card changes height, its lines are drawn
        assert await settle(pilot, lambda: "gate" in events and app._gate_job is None)
        assert speculative.selected_option().id == "off"
        assert "frame" in events and events.index("frame") < events.index("gate"), events


async def test_the_checks_line_repaints_alone_for_words_of_as_many_lines(rules, monkeypatch):
    """Each press sets the checks line: words that take as many lines repaint it alone;
    more lines lay the screen out, and the words wrap between words, as a Static's do."""
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        line = app.query_one("#deploy-checks", ChecksLine)
        assert line.size.height == 1
        calls = refreshes_of(monkeypatch, line)
        assert line.update("⚠ 1 warning · bundled table for SGLang 0.5.23 · l: details")
        assert not line.update("⚠ 1 warning · bundled table for SGLang 0.5.23 · l: details")  # the same
        assert len(calls) == 1 and not calls[0][1].get("layout")
        long = " · ".join(f"finding number {n}" for n in range(12))
        assert line.update(long)
        assert calls[-1][1].get("layout")
        await pilot.pause()
        shown = [line.render_line(y).text.rstrip() for y in range(line.size.height)]
        assert line.size.height == len(shown) > 1
        assert " ".join(shown) == long  # every word, broken between words only
        assert all(len(text) <= line.size.width for text in shown)
