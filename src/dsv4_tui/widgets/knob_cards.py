"""The Playground's knob cards, drawn by one widget: each card's frame and title, its knobs'
rows of chips, and the note of a card that is off.

Nine cards with their rows and notes were about forty widgets, all laid out again when a
knob press turned a card on or off. One widget lays out as one, keeps the lines it drew (a
line moved by a card above it comes from that cache) and repaints the lines, or the chips,
that changed. In two columns it is a `ScrollView` in a box of a fixed height: a card that
grows or shrinks changes what it scrolls, not its size (Textual repaints a widget whose size
changes whole). In one column it is as tall as its lines and the pane scrolls.

The rows behave as Deploy's `ChipRow`s: ← / → move the highlight along a row, Enter / Space
choose the highlighted chip (a greyed one explains itself), ↑ / ↓ (and Tab / Shift+Tab) go
to the row above / below, to its selected chip, and past the first or last row to what comes
before or after the cards. A click chooses, hovering explains. The widget posts `ChipRow`'s
messages (chosen, highlighted, hovered, refused), so the App treats a knob as any chip.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding
from textual.geometry import Offset, Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .card_lines import FRAME, Card, Knob, changed_region, draw_line, lay_out, line_look
from .chip_layout import ChipOption, Placed, placed_at
from .chips import ChipPens, ChipRow, chip_line
from .quiet import scroll_region_into_view, words_wrapped

STRIPS_KEPT = 1024  # drawn lines kept for a look shown again (a press back, a line moved)


class KnobCards(ScrollView, can_focus=True):
    """The Playground's cards of knobs (TP / CP / DP-attention, MoE, speculative decoding…)."""

    DEFAULT_CSS = """
    KnobCards { height: auto; width: 1fr; overflow-x: hidden; overflow-y: hidden; }
    KnobCards > .knob-cards--frame { color: $primary 40%; }
    KnobCards > .knob-cards--note { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"knob-cards--frame", "knob-cards--note"}

    BINDINGS = [
        *ChipRow.BINDINGS,
        Binding("tab", "row(1, True)", "Next", show=False, tooltip="the next row"),
        Binding("shift+tab", "row(-1, True)", "Previous", show=False, tooltip="the previous row"),
    ]

    def __init__(self, *, label_width: int, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label_width = label_width
        self._cards: tuple[Card, ...] = ()
        self._knobs: dict[str, Knob] = {}
        self.row: str | None = None  # the knob the keys act on (kept while focus is elsewhere)
        self._cursor: str | None = None  # the highlighted chip of that row, while focused
        self._hover: tuple[str, str] | None = None  # (knob, chip) under the mouse
        self._width = -1
        self._laid: dict[int, tuple] = {}  # width -> its lines, places and rows, for these cards
        self._lines: list[tuple] = []  # what each line draws (see `_layout`)
        self._places: dict[str, tuple[Placed, ...]] = {}  # knob -> its chips' places at `_width`
        self._rows: dict[str, tuple[int, int]] = {}  # knob -> (first line, lines) when drawn
        self._looks: list[tuple] = []  # each line's look, as last drawn (`_look`)
        self._looks_width = -1  # the width `_looks` are for
        self._pens = ChipPens()
        self._strips: dict[tuple, Strip] = {}  # a line's look -> its strip
        self._strips_for: tuple | None = None  # (base style, frame style, note style) of `_strips`

    # -- what is shown -------------------------------------------------------------------
    @property
    def cards(self) -> tuple[Card, ...]:
        return self._cards

    def knob(self, key: str) -> Knob:
        return self._knobs[key]

    def card(self, card_id: str) -> Card:
        return next(c for c in self._cards if c.id == card_id)

    def show(self, cards: Sequence[Card]) -> None:
        """Draw `cards`: the lines whose look changed are repainted (a new number of lines is
        a layout, unless the cards fit the box they scroll in)."""
        cards = tuple(cards)
        if cards == self._cards:
            return
        self._cards = cards
        self._knobs = {k.key: k for c in cards for k in c.knobs}
        if (self.row is not None or self.has_focus) and not self.focusable_row(self.row):
            self.row = self._first_row()
        if (self._cursor is not None or self.has_focus) and not self._chip_shown(self.row, self._cursor):
            self._cursor = self._selected(self.row)
        if self._hover is not None and not self._chip_shown(*self._hover):
            self._hover = None
        self._width = -1  # places and lines are worked out again at the next look
        self._laid.clear()
        self._redraw()

    def row_lines(self, key: str) -> tuple[int, int] | None:
        """(first line, lines) of the knob's row, None when it is not drawn."""
        self._layout(self._content_width())
        return self._rows.get(key)

    def card_lines(self, card_id: str) -> tuple[int, int] | None:
        """(first line, lines) of the card, None when it is not drawn."""
        return self.row_lines(f"card:{card_id}")

    def focusable_row(self, key: str | None) -> bool:
        knob = self._knobs.get(key) if key is not None else None
        return knob is not None and knob.takes_keys

    def _first_row(self) -> str | None:
        """The first row with a selected chip, else the first row the keys can stop on."""
        rows = [k for c in self._cards for k in c.knobs if k.takes_keys]
        first = next(
            (k for k in rows if any(o.shown and o.state.selected for o in k.options)), rows[0] if rows else None
        )
        return first.key if first else None

    def _chip_shown(self, key: str | None, option_id: str | None) -> bool:
        knob = self._knobs.get(key) if key is not None else None
        return knob is not None and knob.chip(option_id) is not None

    def _selected(self, key: str | None) -> str | None:
        knob = self._knobs.get(key) if key is not None else None
        chip = knob.selected_chip() if knob is not None else None
        return chip.id if chip is not None else None

    @property
    def highlighted(self) -> ChipOption | None:
        """The chip the keys act on (while the cards have focus)."""
        knob = self._knobs.get(self.row) if self.has_focus and self.row else None
        return knob.chip(self._cursor) if knob is not None else None

    # -- focus and keys ------------------------------------------------------------------
    def start_at_first_row(self) -> bool:
        """The next focus starts on the first row with a selected chip (a tab switch); False
        when no row can take the keys."""
        self.row, self._cursor = self._first_row(), None
        return self.row is not None

    def highlight(self, key: str, option_id: str, *, quiet: bool = False) -> None:
        """Put the highlight on the chip `option_id` (shown) of the knob `key` and focus the
        cards; `quiet`: without saying so on the status line (the caller says something else)."""
        if not self._chip_shown(key, option_id):
            raise ValueError(f"{key}: no chip {option_id!r} on show")
        self.row, self._cursor = key, option_id
        self._redraw()
        self.reveal()
        if self.has_focus:
            if not quiet:
                self._say_highlighted()
        else:
            self.screen.set_focus(self, scroll_visible=False)

    def on_focus(self) -> None:
        if not self.focusable_row(self.row):
            self.row = self._first_row()
        if self._cursor is None or not self._chip_shown(self.row, self._cursor):
            self._cursor = self._selected(self.row)
        self._redraw()
        self.reveal()
        # Focus from the focus chain (Tab) also has the screen scroll the whole widget into
        # view, after this: the row is brought back into view after that.
        self.call_after_refresh(lambda: self.has_focus and self.reveal())
        self._say_highlighted()

    def on_blur(self) -> None:
        self._cursor = None  # the next focus starts on the row's selected chip
        self._redraw()

    def _say_highlighted(self) -> None:
        knob = self._knobs.get(self.row) if self.row else None
        option = knob.chip(self._cursor) if knob is not None else None
        if option is not None:
            self.post_message(ChipRow.Highlighted(self, option))

    def action_press(self) -> None:
        if self.highlighted is not None:
            self._choose(self.highlighted)

    def _choose(self, option: ChipOption) -> None:
        """Choose `option`, or say why not (greyed)."""
        if option.state.enabled:
            self.post_message(ChipRow.Chosen(self, option.state.dim, option.id))
        else:
            self.post_message(ChipRow.Refused(self, option))

    def action_step(self, delta: int) -> None:
        if self.row is None:
            return
        ids = [o.id for o in self._knobs[self.row].options if o.shown]
        if not ids:
            return
        i = ids.index(self._cursor) if self._cursor in ids else 0
        self._cursor = ids[(i + delta) % len(ids)]
        self._redraw()
        self._say_highlighted()

    def action_row(self, delta: int, tab: bool = False) -> None:
        """Up / down (Tab / Shift+Tab): the neighbouring row the keys can stop on; past the
        first or last row, what comes before or after the cards in the focus chain."""
        rows = [k.key for c in self._cards for k in c.knobs if k.takes_keys]
        j = rows.index(self.row) + delta if self.row in rows else -1
        if 0 <= j < len(rows):
            self.row, self._cursor = rows[j], self._selected(rows[j])
            self._redraw()
            self.reveal()
            self._say_highlighted()
            return
        chain = self.screen.focus_chain
        if self in chain:
            k = chain.index(self) + (1 if delta > 0 else -1)
            if 0 <= k < len(chain):
                self.screen.set_focus(chain[k])
            elif tab:  # Tab wraps round the screen's focus chain, as it does everywhere
                self.screen.set_focus(chain[k % len(chain)])

    # -- the mouse -----------------------------------------------------------------------
    def _chip_at(self, offset: Offset | None) -> tuple[str, ChipOption] | None:
        """The chip at `offset` in the widget (as a mouse event gives it), if any."""
        if offset is None:
            return None
        offset = offset + self.scroll_offset
        self._layout(self._content_width())
        if not 0 <= offset.y < len(self._lines):
            return None
        line = self._lines[offset.y]
        if line[0] != "knob":
            return None
        _, key, y = line
        option = self._knobs[key].chip(placed_at(self._places[key], Offset(offset.x - FRAME, y)))
        return (key, option) if option is not None else None

    def on_click(self, event: events.Click) -> None:
        found = self._chip_at(event.get_content_offset(self))
        if found is None:
            return
        event.stop()
        key, option = found
        self.row, self._cursor = key, option.id
        self._redraw()
        if self.has_focus:
            self._say_highlighted()  # the status line follows the click, as it follows the keys
        else:
            self.screen.set_focus(self, scroll_visible=False)
        self._choose(option)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        found = self._chip_at(event.get_content_offset(self))
        hover = (found[0], found[1].id) if found else None
        if hover == self._hover:
            return
        self._hover = hover
        self.tooltip = found[1].tooltip if found else None
        self._redraw()
        if found is not None:
            self.post_message(ChipRow.Hovered(self, found[1]))

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self._redraw()

    def chip_region(self, key: str, option_id: str) -> Region | None:
        """Where a chip is drawn, in this widget's coordinates (None: not shown)."""
        self._layout(self._content_width())
        lines = self._rows.get(key)
        if lines is None:
            return None
        for p in self._places[key]:
            if p.id == option_id:
                return Region(p.x + FRAME, lines[0] + p.y - self.scroll_offset.y, p.width, 1)
        return None

    # -- layout and repaint --------------------------------------------------------------
    def _content_width(self) -> int:
        """The columns the cards are drawn in: the widget's, less its scrollbar's when its
        lines are more than it shows and it scrolls (two columns)."""
        width = self.size.width if self.size.width > 0 else (self.parent.size.width if self.parent else 0)
        height = self.size.height
        if self.styles.overflow_y in ("auto", "scroll") and height > 0:
            self._layout(width)
            if len(self._lines) > height or self.styles.overflow_y == "scroll":
                width = max(1, width - self.styles.scrollbar_size_vertical)
        return width

    def _layout(self, width: int) -> None:
        if width == self._width:
            return
        self._width = width
        # Two widths are asked for in turn while the cards scroll: with and without the scrollbar.
        laid = self._laid.get(width)
        if laid is None:
            wrap = lambda note, columns: words_wrapped(note, columns, self.app.console)  # noqa: E731
            laid = self._laid[width] = lay_out(self._cards, self.label_width, width, wrap)
        self._lines, self._places, self._rows = laid

    def _look(self, line: tuple) -> tuple:
        return line_look(line, self._knobs, self._places, self.label_width, self._chip_look)

    def _chip_look(self, key: str, option: ChipOption) -> tuple:
        s = option.state
        cursor = self.has_focus and self.row == key and self._cursor == option.id
        return (option.text, option.group, s.selected, s.enabled, self._hover == (key, option.id), cursor)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._layout(width)
        return max(1, len(self._lines))

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        """Repaint what changed since the lines were last drawn: the chips whose looks
        changed on a line that is otherwise the same, else the whole line. A new number of
        lines is a new virtual size (a layout)."""
        if not self.is_mounted:
            return
        width = self._content_width()
        self._layout(width)
        looks = [self._look(line) for line in self._lines]
        before = self._looks if self._looks_width == width else []
        self._looks, self._looks_width = looks, width
        # In a box (two columns), cards that fit it fill it: a card that grows or shrinks
        # within it changes no size at all, and needs no layout.
        boxed = self.styles.overflow_y != "hidden"
        virtual = Size(width, max(len(looks), self.size.height) if boxed else len(looks))
        resized = virtual != self.virtual_size
        if resized:  # set quietly: as a reactive it would repaint every line, not the changed ones
            self.set_reactive(KnobCards.virtual_size, virtual)
        top, shown = round(self.scroll_offset.y), self.size.height
        regions = []
        for y, look in enumerate(looks):
            old = before[y] if y < len(before) else None
            if old != look and top <= y < top + shown:
                regions.append(changed_region(y, old, look, max(1, self.size.width)).translate(Offset(0, -top)))
        if len(before) > len(looks):  # the lines the cards no longer take
            regions.append(Region(0, len(looks) - top, max(1, self.size.width), len(before) - len(looks)))
        if regions or resized:  # a new virtual size is a layout: the scrollbar, or the pane's, follows
            self.refresh(*regions, layout=resized)

    def reveal(self, key: str | None = None) -> None:
        """Scroll the cards (or, in one column, the pane) so that the row of the knob `key`
        (default: the row the keys act on) is in view."""
        key = key or self.row
        self._reveal(self._rows.get(key) if key else None)

    def reveal_card(self, card_id: str) -> None:
        """Scroll so that the card's first line is at the top of the view."""
        self._reveal(self.card_lines(card_id), top=True)

    def _reveal(self, lines: tuple[int, int] | None, top: bool = False) -> None:
        if lines is None or not self.is_mounted:
            return
        region = Region(0, lines[0], self.size.width, lines[1])
        if self.allow_vertical_scroll:  # two columns: the cards scroll on their own
            self.scroll_to_region(region, animate=False, immediate=True, top=top)
        else:  # one column: the pane scrolls
            scroll_region_into_view(self, region, top=top)

    # -- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self._content_width()
        self._layout(width)
        y += round(self.scroll_offset.y)
        if y >= len(self._lines):
            return Strip([])
        base = self.visual_style.rich_style  # cached by Textual until the styles change
        frame = self.get_component_rich_style("knob-cards--frame")
        note = self.get_component_rich_style("knob-cards--note")
        key = (base, frame, note, self._pens.key_for(self))  # a new theme or background: new strips
        if key != self._strips_for:
            self._strips_for = key
            self._strips.clear()
        line = self._lines[y]
        look = self._looks[y] if self._looks_width == width and y < len(self._looks) else self._look(line)
        strip = self._strips.get((width, look))
        if strip is None:
            if len(self._strips) >= STRIPS_KEPT:
                self._strips.clear()
            strip = self._strips[(width, look)] = self._draw(line, width, base, frame, note)
        return strip

    def _draw(self, line: tuple, width: int, base: RichStyle, frame: RichStyle, note: RichStyle) -> Strip:
        if line[0] != "knob":
            return draw_line(line, width, base, frame, note)
        _, key, y = line
        knob = self._knobs[key]
        # The chip's look, but its text and group: (selected, enabled, hovered, highlighted).
        row_pen = self._pens.of(self, base, lambda option: self._chip_look(key, option)[2:])
        segments, column = chip_line(row_pen, y, knob.label, self.label_width, knob.options, self._places[key])
        return draw_line(line, width, base, frame, note, (segments, column))
