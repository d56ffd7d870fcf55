"""Benchmark the app as a terminal sees it: start-up, key presses, bytes, the Playground.

Run:  .venv/bin/python benchmarks/bench_tui.py  [--quick]

Everything runs the real `dsv4` in a pseudo-terminal of 120x40 (truecolor) and reads what it
writes there, exactly as a terminal (or an SSH connection) would receive it:

1. Start to first frame: a fresh process per run, from spawn to the first frame showing
   the command, for `dsv4` and for a minimal Textual app (one Static); medians and the ratio.
   A warm start: one start before the runs writes the bytecode and the rules cache.
2. Chip press → new command: Enter on a Strategy chip (Balanced ⇄ Low-Latency, alternating),
   from the key written to the pty until the new command's text arrives; median and p95.
3. Bytes per chip choice and per arrow-key focus move: everything the app writes for that
   key, until it has been quiet for a while; medians.
4. The Playground shown for the first time: `2` until its cards arrive on the terminal.
5. Playground knob press → new command, at 160x45 (two columns: the command beside the
   knobs), from the default cell (its own config folder): Enter on a Speculative decoding
   chip (Off ⇄ the cell's DSpark, alternating), from the key until the command's moved
   `--port` line arrives; median and p95, and the bytes written.

Each figure is printed next to its target (issue: "Fast over SSH").
"""

from __future__ import annotations

import argparse
import fcntl
import os
import platform
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLS, ROWS = 120, 40
QUIET = 0.15  # seconds without output that end a key's writes

MINIMAL = """
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("hello-ready")
Hello().run()
"""


class Terminal:
    """A process in a pseudo-terminal; its output read with arrival times."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (COLS, ROWS)):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.buffer = b""

    def read_until(self, needle: bytes, limit: float = 30.0) -> float:
        """Read until `needle` arrives in what was read since the last mark; its arrival time."""
        end = time.perf_counter() + limit
        while needle not in self.buffer:
            if time.perf_counter() > end:
                raise RuntimeError(f"{needle!r} never arrived; last output: {self.buffer[-400:]!r}")
            self._read(0.05)
        return time.perf_counter()

    def _read(self, timeout: float) -> int:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return 0
        data = os.read(self.master, 1 << 16)
        self.buffer += data
        return len(data)

    def quiet(self) -> int:
        """Read until the app has written nothing for QUIET seconds; the bytes read."""
        total = 0
        while True:
            got = self._read(QUIET)
            if not got:
                return total
            total += got

    def key(self, data: bytes) -> float:
        """Write a key; the time it was written. The buffer restarts for what follows."""
        self.buffer = b""
        os.write(self.master, data)
        return time.perf_counter()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.master)


def environment(config: str) -> dict[str, str]:
    """A user's terminal: truecolor, no desktop, no tmux; an empty config folder of its own.

    PYTHONDONTWRITEBYTECODE is dropped: a user's Python keeps its bytecode cache, and the
    warm-up start writes it (and the rules cache), as any first start on a new box does."""
    env = {**os.environ, "DSV4_CONFIG_DIR": config, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    return env


DSV4 = [sys.executable, "-m", "dsv4_tui", "--no-detect"]  # what the `dsv4` script runs


def start_up(argv: list[str], marker: bytes, env: dict[str, str]) -> float:
    term = Terminal(argv, env)
    try:
        return term.read_until(marker) - term.started
    finally:
        term.close()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def presses(env: dict[str, str], count: int) -> tuple[list[float], list[int], list[int], float]:
    """(press latencies, bytes per choice, bytes per arrow, Playground first show)."""
    term = Terminal(DSV4, env)
    try:
        term.read_until(b"Verified")
        term.read_until(b"l: details")  # the checks line is ready (the linter is built)
        term.quiet()
        for _ in range(3):  # to the Strategy row: Hardware, Variant, Quantization, Strategy
            term.key(b"\x1b[B")
            term.quiet()
        latencies, choices, arrows = [], [], []
        targets = [(b"\x1b[C", b"deepep"), (b"\x1b[D", b"flashinfer_mxfp4")]  # → Balanced, ← Low-Latency
        for i in range(count + 2):  # the first two are warm-up
            arrow, marker = targets[i % 2]
            term.key(arrow)
            arrow_bytes = term.quiet()
            sent = term.key(b"\r")
            arrived = term.read_until(marker)
            choice_bytes = len(term.buffer) + term.quiet()
            if i >= 2:
                latencies.append(arrived - sent)
                choices.append(choice_bytes)
                arrows.append(arrow_bytes)
        sent = term.key(b"2")
        playground = term.read_until(b"DP-Attention") - sent
        return latencies, choices, arrows, playground
    finally:
        term.close()


def knob_presses(env: dict[str, str], count: int) -> tuple[list[float], list[int]]:
    """(knob press latencies, bytes per knob choice) in the two-column Playground."""
    with tempfile.TemporaryDirectory(prefix="dsv4-bench-knobs-") as config:
        return _knob_presses({**env, "DSV4_CONFIG_DIR": config}, count)


def _knob_presses(env: dict[str, str], count: int) -> tuple[list[float], list[int]]:
    term = Terminal(DSV4, env, size=(160, 45))
    try:
        term.read_until(b"l: details")
        term.quiet()
        term.key(b"2")
        term.read_until(b"DP-Attention")
        term.quiet()
        for _ in range(7):  # TP (focused first), CP, DP-Attention, Backend, EP, two parsers
            term.key(b"\x1b[B")
            term.quiet()
        latencies, choices = [], []
        for i in range(count + 2):  # the first two are warm-up
            term.key(b"\x1b[D" if i % 2 == 0 else b"\x1b[C")  # ← Off (greedy), → DSpark
            term.quiet()
            sent = term.key(b"\r")
            arrived = term.read_until(b"--port")
            written = len(term.buffer) + term.quiet()
            if i >= 2:
                latencies.append(arrived - sent)
                choices.append(written)
        return latencies, choices
    finally:
        term.close()


def row(label: str, before: str, value: str, target: str) -> str:
    return f"{label:<46} {before:>12} {value:>12}   {target}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument(
        "--before", metavar="SRC", help="the src/ folder of another checkout: measured in the same run, interleaved"
    )
    args = ap.parse_args(argv)
    starts, count = (3, 10) if args.quick else (10, 50)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dsv4-bench-") as config:
        env = environment(config)
        runs = {"now": env}
        if args.before:  # each its own config folder: a shared rules cache would be rebuilt on each start
            os.makedirs(f"{config}/before")
            before = {**env, "PYTHONPATH": str(Path(args.before).resolve()), "DSV4_CONFIG_DIR": f"{config}/before"}
            runs = {"before": before, "now": env}
        minimal = [sys.executable, "-c", MINIMAL]
        start_up(minimal, b"hello-ready", env)  # warm the file cache once
        for run_env in runs.values():
            start_up(DSV4, b"Verified", run_env)
        hello: list[float] = []
        starts_of: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(starts):  # interleaved, so drift hits all alike
            hello.append(start_up(minimal, b"hello-ready", env))
            for name, run_env in runs.items():
                starts_of[name].append(start_up(DSV4, b"Verified", run_env))
        pressed = {name: presses(run_env, count) for name, run_env in runs.items()}
        knobs = {name: knob_presses(run_env, count) for name, run_env in runs.items()}

    import textual

    def figures(name: str) -> list[str]:
        latencies, choices, arrows, playground = pressed[name]
        knob_latencies, knob_bytes = knobs[name]
        dsv4 = starts_of[name]
        return [
            f"{statistics.median(dsv4) * 1e3:.0f} ms",
            f"{statistics.median(dsv4) / statistics.median(hello):.2f}x",
            f"{statistics.median(latencies) * 1e3:.1f} ms",
            f"{percentile(latencies, 95) * 1e3:.1f} ms",
            f"{statistics.median(choices) / 1024:.1f} KB",
            f"{statistics.median(arrows) / 1024:.1f} KB",
            f"{playground * 1e3:.0f} ms",
            f"{statistics.median(knob_latencies) * 1e3:.1f} ms",
            f"{percentile(knob_latencies, 95) * 1e3:.1f} ms",
            f"{statistics.median(knob_bytes) / 1024:.1f} KB",
        ]

    now = figures("now")
    before = figures("before") if "before" in pressed else [""] * len(now)
    labels = [
        ("start → first frame, dsv4", ""),
        ("  ratio dsv4 / minimal Textual app", "≤ 1.25x"),
        ("chip press → new command (median)", ""),
        ("chip press → new command (p95)", "≤ 16 ms"),
        ("bytes per chip choice (median)", "≤ 4 KB"),
        ("bytes per arrow-key focus move (median)", "≤ 1 KB"),
        ("Playground shown the first time", "≤ 300 ms"),
        ("knob press → new command, 160x45 (median)", ""),
        ("knob press → new command, 160x45 (p95)", "≤ 16 ms"),
        ("bytes per knob choice, 160x45 (median)", ""),
    ]
    print(
        f"dsv4 TUI benchmark — Python {platform.python_version()}, Textual {textual.__version__}, {platform.machine()}"
    )
    print(
        f"a {COLS}x{ROWS} pseudo-terminal (the Playground knobs: 160x45); start-up: {starts} fresh processes each;"
        f" {count} chip presses and {count} knob presses"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores\n")
    print(row("measure", "before" if args.before else "", "now", "target"))
    print(row("start → first frame, minimal Textual app", "", f"{statistics.median(hello) * 1e3:.0f} ms", ""))
    for (label, target), b, n in zip(labels, before, now):
        print(row(label, b, n, target))
    print(f"\n(total {time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
