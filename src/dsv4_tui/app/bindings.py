"""The app's keys: one Binding per action, with the tooltip the help screen and the palette show."""

from __future__ import annotations

from textual.binding import Binding

BINDINGS = [
    Binding("p", "toggle_framing", "Framing", tooltip="switch the command's framing: Python ⇄ Docker"),
    Binding("c", "copy", "Copy", tooltip="copy the command (OSC 52: works over SSH)"),
    Binding("u", "curl", "cURL", tooltip="show the cURL probe; r runs it against the server"),
    Binding("e", "env", "Env", tooltip="edit the Env placeholders (host, port, token, …) as TOML"),
    Binding("E", "export", "Export", tooltip="the command as a Kubernetes / SLURM file: preview, copy, save"),
    Binding("1", "show_tab('deploy')", "Deploy", show=False, tooltip="the Deploy pane"),
    Binding("2", "show_tab('playground')", "Playground", show=False, tooltip="the Playground pane"),
    Binding("3", "show_tab('doctor')", "Doctor", show=False, tooltip="the Doctor: will this command run on this box?"),
    Binding("4", "show_tab('run')", "Run", show=False, tooltip="the Run tab: a server started here"),
    Binding("g", "run", "▶ Run", show=False, tooltip="start the command in front on this box (asks first)"),
    Binding("d", "toggle_diff", "Diff", tooltip="Playground: the command ⇄ its diff against the base"),
    Binding("s", "submit", "Submit", tooltip="Playground: propose a Not Verified result (issue link)"),
    Binding("R", "reset_overrides", "Reset", show=False, tooltip="Playground: back to the Deploy cell"),
    Binding("j", "jump_command", "Jump", show=False, tooltip="Playground: jump to the command ⇄ back to the knob"),
    Binding("l", "checks", "Checks", tooltip="the checks of the command: findings, their sources and fixes"),
    Binding("x", "exit_print", "Print+exit", tooltip="quit and print the command (`dsv4 > launch.sh`)"),
    Binding("question_mark,f1", "help", "Help", tooltip="this help"),
    Binding("q", "quit", "Quit", tooltip="quit"),
]
PLAYGROUND_ACTIONS = frozenset({"toggle_diff", "submit", "reset_overrides", "jump_command"})
