"""Benchmark the app as a user feels it: start-up, chip press → new command, bytes per press.

Run:  .venv/bin/python benchmarks/bench_tui.py  [--quick]

1. Start to first frame: a fresh Python process per run (interpreter start, imports,
   rules, compose, first paint), for `dsv4` and for a minimal Textual app (one Static
   "hello"); medians and the RATIO dsv4 / minimal, which is what the README quotes.
2. Chip press → new command on screen: Enter on a Strategy chip (alternating between two
   options), timed until the first frame written to the terminal that shows the new command;
   median and p95.
3. Bytes written to the terminal per chip press (the full frame updates, escape codes and all).

The terminal is a driver that behaves like a real one for Textual (not headless: frames are
rendered to escape sequences) but counts the bytes instead of writing them. Truecolor, 120x40.
Everything runs in one go in well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # works from a checkout without installing
os.environ.setdefault("TEXTUAL_COLOR_SYSTEM", "truecolor")  # read when textual is imported
SIZE = (120, 40)


# --------------------------------------------------------------------------- the terminal


def counting_driver():
    """A driver class that renders like a terminal but only counts what it would write."""
    from textual.drivers.headless_driver import HeadlessDriver

    class CountingDriver(HeadlessDriver):
        bytes_written = 0
        writes = 0

        @property
        def is_headless(self) -> bool:  # so the app renders frames and writes them
            return False

        def write(self, data: str) -> None:
            CountingDriver.bytes_written += len(data.encode("utf-8"))
            CountingDriver.writes += 1

        def flush(self) -> None:
            pass

    return CountingDriver


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# --------------------------------------------------------------------------- 1. start-up


def child(which: str) -> int:
    """In a fresh process: build the app, run it until its first frame is written, exit."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    if which == "dsv4":
        from dsv4_tui.app import DSV4App
        from dsv4_tui.host.rules_files import load_rules

        app: App = DSV4App(load_rules(ROOT / "rules"), detect=False, remember=False)
    else:

        class Hello(App):
            def compose(self) -> ComposeResult:
                yield Static("hello")

        app = Hello()

    app.driver_class = counting_driver()
    display = app._display

    def first_frame(screen, renderable) -> None:
        display(screen, renderable)
        done = getattr(app, "_bench_done", False)
        if renderable is not None and app._driver is not None and app._driver.bytes_written and not done:
            app._bench_done = True
            os.write(1, b"FRAME\n")  # not sys.stdout: Textual redirects it while running
            app.exit()

    app._display = first_frame  # type: ignore[method-assign]

    async def main() -> None:
        async with app.run_test(headless=False, size=SIZE) as pilot:
            while not getattr(app, "_bench_done", False):
                await pilot.pause(0.001)

    asyncio.run(main())
    return 0


def start_to_first_frame(which: str) -> float:
    env = {**os.environ, "DSV4_CONFIG_DIR": os.environ["DSV4_BENCH_CONFIG"], "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", which], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    _, err = proc.communicate(timeout=30)
    if line.strip() != b"FRAME":
        raise RuntimeError(f"{which}: no frame; stderr:\n{err.decode(errors='replace')[-2000:]}")
    return elapsed


# --------------------------------------------------------------------------- 2+3. chip presses


async def chip_presses(presses: int) -> tuple[list[float], list[int]]:
    from textual import events
    from textual.widgets import Static

    from dsv4_tui.app import DSV4App
    from dsv4_tui.host.rules_files import load_rules

    app = DSV4App(load_rules(ROOT / "rules"), detect=False, remember=False)
    driver_class = counting_driver()
    app.driver_class = driver_class
    frames: list[tuple[float, str]] = []  # (time written, command text then on screen)
    display = app._display

    async with app.run_test(headless=False, size=SIZE) as pilot:
        command = app.query_one("#deploy-pane #deploy-command .command", Static)

        def timed_display(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None:
                frames.append((time.perf_counter(), command.content.plain))

        app._display = timed_display  # type: ignore[method-assign]
        await pilot.pause()
        options = ["balanced", "low-latency"]
        latencies: list[float] = []
        sizes: list[int] = []
        for i in range(presses + 2):  # the first two are warm-up
            chip = app.query_one(f"#deploy-pane #chip-strategy-{options[i % 2]}")
            chip.focus()
            await pilot.pause(0.02)  # let the focus frame go out; it is not part of the press
            before = command.content.plain
            frames.clear()
            bytes0 = driver_class.bytes_written
            t0 = time.perf_counter()
            # As a terminal driver does it: one Key event into the app's queue (pilot.press
            # would add its own waiting to the timing).
            app.post_message(events.Key("enter", "\r"))
            for _ in range(2000):  # until the new command has been written (bounded)
                shown = [t for t, text in frames if text != before]
                if shown:
                    break
                await asyncio.sleep(0.0005)
            else:
                raise RuntimeError("the command never changed on screen")
            await pilot.pause(0.02)  # trailing frames of this press (status line, chips)
            if i >= 2:
                latencies.append(shown[0] - t0)
                sizes.append(driver_class.bytes_written - bytes0)
            assert app.selection.strategy == options[i % 2]
    return latencies, sizes


# --------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--child", choices=["dsv4", "hello"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.child)

    import tempfile

    starts, presses = (3, 10) if args.quick else (10, 50)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dsv4-bench-") as cfg:
        os.environ["DSV4_BENCH_CONFIG"] = cfg
        os.environ["DSV4_CONFIG_DIR"] = cfg
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
            os.environ.pop(name, None)
        start_to_first_frame("hello")  # warm the OS file cache once
        start_to_first_frame("dsv4")
        hello, dsv4 = [], []
        for _ in range(starts):  # interleaved, so drift hits both alike
            hello.append(start_to_first_frame("hello"))
            dsv4.append(start_to_first_frame("dsv4"))
        latencies, sizes = asyncio.run(chip_presses(presses))

    import textual

    print(
        f"dsv4 TUI benchmark — Python {platform.python_version()}, Textual {textual.__version__}, {platform.machine()}"
    )
    print(f"terminal {SIZE[0]}x{SIZE[1]}, truecolor; start-up: {starts} fresh processes each; {presses} chip presses\n")
    rows = [
        ("start → first frame, minimal app (median)", ms(statistics.median(hello))),
        ("start → first frame, dsv4 (median)", ms(statistics.median(dsv4))),
        ("  ratio dsv4 / minimal", f"{statistics.median(dsv4) / statistics.median(hello):8.2f} x"),
        ("chip press → new command on screen (median)", ms(statistics.median(latencies))),
        ("chip press → new command on screen (p95)", ms(percentile(latencies, 95))),
        ("bytes to the terminal per chip press (median)", f"{statistics.median(sizes):8.0f} B"),
        ("bytes to the terminal per chip press (max)", f"{max(sizes):8.0f} B"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value':>11}")
    print(f"{'-' * width}  {'-' * 11}")
    for label, value in rows:
        print(f"{label.ljust(width)}  {value:>11}")
    print(f"\n(total {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
