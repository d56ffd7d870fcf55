"""Write the README screenshots (SVG) into screenshots/: `make screenshots`.

Each shot is (name, (width, height), setup): the app starts headless with `run_test`
(detect=False, a fresh config folder, the default Env), `setup(pilot)` drives it like a
user, then `app.save_screenshot` writes screenshots/<name>.svg.

To add shots (e.g. the Playground), append to SHOTS — or call `register(name, size, setup)`
from another module before `main()`:

    async def playground_default(pilot):
        await pilot.press("2")

    SHOTS.append(Shot("playground-default", (120, 40), playground_default))
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
# The Env screen shows the config path: each shot runs in a fresh temporary folder of its own
# (deleted afterwards, nothing else) with the config as the relative path `config`.
CONFIG_DIR = Path("config")
WIDE = (120, 40)

Setup = Callable[["object"], Awaitable[None]]


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    setup: Setup


async def pick(pilot, *choices: tuple[str, str]) -> None:
    """Choose like a user: highlight each chip and press Enter."""
    from dsv4_tui.widgets.chips import ChipRow

    for dim, value in choices:
        pilot.app.query_one(f"#deploy-pane #row-{dim}", ChipRow).highlight(value)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()


async def nothing(pilot) -> None:
    await pilot.pause()


async def rtx6000(pilot) -> None:
    await pick(pilot, ("hw", "rtx6000"))
    await pilot.press("down", "right")  # the greyed Pro chip says why


async def multinode(pilot) -> None:
    await pick(pilot, ("hw", "gb200"), ("variant", "pro"), ("strategy", "balanced"))


async def docker(pilot) -> None:
    await pilot.press("p")


async def amd(pilot) -> None:
    await pick(pilot, ("hw", "mi355x"))


async def env(pilot) -> None:
    await pilot.press("e")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def curl_refused(pilot) -> None:
    app = pilot.app
    port = 38518
    with socket.socket() as sock:  # use a fixed port for a stable picture when it is free
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            port = closed_port()
    app.env = app.env.with_values({"CURL_HOST": "127.0.0.1", "CURL_PORT": str(port)})
    await pilot.pause()
    await pilot.press("u")
    await pilot.pause()
    await pilot.press("r")
    await pilot.pause()
    await app.workers.wait_for_complete()


async def playground(pilot, *picks: tuple[str, str], diff: bool = False, scroll_to: str | None = None) -> None:
    """Switch to the Playground, set knobs (as `app.pick` does for a chip), maybe show the diff."""
    app = pilot.app
    await pilot.press("2")
    await pilot.pause()
    for key, choice in picks:
        app.pick(key, choice)
        await pilot.pause()
    if diff:
        await pilot.press("d")
        await pilot.pause()
    if scroll_to:  # a card's first line at the top of the pane
        from dsv4_tui.widgets.knob_cards import KnobCards

        app.query_one("#pg-cards", KnobCards).reveal_card(scroll_to)
        await pilot.pause()


async def playground_megamoe(pilot) -> None:
    await pick(pilot, ("strategy", "high-throughput"))
    await playground(pilot, ("moe_quant", "w4a4"), diff=True, scroll_to="moe")


async def playground_pd_hisparse(pilot) -> None:
    await pick(pilot, ("hw", "gb300"), ("strategy", "balanced"))
    await playground(pilot, ("pd_mode", "decode"), ("hisparse", "on"), ("hisparse_ratio", "5"), scroll_to="pd")


async def checks(pilot) -> None:
    """H200 · Flash · FP8 · Balanced with MTP 3-1-4 in the Playground, then its findings."""
    await pick(pilot, ("hw", "h200"), ("quant", "fp8"), ("strategy", "balanced"))
    await playground(pilot, ("speculative", "mtp-314"))
    await pilot.app.workers.wait_for_complete()
    await pilot.press("l")
    await pilot.pause()


async def export(pilot) -> None:
    await pick(pilot, ("hw", "gb200"), ("variant", "pro"), ("strategy", "balanced"))
    await pilot.app.workers.wait_for_complete()
    await pilot.press("E")
    await pilot.pause()


async def srt_slurm(pilot) -> None:
    """GB300 · Pro · multi-node: NVIDIA's srt-slurm recipes, one chosen (its srtctl line is copied)."""
    await pick(pilot, ("hw", "gb300"), ("variant", "pro"), ("nodes", "multi-2"))


async def playground_refused(pilot) -> None:
    """An option SGLang would refuse (NGRAM for DeepSeek-V4): greyed; Enter on it says why."""
    await playground(pilot)
    for _ in range(250):  # the greying is worked out in steps after the switch (bounded wait)
        if pilot.app._gate_job is None:
            break
        await pilot.pause(0.02)
    from dsv4_tui.widgets.playground_pane import PlaygroundPane

    pilot.app.query_one("#playground-pane", PlaygroundPane).knob_row("speculative").highlight("ngram")
    await pilot.pause()
    await pilot.press("enter")  # a greyed chip says why, on the status line
    await pilot.pause()


async def playground_rtx6000(pilot) -> None:
    await pick(pilot, ("hw", "rtx6000"))
    await playground(pilot)


SHOTS: list[Shot] = [
    Shot("deploy-default", WIDE, nothing),
    Shot("deploy-rtx6000", WIDE, rtx6000),
    Shot("deploy-multinode", WIDE, multinode),
    Shot("deploy-docker", WIDE, docker),
    Shot("deploy-amd", WIDE, amd),
    Shot("env", WIDE, env),
    Shot("curl-refused", WIDE, curl_refused),
    Shot("deploy-80x24", (80, 24), nothing),
    Shot("deploy-60x20", (60, 20), nothing),
    Shot("checks", WIDE, checks),
    Shot("export", WIDE, export),
    Shot("playground-megamoe-w4a4", WIDE, playground_megamoe),
    Shot("playground-pd-hisparse", WIDE, playground_pd_hisparse),
    Shot("playground-rtx6000", WIDE, playground_rtx6000),
    Shot("deploy-srt-slurm", WIDE, srt_slurm),
    Shot("playground-refused", (160, 45), playground_refused),
]


def run_tab(state: str) -> Setup:
    """The Run tab in `state` (tools/run_screenshot.py: a recorded log replayed to that state)."""

    async def setup(pilot) -> None:
        import run_screenshot

        await run_screenshot.show(pilot, run_screenshot.views(pilot.app.rules)[state])

    return setup


RUN_STATES = ("empty", "downloading", "loading", "capturing", "ready", "failed")  # = run_screenshot.STATES
SHOTS += [Shot(f"run-{state}", (120, 44), run_tab(state)) for state in RUN_STATES]


def register(name: str, size: tuple[int, int], setup: Setup) -> None:
    """Add a shot (e.g. from the Playground's own module)."""
    SHOTS.append(Shot(name, size, setup))


async def take(shot: Shot, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="dsv4-screenshot-") as folder:
        here = os.getcwd()
        os.chdir(folder)
        os.environ["DSV4_CONFIG_DIR"] = str(CONFIG_DIR)
        try:
            return await _take(shot, out.resolve())
        finally:
            os.chdir(here)


async def _take(shot: Shot, out: Path) -> Path:
    from dsv4_tui.app import DSV4App
    from dsv4_tui.host.rules_files import load_rules

    app = DSV4App(load_rules(ROOT / "rules"), detect=False, remember=False)
    async with app.run_test(size=shot.size) as pilot:
        await pilot.pause()
        await shot.setup(pilot)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return Path(app.save_screenshot(filename=f"{shot.name}.svg", path=str(out)))


async def run(names: list[str], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    chosen = [s for s in SHOTS if not names or s.name in names]
    unknown = set(names) - {s.name for s in SHOTS}
    if unknown:
        raise SystemExit(f"unknown shot(s): {', '.join(sorted(unknown))}; known: {', '.join(s.name for s in SHOTS)}")
    written = []
    for shot in chosen:
        written.append(await take(shot, out))
        print(f"wrote {written[-1].relative_to(ROOT) if written[-1].is_relative_to(ROOT) else written[-1]}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these shots (default: all)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: screenshots/)")
    args = parser.parse_args(argv)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):  # copy nothing to this machine's clipboard
        os.environ.pop(name, None)
    asyncio.run(run(args.names, args.out))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "tools"))
    sys.exit(main())
