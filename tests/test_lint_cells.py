"""The 69 verified cells have no lint errors; their deprecated flags are warnings with the new name."""

from __future__ import annotations

import re

import pytest

from dsv4_tui.core.lint import LintContext
from test_lint_support import RULES, linter, toml

PLACEHOLDERS = {"HOST_IP": "0.0.0.0", "PORT": "30000", "NODE_RANK": "0", "NODE0_IP": "10.0.0.1"}


def _model() -> dict:
    return toml(RULES / "model.toml")


def _model_name(model: dict, cell: dict) -> str:
    names = model["model_names"]
    return names.get(f"{cell['hw']}|{cell['variant']}|{cell['quant']}") or names[f"{cell['variant']}|{cell['quant']}"]


def _fill(text: str, model_name: str) -> str:
    text = text.replace("{{MODEL_NAME}}", model_name)
    text = re.sub(r"\{\{([A-Z0-9_]+)\}\}", lambda m: PLACEHOLDERS.get(m.group(1), m.group(0)), text)
    text = text.replace("<node-rank>", "0")
    return re.sub(r"<[a-z0-9-]*ip>", "10.0.0.2", text)


def _units():
    """(label, env, flags, context) of every command of every cell: the cell, or each role with flags."""
    model = _model()
    hardware = {h["id"]: h for h in model["hardware"]}
    nodes = {n["id"]: n["count"] for n in model["nodes"]}
    for cell in toml(RULES / "cells.toml")["cell"]:
        hw = hardware[cell["hw"]]
        key = "/".join(cell[d] for d in ("hw", "variant", "quant", "strategy", "nodes"))
        roles = [r for r in cell.get("role", []) if r.get("flags")]
        units = (
            [(key, cell.get("env", []), cell["flags"])]
            if not roles
            else [(f"{key} {r['title']}", r.get("env", []), r["flags"]) for r in roles]
        )
        for label, env, flags in units:
            mode = next((f.split()[1] for f in flags if f.startswith("--disaggregation-mode ")), None)
            ctx = LintContext(
                hw=hw["id"], vendor=hw["vendor"], arch=hw["arch"], gpus_per_node=hw.get("gpus_per_node", 8),
                nodes=nodes[cell["nodes"]], role=mode, framing="python", variant=cell["variant"],
            )  # fmt: skip
            yield label, env, flags, ctx, _model_name(model, cell)


UNITS = list(_units())


def test_all_69_cells_are_covered():
    assert len({u[0].split(" ")[0] for u in UNITS}) == len(toml(RULES / "cells.toml")["cell"]) == 69


@pytest.mark.parametrize("label, env, flags, ctx, name", UNITS, ids=[u[0] for u in UNITS])
def test_verified_cell_has_no_errors(label, env, flags, ctx, name):
    filled = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
    assert not filled.has_errors, [f.message for f in filled.errors]
    raw = linter().lint_flags(env, flags, ctx)  # as the rules write it: placeholders are info
    assert not raw.has_errors, [f.message for f in raw.errors]


def test_deprecated_flags_in_cells_name_the_replacement_and_the_date():
    seen = 0
    for _, env, flags, ctx, name in UNITS:
        report = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
        for f in report.findings:
            if f.id == "deprecated-flag":
                seen += 1
                assert f.level == "warning" and f.subject == "--enable-dp-attention"
                assert "use --attn-dp-size <dp-size>" in f.message and "after 2026-12-31" in f.message
                assert f.fixes and any(e.name == "--attn-dp-size" for e in f.fixes[0].edits)
    assert seen >= 31  # the issue counts 31 cells; roles add their own commands


def test_cell_warnings_are_only_the_expected_kinds():
    kinds = set()
    for _, env, flags, ctx, name in UNITS:
        report = linter().lint_flags([_fill(e, name) for e in env], [_fill(f, name) for f in flags], ctx)
        kinds |= {f.id for f in report.findings if f.level == "warning"}
    assert kinds <= {"deprecated-flag", "unknown-env"}
