"""The checks of a command on screen: the lint reports of the exact text the user copies.

The text is parsed as a shell text (Python or Docker framing, one command per role), and
each `sglang serve` command is linted with what is known around it: the hardware, variant,
node count, its PD role and its framing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from .frozen import frozen
from .rules import Rules
from .selection import Selection

if TYPE_CHECKING:  # the engine loads with the linter (after the app's first frame)
    from .lint import Finding, LintContext, Linter, LintReport, ParsedCommand, TextProblem


def lint_context(rules: Rules, sel: Selection) -> LintContext:
    from .lint import LintContext

    hw = rules.hardware(sel.hw)
    return LintContext(
        hw=hw.id,
        vendor=hw.vendor,
        arch=hw.arch,
        gpus_per_node=hw.gpus_per_node,
        nodes=rules.node_count(sel.nodes),
        variant=sel.variant,
    )


def _value(argv: tuple[str, ...], name: str) -> str | None:
    for i, token in enumerate(argv):
        if token == name and i + 1 < len(argv):
            return argv[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None


@frozen
class CommandChecks:
    """The reports of every `sglang serve` command in one text (one per PD role)."""

    reports: tuple[LintReport, ...]
    problems: tuple[TextProblem, ...] = ()
    checked_against: str = ""
    # (id, subject) of the findings the verified cell's own page text has too: kept, and
    # said to come from the page (a deprecation the cookbook itself carries, say).
    from_page: frozenset[tuple[str, str]] = frozenset()
    # The bundled SGLang versions every command lints on without error, of `versions`
    # (None: not worked out, as before the bundled tables are loaded at start-up).
    runs_on: tuple[str, ...] | None = None
    versions: tuple[str, ...] = ()

    @property
    def runs_on_line(self) -> str:
        """ "runs on SGLang 0.5.20–0.5.23" ("" while not worked out, or with no command)."""
        return "" if self.runs_on is None or not self.versions else runs_on_text(self.runs_on, self.versions)

    def is_from_page(self, finding: Finding) -> bool:
        return (finding.id, finding.subject) in self.from_page

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.reports for f in r.findings)

    @property
    def level(self) -> str:
        """ "error", "warning" or "ok" (info findings do not count)."""
        levels = {f.level for f in self.findings}
        return "error" if "error" in levels or self.problems else "warning" if "warning" in levels else "ok"

    def summary(self) -> str:
        """One line: "✓ 22 checks", "⚠ 1 warning", "✗ 1 error · ⚠ 2 warnings"."""
        from .lint import LintReport, summary_line

        if not self.reports:
            return "no sglang serve command to check" if not self.problems else f"✗ {self.problems[0]}"
        if len(self.reports) == 1:
            line = summary_line(self.reports[0])
        else:
            merged = LintReport(self.findings, sum(r.checked for r in self.reports), (), self.checked_against)
            line = summary_line(merged)
        counted = [f for f in self.findings if f.level != "info"]
        page = [f for f in counted if self.is_from_page(f)]
        if page:
            line += (
                " (from the page's own text)"
                if len(page) == len(counted)
                else f" ({len(page)} from the page's own text)"
            )
        for short in dict.fromkeys(f.note_short for f in counted if f.note_short):
            line += f" · known refusal: {short}"
        return line


def runs_on_text(ok: Sequence[str], versions: Sequence[str]) -> str:
    """ "runs on SGLang 0.5.20–0.5.23" (consecutive bundled versions), or which ones."""
    if not ok:
        return f"runs on none of SGLang {', '.join(versions)}"
    start, end = versions.index(ok[0]), versions.index(ok[-1])
    if list(versions[start : end + 1]) == list(ok):
        return f"runs on SGLang {ok[0] if len(ok) == 1 else f'{ok[0]}–{ok[-1]}'}"
    return f"runs on SGLang {', '.join(ok)}"


def clean_on(
    linters: Sequence[tuple[str, Linter]], text: str, context_of: Callable[[ParsedCommand], LintContext | None]
) -> tuple[str, ...] | None:
    """The versions of `linters` (oldest first) on which every command of `text` lints without
    error; None when `text` has no `sglang serve` command (the srt-slurm recipes). A command in
    a preview image is judged as a release runs it: a known refusal that image lifts counts."""
    from .lint import parse_commands

    commands, problems = parse_commands(text)
    if not commands and not problems:
        return None
    if problems:
        return ()
    released = [replace(cmd, framing="python", docker_image=None) for cmd in commands]
    return tuple(
        version
        for version, linter in linters
        if all(not linter.command_errors(cmd, context_of(cmd)) for cmd in released)
    )


def with_runs_on(
    checks: CommandChecks, linters: Sequence[tuple[str, Linter]], rules: Rules, sel: Selection, text: str
) -> CommandChecks:
    """`checks` with the released versions its text runs on (`clean_on`; no command: none to
    name, an empty line)."""
    ok = clean_on(linters, text, lambda cmd: _context(rules, sel, cmd))
    if ok is None:
        return replace(checks, runs_on=(), versions=())
    return replace(checks, runs_on=ok, versions=tuple(v for v, _ in linters))


def command_checks(
    linter: Linter, rules: Rules, sel: Selection, text: str, page_text: str | None = None
) -> CommandChecks:
    """Lint every command of `text` (as shown for `sel`) with its context. `page_text` is the
    verified cell's command as the page has it (the same framing): findings it has too are
    marked as coming from the page's own text."""
    reports, problems = _lint_text(linter, rules, sel, text)
    if page_text is None:
        page: frozenset[tuple[str, str]] = frozenset()
    else:
        page_reports = reports if page_text == text else _lint_text(linter, rules, sel, page_text)[0]
        page = frozenset((f.id, f.subject) for r in page_reports for f in r.findings)
    return CommandChecks(tuple(reports), tuple(problems), linter.checked_against, page)


def _lint_text(linter: Linter, rules: Rules, sel: Selection, text: str) -> tuple[list[LintReport], list]:
    from .lint import parse_commands

    commands, problems = parse_commands(text)
    reports = [linter.lint_command(cmd, _context(rules, sel, cmd)) for cmd in commands]
    return reports, list(problems)


def _context(rules: Rules, sel: Selection, cmd) -> LintContext:
    """What is known around one command of the text: the selection, its PD role, its nodes."""
    base = lint_context(rules, sel)
    role = _value(cmd.argv, rules.playground.pd.mode_flag)
    nnodes = _value(cmd.argv, "--nnodes")
    return replace(
        base,
        role=role if role in ("prefill", "decode") else None,  # type: ignore[arg-type]
        nodes=int(nnodes) if nnodes and nnodes.isdigit() else base.nodes,
    )
