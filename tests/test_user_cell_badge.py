"""A user's own cell never shows the page's "Verified" (issue 19, MED 13).

A cell in `<config>/rules/cells.toml` that says `verified = true` used to show "Verified",
on the same footing as the cookbook page's cells. It now gets its own badge, "Your cell":
in the TUI, `dsv4 list`, `dsv4 print --badge`, the export's header, and `dsv4 check` does
not count it as verified.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT
from dsv4_tui import cli
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules, user_overlays

H200 = ["--hw", "h200", "--variant", "flash", "--quant", "fp8", "--strategy", "balanced", "--nodes", "single"]
B200 = ["--hw", "b200", "--variant", "flash", "--quant", "fp4", "--strategy", "balanced", "--nodes", "single"]


@pytest.fixture
def user_cell(isolated_config):
    """The bundled H200 flash fp8 balanced cell, copied into the user's cells.toml as verified."""
    rules = load_rules(ROOT / "rules", cache=False)
    cell = rules.cell(Selection(*H200[1::2]))
    folder = isolated_config / "rules"
    folder.mkdir()
    flags = ", ".join(json.dumps(f) for f in cell.flags)  # a JSON string is a TOML basic string
    env = ", ".join(json.dumps(e) for e in cell.env)
    (folder / "cells.toml").write_text(
        '[[cell]]\nhw = "h200"\nvariant = "flash"\nquant = "fp8"\nstrategy = "balanced"\nnodes = "single"\n'
        f"verified = true\nenv = [{env}]\nflags = [{flags}]\n",
        encoding="utf-8",
    )
    return folder / "cells.toml"


def _run(capsys, *argv: str) -> str:
    assert cli.main(list(argv)) == 0
    return capsys.readouterr().out


def test_list_says_your_cell(user_cell, capsys):
    lines = _run(capsys, "list").splitlines()
    (mine,) = [t for t in lines if t.split()[:5] == ["h200", "flash", "fp8", "balanced", "single"]]
    assert mine.split()[5:7] == ["Your", "cell"] and "Verified" not in mine
    assert any(t.endswith("  Verified") for t in lines)  # the page's cells keep theirs


def test_print_badge_says_your_cell(user_cell, capsys):
    assert _run(capsys, "print", *H200, "--badge").strip() == "Your cell"
    assert _run(capsys, "print", *B200, "--badge").strip() == "Verified"


def test_the_export_header_and_check_count(user_cell, capsys):
    assert "(Deploy, Your cell, rules: " in _run(capsys, "export", "--to", "sbatch", *H200)
    out = _run(capsys, "check")
    rules = load_rules(overlays=user_overlays(), cache=False)
    page_verified = sum(c.verified and not rules.is_user_cell(c) for c in rules.cells)
    assert any(c.verified and rules.is_user_cell(c) for c in rules.cells)  # the user's says verified = true
    assert f"OK — {len(rules.cells)} cells ({page_verified} verified)" in out


def test_an_unchanged_bundled_rules_folder_has_no_user_cells():
    rules = load_rules(ROOT / "rules", cache=False)
    assert not any(rules.is_user_cell(c) for c in rules.cells)


async def test_the_tui_badge_says_your_cell(user_cell):
    from dsv4_tui.app import DSV4App
    from tool_items import drawn_style, tool

    rules = load_rules(overlays=user_overlays())
    app = DSV4App(rules, detect=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.selection = Selection(*H200[1::2])
        await pilot.pause()
        badge = tool(app, "deploy-badge")
        assert badge.label == "Your cell" and badge.state == "user"
        user_colour = drawn_style(app, "deploy-badge").bgcolor
        app.selection = Selection(*B200[1::2])
        await pilot.pause()
        assert tool(app, "deploy-badge").label == "Verified"
        assert drawn_style(app, "deploy-badge").bgcolor != user_colour  # not drawn as a verified one


def test_a_copied_rules_folder_overlay_is_a_user_cell_too(tmp_path, capsys, user_cell):
    """`--rules DIR` holding only a cells.toml is laid over the bundled rules: also not the page's."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(user_cell, folder / "cells.toml")
    user_cell.unlink()
    assert _run(capsys, "--rules", str(folder), "print", *H200, "--badge").strip() == "Your cell"
