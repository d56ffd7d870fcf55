"""Copying text: OSC 52 through the terminal (works over SSH), plus the local clipboard.

OSC 52 cannot be confirmed: the terminal may or may not honour it. So the message says what
was done: "sent to the terminal (OSC 52)", and "copied to the system clipboard" only when
pyperclip succeeded. pyperclip is tried only when this process can see a local desktop
(not over SSH), in a thread with a timeout (it runs xclip / wl-copy without one). Inside
tmux, the hint about `set-clipboard` is given only when tmux says it is off.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

from .run import run_tool

LOCAL_TIMEOUT = 2.0
TMUX_TIMEOUT = 1.0


def has_local_clipboard() -> bool:
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy_local(text: str, timeout: float = LOCAL_TIMEOUT) -> bool:
    """Copy to this machine's clipboard with pyperclip; False on any failure or timeout."""
    if not has_local_clipboard():
        return False
    done: list[bool] = []

    def copy() -> None:
        try:
            import pyperclip

            pyperclip.copy(text)
            done.append(True)
        except Exception:  # no xclip/xsel/wl-copy, or anything else: OSC 52 stands
            done.append(False)

    worker = threading.Thread(target=copy, daemon=True, name="dsv4-clipboard")
    worker.start()
    worker.join(timeout)
    return bool(done and done[0])


def tmux_set_clipboard() -> str | None:
    """tmux's `set-clipboard` option ("on", "external", "off"), None outside tmux or unknown."""
    if not os.environ.get("TMUX"):
        return None
    result = run_tool("tmux", ("show", "-gv", "set-clipboard"), TMUX_TIMEOUT, limit=100)
    value = result.stdout.strip() if result.ok else ""
    return value or None


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: OSC 52 is always sent; the rest is what could be checked."""

    local: bool  # pyperclip put it on this machine's clipboard
    tmux: str | None  # tmux's set-clipboard, when inside tmux

    def message(self) -> str:
        text = "sent to the terminal (OSC 52)"
        if self.local:
            text += " and copied to the system clipboard"
        if self.tmux == "off":
            text += ". tmux has set-clipboard off: add `set -g set-clipboard on` to ~/.tmux.conf"
        return text


def finish_copy(text: str) -> CopyReport:
    """The slow half of a copy, after OSC 52 was sent: the local clipboard and the tmux check.
    Run it off the UI thread."""
    return CopyReport(local=copy_local(text), tmux=tmux_set_clipboard())
