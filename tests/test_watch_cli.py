"""`dsv4 watch` as a user sees it: on a terminal (a pty) it redraws one status block in
place; into a pipe it prints a line only when something changes. The watcher is a real
`dsv4 watch` process; the fake `sglang` holds each phase until the watcher has shown it
(waits are on the watcher's output, bounded; never on the clock)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from dsv4_tui import cli
from dsv4_tui.commands.watch_cmd import ChangeLog, LiveBlock, status_block
from dsv4_tui.core.run.view import PhaseRow, RunView
from run_helpers import latest, stop_all
from sglang_fake import free_port

SEL = ["--hw", "h200", "--variant", "flash"]
BOUND_S = 60.0
# Each step: the text the watcher must have shown, then the fake's wait point to release.
STEPS = [("23/46", "download"), ("12/46", "load"), ("5/12", "capture")]


@pytest.fixture
def port(fake_sglang_cli):
    yield free_port()
    stop_all()


def start_run(port: int):
    args = ["run", *SEL, "--set", f"PORT={port}", "--set", "HOST_IP=127.0.0.1", "--yes", "--no-doctor"]
    assert cli.main(args) == 0
    return latest()


class Watcher:
    """`dsv4 watch ID --until-ready` in a child process, its stdout a pty or a pipe."""

    def __init__(self, run_id: str, tty: bool):
        command = [sys.executable, "-m", "dsv4_tui", "watch", run_id, "--until-ready"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("COLUMNS", None)
        if tty:
            self.fd, child = pty.openpty()
            fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
            self.proc = subprocess.Popen(command, stdout=child, stderr=subprocess.DEVNULL, env=env)
            os.close(child)
        else:
            self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            self.fd = self.proc.stdout.fileno()
        self.raw = b""

    def read_until(self, text: str) -> None:
        deadline = time.monotonic() + BOUND_S
        while text.encode() not in self.raw and time.monotonic() < deadline:
            if not self._read(deadline):
                break
        assert text.encode() in self.raw, f"the watcher never showed {text!r}:\n{self.text}"

    def finish(self) -> int:
        deadline = time.monotonic() + BOUND_S
        while self._read(deadline):
            pass
        return self.proc.wait(timeout=BOUND_S)

    def _read(self, deadline: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the pty's child side closed
            return False
        self.raw += chunk
        return bool(chunk)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")


def screen(output: str) -> list[str]:
    """What a terminal shows after `output`: the few sequences LiveBlock writes (cursor up N
    lines to column 0, erase to the end of the line / of the screen), CR and LF (as CR LF)."""
    rows: list[str] = [""]
    row = col = 0
    for token in re.findall(r"\x1b\[(\d*)([A-Za-z])|(\r)|(\n)|([^\x1b\r\n]+)", output):
        number, command, cr, lf, text = token
        if command == "F":
            row, col = max(0, row - int(number or 1)), 0
        elif command == "K":
            rows[row] = rows[row][:col]
        elif command == "J":
            rows[row] = rows[row][:col]
            del rows[row + 1 :]
        elif cr:
            col = 0
        elif lf:  # a tty's output turns \n into \r\n (onlcr)
            row, col = row + 1, 0
            if row == len(rows):
                rows.append("")
        elif text:
            line = rows[row].ljust(col)
            rows[row] = line[:col] + text + line[col + len(text) :]
            col += len(text)
    return [r for r in rows if r.strip()]


def test_on_a_terminal_the_block_is_redrawn_in_place(port, fake_sglang_cli):
    record = start_run(port)
    watcher = Watcher(record.id, tty=True)
    for shown, wait_point in STEPS:
        watcher.read_until(shown)
        fake_sglang_cli.release(wait_point)
    assert watcher.finish() == 0
    out = watcher.text
    assert re.search(r"\x1b\[\d+F", out)  # it went back up to redraw
    assert out.count("Downloading") >= 3  # drawn several times …
    shown = screen(out)
    phase_lines = [line for line in shown if line[:2] in ("✓ ", "▶ ", "· ", "✗ ")]
    assert [line.split()[1] for line in phase_lines] == ["Downloading", "Loading", "Capturing", "Ready"]  # … once
    assert all(line.startswith("✓ ") for line in phase_lines)
    assert phase_lines[0].split()[-2:][0] == "46/46" and "━" * 24 in phase_lines[0]
    assert shown[0].startswith(f"{record.id} · running · port {port} · started ")
    assert "Ready: the server answers" in shown
    assert any(line.startswith("OK — the model on 127.0.0.1") for line in shown)
    assert any(line.startswith("throughput 1602.5 tok/s") for line in shown)
    assert "23/46" not in "\n".join(shown) and "waiting for /health" not in shown


def test_into_a_pipe_it_prints_a_line_per_change(port, fake_sglang_cli):
    record = start_run(port)
    watcher = Watcher(record.id, tty=False)
    for shown, wait_point in [("▶ Downloading", "download"), ("▶ Loading weights", "load"), ("▶ Capturing", "capture")]:
        watcher.read_until(shown)
        fake_sglang_cli.release(wait_point)
    assert watcher.finish() == 0
    out = watcher.text
    assert "\x1b" not in out
    lines = [line.split(" ", 1)[1] for line in out.splitlines()]  # without the time
    assert all(re.match(r"\d\d:\d\d:\d\d ", line) for line in out.splitlines())
    for label in ("Downloading", "Loading weights", "Capturing CUDA graphs"):
        assert sum(line.startswith(f"▶ {label}") for line in lines) == 1
        assert sum(line.startswith(f"✓ {label}") for line in lines) == 1
    assert any(line.startswith("✓ Downloading 46/46 (") for line in lines)
    assert sum(line.startswith("✓ Ready") for line in lines) == 1
    assert lines.count("waiting for /health") == 1
    assert sum(line.startswith("throughput 1602.5 tok/s") for line in lines) == 1
    assert not any("23/46" in line or "12/46" in line or "5/12" in line for line in lines)  # no progress lines
    assert len(lines) <= 20, out


# -- the two outputs, without a server ---------------------------------------------------
def rows(*statuses: str, detail: str = "") -> tuple[PhaseRow, ...]:
    labels = ("Downloading", "Loading weights", "Capturing CUDA graphs", "Ready")
    return tuple(
        PhaseRow(
            label.split()[0].lower(), label, s, 0.5 if s == "active" else None, detail if s == "active" else "", "3s"
        )
        for label, s in zip(labels, statuses)
    )


def view(*statuses: str, detail: str = "", **more) -> RunView:
    return RunView(
        run_id="r1", state="running", headline="h", port=30000, age="1m", phases=rows(*statuses, detail=detail), **more
    )


class Stream:
    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass


def test_the_live_block_is_rewritten_only_when_it_changes_and_never_wraps(monkeypatch):
    import os as os_module

    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(80, 24): os_module.terminal_size((30, 24)))
    out = Stream()
    live = LiveBlock(out)
    live.show(status_block(view("active", "pending", "pending", "pending", detail="1/46")))
    live.show(status_block(view("active", "pending", "pending", "pending", detail="1/46")))
    assert len(out.parts) == 1 and not out.parts[0].startswith("\x1b[")
    live.show(status_block(view("done", "active", "pending", "pending", detail="2/46")))
    assert len(out.parts) == 2 and out.parts[1].startswith(f"\x1b[{live.height}F")
    assert all(len(line) <= 29 for line in screen("".join(out.parts)))


def test_the_change_log_says_each_change_once_and_metrics_once_a_minute():
    from dsv4_tui.core.run.metrics import Sample

    clock = [1000.0]
    out = Stream()
    log = ChangeLog(out, clock=lambda: clock[0])
    sample = Sample(throughput=10.0, running=1, queued=0, kv_usage=0.1, ttft_s=0.2)
    for detail in ("1/46", "2/46", "3/46"):
        log.show(view("active", "pending", "pending", "pending", detail=detail, probe_note="waiting for /health"))
    log.show(view("done", "done", "done", "done", sample=sample))
    for _ in range(1, 40):  # 78 s of samples every 2 s
        clock[0] += 2.0
        log.show(view("done", "done", "done", "done", sample=sample))
    said = [part.split(" ", 1)[1].rstrip("\n") for part in out.parts]
    assert said[:2] == ["▶ Downloading", "waiting for /health"]
    assert said[2:6] == ["✓ Downloading (3s)", "✓ Loading weights (3s)", "✓ Capturing CUDA graphs (3s)", "✓ Ready (3s)"]
    assert sum(s.startswith("throughput 10.0 tok/s") for s in said) == 2  # at once, then a minute later
