"""Option chips: a row of them is one widget (a Deploy dimension; the Playground's knobs are
all drawn by one widget, `KnobCards`, with the pens and lines here).

The row draws its chips itself and keeps a highlight (the chip the keys act on) while it has
focus. One widget per row, not per chip: Textual spends about a millisecond on each widget it
starts, and the Deploy tab alone has 19 chips in 5 rows. Greyed chips stay reachable, to say
why they are greyed.

Keys: ← / → move the highlight along the row, Enter / Space choose the highlighted chip (a
greyed one explains itself), ↑ / ↓ go to the row above / below (to its selected chip). A click
chooses, hovering explains. The row posts what happened (chosen, highlighted, hovered,
refused); the App owns the status line and says what the chip explains.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from ..core.selection import OptionState
from .chip_layout import GROUP_WIDTH, ChipOption, ChipStyles, Placed, place, placed_at, wrap_label
from .quiet import SizedInPlace


class ChipRow(SizedInPlace, Widget, can_focus=True):
    """A labelled row of chips for one dimension (hardware has NVIDIA / AMD groups)."""

    DEFAULT_CSS = """
    ChipRow { height: auto; width: 1fr; }
    """

    BINDINGS = [
        Binding(
            "enter,space", "press", "Choose", show=False, tooltip="choose the focused option (a greyed one says why)"
        ),
        Binding("left", "step(-1)", "Previous", show=False, tooltip="the previous option of the row"),
        Binding("right", "step(1)", "Next", show=False, tooltip="the next option of the row"),
        Binding("up", "row(-1)", "Row up", show=False, tooltip="the row above"),
        Binding("down", "row(1)", "Row down", show=False, tooltip="the row below"),
    ]

    # Messages are plain classes: a dataclass compiles its methods when it is created, at
    # every start, before the first frame.
    class Chosen(Message):
        def __init__(self, row: ChipRow, dim: str, value: str) -> None:
            self.row, self.dim, self.value = row, dim, value
            super().__init__()

    class _About(Message):
        def __init__(self, row: ChipRow, option: ChipOption) -> None:
            self.row, self.option = row, option
            super().__init__()

    class Highlighted(_About):
        """The highlight moved to `option` (a key, or the row got focus)."""

    class Hovered(_About):
        """The mouse is over a chip: the status line says what it is, or why it is greyed."""

    class Refused(_About):
        """A greyed chip was pressed: the status line says why."""

    def __init__(self, dim: str, label: str, options: Sequence[ChipOption] = (), *, label_width: int = 13):
        super().__init__(id=f"row-{dim}")
        self.dim = dim
        self.label = label
        self.label_width = label_width
        self._options: tuple[ChipOption, ...] = tuple(options)
        self._cursor: str | None = None  # the highlighted chip while the row has focus
        self._hover: str | None = None
        self._placed: list[Placed] = []
        self._placed_width = -1
        self._pens = ChipPens()

    # -- the options ---------------------------------------------------------------------
    @property
    def options(self) -> tuple[ChipOption, ...]:
        return self._options

    def option(self, option_id: str) -> ChipOption | None:
        return next((o for o in self._options if o.id == option_id), None)

    def shown_options(self) -> list[ChipOption]:
        return [o for o in self._options if o.shown]

    def set_options(self, options: Sequence[ChipOption]) -> None:
        """Show `options`. A change of the chips drawn lays the screen out again; a change
        of their looks (selected, greyed) repaints this row only; a change of what they
        say on focus or hover alone (a greyed chip's reason, its detail), or none, nothing."""
        options = tuple(options)
        if options == self._options:
            return
        same_places = [(o.id, o.text, o.group, o.shown) for o in options] == [
            (o.id, o.text, o.group, o.shown) for o in self._options
        ]
        changed = [
            new.id
            for new, old in zip(options, self._options)
            if (new.state.selected, new.state.enabled) != (old.state.selected, old.state.enabled)
        ]
        self._options = options
        if same_places and not changed:
            return
        if self._cursor is not None and not self._shown(self._cursor):
            self._cursor = self._start()
        if self._hover is not None and not self._shown(self._hover):
            self._hover = None
        if same_places:
            self._repaint(*changed)
        else:
            self._placed_width = -1
            self.refresh(layout=True)

    def update_states(self, states: dict[str, tuple[OptionState, str]]) -> None:
        """New states (and details) for the chips, by option id."""
        self.set_options(
            [
                ChipOption(states[o.id][0], o.text, states[o.id][1], o.group, o.shown) if o.id in states else o
                for o in self._options
            ]
        )

    def _shown(self, option_id: str) -> bool:
        option = self.option(option_id)
        return option is not None and option.shown

    def selected_option(self) -> ChipOption | None:
        """The selected chip, else the first one shown."""
        shown = self.shown_options()
        return next((o for o in shown if o.state.selected), shown[0] if shown else None)

    def _start(self) -> str | None:
        option = self.selected_option()
        return option.id if option else None

    @property
    def highlighted(self) -> ChipOption | None:
        """The chip the keys act on (while the row has focus)."""
        return self.option(self._cursor) if self.has_focus and self._cursor else None

    # -- focus and keys ------------------------------------------------------------------
    def highlight(self, option_id: str, *, quiet: bool = False) -> None:
        """Put the highlight on `option_id` (shown) and focus the row; `quiet`: without
        saying so on the status line (the caller says something else there)."""
        if not self._shown(option_id):
            raise ValueError(f"{self.dim}: no chip {option_id!r} on show")
        self._cursor, before = option_id, self._cursor
        self._repaint(before, option_id)
        if self.has_focus:
            if not quiet:
                self._say_highlighted()
        else:
            self._take_focus()

    def focus_selected(self) -> None:
        self._cursor = self._start()
        self._take_focus()

    def _take_focus(self, target: Widget | None = None) -> None:
        """Focus now, not after the messages already queued (`Widget.focus` defers): keys
        that arrive in a burst (a held arrow) each act on the row the previous one reached."""
        self.screen.set_focus(target or self)

    def on_focus(self) -> None:
        if self._cursor is None or not self._shown(self._cursor):
            self._cursor = self._start()
        self._repaint(self._cursor)
        self._say_highlighted()

    def on_blur(self) -> None:
        self._repaint(self._cursor)
        self._cursor = None  # the next focus starts on the selected chip

    def _say_highlighted(self) -> None:
        option = self.option(self._cursor) if self._cursor else None
        if option is not None:
            self.post_message(self.Highlighted(self, option))

    def action_press(self) -> None:
        option = self.highlighted
        if option is None:
            return
        if option.state.enabled:
            self.post_message(self.Chosen(self, option.state.dim, option.id))
        else:
            self.post_message(self.Refused(self, option))

    def action_step(self, delta: int) -> None:
        shown = self.shown_options()
        if not shown:
            return
        ids = [o.id for o in shown]
        i = ids.index(self._cursor) if self._cursor in ids else 0
        before, self._cursor = self._cursor, ids[(i + delta) % len(ids)]
        self._repaint(before, self._cursor)
        self._say_highlighted()

    def action_row(self, delta: int) -> None:
        """Up / down: the neighbouring row that has a chip to focus (rows off screen skipped)."""
        rows = [
            r
            for r in self.parent.query_children(ChipRow)
            if r is self or (r.display and r.can_focus and r.shown_options())
        ]
        j = rows.index(self) + delta
        if 0 <= j < len(rows):
            rows[j].focus_selected()
            return
        # Leaving the first / last row: go to what comes before / after it in the focus chain.
        chain = self.screen.focus_chain
        if self in chain:
            k = chain.index(self) + (1 if delta > 0 else -1)
            if 0 <= k < len(chain):
                self._take_focus(chain[k])

    # -- the mouse -----------------------------------------------------------------------
    def _option_at(self, event: events.MouseEvent) -> ChipOption | None:
        option_id = placed_at(self._places(self.size.width), event.get_content_offset(self))
        return self.option(option_id) if option_id is not None else None

    def on_click(self, event: events.Click) -> None:
        option = self._option_at(event)
        if option is None:
            return
        event.stop()
        before, self._cursor = self._cursor, option.id
        if self.has_focus:
            self._say_highlighted()  # the status line follows the click, as it follows the keys
        else:
            self._take_focus()
        self._repaint(before, option.id)
        if option.state.enabled:
            self.post_message(self.Chosen(self, option.state.dim, option.id))
        else:
            self.post_message(self.Refused(self, option))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        option = self._option_at(event)
        hover = option.id if option else None
        if hover == self._hover:
            return
        before, self._hover = self._hover, hover
        self.tooltip = option.tooltip if option else None
        self._repaint(before, hover)
        if option is not None:
            self.post_message(self.Hovered(self, option))

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            before, self._hover = self._hover, None
            self._repaint(before)

    def chip_region(self, option_id: str) -> Region | None:
        """Where the chip `option_id` is drawn, in the row's own coordinates (None: not shown)."""
        for p in self._places(self.size.width):
            if p.id == option_id:
                return Region(p.x, p.y, p.width, 1)
        return None

    def _repaint(self, *option_ids: str | None) -> None:
        """Repaint these chips alone: their looks changed, not where they sit (a whole row
        is about 400 bytes on the wire; a chip, a few dozen)."""
        regions = [r for i in option_ids if i is not None and (r := self.chip_region(i)) is not None]
        if regions:  # as one region: Textual writes each region of a line from the row's start
            self.refresh(Region.from_union(regions))

    # -- drawing -------------------------------------------------------------------------
    def _places(self, width: int) -> list[Placed]:
        if width != self._placed_width:
            self._placed = place(self._options, self.label_width, width)
            self._placed_width = width
        return self._placed

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        lines = max((p.y for p in self._places(width)), default=0) + 1
        return max(lines, len(wrap_label(self.label, self.label_width)))

    def _chip_look(self, option: ChipOption) -> tuple[bool, bool, bool, bool]:
        """(selected, enabled, hovered, highlighted): what a chip's style depends on."""
        s = option.state
        return s.selected, s.enabled, option.id == self._hover, self.has_focus and option.id == self._cursor

    def render_line(self, y: int) -> Strip:
        """Line `y` of the row. Textual asks only for the lines a refresh made dirty; drawing
        them directly costs a fraction of a `Content` render (about 0.1 ms against 0.5 a line)."""
        width = self.size.width
        base = self.visual_style.rich_style  # cached by Textual until the styles change
        segments, column = chip_line(
            self._pens.of(self, base, self._chip_look),
            y,
            self.label,
            self.label_width,
            self._options,
            self._places(width),
        )
        # Textual pads the line to the row's width (in the row's background, as for any widget).
        return Strip(segments, column).crop(0, width)


class ChipPens:
    """The Rich styles a widget draws chips with, over its own background, in the theme's
    colours: worked out once per theme and background (styling chips with CSS component
    classes cost Textual a style pass per class and widget at start-up)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._styles: ChipStyles | None = None
        self._drawn: dict[tuple, RichStyle] = {}  # (base, look) -> its Rich style

    def key_for(self, widget: Widget) -> tuple:
        """(theme, background) of `widget` as it is now; new pens when they changed."""
        background = widget.visual_style.background  # cached by Textual until the styles change
        key = (widget.app.theme, background)
        if self._key != key:
            self._key = key
            self._styles = ChipStyles.of(widget.app.theme_variables, background)
            self._drawn.clear()
        return key

    def of(self, widget: Widget, base: RichStyle, chip_look: Callable[[ChipOption], tuple]) -> Callable:
        """The style of the label ("label"), a group's name ("group") or a chip (by its
        `chip_look`), over `base` ("base": `base` itself), for `widget` as it is now."""
        self.key_for(widget)
        styles, drawn = self._styles, self._drawn

        def pen(what: str | ChipOption) -> RichStyle:
            if what == "base":
                return base
            look = what if isinstance(what, str) else chip_look(what)
            style = drawn.get((base, look))
            if style is None:
                if look == "label":
                    chosen = styles.label
                elif look == "group":
                    chosen = styles.group
                else:
                    selected, enabled, hover, cursor = look
                    chosen = styles.chip(selected=selected, enabled=enabled, hover=hover, cursor=cursor)
                style = drawn[(base, look)] = base + chosen.rich_style
            return style

        return pen


def chip_line(
    pen: Callable[[str | ChipOption], RichStyle],
    y: int,
    label: str,
    label_width: int,
    options: Sequence[ChipOption],
    places: Sequence[Placed],
) -> tuple[list[Segment], int]:
    """Line `y` of a row of chips as segments, and the columns they take: the label (its
    `y`-th line), a group's name, the chips. `pen` gives each its style."""
    base = pen("base")
    label_lines = wrap_label(label, label_width)
    segments: list[Segment] = []
    column = 0
    if y < len(label_lines):
        text = label_lines[y]
        segments.append(Segment(text, pen("label")))
        column = cell_len(text)
    group = None
    by_id = {o.id: o for o in options}
    first_of_group: set[str] = set()
    for o in options:
        if o.shown and o.group != group:
            group = o.group
            first_of_group.add(o.id)
    for p in places:
        if p.y != y:
            continue
        option = by_id[p.id]
        if option.group and p.id in first_of_group:
            if label_width > column:
                segments.append(Segment(" " * (label_width - column), base))
            segments.append(Segment(option.group.ljust(GROUP_WIDTH), pen("group")))
            column = label_width + GROUP_WIDTH
        if p.x > column:
            segments.append(Segment(" " * (p.x - column), base))
        segments.append(Segment(f" {option.text} ", pen(option)))
        column = p.x + p.width
    return segments, column
