"""The `dsv4` Textual app: one state owner (this App); the panes are derived from it.

State: the selection, framing, Env, detection, Playground overrides and the two status lines. Every
pane is bound to it (`data_bind`) and shows a view computed by the core; widgets only post messages.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Container
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from ..core.checks_view import CommandChecks
from ..core.env import Env, EnvError
from ..core.formats import DEFAULT_FRAMING, FRAMINGS
from ..core.gpus import Detection
from ..core.playground import Overrides
from ..core.rules import DIMS, Rules
from ..core.selection import NotAvailable, Selection, choose, first_selection, resolve
from ..core.srt_panel import STRATEGY, WORKLOAD
from ..core.view import DeployView, PlaygroundView, deploy_view
from ..host.envfile import load_env_file
from ..host.files import WriteProblem, clean_config_folder
from ..host.paths import config_dir, env_path
from ..host.rules_files import is_bundled
from ..host.state import load_state, save_state
from ..screens.main_screen import MainScreen
from ..widgets.chips import ChipRow
from ..widgets.deploy_pane import DeployPane
from ..widgets.footer import KeyBar
from ..widgets.tab_bar import TabBar
from ..widgets.title_bar import TitleBar
from .actions import AppActions
from .bindings import BINDINGS, PLAYGROUND_ACTIONS
from .playground_actions import PLAYGROUND_HINT
from .tab_actions import TABS

STATE_SAVE_DELAY = 0.5  # seconds after the last change of the selection or framing


class DSV4App(AppActions, App[str | None]):
    """State: selection, framing, env, detection, overrides. The screen derives from it."""

    CSS_PATH = str(Path(__file__).resolve().parent.parent / "dsv4.tcss")
    TITLE = "dsv4"
    ENABLE_COMMAND_PALETTE = True
    AUTO_FOCUS = None  # the selected hardware chip gets focus when the app mounts

    BINDINGS = BINDINGS
    PLAYGROUND_ACTIONS = PLAYGROUND_ACTIONS

    # repaint=False: the app's state repaints nothing itself (the bound widgets refresh what
    # changed); the default would repaint the whole screen on each change.
    selection: reactive[Selection] = reactive(None, init=False, repaint=False, always_update=False)  # type: ignore[arg-type]
    framing: reactive[str] = reactive(DEFAULT_FRAMING, init=False, repaint=False)
    env: reactive[Env] = reactive(None, init=False, repaint=False)  # type: ignore[arg-type]
    detection: reactive[Detection | None] = reactive(None, init=False, repaint=False)
    view: reactive[DeployView] = reactive(None, init=False, repaint=False)  # type: ignore[arg-type]
    status: reactive[str] = reactive("", init=False, repaint=False)
    pg_status: reactive[str] = reactive(PLAYGROUND_HINT, init=False, repaint=False)
    overrides: reactive[Overrides] = reactive(Overrides, init=False, repaint=False)
    # None until the Playground is built (after the first frame) or asked for: playground_now()
    pg_view: reactive[PlaygroundView | None] = reactive(None, init=False, repaint=False)
    pg_stale: reactive[bool] = reactive(False, init=False, repaint=False)  # changed while hidden
    show_diff: reactive[bool] = reactive(False, init=False, repaint=False)
    deploy_checks: reactive[CommandChecks | None] = reactive(None, init=False, repaint=False)
    pg_checks: reactive[CommandChecks | None] = reactive(None, init=False, repaint=False)
    srt_choice: reactive[tuple[str | None, str | None]] = reactive((None, None), init=False, repaint=False)

    def __init__(
        self,
        rules: Rules,
        *,
        detect: bool = True,
        print_on_exit: bool = False,
        remember: bool = True,
        probe_deadline: float = 60.0,
        settle_gc: bool = False,
    ):
        super().__init__()
        self.settle_gc = settle_gc
        self.probe_deadline = probe_deadline
        self.rules = rules
        self.detect = detect
        self.print_on_exit = print_on_exit
        self.remember = remember
        self.startup_problems: list[str] = []
        self._user_chose = False
        self._restored = False
        self._preselecting = False
        self._state_dirty = False
        self._build_lock = asyncio.Lock()  # the panes built after the first frame
        self.background_started = asyncio.Event()  # the workers of _after_first_frame are started
        self._state_timer: Timer | None = None
        self.env_file_broken = False
        self._state_refused = False  # a save of state.toml was refused (said once)
        clean_config_folder(config_dir())  # what a save killed midway left (it may hold HF_TOKEN)
        env = self._load_env()
        sel, framing = self._load_state()
        self.set_reactive(DSV4App.selection, sel)
        self.set_reactive(DSV4App.framing, framing)
        self.set_reactive(DSV4App.env, env)
        self.set_reactive(DSV4App.view, deploy_view(rules, sel, framing, env, None))
        self.sub_title = self._subtitle()

    # -- start-up ------------------------------------------------------------------------
    def _load_env(self) -> Env:
        placeholders = self.rules.model.placeholders
        try:
            return Env(placeholders, load_env_file(env_path(), placeholders))
        except EnvError as exc:
            self.env_file_broken = True
            self.startup_problems.append(
                "Could not use your Env file, so the defaults are in use "
                f"(the file is left untouched until you save in ⚙ Env):\n{exc}"
            )
            return Env.defaults(self.rules)

    def _load_state(self) -> tuple[Selection, str]:
        state, problem = load_state() if self.remember else ({}, None)
        if problem:
            self.startup_problems.append(f"Ignored the saved selection: {problem}")
        requested = {d: state.get(d) if isinstance(state.get(d), str) else None for d in DIMS}
        self._restored = any(requested.values())  # the user's saved choice: detection keeps it
        sel = resolve(self.rules, requested)[0] if self._restored else first_selection(self.rules)
        framing = state.get("framing") if state.get("framing") in FRAMINGS else DEFAULT_FRAMING
        return sel, framing

    # -- derived state -------------------------------------------------------------------
    def _refresh_view(self) -> None:
        self.view = deploy_view(self.rules, self.selection, self.framing, self.env, self.detection, self.srt_choice)
        self.deploy_checks = self.shown_checks(self.view.display, self.deploy_page_text())
        self._refresh_playground()

    def _refresh_playground(self) -> None:
        """Recompute the Playground's view in front; behind Deploy only mark it stale: a Deploy
        chip press costs no Playground recompute, playground_now() catches up when needed.
        Never stale in front: it hides the pane's body, a knob press would lay it all out."""
        if self.pg_view is None:  # not built yet: playground_now() computes it
            return
        if self.in_playground:
            self._recompute_playground()
        else:
            self.pg_stale = True

    def watch_selection(self) -> None:
        # The Playground base follows Deploy: picks that became hidden return to inherit.
        if not self.overrides.is_untouched():
            from ..core.playground import revert_hidden

            self.set_reactive(DSV4App.overrides, revert_hidden(self.rules, self.selection, self.overrides))
        self._refresh_view()
        if not self._preselecting:  # only what the user chose is remembered
            self._remember()

    def watch_overrides(self) -> None:
        self._refresh_playground()

    def watch_framing(self) -> None:
        self._refresh_view()
        self._remember()

    def watch_env(self) -> None:
        self._refresh_view()

    def watch_srt_choice(self) -> None:
        self._refresh_view()

    def watch_detection(self) -> None:
        self._refresh_view()
        self.sub_title = self._subtitle()

    def _subtitle(self) -> str:
        names = ["bundled" if is_bundled(s) else s for s in self.rules.sources]
        parts = [f"{self.rules.model.model.name} on SGLang", f"rules: {' + '.join(names)}"]
        if self.rules.provenance:
            parts.insert(1, self.rules.provenance)
        if self.detection is not None:
            parts.append(self.detection.label(self.rules.model.model.name))
        return " · ".join(parts)

    def _remember(self) -> None:
        """Save the selection and framing, shortly after the last change (a burst of key
        presses writes once) and when the app closes."""
        if not self.remember:
            return
        self._state_dirty = True
        if self._state_timer is not None:
            self._state_timer.stop()
        self._state_timer = self.set_timer(STATE_SAVE_DELAY, self._save_state)

    def _save_state(self) -> None:
        if not self._state_dirty:
            return
        self._state_dirty = False
        try:
            save_state({**self.selection.as_dict(), "framing": self.framing})
        except WriteProblem as exc:  # e.g. state.toml -> /dev/null: left as it is, said once
            if not self._state_refused:
                self._state_refused = True
                self.notify(f"Your selection is not remembered: {exc}", severity="warning", timeout=8)
        except OSError:
            pass  # remembering is a convenience; an unwritable folder is reported on Env save

    def on_unmount(self) -> None:
        self._save_state()
        self._unwatch_terminal()

    # -- layout --------------------------------------------------------------------------
    def get_default_screen(self) -> MainScreen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        # The first frame needs the Deploy tab only: the Playground is built right after it
        # (`_build_playground`) and the Doctor when it is first shown (`build_doctor`).
        yield TitleBar(id="title").data_bind(App.title, App.sub_title)
        yield TabBar(TABS, self.tab, id="tab-bar").data_bind(active=DSV4App.tab)
        with ContentSwitcher(id="tabs", initial=self.tab):
            with Container(id="deploy"):
                pane = DeployPane(self.rules, id="deploy-pane")
                pane.set_reactive(DeployPane.view, self.view)
                yield pane.data_bind(DSV4App.view, DSV4App.status, checks=DSV4App.deploy_checks)
            yield Container(id="playground")
            yield Container(id="doctor")
            yield Container(id="run")
        yield KeyBar(id="keys")

    def on_playground_pane_prepared(self) -> None:
        self._settle()

    def _settle(self) -> None:
        """Start-up is over (the Playground is built): what exists now lives as long as the
        app, so the garbage collector stops scanning it (`gc.freeze`) and runs again. Without
        this, a full collection of ~100 ms lands on a key press every few dozen presses.
        Only for the `dsv4` process (`run_app` turns the collector off while starting)."""
        if self.settle_gc and not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_mount(self) -> None:
        if self.watch_terminal:
            self._watch_terminal()
        if self.settle_gc:
            self.set_timer(5.0, self._settle)  # in case the Playground is never built
        for problem in self.startup_problems:
            self.notify(problem, title="dsv4", severity="error", timeout=15)
        # Focus now, synchronously: a key or a test that moves focus later always wins.
        row = self.query_one("#row-hw", ChipRow)
        option = row.selected_option()
        self.set_focus(row, scroll_visible=False)
        if option is not None:
            self.status = option.explanation
        self.start_doctor()  # the Doctor tab follows the state
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """What the first frame does not need starts once it is on the terminal: the threads
        (the checks' table, GPU detection, the box's facts) and the Playground."""
        self.build_linter()
        if self.detect:
            self.run_detection()
            self.gather_box_facts()
        self.attach_latest_run()  # a run that outlived the last app: follow it again
        self.background_started.set()
        if self.query_one("#playground", Container).is_attached:  # not when quitting already
            await self._build_playground()

    crashed = False  # Textual panicked (e.g. its input thread died): the exit code must say so

    def panic(self, *renderables) -> None:
        """Textual's fatal-error path (an unreadable byte from the terminal kills its input
        thread, Textual #6456): remember it, so `dsv4` exits 1, never 0."""
        self.crashed = True
        super().panic(*renderables)

    def pop_screen(self) -> AwaitComplete:
        """A second, late dismiss of a screen already gone (two fast clicks on the command
        palette's background) must not pop the last screen (ScreenStackError)."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete.nothing()
        return super().pop_screen()

    def on_resize(self, event) -> None:
        """Below the minimum size, say so plainly instead of drawing a broken layout."""
        from ..screens.too_small_screen import TooSmallScreen, too_small

        showing = isinstance(self.screen, TooSmallScreen)
        if too_small(event.size.width, event.size.height) and not showing:
            self.push_screen(TooSmallScreen())
        elif not too_small(event.size.width, event.size.height) and showing:
            self.pop_screen()

    # -- the status lines: this App is their only writer ----------------------------------
    def _say(self, widget: Widget, text: str) -> None:
        """Put `text` on the status line of the pane `widget` is in."""
        if any(node.id == "playground-pane" for node in widget.ancestors):
            self.pg_status = text
        else:
            self.status = text

    def on_chip_row_highlighted(self, message: ChipRow.Highlighted) -> None:
        self._say(message.row, message.option.explanation)

    def on_chip_row_hovered(self, message: ChipRow.Hovered) -> None:
        self._say(message.row, message.option.explanation)

    def on_chip_row_refused(self, message: ChipRow.Refused) -> None:
        self._say(message.row, message.option.explanation)
        self.bell()

    # -- detection -----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="detect")
    def run_detection(self) -> None:
        from ..host.detect import detect

        result = detect([(h.id, h.detect) for h in self.rules.model.hardware], timeout=2.0)
        self.call_from_thread(self.apply_detection, result.found, result.problem)

    def apply_detection(self, found: Detection | None, problem: str | None = None) -> None:
        if found is None:
            self.status = f"ⓘ {problem}" if problem else self.status
            return
        self.detection = found
        if not found.hw_id or found.hw_id == self.selection.hw or self._user_chose:
            return
        if self._restored:  # the selection saved last time wins; the warning line says why
            self.status = (
                f"{found.label()}: kept the selection you saved ({self.rules.label('hw', self.selection.hw)})."
            )
            return
        sel, _ = resolve(self.rules, {**self.selection.as_dict(), "hw": found.hw_id})
        row, previous = self.query_one("#row-hw", ChipRow), self.selection.hw
        self._preselecting = True
        try:
            self.selection = sel
        finally:
            self._preselecting = False
        if row.highlighted is not None and row.highlighted.id == previous:  # not moved by the user yet
            row.highlight(found.hw_id, quiet=True)  # Enter picks the chip preselected, not the one replaced
        self.status = f"{found.label()}: preselected {self.rules.label('hw', found.hw_id)}."

    # -- choosing ------------------------------------------------------------------------
    def on_chip_row_chosen(self, message: ChipRow.Chosen) -> None:
        if message.dim in (WORKLOAD, STRATEGY):  # the srt-slurm panel's recipe, not a dimension
            self.choose_recipe(message.dim, message.value)
        else:
            self.choose(message.dim, message.value)

    def on_playground_pane_picked(self, message) -> None:  # PlaygroundPane.Picked: imported later
        self.pick(message.key, message.choice)

    def choose(self, dim: str, value: str) -> None:
        try:
            new, changes = choose(self.rules, self.selection, dim, value)
        except NotAvailable as exc:
            self.status = f"✗ {exc}"
            return
        self._user_chose = True
        self.selection = new
        label = self.rules.label(dim, value)
        self.status = f"{label} chosen; snapped " + "; ".join(changes) + "." if changes else f"{label} chosen."

    # -- tabs ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The app's keys act on the main screen only (not behind a dialog); the Playground's
        keys are offered (and shown in the footer) only in the Playground. Over the "too
        small" screen only quitting acts: nothing (a second command palette, DuplicateIds)
        may open on top of it."""
        if not self.is_mounted:
            return True
        from ..screens.too_small_screen import TooSmallScreen

        if isinstance(self.screen, TooSmallScreen):
            return action in ("quit", "help_quit")
        own = {b.action.split("(")[0] for b in self.BINDINGS} - {"quit", "help"}
        if action in own and len(self.screen_stack) > 1:
            return False
        if action in self.PLAYGROUND_ACTIONS:
            return self.in_playground
        return True
