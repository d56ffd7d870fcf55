"""What the first frame does not need is not imported with the app (issue 21 item 1): the
lint engine, the Playground pane and engine's extras, Export; each is loaded after the first
frame or on first use. Checked in a fresh interpreter (the test process has them all)."""

from __future__ import annotations

import json
import subprocess
import sys

LATER = (
    "dsv4_tui.widgets.playground_pane",  # built right after the first frame
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
    "pydantic",  # a warm start reads the rules cache
)


def test_the_app_module_imports_nothing_the_first_frame_does_not_need():
    code = "import sys, json, dsv4_tui.cli, dsv4_tui.app.main; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    loaded = set(json.loads(out.stdout))
    assert [m for m in LATER if m in loaded] == []
