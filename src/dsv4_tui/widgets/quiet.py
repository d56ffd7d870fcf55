"""Updating a Static only as much as its new text needs.

`Static.update` repaints the widget and lays the whole screen out again, even when the text
is the same or takes the same lines. Over SSH each of those is bytes on the wire and time
before the next key is handled. The panes set every line of their view on each change, so
they go through here: nothing happens for the same text, and a new text that wraps to the
same number of lines at the widget's width repaints the widget alone.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Static


def _same_height(widget: Static, old: str, new: str) -> bool:
    width = widget.content_region.width
    styles = widget.styles
    if width <= 0 or (styles.width is not None and styles.width.is_auto):
        return False  # not laid out yet, or as wide as its text: only a layout knows
    if _one_line(old, width) and _one_line(new, width):
        return True  # the common case, without wrapping either text
    return Content(old).get_height(styles, width) == Content(new).get_height(styles, width)


def _one_line(text: str, width: int) -> bool:
    return bool(text) and "\n" not in text and cell_len(text) <= width


def set_text(widget: Static, text: str) -> bool:
    """Show the plain `text` in `widget`; True when it changed."""
    old = widget.content
    if isinstance(old, str) and old == text:
        return False
    widget.update(text, layout=not (isinstance(old, str) and _same_height(widget, old, text)))
    return True
