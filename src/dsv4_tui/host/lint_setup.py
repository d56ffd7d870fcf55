"""The lint engine for this box: the installed SGLang's flag table (cached per version) when
SGLang is installed here, else the bundled table; and the rules' checks."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..core.checks_view import clean_on
from ..core.lint import Linter, SglangTable
from ..core.rules import Rules
from .paths import cache_dir
from .sglang_installed import bundled_table, bundled_versions, choose_table, with_parser_rules


@dataclass(frozen=True)
class LinterChoice:
    linter: Linter
    label: str  # "SGLang 0.5.23 installed here" / "bundled table for SGLang 0.5.23"
    installed_version: str | None
    notice: str | None  # why the installed SGLang could not be used, if it could not
    # (version, Linter) of every bundled table, oldest first: "runs on SGLang 0.5.20–0.5.23"
    versions: tuple[tuple[str, Linter], ...] = ()


def version_linter(rules: Rules, version: str) -> Linter:
    """A Linter on the bundled table of one SGLang version (KeyError when not bundled)."""
    label = f"bundled table for SGLang {version}"
    return Linter(SglangTable.from_dict(with_parser_rules(bundled_table(version)), label), rules.checks)


def runs_on(rules: Rules, text: str, context=None) -> tuple[list[str], list[str]]:
    """(the bundled SGLang versions on which every command of `text` lints without error, as
    a release runs it (`core.checks_view.clean_on`), all bundled versions)."""
    versions = bundled_versions()
    ok = clean_on([(v, version_linter(rules, v)) for v in versions], text, lambda cmd: context)
    return list(ok or ()), versions


def make_linter(rules: Rules, *, use_installed: bool = True) -> LinterChoice:
    """Build the Linter once (reading the table and compiling the checks takes ~20 ms)."""
    choice = choose_table(cache_dir() / "sglang", use_installed=use_installed)
    linter = Linter(SglangTable.from_dict(with_parser_rules(choice.data), choice.label), rules.checks)
    return LinterChoice(linter, choice.label, choice.installed_version, choice.notice)


def with_versions(rules: Rules, choice: LinterChoice) -> LinterChoice:
    """`choice` with a Linter per bundled SGLang version (the choice's own where it is one)."""
    own = choice.linter.checked_against
    versions = tuple(
        (v, choice.linter if own == f"bundled table for SGLang {v}" else version_linter(rules, v))
        for v in bundled_versions()
    )
    return replace(choice, versions=versions)
