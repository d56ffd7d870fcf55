"""Copying text: OSC 52 through the terminal (works over SSH), plus the local clipboard.

pyperclip is only tried when this process can see a local desktop (not over SSH); it is
imported lazily and every error is swallowed — OSC 52 has already done the job or not.
"""

from __future__ import annotations

import os
import sys
from typing import Protocol


class _CanCopy(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


def has_local_clipboard() -> bool:
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def copy_text(app: _CanCopy, text: str) -> str:
    """Copy `text`; return a short hint for the notification."""
    app.copy_to_clipboard(text)  # OSC 52: the terminal puts it on *your* clipboard
    local = False
    if has_local_clipboard():
        try:
            import pyperclip

            pyperclip.copy(text)
            local = True
        except Exception:  # no xclip/xsel/wl-copy, or anything else: OSC 52 stands
            local = False
    if os.environ.get("TMUX"):
        return "via OSC 52 (inside tmux this needs `set -g set-clipboard on`)"
    return "to the clipboard" + (" (local and OSC 52)" if local else " via OSC 52")
