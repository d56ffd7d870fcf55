"""Small readers for the app's Pilot tests: what is on screen, as plain text."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from dsv4_tui.widgets.chips import Chip


def plain(widget: Static) -> str:
    content = widget.content
    return getattr(content, "plain", str(content))


def command_on_screen(app: App) -> str:
    """The Deploy command as the CommandBox shows it (wrapped to the box's width)."""
    return plain(app.query_one("#deploy-pane #deploy-command .command", Static))


def as_shown(app: App, text: str, pane: str = "deploy") -> str:
    """`text` as a command box of `pane` shows it: wrapped to its width (continued lines
    indented, see widgets/command_text.py)."""
    from dsv4_tui.widgets.command_text import wrap_text

    widget = app.query_one(f"#{pane}-pane .command", Static)
    return wrap_text(text, widget.size.width)


def warnings_on_screen(app: App) -> str:
    widget = app.query_one("#deploy-pane #deploy-command .warnings", Static)
    return plain(widget) if widget.display else ""


def status_on_screen(app: App) -> str:
    return plain(app.query_one("#deploy-pane #status", Static))


def chip(app: App, dim: str, value: str) -> Chip:
    return app.query_one(f"#deploy-pane #chip-{dim}-{value}", Chip)


def notes(app: App) -> list[tuple[str, str, str]]:
    """(title, severity, message) of every notification on screen."""
    return [(n.title, n.severity, n.message) for n in app._notifications]


async def settle(pilot, predicate, tries: int = 200, delay: float = 0.02) -> bool:
    """Pause until `predicate()` holds (bounded); return whether it did."""
    for _ in range(tries):
        if predicate():
            return True
        await pilot.pause(delay)
    return predicate()


async def focus_and_enter(pilot, target: Chip) -> None:
    """Focus `target`, check that focus really is there, then press Enter on it."""
    target.focus()
    await pilot.pause()
    assert pilot.app.focused is target, f"focus is on {pilot.app.focused!r}, not on {target!r}"
    await pilot.press("enter")
    await pilot.pause()


async def press_chip(pilot, dim: str, value: str) -> None:
    """Choose a Deploy chip with Enter, and check that the chip pressed is the one chosen."""
    target = chip(pilot.app, dim, value)
    await focus_and_enter(pilot, target)
    if target.state.enabled:
        assert pilot.app.selection[dim] == value, f"pressed {dim}={value}, selection is {pilot.app.selection}"
