"""The App's Doctor actions (the Doctor tab: will this command run on this box?).

The App owns `doctor_view` (bound to the pane). A run takes the App's state as it is (the
selection, framing, Env and overrides, all immutable), builds the request and runs the
checks in a thread worker; each result is handed back as it arrives. It runs when the tab
is shown the first time, again when it is shown after the state changed, and, while the
tab is in front, shortly after the state changes (a burst of changes makes one run). A new
run cancels the one before it (its tools are killed); no key press ever waits for one.

At start-up (with detection on) the box's InfiniBand devices and the host ratio its RAM
fits are read once, off the UI thread, and laid over the Playground's rules: its IB-device
chips then offer this box's devices, and that ratio is preselected.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual import work
from textual.containers import Container
from textual.reactive import reactive
from textual.timer import Timer

from ..core.env import Env
from ..core.frozen import frozen
from ..core.playground import BoxFacts, Overrides
from ..core.rules import Rules
from ..core.selection import Selection
from ..host.paths import cache_dir

if TYPE_CHECKING:  # the Doctor's modules are imported when it first runs, not at start-up
    from ..host.doctor import CheckResult, DoctorContext
    from ..host.doctor.request import SglangLinters
    from ..widgets.doctor_pane import DoctorPane, DoctorView

DOCTOR_TAB = "doctor"


@frozen
class DoctorInputs:
    """The App's state a run checks (immutable: safe to hand to a worker thread)."""

    rules: Rules
    selection: Selection
    framing: str
    env: Env
    overrides: Overrides


class DoctorActions:
    """Mixed into the App (which owns the selection, framing, Env and overrides)."""

    # None until the Doctor is first built or run: its pane's module loads then, not at start-up.
    doctor_view: reactive[DoctorView | None] = reactive(None, init=False, repaint=False)
    DOCTOR_DEBOUNCE = 0.3  # seconds of quiet after a change before the visible Doctor runs again
    doctor_context: DoctorContext | None = None  # where the checks look; None: this process's environment
    box: BoxFacts = BoxFacts()  # what start-up found on this box (IB devices, host ratio)
    _doctor_cancel: threading.Event | None = None
    _doctor_generation = 0
    _doctor_stale = True  # the state changed since the last run (or nothing has run yet)
    _doctor_timer: Timer | None = None
    _doctor_lint: SglangLinters | None = None

    _doctor_build_lock: asyncio.Lock | None = None

    def compose_doctor(self) -> Iterator[DoctorPane]:
        from ..widgets.doctor_pane import DoctorPane

        pane = DoctorPane(id="doctor-pane")
        pane.set_reactive(DoctorPane.view, self.doctor_view)
        yield pane.data_bind(view=DoctorActions.doctor_view)

    async def build_doctor(self) -> None:
        """Mount the Doctor pane, the first time its tab is shown (not at start-up)."""
        if self._doctor_build_lock is None:
            self._doctor_build_lock = asyncio.Lock()
        async with self._doctor_build_lock:
            if not self.query("#doctor-pane"):
                if self.doctor_view is None or not self.doctor_view.rows:
                    from ..widgets.doctor_pane import DoctorView

                    self.doctor_view = DoctorView.planned()
                await self.query_one(f"#{DOCTOR_TAB}", Container).mount_all(self.compose_doctor())

    def start_doctor(self) -> None:
        """Called once the App is mounted: follow the state and the tabs."""
        for name in ("selection", "framing", "env", "overrides"):
            self.watch(self, name, self._doctor_inputs_changed, init=False)
        self.watch(self, "tab", self._doctor_tab_shown, init=False)

    @property
    def doctor_visible(self) -> bool:
        return self.tab == DOCTOR_TAB

    # -- when to run ---------------------------------------------------------------------
    def _doctor_inputs_changed(self) -> None:
        self._doctor_stale = True
        if self.doctor_visible:
            if self._doctor_timer is not None:
                self._doctor_timer.stop()
            self._doctor_timer = self.set_timer(self.DOCTOR_DEBOUNCE, self.run_doctor)

    async def _doctor_tab_shown(self, active: str) -> None:
        if active == DOCTOR_TAB:
            await self.build_doctor()  # shown by a click on its tab: the key builds it first
            if self._doctor_stale:
                self.run_doctor()

    def on_doctor_pane_rerun_requested(self, message: DoctorPane.RerunRequested) -> None:
        self.run_doctor()

    async def action_doctor_rerun(self) -> None:
        """Show the Doctor and run its checks again (the palette's entry; `r` in the tab)."""
        generation = self._doctor_generation
        await self.action_show_tab(DOCTOR_TAB)  # type: ignore[attr-defined]
        if self._doctor_generation == generation:  # showing it did not start a run
            self.run_doctor()

    # -- running -------------------------------------------------------------------------
    def run_doctor(self) -> None:
        """Start a run for the current state; the one still running is cancelled."""
        if self._doctor_timer is not None:
            self._doctor_timer.stop()
            self._doctor_timer = None
        self.stop_doctor()
        self._doctor_generation += 1
        self._doctor_cancel = cancel = threading.Event()
        self._doctor_stale = False
        from ..host.doctor.request import SglangLinters, subject
        from ..widgets.doctor_pane import DoctorView

        if self._doctor_lint is None:
            self._doctor_lint = SglangLinters(cache_dir() / "sglang")
        inputs = DoctorInputs(self.rules, self.selection, self.framing, self.env, self.overrides)
        self.doctor_view = (self.doctor_view or DoctorView.empty()).started(
            subject(self.rules, self.selection, self.framing, self.overrides)
        )
        self._doctor_worker(inputs, cancel, self._doctor_generation)

    def stop_doctor(self) -> None:
        """Cancel the run under way, if any: its tools are killed, its results dropped."""
        if self._doctor_cancel is not None:
            self._doctor_cancel.set()

    def on_unmount(self) -> None:
        self.stop_doctor()  # the app is closing: no tool outlives it

    @work(thread=True, exclusive=True, group="doctor", exit_on_error=False)
    def _doctor_worker(self, inputs: DoctorInputs, cancel: threading.Event, generation: int) -> None:
        """Results go to the UI thread as they arrive; a stale run's are dropped there (by
        `generation`), and `cancel` stops its tools (iter_doctor also sets it when done)."""
        from ..host.doctor import iter_doctor
        from ..host.doctor.request import build_request

        try:
            request = build_request(
                inputs.rules,
                inputs.selection,
                framing=inputs.framing,
                env=inputs.env,
                overrides=inputs.overrides,
                lint=self._doctor_lint,
            )
            for result in iter_doctor(request, self.doctor_context, cancel=cancel):
                if not self._doctor_hand_over(cancel, self._doctor_result, generation, result):
                    return
        except Exception as exc:  # a bug must not take the app down: show it in the pane
            self._doctor_hand_over(cancel, self._doctor_finished, generation, f"{type(exc).__name__}: {exc}")
            return
        self._doctor_hand_over(cancel, self._doctor_finished, generation, "")

    def _doctor_hand_over(self, cancel: threading.Event, callback: Callable, *args: object) -> bool:
        """Run `callback(*args)` on the UI thread; False (and the run stopped) once the app is gone."""
        try:
            self.call_from_thread(callback, *args)
        except Exception:  # the app closed under us
            cancel.set()
            return False
        return True

    def _doctor_result(self, generation: int, result: CheckResult) -> None:
        if generation == self._doctor_generation:
            self.doctor_view = self.doctor_view.with_result(result)

    def _doctor_finished(self, generation: int, problem: str) -> None:
        if generation == self._doctor_generation:
            self.doctor_view = self.doctor_view.finished(f"the checks could not run: {problem}" if problem else "")

    # -- the box, for the Playground -----------------------------------------------------
    @work(thread=True, group="box-facts", exit_on_error=False)
    def gather_box_facts(self) -> None:
        from ..host.doctor.request import box_facts

        found = box_facts(self.rules, self.doctor_context)
        try:
            self.call_from_thread(self.apply_box_facts, found)
        except Exception:  # the app closed first
            pass

    def apply_box_facts(self, found: BoxFacts) -> None:
        """Offer this box's IB devices and preselect the host ratio its RAM fits (the
        Playground's untouched command stays the same)."""
        from ..core.playground import rules_on_box

        self.box = found
        picked = self.overrides.pd_ib_device
        rules = rules_on_box(self.rules, found, keep=(picked,) if picked else ())
        if rules is not self.rules:
            self.rules = rules
            self._refresh_playground()
