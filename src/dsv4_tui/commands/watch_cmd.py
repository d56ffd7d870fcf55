"""`dsv4 watch ID`: follow a run in the terminal: its phases, the probe once /health
answers, then its /metrics every 2 s, and a known failure with its fix when it ends.

On a terminal it draws one status block (phases with progress bars and elapsed times, the
probe, the metrics) and redraws it in place. When stdout is not a terminal (a pipe, a log
file) it prints a line only when something changes: a phase starts or ends, /health
answers, the probe's report, the first metrics (then one line a minute), a failure.

Exit 0 when the run was stopped or ended well (with --until-ready: as soon as the server is
up and the probe passed), 3 when the log names a known failure, 1 when it ended otherwise
(or the probe failed). Ctrl+C stops watching, never the server.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from typing import TextIO

from ..core.rules import Rules
from ..core.run.view import PhaseRow, RunView
from ..errors import EXIT_BROKEN, EXIT_LINT, EXIT_OK
from .stop_cmd import find_run

BAR = 24  # characters of a phase's progress bar
METRICS_LOG_EVERY = 60.0  # seconds between metrics lines when stdout is not a terminal
MARKS = {"done": "✓", "active": "▶", "failed": "✗", "pending": "·"}


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "watch",
        help="follow a run: phases, probe, metrics; explains a failure",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("id", metavar="ID", nargs="?", default="latest", help="the run (default: the newest)")
    p.add_argument("--until-ready", action="store_true", help="stop watching once the server is up and probed")
    p.set_defaults(run=run)


# -- what is shown ------------------------------------------------------------------------
def bar(fraction: float | None, status: str, width: int = BAR) -> str:
    """A text progress bar; without a count, full when done, empty otherwise."""
    if fraction is None:
        fraction = 1.0 if status == "done" else 0.0
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "━" * filled + "─" * (width - filled)


def phase_line(row: PhaseRow, label_width: int) -> str:
    mark = MARKS.get(row.status, "·")
    if row.status == "pending":
        return f"{mark} {row.label}"
    return (
        f"{mark} {row.label:<{label_width}} {bar(row.fraction, row.status)} {row.detail:>7} {row.elapsed:>6}".rstrip()
    )


def metrics_text(view: RunView) -> str:
    s = view.sample
    if s is None:
        return ""

    def num(v, fmt="{:.0f}"):
        return "-" if v is None else fmt.format(v)

    return (
        f"throughput {num(s.throughput, '{:.1f}')} tok/s · running {num(s.running)} · queued {num(s.queued)}"
        f" · KV {num(None if s.kv_usage is None else s.kv_usage * 100)}% · TTFT {num(s.ttft_s, '{:.3f}')} s"
    )


def status_block(view: RunView) -> list[str]:
    """The live block: the run, its headline, one line per phase, the probe, the metrics."""
    width = max((len(r.label) for r in view.phases), default=0)
    lines = [f"{view.run_id} · {view.state} · port {view.port} · started {view.age} ago", view.headline]
    lines += [phase_line(r, width) for r in view.phases]
    if view.probe:
        lines += list(view.probe)
    elif view.probe_note:
        lines.append(view.probe_note)
    if view.metrics_note:
        lines.append(view.metrics_note)
    metrics = metrics_text(view)
    if metrics:
        lines.append(metrics)
    return lines


# -- how it is shown ----------------------------------------------------------------------
class LiveBlock:
    """A terminal: the block is redrawn in place (cursor up to its first line, each line
    rewritten and cleared to its end, then whatever was below erased). Lines are cut to the
    terminal's width so that none wraps (a wrapped line would throw the count off)."""

    def __init__(self, out: TextIO):
        self.out = out
        self.height = 0
        self.last: list[str] = []

    def show(self, lines: list[str]) -> None:
        cols = shutil.get_terminal_size((100, 24)).columns
        lines = [line[: max(1, cols - 1)] for line in lines]
        if lines == self.last:
            return
        up = f"\x1b[{self.height}F" if self.height else ""
        self.out.write(up + "".join(f"{line}\x1b[K\n" for line in lines) + "\x1b[J")
        self.out.flush()
        self.height, self.last = len(lines), lines


class ChangeLog:
    """Not a terminal: one line per change (a phase starting or ending, the probe's notes
    and report, the first metrics then one a minute), each with the time."""

    def __init__(self, out: TextIO, clock=time.time):
        self.out = out
        self.clock = clock
        self.statuses: dict[str, str] = {}
        self.notes: set[str] = set()
        self.probed = False
        self.next_metrics = 0.0

    def _say(self, text: str) -> None:
        self.out.write(f"{time.strftime('%H:%M:%S', time.localtime(self.clock()))} {text}\n")
        self.out.flush()

    def show(self, view: RunView) -> None:
        for row in view.phases:
            before = self.statuses.get(row.id, "pending")
            if row.status == before:
                continue
            self.statuses[row.id] = row.status
            if row.status == "active":
                self._say(f"▶ {row.label}")
            elif row.status == "done":
                detail = f" {row.detail}" if row.detail else ""
                self._say(f"✓ {row.label}{detail} ({row.elapsed})")
        for note in (view.probe_note, view.metrics_note):
            if note and note not in self.notes:
                self.notes.add(note)
                self._say(note)
        if view.probe and not self.probed:
            self.probed = True
            for line in view.probe:
                self._say(line)
        metrics = metrics_text(view)
        if metrics and self.clock() >= self.next_metrics:
            self.next_metrics = self.clock() + METRICS_LOG_EVERY
            self._say(metrics)


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.follower import POLL, Follower
    from .explain_cmd import describe

    record = find_run(args.id)
    follower = Follower(rules, record)
    print(f"dsv4 watch: {record.id} on port {record.port}; log: {record.log}", file=sys.stderr)
    live = LiveBlock(sys.stdout) if sys.stdout.isatty() else None
    changes = ChangeLog(sys.stdout) if live is None else None
    stop = threading.Event()
    try:
        while not stop.is_set():
            view = follower.step()
            if live is not None:
                live.show(status_block(view))
            else:
                changes.show(view)  # type: ignore[union-attr]
            if view.failure is not None:
                print(describe(view.failure, record.log.name), flush=True)
                return EXIT_LINT
            if view.state != "running":
                print(f"dsv4 watch: {record.id} {view.state}", file=sys.stderr)
                return EXIT_OK if view.state in ("stopped", "exited 0") else EXIT_BROKEN
            if args.until_ready and view.probe:
                return EXIT_OK if follower.probe is not None and follower.probe.ok else EXIT_BROKEN
            stop.wait(POLL if not view.sample else 2.0)
    except KeyboardInterrupt:
        print(f"\ndsv4 watch: stopped watching; {record.id} keeps running", file=sys.stderr)
    return EXIT_OK
