"""Benchmark reading a hostile Env file (issue 19, item 14): 10^5 unknown keys, and the
most keys allowed (100) among 10^5 comment lines. Both used to scan every line once per key
(over 60 s for 10^5 keys); now one pass, and more than 100 keys is one problem.

Run:  .venv/bin/python benchmarks/bench_env_file.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # works from a checkout without installing

from dsv4_tui.core.env import MAX_ENV_KEYS, EnvError, parse_env_toml  # noqa: E402
from dsv4_tui.host.rules_files import load_rules  # noqa: E402


def timed(name: str, text: str, placeholders) -> None:
    t0 = time.perf_counter()
    try:
        parse_env_toml(text, placeholders, "env.toml")
        problems = 0
    except EnvError as exc:
        problems = len(exc.problems)
    print(f"{name:45} {len(text) / 1e6:5.1f} MB  {time.perf_counter() - t0:6.3f} s  {problems} problem line(s)")


def main() -> None:
    placeholders = load_rules().model.placeholders
    timed("10^5 unknown keys", "".join(f'K{i} = "x"\n' for i in range(100_000)), placeholders)
    comments = "# a comment line\n" * 100_000
    keys = "".join(f'K{i} = "x"\n' for i in range(MAX_ENV_KEYS))
    timed(f"{MAX_ENV_KEYS} unknown keys after 10^5 comment lines", comments + keys, placeholders)


if __name__ == "__main__":
    main()
