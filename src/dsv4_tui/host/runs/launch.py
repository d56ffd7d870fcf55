"""Starting a command on this box so that it outlives the user's SSH session, and stopping it.

The exact text goes into `runs/<id>/command.sh`; `launch.sh` runs it with bash, appends its
output to `server.log` and writes its exit code to `exit_code`. Inside tmux (`$TMUX` set and
`tmux` on PATH) `launch.sh` runs in a new, detached window named after the cell, so the
output is on screen there too; otherwise it runs in a new session (setsid) with no terminal,
so a hang-up does not reach it. Either way the launcher is a process group leader, which is
what `stop` signals: SIGTERM, then SIGKILL after `grace` seconds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

from ...core.visible import visible_line
from ..files import atomic_write
from ..run import run_tool
from .store import EXIT_FILE, LOG_FILE, RunRecord, group_alive, is_running, mark_stopped, process_start, save

TMUX_TIMEOUT = 5.0
STOP_GRACE = 15.0  # seconds between SIGTERM and SIGKILL


class StartError(Exception):
    """The run could not start (said in one line)."""


def port_in_use(host: str, port: int) -> str | None:
    """Why `port` cannot be bound on `host` (None when it is free)."""
    address = host if host not in ("", "[::]") else "0.0.0.0"
    address = address.strip("[]")
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((address, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return f"port {port} is already in use on {host or '0.0.0.0'}"
        return f"cannot bind {host or '0.0.0.0'}:{port}: {exc.strerror or exc}"
    return None


def _launcher_text(folder: Path, tee: bool) -> str:
    q = shlex.quote
    log, command, code = q(str(folder / LOG_FILE)), q(str(folder / "command.sh")), q(str(folder / EXIT_FILE))
    if tee:  # tmux: on screen and in the log
        run = f"bash {command} 2>&1 | tee -a {log}\nstatus=${{PIPESTATUS[0]}}"
    else:
        run = f"bash {command} >>{log} 2>&1 </dev/null\nstatus=$?"
    return (
        "#!/bin/bash\n# Written by dsv4 run: runs command.sh, keeps its output and exit code.\n"
        f"cd {q(str(Path.cwd()))} 2>/dev/null || cd ~\n{run}\n"
        f'echo "$status" > {code}.tmp && mv {code}.tmp {code}\nexit "$status"\n'
    )


def in_tmux() -> bool:
    import shutil

    return bool(os.environ.get("TMUX")) and shutil.which("tmux") is not None


def start(record: RunRecord, text: str) -> RunRecord:
    """Write the run's files and start `text` (the command; `record.command` is the same with
    its secrets masked); the record comes back with its pid (saved)."""
    folder = record.folder
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "command.sh", text + "\n", mode=0o700)
    tmux = record.launcher == "tmux"
    atomic_write(folder / "launch.sh", _launcher_text(folder, tee=tmux), mode=0o700)
    (folder / LOG_FILE).touch(mode=0o600)
    save(record)  # recorded before it starts: a crash in between still leaves a trace
    launch = str(folder / "launch.sh")
    if tmux:
        result = run_tool(
            "tmux",
            ["new-window", "-d", "-P", "-F", "#{pane_pid}", "-n", record.window, f"bash {shlex.quote(launch)}"],
            timeout=TMUX_TIMEOUT,
        )
        if not result.ok or not result.stdout.strip().isdigit():
            raise StartError(result.problem or f"tmux gave no pane pid: {visible_line(result.stdout.strip()[:100])}")
        pid = int(result.stdout.strip())
    else:
        try:
            proc = subprocess.Popen(
                ["bash", launch],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # setsid: its own session, no terminal, no SIGHUP
                close_fds=True,
            )
        except OSError as exc:
            raise StartError(f"bash could not start: {exc.strerror or exc}") from None
        pid = proc.pid
        # Reap it when it ends, should this process still be alive then (the app).
        threading.Thread(target=proc.wait, daemon=True, name=f"reap-{record.id}").start()
    started = replace(record, pid=pid, pid_start=process_start(pid))
    save(started)
    return started


def stop(record: RunRecord, grace: float = STOP_GRACE, poll: float = 0.1) -> str:
    """SIGTERM to the run's process group, SIGKILL after `grace` seconds; says what happened."""
    if not is_running(record):  # checks the leader's start time: a reused pid is not signalled
        return "not running"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(record.pid, signal.SIGTERM)
    mark_stopped(record)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not group_alive(record.pid):
            return "stopped (SIGTERM)"
        time.sleep(poll)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(record.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and group_alive(record.pid):
        time.sleep(poll)
    return f"killed (SIGKILL after {grace:g} s)"
