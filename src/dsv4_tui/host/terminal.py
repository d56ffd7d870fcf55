"""The terminal the app draws on, when stdout is redirected (`dsv4 > launch.sh`).

Textual draws on stderr, but asks for the terminal's size on stdout (through
`shutil.get_terminal_size`): redirected, it would lay the screen out at 80x24 whatever the
real size, and never follow a resize. While the app runs, file descriptor 1 points at the
terminal (stderr's); the file gets back its descriptor, and only the command, afterwards.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


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
