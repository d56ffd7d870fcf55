"""`dsv4 stop ID`: SIGTERM to the run's process group, SIGKILL after `--grace` seconds."""

from __future__ import annotations

import argparse
import sys

from ..core.rules import Rules
from ..errors import EXIT_OK, UsageError


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser("stop", help="stop a run: SIGTERM to its process group, then SIGKILL")
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("id", metavar="ID", help="the run (`dsv4 runs`; a unique prefix, or latest)")
    p.add_argument("--grace", type=float, default=15.0, metavar="S", help="seconds before SIGKILL (default 15)")
    p.set_defaults(run=run)


def find_run(run_id: str):
    from ..host.runs.store import find

    record = find(run_id)
    if record is None:
        raise UsageError(f"no run {run_id!r} (or several start with it): see `dsv4 runs`")
    return record


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.launch import stop

    record = find_run(args.id)
    print(f"dsv4 stop: {record.id}: {stop(record, grace=max(0.0, args.grace))}", file=sys.stderr)
    return EXIT_OK
