"""The Playground pane: knob cards over the live Deploy cell, the result, its diff, Submit."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from ..core.selection import OptionState
from ..core.view import PlaygroundView
from .chips import Chip, ChipGrid, ChipRow
from .command_box import CommandBox, CommandDisplay


def knob_states(knob) -> dict[str, tuple[OptionState, str]]:
    return {
        c.id: (
            OptionState(knob.key, c.id, c.label, not c.disabled, c.id == knob.selected, c.reason),
            f"{knob.label} = {c.label}" + (" (the base's value)" if knob.current == c.id else ""),
        )
        for c in knob.choices
    }


def shape_of(view: PlaygroundView) -> tuple:
    """What the chip layout depends on: the knobs, their choices, and which are hidden."""
    return tuple((k.key, tuple((c.id, c.hidden) for c in k.choices)) for card in view.cards for k in card.knobs)


class PlaygroundPane(VerticalScroll):
    """Displays a `PlaygroundView`; picks go to the App (the one state owner)."""

    DEFAULT_CSS = """
    PlaygroundPane { padding: 0 1; }
    PlaygroundPane #pg-base { height: auto; text-style: bold; }
    PlaygroundPane #pg-status { height: 2; color: $text-muted; }
    PlaygroundPane #pg-status.-reason { color: $warning; }
    PlaygroundPane #pg-cards { height: auto; }
    PlaygroundPane .card { height: auto; border: round $primary 40%; padding: 0 1; }
    PlaygroundPane .card-note { color: $text-muted; height: auto; }
    PlaygroundPane #pg-sibling-row { height: auto; }
    PlaygroundPane #pg-sibling-row Button { margin: 0 1 0 0; }
    PlaygroundPane #pg-router { height: auto; border: round $secondary 60%; padding: 0 1; }
    PlaygroundPane ChipRow > .row-label { width: 18; }
    PlaygroundPane Button#pg-diff.-active { background: $primary; text-style: bold; }
    """

    view: reactive[PlaygroundView | None] = reactive(None, init=False)
    show_diff: reactive[bool] = reactive(False, init=False)
    status: reactive[str] = reactive("", init=False)
    checks = reactive(None, init=False)  # CommandChecks | None: the lint summary of the command

    @dataclass
    class Picked(Message):
        key: str
        choice: str

    def __init__(self, id: str | None = None):
        super().__init__(id=id)
        self._shape: tuple | None = None
        self._stale = False

    def compose(self) -> ComposeResult:
        yield Static("", id="pg-base", markup=False)
        yield Static(self.status, id="pg-status", markup=False)
        yield Vertical(id="pg-cards")
        yield CommandBox(
            "pg",
            extra_buttons=[("diff", "± Diff"), ("submit", "Submit ↗"), ("reset", "↺ Reset")],
            id="pg-command",
        )
        with Horizontal(id="pg-sibling-row"):
            yield Button("", id="pg-sibling", compact=True, variant="success")
        yield Static("", id="pg-router", markup=False)

    async def on_mount(self) -> None:
        self.watch_checks(self.checks)
        await self.refresh_view()  # builds the cards when the tab is first shown

    @property
    def on_screen(self) -> bool:
        """False while the Playground tab is not the one in front."""
        return all(node.display for node in self.ancestors_with_self if hasattr(node, "display"))

    async def watch_view(self, view: PlaygroundView | None) -> None:
        await self.refresh_view()

    async def watch_show_diff(self) -> None:
        await self.refresh_view()

    def watch_checks(self, checks) -> None:
        if self.is_mounted and self.query("#pg-command"):
            self.query_one("#pg-command", CommandBox).show_checks(checks)

    def watch_status(self, text: str) -> None:
        if self.is_mounted:
            status = self.query_one("#pg-status", Static)
            status.update(text)
            status.set_class(text.startswith("✗"), "-reason")

    def first_chip(self) -> Chip | None:
        """The chip a tab switch focuses: the first selected one that can take focus."""
        chips = [c for c in self.query(Chip) if c.focusable]
        return next((c for c in chips if c.state.selected), chips[0] if chips else None)

    async def refresh_view(self, force: bool = False) -> None:
        """Show the current view. While the tab is hidden, only the base line and the command
        are kept current (cheap); the cards wait, hidden, until the tab is shown, so no frame
        ever shows a base but the live Deploy cell."""
        if not self.is_mounted:
            return
        if not (force or self.on_screen):
            self._stale = True
            self.query_one("#pg-cards").display = False  # never painted with a stale base
            if self.view is not None:
                self._show_result(self.view)
            return
        self._stale = False
        await self._show(self.view)
        self.query_one("#pg-cards").display = True

    async def catch_up(self) -> None:
        """Show what changed while the tab was hidden."""
        if self._stale:
            await self.refresh_view(force=True)

    async def on_show(self) -> None:
        await self.catch_up()

    def _card_widgets(self, view: PlaygroundView) -> list[Vertical]:
        widgets = []
        for card in view.cards:
            rows = [
                ChipRow(
                    f"pg-{k.key}",
                    k.label,
                    [("", [(s, s.label, d) for s, d in knob_states(k).values()])],
                )
                for k in card.knobs
            ]
            box = Vertical(*rows, Static("", classes="card-note", markup=False), id=f"card-{card.id}", classes="card")
            box.border_title = card.title
            widgets.append(box)
        return widgets

    async def _show(self, view: PlaygroundView | None) -> None:
        if view is None:
            return
        holder = self.query_one("#pg-cards", Vertical)
        shape = shape_of(view)
        if shape != self._shape:
            self._shape = shape
            await holder.remove_children()
            await holder.mount_all(self._card_widgets(view))
        result = view.result
        for card in view.cards:
            box = self.query_one(f"#card-{card.id}", Vertical)
            box.display = shown = not (card.hidden and card.hidden_by_base) and result.has_base
            note = box.query_one(".card-note", Static)
            note.update(f"⊘ {card.reason}" if card.hidden and card.reason else "")
            note.display = card.hidden
            for knob in card.knobs:
                row = self.query_one(f"#row-pg-{knob.key}", ChipRow)
                row.display = not knob.hidden and not card.hidden
                states = knob_states(knob)
                row.update_states(states)
                hidden = {c.id for c in knob.choices if c.hidden}
                reflow = False
                for chip in row.query(Chip):
                    reflow |= chip.display != (chip.state.id not in hidden)
                    chip.display = chip.state.id not in hidden
                    # A chip that is not on screen (hidden itself, or its row / card) takes
                    # no focus: neither from Tab nor from the tab switch's "first chip".
                    chip.can_focus = shown and row.display and chip.display
                if reflow:
                    for grid in row.query(ChipGrid):
                        grid.refit()
        self._show_result(view)

    def _show_result(self, view: PlaygroundView) -> None:
        result = view.result
        base = view.base_summary
        if not result.has_base:
            self.query_one("#pg-base", Static).update(f"Base: {base}\n{result.no_base_reason}")
        else:
            touched = "untouched" if result.overrides.is_untouched() else "with your overrides"
            self.query_one("#pg-base", Static).update(f"Base: {base} ({touched})")
        box = self.query_one("#pg-command", CommandBox)
        box.display = result.has_base
        notes = list(view.notes)
        if result.matched_strategy:
            notes.append(f"This equals the verified {result.matched_strategy} cell.")
        badge = result.badge_line if result.has_base else "Not Verified"
        box.show(
            CommandDisplay(
                text=None,
                framing=view.framing,
                badge=badge,
                badge_detail="Equals a verified cell" if result.verified else "Differs from every verified cell",
                notes=notes,
            )
        )
        box.command.show(view.display, view.diff if self.show_diff else None)
        box.query_one("#pg-diff", Button).set_class(self.show_diff, "-active")
        box.query_one("#pg-submit", Button).display = result.can_submit
        sibling = self.query_one("#pg-sibling", Button)
        sibling.display = bool(result.matched_strategy)
        if result.matched_strategy:
            sibling.label = f"Switch Deploy to {result.matched_strategy}"
        router = self.query_one("#pg-router", Static)
        router.display = bool(result.router)
        if result.router:
            router.update("# Router — fronts the prefill and decode workers; the cURL targets it\n" + result.router)

    # -- input -----------------------------------------------------------------------
    def on_chip_chosen(self, message: Chip.Chosen) -> None:
        message.stop()
        self.post_message(self.Picked(message.dim, message.value))
