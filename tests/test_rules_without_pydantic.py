"""Validated rules need no pydantic: the schema's classes are standard-library dataclasses,
pydantic is imported only to validate a file, and cached rules come back whole in an
interpreter that never imports it (a cached start: `host/rules_cache.py`'s JSON)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from dsv4_tui.core.env import Env
from dsv4_tui.core.problems import RulesError
from dsv4_tui.core.rules import Rules, RulesText, build_rules
from dsv4_tui.core.selection import Selection
from dsv4_tui.core.view import deploy_view

# About the rules cache: every test starts with an empty config folder (conftest.py).
pytestmark = pytest.mark.cold_rules_cache

FILES = (
    "model.toml",
    "cells.toml",
    "playground.toml",
    "checks.toml",
    "cookbook.toml",
    "benchmarks.toml",
    "srt_slurm.toml",
)

IMPORTS = r"""
import json, sys
import dsv4_tui.core.rules, dsv4_tui.core.schema, dsv4_tui.core.schema_playground
import dsv4_tui.core.lint.checks_model
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core"))))
"""

UNPICKLE = r"""
import json, sys
from dsv4_tui.core.env import Env
from dsv4_tui.host.rules_cache import decode
from dsv4_tui.core.selection import Selection
from dsv4_tui.core.view import deploy_view

with open(sys.argv[1], "rb") as f:
    rules = decode(f.read())
env = Env.defaults(rules)
shown = {
    cell.key_text + "|" + framing: deploy_view(rules, Selection.of(cell), framing, env).display
    for cell in rules.cells
    for framing in ("python", "docker")
}
print(json.dumps({
    "pydantic": sorted(m for m in sys.modules if m.split(".")[0] in ("pydantic", "pydantic_core")),
    "shown": shown,
    "checks": len(rules.checks.check),
    "repr": repr(rules),
}))
"""


def _texts(folder: Path) -> dict[str, RulesText]:
    return {name: RulesText(name, (folder / name).read_text(encoding="utf-8")) for name in FILES}


def _build(texts: dict[str, RulesText]) -> Rules:
    return build_rules(
        texts["model.toml"],
        [texts["cells.toml"]],
        texts["playground.toml"],
        [str(ROOT / "rules")],
        texts["checks.toml"],
        [texts[n] for n in ("cookbook.toml", "benchmarks.toml", "srt_slurm.toml")],
    )


def _run(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_rules_and_their_schema_does_not_import_pydantic():
    assert _run(IMPORTS) == []


def test_cached_rules_come_back_equal_and_render_the_same_without_pydantic(tmp_path):
    from dsv4_tui.host.rules_cache import decode, encode

    rules = _build(_texts(ROOT / "rules"))
    data = encode(rules)
    back = decode(data)
    assert back == rules and back.checks == rules.checks and back.sources == rules.sources
    path = tmp_path / "rules.json"
    path.write_bytes(data)

    result = _run(UNPICKLE, str(path))

    assert result["pydantic"] == []
    env = Env.defaults(rules)
    expected = {
        cell.key_text + "|" + framing: deploy_view(rules, Selection.of(cell), framing, env).display
        for cell in rules.cells
        for framing in ("python", "docker")
    }
    assert result["shown"] == expected
    assert result["checks"] == len(rules.checks.check) > 0
    assert result["repr"] == repr(rules)


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda t: t.replace("[install]\n", "[install]\nx = 1\n", 1), "install.x: unknown key 'x'"),
        (
            lambda t: "install = 1\n" + t.replace("[install]\n", "[install_]\n", 1),
            "install: Input should be a valid dictionary or instance of Install (got 1)",
        ),
        (
            lambda t: t.replace("default_image = ", "default_imagex = ", 1),
            "model.default_image: missing required key 'default_image'",
        ),
        (
            lambda t: t.replace("dist_port = ", "dist_port = -", 1),
            "multi_node.dist_port: Input should be greater than 0",
        ),
    ],
    ids=["unknown key", "not a table", "missing key", "out of bounds"],
)
def test_model_toml_problems_keep_their_wording(edit, message):
    """The dataclasses' problems read as the pydantic models' did (`rules._message`)."""
    texts = _texts(ROOT / "rules")
    texts["model.toml"] = RulesText("model.toml", edit(texts["model.toml"].text))
    with pytest.raises(RulesError) as err:
        _build(texts)
    assert any(message in str(p) for p in err.value.problems), [str(p) for p in err.value.problems]


def test_a_check_breaking_a_rule_of_its_own_is_a_value_error_with_its_text():
    texts = _texts(ROOT / "rules")
    checks = texts["checks.toml"].text
    assert checks is not None
    texts["checks.toml"] = RulesText(
        "checks.toml", checks + '\n[[check]]\nid = "x"\nlevel = "info"\nsource = "s"\nmessage = "m"\n'
    )
    with pytest.raises(RulesError) as err:
        _build(texts)
    problems = [str(p) for p in err.value.problems]
    assert any(p.endswith(": a check needs require or compare") and "Value error" not in p for p in problems), problems
