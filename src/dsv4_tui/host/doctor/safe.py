"""Make text from tools and files safe to show in a terminal.

GPU names, docker errors and sysfs entries come from outside: an ESC, a C1 control or a
bidi override in them could move the cursor or reorder what the user reads. `safe_text`
shows such characters as visible escapes (`\\x1b`, `\\u202e`) and leaves the rest alone.
"""

from __future__ import annotations

import re

# C0 (tab and newline included: messages are one line), DEL and C1, the bidi controls,
# the line / paragraph separators, and lone surrogates (undecodable file names).
_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """`text` with every control, bidi and separator character shown as an escape."""
    return _UNSAFE_RE.sub(_escape, text)


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of `text`, stripped, cut to `limit` characters, made safe."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            cut = line if len(line) <= limit else line[: limit - 1] + "…"
            return safe_text(cut)
    return ""
