"""Snapshot tests (pytest-textual-snapshot): what the screen looks like, at 80x24 and 120x40.

Baselines live in tests/__snapshots__/test_snapshots/. After a deliberate UI change:
`make snapshots-update`, then look at the new SVGs before committing them.

Deterministic by construction: detect=False, remember=False, a config folder that starts
empty and is shown by a relative path (the test runs in its own temporary folder), the
default Env, no cursor blink, and for the cURL probe a fake server on a free port shown as a
fixed one, with a fixed answer and fixed timings.
"""

from __future__ import annotations

import pytest

from dsv4_tui.app import DSV4App
from dsv4_tui.host import probe as probe_module
from sglang_fake import free_port, serving

# Shown on screen as the cURL's port; the real server listens on any free port.
CURL_OK_PORT = 38517
CURL_REFUSED_PORT = 38518
SIZES = {"60x20": (60, 20), "80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def app(rules, snap_env) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> tuple[int, int]:
    return SIZES[request.param]


async def pick(pilot, *choices: tuple[str, str]) -> None:
    """Choose like a user: highlight each chip and press Enter."""
    from dsv4_tui.widgets.chips import ChipRow

    for dim, value in choices:
        pilot.app.query_one(f"#deploy-pane #row-{dim}", ChipRow).highlight(value)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()


# --------------------------------------------------------------------------- Deploy


def test_deploy_default(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size)


def test_deploy_rtx6000(snap_compare, app, size):
    """RTX PRO 6000: Pro and the other strategies greyed; the focused Pro chip says why."""

    async def run_before(pilot):
        await pick(pilot, ("variant", "pro"), ("hw", "rtx6000"))
        await pilot.press("down", "right")  # onto the greyed Pro chip

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_deploy_multinode(snap_compare, app, size):
    """gb200 / pro / fp4 / balanced / multi-2: the multi-node header and injected flags."""

    async def run_before(pilot):
        await pick(pilot, ("hw", "gb200"), ("variant", "pro"), ("strategy", "balanced"))
        assert pilot.app.selection.nodes == "multi-2"

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_deploy_srt_slurm(snap_compare, app, size):
    """gb300 / pro / multi-2: the srt-slurm recipes panel (no command of dsv4's own): the
    Workload and Recipe rows, the chosen recipe's apply line, the others in a line each."""

    async def run_before(pilot):
        await pick(pilot, ("hw", "gb300"), ("variant", "pro"), ("nodes", "multi-2"), ("srt-workload", "8k1k"))
        assert pilot.app.view.srt_panel and pilot.app.srt_choice[0] == "8k1k"

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_deploy_in_progress_with_banner(snap_compare, app, size):
    """b300 / flash-vision: the In progress badge and the warn banner under the command."""

    async def run_before(pilot):
        await pick(pilot, ("hw", "b300"), ("variant", "flash-vision"))
        assert pilot.app.view.badge_state == "in-progress" and pilot.app.view.warn

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_deploy_docker(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, press=["p"])


def test_deploy_amd(snap_compare, app, size):
    async def run_before(pilot):
        await pick(pilot, ("hw", "mi355x"))

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_env_modal(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, press=["e"])


# --------------------------------------------------------------------------- cURL


@pytest.fixture
def shown_ports(monkeypatch):
    """The probe goes to the real (free) port behind each port shown on screen, and its
    timings are fixed: the two things a real request cannot make repeatable."""
    real = probe_module.run_probe
    ports: dict[int, int] = {CURL_REFUSED_PORT: free_port()}

    async def run_probe(host, port, *args, **kwargs):
        actual = ports.get(port, port)
        report = await real(host, actual, *args, **kwargs)
        report.message = report.message.replace(f":{actual}", f":{port}")
        report.url = report.url.replace(f":{actual}", f":{port}")
        report.latency_ms = 42.0 if report.latency_ms is not None else None
        report.ttft_ms = 12.0 if report.ttft_ms is not None else None
        return report

    monkeypatch.setattr(probe_module, "run_probe", run_probe)
    return ports


async def run_curl(pilot, port: int) -> None:
    app = pilot.app
    app.env = app.env.with_values({"CURL_HOST": "127.0.0.1", "CURL_PORT": str(port)})
    await pilot.pause()
    await pilot.press("u")
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_curl_success(snap_compare, app, size, shown_ports):
    with serving("success") as server:
        shown_ports[CURL_OK_PORT] = server.port

        async def run_before(pilot):
            await run_curl(pilot, CURL_OK_PORT)

        assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_curl_refused(snap_compare, app, size, shown_ports):
    async def run_before(pilot):
        await run_curl(pilot, CURL_REFUSED_PORT)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
