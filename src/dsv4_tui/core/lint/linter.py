"""The lint engine: one `Linter` per (table, checks), built once, then called per command.

    linter = Linter(SglangTable.from_dict(data, label), parse_checks(toml_data))
    report = linter.lint(env=["SGLANG_X=1"], argv=["--tp", "4"], context=LintContext(hw="h200"))
    report = linter.lint_flags(cell.env, cell.flags, context)    # flags as "--tp 4" strings
    env, flags = linter.apply_fix(cell.env, cell.flags, report.findings[0].fixes[0])

Building the table's indexes and canonicalising the checks' flag names happens in the
constructor; a lint call parses the argv once and evaluates each check once.
"""

from __future__ import annotations

import shlex
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from .argv import parse_argv
from .checks_model import Checks
from .envchecks import env_findings, split_env
from .facts import build_facts, canonical_name
from .findings import LEVELS, Edit, Finding, Fix, LintContext, LintReport, Skipped
from .flagchecks import argv_findings
from .parser_rules import model_type_finding, parser_findings
from .refusals import explain_refusals
from .rules_engine import CompiledChecks, compile_checks, run_check
from .shell import ParsedCommand, TextProblem, parse_commands
from .table import MAX_PER_KIND, SglangTable


@lru_cache(maxsize=4096)
def _split_one(flag: str) -> tuple[str, ...]:
    if not any(ch in flag for ch in "'\"\\#"):
        return tuple(flag.split())
    try:
        return tuple(shlex.split(flag))
    except ValueError:
        return tuple(flag.split(None, 1))


def split_flags(flags: Sequence[str]) -> list[str]:
    """The argv of flag strings as the rules write them ("--tp 4", "--x '{\"a\":1}'")."""
    argv: list[str] = []
    for flag in flags:
        argv += _split_one(flag)
    return argv


def _flag_string(name: str, value: str | None) -> str:
    return name if value is None else f"{name} {shlex.quote(value)}"


class Linter:
    def __init__(self, table: SglangTable, checks: Checks | None = None):
        self.table = table
        self.compiled = compile_checks(checks, table) if checks is not None else CompiledChecks((), {})
        self.known_refusals = tuple(checks.known_refusal) if checks is not None else ()
        self._recent: OrderedDict[tuple, LintReport] = OrderedDict()  # chip presses revisit commands
        self._errors: dict[tuple, tuple[Finding, ...]] = {}  # the Playground's option gate asks many

    @property
    def checked_against(self) -> str:
        return self.table.label

    def lint(
        self,
        env: Sequence[str],
        argv: Sequence[str],
        context: LintContext | None = None,
        *,
        line: int | None = None,
        launcher: str = "sglang serve",
        model_type: str | None = None,
    ) -> LintReport:
        """Lint one command: its env (NAME=VALUE) and argv (tokens after `sglang serve`)."""
        ctx = context or LintContext()
        key = (tuple(env), tuple(argv), ctx, launcher, model_type)
        if key in self._recent:
            self._recent.move_to_end(key)
            found = self._recent[key]
            return found if found.line == line else replace(found, line=line)
        report = self._lint(key[0], key[1], ctx, line, launcher, model_type)
        self._recent[key] = report
        if len(self._recent) > 256:
            self._recent.popitem(last=False)
        return report

    def _lint(
        self,
        env: tuple[str, ...],
        argv: tuple[str, ...],
        ctx: LintContext,
        line: int | None,
        launcher: str,
        model_type: str | None = None,
        verify: bool = True,
    ) -> LintReport:
        parsed = parse_argv(self.table, tuple(argv))
        env_map = {self.table.canonical_env(n): v for n, v in (split_env(e) for e in env)}
        findings, checked = argv_findings(self.table, parsed, env_map)
        findings += parser_findings(self.table, parsed, argv, launcher)
        findings += model_type_finding(self.table, launcher, model_type)
        env_found, env_checked = env_findings(self.table, env)
        findings += env_found
        checked += env_checked
        facts = build_facts(self.table, parsed, env, ctx)
        skipped: list[Skipped] = []
        for check in self.compiled.checks:
            result = run_check(check, facts)
            if isinstance(result, Finding):
                findings.append(result)
                checked += 1
            elif isinstance(result, Skipped):
                skipped.append(result)
            elif result is True:
                checked += 1
        failed = {f.id for f in findings}
        superseded = {
            c.check.id for c in self.compiled.checks if c.check.id in failed and failed & set(c.check.superseded_by)
        }
        findings = _capped([f for f in findings if f.id not in superseded])
        findings = explain_refusals(self.table, parsed, findings, self.known_refusals, ctx)
        if verify:
            findings = self._safe_fixes(findings, env, parsed, ctx, launcher, model_type)
        findings.sort(key=lambda f: LEVELS.index(f.level))
        return LintReport(
            tuple(findings), checked, tuple(skipped), self.table.label, line, launcher, tuple(env), tuple(argv)
        )

    def _safe_fixes(
        self,
        findings: list[Finding],
        env: tuple[str, ...],
        parsed,
        ctx: LintContext,
        launcher: str,
        model_type: str | None,
    ) -> list[Finding]:
        """The findings with only the fixes that create no new error: each fix is applied and
        the result linted again (without this step); a fix that would bring an error the
        command does not have is dropped."""
        if not any(f.fixes for f in findings):
            return findings
        before = {f.id for f in findings if f.level == "error"}
        flags = [
            " ".join([occ.token, *(shlex.quote(v) for v in occ.values if not occ.explicit)])
            for occ in parsed.occurrences
        ] + [shlex.quote(token) for _, token in parsed.positionals]
        out = []
        for f in findings:
            kept = []
            for fix in f.fixes:
                env2, flags2 = self.apply_fix(env, flags, fix)
                after = self._lint(tuple(env2), tuple(split_flags(flags2)), ctx, None, launcher, model_type, False)
                if not {g.id for g in after.findings if g.level == "error"} - before:
                    kept.append(fix)
            out.append(f if len(kept) == len(f.fixes) else replace(f, fixes=tuple(kept)))
        return out

    def errors(
        self,
        env: Sequence[str],
        argv: Sequence[str],
        context: LintContext | None = None,
        launcher: str = "sglang serve",
        model_type: str | None = None,
    ) -> tuple[Finding, ...]:
        """The errors of one command, without checking the fixes (cached): what the
        Playground's option gate asks for every option it could offer."""
        ctx = context or LintContext()
        key = (tuple(env), tuple(argv), ctx, launcher, model_type)
        found = self._errors.get(key)
        if found is None:
            report = self._recent.get(key)
            if report is None:
                report = self._lint(key[0], key[1], ctx, None, launcher, model_type, verify=False)
            found = report.errors
            if len(self._errors) >= 4096:
                self._errors.clear()
            self._errors[key] = found
        return found

    def lint_flags(self, env: Sequence[str], flags: Sequence[str], context: LintContext | None = None) -> LintReport:
        """Lint a command given as the rules write it: env entries and "--flag value" strings."""
        return self.lint(env, split_flags(flags), context)

    def lint_text(self, text: str, context: LintContext | None = None) -> tuple[list[LintReport], list[TextProblem]]:
        """Lint every `sglang serve` command in a shell text (see shell.py), each on its own."""
        commands, problems = parse_commands(text)
        if len(commands) > MAX_COMMANDS:
            problems.append(
                TextProblem(
                    commands[MAX_COMMANDS].line,
                    f"{len(commands):,} commands: only the first {MAX_COMMANDS} are checked",
                )
            )
            commands = commands[:MAX_COMMANDS]
        for i, cmd in enumerate(commands):
            if len(cmd.argv) > MAX_WORDS:
                problems.append(
                    TextProblem(
                        cmd.line, f"{len(cmd.argv):,} words in one command: only the first {MAX_WORDS:,} are checked"
                    )
                )
                commands[i] = replace(cmd, argv=cmd.argv[:MAX_WORDS])
        reports = [self.lint_command(cmd, context) for cmd in commands]
        if not commands and not problems:
            problems.append(TextProblem(None, "no `sglang serve` (or python -m sglang.launch_server) command found"))
        return reports, problems

    def lint_command(self, cmd: ParsedCommand, context: LintContext | None = None) -> LintReport:
        ctx = _command_context(cmd, context)
        return self.lint(cmd.env, cmd.argv, ctx, line=cmd.line, launcher=cmd.launcher, model_type=cmd.model_type)

    def command_errors(self, cmd: ParsedCommand, context: LintContext | None = None) -> tuple[Finding, ...]:
        """The errors `lint_command` would report (cached, the fixes not checked)."""
        return self.errors(cmd.env, cmd.argv, _command_context(cmd, context), cmd.launcher, cmd.model_type)

    # ------------------------------------------------------------------ fixes
    def literal_name(self, flags: Sequence[str], name: str) -> str:
        """How `flags` write the option `name` (`--dp` for `--dp-size`), else `name`."""
        key = canonical_name(self.table, name)
        return next((f.split(None, 1)[0].split("=", 1)[0] for f in flags if self._key(f) == key), name)

    def _key(self, flag: str) -> str:
        name = flag.split(None, 1)[0].split("=", 1)[0] if flag.strip() else flag
        return canonical_name(self.table, name)

    def apply_fix(self, env: Sequence[str], flags: Sequence[str], fix: Fix) -> tuple[list[str], list[str]]:
        """(env, flags) with the fix's edits applied; flags are "--name value" strings.

        A flag is matched by what argparse reads it as (`--dp 4` is `--dp-size`). A set flag
        replaces the first match in place; a new one goes where the fix removed a flag, else
        before `--host`, else at the end.
        """
        env_out, flags_out = list(env), list(flags)
        anchor: int | None = None
        for edit in fix.edits:
            if edit.op == "set_env":
                env_out = _set_env(env_out, edit.name, edit.value or "")
            elif edit.op == "remove_env":
                env_out = [e for e in env_out if split_env(e)[0] != edit.name]
            else:
                flags_out, anchor = self._edit_flags(flags_out, edit, anchor)
        return env_out, flags_out

    def _edit_flags(self, flags: list[str], edit: Edit, anchor: int | None) -> tuple[list[str], int | None]:
        key = canonical_name(self.table, edit.name)
        hits = [i for i, f in enumerate(flags) if self._key(f) == key]
        if edit.op == "set_flag" and hits:
            flags[hits[0]] = _flag_string(edit.name, edit.value)
            return [f for i, f in enumerate(flags) if i not in hits[1:]], anchor
        if hits:  # removed: later insertions go where the first removed flag was
            if anchor is not None:
                anchor -= sum(1 for i in hits if i < anchor)
            anchor = hits[0] if anchor is None else min(anchor, hits[0])
            flags = [f for i, f in enumerate(flags) if i not in hits]
        if edit.op == "remove_flag":
            return flags, anchor
        host = canonical_name(self.table, "--host")
        at = (
            anchor if anchor is not None else next((i for i, f in enumerate(flags) if self._key(f) == host), len(flags))
        )
        flags.insert(min(at, len(flags)), _flag_string(edit.name, edit.value))
        return flags, min(at, len(flags) - 1) + 1


def _command_context(cmd: ParsedCommand, context: LintContext | None) -> LintContext:
    ctx = context or LintContext()
    return replace(
        ctx,
        framing=cmd.framing,
        docker_args=cmd.docker_args or ctx.docker_args,
        docker_image=cmd.docker_image or ctx.docker_image,
    )


MAX_COMMANDS = 100  # commands linted per text; a launch script has a handful
MAX_WORDS = 5000  # words linted per command; a real one has under 200


def _capped(findings: list[Finding]) -> list[Finding]:
    """At most MAX_PER_KIND findings per id, plus one info line per id saying how many more."""
    counts: dict[str, int] = {}
    out: list[Finding] = []
    for f in findings:
        counts[f.id] = counts.get(f.id, 0) + 1
        if counts[f.id] <= MAX_PER_KIND:
            out.append(f)
    for id_, n in counts.items():
        if n > MAX_PER_KIND:
            level = next(f.level for f in out if f.id == id_)
            out.append(
                Finding(
                    "more-findings",
                    "info",
                    f"{n - MAX_PER_KIND:,} more {id_} findings ({level}) are not listed; {n:,} in all",
                    id_,
                    "dsv4",
                )
            )
    return out


def _set_env(env: list[str], name: str, value: str) -> list[str]:
    at = next((i for i, e in enumerate(env) if split_env(e)[0] == name), None)
    kept = [e for e in env if split_env(e)[0] != name]
    kept.insert(len(kept) if at is None else at, f"{name}={value}")
    return kept
