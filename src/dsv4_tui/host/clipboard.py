"""Copying text: OSC 52 through the terminal (works over SSH), tmux's own buffer inside tmux,
plus the local clipboard.

OSC 52 cannot be confirmed: the terminal may or may not honour it. So the message says what
was done: "sent to the terminal (OSC 52)", and "copied to the system clipboard" only when
pyperclip succeeded. pyperclip is tried only when this process can see a local desktop
(not over SSH), in a thread with a timeout (it runs xclip / wl-copy without one). Inside
tmux, the text goes through `tmux load-buffer -w -` (tmux's default `set-clipboard
external` drops an application's OSC 52); OSC 52 and the hint about `set-clipboard` only
when tmux fails.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .run import run_tool

LOCAL_TIMEOUT = 2.0
TMUX_TIMEOUT = 2.0


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


def in_tmux() -> bool:
    return bool(os.environ.get("TMUX"))


def copy_tmux(text: str, timeout: float = TMUX_TIMEOUT) -> bool:
    """Inside tmux, put `text` in tmux's paste buffer with `tmux load-buffer -w -`: tmux takes
    it whatever its `set-clipboard` (whose default, external, drops an application's OSC 52)
    and passes it on to the outer terminal's clipboard where it can. False outside tmux, or
    when tmux fails or does not answer in time."""
    if not in_tmux():
        return False
    return run_tool("tmux", ("load-buffer", "-w", "-"), timeout, limit=10_000, stdin=text.encode("utf-8")).ok


def tmux_set_clipboard() -> str | None:
    """tmux's `set-clipboard` option ("on", "external", "off"), None outside tmux or unknown."""
    if not in_tmux():
        return None
    result = run_tool("tmux", ("show", "-gv", "set-clipboard"), TMUX_TIMEOUT, limit=100)
    value = result.stdout.strip() if result.ok else ""
    return value or None


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: tmux's buffer (inside tmux), else OSC 52; the rest is what could be checked."""

    local: bool  # pyperclip put it on this machine's clipboard
    tmux: str | None  # tmux's set-clipboard, when inside tmux and OSC 52 had to be used
    tmux_buffer: bool = False  # `tmux load-buffer -w` took it

    def message(self) -> str:
        if self.tmux_buffer:
            text = "copied to tmux's paste buffer (tmux passes it on to your terminal's clipboard)"
        else:
            text = "sent to the terminal (OSC 52)"
        if self.local:
            text += " and copied to the system clipboard"
        if self.tmux in ("off", "external"):
            text += (
                f". tmux did not take it and has set-clipboard {self.tmux}, which drops OSC 52: "
                "add `set -g set-clipboard on` to ~/.tmux.conf"
            )
        return text


def finish_copy(text: str, send_osc52: Callable[[str], None]) -> CopyReport:
    """The slow half of a copy, off the UI thread. Inside tmux: tmux's own buffer first, and
    OSC 52 (`send_osc52`) with the `set-clipboard` check only when tmux failed. Outside,
    OSC 52 was sent already. Then this machine's clipboard, where there is one."""
    if in_tmux():
        if copy_tmux(text):
            return CopyReport(local=copy_local(text), tmux=None, tmux_buffer=True)
        send_osc52(text)
        return CopyReport(local=copy_local(text), tmux=tmux_set_clipboard())
    return CopyReport(local=copy_local(text), tmux=None)
