"""Checks of the SGLANG_* env vars of one command against SGLang's env table (environ.py)."""

from __future__ import annotations

from collections.abc import Iterable

from .findings import Edit, Finding, Fix
from .table import EnvSpec, SglangTable

_BOOL_WORDS = {"true", "1", "yes", "y", "false", "0", "no", "n"}
PREFIXES = ("SGLANG_", "SGL_")


def split_env(entry: str) -> tuple[str, str]:
    name, _, value = entry.partition("=")
    return name.strip(), value


def _value_problem(spec: EnvSpec, value: str) -> str | None:
    if spec.type == "bool" and value.strip().lower() not in _BOOL_WORDS:
        return "expects a boolean (true/1/yes/y or false/0/no/n)"
    try:
        if spec.type == "int":
            int(value)
        elif spec.type == "float":
            float(value)
    except ValueError:
        return f"expects {'an integer' if spec.type == 'int' else 'a number'}"
    return None


def _unknown(table: SglangTable, name: str) -> Finding:
    old = table.removed_envs.get(name)
    msg = f"{name} is not read by SGLang {table.version} (not in its environ.py)"
    if old is not None and (old.get("note") or old.get("replacement")):
        said = " ".join(
            x for x in (old.get("note"), f"Use {old['replacement']}." if old.get("replacement") else None) if x
        )
        msg += f"; {old.get('last_seen', 'an older SGLang')} had deprecated it: {said}"
    else:
        if old is not None:
            msg += f"; {old.get('last_seen', 'an older SGLang')} read it"
        msg += "; it may belong to a newer or dedicated build"
    return Finding("unknown-env", "warning", msg, name, f"SGLang {table.version} sglang/srt/environ.py")


def _deprecated(table: SglangTable, name: str, value: str) -> Finding:
    info = table.deprecated_envs[name]
    replacement = info.get("replacement")
    msg = f"{name} is deprecated in SGLang {table.version}"
    msg += f": use {replacement}" if replacement else ""
    msg += f". {info['note']}" if info.get("note") else ""
    fixes: tuple[Fix, ...] = ()
    if replacement and not info.get("transform"):
        fixes = (Fix(f"use {replacement}", (Edit("remove_env", name), Edit("set_env", replacement, value))),)
    return Finding("deprecated-env", "warning", msg, name, f"SGLang {table.version} sglang/srt/environ.py", fixes)


def env_findings(table: SglangTable, env: Iterable[str]) -> tuple[list[Finding], int]:
    """Findings for the SGLANG_* entries of `env` (NAME=VALUE), and how many were checked."""
    out: list[Finding] = []
    checked = 0
    for entry in env:
        name, value = split_env(entry)
        if not name.startswith(PREFIXES):
            continue
        checked += 1
        canonical = table.canonical_env(name)
        if canonical != name:
            fix = Fix(f"spell {canonical}", (Edit("remove_env", name), Edit("set_env", canonical, value)))
            msg = f"SGLang rewrites the legacy {name} to {canonical}; spell it {canonical}"
            out.append(
                Finding("legacy-env-prefix", "info", msg, name, f"SGLang {table.version} sglang/srt/environ.py", (fix,))
            )
        if canonical in table.deprecated_envs:
            out.append(_deprecated(table, canonical, value))
            continue
        spec = table.env(canonical)
        if spec is None:
            out.append(_unknown(table, canonical))
            continue
        problem = _value_problem(spec, value)
        if problem:
            default = "its computed default" if spec.computed else f"its default {spec.default!r}"
            msg = f"{name}={value} {problem}: SGLang warns and uses {default}"
            out.append(
                Finding("invalid-env-value", "warning", msg, name, f"SGLang {table.version} sglang/srt/environ.py")
            )
    return out, checked
