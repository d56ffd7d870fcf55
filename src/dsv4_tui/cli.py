"""The `dsv4` command line: the TUI by default, plus `print`, `list` and `check` for scripts.

Contract (stable; other tools depend on it): `dsv4 print …` writes exactly the command
text (or cURL) to stdout followed by one newline, nothing else. Notices go to stderr.
Exit codes: 0 ok, 1 a broken rules/Env file or bad Env value, 2 a bad argument (an
unknown id lists the valid ones).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .core.env import Env, EnvError, config_dir, env_path, load_env_file, parse_assignments
from .core.rules import DIMS, Rules, RulesError, load_rules
from .core.selection import resolve

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def user_overlays() -> list[Path]:
    """The user's own cells (config dir/rules/cells.toml), laid over the rules."""
    folder = config_dir() / "rules"
    return [folder] if (folder / "cells.toml").is_file() else []


def load(args: argparse.Namespace) -> Rules:
    return load_rules(getattr(args, "rules", None), overlays=user_overlays())


def build_env(rules: Rules, env_file: str | None, sets: Sequence[str]) -> Env:
    """--set > --env-file > the saved Env file > defaults."""
    placeholders = rules.model.placeholders
    env = Env.defaults(rules)
    env = Env(placeholders, load_env_file(env_path(), placeholders))
    if env_file:
        path = Path(env_file)
        if not path.is_file():
            raise EnvError([f"{path}: Env file not found"])
        env = Env(placeholders, {**env.overrides, **load_env_file(path, placeholders)})
    if sets:
        env = env.with_values(parse_assignments(list(sets)))
    return env


def requested_selection(rules: Rules, args: argparse.Namespace) -> dict[str, str | None]:
    req: dict[str, str | None] = {}
    for dim in DIMS:
        value = getattr(args, dim, None)
        if value is not None and value not in rules.by_id[dim]:
            valid = ", ".join(rules.by_id[dim])
            raise UsageError(f"unknown --{dim} {value!r}; valid: {valid}")
        req[dim] = value
    return req


def cmd_print(args: argparse.Namespace) -> int:
    from .core.render import mtp_note, render_command, render_curl

    rules = load(args)
    for n in rules.notices:
        print(f"dsv4: {n}", file=sys.stderr)
    sel, changes = resolve(rules, requested_selection(rules, args))
    for c in changes:
        print(f"dsv4: resolved {c}", file=sys.stderr)
    env = build_env(rules, args.env_file, args.set or [])
    framing = "docker" if args.docker else "python"
    if getattr(args, "override", None) or any(
        getattr(args, f, False) for f in ("diff", "badge", "router", "submit_url")
    ):
        from .playground_cli import print_playground

        return print_playground(rules, sel, env, framing, args)
    if args.curl:
        out = render_curl(rules, sel, env.subst())
    else:
        out = render_command(rules, sel, framing, env.subst())
        note = mtp_note(rules.cell(sel))
        if note:
            print(f"dsv4: note: {note}", file=sys.stderr)
    sys.stdout.write(out + "\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from .core.render import badge

    rules = load(args)
    width = [max(len(c.get(d)) for c in rules.cells) for d in DIMS]
    for c in rules.cells:
        cols = "  ".join(c.get(d).ljust(w) for d, w in zip(DIMS, width))
        extra = " (roles)" if c.has_roles else ""
        derived = f" (derived from {c.derived_from})" if c.derived_from else ""
        print(f"{cols}  {badge(c)}{extra}{derived}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    rules = load(args)
    for n in rules.notices:
        print(f"dsv4: {n}", file=sys.stderr)
    verified = sum(c.verified for c in rules.cells)
    print(f"{rules.source_text}: OK — {len(rules.cells)} cells ({verified} verified)")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="dsv4",
        description="The verified `sglang serve` commands for DeepSeek-V4, in your terminal.",
        epilog="Run without a command to open the app. Env and state live in "
        "$DSV4_CONFIG_DIR (default: your user config dir, e.g. ~/.config/dsv4).",
    )
    p.add_argument("--rules", metavar="DIR", help="load rules from DIR (default: $DSV4_RULES, else the bundled rules)")
    p.add_argument("--no-detect", action="store_true", help="do not look for GPUs with nvidia-smi / rocm-smi")
    p.add_argument("--print-on-exit", action="store_true", help="print the current command to stdout when the app exits")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    pr = sub.add_parser("print", help="print one command (or its cURL) to stdout")
    pr.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    pr.add_argument("--hw", metavar="ID")
    pr.add_argument("--variant", metavar="ID")
    pr.add_argument("--quant", metavar="ID")
    pr.add_argument("--strategy", metavar="ID")
    pr.add_argument("--nodes", metavar="ID")
    pr.add_argument("--docker", action="store_true", help="Docker framing instead of Python")
    pr.add_argument("--curl", action="store_true", help="print the cURL probe instead of the command")
    pr.add_argument("--set", action="append", metavar="KEY=VALUE", help="set an Env placeholder (repeatable)")
    pr.add_argument("--env-file", metavar="PATH", help="read Env placeholders from this TOML file")
    add_playground_args(pr)
    pr.set_defaults(func=cmd_print)

    ls = sub.add_parser("list", help="list every cell with its badge")
    ls.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    ls.set_defaults(func=cmd_list)

    ck = sub.add_parser("check", help="validate a rules folder (exit 1 on problems)")
    ck.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help="the folder to check")
    ck.set_defaults(func=cmd_check)
    return p


def add_playground_args(pr: argparse.ArgumentParser) -> None:
    g = pr.add_argument_group("Playground (overrides on top of the selected cell)")
    g.add_argument("--override", action="append", metavar="KEY=VALUE", help="a Playground override (repeatable)")
    g.add_argument("--diff", action="store_true", help="print the diff against the base instead")
    g.add_argument("--badge", action="store_true", help="print the badge instead")
    g.add_argument("--router", action="store_true", help="print the PD router command instead")
    g.add_argument("--submit-url", action="store_true", help="print the pre-filled Submit issue URL instead")
    g.add_argument("--sglang-version", metavar="VER", help="SGLang version for --submit-url")


def run_app(args: argparse.Namespace) -> int:
    try:
        from .app import run
    except ImportError as exc:  # the TUI is optional for scripts
        print(f"dsv4: the app is not available ({exc}); try `dsv4 --help`", file=sys.stderr)
        return EXIT_BROKEN
    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return EXIT_OK
    try:
        if args.command is None:
            return run_app(args)
        return args.func(args)
    except UsageError as exc:
        print(f"dsv4: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RulesError as exc:
        print(f"dsv4: the rules have {len(exc.problems)} problem(s):\n{exc}", file=sys.stderr)
        return EXIT_BROKEN
    except EnvError as exc:
        print(f"dsv4: bad Env:\n{exc}", file=sys.stderr)
        return EXIT_BROKEN
    except BrokenPipeError:  # `dsv4 print … | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
