"""The facts the model rules read: flags by canonical name, env, context, docker options."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .argv import ParsedArgv
from .docker import docker_options
from .envchecks import split_env
from .findings import LintContext
from .table import SglangTable

_BARE_FLAG = re.compile(r"^--[A-Za-z0-9][\w-]*$")


@dataclass(frozen=True)
class Facts:
    table: SglangTable
    flags: Mapping[str, str | None]  # canonical option → its last value (None: a switch that is on)
    off: frozenset[str]  # boolean options turned off with --no-x
    env: Mapping[str, str]
    context: LintContext
    docker: Mapping[str, tuple[str, ...]]


def canonical_name(table: SglangTable, option: str) -> str:
    """The primary option a rule means by `option` (alias, prefix or a removed name's replacement)."""
    spec = table.spec(option)
    if spec is not None:
        return spec.primary
    removed = table.removed.get(option)
    if (
        removed is not None
        and removed.replacement
        and _BARE_FLAG.match(removed.replacement)
        and removed.replacement_flag
    ):
        replacement = table.spec(removed.replacement_flag)
        return replacement.primary if replacement else removed.replacement_flag
    return option


def build_facts(table: SglangTable, parsed: ParsedArgv, env: Sequence[str], context: LintContext) -> Facts:
    flags: dict[str, str | None] = {}
    off: set[str] = set()
    for occ in parsed.occurrences:
        if occ.spec is not None:
            name = occ.spec.primary
        else:
            name = canonical_name(table, occ.written)
            if name == occ.written:
                continue
        if occ.negated:
            off.add(name)
            flags.pop(name, None)
            continue
        off.discard(name)
        flags[name] = occ.values[-1] if occ.values else None
    env_map: dict[str, str] = {}
    for entry in env:
        name, value = split_env(entry)
        env_map[table.canonical_env(name)] = value
    return Facts(table, flags, frozenset(off), env_map, context, docker_options(context.docker_args))
