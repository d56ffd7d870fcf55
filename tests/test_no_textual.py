"""The core and `dsv4 print` work without the TUI stack: importing them (and printing a
command) loads neither textual nor httpx nor pyperclip — scripts stay fast and headless."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = r"""
import io, json, sys, contextlib
import dsv4_tui.host.rules_files as rules_mod
import dsv4_tui.core.selection as selection
import dsv4_tui.core.render as render
import dsv4_tui.core.env as env
import dsv4_tui.cli as cli

rules = rules_mod.load_rules()
sel = selection.first_selection(rules)
text = render.render_command(rules, sel, "docker", env.Env.defaults(rules).subst())
buf = io.StringIO()
with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
    code = cli.main(["print", "--hw", "mi355x", "--curl"])
print(json.dumps({
    "text": text,
    "code": code,
    "printed": buf.getvalue(),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "httpx", "pyperclip", "rich")),
}))
"""


@pytest.mark.cold_rules_cache  # the first start validates the rules: that path imports no TUI either
def test_core_and_cli_print_do_not_import_the_tui_stack(isolated_config):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DSV4_CONFIG_DIR": str(isolated_config)},
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["text"].startswith("docker run --gpus all \\\n")
    assert result["code"] == 0 and result["printed"].startswith("curl http://localhost:30000/")
    loaded = set(result["modules"])
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded), loaded
    assert "httpx" not in loaded, loaded
    assert "pyperclip" not in loaded, loaded


PURE = r"""
import sys
from pathlib import Path
from dsv4_tui.core.rules import RulesText, build_rules
from dsv4_tui.core.env import Env
from dsv4_tui.core.playground import Overrides, cards, playground, set_choice
from dsv4_tui.core.render import render_command, render_curl
from dsv4_tui.core.selection import Selection, availability, choose, resolve
from dsv4_tui.core.view import deploy_view, playground_view

folder = Path(sys.argv[1])
names = ("model.toml", "cells.toml", "playground.toml", "cookbook.toml", "benchmarks.toml", "srt_slurm.toml")
texts = {n: (folder / n).read_text(encoding="utf-8") for n in names}

def refuse(event, args):
    if event.split(".")[0] in ("open", "os", "subprocess", "socket", "shutil", "glob", "pathlib"):
        raise RuntimeError(f"the core did I/O: {event} {args!r}")

sources = (
    RulesText("model.toml", texts["model.toml"]),
    [RulesText("cells.toml", texts["cells.toml"])],
    RulesText("playground.toml", texts["playground.toml"]),
    [],
    None,
    [RulesText(n, texts[n]) for n in ("cookbook.toml", "benchmarks.toml", "srt_slurm.toml")],
)
# Validating imports pydantic and builds its validators on first use (pydantic_hooks.py):
# loading code, not I/O of the core's own, so that happens before the hook.
build_rules(*sources)
sys.addaudithook(refuse)
rules = build_rules(*sources)
env = Env.defaults(rules)
for cell in rules.cells:
    sel = Selection.of(cell)
    for framing in ("python", "docker"):
        render_command(rules, sel, framing, env.subst())
        deploy_view(rules, sel, framing, env)
        playground_view(rules, sel, Overrides(), framing, env)
    render_curl(rules, sel, env.subst())
    availability(rules, sel)
sel = choose(rules, Selection.of(rules.cells[0]), "hw", "h200")[0]
ov = set_choice(rules, Overrides(), "pd-mode", "decode")
cards(rules, sel, ov)
print(playground(rules, sel, ov, "docker", env.subst()).text.splitlines()[0])
"""


def test_the_core_works_with_no_file_subprocess_or_network_io(rules):
    """Once imported (pydantic too: validating imports it on first use), the core builds the
    rules from texts and renders every view while an audit hook refuses any file, process or
    socket access."""
    from conftest import ROOT

    proc = subprocess.run(
        [sys.executable, "-c", PURE, str(ROOT / "rules")], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# === PD Disaggregation: DECODE role ===")
