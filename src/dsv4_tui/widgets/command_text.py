"""The command as shown: highlighted, or as a diff, and wrapped for the screen.

A line wider than the box is broken after a comma (inside a JSON value, where a break and
spaces are harmless) or a space, and continues indented under the line it belongs to: never
at column 0, where a mouse copy would read it as a command of its own. Copy hands over the
real command, unwrapped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Static

from ..core.view import TODO_PLACEHOLDER

_FLAG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
_ENV = re.compile(r"^ *([A-Z][A-Z0-9_]*)=", re.M)
_COMMENT = re.compile(r"^#.*$", re.M)
INDENT = 4  # extra indent of a continued line


def wrap_line(line: str, width: int) -> list[str]:
    """`line` broken to `width` columns, continued lines indented (see the module docstring)."""
    if width <= INDENT + 8 or cell_len(line) <= width:
        return [line]
    pad = " " * (len(line) - len(line.lstrip(" ")) + INDENT)
    out, rest = [], line
    while cell_len(rest) > width:
        head = rest[:width]
        cut = max(head.rfind(","), head.rfind(" ")) + 1
        if cut <= len(pad):
            cut = width
        out.append(rest[:cut])
        rest = pad + rest[cut:]
    return [*out, rest]


def wrap_text(text: str, width: int) -> str:
    return "\n".join(piece for line in text.split("\n") for piece in wrap_line(line, width))


def highlight_command(text: str) -> Text:
    """Colour a shell command: comments dim, flags accented, env names green, and the
    cookbook's fill-me-in placeholders (`<node0-ip>`, `<your-hf-token>`) standing out."""
    t = Text(text, no_wrap=True)
    t.highlight_regex(_ENV, "green")
    t.highlight_regex(_FLAG, "bold cyan")
    t.highlight_regex(_COMMENT, "dim italic")
    t.highlight_regex(TODO_PLACEHOLDER, "bold black on yellow")
    return t


def diff_text(diff: Sequence[tuple[str, str]], width: int = 0) -> Text:
    """`+` lines green, `-` lines red and struck through, the rest plain."""
    out = Text(no_wrap=True)
    styles = {"+": "green", "-": "red strike"}
    for i, (op, line) in enumerate(diff):
        for j, piece in enumerate(wrap_line(f"{op} {line}", width)):
            if i or j:
                out.append("\n")
            out.append(piece, style=styles.get(op, "dim"))
    return out


class CommandText(Static):
    """Shows a command (or a diff) wrapped to its own width, again on every resize."""

    # A new height is painted by the layout that made it; Textual's default would paint the
    # whole command a second time in the next frame (see MainScreen for the same idea).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=True, repaint=False)

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self._text = ""
        self._diff: Sequence[tuple[str, str]] | None = None
        self._width = 0

    def show(self, text: str, diff: Sequence[tuple[str, str]] | None = None) -> None:
        self._text, self._diff = text, diff
        self._render_text(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:  # a new height alone changes no wrapping
            self._render_text(event.size.width)

    def _render_text(self, width: int) -> None:
        self._width = width
        if self._diff is not None:
            self.update(diff_text(self._diff, width))
        else:
            self.update(highlight_command(wrap_text(self._text, width) if width else self._text))
