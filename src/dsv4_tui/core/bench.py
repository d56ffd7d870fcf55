"""The measured speed of a cell (`[[benchmark]]`, benchmarks.toml): one line per workload,
`ISL/OSL @ concurrency: TTFT ms · TPOT ms · tok/s/GPU`, and the SGLang version measured on.

An entry applies when every key of its `match` equals the selection; the most specific one
wins (as the page's benchmark card picks it).
"""

from __future__ import annotations

from typing import Any

from .rules import Rules
from .schema import Benchmark, Workload

NO_MEASUREMENT = "No measurement for this cell yet: the cookbook has no benchmark for it."


def find_benchmark(rules: Rules, sel) -> Benchmark | None:
    hits = [b for b in rules.model.benchmark if all(sel[k] == v for k, v in b.match.items())]
    hits.sort(key=lambda b: -len(b.match))  # stable: the first of the most specific
    entry = hits[0] if hits else None
    return entry if entry is not None and any(_measured(w) for w in entry.speed) else None


def _measured(w: Workload) -> bool:
    return any(v is not None for v in (w.ttft_ms, w.tpot_ms, w.tok_s_gpu))


def num(v: float | None) -> str:
    """A measured value as the page writes it: 481, 218.9, 1.28; "—" when absent."""
    if v is None:
        return "—"
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def workload_line(w: Workload) -> str:
    shape = f"{w.isl if w.isl is not None else '?'}/{w.osl if w.osl is not None else '?'}"
    conc = f" @ {w.concurrency}" if w.concurrency is not None else ""
    return f"{shape}{conc}: TTFT {num(w.ttft_ms)} ms · TPOT {num(w.tpot_ms)} ms · {num(w.tok_s_gpu)} tok/s/GPU"


def percentile(rules: Rules, entry: Benchmark) -> str:
    return entry.latency_percentile or rules.model.bench.latency_percentile


def bench_lines(rules: Rules, sel) -> list[str]:
    """The lines under the badge: a header with the SGLang version, then one per workload; or
    one line saying there is no measurement."""
    entry = find_benchmark(rules, sel)
    if entry is None:
        return [NO_MEASUREMENT]
    version = f"SGLang {entry.sglang_version}" if entry.sglang_version else "an unnamed SGLang version"
    head = f"Measured on {version} ({percentile(rules, entry)} latency; ISL/OSL @ concurrency):"
    return [head, *(workload_line(w) for w in entry.speed if _measured(w))]


def bench_json(rules: Rules, sel) -> dict[str, Any]:
    """The same for scripts (`dsv4 print --bench --json`)."""
    entry = find_benchmark(rules, sel)
    out: dict[str, Any] = {"selection": sel.as_dict(), "measured": entry is not None}
    if entry is None:
        out["message"] = NO_MEASUREMENT
        return out
    out["sglang_version"] = entry.sglang_version
    out["latency_percentile"] = percentile(rules, entry)
    out["workloads"] = [
        {
            "dataset": w.dataset,
            "isl": w.isl,
            "osl": w.osl,
            "concurrency": w.concurrency,
            "ttft_ms": w.ttft_ms,
            "tpot_ms": w.tpot_ms,
            "tok_s_gpu": w.tok_s_gpu,
        }
        for w in entry.speed
        if _measured(w)
    ]
    if entry.accuracy:
        out["accuracy"] = dict(entry.accuracy)
    return out
