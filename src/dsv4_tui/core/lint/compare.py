"""What differs between two SGLang flag/env tables (for `tools/sglang_table.py --compare`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .history import flat_envs, flat_flags, table_label


def _by_primary(table: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for opt, info in flat_flags(table).items():
        out.setdefault(info["primary"], {**info, "options": []})["options"].append(opt)
    return out


def _deprecation_text(dep: Mapping[str, Any]) -> str:
    text = f" → {dep['replacement']}" if dep.get("replacement") else ""
    return text + (f" (removal after {dep['removal_after']})" if dep.get("removal_after") else "")


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{title} ({len(items)}):", *(f"  {i}" for i in items)]


def _flag_changes(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    changes: dict[str, list[str]] = {
        "deprecated": [],
        "undeprecated": [],
        "choices": [],
        "type": [],
        "default": [],
        "aliases": [],
    }
    for primary in sorted(set(old) & set(new)):
        a, b = old[primary], new[primary]
        if b.get("deprecated") is not None and a.get("deprecated") is None:
            changes["deprecated"].append(primary + _deprecation_text(b["deprecated"]))
        if a.get("deprecated") is not None and b.get("deprecated") is None:
            changes["undeprecated"].append(primary)
        ca, cb = a.get("choices") or [], b.get("choices") or []
        if ca and cb and set(map(str, ca)) != set(map(str, cb)):
            plus = sorted(set(map(str, cb)) - set(map(str, ca)))
            minus = sorted(set(map(str, ca)) - set(map(str, cb)))
            changes["choices"].append(f"{primary}: " + " ".join([*(f"+{c}" for c in plus), *(f"-{c}" for c in minus)]))
        if a.get("type") != b.get("type") and not (
            a.get("type", "").startswith("custom") and b.get("type", "").startswith("custom")
        ):
            changes["type"].append(f"{primary}: {a.get('type')} → {b.get('type')}")
        if (
            "default" in a
            and "default" in b
            and a["default"] != b["default"]
            and isinstance(a["default"], (int, float, str, bool, type(None)))
        ):
            changes["default"].append(f"{primary}: {a['default']!r} → {b['default']!r}")
        if sorted(a["options"]) != sorted(b["options"]):
            changes["aliases"].append(
                f"{primary}: {', '.join(sorted(a['options']))} → {', '.join(sorted(b['options']))}"
            )
    return changes


def compare_tables(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Lines describing how `new` differs from `old` (flags by primary option, then envs)."""
    fo, fn = _by_primary(old), _by_primary(new)
    opts_old, opts_new = set(flat_flags(old)), set(flat_flags(new))
    lines = [
        f"{table_label(old)} → {table_label(new)}",
        f"flags: {len(fo)} → {len(fn)} (option strings {len(opts_old)} → {len(opts_new)})",
    ]
    removed_history = new.get("removed_flags", {})
    removed = []
    for primary in sorted(set(fo) - set(fn)):
        gone = [o for o in fo[primary]["options"] if o not in opts_new]
        if not gone:
            continue
        notes = [
            f"{o} → {removed_history[o]['replacement']}" for o in gone if removed_history.get(o, {}).get("replacement")
        ]
        removed.append(f"{primary}" + (f"  ({'; '.join(notes)})" if notes else ""))
    lines += _section("flags added", sorted(set(fn) - set(fo)))
    lines += _section("flags removed", removed)
    changes = _flag_changes(fo, fn)
    titles = {
        "deprecated": "newly deprecated",
        "undeprecated": "no longer deprecated",
        "choices": "choices changed",
        "type": "type changed",
        "default": "default changed",
        "aliases": "option strings changed",
    }
    for key, title in titles.items():
        lines += _section(title, changes[key])
    lines += _env_lines(old, new)
    return lines


def _env_lines(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    eo, _ = flat_envs(old)
    en, dn = flat_envs(new)
    lines = [f"envs: {len(eo)} → {len(en)}"]
    lines += _section("envs added", sorted(set(en) - set(eo)))
    gone = sorted(set(eo) - set(en))
    lines += _section("envs removed", [f"{n} (deprecated in the new table)" if n in dn else n for n in gone])
    changed = [
        f"{n}: {eo[n].get('default')!r} → {en[n].get('default')!r}"
        for n in sorted(set(eo) & set(en))
        if "default" in eo[n] and "default" in en[n] and eo[n]["default"] != en[n]["default"]
    ]
    lines += _section("env defaults changed", changed)
    return lines
