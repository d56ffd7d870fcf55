"""The core and `dsv4 print` work without the TUI stack: importing them (and printing a
command) loads neither textual nor httpx nor pyperclip — scripts stay fast and headless."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import io, json, sys, contextlib
import dsv4_tui.core.rules as rules_mod
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
