"""What a chip press costs (issue 21 item 2): the work it does, not its time (timings are for
benchmarks/). A Deploy press recomputes no hidden Playground; a row whose chips look the same
is not repainted."""

from __future__ import annotations

from dataclasses import replace

import dsv4_tui.app.playground_actions as playground_actions
from dsv4_tui.app import DSV4App
from dsv4_tui.core.view import playground_view
from dsv4_tui.widgets.chips import ChipOption
from tui_helpers import row

SIZE = (120, 40)


async def test_a_deploy_press_does_not_recompute_the_hidden_playground(rules, monkeypatch):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.background_started.wait()
        await pilot.pause()
        assert app.pg_view is not None  # built after the first frame
        calls = []

        def counted(*args):
            calls.append(args)
            return playground_view(*args)

        monkeypatch.setattr(playground_actions, "playground_view", counted)
        strategies = [o.id for o in row(app, "strategy").shown_options() if o.state.enabled]
        for strategy in [*strategies[1:], strategies[0]]:
            app.choose("strategy", strategy)
            await pilot.pause()
        assert calls == []
        last = app.selection
        await pilot.press("2")  # shown: caught up once, with the current selection
        await pilot.pause()
        assert len(calls) == 1
        assert app.pg_view.result.text == playground_view(rules, last, app.overrides, app.framing, app.env).result.text
        app.choose("strategy", strategies[1])  # in front, it follows each press
        await pilot.pause()
        assert len(calls) == 2 and app.pg_view.selection == app.selection


async def test_a_row_whose_chips_only_say_something_else_is_not_repainted(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        nodes = row(app, "nodes")
        repaints = []
        nodes.refresh = lambda *a, **k: repaints.append(k)  # type: ignore[method-assign]
        options = [ChipOption(o.state, o.text, o.detail + " (a new detail)", o.group, o.shown) for o in nodes.options]
        nodes.set_options(options)
        assert repaints == [] and nodes.options == tuple(options)  # kept: the status line says it
        first = options[0]
        greyed = ChipOption(replace(first.state, enabled=False, reason="not here"), first.text, first.detail)
        nodes.set_options([greyed, *options[1:]])
        assert repaints == [{}]  # it looks different: this row is repainted, nothing laid out


def test_a_playground_recompute_builds_its_cards_once(rules, monkeypatch):
    """playground_view asks for the cards of the same state twice (revert_hidden, then the
    view): they are built once. A pick gets new cards; other rules never get these."""
    import dsv4_tui.core.playground.views as views
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.playground import Overrides, set_choice
    from dsv4_tui.core.selection import first_selection

    built = []
    real = views._cards
    monkeypatch.setattr(views, "_cards", lambda *args: built.append(args) or real(*args))
    views._cards_of.cache_clear()
    sel, env = first_selection(rules), Env.defaults(rules)
    picked = set_choice(rules, Overrides(), "speculative", "off")
    first = playground_view(rules, sel, picked, "python", env)
    assert len(built) == 1
    again = playground_view(rules, sel, picked, "python", env)
    assert len(built) == 1 and again.cards is first.cards
    playground_view(rules, sel, set_choice(rules, Overrides(), "reasoning", "on"), "python", env)
    assert len(built) == 2
    other = replace(rules)  # equal, but another object: its own cards
    views.cards(other, sel, picked)
    assert len(built) == 3


def test_flag_name_is_the_first_token_at_a_space_or_an_equals_sign():
    import re

    from dsv4_tui.core.flags import flag_name

    for flag in ("--tp 8", "--tp=8", "--enable-x", "", "=8", " 8", "--a =b", "--json {'a': 1}", "--x\t1"):
        assert flag_name(flag) == re.split(r"[ =]", flag, maxsplit=1)[0], flag


async def test_a_command_seen_before_is_not_linted_again(rules, monkeypatch):
    """Balanced → Low-Latency → Balanced: the third press lints nothing (the checks of the
    commands seen last are remembered); the checks are the same as computed afresh."""
    import dsv4_tui.app.lint_actions as lint_actions

    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.background_started.wait()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.linter is not None
        linted = []
        real = lint_actions.command_checks
        monkeypatch.setattr(lint_actions, "command_checks", lambda *a: linted.append(a[3]) or real(*a))
        first = app.selection.strategy
        other = next(o.id for o in row(app, "strategy").shown_options() if o.state.enabled and o.id != first)
        app.choose("strategy", other)
        await pilot.pause()
        assert len(linted) == 1
        app.choose("strategy", first)
        await pilot.pause()
        app.choose("strategy", other)
        await pilot.pause()
        assert len(linted) == 1
        fresh = real(app.linter, rules, app.selection, app.view.display, app.deploy_page_text())
        assert (app.deploy_checks.findings, app.deploy_checks.reports) == (fresh.findings, fresh.reports)


def test_a_one_line_text_that_fits_is_one_line_high():
    """set_text's shortcut (no wrapping computed for one line that fits) agrees with Textual."""
    from textual.content import Content

    from dsv4_tui.widgets.quiet import _one_line

    texts = ["a", "x" * 80, "✓ 13 checks · bundled table", "漢字" * 30, "a b c " * 30, "", "two\nlines"]
    for text in texts:
        for width in (1, 10, 40, 116):
            if _one_line(text, width):
                assert Content(text).get_height({}, width) == 1, (text, width)
    assert not _one_line("", 10) and not _one_line("two\nlines", 80) and not _one_line("x" * 11, 10)


def test_is_enabled_from_its_index_agrees_with_a_scan_of_the_cells(rules):
    from dsv4_tui.core.rules import DIMS
    from dsv4_tui.core.selection import Selection, is_enabled
    from dsv4_tui.core.srt_panel import serves

    def scanned(sel, dim, value):
        higher = DIMS[: DIMS.index(dim)]
        if dim == "nodes" and serves(rules, sel.hw, sel.variant, value):
            return True
        return any(c.get(dim) == value and all(c.get(d) == sel[d] for d in higher) for c in rules.cells)

    for cell in rules.cells:
        sel = Selection(cell.hw, cell.variant, cell.quant, cell.strategy, cell.nodes)
        for dim in DIMS:
            for other in rules.options["hw"][:2]:  # also under a hardware the cell may not be on
                moved = sel.with_(hw=other.id)
                for option in rules.options[dim]:
                    assert is_enabled(rules, sel, dim, option.id) == scanned(sel, dim, option.id)
                    assert is_enabled(rules, moved, dim, option.id) == scanned(moved, dim, option.id)
