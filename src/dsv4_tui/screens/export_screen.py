"""Export: the selection as a file for Kubernetes or SLURM — pick a target, preview, copy, save.

The targets are the format registry's (`core.formats.TARGETS`); the text is exactly what
`dsv4 export --to TARGET` writes with the default options (HF_TOKEN is never in it: the
targets take it from a Secret or the environment). Saving asks before replacing a file;
the App does the writing (`save`, atomic). dsv4 runs nothing: the file is for kubectl,
sbatch or srtctl.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, Tab, Tabs, TextArea

from ..core.deployment import Deployment, ExportOptions
from ..core.formats.base import ExportTarget
from .confirm_screen import ConfirmScreen

TAB_PREFIX = "export-to-"
RUNS_NOTHING = "dsv4 runs nothing itself: hand the file to kubectl, sbatch or srtctl."


def tab_id(target: ExportTarget) -> str:
    return TAB_PREFIX + target.id


class ExportScreen(ModalScreen[None]):
    AUTO_FOCUS = "#export-targets"  # the app itself sets AUTO_FOCUS = None
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 95%; max-width: 120; height: 95%; border: thick $primary; background: $surface; padding: 0 1; }
    ExportScreen .title { text-style: bold; height: 1; }
    ExportScreen .hint { color: $text-muted; height: auto; }
    ExportScreen #export-preview { height: 1fr; }
    ExportScreen #export-errors { color: $error; height: auto; max-height: 4; }
    ExportScreen #export-status { color: $success; height: auto; }
    ExportScreen .buttons { height: auto; }
    ExportScreen #export-path { width: 1fr; }
    ExportScreen Button { margin: 0 0 0 1; min-width: 0; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("c", "copy", "Copy"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(
        self,
        targets: Sequence[ExportTarget],
        dep: Deployment | None,
        problem: str | None,
        save: Callable[[Path, str], Path],
    ):
        super().__init__()
        self.targets = {t.id: t for t in targets}
        self.dep = dep
        self.problem = problem  # why there is nothing to export (dep is None)
        self.save = save  # writes atomically; gives back the file written
        self.target = next(iter(self.targets.values()))
        self.text: str | None = None  # the current target's file (None: see the errors line)

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        what = self.dep.label if self.dep is not None else "nothing to export"
        with Vertical():
            yield Label(f"Export — {what}", classes="title", markup=False)
            yield Tabs(*(Tab(t.id, id=tab_id(t)) for t in self.targets.values()), id="export-targets")
            yield Static("", id="export-about", classes="hint", markup=False)
            preview = TextArea.code_editor("", id="export-preview", read_only=True, tab_behavior="focus")
            preview.cursor_blink = False
            yield preview
            yield Static("", id="export-errors", markup=False)
            yield Static("", id="export-status", markup=False)
            with Horizontal(classes="buttons"):
                yield Input(self.default_path(), id="export-path", placeholder="file to save to", compact=True)
                yield Button("Save (Ctrl+S)", id="export-save", variant="primary", compact=True)
                yield Button("⧉ Copy (c)", id="export-copy", compact=True)
                yield Button("Close (Esc)", id="export-close", compact=True)
            yield Static(RUNS_NOTHING, classes="hint", markup=False)

    def on_mount(self) -> None:
        self.show_target(self.target)

    # -- the target ------------------------------------------------------------------------
    def default_path(self, target: ExportTarget | None = None) -> str:
        target = target or self.target
        name = ExportOptions().job_name(self.dep) if self.dep is not None else "dsv4-export"
        return f"./{name}{target.suffix}"

    def render_target(self, target: ExportTarget) -> tuple[str | None, str]:
        """(the file's text, "") or (None, why there is none)."""
        if self.dep is None:
            return None, f"Nothing to export: {self.problem or 'no command for this selection'}"
        try:
            return target.export(self.dep, ExportOptions()), ""
        except ValueError as exc:
            return None, f"{target.label} cannot express this selection: {exc}"

    def show_target(self, target: ExportTarget) -> None:
        path = self.query_one("#export-path", Input)
        if path.value.strip() in ("", self.default_path(self.target)):  # not typed by the user
            path.value = self.default_path(target)
        self.target = target
        self.text, problem = self.render_target(target)
        preview = self.query_one("#export-preview", TextArea)
        preview.language = target.language if target.language in preview.available_languages else None
        preview.load_text(self.text or "")
        self.query_one("#export-about", Static).update(f"{target.label}: {target.description}")
        self._say(problem)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        target_id = (event.tab.id or "").removeprefix(TAB_PREFIX)
        if target_id in self.targets and target_id != self.target.id:
            self.show_target(self.targets[target_id])

    # -- copy, save, close -----------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"export-save": self.action_save, "export-copy": self.action_copy, "export-close": self.action_close}
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def _say(self, error: str = "", status: str = "") -> None:
        """One line under the preview: an error (red) or what was done (green); hidden when empty."""
        for widget_id, text in (("#export-errors", error), ("#export-status", status)):
            widget = self.query_one(widget_id, Static)
            widget.update(text)
            widget.display = bool(text)

    def action_copy(self) -> None:
        if self.text is None:
            self.app.bell()
            return
        what = f"The {self.target.label} file ({len(self.text.splitlines())} lines)"
        self.app.copy_and_tell(self.text, "⧉ Export", what, placeholders=False)  # type: ignore[attr-defined]

    def action_save(self) -> None:
        if self.text is None:
            self.app.bell()
            return
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self._say("Type the file to save to.")
            return
        try:
            path = Path(raw).expanduser()
            if path.is_dir():
                self._say(f"{path} is a folder: type a file name.")
                return
            if path.is_symlink():  # never written through: the file it points to may not be yours
                from ..host.files import link_refused

                self._say(f"Not saved: {link_refused(path)}")
                return
            exists = path.exists() or path.is_symlink()
            folder = path.absolute().parent
            missing = not (folder.exists() or folder.is_symlink())
        except (OSError, ValueError) as exc:
            self._say(f"Not saved: {exc}")
            return
        text = self.text
        if missing:  # never created silently
            question = ConfirmScreen(f"The folder {folder} does not exist. Create it?", yes="Create", no="Cancel")
            self.app.push_screen(question, lambda yes: self._create_answered(bool(yes), folder, path, text))
        elif exists:
            question = ConfirmScreen(f"{path} already exists. Replace it?", yes="Replace", no="Keep it")
            self.app.push_screen(question, lambda yes: self._answered(bool(yes), path, text))
        else:
            self._write(path, text)

    def _create_answered(self, create: bool, folder: Path, path: Path, text: str) -> None:
        if create:
            self._write(path, text)  # the App's atomic write creates the folder
        else:
            self._say(f"Not saved: the folder {folder} does not exist.")

    def _answered(self, replace: bool, path: Path, text: str) -> None:
        if replace:
            self._write(path, text)
        else:
            self._say(f"Not saved: {path} is kept as it was.")

    def _write(self, path: Path, text: str) -> None:
        try:
            written = self.save(path, text)
        except (OSError, ValueError) as exc:
            self._say(f"Not saved: {getattr(exc, 'strerror', None) or exc}")
            return
        where = written.absolute()  # in full: "./x.yaml" says nothing about where it went
        self._say(status=f"Saved to {where}")
        self.app.notify(f"Saved to {where} ({len(text.splitlines())} lines)", title="Export")

    def action_close(self) -> None:
        self.dismiss(None)
