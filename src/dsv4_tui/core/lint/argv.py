"""Read an argv the way `argparse` reads it for `sglang serve`, without running argparse.

Each option token is looked up (exact, `--x=value`, unique prefix), then takes its values by
`nargs` from the tokens that follow and do not look like options (argparse's rule: a token
starting with `-` is an option unless it is a negative number or contains a space).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .table import FlagSpec, Lookup, SglangTable

_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")


@dataclass(frozen=True)
class Occurrence:
    """One option in the argv and the values it took."""

    index: int  # position of the option token in argv
    token: str  # the token as written (may hold `=value`)
    lookup: Lookup
    values: tuple[str, ...]
    explicit: bool  # the value came from `--x=value`
    missing: str | None = None  # why the values are incomplete ("expected one argument")

    @property
    def written(self) -> str:
        return self.lookup.written

    @property
    def spec(self) -> FlagSpec | None:
        return self.lookup.spec

    @property
    def negated(self) -> bool:
        return (
            self.lookup.option is not None
            and self.lookup.option.startswith("--no-")
            and self.spec is not None
            and self.lookup.option in self.spec.negations
        )


@dataclass(frozen=True)
class ParsedArgv:
    occurrences: tuple[Occurrence, ...]
    positionals: tuple[tuple[int, str], ...]  # tokens no option took: argparse rejects them


def is_option_token(table: SglangTable, token: str) -> bool:
    """argparse's `_parse_optional(token) is not None`, for this table."""
    if not token or token[0] != "-" or token == "-":
        return False
    if token in table.by_option:
        return True
    head = token.split("=", 1)[0]
    if "=" in token and head in table.by_option:
        return True
    if table.allow_abbrev and token.startswith("--") and table.prefix_matches(head, 1):
        return True
    if _NEGATIVE_NUMBER.match(token):
        return False
    return " " not in token


def _arity(spec: FlagSpec | None, removed_kind: str | None) -> str | int | None:
    """nargs of the option: 0 for switches; None for one value; '?', '*', '+' or N."""
    if spec is None:
        return 0 if removed_kind in ("switch", "error", "boolean_optional") else None
    if not spec.takes_value:
        return 0
    return spec.nargs


def _take(
    argv: tuple[str, ...], start: int, nargs: str | int | None, table: SglangTable
) -> tuple[tuple[str, ...], str | None]:
    """Values for an option at argv[start-1], and a message when too few follow."""
    free: list[str] = []
    i = start
    while i < len(argv) and not is_option_token(table, argv[i]) and argv[i] != "--":
        free.append(argv[i])
        i += 1
    if nargs is None:
        return (tuple(free[:1]), None) if free else ((), "expected one argument")
    if nargs == "?":
        return tuple(free[:1]), None
    if nargs == "*":
        return tuple(free), None
    if nargs == "+":
        return (tuple(free), None) if free else ((), "expected at least one argument")
    if isinstance(nargs, int):
        if len(free) < nargs:
            return tuple(free), f"expected {nargs} arguments"
        return tuple(free[:nargs]), None
    return tuple(free[:1]), None


def parse_argv(table: SglangTable, argv: tuple[str, ...]) -> ParsedArgv:
    occurrences: list[Occurrence] = []
    positionals: list[tuple[int, str]] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            positionals += [(j, t) for j, t in enumerate(argv[i + 1 :], start=i + 1)]
            break
        if not is_option_token(table, token):
            positionals.append((i, token))
            i += 1
            continue
        lookup = table.lookup(token)
        removed = table.removed.get(lookup.written)
        nargs = _arity(lookup.spec, removed.kind if removed else None)
        if lookup.status in ("unknown", "ambiguous") and removed is None:
            nargs = "?"  # unknown: let it take one value, so the value is not reported on its own
        if lookup.explicit is not None:
            occurrences.append(Occurrence(i, token, lookup, (lookup.explicit,), True))
            i += 1
            continue
        if nargs == 0:
            occurrences.append(Occurrence(i, token, lookup, (), False))
            i += 1
            continue
        values, missing = _take(argv, i + 1, nargs, table)
        occurrences.append(Occurrence(i, token, lookup, values, False, missing))
        i += 1 + len(values)
    return ParsedArgv(tuple(occurrences), tuple(positionals))
