"""The App's Run actions (tab 4): start the command in front on this box, follow it, stop it.

The App owns `run_view` (bound to the Run pane). ▶ Run (`g`) takes the command of the pane
in front, exactly as shown, and checks it off the UI thread: placeholders, nodes, the port
and the runs recorded here refuse it; a lint error or a Doctor fail asks a second time (so
do checks that could not run; before the App's checks are ready, the worker lints the text
itself). It asks before starting. Following is a thread worker that reads the log from an offset
(constant memory), asks /health, runs the probe once, then /metrics every 2 s, and hands
each new view to the UI thread. At start-up the App re-attaches to a run still alive.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import work
from textual.containers import Container
from textual.reactive import reactive

from ..core.frozen import frozen

if TYPE_CHECKING:
    from ..core.run.preflight import Preflight
    from ..core.run.view import RunView
    from ..host.runs.store import RunRecord
    from ..widgets.run_pane import RunPane

RUN_TAB = "run"
RECENT_S = 24 * 3600  # a run that ended less than this ago is shown at start-up


@frozen
class StartPlan:
    """What ▶ Run decided on (built in a worker, confirmed on the UI thread)."""

    text: str
    preflight: Preflight
    record: RunRecord | None  # None when refused


@frozen
class _Lint:
    """The lint of the command ▶ Run was given: its errors, or None when the App's checks
    were not ready (the worker runs them), and the page text they compare against."""

    errors: list[str] | None
    page_text: str | None


def _errors(checks) -> list[str]:
    return [f"{f.id}: {f.message}" for f in checks.findings if f.level == "error"] if checks else []


class RunActions:
    """Mixed into the App (which owns the selection, framing, Env, overrides and checks)."""

    # None until the Run tab is first built or a run is followed: its modules (core/run/) load
    # then, not at start-up (a default computed by a function runs when the App mounts).
    run_view: reactive[RunView | None] = reactive(None, init=False, repaint=False)
    run_record: RunRecord | None = None
    _run_cancel: threading.Event | None = None

    async def build_run(self) -> None:
        if self.query("#run-pane"):
            return
        run = self.rules.run
        phases = [(p.id, p.label) for p in run.phase] if run else []
        from ..widgets.run_pane import RunPane

        if self.run_view is None:  # no run yet
            from ..core.run.view import RunView

            self.set_reactive(RunActions.run_view, RunView())
        pane = RunPane(phases, id="run-pane")
        pane.set_reactive(RunPane.view, self.run_view)
        await self.query_one(f"#{RUN_TAB}", Container).mount(pane.data_bind(view=RunActions.run_view))

    # -- start ---------------------------------------------------------------------------
    def action_run(self) -> None:
        """▶ Run: check the command in front, then ask, then start it."""
        text = self.current_command()
        checks = self.current_checks()
        lint = _Lint(_errors(checks) if self.linter is not None else None, self._lint_page_text())
        overrides = self.overrides if self.in_playground else None
        several = bool(self.in_playground and self.playground_now().result.router)
        self.notify("Checking the command and this box before starting…", title="▶ Run", timeout=4)
        self._plan_worker(text, lint, overrides, several)

    def _lint_page_text(self) -> str | None:
        return self.playground_page_text(self.pg_view) if self.in_playground else self.deploy_page_text()

    def on_run_pane_start_requested(self, message: RunPane.StartRequested) -> None:
        self.action_run()

    @work(thread=True, exclusive=True, group="run-plan", exit_on_error=False)
    def _plan_worker(self, text: str, lint: _Lint, overrides, several: bool) -> None:
        from ..host.doctor import run_doctor
        from ..host.doctor.request import build_request
        from ..host.runs.session import check_start, make_record

        sel, framing = self.selection, self.framing
        lint_errors = lint.errors if lint.errors is not None else self._lint_now(sel, text, lint.page_text)
        try:
            request = build_request(
                self.rules, sel, framing=framing, env=self.env, overrides=overrides, lint=self._doctor_lint
            )
            results = run_doctor(request, self.doctor_context)
            fails = [f"{r.id}: {r.message}" for r in results if r.status == "fail"]
            pre = check_start(self.rules, sel, text, several_roles=several, lint_errors=lint_errors, doctor_fails=fails)
            secrets = {self.env.get(k): masked for k, masked in self.env.secrets().items()}
            record = None if pre.refused else make_record(self.rules, sel, framing, text, secrets=secrets)
        except Exception as exc:  # a bug must not take the app down
            self.call_from_thread(self.notify, f"Could not check the command: {exc}", title="▶ Run", severity="error")
            return
        self.call_from_thread(self._plan_ready, StartPlan(text, pre, record))

    def _lint_now(self, sel, text: str, page_text: str | None) -> list[str]:
        """The checks of `text` when the App's own are not ready yet (its table still loading
        at start-up, or it failed): built here, off the UI thread. When they cannot run, that
        itself needs the second confirmation: the command was not checked."""
        from ..core.checks_view import command_checks
        from ..host.lint_setup import make_linter

        try:
            linter = make_linter(self.rules).linter
            return _errors(command_checks(linter, self.rules, sel, text, page_text))
        except Exception as exc:  # a broken table: say so, ask again
            return [f"the checks could not run: {type(exc).__name__}: {exc}"]

    def _plan_ready(self, plan: StartPlan) -> None:
        from ..screens.confirm_screen import ConfirmScreen

        if plan.record is None:
            self.notify(
                "Not started:\n" + "\n".join(f"• {r}" for r in plan.preflight.refused),
                title="▶ Run",
                severity="error",
                timeout=15,
            )
            return
        first = plan.record.command.strip().splitlines()  # secrets masked
        shown = "\n".join(first[:6]) + ("\n…" if len(first) > 6 else "")
        question = f"Start this command on this box (port {plan.record.port})?\n\n{shown}"

        def answered(yes: bool | None) -> None:
            if not yes:
                self._discard(plan.record)
                return
            if plan.preflight.confirm:
                again = "These checks fail:\n" + "\n".join(f"• {c}" for c in plan.preflight.confirm[:6])
                self.push_screen(
                    ConfirmScreen(again + "\n\nStart anyway?", yes="Start anyway"),
                    lambda yes2: self._start(plan.record, plan.text) if yes2 else self._discard(plan.record),
                )
            else:
                self._start(plan.record, plan.text)

        self.push_screen(ConfirmScreen(question, yes="Start"), answered)

    @staticmethod
    def _discard(record: RunRecord | None) -> None:
        import contextlib

        if record is not None:
            with contextlib.suppress(OSError):
                record.folder.rmdir()  # the id's empty folder

    @work(thread=True, exclusive=True, group="run-start", exit_on_error=False)
    def _start(self, record: RunRecord, text: str) -> None:
        from ..host.runs.launch import StartError, start

        try:
            started = start(record, text)
        except (StartError, OSError) as exc:
            self.call_from_thread(self.notify, f"Could not start: {exc}", title="▶ Run", severity="error")
            return
        self.call_from_thread(self._started, started)

    async def _started(self, record: RunRecord) -> None:
        where = f"tmux window {record.window}" if record.launcher == "tmux" else "its own session"
        self.notify(f"Started {record.id} in {where}; log: {record.log}", title="▶ Run", timeout=8)
        self.follow_run(record)
        await self.action_show_tab(RUN_TAB)

    # -- follow --------------------------------------------------------------------------
    def follow_run(self, record: RunRecord) -> None:
        self.stop_following()
        self.run_record = record
        self._run_cancel = cancel = threading.Event()
        self._follow_worker(record, cancel)

    def stop_following(self) -> None:
        if self._run_cancel is not None:
            self._run_cancel.set()

    @work(thread=True, group="run-follow", exit_on_error=False)
    def _follow_worker(self, record: RunRecord, cancel: threading.Event) -> None:
        from ..host.runs.follower import METRICS_EVERY, POLL, Follower

        follower = Follower(self.rules, record, probe_deadline=getattr(self, "probe_deadline", 30.0))
        while not cancel.is_set():
            view = follower.step()
            try:
                self.call_from_thread(self._run_view_arrived, cancel, view)
            except Exception:  # the app closed under us
                return
            if view.state != "running":
                return
            cancel.wait(METRICS_EVERY if view.sample is not None else POLL)

    def _run_view_arrived(self, cancel: threading.Event, view: RunView) -> None:
        if not cancel.is_set():
            self.run_view = view

    @work(thread=True, group="run-attach", exit_on_error=False)
    def attach_latest_run(self) -> None:
        """At start-up: follow the newest run that is still alive (it survived the last app),
        else show the newest one if it ended within RECENT_S (why did it stop?)."""
        import time

        from ..host.runs.store import all_runs, is_running

        runs = all_runs()
        alive = [r for r in runs if is_running(r)]
        recent = [r for r in runs if time.time() - r.started < RECENT_S]
        chosen = alive[-1] if alive else recent[-1] if recent else None
        if chosen is not None:
            try:
                self.call_from_thread(self.follow_run, chosen)
            except Exception:
                pass

    # -- stop, fix -----------------------------------------------------------------------
    def on_run_pane_stop_requested(self, message: RunPane.StopRequested) -> None:
        from ..screens.confirm_screen import ConfirmScreen

        record = self.run_record
        if record is None:
            return
        self.push_screen(
            ConfirmScreen(f"Stop run {record.id} on port {record.port}? (SIGTERM, then SIGKILL)", yes="Stop"),
            lambda yes: self._stop_worker(record) if yes else None,
        )

    @work(thread=True, group="run-stop", exit_on_error=False)
    def _stop_worker(self, record: RunRecord) -> None:
        from ..host.runs.launch import stop

        said = stop(record)
        self.call_from_thread(self.notify, f"{record.id}: {said}", title="■ Stop")

    def on_run_pane_fix_requested(self, message: RunPane.FixRequested) -> None:
        failure = self.run_view.failure if self.run_view is not None else None
        if failure is not None and failure.override is not None:
            self.apply_fix(failure.override)

    def on_unmount(self) -> None:
        self.stop_following()
