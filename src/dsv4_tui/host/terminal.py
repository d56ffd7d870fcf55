"""The terminal the app draws on: is there one, is it still there, and where it is when
stdout is redirected (`dsv4 > launch.sh`).

Textual draws on stderr, but asks for the terminal's size on stdout (through
`shutil.get_terminal_size`): redirected, it would lay the screen out at 80x24 whatever the
real size, and never follow a resize. While the app runs, file descriptor 1 points at the
terminal (stderr's); the file gets back its descriptor, and only the command, afterwards.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def stdout_on_terminal() -> Iterator[None]:
    try:
        redirected = not os.isatty(1) and os.isatty(2)
    except OSError:  # pragma: no cover - a closed descriptor
        redirected = False
    if not redirected:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def has_terminal() -> bool:
    """The app can run: keys come from a terminal (stdin) and the screen goes to one (stderr,
    where Textual draws). stdout may be redirected: `dsv4 > launch.sh` gets the command."""
    try:
        return os.isatty(0) and os.isatty(2)
    except OSError:  # pragma: no cover - a closed descriptor
        return False


class HangupWatch:
    """Calls `on_hangup` (from its own thread) once the terminal behind `fd` is gone: the
    other end closed (ssh dropped, the terminal window closed) or the input at its end.

    poll() with no event asked for still reports hang-up and error, so the thread sleeps in
    the kernel until then: no timer, no CPU. `stop()` wakes it through a pipe and ends it."""

    def __init__(self, fd: int, on_hangup: Callable[[], None]):
        self._fd = fd
        self._on_hangup = on_hangup
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="dsv4-hangup", daemon=True)

    def start(self) -> HangupWatch:
        self._thread.start()
        return self

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, 0)
        poller.register(self._wake_r, select.POLLIN)
        gone = select.POLLHUP | select.POLLERR | select.POLLNVAL
        try:
            while True:
                for fd, event in poller.poll():
                    if fd == self._wake_r:
                        return
                    if event & gone:
                        self._on_hangup()
                        return
        finally:
            os.close(self._wake_r)

    def stop(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:  # pragma: no cover - the thread already closed its end
            pass
        self._thread.join(timeout=5)
        os.close(self._wake_w)
