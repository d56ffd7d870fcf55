"""The `dsv4` Textual app: one state owner (this App), panes derived from it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterable

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, TabbedContent, TabPane

from .clipboard import copy_text
from .core.env import Env, EnvError, atomic_write, env_path, load_env_file, load_state, save_state
from .core.rules import DIMS, Rules
from .core.selection import NotAvailable, Selection, choose, first_selection, resolve
from .core.playground import KNOB_BY_KEY, Overrides, UnknownChoice, knob_view, revert_hidden, set_choice
from .core.view import DeployView, PlaygroundView, deploy_view, playground_view
from .widgets.chips import Chip, ChipRow
from .widgets.deploy_pane import DeployPane
from .widgets.playground_pane import PlaygroundPane


class DSV4App(App[str | None]):
    """State: selection, framing, env, detection. Everything on screen derives from `view`."""

    CSS_PATH = "dsv4.tcss"
    TITLE = "dsv4"
    ENABLE_COMMAND_PALETTE = True
    AUTO_FOCUS = None  # the selected hardware chip gets focus once the panes are built

    BINDINGS = [
        Binding("p", "toggle_framing", "Python⇄Docker"),
        Binding("c", "copy", "Copy"),
        Binding("u", "curl", "cURL"),
        Binding("e", "env", "Env"),
        Binding("1", "show_tab('deploy')", "Deploy", show=False),
        Binding("2", "show_tab('playground')", "Playground", show=False),
        Binding("d", "toggle_diff", "Diff", show=False),
        Binding("s", "submit", "Submit", show=False),
        Binding("x", "exit_print", "Exit+print"),
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    # repaint=False: the app's state repaints nothing itself (the bound widgets refresh what
    # changed); the default would repaint the whole screen — every byte of it — on each change.
    selection: reactive[Selection] = reactive(None, init=False, repaint=False, always_update=False)  # type: ignore[arg-type]
    framing: reactive[str] = reactive("python", init=False, repaint=False)
    env: reactive[Env] = reactive(None, init=False, repaint=False)  # type: ignore[arg-type]
    detection = reactive(None, init=False, repaint=False)
    view: reactive[DeployView] = reactive(None, init=False, repaint=False)  # type: ignore[arg-type]
    # always_update: a chip's focus text may have replaced the same status on the pane.
    status: reactive[str] = reactive("", init=False, repaint=False, always_update=True)
    overrides: reactive[Overrides] = reactive(Overrides, init=False, repaint=False)
    pg_view: reactive[PlaygroundView] = reactive(None, init=False, repaint=False)  # type: ignore[arg-type]
    show_diff: reactive[bool] = reactive(False, init=False, repaint=False)

    def __init__(
        self,
        rules: Rules,
        *,
        detect: bool = True,
        print_on_exit: bool = False,
        remember: bool = True,
    ) -> None:
        super().__init__()
        self.rules = rules
        self.detect = detect
        self.print_on_exit = print_on_exit
        self.remember = remember
        self.startup_problems: list[str] = []
        self._user_chose = False
        self._env_file_broken = False

        placeholders = rules.model.placeholders
        try:
            env = Env(placeholders, load_env_file(env_path(), placeholders))
        except EnvError as exc:
            env = Env.defaults(rules)
            self._env_file_broken = True
            self.startup_problems.append(
                "Could not use your Env file, so the defaults are in use "
                f"(the file is left untouched until you save in ⚙ Env):\n{exc}"
            )
        state, problem = load_state() if remember else ({}, None)
        if problem:
            self.startup_problems.append(f"Ignored the saved selection: {problem}")
        requested = {d: state.get(d) if isinstance(state.get(d), str) else None for d in DIMS}
        sel, _ = resolve(rules, requested) if any(requested.values()) else (first_selection(rules), [])
        framing = state.get("framing") if state.get("framing") in ("python", "docker") else "python"
        self.set_reactive(DSV4App.selection, sel)
        self.set_reactive(DSV4App.framing, framing)
        self.set_reactive(DSV4App.env, env)
        self.set_reactive(DSV4App.view, self._build_view(sel, framing, env, None))
        self.set_reactive(DSV4App.pg_view, playground_view(rules, sel, Overrides(), framing, env))
        self.sub_title = self._subtitle()

    # -- derived state -------------------------------------------------------------------
    def _build_view(self, sel: Selection, framing: str, env: Env, detection) -> DeployView:
        return deploy_view(self.rules, sel, framing, env, detection)

    def _refresh_view(self) -> None:
        self.view = self._build_view(self.selection, self.framing, self.env, self.detection)
        self._refresh_playground()

    def _refresh_playground(self) -> None:
        self.pg_view = playground_view(self.rules, self.selection, self.overrides, self.framing, self.env)

    def watch_selection(self) -> None:
        # The Playground base follows Deploy: picks that became hidden return to inherit.
        self.set_reactive(DSV4App.overrides, revert_hidden(self.rules, self.selection, self.overrides))
        self._refresh_view()
        self._remember()

    def watch_overrides(self) -> None:
        self._refresh_playground()

    def watch_framing(self) -> None:
        self._refresh_view()
        self._remember()

    def watch_env(self) -> None:
        self._refresh_view()

    def watch_detection(self) -> None:
        self._refresh_view()
        self.sub_title = self._subtitle()

    def _subtitle(self) -> str:
        parts = [f"{self.rules.model.model.name} on SGLang", f"rules: {self._rules_label()}"]
        if self.detection is not None:
            parts.append(self.detection.label())
        return " · ".join(parts)

    def _rules_label(self) -> str:
        from .core.rules import bundled_rules_dir

        srcs = self.rules.sources
        names = ["bundled" if Path(s).resolve() == bundled_rules_dir().resolve() else str(s) for s in srcs]
        return " + ".join(names)

    def _remember(self) -> None:
        if not self.remember:
            return
        try:
            save_state({**self.selection.as_dict(), "framing": self.framing})
        except OSError:
            pass  # remembering is a convenience; an unwritable folder is reported on Env save

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs", initial="deploy"):
            with TabPane("Deploy", id="deploy"):
                pane = DeployPane(self.rules, id="deploy-pane")
                pane.set_reactive(DeployPane.view, self.view)
                yield pane.data_bind(DSV4App.view, DSV4App.status)
            with TabPane("Playground", id="playground"):
                yield from self.compose_playground()
        yield Footer(compact=True)  # all keys fit in 80 columns without overlapping ^p

    def compose_playground(self) -> ComposeResult:
        pane = PlaygroundPane(id="playground-pane")
        pane.set_reactive(PlaygroundPane.view, self.pg_view)
        yield pane.data_bind(view=DSV4App.pg_view, show_diff=DSV4App.show_diff)

    def on_mount(self) -> None:
        for problem in self.startup_problems:
            self.notify(problem, title="dsv4", severity="error", timeout=15)
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        # Focus first, then detect: the focused chip's description goes to the status line
        # and must not overwrite "N x GPU detected: preselected …" when detection is quick.
        if self.focused is None:  # a key pressed during start-up may have moved focus already
            self.focus_selected_chip()
        if self.detect:
            self.run_detection()

    def focus_selected_chip(self) -> None:
        try:
            self.query_one("#row-hw", ChipRow).focus_selected()
        except Exception:
            pass

    # -- detection -----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="detect")
    def run_detection(self) -> None:
        from .core.detect import detect_gpus

        found = detect_gpus([(h.id, h.detect) for h in self.rules.model.hardware], timeout=2.0)
        if found is not None:
            self.call_from_thread(self.apply_detection, found)

    def apply_detection(self, found) -> None:
        self.detection = found
        if found.hw_id and found.hw_id != self.selection.hw and not self._user_chose:
            sel, _ = resolve(self.rules, {**self.selection.as_dict(), "hw": found.hw_id})
            self.selection = sel
            self.status = f"{found.label()}: preselected {self.rules.label('hw', found.hw_id)}."

    # -- choosing ------------------------------------------------------------------------
    def on_chip_chosen(self, message: Chip.Chosen) -> None:
        self.choose(message.dim, message.value)

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

    # -- actions ---------------------------------------------------------------------------
    # -- the Playground --------------------------------------------------------------
    def on_playground_pane_picked(self, message: PlaygroundPane.Picked) -> None:
        self.pick(message.key, message.choice)

    def pick(self, key: str, choice: str) -> None:
        """Set one Playground knob (by Overrides field or CLI key) to a choice id.
        A greyed choice is refused with its reason, as its chip would."""
        if key in KNOB_BY_KEY:
            found = knob_view(self.rules, self.selection, self.overrides, key).choice(choice)
            if found is not None and found.disabled:
                self.notify(f"{found.label}: {found.reason}", title="Not available", severity="warning")
                return
        try:
            self.overrides = set_choice(self.rules, self.overrides, key, choice)
        except UnknownChoice as exc:
            self.notify(str(exc), severity="error")

    def action_reset_overrides(self) -> None:
        self.overrides = Overrides()

    def action_toggle_diff(self) -> None:
        self.show_diff = not self.show_diff

    def action_switch_to_sibling(self) -> None:
        strategy = self.pg_view.result.matched_strategy
        if strategy:
            self.selection = self.selection.with_(strategy=strategy)
            self.overrides = Overrides()
            self.status = f"Deploy switched to the verified {strategy} cell."
            self.notify(f"Deploy now shows the verified {strategy} cell; overrides reset.", title="Playground")

    def action_submit(self) -> None:
        from .screens.submit_screen import SubmitScreen
        from .core.submit import combination

        if not self.in_playground:
            self.notify("Submit ↗ proposes a Playground result: press 2 for the Playground.", severity="warning")
            return
        if not self.pg_view.result.can_submit:
            self.notify("Nothing to submit: the result is a verified cell (or there is no base).", severity="warning")
            return
        self.push_screen(SubmitScreen(combination(self.selection)), self._submitted)

    def _submitted(self, request) -> None:
        if request is None:
            return
        result = self.pg_view.result
        if request.action == "save":
            from .core.env import config_dir
            from .core.submit import save_user_cell

            try:
                path = save_user_cell(self.rules, self.selection, result.env, result.flags, config_dir() / "rules")
            except (OSError, ValueError) as exc:
                self.notify(f"Not saved: {exc}", title="Save as my cell", severity="error", timeout=10)
                return
            self.notify(
                f"Saved to {path} (Not Verified, derived from {self.selection.text}). "
                "It replaces that cell in Deploy from the next start; delete it there to undo.",
                title="Save as my cell",
                timeout=10,
            )
            return
        from .core.playground import playground

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
        if not url:
            return
        self.submit_url = url
        how = copy_text(self, url)
        self.notify(f"Issue link copied {how}:\n{url[:160]}…", title="Submit ↗", timeout=15)
        from .clipboard import has_local_clipboard

        if has_local_clipboard():
            import webbrowser

            webbrowser.open(url)

    # -- actions ---------------------------------------------------------------------------
    @property
    def in_playground(self) -> bool:
        try:
            return self.query_one("#tabs", TabbedContent).active == "playground"
        except Exception:
            return False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        prefix, _, what = bid.partition("-")
        if prefix not in ("deploy", "pg"):
            return
        event.stop()
        actions = {
            "copy": self.action_copy,
            "curl": self.action_curl,
            "env": self.action_env,
            "diff": self.action_toggle_diff,
            "submit": self.action_submit,
            "reset": self.action_reset_overrides,
            "sibling": self.action_switch_to_sibling,
        }
        if what in ("python", "docker"):
            self.framing = what
        elif what in actions:
            actions[what]()

    def action_toggle_framing(self) -> None:
        self.framing = "docker" if self.framing == "python" else "python"

    def current_command(self) -> str:
        """The command of the pane in front (Playground with its overrides, or Deploy)."""
        if self.in_playground and self.pg_view.result.has_base:
            return self.pg_view.result.text
        return self.view.command

    def action_copy(self) -> None:
        text = self.current_command()
        how = copy_text(self, text)
        self.notify(f"Copied the {self.framing.capitalize()} command ({len(text.splitlines())} lines) {how}.", title="⧉ Copy")

    def action_curl(self) -> None:
        from .screens.curl_screen import CurlScreen

        env = self.env
        curl, port = self.view.curl, env.get("CURL_PORT")
        if self.in_playground:
            curl = self.pg_view.result.curl
            if self.pg_view.result.router:  # PD: the cURL goes to the router
                port = str(self.rules.playground.pd.router_port)
        self.push_screen(CurlScreen(curl, env.get("CURL_HOST"), port, self.view.model_name))

    def action_env(self) -> None:
        from .screens.env_screen import EnvScreen

        path = env_path()
        text = self.env.to_toml()
        problem = None
        if self._env_file_broken:
            try:
                text = path.read_text(encoding="utf-8")
                problem = "This file has problems; fix them and save:\n" + "\n".join(self.startup_problems[:1])
            except OSError:
                pass
        self.push_screen(EnvScreen(text, path, self.rules.model.placeholders, problem), self._env_saved)

    def _env_saved(self, edit) -> None:
        if edit is None:
            return
        self.env = Env(self.rules.model.placeholders, edit.overrides)
        path = env_path()
        try:
            atomic_write(path, edit.text)
        except OSError as exc:
            self.notify(f"Env applied for this session but NOT saved: {exc}", title="⚙ Env", severity="error", timeout=10)
            return
        self._env_file_broken = False
        self.notify(f"Saved to {path}", title="⚙ Env")

    async def action_show_tab(self, tab: str) -> None:
        # Drop focus first: a focused widget in the pane being hidden would pull it back.
        self.set_focus(None)
        self.query_one("#tabs", TabbedContent).active = tab
        if tab == "playground":  # its chips must be current before one gets focus
            await self.query_one("#playground-pane", PlaygroundPane).catch_up()
        self.call_after_refresh(self._focus_in_tab, tab)

    def _focus_in_tab(self, tab: str) -> None:
        if tab == "deploy":
            self.focus_selected_chip()
            return
        chips = [c for c in self.query_one("#playground-pane").query(Chip) if c.focusable]
        target = next((c for c in chips if c.state.selected), chips[0] if chips else None)
        if target is not None:
            target.focus()

    def action_help(self) -> None:
        from .screens.help_screen import HelpScreen

        self.push_screen(HelpScreen())

    def action_exit_print(self) -> None:
        self.exit(self.current_command())

    async def action_quit(self) -> None:
        self.exit(self.current_command() if self.print_on_exit else None)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Copy command", "Copy the current command (OSC 52)", self.action_copy)
        yield SystemCommand("Toggle Python / Docker", "Switch the command framing", self.action_toggle_framing)
        yield SystemCommand("cURL probe", "Show and run the cURL probe", self.action_curl)
        yield SystemCommand("Edit Env", "Edit HOST_IP, PORT, HF_TOKEN, … as TOML", self.action_env)
        yield SystemCommand("Deploy pane", "Show the Deploy pane", lambda: self.action_show_tab("deploy"))
        yield SystemCommand("Playground pane", "Show the Playground pane", lambda: self.action_show_tab("playground"))
        yield SystemCommand("Playground: diff ⇄ plain", "Show the diff against the base", self.action_toggle_diff)
        yield SystemCommand("Playground: reset overrides", "Back to the Deploy cell", self.action_reset_overrides)
        yield SystemCommand("Playground: Submit ↗", "Pre-filled issue link for a Not Verified result", self.action_submit)
        yield SystemCommand("Exit and print", "Quit and print the command to stdout", self.action_exit_print)
        yield SystemCommand("Help", "Keys, copying inside tmux, files", self.action_help)


def run(args: argparse.Namespace) -> int:
    from .cli import load

    rules = load(args)
    app = DSV4App(rules, detect=not args.no_detect, print_on_exit=args.print_on_exit)
    result = app.run()
    if result:
        sys.stdout.write(result + "\n")
    return app.return_code or 0
