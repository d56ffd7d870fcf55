"""The App's terminal going away: a lost terminal ends the app (exit code 129).

SIGHUP (ssh dropped, the window closed; handled even when `nohup` ignored it), or the
terminal's input hanging up without a signal (the app is not the terminal's controlling
process): Textual's input thread would spin on it forever. `run_app` asks for this
(`watch_terminal`); Pilot tests do not.
"""

from __future__ import annotations

import asyncio
import signal

from ..errors import EXIT_TERMINAL_LOST

TERMINAL_LOST = EXIT_TERMINAL_LOST


class TerminalActions:
    """Mixed into the App (`exit`); started in its on_mount, stopped in its on_unmount."""

    watch_terminal = False  # `run_app` sets it: the `dsv4` process, not a Pilot test
    _hangup_watch = None  # a HangupWatch while the app watches its terminal

    def _watch_terminal(self) -> None:
        from ..host.terminal import HangupWatch

        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, self.terminal_lost)
        self._hangup_watch = HangupWatch(0, lambda: loop.call_soon_threadsafe(self.terminal_lost)).start()

    def _unwatch_terminal(self) -> None:
        if self._hangup_watch is None:
            return
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        self._hangup_watch.stop()
        self._hangup_watch = None

    def terminal_lost(self) -> None:
        """Nobody is there to see the screen: save the state (on unmount) and end."""
        self.exit(None, return_code=TERMINAL_LOST)  # type: ignore[attr-defined]
