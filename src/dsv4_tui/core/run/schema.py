"""The schema of rules/run.toml (phases, metrics) and rules/failures.toml (failure signatures).

    # run.toml
    [[phase]]
    id = "loading"                       # downloading | loading | capturing | ready (in order)
    label = "Loading weights"
    start = ['Load weight begin']        # a line matching one of these enters the phase
    progress = ['(?P<done>\\d+)/(?P<total>\\d+) \\[']   # optional: done / total, or (?P<percent>…)
    [metrics]
    throughput = "sglang:gen_throughput" # Prometheus names the Run tab charts
    …

    # failures.toml
    [[failure]]
    id = "cuda-oom-graph"
    regex = 'CUDA out of memory'
    phases = ["capturing"]               # optional: only while in these phases
    meaning = "…"                        # one line
    fix = "…"                            # one line
    related = ["lint:…", "doctor:…"]     # the lint rule or doctor check it relates to
    edits = [{ set_flag = "--cuda-graph-max-bs", value = "16" }]   # the override it applies

Every regular expression must be safe to run on any log line in linear time: no nested
quantifiers (a quantified group that holds a quantifier), no backreferences, no lookaround.
Lines are cut to MAX_LINE characters before they are matched.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Annotated

from ..lint.checks_model import EditSpec
from ..pydantic_hooks import After, MinLen, Pattern, Strict, record, validate_python

MAX_LINE = 2000  # characters of a log line that are matched (the rest is ignored)
MAX_PATTERN = 300
_ID = r"^[a-z0-9][a-z0-9-]*$"
_RELATED = r"^(lint|doctor):[a-z0-9][a-z0-9.-]*$"
METRIC_KEYS = ("throughput", "running", "queued", "kv_usage", "ttft_sum", "ttft_count")


def unsafe_regex(pattern: str) -> str | None:
    """Why `pattern` could take more than linear time (or does not compile); None when safe.

    A small scanner over the pattern's text: it tracks, for each open group, whether it holds
    a quantifier or an alternation, and refuses a quantifier right after such a group
    (`(a+)+`, `(a|ab)*`), backreferences and lookaround. Classes and escapes are skipped."""
    if len(pattern) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN} characters"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"not a regular expression: {exc}"
    stack: list[bool] = [False]  # per open group: holds a quantifier or an alternation
    i, n = 0, len(pattern)
    risky_group = False  # the token just before is a group that holds one
    while i < n:
        ch = pattern[i]
        after_risky, risky_group = risky_group, False
        if ch == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt.isdigit() and nxt != "0":
                return "a backreference"
            i += 2
        elif ch == "[":
            j = i + 1
            j += pattern[j : j + 1] == "^"
            j += pattern[j : j + 1] == "]"
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
        elif ch == "(":
            head = pattern[i + 1 : i + 4]
            if head.startswith(("?=", "?!")) or head in ("?<=", "?<!"):
                return "lookaround"
            if head == "?P=":
                return "a backreference"
            stack.append(False)
            i += 1
        elif ch == ")":
            risky_group = stack.pop()
            stack[-1] = stack[-1] or risky_group
            i += 1
        elif ch == "|":
            stack[-1] = True
            i += 1
        elif ch in "*+?" or (ch == "{" and re.match(r"\{\d*(,\d*)?\}", pattern[i:])):
            if ch == "?" and i > 0 and pattern[i - 1] in "*+?}":
                i += 1  # a lazy modifier, not a new quantifier
                continue
            if after_risky:
                return "a nested quantifier (a quantified group that holds a quantifier or an alternation)"
            stack[-1] = True
            i = pattern.index("}", i) + 1 if ch == "{" else i + 1
        else:
            i += 1
    return None


def _check_regex(pattern: str, where: str = "pattern") -> str:
    why = unsafe_regex(pattern)
    if why:
        raise ValueError(f"{where} {pattern!r} is not linear-time safe: {why}")
    return pattern


SafeRegex = Annotated[str, After(_check_regex)]  # reported at the pattern's own key and line


@record
class PhaseSpec(Strict):
    id: Annotated[str, Pattern(_ID)]
    label: str
    start: Annotated[list[SafeRegex], MinLen(1)]
    progress: list[SafeRegex] = field(default_factory=list)

    def __post_init__(self) -> None:
        for p in self.progress:
            groups = set(re.compile(p).groupindex)
            if not ({"done", "total"} <= groups or "percent" in groups):
                raise ValueError(
                    f"progress pattern {p!r} needs the groups (?P<done>…) and (?P<total>…), or (?P<percent>…)"
                )


@record
class MetricNames(Strict):
    throughput: str
    running: str
    queued: str
    kv_usage: str
    ttft_sum: str
    ttft_count: str
    prompt_tokens: str = ""
    generation_tokens: str = ""


@record
class RunFile(Strict):
    phase: Annotated[list[PhaseSpec], MinLen(1)]
    metrics: MetricNames
    ready: Annotated[list[SafeRegex], MinLen(1)]  # a line matching one of these: the server is up

    def __post_init__(self) -> None:
        ids = [p.id for p in self.phase]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate phase id: {', '.join(dupes)}")


@record
class FailureSpec(Strict):
    id: Annotated[str, Pattern(_ID)]
    regex: SafeRegex
    meaning: str
    fix: str
    related: list[Annotated[str, Pattern(_RELATED)]] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    edits: list[EditSpec] = field(default_factory=list)
    label: str = ""  # the fix as a button: "lower --mem-fraction-static"

    def __post_init__(self) -> None:
        for e in self.edits:
            if e.solve:
                raise ValueError("a failure's edit takes a value, not solve")


@record
class FailuresFile(Strict):
    failure: Annotated[list[FailureSpec], MinLen(1)]

    def __post_init__(self) -> None:
        ids = [f.id for f in self.failure]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate failure id: {', '.join(dupes)}")


def parse_run(data: dict) -> RunFile:
    return validate_python(RunFile, data)


def parse_failures(data: dict) -> FailuresFile:
    return validate_python(FailuresFile, data)
