"""`dsv4 lint [FILE|-]`: check any `sglang serve` command before a 20-minute model load.

The text may be a script, a pasted command over several lines, env prefixes, a `docker run
… sglang serve` wrapper or `python3 -m sglang.launch_server`; each command is checked on its
own against SGLang's flag table (the installed SGLang's when there is one) and the model's
rules (rules/checks.toml). Exit 0 when clean or only warnings / info, 3 on an error.

`dsv4 print … --check` checks the printed command the same way (findings on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ..core.checks_view import command_checks, runs_on_text
from ..core.ids import UnknownId, find_id
from ..core.lint import LintContext, exit_code, format_text, to_json
from ..core.lint.shell import MAX_TEXT
from ..core.rules import Rules
from ..core.selection import Selection
from ..core.visible import json_visible, visible, visible_line
from ..errors import EXIT_LINT, EXIT_OK, UsageError
from ..host.files import ReadProblem, read_text
from ..host.lint_setup import make_linter, runs_on, version_linter
from ..host.sglang_installed import bundled_versions


def add_parser(sub, rules: Rules | None) -> None:
    p = sub.add_parser(
        "lint",
        help="check an sglang serve command (a file, or - for stdin); exit 3 on an error",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.add_argument(
        "file", nargs="?", default="-", metavar="FILE|-", help="the script or command; - or nothing reads stdin"
    )
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--hw", metavar="ID", help="the hardware it runs on (enables the hardware rules)")
    p.add_argument("--variant", metavar="ID", help="the model variant it serves")
    p.add_argument(
        "--bundled", action="store_true", help="use the bundled SGLang table even if SGLang is installed here"
    )
    p.add_argument(
        "--sglang",
        metavar="VER",
        help="lint against the bundled table of this SGLang version (0.5.18, 0.5.20, 0.5.23)",
    )
    p.set_defaults(run=run)


def _context(rules: Rules, args: argparse.Namespace) -> LintContext:
    ctx = LintContext()
    try:
        if args.hw:
            hw = rules.hardware(find_id(args.hw, rules.names("hw"), "--hw"))
            ctx = replace(ctx, hw=hw.id, vendor=hw.vendor, arch=hw.arch, gpus_per_node=hw.gpus_per_node)
        if args.variant:
            ctx = replace(ctx, variant=find_id(args.variant, rules.names("variant"), "--variant"))
    except UnknownId as exc:
        raise UsageError(str(exc)) from None
    return ctx


def _too_big() -> UsageError:
    return UsageError(f"the text is larger than the lint's limit of {MAX_TEXT // (1024 * 1024)} MB; not read")


def _read(name: str) -> str:
    """The text to lint, at most MAX_TEXT bytes (stdin and files alike: /dev/zero ends)."""
    if name == "-":
        if sys.stdin.isatty():
            print("dsv4: reading the command from stdin (end with Ctrl+D)", file=sys.stderr)
        stream = getattr(sys.stdin, "buffer", sys.stdin)  # a text stream when replaced (tests)
        try:
            data = stream.read(MAX_TEXT + 1)
        except OSError as exc:
            raise UsageError(f"cannot read stdin: {exc.strerror or exc}") from None
        if len(data) > MAX_TEXT:
            raise _too_big()
        if isinstance(data, str):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"stdin: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        return read_text(Path(name), limit=MAX_TEXT)
    except FileNotFoundError:
        raise UsageError(f"{name}: file not found") from None
    except ReadProblem as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{name}: cannot read: {exc.strerror or exc}") from None


def run(args: argparse.Namespace, rules: Rules) -> int:
    text = _read(args.file)
    context = _context(rules, args)
    if args.sglang:
        try:
            linter = version_linter(rules, args.sglang)
        except KeyError:
            known = ", ".join(bundled_versions())
            raise UsageError(f"--sglang {args.sglang}: no bundled table for it (bundled: {known})") from None
    else:
        choice = make_linter(rules, use_installed=not args.bundled)
        if choice.notice:
            print(f"dsv4: {visible_line(choice.notice)}", file=sys.stderr)
        linter = choice.linter
    reports, problems = linter.lint_text(text, context)
    # The findings quote the linted text (values, unknown flags, env): never raw on a terminal.
    if args.json:
        print(json_visible(json.dumps(to_json(reports, problems), indent=2, ensure_ascii=False)))
    else:
        print(visible(format_text(reports, problems)))
        if reports and not args.sglang and len(text) <= RUNS_ON_MAX:  # 3 more lints: short texts only
            print(runs_on_line(*runs_on(rules, text, context)))
    return exit_code(reports, problems)


RUNS_ON_MAX = 64 * 1024


def runs_on_line(ok: list[str], versions: list[str]) -> str:
    """`runs on SGLang 0.5.20–0.5.23` (a run of consecutive bundled versions), or which ones."""
    if not ok:
        return f"runs on none of the bundled SGLang versions ({', '.join(versions)})"
    return f"{runs_on_text(ok, versions)} (of the bundled {', '.join(versions)})"


def check_printed(rules: Rules, sel: Selection, text: str) -> int:
    """`dsv4 print --check`: the findings of the printed command on stderr; 3 on an error."""
    choice = make_linter(rules)
    if choice.notice:
        print(f"dsv4: {visible_line(choice.notice)}", file=sys.stderr)
    checks = command_checks(choice.linter, rules, sel, text)
    print(visible(format_text(checks.reports, checks.problems)), file=sys.stderr)
    return EXIT_LINT if checks.level == "error" else EXIT_OK
