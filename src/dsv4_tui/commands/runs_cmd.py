"""`dsv4 runs`: the runs started on this box, with their state, port and age (`--json`)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ..core.rules import Rules
from ..core.run.plan import ago
from ..errors import EXIT_OK


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser("runs", help="list the runs started on this box (state, port, age)")
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help='a JSON list of {"id", "state", "port", "age_s", …}')
    p.set_defaults(run=run)


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.store import all_runs, state_of

    now = time.time()
    runs = list(reversed(all_runs()))
    if args.json:
        out = [
            {
                "id": r.id,
                "state": state_of(r),
                "port": r.port,
                "age_s": round(now - r.started, 1),
                "started": r.started,
                "launcher": r.launcher,
                "window": r.window,
                "pid": r.pid,
                "selection": r.selection,
                "sglang_version": r.sglang_version,
                "log": str(r.log),
            }
            for r in runs
        ]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return EXIT_OK
    if not runs:
        print("no runs yet (`dsv4 run` starts one)")
        return EXIT_OK
    print(f"{'ID':17} {'STATE':10} {'PORT':>5}  {'AGE':>6}  CELL")
    for r in runs:
        cell = "/".join(r.selection.values())
        print(f"{r.id:17} {state_of(r):10} {r.port:>5}  {ago(now - r.started):>6}  {cell}")
    return EXIT_OK
