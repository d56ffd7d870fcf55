"""Option chips: one row per dimension; greyed chips stay focusable to show their reason.

A chip posts what happened to it (chosen, hovered, refused); the App owns the status line
and says what the chip explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Static

from ..core.selection import OptionState
from .wrap_grid import WrapGrid


class Chip(Static, can_focus=True):
    """One option. Enter / Space / click chooses it; a greyed chip only explains itself."""

    DEFAULT_CSS = """
    Chip {
        width: auto;
        height: 1;
        padding: 0 1;
        margin: 0 1 0 0;
        background: $boost;
        color: $text;
    }
    Chip:hover { background: $primary 30%; }
    Chip.-selected { background: $primary; color: $text; text-style: bold; }
    Chip.-unavailable { color: $text-disabled; text-style: strike; background: $surface; }
    Chip:focus { background: $accent; color: $text; text-style: bold underline; }
    Chip.-unavailable:focus { background: $warning 40%; text-style: strike underline; }
    """

    BINDINGS = [
        Binding(
            "enter,space", "press", "Choose", show=False, tooltip="choose the focused option (a greyed one says why)"
        ),
        Binding("left", "step(-1)", "Previous", show=False, tooltip="the previous option of the row"),
        Binding("right", "step(1)", "Next", show=False, tooltip="the next option of the row"),
    ]

    @dataclass
    class Chosen(Message):
        chip: Chip
        dim: str
        value: str

    @dataclass
    class Hovered(Message):
        """The mouse is over the chip: the status line says what it is, or why it is greyed."""

        chip: Chip

    @dataclass
    class Refused(Message):
        """A greyed chip was pressed: the status line says why."""

        chip: Chip

    def __init__(self, state: OptionState, text: str, detail: str = "") -> None:
        super().__init__(text, id=f"chip-{state.dim}-{state.id}", markup=False)
        self.state = state
        self.detail = detail
        self._apply()

    def update_state(self, state: OptionState, detail: str = "") -> None:
        self.state = state
        self.detail = detail
        self._apply()

    def _apply(self) -> None:
        s = self.state
        self.set_class(s.selected, "-selected")
        self.set_class(not s.enabled, "-unavailable")
        self.tooltip = s.reason if not s.enabled else (self.detail or None)

    @property
    def explanation(self) -> str:
        """What the chip is, or why it is greyed (for the status line)."""
        s = self.state
        if s.enabled:
            return self.detail or s.label
        return f"✗ {s.label}: {s.reason}"

    def action_press(self) -> None:
        if self.state.enabled:
            self.post_message(self.Chosen(self, self.state.dim, self.state.id))
        else:
            self.post_message(self.Refused(self))

    def action_step(self, delta: int) -> None:
        row = self.query_ancestor(ChipRow)
        chips = [c for c in row.query(Chip) if c is self or (c.can_focus and c.display)]
        i = chips.index(self)
        chips[(i + delta) % len(chips)].focus()

    def on_click(self, event: events.Click) -> None:
        self.focus()
        self.action_press()

    def on_enter(self, event: events.Enter) -> None:
        self.post_message(self.Hovered(self))


class ChipGrid(WrapGrid):
    """The chips of a row, wrapped to the width."""

    DEFAULT_CSS = """
    ChipGrid > Chip { margin: 0; }
    """


class ChipRow(Widget):
    """A labelled row of chips for one dimension (hardware has NVIDIA / AMD groups)."""

    DEFAULT_CSS = """
    ChipRow { height: auto; layout: horizontal; margin: 0 0 0 0; }
    ChipRow > .row-label { width: 13; color: $text-muted; text-style: bold; }
    ChipRow > .groups { height: auto; width: 1fr; layout: vertical; }
    ChipRow .group { height: auto; layout: horizontal; }
    ChipRow .group-label { width: 7; color: $text-muted; }
    """

    BINDINGS = [
        Binding("up", "row(-1)", "Row up", show=False, tooltip="the row above"),
        Binding("down", "row(1)", "Row down", show=False, tooltip="the row below"),
    ]

    def __init__(self, dim: str, label: str, groups: list[tuple[str, list[tuple[OptionState, str, str]]]]):
        super().__init__(id=f"row-{dim}")
        self.dim = dim
        self.label = label
        self._groups = groups

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="row-label")
        labelled = any(name for name, _ in self._groups)
        with Widget(classes="groups"):
            for name, items in self._groups:
                with Horizontal(classes="group"):
                    if labelled:
                        yield Label(name, classes="group-label")
                    yield ChipGrid(*(Chip(state, text, detail) for state, text, detail in items))

    def update_states(self, states: dict[str, tuple[OptionState, str]]) -> None:
        for chip in self.query(Chip):
            state, detail = states[chip.state.id]
            chip.update_state(state, detail)

    def focusable_chips(self) -> list[Chip]:
        """The chips that can take focus now (not a hidden choice, not off screen)."""
        return [c for c in self.query(Chip) if c.can_focus and c.display]

    def selected_chip(self) -> Chip | None:
        """The selected chip, else the first one that can take focus."""
        chips = self.focusable_chips()
        return next((c for c in chips if c.state.selected), chips[0] if chips else None)

    def focus_selected(self) -> None:
        target = self.selected_chip()
        if target is not None:
            target.focus()

    def action_row(self, delta: int) -> None:
        """Up / down: the neighbouring row that has a chip to focus (rows off screen skipped)."""
        rows = [r for r in self.parent.query_children(ChipRow) if r is self or (r.display and r.focusable_chips())]
        j = rows.index(self) + delta
        if 0 <= j < len(rows):
            rows[j].focus_selected()
            return
        # Leaving the first / last row: go to what comes before / after the whole row
        # (focus_next from a chip would only reach the next chip of this same row).
        chain = self.screen.focus_chain
        chips = [c for c in self.query(Chip) if c in chain]
        if not chips:
            return
        k = chain.index(chips[-1] if delta > 0 else chips[0]) + (1 if delta > 0 else -1)
        if 0 <= k < len(chain):
            chain[k].focus()
