"""The tabs line: Deploy, Playground, Doctor, each with its key; the active one highlighted.

One widget drawing its tabs (Textual's TabbedContent is a dozen widgets at start-up). The
App owns which tab is active (`DSV4App.tab`, bound here); a click asks the App to switch
(`TabBar.Clicked`), exactly as the keys 1 / 2 / 3 do.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.color import Color
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.style import Style
from textual.widget import Widget

from ..core.frozen import frozen


@frozen
class Tab:
    id: str
    label: str
    key: str  # the key that shows it ("1")


class TabBar(Widget):
    DEFAULT_CSS = """
    TabBar { height: 1; width: 1fr; background: $panel; }
    """

    active: reactive[str] = reactive("", layout=False)

    class Clicked(Message):
        def __init__(self, tab: str) -> None:
            self.tab = tab
            super().__init__()

    def __init__(self, tabs: Sequence[Tab], active: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tabs = tuple(tabs)
        self.set_reactive(TabBar.active, active)

    def tab_span(self, tab_id: str) -> tuple[int, int]:
        """The columns a tab is drawn on (first, last + 1)."""
        return next((start, end) for t, start, end in self._spans() if t == tab_id)

    def _spans(self) -> list[tuple[str, int, int]]:
        """(tab id, first column, last column + 1) of each tab as drawn."""
        spans, x = [], 1
        for tab in self.tabs:
            width = cell_len(f" {tab.key} {tab.label} ")
            spans.append((tab.id, x, x + width))
            x += width + 1
        return spans

    def render(self) -> Content:
        theme = self.app.theme_variables
        back = self.background_colors[1]
        active_back = back + Color.parse(theme["primary"])
        muted = back + back.get_contrast_text(0.60)
        parts: list[tuple[str, Style] | str] = [" "]
        for tab in self.tabs:
            if tab.id == self.active:
                text = active_back + active_back.get_contrast_text(0.95)
                parts.append((f" {tab.key} {tab.label} ", Style(background=active_back, foreground=text, bold=True)))
            else:
                parts.append((f" {tab.key} {tab.label} ", Style(foreground=muted)))
            parts.append(" ")
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        for tab_id, start, end in self._spans():
            if start <= offset.x < end:
                event.stop()
                self.post_message(self.Clicked(tab_id))
                return
