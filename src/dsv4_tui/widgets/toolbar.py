"""The command box's toolbar as one widget: framing, the badge, Copy, cURL, Env (and the
Playground's Diff, Reset, Submit).

It draws its items itself, as a chip row draws its chips. Nine widgets (eight buttons and a
badge in a grid) cost Textual a style pass each at start-up, a grid layout on every layout
of the screen and a restyle of the badge for each new badge word; one widget costs one.

The items flow in rows: as many columns as fit the width, each as wide as its widest item
(so nothing is clipped at 60 columns, and the buttons line up when they wrap). An item that
is not shown (Submit with nothing to submit) keeps its place, so hiding it moves nothing.

Keys: Tab comes in on the first button; ← / → move along the buttons, Enter / Space press
the highlighted one. A click presses the button under it; hovering the badge says what it
means (its tooltip).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from ..core.frozen import frozen
from .chip_layout import Placed, placed_at
from .quiet import SizedInPlace

GUTTER = 1  # columns between two items

# An item's look: a button ("" plain, "primary", "framing"), or the badge in one of its states.
BUTTON_LOOKS = ("", "primary", "framing")
BADGE_STATES = ("verified", "in-progress", "unverified", "user", "srt")


@frozen
class ToolItem:
    """One item of the toolbar. `id` is what a press reports ("deploy-copy", "pg-submit")."""

    id: str
    label: str
    look: str = ""  # "", "primary", "framing", or "badge"
    state: str = ""  # the badge's state (verified, unverified…)
    active: bool = False  # the framing in use, the Diff shown
    shown: bool = True  # not shown: drawn blank, its place kept
    tooltip: str = ""
    min_width: int = 0

    @property
    def pressable(self) -> bool:
        return self.look != "badge" and self.shown

    @property
    def width(self) -> int:
        return max(cell_len(self.label) + 2, self.min_width)


def fit_columns(cells: list[int], width: int, gutter: int = GUTTER) -> int:
    """The most columns such that, flowing `cells` row by row, the widest cell of each
    column plus the gutters between columns add up to at most `width`."""
    for n in range(max(1, len(cells)), 1, -1):
        if sum(max(cells[i::n]) for i in range(n)) + gutter * (n - 1) <= width:
            return n
    return 1


def place(items: Iterable[ToolItem], width: int) -> list[Placed]:
    """Where each item goes: in rows of as many columns as fit `width`, each column as wide
    as its widest item, one column of gutter between two."""
    items = list(items)
    cells = [i.width for i in items]
    columns = fit_columns(cells, width)
    starts, x = [], 0
    for c in range(columns):
        starts.append(x)
        x += max(cells[c::columns]) + GUTTER
    return [Placed(item.id, n // columns, starts[n % columns], item.width) for n, item in enumerate(items)]


@frozen
class ToolStyles:
    """The items' looks in the theme's colours over the toolbar's background, as the stylesheet
    gave them when each was a widget: a plain button on the lighter surface, Copy in the
    primary colour, the framings faint but for the one in use, the badge in its state's
    colour, the highlighted button in the accent colour (reversed)."""

    background: Color
    theme: dict

    def color(self, name: str) -> Color:
        return Color.parse(self.theme[name])

    def _over(self, back: Color, *, bold: bool, muted: bool = False, reverse: bool = False) -> Style:
        back = self.background + back
        text = back + back.get_contrast_text(0.60 if muted else 0.87)
        return Style(background=back, foreground=text, bold=bold, reverse=reverse)

    def look(self, item: ToolItem, *, hover: bool, cursor: bool) -> Style:
        if item.look == "badge":
            back = {
                "verified": "success",
                "unverified": "warning",
                "in-progress": "accent",
                "user": "primary",
                "srt": "secondary",
            }.get(item.state, "warning")
            style = self._over(self.color(back), bold=True)
            if item.state == "unverified":  # dark words on the warning colour
                style = Style(background=style.background, foreground=self.color("background"), bold=True)
            return style
        if cursor:
            return self._over(self.color("accent"), bold=True, reverse=True)
        if item.look == "framing":
            if item.active:
                return self._over(self.color("primary"), bold=True)
            return self._over(self.color("boost"), bold=False, muted=True)
        if item.look == "primary" or item.active:
            return self._over(self.color("primary"), bold=True)
        if hover:
            return self._over(self.color("primary").with_alpha(0.4), bold=True)
        return self._over(self.color("surface-lighten-1"), bold=True)


class Toolbar(SizedInPlace, Widget, can_focus=True):
    DEFAULT_CSS = "Toolbar { height: auto; width: 1fr; }"

    BINDINGS = [
        Binding("enter,space", "press", "Press", show=False, tooltip="press the highlighted button"),
        Binding("left", "step(-1)", "Previous", show=False, tooltip="the previous button"),
        Binding("right", "step(1)", "Next", show=False, tooltip="the next button"),
    ]

    class Pressed(Message):
        """A button was pressed (a key or a click): `item` is its id ("pg-submit")."""

        def __init__(self, toolbar: Toolbar, item: str) -> None:
            self.toolbar, self.item = toolbar, item
            super().__init__()

    def __init__(self, items: Iterable[ToolItem], *, id: str | None = None, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self._items: dict[str, ToolItem] = {i.id: i for i in items}
        self._cursor: str | None = None
        self._hover: str | None = None
        self._placed: list[Placed] = []
        self._placed_for: tuple | None = None
        self._style_key: tuple | None = None
        self._styles: ToolStyles | None = None
        self._drawn: dict[tuple, RichStyle] = {}

    # -- the items -------------------------------------------------------------------------
    @property
    def items(self) -> tuple[ToolItem, ...]:
        return tuple(self._items.values())

    def item(self, item_id: str) -> ToolItem:
        return self._items[item_id]

    def update(self, item_id: str, **changes) -> bool:
        """Change an item (label, state, active, shown, tooltip); True when it changed. A new
        width of an item repaints the toolbar, a new number of rows lays the screen out."""
        old = self._items[item_id]
        if all(getattr(old, name) == value for name, value in changes.items()):
            return False  # most of a press's updates (the framing buttons, Diff…)
        new = replace(old, **changes)
        rows = self._rows(self.size.width)
        self._items[item_id] = new
        if item_id == self._cursor and not new.pressable:
            self._cursor = self._first()
        if new.width == old.width:
            self._repaint(item_id)
        elif self._rows(self.size.width) != rows:
            self.refresh(layout=True)
        else:
            self.refresh()
        return True

    @property
    def highlighted(self) -> ToolItem | None:
        """The button the keys act on, while the toolbar has focus."""
        return self._items.get(self._cursor) if self.has_focus and self._cursor else None

    def item_region(self, item_id: str) -> Region | None:
        """Where `item_id` is drawn, in the toolbar's own coordinates."""
        for p in self._places(self.size.width):
            if p.id == item_id:
                return Region(p.x, p.y, p.width, 1)
        return None

    def _pressables(self) -> list[str]:
        return [i.id for i in self._items.values() if i.pressable]

    def _first(self) -> str | None:
        ids = self._pressables()
        return ids[0] if ids else None

    # -- keys and mouse ----------------------------------------------------------------------
    def on_focus(self) -> None:
        if self._cursor is None or not self._items[self._cursor].pressable:
            self._cursor = self._first()
        self._repaint(self._cursor)

    def on_blur(self) -> None:
        self._repaint(self._cursor)

    def action_step(self, delta: int) -> None:
        ids = self._pressables()
        if not ids:
            return
        i = ids.index(self._cursor) if self._cursor in ids else 0
        before, self._cursor = self._cursor, ids[(i + delta) % len(ids)]
        self._repaint(before, self._cursor)

    def press(self, item_id: str) -> None:
        """Press the button `item_id`, as a click on it would (nothing if it is not shown)."""
        if self._items[item_id].pressable:
            self.post_message(self.Pressed(self, item_id))

    def action_press(self) -> None:
        item = self.highlighted
        if item is not None:
            self.press(item.id)

    def _item_at(self, event: events.MouseEvent) -> ToolItem | None:
        item_id = placed_at(self._places(self.size.width), event.get_content_offset(self))
        return self._items[item_id] if item_id is not None else None

    def on_click(self, event: events.Click) -> None:
        item = self._item_at(event)
        if item is None or not item.pressable:
            return
        event.stop()
        before, self._cursor = self._cursor, item.id
        self._repaint(before, item.id)
        self.press(item.id)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event)
        hover = item.id if item is not None and item.shown else None
        if hover == self._hover:
            return
        before, self._hover = self._hover, hover
        self.tooltip = (item.tooltip or None) if hover else None
        self._repaint(before, hover)

    def on_leave(self, event: events.Leave) -> None:
        self.tooltip = None
        if self._hover is not None:
            before, self._hover = self._hover, None
            self._repaint(before)

    def _repaint(self, *item_ids: str | None) -> None:
        regions = [r for i in item_ids if i is not None and (r := self.item_region(i)) is not None]
        if regions:
            self.refresh(*regions)

    # -- drawing ------------------------------------------------------------------------------
    def _places(self, width: int) -> list[Placed]:
        key = (width, tuple(i.width for i in self._items.values()))
        if key != self._placed_for:
            self._placed = place(self._items.values(), width) if width > 0 else []
            self._placed_for = key
        return self._placed

    def _rows(self, width: int) -> int:
        return max((p.y for p in self._places(width)), default=0) + 1

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._rows(width)

    def _style(self, base: RichStyle, item: ToolItem) -> RichStyle:
        background = self.visual_style.background  # cached by Textual until the styles change
        key = (self.app.theme, background)
        if key != self._style_key:
            self._style_key, self._drawn = key, {}
            self._styles = ToolStyles(background, dict(self.app.theme_variables))
        hover = item.id == self._hover
        cursor = self.has_focus and item.id == self._cursor
        look = (base, item.look, item.state, item.active, hover, cursor)
        style = self._drawn.get(look)
        if style is None:
            style = self._drawn[look] = base + self._styles.look(item, hover=hover, cursor=cursor).rich_style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style.rich_style
        segments: list[Segment] = []
        column = 0
        for p in self._places(width):
            if p.y != y:
                continue
            item = self._items[p.id]
            if p.x > column:
                segments.append(Segment(" " * (p.x - column), base))
            if item.shown:
                room = p.width - cell_len(item.label)
                left = room // 2 if item.look == "badge" else 1  # the badge's words centred
                text = " " * left + item.label + " " * (room - left)
                segments.append(Segment(text, self._style(base, item)))
            else:
                segments.append(Segment(" " * p.width, base))
            column = p.x + p.width
        return Strip(segments, column).crop(0, width)
