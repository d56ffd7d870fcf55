"""The Doctor pane: the preflight checks of this box for the current selection.

It only displays a `DoctorView` (bound to the App, which runs the checks in a worker);
`r` or the ↻ button asks the App for a new run (`DoctorPane.RerunRequested`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from .quiet import set_text

if TYPE_CHECKING:  # the Doctor's modules load when it is first shown, not at start-up
    from ..host.doctor import CheckResult


def planned_checks() -> list[tuple[str, str]]:
    from ..host.doctor import planned_checks as planned

    return planned()


GLYPHS = {"ok": ("✓", "green"), "warn": ("⚠", "yellow"), "fail": ("✗", "red"), "skipped": ("–", "dim")}
PENDING = ("…", "dim")
TITLE_WIDTH = 14


@dataclass(frozen=True)
class DoctorRow:
    """One check: its result, None until the first one arrives. `stale`: the previous run's
    result, shown dimmed while the new run has not reported this check yet."""

    id: str
    title: str
    result: CheckResult | None = None
    stale: bool = False


@dataclass(frozen=True)
class DoctorView:
    """What the pane shows: whom the checks are for, one row per planned check, and whether
    a run is under way."""

    subject: str
    rows: tuple[DoctorRow, ...]
    running: bool = False
    problem: str = ""  # why the checks could not run at all

    @classmethod
    def empty(cls) -> DoctorView:
        """Before the Doctor is first shown (its rows come with `planned` then)."""
        return cls("", ())

    @classmethod
    def planned(cls, subject: str = "", note: str = "") -> DoctorView:
        return cls(subject, tuple(DoctorRow(check_id, title) for check_id, title in planned_checks()), problem=note)

    def started(self, subject: str) -> DoctorView:
        """A new run: every row waits for its result (the old one stays, dimmed)."""
        rows = tuple(replace(row, stale=row.result is not None) for row in self.rows or DoctorView.planned().rows)
        return DoctorView(subject, rows, running=True)

    def with_result(self, result: CheckResult) -> DoctorView:
        rows = tuple(DoctorRow(row.id, row.title, result) if row.id == result.id else row for row in self.rows)
        return replace(self, rows=rows)

    def finished(self, problem: str = "") -> DoctorView:
        return replace(self, running=False, problem=problem)

    @property
    def results(self) -> list[CheckResult]:
        return [row.result for row in self.rows if row.result is not None and not row.stale]

    def status_line(self) -> str:
        if self.problem:
            return f"✗ {self.problem}"
        done = len(self.results)
        if self.running:
            return f"Checking… {done} of {len(self.rows)} done"
        if not done:
            return "Not run yet: the checks run when this tab is shown."
        from ..host.doctor import summary

        return summary(self.results) + " · r re-runs"


def row_id(check_id: str) -> str:
    return "doctor-row-" + check_id.replace(".", "-")


def glyph_text(row: DoctorRow) -> Text:
    mark, style = GLYPHS[row.result.status] if row.result is not None and not row.stale else PENDING
    return Text(mark, style=style)


def body_text(row: DoctorRow) -> Text:
    """The message, and the fix on its own line (`→ …`) when there is something to do."""
    result = row.result
    if result is None:
        return Text("checking…", style="dim")
    dim = row.stale or result.status == "skipped"
    text = Text(result.message, style="dim" if dim else "")
    if result.fix and result.status != "ok":
        text.append(f"\n→ {result.fix}", style="dim" if row.stale else "italic")
    return text


class DoctorPane(VerticalScroll):
    """Displays a `DoctorView`; re-runs are asked of the App (the one state owner)."""

    DEFAULT_CSS = f"""
    DoctorPane {{ height: 1fr; padding: 0 1; }}
    DoctorPane #doctor-subject {{ height: auto; text-style: bold; }}
    DoctorPane #doctor-head {{ height: auto; margin-bottom: 1; }}
    DoctorPane #doctor-status {{ width: 1fr; height: auto; color: $text-muted; }}
    DoctorPane #doctor-status.-problem {{ color: $error; }}
    DoctorPane #doctor-rows {{ height: auto; }}
    DoctorPane .doctor-row {{ height: auto; }}
    DoctorPane .doctor-glyph {{ width: 2; }}
    DoctorPane .doctor-title {{ width: {TITLE_WIDTH}; text-style: bold; }}
    DoctorPane .doctor-body {{ width: 1fr; height: auto; }}
    """

    BINDINGS = [Binding("r", "rerun", "Re-run", tooltip="Doctor: run the checks again")]

    view: reactive[DoctorView | None] = reactive(None, init=False, repaint=False)

    class RerunRequested(Message):
        """The user asked for the checks to run again."""

    def compose(self) -> ComposeResult:
        yield Static("", id="doctor-subject", markup=False)
        with Horizontal(id="doctor-head"):
            yield Static("", id="doctor-status", markup=False)
            yield Button("↻ Re-run", id="doctor-rerun", compact=True)
        with Vertical(id="doctor-rows"):
            for check_id, title in planned_checks():
                with Horizontal(id=row_id(check_id), classes="doctor-row"):
                    yield Static(Text(PENDING[0], style=PENDING[1]), classes="doctor-glyph")
                    yield Static(title, classes="doctor-title", markup=False)
                    yield Static(Text("not run yet", style="dim"), classes="doctor-body")

    def __init__(self, id: str | None = None):
        super().__init__(id=id)
        self._shown: dict[str, DoctorRow] = {}

    def on_mount(self) -> None:
        self.watch_view(self.view)

    def watch_view(self, view: DoctorView | None) -> None:
        if view is None or not self.is_mounted:
            return
        set_text(self.query_one("#doctor-subject", Static), f"Will it run on this box? {view.subject}")
        status = self.query_one("#doctor-status", Static)
        set_text(status, view.status_line())
        status.set_class(bool(view.problem), "-problem")
        for row in view.rows:
            if self._shown.get(row.id) == row:
                continue  # only the rows that changed are repainted
            self._shown[row.id] = row
            box = self.query_one(f"#{row_id(row.id)}", Horizontal)
            box.query_one(".doctor-glyph", Static).update(glyph_text(row))
            box.query_one(".doctor-body", Static).update(body_text(row))

    def row_text(self, check_id: str) -> str:
        """What one row shows, as plain text ('✓ GPUs 8 x NVIDIA H200 …'), for tests and tools."""
        box = self.query_one(f"#{row_id(check_id)}", Horizontal)
        parts = [box.query_one(f".doctor-{part}", Static).content for part in ("glyph", "title", "body")]
        return " ".join(str(getattr(part, "plain", part)) for part in parts)

    def action_rerun(self) -> None:
        self.post_message(self.RerunRequested())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "doctor-rerun":
            event.stop()
            self.action_rerun()
