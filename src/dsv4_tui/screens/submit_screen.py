"""Submit ↗: confirm the run, give the SGLang version, get the pre-filled issue link."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from ..core.submit import SGLANG_VERSION_EXAMPLE


@dataclass(frozen=True)
class SubmitRequest:
    action: str  # "link" or "save"
    sglang_version: str = ""
    bench_result: str = ""
    notes: str = ""


class SubmitScreen(ModalScreen[SubmitRequest | None]):
    DEFAULT_CSS = """
    SubmitScreen { align: center middle; }
    SubmitScreen > Vertical { width: 90%; max-width: 100; height: auto; max-height: 95%; border: thick $primary; background: $surface; padding: 0 1; }
    SubmitScreen .title { text-style: bold; width: 100%; }
    SubmitScreen .hint { color: $text-muted; }
    SubmitScreen #submit-errors { color: $error; height: auto; }
    SubmitScreen #submit-warning { color: $warning; text-style: bold; height: auto; }
    SubmitScreen #submit-form { height: auto; }
    SubmitScreen .buttons { dock: bottom; height: auto; align: right middle; margin: 1 0 0 0; }
    SubmitScreen Button { margin: 0 0 0 1; }
    SubmitScreen Checkbox, SubmitScreen Input { margin: 1 0 0 0; }
    SubmitScreen Checkbox { width: 100%; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, combination: str, warning: str | None = None):
        super().__init__()
        self.combination = combination
        self.warning = warning  # e.g. the checks still find errors in the command

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Submit ↗ — propose a verified cell: {self.combination}", classes="title", markup=False)
            yield Static(
                "The link opens a pre-filled SGLang issue with your command and the base cell. "
                "Only submit what you actually ran.",
                classes="hint",
            )
            # Compact fields, the buttons docked at the bottom and the rest scrolling: at 60x20
            # everything, Notes and the three buttons included, is on screen.
            with VerticalScroll(id="submit-form"):
                if self.warning:
                    yield Static(self.warning, id="submit-warning", markup=False)
                yield Checkbox(
                    "I ran this command on real hardware and it served requests", id="submit-ran", compact=True
                )
                yield Input(
                    placeholder=f"SGLang version (required), e.g. {SGLANG_VERSION_EXAMPLE}",
                    id="submit-version",
                    compact=True,
                )
                yield Input(placeholder="Benchmark line (optional)", id="submit-bench", compact=True)
                yield Input(placeholder="Notes (optional)", id="submit-notes", compact=True)
                yield Static("", id="submit-errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="submit-cancel", compact=True)
                yield Button("Save as my cell", id="submit-save", compact=True)
                yield Button("Make the link", id="submit-link", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#submit-ran", Checkbox).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit-cancel":
            self.action_cancel()
        elif event.button.id == "submit-save":
            self.dismiss(SubmitRequest("save"))
        else:
            self.make_link()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.make_link()

    def make_link(self) -> None:
        errors = []
        if not self.query_one("#submit-ran", Checkbox).value:
            errors.append("Confirm that you ran the command on real hardware.")
        version = self.query_one("#submit-version", Input).value.strip()
        if not version:
            errors.append("Give the SGLang version you ran it with.")
        if errors:
            self.query_one("#submit-errors", Static).update("\n".join(errors))
            return
        self.dismiss(
            SubmitRequest(
                "link",
                version,
                self.query_one("#submit-bench", Input).value.strip(),
                self.query_one("#submit-notes", Input).value.strip(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
