"""Updating a widget only as much as its change needs: a text's new words, a new size.

`Static.update` repaints the widget and lays the whole screen out again, even when the text
is the same or takes the same lines. Over SSH each of those is bytes on the wire and time
before the next key is handled. The panes set every line of their view on each change, so
they go through here: nothing happens for the same text, and a new text that wraps to the
same number of lines at the widget's width repaints the widget alone. The panes' own lines
are `PlainText`s, which draw their words directly (no `Content` to build and wrap twice).
A widget that draws many rows itself (the Playground's cards) scrolls one of them into view
with `scroll_region_into_view`, as Textual scrolls a whole widget.
"""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.text import Text
from textual.content import Content
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


class SizedInPlace:
    """A widget that does not scroll, whose new size is painted by the layout that gave it.

    Textual's `Widget.virtual_size` asks for a layout of the whole screen whenever it
    changes, and a layout sets it: a widget that grows or shrinks therefore costs two full
    layouts. Only a widget with scrollbars needs the second one (they follow its virtual
    size); for the others nothing in it can differ. Put this class before the widget class
    among the bases.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False, repaint=False)


@lru_cache(maxsize=256)
def words_wrapped(text: str, width: int, console: Console) -> tuple[str, ...]:
    """A text as a `Static` would show it: broken between words at `width` columns."""
    if not text:
        return ()
    lines = Text(text).wrap(console, width) if width > 0 else Text(text).split("\n")
    return tuple(line.plain.rstrip() for line in lines)


class PlainText(SizedInPlace, Widget):
    """A plain text of the panes (the status and base lines, a card's note, the install
    line, the checks line…), wrapped between words as a `Static` wraps it, drawn line by
    line. The panes set these on every press: a `Static` wraps its text to measure it, then
    again to draw it, and repaints and lays out the screen for any new text; this widget
    repaints itself alone when the new text takes as many lines."""

    DEFAULT_CSS = "PlainText { width: 1fr; height: auto; }"

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._text = text

    @property
    def content(self) -> str:
        """The text shown (as a `Static`'s `content`)."""
        return self._text

    def update(self, text: str) -> bool:
        """Show `text`; True when it changed."""
        if text == self._text:
            return False
        width = self.size.width
        before = self._lines(width)
        self._text = text
        self.refresh(layout=width <= 0 or self._height(len(self._lines(width))) != self._height(len(before)))
        return True

    def _height(self, lines: int) -> int:
        """The height `lines` of text give the widget: a `min-height` in cells holds more
        lines without a layout (the Playground's base line, one or two lines)."""
        least = self.styles.min_height
        return max(lines, 1, (least.cells or 0) if least is not None else 0)

    def _lines(self, width: int) -> tuple[str, ...]:
        return words_wrapped(self._text, width, self.app.console) if width > 0 else (self._text,)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render_line(self, y: int) -> Strip:
        lines = self._lines(self.size.width)
        if y >= len(lines):
            return Strip([])
        text = lines[y]
        return Strip([Segment(text, self.visual_style.rich_style)], cell_len(text))  # Textual pads it


def _same_size(widget: Static, old: str, new: str) -> bool:
    width = widget.content_region.width
    styles = widget.styles
    if width <= 0 or (styles.width is not None and styles.width.is_auto):
        return False  # not laid out yet, or as wide as its text: only a layout knows
    if _one_line(old, width) and _one_line(new, width):
        return True  # the common case, without wrapping either text
    return Content(old).get_height(styles, width) == Content(new).get_height(styles, width)


def _one_line(text: str, width: int) -> bool:
    return bool(text) and "\n" not in text and cell_len(text) <= width


def set_text(widget: Static | PlainText, text: str) -> bool:
    """Show the plain `text` in `widget`; True when it changed."""
    if isinstance(widget, PlainText):
        return widget.update(text)
    old = widget.content
    if isinstance(old, str) and old == text:
        return False
    widget.update(text, layout=not (isinstance(old, str) and _same_size(widget, old, text)))
    return True


def scroll_region_into_view(widget: Widget, region: Region, *, top: bool = False) -> None:
    """Scroll `widget`'s containers so that `region` of it (in its own lines) is in view (at
    the top: `top`): up through each container's virtual space, as Textual's
    `scroll_to_widget` goes for a whole widget (the screen's regions are those of the last
    frame, before any of these scrolls)."""
    region = region.translate(widget.virtual_region_with_margin.offset)
    screen = widget.screen
    while isinstance(widget.parent, Widget) and widget.parent is not screen:
        container = widget.parent
        delta = container.scroll_to_region(region, animate=False, immediate=True, top=top)
        region = (
            region.translate(-delta)
            .translate(container.styles.margin.top_left)
            .translate(container.styles.border.spacing.top_left)
            .translate(container.virtual_region_with_margin.offset)
        )
        widget = container
