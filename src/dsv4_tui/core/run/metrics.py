"""The server's Prometheus /metrics, parsed into the few numbers the Run tab charts.

`parse_prometheus` reads the text exposition format (`name{labels} value [timestamp]`),
summing a name over its label sets (one per DP rank or model). `MetricsHistory` keeps the
last HISTORY samples (a fixed size) and derives TTFT over each interval from the
histogram's _sum and _count.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from .schema import MetricNames

HISTORY = 60  # samples kept (2 minutes at one every 2 s)
MAX_LINES = 20_000  # lines of /metrics read at most


def parse_prometheus(text: str, wanted: set[str]) -> dict[str, float]:
    """{name: sum of its values} for the names in `wanted` present in `text`."""
    out: dict[str, float] = {}
    for n, raw in enumerate(text.splitlines()):
        if n >= MAX_LINES:
            break
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        brace = line.find("{")
        space = line.find(" ")
        if brace != -1 and (space == -1 or brace < space):
            name, rest = line[:brace], line[line.rfind("}") + 1 :]
        else:
            name, _, rest = line.partition(" ")
        if name not in wanted:
            continue
        parts = rest.split()
        if not parts:
            continue
        try:
            value = float(parts[0])
        except ValueError:
            continue
        if math.isfinite(value):
            out[name] = out.get(name, 0.0) + value
    return out


@dataclass(frozen=True)
class Sample:
    throughput: float | None  # generated tokens / s
    running: float | None
    queued: float | None
    kv_usage: float | None  # 0..1
    ttft_s: float | None  # mean over the last interval (None: no request in it)


@dataclass
class MetricsHistory:
    names: MetricNames
    samples: deque[Sample] = field(default_factory=lambda: deque(maxlen=HISTORY))
    _last_ttft: tuple[float, float] | None = None

    @property
    def wanted(self) -> set[str]:
        n = self.names
        return {n.throughput, n.running, n.queued, n.kv_usage, n.ttft_sum, n.ttft_count}

    def add(self, text: str) -> Sample:
        values = parse_prometheus(text, self.wanted)
        n = self.names
        ttft = None
        if n.ttft_sum in values and n.ttft_count in values:
            now = (values[n.ttft_sum], values[n.ttft_count])
            if self._last_ttft is not None and now[1] > self._last_ttft[1]:
                ttft = (now[0] - self._last_ttft[0]) / (now[1] - self._last_ttft[1])
            elif self._last_ttft is None and now[1] > 0:
                ttft = now[0] / now[1]
            self._last_ttft = now
        sample = Sample(
            values.get(n.throughput), values.get(n.running), values.get(n.queued), values.get(n.kv_usage), ttft
        )
        self.samples.append(sample)
        return sample

    @property
    def last(self) -> Sample | None:
        return self.samples[-1] if self.samples else None

    def series(self, key: str) -> list[float]:
        return [getattr(s, key) or 0.0 for s in self.samples]
