"""`dsv4 print --override KEY=VALUE …`: the Playground from the command line.

Same contract as `dsv4 print`: stdout is exactly the text plus one newline, notices go to
stderr, exit 2 for a bad argument. Output (one of):

- default        the Playground command (Python, or Docker with --docker)
- --curl         the cURL probe (aimed at the router port while PD is on)
- --diff         the line diff against the base: "+ line", "- line", "  line"
- --badge        "Verified", "Not Verified", or "Verified (matches <strategy>)" when the
                 result equals the verified cell of another strategy
- --router       the PD router command (exit 2 while PD is off)
- --submit-url   the pre-filled Submit issue URL (needs --sglang-version; exit 2 when the
                 result is Verified or there is no base: nothing to submit)

Override keys and values are the knob ids in rules/playground.toml (see KEYS below); a
value the Playground hides or greys out for this selection exits 2 with the reason.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .cli import EXIT_OK, UsageError
from .core.diff import diff_lines
from .core.env import Env
from .core.playground import (
    INHERIT,
    KNOB_BY_CLI,
    KNOBS,
    Overrides,
    PlaygroundResult,
    UnknownChoice,
    cards,
    playground,
    set_choice,
)
from .core.render import MTP_NOTE
from .core.rules import Rules
from .core.selection import Selection

KEYS = tuple(k.cli for k in KNOBS)
OUTPUTS = (
    ("curl", "--curl"),
    ("diff", "--diff"),
    ("badge", "--badge"),
    ("router", "--router"),
    ("submit_url", "--submit-url"),
)


def parse_overrides(rules: Rules, items: Sequence[str]) -> tuple[Overrides, dict[str, str]]:
    """`KEY=VALUE` strings into Overrides, plus {key: value} as given (the last one wins).

    Raises UsageError for a missing `=`, an unknown key or an unknown value (listing the
    valid ones).
    """
    ov = Overrides()
    given: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise UsageError(f"--override {item!r}: expected KEY=VALUE; keys: {', '.join(KEYS)}")
        if key not in KNOB_BY_CLI:
            raise UsageError(f"unknown --override key {key!r}; valid: {', '.join(KEYS)}")
        try:
            ov = set_choice(rules, ov, key, value)
        except UnknownChoice as exc:
            raise UsageError(f"--override {key}: {exc}") from None
        given[key] = value
    return ov, given


def check_available(rules: Rules, sel: Selection, ov: Overrides, given: dict[str, str]) -> None:
    """Refuse a value that is hidden or greyed out for `sel` with the final state `ov`."""
    views = cards(rules, sel, ov)
    for key, value in given.items():
        knob = KNOB_BY_CLI[key]
        if getattr(ov, knob.key) == Overrides.default(knob.key) or value == INHERIT:
            continue  # asks for nothing
        card = next(c for c in views if c.id == knob.card)
        view = card.knob(knob.key)
        where = f"--override {key}={value} ({sel.text})"
        if card.hidden:
            raise UsageError(f"{where}: {card.title} is not available: {card.reason}")
        if view.hidden:
            raise UsageError(f"{where}: not available: {view.reason}")
        choice = view.choice(value)
        if choice is not None and choice.hidden:
            raise UsageError(f"{where}: not available: {choice.reason}")
        if choice is not None and choice.disabled:
            raise UsageError(f"{where}: disabled: {choice.reason}")


def output_mode(args: argparse.Namespace) -> str:
    chosen = [name for name, _ in OUTPUTS if getattr(args, name, False)]
    if len(chosen) > 1:
        raise UsageError("choose one of " + ", ".join(opt for _, opt in OUTPUTS))
    return chosen[0] if chosen else "command"


def _need_base(res: PlaygroundResult) -> None:
    if not res.has_base:
        raise UsageError(res.no_base_reason or "no base command")


def render_output(res: PlaygroundResult, mode: str) -> str:
    """The stdout text for `mode` (UsageError when there is nothing to print)."""
    if mode == "curl":
        return res.curl
    if mode == "badge":
        return res.badge_line
    if mode == "router":
        if res.router is None:
            raise UsageError(
                "PD disaggregation is off, so there is no router: add --override pd-mode=prefill (or decode)"
            )
        return res.router
    _need_base(res)
    if mode == "diff":
        return "\n".join(diff_lines(res.diff))
    if mode == "submit_url":
        if res.verified:
            raise UsageError(f"the result is {res.badge_line}: there is nothing to submit")
        if res.submit_url is None:  # pragma: no cover - a version is checked before
            raise UsageError("--submit-url needs --sglang-version")
        return res.submit_url
    return res.text


def print_playground(rules: Rules, sel: Selection, env: Env, framing: str, args: argparse.Namespace) -> int:
    """`dsv4 print` with Playground overrides / outputs (see the module docstring)."""
    ov, given = parse_overrides(rules, getattr(args, "override", None) or [])
    check_available(rules, sel, ov, given)
    mode = output_mode(args)
    version = getattr(args, "sglang_version", None)
    if mode == "submit_url" and not version:
        raise UsageError(
            "--submit-url needs --sglang-version (the SGLang you ran the command with, e.g. sglang==0.5.4)"
        )
    res = playground(rules, sel, ov, framing, env.subst(), sglang_version=version)
    out = render_output(res, mode)
    if mode == "command" and res.mtp_note:
        print(f"dsv4: note: {MTP_NOTE}", file=sys.stderr)
    if mode == "submit_url":
        print("dsv4: submit only after running this command on real hardware", file=sys.stderr)
    sys.stdout.write(out + "\n")
    return EXIT_OK
