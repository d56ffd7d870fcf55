"""What the Run tab and `dsv4 watch` show, computed from a run's state (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .metrics import Sample
from .plan import ago
from .watch import FailureMatch, LogWatch


@dataclass(frozen=True)
class PhaseRow:
    id: str
    label: str
    status: str  # "pending" · "active" · "done" · "failed" (the phase a failure stopped)
    fraction: float | None  # None: no count in the log (an indeterminate bar while active)
    detail: str  # "12/46" · "35%" · ""
    elapsed: str  # "1m" · "" (not started)


@dataclass(frozen=True)
class RunView:
    run_id: str = ""
    state: str = ""  # running · stopped · exited 1 · gone
    headline: str = ""  # "Loading weights 12/46" · "Ready" · "Failed: …"
    port: int | None = None
    age: str = ""
    command: str = ""
    log: str = ""
    phases: tuple[PhaseRow, ...] = ()
    probe: tuple[str, ...] = ()  # the probe's summary lines (empty: not run yet)
    probe_note: str = ""  # "waiting for /health" · "probing…"
    metrics_note: str = ""  # why there are no metrics
    sample: Sample | None = None
    series: dict[str, tuple[float, ...]] = field(default_factory=dict)
    failure: FailureMatch | None = None
    skipped: int = 0  # bytes of a long log not read (attached to its tail)
    runs: tuple[str, ...] = ()  # other runs on this box, one line each

    @property
    def empty(self) -> bool:
        return not self.run_id


def phase_rows(watch: LogWatch, now: float) -> tuple[PhaseRow, ...]:
    rows = []
    for i, ph in enumerate(watch.phases):
        if ph.started is None:
            status = "pending"
        elif i == watch.current and watch.failure is not None:
            status = "failed"
        elif i == watch.current and i != len(watch.phases) - 1:
            status = "active"
        else:
            status = "done"
        elapsed = ph.elapsed(now)
        fraction = ph.fraction
        if status == "done" and fraction is None:
            fraction = 1.0
        rows.append(
            PhaseRow(ph.id, ph.label, status, fraction, ph.detail(), ago(elapsed) if elapsed is not None else "")
        )
    return tuple(rows)


def headline(watch: LogWatch, state: str, healthy: bool) -> str:
    if watch.failure is not None:
        return f"Failed: {watch.failure.meaning}"
    if state != "running":
        return f"The server {state}" if state not in ("stopped",) else "Stopped"
    if healthy:
        return "Ready: the server answers"
    ph = watch.phase
    if ph is None:
        return "Starting"
    detail = ph.detail()
    return f"{ph.label} {detail}".strip() + "…"
