"""The engine's anchors and the greyed-out rules, shared by every card."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..flags import insert_after, insert_before, matches
from ..rules import Rules
from ..schema_playground import DisableIf


class Editor:
    """The engine's anchors: "after A, B, …" falls back to the model path flag, and
    "before host" is right before the first flag starting with the host flag."""

    def __init__(self, rules: Rules):
        self.model_path = rules.model.engine.model_path_flag
        self.host = rules.model.engine.host_flag
        self.port = rules.model.engine.port_flag

    def after(self, flags: Sequence[str], anchors: Sequence[str], new: Sequence[str]) -> list[str]:
        return insert_after(flags, [*anchors, self.model_path], new)

    def before_host(self, flags: Sequence[str], new: Sequence[str]) -> list[str]:
        return insert_before(flags, self.host, new)


def knob_disabled(knob: Any, ctx: Mapping[str, Any]) -> DisableIf | None:
    """The first `disable_if` of a whole knob that matches (the pick then changes nothing)."""
    return next((d for d in getattr(knob, "disable_if", ()) if matches(d.when, ctx)), None)


def disable_reason(o: Any, ctx: Mapping[str, Any]) -> str | None:
    """Why option `o` is greyed for `ctx` (None: it is not)."""
    if o.disabled or matches(o.disable, ctx):
        return o.reason or ""
    return next((d.reason for d in o.disable_if if matches(d.when, ctx)), None)


def disabled(o: Any, ctx: Mapping[str, Any]) -> bool:
    return disable_reason(o, ctx) is not None
