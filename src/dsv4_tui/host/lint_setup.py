"""The lint engine for this box: the installed SGLang's flag table (cached per version) when
SGLang is installed here, else the bundled table; and the rules' checks."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.lint import Linter, SglangTable
from ..core.rules import Rules
from .paths import cache_dir
from .sglang_installed import choose_table, with_parser_rules


@dataclass(frozen=True)
class LinterChoice:
    linter: Linter
    label: str  # "SGLang 0.5.23 installed here" / "bundled table for SGLang 0.5.23"
    installed_version: str | None
    notice: str | None  # why the installed SGLang could not be used, if it could not


def make_linter(rules: Rules, *, use_installed: bool = True) -> LinterChoice:
    """Build the Linter once (reading the table and compiling the checks takes ~20 ms)."""
    choice = choose_table(cache_dir() / "sglang", use_installed=use_installed)
    linter = Linter(SglangTable.from_dict(with_parser_rules(choice.data), choice.label), rules.checks)
    return LinterChoice(linter, choice.label, choice.installed_version, choice.notice)
