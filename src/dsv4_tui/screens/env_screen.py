"""⚙ Env: edit the shared placeholders as TOML; validated before it is saved.

A secret (HF_TOKEN) is never on screen in full: it shows masked, a masked line left as it is
keeps the saved secret, and Ctrl+R reveals it on purpose. Esc with unsaved edits asks first.
"""

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
from ..core.env_text import mask_secrets, still_masked
from ..core.schema import Placeholder
from .confirm_screen import ConfirmScreen


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
        Binding("ctrl+r", "reveal", "Reveal secrets", priority=True),
        # As in any editor; the TextArea's own Ctrl+A (line start) stays on Home.
        Binding("ctrl+a", "select_all", "Select all", priority=True),
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
        self.path = path
        self.placeholders = placeholders
        self.problem = problem
        secret_keys = [k for k, p in placeholders.items() if p.secret]
        self.masked = mask_secrets(text, secret_keys, {k: p.default for k, p in placeholders.items()})
        self.initial = self.masked.text  # what the editor shows first
        self.revealed = False

    def action_select_all(self) -> None:
        self.query_one("#env-editor", TextArea).select_all()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("⚙ Env — placeholders shared by the command and the cURL", classes="title")
            keys = (
                "Ctrl+S save  ·  Ctrl+R reveal secrets  ·  Esc cancel"
                if self.masked.secrets
                else "Ctrl+S save  ·  Esc cancel"
            )
            yield Label(f"{self.path}  ·  {keys}", classes="path", markup=False)
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
        text = self.masked.unmasked(self.query_one(TextArea).text)
        try:
            overrides = parse_env_toml(text, self.placeholders, str(self.path))
        except EnvError as exc:
            self.query_one("#env-errors", Static).update("Not saved:\n" + str(exc))
            return
        half_edited = [k for k in self.masked.secrets if still_masked(overrides.get(k, ""))]
        if half_edited:
            self.query_one("#env-errors", Static).update(
                f"Not saved: {', '.join(half_edited)} was edited in its masked form; "
                "press Ctrl+R to reveal it, then edit it (or type it anew)."
            )
            return
        self.dismiss(EnvEdit(text, overrides))

    def action_reveal(self) -> None:
        """Show (or hide again) the secrets in full: a deliberate key press."""
        editor = self.query_one(TextArea)
        self.revealed = not self.revealed
        change = self.masked.unmasked if self.revealed else self.masked.remasked
        editor.load_text(change(editor.text))

    @property
    def edited(self) -> bool:
        unmask = self.masked.unmasked
        return unmask(self.query_one(TextArea).text) != unmask(self.initial)

    def action_cancel(self) -> None:
        if not self.edited:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your unsaved Env edits?", yes="Discard", no="Keep editing"), answered
        )
