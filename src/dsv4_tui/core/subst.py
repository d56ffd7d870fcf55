"""Placeholder substitution: `{{KEY}}` in a command text replaced by a shell-safe value."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import field

from .frozen import frozen
from .schema import PLACEHOLDER_RE


@frozen
class Subst:
    """Placeholder values. Keys in `verbatim` print exactly; the others are shell-quoted."""

    values: Mapping[str, str]
    verbatim: frozenset[str] = field(default_factory=frozenset)

    def with_values(self, **kw: str) -> Subst:
        return Subst({**self.values, **kw}, self.verbatim | frozenset(kw))


def _inside_double_quotes(line: str, pos: int) -> bool:
    inside = False
    single = False
    i = 0
    while i < pos:
        ch = line[i]
        if ch == "\\" and not single:
            i += 2
            continue
        if ch == "'" and not inside:
            single = not single
        elif ch == '"' and not single:
            inside = not inside
        i += 1
    return inside


def _substitute_line(line: str, subst: Subst) -> str:
    pieces: list[str] = []
    last = 0
    for m in PLACEHOLDER_RE.finditer(line):
        key = m.group(1)
        pieces.append(line[last : m.start()])
        last = m.end()
        if key not in subst.values:
            pieces.append(m.group(0))
            continue
        value = subst.values[key]
        quoted = shlex.quote(value)
        if key in subst.verbatim or quoted == value:
            pieces.append(value)
        elif _inside_double_quotes(line, m.start()):
            if line[last : last + 1] == '"':  # the value ends the quoted word
                pieces.append('"' + quoted)
                last += 1
            else:
                pieces.append('"' + quoted + '"')
        else:
            pieces.append(quoted)
    pieces.append(line[last:])
    return "".join(pieces)


def substitute(text: str, subst: Subst) -> str:
    """Replace `{{KEY}}`; unknown keys stay as written.

    A user value that needs quoting is single-quoted (`shlex.quote`). Inside a
    double-quoted word (Docker's `--env "HF_TOKEN=…"`) the quotes are closed around the
    single-quoted value, so the word still means exactly the value typed.
    """
    return "\n".join(_substitute_line(line, subst) for line in text.split("\n"))


_NAMED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill_names(text: str, values: Mapping[str, object]) -> str:
    """`{name}` in a rules text (a header, a banner, the install line) replaced by `values[name]`
    for the names given, every other brace left as it is: plain substitution, never
    `str.format` (whose `{0}` raises and `{last:>300000000}` prints 300 MB)."""
    return _NAMED.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text)
