"""`dsv4 check`: validate a rules folder (exit 1 listing every problem), failures.toml and
run.toml included (their patterns must be linear-time safe)."""

from __future__ import annotations

import argparse
import sys

from ..core.bench import find_benchmark
from ..core.rules import Rules
from ..core.rules_shell import secret_flag_warnings
from ..core.selection import Selection
from ..core.visible import visible_line
from ..errors import EXIT_OK


def add_parser(sub, rules: Rules | None) -> None:
    ck = sub.add_parser("check", help="validate a rules folder (exit 1 on problems)")
    ck.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help="the folder to check")
    ck.set_defaults(run=run, fresh_rules=True)


def run(args: argparse.Namespace, rules: Rules) -> int:
    for notice in [*rules.notices, *secret_flag_warnings(rules)]:
        print(f"dsv4: {visible_line(notice)}", file=sys.stderr)
    verified = sum(c.verified and not rules.is_user_cell(c) for c in rules.cells)
    extra = ""
    if rules.failures is not None:
        extra += f"; failures.toml: {len(rules.failures.failure)} failure signatures"
    if rules.run is not None:
        extra += f"; run.toml: {len(rules.run.phase)} phases"
    print(f"{rules.source_text}: OK — {len(rules.cells)} cells ({verified} verified){extra}")
    states = [c.state for c in rules.cells]
    counts = ", ".join(
        f"{states.count(s)} {rules.model.badges[s].label}" for s in ("verified", "in-progress", "unverified")
    )
    measured = sum(bool(find_benchmark(rules, Selection.of(c))) for c in rules.cells)
    print(f"  badges: {counts}")
    print(f"  warn banners: {sum(c.warn is not None for c in rules.cells)}")
    print(f"  benchmarks: {len(rules.model.benchmark)} entries, {measured} cells with measured speed")
    if rules.model.srt_slurm is not None:
        print(f"  srt-slurm recipes: {len(rules.model.srt_slurm.recipe)}")
    if rules.provenance:
        print(f"  source: {rules.provenance} ({rules.model.source.config})")
    return EXIT_OK
