"""The Run tab in each state, as deterministic views, and their screenshots.

    .venv/bin/python tools/screenshots.py run-ready …   (make screenshots takes them all)
    .venv/bin/python tools/run_screenshot.py [--out DIR]   (these six alone)

Writes screenshots/run-<state>.svg for: empty, downloading, loading, capturing, ready and
failed. Each view is what the App computes (core/run: LogWatch, phase_rows, headline,
MetricsHistory) from a recorded log (tests/data/runlogs/) replayed up to that state, with
fixed clocks, a fixed probe report and fixed /metrics samples, so the pictures never change.
The snapshot tests (tests/test_snapshots_run.py) use the same views.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNLOGS = ROOT / "tests" / "data" / "runlogs"
SIZE = (120, 44)
STATES = ("empty", "downloading", "loading", "capturing", "ready", "failed")
RUN_ID = "20261207-150000"
PORT = 30000
PROBE = (
    "OK — the model on 127.0.0.1:30000 replied",
    "Status: HTTP 200, 412 ms",
    "Streamed: first token after 388 ms, 7 tokens (the whole answer)",
    "Reply: Hello! How can I help you today?",
    "Health: 200 OK",
    "Model: sgl-project/DeepSeek-V4-Flash-FP8 (matches)",
)


def _metrics_text(i: int, names) -> str:
    """One fixed /metrics sample: a load that ramps up, then holds."""
    load = min(i, 12)
    return "\n".join(
        [
            f"{names.throughput} {180.0 * load + 35.0 * (i % 3)}",
            f"{names.running} {4 * load // 3}",
            f"{names.queued} {max(0, load - 9)}",
            f"{names.kv_usage} {0.03 * load + 0.01 * (i % 2)}",
            f"{names.ttft_sum} {0.21 * i * i}",
            f"{names.ttft_count} {i * i}",
        ]
    )


def views(rules):
    """{state: RunView} for STATES."""
    from dsv4_tui.core.run.metrics import MetricsHistory
    from dsv4_tui.core.run.view import RunView, headline, phase_rows
    from dsv4_tui.core.run.watch import LogWatch, line_time

    command = (ROOT / "tests" / "data" / "runlogs" / "success.log").read_text()  # only for its stamps
    base = line_time(command.splitlines()[0]) or 0.0
    text = (
        "SGLANG_DSV4_FP4_EXPERTS=0 sglang serve --trust-remote-code --model-path sgl-project/DeepSeek-V4-Flash-FP8"
        " --tp 4 --speculative-algorithm EAGLE … --host 127.0.0.1 --port 30000"
    )

    def replay(name: str, until: str | None):
        watch = LogWatch(rules.run, rules.failures)
        now = base
        for line in (RUNLOGS / f"{name}.log").read_text().splitlines():
            if line.startswith("@"):
                continue
            now = line_time(line) or now + 5
            watch.feed(line, now)
            if until and until in line:
                break
        return watch, now + 7

    def view(watch, now, state="running", **more):
        healthy = bool(more.get("probe"))
        return RunView(
            run_id=RUN_ID,
            state=state,
            headline=headline(watch, state, healthy),
            port=PORT,
            age=_ago(now - base),
            command=text,
            log=f"~/.config/dsv4/runs/{RUN_ID}/server.log",
            phases=phase_rows(watch, now),
            failure=watch.failure,
            **more,
        )

    out = {"empty": RunView()}
    for state, marker in (("downloading", "model-00023-of-00046"), ("loading", "12/46"), ("capturing", "5/12")):
        watch, now = replay("success", marker)
        out[state] = view(watch, now, probe_note="waiting for /health")
    watch, now = replay("success", None)
    history = MetricsHistory(rules.run.metrics)
    for i in range(1, 31):
        history.add(_metrics_text(i, rules.run.metrics))
    keys = ("throughput", "running", "queued", "kv_usage", "ttft_s")
    out["ready"] = view(
        watch,
        now + 60,
        probe=PROBE,
        sample=history.last,
        series={k: tuple(history.series(k)) for k in keys},
    )
    watch, now = replay("cuda-oom-graph", None)
    out["failed"] = view(watch, now, state="exited 1")
    return out


def _ago(seconds: float) -> str:
    from dsv4_tui.core.run.plan import ago

    return ago(seconds)


async def show(pilot, view) -> None:
    """Put `view` in the App (as the follower would) and show the Run tab."""
    pilot.app.stop_following()
    pilot.app.run_view = view
    await pilot.press("4")
    await pilot.pause()


async def take(out: Path) -> list[Path]:
    from dsv4_tui.app import DSV4App
    from dsv4_tui.host.rules_files import load_rules

    rules = load_rules(ROOT / "rules")
    written = []
    for state, view in views(rules).items():
        app = DSV4App(rules, detect=False, remember=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await show(pilot, view)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            written.append(Path(app.save_screenshot(filename=f"run-{state}.svg", path=str(out))))
    return written


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = p.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dsv4-run-shot-") as folder:
        os.environ["DSV4_CONFIG_DIR"] = folder
        for path in asyncio.run(take(out)):
            print(path)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
