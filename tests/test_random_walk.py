"""A seeded random walk through the whole app: Deploy choices, framing, Playground picks,
diff, reset, tab switches — one Pilot session per example, checking after every step that
the screen shows exactly what the core computes for the app's state.

Deterministic: each of the fixed SEEDS drives one walk through `random.Random(seed)`, so a
failure reproduces on every run; the assertion message has the seed and the last steps.
"""

from __future__ import annotations

import asyncio
import inspect
import random
from dataclasses import replace

import pytest

from dsv4_tui.app import DSV4App
from dsv4_tui.core.option_gate import gated_cards, refusal, refused_options
from dsv4_tui.core.playground import Overrides, cards, revert_hidden, set_choice
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import NotAvailable, Selection, choose
from dsv4_tui.core.view import deploy_view, playground_view
from dsv4_tui.widgets.chips import ChipRow
from dsv4_tui.widgets.command_text import CommandText, diff_text, wrap_text
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.knob_row import KnobRow
from dsv4_tui.widgets.tool_button import ToolButton
from tool_items import press_tool, tool
from tui_helpers import pg_row, plain, playground_settled

SIZE = (120, 40)
STEPS = 80  # per walk; one walk per seed (SEEDS)

ACTIONS = (
    ["deploy"] * 6  # choose a Deploy option (by chip in the Deploy tab, else by name)
    + ["pick"] * 10  # pick a Playground choice (by chip in the Playground tab, else by name)
    + ["framing", "diff", "reset", "tab", "tab", "sibling", "copy", "jump", "jump", "arrow", "arrow"]
)


def deploy_shown(app) -> str:
    return plain(app.query_one("#deploy-pane #deploy-command .command", CommandText))


def pg_shown(app) -> str:
    return plain(app.query_one("#playground-pane #pg-command .command", CommandText))


def check(app, rules, log: list[str]) -> None:
    """The invariants after every step."""
    where = "\n".join(log[:1] + ["…"] + log[-12:])
    assert app._exception is None, where
    assert app.is_running, where
    assert app.screen is app.screen_stack[0], where  # no modal left open
    sel, ov = app.selection, app.overrides

    # Deploy: the screen shows the core's command for the state.
    dv = deploy_view(rules, sel, app.framing, app.env)
    assert app.view.display == dv.display, where
    assert deploy_shown(app) == dv.display, where
    for dim in DIMS:
        chip = app.query_one(f"#deploy-pane #row-{dim}", ChipRow).option(sel[dim])
        assert chip is not None and chip.state.selected and chip.shown, where

    # Playground: the state matches the core; the screen is checked while the tab is in
    # front (a hidden Playground catches up when it is shown, which the walk also does).
    pv = playground_view(rules, sel, ov, app.framing, app.env)
    assert app.playground_now().display == pv.display and app.playground_now().diff == pv.diff, where
    assert revert_hidden(rules, sel, ov) == ov, where
    assert pv.cards == cards(rules, sel, pv.result.overrides), where
    if not app.in_playground:
        return
    if pv.result.has_base:  # in front, the options the lint refuses are greyed (core/option_gate.py)
        pv = replace(pv, cards=gated_cards(pv.cards, refused_options(app.linter, rules, sel, ov, pv.cards)))
    shown = pg_shown(app)
    width = app.query_one("#pg-command .command").size.width
    if app.show_diff:
        assert shown == diff_text(pv.diff, width).plain, where
    else:
        assert shown == wrap_text(pv.display, width), where
    result = pv.result
    badge = tool(app, "pg-badge").label
    assert badge == (result.badge_line if result.has_base else "Not Verified"), where
    assert app.query_one("#pg-command").display == result.has_base, where
    assert tool(app, "pg-submit").shown == result.can_submit, where
    assert app.query_one("#pg-sibling", ToolButton).display == bool(result.matched_strategy), where
    assert app.query_one("#pg-router").display == bool(result.router), where

    # No hidden option is selected on screen.
    drawn = app.query_one("#pg-cards", KnobCards)
    for card in pv.cards:
        shown = not (card.hidden and card.hidden_by_base) and result.has_base
        assert drawn.card(card.id).shown == shown, where
        for knob in card.knobs:
            visible = not knob.hidden and not card.hidden
            row = pg_row(app, knob.key)
            assert row.display == (visible and shown), where
            if visible and shown:
                chosen = knob.choice(knob.selected)
                assert chosen is not None and not chosen.hidden, f"{knob.key}={knob.selected} hidden\n{where}"
            assert [c.id for c in row.options] == [c.id for c in knob.choices], where
            for chip in row.options:
                choice = knob.choice(chip.id)
                assert choice is not None, where
                assert chip.shown == (not choice.hidden), where
                assert chip.state.enabled == (not choice.disabled), where
                assert chip.state.selected == (choice.id == knob.selected), where


async def press_chip(pilot, rnd: random.Random, row: ChipRow | KnobRow, choice: str) -> None:
    """Enter on the highlighted chip (half the time), else the row's (the cards') own press action."""
    row.highlight(choice)
    if rnd.random() < 0.5:
        await pilot.press("enter")
    else:
        await pilot.pause()
        (row.widget if isinstance(row, KnobRow) else row).action_press()


async def key_or_action(pilot, rnd: random.Random, log: list[str], key: str, action) -> None:
    """The key binding (half the time: keys cost a Pilot round trip), else the action."""
    if rnd.random() < 0.5:
        log.append(f"press {key}")
        await pilot.press(key)
    else:
        log.append(f"action for {key}")
        result = action()
        if inspect.isawaitable(result):
            await result


async def walk(rules, seed: int) -> None:
    rnd = random.Random(seed)
    app = DSV4App(rules, detect=False, remember=False)
    app.animation_level = "none"  # scrolling to a focused chip is instant: no waiting on animations
    log: list[str] = [f"seed {seed}"]
    async with app.run_test(size=SIZE) as pilot:
        await app.background_started.wait()  # the Linter (built in a worker): the gate needs it
        await app.workers.wait_for_complete()
        await pilot.pause()
        check(app, rules, log)
        for _ in range(STEPS):
            # What the step should leave behind, from the core alone.
            sel, ov, framing, show_diff = app.selection, app.overrides, app.framing, app.show_diff
            action = rnd.choice(ACTIONS)
            if action == "deploy":
                dim = rnd.choice(DIMS)
                states = app.view.options[dim]
                enabled = [s for s in states if s.enabled]
                # Mostly an enabled option; sometimes a greyed one (refused, must not crash).
                state = rnd.choice(enabled if enabled and rnd.random() < 0.9 else states)
                try:
                    sel = choose(rules, sel, dim, state.id)[0]
                    ov = revert_hidden(rules, sel, ov)
                except NotAvailable:
                    assert not state.enabled, f"{dim}={state.id} refused while enabled"
                if not app.in_playground and rnd.random() < 0.5:
                    log.append(f"deploy chip {dim}={state.id} (enabled={state.enabled})")
                    await press_chip(pilot, rnd, app.query_one(f"#deploy-pane #row-{dim}", ChipRow), state.id)
                else:
                    log.append(f"app.choose({dim!r}, {state.id!r}) (enabled={state.enabled})")
                    app.choose(dim, state.id)
            elif action == "pick":
                visible = [
                    (k.key, c.id, c.disabled)
                    for card in app.playground_now().cards
                    if not card.hidden
                    for k in card.knobs
                    if not k.hidden
                    for c in k.choices
                    if not c.hidden
                ]
                if not visible or not app.playground_now().result.has_base:
                    log.append("pick: nothing to pick")
                    continue
                key, cid, disabled = rnd.choice(visible)
                # A pick the lint refuses is refused too (greyed, or checked at once if not yet).
                disabled = disabled or refusal(app.linter, rules, sel, ov, key, cid) is not None
                if app.in_playground:
                    # A greyed chip only explains itself; an enabled one sets the knob.
                    log.append(f"pg chip {key}={cid} (disabled={disabled})")
                    if not disabled:
                        ov = set_choice(rules, ov, key, cid)
                    await press_chip(pilot, rnd, pg_row(app, f"{key}"), cid)
                else:
                    # By name: like the chip, a greyed choice is refused (with its reason).
                    log.append(f"app.pick({key!r}, {cid!r}) (disabled={disabled})")
                    if not disabled:
                        ov = set_choice(rules, ov, key, cid)
                    app.pick(key, cid)
            elif action == "framing":
                framing = "docker" if framing == "python" else "python"
                await key_or_action(pilot, rnd, log, "p", app.action_toggle_framing)
            elif action == "diff" and not app.in_playground:
                log.append("press d (Deploy: the Playground's key does nothing here)")
                await pilot.press("d")
            elif action == "diff":
                show_diff = not show_diff
                await key_or_action(pilot, rnd, log, "d", app.action_toggle_diff)
            elif action == "reset":
                log.append("reset")
                ov = Overrides()
                press_tool(app, "pg-reset")
            elif action == "tab":
                tab = "deploy" if app.in_playground else "playground"
                await key_or_action(
                    pilot, rnd, log, "1" if tab == "deploy" else "2", lambda tab=tab: app.action_show_tab(tab)
                )
            elif action == "arrow":
                if not (app.in_playground and isinstance(app.focused, KnobCards)):
                    log.append("arrow: no Playground chip focused")
                    continue
                key = rnd.choice(("left", "right", "up", "down"))
                log.append(f"press {key} on {app.focused.row}")
                await pilot.press(key)
                await pilot.pause()
                # Arrows never put the focus on something that is not on screen.
                assert app.focused is None or app.focused in app.screen.focus_chain, "\n".join(log[-12:])
            elif action == "jump":
                # Every Deploy dimension at once, to any cell (role cells included).
                roles = [c for c in rules.cells if c.has_roles]  # "no base" for the Playground
                cell = rnd.choice(roles if roles and rnd.random() < 0.3 else rules.cells)
                log.append(f"jump to {cell.hw}/{cell.variant}/{cell.quant}/{cell.strategy}/{cell.nodes}")
                for dim in DIMS:
                    try:
                        new = choose(rules, sel, dim, getattr(cell, dim))[0]
                    except NotAvailable:
                        pass
                    else:
                        if new != sel:
                            sel, ov = new, revert_hidden(rules, new, ov)
                    app.choose(dim, getattr(cell, dim))
            elif action == "sibling":
                if not app.in_playground:  # the button lives in the Playground tab
                    log.append("sibling: show the Playground")
                    await app.action_show_tab("playground")
                    await pilot.pause()
                if not app.query_one("#pg-sibling", ToolButton).display:
                    if rnd.random() < 0.5:
                        log.append("sibling: none")
                        continue
                    # Set up a known sibling match (equals the H200 high-throughput cell).
                    log.append("sibling setup: h200/flash/fp4/balanced + marlin + speculative off")
                    for dim, value in zip(DIMS, ("h200", "flash", "fp4", "balanced", "single")):
                        app.choose(dim, value)
                    app.action_reset_overrides()
                    app.pick("moe_backend", "marlin")
                    app.pick("speculative", "off")
                    await pilot.pause()
                    assert app.selection == Selection("h200", "flash", "fp4", "balanced", "single")
                    assert app.query_one("#pg-sibling", ToolButton).display, "\n".join(log[-12:])
                    sel = app.selection
                log.append("sibling")
                sel, ov = sel.with_(strategy=app.playground_now().result.matched_strategy), Overrides()
                app.query_one("#pg-sibling", ToolButton).press()
            elif action == "copy":
                await key_or_action(pilot, rnd, log, "c", app.action_copy)
                await pilot.pause()
                assert app.clipboard == app.current_command(), "\n".join(log[:1] + log[-12:])
            await pilot.pause()
            assert await playground_settled(pilot)  # the lint's greying, the final view drawn
            where = "\n".join(log[:1] + ["…"] + log[-12:])
            assert (app.selection, app.overrides) == (sel, ov), where
            assert (app.framing, app.show_diff) == (framing, show_diff), where
            check(app, rules, log)


# Three walks, each its own test so that the suite's workers share them (one test of three
# walks was the longest of the suite, and ran on one worker while the other sat idle).
SEEDS = (0, 2140, 1073741823)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_walk(rules, seed, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("dsv4_tui.host.clipboard.has_local_clipboard", lambda: False)
    asyncio.run(walk(rules, seed))
