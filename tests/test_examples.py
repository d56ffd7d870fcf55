"""The cookbook's own Deploy outputs (a copy in tests/data/reference/examples/deploy-examples.json),
byte for byte, through the core render functions and through `dsv4 print`."""

from __future__ import annotations

import pytest

from conftest import reference_json
from dsv4_tui import cli
from dsv4_tui.core.env import Env
from dsv4_tui.core.render import NO_COMMAND, badge, cell_notes, model_name, render_command, render_curl
from dsv4_tui.core.rules import DIMS
from dsv4_tui.core.selection import Selection, availability, resolve

EXAMPLES = reference_json("examples/deploy-examples.json")["examples"]
COMMANDS = [e for e in EXAMPLES if "status" not in e]
GREYED = [e for e in EXAMPLES if e.get("status") == "greyed"]


def _id(e: dict) -> str:
    return "/".join(e["sel"][d] for d in DIMS)


def _argv(sel: dict) -> list[str]:
    argv = ["print"]
    for d in DIMS:
        argv += [f"--{d}", sel[d]]
    return argv


def test_the_reference_has_examples_of_each_kind():
    assert len(COMMANDS) >= 5
    assert len(GREYED) == 1


@pytest.mark.parametrize("ex", COMMANDS, ids=_id)
@pytest.mark.parametrize("framing", ["python", "docker"])
def test_command_text_matches_the_cookbook(rules, ex, framing):
    sel = Selection(**ex["sel"])
    assert render_command(rules, sel, framing, Env.defaults(rules).subst()) == ex[framing]


@pytest.mark.parametrize("ex", COMMANDS, ids=_id)
def test_curl_text_matches_the_cookbook(rules, ex):
    sel = Selection(**ex["sel"])
    assert render_curl(rules, sel, Env.defaults(rules).subst()) == ex["curl"]


@pytest.mark.parametrize("ex", COMMANDS, ids=_id)
def test_model_name_badge_and_mtp_hint(rules, ex):
    sel = Selection(**ex["sel"])
    cell = rules.cell(sel)
    assert cell is not None
    assert model_name(rules, sel) == ex["modelName"]
    assert badge(cell) == ex["badge"]
    notes = cell_notes(rules, cell)
    if ex["mtpHint"]:
        assert len(notes) == 1
        assert "--max-running-requests" in notes[0] and "48" in notes[0]
    else:
        assert notes == []


@pytest.mark.parametrize("ex", COMMANDS, ids=_id)
@pytest.mark.parametrize("extra,key", [([], "python"), (["--docker"], "docker"), (["--curl"], "curl")])
def test_dsv4_print_stdout_is_exactly_the_text(capsys, ex, extra, key):
    code = cli.main(_argv(ex["sel"]) + extra)
    out, err = capsys.readouterr()
    assert code == 0
    assert out == ex[key] + "\n"
    # The selection is a real cell: nothing was resolved.
    assert "resolved" not in err
    if key != "curl":
        assert ("MTP" in err) == ex["mtpHint"]


@pytest.mark.parametrize("ex", GREYED, ids=_id)
def test_greyed_selection_has_no_command(rules, ex):
    sel = Selection(**ex["sel"])
    assert rules.cell(sel) is None
    assert render_command(rules, sel, "python", Env.defaults(rules).subst()) == ex["python"] == NO_COMMAND


@pytest.mark.parametrize("ex", GREYED, ids=_id)
def test_greyed_buttons_are_exactly_the_disabled_options(rules, ex):
    states = availability(rules, Selection(**ex["sel"]))
    disabled = [o.id for d in DIMS for o in states[d] if not o.enabled]
    assert sorted(disabled) == sorted(ex["buttonsDisabled"])
    for d in DIMS:
        for o in states[d]:
            assert o.enabled == (o.reason is None)
            assert o.selected == (o.id == ex["sel"][d])


@pytest.mark.parametrize("ex", GREYED, ids=_id)
def test_greyed_selection_snaps_to_the_cookbook_cell(rules, ex):
    sel, changes = resolve(rules, ex["sel"])
    assert sel.as_dict() == ex["hashSnapsTo"]
    assert rules.cell(sel) is not None
    changed = [d for d in DIMS if ex["sel"][d] != ex["hashSnapsTo"][d]]
    assert len(changes) == len(changed) >= 1
    for d, change in zip(changed, changes):
        assert (change.dim, change.wanted, change.got) == (d, ex["sel"][d], ex["hashSnapsTo"][d])
        assert rules.label(d, ex["sel"][d]) in str(change)
        assert rules.label(d, ex["hashSnapsTo"][d]) in str(change)


@pytest.mark.parametrize("ex", GREYED, ids=_id)
def test_dsv4_print_nearest_of_greyed_selection_prints_the_snapped_cell(rules, capsys, ex):
    code = cli.main([*_argv(ex["sel"]), "--nearest"])
    out, err = capsys.readouterr()
    assert code == 0
    snapped = Selection(**ex["hashSnapsTo"])
    assert out == render_command(rules, snapped, "python", Env.defaults(rules).subst()) + "\n"
    assert "resolved" in err and "Pro" in err and "Flash" in err


@pytest.mark.parametrize("ex", GREYED, ids=_id)
def test_dsv4_print_of_greyed_selection_refuses_and_names_the_nearest(rules, capsys, ex):
    code = cli.main(_argv(ex["sel"]))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    snapped = Selection(**ex["hashSnapsTo"])
    nearest = "dsv4 print " + " ".join(f"--{d} {snapped[d]}" for d in DIMS)
    assert f"nearest valid selection: {nearest}" in err
    assert f"--variant {ex['sel']['variant']} cannot be kept" in err
