"""The top line: the app's title and subtitle (the model, the rules, the box detected).

One Static, bound to the App's `title` and `sub_title`, instead of Textual's Header (four
widgets): it is part of every start-up's first frame.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static


class TitleBar(Static):
    DEFAULT_CSS = """
    TitleBar { dock: top; width: 1fr; height: 1; background: $panel; color: $foreground; text-align: center; }
    """

    title: reactive[str] = reactive("", layout=False)
    sub_title: reactive[str] = reactive("", layout=False)

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def watch_title(self) -> None:
        self._show()

    def watch_sub_title(self) -> None:
        self._show()

    def _show(self) -> None:
        self.update(" — ".join(part for part in (self.title, self.sub_title) if part), layout=False)
