"""The record of each run: `<config dir>/runs/<id>/` with `run.toml`, `command.sh`,
`launch.sh`, `server.log` and, once the command ended, `exit_code`.

run.toml holds the command, the selection, the framing, the SGLang version, the start
time, the host and port, how it was started (tmux or setsid) and the process group. Every
write is atomic (host/files.py). A run is "running" while its process group lives (the pid
is checked against the process's start time, so a reused pid is not mistaken for it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..files import ReadProblem, atomic_write, read_text
from ..paths import config_dir

RUN_FILE = "run.toml"
LOG_FILE = "server.log"
EXIT_FILE = "exit_code"


def runs_dir() -> Path:
    return config_dir() / "runs"


@dataclass(frozen=True)
class RunRecord:
    id: str
    command: str
    selection: dict[str, str]
    framing: str
    sglang_version: str
    started: float  # seconds since the epoch
    host: str
    port: int
    launcher: str  # "setsid" or "tmux"
    pid: int = 0  # the process group leader
    pid_start: str = ""  # its start time in /proc/<pid>/stat (guards against pid reuse)
    window: str = ""  # the tmux window, when started in tmux
    model: str = ""  # the model the server should serve
    stopped: float = 0.0  # when `dsv4 stop` stopped it
    overrides: list[str] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return runs_dir() / self.id

    @property
    def log(self) -> Path:
        return self.folder / LOG_FILE

    def to_toml(self) -> str:
        import tomli_w

        data = {k: v for k, v in asdict(self).items() if v not in ("", [], {}) or k in ("command", "sglang_version")}
        return tomli_w.dumps(data)


def save(record: RunRecord) -> None:
    atomic_write(record.folder / RUN_FILE, record.to_toml(), mode=0o600)


def load(folder: Path) -> RunRecord | None:
    """The record in `folder`, or None when it is missing or broken (never raises)."""
    from ...core.tomlloc import TomlProblem, parse_toml

    try:
        data = parse_toml(read_text(folder / RUN_FILE))
    except (OSError, ReadProblem, TomlProblem):
        return None
    try:
        return RunRecord(**{k: v for k, v in data.items() if k in RunRecord.__dataclass_fields__})
    except TypeError:
        return None


def all_runs() -> list[RunRecord]:
    """Every run recorded, oldest first."""
    folder = runs_dir()
    if not folder.is_dir():
        return []
    found = [r for r in (load(p) for p in sorted(folder.iterdir()) if p.is_dir()) if r is not None]
    return sorted(found, key=lambda r: (r.started, r.id))


def new_id(now: float | None = None) -> str:
    """`20261207-151002`, with `-2`, `-3` … when that second is taken."""
    base = time.strftime("%Y%m%d-%H%M%S", time.localtime(now or time.time()))
    folder = runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        name = base if n == 1 else f"{base}-{n}"
        try:
            (folder / name).mkdir()
            return name
        except FileExistsError:
            continue
    raise OSError(f"no free run id under {folder}")


def find(run_id: str) -> RunRecord | None:
    """The run named `run_id`, or the only one it is a prefix of; `latest` is the newest."""
    runs = all_runs()
    if run_id == "latest":
        return runs[-1] if runs else None
    exact = [r for r in runs if r.id == run_id]
    if exact:
        return exact[0]
    prefixed = [r for r in runs if r.id.startswith(run_id)]
    return prefixed[0] if len(prefixed) == 1 else None


def process_start(pid: int) -> str:
    """Field 22 of /proc/<pid>/stat (its start time), "" when there is no such process
    or it is a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] == "Z":
        return ""
    return fields[19] if len(fields) > 19 else ""


def group_alive(pgid: int) -> bool:
    """Whether any process of the group `pgid` is alive (zombies do not count)."""
    if pgid <= 0:
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) also succeeds for zombies: look for a live member.
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[-1].split()
                if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
                    return True
        return False
    return True


def is_running(record: RunRecord) -> bool:
    if record.pid <= 0:
        return False
    leader = process_start(record.pid)
    if leader:
        return leader == record.pid_start or not record.pid_start
    return group_alive(record.pid)  # the leader is gone; its children may still run


def exit_code(record: RunRecord) -> int | None:
    try:
        return int(read_text(record.folder / EXIT_FILE).strip())
    except (OSError, ReadProblem, ValueError):
        return None


def state_of(record: RunRecord) -> str:
    """running · stopped · exited 0 · exited 1 · gone (ended without leaving a code)."""
    if is_running(record):
        return "running"
    if record.stopped:
        return "stopped"
    code = exit_code(record)
    return f"exited {code}" if code is not None else "gone"


def running_on(port: int) -> RunRecord | None:
    """The live run that holds `port`, if any."""
    for r in all_runs():
        if r.port == port and is_running(r):
            return r
    return None


def mark_stopped(record: RunRecord) -> RunRecord:
    updated = replace(record, stopped=time.time())
    save(updated)
    return updated


def signal_group(record: RunRecord, sig: signal.Signals) -> bool:
    try:
        os.killpg(record.pid, sig)
    except ProcessLookupError:
        return False
    return True
