"""A fake `sglang` command for the run tests: `sglang serve … --host H --port P` replays a
realistic SGLang log (tests/data/runlogs/<scenario>.log) and, when the log gets there,
serves /health, /metrics, /v1/models and a chat completion (tests/sglang_fake.py).

Put on PATH by the `fake_sglang_cli` fixture (conftest). Controlled by the environment:
FAKE_SGLANG_SCENARIO (default: success), FAKE_SGLANG_CTL (a folder: `@wait NAME` in the log
waits until the file NAME exists there; without it `@wait` is skipped). Directives in a log:
`@wait NAME`, `@serve` (bind and serve; a taken port prints uvicorn's error and exits 1),
`@exit N`. A log line's `[YYYY-MM-DD HH:MM:SS` stamp is replaced with the current time.
After the log, a serving fake stays up until SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sglang_fake import FakeSGLang  # noqa: E402

STAMP = re.compile(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
WAIT_BOUND_S = 120.0


def _arg(argv: list[str], flag: str, default: str) -> str:
    for i, word in enumerate(argv):
        if word == flag and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(flag + "="):
            return word.split("=", 1)[1]
    return default


def _wait(name: str) -> None:
    ctl = os.environ.get("FAKE_SGLANG_CTL")
    if not ctl:
        return
    flag = Path(ctl) / name
    deadline = time.monotonic() + WAIT_BOUND_S
    while not flag.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "serve":
        print("usage: sglang serve --model-path MODEL [...]", file=sys.stderr)
        return 2
    host, port = _arg(argv, "--host", "127.0.0.1"), int(_arg(argv, "--port", "30000"))
    model = _arg(argv, "--model-path", "model")
    scenario = os.environ.get("FAKE_SGLANG_SCENARIO", "success")
    log = (HERE / "data" / "runlogs" / f"{scenario}.log").read_text(encoding="utf-8")
    server = None
    stop = threading.Event()

    def terminated(*_):  # like SGLang: SIGTERM ends the server
        print("[" + time.strftime("%Y-%m-%d %H:%M:%S") + "] Received SIGTERM, shutting down", flush=True)
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, terminated)
    for line in log.splitlines():
        if line.startswith("@wait "):
            _wait(line.split(" ", 1)[1])
            continue
        if line == "@serve":
            try:
                server = FakeSGLang(port, "success", model, "127.0.0.1" if host in ("0.0.0.0", "") else host)
            except OSError:
                now = time.strftime("%Y-%m-%d %H:%M:%S")
                print(
                    f"[{now}] ERROR:    [Errno 98] error while attempting to bind on address ('{host}', {port}): address already in use",
                    flush=True,
                )
                return 1
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            continue
        if line.startswith("@exit "):
            return int(line.split(" ", 1)[1])
        print(STAMP.sub("[" + time.strftime("%Y-%m-%d %H:%M:%S"), line), flush=True)
    if server is None:
        return 0
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
