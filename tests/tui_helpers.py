"""Small readers for the app's Pilot tests: what is on screen, as plain text."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from dsv4_tui.widgets.chips import ChipOption, ChipRow
from dsv4_tui.widgets.command_text import CommandText
from dsv4_tui.widgets.knob_cards import KnobCards
from dsv4_tui.widgets.knob_row import KnobRow
from dsv4_tui.widgets.quiet import PlainText


def plain(widget: Static | PlainText | CommandText) -> str:
    """A Static's or a PlainText's text; for a command box's text, the command as shown."""
    if isinstance(widget, CommandText):
        return widget.command_content.plain
    content = widget.content
    return getattr(content, "plain", str(content))


def command_on_screen(app: App) -> str:
    """The Deploy command as the CommandBox shows it (wrapped to the box's width)."""
    return plain(app.query_one("#deploy-pane #deploy-command .command", CommandText))


def as_shown(app: App, text: str, pane: str = "deploy") -> str:
    """`text` as a command box of `pane` shows it: wrapped to its width (continued lines
    indented, see widgets/command_text.py)."""
    from dsv4_tui.widgets.command_text import wrap_text

    widget = app.query_one(f"#{pane}-pane .command", CommandText)
    return wrap_text(text, widget.size.width)


def warnings_on_screen(app: App) -> str:
    return block_on_screen(app, "warnings")


def block_on_screen(app: App, name: str, pane: str = "deploy") -> str:
    """One block of a command box as shown: speed, warnings, notes, banner (see CommandText)."""
    return app.query_one(f"#{pane}-pane .command", CommandText).block(name)


def status_on_screen(app: App) -> str:
    return plain(app.query_one("#deploy-pane #status", PlainText))


def row(app: App, dim: str) -> ChipRow:
    """A Deploy row of chips."""
    return app.query_one(f"#deploy-pane #row-{dim}", ChipRow)


def chip(app: App, dim: str, value: str) -> ChipOption:
    """A Deploy chip as its row shows it (state, text, shown)."""
    option = row(app, dim).option(value)
    assert option is not None, f"no chip {dim}={value}"
    return option


def pg_row(app: App, key: str) -> KnobRow:
    """A Playground knob's row of chips (drawn by the cards widget)."""
    from dsv4_tui.widgets.playground_pane import PlaygroundPane

    return app.query_one("#playground-pane", PlaygroundPane).knob_row(key)


def pg_cards(app: App) -> KnobCards:
    """The Playground's cards (one widget draws them all)."""
    return app.query_one("#playground-pane #pg-cards", KnobCards)


def card_shown(app: App, card_id: str) -> bool:
    """The card is drawn (its frame and title, its knobs or its note)."""
    return pg_cards(app).card(card_id).shown


def card_note(app: App, card_id: str) -> str | None:
    """The note a card that is off shows instead of its knobs (None: its knobs are shown)."""
    card = pg_cards(app).card(card_id)
    return card.note if card.shown else None


def highlighted(app: App) -> tuple[str, str] | None:
    """(row, chip) the keys act on: the focused row (a Deploy row, or the Playground's
    cards) and its highlighted chip."""
    focused = app.focused
    if isinstance(focused, (ChipRow, KnobCards)) and focused.highlighted is not None:
        return focused.highlighted.state.dim, focused.highlighted.id
    return None


async def click_chip(pilot, chip_row: ChipRow | KnobRow, value: str) -> bool:
    """Click the middle of a chip where its row draws it (a knob's row: where the cards
    widget draws it)."""
    region = chip_row.chip_region(value)
    assert region is not None, f"chip {value} is not shown in {chip_row.id}"
    widget = chip_row.widget if isinstance(chip_row, KnobRow) else chip_row
    return await pilot.click(widget, offset=(region.x + region.width // 2, region.y))


def notes(app: App) -> list[tuple[str, str, str]]:
    """(title, severity, message) of every notification the app posted (conftest keeps them:
    the toasts themselves expire after a timeout)."""
    return list(app.__dict__.get("notified", []))


async def settle(pilot, predicate, tries: int = 200, delay: float = 0.02) -> bool:
    """Pause until `predicate()` holds (bounded); return whether it did."""
    for _ in range(tries):
        if predicate():
            return True
        await pilot.pause(delay)
    return predicate()


async def playground_settled(pilot) -> bool:
    """Pause until the options the lint refuses are worked out (in steps, after a press) and
    the Playground shows the App's final view: a new view is drawn by the pane's async
    watcher, on the pane's own message queue, which `pilot.pause()` does not wait for."""
    from dsv4_tui.widgets.playground_pane import PlaygroundPane

    app = pilot.app
    pane = app.query_one("#playground-pane", PlaygroundPane)
    return await settle(
        pilot,
        lambda: app._gate_job is None and (not app.in_playground or pane.shown == (app.pg_view, app.show_diff)),
    )


async def focus_and_enter(pilot, chip_row: ChipRow | KnobRow, value: str) -> None:
    """Highlight the chip `value` of `chip_row`, check that the keys act on it, press Enter."""
    chip_row.highlight(value)
    await pilot.pause()
    option = chip_row.option(value)
    assert option is not None and highlighted(pilot.app) == (option.state.dim, value), (
        f"the keys act on {highlighted(pilot.app)}, not {value}"
    )
    await pilot.press("enter")
    await pilot.pause()


async def press_chip(pilot, dim: str, value: str) -> None:
    """Choose a Deploy chip with Enter, and check that the chip pressed is the one chosen."""
    await focus_and_enter(pilot, row(pilot.app, dim), value)
    if chip(pilot.app, dim, value).state.enabled:
        assert pilot.app.selection[dim] == value, f"pressed {dim}={value}, selection is {pilot.app.selection}"
