"""The doctor's results as plain text or JSON, the exit code, and the facts the app reuses."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .model import FAIL, STATUSES, CheckResult, GpuInfo
from .runner import TITLES

_MARKS = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "skipped": "skip"}


def exit_code(results: Iterable[CheckResult]) -> int:
    """0 when no check fails, 1 when one does."""
    return 1 if any(result.status == FAIL for result in results) else 0


def to_json(results: Iterable[CheckResult]) -> str:
    """A JSON list of {"id", "status", "message", "fix"}."""
    return json.dumps([result.as_dict() for result in results], indent=2, ensure_ascii=False)


def summary(results: Sequence[CheckResult]) -> str:
    """'16 checks: 9 ok, 2 warn, 1 fail, 4 skipped'."""
    counts = Counter(result.status for result in results)
    parts = [f"{counts[status]} {status}" for status in STATUSES if counts[status]]
    return f"{len(results)} checks: " + ", ".join(parts)


def to_text(results: Sequence[CheckResult]) -> str:
    """One line per check ('FAIL  GPUs needed   reason'), its fix indented below, then a summary."""
    width = max((len(TITLES.get(result.id, result.id)) for result in results), default=0)
    lines = []
    for result in results:
        title = TITLES.get(result.id, result.id)
        lines.append(f"{_MARKS[result.status]:<4}  {title:<{width}}  {result.message}")
        if result.fix and result.status != "ok":
            lines.append(f"{'':<4}  {'':<{width}}  → {result.fix}")
    lines.append(summary(results))
    return "\n".join(lines)


@dataclass(frozen=True)
class DoctorFacts:
    """What the app reuses from a run: the GPUs, this box's IB devices, the host ratio to preselect."""

    gpus: tuple[GpuInfo, ...] = ()
    ib_devices: tuple[str, ...] = ()
    suggested_host_ratio: int | None = None
    sglang_version: str | None = None


def facts(results: Iterable[CheckResult]) -> DoctorFacts:
    found: dict[str, object] = {}
    for result in results:
        for name in ("gpus", "ib_devices", "suggested_host_ratio", "sglang_version"):
            value = getattr(result, name)
            if value:
                found.setdefault(name, value)
    return DoctorFacts(**found)  # type: ignore[arg-type]
