"""Running an external tool with a timeout and an output cap, never raising.

A tool that hangs is killed with its whole process group when the timeout expires; a tool
that writes more than `limit` bytes is stopped there and its output cut (`truncated` says
so). Errors come back as one line, made visible-safe.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from ..core.visible import visible_line

OUTPUT_LIMIT = 1_000_000


@dataclass(frozen=True)
class ToolResult:
    tool: str
    missing: bool = False  # not on PATH
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    truncated: bool = False
    problem: str | None = None  # why it gave nothing usable: timeout, exit code, …

    @property
    def ok(self) -> bool:
        return not self.missing and self.problem is None


def kill_group(proc: subprocess.Popen) -> None:
    """Kill the process (and its process group on POSIX) and reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=1.0)
    except subprocess.TimeoutExpired:  # pragma: no cover - unkillable process
        pass


def _collect(proc: subprocess.Popen, deadline: float, limit: int) -> tuple[bytes, bytes, str | None]:
    """Read stdout (up to `limit` bytes, then stop the tool) and stderr until both close or
    the deadline passes. Returns (stdout, stderr, "timeout" | "truncated" | None)."""
    buffers = {"out": bytearray(), "err": bytearray()}
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ, "out")  # type: ignore[arg-type]
        sel.register(proc.stderr, selectors.EVENT_READ, "err")  # type: ignore[arg-type]
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(buffers["out"]), bytes(buffers["err"]), "timeout"
            for key, _ in sel.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fileobj)
                    continue
                buffers[key.data] += chunk
                if len(buffers["out"]) > limit or len(buffers["err"]) > limit:
                    return bytes(buffers["out"][:limit]), bytes(buffers["err"][:limit]), "truncated"
    return bytes(buffers["out"]), bytes(buffers["err"]), None


def _feed(proc: subprocess.Popen, data: bytes) -> None:
    """Write `data` to the tool's stdin and close it, from a thread: a tool that writes before
    it reads never deadlocks against us, and one that stops reading is killed at the timeout."""

    def write() -> None:
        try:
            proc.stdin.write(data)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except OSError:  # the tool exited without reading it all: its exit code says why
            pass

    threading.Thread(target=write, daemon=True, name=f"dsv4-stdin-{proc.pid}").start()


def run_tool(
    tool: str, args: tuple[str, ...] | list[str], timeout: float, limit: int = OUTPUT_LIMIT, stdin: bytes | None = None
) -> ToolResult:
    """Run `tool` (found on PATH) with `args`, `stdin` as its input (else none); see the module
    docstring."""
    path = shutil.which(tool, path=os.environ.get("PATH", os.defpath))
    if path is None:
        return ToolResult(tool, missing=True, problem=f"{tool} is not on PATH")
    if timeout <= 0:
        return ToolResult(tool, problem=f"{tool}: no time left to run it")
    deadline = time.monotonic() + timeout
    try:
        proc = subprocess.Popen(
            [path, *args],
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so a timeout kills the tool's children too
        )
    except OSError as exc:
        return ToolResult(tool, problem=f"{tool} could not start: {exc.strerror or exc}")
    if stdin is not None:
        _feed(proc, stdin)
    try:
        out, err, cut = _collect(proc, deadline, limit)
        if cut is None:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        cut = "timeout"
    finally:
        if proc.poll() is None:
            kill_group(proc)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    if cut == "timeout":
        return ToolResult(tool, problem=f"{tool} did not answer within {timeout:g} s")
    stdout, stderr = out.decode("utf-8", errors="replace"), err.decode("utf-8", errors="replace")
    if cut is None and proc.returncode != 0:
        first = visible_line(stderr.strip().splitlines()[0]) if stderr.strip() else "no message"
        problem = f"{tool} exited with {proc.returncode}: {first}"
        return ToolResult(tool, False, proc.returncode, stdout, stderr, False, problem)
    return ToolResult(tool, False, proc.returncode, stdout, stderr, cut == "truncated")
