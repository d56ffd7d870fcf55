"""Following a server's log, line by line: its phases, their progress, readiness, and the
first known failure (rules/run.toml, rules/failures.toml). Pure: the host feeds the lines.

A `LogWatch` holds a fixed amount of state whatever the log's size: the phases, the first
failure, a count. Each line is cut to MAX_LINE characters before any pattern sees it, and the
patterns are linear-time safe (checked when the rules load), so a hostile log costs linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..lint.findings import Edit, Fix
from ..visible import visible_line
from .schema import MAX_LINE, FailuresFile, FailureSpec, RunFile

_STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")
SHOWN_LINE = 300  # characters of a matched line kept for the screen


def line_time(line: str) -> float | None:
    """The time SGLang stamped on a line (`[2026-12-07 15:01:02 TP0] …`, local time), if any."""
    m = _STAMP.match(line)
    if not m:
        return None
    try:
        return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").timestamp()
    except ValueError:
        return None


@dataclass(frozen=True)
class PhaseProgress:
    id: str
    label: str
    started: float | None = None  # when the phase was entered (None: not yet)
    ended: float | None = None  # when the next phase was entered
    done: int | None = None
    total: int | None = None
    percent: float | None = None

    @property
    def fraction(self) -> float | None:
        """0..1 when the log gave a count or a percent; None otherwise."""
        if self.total:
            return min(1.0, (self.done or 0) / self.total)
        if self.percent is not None:
            return min(1.0, self.percent / 100)
        return None

    def elapsed(self, now: float) -> float | None:
        if self.started is None:
            return None
        return max(0.0, (self.ended if self.ended is not None else now) - self.started)

    def detail(self) -> str:
        if self.total:
            return f"{self.done or 0}/{self.total}"
        if self.percent is not None:
            return f"{self.percent:g}%"
        return ""


@dataclass(frozen=True)
class FailureMatch:
    """A known failure the log names: the line (visible-safe, cut), what it means, the fix."""

    id: str
    line: str
    line_no: int
    meaning: str
    fix: str
    related: tuple[str, ...] = ()
    phase: str | None = None  # the phase the log was in (its id)
    override: Fix | None = None  # when the fix is a flag / env change
    phase_label: str | None = None  # … and its label, for the screen

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "line": self.line,
            "line_no": self.line_no,
            "meaning": self.meaning,
            "fix": self.fix,
            "related": list(self.related),
            "phase": self.phase,
            "override": None
            if self.override is None
            else {
                "label": self.override.label,
                "edits": [{"op": e.op, "name": e.name, "value": e.value} for e in self.override.edits],
            },
        }


def failure_fix(spec: FailureSpec) -> Fix | None:
    """The failure's edits as a lint Fix (applied as a Playground override), or None."""
    if not spec.edits:
        return None
    edits = []
    for e in spec.edits:
        for op in ("set_flag", "remove_flag", "set_env", "remove_env"):
            name = getattr(e, op)
            if name is not None:
                value = None if e.value is None else str(e.value)
                edits.append(Edit(op, name, value))  # type: ignore[arg-type]
    return Fix(spec.label or "; ".join(x.describe() for x in edits), tuple(edits))


@dataclass
class _Compiled:
    phases: list[tuple[list[re.Pattern[str]], list[re.Pattern[str]]]]
    ready: list[re.Pattern[str]]
    failures: list[tuple[FailureSpec, re.Pattern[str]]]
    any_failure: re.Pattern[str] | None


def _compile(run: RunFile | None, failures: FailuresFile | None) -> _Compiled:
    phases = [([re.compile(p) for p in s.start], [re.compile(p) for p in s.progress]) for s in run.phase] if run else []
    ready = [re.compile(p) for p in run.ready] if run else []
    specs = [(f, re.compile(f.regex)) for f in failures.failure] if failures else []
    # One search over every signature first: most lines match none, and that is one pass.
    any_failure = re.compile("|".join(f"(?:{f.regex})" for f, _ in specs)) if specs else None
    return _Compiled(phases, ready, specs, any_failure)


@dataclass
class LogWatch:
    """Feed it lines (`feed`); read `phases`, `current`, `ready`, `failure`."""

    run: RunFile | None
    failures: FailuresFile | None
    phases: list[PhaseProgress] = field(default_factory=list)
    current: int = -1  # index into phases; -1: none yet
    ready: bool = False
    failure: FailureMatch | None = None
    lines: int = 0
    _re: _Compiled | None = None

    def __post_init__(self) -> None:
        self._re = _compile(self.run, self.failures)
        self.phases = [PhaseProgress(s.id, s.label) for s in (self.run.phase if self.run else [])]

    @property
    def phase(self) -> PhaseProgress | None:
        return self.phases[self.current] if self.current >= 0 else None

    def feed(self, line: str, now: float) -> None:
        """One log line (without its newline); `now` stamps it unless the line has a time."""
        assert self._re is not None
        self.lines += 1
        line = line[:MAX_LINE]
        # tqdm redraws with carriage returns: the last state of the line is what it shows.
        if "\r" in line:
            line = line.rstrip("\r").rsplit("\r", 1)[-1]
        stamp = line_time(line) or now
        self._phase(line, stamp)
        if not self.ready and any(p.search(line) for p in self._re.ready):
            self.ready = True
        if self.failure is None and self._re.any_failure is not None and self._re.any_failure.search(line):
            self._failure(line)

    def _phase(self, line: str, stamp: float) -> None:
        assert self._re is not None
        for i in range(len(self.phases) - 1, max(self.current, 0) - 1, -1):
            starts, _ = self._re.phases[i]
            if i > self.current and any(p.search(line) for p in starts):
                self._enter(i, stamp)
                break
        if self.current < 0:
            return
        for p in self._re.phases[self.current][1]:
            m = p.search(line)
            if m:
                groups = m.groupdict()
                ph = self.phases[self.current]
                if groups.get("total"):
                    done = int(groups["done"]) if groups.get("done") else ph.done
                    total = int(groups["total"])
                    # Files download in parallel: a lower count of the same total is older news.
                    # A bar that starts again (a draft model's shards) starts from 0.
                    if done and ph.done and total == ph.total and done < ph.done:
                        done = ph.done
                    self.phases[self.current] = replace(ph, done=done, total=total)
                elif groups.get("percent"):
                    self.phases[self.current] = replace(ph, percent=float(groups["percent"]))
                break

    def _enter(self, index: int, stamp: float) -> None:
        for i in range(index):  # earlier phases are over (a skipped one stays unstarted)
            ph = self.phases[i]
            if ph.started is not None and ph.ended is None:
                self.phases[i] = replace(ph, ended=stamp)
        self.phases[index] = replace(self.phases[index], started=stamp)
        self.current = index

    def _failure(self, line: str) -> None:
        assert self._re is not None
        phase = self.phase.id if self.phase else None
        for spec, pattern in self._re.failures:
            if spec.phases and phase not in spec.phases:
                continue
            if pattern.search(line):
                shown = visible_line(line.strip())
                if len(shown) > SHOWN_LINE:
                    shown = shown[: SHOWN_LINE - 1] + "…"
                self.failure = FailureMatch(
                    spec.id,
                    shown,
                    self.lines,
                    spec.meaning,
                    spec.fix,
                    tuple(spec.related),
                    phase,
                    failure_fix(spec),
                    self.phase.label if self.phase else None,
                )
                return
