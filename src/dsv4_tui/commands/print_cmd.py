"""`dsv4 print`: one command (or its cURL) to stdout, exactly the text and one newline.

With `--override KEY=VALUE` it prints the Playground result instead, or one of its other
outputs: `--diff` ("+ line" / "- line" / "  line"), `--badge`, `--router` (exit 2 while PD
is off), `--submit-url` (needs --sglang-version; exit 2 when there is nothing to submit).
Notices (how a selection was resolved, the model's notes, unfilled placeholders) go to
stderr.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..core.bench import bench_json, bench_lines
from ..core.diff import diff_lines
from ..core.env import Env
from ..core.formats import DEFAULT_FRAMING
from ..core.playground import PlaygroundResult, playground, slot_for
from ..core.render import cell_corrections, cell_notes, cell_warn, render_command, render_curl
from ..core.rules import Rules
from ..core.selection import Selection
from ..core.srt_panel import panel_for, panel_json, panel_lines
from ..core.submit import SGLANG_VERSION_EXAMPLE
from ..core.view import unfilled
from ..errors import EXIT_OK, UsageError
from .overrides import check_accepted, check_available, parse_overrides
from .selection_args import (
    add_env_args,
    add_framing_args,
    add_selection_args,
    env_of,
    requested_selection,
    selection_of,
)

OUTPUTS = (
    ("curl", "--curl"),
    ("diff", "--diff"),
    ("badge", "--badge"),
    ("router", "--router"),
    ("submit_url", "--submit-url"),
)


def override_help(rules: Rules | None) -> str:
    """Every `--override` key with its values, from the rules."""
    if rules is None:
        return "(the keys are listed when the rules load)"
    pg = rules.playground
    from ..core.playground import slots

    lines = []
    for slot in slots(pg):
        values = [o.id for o in slot.options(pg)] + (["inherit"] if slot.from_base else [])
        lines.append(f"  {slot.cli(pg):22} {' | '.join(values)}")
    return "--override keys and values:\n" + "\n".join(lines)


def add_parser(sub, rules: Rules | None) -> None:
    pr = sub.add_parser(
        "print",
        help="print one command (or its cURL) to stdout",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=override_help(rules),
    )
    pr.add_argument("--rules", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add_selection_args(pr)
    add_framing_args(pr)
    pr.add_argument("--curl", action="store_true", help="print the cURL probe instead of the command")
    pr.add_argument("--check", action="store_true", help="lint the command: findings on stderr, exit 3 on an error")
    pr.add_argument(
        "--bench",
        action="store_true",
        help="print the cell's measured speed (ISL/OSL @ concurrency: TTFT · TPOT · tok/s/GPU)",
    )
    pr.add_argument("--json", action="store_true", help="with --bench (or an srt-slurm selection): JSON for scripts")
    add_env_args(pr)
    g = pr.add_argument_group("Playground (overrides on top of the selected cell)")
    g.add_argument("--override", action="append", metavar="KEY=VALUE", help="a Playground override (repeatable)")
    g.add_argument("--diff", action="store_true", help="print the diff against the base instead")
    g.add_argument("--badge", action="store_true", help="print the badge instead")
    g.add_argument("--router", action="store_true", help="print the PD router command instead")
    g.add_argument("--submit-url", action="store_true", help="print the pre-filled Submit issue URL instead")
    g.add_argument(
        "--sglang-version", metavar="VER", help=f"SGLang version for --submit-url, e.g. {SGLANG_VERSION_EXAMPLE}"
    )
    pr.set_defaults(run=run)


def framing_of(args: argparse.Namespace) -> str:
    return "docker" if getattr(args, "docker", False) else (getattr(args, "format", None) or DEFAULT_FRAMING)


def output_mode(args: argparse.Namespace) -> str:
    chosen = [name for name, _ in OUTPUTS if getattr(args, name, False)]
    if len(chosen) > 1:
        raise UsageError("choose one of " + ", ".join(opt for _, opt in OUTPUTS))
    mode = chosen[0] if chosen else "command"
    if getattr(args, "check", False) and mode != "command":
        flag = dict(OUTPUTS)[mode]
        raise UsageError(f"--check lints the command, so it cannot go with {flag}: drop one of them")
    return mode


def warn_unfilled(text: str) -> None:
    left = unfilled(text)
    if left:
        print(f"dsv4: fill in before running: {', '.join(left)}", file=sys.stderr)


def srt_panel_of(rules: Rules, args: argparse.Namespace):
    """The srt-slurm recipes panel when the arguments name its hardware, variant and nodes."""
    requested = requested_selection(rules, args)
    if not all(requested.get(d) for d in ("hw", "variant", "nodes")):
        return None
    return panel_for(rules, requested)


def run(args: argparse.Namespace, rules: Rules) -> int:
    for notice in rules.notices:
        print(f"dsv4: {notice}", file=sys.stderr)
    panel = srt_panel_of(rules, args)
    if panel is not None:  # no cell and no made-up command: the recipes and their apply lines
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps(panel_json(rules, panel), indent=1, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write("\n".join(panel_lines(rules, panel)) + "\n")
        return EXIT_OK
    if getattr(args, "json", False) and not getattr(args, "bench", False):
        raise UsageError("--json goes with --bench (or an srt-slurm selection)")
    sel = selection_of(rules, args)
    if getattr(args, "bench", False):
        if getattr(args, "json", False):
            sys.stdout.write(json.dumps(bench_json(rules, sel), indent=1) + "\n")
        else:
            sys.stdout.write("\n".join(bench_lines(rules, sel)) + "\n")
        return EXIT_OK
    env = env_of(rules, args)
    framing = framing_of(args)
    mode = output_mode(args)
    corrections: list[str] = []
    if getattr(args, "override", None) or mode not in ("command", "curl"):
        text, notes = playground_output(rules, sel, env, framing, args, mode)
    elif mode == "curl":
        text, notes = render_curl(rules, sel, env.subst()), []
    else:
        text, notes = render_command(rules, sel, framing, env.subst()), cell_notes(rules, rules.cell(sel))
        corrections = cell_corrections(rules, rules.cell(sel))  # beside the page's notes, never in them
        banner = cell_warn(rules, rules.cell(sel), urls=True)
        if banner:
            print(f"dsv4: warning: {banner}", file=sys.stderr)
    for note in notes:
        print(f"dsv4: note: {note}", file=sys.stderr)
    for correction in corrections:
        print(f"dsv4: lint: {correction}", file=sys.stderr)
    if mode in ("command", "curl"):
        warn_unfilled(text)
    sys.stdout.write(text + "\n")
    if getattr(args, "check", False) and mode == "command":
        from .lint_cmd import check_printed

        return check_printed(rules, sel, text)
    return EXIT_OK


def playground_output(
    rules: Rules, sel: Selection, env: Env, framing: str, args: argparse.Namespace, mode: str
) -> tuple[str, list[str]]:
    """The text for `mode` with the overrides, and the notes for stderr."""
    items = getattr(args, "override", None) or []
    ov, given = parse_overrides(rules, items)
    check_available(rules, sel, ov, given)
    check_accepted(rules, sel, ov, items)
    version = getattr(args, "sglang_version", None)
    if mode == "submit_url" and not version:
        raise UsageError(
            f"--submit-url needs --sglang-version (the SGLang you ran the command with, e.g. {SGLANG_VERSION_EXAMPLE})"
        )
    res = playground(rules, sel, ov, framing, env.subst(), sglang_version=version)
    text = render_output(rules, res, mode)
    notes = list(res.notes) if mode == "command" else []
    if mode == "submit_url":
        notes.append("submit only after running this command on real hardware")
    return text, notes


def render_output(rules: Rules, res: PlaygroundResult, mode: str) -> str:
    """The stdout text for `mode` (UsageError when there is nothing to print)."""
    if mode == "curl":
        return res.curl
    if mode == "badge":
        return res.badge_line
    if mode == "router":
        if res.router is None:
            cli = slot_for(rules.playground, "pd_mode").cli(rules.playground)  # type: ignore[union-attr]
            raise UsageError(
                f"PD disaggregation is off, so there is no router: add --override {cli}=prefill (or decode)"
            )
        return res.router
    if not res.has_base:
        raise UsageError(res.no_base_reason or "no base command")
    if mode == "diff":
        return "\n".join(diff_lines(res.diff))
    if mode == "submit_url":
        if res.verified:
            raise UsageError(f"the result is {res.badge_line}: there is nothing to submit")
        assert res.submit_url is not None  # a version was checked before
        return res.submit_url
    return res.text
