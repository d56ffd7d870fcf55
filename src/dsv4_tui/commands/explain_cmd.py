"""`dsv4 explain LOGFILE|-`: name the known failure in an SGLang log, with its fix.

The log is read line by line (any size, constant memory) against rules/failures.toml; the
first signature that matches names the failure. Exit 0 when none matches, 3 when one does
(like `dsv4 lint`). `--json` prints {"failure": {…} | null, "lines", "phase"}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ..core.rules import Rules
from ..core.run.watch import FailureMatch, LogWatch
from ..errors import EXIT_LINT, EXIT_OK, UsageError


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "explain",
        help="name the known failure in an SGLang log and its fix (exit 3 when one is found)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument("file", metavar="LOGFILE|-", help="the log; - reads stdin")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(run=run)


def explain_lines(rules: Rules, lines) -> LogWatch:
    watch = LogWatch(rules.run, rules.failures)
    now = time.time()
    for line in lines:
        watch.feed(line, now)
        if watch.failure is not None:
            break
    return watch


def describe(found: FailureMatch, where: str) -> str:
    phase = f" (phase: {found.phase_label})" if found.phase_label else ""
    lines = [
        f"{where}:{found.line_no}: {found.id}{phase}",
        f"  line:     {found.line}",
        f"  meaning:  {found.meaning}",
        f"  fix:      {found.fix}",
    ]
    if found.related:
        lines.append(f"  related:  {', '.join(found.related)}")
    if found.override is not None:
        lines.append(f"  override: {found.override.describe()} (the app's Run tab applies it with Enter)")
    return "\n".join(lines)


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.follow import LogTail, stream_lines

    if rules.failures is None:
        print(f"dsv4: {rules.source_text} has no failures.toml: nothing to match", file=sys.stderr)
    if args.file == "-":
        if sys.stdin.isatty():
            print("dsv4: reading the log from stdin (end with Ctrl+D)", file=sys.stderr)
        watch, where = explain_lines(rules, stream_lines(sys.stdin.buffer)), "<stdin>"
    else:
        path = Path(args.file)
        if not path.is_file():
            raise UsageError(f"{args.file}: not a file")
        tail = LogTail(path)

        def lines():
            while True:
                before = tail.offset
                yield from tail.read_lines()
                if tail.offset == before:
                    break
            last = tail.flush()
            if last is not None:
                yield last

        watch, where = explain_lines(rules, lines()), args.file
    found = watch.failure
    phase = watch.phase.label if watch.phase else None
    if args.json:
        out = {"failure": found.as_json() if found else None, "lines": watch.lines, "phase": phase}
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    elif found is None:
        print(f"{where}: no known failure ({watch.lines} lines; last phase: {phase or 'none'})")
    else:
        print(describe(found, where))
    return EXIT_LINT if found is not None else EXIT_OK
