"""One knob's row of the Playground's cards, as the pane and the tests see it: a `ChipRow`'s
questions (its chips, the highlight, where a chip is drawn), answered by the `KnobCards`
widget that draws every row."""

from __future__ import annotations

from textual.geometry import Region

from .card_lines import Knob
from .chip_layout import ChipOption
from .knob_cards import KnobCards


class KnobRow:
    """One knob's row, as the pane and the tests see it (a `ChipRow`'s questions, answered
    by the cards widget that draws it)."""

    def __init__(self, cards: KnobCards, key: str) -> None:
        self.widget, self.dim = cards, key

    @property
    def knob(self) -> Knob:
        return self.widget.knob(self.dim)

    @property
    def id(self) -> str:
        return f"row-pg-{self.dim}"

    @property
    def options(self) -> tuple[ChipOption, ...]:
        return self.knob.options

    def option(self, option_id: str) -> ChipOption | None:
        return next((o for o in self.knob.options if o.id == option_id), None)

    def shown_options(self) -> list[ChipOption]:
        return [o for o in self.knob.options if o.shown]

    def selected_option(self) -> ChipOption | None:
        """The selected chip, else the first one shown."""
        return self.knob.selected_chip()

    @property
    def label(self) -> str:
        return self.knob.label

    @property
    def display(self) -> bool:
        """Drawn: the knob and its card are on."""
        return self.widget.row_lines(self.dim) is not None

    @property
    def focusable(self) -> bool:
        return self.widget.focusable_row(self.dim)

    @property
    def has_focus(self) -> bool:
        return self.widget.has_focus and self.widget.row == self.dim

    @property
    def highlighted(self) -> ChipOption | None:
        return self.widget.highlighted if self.has_focus else None

    def highlight(self, option_id: str, *, quiet: bool = False) -> None:
        self.widget.highlight(self.dim, option_id, quiet=quiet)

    def scroll_visible(self) -> None:
        """Scroll the row into view."""
        self.widget.reveal(self.dim)

    def chip_region(self, option_id: str) -> Region | None:
        """Where the chip is drawn, in the cards widget's coordinates (None: not shown)."""
        return self.widget.chip_region(self.dim, option_id)

    @property
    def region(self) -> Region:
        """The row's lines on the screen (empty when it is not drawn)."""
        lines = self.widget.row_lines(self.dim)
        if lines is None:
            return Region()
        top, height = lines
        outer = self.widget.content_region
        return Region(outer.x, outer.y + top - self.widget.scroll_offset.y, outer.width, height)


def knob_row(cards: KnobCards, key: str) -> KnobRow:
    """The row of the knob `key` (KeyError: no such knob in the cards)."""
    cards.knob(key)
    return KnobRow(cards, key)
