"""The Playground on the newer upstream config: rules/playground.toml is generated from its
dump (tools/sync_playground.py), and its fields work on its 136 cells (tests/upstream_rules.py
lays them over the bundled rules), as well as on the bundled cells.

dsv4's own rules hold where the config is looser: MegaMoE is offered only on B200 / B300 /
GB200 / GB300 with the High-Throughput strategy, and RTX PRO 6000 runs Flash only (Flash and
Flash Official).
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT
from dsv4_tui.core.flags import flag_name, flag_value
from dsv4_tui.core.playground import INHERIT, Overrides, apply, cards, playground, revert_hidden, set_choice
from dsv4_tui.core.selection import Selection
from tui_helpers import card_shown, pg_row
from upstream_rules import config, upstream_rules

spec = importlib.util.spec_from_file_location("sync_playground", ROOT / "tools" / "sync_playground.py")
sync = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sync)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def up():
    return upstream_rules()


def S(hw, variant, quant, strategy, nodes="single") -> Selection:
    return Selection(hw, variant, quant, strategy, nodes)


def sel_of(cell) -> Selection:
    return Selection(cell.hw, cell.variant, cell.quant, cell.strategy, cell.nodes)


def knob(rules, sel, ov, key):
    return next(k for c in cards(rules, sel, ov) if any(k.key == key for k in c.knobs) for k in c.knobs if k.key == key)


def card(rules, sel, ov, cid):
    return next(c for c in cards(rules, sel, ov) if c.id == cid)


# --------------------------------------------------------------------------- the generator


def test_the_committed_playground_toml_is_generated_from_the_dump():
    text = (ROOT / "rules" / "playground.toml").read_text(encoding="utf-8")
    assert sync.playground_toml(config()) == text


def test_arrow_functions_become_constraints_and_cases():
    selects = {s["id"]: s for s in config()["playgroundFeatures"]["flagSelects"]}
    assert sync.show_when(selects["dsparkDraftTokens"]["showWhen"]) == {
        "variant": ["flash-official", "pro-official"],
        "spec_algorithm": ["DSPARK"],
    }
    assert sync.show_when(selects["targetConcurrency"]["showWhen"])["pd_mode"] == ["prefill", "decode"]
    cases = sync.flag_cases(selects["targetConcurrency"]["options"][0]["flags"])
    assert cases[0]["when"] == {"pd_mode": ["decode"]} and cases[0]["flags"][0] == "--max-running-requests 384"
    assert cases[0]["flags"][1].startswith("--cuda-graph-bs-decode 1 2 3") and "when" not in cases[1]
    assert cases[1]["flags"] == ["--max-running-requests 384"]


@pytest.mark.parametrize(
    "src",
    [
        "(base) => base.nodes !== 'single'",  # another operator
        '(base) => base.hw === "b200" || base.variant === "pro"',  # an OR across keys
        '(base) => other.hw === "b200"',  # not a parameter
        "(v, b) => compute(b)",
    ],
)
def test_a_function_of_another_shape_is_refused_with_its_source(src):
    with pytest.raises(sync.Unsupported):
        sync.show_when({"$fn": src})


def test_the_generator_keeps_dsv4s_megamoe_rule_over_the_configs_looser_one():
    megamoe = next(o for o in config()["playgroundFeatures"]["moe"]["backend"]["options"] if o["id"] == "megamoe")
    assert "mi355x" in megamoe["requiresHw"]  # the config relaxed it (and has no strategy gate)
    text = sync.playground_toml(config())
    rule = 'show_only = { hw = ["b200", "b300", "gb200", "gb300"], strategy = ["high-throughput"] }'
    assert text.count(rule) == 3  # the backend option and both quantizations


# --------------------------------------------------------------------------- DP-attention


def _dp_choices(rules, sel):
    return [o.id for o in rules.playground.attention.dp_attention.option]


@pytest.mark.parametrize("which", ["bundled", "upstream"])
def test_dp_attention_is_attn_dp_size_on_every_cell_and_option(rules, up, which):
    """Every cell x every DP-attention option (x PD off / prefill / decode): one
    `--attn-dp-size N` (none for Off), and never `--dp N` or `--enable-dp-attention` beside it."""
    r = rules if which == "bundled" else up
    checked = 0
    for cell in r.cells:
        if cell.has_roles:
            continue
        sel = sel_of(cell)
        for choice in _dp_choices(r, sel):
            for mode in ("off", "prefill", "decode"):
                ov = set_choice(r, Overrides(pd_mode=mode), "dp_attention", choice)
                env, flags = apply(r, sel, ov)
                names = [flag_name(f) for f in flags]
                assert "--enable-dp-attention" not in names and "--dp" not in names and "--dp-size" not in names
                sizes = [f for f in flags if flag_name(f) == "--attn-dp-size"]
                if choice == "off" or (mode != "off" and _forced(r, sel, mode)):
                    assert sizes == [] and "--enable-dp-attention-local-control-broadcast" not in names
                else:
                    assert sizes == [f"--attn-dp-size {choice}"], (cell.key_text, choice, mode)
                    at = names.index("--attn-dp-size")
                    assert names[at - 1] == "--tp"
                    if "--enable-dp-attention-local-control-broadcast" in cell.flags:
                        assert names[at + 1] == "--enable-dp-attention-local-control-broadcast"
                checked += 1
    assert checked == len([c for c in r.cells if not c.has_roles]) * 6 * 3


def _forced(rules, sel, mode):
    return any(
        all({**sel.as_dict(), "pd_mode": mode}.get(k) in vs for k, vs in f.when.items())
        for f in rules.playground.attention.dp_attention.force_off
    )


def test_an_untouched_cell_keeps_its_own_dp_spelling(rules, up):
    for r in (rules, up):
        for cell in r.cells:
            if not cell.has_roles:
                assert apply(r, sel_of(cell), Overrides()) == (list(cell.env), list(cell.flags))


def test_the_base_dp_value_is_read_from_either_spelling(rules, up):
    assert knob(rules, S("b200", "flash", "fp4", "balanced"), Overrides(), "dp_attention").current == "4"
    assert knob(up, S("b200", "flash", "fp4", "balanced"), Overrides(), "dp_attention").current == "4"
    assert knob(up, S("b200", "flash", "fp4", "low-latency"), Overrides(), "dp_attention").current == "off"


def test_the_mi355x_pd_roles_force_dp_attention_off_with_the_configs_reason(up):
    sel = S("mi355x", "flash", "fp4", "balanced")
    ov = Overrides(pd_mode="decode", dp_attention=8)
    env, flags = apply(up, sel, ov)
    assert not any(flag_name(f) == "--attn-dp-size" for f in flags)
    assert not any(e.startswith("SGLANG_DP_USE_GATHERV=") for e in env)
    dp = knob(up, sel, ov, "dp_attention")
    assert dp.selected == "off" and all(c.disabled and "TP-only" in (c.reason or "") for c in dp.choices)
    # high-throughput is the DP point: not forced
    _, flags = apply(up, S("mi355x", "flash", "fp4", "high-throughput"), Overrides(pd_mode="decode"))
    assert "--attn-dp-size 8" in flags


# --------------------------------------------------------------------------- dsv4's own rules


def test_megamoe_is_offered_only_on_blackwell_datacenter_high_throughput(up):
    """On every cell of the newer config: the MegaMoE backend choice is shown iff the
    hardware is B200 / B300 / GB200 / GB300 and the strategy High-Throughput, or the cell
    itself runs MegaMoE (then it is the base's value, selected, never reverted)."""
    seen_base_value = 0
    for cell in up.cells:
        sel = sel_of(cell)
        backend = knob(up, sel, Overrides(), "moe_backend")
        mega = backend.choice("megamoe")
        runs_it = "--moe-a2a-backend megamoe" in cell.flags
        allowed = cell.hw in ("b200", "b300", "gb200", "gb300") and cell.strategy == "high-throughput"
        assert mega.hidden == (not allowed and not runs_it), cell.key_text
        if mega.hidden:
            assert "B200 / B300 / GB200 / GB300" in mega.reason and "High-Throughput" in mega.reason
            assert revert_hidden(up, sel, Overrides(moe_backend="megamoe")).moe_backend is None
        if runs_it:
            assert backend.current == "megamoe" and backend.selected == "megamoe"
            assert revert_hidden(up, sel, Overrides(moe_backend="megamoe")).moe_backend == "megamoe"
            seen_base_value += not allowed
    assert seen_base_value == 2  # B200 Pro and Pro Official balanced run MegaMoE themselves


def test_megamoe_is_hidden_where_the_config_offers_it_on_mi355x_and_on_other_strategies(up):
    mega = knob(up, S("mi355x", "pro", "fp4", "high-throughput"), Overrides(), "moe_backend").choice("megamoe")
    assert mega.hidden and mega.label == "MORI MegaMoE"  # labelWhen on ROCm
    assert knob(up, S("b200", "flash", "fp4", "balanced"), Overrides(), "moe_backend").choice("megamoe").hidden
    shown = knob(up, S("b200", "flash", "fp4", "balanced"), Overrides(), "moe_backend").choice("deepep")
    assert not shown.hidden and shown.label == "DeepEP"


def test_rtx_pro_6000_runs_flash_only_and_the_playground_says_so(up):
    """RTX PRO 6000: Flash and Flash Official have a base; Pro, Pro Official and Flash Vision
    have none, and the reason names what the card runs. No HiCache, no MegaMoE there."""
    for variant in ("flash", "flash-official"):
        sel = S("rtx6000", variant, "fp4", "low-latency")
        res = playground(up, sel, Overrides())
        assert res.has_base
        assert card(up, sel, Overrides(), "hicache").hidden
        assert knob(up, sel, Overrides(), "moe_backend").choice("megamoe").hidden
    for variant in ("pro", "pro-official", "flash-vision"):
        res = playground(up, S("rtx6000", variant, "fp4", "low-latency"), Overrides())
        assert not res.has_base
        assert "RTX PRO 6000 runs Flash / Flash Official only" in res.no_base_reason


# --------------------------------------------------------------------------- the config's other fields


def test_w4a4_is_the_flag_and_w4a8_its_env(up):
    sel = S("b300", "flash-official", "fp4", "high-throughput")
    env, flags = apply(up, sel, Overrides(moe_quant="w4a4"))
    assert "--enable-w4a4-mxfp4-megamoe" in flags and "SGLANG_OPT_DEEPGEMM_MEGA_MOE_NUM_MAX_TOKENS_PER_RANK=8320" in env
    assert knob(up, sel, Overrides(), "moe_quant").current == "w4a8"
    assert knob(up, sel, Overrides(moe_quant="w4a4"), "moe_quant").selected == "w4a4"
    # hideHw: no DeepGEMM quantization on ROCm, even where a pick is given
    assert knob(up, S("mi355x", "pro", "fp4", "high-throughput"), Overrides(), "moe_quant").hidden


def test_the_megamoe_backend_env_only_where_its_env_when_matches(up):
    """envWhen: the MegaMoE option's Aiter env is for MI355X only (the state as given)."""
    amd_env, _ = apply(up, S("mi355x", "pro", "fp4", "high-throughput"), Overrides(moe_backend="megamoe"))
    assert "SGLANG_AMD_USE_FLYDSL_MEGA_MOE=1" in amd_env
    nv_env, _ = apply(up, S("b200", "flash", "fp4", "high-throughput"), Overrides(moe_backend="megamoe"))
    assert not any(e.startswith("SGLANG_AMD_") for e in nv_env)


def test_cp_offers_8_and_off_and_is_greyed_on_multi_node(up):
    sel = S("b200", "flash", "fp4", "low-latency")
    _, flags = apply(up, sel, Overrides(cp=4))  # TP 4, no DP-attention: CP 4 is the size SGLang runs
    at = next(i for i, f in enumerate(flags) if flag_name(f) == "--tp")
    assert flags[at + 1 : at + 4] == [
        "--attn-cp-size 4",
        "--enable-prefill-cp",
        "--cp-strategy interleave",
    ]
    cp = knob(up, sel, Overrides(), "cp")
    assert [c.label for c in cp.choices] == ["Auto", "Off", "2", "4", "8"]
    assert [c.label for c in cp.choices if c.disabled] == ["2", "8"]
    assert all("attn_cp_size = TP / DP-Attention (= 4 here)" in c.reason for c in cp.choices if c.disabled)
    multi = next(c for c in up.cells if c.nodes != "single" and not c.has_roles)
    cp = knob(up, sel_of(multi), Overrides(), "cp")
    assert all(c.disabled and "single-machine only" in c.reason for c in cp.choices)
    assert apply(up, sel_of(multi), Overrides(cp=4)) == (list(multi.env), list(multi.flags))


def test_dspark_and_its_block_size_select(up):
    sel = S("b200", "flash-official", "fp4", "low-latency")  # runs DSPARK, no block size
    spec = knob(up, sel, Overrides(), "speculative")
    assert spec.current == "dspark" and spec.choice("mtp-314").hidden and not spec.choice("dspark").hidden
    block = card(up, sel, Overrides(), "select-dspark_draft_tokens")
    assert not block.hidden and block.knobs[0].current == "auto" and block.knobs[0].selected == "auto"
    ov = set_choice(up, Overrides(), "dspark-draft-tokens", "3")
    _, flags = apply(up, sel, ov)
    assert flags[-3:] == ["--speculative-dspark-block-size 3", "--host {{HOST_IP}}", "--port {{PORT}}"]
    assert flags.index("--speculative-algorithm DSPARK") < flags.index("--speculative-dspark-block-size 3")
    # back to the checkpoint default: the family goes
    _, flags = apply(up, sel, set_choice(up, ov, "dspark-draft-tokens", "auto"))
    assert not any(f.startswith("--speculative-dspark-block-size") for f in flags)
    # hidden where DSpark is off or the variant has no DSpark head
    assert card(up, sel, Overrides(speculative="off"), "select-dspark_draft_tokens").hidden
    flash = S("b200", "flash", "fp4", "low-latency")
    assert knob(up, flash, Overrides(), "speculative").choice("dspark").hidden
    assert card(up, flash, Overrides(), "select-dspark_draft_tokens").hidden


def test_dspark_is_greyed_with_dp_attention_with_the_configs_reason(up):
    sel = S("b200", "flash-official", "fp4", "low-latency")
    dspark = knob(up, sel, Overrides(dp_attention=8), "speculative").choice("dspark")
    assert dspark.disabled and "DP Attention" in dspark.reason
    # MI300X (no official cell there yet): the config's second reason
    from dsv4_tui.core.playground.editor import disable_reason

    option = next(o for o in up.playground.speculative.option if o.id == "dspark")
    assert "MI300X" in disable_reason(option, {"hw": "mi300x", "dp_attn_on": False})


def test_mi355x_pro_official_prefill_role_umbp_router_and_target_concurrency(up):
    sel = S("mi355x", "pro-official", "fp4", "low-latency")
    res = playground(up, sel, Overrides(pd_mode="prefill"))
    flags, env = list(res.flags), list(res.env)
    # roleOverrides: stripFlags, then the role's flags before host
    assert "--prefill-decode-interval" not in " ".join(flags)
    assert "--speculative-dspark-block-size 6" in flags and "--max-running-requests 32" in flags
    # the UMBP card is on for this role: its flags replace HiCache, its env and note come along
    assert "--enable-unified-cache-external-linker" in flags
    assert "--unified-cache-external-linker-backend mori" in flags
    assert "UMBP_STANDALONE_ADDRESS=unix:///tmp/umbp_sa/sa.grpc.sock" in env
    assert any("umbp_standalone_server" in n for n in res.notes)
    assert knob(up, sel, Overrides(pd_mode="prefill"), "umbp").selected == "on"
    off = playground(up, sel, Overrides(pd_mode="prefill", umbp=False))
    assert "--enable-unified-cache-external-linker" not in off.flags and not any("UMBP_" in e for e in off.env)
    # routerOverrides: the MI355X router
    assert "--policy consistent_hashing --dp-aware" in res.router and "--request-timeout-secs" not in res.router
    ht = playground(up, S("mi355x", "pro-official", "fp4", "high-throughput"), Overrides(pd_mode="decode"))
    assert "--request-timeout-secs 14400" in ht.router
    assert "--policy" not in playground(up, S("b200", "flash", "fp4", "balanced"), Overrides(pd_mode="decode")).router


def test_target_concurrency_follows_the_role(up):
    sel = S("mi355x", "pro-official", "fp4", "high-throughput")
    decode = Overrides(pd_mode="decode")
    tc = card(up, sel, decode, "select-target_concurrency")
    assert not tc.hidden and tc.knobs[0].selected == "c256"
    _, flags = apply(up, sel, decode)  # the default (256): the role's own sizing
    assert flag_value(flags, "--max-running-requests") == "512"
    assert flag_value(flags, "--cuda-graph-bs-decode").endswith(" 63 64")
    _, flags = apply(up, sel, set_choice(up, decode, "target-concurrency", "c512"))
    assert flag_value(flags, "--max-running-requests") == "1024"
    assert flag_value(flags, "--cuda-graph-bs-decode").endswith(" 127 128")
    _, flags = apply(up, sel, set_choice(up, Overrides(pd_mode="prefill"), "target-concurrency", "c512"))
    assert flag_value(flags, "--max-running-requests") == "1024" and flag_value(flags, "--cuda-graph-bs-decode") is None
    assert card(up, sel, Overrides(), "select-target_concurrency").hidden  # off the PD roles


def test_mori_and_the_amd_defaults(up):
    amd, nv = S("mi355x", "flash", "fp4", "balanced"), S("b200", "flash", "fp4", "balanced")
    assert knob(up, amd, Overrides(pd_mode="decode"), "pd_transfer").selected == "mori"  # defaultWhen
    assert knob(up, nv, Overrides(pd_mode="decode"), "pd_transfer").selected == "mooncake"
    assert knob(up, nv, Overrides(), "pd_transfer").choice("mori").hidden
    assert knob(up, amd, Overrides(pd_mode="decode"), "pd_ib_device").selected.startswith("rdma3,rdma0")
    assert knob(up, nv, Overrides(), "pd_ib_device").choice("rdma3,rdma0,rdma2,rdma1,rdma7,rdma4,rdma6,rdma5").hidden
    backend = knob(up, amd, Overrides(), "moe_backend")
    assert [c.id for c in backend.choices if not c.hidden] == [INHERIT, "mori"]
    _, flags = apply(up, amd, Overrides(moe_backend="mori"))
    assert "--moe-a2a-backend mori" in flags


def test_hicache_amd_io_profiles_and_notice(up):
    amd = S("mi355x", "flash", "fp4", "balanced")
    _, flags = apply(up, amd, Overrides(hicache=True))
    assert flags[flags.index("--enable-hierarchical-cache") :][:5] == [
        "--enable-hierarchical-cache",
        "--hicache-ratio 4",
        "--hicache-mem-layout page_first_direct",
        "--hicache-io-backend direct",
        "--hicache-write-policy write_through",
    ]
    # amdStorageFileOnly: only File makes it L3 on AMD; Mooncake is hidden there
    _, flags = apply(up, amd, Overrides(hicache=True, hicache_backend="file"))
    assert "--hicache-storage-backend file" in flags
    assert knob(up, amd, Overrides(), "hicache_backend").choice("mooncake").hidden
    # a role's own profile: Pro Official balanced prefill over MORI, ratio 2.5, best_effort
    po = S("mi355x", "pro-official", "fp4", "balanced")
    _, flags = apply(up, po, Overrides(pd_mode="prefill", hicache=True, umbp=False))
    assert "--hicache-ratio 2.5" in flags and "--hicache-mem-layout page_first" in flags
    assert "--hicache-storage-prefetch-policy best_effort" in flags
    # the notice on the decode role with MORI
    res = playground(up, S("mi355x", "pro", "fp4", "low-latency"), Overrides(pd_mode="decode", hicache=True))
    assert res.text.split("\n")[1] == "# Note: HiCache is not recommended on the decode role with MORI."
    res = playground(up, S("mi355x", "pro", "fp4", "low-latency"), Overrides(pd_mode="decode"))
    assert "Note:" not in res.text
    # NVIDIA: the page's L2 shape, unchanged
    _, flags = apply(up, S("b200", "flash", "fp4", "balanced"), Overrides(hicache=True))
    assert "--hicache-ratio 2" in flags and "--hicache-size 0" in flags and "--hicache-io-backend direct" not in flags


def test_every_override_key_is_listed_for_the_cli(up):
    from dsv4_tui.core.playground import cli_keys

    keys = cli_keys(up.playground)
    assert {"umbp", "umbp-backend", "dspark-draft-tokens", "target-concurrency"} <= set(keys)
    assert len(keys) == len(set(keys))
    json.dumps(keys)


# --------------------------------------------------------------------------- in the app


async def test_the_dspark_select_and_the_umbp_card_in_the_app(up):
    from dsv4_tui.app.main import DSV4App

    app = DSV4App(up, detect=False, remember=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.selection = S("b200", "flash-official", "fp4", "low-latency")
        await pilot.press("2")
        await pilot.pause()
        block = pg_row(app, "select-dspark_draft_tokens")
        assert card_shown(app, "select-dspark_draft_tokens")
        assert [o.state.id for o in block.shown_options()] == ["auto", "1", "2", "3", "4", "5", "6"]
        app.pick("dspark-draft-tokens", "3")
        await pilot.pause()
        assert "--speculative-dspark-block-size 3" in app.pg_view.result.flags
        assert not card_shown(app, "umbp")  # NVIDIA: hidden by the base
        app.selection = S("mi355x", "pro-official", "fp4", "low-latency")
        await pilot.pause()
        app.pick("pd_mode", "prefill")
        await pilot.pause()
        assert card_shown(app, "umbp")
        umbp = pg_row(app, "umbp")
        assert next(o for o in umbp.options if o.state.id == "on").state.selected
