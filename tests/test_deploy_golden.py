"""Deploy parity with the page: every one of the 990 selections (11 hardware x 5 variants x 3
quantizations x 3 strategies x 2 node counts) against the golden dump of upstream's own Deploy
engine (tests/data/upstream/deploy_golden.json, made by tools/upstream/golden_deploy.mjs).

For each selection: the selection the page lands on (as a link to the page resolves it, so
`--nearest`), and for each landing the badge, the model name, the Python and Docker texts,
the cURL, the warn banner, the speculative-decoding notes and the greyed chips — byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsv4_tui.core.env import Env
from dsv4_tui.core.render import badge_state, cell_note_items, cell_warn, render_command, render_curl
from dsv4_tui.core.selection import Selection, availability, resolve
from dsv4_tui.core.srt_panel import serves
from dsv4_tui.core.view import deploy_view
from dsv4_tui.host.rules_files import load_rules

GOLDEN = json.loads((Path(__file__).parent / "data" / "upstream" / "deploy_golden.json").read_text(encoding="utf-8"))
DIMS = ("hw", "variant", "quant", "strategy", "nodes")
ICONS = {"warn": "⚠️ ", "info": "ℹ️ "}


@pytest.fixture(scope="module")
def rules():
    return load_rules(cache=False)


def sel_of(key: str) -> Selection:
    return Selection(*key.split("/"))


def test_the_dump_covers_every_selection():
    assert len(GOLDEN["requests"]) == 990
    assert len(GOLDEN["views"]) == 136  # every landing is a cell


def test_every_selection_lands_where_the_page_lands(rules):
    wrong = {}
    for asked, landed in GOLDEN["requests"].items():
        got, _ = resolve(rules, dict(zip(DIMS, asked.split("/"))))
        if got.text != landed:
            wrong[asked] = (got.text, landed)
    assert wrong == {}


@pytest.mark.parametrize("framing", ["python", "docker"])
def test_commands_match_the_page_byte_for_byte(rules, framing):
    subst = Env.defaults(rules).subst()
    wrong = [k for k, v in GOLDEN["views"].items() if render_command(rules, sel_of(k), framing, subst) != v[framing]]
    assert wrong == []


def test_curl_model_name_badge_banner_and_notes_match_the_page(rules):
    subst = Env.defaults(rules).subst()
    for key, page in GOLDEN["views"].items():
        sel = sel_of(key)
        cell = rules.cell(sel)
        assert cell is not None, key
        assert render_curl(rules, sel, subst) == page["curl"], key
        assert badge_state(cell) == page["badge"], key
        assert cell_warn(rules, cell) == page["warn"], key
        assert [ICONS[kind] + text for kind, text in cell_note_items(rules, cell)] == page["notes"], key


def test_greyed_chips_match_the_page_but_the_srt_slurm_panel(rules):
    """The page greys GB300 · Pro · Multi-Nodes (it has no cell: the srt-slurm recipes are a
    panel of their own below); dsv4 offers it and shows that panel there."""
    opened = 0
    for key, page in GOLDEN["views"].items():
        sel = sel_of(key)
        greyed = [o.id for states in availability(rules, sel).values() for o in states if not o.enabled]
        expected = [
            v for v in page["disabled"] if not (v.startswith("multi-") and serves(rules, sel.hw, sel.variant, v))
        ]
        opened += len(page["disabled"]) - len(expected)
        assert sorted(greyed) == sorted(expected), key
    assert opened == sum(k.startswith("gb300/pro/") for k in GOLDEN["views"]) == 4  # each GB300 Pro landing


@pytest.mark.parametrize("framing", ["python", "docker"])
def test_the_deploy_pane_view_matches_the_page(rules, framing):
    env = Env.defaults(rules)
    for key, page in GOLDEN["views"].items():
        view = deploy_view(rules, sel_of(key), framing, env)
        assert view.command == page[framing], key
        assert view.model_name == page["model_name"], key
        assert view.badge_state == page["badge"], key
        assert view.curl == page["curl"], key
