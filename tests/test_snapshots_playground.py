"""Snapshots of the Playground pane (pytest-textual-snapshot).

Regenerate after a deliberate visual change with
`.venv/bin/python -m pytest tests/test_snapshots_playground.py --snapshot-update`, then look
at the SVGs under tests/__snapshots__/test_snapshots_playground/.
Deterministic: no GPU detection, no remembered selection, no clock in the header.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button

from dsv4_tui.app import DSV4App
from dsv4_tui.widgets.knob_cards import KnobCards
from tui_helpers import pg_row

# Written on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its model and cells (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    rules = load_rules(JULY_RULES, cache=False)
    rules.sources = ["tests/data/july-rules"]  # the title shows it: the same in every checkout
    return rules


SIZE = (120, 40)


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("dsv4_tui.host.clipboard.has_local_clipboard", lambda: False)


def new_app(rules) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


def setup(
    sel: tuple[str, ...], picks: tuple[tuple[str, str], ...] = (), *, show: str | None = None, focus: str | None = None
):
    """A run_before: choose the Deploy selection, open the Playground, pick the knobs, then
    scroll `show` into view (top of the pane) and highlight `focus` ("knob=choice")."""

    async def run_before(pilot) -> None:
        app = pilot.app
        for dim, value in zip(("hw", "variant", "quant", "strategy", "nodes"), sel):
            app.choose(dim, value)
        await pilot.pause()
        assert tuple(app.selection.as_dict()[d] for d in ("hw", "variant", "quant", "strategy", "nodes")) == sel
        await pilot.press("2")
        await pilot.pause()
        for key, choice in picks:
            app.pick(key, choice)
        await pilot.pause()
        pane = app.query_one("#playground-pane")
        if focus:
            key, _, choice = focus.partition("=")
            pg_row(app, f"{key}").highlight(choice)
        else:
            app.set_focus(None)
        await pilot.pause()
        if show and show.startswith("#card-"):  # a card's first line at the top of the pane
            app.query_one("#pg-cards", KnobCards).reveal_card(show.removeprefix("#card-"))
        elif show:
            pane.scroll_to_widget(app.query_one(f"#playground-pane {show}"), animate=False, top=True)
        else:
            pane.scroll_home(animate=False)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    return run_before


def test_untouched_base(snap_compare, rules):
    app = new_app(rules)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=setup(("b200", "flash", "fp4", "high-throughput", "single"))
    )


def test_untouched_base_80x24(snap_compare, rules):
    app = new_app(rules)
    assert snap_compare(
        app, terminal_size=(80, 24), run_before=setup(("b200", "flash", "fp4", "high-throughput", "single"))
    )


def test_untouched_base_60x20(snap_compare, rules):
    """The narrowest supported size: every chip wraps into view, nothing is clipped."""
    app = new_app(rules)
    assert snap_compare(
        app, terminal_size=(60, 20), run_before=setup(("b200", "flash", "fp4", "high-throughput", "single"))
    )


def test_megamoe_w4a4_on_b200_high_throughput(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(
        ("b200", "flash", "fp4", "high-throughput", "single"),
        (("moe_quant", "w4a4"),),
        show="#card-moe",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_megamoe_w4a4_command(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(
        ("b200", "flash", "fp4", "high-throughput", "single"),
        (("moe_quant", "w4a4"),),
        show="#pg-command",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_pd_decode_with_hisparse_on_gb300(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(
        ("gb300", "flash", "fp4", "balanced", "single"),
        (("pd_mode", "decode"), ("hisparse", "on"), ("hisparse_ratio", "5")),
        show="#card-pd",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_pd_decode_command_and_router_on_gb300(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(
        ("gb300", "flash", "fp4", "balanced", "single"),
        (("pd_mode", "decode"), ("hisparse", "on"), ("hisparse_ratio", "5")),
        show="#pg-router",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_ngram_disabled_with_its_reason(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(("b200", "flash", "fp4", "balanced", "single"), focus="speculative=ngram")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_rtx_pro_6000(snap_compare, rules):
    app = new_app(rules)
    run_before = setup(("rtx6000", "flash", "fp4", "low-latency", "single"), show="#card-moe")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_role_cell_base(snap_compare, rules):
    app = new_app(rules)
    assert snap_compare(app, terminal_size=SIZE, run_before=setup(("gb300", "pro", "fp4", "low-latency", "multi-2")))


def test_diff_view(snap_compare, rules):
    async def run_before(pilot) -> None:
        await setup(
            ("b200", "flash", "fp4", "high-throughput", "single"),
            (("tp", "8"), ("moe_quant", "w4a4")),
            show="#pg-command",
        )(pilot)
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(new_app(rules), terminal_size=SIZE, run_before=run_before)


def test_submit_screen_refusing_80x24(snap_compare, rules):
    """Submit on a Not Verified result at 80x24, after "Make the link" with nothing filled in."""

    async def run_before(pilot) -> None:
        await setup(("b200", "flash", "fp4", "high-throughput", "single"), (("tp", "8"),))(pilot)
        await pilot.press("s")
        await pilot.pause()
        button = pilot.app.screen.query_one("#submit-link", Button)
        # No press flash: Textual shows a pressed button for 0.2 s (a timer), and the
        # snapshot would catch it or not depending on the machine's load.
        button.active_effect_duration = 0
        button.press()
        await pilot.pause()
        assert not button.has_class("-active")

    assert snap_compare(new_app(rules), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(120, 40), (160, 45), (220, 50)], ids=["120x40", "160x45", "220x50"])
def test_two_columns_from_140(snap_compare, rules, size):
    """Issue 21 item 4: from 140 columns the knobs are on the left and the command, its diff
    and checks line on the right; at 120 one column (the command below the cards). A knob
    picked and the diff on, so the right column shows what changed."""

    async def run_before(pilot) -> None:
        await setup(("b200", "flash", "fp4", "high-throughput", "single"), (("tp", "8"),))(pilot)
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(new_app(rules), terminal_size=size, run_before=run_before)
