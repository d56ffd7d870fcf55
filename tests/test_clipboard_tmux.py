"""Copy inside tmux goes through tmux itself (`tmux load-buffer -w -`), whatever its
`set-clipboard` (issue 18, 2). Tested against a real tmux server that the test starts on its
own socket; OSC 52 and the hint only when tmux fails."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dsv4_tui.app import DSV4App
from dsv4_tui.host.clipboard import copy_tmux
from fake_tools import fake_tool
from tui_helpers import notes, settle

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")

TEXT = "sglang serve \\\n  --model-path 'deepseek-ai/DeepSeek-V4' \\\n  --tp 8  # ünïcode ✓\n"


@pytest.fixture
def tmux_server(tmp_path, monkeypatch):
    """A tmux server of the test's own (own socket, no config file), with `set-clipboard` as
    asked, and TMUX set as a process inside it sees it. Killed at the end."""
    socket = tmp_path / "tmux.sock"

    def tmux(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([TMUX, "-S", str(socket), *args], capture_output=True, text=True, timeout=10, check=False)

    def start(set_clipboard: str = "external"):
        started = tmux("-f", "/dev/null", "new-session", "-d", "-s", "dsv4test", "-x", "80", "-y", "24", "cat")
        assert started.returncode == 0, started.stderr
        assert tmux("set", "-g", "set-clipboard", set_clipboard).returncode == 0
        pid = tmux("display", "-p", "#{pid}").stdout.strip()
        monkeypatch.setenv("TMUX", f"{socket},{pid},0")
        return tmux

    yield start
    tmux("kill-server")


def buffer(tmux) -> str | None:
    shown = tmux("show-buffer")
    return shown.stdout if shown.returncode == 0 else None


@pytest.mark.parametrize("set_clipboard", ["external", "on", "off"])
def test_copy_goes_into_tmuxs_buffer_whatever_set_clipboard(tmux_server, set_clipboard):
    tmux = tmux_server(set_clipboard)
    assert buffer(tmux) is None  # a fresh server has no buffer
    assert copy_tmux(TEXT)
    assert buffer(tmux) == TEXT


def test_outside_tmux_nothing_is_tried(monkeypatch):
    monkeypatch.delenv("TMUX", raising=False)
    assert not copy_tmux(TEXT)


async def copy_toast(pilot) -> str:
    """Press the copy key; the message of the "⧉ Copy" notification it posts."""
    app = pilot.app
    await pilot.press("c")
    assert await settle(pilot, lambda: any(title == "⧉ Copy" for title, _, _ in notes(app)), tries=500)
    return next(m for title, _, m in notes(app) if title == "⧉ Copy")


async def test_the_copy_key_inside_tmux_fills_its_buffer_and_says_so(rules, tmux_server, monkeypatch):
    """tmux's default (`set-clipboard external`) drops an application's OSC 52: the copy
    must reach tmux's buffer anyway, and the toast says where it went."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    tmux = tmux_server("external")
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        message = await copy_toast(pilot)
    assert buffer(tmux) == app.view.command
    assert "tmux's paste buffer" in message and "OSC 52" not in message
    assert app.clipboard == ""  # no OSC 52 was needed


async def test_when_tmux_fails_copy_falls_back_to_osc52_with_the_hint(rules, bin_dir, monkeypatch):
    """A tmux that cannot take the buffer (and has the default set-clipboard): OSC 52, and the
    hint that tmux drops it."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    fake_tool(
        bin_dir,
        "tmux",
        'if [ "$1" = load-buffer ]; then echo "no server running" >&2; exit 1; fi\n'
        'if [ "$1" = show ]; then echo external; exit 0; fi\nexit 1',
    )
    monkeypatch.setenv("TMUX", "/nonexistent/tmux.sock,1,0")
    app = DSV4App(rules, detect=False, remember=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        message = await copy_toast(pilot)
    assert app.clipboard == app.view.command  # sent with OSC 52
    assert "OSC 52" in message and "set-clipboard external" in message and "set -g set-clipboard on" in message
