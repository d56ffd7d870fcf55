#!/usr/bin/env python3
"""Refresh the facts the tests read (tests/data/) from ../shared/reference when it is present.

The tests never read ../shared: a clone of this repository has only tests/data/. Run this
after the cookbook's reference files change, then review `git diff tests/data`.

    python tools/refresh_test_data.py [SHARED_REFERENCE_DIR]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "tests" / "data" / "reference"
# What the tests use, relative to shared/reference (and to tests/data/reference).
FILES = (
    "deepseek-v4-cookbook.json",
    "examples/deploy-examples.json",
    "examples/playground-scenarios.json",
)


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "reference"
    if not source.is_dir():
        print(f"refresh_test_data: {source} not found; nothing to refresh", file=sys.stderr)
        return 1
    changed = 0
    for name in FILES:
        src, dst = source / name, DEST / name
        if not src.is_file():
            print(f"refresh_test_data: {src} is missing", file=sys.stderr)
            return 1
        if dst.is_file() and dst.read_bytes() == src.read_bytes():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        changed += 1
        print(f"updated {dst.relative_to(ROOT)}")
    print(f"{changed} of {len(FILES)} files changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
