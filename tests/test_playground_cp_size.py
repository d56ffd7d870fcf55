"""The page's CP size rule, as data (rules/playground.toml, from tools/sync_playground.py):
SGLang derives attn_cp_size = TP / DP-Attention, so with DP-Attention off only CP == TP can
be enabled; the other sizes are greyed with the page's reason, and a stale pick applies nothing."""

from __future__ import annotations

from functools import lru_cache

from dsv4_tui.core.playground import Overrides, apply, cards, knob_view
from dsv4_tui.core.selection import Selection
from dsv4_tui.host.rules_files import load_rules
from test_lint_support import ROOT


@lru_cache(maxsize=1)
def _rules():
    return load_rules(ROOT / "rules", cache=False)


def _tp8_without_dp_attention() -> Selection:
    rules = _rules()
    for cell in rules.cells:
        sel = Selection.of(cell)
        views = {c.id: c for c in cards(rules, sel, Overrides())}
        att = views["attention"]
        tp8 = not att.hidden and att.knob("tp").selected == "8" and att.knob("dp_attention").selected == "off"
        if tp8 and not att.knob("cp").hidden and not any(c.disabled for c in att.knob("cp").choices if c.id == "8"):
            return sel
    raise AssertionError("no TP 8 cell without DP-attention")


def test_with_dp_attention_off_only_cp_equal_to_tp_is_offered():
    rules, sel = _rules(), _tp8_without_dp_attention()
    cp = knob_view(rules, sel, Overrides(), "cp")
    why = "SGLang derives the prefill-CP size as attn_cp_size = TP / DP-Attention (= 8 here), so only that size can be enabled."
    assert {c.id: (c.disabled, c.reason) for c in cp.choices if c.id in ("2", "4", "8")} == {
        "2": (True, why),
        "4": (True, why),
        "8": (False, None),
    }
    # TP 4: now CP 4 is the one.
    cp4 = knob_view(rules, sel, Overrides(tp=4), "cp")
    assert [c.id for c in cp4.choices if c.id in ("2", "4", "8") and not c.disabled] == ["4"]


def test_a_stale_cp_pick_applies_nothing():
    rules, sel = _rules(), _tp8_without_dp_attention()
    _, flags = apply(rules, sel, Overrides(cp=8))
    assert "--attn-cp-size 8" in flags
    _, flags = apply(rules, sel, Overrides(cp=8, tp=4))  # CP 8 picked, then TP 4: greyed, not applied
    assert not any(f.startswith("--attn-cp-size") for f in flags)
