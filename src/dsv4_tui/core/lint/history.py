"""Deprecation history across SGLang tables, and what differs between two tables.

`merge_history(table, older, renames)` records in `table["removed_flags"]` every long option an
older table knew and this one does not: a deprecated alias maps to its replacement; a flag whose
`dest` lives on under another name maps to that name; `renames` adds facts no table shows (e.g.
the page's `--enable-deepep-waterfill` → `--enable-waterfill`). Env vars likewise go to
`removed_envs`. Both the tables written by extract.py and the older reference format
(`flags: [{option_strings: …}]`, `envs: [{name: …}]`) are accepted.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .extract import counts

_FLAG_NAME = re.compile(r"--[A-Za-z0-9][\w-]*[A-Za-z0-9]")


def _old_kind(type_text: str) -> str:
    if "takes a value" in type_text:
        return "value"
    if type_text.startswith("flag (no value; deprecated/removed)"):
        return "error"
    if type_text.startswith(("bool", "flag")):
        return "boolean_optional" if "BooleanOptional" in type_text else "switch"
    return "value"


def _old_type(type_text: str) -> str:
    word = type_text.split(" ")[0]
    return {
        "json.loads": "json",
        "json_list_type": "json",
        "human_readable_int": "human_int",
        "nullable_str": "str",
    }.get(word, word if word in ("int", "float", "str") else ("bool" if word in ("bool", "flag") else f"custom:{word}"))


def flat_flags(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """option string → {primary, dest, kind, type, choices, default?, deprecated}; both formats."""
    out: dict[str, dict[str, Any]] = {}
    flags = table.get("flags", {})
    if isinstance(flags, dict):
        for primary, entry in flags.items():
            info = {k: entry.get(k) for k in ("dest", "kind", "type", "choices", "deprecated")}
            info["primary"] = primary
            if "default" in entry:
                info["default"] = entry["default"]
            for opt in [*entry["options"], *entry.get("negations", [])]:
                out[opt] = info
        return out
    for entry in flags:
        deprecated = None
        if entry.get("deprecated"):
            deprecated = {"replacement": entry["replacement"]} if entry.get("replacement") else {}
        info = {
            "primary": entry["option_strings"][0],
            "dest": entry.get("dest"),
            "kind": _old_kind(entry.get("type", "str")),
            "type": _old_type(entry.get("type", "str")),
            "choices": entry.get("choices"),
            "deprecated": deprecated,
            "default": entry.get("default"),
        }
        for opt in entry["option_strings"]:
            out[opt] = info
    return out


def flat_envs(table: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(envs, deprecated envs) in the dict format, from either format."""
    envs = table.get("envs", {})
    if isinstance(envs, list):
        envs = {e["name"]: {k: v for k, v in e.items() if k in ("type", "default")} for e in envs}
    deprecated = table.get("deprecated_envs", {})
    if isinstance(deprecated, list):
        deprecated = {e["name"]: {k: v for k, v in e.items() if k in ("replacement", "note")} for e in deprecated}
    return dict(envs), dict(deprecated)


def table_label(table: Mapping[str, Any]) -> str:
    if "sglang" in table:
        return f"SGLang {table['sglang'].get('version', '?')}"
    commit = str(table.get("source", {}).get("commit", "?"))[:8]
    return f"SGLang commit {commit}"


def _current_options(table: Mapping[str, Any]) -> set[str]:
    return {o for e in table["flags"].values() for o in [*e["options"], *e.get("negations", [])]}


def _removed_record(info: Mapping[str, Any], label: str, by_dest: Mapping[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {"last_seen": label, "kind": info.get("kind") or "value"}
    deprecated = info.get("deprecated")
    if deprecated is not None and deprecated.get("replacement"):
        record["replacement"] = deprecated["replacement"]
        record["was"] = "a deprecated alias"
    elif info.get("dest") in by_dest:
        record["replacement"] = by_dest[info["dest"]]
        record["was"] = "renamed (same setting)"
    elif deprecated is not None:
        record["was"] = "deprecated"
    return record


def _resolve_chain(removed: dict[str, dict[str, Any]], current: set[str]) -> None:
    """Point `replacement_flag` at a flag of this table, following removed → removed chains."""
    for record in removed.values():
        seen: set[str] = set()
        text = record.get("replacement")
        while text:
            m = _FLAG_NAME.match(text)
            name = m.group(0) if m else None
            if name in current:
                record["replacement_flag"] = name
                if text != record["replacement"]:
                    record["replacement"] = text
                break
            if name is None or name in seen or name not in removed:
                break
            seen.add(name)
            text = removed[name].get("replacement")


def merge_history(
    table: Mapping[str, Any],
    older: Iterable[Mapping[str, Any]] = (),
    renames: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """A copy of `table` with `removed_flags` / `removed_envs` filled from older tables and renames."""
    out = copy.deepcopy(dict(table))
    current = _current_options(out)
    by_dest = {
        e["dest"]: primary
        for primary, e in out["flags"].items()
        if e.get("deprecated") is None and e["kind"] not in ("error", "help")
    }
    removed: dict[str, dict[str, Any]] = dict(out.get("removed_flags", {}))
    removed_envs: dict[str, dict[str, Any]] = dict(out.get("removed_envs", {}))
    envs, deprecated_envs = flat_envs(out)
    for old in older:
        label = table_label(old)
        for opt, info in sorted(flat_flags(old).items()):
            if opt.startswith("--") and opt not in current and opt not in removed:
                removed[opt] = _removed_record(info, label, by_dest)
        old_envs, old_deprecated = flat_envs(old)
        for name in sorted({*old_envs, *old_deprecated}):
            if name in envs or name in deprecated_envs or name in removed_envs:
                continue
            record: dict[str, Any] = {"last_seen": label}
            record.update({k: v for k, v in old_deprecated.get(name, {}).items() if k in ("replacement", "note")})
            removed_envs[name] = record
    for r in renames:
        if r["old"] not in current:
            removed.setdefault(r["old"], {"replacement": r["new"], "was": "renamed", "source": r.get("source", "")})
    _resolve_chain(removed, current)
    out["removed_flags"] = dict(sorted(removed.items()))
    out["removed_envs"] = dict(sorted(removed_envs.items()))
    out["counts"] = counts(out)
    return out


def version_key(version: str) -> tuple[int, ...]:
    """A sortable key for "0.5.23", "0.5.23.post1", "0.5.10rc0" (numbers only)."""
    return tuple(int(n) for n in re.findall(r"\d+", version)[:4])


def inherit_history(table: Mapping[str, Any], reference: Mapping[str, Any]) -> dict[str, Any]:
    """Give a table extracted here the history a reference table (the bundled one) knows.

    When this table is not older than the reference, the reference's flags that are gone here
    become history too. The reference's own history is kept where its replacement exists here
    (or it names none).
    """
    here = str(table.get("sglang", {}).get("version", "0"))
    there = str(reference.get("sglang", {}).get("version", "0"))
    out = merge_history(table, [reference] if version_key(here) >= version_key(there) else [])
    current = _current_options(out)
    removed = dict(out["removed_flags"])
    for opt, record in reference.get("removed_flags", {}).items():
        if opt in current or opt in removed:
            continue
        if record.get("replacement_flag") in current or not record.get("replacement"):
            removed[opt] = dict(record)
    envs, deprecated = flat_envs(out)
    removed_envs = dict(out["removed_envs"])
    for name, record in reference.get("removed_envs", {}).items():
        if name not in envs and name not in deprecated and name not in removed_envs:
            removed_envs[name] = dict(record)
    out["removed_flags"] = dict(sorted(removed.items()))
    out["removed_envs"] = dict(sorted(removed_envs.items()))
    out["counts"] = counts(out)
    return out
