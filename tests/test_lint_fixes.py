"""A fix the lint offers never creates a new error: every fix of every finding, on every cell's
command and on every single Playground override of every cell (issue 17)."""

from __future__ import annotations

import shlex
from functools import lru_cache

from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.lint.argv import parse_argv
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.playground.result import playground
from dsv4_tui.core.playground.views import cards, set_choice
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import ROOT, linter


@lru_cache(maxsize=1)
def _rules():
    return load_rules(ROOT / "rules", cache=False)


def _flags(argv: tuple[str, ...]) -> list[str]:
    """The argv as "--name value" strings, the form fixes are applied to."""
    parsed = parse_argv(linter().table, argv)
    out = []
    for occ in parsed.occurrences:
        out.append(" ".join([occ.token, *(shlex.quote(v) for v in occ.values if not occ.explicit)]))
    return out


def _commands():
    rules = _rules()
    for cell in rules.cells:
        sel = Selection(cell.hw, cell.variant, cell.quant, cell.strategy, cell.nodes)
        yield sel, Overrides()
        for card in cards(rules, sel, Overrides()):
            for knob in () if card.hidden else card.knobs:
                for choice in () if knob.hidden else knob.choices:
                    if not choice.hidden and not choice.disabled and choice.id != knob.selected:
                        yield sel, set_choice(rules, Overrides(), knob.key, choice.id)


def test_no_fix_creates_a_new_error():
    rules = _rules()
    bad, tried = [], 0
    for sel, ov in _commands():
        text = playground(rules, sel, ov, "python").text
        checks = command_checks(linter(), rules, sel, text)
        for report in checks.reports:
            before = {f.id for f in report.errors}
            flags = _flags(report.argv)
            for finding in report.findings:
                for fix in finding.fixes:
                    tried += 1
                    env, fixed = linter().apply_fix(report.env, flags, fix)
                    after = linter().lint_flags(env, fixed, _context(rules, sel, report))
                    new = {f.id for f in after.errors} - before
                    if new:
                        bad.append((sel, ov, finding.id, fix.describe(), sorted(new)))
    assert tried > 100
    assert not bad, bad[:10]


def _context(rules, sel, report):
    from dataclasses import replace

    from dsv4_tui.core.checks_view import lint_context

    role = next((report.argv[i + 1] for i, t in enumerate(report.argv[:-1]) if t == "--disaggregation-mode"), None)
    return replace(lint_context(rules, sel), role=role if role in ("prefill", "decode") else None, framing="python")
