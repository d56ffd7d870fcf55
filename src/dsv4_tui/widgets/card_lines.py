"""The lines of the Playground's knob cards (`KnobCards`): what each line draws, what it
looks like, what changed between two looks, and how a card's frame is drawn. Pure functions
of the cards and the width."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.geometry import Region
from textual.strip import Strip

from ..core.frozen import frozen
from .chip_layout import ChipOption, Placed, place, wrap_label

FRAME = 2  # columns of frame and padding on each side of a card's rows: "│ " and " │"


@frozen
class Knob:
    """A row of a card: the knob's chips, whether it is drawn, whether the keys stop on it."""

    key: str
    label: str
    options: tuple[ChipOption, ...]
    shown: bool = True
    focusable: bool = True

    @property
    def takes_keys(self) -> bool:
        """The keys stop on the row: it can take them, is drawn and has a chip drawn."""
        return self.focusable and self.shown and any(o.shown for o in self.options)

    def chip(self, option_id: str | None) -> ChipOption | None:
        """The chip `option_id`, if it is drawn."""
        return next((o for o in self.options if o.id == option_id and o.shown), None)

    def selected_chip(self) -> ChipOption | None:
        """The selected chip, else the first one drawn."""
        shown = [o for o in self.options if o.shown]
        return next((o for o in shown if o.state.selected), shown[0] if shown else None)


@frozen
class Card:
    """A card: its title, whether it is drawn at all, and either its knobs or, when it is
    off, the note that says why (`note` is None while the knobs are shown)."""

    id: str
    title: str
    knobs: tuple[Knob, ...]
    shown: bool = True
    note: str | None = None


def lay_out(
    cards: Sequence[Card], label_width: int, width: int, wrap: Callable[[str, int], Sequence[str]]
) -> tuple[list[tuple], dict[str, tuple[Placed, ...]], dict[str, tuple[int, int]]]:
    """The lines of `cards` at `width` columns: ("top", title), ("knob", key, line of the
    row), ("note", words) and ("bottom",); where each knob's chips go; and the (first line,
    lines) of each drawn knob, and of each drawn card (by "card:" and its id). `wrap` breaks
    a note into lines of at most so many columns."""
    inner = max(1, width - 2 * FRAME)
    lines: list[tuple] = []
    places: dict[str, tuple[Placed, ...]] = {}
    rows: dict[str, tuple[int, int]] = {}
    for card in cards:
        if not card.shown:
            continue
        first = len(lines)
        lines.append(("top", card.title))
        if card.note is not None:
            lines.extend(("note", text) for text in ((wrap(card.note, inner) if card.note else ()) or ("",)))
        else:
            for knob in card.knobs:
                if not knob.shown:
                    continue
                placed = places[knob.key] = _place(knob.options, label_width, inner)
                height = max(max((p.y for p in placed), default=0) + 1, len(wrap_label(knob.label, label_width)))
                rows[knob.key] = (len(lines), height)
                lines.extend(("knob", knob.key, y) for y in range(height))
        lines.append(("bottom",))
        rows[f"card:{card.id}"] = (first, len(lines) - first)
    return lines, places, rows


_PLACES: dict[tuple, tuple[Placed, ...]] = {}


def _place(options: Sequence[ChipOption], label_width: int, width: int) -> tuple[Placed, ...]:
    """`place`, kept from one knob press to the next: where a chip goes depends on its id,
    text, group and being shown, not on its state (selected, greyed), which a press changes."""
    key = (tuple((o.id, o.text, o.group, o.shown) for o in options), label_width, width)
    placed = _PLACES.get(key)
    if placed is None:
        if len(_PLACES) >= 512:
            _PLACES.clear()
        placed = _PLACES[key] = tuple(place(options, label_width, width))
    return placed


def line_look(
    line: tuple,
    knobs: Mapping[str, Knob],
    places: Mapping[str, Sequence[Placed]],
    label_width: int,
    chip_look: Callable[[str, ChipOption], tuple],
) -> tuple:
    """What `line` looks like: equal looks draw equal strips. A knob's line is its label's
    words and, for each chip on it, (id, column, width, `chip_look`)."""
    if line[0] != "knob":
        return line
    _, key, y = line
    knob = knobs[key]
    by_id = {o.id: o for o in knob.options}
    label = wrap_label(knob.label, label_width)
    chips = tuple((p.id, p.x, p.width, chip_look(key, by_id[p.id])) for p in places[key] if p.y == y)
    return ("knob", label[y] if y < len(label) else "", chips)


def changed_region(y: int, old: tuple | None, new: tuple, width: int) -> Region:
    """What to repaint of line `y`, from look `old` to `new`: the chips whose looks changed
    when the line is otherwise the same (a few dozen bytes on the wire), else the line."""
    if old is None or old[0] != "knob" or new[0] != "knob" or old[1] != new[1]:
        return Region(0, y, width, 1)
    before, after = old[2], new[2]
    if [c[:3] for c in before] != [c[:3] for c in after]:
        return Region(0, y, width, 1)
    changed = [Region(a[1] + FRAME, y, a[2], 1) for a, b in zip(after, before) if a != b]
    # As one region: Textual writes each region of a line from the line's start.
    return Region.from_union(changed) if changed else Region(0, y, width, 1)


def draw_line(
    line: tuple,
    width: int,
    base: RichStyle,
    frame: RichStyle,
    note: RichStyle,
    content: tuple[list[Segment], int] | None = None,
) -> Strip:
    """A line of the cards, `width` columns: a frame's top (with the card's title) or bottom,
    or a note's or knob's line (its `content`: segments and their columns) between the
    frame's sides, one column of padding each side."""
    kind = line[0]
    if kind == "top":
        title = f" {line[1]} "
        rest = max(0, width - 3 - cell_len(title))
        return Strip([Segment("╭─", frame), Segment(title, frame), Segment("─" * rest + "╮", frame)]).crop(0, width)
    if kind == "bottom":
        return Strip([Segment("╰" + "─" * max(0, width - 2) + "╯", frame)], width)
    if kind == "note":
        content = [Segment(line[1], note)], cell_len(line[1])
    segments, column = content if content is not None else ([], 0)
    inner = max(0, width - 2 * FRAME)
    middle = Strip(segments, column).crop(0, inner).extend_cell_length(inner, base)
    left = Strip([Segment("│", frame), Segment(" ", base)], 2)
    right = Strip([Segment(" ", base), Segment("│", frame)], 2)
    return Strip.join([left, middle, right])
