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
from .card_lines import Card, Knob
from .chips import ChipOption, ChipRow
from .command_box import CommandBox, CommandDisplay
from .knob_cards import KnobCards
from .knob_row import KnobRow, knob_row
from .quiet import PlainText, set_text
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


def card_of(card, shown: bool) -> Card:
    """What the cards widget draws of a card: its knobs, or, when it is off, why."""
    return Card(
        card.id,
        card.title,
        tuple(
            Knob(k.key, k.label, tuple(knob_options(k)), shown=not k.hidden, focusable=shown and not card.hidden)
            for k in card.knobs
        ),
        shown=shown,
        note=(f"⊘ {card.reason}" if card.reason else "") if card.hidden else None,
    )


LABEL_WIDTH = 18  # the knobs' labels are longer than Deploy's


class PlaygroundPane(VerticalScroll, can_focus=False):
    """Displays a `PlaygroundView`; picks go to the App (the one state owner).

    While its tab is hidden the pane does nothing but note that it is behind; it catches up
    before it is shown (the App does that before switching tabs), and its body stays hidden
    until then, so no frame ever shows a base that is not the live Deploy cell. The cards
    are drawn the first time in the background, after the app's first frame.
    """

    DEFAULT_CSS = """
    PlaygroundPane { padding: 0 1; }
    PlaygroundPane #pg-body { height: auto; }
    PlaygroundPane #pg-base { height: auto; text-style: bold; }
    PlaygroundPane #pg-status { height: 2; color: $text-muted; }
    PlaygroundPane #pg-status.-reason { color: $warning; }
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
        self._drawn: dict[str, tuple] = {}  # card id -> ((CardView, shown), the Card drawn)
        self._jumped_from: KnobCards | None = None  # the knobs, when `jump` left them for the command
        self._stale = True
        self._lock = asyncio.Lock()  # the App's tab switch and the background build share _show
        self._body = Vertical(id="pg-body")
        self._base = PlainText("", id="pg-base")
        self._status = PlainText("", id="pg-status")
        self._cards = KnobCards(label_width=LABEL_WIDTH, id="pg-cards")
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
        """Draw the cards while the tab is hidden, so that showing it is quick."""
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
            if target is not None:  # the cards bring their row into view themselves
                self.screen.set_focus(target, scroll_visible=False)
            return
        self._jumped_from = focused if isinstance(focused, KnobCards) else None
        target = next((w for w in self._command.query("*") if w.focusable), None)
        if target is not None:
            self.screen.set_focus(target, scroll_visible=False)
        self.scroll_to_widget(self._command, animate=False, top=True)

    def first_row(self) -> KnobCards | None:
        """What a tab switch focuses: the cards, on the first row with a selected chip
        (None: no row can take the keys)."""
        return self._cards if self._cards.start_at_first_row() else None

    def knob_row(self, key: str) -> KnobRow:
        """The row of the knob `key` (its chips, where they are drawn, its highlight)."""
        return knob_row(self._cards, key)

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

    async def _show(self, view: PlaygroundView | None) -> None:
        if view is None:
            return
        result = view.result
        cards = []
        for card in view.cards:
            shown = not (card.hidden and card.hidden_by_base) and result.has_base
            drawn = self._drawn.get(card.id)
            if drawn is None or drawn[0] != (card, shown):  # a knob press changes a card or two
                drawn = self._drawn[card.id] = ((card, shown), card_of(card, shown))
            cards.append(drawn[1])
        self._cards.show(cards)
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
