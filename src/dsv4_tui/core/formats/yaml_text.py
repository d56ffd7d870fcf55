"""A small, safe YAML writer for the export targets (no PyYAML at run time).

Block style only, with comments. Every string that YAML (1.1 or 1.2: kubectl, PyYAML,
srtctl) could read as anything but that same string is double-quoted, and everything that
is not plainly printable is escaped, so a value always reads back exactly as written.

Values: dict (keys in insertion order), list, tuple, str, int, float, bool, None, and
`Commented(value, lines)` inside a mapping to put `# line` comments above a key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_PLAIN = re.compile(r"-{0,2}[A-Za-z_/]([A-Za-z0-9_./=:-]*[A-Za-z0-9_./-])?")  # never a number, bool or null
_FLOAT = re.compile(r"-?[0-9]+\.[0-9]+")
# Words YAML 1.1 reads as booleans or null (any case); such strings are always quoted.
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


@dataclass(frozen=True)
class Commented:
    """A mapping value with `# comment` lines written above its key."""

    value: Any
    lines: tuple[str, ...]


def comment_text(text: str) -> str:
    """One comment line: control characters (newlines!) become spaces."""
    return "".join(" " if (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029") else c for c in text)


def _printable(c: str) -> bool:
    o = ord(c)
    if 0x20 <= o <= 0x7E:
        return True
    if o in (0x2028, 0x2029, 0xFEFF):
        return False
    return 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or 0x10000 <= o <= 0x10FFFF


def quote(text: str) -> str:
    """A double-quoted YAML scalar that reads back as exactly `text`."""
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif _printable(c):
            out.append(c)
        elif ord(c) <= 0xFF:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if not _FLOAT.fullmatch(text):
            raise ValueError(f"cannot write the float {value!r} unambiguously")
        return text
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _WORDS:
            return value
        return quote(value)
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def _is_block(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple)) and len(value) > 0


def _empty(value: Any) -> str:
    return "{}" if isinstance(value, Mapping) else "[]"


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        out: list[str] = []
        for key, item in value.items():
            if isinstance(item, Commented):
                out += [f"{pad}# {comment_text(line)}".rstrip() for line in item.lines]
                item = item.value
            head = f"{pad}{scalar(key)}:"
            if _is_block(item):
                out += [head, *_lines(item, indent + 2)]
            else:
                out.append(f"{head} {_empty(item) if isinstance(item, (Mapping, list, tuple)) else scalar(item)}")
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if _is_block(item):
                inner = _lines(item, indent + 2)
                out += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
            elif isinstance(item, (Mapping, list, tuple)):
                out.append(f"{pad}- {_empty(item)}")
            else:
                out.append(f"{pad}- {scalar(item)}")
        return out
    return [pad + scalar(value)]


def dump(value: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """One YAML document (no `---`), optional `# comment` lines on top, ending in a newline."""
    head = [f"# {comment_text(line)}".rstrip() for line in comments]
    return "\n".join([*head, *(_lines(value, 0) if value else ["{}"])]) + "\n"


def dump_all(documents: Sequence[tuple[Sequence[str], Mapping[str, Any]]]) -> str:
    """Several documents in one stream, each as (comment lines, mapping), separated by `---`."""
    return "---\n".join(dump(doc, comments) for comments, doc in documents)
