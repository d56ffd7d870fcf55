"""The Run pane (tab 4): the server started on this box, followed to "ready".

It only displays a `RunView` (core/run/view.py), bound to the App, which follows the run in
a worker: the phases with a progress bar and elapsed time each, the probe once /health
answers, then the server's /metrics as small live charts (Textual's Sparkline and
ProgressBar), and a known failure with its meaning and fix. Buttons and keys post
messages; the App starts, stops and applies fixes.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, ProgressBar, Sparkline, Static

from ..core.run.view import PhaseRow, RunView
from .quiet import set_text

GLYPHS = {"pending": ("·", "dim"), "active": ("▶", "bold yellow"), "done": ("✓", "green"), "failed": ("✗", "bold red")}
CHARTS = (
    ("throughput", "Throughput", "{:.0f} tok/s"),
    ("running", "Running", "{:.0f}"),
    ("queued", "Queued", "{:.0f}"),
    ("ttft_s", "TTFT", "{:.3f} s"),
)


def _value(view: RunView, key: str, fmt: str) -> str:
    value = getattr(view.sample, key, None) if view.sample is not None else None
    return "–" if value is None else fmt.format(value)


class RunPane(VerticalScroll):
    """Displays a `RunView`; ▶ Run, ■ Stop and Enter on a failure are asked of the App."""

    DEFAULT_CSS = """
    RunPane { height: 1fr; padding: 0 1; }
    RunPane #run-title { height: auto; text-style: bold; }
    RunPane #run-headline { height: auto; }
    RunPane #run-headline.-failed { color: $error; text-style: bold; }
    RunPane #run-buttons { height: auto; margin: 0 0 1 0; }
    RunPane #run-buttons Button { margin-right: 1; }
    RunPane #run-phases { height: auto; margin-bottom: 1; }
    RunPane .run-phase { height: 1; }
    RunPane .run-glyph { width: 2; }
    RunPane .run-label { width: 24; }
    RunPane .run-phase ProgressBar { width: 34; }
    RunPane ProgressBar Bar { width: 32; }
    RunPane .run-detail { width: 9; }
    RunPane .run-elapsed { width: 8; color: $text-muted; }
    RunPane #run-probe { height: auto; margin-bottom: 1; }
    RunPane #run-metrics { height: auto; }
    RunPane .run-chart { height: 1; }
    RunPane .run-chart-label { width: 12; }
    RunPane .run-chart Sparkline { width: 30; height: 1; }
    RunPane .run-chart-value { width: 14; padding-left: 1; }
    RunPane #run-kv { height: 1; }
    RunPane #run-kv ProgressBar { width: 40; }
    RunPane #run-failure { height: auto; border: round $error; padding: 0 1; margin: 1 0; }
    RunPane #run-others { height: auto; color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("enter", "apply_fix", "Apply fix", tooltip="Run: apply the failure's fix as a Playground override"),
        Binding("S", "stop", "Stop", tooltip="Run: stop the server (SIGTERM, then SIGKILL)"),
    ]

    view: reactive[RunView | None] = reactive(None, init=False, repaint=False)

    class StartRequested(Message):
        """▶ Run was pressed."""

    class StopRequested(Message):
        """■ Stop was pressed (or S)."""

    class FixRequested(Message):
        """Enter on a failure whose fix is a flag / env change."""

    def __init__(self, phases: Sequence[tuple[str, str]], id: str | None = None):
        super().__init__(id=id)
        self.phase_specs = tuple(phases)  # (id, label), from the rules

    def compose(self) -> ComposeResult:
        yield Static("", id="run-title", markup=False)
        yield Static("", id="run-headline", markup=False)
        with Horizontal(id="run-buttons"):
            yield Button("▶ Run (g)", id="run-start", compact=True)
            yield Button("■ Stop (S)", id="run-stop", compact=True)
        with Vertical(id="run-phases"):
            for phase_id, label in self.phase_specs:
                with Horizontal(id=f"run-phase-{phase_id}", classes="run-phase"):
                    yield Static(Text(*GLYPHS["pending"]), classes="run-glyph")
                    yield Static(label, classes="run-label", markup=False)
                    yield ProgressBar(total=100, show_eta=False, show_percentage=False)
                    yield Static("", classes="run-detail", markup=False)
                    yield Static("", classes="run-elapsed", markup=False)
        yield Static("", id="run-probe", markup=False)
        with Vertical(id="run-metrics"):
            for key, label, _ in CHARTS:
                with Horizontal(id=f"run-chart-{key}", classes="run-chart"):
                    yield Static(label, classes="run-chart-label", markup=False)
                    yield Sparkline([], summary_function=max)
                    yield Static("–", classes="run-chart-value", markup=False)
            with Horizontal(id="run-kv"):
                yield Static("KV cache", classes="run-chart-label", markup=False)
                yield ProgressBar(total=100, show_eta=False, show_percentage=True)
        yield Static("", id="run-failure", markup=False)
        yield Static("", id="run-others", markup=False)

    def on_mount(self) -> None:
        self.watch_view(self.view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter and S are offered (and shown in the footer) only when they would act."""
        view = self.view
        if action == "apply_fix":
            return view is not None and view.failure is not None and view.failure.override is not None
        if action == "stop":
            return view is not None and not view.empty and view.state == "running"
        return True

    def watch_view(self, view: RunView | None) -> None:
        if view is None or not self.is_mounted:
            return
        empty = view.empty
        title = (
            "No run yet. ▶ Run (g) starts the command of the pane in front on this box (single node)."
            if empty
            else f"Run {view.run_id} · {view.state} · port {view.port} · started {view.age} ago"
        )
        set_text(self.query_one("#run-title", Static), title)
        headline = self.query_one("#run-headline", Static)
        set_text(headline, "" if empty else view.headline)
        headline.set_class(view.failure is not None, "-failed")
        self.refresh_bindings()
        self.query_one("#run-stop", Button).disabled = empty or view.state != "running"
        self.query_one("#run-phases").display = not empty
        for row in view.phases:
            self._phase(row)
        probe = "\n".join(view.probe) if view.probe else view.probe_note
        self._show("#run-probe", probe)
        metrics = self.query_one("#run-metrics")
        metrics.display = view.sample is not None
        if view.sample is not None:
            for key, _, fmt in CHARTS:
                box = self.query_one(f"#run-chart-{key}", Horizontal)
                box.query_one(Sparkline).data = list(view.series.get(key, ()))
                set_text(box.query_one(".run-chart-value", Static), _value(view, key, fmt))
            kv = view.sample.kv_usage
            self.query_one("#run-kv ProgressBar", ProgressBar).update(progress=0 if kv is None else kv * 100)
        note = view.metrics_note
        if note and view.sample is None and view.probe:
            self._show("#run-probe", probe + "\n" + note)
        self._show("#run-failure", self._failure_text(view))
        others = [line for line in view.runs if not line.startswith(view.run_id)] if view.run_id else list(view.runs)
        self._show("#run-others", ("Other runs on this box:\n" + "\n".join(others[:5])) if others else "")

    @staticmethod
    def _failure_text(view: RunView) -> str:
        f = view.failure
        if f is None:
            return ""
        phase = f" (phase: {f.phase_label})" if f.phase_label else ""
        lines = [f"✗ {f.id}{phase}, log line {f.line_no}:", f.line, "", f"Meaning: {f.meaning}", f"Fix: {f.fix}"]
        if f.related:
            lines.append(f"Related: {', '.join(f.related)}")
        if f.override is not None:
            how = f.override.describe()
            what = f"“{f.override.label}”" + (f" ({how})" if how != f.override.label else "")
            lines.append(f"Enter: apply {what} as a Playground override")
        return "\n".join(lines)

    def _show(self, selector: str, text: str) -> None:
        widget = self.query_one(selector, Static)
        set_text(widget, text)
        widget.display = bool(text)

    def _phase(self, row: PhaseRow) -> None:
        found = self.query(f"#run-phase-{row.id}")
        if not found:
            return
        box = found.first(Horizontal)
        glyph, style = GLYPHS.get(row.status, GLYPHS["pending"])
        box.query_one(".run-glyph", Static).update(Text(glyph, style=style))
        bar = box.query_one(ProgressBar)
        fraction = row.fraction if row.fraction is not None else 0.0
        bar.update(total=100, progress=round(fraction * 100, 1))
        set_text(box.query_one(".run-detail", Static), row.detail)
        set_text(box.query_one(".run-elapsed", Static), row.elapsed)

    # -- asking the App ------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run-start":
            event.stop()
            self.post_message(self.StartRequested())
        elif event.button.id == "run-stop":
            event.stop()
            self.action_stop()

    def action_stop(self) -> None:
        self.post_message(self.StopRequested())

    def action_apply_fix(self) -> None:
        if self.view is not None and self.view.failure is not None and self.view.failure.override is not None:
            self.post_message(self.FixRequested())

    def text(self) -> str:
        """What the pane shows, as plain text, for tests and tools."""
        parts = []
        for widget in self.query(Static):
            if widget.display and widget.parent is not None and widget.parent.display:
                content = widget.content
                parts.append(str(getattr(content, "plain", content)))
        return "\n".join(p for p in parts if p)
