"""The checks line in the app: what it says, the findings behind it, and applying a fix."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from dsv4_tui.app import DSV4App
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.selection import Selection
from dsv4_tui.screens.findings_screen import FindingsScreen
from dsv4_tui.screens.submit_screen import SubmitScreen
from tui_helpers import as_shown, command_on_screen

# Written on the July page (its cells wrote --enable-dp-attention; GB300 Pro PD role cells):
# this module runs on its rules (tests/data/july-rules).
pytestmark = pytest.mark.usefixtures("july_rules")


@pytest.fixture(scope="module")
def rules():
    from conftest import JULY_RULES
    from dsv4_tui.host.rules_files import load_rules

    return load_rules(JULY_RULES)


SIZE = (110, 40)
H200_BAL = Selection("h200", "flash", "fp8", "balanced", "single")


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


def checks_line(app, prefix: str) -> str:
    return str(app.query_one(f"#{prefix}-checks").content)


async def ready(pilot) -> None:
    """The Linter is built in a worker after the first frame; wait for it, then for the screen."""
    await pilot.app.background_started.wait()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_checks_line_summarises_the_deploy_command(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.deploy_checks is not None
        line = checks_line(app, "deploy")
        assert line.startswith("✓ ") and " · bundled table for SGLang 0.5.23 · l: details" in line
        app.selection = H200_BAL
        await pilot.pause()
        line = checks_line(app, "deploy")
        assert line.startswith("⚠ 1 warning")  # --enable-dp-attention is deprecated in 0.5.23
        assert line.startswith("⚠ 1 warning (from the page's own text)")  # a verified cell's own flag
        assert "-warning" in app.query_one("#deploy-checks").classes


async def test_the_checks_line_says_which_sglang_versions_the_command_runs_on(rules):
    from dsv4_tui.host.lint_setup import runs_on

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for sel in (H200_BAL, Selection("b200", "flash", "fp4", "balanced", "single")):
            app.selection = sel
            await pilot.pause()
            ok, versions = runs_on(rules, app.view.display)  # what `dsv4 lint` says (every version linted)
            assert versions == ["0.5.18", "0.5.20", "0.5.23"] and ok
            span = ok[0] if len(ok) == 1 else f"{ok[0]}–{ok[-1]}"
            line = checks_line(app, "deploy")
            assert f" · runs on SGLang {span} · bundled table for SGLang 0.5.23" in line, line
        # A command with an error on every version runs on none of them.
        await pilot.press("2")
        await pilot.pause()
        app.overrides = Overrides(edits=(("set_flag", "--tp", "three"),))
        await pilot.pause()
        assert " · runs on none of SGLang 0.5.18, 0.5.20, 0.5.23 · " in checks_line(app, "pg")


async def test_the_findings_screen_lists_findings_with_their_sources(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.selection = H200_BAL
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        prompts = [str(o.prompt) for o in screen.query_one(OptionList).options]
        assert any("deprecated-flag [--enable-dp-attention]" in p and "source:" in p for p in prompts)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FindingsScreen)


async def choose_fix(pilot, needle: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, FindingsScreen)
    options = screen.query_one(OptionList)
    index = next(i for i, o in enumerate(options.options) if needle in str(o.prompt) and not o.disabled)
    options.highlighted = index
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize(
    ("fix", "expected"),
    [
        ("set --max-running-requests 64", "--max-running-requests 64"),
        (
            "set SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=512",
            "SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=512",
        ),
    ],
)
async def test_both_deepep_fixes_become_playground_overrides(rules, fix, expected):
    """H200 · Flash · FP8 · Balanced without DP-attention, with MTP 3-1-4: SGLang dispatches
    min(128, 128 // 1) × 4 = 512 tokens per rank > 256; either fix clears it."""
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.selection = H200_BAL
        await pilot.press("2")
        await pilot.pause()
        app.pick("dp-attention", "off")
        app.pick("speculative", "mtp-314")  # the Playground refuses it (the DeepEP overflow) …
        assert app.overrides == Overrides(dp_attention=0) and "DeepEP would overflow" in app.pg_status
        app.overrides = Overrides(dp_attention=0, speculative="mtp-314")  # … a state made otherwise
        await pilot.pause()
        assert "deepep-dispatch-per-rank" in {f.id for f in app.pg_checks.findings}
        await pilot.press("l")
        await pilot.pause()
        await choose_fix(pilot, fix)
        assert app.overrides.speculative == "mtp-314" and app.overrides.edits
        assert expected in app.playground_now().result.text
        assert "deepep-dispatch-per-rank" not in {f.id for f in app.pg_checks.findings}
        assert app.playground_now().result.badge == "Not Verified"


async def test_a_fix_from_deploy_opens_the_playground_with_it(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.selection = H200_BAL
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        await choose_fix(pilot, "set --attn-dp-size 4")
        await pilot.pause()
        assert app.in_playground
        assert app.overrides == Overrides(
            edits=(
                ("remove_flag", "--enable-dp-attention", None),
                ("remove_flag", "--dp", None),
                ("set_flag", "--attn-dp-size", "4"),
            )
        )
        text = app.playground_now().result.text
        assert "--attn-dp-size 4" in text and "--enable-dp-attention" not in text and "--dp 4" not in text
        assert command_on_screen(app) == as_shown(app, app.view.command)  # Deploy is unchanged


async def test_submit_warns_while_errors_remain(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.selection = Selection("b200", "flash", "fp4", "balanced", "single")
        await pilot.press("2")
        await pilot.pause()
        app.pick("dp_attention", "8")  # 8 attention groups inside TP 4: the Playground refuses it …
        assert app.overrides == Overrides() and "needs TP ≥ 8" in app.pg_status
        app.overrides = Overrides(dp_attention=8)  # … a state made otherwise (a user's own edit)
        await pilot.pause()
        assert app.pg_checks.level == "error"
        errors = sum(r.count("error") for r in app.pg_checks.reports)
        assert errors >= 1 and checks_line(app, "pg").startswith(f"✗ {errors} error")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        warning = str(app.screen.query_one("#submit-warning").content)
        assert f"{errors} error(s)" in warning and "dsv4-dp-attention-divides-tp" in warning
