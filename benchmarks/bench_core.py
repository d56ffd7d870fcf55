"""Benchmark the pure core: loading the rules (validated, and from the cache a warm start
reads), rendering one command, rendering every cell in all three texts, and linting one
command (what a chip press adds for the checks line).

Run:  .venv/bin/python benchmarks/bench_core.py  [--quick]

Prints absolute times (median of several runs, time.perf_counter) and ratios between them;
the README quotes the ratios, which are far more stable across machines than the times.
No external dependencies; the whole run stays well under 20 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # works from a checkout without installing

from dsv4_tui.core.checks_view import command_checks  # noqa: E402
from dsv4_tui.core.env import Env  # noqa: E402
from dsv4_tui.core.render import render_command, render_curl  # noqa: E402
from dsv4_tui.core.selection import Selection, first_selection  # noqa: E402
from dsv4_tui.host.lint_setup import make_linter  # noqa: E402
from dsv4_tui.host.rules_files import load_rules  # noqa: E402


def median_time(fn: Callable[[], object], runs: int, inner: int = 1) -> float:
    """Median over `runs` of the mean time of `inner` back-to-back calls, in seconds."""
    fn()  # warm up (imports, caches)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    return statistics.median(samples)


def fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.3f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.3f} ms"
    return f"{seconds * 1e6:8.1f} µs"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=Path, default=ROOT / "rules", help="rules folder (default: the bundled one)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = ap.parse_args(argv)

    loads, renders, alls = (5, 200, 3) if args.quick else (60, 6000, 40)
    started = time.perf_counter()
    os.environ["DSV4_CONFIG_DIR"] = tempfile.mkdtemp(prefix="dsv4-bench-")  # its own rules cache

    rules = load_rules(args.rules)
    subst = Env.defaults(rules).subst()
    sel = first_selection(rules)
    cells = [Selection.of(c) for c in rules.cells]

    def render_all() -> int:
        n = 0
        for s in cells:
            n += len(render_command(rules, s, "python", subst))
            n += len(render_command(rules, s, "docker", subst))
            n += len(render_curl(rules, s, subst))
        return n

    t_load = median_time(lambda: load_rules(args.rules, cache=False), loads)
    t_cached = median_time(lambda: load_rules(args.rules), loads)
    t_one = median_time(lambda: render_command(rules, sel, "python", subst), 15, inner=max(1, renders // 15))
    t_all = median_time(render_all, alls)
    linter = make_linter(rules, use_installed=False).linter  # the bundled SGLang table
    shown = render_command(rules, sel, "python", subst)
    t_lint = median_time(lambda: command_checks(linter, rules, sel, shown), 15, inner=max(1, renders // 150))
    # The Playground's option gate (core/option_gate.py) for the first cell, untouched: every
    # option shown, one apply + one lint each (caches emptied: each press is a new state).
    from dsv4_tui.core.checks_view import with_runs_on
    from dsv4_tui.core.option_gate import refused_options
    from dsv4_tui.core.playground import Overrides, cards
    from dsv4_tui.host.lint_setup import with_versions

    views = cards(rules, sel, Overrides())

    def gate() -> object:
        linter._errors.clear()  # noqa: SLF001 — a cold gate, as on a new state
        linter._recent.clear()  # noqa: SLF001
        return refused_options(linter, rules, sel, Overrides(), views)

    t_gate = median_time(gate, 15 if not args.quick else 3)
    versions = with_versions(rules, make_linter(rules, use_installed=False)).versions
    checks = command_checks(linter, rules, sel, shown)

    def runs_on() -> object:
        for _, v in versions:
            v._errors.clear()  # noqa: SLF001
        return with_runs_on(checks, versions, rules, sel, shown)

    t_runs = median_time(runs_on, 15 if not args.quick else 3)
    n_texts = 3 * len(cells)
    total = time.perf_counter() - started

    print(f"dsv4 core benchmark — Python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"rules: {args.rules}  ({len(cells)} cells)")
    print()
    print(f"{'measure':<46} {'median':>11}")
    print("-" * 58)
    print(f"{'load + validate rules (median of ' + str(loads) + ')':<46} {fmt(t_load)}")
    print(f"{'load from the cache (a warm start)':<46} {fmt(t_cached)}")
    print(f"{'render one command (Python framing)':<46} {fmt(t_one)}")
    print(f"{'render every cell: ' + str(n_texts) + ' texts (py+docker+curl)':<46} {fmt(t_all)}")
    print(f"{'  per text':<46} {fmt(t_all / n_texts)}")
    print(f"{'lint one command (the checks line)':<46} {fmt(t_lint)}")
    print(f"{'option gate: one state (after the press)':<46} {fmt(t_gate)}")
    print(f"{'runs on SGLang …: 3 versions (after the press)':<46} {fmt(t_runs)}")
    print()
    print(f"{'ratio':<46} {'value':>11}")
    print("-" * 58)
    print(f"{'validate / load from the cache':<46} {t_load / t_cached:10.1f}x")
    print(f"{'render every cell / one load':<46} {t_all / t_load:10.2f}x")
    print(f"{'one load / one render':<46} {t_load / t_one:10.0f}x")
    print(f"{'renders per load time':<46} {t_load / (t_all / n_texts):10.0f}")
    print(f"{'lint one command / one render':<46} {t_lint / t_one:10.1f}x")
    print()
    print(f"total benchmark time: {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
