"""What the first frame does not need is not imported with the app (issue 21 item 1): the
lint engine, the Playground pane and engine's extras, Export; each is loaded after the first
frame or on first use. Checked in a fresh interpreter (the test process has them all), both
for the import of the app and up to its first frame (what mounting it loads, e.g. a reactive's
default computed by a function)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dsv4_tui import cli

LATER = (
    "dsv4_tui.widgets.playground_pane",  # built right after the first frame
    "dsv4_tui.widgets.knob_cards",  # its cards, and its lone ToolButton (Switch Deploy to …)
    "dsv4_tui.widgets.tool_button",
    "dsv4_tui.core.lint.linter",  # the checks' table: a thread after the first frame
    "dsv4_tui.core.diff",  # the Playground's diff
    "dsv4_tui.core.submit",  # Submit
    "dsv4_tui.core.deployment",  # Export
    "dsv4_tui.core.formats.lws",
    "dsv4_tui.core.formats.sbatch",
    "dsv4_tui.core.formats.srt_slurm",
    "dsv4_tui.screens.export_screen",
    "dsv4_tui.host.doctor",  # the Doctor's checks run when its tab is first shown
    "dsv4_tui.widgets.doctor_pane",  # the Doctor's pane: when its tab is first shown
    "dsv4_tui.widgets.run_pane",  # the Run tab: when it is first shown
    "dsv4_tui.core.run.view",  # a run's view (log watch, metrics): on the first run
    "dsv4_tui.core.run.watch",
    "dsv4_tui.core.lint.findings",  # the checks' findings: with the checks' table
    "dsv4_tui.core.lint.table",
    "dsv4_tui.host.lint_setup",
    "dsv4_tui.core.playground.views",  # the Playground's cards: built right after the first frame
    "dsv4_tui.core.playground.apply_cards",
    "pydantic",  # a warm start reads the rules cache
    "argparse",  # `dsv4` and `dsv4 --no-detect` need no parser (cli.app_args)
)


def test_the_app_module_imports_nothing_the_first_frame_does_not_need():
    code = "import sys, json, dsv4_tui.cli, dsv4_tui.app.main; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(out.stdout))
    assert [m for m in LATER if m in loaded] == []


# The app up to its first frame (headless), on a warm start: it exits with what is imported
# when the first frame is drawn (`_after_first_frame` starts what comes after it).
FIRST_FRAME = """
import json, sys
from dsv4_tui.app.main import DSV4App
from dsv4_tui.host.rules_files import load_rules, user_overlays

class FirstFrame(DSV4App):
    async def _after_first_frame(self):
        self.exit(json.dumps(sorted(sys.modules)))

print(FirstFrame(load_rules(overlays=user_overlays()), detect=False, remember=False).run(headless=True, size=(120, 40)))
"""


def test_the_first_frame_loads_nothing_it_does_not_need(isolated_config):
    env = {**os.environ, "DSV4_CONFIG_DIR": str(isolated_config)}
    for _ in range(2):  # the first start writes the rules cache: the second is a warm start
        out = subprocess.run(
            [sys.executable, "-c", FIRST_FRAME], env=env, capture_output=True, text=True, timeout=120, check=True
        )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "dsv4_tui.widgets.deploy_pane" in loaded  # it did get to the first frame
    assert [m for m in LATER if m in loaded] == []


@pytest.mark.parametrize(
    "argv", [[], ["--no-detect"], ["--print-on-exit", "--no-detect"], ["--version"], ["--no-detect", "--no-detect"]]
)
def test_plain_flags_mean_what_the_parser_makes_of_them(argv):
    """The app's arguments without argparse (plain flags) are the parser's, value for value."""
    assert vars(cli.app_args(argv)) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["--rules", "x"], ["--probe-deadline", "5"], ["--no-det"], ["print"], ["-h"]])
def test_anything_else_goes_to_the_parser(argv):
    fast = cli.app_args(argv)
    assert fast is None or type(fast).__module__ == "argparse"


# `python -m dsv4_tui`, with the rules' loading replaced by a probe of the garbage collector.
GC_AT_LOAD = """
import gc, sys
import dsv4_tui.cli as cli

def load(args):
    print(gc.isenabled())
    raise SystemExit(0)

cli.load = load
sys.argv = ["dsv4", *sys.argv[1:]]
from dsv4_tui.launch import main
main()
"""


@pytest.mark.parametrize(("argv", "collecting"), [([], "False"), (["--no-detect"], "False"), (["print"], "True")])
def test_the_app_loads_its_rules_without_collecting(argv, collecting, isolated_config):
    """The first collection after the imports scans all they made: the app's start (its
    rules cache) runs without it, until the app has settled; a command collects as usual."""
    out = subprocess.run(
        [sys.executable, "-c", GC_AT_LOAD, *argv], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == collecting
