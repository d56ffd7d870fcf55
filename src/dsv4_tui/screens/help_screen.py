"""? / F1: keys, copying inside tmux, where files live."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# dsv4 — help

Pick a recipe in **Deploy**, copy the command, start the server in another pane, then
come back and press **u** to probe it.

| Key | Action |
|---|---|
| ← → | move between the options of a row |
| ↑ ↓ | move between rows |
| Enter / Space | choose the focused option (a greyed one says why it is not available) |
| Tab / Shift+Tab | next / previous control |
| p | Python ⇄ Docker framing |
| c | ⧉ Copy the command |
| u | $ cURL: show the probe, **r** runs it against the server |
| e | ⚙ Env: edit HOST_IP, PORT, HF_TOKEN, … as TOML (Ctrl+S saves) |
| 1 / 2 | Deploy / Playground |
| x | exit and print the command to stdout (`dsv4 > launch.sh`) |
| Ctrl+P | command palette (every action) |
| ? / F1 | this help |
| q | quit |

## Copying over SSH and inside tmux
Copy uses OSC 52: your terminal puts the text on *your* clipboard, even over SSH.
Inside tmux, add `set -g set-clipboard on` to `~/.tmux.conf` (then `tmux source ~/.tmux.conf`).
If your terminal does not support OSC 52, press **x** to print the command instead.

## Greyed options
An option without a verified cell for your higher choices is greyed. Focus it (or hover)
to read why; the status line under the chips says it too.

## Files
Env and the last selection are saved in `$DSV4_CONFIG_DIR` (default: your user config
folder, e.g. `~/.config/dsv4`). Your own cells go in `rules/cells.toml` there.
"""


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"  # the app itself sets AUTO_FOCUS = None
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 96; height: 90%; border: thick $primary; background: $surface; }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)

    def action_close(self) -> None:
        self.dismiss(None)
