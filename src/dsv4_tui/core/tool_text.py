"""Reading a tool's text output in linear time, whatever the tool prints.

The GPU tools' output (`nvidia-smi`, `rocm-smi`, `amd-smi`) is read with string methods, never
with a regular expression: a pattern such as `(.*?)\\s*:\\s*(.*?)\\s*$` backtracks on a line
of 4 KB of spaces for seconds (and holds the GIL, so the app freezes and no timeout helps).
Lines are also capped: a line longer than `MAX_LINE` characters names no GPU and is skipped
before anything looks into it.
"""

from __future__ import annotations

from collections.abc import Iterator

MAX_LINE = 4096  # far more than any real line of these tools (a GPU name, a memory amount)


def tool_lines(output: str) -> Iterator[str]:
    """The lines of `output`, those over `MAX_LINE` characters skipped."""
    for line in output.splitlines():
        if len(line) <= MAX_LINE:
            yield line


def is_number(text: str) -> bool:
    """ASCII digits only, at least one (`str.isdigit` also takes '²' and other scripts' digits)."""
    return text.isascii() and text.isdigit()


_DIGITS = frozenset("0123456789")


def digits_end(text: str, start: int = 0) -> int:
    """The index after the run of ASCII digits at `start` (`start` when there is none)."""
    i, n = start, len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    return i


def spaces_end(text: str, start: int = 0) -> int:
    """The index after the whitespace at `start`."""
    i, n = start, len(text)
    while i < n and text[i].isspace():
        i += 1
    return i


def dotted_end(text: str, start: int = 0) -> int:
    """The index after a version number at `start` ('12.4.1': digits, then '.digits' groups)."""
    end = digits_end(text, start)
    while end > start and end < len(text) and text[end] == ".":
        after = digits_end(text, end + 1)
        if after == end + 1:
            break
        end = after
    return end


def leading_number(text: str) -> str:
    """The ASCII digits `text` starts with ('' when none)."""
    return text[: digits_end(text)]


def key_value(line: str) -> tuple[str, str] | None:
    """'  Key name : value ' as ('Key name', 'value'): split at the first ':', both stripped;
    None when there is no ':' or the key does not start with an ASCII letter."""
    key, sep, value = line.partition(":")
    key = key.strip()
    if not sep or not key or not (key[0].isascii() and key[0].isalpha()):
        return None
    return key, value.strip()


def bracket_index(text: str, prefix: str) -> tuple[int, str] | None:
    """'GPU[3] rest' (with `prefix` 'GPU[', any case) as (3, ' rest'); None otherwise."""
    if text[: len(prefix)].lower() != prefix.lower():
        return None
    number, sep, rest = text[len(prefix) :].partition("]")
    if not sep or not is_number(number):
        return None
    return int(number), rest
