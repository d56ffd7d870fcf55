"""The house rules a newcomer can rely on: small modules and functions, no model-specific
name in the code (the rules carry them), and another model's cookbook is a data edit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from dsv4_tui import cli
from dsv4_tui.app import DSV4App
from dsv4_tui.core.flags import env_name, flag_name
from dsv4_tui.core.schema import KnobOption
from dsv4_tui.host.rules_files import load_rules
from tui_helpers import chip, command_on_screen, pg_row

SRC = ROOT / "src" / "dsv4_tui"
OTHER = DATA / "othermodel"
MODULE_LINES, FUNCTION_LINES = 400, 60


def python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_modules_and_functions_stay_small(path: Path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MODULE_LINES, f"{path} has more than {MODULE_LINES} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            assert length <= FUNCTION_LINES, f"{path}:{node.lineno} {node.name}() has {length} lines"


def _model_words(rules) -> set[str]:
    """What is specific to this model: its names, repos, env names, parser flags, knob ids."""
    words = {rules.model.model.name, rules.model.model.cookbook, *rules.model.model_names.values()}
    for cell in rules.cells:
        words |= {env_name(e) for e in cell.env}
        for role in cell.role:
            words |= {env_name(e) for e in role.env}
    pg = rules.playground
    words |= {pg.parsers.reasoning.flag, pg.parsers.tool_call.flag, *pg.attention.cp.strip}
    options: list[KnobOption] = [*pg.moe.backend.option, *pg.moe.backend_quant.option, *pg.speculative.option]
    words |= {o.id for o in options if len(o.id) > 3}  # "megamoe", "mtp-314", "flashinfer_mxfp4", …
    words |= {env_name(e) for o in options for e in o.env} | {flag_name(f) for o in options for f in o.flags}
    return words - {"--moe-a2a-backend", "--moe-runner-backend", "--speculative-algorithm"}


def _string_constants(tree: ast.AST) -> list[tuple[int, str]]:
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_model_specific_name_in_the_code(rules):
    words = _model_words(rules)
    assert {"MegaMoE", "SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK", "megamoe"} & words  # the test has teeth
    found = []
    for path in python_files():
        for line, value in _string_constants(ast.parse(path.read_text(encoding="utf-8"))):
            hits = [w for w in words if w in value]
            if hits:
                found.append(f"{path.relative_to(SRC)}:{line}: {hits}")
    assert not found, "model facts belong in rules/:\n" + "\n".join(found)


# --------------------------------------------------------------------------- another model


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_another_model_checks_and_lists(capsys):
    code, out, err = run(capsys, "--rules", str(OTHER), "check")
    assert (code, err) == (0, "") and out.splitlines() == [
        f"{OTHER}: OK — 4 cells (3 verified)",
        "  badges: 3 Verified, 0 In progress, 1 Not Verified",
        "  warn banners: 0",
        "  benchmarks: 0 entries, 0 cells with measured speed",
    ]
    code, out, _ = run(capsys, "--rules", str(OTHER), "list")
    assert code == 0 and len(out.splitlines()) == 4
    assert "mi300x  max   bf16  chat   one  Not Verified (derived from l40s/max/bf16/batch/two)" in out


def test_another_model_prints_its_own_commands(capsys):
    code, out, err = run(capsys, "--rules", str(OTHER), "print")
    assert code == 0
    assert out == (
        "ORBIT_FAST_PATH=1 \\\nsglang serve \\\n  --model-path example-labs/Orbit-7-Mini \\\n  --tp 1 \\\n"
        "  --enable-warmup-cache \\\n  --host 0.0.0.0 \\\n  --port 8080\n"
    )
    assert "The warm-up cache takes a minute" in err  # its own [[note]]
    code, out, _ = run(capsys, "--rules", str(OTHER), "print", "--hw", "L40S", "--variant", "Max", "--docker")
    assert code == 0
    assert out.startswith("# 2 nodes: rank 0 is the head, 1..1 the others.\ndocker run --gpus all \\\n  --shm-size 8g")
    assert "--dist-init-addr <head-ip>:25000" in out and "example/serve:1.0" in out
    code, out, _ = run(capsys, "--rules", str(OTHER), "print", "--set", "PORT=9090", "--curl")
    assert (
        out
        == 'curl http://localhost:9090/v1/completions -d \'{"model": "example-labs/Orbit-7-Mini", "prompt": "ping"}\'\n'
    )


def test_another_model_has_its_own_playground_keys(capsys):
    code, out, err = run(
        capsys, "--rules", str(OTHER), "print", "--override", "thinking=on", "--override", "pd-role=decode"
    )
    assert code == 0 and "--reasoning-parser qwen3" in out and out.startswith("# DECODE role: run the prefill role")
    code, _, err = run(capsys, "--rules", str(OTHER), "print", "--override", "megamoe-quant=w4a4")
    assert code == 2 and "unknown --override key 'megamoe-quant'" in err and "fused-precision" in err


async def test_another_model_in_the_deploy_pane():
    rules = load_rules(OTHER)
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert app.sub_title.startswith("Orbit-7 on SGLang")
        assert chip(app, "hw", "l40s").state.selected and chip(app, "hw", "mi300x").state.enabled
        assert command_on_screen(app).startswith("ORBIT_FAST_PATH=1 \\\nsglang serve")
        assert "Chat" in chip(app, "strategy", "chat").text


# --------------------------------------------------------------------------- a knob option is a data edit

NEW_OPTIONS = """
[[speculative.option]]
id = "mtp-213"
label = "EAGLE / MTP 2-1-3"
flags = ["--speculative-algorithm EAGLE", "--speculative-num-steps 2", "--speculative-eagle-topk 1", "--speculative-num-draft-tokens 3"]

[[moe.backend.option]]
id = "cutlass"
label = "CUTLASS"
flags = ["--moe-runner-backend cutlass"]

[[hicache.backend.option]]
id = "seaweedfs"
label = "SeaweedFS"
"""


@pytest.fixture
def extended_rules(tmp_path) -> Path:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    with (folder / "playground.toml").open("a", encoding="utf-8") as fh:
        fh.write(NEW_OPTIONS)
    return folder


def test_a_new_speculative_preset_backend_and_storage_are_data_edits(extended_rules, capsys):
    argv = ["--rules", str(extended_rules), "print", "--hw", "b200", "--strategy", "balanced"]
    code, out, err = run(capsys, *argv, "--override", "speculative=mtp-213", "--override", "dp-attention=off")
    assert code == 0, err
    assert "--speculative-num-steps 2" in out and "--speculative-num-draft-tokens 3" in out
    code, out, _ = run(capsys, *argv, "--override", "moe-backend=CUTLASS")  # a label works too
    assert code == 0 and "--moe-runner-backend cutlass" in out and "--moe-a2a-backend" not in out
    code, out, _ = run(capsys, *argv, "--override", "hicache=on", "--override", "hicache-backend=seaweedfs")
    assert code == 0 and "--hicache-storage-backend seaweedfs" in out and "--hicache-io-backend direct" in out
    with pytest.raises(SystemExit):
        cli.main(["--rules", str(extended_rules), "print", "--help"])
    out = capsys.readouterr().out
    assert "speculative" in out and "mtp-213" in out and "cutlass" in out and "| seaweedfs" in out


async def test_a_new_option_gets_its_chip_in_the_playground(extended_rules):

    app = DSV4App(load_rules(extended_rules), detect=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        new = pg_row(app, "speculative").option("mtp-213")
        assert new is not None and new.shown and new.text == "EAGLE / MTP 2-1-3"
        assert pg_row(app, "moe_backend").option("cutlass") is not None
