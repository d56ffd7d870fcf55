"""`dsv4 doctor`: will the selection's command run on this box?

Runs the host checks (GPUs, SGLang and its flags, Docker, /dev/shm, InfiniBand, NODE0_IP,
weights and disk, HF_TOKEN, PORT, host RAM) for the same selection, framing, Env and
overrides `dsv4 print` takes, and prints one line per check (or `--json`: a list of
{"id", "status", "message", "fix"}). Exit 0 when no check fails, 1 when one does, 2 on a
bad argument. Every external command has `--timeout` seconds; reads of /sys, /proc and
/dev go through `DSV4_SYSROOT` (default /).
"""

from __future__ import annotations

import argparse
import sys

from ..core.rules import Rules
from ..host.doctor import DoctorContext, exit_code, run_doctor, to_json, to_text
from ..host.doctor.context import COMMAND_TIMEOUT
from ..host.doctor.request import SglangLinters, build_request, subject
from ..host.paths import cache_dir
from .overrides import overrides_of
from .print_cmd import framing_of, override_help
from .selection_args import add_env_args, add_framing_args, add_selection_args, env_of, selection_of

GROUP_COMMANDS = 4  # the most external commands one group of checks runs one after the other

EPILOG = """\
exit codes: 0 no check failed (warnings allowed) · 1 a check failed · 2 a bad argument

Reads of /sys, /proc and /dev go through $DSV4_SYSROOT (default /). The Hugging Face
cache is found the way huggingface_hub finds it (HF_HUB_CACHE, HF_HOME, ~/.cache).
"""


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 600 seconds, got {text}")
    return value


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "doctor",
        help="check that this box can run the selection's command (GPUs, SGLang, Docker, weights, …)",
        description="Preflight checks of this box for the selected command; one line per check.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG + "\n" + override_help(rules),
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add_selection_args(p)
    add_framing_args(p)
    add_env_args(p)
    p.add_argument("--override", action="append", metavar="KEY=VALUE", help="a Playground override (repeatable)")
    p.add_argument("--json", action="store_true", help='print a JSON list of {"id", "status", "message", "fix"}')
    p.add_argument(
        "--timeout",
        type=_timeout,
        default=COMMAND_TIMEOUT,
        metavar="S",
        help=f"seconds each external command may take (default: {COMMAND_TIMEOUT:g})",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace, rules: Rules) -> int:
    for notice in rules.notices:
        print(f"dsv4: {notice}", file=sys.stderr)
    sel = selection_of(rules, args, "dsv4 doctor")
    env = env_of(rules, args)
    framing = framing_of(args)
    overrides = overrides_of(rules, sel, args)
    lint = SglangLinters(cache_dir() / "sglang")
    request = build_request(rules, sel, framing=framing, env=env, overrides=overrides, lint=lint)
    timeout = args.timeout
    ctx = DoctorContext.from_env(command_timeout=timeout, check_timeout=GROUP_COMMANDS * timeout)
    if not args.json and sys.stderr.isatty():
        print(f"dsv4 doctor: checking this box for {subject(rules, sel, framing, overrides)}…", file=sys.stderr)
    results = run_doctor(request, ctx)
    if args.json:
        sys.stdout.write(to_json(results) + "\n")
    else:
        sys.stdout.write(f"{subject(rules, sel, framing, overrides)}\n\n{to_text(results)}\n")
    return exit_code(results)
