"""The App's Playground actions: pick a knob, reset, diff, switch to a sibling cell, Submit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.playground import Overrides
from ..core.view import PlaygroundView, playground_view

if TYPE_CHECKING:
    from ..screens.submit_screen import SubmitRequest

PLAYGROUND_HINT = "Overrides apply on top of the Deploy cell; the diff shows what changed."


class PlaygroundActions:
    """Mixed into the App (which owns `overrides`, `show_diff`, `pg_view` and `pg_status`)."""

    def playground_now(self) -> PlaygroundView:
        """The Playground's view, computed now if nothing has needed it yet or it is stale.
        The start-up leaves it to after the first frame."""
        if self.pg_view is None or self.pg_stale:
            self._recompute_playground()
        return self.pg_view

    def _recompute_playground(self) -> None:
        view = playground_view(self.rules, self.selection, self.overrides, self.framing, self.env)
        self.pg_view = view = view if self.pg_view is None else self.gated(view)  # the options the lint refuses
        self.pg_checks = self.playground_checks(view)
        self.pg_stale = False

    def pick(self, key: str, choice: str) -> None:
        """Set one Playground knob (by Overrides field or CLI key) to a choice id.
        A greyed choice is refused with its reason, as its chip would."""
        from ..core.playground import UnknownChoice, knob_view, set_choice, slot_for

        slot = slot_for(self.rules.playground, key)
        if slot is not None:
            found = knob_view(self.rules, self.selection, self.overrides, slot.key).choice(choice)
            why = found.reason if found is not None and found.disabled else None
            if found is not None and why is None:
                why = self.refused_now(slot.key, choice)  # a command SGLang refuses: not built
            if found is not None and (found.disabled or why is not None):
                self.pg_status = f"✗ {found.label}: {why}"
                self.notify(f"{found.label}: {why}", title="Not available", severity="warning")
                return
        try:
            self.overrides = set_choice(self.rules, self.overrides, key, choice)
        except UnknownChoice as exc:
            self.notify(str(exc), severity="error")

    def action_reset_overrides(self) -> None:
        self.overrides = Overrides()
        self.pg_status = PLAYGROUND_HINT

    def action_jump_command(self) -> None:
        from ..widgets.playground_pane import PlaygroundPane

        self.query_one("#playground-pane", PlaygroundPane).jump()

    def action_toggle_diff(self) -> None:
        self.show_diff = not self.show_diff

    def action_switch_to_sibling(self) -> None:
        strategy = self.playground_now().result.matched_strategy
        if strategy:
            self.selection = self.selection.with_(strategy=strategy)
            self.overrides = Overrides()
            self.status = f"Deploy switched to the verified {strategy} cell."
            self.notify(f"Deploy now shows the verified {strategy} cell; overrides reset.", title="Playground")

    def action_submit(self) -> None:
        from ..core.submit import combination
        from ..screens.submit_screen import SubmitScreen

        if not self.in_playground:
            self.notify("Submit ↗ proposes a Playground result: press 2 for the Playground.", severity="warning")
            return
        if not self.playground_now().result.can_submit:
            self.notify("Nothing to submit: the result is a verified cell (or there is no base).", severity="warning")
            return
        checks = self.pg_checks
        warning = None
        if checks is not None and checks.level == "error":
            errors = [f for f in checks.findings if f.level == "error"]
            warning = (
                f"⚠ The checks find {len(errors)} error(s) in this command ({', '.join(f.id for f in errors)}): "
                "SGLang would refuse it. Press l to see them; submit only what you ran."
            )
        self.push_screen(SubmitScreen(combination(self.selection), warning), self._submitted)

    def _submitted(self, request: SubmitRequest | None) -> None:
        if request is None:
            return
        if request.action == "save":
            self._save_as_my_cell()
            return
        from ..core.playground import playground

        url = playground(
            self.rules,
            self.selection,
            self.overrides,
            self.framing,
            self.env.subst(),
            sglang_version=request.sglang_version,
            bench_result=request.bench_result,
            notes=request.notes,
        ).submit_url
        if url:
            self.copy_and_tell(url, "Submit ↗", f"The issue link ({len(url)} characters)", open_url=True)

    def _save_as_my_cell(self) -> None:
        from ..host.paths import user_rules_dir
        from ..host.user_cells import save_user_cell

        result = self.playground_now().result
        try:
            path = save_user_cell(self.rules, self.selection, result.env, result.flags, user_rules_dir())
        except (OSError, ValueError) as exc:
            self.notify(f"Not saved: {exc}", title="Save as my cell", severity="error", timeout=10)
            return
        self.notify(
            f"Saved to {path} (Not Verified, derived from {self.selection.text}). "
            "It replaces that cell in Deploy from the next start; delete it there to undo.",
            title="Save as my cell",
            timeout=10,
        )
