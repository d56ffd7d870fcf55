"""Exit codes and usage errors: the contract scripts rely on.

0 ok · 1 a broken rules / Env file or a bad Env value (or a doctor check that failed) ·
2 a bad argument (or no terminal for the app) · 3 a lint error in the command · 129 the
app's terminal went away.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_USAGE = 2
EXIT_LINT = 3
EXIT_TERMINAL_LOST = 129  # the app's terminal went away (128 + SIGHUP, as a shell says)


class UsageError(Exception):
    """A bad command-line argument: printed as `dsv4: <message>`, exit 2."""
