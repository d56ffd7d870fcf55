"""The Playground pane driven like a user would: chips, keys, and what the screen then says.

Every expected command comes from the core (`playground()` / `playground_view()`), or from
the cookbook scenarios, never from the widgets themselves.
"""

from __future__ import annotations

import re
import sys
import types

import pytest
from textual.widgets import Button, Checkbox, Input, Static

from conftest import reference_json
from dsv4_tui.app import DSV4App
from dsv4_tui.core.env import Env
from dsv4_tui.core.option_gate import gated_cards, refused_options
from dsv4_tui.core.playground import Overrides, cards, playground
from dsv4_tui.core.selection import Selection
from dsv4_tui.core.view import playground_view
from dsv4_tui.host.paths import config_dir
from dsv4_tui.host.rules_files import load_rules
from dsv4_tui.screens.curl_screen import CurlScreen
from dsv4_tui.screens.submit_screen import SubmitScreen
from dsv4_tui.widgets.chips import ChipOption
from dsv4_tui.widgets.command_text import CommandText, diff_text
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.knob_row import KnobRow
from dsv4_tui.widgets.quiet import PlainText
from dsv4_tui.widgets.tab_bar import TabBar
from dsv4_tui.widgets.tool_button import ToolButton
from tool_items import press_tool, tool
from tui_helpers import (
    as_shown,
    block_on_screen,
    card_note,
    card_shown,
    click_chip,
    focus_and_enter,
    highlighted,
    notes,
    pg_cards,
    pg_row,
    plain,
    playground_settled,
    press_chip,
    settle,
)
from upstream_rules import seed_rules_in

# Written on the July page (69 cells, with the GB300 Pro PD role cells): this module runs on
# its model and cells (tests/data/july-rules); the bundled rules follow the upstream config now.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SIZE = (120, 40)
ISSUE = "https://github.com/sgl-project/sglang/issues/new?template=3-playground-verified-cell.yml"


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch):
    """No local clipboard and no browser: copies go through the app (OSC 52) only, and a
    test that would open a browser fails."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("dsv4_tui.host.clipboard.has_local_clipboard", lambda: False)

    def no_browser(*args, **kwargs):
        pytest.fail(f"webbrowser.open called in a test: {args!r}")

    monkeypatch.setattr("webbrowser.open", no_browser)


# --------------------------------------------------------------------------- helpers


def new_app(rules) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


def pg_command(app) -> str:
    """What the Playground's command box shows (the command, or the diff while toggled)."""
    return plain(app.query_one("#playground-pane #pg-command .command", CommandText))


def pg_badge(app) -> str:
    return tool(app, "pg-badge").label


def pg_status(app) -> str:
    return plain(app.query_one("#playground-pane #pg-status", PlainText))


def pg_base(app) -> str:
    return plain(app.query_one("#playground-pane #pg-base", PlainText))


def pg_chip(app, key: str, cid: str) -> ChipOption:
    """A Playground chip as its row shows it (state, text, shown)."""
    option = row(app, key).option(cid)
    assert option is not None, f"no chip {key}={cid}"
    return option


def row(app, key: str) -> KnobRow:
    return pg_row(app, key)


def core(rules, app, framing: str | None = None):
    """The core's result for the app's current state."""
    return playground(rules, app.selection, app.overrides, framing or app.framing, Env.defaults(rules).subst())


def assert_pg_shown(app, rules) -> None:
    """The screen, the app's view and the core agree on the Playground command."""
    view = playground_view(rules, app.selection, app.overrides, app.framing, app.env)
    assert app.playground_now().display == view.display
    assert view.display == core(rules, app).text
    assert pg_command(app) == as_shown(app, view.display, "playground")


async def set_base(pilot, rules, *sel: str) -> None:
    """Choose the Deploy selection (hw, variant, quant, strategy, nodes) by name."""
    app = pilot.app
    for dim, value in zip(("hw", "variant", "quant", "strategy", "nodes"), sel):
        app.choose(dim, value)
    await pilot.pause()
    assert app.selection == Selection(*sel)


async def open_playground(pilot) -> None:
    await pilot.press("2")
    await pilot.pause()
    assert pilot.app.in_playground


async def press_pg_chip(pilot, key: str, cid: str) -> None:
    """Enter on a Playground chip; an enabled one is then the knob's selected choice."""
    target = pg_chip(pilot.app, key, cid)
    await focus_and_enter(pilot, row(pilot.app, key), cid)
    assert await playground_settled(pilot)
    if target.state.enabled:
        assert pg_chip(pilot.app, key, cid).state.selected, f"pressed {key}={cid}; it is not selected"


async def playground_at(pilot, rules, *sel: str) -> None:
    await set_base(pilot, rules, *sel)
    await open_playground(pilot)


@pytest.fixture(scope="module")
def seed_rules(tmp_path_factory):
    return seed_rules_in(tmp_path_factory.mktemp("seed"))


def scenario(name: str) -> dict:
    data = reference_json("examples/playground-scenarios.json")
    return next(s for s in data["scenarios"] if s["name"] == name)


B200_HT = ("b200", "flash", "fp4", "high-throughput", "single")
B200_BAL = ("b200", "flash", "fp4", "balanced", "single")
GB300_BAL = ("gb300", "flash", "fp4", "balanced", "single")
H200_BAL = ("h200", "flash", "fp4", "balanced", "single")
ROLES = ("gb300", "pro", "fp4", "low-latency", "multi-2")


# --------------------------------------------------------------------------- the cards


async def test_cards_follow_the_live_deploy_base(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # In the Deploy pane, like a user: B200 · Flash · FP4 are the first cell; High-Throughput.
        for dim, value in (("hw", "b200"), ("variant", "flash"), ("quant", "fp4"), ("strategy", "high-throughput")):
            await press_chip(pilot, dim, value)
        assert app.selection == Selection(*B200_HT)
        await open_playground(pilot)
        assert pg_base(app).startswith("Base: B200 · Flash · FP4 · High-Throughput")
        assert "(untouched)" in pg_base(app)
        # The knobs show the base's own values; no inherit chip where the base defines it.
        assert pg_chip(app, "tp", "4").state.selected and pg_chip(app, "tp", "4").state.selected
        assert pg_chip(app, "dp_attention", "4").state.selected
        assert pg_chip(app, "moe_backend", "megamoe").state.selected
        assert pg_chip(app, "moe_backend", "megamoe").shown
        quant = row(app, "moe_quant")
        assert quant.display and quant.label == "Quantization"
        assert pg_chip(app, "moe_quant", "w4a8").state.selected
        assert not pg_chip(app, "moe_quant", "w4a4").state.selected
        assert row(app, "tp").option("inherit") is None
        assert row(app, "moe_backend").option("inherit") is None
        assert pg_chip(app, "cp", "inherit").state.selected  # the base has no CP: Auto
        assert pg_badge(app) == "Verified"
        assert_pg_shown(app, rules)
        assert pg_command(app) == as_shown(app, app.view.command, "playground")  # untouched: the Deploy command
        assert not tool(app, "pg-submit").shown

        # Deploy changes under the Playground: the cards follow.
        app.choose("strategy", "balanced")
        await pilot.pause()
        assert "Balanced" in pg_base(app)
        assert pg_chip(app, "moe_backend", "deepep").state.selected
        assert not pg_chip(app, "moe_backend", "megamoe").shown
        assert not row(app, "moe_quant").display
        assert_pg_shown(app, rules)


async def test_enter_on_a_chip_sets_the_override_and_the_command_changes(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        before = pg_command(app)
        await press_pg_chip(pilot, "tp", "8")
        assert app.overrides == Overrides(tp=8)
        assert pg_chip(app, "tp", "8").state.selected and not pg_chip(app, "tp", "4").state.selected
        assert pg_command(app) != before
        assert "  --tp 8 \\" in pg_command(app)
        assert_pg_shown(app, rules)
        assert pg_badge(app) == "Not Verified"
        assert tool(app, "pg-badge").state == "unverified"
        assert "(with your overrides)" in pg_base(app)
        assert tool(app, "pg-submit").shown
        # The Deploy command is untouched by the Playground.
        assert "--tp 4" in app.view.command and "--tp 8" not in app.view.command


async def test_clicking_a_chip_sets_the_override(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        reasoning = row(app, "reasoning")
        reasoning.scroll_visible()
        await pilot.pause()
        assert await click_chip(pilot, reasoning, "on")
        await pilot.pause()
        assert app.overrides == Overrides(reasoning=True)
        assert "--reasoning-parser" in pg_command(app)
        assert_pg_shown(app, rules)
        assert pg_badge(app) == "Not Verified"


async def test_reset_returns_to_the_base(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        base = pg_command(app)
        await press_pg_chip(pilot, "tp", "8")
        assert pg_command(app) != base
        press_tool(app, "pg-reset")
        await pilot.pause()
        assert app.overrides == Overrides()
        assert pg_command(app) == base
        assert pg_badge(app) == "Verified"


async def test_megamoe_w4a4_on_b200_high_throughput_is_the_scenario_text(seed_rules):
    """The page's scenario, with the newer config's W4A4: the flag, not the FP4 env."""
    rules = seed_rules  # the page's scenarios: on the seed cells
    want = {
        k: re.sub(r"[^\n]*MEGA_MOE_USE_(FP4_ACTS|MXF4_KIND)=1 \\\n", "", v).replace(
            "--moe-a2a-backend megamoe \\\n", "--moe-a2a-backend megamoe \\\n{pad}--enable-w4a4-mxfp4-megamoe \\\n"
        )
        for k, v in scenario("MegaMoE W4A4 on b200 flash high-throughput").items()
        if k in ("python", "docker")
    }
    want["python"] = want["python"].format(pad="  ")
    want["docker"] = want["docker"].format(pad="    ")
    want["badge"] = "Not Verified"
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "moe_quant", "w4a4")
        assert app.overrides == Overrides(moe_quant="w4a4")
        assert pg_chip(app, "moe_quant", "w4a4").state.selected
        assert pg_command(app) == want["python"] == core(rules, app).text
        assert pg_badge(app) == want["badge"] == "Not Verified"
        await pilot.press("p")
        await pilot.pause()
        assert app.framing == "docker"
        assert pg_command(app) == want["docker"] == core(rules, app, "docker").text


@pytest.mark.parametrize(
    "sel",
    [
        ("h200", "flash", "fp8", "balanced", "single"),
        ("h200", "flash", "fp4", "high-throughput", "single"),
        ("rtx6000", "flash", "fp4", "low-latency", "single"),
        ("mi355x", "flash", "fp4", "balanced", "single"),
        ("mi300x", "flash", "fp8", "low-latency", "single"),
        B200_BAL,
        ("b200", "flash", "fp4", "low-latency", "single"),
    ],
    ids=lambda s: "-".join(s),
)
async def test_megamoe_is_hidden_off_blackwell_high_throughput(rules, sel):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *sel)
        assert not pg_chip(app, "moe_backend", "megamoe").shown
        assert not row(app, "moe_quant").display
        for cid in ("w4a8", "w4a4"):
            assert not pg_chip(app, "moe_quant", cid).shown
        # The other backends stay on offer (on ROCm: MORI, the config's only one there).
        other = "mori" if sel[0].startswith("mi") else "deepep"
        assert pg_chip(app, "moe_backend", other).shown
        assert_pg_shown(app, rules)


async def test_ngram_is_disabled_while_dp_attention_is_on(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_BAL)
        assert pg_chip(app, "dp_attention", "4").state.selected  # the base runs DP-attention
        ngram = pg_chip(app, "speculative", "ngram")
        assert ngram.shown and not ngram.state.enabled
        state, command = app.overrides, pg_command(app)
        row(app, "speculative").highlight("ngram")
        await pilot.pause()
        reason = (
            "NGRAM is incompatible with DP-Attention. Turn DP-Attention off in the Attention card above to use NGRAM."
        )
        assert pg_status(app) == f"✗ NGRAM: {reason}"
        assert "-reason" in app.query_one("#pg-status").classes
        assert ngram.tooltip == reason
        await pilot.press("enter")  # explains again, changes nothing
        await pilot.pause()
        assert app.overrides == state
        assert pg_command(app) == command
        assert pg_status(app) == f"✗ NGRAM: {reason}"

        # DP-Attention off: the page's own rule lets NGRAM through, but SGLang refuses NGRAM
        # for DeepSeek-V4 (the lint's rule): it stays greyed, now with the lint's reason.
        await press_pg_chip(pilot, "dp_attention", "off")
        refused = "SGLang refuses NGRAM for DeepSeek-V4 (EAGLE or DSpark only)"
        assert await settle(pilot, lambda: pg_chip(app, "speculative", "ngram").state.reason == refused)
        ngram = pg_chip(app, "speculative", "ngram")
        assert ngram.shown and not ngram.state.enabled
        state, command = app.overrides, pg_command(app)
        await focus_and_enter(pilot, row(app, "speculative"), "ngram")
        assert pg_status(app) == f"✗ NGRAM: {refused}"
        assert app.overrides == state == Overrides(dp_attention=0)
        assert pg_command(app) == command and "NGRAM" not in command
        assert_pg_shown(app, rules)


async def test_a_pick_the_lint_refuses_is_refused_before_the_chips_are_greyed(rules):
    """The options are greyed a few ms after a press; a pick in between is checked at once."""
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_BAL)
        await press_pg_chip(pilot, "dp_attention", "off")
        app._gate_done.clear()  # as if the state were new and its gate not done yet
        app._gate_job = None
        app.pick("speculative", "ngram")
        assert app.overrides == Overrides(dp_attention=0)
        assert pg_status(app) == "✗ NGRAM: SGLang refuses NGRAM for DeepSeek-V4 (EAGLE or DSpark only)"


async def test_dflash_is_disabled_coming_soon(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *H200_BAL)
        dflash = pg_chip(app, "speculative", "dflash")
        assert dflash.shown and not dflash.state.enabled
        state, command = app.overrides, pg_command(app)
        row(app, "speculative").highlight("dflash")
        await pilot.pause()
        assert pg_status(app).startswith("✗ DFlash: Coming soon")
        await pilot.press("enter")
        await pilot.pause()
        assert app.overrides == state and pg_command(app) == command


async def test_hicache_card_is_absent_on_rtx_pro_6000(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_BAL)
        assert card_shown(app, "hicache")
        app.choose("hw", "rtx6000")
        await pilot.pause()
        assert app.selection.hw == "rtx6000"
        assert not card_shown(app, "hicache")
        for cid in ("attention", "moe", "parsers", "speculative", "pd"):
            assert card_shown(app, f"{cid}")
        assert_pg_shown(app, rules)


async def test_hisparse_knobs_only_after_pd_decode(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *GB300_BAL)
        assert not row(app, "hisparse").display and not row(app, "hisparse_ratio").display
        note = card_note(app, "hisparse")
        assert note is not None and "Decode" in note
        await press_pg_chip(pilot, "pd_mode", "prefill")
        assert not row(app, "hisparse").display
        await press_pg_chip(pilot, "pd_mode", "decode")
        assert row(app, "hisparse").display and row(app, "hisparse_ratio").display
        assert card_note(app, "hisparse") is None
        await press_pg_chip(pilot, "hisparse", "on")
        await press_pg_chip(pilot, "hisparse_ratio", "5")
        assert app.overrides == Overrides(pd_mode="decode", hisparse=True, hisparse_ratio=5)
        assert (
            """--hisparse-config '{"top_k":2048,"device_buffer_size":6144,"host_to_device_ratio":5}'"""
            in pg_command(app)
        )
        assert_pg_shown(app, rules)
        # Back to PD off: the knobs go away again, the command loses HiSparse.
        await press_pg_chip(pilot, "pd_mode", "off")
        assert not row(app, "hisparse").display
        assert "--enable-hisparse" not in pg_command(app)
        assert_pg_shown(app, rules)


async def test_pd_decode_shows_the_router_and_curl_targets_it(seed_rules):
    rules = seed_rules  # the page's scenarios: on the seed cells
    want = dict(scenario("PD-disagg decode, mooncake, gb300 flash balanced"))
    # the newer config's Mooncake pool env name
    want["python"] = want["python"].replace("SGLANG_MOONCAKE_CUSTOM_MEM_POOL", "SGLANG_CUSTOM_MEM_POOL")
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *GB300_BAL)
        router = app.query_one("#pg-router", PlainText)
        assert not router.display
        await press_pg_chip(pilot, "pd_mode", "decode")
        assert pg_command(app) == want["python"] == core(rules, app).text
        assert pg_command(app).startswith("# === PD Disaggregation: DECODE role ===")
        assert router.display
        assert want["router"] in plain(router)
        assert "--port 8000" in plain(router)
        await pilot.press("u")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CurlScreen)
        assert screen.port == "8000"
        shown = plain(screen.query_one("#curl-text", Static))
        assert shown == screen.curl == core(rules, app).curl
        assert "http://localhost:8000/v1/chat/completions" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CurlScreen)


async def test_a_role_cell_base_has_no_single_command_and_no_submit(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *ROLES)
        assert "no single verified base command" in pg_base(app).lower()
        assert not app.query_one("#pg-command").display
        for card in ("attention", "moe", "parsers", "speculative", "pd", "hisparse", "hicache"):
            assert not card_shown(app, f"{card}")
        assert not app.playground_now().result.can_submit
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, SubmitScreen)
        assert any(sev == "warning" and "Nothing to submit" in msg for _, sev, msg in notes(app))
        # Copy still hands over the Deploy command (there is no Playground one).
        await pilot.press("c")
        assert app.clipboard == app.view.command


async def test_a_base_change_reverts_hidden_picks(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "moe_quant", "w4a4")
        await press_pg_chip(pilot, "tp", "8")
        assert app.overrides.moe_quant == "w4a4"
        app.choose("hw", "h200")
        await pilot.pause()
        assert app.selection.hw == "h200"
        assert app.overrides.moe_quant is None  # hidden on H200: back to inherit
        assert app.overrides.tp == 8  # still offered: kept
        assert "--enable-w4a4-mxfp4-megamoe" not in pg_command(app)
        assert_pg_shown(app, rules)
        # Back on B200 high-throughput the pick does not come back by itself.
        app.choose("hw", "b200")
        await pilot.pause()
        assert app.overrides.moe_quant is None
        assert pg_chip(app, "moe_quant", "w4a8").state.selected


async def test_a_base_change_keeps_disabled_picks(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *H200_BAL)
        # NGRAM as the page's rules offer it on H200 balanced (no DP-attention); the lint refuses
        # it (SGLang refuses NGRAM for DeepSeek-V4), so the state is set as a fix would set it.
        app.overrides = Overrides(speculative="ngram")
        await pilot.pause()
        app.choose("hw", "b200")  # B200 balanced runs DP-attention: NGRAM is disabled, not hidden
        await pilot.pause()
        assert app.overrides.speculative == "ngram"
        assert not pg_chip(app, "speculative", "ngram").state.enabled
        assert "NGRAM" not in pg_command(app)  # a disabled preset applies nothing
        assert_pg_shown(app, rules)


async def test_diff_toggle_shows_plus_and_minus_lines(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "tp", "8")
        command = pg_command(app)
        await pilot.press("d")
        await pilot.pause()
        assert app.show_diff
        shown = pg_command(app)
        lines = shown.splitlines()
        assert "+   --tp 8 \\" in lines and "-   --tp 4 \\" in lines
        width = app.query_one("#pg-command .command").size.width
        assert shown == diff_text(app.playground_now().diff, width).plain
        assert tool(app, "pg-diff").active
        # The diff styles: + green, - red struck through.
        styled = app.query_one("#pg-command .command", CommandText).command_content
        spans = {str(s.style) for s in styled.spans}
        assert "green" in spans and "red strike" in spans
        await pilot.press("d")
        await pilot.pause()
        assert not app.show_diff and pg_command(app) == command
        assert not tool(app, "pg-diff").active


async def test_a_sibling_match_offers_to_switch_the_deploy_base(seed_rules):
    rules = seed_rules  # the page's scenarios: on the seed cells
    want = scenario("Sibling match: h200 flash fp4 balanced + spec off + Marlin → equals the high-throughput cell")
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *H200_BAL)
        sibling = app.query_one("#pg-sibling", ToolButton)
        assert not sibling.display
        await press_pg_chip(pilot, "moe_backend", "marlin")
        await press_pg_chip(pilot, "speculative", "off")
        assert app.overrides == Overrides(moe_backend="marlin", speculative="off")
        result = core(rules, app)
        assert result.matched_strategy == "high-throughput"
        assert pg_badge(app) == result.badge_line == "Verified (matches high-throughput)"
        assert want["matchedSibling"] in pg_badge(app)
        assert pg_command(app) == want["python"]
        assert not tool(app, "pg-submit").shown
        assert sibling.display
        assert "high-throughput" in str(sibling.label)
        app.query_one("#playground-pane").scroll_to_widget(sibling, animate=False)
        await pilot.pause()
        assert await pilot.click(sibling)
        await pilot.pause()
        assert app.selection == Selection("h200", "flash", "fp4", "high-throughput", "single")
        assert app.overrides == Overrides()
        assert pg_badge(app) == "Verified"
        assert not sibling.display
        assert pg_command(app) == want["python"] == app.view.command


# --------------------------------------------------------------------------- keyboard


async def test_arrows_skip_hidden_chips_and_rows(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, "b200", "pro", "fp4", "balanced", "single")
        assert not pg_chip(app, "tp", "1").shown and not pg_chip(app, "tp", "2").shown  # Pro
        row(app, "tp").highlight("4")
        await pilot.press("left")  # wraps past the hidden 1 and 2
        assert highlighted(app) == ("tp", "16")
        await pilot.press("right")
        assert highlighted(app) == ("tp", "4")
        # Backend → (Quantization is hidden without MegaMoE) → EP, and back.
        assert not row(app, "moe_quant").display
        backend = row(app, "moe_backend").selected_option()
        assert backend is not None
        row(app, "moe_backend").highlight(backend.id)
        await pilot.pause()
        await pilot.press("down")
        ep = row(app, "ep").selected_option()
        assert ep is not None and highlighted(app) == ("ep", ep.id)
        await pilot.press("up")
        assert highlighted(app) == ("moe_backend", backend.id)
        # Transfer backend: MORI (hidden on NVIDIA) is skipped when wrapping.
        row(app, "pd_transfer").highlight("nixl")
        await pilot.press("right")
        assert highlighted(app) == ("pd_transfer", "mooncake")


async def test_no_base_puts_no_focus_on_invisible_chips(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *ROLES)
        await pilot.pause()
        assert not isinstance(app.focused, KnobCards)
        assert pg_status(app).startswith("Overrides apply on top")
        # Back to a base: the first chip takes focus again on the tab switch.
        await pilot.press("1")
        app.choose("variant", "flash")
        await pilot.pause()
        assert app.playground_now().result.has_base
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.focused, KnobCards) and highlighted(app)
        assert row(app, app.focused.row).region.height >= 1


# --------------------------------------------------------------------------- Submit


async def test_submit_is_hidden_while_verified(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        assert pg_badge(app) == "Verified"
        assert not tool(app, "pg-submit").shown
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, SubmitScreen)


async def test_submit_refuses_without_confirmation_and_version_then_copies_the_link(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "moe_quant", "w4a4")
        assert tool(app, "pg-submit").shown
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SubmitScreen)
        assert "b200 / flash / fp4 / high-throughput / single" in plain(screen.query_one(".title"))
        clipboard = app.clipboard
        screen.query_one("#submit-link", Button).press()
        await pilot.pause()
        assert app.screen is screen  # refused: still open
        errors = plain(screen.query_one("#submit-errors", Static))
        assert "Confirm that you ran the command" in errors and "SGLang version" in errors
        assert app.clipboard == clipboard
        # Only the checkbox: still refused (no version).
        screen.query_one("#submit-ran", Checkbox).value = True
        screen.query_one("#submit-link", Button).press()
        await pilot.pause()
        assert app.screen is screen
        errors = plain(screen.query_one("#submit-errors", Static))
        assert "SGLang version" in errors and "Confirm" not in errors
        # Type the version like a user, Enter in the field makes the link.
        screen.query_one("#submit-version", Input).focus()
        await pilot.press(*"sglang==0.5.14")
        screen.query_one("#submit-bench", Input).value = "1234 tok/s"
        screen.query_one("#submit-version", Input).focus()
        await pilot.press("enter")
        assert await settle(pilot, lambda: not isinstance(app.screen, SubmitScreen))
        url = app.clipboard
        assert url.startswith(ISSUE)
        assert "sglang-version=sglang%3D%3D0.5.14" in url
        assert "bench-result=1234+tok%2Fs" in url
        expected = playground(
            rules,
            app.selection,
            app.overrides,
            app.framing,
            app.env.subst(),
            sglang_version="sglang==0.5.14",
            bench_result="1234 tok/s",
        ).submit_url
        assert url == expected
        assert any(title == "Submit ↗" for title, _, _ in notes(app))


async def test_submit_opens_the_browser_only_on_a_local_desktop(rules, monkeypatch):
    """With a local desktop the link is copied and opened; webbrowser and pyperclip are
    stand-ins that record (nothing real is opened or put on this machine's clipboard)."""
    opened: list[str] = []
    copied: list[str] = []
    monkeypatch.setattr("dsv4_tui.host.clipboard.has_local_clipboard", lambda: True)
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url))
    monkeypatch.setitem(sys.modules, "pyperclip", types.SimpleNamespace(copy=copied.append))
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "tp", "8")
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SubmitScreen)
        screen.query_one("#submit-ran", Checkbox).value = True
        screen.query_one("#submit-version", Input).value = "0.5.14"
        screen.query_one("#submit-link", Button).press()
        assert await settle(pilot, lambda: bool(opened))
        assert opened == [app.clipboard] and copied == [app.clipboard]
        assert app.clipboard.startswith(ISSUE) and "sglang-version=0.5.14" in app.clipboard


async def test_submit_cancel_does_nothing(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "tp", "8")
        clipboard = app.clipboard
        press_tool(app, "pg-submit")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SubmitScreen)
        assert app.clipboard == clipboard
        assert app.overrides == Overrides(tp=8)


async def test_save_as_my_cell_writes_a_loadable_unverified_cell(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "moe_quant", "w4a4")
        result = core(rules, app)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        app.screen.query_one("#submit-save", Button).press()
        folder = config_dir() / "rules"
        path = folder / "cells.toml"
        assert await settle(pilot, path.exists)
        await pilot.pause()
        assert not isinstance(app.screen, SubmitScreen)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        (cell,) = data["cell"]
        assert cell["verified"] is False
        assert cell["derived_from"]
        assert (cell["hw"], cell["variant"], cell["quant"], cell["strategy"], cell["nodes"]) == B200_HT
        assert any(title == "Save as my cell" for title, _, _ in notes(app))
    mine = load_rules(overlays=[folder])
    saved = mine.cell(Selection(*B200_HT))
    assert saved is not None and not saved.verified and saved.derived_from
    assert list(saved.flags) == list(result.flags)
    assert set(saved.env) == set(result.env)


# --------------------------------------------------------------------------- copy


async def test_copy_in_the_playground_copies_the_playground_command(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *B200_HT)
        await press_pg_chip(pilot, "moe_quant", "w4a4")
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == core(rules, app).text
        assert app.clipboard != app.view.command
        assert "--enable-w4a4-mxfp4-megamoe" in app.clipboard
        # The Copy button does the same; in Deploy, c copies the Deploy command.
        app.copy_to_clipboard("")
        press_tool(app, "pg-copy")
        await pilot.pause()
        assert app.clipboard == core(rules, app).text
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == app.view.command


async def test_the_overrides_survive_a_framing_toggle(rules):
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *GB300_BAL)
        await press_pg_chip(pilot, "pd_mode", "decode")
        press_tool(app, "pg-framing-docker")
        await pilot.pause()
        assert await playground_settled(pilot)
        assert app.framing == "docker"
        assert "--network host" in pg_command(app)
        assert_pg_shown(app, rules)
        assert app.overrides.pd_mode == "decode"


async def test_every_knob_choice_has_its_chip(rules):
    """One row per knob, one chip per choice; hidden choices are there but not displayed."""
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await playground_at(pilot, rules, *GB300_BAL)
        await press_pg_chip(pilot, "pd_mode", "decode")
        assert await playground_settled(pilot)  # the options the lint refuses, drawn
        views = cards(rules, app.selection, app.overrides)
        refused = refused_options(app.linter, rules, app.selection, app.overrides, views)
        assert refused  # e.g. TP 1 / 2 under DP-attention 4
        for card in gated_cards(views, refused):
            assert card_shown(app, f"{card.id}") == (not (card.hidden and card.hidden_by_base))
            for knob in card.knobs:
                chips = {c.id: c for c in row(app, knob.key).options}
                assert list(chips) == [c.id for c in knob.choices]
                for choice in knob.choices:
                    chip = chips[choice.id]
                    assert chip.shown == (not choice.hidden)
                    assert chip.state.enabled == (not choice.disabled)
                    assert chip.state.selected == (choice.id == knob.selected)


async def test_the_playground_never_shows_a_stale_base(rules):
    """Deploy → High-Throughput → 2: while hidden the Playground shows nothing at all (it
    does no work behind the Deploy tab), and the very first state after the switch is the
    live cell's: base line, command, notes and cards."""
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_playground(pilot)  # build the cards once
        await pilot.press("1")
        await pilot.pause()
        await press_chip(pilot, "strategy", "high-throughput")
        body = app.query_one("#pg-body")
        assert not body.display  # behind the Deploy tab: nothing to paint, stale or not
        await pilot.press("2")  # the very first state after the switch
        live = "Base: B200 · Flash · FP4 · High-Throughput · Single Node"
        assert body.display and pg_base(app).startswith(live)
        assert pg_chip(app, "moe_backend", "megamoe").state.selected
        notes_text = block_on_screen(app, "notes", "playground")
        assert "MTP" not in notes_text  # the high-throughput cell runs no MTP
        assert "--moe-a2a-backend megamoe" in pg_command(app)  # the high-throughput cell's command


async def test_a_click_on_the_playground_tab_shows_it_current(rules):
    """Switching with the mouse (the App's key is not involved) also never shows a stale base:
    the body stays hidden until the pane has caught up."""
    app = new_app(rules)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press_chip(pilot, "strategy", "balanced")
        bar = app.query_one("#tab-bar", TabBar)
        await pilot.click(bar, offset=(bar.tab_span("playground")[0] + 2, 0))
        await pilot.pause()
        assert app.in_playground
        assert app.query_one("#pg-body").display
        assert pg_base(app).startswith("Base: B200 · Flash · FP4 · Balanced · Single Node")
        assert "--moe-a2a-backend deepep" in pg_command(app)  # the Balanced cell's command


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
@pytest.mark.parametrize(
    "warning", [None, "⚠ The checks find 2 error(s) in this command (a, b): SGLang would refuse it."]
)
async def test_the_submit_dialog_fits_small_terminals(rules, size, warning):
    """Issue 18, 8: Notes and all three buttons are on screen, each where a click reaches it."""
    app = new_app(rules)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.push_screen(SubmitScreen("B200 · Flash · FP4 · High-Throughput · Single Node", warning))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SubmitScreen)
        for wid in (
            "#submit-ran",
            "#submit-version",
            "#submit-notes",
            "#submit-cancel",
            "#submit-save",
            "#submit-link",
        ):
            widget = screen.query_one(wid)
            region = widget.region
            assert region.area > 0 and screen.region.contains_region(region), (wid, region)
            hit, _ = screen.get_widget_at(region.x + region.width // 2, region.y + region.height // 2)
            assert hit is widget or widget in hit.ancestors, (wid, hit)


@pytest.mark.parametrize("size", [(120, 40), (160, 45)])
async def test_the_command_is_on_screen_while_knobs_scroll_from_140_columns(rules, size):
    """Issue 21 item 4: at >= 140 columns the knobs and the command are side by side and
    scroll on their own: the last knob scrolled into view leaves the command where it was.
    Below 140, one column: `j` jumps to the command (it comes into view) and back."""
    app = new_app(rules)
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        await pilot.pause()
        knobs, result = app.query_one("#pg-knobs"), app.query_one("#pg-result")
        command = app.query_one("#pg-command")
        screen = app.screen.region
        start = highlighted(app)
        assert isinstance(app.focused, KnobCards) and start is not None
        wide = size[0] >= 140
        assert app.screen.has_class("-wide") is wide
        if wide:
            assert result.region.x > knobs.region.x and result.region.y == knobs.region.y
            assert screen.contains_region(command.region)
            last = [row(app, k.key) for c in pg_cards(app).cards for k in c.knobs if row(app, k.key).focusable][-1]
            last.highlight(last.selected_option().id)
            await pilot.pause()
            assert screen.contains_region(last.region), "the last knob is scrolled into view"
            assert screen.contains_region(command.region), "the command moved with the knobs"
            row(app, start[0]).highlight(start[1])
            await pilot.pause()
        else:
            assert command.region.y >= knobs.region.bottom  # below the cards
        await pilot.press("j")
        await pilot.pause()
        assert command in app.focused.ancestors
        pane = app.query_one("#playground-pane")
        assert pane.region.contains_region(command.region.intersection(pane.region))
        assert pane.region.y <= command.region.y < pane.region.bottom  # its top is on screen
        await pilot.press("j")
        await pilot.pause()
        assert highlighted(app) == start
