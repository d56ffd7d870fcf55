"""`dsv4 watch ID`: follow a run in the terminal: its phases, the probe once /health
answers, then its /metrics every 2 s, and a known failure with its fix when it ends.

Exit 0 when the run was stopped or ended well (with --until-ready: as soon as the server is
up and the probe passed), 3 when the log names a known failure, 1 when it ended otherwise
(or the probe failed). Ctrl+C stops watching, never the server.
"""

from __future__ import annotations

import argparse
import sys
import threading

from ..core.rules import Rules
from ..core.run.view import RunView
from ..errors import EXIT_BROKEN, EXIT_LINT, EXIT_OK
from .stop_cmd import find_run


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


def _phase_text(view: RunView) -> str:
    parts = []
    for row in view.phases:
        if row.status == "pending":
            continue
        mark = "✓" if row.status == "done" else "…"
        detail = f" {row.detail}" if row.detail else ""
        parts.append(f"{mark} {row.label}{detail} ({row.elapsed})")
    return " · ".join(parts) or "starting"


def _metrics_text(view: RunView) -> str:
    s = view.sample
    if s is None:
        return ""

    def num(v, fmt="{:.0f}"):
        return "-" if v is None else fmt.format(v)

    return (
        f"throughput {num(s.throughput, '{:.1f}')} tok/s · running {num(s.running)} · queued {num(s.queued)}"
        f" · KV {num(None if s.kv_usage is None else s.kv_usage * 100)}% · TTFT {num(s.ttft_s, '{:.3f}')} s"
    )


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.follower import POLL, Follower
    from .explain_cmd import describe

    record = find_run(args.id)
    follower = Follower(rules, record)
    print(f"dsv4 watch: {record.id} on port {record.port}; log: {record.log}", file=sys.stderr)
    stop = threading.Event()
    last = ""
    try:
        while not stop.is_set():
            view = follower.step()
            lines = [_phase_text(view)]
            if view.probe:
                lines += view.probe
            elif view.probe_note:
                lines.append(view.probe_note)
            if view.metrics_note:
                lines.append(view.metrics_note)
            text = "\n".join(lines)
            key = repr([(r.status, r.detail) for r in view.phases] + lines[1:])  # not the seconds
            if key != last:
                print(text, flush=True)
                last = key
            metrics = _metrics_text(view)
            if metrics:
                print(metrics, flush=True)
            if view.failure is not None:
                print(describe(view.failure, record.log.name))
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
