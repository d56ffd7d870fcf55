"""? / F1: the keys (from the bindings), copying inside tmux, where files live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

INTRO = """\
# dsv4 — help

Pick a recipe in **Deploy**, copy the command, start the server in another pane, then
come back and press **u** to probe it.
"""

MORE = """\
PageUp / PageDown scroll the pane; the mouse wheel too. Every action is also in the
command palette (Ctrl+P).

## Copying over SSH and inside tmux
Copy sends the command to your terminal with OSC 52; the terminal puts it on *your*
clipboard, even over SSH (if it supports OSC 52). Inside tmux, the command goes into
tmux's paste buffer (`tmux load-buffer -w`, whatever `set-clipboard` says), and tmux
passes it on to your terminal's clipboard where it can. Only if tmux fails is OSC 52
sent; then tmux must pass it on: add `set -g set-clipboard on` to `~/.tmux.conf`.
If your terminal does not support OSC 52, press **x** to print the command instead.

## Greyed options
An option without a verified cell for your higher choices is greyed. Focus it (or hover)
to read why; the status line under the chips says it too.

## Files
Env (`env.toml`) and the last selection (`state.toml`) are saved in `$DSV4_CONFIG_DIR`
(default: your user config folder, e.g. `~/.config/dsv4`); the last selection is restored
at start. Your own cells go in `rules/cells.toml` there.
"""


def help_markdown(keys: list[tuple[str, str]]) -> str:
    """The help text: the keys table is built from the bindings, so it cannot drift."""
    rows = "\n".join(f"- **{key}** {what}" for key, what in keys if what)
    return f"{INTRO}\n## Keys\n{rows}\n\n{MORE}"


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"  # the app itself sets AUTO_FOCUS = None
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 96; height: 90%; border: thick $primary; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, keys: list[tuple[str, str]]):
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(help_markdown(self.keys))

    def action_close(self) -> None:
        self.dismiss(None)
