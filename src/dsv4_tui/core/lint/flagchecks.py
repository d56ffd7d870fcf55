"""Checks driven by SGLang's own table: every option and every SGLANG_* env of one command.

Unknown option ("did you mean"), ambiguous prefix, abbreviation (info), deprecated alias,
a flag gone from this SGLang that an older table knew (error naming its replacement), a
retired flag, a value missing / unexpected / outside the choices / of the wrong type / not
JSON, an argument no option takes, a required flag missing; unknown and deprecated env vars.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .argv import Occurrence, ParsedArgv
from .findings import Edit, Finding, Fix
from .parser_rules import extra_choices, shape_problem
from .table import MATCHES_SHOWN, MAX_PER_KIND, SUGGESTIONS_MAX, FlagSpec, SglangTable
from .values import TYPE_WORDS, convert, json_expected, json_problem, looks_like_json, placeholder_in

_REPLACEMENT = re.compile(r"^(--[A-Za-z0-9][\w-]*)(?:=(\S+)|\s+<([\w-]+)>|\s+(\S+))?$")


def _src(table: SglangTable, spec: FlagSpec | None = None) -> str:
    where = f" {spec.origin}" if spec is not None and spec.origin else ""
    return f"SGLang {table.version}{where}"


def _matches(matches: tuple[str, ...]) -> str:
    shown = ", ".join(matches[:MATCHES_SHOWN])
    return shown + (", …" if len(matches) > MATCHES_SHOWN else "")


def _f(id_: str, level: str, message: str, subject: str, source: str, *fixes: Fix) -> Finding:
    return Finding(id_, level, message, subject, source, tuple(fixes))  # type: ignore[arg-type]


def replacement_fix(table: SglangTable, parsed: ParsedArgv, occ: Occurrence, replacement: str) -> Fix | None:
    """Edits that swap a retired option for `replacement` ("--x", "--x=v", "--x <other-flag>")."""
    m = _REPLACEMENT.match(replacement.strip())
    if not m:
        return None
    name, literal, moved_from, spaced = m.groups()
    new = table.spec(name)
    if new is None or table.lookup(name).status != "exact":
        return None
    edits = [Edit("remove_flag", occ.written)]
    value: str | None = literal or spaced
    if moved_from is not None:  # "--attn-dp-size <dp-size>": the value moves from --dp-size
        source = table.spec("--" + moved_from)
        given = [o for o in parsed.occurrences if source is not None and o.spec is source and o.values]
        if not given:
            return None
        value = given[-1].values[0]
        edits.append(Edit("remove_flag", source.primary))  # type: ignore[union-attr]
    elif value is None and occ.values and new.takes_value:
        value = occ.values[0]
        if new.choices is not None and value not in {str(c) for c in new.choices}:
            return Fix(f"remove {occ.written}", tuple(edits))
    if new.takes_value and value is None:
        return None
    edits.append(Edit("set_flag", new.primary, value if new.takes_value else None))
    return Fix(f"use {replacement}", tuple(edits))


def _removed(table: SglangTable, parsed: ParsedArgv, occ: Occurrence) -> Finding | None:
    removed = table.removed.get(occ.written)
    if removed is None:
        return None
    if occ.lookup.status == "abbrev" and occ.spec is not None and occ.spec.primary == removed.replacement_flag:
        return None  # still accepted: argparse reads it as an abbreviation of its replacement
    was = f" ({removed.was}" + (f" in {removed.last_seen}" if removed.last_seen else "") + ")" if removed.was else ""
    if removed.replacement:
        message = f"{occ.written} is gone from SGLang {table.version}{was}: use {removed.replacement}"
        new = table.spec(removed.replacement_flag) if removed.replacement_flag else None
        if new is not None and new.choices and removed.replacement == removed.replacement_flag:
            message += " " + "|".join(str(c) for c in new.choices[:8])
    else:
        message = f"{occ.written} is gone from SGLang {table.version}" + (
            f" (last seen in {removed.last_seen})" if removed.last_seen else ""
        )
    if occ.lookup.status == "abbrev":
        message += f"; argparse would read it as {occ.lookup.option}"
    elif occ.lookup.status == "ambiguous":
        message += f"; argparse rejects it as ambiguous ({_matches(occ.lookup.matches)})"
    else:
        message += "; the launch fails with 'unrecognized arguments'"
    fix = replacement_fix(table, parsed, occ, removed.replacement) if removed.replacement_flag else None
    if fix is None:
        fix = Fix(f"remove {occ.written}", (Edit("remove_flag", occ.written),))
    source = removed.source or f"SGLang {table.version} table vs {removed.last_seen or 'older SGLang'}"
    return _f("removed-flag", "error", message, occ.written, source, fix)


def option_findings(table: SglangTable, parsed: ParsedArgv, occ: Occurrence, *, suggest: bool = True) -> list[Finding]:
    """What is wrong with one option itself (not its values); `suggest=False` skips the
    "did you mean" (a text with thousands of unknown flags)."""
    gone = _removed(table, parsed, occ)
    if gone is not None:
        return [gone]
    lk, out = occ.lookup, []
    if lk.status == "unknown":
        hints = table.suggest(occ.written) if suggest else []
        hint = f"; did you mean {' or '.join(hints)}?" if hints else ""
        fixes = [
            Fix(
                f"use {h}",
                (Edit("remove_flag", occ.written), Edit("set_flag", h, occ.values[0] if occ.values else None)),
            )
            for h in hints[:1]
        ]
        return [
            _f(
                "unknown-flag",
                "error",
                f"{occ.written} is not an option of SGLang {table.version}{hint}",
                occ.written,
                _src(table),
                *fixes,
            )
        ]
    if lk.status == "ambiguous":
        msg = f"{occ.written} is ambiguous: argparse rejects it (it could match {_matches(lk.matches)}); spell the option out"
        return [_f("ambiguous-flag", "error", msg, occ.written, f"argparse allow_abbrev, SGLang {table.version}")]
    spec = occ.spec
    assert spec is not None
    if lk.status == "abbrev":
        value = occ.values[0] if occ.values else None
        fix = Fix(f"spell out {spec.primary}", (Edit("set_flag", spec.primary, value if spec.takes_value else None),))
        msg = f"{occ.written} is an abbreviation of {lk.option} (argparse accepts a unique prefix); spell it out, a newer SGLang may add an option that makes it ambiguous"
        out.append(
            _f("abbreviated-flag", "info", msg, occ.written, f"argparse allow_abbrev, SGLang {table.version}", fix)
        )
    if spec.kind == "error":
        out.append(
            _f(
                "retired-flag",
                "error",
                spec.error_message or f"{occ.written} was removed",
                occ.written,
                _src(table, spec),
            )
        )
    elif spec.deprecated is not None:
        out.append(_deprecated(table, parsed, occ, spec))
    return out


def _deprecated(table: SglangTable, parsed: ParsedArgv, occ: Occurrence, spec: FlagSpec) -> Finding:
    dep = spec.deprecated or {}
    replacement = dep.get("replacement")
    date = dep.get("removal_after")
    msg = f"{occ.written} is deprecated in SGLang {table.version}"
    msg += f": use {replacement}" if replacement else ""
    msg += f"; its removal is announced for after {date}" if date else "; it will be removed in a future release"
    fix = replacement_fix(table, parsed, occ, replacement) if replacement else None
    return _f("deprecated-flag", "warning", msg, occ.written, _src(table, spec), *((fix,) if fix else ()))


def value_findings(table: SglangTable, occ: Occurrence, env: Mapping[str, str] | None = None) -> list[Finding]:
    """Missing / unexpected values, placeholders, type, choices and JSON of one option."""
    spec, name = occ.spec, occ.written
    if spec is None:
        return []
    if occ.missing:
        return [_f("missing-value", "error", f"{name} {occ.missing}", name, f"argparse, SGLang {table.version}")]
    if not spec.takes_value:
        if occ.explicit:
            fix = Fix(f"drop the value of {name}", (Edit("set_flag", spec.primary, None),))
            return [
                _f(
                    "unexpected-value",
                    "error",
                    f"{name} takes no value (argparse: ignored explicit argument {occ.values[0]!r})",
                    name,
                    _src(table, spec),
                    fix,
                )
            ]
        return []
    out: list[Finding] = []
    for value in occ.values:
        ph = placeholder_in(value)
        if ph is not None:
            out.append(_f("placeholder", "info", f"{name} {value}: fill in {ph} before running", name, "dsv4"))
            continue
        out += _typed_value(table, spec, name, value, env or {})
    return out


def _typed_value(table: SglangTable, spec: FlagSpec, name: str, value: str, env: Mapping[str, str]) -> list[Finding]:
    shape = shape_problem(table, spec.type, value)
    if shape is not None:
        return [_f("invalid-value", "error", f"{name} {shape[0]}", name, shape[1])]
    try:
        converted = convert(spec, value)
    except ValueError as exc:
        if spec.type == "json_strict" and json_problem(value) is None:
            return [_f("invalid-json", "error", f"{name} expects JSON: {exc}", name, _src(table, spec))]
        if spec.type in ("json", "json_strict"):
            return [_f("invalid-json", "error", f"{name} expects JSON: {json_problem(value)}", name, _src(table, spec))]
        word = TYPE_WORDS.get(spec.type, spec.type)
        return [_f("invalid-type", "error", f"{name} expects {word}, got {value!r} ({exc})", name, _src(table, spec))]
    if (
        spec.choices is not None
        and converted not in spec.choices
        and str(converted) not in {str(c) for c in spec.choices}
    ):
        if str(converted) in extra_choices(table, spec.primary, env)[0]:
            return []
        shown = ", ".join(str(c) for c in spec.choices[:12]) + (", …" if len(spec.choices) > 12 else "")
        return [_f("invalid-choice", "error", f"{name} {value!r} is not one of: {shown}", name, _src(table, spec))]
    if spec.type == "str" and looks_like_json(value) and json_expected(spec):
        problem = json_problem(value)
        if problem is not None:
            return [
                _f(
                    "invalid-json",
                    "error",
                    f"the value of {name} looks like JSON but does not parse: {problem}",
                    name,
                    _src(table, spec),
                )
            ]
    return []


def _more(mass: Mapping[str, int]) -> list[Finding]:
    """One info line per kind of finding counted past MAX_PER_KIND."""
    return [
        _f(
            "more-findings",
            "info",
            f"{n - MAX_PER_KIND:,} more {kind} findings (error) are not listed; {n:,} in all",
            kind,
            "dsv4",
        )
        for kind, n in mass.items()
        if n > MAX_PER_KIND
    ]


def argv_findings(
    table: SglangTable, parsed: ParsedArgv, env: Mapping[str, str] | None = None
) -> tuple[list[Finding], int]:
    """All table findings for an argv, and how many checks ran. Past MAX_PER_KIND unknown or
    ambiguous options or stray arguments, the rest are only counted (one line says how many)."""
    out: list[Finding] = []
    seen: dict[str, Occurrence] = {}
    unknown = 0
    mass: dict[str, int] = {"unknown-flag": 0, "ambiguous-flag": 0, "unexpected-argument": 0}
    for occ in parsed.occurrences:
        unknown += occ.lookup.status == "unknown"
        kind = {"unknown": "unknown-flag", "ambiguous": "ambiguous-flag"}.get(occ.lookup.status)
        if kind is not None and occ.written not in table.removed:
            mass[kind] += 1
            if mass[kind] > MAX_PER_KIND:
                continue
        out += option_findings(table, parsed, occ, suggest=unknown <= SUGGESTIONS_MAX)
        out += value_findings(table, occ, env)
        if occ.spec is not None and occ.spec.takes_value and occ.spec.dest in seen:
            first = seen[occ.spec.dest]
            out.append(
                _f(
                    "duplicate-flag",
                    "info",
                    f"{occ.written} is given again (first as {first.written}); the last one wins",
                    occ.written,
                    "argparse",
                )
            )
        if occ.spec is not None:
            seen[occ.spec.dest] = occ
    for _, token in parsed.positionals:
        mass["unexpected-argument"] += 1
        if mass["unexpected-argument"] > MAX_PER_KIND:
            continue
        out.append(
            _f(
                "unexpected-argument",
                "error",
                f"{token!r} is not taken by any option: argparse stops with 'unrecognized arguments'",
                token,
                f"argparse, SGLang {table.version}",
            )
        )
    out += _more(mass)
    given = {o.spec.dest for o in parsed.occurrences if o.spec is not None}
    checked = len(parsed.occurrences) + len(parsed.positionals)
    if "config" not in given:  # a --config file may hold the required flags
        for spec in table.required_flags:
            checked += 1
            if spec.dest not in given:
                out.append(
                    _f("missing-required", "error", f"{spec.primary} is required", spec.primary, _src(table, spec))
                )
    return out, checked
