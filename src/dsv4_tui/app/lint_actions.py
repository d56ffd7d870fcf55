"""The App's lint actions: the checks of the command in front, and applying a suggested fix.

The Linter is built once in a thread at start-up (the SGLang table installed here, or the
bundled one); until it is ready the checks line says so. Checks are computed with the views,
from the exact text on screen (a chip press costs a fraction of a millisecond more).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from functools import cached_property
from time import perf_counter
from typing import TYPE_CHECKING

from textual import work

from ..core.checks_view import CommandChecks, command_checks, with_runs_on
from ..core.playground import Overrides

if TYPE_CHECKING:
    from ..core.lint import Fix

CHECKS_MEMO = 64  # commands whose checks are remembered
GATE_STEP_S = 0.004  # the option gate works this long at a time, then lets key presses in
GATES_KEPT = 64  # states whose refused options are remembered
GATE_START_S = 1 / 60  # the gate starts a frame after the press (the press is drawn by then)


class LintActions:
    """Mixed into the App (which owns `deploy_checks`, `pg_checks` and the views)."""

    linter = None
    lint_label = ""
    version_linters: tuple = ()  # (version, Linter) per bundled SGLang table: "runs on SGLang …"

    @cached_property
    def _checks_memo(self) -> dict:
        """(linter, selection, text, page text) -> CommandChecks; the UI thread's only."""
        return {}

    @work(thread=True, exclusive=True, group="lint")
    def build_linter(self) -> None:
        from ..host.lint_setup import make_linter, with_versions

        try:
            choice = with_versions(self.rules, make_linter(self.rules))
        except Exception as exc:  # a broken table must not break the app: say so, keep going
            self.call_from_thread(self.notify, f"The checks are off: {exc}", title="Checks", severity="warning")
            return
        self.call_from_thread(self._linter_ready, choice)

    def _linter_ready(self, choice) -> None:
        self.linter, self.lint_label, self.version_linters = choice.linter, choice.label, choice.versions
        if choice.notice:
            self.notify(choice.notice, title="Checks", severity="warning", timeout=10)
        self.refresh_checks()

    def checks_of(self, text: str, page_text: str | None = None) -> CommandChecks | None:
        """The checks of `text` for the current selection, remembered for the last few
        commands (a press back to a command seen before lints nothing; per-option checks on
        the press path go through here too, so each distinct command is linted once)."""
        if self.linter is None or not text:
            return None
        key = (self.linter, self.selection, text, page_text)
        return self._remembered(key, lambda: command_checks(self.linter, self.rules, self.selection, text, page_text))

    def _remembered(self, key: tuple, work) -> CommandChecks:
        """`work()`'s result for `key`, from the memo of the last CHECKS_MEMO ones."""
        memo = self._checks_memo
        if key not in memo:
            if len(memo) >= CHECKS_MEMO:
                del memo[next(iter(memo))]  # the oldest first
            memo[key] = work()
        return memo[key]

    def shown_checks(self, text: str, page_text: str | None = None) -> CommandChecks | None:
        """The checks line's checks: `checks_of` and the bundled SGLang versions the command
        runs on, worked out together, so that the line is drawn once per press (the versions
        added a moment later made it one line, then two, and the column was laid out twice)."""
        checks = self.checks_of(text, page_text)
        if checks is None or not self.version_linters:
            return checks
        key = ("runs-on", self.version_linters, self.selection, text, page_text)
        return self._remembered(
            key, lambda: with_runs_on(checks, self.version_linters, self.rules, self.selection, text)
        )

    def deploy_page_text(self) -> str | None:
        """The Deploy command when it is the page's own (a verified cell), else None."""
        cell = self.rules.cell(self.selection)
        return self.view.display if cell is not None and cell.verified else None

    def playground_page_text(self, view) -> str | None:
        """The Playground's base command when it is a verified cell of the page, else None."""
        base = view.result.base
        return view.result.base_text if base is not None and base.verified else None

    def playground_checks(self, view) -> CommandChecks | None:
        """The checks of the Playground's command (None without a base command)."""
        if view is None or not view.result.has_base:
            return None
        return self.shown_checks(view.display, self.playground_page_text(view))

    def refresh_checks(self) -> None:
        self.deploy_checks = self.shown_checks(self.view.display, self.deploy_page_text())
        self.refresh_gate()
        self.pg_checks = self.playground_checks(self.pg_view)

    # -- the options the lint refuses (core/option_gate.py) -------------------------------
    _gate_job = None  # the Gate being computed, in steps between key presses
    _gate_done: OrderedDict | None = None  # (selection, overrides) -> the refused options

    def gated(self, view):
        """`view` with the options whose pick the lint refuses greyed, with the rule's reason.
        Known for this state: at once. Else computed in steps of a few ms once the press is
        drawn, while the Playground is in front, and shown when done (`pick` checks a pick at
        once). Steps queued at once ran before the frame: a press on a new state waited the
        whole gate (about 12 ms) to be drawn."""
        if self.linter is None or view is None or not view.result.has_base:
            return view
        from ..core.option_gate import Gate, gated_cards

        done = self._gate_done if self._gate_done is not None else OrderedDict()
        self._gate_done = done
        key = (view.selection, view.result.overrides)
        if key in done:
            done.move_to_end(key)
            return replace(view, cards=gated_cards(view.cards, done[key]))
        if self.in_playground and (self._gate_job is None or self._gate_job[0] != key):
            gate = Gate(self.rules, self.linter, view.selection, view.result.overrides, view.cards)
            self._gate_job = (key, gate)
            # The press is drawn first, then the gate works between frames: a frame later, and
            # then after any refresh still pending (`call_after_refresh` alone could run before
            # the press's widgets had asked for theirs).
            self.set_timer(GATE_START_S, lambda: self.call_after_refresh(self._gate_steps, key, gate))
        return view

    def refresh_gate(self) -> None:
        if self.pg_view is not None:
            self.pg_view = self.gated(self.pg_view)

    def _gate_steps(self, key, gate) -> None:
        if self._gate_job is None or self._gate_job[1] is not gate:
            return  # the state changed: a newer gate runs
        until = perf_counter() + GATE_STEP_S
        while not gate.done and perf_counter() < until:
            gate.step()
        if not gate.done:
            self.call_after_refresh(self._gate_steps, key, gate)  # a key pressed meanwhile goes first
            return
        self._gate_job = None
        done = self._gate_done
        done[key] = gate.refused
        while len(done) > GATES_KEPT:
            done.popitem(last=False)
        self.refresh_gate()

    def refused_now(self, key: str, choice: str) -> str | None:
        """Why the lint refuses picking `choice` on knob `key` now (None: it does not)."""
        view = self.pg_view
        if self.linter is None or view is None or not view.result.has_base:
            return None
        from ..core.option_gate import refusal

        done = self._gate_done or {}
        state = (view.selection, view.result.overrides)
        if state in done:
            return done[state].get((key, choice))
        job = self._gate_job
        if job is not None and job[0] == state:  # the gate of this state is under way: its own answer
            return job[1].refusal(key, choice)
        return refusal(self.linter, self.rules, view.selection, view.result.overrides, key, choice)

    def current_checks(self) -> CommandChecks | None:
        return self.pg_checks if self.in_playground else self.deploy_checks

    def on_checks_line_pressed(self, message) -> None:
        self.action_checks()

    def action_checks(self) -> None:
        from ..screens.findings_screen import FindingsScreen

        checks = self.current_checks()
        if checks is None:
            self.notify("The checks are still loading the SGLang flag table.", title="Checks")
            return
        can_fix = self.playground_now().result.has_base
        self.push_screen(FindingsScreen(checks, can_fix, self.in_playground), self._fix_chosen)

    def _fix_chosen(self, fix: Fix | None) -> None:
        if fix is not None:
            self.apply_fix(fix)

    def apply_fix(self, fix: Fix) -> None:
        """The fix becomes a Playground override (from Deploy: the Playground opens with it)."""
        result = self.playground_now().result
        if not result.has_base or self.linter is None:
            self.notify("This selection has no single base command to change.", severity="warning")
            return
        base = self.overrides if self.in_playground else Overrides()
        flags = list(result.flags) if self.in_playground else list(result.base.flags if result.base else [])
        edits = tuple(
            (e.op, self.linter.literal_name(flags, e.name) if e.op.endswith("_flag") else e.name, e.value)
            for e in fix.edits
        )
        self.overrides = base.with_(edits=base.edits + edits)
        self.pg_status = f"Applied: {fix.label} ({fix.describe()})"
        if not self.in_playground:
            self.call_later(self.action_show_tab, "playground")
