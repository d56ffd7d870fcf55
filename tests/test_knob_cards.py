"""The Playground's cards: one widget draws every card, its knobs' chips and the note of a
card that is off, and takes the keys, clicks and hovers its `ChipRow`s took."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Button

from dsv4_tui.core.selection import OptionState
from dsv4_tui.widgets.card_lines import Card, Knob
from dsv4_tui.widgets.chip_layout import ChipOption
from dsv4_tui.widgets.chips import ChipRow
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.knob_row import knob_row


def chips(key: str, *ids: str, selected: str, greyed: str = "", hidden: str = "") -> tuple[ChipOption, ...]:
    return tuple(
        ChipOption(
            OptionState(key, i, i.upper(), i != greyed, i == selected, "not with this base" if i == greyed else ""),
            i.upper(),
            f"{key} = {i.upper()}",
            shown=i != hidden,
        )
        for i in ids
    )


CARDS = (
    Card(
        "a",
        "Alpha",
        (
            Knob("one", "One", chips("one", "x", "y", "z", selected="y", hidden="z")),
            Knob("two", "Two", chips("two", "p", "q", selected="p"), shown=False),
            Knob("three", "Three", chips("three", "p", "q", "r", selected="q", greyed="r")),
        ),
    ),
    Card("b", "Beta", (Knob("five", "Five", chips("five", "p", selected="p"), focusable=False),), note="⊘ off: why"),
    Card(
        "c",
        "Gamma",
        (
            Knob(
                "four",
                "Four",
                chips("four", "m", "n", selected="n"),
            ),
        ),
    ),
    Card("d", "Delta", (Knob("six", "Six", chips("six", "p", selected="p"), focusable=False),), shown=False),
)


class CardsApp(App):
    CSS = "#box { height: 14; } #after { height: 3; }"

    def __init__(self, height: int | None = None) -> None:
        super().__init__()
        self.height = height
        self.said: list[tuple[str, str, str]] = []

    def compose(self) -> ComposeResult:
        cards = KnobCards(label_width=8, id="cards")
        if self.height is not None:  # a box of a fixed height: the cards scroll on their own
            cards.styles.height = self.height
            cards.styles.overflow_y = "auto"
        yield cards
        yield Button("after", id="after")

    def on_mount(self) -> None:
        self.query_one(KnobCards).show(CARDS)

    def on_chip_row_chosen(self, message: ChipRow.Chosen) -> None:
        self.said.append(("chosen", message.dim, message.value))

    def on_chip_row_refused(self, message: ChipRow.Refused) -> None:
        self.said.append(("refused", message.option.state.dim, message.option.id))

    def on_chip_row_highlighted(self, message: ChipRow.Highlighted) -> None:
        self.said.append(("highlighted", message.option.state.dim, message.option.id))

    def on_chip_row_hovered(self, message: ChipRow.Hovered) -> None:
        self.said.append(("hovered", message.option.state.dim, message.option.id))


def lines(cards: KnobCards) -> list[str]:
    return [cards.render_line(y).text for y in range(cards.virtual_size.height)]


def cursor(cards: KnobCards) -> tuple[str, str] | None:
    option = cards.highlighted
    return (cards.row, option.id) if option is not None else None


async def test_the_cards_draw_their_frames_titles_knobs_and_notes():
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        cards = app.query_one(KnobCards)
        assert [line.rstrip() for line in lines(cards)] == [
            "╭─ Alpha ──────────────────────────────╮",
            "│ One      X   Y                       │",  # Z is not offered: not drawn
            "│ Three    P   Q   R                   │",  # Two is hidden
            "╰──────────────────────────────────────╯",
            "╭─ Beta ───────────────────────────────╮",
            "│ ⊘ off: why                           │",  # off: its note, not its knobs
            "╰──────────────────────────────────────╯",
            "╭─ Gamma ──────────────────────────────╮",
            "│ Four     M   N                       │",
            "╰──────────────────────────────────────╯",
        ]  # Delta is not drawn at all
        assert cards.card_lines("c") == (7, 3) and cards.card_lines("d") is None
        assert not knob_row(cards, "two").display and knob_row(cards, "four").display


async def test_the_keys_move_along_a_row_and_between_rows_and_leave_at_the_ends():
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        cards.focus()
        await pilot.pause()
        assert cursor(cards) == ("one", "y")  # the first row, on its selected chip
        await pilot.press("right")
        assert cursor(cards) == ("one", "x")  # wraps past the chip not offered
        await pilot.press("down")
        assert cursor(cards) == ("three", "q")  # the hidden row skipped, on its selected chip
        await pilot.press("down")
        assert cursor(cards) == ("four", "n")  # the card that is off is skipped
        await pilot.press("up", "tab")
        assert cursor(cards) == ("four", "n")  # Tab goes row by row too
        await pilot.press("down")
        assert app.focused is app.query_one("#after")  # past the last row: what comes next
        await pilot.press("shift+tab")
        assert app.focused is cards and cursor(cards) == ("four", "n")
        await pilot.press("up", "up", "up")
        assert cursor(cards) == ("one", "y")  # the first row: up stays
        assert ("highlighted", "three", "q") in app.said


async def test_enter_chooses_a_chip_and_a_greyed_one_says_why():
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        knob_row(cards, "three").highlight("p")
        await pilot.press("enter")
        knob_row(cards, "three").highlight("r")
        await pilot.press("space")
        await pilot.pause()
        assert [s for s in app.said if s[0] != "highlighted"] == [("chosen", "three", "p"), ("refused", "three", "r")]


async def test_a_click_chooses_the_chip_under_it_and_focuses_the_cards():
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        region = cards.chip_region("four", "m")
        assert region == Region(10, 8, 3, 1)
        assert await pilot.click(cards, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert ("chosen", "four", "m") in app.said
        assert app.focused is cards and cursor(cards) == ("four", "m")
        assert await pilot.click(cards, offset=(3, 0))  # the frame: nothing
        await pilot.pause()
        assert app.said[-1] == ("chosen", "four", "m")


async def test_hovering_a_chip_says_what_it_is_and_shows_why_it_is_greyed():
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        plain = cards.render_line(2)
        region = cards.chip_region("three", "p")
        await pilot.hover(cards, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert app.said[-1] == ("hovered", "three", "p") and cards.tooltip == "three = P"
        assert cards.render_line(2) != plain  # the chip is drawn hovered
        region = cards.chip_region("three", "r")
        await pilot.hover(cards, offset=(region.x + 1, region.y))
        await pilot.pause()
        assert app.said[-1] == ("hovered", "three", "r") and cards.tooltip == "not with this base"
        await pilot.hover(cards, offset=(1, 0))
        await pilot.pause()
        assert cards.tooltip is None and cards.render_line(2) == plain


async def test_an_arrow_repaints_the_two_chips_alone(monkeypatch):
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        cards.focus()
        await pilot.pause()
        calls: list[tuple] = []
        original = KnobCards.refresh
        monkeypatch.setattr(KnobCards, "refresh", lambda self, *r, **k: calls.append(r) or original(self, *r, **k))
        await pilot.press("left")
        await pilot.pause()
        assert calls == [(Region(10, 1, 7, 1),)]  # X and Y of line 1, as one region


async def test_a_card_turned_off_repaints_its_lines_and_the_ones_under_it(monkeypatch):
    app = CardsApp()
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        await pilot.pause()
        calls: list[tuple] = []
        original = KnobCards.refresh
        monkeypatch.setattr(KnobCards, "refresh", lambda self, *r, **k: calls.append((r, k)) or original(self, *r, **k))
        gamma_off = (*CARDS[:2], Card("c", "Gamma", CARDS[2].knobs, note="⊘ Gamma is off"), CARDS[3])
        cards.show(gamma_off)
        await pilot.pause()
        assert len(calls) == 1
        regions, kwargs = calls[0]
        assert sorted(r.y for r in regions) == [8]  # the knob's line becomes the note's
        assert not kwargs.get("layout")  # as many lines: no layout
        assert "⊘ Gamma is off" in cards.render_line(8).text


async def test_in_a_box_the_cards_scroll_to_the_row_the_keys_reach():
    app = CardsApp(height=5)
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        cards.focus()
        await pilot.pause()
        assert cards.scroll_offset.y == 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert cursor(cards) == ("four", "n")
        row = knob_row(cards, "four").region
        assert cards.scroll_offset.y > 0 and cards.content_region.contains_region(row)
        assert cards.size.height == 5  # the box keeps its size: what it scrolls changes


async def test_in_a_box_cards_that_fit_it_fill_it_and_a_card_that_shrinks_needs_no_layout(monkeypatch):
    app = CardsApp(height=14)
    async with app.run_test(size=(40, 20)) as pilot:
        cards = app.query_one(KnobCards)
        await pilot.pause()
        assert cards.virtual_size.height == 14  # 10 lines, in a box of 14
        calls: list[tuple] = []
        original = KnobCards.refresh
        monkeypatch.setattr(KnobCards, "refresh", lambda self, *r, **k: calls.append((r, k)) or original(self, *r, **k))
        cards.show((*CARDS[:2], Card("c", "Gamma", CARDS[2].knobs, shown=False), CARDS[3]))  # 3 lines fewer
        await pilot.pause()
        assert cards.virtual_size.height == 14 and cards.card_lines("c") is None
        assert len(calls) == 1 and not calls[0][1].get("layout")
        assert sorted(y for r in calls[0][0] for y in range(r.y, r.bottom)) == [7, 8, 9]  # Gamma's lines, blank now
        assert cards.render_line(8).text.strip() == ""
