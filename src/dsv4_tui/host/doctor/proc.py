"""Run one external command, bounded in time and in output.

The tool runs in its own process group. On a timeout, on output over the cap, on cancel,
and after it exits (a background child may still hold the pipe), the whole group is
killed. `run_command` never raises for the tool's problems: they end up in the result.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..run import kill_group
from .context import DoctorContext
from .safe import first_line

STDERR_CAP = 16 * 1024
_POLL = 0.05  # seconds between looks at the deadline, the cap and the cancel flag
_READ = 64 * 1024


@dataclass(frozen=True)
class CommandResult:
    """What a command did. `missing`: not on PATH; `timed_out`: killed at the deadline;
    `truncated`: stdout went over the cap (kept up to the last full line), tool killed."""

    tool: str
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    missing: bool = False
    timed_out: bool = False
    truncated: bool = False
    cancelled: bool = False
    error: str = ""  # the OSError text when it could not start

    @property
    def ok(self) -> bool:
        """Exited 0 in time."""
        return self.returncode == 0 and not (self.timed_out or self.cancelled)

    @property
    def usable(self) -> bool:
        """Its stdout is worth reading: it exited 0, or it was cut at the cap (killed for that)."""
        return self.ok or (self.truncated and not self.cancelled)

    def problem(self, timeout: float) -> str:
        """One line on why this run gave nothing usable (for a message)."""
        if self.missing:
            return f"{self.tool} not found on PATH"
        if self.timed_out:
            return f"{self.tool} did not answer within {timeout:g} s"
        if self.cancelled:
            return f"{self.tool} was stopped"
        if self.error:
            return f"{self.tool} could not start: {first_line(self.error)}"
        said = first_line(self.stderr) or first_line(self.stdout)
        return f"{self.tool} exited with code {self.returncode}" + (f": {said}" if said else "")


class _Reader(threading.Thread):
    """Reads a pipe into memory up to `cap` bytes. Then it sets `full` and stops (stdout: the
    tool is killed), or with `drain` reads on and drops the rest (stderr: never blocks the tool)."""

    def __init__(self, pipe, cap: int, full: threading.Event, drain: bool = False) -> None:
        super().__init__(daemon=True)
        self.pipe, self.cap, self.full, self.drain = pipe, cap, full, drain
        self.data = bytearray()

    def run(self) -> None:
        try:
            while True:
                chunk = self.pipe.read1(_READ)
                if not chunk:
                    return
                if len(self.data) < self.cap:
                    self.data += chunk[: self.cap - len(self.data)]
                if len(self.data) >= self.cap and not self.full.is_set():
                    self.full.set()
                    if not self.drain:
                        return
        except (OSError, ValueError):
            return


def run_command(ctx: DoctorContext, tool: str, args: Sequence[str], timeout: float | None = None) -> CommandResult:
    """Run `tool` (found on ctx's PATH) with `args`; at most `timeout` s (default ctx.command_timeout)."""
    path = ctx.which(tool)
    if path is None:
        return CommandResult(tool, missing=True)
    return run_argv(ctx, tool, [path, *args], ctx.command_timeout if timeout is None else timeout)


def run_argv(ctx: DoctorContext, tool: str, argv: Sequence[str], timeout: float) -> CommandResult:
    """Run `argv` (argv[0] a path) under the limits; `tool` names it in messages."""
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(ctx.env),
            start_new_session=True,  # its own process group, killed as a whole
        )
    except OSError as exc:
        return CommandResult(tool, error=str(exc))
    full = threading.Event()
    out = _Reader(proc.stdout, ctx.output_cap, full)
    err = _Reader(proc.stderr, STDERR_CAP, threading.Event(), drain=True)
    out.start()
    err.start()
    timed_out, cancelled = _wait(proc, timeout, full, ctx.cancel)
    kill_group(proc)
    for reader in (out, err):
        reader.join(timeout=1.0)
        if not reader.is_alive():  # a pipe still held outside the group is left open: closing
            reader.pipe.close()  # it under a blocked read would block us too
    stdout = bytes(out.data)
    truncated = full.is_set()
    if truncated:
        stdout = stdout[: stdout.rfind(b"\n") + 1]  # a cut line could read as a wrong value
    return CommandResult(
        tool,
        returncode=None if (timed_out or cancelled) else proc.returncode,
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=bytes(err.data).decode("utf-8", errors="replace"),
        timed_out=timed_out,
        truncated=truncated,
        cancelled=cancelled,
    )


def _wait(
    proc: subprocess.Popen[bytes], timeout: float, full: threading.Event, cancel: threading.Event
) -> tuple[bool, bool]:
    """Wait for the tool to exit, leaving it unreaped (its pid keeps the group's id taken
    until `kill_group`); (timed_out, cancelled). Returns early when stdout is full."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        if cancel.is_set():
            return False, True
        if full.is_set() or _exited(proc):
            return False, False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True, False
        time.sleep(min(remaining, _POLL))


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    if not hasattr(os, "waitid"):  # pragma: no cover - Windows: no process groups to protect
        return proc.poll() is not None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # pragma: no cover - reaped elsewhere
        return True
