"""What the lint engine takes (a context) and gives (findings with fixes, in a report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal["error", "warning", "info"]
LEVELS: tuple[Level, ...] = ("error", "warning", "info")
EditOp = Literal["set_flag", "remove_flag", "set_env", "remove_env"]


@dataclass(frozen=True)
class Edit:
    """One change to a command. `set_flag` with value None sets a switch (no value)."""

    op: EditOp
    name: str
    value: str | None = None

    def describe(self) -> str:
        if self.op == "set_flag":
            return f"set {self.name}" + (f" {self.value}" if self.value is not None else "")
        if self.op == "set_env":
            return f"set {self.name}={self.value}"
        return f"remove {self.name}"


@dataclass(frozen=True)
class Fix:
    label: str
    edits: tuple[Edit, ...]

    def describe(self) -> str:
        return "; ".join(e.describe() for e in self.edits)


@dataclass(frozen=True)
class Finding:
    id: str
    level: Level
    message: str
    subject: str  # the flag or env it concerns, as written in the command
    source: str  # the page section, or the SGLang source / table it comes from
    fixes: tuple[Fix, ...] = ()
    reason: str | None = field(default=None, compare=False)  # the rule's short line for the user
    note: str = ""  # a known refusal's explanation (rules/checks.toml [[known_refusal]] why)
    note_short: str = ""  # the same in a few words, for the checks line

    @property
    def fix(self) -> Fix | None:
        return self.fixes[0] if self.fixes else None

    @property
    def short(self) -> str:
        """Why, in one line: the rule's `reason`, else the message's first sentence."""
        if self.reason:
            return self.reason
        head = self.message.split(": ", 1)[0] if len(self.message) > 120 else self.message
        return head.rstrip(".")


@dataclass(frozen=True)
class Skipped:
    check_id: str
    reason: str


@dataclass(frozen=True)
class LintContext:
    """What is known around one command; every field is optional (unknown → checks skipped)."""

    hw: str | None = None
    vendor: str | None = None
    arch: str | None = None
    gpus_per_node: int | None = None
    nodes: int | None = None
    role: Literal["prefill", "decode"] | None = None
    framing: Literal["python", "docker"] | None = None
    docker_args: tuple[str, ...] = ()
    docker_image: str | None = None
    variant: str | None = None

    def value(self, key: str) -> object:
        return getattr(self, key, None)


CONTEXT_KEYS = ("hw", "vendor", "arch", "gpus_per_node", "nodes", "role", "framing", "docker_image", "variant")


@dataclass(frozen=True)
class LintReport:
    """The findings for one command, and how many checks ran or were skipped."""

    findings: tuple[Finding, ...]
    checked: int
    skipped: tuple[Skipped, ...]
    checked_against: str  # e.g. "bundled table for SGLang 0.5.23"
    line: int | None = None  # where the command starts in a text, when parsed from one
    launcher: str = "sglang serve"
    env: tuple[str, ...] = field(default=(), compare=False)
    argv: tuple[str, ...] = field(default=(), compare=False)

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level == level)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def has_errors(self) -> bool:
        return any(f.level == "error" for f in self.findings)
