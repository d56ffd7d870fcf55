"""The 136 cookbook cells have no lint errors but the known refusals (checks.toml: a flag that
exists only in the cell's own preview image); their deprecated flags are warnings with the new name."""

from __future__ import annotations

import re

import pytest

from dsv4_tui.core.lint import LintContext
from dsv4_tui.core.lookup import model_name
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import RULES, linter, toml

PLACEHOLDERS = {"HOST_IP": "0.0.0.0", "PORT": "30000", "NODE_RANK": "0", "NODE0_IP": "10.0.0.1"}


def _fill(text: str, model_name: str) -> str:
    text = text.replace("{{MODEL_NAME}}", model_name)
    text = re.sub(r"\{\{([A-Z0-9_]+)\}\}", lambda m: PLACEHOLDERS.get(m.group(1), m.group(0)), text)
    text = text.replace("<node-rank>", "0")
    return re.sub(r"<[a-z0-9-]*ip>", "10.0.0.2", text)


def _units():
    """(label, env, flags, context) of every command of every cell: the cell, or each role with flags."""
    rules = load_rules(RULES, cache=False)
    for cell in rules.cells:
        hw = rules.hardware(cell.hw)
        sel = Selection.of(cell)
        roles = [r for r in cell.role if r.flags]
        units = (
            [(cell.key_text, cell.env, cell.flags)]
            if not roles
            else [(f"{cell.key_text} {r.title}", r.env, r.flags) for r in roles]
        )
        for label, env, flags in units:
            mode = next((f.split()[1] for f in flags if f.startswith("--disaggregation-mode ")), None)
            ctx = LintContext(
                hw=hw.id, vendor=hw.vendor, arch=hw.arch, gpus_per_node=hw.gpus_per_node,
                nodes=rules.node_count(cell.nodes), role=mode, framing="python", variant=cell.variant,
            )  # fmt: skip
            yield label, list(env), list(flags), ctx, model_name(rules, sel)


UNITS = list(_units())


def test_all_136_cells_are_covered():
    assert len({u[0].split(" ")[0] for u in UNITS}) == len(toml(RULES / "cells.toml")["cell"]) == 136


CHECKS = load_rules(RULES, cache=False).checks


def unexplained(label: str, report) -> list[str]:
    """The errors that are not a known refusal of this cell, or that do not say why."""
    return [
        f.message
        for f in report.errors
        if CHECKS.refusal(label.split(" ")[0], f.id, f.subject) is None or not f.note.endswith("which runs that image.")
    ]


@pytest.mark.parametrize("label, env, flags, ctx, name", UNITS, ids=[u[0] for u in UNITS])
def test_cell_has_no_errors_but_its_known_refusals(label, env, flags, ctx, name):
    filled = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
    assert unexplained(label, filled) == []
    raw = linter().lint_flags(env, flags, ctx)  # as the rules write it: placeholders are info
    assert unexplained(label, raw) == []


def test_the_known_refusals_are_real_and_only_on_dgx_spark():
    refused = set()
    for label, env, flags, ctx, name in UNITS:
        report = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
        refused |= {(label, f.id, f.subject) for f in report.errors}
    listed = {(c, r.check, r.subject) for r in CHECKS.known_refusal for c in r.cells}
    assert refused == listed  # each listed refusal happens, and nothing else is refused
    assert {c.split("/")[0] for c, _, _ in listed} == {"dgx-spark"}
    assert all("exists only in this cell's dev image" in r.why for r in CHECKS.known_refusal)


def test_deprecated_flags_in_cells_name_the_replacement_and_the_date():
    seen = 0
    for _, env, flags, ctx, name in UNITS:
        report = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
        for f in report.findings:
            if f.id == "deprecated-flag":
                seen += 1
                assert f.level == "warning" and f.subject == "--enable-dp-attention"  # none left: see below
                assert "use --attn-dp-size <dp-size>" in f.message and "after 2026-12-31" in f.message
                assert f.fixes and any(e.name == "--attn-dp-size" for e in f.fixes[0].edits)
    assert seen == 0  # every cell now writes DP attention as --attn-dp-size


def test_cell_warnings_are_only_the_expected_kinds():
    kinds = set()
    for _, env, flags, ctx, name in UNITS:
        report = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
        kinds |= {f.id for f in report.findings if f.level == "warning"}
    assert kinds <= {
        "unknown-env",
        "deprecated-flag",
        "deepep-dispatch-buffer",
        "deepep-dispatch-buffer-no-mtp",
        "fp4-indexer-sm100",
        "think-max-context",
    }
