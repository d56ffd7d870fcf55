"""What starting a command on this box needs to know, read from the command text itself.

`read_target` finds the server's host and port in the exact text dsv4 shows (the engine's
`--host` / `--port` flags of rules/model.toml, in either framing); `probe_host` is where
this box reaches it; `window_name` names a tmux window after the cell.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_WILDCARD = {"", "0.0.0.0", "::", "[::]"}


@dataclass(frozen=True)
class Target:
    host: str
    port: int | None

    @property
    def probe_host(self) -> str:
        """Where a client on this box reaches a server bound to `host`."""
        return "127.0.0.1" if self.host in _WILDCARD else self.host.strip("[]")


def words(text: str) -> list[str]:
    """The shell words of a command (backslash-newlines joined, comments dropped); [] when
    it does not parse."""
    try:
        return shlex.split(text.replace("\\\n", " "), comments=True)
    except ValueError:
        return []


def read_target(text: str, host_flag: str, port_flag: str) -> Target:
    """The last `host_flag` / `port_flag` values of the command (`--port 30000` or `--port=30000`)."""
    host, port = "", None
    argv = words(text)
    for i, word in enumerate(argv):
        for flag in (host_flag, port_flag):
            value = None
            if word == flag and i + 1 < len(argv):
                value = argv[i + 1]
            elif word.startswith(flag + "="):
                value = word.split("=", 1)[1]
            if value is None:
                continue
            if flag == host_flag:
                host = value
            elif value.isdigit() and 1 <= int(value) <= 65535:
                port = int(value)
    return Target(host, port)


def hide_secrets(text: str, secrets: dict[str, str]) -> str:
    """`text` with each secret value (raw → masked, from Env.secrets) shown masked."""
    for raw, masked in secrets.items():
        if raw and len(raw) >= 4:
            text = text.replace(raw, masked)
    return text


def window_name(cell_key: str) -> str:
    """A tmux window name for the cell: `dsv4-h200-flash-fp8-balanced-single` (safe characters only)."""
    return "dsv4-" + (re.sub(r"[^A-Za-z0-9._]+", "-", cell_key).strip("-") or "run")


def ago(seconds: float) -> str:
    """`42s`, `5m`, `3h`, `2d`."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d"
