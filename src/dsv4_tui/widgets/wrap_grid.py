"""A row of widgets that wraps to the width: a grid whose column count is the most that fits.

Columns are as wide as their widest child; children not displayed take no cell. Used for the
option chips and for the command box's toolbar, so that nothing is clipped at 60 columns.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.widget import Widget

from .quiet import SizedInPlace, min_width_cells


def fit_columns(cells: list[int], width: int, gutter: int = 1) -> int:
    """The most columns such that, flowing `cells` row by row, the widest cell of each
    column plus the gutters between columns add up to at most `width`."""
    for n in range(max(1, len(cells)), 1, -1):
        if sum(max(cells[i::n]) for i in range(n)) + gutter * (n - 1) <= width:
            return n
    return 1


def text_width(widget: Widget) -> int:
    """The width a one-line widget (a chip, a compact button, a label) asks for: its text and a
    padding of one column on each side."""
    text = getattr(widget, "label", None)
    if text is None:
        text = getattr(widget, "content", "")
    return max(cell_len(str(text)) + 2, min_width_cells(widget) or 0)


class WrapGrid(SizedInPlace, Widget):
    DEFAULT_CSS = """
    WrapGrid { layout: grid; grid-size: 1; grid-columns: auto; grid-rows: 1; grid-gutter: 0 1; height: auto; width: 1fr; }
    WrapGrid > * { margin: 0; }
    """
    GUTTER = 1

    def on_resize(self, event: events.Resize) -> None:
        self.refit(event.size.width)

    def refit(self, width: int | None = None) -> None:
        """Set the column count for `width` (default: the current width)."""
        width = self.size.width if width is None else width
        if width <= 0:
            return
        cells = [text_width(child) for child in self.children if child.display]
        columns = fit_columns(cells, width, self.GUTTER)
        if self.styles.grid_size_columns != columns:
            self.styles.grid_size_columns = columns
