"""A finding the verified cell's own page text carries is kept and said to come from the page
(issue 18, 20); one the user's changes bring is not. Data-independent: the commands are made
here, the flags deprecated in the bundled SGLang 0.5.23 table."""

from __future__ import annotations

import pytest

from dsv4_tui.core.checks_view import command_checks
from dsv4_tui.core.selection import first_selection
from dsv4_tui.host.lint_setup import make_linter

PAGE = "sglang serve \\\n  --model-path org/model \\\n  --tp 8 \\\n  --enable-dp-attention \\\n  --dp 8\n"
USER = PAGE.replace("--dp 8\n", "--dp 8 \\\n  --disable-cuda-graph\n")  # a second deprecated flag


@pytest.fixture(scope="module")
def linter(rules):
    return make_linter(rules, use_installed=False).linter


def test_a_warning_from_the_pages_own_text_is_kept_and_said_so(rules, linter):
    sel = first_selection(rules)
    checks = command_checks(linter, rules, sel, PAGE, page_text=PAGE)
    warnings = [f for f in checks.findings if f.level == "warning"]
    assert [f.subject for f in warnings] == ["--enable-dp-attention"]
    assert checks.level == "warning"  # kept
    assert checks.summary() == "⚠ 1 warning (from the page's own text)"
    assert checks.is_from_page(warnings[0])


def test_only_the_pages_own_findings_are_labelled(rules, linter):
    sel = first_selection(rules)
    checks = command_checks(linter, rules, sel, USER, page_text=PAGE)
    assert checks.summary() == "⚠ 2 warnings (1 from the page's own text)"
    by_subject = {f.subject: checks.is_from_page(f) for f in checks.findings if f.level == "warning"}
    assert by_subject == {"--enable-dp-attention": True, "--disable-cuda-graph": False}


def test_without_a_page_text_nothing_is_labelled(rules, linter):
    checks = command_checks(linter, rules, first_selection(rules), PAGE)
    assert checks.summary() == "⚠ 1 warning"
