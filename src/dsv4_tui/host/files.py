"""Reading and writing the user's files safely.

- `read_text`: only a regular file, at most `limit` bytes, never blocking: a FIFO or
  `/dev/zero` in place of a file is reported, not read forever.
- `atomic_write`: temp file in the same folder, fsync, `os.replace`; under a lock, so stale
  temp files of our own pattern (left by a process killed mid-save) are removed at the next
  save without touching a save in progress. A symlink is written through: its target is
  replaced and the link stays (`write_target` says where that is).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

MAX_TEXT_BYTES = 4 * 1024 * 1024  # far above any rules or Env file; far below "reads forever"


class ReadProblem(OSError):
    """A file that is there but cannot be used: not a regular file, too large, not UTF-8."""


def read_text(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of the regular file `path`. FileNotFoundError when it does not exist;
    ReadProblem (with a plain message) for anything else that is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ReadProblem(f"{path}: cannot open: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ReadProblem(f"{path}: {kind}; expected a text file")
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ReadProblem(f"{path}: larger than {limit // (1024 * 1024)} MB; not read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadProblem(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def write_target(path: Path) -> Path:
    """Where a write to `path` lands: the file a symlink points to, else `path` itself."""
    return path.resolve() if path.is_symlink() else path


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


LOCK_FILE = ".dsv4.lock"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on `folder/.dsv4.lock` (released by the OS if the process dies)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, no stale-file cleanup
        yield
        return
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_stale_temps(folder: Path, name: str) -> int:
    """Remove `.name.*.tmp` files left in `folder` by a save that never finished."""
    removed = 0
    for leftover in folder.glob(f".{name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed += 1
    return removed


def atomic_write(path: Path, text: str, mode: int = 0o600) -> Path:
    """Write `text` to `path` atomically with `mode`; return the file written (see module doc)."""
    return atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """`atomic_write` for bytes."""
    target = write_target(Path(path))
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
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
    return target
