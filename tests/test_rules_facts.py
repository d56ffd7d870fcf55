"""The bundled rules agree with the upstream config (its JSON dump in tests/data/upstream; the
sync tool's own test checks it regenerates them byte for byte), and the hand-kept
playground.toml says what the July cookbook JSON (tests/data/reference) says."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, reference_json
from dsv4_tui.core.playground import SLOTS
from dsv4_tui.core.selection import Selection

COOKBOOK = reference_json("deepseek-v4-cookbook.json")
UPSTREAM = json.loads((ROOT / "tests" / "data" / "upstream" / "deepseek-v4.json").read_text(encoding="utf-8"))["config"]


def test_the_cells_are_the_upstream_configs_cells(rules):
    assert [Selection.of(c).as_dict() for c in rules.cells] == [c["match"] for c in UPSTREAM["cells"]]
    for cell, up in zip(rules.cells, UPSTREAM["cells"]):
        assert (cell.env, cell.flags, cell.warn) == (up["env"], up["flags"], up.get("warn")), cell.key_text


def test_hardware_model_names_placeholders_and_images(rules):
    m = rules.model
    up = UPSTREAM
    assert [h.id for h in m.hardware] == up["supportedHardware"]
    for h in up["hardware"]:
        mine = rules.hardware(h["id"])
        assert (mine.label, f"{mine.memory_gb}GB") == (h["label"], h["vram"])
    assert m.model_names == up["modelNames"]
    assert m.docker.images == up["dockerImages"]
    for key, ph in up["placeholders"].items():
        assert (m.placeholders[key].default, m.placeholders[key].label, m.placeholders[key].target) == (
            ph["default"],
            ph["label"],
            ph["target"],
        )
    assert m.curl.template == up["curl"]
    assert m.multi_node_hints == up["multiNodeHints"]
    assert [(v.id, v.label, v.subtitle) for v in m.variant] == [
        (v["id"], v["label"], v["subtitle"]) for v in up["variants"]
    ]
    assert [q.id for q in m.quant] == [q["id"] for q in up["quantizations"]]
    assert [s.id for s in m.strategy] == [s["id"] for s in up["strategies"]]
    assert [(n.id, n.label) for n in m.nodes] == [(n["id"], n["label"]) for n in up["nodesOptions"]]
    assert m.source is not None and m.source.text == "cookbook 2026-10-01"


def test_every_model_repo_has_a_size_for_the_doctor(rules):
    assert set(rules.model.model_sizes_gb) == set(rules.model.model_names.values())


def _values(knob: dict) -> list:
    return [v["value"] if isinstance(v, dict) else v for v in knob["values"] if v is not None]


def test_playground_knobs_match_the_upstream_config(rules):
    """rules/playground.toml is generated from the newer config's dump (byte for byte:
    tests/test_playground_upstream.py); spot-check the knobs against that config."""
    pf, pg = UPSTREAM["playgroundFeatures"], rules.playground
    att = {k["id"]: k for k in pf["attention"]["knobs"]}
    assert [o.value for o in pg.attention.tp.option] == _values(att["tp"])
    assert [o.value for o in pg.attention.cp.option] == _values(att["cp"])
    assert [o.value for o in pg.attention.dp_attention.option] == [
        0 if v is False else v for v in _values(att["dpAttn"])
    ]
    backends = [o for o in pf["moe"]["backend"]["options"] if o["id"] is not None]
    assert [(o.id, o.label, o.flags) for o in pg.moe.backend.option] == [
        (o["id"], o["label"], o["flags"]) for o in backends
    ]
    quant = pf["moe"]["megamoeQuant"]
    assert [(o.id, o.env, o.flags) for o in pg.moe.backend_quant.option] == [
        (o["id"], o["env"], o.get("flags", [])) for o in quant["options"]
    ]
    assert pg.moe.backend_quant.strip_env == quant["stripEnv"]
    assert [o.value for o in pg.moe.ep.option] == _values(pf["moe"]["ep"])
    spec = [o for o in pf["speculative"]["options"] if o["id"] != "current"]
    assert [(o.id, o.label, o.flags) for o in pg.speculative.option] == [
        (o["id"], o["label"], o.get("flags", [])) for o in spec
    ]
    pd = pf["pdDisagg"]
    assert [o.id for o in pg.pd.mode.option] == [o["id"] for o in pd["modes"]]
    assert [(o.id, o.env) for o in pg.pd.transfer.option] == [
        (o["id"], o.get("env", [])) for o in pd["transferBackends"]
    ]
    hs = pf["hisparse"]
    assert (pg.hisparse.required_flags, pg.hisparse.top_k, pg.hisparse.default_host_ratio) == (
        hs["requiredFlags"],
        hs["config"]["top_k"],
        hs["defaultHostRatio"],
    )
    assert [o.value for o in pg.hisparse.host_ratio.option] == [o["id"] for o in hs["hostRatios"]]
    assert pg.hicache.hide == {"hw": pf["hicache"]["excludesHw"]}


def test_megamoe_is_offered_on_the_configs_blackwell_hardware_only(rules):
    """dsv4's rule: the config's requiresHw (now with MI355X) narrowed to the Blackwell
    datacenter GPUs, with the high-throughput strategy."""
    megamoe = next(o for o in UPSTREAM["playgroundFeatures"]["moe"]["backend"]["options"] if o["id"] == "megamoe")
    show = next(o for o in rules.playground.moe.backend.option if o.id == "megamoe").show_only
    blackwell = {h.id for h in rules.model.hardware if h.arch == "blackwell"}
    assert set(show["hw"]) == blackwell & set(megamoe["requiresHw"]) == {"b200", "b300", "gb200", "gb300"}
    assert show["strategy"] == ["high-throughput"]


@pytest.mark.parametrize("slot", SLOTS, ids=lambda s: s.key)
def test_every_knob_has_a_label_and_an_override_key(rules, slot):
    assert slot.label(rules.playground) and slot.cli(rules.playground)


def test_the_july_rules_carry_the_current_playground_and_checks():
    """tests/data/july-rules holds the July model and cells with copies of today's
    playground.toml and checks.toml: a stale copy tests yesterday's Playground and lint."""
    for name in ("playground.toml", "checks.toml"):
        july = (ROOT / "tests" / "data" / "july-rules" / name).read_text(encoding="utf-8")
        assert july == (ROOT / "rules" / name).read_text(encoding="utf-8"), f"re-copy rules/{name}"
