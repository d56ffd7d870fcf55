"""Following a log that may be gigabytes long, in constant memory.

`LogTail` reads from an offset in chunks of at most CHUNK bytes and hands out whole lines.
A line longer than MAX_PARTIAL bytes is cut there (the rest of it, up to its newline, is
skipped), so what it holds is bounded by CHUNK + MAX_PARTIAL bytes whatever the file holds;
`held_max` records the most it ever held (the tests check it against `bound`). Attaching to
a long log starts TAIL_START bytes before its end, at a line start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

CHUNK = 64 * 1024
MAX_PARTIAL = 8 * 1024
TAIL_START = 4 * 1024 * 1024  # bytes of an existing log read when attaching
READ_BUDGET = 4 * 1024 * 1024  # bytes read per call at most (the caller comes back for more)


def stream_lines(stream, limit: int | None = None) -> Iterator[str]:
    """The lines of a binary stream (stdin), with LogTail's bound: CHUNK + MAX_PARTIAL bytes."""
    tail = LogTail(Path("-"))
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        yield from tail._split(chunk)
    last = tail.flush()
    if last is not None:
        yield last


class LogTail:
    def __init__(self, path: Path, offset: int = 0):
        self.path = Path(path)
        self.offset = offset  # the next byte to read
        self.skipped = 0  # bytes of the log never read (attached to the tail)
        self._partial = b""
        self._dropping = False  # inside an over-long line: skip to its newline
        self.held_max = 0

    @property
    def bound(self) -> int:
        return CHUNK + MAX_PARTIAL

    @classmethod
    def attach(cls, path: Path, tail: int = TAIL_START) -> LogTail:
        """Follow `path` from `tail` bytes before its current end (from a line start)."""
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        follower = cls(path, max(0, size - tail))
        follower.skipped = follower.offset
        if follower.offset:
            follower._dropping = True  # mid-line: the first line is partial, skip it
        return follower

    def read_lines(self, budget: int = READ_BUDGET) -> Iterator[str]:
        """The whole lines written since the last call (at most `budget` bytes read)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return
        try:
            size = os.fstat(fd).st_size
            if size < self.offset:  # truncated or replaced: start again
                self.offset, self._partial, self._dropping = 0, b"", False
            read = 0
            while read < budget:
                chunk = os.pread(fd, CHUNK, self.offset)
                if not chunk:
                    break
                self.offset += len(chunk)
                read += len(chunk)
                yield from self._split(chunk)
        finally:
            os.close(fd)

    def _split(self, chunk: bytes) -> Iterator[str]:
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            if nl == -1:
                rest = chunk[start:]
                if not self._dropping:
                    room = MAX_PARTIAL - len(self._partial)
                    if len(rest) > room:
                        line = self._partial + rest[:room]
                        self._partial, self._dropping = b"", True
                        self._note(len(line) + len(chunk))
                        yield line.decode("utf-8", "replace")
                    else:
                        self._partial += rest
                self._note(len(self._partial) + len(chunk))
                return
            piece = chunk[start:nl]
            if self._dropping:
                self._dropping = False
            else:
                line = self._partial + piece[: MAX_PARTIAL - len(self._partial)]
                self._partial = b""
                self._note(len(line) + len(chunk))
                yield line.decode("utf-8", "replace")
            start = nl + 1

    def _note(self, held: int) -> None:
        if held > self.held_max:
            self.held_max = held

    def flush(self) -> str | None:
        """The last line when the file ends without a newline (the process has ended)."""
        if self._partial and not self._dropping:
            line, self._partial = self._partial, b""
            return line.decode("utf-8", "replace")
        return None
