"""The `dsv4` command line: the app by default, plus commands for scripts.

`cli` parses the arguments and loads the rules, then hands them to the app or to a command
(`commands/<name>_cmd.py`). Contract (stable; other tools depend on it): `dsv4 print …`
writes exactly the command text (or cURL) to stdout followed by one newline, nothing else;
notices go to stderr. Exit codes are in `errors.py`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .commands import check_cmd, doctor_cmd, export_cmd, lint_cmd, list_cmd, print_cmd
from .core.env import EnvError
from .core.problems import RulesError
from .core.rules import Rules
from .errors import EXIT_BROKEN, EXIT_OK, EXIT_USAGE, UsageError
from .host.rules_files import load_rules, user_overlays

COMMANDS = (print_cmd, list_cmd, check_cmd, lint_cmd, doctor_cmd, export_cmd)


def build_parser(rules: Rules | None = None) -> argparse.ArgumentParser:
    """The parser; `rules` (when they load) add what they define to the help texts."""
    p = argparse.ArgumentParser(
        prog="dsv4",
        description="The verified `sglang serve` command for this GPU box, from the cookbook rules, in your terminal.",
        epilog="Run without a command to open the app. Env and state live in "
        "$DSV4_CONFIG_DIR (default: your user config dir, e.g. ~/.config/dsv4).",
    )
    p.add_argument("--rules", metavar="DIR", help="load rules from DIR (default: $DSV4_RULES, else the bundled rules)")
    p.add_argument("--no-detect", action="store_true", help="do not look for GPUs with nvidia-smi / rocm-smi")
    p.add_argument(
        "--print-on-exit", action="store_true", help="print the current command to stdout when the app exits"
    )
    p.add_argument(
        "--probe-deadline",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="the cURL probe's streamed run stops after this long (default: 60)",
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub, rules)
    return p


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
    return load_rules(getattr(args, "rules", None), overlays=user_overlays())


def run_app(args: argparse.Namespace, rules: Rules) -> int:
    try:
        from .app import run_app as run
    except ImportError as exc:  # the TUI is optional for scripts
        print(f"dsv4: the app is not available ({exc}); try `dsv4 --help`", file=sys.stderr)
        return EXIT_BROKEN
    return run(rules, detect=not args.no_detect, print_on_exit=args.print_on_exit, probe_deadline=args.probe_deadline)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    wants_help = any(a in ("-h", "--help") for a in argv)
    parser = build_parser(_rules_for_help(argv) if wants_help else None)
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return EXIT_OK
    try:
        rules = load(args)
        if args.command is None:
            return run_app(args, rules)
        return args.run(args, rules)
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
