"""Lint reports for people (`format_text`, `summary_line`) and machines (`to_json`).

Exit code policy for the CLI: 0 when clean or only warnings / info, 3 on an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .findings import Finding, LintReport
from .shell import TextProblem

ICONS = {"error": "✗", "warning": "⚠", "info": "ℹ"}
EXIT_ERROR = 3


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary_line(report: LintReport) -> str:
    """`✓ 14 checks`, `⚠ 1 warning`, `✗ 1 error · ⚠ 2 warnings` (info is not counted)."""
    errors, warnings = report.count("error"), report.count("warning")
    if not errors and not warnings:
        return f"✓ {_plural(report.checked, 'check')}"
    parts = []
    if errors:
        parts.append(f"✗ {_plural(errors, 'error')}")
    if warnings:
        parts.append(f"⚠ {_plural(warnings, 'warning')}")
    return " · ".join(parts)


def finding_line(f: Finding) -> str:
    """`✗ error   removed-flag [--x] message  → fix: remove --x; set --y`."""
    fixes = "  → " + " | ".join(f"fix: {fix.describe()}" for fix in f.fixes) if f.fixes else ""
    subject = f" [{f.subject}]" if f.subject else ""
    return f"{ICONS[f.level]} {f.level:<7} {f.id}{subject} {f.message}{fixes}"


def format_report(report: LintReport, *, with_info: bool = True) -> list[str]:
    where = f"line {report.line}: " if report.line is not None else ""
    lines = [f"{where}{report.launcher} — checked against {report.checked_against}"]
    for f in report.findings:
        if with_info or f.level != "info":
            lines.append("  " + finding_line(f))
            if f.note:
                lines.append(f"      known refusal: {f.note}")
    tail = summary_line(report)
    if report.skipped:
        tail += (
            f" ({_plural(len(report.skipped), 'check')} skipped: "
            + "; ".join(f"{s.check_id}: {s.reason}" for s in report.skipped)
            + ")"
        )
    lines.append("  " + tail)
    return lines


def format_text(reports: Sequence[LintReport], problems: Sequence[TextProblem] = (), *, with_info: bool = True) -> str:
    """One block per command (a header, one line per finding, a summary line), then problems."""
    lines: list[str] = []
    for report in reports:
        lines += format_report(report, with_info=with_info)
    lines += [f"✗ {p}" for p in problems]
    return "\n".join(lines)


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id,
        "level": f.level,
        "message": f.message,
        "subject": f.subject,
        "source": f.source,
        "fixes": [
            {"label": x.label, "edits": [{"op": e.op, "name": e.name, "value": e.value} for e in x.edits]}
            for x in f.fixes
        ],
        "known_refusal": f.note or None,  # why a cookbook cell carries it (rules/checks.toml)
    }


def to_json(reports: Sequence[LintReport], problems: Sequence[TextProblem] = ()) -> list[dict[str, Any]]:
    """A list of finding dicts (the Finding fields, `known_refusal`: its why or null, plus
    `line` and `checked_against`);
    unreadable text appears as `{"id": "unreadable-text", "level": "error", …}`."""
    out = [
        {**finding_dict(f), "line": r.line, "checked_against": r.checked_against} for r in reports for f in r.findings
    ]
    out += [
        {
            "id": "unreadable-text",
            "level": "error",
            "message": p.message,
            "subject": "",
            "source": "dsv4",
            "fixes": [],
            "known_refusal": None,
            "line": p.line,
            "checked_against": "",
        }
        for p in problems
    ]
    return out


def exit_code(reports: Sequence[LintReport], problems: Sequence[TextProblem] = ()) -> int:
    return EXIT_ERROR if problems or any(r.has_errors for r in reports) else 0
