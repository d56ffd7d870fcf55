"""The `dsv4` script's entry point: `cli.main`, with its imports made without collecting.

Importing dsv4 (and, for the app, Textual) creates tens of thousands of objects and no
garbage, yet Python's collector scans them all several times on the way: tens of
milliseconds of a start-up. So the collector is off while `cli` is imported; the app keeps
it off until it has settled (`DSV4App._settle`), the other commands turn it back on once
their arguments are read (`cli.main`). The app's rules are loaded with it off too: the
first collection after the imports would scan everything they made (twice: young, then
middle-aged), several milliseconds in the middle of reading the rules cache.
"""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from .cli import main as cli_main

    return cli_main()
