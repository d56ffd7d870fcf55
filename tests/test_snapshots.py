"""Snapshot tests (pytest-textual-snapshot): what the screen looks like, at 80x24 and 120x40.

Baselines live in tests/__snapshots__/test_snapshots/. After a deliberate UI change:
`make snapshots-update`, then look at the new SVGs before committing them.

Deterministic by construction: detect=False, remember=False, a fixed config folder path
(it is shown in the Env screen) that starts empty, the default Env, no cursor blink, and for
the cURL probe a fake server on a fixed port with a fixed answer and a fixed latency.
"""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest

from dsv4_tui.app import DSV4App
from dsv4_tui.host import probe as probe_module
from sglang_fake import port_is_free, serving

# Shown on screen (Env path, cURL host:port), so fixed — and guarded by a lock, because
# another test run on the same machine would share them.
SNAP_ROOT = Path("/tmp/dsv4-snapshots")
SNAP_CONFIG = SNAP_ROOT / "config"
CURL_OK_PORT = 38517
CURL_REFUSED_PORT = 38518
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def snap_env(monkeypatch):
    """A fixed, empty config folder (under an exclusive lock) and no host clipboard."""
    SNAP_ROOT.mkdir(parents=True, exist_ok=True)
    with open(SNAP_ROOT / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(SNAP_CONFIG, ignore_errors=True)
        SNAP_CONFIG.mkdir()
        monkeypatch.setenv("DSV4_CONFIG_DIR", str(SNAP_CONFIG))
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
            monkeypatch.delenv(name, raising=False)
        yield SNAP_CONFIG
        shutil.rmtree(SNAP_CONFIG, ignore_errors=True)


@pytest.fixture
def app(rules, snap_env) -> DSV4App:
    return DSV4App(rules, detect=False, remember=False)


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request) -> tuple[int, int]:
    return SIZES[request.param]


async def pick(pilot, *choices: tuple[str, str]) -> None:
    """Choose like a user: focus each chip and press Enter."""
    for dim, value in choices:
        pilot.app.query_one(f"#deploy-pane #chip-{dim}-{value}").focus()
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


def test_deploy_roles(snap_compare, app, size):
    """gb300 / pro / fp4 / low-latency / multi-2: one block per role (prefill, decode, router)."""

    async def run_before(pilot):
        await pick(pilot, ("hw", "gb300"), ("variant", "pro"), ("nodes", "multi-2"))
        assert pilot.app.view.has_roles

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
def fixed_latency(monkeypatch):
    """The probe's latency is the one thing a real request cannot make repeatable."""
    real = probe_module.run_probe

    async def run_probe(*args, **kwargs):
        report = await real(*args, **kwargs)
        if report.latency_ms is not None:
            report.latency_ms = 42.0
        return report

    monkeypatch.setattr(probe_module, "run_probe", run_probe)


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


def test_curl_success(snap_compare, app, size, fixed_latency):
    if not port_is_free(CURL_OK_PORT):
        pytest.skip(f"port {CURL_OK_PORT} is in use")
    with serving("success", port=CURL_OK_PORT):

        async def run_before(pilot):
            await run_curl(pilot, CURL_OK_PORT)

        assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_curl_refused(snap_compare, app, size):
    if not port_is_free(CURL_REFUSED_PORT):
        pytest.skip(f"port {CURL_REFUSED_PORT} is in use")

    async def run_before(pilot):
        await run_curl(pilot, CURL_REFUSED_PORT)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
