"""Lint `sglang serve` commands: SGLang's own flag/env table plus the model's rules as data.

Pure: no file, process or network I/O here. The host reads the tables and rules/checks.toml
(see dsv4_tui.host.sglang_installed) and passes the parsed data in.

    from dsv4_tui.core.lint import Linter, LintContext, SglangTable, parse_checks, summary_line
    linter = Linter(SglangTable.from_dict(table_data, label), parse_checks(checks_data))  # once
    report = linter.lint_flags(env, flags, LintContext(hw="h200", arch="hopper", gpus_per_node=8, nodes=1))
    summary_line(report)         # "✓ 14 checks" / "⚠ 1 warning" / "✗ 1 error"
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

# Where each name lives. They are imported on first use (PEP 562): the rules hold a `Checks`
# (checks_model), and loading the rules at start-up must not load the whole engine too.
_WHERE = {
    **dict.fromkeys(("Checks", "parse_checks"), "checks_model"),
    **dict.fromkeys(("Edit", "Finding", "Fix", "LintContext", "LintReport", "Skipped"), "findings"),
    **dict.fromkeys(("Linter", "split_flags"), "linter"),
    **dict.fromkeys(
        (
            "EXIT_ERROR",
            "exit_code",
            "finding_dict",
            "finding_line",
            "format_report",
            "format_text",
            "summary_line",
            "to_json",
        ),
        "report",
    ),
    **dict.fromkeys(("ParsedCommand", "TextProblem", "parse_commands"), "shell"),
    "SglangTable": "table",
}


def _module(name: str) -> ModuleType:
    if name == "checks_model":
        from . import checks_model as module
    elif name == "findings":
        from . import findings as module
    elif name == "linter":
        from . import linter as module
    elif name == "report":
        from . import report as module
    elif name == "shell":
        from . import shell as module
    else:
        from . import table as module
    return module


def __getattr__(name: str) -> object:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_module(where), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .checks_model import Checks, parse_checks
    from .findings import Edit, Finding, Fix, LintContext, LintReport, Skipped
    from .linter import Linter, split_flags
    from .report import (
        EXIT_ERROR,
        exit_code,
        finding_dict,
        finding_line,
        format_report,
        format_text,
        summary_line,
        to_json,
    )
    from .shell import ParsedCommand, TextProblem, parse_commands
    from .table import SglangTable

__all__ = [
    "EXIT_ERROR",
    "Checks",
    "Edit",
    "Finding",
    "Fix",
    "LintContext",
    "LintReport",
    "Linter",
    "ParsedCommand",
    "Skipped",
    "SglangTable",
    "TextProblem",
    "exit_code",
    "finding_dict",
    "finding_line",
    "format_report",
    "format_text",
    "parse_checks",
    "parse_commands",
    "split_flags",
    "summary_line",
    "to_json",
]
