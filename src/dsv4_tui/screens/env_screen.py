"""⚙ Env: edit the shared placeholders as TOML; validated before it is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from ..core.env import Env, EnvError, parse_env_toml
from ..core.schema import Placeholder


@dataclass(frozen=True)
class EnvEdit:
    """What the user saved: the text as typed and the overrides it means."""

    text: str
    overrides: dict[str, str]


class EnvScreen(ModalScreen[EnvEdit | None]):
    DEFAULT_CSS = """
    EnvScreen { align: center middle; }
    EnvScreen > Vertical { width: 90%; max-width: 100; height: 90%; border: thick $primary; background: $surface; padding: 0 1; }
    EnvScreen .title { text-style: bold; height: 1; }
    EnvScreen .path { color: $text-muted; height: 1; }
    EnvScreen TextArea { height: 1fr; }
    EnvScreen #env-errors { color: $error; height: auto; max-height: 6; }
    EnvScreen .buttons { height: 3; align: right middle; }
    EnvScreen Button { margin: 0 0 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        text: str,
        path: Path,
        placeholders: Mapping[str, Placeholder],
        problem: str | None = None,
        env: Env | None = None,
    ):
        super().__init__()
        self.env = env
        self.initial = text
        self.path = path
        self.placeholders = placeholders
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("⚙ Env — placeholders shared by the command and the cURL", classes="title")
            yield Label(f"{self.path}  ·  Ctrl+S save  ·  Esc cancel", classes="path")
            # tab_behavior="focus": in "indent" mode the editor swallows Esc (it moves focus
            # instead), so "Esc cancel" needed two presses; TOML needs no tab indentation.
            editor = TextArea.code_editor(self.initial, language="toml", id="env-editor", tab_behavior="focus")
            editor.cursor_blink = False
            yield editor
            yield Static(self.problem or "", id="env-errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="env-cancel")
                yield Button("Save", id="env-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "env-save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        try:
            overrides = parse_env_toml(text, self.placeholders, str(self.path))
        except EnvError as exc:
            self.query_one("#env-errors", Static).update("Not saved:\n" + str(exc))
            return
        self.dismiss(EnvEdit(text, overrides))

    def action_cancel(self) -> None:
        self.dismiss(None)
