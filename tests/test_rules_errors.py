"""Broken rules folders: every problem names the file, the line (or key path) and what was
expected; `dsv4 check` reports them on stderr with exit 1; DSV4_RULES and overlays."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import render_command
from dsv4_tui.core.rules import RulesError
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"


def copy_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> int:
    """Replace the first `old` by `new` in folder/file; return the 1-based line where `new` starts."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


def line_of(folder: Path, file: str, needle: str, start: int = 1) -> int:
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines[start - 1 :], start):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {file}")


def problems_of(folder: Path) -> RulesError:
    with pytest.raises(RulesError) as exc:
        load_rules(folder)
    return exc.value


def the_problem(folder: Path) -> str:
    err = problems_of(folder)
    assert len(err.problems) == 1, str(err)
    return str(err.problems[0])


# --------------------------------------------------------------------------- one kind each


def test_toml_syntax_error_names_file_and_line(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(
        folder,
        "cells.toml",
        'nodes = "single"\nverified = true\nenv = []',
        'nodes = "single\nverified = true\nenv = []',
    )
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "TOML syntax error" in msg


def test_unknown_key_in_a_cell(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", 'strategy = "balanced"\n', 'strategy = "balanced"\ncolour = "red"\n') + 1
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[2].colour" in msg and "b200/flash-official/fp4/balanced/single" in msg
    assert "unknown key 'colour'" in msg


def test_wrong_type_in_a_cell(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", "verified = true", 'verified = "maybe"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[0].verified" in msg
    assert "boolean" in msg


def test_wrong_type_flags_as_a_string(tmp_path):
    folder = copy_rules(tmp_path)
    text = (folder / "cells.toml").read_text(encoding="utf-8")
    start = text.index("flags = [")
    end = text.index("]\n", start) + 1
    (folder / "cells.toml").write_text(text[:start] + 'flags = "--tp 4"' + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[0].flags" in msg and "list" in msg


def test_wrong_type_in_model_toml(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "model.toml", "memory_gb = 80", 'memory_gb = "lots"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'model.toml'}:{line}: ")
    assert "hardware[0].memory_gb" in msg and "integer" in msg


def test_wrong_type_yes_is_not_a_boolean(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", "verified = true", 'verified = "yes"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[0].verified" in msg and "boolean" in msg


def test_duplicate_cell(tmp_path):
    folder = copy_rules(tmp_path)
    # The second cell becomes a copy of the first's selection.
    second = line_of(folder, "cells.toml", 'strategy = "balanced"')
    edit(folder, "cells.toml", 'strategy = "balanced"', 'strategy = "low-latency"')
    lines = (folder / "cells.toml").read_text(encoding="utf-8").splitlines()
    header = max(i for i in range(1, second + 1) if lines[i - 1].strip() == "[[cell]]")
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{header}: ")
    assert "cell[2] (b200/flash-official/fp4/low-latency/single)" in msg
    assert "duplicate cell" in msg and "cell[0]" in msg


def test_cell_naming_an_unknown_hardware(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", 'hw = "b300"', 'hw = "a100"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert ".hw" in msg and "unknown hw 'a100'" in msg
    assert "expected one of" in msg and "b200" in msg and "mi355x" in msg


def test_cell_naming_an_unknown_variant(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", 'variant = "pro"', 'variant = "ultra"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert (
        ".variant" in msg
        and "unknown variant 'ultra'" in msg
        and "flash, flash-official, flash-vision, pro, pro-official" in msg
    )


def test_undeclared_placeholder_in_a_flag(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", '"--port {{PORT}}"', '"--port {{PROT}}"')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[0] (b200/flash-official/fp4/low-latency/single).flags[9]" in msg
    assert "{{PROT}}" in msg and "not declared" in msg


def test_flag_without_dashes(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", '"--tp 4"', '"tp 4"')
    flags_line = line_of(folder, "cells.toml", "flags = [")
    msg = the_problem(folder)
    # The line of the bad element, or at least of its `flags = [`; the message quotes it.
    assert msg.startswith((f"{folder / 'cells.toml'}:{line}: ", f"{folder / 'cells.toml'}:{flags_line}: "))
    assert "cell[1].flags" in msg and "'--'" in msg and "'tp 4'" in msg


def test_bad_env_entry(tmp_path):
    folder = copy_rules(tmp_path)
    old = '"SGLANG_DEEPEP_NUM_MAX_DISPATCH_TOKENS_PER_RANK=1024"'
    line = edit(folder, "cells.toml", old, '"SGLANG DEEPEP 1024"')
    env_line = line - 1  # `env = [` of that cell
    msg = the_problem(folder)
    assert msg.startswith((f"{folder / 'cells.toml'}:{line}: ", f"{folder / 'cells.toml'}:{env_line}: "))
    assert "cell[2].env" in msg and "NAME=VALUE" in msg and "'SGLANG DEEPEP 1024'" in msg


def test_derived_from_naming_no_cell(tmp_path):
    folder = copy_rules(tmp_path)
    line = (
        edit(
            folder,
            "cells.toml",
            'strategy = "balanced"\nnodes = "single"\nverified = true',
            'strategy = "balanced"\nnodes = "single"\nverified = false\nderived_from = "b200/flash/fp4/nope/single"',
        )
        + 3
    )
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'cells.toml'}:{line}: ")
    assert "cell[2] (b200/flash-official/fp4/balanced/single).derived_from" in msg
    assert "'b200/flash/fp4/nope/single'" in msg and "hw/variant/quant/strategy/nodes" in msg


def test_missing_model_toml(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(RULES_DIR / "playground.toml", folder)
    err = problems_of(folder)
    assert f"{folder / 'model.toml'}: file not found" in str(err).splitlines()


def test_missing_model_toml_in_a_full_folder(tmp_path):
    folder = copy_rules(tmp_path)
    (folder / "model.toml").unlink()
    err = problems_of(folder)
    assert f"{folder / 'model.toml'}: file not found" in str(err)


def test_unknown_constraint_key_in_playground(tmp_path):
    folder = copy_rules(tmp_path)
    line = edit(folder, "playground.toml", "show_only = { hw", 'show_only = { colour = ["red"], hw')
    msg = the_problem(folder)
    assert msg.startswith(f"{folder / 'playground.toml'}:{line}: ")
    assert "show_only" in msg and "unknown constraint key 'colour'" in msg
    assert "expected one of" in msg and "arch" in msg and "variant" in msg


def test_every_problem_is_reported_at_once(tmp_path):
    folder = copy_rules(tmp_path)
    l1 = edit(folder, "cells.toml", 'hw = "b300"', 'hw = "a100"')
    l2 = edit(folder, "cells.toml", '"--port {{PORT}}"', '"--port {{PROT}}"')
    l3 = edit(folder, "playground.toml", "show_only = { hw", 'show_only = { colour = ["red"], hw')
    err = problems_of(folder)
    text = str(err)
    assert len(err.problems) == 3
    assert f"cells.toml:{l1}: " in text and f"cells.toml:{l2}: " in text and f"playground.toml:{l3}: " in text


# --------------------------------------------------------------------------- dsv4 check


def test_check_a_broken_folder_exits_1_with_problems_on_stderr(tmp_path, capsys):
    folder = copy_rules(tmp_path)
    line = edit(folder, "cells.toml", 'hw = "b300"', 'hw = "a100"')
    assert cli.main(["check", "--rules", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{folder / 'cells.toml'}:{line}: " in err and "unknown hw 'a100'" in err


def test_check_the_bundled_rules_exits_0(capsys):
    assert cli.main(["check"]) == 0
    out, err = capsys.readouterr()
    assert "OK" in out and "136 cells (87 verified)" in out
    assert err == ""


def test_check_a_missing_folder_exits_1(tmp_path, capsys):
    assert cli.main(["check", "--rules", str(tmp_path / "nope")]) == 1
    assert "rules folder not found" in capsys.readouterr().err


def test_dsv4_rules_env_var_is_honoured(tmp_path, monkeypatch, capsys):
    folder = copy_rules(tmp_path)
    edit(folder, "cells.toml", 'variant = "pro"', 'variant = "ultra"')
    monkeypatch.setenv("DSV4_RULES", str(folder))
    assert cli.main(["check"]) == 1
    assert f"{folder / 'cells.toml'}:" in capsys.readouterr().err
    assert cli.main(["print"]) == 1
    # --rules wins over DSV4_RULES.
    assert cli.main(["check", "--rules", str(RULES_DIR)]) == 0


def test_dsv4_rules_env_var_changes_the_output(tmp_path, monkeypatch, capsys):
    folder = copy_rules(tmp_path)
    edit(folder, "cells.toml", '"--tp 8"', '"--tp 2"')
    monkeypatch.setenv("DSV4_RULES", str(folder))
    assert cli.main(["print"]) == 0
    assert "\n  --tp 2 \\\n" in capsys.readouterr().out


# --------------------------------------------------------------------------- overlays

OVERLAY_REPLACE = """
[[cell]]
hw = "b200"
variant = "flash-official"
quant = "fp4"
strategy = "low-latency"
nodes = "single"
verified = false
flags = [
  "--model-path {{MODEL_NAME}}",
  "--tp 2",
  "--port {{PORT}}",
]
"""

OVERLAY_NEW = """
[[cell]]
hw = "rtx6000"
variant = "flash"
quant = "fp4"
strategy = "balanced"
nodes = "single"
verified = false
flags = [
  "--model-path {{MODEL_NAME}}",
  "--tp 8",
  "--port {{PORT}}",
]
"""


def overlay(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "cells.toml").write_text(text, encoding="utf-8")
    return folder


def test_a_cells_only_folder_is_laid_over_the_bundled_rules(tmp_path):
    folder = overlay(tmp_path, OVERLAY_REPLACE)
    rules = load_rules(folder)
    assert len(rules.cells) == 136
    sel = Selection("b200", "flash-official", "fp4", "low-latency", "single")
    cell = rules.cell(sel)
    assert cell.flags == ["--model-path {{MODEL_NAME}}", "--tp 2", "--port {{PORT}}"]
    assert cell.verified is False
    # Still first in file order: the replaced cell keeps its place.
    assert rules.cells[0] is cell
    assert rules.notices == [
        f"{folder / 'cells.toml'} replaces the bundled cell b200/flash-official/fp4/low-latency/single"
    ]
    # The rest is the bundled rules.
    assert rules.cell(Selection("h200", "flash", "fp8", "balanced", "single")) is not None
    assert render_command(rules, sel, "python", Env.defaults(rules).subst()) == (
        "sglang serve \\\n  --model-path deepseek-ai/DeepSeek-V4-Flash-0731 \\\n  --tp 2 \\\n  --port 30000"
    )


def test_an_overlay_can_add_a_cell_without_notice(tmp_path):
    rules = load_rules(overlay(tmp_path, OVERLAY_NEW))
    assert len(rules.cells) == 137 and rules.notices == []
    assert rules.cell(Selection("rtx6000", "flash", "fp4", "balanced", "single")).verified is False


def test_an_overlay_cell_can_be_derived_from_a_bundled_cell(tmp_path):
    text = OVERLAY_NEW.replace(
        "verified = false\n", 'verified = false\nderived_from = "rtx6000/flash/fp4/low-latency/single"\n'
    )
    assert "derived_from" in text
    rules = load_rules(overlay(tmp_path, text))
    cell = rules.cell(Selection("rtx6000", "flash", "fp4", "balanced", "single"))
    assert cell.derived_from == "rtx6000/flash/fp4/low-latency/single"


def test_dsv4_print_with_an_overlay_gives_a_notice(tmp_path, capsys):
    folder = overlay(tmp_path, OVERLAY_REPLACE)
    assert cli.main(["print", "--rules", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert out == "sglang serve \\\n  --model-path deepseek-ai/DeepSeek-V4-Flash-0731 \\\n  --tp 2 \\\n  --port 30000\n"
    assert "replaces the bundled cell b200/flash-official/fp4/low-latency/single" in err


def test_user_cells_in_the_config_dir_are_laid_over(isolated_config, capsys):
    folder = isolated_config / "rules"
    folder.mkdir()
    (folder / "cells.toml").write_text(OVERLAY_REPLACE, encoding="utf-8")
    assert cli.main(["print"]) == 0
    out, err = capsys.readouterr()
    assert "  --tp 2 \\\n" in out
    assert "replaces the bundled cell" in err


def test_a_broken_overlay_names_the_overlay_file(tmp_path, capsys):
    folder = overlay(tmp_path, OVERLAY_NEW.replace('hw = "rtx6000"', 'hw = "a100"'))
    assert cli.main(["check", "--rules", str(folder)]) == 1
    err = capsys.readouterr().err
    line = OVERLAY_NEW.splitlines().index('hw = "rtx6000"') + 1
    assert f"{folder / 'cells.toml'}:{line}: " in err and "unknown hw 'a100'" in err
