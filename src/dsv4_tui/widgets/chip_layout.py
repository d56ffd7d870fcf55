"""How a row of chips is laid out and styled: pure functions of the options and the width.

`ChipRow` (chips.py) draws and handles input; here is where each chip goes (`place`), how
the label wraps, and the chip's colours in each state from the theme (`ChipStyles`).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.color import Color
from textual.geometry import Offset
from textual.style import Style

from ..core.frozen import frozen
from ..core.selection import OptionState

GAP = 1  # columns between two chips
GROUP_WIDTH = 7  # "NVIDIA " before a group's chips


@frozen
class ChipOption:
    """One chip: its state, its text, what it is (status line, tooltip), its group and
    whether it is offered at all (a choice the base does not offer is not drawn)."""

    state: OptionState
    text: str
    detail: str = ""
    group: str = ""
    shown: bool = True

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def explanation(self) -> str:
        """What the chip is, or why it is greyed (for the status line)."""
        s = self.state
        if s.enabled:
            return self.detail or s.label
        return f"✗ {s.label}: {s.reason}"

    @property
    def tooltip(self) -> str | None:
        return self.state.reason if not self.state.enabled else (self.detail or None)


@frozen
class Placed:
    """A chip (or a toolbar's button) where its widget draws it: line `y`, columns `x` to
    `x + width`."""

    id: str
    y: int
    x: int
    width: int


def placed_at(places: Sequence[Placed], offset: Offset | None) -> str | None:
    """The id of what is drawn at `offset` (a mouse event's offset in the widget), if anything."""
    if offset is None:
        return None
    return next((p.id for p in places if p.y == offset.y and p.x <= offset.x < p.x + p.width), None)


def wrap_label(label: str, width: int) -> list[str]:
    """The row's label in lines of less than `width` columns (at word breaks)."""
    lines: list[str] = []
    for word in label.split():
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def place(options: Sequence[ChipOption], label_width: int, width: int) -> list[Placed]:
    """Where each shown chip goes: after the label column, in order, a new line when the next
    chip does not fit in `width`; each group (hardware vendors) starts a line of its own."""
    grouped = any(o.group for o in options)
    start = label_width + (GROUP_WIDTH if grouped else 0)
    placed: list[Placed] = []
    y, x, group = 0, start, None
    for option in options:
        if not option.shown:
            continue
        chip = cell_len(option.text) + 2
        if grouped and option.group != group:
            if group is not None:
                y, x = y + 1, start
            group = option.group
        elif x > start and x + chip > width:
            y, x = y + 1, start
        placed.append(Placed(option.id, y, x, chip))
        x += chip + GAP
    return placed


@frozen
class ChipStyles:
    """How a chip looks in each state, in the theme's colours (as the page draws its chips):
    selected in the primary colour, greyed and struck through when unavailable, the
    highlight in the accent colour (in the warning colour on a greyed chip)."""

    background: Color
    boost: Color
    primary: Color
    surface: Color
    accent: Color
    warning: Color
    label: Style
    group: Style

    @classmethod
    def of(cls, theme: dict[str, str], background: Color) -> ChipStyles:
        def color(name: str) -> Color:
            return Color.parse(theme[name])

        muted = background + background.get_contrast_text(0.60)
        return cls(
            background,
            color("boost"),
            color("primary"),
            color("surface"),
            color("accent"),
            color("warning"),
            Style(foreground=muted, bold=True),
            Style(foreground=muted),
        )

    def chip(self, *, selected: bool, enabled: bool, hover: bool, cursor: bool) -> Style:
        if cursor:
            back = self.background + (self.accent if enabled else self.warning.with_alpha(0.4))
        elif not enabled:
            back = self.background + self.surface
        elif selected:
            back = self.background + self.primary
        elif hover:
            back = self.background + self.primary.with_alpha(0.3)
        else:
            back = self.background + self.boost
        text = back + back.get_contrast_text(0.87 if enabled else 0.38)
        return Style(
            background=back,
            foreground=text,
            bold=(selected or cursor) and enabled,
            strike=not enabled,
            underline=cursor,
        )
