"""The command box: framing toggle, badge, Copy / cURL / Env buttons, notes, the command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from ..core.formats import FRAMINGS
from ..core.view import TODO_PLACEHOLDER

_FLAG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")
_ENV = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.M)
_COMMENT = re.compile(r"^#.*$", re.M)


def highlight_command(text: str) -> Text:
    """Colour a shell command: comments dim, flags accented, env names green, and the
    cookbook's fill-me-in placeholders (`<node0-ip>`, `<your-hf-token>`) standing out."""
    t = Text(text, no_wrap=False)
    t.highlight_regex(_ENV, "green")
    t.highlight_regex(_FLAG, "bold cyan")
    t.highlight_regex(_COMMENT, "dim italic")
    t.highlight_regex(TODO_PLACEHOLDER, "bold black on yellow")
    return t


@dataclass(frozen=True)
class CommandDisplay:
    """What a command box shows. Built from a core view; the box computes nothing."""

    text: str
    framing: str
    badge: str
    badge_detail: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class CommandBox(Vertical):
    DEFAULT_CSS = """
    CommandBox { height: auto; border: round $primary 60%; padding: 0 1; }
    CommandBox > .toolbar { height: 1; width: 100%; }
    CommandBox Button { min-width: 0; margin: 0 1 0 0; }
    CommandBox Button.framing { background: $boost; color: $text-muted; }
    CommandBox Button.framing.-active { background: $primary; color: $text; text-style: bold; }
    CommandBox .badge { padding: 0 1; margin: 0 1 0 0; text-style: bold; }
    CommandBox .badge.-verified { background: $success; color: $text; }
    CommandBox .badge.-unverified { background: $warning; color: $background; }
    CommandBox .spacer { width: 1fr; }
    CommandBox .notes { height: auto; color: $warning; }
    CommandBox .warnings { height: auto; color: $error; text-style: bold; }
    CommandBox .command { height: auto; margin: 1 0 0 0; }
    """

    def __init__(self, prefix: str, *, extra_buttons: list[tuple[str, str]] | None = None, id: str | None = None):
        super().__init__(id=id)
        self.prefix = prefix
        self.extra_buttons = extra_buttons or []

    def compose(self) -> ComposeResult:
        p = self.prefix
        with Horizontal(classes="toolbar"):
            for framing in FRAMINGS.values():
                yield Button(framing.label, id=f"{p}-framing-{framing.id}", classes="framing", compact=True)
            yield Label("Verified", id=f"{p}-badge", classes="badge -verified")
            yield Static("", classes="spacer")
            yield Button("⧉ Copy", id=f"{p}-copy", variant="primary", compact=True)
            yield Button("$ cURL", id=f"{p}-curl", compact=True)
            yield Button("⚙ Env", id=f"{p}-env", compact=True)
            for bid, label in self.extra_buttons:
                yield Button(label, id=f"{p}-{bid}", compact=True)
        yield Static("", classes="warnings", markup=False)
        yield Static("", classes="notes", markup=False)
        yield Static("", classes="command", markup=False)

    def show(self, d: CommandDisplay) -> None:
        p = self.prefix
        for framing in FRAMINGS:
            self.query_one(f"#{p}-framing-{framing}", Button).set_class(d.framing == framing, "-active")
        badge = self.query_one(f"#{p}-badge", Label)
        verified = d.badge.startswith("Verified")
        badge.update(d.badge)
        badge.set_class(verified, "-verified")
        badge.set_class(not verified, "-unverified")
        badge.tooltip = d.badge_detail or None
        warnings = self.query_one(".warnings", Static)
        warnings.update("\n".join(f"⚠ {w}" for w in d.warnings))
        warnings.display = bool(d.warnings)
        notes = self.query_one(".notes", Static)
        notes.update("\n".join(f"ⓘ {n}" for n in d.notes))
        notes.display = bool(d.notes)
        self.query_one(".command", Static).update(highlight_command(d.text))
