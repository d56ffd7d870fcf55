"""`dsv4 run`: start the selection's command on this box (single node), detached.

The command is the exact text `dsv4 print` gives for the same options (with `--override`,
the Playground's). It asks first (`--yes` answers for scripts). It refuses a command that
still holds a placeholder, that needs several nodes or PD roles (use `dsv4 export`), or
whose port is taken (one run per port); a lint error or a doctor fail needs `--force`.
Inside tmux the server runs in a new window named after the cell; otherwise in its own
session (setsid). Either way its output goes to `<config dir>/runs/<id>/server.log`.

Exit codes: 0 started · 1 refused, declined or could not start · 2 a bad argument.
"""

from __future__ import annotations

import argparse
import sys

from ..core.render import render_command
from ..core.rules import Rules
from ..core.run.plan import hide_secrets
from ..errors import EXIT_BROKEN, EXIT_OK
from .print_cmd import framing_of, override_help, playground_output
from .selection_args import add_env_args, add_framing_args, add_selection_args, env_of, selection_of


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "run",
        help="start the selection's command on this box (single node), detached; see `dsv4 runs`",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=override_help(rules),
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add_selection_args(p)
    add_framing_args(p)
    add_env_args(p)
    p.add_argument("--override", action="append", metavar="KEY=VALUE", help="a Playground override (repeatable)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask before starting")
    p.add_argument("--force", action="store_true", help="start even with a lint error or a doctor fail")
    p.add_argument("--no-doctor", action="store_true", help="skip the doctor's checks of this box")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds per doctor command (default 5)")
    p.set_defaults(run=run)


def _ask(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    print(question + " [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _lint_errors(rules: Rules, sel, text: str) -> list[str]:
    from ..core.checks_view import command_checks
    from ..host.lint_setup import make_linter

    checks = command_checks(make_linter(rules).linter, rules, sel, text)
    errors = [f"{f.id}: {f.message}" for f in checks.findings if f.level == "error"]
    return errors + [str(p) for p in checks.problems]


def _doctor_fails(rules: Rules, sel, framing: str, env, overrides, timeout: float) -> list[str]:
    from ..host.doctor import DoctorContext, run_doctor
    from ..host.doctor.request import SglangLinters, build_request
    from ..host.paths import cache_dir

    request = build_request(
        rules, sel, framing=framing, env=env, overrides=overrides, lint=SglangLinters(cache_dir() / "sglang")
    )
    results = run_doctor(request, DoctorContext.from_env(command_timeout=timeout, check_timeout=4 * timeout))
    return [f"{r.id}: {r.message}" for r in results if r.status == "fail"]


def run(args: argparse.Namespace, rules: Rules) -> int:
    from ..host.runs.launch import StartError, start
    from ..host.runs.session import check_start, make_record
    from .overrides import overrides_of

    sel = selection_of(rules, args, "dsv4 run")
    env = env_of(rules, args)
    framing = framing_of(args)
    overrides = overrides_of(rules, sel, args)
    several_roles = False
    if overrides is not None:
        text, _ = playground_output(rules, sel, env, framing, args, "command")
        several_roles = overrides.pd_mode != "off"
    else:
        text = render_command(rules, sel, framing, env.subst())
    doctor = [] if args.no_doctor else _doctor_fails(rules, sel, framing, env, overrides, args.timeout)
    pre = check_start(
        rules, sel, text, several_roles=several_roles, lint_errors=_lint_errors(rules, sel, text), doctor_fails=doctor
    )
    secrets = {env.get(k): masked for k, masked in env.secrets().items()}
    print(hide_secrets(text, secrets), file=sys.stderr)
    if pre.refused:
        for reason in pre.refused:
            print(f"dsv4 run: refused: {reason}", file=sys.stderr)
        return EXIT_BROKEN
    if not args.yes and not _ask("dsv4 run: start this command on this box?"):
        print("dsv4 run: not started (--yes starts without asking)", file=sys.stderr)
        return EXIT_BROKEN
    if pre.confirm:
        for reason in pre.confirm:
            print(f"dsv4 run: {reason}", file=sys.stderr)
        if not args.force and not _ask("dsv4 run: the checks above fail. Start anyway?"):
            print("dsv4 run: not started (--force starts it anyway)", file=sys.stderr)
            return EXIT_BROKEN
    record = make_record(rules, sel, framing, text, list(args.override or []), secrets=secrets)
    try:
        record = start(record, text)
    except (StartError, OSError) as exc:
        print(f"dsv4 run: could not start: {exc}", file=sys.stderr)
        return EXIT_BROKEN
    where = f"tmux window {record.window}" if record.launcher == "tmux" else f"its own session (pid {record.pid})"
    print(f"dsv4 run: started {record.id} in {where}; log: {record.log}", file=sys.stderr)
    print(f"dsv4 run: follow it with `dsv4 watch {record.id}`, stop it with `dsv4 stop {record.id}`", file=sys.stderr)
    sys.stdout.write(record.id + "\n")
    return EXIT_OK
