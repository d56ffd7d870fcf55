"""`dsv4 list`: every cell with its badge."""

from __future__ import annotations

import argparse

from ..core.render import badge
from ..core.rules import DIMS, Rules
from ..errors import EXIT_OK


def add_parser(sub, rules: Rules | None) -> None:
    ls = sub.add_parser("list", help="list every cell with its badge")
    ls.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    ls.set_defaults(run=run)


def run(args: argparse.Namespace, rules: Rules) -> int:
    width = [max(len(c.get(d)) for c in rules.cells) for d in DIMS]
    for c in rules.cells:
        cols = "  ".join(c.get(d).ljust(w) for d, w in zip(DIMS, width))
        extra = " (roles)" if c.has_roles else ""
        derived = f" (derived from {c.derived_from})" if c.derived_from else ""
        print(f"{cols}  {badge(rules, c)}{extra}{derived}")
    return EXIT_OK
