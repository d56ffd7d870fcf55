"""A button of its own: a label that Enter, Space or a click presses.

The command boxes' buttons are items of their `Toolbar` (toolbar.py); this is for a button
that stands alone, the Playground's "Switch Deploy to …". Textual's Button, with its many
variants and states, is one of the costliest widgets to start: this one has the few styles
it needs.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from .quiet import SizedInPlace


class ToolButton(SizedInPlace, Static, can_focus=True):
    DEFAULT_CSS = """
    ToolButton { width: auto; height: 1; padding: 0 1; background: $surface-lighten-1; color: $text; text-style: bold; }
    ToolButton:hover { background: $primary 40%; }
    ToolButton.-success { background: $success; }
    ToolButton:focus { background: $accent; color: $text; text-style: bold reverse; }
    """

    BINDINGS = [Binding("enter,space", "press", "Press", show=False)]

    class Pressed(Message):
        def __init__(self, button: ToolButton) -> None:
            self.button = button
            super().__init__()

    def __init__(self, label: str, *, id: str | None = None, classes: str = "") -> None:
        super().__init__(label, id=id, classes=classes, markup=False)

    @property
    def label(self) -> str:
        return str(self.content)

    @label.setter
    def label(self, text: str) -> None:
        self.update(text)

    def press(self) -> None:
        self.post_message(self.Pressed(self))

    def action_press(self) -> None:
        self.press()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.press()
