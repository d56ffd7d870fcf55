"""The command box: framing toggle, badge, Copy / cURL / Env buttons, notes, the command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from ..core.formats import FRAMINGS
from ..core.frozen import frozen
from ..core.visible import visible_line
from .command_text import CommandText
from .quiet import SizedInPlace, set_text
from .tool_button import ToolButton
from .wrap_grid import WrapGrid


@frozen
class CommandDisplay:
    """What a command box shows. Built from a core view; the box computes nothing."""

    text: str
    framing: str
    badge: str
    badge_detail: str = ""
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    badge_state: str = ""  # verified | in-progress | unverified | user | srt ("": from the badge's words)
    speed: list[str] = field(default_factory=list)  # the measured speed, under the badge
    banner: str = ""  # the cell's warn banner, under the command
    diff: Sequence[tuple[str, str]] | None = None  # shown instead of the command when set


class ChecksLine(SizedInPlace, Static, can_focus=True):
    """The checks summary under the toolbar; Enter or a click opens the findings."""

    BINDINGS = [Binding("enter", "open", "Findings", show=False)]

    class Pressed(Message):
        pass

    def __init__(self, text: str, id: str | None = None):
        super().__init__(text, id=id, markup=False)

    def action_open(self) -> None:
        self.post_message(self.Pressed())

    def on_click(self) -> None:
        self.post_message(self.Pressed())


BADGE_STATES = ("verified", "in-progress", "unverified", "user", "srt")


class Badge(SizedInPlace, Static):
    """The badge: Verified, In progress, Not verified… (as wide as its words, as a Label is;
    a Label would import its module and parse its CSS before the first frame)."""

    DEFAULT_CSS = "Badge { width: auto; height: auto; }"


class CommandBox(SizedInPlace, Vertical):
    DEFAULT_CSS = """
    CommandBox { height: auto; border-top: solid $primary 60%; padding: 0; }
    CommandBox > .toolbar { width: 100%; }
    CommandBox ToolButton.framing { background: $boost; color: $text-muted; text-style: none; }
    CommandBox ToolButton.framing.-active { background: $primary; color: $text; text-style: bold; }
    CommandBox ToolButton.framing:focus { background: $accent; color: $text; text-style: bold reverse; }
    CommandBox .badge { padding: 0 1; text-style: bold; content-align: center middle; }
    CommandBox .badge.-verified { background: $success; color: $text; }
    CommandBox .badge.-unverified { background: $warning; color: $background; }
    CommandBox .badge.-in-progress { background: $accent; color: $text; }
    CommandBox .badge.-user { background: $primary; color: $text; }
    CommandBox .badge.-srt { background: $secondary; color: $text; }
    CommandBox ChecksLine { height: auto; color: $text-muted; }
    CommandBox ChecksLine:focus { background: $accent 30%; }
    CommandBox ChecksLine.-ok { color: $success; }
    CommandBox ChecksLine.-warning { color: $warning; }
    CommandBox ChecksLine.-error { color: $error; text-style: bold; }
    """

    def __init__(
        self,
        prefix: str,
        *,
        extra_buttons: list[tuple[str, str]] | None = None,
        id: str | None = None,
    ):
        super().__init__(id=id)
        self.prefix = prefix
        self.extra_buttons = extra_buttons or []
        self._checks_shown, self._checks = False, None

    def compose(self) -> ComposeResult:
        p = self.prefix
        with WrapGrid(classes="toolbar"):  # wraps at narrow widths instead of clipping
            for framing in FRAMINGS.values():
                yield ToolButton(framing.label, id=f"{p}-framing-{framing.id}", classes="framing")
            yield Badge("Verified", id=f"{p}-badge", classes="badge -verified")
            yield ToolButton("⧉ Copy", id=f"{p}-copy", classes="-primary")
            yield ToolButton("$ cURL", id=f"{p}-curl")
            yield ToolButton("⚙ Env", id=f"{p}-env")
            for bid, label in self.extra_buttons:
                yield ToolButton(label, id=f"{p}-{bid}")
        yield ChecksLine("checks: loading the SGLang table…", id=f"{p}-checks")
        yield CommandText(classes="command")  # speed, notes, the command, banner: see CommandText

    def show_checks(self, checks) -> None:
        """The checks line: "✓ 22 checks · bundled table for SGLang 0.5.23 · l: details"."""
        if self._checks_shown and checks == self._checks:
            return
        self._checks_shown, self._checks = True, checks
        line = self.query_one(ChecksLine)
        if checks is None:
            set_text(line, "checks: loading the SGLang table…")
            level = "loading"
        else:
            versions = f" · {checks.runs_on_line}" if checks.runs_on_line else ""
            set_text(line, visible_line(f"{checks.summary()}{versions} · {checks.checked_against} · l: details"))
            level = checks.level
        for name in ("ok", "warning", "error"):
            line.set_class(level == name, f"-{name}")

    @property
    def command(self) -> CommandText:
        return self.query_one(CommandText)

    def button(self, name: str) -> ToolButton:
        """One of the toolbar's buttons: "copy", "curl", "env" or an extra one ("diff")."""
        return self.query_one(f"#{self.prefix}-{name}", ToolButton)

    def show(self, d: CommandDisplay) -> None:
        p = self.prefix
        for framing in FRAMINGS:
            self.query_one(f"#{p}-framing-{framing}", ToolButton).set_class(d.framing == framing, "-active")
        badge = self.query_one(f"#{p}-badge", Badge)
        state = d.badge_state or ("verified" if d.badge.startswith("Verified") else "unverified")
        if set_text(badge, d.badge):
            self.query_one(".toolbar", WrapGrid).refit()
        # One restyle for a new state (a class removed and one added would be two).
        badge.remove_class(*(f"-{name}" for name in BADGE_STATES if name != state), update=False)
        badge.add_class(f"-{state}")
        badge.tooltip = d.badge_detail or None
        self.command.show(
            d.text,
            d.diff,
            speed=d.speed,
            warnings=[f"⚠ {w}" for w in d.warnings],
            notes=[f"ⓘ {n}" for n in d.notes],
            banner=[f"⚠ {d.banner}"] if d.banner else [],
        )
