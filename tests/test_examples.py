"""The page's own Deploy outputs (the golden dump of upstream's Deploy engine,
tests/data/upstream/deploy_golden.json) through `dsv4 print`, byte for byte: one landing per
hardware in each framing and the cURL, and selections the page snaps elsewhere (`--nearest`
takes the page's landing; without it, print refuses and names it). Every selection is
checked through the core in test_deploy_golden.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import NO_COMMAND, render_command
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import Selection, availability

GOLDEN = json.loads((Path(__file__).parent / "data" / "upstream" / "deploy_golden.json").read_text(encoding="utf-8"))
VIEWS = GOLDEN["views"]
ONE_PER_HW = list({k.split("/")[0]: k for k in VIEWS}.values())
SNAPPED = [(asked, landed) for asked, landed in GOLDEN["requests"].items() if asked != landed]
# Variant snaps: the RTX PRO 6000 runs Flash only, DGX Spark has no Pro, MI300X no Flash Official.
GREYED = [
    "rtx6000/pro/fp4/low-latency/single",
    "dgx-spark/pro/fp4/balanced/multi-2",
    "mi300x/flash-official/fp8/low-latency/single",
]


def _argv(key: str) -> list[str]:
    argv = ["print"]
    for d, v in zip(DIMS, key.split("/")):
        argv += [f"--{d}", v]
    return argv


def test_the_dump_has_landings_of_each_kind():
    assert len(ONE_PER_HW) == 11
    assert len(SNAPPED) == 990 - 136
    assert all(GOLDEN["requests"][k] != k for k in GREYED)


@pytest.mark.parametrize("key", ONE_PER_HW)
@pytest.mark.parametrize("extra,part", [([], "python"), (["--docker"], "docker"), (["--curl"], "curl")])
def test_dsv4_print_stdout_is_exactly_the_page_text(capsys, key, extra, part):
    code = cli.main(_argv(key) + extra)
    out, err = capsys.readouterr()
    assert code == 0
    assert out == VIEWS[key][part] + "\n"
    assert "resolved" not in err  # the selection is a real cell: nothing was resolved
    if part != "curl":
        notes = [n.split(" ", 1)[1] for n in VIEWS[key]["notes"]]
        assert [ln.removeprefix("dsv4: note: ") for ln in err.splitlines() if ln.startswith("dsv4: note: ")] == notes


@pytest.mark.parametrize("asked", GREYED)
def test_a_greyed_selection_has_no_command_and_explains_its_greyed_chips(rules, asked):
    sel = Selection(*asked.split("/"))
    assert rules.cell(sel) is None
    assert render_command(rules, sel, "python", Env.defaults(rules).subst()) == NO_COMMAND
    for states in availability(rules, sel).values():
        for o in states:
            assert o.enabled == (o.reason is None)
            if not o.enabled:  # dsv4's own reason, never the page's bare "Not supported"
                assert o.reason and "Not supported for current selection" not in o.reason


def test_the_rtx6000_pro_reason_says_flash_only(rules):
    sel = Selection(*["rtx6000", "flash", "fp4", "low-latency", "single"])
    reason = {o.id: o.reason for o in availability(rules, sel)["variant"]}["pro"]
    assert "RTX PRO 6000 runs Flash only (Flash and Flash Official)" in reason


@pytest.mark.parametrize("asked", GREYED)
def test_dsv4_print_nearest_prints_where_the_page_lands(capsys, asked):
    code = cli.main([*_argv(asked), "--nearest"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == VIEWS[GOLDEN["requests"][asked]]["python"] + "\n"
    assert "resolved" in err


@pytest.mark.parametrize("asked", GREYED)
def test_dsv4_print_of_a_greyed_selection_refuses_and_names_the_nearest(capsys, asked):
    code = cli.main(_argv(asked))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    landed = GOLDEN["requests"][asked]
    nearest = "dsv4 print " + " ".join(f"--{d} {v}" for d, v in zip(DIMS, landed.split("/")))
    assert f"nearest valid selection: {nearest}" in err
