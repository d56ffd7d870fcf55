"""Helpers shared by the flag and env extractors: help text, deprecation marks, JSON values."""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from .astvalue import ClassRef, EnumMember, FuncRef, ModuleRef, Unresolved

# argparse `type=` callables → the table's value types. Anything else is `custom:<name>`.
TYPE_NAMES = {
    "str": "str",
    "int": "int",
    "float": "float",
    "nullable_str": "str",
    "json.loads": "json",
    "orjson.loads": "json_strict",
    "json_list_type": "json_strict",
    "human_readable_int": "human_int",
}

_DEPRECATED_HELP = re.compile(r"^\W*deprecated\b", re.IGNORECASE)
_USE_FLAG = re.compile(r"\b[Uu]se\s+(--[A-Za-z0-9][\w-]*(?:=[^\s)'\"]+| <[^>]+>)?)")
_REMOVAL = re.compile(r"\b(?:remove|drop|delete)\w*\b.*?\bafter\s+(\d{4}-\d{2}-\d{2})", re.IGNORECASE | re.DOTALL)


def type_name(dotted: str | None) -> str:
    if dotted is None:
        return "str"
    short = dotted.split(".")[-1] if dotted not in TYPE_NAMES else dotted
    return TYPE_NAMES.get(dotted) or TYPE_NAMES.get(short) or f"custom:{dotted}"


def first_sentence(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    head = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return head if len(head) <= limit else head[: limit - 1] + "…"


def help_deprecation(text: str) -> dict[str, str] | None:
    """A help text that starts with "Deprecated" marks a deprecated flag; "use --x" names the new one."""
    if not _DEPRECATED_HELP.match(text):
        return None
    m = _USE_FLAG.search(text)
    return {"replacement": m.group(1)} if m else {}


def comment_block_above(lines: list[str], lineno: int) -> str:
    """The contiguous comment lines right above 1-based `lineno`."""
    out: list[str] = []
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        out.append(lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(reversed(out))


def removal_date(comment: str) -> str | None:
    m = _REMOVAL.search(comment)
    return m.group(1) if m else None


def jsonable(value: Any) -> Any:
    """A JSON-friendly copy; raise Unresolved for values JSON cannot hold."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, EnumMember):
        return jsonable(value.value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (ClassRef, FuncRef, ModuleRef)):
        raise Unresolved("not a value")
    raise Unresolved(type(value).__name__)


def module_path(module: str, packages: Container[str]) -> str:
    base = module.replace(".", "/")
    return f"{base}/__init__.py" if module in packages else f"{base}.py"
