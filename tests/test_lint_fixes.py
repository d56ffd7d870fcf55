"""On every cell, the Playground never builds a command SGLang refuses, and a fix the lint
offers never creates a new error (issue 17):

- every option the Playground offers on a cell (the page's rules, then the lint's gate:
  core/option_gate.py) gives a command without a lint error the cell does not have;
- every fix of every finding, on every cell's command and every offered option's."""

from __future__ import annotations

import shlex
from functools import lru_cache

import pytest

from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.lint.argv import parse_argv
from dsv4_tui.core.option_gate import candidates, gated_cards, refused_options
from dsv4_tui.core.playground import Overrides
from dsv4_tui.core.playground.result import playground
from dsv4_tui.core.playground.views import cards, set_choice
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import ROOT, linter

# The three tests share `_checked()` (every offered option of every cell linted: seconds), so
# they run on one xdist worker (`--dist loadgroup`, the Makefile's default), which computes it once.
pytestmark = pytest.mark.xdist_group("lint_fixes")


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
    """(selection, state, the cell's own errors, refused options) per cell, then per option offered."""
    rules = _rules()
    for cell in rules.cells:
        sel = Selection(cell.hw, cell.variant, cell.quant, cell.strategy, cell.nodes)
        views = cards(rules, sel, Overrides())
        refused = refused_options(linter(), rules, sel, Overrides(), views)
        yield sel, Overrides(), refused
        for key, cid in candidates(gated_cards(views, refused)):
            yield sel, set_choice(rules, Overrides(), key, cid), refused


@lru_cache(maxsize=1)
def _checked():
    rules = _rules()
    out, cell_errors = [], {}
    for sel, ov, refused in _commands():
        checks = command_checks(linter(), rules, sel, playground(rules, sel, ov, "python").text)
        errors = {(f.id, f.subject) for r in checks.reports for f in r.errors}
        if ov == Overrides():
            cell_errors[sel] = errors
        out.append((sel, ov, refused, checks, errors - cell_errors[sel]))
    return out


def test_every_offered_option_lints_without_a_new_error():
    bad = [(sel, ov, new) for sel, ov, _, _, new in _checked() if new]
    offered = sum(1 for _, ov, _, _, _ in _checked() if ov != Overrides())
    refused = {sel: len(r) for sel, _, r, _, _ in _checked()}
    assert offered > 3000 and sum(refused.values()) > 300  # 136 cells: ~4,000 offered, ~500 greyed
    assert not bad, bad[:10]


def test_the_gate_greys_what_sglang_refuses_with_the_rules_reason():
    reasons = {why for _, _, refused, _, _ in _checked() for why in refused.values()}
    assert "SGLang refuses NGRAM for DeepSeek-V4 (EAGLE or DSpark only)" in reasons
    assert "DP-attention 8 needs TP ≥ 8 and a multiple: this command runs TP 4" in reasons
    assert any(r.startswith("SGLang refuses context parallel with DP-attention") for r in reasons)


def test_no_fix_creates_a_new_error():
    rules = _rules()
    bad, tried = [], 0
    for sel, ov, _, checks, _ in _checked():
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
