"""The App's command actions: framing, Copy, cURL, Env, help, exit, and the palette."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work
from textual.app import SystemCommand
from textual.screen import Screen

from ..core.env import Env, EnvError
from ..core.formats import FRAMINGS, next_framing
from ..core.srt_panel import STRATEGY, WORKLOAD
from ..core.view import unfilled
from ..host.paths import env_path
from ..widgets.toolbar import Toolbar

if TYPE_CHECKING:  # the Playground's lone ToolButton comes with its pane, after the first frame
    from ..widgets.tool_button import ToolButton


class CommandActions:
    """Mixed into the App (which owns the state these actions read and set)."""

    def current_command(self) -> str:
        """The command of the pane in front (Playground with its overrides, or Deploy)."""
        if self.in_playground and self.playground_now().result.has_base:
            return self.playground_now().result.text
        return self.view.command

    def action_toggle_framing(self) -> None:
        self.framing = next_framing(self.framing)

    def on_toolbar_pressed(self, event: Toolbar.Pressed) -> None:
        if self.press_button(event.item):
            event.stop()

    def on_tool_button_pressed(self, event: ToolButton.Pressed) -> None:
        if self.press_button(event.button.id or ""):
            event.stop()

    def press_button(self, button_id: str) -> bool:
        """A button of a command box ("deploy-copy", "pg-submit"…); False: not one of them."""
        prefix, _, what = button_id.partition("-")
        if prefix not in ("deploy", "pg"):
            return False
        kind, _, value = what.partition("-")
        if kind == "framing" and value in FRAMINGS:
            self.framing = value
            return True
        actions = {
            "copy": self.action_copy,
            "curl": self.action_curl,
            "env": self.action_env,
            "diff": self.action_toggle_diff,
            "submit": self.action_submit,
            "reset": self.action_reset_overrides,
            "sibling": self.action_switch_to_sibling,
            "checks": self.action_checks,
        }
        if what in actions:
            actions[what]()
        return True

    # -- Copy ----------------------------------------------------------------------------
    def action_copy(self) -> None:
        text = self.current_command()
        what = f"The {FRAMINGS[self.framing].label} command ({len(text.splitlines())} lines)"
        if self.view.srt_panel and not (self.in_playground and self.playground_now().result.has_base):
            what = f"The srtctl apply line of {self.recipe_label()}"  # the chosen recipe's, not the list
        self.copy_and_tell(text, "⧉ Copy", what)

    def recipe_label(self) -> str:
        """The chosen srt-slurm recipe: "8K / 1K · Balanced"."""
        return " · ".join(o.label for opts in self.view.srt_options.values() for o in opts if o.selected)

    def choose_recipe(self, dim: str, value: str) -> None:
        """A chip of the srt-slurm panel's Workload or Recipe row: the App's (workload, strategy)."""
        picked = {d: next(o.id for o in opts if o.selected) for d, opts in self.view.srt_options.items()}
        picked[dim] = value
        self.srt_choice = (picked[WORKLOAD], picked[STRATEGY])
        self.status = f"{self.recipe_label()} recipe chosen: c copies its srtctl apply line."

    def copy_and_tell(
        self, text: str, title: str, what: str, open_url: bool = False, placeholders: bool = True
    ) -> None:
        """OSC 52 now; the local clipboard and the tmux check off the UI thread, then say
        what was actually done (and, for a command, which placeholders are still to fill in)."""
        from ..host.clipboard import in_tmux

        if not in_tmux():  # inside tmux, tmux's own buffer first (off the UI thread)
            self.copy_to_clipboard(text)
        self._finish_copy(text, title, what, open_url, placeholders)

    @work(thread=True, group="copy")
    def _finish_copy(self, text: str, title: str, what: str, open_url: bool, placeholders: bool) -> None:
        from ..host.clipboard import finish_copy, has_local_clipboard

        report = finish_copy(text, lambda t: self.call_from_thread(self.copy_to_clipboard, t))
        message = f"{what}: {report.message()}."
        left = unfilled(text) if placeholders else []
        if left:
            message += f"\nFill in before running: {', '.join(left)}"
        self.call_from_thread(self.notify, message, title=title, timeout=10)
        if open_url and has_local_clipboard():
            import webbrowser

            webbrowser.open(text)

    # -- cURL, Env, help -------------------------------------------------------------------
    def action_curl(self) -> None:
        from ..screens.curl_screen import CurlScreen

        host, port, followed = self.env.probe_target()
        curl = self.view.curl
        if self.in_playground and self.playground_now().result.router:  # PD: the cURL goes to the router
            curl, port, followed = self.playground_now().result.curl, str(self.rules.playground.pd.router_port), None
        source = f"from {followed}" if followed else ""
        deadline = getattr(self, "probe_deadline", 60.0)
        self.push_screen(CurlScreen(curl, host, port, self.view.model_name, source=source, deadline=deadline))

    def action_env(self) -> None:
        from ..screens.env_screen import EnvScreen

        path = env_path()
        text, problem = self.env.to_toml(str(path)), None
        if self.env_file_broken:
            from ..host.files import ReadProblem, read_text

            try:
                text = read_text(path)
                problem = "This file has problems; fix them and save:\n" + "\n".join(self.startup_problems[:1])
            except (OSError, ReadProblem):
                pass
        self.push_screen(EnvScreen(text, path, self.rules.model.placeholders, problem, self.env), self._env_saved)

    def _env_saved(self, edit) -> None:
        from ..host.envfile import save_env_text
        from ..host.files import write_target

        if edit is None:
            return
        self.env = Env(self.rules.model.placeholders, edit.overrides)
        path = env_path()
        try:
            save_env_text(path, edit.text, self.rules.model.placeholders)
        except (OSError, EnvError) as exc:
            self.notify(
                f"Env applied for this session but NOT saved: {exc}", title="⚙ Env", severity="error", timeout=10
            )
            return
        self.env_file_broken = False
        written = write_target(path)
        through = f" (through the link {path})" if written != path else ""
        self.notify(f"Saved to {written}{through}", title="⚙ Env")

    def action_help(self) -> None:
        from ..screens.help_screen import HelpScreen

        self.push_screen(HelpScreen(self.key_table()))

    def key_table(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every binding of the chips and the app, for the help."""
        from textual.binding import Binding

        from ..widgets.chips import ChipRow
        from ..widgets.doctor_pane import DoctorPane

        focus_and_close = [
            Binding("tab,shift+tab", "focus", tooltip="the next / previous row, button or checks line"),
            Binding("escape", "close", tooltip="close a dialog (Env, Export, cURL, checks, help)"),
        ]
        rows = []
        for binding in [*ChipRow.BINDINGS, *focus_and_close, *self.BINDINGS, *DoctorPane.BINDINGS]:
            keys = [self.get_key_display(Binding(k.strip(), binding.action)) for k in binding.key.split(",")]
            rows.append((" / ".join(keys), binding.tooltip or binding.description))
        return rows

    # -- leaving ---------------------------------------------------------------------------
    def action_exit_print(self) -> None:
        self.exit(self.current_command())

    async def action_quit(self) -> None:
        self.exit(self.current_command() if self.print_on_exit else None)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)  # type: ignore[misc]
        yield SystemCommand("Copy command", "Copy the current command (OSC 52)", self.action_copy)
        yield SystemCommand("Toggle the framing", "Python / Docker", self.action_toggle_framing)
        yield SystemCommand("cURL probe", "Show and run the cURL probe", self.action_curl)
        yield SystemCommand("Edit Env", "Edit the placeholders as TOML", self.action_env)
        yield SystemCommand("Deploy pane", "Show the Deploy pane", lambda: self.run_action("show_tab('deploy')"))
        yield SystemCommand(
            "Playground pane", "Show the Playground pane", lambda: self.run_action("show_tab('playground')")
        )
        yield SystemCommand(
            "Doctor pane", "Will this command run on this box?", lambda: self.run_action("show_tab('doctor')")
        )
        yield SystemCommand("Run pane", "The server started on this box", lambda: self.run_action("show_tab('run')"))
        yield SystemCommand("▶ Run", "Start the command in front on this box (asks first)", self.action_run)
        yield SystemCommand(
            "Doctor: run the checks again", "Run every check of this box again", self.action_doctor_rerun
        )
        yield SystemCommand("Playground: diff ⇄ plain", "Show the diff against the base", self.action_toggle_diff)
        yield SystemCommand("Playground: reset overrides", "Back to the Deploy cell", self.action_reset_overrides)
        yield SystemCommand(
            "Playground: Submit ↗", "Pre-filled issue link for a Not Verified result", self.action_submit
        )
        yield self.export_system_command()
        yield SystemCommand("Checks", "The findings of the command and their fixes", self.action_checks)
        yield SystemCommand("Exit and print", "Quit and print the command to stdout", self.action_exit_print)
        yield SystemCommand("Help", "Keys, copying inside tmux, files", self.action_help)
