"""The `dsv4` app. `run_app` starts it for the CLI and hands back the exit code."""

from __future__ import annotations

import gc
import sys

from ..core.rules import Rules
from ..core.view import unfilled
from ..host.terminal import stdout_on_terminal
from .main import DSV4App
from .terminal_actions import TERMINAL_LOST

__all__ = ["DSV4App", "run_app"]


def run_app(rules: Rules, *, detect: bool = True, print_on_exit: bool = False, probe_deadline: float = 60.0) -> int:
    """Run the app; print the command it returns (x, or --print-on-exit) to stdout."""
    # No garbage collection while starting: the app turns it on once built (DSV4App._settle).
    gc.disable()
    try:
        app = DSV4App(
            rules,
            detect=detect,
            print_on_exit=print_on_exit,
            probe_deadline=probe_deadline,
            settle_gc=True,
        )
        app.watch_terminal = True  # a lost terminal ends it (SIGHUP, or the input hanging up)
        with stdout_on_terminal():  # `dsv4 > launch.sh`: the UI still sees the real terminal
            try:
                result = app.run()
            except OSError:
                if app.return_code != TERMINAL_LOST:
                    raise
                result = None  # the terminal is gone: Textual's last words to it cannot be written
    finally:
        gc.enable()
    if result:
        sys.stdout.write(result + "\n")
        left = unfilled(result)
        if left:
            print(f"dsv4: fill in before running: {', '.join(left)}", file=sys.stderr)
    if app.crashed:
        print("dsv4: the app stopped on an internal error (see above)", file=sys.stderr)
        return 1
    return app.return_code or 0
