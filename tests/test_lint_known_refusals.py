"""Known refusals (rules/checks.toml [[known_refusal]], issue 16): the DGX Spark cells' b12x
MoE runner exists only in their dev image. The finding says so in `dsv4 lint`, `dsv4 print
--check` (text and JSON) and the app; an error in the Python framing, a warning in the Docker
framing that runs that image."""

from __future__ import annotations

import io
import json

import pytest

from dsv4_tui import cli
from dsv4_tui.app import DSV4App
from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.lint_setup import make_linter
from dsv4_tui.screens.findings_screen import FindingsScreen
from test_lint_support import lint, linter, only

SPARK_FP4 = Selection("dgx-spark", "flash-official", "fp4", "balanced", "multi-2")
SPARK_NVFP4 = Selection("dgx-spark", "flash-official", "nvfp4", "balanced", "multi-2")
SPARK = {"hw": "dgx-spark", "vendor": "nvidia", "arch": "blackwell-desktop", "gpus_per_node": 1, "nodes": 2}
IMAGE = "lmsysorg/sglang:dev-v4f-2dgx-v2"
WHY = "--moe-runner-backend b12x exists only in this cell's dev image (lmsysorg/sglang:dev-v4f-2dgx-v2"


def argv(sel: Selection) -> list[str]:
    s = sel
    return ["--hw", s.hw, "--variant", s.variant, "--quant", s.quant, "--strategy", s.strategy, "--nodes", s.nodes]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_refused_value_carries_the_why_and_stays_an_error_in_python():
    f = only(lint(["--moe-runner-backend b12x"], **SPARK, framing="python"), "invalid-choice")
    assert f.level == "error"
    assert f.note.startswith(WHY) and "Run it with the Docker framing" in f.note
    assert f.note_short == "b12x exists only in this cell's dev image: use the Docker framing"


def test_in_the_cells_own_image_it_is_a_warning_that_says_why():
    f = only(lint(["--moe-runner-backend b12x"], **SPARK, framing="docker", docker_image=IMAGE), "invalid-choice")
    assert f.level == "warning"
    assert f.note.startswith(WHY) and f"This command runs in {IMAGE}, which has it" in f.note
    other = only(lint(["--moe-runner-backend b12x"], **SPARK, framing="docker", docker_image="x/y:1"), "invalid-choice")
    assert other.level == "error" and other.note.startswith(WHY)  # another image: still refused


def test_only_that_value_on_that_hardware_is_explained():
    typo = only(lint(["--moe-runner-backend b13x"], **SPARK), "invalid-choice")
    assert typo.level == "error" and typo.note == ""
    h200 = {**SPARK, "hw": "h200", "arch": "hopper", "gpus_per_node": 8}
    assert only(lint(["--moe-runner-backend b12x"], **h200), "invalid-choice").note == ""
    unknown_hw = only(lint(["--moe-runner-backend b12x"]), "invalid-choice")  # `dsv4 lint` without --hw
    assert unknown_hw.note.startswith(WHY)
    spec = only(lint(["--speculative-moe-runner-backend b12x"], **SPARK), "invalid-choice")
    assert spec.note.startswith("--speculative-moe-runner-backend b12x exists only in this cell's dev image")
    assert linter().known_refusals  # the rules list them


def test_print_check_explains_it_and_exits_3_in_python_0_in_docker(capsys):
    code, _, err = run(capsys, "print", *argv(SPARK_FP4), "--check")
    assert code == 3
    assert "✗ error   invalid-choice [--moe-runner-backend]" in err
    assert "      known refusal: " + WHY in err
    code, _, err = run(capsys, "print", *argv(SPARK_FP4), "--docker", "--check")
    assert code == 0
    assert "⚠ warning invalid-choice [--moe-runner-backend]" in err and f"This command runs in {IMAGE}" in err


def test_lint_json_gives_the_known_refusal(capsys, monkeypatch):
    cli.main(["print", *argv(SPARK_NVFP4)])
    text, _ = capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, _ = run(capsys, "lint", "-", "--json", "--bundled")
    assert code == 3
    data = json.loads(out)
    refused = [d for d in data if d["id"] == "invalid-choice"]
    assert [d["subject"] for d in refused] == ["--speculative-moe-runner-backend"]
    assert refused[0]["known_refusal"].startswith("--speculative-moe-runner-backend b12x exists only in this cell's")
    assert all(d["known_refusal"] is None for d in data if d["id"] != "invalid-choice")


def test_the_checks_summary_names_it(rules):
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.render import render_command

    checker = make_linter(rules, use_installed=False).linter
    text = render_command(rules, SPARK_FP4, "python", Env.defaults(rules).subst())
    summary = command_checks(checker, rules, SPARK_FP4, text).summary()
    assert summary.startswith("✗ 1 error")
    assert summary.endswith(" · known refusal: b12x exists only in this cell's dev image: use the Docker framing")


@pytest.fixture(autouse=True)
def no_desktop(monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)


async def test_the_app_checks_line_and_findings_say_why(rules):
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.app.background_started.wait()
        await pilot.app.workers.wait_for_complete()
        app.selection = SPARK_FP4
        await pilot.pause()
        line = str(app.query_one("#deploy-checks").content)
        assert line.startswith("✗ 1 error")
        assert "known refusal: b12x exists only in this cell's dev image: use the Docker framing" in line
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, FindingsScreen)
        from textual.widgets import OptionList

        prompts = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert any("invalid-choice" in p and "known refusal: " + WHY in p for p in prompts)


def test_in_its_own_image_it_still_runs_on_no_released_sglang(rules):
    """The warning in the Docker framing is about the preview image; the runs-on line names
    released SGLang versions, and none of them accepts b12x."""
    from dsv4_tui.core.checks_view import with_runs_on
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.render import render_command
    from dsv4_tui.host.lint_setup import runs_on, version_linter
    from dsv4_tui.host.sglang_installed import bundled_versions

    checker = make_linter(rules, use_installed=False).linter
    linters = [(v, version_linter(rules, v)) for v in bundled_versions()]
    for framing in ("python", "docker"):
        text = render_command(rules, SPARK_FP4, framing, Env.defaults(rules).subst())
        checks = with_runs_on(command_checks(checker, rules, SPARK_FP4, text), linters, rules, SPARK_FP4, text)
        assert checks.runs_on_line == "runs on none of SGLang 0.5.18, 0.5.20, 0.5.23", framing
        assert runs_on(rules, text) == ([], ["0.5.18", "0.5.20", "0.5.23"]), framing  # `dsv4 lint`'s line
    h200 = Selection("h200", "flash", "fp8", "low-latency", "single")
    text = render_command(rules, h200, "docker", Env.defaults(rules).subst())
    assert with_runs_on(command_checks(checker, rules, h200, text), linters, rules, h200, text).runs_on == (
        "0.5.18",
        "0.5.20",
        "0.5.23",
    )


def test_the_srt_slurm_panel_names_no_versions(rules):
    """The srt-slurm recipes are `srtctl apply` lines: no `sglang serve` to judge, so no
    runs-on line (it said "runs on none of SGLang …")."""
    from dsv4_tui.core.checks_view import with_runs_on
    from dsv4_tui.core.env import Env
    from dsv4_tui.core.view import deploy_view
    from dsv4_tui.host.lint_setup import version_linter

    gb300 = Selection("gb300", "pro", "fp4", "balanced", "multi-2")
    text = deploy_view(rules, gb300, "python", Env.defaults(rules)).display
    assert "srtctl apply -f " in text and "sglang serve" not in text
    checks = command_checks(make_linter(rules, use_installed=False).linter, rules, gb300, text)
    done = with_runs_on(checks, [("0.5.23", version_linter(rules, "0.5.23"))], rules, gb300, text)
    assert done.runs_on == () and done.runs_on_line == ""
