"""The Deploy pane driven like a user would: keys, clicks, and what the screen then says."""

from __future__ import annotations

import sys

import pytest
from textual import events

from dsv4_tui import cli
from dsv4_tui.app import DSV4App
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection, choose, first_selection
from dsv4_tui.host.paths import config_dir
from tool_items import click_tool, tool, toolbar_of
from tui_helpers import (
    as_shown,
    block_on_screen,
    chip,
    click_chip,
    command_on_screen,
    highlighted,
    notes,
    press_chip,
    row,
    status_on_screen,
)

SIZE = (100, 40)

# Written on the July page (69 cells, Flash first, with the GB300 Pro PD role cells): these
# behaviour tests run on its rules (tests/data/july-rules); test_app_cookbook.py checks the
# Deploy pane on the bundled rules.
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


@pytest.fixture(autouse=True)
def no_local_clipboard(monkeypatch):
    """Copy must go through the app (OSC 52), never to this machine's clipboard."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


def expected(rules, sel: Selection, framing: str = "python") -> str:
    return render_command(rules, sel, framing, Env.defaults(rules).subst())


def assert_command_shown(app, rules) -> None:
    """The screen, the app's view and the core renderer agree on the command."""
    shown = command_on_screen(app)
    assert app.view.display == app.view.command
    assert shown == as_shown(app, app.view.command) == as_shown(app, expected(rules, app.selection, app.framing))


async def test_starts_on_the_first_cell_with_its_command(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.selection == first_selection(rules) == Selection("b200", "flash", "fp4", "low-latency", "single")
        assert highlighted(app) == ("hw", "b200")
        assert chip(app, "hw", "b200").state.selected
        assert_command_shown(app, rules)
        assert command_on_screen(app).startswith("sglang serve \\\n  --trust-remote-code")
        assert tool(app, "deploy-badge").label == "Verified"


@pytest.mark.parametrize(
    ("start", "dim", "value"),
    [
        (("b200", "flash", "fp4", "low-latency", "single"), "hw", "h200"),  # h200 has flash/fp4: nothing snaps
        (("b200", "flash", "fp4", "low-latency", "single"), "hw", "mi300x"),  # FP4 → FP8
        (("b200", "pro", "fp4", "balanced", "single"), "hw", "rtx6000"),  # Pro → Flash, Balanced → Low-Latency
        (("h200", "flash", "fp8", "balanced", "single"), "variant", "pro"),  # Single → Multi-Nodes
        (("gb300", "flash", "fp4", "low-latency", "single"), "quant", "nvfp4"),
    ],
)
async def test_choose_snaps_lower_dimensions_and_says_what_changed(rules, start, dim, value):
    sel = Selection(*start)
    want, changes = choose(rules, sel, dim, value)
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        app.selection = sel
        await pilot.pause()
        before = command_on_screen(app)
        await press_chip(pilot, dim, value)
        assert app.selection == want
        label = rules.label(dim, value)
        if changes:
            assert status_on_screen(app) == f"{label} chosen; snapped " + "; ".join(changes) + "."
        else:
            assert status_on_screen(app) == f"{label} chosen."
        assert_command_shown(app, rules)
        assert command_on_screen(app) != before
        # The chips follow: the new values are selected, the old ones not.
        for d in ("hw", "variant", "quant", "strategy", "nodes"):
            assert chip(app, d, want[d]).state.selected
            if sel[d] != want[d]:
                assert not chip(app, d, sel[d]).state.selected


async def test_mi300x_snaps_quant_to_fp8_in_words(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "mi300x")
        assert app.selection == Selection("mi300x", "flash", "fp8", "low-latency", "single")
        assert status_on_screen(app) == "MI300X chosen; snapped Quantization: FP4 → FP8."
        assert "--model-path sgl-project/DeepSeek-V4-Flash-FP8" in command_on_screen(app)


async def test_clicking_a_chip_chooses_it(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert await click_chip(pilot, row(app, "strategy"), "high-throughput")
        await pilot.pause()
        assert app.selection.strategy == "high-throughput"
        assert_command_shown(app, rules)


async def test_greyed_chip_explains_itself_and_cannot_be_chosen(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # b200 → right ×4 is RTX PRO 6000 (h100 h200 b200 b300 gb200 gb300 rtx6000).
        await pilot.press("right", "right", "right", "right")
        assert highlighted(app) == ("hw", "rtx6000")
        await pilot.press("enter")
        await pilot.pause()
        assert app.selection.hw == "rtx6000"
        sel = app.selection
        command = command_on_screen(app)
        pro = chip(app, "variant", "pro")
        assert not pro.state.enabled
        await pilot.press("down")  # to the Variant row: its selected chip (Flash)
        assert highlighted(app) == ("variant", "flash")
        await pilot.press("right")  # the greyed Pro chip can still be highlighted
        assert highlighted(app) == ("variant", "pro")
        await pilot.pause()
        reason = status_on_screen(app)
        assert reason.startswith("✗ Pro: ")
        assert "Flash only" in reason and "RTX PRO 6000" in reason
        assert "-reason" in app.query_one("#deploy-pane #status").classes
        assert pro.tooltip == pro.state.reason and "Flash only" in pro.tooltip
        await pilot.press("enter")  # explains again, changes nothing
        await pilot.pause()
        assert app.selection == sel
        assert command_on_screen(app) == as_shown(app, command)
        assert "Flash only" in status_on_screen(app)


async def test_choosing_a_greyed_option_by_name_reports_why(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        app.choose("hw", "rtx6000")
        await pilot.pause()
        sel = app.selection
        app.choose("variant", "pro")
        await pilot.pause()
        assert app.selection == sel
        assert status_on_screen(app).startswith("✗ RTX PRO 6000 runs Flash only: no Pro cell")


async def test_status_returns_to_normal_colour_after_a_reason(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.choose("hw", "rtx6000")
        await pilot.pause()
        row(app, "variant").highlight("pro")
        await pilot.pause()
        status = app.query_one("#deploy-pane #status")
        assert "-reason" in status.classes
        await press_chip(pilot, "hw", "h200")
        assert status_on_screen(app).startswith("H200 chosen")
        assert "-reason" not in status.classes


async def test_choosing_the_same_chip_again_still_says_so(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "h200")
        assert status_on_screen(app) == "H200 chosen."
        row(app, "hw").highlight("b300")  # what the highlight is on replaces the status line …
        await pilot.pause()
        assert status_on_screen(app).startswith("B300: 288 GB")
        await press_chip(pilot, "hw", "h200")  # … and choosing H200 again says it again
        assert status_on_screen(app) == "H200 chosen."


async def test_keyboard_navigation(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert highlighted(app) == ("hw", "b200")
        await pilot.press("left")
        assert highlighted(app) == ("hw", "h200")
        await pilot.press("left", "left")  # wraps from the first chip to the last (AMD) one
        assert highlighted(app) == ("hw", "mi355x")
        await pilot.press("right")  # and back
        assert highlighted(app) == ("hw", "h100")
        # Moving focus does not choose.
        assert app.selection == first_selection(rules)
        await pilot.press("down")
        assert highlighted(app) == ("variant", "flash")
        await pilot.press("down")
        assert highlighted(app) == ("quant", "fp4")
        await pilot.press("down")
        assert highlighted(app) == ("strategy", "low-latency")
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.selection.strategy == "balanced"
        await pilot.press("down")
        assert highlighted(app) == ("nodes", "single")
        await pilot.press("down")  # past the last row: on to the command box, not a chip of the same row
        toolbar = toolbar_of(app, "deploy-framing-python")
        assert app.focused is toolbar and toolbar.highlighted.id == "deploy-framing-python"
        row(app, "quant").focus()
        await pilot.press("up", "up")
        assert highlighted(app) == ("hw", "b200")
        await pilot.press("up")  # past the first row: it stays put (the pane never takes focus)
        assert highlighted(app) == ("hw", "b200")


async def test_a_burst_of_arrow_keys_moves_one_row_per_key(rules):
    """A held ↓ (keys queued before the first is handled) goes down one row per key."""
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(3):
            app.post_message(events.Key("down", None))
        await pilot.pause()
        assert highlighted(app) == ("strategy", "low-latency")
        for _ in range(2):
            app.post_message(events.Key("up", None))
        await pilot.pause()
        assert highlighted(app) == ("variant", "flash")


async def test_tab_moves_row_by_row_to_the_selected_chip(rules):
    """A row of chips is one stop for Tab (← → move inside it), landing on its selected chip."""
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right")
        assert highlighted(app) == ("hw", "b300")
        await pilot.press("tab")
        assert highlighted(app) == ("variant", "flash")
        await pilot.press("shift+tab")  # back on Hardware: its selected chip, not the last highlight
        assert highlighted(app) == ("hw", "b200")


async def test_hovering_a_chip_explains_it(rules):
    """The mouse over a greyed chip: the status line and the tooltip say why."""
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        app.choose("hw", "rtx6000")
        await pilot.pause()
        variant = row(app, "variant")
        region = variant.chip_region("pro")
        assert region is not None
        await pilot.hover(variant, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert status_on_screen(app).startswith("✗ Pro: ") and "Flash only" in status_on_screen(app)
        assert "Flash only" in str(variant.tooltip)
        await click_chip(pilot, variant, "pro")  # a click on it refuses, with the reason
        await pilot.pause()
        assert app.selection.variant == "flash"
        assert status_on_screen(app).startswith("✗ Pro: ")


async def test_framing_toggle_with_p_and_the_buttons(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert tool(app, "deploy-framing-python").active and not tool(app, "deploy-framing-docker").active
        await pilot.press("p")
        await pilot.pause()
        assert app.framing == "docker"
        assert command_on_screen(app).startswith("docker run --gpus all \\\n  --shm-size 32g \\\n  -p 30000:30000")
        assert tool(app, "deploy-framing-docker").active and not tool(app, "deploy-framing-python").active
        assert_command_shown(app, rules)
        await pilot.press("p")
        await pilot.pause()
        assert app.framing == "python"
        assert_command_shown(app, rules)
        assert await click_tool(pilot, "deploy-framing-docker")
        await pilot.pause()
        assert app.framing == "docker"
        assert_command_shown(app, rules)
        assert await click_tool(pilot, "deploy-framing-python")
        await pilot.pause()
        assert app.framing == "python"
        assert_command_shown(app, rules)


async def test_copy_puts_the_exact_command_on_the_clipboard(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "mi355x")
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == app.view.command and command_on_screen(app) == as_shown(app, app.clipboard)
        pressed = choose(rules, first_selection(rules), "hw", "mi355x")[0]
        assert app.selection == pressed and app.clipboard == expected(rules, pressed, "docker")
        [(title, severity, message)] = notes(app)
        assert title == "⧉ Copy" and severity == "information"
        # It says what was done, not a success it cannot know.
        lines = len(app.clipboard.splitlines())
        assert message.startswith(f"The Docker command ({lines} lines): sent to the terminal (OSC 52).")
        assert "system clipboard" not in message
        assert message.endswith("Fill in before running: <your-hf-token>")


async def test_copy_button_copies_too(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert await click_tool(pilot, "deploy-copy")
        await pilot.pause()
        assert app.clipboard == app.view.command


async def test_multi_node_and_role_cells_show_their_commands(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        app.selection = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
        await pilot.pause()
        shown = command_on_screen(app)
        assert shown.startswith("# Multi-node (2 nodes). Run the same command on every node with:")
        assert "--nnodes 2" in shown and "--node-rank <node-rank>" in shown
        assert_command_shown(app, rules)
        app.selection = Selection("gb300", "pro", "fp4", "low-latency", "multi-2")
        await pilot.pause()
        assert_command_shown(app, rules)
        notes_text = block_on_screen(app, "notes")
        assert "one command per role" in notes_text


async def test_selection_and_framing_are_remembered(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "h200")
        await press_chip(pilot, "variant", "pro")
        await press_chip(pilot, "strategy", "high-throughput")
        await pilot.press("p")
        await pilot.pause()
        sel = app.selection
    assert sel == Selection("h200", "pro", "fp4", "high-throughput", "single")
    assert (config_dir() / "state.toml").is_file()

    again = DSV4App(rules, detect=False)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.selection == sel and again.framing == "docker"
        assert command_on_screen(again) == as_shown(again, expected(rules, sel, "docker"))
        assert highlighted(again) == ("hw", "h200")


async def test_remember_false_writes_no_state(rules):
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "h200")
    assert not (config_dir() / "state.toml").exists()
    assert DSV4App(rules, detect=False).selection == first_selection(rules)


async def test_broken_state_file_is_ignored_with_a_notice(rules):
    state = config_dir() / "state.toml"
    state.write_text("hw = \n")
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.selection == first_selection(rules)
        assert any("Ignored the saved selection" in message and str(state) in message for _, _, message in notes(app))


async def test_impossible_saved_state_resolves_to_a_real_cell(rules):
    (config_dir() / "state.toml").write_text(
        'hw = "rtx6000"\nvariant = "pro"\nquant = "fp4"\nstrategy = "balanced"\nnodes = "single"\nframing = "nope"\n'
    )
    app = DSV4App(rules, detect=False)
    assert app.selection == Selection("rtx6000", "flash", "fp4", "low-latency", "single")
    assert app.framing == "python"


async def test_x_exits_and_returns_the_command(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await press_chip(pilot, "hw", "gb200")
        await pilot.press("p")
        await pilot.pause()
        command = app.view.command
        await pilot.press("x")
        await pilot.pause()
    assert app.return_value == command == expected(rules, app.selection, "docker")


@pytest.mark.parametrize("print_on_exit", [True, False])
async def test_q_returns_the_command_only_with_print_on_exit(rules, print_on_exit):
    app = DSV4App(rules, detect=False, print_on_exit=print_on_exit)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        command = app.view.command
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == (command if print_on_exit else None)


@pytest.mark.parametrize(
    ("flags", "key", "printed"), [(["--print-on-exit"], "q", True), ([], "q", False), ([], "x", True)]
)
def test_cli_prints_the_command_on_exit(rules, monkeypatch, capsys, flags, key, printed):
    """`dsv4 --no-detect [--print-on-exit]`: the app runs (headless here), then stdout gets the command."""
    original_run = DSV4App.run
    seen = {}

    def headless_run(self, **kwargs):
        seen["detect"] = self.detect
        self.watch_terminal = False  # headless: no terminal to watch

        async def user(pilot):
            await pilot.pause()
            seen["command"] = self.view.command
            await pilot.press(key)

        return original_run(self, headless=True, size=SIZE, auto_pilot=user)

    monkeypatch.setattr(DSV4App, "run", headless_run)
    monkeypatch.setattr(cli, "has_terminal", lambda: True)
    assert cli.main(["--no-detect", *flags]) == 0
    out = capsys.readouterr().out
    assert seen["detect"] is False
    assert out == (seen["command"] + "\n" if printed else "")
    assert seen["command"] == expected(rules, first_selection(rules))


async def test_80x24_scrolls_to_the_command(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#deploy-pane")
        install = app.query_one("#deploy-pane #install")
        assert pane.max_scroll_y > 0  # more than fits: the pane scrolls
        assert not pane.content_region.contains_region(install.region)
        await pilot.press("up")  # the first chip row keeps focus (never the pane: issue 18)
        assert app.focused is app.query_one("#deploy-pane #row-hw")
        await pilot.press("end")  # the pane's scroll keys work from a row
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y
        assert pane.content_region.contains_region(install.region)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_tests_use_an_isolated_config_dir(isolated_config):
    assert config_dir() == isolated_config


async def test_toolbar_buttons_and_help_open_their_screens(rules):
    from dsv4_tui.screens.curl_screen import CurlScreen
    from dsv4_tui.screens.env_screen import EnvScreen
    from dsv4_tui.screens.help_screen import HelpScreen

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for button, screen_type in (("deploy-curl", CurlScreen), ("deploy-env", EnvScreen)):
            assert await click_tool(pilot, button)
            await pilot.pause()
            assert isinstance(app.screen, screen_type)
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, screen_type)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        toolbar = toolbar_of(app, "deploy-env")  # focus comes back to where it was
        assert app.focused is toolbar and toolbar.highlighted.id == "deploy-env"


async def test_the_help_lists_every_key_from_the_bindings(rules):
    """The help is built from the bindings: a key added to the app is in the help, with what it does."""
    from textual.widgets import Markdown

    from dsv4_tui.screens.help_screen import HelpScreen

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one(Markdown).source
        for binding in DSV4App.BINDINGS:
            assert binding.tooltip and binding.tooltip in text, binding
        for line in ("- **d** Playground: the command", "- **s** Playground: propose", "- **R** Playground: back to"):
            assert line in text
        assert "- **? / f1** this help" in text.lower() and "PageUp / PageDown" in text
        # Keys that are not the app's own bindings are in it too (issue 18, 16).
        assert "- **tab / shift+tab** the next / previous row" in text.lower()
        assert "- **escape** close a dialog" in text.lower() or "- **esc** close a dialog" in text.lower()
        assert "- **r** Doctor: run the checks again" in text


async def test_playground_keys_are_in_the_footer_only_in_the_playground(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.check_action("toggle_diff", ()) is False and app.check_action("copy", ()) is True
        await pilot.press("d")  # does nothing in Deploy
        await pilot.pause()
        assert app.show_diff is False
        await pilot.press("2")
        await pilot.pause()
        assert app.check_action("toggle_diff", ()) is True
        await pilot.press("d")
        await pilot.pause()
        assert app.show_diff is True


async def test_a_long_line_never_wraps_to_column_0(rules):
    """At 80 columns the --deepep-config JSON is wider than the box: it continues indented,
    after a comma, so a mouse copy does not read a separate line; Copy is unwrapped."""
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.selection = Selection("b200", "flash", "fp4", "balanced", "single")
        await pilot.pause()
        lines = command_on_screen(app).splitlines()
        start = next(i for i, line in enumerate(lines) if "--deepep-config" in line)
        assert lines[start].rstrip().endswith(",")  # broken inside the JSON, after a comma
        assert lines[start + 1].startswith("      ") and lines[start + 1].strip().startswith('"normal_combine"')
        assert all(line.startswith(("  ", "sglang", "SGLANG_")) for line in lines)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert '--deepep-config \'{"normal_dispatch":{"num_sms":96},"normal_combine"' in app.clipboard


async def test_two_fast_clicks_on_the_palette_background_do_not_crash(rules):
    """Ctrl+P, then two clicks on its background before the first is handled: the second
    dismiss finds the palette gone and must not pop the app's own screen."""
    from textual.events import Click

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert palette is not app.screen_stack[0]
        for _ in range(2):  # both queued before either is handled
            palette.post_message(Click(palette, 2, 38, 0, 0, 1, False, False, False, screen_x=2, screen_y=38))
        await pilot.pause()
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and len(app.screen_stack) == 1
        await pilot.press("p")  # still alive and answering keys
        await pilot.pause()
        assert app.framing == "docker"
