"""Reading and writing the user's files safely.

- `read_text`: only a regular file, at most `limit` bytes, never blocking: a FIFO or
  `/dev/zero` in place of a file is reported, not read forever.
- `atomic_write`: a temp file in the same folder, fsync, `os.replace`. It only ever replaces
  a regular file (or creates a missing one): a device node, FIFO or folder in its place is
  refused with a `WriteProblem` (the `ln -s /dev/null state.toml` idiom stays as it is).
  Links, by `links=`:
  - "replace" (default; caches): a symbolic link at `path` is itself replaced by the new
    file; its target is never touched.
  - "refuse" (export): a symbolic link at `path` is refused with a message.
  - "follow" (the user's own config: env.toml, state.toml, rules/cells.toml, which may be
    dotfile links): the chain of links is followed by hand (`os.readlink`, at most 40, a loop
    is a WriteProblem), and the final target, checked with `lstat` (never opened, never
    followed), is replaced atomically when it is a regular file or missing.
- Temp files are named `.<name>.<host>-<pid>-<random>.tmp`: hidden, and out of any
  `*.toml` listing. One left by a process killed mid-save (it may hold HF_TOKEN) is removed
  at the next save and at start (`clean_config_folder`); one of a process that is still
  running is left alone, so no lock file is needed (the empty `.dsv4.lock` older versions
  left is removed from a folder written to, and from the config folder at start).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import stat
import tempfile
import time
from pathlib import Path

MAX_TEXT_BYTES = 4 * 1024 * 1024  # far above any rules or Env file; far below "reads forever"
MAX_LINKS = 40  # as the kernel: more is a loop
FOREIGN_TEMP_AGE = 600.0  # seconds: a temp file of another host (shared home) is stale after this
LEGACY_LOCK_FILE = ".dsv4.lock"  # left in every folder by older dsv4: removed at start


class ReadProblem(OSError):
    """A file that is there but cannot be used: not a regular file, too large, not UTF-8."""


class WriteProblem(OSError):
    """A save refused before anything was written: the path is a link that must not be
    followed, a loop of links, or not a regular file. str() is the plain message."""


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of the regular file `path`. FileNotFoundError when it does not exist;
    ReadProblem (with a plain message) for anything else that is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ReadProblem(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise ReadProblem(f"{path}: {kind}; expected a text file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except ReadProblem:
        raise
    except OSError as exc:
        raise ReadProblem(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ReadProblem(f"{path}: larger than {limit // (1024 * 1024)} MB; not read")
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark (some editors write one)
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadProblem(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


SMALL_LIMIT = 64 * 1024  # a sysfs attribute, /proc/meminfo, a token file


def read_small(path: Path, limit: int = SMALL_LIMIT) -> str:
    """The start (at most `limit` bytes) of a small system file (sysfs, /proc, a token
    file), decoded leniently. Never blocks: opened non-blocking and read only when it is a
    regular file; a FIFO, device or folder in its place is a ReadProblem (an OSError)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadProblem(f"{path}: not a regular file")
        data = b""
        while len(data) < limit:
            chunk = os.read(fd, limit - len(data))
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def final_target(path: Path) -> Path:
    """Where a write to `path` through its links lands: the end of its chain of symbolic
    links, followed by hand (never `resolve()`). WriteProblem on a loop."""
    current = Path(path)
    for _ in range(MAX_LINKS + 1):
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return current  # missing (or a dangling link's target): created by the save
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a loop in a folder on the way
                break
            return current  # e.g. a file where a folder should be: the write itself says so
        if not stat.S_ISLNK(info.st_mode):
            return current
        try:
            link = os.readlink(current)
        except OSError as exc:
            raise WriteProblem(f"{path}: cannot read the link: {exc.strerror or exc}") from None
        current = current.parent / link  # an absolute link replaces the whole path
    raise WriteProblem(f"{path}: a loop of symbolic links (or more than {MAX_LINKS}); not saved")


def write_target(path: Path) -> Path:
    """Where a "follow" write to `path` lands (see `final_target`); `path` on any problem."""
    try:
        return final_target(path)
    except WriteProblem:
        return Path(path)


def link_refused(path: Path) -> str:
    """Why a save to the symbolic link `path` is refused (links="refuse")."""
    return (
        f"{path} is a symbolic link; dsv4 does not write through links (the file it points to "
        "may not be yours to change): remove the link or choose another path"
    )


def _check_replaceable(path: Path, target: Path, allow_link: bool) -> None:
    """WriteProblem unless `target` is missing or a regular file (or a link, when the link
    itself is what is replaced). `lstat` only: a device node is never opened."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise WriteProblem(f"{path}: a loop of symbolic links; not saved") from None
        return  # e.g. a file where a folder should be: the write itself says so
    if stat.S_ISREG(info.st_mode) or (allow_link and stat.S_ISLNK(info.st_mode)):
        return
    where = f"{path} is a link to {target}, which is" if target != path else f"{path} is"
    raise WriteProblem(
        f"{where} {_kind(info.st_mode)}, not a regular file; dsv4 replaces only regular files: not saved"
    )


# --------------------------------------------------------------------------- temp files

_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?:(?P<host>[A-Za-z0-9]*)-(?P<pid>[0-9]+)-)?[a-z0-9_]+\.tmp$")


def temp_prefix(path: Path) -> str:
    return f".{path.name}.{_HOST}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it runs, as another user
        return True
    return True


def _stale(folder: Path, entry: str, now: float) -> bool:
    """A temp file of ours that no running save will finish: its process (on this host) is
    gone; another host's, or one without a pid (older dsv4), after FOREIGN_TEMP_AGE."""
    m = _TEMP_RE.match(entry)
    if m is None:
        return False
    if m["pid"] is not None and m["host"] == _HOST:
        return not _alive(int(m["pid"]))
    try:
        return now - os.lstat(folder / entry).st_mtime > FOREIGN_TEMP_AGE
    except OSError:
        return False


def remove_stale_temps(folder: Path, name: str | None = None) -> int:
    """Remove the temp files (of `name`, else of any file) that saves killed midway left in
    `folder`; a save still running keeps its own."""
    removed = 0
    now = time.time()
    try:
        entries = os.listdir(folder)
    except OSError:
        return 0
    for entry in entries:
        if not entry.endswith(".tmp") or (name is not None and not entry.startswith(f".{name}.")):
            continue
        if _stale(folder, entry, now):
            with contextlib.suppress(OSError):
                os.unlink(folder / entry)
                removed += 1
    return removed


def clean_config_folder(folder: Path) -> int:
    """At start: the stale temp files in the config folder and its `rules/` and `cache/`
    (a killed Env save may have left HF_TOKEN in one), and the lock file of older dsv4."""
    removed = 0
    for sub in (folder, folder / "rules", folder / "cache", folder / "cache" / "sglang"):
        removed += remove_stale_temps(sub)
        _remove_legacy_lock(sub)
    return removed


def _remove_legacy_lock(folder: Path) -> None:
    """The empty `.dsv4.lock` an older dsv4 left in a folder it wrote to."""
    with contextlib.suppress(OSError):
        info = os.lstat(folder / LEGACY_LOCK_FILE)
        if stat.S_ISREG(info.st_mode) and info.st_size == 0:
            os.unlink(folder / LEGACY_LOCK_FILE)


# --------------------------------------------------------------------------- atomic writes


def atomic_write(path: Path, text: str, mode: int = 0o600, *, links: str = "replace") -> Path:
    """Write `text` to `path` atomically with `mode`; return the file written (module doc)."""
    return atomic_write_bytes(path, text.encode("utf-8"), mode, links=links)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600, *, links: str = "replace") -> Path:
    """`atomic_write` for bytes."""
    path = Path(path)
    if links == "follow":
        target = final_target(path)
    elif links == "refuse":
        if path.is_symlink():
            raise WriteProblem(link_refused(path))
        target = path
    elif links == "replace":
        target = path
    else:
        raise ValueError(f"links={links!r}")
    _check_replaceable(path, target, allow_link=links == "replace")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(folder, target.name)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _remove_legacy_lock(folder)
    return target
