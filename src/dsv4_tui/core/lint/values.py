"""Value checks for one flag value: placeholders, type, choices, JSON (generic, table-driven)."""

from __future__ import annotations

import json
import re

from .table import FlagSpec

PLACEHOLDER = re.compile(r"<[A-Za-z0-9][A-Za-z0-9_.-]*>|\{\{[A-Z0-9_]+\}\}")
_HUMAN_INT = re.compile(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)")
_SI = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_IEC = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def placeholder_in(value: str) -> str | None:
    m = PLACEHOLDER.search(value)
    return m.group(0) if m else None


def human_int(value: str) -> int:
    """SGLang's human_readable_int: 1k, 25.6k, 1Ki, or a plain integer (ValueError otherwise)."""
    text = value.strip()
    m = _HUMAN_INT.fullmatch(text)
    if m:
        number, suffix = m.groups()
        if suffix in _IEC:
            if "." in number:
                raise ValueError(f"decimals are not allowed with IEC suffixes like {suffix!r}")
            return int(number) * _IEC[suffix]
        return int(float(number) * _SI[suffix])
    return int(text)


def as_number(type_: str, value: str) -> float | int:
    """The numeric value of a flag/env value of the table type (ValueError when not a number)."""
    if type_ == "human_int":
        return human_int(value)
    if type_ == "float":
        return float(value)
    try:
        return int(value)
    except ValueError:
        return float(value)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON (SGLang reads this flag with orjson, which rejects it)")


def convert(spec: FlagSpec, value: str) -> object:
    """argparse's `type=` conversion; ValueError with a short reason when it fails."""
    t = spec.type
    if t == "int":
        return int(value)
    if t == "float":
        return float(value)
    if t == "human_int":
        return human_int(value)
    if t == "json":
        return json.loads(value)
    if t == "json_strict":  # orjson: no NaN / Infinity
        return json.loads(value, parse_constant=_no_constant)
    return value


def json_problem(value: str) -> str | None:
    """Why a JSON(-looking) value does not parse, or None."""
    try:
        json.loads(value)
    except ValueError as exc:
        hint = ""
        if value[:1] in ("'", '"') and value[-1:] == value[:1]:
            hint = " (the value still carries its shell quotes)"
        return f"{exc.msg} at column {exc.colno}{hint}" if isinstance(exc, json.JSONDecodeError) else str(exc) + hint
    return None


def looks_like_json(value: str) -> bool:
    text = value.strip()
    if text[:1] in ("'", '"') and text[-1:] == text[:1]:
        text = text[1:-1].strip()
    return text[:1] in ("{", "[")


TYPE_WORDS = {
    "int": "an integer",
    "float": "a number",
    "human_int": "an integer (1k, 1Ki, … allowed)",
    "json": "JSON",
    "json_strict": "JSON",
}
_NOT_JSON_NAMES = re.compile(r"pattern|regex|-file$|-path$|-dir$")
_CONFIG_NAMES = re.compile(r"-(config|args)$")


def json_expected(spec: FlagSpec) -> bool:
    """A str flag whose value is JSON when it starts with { or [: its help says JSON, or it is
    a `-config` / `-args` flag, and its name is not a regex, a file or a path
    (`--constrained-json-whitespace-pattern '[\n\t ]*'` is a regex, not JSON)."""
    if _NOT_JSON_NAMES.search(spec.primary):
        return False
    return "json" in spec.help.lower() or _CONFIG_NAMES.search(spec.primary) is not None
