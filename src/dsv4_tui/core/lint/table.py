"""A flag/env table ready for linting: indexes built once per table, lookups in O(log n).

`SglangTable.from_dict(data, label)` takes the JSON written by extract.py (bundled, or
extracted from the SGLang installed here). Option lookup follows argparse with
`allow_abbrev=True`: an exact option string first, then `--x=value`, then every option string
that starts with the prefix (one: an abbreviation; several: ambiguous).
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

MAX_PER_KIND = 20  # findings of one id listed per command; the rest are counted in one line
MATCHES_SHOWN = 8  # an ambiguous prefix names at most this many options (`--` matches them all)
SUGGESTIONS_MAX = 50  # unknown flags that get a "did you mean" (difflib is slow on many)
SWITCH_KINDS = frozenset({"switch", "boolean_optional", "help", "error"})


@dataclass(frozen=True)
class FlagSpec:
    primary: str
    options: tuple[str, ...]
    negations: tuple[str, ...]
    dest: str
    kind: str  # value | switch | boolean_optional | help | error
    type: str  # int | float | str | json | human_int | bool | custom:<name>
    nargs: str | int | None
    choices: tuple[Any, ...] | None
    default: Any
    has_default: bool
    deprecated: Mapping[str, Any] | None
    help: str
    origin: str
    error_message: str | None = None
    required: bool = False

    @property
    def takes_value(self) -> bool:
        return self.kind not in SWITCH_KINDS


@dataclass(frozen=True)
class RemovedFlag:
    option: str
    replacement: str | None
    replacement_flag: str | None
    was: str | None
    last_seen: str | None
    kind: str
    source: str | None


@dataclass(frozen=True)
class EnvSpec:
    name: str
    type: str
    default: Any
    computed: bool


@dataclass(frozen=True)
class Lookup:
    """How argparse would read one option token."""

    status: Literal["exact", "abbrev", "ambiguous", "unknown"]
    written: str  # the option part as written (before '=')
    explicit: str | None  # the '=value' part
    spec: FlagSpec | None = None
    option: str | None = None  # the option string it resolved to
    matches: tuple[str, ...] = ()


def _flag_spec(primary: str, entry: Mapping[str, Any]) -> FlagSpec:
    choices = entry.get("choices")
    return FlagSpec(
        primary=primary,
        options=tuple(entry["options"]),
        negations=tuple(entry.get("negations", ())),
        dest=entry.get("dest", ""),
        kind=entry.get("kind", "value"),
        type=entry.get("type", "str"),
        nargs=entry.get("nargs"),
        choices=tuple(choices) if choices else None,
        default=entry["fallback"] if entry.get("default") is None and "fallback" in entry else entry.get("default"),
        has_default="default" in entry or "fallback" in entry,
        deprecated=entry.get("deprecated"),
        help=entry.get("help", ""),
        origin=entry.get("origin", ""),
        error_message=entry.get("error_message"),
        required=bool(entry.get("required")),
    )


class SglangTable:
    """Indexes over one SGLang table. Build it once and reuse it: lint calls only read it."""

    def __init__(self, data: Mapping[str, Any], label: str | None = None):
        self.version: str = str(data.get("sglang", {}).get("version", "?"))
        self.label = label or f"bundled table for SGLang {self.version}"
        self.allow_abbrev: bool = bool(data.get("parser", {}).get("allow_abbrev", True))
        self.by_option: dict[str, FlagSpec] = {}
        self.negated: frozenset[str]
        negated: set[str] = set()
        for primary, entry in data.get("flags", {}).items():
            spec = _flag_spec(primary, entry)
            for opt in spec.options:
                self.by_option[opt] = spec
            for opt in spec.negations:
                self.by_option[opt] = spec
                negated.add(opt)
        self.negated = frozenset(negated)
        self.sorted_options: tuple[str, ...] = tuple(sorted(self.by_option))
        self._lookups: dict[str, Lookup] = {}
        self.removed: dict[str, RemovedFlag] = {
            opt: RemovedFlag(
                opt,
                r.get("replacement"),
                r.get("replacement_flag"),
                r.get("was"),
                r.get("last_seen"),
                r.get("kind", "value"),
                r.get("source"),
            )
            for opt, r in data.get("removed_flags", {}).items()
        }
        self.envs: dict[str, EnvSpec] = {
            name: EnvSpec(name, e.get("type", "str"), e.get("default"), bool(e.get("default_computed")))
            for name, e in data.get("envs", {}).items()
        }
        self.deprecated_envs: dict[str, Mapping[str, Any]] = dict(data.get("deprecated_envs", {}))
        self.removed_envs: dict[str, Mapping[str, Any]] = dict(data.get("removed_envs", {}))
        self.legacy_env_prefix: dict[str, str] = dict(data.get("legacy_env_prefix", {}))
        self.parser_rules: Mapping[str, Any] = dict(data.get("parser_rules", {}))
        self.required_flags: tuple[FlagSpec, ...] = tuple(
            sorted({s.primary: s for s in self.by_option.values() if s.required}.values(), key=lambda s: s.primary)
        )
        self.by_dest: dict[str, FlagSpec] = {}
        for spec in self.by_option.values():
            if spec.deprecated is None and spec.kind != "error":
                self.by_dest.setdefault(spec.dest, spec)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], label: str | None = None) -> SglangTable:
        return cls(data, label)

    def prefix_matches(self, prefix: str, limit: int | None = None) -> tuple[str, ...]:
        """The option strings starting with `prefix`, in order; at most `limit` of them."""
        i = bisect.bisect_left(self.sorted_options, prefix)
        out: list[str] = []
        while (
            (limit is None or len(out) < limit)
            and i < len(self.sorted_options)
            and self.sorted_options[i].startswith(prefix)
        ):
            out.append(self.sorted_options[i])
            i += 1
        return tuple(out)

    def lookup(self, token: str) -> Lookup:
        """Read an option token (`--tp`, `--tp-size=4`) the way argparse does (memoised: a
        text may repeat one token 10⁵ times)."""
        found = self._lookups.get(token)
        if found is None:
            if len(self._lookups) >= 4096:
                self._lookups.clear()
            found = self._lookups[token] = self._lookup(token)
        return found

    def _lookup(self, token: str) -> Lookup:
        if token in self.by_option:
            return Lookup("exact", token, None, self.by_option[token], token)
        written, sep, value = token.partition("=")
        explicit = value if sep else None
        if sep and written in self.by_option:
            return Lookup("exact", written, explicit, self.by_option[written], written)
        if self.allow_abbrev and written.startswith("--"):
            matches = self.prefix_matches(written, MATCHES_SHOWN + 1)
            if len(matches) == 1:
                return Lookup("abbrev", written, explicit, self.by_option[matches[0]], matches[0])
            if len(matches) > 1:
                return Lookup("ambiguous", written, explicit, matches=matches)
        return Lookup("unknown", written, explicit)

    def spec(self, option: str) -> FlagSpec | None:
        """The flag an option (exact, or a unique prefix) names."""
        found = self.lookup(option)
        return found.spec if found.status in ("exact", "abbrev") else None

    @cached_property
    def _suggestion_pool(self) -> list[str]:
        return [o for o in self.sorted_options if o.startswith("--")]

    def suggest(self, option: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(option, self._suggestion_pool, n=n, cutoff=0.6)

    def env(self, name: str) -> EnvSpec | None:
        return self.envs.get(name)

    def canonical_env(self, name: str) -> str:
        """The name SGLang reads: legacy prefixes (SGL_ → SGLANG_) rewritten."""
        for old, new in self.legacy_env_prefix.items():
            if name.startswith(old) and name not in self.deprecated_envs:
                return new + name[len(old) :]
        return name
