"""Checks: the findings of the command in front, each with its source and its fixes.

Enter on a fix applies it (the App makes it a Playground override); Esc closes.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ..core.checks_view import CommandChecks
from ..core.lint import Finding, Fix
from ..core.visible import visible, visible_line

STYLES = {"error": "bold red", "warning": "yellow", "info": "dim"}
ICONS = {"error": "✗", "warning": "⚠", "info": "ℹ"}


def finding_text(f: Finding, from_page: bool = False) -> Text:
    text = Text()
    text.append(f"{ICONS[f.level]} {f.level} ", style=STYLES[f.level])
    text.append(visible_line(f.id), style="bold")
    if f.subject:
        text.append(f" [{visible(f.subject)}]")
    text.append(f"\n{visible(f.message)}\n")
    if f.note:
        text.append(f"known refusal: {visible(f.note)}\n", style="bold")
    text.append(f"source: {visible(f.source)}", style="dim italic")
    if from_page:
        text.append("\nthe verified cell's own page text has it too (kept as the page gives it)", style="dim italic")
    return text


class FindingsScreen(ModalScreen[Fix | None]):
    AUTO_FOCUS = "#findings"
    DEFAULT_CSS = """
    FindingsScreen { align: center middle; }
    FindingsScreen > Vertical { width: 90%; max-width: 110; height: 90%; border: thick $primary; background: $surface; padding: 0 1; }
    FindingsScreen .title { text-style: bold; height: auto; }
    FindingsScreen .hint { color: $text-muted; height: auto; }
    FindingsScreen OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape,q,l", "close", "Close")]

    def __init__(self, checks: CommandChecks, can_fix: bool, in_playground: bool):
        super().__init__()
        self.checks = checks
        self.can_fix = can_fix
        self.fixes: dict[str, Fix] = {}
        self.where = "the Playground command" if in_playground else "the Deploy command"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Checks of {self.where}: {visible_line(self.checks.summary())}", classes="title", markup=False)
            yield Static(self._hint(), classes="hint", markup=False)
            yield OptionList(*self._options(), id="findings")

    def _hint(self) -> str:
        hint = f"Checked against {visible_line(self.checks.checked_against)}."
        if not self.checks.findings:
            return hint + " Nothing to report."
        if self.can_fix:
            return hint + " Enter on a fix applies it as a Playground override; Esc closes."
        return hint + " This selection runs as separate roles: fixes cannot be applied here."

    def _options(self) -> list[Option]:
        options: list[Option] = []
        many = len(self.checks.reports) > 1
        for r, report in enumerate(self.checks.reports):
            if many:
                options.append(Option(Text(f"— command at line {report.line} —", style="bold"), disabled=True))
            for f_index, finding in enumerate(report.findings):
                options.append(Option(finding_text(finding, self.checks.is_from_page(finding)), disabled=True))
                for k, fix in enumerate(finding.fixes):
                    key = f"fix-{r}-{f_index}-{k}"
                    self.fixes[key] = fix
                    label = Text(f"   → fix: {visible_line(fix.label)}: {visible(fix.describe())}", style="green")
                    options.append(Option(label, id=key, disabled=not self.can_fix))
        options += [Option(Text(f"✗ {visible(str(p))}", style="bold red"), disabled=True) for p in self.checks.problems]
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        fix = self.fixes.get(event.option.id or "")
        if fix is not None:
            self.dismiss(fix)

    def action_close(self) -> None:
        self.dismiss(None)
