"""Following one run: its log (LogTail → LogWatch), /health, the probe, /metrics.

`Follower.step()` does one round and returns the RunView to show; the caller (a worker
thread of the app, or `dsv4 watch`) calls it every POLL seconds. /health is asked every
HEALTH_EVERY seconds (and at once when the log says the server is up); when it answers, the
probe runs once in its own thread (host/probe.py: first token, its time, the served model);
then /metrics every METRICS_EVERY seconds. Nothing here blocks for longer than a timeout.
"""

from __future__ import annotations

import asyncio
import threading
import time

from ...core.rules import Rules
from ...core.run.metrics import MetricsHistory
from ...core.run.plan import Target, ago
from ...core.run.view import RunView, headline, phase_rows
from ...core.run.watch import LogWatch
from ..probe import ProbeReport, run_probe
from . import poll
from .follow import LogTail
from .store import RunRecord, all_runs, is_running, load, state_of

POLL = 0.5
HEALTH_EVERY = 5.0
METRICS_EVERY = 2.0
PROBE_DEADLINE = 30.0
PROBE_TOKENS = 16


class Follower:
    def __init__(self, rules: Rules, record: RunRecord, *, probe_deadline: float = PROBE_DEADLINE):
        self.rules = rules
        self.record = record
        self.target = Target(record.host, record.port)
        self.tail = LogTail.attach(record.log)
        self.watch = LogWatch(rules.run, rules.failures)
        self.history = MetricsHistory(rules.run.metrics) if rules.run else None
        self.probe_deadline = probe_deadline
        self.healthy = False
        self.probe: ProbeReport | None = None
        self._probe_thread: threading.Thread | None = None
        self.metrics_note = ""
        self.state = "running"
        self._next_health = 0.0
        self._next_metrics = 0.0
        self._ended = False

    # -- one round -----------------------------------------------------------------------
    def step(self, now: float | None = None) -> RunView:
        now = time.time() if now is None else now
        self._read(now)
        alive = is_running(self.record)
        if not alive and not self._ended:
            self._read(now)  # what it wrote last
            last = self.tail.flush()
            if last is not None:
                self.watch.feed(last, now)
            self._ended = True
        if not alive:
            self.record = load(self.record.folder) or self.record  # `dsv4 stop` marked it
        self.state = state_of(self.record) if not alive else "running"
        if alive:
            self._server(now)
        return self.view(now)

    def _read(self, now: float) -> None:
        for line in self.tail.read_lines():
            self.watch.feed(line, now)

    def _server(self, now: float) -> None:
        host, port = self.target.probe_host, self.record.port
        if not self.healthy and (self.watch.ready or now >= self._next_health):
            self._next_health = now + HEALTH_EVERY
            self.healthy = poll.healthy(host, port)
        if self.healthy and self._probe_thread is None:
            self._probe_thread = threading.Thread(target=self._run_probe, daemon=True, name="run-probe")
            self._probe_thread.start()
        if self.healthy and self.probe is not None and self.history is not None and now >= self._next_metrics:
            self._next_metrics = now + METRICS_EVERY
            got = poll.metrics(host, port)
            if got.status == 200:
                self.history.add(got.text)
                self.metrics_note = ""
            elif got.status == 404:
                self.metrics_note = "the server has no /metrics: add --enable-metrics to the command"
            else:
                self.metrics_note = got.problem or f"/metrics answered HTTP {got.status}"

    def _run_probe(self) -> None:
        model = self.record.model or ""
        report = asyncio.run(
            run_probe(
                self.target.probe_host,
                self.record.port,
                model,
                timeout=5.0,
                deadline=self.probe_deadline,
                max_tokens=PROBE_TOKENS,
            )
        )
        self.probe = report

    def wait_probe(self, timeout: float) -> None:
        if self._probe_thread is not None:
            self._probe_thread.join(timeout)

    # -- the view ------------------------------------------------------------------------
    def view(self, now: float) -> RunView:
        r = self.record
        if self.probe is not None:
            probe, note = tuple(self.probe.summary_lines()), ""
        elif self.healthy:
            probe, note = (), "/health answers: probing…"
        elif self.state == "running":
            probe, note = (), "waiting for /health"
        else:
            probe, note = (), ""
        series = {}
        sample = None
        if self.history is not None and self.history.samples:
            sample = self.history.last
            series = {
                k: tuple(self.history.series(k)) for k in ("throughput", "running", "queued", "kv_usage", "ttft_s")
            }
        return RunView(
            run_id=r.id,
            state=self.state,
            headline=headline(self.watch, self.state, self.healthy and self.probe is not None and self.probe.ok),
            port=r.port,
            age=ago(now - r.started),
            command=r.command,
            log=str(r.log),
            phases=phase_rows(self.watch, now),
            probe=probe,
            probe_note=note,
            metrics_note=self.metrics_note,
            sample=sample,
            series=series,
            failure=self.watch.failure,
            skipped=self.tail.skipped,
            runs=tuple(runs_lines(now)),
        )


def runs_lines(now: float | None = None) -> list[str]:
    """One line per run recorded here, newest first: id, state, port, age."""
    now = time.time() if now is None else now
    out = []
    for r in reversed(all_runs()):
        out.append(f"{r.id}  {state_of(r):10} port {r.port:<5}  {ago(now - r.started)} ago")
    return out
