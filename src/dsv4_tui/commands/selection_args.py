"""The selection options every command shares (`--hw … --nodes`), and the Env options.

Ids are case-insensitive and labels are accepted (`--hw H200`, `--hw "RTX PRO 6000"`). A
value given explicitly that cannot be honoured is an error (exit 2) naming the reason and
the nearest valid selection as a ready-to-run command line, unless `--nearest` asks to
resolve the way the page does. A dimension left out takes the first valid value.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.env import Env, EnvError, parse_assignments
from ..core.formats import FRAMINGS
from ..core.ids import UnknownId, find_id
from ..core.rules import DIMS, Rules
from ..core.selection import Selection, resolve
from ..errors import UsageError
from ..host.envfile import load_env_file
from ..host.paths import env_path


def add_selection_args(parser: argparse.ArgumentParser, nearest: bool = True) -> None:
    g = parser.add_argument_group("selection (ids or labels, any case; left out: the first valid value)")
    for dim in DIMS:
        g.add_argument(f"--{dim}", metavar="ID")
    if nearest:
        g.add_argument(
            "--nearest", action="store_true", help="resolve a selection that has no cell like the page does (exit 0)"
        )


def add_framing_args(parser: argparse.ArgumentParser) -> None:
    """--format python|docker, or --docker (print, doctor, run)."""
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--format", choices=list(FRAMINGS), default=None, help="the framing (default: python)")
    fmt.add_argument("--docker", action="store_true", help="same as --format docker")


def add_env_args(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("Env placeholders (--set > --env-file > your saved Env > defaults)")
    g.add_argument("--set", action="append", metavar="KEY=VALUE", help="set an Env placeholder (repeatable)")
    g.add_argument("--env-file", metavar="PATH", help="read Env placeholders from this TOML file")


def requested_selection(rules: Rules, args: argparse.Namespace) -> dict[str, str | None]:
    req: dict[str, str | None] = {}
    for dim in DIMS:
        value = getattr(args, dim, None)
        if value is not None:
            try:
                value = find_id(value, rules.names(dim), f"--{dim}")  # an id, a label or a chip's text
            except UnknownId as exc:
                raise UsageError(str(exc)) from None
        req[dim] = value
    return req


def command_line(argv0: str, sel: Selection) -> str:
    return " ".join([argv0, *(f"--{d} {shlex.quote(sel[d])}" for d in DIMS)])


def selection_of(rules: Rules, args: argparse.Namespace, command: str = "dsv4 print") -> Selection:
    """The selection the arguments ask for (see the module docstring)."""
    requested = requested_selection(rules, args)
    sel, changes = resolve(rules, requested)
    if not changes:
        return sel
    if getattr(args, "nearest", False):
        for change in changes:
            print(f"dsv4: resolved {change}", file=sys.stderr)
        return sel
    lines = [f"--{c.dim} {c.wanted} cannot be kept: {c.why}" for c in changes]
    lines.append(f"nearest valid selection: {command_line(command, sel)}")
    lines.append("(or add --nearest to take it)")
    raise UsageError("\n".join(lines))


def build_env(rules: Rules, env_file: str | None, sets: Sequence[str]) -> Env:
    """--set > --env-file > the saved Env file > defaults."""
    placeholders = rules.model.placeholders
    env = Env(placeholders, load_env_file(env_path(), placeholders))
    if env_file:
        path = Path(env_file)
        if not path.exists():
            raise EnvError([f"{path}: Env file not found"])
        env = Env(placeholders, {**env.overrides, **load_env_file(path, placeholders)})
    if sets:
        env = env.with_values(parse_assignments(list(sets)))
    return env


def env_of(rules: Rules, args: argparse.Namespace) -> Env:
    return build_env(rules, getattr(args, "env_file", None), getattr(args, "set", None) or [])
