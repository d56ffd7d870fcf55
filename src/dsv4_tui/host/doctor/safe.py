"""Make text from tools and files safe to show in a terminal.

GPU names, docker errors and sysfs entries come from outside: an ESC, a C1 control or a
bidi override in them could move the cursor or reorder what the user reads. `safe_text`
shows such characters as visible escapes (`\\x1b`, `\\u202e`) and leaves the rest alone.
"""

from __future__ import annotations

from ...core.visible import visible_line

safe_text = visible_line  # the one place text from outside is made visible-safe


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of `text`, stripped, cut to `limit` characters, made safe."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            cut = line if len(line) <= limit else line[: limit - 1] + "…"
            return safe_text(cut)
    return ""
