"""Where and how the checks look: env, sysroot, timeouts, and the few host calls tests replace.

`DoctorContext.from_env()` takes the process environment; `DSV4_SYSROOT` (default `/`)
prefixes every read of /sys, /proc and /dev, so tests point it at a fake tree.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

COMMAND_TIMEOUT = 5.0  # seconds for one external command or one name lookup
CHECK_TIMEOUT = 20.0  # seconds for one group of checks, a safety net over the command timeouts
OUTPUT_CAP = 256 * 1024  # bytes of stdout kept from one command; more is cut and the tool killed


def resolve_addresses(host: str) -> list[str]:
    """The addresses `host` resolves to (may block: callers add a timeout)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def disk_space(path: Path) -> tuple[int, int]:
    """(total, free) bytes of the file system holding `path`."""
    usage = shutil.disk_usage(path)
    return usage.total, usage.free


def dist_version(dist: str) -> str | None:
    """The version of an installed distribution in this Python, without importing it."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class DoctorContext:
    """Everything a check may touch on the host; replace any part in tests."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    sysroot: Path = Path("/")
    command_timeout: float = COMMAND_TIMEOUT
    check_timeout: float = CHECK_TIMEOUT
    output_cap: int = OUTPUT_CAP
    resolve: Callable[[str], list[str]] = resolve_addresses
    disk_usage: Callable[[Path], tuple[int, int]] = disk_space
    dist_version: Callable[[str], str | None] = dist_version
    cancel: threading.Event = field(default_factory=threading.Event, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> DoctorContext:
        """A context on `env` (default: os.environ), the sysroot from its DSV4_SYSROOT."""
        env = dict(os.environ if env is None else env)
        sysroot = Path(env.get("DSV4_SYSROOT") or "/")
        return cls(env=env, sysroot=sysroot, **overrides)  # type: ignore[arg-type]

    def host_path(self, path: str) -> Path:
        """`path` (absolute, e.g. '/proc/meminfo') under the sysroot."""
        return self.sysroot / path.lstrip("/")

    def which(self, tool: str) -> str | None:
        """`tool` found on this context's PATH."""
        return shutil.which(tool, path=self.env.get("PATH", os.defpath))

    def home(self) -> Path:
        home = self.env.get("HOME")
        return Path(home) if home else Path.home()

    def expand(self, path: str) -> Path:
        """`path` with a leading '~' taken from this context's HOME."""
        if path == "~" or path.startswith("~/"):
            return self.home() / path[2:]
        return Path(path)
