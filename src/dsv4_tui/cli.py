"""The `dsv4` command line: the app by default, plus commands for scripts.

`cli` parses the arguments and loads the rules, then hands them to the app or to a command
(`commands/<name>_cmd.py`). Contract (stable; other tools depend on it): `dsv4 print …`
writes exactly the command text (or cURL) to stdout followed by one newline, nothing else;
notices go to stderr. Exit codes are in `errors.py`.
"""

from __future__ import annotations

import gc
import math
import sys
from collections.abc import Sequence
from importlib import import_module
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING

from .core.env import EnvError
from .core.problems import RulesError
from .core.visible import visible
from .errors import EXIT_BROKEN, EXIT_OK, EXIT_USAGE, UsageError
from .host.rules_files import load_rules, user_overlays
from .host.terminal import has_terminal

if TYPE_CHECKING:
    import argparse

    from .core.rules import Rules

# The commands, each a module `commands/<name>_cmd.py` with add_parser(sub, rules) and
# run(args, rules). They are imported only when a command (or --help) is asked for: the
# app starts without them.
COMMAND_NAMES = ("print", "list", "check", "lint", "doctor", "export", "run", "runs", "stop", "watch", "explain")


def commands() -> list[ModuleType]:
    return [import_module(f"{__package__}.commands.{name}_cmd") for name in COMMAND_NAMES]


# What the root options are when none is given, and the ones that are flags (no value).
ROOT_DEFAULTS = {"rules": None, "no_detect": False, "print_on_exit": False, "probe_deadline": 60.0, "version": False}
FLAGS = {"--no-detect": "no_detect", "--print-on-exit": "print_on_exit", "--version": "version"}


def seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse type): not nan, inf, 0 or -1."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value


def _root_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", metavar="DIR", help="load rules from DIR (default: $DSV4_RULES, else the bundled rules)")
    p.add_argument(
        "--no-detect",
        action="store_true",
        help="do not look at this box (no nvidia-smi / rocm-smi, no IB devices or memory for the Playground)",
    )
    p.add_argument(
        "--print-on-exit", action="store_true", help="print the current command to stdout when the app exits"
    )
    p.add_argument(
        "--probe-deadline",
        type=seconds,
        default=ROOT_DEFAULTS["probe_deadline"],
        metavar="SECONDS",
        help="the cURL probe's streamed run stops after this long (default: 60)",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")


def build_parser(rules: Rules | None = None) -> argparse.ArgumentParser:
    """The parser; `rules` (when they load) add what they define to the help texts."""
    import argparse

    p = argparse.ArgumentParser(
        prog="dsv4",
        description="The verified `sglang serve` command for this GPU box, from the cookbook rules, in your terminal.",
        epilog="Run without a command to open the app. Env and state live in "
        "$DSV4_CONFIG_DIR (default: your user config dir, e.g. ~/.config/dsv4).",
    )
    _root_args(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in commands():
        command.add_parser(sub, rules)
    return p


def app_args(argv: Sequence[str]) -> argparse.Namespace | SimpleNamespace | None:
    """The arguments when they ask for the app (root options only), without importing the
    commands; None when they name a command or ask for help (the full parser decides).
    Plain flags (`dsv4`, `dsv4 --no-detect`) need no parser: argparse is not even imported
    (a start-up cost); anything else is parsed by argparse."""
    if all(a in FLAGS for a in argv):
        return SimpleNamespace(**{**ROOT_DEFAULTS, **{FLAGS[a]: True for a in argv}, "command": None})
    if any(a in ("-h", "--help") for a in argv):
        return None
    import argparse

    p = argparse.ArgumentParser(prog="dsv4", add_help=False, exit_on_error=False)
    _root_args(p)
    try:
        args, rest = p.parse_known_args(list(argv))
    except argparse.ArgumentError:
        return None  # the full parser reports it, with the full usage
    if rest:
        return None
    args.command = None
    return args


def _rules_for_help(argv: Sequence[str]) -> Rules | None:
    """The rules, for a help text that lists what they define; None when they do not load."""
    folder = None
    for i, arg in enumerate(argv):
        if arg == "--rules" and i + 1 < len(argv):
            folder = argv[i + 1]
        elif arg.startswith("--rules="):
            folder = arg.split("=", 1)[1]
    try:
        return load_rules(folder, overlays=user_overlays())
    except (RulesError, OSError):
        return None


def load(args: argparse.Namespace) -> Rules:
    """The rules the arguments name; `dsv4 check` validates them afresh (no cache)."""
    fresh = getattr(args, "fresh_rules", False)
    return load_rules(getattr(args, "rules", None), overlays=user_overlays(), cache=not fresh)


NO_TERMINAL = "dsv4 needs a terminal; for scripts use `dsv4 print …`"


def run_app(args: argparse.Namespace, rules: Rules) -> int:
    if not has_terminal():  # `ssh box dsv4` without -t: no escape codes into a pipe, no app left behind
        print(NO_TERMINAL, file=sys.stderr)
        return EXIT_USAGE
    gc.disable()  # no collection while the app starts; it turns it back on once settled
    try:
        from .app import run_app as run
    except ImportError as exc:  # the TUI is optional for scripts
        gc.enable()
        print(f"dsv4: the app is not available ({exc}); try `dsv4 --help`", file=sys.stderr)
        return EXIT_BROKEN
    return run(rules, detect=not args.no_detect, print_on_exit=args.print_on_exit, probe_deadline=args.probe_deadline)


def _rules_provenance(args) -> str:
    """(rules: cookbook 2026-10-01) for --version; nothing when the rules do not load."""
    try:
        rules = load(args)
    except RulesError:  # --version prints whatever the rules are
        return ""
    return f" (rules: {rules.provenance})" if rules.provenance else ""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = app_args(argv)
    if args is None:
        wants_help = any(a in ("-h", "--help") for a in argv)
        args = build_parser(_rules_for_help(argv) if wants_help else None).parse_args(argv)
    if args.command is not None or args.version:
        gc.enable()  # not the app: collect as usual (the `dsv4` script starts with it off)
    if args.version:
        from . import __version__

        print(f"dsv4 {__version__}" + _rules_provenance(args))
        return EXIT_OK
    try:
        rules = load(args)
        if args.command is None:
            return run_app(args, rules)
        return args.run(args, rules)
    except UsageError as exc:
        print(f"dsv4: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except RulesError as exc:
        print(f"dsv4: the rules have {len(exc.problems)} problem(s):\n{visible(str(exc))}", file=sys.stderr)
        return EXIT_BROKEN
    except EnvError as exc:
        print(f"dsv4: bad Env:\n{visible(str(exc))}", file=sys.stderr)
        return EXIT_BROKEN
    except BrokenPipeError:  # `dsv4 print … | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
