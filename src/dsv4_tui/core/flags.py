"""Reading and editing a command's flags (`"--tp 4"` strings) and env (`"NAME=VALUE"`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

_NAME_END = re.compile(r"[ =]")


@lru_cache(maxsize=4096)
def flag_name(flag: str) -> str:
    """The first token of a flag, split at space or `=` (cached: a Playground recompute asks
    this of the same few hundred flags tens of thousands of times)."""
    end = _NAME_END.search(flag)
    return flag if end is None else flag[: end.start()]


def flag_value(flags: Sequence[str], name: str) -> str | None:
    """The value of the first flag named `name` ("" for a switch), None when absent."""
    for f in flags:
        if flag_name(f) == name:
            return f[len(name) :].lstrip(" =")
    return None


def has_flag(flags: Sequence[str], name: str) -> bool:
    return any(flag_name(f) == name for f in flags)


def env_name(entry: str) -> str:
    """`NAME` of a `NAME=VALUE` env entry."""
    return entry.split("=", 1)[0]


def index_after(flags: Sequence[str], anchors: Sequence[str]) -> int:
    """Position right after the first flag named anchors[0], else anchors[1], …, else at the end."""
    for a in anchors:
        for i, f in enumerate(flags):
            if flag_name(f) == a:
                return i + 1
    return len(flags)


def index_after_last(flags: Sequence[str], names: Sequence[str]) -> int | None:
    """Position right after the last flag whose name is one of `names`; None when none is."""
    hits = [i for i, f in enumerate(flags) if flag_name(f) in names]
    return hits[-1] + 1 if hits else None


def insert_after(flags: Sequence[str], anchors: Sequence[str], new: Sequence[str]) -> list[str]:
    """Put `new` right after the first flag named by `anchors` (in order), else at the end."""
    at = index_after(flags, anchors)
    return [*flags[:at], *new, *flags[at:]]


def insert_before(flags: Sequence[str], prefix: str, new: Sequence[str]) -> list[str]:
    """Put `new` right before the first flag starting with `prefix` (else at the end)."""
    at = next((i for i, f in enumerate(flags) if f.startswith(prefix)), len(flags))
    return [*flags[:at], *new, *flags[at:]]


def strip_flags(flags: Sequence[str], *names: str) -> list[str]:
    """Drop every flag whose first token (split at space or `=`) is one of `names`."""
    return [f for f in flags if flag_name(f) not in names]


def strip_flag_prefix(flags: Sequence[str], prefix: str) -> list[str]:
    """Drop every flag whose name starts with `prefix` (e.g. `--speculative-`)."""
    return [f for f in flags if not flag_name(f).startswith(prefix)]


def strip_env(env: Sequence[str], *names: str) -> list[str]:
    """Drop every env entry whose name (before `=`) is one of `names`."""
    return [e for e in env if env_name(e) not in names]


def matches(constraint: Mapping[str, Sequence[Any]] | None, ctx: Mapping[str, Any]) -> bool:
    """A constraint `{key: [values]}` matches when every key matches one of its values."""
    return constraint is not None and all(ctx.get(k) in vs for k, vs in constraint.items())


Edit = tuple[str, str, "str | None"]  # (op, name, value): set_flag / remove_flag / set_env / remove_env


def apply_edits(env: Sequence[str], flags: Sequence[str], edits: Sequence[Edit], before: str) -> tuple[list, list]:
    """(env, flags) with `edits` applied, names matched exactly. A set flag replaces the first
    flag of that name in place, else goes right before the first flag starting with `before`;
    a set env replaces its entry in place, else is appended."""
    env, flags = list(env), list(flags)
    for op, name, value in edits:
        if op == "set_flag":
            new = name if value is None else f"{name} {value}"
            at = next((i for i, f in enumerate(flags) if flag_name(f) == name), None)
            flags = (
                insert_before(flags, before, [new])
                if at is None
                else [*flags[:at], new, *strip_flags(flags[at:], name)]
            )
        elif op == "remove_flag":
            flags = strip_flags(flags, name)
        elif op == "set_env":
            at = next((i for i, e in enumerate(env) if env_name(e) == name), None)
            entry = f"{name}={value or ''}"
            env = [*env, entry] if at is None else [*env[:at], entry, *strip_env(env[at:], name)]
        elif op == "remove_env":
            env = strip_env(env, name)
    return env, flags
