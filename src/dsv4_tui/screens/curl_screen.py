"""$ cURL: the probe text to copy, and Run — the same request sent for real."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static
from textual.worker import Worker, WorkerState

from ..core.visible import visible_line


class CurlScreen(ModalScreen[None]):
    AUTO_FOCUS = "#curl-run"  # the app itself sets AUTO_FOCUS = None
    DEFAULT_CSS = """
    CurlScreen { align: center middle; }
    CurlScreen > Vertical { width: 90%; max-width: 110; height: 90%; border: thick $primary; background: $surface; padding: 0 1; }
    CurlScreen .title { text-style: bold; height: 1; }
    CurlScreen #curl-text { height: auto; margin: 1 0; color: $text; }
    CurlScreen .buttons { height: 1; }
    CurlScreen Button { min-width: 0; margin: 0 1 0 0; }
    CurlScreen #probe-summary { height: auto; margin: 1 0 0 0; }
    CurlScreen #probe-summary.-ok { color: $success; }
    CurlScreen #probe-summary.-fail { color: $error; }
    CurlScreen #probe-body { height: 1fr; border: round $primary 40%; }
    CurlScreen #probe-body.-empty { display: none; }
    """

    BINDINGS = [
        Binding("r", "run", "Run / stop"),
        Binding("c", "copy", "Copy cURL"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(
        self,
        curl: str,
        host: str,
        port: str,
        model: str,
        timeout: float = 10.0,
        source: str = "",
        deadline: float = 60.0,
    ):
        super().__init__()
        self.deadline = deadline  # a streamed run stops here at the latest
        self.curl = curl
        self.host = host
        self.port = port
        self.model = model
        self.timeout = timeout
        self.source = source  # why this port: "from PORT" when CURL_PORT follows PORT
        self._worker: Worker | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            where = f"{self.host}:{self.port}" + (f", {self.source}" if self.source else "")
            yield Label(f"$ cURL — probe {where} for {self.model}", classes="title", markup=False)
            yield Static(self.curl, id="curl-text", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("▶ Run", id="curl-run", variant="primary", compact=True)
                yield Button("⧉ Copy", id="curl-copy", compact=True)
                yield Button("Close", id="curl-close", compact=True)
            yield Static(
                "Press r to send this request (and check /health and /v1/models).", id="probe-summary", markup=False
            )
            with VerticalScroll(id="probe-body", classes="-empty"):
                yield Static("", id="probe-json", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"curl-run": self.action_run, "curl-copy": self.action_copy, "curl-close": self.action_close}[event.button.id]()

    def action_copy(self) -> None:
        self.app.copy_and_tell(self.curl, "⧉ Copy", "The cURL")

    def action_close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.dismiss(None)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def action_run(self) -> None:
        summary = self.query_one("#probe-summary", Static)
        if self.running:
            assert self._worker is not None
            self._worker.cancel()
            self._set_running(False)
            summary.remove_class("-ok", "-fail")
            summary.update("Stopped. Press r to run it again.")
            return
        if not self.port.isdigit():
            summary.set_class(True, "-fail")
            summary.update(f"The port {visible_line(self.port)!r} is not a port number: fix it in ⚙ Env.")
            return
        summary.remove_class("-ok", "-fail")
        summary.update(f"Sending to http://{self.host}:{self.port} … (streamed; press r to stop)")
        self.query_one("#probe-json", Static).update("")
        self.query_one("#probe-body").add_class("-empty")
        self._set_running(True)
        self._worker = self.probe()

    def _progress(self, out) -> None:
        """Tokens are arriving: show the time to the first one and the text so far."""
        text = visible_line(" ".join((out.reply or out.thinking).split()))[-200:]
        label = "Reply" if out.reply else "Thinking"
        self.query_one("#probe-summary", Static).update(
            f"First token after {out.ttft_ms:.0f} ms · {out.tokens} tokens (press r to stop)\n{label}: {text}"
        )

    def _set_running(self, running: bool) -> None:
        self.query_one("#curl-run", Button).label = "■ Stop" if running else "▶ Run"

    @work(exclusive=True, group="probe")
    async def probe(self) -> None:
        from ..host.probe import run_probe

        report = await run_probe(
            self.host,
            int(self.port),
            self.model,
            timeout=self.timeout,
            deadline=self.deadline,
            on_progress=self._progress,
        )
        summary = self.query_one("#probe-summary", Static)
        summary.set_class(report.ok, "-ok")
        summary.set_class(not report.ok, "-fail")
        summary.update("\n".join(report.summary_lines()))
        self.query_one("#probe-json", Static).update(report.pretty_json or "")
        self.query_one("#probe-body").set_class(not report.pretty_json, "-empty")
        self._set_running(False)
