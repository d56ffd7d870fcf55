"""Benchmark `dsv4 lint` on pathological input of 1 MB (issue 19 item 9): the lint must stay
linear and finish each text in under a second on the 2-core machine.

Run:  .venv/bin/python benchmarks/bench_lint_input.py

Each case is linted in-process by the real Linter (bundled table, rules/checks.toml), with the
table and checks built once beforehand (as the CLI does before reading the text). Prints the
time, the number of findings and the size of the text report for each case.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dsv4_tui.core.lint import format_text  # noqa: E402
from dsv4_tui.core.lint.shell import MAX_LINES, MAX_TEXT  # noqa: E402
from dsv4_tui.host.lint_setup import make_linter  # noqa: E402
from dsv4_tui.host.rules_files import load_rules  # noqa: E402

HEAD = "sglang serve --model-path m "


def _fill(unit: str, head: str = HEAD) -> str:
    return head + unit * ((MAX_TEXT - len(head)) // len(unit))


def _fill_distinct(unit, head: str = HEAD) -> str:
    """`head`, then unit(0), unit(1), … up to MAX_TEXT: no two alike (no cache helps)."""
    parts, size, i = [head], len(head), 0
    while size + len(unit(i)) <= MAX_TEXT:
        parts.append(unit(i))
        size += len(parts[-1])
        i += 1
    return "".join(parts)


def cases() -> dict[str, str]:
    unknown = " ".join(f"--unknown-flag-{i} 1" for i in range(60000))
    script = "SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=256 sglang serve --model-path m --tp 8 \\\n  --moe-a2a-backend deepep --enable-dp-attention --dp 8 --max-running-requests 128\n"
    return {
        "--=x × 2·10⁵": _fill("--=x "),
        "unknown flags × 6·10⁴": (HEAD + unknown)[:MAX_TEXT],
        "one 1 MB word": _fill("a", "sglang serve --model-path "),
        "one 1 MB quoted word": "sglang serve --model-path '" + "a" * (MAX_TEXT - 30) + "'",
        "escapes and quotes": _fill("a\\ 'b'\"c\" "),
        "… each word different": _fill_distinct(lambda i: f'a{i:x}\\ \'b\'"c\\"" '),
        "backslash-space lines": _fill("sglang serve \\ \n", ""),
        "CRLF script": _fill(script.replace("\n", "\r\n"), ""),
        "a real script, repeated": _fill(script, ""),
        "exports, then commands": _fill_distinct(lambda i: f"export A{i}=1\n", "")[: MAX_TEXT // 2]
        + _fill("sglang serve --tp 1\n", "")[: MAX_TEXT // 2],
        "short quoted commands": _fill_distinct(lambda i: f"sglang serve --x 'a{i}' \"b\\\"\" # it's\n", ""),
        # The cheapest lines, as many as the reader takes (MAX_LINES - 1): its per-line cost.
        "tiny lines up to the cap": "'\n" * (MAX_LINES - 1),
        # 1 MB of them is over MAX_LINES: refused with one problem, read no further.
        "tiny lines × 5·10⁵": _fill("'\n", ""),
    }


def main() -> int:
    linter = make_linter(load_rules(), use_installed=False).linter
    worst = 0.0
    for name, text in cases().items():
        t0 = time.perf_counter()
        reports, problems = linter.lint_text(text)
        out = format_text(reports, problems)
        took = time.perf_counter() - t0
        worst = max(worst, took)
        findings = sum(len(r.findings) for r in reports) + len(problems)
        print(
            f"{name:<26} {len(text) / 1e6:5.2f} MB  {took * 1000:7.0f} ms  {findings:6d} findings  {len(out):8d} B out"
        )
    print(f"worst: {worst * 1000:.0f} ms (target: under 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
