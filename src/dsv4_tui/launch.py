"""The `dsv4` script's entry point: `cli.main`, with its imports made without collecting.

Importing dsv4 (and, for the app, Textual) creates tens of thousands of objects and no
garbage, yet Python's collector scans them all several times on the way: tens of
milliseconds of a start-up. So the collector is off while `cli` is imported; the app keeps
it off until it has settled (`DSV4App._settle`), the other commands turn it back on here.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    try:
        from .cli import main as cli_main
    finally:
        gc.enable()
    return cli_main()
