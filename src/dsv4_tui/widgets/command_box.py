"""The command box: framing toggle, badge, Copy / cURL / Env buttons, notes, the command."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message

from ..core.formats import FRAMINGS
from ..core.frozen import frozen
from ..core.visible import visible_line
from .command_text import CommandText
from .quiet import PlainText, SizedInPlace
from .toolbar import Toolbar, ToolItem


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


class ChecksLine(PlainText, can_focus=True):
    """The checks summary under the toolbar; Enter or a click opens the findings."""

    BINDINGS = [Binding("enter", "open", "Findings", show=False)]

    class Pressed(Message):
        pass

    def action_open(self) -> None:
        self.post_message(self.Pressed())

    def on_click(self) -> None:
        self.post_message(self.Pressed())


class CommandBox(SizedInPlace, Vertical):
    DEFAULT_CSS = """
    CommandBox { height: auto; border-top: solid $primary 60%; padding: 0; }
    CommandBox > .toolbar { width: 100%; }
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
        badge_width: int = 0,
        id: str | None = None,
    ):
        super().__init__(id=id)
        self.prefix = prefix
        self.extra_buttons = extra_buttons or []
        self.badge_width = badge_width  # a badge at least this wide keeps the buttons after it in place
        self._checks_shown, self._checks = False, None

    def compose(self) -> ComposeResult:
        p = self.prefix
        items = [ToolItem(f"{p}-framing-{f.id}", f.label, "framing") for f in FRAMINGS.values()]
        items += [
            ToolItem(f"{p}-badge", "Verified", "badge", state="verified", min_width=self.badge_width),
            ToolItem(f"{p}-copy", "⧉ Copy", "primary"),
            ToolItem(f"{p}-curl", "$ cURL"),
            ToolItem(f"{p}-env", "⚙ Env"),
            *(ToolItem(f"{p}-{bid}", label) for bid, label in self.extra_buttons),
        ]
        yield Toolbar(items, id=f"{p}-toolbar", classes="toolbar")  # wraps at narrow widths
        yield ChecksLine("checks: loading the SGLang table…", id=f"{p}-checks")
        yield CommandText(classes="command")  # speed, notes, the command, banner: see CommandText

    def show_checks(self, checks) -> None:
        """The checks line: "✓ 22 checks · bundled table for SGLang 0.5.23 · l: details"."""
        if self._checks_shown and checks == self._checks:
            return
        self._checks_shown, self._checks = True, checks
        line = self.query_one(ChecksLine)
        if checks is None:
            line.update("checks: loading the SGLang table…")
            level = "loading"
        else:
            versions = f" · {checks.runs_on_line}" if checks.runs_on_line else ""
            line.update(visible_line(f"{checks.summary()}{versions} · {checks.checked_against} · l: details"))
            level = checks.level
        for name in ("ok", "warning", "error"):
            line.set_class(level == name, f"-{name}")

    @property
    def command(self) -> CommandText:
        return self.query_one(CommandText)

    def set_button(self, name: str, **changes) -> bool:
        """Change one of the toolbar's items ("copy", "badge", "submit"…: label, active,
        shown…); True when it changed."""
        return self.query_one(Toolbar).update(f"{self.prefix}-{name}", **changes)

    def show(self, d: CommandDisplay) -> None:
        for framing in FRAMINGS:
            self.set_button(f"framing-{framing}", active=d.framing == framing)
        state = d.badge_state or ("verified" if d.badge.startswith("Verified") else "unverified")
        self.set_button("badge", label=d.badge, state=state, tooltip=d.badge_detail)
        self.command.show(
            d.text,
            d.diff,
            speed=d.speed,
            warnings=[f"⚠ {w}" for w in d.warnings],
            notes=[f"ⓘ {n}" for n in d.notes],
            banner=[f"⚠ {d.banner}"] if d.banner else [],
        )
