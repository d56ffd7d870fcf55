"""Shown instead of a broken layout when the terminal is smaller than the app needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 60, 20


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: auto; height: auto; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self.message(*self.app.size), markup=False)

    @staticmethod
    def message(width: int, height: int) -> str:
        return f"dsv4 needs at least {MIN_WIDTH}×{MIN_HEIGHT}\n(this terminal is {width}×{height}: enlarge it, or q to quit)"

    def on_resize(self) -> None:
        self.query_one(Static).update(self.message(*self.app.size))
