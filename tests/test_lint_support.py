"""Helpers for the lint tests (no tests here): the bundled table, rules/checks.toml, contexts."""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

from dsv4_tui.core.lint import Finding, LintContext, Linter, LintReport, SglangTable, parse_checks

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
BUNDLED = ROOT / "src" / "dsv4_tui" / "data" / "sglang-0.5.23.json"
RULES = ROOT / "rules"

MODEL = "--model-path deepseek-ai/DeepSeek-V4-Flash"
H200 = {"hw": "h200", "vendor": "nvidia", "arch": "hopper", "gpus_per_node": 8, "nodes": 1, "variant": "flash"}
B200 = {"hw": "b200", "vendor": "nvidia", "arch": "blackwell", "gpus_per_node": 8, "nodes": 1, "variant": "flash"}
GB200 = {"hw": "gb200", "vendor": "nvidia", "arch": "blackwell", "gpus_per_node": 4, "nodes": 1, "variant": "flash"}
RTX = {"hw": "rtx6000", "vendor": "nvidia", "arch": "blackwell-desktop", "gpus_per_node": 8, "nodes": 1}


def toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def bundled_data() -> dict:
    """The bundled table with the launcher rules beside it, as the host gives it."""
    data = json.loads(BUNDLED.read_text(encoding="utf-8"))
    rules = json.loads((BUNDLED.parent / "sglang-parser-rules.json").read_text(encoding="utf-8"))
    return {**data, "parser_rules": rules}


@lru_cache(maxsize=1)
def table() -> SglangTable:
    return SglangTable.from_dict(bundled_data())


@lru_cache(maxsize=1)
def linter() -> Linter:
    return Linter(table(), parse_checks(toml(RULES / "checks.toml")))


def lint(flags: list[str], env: list[str] | tuple[str, ...] = (), **context) -> LintReport:
    return linter().lint_flags(list(env), [MODEL, *flags], LintContext(**context))


def ids(report: LintReport, level: str | None = None) -> list[str]:
    return [f.id for f in report.findings if level is None or f.level == level]


def only(report: LintReport, id_: str) -> Finding:
    found = [f for f in report.findings if f.id == id_]
    assert len(found) == 1, f"expected one {id_}, got {[(f.id, f.message) for f in report.findings]}"
    return found[0]
