"""Text from outside (server replies, GPU tool output, files) made safe to put on a terminal.

A server or a file must never write raw escape sequences to the user's terminal: an OSC 52
sequence would set the clipboard of the tool whose job is to put a command there. Every
control character (C0 but newline and tab, DEL, C1, ESC) and every bidi control is shown as
a visible escape such as `\\x1b` or `\\u202e`. This is the one place that does it.
"""

from __future__ import annotations

import re

# C0 controls but \t and \n, DEL, C1 controls, the bidi embedding / override / isolate marks
# (they reorder what is shown, so a command could read differently than it runs), the line /
# paragraph separators and lone surrogates (undecodable file names).
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f{_OTHERS}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown as an escape (newlines and tabs kept)."""
    return _UNSAFE.sub(_escape, text)


def visible_line(text: str) -> str:
    """`visible`, and newlines and tabs escaped too: for one-line messages."""
    return _UNSAFE_ONE_LINE.sub(_escape, text)


def has_control(text: str) -> bool:
    """Whether `text` holds any character that `visible_line` would escape."""
    return _UNSAFE_ONE_LINE.search(text) is not None


def json_visible(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every character `visible`
    escapes written as a JSON `\\uXXXX` escape instead: the same data once parsed, nothing raw
    on a terminal. (`json.dumps` already escapes C0 inside strings; DEL, C1, bidi marks, the
    line separators and lone surrogates it leaves raw.)"""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
