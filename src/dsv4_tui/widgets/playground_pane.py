"""The Playground pane: knob cards over the live Deploy cell, the result, its diff, Submit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive

from ..core.selection import OptionState
from ..core.view import PlaygroundView
from .chips import ChipOption, ChipRow
from .command_box import CommandBox, CommandDisplay
from .quiet import PlainText, SizedInPlace, set_text
from .tool_button import ToolButton


def knob_options(knob) -> list[ChipOption]:
    """The chips of a knob: every choice, those not offered for this base not shown."""
    return [
        ChipOption(
            OptionState(knob.key, c.id, c.label, not c.disabled, c.id == knob.selected, c.reason),
            c.label,
            f"{knob.label} = {c.label}" + (" (the base's value)" if knob.current == c.id else ""),
            shown=not c.hidden,
        )
        for c in knob.choices
    ]


def layout_of(view: PlaygroundView) -> tuple:
    """What the card widgets are built for: the cards and their knobs. The choices of a knob
    vary with the base (a chip is added the first time it is needed, never removed: one
    that is not offered is hidden), so a new base never rebuilds a card."""
    return tuple((card.id, tuple(k.key for k in card.knobs)) for card in view.cards)


LABEL_WIDTH = 18  # the knobs' labels are longer than Deploy's


class KnobCard(SizedInPlace, Vertical):
    """A card of knobs (TP / CP / DP-attention, MoE, speculative decoding…)."""


class PlaygroundPane(VerticalScroll, can_focus=False):
    """Displays a `PlaygroundView`; picks go to the App (the one state owner).

    While its tab is hidden the pane does nothing but note that it is behind; it catches up
    before it is shown (the App does that before switching tabs), and its body stays hidden
    until then, so no frame ever shows a base that is not the live Deploy cell. The cards
    are built once, in the background after the app's first frame.
    """

    DEFAULT_CSS = """
    PlaygroundPane { padding: 0 1; }
    PlaygroundPane #pg-body { height: auto; }
    PlaygroundPane #pg-base { height: auto; text-style: bold; }
    PlaygroundPane #pg-status { height: 2; color: $text-muted; }
    PlaygroundPane #pg-status.-reason { color: $warning; }
    PlaygroundPane #pg-cards { height: auto; }
    PlaygroundPane .card { height: auto; border: round $primary 40%; padding: 0 1; }
    PlaygroundPane .card-note { color: $text-muted; height: auto; }
    PlaygroundPane #pg-sibling-row { height: auto; }
    PlaygroundPane #pg-sibling-row ToolButton { margin: 0 1 0 0; }
    PlaygroundPane #pg-router { height: auto; border: round $secondary 60%; padding: 0 1; }
    """

    view: reactive[PlaygroundView | None] = reactive(None, init=False, repaint=False)
    show_diff: reactive[bool] = reactive(False, init=False, repaint=False)
    # What the screen shows: (view, show_diff) once `refresh_view` has drawn them (a
    # change of `view` is drawn by an async watcher, a moment after it is set).
    shown: tuple[PlaygroundView | None, bool] | None = None
    status: reactive[str] = reactive("", init=False, repaint=False)
    checks = reactive(None, init=False, repaint=False)  # CommandChecks | None: the lint summary
    stale: reactive[bool] = reactive(False, init=False, repaint=False)  # the App's view is behind (hidden tab)

    @dataclass
    class Picked(Message):
        key: str
        choice: str

    class Prepared(Message):
        """The cards are built (in the background, after the app's first frame)."""

    def __init__(self, id: str | None = None):
        super().__init__(id=id)
        self._layout: tuple | None = None  # what the card widgets were built for
        self._drawn: dict[str, tuple] = {}  # card id -> (CardView, shown) its widgets show
        self._jumped_from: ChipRow | None = None  # the knob `jump` left for the command
        self._stale = True
        self._lock = asyncio.Lock()  # the App's tab switch and the background build share _show
        self._body = Vertical(id="pg-body")
        self._base = PlainText("", id="pg-base")
        self._status = PlainText("", id="pg-status")
        self._cards = Vertical(id="pg-cards")
        self._command = CommandBox(
            "pg",
            # Submit last: while hidden it keeps its place, at the end of the toolbar.
            extra_buttons=[("diff", "± Diff"), ("reset", "↺ Reset"), ("submit", "Submit ↗")],
            # A knob press often turns Verified into Not Verified and back, and shows Submit
            # or hides it: the badge keeps one width and Submit its place, so no button of
            # the toolbar moves, and the command under it stays where it is.
            badge_width=14,
            id="pg-command",
        )
        self._sibling = ToolButton("", id="pg-sibling", classes="-success")
        self._router = PlainText("", id="pg-router")

    def compose(self) -> ComposeResult:
        # Two columns from WIDE columns on (dsv4.tcss, `.-wide`): the knobs on the left, the
        # result on the right, each scrolling on its own. Narrower, one column under the other.
        with self._body:
            with Vertical(id="pg-knobs"):
                yield self._base
                yield self._status
                yield self._cards
            with Vertical(id="pg-result"):
                yield self._command
                with Horizontal(id="pg-sibling-row"):
                    yield self._sibling
                yield self._router

    def on_mount(self) -> None:
        self._body.display = False  # nothing is shown before the first catch-up
        self.watch_status(self.status)
        self.call_after_refresh(self.prepare)

    async def prepare(self) -> None:
        """Build the cards while the tab is hidden, so that showing it is quick."""
        await self.refresh_view(force=True)
        self.post_message(self.Prepared())

    @property
    def on_screen(self) -> bool:
        """False while the Playground tab is not the one in front."""
        return all(node.display for node in self.ancestors_with_self if hasattr(node, "display"))

    async def watch_view(self, view: PlaygroundView | None) -> None:
        await self.refresh_view()

    def watch_stale(self, stale: bool) -> None:
        """The App's state changed behind the Deploy tab; the view follows when shown."""
        if stale and self.is_mounted:
            self._behind()

    async def watch_show_diff(self) -> None:
        await self.refresh_view()

    def watch_checks(self, checks) -> None:
        if self.is_mounted and self.on_screen and not self._stale:
            self._command.show_checks(checks)
        else:
            self._behind()

    def watch_status(self, text: str) -> None:
        if self.is_mounted:
            set_text(self._status, text)
            self._status.set_class(text.startswith("✗"), "-reason")

    def jump(self) -> None:
        """To the command (its first button or checks line) and, from there, back to the
        knob that had focus: in one column the command is below the cards."""
        focused = self.screen.focused
        result = self.query_one("#pg-result")
        if focused is not None and result in focused.ancestors:
            back = self._jumped_from if self._jumped_from is not None and self._jumped_from.is_attached else None
            target = back or self.first_row()
            if target is not None:
                self.screen.set_focus(target)
            return
        self._jumped_from = focused if isinstance(focused, ChipRow) else None
        target = next((w for w in self._command.query("*") if w.focusable), None)
        if target is not None:
            self.screen.set_focus(target, scroll_visible=False)
        self.scroll_to_widget(self._command, animate=False, top=True)

    def first_row(self) -> ChipRow | None:
        """The row a tab switch focuses: the first with a selected chip that can take focus."""
        rows = [r for r in self._cards.query(ChipRow) if r.focusable]
        return next((r for r in rows if any(o.state.selected for o in r.shown_options())), rows[0] if rows else None)

    def _behind(self) -> None:
        """The view changed while the tab is hidden: show nothing until it catches up."""
        if not self._stale:
            self._stale = True
            self._body.display = False

    async def refresh_view(self, force: bool = False) -> None:
        """Show the current view now if the tab is in front (or `force`), else later."""
        if not (self.is_mounted and self.is_attached):  # not mounted yet, or the app is quitting
            return
        if not (force or self.on_screen):
            self._behind()
            return
        async with self._lock:
            view, show_diff = self.view, self.show_diff
            await self._show(view)
            if view is not None and self._layout is None:
                return  # the pane went away while its cards were built
            self._command.show_checks(self.checks)
            self._stale = False
            self._body.display = True
            self.shown = (view, show_diff)

    async def catch_up(self) -> None:
        """Show what changed while the tab was hidden (the App calls it before the switch)."""
        if self._stale:
            await self.refresh_view(force=True)

    async def on_show(self) -> None:
        await self.catch_up()  # the tab was switched without the App (a click on the tab)

    def _card_widgets(self, view: PlaygroundView) -> list[KnobCard]:
        widgets = []
        for card in view.cards:
            rows = [ChipRow(f"pg-{k.key}", k.label, label_width=LABEL_WIDTH) for k in card.knobs]
            box = KnobCard(*rows, PlainText("", classes="card-note"), id=f"card-{card.id}", classes="card")
            box.border_title = card.title
            widgets.append(box)
        return widgets

    async def _show(self, view: PlaygroundView | None) -> None:
        if view is None:
            return
        layout = layout_of(view)
        if layout != self._layout:  # the knobs come from the rules: built once
            self._layout = None  # until the new cards are really there
            self._drawn.clear()
            await self._cards.remove_children()
            await self._cards.mount_all(self._card_widgets(view))
            if len(self._cards.children) != len(view.cards):
                # The pane is being taken down while it was built (`x` right after the first
                # frame quits the app): Textual mounts nothing then. Nothing is left to show.
                return
            self._layout = layout
        if not self.is_attached:  # the app quit meanwhile (x right after start): no cards to fill
            return
        result = view.result
        boxes = {box.id: box for box in self._cards.children if isinstance(box, KnobCard)}
        if any(f"card-{card.id}" not in boxes for card in view.cards):
            # The app is closing: the cards were not mounted (Textual mounts nothing then).
            self._layout = None
            return
        for card in view.cards:
            box = boxes[f"card-{card.id}"]
            shown = not (card.hidden and card.hidden_by_base) and result.has_base
            if self._drawn.get(card.id) == (card, shown):
                continue  # a knob press changes a card or two: the others are left as they are
            self._drawn[card.id] = (card, shown)
            box.display = shown
            note = box.query_one(".card-note", PlainText)
            set_text(note, f"⊘ {card.reason}" if card.hidden and card.reason else "")
            note.display = card.hidden
            for knob in card.knobs:
                row = box.get_child_by_id(f"row-pg-{knob.key}", ChipRow)
                row.display = not knob.hidden and not card.hidden
                row.set_options(knob_options(knob))
                # A row that is not on screen (hidden itself, or its card) takes no focus:
                # neither from Tab nor from the tab switch's "first chip".
                row.can_focus = shown and row.display and bool(row.shown_options())
        self._show_result(view)

    def _show_result(self, view: PlaygroundView) -> None:
        result = view.result
        base = view.base_summary
        if not result.has_base:
            set_text(self._base, f"Base: {base}\n{result.no_base_reason}")
        else:
            touched = "untouched" if result.overrides.is_untouched() else "with your overrides"
            set_text(self._base, f"Base: {base} ({touched})")
        box = self._command
        box.display = result.has_base
        notes = list(view.notes)
        if result.matched_strategy:
            notes.append(f"This equals the verified {result.matched_strategy} cell.")
        badge = result.badge_line if result.has_base else "Not Verified"
        box.show(
            CommandDisplay(
                text=view.display,
                diff=view.diff if self.show_diff else None,
                framing=view.framing,
                badge=badge,
                badge_detail="Equals a verified cell" if result.verified else "Differs from every verified cell",
                notes=notes,
            )
        )
        box.set_button("diff", active=self.show_diff)
        box.set_button("submit", shown=result.can_submit)
        self._sibling.display = bool(result.matched_strategy)
        if result.matched_strategy:
            self._sibling.label = f"Switch Deploy to {result.matched_strategy}"
        self._router.display = bool(result.router)
        if result.router:
            set_text(
                self._router, "# Router — fronts the prefill and decode workers; the cURL targets it\n" + result.router
            )

    # -- input -----------------------------------------------------------------------
    def on_chip_row_chosen(self, message: ChipRow.Chosen) -> None:
        message.stop()
        self.post_message(self.Picked(message.dim, message.value))
