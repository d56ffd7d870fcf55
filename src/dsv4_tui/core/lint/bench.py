"""What a lint costs (for benchmarks/bench_core.py): median microseconds per call."""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence

from .findings import LintContext
from .linter import Linter, split_flags


def lint_cost_us(
    linter: Linter,
    env: Sequence[str],
    flags: Sequence[str],
    context: LintContext | None = None,
    repeat: int = 200,
) -> dict[str, float]:
    """Median µs of one lint of (env, flags): `fresh` (a command not seen before: parse, table
    checks, every rule) and `repeat` (the same command again, as after a chip press back)."""
    ctx = context or LintContext()
    argv = tuple(split_flags(flags))
    fresh, again = [], []
    for i in range(repeat):
        start = time.perf_counter()
        linter._lint(tuple(env), argv, ctx, i, "sglang serve")  # bypasses the recent-commands cache
        fresh.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        linter.lint_flags(env, flags, ctx)
        again.append((time.perf_counter() - start) * 1e6)
    return {"fresh": statistics.median(fresh), "repeat": statistics.median(again)}
