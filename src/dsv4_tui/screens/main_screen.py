"""The app's own screen: a focus move repaints what it changes, not the whole terminal.

Textual's Screen repaints itself entirely whenever the focused widget changes. Over SSH
that is every row of the terminal on each arrow key (about 30 KB at 120x40). The widgets
that gain and lose focus repaint themselves anyway (their `:focus` style changes), so here
the focus change alone repaints nothing else.

At start-up Textual applies the stylesheet to each widget as it is mounted, then once more
to all of them when the screen is first shown (its ScreenResume). Nothing has changed in
between, so that second pass (about 30 widgets, before the first frame) is skipped.
"""

from __future__ import annotations

from textual import events
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class MainScreen(Screen):
    # From 140 columns on the screen has the class `-wide`: the Playground shows its knobs and
    # its command side by side (dsv4.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    _shown_once = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen's own handler, which reads `refresh_styles`. Later resumes (a
        # dialog closed over this screen) refresh as Textual asks.
        if not self._shown_once:
            self._shown_once = True
            event.refresh_styles = False
