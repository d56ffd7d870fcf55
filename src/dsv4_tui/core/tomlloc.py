"""Find the line of a key path in a TOML file, for error messages.

`tomllib` gives no positions, so we scan the text ourselves. The scanner understands the
shapes our rules files use: `[table]`, `[[array.of.tables]]` (nested arrays count per
parent), `key = value` lines, and multi-line arrays written one element per line. For
anything else it falls back to the closest enclosing place it knows.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=\s*(.*)$")

Loc = tuple


def _split_dotted(name: str) -> list[str]:
    parts = []
    for p in re.findall(r'"[^"]*"|[^.]+', name):
        parts.append(p.strip().strip('"'))
    return parts


def line_index(text: str) -> dict[Loc, int]:
    """Map key paths (tuples of str/int) to 1-based line numbers."""
    index: dict[Loc, int] = {}
    counters: dict[Loc, int] = {}
    current: tuple = ()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        stripped = line.strip()
        i += 1
        if not stripped or stripped.startswith("#"):
            continue
        m = _HEADER.match(line)
        if m and not _KEY.match(line):
            is_array = m.group(1) == "[["
            names = _split_dotted(m.group(2))
            # Resolve the parent path: reuse the current indices of enclosing arrays.
            path: list = []
            for depth, name in enumerate(names):
                path.append(name)
                if depth < len(names) - 1 and tuple(path) + (counters.get(tuple(path), 0) - 1,) in index:
                    path.append(counters[tuple(path)] - 1)
            key = tuple(path)
            if is_array:
                n = counters.get(key, 0)
                counters[key] = n + 1
                # A new parent element resets nested array counters below it.
                for k in list(counters):
                    if len(k) > len(key) and k[: len(key)] == key:
                        del counters[k]
                key = key + (n,)
            index.setdefault(key, lineno)
            current = key
            continue
        km = _KEY.match(line)
        if km:
            k = km.group(1).strip('"')
            key = current + (k,)
            index.setdefault(key, lineno)
            value = km.group(2).strip()
            if value.startswith("[") and not _closed(value):
                n = 0
                while i < len(lines):
                    el = lines[i].strip()
                    i += 1
                    if el.startswith("]"):
                        break
                    if el and not el.startswith("#"):
                        index.setdefault(key + (n,), i)
                        n += 1
            elif value.startswith("'''") or value.startswith('"""'):
                quote = value[:3]
                if value.count(quote) < 2:
                    while i < len(lines):
                        i += 1
                        if quote in lines[i - 1]:
                            break
    return index


def _closed(value: str) -> bool:
    depth = 0
    in_str: str | None = None
    for ch in value:
        if in_str:
            if ch == in_str:
                in_str = None
            continue
        if ch in "\"'":
            in_str = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "#" and depth == 0:
            break
    return depth <= 0


def find_line(index: dict[Loc, int], loc: Iterable) -> int | None:
    """The line of `loc`, or of its longest known prefix."""
    path = tuple(loc)
    while path:
        if path in index:
            return index[path]
        path = path[:-1]
    return None


def format_loc(loc: Iterable) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class TomlProblem(ValueError):
    """A TOML text that cannot be read: `line` (1-based, when known) and what is wrong."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


def parse_toml(text: str) -> dict:
    """`tomllib.loads`, with every failure as a TomlProblem (never a RecursionError).
    tomllib is imported on first use: a warm start reads the rules from their cache, and
    parses no TOML unless the user has an Env or state file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            m = re.search(r"line (\d+)", str(exc))
            line = int(m.group(1)) if m else None
        raise TomlProblem(line, f"TOML syntax error: {exc}") from None
    except RecursionError:  # tables or arrays nested thousands deep
        raise TomlProblem(None, "TOML nested too deeply to read") from None
