"""The app in a real pseudo-terminal: `dsv4 > launch.sh` draws at the terminal's real size,
and the file receives only the command."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from dsv4_tui.core.env import Env
from dsv4_tui.core.render import render_command
from dsv4_tui.core.selection import Selection

ROWS, COLS = 30, 100


def _read_until(fd: int, done, limit_s: float = 60.0) -> bytes:
    """Read the terminal (as a terminal does: all of it, or the app blocks writing) until
    `done(output)` holds; bounded, so a broken app fails the test instead of hanging it."""
    out = b""
    end = time.monotonic() + limit_s
    while not done(out) and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:  # the app exited: the terminal is gone
                break
    return out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_redirected_stdout_draws_at_the_real_size_and_gets_only_the_command(rules, tmp_path, isolated_config):
    """`dsv4 > launch.sh`, then x on a multi-node cell: the file gets the command, the
    terminal (stderr) the placeholders still to fill in."""
    (isolated_config / "state.toml").write_text(
        'hw = "gb200"\nvariant = "pro"\nquant = "fp4"\nstrategy = "balanced"\nnodes = "multi-2"\n', encoding="utf-8"
    )
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    out_file = tmp_path / "launch.sh"
    env = {**os.environ, "DSV4_CONFIG_DIR": str(isolated_config), "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    with out_file.open("wb") as stdout:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dsv4_tui.cli", "--no-detect"],
            stdin=slave,
            stdout=stdout,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
    os.close(slave)
    try:
        screen = _read_until(master, lambda out: b"Verified" in out and out.count(b"\x1b[1;1H") >= 2)
        assert b"Verified" in screen, screen[-2000:]
        # Rows are addressed with ESC [ row ; 1 H. The very first frame covers all 30 rows (a
        # frame laid out at the 80x24 default stops at 24, and its leftovers stay on screen).
        rows = [int(r) for r in re.findall(rb"\x1b\[(\d+);1H", screen)]
        first_frame = rows[: rows.index(1, 1)] if 1 in rows[1:] else rows
        assert max(first_frame) == ROWS, first_frame
        os.write(master, b"x")
        after = _read_until(master, lambda out: proc.poll() is not None)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0, re.sub(rb"\x1b\[[0-9;]*m", b"", after).decode("utf-8", "replace")[-6000:]
    sel = Selection("gb200", "pro", "fp4", "balanced", "multi-2")
    expected = render_command(rules, sel, "python", Env.defaults(rules).subst())
    assert out_file.read_text(encoding="utf-8") == expected + "\n"
    assert b"dsv4: fill in before running: <node-rank>, <node0-ip>" in after


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_an_unreadable_byte_from_the_terminal_never_exits_0(tmp_path, isolated_config):
    """One invalid UTF-8 byte kills Textual 8.2.8's input thread (Textual #6456). The app can
    no longer read keys; it must stop and say so with a non-zero exit code."""
    proc, master = _app_in_pty(isolated_config)
    try:
        os.write(master, b"\x85")
        output = _read_until(master, lambda out: proc.poll() is not None)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 1
    assert b"internal error" in output


def _app_in_pty(isolated_config, preexec_fn=None) -> tuple[subprocess.Popen, int]:
    """`dsv4` on a fresh pseudo-terminal, drawn once; (process, master)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {**os.environ, "DSV4_CONFIG_DIR": str(isolated_config), "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dsv4_tui.cli", "--no-detect"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=preexec_fn is None,
        preexec_fn=preexec_fn,
    )
    os.close(slave)
    screen = _read_until(master, lambda out: b"Verified" in out)
    assert b"Verified" in screen, screen[-2000:]
    return proc, master


def _ends(proc: subprocess.Popen) -> int | None:
    """The exit code, or None if the process is still running after a generous bound."""
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        return None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
def test_a_terminal_closed_without_a_signal_ends_the_app(isolated_config):
    """The terminal's other end goes away and no SIGHUP comes (the app is not the terminal's
    controlling process): the input hangs up. The app must end, not spin on it."""
    proc, master = _app_in_pty(isolated_config)
    os.close(master)
    assert _ends(proc) == 129


def _ignore_sighup() -> None:  # `nohup dsv4`: the hang-up signal is ignored when it starts
    os.setsid()
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("preexec_fn", [None, _ignore_sighup], ids=["default", "nohup"])
def test_sighup_ends_the_app_and_saves_the_state(isolated_config, preexec_fn):
    proc, master = _app_in_pty(isolated_config, preexec_fn)
    try:
        os.write(master, b"\x1b[C\r")  # → Enter: the second hardware chip, remembered on exit
        _read_until(master, lambda out: b"chosen" in out)
        proc.send_signal(signal.SIGHUP)
        assert _ends(proc) == 129
    finally:
        os.close(master)
    assert (isolated_config / "state.toml").is_file()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")
@pytest.mark.parametrize("where", ["stdin", "stderr", "all"])
def test_no_terminal_says_so_and_exits_2(isolated_config, where):
    """`ssh box dsv4` without -t: stdin, stdout and stderr are pipes. No escape codes, no app
    left running: one line that says what to do, exit 2."""
    master, slave = pty.openpty()
    env = {**os.environ, "DSV4_CONFIG_DIR": str(isolated_config), "TERM": "xterm-256color"}
    streams = {"stdin": slave, "stdout": subprocess.PIPE, "stderr": slave}
    if where in ("stdin", "all"):
        streams["stdin"] = subprocess.DEVNULL
    if where in ("stderr", "all"):
        streams["stderr"] = subprocess.PIPE
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dsv4_tui.cli", "--no-detect"], env=env, start_new_session=True, **streams
        )
        os.close(slave)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=10)
        tty = _read_until(master, lambda out: b"\n" in out, limit_s=10) if where == "stdin" else b""
    finally:
        os.close(master)
    assert proc.returncode == 2
    assert out == b""
    said = err.decode() if where != "stdin" else tty.decode()
    assert said.strip() == "dsv4 needs a terminal; for scripts use `dsv4 print …`"
